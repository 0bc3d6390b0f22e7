//! Every report format, checked structurally on the bundled example (testdata/release): SARIF
//! against the OASIS 2.1.0 schema and read back by provenant's own SARIF reader, JUnit XML parsed
//! back, the VSA signed with --vsa-key and verified back by `verify artifact --vsa`, Markdown
//! and HTML for their verdict, failures and escaping, the HTML rendered by headless Chromium,
//! and the `--format FMT[=PATH]` / `--out` rules.

use std::path::{Path, PathBuf};
use std::process::Command;

use provenant_model::{
    Check, CheckCode, EvidenceKind, EvidenceRef, GateRow, Report, Subject, SubjectKind, ToolInfo,
};
use serde_json::Value;

use crate::support::{corpus, provenant, root, run};

const IDENTITY: &str =
    "https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
const ARTIFACT: &str = "testdata/release/hello-provenant.txt";
const VERIFIER_ID: &str = "https://github.com/provenant/provenant";

/// `verify artifact` on the bundled example, from the workspace root: the message signature and
/// the SLSA provenance bundle (passes), or the wrong-identity bundle (fails).
fn verify(pass: bool, extra: &[&str]) -> (i32, String, String) {
    let bundles: &[&str] = if pass {
        &[
            "--bundle",
            "testdata/release/hello-provenant.txt.sigstore.json",
            "--bundle",
            "testdata/release/hello-provenant.intoto.sigstore.json",
        ]
    } else {
        &[
            "--bundle",
            "testdata/release/tampered/wrong-identity.sigstore.json",
        ]
    };
    run(provenant()
        .current_dir(root())
        .args(["verify", "artifact", ARTIFACT])
        .args(bundles)
        .args([
            "--trusted-root",
            "testdata/trust/trusted_root.json",
            "--certificate-identity",
            IDENTITY,
            "--certificate-oidc-issuer",
            ISSUER,
        ])
        .args(extra))
}

fn path(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).to_string_lossy().into_owned()
}

/// `--format FMT=PATH` for each `(FMT, file name)`, the files in `dir`.
fn to_files(dir: &tempfile::TempDir, formats: &[(&str, &str)]) -> Vec<String> {
    formats
        .iter()
        .flat_map(|(f, name)| ["--format".to_owned(), format!("{f}={}", path(dir, name))])
        .collect()
}

fn read(p: &str) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn json(p: &str) -> Value {
    serde_json::from_str(&read(p)).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The codes of the checks with `outcome` in a JSON report.
fn codes(report: &Value, outcome: &str) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == outcome)
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect()
}

/// A report whose strings are hostile: markup, a table separator, a line break, control
/// characters. Every renderer must keep them as text.
fn hostile_report() -> Report {
    let evil = "<script>alert(\"x\")</script> a|b\nline two & \u{7} ]]> `tick`";
    let mut r = Report::new(
        ToolInfo {
            name: "provenant".into(),
            version: "0.0.0".into(),
        },
        "verify artifact",
        "2026-01-01T00:00:00Z",
        Subject {
            kind: SubjectKind::File,
            name: Some("app<img src=x>.tar.gz".into()),
            digests: vec![format!("sha256:{}", "ab".repeat(32)).parse().unwrap()],
            size: Some(1),
        },
        vec![
            Check::pass(CheckCode::SignatureValid, "signature verified", vec![]),
            Check::fail(
                CheckCode::SignerIdentityMismatch,
                evil,
                vec![EvidenceRef::new(
                    EvidenceKind::SigstoreBundle,
                    "evil\"<iframe src=https://example.invalid/>.json",
                )],
            ),
            Check::warn(CheckCode::EvidenceLocated, evil, vec![]),
        ],
        vec![],
        vec![],
    );
    r.gates = vec![GateRow {
        gate: "sast".into(),
        tool: "Code|QL <b>".into(),
        version: Some("1\n2".into()),
        scanned: "commit abc".into(),
        bound: false,
        binding: evil.into(),
        result: "failed".into(),
        findings: [("high".to_owned(), 2)].into_iter().collect(),
        waived: vec![],
        trust: "plain-report".into(),
        evidence: "x.sarif".into(),
    }];
    r
}

fn render(f: fn(&Report, &mut Vec<u8>) -> std::io::Result<()>, r: &Report) -> String {
    let mut out = Vec::new();
    f(r, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

// ---------------------------------------------------------------------------------------------
// SARIF

/// The OASIS SARIF 2.1.0 schema from the corpus (never copied here), or `None` off CI.
fn sarif_validator() -> Option<jsonschema::Validator> {
    let corpus = corpus()?;
    let p = corpus.join("schemas/sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_slice(
        &std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .unwrap();
    Some(
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap(),
    )
}

fn assert_sarif_valid(v: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = v
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
}

#[test]
fn sarif_has_one_error_per_failed_check_matches_the_schema_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let (sarif, report) = (path(&dir, "r.sarif"), path(&dir, "r.json"));
    let (rc, out, err) = verify(
        false,
        &[
            "--format",
            &format!("sarif={sarif}"),
            "--format",
            &format!("json={report}"),
        ],
    );
    assert_eq!(rc, 1, "{out}{err}");
    let (log, report) = (json(&sarif), json(&report));
    let failed = codes(&report, "fail");
    assert_eq!(failed, ["signer-identity-mismatch"]);

    let run0 = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run0["tool"]["driver"]["name"], "provenant");
    assert!(run0["tool"]["driver"]["version"].is_string());
    assert_eq!(run0["tool"]["driver"]["informationUri"], VERIFIER_ID);
    assert_eq!(run0["properties"]["verdict"], "fail");
    let results = run0["results"].as_array().unwrap();
    let errors: Vec<&Value> = results.iter().filter(|r| r["level"] == "error").collect();
    assert_eq!(errors.len(), failed.len(), "{results:#?}");
    let r = errors[0];
    assert_eq!(r["ruleId"], "signer-identity-mismatch");
    assert!(r["message"]["text"]
        .as_str()
        .unwrap()
        .contains("attacker-org"));
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/release/tampered/wrong-identity.sigstore.json"
    );
    // The rule's help is the code's documented description.
    let rule = &run0["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "signer-identity-mismatch");
    assert_eq!(
        rule["help"]["text"],
        CheckCode::SignerIdentityMismatch.description()
    );

    // provenant's own SARIF reader takes it: one run by provenant, one finding per result.
    let gate = provenant_formats::gate::parse_gate(read(&sarif).as_bytes()).unwrap();
    assert_eq!(gate.len(), 1);
    assert_eq!(gate[0].tool, "provenant");
    let ids: Vec<&str> = gate[0].findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["signer-identity-mismatch"]);

    // The OASIS schema accepts it, and a passing run's log (no results) too.
    let Some(validator) = sarif_validator() else {
        return;
    };
    assert_sarif_valid(&validator, &log);
    let (rc, pass_log, err) = verify(true, &["--format", "sarif"]);
    assert_eq!(rc, 0, "{err}");
    let pass_log: Value = serde_json::from_str(&pass_log).unwrap();
    assert_eq!(pass_log["runs"][0]["results"], serde_json::json!([]));
    assert_sarif_valid(&validator, &pass_log);
    let hostile: Value =
        serde_json::from_str(&render(provenant_report::sarif::render, &hostile_report())).unwrap();
    assert_sarif_valid(&validator, &hostile);
    // The validator is not vacuous: a level SARIF does not define is refused.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
}

// ---------------------------------------------------------------------------------------------
// JUnit XML

#[derive(Debug, Default)]
struct Junit {
    suites: usize,
    suite_tests: usize,
    suite_failures: usize,
    cases: usize,
    failures: Vec<(String, String)>,
    names: Vec<String>,
    system_out: Vec<String>,
}

/// Parse JUnit XML with quick-xml: the testsuite's counts, its testcases, each failure's
/// message attribute and text.
fn parse_junit(xml: &str) -> Junit {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut j = Junit::default();
    let mut text = String::new();
    let attr = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> String {
        e.attributes()
            .map(|a| a.unwrap())
            .find(|a| a.key.as_ref() == name.as_bytes())
            .map(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned()
            })
            .unwrap_or_default()
    };
    let mut failure_message = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                text.clear();
                match e.name().as_ref() {
                    b"testsuite" => {
                        j.suites += 1;
                        j.suite_tests = attr(&e, "tests").parse().unwrap();
                        j.suite_failures = attr(&e, "failures").parse().unwrap();
                    }
                    b"testcase" => {
                        j.cases += 1;
                        j.names.push(attr(&e, "name"));
                    }
                    b"failure" => failure_message = Some(attr(&e, "message")),
                    _ => {}
                }
            }
            Event::Text(t) => text.push_str(&t.xml10_content().unwrap()),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap();
                let c = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&name)
                        .unwrap()
                        .to_owned(),
                };
                text.push_str(&c);
            }
            Event::End(e) => {
                match e.name().as_ref() {
                    b"failure" => j
                        .failures
                        .push((failure_message.take().unwrap(), text.clone())),
                    b"system-out" => j.system_out.push(text.clone()),
                    _ => {}
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    j
}

#[test]
fn junit_parses_back_with_one_testcase_per_check() {
    let dir = tempfile::tempdir().unwrap();
    for pass in [true, false] {
        let (xml, report) = (path(&dir, "r.xml"), path(&dir, "r.json"));
        let (rc, out, err) = verify(
            pass,
            &[
                "--format",
                &format!("junit={xml}"),
                "--format",
                &format!("json={report}"),
            ],
        );
        assert_eq!(rc, if pass { 0 } else { 1 }, "{out}{err}");
        let report = json(&report);
        let j = parse_junit(&read(&xml));
        let checks = report["checks"].as_array().unwrap().len();
        let failed = codes(&report, "fail");
        assert_eq!(j.suites, 1);
        assert_eq!((j.suite_tests, j.cases), (checks, checks));
        assert_eq!(j.suite_failures, failed.len());
        assert_eq!(j.failures.len(), failed.len());
        if !pass {
            assert!(j.names.iter().any(|n| n.starts_with(
                "signer-identity-mismatch [testdata/release/tampered/wrong-identity.sigstore.json]"
            )));
            assert!(j.failures[0].1.contains("attacker-org"), "{j:?}");
        }
    }
}

#[test]
fn junit_escapes_hostile_strings() {
    let r = hostile_report();
    let xml = render(provenant_report::junit::render, &r);
    let j = parse_junit(&xml);
    assert_eq!((j.cases, j.failures.len()), (3, 1));
    // The reason comes back on its line: the line break and the control character shown
    // escaped, never as themselves.
    let want = r.checks[1]
        .reason
        .replace('\n', "\\n")
        .replace('\u{7}', "\\u{7}");
    assert!(!xml.contains('\u{7}'));
    assert!(j.failures[0].1.starts_with(&want), "{:?}", j.failures[0]);
    assert!(j.names[1].contains("evil\"<iframe"), "{:?}", j.names);
    assert!(j.system_out[0].starts_with("warning: <script>"), "{j:?}");
    assert!(!xml.contains("<script>") && !xml.contains("<iframe"));
}

// ---------------------------------------------------------------------------------------------
// VSA

fn subject_digest() -> String {
    let (rc, out, _) = verify(true, &["--format", "json"]);
    assert_eq!(rc, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    v["subject"]["digests"][0].as_str().unwrap().to_owned()
}

/// `verify artifact --vsa` on `vsa`, as a consumer would: the key, digest, verifier and
/// resource it expects.
fn verify_vsa(vsa: &str, key: &str, digest: &str, extra: &[&str]) -> (i32, Value, String) {
    let (rc, out, err) = run(provenant()
        .current_dir(root())
        .args([
            "verify",
            "artifact",
            "--vsa",
            vsa,
            "--key",
            key,
            "--digest",
            digest,
            "--verifier-id",
            VERIFIER_ID,
            "--resource-uri",
            digest,
            "--format",
            "json",
        ])
        .args(extra));
    let report = serde_json::from_str(&out).unwrap_or(Value::Null);
    (rc, report, format!("{out}{err}"))
}

#[test]
fn a_signed_vsa_is_verified_back_by_provenant() {
    let dir = tempfile::tempdir().unwrap();
    let vsa = path(&dir, "vsa.intoto.jsonl");
    let (rc, out, err) = verify(
        true,
        &[
            "--format",
            &format!("vsa={vsa}"),
            "--vsa-key",
            "testdata/keys/cosign.key",
        ],
    );
    assert_eq!(rc, 0, "{out}{err}");
    assert!(
        out.starts_with("PASS"),
        "the text summary goes to stdout: {out}"
    );
    let digest = subject_digest();
    let (rc, v, all) = verify_vsa(
        &vsa,
        "testdata/keys/cosign.pub",
        &digest,
        &["--verified-level", "SLSA_BUILD_LEVEL_1"],
    );
    assert_eq!(rc, 0, "{all}");
    for code in [
        "signature-valid",
        "predicate-type-matches",
        "artifact-digest-matches",
        "vsa-verifier-matches",
        "vsa-resource-matches",
        "vsa-result-passed",
        "vsa-levels-met",
    ] {
        assert!(
            codes(&v, "pass").contains(&code.to_owned()),
            "{code}: {all}"
        );
    }
    // The key id is the SHA-256 of the key's SPKI, as --public-key-id expects.
    let pubkey = std::fs::read_to_string(root().join("testdata/keys/cosign.pub")).unwrap();
    let der = provenant_formats::dsse::decode_base64(
        &pubkey
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<String>(),
    )
    .unwrap();
    let (keyid, _) =
        provenant_verify::digest_reader(&der[..], &[provenant_model::DigestAlgorithm::Sha256])
            .unwrap();
    let (rc, _, all) = verify_vsa(
        &vsa,
        "testdata/keys/cosign.pub",
        &digest,
        &["--public-key-id", keyid[0].hex()],
    );
    assert_eq!(rc, 0, "{all}");

    // No higher level is claimed than was verified.
    let (rc, _, all) = verify_vsa(
        &vsa,
        "testdata/keys/cosign.pub",
        &digest,
        &["--verified-level", "SLSA_BUILD_LEVEL_2"],
    );
    assert_eq!(rc, 1, "{all}");
    assert!(all.contains("vsa-levels-not-met"), "{all}");

    // Another key, another artifact, another resource: each fails.
    let other = provenant_testkit::keys::KeyPair::p256(99);
    let other_pub = path(&dir, "other.pub");
    std::fs::write(&other_pub, other.public_pem()).unwrap();
    let (rc, _, all) = verify_vsa(&vsa, &other_pub, &digest, &[]);
    assert_eq!(rc, 1, "{all}");
    assert!(all.contains("signature-invalid"), "{all}");
    let (rc, _, all) = verify_vsa(
        &vsa,
        "testdata/keys/cosign.pub",
        &format!("sha256:{}", "0".repeat(64)),
        &[],
    );
    assert_eq!(rc, 1, "{all}");
    assert!(all.contains("artifact-digest-mismatch"), "{all}");

    // A tampered payload no longer verifies.
    let mut env: Value = json(&vsa);
    let payload = provenant_formats::dsse::decode_base64(env["payload"].as_str().unwrap()).unwrap();
    let forged = String::from_utf8(payload)
        .unwrap()
        .replace("\"PASSED\"", "\"PASSED\" ");
    use base64::Engine as _;
    env["payload"] = base64::engine::general_purpose::STANDARD
        .encode(forged)
        .into();
    let tampered = path(&dir, "tampered.json");
    std::fs::write(&tampered, env.to_string()).unwrap();
    let (rc, _, all) = verify_vsa(&tampered, "testdata/keys/cosign.pub", &digest, &[]);
    assert_eq!(rc, 1, "{all}");
    assert!(all.contains("signature-invalid"), "{all}");
}

#[test]
fn a_failed_verification_gives_a_failed_vsa_and_a_testkit_key_signs_too() {
    let dir = tempfile::tempdir().unwrap();
    let key = provenant_testkit::keys::KeyPair::p256(7);
    let (private, public) = (path(&dir, "k.pem"), path(&dir, "k.pub"));
    std::fs::write(&private, key.private_pem()).unwrap();
    std::fs::write(&public, key.public_pem()).unwrap();
    let vsa = path(&dir, "vsa.json");
    let (rc, out, err) = verify(
        false,
        &["--format", &format!("vsa={vsa}"), "--vsa-key", &private],
    );
    assert_eq!(rc, 1, "{out}{err}");
    let env = json(&vsa);
    let st: Value = serde_json::from_slice(
        &provenant_formats::dsse::decode_base64(env["payload"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(st["predicate"]["verificationResult"], "FAILED");
    assert_eq!(
        st["predicate"]["verifiedLevels"],
        serde_json::json!(["FAILED"])
    );
    let (rc, _, all) = verify_vsa(&vsa, &public, &subject_digest(), &[]);
    assert_eq!(rc, 1, "{all}");
    assert!(all.contains("vsa-result-failed"), "{all}");
    assert!(all.contains("\"signature-valid\""), "{all}");
}

#[test]
fn an_unsigned_vsa_is_an_in_toto_statement_about_the_subject() {
    let (rc, out, err) = verify(true, &["--format", "vsa"]);
    assert_eq!(rc, 0, "{err}");
    let st: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        st["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    let digest = subject_digest();
    let hex = digest.strip_prefix("sha256:").unwrap();
    assert_eq!(st["subject"][0]["digest"]["sha256"], hex);
    assert_eq!(st["subject"][0]["name"], ARTIFACT);
    let p = &st["predicate"];
    assert_eq!(p["verifier"]["id"], VERIFIER_ID);
    assert!(p["verifier"]["version"]["provenant"].is_string());
    // The resource is the artifact's digest, not the local path it was read from.
    assert_eq!(p["resourceUri"], digest);
    assert_eq!(p["verificationResult"], "PASSED");
    assert_eq!(
        p["verifiedLevels"],
        serde_json::json!(["SLSA_BUILD_LEVEL_1"])
    );
    assert!(p["timeVerified"].as_str().unwrap().ends_with('Z'));
    let inputs: Vec<&str> = p["inputAttestations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        inputs,
        [
            "testdata/release/hello-provenant.txt.sigstore.json",
            "testdata/release/hello-provenant.intoto.sigstore.json"
        ]
    );
    // Without SLSA provenance among the verified evidence, no SLSA level is claimed.
    let (rc, out, _) = run(provenant().current_dir(root()).args([
        "verify",
        "artifact",
        ARTIFACT,
        "--trusted-root",
        "testdata/trust/trusted_root.json",
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
        "--format",
        "vsa",
    ]));
    assert_eq!(rc, 0);
    let st: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(st["predicate"]["verifiedLevels"], serde_json::json!([]));
}

#[test]
fn vsa_key_errors_exit_2_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let vsa = path(&dir, "v.json");
    let cases: [&[&str]; 3] = [
        // A key with nothing to sign.
        &["--vsa-key", "testdata/keys/cosign.key"],
        // A public key is not a signing key.
        &[
            "--format",
            &format!("vsa={vsa}"),
            "--vsa-key",
            "testdata/keys/cosign.pub",
        ],
        &[
            "--format",
            &format!("vsa={vsa}"),
            "--vsa-key",
            "testdata/missing.pem",
        ],
    ];
    for args in cases {
        let (rc, out, err) = verify(true, args);
        assert_eq!(rc, 2, "{args:?}: {out}{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(!Path::new(&vsa).exists());
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown

/// Unescaped `|` in a Markdown table line.
fn cells(line: &str) -> usize {
    line.replace("\\|", "").matches('|').count()
}

#[test]
fn markdown_puts_the_verdict_and_failures_first() {
    let dir = tempfile::tempdir().unwrap();
    let md = path(&dir, "summary.md");
    let (rc, out, err) = verify(false, &["--format", &format!("markdown={md}")]);
    assert_eq!(rc, 1, "{out}{err}");
    assert!(out.starts_with("FAIL"), "text summary on stdout: {out}");
    let md = read(&md);
    let first = md.lines().next().unwrap();
    assert!(first.starts_with("## ") && first.contains("FAIL"), "{md}");
    let failed = md
        .find("### Failed checks")
        .expect("a failed-checks section");
    let mismatch = md.find("`signer-identity-mismatch`").unwrap();
    let all = md.find("<details>").expect("the table of all checks");
    assert!(failed < mismatch && mismatch < all, "{md}");
    assert!(md[failed..all].contains("attacker-org"), "{md}");
    assert!(
        md[failed..all].contains("wrong-identity.sigstore.json"),
        "{md}"
    );

    let (rc, out, _) = verify(true, &["--format", "markdown"]);
    assert_eq!(rc, 0);
    assert!(out.lines().next().unwrap().contains("PASS"), "{out}");
    assert!(!out.contains("### Failed checks"));
    assert!(
        out.contains("### Provenance") && out.contains("5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5")
    );
}

#[test]
fn markdown_table_cells_cannot_be_reshaped() {
    let md = render(provenant_report::markdown::render, &hostile_report());
    assert!(!md.contains("<script>") && !md.contains("<iframe") && !md.contains("<b>"));
    for table in md.split("\n\n").filter(|b| b.trim_start().starts_with('|')) {
        let lines: Vec<&str> = table.lines().filter(|l| l.starts_with('|')).collect();
        let want = cells(lines[0]);
        for l in &lines {
            assert_eq!(cells(l), want, "row reshaped: {l}");
        }
    }
    // The gate table is there, its cells escaped.
    assert!(
        md.contains("### Security gates") && md.contains("Code\\|QL &lt;b&gt;"),
        "{md}"
    );
}

// ---------------------------------------------------------------------------------------------
// HTML

/// What in `html` would load something from outside the page: in a tag (report text is
/// escaped, so every raw `<` opens a real tag), an element that loads or runs something, or a
/// `src`, `href` or `url(` that is not a `#fragment`; in the style sheet, `url(` or `@import`.
fn external_references(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    let local = |rest: &str| rest.trim_start_matches(['"', '\'', ' ']).starts_with('#');
    for tag in lower
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or_default())
    {
        let name = tag.split([' ', '/', '\n']).next().unwrap_or_default();
        if [
            "script", "link", "iframe", "object", "embed", "img", "image", "base",
        ]
        .contains(&name)
        {
            found.push(format!("<{tag}>"));
        }
        for attr in ["src=", "href=", "xlink:href=", "url(", "srcset=", "action="] {
            for (i, _) in tag.match_indices(attr) {
                if !local(&tag[i + attr.len()..]) {
                    found.push(format!("<{tag}>"));
                }
            }
        }
    }
    for style in lower.split("<style>").skip(1) {
        let css = style.split("</style>").next().unwrap_or_default();
        if css.contains("url(") || css.contains("@import") {
            found.push("url( or @import in the style sheet".into());
        }
    }
    found
}

#[test]
fn html_is_self_contained_and_escapes_everything() {
    // The detector is not vacuous.
    for leak in [
        r#"<img alt="" src="https://x.invalid/a.png">"#,
        r#"<a href="http://x.invalid/">x</a>"#,
        r#"<svg><use href="https://x.invalid/s.svg#a"/></svg>"#,
        "<style>body{background:url(https://x.invalid/b.png)}</style>",
        r#"<p style="background:url('//x.invalid/')">"#,
    ] {
        assert!(!external_references(leak).is_empty(), "{leak}");
    }
    assert!(external_references(r##"<a href="#x">&lt;img src=https://x&gt;</a>"##).is_empty());
    let dir = tempfile::tempdir().unwrap();
    let html = path(&dir, "r.html");
    let (rc, out, err) = verify(true, &["--format", &format!("html={html}")]);
    assert_eq!(rc, 0, "{out}{err}");
    let page = read(&html);
    assert_eq!(external_references(&page), Vec::<String>::new());
    assert!(
        page.contains("default-src 'none'"),
        "a CSP that loads nothing"
    );
    // The CSP allows the page's own style sheet by its hash, and nothing inline besides.
    use base64::Engine as _;
    let css = page
        .split("<style>")
        .nth(1)
        .and_then(|s| s.split("</style>").next())
        .unwrap();
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, css.as_bytes());
    let b64 = base64::engine::general_purpose::STANDARD.encode(hash.as_ref());
    assert!(
        page.contains(&format!(
            "style-src 'sha256-{b64}'; base-uri 'none'; form-action 'none'\""
        )),
        "the CSP names the style sheet's hash sha256-{b64}"
    );
    assert!(!page.contains("unsafe-inline") && !page.contains(" style="));
    assert!(page.contains(r#"<h1 id="verdict">PASS</h1>"#));
    assert!(page.contains(r#"<svg id="provenance-graph""#));
    assert!(page.contains("5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5"));

    // An identity flag carrying markup comes back in the failed check's reason, escaped.
    let evil = format!("{IDENTITY}<script>alert(1)</script>");
    let (rc, _, err) = run(provenant().current_dir(root()).args([
        "verify",
        "artifact",
        ARTIFACT,
        "--bundle",
        "testdata/release/hello-provenant.txt.sigstore.json",
        "--trusted-root",
        "testdata/trust/trusted_root.json",
        "--certificate-identity",
        &evil,
        "--certificate-oidc-issuer",
        ISSUER,
        "--format",
        &format!("html={html}"),
    ]));
    assert_eq!(rc, 1, "{err}");
    let page = read(&html);
    assert!(page.contains(r#"<h1 id="verdict">FAIL</h1>"#));
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert_eq!(external_references(&page), Vec::<String>::new());
    let failures = page.find(r#"<section id="failures">"#).unwrap();
    assert!(failures < page.find(r#"<section id="checks">"#).unwrap());

    let hostile = render(provenant_report::html::render, &hostile_report());
    assert_eq!(external_references(&hostile), Vec::<String>::new());
    assert!(hostile.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert!(hostile.contains("evil&quot;&lt;iframe src=https://example.invalid/&gt;.json"));
    assert!(hostile.contains(r#"<section id="gates">"#) && hostile.contains("Code|QL &lt;b&gt;"));
    assert!(!hostile.contains('\u{7}'));
}

// ---------------------------------------------------------------------------------------------
// HTML in a real browser

/// Headless Chromium, or `None` (with a message) off CI. Under `CI=true` a missing browser is a
/// failure, never a silent skip.
fn chromium() -> Option<PathBuf> {
    for p in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(p).is_file() {
            return Some(PathBuf::from(p));
        }
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "CI=true but chromium is missing (apt-get install chromium; .ci/run installs it)"
    );
    eprintln!("skipping: chromium not found (the HTML report is not rendered in a browser)");
    None
}

/// Chromium, headless, offline: file:// only, no background networking, a throwaway profile.
fn headless(browser: &Path, profile: &Path) -> Command {
    let mut c = Command::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .env("HOME", profile);
    c
}

/// Console messages of the page, as Chromium logs them (`:CONSOLE` lines: script errors,
/// blocked loads, console calls).
fn console_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_owned)
        .collect()
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.len() > 24, "not a PNG");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&png[12..16], b"IHDR", "no IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
fn chromium_renders_the_html_report_without_console_errors() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let run_browser = |args: &[String]| -> (bool, String, String) {
        let out = headless(&browser, &profile)
            .args(args)
            .output()
            .expect("spawn chromium");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let url = |p: &Path| format!("file://{}", p.display());

    // The console check works: a page that logs an error and throws is caught.
    let probe = dir.path().join("probe.html");
    std::fs::write(
        &probe,
        "<!DOCTYPE html><html><body><script>console.error('provenant-probe'); throw new Error('probe');</script></body></html>",
    )
    .unwrap();
    let (_, _, err) = run_browser(&["--dump-dom".into(), url(&probe)]);
    let seen = console_lines(&err);
    assert!(
        seen.iter().any(|l| l.contains("provenant-probe"))
            && seen.iter().any(|l| l.contains("Uncaught")),
        "chromium's console log is not where this test looks: {err}"
    );

    for pass in [true, false] {
        let html = dir
            .path()
            .join(if pass { "pass.html" } else { "fail.html" });
        let (rc, out, err) = verify(pass, &["--format", &format!("html={}", html.display())]);
        assert_eq!(rc, if pass { 0 } else { 1 }, "{out}{err}");

        let (ok, dom, err) = run_browser(&["--dump-dom".into(), url(&html)]);
        assert!(ok, "chromium --dump-dom failed: {err}");
        let verdict = if pass { "PASS" } else { "FAIL" };
        assert!(
            dom.contains(&format!(r#"<h1 id="verdict">{verdict}</h1>"#)),
            "{dom}"
        );
        assert!(dom.contains(r#"<svg id="provenance-graph""#), "{dom}");
        assert!(
            dom.contains("<rect")
                && dom.contains(">artifact</text>")
                && dom.contains(">signer</text>")
        );
        if !pass {
            assert!(dom.contains("signer-identity-mismatch"));
        }
        assert_eq!(console_lines(&err), Vec::<String>::new(), "{err}");

        let png = dir.path().join(if pass { "pass.png" } else { "fail.png" });
        let (ok, _, err) = run_browser(&[
            format!("--screenshot={}", png.display()),
            "--window-size=1200,2000".into(),
            "--hide-scrollbars".into(),
            url(&html),
        ]);
        assert!(ok, "chromium --screenshot failed: {err}");
        let bytes = std::fs::read(&png).expect("a screenshot");
        assert_eq!(png_size(&bytes), (1200, 2000));
        // A blank 1200x2000 page compresses to a few KB; a rendered report is far larger.
        assert!(
            bytes.len() > 40_000,
            "{} bytes: nothing rendered?",
            bytes.len()
        );
        assert_eq!(console_lines(&err), Vec::<String>::new(), "{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// --format FMT[=PATH], --out

#[test]
fn several_formats_at_once_and_the_old_flags_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| path(&dir, n);
    let mut args = vec!["--format".to_owned(), "text".to_owned()];
    args.extend(to_files(
        &dir,
        &[
            ("sarif", "r.sarif"),
            ("markdown", "r.md"),
            ("json", "r.json"),
            ("html", "r.html"),
            ("junit", "r.xml"),
            ("vsa", "r.vsa.json"),
        ],
    ));
    let (rc, out, err) = verify(true, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(rc, 0, "{out}{err}");
    assert!(out.starts_with("PASS verify artifact"), "{out}");
    assert_eq!(json(&p("r.json"))["verdict"], "pass");
    crate::schema::assert_report_valid(&read(&p("r.json")));
    assert_eq!(json(&p("r.sarif"))["version"], "2.1.0");
    assert!(read(&p("r.md")).starts_with("## "));
    assert!(read(&p("r.html")).starts_with("<!DOCTYPE html>"));
    assert!(read(&p("r.xml")).starts_with("<?xml"));
    assert_eq!(
        json(&p("r.vsa.json"))["predicate"]["verificationResult"],
        "PASSED"
    );

    // A single --format json is the JSON report on stdout, as before.
    let (rc, out, _) = verify(true, &["--format", "json"]);
    assert_eq!(rc, 0);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["verdict"],
        "pass"
    );
    // --out writes it to a file and prints the text summary, as before; =- is stdout too.
    let (rc, out, _) = verify(false, &["--format", "json", "--out", &p("o.json")]);
    assert_eq!(rc, 1);
    assert!(out.starts_with("FAIL verify artifact"), "{out}");
    assert_eq!(json(&p("o.json"))["verdict"], "fail");
    let (rc, out, _) = verify(false, &["--out", &p("o.txt")]);
    assert_eq!(rc, 1);
    assert!(out.starts_with("FAIL") && read(&p("o.txt")) == out);
    let (rc, out, _) = verify(true, &["--format=sarif=-"]);
    assert_eq!(rc, 0);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["version"],
        "2.1.0"
    );
}

#[test]
fn format_misuse_exits_2_before_verifying() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| path(&dir, n);
    let a = format!("json={}", p("a"));
    let (pa, pb) = (p("a"), p("b"));
    let cases: Vec<Vec<&str>> = vec![
        vec!["--format", "text", "--format", "json"],
        vec!["--format", "json", "--format", "sarif=-"],
        vec!["--format", "xml"],
        vec!["--format", "json="],
        vec![
            "--format",
            &a,
            "--format",
            "html=-",
            "--out",
            "/dev/null",
            "--format",
            "text",
        ],
        vec!["--format", &a, "--out", &pb],
        vec!["--format", &a, "--format", "html", "--out", &pa],
    ];
    for args in cases {
        let (rc, out, err) = verify(true, &args);
        assert_eq!(rc, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(!Path::new(&p("a")).exists(), "{args:?} wrote a file");
    }
}

#[test]
fn gates_and_sbom_check_write_the_report_formats() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| path(&dir, n);
    let commit = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    let scan = serde_json::json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "CodeQL", "semanticVersion": "2.17.0", "rules": []}},
            "versionControlProvenance": [{"repositoryUri": "https://github.com/o/app", "revisionId": commit}],
            "invocations": [{"executionSuccessful": true, "endTimeUtc": "2026-05-01T11:00:00Z"}],
            "results": []
        }]
    });
    std::fs::write(p("codeql.sarif"), scan.to_string()).unwrap();
    let (rc, out, err) = run(provenant()
        .args([
            "gates",
            "--commit",
            commit,
            "--sarif",
            &p("codeql.sarif"),
            "--require-gate",
            "sast",
        ])
        .args(to_files(
            &dir,
            &[
                ("markdown", "g.md"),
                ("html", "g.html"),
                ("junit", "g.xml"),
                ("sarif", "g.sarif"),
            ],
        )));
    assert_eq!(rc, 0, "{out}{err}");
    assert!(out.starts_with("PASS gates"), "{out}");
    let md = read(&p("g.md"));
    assert!(
        md.contains("### Security gates") && md.contains("CodeQL"),
        "{md}"
    );
    let html = read(&p("g.html"));
    assert!(html.contains(r#"<section id="gates">"#) && html.contains("CodeQL"));
    assert_eq!(external_references(&html), Vec::<String>::new());
    assert_eq!(parse_junit(&read(&p("g.xml"))).suites, 1);
    assert_eq!(
        json(&p("g.sarif"))["runs"][0]["properties"]["verdict"],
        "pass"
    );
    // A VSA summarises an artifact verification; gates offer none.
    let (rc, _, err) = run(provenant().args([
        "gates",
        "--commit",
        commit,
        "--sarif",
        &p("codeql.sarif"),
        "--format",
        &format!("vsa={}", p("g.vsa")),
    ]));
    assert_eq!(rc, 2, "{err}");

    let cdx = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "components": [{"type": "library", "name": "x", "version": "1"}]
    });
    std::fs::write(p("bom.json"), cdx.to_string()).unwrap();
    let (rc, out, err) = run(provenant().args([
        "sbom",
        "check",
        &p("bom.json"),
        "--format",
        &format!("junit={}", p("s.xml")),
        "--format",
        "markdown",
    ]));
    assert!(rc == 0 || rc == 1, "{out}{err}");
    assert!(out.starts_with("## "), "markdown on stdout: {out}");
    let j = parse_junit(&read(&p("s.xml")));
    assert_eq!(j.suites, 1);
    assert!(j.cases > 0);
}

#[test]
fn provenance_writes_the_chain_and_the_report_formats() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| path(&dir, n);
    let (rc, out, err) = run(provenant().current_dir(root()).args([
        "provenance",
        ARTIFACT,
        "--bundle",
        "testdata/release/hello-provenant.intoto.sigstore.json",
        "--trusted-root",
        "testdata/trust/trusted_root.json",
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
        "--format",
        "mermaid",
        "--format",
        &format!("json={}", p("chain.json")),
        "--format",
        &format!("html={}", p("p.html")),
    ]));
    assert_eq!(rc, 0, "{out}{err}");
    assert!(out.starts_with("flowchart LR"), "{out}");
    // json is the chain here, as before.
    assert!(json(&p("chain.json"))["chains"].is_array());
    assert!(read(&p("p.html")).contains(r#"<svg id="provenance-graph""#));
}

// ---------------------------------------------------------------------------------------------
// What was asked, and what was read (issue 19, items 1, 2, 7)

fn sha256_file(p: &str) -> String {
    let bytes = std::fs::read(root().join(p)).unwrap_or_else(|_| std::fs::read(p).unwrap());
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes);
    format!(
        "sha256:{}",
        d.as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

const IDENTITY_RE: &str =
    r"^https://github\.com/provenant-test/app/\.github/workflows/release\.yml@refs/tags/v1\.0\.0$";

#[test]
fn every_report_records_what_was_asked_and_the_sha256_of_every_file_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| path(&dir, n);
    let bom = p("bom.json");
    std::fs::write(
        &bom,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[]}"#,
    )
    .unwrap();
    let (rc, out, err) = run(provenant()
        .current_dir(root())
        .args(["verify", "artifact", ARTIFACT])
        .args([
            "--bundle",
            "testdata/release/hello-provenant.txt.sigstore.json",
            "--bundle",
            "testdata/release/hello-provenant.intoto.sigstore.json",
            "--trusted-root",
            "testdata/trust/trusted_root.json",
            "--certificate-identity-regexp",
            IDENTITY_RE,
            "--certificate-oidc-issuer",
            ISSUER,
            "--commit",
            "5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5",
            "--sbom",
            &bom,
        ])
        .args(to_files(
            &dir,
            &[
                ("json", "r.json"),
                ("html", "r.html"),
                ("markdown", "r.md"),
                ("vsa", "r.vsa.json"),
            ],
        )));
    assert_eq!(rc, 0, "{out}{err}");
    let report = json(&p("r.json"));
    let e = &report["expectations"];
    assert_eq!(e["signers"]["mode"], "keyless");
    assert_eq!(e["signers"]["identity"]["match"], "regexp");
    assert_eq!(e["signers"]["identity"]["value"], IDENTITY_RE);
    assert_eq!(e["signers"]["issuer"]["value"], ISSUER);
    assert_eq!(
        e["signers"]["trusted_root"],
        "testdata/trust/trusted_root.json"
    );
    assert_eq!(
        e["source"]["commit"],
        "5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5"
    );
    // Every file read, by the sha256 of its bytes.
    let inputs = report["inputs"].as_array().unwrap();
    for (role, file) in [
        ("trusted-root", "testdata/trust/trusted_root.json"),
        (
            "evidence",
            "testdata/release/hello-provenant.txt.sigstore.json",
        ),
        (
            "evidence",
            "testdata/release/hello-provenant.intoto.sigstore.json",
        ),
        ("sbom", bom.as_str()),
    ] {
        assert!(
            inputs.iter().any(|i| i["role"] == role
                && i["location"] == file
                && i["sha256"] == sha256_file(file).as_str()),
            "{role} {file} in {inputs:?}"
        );
    }
    // No Rust Debug formatting anywhere; regexps as written (one backslash each).
    let text = out;
    let html = read(&p("r.html"));
    let md = read(&p("r.md"));
    for (name, doc) in [("text", &text), ("html", &html), ("markdown", &md)] {
        for debug in ["Some(", "None", "CycloneDx", "Spdx2", "Json"] {
            assert!(!doc.contains(debug), "{name} has {debug}: {doc}");
        }
    }
    // Text and HTML print the regexp as written; Markdown escapes each backslash once (`\\.`
    // renders as `\.`), never twice as a Debug string would.
    for (name, doc) in [("text", &text), ("html", &html)] {
        assert!(!doc.contains("\\\\."), "{name}: {doc}");
    }
    assert!(!md.contains("\\\\\\."), "{md}");
    assert!(text.contains(IDENTITY_RE), "{text}");
    assert!(text.contains("CycloneDX 1.5"), "{text}");
    assert!(html.contains(r#"<section id="expectations">"#) && html.contains(IDENTITY_RE));
    assert!(html.contains(r#"<section id="inputs">"#));
    assert!(html.contains(&sha256_file(
        "testdata/release/hello-provenant.intoto.sigstore.json"
    )));
    assert!(md.contains("regexp ^https://github\\\\.com/"), "{md}");
    assert!(md.contains(&sha256_file("testdata/trust/trusted_root.json")));
    // The VSA: resource by digest, policy (the flags) with the expectations, inputs by digest.
    let vsa = json(&p("r.vsa.json"));
    let pr = &vsa["predicate"];
    assert_eq!(pr["resourceUri"], report["subject"]["digests"][0]);
    assert_ne!(pr["policy"]["uri"], "provenant:verify-artifact");
    assert_eq!(
        pr["policy"]["annotations"]["expectations"]["signers"]["identity"]["value"],
        IDENTITY_RE
    );
    for i in pr["inputAttestations"].as_array().unwrap() {
        let uri = i["uri"].as_str().unwrap();
        let hex = sha256_file(uri);
        assert_eq!(
            i["digest"]["sha256"].as_str(),
            hex.strip_prefix("sha256:"),
            "{uri}"
        );
    }
}

#[test]
fn a_vsa_names_the_policy_file_applied_by_its_digest() {
    let dir = tempfile::tempdir().unwrap();
    let policy = path(&dir, "policy.yaml");
    std::fs::write(
        &policy,
        format!(
            "apiVersion: provenant.dev/v1\nsigners:\n  - issuer: {ISSUER}\n    identity: {IDENTITY}\nprovenance:\n  required: true\n"
        ),
    )
    .unwrap();
    let (rc, out, err) = run(provenant().current_dir(root()).args([
        "verify",
        "artifact",
        ARTIFACT,
        "--bundle",
        "testdata/release/hello-provenant.intoto.sigstore.json",
        "--trusted-root",
        "testdata/trust/trusted_root.json",
        "--policy",
        &policy,
        "--format",
        "vsa",
    ]));
    assert_eq!(rc, 0, "{out}{err}");
    let st: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let pr = &st["predicate"];
    assert_eq!(pr["policy"]["uri"], policy.as_str(), "{st}");
    assert_eq!(
        pr["policy"]["annotations"]["expectations"]["provenance_required"],
        true
    );
    assert_eq!(
        Some(pr["policy"]["digest"]["sha256"].as_str().unwrap()),
        sha256_file(&policy).strip_prefix("sha256:")
    );
}

#[test]
fn sarif_results_of_gate_checks_point_at_the_gate_report() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| path(&dir, n);
    // Scanned another commit than the one that shipped: the gate is not bound.
    let scan = serde_json::json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "CodeQL", "semanticVersion": "2.17.0", "rules": []}},
            "versionControlProvenance": [{"repositoryUri": "https://github.com/o/app", "revisionId": "b".repeat(40)}],
            "invocations": [{"executionSuccessful": true, "endTimeUtc": "2026-05-01T11:00:00Z"}],
            "results": []
        }]
    });
    std::fs::write(p("codeql.sarif"), scan.to_string()).unwrap();
    let (rc, out, err) = run(provenant().current_dir(root()).args([
        "gates",
        "--commit",
        &"a".repeat(40),
        "--artifact",
        ARTIFACT,
        "--sarif",
        &p("codeql.sarif"),
        "--require-gate",
        "sast",
        "--format",
        "sarif",
    ]));
    assert_eq!(rc, 1, "{out}{err}");
    let log: Value = serde_json::from_str(&out).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let gate_results: Vec<&Value> = results
        .iter()
        .filter(|r| {
            r["properties"]["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["location"] == p("codeql.sarif").as_str())
        })
        .collect();
    assert!(!gate_results.is_empty(), "{out}");
    for r in gate_results {
        let uris: Vec<&str> = r["locations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                l["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert!(
            uris.iter().all(|u| u.ends_with("/codeql.sarif")),
            "{uris:?} in {r}"
        );
    }
}

#[test]
fn text_groups_checks_under_a_heading_per_bundle() {
    let (rc, out, err) = verify(true, &[]);
    assert_eq!(rc, 0, "{err}");
    let first = out
        .find("evidence testdata/release/hello-provenant.txt.sigstore.json")
        .unwrap_or_else(|| panic!("{out}"));
    let second = out
        .find("evidence testdata/release/hello-provenant.intoto.sigstore.json")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(first < second);
    // Under each heading, that bundle's checks: the message signature's, then the DSSE one's.
    let (a, b) = out.split_at(second);
    assert!(
        a[first..].contains("message-signature signature verified"),
        "{out}"
    );
    assert!(b.contains("dsse signature verified") && !a.contains("dsse signature verified"));
    // One bundle: no headings.
    let (_, one, _) = run(provenant().current_dir(root()).args([
        "verify",
        "artifact",
        ARTIFACT,
        "--bundle",
        "testdata/release/hello-provenant.txt.sigstore.json",
        "--trusted-root",
        "testdata/trust/trusted_root.json",
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
    ]));
    assert!(!one.contains("  evidence "), "{one}");
}

/// The HTML report at 1280 px, measured in Chromium: the provenance graph keeps every value in
/// full (wrapped inside its box, inside the page), and no gate-table header is wrapped.
#[test]
fn html_graph_is_never_cut_and_gate_headers_do_not_wrap_at_1280px() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (rc, out, err) = verify(true, &["--format", "json"]);
    assert_eq!(rc, 0, "{err}");
    let mut report: Report = serde_json::from_str(&out).unwrap();
    let long_builder = format!(
        "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0/{}",
        "very-long-segment-".repeat(6)
    );
    for s in &mut report.signatures {
        if let Some(p) = &mut s.provenance {
            p.builder_id = Some(long_builder.clone());
        }
    }
    let evil = hostile_report();
    for i in 0..3 {
        let mut g = evil.gates[0].clone();
        g.tool = "CodeQL".into();
        g.version = Some("2.17.0".into());
        g.binding = format!(
            "scanned commit {} while {} shipped",
            "b".repeat(40),
            "a".repeat(40)
        );
        g.scanned = format!("commit {}", "b".repeat(40));
        g.evidence =
            format!("/tmp/some/long/directory/of/gate/reports/run-{i}/codeql-results.sarif");
        report.gates.push(g);
    }
    let page = render(provenant_report::html::render, &report);
    assert!(
        page.contains(&long_builder),
        "the full value is in the page"
    );
    // The page measured by a script of the test's own (the report's CSP forbids scripts: the
    // copy drops it; the report itself stays script-free).
    let csp_start = page
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let csp_end = csp_start + page[csp_start..].find('>').unwrap() + 1;
    let probe = r#"<script>
const out = [];
const svg = document.getElementById('provenance-graph');
const sr = svg.getBoundingClientRect();
if (sr.right > document.documentElement.clientWidth + 1) out.push('svg overflows the page: ' + sr.right);
for (const g of svg.querySelectorAll('g.node')) {
  const r = g.querySelector('rect').getBBox();
  for (const t of g.querySelectorAll('text')) {
    const b = t.getBBox();
    if (b.x + b.width > r.x + r.width + 0.5 || b.y + b.height > r.y + r.height + 0.5) out.push('cut: ' + t.textContent);
  }
}
for (const th of document.querySelectorAll('table.gates th')) {
  const range = document.createRange(); range.selectNodeContents(th);
  if (range.getClientRects().length > 1) out.push('wrapped header: ' + th.textContent);
}
document.body.setAttribute('data-probe', out.length ? out.join(' | ') : 'ok');
</script>"#;
    let mut probed = format!("{}{}", &page[..csp_start], &page[csp_end..]);
    probed = probed.replace("</body>", &format!("{probe}</body>"));
    let html = dir.path().join("long.html");
    std::fs::write(&html, probed).unwrap();
    let profile = dir.path().join("profile");
    let out = headless(&browser, &profile)
        .args([
            "--window-size=1280,2000".to_owned(),
            "--dump-dom".to_owned(),
            format!("file://{}", html.display()),
        ])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains(r#"data-probe="ok""#),
        "{}",
        dom.split("data-probe=").nth(1).unwrap_or(&dom)
    );
    // A print stylesheet is part of the page.
    assert!(page.contains("@media print{"));
}
