//! cosign's registry signature formats, turned into Sigstore bundles.
//!
//! cosign (before its bundle format) stores a keyless signature as an OCI layer plus
//! annotations: the base64 signature, the PEM certificate and chain, and a "Rekor bundle" (the
//! log's signed entry timestamp over the entry). That is the same evidence a v0.1 Sigstore bundle
//! holds, so it is rewritten into one and verified by the same code: the certificate chain
//! against the trusted Fulcio roots, the signed entry timestamp against the trusted Rekor keys,
//! and the log entry's body against the signature and content.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::bundle::{bundle_from_value, BundleError, ParsedBundle};
use crate::json::parse_strict;
use crate::oci::{
    ANN_COSIGN_BUNDLE, ANN_COSIGN_CERTIFICATE, ANN_COSIGN_CHAIN, ANN_COSIGN_SIGNATURE,
};

pub use crate::limits::MAX_PEM_CERTIFICATES;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// What the cosign layer signs.
#[derive(Debug, Clone, Copy)]
pub enum LegacyContent<'a> {
    /// `.sig`: a signature over the simple-signing payload (the layer blob), known here by its
    /// SHA-256 (computed by the caller; the verifier checks the signature over it).
    Payload {
        /// SHA-256 of the payload.
        sha256: &'a [u8; 32],
    },
    /// `.att`: the layer is a DSSE envelope (JSON).
    Envelope(&'a [u8]),
}

/// Why cosign annotations could not become a bundle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CosignError {
    /// An annotation is malformed.
    #[error("cosign annotation {annotation}: {detail}")]
    Annotation {
        /// Which annotation.
        annotation: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A certificate annotation is not a PEM list of certificates.
    #[error("cosign annotation {annotation}: {source}")]
    Pem {
        /// Which annotation.
        annotation: &'static str,
        /// What is wrong with its PEM text.
        #[source]
        source: PemError,
    },
    /// The signature annotation is not base64.
    #[error("cosign annotation {annotation}: not base64: {source}")]
    Base64 {
        /// Which annotation.
        annotation: &'static str,
        /// The decoder's complaint.
        #[source]
        source: base64::DecodeError,
    },
    /// The Rekor bundle annotation is not strict JSON.
    #[error("cosign annotation {annotation}: {source}")]
    Json {
        /// Which annotation.
        annotation: &'static str,
        /// The strict parser's complaint.
        #[source]
        source: crate::json::JsonError,
    },
    /// The rewritten bundle was refused.
    #[error("{0}")]
    Bundle(#[from] BundleError),
}

fn ann_err(annotation: &'static str, detail: impl Into<String>) -> CosignError {
    CosignError::Annotation {
        annotation,
        detail: detail.into(),
    }
}

/// Why a PEM text is not a list of certificates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PemError {
    /// A line where a `BEGIN CERTIFICATE` line must stand (the line as found).
    #[error("expected -----BEGIN CERTIFICATE-----, found {found:.60?}")]
    NotACertificate {
        /// The line as found.
        found: String,
    },
    /// The text ends inside a certificate block.
    #[error("a certificate block is not closed with -----END CERTIFICATE-----")]
    Unclosed,
    /// A block's body is not base64.
    #[error("certificate is not base64: {0}")]
    Base64(#[source] base64::DecodeError),
    /// More than [`MAX_PEM_CERTIFICATES`] blocks.
    #[error("more than {limit} certificates")]
    TooMany {
        /// The limit.
        limit: usize,
    },
    /// No block at all.
    #[error("no certificate")]
    Empty,
}

/// The DER certificates in a PEM text, in order. Strict: only CERTIFICATE blocks, valid base64.
pub fn pem_certificates(pem: &str) -> Result<Vec<Vec<u8>>, PemError> {
    let mut out = Vec::new();
    let mut lines = pem.lines().map(str::trim).filter(|l| !l.is_empty());
    while let Some(line) = lines.next() {
        if line != "-----BEGIN CERTIFICATE-----" {
            return Err(PemError::NotACertificate {
                found: line.to_owned(),
            });
        }
        let mut b64 = String::new();
        loop {
            let l = lines.next().ok_or(PemError::Unclosed)?;
            if l == "-----END CERTIFICATE-----" {
                break;
            }
            b64.push_str(l);
        }
        let der = B64.decode(b64.as_bytes()).map_err(PemError::Base64)?;
        out.push(der);
        if out.len() > MAX_PEM_CERTIFICATES {
            return Err(PemError::TooMany {
                limit: MAX_PEM_CERTIFICATES,
            });
        }
    }
    if out.is_empty() {
        return Err(PemError::Empty);
    }
    Ok(out)
}

/// The keyless evidence of a cosign layer as a v0.1 Sigstore bundle, or `Ok(None)` when the
/// layer carries no certificate (a key-based signature).
///
/// With a certificate but no Rekor bundle annotation, the bundle has no log entry and will fail
/// verification (its signing time cannot be established): it is still returned, so the failure
/// has its own reason.
pub fn legacy_bundle(
    content: LegacyContent<'_>,
    annotations: &std::collections::BTreeMap<String, String>,
) -> Result<Option<ParsedBundle>, CosignError> {
    let Some(cert_pem) = annotations
        .get(ANN_COSIGN_CERTIFICATE)
        .filter(|s| !s.trim().is_empty())
    else {
        return Ok(None);
    };
    let mut certs = pem_certificates(cert_pem).map_err(|source| CosignError::Pem {
        annotation: ANN_COSIGN_CERTIFICATE,
        source,
    })?;
    if certs.len() != 1 {
        return Err(ann_err(
            ANN_COSIGN_CERTIFICATE,
            format!(
                "holds {} certificates; the signing certificate alone is expected",
                certs.len()
            ),
        ));
    }
    if let Some(chain) = annotations
        .get(ANN_COSIGN_CHAIN)
        .filter(|s| !s.trim().is_empty())
    {
        certs.extend(pem_certificates(chain).map_err(|source| CosignError::Pem {
            annotation: ANN_COSIGN_CHAIN,
            source,
        })?);
    }
    let tlog = match annotations
        .get(ANN_COSIGN_BUNDLE)
        .filter(|s| !s.trim().is_empty())
    {
        Some(b) => vec![rekor_entry(b)?],
        None => vec![],
    };
    let mut bundle = json!({
        "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "verificationMaterial": {
            "x509CertificateChain": {
                "certificates": certs.iter().map(|c| json!({"rawBytes": B64.encode(c)})).collect::<Vec<_>>(),
            },
            "tlogEntries": tlog,
        },
    });
    match content {
        LegacyContent::Payload { sha256 } => {
            let sig = annotations
                .get(ANN_COSIGN_SIGNATURE)
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| ann_err(ANN_COSIGN_SIGNATURE, "missing or empty"))?;
            B64.decode(sig).map_err(|source| CosignError::Base64 {
                annotation: ANN_COSIGN_SIGNATURE,
                source,
            })?;
            bundle["messageSignature"] = json!({
                "messageDigest": {"algorithm": "SHA2_256", "digest": B64.encode(sha256)},
                "signature": sig,
            });
        }
        LegacyContent::Envelope(bytes) => {
            let env = parse_strict(bytes).map_err(|e| CosignError::Bundle(BundleError::from(e)))?;
            bundle["dsseEnvelope"] = env;
        }
    }
    let bytes = serde_json::to_vec(&bundle).unwrap_or_default();
    Ok(Some(bundle_from_value(&bundle, &bytes)?))
}

/// cosign's Rekor bundle annotation as a v0.1 transparency-log entry.
fn rekor_entry(annotation: &str) -> Result<Value, CosignError> {
    let a = ANN_COSIGN_BUNDLE;
    let v = parse_strict(annotation.as_bytes()).map_err(|source| CosignError::Json {
        annotation: a,
        source,
    })?;
    let set = v
        .get("SignedEntryTimestamp")
        .and_then(Value::as_str)
        .ok_or_else(|| ann_err(a, "no SignedEntryTimestamp"))?;
    let p = v.get("Payload").ok_or_else(|| ann_err(a, "no Payload"))?;
    let body = p
        .get("body")
        .and_then(Value::as_str)
        .ok_or_else(|| ann_err(a, "no Payload.body"))?;
    let integrated = p
        .get("integratedTime")
        .and_then(Value::as_i64)
        .ok_or_else(|| ann_err(a, "no integer Payload.integratedTime"))?;
    let index = p
        .get("logIndex")
        .and_then(Value::as_i64)
        .ok_or_else(|| ann_err(a, "no integer Payload.logIndex"))?;
    let log_id = p
        .get("logID")
        .and_then(Value::as_str)
        .ok_or_else(|| ann_err(a, "no Payload.logID"))?;
    let log_id = hex_decode(log_id).ok_or_else(|| ann_err(a, "Payload.logID is not hex"))?;
    let body_json = B64
        .decode(body)
        .ok()
        .and_then(|b| parse_strict(&b).ok())
        .ok_or_else(|| ann_err(a, "Payload.body is not base64 JSON"))?;
    let kind = body_json
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let version = body_json
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind.is_empty() || version.is_empty() {
        return Err(ann_err(
            a,
            "the log entry body names no kind and apiVersion",
        ));
    }
    Ok(json!({
        "logIndex": index.to_string(),
        "logId": {"keyId": B64.encode(log_id)},
        "kindVersion": {"kind": kind, "version": version},
        "integratedTime": integrated.to_string(),
        "inclusionPromise": {"signedEntryTimestamp": set},
        "canonicalizedBody": body,
    }))
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() > 128 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_parsing() {
        assert!(pem_certificates("").is_err());
        assert!(
            pem_certificates("-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----").is_err()
        );
        let one = "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n";
        assert_eq!(pem_certificates(one).unwrap(), vec![vec![0, 1, 2]]);
        assert!(pem_certificates("-----BEGIN CERTIFICATE-----\nAAEC\n").is_err());
    }

    #[test]
    fn pem_errors_carry_what_was_found() {
        assert_eq!(pem_certificates(""), Err(PemError::Empty));
        assert_eq!(
            pem_certificates("-----BEGIN CERTIFICATE-----\nAAEC\n"),
            Err(PemError::Unclosed)
        );
        let e = pem_certificates("-----BEGIN PUBLIC KEY-----\n").unwrap_err();
        assert_eq!(
            e,
            PemError::NotACertificate {
                found: "-----BEGIN PUBLIC KEY-----".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "expected -----BEGIN CERTIFICATE-----, found \"-----BEGIN PUBLIC KEY-----\""
        );
        let e = pem_certificates("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----")
            .unwrap_err();
        assert!(matches!(e, PemError::Base64(_)), "{e:?}");
        assert!(e.to_string().starts_with("certificate is not base64: "));
    }

    #[test]
    fn key_based_layers_are_not_bundles() {
        let ann = std::collections::BTreeMap::from([(
            ANN_COSIGN_SIGNATURE.to_string(),
            "AA==".to_string(),
        )]);
        assert!(
            legacy_bundle(LegacyContent::Payload { sha256: &[0; 32] }, &ann)
                .unwrap()
                .is_none()
        );
    }
}
