//! Vulnerability predicates: in-toto's (`https://in-toto.io/attestation/vulns`, v0.1 and v0.2:
//! `scanner{uri, version, db, result[]{id, severity[]{method, score}}}`, `metadata`) and
//! cosign's (`https://cosign.sigstore.dev/attestation/vuln/v1`: the same shape, with
//! `scanner.result` the scanner's own report), bare or in an in-toto Statement whose subjects
//! say what was scanned.

use crate::limits::LimitExceeded;
use serde_json::Value;

use super::{cvss3_base_score, detect_tool_report, max_score, ptr, Reader};
use crate::gate::{is_commit, Finding, GateError, GateReport, Scanned, Severity};
use crate::limits::MAX_STATEMENT_SUBJECTS;

/// Predicate types read here.
const PREDICATE_TYPES: &[&str] = &[
    "https://in-toto.io/attestation/vulns/v0.1",
    "https://in-toto.io/attestation/vulns/v0.2",
    "https://in-toto.io/attestation/vulns",
    "https://cosign.sigstore.dev/attestation/vuln/v1",
];

/// The keys of a bare predicate.
const PREDICATE_KEYS: &[&str] = &["invocation", "scanner", "metadata"];

const FORMAT: &str = "in-toto-vulns";

pub(super) fn detect(v: &Value) -> Option<Result<GateReport, GateError>> {
    let o = v.as_object()?;
    if o.get("_type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.starts_with("https://in-toto.io/Statement/"))
    {
        let pt = o.get("predicateType").and_then(Value::as_str)?;
        return PREDICATE_TYPES.contains(&pt).then(|| statement(v));
    }
    let bare = o.get("scanner").is_some_and(|s| s.get("result").is_some())
        && o.keys().all(|k| PREDICATE_KEYS.contains(&k.as_str()));
    bare.then(|| predicate(v, "", Vec::new()))
}

fn statement(v: &Value) -> Result<GateReport, GateError> {
    let r = Reader::new(FORMAT, "unknown");
    let subjects = r.arr(v, "subject", "")?;
    if subjects.len() > MAX_STATEMENT_SUBJECTS {
        return Err(GateError::Limit(LimitExceeded::Count {
            format: Some(FORMAT),
            items: "subjects",
            limit: MAX_STATEMENT_SUBJECTS,
        }));
    }
    let mut scanned = Vec::new();
    for (i, s) in subjects.iter().enumerate() {
        subject(&r, s, &format!("/subject/{i}"), &mut scanned)?;
    }
    let p = r.req_obj(v, "predicate", "")?;
    predicate(p, "/predicate", scanned)
}

/// A subject: `gitCommit` binds a commit (the subject's name as the repository), a SHA-2
/// digest an artifact; other digest algorithms bind nothing here.
fn subject(r: &Reader, s: &Value, at: &str, out: &mut Vec<Scanned>) -> Result<(), GateError> {
    let name = r.str(s, "name", at)?.filter(|n| !n.is_empty());
    let dat = ptr(at, "digest");
    let digests = r.req_obj(s, "digest", at)?;
    for (alg, hex) in digests.as_object().into_iter().flatten() {
        let hat = ptr(&dat, alg);
        let hex = hex.as_str().ok_or_else(|| r.err(&hat, "not a string"))?;
        let item = match alg.as_str() {
            "gitCommit" => {
                if !is_commit(hex) {
                    return Err(r.err(hat, format!("not a full commit id: {hex:?}")));
                }
                Scanned::Commit {
                    sha: hex.to_ascii_lowercase(),
                    repository: name.map(str::to_owned),
                }
            }
            "sha256" | "sha384" | "sha512" => Scanned::Digest {
                digest: r.digest(&format!("{alg}:{hex}"), &hat)?,
                name: name.map(str::to_owned),
            },
            _ => continue,
        };
        out.push(item);
    }
    Ok(())
}

fn predicate(p: &Value, at: &str, subjects: Vec<Scanned>) -> Result<GateReport, GateError> {
    let mut r = Reader::new(FORMAT, "unknown");
    let sat = ptr(at, "scanner");
    let scanner = r.req_obj(p, "scanner", at)?;
    let uri = r.str(scanner, "uri", &sat)?.unwrap_or_default();
    let version = r
        .str(scanner, "version", &sat)?
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let rat = ptr(&sat, "result");
    match scanner.get("result") {
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let f = result_item(&r, item, &format!("{rat}/{i}"))?;
                r.finding(f)?;
            }
            r.report.tool = tool_name(uri).unwrap_or_else(|| "unknown".to_owned());
        }
        // cosign: the scanner's own report.
        Some(raw @ Value::Object(_)) => {
            let inner =
                match detect_tool_report(raw) {
                    Some(Ok(inner)) => inner,
                    Some(Err(e)) => return Err(nest(e, &rat)),
                    None => return Err(r.err(
                        rat,
                        "not a report provenant reads (grype, trivy, osv-scanner, cargo-audit, \
                         npm audit, dependency-check)",
                    )),
                };
            r.report.tool = inner.tool;
            r.report.tool_version = inner.tool_version;
            r.report.scanned = inner.scanned;
            r.report.started = inner.started;
            r.report.finished = inner.finished;
            r.report.findings = inner.findings;
            for d in inner.deviations {
                r.deviate(format!("{rat}{}", d.at), d.what);
            }
        }
        _ => return Err(r.err(rat, "missing, or neither a list nor a report")),
    }
    if version.is_some() {
        r.report.tool_version = version;
    }
    // The subjects come first: they are what the attestation is about.
    let inner = std::mem::take(&mut r.report.scanned);
    for s in subjects.into_iter().chain(inner) {
        r.scanned(s);
    }
    if let Some(m) = r.obj(p, "metadata", at)? {
        let mat = ptr(at, "metadata");
        for (key, started) in [("scanStartedOn", true), ("scanFinishedOn", false)] {
            let s = r.str(m, key, &mat)?;
            if let Some(t) = r.time(&ptr(&mat, key), s) {
                if started {
                    r.report.started = Some(t);
                } else {
                    r.report.finished = Some(t);
                }
            }
        }
    }
    Ok(r.finish())
}

/// One `result[]` entry: `{id, severity[]}` (v0.2, and the v0.1 example) or
/// `{vulnerability: {id, severity[]}}` (v0.1 field list). Each severity's score is a CVSS score,
/// a CVSS v3 vector or a word (`method`, `type` name the scheme); the highest wins.
fn result_item(r: &Reader, item: &Value, at: &str) -> Result<Finding, GateError> {
    let (x, at) = match r.obj(item, "vulnerability", at)? {
        Some(v) => (v, ptr(at, "vulnerability")),
        None => (item, at.to_owned()),
    };
    let id = r.req_str(x, "id", &at)?;
    let (mut severity, mut cvss) = (Severity::Unknown, None);
    for (i, s) in r.arr(x, "severity", &at)?.iter().enumerate() {
        let sat = format!("{at}/severity/{i}");
        let score = match s.get("score") {
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(r.err(ptr(&sat, "score"), "missing, or not a string")),
        };
        let number = score
            .parse::<f64>()
            .ok()
            .or_else(|| cvss3_base_score(&score));
        let s = match number {
            Some(n) if (0.0..=10.0).contains(&n) => {
                if n > 0.0 {
                    cvss = max_score(cvss, Some(n));
                }
                Severity::from_cvss(n)
            }
            Some(_) => {
                return Err(r.err(ptr(&sat, "score"), format!("{score} is not a CVSS score")))
            }
            None => Severity::from_word(&score),
        };
        severity = severity.max(s);
    }
    Ok(Finding {
        id: id.to_owned(),
        severity,
        cvss,
        location: None,
        title: None,
        suppressed: false,
        fingerprints: Vec::new(),
    })
}

/// The scanner's name from its URI: `pkg:github/aquasecurity/trivy@v0.19.2` and
/// `https://github.com/aquasecurity/trivy` are `trivy`.
fn tool_name(uri: &str) -> Option<String> {
    if uri.starts_with("pkg:") {
        return crate::purl::parse_purl(uri).ok().map(|p| p.name);
    }
    let uri = uri.split(['?', '#']).next().unwrap_or_default();
    uri.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// An error in an embedded report, pointed at from the predicate.
fn nest(e: GateError, prefix: &str) -> GateError {
    match e {
        GateError::Field { format, at, what } => GateError::Field {
            format,
            at: format!("{prefix}{at}"),
            what,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::tool_name;

    #[test]
    fn tool_names_from_uris() {
        assert_eq!(
            tool_name("pkg:github/aquasecurity/trivy@244fd47e07d1004f0aed9"),
            Some("trivy".into())
        );
        assert_eq!(
            tool_name("https://github.com/anchore/grype/"),
            Some("grype".into())
        );
        assert_eq!(
            tool_name("https://github.com/anchore/grype?x=1"),
            Some("grype".into())
        );
        assert_eq!(tool_name("grype"), Some("grype".into()));
        assert_eq!(tool_name(""), None);
        assert_eq!(tool_name("pkg:@"), None);
    }
}
