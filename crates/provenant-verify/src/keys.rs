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

/// A public key reduced to its key material, whatever its encoding: the same RSA key with
/// AlgorithmIdentifier parameters NULL or absent, or an EC point compressed or not, is one
/// `KeyMaterial`. Thresholds count these, never encodings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyMaterial {
    /// An EC key: the curve's OID and the point, uncompressed (SEC1 `04 || x || y`).
    Ec {
        /// The named curve's OID (dotted).
        curve: String,
        /// The uncompressed point.
        point: Vec<u8>,
    },
    /// An RSA key: modulus and public exponent, big-endian without leading zeros.
    Rsa {
        /// The modulus.
        n: Vec<u8>,
        /// The public exponent.
        e: Vec<u8>,
    },
    /// An Ed25519 key: its 32 bytes.
    Ed25519(Vec<u8>),
}

/// Why a SubjectPublicKeyInfo has no key material provenant can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a usable public key: {0}")]
pub struct KeyMaterialError(&'static str);

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
const OID_ED25519: &str = "1.3.101.112";

/// DER SubjectPublicKeyInfo header of a P-256 key (id-ecPublicKey, prime256v1), before the
/// 65-byte uncompressed point.
const EC_P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// DER SubjectPublicKeyInfo header of a P-384 key (id-ecPublicKey, secp384r1), before the
/// 97-byte uncompressed point.
const EC_P384_SPKI_PREFIX: [u8; 23] = [
    0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b,
    0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
];

impl KeyMaterial {
    /// The key material of a DER SubjectPublicKeyInfo.
    pub fn from_spki(spki_der: &[u8]) -> Result<Self, KeyMaterialError> {
        use x509_cert::der::{Decode, Reader as _};
        use x509_cert::spki::SubjectPublicKeyInfoRef;
        let spki = SubjectPublicKeyInfoRef::from_der(spki_der)
            .map_err(|_| KeyMaterialError("not a DER SubjectPublicKeyInfo"))?;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or(KeyMaterialError("the key BIT STRING has unused bits"))?;
        match spki.algorithm.oid.to_string().as_str() {
            OID_EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters_oid()
                    .map_err(|_| KeyMaterialError("an EC key without a named curve"))?
                    .to_string();
                let point = match curve.as_str() {
                    OID_P256 => {
                        use p256::elliptic_curve::sec1::ToEncodedPoint;
                        p256::PublicKey::from_sec1_bytes(bits)
                            .map_err(|_| KeyMaterialError("not a P-256 point"))?
                            .to_encoded_point(false)
                            .as_bytes()
                            .to_vec()
                    }
                    OID_P384 => {
                        use p384::elliptic_curve::sec1::ToEncodedPoint;
                        p384::PublicKey::from_sec1_bytes(bits)
                            .map_err(|_| KeyMaterialError("not a P-384 point"))?
                            .to_encoded_point(false)
                            .as_bytes()
                            .to_vec()
                    }
                    _ => return Err(KeyMaterialError("an EC curve other than P-256 or P-384")),
                };
                Ok(Self::Ec { curve, point })
            }
            OID_RSA | OID_RSA_PSS => {
                let mut r = x509_cert::der::SliceReader::new(bits)
                    .map_err(|_| KeyMaterialError("not an RSAPublicKey"))?;
                let (n, e) = r
                    .sequence(|seq| {
                        let n = x509_cert::der::asn1::UintRef::decode(seq)?;
                        let e = x509_cert::der::asn1::UintRef::decode(seq)?;
                        Ok((n.as_bytes().to_vec(), e.as_bytes().to_vec()))
                    })
                    .map_err(|_| KeyMaterialError("not an RSAPublicKey"))?;
                r.finish(())
                    .map_err(|_| KeyMaterialError("bytes after the RSAPublicKey"))?;
                Ok(Self::Rsa { n, e })
            }
            OID_ED25519 if bits.len() == 32 => Ok(Self::Ed25519(bits.to_vec())),
            OID_ED25519 => Err(KeyMaterialError("an Ed25519 key is 32 bytes")),
            _ => Err(KeyMaterialError("an unsupported key algorithm")),
        }
    }

    /// A stable name for the key material: sha256 (hex) over a canonical, length-prefixed
    /// encoding of it. Equal for every encoding of one key.
    pub fn fingerprint(&self) -> String {
        let mut buf = Vec::new();
        let mut field = |b: &[u8]| {
            buf.extend_from_slice(&u32::try_from(b.len()).unwrap_or(u32::MAX).to_be_bytes());
            buf.extend_from_slice(b);
        };
        match self {
            Self::Ec { curve, point } => {
                field(b"ec");
                field(curve.as_bytes());
                field(point);
            }
            Self::Rsa { n, e } => {
                field(b"rsa");
                field(n);
                field(e);
            }
            Self::Ed25519(k) => {
                field(b"ed25519");
                field(k);
            }
        }
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &buf);
        d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A trusted public key.
#[derive(Debug, Clone)]
pub struct PublicKey {
    der: DerPublicKey,
    algorithm: KeyAlgorithm,
    material: KeyMaterial,
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
        let material =
            KeyMaterial::from_spki(der.as_bytes()).map_err(|e| KeyError::Unsupported {
                location: location.to_owned(),
                detail: e.to_string(),
            })?;
        // An EC key is verified through its uncompressed encoding, whichever one was given.
        let der = match &material {
            KeyMaterial::Ec { curve, point } => {
                let prefix: &[u8] = match curve.as_str() {
                    OID_P256 => &EC_P256_SPKI_PREFIX,
                    _ => &EC_P384_SPKI_PREFIX,
                };
                DerPublicKey::new([prefix, point].concat())
            }
            _ => der,
        };
        let key = Self {
            der,
            algorithm,
            material,
            location: location.to_owned(),
        };
        // Reject keys no scheme can load (e.g. RSA below 2048 bits) now, not at verification.
        if key.verification_keys().is_empty() {
            return Err(KeyError::Unsupported {
                location: location.to_owned(),
                detail: format!("{} key could not be loaded", key.algorithm_name()),
            });
        }
        Ok(key)
    }

    /// Where the key came from.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The DER SubjectPublicKeyInfo (for an EC key, with its point uncompressed).
    pub fn der(&self) -> &DerPublicKey {
        &self.der
    }

    /// The key material: what makes two keys the same key, whatever their encodings.
    pub fn material(&self) -> &KeyMaterial {
        &self.material
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
