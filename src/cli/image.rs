//! `provenant verify image` and `provenant provenance <REF>`: collect the image and the evidence
//! beside it (registry, OCI layout, docker archive), then verify it as its manifest digest.

use std::time::Duration;

use clap::Args;

use provenant_collect::auth::CredentialSource;
use provenant_collect::image::{collect_image, PlatformSelection};
use provenant_collect::inputs::image_collected;
use provenant_collect::{parse_image_ref, CollectError, ImageRef, RegistryOptions};
use provenant_core::{Command, Evidence, Found, ImageCollected, Inputs, Target};
use provenant_formats::oci::{parse_oci_digest, Platform};
use provenant_model::OptOut;

use super::args::{
    EvidenceArgs, GateArgs, ImageArgs, OutputArgs, PolicyArgs, PrintArgs, RunArgs, SbomArgs,
    SignerArgs, SourceArgs,
};
use super::artifact::ArtifactArgs;
use super::common::CliError;
use super::finish::{finish, gate_inputs};
use super::output::Renderer;
use super::read;

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
    #[command(flatten)]
    pub print: PrintArgs,
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
    print: &'a PrintArgs,
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
            print: &a.print,
        },
        Command::VerifyImage,
        Renderer::Verify,
    )
}

/// `provenant provenance <REF>`: the image flags, and the artifact command's shared groups.
pub fn provenance(art: &ArtifactArgs, image: &ImageArgs) -> Result<u8, CliError> {
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
            image,
            output: &art.output,
            print: &art.print,
        },
        Command::Provenance,
        Renderer::Provenance,
    )
}

fn run(p: &Parts<'_>, command: Command, renderer: Renderer) -> Result<u8, CliError> {
    p.gates.refuse_relaxers_alone()?;
    let rego = read::rego(&p.policy.rego)?;
    let flags = read::policy_flags(p.signer, p.source, p.sbom, p.gates, rego)?;
    let policy = read::resolve(p.policy.policy.as_deref(), flags)?;
    let outputs = p.output.outputs(renderer, p.policy.policy.as_deref());
    outputs.check()?;
    let trust = read::trust_roots(&policy, &[])?;
    let image = collected(p)?;
    let mut inputs = Inputs::new(command, Target::Image(Box::new(image)));
    // Extra evidence files given with --bundle/--attestations count for the image itself.
    let e = p.evidence;
    for path in e.bundle.iter().chain(&e.provenance).chain(&e.attestations) {
        let bytes = super::common::read_limited(
            path,
            provenant_formats::limits::MAX_EVIDENCE_BYTES,
            "evidence file",
        )?;
        read::record(provenant_model::InputRole::Evidence, path, &bytes);
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
    inputs.files = read::take_files();
    let v = provenant_core::verify_detailed(&inputs, &trust, &policy, p.run.now());
    finish(p.print, outputs, p.policy, &policy, v)
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
    if (a.registry_flags_given() || a.require_signed_reference)
        && !matches!(image, ImageRef::Registry(_))
    {
        return Err(CliError::Input(format!(
            "{reference} is not in a registry: --allow-insecure-registry, --registry-config, --registry-timeout, --max-concurrency and --require-signed-reference (no repository to name) are for registry references; drop them"
        )));
    }
    let expected = a
        .expected_digest
        .as_deref()
        .map(|d| {
            parse_oci_digest(d).map_err(|e| CliError::Input(format!("--expected-digest: {e}")))
        })
        .transpose()?;
    let platforms = platforms(&a.platform)?;
    let (opts, total) = registry_options(a);
    let collected = collect_image(&image, reference, &platforms, opts, total);
    let collected = collected.map_err(collect_error)?;
    let validator = super::sbom::xml_validator();
    Ok(image_collected(
        collected,
        reference,
        &image,
        expected,
        a.require_signed_reference,
        validator.as_deref(),
    ))
}

/// `--platform`: none (the image or index alone), `all`, or the ones named.
fn platforms(names: &[String]) -> Result<PlatformSelection, CliError> {
    if names.iter().any(|p| p == "all") {
        return Ok(PlatformSelection::All);
    }
    if names.is_empty() {
        return Ok(PlatformSelection::None);
    }
    let parsed = names
        .iter()
        .map(|p| {
            Platform::parse(p).ok_or_else(|| {
                CliError::Input(format!(
                    "--platform {p:?}: write it as os/arch[/variant], e.g. linux/amd64, or all"
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(PlatformSelection::These(parsed))
}

/// The registry client's options, and the deadline over all registry traffic.
fn registry_options(a: &ImageArgs) -> (RegistryOptions, Duration) {
    let total = Duration::from_secs(a.registry_timeout.unwrap_or(DEFAULT_REGISTRY_TIMEOUT_SECS));
    let defaults = RegistryOptions::default();
    let mut opts = RegistryOptions {
        allow_insecure: a.allow_insecure_registry,
        max_concurrency: a.max_concurrency.map_or(8, usize::from),
        timeout: defaults.timeout.min(total),
        ..defaults
    };
    opts.credentials = match a.registry_config.as_deref() {
        None => CredentialSource::DockerConfig,
        Some("none") => CredentialSource::Anonymous,
        Some(p) => CredentialSource::ConfigFile(p.into()),
    };
    (opts, total)
}
