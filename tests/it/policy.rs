//! Policy files (`--policy`, `provenant policy init|lint`) and Rego (`--rego`): parsing of every
//! example, lint findings with line numbers, a policy that passes and ones that fail the bundled
//! release, flags over the file, and Rego deny / allow / error.

use serde_json::Value;

use provenant_policy::{lint_policy, parse_policy, Severity, STARTER_POLICY};

use crate::support::{provenant, root, run};

const ARTIFACT: &str = "testdata/release/hello-provenant.txt";
const TRUST: &str = "testdata/trust/trusted_root.json";
const PROVENANCE: &str = "testdata/release/hello-provenant.intoto.sigstore.json";
const IDENTITY: &str =
    "https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
const EXAMPLE: &str = "attestations/examples/github-keyless-release.yaml";
/// Waivers in the examples are dated against this.
const NOW: &str = "2026-06-01T00:00:00Z";

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// `verify artifact` on the bundled release with `args`, the JSON report parsed.
fn verify(args: &[&str]) -> (i32, Value, String) {
    let mut all = vec![
        "verify",
        "artifact",
        ARTIFACT,
        "--trusted-root",
        TRUST,
        "--format",
        "json",
    ];
    all.extend_from_slice(args);
    let (code, out, err) = run(provenant().current_dir(root()).args(&all));
    let v = serde_json::from_str(&out).unwrap_or(Value::Null);
    (code, v, format!("{out}{err}"))
}

fn with_outcome(v: &Value, outcome: &str) -> Vec<String> {
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

fn check<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["checks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["code"] == code))
        .unwrap_or(&Value::Null)
}

fn lint(text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "policy.yaml", text);
    let (code, out, err) = run(provenant().args(["policy", "lint", &p]));
    (code, format!("{out}{err}"))
}

fn policy(body: &str) -> String {
    format!("apiVersion: provenant.dev/v1\n{body}")
}

const GOOD_SIGNER: &str = "signers:
  - issuer: https://token.actions.githubusercontent.com
    identity: https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0
";

#[test]
fn every_example_parses_and_lints_clean() {
    let dir = root().join("attestations/examples");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        n += 1;
        let bytes = std::fs::read(&p).unwrap();
        let doc = parse_policy(&bytes).unwrap_or_else(|e| panic!("{}: {e:?}", p.display()));
        assert_eq!(doc.api_version, "provenant.dev/v1");
        let d = lint_policy(&bytes, NOW.parse().unwrap());
        assert!(d.is_empty(), "{}: {d:#?}", p.display());
    }
    assert!(n >= 3, "the examples are missing");
    assert!(lint_policy(STARTER_POLICY.as_bytes(), NOW.parse().unwrap()).is_empty());
    // Every key the examples use is one the schema documents.
    let schema: Value = serde_json::from_slice(
        &std::fs::read(root().join("attestations/policy.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema["properties"]["apiVersion"]["const"],
        "provenant.dev/v1"
    );
}

#[test]
fn init_writes_a_policy_that_lints_clean_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(provenant().args(["policy", "init", "--repo", "org/app.js"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("identityRegexp: ^https://github\\.com/org/app\\.js/"),
        "{out}"
    );
    assert!(out.contains("repository: github.com/org/app.js"), "{out}");
    assert!(lint_policy(out.as_bytes(), NOW.parse().unwrap()).is_empty());
    let p = dir.path().join("p.yaml");
    let ps = p.to_string_lossy().into_owned();
    let (code, _, _) = run(provenant().args(["policy", "init", "--out", &ps]));
    assert_eq!(code, 0);
    std::fs::write(&p, "mine").unwrap();
    let (code, _, err) = run(provenant().args(["policy", "init", "--out", &ps]));
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "mine");
    let (code, _, _) = run(provenant().args(["policy", "init", "--out", &ps, "--force"]));
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), STARTER_POLICY);
    let (code, _, _) = run(provenant().args(["policy", "init", "--repo", "not a repo"]));
    assert_eq!(code, 2);
}

#[test]
fn lint_reports_unknown_keys_with_their_line() {
    let (code, out) = lint(&policy(
        "signers:\n  - issuer: https://token.actions.githubusercontent.com\n    identiy: x\nsbom:\n  reqired: true\n",
    ));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("policy.yaml:4: error: unknown key \"identiy\""),
        "{out}"
    );
    assert!(
        out.contains("policy.yaml:6: error: unknown key \"reqired\""),
        "{out}"
    );
    // A wrong type, an unknown value.
    let (code, out) = lint(&policy("threshold: two\nlayout:\n  inspections: maybe\n"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("policy.yaml:2: error:"), "{out}");
    assert!(out.contains("policy.yaml:4: error:"), "{out}");
    // The wrong version.
    let (code, out) = lint("apiVersion: provenant.dev/v2\n");
    assert_eq!(code, 1);
    assert!(out.contains(":1: error: apiVersion must be"), "{out}");
}

#[test]
fn lint_warns_about_unanchored_identity_regexps_and_unescaped_dots() {
    let (code, out) = lint(&policy(
        "signers:\n  - issuer: https://token.actions.githubusercontent.com\n    identityRegexp: https://github.com/org/.*\n",
    ));
    assert_eq!(code, 0, "warnings alone pass: {out}");
    assert!(out.contains("policy.yaml:4: warning: regexp"), "{out}");
    assert!(out.contains("not anchored"), "{out}");
    assert!(out.contains("unescaped '.' in \"github.com\""), "{out}");
    assert!(out.contains("also accepts"), "{out}");
    assert!(out.contains("0 error(s), 3 warning(s)"), "{out}");
    // Anchored and escaped: clean.
    let (code, out) = lint(&policy(
        "signers:\n  - issuer: https://token.actions.githubusercontent.com\n    identityRegexp: ^https://github\\.com/org/app/\\.github/workflows/release\\.yml@refs/tags/.*$\n",
    ));
    assert_eq!(code, 0);
    assert!(out.contains("0 error(s), 0 warning(s)"), "{out}");
    // A regexp that accepts anyone is an error.
    let (code, out) = lint(&policy(
        "signers:\n  - issuer: https://token.actions.githubusercontent.com\n    identityRegexp: ^.*$\n",
    ));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(":4: error:") && out.contains("accepts any identity"),
        "{out}"
    );
}

fn lint_with(text: &str, extra: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "policy.yaml", text);
    let mut args = vec!["policy", "lint", p.as_str()];
    args.extend_from_slice(extra);
    let (code, out, err) = run(provenant().args(args));
    (code, format!("{out}{err}"))
}

/// Issue 14, class 11: identity regexps that also accept another host, owner, repository or
/// workflow file are found by probing them with synthetic hostile identities; `--strict` refuses.
#[test]
fn lint_probes_identity_regexps_with_hostile_identities() {
    let signer = |re: &str| {
        policy(&format!(
            "signers:\n  - issuer: https://token.actions.githubusercontent.com\n    identityRegexp: '{re}'\n"
        ))
    };
    for re in [
        "^https://.*$",
        "^.*release\\.yml.*$",
        "^https://github\\.com/[^/]+/app/\\.github/workflows/release\\.yml@refs/tags/v.*$",
        "^https://github\\.com/org/.*/\\.github/workflows/release\\.yml@refs/tags/v.*$",
        "^https://github\\.com/org/app/\\.github/workflows/release\\.yml.*@refs/tags/v1$",
        "^https://[a-z.]+/org/app/\\.github/workflows/release\\.yml@refs/tags/v1$",
    ] {
        let (code, out) = lint_with(&signer(re), &[]);
        assert_eq!(code, 0, "a warning, not an error, without --strict: {out}");
        assert!(
            out.contains("warning: identity regexp") && out.contains("also accepts"),
            "{re}: {out}"
        );
        assert!(!out.contains("the policy can be used; refused"), "{out}");
        let (code, out) = lint_with(&signer(re), &["--strict"]);
        assert_eq!(code, 1, "{re}: refused under --strict: {out}");
        assert!(out.contains("refused under --strict"), "{out}");
    }
    // A pinned identity lints clean, also under --strict.
    let pinned = signer(
        "^https://github\\.com/org/app/\\.github/workflows/release\\.yml@refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+$",
    );
    let (code, out) = lint_with(&pinned, &["--strict"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("0 error(s), 0 warning(s); the policy can be used"),
        "{out}"
    );
}

#[test]
fn lint_finds_impossible_rules() {
    for (body, line, what) in [
        ("signers:\n  - key: a.pub\nthreshold: 2\n", 4, "can never reach a threshold of 2"),
        ("signers: []\n", 2, "less than 1 item"),
        (
            "signers:\n  - key: a.pub\n  - issuer: https://x\n    identity: y\n",
            2,
            "keys and keyless signers are mixed",
        ),
        (
            "signers:\n  - issuer: https://a\n    identity: x\n  - issuer: https://b\n    identity: y\n",
            2,
            "different issuers",
        ),
        (
            "signers:\n  - issuer: https://x\n    identity: y\nthreshold: 1\n",
            5,
            "keyless signers have none",
        ),
        (
            "source:\n  signerWorkflow: github.com/o/r/.github/workflows/r.yml\n  refs:\n    tags: [v1.0.0]\n  ref: refs/heads/main\n",
            6,
            "none of the refs source.refs allows",
        ),
        (
            "source:\n  signerRepo: o/r\n  commit: 4d329c75e7ec1725f7c9ce917a8799d408d06be3\n  sourceDigest: 5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5\n",
            5,
            "different commits",
        ),
        (
            "source:\n  signerRepo: o/r\n  refs:\n    versionedTags: [main]\n",
            5,
            "no tag can match it",
        ),
        (
            "signers:\n  - key: a.pub\nprovenance:\n  required: true\n  predicateTypes: [https://spdx.dev/Document]\n",
            6,
            "no SLSA provenance predicate type",
        ),
        (
            "signers:\n  - key: a.pub\ngates:\n  required: [pentest]\n",
            5,
            "write a gate as sast, sca, dast or ci-run",
        ),
    ] {
        let (code, out) = lint(&policy(body));
        assert_eq!(code, 1, "{body}: {out}");
        assert!(
            out.contains(&format!("policy.yaml:{line}: error:")) && out.contains(what),
            "{body}: expected line {line} and {what:?}: {out}"
        );
    }
}

#[test]
fn lint_flags_expired_waivers_duplicates_and_contradicting_thresholds() {
    let (code, out) = lint(&policy(&format!(
        "{GOOD_SIGNER}waivers:\n  - id: CVE-2020-1\n    reason: r\n    approver: a\n    expires: 2020-01-01\n"
    )));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("policy.yaml:9: error: waiver \"CVE-2020-1\" expired"),
        "{out}"
    );
    let (code, out) = lint(&policy(&format!(
        "{GOOD_SIGNER}threshold: 1\nthreshold: 2\n"
    )));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("policy.yaml:6: error: duplicate key \"threshold\" (first at line 5)"),
        "{out}"
    );
    let (code, out) = lint(&policy(&format!(
        "{GOOD_SIGNER}gates:\n  required: [sast]\n  thresholds: {{critical: 3, high: 0}}\n"
    )));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(":7: warning: critical: 3 never decides anything"),
        "{out}"
    );
}

#[test]
fn lint_exit_codes_for_unreadable_and_malformed_files() {
    let (code, _, err) = run(provenant().args(["policy", "lint", "/nonexistent/policy.yaml"]));
    assert_eq!(code, 2, "{err}");
    let (code, out) = lint("apiVersion: provenant.dev/v1\nsigners:\n  - key: a\n  foo: [\n");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not valid YAML"), "{out}");
    let (code, out) = lint("apiVersion: provenant.dev/v1\ndescription: !custom x\n");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("tag"), "{out}");
    let (code, out) = lint("");
    assert_eq!(code, 1, "{out}");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bin.yaml");
    std::fs::write(&p, b"\xff\xfe\x00garbage").unwrap();
    let (code, _, err) = run(provenant().args(["policy", "lint", &p.to_string_lossy()]));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_policy_that_matches_the_release_passes_and_is_named_in_the_report() {
    let (code, v, all) = verify(&["--policy", EXAMPLE]);
    assert_eq!(code, 0, "{all}");
    let c = check(&v, "policy-loaded");
    assert_eq!(c["outcome"], "pass", "{all}");
    let digest = c["evidence"][0]["digest"].as_str().unwrap_or_default();
    assert!(digest.starts_with("sha256:") && digest.len() == 71, "{c}");
    for code in [
        "signer-identity-matches",
        "source-repository-matches",
        "signer-workflow-matches",
        "runner-hosted",
    ] {
        assert_eq!(check(&v, code)["outcome"], "pass", "{code}: {all}");
    }
    crate::schema::assert_report_valid(&serde_json::to_string(&v).unwrap());
    // The same for `provenance` (the chain JSON), and its exit code.
    let (code, out, err) = run(provenant().current_dir(root()).args([
        "provenance",
        ARTIFACT,
        "--trusted-root",
        TRUST,
        "--policy",
        EXAMPLE,
    ]));
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_policy_naming_another_signer_fails_a_release_that_passes_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = write(
        &dir,
        "wrong.yaml",
        &policy("signers:\n  - issuer: https://token.actions.githubusercontent.com\n    identity: https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v2.0.0\n"),
    );
    let (code, _, all) = verify(&[
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_eq!(code, 0, "{all}");
    let (code, v, all) = verify(&["--policy", &wrong]);
    assert_eq!(code, 1, "{all}");
    assert!(
        with_outcome(&v, "fail").contains(&"signer-identity-mismatch".to_owned()),
        "{all}"
    );
    // Other single rules of a policy each fail the same release.
    for (body, code_expected) in [
        ("source:\n  repo: provenant-test/other\n", "source-repository-mismatch"),
        ("source:\n  owner: someone-else\n  signerRepo: someone-else/app\n", "repository-owner-mismatch"),
        ("source:\n  signerWorkflow: github.com/provenant-test/app/.github/workflows/release.yml\n  refs:\n    branches: [main]\n", "source-ref-mismatch"),
        ("provenance:\n  required: true\n", "provenance-missing"),
    ] {
        let p = write(&dir, "rule.yaml", &policy(&format!("{GOOD_SIGNER}{body}")));
        let (code, v, all) = verify(&["--policy", &p]);
        assert_eq!(code, 1, "{body}: {all}");
        assert!(with_outcome(&v, "fail").contains(&code_expected.to_owned()), "{body}: {all}");
    }
}

#[test]
fn flags_win_over_the_policy_file() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = write(
        &dir,
        "wrong.yaml",
        &policy("signers:\n  - issuer: https://token.actions.githubusercontent.com\n    identity: https://github.com/someone/else/.github/workflows/release.yml@refs/tags/v1.0.0\n"),
    );
    // The flag's identity replaces the file's signers.
    let (code, v, all) = verify(&[
        "--policy",
        &wrong,
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(check(&v, "policy-loaded")["outcome"], "pass");
    // And the other way round: a wrong flag over a right file fails.
    let (code, v, all) = verify(&[
        "--policy",
        EXAMPLE,
        "--certificate-identity",
        "https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v9.9.9",
    ]);
    assert_eq!(code, 1, "{all}");
    assert!(with_outcome(&v, "fail").contains(&"signer-identity-mismatch".to_owned()));
    // A ref flag replaces the file's refs.
    let refs = write(
        &dir,
        "refs.yaml",
        &policy(&format!(
            "{GOOD_SIGNER}source:\n  refs:\n    branches: [main]\n"
        )),
    );
    let (code, _, all) = verify(&["--policy", &refs]);
    assert_eq!(code, 1, "{all}");
    let (code, _, all) = verify(&["--policy", &refs, "--source-tag", "v1.0.0"]);
    assert_eq!(code, 0, "{all}");
}

#[test]
fn listed_alternatives_pass_when_one_holds() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(
        &dir,
        "ok.yaml",
        &policy(&format!(
            "{GOOD_SIGNER}builders:\n  - https://example.com/other-builder\n  - https://github.com/actions/runner/github-hosted\nsource:\n  refs:\n    tags: [v9.9.9]\n    versionedTags: [v1]\nprovenance:\n  required: true\n  predicateTypes: [https://slsa.dev/provenance/v0.2, https://slsa.dev/provenance/v1]\n"
        )),
    );
    let (code, v, all) = verify(&["--policy", &ok, "--provenance", PROVENANCE]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(check(&v, "provenance-present")["outcome"], "pass", "{all}");
    assert_eq!(check(&v, "builder-id-matches")["outcome"], "pass", "{all}");
    let bad = write(
        &dir,
        "bad.yaml",
        &policy(&format!(
            "{GOOD_SIGNER}builders:\n  - https://example.com/a\n  - https://example.com/b\n"
        )),
    );
    let (code, v, all) = verify(&["--policy", &bad, "--provenance", PROVENANCE]);
    assert_eq!(code, 1, "{all}");
    let c = check(&v, "builder-id-mismatch");
    assert_eq!(c["outcome"], "fail", "{all}");
    assert!(
        c["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("none of the 2 allowed"),
        "{c}"
    );
}

#[test]
fn key_paths_are_relative_to_the_policy_file() {
    let dir = tempfile::tempdir().unwrap();
    let pem = std::fs::read_to_string(root().join("testdata/keys/cosign.pub")).unwrap();
    write(&dir, "keys/release.pub", &pem);
    // A detached key signature has no log entry: the policy accepts that explicitly (issue 13,
    // class 11), and the report records the opt-out.
    let p = write(
        &dir,
        "policy.yaml",
        &policy("signers:\n  - key: keys/release.pub\ninsecureIgnoreTlog: true\n"),
    );
    let (code, v, all) = verify(&[
        "--policy",
        &p,
        "--bundle",
        "testdata/release/hello-provenant.txt.sig",
    ]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(check(&v, "signature-valid")["outcome"], "pass", "{all}");
    assert_eq!(check(&v, "opt-out-used")["outcome"], "warn", "{all}");
    assert_eq!(v["opt_outs"][0]["name"], "insecure-ignore-tlog", "{all}");
    let strict = write(
        &dir,
        "strict.yaml",
        &policy("signers:\n  - key: keys/release.pub\n"),
    );
    let (code, v, all) = verify(&[
        "--policy",
        &strict,
        "--bundle",
        "testdata/release/hello-provenant.txt.sig",
    ]);
    assert_eq!(code, 1, "{all}");
    assert_eq!(check(&v, "tlog-entry-missing")["outcome"], "fail", "{all}");
    // The threshold is impossible with one key: refused before verifying (exit 2).
    let p = write(
        &dir,
        "policy.yaml",
        &policy("signers:\n  - key: keys/release.pub\nthreshold: 2\n"),
    );
    let (code, _, all) = verify(&[
        "--policy",
        &p,
        "--bundle",
        "testdata/release/hello-provenant.txt.sig",
    ]);
    assert_eq!(code, 2, "{all}");
    assert!(
        all.contains("line 4") && all.contains("policy lint"),
        "{all}"
    );
}

#[test]
fn an_unusable_policy_is_refused_on_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "bad.yaml", &policy("signres: []\n"));
    let (code, _, all) = verify(&["--policy", &p]);
    assert_eq!(code, 2, "{all}");
    assert!(
        all.contains("line 2") && all.contains("unknown key \"signres\""),
        "{all}"
    );
    for args in [
        vec!["provenance", ARTIFACT, "--policy", &p],
        vec![
            "verify",
            "image",
            "oci-layout:/nonexistent:v1",
            "--policy",
            &p,
        ],
        vec![
            "gates",
            "--commit",
            "4d329c75e7ec1725f7c9ce917a8799d408d06be3",
            "--policy",
            &p,
        ],
    ] {
        let (code, out, err) = run(provenant().current_dir(root()).args(&args));
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains("signres"), "{args:?}: {err}");
    }
    let (code, _, all) = verify(&["--policy", "/nonexistent.yaml"]);
    assert_eq!(code, 2, "{all}");
}

/// The Rego module `src` (written as `name`) fails the run with rego-error alone, exit 1.
fn assert_rego_error(dir: &tempfile::TempDir, name: &str, src: &str) {
    let p = write(dir, name, src);
    let (code, v, all) = verify(&["--policy", EXAMPLE, "--rego", &p]);
    assert_eq!(code, 1, "{name}: {all}");
    assert_eq!(
        with_outcome(&v, "fail"),
        vec!["rego-error".to_owned()],
        "{name}: {all}"
    );
    assert_eq!(v["verdict"], "fail");
}

#[test]
fn rego_deny_fails_allow_passes_and_errors_never_pass() {
    let dir = tempfile::tempdir().unwrap();
    let deny = write(
        &dir,
        "deny.rego",
        "package provenant\n\ndeny contains msg if {\n\tsome s in input.verified_signatures\n\tendswith(s.signer.san, \"@refs/tags/v1.0.0\")\n\tmsg := \"v1.0.0 is withdrawn\"\n}\n",
    );
    let (code, v, all) = verify(&["--policy", EXAMPLE, "--rego", &deny]);
    assert_eq!(code, 1, "{all}");
    let c = check(&v, "rego-denied");
    assert_eq!(c["outcome"], "fail");
    assert_eq!(c["reason"], "v1.0.0 is withdrawn");
    assert!(c["evidence"][0]["location"]
        .as_str()
        .unwrap_or_default()
        .ends_with("deny.rego"));
    crate::schema::assert_report_valid(&serde_json::to_string(&v).unwrap());

    let (code, v, all) = verify(&[
        "--policy",
        EXAMPLE,
        "--rego",
        "attestations/examples/release.rego",
    ]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(check(&v, "rego-passed")["outcome"], "pass");

    for (name, src) in [
        ("syntax.rego", "package provenant\ndeny contains msg if {\n"),
        (
            "v0.rego",
            "package provenant\ndeny[msg] { msg := \"x\"; false }\n",
        ),
        ("nodeny.rego", "package provenant\nallow := true\n"),
        (
            "package.rego",
            "package other\ndeny contains \"x\" if { false }\n",
        ),
        (
            "type.rego",
            "package provenant\ndeny contains msg if { msg := concat(\",\", input.subject) }\n",
        ),
    ] {
        assert_rego_error(&dir, name, src);
    }
    // An unreadable Rego file is a usage error.
    let (code, _, all) = verify(&["--policy", EXAMPLE, "--rego", "/nonexistent.rego"]);
    assert_eq!(code, 2, "{all}");
}

/// Issue 13, class 8: Rego decides by `deny`'s value, not by the rule being there. A `deny`
/// that is undefined, null, false or anything but a set/array of messages is rego-error, and a
/// builtin that would allocate without bound (`numbers.range(1, 1e9)` ran 45 s and took 23 GB)
/// is refused: the run ends promptly, exit 1.
#[test]
fn rego_issue13_deny_value_and_exploding_builtins() {
    let dir = tempfile::tempdir().unwrap();
    for (name, src) in [
        (
            "undefined.rego",
            "package provenant\ndeny := x if { x := [\"withdrawn\"]; input.nothing }\n",
        ),
        ("null.rego", "package provenant\ndeny := null\n"),
        ("false.rego", "package provenant\ndeny := false\n"),
        ("object.rego", "package provenant\ndeny := {}\n"),
        (
            "range.rego",
            "package provenant\ndeny contains msg if { n := count(numbers.range(1, 1e9)); msg := sprintf(\"%d\", [n]) }\n",
        ),
        (
            "amplified.rego",
            "package provenant\ns := concat(\"\", [\"aaaaaaaaaa\" | some i in numbers.range(1, 100000)])\ndeny contains msg if { msg := concat(\"\", [s | some i in numbers.range(1, 100000)]) }\n",
        ),
    ] {
        assert_rego_error(&dir, name, src);
    }
    // The empty set (a partial rule no body matched) is a legitimate "nothing denied".
    let p = write(
        &dir,
        "empty.rego",
        "package provenant\ndeny contains \"x\" if { input.nothing }\n",
    );
    let (code, v, all) = verify(&["--policy", EXAMPLE, "--rego", &p]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(check(&v, "rego-passed")["outcome"], "pass");
}

#[test]
fn rego_and_the_policy_never_turn_a_failure_into_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let allow = write(
        &dir,
        "allow.rego",
        "package provenant\ndeny contains \"x\" if { false }\n",
    );
    // No identity at all: the signature is unconstrained, which fails.
    let (code, v, all) = verify(&["--rego", &allow]);
    assert_eq!(code, 1, "{all}");
    assert_eq!(check(&v, "rego-passed")["outcome"], "pass");
    assert_eq!(v["verdict"], "fail");
    // Rego sees the failure so far.
    let failed = write(
        &dir,
        "failed.rego",
        "package provenant\ndeny contains sprintf(\"saw %s\", [c]) if { some c in input.failed }\n",
    );
    let (code, v, all) = verify(&["--rego", &failed]);
    assert_eq!(code, 1, "{all}");
    // Every failure so far, the missing identity and (issue 13, class 11) the missing issuer.
    for want in [
        "saw signer-unconstrained",
        "saw signer-issuer-unconstrained",
    ] {
        assert!(
            v["checks"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["code"] == "rego-denied" && c["reason"] == want),
            "{want}: {all}"
        );
    }
}

#[test]
fn the_rego_input_example_is_what_rego_sees() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("input.json");
    let outs = out.to_string_lossy().into_owned();
    let (code, _, all) = verify(&[
        "--policy",
        EXAMPLE,
        "--provenance",
        PROVENANCE,
        "--write-rego-input",
        &outs,
    ]);
    assert_eq!(code, 0, "{all}");
    let have: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let example_path = root().join("attestations/examples/rego-input.json");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&example_path, std::fs::read(&out).unwrap()).unwrap();
    }
    let example: Value = serde_json::from_slice(&std::fs::read(&example_path).unwrap()).unwrap();
    let keys = |v: &Value| -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(
        keys(&have),
        keys(&example),
        "regenerate: UPDATE_DOCS=1 cargo test --test it policy"
    );
    for k in [
        "input_version",
        "subject",
        "verdict",
        "checks",
        "signatures",
        "verified_signatures",
        "provenance",
        "failed",
        "gates",
        "policy",
    ] {
        assert!(have.get(k).is_some(), "input lacks {k}");
    }
    assert_eq!(have["input_version"], 1);
    assert_eq!(
        have["provenance"][0]["builder_id"],
        "https://github.com/actions/runner/github-hosted"
    );
    assert_eq!(
        have["provenance"][0]["source_commit"],
        example["provenance"][0]["source_commit"]
    );
    assert_eq!(have["policy"]["path"], EXAMPLE);
}

#[test]
fn gates_policy_thresholds_and_waivers() {
    let dir = tempfile::tempdir().unwrap();
    const SHIPPED: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    let sarif = serde_json::json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "CodeQL", "rules": [{"id": "js/xss", "properties": {"security-severity": "7.5"}}]}},
            "versionControlProvenance": [{"repositoryUri": "https://github.com/o/app", "revisionId": SHIPPED}],
            "invocations": [{"executionSuccessful": true, "startTimeUtc": "2026-05-01T10:00:00Z", "endTimeUtc": "2026-05-01T11:00:00Z"}],
            "results": [{"ruleId": "js/xss", "ruleIndex": 0, "level": "error", "message": {"text": "XSS"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/a.js"}, "region": {"startLine": 3}}}]}]
        }]
    });
    let f = write(&dir, "codeql.sarif", &sarif.to_string());
    let strict = format!("{GOOD_SIGNER}source:\n  commit: {SHIPPED}\ngates:\n  required: [\"sast:CodeQL\"]\n  thresholds:\n    high: 0\n");
    let gates = |policy: &str, extra: &[&str]| {
        let p = write(&dir, "gates.yaml", policy);
        let mut args = vec!["gates", "--format", "json", "--sarif", &f, "--policy", &p];
        args.extend_from_slice(extra);
        let (code, out, err) = run(provenant().args(&args));
        (
            code,
            serde_json::from_str::<Value>(&out).unwrap_or(Value::Null),
            format!("{out}{err}"),
        )
    };
    // source.commit stands in for --commit; the high finding is over the threshold.
    let (code, v, all) = gates(&policy(&strict), &[]);
    assert_eq!(code, 1, "{all}");
    assert!(
        with_outcome(&v, "fail").contains(&"gate-findings-over-threshold".to_owned()),
        "{all}"
    );
    assert_eq!(check(&v, "policy-loaded")["outcome"], "pass");
    // The flag's threshold wins over the file's.
    let (code, _, all) = gates(&policy(&strict), &["--max-high", "1"]);
    assert_eq!(code, 0, "{all}");
    // A waiver in the policy waives it.
    let waived = format!("{strict}waivers:\n  - id: js/xss\n    reason: sanitised by the template engine\n    approver: sec@example.com\n    expires: 2999-12-31\n");
    let (code, v, all) = gates(&policy(&waived), &[]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(check(&v, "gate-waiver-applied")["outcome"], "pass", "{all}");
    // An expired one waives nothing and fails (exit 1: the policy loads, the waiver fails).
    let expired = waived.replace("2999-12-31", "2020-01-01");
    let (code, v, all) = gates(&policy(&expired), &[]);
    assert_eq!(code, 1, "{all}");
    assert!(
        with_outcome(&v, "fail").contains(&"gate-waiver-invalid".to_owned()),
        "{all}"
    );
    // A policy's required gate with no evidence at all fails `verify artifact` too.
    let p = write(&dir, "gates.yaml", &policy(&strict));
    let (code, v, all) = verify(&["--policy", &p]);
    assert_eq!(code, 1, "{all}");
    assert!(
        with_outcome(&v, "fail").contains(&"gate-missing".to_owned()),
        "{all}"
    );
}

#[test]
fn layout_inspections_fail_when_the_policy_says_so() {
    let Some(dir) = crate::support::corpus() else {
        return;
    };
    let d = "in-toto/in-toto-golang";
    let tmp = tempfile::tempdir().unwrap();
    let strict = write(&tmp, "p.yaml", &policy("layout:\n  inspections: fail\n"));
    let warn = write(&tmp, "w.yaml", &policy("layout:\n  inspections: warn\n"));
    let args = |p: &str| {
        vec![
            "verify".to_string(),
            "artifact".into(),
            format!("{d}/foo.tar.gz"),
            "--layout".into(),
            format!("{d}/demo.layout"),
            "--layout-key".into(),
            format!("{d}/alice.pub"),
            "--links".into(),
            d.into(),
            "--policy".into(),
            p.into(),
            "--format".into(),
            "json".into(),
        ]
    };
    let (code, out, err) = run(provenant().current_dir(&dir).args(args(&warn)));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(provenant().current_dir(&dir).args(args(&strict)));
    assert_eq!(code, 1, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        with_outcome(&v, "fail").contains(&"layout-inspection-not-run".to_owned()),
        "{out}"
    );
}

#[test]
fn policy_and_rego_flags_are_on_every_verify_command() {
    for cmd in [
        vec!["verify", "artifact", "--help"],
        vec!["verify", "image", "--help"],
        vec!["provenance", "--help"],
        vec!["gates", "--help"],
    ] {
        let (code, out, _) = run(provenant().args(&cmd));
        assert_eq!(code, 0);
        for flag in ["--policy", "--rego", "--write-rego-input"] {
            assert!(out.contains(flag), "{cmd:?} lacks {flag}");
        }
    }
    let (code, out, _) = run(provenant().args(["policy", "--help"]));
    assert_eq!(code, 0);
    assert!(out.contains("init") && out.contains("lint"), "{out}");
}

#[test]
fn lint_diagnostics_are_sorted_and_keep_severities() {
    let text = policy("signers:\n  - issuer: https://x\n    identityRegexp: a.b\nthreshold: 3\n");
    let d = lint_policy(text.as_bytes(), NOW.parse().unwrap());
    let lines: Vec<usize> = d.iter().filter_map(|x| x.line).collect();
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert_eq!(lines, sorted, "{d:#?}");
    assert!(
        d.iter()
            .any(|x| x.severity == Severity::Error && x.line == Some(5)),
        "{d:#?}"
    );
    assert!(
        d.iter()
            .any(|x| x.severity == Severity::Warning && x.line == Some(4)),
        "{d:#?}"
    );
}

#[test]
fn sbom_policy_formats_and_quality_floors() {
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = provenant_verify::digest_reader(
        std::fs::read(root().join(ARTIFACT)).unwrap().as_slice(),
        &[provenant_model::DigestAlgorithm::Sha256],
    )
    .unwrap();
    let sbom = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "metadata": {
            "timestamp": "2025-06-15T15:00:00Z",
            "authors": [{"name": "provenant tests"}],
            "component": {"type": "application", "bom-ref": "app", "name": "hello-provenant.txt",
                "version": "1.0.0", "supplier": {"name": "provenant-test"},
                "purl": "pkg:generic/hello-provenant@1.0.0",
                "hashes": [{"alg": "SHA-256", "content": d[0].hex().to_string()}]}
        },
        "components": [
            {"type": "library", "bom-ref": "lib-a", "name": "a", "version": "1.2.3",
             "supplier": {"name": "a-org"},
             "hashes": [{"alg": "SHA-256", "content": "cd".repeat(32)}]}
        ],
        "dependencies": [{"ref": "app", "dependsOn": ["lib-a"]}, {"ref": "lib-a", "dependsOn": []}]
    });
    let s = write(&dir, "sbom.cdx.json", &sbom.to_string());
    let run_with = |body: &str| {
        let p = write(&dir, "p.yaml", &policy(&format!("{GOOD_SIGNER}{body}")));
        verify(&["--policy", &p, "--sbom", &s])
    };
    let (code, v, all) = run_with("sbom:\n  required: true\n  formats: [cyclonedx]\n");
    assert_eq!(code, 0, "{all}");
    assert_eq!(check(&v, "sbom-bound")["outcome"], "pass", "{all}");
    let (code, v, all) = run_with("sbom:\n  required: true\n  formats: [spdx]\n");
    assert_eq!(code, 1, "{all}");
    let c = check(&v, "sbom-invalid");
    assert!(
        c["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("not a format the policy allows"),
        "{all}"
    );
    // The component without a package URL is below a 100 % floor.
    let (code, v, all) = run_with("sbom:\n  minPurlPercent: 100\n");
    assert_eq!(code, 1, "{all}");
    assert!(
        with_outcome(&v, "fail").contains(&"sbom-quality-below".to_owned()),
        "{all}"
    );
    // Required but absent.
    let p = write(
        &dir,
        "p.yaml",
        &policy(&format!("{GOOD_SIGNER}sbom:\n  required: true\n")),
    );
    let (code, _, all) = verify(&["--policy", &p]);
    assert_eq!(code, 1, "{all}");
}
