//! Public keys given by the user (PEM, PKIX SubjectPublicKeyInfo) and the schemes they verify.

use sigstore_verify::crypto::{KeyAlgorithm, SigningScheme, VerificationKey};
use sigstore_verify::types::{DerPublicKey, SignatureBytes};

use provenant_model::DigestAlgorithm;

/// Why a key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Not a PEM `PUBLIC KEY` block.
    #[error("{location}: not a PEM public key (expected -----BEGIN PUBLIC KEY-----): {detail}")]
    NotPem {
        /// The key's path or name.
        location: String,
        /// The decoder's complaint.
        detail: String,
    },
    /// A key algorithm provenant does not verify with.
    #[error("{location}: unsupported key: {detail}; use ECDSA P-256/P-384, Ed25519 or RSA (2048-8192 bits)")]
    Unsupported {
        /// The key's path or name.
        location: String,
        /// What is wrong.
        detail: String,
    },
}

/// A trusted public key.
#[derive(Debug, Clone)]
pub struct PublicKey {
    der: DerPublicKey,
    algorithm: KeyAlgorithm,
    location: String,
}

impl PublicKey {
    /// Parse a PEM public key; `location` names it in errors and reports.
    pub fn from_pem(pem: &str, location: &str) -> Result<Self, KeyError> {
        let der = DerPublicKey::from_pem(pem).map_err(|e| KeyError::NotPem {
            location: location.to_owned(),
            detail: provenant_formats::bundle::one_line(&e.to_string()),
        })?;
        let algorithm = KeyAlgorithm::from_spki(&der).map_err(|e| KeyError::Unsupported {
            location: location.to_owned(),
            detail: provenant_formats::bundle::one_line(&e.to_string()),
        })?;
        let key = Self {
            der,
            algorithm,
            location: location.to_owned(),
        };
        // Reject keys no scheme can load (e.g. RSA below 2048 bits) now, not at verification.
        if key.verification_keys().is_empty() {
            return Err(KeyError::Unsupported {
                location: location.to_owned(),
                detail: format!("{algorithm:?} key could not be loaded"),
            });
        }
        Ok(key)
    }

    /// Where the key came from.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn der(&self) -> &DerPublicKey {
        &self.der
    }

    /// A short algorithm name for reports.
    pub fn algorithm_name(&self) -> &'static str {
        match self.algorithm {
            KeyAlgorithm::EcdsaP256 => "ecdsa-p256",
            KeyAlgorithm::EcdsaP384 => "ecdsa-p384",
            KeyAlgorithm::Ed25519 => "ed25519",
            KeyAlgorithm::Rsa => "rsa",
            _ => "other",
        }
    }

    /// The schemes a signature by this key may use, most common first.
    fn schemes(&self) -> &'static [SigningScheme] {
        use SigningScheme as S;
        match self.algorithm {
            KeyAlgorithm::EcdsaP256 => &[S::EcdsaP256Sha256, S::EcdsaP256Sha384],
            KeyAlgorithm::EcdsaP384 => &[S::EcdsaP384Sha384, S::EcdsaP384Sha256],
            KeyAlgorithm::Ed25519 => &[S::Ed25519],
            KeyAlgorithm::Rsa => &[
                S::RsaPkcs1Sha256,
                S::RsaPssSha256,
                S::RsaPkcs1Sha384,
                S::RsaPssSha384,
                S::RsaPkcs1Sha512,
                S::RsaPssSha512,
            ],
            _ => &[],
        }
    }

    fn verification_keys(&self) -> Vec<VerificationKey> {
        self.schemes()
            .iter()
            .filter_map(|s| VerificationKey::from_spki_with_scheme(&self.der, *s).ok())
            .collect()
    }

    /// Whether `sig` is this key's signature over `message` under any scheme the key supports.
    ///
    /// ECDSA signatures are accepted in ASN.1 DER and, as some signers (Google KMS-backed VSAs)
    /// write them, in the fixed-size `r || s` form of IEEE P1363.
    pub fn verifies(&self, message: &[u8], sig: &[u8]) -> bool {
        let der = self.p1363_to_der(sig);
        let sigs: Vec<SignatureBytes> = std::iter::once(SignatureBytes::from_bytes(sig))
            .chain(der.map(|d| SignatureBytes::from_bytes(&d)))
            .collect();
        self.verification_keys()
            .iter()
            .any(|k| sigs.iter().any(|s| k.verify(message, s).is_ok()))
    }

    /// `r || s` -> DER `SEQUENCE { INTEGER r, INTEGER s }`, for ECDSA keys and exact sizes only.
    fn p1363_to_der(&self, sig: &[u8]) -> Option<Vec<u8>> {
        let n = match self.algorithm {
            KeyAlgorithm::EcdsaP256 => 32,
            KeyAlgorithm::EcdsaP384 => 48,
            _ => return None,
        };
        if sig.len() != 2 * n {
            return None;
        }
        let int = |b: &[u8]| {
            let b = &b[b.iter().position(|x| *x != 0).unwrap_or(b.len() - 1)..];
            let mut v = vec![0x02];
            if b[0] & 0x80 != 0 {
                v.push(u8::try_from(b.len() + 1).ok()?);
                v.push(0);
            } else {
                v.push(u8::try_from(b.len()).ok()?);
            }
            v.extend_from_slice(b);
            Some(v)
        };
        let (r, s) = (int(&sig[..n])?, int(&sig[n..])?);
        let mut out = vec![0x30, u8::try_from(r.len() + s.len()).ok()?];
        out.extend(r);
        out.extend(s);
        Some(out)
    }

    /// Whether `sig` verifies over a precomputed digest (ECDSA and RSA only; Ed25519 signs whole
    /// messages and cannot).
    pub fn verifies_prehashed(
        &self,
        algorithm: DigestAlgorithm,
        digest: &[u8],
        sig: &[u8],
    ) -> bool {
        let sig = SignatureBytes::from_bytes(sig);
        self.verification_keys().iter().any(|k| {
            let alg = k.scheme().hash_algorithm().map(crate::sigstore::model_alg);
            alg == Some(algorithm) && k.verify_prehashed(digest, &sig).is_ok()
        })
    }

    /// The digests a detached signature by this key may be over.
    pub fn prehash_algorithms(&self) -> Vec<DigestAlgorithm> {
        let mut algs: Vec<DigestAlgorithm> = self
            .schemes()
            .iter()
            .filter_map(|s| s.hash_algorithm().map(crate::sigstore::model_alg))
            .collect();
        algs.sort();
        algs.dedup();
        algs
    }

    /// Whether the key can verify a signature given only a digest.
    pub fn supports_prehashed(&self) -> bool {
        self.algorithm != KeyAlgorithm::Ed25519
    }
}
