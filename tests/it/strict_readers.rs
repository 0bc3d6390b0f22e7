//! Issue 13, classes 1 and 12: every untrusted JSON and YAML document is read strictly, through
//! one entry point each, and SARIF logs are validated against the OASIS SARIF 2.1.0 schema.
//!
//! The attack documents repeat a key the verdict depends on, the damaging value first and a
//! harmless one last: serde_json keeps the last, so the old readers passed them.

use serde_json::{json, Map, Value};

use provenant_formats::gate::{parse_gate, GateError};

use crate::support::{provenant, run};

const SHIPPED: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

/// `doc` as JSON text with `key` written twice: `first`, then `doc[key]` (the harmless value).
fn with_duplicate(doc: &Value, key: &str, first: &Value) -> Vec<u8> {
    let mut rest: Map<String, Value> = doc.as_object().unwrap().clone();
    let last = rest.remove(key).unwrap();
    let mut text = serde_json::to_string(&Value::Object(rest)).unwrap();
    text.pop(); // the closing brace
    if !text.ends_with('{') {
        text.push(',');
    }
    text.push_str(&format!(
        "{}:{},{}:{}}}",
        json!(key),
        first,
        json!(key),
        last
    ));
    text.into_bytes()
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

/// `provenant gates --format json ARGS`: (exit code, failed check codes, all output).
fn gates(args: &[&str]) -> (i32, Vec<String>, String) {
    let mut all = vec!["gates", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(provenant().args(&all));
    let v: Value = serde_json::from_str(&out).unwrap_or(Value::Null);
    let failed = v["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["outcome"] == "fail")
        .filter_map(|c| c["code"].as_str().map(str::to_owned))
        .collect();
    (code, failed, format!("{out}{err}"))
}

fn sarif_log(results: &Value) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "CodeQL", "rules": [
                {"id": "js/rce", "properties": {"security-severity": "9.8"}}]}},
            "versionControlProvenance": [
                {"repositoryUri": "https://github.com/o/app", "revisionId": SHIPPED}],
            "invocations": [{"executionSuccessful": true,
                             "startTimeUtc": "2026-05-01T10:00:00Z",
                             "endTimeUtc": "2026-05-01T11:00:00Z"}],
            "results": results
        }]
    })
}

fn critical() -> Value {
    json!([{"ruleId": "js/rce", "ruleIndex": 0, "level": "error", "message": {"text": "RCE"}}])
}

/// The run object of a log, as JSON text with `results` twice (critical first, `[]` last).
fn sarif_with_results_twice() -> Vec<u8> {
    let log = sarif_log(&json!([]));
    let run = with_duplicate(&log["runs"][0], "results", &critical());
    let run = String::from_utf8(run).unwrap();
    format!(
        r#"{{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{run}]}}"#
    )
    .into_bytes()
}

/// A SARIF log with `results` twice in its run, the critical finding first and `[]` last, passed
/// `--max-critical 0`. Now it is unreadable evidence, and the required gate is missing.
#[test]
fn sarif_with_results_twice_does_not_pass() {
    let dir = tempfile::tempdir().unwrap();
    let honest = write(
        &dir,
        "honest.sarif",
        &serde_json::to_vec(&sarif_log(&critical())).unwrap(),
    );
    let (code, failed, all) = gates(&[
        "--commit",
        SHIPPED,
        "--sarif",
        &honest,
        "--max-critical",
        "0",
    ]);
    assert_eq!(code, 1, "{all}");
    assert!(
        failed.contains(&"gate-findings-over-threshold".to_owned()),
        "{all}"
    );

    let twice = write(&dir, "twice.sarif", &sarif_with_results_twice());
    for extra in [&[][..], &["--require-gate", "sast"][..]] {
        let mut args = vec![
            "--commit",
            SHIPPED,
            "--sarif",
            &twice,
            "--max-critical",
            "0",
        ];
        args.extend_from_slice(extra);
        let (code, failed, all) = gates(&args);
        assert_eq!(code, 1, "{all}");
        assert!(
            failed.contains(&"gate-report-unreadable".to_owned()),
            "{all}"
        );
    }
    // `inspect` says it is malformed (exit 1), as for any invalid report.
    let (code, out, _) = run(provenant().args(["inspect", "--format", "json", &twice]));
    assert_eq!(code, 1, "{out}");
}

/// Each scanner format, CI run and ZAP report: the same document reads, and with its verdict
/// key written twice it is refused as unreadable.
#[test]
fn every_gate_format_refuses_duplicate_keys() {
    let gh_run = json!({
        "id": 30433642, "name": "Build", "head_branch": "main", "head_sha": SHIPPED,
        "path": ".github/workflows/build.yml", "run_number": 562, "event": "push",
        "status": "completed", "conclusion": "success", "workflow_id": 159038,
        "url": "https://api.github.com/repos/o/app/actions/runs/30433642",
        "html_url": "https://github.com/o/app/actions/runs/30433642",
        "created_at": "2026-01-22T19:33:08Z", "run_started_at": "2026-01-22T19:33:10Z",
        "updated_at": "2026-01-22T19:41:30Z", "run_attempt": 1,
        "repository": {"full_name": "o/app", "html_url": "https://github.com/o/app"},
        "head_repository": {"full_name": "o/app", "html_url": "https://github.com/o/app"}
    });
    let cases: Vec<(&str, &str, Value, &str, Value)> = vec![
        (
            "grype",
            "--sca",
            json!({"descriptor": {"name": "grype", "version": "0.74.0"}, "matches": []}),
            "matches",
            json!([{"vulnerability": {"id": "CVE-2024-1", "severity": "Critical"},
                    "artifact": {"name": "openssl", "version": "1.0"}}]),
        ),
        (
            "trivy",
            "--sca",
            json!({"SchemaVersion": 2, "ArtifactName": "app", "Results": []}),
            "Results",
            json!([{"Target": "app", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2024-1", "Severity": "CRITICAL"}]}]),
        ),
        (
            "osv-scanner",
            "--sca",
            json!({"results": []}),
            "results",
            json!([{"source": {"path": "go.mod"}, "packages": []}]),
        ),
        (
            "cargo-audit",
            "--sca",
            json!({"database": {}, "lockfile": {"dependency-count": 1},
                   "vulnerabilities": {"found": false, "count": 0, "list": []}}),
            "vulnerabilities",
            json!({"found": true, "count": 1, "list": []}),
        ),
        (
            "npm-audit",
            "--sca",
            json!({"auditReportVersion": 2, "vulnerabilities": {},
                   "metadata": {"vulnerabilities": {"info": 0, "low": 0, "moderate": 0,
                                                    "high": 0, "critical": 0, "total": 0}}}),
            "metadata",
            json!({"vulnerabilities": {"critical": 1, "total": 1}}),
        ),
        (
            "dependency-check",
            "--sca",
            json!({"reportSchema": "1.1", "scanInfo": {"engineVersion": "9.0.0"},
                   "dependencies": []}),
            "dependencies",
            json!([{"fileName": "a.jar", "vulnerabilities": [{"name": "CVE-2024-1",
                                                              "severity": "CRITICAL"}]}]),
        ),
        (
            "zap",
            "--dast",
            json!({"@programName": "ZAP", "@version": "2.14.0", "site": []}),
            "site",
            json!([{"@name": "https://shop.example.com", "alerts": [
                {"pluginid": "1", "alert": "SQLi", "riskcode": "3", "instances": []}]}]),
        ),
        (
            "github-actions-run",
            "--ci-run",
            gh_run,
            "conclusion",
            json!("failure"),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (format, flag, doc, key, first) in cases {
        let plain = serde_json::to_vec(&doc).unwrap();
        let read = parse_gate(&plain).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(read[0].format, format, "{format}");
        let twice = with_duplicate(&doc, key, &first);
        assert!(
            matches!(parse_gate(&twice), Err(GateError::Syntax { .. })),
            "{format}"
        );
        let f = write(&dir, &format!("{format}.json"), &twice);
        let (code, failed, all) = gates(&["--commit", SHIPPED, flag, &f]);
        assert_eq!(code, 1, "{format}: {all}");
        assert!(
            failed.contains(&"gate-report-unreadable".to_owned()),
            "{format}: {all}"
        );
    }
}

/// Review files and waivers with a repeated key are unreadable input (exit 2), never read with
/// the last value.
#[test]
fn review_and_waiver_files_refuse_duplicate_keys() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = write(
        &dir,
        "ok.sarif",
        &serde_json::to_vec(&sarif_log(&json!([]))).unwrap(),
    );
    let review = with_duplicate(
        &json!({"number": 7, "state": "closed", "merged": true, "merge_commit_sha": SHIPPED}),
        "merged",
        &json!(false),
    );
    let review = write(&dir, "pr.json", &review);
    let (code, _, all) = gates(&["--commit", SHIPPED, "--sarif", &sarif, "--review", &review]);
    assert_eq!(code, 2, "{all}");
    assert!(all.contains("duplicate JSON key"), "{all}");

    let waiver = json!({"id": "CVE-2024-1", "reason": "not reachable", "approver": "sec",
                        "expires": "2099-01-01"});
    let waivers = with_duplicate(&json!({"waivers": [waiver]}), "waivers", &json!([]));
    let waivers = write(&dir, "waivers.json", &waivers);
    let (code, _, all) = gates(&[
        "--commit",
        SHIPPED,
        "--sarif",
        &sarif,
        "--waivers",
        &waivers,
    ]);
    assert_eq!(code, 2, "{all}");
    assert!(all.contains("duplicate JSON key"), "{all}");
    let inner = br#"[{"id": "CVE-2024-1", "id": "CVE-2024-2", "reason": "r", "approver": "a", "expires": "2099-01-01"}]"#;
    let inner = write(&dir, "waivers2.json", inner);
    let (code, _, all) = gates(&["--commit", SHIPPED, "--sarif", &sarif, "--waivers", &inner]);
    assert_eq!(code, 2, "{all}");
}

/// A SARIF log that does not conform to the SARIF 2.1.0 schema is invalid: `inspect` exits 1
/// naming where and which schema rule, `gates` reports unreadable evidence.
#[test]
fn sarif_that_breaks_the_schema_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "stack-without-frames",
            json!([{"ruleId": "js/rce", "message": {"text": "m"},
                    "stacks": [{"message": {"text": "no frames"}}]}]),
            "/runs/0/results/0/stacks/0",
        ),
        (
            "result-without-message",
            json!([{"ruleId": "js/rce", "ruleIndex": 0, "level": "error"}]),
            "/runs/0/results/0",
        ),
        (
            "unknown-property",
            json!([{"ruleId": "js/rce", "message": {"text": "m"}, "severity": "low"}]),
            "/runs/0/results/0",
        ),
    ];
    for (name, results, at) in cases {
        let f = write(
            &dir,
            &format!("{name}.sarif"),
            &serde_json::to_vec(&sarif_log(&results)).unwrap(),
        );
        let (code, out, err) = run(provenant().args(["inspect", "--format", "json", &f]));
        assert_eq!(code, 1, "{name}: {out}{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["kind"], "gate-sarif", "{name}");
        let problem = v["problem"].as_str().unwrap_or_default();
        assert!(problem.contains(at), "{name}: {problem}");
        assert!(problem.contains("SARIF 2.1.0 schema"), "{name}: {problem}");
        assert!(problem.contains("(schema /"), "{name}: {problem}");
        let (code, failed, all) = gates(&["--commit", SHIPPED, "--sarif", &f]);
        assert_eq!(code, 1, "{name}: {all}");
        assert!(
            failed.contains(&"gate-report-unreadable".to_owned()),
            "{name}: {all}"
        );
    }
}

/// Policy files: duplicate keys, anchors and aliases, tags and deep nesting are refused with the
/// line: `policy lint` finds an error (exit 1), a command given the policy cannot use it (exit 2).
/// The deep one (150,000 levels in 300 KB) is refused by the linear pre-scan, before the line
/// index or libyaml sees it (it took 20 minutes in the line index).
#[test]
fn policy_yaml_is_read_strictly() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = write(
        &dir,
        "ok.sarif",
        &serde_json::to_vec(&sarif_log(&json!([]))).unwrap(),
    );
    let deep = format!("version: 1\nsigners:\n{}x\n", "- ".repeat(150_000));
    let cases: [(&str, String, usize); 5] = [
        (
            "duplicate",
            "version: 1\ngates:\n  maxCritical: 5\n  maxCritical: 0\n".into(),
            4,
        ),
        (
            "anchor",
            "version: 1\nsigners: &s\n  - identity: a\n".into(),
            2,
        ),
        ("alias", "version: 1\nx: [a]\nsigners: *s\n".into(), 3),
        ("tag", "version: 1\nsigners: !!seq []\n".into(), 2),
        ("deep", deep, 3),
    ];
    for (name, text, line) in cases {
        let f = write(&dir, &format!("{name}.yaml"), text.as_bytes());
        let (code, out, err) = run(provenant().args(["policy", "lint", &f]));
        let names_line =
            |all: &str| all.contains(&format!(":{line}:")) || all.contains(&format!("line {line}"));
        let all = format!("{out}{err}");
        assert_eq!(code, 1, "{name}: {all}");
        assert!(names_line(&all), "{name}: {all}");
        let (code, _, all) = gates(&["--commit", SHIPPED, "--sarif", &sarif, "--policy", &f]);
        assert_eq!(code, 2, "{name}: {all}");
        assert!(names_line(&all), "{name}: {all}");
    }
}

/// SPDX YAML: a duplicate key, an anchor and deep nesting are refused (exit 2).
#[test]
fn spdx_yaml_is_read_strictly() {
    let dir = tempfile::tempdir().unwrap();
    let head = "spdxVersion: SPDX-2.3\ndataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nname: x\n";
    // Unreadable (exit 2); too deep is over a limit, `sbom-invalid` (exit 1), as for JSON.
    for (name, text, want) in [
        ("duplicate", format!("{head}name: y\n"), 2),
        ("anchor", format!("{head}packages: &p []\n"), 2),
        ("alias", format!("{head}packages: *p\n"), 2),
        ("tag", format!("{head}packages: !!seq []\n"), 2),
        (
            "deep",
            format!("{head}packages:\n{}\n", "[".repeat(150_000)),
            1,
        ),
    ] {
        let f = write(&dir, &format!("{name}.spdx.yaml"), text.as_bytes());
        let (code, out, err) = run(provenant().args(["sbom", "check", &f]));
        assert_eq!(code, want, "{name}: {out}{err}");
    }
}

/// The README's Limits section is one table naming every limit: each constant of `limits.rs`,
/// the limits of the other crates it names, and nothing that does not exist. No parser module
/// keeps a public limit of its own outside `limits.rs`.
#[test]
fn readme_limits_table_lists_every_limit() {
    let root = crate::support::root();
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let readme = read("README.md");
    let section = readme
        .split("### Limits\n")
        .nth(1)
        .expect("a Limits section");
    let section = section.split("\n## ").next().unwrap();
    assert_eq!(
        section.lines().filter(|l| l.starts_with("|---")).count(),
        1,
        "the Limits section is one table"
    );
    let rows: Vec<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next().map(str::to_owned))
        .collect();
    let consts = |text: &str, all: bool| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix("pub const "))
            .filter_map(|l| l.split(':').next())
            .filter(|n| all || n.starts_with("MAX_") || n.ends_with("_LIMIT"))
            .map(str::to_owned)
            .collect()
    };
    let mut defined = consts(&read("crates/provenant-formats/src/limits.rs"), true);
    for f in [
        "crates/provenant-collect/src/discover.rs",
        "crates/provenant-collect/src/registry.rs",
        "crates/provenant-collect/src/auth.rs",
        "crates/provenant-collect/src/oci_layout.rs",
        "crates/provenant-policy/src/rego.rs",
        "crates/provenant-collect/src/git.rs",
    ] {
        defined.extend(consts(&read(f), false));
    }
    for name in &defined {
        assert!(rows.contains(name), "README Limits table misses {name}");
    }
    for row in &rows {
        assert!(
            defined.contains(row),
            "README Limits table names {row}, defined nowhere"
        );
    }
    // Parser limits live in limits.rs (modules re-export them with `pub use`).
    let mut stack = vec![root.join("crates/provenant-formats/src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "limits.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let own: Vec<String> = consts(&text, false)
                    .into_iter()
                    .filter(|n| !["MAX_VIOLATIONS", "MAX_DEVIATIONS"].contains(&n.as_str()))
                    .collect();
                assert!(
                    own.is_empty(),
                    "{}: {own:?} belong in limits.rs",
                    path.display()
                );
            }
        }
    }
}

/// CycloneDX JSON is streamed, and the streamed values used to be read with serde_json's own
/// `Value` (the last of duplicate keys wins): a component with `version` twice, or a duplicate
/// inside `metadata`, is now refused like a duplicate at the top level.
#[test]
fn cyclonedx_json_refuses_nested_duplicate_keys() {
    let dir = tempfile::tempdir().unwrap();
    let head = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"#;
    for (name, body, want) in [
        (
            "plain",
            r#""components":[{"type":"library","name":"openssl","version":"3.0.0"}]}"#,
            0,
        ),
        (
            "component",
            r#""components":[{"type":"library","name":"openssl","version":"1.0.1","version":"3.0.0"}]}"#,
            2,
        ),
        (
            "metadata",
            r#""metadata":{"component":{"type":"application","name":"a","name":"b"}},"components":[]}"#,
            2,
        ),
    ] {
        let f = write(
            &dir,
            &format!("{name}.cdx.json"),
            format!("{head}{body}").as_bytes(),
        );
        let (code, out, err) = run(provenant().args(["sbom", "check", &f]));
        assert_eq!(code, want, "{name}: {out}{err}");
    }
}

/// A FIFO nobody writes to, given where a file is read (the artifact, evidence, a policy, an
/// SBOM, a gate report, `inspect`), is refused at once with exit 2: opening it would block
/// forever. Each run is bounded here so a regression fails instead of hanging the suite.
#[test]
fn a_fifo_in_place_of_a_file_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping: mkfifo is not available");
        return;
    }
    let fifo = fifo.to_string_lossy().into_owned();
    let root = crate::support::root();
    let artifact = root.join("testdata/release/hello-provenant.txt");
    let bundle = root.join("testdata/release/hello-provenant.txt.sigstore.json");
    let (artifact, bundle) = (
        artifact.to_string_lossy().into_owned(),
        bundle.to_string_lossy().into_owned(),
    );
    let id = [
        "--certificate-identity",
        "x",
        "--certificate-oidc-issuer",
        "https://x",
    ];
    let cases: Vec<Vec<&str>> = vec![
        vec!["verify", "artifact", &fifo, "--bundle", &bundle],
        vec!["verify", "artifact", &artifact, "--bundle", &fifo],
        vec![
            "verify", "artifact", &artifact, "--bundle", &bundle, "--policy", &fifo,
        ],
        vec![
            "verify", "artifact", &artifact, "--bundle", &bundle, "--sbom", &fifo,
        ],
        vec![
            "verify", "artifact", &artifact, "--bundle", &bundle, "--sarif", &fifo,
        ],
        vec!["inspect", &fifo],
    ];
    for args in cases {
        let mut cmd = provenant();
        cmd.args(&args);
        if args[0] == "verify" {
            cmd.args(id);
        }
        let mut child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break Some(s);
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                break None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let status = status.unwrap_or_else(|| panic!("{args:?} blocked on the FIFO"));
        assert_eq!(status.code(), Some(2), "{args:?}");
    }
}
