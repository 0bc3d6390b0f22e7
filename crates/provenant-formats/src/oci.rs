//! OCI image manifests, indexes and descriptors; Docker schema 2 manifests and manifest lists;
//! cosign's simple-signing payload; the OCI image layout's `index.json` and `docker save`'s
//! `manifest.json`.
//!
//! Strict: duplicate JSON keys are refused, every digest is checked for form, a document that
//! could be read as both an image manifest and an index is refused, and the counts are bounded
//! ([`MAX_MANIFEST_BYTES`], [`MAX_DESCRIPTORS`]).

use std::collections::BTreeMap;

use serde_json::Value;

use provenant_model::{Digest, DigestAlgorithm};

use crate::json::{parse_strict, JsonError};

pub use crate::limits::{MAX_DESCRIPTORS, MAX_EVIDENCE_BLOB_BYTES, MAX_MANIFEST_BYTES};

/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker image manifest, schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Every manifest media type read, for `Accept` headers.
pub const MANIFEST_MEDIA_TYPES: [&str; 4] = [
    OCI_MANIFEST,
    OCI_INDEX,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
];
/// A Sigstore bundle attached as an OCI 1.1 referrer (artifact type and layer media type).
pub const SIGSTORE_BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// Prefix of every Sigstore bundle media type (`…bundle+json;version=0.x` and `….v0.3+json`).
pub const SIGSTORE_BUNDLE_PREFIX: &str = "application/vnd.dev.sigstore.bundle";
/// A DSSE envelope layer (cosign `.att`).
pub const DSSE_ENVELOPE: &str = "application/vnd.dsse.envelope.v1+json";
/// An in-toto statement layer (BuildKit attestations, unsigned).
pub const IN_TOTO: &str = "application/vnd.in-toto+json";
/// cosign's simple-signing payload layer (`.sig`).
pub const COSIGN_SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The empty config descriptor media type of OCI artifacts.
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// cosign annotation: base64 signature over the layer.
pub const ANN_COSIGN_SIGNATURE: &str = "dev.cosignproject.cosign/signature";
/// cosign annotation: the PEM signing certificate (keyless).
pub const ANN_COSIGN_CERTIFICATE: &str = "dev.sigstore.cosign/certificate";
/// cosign annotation: the PEM certificate chain (keyless).
pub const ANN_COSIGN_CHAIN: &str = "dev.sigstore.cosign/chain";
/// cosign annotation: the Rekor bundle (signed entry timestamp and entry).
pub const ANN_COSIGN_BUNDLE: &str = "dev.sigstore.cosign/bundle";
/// cosign annotation: an RFC 3161 timestamp.
pub const ANN_COSIGN_RFC3161: &str = "dev.sigstore.cosign/rfc3161timestamp";
/// BuildKit: the kind of a manifest in an index (`attestation-manifest`).
pub const ANN_DOCKER_REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// BuildKit: the manifest an attestation manifest is about.
pub const ANN_DOCKER_REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
/// in-toto: the predicate type of a statement layer.
pub const ANN_PREDICATE_TYPE: &str = "in-toto.io/predicate-type";
/// OCI: the tag of a manifest in a layout's `index.json`.
pub const ANN_REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Why an OCI document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OciError {
    /// Larger than the limit for its kind.
    #[error("{what} is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// What was read.
        what: String,
        /// Its size (or the size at which reading stopped).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Not strict JSON.
    #[error("not a valid OCI document: {0}")]
    Json(#[from] JsonError),
    /// A digest that is not `ALGORITHM:HEX`.
    #[error("digest {value:.80?} is not algorithm:hex")]
    DigestForm {
        /// The digest as written.
        value: String,
    },
    /// A digest algorithm other than sha256 and sha512.
    #[error("digest algorithm {algorithm:.40?} is not sha256 or sha512")]
    DigestAlgorithm {
        /// The algorithm as written.
        algorithm: String,
    },
    /// A digest with upper-case hex (the spec requires lower case).
    #[error("digest {value:.80?} is not lowercase hex")]
    DigestCase {
        /// The digest as written.
        value: String,
    },
    /// A digest whose hex has the wrong length or characters.
    #[error(transparent)]
    Digest(#[from] provenant_model::DigestError),
    /// A member of a document or descriptor is missing or of the wrong type.
    #[error("{what}{}{problem}", problem.separator())]
    Member {
        /// The document or descriptor (`index manifests[2]`).
        what: String,
        /// What is wrong.
        problem: MemberProblem,
    },
    /// A descriptor's digest was refused.
    #[error("{what}: {source}")]
    DescriptorDigest {
        /// The descriptor.
        what: String,
        /// Why its digest was refused.
        #[source]
        source: Box<OciError>,
    },
    /// More descriptors than [`MAX_DESCRIPTORS`].
    #[error("{what} lists {count} {key}, over the limit of {limit}")]
    TooManyDescriptors {
        /// The document.
        what: String,
        /// The list (`layers`, `manifests`).
        key: String,
        /// How many it lists.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A manifest that is not a JSON object.
    #[error("manifest is not a JSON object")]
    ManifestNotAnObject,
    /// A manifest whose `schemaVersion` is not 2.
    #[error("manifest schemaVersion is not 2 (schema 1 manifests are not read)")]
    SchemaVersion,
    /// The declared media type differs from the one the registry served.
    #[error("manifest declares media type {declared} but was served as {served}")]
    MediaTypeMismatch {
        /// `mediaType` in the document.
        declared: String,
        /// What the registry (or the referring descriptor) said.
        served: String,
    },
    /// A document that could be read as an image manifest and as an index.
    #[error("manifest has both layers and manifests: it could be read as an image or an index")]
    Ambiguous,
    /// A media type that is neither a manifest nor an index.
    #[error("unsupported manifest media type {media_type:.120}")]
    UnsupportedMediaType {
        /// The media type as declared.
        media_type: String,
    },
    /// An index with `config` or `layers`.
    #[error("an index has config or layers")]
    IndexWithLayers,
    /// An image manifest with a `manifests` list.
    #[error("an image manifest has a manifests list")]
    ImageWithManifests,
    /// An image manifest without `config`.
    #[error("image manifest has no config")]
    NoConfig,
    /// A simple-signing payload missing a member (`critical.type`).
    #[error("simple-signing payload has no {0}")]
    SimpleSigningMissing(&'static str),
    /// A simple-signing payload of another type.
    #[error("simple-signing payload type is {found:.80?}, not {SIMPLE_SIGNING_TYPE:?}")]
    SimpleSigningType {
        /// `critical.type` as found.
        found: String,
    },
    /// `docker save`'s `manifest.json` is not a list.
    #[error("docker-archive manifest.json is not a list")]
    DockerSaveNotAList,
    /// `docker save`'s `manifest.json` lists more than [`MAX_DESCRIPTORS`] images.
    #[error("docker-archive manifest.json lists too many images")]
    DockerSaveTooMany {
        /// How many it lists.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A `manifest.json` member of the wrong type, or missing.
    #[error("manifest.json {0}")]
    DockerSaveMember(DockerSaveProblem),
}

/// What is wrong with a member of an OCI document or descriptor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemberProblem {
    /// The descriptor is not a JSON object.
    #[error("is not an object")]
    NotAnObject,
    /// A required member is absent (`mediaType`, `digest`, `non-negative integer size`).
    #[error("has no {0}")]
    Missing(&'static str),
    /// A required list is absent.
    #[error("has no {0} list")]
    MissingList(String),
    /// A member that must be a string is not.
    #[error("{0} is not a string")]
    NotAString(String),
    /// An annotation whose value is not a string.
    #[error("annotation {0:.80?} is not a string")]
    Annotation(String),
    /// `annotations` is not an object.
    #[error("annotations is not an object")]
    AnnotationsNotAnObject,
    /// The platform lacks `os` or `architecture`.
    #[error("platform has no {0}")]
    Platform(&'static str),
}

impl MemberProblem {
    /// `" "` before what the member itself lacks, `": "` before a problem of one of its members.
    fn separator(&self) -> &'static str {
        match self {
            Self::NotAnObject | Self::Missing(_) | Self::MissingList(_) => " ",
            _ => ": ",
        }
    }
}

/// What is wrong with an entry of `docker save`'s `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DockerSaveProblem {
    /// A list (`RepoTags`, `Layers`) holding a non-string.
    #[error("{0} holds a non-string")]
    NonString(String),
    /// `RepoTags` or `Layers` is not a list.
    #[error("{0} is not a list")]
    NotAList(String),
    /// An entry without `Config`.
    #[error("entry has no Config")]
    NoConfig,
}

fn member(what: &str, problem: MemberProblem) -> OciError {
    OciError::Member {
        what: what.to_owned(),
        problem,
    }
}

/// A platform (from an index entry).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Platform {
    /// `linux`, `windows`, ...
    pub os: String,
    /// `amd64`, `arm64`, ...
    pub architecture: String,
    /// `v7`, `v8`, ... when given.
    pub variant: Option<String>,
}

impl Platform {
    /// Parse `os/arch[/variant]`.
    pub fn parse(s: &str) -> Option<Platform> {
        let mut it = s.split('/');
        let os = it.next().filter(|x| !x.is_empty())?;
        let architecture = it.next().filter(|x| !x.is_empty())?;
        let variant = it.next().map(str::to_owned);
        if it.next().is_some() || variant.as_deref() == Some("") {
            return None;
        }
        Some(Platform {
            os: os.into(),
            architecture: architecture.into(),
            variant,
        })
    }

    /// Whether `self` (what the user asked for) selects `other` (an index entry's platform):
    /// a variant is compared only when the user named one.
    pub fn selects(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.architecture == other.architecture
            && (self.variant.is_none() || self.variant == other.variant)
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Descriptor {
    /// Media type.
    pub media_type: String,
    /// Content digest.
    pub digest: Digest,
    /// Size in bytes.
    pub size: u64,
    /// Annotations.
    pub annotations: BTreeMap<String, String>,
    /// OCI 1.1 artifact type, when given.
    pub artifact_type: Option<String>,
    /// Platform, for index entries.
    pub platform: Option<Platform>,
}

impl Descriptor {
    /// An annotation's value.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.get(key).map(String::as_str)
    }
}

/// What a manifest document is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestKind {
    /// An image (or artifact) manifest: config and layers.
    Image {
        /// The config descriptor.
        config: Descriptor,
        /// Layers, in order.
        layers: Vec<Descriptor>,
    },
    /// An index (or Docker manifest list).
    Index {
        /// Its entries.
        manifests: Vec<Descriptor>,
    },
}

/// A parsed manifest or index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The media type it declares (or the one it was served as, when it declares none).
    pub media_type: String,
    /// OCI 1.1 artifact type.
    pub artifact_type: Option<String>,
    /// OCI 1.1 subject: the manifest this one refers to.
    pub subject: Option<Descriptor>,
    /// Annotations.
    pub annotations: BTreeMap<String, String>,
    /// Image or index.
    pub kind: ManifestKind,
}

impl Manifest {
    /// Whether it is an index.
    pub fn is_index(&self) -> bool {
        matches!(self.kind, ManifestKind::Index { .. })
    }

    /// Its layers (empty for an index).
    pub fn layers(&self) -> &[Descriptor] {
        match &self.kind {
            ManifestKind::Image { layers, .. } => layers,
            ManifestKind::Index { .. } => &[],
        }
    }

    /// Its entries (empty for an image manifest).
    pub fn entries(&self) -> &[Descriptor] {
        match &self.kind {
            ManifestKind::Index { manifests } => manifests,
            ManifestKind::Image { .. } => &[],
        }
    }

    /// The artifact type: `artifactType`, else the config media type (OCI 1.1's rule).
    pub fn effective_artifact_type(&self) -> Option<&str> {
        if let Some(t) = &self.artifact_type {
            return Some(t);
        }
        match &self.kind {
            ManifestKind::Image { config, .. } if config.media_type != OCI_EMPTY => {
                Some(&config.media_type)
            }
            _ => None,
        }
    }
}

/// Parse an OCI digest string (`sha256:<hex>` or `sha512:<hex>`, lowercase as the spec requires).
pub fn parse_oci_digest(s: &str) -> Result<Digest, OciError> {
    let (alg, hex) = s.split_once(':').ok_or_else(|| OciError::DigestForm {
        value: s.to_owned(),
    })?;
    let algorithm = match alg {
        "sha256" => DigestAlgorithm::Sha256,
        "sha512" => DigestAlgorithm::Sha512,
        _ => {
            return Err(OciError::DigestAlgorithm {
                algorithm: alg.to_owned(),
            })
        }
    };
    if hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(OciError::DigestCase {
            value: s.to_owned(),
        });
    }
    Ok(Digest::from_hex(algorithm, hex)?)
}

fn str_field<'a>(v: &'a Value, key: &str, what: &str) -> Result<Option<&'a str>, OciError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(member(what, MemberProblem::NotAString(key.to_owned()))),
    }
}

fn annotations(v: &Value, what: &str) -> Result<BTreeMap<String, String>, OciError> {
    match v.get("annotations") {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(member(what, MemberProblem::Annotation(k.clone()))),
            })
            .collect(),
        Some(_) => Err(member(what, MemberProblem::AnnotationsNotAnObject)),
    }
}

/// Parse one descriptor.
pub fn descriptor_from_value(v: &Value, what: &str) -> Result<Descriptor, OciError> {
    if !v.is_object() {
        return Err(member(what, MemberProblem::NotAnObject));
    }
    let media_type = str_field(v, "mediaType", what)?
        .ok_or_else(|| member(what, MemberProblem::Missing("mediaType")))?
        .to_owned();
    let digest = parse_oci_digest(
        str_field(v, "digest", what)?
            .ok_or_else(|| member(what, MemberProblem::Missing("digest")))?,
    )
    .map_err(|e| OciError::DescriptorDigest {
        what: what.to_owned(),
        source: Box::new(e),
    })?;
    let size = v
        .get("size")
        .and_then(Value::as_u64)
        .ok_or_else(|| member(what, MemberProblem::Missing("non-negative integer size")))?;
    let platform = match v.get("platform") {
        None | Some(Value::Null) => None,
        Some(p) => Some(Platform {
            os: str_field(p, "os", what)?
                .ok_or_else(|| member(what, MemberProblem::Platform("os")))?
                .into(),
            architecture: str_field(p, "architecture", what)?
                .ok_or_else(|| member(what, MemberProblem::Platform("architecture")))?
                .into(),
            variant: str_field(p, "variant", what)?.map(str::to_owned),
        }),
    };
    Ok(Descriptor {
        media_type,
        digest,
        size,
        annotations: annotations(v, what)?,
        artifact_type: str_field(v, "artifactType", what)?.map(str::to_owned),
        platform,
    })
}

fn descriptors(v: &Value, key: &str, what: &str) -> Result<Vec<Descriptor>, OciError> {
    let list = v
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| member(what, MemberProblem::MissingList(key.to_owned())))?;
    if list.len() > MAX_DESCRIPTORS {
        return Err(OciError::TooManyDescriptors {
            what: what.to_owned(),
            key: key.to_owned(),
            count: list.len(),
            limit: MAX_DESCRIPTORS,
        });
    }
    list.iter()
        .enumerate()
        .map(|(i, d)| descriptor_from_value(d, &format!("{what} {key}[{i}]")))
        .collect()
}

/// Parse a manifest or index. `served_as` is the media type the registry (or the referring
/// descriptor) gave it; when the document declares one too, they must agree.
pub fn parse_manifest(bytes: &[u8], served_as: Option<&str>) -> Result<Manifest, OciError> {
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(OciError::TooLarge {
            what: "manifest".into(),
            size: bytes.len() as u64,
            limit: MAX_MANIFEST_BYTES,
        });
    }
    let v = parse_strict(bytes)?;
    if !v.is_object() {
        return Err(OciError::ManifestNotAnObject);
    }
    if v.get("schemaVersion").and_then(Value::as_u64) != Some(2) {
        return Err(OciError::SchemaVersion);
    }
    let declared = str_field(&v, "mediaType", "manifest")?;
    let served = served_as
        .map(|s| s.split(';').next().unwrap_or(s).trim())
        .filter(|s| MANIFEST_MEDIA_TYPES.contains(s));
    if let (Some(d), Some(s)) = (declared, served) {
        if d != s {
            return Err(OciError::MediaTypeMismatch {
                declared: d.to_owned(),
                served: s.to_owned(),
            });
        }
    }
    let has_layers = v.get("layers").is_some() || v.get("config").is_some();
    let has_manifests = v.get("manifests").is_some();
    if has_layers && has_manifests {
        return Err(OciError::Ambiguous);
    }
    let media_type = declared.or(served);
    let is_index = match media_type {
        Some(OCI_INDEX | DOCKER_MANIFEST_LIST) => true,
        Some(OCI_MANIFEST | DOCKER_MANIFEST) => false,
        Some(other) => {
            return Err(OciError::UnsupportedMediaType {
                media_type: other.to_owned(),
            })
        }
        // OCI allows mediaType to be absent; decide by shape.
        None => has_manifests,
    };
    let kind = if is_index {
        if has_layers {
            return Err(OciError::IndexWithLayers);
        }
        ManifestKind::Index {
            manifests: descriptors(&v, "manifests", "index")?,
        }
    } else {
        if has_manifests {
            return Err(OciError::ImageWithManifests);
        }
        let config = v
            .get("config")
            .ok_or(OciError::NoConfig)
            .and_then(|c| descriptor_from_value(c, "manifest config"))?;
        ManifestKind::Image {
            config,
            layers: descriptors(&v, "layers", "manifest")?,
        }
    };
    let subject = match v.get("subject") {
        None | Some(Value::Null) => None,
        Some(s) => Some(descriptor_from_value(s, "manifest subject")?),
    };
    Ok(Manifest {
        media_type: media_type
            .unwrap_or(if is_index { OCI_INDEX } else { OCI_MANIFEST })
            .to_owned(),
        artifact_type: str_field(&v, "artifactType", "manifest")?.map(str::to_owned),
        subject,
        annotations: annotations(&v, "manifest")?,
        kind,
    })
}

/// cosign's simple-signing payload: what a `.sig` signature says it signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleSigning {
    /// `critical.image.docker-manifest-digest`: the image the signature is for.
    pub manifest_digest: Digest,
    /// `critical.identity.docker-reference`: the repository it was signed under.
    pub docker_reference: String,
    /// `critical.type`.
    pub kind: String,
    /// `optional`: unsigned-by-convention annotations (they are inside the signed payload).
    pub optional: BTreeMap<String, String>,
}

/// The `critical.type` cosign writes.
pub const SIMPLE_SIGNING_TYPE: &str = "cosign container image signature";

/// Parse a simple-signing payload. Strict: duplicate keys are refused, and the type must be
/// cosign's container image signature (compared case-insensitively, as cosign does).
pub fn parse_simple_signing(bytes: &[u8]) -> Result<SimpleSigning, OciError> {
    let v = parse_strict(bytes)?;
    let critical = v
        .get("critical")
        .filter(|c| c.is_object())
        .ok_or(OciError::SimpleSigningMissing("critical object"))?;
    let kind = critical
        .get("type")
        .and_then(Value::as_str)
        .ok_or(OciError::SimpleSigningMissing("critical.type"))?;
    if !kind.eq_ignore_ascii_case(SIMPLE_SIGNING_TYPE) {
        return Err(OciError::SimpleSigningType {
            found: kind.to_owned(),
        });
    }
    let digest = critical
        .pointer("/image/docker-manifest-digest")
        .and_then(Value::as_str)
        .ok_or(OciError::SimpleSigningMissing(
            "critical.image.docker-manifest-digest",
        ))?;
    let docker_reference = critical
        .pointer("/identity/docker-reference")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let optional = match v.get("optional") {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                let s = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), s)
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    Ok(SimpleSigning {
        manifest_digest: parse_oci_digest(digest)?,
        docker_reference,
        kind: kind.to_owned(),
        optional,
    })
}

/// One entry of `docker save`'s `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerSaveEntry {
    /// Path of the config blob in the archive.
    pub config: String,
    /// Tags it was saved under.
    pub repo_tags: Vec<String>,
    /// Paths of the layer tarballs in the archive.
    pub layers: Vec<String>,
}

/// Parse `docker save`'s `manifest.json`.
pub fn parse_docker_save_manifest(bytes: &[u8]) -> Result<Vec<DockerSaveEntry>, OciError> {
    let v = parse_strict(bytes)?;
    let list = v.as_array().ok_or(OciError::DockerSaveNotAList)?;
    if list.len() > MAX_DESCRIPTORS {
        return Err(OciError::DockerSaveTooMany {
            count: list.len(),
            limit: MAX_DESCRIPTORS,
        });
    }
    let strings = |e: &Value, key: &str| -> Result<Vec<String>, OciError> {
        match e.get(key) {
            None | Some(Value::Null) => Ok(vec![]),
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| {
                    x.as_str().map(str::to_owned).ok_or_else(|| {
                        OciError::DockerSaveMember(DockerSaveProblem::NonString(key.to_owned()))
                    })
                })
                .collect(),
            Some(_) => Err(OciError::DockerSaveMember(DockerSaveProblem::NotAList(
                key.to_owned(),
            ))),
        }
    };
    list.iter()
        .map(|e| {
            Ok(DockerSaveEntry {
                config: e
                    .get("Config")
                    .and_then(Value::as_str)
                    .ok_or(OciError::DockerSaveMember(DockerSaveProblem::NoConfig))?
                    .to_owned(),
                repo_tags: strings(e, "RepoTags")?,
                layers: strings(e, "Layers")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_what_was_found_and_read_as_before() {
        let msg = |r: Result<Digest, OciError>| r.unwrap_err().to_string();
        assert_eq!(
            parse_oci_digest("md5:ab"),
            Err(OciError::DigestAlgorithm {
                algorithm: "md5".into()
            })
        );
        assert_eq!(
            msg(parse_oci_digest("md5:ab")),
            "digest algorithm \"md5\" is not sha256 or sha512"
        );
        assert_eq!(
            msg(parse_oci_digest("nocolon")),
            "digest \"nocolon\" is not algorithm:hex"
        );
        let upper = format!("sha256:{}", "A".repeat(64));
        assert_eq!(
            msg(parse_oci_digest(&upper)),
            format!("digest {upper:?} is not lowercase hex")
        );
        let d = |v: serde_json::Value| descriptor_from_value(&v, "index manifests[0]").unwrap_err();
        let e = d(serde_json::json!({"digest": "sha256:00", "size": 1}));
        assert_eq!(e.to_string(), "index manifests[0] has no mediaType");
        let e = d(serde_json::json!({"mediaType": 1}));
        assert_eq!(
            e.to_string(),
            "index manifests[0]: mediaType is not a string"
        );
        let e = d(serde_json::json!({"mediaType": "m", "digest": "x"}));
        assert!(
            matches!(&e, OciError::DescriptorDigest { what, .. } if what == "index manifests[0]")
        );
        assert_eq!(
            e.to_string(),
            "index manifests[0]: digest \"x\" is not algorithm:hex"
        );
        let e = parse_manifest(
            br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#,
            Some(OCI_MANIFEST),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("manifest declares media type {OCI_INDEX} but was served as {OCI_MANIFEST}")
        );
    }

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn desc(mt: &str) -> String {
        format!(r#"{{"mediaType":"{mt}","digest":"{D}","size":0}}"#)
    }

    #[test]
    fn image_and_index() {
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{},"layers":[{}]}}"#,
            desc(OCI_EMPTY),
            desc(COSIGN_SIMPLE_SIGNING)
        );
        let p = parse_manifest(m.as_bytes(), Some(OCI_MANIFEST)).unwrap();
        assert_eq!(p.layers().len(), 1);
        assert!(!p.is_index());
        let i = format!(
            r#"{{"schemaVersion":2,"manifests":[{}]}}"#,
            desc(OCI_MANIFEST)
        );
        assert!(parse_manifest(i.as_bytes(), None).unwrap().is_index());
    }

    #[test]
    fn refuses_ambiguous_and_mismatched() {
        let both = format!(
            r#"{{"schemaVersion":2,"config":{},"layers":[],"manifests":[]}}"#,
            desc(OCI_EMPTY)
        );
        assert!(parse_manifest(both.as_bytes(), None).is_err());
        let m = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[]}}"#);
        assert!(parse_manifest(m.as_bytes(), Some(OCI_MANIFEST)).is_err());
        let upper = D.to_ascii_uppercase().replace("SHA256", "sha256");
        assert!(parse_oci_digest(&upper).is_err());
        assert!(parse_oci_digest("md5:00").is_err());
    }

    #[test]
    fn simple_signing() {
        let p = format!(
            r#"{{"critical":{{"identity":{{"docker-reference":"r/x"}},"image":{{"docker-manifest-digest":"{D}"}},"type":"cosign container image signature"}},"optional":null}}"#
        );
        let s = parse_simple_signing(p.as_bytes()).unwrap();
        assert_eq!(s.manifest_digest.to_string(), D);
        assert!(parse_simple_signing(p.replace("cosign container", "other").as_bytes()).is_err());
    }

    #[test]
    fn platforms() {
        let want = Platform::parse("linux/arm64").unwrap();
        assert!(want.selects(&Platform::parse("linux/arm64/v8").unwrap()));
        assert!(!Platform::parse("linux/arm64/v8").unwrap().selects(&want));
        assert!(Platform::parse("linux").is_none());
    }
}
