//! Evidence collectors: the only provenant crate that does I/O over a network.
//!
//! Collectors fetch and nothing else: every byte they return is untrusted and is checked by
//! `provenant-formats` and `provenant-verify`. They are bounded everywhere — manifest and blob
//! sizes ([`provenant_formats::oci::MAX_MANIFEST_BYTES`],
//! [`provenant_formats::oci::MAX_EVIDENCE_BLOB_BYTES`]), request concurrency, timeouts and
//! retries — and every fetched blob and manifest is checked against the digest it was asked by.
#![warn(missing_docs)]

pub mod auth;
pub mod discover;
pub mod evm;
pub mod git;
pub mod git_log;
pub mod image;
pub mod inputs;
pub mod oci_layout;
pub mod record;
pub mod reference;
pub mod registry;
pub mod store;

pub use discover::{discover, Discovered, DiscoveredKind, Discovery};
pub use reference::{parse_image_ref, ImageRef, RegistryRef, Selector};
pub use registry::{RegistryClient, RegistryOptions};
pub use store::{Fetched, Store};

/// Why collecting failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    /// The request itself is wrong (a bad reference, an insecure registry not allowed).
    #[error("{0}")]
    Usage(String),
    /// The source could not be reached, or kept failing (connection, timeout, 5xx, 429).
    #[error("{0}")]
    Unreachable(String),
    /// The registry refused the credentials, or asked for ones there are none of.
    #[error("{0}")]
    Auth(String),
    /// The thing asked for is not there.
    #[error("{0}")]
    NotFound(String),
    /// What came back was refused: over a size limit, not matching its digest, not parsable.
    #[error("{0}")]
    Invalid(String),
    /// The source contradicts itself: a docker archive whose `manifest.json` (read by `docker
    /// load`) and `index.json` (read by containerd) name different images.
    #[error("{0}")]
    Inconsistent(String),
    /// The I/O runtime could not be started.
    #[error("cannot start the I/O runtime: {0}")]
    Runtime(String),
}
