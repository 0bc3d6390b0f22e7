//! Policy: the expectations a verified signature must also meet (source repository, ref,
//! commit, builder, signing workflow, runner), stated by command-line flags (`slsa-verifier` and
//! `gh attestation verify` semantics) and evaluated into checks.
//!
//! ```
//! use provenant_policy::SourcePolicy;
//! let p = SourcePolicy { commit: Some("4d329c75e7ec1725f7c9ce917a8799d408d06be3".into()), ..Default::default() };
//! assert!(!p.is_empty());
//! assert!(!p.constrains_signer());
//! ```
#![warn(missing_docs)]

mod eval;
mod flags;

pub use eval::evaluate;
pub use flags::{normalize_repo, SourcePolicy, TRUSTED_BUILDER_PREFIX};
