//! Source history for the audit's SQL tables: `audit run --git-dir REPOSITORY=DIR` reads each
//! sampled release's range and lockfiles from a local clone (through the hardened git runner
//! of `provenant_collect`), keeping every byte read in the pack.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use provenant_audit::{
    commits_json, plan_ranges, CommitRecord, GitRange, LockfileRecord, Population,
};
use provenant_collect::git::DEFAULT_GIT_TIMEOUT;
use provenant_collect::git_log::{files_at, log, show_file, LoggedCommit};
use provenant_formats::lockfile::{LockfileKind, MAX_LOCKFILE_BYTES};

use super::common::CliError;

/// `--git-dir REPOSITORY=DIR` flags, as a map (a repository given twice is refused).
pub(super) fn git_dirs(flags: &[String]) -> Result<BTreeMap<String, PathBuf>, CliError> {
    let mut out = BTreeMap::new();
    for f in flags {
        let (repo, dir) = f
            .split_once('=')
            .filter(|(r, d)| !r.is_empty() && !d.is_empty())
            .ok_or_else(|| {
                CliError::Input(format!(
                    "--git-dir {f:?}: give REPOSITORY=DIR (the population's repository value, then the local clone)"
                ))
            })?;
        if !Path::new(dir).is_dir() {
            return Err(CliError::Input(format!(
                "--git-dir {f:?}: {dir} is not a directory"
            )));
        }
        if out.insert(repo.to_owned(), PathBuf::from(dir)).is_some() {
            return Err(CliError::Input(format!(
                "--git-dir: repository {repo} given twice"
            )));
        }
    }
    Ok(out)
}

/// Whether a file name looks like a lockfile: one read, or one recorded as of an unknown format.
pub(super) fn is_lockfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    LockfileKind::from_path(path).is_some()
        || name.ends_with(".lock")
        || name.ends_with("-lock.json")
        || name.ends_with("-lock.yaml")
}

/// The commits as the pack keeps them.
pub(super) fn records(logged: Vec<LoggedCommit>) -> Vec<CommitRecord> {
    logged
        .into_iter()
        .map(|l| CommitRecord {
            sha: l.commit.sha,
            parents: l.commit.parents,
            author_name: l.commit.author.name,
            author_email: l.commit.author.email,
            author_time: l.commit.author.time,
            committer_name: l.commit.committer.name,
            committer_email: l.commit.committer.email,
            committer_time: l.commit.committer.time,
            subject: l.commit.subject,
            signature: l.signature.as_str().to_owned(),
        })
        .collect()
}

/// The lockfiles at `commit`, each kept with `keep` (which returns its SHA-256).
pub(super) fn lockfiles_at(
    dir: &Path,
    commit: &str,
    keep: &dyn Fn(&[u8]) -> String,
) -> Result<Vec<LockfileRecord>, String> {
    let paths =
        files_at(dir, commit, &is_lockfile, DEFAULT_GIT_TIMEOUT).map_err(|e| e.to_string())?;
    Ok(paths
        .into_iter()
        .map(
            |path| match show_file(dir, commit, &path, MAX_LOCKFILE_BYTES, DEFAULT_GIT_TIMEOUT) {
                Ok(bytes) => LockfileRecord {
                    path,
                    sha256: Some(keep(&bytes)),
                    error: None,
                },
                Err(e) => LockfileRecord {
                    path,
                    sha256: None,
                    error: Some(e.to_string()),
                },
            },
        )
        .collect())
}

/// The history of the releases `ids` (none without `--git-dir`); a release whose repository
/// has no clone, or whose range cannot be read, has a range that says why.
pub(super) fn collect(
    population: &Population,
    ids: &[&str],
    dirs: &BTreeMap<String, PathBuf>,
    allowed_signers: Option<&Path>,
    keep: &dyn Fn(&[u8]) -> String,
) -> Vec<GitRange> {
    if dirs.is_empty() {
        return vec![];
    }
    let mut out = Vec::new();
    for (id, plan) in plan_ranges(population, ids) {
        let row = population.row(&id);
        let mut range = GitRange {
            release: id.clone(),
            repository: row.and_then(|r| r.repository.clone()).unwrap_or_default(),
            from: None,
            to: row.and_then(|r| r.commit.clone()).unwrap_or_default(),
            log: None,
            lockfiles: vec![],
            error: None,
        };
        let (repo, from, to) = match plan {
            Ok(p) => p,
            Err(e) => {
                range.error = Some(e);
                out.push(range);
                continue;
            }
        };
        range.from.clone_from(&from);
        let Some(dir) = dirs.get(&repo) else {
            range.error = Some(format!("no --git-dir given for repository {repo}"));
            out.push(range);
            continue;
        };
        let spec = match &from {
            Some(f) => format!("{f}..{to}"),
            None => to.clone(),
        };
        match log(dir, &spec, allowed_signers, DEFAULT_GIT_TIMEOUT) {
            Ok(commits) => range.log = Some(keep(&commits_json(&records(commits)))),
            Err(e) => range.error = Some(e.to_string()),
        }
        if range.error.is_none() {
            match lockfiles_at(dir, &to, keep) {
                Ok(l) => range.lockfiles = l,
                Err(e) => range.error = Some(e),
            }
        }
        out.push(range);
    }
    out
}
