//! The library facade: typed evidence, a trust root and `now` in; a [`Report`](provenant_model::Report) out. No I/O.
//!
//! ```
//! use provenant_core::{verify_artifact, ArtifactInputs, Evidence};
//! use provenant_model::{Digest, Subject, SubjectKind, Verdict};
//! use provenant_verify::{IdentityPolicy, Instance, SignerPolicy, TrustRoot};
//!
//! let digest: Digest = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf".parse().unwrap();
//! let inputs = ArtifactInputs {
//!     subject: Subject { kind: SubjectKind::Digest, name: None, digests: vec![digest], size: None },
//!     evidence: vec![], // nothing found
//!     signer: SignerPolicy::Keyless(IdentityPolicy::default()),
//!     threshold: 1,
//!     policy: Default::default(),
//!     sbom: Default::default(),
//!     insecure_ignore_tlog: false,
//! };
//! let root = TrustRoot::embedded(Instance::PublicGood).unwrap();
//! let report = verify_artifact(&inputs, &root, "2026-01-01T00:00:00Z".parse().unwrap());
//! assert_eq!(report.verdict, Verdict::Fail); // no evidence is never a pass
//! ```
#![warn(missing_docs)]

pub mod contract;
mod engine;
mod evidence;
pub mod gates;
mod image;
mod inspect;
mod pipeline;
pub mod review;
pub mod sbom;
mod vsa;

pub use engine::{
    algorithms_needed, attested_gates, rego_input, rfc3339, signer_policy, verify, verify_detailed,
    CollectedTarget, Command, GateFile, HistoryError, HistorySource, ImageCollected, Inputs,
    LayoutEvidence, SbomFile, Target, TrustRoots, Verification, VsaEvidence,
};
pub use evidence::{
    classify_evidence, digest_algorithms, CosignSignature, Evidence, EvidenceContent, Found,
};
pub use image::{
    image_refused, image_unreadable, verify_image, verify_image_attested, ImageInputs, ImageTarget,
};
pub use inspect::inspect;
pub use pipeline::{
    verify_artifact, verify_artifact_attested, ArtifactInputs, AttestedStatement, SbomInputs,
    TOOL_NAME, TOOL_VERSION,
};
pub use vsa::{level_well_formed, verify_vsa, VsaInputs, VsaReadError, VSA_V1};
