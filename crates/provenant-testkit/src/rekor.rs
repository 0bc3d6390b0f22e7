//! Rekor-like transparency logs: RFC 6962 Merkle trees, signed-note checkpoints, SETs and entry bodies.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::keys::{certificate_pem, KeyPair};
use crate::spec::LogKind;

/// Entries logged before the minted one, so that inclusion proofs have several levels.
const FILLERS_BEFORE: u64 = 6;
/// Entries logged after the minted one (a tree size that is not a power of two).
const FILLERS_AFTER: u64 = 4;

/// A transparency log instance: its key, origin and how its log ID is derived.
#[derive(Clone)]
pub(crate) struct Log {
    pub(crate) kind: LogKind,
    pub(crate) key: KeyPair,
    /// The checkpoint's first line.
    pub(crate) origin: String,
    /// The name on the checkpoint's signature line.
    signer_name: String,
    pub(crate) base_url: String,
}

impl Log {
    /// A Rekor v1 log: ECDSA P-256, log ID = SHA-256 of the SPKI, origin `<host> - <tree id>`.
    pub(crate) fn v1(seed: u64, label: &str, host: &str, tree_id: u64) -> Self {
        Log {
            kind: LogKind::RekorV1,
            key: KeyPair::p256_labelled(seed, label),
            origin: format!("{host} - {tree_id}"),
            signer_name: host.to_string(),
            base_url: format!("https://{host}"),
        }
    }

    /// A Rekor v2 log: Ed25519, log ID = the signed-note key ID `SHA-256(name \n 0x01 key)`.
    pub(crate) fn v2(seed: u64, label: &str, host: &str) -> Self {
        Log {
            kind: LogKind::RekorV2,
            key: KeyPair::ed25519_labelled(seed, label),
            origin: host.to_string(),
            signer_name: host.to_string(),
            base_url: format!("https://{host}"),
        }
    }

    pub(crate) fn log_id(&self) -> [u8; 32] {
        match self.kind {
            LogKind::RekorV1 => Sha256::digest(self.key.public_key_der()).into(),
            LogKind::RekorV2 => {
                let mut hasher = Sha256::new();
                hasher.update(self.signer_name.as_bytes());
                hasher.update(b"\n\x01");
                hasher.update(self.key.ed25519_public_bytes());
                hasher.finalize().into()
            }
        }
    }

    /// The `keyDetails` of this log's key in a trusted root.
    pub(crate) fn key_details(&self) -> &'static str {
        match self.kind {
            LogKind::RekorV1 => "PKIX_ECDSA_P256_SHA_256",
            LogKind::RekorV2 => "PKIX_ED25519",
        }
    }

    /// A signed-note checkpoint for a tree of `size` leaves with root `root`.
    pub(crate) fn checkpoint(&self, size: u64, root: &[u8; 32]) -> String {
        let body = checkpoint_body(&self.origin, size, root);
        self.checkpoint_signed_over(&body, &body)
    }

    /// A checkpoint whose text is `body` but whose signature covers `signed`.
    pub(crate) fn checkpoint_signed_over(&self, body: &str, signed: &str) -> String {
        let mut key_and_signature = self.log_id()[..4].to_vec();
        key_and_signature.extend_from_slice(&self.key.sign(signed.as_bytes()));
        format!(
            "{body}\n\u{2014} {} {}\n",
            self.signer_name,
            STANDARD.encode(key_and_signature)
        )
    }

    /// The Signed Entry Timestamp: a signature over the canonical JSON of the entry's metadata.
    pub(crate) fn signed_entry_timestamp(
        &self,
        body: &[u8],
        integrated_time: i64,
        log_index: u64,
    ) -> Vec<u8> {
        let payload = format!(
            r#"{{"body":"{}","integratedTime":{},"logID":"{}","logIndex":{}}}"#,
            STANDARD.encode(body),
            integrated_time,
            hex::encode(self.log_id()),
            log_index
        );
        self.key.sign(payload.as_bytes())
    }
}

pub(crate) fn checkpoint_body(origin: &str, size: u64, root: &[u8; 32]) -> String {
    format!("{origin}\n{size}\n{}\n", STANDARD.encode(root))
}

/// Where an entry sits in the log, and the proof that it does.
#[derive(Clone, Debug)]
pub(crate) struct Inclusion {
    pub(crate) log_index: u64,
    pub(crate) tree_size: u64,
    pub(crate) root: [u8; 32],
    pub(crate) hashes: Vec<[u8; 32]>,
}

/// Log `body` between filler entries and prove its inclusion.
pub(crate) fn include(body: &[u8]) -> Inclusion {
    let fillers = |range: std::ops::Range<u64>| {
        range.map(|n| {
            leaf_hash(
                format!(r#"{{"apiVersion":"0.0.1","kind":"filler","spec":{{"n":{n}}}}}"#)
                    .as_bytes(),
            )
        })
    };
    let leaves: Vec<[u8; 32]> = fillers(0..FILLERS_BEFORE)
        .chain(std::iter::once(leaf_hash(body)))
        .chain(fillers(
            FILLERS_BEFORE + 1..FILLERS_BEFORE + 1 + FILLERS_AFTER,
        ))
        .collect();
    let index = usize::try_from(FILLERS_BEFORE).expect("small");
    Inclusion {
        log_index: FILLERS_BEFORE,
        tree_size: leaves.len() as u64,
        root: tree_hash(&leaves),
        hashes: audit_path(index, &leaves),
    }
}

fn leaf_hash(data: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(data);
    hasher.finalize().into()
}

fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The largest power of two smaller than `n` (n > 1).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 6962 §2.1 MTH over already leaf-hashed entries.
fn tree_hash(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&tree_hash(&leaves[..k]), &tree_hash(&leaves[k..]))
        }
    }
}

/// RFC 6962 §2.1.1 PATH(m, D[n]), leaf-side sibling first.
fn audit_path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = split(n);
    if m < k {
        let mut path = audit_path(m, &leaves[..k]);
        path.push(tree_hash(&leaves[k..]));
        path
    } else {
        let mut path = audit_path(m - k, &leaves[k..]);
        path.push(tree_hash(&leaves[..k]));
        path
    }
}

/// A `hashedrekord/0.0.1` body: artifact SHA-256 (hex), signature and PEM certificate.
pub(crate) fn hashedrekord_v001(digest: &[u8; 32], signature: &[u8], cert_der: &[u8]) -> Vec<u8> {
    canonical(&json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": { "hash": { "algorithm": "sha256", "value": hex::encode(digest) } },
            "signature": {
                "content": STANDARD.encode(signature),
                "publicKey": { "content": STANDARD.encode(certificate_pem(cert_der)) },
            },
        },
    }))
}

/// A `dsse/0.0.1` body: envelope and payload SHA-256 (hex), and the signature with its PEM verifier.
pub(crate) fn dsse_v001(
    envelope_json: &[u8],
    payload: &[u8],
    signature: &[u8],
    cert_der: &[u8],
) -> Vec<u8> {
    canonical(&json!({
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": { "algorithm": "sha256", "value": hex::encode(Sha256::digest(envelope_json)) },
            "payloadHash": { "algorithm": "sha256", "value": hex::encode(Sha256::digest(payload)) },
            "signatures": [{
                "signature": STANDARD.encode(signature),
                "verifier": STANDARD.encode(certificate_pem(cert_der)),
            }],
        },
    }))
}

/// A `hashedrekord/0.0.2` body: digest (base64), signature and DER certificate verifier.
pub(crate) fn hashedrekord_v002(digest: &[u8; 32], signature: &[u8], cert_der: &[u8]) -> Vec<u8> {
    canonical(&json!({
        "apiVersion": "0.0.2",
        "kind": "hashedrekord",
        "spec": {
            "hashedRekordV002": {
                "data": { "algorithm": "SHA2_256", "digest": STANDARD.encode(digest) },
                "signature": {
                    "content": STANDARD.encode(signature),
                    "verifier": {
                        "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                        "x509Certificate": { "rawBytes": STANDARD.encode(cert_der) },
                    },
                },
            },
        },
    }))
}

/// Compact JSON with keys in the (already sorted) order written: the bodies above are canonical.
fn canonical(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("JSON values serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Verify an audit path the way RFC 9162 §2.1.3.2 does, independently of how it was built.
    fn root_from_path(mut index: u64, size: u64, leaf: [u8; 32], path: &[[u8; 32]]) -> [u8; 32] {
        let mut last = size - 1;
        let mut hash = leaf;
        for sibling in path {
            if index % 2 == 1 || index == last {
                hash = node_hash(sibling, &hash);
                while index.is_multiple_of(2) && index != 0 {
                    index >>= 1;
                    last >>= 1;
                }
            } else {
                hash = node_hash(&hash, sibling);
            }
            index >>= 1;
            last >>= 1;
        }
        hash
    }

    #[test]
    fn audit_paths_reproduce_the_root_for_every_leaf_and_size() {
        for size in 1..20usize {
            let leaves: Vec<[u8; 32]> = (0..size).map(|n| leaf_hash(&[n as u8])).collect();
            let root = tree_hash(&leaves);
            for (index, leaf) in leaves.iter().enumerate() {
                let path = audit_path(index, &leaves);
                assert_eq!(
                    root_from_path(index as u64, size as u64, *leaf, &path),
                    root,
                    "size {size} index {index}"
                );
            }
        }
    }

    #[test]
    fn minted_entries_have_a_multi_level_proof() {
        let inclusion = include(b"entry");
        assert_eq!(inclusion.tree_size, 11);
        assert_eq!(inclusion.hashes.len(), 4);
    }
}
