//! Evidence discovery for one image digest, in every layout the ecosystem uses:
//!
//! - cosign tags: `sha256-<hex>.sig` (simple-signing payloads), `.att` (DSSE attestations),
//!   `.sbom` (attached SBOMs);
//! - OCI 1.1 referrers: the referrers API, else its tag fallback `sha256-<hex>`; every referrer
//!   must name the digest as its `subject`;
//! - BuildKit attestation manifests inside the index the image came from
//!   (`vnd.docker.reference.type: attestation-manifest`).
//!
//! Nothing is verified here: every item says where it was found and what it holds, and the
//! verifier decides.

use std::collections::BTreeMap;

use provenant_formats::oci::{
    parse_manifest, Descriptor, Manifest, ANN_DOCKER_REFERENCE_DIGEST, ANN_DOCKER_REFERENCE_TYPE,
    ANN_PREDICATE_TYPE, COSIGN_SIMPLE_SIGNING, DSSE_ENVELOPE, IN_TOTO, MAX_EVIDENCE_BLOB_BYTES,
    SIGSTORE_BUNDLE_PREFIX,
};
use provenant_model::Digest;

use crate::reference::Selector;
use crate::registry::ReferrersAnswer;
use crate::store::Store;
use crate::CollectError;

/// Most evidence manifests followed for one digest (cosign tags plus referrers).
pub const MAX_REFERRERS: usize = 256;

/// What a discovered piece of evidence holds.
#[derive(Debug, Clone)]
pub enum DiscoveredKind {
    /// A cosign simple-signing signature layer (`.sig`): the payload and the layer's annotations
    /// (signature, and for keyless signing certificate, chain and Rekor bundle).
    CosignSignature {
        /// The simple-signing payload (the layer blob).
        payload: Vec<u8>,
        /// The layer annotations.
        annotations: BTreeMap<String, String>,
    },
    /// A DSSE envelope (`.att` layer, or a referrer), with the layer's annotations.
    Envelope {
        /// The envelope JSON.
        bytes: Vec<u8>,
        /// The layer annotations.
        annotations: BTreeMap<String, String>,
    },
    /// A Sigstore bundle (an OCI 1.1 referrer).
    Bundle {
        /// The bundle JSON.
        bytes: Vec<u8>,
    },
    /// An SBOM document, not signed by anything here.
    Sbom {
        /// The document.
        bytes: Vec<u8>,
        /// The layer media type.
        media_type: String,
    },
    /// An unsigned in-toto statement (BuildKit attestation layers).
    Statement {
        /// The statement JSON.
        bytes: Vec<u8>,
        /// The predicate type the layer annotation names.
        predicate_type: Option<String>,
    },
    /// A referrer whose `subject` is not the image: listed under it, but not about it.
    WrongSubject {
        /// The digest the referrer names, if any.
        claimed: Option<Digest>,
    },
    /// Found but not read (too large, not matching its digest, not parsable).
    Unreadable {
        /// Why.
        reason: String,
    },
    /// A kind of evidence provenant does not verify.
    Unsupported {
        /// Its media type.
        media_type: String,
    },
}

/// One piece of evidence and where it was found.
#[derive(Debug, Clone)]
pub struct Discovered {
    /// Where: `registry/repo:sha256-<hex>.sig layer 0`, `… referrer sha256:… layer 0`, ….
    pub location: String,
    /// What it holds.
    pub kind: DiscoveredKind,
}

/// Everything found for one digest, and where provenant looked.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// The evidence.
    pub items: Vec<Discovered>,
    /// Each place searched and what it gave (`cosign tag sha256-….sig: 1 manifest`, `referrers
    /// API: not supported, used the tag fallback`), for the report.
    pub searched: Vec<String>,
}

/// The cosign / referrers-fallback tag of a digest: `sha256-<hex>`.
pub fn digest_tag(d: &Digest) -> String {
    format!("{}-{}", d.algorithm().name(), d.hex())
}

fn is_sbom_media_type(mt: &str) -> bool {
    let mt = mt.split(';').next().unwrap_or(mt).trim();
    mt.starts_with("application/spdx")
        || mt == "text/spdx"
        || mt.starts_with("application/vnd.cyclonedx")
        || mt.starts_with("application/vnd.syft")
        || mt == "application/vnd.spdx+json"
}

/// Find all evidence about `digest` in `store`. `parent` is the index the image was reached
/// through (BuildKit keeps its attestation manifests there).
pub async fn discover(
    store: &Store,
    digest: &Digest,
    parent: Option<&Manifest>,
) -> Result<Discovery, CollectError> {
    let base = digest_tag(digest);
    let loc = store.location();
    let tags = ["sig", "att", "sbom"].map(|s| Selector::Tag(format!("{base}.{s}")));
    let (sig, att, sbom, referrers) = tokio::join!(
        store.manifest(&tags[0]),
        store.manifest(&tags[1]),
        store.manifest(&tags[2]),
        referrers(store, digest),
    );
    let mut out = Discovery::default();
    for (suffix, fetched) in [("sig", sig), ("att", att), ("sbom", sbom)] {
        let tag = format!("{base}.{suffix}");
        let where_ = format!("{loc}:{tag}");
        match fetched {
            Err(CollectError::Invalid(m)) => {
                out.searched.push(format!("cosign tag {tag}: unreadable"));
                out.items.push(Discovered {
                    location: where_,
                    kind: DiscoveredKind::Unreadable { reason: m },
                });
            }
            Err(e) => return Err(e),
            Ok(None) => out.searched.push(format!("cosign tag {tag}: none")),
            Ok(Some(f)) => {
                out.searched
                    .push(format!("cosign tag {tag}: found {}", f.digest));
                match parse_manifest(&f.bytes, f.media_type.as_deref()) {
                    Err(e) => out.items.push(Discovered {
                        location: where_,
                        kind: DiscoveredKind::Unreadable {
                            reason: e.to_string(),
                        },
                    }),
                    Ok(m) => read_layers(store, &m, &where_, Some(suffix), &mut out).await?,
                }
            }
        }
    }
    let (how, list) = referrers?;
    out.searched.push(how);
    if list.len() > MAX_REFERRERS {
        // Never dropped silently: what was not read is reported as evidence not read.
        out.items.push(Discovered {
            location: format!("{loc} referrers of {digest}"),
            kind: DiscoveredKind::Unreadable {
                reason: format!(
                    "{} referrers are listed; only the first {MAX_REFERRERS} were read (MAX_REFERRERS), {} were not",
                    list.len(),
                    list.len() - MAX_REFERRERS
                ),
            },
        });
    }
    for d in list.into_iter().take(MAX_REFERRERS) {
        let where_ = format!("{loc} referrer {}", d.digest);
        match store.manifest(&Selector::Digest(d.digest.clone())).await {
            Err(CollectError::Invalid(m)) | Err(CollectError::NotFound(m)) => {
                out.items.push(Discovered {
                    location: where_,
                    kind: DiscoveredKind::Unreadable { reason: m },
                })
            }
            Err(e) => return Err(e),
            Ok(None) => out.items.push(Discovered {
                location: where_,
                kind: DiscoveredKind::Unreadable {
                    reason: "listed as a referrer, but the manifest is not in the store".into(),
                },
            }),
            Ok(Some(f)) => match parse_manifest(&f.bytes, Some(&d.media_type)) {
                Err(e) => out.items.push(Discovered {
                    location: where_,
                    kind: DiscoveredKind::Unreadable {
                        reason: e.to_string(),
                    },
                }),
                Ok(m) => {
                    let subject = m.subject.as_ref().map(|s| s.digest.clone());
                    if subject.as_ref() != Some(digest) {
                        out.items.push(Discovered {
                            location: where_,
                            kind: DiscoveredKind::WrongSubject { claimed: subject },
                        });
                        continue;
                    }
                    read_layers(store, &m, &where_, None, &mut out).await?;
                }
            },
        }
    }
    if let Some(index) = parent {
        for e in index.entries() {
            if e.annotation(ANN_DOCKER_REFERENCE_TYPE) != Some("attestation-manifest")
                || e.annotation(ANN_DOCKER_REFERENCE_DIGEST) != Some(&digest.to_string())
            {
                continue;
            }
            let where_ = format!("{loc} attestation-manifest {}", e.digest);
            out.searched
                .push(format!("BuildKit attestation manifest {}", e.digest));
            match store.manifest(&Selector::Digest(e.digest.clone())).await {
                Ok(Some(f)) => match parse_manifest(&f.bytes, Some(&e.media_type)) {
                    Ok(m) => read_layers(store, &m, &where_, None, &mut out).await?,
                    Err(err) => out.items.push(Discovered {
                        location: where_,
                        kind: DiscoveredKind::Unreadable {
                            reason: err.to_string(),
                        },
                    }),
                },
                Ok(None) => out.items.push(Discovered {
                    location: where_,
                    kind: DiscoveredKind::Unreadable {
                        reason: "the index lists it, but the manifest is not in the store".into(),
                    },
                }),
                Err(CollectError::Invalid(m)) | Err(CollectError::NotFound(m)) => {
                    out.items.push(Discovered {
                        location: where_,
                        kind: DiscoveredKind::Unreadable { reason: m },
                    })
                }
                Err(err) => return Err(err),
            }
        }
    }
    Ok(out)
}

/// The referrers of `digest`: from the API, else from the tag fallback.
async fn referrers(
    store: &Store,
    digest: &Digest,
) -> Result<(String, Vec<Descriptor>), CollectError> {
    match store.referrers(digest).await? {
        ReferrersAnswer::Listed(list) => {
            Ok((format!("referrers API: {} referrer(s)", list.len()), list))
        }
        ReferrersAnswer::Unsupported => {
            let tag = digest_tag(digest);
            match store.manifest(&Selector::Tag(tag.clone())).await {
                Ok(None) => Ok((
                    format!("referrers API not supported; tag fallback {tag}: none"),
                    vec![],
                )),
                Ok(Some(f)) => match parse_manifest(&f.bytes, f.media_type.as_deref()) {
                    Ok(m) if m.is_index() => Ok((
                        format!(
                            "referrers API not supported; tag fallback {tag}: {} referrer(s)",
                            m.entries().len()
                        ),
                        m.entries().to_vec(),
                    )),
                    Ok(_) => Ok((
                        format!("referrers API not supported; tag fallback {tag} is not an index (ignored)"),
                        vec![],
                    )),
                    Err(e) => Ok((
                        format!("referrers API not supported; tag fallback {tag} unreadable: {e}"),
                        vec![],
                    )),
                },
                Err(CollectError::Invalid(m)) => Ok((
                    format!("referrers API not supported; tag fallback {tag} refused: {m}"),
                    vec![],
                )),
                Err(e) => Err(e),
            }
        }
    }
}

/// Read the evidence layers of an evidence manifest.
async fn read_layers(
    store: &Store,
    m: &Manifest,
    where_: &str,
    cosign_suffix: Option<&str>,
    out: &mut Discovery,
) -> Result<(), CollectError> {
    let artifact_type = m.effective_artifact_type().unwrap_or_default().to_owned();
    if m.is_index() {
        out.items.push(Discovered {
            location: where_.to_owned(),
            kind: DiscoveredKind::Unsupported {
                media_type: m.media_type.clone(),
            },
        });
        return Ok(());
    }
    if m.layers().len() > MAX_REFERRERS {
        out.items.push(Discovered {
            location: where_.to_owned(),
            kind: DiscoveredKind::Unreadable {
                reason: format!(
                    "{} layers; only the first {MAX_REFERRERS} were read (MAX_REFERRERS), {} were not",
                    m.layers().len(),
                    m.layers().len() - MAX_REFERRERS
                ),
            },
        });
    }
    for (i, layer) in m.layers().iter().enumerate().take(MAX_REFERRERS) {
        let location = format!("{where_} layer {i}");
        let mt = layer.media_type.as_str();
        let wanted = cosign_suffix.is_some()
            || mt.starts_with(SIGSTORE_BUNDLE_PREFIX)
            || artifact_type.starts_with(SIGSTORE_BUNDLE_PREFIX)
            || mt == DSSE_ENVELOPE
            || mt == IN_TOTO
            || mt == COSIGN_SIMPLE_SIGNING
            || is_sbom_media_type(mt);
        if !wanted {
            out.items.push(Discovered {
                location,
                kind: DiscoveredKind::Unsupported {
                    media_type: mt.to_owned(),
                },
            });
            continue;
        }
        let bytes = match store.blob(layer, MAX_EVIDENCE_BLOB_BYTES).await {
            Ok(b) => b,
            Err(CollectError::Invalid(r)) | Err(CollectError::NotFound(r)) => {
                out.items.push(Discovered {
                    location,
                    kind: DiscoveredKind::Unreadable { reason: r },
                });
                continue;
            }
            Err(e) => return Err(e),
        };
        let annotations = layer.annotations.clone();
        let kind = if mt.starts_with(SIGSTORE_BUNDLE_PREFIX)
            || (artifact_type.starts_with(SIGSTORE_BUNDLE_PREFIX) && !is_sbom_media_type(mt))
        {
            DiscoveredKind::Bundle { bytes }
        } else if mt == COSIGN_SIMPLE_SIGNING || cosign_suffix == Some("sig") {
            DiscoveredKind::CosignSignature {
                payload: bytes,
                annotations,
            }
        } else if mt == DSSE_ENVELOPE || cosign_suffix == Some("att") {
            DiscoveredKind::Envelope { bytes, annotations }
        } else if mt == IN_TOTO {
            DiscoveredKind::Statement {
                bytes,
                predicate_type: layer.annotation(ANN_PREDICATE_TYPE).map(str::to_owned),
            }
        } else if is_sbom_media_type(mt) || cosign_suffix == Some("sbom") {
            DiscoveredKind::Sbom {
                bytes,
                media_type: mt.to_owned(),
            }
        } else {
            DiscoveredKind::Unsupported {
                media_type: mt.to_owned(),
            }
        };
        out.items.push(Discovered { location, kind });
    }
    Ok(())
}
