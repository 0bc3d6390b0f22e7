//! Argument parsing and dispatch.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// `verify artifact` examples that run as written from a provenant checkout (a test runs each);
/// no line is wider than clap's 100 columns, so none is wrapped.
macro_rules! artifact_examples {
    () => {
        "  provenant verify artifact testdata/release/hello-provenant.txt \\
      --trusted-root testdata/trust/trusted_root.json \\
      --certificate-identity \\
      https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0 \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com
  provenant verify artifact testdata/release/hello-provenant.txt \\
      --bundle testdata/release/hello-provenant.intoto.sigstore.json \\
      --trusted-root testdata/trust/trusted_root.json \\
      --certificate-identity \\
      https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0 \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com \\
      --commit 5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5 --format json -o report.json
  provenant verify artifact testdata/release/hello-provenant.txt \\
      --bundle testdata/release/hello-provenant.txt.sig \\
      --key testdata/keys/cosign.pub --insecure-ignore-tlog
"
    };
}

mod args;
mod artifact;
mod audit;
mod audit_git;
mod audit_run;
mod audit_sql;
mod audit_store;
mod bundles;
mod common;
mod contract;
mod finish;
mod gates;
mod image;
mod inspect;
mod output;
mod policy;
mod provenance;
mod read;
mod sbom;
mod signing;
mod verify;

/// `--version`: the release, the commit it was built from and the build date (build.rs; the
/// commit is "unknown" when built without git).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("PROVENANT_COMMIT"),
    ", built ",
    env!("PROVENANT_BUILD_DATE"),
    ")"
);

/// The options `verify artifact -h` lists, each with a one-line help; `--help` lists every
/// option with its full text.
const ARTIFACT_SHORT_HELP: &[(&str, &str)] = &[
    ("file", "The artifact file"),
    (
        "digest",
        "Or the artifact's digest (sha256:HEX) instead of a file",
    ),
    (
        "bundle",
        "Signature evidence: Sigstore bundle, DSSE envelope, cosign signature (repeatable)",
    ),
    (
        "attestations",
        "Attestations: gh attestation download JSON lines, or a directory",
    ),
    (
        "certificate_identity",
        "Expected signer identity (certificate SAN), exact",
    ),
    (
        "certificate_identity_regexp",
        "Expected signer identity as a regexp, anchored at both ends",
    ),
    (
        "certificate_oidc_issuer",
        "Expected OIDC issuer of the signing certificate",
    ),
    (
        "trusted_root",
        "public-good (default), staging, github, or a trusted_root.json file",
    ),
    (
        "key",
        "Verify with a public key (PEM) instead of a certificate (repeatable)",
    ),
    ("commit", "The source commit that must have been built"),
    (
        "policy",
        "A policy file (YAML): signers, builders, source, SBOM and gate requirements",
    ),
    (
        "format",
        "Report format, FMT or FMT=PATH (text, json, sarif, markdown, junit, html, vsa)",
    ),
    ("out", "Write the report to this file"),
    ("help", "Print help (see every option with '--help')"),
    ("version", "Print version"),
];

/// `verify artifact -h`: the common options, one line each; every other option only in --help.
fn short_artifact_help(mut cmd: clap::Command) -> clap::Command {
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().as_str().to_owned())
        .collect();
    for id in ids {
        let short = ARTIFACT_SHORT_HELP
            .iter()
            .find(|(name, _)| *name == id)
            .map(|(_, help)| *help);
        cmd = cmd.mut_arg(id, |a| match short {
            Some(help) => match a.get_long_help().or_else(|| a.get_help()).cloned() {
                Some(long) => a.help(help).long_help(long),
                None => a.help(help),
            },
            None => a.hide_short_help(true),
        });
    }
    cmd
}

/// provenant: is what shipped exactly what was built, from the commit we think, by the builder
/// we trust?
#[derive(Debug, Parser)]
#[command(name = "provenant", version = VERSION, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 verified, 1 verification failed, 2 bad usage or unreadable input, 3 an evidence source could not be reached."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verify a subject against its signatures and attestations.
    #[command(subcommand)]
    Verify(verify::VerifyCommand),
    /// Say what a file is and whether it is well formed (parses only; verifies nothing).
    Inspect(inspect::InspectArgs),
    /// Reconstruct the chain artifact -> build -> source -> signer from the evidence, marking
    /// each link verified or not (same flags as `verify artifact`; --format text|json|mermaid
    /// show the chain, sarif|markdown|junit|html|vsa the report).
    Provenance(Box<provenance::ProvenanceArgs>),
    /// Security gates on the exact commit that shipped: SAST, SCA, DAST and CI runs, bound to the
    /// commit / digest, their outcome, timing and findings judged (prints the gate table).
    Gates(Box<gates::GatesArgs>),
    /// SBOMs: validate, bind to an artifact and judge quality (`check`), or compare two (`diff`).
    #[command(subcommand)]
    Sbom(sbom::SbomCommand),
    /// Policy files: write a starting policy (`init`), or check one (`lint`) for unknown keys,
    /// impossible rules and identity regexps other tools would not anchor, with line numbers.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Audit sampling of releases: plan a sample size (`size`), evaluate deviations
    /// (`evaluate`), select releases from a population file reproducibly (`select`), verify
    /// the sample into an evidence pack (`run`), re-perform a pack (`replay`), join the parts
    /// of a sharded run (`merge`).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Print a shell completion script for bash, zsh, fish or powershell.
    ///
    /// bash: `provenant completions bash > ~/.local/share/bash-completion/completions/provenant`;
    /// zsh: a file named _provenant in a directory on $fpath; fish:
    /// ~/.config/fish/completions/provenant.fish; powershell: add the output to $PROFILE.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Write the completion script for `shell` to stdout.
fn completions(shell: clap_complete::Shell) -> u8 {
    // Into memory first: clap_complete panics on a write error (a closed pipe).
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "provenant", &mut out);
    common::emit(&out);
    0
}

/// Parse the command line, run, and map the outcome to an exit code.
pub fn main() -> ExitCode {
    // A panic is a bug; say so on one line. Panics inside verification are caught and become
    // failed checks (never a pass); anything else exits 101, which scripts treat as an error.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let msg = provenant_report::sanitize::terminal_line(&msg);
        #[allow(clippy::print_stderr)]
        {
            eprintln!("provenant: internal error (please report): {msg}");
        }
    }));
    let cmd = Cli::command().mut_subcommand("verify", |v| {
        v.mut_subcommand("artifact", short_artifact_help)
    });
    let cli = Cli::from_arg_matches(&cmd.get_matches()).unwrap_or_else(|e| e.exit());
    let result = match cli.command {
        Command::Verify(v) => verify::run(v),
        Command::Inspect(a) => inspect::run(&a),
        Command::Provenance(a) => provenance::provenance(&a),
        Command::Sbom(c) => sbom::run(c),
        Command::Gates(a) => gates::run(&a),
        Command::Policy(c) => policy::run(c),
        Command::Audit(c) => audit::run(c),
        Command::Completions { shell } => Ok(completions(shell)),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Errors quote evidence (parser messages, file names): one line, nothing hidden.
            let msg = format!(
                "error: {}\n",
                provenant_report::sanitize::terminal_line(&e.to_string())
            );
            #[allow(clippy::print_stderr)]
            {
                eprint!("{msg}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
