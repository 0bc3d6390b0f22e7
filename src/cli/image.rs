//! `provenant verify image` and `provenant provenance <REF>`: collect the image and the evidence
//! beside it (registry, OCI layout, docker archive), then verify it as its manifest digest.

use provenant_collect::auth::CredentialSource;
use provenant_collect::layout::LayoutStore;
use provenant_collect::store::sha256_digest;
use provenant_collect::{
    discover, parse_image_ref, CollectError, Discovered, DiscoveredKind, ImageRef, RegistryClient,
    RegistryOptions, Selector, Store,
};
use provenant_core::{
    classify_evidence, image_unreadable, verify_image, ArtifactInputs, CosignSignature, Evidence,
    EvidenceContent, Found, ImageInputs, ImageTarget,
};
use provenant_formats::cosign::{legacy_bundle, LegacyContent};
use provenant_formats::limits::MAX_EVIDENCE_BYTES;
use provenant_formats::oci::{
    parse_manifest, parse_oci_digest, parse_simple_signing, Manifest, Platform,
    ANN_COSIGN_CERTIFICATE, ANN_COSIGN_SIGNATURE, ANN_DOCKER_REFERENCE_TYPE,
};
use provenant_formats::sbom::{is_sbom_predicate, parse_sbom, ParsedSbom, SbomError};
use provenant_model::{Digest, Report, Subject, SubjectKind};

use super::verify::{finish, load_trust, signer_policy, source_policy, with_gates, ArtifactArgs};
use super::{read_limited, CliError};

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

/// Which platforms of an index to verify besides the index.
enum Platforms {
    None,
    All,
    These(Vec<Platform>),
}

/// What was collected: the subject and, per target, the evidence found.
struct Collected {
    reference: String,
    resolved_from_tag: Option<String>,
    is_index: bool,
    media_type: String,
    targets: Vec<(Option<String>, Digest, provenant_collect::Discovery)>,
    missing_platforms: Vec<String>,
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
        Platforms::All
    } else if a.platform.is_empty() {
        Platforms::None
    } else {
        Platforms::These(
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
    let mut opts = RegistryOptions {
        allow_insecure: a.allow_insecure_registry,
        max_concurrency: a.max_concurrency.max(1),
        ..RegistryOptions::default()
    };
    opts.credentials = match a.registry_config.as_deref() {
        None => CredentialSource::DockerConfig,
        Some("none") => CredentialSource::Anonymous,
        Some(p) => CredentialSource::ConfigFile(p.into()),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Input(format!("cannot start the I/O runtime: {e}")))?;
    let now = super::verify::now_rfc3339();
    let collected = match rt.block_on(collect(&image, reference, &platforms, opts))? {
        Ok(c) => c,
        Err(reason) => return Ok(image_unreadable(reference, &reason, &now)),
    };

    // Extra evidence files given with --bundle/--attestations count for the image itself.
    let mut given = Vec::new();
    for p in a.bundle.iter().chain(&a.provenance).chain(&a.attestations) {
        let bytes = read_limited(p, MAX_EVIDENCE_BYTES, "evidence file")?;
        given.push(Evidence::from_bytes(p.clone(), Found::Given, &bytes));
    }
    let validator = super::sbom::xml_validator();
    let mut targets = Vec::new();
    for (i, (platform, digest, discovery)) in collected.targets.into_iter().enumerate() {
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
    };
    let report = verify_image(&inputs, &trust, &now);
    let digests = report.subject.digests.clone();
    with_gates(a, report, &digests, &now)
}

async fn collect(
    image: &ImageRef,
    reference: &str,
    platforms: &Platforms,
    opts: RegistryOptions,
) -> Result<Result<Collected, String>, CliError> {
    let (store, selector) = match image {
        ImageRef::Registry(r) => (
            Store::Registry(
                RegistryClient::connect(r, opts)
                    .await
                    .map_err(collect_error)?,
            ),
            r.selector(),
        ),
        ImageRef::Layout { dir, selector } => {
            let l = LayoutStore::open_dir(dir).map_err(collect_error)?;
            let sel = match selector {
                Some(Selector::Digest(d)) => Selector::Digest(d.clone()),
                other => Selector::Digest(l.find(other.as_ref()).map_err(collect_error)?.digest),
            };
            (Store::Layout(l), sel)
        }
        ImageRef::DockerArchive { file } => {
            let l = LayoutStore::open_archive(file).map_err(collect_error)?;
            let sel = Selector::Digest(l.find(None).map_err(collect_error)?.digest);
            (Store::Layout(l), sel)
        }
    };
    let resolved_from_tag = match (&selector, image) {
        (Selector::Tag(t), _) => Some(t.clone()),
        (
            _,
            ImageRef::Layout {
                selector: Some(Selector::Tag(t)),
                ..
            },
        ) => Some(t.clone()),
        _ => None,
    };
    let fetched = match store.manifest(&selector).await {
        Ok(Some(f)) => f,
        Ok(None) => {
            return Err(CliError::Input(format!(
                "{reference}: no such image in {} (check the tag or digest)",
                store.location()
            )))
        }
        Err(CollectError::Invalid(m)) => return Ok(Err(m)),
        Err(e) => return Err(collect_error(e)),
    };
    let manifest: Manifest = match parse_manifest(&fetched.bytes, fetched.media_type.as_deref()) {
        Ok(m) => m,
        Err(e) => return Ok(Err(format!("{}: {e}", fetched.location))),
    };
    let digest = fetched.digest.clone();
    let own = discover(&store, &digest, None)
        .await
        .map_err(collect_error)?;
    let mut targets = vec![(None, digest.clone(), own)];
    let mut missing = Vec::new();
    let wanted: Vec<(String, Option<&Platform>)> = match platforms {
        Platforms::None => vec![],
        Platforms::All => vec![("all".into(), None)],
        Platforms::These(ps) => ps.iter().map(|p| (p.to_string(), Some(p))).collect(),
    };
    for (label, want) in wanted {
        let entries: Vec<_> = manifest
            .entries()
            .iter()
            .filter(|e| e.annotation(ANN_DOCKER_REFERENCE_TYPE).is_none())
            .filter(|e| match (want, &e.platform) {
                (None, Some(p)) => p.os != "unknown",
                (Some(w), Some(p)) => w.selects(p),
                _ => false,
            })
            .collect();
        if entries.is_empty() {
            missing.push(label);
            continue;
        }
        for e in entries {
            let name = e
                .platform
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            // The platform manifest must exist and match its digest before anything is said
            // about it.
            match store.manifest(&Selector::Digest(e.digest.clone())).await {
                Ok(Some(_)) => {}
                Ok(None) => {
                    missing.push(format!("{name} ({} is not in the store)", e.digest));
                    continue;
                }
                Err(CollectError::Invalid(m)) => {
                    missing.push(format!("{name} ({m})"));
                    continue;
                }
                Err(err) => return Err(collect_error(err)),
            }
            let found = discover(&store, &e.digest, Some(&manifest))
                .await
                .map_err(collect_error)?;
            targets.push((Some(name), e.digest.clone(), found));
        }
    }
    Ok(Ok(Collected {
        reference: reference.to_owned(),
        resolved_from_tag,
        is_index: manifest.is_index(),
        media_type: manifest.media_type.clone(),
        targets,
        missing_platforms: missing,
    }))
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
