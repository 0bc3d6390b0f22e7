//! grype JSON (`grype -o json`): `matches[]`, `source{type, target}`, `descriptor`.

use serde_json::Value;

use super::{max_score, ptr, repo_digest, severity, Reader};
use crate::gate::{Finding, GateError, GateReport, Scanned, Severity};

/// grype writes this when it was built without version information.
const NO_VERSION: &str = "[not provided]";

pub(super) fn detect(v: &Value) -> Option<Result<GateReport, GateError>> {
    let o = v.as_object()?;
    (o.contains_key("matches") && o.contains_key("descriptor")).then(|| parse(v))
}

fn parse(v: &Value) -> Result<GateReport, GateError> {
    let mut r = Reader::new("grype", "grype");
    let descriptor = r.req_obj(v, "descriptor", "")?;
    if let Some(name) = r
        .str(descriptor, "name", "/descriptor")?
        .filter(|s| !s.is_empty())
    {
        name.clone_into(&mut r.report.tool);
    }
    r.report.tool_version = r
        .str(descriptor, "version", "/descriptor")?
        .filter(|s| !s.is_empty() && *s != NO_VERSION)
        .map(str::to_owned);
    let timestamp = r.str(descriptor, "timestamp", "/descriptor")?;
    r.report.finished = r.time("/descriptor/timestamp", timestamp);
    source(&mut r, v)?;
    for (key, suppressed) in [("matches", false), ("ignoredMatches", true)] {
        for (i, m) in r.arr(v, key, "")?.iter().enumerate() {
            let f = finding(&r, m, &format!("/{key}/{i}"), suppressed)?;
            r.finding(f)?;
        }
    }
    Ok(r.finish())
}

/// `source`: an image by digest, or a directory / file / SBOM by name.
fn source(r: &mut Reader, v: &Value) -> Result<(), GateError> {
    let Some(source) = r.obj(v, "source", "")? else {
        r.deviate("/source", "missing: what was scanned is not recorded");
        return Ok(());
    };
    let kind = r.str(source, "type", "/source")?.unwrap_or_default();
    let target = &source["target"];
    if kind == "image" {
        return image(r, target);
    }
    let name = match target {
        Value::String(s) => Some(s.as_str()),
        Value::Object(_) => r.str(target, "path", "/source/target")?.or(r.str(
            target,
            "userInput",
            "/source/target",
        )?),
        _ => None,
    }
    .filter(|s| !s.is_empty() && kind != "unknown");
    match name {
        Some(name) => r.scanned(Scanned::Named {
            name: name.to_owned(),
        }),
        None => r.deviate("/source/target", "what was scanned is not recorded"),
    }
    Ok(())
}

/// An image target: the manifest digest, the pinned reference, the repo digests and the
/// config digest (named as such: it identifies the image's config, not its manifest).
fn image(r: &mut Reader, target: &Value) -> Result<(), GateError> {
    const AT: &str = "/source/target";
    if !target.is_object() {
        return Err(r.err(AT, "an image target is not an object"));
    }
    let user_input = r.str(target, "userInput", AT)?.filter(|s| !s.is_empty());
    if let Some(d) = r
        .str(target, "manifestDigest", AT)?
        .filter(|s| !s.is_empty())
    {
        let digest = r.digest(d, &ptr(AT, "manifestDigest"))?;
        r.scanned(Scanned::Digest {
            digest,
            name: user_input.map(str::to_owned),
        });
    }
    // A pinned reference (`name@sha256:...`) is the digest grype was asked to pull: for a
    // multi-platform image, the index that `manifestDigest` was resolved from.
    if let Some((name, digest)) = user_input.and_then(repo_digest) {
        r.scanned(Scanned::ImageReference {
            digest,
            name: Some(name.to_owned()),
        });
    }
    r.repo_digests(target, "repoDigests", AT)?;
    if let Some(id) = r.str(target, "imageID", AT)?.filter(|s| !s.is_empty()) {
        let digest = r.digest(id, &ptr(AT, "imageID"))?;
        r.scanned(Scanned::ImageConfig {
            digest,
            name: user_input.map(str::to_owned),
        });
    }
    if r.report.scanned.is_empty() {
        r.deviate(AT, "an image scan without a digest");
        if let Some(name) = user_input {
            r.scanned(Scanned::Named {
                name: name.to_owned(),
            });
        }
    }
    Ok(())
}

fn finding(r: &Reader, m: &Value, at: &str, suppressed: bool) -> Result<Finding, GateError> {
    let vat = ptr(at, "vulnerability");
    let vuln = r.req_obj(m, "vulnerability", at)?;
    let id = r.req_str(vuln, "id", &vat)?;
    let mut cvss = None;
    for (i, c) in r.arr(vuln, "cvss", &vat)?.iter().enumerate() {
        let cat = format!("{vat}/cvss/{i}");
        // Only v3 scores, so that a score and its severity band mean the same thing across
        // tools (grype also lists v2 and v4 scores).
        let version = r.str(c, "version", &cat)?.unwrap_or_default();
        let vector = r.str(c, "vector", &cat)?.unwrap_or_default();
        if !(version.starts_with('3') || vector.starts_with("CVSS:3")) {
            continue;
        }
        if let Some(metrics) = r.obj(c, "metrics", &cat)? {
            cvss = max_score(cvss, r.score(metrics, "baseScore", &ptr(&cat, "metrics"))?);
        }
    }
    let word = r.str(vuln, "severity", &vat)?;
    let severity = if word.is_some_and(|w| w.trim().eq_ignore_ascii_case("negligible")) {
        Severity::Info
    } else {
        severity(word, cvss)
    };
    let location = match r.obj(m, "artifact", at)? {
        Some(a) => {
            let aat = ptr(at, "artifact");
            let name = r.req_str(a, "name", &aat)?;
            Some(match r.str(a, "version", &aat)?.filter(|s| !s.is_empty()) {
                Some(version) => format!("{name}@{version}"),
                None => name.to_owned(),
            })
        }
        None => None,
    };
    Ok(Finding {
        id: id.to_owned(),
        severity,
        cvss,
        location,
        title: None,
        suppressed,
        fingerprints: Vec::new(),
    })
}
