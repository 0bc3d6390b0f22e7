//! `provenant verify image` and `provenant provenance <REF>`: collect the image and the evidence
//! beside it (registry, OCI layout, docker archive), then verify it as its manifest digest.

use std::time::Duration;

use provenant_collect::auth::CredentialSource;
use provenant_collect::image::{collect_image, CollectedTarget, PlatformSelection, Refused};
use provenant_collect::store::sha256_digest;
use provenant_collect::{
    parse_image_ref, CollectError, Discovered, DiscoveredKind, ImageRef, RegistryOptions,
};
use provenant_core::{
    classify_evidence, image_refused, verify_image, ArtifactInputs, CosignSignature, Evidence,
    EvidenceContent, Found, ImageInputs, ImageTarget,
};
use provenant_formats::cosign::{legacy_bundle, LegacyContent};
use provenant_formats::limits::MAX_EVIDENCE_BYTES;
use provenant_formats::oci::{
    parse_oci_digest, parse_simple_signing, Platform, ANN_COSIGN_CERTIFICATE, ANN_COSIGN_SIGNATURE,
};
use provenant_formats::sbom::{is_sbom_predicate, parse_sbom, ParsedSbom, SbomError};
use provenant_model::{Report, Subject, SubjectKind};

use super::verify::{finish, load_trust, signer_policy, source_policy, with_gates, ArtifactArgs};
use super::{read_limited, CliError};

/// `--registry-timeout` when not given (seconds).
const DEFAULT_REGISTRY_TIMEOUT_SECS: u64 = 300;

/// `provenant verify image`.
pub fn verify(a: &ArtifactArgs) -> Result<u8, CliError> {
    a.outputs(super::output::Renderer::Verify).check()?;
    let report = super::policy::finalize(&a.policy_extras, evaluate(a)?)?;
    finish(a, report)
}

/// Whether a `provenance` subject names an image rather than a file: an `oci-layout:` or
/// `docker-archive:` prefix, or — when no such file exists — a reference with a registry path
/// and an explicit tag or digest (`ghcr.io/org/app:v1`, `…@sha256:…`). A mistyped file name
/// (`app.tar.gz`, `dist/app.tgz`) is never taken for a Docker Hub image.
pub fn is_image_subject(s: &str) -> bool {
    if s.starts_with("oci-layout:") || s.starts_with("docker-archive:") {
        return true;
    }
    let tagged = s.contains('@') || s.rsplit('/').next().is_some_and(|last| last.contains(':'));
    s.contains('/') && tagged && !std::path::Path::new(s).exists() && parse_image_ref(s).is_ok()
}

fn collect_error(e: CollectError) -> CliError {
    match e {
        CollectError::Unreachable(m) | CollectError::Auth(m) => CliError::Unreachable(m),
        CollectError::Usage(m) | CollectError::NotFound(m) | CollectError::Invalid(m) => {
            CliError::Input(m)
        }
        other => CliError::Input(other.to_string()),
    }
}

/// Verify the image named by `a.file`; the report's command is `verify image`.
pub fn evaluate(a: &ArtifactArgs) -> Result<Report, CliError> {
    if a.digest.is_some() || a.layout.is_some() || a.vsa.is_some() {
        return Err(CliError::Input(
            "--digest, --layout and --vsa are for `verify artifact`; an image is named by its reference".into(),
        ));
    }
    let reference = a
        .file
        .as_deref()
        .ok_or_else(|| CliError::Input("give the image reference (REF)".into()))?;
    let image = parse_image_ref(reference).map_err(collect_error)?;
    let trust = load_trust(a.trusted_root.as_deref())?;
    let policy = source_policy(a)?;
    let signer = signer_policy(a, &policy)?;
    let expected = a
        .expected_digest
        .as_deref()
        .map(|d| {
            parse_oci_digest(d).map_err(|e| CliError::Input(format!("--expected-digest: {e}")))
        })
        .transpose()?;
    let platforms = if a.platform.iter().any(|p| p == "all") {
        PlatformSelection::All
    } else if a.platform.is_empty() {
        PlatformSelection::None
    } else {
        PlatformSelection::These(
            a.platform
                .iter()
                .map(|p| {
                    Platform::parse(p).ok_or_else(|| {
                        CliError::Input(format!(
                            "--platform {p:?}: write it as os/arch[/variant], e.g. linux/amd64, or all"
                        ))
                    })
                })
                .collect::<Result<_, _>>()?,
        )
    };
    let total = Duration::from_secs(a.registry_timeout.unwrap_or(DEFAULT_REGISTRY_TIMEOUT_SECS));
    let defaults = RegistryOptions::default();
    let mut opts = RegistryOptions {
        allow_insecure: a.allow_insecure_registry,
        max_concurrency: a.max_concurrency.max(1),
        timeout: defaults.timeout.min(total),
        ..defaults
    };
    opts.credentials = match a.registry_config.as_deref() {
        None => CredentialSource::DockerConfig,
        Some("none") => CredentialSource::Anonymous,
        Some(p) => CredentialSource::ConfigFile(p.into()),
    };
    let now = super::verify::now_rfc3339();
    let collected =
        collect_image(&image, reference, &platforms, opts, total).map_err(collect_error)?;
    let collected = match collected {
        Ok(c) => c,
        Err(Refused { code, reason }) => return Ok(image_refused(reference, code, &reason, &now)),
    };

    // Extra evidence files given with --bundle/--attestations count for the image itself.
    let mut given = Vec::new();
    for p in a.bundle.iter().chain(&a.provenance).chain(&a.attestations) {
        let bytes = read_limited(p, MAX_EVIDENCE_BYTES, "evidence file")?;
        given.push(Evidence::from_bytes(p.clone(), Found::Given, &bytes));
    }
    let validator = super::sbom::xml_validator();
    let mut targets = Vec::new();
    for (
        i,
        CollectedTarget {
            platform,
            digest,
            discovery,
        },
    ) in collected.targets.into_iter().enumerate()
    {
        let mut evidence = Vec::new();
        let mut sboms = Vec::new();
        if i == 0 {
            evidence.append(&mut given);
        }
        for d in discovery.items {
            let (ev, sbom) = to_evidence(d, validator.as_deref());
            evidence.extend(ev);
            sboms.extend(sbom);
        }
        targets.push(ImageTarget {
            platform,
            artifact: ArtifactInputs {
                subject: Subject {
                    kind: SubjectKind::Image,
                    name: Some(collected.reference.clone()),
                    digests: vec![digest],
                    size: None,
                },
                evidence,
                signer: signer.clone(),
                threshold: a.threshold,
                policy: policy.clone(),
                sbom: super::verify::sbom_inputs(a, sboms)?,
                insecure_ignore_tlog: a.insecure_ignore_tlog,
            },
            searched: discovery.searched,
        });
    }
    let inputs = ImageInputs {
        reference: collected.reference,
        resolved_from_tag: collected.resolved_from_tag,
        expected_digest: expected,
        is_index: collected.is_index,
        media_type: collected.media_type,
        targets,
        missing_platforms: collected.missing_platforms,
        repository: match &image {
            ImageRef::Registry(r) => Some(r.repository_name()),
            _ => None,
        },
        require_signed_reference: a.require_signed_reference,
    };
    let report = verify_image(&inputs, &trust, &now);
    let digests = report.subject.digests.clone();
    with_gates(a, report, &digests, &now)
}

type FoundSbom = (String, Result<ParsedSbom, SbomError>);

/// Turn a discovered item into pipeline evidence (and an SBOM to judge, when it is one).
fn to_evidence(
    d: Discovered,
    validator: Option<&dyn provenant_formats::sbom::XmlSchemaValidator>,
) -> (Option<Evidence>, Option<FoundSbom>) {
    let ev = |content| {
        Some(Evidence {
            location: d.location.clone(),
            found: Found::Image,
            content,
        })
    };
    match d.kind {
        DiscoveredKind::CosignSignature {
            payload,
            annotations,
        } => {
            let sha = sha256_digest(&payload);
            let mut raw = [0u8; 32];
            raw.copy_from_slice(&sha.to_bytes());
            let bundle = match legacy_bundle(LegacyContent::Payload { sha256: &raw }, &annotations)
            {
                Ok(None) => None,
                Ok(Some(b)) => Some(Ok(b)),
                Err(e) => Some(Err(e.to_string())),
            };
            let signature = annotations
                .get(ANN_COSIGN_SIGNATURE)
                .and_then(|s| provenant_formats::dsse::decode_base64(s.trim()));
            let simple = parse_simple_signing(&payload).map_err(|e| e.to_string());
            (
                ev(EvidenceContent::CosignSignature(Box::new(
                    CosignSignature {
                        payload,
                        payload_sha256: sha,
                        simple,
                        signature,
                        bundle,
                    },
                ))),
                None,
            )
        }
        DiscoveredKind::Envelope { bytes, annotations } => {
            if annotations.contains_key(ANN_COSIGN_CERTIFICATE) {
                let content = match legacy_bundle(LegacyContent::Envelope(&bytes), &annotations) {
                    Ok(Some(b)) => EvidenceContent::Bundles(vec![Ok(b)]),
                    Ok(None) => classify_evidence(&bytes),
                    Err(e) => EvidenceContent::Unreadable(e.to_string()),
                };
                (ev(content), None)
            } else {
                (ev(classify_evidence(&bytes)), None)
            }
        }
        DiscoveredKind::Bundle { bytes } => (ev(classify_evidence(&bytes)), None),
        DiscoveredKind::Sbom { bytes, media_type } => (
            ev(EvidenceContent::Unsigned(format!("SBOM ({media_type})"))),
            Some((d.location.clone(), parse_sbom(&bytes, validator))),
        ),
        DiscoveredKind::Statement {
            bytes,
            predicate_type,
        } => {
            let pt = predicate_type.unwrap_or_else(|| "unnamed".into());
            let sbom =
                is_sbom_predicate(&pt).then(|| (d.location.clone(), parse_sbom(&bytes, validator)));
            (
                ev(EvidenceContent::Unsigned(format!(
                    "in-toto statement with predicate {pt} (a BuildKit attestation)"
                ))),
                sbom,
            )
        }
        DiscoveredKind::WrongSubject { claimed } => (
            ev(EvidenceContent::WrongSubject(match claimed {
                Some(c) => format!("listed as a referrer of the image, but its subject is {c}"),
                None => "listed as a referrer of the image, but it names no subject".into(),
            })),
            None,
        ),
        DiscoveredKind::Unreadable { reason } => (ev(EvidenceContent::Unreadable(reason)), None),
        DiscoveredKind::Unsupported { media_type } => (
            ev(EvidenceContent::Unsupported(format!(
                "media type {media_type}"
            ))),
            None,
        ),
    }
}
