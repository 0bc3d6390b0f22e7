//! osv-scanner JSON (`osv-scanner --format json`): `results[]` of a `source` and its
//! `packages[]`, each with full OSV `vulnerabilities[]` and alias `groups[]`.
//!
//! Also read, with a deviation, osv-scanner's internal shapes that show up in its test data
//! and in tooling built on it: the flattened list (`[{Source, Package, Vulnerability,
//! GroupInfo}]`) and one alias group (`{DisplayID, PkgSource, AliasedVulns}`).

use std::collections::HashMap;

use serde_json::Value;

use super::{cvss3_base_score, max_score, ptr, Reader};
use crate::gate::{is_commit, Finding, GateError, GateReport, Scanned, Severity};

/// Top-level keys osv-scanner writes next to `results`.
const TOP_LEVEL: &[&str] = &[
    "results",
    "experimental_config",
    "image_metadata",
    "license_summary",
    "experimental_analysis_config",
];

pub(super) fn detect(v: &Value) -> Option<Result<GateReport, GateError>> {
    match v {
        Value::Object(o) => {
            if let Some(Value::Array(results)) = o.get("results") {
                let recognised = match results.first() {
                    Some(first) => {
                        (first.get("source").is_some() || first.get("packageSource").is_some())
                            && first.get("packages").is_some()
                    }
                    None => o.keys().all(|k| TOP_LEVEL.contains(&k.as_str())),
                };
                return recognised.then(|| parse_cli(v));
            }
            (o.contains_key("DisplayID")
                && o.contains_key("PkgSource")
                && o.contains_key("AliasedVulns"))
            .then(|| parse_grouped(v))
        }
        Value::Array(items) => {
            let first = items.first()?;
            (first.get("Source").is_some()
                && first.get("Package").is_some()
                && first.get("Vulnerability").is_some())
            .then(|| parse_flattened(items))
        }
        _ => None,
    }
}

fn parse_cli(v: &Value) -> Result<GateReport, GateError> {
    let mut r = Reader::new("osv-scanner", "osv-scanner");
    for (i, result) in r.arr(v, "results", "")?.iter().enumerate() {
        let at = format!("/results/{i}");
        let source = match r.obj(result, "source", &at)? {
            Some(s) => s,
            None => {
                let s = r.req_obj(result, "packageSource", &at)?;
                r.deviate(
                    ptr(&at, "packageSource"),
                    "`packageSource` read as `source`",
                );
                s
            }
        };
        let packages = r.arr(result, "packages", &at)?;
        source_scanned(&mut r, source, packages, &at)?;
        for (j, p) in packages.iter().enumerate() {
            let pat = format!("{at}/packages/{j}");
            let location =
                package_location(&r, r.req_obj(p, "package", &pat)?, &ptr(&pat, "package"))?;
            let groups = r.arr(p, "groups", &pat)?;
            let mut group_of: HashMap<&str, usize> = HashMap::new();
            for (g, group) in groups.iter().enumerate() {
                for (k, id) in r
                    .arr(group, "ids", &format!("{pat}/groups/{g}"))?
                    .iter()
                    .enumerate()
                {
                    let id = id.as_str().ok_or_else(|| {
                        r.err(format!("{pat}/groups/{g}/ids/{k}"), "not a string")
                    })?;
                    group_of.entry(id).or_insert(g);
                }
            }
            let first = r.report.findings.len();
            let mut member_of = Vec::new();
            for (k, vuln) in r.arr(p, "vulnerabilities", &pat)?.iter().enumerate() {
                let vat = format!("{pat}/vulnerabilities/{k}");
                let id = r.req_str(vuln, "id", &vat)?;
                let g = group_of.get(id).copied();
                let f = finding(&mut r, vuln, &vat, g.map(|g| &groups[g]), location.clone())?;
                r.finding(f)?;
                member_of.push(g);
            }
            lift(&mut r.report.findings[first..], &member_of);
        }
    }
    Ok(r.finish())
}

/// A git source is the repository osv-scanner scanned, at the commit of its one package.
/// Commits of packages in a lockfile are dependencies (git submodules, DEPS entries): never
/// what was scanned.
fn source_scanned(
    r: &mut Reader,
    source: &Value,
    packages: &[Value],
    at: &str,
) -> Result<(), GateError> {
    let sat = ptr(at, "source");
    let path = r.str(source, "path", &sat)?.filter(|s| !s.is_empty());
    if r.str(source, "type", &sat)? == Some("git") {
        let mut bound = false;
        for (j, p) in packages.iter().enumerate() {
            let pat = format!("{at}/packages/{j}/package");
            let Some(commit) = p
                .get("package")
                .map(|pkg| r.str(pkg, "commit", &pat))
                .transpose()?
                .flatten()
                .filter(|c| !c.is_empty())
            else {
                continue;
            };
            if !is_commit(commit) {
                r.deviate(ptr(&pat, "commit"), "not a full commit id: not bound");
                continue;
            }
            r.scanned(Scanned::Commit {
                sha: commit.to_ascii_lowercase(),
                repository: None,
            });
            bound = true;
        }
        if bound {
            return Ok(());
        }
    }
    match path {
        Some(p) => r.scanned(Scanned::Named { name: p.to_owned() }),
        None => r.deviate(ptr(&sat, "path"), "what was scanned is not recorded"),
    }
    Ok(())
}

/// `name@version` (`name@commit` for a git dependency).
fn package_location(r: &Reader, pkg: &Value, at: &str) -> Result<Option<String>, GateError> {
    let name = r.str(pkg, "name", at)?.filter(|s| !s.is_empty());
    let version = r
        .str(pkg, "version", at)?
        .filter(|s| !s.is_empty())
        .or(r.str(pkg, "commit", at)?.filter(|s| !s.is_empty()));
    Ok(match (name, version) {
        (Some(n), Some(v)) => Some(format!("{n}@{v}")),
        (n, _) => n.map(str::to_owned),
    })
}

/// One OSV record as a finding. Severity: the alias group's `max_severity` (a CVSS score
/// osv-scanner computed), else the database's severity word, else the record's CVSS v3
/// vector, else the ecosystem's severity word.
fn finding(
    r: &mut Reader,
    vuln: &Value,
    at: &str,
    group: Option<&Value>,
    location: Option<String>,
) -> Result<Finding, GateError> {
    let id = r.req_str(vuln, "id", at)?.to_owned();
    let mut cvss = None;
    for (i, s) in r.arr(vuln, "severity", at)?.iter().enumerate() {
        let sat = format!("{at}/severity/{i}");
        if r.str(s, "type", &sat)? == Some("CVSS_V3") {
            let vector = r.req_str(s, "score", &sat)?;
            match cvss3_base_score(vector) {
                Some(score) => cvss = max_score(cvss, Some(score)),
                None => r.deviate(
                    ptr(&sat, "score"),
                    format!("not a CVSS v3 vector: {vector:?}"),
                ),
            }
        }
    }
    let mut severity = Severity::Unknown;
    if let Some(g) = group {
        match &g["max_severity"] {
            Value::String(s) if !s.is_empty() => match s.parse::<f64>() {
                Ok(score) if (0.0..=10.0).contains(&score) => {
                    severity = Severity::from_cvss(score);
                    if score > 0.0 {
                        cvss = max_score(cvss, Some(score));
                    }
                }
                _ => r.deviate(
                    at,
                    format!("its group's max_severity {s:?} is not a CVSS score"),
                ),
            },
            _ => {}
        }
    }
    if severity == Severity::Unknown {
        if let Some(db) = r.obj(vuln, "database_specific", at)? {
            if let Some(w) = db["severity"].as_str() {
                severity = Severity::from_word(w);
            }
        }
    }
    if severity == Severity::Unknown {
        if let Some(score) = cvss {
            severity = Severity::from_cvss(score);
        }
    }
    if severity == Severity::Unknown {
        severity = r
            .arr(vuln, "affected", at)?
            .iter()
            .filter_map(|a| a["ecosystem_specific"]["severity"].as_str())
            .map(Severity::from_word)
            .max()
            .unwrap_or(Severity::Unknown);
    }
    Ok(Finding {
        id,
        severity,
        cvss,
        location,
        title: r
            .str(vuln, "summary", at)?
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        suppressed: false,
        fingerprints: Vec::new(),
    })
}

/// Aliases are one vulnerability: each member of a group gets the group's highest severity
/// (what osv-scanner's `max_severity` gives, for groups that have none).
fn lift<K: Eq + std::hash::Hash>(findings: &mut [Finding], member_of: &[Option<K>]) {
    let mut max: HashMap<&K, Severity> = HashMap::new();
    for (f, g) in findings.iter().zip(member_of) {
        if let Some(g) = g {
            let m = max.entry(g).or_insert(f.severity);
            *m = (*m).max(f.severity);
        }
    }
    for (f, g) in findings.iter_mut().zip(member_of) {
        if let Some(m) = g.as_ref().and_then(|g| max.get(g)) {
            f.severity = *m;
        }
    }
}

fn parse_flattened(items: &[Value]) -> Result<GateReport, GateError> {
    let mut r = Reader::new("osv-scanner", "osv-scanner");
    r.deviate(
        "",
        "osv-scanner's internal flattened form, not its `--format json` output",
    );
    let mut member_of = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("/{i}");
        let source = r.req_obj(item, "Source", &at)?;
        let path = r
            .str(source, "path", &ptr(&at, "Source"))?
            .unwrap_or_default();
        if !path.is_empty() {
            r.scanned(Scanned::Named {
                name: path.to_owned(),
            });
        }
        let location =
            package_location(&r, r.req_obj(item, "Package", &at)?, &ptr(&at, "Package"))?;
        let vuln = r.req_obj(item, "Vulnerability", &at)?;
        let group = r.obj(item, "GroupInfo", &at)?;
        // A group is its sorted ids, within one package of one source.
        member_of.push(match group {
            Some(g) => {
                let gat = ptr(&at, "GroupInfo");
                let mut ids = Vec::new();
                for (k, id) in r.arr(g, "ids", &gat)?.iter().enumerate() {
                    ids.push(
                        id.as_str()
                            .ok_or_else(|| r.err(format!("{gat}/ids/{k}"), "not a string"))?,
                    );
                }
                ids.sort_unstable();
                Some((path, location.clone(), ids))
            }
            None => None,
        });
        let f = finding(&mut r, vuln, &ptr(&at, "Vulnerability"), group, location)?;
        r.finding(f)?;
    }
    lift(&mut r.report.findings, &member_of);
    Ok(r.finish())
}

fn parse_grouped(v: &Value) -> Result<GateReport, GateError> {
    let mut r = Reader::new("osv-scanner", "osv-scanner");
    r.deviate(
        "",
        "osv-scanner's internal alias-group form, not its `--format json` output",
    );
    r.req_str(v, "DisplayID", "")?;
    let vulns = r.req_obj(v, "AliasedVulns", "")?;
    for (i, ps) in r.arr(v, "PkgSource", "")?.iter().enumerate() {
        let at = format!("/PkgSource/{i}");
        let source = r.req_obj(ps, "Source", &at)?;
        if let Some(p) = r
            .str(source, "path", &ptr(&at, "Source"))?
            .filter(|s| !s.is_empty())
        {
            r.scanned(Scanned::Named { name: p.to_owned() });
        }
        let location = package_location(&r, r.req_obj(ps, "Package", &at)?, &ptr(&at, "Package"))?;
        let first = r.report.findings.len();
        for (id, vuln) in vulns.as_object().into_iter().flatten() {
            let vat = ptr("/AliasedVulns", id);
            if !vuln.is_object() {
                return Err(r.err(vat, "not an object"));
            }
            let f = finding(&mut r, vuln, &vat, None, location.clone())?;
            r.finding(f)?;
        }
        let n = r.report.findings.len() - first;
        lift(&mut r.report.findings[first..], &vec![Some(()); n]);
    }
    Ok(r.finish())
}
