//! Local git history for the change-review checks: the I/O edge, through the `git` command.
//!
//! Given a clone, a release branch and the shipped commit, [`history`] asks git whether the
//! commit is reachable from the branch, whether it lies on the branch's first-parent history,
//! which first-parent commit brought it in, and who authored and committed them. The facts go
//! into a [`GitHistory`]; `provenant_core::review` judges them.
//!
//! The clone is untrusted: git runs with the system and global configuration ignored,
//! `safe.directory=*` (the clone may belong to another user), hooks and fsmonitor off, replace
//! refs ignored, every transport protocol disallowed (so nothing is ever fetched, not even the
//! missing objects of a partial clone), no terminal prompts, and a timeout per command. A
//! clone with a grafts file is refused: grafts rewrite parents, which is what is being judged.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use provenant_formats::gate::is_commit;
use provenant_formats::gate::review::{GitCommit, GitHistory, GitIdentity};

/// Longest a single git command may run by default.
pub const DEFAULT_GIT_TIMEOUT: Duration = Duration::from_secs(60);
/// Most first-parent commits of the release branch considered.
pub const MAX_FIRST_PARENT_COMMITS: usize = 2_000_000;
/// Largest output read from one git command (bytes).
const MAX_GIT_OUTPUT: u64 = 256 * 1024 * 1024;

/// Why git history could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GitError {
    /// `git` could not be started.
    #[error("cannot run git: {0}")]
    Spawn(#[source] std::io::Error),
    /// A git command ran longer than the timeout and was killed.
    #[error("git {args} ran longer than {}s and was stopped", .after.as_secs())]
    Timeout {
        /// The command's arguments.
        args: String,
        /// The timeout.
        after: Duration,
    },
    /// A git command failed.
    #[error("{}", failed(.args, .code, .stderr))]
    Failed {
        /// The command's arguments.
        args: String,
        /// Its exit code, when it exited.
        code: Option<i32>,
        /// The first line of its standard error.
        stderr: String,
    },
    /// Not a git repository.
    #[error("{} is not a git repository: {stderr}", .path.display())]
    NotARepository {
        /// The path given.
        path: PathBuf,
        /// git's complaint.
        stderr: String,
    },
    /// The release branch does not resolve to a commit.
    #[error("the release branch {0:?} does not name a commit in the clone (try origin/{0})")]
    UnknownBranch(String),
    /// The commit is not a full commit id.
    #[error("{0:?} is not a full commit id (40 or 64 hex digits)")]
    BadCommit(String),
    /// The clone has a grafts file.
    #[error(
        "the clone has a grafts file ({}), which rewrites commit parents: refusing to judge its history",
        .0.display()
    )]
    Grafts(PathBuf),
    /// git printed something unexpected.
    #[error("git {args}: unexpected output: {what}")]
    Output {
        /// The command's arguments.
        args: String,
        /// What was wrong.
        what: String,
    },
}

/// The message of [`GitError::Failed`]: killed by a signal when there is no exit code.
fn failed(args: &str, code: &Option<i32>, stderr: &str) -> String {
    match code {
        Some(c) => format!("git {args} failed (exit {c}): {stderr}"),
        None => format!("git {args} was killed: {stderr}"),
    }
}

/// Read what the clone at `repo` says about `commit` on `branch`. Never fetches.
pub fn history(
    repo: &Path,
    branch: &str,
    commit: &str,
    timeout: Duration,
) -> Result<GitHistory, GitError> {
    if !is_commit(commit) {
        return Err(GitError::BadCommit(commit.to_owned()));
    }
    if branch.is_empty() || branch.starts_with('-') {
        return Err(GitError::UnknownBranch(branch.to_owned()));
    }
    let commit = commit.to_ascii_lowercase();
    let git = Git { repo, timeout };

    let probe = git.run(&["rev-parse", "--is-shallow-repository", "--absolute-git-dir"]);
    let probe = match probe {
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
    let shallow = lines.next() == Some("true");
    let git_dir = PathBuf::from(lines.next().unwrap_or_default());
    let grafts = git_dir.join("info/grafts");
    if grafts.exists() {
        return Err(GitError::Grafts(grafts));
    }

    let tip_spec = format!("{branch}^{{commit}}");
    let branch_tip = match git.run(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &tip_spec,
    ]) {
        Ok(out) => out.trim().to_owned(),
        Err(GitError::Failed { .. }) => return Err(GitError::UnknownBranch(branch.to_owned())),
        Err(e) => return Err(e),
    };
    if !is_commit(&branch_tip) {
        return Err(GitError::UnknownBranch(branch.to_owned()));
    }

    let mut out = GitHistory {
        repository: repo.display().to_string(),
        branch: branch.to_owned(),
        branch_tip: branch_tip.clone(),
        shallow,
        commit: commit.clone(),
        info: None,
        reachable: false,
        first_parent: false,
        landed_by: None,
    };
    // `cat-file -e` exits 1 for a missing object, 128 when the name does not resolve at all.
    if !git.status(
        &["cat-file", "-e", &format!("{commit}^{{commit}}")],
        &[1, 128],
    )? {
        return Ok(out);
    }
    out.info = Some(git.commit(&commit)?);
    out.reachable = git.is_ancestor(&commit, &branch_tip)?;
    if !out.reachable {
        return Ok(out);
    }

    let listing = git.run(&["rev-list", "--first-parent", &branch_tip])?;
    let chain: Vec<&str> = listing.lines().take(MAX_FIRST_PARENT_COMMITS).collect();
    let complete = listing.lines().nth(MAX_FIRST_PARENT_COMMITS).is_none();
    out.first_parent = chain.contains(&commit.as_str());
    let landed = if out.first_parent {
        Some(commit.clone())
    } else {
        git.landing(&chain, complete, &commit)?
    };
    out.landed_by = match landed {
        Some(sha) if sha == commit => out.info.clone(),
        Some(sha) => Some(git.commit(&sha)?),
        None => None,
    };
    Ok(out)
}

pub(crate) struct Git<'a> {
    pub(crate) repo: &'a Path,
    pub(crate) timeout: Duration,
}

impl Git<'_> {
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("git");
        c.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            c.env("PATH", path);
        }
        c.env("LC_ALL", "C")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_NO_REPLACE_OBJECTS", "1")
            .env("GIT_NO_LAZY_FETCH", "1")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env("GIT_ATTR_NOSYSTEM", "1");
        c.arg("-C").arg(self.repo);
        for cfg in [
            "safe.directory=*",
            "core.hooksPath=/dev/null",
            "core.fsmonitor=false",
            "protocol.allow=never",
            "log.showSignature=false",
        ] {
            c.arg("-c").arg(cfg);
        }
        c.args(["--no-pager", "--no-replace-objects"]).args(args);
        c.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Run; `(exit code, stdout, stderr)`.
    pub(crate) fn exec(&self, args: &[&str]) -> Result<(Option<i32>, String, String), GitError> {
        let joined = args.join(" ");
        let mut child = self.command(args).spawn().map_err(GitError::Spawn)?;
        let drain = |r: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(r) = r {
                    let _ = r.take(MAX_GIT_OUTPUT).read_to_end(&mut buf);
                }
                buf
            })
        };
        let stdout = drain(
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        );
        let stderr = drain(
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        );
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            if let Some(status) = child.try_wait().map_err(GitError::Spawn)? {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(GitError::Timeout {
                    args: joined,
                    after: self.timeout,
                });
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let stdout = stdout.join().unwrap_or_default();
        // Output at the limit was cut by `take`: an error, never a silently shorter history.
        if stdout.len() as u64 >= MAX_GIT_OUTPUT {
            return Err(GitError::Output {
                args: joined,
                what: format!("more than {MAX_GIT_OUTPUT} bytes of output"),
            });
        }
        let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
        Ok((
            status.code(),
            text(stdout),
            text(stderr.join().unwrap_or_default()),
        ))
    }

    /// Run and require success; stdout.
    pub(crate) fn run(&self, args: &[&str]) -> Result<String, GitError> {
        let (code, out, err) = self.exec(args)?;
        if code == Some(0) {
            Ok(out)
        } else {
            Err(GitError::Failed {
                args: args.join(" "),
                code,
                stderr: err.lines().next().unwrap_or_default().to_owned(),
            })
        }
    }

    /// Run a yes/no command: exit 0 is yes, an exit code in `no` is no, anything else an error.
    pub(crate) fn status(&self, args: &[&str], no: &[i32]) -> Result<bool, GitError> {
        match self.exec(args)? {
            (Some(0), ..) => Ok(true),
            (Some(c), ..) if no.contains(&c) => Ok(false),
            (code, _, err) => Err(GitError::Failed {
                args: args.join(" "),
                code,
                stderr: err.lines().next().unwrap_or_default().to_owned(),
            }),
        }
    }

    fn is_ancestor(&self, ancestor: &str, of: &str) -> Result<bool, GitError> {
        self.status(&["merge-base", "--is-ancestor", ancestor, of], &[1])
    }

    /// The oldest commit of the first-parent `chain` (newest first) that has `commit` as an
    /// ancestor: the one that brought it onto the branch. Being an ancestor is monotone along
    /// the chain, so a binary search needs a handful of `merge-base` calls. `None` when the
    /// answer lies beyond an incomplete chain.
    fn landing(
        &self,
        chain: &[&str],
        complete: bool,
        commit: &str,
    ) -> Result<Option<String>, GitError> {
        // Invariant: chain[lo] contains commit; chain[hi] (when hi < len) does not.
        if chain.is_empty() || !self.is_ancestor(commit, chain[0])? {
            return Ok(None);
        }
        let (mut lo, mut hi) = (0, chain.len());
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.is_ancestor(commit, chain[mid])? {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if !complete && lo == chain.len() - 1 {
            return Ok(None);
        }
        Ok(Some(chain[lo].to_owned()))
    }

    fn commit(&self, sha: &str) -> Result<GitCommit, GitError> {
        const FORMAT: &str = "--format=%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%s";
        let args = [
            "show",
            "-s",
            "--no-show-signature",
            "--no-notes",
            FORMAT,
            "--end-of-options",
            sha,
        ];
        let out = self.run(&args)?;
        parse_commit(out.trim_end_matches('\n')).ok_or_else(|| GitError::Output {
            args: args.join(" "),
            what: format!("{out:?} is not a commit record"),
        })
    }
}

/// One `%H %P %an %ae %aI %cn %ce %cI %s` record, NUL-separated.
pub(crate) fn parse_commit(record: &str) -> Option<GitCommit> {
    let f: Vec<&str> = record.splitn(9, '\0').collect();
    let [sha, parents, an, ae, at, cn, ce, ct, subject] = f.as_slice() else {
        return None;
    };
    if !is_commit(sha) {
        return None;
    }
    let parents: Vec<String> = parents.split_whitespace().map(str::to_owned).collect();
    if !parents.iter().all(|p| is_commit(p)) {
        return None;
    }
    let who = |name: &str, email: &str, time: &str| GitIdentity {
        name: name.to_owned(),
        email: email.to_owned(),
        time: time.to_owned(),
    };
    Some(GitCommit {
        sha: (*sha).to_owned(),
        parents,
        author: who(an, ae, at),
        committer: who(cn, ce, ct),
        subject: (*subject).to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "acb5820ced9479c074f688cc328bf03f341a511d";
    const PARENT: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

    fn record(sha: &str, parents: &str) -> String {
        [
            sha,
            parents,
            "Alice",
            "alice@example.com",
            "2026-01-01T00:00:00+00:00",
            "Bob",
            "bob@example.com",
            "2026-01-02T00:00:00+00:00",
            "subject with\0a NUL kept",
        ]
        .join("\0")
    }

    #[test]
    fn parse_commit_reads_a_record() {
        let c = parse_commit(&record(SHA, PARENT)).unwrap();
        assert_eq!(c.sha, SHA);
        assert_eq!(c.parents, [PARENT]);
        assert_eq!(c.author.name, "Alice");
        assert_eq!(c.committer.email, "bob@example.com");
        assert_eq!(c.subject, "subject with\0a NUL kept");
        assert!(parse_commit(&record(SHA, "")).unwrap().parents.is_empty());
    }

    #[test]
    fn parse_commit_refuses_malformed_records() {
        assert!(parse_commit("").is_none());
        assert!(parse_commit(&record("HEAD", PARENT)).is_none());
        assert!(parse_commit(&record(SHA, "main")).is_none());
        assert!(parse_commit(&format!("{SHA}\0{PARENT}\0Alice")).is_none());
    }

    /// Argument checks run before git is started: an option-like branch never reaches argv.
    #[test]
    fn history_checks_arguments_first() {
        let nowhere = Path::new("/nonexistent");
        let t = Duration::from_secs(1);
        assert!(matches!(
            history(nowhere, "main", "HEAD", t),
            Err(GitError::BadCommit(_))
        ));
        for branch in ["", "-c", "--output=/tmp/x"] {
            assert!(matches!(
                history(nowhere, branch, SHA, t),
                Err(GitError::UnknownBranch(_))
            ));
        }
    }

    #[test]
    fn messages() {
        let failed = |code| GitError::Failed {
            args: "rev-parse".into(),
            code,
            stderr: "fatal".into(),
        };
        assert_eq!(
            failed(Some(128)).to_string(),
            "git rev-parse failed (exit 128): fatal"
        );
        assert_eq!(failed(None).to_string(), "git rev-parse was killed: fatal");
        let timeout = GitError::Timeout {
            args: "rev-list".into(),
            after: Duration::from_secs(60),
        };
        assert_eq!(
            timeout.to_string(),
            "git rev-list ran longer than 60s and was stopped"
        );
        assert_eq!(
            GitError::UnknownBranch("main".into()).to_string(),
            "the release branch \"main\" does not name a commit in the clone (try origin/main)"
        );
        assert_eq!(
            GitError::Grafts(PathBuf::from("/r/.git/info/grafts")).to_string(),
            "the clone has a grafts file (/r/.git/info/grafts), which rewrites commit parents: refusing to judge its history"
        );
    }
}
