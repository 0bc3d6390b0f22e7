//! `provenant gates` end to end on reports shaped as the tools write them: the gate table, and
//! each tampered case failing with its own code.

use serde_json::{json, Value};

use crate::support::{provenant, run};

const SHIPPED: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const OLDER: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f001234567";

fn write(dir: &tempfile::TempDir, name: &str, v: &Value) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p.to_string_lossy().into_owned()
}

fn sarif(commit: &str, ok: bool, end: &str, results: Value) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "CodeQL", "semanticVersion": "2.17.0",
                "rules": [{"id": "js/xss", "properties": {"security-severity": "7.5"}},
                          {"id": "js/unused", "defaultConfiguration": {"level": "note"}}]}},
            "versionControlProvenance": [{"repositoryUri": "https://github.com/o/app", "revisionId": commit, "branch": "main"}],
            "invocations": [{"executionSuccessful": ok, "startTimeUtc": "2026-05-01T10:00:00Z", "endTimeUtc": end}],
            "results": results
        }]
    })
}

fn xss() -> Value {
    json!([{"ruleId": "js/xss", "ruleIndex": 0, "level": "error", "message": {"text": "XSS"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/a.js"}, "region": {"startLine": 3}}}]}])
}

fn gates(args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["gates", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(provenant().args(&all));
    let v = serde_json::from_str(&out).unwrap_or(Value::Null);
    (code, v, format!("{out}{err}"))
}

fn failed(v: &Value) -> Vec<String> {
    v["checks"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|c| c["outcome"] == "fail")
                .map(|c| c["code"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_sast_gate_on_the_shipped_commit_passes_and_is_tabled() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        &dir,
        "codeql.sarif",
        &sarif(SHIPPED, true, "2026-05-01T11:00:00Z", xss()),
    );
    let (code, v, all) = gates(&[
        "--commit",
        SHIPPED,
        "--sarif",
        &f,
        "--require-gate",
        "sast:CodeQL",
        "--max-critical",
        "0",
        "--built-at",
        "2026-05-02T00:00:00Z",
    ]);
    assert_eq!(code, 0, "{all}");
    let row = &v["gates"][0];
    assert_eq!(row["gate"], "sast");
    assert_eq!(row["tool"], "CodeQL");
    assert_eq!(row["bound"], true);
    assert_eq!(row["findings"]["high"], 1);
    crate::schema::assert_report_valid(&serde_json::to_string(&v).unwrap());
    // The text output shows the table.
    let (_, out, _) = run(provenant().args([
        "gates",
        "--commit",
        SHIPPED,
        "--sarif",
        &f,
        "--require-gate",
        "sast",
    ]));
    assert!(
        out.contains("gates") && out.contains("CodeQL") && out.contains("2.17.0"),
        "{out}"
    );
}

#[test]
fn gates_on_another_commit_fail_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        &dir,
        "old.sarif",
        &sarif(OLDER, true, "2026-05-01T11:00:00Z", json!([])),
    );
    let (code, v, all) = gates(&["--commit", SHIPPED, "--sarif", &f, "--require-gate", "sast"]);
    assert_eq!(code, 1, "{all}");
    let f = failed(&v);
    assert!(
        f.contains(&"gate-binding-mismatch".to_string()) && f.contains(&"gate-missing".to_string()),
        "{f:?}"
    );
    assert!(all.contains(OLDER) && all.contains(SHIPPED));
}

#[test]
fn tampered_gates_fail_with_their_own_code() {
    let dir = tempfile::tempdir().unwrap();
    // A gate that failed.
    let f = write(
        &dir,
        "failed.sarif",
        &sarif(SHIPPED, false, "2026-05-01T11:00:00Z", json!([])),
    );
    let (code, v, _) = gates(&["--commit", SHIPPED, "--sarif", &f]);
    assert_eq!(code, 1);
    assert!(failed(&v).contains(&"gate-run-failed".to_string()));
    // A scan that finished after the release.
    let f = write(
        &dir,
        "late.sarif",
        &sarif(SHIPPED, true, "2026-05-03T00:00:00Z", json!([])),
    );
    let (code, v, _) = gates(&[
        "--commit",
        SHIPPED,
        "--sarif",
        &f,
        "--built-at",
        "2026-05-02T00:00:00Z",
    ]);
    assert_eq!(code, 1);
    assert!(failed(&v).contains(&"gate-timing-inconsistent".to_string()));
    // Findings over a threshold; an expired waiver waives nothing; a valid one does.
    let f = write(
        &dir,
        "xss.sarif",
        &sarif(SHIPPED, true, "2026-05-01T11:00:00Z", xss()),
    );
    let (code, v, _) = gates(&["--commit", SHIPPED, "--sarif", &f, "--max-high", "0"]);
    assert_eq!(code, 1);
    assert!(failed(&v).contains(&"gate-findings-over-threshold".to_string()));
    let expired = write(
        &dir,
        "w1.json",
        &json!([{"id": "js/xss", "reason": "sanitised upstream", "approver": "sec@example", "expires": "2020-01-01"}]),
    );
    let (code, v, _) = gates(&[
        "--commit",
        SHIPPED,
        "--sarif",
        &f,
        "--max-high",
        "0",
        "--waivers",
        &expired,
    ]);
    assert_eq!(code, 1);
    assert!(failed(&v).contains(&"gate-waiver-invalid".to_string()));
    let valid = write(
        &dir,
        "w2.json",
        &json!({"waivers": [{"id": "js/xss", "reason": "sanitised upstream", "approver": "sec@example", "expires": "2999-01-01"}]}),
    );
    let (code, v, all) = gates(&[
        "--commit",
        SHIPPED,
        "--sarif",
        &f,
        "--max-high",
        "0",
        "--waivers",
        &valid,
    ]);
    assert_eq!(code, 0, "{all}");
    // Each waived instance is listed, with where it is.
    assert_eq!(v["gates"][0]["waived"][0], "js/xss at src/a.js:3");
}

#[test]
fn an_unbound_dast_report_fails_a_required_dast_gate() {
    let dir = tempfile::tempdir().unwrap();
    let zap = json!({
        "@programName": "ZAP", "@version": "2.14.0", "@generated": "Tue, 6 Jun 2023 12:00:00",
        "site": [{"@name": "https://staging.example.test", "@host": "staging.example.test", "@port": "443", "@ssl": "true",
                  "alerts": [{"pluginid": "10038", "alertRef": "10038", "alert": "CSP Header Not Set", "name": "CSP Header Not Set",
                              "riskcode": "2", "confidence": "3", "riskdesc": "Medium (High)", "count": "1",
                              "instances": [{"uri": "https://staging.example.test/", "method": "GET"}]}]}]
    });
    let f = write(&dir, "zap.json", &zap);
    let (code, v, all) = gates(&[
        "--commit",
        SHIPPED,
        "--dast",
        &f,
        "--require-gate",
        "dast:ZAP",
    ]);
    assert_eq!(code, 1, "{all}");
    let f = failed(&v);
    assert!(
        f.contains(&"gate-unbound".to_string()) && f.contains(&"gate-missing".to_string()),
        "{f:?}"
    );
    assert_eq!(v["gates"][0]["bound"], false);
}

#[test]
fn a_ci_run_binds_by_head_sha_and_its_conclusion_counts() {
    let dir = tempfile::tempdir().unwrap();
    let runjson = |sha: &str, conclusion: &str| {
        json!({
            "id": 9000001, "name": "release", "node_id": "WFR_x", "head_branch": "main", "head_sha": sha,
            "path": ".github/workflows/release.yml", "run_number": 42, "event": "push", "status": "completed",
            "conclusion": conclusion, "workflow_id": 77, "url": "https://api.github.com/repos/o/app/actions/runs/9000001",
            "html_url": "https://github.com/o/app/actions/runs/9000001", "created_at": "2026-05-01T09:59:00Z",
            "updated_at": "2026-05-01T10:30:00Z", "run_attempt": 1, "run_started_at": "2026-05-01T10:00:00Z",
            "repository": {"full_name": "o/app"}
        })
    };
    let ok = write(&dir, "run.json", &runjson(SHIPPED, "success"));
    let (code, v, all) = gates(&[
        "--commit",
        SHIPPED,
        "--ci-run",
        &ok,
        "--require-gate",
        "ci-run:release.yml",
    ]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(v["gates"][0]["trust"], "ci-api");
    let bad = write(&dir, "run2.json", &runjson(SHIPPED, "failure"));
    let (code, v, _) = gates(&[
        "--commit",
        SHIPPED,
        "--ci-run",
        &bad,
        "--require-gate",
        "ci-run",
    ]);
    assert_eq!(code, 1);
    assert!(failed(&v).contains(&"gate-run-failed".to_string()));
    // A report given under the wrong flag is a usage error.
    let (code, _, _) = gates(&["--commit", SHIPPED, "--sarif", &ok]);
    assert_eq!(code, 2);
}

#[test]
fn usage_errors() {
    let (code, _, _) = gates(&["--sarif", "x"]);
    assert_eq!(code, 2, "no commit or artifact");
    let (code, _, _) = gates(&["--commit", "abc", "--require-gate", "sast"]);
    assert_eq!(code, 2, "short commit");
    let (code, _, _) = gates(&["--commit", SHIPPED, "--require-gate", "pentest"]);
    assert_eq!(code, 2, "unknown gate kind");
}

/// Change review through the CLI: a merged pull request approved on its final head by another
/// reviewer passes; a self-approved one and one for another commit fail.
#[test]
fn change_review_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let pr = |merge: &str| {
        json!({
            "url": "https://api.github.com/repos/o/app/pulls/7", "html_url": "https://github.com/o/app/pull/7",
            "number": 7, "state": "closed", "title": "fix", "user": {"login": "alice"},
            "head": {"sha": "c0ffee0000000000000000000000000000000001", "ref": "fix"},
            "base": {"ref": "main", "sha": "c0ffee0000000000000000000000000000000000"},
            "merged": true, "merged_at": "2026-05-01T09:00:00Z", "merged_by": {"login": "bob"},
            "merge_commit_sha": merge
        })
    };
    let review = |who: &str| {
        json!([{
            "id": 1, "user": {"login": who}, "state": "APPROVED",
            "commit_id": "c0ffee0000000000000000000000000000000001", "submitted_at": "2026-05-01T08:00:00Z",
            "pull_request_url": "https://api.github.com/repos/o/app/pulls/7"
        }])
    };
    let p = write(&dir, "pr.json", &pr(SHIPPED));
    let ok = write(&dir, "reviews.json", &review("carol"));
    let (code, v, all) = gates(&[
        "--commit",
        SHIPPED,
        "--review",
        &p,
        "--review",
        &ok,
        "--require-review",
    ]);
    assert_eq!(code, 0, "{all}");
    assert!(failed(&v).is_empty());
    let selfie = write(&dir, "self.json", &review("alice"));
    let (code, v, _) = gates(&["--commit", SHIPPED, "--review", &p, "--review", &selfie]);
    assert_eq!(code, 1);
    assert!(
        failed(&v).iter().any(|c| c.starts_with("review-")),
        "{:?}",
        failed(&v)
    );
    let other = write(&dir, "pr2.json", &pr(OLDER));
    let (code, v, _) = gates(&["--commit", SHIPPED, "--review", &other, "--review", &ok]);
    assert_eq!(code, 1);
    assert!(
        failed(&v).contains(&"review-commit-mismatch".to_string()),
        "{:?}",
        failed(&v)
    );
    // Review required but none given.
    let (code, v, _) = gates(&["--commit", SHIPPED, "--require-review"]);
    assert_eq!(code, 1);
    assert!(failed(&v).contains(&"review-missing".to_string()));
}
