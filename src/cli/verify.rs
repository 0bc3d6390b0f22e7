//! `provenant verify artifact | image | vsa` and `provenant provenance`: flags become
//! [`Inputs`] and a [`Policy`], [`provenant_core::verify`] decides, the report is rendered and
//! the verdict becomes the exit code.

use clap::{Args, Subcommand};

use provenant_core::{Command, Inputs, Target, TrustRoots, Verification, VsaEvidence};
use provenant_formats::limits::MAX_EVIDENCE_BYTES;
use provenant_model::{DigestAlgorithm, Report, Verdict};
use provenant_policy::Policy;

use super::args::{
    policy_flags, EvidenceArgs, GateArgs, ImageArgs, LayoutArgs, OutputArgs, PolicyArgs, PrintArgs,
    RunArgs, SbomArgs, SignerArgs, SourceArgs, VsaArgs,
};
use super::output::{Outputs, Renderer, ReportFormat};
use super::{emit, read, read_limited, subject_of, CliError};

/// What to verify.
#[derive(Debug, Subcommand)]
pub enum VerifyCommand {
    /// Verify a release artifact (a file, or a digest) against its Sigstore bundles, DSSE
    /// envelopes or cosign key signatures.
    #[command(
        after_help = "Examples:\n  provenant verify artifact app.tar.gz --bundle app.tar.gz.sigstore.json \\\n      --certificate-identity https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1.2.3 \\\n      --certificate-oidc-issuer https://token.actions.githubusercontent.com\n  provenant verify artifact --digest sha256:<hex> --bundle b.json --key cosign.pub\n\nExit codes: 0 verified, 1 verification failed, 2 bad usage or unreadable input, 3 source unreachable."
    )]
    Artifact(Box<ArtifactArgs>),
    /// Verify a container image: its cosign signatures and attestations (sha256-<hex>.sig/.att/
    /// .sbom tags), OCI 1.1 referrers (API or tag fallback) and BuildKit attestations, found in
    /// a registry, an OCI layout or a docker archive, all bound to the manifest digest.
    #[command(
        mut_arg("bundle", |a| a.help("Extra signature evidence files, beside what is found with the image (repeatable)").long_help(None)),
        after_help = "Examples:\n  provenant verify image ghcr.io/org/app:v1.2.3 \\\n      --certificate-identity https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1.2.3 \\\n      --certificate-oidc-issuer https://token.actions.githubusercontent.com\n  provenant verify image 127.0.0.1:5000/app@sha256:<hex> --key cosign.pub --platform linux/amd64\n  provenant verify image oci-layout:./out:v1 --key cosign.pub --expected-digest sha256:<hex>\n\nExit codes: 0 verified, 1 verification failed, 2 bad usage or unreadable input, 3 registry unreachable or refused the credentials."
    )]
    Image(Box<super::image::ImageCommandArgs>),
    /// Verify a SLSA Verification Summary Attestation (slsa-verifier verify-vsa): a DSSE
    /// envelope signed by --key, about --digest, from --verifier-id, for --resource-uri, with
    /// every --verified-level. `verify artifact --vsa FILE` is the same command.
    #[command(
        after_help = "Example:\n  provenant verify vsa vsa.intoto.jsonl --digest sha256:<hex> --key verifier.pub \\\n      --verifier-id https://verifier.example --resource-uri pkg:oci/app --verified-level SLSA_BUILD_LEVEL_3\n\nExit codes: 0 verified, 1 verification failed, 2 bad usage or unreadable input."
    )]
    Vsa(Box<VsaCommandArgs>),
}

/// Arguments of `provenant verify artifact`.
#[derive(Debug, Args)]
pub struct ArtifactArgs {
    /// The artifact file. It is hashed as a stream (sha256, plus sha384/sha512 when the
    /// evidence needs them).
    #[arg(
        value_name = "FILE",
        required_unless_present_any = ["digest", "layout"],
        conflicts_with = "digest"
    )]
    pub file: Option<String>,

    /// Verify an artifact known only by its digest (sha256:HEX, sha384:HEX or sha512:HEX)
    /// instead of a file.
    #[arg(long, value_name = "ALG:HEX")]
    pub digest: Option<String>,

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
    pub layout: LayoutArgs,
    #[command(flatten)]
    pub gates: GateArgs,
    #[command(flatten)]
    pub vsa: VsaArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub print: PrintArgs,
}

/// Arguments of `provenant verify vsa`.
#[derive(Debug, Args)]
pub struct VsaCommandArgs {
    /// The VSA: a DSSE envelope, or a JSON-lines file holding one.
    #[arg(value_name = "FILE", required_unless_present = "vsa_file")]
    pub file: Option<String>,
    /// The VSA (the same as FILE; the flag `verify artifact` takes).
    #[arg(long = "vsa", value_name = "FILE", conflicts_with = "file")]
    pub vsa_file: Option<String>,
    /// The subject's digest, ALGORITHM:VALUE (any algorithm the VSA may name).
    #[arg(long, value_name = "ALG:VALUE", required = true)]
    pub digest: String,
    /// The verifier's public key, PEM (repeatable).
    #[arg(long, value_name = "PEM", required = true)]
    pub key: Vec<String>,
    /// How many distinct trusted keys must have signed.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = provenant_policy::grammar::threshold)]
    pub threshold: usize,
    /// Expected VSA verifier.id.
    #[arg(long, value_name = "ID", required = true, value_parser = provenant_policy::grammar::token)]
    pub verifier_id: String,
    /// Expected VSA resourceUri.
    #[arg(long, value_name = "URI", required = true, value_parser = provenant_policy::grammar::token)]
    pub resource_uri: String,
    /// A level the VSA must attest (repeatable); SLSA_BUILD_LEVEL_3 satisfies SLSA_BUILD_LEVEL_2.
    #[arg(long, value_name = "LEVEL", value_parser = provenant_policy::grammar::level)]
    pub verified_level: Vec<String>,
    /// Only VSA signatures carrying this key id count.
    #[arg(long, value_name = "ID", value_parser = provenant_policy::grammar::token)]
    pub public_key_id: Option<String>,
    /// A Rego policy (package provenant, `deny` / `warn`) evaluated over the report (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub rego: Vec<String>,
    /// Write the document Rego policies see as `input` to FILE (JSON).
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub write_rego_input: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `provenant provenance`: a file (as `verify artifact`) or an image reference
/// (as `verify image`).
#[derive(Debug, Args)]
pub struct ProvenanceArgs {
    #[command(flatten)]
    pub artifact: ArtifactArgs,
    #[command(flatten)]
    pub image: ImageArgs,
}

/// Run a verify subcommand; returns the exit code.
pub fn run(cmd: VerifyCommand) -> Result<u8, CliError> {
    match cmd {
        VerifyCommand::Artifact(a) => artifact(&a, Command::VerifyArtifact, Renderer::Verify),
        VerifyCommand::Image(a) => super::image::verify(&a),
        VerifyCommand::Vsa(a) => vsa_command(&a),
    }
}

/// `provenant provenance`: the same verification, rendered as the reconstructed chain.
pub fn provenance(a: &ProvenanceArgs) -> Result<u8, CliError> {
    let subject = a.artifact.file.as_deref();
    if subject.is_some_and(super::image::is_image_subject) {
        let art = &a.artifact;
        if art.digest.is_some() || art.layout.layout.is_some() || art.vsa.vsa.is_some() {
            return Err(CliError::Input(
                "--digest, --layout and --vsa are for `verify artifact`; an image is named by its reference".into(),
            ));
        }
        return super::image::provenance(a);
    }
    if a.image.any() {
        return Err(CliError::Input(
            "--expected-digest, --platform, --allow-insecure-registry, --registry-config, --registry-timeout and --require-signed-reference are for images: use `provenant verify image <REF>`".into(),
        ));
    }
    artifact(&a.artifact, Command::Provenance, Renderer::Provenance)
}

impl ArtifactArgs {
    /// The policy the flags and the policy file state, validated.
    pub fn resolve(&self) -> Result<Policy, CliError> {
        self.gates.refuse_relaxers_alone()?;
        let rego = read::rego(&self.policy.rego)?;
        let flags = policy_flags(&self.signer, &self.source, &self.sbom, &self.gates, rego)?;
        read::resolve(self.policy.policy.as_deref(), flags)
    }

    fn outputs(&self, renderer: Renderer) -> Outputs<'_> {
        self.output.outputs(renderer, self.policy.policy.as_deref())
    }
}

fn artifact(a: &ArtifactArgs, command: Command, renderer: Renderer) -> Result<u8, CliError> {
    if a.vsa.vsa.is_some() {
        return vsa_alias(a, renderer);
    }
    let policy = a.resolve()?;
    let targets = a.outputs(renderer).check()?;
    let trust = read::trust_roots(&policy, &a.layout.layout_key)?;
    let inputs = artifact_inputs(a, command, &policy, &trust, &targets)?;
    let v = provenant_core::verify_detailed(&inputs, &trust, &policy, a.run.now());
    finish(&a.print, a.outputs(renderer), &a.policy, v)
}

/// Read what `verify artifact` names: evidence, SBOMs, the artifact (hashed with every
/// algorithm the evidence needs), a layout, gate and review evidence.
fn artifact_inputs(
    a: &ArtifactArgs,
    command: Command,
    policy: &Policy,
    trust: &TrustRoots,
    targets: &[(ReportFormat, Option<String>)],
) -> Result<Inputs, CliError> {
    let e = &a.evidence;
    let paths = read::evidence_paths(&e.bundle, &e.provenance, &e.attestations)?;
    let mut evidence = read::evidence(&paths)?;
    if let (true, Some(f)) = (paths.is_empty(), &a.file) {
        evidence = read::evidence_beside(f)?;
    }
    let sboms = read::sboms(&a.sbom.sbom)?;
    let layout = a.layout.layout.as_deref();
    let algs = if a.digest.is_none() && a.file.is_some() {
        provenant_core::algorithms_needed(&evidence, &sboms, policy, trust, layout.is_some())
    } else {
        vec![]
    };
    let target = match (
        subject_of(a.file.as_deref(), a.digest.as_deref(), &algs)?,
        layout,
    ) {
        (Some(s), _) => Target::Artifact(s),
        // A layout alone: its signatures, expiry, steps and links are verified; the report's
        // subject is the layout file. No artifact is verified, so there is no VSA to issue.
        (None, Some(l)) => {
            if targets.iter().any(|(f, _)| *f == ReportFormat::Vsa) {
                return Err(CliError::Input(
                    "--format vsa summarises an artifact verification, and a layout alone verifies no artifact: give the artifact FILE or --digest".into(),
                ));
            }
            Target::LayoutAlone(
                subject_of(Some(l), None, &[DigestAlgorithm::Sha256])?
                    .ok_or_else(|| CliError::Input(format!("cannot read layout {l}")))?,
            )
        }
        (None, None) => return Err(CliError::Input("give an artifact FILE or --digest".into())),
    };
    let mut inputs = Inputs::new(command, target);
    inputs.evidence = evidence;
    inputs.sboms = sboms;
    if let Some(l) = layout {
        inputs.layout = Some(read::layout(
            l,
            a.layout.links.as_deref(),
            a.file.as_deref(),
        )?);
    }
    gate_inputs(&mut inputs, &a.gates)?;
    Ok(inputs)
}

/// Gate report files, review documents and the git history source.
pub(super) fn gate_inputs(inputs: &mut Inputs, g: &GateArgs) -> Result<(), CliError> {
    inputs.gates = read::gate_files(g)?;
    inputs.review = read::review(&g.review)?;
    inputs.history = read::history(g);
    Ok(())
}

/// Write the Rego input if asked, the report in every format (and, with --print-provenance,
/// the verified provenance), and return the exit code.
pub(super) fn finish(
    print: &PrintArgs,
    outputs: Outputs<'_>,
    policy: &PolicyArgs,
    v: Verification,
) -> Result<u8, CliError> {
    write_rego_input(policy.write_rego_input.as_deref(), &v)?;
    let report = v.report;
    // With --print-provenance the report goes to stderr, and stdout holds only the provenance.
    outputs.write(&report, print.print_provenance)?;
    if print.print_provenance && report.verdict == Verdict::Pass {
        print_provenance(&report);
    }
    Ok(exit_code(&report))
}

pub(super) fn write_rego_input(path: Option<&str>, v: &Verification) -> Result<(), CliError> {
    let Some(p) = path else { return Ok(()) };
    let mut text = Vec::new();
    provenant_report::sanitize::write_json_pretty(&mut text, &v.rego_input)
        .map_err(|e| CliError::Input(format!("cannot write the Rego input: {e}")))?;
    std::fs::write(p, text)
        .map_err(|e| CliError::Input(format!("cannot write the Rego input to {p}: {e}")))
}

fn print_provenance(report: &Report) {
    let mut out = Vec::new();
    let provenance = report
        .signatures
        .iter()
        .filter(|c| c.verified && c.provenance.is_some());
    for c in provenance {
        if let Some(p) = &c.signed_payload {
            // The same JSON value as signed; hidden characters (bidi, C1) spelled as escapes,
            // so the statement cannot drive or reorder the terminal.
            out.extend_from_slice(&provenant_report::sanitize::json_document(p.trim_ascii()));
            out.push(b'\n');
        }
    }
    emit(&out);
}

/// 0 for a pass, 1 for a failure.
pub(super) fn exit_code(report: &Report) -> u8 {
    match report.verdict {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
    }
}

/// What a VSA verification reads, from either command.
struct VsaRun<'a> {
    file: &'a str,
    digest: &'a str,
    keys: &'a [String],
    verifier_id: &'a str,
    resource_uri: &'a str,
    levels: &'a [String],
    key_id: Option<&'a str>,
    write_rego_input: Option<&'a str>,
    run: &'a RunArgs,
}

fn vsa_command(a: &VsaCommandArgs) -> Result<u8, CliError> {
    let file = a
        .file
        .as_deref()
        .or(a.vsa_file.as_deref())
        .ok_or_else(|| CliError::Input("give the VSA file".into()))?;
    let flags = provenant_policy::PolicyFlags {
        keys: a.key.clone(),
        threshold: Some(a.threshold),
        rego: read::rego(&a.rego)?,
        ..Default::default()
    };
    let policy = read::resolve(None, flags)?;
    let outputs = a.output.outputs(Renderer::Verify, None);
    outputs.check()?;
    let report = vsa(
        &policy,
        &VsaRun {
            file,
            digest: &a.digest,
            keys: &a.key,
            verifier_id: &a.verifier_id,
            resource_uri: &a.resource_uri,
            levels: &a.verified_level,
            key_id: a.public_key_id.as_deref(),
            write_rego_input: a.write_rego_input.as_deref(),
            run: &a.run,
        },
    )?;
    outputs.write(&report, false)?;
    Ok(exit_code(&report))
}

/// `verify artifact --vsa`: the flags a VSA cannot show are refused, naming them.
fn vsa_alias(a: &ArtifactArgs, renderer: Renderer) -> Result<u8, CliError> {
    let policy = a.resolve()?;
    let mut unshowable = policy.beyond_vsa();
    let given = [
        (!a.sbom.sbom.is_empty(), "SBOM or provenance requirements"),
        (a.gates.any(), "gate requirements"),
        (a.layout.layout.is_some(), "--layout"),
        (
            !a.evidence.bundle.is_empty()
                || !a.evidence.provenance.is_empty()
                || !a.evidence.attestations.is_empty(),
            "other evidence (--bundle, --provenance, --attestations)",
        ),
        (
            a.signer.trusted_root.is_some() || a.signer.insecure_ignore_tlog,
            "--trusted-root or --insecure-ignore-tlog (a VSA is verified with --key alone)",
        ),
        (a.print.print_provenance, "--print-provenance"),
    ];
    for (g, w) in given {
        if g && !unshowable.contains(&w) {
            unshowable.push(w);
        }
    }
    if !unshowable.is_empty() {
        return Err(CliError::Input(format!(
            "--vsa verifies a verification summary alone, which cannot show {}: verify the artifact's own evidence without --vsa for those",
            unshowable.join(", ")
        )));
    }
    let outputs = a.outputs(renderer);
    outputs.check()?;
    let provenant_policy::Signers::Keys { files } = policy.signers() else {
        return Err(CliError::Input("--vsa needs --key".into()));
    };
    let report = vsa(
        &policy,
        &VsaRun {
            file: a.vsa.vsa.as_deref().unwrap_or_default(),
            digest: a.digest.as_deref().unwrap_or_default(),
            keys: files,
            verifier_id: a.vsa.verifier_id.as_deref().unwrap_or_default(),
            resource_uri: a.vsa.resource_uri.as_deref().unwrap_or_default(),
            levels: &a.vsa.verified_level,
            key_id: a.vsa.public_key_id.as_deref(),
            write_rego_input: a.policy.write_rego_input.as_deref(),
            run: &a.run,
        },
    )?;
    outputs.write(&report, false)?;
    Ok(exit_code(&report))
}

fn vsa(policy: &Policy, r: &VsaRun<'_>) -> Result<Report, CliError> {
    let subject = match r.digest.split_once(':') {
        Some((alg, v)) if !alg.is_empty() && !v.is_empty() => vec![(alg.to_owned(), v.to_owned())],
        _ => {
            return Err(CliError::Input(format!(
                "--digest {:?}: write it as ALGORITHM:VALUE",
                r.digest
            )))
        }
    };
    if let Some(bad) = r
        .levels
        .iter()
        .find(|l| !provenant_core::level_well_formed(l))
    {
        return Err(CliError::Input(format!(
            "--verified-level {bad:?}: write an SLSA level as SLSA_<TRACK>_LEVEL_<N> (e.g. SLSA_BUILD_LEVEL_3, no sign or leading zero), or another verifier's level name"
        )));
    }
    let trust = TrustRoots {
        sigstore: read::trusted_root(None)?,
        keys: read::keys(r.keys)?,
        layout_keys: vec![],
    };
    let bytes = read_limited(r.file, MAX_EVIDENCE_BYTES, "VSA")?;
    let envelope = provenant_formats::dsse::parse_envelope(&bytes).or_else(|whole| {
        let lines: Vec<&[u8]> = bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .collect();
        match lines.as_slice() {
            [one] => provenant_formats::dsse::parse_envelope(one).map_err(|e| e.to_string()),
            [] => Err(format!("{}: {whole}", r.file)),
            many => Err(format!(
                "{}: {} VSAs in one file; give one",
                r.file,
                many.len()
            )),
        }
    });
    let target = Target::Vsa(Box::new(VsaEvidence {
        location: r.file.to_owned(),
        envelope,
        key_id: r.key_id.map(str::to_owned),
        subject,
        verifier_id: r.verifier_id.to_owned(),
        resource_uri: r.resource_uri.to_owned(),
        levels: r.levels.to_vec(),
    }));
    let inputs = Inputs::new(Command::VerifyVsa, target);
    let v = provenant_core::verify_detailed(&inputs, &trust, policy, r.run.now());
    write_rego_input(r.write_rego_input, &v)?;
    Ok(v.report)
}
