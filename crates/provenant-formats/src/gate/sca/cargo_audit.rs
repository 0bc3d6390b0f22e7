//! cargo-audit JSON (`cargo audit --json`): `database`, `lockfile`, `vulnerabilities{found,
//! count, list[]}`, `warnings{<kind>: [...]}`.

use serde_json::Value;

use super::{cvss3_base_score, ptr, Reader};
use crate::gate::{Finding, GateError, GateReport, Severity};

pub(super) fn detect(v: &Value) -> Option<Result<GateReport, GateError>> {
    let o = v.as_object()?;
    (o.contains_key("database") && o.contains_key("lockfile") && o.contains_key("vulnerabilities"))
        .then(|| parse(v))
}

fn parse(v: &Value) -> Result<GateReport, GateError> {
    let mut r = Reader::new("cargo-audit", "cargo-audit");
    r.req_obj(v, "database", "")?;
    r.req_obj(v, "lockfile", "")?;
    let vulns = r.req_obj(v, "vulnerabilities", "")?;
    let list = match vulns.get("list") {
        Some(Value::Array(a)) => a,
        _ => return Err(r.err("/vulnerabilities/list", "missing or not an array")),
    };
    for (i, x) in list.iter().enumerate() {
        let at = format!("/vulnerabilities/list/{i}");
        let f = vulnerability(&mut r, x, &at)?;
        r.finding(f)?;
    }
    let count = vulns.get("count").and_then(Value::as_u64);
    if count != Some(list.len() as u64) {
        r.deviate(
            "/vulnerabilities/count",
            format!("{count:?} does not match the {} listed", list.len()),
        );
    }
    if vulns.get("found").and_then(Value::as_bool) != Some(!list.is_empty()) {
        r.deviate("/vulnerabilities/found", "does not match the list");
    }
    match v.get("warnings") {
        None | Some(Value::Null) => {}
        Some(Value::Object(kinds)) => {
            for (kind, ws) in kinds {
                let kat = ptr("/warnings", kind);
                let ws = ws.as_array().ok_or_else(|| r.err(&kat, "not an array"))?;
                for (i, w) in ws.iter().enumerate() {
                    let f = warning(&r, w, &format!("{kat}/{i}"), Some(kind))?;
                    r.finding(f)?;
                }
            }
        }
        // cargo-audit before 0.12 wrote one list with a `kind` in each warning.
        Some(Value::Array(ws)) => {
            for (i, w) in ws.iter().enumerate() {
                let f = warning(&r, w, &format!("/warnings/{i}"), None)?;
                r.finding(f)?;
            }
        }
        Some(_) => return Err(r.err("/warnings", "neither an object nor an array")),
    }
    Ok(r.finish())
}

/// A vulnerability: severity from the advisory's CVSS v3 vector, unknown without one.
fn vulnerability(r: &mut Reader, x: &Value, at: &str) -> Result<Finding, GateError> {
    let aat = ptr(at, "advisory");
    let advisory = r.req_obj(x, "advisory", at)?;
    let id = r.req_str(advisory, "id", &aat)?.to_owned();
    let cvss = match r.str(advisory, "cvss", &aat)?.filter(|s| !s.is_empty()) {
        Some(vector) => {
            let score = cvss3_base_score(vector);
            if score.is_none() {
                r.deviate(
                    ptr(&aat, "cvss"),
                    format!("not a CVSS v3 vector, severity unknown: {vector:?}"),
                );
            }
            score
        }
        None => None,
    };
    Ok(Finding {
        id,
        severity: cvss.map_or(Severity::Unknown, Severity::from_cvss),
        cvss: cvss.filter(|s| *s > 0.0),
        location: package(r, x, at)?,
        title: r.str(advisory, "title", &aat)?.map(str::to_owned),
        suppressed: false,
        fingerprints: Vec::new(),
    })
}

/// A warning (unmaintained, unsound, yanked, notice): low severity, its kind in the title.
fn warning(r: &Reader, w: &Value, at: &str, kind: Option<&str>) -> Result<Finding, GateError> {
    let kind = match kind {
        Some(k) => k,
        None => r.req_str(w, "kind", at)?,
    };
    let aat = ptr(at, "advisory");
    let (id, title) = match r.obj(w, "advisory", at)? {
        Some(a) => (
            r.req_str(a, "id", &aat)?.to_owned(),
            match r.str(a, "title", &aat)? {
                Some(t) => format!("{kind}: {t}"),
                None => kind.to_owned(),
            },
        ),
        // A yanked crate has no advisory.
        None => (kind.to_owned(), kind.to_owned()),
    };
    Ok(Finding {
        id,
        severity: Severity::Low,
        cvss: None,
        location: package(r, w, at)?,
        title: Some(title),
        suppressed: false,
        fingerprints: Vec::new(),
    })
}

fn package(r: &Reader, x: &Value, at: &str) -> Result<Option<String>, GateError> {
    let Some(p) = r.obj(x, "package", at)? else {
        return Ok(None);
    };
    let pat = ptr(at, "package");
    let name = r.req_str(p, "name", &pat)?;
    Ok(Some(match r.str(p, "version", &pat)? {
        Some(v) => format!("{name}@{v}"),
        None => name.to_owned(),
    }))
}
