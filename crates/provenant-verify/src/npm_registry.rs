//! The npm registry's attestation signing keys.
//!
//! npm signs each package's *publish attestation* with a registry key it publishes at
//! `https://registry.npmjs.org/-/npm/v1/keys` (slsa-verifier reads the same keys from Sigstore's
//! TUF repository). They are public keys, embedded here so that offline verification needs
//! nothing fetched. Each key's id is its OpenSSH-style fingerprint (`SHA256:` + unpadded base64
//! of the SHA-256 of the key in SSH wire format); a unit test recomputes every id from its key.

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;

use crate::keys::PublicKey;

/// One npm registry key.
#[derive(Debug, Clone)]
pub struct NpmRegistryKey {
    /// `SHA256:...` key id, as npm's bundles name it in `publicKey.hint`.
    pub keyid: &'static str,
    /// The key.
    pub key: PublicKey,
    /// When npm stopped signing with it (RFC 3339), if it did: a signature made after this
    /// time is not npm's.
    pub expires: Option<&'static str>,
}

impl NpmRegistryKey {
    /// Whether npm still signed with this key at `unix` seconds.
    pub fn in_use_at(&self, unix: i64) -> bool {
        match self.expires {
            None => true,
            Some(e) => e
                .parse::<jiff::Timestamp>()
                .is_ok_and(|e| unix < e.as_second()),
        }
    }
}

/// `(keyid, base64 DER SPKI, expires)` as npm publishes them.
const KEYS: &[(&str, &str, Option<&str>)] = &[
    (
        "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA",
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==",
        Some("2025-01-29T00:00:00Z"),
    ),
    (
        "SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U",
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEY6Ya7W++7aUPzvMTrezH6Ycx3c+HOKYCcNGybJZSCJq/fd7Qa8uuAKtdIkUQtQiEKERhAmE5lMMJhP8OkDOa2g==",
        None,
    ),
];

/// npm's registry keys, embedded.
pub fn npm_registry_keys() -> Vec<NpmRegistryKey> {
    KEYS.iter()
        .filter_map(|(keyid, b64, expires)| {
            let pem = format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n");
            let key = PublicKey::from_pem(&pem, &format!("npm registry key {keyid}")).ok()?;
            Some(NpmRegistryKey {
                keyid,
                key,
                expires: *expires,
            })
        })
        .collect()
}

/// The npm-style id of a P-256 key: its OpenSSH fingerprint, `SHA256:` + unpadded base64 of
/// SHA-256 over `string "ecdsa-sha2-nistp256" || string "nistp256" || string Q` (RFC 5656).
/// `None` for other key types (npm signs with P-256 only).
pub fn npm_keyid(key: &PublicKey) -> Option<String> {
    if key.algorithm_name() != "ecdsa-p256" {
        return None;
    }
    let der = key.der().as_bytes();
    // An uncompressed P-256 point is the last 65 bytes of the SPKI (0x04 || X || Y).
    let point = der.get(der.len().checked_sub(65)?..)?;
    if point.first() != Some(&0x04) {
        return None;
    }
    let mut wire = Vec::with_capacity(128);
    for part in [&b"ecdsa-sha2-nistp256"[..], b"nistp256", point] {
        wire.extend_from_slice(&u32::try_from(part.len()).ok()?.to_be_bytes());
        wire.extend_from_slice(part);
    }
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &wire);
    Some(format!("SHA256:{}", STANDARD_NO_PAD.encode(d.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_key_loads_and_its_id_is_its_digest() {
        let keys = npm_registry_keys();
        assert_eq!(keys.len(), KEYS.len());
        for k in &keys {
            assert_eq!(npm_keyid(&k.key).as_deref(), Some(k.keyid));
            if let Some(e) = k.expires {
                assert!(e.parse::<jiff::Timestamp>().is_ok());
                assert!(k.in_use_at(1_717_453_081)); // 2024-06-03
                assert!(!k.in_use_at(1_767_225_600)); // 2026-01-01
            }
        }
    }
}
