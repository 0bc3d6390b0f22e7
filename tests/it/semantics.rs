//! Issue 13, classes 2–4, end to end: a contradiction is a failure, not a choice; missing is not
//! clean; unknown severity is the worst severity for thresholds. Each attack fails with its own
//! check code (exit 1); each honest control passes (exit 0).

use provenant_testkit::keys::{dsse_envelope, KeyPair};
use serde_json::{json, Value};

use crate::support::{provenant, run};

const SHIPPED: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const OTHER: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f001234567";
const ARTIFACT: &[u8] = b"semantics test artifact\n";

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

fn write_json(dir: &tempfile::TempDir, name: &str, v: &Value) -> String {
    write(dir, name, &serde_json::to_vec_pretty(v).unwrap())
}

/// Run provenant with `--format json` appended; (exit code, report, everything printed).
fn json_run(args: &[&str]) -> (i32, Value, String) {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    let (code, out, err) = run(provenant().args(&all));
    let v = serde_json::from_str(&out).unwrap_or(Value::Null);
    (code, v, format!("{out}{err}"))
}

fn codes(v: &Value, outcome: &str) -> Vec<String> {
    v["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["outcome"] == outcome)
        .map(|c| c["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn hex(algorithm: provenant_model::DigestAlgorithm, bytes: &[u8]) -> String {
    let (d, _) = provenant_verify::digest_reader(bytes, &[algorithm]).unwrap();
    d[0].hex().to_owned()
}

fn sha256(bytes: &[u8]) -> String {
    hex(provenant_model::DigestAlgorithm::Sha256, bytes)
}

fn sha512(bytes: &[u8]) -> String {
    hex(provenant_model::DigestAlgorithm::Sha512, bytes)
}

// ---------------------------------------------------------------------------------------------
// Gates

/// A CodeQL SARIF log with one run: `vcp` is its versionControlProvenance, `results` its
/// results (`None`: the key is absent).
fn sarif(vcp: Value, results: Option<Value>) -> Value {
    let mut run = json!({
        "tool": {"driver": {"name": "CodeQL", "semanticVersion": "2.17.0",
            "rules": [{"id": "js/xss", "properties": {"security-severity": "7.5"}}]}},
        "versionControlProvenance": vcp,
        "invocations": [{"executionSuccessful": true,
                         "startTimeUtc": "2026-05-01T10:00:00Z",
                         "endTimeUtc": "2026-05-01T11:00:00Z"}]
    });
    if let Some(r) = results {
        run["results"] = r;
    }
    json!({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [run]})
}

fn vcp(commits: &[&str]) -> Value {
    Value::Array(
        commits
            .iter()
            .map(|c| json!({"repositoryUri": "https://github.com/o/app", "revisionId": c}))
            .collect(),
    )
}

/// `provenant gates --commit SHIPPED --sarif F` plus `extra`.
fn gates_sarif(dir: &tempfile::TempDir, log: &Value, extra: &[&str]) -> (i32, Value, String) {
    let f = write_json(dir, "run.sarif", log);
    let mut args = vec!["gates", "--commit", SHIPPED, "--sarif", &f];
    args.extend_from_slice(extra);
    json_run(&args)
}

#[test]
fn a_sarif_run_naming_the_shipped_commit_and_another_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    // Control: the shipped commit alone.
    let (code, _, all) = gates_sarif(&dir, &sarif(vcp(&[SHIPPED]), Some(json!([]))), &[]);
    assert_eq!(code, 0, "{all}");
    for commits in [[SHIPPED, OTHER], [OTHER, SHIPPED]] {
        let (code, v, all) = gates_sarif(
            &dir,
            &sarif(vcp(&commits), Some(json!([]))),
            &["--require-gate", "sast"],
        );
        assert_eq!(code, 1, "{all}");
        let f = codes(&v, "fail");
        assert!(
            f.contains(&"gate-binding-conflict".into()) && f.contains(&"gate-missing".into()),
            "{f:?}"
        );
        assert!(!codes(&v, "pass").contains(&"gate-bound".into()));
    }
}

#[test]
fn a_sarif_run_without_results_is_an_incomplete_scan() {
    let dir = tempfile::tempdir().unwrap();
    let absent = sarif(vcp(&[SHIPPED]), None);
    let null = sarif(vcp(&[SHIPPED]), Some(Value::Null));
    // `results: null` also breaks the SARIF 2.1.0 schema: the log is refused outright.
    let (code, v, all) = gates_sarif(&dir, &null, &["--max-high", "0"]);
    assert_eq!(code, 1, "{all}");
    assert!(
        codes(&v, "fail").contains(&"gate-report-unreadable".into()),
        "{all}"
    );
    {
        let log = &absent;
        // It cannot meet a threshold...
        let (code, v, all) = gates_sarif(&dir, log, &["--max-high", "0"]);
        assert_eq!(code, 1, "{all}");
        assert!(codes(&v, "fail").contains(&"gate-findings-incomplete".into()));
        // ...nor satisfy a required gate, even without one.
        let (code, v, all) = gates_sarif(&dir, log, &["--require-gate", "sast"]);
        assert_eq!(code, 1, "{all}");
        let f = codes(&v, "fail");
        assert!(
            f.contains(&"gate-findings-incomplete".into()) && f.contains(&"gate-missing".into()),
            "{f:?}"
        );
    }
    // `results: []` is a complete, clean run.
    let clean = sarif(vcp(&[SHIPPED]), Some(json!([])));
    let (code, _, all) = gates_sarif(
        &dir,
        &clean,
        &[
            "--require-gate",
            "sast",
            "--max-critical",
            "0",
            "--max-low",
            "0",
        ],
    );
    assert_eq!(code, 0, "{all}");
    // A log whose runs are null or empty: the tool never ran.
    for runs in [Value::Null, json!([])] {
        let log = json!({"version": "2.1.0", "runs": runs});
        let (code, v, all) = gates_sarif(&dir, &log, &[]);
        assert_eq!(code, 1, "{all}");
        assert!(codes(&v, "fail").contains(&"gate-findings-incomplete".into()));
    }
}

#[test]
fn one_rejected_suppression_means_the_finding_counts() {
    let dir = tempfile::tempdir().unwrap();
    let result = |suppressions: Value| {
        json!([{"ruleId": "js/xss", "ruleIndex": 0, "message": {"text": "XSS"},
                "suppressions": suppressions}])
    };
    let accepted =
        result(json!([{"kind": "inSource"}, {"kind": "external", "status": "accepted"}]));
    let (code, _, all) = gates_sarif(
        &dir,
        &sarif(vcp(&[SHIPPED]), Some(accepted)),
        &["--max-high", "0"],
    );
    assert_eq!(code, 0, "{all}");
    for status in ["rejected", "underReview"] {
        let mixed = result(json!([{"kind": "inSource"}, {"kind": "external", "status": status}]));
        let (code, v, all) = gates_sarif(
            &dir,
            &sarif(vcp(&[SHIPPED]), Some(mixed)),
            &["--max-high", "0"],
        );
        assert_eq!(code, 1, "{status}: {all}");
        assert!(codes(&v, "fail").contains(&"gate-findings-over-threshold".into()));
    }
}

#[test]
fn unknown_severity_counts_against_every_threshold() {
    let dir = tempfile::tempdir().unwrap();
    // A SARIF level that is not one of the four breaks the SARIF schema: the log is refused.
    let bad_level = sarif(
        vcp(&[SHIPPED]),
        Some(json!([{"ruleId": "x/unscored", "level": "critical", "message": {"text": "?"}}])),
    );
    let (code, v, all) = gates_sarif(&dir, &bad_level, &["--max-critical", "0"]);
    assert_eq!(code, 1, "{all}");
    assert!(
        codes(&v, "fail").contains(&"gate-report-unreadable".into()),
        "{all}"
    );
    // A score the tool gave and nobody can read: unknown, never the result's lower level.
    let log = sarif(
        vcp(&[SHIPPED]),
        Some(
            json!([{"ruleId": "x/unscored", "level": "note", "message": {"text": "?"},
            "properties": {"security-severity": "critical"}}]),
        ),
    );
    for flag in ["--max-critical", "--max-high", "--max-medium", "--max-low"] {
        let (code, v, all) = gates_sarif(&dir, &log, &[flag, "0"]);
        assert_eq!(code, 1, "{flag}: {all}");
        assert!(codes(&v, "fail").contains(&"gate-findings-over-threshold".into()));
        assert_eq!(
            v["gates"][0]["findings"]["unknown"], 1,
            "reported as unknown"
        );
    }
    // An explicit mapping decides.
    let (code, _, all) = gates_sarif(
        &dir,
        &log,
        &["--max-critical", "0", "--unknown-severity-as", "medium"],
    );
    assert_eq!(code, 0, "{all}");
    let (code, _, all) = gates_sarif(
        &dir,
        &log,
        &["--max-medium", "0", "--unknown-severity-as", "medium"],
    );
    assert_eq!(code, 1, "{all}");
    // `unknown` itself is not a mapping.
    let (code, _, _) = gates_sarif(&dir, &log, &["--unknown-severity-as", "unknown"]);
    assert_eq!(code, 2);
    // The policy file says it too.
    let policy = write(
        &dir,
        "policy.yaml",
        b"apiVersion: provenant.dev/v1\ngates:\n  thresholds: {critical: 0}\n  unknownSeverity: low\n",
    );
    let (code, _, all) = gates_sarif(&dir, &log, &["--policy", &policy]);
    assert_eq!(code, 0, "{all}");
    let strict = write(
        &dir,
        "strict.yaml",
        b"apiVersion: provenant.dev/v1\ngates:\n  thresholds: {critical: 0}\n",
    );
    let (code, _, all) = gates_sarif(&dir, &log, &["--policy", &strict]);
    assert_eq!(code, 1, "{all}");
}

#[test]
fn unknown_grype_and_trivy_severities_count_as_critical() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = format!("sha256:{}", "a".repeat(64));
    let grype = |severity: &str| {
        json!({
            "matches": [{"vulnerability": {"id": "CVE-2099-1", "severity": severity},
                         "artifact": {"name": "p", "version": "1"}}],
            "source": {"type": "image", "target": {"userInput": "app:1", "manifestDigest": manifest}},
            "descriptor": {"name": "grype", "version": "0.74.0"}
        })
    };
    let trivy = |severity: &str| {
        json!({
            "SchemaVersion": 2, "ArtifactName": "https://github.com/o/app", "ArtifactType": "repository",
            "Metadata": {"Commit": SHIPPED, "RepoURL": "https://github.com/o/app"},
            "Results": [{"Target": "Cargo.lock", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2099-2", "PkgName": "p", "InstalledVersion": "1", "Severity": severity}
            ]}]
        })
    };
    for (name, doc, known) in [
        ("grype.json", grype("Unknown"), grype("Low")),
        ("trivy.json", trivy("UNKNOWN"), trivy("LOW")),
        ("typo.json", trivy("hgih"), trivy("LOW")),
        ("empty.json", trivy(""), trivy("LOW")),
    ] {
        let f = write_json(&dir, name, &doc);
        let args = [
            "gates",
            "--commit",
            SHIPPED,
            "--digest",
            &manifest,
            "--sca",
            &f,
            "--max-high",
            "0",
        ];
        let (code, v, all) = json_run(&args);
        assert_eq!(code, 1, "{name}: {all}");
        assert!(codes(&v, "fail").contains(&"gate-findings-over-threshold".into()));
        let f = write_json(&dir, name, &known);
        let args = [
            "gates",
            "--commit",
            SHIPPED,
            "--digest",
            &manifest,
            "--sca",
            &f,
            "--max-high",
            "0",
        ];
        let (code, _, all) = json_run(&args);
        assert_eq!(code, 0, "{name} control: {all}");
    }
}

#[test]
fn scanned_digests_and_ci_commits_must_agree() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = format!("sha256:{}", "a".repeat(64));
    let other = format!("sha256:{}", "b".repeat(64));
    // trivy: two repo digests that disagree.
    let trivy = |repo_digests: Vec<String>| {
        json!({
            "SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image",
            "Metadata": {"RepoDigests": repo_digests, "ImageID": format!("sha256:{}", "c".repeat(64))},
            "Results": []
        })
    };
    let ok = write_json(
        &dir,
        "ok.json",
        &trivy(vec![format!("ghcr.io/o/app@{shipped}")]),
    );
    let (code, _, all) = json_run(&[
        "gates",
        "--digest",
        &shipped,
        "--sca",
        &ok,
        "--require-gate",
        "sca",
    ]);
    assert_eq!(code, 0, "{all}");
    let bad = write_json(
        &dir,
        "bad.json",
        &trivy(vec![
            format!("ghcr.io/o/app@{shipped}"),
            format!("docker.io/o/app@{other}"),
        ]),
    );
    let (code, v, all) = json_run(&["gates", "--digest", &shipped, "--sca", &bad]);
    assert_eq!(code, 1, "{all}");
    assert!(codes(&v, "fail").contains(&"gate-binding-conflict".into()));
    // A GitHub Actions run whose head_sha and head_commit.id disagree.
    let run = |head_commit: &str| {
        json!({
            "id": 1, "run_number": 3, "name": "release", "path": ".github/workflows/release.yml",
            "head_sha": SHIPPED, "head_commit": {"id": head_commit, "tree_id": "t"},
            "status": "completed", "conclusion": "success",
            "run_started_at": "2026-05-01T10:00:00Z", "created_at": "2026-05-01T10:00:00Z",
            "updated_at": "2026-05-01T11:00:00Z",
            "html_url": "https://github.com/o/app/actions/runs/1"
        })
    };
    let ok = write_json(&dir, "run-ok.json", &run(SHIPPED));
    let (code, _, all) = json_run(&["gates", "--commit", SHIPPED, "--ci-run", &ok]);
    assert_eq!(code, 0, "{all}");
    let bad = write_json(&dir, "run-bad.json", &run(OTHER));
    let (code, v, all) = json_run(&["gates", "--commit", SHIPPED, "--ci-run", &bad]);
    assert_eq!(code, 1, "{all}");
    assert!(codes(&v, "fail").contains(&"gate-binding-conflict".into()));
}

// ---------------------------------------------------------------------------------------------
// SBOMs

fn cyclonedx(hashes: Value, purl: &str) -> Value {
    json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "metadata": {
            "timestamp": "2026-01-01T00:00:00Z",
            "authors": [{"name": "provenant tests"}],
            "component": {"type": "application", "bom-ref": "app", "name": "app",
                          "version": "1.0.0", "supplier": {"name": "t"}, "purl": purl,
                          "hashes": hashes}
        },
        "components": [],
        "dependencies": [{"ref": "app", "dependsOn": []}]
    })
}

fn spdx(checksums: Value) -> Value {
    json!({
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
        "name": "app", "documentNamespace": "https://example.test/spdx/app-1",
        "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: provenant-tests"]},
        "packages": [{"SPDXID": "SPDXRef-app", "name": "app", "versionInfo": "1.0.0",
                      "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
                      "supplier": "Organization: t", "checksums": checksums}],
        "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                           "relatedSpdxElement": "SPDXRef-app"}]
    })
}

fn sbom_check(dir: &tempfile::TempDir, sbom: &Value) -> (i32, Value, String) {
    let f = write_json(dir, "sbom.json", sbom);
    let art = write(dir, "app.bin", ARTIFACT);
    json_run(&["sbom", "check", &f, "--artifact", &art, "--require-binding"])
}

#[test]
fn an_sbom_subject_naming_the_artifact_and_another_digest_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let right = sha256(ARTIFACT);
    let wrong = "ee".repeat(32);
    let hash = |h: &str| json!([{"alg": "SHA-256", "content": h}]);
    // Control.
    let (code, _, all) = sbom_check(&dir, &cyclonedx(hash(&right), "pkg:generic/app@1.0.0"));
    assert_eq!(code, 0, "{all}");
    for (what, doc) in [
        (
            "purl version",
            cyclonedx(hash(&right), &format!("pkg:oci/app@sha256%3A{wrong}")),
        ),
        (
            "purl digest qualifier",
            cyclonedx(
                hash(&right),
                &format!("pkg:oci/app@1.0.0?digest=sha256%3A{wrong}"),
            ),
        ),
        (
            "two hashes of one algorithm",
            cyclonedx(
                json!([{"alg": "SHA-256", "content": right}, {"alg": "SHA-256", "content": wrong}]),
                "pkg:generic/app@1.0.0",
            ),
        ),
        (
            "a wrong sha512 beside the right sha256",
            cyclonedx(
                json!([{"alg": "SHA-256", "content": right}, {"alg": "SHA-512", "content": "ee".repeat(64)}]),
                "pkg:generic/app@1.0.0",
            ),
        ),
    ] {
        let (code, v, all) = sbom_check(&dir, &doc);
        assert_eq!(code, 1, "{what}: {all}");
        assert!(
            codes(&v, "fail").contains(&"sbom-binding-conflict".into()),
            "{what}: {:?}",
            codes(&v, "fail")
        );
    }
    // SPDX: two SHA256 checksums, one of them right.
    let sum = |v: &str| json!({"algorithm": "SHA256", "checksumValue": v});
    let (code, _, all) = sbom_check(&dir, &spdx(json!([sum(&right)])));
    assert_eq!(code, 0, "{all}");
    let (code, v, all) = sbom_check(&dir, &spdx(json!([sum(&right), sum(&wrong)])));
    assert_eq!(code, 1, "{all}");
    assert!(codes(&v, "fail").contains(&"sbom-binding-conflict".into()));
    // `verify artifact --sbom` applies the same rule.
    let f = write_json(
        &dir,
        "conflict.cdx.json",
        &cyclonedx(hash(&right), &format!("pkg:oci/app@sha256%3A{wrong}")),
    );
    let art = write(&dir, "app.bin", ARTIFACT);
    let (_, v, all) = json_run(&["verify", "artifact", &art, "--sbom", &f, "--require-sbom"]);
    assert!(
        codes(&v, "fail").contains(&"sbom-binding-conflict".into()),
        "{all}"
    );
}

#[test]
fn an_sbom_recording_the_shipped_commit_and_another_fails_the_commit_check() {
    let dir = tempfile::tempdir().unwrap();
    let with = |properties: Value| {
        let mut doc = cyclonedx(
            json!([{"alg": "SHA-256", "content": sha256(ARTIFACT)}]),
            "pkg:generic/app@1.0.0",
        );
        doc["metadata"]["component"]["properties"] = properties;
        let f = write_json(&dir, "commit.cdx.json", &doc);
        json_run(&["sbom", "check", &f, "--commit", SHIPPED])
    };
    let (code, _, all) = with(json!([{"name": "vcs.commit", "value": SHIPPED}]));
    assert_eq!(code, 0, "{all}");
    let (code, v, all) = with(json!([
        {"name": "vcs.commit", "value": SHIPPED},
        {"name": "git.commit", "value": OTHER}
    ]));
    assert_eq!(code, 1, "{all}");
    assert!(codes(&v, "fail").contains(&"sbom-commit-mismatch".into()));
}

#[test]
fn an_encoded_at_sign_in_a_purl_name_is_never_a_version() {
    let dir = tempfile::tempdir().unwrap();
    let right = sha256(ARTIFACT);
    // The only digest is inside the name: it names nothing.
    let doc = cyclonedx(json!([]), &format!("pkg:oci/app%40sha256%3A{right}"));
    let (code, v, all) = sbom_check(&dir, &doc);
    assert_eq!(code, 1, "{all}");
    assert!(codes(&v, "fail").contains(&"sbom-unbound".into()));
    // The same digest as the version binds.
    let doc = cyclonedx(json!([]), &format!("pkg:oci/app@sha256%3A{right}"));
    let (code, _, all) = sbom_check(&dir, &doc);
    assert_eq!(code, 0, "{all}");
}

// ---------------------------------------------------------------------------------------------
// Statement subjects

const IN_TOTO: &str = "application/vnd.in-toto+json";

fn statement(subjects: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": "https://example.test/attestation/v1",
        "predicate": {}
    }))
    .unwrap()
}

/// `verify artifact app.bin --bundle <envelope over subjects> --key k.pub [extra]`.
fn verify_envelope(
    dir: &tempfile::TempDir,
    subjects: Value,
    artifact: Option<&str>,
) -> (i32, Value, String) {
    let k = KeyPair::p256(13);
    let pem = write(dir, "k.pub", k.public_pem().as_bytes());
    let env = write(
        dir,
        "env.json",
        dsse_envelope(IN_TOTO, &statement(subjects), &[(&k, None)]).as_bytes(),
    );
    let art = write(dir, "app.bin", ARTIFACT);
    let digest = format!("sha256:{}", sha256(ARTIFACT));
    let mut args = vec!["verify", "artifact"];
    match artifact {
        Some("--digest") => args.extend(["--digest", &digest]),
        _ => args.push(&art),
    }
    // The subject rules are under test, not the log: the envelope has no log entry.
    args.extend(["--bundle", &env, "--key", &pem, "--insecure-ignore-tlog"]);
    json_run(&args)
}

#[test]
fn a_statement_subject_with_a_wrong_digest_beside_the_right_one_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let right = sha256(ARTIFACT);
    let right512 = sha512(ARTIFACT);
    // Control: both right.
    let (code, v, all) = verify_envelope(
        &dir,
        json!([{"name": "app.bin", "digest": {"sha256": right, "sha512": right512}}]),
        None,
    );
    assert_eq!(code, 0, "{all}");
    assert!(!codes(&v, "warn").contains(&"subject-digest-unchecked".into()));
    // The right sha256, a wrong sha512: the file is hashed with both, and they disagree.
    let (code, v, all) = verify_envelope(
        &dir,
        json!([{"name": "app.bin", "digest": {"sha256": right, "sha512": "ee".repeat(64)}}]),
        None,
    );
    assert_eq!(code, 1, "{all}");
    assert!(codes(&v, "fail").contains(&"subject-digest-conflict".into()));
    // Two subjects of one name that disagree.
    let (code, v, all) = verify_envelope(
        &dir,
        json!([{"name": "app.bin", "digest": {"sha256": right}},
               {"name": "app.bin", "digest": {"sha256": "ee".repeat(32)}}]),
        None,
    );
    assert_eq!(code, 1, "{all}");
    assert!(codes(&v, "fail").contains(&"subject-digest-conflict".into()));
    // With only --digest sha256, a sha512 cannot be computed: the binding rests on sha256 and
    // says so (a warning).
    let (code, v, all) = verify_envelope(
        &dir,
        json!([{"name": "app.bin", "digest": {"sha256": right, "sha512": "ee".repeat(64)}}]),
        Some("--digest"),
    );
    assert_eq!(code, 0, "{all}");
    assert!(codes(&v, "warn").contains(&"subject-digest-unchecked".into()));
    // An algorithm provenant does not compute, alone, binds nothing.
    let (code, v, all) = verify_envelope(
        &dir,
        json!([{"name": "app.bin", "digest": {"sha1": "11".repeat(20)}}]),
        None,
    );
    assert_eq!(code, 1, "{all}");
    assert!(codes(&v, "fail").contains(&"artifact-digest-mismatch".into()));
}

/// The same rule for a keyless Sigstore bundle (the `choose_artifact` path), through the CLI.
#[test]
fn a_sigstore_bundle_subject_with_a_wrong_sha512_is_a_conflict() {
    use provenant_testkit::{
        Content, MintSpec, TestPki, DEFAULT_ARTIFACT, DEFAULT_ARTIFACT_NAME, DEFAULT_IDENTITY,
        GITHUB_ACTIONS_ISSUER,
    };
    let dir = tempfile::tempdir().unwrap();
    let pki = TestPki::new(31);
    let root = write(&dir, "root.json", pki.trusted_root_json().as_bytes());
    let art = write(&dir, "hello.txt", DEFAULT_ARTIFACT);
    let verify = |sha512: &str| {
        let spec = MintSpec {
            content: Content::Dsse {
                statement_json: Some(
                    String::from_utf8(statement(json!([{"name": DEFAULT_ARTIFACT_NAME,
                        "digest": {"sha256": sha256(DEFAULT_ARTIFACT), "sha512": sha512}}])))
                    .unwrap(),
                ),
            },
            ..MintSpec::default()
        };
        let b = write(
            &dir,
            "b.sigstore.json",
            pki.mint(&spec).bundle_json.as_bytes(),
        );
        json_run(&[
            "verify",
            "artifact",
            &art,
            "--bundle",
            &b,
            "--trusted-root",
            &root,
            "--certificate-identity",
            DEFAULT_IDENTITY,
            "--certificate-oidc-issuer",
            GITHUB_ACTIONS_ISSUER,
        ])
    };
    let (code, _, all) = verify(&sha512(DEFAULT_ARTIFACT));
    assert_eq!(code, 0, "{all}");
    let (code, v, all) = verify(&"ee".repeat(64));
    assert_eq!(code, 1, "{all}");
    assert!(codes(&v, "fail").contains(&"subject-digest-conflict".into()));
}

/// A SARIF log relabelled `2.0.0` escapes the 2.1.0 schema (none is embedded for 2.0.0), so its
/// findings never satisfy a threshold or a required gate: malformed evidence cannot pass by
/// changing its version string. `inspect` still reads it.
#[test]
fn a_sarif_log_labelled_2_0_0_satisfies_no_gate() {
    let dir = tempfile::tempdir().unwrap();
    // Malformed for 2.1.0 (a result without message), and relabelled.
    let mut log = sarif(
        vcp(&[SHIPPED]),
        Some(json!([{"ruleId": "js/xss", "level": "note"}])),
    );
    let (code, v, all) = gates_sarif(&dir, &log, &["--max-critical", "0"]);
    assert_eq!(code, 1, "{all}");
    assert!(
        codes(&v, "fail").contains(&"gate-report-unreadable".into()),
        "{all}"
    );
    log["version"] = json!("2.0.0");
    log.as_object_mut().unwrap().remove("$schema");
    for extra in [&["--max-critical", "0"][..], &["--require-gate", "sast"]] {
        let (code, v, all) = gates_sarif(&dir, &log, extra);
        assert_eq!(code, 1, "{extra:?}: {all}");
        assert!(
            codes(&v, "fail").contains(&"gate-findings-incomplete".into()),
            "{extra:?}: {all}"
        );
    }
    let f = write_json(&dir, "old.sarif", &log);
    let (code, _, err) = run(provenant().args(["inspect", &f]));
    assert_eq!(code, 0, "inspect reads it: {err}");
}
