//! The commits of a range and the files of a commit, through the hardened git runner of
//! [`crate::git`] (no configuration but the clone's own, hooks and fsmonitor off, no transport,
//! a timeout per command). A shallow clone or one with grafts is refused: its history is not
//! the repository's.
//!
//! Signature status is `unsigned` (no `gpgsig` header), `unknown` (signed, but no allowed
//! signers were given, or not an SSH signature, so nothing was verified), or, for an SSH
//! signature with an SSH allowed-signers file, what `git verify-commit` says: `good` or `bad`. It is never `good` without that verification.
//! The signing programs are pinned on the command line, so a clone's `.git/config` cannot name
//! another program to run.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use provenant_formats::gate::is_commit;
use provenant_formats::gate::review::GitCommit;

use crate::git::{parse_commit, Git, GitError};

/// Most commits read from one range.
pub const MAX_RANGE_COMMITS: usize = 1_000_000;
/// Most lockfiles read from one commit.
pub const MAX_LOCKFILES_PER_COMMIT: usize = 1_000;

/// A commit's signature, as far as it was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureStatus {
    /// No signature header.
    Unsigned,
    /// Signed, not verified (no allowed signers given).
    Unknown,
    /// `git verify-commit` accepted it against the allowed signers.
    Good,
    /// `git verify-commit` refused it.
    Bad,
}

impl SignatureStatus {
    /// `unsigned`, `unknown`, `good` or `bad`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unsigned => "unsigned",
            Self::Unknown => "unknown",
            Self::Good => "good",
            Self::Bad => "bad",
        }
    }
}

/// One commit of a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedCommit {
    /// The commit.
    pub commit: GitCommit,
    /// Its signature status.
    pub signature: SignatureStatus,
}

fn valid_rev(r: &str) -> bool {
    !r.is_empty()
        && !r.starts_with(['-', '.'])
        && !r.ends_with('.')
        && r.len() <= 256
        && r.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-' | b'^' | b'~' | b'@')
        })
        && !r.contains("..")
}

/// Check a range (`A..B` or `B`) before it reaches git's argv.
pub fn parse_range(range: &str) -> Result<(Option<&str>, &str), GitError> {
    let bad = || GitError::Output {
        args: "log".into(),
        what: format!("range {range:?} is not REV or REV..REV"),
    };
    match range.split_once("..") {
        Some((a, b)) if valid_rev(a) && valid_rev(b) => Ok((Some(a), b)),
        None if valid_rev(range) => Ok((None, range)),
        _ => Err(bad()),
    }
}

fn open(repo: &Path, timeout: Duration) -> Result<Git<'_>, GitError> {
    let git = Git { repo, timeout };
    let probe = match git.run(&["rev-parse", "--is-shallow-repository", "--absolute-git-dir"]) {
        Ok(out) => out,
        Err(GitError::Failed { stderr, .. }) => {
            return Err(GitError::NotARepository {
                path: repo.to_owned(),
                stderr,
            })
        }
        Err(e) => return Err(e),
    };
    let mut lines = probe.lines();
    if lines.next() == Some("true") {
        return Err(GitError::Output {
            args: "rev-parse --is-shallow-repository".into(),
            what: "a shallow clone: its history is incomplete; give a full clone".into(),
        });
    }
    let grafts = Path::new(lines.next().unwrap_or_default()).join("info/grafts");
    if grafts.exists() {
        return Err(GitError::Grafts(grafts));
    }
    Ok(git)
}

/// The commits of `range` (`A..B`: reachable from B and not from A; `B`: all of B's history),
/// newest first, with their signature status. `allowed_signers` is an SSH allowed-signers file.
pub fn log(
    repo: &Path,
    range: &str,
    allowed_signers: Option<&Path>,
    timeout: Duration,
) -> Result<Vec<LoggedCommit>, GitError> {
    parse_range(range)?;
    let git = open(repo, timeout)?;
    const FORMAT: &str = "--format=%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%s%x00";
    let max = format!("--max-count={}", MAX_RANGE_COMMITS + 1);
    let args = [
        "log",
        "--no-show-signature",
        "--no-notes",
        "--no-color",
        &max,
        FORMAT,
        "--end-of-options",
        range,
    ];
    let out = git.run(&args)?;
    let mut commits = Vec::new();
    for rec in out.split("\0\n").filter(|r| !r.is_empty()) {
        let c = parse_commit(rec.trim_end_matches('\0')).ok_or_else(|| GitError::Output {
            args: args.join(" "),
            what: "a commit record that does not read".into(),
        })?;
        commits.push(c);
    }
    if commits.len() > MAX_RANGE_COMMITS {
        return Err(GitError::Output {
            args: args.join(" "),
            what: format!("more than {MAX_RANGE_COMMITS} commits in the range"),
        });
    }
    let signed = signed_commits(&git, range, &max)?;
    commits
        .into_iter()
        .map(|commit| {
            // Only an SSH signature is checked against the allowed signers; an OpenPGP or
            // X.509 one would be checked against whatever keyring the machine has, so it stays
            // unknown.
            let signature = match (signed.get(&commit.sha), allowed_signers) {
                (None, _) => SignatureStatus::Unsigned,
                (Some(true), Some(f)) => verify(&git, &commit.sha, f)?,
                (Some(_), _) => SignatureStatus::Unknown,
            };
            Ok(LoggedCommit { commit, signature })
        })
        .collect()
}

/// The commits of `range` with a `gpgsig` header (raw headers start at column 0; message
/// lines are indented, so a message cannot fake one), and whether each is an SSH signature.
fn signed_commits(
    git: &Git<'_>,
    range: &str,
    max: &str,
) -> Result<BTreeMap<String, bool>, GitError> {
    let out = git.run(&[
        "log",
        "--no-show-signature",
        "--no-notes",
        "--no-color",
        max,
        "--pretty=raw",
        "--end-of-options",
        range,
    ])?;
    let mut signed = BTreeMap::new();
    let mut current: Option<&str> = None;
    for line in out.lines() {
        if let Some(sha) = line.strip_prefix("commit ") {
            current = Some(sha.split_whitespace().next().unwrap_or_default());
        } else if let Some(sig) = line
            .strip_prefix("gpgsig ")
            .or_else(|| line.strip_prefix("gpgsig-sha256 "))
        {
            if let Some(sha) = current.filter(|s| is_commit(s)) {
                let ssh = sig.trim() == "-----BEGIN SSH SIGNATURE-----";
                signed.entry(sha.to_owned()).or_insert(ssh);
            }
        }
    }
    Ok(signed)
}

fn verify(git: &Git<'_>, sha: &str, allowed_signers: &Path) -> Result<SignatureStatus, GitError> {
    let file = format!("gpg.ssh.allowedSignersFile={}", allowed_signers.display());
    let ok = git.status(
        &[
            "-c",
            "gpg.program=false",
            "-c",
            "gpg.ssh.program=ssh-keygen",
            "-c",
            "gpg.x509.program=false",
            "-c",
            &file,
            "-c",
            "gpg.ssh.revocationFile=/dev/null",
            "verify-commit",
            "--end-of-options",
            sha,
        ],
        &[1, 128],
    )?;
    Ok(if ok {
        SignatureStatus::Good
    } else {
        SignatureStatus::Bad
    })
}

/// The paths of files at `commit` whose names `keep` accepts (`ls-tree -r`), in path order.
pub fn files_at(
    repo: &Path,
    commit: &str,
    keep: &dyn Fn(&str) -> bool,
    timeout: Duration,
) -> Result<Vec<String>, GitError> {
    if !is_commit(commit) {
        return Err(GitError::BadCommit(commit.to_owned()));
    }
    let git = open(repo, timeout)?;
    let out = git.run(&[
        "ls-tree",
        "-r",
        "-z",
        "--name-only",
        "--end-of-options",
        commit,
    ])?;
    let mut paths: Vec<String> = out
        .split('\0')
        .filter(|p| !p.is_empty() && keep(p))
        .map(str::to_owned)
        .collect();
    paths.sort();
    if paths.len() > MAX_LOCKFILES_PER_COMMIT {
        return Err(GitError::Output {
            args: "ls-tree".into(),
            what: format!("more than {MAX_LOCKFILES_PER_COMMIT} matching files"),
        });
    }
    Ok(paths)
}

/// The bytes of `path` at `commit` (`git show COMMIT:PATH`; text, as lockfiles are), refused
/// over `limit` bytes.
pub fn show_file(
    repo: &Path,
    commit: &str,
    path: &str,
    limit: u64,
    timeout: Duration,
) -> Result<Vec<u8>, GitError> {
    if !is_commit(commit) {
        return Err(GitError::BadCommit(commit.to_owned()));
    }
    let git = open(repo, timeout)?;
    let spec = format!("{commit}:{path}");
    let out = git.run(&["show", "--no-textconv", "--end-of-options", &spec])?;
    if out.len() as u64 > limit {
        return Err(GitError::Output {
            args: format!("show {spec}"),
            what: format!("larger than {limit} bytes"),
        });
    }
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked_before_git_runs() {
        assert_eq!(parse_range("v1.0..v1.1").unwrap(), (Some("v1.0"), "v1.1"));
        assert_eq!(parse_range("HEAD").unwrap(), (None, "HEAD"));
        for bad in [
            "",
            "--all",
            "a..",
            "..b",
            "a...b",
            "a..--output=x",
            "a b",
            "a..b..c",
        ] {
            assert!(parse_range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_missing_repository_is_an_error() {
        let r = log(
            Path::new("/nonexistent"),
            "HEAD",
            None,
            Duration::from_secs(5),
        );
        assert!(r.is_err());
    }
}
