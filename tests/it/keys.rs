//! Key-based verification: cosign `sign-blob --key` signatures and DSSE envelopes signed with
//! ECDSA P-256/P-384, Ed25519 and RSA (PKCS#1 v1.5 and PSS) keys, with thresholds.

use provenant_testkit::keys::{
    cosign_blob_signature, dsse_envelope, dsse_envelope_signed_twice, KeyAlgorithm, KeyPair,
};

use crate::support::{provenant, run};

const ARTIFACT: &[u8] = b"release bytes\n";

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        let d = Self(tempfile::tempdir().unwrap());
        d.write("app.bin", ARTIFACT);
        d
    }
    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.0.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().into_owned()
    }
    fn key(&self, name: &str, k: &KeyPair) -> String {
        self.write(name, k.public_pem().as_bytes())
    }
    /// `verify artifact app.bin --bundle <evidence> --key <keys>... --insecure-ignore-tlog
    /// [extra]` -> (exit, stdout). Key-signed evidence outside a bundle has no log entry: these
    /// tests are about signatures and keys, so they accept that (see
    /// `key_signed_evidence_needs_a_log_entry_or_the_opt_out` for the rule itself).
    fn verify(&self, evidence: &str, keys: &[&str], extra: &[&str]) -> (i32, String) {
        let mut all = vec!["--insecure-ignore-tlog"];
        all.extend_from_slice(extra);
        self.verify_strict(evidence, keys, &all)
    }

    /// As [`Dir::verify`], without `--insecure-ignore-tlog`.
    fn verify_strict(&self, evidence: &str, keys: &[&str], extra: &[&str]) -> (i32, String) {
        let mut cmd = provenant();
        cmd.args([
            "verify",
            "artifact",
            &self.write("app.bin", ARTIFACT),
            "--bundle",
            evidence,
        ]);
        for k in keys {
            cmd.args(["--key", k]);
        }
        cmd.args(extra);
        let (rc, out, err) = run(&mut cmd);
        (rc, format!("{out}{err}"))
    }
}

fn statement(artifact: &[u8]) -> Vec<u8> {
    let (d, _) =
        provenant_verify::digest_reader(artifact, &[provenant_model::DigestAlgorithm::Sha256])
            .unwrap();
    format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"app.bin","digest":{{"sha256":"{}"}}}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{{}}}}"#,
        d[0].hex()
    )
    .into_bytes()
}

const IN_TOTO: &str = "application/vnd.in-toto+json";

fn all_keys() -> Vec<KeyPair> {
    [
        KeyAlgorithm::EcdsaP256,
        KeyAlgorithm::EcdsaP384,
        KeyAlgorithm::Ed25519,
        KeyAlgorithm::RsaPkcs1v15,
        KeyAlgorithm::RsaPss,
    ]
    .into_iter()
    .map(|a| KeyPair::generate(a, 11))
    .collect()
}

#[test]
fn dsse_envelopes_verify_with_every_key_type_and_fail_with_the_wrong_key() {
    let d = Dir::new();
    let keys = all_keys();
    let other = KeyPair::p256(99);
    let other_pem = d.key("other.pub", &other);
    for (i, k) in keys.iter().enumerate() {
        let env = d.write(
            &format!("env{i}.json"),
            dsse_envelope(IN_TOTO, &statement(ARTIFACT), &[(k, None)]).as_bytes(),
        );
        let pem = d.key(&format!("k{i}.pub"), k);
        let (rc, out) = d.verify(&env, &[&pem], &[]);
        assert_eq!(rc, 0, "{:?}: {out}", k.algorithm());
        let (rc, out) = d.verify(&env, &[&other_pem], &[]);
        assert_eq!(rc, 1, "{:?} with the wrong key: {out}", k.algorithm());
        assert!(out.contains("signature-invalid"), "{out}");
    }
}

#[test]
fn cosign_blob_signatures() {
    let d = Dir::new();
    for k in [KeyPair::p256(1), KeyPair::p384(2), KeyPair::rsa_pkcs1(3)] {
        let pem = d.key("k.pub", &k);
        let sig = d.write(
            "app.bin.sig",
            cosign_blob_signature(&k, ARTIFACT).as_bytes(),
        );
        let (rc, out) = d.verify(&sig, &[&pem], &[]);
        assert_eq!(rc, 0, "{:?}: {out}", k.algorithm());
        let wrong = d.write(
            "other.sig",
            cosign_blob_signature(&k, b"other bytes").as_bytes(),
        );
        let (rc, out) = d.verify(&wrong, &[&pem], &[]);
        assert_eq!(rc, 1, "{out}");
        assert!(out.contains("signature-invalid"), "{out}");
    }
    // Ed25519 signs whole messages: a detached signature over a digest cannot be checked.
    let ed = KeyPair::ed25519(4);
    let sig = d.write("ed.sig", b"AAAA");
    let (rc, out) = d.verify(&sig, &[&d.key("ed.pub", &ed)], &[]);
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("key-unsupported"), "{out}");
}

#[test]
fn envelopes_must_name_the_artifact_and_have_no_duplicate_keys() {
    let d = Dir::new();
    let k = KeyPair::p256(5);
    let pem = d.key("k.pub", &k);
    let other = d.write(
        "o.json",
        dsse_envelope(IN_TOTO, &statement(b"another artifact"), &[(&k, None)]).as_bytes(),
    );
    let (rc, out) = d.verify(&other, &[&pem], &[]);
    assert_eq!(rc, 1);
    assert!(out.contains("artifact-digest-mismatch"), "{out}");
    let dup = String::from_utf8(statement(ARTIFACT)).unwrap().replacen(
        r#""predicateType""#,
        r#""subject":[{"digest":{"sha256":"00"}}],"predicateType""#,
        1,
    );
    let env = d.write(
        "dup.json",
        dsse_envelope(IN_TOTO, dup.as_bytes(), &[(&k, None)]).as_bytes(),
    );
    let (rc, out) = d.verify(&env, &[&pem], &[]);
    assert_eq!(rc, 1);
    assert!(out.contains("payload-duplicate-keys"), "{out}");
    let json = d.write(
        "j.json",
        dsse_envelope("application/json", &statement(ARTIFACT), &[(&k, None)]).as_bytes(),
    );
    let (rc, out) = d.verify(&json, &[&pem], &[]);
    assert_eq!(rc, 1);
    assert!(out.contains("payload-type-unexpected"), "{out}");
}

#[test]
fn thresholds_count_distinct_trusted_keys() {
    let d = Dir::new();
    let (a, b, c) = (KeyPair::p256(6), KeyPair::ed25519(7), KeyPair::p384(8));
    let (pa, pb, pc) = (d.key("a.pub", &a), d.key("b.pub", &b), d.key("c.pub", &c));
    let st = statement(ARTIFACT);
    let two = d.write(
        "two.json",
        dsse_envelope(IN_TOTO, &st, &[(&a, Some("a")), (&b, Some("b"))]).as_bytes(),
    );
    assert_eq!(d.verify(&two, &[&pa, &pb, &pc], &["--threshold", "2"]).0, 0);
    let (rc, out) = d.verify(&two, &[&pa, &pb, &pc], &["--threshold", "3"]);
    assert_eq!(rc, 1);
    assert!(out.contains("signature-threshold-not-met"), "{out}");
    // The same key twice (even under two key ids) counts once.
    let twice = d.write(
        "twice.json",
        dsse_envelope(IN_TOTO, &st, &[(&a, Some("a")), (&a, Some("b"))]).as_bytes(),
    );
    let (rc, out) = d.verify(&twice, &[&pa, &pb], &["--threshold", "2"]);
    assert_eq!(rc, 1, "{out}");
    // Nor does the same key given twice, under two file names.
    let pa2 = d.key("a-again.pub", &a);
    let (rc, out) = d.verify(&twice, &[&pa, &pa2], &["--threshold", "2"]);
    assert_eq!(rc, 1, "one key given twice met a threshold of 2: {out}");
    // An untrusted extra signature neither helps nor hurts at threshold 1.
    let mixed = d.write(
        "mixed.json",
        dsse_envelope(IN_TOTO, &st, &[(&c, None), (&a, None)]).as_bytes(),
    );
    assert_eq!(d.verify(&mixed, &[&pa], &[]).0, 0);
    assert_eq!(d.verify(&mixed, &[&pa], &["--threshold", "2"]).0, 1);
}

/// Regression (found in review): the source policy applies to key-signed envelopes too.
#[test]
fn key_signed_provenance_is_held_to_the_source_policy() {
    let d = Dir::new();
    let k = KeyPair::p256(41);
    let pem = d.key("k.pub", &k);
    let (dg, _) =
        provenant_verify::digest_reader(ARTIFACT, &[provenant_model::DigestAlgorithm::Sha256])
            .unwrap();
    let st = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"app.bin","digest":{{"sha256":"{}"}}}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{{"buildDefinition":{{"buildType":"b","externalParameters":{{}},"resolvedDependencies":[{{"uri":"git+https://github.com/org/app@refs/tags/v1","digest":{{"gitCommit":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}}}]}},"runDetails":{{"builder":{{"id":"https://builder.example"}}}}}}}}"#,
        dg[0].hex()
    );
    let env = d.write(
        "p.json",
        dsse_envelope(IN_TOTO, st.as_bytes(), &[(&k, None)]).as_bytes(),
    );
    let (rc, out) = d.verify(
        &env,
        &[&pem],
        &[
            "--commit",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "--source-uri",
            "github.com/org/app",
        ],
    );
    assert_eq!(rc, 0, "{out}");
    let (rc, out) = d.verify(
        &env,
        &[&pem],
        &["--commit", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"],
    );
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("source-commit-mismatch"), "{out}");
    let (rc, out) = d.verify(&env, &[&pem], &["--source-uri", "github.com/org/app-evil"]);
    assert_eq!(rc, 1, "{out}");
}

/// Issue 13, class 5: `git+https://github.com/o/r@refs/heads/evil@refs/tags/v1.0.0` names the
/// legal branch `evil@refs/tags/v1.0.0`; it never passes `--source-tag v1.0.0`.
#[test]
fn a_branch_named_like_a_tag_is_not_the_tag() {
    let d = Dir::new();
    let k = KeyPair::p256(42);
    let pem = d.key("k.pub", &k);
    let (dg, _) =
        provenant_verify::digest_reader(ARTIFACT, &[provenant_model::DigestAlgorithm::Sha256])
            .unwrap();
    let envelope = |uri: &str| {
        let st = serde_json::json!({
            "_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": "https://slsa.dev/provenance/v0.2",
            "subject": [{"name": "app.bin", "digest": {"sha256": dg[0].hex()}}],
            "predicate": {
                "builder": {"id": "https://builder.example/b"},
                "buildType": "bt",
                "invocation": {"configSource": {"uri": uri, "digest": {"sha1": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}}
            }
        });
        dsse_envelope(IN_TOTO, &serde_json::to_vec(&st).unwrap(), &[(&k, None)])
    };
    let flags = [
        "--source-uri",
        "github.com/o/r",
        "--source-tag",
        "v1.0.0",
        "--builder-id",
        "https://builder.example/b",
        "--format",
        "json",
    ];
    let evil = d.write(
        "evil.json",
        envelope("git+https://github.com/o/r@refs/heads/evil@refs/tags/v1.0.0").as_bytes(),
    );
    let (rc, out) = d.verify(&evil, &[&pem], &flags);
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("source-ref-mismatch"), "{out}");
    let honest = d.write(
        "honest.json",
        envelope("git+https://github.com/o/r@refs/tags/v1.0.0").as_bytes(),
    );
    let (rc, out) = d.verify(&honest, &[&pem], &flags);
    assert_eq!(rc, 0, "{out}");
}

/// Issue 13, class 6: a threshold counts keys by their key material. One RSA key as two SPKI
/// encodings (parameters NULL and absent), one EC key with its point compressed and not, are
/// one key each; a repeated signature is one signature.
#[test]
fn thresholds_count_key_material_not_encodings() {
    let d = Dir::new();
    let st = statement(ARTIFACT);
    // Two different valid signatures by one P-256 key, and that key in two encodings.
    let ec = KeyPair::p256(60);
    let ec_pem = d.key("ec.pub", &ec);
    let ec_alt = d.write(
        "ec-compressed.pub",
        ec.public_pem_reencoded().unwrap().as_bytes(),
    );
    let twice = d.write(
        "ec-twice.json",
        dsse_envelope_signed_twice(IN_TOTO, &st, &ec).as_bytes(),
    );
    assert_eq!(
        d.verify(&twice, &[&ec_alt], &[]).0,
        0,
        "the compressed encoding verifies"
    );
    let (rc, out) = d.verify(
        &twice,
        &[&ec_pem, &ec_alt],
        &["--threshold", "2", "--format", "json"],
    );
    assert_eq!(
        rc, 1,
        "one EC key in two encodings met a threshold of 2: {out}"
    );
    assert!(out.contains("signature-threshold-not-met"), "{out}");
    // RSA: the same signature twice, and the key with NULL and with absent parameters.
    let rsa = KeyPair::rsa_pkcs1(61);
    let rsa_pem = d.key("rsa.pub", &rsa);
    let rsa_alt = d.write(
        "rsa-noparams.pub",
        rsa.public_pem_reencoded().unwrap().as_bytes(),
    );
    let env = d.write(
        "rsa-twice.json",
        dsse_envelope(IN_TOTO, &st, &[(&rsa, Some("a")), (&rsa, Some("b"))]).as_bytes(),
    );
    assert_eq!(
        d.verify(&env, &[&rsa_alt], &[]).0,
        0,
        "the parameter-less encoding verifies"
    );
    let (rc, out) = d.verify(
        &env,
        &[&rsa_pem, &rsa_alt],
        &["--threshold", "2", "--format", "json"],
    );
    assert_eq!(
        rc, 1,
        "one RSA key in two encodings met a threshold of 2: {out}"
    );
    assert!(out.contains("signature-threshold-not-met"), "{out}");
    // Key identity is the material: both encodings read as one key, with one fingerprint.
    for k in [&ec, &rsa] {
        let a = provenant_verify::PublicKey::from_pem(&k.public_pem(), "a").unwrap();
        let b =
            provenant_verify::PublicKey::from_pem(&k.public_pem_reencoded().unwrap(), "b").unwrap();
        assert_eq!(a.material(), b.material());
        assert_eq!(a.material().fingerprint(), b.material().fingerprint());
    }
    // Two different keys still make two.
    let other = KeyPair::p256(62);
    let both = d.write(
        "both.json",
        dsse_envelope(IN_TOTO, &st, &[(&ec, None), (&other, None)]).as_bytes(),
    );
    let other_pem = d.key("other.pub", &other);
    assert_eq!(
        d.verify(&both, &[&ec_alt, &other_pem], &["--threshold", "2"])
            .0,
        0
    );
}

/// Issue 13, class 11: key-signed evidence with no verified transparency-log entry or trusted
/// timestamp fails, as in cosign v2, unless `--insecure-ignore-tlog` says otherwise; the opt-out
/// is recorded in the report.
#[test]
fn key_signed_evidence_needs_a_log_entry_or_the_opt_out() {
    let d = Dir::new();
    let k = KeyPair::p256(70);
    let pem = d.key("k.pub", &k);
    let sig = d.write(
        "app.bin.sig",
        cosign_blob_signature(&k, ARTIFACT).as_bytes(),
    );
    let env = d.write(
        "env.json",
        dsse_envelope(IN_TOTO, &statement(ARTIFACT), &[(&k, None)]).as_bytes(),
    );
    for evidence in [&sig, &env] {
        let (rc, out) = d.verify_strict(evidence, &[&pem], &["--format", "json"]);
        assert_eq!(rc, 1, "{evidence}: {out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let failed: Vec<&str> = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["outcome"] == "fail")
            .filter_map(|c| c["code"].as_str())
            .collect();
        assert_eq!(failed, ["tlog-entry-missing"], "{out}");
        assert_eq!(v["opt_outs"], serde_json::json!([]), "{out}");

        let (rc, out) = d.verify(evidence, &[&pem], &["--format", "json"]);
        assert_eq!(rc, 0, "{evidence}: {out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["opt_outs"][0]["name"], "insecure-ignore-tlog", "{out}");
        assert!(
            v["checks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["code"] == "opt-out-used" && c["outcome"] == "warn"),
            "{out}"
        );
    }
    // Every report format shows the opt-out.
    for (fmt, needle) in [
        ("text", "insecure-ignore-tlog"),
        ("sarif", "opt-out-used"),
        ("markdown", "insecure-ignore-tlog"),
    ] {
        let (rc, out) = d.verify(&sig, &[&pem], &["--format", fmt]);
        assert_eq!(rc, 0, "{fmt}: {out}");
        assert!(out.contains(needle), "{fmt}: {out}");
    }
}

/// Issue 14, class 2: `--threshold N` is a requirement the signature the verdict rests on must
/// show. A detached signature by one trusted key beside an envelope signed by too few used to
/// pass: the envelope's threshold failure became a warning because "another signature verified".
#[test]
fn a_threshold_is_never_waived_by_a_single_key_signature() {
    let d = Dir::new();
    let (a, b) = (KeyPair::p256(61), KeyPair::p384(62));
    let (pa, pb) = (d.key("a.pub", &a), d.key("b.pub", &b));
    let one = d.write(
        "one.json",
        dsse_envelope(IN_TOTO, &statement(ARTIFACT), &[(&a, None)]).as_bytes(),
    );
    let sig = d.write(
        "app.bin.sig",
        cosign_blob_signature(&a, ARTIFACT).as_bytes(),
    );
    for evidence in [[&one, &sig], [&sig, &one]] {
        let (rc, out) = d.verify(
            evidence[0],
            &[&pa, &pb],
            &[
                "--bundle",
                evidence[1],
                "--threshold",
                "2",
                "--format",
                "json",
            ],
        );
        assert_eq!(rc, 1, "{out}");
        let v: serde_json::Value = serde_json::from_str(&out[..out.rfind('}').unwrap() + 1])
            .unwrap_or_else(|e| panic!("{e}: {out}"));
        assert!(
            v["checks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["code"] == "signature-threshold-not-met" && c["outcome"] == "fail"),
            "{out}"
        );
    }
    // The detached signature alone cannot show two keys either.
    let (rc, out) = d.verify(&sig, &[&pa, &pb], &["--threshold", "2"]);
    assert_eq!(rc, 1, "{out}");
}
