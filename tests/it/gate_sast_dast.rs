//! SAST and DAST gate reports: the corpus (SARIF logs, ZAP reports) replayed through
//! `provenant inspect`, real bandit and semgrep output, and the edge cases the gate checks rely
//! on (what was scanned, whether the run succeeded, suppressions, severities).
//!
//! Real tools, pinned in `.ci/run` (a venv at `$HOME/.cache/provenant/gate-tools`, put on PATH):
//! bandit 1.9.4 (`bandit[sarif]`, its SARIF formatter needs sarif-om and jschema-to-python) and
//! semgrep 1.185.0, run offline (`--metrics=off`, a rules file written here, never
//! `--config auto`). Missing or another version: skipped with a message, a failure under CI=true.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use provenant_formats::gate::{parse_gate, GateError, GateKind, GateReport, Scanned, Severity};

use crate::support::{corpus, provenant, run};

const CATEGORIES: &[&str] = &["sarif", "dast-zap"];

/// Corpus cases provenant does not agree with yet, and why. Each fails closed.
const XFAIL: &[(&str, &str)] = &[(
    "sarif-sdk/validate/SARIF1007.RegionPropertiesMustBeConsistent_Invalid.sarif",
    "the corpus marks it valid (it parses; it is the SARIF SDK's negative example of a semantic \
     rule), but /runs/0/results/1/relatedLocations/1/physicalLocation/region \
     {endLine, charLength} has none of startLine, charOffset, byteOffset, which the OASIS \
     SARIF 2.1.0 schema's region anyOf requires: provenant refuses non-conforming logs",
)];

const BANDIT_VERSION: &str = "1.9.4";
const SEMGREP_VERSION: &str = "1.185.0";

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

/// `inspect --format json FILE` in `dir`: (exit code, kind).
fn inspect(dir: &Path, file: &str) -> (i32, String) {
    let (rc, out, err) = run(provenant()
        .current_dir(dir)
        .args(["inspect", "--format", "json", file]));
    assert!((0..=3).contains(&rc), "{file}: exit {rc} (crash?)\n{err}");
    assert!(!err.contains("panicked"), "{file}: panic\n{err}");
    let v: Value = serde_json::from_str(&out).unwrap_or(Value::Null);
    (rc, s(&v, "kind").unwrap_or_default().to_owned())
}

/// Every `sarif` and `dast-zap` case through the CLI, as the outside checks replay them:
/// exit 0 for a valid file, 1 or 2 for an invalid one. A valid case must also be recognised as
/// what it is (a gate report, or a SARIF piece), not as some other format.
#[test]
fn gate_corpus() {
    let Some(dir) = corpus() else { return };
    let cases: Value =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let mut problems = Vec::new();
    for cat in CATEGORIES {
        let (mut passed, mut failed) = (0, 0);
        for c in cases["cases"].as_array().unwrap() {
            if s(c, "category") != Some(cat) {
                continue;
            }
            let id = s(c, "id").unwrap();
            let file = c.pointer("/inputs/file").and_then(Value::as_str).unwrap();
            let want_ok = c.pointer("/expected/outcome").and_then(Value::as_str) == Some("valid");
            let (rc, kind) = inspect(&dir, file);
            let recognised = if *cat == "dast-zap" {
                kind == "gate-zap"
            } else {
                kind.starts_with("gate-") || kind.starts_with("sarif-")
            };
            let agree = if want_ok {
                rc == 0 && recognised
            } else {
                rc == 1 || rc == 2
            };
            if !agree {
                eprintln!("disagree {id}: expected valid={want_ok}, exit {rc}, kind {kind}");
            }
            if !want_ok && rc == 0 {
                problems.push(format!("FALSE PASS {id}"));
            }
            match (agree, XFAIL.iter().find(|(x, _)| *x == id)) {
                (true, Some(_)) => {
                    problems.push(format!("{id} is on XFAIL but now agrees: remove it"));
                }
                (false, None) => problems.push(format!("{id}: exit {rc}, kind {kind}")),
                _ => {}
            }
            if agree {
                passed += 1;
            } else {
                failed += 1;
            }
        }
        println!("{cat}: {passed} passed, {failed} failed");
        eprintln!("{cat}: {passed} passed, {failed} failed");
        assert!(passed + failed > 0, "no corpus case of category {cat}");
    }
    for (id, why) in XFAIL {
        eprintln!("xfail {id}: {why}");
    }
    assert!(problems.is_empty(), "corpus:\n{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Real tools

/// `name` on PATH at the pinned version, or `None` (with a message; a failure under CI=true).
fn pinned_tool(name: &str, version: &str) -> Option<PathBuf> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    let Some(path) = found else {
        assert!(
            !ci,
            "CI=true but {name} is not on PATH (.ci/run installs it)"
        );
        eprintln!("skipping: {name} not on PATH (.ci/run installs {name} {version})");
        return None;
    };
    let out = Command::new(&path)
        .arg("--version")
        .env("SEMGREP_ENABLE_VERSION_CHECK", "0")
        .output()
        .expect("run --version");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    if !said.split_whitespace().any(|w| w == version) {
        assert!(!ci, "CI=true but {name} is not {version}: {said}");
        eprintln!(
            "skipping: {} is not {name} {version}: {said}",
            path.display()
        );
        return None;
    }
    Some(path)
}

/// A git repository with one commit of a Python file with obvious issues: `shell=True` (line 5)
/// and `eval` (line 9). Returns (the temp dir, the repository, the commit).
fn python_repo() -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    std::fs::write(
        repo.join("app.py"),
        "import subprocess\n\n\ndef run(x):\n    subprocess.call(x, shell=True)\n\n\n\
         def calc(expr):\n    return eval(expr)\n",
    )
    .unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(&repo)
            .args([
                "-c",
                "user.name=provenant test",
                "-c",
                "user.email=test@provenant.invalid",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .expect("git");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    git(&["init", "-q"]);
    git(&["add", "app.py"]);
    git(&["commit", "-q", "-m", "app"]);
    let commit = git(&["rev-parse", "HEAD"]);
    assert_eq!(commit.len(), 40);
    (tmp, repo, commit)
}

fn only_report(bytes: &[u8]) -> GateReport {
    let mut reports = parse_gate(bytes).expect("a gate report");
    assert_eq!(reports.len(), 1, "one run");
    reports.remove(0)
}

/// (rule id, severity, location) of each finding, sorted.
fn summary(r: &GateReport) -> Vec<(String, Severity, String)> {
    let mut v: Vec<_> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.id.clone(),
                f.severity,
                f.location.clone().unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

/// bandit 1.9.4 writes `level` from its own severity (HIGH error, MEDIUM none given so the
/// SARIF default warning, LOW note), `endTimeUtc` and `executionSuccessful`, and no
/// versionControlProvenance: its SARIF binds to no commit.
#[test]
fn bandit_sarif() {
    let Some(bandit) = pinned_tool("bandit", BANDIT_VERSION) else {
        return;
    };
    let (_tmp, repo, _commit) = python_repo();
    let out = Command::new(bandit)
        .current_dir(&repo)
        .args(["-q", "-f", "sarif", "-o", "../bandit.sarif", "app.py"])
        .output()
        .unwrap();
    // bandit exits 1 when it finds issues.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let file = repo.join("../bandit.sarif");
    let r = only_report(&std::fs::read(&file).unwrap());
    assert_eq!(r.kind, GateKind::Sast);
    assert_eq!(r.format, "sarif");
    assert_eq!(r.tool, "Bandit");
    assert_eq!(r.tool_version.as_deref(), Some(BANDIT_VERSION));
    assert_eq!(r.succeeded, Some(true));
    assert!(r.finished.is_some());
    assert!(
        r.scanned.is_empty(),
        "bandit records no commit: {:?}",
        r.scanned
    );
    assert_eq!(
        summary(&r),
        [
            ("B307".into(), Severity::Medium, "app.py:9".into()),
            ("B404".into(), Severity::Info, "app.py:1".into()),
            ("B602".into(), Severity::High, "app.py:5".into()),
        ]
    );
    let (rc, kind) = inspect(repo.parent().unwrap(), "bandit.sarif");
    assert_eq!((rc, kind.as_str()), (0, "gate-sarif"));
}

/// semgrep 1.185.0 (`Semgrep OSS`) gives results no `level`: it comes from the rule's
/// `defaultConfiguration`, unless the rule's metadata has a `security-severity`, which wins.
/// Rule ids carry the rules file's path as a dotted prefix. No versionControlProvenance either.
#[test]
fn semgrep_sarif() {
    let Some(semgrep) = pinned_tool("semgrep", SEMGREP_VERSION) else {
        return;
    };
    let (tmp, repo, _commit) = python_repo();
    let rules = tmp.path().join("rules.yaml");
    std::fs::write(
        &rules,
        "rules:\n\
         \x20 - id: shell-true\n\
         \x20   languages: [python]\n\
         \x20   severity: ERROR\n\
         \x20   message: subprocess called with shell=True\n\
         \x20   pattern: subprocess.call(..., shell=True)\n\
         \x20 - id: eval-call\n\
         \x20   languages: [python]\n\
         \x20   severity: WARNING\n\
         \x20   message: eval of a string\n\
         \x20   pattern: eval(...)\n\
         \x20   metadata:\n\
         \x20     security-severity: \"9.1\"\n",
    )
    .unwrap();
    let sarif = tmp.path().join("semgrep.sarif");
    let out = Command::new(semgrep)
        .current_dir(&repo)
        .env("SEMGREP_ENABLE_VERSION_CHECK", "0")
        .env("SEMGREP_SEND_METRICS", "off")
        .args(["scan", "--config"])
        .arg(&rules)
        .args([
            "--sarif",
            "--metrics=off",
            "--disable-version-check",
            "-q",
            "-o",
        ])
        .arg(&sarif)
        .arg("app.py")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let r = only_report(&std::fs::read(&sarif).unwrap());
    assert_eq!(r.kind, GateKind::Sast);
    assert_eq!(r.tool, "Semgrep OSS");
    assert_eq!(r.tool_version.as_deref(), Some(SEMGREP_VERSION));
    assert_eq!(r.succeeded, Some(true));
    assert!(r.scanned.is_empty());
    let found: Vec<_> = r
        .findings
        .iter()
        .map(|f| {
            let rule = f.id.rsplit('.').next().unwrap_or_default().to_owned();
            (
                rule,
                f.severity,
                f.cvss,
                f.location.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.contains(&("shell-true".into(), Severity::High, None, "app.py:5".into())));
    assert!(found.contains(&(
        "eval-call".into(),
        Severity::Critical,
        Some(9.1),
        "app.py:9".into()
    )));
}

// ---------------------------------------------------------------------------------------------
// Edge cases (documents built here, read through the library and the CLI)

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

fn sarif_log(run: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run]
    }))
    .unwrap()
}

fn sarif_run(extra: Value) -> Value {
    let mut run = json!({
        "tool": {"driver": {"name": "CodeQL", "semanticVersion": "2.17.0", "rules": [
            {"id": "js/sql-injection", "defaultConfiguration": {"level": "error"},
             "properties": {"security-severity": "8.8"}},
            {"id": "js/unused-local", "defaultConfiguration": {"level": "note"}}
        ]}},
        "versionControlProvenance": [
            {"repositoryUri": "https://github.com/acme/shop", "revisionId": COMMIT}
        ],
        "invocations": [{"executionSuccessful": true,
                         "startTimeUtc": "2024-05-01T10:00:00Z",
                         "endTimeUtc": "2024-05-01T10:04:00Z"}],
        "results": [
            {"ruleId": "js/sql-injection", "ruleIndex": 0, "level": "note",
             "message": {"text": "query built from user input"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/db.js"},
                                                 "region": {"startLine": 42}}}]},
            {"ruleId": "js/unused-local", "ruleIndex": 1,
             "message": {"text": "unused variable"}}
        ]
    });
    if let (Some(run), Some(extra)) = (run.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            run.insert(k.clone(), v.clone());
        }
    }
    run
}

#[test]
fn sarif_binds_to_the_commit_it_names() {
    let r = only_report(&sarif_log(sarif_run(json!({}))));
    assert_eq!(
        r.scanned,
        [Scanned::Commit {
            sha: COMMIT.into(),
            repository: Some("https://github.com/acme/shop".into())
        }]
    );
    assert_eq!(r.started.as_deref(), Some("2024-05-01T10:00:00Z"));
    assert_eq!(r.finished.as_deref(), Some("2024-05-01T10:04:00Z"));
    // Tampered: another commit is read as that commit (the checks compare), an abbreviated
    // one binds to nothing and says so, upper case is normalised.
    let other = "f".repeat(40);
    let r = only_report(&sarif_log(sarif_run(json!({"versionControlProvenance": [
        {"repositoryUri": "https://github.com/acme/shop", "revisionId": other}
    ]}))));
    assert!(matches!(&r.scanned[..], [Scanned::Commit { sha, .. }] if *sha == other));
    let r = only_report(&sarif_log(sarif_run(json!({"versionControlProvenance": [
        {"repositoryUri": "https://github.com/acme/shop", "revisionId": &COMMIT[..7]}
    ]}))));
    assert!(r.scanned.is_empty());
    assert!(r.deviations.iter().any(|d| d.at.ends_with("/revisionId")));
    let r = only_report(&sarif_log(sarif_run(json!({"versionControlProvenance": [
        {"repositoryUri": "https://github.com/acme/shop", "revisionId": COMMIT.to_ascii_uppercase()}
    ]}))));
    assert_eq!(
        r.scanned,
        [Scanned::Commit {
            sha: COMMIT.into(),
            repository: Some("https://github.com/acme/shop".into())
        }]
    );
    // Without the repository the SARIF 2.1.0 schema requires, the log is not read at all.
    assert!(schema_refused(&sarif_log(sarif_run(
        json!({"versionControlProvenance": [{"revisionId": COMMIT}]})
    ))));
}

/// Whether the log is refused as not conforming to the SARIF 2.1.0 schema.
fn schema_refused(bytes: &[u8]) -> bool {
    matches!(parse_gate(bytes), Err(GateError::Field { what, .. })
        if what.contains("does not conform to the SARIF 2.1.0 schema"))
}

#[test]
fn sarif_execution_failures() {
    let inv = |ok: Value| json!({"invocations": [{"executionSuccessful": ok}]});
    let r = only_report(&sarif_log(sarif_run(inv(json!(false)))));
    assert_eq!(r.succeeded, Some(false));
    // All invocations must succeed.
    let r = only_report(&sarif_log(sarif_run(json!({"invocations": [
        {"executionSuccessful": true}, {"executionSuccessful": false}
    ]}))));
    assert_eq!(r.succeeded, Some(false));
    // Not a boolean, or missing: the schema refuses the log (never read as success).
    assert!(schema_refused(&sarif_log(sarif_run(inv(json!("true"))))));
    assert!(schema_refused(&sarif_log(sarif_run(
        json!({"invocations": [{}]})
    ))));
    let r = only_report(&sarif_log(sarif_run(json!({"invocations": []}))));
    assert_eq!(r.succeeded, None);
}

#[test]
fn sarif_suppressions() {
    let with = |suppressions: Value| {
        let r = only_report(&sarif_log(sarif_run(json!({"results": [
            {"ruleId": "js/sql-injection", "message": {"text": "x"},
             "suppressions": suppressions}
        ]}))));
        r.findings[0].suppressed
    };
    assert!(with(json!([{"kind": "inSource"}])));
    assert!(with(json!([{"kind": "external", "status": "accepted"}])));
    // One rejected suppression anywhere in the list: the finding counts (it used to be read as
    // suppressed because another suppression was accepted).
    assert!(!with(
        json!([{"kind": "external", "status": "rejected"}, {"kind": "inSource"}])
    ));
    assert!(!with(
        json!([{"kind": "inSource"}, {"kind": "external", "status": "underReview"}])
    ));
    assert!(!with(
        json!([{"kind": "external", "status": "underReview"}])
    ));
    assert!(!with(json!([{"kind": "external", "status": "rejected"}])));
    assert!(!with(json!([])));
    // Not an array: the schema refuses the log.
    assert!(schema_refused(&sarif_log(sarif_run(json!({"results": [
        {"ruleId": "js/sql-injection", "message": {"text": "x"},
         "suppressions": {"kind": "inSource"}}
    ]})))));
}

#[test]
fn sarif_security_severity_wins_over_level() {
    let r = only_report(&sarif_log(sarif_run(json!({}))));
    // level "note" given, but the rule's security-severity 8.8 decides.
    assert_eq!(r.findings[0].severity, Severity::High);
    assert_eq!(r.findings[0].cvss, Some(8.8));
    assert_eq!(r.findings[0].location.as_deref(), Some("src/db.js:42"));
    assert_eq!(
        r.findings[0].title.as_deref(),
        Some("query built from user input")
    );
    // No level: the rule's default level (note).
    assert_eq!(r.findings[1].severity, Severity::Info);
    assert_eq!(r.findings[1].cvss, None);
    // A result's own security-severity, then levels without any score.
    let r = only_report(&sarif_log(sarif_run(json!({"results": [
        {"ruleId": "js/unused-local", "properties": {"security-severity": "9.5"},
         "message": {"text": "a"}},
        {"ruleId": "other", "level": "error", "message": {"text": "b"}},
        {"ruleId": "other", "message": {"text": "c"}},
        {"ruleId": "other", "level": "none", "message": {"text": "d"}}
    ]}))));
    let sev: Vec<Severity> = r.findings.iter().map(|f| f.severity).collect();
    assert_eq!(
        sev,
        [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Info
        ]
    );
}

/// Each malformed log is reported as a malformed gate-sarif (exit 1), never read as empty.
#[test]
fn sarif_invalid_logs_fail_inspect() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        ("version", json!({"version": "1.0.0", "runs": []})),
        ("runs", json!({"version": "2.1.0", "runs": {"tool": {}}})),
        (
            "result",
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "T"}}, "results": ["x"]}]}),
        ),
        (
            "level",
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "T"}}, "results": [{"level": 3}]}]}),
        ),
        (
            "tool",
            json!({"version": "2.1.0", "runs": [{"results": []}]}),
        ),
    ];
    for (name, doc) in cases {
        assert!(
            matches!(
                parse_gate(&serde_json::to_vec(&doc).unwrap()),
                Err(GateError::Field { .. })
            ),
            "{name}"
        );
        let file = format!("{name}.sarif");
        std::fs::write(tmp.path().join(&file), serde_json::to_vec(&doc).unwrap()).unwrap();
        let (rc, kind) = inspect(tmp.path(), &file);
        assert_eq!((rc, kind.as_str()), (1, "gate-sarif"), "{name}");
    }
    // Duplicate keys are refused before any gate reader sees the document.
    std::fs::write(
        tmp.path().join("dup.sarif"),
        br#"{"version":"2.1.0","runs":[],"runs":[]}"#,
    )
    .unwrap();
    assert_eq!(inspect(tmp.path(), "dup.sarif").0, 1);
}

#[test]
fn github_code_scanning_analyses_through_inspect() {
    let tmp = tempfile::tempdir().unwrap();
    let analysis = json!({
        "ref": "refs/heads/main", "commit_sha": COMMIT,
        "analysis_key": ".github/workflows/codeql.yml:analyze", "environment": "{}",
        "error": "", "category": ".github/workflows/codeql.yml:analyze/language:js",
        "created_at": "2024-05-01T10:05:00Z", "results_count": 2, "rules_count": 150,
        "id": 201, "url": "https://api.github.com/repos/acme/shop/code-scanning/analyses/201",
        "sarif_id": "6c81cd8e-b078-4ac3-a3be-1dad7dbd0b53",
        "tool": {"name": "CodeQL", "guid": null, "version": "2.17.0"},
        "deletable": true, "warning": ""
    });
    let mut failed = analysis.clone();
    failed["error"] = json!("the SARIF could not be processed");
    std::fs::write(
        tmp.path().join("list.json"),
        serde_json::to_vec(&json!([analysis, failed])).unwrap(),
    )
    .unwrap();
    let reports = parse_gate(&std::fs::read(tmp.path().join("list.json")).unwrap()).unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].succeeded, Some(true));
    assert_eq!(reports[1].succeeded, Some(false));
    assert!(reports.iter().all(|r| r.format == "github-code-scanning"
        && r.scanned
            == [Scanned::Commit {
                sha: COMMIT.into(),
                repository: None
            }]));
    let (rc, kind) = inspect(tmp.path(), "list.json");
    assert_eq!((rc, kind.as_str()), (0, "gate-github-code-scanning"));
}

/// One ZAP alert, written into both encodings by the helpers below.
struct Alert {
    plugin: &'static str,
    alert_ref: &'static str,
    name: &'static str,
    risk: u8,
    confidence: u8,
    uris: &'static [&'static str],
}

const SITE: &str = "https://shop.example.com";

const ALERTS: &[Alert] = &[
    Alert {
        plugin: "40012",
        alert_ref: "40012",
        name: "Cross Site Scripting (Reflected) & <friends>",
        risk: 3,
        confidence: 2,
        uris: &["https://shop.example.com/search?q=x&page=1"],
    },
    Alert {
        plugin: "10038",
        alert_ref: "10038-1",
        name: "Content Security Policy (CSP) Header Not Set",
        risk: 2,
        confidence: 3,
        uris: &[
            "https://shop.example.com/",
            "https://shop.example.com/robots.txt",
        ],
    },
    Alert {
        plugin: "10020",
        alert_ref: "10020-1",
        name: "Missing Anti-clickjacking Header",
        risk: 1,
        confidence: 0,
        uris: &[],
    },
    Alert {
        plugin: "10050",
        alert_ref: "10050-1",
        name: "Retrieved from Cache",
        risk: 0,
        confidence: 2,
        uris: &["https://shop.example.com/static/app.js"],
    },
];

const GENERATED: &str = "Tue, 6 Jun 2023 12:00:00";

fn zap_json() -> Vec<u8> {
    let alerts: Vec<Value> = ALERTS
        .iter()
        .map(|a| {
            json!({
                "pluginid": a.plugin, "alertRef": a.alert_ref, "alert": a.name, "name": a.name,
                "riskcode": a.risk.to_string(), "confidence": a.confidence.to_string(),
                "riskdesc": "", "desc": "<p>d</p>",
                "instances": a.uris.iter().map(|u| json!({"uri": u, "method": "GET"}))
                    .collect::<Vec<_>>(),
                "count": a.uris.len().to_string()
            })
        })
        .collect();
    serde_json::to_vec_pretty(&json!({
        "@programName": "ZAP", "@version": "2.14.0", "@generated": GENERATED,
        "site": [{"@name": SITE, "@host": "shop.example.com", "@port": "443", "@ssl": "true",
                  "alerts": alerts}]
    }))
    .unwrap()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn zap_xml() -> Vec<u8> {
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OWASPZAPReport programName=\"ZAP\" \
         version=\"2.14.0\" generated=\"{GENERATED}\">\n<site name=\"{}\" host=\"shop.example.com\" \
         port=\"443\" ssl=\"true\"><alerts>\n",
        xml_escape(SITE)
    );
    for a in ALERTS {
        x += &format!(
            "<alertitem><pluginid>{}</pluginid><alertRef>{}</alertRef><alert>{}</alert>\
             <name>{}</name><riskcode>{}</riskcode><confidence>{}</confidence>\
             <riskdesc></riskdesc><desc>&lt;p&gt;d&lt;/p&gt;</desc><instances>",
            a.plugin,
            a.alert_ref,
            xml_escape(a.name),
            xml_escape(a.name),
            a.risk,
            a.confidence
        );
        for u in a.uris {
            x += &format!(
                "<instance><uri>{}</uri><method>GET</method></instance>",
                xml_escape(u)
            );
        }
        x += &format!("</instances><count>{}</count></alertitem>\n", a.uris.len());
    }
    x += "</alerts></site>\n</OWASPZAPReport>\n";
    x.into_bytes()
}

#[test]
fn zap_json_and_xml_read_the_same() {
    let from_json = only_report(&zap_json());
    let from_xml = only_report(&zap_xml());
    assert_eq!(from_json, from_xml);
    let r = from_json;
    assert_eq!((r.kind, r.format), (GateKind::Dast, "zap"));
    assert_eq!(r.tool, "ZAP");
    assert_eq!(r.tool_version.as_deref(), Some("2.14.0"));
    assert_eq!(r.scanned, [Scanned::Deployment { url: SITE.into() }]);
    // ZAP's time has no zone: kept as recorded.
    assert_eq!(r.finished.as_deref(), Some(GENERATED));
    assert_eq!(r.succeeded, None);
    let got: Vec<_> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.id.as_str(),
                f.severity,
                f.location.as_deref().unwrap_or_default(),
                f.suppressed,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "40012",
                Severity::High,
                "https://shop.example.com/search?q=x&page=1",
                false
            ),
            (
                "10038-1",
                Severity::Medium,
                "https://shop.example.com/",
                false
            ),
            // No instance: located at the site. Confidence 0 (false positive): suppressed.
            ("10020-1", Severity::Low, SITE, true),
            (
                "10050-1",
                Severity::Info,
                "https://shop.example.com/static/app.js",
                false
            ),
        ]
    );
    assert_eq!(
        r.findings[0].title.as_deref(),
        Some("Cross Site Scripting (Reflected) & <friends>")
    );

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("zap.json"), zap_json()).unwrap();
    std::fs::write(tmp.path().join("zap.xml"), zap_xml()).unwrap();
    for f in ["zap.json", "zap.xml"] {
        let (rc, kind) = inspect(tmp.path(), f);
        assert_eq!((rc, kind.as_str()), (0, "gate-zap"), "{f}");
    }
}

#[test]
fn zap_tampered_reports_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let xml = String::from_utf8(zap_xml()).unwrap();
    let json = String::from_utf8(zap_json()).unwrap();
    let doctype = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<OWASPZAPReport";
    let variants = [
        (
            "doctype.xml",
            &xml,
            xml.replacen("<OWASPZAPReport", doctype, 1),
        ),
        (
            "risk.xml",
            &xml,
            xml.replacen("<riskcode>3</riskcode>", "<riskcode>9</riskcode>", 1),
        ),
        ("truncated.xml", &xml, xml[..xml.len() / 2].to_owned()),
        (
            "entity.xml",
            &xml,
            xml.replacen("<alert>", "<alert>&unknown;", 1),
        ),
        (
            "risk.json",
            &json,
            json.replacen("\"riskcode\": \"3\"", "\"riskcode\": \"high\"", 1),
        ),
        (
            "nosite.json",
            &json,
            json.replacen(&format!("\"@name\": \"{SITE}\""), "\"@name\": \"\"", 1),
        ),
    ];
    for (file, original, doc) in variants {
        assert_ne!(original, &doc, "{file} unchanged");
        assert!(parse_gate(doc.as_bytes()).is_err(), "{file}");
        std::fs::write(tmp.path().join(file), &doc).unwrap();
        let (rc, _) = inspect(tmp.path(), file);
        assert_eq!(rc, 1, "{file}");
    }
}

#[test]
fn in_toto_test_results() {
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"digest": {"gitCommit": COMMIT}},
                    {"name": "shop.tar", "digest": {"sha256": "ab".repeat(32)}}],
        "predicateType": "https://in-toto.io/attestation/test-result/v0.1",
        "predicate": {
            "result": "FAILED",
            "configuration": [{"name": ".github/workflows/dast.yml"}],
            "url": "https://github.com/acme/shop/actions/runs/1",
            "passedTests": ["login"], "warnedTests": ["headers"], "failedTests": ["xss"]
        }
    });
    let r = only_report(&serde_json::to_vec(&statement).unwrap());
    assert_eq!((r.kind, r.format), (GateKind::Dast, "in-toto-test-result"));
    assert_eq!(r.succeeded, Some(false));
    assert_eq!(r.workflow.as_deref(), Some(".github/workflows/dast.yml"));
    assert_eq!(
        r.scanned,
        [
            Scanned::Commit {
                sha: COMMIT.into(),
                repository: None
            },
            Scanned::Digest {
                digest: format!("sha256:{}", "ab".repeat(32)),
                name: Some("shop.tar".into())
            }
        ]
    );
    let f: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f.severity))
        .collect();
    assert_eq!(f, [("xss", Severity::High), ("headers", Severity::Medium)]);
    let mut passed = statement["predicate"].clone();
    passed["result"] = json!("PASSED");
    passed["failedTests"] = json!([]);
    let r = only_report(&serde_json::to_vec(&passed).unwrap());
    assert_eq!(r.succeeded, Some(true));
    assert!(r.scanned.is_empty(), "a bare predicate binds to nothing");
    let mut bad = statement;
    bad["predicate"]["result"] = json!("passed");
    assert!(matches!(
        parse_gate(&serde_json::to_vec(&bad).unwrap()),
        Err(GateError::Field { .. })
    ));
}

/// SARIF that is not a log (spec fragments, external property files) is named, but is no gate
/// report; JSON that merely shares a few SARIF words is not taken for it.
#[test]
fn sarif_pieces_are_not_gate_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = [
        (
            "fragment.json",
            json!({"results": [], "...member-inject": "..."}),
            0,
            "sarif-fragment",
        ),
        (
            "generic.json",
            json!({"name": "x", "version": "1"}),
            // Not recognised: its own exit code (issue 19), never "malformed".
            2,
            "unknown",
        ),
        (
            "mixed.json",
            json!({"results": [], "evil": true}),
            // Not recognised: its own exit code (issue 19), never "malformed".
            2,
            "unknown",
        ),
    ];
    for (file, doc, want_rc, want_kind) in docs {
        let bytes = serde_json::to_vec(&doc).unwrap();
        assert!(
            matches!(parse_gate(&bytes), Err(GateError::Unknown(_))),
            "{file}"
        );
        std::fs::write(tmp.path().join(file), bytes).unwrap();
        let (rc, kind) = inspect(tmp.path(), file);
        assert_eq!((rc, kind.as_str()), (want_rc, want_kind), "{file}");
    }
}
