//! provenant's own test trust root: a Fulcio-like CA, a CT log, Rekor v1 and v2 logs and an
//! RFC 3161 TSA that mint real, cryptographically valid Sigstore bundles — and every tampered
//! variant of them, each breaking exactly one property.
//!
//! ```
//! use provenant_testkit::{MintSpec, Tamper, TestPki};
//!
//! let pki = TestPki::new(7);
//! let trusted_root = pki.trusted_root_json(); // feed to `TrustedRoot::from_json`
//! let valid = pki.mint(&MintSpec::default());
//! let forged = pki.mint_tampered(&MintSpec::default(), Tamper::BrokenInclusionProof);
//! assert!(trusted_root.contains("timestampAuthorities"));
//! assert_ne!(valid.bundle_json, forged.bundle_json);
//! ```
//!
//! Everything is derived from the seed and signed deterministically (RFC 6979 ECDSA, Ed25519), so
//! the same seed and spec give byte-identical output. Signing times must not be in the future:
//! verifiers reject integrated times after their clock.
// Test-only: the JSON read here is what this crate itself minted.
#![allow(clippy::disallowed_methods)]

mod certs;
mod ct;
pub mod keys;
pub mod layout;
pub mod oci;
mod oids;
mod pki;
mod rekor;
mod spec;
mod statement;
mod tamper;
mod testdata;
mod tsa;

pub use pki::TestPki;
pub use spec::{
    BundleVersion, Content, GithubClaims, Identity, LogKind, MintSpec, Minted, DEFAULT_ARTIFACT,
    DEFAULT_ARTIFACT_NAME, DEFAULT_COMMIT, DEFAULT_IDENTITY, DEFAULT_SIGNING_TIME,
    GITHUB_ACTIONS_ISSUER, IN_TOTO_PAYLOAD_TYPE,
};
pub use tamper::Tamper;
pub use testdata::{testdata_files, TestdataFile, TESTDATA_SEED};
