//! Key-based DSSE envelopes: signatures over the pre-authentication encoding, with thresholds.

use crate::verified::Verified;
use provenant_formats::dsse::Envelope;
use provenant_model::{Check, CheckCode, EvidenceRef};

use crate::keys::PublicKey;

/// Verify a DSSE envelope against trusted keys.
///
/// Passes only if at least `threshold` *distinct* trusted keys each made a valid signature over
/// PAE(payloadType, payload). Key ids in the envelope are hints and are never trusted: every
/// signature is tried against every key. Returns the checks and, when the envelope verified,
/// the indices (into `keys`) of the keys that signed.
pub fn verify_envelope(
    envelope: &Envelope,
    keys: &[PublicKey],
    threshold: usize,
    evidence: &EvidenceRef,
) -> (Vec<Check>, Option<Verified<Vec<usize>>>) {
    let threshold = threshold.max(1);
    let pae = envelope.pae();
    // The same key given twice (two files, or two encodings of one key: RSA parameters NULL or
    // absent, an EC point compressed or not) must count once toward the threshold: keys are
    // told apart by their key material, never by their bytes.
    let distinct: Vec<usize> = (0..keys.len())
        .filter(|&i| !keys[..i].iter().any(|k| k.material() == keys[i].material()))
        .collect();
    let mut signed_by: Vec<usize> = Vec::new();
    // Each signature counts once: a repeated signature is the same signature.
    let mut seen: Vec<&[u8]> = Vec::new();
    for sig in &envelope.signatures {
        if seen.contains(&sig.sig.as_slice()) {
            continue;
        }
        seen.push(&sig.sig);
        for &i in &distinct {
            let key = &keys[i];
            if !signed_by.contains(&i) && key.verifies(&pae, &sig.sig) {
                signed_by.push(i);
                break;
            }
        }
    }
    let ev = || vec![evidence.clone()];
    let names: Vec<&str> = signed_by.iter().map(|i| keys[*i].location()).collect();
    let mut checks = Vec::new();
    if signed_by.is_empty() {
        checks.push(Check::fail(
            CheckCode::SignatureInvalid,
            format!(
                "none of the envelope's {} signature(s) verifies with the {} trusted key(s)",
                envelope.signatures.len(),
                keys.len()
            ),
            ev(),
        ));
        return (checks, None);
    }
    checks.push(Check::pass(
        CheckCode::SignatureValid,
        format!("DSSE signature verified with {}", names.join(", ")),
        ev(),
    ));
    if signed_by.len() >= threshold {
        if threshold > 1 {
            checks.push(Check::pass(
                CheckCode::SignatureThresholdMet,
                format!(
                    "{} distinct trusted keys signed (threshold {threshold})",
                    signed_by.len()
                ),
                ev(),
            ));
        }
        (checks, Some(Verified::new(signed_by)))
    } else {
        checks.push(Check::fail(
            CheckCode::SignatureThresholdNotMet,
            format!(
                "{} distinct trusted key(s) signed; threshold is {threshold}",
                signed_by.len()
            ),
            ev(),
        ));
        (checks, None)
    }
}
