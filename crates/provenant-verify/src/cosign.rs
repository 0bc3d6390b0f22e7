//! `cosign sign-blob --key` detached signatures.

use crate::verified::Verified;
use provenant_formats::dsse::decode_base64;
use provenant_model::{Check, CheckCode, Digest, EvidenceRef};

use crate::keys::PublicKey;

/// Verify a detached blob signature (base64, as cosign writes it, or raw DER bytes) over an
/// artifact known by its digests, with any of the trusted keys.
pub fn verify_blob_signature(
    sig_file: &[u8],
    artifact: &[Digest],
    keys: &[PublicKey],
    evidence: &EvidenceRef,
) -> (Vec<Check>, Option<Verified<usize>>) {
    let ev = || vec![evidence.clone()];
    let text = String::from_utf8_lossy(sig_file);
    let sig = decode_base64(text.trim()).unwrap_or_else(|| sig_file.to_vec());
    if sig.is_empty() {
        return (
            vec![Check::fail(
                CheckCode::SignatureInvalid,
                "signature file is empty",
                ev(),
            )],
            None,
        );
    }
    for (i, key) in keys.iter().enumerate() {
        if !key.supports_prehashed() {
            continue;
        }
        for d in artifact {
            if key.verifies_prehashed(d.algorithm(), &d.to_bytes(), &sig) {
                return (
                    vec![
                        Check::pass(
                            CheckCode::SignatureValid,
                            format!("signature verified with {}", key.location()),
                            ev(),
                        ),
                        Check::pass(
                            CheckCode::ArtifactDigestMatches,
                            format!("the signature covers {d}"),
                            ev(),
                        ),
                    ],
                    Some(Verified::new(i)),
                );
            }
        }
    }
    let mut checks = Vec::new();
    if keys.iter().all(|k| !k.supports_prehashed()) {
        checks.push(Check::fail(
            CheckCode::KeyUnsupported,
            "Ed25519 keys sign whole messages; a detached blob signature needs an ECDSA or RSA key",
            ev(),
        ));
    } else {
        checks.push(Check::fail(
            CheckCode::SignatureInvalid,
            format!(
                "the signature does not verify over the artifact with any of the {} trusted key(s)",
                keys.len()
            ),
            ev(),
        ));
    }
    (checks, None)
}
