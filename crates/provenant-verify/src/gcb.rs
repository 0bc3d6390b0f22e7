//! Google Cloud Build provenance signatures: the signature's keyid names the key, and the key
//! decides what was signed (payload bytes for regional keys, DSSE PAE for global keys).

use crate::verified::Verified;
use std::path::Path;

use provenant_formats::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use provenant_formats::gcb::{parse_keyid, GcbKey};
use provenant_model::{Check, CheckCode, EvidenceRef};

use crate::keys::PublicKey;

/// Verify a GCB envelope with the given keys (matched to keyids by file stem, as
/// slsa-verifier names its key materials). Returns the checks and the index of the key that
/// made a valid signature. The keyid is binding: a valid signature under a keyid that names
/// another key does not count.
pub fn verify_gcb_envelope(
    env: &Envelope,
    keys: &[PublicKey],
    evidence: &EvidenceRef,
) -> (Vec<Check>, Option<Verified<Vec<usize>>>) {
    let ev = || vec![evidence.clone()];
    if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return (
            vec![Check::fail(
                CheckCode::PayloadTypeUnexpected,
                format!(
                    "GCB provenance payloadType is {:?}, not {IN_TOTO_PAYLOAD_TYPE}",
                    env.payload_type
                ),
                ev(),
            )],
            None,
        );
    }
    let stem = |k: &PublicKey| {
        Path::new(k.location())
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
    };
    let mut problems = Vec::new();
    for (n, sig) in env.signatures.iter().enumerate() {
        let Some(keyid) = sig.keyid.as_deref() else {
            problems.push(format!("signature {} has no keyid", n + 1));
            continue;
        };
        let Some(which) = parse_keyid(keyid) else {
            problems.push(format!(
                "signature {}: keyid {keyid:?} names no Cloud Build provenance key",
                n + 1
            ));
            continue;
        };
        let Some(i) = keys
            .iter()
            .position(|k| stem(k).as_deref() == Some(which.file_stem()))
        else {
            problems.push(format!(
                "signature {}: no key {:?} given (--key .../{}.key)",
                n + 1,
                which.file_stem(),
                which.file_stem()
            ));
            continue;
        };
        let ok = match &which {
            GcbKey::Regional(_) => keys[i].verifies(&env.payload, &sig.sig),
            GcbKey::GlobalPae(_) => keys[i].verifies(&env.pae(), &sig.sig),
        };
        if ok {
            return (
                vec![Check::pass(
                    CheckCode::SignatureValid,
                    format!(
                        "Cloud Build provenance signature verified with {} (keyid {keyid})",
                        keys[i].location()
                    ),
                    ev(),
                )],
                Some(Verified::new(vec![i])),
            );
        }
        problems.push(format!(
            "signature {} does not verify with {}",
            n + 1,
            keys[i].location()
        ));
    }
    (
        vec![Check::fail(
            CheckCode::SignatureInvalid,
            format!(
                "no valid Cloud Build provenance signature: {}",
                problems.join("; ")
            ),
            ev(),
        )],
        None,
    )
}
