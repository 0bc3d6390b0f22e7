//! npm attestations documents (publish attestation + SLSA provenance), on the corpus's real
//! documents and variants of them.

use serde_json::Value;

use crate::support::{corpus, provenant, run};

const DOC: &str = "slsa/slsa-verifier/npm/gundam-visor-cli-v1-tag.tgz.json";
const SHA512: &str = "sha512:8d9d7972f676516c75014aa074e11ae604d98f0b64ec6725a61e2838ff3dab162118fa71433fb31e1550d30bd0dec9d086ce032b94457b583900c507acf39c40";

fn verify(dir: &std::path::Path, doc: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "verify",
        "artifact",
        "--digest",
        SHA512,
        "--attestations",
        doc,
        "--trusted-root",
        "trust/sigstore-public-good/trusted_root.json",
        "--source-uri",
        "github.com/ramonpetgrave64/gundam-visor",
        "--builder-id",
        "https://github.com/actions/runner/github-hosted",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = run(provenant().current_dir(dir).args(&args));
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

fn failed(v: &Value) -> Vec<String> {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "fail")
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect()
}

/// Write a variant of the document (edited JSON) into a temp dir; returns its path.
fn variant(dir: &std::path::Path, edit: impl Fn(&mut Value)) -> (tempfile::TempDir, String) {
    let mut v: Value = serde_json::from_slice(&std::fs::read(dir.join(DOC)).unwrap()).unwrap();
    edit(&mut v);
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("doc.json");
    std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    let s = p.to_string_lossy().into_owned();
    (tmp, s)
}

#[test]
fn the_real_document_verifies_and_names_its_package() {
    let Some(dir) = corpus() else { return };
    let (code, v) = verify(
        &dir,
        DOC,
        &[
            "--package-name",
            "gundam-visor",
            "--package-version",
            "1.0.1",
        ],
    );
    assert_eq!(code, 0, "{:?}", failed(&v));
    assert_eq!(v["signatures"].as_array().unwrap().len(), 2);
    let codes: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"package-matches"));
}

#[test]
fn another_package_or_version_fails() {
    let Some(dir) = corpus() else { return };
    for extra in [
        ["--package-name", "gundam-visor-evil"],
        ["--package-version", "1.0.2"],
    ] {
        let (code, v) = verify(&dir, DOC, &extra);
        assert_eq!(code, 1);
        assert!(
            failed(&v).contains(&"package-mismatch".to_string()),
            "{extra:?}"
        );
    }
}

#[test]
fn a_document_missing_either_half_fails() {
    let Some(dir) = corpus() else { return };
    for keep in [0usize, 1] {
        let (_tmp, doc) = variant(&dir, |v| {
            let one = v["attestations"][keep].clone();
            v["attestations"] = Value::Array(vec![one]);
        });
        let (code, v) = verify(&dir, &doc, &[]);
        assert_eq!(code, 1, "kept attestation {keep}");
        assert!(failed(&v).contains(&"npm-attestations-incomplete".to_string()));
    }
}

#[test]
fn the_unsigned_predicate_type_label_does_not_decide_roles() {
    // Swapping the labels beside the bundles must not let the provenance pass as the publish
    // attestation or the other way round: roles come from the signed statements.
    let Some(dir) = corpus() else { return };
    let (_tmp, doc) = variant(&dir, |v| {
        let a = v["attestations"][0]["predicateType"].clone();
        let b = v["attestations"][1]["predicateType"].clone();
        v["attestations"][0]["predicateType"] = b;
        v["attestations"][1]["predicateType"] = a;
    });
    let (code, _) = verify(&dir, &doc, &[]);
    assert_eq!(code, 0);
    // The provenance bundle twice (no publish attestation at all) fails.
    let (_tmp2, doc2) = variant(&dir, |v| {
        let prov = v["attestations"][1].clone();
        v["attestations"] = Value::Array(vec![prov.clone(), prov]);
    });
    let (code, v) = verify(&dir, &doc2, &[]);
    assert_eq!(code, 1);
    assert!(failed(&v).contains(&"npm-attestations-incomplete".to_string()));
}

#[test]
fn another_tarball_fails() {
    let Some(dir) = corpus() else { return };
    let other = format!("sha512:{}", "ab".repeat(64));
    let (code, out, _) = run(provenant().current_dir(&dir).args([
        "verify",
        "artifact",
        "--digest",
        &other,
        "--attestations",
        DOC,
        "--trusted-root",
        "trust/sigstore-public-good/trusted_root.json",
        "--source-uri",
        "github.com/ramonpetgrave64/gundam-visor",
        "--builder-id",
        "https://github.com/actions/runner/github-hosted",
    ]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("artifact-digest-mismatch"), "{out}");
}

#[test]
fn print_provenance_writes_the_signed_provenance_only_on_success() {
    let Some(dir) = corpus() else { return };
    let base = [
        "verify",
        "artifact",
        "--digest",
        SHA512,
        "--attestations",
        DOC,
        "--trusted-root",
        "trust/sigstore-public-good/trusted_root.json",
        "--source-uri",
        "github.com/ramonpetgrave64/gundam-visor",
        "--builder-id",
        "https://github.com/actions/runner/github-hosted",
        "--print-provenance",
    ];
    let (code, out, err) = run(provenant().current_dir(&dir).args(base));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    let st: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(st["predicateType"], "https://slsa.dev/provenance/v1");
    assert!(err.contains("PASS"), "{err}");
    // On failure: nothing on stdout.
    let (code, out, err) = run(provenant()
        .current_dir(&dir)
        .args(base)
        .args(["--package-version", "9.9.9"]));
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("package-mismatch"), "{err}");
}

#[test]
fn a_package_flag_without_an_npm_document_fails() {
    let Some(dir) = corpus() else { return };
    let (code, out, _) = run(provenant().current_dir(&dir).args([
        "verify",
        "artifact",
        "--digest",
        SHA512,
        "--bundle",
        "sigstore/sigstore-rust/sigstore.js@2.0.0-provenance.sigstore.json",
        "--source-uri",
        "github.com/sigstore/sigstore-js",
        "--package-name",
        "sigstore",
    ]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("package-mismatch"), "{out}");
}

/// A key-signed DSSE envelope (in `dir`) whose statement names the tarball by its sha512 and
/// says nothing about any npm package; returns (envelope path, key path).
fn own_key_envelope(dir: &std::path::Path, predicate_type: &str) -> (String, String) {
    use provenant_testkit::keys::{dsse_envelope, KeyPair};
    let k = KeyPair::p256(1402);
    let hex = SHA512.trim_start_matches("sha512:");
    let st = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"gundam-visor-1.0.1.tgz","digest":{{"sha512":"{hex}"}}}}],"predicateType":"{predicate_type}","predicate":{{}}}}"#
    );
    let env = dir.join("own.dsse.json");
    std::fs::write(
        &env,
        dsse_envelope("application/vnd.in-toto+json", st.as_bytes(), &[(&k, None)]),
    )
    .unwrap();
    let key = dir.join("own.pub");
    std::fs::write(&key, k.public_pem()).unwrap();
    (
        env.to_string_lossy().into_owned(),
        key.to_string_lossy().into_owned(),
    )
}

/// Issue 14, class 2: `--package-name` / `--package-version` is a requirement the evidence the
/// verdict rests on must show. A valid own-key envelope over the tarball, beside an npm document
/// that does not count (it names another package, or its provenance cannot verify with --key),
/// used to pass: the npm failures became warnings because "another signature verified".
#[test]
fn a_package_requirement_is_never_waived_by_another_signature() {
    let Some(dir) = corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (env, key) = own_key_envelope(tmp.path(), "https://slsa.dev/provenance/v1");
    for package in ["gundam-visor", "gundam-visor-evil"] {
        let (code, out, err) = run(provenant().current_dir(&dir).args([
            "verify",
            "artifact",
            "--digest",
            SHA512,
            "--attestations",
            DOC,
            "--bundle",
            &env,
            "--key",
            &key,
            "--trusted-root",
            "trust/sigstore-public-good/trusted_root.json",
            "--package-name",
            package,
            "--package-version",
            "1.0.1",
            // The own-key envelope has no log entry: opting out of the log makes it verify, so
            // what is under test is whether it can stand in for the package requirement.
            "--insecure-ignore-tlog",
            "--format",
            "json",
        ]));
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
        assert_eq!(code, 1, "{package}: {:?}", failed(&v));
        assert!(
            failed(&v).contains(&"package-mismatch".to_string()),
            "{package}: {:?}",
            failed(&v)
        );
    }
}

/// The same rule without any npm document: the envelope verifies, names no package, and fails.
#[test]
fn an_envelope_that_names_no_package_does_not_meet_the_package_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let (env, key) = own_key_envelope(tmp.path(), "https://slsa.dev/provenance/v1");
    let (code, out, err) = run(provenant().args([
        "verify",
        "artifact",
        "--digest",
        SHA512,
        "--bundle",
        &env,
        "--key",
        &key,
        "--package-name",
        "gundam-visor",
        "--format",
        "json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    assert_eq!(code, 1, "{:?}", failed(&v));
    assert!(failed(&v).contains(&"package-mismatch".to_string()));
}
