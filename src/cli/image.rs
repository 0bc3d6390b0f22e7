//! `provenant verify image` and `provenant provenance <REF>`: collect the image and the evidence
//! beside it (registry, OCI layout, docker archive), then verify it as its manifest digest.

use std::time::Duration;

use clap::Args;

use provenant_collect::auth::CredentialSource;
use provenant_collect::layout::LayoutStore;
use provenant_collect::store::sha256_digest;
use provenant_collect::{
    discover, parse_image_ref, CollectError, Discovered, DiscoveredKind, ImageRef, RegistryClient,
    RegistryOptions, Selector, Store,
};
use provenant_core::{classify_evidence, CosignSignature, Evidence, EvidenceContent, Found};
use provenant_core::{CollectedTarget, Command, ImageCollected, Inputs, Target};
use provenant_formats::cosign::{legacy_bundle, LegacyContent};
use provenant_formats::oci::{
    parse_manifest, parse_oci_digest, parse_simple_signing, Descriptor, Manifest, ManifestKind,
    Platform, ANN_COSIGN_CERTIFICATE, ANN_COSIGN_SIGNATURE, ANN_DOCKER_REFERENCE_DIGEST,
    ANN_DOCKER_REFERENCE_TYPE, MAX_MANIFEST_BYTES,
};
use provenant_formats::sbom::{is_sbom_predicate, parse_sbom, ParsedSbom, SbomError};
use provenant_model::{CheckCode, Digest, OptOut};

use super::args::{
    policy_flags, EvidenceArgs, GateArgs, ImageArgs, OutputArgs, PolicyArgs, RunArgs, SbomArgs,
    SignerArgs, SourceArgs,
};
use super::output::Renderer;
use super::verify::{finish, gate_inputs, ProvenanceArgs};
use super::{read, CliError};

/// `--registry-timeout` when not given (seconds).
const DEFAULT_REGISTRY_TIMEOUT_SECS: u64 = 300;

/// Arguments of `provenant verify image`.
#[derive(Debug, Args)]
pub struct ImageCommandArgs {
    /// The image: registry/repo:tag, registry/repo@sha256:<hex>, oci-layout:<DIR>[:tag|@sha256:<hex>]
    /// or docker-archive:<FILE>. A tag is resolved to a digest once; everything after uses the
    /// digest.
    #[arg(value_name = "REF")]
    pub reference: String,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub sbom: SbomArgs,
    #[command(flatten)]
    pub gates: GateArgs,
    #[command(flatten)]
    pub image: ImageArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The flag groups an image verification reads, from `verify image` or `provenance`.
struct Parts<'a> {
    reference: &'a str,
    evidence: &'a EvidenceArgs,
    signer: &'a SignerArgs,
    run: &'a RunArgs,
    policy: &'a PolicyArgs,
    source: &'a SourceArgs,
    sbom: &'a SbomArgs,
    gates: &'a GateArgs,
    image: &'a ImageArgs,
    output: &'a OutputArgs,
}

/// `provenant verify image`.
pub fn verify(a: &ImageCommandArgs) -> Result<u8, CliError> {
    run(
        &Parts {
            reference: &a.reference,
            evidence: &a.evidence,
            signer: &a.signer,
            run: &a.run,
            policy: &a.policy,
            source: &a.source,
            sbom: &a.sbom,
            gates: &a.gates,
            image: &a.image,
            output: &a.output,
        },
        Command::VerifyImage,
        Renderer::Verify,
    )
}

/// `provenant provenance <REF>`.
pub fn provenance(a: &ProvenanceArgs) -> Result<u8, CliError> {
    let art = &a.artifact;
    run(
        &Parts {
            reference: art.file.as_deref().unwrap_or_default(),
            evidence: &art.evidence,
            signer: &art.signer,
            run: &art.run,
            policy: &art.policy,
            source: &art.source,
            sbom: &art.sbom,
            gates: &art.gates,
            image: &a.image,
            output: &art.output,
        },
        Command::Provenance,
        Renderer::Provenance,
    )
}

fn run(p: &Parts<'_>, command: Command, renderer: Renderer) -> Result<u8, CliError> {
    let rego = read::rego(&p.policy.rego)?;
    let flags = policy_flags(p.signer, p.source, p.sbom, p.gates, rego)?;
    let policy = read::resolve(p.policy.policy.as_deref(), flags)?;
    let outputs = p.output.outputs(renderer, p.policy.policy.as_deref());
    outputs.check()?;
    let trust = read::trust_roots(&policy, &[])?;
    let image = collected(p)?;
    let mut inputs = Inputs::new(command, Target::Image(Box::new(image)));
    // Extra evidence files given with --bundle/--attestations count for the image itself.
    let e = p.evidence;
    for path in e.bundle.iter().chain(&e.provenance).chain(&e.attestations) {
        let bytes = super::read_limited(
            path,
            provenant_formats::limits::MAX_EVIDENCE_BYTES,
            "evidence file",
        )?;
        inputs
            .evidence
            .push(Evidence::from_bytes(path.clone(), Found::Given, &bytes));
    }
    inputs.sboms = read::sboms(&p.sbom.sbom)?;
    gate_inputs(&mut inputs, p.gates)?;
    if p.image.allow_insecure_registry {
        inputs.opt_outs.push(OptOut {
            name: "allow-insecure-registry".into(),
            risk: "plain HTTP to a registry that is not on this machine: what it served could have been changed in transit (digests still bind the manifest and blobs)".into(),
        });
    }
    let v = provenant_core::verify_detailed(&inputs, &trust, &policy, p.run.now());
    finish(p.output, outputs, p.policy, v)
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

/// Collect the image named by `p.reference` and the evidence beside it.
fn collected(p: &Parts<'_>) -> Result<ImageCollected, CliError> {
    let reference = p.reference;
    let a = p.image;
    let image = parse_image_ref(reference).map_err(collect_error)?;
    if p.run.offline && matches!(image, ImageRef::Registry(_)) {
        return Err(CliError::Input(format!(
            "{reference} is a registry reference, and --offline forbids the network: give an oci-layout:DIR or docker-archive:FILE copy of the image, or drop --offline"
        )));
    }
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
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Input(format!("cannot start the I/O runtime: {e}")))?;
    // One deadline over everything the registry is asked (and every retry): a registry that
    // trickles its answers cannot hold the run past it.
    let collected = rt
        .block_on(async {
            tokio::time::timeout(total, collect(&image, reference, &platforms, opts)).await
        })
        .map_err(|_| {
            CliError::Unreachable(format!(
                "{reference}: the registry did not finish answering within {} s (--registry-timeout); check the registry, or raise the limit",
                total.as_secs()
            ))
        })?;
    let refused = |code: CheckCode, reason: String| ImageCollected {
        reference: reference.to_owned(),
        resolved_from_tag: None,
        expected_digest: None,
        is_index: false,
        media_type: String::new(),
        targets: vec![],
        missing_platforms: vec![],
        repository: None,
        require_signed_reference: a.require_signed_reference,
        refused: Some((code, reason)),
    };
    let collected = match collected? {
        Ok(c) => c,
        Err((code, reason)) => return Ok(refused(code, reason)),
    };
    let validator = super::sbom::xml_validator();
    let mut targets = Vec::new();
    for (platform, digest, discovery) in collected.targets {
        let mut evidence = Vec::new();
        let mut unsigned_sboms = Vec::new();
        for d in discovery.items {
            let (ev, sbom) = to_evidence(d, validator.as_deref());
            evidence.extend(ev);
            unsigned_sboms.extend(sbom);
        }
        targets.push(CollectedTarget {
            platform,
            digest,
            evidence,
            unsigned_sboms,
            searched: discovery.searched,
        });
    }
    Ok(ImageCollected {
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
        refused: None,
    })
}

async fn collect(
    image: &ImageRef,
    reference: &str,
    platforms: &Platforms,
    opts: RegistryOptions,
) -> Result<Result<Collected, (CheckCode, String)>, CliError> {
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
            let l = match LayoutStore::open_archive(file) {
                Ok(l) => l,
                // The archive is readable but contradicts itself: a verification failure.
                Err(CollectError::Inconsistent(m)) => {
                    return Ok(Err((CheckCode::ImageArchiveInconsistent, m)))
                }
                Err(e) => return Err(collect_error(e)),
            };
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
        Err(CollectError::Invalid(m)) => return Ok(Err((CheckCode::ImageManifestInvalid, m))),
        Err(e) => return Err(collect_error(e)),
    };
    let manifest: Manifest = match parse_manifest(&fetched.bytes, fetched.media_type.as_deref()) {
        Ok(m) => m,
        Err(e) => {
            return Ok(Err((
                CheckCode::ImageManifestInvalid,
                format!("{}: {e}", fetched.location),
            )))
        }
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
    // Every entry a runtime could pull, with its platform: the descriptor's, else the one its
    // config records. Only an attestation manifest that names a sibling entry of this index
    // (BuildKit's provenance/SBOM entries) is not an image of its own.
    let mut candidates: Vec<(&Descriptor, Result<Platform, String>)> = Vec::new();
    if !wanted.is_empty() {
        for e in manifest.entries() {
            if attests_a_sibling(e, manifest.entries()) {
                continue;
            }
            let platform = match &e.platform {
                Some(p) => Ok(p.clone()),
                None => platform_from_config(&store, e).await?,
            };
            candidates.push((e, platform));
        }
    }
    for (label, want) in wanted {
        let mut entries = Vec::new();
        for (e, platform) in &candidates {
            match (want, platform) {
                (None, Ok(_)) => entries.push((*e, platform_name(platform))),
                (Some(w), Ok(p)) if w.selects(p) => entries.push((*e, platform_name(platform))),
                (Some(_), Ok(_)) => {}
                // A runtime could pull it and nobody can say for which platform: fail closed.
                (_, Err(why)) => missing.push(format!("{} ({why})", e.digest)),
            }
        }
        if entries.is_empty() {
            missing.push(label);
            continue;
        }
        for (e, name) in entries {
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
            if targets.iter().any(|(_, d, _)| *d == e.digest) {
                continue; // two --platform values selected the same manifest
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

fn platform_name(p: &Result<Platform, String>) -> String {
    p.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Whether an index entry is an attestation manifest about another entry of the same index
/// (`vnd.docker.reference.type: attestation-manifest` and `vnd.docker.reference.digest` naming a
/// sibling). Any other entry, whatever its annotations or platform, is an image a runtime could
/// pull.
fn attests_a_sibling(e: &Descriptor, entries: &[Descriptor]) -> bool {
    e.annotation(ANN_DOCKER_REFERENCE_TYPE) == Some("attestation-manifest")
        && e.annotation(ANN_DOCKER_REFERENCE_DIGEST)
            .and_then(|d| parse_oci_digest(d).ok())
            .is_some_and(|d| d != e.digest && entries.iter().any(|s| s.digest == d))
}

/// The platform an index entry without one runs on, from its image config (`os`,
/// `architecture`, `variant`), as a runtime reads it; `Err` says why there is none.
async fn platform_from_config(
    store: &Store,
    e: &Descriptor,
) -> Result<Result<Platform, String>, CliError> {
    let fetched = match store.manifest(&Selector::Digest(e.digest.clone())).await {
        Ok(Some(f)) => f,
        Ok(None) => return Ok(Err("listed without a platform, and not in the store".into())),
        Err(CollectError::Invalid(m)) => return Ok(Err(m)),
        Err(err) => return Err(collect_error(err)),
    };
    let config = match parse_manifest(&fetched.bytes, fetched.media_type.as_deref()) {
        Ok(Manifest {
            kind: ManifestKind::Image { config, .. },
            ..
        }) => config,
        Ok(_) => {
            return Ok(Err(
                "listed without a platform, and it is an index, not an image".into(),
            ))
        }
        Err(e) => {
            return Ok(Err(format!(
                "listed without a platform, and unreadable: {e}"
            )))
        }
    };
    let bytes = match store.blob(&config, MAX_MANIFEST_BYTES).await {
        Ok(b) => b,
        Err(CollectError::Invalid(m) | CollectError::NotFound(m)) => {
            return Ok(Err(format!(
                "listed without a platform, and its config is unreadable: {m}"
            )))
        }
        Err(err) => return Err(collect_error(err)),
    };
    let Ok(v) = provenant_formats::json::parse_strict(&bytes) else {
        return Ok(Err(
            "listed without a platform, and its config is not strict JSON".into(),
        ));
    };
    let field = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
    };
    match (field("os"), field("architecture")) {
        (Some(os), Some(arch)) => {
            let text = match field("variant") {
                Some(variant) => format!("{os}/{arch}/{variant}"),
                None => format!("{os}/{arch}"),
            };
            Ok(Platform::parse(&text)
                .ok_or_else(|| format!("its config names an unreadable platform {text:?}")))
        }
        _ => Ok(Err(
            "listed without a platform, and its config names no os and architecture".into(),
        )),
    }
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
