//! in-toto test-result predicates (`https://in-toto.io/attestation/test-result/v0.1`), bare or
//! inside a Statement, whose subjects then say what was tested.

use crate::limits::LimitExceeded;
use serde_json::{Map, Value};

use crate::gate::{
    is_commit, Finding, GateError, GateKind, GateReport, Scanned, Severity, MAX_FINDINGS,
};

const FORMAT: &str = "in-toto-test-result";
const PREDICATE_TYPE: &str = "https://in-toto.io/attestation/test-result/";
const TEST_LISTS: [&str; 3] = ["passedTests", "warnedTests", "failedTests"];

fn field(at: impl Into<String>, what: impl Into<String>) -> GateError {
    GateError::Field {
        format: FORMAT,
        at: at.into(),
        what: what.into(),
    }
}

pub(super) fn detect(v: &Value) -> Option<Result<Vec<GateReport>, GateError>> {
    let obj = v.as_object()?;
    if let Some(pt) = obj.get("predicateType").and_then(Value::as_str) {
        if !pt.starts_with(PREDICATE_TYPE) {
            return None;
        }
        return Some(statement(obj).map(|r| vec![r]));
    }
    let has = |k: &str| obj.contains_key(k);
    if has("result") && (has("configuration") || TEST_LISTS.iter().any(|k| has(k))) {
        return Some(predicate(obj, "", Vec::new()).map(|r| vec![r]));
    }
    None
}

fn statement(obj: &Map<String, Value>) -> Result<GateReport, GateError> {
    match obj.get("_type").and_then(Value::as_str) {
        Some(t) if t.starts_with("https://in-toto.io/Statement/") => {}
        _ => return Err(field("/_type", "not an in-toto Statement type")),
    }
    let Some(subjects) = obj.get("subject").and_then(Value::as_array) else {
        return Err(field("/subject", "missing or not an array"));
    };
    let mut scanned = Vec::new();
    for (i, s) in subjects.iter().enumerate() {
        if let Some(one) = subject(s, &format!("/subject/{i}"))? {
            if !scanned.contains(&one) {
                scanned.push(one);
            }
        }
    }
    let Some(p) = obj.get("predicate").and_then(Value::as_object) else {
        return Err(field("/predicate", "missing or not an object"));
    };
    predicate(p, "/predicate", scanned)
}

/// A subject: its git commit, else its sha256 digest, else its name.
fn subject(s: &Value, at: &str) -> Result<Option<Scanned>, GateError> {
    let name = s
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let digest = s.get("digest").and_then(Value::as_object);
    if let Some(c) = digest.and_then(|d| d.get("gitCommit")) {
        return match c.as_str() {
            Some(c) if is_commit(c) => Ok(Some(Scanned::Commit {
                sha: c.to_ascii_lowercase(),
                repository: None,
            })),
            _ => Err(field(
                format!("{at}/digest/gitCommit"),
                "not a full commit id",
            )),
        };
    }
    if let Some(h) = digest.and_then(|d| d.get("sha256")) {
        return match h.as_str() {
            Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Ok(Some(Scanned::Digest {
                    digest: format!("sha256:{}", h.to_ascii_lowercase()),
                    name,
                }))
            }
            _ => Err(field(format!("{at}/digest/sha256"), "not 64 hex digits")),
        };
    }
    Ok(name.map(|name| Scanned::Named { name }))
}

fn predicate(
    p: &Map<String, Value>,
    at: &str,
    scanned: Vec<Scanned>,
) -> Result<GateReport, GateError> {
    let result = match p.get("result").and_then(Value::as_str) {
        Some(r @ ("PASSED" | "WARNED" | "FAILED")) => r,
        _ => {
            return Err(field(
                format!("{at}/result"),
                "not one of PASSED, WARNED, FAILED",
            ))
        }
    };
    let mut lists = [&[][..], &[][..], &[][..]];
    let mut count = 0usize;
    for (slot, key) in lists.iter_mut().zip(TEST_LISTS) {
        *slot = match p.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(l)) => l,
            Some(_) => return Err(field(format!("{at}/{key}"), "not an array")),
        };
        count += slot.len();
    }
    if count > MAX_FINDINGS {
        return Err(GateError::Limit(LimitExceeded::Count {
            format: None,
            items: "tests in one report",
            limit: MAX_FINDINGS,
        }));
    }
    let [passed, warned, failed] = lists;
    for (list, key) in [
        (passed, "passedTests"),
        (warned, "warnedTests"),
        (failed, "failedTests"),
    ] {
        if let Some(i) = list.iter().position(|t| !t.is_string()) {
            return Err(field(format!("{at}/{key}/{i}"), "not a string"));
        }
    }
    let test = |t: &Value, severity, what: &str| Finding {
        id: t.as_str().unwrap_or_default().to_owned(),
        severity,
        cvss: None,
        location: None,
        title: Some(format!("test {what}")),
        suppressed: false,
        fingerprints: Vec::new(),
    };
    let findings = failed
        .iter()
        .map(|t| test(t, Severity::High, "failed"))
        .chain(warned.iter().map(|t| test(t, Severity::Medium, "warned")))
        .collect();
    let configuration = match p.get("configuration") {
        None | Some(Value::Null) => None,
        Some(Value::Array(c)) => c.first(),
        Some(_) => return Err(field(format!("{at}/configuration"), "not an array")),
    };
    let workflow = configuration.and_then(|c| {
        ["name", "uri", "downloadLocation"]
            .iter()
            .find_map(|k| c.get(*k).and_then(Value::as_str))
            .map(str::to_owned)
    });
    Ok(GateReport {
        kind: GateKind::Dast,
        format: FORMAT,
        tool: "in-toto test-result".into(),
        tool_version: None,
        scanned,
        started: None,
        finished: None,
        succeeded: Some(result == "PASSED"),
        workflow,
        findings,
        findings_complete: true,
        deviations: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statements_and_bare_predicates() {
        let st = json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [
                {"digest": {"gitCommit": "D20ACE7968BA43C0219F62D71334C1095BAB1602"}},
                {"name": "app", "digest": {"sha256": "ab".repeat(32)}},
                {"name": "thing", "digest": {"sha512": "00"}}
            ],
            "predicateType": "https://in-toto.io/attestation/test-result/v0.1",
            "predicate": {"result": "FAILED", "configuration": [{"name": "ci.yml"}],
                          "passedTests": ["a"], "warnedTests": ["b"], "failedTests": ["c", "d"]}
        });
        let r = detect(&st).unwrap().unwrap().remove(0);
        assert_eq!(r.succeeded, Some(false));
        assert_eq!(r.workflow.as_deref(), Some("ci.yml"));
        assert_eq!(r.scanned.len(), 3);
        assert!(matches!(&r.scanned[0], Scanned::Commit { sha, .. } if sha.starts_with("d20a")));
        let sev: Vec<Severity> = r.findings.iter().map(|f| f.severity).collect();
        assert_eq!(sev, [Severity::High, Severity::High, Severity::Medium]);
        let bare = detect(&st["predicate"]).unwrap().unwrap().remove(0);
        assert!(bare.scanned.is_empty());
        assert_eq!(bare.findings, r.findings);

        let mut bad = st.clone();
        bad["predicate"]["result"] = json!("OK");
        assert!(matches!(detect(&bad), Some(Err(GateError::Field { .. }))));
        let mut bad = st.clone();
        bad["subject"][0]["digest"]["gitCommit"] = json!("d20ace7");
        assert!(matches!(detect(&bad), Some(Err(GateError::Field { .. }))));
        let mut bad = st.clone();
        bad["predicate"]["failedTests"] = json!([1]);
        assert!(matches!(detect(&bad), Some(Err(GateError::Field { .. }))));
        let mut other = st;
        other["predicateType"] = json!("https://slsa.dev/provenance/v1");
        assert!(detect(&other).is_none());
    }
}
