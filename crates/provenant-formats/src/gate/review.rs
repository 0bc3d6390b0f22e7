//! Change-review evidence (ITGC change management): the pull or merge request that carried the
//! shipped commit, who reviewed it and on which commit, whether it was merged; and the facts
//! local git history gives about how the commit reached the release branch.
//!
//! # Inputs
//!
//! One or more JSON documents, exactly as the provider's REST API returns them:
//!
//! | provider | document | API |
//! |----------|----------|-----|
//! | GitHub | pull request (required) | `GET /repos/{o}/{r}/pulls/{n}` |
//! | GitHub | reviews | `GET /repos/{o}/{r}/pulls/{n}/reviews` (all pages, concatenated) |
//! | GitHub | commits | `GET /repos/{o}/{r}/pulls/{n}/commits` |
//! | GitLab | merge request (required) | `GET /projects/{id}/merge_requests/{iid}` |
//! | GitLab | approvals | `GET /projects/{id}/merge_requests/{iid}/approvals` |
//! | GitLab | commits | `GET /projects/{id}/merge_requests/{iid}/commits` |
//!
//! They may be given as separate documents or as one combined object, which is provenant's own
//! shape (unknown keys are refused):
//!
//! ```json
//! { "pull_request": { ... }, "reviews": [ ... ], "commits": [ ... ], "last_pusher": "login" }
//! { "merge_request": { ... }, "approvals": { ... }, "commits": [ ... ], "last_pusher": "username" }
//! ```
//!
//! Only `pull_request` / `merge_request` is required.
//!
//! # What the documents do not say
//!
//! - GitLab's approvals API names who approved, not which commit they approved: a GitLab
//!   approval has no `commit_id`, so it cannot be tied to the final head here.
//! - Neither provider names the last pusher in these documents. It is taken from
//!   `last_pusher` in the combined form, else (GitHub) from the login of the committer (the
//!   author, when GitHub's `web-flow` committed) of the last commit of the commits list when
//!   that commit is the final head; otherwise it is unknown.
//! - It is all the provider's unsigned word.

mod github;
mod gitlab;

use crate::limits::LimitExceeded;
use serde_json::Value;

use super::ci::Obj;
use super::{GateError, UnknownReport};

pub use crate::limits::MAX_REVIEW_ITEMS;

/// Where the change was reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewProvider {
    /// A GitHub pull request.
    #[serde(rename = "github")]
    GitHub,
    /// A GitLab merge request.
    #[serde(rename = "gitlab")]
    GitLab,
}

impl ReviewProvider {
    /// `pull request` or `merge request`, for messages.
    pub fn change_noun(self) -> &'static str {
        match self {
            Self::GitHub => "pull request",
            Self::GitLab => "merge request",
        }
    }

    /// `#12` (GitHub) or `!12` (GitLab).
    pub fn reference(self, number: u64) -> String {
        match self {
            Self::GitHub => format!("#{number}"),
            Self::GitLab => format!("!{number}"),
        }
    }
}

/// A review's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    /// Approved (GitHub `APPROVED`; every GitLab approval).
    Approved,
    /// Changes requested.
    ChangesRequested,
    /// A comment: leaves the reviewer's earlier state as it was.
    Commented,
    /// An approval or change request later dismissed.
    Dismissed,
    /// Started, not submitted.
    Pending,
}

impl ReviewState {
    /// From GitHub's upper-case word.
    pub fn from_github(s: &str) -> Option<Self> {
        Some(match s {
            "APPROVED" => Self::Approved,
            "CHANGES_REQUESTED" => Self::ChangesRequested,
            "COMMENTED" => Self::Commented,
            "DISMISSED" => Self::Dismissed,
            "PENDING" => Self::Pending,
            _ => return None,
        })
    }

    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::ChangesRequested => "changes-requested",
            Self::Commented => "commented",
            Self::Dismissed => "dismissed",
            Self::Pending => "pending",
        }
    }
}

/// What kind of account acted (reviewed, opened the change).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountKind {
    /// A user account (GitHub `type: User`, or no type and a login without `[bot]`; a GitLab
    /// user that is not a bot).
    #[default]
    User,
    /// An app or bot (GitHub `type: Bot`, or a login ending in `[bot]`, a suffix GitHub reserves
    /// for apps; GitLab `bot: true`, or a project / group access token's
    /// `project_N_bot…` / `group_N_bot…` user): its review is not an independent one.
    Bot,
    /// Not a person who can review, or not known (a deleted account, GitHub's `ghost`; a
    /// GitHub `type` such as `Organization` or `Mannequin`).
    Unknown,
}

impl AccountKind {
    /// From a GitHub user object's `login` and `type` (`None`: the user is null, a deleted
    /// account).
    pub fn github(login: Option<&str>, kind: Option<&str>) -> Self {
        match (login, kind) {
            (None, _) => Self::Unknown,
            (Some(l), _) if l.ends_with("[bot]") => Self::Bot,
            (Some(_), Some("Bot")) => Self::Bot,
            (Some(_), None | Some("User")) => Self::User,
            (Some(_), Some(_)) => Self::Unknown,
        }
    }

    /// From a GitLab user object's `username` and `bot`.
    pub fn gitlab(username: &str, bot: Option<bool>) -> Self {
        // Project and group access tokens act as `project_<id>_bot_<hex>` / `group_<id>_bot…`.
        let token_user = ["project_", "group_"].iter().any(|p| {
            username.strip_prefix(p).is_some_and(|rest| {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                digits > 0 && rest[digits..].starts_with("_bot")
            })
        });
        if bot == Some(true) || token_user {
            Self::Bot
        } else {
            Self::User
        }
    }

    /// `user`, `bot`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Bot => "bot",
            Self::Unknown => "unknown",
        }
    }
}

/// One review (GitHub) or approval (GitLab), in the order the provider lists them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Approval {
    /// The reviewer's login (GitHub) or username (GitLab).
    pub reviewer: String,
    /// What kind of account the reviewer is: only a user's approval can count.
    pub reviewer_kind: AccountKind,
    /// The review's state.
    pub state: ReviewState,
    /// The commit reviewed; `None` where the provider does not record it (every GitLab
    /// approval).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_id: Option<String>,
    /// When (RFC 3339, as recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<String>,
}

/// A pull or merge request with its reviews.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChangeReview {
    /// GitHub or GitLab.
    pub provider: ReviewProvider,
    /// The pull request number / merge request iid.
    pub number: u64,
    /// Its web page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Who opened it.
    pub author: String,
    /// What kind of account opened it (a bot-opened change's human author is not known).
    pub author_kind: AccountKind,
    /// The provider's state word (`open`, `closed`; `opened`, `closed`, `merged`, `locked`).
    pub state: String,
    /// The branch it targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_ref: Option<String>,
    /// The final head commit of the change.
    pub head_sha: String,
    /// Whether it was merged (not merely closed).
    pub merged: bool,
    /// When it was merged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_at: Option<String>,
    /// Who merged it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_by: Option<String>,
    /// The commit the merge made on the target branch (merge commit; on GitHub also the squash
    /// or last rebased commit). GitHub sets it on open pull requests too (a test merge), so it
    /// means nothing unless `merged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merge_commit_sha: Option<String>,
    /// GitLab: the squash commit, when the change was squashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub squash_commit_sha: Option<String>,
    /// The change's commits, when a commits document was given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commits: Vec<String>,
    /// Whether reviews (GitHub) or approvals (GitLab) were given at all.
    pub reviews_given: bool,
    /// The reviews or approvals, in the provider's order.
    pub approvals: Vec<Approval>,
    /// Who pushed the final head, when known (see the module documentation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_pusher: Option<String>,
    /// Where the documents were read from; the parser leaves this empty, the caller fills it
    /// in so the checks can name their evidence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

impl ChangeReview {
    /// `pull request #12` / `merge request !12`.
    pub fn label(&self) -> String {
        format!(
            "{} {}",
            self.provider.change_noun(),
            self.provider.reference(self.number)
        )
    }
}

/// Read change-review evidence from one JSON document (a combined object, or a pull / merge
/// request alone).
pub fn parse_review(bytes: &[u8]) -> Result<ChangeReview, GateError> {
    let v = crate::json::parse_strict(bytes).map_err(|e| GateError::Syntax {
        encoding: "JSON",
        detail: e.to_string(),
    })?;
    parse_review_values(std::slice::from_ref(&v))
}

/// What one document turned out to be.
enum Part<'a> {
    GitHubPr(Obj<'a>),
    GitHubReviews(Vec<Approval>, Option<u64>),
    GitHubCommits(Vec<github::PrCommit>),
    GitLabMr(Obj<'a>),
    GitLabApprovals(Vec<Approval>, Option<u64>),
    GitLabCommits(Vec<String>),
    /// An empty array: no reviews, no approvals, no commits.
    Empty,
    LastPusher(&'a str),
}

const COMBINED: &str = "change-review";

/// Read change-review evidence from several documents (pull request, reviews, commits; or
/// merge request, approvals, commits; or the combined form), in any order.
pub fn parse_review_values(values: &[Value]) -> Result<ChangeReview, GateError> {
    let mut parts = Vec::new();
    for (i, v) in values.iter().enumerate() {
        classify(v, &format!("document {}", i + 1), &mut parts)?;
    }
    assemble(parts)
}

fn classify<'a>(v: &'a Value, at: &str, out: &mut Vec<Part<'a>>) -> Result<(), GateError> {
    match v {
        Value::Object(m) => {
            let o = Obj::new(m, at);
            if m.contains_key("pull_request") || m.contains_key("merge_request") {
                return combined(&o, out);
            }
            if m.contains_key("number") && m.get("head").is_some_and(Value::is_object) {
                out.push(Part::GitHubPr(o));
            } else if m.contains_key("iid") && m.contains_key("target_branch") {
                out.push(Part::GitLabMr(o));
            } else if m.contains_key("approved_by") {
                let (a, iid) = gitlab::approvals(&o)?;
                out.push(Part::GitLabApprovals(a, iid));
            } else {
                return Err(GateError::Unknown(UnknownReport::ReviewObject {
                    at: at.to_string(),
                }));
            }
        }
        Value::Array(items) => {
            if items.len() > MAX_REVIEW_ITEMS {
                return Err(GateError::Limit(LimitExceeded::Listed {
                    list: Some(at.to_string()),
                    items: "items",
                    count: items.len(),
                    limit: MAX_REVIEW_ITEMS,
                }));
            }
            let Some(first) = items.first() else {
                out.push(Part::Empty);
                return Ok(());
            };
            let objs = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    item.as_object()
                        .map(|m| Obj::new(m, &format!("{at}/{i}")))
                        .ok_or_else(|| {
                            GateError::Unknown(UnknownReport::ReviewItem {
                                at: at.to_string(),
                                index: i,
                            })
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let has = |k: &str| first.get(k).is_some();
            if has("state") && has("user") {
                let (a, n) = github::reviews(&objs)?;
                out.push(Part::GitHubReviews(a, n));
            } else if has("sha") && has("commit") {
                out.push(Part::GitHubCommits(github::commits(&objs)?));
            } else if has("id") && has("short_id") {
                out.push(Part::GitLabCommits(gitlab::commits(&objs)?));
            } else {
                return Err(GateError::Unknown(UnknownReport::ReviewList {
                    at: at.to_string(),
                }));
            }
        }
        _ => {
            return Err(GateError::Unknown(UnknownReport::ReviewValue {
                at: at.to_string(),
            }))
        }
    }
    Ok(())
}

/// provenant's combined form.
fn combined<'a>(o: &Obj<'a>, out: &mut Vec<Part<'a>>) -> Result<(), GateError> {
    const KEYS: [&str; 6] = [
        "pull_request",
        "reviews",
        "merge_request",
        "approvals",
        "commits",
        "last_pusher",
    ];
    if let Some(k) = o.map().keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(o.err(COMBINED, k, "unknown key (the combined form takes pull_request, reviews, merge_request, approvals, commits, last_pusher)"));
    }
    let m = o.map();
    if m.contains_key("pull_request") == m.contains_key("merge_request") {
        return Err(o.err(
            COMBINED,
            "pull_request",
            "give exactly one of pull_request and merge_request",
        ));
    }
    for key in ["pull_request", "merge_request"] {
        if m.contains_key(key) {
            let inner = o
                .opt_obj(COMBINED, key)?
                .ok_or_else(|| o.err(COMBINED, key, "expected an object"))?;
            out.push(if key == "pull_request" {
                Part::GitHubPr(inner)
            } else {
                Part::GitLabMr(inner)
            });
        }
    }
    for key in ["reviews", "approvals", "commits"] {
        if let Some(v) = m.get(key) {
            let before = out.len();
            classify(v, &format!("{}/{key}", o.at()), out)?;
            let ok = matches!(
                (key, out.get(before)),
                ("reviews", Some(Part::GitHubReviews(..) | Part::Empty))
                    | ("approvals", Some(Part::GitLabApprovals(..)))
                    | (
                        "commits",
                        Some(Part::GitHubCommits(_) | Part::GitLabCommits(_) | Part::Empty)
                    )
            );
            if !ok {
                return Err(o.err(COMBINED, key, &format!("not a {key} document")));
            }
        }
    }
    if let Some(p) = o.opt_str(COMBINED, "last_pusher")? {
        out.push(Part::LastPusher(p));
    }
    Ok(())
}

fn twice(document: &'static str) -> GateError {
    GateError::Unknown(UnknownReport::ReviewTwice { document })
}

fn assemble(parts: Vec<Part<'_>>) -> Result<ChangeReview, GateError> {
    let mut change: Option<ChangeReview> = None;
    let mut reviews: Option<(Vec<Approval>, Option<u64>, bool)> = None;
    let mut gh_commits: Option<Vec<github::PrCommit>> = None;
    let mut gl_commits: Option<Vec<String>> = None;
    let mut last_pusher = None;
    let mut empty_list = false;
    for part in parts {
        match part {
            Part::GitHubPr(_) | Part::GitLabMr(_) if change.is_some() => {
                return Err(twice("the pull or merge request"));
            }
            Part::GitHubPr(o) => change = Some(github::pull_request(&o)?),
            Part::GitLabMr(o) => change = Some(gitlab::merge_request(&o)?),
            Part::GitHubReviews(a, n) => {
                if reviews.replace((a, n, true)).is_some() {
                    return Err(twice("reviews"));
                }
            }
            Part::GitLabApprovals(a, n) => {
                if reviews.replace((a, n, false)).is_some() {
                    return Err(twice("approvals"));
                }
            }
            Part::GitHubCommits(c) => {
                if gh_commits.replace(c).is_some() || gl_commits.is_some() {
                    return Err(twice("commits"));
                }
            }
            Part::GitLabCommits(c) => {
                if gl_commits.replace(c).is_some() || gh_commits.is_some() {
                    return Err(twice("commits"));
                }
            }
            Part::Empty => empty_list = true,
            Part::LastPusher(p) => last_pusher = Some(p.to_owned()),
        }
    }
    let mut change = change.ok_or(GateError::Unknown(UnknownReport::NoChange))?;
    let github = change.provider == ReviewProvider::GitHub;
    if let Some((approvals, number, from_github)) = reviews {
        if from_github != github {
            return Err(GateError::Unknown(UnknownReport::MixedProviders {
                documents: if from_github {
                    "GitHub reviews"
                } else {
                    "GitLab approvals"
                },
                change: change.label(),
            }));
        }
        if let Some(n) = number.filter(|n| *n != change.number) {
            return Err(GateError::Field {
                format: if github {
                    "github-reviews"
                } else {
                    "gitlab-approvals"
                },
                at: if github {
                    "/0/pull_request_url"
                } else {
                    "/iid"
                }
                .into(),
                what: format!(
                    "the reviews are of {} {}, not of {}",
                    change.provider.change_noun(),
                    change.provider.reference(n),
                    change.label()
                ),
            });
        }
        change.approvals = approvals;
        change.reviews_given = true;
    } else if empty_list {
        // An empty array: the provider listed no reviews.
        change.reviews_given = true;
    }
    if let Some(commits) = gh_commits {
        if !github {
            return Err(GateError::Unknown(UnknownReport::MixedProviders {
                documents: "GitHub commits",
                change: change.label(),
            }));
        }
        if let Some(last) = commits.last().filter(|c| c.sha == change.head_sha) {
            if last_pusher.is_none() {
                last_pusher = last.pusher.clone();
            }
        }
        change.commits = commits.into_iter().map(|c| c.sha).collect();
    }
    if let Some(commits) = gl_commits {
        if github {
            return Err(GateError::Unknown(UnknownReport::MixedProviders {
                documents: "GitLab commits",
                change: change.label(),
            }));
        }
        change.commits = commits;
    }
    change.last_pusher = last_pusher;
    Ok(change)
}

/// Local git history of one commit relative to a release branch, as `git` reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GitHistory {
    /// The clone, as given.
    pub repository: String,
    /// The release branch (as given, e.g. `main` or `origin/main`).
    pub branch: String,
    /// The branch's tip commit.
    pub branch_tip: String,
    /// Whether the clone is shallow (history is cut off, so "not found" proves little).
    pub shallow: bool,
    /// The commit asked about (full id).
    pub commit: String,
    /// The commit, when the clone has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<GitCommit>,
    /// Whether it is reachable from the branch tip (`git merge-base --is-ancestor`).
    pub reachable: bool,
    /// Whether it lies on the branch's first-parent history (it is a commit the branch itself
    /// moved to, not one brought in on the side of a merge).
    pub first_parent: bool,
    /// The first-parent commit of the branch that brought it in: itself when `first_parent`,
    /// else the earliest merge on the branch's first-parent history whose ancestry contains it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landed_by: Option<GitCommit>,
}

/// One commit, as `git` records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GitCommit {
    /// Full id.
    pub sha: String,
    /// Parent ids, first parent first.
    pub parents: Vec<String>,
    /// The author.
    pub author: GitIdentity,
    /// The committer.
    pub committer: GitIdentity,
    /// The first line of the message.
    pub subject: String,
}

impl GitCommit {
    /// Whether it is a merge (two or more parents).
    pub fn is_merge(&self) -> bool {
        self.parents.len() >= 2
    }
}

/// A name, an email and a time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GitIdentity {
    /// The name.
    pub name: String,
    /// The email.
    pub email: String,
    /// When (ISO 8601 strict, as `git` prints it).
    pub time: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const HEAD: &str = "1111111111111111111111111111111111111111";

    fn pr() -> Value {
        json!({"number": 7, "state": "closed", "user": {"login": "alice"},
            "head": {"sha": HEAD, "ref": "feature"}, "base": {"ref": "main"},
            "merged": true, "merge_commit_sha": "2222222222222222222222222222222222222222"})
    }

    #[test]
    fn combined_rejects_unknown_keys() {
        let v = json!({"pull_request": pr(), "review": []});
        assert!(matches!(
            parse_review_values(&[v]),
            Err(GateError::Field { .. })
        ));
    }

    #[test]
    fn pr_twice_is_refused() {
        assert!(parse_review_values(&[pr(), pr()]).is_err());
    }

    #[test]
    fn reviews_of_another_pr_are_refused() {
        let reviews = json!([{"user": {"login": "bob"}, "state": "APPROVED", "commit_id": HEAD,
            "pull_request_url": "https://api.github.com/repos/o/r/pulls/8"}]);
        assert!(parse_review_values(&[pr(), reviews]).is_err());
    }
}
