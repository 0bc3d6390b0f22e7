//! Sigstore bundles (media types v0.1, v0.2, v0.3), parsed strictly before anything is verified.

use serde_json::Value;

use crate::dsse::{envelope_from_value, DsseError, Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::intoto::{parse_statement, Statement, StatementError};
use crate::json::{parse_strict, JsonError};
use crate::limits::MAX_JSONL_ENTRIES;

/// The bundle media types provenant accepts (both spellings of v0.3).
pub const SUPPORTED_MEDIA_TYPES: &[(&str, BundleVersion)] = &[
    (
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        BundleVersion::V0_1,
    ),
    (
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        BundleVersion::V0_2,
    ),
    (
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
        BundleVersion::V0_3,
    ),
    (
        "application/vnd.dev.sigstore.bundle.v0.3+json",
        BundleVersion::V0_3,
    ),
];

/// A bundle format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleVersion {
    /// v0.1: certificate chain; inclusion proof optional.
    V0_1,
    /// v0.2: inclusion proof with checkpoint required.
    V0_2,
    /// v0.3: a single leaf certificate.
    V0_3,
}

impl BundleVersion {
    /// `0.1`, `0.2` or `0.3`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V0_1 => "0.1",
            Self::V0_2 => "0.2",
            Self::V0_3 => "0.3",
        }
    }
}

/// Why a bundle was rejected before verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// Not strict JSON.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// JSON, but with no `mediaType`: not a Sigstore bundle.
    #[error("not a Sigstore bundle: no mediaType")]
    NotABundle,
    /// A media type provenant does not support.
    #[error("unsupported bundle media type {0:?}")]
    UnsupportedMediaType(String),
    /// The bundle's fields are invalid (sigstore-types' complaint, on one line).
    #[error("invalid bundle: {0}")]
    Invalid(String),
    /// A JSON-lines file with more than [`MAX_JSONL_ENTRIES`] bundles.
    #[error("invalid bundle: more than {limit} bundles in one JSON-lines file")]
    TooManyLines {
        /// The limit.
        limit: usize,
    },
    /// The DSSE envelope inside is invalid.
    #[error("invalid DSSE envelope in bundle: {0}")]
    Dsse(#[from] DsseError),
    /// A bundle's DSSE envelope must carry exactly one signature.
    #[error("bundle DSSE envelope has {0} signatures; a Sigstore bundle carries exactly one")]
    DsseSignatureCount(usize),
}

/// What the bundle signs.
#[derive(Debug, Clone)]
pub enum BundleContent {
    /// A signature over the artifact's bytes (with the digest the signer claims).
    MessageSignature,
    /// A DSSE envelope; for in-toto payloads, the strictly parsed statement (or why it failed).
    Dsse {
        /// The envelope.
        envelope: Envelope,
        /// The statement, when the payload type is in-toto.
        statement: Option<Result<Statement, StatementError>>,
    },
}

/// A bundle that parsed.
#[derive(Debug, Clone)]
pub struct ParsedBundle {
    /// The bundle, as sigstore-verify consumes it.
    pub bundle: sigstore_types::Bundle,
    /// The media type as written.
    pub media_type: String,
    /// The format version.
    pub version: BundleVersion,
    /// Message signature or DSSE.
    pub content: BundleContent,
}

impl ParsedBundle {
    /// `message-signature` or `dsse`.
    pub fn content_name(&self) -> &'static str {
        match self.content {
            BundleContent::MessageSignature => "message-signature",
            BundleContent::Dsse { .. } => "dsse",
        }
    }
}

/// Parse one bundle from JSON bytes.
pub fn parse_bundle(bytes: &[u8]) -> Result<ParsedBundle, BundleError> {
    let value = parse_strict(bytes)?;
    bundle_from_value(&value, bytes)
}

/// Read one bundle from its already strictly parsed JSON `value` and the `bytes` it came from
/// (so callers that have parsed the file once need not parse it again).
pub fn bundle_from_value(value: &Value, bytes: &[u8]) -> Result<ParsedBundle, BundleError> {
    let media_type = value
        .get("mediaType")
        .and_then(Value::as_str)
        .ok_or(BundleError::NotABundle)?
        .to_owned();
    let version = SUPPORTED_MEDIA_TYPES
        .iter()
        .find(|(m, _)| *m == media_type)
        .map(|(_, v)| *v)
        .ok_or_else(|| BundleError::UnsupportedMediaType(media_type.chars().take(120).collect()))?;
    let text = std::str::from_utf8(bytes).map_err(|_| JsonError::Syntax("not UTF-8".into()))?;
    let bundle = sigstore_types::Bundle::from_json(text)
        .map_err(|e| BundleError::Invalid(one_line(&e.to_string())))?;
    let content = match value.get("dsseEnvelope") {
        Some(env) => {
            let envelope = envelope_from_value(env)?;
            if envelope.signatures.len() != 1 {
                return Err(BundleError::DsseSignatureCount(envelope.signatures.len()));
            }
            let statement = (envelope.payload_type == IN_TOTO_PAYLOAD_TYPE)
                .then(|| parse_statement(&envelope.payload));
            BundleContent::Dsse {
                envelope,
                statement,
            }
        }
        None => BundleContent::MessageSignature,
    };
    Ok(ParsedBundle {
        bundle,
        media_type,
        version,
        content,
    })
}

/// Parse a file that holds one bundle, or several as JSON lines (`gh attestation download`).
///
/// Each entry parses (or fails) on its own; a file with no entries at all is an error.
pub fn parse_bundles(bytes: &[u8]) -> Result<Vec<Result<ParsedBundle, BundleError>>, BundleError> {
    match parse_strict(bytes) {
        Ok(v) => return Ok(vec![bundle_from_value(&v, bytes)]),
        Err(JsonError::Syntax(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let mut out = Vec::new();
    for line in bytes.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if out.len() == MAX_JSONL_ENTRIES {
            return Err(BundleError::TooManyLines {
                limit: MAX_JSONL_ENTRIES,
            });
        }
        out.push(parse_bundle(line));
    }
    if out.is_empty()
        || out
            .iter()
            .all(|r| matches!(r, Err(BundleError::Json(JsonError::Syntax(_)))))
    {
        // Not JSON, and not JSON lines either: report the whole-file error.
        return Err(parse_strict(bytes)
            .err()
            .map_or(BundleError::NotABundle, BundleError::Json));
    }
    Ok(out)
}

/// Collapse a multi-line error message onto one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
