//! GitHub: `GET /repos/{o}/{r}/pulls/{n}`, `.../pulls/{n}/reviews`, `.../pulls/{n}/commits`.

use super::super::ci::Obj;
use super::super::GateError;
use super::{AccountKind, Approval, ChangeReview, ReviewProvider, ReviewState};

const PR: &str = "github-pull-request";
const REVIEWS: &str = "github-reviews";
const COMMITS: &str = "github-commits";

/// A pull request.
pub(super) fn pull_request(o: &Obj<'_>) -> Result<ChangeReview, GateError> {
    let head = o
        .opt_obj(PR, "head")?
        .ok_or_else(|| o.err(PR, "head", "missing"))?;
    let merged_at = o.opt_str(PR, "merged_at")?;
    // `merged` is absent from list endpoints; `merged_at` is set exactly when it was merged.
    let merged = o.opt_bool(PR, "merged")?.unwrap_or(merged_at.is_some());
    Ok(ChangeReview {
        provider: ReviewProvider::GitHub,
        number: o.req_u64(PR, "number")?,
        url: o.opt_str(PR, "html_url")?.map(str::to_owned),
        title: o.opt_str(PR, "title")?.map(str::to_owned),
        author: o
            .opt_path(PR, "user", "login")?
            .ok_or_else(|| o.err(PR, "user", "no user.login"))?
            .to_owned(),
        author_kind: AccountKind::github(
            o.opt_path(PR, "user", "login")?,
            o.opt_path(PR, "user", "type")?,
        ),
        state: o.req_str(PR, "state")?.to_owned(),
        base_ref: o.opt_path(PR, "base", "ref")?.map(str::to_owned),
        head_sha: head.commit(PR, "sha")?,
        merged,
        merged_at: merged_at.map(str::to_owned),
        merged_by: o.opt_path(PR, "merged_by", "login")?.map(str::to_owned),
        merge_commit_sha: o.opt_commit(PR, "merge_commit_sha")?,
        squash_commit_sha: None,
        commits: Vec::new(),
        reviews_given: false,
        approvals: Vec::new(),
        last_pusher: None,
        sources: Vec::new(),
    })
}

/// A reviews list, and the pull request number its `pull_request_url`s name.
pub(super) fn reviews(items: &[Obj<'_>]) -> Result<(Vec<Approval>, Option<u64>), GateError> {
    let mut number = None;
    let mut out = Vec::with_capacity(items.len());
    for r in items {
        let word = r.req_str(REVIEWS, "state")?;
        let state = ReviewState::from_github(word).ok_or_else(|| {
            r.err(
                REVIEWS,
                "state",
                &format!("unknown review state {word:?} (APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING)"),
            )
        })?;
        if let Some(url) = r.opt_str(REVIEWS, "pull_request_url")? {
            let n = url
                .rsplit_once("/pulls/")
                .and_then(|(_, n)| n.parse::<u64>().ok())
                .ok_or_else(|| {
                    r.err(REVIEWS, "pull_request_url", "names no pull request number")
                })?;
            if number.replace(n).is_some_and(|m| m != n) {
                return Err(r.err(
                    REVIEWS,
                    "pull_request_url",
                    "the reviews belong to different pull requests",
                ));
            }
        }
        let login = r.opt_path(REVIEWS, "user", "login")?;
        out.push(Approval {
            // A deleted account shows as GitHub's placeholder user; nobody knows who it was.
            reviewer: login.unwrap_or("ghost").to_owned(),
            reviewer_kind: AccountKind::github(login, r.opt_path(REVIEWS, "user", "type")?),
            state,
            commit_id: r.opt_commit(REVIEWS, "commit_id")?,
            submitted_at: r.opt_str(REVIEWS, "submitted_at")?.map(str::to_owned),
        });
    }
    Ok((out, number))
}

/// One commit of a pull request, with who (probably) pushed it.
pub(super) struct PrCommit {
    pub(super) sha: String,
    pub(super) pusher: Option<String>,
}

/// A commits list (oldest first, as GitHub lists them).
pub(super) fn commits(items: &[Obj<'_>]) -> Result<Vec<PrCommit>, GateError> {
    items
        .iter()
        .map(|c| {
            let committer = c
                .opt_path(COMMITS, "committer", "login")?
                .filter(|l| *l != "web-flow");
            Ok(PrCommit {
                sha: c.commit(COMMITS, "sha")?,
                pusher: committer
                    .or(c.opt_path(COMMITS, "author", "login")?)
                    .map(str::to_owned),
            })
        })
        .collect()
}
