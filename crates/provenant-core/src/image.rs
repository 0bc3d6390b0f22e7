//! `verify image`: an image is verified as its manifest digest — the same pipeline as an
//! artifact, over the evidence found beside the image — plus the image-level checks: how the
//! reference was resolved, whether the tag moved, which platforms were verified.

use provenant_model::{
    Check, CheckCode, Digest, EvidenceKind, EvidenceRef, Outcome, Report, Subject, SubjectKind,
    ToolInfo,
};
use provenant_verify::TrustRoot;

use crate::evidence::EvidenceContent;
use crate::pipeline::{
    verify_artifact_attested, ArtifactInputs, AttestedStatement, TOOL_NAME, TOOL_VERSION,
};

/// One digest to verify: the image (or index) itself, or one platform manifest of an index.
#[derive(Debug)]
pub struct ImageTarget {
    /// `None` for the image itself; the platform (`linux/amd64`) for a platform manifest.
    pub platform: Option<String>,
    /// The digest and the evidence found for it.
    pub artifact: ArtifactInputs,
    /// Where evidence was searched for, and what each place gave.
    pub searched: Vec<String>,
}

/// Everything `verify image` needs, already collected.
#[derive(Debug)]
pub struct ImageInputs {
    /// The reference as given.
    pub reference: String,
    /// The tag it was resolved from, when it named one and no digest.
    pub resolved_from_tag: Option<String>,
    /// `--expected-digest`.
    pub expected_digest: Option<Digest>,
    /// Whether the subject manifest is an index.
    pub is_index: bool,
    /// The subject's media type.
    pub media_type: String,
    /// The image itself first, then each platform asked for.
    pub targets: Vec<ImageTarget>,
    /// Platforms asked for that the index does not list (or the subject is not an index).
    pub missing_platforms: Vec<String>,
    /// The registry repository verified (`registry/path`); `None` for a layout or an archive,
    /// which have none.
    pub repository: Option<String>,
    /// `--require-signed-reference`: a cosign signature naming another repository fails.
    pub require_signed_reference: bool,
}

fn tool() -> ToolInfo {
    ToolInfo {
        name: TOOL_NAME.into(),
        version: TOOL_VERSION.into(),
    }
}

/// The report for an image whose manifest could not be read: one failed check.
pub fn image_unreadable(reference: &str, reason: &str, now: jiff::Timestamp) -> Report {
    image_refused(reference, CheckCode::ImageManifestInvalid, reason, now)
}

/// The report for an image refused before anything could be verified, with the check that
/// says why (`image-manifest-invalid`, `image-archive-inconsistent`).
pub fn image_refused(
    reference: &str,
    code: CheckCode,
    reason: &str,
    now: jiff::Timestamp,
) -> Report {
    Report::new(
        tool(),
        "verify image",
        crate::engine::rfc3339(now),
        Subject {
            kind: SubjectKind::Image,
            name: Some(reference.into()),
            digests: vec![],
            size: None,
        },
        vec![Check::fail(
            code,
            format!("{reference}: {reason}"),
            vec![EvidenceRef::new(EvidenceKind::OciManifest, reference)],
        )],
        vec![],
        vec![],
    )
}

/// Verify an image. Pure: every byte was collected before.
pub fn verify_image(inputs: &ImageInputs, trust: &TrustRoot, now: jiff::Timestamp) -> Report {
    verify_image_attested(inputs, trust, now).0
}

/// [`verify_image`], also returning the verified in-toto statements of every target.
pub fn verify_image_attested(
    inputs: &ImageInputs,
    trust: &TrustRoot,
    now: jiff::Timestamp,
) -> (Report, Vec<AttestedStatement>) {
    let Some(first) = inputs.targets.first() else {
        return (
            image_unreadable(&inputs.reference, "nothing to verify", now),
            vec![],
        );
    };
    let digest = first.artifact.subject.digests.first().cloned();
    let manifest_ref = |d: Option<&Digest>| {
        let r = EvidenceRef::new(EvidenceKind::OciManifest, &inputs.reference);
        match d {
            Some(d) => r.with_digest(d.clone()),
            None => r,
        }
    };
    let mut checks = Vec::new();
    let shown = digest.as_ref().map(ToString::to_string).unwrap_or_default();
    let kind = if inputs.is_index { "index" } else { "manifest" };
    checks.push(Check::pass(
        CheckCode::ImageResolved,
        match &inputs.resolved_from_tag {
            Some(t) => format!(
                "tag {t:?} resolved once to {kind} {shown} ({}); everything below is about that digest",
                inputs.media_type
            ),
            None => format!("{kind} {shown} ({}), by digest", inputs.media_type),
        },
        vec![manifest_ref(digest.as_ref())],
    ));
    if let Some(want) = &inputs.expected_digest {
        if Some(want) != digest.as_ref() {
            checks.push(Check::fail(
                CheckCode::ImageTagMoved,
                format!(
                    "tag moved: {} now resolves to {shown}, but --expected-digest is {want}",
                    inputs.reference
                ),
                vec![
                    manifest_ref(digest.as_ref()),
                    EvidenceRef::new(EvidenceKind::Flag, "--expected-digest"),
                ],
            ));
        }
    }
    for p in &inputs.missing_platforms {
        checks.push(Check::fail(
            CheckCode::ImagePlatformMissing,
            if inputs.is_index {
                format!("platform {p} is not listed in the index {shown}")
            } else {
                format!("--platform {p} was asked for, but {shown} is a single-platform manifest, not an index")
            },
            vec![manifest_ref(digest.as_ref()), EvidenceRef::new(EvidenceKind::Flag, "--platform")],
        ));
    }
    let mut signatures = Vec::new();
    let mut gates = Vec::new();
    let mut attested = Vec::new();
    let mut opt_outs: Vec<provenant_model::OptOut> = Vec::new();
    for t in &inputs.targets {
        let label = t.platform.as_deref();
        let d = t.artifact.subject.digests.first();
        if let Some(p) = label {
            checks.push(Check::pass(
                CheckCode::ImagePlatformFound,
                format!(
                    "platform {p}: manifest {}",
                    d.map(ToString::to_string).unwrap_or_default()
                ),
                vec![manifest_ref(d)],
            ));
        }
        if !t.searched.is_empty() {
            checks.push(Check::pass(
                CheckCode::EvidenceSearched,
                format!(
                    "{}searched: {}",
                    label.map(|p| format!("[{p}] ")).unwrap_or_default(),
                    t.searched.join("; ")
                ),
                vec![manifest_ref(d)],
            ));
        }
        if let Some(repo) = &inputs.repository {
            checks.extend(signed_references(t, repo, inputs.require_signed_reference));
        }
        let (r, st) = verify_artifact_attested(&t.artifact, trust, now);
        attested.extend(st);
        for mut c in r.checks {
            if let Some(p) = label {
                c.reason = format!("[{p}] {}", c.reason);
            }
            checks.push(c);
        }
        signatures.extend(r.signatures);
        gates.extend(r.gates);
        for o in r.opt_outs {
            if !opt_outs.contains(&o) {
                opt_outs.push(o);
            }
        }
    }
    // Defensive: a run with no passing signature must not pass because a later target did.
    if !checks.iter().any(|c| c.outcome == Outcome::Fail) && !signatures.iter().any(|s| s.verified)
    {
        checks.push(Check::fail(
            CheckCode::SignatureInvalid,
            "no signature of the image verified",
            vec![manifest_ref(digest.as_ref())],
        ));
    }
    let mut report = Report::new(
        tool(),
        "verify image",
        crate::engine::rfc3339(now),
        Subject {
            kind: SubjectKind::Image,
            name: Some(inputs.reference.clone()),
            digests: digest.into_iter().collect(),
            size: None,
        },
        checks,
        signatures,
        opt_outs,
    );
    report.gates = gates;
    (report, attested)
}

/// The repository each cosign signature of `t` was made for (its signed payload's
/// `critical.identity.docker-reference`), against the repository verified: a signature copied
/// from another repository of the same image is reported, and fails when `required`.
fn signed_references(t: &ImageTarget, repository: &str, required: bool) -> Vec<Check> {
    let want = normalize_repository(repository);
    let label = t
        .platform
        .as_deref()
        .map(|p| format!("[{p}] "))
        .unwrap_or_default();
    let mut out = Vec::new();
    for e in &t.artifact.evidence {
        let EvidenceContent::CosignSignature(sig) = &e.content else {
            continue;
        };
        let Ok(simple) = &sig.simple else {
            continue; // unreadable payloads fail in the pipeline
        };
        if !t.artifact.subject.digests.contains(&simple.manifest_digest) {
            continue; // a signature of another image fails there too
        }
        let evref = EvidenceRef::new(EvidenceKind::CosignSignature, &e.location);
        let named = normalize_repository(&simple.docker_reference);
        if named == want {
            out.push(Check::pass(
                CheckCode::ImageSignedReferenceMatches,
                format!("{label}the signature was made for {repository}"),
                vec![evref],
            ));
            continue;
        }
        let shown = if simple.docker_reference.is_empty() {
            "no repository".to_owned()
        } else {
            format!("{:?}", simple.docker_reference)
        };
        let reason = format!(
            "{label}the signed payload names {shown}, not the verified repository {repository}{}",
            if required {
                ""
            } else {
                " (--require-signed-reference makes this a failure)"
            }
        );
        out.push(Check::new(
            CheckCode::ImageSignedReferenceMismatch,
            if required {
                Outcome::Fail
            } else {
                Outcome::Warn
            },
            reason,
            vec![evref],
        ));
    }
    out
}

/// `registry/path` without tag or digest, with Docker Hub's aliases folded
/// (`index.docker.io/alpine` and `docker.io/library/alpine` are one repository).
fn normalize_repository(reference: &str) -> String {
    let r = reference.split('@').next().unwrap_or_default();
    let r = match r.rsplit_once(':') {
        Some((head, tag)) if !tag.contains('/') => head,
        _ => r,
    };
    let (host, path) = match r.split_once('/') {
        Some((h, p)) if h.contains('.') || h.contains(':') || h == "localhost" => (h, p),
        _ => ("docker.io", r),
    };
    let host = match host {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => "docker.io",
        h => h,
    };
    if host == "docker.io" && !path.contains('/') {
        format!("docker.io/library/{path}")
    } else {
        format!("{host}/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_repository;

    #[test]
    fn repositories_normalize_like_docker() {
        for (a, b) in [
            ("alpine", "docker.io/library/alpine"),
            (
                "index.docker.io/library/alpine:3",
                "docker.io/library/alpine",
            ),
            (
                "registry-1.docker.io/org/app@sha256:ab",
                "docker.io/org/app",
            ),
            ("127.0.0.1:5000/app", "127.0.0.1:5000/app"),
            ("ghcr.io/org/app:v1", "ghcr.io/org/app"),
        ] {
            assert_eq!(normalize_repository(a), b, "{a}");
        }
        assert_ne!(
            normalize_repository("ghcr.io/org/app"),
            normalize_repository("ghcr.io/org/app-evil")
        );
    }
}
