//! One interface over where an image lives: a registry, an OCI layout directory, or a docker
//! archive.

use provenant_formats::oci::Descriptor;
use provenant_model::{Digest, DigestAlgorithm};

use std::sync::Arc;

use crate::oci_layout::LayoutStore;
use crate::record::{Recorder, Replayer};
use crate::reference::Selector;
use crate::registry::{ReferrersAnswer, RegistryClient};
use crate::CollectError;

/// A fetched manifest: its bytes, the digest they hash to, and how it was served.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The digest of `bytes`.
    pub digest: Digest,
    /// The manifest bytes.
    pub bytes: Vec<u8>,
    /// The media type it was served as (registry `Content-Type`, or the descriptor's).
    pub media_type: Option<String>,
    /// Where it came from, for the report.
    pub location: String,
}

/// Where an image and its evidence live.
#[derive(Debug)]
pub enum Store {
    /// A registry repository.
    Registry(RegistryClient),
    /// An OCI layout (a directory, or the OCI layout inside a docker archive).
    Layout(LayoutStore),
    /// Another store, every answer of which is recorded.
    Recording(Box<Store>, Arc<Recorder>),
    /// A recording's answers, served back offline.
    Replay(Box<Replayer>),
}

impl Store {
    /// Fetch a manifest by tag or digest; `Ok(None)` when there is none.
    pub async fn manifest(&self, selector: &Selector) -> Result<Option<Fetched>, CollectError> {
        match self {
            Store::Registry(c) => c.manifest(selector).await,
            Store::Layout(l) => l.manifest(selector),
            Store::Recording(inner, rec) => {
                let r = Box::pin(inner.manifest(selector)).await;
                rec.manifest(selector, &r);
                r
            }
            Store::Replay(r) => r.manifest(selector),
        }
    }

    /// Fetch a blob, bounded and digest-checked.
    pub async fn blob(&self, desc: &Descriptor, limit: u64) -> Result<Vec<u8>, CollectError> {
        match self {
            Store::Registry(c) => c.blob(desc, limit).await,
            Store::Layout(l) => l.blob(desc, limit),
            Store::Recording(inner, rec) => {
                let r = Box::pin(inner.blob(desc, limit)).await;
                rec.blob(desc, &r);
                r
            }
            Store::Replay(r) => r.blob(desc, limit),
        }
    }

    /// The referrers of `digest`, where the store can list them natively.
    pub async fn referrers(&self, digest: &Digest) -> Result<ReferrersAnswer, CollectError> {
        match self {
            Store::Registry(c) => c.referrers(digest).await,
            Store::Layout(l) => l.referrers(digest),
            Store::Recording(inner, rec) => {
                let r = Box::pin(inner.referrers(digest)).await;
                rec.referrers(digest, &r);
                r
            }
            Store::Replay(r) => r.referrers(digest),
        }
    }

    /// A short name for where evidence was found (`127.0.0.1:5000/app`, `oci-layout:DIR`).
    pub fn location(&self) -> String {
        match self {
            Store::Registry(c) => c.location(),
            Store::Layout(l) => l.location().to_owned(),
            Store::Recording(inner, _) => inner.location(),
            Store::Replay(r) => r.location(),
        }
    }
}

/// The SHA-256 digest of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> Digest {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    Digest::from_bytes(DigestAlgorithm::Sha256, d.as_ref()).expect("sha256 is 32 bytes")
}

/// Refuse `bytes` unless they hash to `want`.
pub fn check_digest(bytes: &[u8], want: &Digest, what: &str) -> Result<(), CollectError> {
    let alg = match want.algorithm() {
        DigestAlgorithm::Sha256 => &aws_lc_rs::digest::SHA256,
        DigestAlgorithm::Sha384 => &aws_lc_rs::digest::SHA384,
        DigestAlgorithm::Sha512 => &aws_lc_rs::digest::SHA512,
    };
    let got = aws_lc_rs::digest::digest(alg, bytes);
    let got = Digest::from_bytes(want.algorithm(), got.as_ref()).expect("digest length fits");
    if &got != want {
        return Err(CollectError::Invalid(format!(
            "{what}: content hashes to {got}, not {want}; the source served other bytes than asked for"
        )));
    }
    Ok(())
}
