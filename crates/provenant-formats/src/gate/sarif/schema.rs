//! The OASIS SARIF 2.1.0 JSON schema (errata 01), embedded and compiled once: a log that does not
//! conform is not read (a `stack` without `frames`, a `result` without `message`, a property the
//! schema does not define).
//!
//! Every `$ref` in the schema is local; the retriever refuses anything else, so compiling never
//! touches the network or the file system. `format` keywords are annotations here, as in the
//! SARIF SDK's own schema validation (URI and date checks are separate rules there).
//!
//! What is validated against what:
//! - `2.1.0`, or no `version` (then `version` is missing, which the schema refuses): the schema.
//! - `2.1.0-...` pre-releases and `2.2` drafts, which the reader takes as 2.1.0: the schema, with
//!   only the log's own `version` string left to the reader (which records the deviation).
//! - `2.0.0...` (the pre-OASIS shape: `tool.name`, `fileLocation`): no schema is embedded for it;
//!   the reader reads it leniently and records that deviation.
//!
//! Runs that the specification's examples elide (`{"...member-inject": "..."}`) are skipped by
//! the reader with a deviation, and are left out of validation the same way.

use std::sync::OnceLock;

use jsonschema::{Draft, Validator};
use serde_json::Value;

use super::fragment::is_elision;
use super::{field, GateError};
use crate::schemas::{NoFetch, SchemaError};

const SCHEMA: &str = include_str!("../../../schemas/sarif/sarif-schema-2.1.0.json");

/// Longest schema message kept (a `type` error prints the whole offending value).
const MAX_MESSAGE_CHARS: usize = 300;

/// The compiled schema; `Err` only if the embedded schema is broken (a build defect the tests
/// catch; logs are then refused, never read unvalidated).
fn validator() -> Result<&'static Validator, &'static SchemaError> {
    static V: OnceLock<Result<Validator, SchemaError>> = OnceLock::new();
    V.get_or_init(compile).as_ref()
}

fn compile() -> Result<Validator, SchemaError> {
    // Trusted: compiled into the binary.
    #[allow(clippy::disallowed_methods)]
    let mut schema: Value = serde_json::from_str(SCHEMA)?;
    // The log's `version` is the reader's to judge (2.1.0, or a pre-release / draft read as
    // 2.1.0 with a deviation); everything else is the schema's.
    let version = schema
        .pointer_mut("/properties/version")
        .and_then(Value::as_object_mut)
        .ok_or(SchemaError::Missing(
            "the embedded SARIF schema has no /properties/version",
        ))?;
    version.remove("enum");
    jsonschema::options()
        .with_draft(Draft::Draft4)
        .should_validate_formats(false)
        .with_retriever(NoFetch)
        .build(&schema)
        .map_err(SchemaError::from)
}

/// Check `log` (a JSON object that [`super::is_log`] accepted) against the SARIF 2.1.0 schema.
pub(super) fn check(log: &Value) -> Result<(), GateError> {
    let version = log.get("version").and_then(Value::as_str);
    if version.is_some_and(|v| v.starts_with("2.0.0")) {
        return Ok(());
    }
    let validator = validator()
        .map_err(|e| field("", format!("the SARIF schema could not be compiled: {e}")))?;
    let elided = |run: &Value| {
        run.as_object()
            .is_some_and(|r| !r.is_empty() && r.keys().all(|k| is_elision(k)))
    };
    let runs = log.get("runs").and_then(Value::as_array);
    let trimmed;
    let log = if runs.is_some_and(|r| r.iter().any(elided)) {
        let mut copy = log.clone();
        if let Some(runs) = copy.get_mut("runs").and_then(Value::as_array_mut) {
            runs.retain(|r| !elided(r));
        }
        trimmed = copy;
        &trimmed
    } else {
        log
    };
    let mut errors = validator.iter_errors(log);
    let Some(first) = errors.next() else {
        return Ok(());
    };
    let more = errors.take(99).count();
    let mut message = first.to_string();
    if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS) {
        message.truncate(cut);
        message.push_str("...");
    }
    let also = match more {
        0 => String::new(),
        99 => " (and 99+ more violations)".into(),
        n => format!(" (and {n} more violations)"),
    };
    Err(field(
        first.instance_path().as_str(),
        format!(
            "does not conform to the SARIF 2.1.0 schema: {message} (schema {}){also}",
            first.schema_path().as_str()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn log(run: Value) -> Value {
        json!({"version": "2.1.0", "runs": [run]})
    }

    fn at_and_what(v: &Value) -> (String, String) {
        match check(v) {
            Err(GateError::Field { at, what, .. }) => (at, what),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_embedded_schema_compiles() {
        assert!(validator().is_ok(), "{:?}", validator().err());
    }

    #[test]
    fn conforming_logs_pass() {
        let ok = log(json!({"tool": {"driver": {"name": "T"}}, "results": [
            {"message": {"text": "m"}, "ruleId": "r",
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a b.c"},
                                                 "region": {"startLine": 1}}}]}
        ]}));
        assert!(check(&ok).is_ok());
        // A 2.2 draft is validated too, its version left to the reader.
        let mut draft = ok.clone();
        draft["version"] = json!("2.2");
        assert!(check(&draft).is_ok());
        // Elided example runs are left out.
        let elided = json!({"version": "2.1.0", "runs": [{"...member-inject": "..."}]});
        assert!(check(&elided).is_ok());
    }

    #[test]
    fn non_conforming_logs_are_refused_with_the_schema_path() {
        let (at, what) = at_and_what(&log(json!({"tool": {"driver": {"name": "T"}},
            "results": [{"ruleId": "r"}]})));
        assert_eq!(at, "/runs/0/results/0");
        assert!(
            what.contains("\"message\" is a required property"),
            "{what}"
        );
        assert!(what.contains("required"), "{what}");
        let (at, what) = at_and_what(&log(json!({"tool": {"driver": {"name": "T"}},
            "results": [{"message": {"text": "m"}, "stacks": [{"message": {"text": "s"}}]}]})));
        assert_eq!(at, "/runs/0/results/0/stacks/0");
        assert!(what.contains("frames"), "{what}");
        let (at, _) = at_and_what(&log(json!({"tool": {"driver": {"name": "T"}},
            "results": [{"message": {"text": "m"}, "level": "critical"}]})));
        assert_eq!(at, "/runs/0/results/0/level");
        // No version at all: 2.1.0 requires one.
        let (at, what) = at_and_what(&json!({"runs": []}));
        assert_eq!(at, "");
        assert!(what.contains("version"), "{what}");
        // A long offending value is cut.
        let big = "x".repeat(10_000);
        let (_, what) = at_and_what(&log(json!({"tool": {"driver": {"name": "T"}},
            "results": big})));
        assert!(what.len() < 1000, "{}", what.len());
    }

    #[test]
    fn pre_oasis_logs_are_left_to_the_lenient_reader() {
        let old = json!({"version": "2.0.0", "runs": [{"tool": {"name": "T"}, "results": []}]});
        assert!(check(&old).is_ok());
    }
}
