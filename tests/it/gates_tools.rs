//! Gate tool names as users write them (issue 19): case-insensitive, with the known aliases of
//! one documented table; a requirement that matches nothing names the runs that were given; a
//! SARIF log is classified by its tool (grype and trivy write SCA, not SAST).

use serde_json::{json, Value};

use crate::support::{provenant, root, run};

const SHIPPED: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

/// A successful SARIF run of `tool` on the shipped commit, with no results.
fn sarif(tool: &str) -> Value {
    json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": tool, "semanticVersion": "1.0.0", "rules": []}},
            "versionControlProvenance": [{"repositoryUri": "https://github.com/o/app", "revisionId": SHIPPED}],
            "invocations": [{"executionSuccessful": true, "startTimeUtc": "2026-05-01T10:00:00Z", "endTimeUtc": "2026-05-01T11:00:00Z"}],
            "results": []
        }]
    })
}

/// `gates --format json --commit SHIPPED --built-at ... ARGS`: (exit code, report).
fn gates(args: &[&str]) -> (i32, Value, String) {
    let mut all = vec![
        "gates",
        "--format",
        "json",
        "--commit",
        SHIPPED,
        "--built-at",
        "2026-05-02T00:00:00Z",
    ];
    all.extend_from_slice(args);
    let (code, out, err) = run(provenant().args(&all));
    let v = serde_json::from_str(&out).unwrap_or(Value::Null);
    (code, v, format!("{out}{err}"))
}

fn check<'a>(v: &'a Value, code: &str) -> Option<&'a Value> {
    v["checks"].as_array()?.iter().find(|c| c["code"] == code)
}

fn write(dir: &tempfile::TempDir, name: &str, v: &Value) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, serde_json::to_vec(v).unwrap()).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn required_gate_tools_match_in_any_case_and_by_alias() {
    let dir = tempfile::tempdir().unwrap();
    let semgrep = write(&dir, "semgrep.sarif", &sarif("Semgrep OSS"));
    let codeql = write(&dir, "codeql.sarif", &sarif("CodeQL"));
    for (file, want) in [
        (&semgrep, "sast:Semgrep"),
        (&semgrep, "sast:semgrep oss"),
        (&semgrep, "sast:SEMGREP"),
        (&codeql, "sast:codeql"),
        (&codeql, "sast:Semgrep,CODEQL"),
    ] {
        let (code, v, all) = gates(&["--sarif", file, "--require-gate", want]);
        assert_eq!(code, 0, "{want}: {all}");
        assert_eq!(
            check(&v, "gate-present").map(|c| &c["outcome"]),
            Some(&json!("pass")),
            "{want}"
        );
    }
}

#[test]
fn a_required_gate_that_matches_nothing_names_the_runs_given() {
    let dir = tempfile::tempdir().unwrap();
    let semgrep = write(&dir, "semgrep.sarif", &sarif("Semgrep OSS"));
    // A tool never given, and a near miss that is another tool: both fail, naming what was given.
    for want in ["sast:Snyk", "sast:CodeQL"] {
        let (code, v, all) = gates(&["--sarif", &semgrep, "--require-gate", want]);
        assert_eq!(code, 1, "{want}: {all}");
        let missing = check(&v, "gate-missing").unwrap_or_else(|| panic!("{want}: {all}"));
        assert_eq!(missing["outcome"], "fail");
        let reason = missing["reason"].as_str().unwrap();
        assert!(
            reason.contains("sast Semgrep OSS") && reason.contains("semgrep.sarif"),
            "{reason}"
        );
    }
}

#[test]
fn a_grype_or_trivy_sarif_log_is_sca_not_sast() {
    let dir = tempfile::tempdir().unwrap();
    for tool in ["Grype", "Trivy"] {
        let file = write(&dir, &format!("{tool}.sarif"), &sarif(tool));
        // Given as a SAST report: refused as the SCA report it is (exit 2), never counted as SAST.
        let (code, _, all) = gates(&["--sarif", &file, "--require-gate", "sast"]);
        assert_eq!(code, 2, "{tool}: {all}");
        assert!(
            all.contains("is a sca report") && all.contains("--sca"),
            "{all}"
        );
        // Given as SCA: accepted, tabled as SCA, and satisfies an SCA requirement by name.
        let want = format!("sca:{}", tool.to_lowercase());
        let (code, v, all) = gates(&["--sca", &file, "--require-gate", &want]);
        assert_eq!(code, 0, "{tool}: {all}");
        assert_eq!(v["gates"][0]["gate"], "sca", "{all}");
        // And it never satisfies a SAST requirement.
        let (code, v, all) = gates(&["--sca", &file, "--require-gate", "sast"]);
        assert_eq!(code, 1, "{tool}: {all}");
        assert!(check(&v, "gate-missing").is_some(), "{all}");
    }
}

#[test]
fn readme_lists_the_gate_tool_table() {
    // README.md's "Gate tool names" table is the documentation of TOOLS: same tools, same
    // aliases, same kinds.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("#### Gate tool names")
        .expect("README has a Gate tool names section");
    let rows: Vec<&str> = readme[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .collect();
    let tools = provenant_formats::gate::tools::TOOLS;
    assert_eq!(rows.len(), tools.len(), "{rows:#?}");
    for (row, tool) in rows.iter().zip(tools) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        let names = |s: &str| -> Vec<String> {
            s.split(',')
                .map(|n| n.trim().trim_matches('`').to_owned())
                .filter(|n| !n.is_empty() && n != "—")
                .collect()
        };
        assert_eq!(names(cells[0]), vec![tool.name.to_owned()], "{row}");
        assert_eq!(names(cells[1]), tool.aliases.to_vec(), "{row}");
        assert_eq!(cells[2], tool.kind.as_str(), "{row}");
    }
}
