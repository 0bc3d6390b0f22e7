//! CI run metadata (GitHub Actions, GitLab CI) and change-review evidence: pull / merge
//! requests with their reviews, and local git history of the shipped commit.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use provenant_collect::git;
use provenant_core::review::{check_change_review, MergeMethod, ReviewRequirements};
use provenant_formats::gate::review::{
    parse_review, parse_review_values, ChangeReview, ReviewState,
};
use provenant_formats::gate::{parse_gate, GateError, GateKind, GateReport, Scanned};
use provenant_model::{Check, CheckCode, Outcome};
use serde_json::{json, Value};

const SHA: &str = "acb5820ced9479c074f688cc328bf03f341a511d";
const HEAD: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
const OLD: &str = "2c4b0d1e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
const MERGE: &str = "e5bd3914e2e596debea16f433f57875b5b90bcd6";
const OTHER: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";

// ---------------------------------------------------------------------------------------------
// CI run metadata

fn actor() -> Value {
    json!({"login": "octocat", "id": 1, "node_id": "MDQ6VXNlcjE=", "type": "User",
           "avatar_url": "https://github.com/images/error/octocat_happy.gif",
           "html_url": "https://github.com/octocat", "site_admin": false})
}

/// `GET /repos/{o}/{r}/actions/runs/{id}`.
fn gh_run(status: &str, conclusion: Option<&str>) -> Value {
    json!({
        "id": 30433642,
        "name": "Build",
        "node_id": "MDEyOldvcmtmbG93IFJ1bjI2OTI4OQ==",
        "check_suite_id": 42,
        "check_suite_node_id": "MDEwOkNoZWNrU3VpdGU0Mg==",
        "head_branch": "main",
        "head_sha": SHA,
        "path": ".github/workflows/build.yml",
        "run_number": 562,
        "event": "push",
        "display_title": "Update README.md",
        "status": status,
        "conclusion": conclusion,
        "workflow_id": 159038,
        "url": "https://api.github.com/repos/octo-org/octo-repo/actions/runs/30433642",
        "html_url": "https://github.com/octo-org/octo-repo/actions/runs/30433642",
        "pull_requests": [],
        "created_at": "2026-01-22T19:33:08Z",
        "updated_at": "2026-01-22T19:41:30Z",
        "actor": actor(),
        "triggering_actor": actor(),
        "run_attempt": 1,
        "referenced_workflows": [],
        "run_started_at": "2026-01-22T19:33:10Z",
        "jobs_url": "https://api.github.com/repos/octo-org/octo-repo/actions/runs/30433642/jobs",
        "logs_url": "https://api.github.com/repos/octo-org/octo-repo/actions/runs/30433642/logs",
        "check_suite_url": "https://api.github.com/repos/octo-org/octo-repo/check-suites/414944374",
        "artifacts_url": "https://api.github.com/repos/octo-org/octo-repo/actions/runs/30433642/artifacts",
        "cancel_url": "https://api.github.com/repos/octo-org/octo-repo/actions/runs/30433642/cancel",
        "rerun_url": "https://api.github.com/repos/octo-org/octo-repo/actions/runs/30433642/rerun",
        "workflow_url": "https://api.github.com/repos/octo-org/octo-repo/actions/workflows/159038",
        "head_commit": {
            "id": SHA, "tree_id": "d23f6eedb1e1b9610bbc754ddb5197bfe7271223",
            "message": "Create linter.yaml", "timestamp": "2026-01-22T19:33:05Z",
            "author": {"name": "Octo Cat", "email": "octocat@github.com"},
            "committer": {"name": "GitHub", "email": "noreply@github.com"}
        },
        "repository": {
            "id": 1296269, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", "name": "octo-repo",
            "full_name": "octo-org/octo-repo", "private": false, "owner": actor(),
            "html_url": "https://github.com/octo-org/octo-repo", "fork": false
        },
        "head_repository": {"id": 217723378, "full_name": "octo-org/octo-repo"}
    })
}

/// `GET /repos/{o}/{r}/actions/jobs/{id}`.
fn gh_job(status: &str, conclusion: Option<&str>) -> Value {
    json!({
        "id": 399444496,
        "run_id": 29679449,
        "run_url": "https://api.github.com/repos/octo-org/octo-repo/actions/runs/29679449",
        "node_id": "MDEyOldvcmtmbG93IEpvYjM5OTQ0NDQ5Ng==",
        "head_sha": SHA,
        "url": "https://api.github.com/repos/octo-org/octo-repo/actions/jobs/399444496",
        "html_url": "https://github.com/octo-org/octo-repo/actions/runs/29679449/job/399444496",
        "status": status,
        "conclusion": conclusion,
        "created_at": "2026-01-20T17:42:35Z",
        "started_at": "2026-01-20T17:42:40Z",
        "completed_at": if status == "completed" { json!("2026-01-20T17:44:39Z") } else { Value::Null },
        "name": "build",
        "steps": [
            {"name": "Set up job", "status": "completed", "conclusion": "success", "number": 1,
             "started_at": "2026-01-20T09:42:40.000-08:00", "completed_at": "2026-01-20T09:42:41.000-08:00"},
            {"name": "Run actions/checkout@v4", "status": "completed", "conclusion": "success", "number": 2,
             "started_at": "2026-01-20T09:42:41.000-08:00", "completed_at": "2026-01-20T09:42:45.000-08:00"}
        ],
        "check_run_url": "https://api.github.com/repos/octo-org/octo-repo/check-runs/399444496",
        "labels": ["ubuntu-latest"],
        "runner_id": 1,
        "runner_name": "GitHub Actions 1",
        "runner_group_id": 0,
        "runner_group_name": "GitHub Actions",
        "run_attempt": 1,
        "workflow_name": "CI",
        "head_branch": "main"
    })
}

/// `GET /projects/{id}/pipelines/{pipeline_id}`.
fn gl_pipeline(status: &str) -> Value {
    let done = matches!(status, "success" | "failed" | "canceled");
    json!({
        "id": 287,
        "iid": 144,
        "project_id": 21,
        "name": "Build pipeline",
        "sha": SHA,
        "ref": "main",
        "status": status,
        "source": "push",
        "created_at": "2026-09-21T01:05:07.200Z",
        "updated_at": "2026-09-21T01:05:50.185Z",
        "web_url": "https://gitlab.example.com/test-group/test-project/-/pipelines/287",
        "before_sha": "8a24fb3c5877a6d0b611ca41fc86edc174593e2b",
        "tag": false,
        "yaml_errors": null,
        "user": {"id": 1, "username": "root", "name": "Administrator", "state": "active"},
        "started_at": "2026-09-21T01:05:14.197Z",
        "finished_at": if done { json!("2026-09-21T01:05:50.175Z") } else { Value::Null },
        "committed_at": null,
        "duration": 34,
        "queued_duration": 6,
        "coverage": null,
        "detailed_status": {"icon": "status_success", "text": "passed", "label": "passed",
                            "group": "success", "has_details": false}
    })
}

/// `GET /projects/{id}/jobs/{job_id}`.
fn gl_job(status: &str) -> Value {
    json!({
        "commit": {
            "author_email": "admin@example.com", "author_name": "Administrator",
            "created_at": "2026-12-24T16:51:14.000+01:00", "id": SHA,
            "message": "Test the CI integration.", "short_id": "acb5820c",
            "title": "Test the CI integration."
        },
        "coverage": null,
        "allow_failure": false,
        "created_at": "2026-12-24T15:51:21.880Z",
        "started_at": "2026-12-24T17:54:30.733Z",
        "finished_at": "2026-12-24T17:54:31.198Z",
        "erased_at": null,
        "duration": 0.465,
        "queued_duration": 0.010,
        "artifacts_expire_at": "2027-01-23T17:54:31.198Z",
        "tag_list": ["docker runner", "macos-10.15"],
        "id": 8,
        "name": "rubocop",
        "pipeline": {"id": 6, "project_id": 1, "ref": "main", "sha": SHA, "status": "pending"},
        "ref": "main",
        "artifacts": [],
        "runner": null,
        "stage": "test",
        "status": status,
        "failure_reason": if status == "failed" { json!("script_failure") } else { Value::Null },
        "tag": false,
        "web_url": "https://gitlab.example.com/foo/bar/-/jobs/8",
        "project": {"ci_job_token_scope_enabled": false},
        "user": {"id": 1, "username": "root", "name": "Administrator"}
    })
}

fn gate(v: &Value) -> Vec<GateReport> {
    parse_gate(serde_json::to_string(v).unwrap().as_bytes()).expect("CI metadata reads")
}

fn commit_of(r: &GateReport) -> (&str, Option<&str>) {
    match &r.scanned[..] {
        [Scanned::Commit { sha, repository }] => (sha, repository.as_deref()),
        other => panic!("expected one commit, got {other:?}"),
    }
}

#[test]
fn github_run_success() {
    let r = gate(&gh_run("completed", Some("success"))).remove(0);
    assert_eq!(r.kind, GateKind::CiRun);
    assert_eq!(r.format, "github-actions-run");
    assert_eq!(r.tool, "GitHub Actions");
    assert_eq!(r.tool_version, None);
    assert_eq!(
        commit_of(&r),
        (SHA, Some("https://github.com/octo-org/octo-repo"))
    );
    assert_eq!(r.succeeded, Some(true));
    assert_eq!(r.started.as_deref(), Some("2026-01-22T19:33:10Z"));
    assert_eq!(r.finished.as_deref(), Some("2026-01-22T19:41:30Z"));
    assert_eq!(r.workflow.as_deref(), Some(".github/workflows/build.yml"));
    assert!(r.findings.is_empty());
}

#[test]
fn github_run_failure_and_in_progress() {
    for conclusion in ["failure", "cancelled", "timed_out", "action_required"] {
        let r = gate(&gh_run("completed", Some(conclusion))).remove(0);
        assert_eq!(r.succeeded, Some(false), "{conclusion}");
    }
    for status in ["queued", "in_progress", "waiting", "pending"] {
        let r = gate(&gh_run(status, None)).remove(0);
        assert_eq!(r.succeeded, None, "{status}");
        assert_eq!(
            r.finished, None,
            "{status}: a run still going has not finished"
        );
    }
    // A conclusion on a run that is not completed is not an outcome.
    let r = gate(&gh_run("in_progress", Some("success"))).remove(0);
    assert_eq!(r.succeeded, None);
}

#[test]
fn github_run_path_with_ref_and_started_from_created() {
    let mut v = gh_run("completed", Some("success"));
    v["path"] = json!(".github/workflows/build.yml@main");
    v.as_object_mut().unwrap().remove("run_started_at");
    let r = gate(&v).remove(0);
    assert_eq!(r.workflow.as_deref(), Some(".github/workflows/build.yml"));
    assert_eq!(r.started.as_deref(), Some("2026-01-22T19:33:08Z"));
}

#[test]
fn github_runs_list() {
    let mut failed = gh_run("completed", Some("failure"));
    failed["head_sha"] = json!(OTHER);
    // The run names its commit twice; both say OTHER (a document where they disagree is a
    // conflict: see ci_run_head_sha_and_head_commit_must_agree).
    failed["head_commit"]["id"] = json!(OTHER);
    let list =
        json!({"total_count": 2, "workflow_runs": [gh_run("completed", Some("success")), failed]});
    let rs = gate(&list);
    assert_eq!(rs.len(), 2);
    assert_eq!(commit_of(&rs[0]).0, SHA);
    assert_eq!(rs[0].succeeded, Some(true));
    assert_eq!(commit_of(&rs[1]).0, OTHER);
    assert_eq!(rs[1].succeeded, Some(false));
}

#[test]
fn github_job_and_jobs_list() {
    let r = gate(&gh_job("completed", Some("success"))).remove(0);
    assert_eq!(r.format, "github-actions-job");
    assert_eq!(
        commit_of(&r),
        (SHA, Some("https://github.com/octo-org/octo-repo"))
    );
    assert_eq!(r.succeeded, Some(true));
    assert_eq!(r.started.as_deref(), Some("2026-01-20T17:42:40Z"));
    assert_eq!(r.finished.as_deref(), Some("2026-01-20T17:44:39Z"));
    assert_eq!(r.workflow.as_deref(), Some("CI/build"));

    let list = json!({"total_count": 3, "jobs": [
        gh_job("completed", Some("success")),
        gh_job("completed", Some("failure")),
        gh_job("in_progress", None),
    ]});
    let rs = gate(&list);
    let outcomes: Vec<_> = rs.iter().map(|r| r.succeeded).collect();
    assert_eq!(outcomes, [Some(true), Some(false), None]);
    assert!(rs.iter().all(|r| r.format == "github-actions-job"));
    assert_eq!(rs[2].finished, None);
}

#[test]
fn gitlab_pipeline() {
    let r = gate(&gl_pipeline("success")).remove(0);
    assert_eq!(r.format, "gitlab-pipeline");
    assert_eq!(r.tool, "GitLab CI");
    assert_eq!(
        commit_of(&r),
        (
            SHA,
            Some("https://gitlab.example.com/test-group/test-project")
        )
    );
    assert_eq!(r.succeeded, Some(true));
    assert_eq!(r.started.as_deref(), Some("2026-09-21T01:05:14.197Z"));
    assert_eq!(r.finished.as_deref(), Some("2026-09-21T01:05:50.175Z"));
    assert_eq!(r.workflow.as_deref(), Some("Build pipeline"));

    assert_eq!(gate(&gl_pipeline("failed"))[0].succeeded, Some(false));
    assert_eq!(gate(&gl_pipeline("canceled"))[0].succeeded, Some(false));
    for status in [
        "created",
        "pending",
        "running",
        "manual",
        "scheduled",
        "waiting_for_resource",
    ] {
        let r = gate(&gl_pipeline(status)).remove(0);
        assert_eq!(r.succeeded, None, "{status}");
        assert_eq!(r.finished, None, "{status}");
    }
}

#[test]
fn gitlab_job() {
    let r = gate(&gl_job("success")).remove(0);
    assert_eq!(r.format, "gitlab-job");
    assert_eq!(
        commit_of(&r),
        (SHA, Some("https://gitlab.example.com/foo/bar"))
    );
    assert_eq!(r.succeeded, Some(true));
    assert_eq!(r.workflow.as_deref(), Some("rubocop"));
    assert_eq!(gate(&gl_job("failed"))[0].succeeded, Some(false));
    assert_eq!(gate(&gl_job("running"))[0].succeeded, None);
    // GitLab's jobs list is a bare array.
    let rs = gate(&json!([gl_job("success"), gl_job("failed")]));
    assert_eq!(rs.len(), 2);
}

#[test]
fn gitlab_job_whose_pipeline_names_another_commit_is_refused() {
    let mut v = gl_job("success");
    v["pipeline"]["sha"] = json!(OTHER);
    let e = parse_gate(v.to_string().as_bytes()).unwrap_err();
    assert!(
        matches!(
            e,
            GateError::Field {
                format: "gitlab-job",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn ci_metadata_without_a_full_commit_is_refused() {
    for (v, key) in [
        (gh_run("completed", Some("success")), "head_sha"),
        (gh_job("completed", Some("success")), "head_sha"),
        (gl_pipeline("success"), "sha"),
    ] {
        let mut v = v;
        v[key] = json!("acb5820");
        let e = parse_gate(v.to_string().as_bytes()).unwrap_err();
        assert!(matches!(e, GateError::Field { .. }), "{e}");
    }
}

#[test]
fn other_documents_are_not_ci_metadata() {
    for v in [
        json!({"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": []}),
        json!({"@programName": "ZAP", "@version": "2.15.0", "site": []}),
        json!({"total_count": 0}),
        json!({"id": 1, "status": "success"}),
        json!({"sha": SHA}),
    ] {
        let reports = parse_gate(v.to_string().as_bytes());
        assert!(
            reports
                .as_ref()
                .map_or(true, |rs| rs.iter().all(|r| r.kind != GateKind::CiRun)),
            "{v} read as CI metadata: {reports:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Change review

fn user(login: &str) -> Value {
    json!({"login": login, "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==", "type": "User",
           "html_url": format!("https://github.com/{login}"), "site_admin": false})
}

/// `GET /repos/{o}/{r}/pulls/{n}` for a merged pull request.
fn gh_pr() -> Value {
    json!({
        "url": "https://api.github.com/repos/octo-org/octo-repo/pulls/1347",
        "id": 1, "node_id": "MDExOlB1bGxSZXF1ZXN0MQ==",
        "html_url": "https://github.com/octo-org/octo-repo/pull/1347",
        "diff_url": "https://github.com/octo-org/octo-repo/pull/1347.diff",
        "number": 1347,
        "state": "closed",
        "locked": false,
        "title": "Amazing new feature",
        "user": user("alice"),
        "body": "Please pull these awesome changes in!",
        "labels": [],
        "created_at": "2026-01-25T20:00:00Z",
        "updated_at": "2026-01-26T10:05:00Z",
        "closed_at": "2026-01-26T10:05:00Z",
        "merged_at": "2026-01-26T10:05:00Z",
        "merge_commit_sha": MERGE,
        "assignee": null,
        "requested_reviewers": [],
        "draft": false,
        "head": {"label": "octo-org:new-topic", "ref": "new-topic", "sha": HEAD, "user": user("alice"),
                 "repo": {"id": 1296269, "full_name": "octo-org/octo-repo"}},
        "base": {"label": "octo-org:main", "ref": "main", "sha": OLD, "user": user("octo-org"),
                 "repo": {"id": 1296269, "full_name": "octo-org/octo-repo"}},
        "author_association": "MEMBER",
        "auto_merge": null,
        "merged": true,
        "mergeable": null,
        "rebaseable": null,
        "mergeable_state": "unknown",
        "merged_by": user("carol"),
        "comments": 10,
        "review_comments": 0,
        "maintainer_can_modify": true,
        "commits": 3,
        "additions": 100,
        "deletions": 3,
        "changed_files": 5
    })
}

/// One review of `GET /repos/{o}/{r}/pulls/{n}/reviews`.
fn gh_review(id: u64, login: &str, state: &str, commit: &str, at: &str) -> Value {
    json!({
        "id": id,
        "node_id": "MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA=",
        "user": user(login),
        "body": "Here is the body for the review.",
        "state": state,
        "html_url": format!("https://github.com/octo-org/octo-repo/pull/1347#pullrequestreview-{id}"),
        "pull_request_url": "https://api.github.com/repos/octo-org/octo-repo/pulls/1347",
        "_links": {"html": {"href": "https://github.com/octo-org/octo-repo/pull/1347#pullrequestreview-80"},
                   "pull_request": {"href": "https://api.github.com/repos/octo-org/octo-repo/pulls/1347"}},
        "submitted_at": at,
        "commit_id": commit,
        "author_association": "COLLABORATOR"
    })
}

fn two_approvals() -> Value {
    json!([
        gh_review(80, "bob", "COMMENTED", OLD, "2026-01-25T21:00:00Z"),
        gh_review(81, "bob", "APPROVED", HEAD, "2026-01-26T09:00:00Z"),
        gh_review(82, "dave", "APPROVED", HEAD, "2026-01-26T09:30:00Z"),
    ])
}

fn req(n: usize) -> ReviewRequirements {
    ReviewRequirements {
        min_approvals: n,
        require_review: true,
        ..Default::default()
    }
}

fn review_of(docs: &[Value]) -> ChangeReview {
    parse_review_values(docs).expect("review evidence reads")
}

fn outcome(checks: &[Check], code: CheckCode) -> Option<Outcome> {
    checks.iter().find(|c| c.code == code).map(|c| c.outcome)
}

fn fails(checks: &[Check]) -> Vec<CheckCode> {
    checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| c.code)
        .collect()
}

fn reason(checks: &[Check], code: CheckCode) -> &str {
    &checks
        .iter()
        .find(|c| c.code == code)
        .expect("check present")
        .reason
}

#[test]
fn github_pull_request_approved_by_two_others_on_the_final_head_passes() {
    let r = review_of(&[gh_pr(), two_approvals()]);
    assert_eq!(r.number, 1347);
    assert_eq!(r.author, "alice");
    assert_eq!(r.head_sha, HEAD);
    assert_eq!(r.base_ref.as_deref(), Some("main"));
    assert_eq!(r.merged_by.as_deref(), Some("carol"));
    assert_eq!(r.approvals.len(), 3);
    assert_eq!(r.approvals[1].state, ReviewState::Approved);
    assert_eq!(r.approvals[1].commit_id.as_deref(), Some(HEAD));

    for shipped in [MERGE, HEAD] {
        let checks = check_change_review(Some(&r), None, shipped, &req(2));
        assert!(fails(&checks).is_empty(), "{checks:#?}");
        assert_eq!(
            outcome(&checks, CheckCode::ReviewCommitMatches),
            Some(Outcome::Pass)
        );
        assert_eq!(
            outcome(&checks, CheckCode::ReviewMerged),
            Some(Outcome::Pass)
        );
        assert_eq!(
            outcome(&checks, CheckCode::ReviewApprovalsMet),
            Some(Outcome::Pass)
        );
        assert_eq!(
            outcome(&checks, CheckCode::ReviewIndependent),
            Some(Outcome::Pass)
        );
        assert!(reason(&checks, CheckCode::ReviewApprovalsMet).contains("bob, dave"));
        assert!(checks.iter().all(|c| !c.evidence.is_empty()));
    }
    // Three are not there.
    let checks = check_change_review(Some(&r), None, MERGE, &req(3));
    assert_eq!(fails(&checks), [CheckCode::ReviewApprovalsInsufficient]);
}

#[test]
fn combined_document_reads_like_separate_ones() {
    let combined = json!({"pull_request": gh_pr(), "reviews": two_approvals()});
    let r = parse_review(combined.to_string().as_bytes()).unwrap();
    assert_eq!(r, review_of(&[two_approvals(), gh_pr()]));
}

#[test]
fn stale_approval_does_not_count() {
    let reviews = json!([
        gh_review(81, "bob", "APPROVED", OLD, "2026-01-25T21:00:00Z"),
        gh_review(82, "dave", "APPROVED", HEAD, "2026-01-26T09:30:00Z"),
    ]);
    let r = review_of(&[gh_pr(), reviews]);
    let checks = check_change_review(Some(&r), None, MERGE, &req(2));
    assert_eq!(fails(&checks), [CheckCode::ReviewApprovalsInsufficient]);
    assert_eq!(
        outcome(&checks, CheckCode::ReviewApprovalStale),
        Some(Outcome::Warn)
    );
    let why = reason(&checks, CheckCode::ReviewApprovalsInsufficient);
    assert!(why.contains(OLD) && why.contains("stale"), "{why}");
    // One approval on the head is enough for a one-approval rule; the stale one still warns.
    let checks = check_change_review(Some(&r), None, MERGE, &req(1));
    assert!(fails(&checks).is_empty(), "{checks:#?}");
    assert_eq!(
        outcome(&checks, CheckCode::ReviewApprovalStale),
        Some(Outcome::Warn)
    );
}

#[test]
fn self_approval_is_a_finding() {
    let reviews = json!([
        gh_review(81, "Alice", "APPROVED", HEAD, "2026-01-26T09:00:00Z"),
        gh_review(82, "dave", "APPROVED", HEAD, "2026-01-26T09:30:00Z"),
    ]);
    let r = review_of(&[gh_pr(), reviews]);
    let checks = check_change_review(Some(&r), None, MERGE, &req(2));
    assert_eq!(
        fails(&checks),
        [
            CheckCode::ReviewSelfApproved,
            CheckCode::ReviewApprovalsInsufficient
        ]
    );
    // Even with enough others, a self-approval fails.
    let checks = check_change_review(Some(&r), None, MERGE, &req(1));
    assert_eq!(fails(&checks), [CheckCode::ReviewSelfApproved]);
}

#[test]
fn the_last_pusher_does_not_count_as_independent() {
    let combined =
        json!({"pull_request": gh_pr(), "reviews": two_approvals(), "last_pusher": "dave"});
    let r = parse_review(combined.to_string().as_bytes()).unwrap();
    let checks = check_change_review(Some(&r), None, MERGE, &req(2));
    assert!(fails(&checks).contains(&CheckCode::ReviewSelfApproved));
    assert!(fails(&checks).contains(&CheckCode::ReviewApprovalsInsufficient));

    // From the commits list: the committer of the final head.
    let commits = json!([
        {"sha": OLD, "commit": {"message": "one"}, "author": user("alice"), "committer": user("alice"), "parents": []},
        {"sha": HEAD, "commit": {"message": "two"}, "author": user("alice"), "committer": user("dave"), "parents": [{"sha": OLD}]},
    ]);
    let r = review_of(&[gh_pr(), two_approvals(), commits]);
    assert_eq!(r.last_pusher.as_deref(), Some("dave"));
    assert_eq!(r.commits, [OLD, HEAD]);
    let checks = check_change_review(Some(&r), None, MERGE, &req(2));
    assert!(fails(&checks).contains(&CheckCode::ReviewSelfApproved));
}

#[test]
fn dismissed_approval_does_not_count() {
    let reviews = json!([
        gh_review(81, "bob", "DISMISSED", HEAD, "2026-01-26T09:00:00Z"),
        gh_review(82, "dave", "APPROVED", HEAD, "2026-01-26T09:30:00Z"),
    ]);
    let r = review_of(&[gh_pr(), reviews]);
    let checks = check_change_review(Some(&r), None, MERGE, &req(2));
    assert_eq!(fails(&checks), [CheckCode::ReviewApprovalsInsufficient]);
    assert!(reason(&checks, CheckCode::ReviewApprovalsInsufficient).contains("dismissed: bob"));
}

#[test]
fn a_later_change_request_supersedes_an_approval() {
    let reviews = json!([
        gh_review(81, "bob", "APPROVED", HEAD, "2026-01-26T09:00:00Z"),
        gh_review(83, "bob", "CHANGES_REQUESTED", HEAD, "2026-01-26T09:40:00Z"),
        gh_review(82, "dave", "APPROVED", HEAD, "2026-01-26T09:30:00Z"),
    ]);
    let r = review_of(&[gh_pr(), reviews]);
    let checks = check_change_review(Some(&r), None, MERGE, &req(2));
    assert_eq!(fails(&checks), [CheckCode::ReviewApprovalsInsufficient]);
    // A later comment does not undo an approval.
    let reviews = json!([
        gh_review(81, "bob", "APPROVED", HEAD, "2026-01-26T09:00:00Z"),
        gh_review(83, "bob", "COMMENTED", HEAD, "2026-01-26T09:40:00Z"),
    ]);
    let r = review_of(&[gh_pr(), reviews]);
    let checks = check_change_review(Some(&r), None, MERGE, &req(1));
    assert!(fails(&checks).is_empty(), "{checks:#?}");
}

#[test]
fn closed_unmerged_pull_request_fails() {
    let mut pr = gh_pr();
    pr["merged"] = json!(false);
    pr["merged_at"] = Value::Null;
    pr["merged_by"] = Value::Null;
    let r = review_of(&[pr, two_approvals()]);
    assert!(!r.merged);
    // Shipping the head of an unmerged change: reviewed, but never merged.
    let checks = check_change_review(Some(&r), None, HEAD, &req(2));
    assert_eq!(fails(&checks), [CheckCode::ReviewNotMerged]);
    // GitHub's merge_commit_sha of an unmerged pull request is a test merge: it binds nothing.
    let checks = check_change_review(Some(&r), None, MERGE, &req(2));
    assert_eq!(
        fails(&checks),
        [CheckCode::ReviewCommitMismatch, CheckCode::ReviewNotMerged]
    );
    assert!(reason(&checks, CheckCode::ReviewCommitMismatch).contains("test merge"));
}

#[test]
fn shipped_commit_other_than_the_merge_commit_fails_naming_both() {
    let r = review_of(&[gh_pr(), two_approvals()]);
    let checks = check_change_review(Some(&r), None, OTHER, &req(2));
    assert_eq!(fails(&checks), [CheckCode::ReviewCommitMismatch]);
    let why = reason(&checks, CheckCode::ReviewCommitMismatch);
    assert!(
        why.contains(OTHER) && why.contains(MERGE) && why.contains(HEAD),
        "{why}"
    );
}

#[test]
fn missing_review_fails_when_required() {
    let checks = check_change_review(None, None, MERGE, &req(1));
    assert_eq!(fails(&checks), [CheckCode::ReviewMissing]);
    let optional = ReviewRequirements::default();
    assert!(check_change_review(None, None, MERGE, &optional).is_empty());
}

#[test]
fn pull_request_without_reviews_has_no_approvals() {
    let r = review_of(&[gh_pr()]);
    assert!(!r.reviews_given);
    let checks = check_change_review(Some(&r), None, MERGE, &req(1));
    assert_eq!(fails(&checks), [CheckCode::ReviewApprovalsInsufficient]);
    assert!(
        reason(&checks, CheckCode::ReviewApprovalsInsufficient).contains("no reviews were given")
    );
}

#[test]
fn malformed_review_evidence_is_refused() {
    let bad_state = json!([gh_review(81, "bob", "LGTM", HEAD, "2026-01-26T09:00:00Z")]);
    let mut other_pr = gh_review(81, "bob", "APPROVED", HEAD, "2026-01-26T09:00:00Z");
    other_pr["pull_request_url"] =
        json!("https://api.github.com/repos/octo-org/octo-repo/pulls/1348");
    let mut short_head = gh_pr();
    short_head["head"]["sha"] = json!("6dcb09b");
    for docs in [
        vec![two_approvals()],
        vec![gh_pr(), bad_state],
        vec![gh_pr(), json!([other_pr])],
        vec![short_head],
        vec![gh_pr(), gh_pr()],
        vec![gh_pr(), gl_approvals(&["bob"])],
        vec![json!({"pull_request": gh_pr(), "reviews": two_approvals(), "extra": 1})],
        vec![json!({"total_count": 0})],
    ] {
        assert!(parse_review_values(&docs).is_err(), "{docs:?}");
    }
    assert!(matches!(
        parse_review(br#"{"pull_request": {}, "pull_request": {}}"#),
        Err(GateError::Syntax { .. })
    ));
}

/// `GET /projects/{id}/merge_requests/{iid}` for a merged merge request.
fn gl_mr() -> Value {
    let mr = json!({
        "id": 155016530, "iid": 133, "project_id": 15513260,
        "title": "Manual job rules", "description": "",
        "state": "merged",
        "created_at": "2026-04-05T21:41:41.942Z",
        "updated_at": "2026-04-06T11:07:50.215Z",
        "merged_by": {"id": 4155490, "username": "carol", "name": "Carol", "state": "active"},
        "merge_user": {"id": 4155490, "username": "carol", "name": "Carol", "state": "active"},
        "merged_at": "2026-04-06T11:07:50.204Z",
        "closed_by": null, "closed_at": null,
        "target_branch": "main",
        "source_branch": "manual-job-rules",
        "user_notes_count": 0, "upvotes": 0, "downvotes": 0,
        "author": {"id": 4155490, "username": "alice", "name": "Alice", "state": "active",
                   "web_url": "https://gitlab.com/alice"},
        "assignees": [], "reviewers": [],
        "source_project_id": 15513260, "target_project_id": 15513260,
        "labels": [], "draft": false, "work_in_progress": false,
        "milestone": null,
        "merge_when_pipeline_succeeds": false,
        "merge_status": "can_be_merged", "detailed_merge_status": "not_open",
        "sha": HEAD,
        "merge_commit_sha": MERGE,
        "squash_commit_sha": null,
        "discussion_locked": null,
        "should_remove_source_branch": null,
        "force_remove_source_branch": true
    });
    let more = json!({
        "reference": "!133",
        "references": {"short": "!133", "relative": "!133", "full": "group/project!133"},
        "web_url": "https://gitlab.com/group/project/-/merge_requests/133",
        "time_stats": {"time_estimate": 0, "total_time_spent": 0},
        "squash": false,
        "squash_on_merge": false,
        "task_completion_status": {"count": 0, "completed_count": 0},
        "has_conflicts": false,
        "blocking_discussions_resolved": true,
        "diff_refs": {"base_sha": OLD, "head_sha": HEAD, "start_sha": OLD}
    });
    merged(mr, more)
}

/// `a` with `b`'s keys added (`json!` cannot take a whole API response at once).
fn merged(mut a: Value, b: Value) -> Value {
    let (Some(a_map), Value::Object(b)) = (a.as_object_mut(), b) else {
        panic!("objects expected");
    };
    a_map.extend(b);
    a
}

/// `GET /projects/{id}/merge_requests/{iid}/approvals`.
fn gl_approvals(by: &[&str]) -> Value {
    let approved_by: Vec<Value> = by
        .iter()
        .map(|u| {
            json!({"user": {"name": u, "username": u, "id": 1, "state": "active",
                                  "web_url": format!("https://gitlab.com/{u}")}})
        })
        .collect();
    json!({
        "id": 155016530, "iid": 133, "project_id": 15513260,
        "title": "Manual job rules", "description": "", "state": "merged",
        "created_at": "2026-04-05T21:41:41.942Z", "updated_at": "2026-04-06T11:07:50.215Z",
        "merge_status": "can_be_merged",
        "approved": !by.is_empty(),
        "approvals_required": 2,
        "approvals_left": 2usize.saturating_sub(by.len()),
        "require_password_to_approve": false,
        "approved_by": approved_by,
        "suggested_approvers": [], "approvers": [], "approver_groups": [],
        "user_has_approved": false, "user_can_approve": false,
        "approval_rules_left": [], "has_approval_rules": true,
        "merge_request_approvers_available": true,
        "multiple_approval_rules_available": true
    })
}

#[test]
fn gitlab_merge_request_with_approvals() {
    let r = review_of(&[gl_mr(), gl_approvals(&["bob", "dave"])]);
    assert_eq!(r.number, 133);
    assert_eq!(r.label(), "merge request !133");
    assert_eq!(r.author, "alice");
    assert!(r.merged);
    assert_eq!(r.merged_by.as_deref(), Some("carol"));
    assert_eq!(r.base_ref.as_deref(), Some("main"));
    assert!(r.approvals.iter().all(|a| a.commit_id.is_none()));

    // GitLab approvals do not say which commit they approved: by default they do not count.
    let checks = check_change_review(Some(&r), None, MERGE, &req(2));
    assert_eq!(fails(&checks), [CheckCode::ReviewApprovalsInsufficient]);
    assert_eq!(
        outcome(&checks, CheckCode::ReviewApprovalCommitUnknown),
        Some(Outcome::Warn)
    );
    assert!(reason(&checks, CheckCode::ReviewApprovalCommitUnknown).contains("GitLab"));

    // Accepting that risk counts them, and still says so.
    let accepting = ReviewRequirements {
        accept_approvals_without_commit: true,
        ..req(2)
    };
    let checks = check_change_review(Some(&r), None, MERGE, &accepting);
    assert!(fails(&checks).is_empty(), "{checks:#?}");
    assert_eq!(
        outcome(&checks, CheckCode::ReviewApprovalCommitUnknown),
        Some(Outcome::Warn)
    );

    // The author approving their own merge request.
    let r = review_of(&[gl_mr(), gl_approvals(&["alice", "bob"])]);
    let checks = check_change_review(Some(&r), None, MERGE, &accepting);
    assert!(fails(&checks).contains(&CheckCode::ReviewSelfApproved));

    // Approvals of another merge request.
    let mut other = gl_approvals(&["bob"]);
    other["iid"] = json!(134);
    assert!(parse_review_values(&[gl_mr(), other]).is_err());

    // Open, combined form, squash commit shipped.
    let mut mr = gl_mr();
    mr["state"] = json!("opened");
    let r = parse_review(
        json!({"merge_request": mr, "approvals": gl_approvals(&["bob", "dave"])})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let checks = check_change_review(Some(&r), None, HEAD, &accepting);
    assert_eq!(fails(&checks), [CheckCode::ReviewNotMerged]);

    let mut mr = gl_mr();
    mr["squash_commit_sha"] = json!(OTHER);
    let r = review_of(&[mr, gl_approvals(&["bob", "dave"])]);
    let checks = check_change_review(Some(&r), None, OTHER, &accepting);
    assert!(fails(&checks).is_empty(), "{checks:#?}");
    assert!(reason(&checks, CheckCode::ReviewCommitMatches).contains("squash"));
}

#[test]
fn merge_method_from_gitlab_evidence() {
    let r = review_of(&[gl_mr(), gl_approvals(&["bob", "dave"])]);
    let only_squash = ReviewRequirements {
        allowed_merge_methods: Some(vec![MergeMethod::Squash]),
        accept_approvals_without_commit: true,
        ..req(2)
    };
    let checks = check_change_review(Some(&r), None, MERGE, &only_squash);
    assert_eq!(fails(&checks), [CheckCode::ReviewMergeMethodDenied]);
    let merges = ReviewRequirements {
        allowed_merge_methods: Some(vec![MergeMethod::Merge]),
        ..only_squash
    };
    let checks = check_change_review(Some(&r), None, MERGE, &merges);
    assert_eq!(
        outcome(&checks, CheckCode::ReviewMergeMethodAllowed),
        Some(Outcome::Pass)
    );
    assert_eq!(
        MergeMethod::parse("fast-forward").ok(),
        Some(MergeMethod::Rebase)
    );
    assert!(MergeMethod::parse("octopus").is_err());
}

// ---------------------------------------------------------------------------------------------
// Local git history

/// Whether `git` can run; outside CI its absence skips, under `CI=true` it fails.
fn have_git() -> bool {
    if Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return true;
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "CI=true but git is not installed"
    );
    eprintln!("skipping: git is not installed (the local-history tests need it)");
    false
}

/// Run git in `dir` for building a test repository, with a fixed identity and clock.
fn sh(dir: &Path, args: &[&str], who: &str, at: &str) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", who)
        .env(
            "GIT_AUTHOR_EMAIL",
            format!("{}@example.com", who.to_lowercase()),
        )
        .env("GIT_AUTHOR_DATE", at)
        .env("GIT_COMMITTER_NAME", who)
        .env(
            "GIT_COMMITTER_EMAIL",
            format!("{}@example.com", who.to_lowercase()),
        )
        .env("GIT_COMMITTER_DATE", at)
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

struct Repo {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    root: String,
    direct: String,
    feature: String,
    merge: String,
    squashed: String,
    unmerged: String,
}

/// main: root -> direct -> merge(--no-ff of feature) -> squashed; `topic` holds `unmerged`.
fn repo() -> Repo {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().to_owned();
    let commit = |msg: &str, who: &str, at: &str| {
        std::fs::write(p.join(format!("{msg}.txt")), msg).unwrap();
        sh(&p, &["add", "."], who, at);
        sh(&p, &["commit", "-q", "-m", msg], who, at);
        sh(&p, &["rev-parse", "HEAD"], who, at)
    };
    sh(&p, &["init", "-q"], "Alice", "2026-01-01T00:00:00Z");
    let root = commit("root", "Alice", "2026-01-01T00:00:00Z");
    let direct = commit("direct", "Mallory", "2026-01-02T00:00:00Z");
    sh(
        &p,
        &["checkout", "-q", "-b", "feature"],
        "Alice",
        "2026-01-03T00:00:00Z",
    );
    let feature = commit("feature", "Alice", "2026-01-03T00:00:00Z");
    sh(
        &p,
        &["checkout", "-q", "main"],
        "Alice",
        "2026-01-04T00:00:00Z",
    );
    sh(
        &p,
        &["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"],
        "Carol",
        "2026-01-04T00:00:00Z",
    );
    let merge = sh(&p, &["rev-parse", "HEAD"], "Carol", "2026-01-04T00:00:00Z");
    let squashed = commit("squashed", "Carol", "2026-01-05T00:00:00Z");
    sh(
        &p,
        &["checkout", "-q", "-b", "topic"],
        "Eve",
        "2026-01-06T00:00:00Z",
    );
    let unmerged = commit("unmerged", "Eve", "2026-01-06T00:00:00Z");
    sh(
        &p,
        &["checkout", "-q", "main"],
        "Eve",
        "2026-01-06T00:00:00Z",
    );
    Repo {
        _dir: dir,
        path: p,
        root,
        direct,
        feature,
        merge,
        squashed,
        unmerged,
    }
}

const T: Duration = Duration::from_secs(60);

#[test]
fn git_history_facts() {
    if !have_git() {
        return;
    }
    let r = repo();

    let h = git::history(&r.path, "main", &r.direct, T).unwrap();
    assert!(h.reachable && h.first_parent && !h.shallow);
    assert_eq!(h.branch_tip, r.squashed);
    let info = h.info.as_ref().unwrap();
    assert_eq!(info.parents, std::slice::from_ref(&r.root));
    assert!(!info.is_merge());
    assert_eq!(info.author.name, "Mallory");
    assert_eq!(info.committer.email, "mallory@example.com");
    assert_eq!(info.subject, "direct");
    assert!(
        info.author.time.starts_with("2026-01-02T00:00:00"),
        "{}",
        info.author.time
    );
    assert_eq!(h.landed_by.as_ref().unwrap().sha, r.direct);

    // A feature commit brought in by a --no-ff merge.
    let h = git::history(&r.path, "main", &r.feature, T).unwrap();
    assert!(h.reachable && !h.first_parent);
    let landed = h.landed_by.as_ref().unwrap();
    assert_eq!(landed.sha, r.merge);
    assert!(landed.is_merge());
    assert_eq!(landed.parents, [r.direct.clone(), r.feature.clone()]);

    // The merge commit itself.
    let h = git::history(&r.path, "main", &r.merge, T).unwrap();
    assert!(h.first_parent && h.info.as_ref().unwrap().is_merge());

    // Not on the release branch; unknown to the clone.
    let h = git::history(&r.path, "main", &r.unmerged, T).unwrap();
    assert!(h.info.is_some() && !h.reachable && h.landed_by.is_none());
    let h = git::history(&r.path, "main", OTHER, T).unwrap();
    assert!(h.info.is_none() && !h.reachable);
    // Upper-case ids are the same commit.
    let h = git::history(&r.path, "main", &r.direct.to_uppercase(), T).unwrap();
    assert_eq!(h.commit, r.direct);
}

#[test]
fn git_history_errors() {
    if !have_git() {
        return;
    }
    let r = repo();
    assert!(matches!(
        git::history(&r.path, "release", &r.direct, T),
        Err(git::GitError::UnknownBranch(_))
    ));
    assert!(matches!(
        git::history(&r.path, "--output=/tmp/x", &r.direct, T),
        Err(git::GitError::UnknownBranch(_))
    ));
    assert!(matches!(
        git::history(&r.path, "main", "HEAD", T),
        Err(git::GitError::BadCommit(_))
    ));
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        git::history(empty.path(), "main", &r.direct, T),
        Err(git::GitError::NotARepository { .. })
    ));
    // Grafts rewrite parents: refused.
    std::fs::create_dir_all(r.path.join(".git/info")).unwrap();
    std::fs::write(r.path.join(".git/info/grafts"), format!("{}\n", r.direct)).unwrap();
    assert!(matches!(
        git::history(&r.path, "main", &r.direct, T),
        Err(git::GitError::Grafts(_))
    ));
}

#[test]
fn git_history_checks() {
    if !have_git() {
        return;
    }
    let r = repo();
    let optional = ReviewRequirements::default();

    // A direct push, with no review at all.
    let h = git::history(&r.path, "main", &r.direct, T).unwrap();
    let checks = check_change_review(None, Some(&h), &r.direct, &optional);
    assert_eq!(
        outcome(&checks, CheckCode::GitCommitOnBranch),
        Some(Outcome::Pass)
    );
    assert_eq!(fails(&checks), [CheckCode::GitDirectPush]);
    assert!(reason(&checks, CheckCode::GitDirectPush).contains("Mallory"));
    let checks = check_change_review(None, Some(&h), &r.direct, &req(1));
    assert_eq!(
        fails(&checks),
        [CheckCode::ReviewMissing, CheckCode::GitDirectPush]
    );

    // A feature commit merged with --no-ff, and the merge itself: merged changes.
    for c in [&r.feature, &r.merge] {
        let h = git::history(&r.path, "main", c, T).unwrap();
        let checks = check_change_review(None, Some(&h), c, &optional);
        assert!(fails(&checks).is_empty(), "{checks:#?}");
        assert_eq!(
            outcome(&checks, CheckCode::GitMergedChange),
            Some(Outcome::Pass)
        );
    }

    // A single-parent commit that is the merge commit of a merged, approved pull request (a
    // squash merge) is not a direct push; without that review it is.
    let mut pr = gh_pr();
    pr["merge_commit_sha"] = json!(r.squashed);
    let review = review_of(&[pr, two_approvals()]);
    let h = git::history(&r.path, "main", &r.squashed, T).unwrap();
    let checks = check_change_review(Some(&review), Some(&h), &r.squashed, &req(2));
    assert!(fails(&checks).is_empty(), "{checks:#?}");
    assert_eq!(
        outcome(&checks, CheckCode::GitMergedChange),
        Some(Outcome::Pass)
    );
    let checks = check_change_review(None, Some(&h), &r.squashed, &optional);
    assert_eq!(fails(&checks), [CheckCode::GitDirectPush]);

    // The merge method, told by the git history: one parent is squash or rebase.
    let squash_only = ReviewRequirements {
        allowed_merge_methods: Some(vec![MergeMethod::Squash]),
        ..req(2)
    };
    let checks = check_change_review(Some(&review), Some(&h), &r.squashed, &squash_only);
    assert_eq!(fails(&checks), [CheckCode::ReviewMergeMethodDenied]);
    let linear = ReviewRequirements {
        allowed_merge_methods: Some(vec![MergeMethod::Squash, MergeMethod::Rebase]),
        ..req(2)
    };
    let checks = check_change_review(Some(&review), Some(&h), &r.squashed, &linear);
    assert_eq!(
        outcome(&checks, CheckCode::ReviewMergeMethodAllowed),
        Some(Outcome::Pass)
    );
    let checks = check_change_review(Some(&review), None, &r.squashed, &linear);
    assert_eq!(fails(&checks), [CheckCode::ReviewMergeMethodDenied]);

    // Not on the release branch, or not in the clone.
    let h = git::history(&r.path, "main", &r.unmerged, T).unwrap();
    let checks = check_change_review(None, Some(&h), &r.unmerged, &optional);
    assert_eq!(fails(&checks), [CheckCode::GitCommitNotOnBranch]);
    let h = git::history(&r.path, "main", OTHER, T).unwrap();
    let checks = check_change_review(None, Some(&h), OTHER, &optional);
    assert_eq!(fails(&checks), [CheckCode::GitCommitNotOnBranch]);
    // History of another commit than the one shipped proves nothing about it.
    let h = git::history(&r.path, "main", &r.merge, T).unwrap();
    let checks = check_change_review(None, Some(&h), &r.direct, &optional);
    assert_eq!(fails(&checks), [CheckCode::GitCommitNotOnBranch]);
}
