//! Recording a collection and replaying it offline.
//!
//! `audit run` collects an image through a [`Recorder`]: every answer the registry or layout
//! gave (manifests, blobs, referrer lists, errors) is written down, and the bytes are kept by
//! SHA-256 for the evidence pack. `audit replay` (and the run itself, right after collecting)
//! runs the *same* collection code against a [`Replayer`] that serves those answers back: the
//! digest of every manifest and blob is checked again, and a request the recording does not
//! hold is an error, never an empty answer. So a colleague re-performs the collection of the
//! image, not just the verification of what was found.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use provenant_formats::oci::Descriptor;
use provenant_model::Digest;

use crate::reference::Selector;
use crate::registry::ReferrersAnswer;
use crate::store::{check_digest, sha256_digest, Fetched};
use crate::CollectError;

/// The format of a [`Recording`]; a replay refuses any other.
pub const RECORDING_FORMAT: u32 = 1;

/// The most requests one recording holds (manifests, blobs and referrer lists together).
pub const MAX_RECORDED_REQUESTS: usize = 10_000;

/// An error as recorded: its kind and message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedError {
    /// `usage`, `unreachable`, `auth`, `not-found`, `invalid`, `inconsistent` or `runtime`.
    pub kind: String,
    /// The message.
    pub message: String,
}

impl From<&CollectError> for RecordedError {
    fn from(e: &CollectError) -> Self {
        let (kind, message) = match e {
            CollectError::Usage(m) => ("usage", m.clone()),
            CollectError::Unreachable(m) => ("unreachable", m.clone()),
            CollectError::Auth(m) => ("auth", m.clone()),
            CollectError::NotFound(m) => ("not-found", m.clone()),
            CollectError::Invalid(m) => ("invalid", m.clone()),
            CollectError::Inconsistent(m) => ("inconsistent", m.clone()),
            CollectError::Runtime(m) => ("runtime", m.clone()),
        };
        Self {
            kind: kind.to_owned(),
            message,
        }
    }
}

impl From<&RecordedError> for CollectError {
    fn from(e: &RecordedError) -> Self {
        let m = e.message.clone();
        match e.kind.as_str() {
            "usage" => CollectError::Usage(m),
            "unreachable" => CollectError::Unreachable(m),
            "auth" => CollectError::Auth(m),
            "not-found" => CollectError::NotFound(m),
            "invalid" => CollectError::Invalid(m),
            "inconsistent" => CollectError::Inconsistent(m),
            "runtime" => CollectError::Runtime(m),
            other => CollectError::Invalid(format!(
                "the recording holds an error of unknown kind {other:?}: {m}"
            )),
        }
    }
}

/// A manifest as it was served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestRecord {
    /// The digest it was served as (checked again on replay).
    pub digest: Digest,
    /// SHA-256 of its bytes (lowercase hex): where the pack keeps them.
    pub sha256: String,
    /// The media type it was served with.
    pub media_type: Option<String>,
    /// Where it came from.
    pub location: String,
}

/// A referrers answer as it was given: `None` when the source has no referrers API.
pub type ReferrersRecord = Option<Vec<Descriptor>>;

/// How the reference was opened: the selector the collection starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opened {
    /// The tag or digest the reference resolved to when the store was opened (a layout's
    /// index entry, or the registry reference's own selector).
    pub selector: SelectorRecord,
    /// The store's location, as evidence locations name it.
    pub location: String,
}

/// A [`Selector`], serialisable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum SelectorRecord {
    /// A tag.
    Tag(String),
    /// A digest.
    Digest(Digest),
}

impl From<&Selector> for SelectorRecord {
    fn from(s: &Selector) -> Self {
        match s {
            Selector::Tag(t) => Self::Tag(t.clone()),
            Selector::Digest(d) => Self::Digest(d.clone()),
        }
    }
}

impl From<&SelectorRecord> for Selector {
    fn from(s: &SelectorRecord) -> Self {
        match s {
            SelectorRecord::Tag(t) => Selector::Tag(t.clone()),
            SelectorRecord::Digest(d) => Selector::Digest(d.clone()),
        }
    }
}

fn selector_key(s: &Selector) -> String {
    match s {
        Selector::Tag(t) => format!("tag:{t}"),
        Selector::Digest(d) => format!("digest:{d}"),
    }
}

/// Everything a source answered during one collection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    /// [`RECORDING_FORMAT`].
    pub format: u32,
    /// The reference as given.
    pub reference: String,
    /// How it was opened, or why it could not be.
    pub opened: Option<Result<Opened, RecordedError>>,
    /// Manifests by request (`tag:<tag>` or `digest:<digest>`).
    pub manifests: BTreeMap<String, Result<Option<ManifestRecord>, RecordedError>>,
    /// Blobs by digest: SHA-256 of the bytes, or the error.
    pub blobs: BTreeMap<String, Result<String, RecordedError>>,
    /// Referrer lists by digest.
    pub referrers: BTreeMap<String, Result<ReferrersRecord, RecordedError>>,
    /// Set when the collection as a whole failed (a deadline, an unreachable source): the
    /// replay gives this error without asking anything.
    pub failed: Option<RecordedError>,
}

impl Recording {
    /// A recording as stored, checked for its format and size.
    pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
        let r: Recording = provenant_formats::json::parse_strict(bytes)
            .map_err(|e| e.to_string())
            .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
            .map_err(|e| format!("the image recording is not readable: {e}"))?;
        if r.format != RECORDING_FORMAT {
            return Err(format!(
                "the image recording has format {}, this provenant reads {RECORDING_FORMAT}",
                r.format
            ));
        }
        if r.manifests.len() + r.blobs.len() + r.referrers.len() > MAX_RECORDED_REQUESTS {
            return Err(format!(
                "the image recording holds more than {MAX_RECORDED_REQUESTS} requests"
            ));
        }
        Ok(r)
    }

    /// The recording as stored (stable: sorted keys).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// SHA-256 (hex) of every byte string the recording names.
    pub fn kept(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .manifests
            .values()
            .filter_map(|m| m.as_ref().ok().and_then(Option::as_ref))
            .map(|m| m.sha256.clone())
            .chain(self.blobs.values().filter_map(|b| b.as_ref().ok().cloned()))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    sha256_digest(bytes).hex().to_owned()
}

/// Writes down what a live store answers.
#[derive(Debug, Default)]
pub struct Recorder {
    recording: Mutex<Recording>,
    bytes: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Recorder {
    /// A recorder for `reference`.
    pub fn new(reference: &str) -> Self {
        Self {
            recording: Mutex::new(Recording {
                format: RECORDING_FORMAT,
                reference: reference.to_owned(),
                ..Recording::default()
            }),
            bytes: Mutex::new(BTreeMap::new()),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Recording) -> T) -> Option<T> {
        self.recording.lock().ok().map(|mut r| f(&mut r))
    }

    fn keep(&self, bytes: &[u8]) -> String {
        let sha = hex_sha256(bytes);
        if let Ok(mut b) = self.bytes.lock() {
            b.entry(sha.clone()).or_insert_with(|| bytes.to_vec());
        }
        sha
    }

    /// Record how the reference was opened.
    pub fn opened(&self, r: Result<Opened, &CollectError>) {
        let r = r.map_err(RecordedError::from);
        self.with(|rec| rec.opened = Some(r));
    }

    /// Record that the collection as a whole failed.
    pub fn failed(&self, e: &CollectError) {
        let e = RecordedError::from(e);
        self.with(|rec| rec.failed = Some(e));
    }

    /// Record a manifest answer.
    pub fn manifest(&self, selector: &Selector, r: &Result<Option<Fetched>, CollectError>) {
        let rec = match r {
            Ok(Some(f)) => Ok(Some(ManifestRecord {
                digest: f.digest.clone(),
                sha256: self.keep(&f.bytes),
                media_type: f.media_type.clone(),
                location: f.location.clone(),
            })),
            Ok(None) => Ok(None),
            Err(e) => Err(RecordedError::from(e)),
        };
        self.with(|r| r.manifests.insert(selector_key(selector), rec));
    }

    /// Record a blob answer.
    pub fn blob(&self, desc: &Descriptor, r: &Result<Vec<u8>, CollectError>) {
        let rec = match r {
            Ok(b) => Ok(self.keep(b)),
            Err(e) => Err(RecordedError::from(e)),
        };
        self.with(|r| r.blobs.insert(desc.digest.to_string(), rec));
    }

    /// Record a referrers answer.
    pub fn referrers(&self, digest: &Digest, r: &Result<ReferrersAnswer, CollectError>) {
        let rec = match r {
            Ok(ReferrersAnswer::Listed(ds)) => Ok(Some(ds.clone())),
            Ok(ReferrersAnswer::Unsupported) => Ok(None),
            Err(e) => Err(RecordedError::from(e)),
        };
        self.with(|r| r.referrers.insert(digest.to_string(), rec));
    }

    /// The recording and the bytes it names, by SHA-256.
    pub fn finish(self) -> (Recording, BTreeMap<String, Vec<u8>>) {
        (
            self.recording.into_inner().unwrap_or_default(),
            self.bytes.into_inner().unwrap_or_default(),
        )
    }
}

/// Serves a recording's answers back, checking every digest again.
#[derive(Debug)]
pub struct Replayer {
    recording: Recording,
    bytes: BTreeMap<String, Vec<u8>>,
}

fn not_recorded(what: &str) -> CollectError {
    CollectError::Invalid(format!(
        "the recording of the image does not hold {what}: it was not asked when the image was collected"
    ))
}

impl Replayer {
    /// A replayer of `recording`, with the bytes it names found through `bytes` (SHA-256
    /// hex → bytes); a name `bytes` cannot give is an error when (and only if) it is asked.
    pub fn new(recording: Recording, bytes: &dyn Fn(&str) -> Option<Vec<u8>>) -> Self {
        let bytes = recording
            .kept()
            .into_iter()
            .filter_map(|sha| bytes(&sha).map(|b| (sha, b)))
            .collect();
        Self { recording, bytes }
    }

    /// The recording served.
    pub fn recording(&self) -> &Recording {
        &self.recording
    }

    fn load(&self, sha256: &str, what: &str) -> Result<Vec<u8>, CollectError> {
        let b = self.bytes.get(sha256).cloned().ok_or_else(|| {
            CollectError::Invalid(format!("{what}: its bytes (sha256 {sha256}) are missing"))
        })?;
        if hex_sha256(&b) != sha256 {
            return Err(CollectError::Invalid(format!(
                "{what}: its bytes do not hash to sha256 {sha256}"
            )));
        }
        Ok(b)
    }

    /// The location the store had.
    pub fn location(&self) -> String {
        match &self.recording.opened {
            Some(Ok(o)) => o.location.clone(),
            _ => self.recording.reference.clone(),
        }
    }

    /// A manifest, as recorded; its bytes must hash to the digest it was served as.
    pub fn manifest(&self, selector: &Selector) -> Result<Option<Fetched>, CollectError> {
        let key = selector_key(selector);
        let rec = self
            .recording
            .manifests
            .get(&key)
            .ok_or_else(|| not_recorded(&format!("the manifest {key}")))?;
        match rec {
            Err(e) => Err(e.into()),
            Ok(None) => Ok(None),
            Ok(Some(m)) => {
                if let Selector::Digest(d) = selector {
                    if *d != m.digest {
                        return Err(CollectError::Invalid(format!(
                            "{}: recorded as {}, asked as {d}",
                            m.location, m.digest
                        )));
                    }
                }
                let bytes = self.load(&m.sha256, &m.location)?;
                check_digest(&bytes, &m.digest, &m.location)?;
                Ok(Some(Fetched {
                    digest: m.digest.clone(),
                    bytes,
                    media_type: m.media_type.clone(),
                    location: m.location.clone(),
                }))
            }
        }
    }

    /// A blob, as recorded; bounded by `limit` and its descriptor's size, digest checked.
    pub fn blob(&self, desc: &Descriptor, limit: u64) -> Result<Vec<u8>, CollectError> {
        let what = format!("blob {}@{}", self.location(), desc.digest);
        let rec = self
            .recording
            .blobs
            .get(&desc.digest.to_string())
            .ok_or_else(|| not_recorded(&what))?;
        match rec {
            Err(e) => Err(e.into()),
            Ok(sha) => {
                if desc.size > limit {
                    return Err(CollectError::Invalid(format!(
                        "{what} is declared {} bytes, over the {limit}-byte limit",
                        desc.size
                    )));
                }
                let bytes = self.load(sha, &what)?;
                if bytes.len() as u64 != desc.size {
                    return Err(CollectError::Invalid(format!(
                        "{what} is {} bytes, but its descriptor says {}",
                        bytes.len(),
                        desc.size
                    )));
                }
                check_digest(&bytes, &desc.digest, &what)?;
                Ok(bytes)
            }
        }
    }

    /// A referrers answer, as recorded.
    pub fn referrers(&self, digest: &Digest) -> Result<ReferrersAnswer, CollectError> {
        let rec = self
            .recording
            .referrers
            .get(&digest.to_string())
            .ok_or_else(|| not_recorded(&format!("the referrers of {digest}")))?;
        match rec {
            Err(e) => Err(e.into()),
            Ok(None) => Ok(ReferrersAnswer::Unsupported),
            Ok(Some(ds)) => Ok(ReferrersAnswer::Listed(ds.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(bytes: &[u8]) -> (Recording, BTreeMap<String, Vec<u8>>) {
        let rec = Recorder::new("oci-layout:x");
        let digest = sha256_digest(bytes);
        let sel = Selector::Digest(digest.clone());
        rec.manifest(
            &sel,
            &Ok(Some(Fetched {
                digest,
                bytes: bytes.to_vec(),
                media_type: None,
                location: "x".into(),
            })),
        );
        rec.manifest(
            &Selector::Tag("gone".into()),
            &Err(CollectError::Unreachable("down".into())),
        );
        rec.finish()
    }

    #[test]
    fn a_recording_replays_its_answers_and_checks_every_digest() {
        let (recording, bytes) = recorded(b"{}");
        let recording = Recording::from_json(&{
            let mut r = recording;
            r.format = RECORDING_FORMAT;
            r.to_json()
        })
        .unwrap();
        let sel = Selector::Digest(sha256_digest(b"{}"));
        // The bytes as kept: served back.
        let ok = Replayer::new(recording.clone(), &|s| bytes.get(s).cloned());
        assert_eq!(ok.manifest(&sel).unwrap().unwrap().bytes, b"{}");
        // The error as recorded.
        assert!(matches!(
            ok.manifest(&Selector::Tag("gone".into())),
            Err(CollectError::Unreachable(_))
        ));
        // A request never made: an error, never an empty answer.
        assert!(matches!(
            ok.manifest(&Selector::Tag("other".into())),
            Err(CollectError::Invalid(_))
        ));
        assert!(ok.referrers(&sha256_digest(b"{}")).is_err());
        // Bytes missing, or other bytes under the name: refused.
        let missing = Replayer::new(recording.clone(), &|_| None);
        assert!(missing.manifest(&sel).is_err());
        let swapped = Replayer::new(recording.clone(), &|_| Some(b"[]".to_vec()));
        assert!(swapped.manifest(&sel).is_err());
        // The recording says the manifest is another one than asked.
        let mut lying = recording.clone();
        let key = format!("digest:{}", sha256_digest(b"{}"));
        let other = sha256_digest(b"[]");
        if let Some(Ok(Some(m))) = lying.manifests.get_mut(&key) {
            m.digest = other;
        }
        let lying = Replayer::new(lying, &|s| bytes.get(s).cloned());
        assert!(lying.manifest(&sel).is_err());
    }

    #[test]
    fn a_recording_of_another_format_or_with_duplicate_keys_is_refused() {
        let (mut recording, _) = recorded(b"{}");
        recording.format = 99;
        assert!(Recording::from_json(&recording.to_json()).is_err());
        assert!(Recording::from_json(
            br#"{"format":1,"format":1,"reference":"x","manifests":{},"blobs":{},"referrers":{}}"#
        )
        .is_err());
    }
}
