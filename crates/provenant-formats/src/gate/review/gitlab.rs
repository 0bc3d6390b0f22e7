//! GitLab: `GET /projects/{id}/merge_requests/{iid}`, `.../approvals`, `.../commits`.

use super::super::ci::Obj;
use super::super::GateError;
use super::{AccountKind, Approval, ChangeReview, ReviewProvider, ReviewState, MAX_REVIEW_ITEMS};
use crate::limits::LimitExceeded;

const MR: &str = "gitlab-merge-request";
const APPROVALS: &str = "gitlab-approvals";
const COMMITS: &str = "gitlab-commits";

/// A merge request.
pub(super) fn merge_request(o: &Obj<'_>) -> Result<ChangeReview, GateError> {
    let state = o.req_str(MR, "state")?;
    let head_sha = match o.opt_commit(MR, "sha")? {
        Some(s) => s,
        None => o
            .opt_obj(MR, "diff_refs")?
            .ok_or_else(|| o.err(MR, "sha", "missing (and no diff_refs.head_sha)"))?
            .commit(MR, "head_sha")?,
    };
    // `merged_by` is deprecated in favour of `merge_user`; either names who merged.
    let merged_by = match o.opt_path(MR, "merge_user", "username")? {
        Some(u) => Some(u),
        None => o.opt_path(MR, "merged_by", "username")?,
    };
    let author = o
        .opt_path(MR, "author", "username")?
        .ok_or_else(|| o.err(MR, "author", "no author.username"))?;
    Ok(ChangeReview {
        provider: ReviewProvider::GitLab,
        number: o.req_u64(MR, "iid")?,
        url: o.opt_str(MR, "web_url")?.map(str::to_owned),
        title: o.opt_str(MR, "title")?.map(str::to_owned),
        author: author.to_owned(),
        author_kind: AccountKind::gitlab(author, bot_flag(o, "author")?),
        state: state.to_owned(),
        base_ref: o.opt_str(MR, "target_branch")?.map(str::to_owned),
        head_sha,
        merged: state == "merged",
        merged_at: o.opt_str(MR, "merged_at")?.map(str::to_owned),
        merged_by: merged_by.map(str::to_owned),
        merge_commit_sha: o.opt_commit(MR, "merge_commit_sha")?,
        squash_commit_sha: o.opt_commit(MR, "squash_commit_sha")?,
        commits: Vec::new(),
        reviews_given: false,
        approvals: Vec::new(),
        last_pusher: None,
        sources: Vec::new(),
    })
}

/// An approvals document, and the merge request iid it names. GitLab does not record which
/// commit an approval was given on, so no approval has a `commit_id`.
pub(super) fn approvals(o: &Obj<'_>) -> Result<(Vec<Approval>, Option<u64>), GateError> {
    let list = o
        .map()
        .get("approved_by")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| o.err(APPROVALS, "approved_by", "expected an array"))?;
    if list.len() > MAX_REVIEW_ITEMS {
        return Err(GateError::Limit(LimitExceeded::Listed {
            list: None,
            items: "approvals",
            count: list.len(),
            limit: MAX_REVIEW_ITEMS,
        }));
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let a = item
            .as_object()
            .map(|m| Obj::new(m, &format!("{}/approved_by/{i}", o.at())))
            .ok_or_else(|| o.err(APPROVALS, &format!("approved_by/{i}"), "expected an object"))?;
        let reviewer = a
            .opt_path(APPROVALS, "user", "username")?
            .ok_or_else(|| a.err(APPROVALS, "user", "no user.username"))?;
        out.push(Approval {
            reviewer: reviewer.to_owned(),
            reviewer_kind: AccountKind::gitlab(reviewer, bot_flag(&a, "user")?),
            state: ReviewState::Approved,
            commit_id: None,
            submitted_at: a.opt_str(APPROVALS, "approved_at")?.map(str::to_owned),
        });
    }
    let iid = match o.map().get("iid") {
        None | Some(serde_json::Value::Null) => None,
        Some(_) => Some(o.req_u64(APPROVALS, "iid")?),
    };
    Ok((out, iid))
}

/// A commits list (newest first, as GitLab lists them).
pub(super) fn commits(items: &[Obj<'_>]) -> Result<Vec<String>, GateError> {
    items.iter().map(|c| c.commit(COMMITS, "id")).collect()
}

/// A user object's `bot` (absent or null: not said).
fn bot_flag(o: &Obj<'_>, user: &str) -> Result<Option<bool>, GateError> {
    match o.opt_obj(MR, user)? {
        Some(u) => u.opt_bool(MR, "bot"),
        None => Ok(None),
    }
}
