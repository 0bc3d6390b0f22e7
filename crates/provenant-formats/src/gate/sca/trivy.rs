//! trivy JSON (`trivy image|fs|repo --format json`, schema version 2): `ArtifactName`,
//! `ArtifactType`, `Metadata`, `Results[]` with vulnerabilities, misconfigurations and secrets.

use serde_json::Value;

use super::{max_score, ptr, severity, Reader};
use crate::gate::{is_commit, Finding, GateError, GateReport, Scanned};

pub(super) fn detect(v: &Value) -> Option<Result<GateReport, GateError>> {
    let o = v.as_object()?;
    (o.contains_key("SchemaVersion")
        && (o.contains_key("ArtifactName") || o.contains_key("Results")))
    .then(|| parse(v))
}

fn parse(v: &Value) -> Result<GateReport, GateError> {
    let mut r = Reader::new("trivy", "trivy");
    match v["SchemaVersion"].as_u64() {
        Some(2) => {}
        Some(n) => r.deviate("/SchemaVersion", format!("schema version {n}, read as 2")),
        None => return Err(r.err("/SchemaVersion", "not a number")),
    }
    if let Some(trivy) = r.obj(v, "Trivy", "")? {
        r.report.tool_version = r
            .str(trivy, "Version", "/Trivy")?
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
    }
    let created = r.str(v, "CreatedAt", "")?;
    r.report.finished = r.time("/CreatedAt", created);
    scanned(&mut r, v)?;
    for (i, result) in r.arr(v, "Results", "")?.iter().enumerate() {
        let at = format!("/Results/{i}");
        if !result.is_object() {
            return Err(r.err(at, "not an object"));
        }
        let target = r.str(result, "Target", &at)?.unwrap_or_default();
        for (j, x) in r.arr(result, "Vulnerabilities", &at)?.iter().enumerate() {
            let f = vulnerability(&r, x, &format!("{at}/Vulnerabilities/{j}"), false)?;
            r.finding(f)?;
        }
        for (j, x) in r.arr(result, "Misconfigurations", &at)?.iter().enumerate() {
            let xat = format!("{at}/Misconfigurations/{j}");
            // PASS is a check that held; EXCEPTION one the policy waived.
            let suppressed = match r.str(x, "Status", &xat)? {
                Some("PASS") => continue,
                Some("EXCEPTION") => true,
                _ => false,
            };
            let f = misconfiguration(&r, x, &xat, target, suppressed)?;
            r.finding(f)?;
        }
        for (j, x) in r.arr(result, "Secrets", &at)?.iter().enumerate() {
            let f = secret(&r, x, &format!("{at}/Secrets/{j}"), target, false)?;
            r.finding(f)?;
        }
        // `--show-suppressed`: findings a VEX statement or an ignore file modified. Only a
        // status that clears the finding (`ignored`, VEX `not_affected` / `fixed`) suppresses
        // it; `affected`, `under_investigation`, `unknown`, a status trivy does not define or
        // none at all leaves it counting.
        for key in ["ModifiedFindings", "ExperimentalModifiedFindings"] {
            for (j, m) in r.arr(result, key, &at)?.iter().enumerate() {
                let mat = format!("{at}/{key}/{j}");
                let fat = ptr(&mat, "Finding");
                let x = r.req_obj(m, "Finding", &mat)?;
                let cleared = matches!(
                    r.str(m, "Status", &mat)?,
                    Some("ignored" | "not_affected" | "fixed")
                );
                let f = match r.str(m, "Type", &mat)? {
                    Some("vulnerability") => vulnerability(&r, x, &fat, cleared)?,
                    Some("misconfiguration") => misconfiguration(&r, x, &fat, target, cleared)?,
                    Some("secret") => secret(&r, x, &fat, target, cleared)?,
                    _ => continue,
                };
                r.finding(f)?;
            }
        }
    }
    Ok(r.finish())
}

/// What was scanned: an image by its repo digests and config digest, a repository by commit,
/// anything else by name.
fn scanned(r: &mut Reader, v: &Value) -> Result<(), GateError> {
    let name = r.str(v, "ArtifactName", "")?.filter(|s| !s.is_empty());
    let kind = r.str(v, "ArtifactType", "")?.unwrap_or_default();
    let metadata = r.obj(v, "Metadata", "")?;
    let commit = match metadata {
        Some(m) => r.str(m, "Commit", "/Metadata")?.filter(|s| !s.is_empty()),
        None => None,
    };
    match (kind, metadata, commit) {
        ("container_image", Some(m), _) => image(r, m, name)?,
        ("repository", Some(m), Some(commit)) => {
            if !is_commit(commit) {
                return Err(r.err(
                    "/Metadata/Commit",
                    format!("not a full commit id: {commit:?}"),
                ));
            }
            let url = r.str(m, "RepoURL", "/Metadata")?.filter(|s| !s.is_empty());
            r.scanned(Scanned::Commit {
                sha: commit.to_ascii_lowercase(),
                repository: url.or(name).map(str::to_owned),
            });
        }
        // `trivy fs` in a git work tree records HEAD, but scans the files as they are.
        (_, _, Some(commit)) => r.deviate(
            "/Metadata/Commit",
            format!("a {kind} scan in a work tree at {commit}: the commit is not bound"),
        ),
        _ => {}
    }
    if r.report.scanned.is_empty() {
        if kind == "container_image" {
            r.deviate("/Metadata", "an image scan without a digest");
        }
        match name {
            Some(n) => r.scanned(Scanned::Named { name: n.to_owned() }),
            None => r.deviate("/ArtifactName", "what was scanned is not recorded"),
        }
    }
    Ok(())
}

/// An image: its repo digests, then its config digest (`ImageID`, named as such: it is not
/// the manifest digest).
fn image(r: &mut Reader, m: &Value, name: Option<&str>) -> Result<(), GateError> {
    r.repo_digests(m, "RepoDigests", "/Metadata")?;
    if let Some(id) = r.str(m, "ImageID", "/Metadata")?.filter(|s| !s.is_empty()) {
        let digest = r.digest(id, "/Metadata/ImageID")?;
        r.scanned(Scanned::ImageConfig {
            digest,
            name: name.map(str::to_owned),
        });
    }
    Ok(())
}

fn vulnerability(r: &Reader, x: &Value, at: &str, suppressed: bool) -> Result<Finding, GateError> {
    let id = r.req_str(x, "VulnerabilityID", at)?;
    let mut cvss = None;
    if let Some(by_source) = r.obj(x, "CVSS", at)? {
        let cat = ptr(at, "CVSS");
        for (source, scores) in by_source.as_object().into_iter().flatten() {
            if !scores.is_object() {
                return Err(r.err(ptr(&cat, source), "not an object"));
            }
            cvss = max_score(cvss, r.score(scores, "V3Score", &ptr(&cat, source))?);
        }
    }
    let name = r
        .str(x, "PkgName", at)?
        .or(r.str(x, "PkgID", at)?)
        .filter(|s| !s.is_empty());
    let version = r.str(x, "InstalledVersion", at)?.filter(|s| !s.is_empty());
    let location = match (name, version) {
        (Some(n), Some(v)) => Some(format!("{n}@{v}")),
        (n, _) => n.map(str::to_owned),
    };
    Ok(Finding {
        id: id.to_owned(),
        severity: severity(r.str(x, "Severity", at)?, cvss),
        cvss,
        location,
        title: r.str(x, "Title", at)?.map(str::to_owned),
        suppressed,
        fingerprints: Vec::new(),
    })
}

fn misconfiguration(
    r: &Reader,
    x: &Value,
    at: &str,
    target: &str,
    suppressed: bool,
) -> Result<Finding, GateError> {
    let id = r
        .str(x, "ID", at)?
        .or(r.str(x, "AVDID", at)?)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| r.err(ptr(at, "ID"), "missing"))?;
    let line = match r.obj(x, "CauseMetadata", at)? {
        Some(c) => c["StartLine"].as_u64().filter(|l| *l > 0),
        None => None,
    };
    Ok(Finding {
        id: id.to_owned(),
        severity: severity(r.str(x, "Severity", at)?, None),
        cvss: None,
        location: file_line(target, line),
        title: r.str(x, "Title", at)?.map(str::to_owned),
        suppressed,
        fingerprints: Vec::new(),
    })
}

fn secret(
    r: &Reader,
    x: &Value,
    at: &str,
    target: &str,
    suppressed: bool,
) -> Result<Finding, GateError> {
    Ok(Finding {
        id: r.req_str(x, "RuleID", at)?.to_owned(),
        severity: severity(r.str(x, "Severity", at)?, None),
        cvss: None,
        location: file_line(target, x["StartLine"].as_u64().filter(|l| *l > 0)),
        title: r.str(x, "Title", at)?.map(str::to_owned),
        suppressed,
        fingerprints: Vec::new(),
    })
}

fn file_line(target: &str, line: Option<u64>) -> Option<String> {
    match (target, line) {
        ("", _) => None,
        (t, Some(l)) => Some(format!("{t}:{l}")),
        (t, None) => Some(t.to_owned()),
    }
}
