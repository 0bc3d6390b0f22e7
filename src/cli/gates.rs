//! `provenant gates`: did the security gates run on the exact commit that shipped, and what did
//! they find? The flags become [`Inputs`] and a [`Policy`](provenant_policy::Policy);
//! [`provenant_core::verify`] judges.

use clap::Args;

use provenant_core::{Command, Inputs, Target};
use provenant_model::{DigestAlgorithm, Subject, SubjectKind};

use super::args::{GateArgs, RunArgs};
use super::common::{subject_of, CliError};
use super::finish::{exit_code, gate_inputs, write_rego_input};
use super::output::Outputs;
use super::read;

/// Arguments of `provenant gates`.
#[derive(Debug, Args)]
pub struct GatesArgs {
    /// The commit that shipped (full SHA).
    #[arg(long, value_name = "SHA", value_parser = provenant_policy::grammar::commit)]
    pub commit: Option<String>,
    /// The shipped artifact (its digests bind image / artifact scans).
    #[arg(long, value_name = "FILE", conflicts_with = "digest")]
    pub artifact: Option<String>,
    /// The shipped artifact's digest, ALG:HEX.
    #[arg(long, value_name = "ALG:HEX")]
    pub digest: Option<String>,
    /// The source repository of what shipped: OWNER/REPO (GitHub) or its URI
    /// (github.com/org/app, https://gitlab.example/group/app). A gate run that names another
    /// repository (a fork shares commits) is not bound (gate-repository-mismatch).
    #[arg(long, value_name = "REPO")]
    pub repo: Option<String>,
    #[command(flatten)]
    pub gates: GateArgs,
    #[command(flatten)]
    pub run: RunArgs,
    /// A policy file: its gates, waivers, source.commit and source.repository sections fill in
    /// the flags not given.
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub policy: Option<String>,
    /// A Rego policy (package provenant, `deny` / `warn`) evaluated over the report (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub rego: Vec<String>,
    /// Write the document Rego policies see as `input` to FILE (JSON).
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub write_rego_input: Option<String>,
    /// Report format, FMT or FMT=PATH; repeat it to write several formats at once.
    ///
    /// FMT: text, json, sarif (SARIF 2.1.0, for code scanning), markdown (for
    /// $GITHUB_STEP_SUMMARY), junit (JUnit XML), html (one self-contained page). Without =PATH
    /// (or with =-) it goes to stdout, and at most one may; when every format has a destination,
    /// the text summary goes to stdout.
    #[arg(long, value_name = "FMT[=PATH]", default_value = "text", value_parser = super::output::parse_format)]
    pub format: Vec<super::output::FormatSpec>,
    /// Write the report (in the --format given without =PATH) to this file; a text summary
    /// still goes to stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub out: Option<String>,
}

/// `provenant gates`.
pub fn run(a: &GatesArgs) -> Result<u8, CliError> {
    let rego = read::rego(&a.rego)?;
    let flags = provenant_policy::PolicyFlags {
        scope: provenant_policy::Scope::Gates,
        source: provenant_policy::SourcePolicy {
            commit: a.commit.clone(),
            ..Default::default()
        },
        repository: a.repo.clone(),
        gates: a.gates.flags(read::waivers(a.gates.waivers.as_deref())?),
        rego,
        ..Default::default()
    };
    let policy = read::resolve(a.policy.as_deref(), flags)?;
    let outputs = Outputs::judgement(&a.format, a.out.as_deref());
    outputs.check()?;
    if policy.commit().is_none() && a.artifact.is_none() && a.digest.is_none() {
        return Err(CliError::Input(
            "say what shipped: --commit SHA and/or --artifact FILE / --digest ALG:HEX".into(),
        ));
    }
    if !a.gates.any() {
        return Err(CliError::Input(
            "no gate evidence: give --sarif, --sca, --dast, --ci-run or --review files (and --require-gate)"
                .into(),
        ));
    }
    let all = [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
    ];
    let subject = match subject_of(a.artifact.as_deref(), a.digest.as_deref(), &all)? {
        Some(s) => s,
        None => Subject {
            kind: SubjectKind::Commit,
            name: policy.commit().map(str::to_owned),
            digests: vec![],
            size: None,
        },
    };
    let mut inputs = Inputs::new(Command::Gates, Target::Shipped(subject));
    gate_inputs(&mut inputs, &a.gates)?;
    let trust = provenant_core::TrustRoots::sigstore(read::trusted_root(None)?);
    inputs.files = read::take_files();
    let v = provenant_core::verify_detailed(&inputs, &trust, &policy, a.run.now());
    write_rego_input(a.write_rego_input.as_deref(), &v, &policy)?;
    outputs.write(&v.report, false)?;
    Ok(exit_code(&v.report))
}
