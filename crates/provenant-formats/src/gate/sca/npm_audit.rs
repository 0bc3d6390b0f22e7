//! npm audit JSON (`npm audit --json`): report version 2 (npm 7 and later,
//! `vulnerabilities{<package>: {severity, via[], range, fixAvailable}}`) and the npm 6 form
//! (`advisories{<id>: {...}}`).
//!
//! Version 2 gives one finding per vulnerable package, as npm counts them in
//! `metadata.vulnerabilities`; its id is the package's own advisories (GitHub advisory ids), or
//! `via:<packages>` when it is vulnerable only through its dependencies.

use serde_json::Value;

use super::{max_score, ptr, severity, Reader};
use crate::gate::{Finding, GateError, GateReport};

pub(super) fn detect(v: &Value) -> Option<Result<GateReport, GateError>> {
    let o = v.as_object()?;
    if o.contains_key("auditReportVersion") {
        return Some(parse_v2(v));
    }
    (o.get("advisories").is_some_and(Value::is_object)
        && o.get("metadata").is_some_and(Value::is_object))
    .then(|| parse_v1(v))
}

fn parse_v2(v: &Value) -> Result<GateReport, GateError> {
    let mut r = Reader::new("npm-audit", "npm-audit");
    match v["auditReportVersion"].as_u64() {
        Some(2) => {}
        Some(n) => r.deviate("/auditReportVersion", format!("version {n}, read as 2")),
        None => return Err(r.err("/auditReportVersion", "not a number")),
    }
    let vulns = r.req_obj(v, "vulnerabilities", "")?;
    for (name, entry) in vulns.as_object().into_iter().flatten() {
        let at = ptr("/vulnerabilities", name);
        let f = package(&r, name, entry, &at)?;
        r.finding(f)?;
    }
    total_matches(&mut r, v);
    Ok(r.finish())
}

fn package(r: &Reader, name: &str, entry: &Value, at: &str) -> Result<Finding, GateError> {
    if !entry.is_object() {
        return Err(r.err(at, "not an object"));
    }
    let word = r.req_str(entry, "severity", at)?;
    let (mut ids, mut through, mut titles, mut cvss) = (Vec::new(), Vec::new(), Vec::new(), None);
    for (i, via) in r.arr(entry, "via", at)?.iter().enumerate() {
        let vat = format!("{at}/via/{i}");
        match via {
            Value::String(dep) => through.push(dep.as_str()),
            Value::Object(_) => {
                let id = advisory_id(r, via, &vat)?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
                if let Some(t) = r.str(via, "title", &vat)? {
                    titles.push(t);
                }
                if let Some(c) = r.obj(via, "cvss", &vat)? {
                    cvss = max_score(cvss, r.score(c, "score", &ptr(&vat, "cvss"))?);
                }
            }
            _ => return Err(r.err(vat, "neither a package name nor an advisory")),
        }
    }
    let (id, title) = if ids.is_empty() {
        if through.is_empty() {
            return Err(r.err(ptr(at, "via"), "names no advisory and no dependency"));
        }
        (
            format!("via:{}", through.join(",")),
            format!("vulnerable through {}", through.join(", ")),
        )
    } else {
        (ids.join(","), titles.join("; "))
    };
    let location = match r.str(entry, "range", at)?.filter(|s| !s.is_empty()) {
        Some(range) => format!("{name}@{range}"),
        None => name.to_owned(),
    };
    Ok(Finding {
        id,
        severity: severity(Some(word), cvss),
        cvss,
        location: Some(location),
        title: Some(title).filter(|t| !t.is_empty()),
        suppressed: false,
        fingerprints: Vec::new(),
    })
}

/// The GitHub advisory id from the advisory URL, else npm's numeric advisory id.
fn advisory_id(r: &Reader, x: &Value, at: &str) -> Result<String, GateError> {
    if let Some(ghsa) = r
        .str(x, "url", at)?
        .and_then(|u| u.rsplit('/').next())
        .filter(|s| s.starts_with("GHSA-"))
    {
        return Ok(ghsa.to_owned());
    }
    match x.get("source").or_else(|| x.get("id")) {
        Some(Value::Number(n)) => Ok(format!("npm:{n}")),
        Some(Value::String(s)) if !s.is_empty() => Ok(format!("npm:{s}")),
        _ => Err(r.err(ptr(at, "source"), "no advisory id or URL")),
    }
}

fn parse_v1(v: &Value) -> Result<GateReport, GateError> {
    let mut r = Reader::new("npm-audit", "npm-audit");
    let advisories = r.req_obj(v, "advisories", "")?;
    for (key, a) in advisories.as_object().into_iter().flatten() {
        let at = ptr("/advisories", key);
        if !a.is_object() {
            return Err(r.err(at, "not an object"));
        }
        let id = match r
            .str(a, "github_advisory_id", &at)?
            .filter(|s| !s.is_empty())
        {
            Some(g) => g.to_owned(),
            None => advisory_id(&r, a, &at)?,
        };
        let cvss = match r.obj(a, "cvss", &at)? {
            Some(c) => r.score(c, "score", &ptr(&at, "cvss"))?,
            None => None,
        };
        let module = r.req_str(a, "module_name", &at)?;
        let versions: Vec<&str> = r
            .arr(a, "findings", &at)?
            .iter()
            .filter_map(|f| f["version"].as_str())
            .collect();
        let location = if versions.is_empty() {
            module.to_owned()
        } else {
            format!("{module}@{}", versions.join(","))
        };
        let f = Finding {
            id,
            severity: severity(r.str(a, "severity", &at)?, cvss),
            cvss,
            location: Some(location),
            title: r.str(a, "title", &at)?.map(str::to_owned),
            suppressed: false,
            fingerprints: Vec::new(),
        };
        r.finding(f)?;
    }
    Ok(r.finish())
}

/// npm's own count of vulnerable packages, checked against what was read.
fn total_matches(r: &mut Reader, v: &Value) {
    let total = v["metadata"]["vulnerabilities"]["total"].as_u64();
    let read = r.report.findings.len() as u64;
    if total.is_some_and(|t| t != read) {
        r.deviate(
            "/metadata/vulnerabilities/total",
            format!("{total:?} does not match the {read} vulnerable packages listed"),
        );
    }
}
