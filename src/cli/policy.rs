//! `provenant policy init | lint`. A policy given to a verify command is read in `read.rs` and
//! merged with the flags by [`provenant_policy::Policy::resolve_file`].

use std::fmt::Write as _;

use clap::{Args, Subcommand};

use provenant_policy::{lint_policy, Severity, MAX_POLICY_BYTES, STARTER_POLICY};
use provenant_report::sanitize::terminal_line;

use super::common::{emit, read_limited, CliError};

/// Policy files.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Write a commented starting policy (to stdout, or --out FILE).
    Init(InitArgs),
    /// Check a policy file: unknown keys, wrong types, impossible or contradictory rules,
    /// expired waivers, and identity regexps without ^...$ or with unescaped dots, each with its
    /// line number. Exit 0 when there are no errors (warnings are printed), 1 with errors, 2 when
    /// the file cannot be read.
    Lint(LintArgs),
}

/// Arguments of `provenant policy init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Write the policy to FILE instead of stdout (an existing file is kept unless --force).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub out: Option<String>,
    /// Overwrite --out FILE if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// The GitHub repository the releases come from, OWNER/REPO (fills in the placeholders).
    #[arg(long, value_name = "OWNER/REPO", value_parser = provenant_policy::grammar::owner_repo)]
    pub repo: Option<String>,
}

/// Arguments of `provenant policy lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The policy file (YAML or JSON).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Treat every warning as an error (exit 1): unanchored or wide-open identity regexps
    /// (one that also accepts another host, owner, repository or workflow file), unescaped
    /// dots, signers without an issuer, and the rest `policy lint` warns about.
    #[arg(long)]
    pub strict: bool,
}

/// Run a `policy` subcommand.
pub fn run(cmd: PolicyCommand) -> Result<u8, CliError> {
    match cmd {
        PolicyCommand::Init(a) => init(&a),
        PolicyCommand::Lint(a) => lint(&a),
    }
}

fn init(a: &InitArgs) -> Result<u8, CliError> {
    let text = match &a.repo {
        Some(r) => {
            let Some((owner, repo)) = r.split_once('/').filter(|(o, r)| {
                let ok = |s: &str| {
                    !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                };
                ok(o) && ok(r)
            }) else {
                return Err(CliError::Input(format!(
                    "--repo {r:?}: write it as OWNER/REPO (letters, digits, - _ .)"
                )));
            };
            let esc = |s: &str| s.replace('.', "\\.");
            // The regexp placeholders first (escaped), then the plain ones.
            STARTER_POLICY
                .replace(
                    "github\\.com/OWNER/REPO/",
                    &format!("github\\.com/{}/{}/", esc(owner), esc(repo)),
                )
                .replace("OWNER/REPO", &format!("{owner}/{repo}"))
        }
        None => STARTER_POLICY.to_owned(),
    };
    match &a.out {
        None => emit(text.as_bytes()),
        Some(path) => {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true);
            if a.force {
                opts.create(true).truncate(true);
            } else {
                opts.create_new(true);
            }
            let mut f = opts.open(path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    CliError::Input(format!(
                        "{path} exists; pass --force to overwrite it, or choose another --out"
                    ))
                } else {
                    CliError::Input(format!("cannot write {path}: {e}"))
                }
            })?;
            std::io::Write::write_all(&mut f, text.as_bytes())
                .map_err(|e| CliError::Input(format!("cannot write {path}: {e}")))?;
            emit(
                format!(
                    "wrote {path}; edit it, then check it with `provenant policy lint {path}`\n"
                )
                .as_bytes(),
            );
        }
    }
    Ok(0)
}

fn lint(a: &LintArgs) -> Result<u8, CliError> {
    let bytes = read_limited(&a.file, MAX_POLICY_BYTES, "policy file")?;
    if std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes)).is_err() {
        return Err(CliError::Input(format!(
            "policy file {} is not UTF-8 text; is it the right file?",
            a.file
        )));
    }
    let diags = lint_policy(&bytes, jiff::Timestamp::now());
    let mut out = String::new();
    for d in &diags {
        let line = d.line.map_or_else(|| "?".to_owned(), |l| l.to_string());
        let at = if d.path.is_empty() {
            String::new()
        } else {
            format!(" [{}]", d.path)
        };
        // Messages quote the policy file: one terminal line each.
        let _ = writeln!(
            out,
            "{}:{line}: {}: {}{}",
            terminal_line(&a.file),
            d.severity.as_str(),
            terminal_line(&d.message),
            terminal_line(&at)
        );
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    // Under --strict a warning fails the lint like an error.
    let failing = if a.strict { diags.len() } else { errors };
    let _ = writeln!(
        out,
        "{}: {errors} error(s), {warnings} warning(s){}",
        terminal_line(&a.file),
        match (failing, errors) {
            (0, _) => "; the policy can be used",
            (_, 0) => "; refused under --strict",
            _ => "",
        }
    );
    emit(out.as_bytes());
    Ok(u8::from(failing > 0))
}
