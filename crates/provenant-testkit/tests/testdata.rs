//! `testdata/` is exactly what `gen-testdata` writes, and what it holds verifies (or fails) as described.
#![allow(clippy::disallowed_methods)] // tests read what they minted

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use provenant_testkit::keys::pae;
use provenant_testkit::{testdata_files, MintSpec};
use sigstore_trust_root::TrustedRoot;
use sigstore_verify::crypto::{verify_signature, SigningScheme};
use sigstore_verify::types::{Bundle, DerPublicKey, SignatureBytes};
use sigstore_verify::{VerificationPolicy, Verifier};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(testdata().join(path)).unwrap_or_else(|e| panic!("testdata/{path}: {e}"))
}

fn read_text(path: &str) -> String {
    String::from_utf8(read(path)).expect("UTF-8")
}

fn on_disk(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("testdata is readable") {
        let entry = entry.expect("directory entry");
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().expect("file type").is_dir() {
            on_disk(&entry.path(), &format!("{name}/"), out);
        } else {
            out.insert(name);
        }
    }
}

#[test]
fn testdata_is_up_to_date() {
    let files = testdata_files();
    for file in &files {
        assert!(
            read(&file.path) == file.contents,
            "testdata/{} differs from the generator: run `cargo run -p provenant-testkit --bin gen-testdata`",
            file.path
        );
    }
    let generated: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
    let mut present = BTreeSet::new();
    on_disk(&testdata(), "", &mut present);
    let stray: Vec<_> = present.difference(&generated).collect();
    assert!(
        stray.is_empty(),
        "files in testdata/ that gen-testdata does not write: {stray:?}"
    );
}

fn verifier() -> Verifier {
    let root = TrustedRoot::from_json(&read_text("trust/trusted_root.json")).expect("trusted root");
    Verifier::new(&root).expect("usable trusted root")
}

fn policy() -> VerificationPolicy {
    let spec = MintSpec::default();
    VerificationPolicy::new(spec.identity.as_str(), spec.issuer)
}

#[test]
fn release_bundles_verify_against_the_testdata_trust_root() {
    let verifier = verifier();
    let artifact = read("release/hello-provenant.txt");
    for bundle in [
        "release/hello-provenant.txt.sigstore.json",
        "release/hello-provenant.intoto.sigstore.json",
        "release/hello-provenant.rekor2.sigstore.json",
    ] {
        let parsed = Bundle::from_json(&read_text(bundle)).expect("bundle parses");
        verifier
            .verify(artifact.as_slice(), &parsed, &policy())
            .unwrap_or_else(|e| panic!("{bundle}: {e}"));
    }
}

#[test]
fn tampered_bundles_fail_except_the_one_left_to_the_caller() {
    let verifier = verifier();
    for file in testdata_files() {
        let Some(name) = file
            .path
            .strip_prefix("release/tampered/")
            .and_then(|name| name.strip_suffix(".sigstore.json"))
        else {
            continue;
        };
        let artifact_path = format!("release/tampered/{name}.txt");
        let artifact = if testdata().join(&artifact_path).exists() {
            read(&artifact_path)
        } else {
            read("release/hello-provenant.txt")
        };
        let bundle = Bundle::from_json(&read_text(&file.path)).expect("bundle parses");
        let outcome = verifier.verify(artifact.as_slice(), &bundle, &policy());
        assert_eq!(
            outcome.is_ok(),
            name == "duplicate-json-keys-in-predicate",
            "{name}: {outcome:?}"
        );
    }
}

#[test]
fn key_signed_material_verifies_with_cosign_pub() {
    let key = DerPublicKey::from_pem(&read_text("keys/cosign.pub")).expect("PKIX PEM");
    let artifact = read("release/hello-provenant.txt");
    let engine = base64::engine::general_purpose::STANDARD;

    let signature = engine
        .decode(read_text("release/hello-provenant.txt.sig").trim())
        .expect("base64");
    verify_signature(
        &key,
        &artifact,
        &SignatureBytes::from_bytes(&signature),
        SigningScheme::EcdsaP256Sha256,
    )
    .expect("cosign blob signature verifies");

    let envelope: serde_json::Value =
        serde_json::from_str(&read_text("release/hello-provenant.dsse.json")).expect("JSON");
    let payload = engine
        .decode(envelope["payload"].as_str().expect("payload"))
        .expect("base64");
    let signature = engine
        .decode(envelope["signatures"][0]["sig"].as_str().expect("sig"))
        .expect("base64");
    verify_signature(
        &key,
        &pae(envelope["payloadType"].as_str().expect("type"), &payload),
        &SignatureBytes::from_bytes(&signature),
        SigningScheme::EcdsaP256Sha256,
    )
    .expect("DSSE signature verifies");
    let statement: serde_json::Value = serde_json::from_slice(&payload).expect("statement");
    assert_eq!(
        statement["subject"][0]["digest"]["sha256"],
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&artifact))
    );
}
