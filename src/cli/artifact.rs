//! `provenant verify artifact` and `provenant verify vsa`: flags become [`Inputs`] and a
//! [`Policy`], [`provenant_core::verify`] decides, the report is rendered and the verdict becomes
//! the exit code.

use clap::Args;

use provenant_core::{Command, Inputs, Target, TrustRoots, VsaEvidence};
use provenant_formats::limits::MAX_EVIDENCE_BYTES;
use provenant_model::{DigestAlgorithm, Report};
use provenant_policy::Policy;

use super::args::{
    EvidenceArgs, GateArgs, LayoutArgs, OutputArgs, PolicyArgs, PrintArgs, RunArgs, SbomArgs,
    SignerArgs, SourceArgs, VsaArgs,
};
use super::common::{read_limited, subject_of, CliError};
use super::finish::{exit_code, finish, gate_inputs, write_rego_input};
use super::output::{Outputs, Renderer, ReportFormat};
use super::read;

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

impl ArtifactArgs {
    /// The policy the flags and the policy file state, validated.
    pub fn resolve(&self) -> Result<Policy, CliError> {
        self.gates.refuse_relaxers_alone()?;
        let rego = read::rego(&self.policy.rego)?;
        let flags = read::policy_flags(&self.signer, &self.source, &self.sbom, &self.gates, rego)?;
        read::resolve(self.policy.policy.as_deref(), flags)
    }

    fn outputs(&self, renderer: Renderer) -> Outputs<'_> {
        self.output.outputs(renderer, self.policy.policy.as_deref())
    }
}

/// Verify an artifact (as `command`, rendered by `renderer`); returns the exit code.
pub fn artifact(a: &ArtifactArgs, command: Command, renderer: Renderer) -> Result<u8, CliError> {
    if a.vsa.vsa.is_some() {
        return vsa_alias(a, renderer);
    }
    let policy = a.resolve()?;
    let targets = a.outputs(renderer).check()?;
    let trust = read::trust_roots(&policy, &a.layout.layout_key)?;
    let mut inputs = artifact_inputs(a, command, &policy, &trust, &targets)?;
    inputs.files = read::take_files();
    let v = provenant_core::verify_detailed(&inputs, &trust, &policy, a.run.now());
    finish(&a.print, a.outputs(renderer), &a.policy, &policy, v)
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

/// `provenant verify vsa`.
pub fn vsa_command(a: &VsaCommandArgs) -> Result<u8, CliError> {
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
    read::record(provenant_model::InputRole::Evidence, r.file, &bytes);
    let envelope = provenant_formats::dsse::parse_envelope(&bytes).or_else(|whole| {
        use provenant_core::VsaReadError;
        let lines: Vec<&[u8]> = bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .collect();
        match lines.as_slice() {
            [one] => provenant_formats::dsse::parse_envelope(one).map_err(VsaReadError::Line),
            [] => Err(VsaReadError::Unreadable {
                location: r.file.to_owned(),
                error: whole,
            }),
            many => Err(VsaReadError::Several {
                location: r.file.to_owned(),
                count: many.len(),
            }),
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
    let mut inputs = Inputs::new(Command::VerifyVsa, target);
    inputs.files = read::take_files();
    let v = provenant_core::verify_detailed(&inputs, &trust, policy, r.run.now());
    write_rego_input(r.write_rego_input, &v, policy)?;
    Ok(v.report)
}
