//! Software composition analysis reports: grype, trivy, osv-scanner, cargo-audit, npm audit and
//! OWASP dependency-check JSON, and in-toto / cosign vulnerability predicates.
//!
//! Formats are recognised by their content (the keys each tool writes), never by file name.
//! What the checks rely on is read strictly: finding ids and severities, the digest or commit
//! that was scanned, timestamps. Anything a tool may leave out is optional; a tolerated oddity
//! is recorded as a [`Deviation`].

mod cargo_audit;
mod cvss;
mod dependency_check;
mod grype;
mod intoto;
mod npm_audit;
mod osv;
mod trivy;

use crate::limits::LimitExceeded;
use serde_json::Value;

use super::{Deviation, Finding, GateError, GateKind, GateReport, Scanned, Severity, MAX_FINDINGS};

pub use cvss::cvss3_base_score;

/// `Some` when `v` is one of this module's formats.
pub fn detect(v: &Value) -> Option<Result<Vec<GateReport>, GateError>> {
    if let Some(r) = intoto::detect(v) {
        return Some(r.map(|r| vec![r]));
    }
    detect_tool_report(v).map(|r| r.map(|r| vec![r]))
}

/// A scanner's own JSON report (not a predicate wrapping one).
fn detect_tool_report(v: &Value) -> Option<Result<GateReport, GateError>> {
    grype::detect(v)
        .or_else(|| trivy::detect(v))
        .or_else(|| osv::detect(v))
        .or_else(|| cargo_audit::detect(v))
        .or_else(|| npm_audit::detect(v))
        .or_else(|| dependency_check::detect(v))
}

/// Reading one document of one format: builds field errors and the report.
struct Reader {
    format: &'static str,
    report: GateReport,
    /// [`MAX_FINDINGS`]; lower in tests.
    max_findings: usize,
}

impl Reader {
    fn new(format: &'static str, tool: &str) -> Self {
        Self {
            format,
            report: GateReport {
                kind: GateKind::Sca,
                format,
                tool: tool.to_owned(),
                tool_version: None,
                scanned: Vec::new(),
                started: None,
                finished: None,
                succeeded: None,
                workflow: None,
                findings: Vec::new(),
                findings_complete: true,
                deviations: Vec::new(),
            },
            max_findings: MAX_FINDINGS,
        }
    }

    /// A field error at JSON pointer `at`.
    fn err(&self, at: impl Into<String>, what: impl Into<String>) -> GateError {
        GateError::Field {
            format: self.format,
            at: at.into(),
            what: what.into(),
        }
    }

    fn deviate(&mut self, at: impl Into<String>, what: impl Into<String>) {
        self.report.deviations.push(Deviation {
            at: at.into(),
            what: what.into(),
        });
    }

    /// Adds a finding; over [`MAX_FINDINGS`] is an error, never a silent truncation.
    fn finding(&mut self, f: Finding) -> Result<(), GateError> {
        if self.report.findings.len() >= self.max_findings {
            return Err(GateError::Limit(LimitExceeded::Count {
                format: Some(self.format),
                items: "findings",
                limit: self.max_findings,
            }));
        }
        self.report.findings.push(f);
        Ok(())
    }

    /// Adds what was scanned unless already listed (a digest or commit under another name
    /// counts as listed).
    fn scanned(&mut self, s: Scanned) {
        let listed = self.report.scanned.iter().any(|t| match (t, &s) {
            (Scanned::Digest { digest: a, .. }, Scanned::Digest { digest: b, .. })
            | (
                Scanned::ImageReference { digest: a, .. },
                Scanned::ImageReference { digest: b, .. },
            )
            | (Scanned::ImageConfig { digest: a, .. }, Scanned::ImageConfig { digest: b, .. }) => {
                a == b
            }
            (Scanned::Commit { sha: a, .. }, Scanned::Commit { sha: b, .. }) => a == b,
            (t, s) => t == s,
        });
        if !listed {
            self.report.scanned.push(s);
        }
    }

    /// An RFC 3339 timestamp as recorded; anything else is a deviation and reads as absent, so
    /// a freshness check cannot be satisfied by a time it cannot read. Go's zero time (year 1)
    /// is how Go tools write "not set".
    fn time(&mut self, at: &str, s: Option<&str>) -> Option<String> {
        let s = s.filter(|s| !s.is_empty() && !s.starts_with("0001-01-01"))?;
        if super::is_rfc3339(s) {
            Some(s.to_owned())
        } else {
            self.deviate(at, format!("not an RFC 3339 time: {s:?}"));
            None
        }
    }

    /// `v[key]` as a string: `None` when absent or null, an error for any other type.
    fn str<'a>(&self, v: &'a Value, key: &str, at: &str) -> Result<Option<&'a str>, GateError> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.err(ptr(at, key), "not a string")),
        }
    }

    /// `v[key]` as a string that must be there.
    fn req_str<'a>(&self, v: &'a Value, key: &str, at: &str) -> Result<&'a str, GateError> {
        self.str(v, key, at)?
            .ok_or_else(|| self.err(ptr(at, key), "missing"))
    }

    /// `v[key]` as an array: empty when absent or null, an error for any other type.
    fn arr<'a>(&self, v: &'a Value, key: &str, at: &str) -> Result<&'a [Value], GateError> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(self.err(ptr(at, key), "not an array")),
        }
    }

    /// `v[key]` if it is an object: `None` when absent or null, an error for any other type.
    fn obj<'a>(&self, v: &'a Value, key: &str, at: &str) -> Result<Option<&'a Value>, GateError> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(o @ Value::Object(_)) => Ok(Some(o)),
            Some(_) => Err(self.err(ptr(at, key), "not an object")),
        }
    }

    /// `v[key]`, an object that must be there.
    fn req_obj<'a>(&self, v: &'a Value, key: &str, at: &str) -> Result<&'a Value, GateError> {
        self.obj(v, key, at)?
            .ok_or_else(|| self.err(ptr(at, key), "missing"))
    }

    /// `v[key]`, a list of repo digests (`name@sha256:hex`), each a reference to what was
    /// scanned.
    fn repo_digests(&mut self, v: &Value, key: &str, at: &str) -> Result<(), GateError> {
        for (i, rd) in self.arr(v, key, at)?.iter().enumerate() {
            let rat = format!("{}/{i}", ptr(at, key));
            let rd = rd.as_str().ok_or_else(|| self.err(&rat, "not a string"))?;
            let (name, digest) = repo_digest(rd)
                .ok_or_else(|| self.err(&rat, format!("not name@alg:hex: {rd:?}")))?;
            self.scanned(Scanned::ImageReference {
                digest,
                name: Some(name.to_owned()),
            });
        }
        Ok(())
    }

    /// A digest the checks bind to: `alg:hex`, well formed, or an error.
    fn digest(&self, s: &str, at: &str) -> Result<String, GateError> {
        parse_digest(s).ok_or_else(|| self.err(at, format!("not an alg:hex digest: {s:?}")))
    }

    /// `v[key]` as a CVSS base score (0 to 10): `None` when absent, null or 0 (tools write 0
    /// for "no score"), an error for anything else.
    fn score(&self, v: &Value, key: &str, at: &str) -> Result<Option<f64>, GateError> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(s) if (0.0..=10.0).contains(&s) => Ok(Some(s).filter(|s| *s > 0.0)),
                _ => Err(self.err(ptr(at, key), format!("{n} is not a CVSS score"))),
            },
            Some(_) => Err(self.err(ptr(at, key), "not a number")),
        }
    }

    fn finish(self) -> GateReport {
        self.report
    }
}

/// `at/key` as a JSON pointer (`~` and `/` escaped).
fn ptr(at: &str, key: &str) -> String {
    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// The larger of two optional scores.
fn max_score(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// The tool's severity word, else the CVSS band, else unknown.
fn severity(word: Option<&str>, cvss: Option<f64>) -> Severity {
    match word.map(Severity::from_word) {
        Some(s) if s != Severity::Unknown => s,
        _ => cvss.map_or(Severity::Unknown, Severity::from_cvss),
    }
}

/// `alg:hex` with a known algorithm and the right length, lowercased; `None` otherwise.
fn parse_digest(s: &str) -> Option<String> {
    let (alg, hex) = s.split_once(':')?;
    let alg = alg.to_ascii_lowercase();
    let len = match alg.as_str() {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return None,
    };
    (hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("{alg}:{}", hex.to_ascii_lowercase()))
}

/// `name@sha256:hex` (a repo digest or a pinned image reference) as (name, digest).
fn repo_digest(s: &str) -> Option<(&str, String)> {
    let (name, d) = s.rsplit_once('@')?;
    Some((name, parse_digest(d)?))
}

#[cfg(test)]
mod documents;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_over_the_limit_are_an_error() {
        let mut r = Reader::new("grype", "grype");
        r.max_findings = 2;
        let f = Finding {
            id: "CVE-1".into(),
            severity: Severity::Low,
            cvss: None,
            location: None,
            title: None,
            suppressed: false,
            fingerprints: Vec::new(),
        };
        r.finding(f.clone()).unwrap();
        r.finding(f.clone()).unwrap();
        assert!(matches!(r.finding(f), Err(GateError::Limit(_))));
    }

    #[test]
    fn digests_are_read_from_repo_digests() {
        let hex = "3c9afb4f188827ea1062ec3b8acea32893236a0d7df31e0498df93486cff0978";
        assert_eq!(
            repo_digest(&format!("cgr.dev/chainguard/ruby@sha256:{hex}")),
            Some(("cgr.dev/chainguard/ruby", format!("sha256:{hex}")))
        );
        assert_eq!(
            repo_digest(&format!("localhost:5000/a/b@SHA256:{}", hex.to_uppercase())),
            Some(("localhost:5000/a/b", format!("sha256:{hex}")))
        );
        for bad in [
            "alpine:3.10",
            "alpine@sha256:abc",
            "alpine@md5:d41d8cd98f00b204e9800998ecf8427e",
            &format!("alpine@sha256:{hex}0"),
            &format!("alpine@sha256:{}", hex.replace('3', "g")),
            "@",
            "",
        ] {
            assert_eq!(repo_digest(bad), None, "{bad}");
        }
    }

    #[test]
    fn rfc3339_times() {
        for ok in [
            "2021-08-25T12:20:30.000000005Z",
            "2023-05-25T12:49:01-04:00",
            "2023-05-25t12:49:01z",
            "2023-05-25T12:49:01.1+00:00",
        ] {
            assert!(crate::gate::is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "",
            "2021-08-25",
            "2021-08-25 12:20:30Z",
            "2021-08-25T12:20:30",
            "2021-08-25T12:20:30.Z",
            "2021-08-25T12:20:30+0200",
            "0001-01-01T00:00:00Zjunk",
            "２021-08-25T12:20:30Z",
        ] {
            assert!(!crate::gate::is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn severity_prefers_the_tools_word() {
        assert_eq!(severity(Some("Low"), Some(9.8)), Severity::Low);
        assert_eq!(severity(Some("UNKNOWN"), Some(9.8)), Severity::Critical);
        assert_eq!(severity(None, Some(5.0)), Severity::Medium);
        assert_eq!(severity(Some("weird"), None), Severity::Unknown);
    }

    #[test]
    fn unknown_json_is_not_sca() {
        for v in [
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!(null),
            serde_json::json!("matches"),
            serde_json::json!({"version": "2.1.0", "runs": []}),
            serde_json::json!({"matches": []}),
            serde_json::json!({"results": [{"foo": 1}]}),
            serde_json::json!({"results": [], "other": 1}),
            serde_json::json!([{"Source": {}}]),
            serde_json::json!({"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://slsa.dev/provenance/v1", "predicate": {}}),
            serde_json::json!({"@programName": "ZAP", "site": []}),
        ] {
            assert!(detect(&v).is_none(), "{v}");
        }
    }
}
