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

use std::fmt;
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
#[derive(Debug)]
#[non_exhaustive]
pub enum GitError {
    /// `git` could not be started.
    Spawn(std::io::Error),
    /// A git command ran longer than the timeout and was killed.
    Timeout {
        /// The command's arguments.
        args: String,
        /// The timeout.
        after: Duration,
    },
    /// A git command failed.
    Failed {
        /// The command's arguments.
        args: String,
        /// Its exit code, when it exited.
        code: Option<i32>,
        /// The first line of its standard error.
        stderr: String,
    },
    /// Not a git repository.
    NotARepository {
        /// The path given.
        path: PathBuf,
        /// git's complaint.
        stderr: String,
    },
    /// The release branch does not resolve to a commit.
    UnknownBranch(String),
    /// The commit is not a full commit id.
    BadCommit(String),
    /// The clone has a grafts file.
    Grafts(PathBuf),
    /// git printed something unexpected.
    Output {
        /// The command's arguments.
        args: String,
        /// What was wrong.
        what: String,
    },
}

impl fmt::Display for GitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spawn(e) => write!(f, "cannot run git: {e}"),
            Self::Timeout { args, after } => {
                write!(f, "git {args} ran longer than {}s and was stopped", after.as_secs())
            }
            Self::Failed { args, code, stderr } => match code {
                Some(c) => write!(f, "git {args} failed (exit {c}): {stderr}"),
                None => write!(f, "git {args} was killed: {stderr}"),
            },
            Self::NotARepository { path, stderr } => {
                write!(f, "{} is not a git repository: {stderr}", path.display())
            }
            Self::UnknownBranch(b) => write!(
                f,
                "the release branch {b:?} does not name a commit in the clone (try origin/{b})"
            ),
            Self::BadCommit(c) => write!(f, "{c:?} is not a full commit id (40 or 64 hex digits)"),
            Self::Grafts(p) => write!(
                f,
                "the clone has a grafts file ({}), which rewrites commit parents: refusing to judge its history",
                p.display()
            ),
            Self::Output { args, what } => write!(f, "git {args}: unexpected output: {what}"),
        }
    }
}

impl std::error::Error for GitError {}

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

struct Git<'a> {
    repo: &'a Path,
    timeout: Duration,
}

impl Git<'_> {
    fn command(&self, args: &[&str]) -> Command {
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
    fn exec(&self, args: &[&str]) -> Result<(Option<i32>, String, String), GitError> {
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
        let text = |h: std::thread::JoinHandle<Vec<u8>>| {
            String::from_utf8_lossy(&h.join().unwrap_or_default()).into_owned()
        };
        Ok((status.code(), text(stdout), text(stderr)))
    }

    /// Run and require success; stdout.
    fn run(&self, args: &[&str]) -> Result<String, GitError> {
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
    fn status(&self, args: &[&str], no: &[i32]) -> Result<bool, GitError> {
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
fn parse_commit(record: &str) -> Option<GitCommit> {
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
