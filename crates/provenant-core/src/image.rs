//! `verify image`: an image is verified as its manifest digest — the same pipeline as an
//! artifact, over the evidence found beside the image — plus the image-level checks: how the
//! reference was resolved, whether the tag moved, which platforms were verified.

use provenant_model::{
    Check, CheckCode, Digest, EvidenceKind, EvidenceRef, Outcome, Report, Subject, SubjectKind,
    ToolInfo,
};
use provenant_verify::TrustRoot;

use crate::pipeline::{verify_artifact, ArtifactInputs, TOOL_NAME, TOOL_VERSION};

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
}

fn tool() -> ToolInfo {
    ToolInfo {
        name: TOOL_NAME.into(),
        version: TOOL_VERSION.into(),
    }
}

/// The report for an image whose manifest could not be read: one failed check.
pub fn image_unreadable(reference: &str, reason: &str, now: &str) -> Report {
    Report::new(
        tool(),
        "verify image",
        now,
        Subject {
            kind: SubjectKind::Image,
            name: Some(reference.into()),
            digests: vec![],
            size: None,
        },
        vec![Check::fail(
            CheckCode::ImageManifestInvalid,
            format!("{reference}: {reason}"),
            vec![EvidenceRef::new(EvidenceKind::OciManifest, reference)],
        )],
        vec![],
        vec![],
    )
}

/// Verify an image. Pure: every byte was collected before.
pub fn verify_image(inputs: &ImageInputs, trust: &TrustRoot, now: &str) -> Report {
    let Some(first) = inputs.targets.first() else {
        return image_unreadable(&inputs.reference, "nothing to verify", now);
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
        let r = verify_artifact(&t.artifact, trust, now);
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
        now,
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
    report
}
