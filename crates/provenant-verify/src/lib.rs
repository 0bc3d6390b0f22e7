//! Cryptography: evidence in, [`Verified`] claims (or failed checks) out.
//!
//! Sigstore bundles are verified by the `sigstore-verify` crate (sigstore-rust), wrapped here so
//! that every outcome becomes a provenant [`Check`](provenant_model::Check) with a stable code;
//! provenant adds anchored identity regexps, the GitHub certificate claims, strict payload
//! parsing, key-based DSSE and cosign signatures, and trust-root loading.
//!
//! ```
//! use provenant_verify::{IdentityMatcher, TrustRoot, Instance};
//!
//! let root = TrustRoot::embedded(Instance::PublicGood).unwrap();
//! assert!(root.has_tlogs());
//! // Regexps are anchored at both ends: a sibling workflow does not match.
//! let m = IdentityMatcher::regex(r"https://github\.com/org/repo/\.github/workflows/release\.yml@refs/tags/v[0-9.]+").unwrap();
//! assert!(m.matches("https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.2.0"));
//! assert!(!m.matches("https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.2.0-attacker"));
//! ```
#![warn(missing_docs)]

mod certs;
mod cosign;
mod dsse;
mod gcb;
mod hash;
mod identity;
mod keys;
pub mod layout;
mod memo;
mod npm_registry;
mod sigstore;
mod subject;
mod trust;
mod verified;

pub use certs::{check_ca_chain, describe_certificate, ChainError};
pub use cosign::verify_blob_signature;
pub use dsse::verify_envelope;
pub use gcb::verify_gcb_envelope;
pub use hash::{digest_reader, needed_for, MultiHasher};
pub use identity::{IdentityMatcher, IdentityPolicy};
pub use keys::{KeyError, KeyMaterial, KeyMaterialError, PublicKey};
pub use npm_registry::{npm_keyid, npm_registry_keys, NpmRegistryKey};
pub use sigstore::{verify_bundle, SignatureOutcome, SignerPolicy};
pub use subject::{bind_subject, SubjectBinding};
pub use trust::{Instance, TrustError, TrustRoot};
pub use verified::{signed_statement, Verified, VerifiedSignature};

/// The Sigstore bundle types provenant parses into (re-exported from sigstore-types).
pub use sigstore_verify::types as sigstore_types;
