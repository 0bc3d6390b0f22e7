//! SARIF 2.1.0, for code scanning: one result per failed check (level `error`) and per warning
//! (level `warning`); rule ids are check codes, with the code's description as the rule's help.
//! Passing checks are not results: SARIF results are things to look at.
//!
//! Code scanning shows `message.text` and the tool's name: they go through [`sarif_text`]
//! (controls, bidi and line breaks shown escaped, brackets escaped so no link can be forged).
//! The whole log is written by [`write_json_pretty`], which keeps property values exact but
//! spells hidden characters as `\uXXXX`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use provenant_model::{
    Check, CheckCode, EvidenceKind, EvidenceRef, InputRole, Outcome, Report, SubjectKind,
};
use serde_json::{json, Value};

use crate::sanitize::{sarif_text, write_json_pretty};

/// The schema URI a SARIF 2.1.0 log names (the OASIS errata 01 schema).
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Where provenant lives, for `tool.driver.informationUri`.
pub const INFORMATION_URI: &str = "https://github.com/provenant/provenant";

/// The file an evidence reference names, as a SARIF URI reference: a relative path stays
/// relative (code scanning resolves it against the repository), an absolute one becomes a
/// `file://` URI. `None` for flags, registry references, embedded roots and URLs.
fn artifact_uri(e: &EvidenceRef) -> Option<String> {
    if matches!(
        e.kind,
        EvidenceKind::Flag
            | EvidenceKind::CosignSignature
            | EvidenceKind::OciArtifact
            | EvidenceKind::OciManifest
    ) {
        return None;
    }
    let path = e.location.split('#').next().unwrap_or_default();
    let not_a_path = path.is_empty()
        || path.starts_with('-')
        || path.starts_with("embedded:")
        || path.contains("://")
        || path.contains("@sha256:")
        || path.chars().any(char::is_control);
    if not_a_path {
        return None;
    }
    let encoded = percent_encode(path);
    Some(if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    })
}

/// Percent-encode everything but unreserved characters and `/`.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rule(code: CheckCode) -> Value {
    json!({
        "id": code.as_str(),
        "shortDescription": { "text": code.as_str() },
        "fullDescription": { "text": code.description() },
        "help": { "text": code.description() },
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["supply-chain", code.group()] },
    })
}

/// Whether `location` is a gate report or review file the run read: gate checks name their
/// report by location (as a flag-kind reference), and SARIF should point at that file.
fn is_gate_file(report: &Report, location: &str) -> bool {
    report.gates.iter().any(|g| g.evidence == location)
        || report.inputs.iter().any(|f| {
            matches!(f.role, InputRole::GateReport | InputRole::Review) && f.location == location
        })
}

fn result(c: &Check, rule_index: usize, report: &Report) -> Value {
    let mut locations: Vec<Value> = Vec::new();
    for e in &c.evidence {
        // A gate report named as flag evidence is the file that failed: point at it.
        let gate_file;
        let e = if e.kind == EvidenceKind::Flag && is_gate_file(report, &e.location) {
            gate_file = EvidenceRef::new(EvidenceKind::Artifact, e.location.clone());
            &gate_file
        } else {
            e
        };
        if let Some(uri) = artifact_uri(e) {
            let loc = json!({ "physicalLocation": { "artifactLocation": { "uri": uri } } });
            if !locations.contains(&loc) {
                locations.push(loc);
            }
        }
    }
    // A failure about flags or registry evidence still points at the file that was verified.
    if locations.is_empty() && report.subject.kind == SubjectKind::File {
        if let Some(uri) = report
            .subject
            .name
            .as_ref()
            .and_then(|n| artifact_uri(&EvidenceRef::file(n.clone())))
        {
            locations.push(json!({ "physicalLocation": { "artifactLocation": { "uri": uri } } }));
        }
    }
    let level = if c.outcome == Outcome::Fail {
        "error"
    } else {
        "warning"
    };
    // SARIF requires a non-empty message.
    let text = if c.reason.is_empty() {
        c.code.as_str().to_owned()
    } else {
        sarif_text(&c.reason)
    };
    let mut r = json!({
        "ruleId": c.code.as_str(),
        "ruleIndex": rule_index,
        "level": level,
        "message": { "text": text },
        "properties": { "outcome": c.outcome.as_str(), "evidence": c.evidence },
    });
    if !locations.is_empty() {
        r["locations"] = Value::Array(locations);
    }
    r
}

/// The SARIF log as a JSON value.
pub fn sarif(report: &Report) -> Value {
    let shown: Vec<&Check> = report
        .checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Fail | Outcome::Warn))
        .collect();
    let mut index: BTreeMap<CheckCode, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for c in &shown {
        if let std::collections::btree_map::Entry::Vacant(e) = index.entry(c.code) {
            e.insert(rules.len());
            rules.push(rule(c.code));
        }
    }
    let results: Vec<Value> = shown
        .iter()
        .map(|c| result(c, index[&c.code], report))
        .collect();
    let subject: Vec<String> = report
        .subject
        .digests
        .iter()
        .map(ToString::to_string)
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": sarif_text(&report.tool.name),
                "version": sarif_text(&report.tool.version),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "endTimeUtc": report.evaluated_at,
            }],
            "results": results,
            "properties": {
                "verdict": report.verdict.as_str(),
                "command": report.command,
                "subject": report.subject.name,
                "subjectDigests": subject,
                "checks": report.checks.len(),
            },
        }],
    })
}

/// Write `report` as a SARIF 2.1.0 log.
pub fn render(report: &Report, w: &mut impl Write) -> io::Result<()> {
    write_json_pretty(w, &sarif(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        let f = |k, l: &str| artifact_uri(&EvidenceRef::new(k, l));
        assert_eq!(
            f(EvidenceKind::SigstoreBundle, "a b/c.json#/x").as_deref(),
            Some("a%20b/c.json")
        );
        assert_eq!(
            f(EvidenceKind::Artifact, "/tmp/x").as_deref(),
            Some("file:///tmp/x")
        );
        assert_eq!(f(EvidenceKind::Flag, "--commit"), None);
        assert_eq!(f(EvidenceKind::TrustedRoot, "embedded:public-good"), None);
        assert_eq!(f(EvidenceKind::Sbom, "https://x/y"), None);
    }
}
