//! Argument parsing and dispatch.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod args;
mod artifact;
mod audit;
mod audit_run;
mod common;
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

/// provenant: is what shipped exactly what was built, from the commit we think, by the builder
/// we trust?
#[derive(Debug, Parser)]
#[command(name = "provenant", version, about, long_about = None, propagate_version = true)]
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
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Verify(v) => verify::run(v),
        Command::Inspect(a) => inspect::run(&a),
        Command::Provenance(a) => provenance::provenance(&a),
        Command::Sbom(c) => sbom::run(c),
        Command::Gates(a) => gates::run(&a),
        Command::Policy(c) => policy::run(c),
        Command::Audit(c) => audit::run(c),
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
