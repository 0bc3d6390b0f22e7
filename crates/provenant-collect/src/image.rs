//! Collecting an image and the evidence beside it: resolve the reference (registry, OCI
//! layout, docker archive), fetch and check its manifest, pick the platform manifests asked
//! for, and discover the evidence of each, all under one overall deadline.
//!
//! [`collect_image`] is the blocking entry point: it runs its own tokio runtime, so callers
//! need none.

use std::time::Duration;

use provenant_formats::oci::{
    parse_manifest, parse_oci_digest, Descriptor, Manifest, ManifestKind, Platform,
    ANN_DOCKER_REFERENCE_DIGEST, ANN_DOCKER_REFERENCE_TYPE, MAX_MANIFEST_BYTES,
};
use provenant_model::{CheckCode, Digest};

use std::sync::Arc;

use crate::oci_layout::LayoutStore;
use crate::record::{Opened, Recorder, Recording, Replayer};
use crate::{
    discover, CollectError, Discovery, ImageRef, RegistryClient, RegistryOptions, Selector, Store,
};

/// Which platforms of an index to verify besides the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformSelection {
    /// The index (or image) only.
    None,
    /// Every platform image of the index (`--platform all`).
    All,
    /// The platform images matching these.
    These(Vec<Platform>),
}

/// One manifest to verify and the evidence found for it.
#[derive(Debug, Clone)]
pub struct CollectedTarget {
    /// The platform, for a platform manifest of an index; `None` for the manifest named.
    pub platform: Option<String>,
    /// The manifest digest.
    pub digest: Digest,
    /// The evidence discovered for it, and where provenant looked.
    pub discovery: Discovery,
}

/// What was collected: the subject and, per target, the evidence found.
#[derive(Debug, Clone)]
pub struct CollectedImage {
    /// The reference as given.
    pub reference: String,
    /// The tag the digest was resolved from, when the reference named one.
    pub resolved_from_tag: Option<String>,
    /// Whether the manifest named is an index.
    pub is_index: bool,
    /// The media type of the manifest named.
    pub media_type: String,
    /// The manifest named first, then each selected platform manifest.
    pub targets: Vec<CollectedTarget>,
    /// Platforms asked for but not found, or found unreadable (each with why).
    pub missing_platforms: Vec<String>,
}

/// The image is readable but refused: a verification failure, not a usage error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The failing check.
    pub code: CheckCode,
    /// Why.
    pub reason: String,
}

impl Refused {
    fn new(code: CheckCode, reason: String) -> Self {
        Self { code, reason }
    }
}

/// Collect the image `image` (named `reference` on the command line) and its evidence, with
/// the platform manifests `platforms` selects. `total` bounds everything the source is asked,
/// retries included: past it the result is [`CollectError::Unreachable`].
///
/// `Ok(Err(_))` is an image that was read but is refused (an inconsistent docker archive, an
/// invalid manifest); `Err(_)` is an image that could not be read at all.
pub fn collect_image(
    image: &ImageRef,
    reference: &str,
    platforms: &PlatformSelection,
    opts: RegistryOptions,
    total: Duration,
) -> Result<Result<CollectedImage, Refused>, CollectError> {
    let rt = runtime()?;
    // One deadline over everything the registry is asked (and every retry): a registry that
    // trickles its answers cannot hold the run past it.
    let collected = rt.block_on(async {
        tokio::time::timeout(total, collect(image, reference, platforms, opts)).await
    });
    collected.map_err(|_| deadline(reference, total))?
}

async fn collect(
    image: &ImageRef,
    reference: &str,
    platforms: &PlatformSelection,
    opts: RegistryOptions,
) -> Result<Result<CollectedImage, Refused>, CollectError> {
    match open(image, opts).await {
        Ok((store, selector)) => collect_from(&store, selector, image, reference, platforms).await,
        // The archive is readable but contradicts itself: a verification failure.
        Err(CollectError::Inconsistent(m)) => {
            Ok(Err(Refused::new(CheckCode::ImageArchiveInconsistent, m)))
        }
        Err(e) => Err(e),
    }
}

/// Open the store `image` names, and the selector its collection starts from.
async fn open(image: &ImageRef, opts: RegistryOptions) -> Result<(Store, Selector), CollectError> {
    Ok(match image {
        ImageRef::Registry(r) => (
            Store::Registry(RegistryClient::connect(r, opts).await?),
            r.selector(),
        ),
        ImageRef::Layout { dir, selector } => {
            let l = LayoutStore::open_dir(dir)?;
            let sel = match selector {
                Some(Selector::Digest(d)) => Selector::Digest(d.clone()),
                other => Selector::Digest(l.find(other.as_ref())?.digest),
            };
            (Store::Layout(l), sel)
        }
        ImageRef::DockerArchive { file } => {
            let l = LayoutStore::open_archive(file)?;
            let sel = Selector::Digest(l.find(None)?.digest);
            (Store::Layout(l), sel)
        }
    })
}

/// Collect `image` as [`collect_image`] does, recording every answer of the source: the
/// result, the recording, and the bytes the recording names (by SHA-256, lowercase hex).
/// [`replay_image`] run on the recording gives the same result offline.
pub fn collect_image_recorded(
    image: &ImageRef,
    reference: &str,
    platforms: &PlatformSelection,
    opts: RegistryOptions,
    total: Duration,
) -> (Recording, std::collections::BTreeMap<String, Vec<u8>>) {
    let recorder = Arc::new(Recorder::new(reference));
    let result = runtime().and_then(|rt| {
        rt.block_on(async {
            tokio::time::timeout(total, async {
                let opened = open(image, opts).await;
                match opened {
                    Ok((store, selector)) => {
                        recorder.opened(Ok(Opened {
                            selector: (&selector).into(),
                            location: store.location(),
                        }));
                        let store = Store::Recording(Box::new(store), Arc::clone(&recorder));
                        collect_from(&store, selector, image, reference, platforms)
                            .await
                            .map(|_| ())
                    }
                    Err(e) => {
                        recorder.opened(Err(&e));
                        Ok(())
                    }
                }
            })
            .await
            .map_err(|_| deadline(reference, total))?
        })
    });
    if let Err(e) = result {
        recorder.failed(&e);
    }
    // Every clone of the recorder lived inside the collection, which is over.
    match Arc::try_unwrap(recorder) {
        Ok(r) => r.finish(),
        Err(_) => (Recording::default(), std::collections::BTreeMap::new()),
    }
}

/// Collect again from a recording alone, offline: the same code as a live collection, with
/// every answer (and every digest check) taken from the recording.
pub fn replay_image(
    image: &ImageRef,
    replayer: Replayer,
    platforms: &PlatformSelection,
) -> Result<Result<CollectedImage, Refused>, CollectError> {
    let recording = replayer.recording();
    if let Some(e) = &recording.failed {
        return Err(e.into());
    }
    let reference = recording.reference.clone();
    let selector = match &recording.opened {
        None => {
            return Err(CollectError::Invalid(
                "the recording of the image does not say how it was opened".into(),
            ))
        }
        Some(Err(e)) => {
            return match CollectError::from(e) {
                CollectError::Inconsistent(m) => {
                    Ok(Err(Refused::new(CheckCode::ImageArchiveInconsistent, m)))
                }
                other => Err(other),
            }
        }
        Some(Ok(o)) => Selector::from(&o.selector),
    };
    let store = Store::Replay(Box::new(replayer));
    let rt = runtime()?;
    rt.block_on(collect_from(&store, selector, image, &reference, platforms))
}

fn runtime() -> Result<tokio::runtime::Runtime, CollectError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CollectError::Runtime(e.to_string()))
}

fn deadline(reference: &str, total: Duration) -> CollectError {
    CollectError::Unreachable(format!(
        "{reference}: the registry did not finish answering within {} s (--registry-timeout); check the registry, or raise the limit",
        total.as_secs()
    ))
}

/// Collect from an open store, starting at `selector`.
async fn collect_from(
    store: &Store,
    selector: Selector,
    image: &ImageRef,
    reference: &str,
    platforms: &PlatformSelection,
) -> Result<Result<CollectedImage, Refused>, CollectError> {
    let resolved_from_tag = match (&selector, image) {
        (Selector::Tag(t), _) => Some(t.clone()),
        (
            _,
            ImageRef::Layout {
                selector: Some(Selector::Tag(t)),
                ..
            },
        ) => Some(t.clone()),
        _ => None,
    };
    let fetched = match store.manifest(&selector).await {
        Ok(Some(f)) => f,
        Ok(None) => {
            return Err(CollectError::NotFound(format!(
                "{reference}: no such image in {} (check the tag or digest)",
                store.location()
            )))
        }
        Err(CollectError::Invalid(m)) => {
            return Ok(Err(Refused::new(CheckCode::ImageManifestInvalid, m)))
        }
        Err(e) => return Err(e),
    };
    let manifest: Manifest = match parse_manifest(&fetched.bytes, fetched.media_type.as_deref()) {
        Ok(m) => m,
        Err(e) => {
            return Ok(Err(Refused::new(
                CheckCode::ImageManifestInvalid,
                format!("{}: {e}", fetched.location),
            )))
        }
    };
    let digest = fetched.digest.clone();
    let own = discover(store, &digest, None).await?;
    let mut targets = vec![CollectedTarget {
        platform: None,
        digest: digest.clone(),
        discovery: own,
    }];
    let mut missing = Vec::new();
    let wanted: Vec<(String, Option<&Platform>)> = match platforms {
        PlatformSelection::None => vec![],
        PlatformSelection::All => vec![("all".into(), None)],
        PlatformSelection::These(ps) => ps.iter().map(|p| (p.to_string(), Some(p))).collect(),
    };
    // Every entry a runtime could pull, with its platform: the descriptor's, else the one its
    // config records. Only an attestation manifest that names a sibling entry of this index
    // (BuildKit's provenance/SBOM entries) is not an image of its own.
    let mut candidates: Vec<(&Descriptor, Result<Platform, String>)> = Vec::new();
    if !wanted.is_empty() {
        for e in manifest.entries() {
            if attests_a_sibling(e, manifest.entries()) {
                continue;
            }
            let platform = match &e.platform {
                Some(p) => Ok(p.clone()),
                None => platform_from_config(store, e).await?,
            };
            candidates.push((e, platform));
        }
    }
    for (label, want) in wanted {
        let mut entries = Vec::new();
        for (e, platform) in &candidates {
            match (want, platform) {
                (None, Ok(_)) => entries.push((*e, platform_name(platform))),
                (Some(w), Ok(p)) if w.selects(p) => entries.push((*e, platform_name(platform))),
                (Some(_), Ok(_)) => {}
                // A runtime could pull it and nobody can say for which platform: fail closed.
                (_, Err(why)) => missing.push(format!("{} ({why})", e.digest)),
            }
        }
        if entries.is_empty() {
            missing.push(label);
            continue;
        }
        for (e, name) in entries {
            // The platform manifest must exist and match its digest before anything is said
            // about it.
            match store.manifest(&Selector::Digest(e.digest.clone())).await {
                Ok(Some(_)) => {}
                Ok(None) => {
                    missing.push(format!("{name} ({} is not in the store)", e.digest));
                    continue;
                }
                Err(CollectError::Invalid(m)) => {
                    missing.push(format!("{name} ({m})"));
                    continue;
                }
                Err(err) => return Err(err),
            }
            if targets.iter().any(|t| t.digest == e.digest) {
                continue; // two --platform values selected the same manifest
            }
            let found = discover(store, &e.digest, Some(&manifest)).await?;
            targets.push(CollectedTarget {
                platform: Some(name),
                digest: e.digest.clone(),
                discovery: found,
            });
        }
    }
    Ok(Ok(CollectedImage {
        reference: reference.to_owned(),
        resolved_from_tag,
        is_index: manifest.is_index(),
        media_type: manifest.media_type.clone(),
        targets,
        missing_platforms: missing,
    }))
}

fn platform_name(p: &Result<Platform, String>) -> String {
    p.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Whether an index entry is an attestation manifest about another entry of the same index
/// (`vnd.docker.reference.type: attestation-manifest` and `vnd.docker.reference.digest` naming a
/// sibling). Any other entry, whatever its annotations or platform, is an image a runtime could
/// pull.
fn attests_a_sibling(e: &Descriptor, entries: &[Descriptor]) -> bool {
    e.annotation(ANN_DOCKER_REFERENCE_TYPE) == Some("attestation-manifest")
        && e.annotation(ANN_DOCKER_REFERENCE_DIGEST)
            .and_then(|d| parse_oci_digest(d).ok())
            .is_some_and(|d| d != e.digest && entries.iter().any(|s| s.digest == d))
}

/// The platform an index entry without one runs on, from its image config (`os`,
/// `architecture`, `variant`), as a runtime reads it; `Err` says why there is none.
async fn platform_from_config(
    store: &Store,
    e: &Descriptor,
) -> Result<Result<Platform, String>, CollectError> {
    let fetched = match store.manifest(&Selector::Digest(e.digest.clone())).await {
        Ok(Some(f)) => f,
        Ok(None) => return Ok(Err("listed without a platform, and not in the store".into())),
        Err(CollectError::Invalid(m)) => return Ok(Err(m)),
        Err(err) => return Err(err),
    };
    let config = match parse_manifest(&fetched.bytes, fetched.media_type.as_deref()) {
        Ok(Manifest {
            kind: ManifestKind::Image { config, .. },
            ..
        }) => config,
        Ok(_) => {
            return Ok(Err(
                "listed without a platform, and it is an index, not an image".into(),
            ))
        }
        Err(e) => {
            return Ok(Err(format!(
                "listed without a platform, and unreadable: {e}"
            )))
        }
    };
    let bytes = match store.blob(&config, MAX_MANIFEST_BYTES).await {
        Ok(b) => b,
        Err(CollectError::Invalid(m) | CollectError::NotFound(m)) => {
            return Ok(Err(format!(
                "listed without a platform, and its config is unreadable: {m}"
            )))
        }
        Err(err) => return Err(err),
    };
    let Ok(v) = provenant_formats::json::parse_strict(&bytes) else {
        return Ok(Err(
            "listed without a platform, and its config is not strict JSON".into(),
        ));
    };
    let field = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
    };
    match (field("os"), field("architecture")) {
        (Some(os), Some(arch)) => {
            let text = match field("variant") {
                Some(variant) => format!("{os}/{arch}/{variant}"),
                None => format!("{os}/{arch}"),
            };
            Ok(Platform::parse(&text)
                .ok_or_else(|| format!("its config names an unreadable platform {text:?}")))
        }
        _ => Ok(Err(
            "listed without a platform, and its config names no os and architecture".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn digest(c: char) -> Digest {
        parse_oci_digest(&format!("sha256:{}", c.to_string().repeat(64))).unwrap()
    }

    fn entry(d: Digest, annotations: &[(&str, String)]) -> Descriptor {
        Descriptor {
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            digest: d,
            size: 1,
            annotations: annotations
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
            artifact_type: None,
            platform: None,
        }
    }

    /// Only an attestation manifest naming another entry of the same index is skipped; any
    /// other entry is an image a runtime could pull.
    #[test]
    fn attestation_manifests_must_name_a_sibling() {
        let image = entry(digest('a'), &[]);
        let attests = |target: Digest| {
            entry(
                digest('b'),
                &[
                    (ANN_DOCKER_REFERENCE_TYPE, "attestation-manifest".into()),
                    (ANN_DOCKER_REFERENCE_DIGEST, target.to_string()),
                ],
            )
        };
        let good = attests(digest('a'));
        let entries = [image.clone(), good.clone()];
        assert!(attests_a_sibling(&good, &entries));
        assert!(!attests_a_sibling(&image, &entries));
        // Names an image outside the index, or itself: an image of its own.
        let stranger = attests(digest('c'));
        assert!(!attests_a_sibling(
            &stranger,
            &[image.clone(), stranger.clone()]
        ));
        let itself = attests(digest('b'));
        assert!(!attests_a_sibling(
            &itself,
            &[image.clone(), itself.clone()]
        ));
        // Another reference type, or an unreadable digest.
        let other = entry(
            digest('b'),
            &[
                (ANN_DOCKER_REFERENCE_TYPE, "signature".into()),
                (ANN_DOCKER_REFERENCE_DIGEST, digest('a').to_string()),
            ],
        );
        assert!(!attests_a_sibling(&other, &[image.clone(), other.clone()]));
        let unreadable = entry(
            digest('b'),
            &[
                (ANN_DOCKER_REFERENCE_TYPE, "attestation-manifest".into()),
                (ANN_DOCKER_REFERENCE_DIGEST, "sha256:zz".into()),
            ],
        );
        assert!(!attests_a_sibling(
            &unreadable,
            &[image, unreadable.clone()]
        ));
    }

    #[test]
    fn a_missing_layout_is_an_error_not_a_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let image = ImageRef::Layout {
            dir: dir.path().join("absent"),
            selector: None,
        };
        let got = collect_image(
            &image,
            "oci-layout:absent",
            &PlatformSelection::None,
            RegistryOptions::default(),
            Duration::from_secs(5),
        );
        assert!(matches!(got, Err(CollectError::NotFound(_))), "{got:?}");
    }

    /// A registry that accepts connections and never answers is given up at the overall
    /// deadline, as unreachable.
    #[test]
    fn the_deadline_is_unreachable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let held = std::thread::spawn(move || {
            let mut open = Vec::new();
            for conn in listener.incoming().take(4) {
                open.push(conn);
            }
            open
        });
        let reference = format!("127.0.0.1:{port}/silent:v1");
        let image = crate::parse_image_ref(&reference).unwrap();
        let opts = RegistryOptions {
            credentials: crate::auth::CredentialSource::Anonymous,
            ..RegistryOptions::default()
        };
        let got = collect_image(
            &image,
            &reference,
            &PlatformSelection::None,
            opts,
            Duration::from_secs(1),
        );
        match got {
            Err(CollectError::Unreachable(m)) => assert!(m.contains("--registry-timeout"), "{m}"),
            other => panic!("{other:?}"),
        }
        drop(held);
    }
}
