//! Rego, for rules the YAML policy cannot state: evaluated with regorus over the report built
//! so far (see [`rego_input`]). `package provenant`; every element of `deny` becomes a failed
//! check, every element of `warn` a warning. A module that does not parse, a `deny` that is not
//! declared, an evaluation error or an evaluation over its time limit is a failure, never a
//! pass.
//!
//! regorus is built without `http`, `opa-runtime` (the process environment) and `time` (the
//! wall clock): a policy sees its input and nothing else. `print` output is gathered and
//! dropped, so it never reaches the terminal.

use std::num::NonZeroU32;
use std::time::Duration;

use provenant_model::{Check, CheckCode, Digest, EvidenceKind, EvidenceRef, Report};
use serde_json::{json, Value};

/// Largest Rego module read (bytes).
pub const MAX_REGO_BYTES: u64 = 256 * 1024;
/// Most `--rego` modules per run.
pub const MAX_REGO_MODULES: usize = 32;
/// Longest a Rego evaluation may run before it is stopped (and fails).
pub const REGO_TIME_LIMIT: Duration = Duration::from_secs(5);
/// Most `deny`/`warn` messages turned into checks; the rest are counted in one more check.
pub const MAX_REGO_MESSAGES: usize = 100;
/// Longest message kept from a `deny`/`warn` element (characters).
const MAX_MESSAGE_CHARS: usize = 2000;
/// Version of the Rego input document's shape.
pub const REGO_INPUT_VERSION: u32 = 1;

/// One Rego module, read by the caller.
#[derive(Debug, Clone)]
pub struct RegoModule {
    /// Where it came from (a path).
    pub location: String,
    /// Its digest, for the report.
    pub digest: Option<Digest>,
    /// The source text.
    pub source: String,
}

impl RegoModule {
    fn evref(&self) -> EvidenceRef {
        let r = EvidenceRef::new(EvidenceKind::Flag, format!("--rego {}", self.location));
        match &self.digest {
            Some(d) => r.with_digest(d.clone()),
            None => r,
        }
    }
}

/// The document a Rego policy sees as `input`: the JSON report as built so far (subject,
/// `verdict` so far, `checks`, `signatures` with their signer and provenance claims, `gates`),
/// plus `input_version`, `verified_signatures` (the signatures that verified), `provenance`
/// (the verified SLSA provenance claims, each with the `evidence` location and `signer`),
/// `failed` (codes of the failed checks) and `policy` (the policy file's path and digest, or
/// null). Documented in README ("Policy files") and `attestations/examples/rego-input.json`.
pub fn rego_input(report: &Report, policy: Option<(&str, &Digest)>) -> Value {
    let mut v = serde_json::to_value(report).unwrap_or_else(|_| json!({}));
    let verified: Vec<Value> = report
        .signatures
        .iter()
        .filter(|s| s.verified)
        .filter_map(|s| serde_json::to_value(s).ok())
        .collect();
    let provenance: Vec<Value> = report
        .signatures
        .iter()
        .filter(|s| s.verified)
        .filter_map(|s| {
            let p = s.provenance.as_ref()?;
            let mut p = serde_json::to_value(p).ok()?;
            if let Some(o) = p.as_object_mut() {
                o.insert("evidence".into(), json!(s.evidence.location));
                o.insert(
                    "signer".into(),
                    serde_json::to_value(&s.signer).unwrap_or(Value::Null),
                );
            }
            Some(p)
        })
        .collect();
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.outcome == provenant_model::Outcome::Fail)
        .map(|c| c.code.as_str())
        .collect();
    if let Some(o) = v.as_object_mut() {
        o.insert("input_version".into(), json!(REGO_INPUT_VERSION));
        o.insert("verified_signatures".into(), Value::Array(verified));
        o.insert("provenance".into(), Value::Array(provenance));
        o.insert("failed".into(), json!(failed));
        o.entry("gates").or_insert_with(|| json!([]));
        o.insert(
            "policy".into(),
            match policy {
                Some((path, d)) => json!({ "path": path, "digest": d.to_string() }),
                None => Value::Null,
            },
        );
    }
    v
}

fn one_line(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s,
    }
}

/// A `deny`/`warn` element as a message: a string, an object's `msg`, else its JSON text.
fn message_of(v: &regorus::Value) -> String {
    if let Ok(s) = v.as_string() {
        return one_line(s, MAX_MESSAGE_CHARS);
    }
    let json = v.to_json_str().unwrap_or_default();
    let parsed = provenant_formats::json::parse_strict(json.as_bytes()).unwrap_or(Value::Null);
    match parsed.get("msg").and_then(Value::as_str) {
        Some(m) => one_line(m, MAX_MESSAGE_CHARS),
        None => one_line(&json, MAX_MESSAGE_CHARS),
    }
}

/// The elements of a rule's value: a set or array's elements, `true` as one element, nothing
/// for `false`, undefined or empty. `None` for any other value.
fn elements(v: &regorus::Value) -> Option<Vec<regorus::Value>> {
    match v {
        regorus::Value::Undefined | regorus::Value::Null | regorus::Value::Bool(false) => {
            Some(vec![])
        }
        regorus::Value::Bool(true) => Some(vec![regorus::Value::from("denied")]),
        regorus::Value::Set(s) => Some(s.iter().cloned().collect()),
        regorus::Value::Array(a) => Some(a.iter().cloned().collect()),
        _ => None,
    }
}

fn error(modules: &[RegoModule], reason: String) -> Vec<Check> {
    vec![Check::fail(
        CheckCode::RegoError,
        one_line(&reason, MAX_MESSAGE_CHARS),
        modules.iter().map(RegoModule::evref).collect(),
    )]
}

/// Evaluate `modules` over `input`; the checks to add to the report.
pub fn evaluate_rego(modules: &[RegoModule], input: &Value) -> Vec<Check> {
    if modules.is_empty() {
        return vec![];
    }
    if modules.len() > MAX_REGO_MODULES {
        return error(
            modules,
            format!(
                "{} Rego modules given; at most {MAX_REGO_MODULES} are read",
                modules.len()
            ),
        );
    }
    // regorus is a large parser and interpreter fed user text: a panic inside it (a bug) must
    // fail the run's Rego check, not abort it or let it pass.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(modules, input))).unwrap_or_else(
        |_| {
            error(
                modules,
                "internal error while evaluating the Rego policy (treated as a failure)".into(),
            )
        },
    )
}

fn run(modules: &[RegoModule], input: &Value) -> Vec<Check> {
    let mut engine = regorus::Engine::new();
    engine.set_gather_prints(true);
    // A builtin given the wrong types is an error, not an undefined value that would quietly
    // make a deny rule not fire.
    engine.set_strict_builtin_errors(true);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: REGO_TIME_LIMIT,
        check_interval: NonZeroU32::new(64).unwrap_or(NonZeroU32::MIN),
    });
    let mut declares_deny = false;
    let mut declares_warn = false;
    for m in modules {
        if m.source.len() as u64 > MAX_REGO_BYTES {
            return error(
                modules,
                format!(
                    "{}: larger than the {MAX_REGO_BYTES}-byte limit for a Rego module",
                    m.location
                ),
            );
        }
        let package = match engine.add_policy(m.location.clone(), m.source.clone()) {
            Ok(p) => p,
            Err(e) => return error(modules, format!("{}: does not parse: {e}", m.location)),
        };
        if package == "data.provenant" {
            declares_deny |= engine
                .has_declared_rule_rooted_at(&m.location, "deny")
                .unwrap_or(false);
            declares_warn |= engine
                .has_declared_rule_rooted_at(&m.location, "warn")
                .unwrap_or(false);
        }
    }
    if !declares_deny {
        return error(
            modules,
            "no `deny` rule in `package provenant`: a Rego policy that cannot deny proves nothing (check the package name)".into(),
        );
    }
    engine.set_input(regorus::Value::from(input.clone()));
    let mut out = Vec::new();
    let rules: &[(&str, bool)] = &[("deny", true), ("warn", declares_warn)];
    for (rule, declared) in rules {
        if !declared {
            continue;
        }
        let value = match engine.eval_rule(format!("data.provenant.{rule}")) {
            Ok(v) => v,
            Err(e) => {
                return error(
                    modules,
                    format!("evaluating data.provenant.{rule} failed: {e}"),
                )
            }
        };
        let Some(items) = elements(&value) else {
            return error(
                modules,
                format!(
                    "data.provenant.{rule} must be a set of messages (strings, or objects with msg); it is {}",
                    one_line(&value.to_json_str().unwrap_or_default(), 200)
                ),
            );
        };
        let evidence: Vec<EvidenceRef> = modules.iter().map(RegoModule::evref).collect();
        let (code, outcome) = if *rule == "deny" {
            (CheckCode::RegoDenied, provenant_model::Outcome::Fail)
        } else {
            (CheckCode::RegoWarned, provenant_model::Outcome::Warn)
        };
        let total = items.len();
        for item in items.iter().take(MAX_REGO_MESSAGES) {
            out.push(Check::new(
                code,
                outcome,
                message_of(item),
                evidence.clone(),
            ));
        }
        if total > MAX_REGO_MESSAGES {
            out.push(Check::new(
                code,
                outcome,
                format!("and {} more {rule} message(s)", total - MAX_REGO_MESSAGES),
                evidence.clone(),
            ));
        }
    }
    let _ = engine.take_prints();
    if !out.iter().any(|c| c.code == CheckCode::RegoDenied) {
        let names: Vec<&str> = modules.iter().map(|m| m.location.as_str()).collect();
        out.insert(
            0,
            Check::pass(
                CheckCode::RegoPassed,
                format!("Rego policy {} denies nothing", names.join(", ")),
                modules.iter().map(RegoModule::evref).collect(),
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(src: &str) -> Vec<RegoModule> {
        vec![RegoModule {
            location: "p.rego".into(),
            digest: None,
            source: src.into(),
        }]
    }

    fn codes(checks: &[Check]) -> Vec<CheckCode> {
        checks.iter().map(|c| c.code).collect()
    }

    #[test]
    fn deny_and_allow() {
        let input = json!({"subject": {"name": "a"}, "failed": []});
        let deny = "package provenant\ndeny contains msg if { input.subject.name == \"a\"; msg := \"no a\" }\n";
        let c = evaluate_rego(&module(deny), &input);
        assert_eq!(codes(&c), vec![CheckCode::RegoDenied]);
        assert_eq!(c[0].reason, "no a");
        let c = evaluate_rego(&module(deny), &json!({"subject": {"name": "b"}}));
        assert_eq!(codes(&c), vec![CheckCode::RegoPassed]);
        let obj = "package provenant\ndeny contains {\"msg\": \"m\", \"x\": 1} if { true }\n";
        let c = evaluate_rego(&module(obj), &input);
        assert_eq!(c[0].reason, "m");
    }

    #[test]
    fn warn_rule() {
        let src = "package provenant\ndeny contains \"x\" if { false }\nwarn contains \"w\" if { true }\n";
        let c = evaluate_rego(&module(src), &json!({}));
        assert_eq!(
            codes(&c),
            vec![CheckCode::RegoPassed, CheckCode::RegoWarned]
        );
    }

    #[test]
    fn failures_are_never_passes() {
        for src in [
            "package provenant\ndeny contains msg if {",
            "package other\ndeny contains \"x\" if { false }\n",
            "package provenant\nallow := true\n",
            "package provenant\ndeny := 3\n",
            "package provenant\ndeny contains msg if { msg := concat(\",\", 5) }\n",
        ] {
            let c = evaluate_rego(&module(src), &json!({}));
            assert_eq!(codes(&c), vec![CheckCode::RegoError], "{src}: {c:?}");
        }
    }

    #[test]
    fn no_environment_no_clock_no_network() {
        for src in [
            "package provenant\ndeny contains msg if { msg := sprintf(\"%v\", [opa.runtime()]) }\n",
            "package provenant\ndeny contains msg if { msg := sprintf(\"%v\", [time.now_ns()]) }\n",
            "package provenant\ndeny contains msg if { msg := sprintf(\"%v\", [http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:9\"})]) }\n",
        ] {
            let c = evaluate_rego(&module(src), &json!({}));
            assert_eq!(codes(&c), vec![CheckCode::RegoError], "{src}: {c:?}");
        }
    }

    #[test]
    fn endless_evaluation_is_stopped() {
        let src = "package provenant\ndeny contains msg if { n := count([1 | some a in numbers.range(1, 20000); some b in numbers.range(1, 20000)]); msg := sprintf(\"%d\", [n]) }\n";
        let t = std::time::Instant::now();
        let c = evaluate_rego(&module(src), &json!({}));
        assert_eq!(codes(&c), vec![CheckCode::RegoError], "{c:?}");
        assert!(t.elapsed() < Duration::from_secs(60));
    }
}
