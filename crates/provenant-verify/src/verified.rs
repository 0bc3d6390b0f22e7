//! The proof type: only this crate can say something was verified.

use provenant_formats::intoto::Statement;
use provenant_model::{EvidenceRef, SignerClaim};

/// A value whose signature verified. Only provenant-verify constructs one.
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
