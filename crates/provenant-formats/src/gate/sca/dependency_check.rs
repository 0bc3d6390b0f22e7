//! OWASP dependency-check JSON (`--format JSON`): `reportSchema`, `scanInfo`, `projectInfo`,
//! `dependencies[]` with `vulnerabilities[]` and `suppressedVulnerabilities[]`.

use serde_json::Value;

use super::{max_score, ptr, severity, Reader};
use crate::gate::{Finding, GateError, GateReport, Scanned};

pub(super) fn detect(v: &Value) -> Option<Result<GateReport, GateError>> {
    let o = v.as_object()?;
    (o.contains_key("reportSchema")
        && (o.contains_key("scanInfo") || o.contains_key("dependencies")))
    .then(|| parse(v))
}

fn parse(v: &Value) -> Result<GateReport, GateError> {
    let mut r = Reader::new("dependency-check", "dependency-check");
    if let Some(scan) = r.obj(v, "scanInfo", "")? {
        r.report.tool_version = r
            .str(scan, "engineVersion", "/scanInfo")?
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
    }
    if let Some(project) = r.obj(v, "projectInfo", "")? {
        let date = r.str(project, "reportDate", "/projectInfo")?;
        r.report.finished = r.time("/projectInfo/reportDate", date);
        if let Some(name) = r
            .str(project, "name", "/projectInfo")?
            .filter(|s| !s.is_empty())
        {
            r.scanned(Scanned::Named {
                name: name.to_owned(),
            });
        }
    }
    for (i, dep) in r.arr(v, "dependencies", "")?.iter().enumerate() {
        let at = format!("/dependencies/{i}");
        if !dep.is_object() {
            return Err(r.err(at, "not an object"));
        }
        let location = match r.arr(dep, "packages", &at)?.first() {
            Some(p) => r.str(p, "id", &format!("{at}/packages/0"))?,
            None => None,
        }
        .or(r.str(dep, "fileName", &at)?)
        .map(str::to_owned);
        for (key, suppressed) in [
            ("vulnerabilities", false),
            ("suppressedVulnerabilities", true),
        ] {
            for (j, x) in r.arr(dep, key, &at)?.iter().enumerate() {
                let xat = format!("{at}/{key}/{j}");
                let mut cvss = None;
                if let Some(c) = r.obj(x, "cvssv3", &xat)? {
                    cvss = max_score(cvss, r.score(c, "baseScore", &ptr(&xat, "cvssv3"))?);
                }
                let f = Finding {
                    id: r.req_str(x, "name", &xat)?.to_owned(),
                    severity: severity(r.str(x, "severity", &xat)?, cvss),
                    cvss,
                    location: location.clone(),
                    title: None,
                    suppressed,
                    fingerprints: Vec::new(),
                };
                r.finding(f)?;
            }
        }
    }
    Ok(r.finish())
}
