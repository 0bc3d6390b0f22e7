//! SBOMs the project makes itself: binding to the artifact (and its tampered variants),
//! quality requirements, diff, SBOMs inside `verify artifact`, and SBOM attestations.

use serde_json::{json, Value};

use crate::support::{provenant, run};

const ARTIFACT: &[u8] = b"provenant sbom test artifact\n";

fn sha256_hex(b: &[u8]) -> String {
    let (d, _) =
        provenant_verify::digest_reader(b, &[provenant_model::DigestAlgorithm::Sha256]).unwrap();
    d[0].hex().to_string()
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

/// A CycloneDX 1.6 SBOM whose subject carries `subject_hash` (sha256), with two components.
fn cyclonedx(subject_hash: Option<&str>, purl_on_second: bool) -> Value {
    let mut subject = json!({
        "type": "application", "bom-ref": "app", "name": "app", "version": "1.0.0",
        "supplier": {"name": "provenant-test"}, "purl": "pkg:generic/app@1.0.0"
    });
    if let Some(h) = subject_hash {
        subject["hashes"] = json!([{"alg": "SHA-256", "content": h}]);
    }
    let mut second = json!({
        "type": "library", "bom-ref": "lib-b", "name": "b", "version": "2.0.0",
        "supplier": {"name": "b-org"}, "hashes": [{"alg": "SHA-256", "content": "ab".repeat(32)}],
        "licenses": [{"license": {"id": "MIT"}}]
    });
    if purl_on_second {
        second["purl"] = json!("pkg:cargo/b@2.0.0");
    }
    json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "metadata": {
            "timestamp": "2026-01-01T00:00:00Z",
            "authors": [{"name": "provenant tests"}],
            "component": subject
        },
        "components": [
            {"type": "library", "bom-ref": "lib-a", "name": "a", "version": "1.2.3",
             "supplier": {"name": "a-org"}, "purl": "pkg:cargo/a@1.2.3",
             "hashes": [{"alg": "SHA-256", "content": "cd".repeat(32)}],
             "licenses": [{"license": {"id": "Apache-2.0"}}]},
            second
        ],
        "dependencies": [
            {"ref": "app", "dependsOn": ["lib-a", "lib-b"]},
            {"ref": "lib-a", "dependsOn": []},
            {"ref": "lib-b", "dependsOn": []}
        ]
    })
}

fn check(dir: &tempfile::TempDir, sbom: &Value, extra: &[&str]) -> (i32, Value) {
    let f = write(
        dir,
        "sbom.cdx.json",
        &serde_json::to_vec_pretty(sbom).unwrap(),
    );
    let art = write(dir, "app.bin", ARTIFACT);
    let mut args = vec!["sbom", "check", &f, "--artifact", &art, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(provenant().args(&args));
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

fn outcome(report: &Value, code: &str) -> Option<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .map(|c| c["outcome"].as_str().unwrap().to_string())
}

#[test]
fn a_bound_complete_sbom_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let (code, r) = check(
        &dir,
        &cyclonedx(Some(&sha256_hex(ARTIFACT)), true),
        &[
            "--require-binding",
            "--require-ntia",
            "--require-dependencies",
            "--min-purl-coverage",
            "100",
            "--min-hash-coverage",
            "60",
            "--min-license-coverage",
            "60",
        ],
    );
    assert_eq!(code, 0, "{r:#}");
    for c in [
        "sbom-valid",
        "sbom-bound",
        "sbom-ntia-complete",
        "sbom-quality-met",
        "sbom-dependencies-present",
        "sbom-timestamp-consistent",
    ] {
        assert_eq!(outcome(&r, c).as_deref(), Some("pass"), "{c}: {r:#}");
    }
}

#[test]
fn tampered_bindings_fail() {
    let dir = tempfile::tempdir().unwrap();
    // The subject names another digest: the SBOM of something else.
    let (code, r) = check(&dir, &cyclonedx(Some(&"00".repeat(32)), true), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        outcome(&r, "sbom-binding-mismatch").as_deref(),
        Some("fail")
    );
    // No digest at all: unbound, a warning unless binding is required.
    let (code, r) = check(&dir, &cyclonedx(None, true), &[]);
    assert_eq!(code, 0);
    assert_eq!(outcome(&r, "sbom-unbound").as_deref(), Some("warn"));
    let (code, r) = check(&dir, &cyclonedx(None, true), &["--require-binding"]);
    assert_eq!(code, 1);
    assert_eq!(outcome(&r, "sbom-unbound").as_deref(), Some("fail"));
    // A package URL carrying the digest binds too (pkg:oci/...@sha256:...).
    let mut s = cyclonedx(None, true);
    s["metadata"]["component"]["purl"] = json!(format!(
        "pkg:oci/app@sha256%3A{}?repository_url=example.test/app",
        sha256_hex(ARTIFACT)
    ));
    let (code, r) = check(&dir, &s, &["--require-binding"]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(outcome(&r, "sbom-bound").as_deref(), Some("pass"));
}

#[test]
fn quality_floors_and_ntia_are_warnings_until_required() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = cyclonedx(Some(&sha256_hex(ARTIFACT)), false);
    s["metadata"]["component"]
        .as_object_mut()
        .unwrap()
        .remove("supplier");
    let (code, r) = check(&dir, &s, &[]);
    assert_eq!(code, 0);
    assert_eq!(outcome(&r, "sbom-quality-below").as_deref(), Some("warn"));
    assert_eq!(outcome(&r, "sbom-ntia-incomplete").as_deref(), Some("warn"));
    let (code, r) = check(&dir, &s, &["--min-purl-coverage", "90"]);
    assert_eq!(code, 1);
    assert_eq!(outcome(&r, "sbom-quality-below").as_deref(), Some("fail"));
    let (code, _) = check(&dir, &s, &["--require-ntia"]);
    assert_eq!(code, 1);
    // A timestamp in the future is never consistent.
    let mut f = cyclonedx(Some(&sha256_hex(ARTIFACT)), true);
    f["metadata"]["timestamp"] = json!("2999-01-01T00:00:00Z");
    let (code, r) = check(&dir, &f, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        outcome(&r, "sbom-timestamp-inconsistent").as_deref(),
        Some("fail")
    );
    // The commit the SBOM records must be the one that shipped.
    let mut c = cyclonedx(Some(&sha256_hex(ARTIFACT)), true);
    c["metadata"]["component"]["externalReferences"] =
        json!([{"type": "vcs", "url": format!("https://github.com/o/app@{}", "1".repeat(40))}]);
    let (code, r) = check(&dir, &c, &["--commit", &"2".repeat(40)]);
    assert_eq!(code, 1);
    assert_eq!(outcome(&r, "sbom-commit-mismatch").as_deref(), Some("fail"));
}

#[test]
fn an_spdx_described_package_binds_by_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let doc = json!({
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
        "name": "app", "documentNamespace": "https://example.test/spdx/app-1.0.0",
        "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: provenant-tests"]},
        "documentDescribes": ["SPDXRef-app"],
        "packages": [
            {"SPDXID": "SPDXRef-app", "name": "app", "versionInfo": "1.0.0", "downloadLocation": "NOASSERTION",
             "filesAnalyzed": false,
             "checksums": [{"algorithm": "SHA256", "checksumValue": sha256_hex(ARTIFACT)}]},
            {"SPDXID": "SPDXRef-a", "name": "a", "versionInfo": "1.2.3", "downloadLocation": "NOASSERTION",
             "filesAnalyzed": false,
             "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:cargo/a@1.2.3"}]}
        ],
        "relationships": [
            {"spdxElementId": "SPDXRef-app", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-a"}
        ]
    });
    let f = write(&dir, "app.spdx.json", &serde_json::to_vec(&doc).unwrap());
    let art = write(&dir, "app.bin", ARTIFACT);
    let (code, out, err) =
        run(provenant().args(["sbom", "check", &f, "--artifact", &art, "--require-binding"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("sbom-bound"), "{out}");
    let other = write(&dir, "other.bin", b"something else");
    let (code, out, _) = run(provenant().args(["sbom", "check", &f, "--artifact", &other]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("sbom-binding-mismatch"), "{out}");
}

#[test]
fn unreadable_and_wrong_type_inputs_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("empty.json", &b""[..]),
        (
            "trunc.json",
            &b"{\"bomFormat\": \"CycloneDX\", \"specVer"[..],
        ),
        ("other.json", &b"{\"hello\": 1}"[..]),
        ("bin.dat", &b"\x00\x01\x02\xff"[..]),
    ] {
        let f = write(&dir, name, bytes);
        let (code, out, err) = run(provenant().args(["sbom", "check", &f]));
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert_eq!(err.lines().count(), 1, "{name}: one-line error: {err}");
    }
    // A CycloneDX version provenant does not read is a failed check, not a pass.
    let mut s = cyclonedx(None, true);
    s["specVersion"] = json!("9.9");
    let f = write(&dir, "future.json", &serde_json::to_vec(&s).unwrap());
    let (code, _, _) = run(provenant().args(["sbom", "check", &f]));
    assert_ne!(code, 0);
}

#[test]
fn diff_between_releases() {
    let dir = tempfile::tempdir().unwrap();
    let old = cyclonedx(None, true);
    let mut new = cyclonedx(None, true);
    new["components"][0]["version"] = json!("1.3.0");
    new["components"][0]["purl"] = json!("pkg:cargo/a@1.3.0");
    new["components"].as_array_mut().unwrap().remove(1);
    new["components"].as_array_mut().unwrap().push(json!(
        {"type": "library", "bom-ref": "lib-c", "name": "c", "version": "0.1.0", "purl": "pkg:cargo/c@0.1.0"}));
    let a = write(&dir, "old.json", &serde_json::to_vec(&old).unwrap());
    let b = write(&dir, "new.json", &serde_json::to_vec(&new).unwrap());
    let (code, out, err) = run(provenant().args(["sbom", "diff", &a, &b, "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["added"][0]["key"], "pkg:cargo/c");
    assert_eq!(d["removed"][0]["key"], "pkg:cargo/b");
    assert_eq!(d["changed"][0]["key"], "pkg:cargo/a");
    assert_eq!(d["changed"][0]["new_version"], "1.3.0");
    let (code, out, _) = run(provenant().args(["sbom", "diff", &a, &b]));
    assert_eq!(code, 0);
    assert!(out.starts_with("1 added, 1 removed, 1 changed"), "{out}");
}

#[test]
fn inspect_knows_sboms() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        &dir,
        "s.json",
        &serde_json::to_vec(&cyclonedx(None, true)).unwrap(),
    );
    let (code, out, _) = run(provenant().args(["inspect", &f]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("sbom-cyclonedx"), "{out}");
}

/// An SBOM attestation (CycloneDX predicate in a keyless DSSE bundle) minted with the test
/// trust root: bound through the statement's subject; a tampered SBOM inside still fails its own
/// checks; `--require-sbom` fails without one.
#[test]
fn sbom_attestations_are_bound_by_their_verified_subject() {
    use provenant_core::{verify_artifact, ArtifactInputs, Evidence, Found, SbomInputs};
    use provenant_model::{CheckCode, DigestAlgorithm, Outcome, Subject, SubjectKind, Verdict};
    use provenant_testkit::{Content, MintSpec, TestPki, DEFAULT_IDENTITY, GITHUB_ACTIONS_ISSUER};
    use provenant_verify::{
        digest_reader, IdentityMatcher, IdentityPolicy, SignerPolicy, TrustRoot,
    };

    let pki = TestPki::new(31);
    let (digests, _) = digest_reader(
        provenant_testkit::DEFAULT_ARTIFACT,
        &[DigestAlgorithm::Sha256],
    )
    .unwrap();
    let statement = |predicate: Value, pt: &str| {
        json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "hello", "digest": {"sha256": digests[0].hex()}}],
            "predicateType": pt,
            "predicate": predicate
        })
        .to_string()
    };
    let mint = |st: String| {
        let mut spec = MintSpec::default().dsse();
        spec.content = Content::Dsse {
            statement_json: Some(st),
        };
        pki.mint(&spec).bundle_json
    };
    let trust = TrustRoot::from_json(pki.trusted_root_json().as_bytes(), "testkit").unwrap();
    let verify = |bundle: &str, required: bool| {
        verify_artifact(
            &ArtifactInputs {
                subject: Subject {
                    kind: SubjectKind::Digest,
                    name: None,
                    digests: digests.clone(),
                    size: None,
                },
                evidence: vec![Evidence::from_bytes(
                    "att.json",
                    Found::Given,
                    bundle.as_bytes(),
                )],
                signer: SignerPolicy::Keyless(IdentityPolicy {
                    identity: Some(IdentityMatcher::exact(DEFAULT_IDENTITY)),
                    issuer: Some(IdentityMatcher::exact(GITHUB_ACTIONS_ISSUER)),
                    constrained_elsewhere: false,
                }),
                threshold: 1,
                policy: Default::default(),
                sbom: SbomInputs {
                    required,
                    ..SbomInputs::default()
                },
                insecure_ignore_tlog: false,
            },
            &trust,
            "2026-01-01T00:00:00Z".parse().unwrap(),
        )
    };
    let has = |r: &provenant_model::Report, code: CheckCode, o: Outcome| {
        r.checks.iter().any(|c| c.code == code && c.outcome == o)
    };
    let good = mint(statement(
        cyclonedx(None, true),
        "https://cyclonedx.org/bom",
    ));
    let r = verify(&good, true);
    assert_eq!(r.verdict, Verdict::Pass, "{:#?}", r.checks);
    assert!(has(&r, CheckCode::SbomBound, Outcome::Pass));
    assert!(has(&r, CheckCode::SbomValid, Outcome::Pass));
    // Versioned predicate types are SBOMs too; an invalid SBOM inside fails.
    let mut bad = cyclonedx(None, true);
    bad["components"][0]["type"] = json!("not-a-type");
    let r = verify(
        &mint(statement(bad, "https://cyclonedx.org/bom/v1.6")),
        false,
    );
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(has(&r, CheckCode::SbomInvalid, Outcome::Fail));
    // An attestation of another kind is no SBOM: --require-sbom fails.
    let other = mint(statement(json!({"x": 1}), "https://example.test/other/v1"));
    let r = verify(&other, true);
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(has(&r, CheckCode::SbomUnbound, Outcome::Fail));
}

/// A BuildKit-style SBOM attestation saved to a file: an unsigned in-toto statement whose
/// predicate is the SBOM; its subject digests are what the SBOM says it describes.
#[test]
fn an_unsigned_sbom_statement_is_read_and_bound_by_its_subject() {
    let dir = tempfile::tempdir().unwrap();
    let st = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://cyclonedx.org/bom",
        "subject": [{"name": "app", "digest": {"sha256": sha256_hex(ARTIFACT)}}],
        "predicate": cyclonedx(None, true)
    });
    let f = write(&dir, "att.json", &serde_json::to_vec(&st).unwrap());
    let art = write(&dir, "app.bin", ARTIFACT);
    let (code, out, err) =
        run(provenant().args(["sbom", "check", &f, "--artifact", &art, "--require-binding"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("sbom-bound"), "{out}");
    let other = write(&dir, "other.bin", b"other");
    let (code, out, _) = run(provenant().args(["sbom", "check", &f, "--artifact", &other]));
    assert_eq!(code, 1, "{out}");
    // A statement of another predicate type is not an SBOM.
    let mut not = st.clone();
    not["predicateType"] = json!("https://slsa.dev/provenance/v1");
    let g = write(&dir, "prov.json", &serde_json::to_vec(&not).unwrap());
    let (code, _, _) = run(provenant().args(["sbom", "check", &g]));
    assert_eq!(code, 2);
}

/// Issue 14, class 8: an attested SBOM is compared like a given one. A signed SBOM attestation
/// whose statement subject is the artifact, but whose document's own subject (CycloneDX
/// `metadata.component` hashes or package URL, SPDX 2 described package checksums, SPDX 3 root
/// package `verifiedUsing`) names another digest, is the SBOM of something else: it fails with
/// the same code as the same document given with `--sbom`. It used to bind ("carried by a
/// verified attestation").
#[test]
fn an_attested_sbom_naming_another_digest_fails_like_a_given_one() {
    use provenant_testkit::{
        Content, MintSpec, TestPki, DEFAULT_ARTIFACT, DEFAULT_IDENTITY, GITHUB_ACTIONS_ISSUER,
    };
    let dir = tempfile::tempdir().unwrap();
    let pki = TestPki::new(1408);
    let root = write(&dir, "root.json", pki.trusted_root_json().as_bytes());
    let art = write(&dir, "hello.txt", DEFAULT_ARTIFACT);
    let right = sha256_hex(DEFAULT_ARTIFACT);
    let other = "ee".repeat(32);
    let other512 = "ee".repeat(64);
    let signature = write(
        &dir,
        "sig.json",
        pki.mint(&MintSpec::default()).bundle_json.as_bytes(),
    );
    let verify = |evidence: &[&str]| {
        let mut args = vec![
            "verify",
            "artifact",
            art.as_str(),
            "--trusted-root",
            root.as_str(),
            "--certificate-identity",
            DEFAULT_IDENTITY,
            "--certificate-oidc-issuer",
            GITHUB_ACTIONS_ISSUER,
            "--format",
            "json",
        ];
        args.extend_from_slice(evidence);
        let (code, out, err) = run(provenant().args(&args));
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
        (code, v)
    };
    let attest = |name: &str, doc: &Value, pt: &str| {
        let st = json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "hello.txt", "digest": {"sha256": right}}],
            "predicateType": pt,
            "predicate": doc
        });
        let mut spec = MintSpec::default().dsse();
        spec.content = Content::Dsse {
            statement_json: Some(st.to_string()),
        };
        write(&dir, name, pki.mint(&spec).bundle_json.as_bytes())
    };
    let cdx_with = |hashes: Value, purl: &str| {
        let mut doc = cyclonedx(None, true);
        doc["metadata"]["component"]["hashes"] = hashes;
        doc["metadata"]["component"]["purl"] = json!(purl);
        doc
    };
    let spdx2 = |sum: &str| {
        json!({
            "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
            "name": "app", "documentNamespace": "https://example.test/spdx/app-1",
            "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: provenant-tests"]},
            "packages": [{"SPDXID": "SPDXRef-app", "name": "app", "versionInfo": "1.0.0",
                          "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
                          "supplier": "Organization: t",
                          "checksums": [{"algorithm": "SHA256", "checksumValue": sum}]}],
            "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                               "relatedSpdxElement": "SPDXRef-app"}]
        })
    };
    let spdx3 = |sum: &str| {
        json!({
            "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
            "@graph": [
                {"type": "CreationInfo", "@id": "_:ci", "specVersion": "3.0.1",
                 "created": "2024-01-02T03:04:05Z", "createdBy": ["urn:p"]},
                {"type": "Person", "spdxId": "urn:p", "creationInfo": "_:ci", "name": "Jane"},
                {"type": "software_Package", "spdxId": "urn:app", "creationInfo": "_:ci",
                 "name": "app", "software_packageVersion": "1.0.0",
                 "verifiedUsing": [{"type": "Hash", "algorithm": "sha256", "hashValue": sum}]},
                {"type": "software_Sbom", "spdxId": "urn:sbom", "creationInfo": "_:ci",
                 "rootElement": ["urn:app"], "element": ["urn:app"]},
                {"type": "SpdxDocument", "spdxId": "urn:doc", "creationInfo": "_:ci",
                 "name": "app sbom", "rootElement": ["urn:sbom"]}
            ]
        })
    };
    let sha = |h: &str| json!([{"alg": "SHA-256", "content": h}]);
    let cases = [
        (
            "cyclonedx",
            "https://cyclonedx.org/bom",
            cdx_with(sha(&right), "pkg:generic/app@1.0.0"),
            cdx_with(sha(&other), "pkg:generic/app@1.0.0"),
        ),
        (
            "cyclonedx purl",
            "https://cyclonedx.org/bom",
            cdx_with(json!([]), &format!("pkg:oci/app@sha256%3A{right}")),
            cdx_with(json!([]), &format!("pkg:oci/app@sha256%3A{other}")),
        ),
        // Only a sha512 in the document: the artifact is hashed with it too, and compared.
        (
            "cyclonedx sha512",
            "https://cyclonedx.org/bom/v1.6",
            cdx_with(
                json!([{"alg": "SHA-512", "content": sha512_hex(DEFAULT_ARTIFACT)}]),
                "pkg:generic/app@1.0.0",
            ),
            cdx_with(
                json!([{"alg": "SHA-512", "content": other512}]),
                "pkg:generic/app@1.0.0",
            ),
        ),
        (
            "spdx 2",
            "https://spdx.dev/Document",
            spdx2(&right),
            spdx2(&other),
        ),
        (
            "spdx 3",
            "https://spdx.dev/Document/v3",
            spdx3(&right),
            spdx3(&other),
        ),
    ];
    let has = |v: &Value, code: &str, outcome: &str| {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == code && c["outcome"] == outcome)
    };
    for (what, pt, good, bad) in &cases {
        // Control: the same document naming the artifact binds.
        let ok = attest("good.json", good, pt);
        let (code, v) = verify(&["--bundle", &ok, "--require-sbom"]);
        assert_eq!(code, 0, "{what}: {v}");
        assert!(has(&v, "sbom-bound", "pass"), "{what}: {v}");
        // Attested, naming another digest: fails.
        let att = attest("bad.json", bad, pt);
        let (code, v) = verify(&["--bundle", &att]);
        assert_eq!(code, 1, "{what}: {v}");
        assert!(has(&v, "sbom-binding-mismatch", "fail"), "{what}: {v}");
        assert!(!has(&v, "sbom-bound", "pass"), "{what}: {v}");
        // Given with --sbom: the same code.
        let f = write(&dir, "bad.sbom.json", &serde_json::to_vec(bad).unwrap());
        let (code, v) = verify(&["--bundle", &signature, "--sbom", &f]);
        assert_eq!(code, 1, "{what}: {v}");
        assert!(has(&v, "sbom-binding-mismatch", "fail"), "{what}: {v}");
    }
}

fn sha512_hex(b: &[u8]) -> String {
    let (d, _) =
        provenant_verify::digest_reader(b, &[provenant_model::DigestAlgorithm::Sha512]).unwrap();
    d[0].hex().to_string()
}
