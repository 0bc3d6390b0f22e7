//! Issue 14, class 5: no evidence string can forge output. Hostile strings go in through real
//! evidence (a SARIF gate report, a signed SLSA provenance, an SBOM, an unreadable path) and
//! come out through the binary in every format: no raw ESC, CR, BEL, C1, bidi or invisible
//! character, and no forged line, in any of them.

use serde_json::{json, Value};

use provenant_testkit::{Content, GithubClaims, MintSpec, TestPki, GITHUB_ACTIONS_ISSUER};

use crate::support::{provenant, run};

const SHIPPED: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

/// A terminal screen clear and cursor home, then a fake verdict.
const CLEAR_AND_PASS: &str = "\u{1b}[2J\u{1b}[HPASS";
/// A line that would read as a verified chain link in `provenance` text.
const FORGED_LINK: &str = "\n  [verified] builder https://evil";

/// Characters that must never reach any output as themselves.
fn hidden(c: char) -> bool {
    provenant_report::sanitize::is_hidden(c)
}

/// Every hidden character in `s` but the line breaks between the renderer's own lines.
fn assert_clean(what: &str, s: &str) {
    let bad: Vec<(usize, char)> = s
        .char_indices()
        .filter(|&(_, c)| c != '\n' && hidden(c))
        .collect();
    assert!(bad.is_empty(), "{what}: raw {bad:?} in:\n{s}");
}

/// A SARIF report from a scanner that names itself with a screen clear and a fake PASS, has
/// a rule id with a CR and a message with a RIGHT-TO-LEFT OVERRIDE.
fn hostile_sarif() -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": CLEAR_AND_PASS, "semanticVersion": "1\u{7}\r\nPASS",
                "rules": [{"id": "js/xss\r", "properties": {"security-severity": "7.5"}}]}},
            "versionControlProvenance": [{"repositoryUri": "https://github.com/o/app\u{202e}",
                "revisionId": SHIPPED, "branch": "main\u{2066}"}],
            "invocations": [{"executionSuccessful": true, "startTimeUtc": "2026-05-01T10:00:00Z",
                "endTimeUtc": "2026-05-01T11:00:00Z"}],
            "results": [{"ruleId": "js/xss\r", "ruleIndex": 0, "level": "error",
                "message": {"text": "XSS \u{202e}gnp.exe\u{9b}2J"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/a\u{1b}.js"},
                    "region": {"startLine": 3}}}]}]
        }]
    })
}

#[test]
fn a_hostile_sarif_gate_report_cannot_forge_any_format() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("scan.sarif");
    std::fs::write(&sarif, serde_json::to_vec_pretty(&hostile_sarif()).unwrap()).unwrap();
    let sarif = sarif.to_str().unwrap();
    let file = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let formats = [
        ("json", "r.json"),
        ("markdown", "r.md"),
        ("html", "r.html"),
        ("junit", "r.xml"),
        ("sarif", "r.sarif"),
    ];
    let mut cmd = provenant();
    cmd.args(["gates", "--commit", SHIPPED, "--sarif", sarif]);
    cmd.args(["--max-high", "0"]);
    for (f, n) in formats {
        cmd.args(["--format", &format!("{f}={}", file(n))]);
    }
    let (rc, out, err) = run(&mut cmd);
    // The high finding fails the gate; the verdict is decided by the checks, not the names.
    assert_eq!(rc, 1, "{out}{err}");
    assert_clean("gates text", &out);
    assert_clean("gates stderr", &err);
    assert!(out.starts_with("FAIL"), "{out}");
    assert!(
        !out.lines()
            .skip(1)
            .any(|l| l.trim_start().starts_with("PASS")),
        "a forged PASS line:\n{out}"
    );
    // The tool name is there, visibly escaped: an auditor sees what the scanner called itself.
    assert!(out.contains(r"\u{1b}[2J\u{1b}[HPASS"), "{out}");

    let report: Value = serde_json::from_str(&std::fs::read_to_string(file("r.json")).unwrap())
        .expect("the JSON report parses");
    // JSON keeps the exact value (escaped as \u001b in the bytes).
    assert_eq!(report["gates"][0]["tool"], CLEAR_AND_PASS);
    let failed: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "fail")
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert!(
        failed.contains(&"gate-findings-over-threshold"),
        "{failed:?}"
    );
    for (f, n) in formats {
        let text = std::fs::read_to_string(file(n)).unwrap();
        assert_clean(f, &text);
    }
    let md = std::fs::read_to_string(file("r.md")).unwrap();
    assert!(
        !md.lines().any(|l| l.starts_with("PASS")),
        "a forged markdown line:\n{md}"
    );
}

fn pki() -> &'static TestPki {
    static PKI: std::sync::OnceLock<TestPki> = std::sync::OnceLock::new();
    PKI.get_or_init(|| TestPki::new(41))
}

/// A validly signed SLSA provenance whose `builder.id` carries a newline and a forged verified
/// line, a screen clear and a bidi override (a raw U+202E in the signed JSON). Returns the
/// flags that verify it: the subject digest, the bundle, the trusted root and the identity.
fn hostile_provenance(dir: &tempfile::TempDir) -> Vec<String> {
    let claims = GithubClaims::default();
    let mut spec = MintSpec {
        identity: claims.identity(),
        github: Some(claims),
        ..MintSpec::default()
    }
    .dsse();
    let honest = "https://github.com/actions/runner/github-hosted";
    let evil = format!("{honest}{FORGED_LINK}{CLEAR_AND_PASS}\u{202e}");
    let st = spec.statement_json();
    assert!(st.contains(honest));
    let st = st.replacen(
        &format!("\"{honest}\""),
        &serde_json::to_string(&evil).unwrap(),
        1,
    );
    spec.content = Content::Dsse {
        statement_json: Some(st),
    };
    let bundle = dir.path().join("provenance.sigstore.json");
    std::fs::write(&bundle, pki().mint(&spec).bundle_json).unwrap();
    let root = dir.path().join("trusted_root.json");
    std::fs::write(&root, pki().trusted_root_json()).unwrap();
    let (digests, _) = provenant_verify::digest_reader(
        provenant_testkit::DEFAULT_ARTIFACT,
        &[provenant_model::DigestAlgorithm::Sha256],
    )
    .unwrap();
    let provenant_testkit::Identity::Uri(identity) = GithubClaims::default().identity() else {
        panic!("a workflow identity is a URI")
    };
    [
        "--digest",
        &digests[0].to_string(),
        "--bundle",
        &bundle.to_string_lossy(),
        "--trusted-root",
        &root.to_string_lossy(),
        "--certificate-identity",
        &identity,
        "--certificate-oidc-issuer",
        GITHUB_ACTIONS_ISSUER,
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn a_signed_builder_id_cannot_forge_a_verified_line_in_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let flags = hostile_provenance(&dir);
    let base = || {
        let mut c = provenant();
        c.arg("provenance").args(&flags);
        c
    };
    let file = |n: &str| dir.path().join(n).to_string_lossy().into_owned();

    // The chain as text: the signature is valid, so the chain is verified, and the builder id
    // is shown on its own line, escaped: exactly one [verified] line.
    let (rc, out, err) = run(&mut base());
    assert_eq!(rc, 0, "{out}{err}");
    assert_clean("provenance text", &out);
    assert_eq!(
        out.lines().filter(|l| l.contains("[verified]")).count(),
        2,
        "one chain line, one escaped copy inside the build line:\n{out}"
    );
    assert_eq!(
        out.lines()
            .filter(|l| l.trim_start().starts_with("[verified]"))
            .count(),
        1,
        "a forged [verified] line:\n{out}"
    );
    let build = out
        .lines()
        .find(|l| l.trim_start().starts_with("build"))
        .unwrap();
    assert!(
        build.contains(
            r"github-hosted\n  [verified] builder https://evil\u{1b}[2J\u{1b}[HPASS\u{202e}"
        ),
        "{build}"
    );

    // Mermaid: one node per line, the label's syntax escaped.
    let (rc, mermaid, _) = run(base().args(["--format", "mermaid"]));
    assert_eq!(rc, 0);
    assert_clean("mermaid", &mermaid);
    let b0 = mermaid
        .lines()
        .find(|l| l.trim_start().starts_with("B0["))
        .unwrap();
    assert!(b0.ends_with("\"]") && b0.matches('"').count() == 2, "{b0}");
    assert!(
        !mermaid.lines().any(|l| l.contains("[verified] builder")),
        "{mermaid}"
    );
    assert!(
        !b0.contains('<') || b0.matches('<').count() == 2,
        "only our <br/>: {b0}"
    );

    // JSON: the exact value, escaped in the bytes.
    let (rc, chain, _) = run(base().args(["--format", "json"]));
    assert_eq!(rc, 0);
    assert_clean("provenance json", &chain);
    let v: Value = serde_json::from_str(&chain).unwrap();
    assert!(v["chains"][0]["build"]["builder_id"]
        .as_str()
        .unwrap()
        .ends_with(&format!("{FORGED_LINK}{CLEAR_AND_PASS}\u{202e}")));

    // Every report format, from the same run.
    let mut cmd = base();
    for (f, n) in [
        ("markdown", "p.md"),
        ("html", "p.html"),
        ("junit", "p.xml"),
        ("sarif", "p.sarif"),
        ("vsa", "p.vsa.json"),
    ] {
        cmd.args(["--format", &format!("{f}={}", file(n))]);
    }
    let (rc, out, err) = run(&mut cmd);
    assert_eq!(rc, 0, "{out}{err}");
    for n in ["p.md", "p.html", "p.xml", "p.sarif", "p.vsa.json"] {
        let text = std::fs::read_to_string(file(n)).unwrap();
        assert_clean(n, &text);
        assert!(
            !text.contains("\n  [verified] builder"),
            "{n}: a forged line:\n{text}"
        );
    }
    let md = std::fs::read_to_string(file("p.md")).unwrap();
    let row = md
        .lines()
        .find(|l| l.contains("builder https://evil"))
        .expect("the provenance row");
    assert_eq!(
        row.replace("\\|", "").matches('|').count(),
        7,
        "six cells: {row}"
    );
}

#[test]
fn sbom_diff_and_inspect_text_show_hostile_names_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let sbom = |name: &str, version: &str| {
        json!({
            "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "metadata": {"component": {"type": "application", "name": "app", "version": "1"}},
            "components": [{"type": "library", "name": name, "version": version, "bom-ref": "a"}]
        })
    };
    let old = dir.path().join("old.cdx.json");
    let new = dir.path().join("new.cdx.json");
    std::fs::write(&old, sbom("left-pad", "1.0.0").to_string()).unwrap();
    std::fs::write(
        &new,
        sbom(
            &format!("left-pad{CLEAR_AND_PASS}"),
            "1.0.1\n  - forged 0\u{202e}",
        )
        .to_string(),
    )
    .unwrap();
    let (rc, out, err) =
        run(provenant().args(["sbom", "diff", old.to_str().unwrap(), new.to_str().unwrap()]));
    assert!(rc == 0, "{out}{err}");
    assert_clean("sbom diff", &out);
    assert!(
        !out.lines().any(|l| l.trim_start().starts_with("- forged")),
        "{out}"
    );
    assert!(out.contains(r"left-pad\u{1b}[2J\u{1b}[HPASS"), "{out}");
    let (rc, json, _) = run(provenant().args([
        "sbom",
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(rc, 0);
    assert_clean("sbom diff json", &json);
    assert!(json.contains("\\u001b[2J"), "{json}");

    // inspect: the SARIF's tool name is a fact; text shows it escaped, JSON keeps it.
    let sarif = dir.path().join("scan.sarif");
    std::fs::write(&sarif, serde_json::to_vec(&hostile_sarif()).unwrap()).unwrap();
    for format in ["text", "json"] {
        let (rc, out, err) =
            run(provenant().args(["inspect", sarif.to_str().unwrap(), "--format", format]));
        assert!(rc == 0 || rc == 1, "{out}{err}");
        assert_clean("inspect", &out);
        assert_clean("inspect stderr", &err);
    }
}

#[test]
fn error_messages_quote_evidence_on_one_clean_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join(format!("missing{CLEAR_AND_PASS}\u{202e}\nforged"));
    let (rc, out, err) = run(provenant().args(["inspect", path.to_str().unwrap()]));
    assert_eq!(rc, 2, "{out}{err}");
    assert_clean("error", &err);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains(r"\u{1b}[2J"),
        "{err}"
    );
}

/// The GitHub Action's report helper (scripts/action/report.py) writes annotations and a
/// fallback summary from the JSON report: it must hide nothing provenant's renderers hide.
#[test]
fn the_action_helper_hides_exactly_what_the_renderers_hide() {
    let dir = crate::support::root().join("scripts/action");
    let script = "import sys; sys.path.insert(0, sys.argv[1]); import report; \
        print(' '.join('%x' % u for u in range(0x110000) \
        if not 0xD800 <= u <= 0xDFFF and report.hidden(chr(u))))";
    let (rc, out, err) = run(std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&dir));
    assert_eq!(rc, 0, "{err}");
    let python: Vec<u32> = out
        .split_whitespace()
        .map(|h| u32::from_str_radix(h, 16).unwrap())
        .collect();
    let rust: Vec<u32> = (0..=0x10FFFF)
        .filter_map(char::from_u32)
        .filter(|&c| hidden(c))
        .map(u32::from)
        .collect();
    assert_eq!(python, rust);
}

#[test]
fn print_provenance_keeps_the_statement_value_but_no_hidden_character() {
    let dir = tempfile::tempdir().unwrap();
    let flags = hostile_provenance(&dir);
    let (rc, out, err) = run(provenant()
        .args(["verify", "artifact"])
        .args(&flags)
        .args(["--print-provenance"]));
    assert_eq!(rc, 0, "{out}{err}");
    // The signed statement holds a raw U+202E (JSON allows it); stdout does not.
    assert_clean("--print-provenance", &out);
    assert_clean("report on stderr", &err);
    assert_eq!(out.lines().count(), 1, "{out}");
    let st: Value = serde_json::from_str(&out).unwrap();
    assert!(st["predicate"]["runDetails"]["builder"]["id"]
        .as_str()
        .unwrap()
        .ends_with(&format!("{FORGED_LINK}{CLEAR_AND_PASS}\u{202e}")));
}

#[test]
fn policy_lint_quotes_a_hostile_key_on_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        "apiVersion: provenant.dev/v1\n\"evil\\e[2J\\u202e\\nwarning: forged\": 1\n",
    )
    .unwrap();
    let (rc, out, err) = run(provenant().args(["policy", "lint", policy.to_str().unwrap()]));
    assert_eq!(rc, 1, "{out}{err}");
    assert_clean("policy lint", &out);
    assert!(
        !out.lines().any(|l| l.starts_with("warning: forged")),
        "{out}"
    );
    assert!(out.contains("evil"), "the key is quoted: {out}");
}
