//! Change-review checks (ITGC change management): was the shipped commit reviewed, approved by
//! others on the exact commit that was merged, merged, and did it reach the release branch
//! through that change rather than a direct push?
//!
//! Pure: the review documents and the git history are read elsewhere
//! ([`parse_review`](provenant_formats::gate::review::parse_review), the binary's `git` module).
//!
//! ```
//! use provenant_core::review::{check_change_review, ReviewRequirements};
//! use provenant_model::CheckCode;
//!
//! let req = ReviewRequirements { require_review: true, min_approvals: 1, ..Default::default() };
//! let checks = check_change_review(None, None, &"a".repeat(40), &req);
//! assert_eq!(checks[0].code, CheckCode::ReviewMissing);
//! ```

use std::collections::BTreeMap;

use provenant_formats::gate::review::{
    AccountKind, Approval, ChangeReview, GitCommit, GitHistory, ReviewProvider, ReviewState,
};
use provenant_model::{Check, CheckCode, EvidenceKind, EvidenceRef};

pub use provenant_policy::requirements::{MergeMethod, ReviewRequirements};

/// The change-review checks for the commit that shipped.
///
/// `review` is the pull or merge request (with its reviews), `history` what local git says
/// about `shipped_commit` on the release branch. Either may be absent; each check names the
/// evidence it used.
pub fn check_change_review(
    review: Option<&ChangeReview>,
    history: Option<&GitHistory>,
    shipped_commit: &str,
    req: &ReviewRequirements,
) -> Vec<Check> {
    let shipped = shipped_commit.trim().to_ascii_lowercase();
    let mut out = Vec::new();
    match review {
        Some(r) => {
            let ev = review_evidence(r);
            out.push(commit_check(r, &shipped, &ev));
            out.push(merged_check(r, &ev));
            approval_checks(r, req, &ev, &mut out);
            if let Some(allowed) = &req.allowed_merge_methods {
                if r.merged {
                    out.push(merge_method_check(r, history, allowed, &ev));
                }
            }
        }
        None if req.require_review => out.push(Check::fail(
            CheckCode::ReviewMissing,
            format!("change review is required, but no pull or merge request was given for commit {shipped}"),
            history.map_or_else(
                || vec![EvidenceRef::new(EvidenceKind::Flag, "--require-review")],
                |h| vec![git_evidence(h)],
            ),
        )),
        None => {}
    }
    if let Some(h) = history {
        git_checks(h, review, &shipped, &mut out);
    }
    out
}

fn review_evidence(r: &ChangeReview) -> Vec<EvidenceRef> {
    if r.sources.is_empty() {
        let at = r.url.clone().unwrap_or_else(|| r.label());
        vec![EvidenceRef::new(EvidenceKind::Flag, at)]
    } else {
        r.sources
            .iter()
            .map(|s| EvidenceRef::new(EvidenceKind::Flag, s))
            .collect()
    }
}

fn git_evidence(h: &GitHistory) -> EvidenceRef {
    EvidenceRef::new(
        EvidenceKind::Flag,
        format!("git {} (branch {})", h.repository, h.branch),
    )
}

fn commit_check(r: &ChangeReview, shipped: &str, ev: &[EvidenceRef]) -> Check {
    let label = r.label();
    let ev = ev.to_vec();
    if r.merged && r.merge_commit_sha.as_deref() == Some(shipped) {
        return Check::pass(
            CheckCode::ReviewCommitMatches,
            format!("the shipped commit {shipped} is the merge commit of {label}"),
            ev,
        );
    }
    if r.merged && r.squash_commit_sha.as_deref() == Some(shipped) {
        return Check::pass(
            CheckCode::ReviewCommitMatches,
            format!("the shipped commit {shipped} is the squash commit of {label}"),
            ev,
        );
    }
    if r.head_sha == shipped {
        return Check::pass(
            CheckCode::ReviewCommitMatches,
            format!("the shipped commit {shipped} is the final head of {label}"),
            ev,
        );
    }
    let mut names = vec![format!("final head {}", r.head_sha)];
    if let Some(m) = &r.merge_commit_sha {
        names.push(if r.merged {
            format!("merge commit {m}")
        } else {
            format!("test merge commit {m} (of an unmerged change, which proves nothing)")
        });
    }
    if let Some(s) = &r.squash_commit_sha {
        names.push(format!("squash commit {s}"));
    }
    Check::fail(
        CheckCode::ReviewCommitMismatch,
        format!(
            "the shipped commit {shipped} is not {label}'s {}",
            names.join(" nor its ")
        ),
        ev,
    )
}

fn merged_check(r: &ChangeReview, ev: &[EvidenceRef]) -> Check {
    let label = r.label();
    if r.merged {
        let by = r
            .merged_by
            .as_deref()
            .map(|u| format!(" by {u}"))
            .unwrap_or_default();
        let at = r
            .merged_at
            .as_deref()
            .map(|t| format!(" at {t}"))
            .unwrap_or_default();
        Check::pass(
            CheckCode::ReviewMerged,
            format!("{label} was merged{by}{at}"),
            ev.to_vec(),
        )
    } else {
        Check::fail(
            CheckCode::ReviewNotMerged,
            format!(
                "{label} was not merged (state {:?}): a closed or open change proves no reviewed merge",
                r.state
            ),
            ev.to_vec(),
        )
    }
}

/// Each reviewer's standing review: the latest approval or change request (comments and
/// pending reviews leave it as it was; a dismissal removes it). Reviewers are matched
/// case-insensitively, as both providers treat usernames.
fn standing(reviews: &[Approval]) -> (BTreeMap<String, &Approval>, Vec<&str>) {
    let mut order: Vec<&Approval> = reviews.iter().collect();
    // The providers list reviews oldest first; sort by time only when every review has one.
    let times: Option<Vec<jiff::Timestamp>> = order
        .iter()
        .map(|a| a.submitted_at.as_deref().and_then(|t| t.parse().ok()))
        .collect();
    if let Some(times) = times {
        let mut keyed: Vec<_> = times.into_iter().zip(order).collect();
        keyed.sort_by_key(|(t, _)| *t);
        order = keyed.into_iter().map(|(_, a)| a).collect();
    }
    let mut latest = BTreeMap::new();
    let mut dismissed = Vec::new();
    for a in order {
        let key = a.reviewer.to_lowercase();
        match a.state {
            ReviewState::Approved | ReviewState::ChangesRequested => {
                latest.insert(key, a);
            }
            ReviewState::Dismissed => {
                latest.remove(&key);
                if !dismissed.contains(&a.reviewer.as_str()) {
                    dismissed.push(a.reviewer.as_str());
                }
            }
            ReviewState::Commented | ReviewState::Pending => {}
        }
    }
    // A reviewer dismissed and later approving again stands approved.
    dismissed.retain(|d| !latest.contains_key(&d.to_lowercase()));
    (latest, dismissed)
}

fn approval_checks(
    r: &ChangeReview,
    req: &ReviewRequirements,
    ev: &[EvidenceRef],
    out: &mut Vec<Check>,
) {
    let label = r.label();
    let is_self = |who: &str| {
        who.eq_ignore_ascii_case(&r.author)
            || r.last_pusher
                .as_deref()
                .is_some_and(|p| who.eq_ignore_ascii_case(p))
    };
    let (latest, dismissed) = standing(&r.approvals);
    let mut counted = Vec::new();
    let mut selfish = Vec::new();
    let mut stale = Vec::new();
    let mut unpinned = Vec::new();
    let mut blocking = Vec::new();
    let mut bots = Vec::new();
    let mut unidentified = Vec::new();
    for a in latest.values() {
        if a.state != ReviewState::Approved {
            blocking.push(a.reviewer.as_str());
            continue;
        }
        // Only a person's approval is a review: an app approving through a token (the Actions
        // token's github-actions[bot], a GitLab project token's bot user) is whoever runs it.
        match a.reviewer_kind {
            AccountKind::User => {}
            AccountKind::Bot => {
                bots.push(a.reviewer.as_str());
                continue;
            }
            AccountKind::Unknown => {
                unidentified.push(a.reviewer.as_str());
                continue;
            }
        }
        if is_self(&a.reviewer) {
            selfish.push(a.reviewer.as_str());
            continue;
        }
        match a.commit_id.as_deref() {
            Some(c) if c == r.head_sha => counted.push(a.reviewer.as_str()),
            Some(c) => stale.push((a.reviewer.as_str(), c)),
            None => {
                unpinned.push(a.reviewer.as_str());
                if req.accept_approvals_without_commit {
                    counted.push(a.reviewer.as_str());
                }
            }
        }
    }

    // Self-approval.
    if !selfish.is_empty() {
        let pusher = r
            .last_pusher
            .as_deref()
            .map(|p| format!(", last pusher {p}"))
            .unwrap_or_default();
        out.push(Check::fail(
            CheckCode::ReviewSelfApproved,
            format!(
                "{label} was approved by {} (author {}{pusher}): a self-approval, which does not count",
                selfish.join(", "),
                r.author
            ),
            ev.to_vec(),
        ));
    } else if latest.values().any(|a| a.state == ReviewState::Approved) {
        let pusher = match &r.last_pusher {
            Some(p) => format!("nor its last pusher {p}"),
            None => "(its last pusher is not recorded, so only the author was excluded)".into(),
        };
        out.push(Check::pass(
            CheckCode::ReviewIndependent,
            format!(
                "no approval of {label} is by its author {} {pusher}",
                r.author
            ),
            ev.to_vec(),
        ));
    }

    // Approvals by bots and by accounts nobody can identify.
    if r.author_kind == AccountKind::Bot {
        out.push(Check::warn(
            CheckCode::ReviewBotAccount,
            format!(
                "{label} was opened by the bot account {}: the person behind the change is not known, so an approval by them would not be seen as a self-approval",
                r.author
            ),
            ev.to_vec(),
        ));
    }
    if !bots.is_empty() {
        out.push(Check::warn(
            CheckCode::ReviewBotAccount,
            format!(
                "{label} was approved by the bot account(s) {}: a bot's approval is not an independent review and does not count",
                bots.join(", ")
            ),
            ev.to_vec(),
        ));
    }
    if !unidentified.is_empty() {
        out.push(Check::warn(
            CheckCode::ReviewBotAccount,
            format!(
                "{label} was approved by {}, an account that is not a known person (a deleted account, an organization): it does not count",
                unidentified.join(", ")
            ),
            ev.to_vec(),
        ));
    }

    // Stale and unpinned approvals.
    for (who, commit) in &stale {
        out.push(Check::warn(
            CheckCode::ReviewApprovalStale,
            format!(
                "{who} approved {label} on commit {commit}, not on its final head {}: a stale approval does not count",
                r.head_sha
            ),
            ev.to_vec(),
        ));
    }
    if !unpinned.is_empty() {
        let why = match r.provider {
            ReviewProvider::GitLab => {
                "GitLab's approvals API does not say which commit was approved"
            }
            ReviewProvider::GitHub => "the reviews record no commit_id",
        };
        let what = if req.accept_approvals_without_commit {
            "they are counted as approvals of the final head because that risk was accepted; a commit pushed after them would be unreviewed unless the project resets approvals on push"
        } else {
            "they cannot be tied to the final head, so they do not count (accept the risk explicitly to count them)"
        };
        out.push(Check::warn(
            CheckCode::ReviewApprovalCommitUnknown,
            format!(
                "approvals of {label} by {} record no commit ({why}): {what}",
                unpinned.join(", ")
            ),
            ev.to_vec(),
        ));
    }

    // The count.
    let n = req.min_approvals;
    if counted.len() >= n {
        let who = if counted.is_empty() {
            String::new()
        } else {
            format!(": {}", counted.join(", "))
        };
        out.push(Check::pass(
            CheckCode::ReviewApprovalsMet,
            format!(
                "{label} has {} independent approval(s) of its final head {} (required {n}){who}",
                counted.len(),
                r.head_sha
            ),
            ev.to_vec(),
        ));
        return;
    }
    let mut why = Vec::new();
    if !r.reviews_given {
        why.push(match r.provider {
            ReviewProvider::GitHub => {
                "no reviews were given (GET /repos/{o}/{r}/pulls/{n}/reviews)".to_owned()
            }
            ReviewProvider::GitLab => {
                "no approvals were given (GET /projects/{id}/merge_requests/{iid}/approvals)"
                    .to_owned()
            }
        });
    }
    if !selfish.is_empty() {
        why.push(format!("self-approved by {}", selfish.join(", ")));
    }
    if !bots.is_empty() {
        why.push(format!("by bots: {}", bots.join(", ")));
    }
    if !unidentified.is_empty() {
        why.push(format!(
            "by unidentified accounts: {}",
            unidentified.join(", ")
        ));
    }
    if !stale.is_empty() {
        let s: Vec<String> = stale.iter().map(|(w, c)| format!("{w} on {c}")).collect();
        why.push(format!("stale (on an older commit): {}", s.join(", ")));
    }
    if !unpinned.is_empty() && !req.accept_approvals_without_commit {
        why.push(format!("no commit recorded: {}", unpinned.join(", ")));
    }
    if !dismissed.is_empty() {
        why.push(format!("dismissed: {}", dismissed.join(", ")));
    }
    if !blocking.is_empty() {
        why.push(format!("changes requested by {}", blocking.join(", ")));
    }
    let counted_s = if counted.is_empty() {
        String::new()
    } else {
        format!(" ({})", counted.join(", "))
    };
    let why = if why.is_empty() {
        String::new()
    } else {
        format!("; not counted: {}", why.join("; "))
    };
    out.push(Check::fail(
        CheckCode::ReviewApprovalsInsufficient,
        format!(
            "{label} has {} independent approval(s) of its final head {}{counted_s}, {n} required{why}",
            counted.len(),
            r.head_sha
        ),
        ev.to_vec(),
    ));
}

/// Which methods could have produced the change's merge.
fn merge_methods(r: &ChangeReview, history: Option<&GitHistory>) -> Option<Vec<MergeMethod>> {
    match r.provider {
        ReviewProvider::GitLab => Some(vec![if r.squash_commit_sha.is_some() {
            MergeMethod::Squash
        } else if r.merge_commit_sha.is_some() {
            MergeMethod::Merge
        } else {
            MergeMethod::Rebase
        }]),
        ReviewProvider::GitHub => {
            let m = r.merge_commit_sha.as_deref()?;
            if m == r.head_sha {
                return Some(vec![MergeMethod::Rebase]);
            }
            let h = history?;
            let commit = [h.info.as_ref(), h.landed_by.as_ref()]
                .into_iter()
                .flatten()
                .find(|c| c.sha == m)?;
            Some(if commit.is_merge() {
                vec![MergeMethod::Merge]
            } else {
                vec![MergeMethod::Squash, MergeMethod::Rebase]
            })
        }
    }
}

fn merge_method_check(
    r: &ChangeReview,
    history: Option<&GitHistory>,
    allowed: &[MergeMethod],
    ev: &[EvidenceRef],
) -> Check {
    let label = r.label();
    let mut ev = ev.to_vec();
    if let Some(h) = history {
        ev.push(git_evidence(h));
    }
    let names = |ms: &[MergeMethod]| {
        ms.iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let Some(methods) = merge_methods(r, history) else {
        return Check::fail(
            CheckCode::ReviewMergeMethodDenied,
            format!(
                "cannot tell how {label} was merged: its merge commit is not in the git history given (give the clone and release branch that hold it)"
            ),
            ev,
        );
    };
    if methods.iter().all(|m| allowed.contains(m)) {
        Check::pass(
            CheckCode::ReviewMergeMethodAllowed,
            format!(
                "{label} was merged by {}, which is allowed ({})",
                names(&methods),
                names(allowed)
            ),
            ev,
        )
    } else if methods.iter().any(|m| allowed.contains(m)) {
        Check::fail(
            CheckCode::ReviewMergeMethodDenied,
            format!(
                "{label} was merged by {} (the evidence cannot tell which), and only {} is allowed",
                names(&methods),
                names(allowed)
            ),
            ev,
        )
    } else {
        Check::fail(
            CheckCode::ReviewMergeMethodDenied,
            format!(
                "{label} was merged by {}; allowed: {}",
                names(&methods),
                names(allowed)
            ),
            ev,
        )
    }
}

fn describe(c: &GitCommit) -> String {
    format!(
        "committed by {} <{}> at {}",
        c.committer.name, c.committer.email, c.committer.time
    )
}

fn git_checks(h: &GitHistory, review: Option<&ChangeReview>, shipped: &str, out: &mut Vec<Check>) {
    let ev = vec![git_evidence(h)];
    let branch = &h.branch;
    if h.commit != shipped {
        out.push(Check::fail(
            CheckCode::GitCommitNotOnBranch,
            format!(
                "the git history given is of commit {}, not of the shipped commit {shipped}",
                h.commit
            ),
            ev,
        ));
        return;
    }
    if h.info.is_none() {
        let shallow = if h.shallow {
            " (the clone is shallow: fetch its full history)"
        } else {
            ""
        };
        out.push(Check::fail(
            CheckCode::GitCommitNotOnBranch,
            format!(
                "the clone at {} does not have commit {shipped}{shallow}",
                h.repository
            ),
            ev,
        ));
        return;
    }
    if !h.reachable {
        out.push(Check::fail(
            CheckCode::GitCommitNotOnBranch,
            format!(
                "commit {shipped} is not reachable from {branch} (tip {}): it never reached the release branch",
                h.branch_tip
            ),
            ev,
        ));
        return;
    }
    out.push(Check::pass(
        CheckCode::GitCommitOnBranch,
        format!(
            "commit {shipped} is reachable from {branch} (tip {})",
            h.branch_tip
        ),
        ev.clone(),
    ));

    let Some(landed) = &h.landed_by else {
        out.push(Check::fail(
            CheckCode::GitDirectPush,
            format!("cannot tell how commit {shipped} reached {branch}: no commit on its first-parent history was found to bring it in"),
            ev,
        ));
        return;
    };
    let how = if h.first_parent {
        format!("commit {shipped} is on {branch}'s first-parent history")
    } else {
        format!("commit {shipped} reached {branch} through {}", landed.sha)
    };
    if landed.is_merge() {
        out.push(Check::pass(
            CheckCode::GitMergedChange,
            format!(
                "{how}, a merge commit (parents {}) {}",
                landed.parents.join(", "),
                describe(landed)
            ),
            ev,
        ));
        return;
    }
    // A single-parent commit on the branch: a direct push, unless it is what merging the
    // reviewed change produced (a squash or rebase merge, or a fast-forward to its head).
    let accounted = review.filter(|r| r.merged).and_then(|r| {
        let what = if r.merge_commit_sha.as_deref() == Some(&landed.sha) {
            "merge commit"
        } else if r.squash_commit_sha.as_deref() == Some(&landed.sha) {
            "squash commit"
        } else if r.head_sha == landed.sha {
            "final head"
        } else {
            return None;
        };
        Some(format!("the {what} of merged {}", r.label()))
    });
    let mut ev = ev;
    match accounted {
        Some(what) => {
            if let Some(r) = review {
                ev.extend(review_evidence(r));
            }
            out.push(Check::pass(
                CheckCode::GitMergedChange,
                format!(
                    "{how} as a single-parent commit ({}), and it is {what}",
                    describe(landed)
                ),
                ev,
            ));
        }
        None => {
            let note = match review {
                Some(r) if !r.merged => format!("; {} was not merged", r.label()),
                Some(r) => format!(
                    "; it is not the merge, squash or head commit of {}",
                    r.label()
                ),
                None => "; no change review was given".into(),
            };
            out.push(Check::fail(
                CheckCode::GitDirectPush,
                format!(
                    "{how} as a single-parent commit {}, and no merged, reviewed change accounts for it{note}: a direct push (or a squash or rebase merge whose review was not given)",
                    describe(landed)
                ),
                ev,
            ));
        }
    }
}
