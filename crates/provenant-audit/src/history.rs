//! Source history in the pack: for each sampled release, the commits of its range (the previous
//! release's commit in the same repository .. its commit) and the lockfiles at its commit, as
//! read from a local clone when the run was given one. The material is kept in the pack
//! (`evidence/<sha256>`), so `results.db` is derived from the pack alone, and replays alike.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::db::{DbError, Rows, Val};
use crate::population::Population;
use crate::sql_row;

/// One sampled release's range, as read (or why it could not be).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitRange {
    /// The release id.
    pub release: String,
    /// The population's `repository`.
    pub repository: String,
    /// The previous release's commit (none: the first release of the repository, whole history).
    pub from: Option<String>,
    /// The release's commit.
    pub to: String,
    /// SHA-256 of the commit list (JSON, `evidence/<sha256>`), when it was read.
    pub log: Option<String>,
    /// The lockfiles at `to`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lockfiles: Vec<LockfileRecord>,
    /// Why the range could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One lockfile read from the repository at the release's commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockfileRecord {
    /// Its path in the repository.
    pub path: String,
    /// SHA-256 of its bytes (`evidence/<sha256>`).
    pub sha256: Option<String>,
    /// Why it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One commit, as kept in the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitRecord {
    /// The commit id.
    pub sha: String,
    /// Parent ids, in order.
    pub parents: Vec<String>,
    /// Author name.
    pub author_name: String,
    /// Author email.
    pub author_email: String,
    /// Author time (RFC 3339).
    pub author_time: String,
    /// Committer name.
    pub committer_name: String,
    /// Committer email.
    pub committer_email: String,
    /// Committer time (RFC 3339).
    pub committer_time: String,
    /// First line of the message.
    pub subject: String,
    /// `unsigned`, `unknown`, `good` or `bad`.
    pub signature: String,
}

/// What a range is to be read as: (repository, previous commit, commit), or why it cannot be.
pub type RangePlan = Result<(String, Option<String>, String), String>;

/// The range of each release in `ids`: the previous release of the same repository is the
/// population row with the latest `released_at` before this one's. A row without repository,
/// commit or `released_at` (when its repository has other releases) has no range, and says why.
pub fn plan_ranges(population: &Population, ids: &[&str]) -> BTreeMap<String, RangePlan> {
    let mut out = BTreeMap::new();
    for id in ids {
        let Some(row) = population.row(id) else {
            continue;
        };
        let plan = (|| {
            let repo = row
                .repository
                .clone()
                .ok_or("the population gives no repository for this release")?;
            let commit = row
                .commit
                .clone()
                .ok_or("the population gives no commit for this release")?;
            let siblings: Vec<_> = population
                .rows
                .iter()
                .filter(|r| r.repository.as_deref() == Some(repo.as_str()) && r.id != row.id)
                .collect();
            if siblings.is_empty() {
                return Ok((repo, None, commit));
            }
            let at = row
                .released_at
                .ok_or("no released_at: the previous release of its repository cannot be told")?;
            if siblings.iter().any(|r| r.released_at.is_none()) {
                return Err(format!(
                    "a release of {repo} has no released_at: the previous release cannot be told"
                ));
            }
            let prev = siblings
                .iter()
                .filter(|r| r.released_at.is_some_and(|t| t < at))
                .max_by_key(|r| r.released_at);
            if let Some(p) = prev {
                if siblings
                    .iter()
                    .filter(|r| r.released_at == p.released_at)
                    .count()
                    > 1
                {
                    return Err(format!(
                        "two releases of {repo} share released_at {}: the previous release is ambiguous",
                        p.released_at.map(|t| t.to_string()).unwrap_or_default()
                    ));
                }
            }
            match prev {
                Some(p) => {
                    let from = p
                        .commit
                        .clone()
                        .ok_or_else(|| format!("the previous release {} gives no commit", p.id))?;
                    Ok((repo, Some(from), commit))
                }
                None => Ok((repo, None, commit)),
            }
        })();
        out.insert((*id).to_owned(), plan);
    }
    out
}

/// The commit list as kept in the pack.
pub fn commits_json(commits: &[CommitRecord]) -> Vec<u8> {
    let mut v = serde_json::to_vec(commits).unwrap_or_default();
    v.push(b'\n');
    v
}

fn parse_commits(bytes: &[u8]) -> Result<Vec<CommitRecord>, String> {
    let v = provenant_formats::json::parse_strict(bytes).map_err(|e| e.to_string())?;
    serde_json::from_value(v).map_err(|e| e.to_string())
}

/// Rows of `commits` for `commits` of `repository`, under release `rid` (`''` for ingest).
pub fn commit_rows(
    rows: &mut Rows,
    audit: &str,
    rid: &str,
    repository: &str,
    commits: &[CommitRecord],
) -> Result<(), DbError> {
    for c in commits {
        rows.push(
            "commits",
            sql_row![
                audit,
                rid,
                repository,
                c.sha.as_str(),
                c.author_name.as_str(),
                c.author_email.as_str(),
                c.author_time.as_str(),
                c.committer_name.as_str(),
                c.committer_email.as_str(),
                c.committer_time.as_str(),
                c.parents.join(" "),
                c.parents.len() > 1,
                c.signature.as_str(),
                c.subject.as_str(),
            ],
        )?;
    }
    Ok(())
}

/// Rows of `dependencies` for one lockfile (its packages, or one row saying why there are
/// none). `seq` counts the release's dependency rows.
pub fn lockfile_rows(
    rows: &mut Rows,
    audit: &str,
    rid: &str,
    source: &str,
    bytes: Result<&[u8], String>,
    seq: &mut usize,
) -> Result<(), DbError> {
    use provenant_formats::lockfile::{parse_lockfile, LockfileError};
    let name = source.rsplit(':').next().unwrap_or(source);
    let parsed = match bytes {
        Ok(b) => parse_lockfile(name, b).map_err(|e| {
            let status = match e {
                LockfileError::UnknownKind(_) => "unknown-format",
                _ => "malformed",
            };
            (status, e.to_string())
        }),
        Err(e) => Err(("unreadable", e)),
    };
    match parsed {
        Ok(packages) => {
            for p in packages {
                rows.push(
                    "dependencies",
                    sql_row![
                        audit,
                        rid,
                        *seq,
                        p.ecosystem,
                        p.name,
                        p.version,
                        p.purl,
                        p.integrity,
                        source,
                        "lockfile",
                        "ok",
                        Val::Null,
                    ],
                )?;
                *seq += 1;
            }
        }
        Err((status, detail)) => {
            rows.push(
                "dependencies",
                sql_row![
                    audit,
                    rid,
                    *seq,
                    Val::Null,
                    Val::Null,
                    Val::Null,
                    Val::Null,
                    Val::Null,
                    source,
                    "lockfile",
                    status,
                    detail,
                ],
            )?;
            *seq += 1;
        }
    }
    Ok(())
}

/// Rows of `git_ranges`, `commits` and lockfile `dependencies` for the pack's ranges.
pub fn range_rows(
    rows: &mut Rows,
    audit: &str,
    ranges: &[GitRange],
    evidence: &BTreeMap<String, Vec<u8>>,
) -> Result<(), DbError> {
    for r in ranges {
        let rid = r.release.as_str();
        let commits = match (&r.log, &r.error) {
            (_, Some(e)) => Err(e.clone()),
            (Some(sha), None) => evidence
                .get(sha)
                .ok_or_else(|| format!("evidence/{sha} is missing"))
                .and_then(|b| parse_commits(b)),
            (None, None) => Err("no commit list recorded".to_owned()),
        };
        let (status, detail, n) = match &commits {
            Ok(c) => ("ok", None, Some(c.len())),
            Err(e) => ("unreadable", Some(e.clone()), None),
        };
        rows.push(
            "git_ranges",
            sql_row![
                audit,
                rid,
                r.repository.as_str(),
                r.from.as_ref(),
                r.to.as_str(),
                n,
                status,
                detail,
            ],
        )?;
        if let Ok(c) = &commits {
            commit_rows(rows, audit, rid, &r.repository, c)?;
        }
        // After the release's SBOM rows (the key is (audit, release, seq)).
        let mut seq = rows
            .of("dependencies")
            .iter()
            .filter(|d| d.get(1) == Some(&Val::from(rid)))
            .count();
        for l in &r.lockfiles {
            let bytes = match (&l.sha256, &l.error) {
                (_, Some(e)) => Err(e.clone()),
                (Some(sha), None) => evidence
                    .get(sha)
                    .map(Vec::as_slice)
                    .ok_or_else(|| format!("evidence/{sha} is missing")),
                (None, None) => Err("recorded without a digest".to_owned()),
            };
            let source = format!("{}@{}:{}", r.repository, r.to, l.path);
            lockfile_rows(rows, audit, rid, &source, bytes, &mut seq)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::{parse_population, PopulationFormat};
    use std::path::Path;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const C: &str = "3333333333333333333333333333333333333333";

    fn plans(csv: &str, ids: &[&str]) -> BTreeMap<String, RangePlan> {
        let p = parse_population(csv.as_bytes(), Path::new("."), PopulationFormat::Csv).unwrap();
        plan_ranges(&p, ids)
    }

    #[test]
    fn the_previous_release_is_the_latest_before_in_the_same_repository() {
        let csv = format!(
            "id,subject,commit,repository,released_at\n\
             r1,sha256:{z},{A},repo,2026-01-01T00:00:00Z\n\
             r3,sha256:{z},{C},repo,2026-03-01T00:00:00Z\n\
             r2,sha256:{z},{B},repo,2026-02-01T00:00:00Z\n\
             x1,sha256:{z},{C},other,2026-02-15T00:00:00Z\n",
            z = "0".repeat(64)
        );
        let p = plans(&csv, &["r1", "r2", "r3", "x1"]);
        assert_eq!(p["r1"], Ok(("repo".into(), None, A.into())));
        assert_eq!(p["r2"], Ok(("repo".into(), Some(A.into()), B.into())));
        assert_eq!(p["r3"], Ok(("repo".into(), Some(B.into()), C.into())));
        assert_eq!(p["x1"], Ok(("other".into(), None, C.into())));
    }

    #[test]
    fn a_previous_release_that_cannot_be_told_is_an_error_not_a_guess() {
        let z = "0".repeat(64);
        // Two releases at the same instant before this one.
        let tie = format!(
            "id,subject,commit,repository,released_at\n\
             a,sha256:{z},{A},repo,2026-01-01T00:00:00Z\n\
             b,sha256:{z},{B},repo,2026-01-01T00:00:00Z\n\
             c,sha256:{z},{C},repo,2026-02-01T00:00:00Z\n"
        );
        assert!(plans(&tie, &["c"])["c"].is_err());
        // A sibling without released_at; a release without commit or repository.
        let gaps = format!(
            "id,subject,commit,repository,released_at\n\
             a,sha256:{z},{A},repo,\n\
             c,sha256:{z},{C},repo,2026-02-01T00:00:00Z\n\
             n,sha256:{z},,repo2,2026-02-01T00:00:00Z\n\
             m,sha256:{z},{B},,2026-02-01T00:00:00Z\n"
        );
        let p = plans(&gaps, &["a", "c", "n", "m"]);
        assert!(p.values().all(Result::is_err), "{p:?}");
        // The previous release names no commit.
        let nocommit = format!(
            "id,subject,commit,repository,released_at\n\
             a,sha256:{z},,repo,2026-01-01T00:00:00Z\n\
             c,sha256:{z},{C},repo,2026-02-01T00:00:00Z\n"
        );
        assert!(plans(&nocommit, &["c"])["c"].is_err());
    }
}
