//! Trust roots: a Sigstore trusted root (or ClientTrustConfig) file, or an embedded instance.

use serde_json::Value;
use sigstore_trust_root::TrustedRoot;
use sigstore_verify::crypto::VerificationKey;
use sigstore_verify::types::bundle::TransparencyLogEntry;
use sigstore_verify::types::Checkpoint;
use sigstore_verify::Verifier;

use provenant_formats::json::parse_strict;

/// The trusted-root media type.
pub const TRUSTED_ROOT_MEDIA_TYPE: &str =
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
/// The client trust config media type (a trusted root plus a signing config).
pub const CLIENT_TRUST_CONFIG_MEDIA_TYPE: &str =
    "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json";

/// A Sigstore instance whose trusted root provenant embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instance {
    /// The public-good instance (fulcio.sigstore.dev, rekor.sigstore.dev).
    PublicGood,
    /// The staging instance.
    Staging,
    /// GitHub's instance (private-repository attestations; no transparency log).
    GitHub,
}

impl Instance {
    /// Parse a name: `public-good`, `staging`, `github`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "public-good" | "production" => Some(Self::PublicGood),
            "staging" => Some(Self::Staging),
            "github" => Some(Self::GitHub),
            _ => None,
        }
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Self::PublicGood => "public-good",
            Self::Staging => "staging",
            Self::GitHub => "github",
        }
    }

    /// The embedded trusted root's JSON.
    pub fn json(self) -> &'static str {
        match self {
            Self::PublicGood => sigstore_trust_root::SIGSTORE_PRODUCTION_TRUSTED_ROOT,
            Self::Staging => sigstore_trust_root::SIGSTORE_STAGING_TRUSTED_ROOT,
            Self::GitHub => sigstore_trust_root::SIGSTORE_GITHUB_TRUSTED_ROOT,
        }
    }
}

/// Why a trust root could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// Not strict JSON.
    #[error("trusted root is not valid JSON: {0}")]
    Json(#[source] provenant_formats::json::JsonError),
    /// Wrong or missing media type.
    #[error("not a Sigstore trusted root or client trust config: mediaType {0:?}")]
    MediaType(String),
    /// The content is invalid (missing fields, bad keys or certificates, bad validity windows):
    /// sigstore's complaint, on one line.
    #[error("invalid trusted root: {0}")]
    Invalid(String),
    /// A client trust config without its `trustedRoot`.
    #[error("invalid trusted root: client trust config has no trustedRoot")]
    NoTrustedRoot,
    /// A trusted root that lists neither certificate authorities nor transparency logs.
    #[error(
        "invalid trusted root: trusted root has neither certificate authorities nor transparency logs"
    )]
    Empty,
}

/// A loaded, validated trust root, ready to verify with.
pub struct TrustRoot {
    name: String,
    root: TrustedRoot,
    pub(crate) verifier: Verifier,
}

impl std::fmt::Debug for TrustRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustRoot")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl TrustRoot {
    /// Load a trusted root or client trust config from JSON bytes; `name` says where it came from.
    pub fn from_json(bytes: &[u8], name: &str) -> Result<Self, TrustError> {
        let value = parse_strict(bytes).map_err(TrustError::Json)?;
        let media = value
            .get("mediaType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let root_value = match media {
            TRUSTED_ROOT_MEDIA_TYPE => value,
            CLIENT_TRUST_CONFIG_MEDIA_TYPE => {
                let inner = value
                    .get("trustedRoot")
                    .cloned()
                    .ok_or(TrustError::NoTrustedRoot)?;
                let inner_media = inner
                    .get("mediaType")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if inner_media != TRUSTED_ROOT_MEDIA_TYPE {
                    return Err(TrustError::MediaType(
                        inner_media.chars().take(120).collect(),
                    ));
                }
                inner
            }
            other => return Err(TrustError::MediaType(other.chars().take(120).collect())),
        };
        let root: TrustedRoot = serde_json::from_value(root_value).map_err(|e| {
            TrustError::Invalid(provenant_formats::bundle::one_line(&e.to_string()))
        })?;
        Self::from_root(root, name)
    }

    /// An embedded instance's trusted root.
    pub fn embedded(instance: Instance) -> Result<Self, TrustError> {
        Self::from_json(
            instance.json().as_bytes(),
            &format!("embedded:{}", instance.name()),
        )
    }

    fn from_root(root: TrustedRoot, name: &str) -> Result<Self, TrustError> {
        if root.certificate_authorities.is_empty() && root.tlogs.is_empty() {
            return Err(TrustError::Empty);
        }
        let verifier = Verifier::new(&root).map_err(|e| {
            TrustError::Invalid(provenant_formats::bundle::one_line(&e.to_string()))
        })?;
        Ok(Self {
            name: name.to_owned(),
            root,
            verifier,
        })
    }

    /// Where the root came from (`embedded:public-good`, or a path).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the root lists transparency logs (then every signature must be logged).
    pub fn has_tlogs(&self) -> bool {
        !self.root.tlogs.is_empty()
    }

    /// Whether the root lists CT logs (then every Fulcio certificate must carry a valid SCT).
    pub fn has_ctlogs(&self) -> bool {
        !self.root.ctlogs.is_empty()
    }

    /// Check, by provenant's own rule, that the signed checkpoint of `entry`'s inclusion proof
    /// was signed by the key of the log the entry names, that this key was inside its validity
    /// window at `verified_time` (the earliest verified time of the signature), and that the
    /// checkpoint's origin names that log (its base URL's host: `host` for Rekor v2, `host - tree`
    /// for Rekor v1).
    ///
    /// sigstore-verify finds the checkpoint key by its four-byte hint among every key whose
    /// window has *started*, so a retired log key, or another log's key, would still vouch for
    /// inclusion. An entry without an inclusion proof has no checkpoint to check (its signed
    /// entry timestamp is checked against the key valid at its integrated time upstream).
    pub(crate) fn check_checkpoint(
        &self,
        entry: &TransparencyLogEntry,
        verified_time: Option<jiff::Timestamp>,
    ) -> Result<(), CheckpointFault> {
        let Some(proof) = &entry.inclusion_proof else {
            return Ok(());
        };
        let checkpoint = Checkpoint::from_text(proof.checkpoint.envelope())
            .map_err(|e| CheckpointFault::Malformed(e.to_string()))?;
        let log_id = entry.log_id.key_id.as_bytes();
        let log = self
            .root
            .tlogs
            .iter()
            .find(|l| l.log_id.key_id.as_bytes() == log_id)
            .ok_or_else(|| CheckpointFault::UnknownLog {
                log_id: log_id.iter().map(|b| format!("{b:02x}")).collect(),
                root: self.name.clone(),
            })?;
        let key = VerificationKey::from_spki(&log.public_key.raw_bytes).map_err(|e| {
            CheckpointFault::LogKeyUnusable {
                log: log.base_url.clone(),
                detail: e.to_string(),
            }
        })?;
        let signed = checkpoint
            .signatures()
            .iter()
            .any(|sig| key.verify(checkpoint.signed_data(), &sig.signature).is_ok());
        if !signed {
            return Err(CheckpointFault::NotSignedByLog {
                log: log.base_url.clone(),
            });
        }
        if let Some(window) = &log.public_key.valid_for {
            let Some(at) = verified_time else {
                return Err(CheckpointFault::NoVerifiedTime {
                    log: log.base_url.clone(),
                });
            };
            if !window.contains(at) {
                return Err(CheckpointFault::KeyOutsideWindow {
                    log: log.base_url.clone(),
                    start: window.start,
                    end: window.end,
                    at,
                });
            }
        }
        let host = log_host(&log.base_url);
        let origin = checkpoint.origin();
        let names_log = origin == host
            || origin
                .strip_prefix(host)
                .and_then(|rest| rest.strip_prefix(" - "))
                .is_some_and(|tree| !tree.is_empty() && tree.bytes().all(|b| b.is_ascii_digit()));
        if !names_log {
            return Err(CheckpointFault::OriginMismatch {
                origin: origin.to_owned(),
                log: log.base_url.clone(),
            });
        }
        Ok(())
    }

    /// A one-line summary for `inspect`.
    pub fn summary(&self) -> String {
        format!(
            "{} certificate authorities, {} transparency logs, {} CT logs, {} timestamp authorities",
            self.root.certificate_authorities.len(),
            self.root.tlogs.len(),
            self.root.ctlogs.len(),
            self.root.timestamp_authorities.len()
        )
    }
}

/// Why a checkpoint does not vouch for an entry's inclusion.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CheckpointFault {
    /// The checkpoint text does not parse (the parser's complaint).
    #[error("the checkpoint does not parse: {}", provenant_formats::bundle::one_line(.0))]
    Malformed(String),
    /// The entry names a log the trusted root does not list.
    #[error("the entry names log {log_id}, which the trusted root ({root}) does not list")]
    UnknownLog {
        /// The entry's log id, hex.
        log_id: String,
        /// Where the trusted root came from.
        root: String,
    },
    /// The named log's key cannot verify anything.
    #[error("the key of log {log} cannot be used: {detail}")]
    LogKeyUnusable {
        /// The log's base URL.
        log: String,
        /// Why (the key parser's complaint).
        detail: String,
    },
    /// No checkpoint signature verifies with the named log's key.
    #[error(
        "no signature on the checkpoint verifies with the key of {log}, the log the entry names"
    )]
    NotSignedByLog {
        /// The log's base URL.
        log: String,
    },
    /// The log key has a validity window, and the signature no verified time.
    #[error(
        "the key of {log} has a validity window, and the signature has no verified time to place it in"
    )]
    NoVerifiedTime {
        /// The log's base URL.
        log: String,
    },
    /// The log key's validity window does not cover the verified time.
    #[error(
        "the key of {log} is valid from {start} to {}, which does not cover the verified signing time {at}",
        end.map_or_else(|| "open".to_owned(), |e| e.to_string())
    )]
    KeyOutsideWindow {
        /// The log's base URL.
        log: String,
        /// Start of the key's window.
        start: jiff::Timestamp,
        /// End of the key's window (`None`: open).
        end: Option<jiff::Timestamp>,
        /// The verified signing time.
        at: jiff::Timestamp,
    },
    /// The checkpoint origin names another log.
    #[error(
        "the checkpoint's origin {:?} does not name {log}, the log whose key signed it",
        one_line_limited(origin)
    )]
    OriginMismatch {
        /// The checkpoint's origin line.
        origin: String,
        /// The base URL of the log whose key signed it.
        log: String,
    },
}

/// The host of a log's base URL (`https://log2025-1.rekor.sigstore.dev/` ->
/// `log2025-1.rekor.sigstore.dev`), which Rekor uses as its checkpoint origin.
fn log_host(base_url: &str) -> &str {
    let rest = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

fn one_line_limited(s: &str) -> String {
    s.chars()
        .take(120)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_instances_load() {
        for i in [Instance::PublicGood, Instance::Staging, Instance::GitHub] {
            let r = TrustRoot::embedded(i).unwrap();
            assert_eq!(r.has_tlogs(), i != Instance::GitHub);
        }
    }

    #[test]
    fn rejects_wrong_media_type_and_garbage() {
        assert!(matches!(
            TrustRoot::from_json(br#"{"mediaType":"bad"}"#, "t"),
            Err(TrustError::MediaType(_))
        ));
        assert!(matches!(
            TrustRoot::from_json(b"{", "t"),
            Err(TrustError::Json(_))
        ));
        let empty = format!(r#"{{"mediaType":"{TRUSTED_ROOT_MEDIA_TYPE}"}}"#);
        assert!(TrustRoot::from_json(empty.as_bytes(), "t").is_err());
    }

    #[test]
    fn checkpoint_faults_read_as_before_the_typed_variants() {
        let at: jiff::Timestamp = "2025-01-02T00:00:00Z".parse().unwrap();
        let start: jiff::Timestamp = "2025-06-01T00:00:00Z".parse().unwrap();
        let f = CheckpointFault::KeyOutsideWindow {
            log: "https://log".into(),
            start,
            end: None,
            at,
        };
        assert_eq!(
            f.to_string(),
            format!("the key of https://log is valid from {start} to open, which does not cover the verified signing time {at}")
        );
        let f = CheckpointFault::OriginMismatch {
            origin: "evil\nlog".into(),
            log: "https://log".into(),
        };
        assert_eq!(
            f.to_string(),
            "the checkpoint's origin \"evil\u{fffd}log\" does not name https://log, the log whose key signed it"
        );
        assert_eq!(
            TrustError::Empty.to_string(),
            "invalid trusted root: trusted root has neither certificate authorities nor transparency logs"
        );
    }
}
