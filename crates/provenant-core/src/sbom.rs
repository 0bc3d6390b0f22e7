//! SBOM checks: validity for the spec version claimed, binding to the artifact's digest, NTIA
//! minimum elements, coverage of package URLs / hashes / licenses, the dependency graph, and
//! time and commit consistency with the build.

use provenant_formats::sbom::{ParsedSbom, Sbom, SbomComponent};
use provenant_model::{Check, CheckCode, Digest, EvidenceRef, Outcome};

pub use provenant_policy::requirements::SbomRequirements;

/// How the SBOM reached us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SbomOrigin {
    /// A file given by the user: bound only by what it says itself.
    File,
    /// The predicate of a verified attestation whose subject is the artifact (this digest).
    Attested(Digest),
}

/// Everything the SBOM checks look at.
#[derive(Debug, Clone)]
pub struct SbomContext<'a> {
    /// The artifact's digests, when an artifact was given.
    pub artifact: Option<&'a [Digest]>,
    /// How the SBOM reached us.
    pub origin: SbomOrigin,
    /// The verified signing time of the build's provenance, when known.
    pub build_time: Option<jiff::Timestamp>,
    /// Now (RFC 3339).
    pub now: jiff::Timestamp,
    /// The requirements.
    pub requirements: &'a SbomRequirements,
}

/// The checks for one parsed SBOM.
pub fn check_sbom(parsed: &ParsedSbom, evref: &EvidenceRef, cx: &SbomContext<'_>) -> Vec<Check> {
    let ev = || vec![evref.clone()];
    let sbom = &parsed.sbom;
    let mut out = Vec::new();
    let standard = match sbom.standard {
        provenant_formats::sbom::SbomStandard::CycloneDx => "CycloneDX",
        provenant_formats::sbom::SbomStandard::Spdx2
        | provenant_formats::sbom::SbomStandard::Spdx3 => "SPDX",
    };
    let label = format!("{standard} {}", sbom.spec_version);
    if !parsed.validated {
        out.push(Check::fail(
            CheckCode::SbomInvalid,
            match &parsed.not_validated {
                Some(why) => format!("{label}: the document could not be validated ({}), so it is not reported valid", why.replace(['\n', '\r'], " ")),
                None => format!("{label}: the document could not be fully validated (no schema validator for its encoding), so it is not reported valid"),
            },
            ev(),
        ));
    } else if parsed.violations.is_empty() {
        let lenient = if sbom.deviations.is_empty() {
            String::new()
        } else {
            format!(
                "; {} tolerated deviation(s), first: {} ({})",
                sbom.deviations.len(),
                sbom.deviations[0].what,
                sbom.deviations[0].at
            )
        };
        out.push(Check::pass(
            CheckCode::SbomValid,
            format!("{label} is valid for the version it claims{lenient}"),
            ev(),
        ));
    } else {
        let first: Vec<String> = parsed
            .violations
            .iter()
            .take(3)
            .map(|v| format!("{}: {}", v.at, v.message))
            .collect();
        out.push(Check::fail(
            CheckCode::SbomInvalid,
            format!(
                "{label}: {} violation(s) of the spec: {}",
                parsed.violations.len(),
                first.join("; ")
            ),
            ev(),
        ));
    }
    out.extend(binding(sbom, cx, evref));
    out.extend(quality(sbom, cx.requirements, evref));
    out.extend(timestamp(sbom, cx, evref));
    if let (Some(want), Some(got)) = (&cx.requirements.commit, &sbom.source_commit) {
        // Every commit the SBOM records must be the expected one: one that names it beside
        // another is a contradiction, never a match.
        let others: Vec<&str> = sbom
            .source_commits
            .iter()
            .filter(|c| !c.eq_ignore_ascii_case(want))
            .map(String::as_str)
            .collect();
        if want.eq_ignore_ascii_case(got) && !others.is_empty() {
            out.push(Check::fail(
                CheckCode::SbomCommitMismatch,
                format!(
                    "the SBOM records source commit {got} and also {}; expected only {want}",
                    others.join(", ")
                ),
                ev(),
            ));
        } else if want.eq_ignore_ascii_case(got) {
            out.push(Check::pass(
                CheckCode::SbomCommitMatches,
                format!("the SBOM records source commit {got}"),
                ev(),
            ));
        } else {
            out.push(Check::fail(
                CheckCode::SbomCommitMismatch,
                format!("the SBOM records source commit {got}; expected {want}"),
                ev(),
            ));
        }
    }
    out
}

/// A digest written in a component: its hashes, and a package URL whose version is a digest
/// (`pkg:oci/app@sha256%3Aabc…`) or that carries `digest=` / `checksum=` qualifiers. The purl is
/// parsed per its specification (split first, decoded after: `%40` in a name is never a version
/// separator); one that does not parse names no digest.
pub fn component_digests(c: &SbomComponent) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = c
        .hashes
        .iter()
        .map(|h| (h.algorithm.clone(), h.value.to_ascii_lowercase()))
        .collect();
    if let Some(purl) = c
        .purl
        .as_deref()
        .and_then(|p| provenant_formats::purl::parse_purl(p).ok())
    {
        if let Some(d) = purl.version.as_deref().and_then(algo_hex) {
            out.push(d);
        }
        for (k, v) in &purl.qualifiers {
            if k == "digest" || k == "checksum" {
                out.extend(v.split(',').filter_map(algo_hex));
            }
        }
    }
    out
}

fn algo_hex(s: &str) -> Option<(String, String)> {
    let (alg, hex) = s.trim().split_once(':')?;
    let alg = provenant_formats::sbom::normalize_algorithm(alg);
    (!hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| (alg, hex.to_ascii_lowercase()))
}

/// One subject component against the artifact: `Some(Ok(digest))` when it names the artifact
/// and every digest it writes agrees (one value per algorithm, the artifact's where it was
/// hashed with it); `Some(Err(why))` when it names the artifact and also another value (two
/// checksums of one algorithm, a purl naming another digest): a contradiction; `None` when it
/// does not name the artifact.
fn subject_agrees(
    c: &SbomComponent,
    artifact: &[(String, String)],
) -> Option<Result<String, String>> {
    let named = component_digests(c);
    let hit = named.iter().find(|n| artifact.contains(n))?;
    let mut by_alg: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (a, h) in &named {
        let v = by_alg.entry(a.as_str()).or_default();
        if !v.contains(&h.as_str()) {
            v.push(h);
        }
    }
    let mut problems = Vec::new();
    for (alg, values) in &by_alg {
        let mine = artifact.iter().find(|(a, _)| a == alg).map(|(_, h)| h);
        if values.len() > 1 || mine.is_some_and(|m| values[0] != m) {
            problems.push(format!("{alg} {}", values.join(" and ")));
        }
    }
    Some(if problems.is_empty() {
        Ok(format!("{}:{}", hit.0, hit.1))
    } else {
        Err(format!(
            "the SBOM's subject{} names the artifact ({}:{}) and also {}",
            c.name
                .as_deref()
                .map(|n| format!(" {n:?}"))
                .unwrap_or_default(),
            hit.0,
            hit.1,
            problems.join("; ")
        ))
    })
}

/// What an SBOM's own subject (CycloneDX `metadata.component`, the SPDX described packages)
/// says of the artifact. One comparison for SBOMs given as files and SBOMs carried by verified
/// attestations: an attestation binds the document to the artifact, it never overrules what
/// the document itself says it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectComparison {
    /// A subject names the artifact's digest (`alg:hex`) and nothing contradicts it.
    Names(String),
    /// A subject names the artifact and also another value of an algorithm: the reason.
    Conflict(String),
    /// The subjects name another digest (`alg`, `hex`) of an algorithm the artifact was hashed
    /// with, and none names the artifact: the SBOM of something else.
    Other(String, String),
    /// The subjects name digests only in algorithms the artifact was not hashed with.
    Incomparable(Vec<String>),
    /// Subjects, but no hash and no package URL with a digest.
    NoDigest,
    /// No subject at all.
    NoSubject,
}

/// Compare the SBOM's own subjects with the artifact's digests.
pub fn compare_subject(sbom: &Sbom, artifact: &[Digest]) -> SubjectComparison {
    let artifact_pairs: Vec<(String, String)> = artifact
        .iter()
        .map(|d| {
            (
                d.algorithm().name().to_owned(),
                d.hex().to_ascii_lowercase(),
            )
        })
        .collect();
    let named: Vec<(String, String)> = sbom.subjects.iter().flat_map(component_digests).collect();
    // Every subject that names the artifact must name nothing else.
    let mut bound = None;
    for c in &sbom.subjects {
        match subject_agrees(c, &artifact_pairs) {
            Some(Err(why)) => return SubjectComparison::Conflict(why),
            Some(Ok(d)) => bound = bound.or(Some(d)),
            None => {}
        }
    }
    if let Some(d) = bound {
        return SubjectComparison::Names(d);
    }
    if let Some((alg, hex)) = named
        .iter()
        .find(|(alg, _)| artifact_pairs.iter().any(|(a, _)| a == alg))
    {
        return SubjectComparison::Other(alg.clone(), hex.clone());
    }
    if sbom.subjects.is_empty() {
        SubjectComparison::NoSubject
    } else if named.is_empty() {
        SubjectComparison::NoDigest
    } else {
        let mut algs: Vec<String> = named.into_iter().map(|(a, _)| a).collect();
        algs.sort();
        algs.dedup();
        SubjectComparison::Incomparable(algs)
    }
}

fn binding(sbom: &Sbom, cx: &SbomContext<'_>, evref: &EvidenceRef) -> Vec<Check> {
    let ev = || vec![evref.clone()];
    let required = cx.requirements.require_binding;
    let unbound_outcome = if required {
        Outcome::Fail
    } else {
        Outcome::Warn
    };
    let artifact = cx.artifact.unwrap_or_default();
    let shown_artifact = artifact
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    // How the document reached us, for the reasons: an attestation's subject is the artifact.
    let carried = match &cx.origin {
        SbomOrigin::Attested(d) => {
            format!("carried by a verified attestation whose subject is {d}; ")
        }
        SbomOrigin::File => String::new(),
    };
    let cmp = compare_subject(sbom, artifact);
    match (&cmp, &cx.origin) {
        (SubjectComparison::Conflict(why), _) => {
            return vec![Check::fail(
                CheckCode::SbomBindingConflict,
                format!("{carried}{why}: a contradiction is never a binding"),
                ev(),
            )]
        }
        (SubjectComparison::Names(d), _) => {
            return vec![Check::pass(
                CheckCode::SbomBound,
                format!("{carried}the SBOM's subject names {d}, the artifact's digest"),
                ev(),
            )]
        }
        (SubjectComparison::Other(alg, hex), _) => {
            return vec![Check::fail(
                CheckCode::SbomBindingMismatch,
                format!("{carried}the SBOM describes {alg}:{hex}, not the artifact ({shown_artifact})"),
                ev(),
            )]
        }
        // The document names no digest of what it describes: the attestation's subject is
        // then the only binding, and a verified one.
        (SubjectComparison::NoSubject | SubjectComparison::NoDigest, SbomOrigin::Attested(d)) => {
            return vec![Check::pass(
                CheckCode::SbomBound,
                format!("carried by a verified attestation whose subject is {d} (the SBOM's own subject names no digest)"),
                ev(),
            )]
        }
        (SubjectComparison::Incomparable(algs), SbomOrigin::Attested(d)) => {
            return vec![Check::pass(
                CheckCode::SbomBound,
                format!(
                    "carried by a verified attestation whose subject is {d}; the SBOM's own subject digests ({}) use algorithms the artifact was not hashed with, so they could not be compared",
                    algs.join(", ")
                ),
                ev(),
            )]
        }
        _ => {}
    }
    if cx.artifact.is_none() {
        if required {
            return vec![Check::fail(
                CheckCode::SbomUnbound,
                "binding is required but no artifact was given: pass --artifact FILE or --digest ALG:HEX",
                ev(),
            )];
        }
        return vec![];
    }
    let why = match cmp {
        SubjectComparison::Incomparable(algs) => format!(
            "the SBOM's subject digests use algorithms the artifact was not hashed with ({})",
            algs.join(", ")
        ),
        SubjectComparison::NoDigest => {
            "the SBOM's subject carries no hash and no package URL with a digest".to_owned()
        }
        _ => "the SBOM names no subject (CycloneDX metadata.component / SPDX described package)"
            .to_owned(),
    };
    vec![Check::new(
        CheckCode::SbomUnbound,
        unbound_outcome,
        why,
        ev(),
    )]
}

/// The digest algorithms provenant can compute that an SBOM's own subjects name: the artifact
/// must be hashed with each, so that every digest the SBOM writes is compared.
pub fn subject_algorithms(sbom: &Sbom) -> Vec<provenant_model::DigestAlgorithm> {
    let named: Vec<(String, String)> = sbom.subjects.iter().flat_map(component_digests).collect();
    provenant_model::DigestAlgorithm::ALL
        .into_iter()
        .filter(|alg| named.iter().any(|(a, _)| a == alg.name()))
        .collect()
}

fn pct(n: usize, of: usize) -> f64 {
    if of == 0 {
        100.0
    } else {
        // Component counts are bounded far below 2^52: the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let r = 100.0 * n as f64 / of as f64;
        r
    }
}

/// Coverage of package URLs, hashes and licenses over `n` (> 0) components against the floors.
fn quality_figures(
    out: &mut Vec<Check>,
    req: &SbomRequirements,
    n: usize,
    (purl, hashes, licenses): (usize, usize, usize),
    evref: &EvidenceRef,
) {
    let ev = || vec![evref.clone()];
    let figures = [
        ("package URL", pct(purl, n), req.min_purl_percent),
        ("hashes", pct(hashes, n), req.min_hash_percent),
        ("licenses", pct(licenses, n), req.min_license_percent),
    ];
    let below: Vec<String> = figures
        .iter()
        .filter_map(|(what, p, floor)| {
            let f = floor.unwrap_or(100.0);
            (*p < f).then(|| match floor {
                Some(f) => format!("{what} {p:.1}% < {f:.1}%"),
                None => format!("{what} {p:.1}%"),
            })
        })
        .collect();
    let summary = figures
        .iter()
        .map(|(w, p, _)| format!("{w} {p:.1}%"))
        .collect::<Vec<_>>()
        .join(", ");
    let enforced_below = figures
        .iter()
        .any(|(_, p, floor)| floor.is_some_and(|f| *p < f));
    if below.is_empty() || (req.quality_enforced() && !enforced_below) {
        out.push(Check::pass(
            CheckCode::SbomQualityMet,
            format!("{n} component(s): {summary}"),
            ev(),
        ));
    } else {
        out.push(Check::new(
            CheckCode::SbomQualityBelow,
            if enforced_below {
                Outcome::Fail
            } else {
                Outcome::Warn
            },
            format!("{n} component(s): {}", below.join(", ")),
            ev(),
        ));
    }
}

fn quality(sbom: &Sbom, req: &SbomRequirements, evref: &EvidenceRef) -> Vec<Check> {
    let ev = || vec![evref.clone()];
    let all: Vec<&SbomComponent> = sbom.subjects.iter().chain(&sbom.components).collect();
    let n = all.len();
    let count = |f: &dyn Fn(&SbomComponent) -> bool| all.iter().filter(|c| f(c)).count();
    let has = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.trim().is_empty());
    let supplier = count(&|c| has(&c.supplier));
    let name = count(&|c| has(&c.name));
    let version = count(&|c| has(&c.version));
    let ident = count(&|c| has(&c.purl) || has(&c.cpe));
    let purl = count(&|c| has(&c.purl));
    let hashes = count(&|c| !c.hashes.is_empty());
    let licenses = count(&|c| !c.licenses.is_empty());
    let author = !sbom.authors.is_empty() || !sbom.tools.is_empty();
    let timestamp = sbom.created.is_some();
    let deps = sbom.has_dependency_section && !sbom.dependencies.is_empty();
    let mut out = Vec::new();

    let elements = [
        ("supplier", pct(supplier, n)),
        ("name", pct(name, n)),
        ("version", pct(version, n)),
        ("unique identifier", pct(ident, n)),
    ];
    let mut missing: Vec<String> = elements
        .iter()
        .filter(|(_, p)| *p < 100.0)
        .map(|(e, p)| format!("{e} {p:.1}%"))
        .collect();
    if !author {
        missing.push("author missing".into());
    }
    if !timestamp {
        missing.push("timestamp missing".into());
    }
    if !deps {
        missing.push("dependency relationships missing".into());
    }
    if n == 0 {
        missing.insert(0, "no components (nothing to judge)".into());
    }
    if missing.is_empty() {
        out.push(Check::pass(
            CheckCode::SbomNtiaComplete,
            format!("all NTIA minimum elements present for {n} component(s)"),
            ev(),
        ));
    } else {
        out.push(Check::new(
            CheckCode::SbomNtiaIncomplete,
            if req.require_ntia {
                Outcome::Fail
            } else {
                Outcome::Warn
            },
            format!("{n} component(s); coverage: {}", missing.join(", ")),
            ev(),
        ));
    }

    if n == 0 {
        // Coverage over no components is not 100 %: it is not applicable, and a floor
        // (--min-*-coverage) asks for something an empty SBOM cannot show.
        let floors = req.quality_enforced();
        out.push(Check::new(
            CheckCode::SbomQualityBelow,
            if floors {
                Outcome::Fail
            } else {
                Outcome::NotApplicable
            },
            if floors {
                "the SBOM lists no components: package URL, hash and license coverage are not applicable, so no coverage floor can be met"
            } else {
                "the SBOM lists no components: coverage is not applicable"
            },
            ev(),
        ));
    } else {
        quality_figures(&mut out, req, n, (purl, hashes, licenses), evref);
    }

    if deps {
        out.push(Check::pass(
            CheckCode::SbomDependenciesPresent,
            format!("{} dependency relationship(s)", sbom.dependencies.len()),
            ev(),
        ));
    } else {
        out.push(Check::new(
            CheckCode::SbomDependenciesMissing,
            if req.require_dependencies {
                Outcome::Fail
            } else {
                Outcome::Warn
            },
            if sbom.has_dependency_section {
                "the dependency section is empty"
            } else {
                "the SBOM has no dependency relationships"
            },
            ev(),
        ));
    }
    out
}

fn timestamp(sbom: &Sbom, cx: &SbomContext<'_>, evref: &EvidenceRef) -> Vec<Check> {
    let ev = || vec![evref.clone()];
    let strict = cx.requirements.require_ntia;
    let soft = if strict { Outcome::Fail } else { Outcome::Warn };
    let Some(created) = &sbom.created else {
        return vec![Check::new(
            CheckCode::SbomTimestampInconsistent,
            soft,
            "the SBOM records no creation time",
            ev(),
        )];
    };
    let Ok(t) = created.parse::<jiff::Timestamp>() else {
        return vec![Check::new(
            CheckCode::SbomTimestampInconsistent,
            soft,
            format!("creation time {created:?} is not an RFC 3339 timestamp"),
            ev(),
        )];
    };
    {
        let now = cx.now;
        // A minute of clock skew is tolerated.
        if t.as_second() > now.as_second() + 60 {
            return vec![Check::fail(
                CheckCode::SbomTimestampInconsistent,
                format!("created {created}, in the future (now {})", cx.now),
                ev(),
            )];
        }
    }
    if let Some(build) = cx.build_time {
        // The SBOM of a build is made before or at it: one created after the verified signing
        // time of the build's provenance (five minutes of clock skew allowed) was made later,
        // from something other than the build.
        if t.as_second() > build.as_second() + 300 {
            return vec![Check::fail(
                CheckCode::SbomTimestampInconsistent,
                format!(
                    "created {created}, after the build's provenance was signed ({build}): not generated at the build"
                ),
                ev(),
            )];
        }
    }
    vec![Check::pass(
        CheckCode::SbomTimestampConsistent,
        format!("created {created}"),
        ev(),
    )]
}

/// Whether any check failed.
pub fn any_failed(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.outcome == Outcome::Fail)
}

/// One component in a diff: its identity key and version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiffEntry {
    /// Identity: the package URL without version, qualifiers and subpath, else the name.
    pub key: String,
    /// Version in the old SBOM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_version: Option<String>,
    /// Version in the new SBOM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_version: Option<String>,
    /// Whether the hashes changed (for a changed component).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hashes_changed: bool,
}

/// What changed between two SBOMs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SbomDiff {
    /// In the new SBOM only.
    pub added: Vec<DiffEntry>,
    /// In the old SBOM only.
    pub removed: Vec<DiffEntry>,
    /// In both, with another version or other hashes.
    pub changed: Vec<DiffEntry>,
    /// Components present in both, unchanged.
    pub unchanged: usize,
}

/// A component's identity across releases.
fn identity(c: &SbomComponent) -> Option<String> {
    if let Some(p) = c.purl.as_deref().filter(|p| !p.is_empty()) {
        // A purl that does not parse is its own identity, as written.
        return Some(
            provenant_formats::purl::parse_purl(p).map_or_else(|_| p.to_owned(), |p| p.identity()),
        );
    }
    c.name.clone().filter(|n| !n.is_empty())
}

/// Components added, removed and changed from `old` to `new` (subjects included). Components
/// with the same identity several times (two versions of one package) are compared as sets of
/// versions.
pub fn diff_sboms(old: &Sbom, new: &Sbom) -> SbomDiff {
    use std::collections::BTreeMap;
    type Versions = BTreeMap<String, Vec<(Option<String>, Vec<(String, String)>)>>;
    let index = |s: &Sbom| -> Versions {
        let mut m: Versions = BTreeMap::new();
        for c in s.subjects.iter().chain(&s.components) {
            if let Some(k) = identity(c) {
                let mut hashes: Vec<(String, String)> = c
                    .hashes
                    .iter()
                    .map(|h| (h.algorithm.clone(), h.value.to_ascii_lowercase()))
                    .collect();
                hashes.sort();
                let e = m.entry(k).or_default();
                if !e.iter().any(|(v, h)| *v == c.version && *h == hashes) {
                    e.push((c.version.clone(), hashes));
                }
            }
        }
        m
    };
    let (a, b) = (index(old), index(new));
    let mut d = SbomDiff::default();
    for (k, olds) in &a {
        match b.get(k) {
            None => {
                for (v, _) in olds {
                    d.removed.push(DiffEntry {
                        key: k.clone(),
                        old_version: v.clone(),
                        new_version: None,
                        hashes_changed: false,
                    });
                }
            }
            Some(news) => {
                if olds == news {
                    d.unchanged += 1;
                    continue;
                }
                let ov: Vec<&Option<String>> = olds.iter().map(|(v, _)| v).collect();
                let nv: Vec<&Option<String>> = news.iter().map(|(v, _)| v).collect();
                let join = |vs: &[&Option<String>]| {
                    let s: Vec<&str> = vs.iter().filter_map(|v| v.as_deref()).collect();
                    (!s.is_empty()).then(|| s.join(", "))
                };
                d.changed.push(DiffEntry {
                    key: k.clone(),
                    old_version: join(&ov),
                    new_version: join(&nv),
                    hashes_changed: ov == nv,
                });
            }
        }
    }
    for (k, news) in &b {
        if !a.contains_key(k) {
            for (v, _) in news {
                d.added.push(DiffEntry {
                    key: k.clone(),
                    old_version: None,
                    new_version: v.clone(),
                    hashes_changed: false,
                });
            }
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use provenant_formats::sbom::{SbomEncoding, SbomHash, SbomStandard};

    fn comp(name: &str, version: &str, purl: Option<&str>) -> SbomComponent {
        SbomComponent {
            name: Some(name.into()),
            version: Some(version.into()),
            purl: purl.map(Into::into),
            ..SbomComponent::default()
        }
    }

    fn sbom(components: Vec<SbomComponent>) -> Sbom {
        Sbom {
            standard: SbomStandard::CycloneDx,
            encoding: SbomEncoding::Json,
            spec_version: "1.6".into(),
            serial: None,
            name: None,
            created: Some("2026-01-01T00:00:00Z".into()),
            authors: vec![],
            tools: vec!["t".into()],
            subjects: vec![],
            components,
            dependencies: vec![],
            has_dependency_section: false,
            source_commit: None,
            source_commits: vec![],
            deviations: vec![],
        }
    }

    /// Issue 13, class 11: coverage over no components is not 100 %.
    #[test]
    fn an_empty_sbom_meets_no_coverage_floor() {
        let ev = EvidenceRef::new(provenant_model::EvidenceKind::Sbom, "s.json");
        let outcome =
            |checks: &[Check], code| checks.iter().find(|c| c.code == code).map(|c| c.outcome);
        let floor = SbomRequirements {
            min_purl_percent: Some(50.0),
            ..SbomRequirements::default()
        };
        let c = quality(&sbom(vec![]), &floor, &ev);
        assert_eq!(
            outcome(&c, CheckCode::SbomQualityBelow),
            Some(Outcome::Fail)
        );
        assert_eq!(outcome(&c, CheckCode::SbomQualityMet), None);
        assert_ne!(
            outcome(&c, CheckCode::SbomNtiaComplete),
            Some(Outcome::Pass)
        );
        let c = quality(&sbom(vec![]), &SbomRequirements::default(), &ev);
        assert_eq!(
            outcome(&c, CheckCode::SbomQualityBelow),
            Some(Outcome::NotApplicable)
        );
        let c = quality(
            &sbom(vec![comp("a", "1", Some("pkg:npm/a@1"))]),
            &floor,
            &ev,
        );
        assert_eq!(outcome(&c, CheckCode::SbomQualityMet), Some(Outcome::Pass));
    }

    #[test]
    fn purl_digests_are_read_from_the_version_and_qualifiers() {
        let c = comp(
            "app",
            "x",
            Some("pkg:oci/app@sha256%3AABCD?repository_url=r&digest=sha512:ef"),
        );
        let d = component_digests(&c);
        assert!(d.contains(&("sha256".into(), "abcd".into())));
        assert!(d.contains(&("sha512".into(), "ef".into())));
        let mut h = comp("f", "1", None);
        h.hashes.push(SbomHash {
            algorithm: "sha256".into(),
            value: "AA".into(),
        });
        assert_eq!(component_digests(&h), vec![("sha256".into(), "aa".into())]);
    }

    #[test]
    fn an_encoded_at_sign_in_a_purl_name_is_not_a_version() {
        let hex = "ab".repeat(32);
        let c = comp("x", "1", Some(&format!("pkg:oci/x%40sha256%3A{hex}")));
        assert!(component_digests(&c).is_empty());
        let c = comp("x", "1", Some(&format!("pkg:oci/x@sha256%3A{hex}")));
        assert_eq!(component_digests(&c), vec![("sha256".into(), hex)]);
    }

    #[test]
    fn a_subject_naming_the_artifact_and_another_digest_is_a_conflict() {
        let hex = "ab".repeat(32);
        let other = "cd".repeat(32);
        let artifact: Digest = format!("sha256:{hex}").parse().unwrap();
        let req = SbomRequirements {
            require_binding: true,
            ..SbomRequirements::default()
        };
        let check = |subject: SbomComponent| {
            let mut s = sbom(vec![]);
            s.subjects = vec![subject];
            let parsed = ParsedSbom {
                sbom: s,
                violations: vec![],
                validated: true,
                not_validated: None,
            };
            let cx = SbomContext {
                artifact: Some(std::slice::from_ref(&artifact)),
                origin: SbomOrigin::File,
                build_time: None,
                now: "2026-01-01T00:00:00Z".parse().unwrap(),
                requirements: &req,
            };
            check_sbom(&parsed, &EvidenceRef::file("s.json"), &cx)
                .into_iter()
                .find(|c| c.code.as_str().starts_with("sbom-b") || c.code == CheckCode::SbomUnbound)
                .map(|c| (c.code, c.outcome))
        };
        let hashed = |values: &[&str]| {
            let mut c = comp("app", "1", None);
            for v in values {
                c.hashes.push(SbomHash {
                    algorithm: "sha256".into(),
                    value: (*v).to_owned(),
                });
            }
            c
        };
        assert_eq!(
            check(hashed(&[&hex])),
            Some((CheckCode::SbomBound, Outcome::Pass))
        );
        // Two checksums of one algorithm, one of them right.
        assert_eq!(
            check(hashed(&[&hex, &other])),
            Some((CheckCode::SbomBindingConflict, Outcome::Fail))
        );
        // The hash names the artifact, the purl another digest.
        let mut c = hashed(&[&hex]);
        c.purl = Some(format!("pkg:oci/app@sha256%3A{other}"));
        assert_eq!(
            check(c),
            Some((CheckCode::SbomBindingConflict, Outcome::Fail))
        );
        let mut c = hashed(&[&hex]);
        c.purl = Some(format!("pkg:oci/app?digest=sha256%3A{other}"));
        assert_eq!(
            check(c),
            Some((CheckCode::SbomBindingConflict, Outcome::Fail))
        );
        // Two sha1 checksums beside the right sha256: a contradiction too.
        let mut c = hashed(&[&hex]);
        for v in ["11", "22"] {
            c.hashes.push(SbomHash {
                algorithm: "sha1".into(),
                value: v.into(),
            });
        }
        assert_eq!(
            check(c),
            Some((CheckCode::SbomBindingConflict, Outcome::Fail))
        );
    }

    #[test]
    fn an_attested_sbom_is_compared_like_a_given_one() {
        let hex = "ab".repeat(32);
        let other = "cd".repeat(32);
        let artifact: Digest = format!("sha256:{hex}").parse().unwrap();
        let req = SbomRequirements::default();
        let binding_of = |subject: Option<SbomComponent>, origin: SbomOrigin| {
            let mut s = sbom(vec![]);
            s.subjects = subject.into_iter().collect();
            let parsed = ParsedSbom {
                sbom: s,
                violations: vec![],
                validated: true,
                not_validated: None,
            };
            let cx = SbomContext {
                artifact: Some(std::slice::from_ref(&artifact)),
                origin,
                build_time: None,
                now: "2026-01-01T00:00:00Z".parse().unwrap(),
                requirements: &req,
            };
            check_sbom(&parsed, &EvidenceRef::file("s.json"), &cx)
                .into_iter()
                .find(|c| c.code.as_str().starts_with("sbom-b") || c.code == CheckCode::SbomUnbound)
                .map(|c| (c.code, c.outcome))
        };
        let hashed = |alg: &str, v: &str| {
            let mut c = comp("app", "1", None);
            c.hashes.push(SbomHash {
                algorithm: alg.into(),
                value: v.into(),
            });
            c
        };
        let attested = || SbomOrigin::Attested(artifact.clone());
        for origin in [SbomOrigin::File, attested()] {
            assert_eq!(
                binding_of(Some(hashed("sha256", &other)), origin.clone()),
                Some((CheckCode::SbomBindingMismatch, Outcome::Fail)),
                "{origin:?}"
            );
            assert_eq!(
                binding_of(Some(hashed("sha256", &hex)), origin.clone()),
                Some((CheckCode::SbomBound, Outcome::Pass)),
                "{origin:?}"
            );
        }
        // Naming no digest itself, an attested SBOM is bound by its statement alone.
        assert_eq!(
            binding_of(Some(comp("app", "1", None)), attested()),
            Some((CheckCode::SbomBound, Outcome::Pass))
        );
        assert_eq!(
            binding_of(None, attested()),
            Some((CheckCode::SbomBound, Outcome::Pass))
        );
        assert_eq!(
            binding_of(Some(comp("app", "1", None)), SbomOrigin::File),
            Some((CheckCode::SbomUnbound, Outcome::Warn))
        );
    }

    #[test]
    fn diff_lists_added_removed_changed() {
        let old = sbom(vec![
            comp("a", "1", Some("pkg:npm/a@1")),
            comp("b", "1", Some("pkg:npm/%40s/b@1")),
            comp("c", "1", None),
        ]);
        let new = sbom(vec![
            comp("a", "2", Some("pkg:npm/a@2")),
            comp("c", "1", None),
            comp("d", "1", Some("pkg:npm/d@1")),
        ]);
        let d = diff_sboms(&old, &new);
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].key, "pkg:npm/d");
        assert_eq!(d.removed[0].key, "pkg:npm/@s/b");
        assert_eq!(d.changed[0].old_version.as_deref(), Some("1"));
        assert_eq!(d.changed[0].new_version.as_deref(), Some("2"));
        assert_eq!(d.unchanged, 1);
    }
}
