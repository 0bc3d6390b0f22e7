//! The plain key pairs sign what verifiers expect: PKIX public keys, PKCS#8 private keys, DSSE over
//! PAE and cosign blob signatures.
#![allow(clippy::disallowed_methods)] // tests read what they minted

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use provenant_testkit::keys::{cosign_blob_signature, dsse_envelope, pae, KeyAlgorithm, KeyPair};
use sigstore_verify::crypto::{verify_signature, SigningScheme};
use sigstore_verify::types::{DerPublicKey, SignatureBytes};

fn scheme(algorithm: KeyAlgorithm) -> SigningScheme {
    match algorithm {
        KeyAlgorithm::EcdsaP256 => SigningScheme::EcdsaP256Sha256,
        KeyAlgorithm::EcdsaP384 => SigningScheme::EcdsaP384Sha384,
        KeyAlgorithm::Ed25519 => SigningScheme::Ed25519,
        KeyAlgorithm::RsaPkcs1v15 => SigningScheme::RsaPkcs1Sha256,
        KeyAlgorithm::RsaPss => SigningScheme::RsaPssSha256,
    }
}

fn public_key(key: &KeyPair) -> DerPublicKey {
    DerPublicKey::from_pem(&key.public_pem()).expect("PUBLIC KEY PEM")
}

fn verifies(key: &KeyPair, message: &[u8], signature: &[u8]) -> bool {
    verify_signature(
        &public_key(key),
        message,
        &SignatureBytes::from_bytes(signature),
        scheme(key.algorithm()),
    )
    .is_ok()
}

/// One key of each algorithm; RSA generation is slow in debug builds, so they are made once.
fn all_keys() -> &'static [KeyPair] {
    static KEYS: std::sync::OnceLock<Vec<KeyPair>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        vec![
            KeyPair::p256(1),
            KeyPair::p384(1),
            KeyPair::ed25519(1),
            KeyPair::rsa_pkcs1(1),
            KeyPair::rsa_pss(1),
        ]
    })
}

#[test]
fn every_key_type_signs_verifiably_and_deterministically() {
    for key in all_keys() {
        let signature = key.sign(b"release v1.0.0");
        assert!(verifies(key, b"release v1.0.0", &signature), "{key:?}");
        assert!(!verifies(key, b"release v1.0.1", &signature), "{key:?}");
        assert_eq!(signature, key.sign(b"release v1.0.0"), "{key:?}");
        assert_eq!(public_key(key).as_bytes(), key.public_key_der().as_slice());
    }
    assert_eq!(
        KeyPair::p256(1).private_pem(),
        KeyPair::p256(1).private_pem()
    );
    assert_ne!(
        KeyPair::p256(1).private_pem(),
        KeyPair::p256(2).private_pem()
    );
}

#[test]
fn private_keys_are_unencrypted_pkcs8() {
    use p256::pkcs8::der::Decode as _;
    use p256::pkcs8::PrivateKeyInfo;
    let expected = [
        "1.2.840.10045.2.1",    // id-ecPublicKey (P-256)
        "1.2.840.10045.2.1",    // id-ecPublicKey (P-384)
        "1.3.101.112",          // Ed25519
        "1.2.840.113549.1.1.1", // rsaEncryption
        "1.2.840.113549.1.1.1", // rsaEncryption
    ];
    for (key, oid) in all_keys().iter().zip(expected) {
        let pem = key.private_pem();
        let body: String = pem
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
        let der = STANDARD.decode(body).expect("base64 body");
        let info = PrivateKeyInfo::from_der(&der).expect("PKCS#8");
        assert_eq!(info.algorithm.oid.to_string(), oid);
    }
}

#[test]
fn dsse_envelopes_sign_the_pae_for_each_signer() {
    let (first, second) = (KeyPair::p256(3), KeyPair::ed25519(3));
    let payload = br#"{"_type":"https://in-toto.io/Statement/v1"}"#;
    let envelope = dsse_envelope(
        "application/vnd.in-toto+json",
        payload,
        &[(&first, Some("first")), (&second, None)],
    );
    let envelope: serde_json::Value = serde_json::from_str(&envelope).expect("JSON");
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    assert_eq!(
        STANDARD
            .decode(envelope["payload"].as_str().expect("payload"))
            .expect("base64"),
        payload
    );
    let signatures = envelope["signatures"].as_array().expect("signatures");
    assert_eq!(signatures[0]["keyid"], "first");
    assert!(signatures[1].get("keyid").is_none());
    let pae = pae("application/vnd.in-toto+json", payload);
    let prefix = format!("DSSEv1 28 application/vnd.in-toto+json {} ", payload.len());
    assert!(pae.starts_with(prefix.as_bytes()));
    assert!(pae.ends_with(payload));
    for (signature, key) in signatures.iter().zip([&first, &second]) {
        let sig = STANDARD
            .decode(signature["sig"].as_str().expect("sig"))
            .expect("base64");
        assert!(verifies(key, &pae, &sig));
        assert!(
            !verifies(key, payload, &sig),
            "signs the PAE, not the bare payload"
        );
    }
}

#[test]
fn cosign_blob_signatures_are_base64_der_ecdsa_over_the_artifact() {
    let key = KeyPair::p256(4);
    let signature = STANDARD
        .decode(cosign_blob_signature(&key, b"hello provenant\n"))
        .expect("base64");
    assert_eq!(signature[0], 0x30, "DER SEQUENCE");
    assert!(verify_signature(
        &public_key(&key),
        b"hello provenant\n",
        &SignatureBytes::from_bytes(&signature),
        SigningScheme::EcdsaP256Sha256,
    )
    .is_ok());
}
