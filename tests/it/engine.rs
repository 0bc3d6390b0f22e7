//! Issue 15: one engine. Every flag of every verify subcommand either changes what is checked or
//! is refused (exit 2), never silently ignored; the VSA command and its alias agree; the library
//! alone reproduces the example policies; `--offline` never opens a socket; `--effective-time`
//! judges as of its instant.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support::{provenant, root, run};

const FILE: &str = "testdata/release/hello-provenant.txt";
const BUNDLE: &str = "testdata/release/hello-provenant.intoto.sigstore.json";
const MESSAGE_BUNDLE: &str = "testdata/release/hello-provenant.txt.sigstore.json";
const TAMPERED: &str = "testdata/release/tampered/wrong-identity.sigstore.json";
const TRUST: &str = "testdata/trust/trusted_root.json";
const IDENTITY: &str =
    "https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
const OTHER_SHA: &str = "0123456789abcdef0123456789abcdef01234567";

/// What a run showed: the exit code, and (when it printed a JSON report) the multiset of
/// `code:outcome`, the opt-outs and the evaluation time.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    rc: i32,
    checks: Vec<String>,
    opt_outs: Vec<String>,
    evaluated_at: String,
}

fn outcome(args: &[String]) -> (Outcome, String) {
    let (rc, out, err) = run(provenant().current_dir(root()).args(args));
    let v: Value = serde_json::from_str(&out).unwrap_or(Value::Null);
    let mut checks: Vec<String> = v["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| format!("{}:{}", c["code"].as_str().unwrap_or(""), c["outcome"]))
        .collect();
    checks.sort();
    let opt_outs = v["opt_outs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| o["name"].as_str().unwrap_or("").to_owned())
        .collect();
    let evaluated_at = v["evaluated_at"].as_str().unwrap_or("").to_owned();
    (
        Outcome {
            rc,
            checks,
            opt_outs,
            evaluated_at,
        },
        format!("{out}\n{err}"),
    )
}

/// Every long flag a subcommand's --help lists (aliases included).
fn flags_of(cmd: &[&str]) -> Vec<String> {
    let (rc, out, _) = run(provenant().args(cmd).arg("--help"));
    assert_eq!(rc, 0);
    // Option lines are indented by 2 (`  -h, --help`) or 6 (`      --bundle <FILE>`); help
    // text is indented further.
    let mut flags: Vec<String> = out
        .lines()
        .filter(|l| {
            (l.starts_with("  -") || l.starts_with("      --")) && !l.starts_with("       -")
        })
        .filter_map(|l| {
            l.split(|c: char| c.is_whitespace() || c == ',')
                .find(|w| w.starts_with("--"))
        })
        .map(|w| {
            w.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect()
        })
        .collect();
    // Visible aliases: `[aliases: --x]`.
    for l in out.lines() {
        for marker in ["[aliases: ", "[alias: "] {
            if let Some((_, rest)) = l.split_once(marker) {
                flags.extend(
                    rest.trim_end_matches(']')
                        .split(", ")
                        .map(|a| a.trim().to_owned()),
                );
            }
        }
    }
    flags.sort();
    flags.dedup();
    flags
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

/// How one flag is shown to matter.
enum Case {
    /// Added to the baseline: the run is refused (2) or its checks, opt-outs or evaluation
    /// time differ from the baseline's.
    Adds(Vec<String>),
    /// A whole command line in place of the baseline (for flags that exclude one of the
    /// baseline's): the same test.
    Instead(Vec<String>),
    /// An output flag: it changes where or how the report is written, not what is checked;
    /// `check` asserts that effect.
    Output(Vec<String>, fn(&str, &Path)),
}

fn baseline() -> Vec<String> {
    s(&[
        "verify",
        "artifact",
        FILE,
        "--bundle",
        BUNDLE,
        "--trusted-root",
        TRUST,
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
        "--format",
        "json",
    ])
}

/// The baseline without one flag and its value.
fn without(flag: &str) -> Vec<String> {
    let mut b = baseline();
    if let Some(i) = b.iter().position(|a| a == flag) {
        b.drain(i..i + 2);
    }
    b
}

fn with(base: Vec<String>, extra: &[&str]) -> Vec<String> {
    let mut b = base;
    b.extend(s(extra));
    b
}

fn wrote(dir: &Path, name: &str) -> bool {
    dir.join(name).metadata().is_ok_and(|m| m.len() > 0)
}

#[allow(clippy::too_many_lines)]
fn artifact_cases(dir: &Path) -> BTreeMap<&'static str, Case> {
    let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
    std::fs::write(dir.join("empty.json"), b"{}").unwrap();
    std::fs::write(dir.join("garbage.layout"), b"{}").unwrap();
    std::fs::write(
        dir.join("sbom.json"),
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[]}"#,
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("not-a-repo")).unwrap();
    let empty = p("empty.json");
    let layout = p("garbage.layout");
    let key = root()
        .join("testdata/keys/cosign.pub")
        .to_string_lossy()
        .into_owned();
    let policy = root()
        .join("attestations/examples/github-keyless-release.yaml")
        .to_string_lossy()
        .into_owned();
    let rego = root()
        .join("attestations/examples/release.rego")
        .to_string_lossy()
        .into_owned();
    let b = baseline;
    let add = |extra: &[&str]| Case::Adds(s(extra));
    let mut m: BTreeMap<&'static str, Case> = BTreeMap::new();
    let no_file: Vec<String> = baseline().into_iter().filter(|a| a != FILE).collect();
    m.insert(
        "--digest",
        Case::Instead(with(
            no_file,
            &["--digest", &format!("sha256:{}", "ab".repeat(32))],
        )),
    );
    m.insert(
        "--bundle",
        Case::Instead(with(without("--bundle"), &["--bundle", TAMPERED])),
    );
    m.insert(
        "--signature",
        Case::Instead(with(without("--bundle"), &["--signature", TAMPERED])),
    );
    m.insert("--provenance", add(&["--provenance", MESSAGE_BUNDLE]));
    m.insert("--attestations", add(&["--attestations", MESSAGE_BUNDLE]));
    m.insert(
        "--certificate-identity",
        Case::Instead(with(
            without("--certificate-identity"),
            &[
                "--certificate-identity",
                "https://github.com/other/app/.github/workflows/release.yml@refs/tags/v1.0.0",
            ],
        )),
    );
    m.insert(
        "--certificate-identity-regexp",
        Case::Instead(with(
            without("--certificate-identity"),
            &[
                "--certificate-identity-regexp",
                "^https://github\\.com/other/.*$",
            ],
        )),
    );
    m.insert(
        "--certificate-oidc-issuer",
        Case::Instead(with(
            without("--certificate-oidc-issuer"),
            &["--certificate-oidc-issuer", "https://accounts.google.com"],
        )),
    );
    m.insert(
        "--cert-oidc-issuer",
        Case::Instead(with(
            without("--certificate-oidc-issuer"),
            &["--cert-oidc-issuer", "https://accounts.google.com"],
        )),
    );
    m.insert(
        "--certificate-oidc-issuer-regexp",
        Case::Instead(with(
            without("--certificate-oidc-issuer"),
            &[
                "--certificate-oidc-issuer-regexp",
                "^https://accounts\\.google\\.com$",
            ],
        )),
    );
    m.insert(
        "--trusted-root",
        Case::Instead(with(
            without("--trusted-root"),
            &["--trusted-root", "public-good"],
        )),
    );
    m.insert("--key", add(&["--key", &key]));
    m.insert("--threshold", add(&["--threshold", "2"]));
    m.insert("--insecure-ignore-tlog", add(&["--insecure-ignore-tlog"]));
    m.insert(
        "--effective-time",
        add(&["--effective-time", "2025-07-01T00:00:00Z"]),
    );
    m.insert(
        "--policy",
        Case::Instead(with(
            without("--certificate-identity"),
            &["--policy", &policy],
        )),
    );
    m.insert("--rego", add(&["--rego", &rego]));
    m.insert(
        "--source-uri",
        add(&["--source-uri", "github.com/other/app"]),
    );
    m.insert("--source-tag", add(&["--source-tag", "v9.9.9"]));
    m.insert(
        "--source-versioned-tag",
        add(&["--source-versioned-tag", "v9"]),
    );
    m.insert("--source-branch", add(&["--source-branch", "main"]));
    m.insert(
        "--builder-id",
        add(&[
            "--builder-id",
            "https://github.com/other/builder/.github/workflows/b.yml",
        ]),
    );
    m.insert("--commit", add(&["--commit", OTHER_SHA]));
    m.insert("--owner", add(&["--owner", "other"]));
    m.insert("--repo", add(&["--repo", "other/app"]));
    m.insert("--signer-repo", add(&["--signer-repo", "other/app"]));
    m.insert(
        "--signer-workflow",
        add(&[
            "--signer-workflow",
            "github.com/other/app/.github/workflows/release.yml",
        ]),
    );
    m.insert("--source-ref", add(&["--source-ref", "refs/heads/main"]));
    m.insert("--source-digest", add(&["--source-digest", OTHER_SHA]));
    m.insert(
        "--predicate-type",
        add(&["--predicate-type", "https://example.com/other/v1"]),
    );
    m.insert(
        "--build-workflow-input",
        add(&["--build-workflow-input", "k=v"]),
    );
    m.insert("--package-name", add(&["--package-name", "app"]));
    m.insert("--package-version", add(&["--package-version", "1.0.0"]));
    m.insert(
        "--deny-self-hosted-runners",
        add(&["--deny-self-hosted-runners"]),
    );
    m.insert("--sbom", Case::Adds(s(&["--sbom", &p("sbom.json")])));
    m.insert("--require-sbom", add(&["--require-sbom"]));
    m.insert(
        "--layout",
        Case::Adds(s(&["--layout", &layout, "--layout-key", &key])),
    );
    m.insert("--layout-key", Case::Adds(s(&["--layout-key", &key])));
    m.insert(
        "--links",
        Case::Adds(s(&["--links", dir.to_str().unwrap()])),
    );
    m.insert("--sarif", add(&["--sarif", &empty]));
    m.insert("--sca", add(&["--sca", &empty]));
    m.insert("--dast", add(&["--dast", &empty]));
    m.insert("--ci-run", add(&["--ci-run", &empty]));
    m.insert("--require-gate", add(&["--require-gate", "sast"]));
    m.insert("--max-critical", add(&["--max-critical", "0"]));
    m.insert("--max-high", add(&["--max-high", "0"]));
    m.insert("--max-medium", add(&["--max-medium", "0"]));
    m.insert("--max-low", add(&["--max-low", "0"]));
    m.insert(
        "--unknown-severity-as",
        add(&["--unknown-severity-as", "low"]),
    );
    m.insert("--waivers", add(&["--waivers", &empty]));
    m.insert("--require-signed-gates", add(&["--require-signed-gates"]));
    m.insert("--built-at", add(&["--built-at", "2025-06-15"]));
    m.insert("--committed-at", add(&["--committed-at", "2025-06-14"]));
    m.insert("--review", add(&["--review", &empty]));
    m.insert("--require-review", add(&["--require-review"]));
    m.insert("--min-approvals", add(&["--min-approvals", "2"]));
    m.insert(
        "--allowed-merge-method",
        add(&["--allowed-merge-method", "squash"]),
    );
    m.insert(
        "--accept-approvals-without-commit",
        add(&["--accept-approvals-without-commit"]),
    );
    m.insert(
        "--git-dir",
        add(&["--git-dir", &p("not-a-repo"), "--release-branch", "main"]),
    );
    m.insert("--release-branch", add(&["--release-branch", "main"]));
    m.insert("--vsa", add(&["--vsa", &empty]));
    m.insert("--verifier-id", add(&["--verifier-id", "x"]));
    m.insert("--resource-uri", add(&["--resource-uri", "x"]));
    m.insert(
        "--verified-level",
        add(&["--verified-level", "SLSA_BUILD_LEVEL_3"]),
    );
    m.insert("--public-key-id", add(&["--public-key-id", "k"]));
    m.insert("--vsa-key", add(&["--vsa-key", &key]));
    m.insert(
        "--format",
        Case::Output(
            with(b(), &["--format", &format!("sarif={}", p("r.sarif"))]),
            |_, d| {
                assert!(std::fs::read_to_string(d.join("r.sarif"))
                    .unwrap()
                    .contains("\"2.1.0\""));
            },
        ),
    );
    m.insert(
        "--out",
        Case::Output(with(b(), &["--out", &p("r.json")]), |_, d| {
            assert!(wrote(d, "r.json"))
        }),
    );
    m.insert(
        "--write-rego-input",
        Case::Output(
            with(b(), &["--write-rego-input", &p("input.json")]),
            |_, d| {
                assert!(wrote(d, "input.json"));
            },
        ),
    );
    m.insert(
        "--print-provenance",
        Case::Output(with(b(), &["--print-provenance"]), |out, _| {
            assert!(out.contains("https://slsa.dev/provenance/v1"), "{out}");
        }),
    );
    // Artifact verification never uses the network (the trusted root is embedded or given):
    // --offline states what is already true, and the run is the same.
    m.insert(
        "--offline",
        Case::Output(with(b(), &["--offline"]), |out, _| {
            assert!(out.contains("\"verdict\": \"pass\""), "{out}");
        }),
    );
    m
}

/// Issue 15, item 2: every flag `verify artifact --help` lists is in the table, and each one
/// changes what is checked (or is refused); output flags show their effect.
#[test]
fn every_verify_artifact_flag_changes_the_checks_or_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cases = artifact_cases(dir.path());
    let listed = flags_of(&["verify", "artifact"]);
    let untested: Vec<&String> = listed
        .iter()
        .filter(|f| !matches!(f.as_str(), "--help" | "--version"))
        .filter(|f| !cases.contains_key(f.as_str()))
        .collect();
    assert!(untested.is_empty(), "flags without a case: {untested:?}");
    let (base, text) = outcome(&baseline());
    assert_eq!(base.rc, 0, "the baseline passes: {text}");
    for (flag, case) in &cases {
        assert!(
            listed.iter().any(|f| f == flag),
            "{flag} is not listed by --help"
        );
        match case {
            Case::Adds(extra) => {
                let (o, text) = outcome(&with(
                    baseline(),
                    &extra.iter().map(String::as_str).collect::<Vec<_>>(),
                ));
                assert!(o.rc == 2 || o != base, "{flag} changed nothing: {text}");
            }
            Case::Instead(args) => {
                let (o, text) = outcome(args);
                assert!(o.rc == 2 || o != base, "{flag} changed nothing: {text}");
            }
            Case::Output(args, check) => {
                let (o, text) = outcome(args);
                assert_eq!(o.rc, 0, "{flag}: {text}");
                check(&text, dir.path());
            }
        }
    }
}

/// The flags that constrain gates or the review, given without any gate or review evidence,
/// fail the run instead of being met by nothing.
#[test]
fn gate_and_review_rules_without_evidence_fail_or_are_refused() {
    for (extra, code) in [
        (&["--max-critical", "0"][..], Some("gate-missing")),
        (&["--require-signed-gates"], Some("gate-missing")),
        (&["--built-at", "2025-06-15"], Some("gate-missing")),
        (&["--min-approvals", "2"], Some("review-missing")),
        (
            &["--allowed-merge-method", "squash"],
            Some("review-missing"),
        ),
        (&["--waivers", "testdata/README.md"], None),
        (&["--unknown-severity-as", "low"], None),
    ] {
        let (o, text) = outcome(&with(baseline(), extra));
        match code {
            Some(code) => {
                assert_eq!(o.rc, 1, "{extra:?}: {text}");
                assert!(
                    o.checks.contains(&format!("{code}:\"fail\"")),
                    "{extra:?}: {text}"
                );
            }
            None => assert_eq!(o.rc, 2, "{extra:?}: {text}"),
        }
    }
}

/// A layout alone still judges every requirement stated beside it: none is met by a layout.
#[test]
fn a_layout_alone_judges_the_requirements_stated_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("root.layout");
    std::fs::write(&layout, b"{}").unwrap();
    let key = root().join("testdata/keys/cosign.pub");
    for extra in [
        &["--require-sbom"][..],
        &["--source-uri", "github.com/provenant-test/app"],
        &[
            "--certificate-identity",
            IDENTITY,
            "--certificate-oidc-issuer",
            ISSUER,
        ],
    ] {
        let (o, text) = outcome(&with(
            s(&[
                "verify",
                "artifact",
                "--layout",
                layout.to_str().unwrap(),
                "--layout-key",
                key.to_str().unwrap(),
                "--format",
                "json",
            ]),
            extra,
        ));
        assert_eq!(o.rc, 1, "{extra:?}: {text}");
        assert!(
            o.checks.contains(&"evidence-missing:\"fail\"".to_owned()),
            "{extra:?}: {text}"
        );
    }
}

/// `--effective-time` is the instant the report records and judges as of.
#[test]
fn effective_time_is_recorded_and_parsed_strictly() {
    let (o, text) = outcome(&with(
        baseline(),
        &["--effective-time", "2025-07-01T00:00:00Z"],
    ));
    assert_eq!(o.rc, 0, "{text}");
    assert_eq!(o.evaluated_at, "2025-07-01T00:00:00Z");
    for bad in ["2025-07-01", "yesterday", "2025-07-01T00:00:00"] {
        let (o, text) = outcome(&with(baseline(), &["--effective-time", bad]));
        assert_eq!(o.rc, 2, "{bad}: {text}");
    }
}

/// Waivers are judged as of --effective-time: one that expired before now still applies as of
/// an instant before its expiry, and one that expires later has expired as of a later instant.
#[test]
fn waivers_are_judged_as_of_the_effective_time() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("codeql.sarif");
    std::fs::write(
        &sarif,
        format!(
            r#"{{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{{"tool":{{"driver":{{"name":"CodeQL","rules":[{{"id":"js/xss","properties":{{"security-severity":"9.5"}}}}]}}}},"versionControlProvenance":[{{"repositoryUri":"https://github.com/provenant-test/app","revisionId":"{OTHER_SHA}"}}],"invocations":[{{"executionSuccessful":true,"startTimeUtc":"2025-06-01T00:00:00Z","endTimeUtc":"2025-06-01T00:10:00Z"}}],"results":[{{"ruleId":"js/xss","level":"error","message":{{"text":"xss"}},"locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"a.js"}},"region":{{"startLine":1}}}}}}]}}]}}]}}"#
        ),
    )
    .unwrap();
    let waivers = dir.path().join("waivers.json");
    std::fs::write(
        &waivers,
        br#"[{"id":"js/xss","reason":"not reachable","approver":"sec@example.com","expires":"2025-12-31"}]"#,
    )
    .unwrap();
    let gates = |at: &str| {
        let (rc, out, err) = run(provenant().args([
            "gates",
            "--commit",
            OTHER_SHA,
            "--sarif",
            sarif.to_str().unwrap(),
            "--max-critical",
            "0",
            "--waivers",
            waivers.to_str().unwrap(),
            "--effective-time",
            at,
            "--format",
            "json",
        ]));
        let v: Value = serde_json::from_str(&out).unwrap_or(Value::Null);
        (rc, v, err)
    };
    let (rc, v, err) = gates("2025-07-01T00:00:00Z");
    assert_eq!(rc, 0, "{v:#}\n{err}");
    assert_eq!(v["evaluated_at"], "2025-07-01T00:00:00Z");
    let (rc, v, _) = gates("2026-02-01T00:00:00Z");
    assert_eq!(rc, 1, "expired as of 2026-02-01: {v:#}");
    let codes: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "fail")
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert!(codes.contains(&"gate-waiver-invalid"), "{codes:?}");
}

/// `verify image --offline` refuses a registry reference before any connection: a listener on
/// loopback sees none.
#[test]
fn offline_image_verification_never_opens_a_socket() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let (rc, _, err) = run(provenant()
        .args([
            "verify",
            "image",
            &format!("127.0.0.1:{port}/app:v1"),
            "--key",
            "testdata/keys/cosign.pub",
            "--offline",
        ])
        .current_dir(root()));
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("--offline"), "{err}");
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "--offline connected to the registry"
    );
    // An OCI layout is read offline: the run gets past the reference (and fails on the
    // missing directory, exit 2, naming it).
    let (rc, _, err) = run(provenant()
        .args([
            "verify",
            "image",
            "oci-layout:/nonexistent-provenant:v1",
            "--key",
            "testdata/keys/cosign.pub",
            "--offline",
        ])
        .current_dir(root()));
    assert_eq!(rc, 2);
    assert!(!err.contains("--offline"), "{err}");
}

/// Registry flags with an OCI layout or archive would change nothing: refused.
#[test]
fn registry_flags_need_a_registry_reference() {
    for extra in [
        &["--allow-insecure-registry"][..],
        &["--registry-config", "none"],
        &["--registry-timeout", "5"],
        &["--max-concurrency", "2"],
    ] {
        let (rc, _, err) = run(provenant()
            .args([
                "verify",
                "image",
                "oci-layout:/nonexistent-provenant:v1",
                "--key",
                "testdata/keys/cosign.pub",
            ])
            .args(extra)
            .current_dir(root()));
        assert_eq!(rc, 2, "{extra:?}: {err}");
        assert!(err.contains("not in a registry"), "{extra:?}: {err}");
    }
}

/// A key-signed VSA about `sha256:abab…` (result PASSED, SLSA_BUILD_LEVEL_3), and its key.
fn vsa_fixture(dir: &Path) -> (String, String) {
    use provenant_testkit::keys::{dsse_envelope, KeyPair};
    let key = KeyPair::p256(31);
    let pem = dir.join("vsa.pub");
    std::fs::write(&pem, key.public_pem()).unwrap();
    let st = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"a","digest":{{"sha256":"{}"}}}}],"predicateType":"https://slsa.dev/verification_summary/v1","predicate":{{"verifier":{{"id":"https://verifier.example/v1"}},"resourceUri":"pkg:generic/app@1","verificationResult":"PASSED","verifiedLevels":["SLSA_BUILD_LEVEL_3"]}}}}"#,
        "ab".repeat(32)
    );
    let p = dir.join("vsa.json");
    std::fs::write(
        &p,
        dsse_envelope(
            "application/vnd.in-toto+json",
            st.as_bytes(),
            &[(&key, Some("k1"))],
        ),
    )
    .unwrap();
    (
        p.to_string_lossy().into_owned(),
        pem.to_string_lossy().into_owned(),
    )
}

/// `verify vsa` and `verify artifact --vsa` are one verification; every flag of `verify vsa`
/// changes the checks or is refused.
#[test]
fn verify_vsa_equals_its_alias_and_every_flag_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (vsa, key) = vsa_fixture(dir.path());
    let digest = format!("sha256:{}", "ab".repeat(32));
    let common = |cmd: &[&str], file: &[&str]| {
        with(
            with(s(cmd), file),
            &[
                "--digest",
                &digest,
                "--key",
                &key,
                "--verifier-id",
                "https://verifier.example/v1",
                "--resource-uri",
                "pkg:generic/app@1",
                "--format",
                "json",
            ],
        )
    };
    let base_args = common(&["verify", "vsa"], &[&vsa]);
    let (base, text) = outcome(&base_args);
    assert_eq!(base.rc, 0, "{text}");
    let (alias, text) = outcome(&common(&["verify", "artifact"], &["--vsa", &vsa]));
    assert_eq!(alias.checks, base.checks, "{text}");
    let (flag_form, _) = outcome(&common(&["verify", "vsa"], &["--vsa", &vsa]));
    assert_eq!(flag_form.checks, base.checks);

    let rego = dir.path().join("deny.rego");
    std::fs::write(
        &rego,
        "package provenant\ndeny contains \"no\" if { true }\n",
    )
    .unwrap();
    let rego = rego.to_string_lossy().into_owned();
    let p = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let changed: BTreeMap<&str, Vec<String>> = [
        (
            "--digest",
            common(&["verify", "vsa"], &[&vsa])
                .into_iter()
                .map(|a| {
                    if a == digest {
                        format!("sha256:{}", "cd".repeat(32))
                    } else {
                        a
                    }
                })
                .collect(),
        ),
        (
            "--key",
            base_args
                .iter()
                .map(|a| {
                    if *a == key {
                        "testdata/keys/cosign.pub".to_owned()
                    } else {
                        a.clone()
                    }
                })
                .collect(),
        ),
        (
            "--threshold",
            with(base_args.clone(), &["--threshold", "2"]),
        ),
        (
            "--verifier-id",
            base_args
                .iter()
                .map(|a| {
                    if a == "https://verifier.example/v1" {
                        "https://other.example".to_owned()
                    } else {
                        a.clone()
                    }
                })
                .collect(),
        ),
        (
            "--resource-uri",
            base_args
                .iter()
                .map(|a| {
                    if a == "pkg:generic/app@1" {
                        "pkg:generic/other@1".to_owned()
                    } else {
                        a.clone()
                    }
                })
                .collect(),
        ),
        (
            "--verified-level",
            with(
                base_args.clone(),
                &["--verified-level", "SLSA_BUILD_LEVEL_4"],
            ),
        ),
        (
            "--public-key-id",
            with(base_args.clone(), &["--public-key-id", "other"]),
        ),
        ("--rego", with(base_args.clone(), &["--rego", &rego])),
        (
            "--effective-time",
            with(
                base_args.clone(),
                &["--effective-time", "2025-07-01T00:00:00Z"],
            ),
        ),
        (
            "--vsa-key",
            with(
                base_args.clone(),
                &["--vsa-key", "testdata/keys/cosign.key"],
            ),
        ),
        ("--vsa", with(base_args.clone(), &["--vsa", &vsa])),
    ]
    .into_iter()
    .collect();
    let output: BTreeMap<&str, Vec<String>> = [
        (
            "--format",
            with(
                base_args.clone(),
                &["--format", &format!("sarif={}", p("r.sarif"))],
            ),
        ),
        ("--out", with(base_args.clone(), &["--out", &p("r.json")])),
        (
            "--write-rego-input",
            with(base_args.clone(), &["--write-rego-input", &p("in.json")]),
        ),
        ("--offline", with(base_args.clone(), &["--offline"])),
    ]
    .into_iter()
    .collect();
    for f in flags_of(&["verify", "vsa"]) {
        if matches!(f.as_str(), "--help" | "--version") {
            continue;
        }
        if let Some(args) = changed.get(f.as_str()) {
            let (o, text) = outcome(args);
            assert!(o.rc == 2 || o != base, "{f} changed nothing: {text}");
        } else if let Some(args) = output.get(f.as_str()) {
            let (o, text) = outcome(args);
            assert_eq!(o.rc, 0, "{f}: {text}");
        } else {
            panic!("verify vsa {f} has no case");
        }
    }
    assert!(
        wrote(dir.path(), "r.sarif") && wrote(dir.path(), "r.json") && wrote(dir.path(), "in.json")
    );
}

/// `verify image` has the artifact command's shared groups and its own image flags, and no
/// artifact-only flag (no hidden flags refused at run time).
#[test]
fn verify_image_has_exactly_the_flags_it_uses() {
    let image = flags_of(&["verify", "image"]);
    let artifact = flags_of(&["verify", "artifact"]);
    let image_only = [
        "--expected-digest",
        "--platform",
        "--allow-insecure-registry",
        "--registry-config",
        "--require-signed-reference",
        "--max-concurrency",
        "--registry-timeout",
    ];
    let artifact_only = [
        "--digest",
        "--layout",
        "--layout-key",
        "--links",
        "--vsa",
        "--verifier-id",
        "--resource-uri",
        "--verified-level",
        "--public-key-id",
    ];
    for f in &image {
        assert!(
            image_only.contains(&f.as_str()) || artifact.contains(f),
            "verify image {f} is neither shared nor an image flag"
        );
    }
    for f in &artifact {
        assert!(
            artifact_only.contains(&f.as_str()) || image.contains(f),
            "verify artifact {f} is missing from verify image"
        );
    }
    for f in artifact_only {
        assert!(!image.contains(&f.to_owned()), "verify image lists {f}");
        let (rc, _, err) = run(provenant().args(["verify", "image", "oci-layout:/x:v1", f, "x"]));
        assert_eq!(rc, 2, "{f}: {err}");
    }
}

/// The library alone (no binary) reproduces the example policies' verdicts on the bundled
/// release, as the binary gives them.
#[test]
fn the_library_reproduces_the_example_policies() {
    use provenant_core::{verify, Command, Evidence, Found, Inputs, Target, TrustRoots};
    use provenant_model::{DigestAlgorithm, Subject, SubjectKind, Verdict};
    use provenant_policy::{parse_policy, Policy, PolicyFile, PolicyFlags};
    use provenant_verify::{digest_reader, TrustRoot};

    let r = root();
    let artifact = std::fs::read(r.join(FILE)).unwrap();
    let (digests, size) = digest_reader(&artifact[..], &[DigestAlgorithm::Sha256]).unwrap();
    let trust = || {
        TrustRoots::sigstore(
            TrustRoot::from_json(&std::fs::read(r.join(TRUST)).unwrap(), TRUST).unwrap(),
        )
    };
    let examples = r.join("attestations/examples");
    for name in [
        "github-keyless-release.yaml",
        "gates-strict.yaml",
        "key-signed-image.yaml",
    ] {
        let path = examples.join(name);
        let bytes = std::fs::read(&path).unwrap();
        let (digest, _) = digest_reader(&bytes[..], &[DigestAlgorithm::Sha256]).unwrap();
        let file = PolicyFile {
            document: parse_policy(&bytes).unwrap(),
            path: path.to_string_lossy().into_owned(),
            digest: digest[0].clone(),
        };
        let mut inputs = Inputs::new(
            Command::VerifyArtifact,
            Target::Artifact(Subject {
                kind: SubjectKind::File,
                name: Some(FILE.into()),
                digests: digests.clone(),
                size: Some(size),
            }),
        );
        let bundle = std::fs::read(r.join(BUNDLE)).unwrap();
        inputs
            .evidence
            .push(Evidence::from_bytes(BUNDLE, Found::Given, &bundle));
        let policy = Policy::resolve_file(Some(file), PolicyFlags::default()).unwrap();
        // The key-signed example names key files next to it that the repository does not ship:
        // the binary refuses to read them (exit 2); the library is given no key, and fails.
        let report = verify(&inputs, &trust(), &policy, jiff::Timestamp::now());
        let (rc, out, err) = run(provenant().current_dir(&r).args([
            "verify",
            "artifact",
            FILE,
            "--bundle",
            BUNDLE,
            "--trusted-root",
            TRUST,
            "--policy",
            path.to_str().unwrap(),
            "--format",
            "json",
        ]));
        match name {
            "github-keyless-release.yaml" => {
                assert_eq!(report.verdict, Verdict::Pass, "{:#?}", report.checks);
                assert_eq!(rc, 0, "{out}{err}");
            }
            "gates-strict.yaml" => {
                assert_eq!(report.verdict, Verdict::Fail);
                assert_eq!(rc, 1, "{out}{err}");
            }
            _ => {
                assert_eq!(report.verdict, Verdict::Fail);
                assert_eq!(rc, 2, "{out}{err}");
                continue;
            }
        }
        // Same checks, code for code, as the binary's report.
        let v: Value = serde_json::from_str(&out).unwrap();
        let mut cli: Vec<String> = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                format!(
                    "{}:{}",
                    c["code"].as_str().unwrap(),
                    c["outcome"].as_str().unwrap()
                )
            })
            .collect();
        let mut lib: Vec<String> = report
            .checks
            .iter()
            .map(|c| format!("{}:{}", c.code, c.outcome.as_str()))
            .collect();
        cli.sort();
        lib.sort();
        assert_eq!(lib, cli, "{name}");
    }
}

/// Every flag `verify image --help` lists changes the checks of an OCI layout's verification or
/// is refused; the registry flags are refused for a layout (their registry cases are in
/// tests/it/image.rs).
#[test]
fn every_verify_image_flag_changes_the_checks_or_is_refused() {
    use provenant_testkit::keys::KeyPair;
    use provenant_testkit::oci::{
        cosign_key_sig_layer, digest_tag, evidence_manifest, image, write_layout,
    };
    let dir = tempfile::tempdir().unwrap();
    let key = KeyPair::p256(42);
    let pem = dir.path().join("cosign.pub");
    std::fs::write(&pem, key.public_pem()).unwrap();
    let img = image("flags", "linux", "amd64");
    let d = img.digest();
    let sig = evidence_manifest(
        vec![cosign_key_sig_layer(&key, "example.com/app", &d)],
        None,
        None,
    );
    let layout = dir.path().join("layout");
    write_layout(
        &layout,
        &[&img, &sig],
        &[(&img, "v1"), (&sig, &format!("{}.sig", digest_tag(&d)))],
    );
    let reference = format!("oci-layout:{}:v1", layout.display());
    let pem = pem.to_string_lossy().into_owned();
    let base_args = s(&[
        "verify",
        "image",
        &reference,
        "--key",
        &pem,
        "--insecure-ignore-tlog",
        "--format",
        "json",
    ]);
    let (base, text) = outcome(&base_args);
    assert_eq!(base.rc, 0, "{text}");
    let artifact = flags_of(&["verify", "artifact"]);
    let image_only: BTreeMap<&str, Vec<&str>> = [
        (
            "--expected-digest",
            vec![
                "--expected-digest",
                "sha256:0000000000000000000000000000000000000000000000000000000000000000",
            ],
        ),
        ("--platform", vec!["--platform", "linux/arm64"]),
        (
            "--require-signed-reference",
            vec!["--require-signed-reference"],
        ),
        (
            "--allow-insecure-registry",
            vec!["--allow-insecure-registry"],
        ),
        ("--registry-config", vec!["--registry-config", "none"]),
        ("--registry-timeout", vec!["--registry-timeout", "5"]),
        ("--max-concurrency", vec!["--max-concurrency", "2"]),
    ]
    .into_iter()
    .collect();
    for f in flags_of(&["verify", "image"]) {
        if let Some(extra) = image_only.get(f.as_str()) {
            let (o, text) = outcome(&with(base_args.clone(), extra));
            assert!(
                o.rc == 2 || o != base,
                "verify image {f} changed nothing: {text}"
            );
        } else {
            // The shared groups: held to the rule by the verify artifact enumeration, the same
            // flag structs flattened into both commands.
            assert!(artifact.contains(&f), "verify image {f} is not covered");
        }
    }
}

/// A signed gate attestation (in-toto vulns) whose predicate cannot be read is not a clean
/// scan: the run fails gate-report-unreadable instead of dropping it.
#[test]
fn an_unreadable_signed_gate_predicate_fails() {
    use provenant_core::{verify, Command, Evidence, Found, Inputs, Target, TrustRoots};
    use provenant_model::{CheckCode, DigestAlgorithm, Outcome, Subject, SubjectKind, Verdict};
    use provenant_policy::{Policy, PolicyFlags};
    use provenant_testkit::{
        Content, MintSpec, TestPki, DEFAULT_ARTIFACT, DEFAULT_IDENTITY, GITHUB_ACTIONS_ISSUER,
    };
    use provenant_verify::{digest_reader, TrustRoot};
    let pki = TestPki::new(23);
    let (digests, _) = digest_reader(DEFAULT_ARTIFACT, &[DigestAlgorithm::Sha256]).unwrap();
    let hex = digests[0]
        .to_string()
        .trim_start_matches("sha256:")
        .to_owned();
    let statement = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"hello-provenant.txt","digest":{{"sha256":"{hex}"}}}}],"predicateType":"https://in-toto.io/attestation/vulns/v0.1","predicate":{{"scanner":"not a scanner object"}}}}"#
    );
    let mut spec = MintSpec::default().dsse();
    spec.content = Content::Dsse {
        statement_json: Some(statement),
    };
    let bundle = pki.mint(&spec).bundle_json;
    let mut inputs = Inputs::new(
        Command::VerifyArtifact,
        Target::Artifact(Subject {
            kind: SubjectKind::Digest,
            name: None,
            digests,
            size: None,
        }),
    );
    inputs.evidence.push(Evidence::from_bytes(
        "vulns.json",
        Found::Given,
        bundle.as_bytes(),
    ));
    let policy = Policy::resolve(
        None,
        PolicyFlags {
            certificate_identity: Some(DEFAULT_IDENTITY.into()),
            certificate_oidc_issuer: Some(GITHUB_ACTIONS_ISSUER.into()),
            ..PolicyFlags::default()
        },
    )
    .unwrap();
    let trust = TrustRoots::sigstore(
        TrustRoot::from_json(pki.trusted_root_json().as_bytes(), "testkit").unwrap(),
    );
    let report = verify(&inputs, &trust, &policy, jiff::Timestamp::now());
    assert_eq!(report.verdict, Verdict::Fail, "{:#?}", report.checks);
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.code == CheckCode::GateReportUnreadable && c.outcome == Outcome::Fail),
        "{:#?}",
        report.checks
    );
}

/// An identity regexp the verifier could not compile (over its size limit) is refused when
/// the policy is resolved, never dropped into "any identity".
#[test]
fn an_identity_regexp_over_the_verifiers_limit_is_refused() {
    use provenant_policy::{Policy, PolicyFlags};
    let huge = format!("^({})$", vec!["a{1,1000}"; 40].join("|"));
    let r = Policy::resolve(
        None,
        PolicyFlags {
            certificate_identity_regexp: Some(huge),
            certificate_oidc_issuer: Some("https://token.actions.githubusercontent.com".into()),
            ..PolicyFlags::default()
        },
    );
    assert!(
        r.is_err(),
        "a regexp over the verifier's size limit must be refused"
    );
}
