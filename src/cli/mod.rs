//! Argument parsing and dispatch.

use std::fmt;
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod args;
mod audit;
mod gates;
mod image;
mod inspect;
mod output;
mod policy;
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
    Provenance(Box<verify::ProvenanceArgs>),
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
    /// (`evaluate`), and select releases from a population file reproducibly (`select`).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
}

/// An error that ends the run before a verdict: it maps to exit code 2 or 3.
#[derive(Debug)]
pub enum CliError {
    /// Bad flags or unreadable input (exit 2).
    Input(String),
    /// An evidence source could not be reached (exit 3).
    #[allow(dead_code)]
    Unreachable(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(m) | Self::Unreachable(m) => f.write_str(m),
        }
    }
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            Self::Input(_) => 2,
            Self::Unreachable(_) => 3,
        }
    }
}

/// Output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Concise text: verdict, then failures first (colour only on a terminal).
    Text,
    /// The JSON report (schema: attestations/report.schema.json).
    Json,
    /// A Mermaid flowchart of the provenance chain.
    Mermaid,
}

/// Read a file whole, refusing anything over `limit` bytes.
pub fn read_limited(path: &str, limit: u64, what: &str) -> Result<Vec<u8>, CliError> {
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::Input(format!("cannot read {what} {path}: {e}")))?;
    let mut buf = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::Input(format!("cannot read {what} {path}: {e}")))?;
    if buf.len() as u64 > limit {
        return Err(CliError::Input(format!(
            "{what} {path} is larger than the {limit}-byte limit; is it the right file?"
        )));
    }
    Ok(buf)
}

/// The subject a command is about: the artifact `file` hashed as a stream with `algs`, or the
/// given `digest` (ALG:HEX); `None` when neither is given.
pub fn subject_of(
    file: Option<&str>,
    digest: Option<&str>,
    algs: &[provenant_model::DigestAlgorithm],
) -> Result<Option<provenant_model::Subject>, CliError> {
    use provenant_model::{Digest, Subject, SubjectKind};
    if let Some(d) = digest {
        let digest: Digest = d
            .parse()
            .map_err(|e| CliError::Input(format!("--digest: {e}")))?;
        return Ok(Some(Subject {
            kind: SubjectKind::Digest,
            name: None,
            digests: vec![digest],
            size: None,
        }));
    }
    let Some(f) = file else {
        return Ok(None);
    };
    let handle = std::fs::File::open(f)
        .map_err(|e| CliError::Input(format!("cannot read artifact {f}: {e}")))?;
    if handle.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(CliError::Input(format!(
            "artifact {f} is a directory; give a file or --digest"
        )));
    }
    let (digests, size) = provenant_verify::digest_reader(handle, algs)
        .map_err(|e| CliError::Input(format!("cannot read artifact {f}: {e}")))?;
    Ok(Some(Subject {
        kind: SubjectKind::File,
        name: Some(f.to_owned()),
        digests,
        size: Some(size),
    }))
}

/// Whether stdout should get colour.
pub fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Write bytes to stderr, ignoring a closed pipe.
pub fn emit_stderr(bytes: &[u8]) {
    let mut out = std::io::stderr().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

/// Write bytes to stdout, ignoring a closed pipe.
pub fn emit(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
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
        Command::Provenance(a) => verify::provenance(&a),
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
