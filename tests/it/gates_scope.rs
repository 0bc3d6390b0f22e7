//! Issue 14, classes 3, 6 and 10, as processes: gate evidence must speak about this repository
//! (a fork shares commits) and this time (a date or a half-recorded run is read on the safe
//! side), an approval must come from a person, and a waiver waives exactly what it names.

use serde_json::{json, Value};

use crate::support::{provenant, run};

const SHIPPED: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const HEAD: &str = "c0ffee0000000000000000000000000000000001";

fn write(dir: &tempfile::TempDir, name: &str, v: &Value) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p.to_string_lossy().into_owned()
}

/// A CodeQL-shaped SARIF log of `repo` at the shipped commit.
fn sarif(repo: &str, invocation: Value, results: Value) -> Value {
    json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "CodeQL", "semanticVersion": "2.17.0",
                "rules": [{"id": "js/xss", "properties": {"security-severity": "7.5"}}]}},
            "versionControlProvenance": [{"repositoryUri": repo, "revisionId": SHIPPED, "branch": "main"}],
            "invocations": [invocation],
            "results": results
        }]
    })
}

fn in_time() -> Value {
    json!({"executionSuccessful": true, "startTimeUtc": "2026-05-01T10:00:00Z", "endTimeUtc": "2026-05-01T11:00:00Z"})
}

fn xss(file: &str, line: u64, hash: &str) -> Value {
    json!({"ruleId": "js/xss", "ruleIndex": 0, "level": "error", "message": {"text": "XSS"},
           "partialFingerprints": {"primaryLocationLineHash": hash},
           "locations": [{"physicalLocation": {"artifactLocation": {"uri": file}, "region": {"startLine": line}}}]})
}

fn gates(args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["gates", "--format", "json", "--commit", SHIPPED];
    all.extend_from_slice(args);
    let (code, out, err) = run(provenant().args(&all));
    let v = serde_json::from_str(&out).unwrap_or(Value::Null);
    (code, v, format!("{out}{err}"))
}

fn with(v: &Value, outcome: &str) -> Vec<String> {
    v["checks"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|c| c["outcome"] == outcome)
                .map(|c| c["code"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn has(v: &Value, outcome: &str, code: &str) -> bool {
    with(v, outcome).iter().any(|c| c == code)
}

#[test]
fn gates_scope_a_sarif_run_of_a_fork_does_not_satisfy_a_gate() {
    let dir = tempfile::tempdir().unwrap();
    let fork = write(
        &dir,
        "fork.sarif",
        &sarif("https://github.com/attacker/app", in_time(), json!([])),
    );
    let (code, v, all) = gates(&[
        "--repo",
        "o/app",
        "--sarif",
        &fork,
        "--require-gate",
        "sast",
    ]);
    assert_eq!(code, 1, "{all}");
    assert!(has(&v, "fail", "gate-repository-mismatch"), "{all}");
    assert!(has(&v, "fail", "gate-missing"), "{all}");
    assert_eq!(v["gates"][0]["bound"], false);
    // The source repository itself, however it is spelled, passes.
    let own = write(
        &dir,
        "own.sarif",
        &sarif("git+https://github.com/O/app.git", in_time(), json!([])),
    );
    for repo in ["o/app", "https://github.com/o/app", "github.com/o/app.git"] {
        let (code, v, all) = gates(&["--repo", repo, "--sarif", &own, "--require-gate", "sast"]);
        assert_eq!(code, 0, "{repo}: {all}");
        assert!(has(&v, "pass", "gate-repository-matches"), "{all}");
    }
    // A policy file's source.repository says it too.
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        "apiVersion: provenant.dev/v1\nsource:\n  repository: github.com/o/app\n",
    )
    .unwrap();
    let (code, v, all) = gates(&[
        "--policy",
        policy.to_str().unwrap(),
        "--sarif",
        &fork,
        "--require-gate",
        "sast",
    ]);
    assert_eq!(code, 1, "{all}");
    assert!(has(&v, "fail", "gate-repository-mismatch"), "{all}");
}

/// `GET /repos/{o}/{r}/actions/runs/{id}` of a pull request run from a fork.
fn fork_run(head_repo: &str) -> Value {
    json!({
        "id": 1, "name": "CI", "head_branch": "main", "head_sha": SHIPPED,
        "path": ".github/workflows/ci.yml", "run_number": 3, "run_attempt": 1, "event": "pull_request",
        "status": "completed", "conclusion": "success", "workflow_id": 7,
        "html_url": "https://github.com/o/app/actions/runs/1",
        "created_at": "2026-05-01T10:00:00Z", "run_started_at": "2026-05-01T10:00:00Z",
        "updated_at": "2026-05-01T10:30:00Z",
        "repository": {"full_name": "o/app", "html_url": "https://github.com/o/app"},
        "head_repository": {"full_name": head_repo, "html_url": format!("https://github.com/{head_repo}")}
    })
}

#[test]
fn gates_scope_a_ci_run_whose_head_repository_is_a_fork_does_not_satisfy_a_gate() {
    let dir = tempfile::tempdir().unwrap();
    let run = write(&dir, "run.json", &fork_run("attacker/app"));
    let (code, v, all) = gates(&[
        "--repo",
        "o/app",
        "--ci-run",
        &run,
        "--require-gate",
        "ci-run",
    ]);
    assert_eq!(code, 1, "{all}");
    assert!(has(&v, "fail", "gate-repository-mismatch"), "{all}");
    let run = write(&dir, "own.json", &fork_run("o/app"));
    let (code, _, all) = gates(&[
        "--repo",
        "o/app",
        "--ci-run",
        &run,
        "--require-gate",
        "ci-run",
    ]);
    assert_eq!(code, 0, "{all}");
}

#[test]
fn gates_scope_a_waiver_waives_exactly_what_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let two = write(
        &dir,
        "two.sarif",
        &sarif(
            "https://github.com/o/app",
            in_time(),
            json!([xss("src/a.js", 3, "aaaa:1"), xss("src/b.js", 9, "bbbb:1")]),
        ),
    );
    let waiver = |extra: Value| {
        let mut w = json!({"id": "js/xss", "reason": "sanitised upstream", "approver": "sec@example", "expires": "2999-01-01"});
        w.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!([w])
    };
    let run_with = |name: &str, w: Value| {
        let f = write(&dir, name, &w);
        gates(&["--sarif", &two, "--max-high", "0", "--waivers", &f])
    };
    // A waiver for one location (or one fingerprint) leaves the other instance open.
    for (name, extra) in [
        ("loc.json", json!({"location": "src/a.js:3"})),
        ("fp.json", json!({"fingerprint": "aaaa:1"})),
        (
            "fpn.json",
            json!({"fingerprint": "primaryLocationLineHash=aaaa:1"}),
        ),
    ] {
        let (code, v, all) = run_with(name, waiver(extra));
        assert_eq!(code, 1, "{name}: {all}");
        assert!(has(&v, "fail", "gate-findings-over-threshold"), "{all}");
        assert_eq!(v["gates"][0]["waived"], json!(["js/xss at src/a.js:3"]));
    }
    // A rule-wide waiver waives both, and lists both.
    let (code, v, all) = run_with("rule.json", waiver(json!({})));
    assert_eq!(code, 0, "{all}");
    assert_eq!(
        v["gates"][0]["waived"],
        json!(["js/xss at src/a.js:3", "js/xss at src/b.js:9"])
    );
    // A limit it exceeds: it waives none (the new instance does not hide behind it).
    let (code, v, all) = run_with("max.json", waiver(json!({"max": 1})));
    assert_eq!(code, 1, "{all}");
    assert!(has(&v, "fail", "gate-waiver-exceeded"), "{all}");
    assert!(has(&v, "fail", "gate-findings-over-threshold"), "{all}");
    // A waiver that matches nothing is reported.
    let f = write(
        &dir,
        "unused.json",
        &waiver(json!({"location": "src/gone.js:1"})),
    );
    let clean = write(
        &dir,
        "clean.sarif",
        &sarif("https://github.com/o/app", in_time(), json!([])),
    );
    let (code, v, all) = gates(&["--sarif", &clean, "--waivers", &f]);
    assert_eq!(code, 0, "{all}");
    assert!(has(&v, "warn", "gate-waiver-unused"), "{all}");
}

#[test]
fn gates_scope_a_date_only_build_time_is_the_start_of_that_day() {
    let dir = tempfile::tempdir().unwrap();
    // Finished the evening of the build date: not before the build.
    let evening = json!({"executionSuccessful": true, "startTimeUtc": "2026-05-01T19:00:00Z", "endTimeUtc": "2026-05-01T20:00:00Z"});
    let f = write(
        &dir,
        "evening.sarif",
        &sarif("https://github.com/o/app", evening, json!([])),
    );
    let (code, v, all) = gates(&["--sarif", &f, "--built-at", "2026-05-01"]);
    assert_eq!(code, 1, "{all}");
    assert!(has(&v, "fail", "gate-timing-inconsistent"), "{all}");
    // The day after: before the build.
    let (code, _, all) = gates(&["--sarif", &f, "--built-at", "2026-05-02"]);
    assert_eq!(code, 0, "{all}");
    // A commit date is the end of its day: a run that morning started before it may have.
    let (code, v, all) = gates(&["--sarif", &f, "--committed-at", "2026-05-01"]);
    assert_eq!(code, 1, "{all}");
    assert!(has(&v, "fail", "gate-timing-inconsistent"), "{all}");
}

#[test]
fn gates_scope_a_run_that_records_only_its_start_cannot_precede_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let started = json!({"executionSuccessful": true, "startTimeUtc": "2026-05-01T10:00:00Z"});
    let f = write(
        &dir,
        "started.sarif",
        &sarif("https://github.com/o/app", started, json!([])),
    );
    let (code, v, all) = gates(&[
        "--sarif",
        &f,
        "--built-at",
        "2026-05-02T00:00:00Z",
        "--require-gate",
        "sast",
    ]);
    assert_eq!(code, 1, "{all}");
    assert!(has(&v, "fail", "gate-timing-inconsistent"), "{all}");
    assert!(!has(&v, "pass", "gate-timing-consistent"), "{all}");
    // Two invocations, one without an end: the run's end is not the other's.
    let log = json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "CodeQL"}},
            "versionControlProvenance": [{"repositoryUri": "https://github.com/o/app", "revisionId": SHIPPED}],
            "invocations": [
                {"executionSuccessful": true, "startTimeUtc": "2026-05-01T10:00:00Z", "endTimeUtc": "2026-05-01T10:05:00Z"},
                {"executionSuccessful": true, "startTimeUtc": "2026-05-01T10:06:00Z"}
            ],
            "results": []
        }]
    });
    let f = write(&dir, "two.sarif", &log);
    let (code, v, all) = gates(&["--sarif", &f, "--built-at", "2026-05-02T00:00:00Z"]);
    assert_eq!(code, 1, "{all}");
    assert!(has(&v, "fail", "gate-timing-inconsistent"), "{all}");
}

fn pr(author: Value) -> Value {
    json!({
        "url": "https://api.github.com/repos/o/app/pulls/7", "html_url": "https://github.com/o/app/pull/7",
        "number": 7, "state": "closed", "title": "fix", "user": author,
        "head": {"sha": HEAD, "ref": "fix"},
        "base": {"ref": "main", "sha": "c0ffee0000000000000000000000000000000000"},
        "merged": true, "merged_at": "2026-05-01T09:00:00Z", "merged_by": {"login": "bob"},
        "merge_commit_sha": SHIPPED
    })
}

fn approval(user: Value) -> Value {
    json!([{
        "id": 1, "user": user, "state": "APPROVED", "commit_id": HEAD,
        "submitted_at": "2026-05-01T08:00:00Z",
        "pull_request_url": "https://api.github.com/repos/o/app/pulls/7"
    }])
}

#[test]
fn gates_scope_an_approval_by_a_bot_is_not_a_review() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "pr.json",
        &pr(json!({"login": "alice", "type": "User"})),
    );
    for (name, user) in [
        (
            "actions.json",
            json!({"login": "github-actions[bot]", "type": "Bot"}),
        ),
        // The [bot] suffix is reserved for apps: a bot even when the type is not said.
        ("suffix.json", json!({"login": "renovate[bot]"})),
        ("typed.json", json!({"login": "ci-approver", "type": "Bot"})),
        // A deleted account: nobody knows who approved.
        ("ghost.json", Value::Null),
    ] {
        let r = write(&dir, name, &approval(user));
        let (code, v, all) = gates(&["--review", &p, "--review", &r, "--require-review"]);
        assert_eq!(code, 1, "{name}: {all}");
        assert!(has(&v, "fail", "review-approvals-insufficient"), "{all}");
        assert!(has(&v, "warn", "review-bot-account"), "{all}");
    }
    let r = write(
        &dir,
        "person.json",
        &approval(json!({"login": "carol", "type": "User"})),
    );
    let (code, _, all) = gates(&["--review", &p, "--review", &r, "--require-review"]);
    assert_eq!(code, 0, "{all}");
    // A bot-opened change: warned about (its human author is not known).
    let p = write(
        &dir,
        "botpr.json",
        &pr(json!({"login": "dependabot[bot]", "type": "Bot"})),
    );
    let (code, v, all) = gates(&["--review", &p, "--review", &r, "--require-review"]);
    assert_eq!(code, 0, "{all}");
    assert!(has(&v, "warn", "review-bot-account"), "{all}");
}

#[test]
fn gates_scope_a_gitlab_bot_approval_is_not_a_review() {
    let dir = tempfile::tempdir().unwrap();
    let mr = json!({
        "iid": 5, "project_id": 1, "title": "fix", "state": "merged", "target_branch": "main",
        "author": {"username": "alice"}, "sha": HEAD, "merge_commit_sha": SHIPPED,
        "merged_at": "2026-05-01T09:00:00Z", "web_url": "https://gitlab.example/g/app/-/merge_requests/5"
    });
    let m = write(&dir, "mr.json", &mr);
    for (name, user) in [
        ("flag.json", json!({"username": "release-bot", "bot": true})),
        ("token.json", json!({"username": "project_42_bot_0a1b2c"})),
    ] {
        let a = write(
            &dir,
            name,
            &json!({"iid": 5, "approved_by": [{"user": user}]}),
        );
        let (code, v, all) = gates(&[
            "--review",
            &m,
            "--review",
            &a,
            "--require-review",
            "--accept-approvals-without-commit",
        ]);
        assert_eq!(code, 1, "{name}: {all}");
        assert!(has(&v, "fail", "review-approvals-insufficient"), "{all}");
        assert!(has(&v, "warn", "review-bot-account"), "{all}");
    }
    let a = write(
        &dir,
        "person.json",
        &json!({"iid": 5, "approved_by": [{"user": {"username": "carol", "bot": false}}]}),
    );
    let (code, _, all) = gates(&[
        "--review",
        &m,
        "--review",
        &a,
        "--require-review",
        "--accept-approvals-without-commit",
    ]);
    assert_eq!(code, 0, "{all}");
}
