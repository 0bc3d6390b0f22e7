//! GitHub code scanning analyses as the REST API returns them
//! (`GET /repos/{owner}/{repo}/code-scanning/analyses[/{id}]`): one object, or a list of them.
//!
//! An analysis records the commit, the tool, when it was uploaded and whether processing failed,
//! but only a count of its results: the findings themselves are in the SARIF the API serves for
//! the same analysis (`Accept: application/sarif+json`). A report read from an analysis therefore
//! carries no findings and says so in a deviation.

use serde_json::Value;

use super::super::{is_commit, Deviation, GateError, GateKind, GateReport, Scanned};

const FORMAT: &str = "github-code-scanning";

/// `Some` for an analysis or a non-empty list of analyses.
pub(super) fn detect(v: &Value) -> Option<Result<Vec<GateReport>, GateError>> {
    match v {
        Value::Object(_) if looks_like(v) => Some(analysis(v, "").map(|r| vec![r])),
        Value::Array(list) if !list.is_empty() && list.iter().all(looks_like) => Some(
            list.iter()
                .enumerate()
                .map(|(i, a)| analysis(a, &format!("/{i}")))
                .collect(),
        ),
        _ => None,
    }
}

fn looks_like(v: &Value) -> bool {
    v.get("commit_sha").is_some()
        && v.get("tool").is_some_and(Value::is_object)
        && ["results_count", "analysis_key", "sarif_id"]
            .iter()
            .any(|k| v.get(k).is_some())
}

fn field(at: String, what: impl Into<String>) -> GateError {
    GateError::Field {
        format: FORMAT,
        at,
        what: what.into(),
    }
}

fn analysis(v: &Value, at: &str) -> Result<GateReport, GateError> {
    let sha = match v.get("commit_sha") {
        Some(Value::String(s)) if is_commit(s) => s.to_ascii_lowercase(),
        Some(Value::String(s)) => {
            return Err(field(
                format!("{at}/commit_sha"),
                format!("{s:?} is not a full commit id"),
            ))
        }
        _ => return Err(field(format!("{at}/commit_sha"), "not a string")),
    };
    let tool = match v.pointer("/tool/name") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(field(format!("{at}/tool/name"), "missing or not a string")),
    };
    let tool_version = v
        .pointer("/tool/version")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut deviations = Vec::new();
    let succeeded = match v.get("error") {
        Some(Value::String(e)) => Some(e.trim().is_empty()),
        None | Some(Value::Null) => None,
        Some(_) => {
            deviations.push(Deviation {
                at: format!("{at}/error"),
                what: "not a string: whether the analysis succeeded is not known".into(),
            });
            None
        }
    };
    if let Some(w) = v
        .get("warning")
        .and_then(Value::as_str)
        .filter(|w| !w.is_empty())
    {
        deviations.push(Deviation {
            at: format!("{at}/warning"),
            what: format!("the analysis carries a warning: {w}"),
        });
    }
    let count = v.get("results_count").and_then(Value::as_u64);
    if count != Some(0) {
        deviations.push(Deviation {
            at: format!("{at}/results_count"),
            what: format!(
                "{} result(s), not listed: an analysis holds only a count; read the analysis as \
                 SARIF for its findings",
                count.map_or_else(|| "an unknown number of".into(), |n| n.to_string())
            ),
        });
    }
    Ok(GateReport {
        // By the tool, as for a SARIF log: trivy uploaded to code scanning is still SCA.
        kind: crate::gate::tools::known_tool(&tool).map_or(GateKind::Sast, |t| t.kind),
        format: FORMAT,
        tool,
        tool_version,
        scanned: vec![Scanned::Commit {
            sha,
            repository: None,
        }],
        started: None,
        finished: v
            .get("created_at")
            .and_then(Value::as_str)
            .map(str::to_owned),
        succeeded,
        workflow: None,
        findings: Vec::new(),
        findings_complete: count == Some(0),
        deviations,
    })
}
