//! SCA gate reports: every `sca-*` corpus case (real grype, trivy and osv-scanner output)
//! through `parse_gate`, the facts each corpus file records (tool, what was scanned, findings by
//! severity), the CVSS calculator against the scores those tools publish, and cargo-audit run
//! for real against a local advisory database.
//!
//! `valid` means: `parse_gate` reads it. `invalid` means: it refuses it. A case that cannot give
//! its expected outcome goes on [`XFAIL`] with the reason; a listed case that starts passing
//! fails the run, so the list only ever shrinks honestly.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use provenant_formats::gate::sca::cvss3_base_score;
use provenant_formats::gate::{parse_gate, GateError, GateReport, Scanned, Severity};
use serde_json::Value;

use crate::support::corpus;

const CATEGORIES: &[&str] = &["sca-grype", "sca-trivy", "sca-osv-scanner"];

/// Cases provenant does not agree with, and why.
const XFAIL: &[(&str, &str)] = &[];

fn cases(dir: &Path, category: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("cases.json")).expect("cases.json");
    let all: Value = serde_json::from_str(&text).expect("cases.json is JSON");
    all["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["category"] == category)
        .cloned()
        .collect()
}

fn parse(path: &Path) -> Result<Vec<GateReport>, GateError> {
    parse_gate(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[test]
fn corpus_cases_give_their_expected_outcome() {
    let Some(dir) = corpus() else { return };
    let xfail: BTreeMap<&str, &str> = XFAIL.iter().copied().collect();
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for category in CATEGORIES {
        let cases = cases(&dir, category);
        assert!(!cases.is_empty(), "no {category} case in the corpus");
        let (mut passed, mut failed, mut expected_failures) = (0, 0, 0);
        for case in &cases {
            let id = case["id"].as_str().expect("id");
            seen.push(id.to_owned());
            let file = case["inputs"]["file"].as_str().expect("inputs.file");
            let expected = case["expected"]["outcome"].as_str().expect("outcome");
            let result = parse(&dir.join(file));
            let ok = match expected {
                "valid" => result.is_ok(),
                "invalid" => result.is_err(),
                other => panic!("{id}: unknown expected outcome {other:?}"),
            };
            match (ok, xfail.contains_key(id)) {
                (true, false) => passed += 1,
                (false, true) => expected_failures += 1,
                (true, true) => {
                    failed += 1;
                    problems.push(format!("{id}: passes now; take it off XFAIL"));
                }
                (false, false) => {
                    failed += 1;
                    let got = match &result {
                        Ok(_) => "read".to_owned(),
                        Err(e) => format!("refused: {e}"),
                    };
                    problems.push(format!("{id}: expected {expected}, got {got}"));
                }
            }
        }
        println!(
            "{category} corpus: {passed} passed, {failed} failed, {expected_failures} expected failures"
        );
    }
    for id in xfail.keys() {
        if !seen.iter().any(|s| s == id) {
            problems.push(format!("{id}: on XFAIL but not in the corpus"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What each corpus file says, checked by hand against the file.
struct Facts {
    file: &'static str,
    format: &'static str,
    tool: &'static str,
    version: Option<&'static str>,
    finished: Option<&'static str>,
    /// The first thing scanned: `sha256:...` (a digest), `commit:...`, `named:...`, or `-`.
    scanned: &'static str,
    /// Findings by severity, highest first: `critical=2 medium=4`, or `none`.
    counts: &'static str,
    /// Deviations recorded.
    deviations: usize,
}

const TRIVY_TIME: Option<&str> = Some("2021-08-25T12:20:30.000000005Z");

const FACTS: &[Facts] = &[
    Facts {
        file: "sca/grype/grype-keycloak-21.0.2.json",
        format: "grype",
        tool: "grype",
        version: Some("0.66.0"),
        finished: Some("2023-09-01T08:13:42.20194-04:00"),
        scanned: "sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e",
        counts: "low=6",
        deviations: 0,
    },
    Facts {
        file: "sca/grype/grype-chainguard-ruby.json",
        format: "grype",
        tool: "grype",
        version: Some("0.61.1"),
        finished: Some("2023-05-17T21:00:56.783213-04:00"),
        scanned: "sha256:86abe662dfa3746038eea6b0db91092b0767d78b8b8938a343d614cd1579adc2",
        counts: "high=3",
        deviations: 0,
    },
    Facts {
        file: "sca/grype/grype-json-image.golden.json",
        format: "grype",
        tool: "grype",
        version: None,
        finished: None,
        scanned: "sha256:ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5",
        counts: "critical=1 low=1",
        deviations: 0,
    },
    Facts {
        file: "sca/grype/grype-json-empty.golden.json",
        format: "grype",
        tool: "grype",
        version: None,
        finished: None,
        scanned: "-",
        counts: "none",
        deviations: 1,
    },
    Facts {
        file: "sca/trivy/trivy-alpine-310.json",
        format: "trivy",
        tool: "trivy",
        version: Some("dev"),
        finished: TRIVY_TIME,
        scanned: "sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4",
        counts: "medium=4",
        deviations: 0,
    },
    Facts {
        file: "sca/trivy/trivy-alpine-39.json",
        format: "trivy",
        tool: "trivy",
        version: Some("dev"),
        finished: TRIVY_TIME,
        scanned: "sha256:055936d3920576da37aa9bc460d70c5f212028bda1c08c0879aedf03d7a66ea1",
        counts: "critical=2 medium=4",
        deviations: 0,
    },
    Facts {
        file: "sca/trivy/trivy-ubuntu-1804.json",
        format: "trivy",
        tool: "trivy",
        version: Some("dev"),
        finished: TRIVY_TIME,
        scanned: "sha256:a2a15febcdf362f6115e801d37b5e60d6faaeedcb9896155e5fe9d754025be12",
        counts: "medium=4 low=1",
        deviations: 0,
    },
    Facts {
        file: "sca/trivy/trivy-centos-7.json",
        format: "trivy",
        tool: "trivy",
        version: Some("dev"),
        finished: TRIVY_TIME,
        scanned: "sha256:f1cb7c7d58b73eac859c395882eec49d50651244e342cd6c68a5c7809785f427",
        counts: "medium=1 low=2",
        deviations: 0,
    },
    Facts {
        file: "sca/trivy/trivy-distroless-base.json",
        format: "trivy",
        tool: "trivy",
        version: Some("dev"),
        finished: TRIVY_TIME,
        scanned: "sha256:7f04a8d247173b1f2546d22913af637bbab4e7411e00ae6207da8d94c445750d",
        counts: "medium=2 low=2",
        deviations: 0,
    },
    Facts {
        file: "sca/trivy/trivy-almalinux-8.json",
        format: "trivy",
        tool: "trivy",
        version: Some("dev"),
        finished: TRIVY_TIME,
        scanned: "sha256:4ca63ce1d8a90da2ed4f2d5e93e8e9db2f32d0fabf0718a2edebbe0e70826622",
        counts: "medium=1",
        deviations: 0,
    },
    Facts {
        file: "sca/trivy/trivy-spring4shell-jre11.json",
        format: "trivy",
        tool: "trivy",
        version: Some("dev"),
        finished: TRIVY_TIME,
        scanned: "sha256:ed8f0747d483b60657982f0ef1ba74482aed08795cf0eb774b00bc53022a8351",
        counts: "critical=1",
        deviations: 0,
    },
    Facts {
        file: "sca/trivy/trivy-test-repo.json",
        format: "trivy",
        tool: "trivy",
        version: Some("dev"),
        finished: TRIVY_TIME,
        scanned: "commit:5ae342eb2802672402d9b2c26f09e2051bbd91b8",
        counts: "high=1 medium=1",
        deviations: 0,
    },
    Facts {
        file: "sca/trivy/trivy-dockerfile.json",
        format: "trivy",
        tool: "trivy",
        version: Some("dev"),
        finished: TRIVY_TIME,
        scanned: "named:testdata/fixtures/repo/dockerfile",
        counts: "high=1",
        deviations: 0,
    },
    Facts {
        file: "sca/trivy/trivy-helm_badname.json",
        format: "trivy",
        tool: "trivy",
        version: Some("dev"),
        finished: TRIVY_TIME,
        scanned: "named:testdata/fixtures/repo/helm_badname",
        counts: "none",
        deviations: 0,
    },
    Facts {
        file: "sca/trivy/trivy-yarn.json",
        format: "trivy",
        tool: "trivy",
        version: Some("dev"),
        finished: TRIVY_TIME,
        scanned: "named:testdata/fixtures/repo/yarn",
        counts: "medium=1",
        deviations: 0,
    },
    Facts {
        file: "sca/osv-scanner/osv-results-empty.json",
        format: "osv-scanner",
        tool: "osv-scanner",
        version: None,
        finished: None,
        scanned: "-",
        counts: "none",
        deviations: 0,
    },
    Facts {
        // GO-2021-0053 has no severity of its own; it is an alias of a HIGH GHSA advisory.
        file: "sca/osv-scanner/osv-flattened_vulns.json",
        format: "osv-scanner",
        tool: "osv-scanner",
        version: None,
        finished: None,
        scanned: "named:/path/to/scorecard-check-osv-e2e/go.mod",
        counts: "high=4",
        deviations: 1,
    },
    Facts {
        file: "sca/osv-scanner/osv-vuln-grouped.json",
        format: "osv-scanner",
        tool: "osv-scanner",
        version: None,
        finished: None,
        scanned: "named:/path/to/sub-rust-project/Cargo.lock",
        counts: "high=2",
        deviations: 1,
    },
    Facts {
        // The perfetto commit is a dependency in a DEPS file, not what was scanned.
        file: "sca/osv-scanner/osv-commit-grouped.json",
        format: "osv-scanner",
        tool: "osv-scanner",
        version: None,
        finished: None,
        scanned: "named:<rootdir>/Documents/Project/engine/deps_flatten.txt",
        counts: "high=1",
        deviations: 1,
    },
];

fn counts(r: &GateReport) -> String {
    let mut by: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
    for f in &r.findings {
        *by.entry(std::cmp::Reverse(f.severity)).or_default() += 1;
    }
    if by.is_empty() {
        return "none".into();
    }
    by.iter()
        .map(|(s, n)| format!("{}={n}", s.0.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn first_scanned(r: &GateReport) -> String {
    match r.scanned.first() {
        None => "-".into(),
        Some(
            Scanned::Digest { digest, .. }
            | Scanned::ImageReference { digest, .. }
            | Scanned::ImageConfig { digest, .. },
        ) => digest.clone(),
        Some(Scanned::Commit { sha, .. }) => format!("commit:{sha}"),
        Some(Scanned::Named { name }) => format!("named:{name}"),
        Some(other) => format!("{other:?}"),
    }
}

#[test]
fn corpus_files_read_as_recorded() {
    let Some(dir) = corpus() else { return };
    let mut problems = Vec::new();
    for f in FACTS {
        let mut reports = parse(&dir.join(f.file)).unwrap_or_else(|e| panic!("{}: {e}", f.file));
        assert_eq!(reports.len(), 1, "{}", f.file);
        let r = reports.remove(0);
        let got = (
            r.format,
            r.tool.as_str(),
            r.tool_version.as_deref(),
            r.finished.as_deref(),
            first_scanned(&r),
            counts(&r),
            r.deviations.len(),
        );
        let want = (
            f.format,
            f.tool,
            f.version,
            f.finished,
            f.scanned.to_owned(),
            f.counts.to_owned(),
            f.deviations,
        );
        if got != want {
            problems.push(format!("{}:\n  got  {got:?}\n  want {want:?}", f.file));
        }
    }
    // Every readable corpus file has its facts here.
    for category in CATEGORIES {
        for case in cases(&dir, category) {
            let file = case["inputs"]["file"].as_str().expect("inputs.file");
            if case["expected"]["outcome"] == "valid" && !FACTS.iter().any(|f| f.file == file) {
                problems.push(format!("{file}: no facts recorded"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn image_scans_name_every_digest() {
    let Some(dir) = corpus() else { return };
    let r = parse(&dir.join("sca/grype/grype-chainguard-ruby.json")).unwrap();
    // Each digest in its role: the manifest scanned, the repo digest it was named by, its
    // config.
    let digests: Vec<(&str, &str, Option<&str>)> = r[0]
        .scanned
        .iter()
        .map(|s| match s {
            Scanned::Digest { digest, name } => ("scanned", digest.as_str(), name.as_deref()),
            Scanned::ImageReference { digest, name } => {
                ("reference", digest.as_str(), name.as_deref())
            }
            Scanned::ImageConfig { digest, name } => ("config", digest.as_str(), name.as_deref()),
            other => panic!("not a digest: {other:?}"),
        })
        .collect();
    assert_eq!(
        digests,
        [
            (
                "scanned",
                "sha256:86abe662dfa3746038eea6b0db91092b0767d78b8b8938a343d614cd1579adc2",
                Some("cgr.dev/chainguard/ruby:latest-3.0")
            ),
            (
                "reference",
                "sha256:3c9afb4f188827ea1062ec3b8acea32893236a0d7df31e0498df93486cff0978",
                Some("cgr.dev/chainguard/ruby")
            ),
            (
                "config",
                "sha256:2f88265cfbc43ca35cd327347a9f59375b9f29ef998b8a54a882e31111266640",
                Some("cgr.dev/chainguard/ruby:latest-3.0")
            ),
        ]
    );
    // keycloak was pulled by index digest (a reference); grype resolved it to a platform
    // manifest.
    let r = parse(&dir.join("sca/grype/grype-keycloak-21.0.2.json")).unwrap();
    assert!(r[0].scanned.contains(&Scanned::ImageReference {
        digest: "sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50".into(),
        name: Some("docker.io/keycloak/keycloak:21.0.2".into()),
    }));
    let r = parse(&dir.join("sca/trivy/trivy-test-repo.json")).unwrap();
    assert_eq!(
        r[0].scanned,
        [Scanned::Commit {
            sha: "5ae342eb2802672402d9b2c26f09e2051bbd91b8".into(),
            repository: Some("https://github.com/knqyf263/trivy-ci-test".into()),
        }]
    );
}

#[test]
fn not_json_is_refused() {
    let Some(dir) = corpus() else { return };
    let e = parse(&dir.join("sca/osv-scanner/osv-not-json.txt")).unwrap_err();
    assert!(matches!(e, GateError::Unknown(_)), "{e:?}");
}

/// The CVSS v3 calculator gives the score every tool in the corpus published with a vector.
#[test]
fn cvss_calculator_agrees_with_the_corpus() {
    let Some(dir) = corpus() else { return };
    let mut pairs = Vec::new();
    for category in CATEGORIES {
        for case in cases(&dir, category) {
            let file = case["inputs"]["file"].as_str().expect("inputs.file");
            let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
                continue;
            };
            if let Ok(v) = serde_json::from_str::<Value>(&text) {
                collect_vectors(&v, &mut pairs);
            }
        }
    }
    assert!(
        pairs.len() >= 20,
        "only {} CVSS v3 vectors found",
        pairs.len()
    );
    let wrong: Vec<_> = pairs
        .iter()
        .filter(|(vector, score)| cvss3_base_score(vector) != Some(*score))
        .map(|(vector, score)| {
            format!(
                "{vector}: published {score}, computed {:?}",
                cvss3_base_score(vector)
            )
        })
        .collect();
    println!("CVSS v3: {} published scores checked", pairs.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// (vector, score) from grype (`vector` + `metrics.baseScore`) and trivy (`V3Vector` +
/// `V3Score`) anywhere in a document.
fn collect_vectors(v: &Value, out: &mut Vec<(String, f64)>) {
    match v {
        Value::Object(o) => {
            let grype = (
                o.get("vector"),
                o.get("metrics").and_then(|m| m.get("baseScore")),
            );
            let trivy = (o.get("V3Vector"), o.get("V3Score"));
            for (vector, score) in [grype, trivy] {
                if let (Some(Value::String(vector)), Some(score)) =
                    (vector, score.and_then(Value::as_f64))
                {
                    if vector.starts_with("CVSS:3") {
                        out.push((vector.clone(), score));
                    }
                }
            }
            o.values().for_each(|x| collect_vectors(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_vectors(x, out)),
        _ => {}
    }
}

/// `.ci/run` installs cargo-audit (built from source once, kept in `~/.cargo/bin`), so under
/// CI=true a missing binary is a failure, never a skip.
const CARGO_AUDIT_IN_CI: bool = true;

/// The cargo-audit binary: on `PATH`, else in `$CARGO_HOME/bin` or `~/.cargo/bin`.
fn cargo_audit() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter()
        .map(|d| d.join("cargo-audit"))
        .find(|p| p.is_file())
}

const ADVISORY: &str = r#"```toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "vulnerable-thing"
date = "2099-01-01"
url = "https://example.invalid/RUSTSEC-2099-0001"
categories = ["memory-corruption"]
cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"

[versions]
patched = [">= 1.0.1"]
```

# Out-of-bounds write in vulnerable-thing

A made-up advisory for provenant's tests.
"#;

const UNMAINTAINED: &str = r#"```toml
[advisory]
id = "RUSTSEC-2099-0002"
package = "old-thing"
date = "2099-01-02"
informational = "unmaintained"

[versions]
patched = []
```

# old-thing is unmaintained

A made-up advisory for provenant's tests.
"#;

const LOCKFILE: &str = r#"version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "old-thing",
 "safe-thing",
 "vulnerable-thing",
]

[[package]]
name = "old-thing"
version = "0.3.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "safe-thing"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "vulnerable-thing"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A local advisory database as a git repository (when git is installed; cargo-audit reads
/// the directory either way).
fn advisory_db(dir: &Path) {
    write(
        &dir.join("crates/vulnerable-thing/RUSTSEC-2099-0001.md"),
        ADVISORY,
    );
    write(
        &dir.join("crates/old-thing/RUSTSEC-2099-0002.md"),
        UNMAINTAINED,
    );
    let git = |args: &[&str]| {
        Command::new("git")
            .args([
                "-c",
                "user.name=provenant",
                "-c",
                "user.email=test@example.invalid",
            ])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
    };
    match git(&["init", "-q"]) {
        Ok(o) if o.status.success() => {
            for args in [&["add", "."][..], &["commit", "-qm", "advisories"]] {
                let o = git(args).expect("git");
                assert!(
                    o.status.success(),
                    "git {args:?}: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
            }
        }
        _ => eprintln!("git not found: the advisory database is a plain directory"),
    }
}

#[test]
fn cargo_audit_json_from_a_local_advisory_database() {
    let Some(bin) = cargo_audit() else {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !(ci && CARGO_AUDIT_IN_CI),
            "CI=true but cargo-audit is not installed"
        );
        eprintln!(
            "skipping: cargo-audit not installed (`cargo install cargo-audit --locked`); \
             .ci/run does not install it"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("advisory-db");
    advisory_db(&db);
    let lockfile = tmp.path().join("app/Cargo.lock");
    write(
        &tmp.path().join("app/Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n",
    );
    write(&lockfile, LOCKFILE);
    let cargo_home = tmp.path().join("cargo-home");
    std::fs::create_dir_all(&cargo_home).unwrap();
    // No network: the database is not fetched, yanked crates are not looked up in the index,
    // and any connection attempt goes to a closed local port.
    let out = Command::new(&bin)
        .arg("audit")
        .arg("--db")
        .arg(&db)
        .arg("--file")
        .arg(&lockfile)
        .args(["--no-fetch", "--no-yanked", "--json"])
        .current_dir(tmp.path())
        .env("CARGO_HOME", &cargo_home)
        .env("CARGO_NET_OFFLINE", "true")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("ALL_PROXY", "http://127.0.0.1:9")
        .output()
        .expect("run cargo-audit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // cargo-audit exits 1 when it finds a vulnerability.
    assert_eq!(out.status.code(), Some(1), "cargo-audit: {stderr}");
    let reports = parse_gate(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&out.stdout)));
    let r = &reports[0];
    assert_eq!((r.format, r.tool.as_str()), ("cargo-audit", "cargo-audit"));
    assert!(r.deviations.is_empty(), "{:?}", r.deviations);
    let findings: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f.severity, f.cvss, f.location.as_deref()))
        .collect();
    assert_eq!(
        findings,
        [
            (
                "RUSTSEC-2099-0001",
                Severity::Medium,
                Some(6.1),
                Some("vulnerable-thing@1.0.0")
            ),
            (
                "RUSTSEC-2099-0002",
                Severity::Low,
                None,
                Some("old-thing@0.3.0")
            ),
        ]
    );
    assert_eq!(
        r.findings[1].title.as_deref(),
        Some("unmaintained: old-thing is unmaintained")
    );
}
