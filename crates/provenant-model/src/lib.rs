//! The provenant check model: what a verification run looked at and what it concluded.
//!
//! Everything here is plain data (serde, no I/O, no crypto). The JSON form of [`Report`] is the
//! public contract: `attestations/report.schema.json` describes it.
//!
//! ```
//! use provenant_model::{Check, CheckCode, EvidenceRef, Outcome, Verdict};
//!
//! let check = Check::fail(
//!     CheckCode::EvidenceMissing,
//!     "no bundle found beside app.tar.gz",
//!     vec![EvidenceRef::file("app.tar.gz")],
//! );
//! assert_eq!(check.outcome, Outcome::Fail);
//! assert_eq!(Verdict::from_checks(&[check]), Verdict::Fail);
//! ```
#![warn(missing_docs)]

mod check;
mod digest;
mod report;

pub use check::{Check, CheckCode, Outcome, Verdict};
pub use digest::{Digest, DigestAlgorithm, DigestError};
pub use report::{
    CertificateClaims, EvidenceKind, EvidenceRef, Expectations, GateExpectation, GateRow,
    InputFile, InputRole, Inspection, KeyExpectation, LogEntryClaim, MatcherExpectation, Material,
    OptOut, PolicyFileRef, ProvenanceClaim, Report, SignatureClaim, SignerClaim, SignerExpectation,
    Subject, SubjectKind, TimeSource, ToolInfo, REPORT_SCHEMA_VERSION,
};
