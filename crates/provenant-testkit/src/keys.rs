//! Plain key pairs for key-based signing (cosign `--key`, DSSE with a known key), derived from a seed.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand_chacha::rand_core::{RngCore as _, SeedableRng as _};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest as _, Sha256};

/// The algorithm (and, for RSA, the padding) a [`KeyPair`] signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// ECDSA over P-256 with SHA-256, DER signatures.
    EcdsaP256,
    /// ECDSA over P-384 with SHA-384, DER signatures.
    EcdsaP384,
    /// Ed25519 (pure), 64-byte signatures.
    Ed25519,
    /// RSA-2048, PKCS#1 v1.5 padding, SHA-256.
    RsaPkcs1v15,
    /// RSA-2048, PSS padding, SHA-256, 32-byte salt.
    RsaPss,
}

/// A private key that signs deterministically from its seed (RFC 6979 for ECDSA, seeded salts for PSS).
#[derive(Clone)]
pub struct KeyPair {
    key: Key,
    seed: [u8; 32],
}

#[derive(Clone)]
enum Key {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>, RsaPadding),
}

#[derive(Clone, Copy)]
enum RsaPadding {
    Pkcs1v15,
    Pss,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

/// A deterministic RNG for `label` under `seed`: distinct labels give independent streams.
pub(crate) fn rng(seed: u64, label: &str) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(seed_bytes(seed, label))
}

fn seed_bytes(seed: u64, label: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"provenant-testkit/v1\0");
    hasher.update(seed.to_be_bytes());
    hasher.update(label.as_bytes());
    hasher.finalize().into()
}

impl KeyPair {
    /// An ECDSA P-256 key (the cosign default).
    pub fn p256(seed: u64) -> KeyPair {
        Self::p256_labelled(seed, "keys/p256")
    }

    /// An ECDSA P-384 key.
    pub fn p384(seed: u64) -> KeyPair {
        Self::p384_labelled(seed, "keys/p384")
    }

    /// An Ed25519 key.
    pub fn ed25519(seed: u64) -> KeyPair {
        Self::ed25519_labelled(seed, "keys/ed25519")
    }

    /// An RSA-2048 key signing with PKCS#1 v1.5 and SHA-256. Generation is slow in debug builds.
    pub fn rsa_pkcs1(seed: u64) -> KeyPair {
        Self::rsa_labelled(seed, "keys/rsa2048", RsaPadding::Pkcs1v15)
    }

    /// An RSA-2048 key signing with PSS and SHA-256. Generation is slow in debug builds.
    pub fn rsa_pss(seed: u64) -> KeyPair {
        Self::rsa_labelled(seed, "keys/rsa2048", RsaPadding::Pss)
    }

    /// A key of `algorithm` from `seed`.
    pub fn generate(algorithm: KeyAlgorithm, seed: u64) -> KeyPair {
        match algorithm {
            KeyAlgorithm::EcdsaP256 => Self::p256(seed),
            KeyAlgorithm::EcdsaP384 => Self::p384(seed),
            KeyAlgorithm::Ed25519 => Self::ed25519(seed),
            KeyAlgorithm::RsaPkcs1v15 => Self::rsa_pkcs1(seed),
            KeyAlgorithm::RsaPss => Self::rsa_pss(seed),
        }
    }

    pub(crate) fn p256_labelled(seed: u64, label: &str) -> KeyPair {
        let key = p256::ecdsa::SigningKey::random(&mut rng(seed, label));
        KeyPair {
            key: Key::P256(key),
            seed: seed_bytes(seed, label),
        }
    }

    pub(crate) fn p384_labelled(seed: u64, label: &str) -> KeyPair {
        let key = p384::ecdsa::SigningKey::random(&mut rng(seed, label));
        KeyPair {
            key: Key::P384(key),
            seed: seed_bytes(seed, label),
        }
    }

    pub(crate) fn ed25519_labelled(seed: u64, label: &str) -> KeyPair {
        let mut secret = [0u8; 32];
        rng(seed, label).fill_bytes(&mut secret);
        KeyPair {
            key: Key::Ed25519(ed25519_dalek::SigningKey::from_bytes(&secret)),
            seed: seed_bytes(seed, label),
        }
    }

    fn rsa_labelled(seed: u64, label: &str, padding: RsaPadding) -> KeyPair {
        let key = rsa::RsaPrivateKey::new(&mut rng(seed, label), 2048)
            .expect("RSA-2048 generation from a seeded RNG succeeds");
        KeyPair {
            key: Key::Rsa(Box::new(key), padding),
            seed: seed_bytes(seed, label),
        }
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match &self.key {
            Key::P256(_) => KeyAlgorithm::EcdsaP256,
            Key::P384(_) => KeyAlgorithm::EcdsaP384,
            Key::Ed25519(_) => KeyAlgorithm::Ed25519,
            Key::Rsa(_, RsaPadding::Pkcs1v15) => KeyAlgorithm::RsaPkcs1v15,
            Key::Rsa(_, RsaPadding::Pss) => KeyAlgorithm::RsaPss,
        }
    }

    /// The public key as DER SubjectPublicKeyInfo.
    pub fn public_key_der(&self) -> Vec<u8> {
        use p256::pkcs8::EncodePublicKey as _;
        let document = match &self.key {
            Key::P256(key) => key.verifying_key().to_public_key_der(),
            Key::P384(key) => key.verifying_key().to_public_key_der(),
            Key::Ed25519(key) => key.verifying_key().to_public_key_der(),
            Key::Rsa(key, _) => key.to_public_key().to_public_key_der(),
        };
        document
            .expect("public keys encode as SPKI")
            .as_bytes()
            .to_vec()
    }

    /// The public key as a PKIX `PUBLIC KEY` PEM (what `cosign.pub` holds).
    pub fn public_pem(&self) -> String {
        pem("PUBLIC KEY", &self.public_key_der())
    }

    /// The same public key in a second, equally valid SPKI encoding, as PEM: for RSA the
    /// AlgorithmIdentifier parameters absent instead of NULL, for ECDSA the point compressed.
    /// `None` for Ed25519, which has one encoding.
    pub fn public_pem_reencoded(&self) -> Option<String> {
        use x509_cert::der::{asn1::BitString, Decode as _, Encode as _};
        use x509_cert::spki::SubjectPublicKeyInfoOwned;
        let mut spki =
            SubjectPublicKeyInfoOwned::from_der(&self.public_key_der()).expect("own SPKI decodes");
        match &self.key {
            Key::Rsa(..) => {
                assert!(
                    spki.algorithm.parameters.is_some(),
                    "rsa writes NULL parameters"
                );
                spki.algorithm.parameters = None;
            }
            Key::P256(key) => {
                use p256::elliptic_curve::sec1::ToEncodedPoint as _;
                let point = key.verifying_key().as_affine().to_encoded_point(true);
                spki.subject_public_key =
                    BitString::from_bytes(point.as_bytes()).expect("bit string");
            }
            Key::P384(key) => {
                use p384::elliptic_curve::sec1::ToEncodedPoint as _;
                let point = key.verifying_key().as_affine().to_encoded_point(true);
                spki.subject_public_key =
                    BitString::from_bytes(point.as_bytes()).expect("bit string");
            }
            Key::Ed25519(_) => return None,
        }
        let der = spki.to_der().expect("SPKI encodes");
        assert_ne!(der, self.public_key_der(), "a different encoding");
        Some(pem("PUBLIC KEY", &der))
    }

    /// The private key as an unencrypted PKCS#8 `PRIVATE KEY` PEM.
    pub fn private_pem(&self) -> String {
        use p256::pkcs8::EncodePrivateKey as _;
        let document = match &self.key {
            Key::P256(key) => p256::SecretKey::from(key).to_pkcs8_der(),
            Key::P384(key) => p384::SecretKey::from(key).to_pkcs8_der(),
            Key::Ed25519(key) => key.to_pkcs8_der(),
            Key::Rsa(key, _) => key.to_pkcs8_der(),
        };
        pem(
            "PRIVATE KEY",
            document.expect("private keys encode as PKCS#8").as_bytes(),
        )
    }

    /// The SHA-256 of the SPKI, hex: the key ID cosign and Rekor use.
    pub fn key_id(&self) -> String {
        hex::encode(Sha256::digest(self.public_key_der()))
    }

    /// Sign `message`: ECDSA and RSA hash it first (SHA-256, or SHA-384 for P-384); Ed25519 signs it as is.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        use p256::ecdsa::signature::{RandomizedSigner as _, SignatureEncoding as _, Signer as _};
        match &self.key {
            Key::P256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(message);
                signature.to_der().as_bytes().to_vec()
            }
            Key::P384(key) => {
                let signature: p384::ecdsa::Signature = key.sign(message);
                signature.to_der().as_bytes().to_vec()
            }
            Key::Ed25519(key) => key.sign(message).to_bytes().to_vec(),
            Key::Rsa(key, RsaPadding::Pkcs1v15) => {
                rsa::pkcs1v15::SigningKey::<Sha256>::new((**key).clone())
                    .sign(message)
                    .to_vec()
            }
            Key::Rsa(key, RsaPadding::Pss) => {
                // The salt comes from the key's seed and the message, so signing stays reproducible.
                let mut salt_seed = Sha256::new();
                salt_seed.update(self.seed);
                salt_seed.update(message);
                let mut salt_rng = ChaCha20Rng::from_seed(salt_seed.finalize().into());
                rsa::pss::SigningKey::<Sha256>::new((**key).clone())
                    .sign_with_rng(&mut salt_rng, message)
                    .to_vec()
            }
        }
    }

    /// A second, different but equally valid ECDSA signature over `message` (randomised nonce).
    pub(crate) fn sign_again(&self, message: &[u8]) -> Vec<u8> {
        use p256::ecdsa::signature::RandomizedSigner as _;
        let mut nonce_rng = ChaCha20Rng::from_seed(self.seed);
        match &self.key {
            Key::P256(key) => {
                let signature: p256::ecdsa::Signature = key.sign_with_rng(&mut nonce_rng, message);
                signature.to_der().as_bytes().to_vec()
            }
            _ => panic!("sign_again is only used with the P-256 signing keys"),
        }
    }

    /// The X.509 `signatureAlgorithm` this key signs certificates and CMS structures with.
    pub(crate) fn x509_signature_algorithm(&self) -> x509_cert::spki::AlgorithmIdentifierOwned {
        let oid = match &self.key {
            Key::P256(_) => crate::oids::ECDSA_WITH_SHA256,
            Key::P384(_) => crate::oids::ECDSA_WITH_SHA384,
            Key::Ed25519(_) => crate::oids::ED25519,
            Key::Rsa(..) => panic!("RSA keys do not sign certificates in the testkit"),
        };
        x509_cert::spki::AlgorithmIdentifierOwned {
            oid,
            parameters: None,
        }
    }

    /// The raw 32-byte Ed25519 public key (for signed-note key IDs).
    pub(crate) fn ed25519_public_bytes(&self) -> [u8; 32] {
        match &self.key {
            Key::Ed25519(key) => key.verifying_key().to_bytes(),
            _ => panic!("not an Ed25519 key"),
        }
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

pub(crate) fn certificate_pem(der: &[u8]) -> String {
    pem("CERTIFICATE", der)
}

/// DSSE pre-authentication encoding: `DSSEv1 <len> <type> <len> <payload>`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// A DSSE JSON envelope over `payload`, one signature per signer over the PAE, with an optional `keyid`.
pub fn dsse_envelope(
    payload_type: &str,
    payload: &[u8],
    signers: &[(&KeyPair, Option<&str>)],
) -> String {
    let pae = pae(payload_type, payload);
    let signatures: Vec<serde_json::Value> = signers
        .iter()
        .map(|(key, keyid)| {
            let sig = STANDARD.encode(key.sign(&pae));
            match keyid {
                Some(keyid) => serde_json::json!({ "keyid": keyid, "sig": sig }),
                None => serde_json::json!({ "sig": sig }),
            }
        })
        .collect();
    let envelope = serde_json::json!({
        "payload": STANDARD.encode(payload),
        "payloadType": payload_type,
        "signatures": signatures,
    });
    serde_json::to_string_pretty(&envelope).expect("JSON values serialize") + "\n"
}

/// The base64 signature `cosign sign-blob --key` writes: the key's signature over the artifact
/// (for ECDSA, a DER signature over its SHA-256).
pub fn cosign_blob_signature(key: &KeyPair, artifact: &[u8]) -> String {
    STANDARD.encode(key.sign(artifact))
}

/// A DSSE envelope with two different valid signatures by one P-256 key (two nonces): one key,
/// two distinct signatures, for threshold tests.
pub fn dsse_envelope_signed_twice(payload_type: &str, payload: &[u8], key: &KeyPair) -> String {
    let pae = pae(payload_type, payload);
    let (a, b) = (key.sign(&pae), key.sign_again(&pae));
    assert_ne!(a, b, "two different signatures");
    let envelope = serde_json::json!({
        "payload": STANDARD.encode(payload),
        "payloadType": payload_type,
        "signatures": [{"sig": STANDARD.encode(a)}, {"sig": STANDARD.encode(b)}],
    });
    serde_json::to_string_pretty(&envelope).expect("JSON values serialize") + "\n"
}
