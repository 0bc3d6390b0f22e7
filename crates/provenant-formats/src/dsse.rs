//! DSSE envelopes (<https://github.com/secure-systems-lab/dsse>) and their pre-authentication encoding.

use base64::Engine as _;
use serde_json::Value;

use crate::json::{parse_strict, JsonError};
use crate::limits::MAX_DSSE_SIGNATURES;

/// The payload type of in-toto statements.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Why an envelope was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DsseError {
    /// Not strict JSON.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// A required field is missing or has the wrong type.
    #[error("DSSE envelope field {0} is missing or not a string")]
    Field(&'static str),
    /// A base64 field does not decode.
    #[error("DSSE envelope field {0} is not valid base64")]
    Base64(&'static str),
    /// No signatures.
    #[error("DSSE envelope has no signatures")]
    NoSignatures,
    /// More signatures than provenant considers.
    #[error("DSSE envelope has {0} signatures; at most {MAX_DSSE_SIGNATURES} are considered")]
    TooManySignatures(usize),
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsseSignature {
    /// The optional, unauthenticated key id hint.
    pub keyid: Option<String>,
    /// The raw signature bytes.
    pub sig: Vec<u8>,
    /// A PEM or base64 certificate carried beside the signature (slsa-github-generator's form).
    pub cert: Option<String>,
}

/// A parsed DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The payload type (authenticated by the signature through PAE).
    pub payload_type: String,
    /// The decoded payload bytes.
    pub payload: Vec<u8>,
    /// The signatures.
    pub signatures: Vec<DsseSignature>,
}

impl Envelope {
    /// The bytes every signature covers.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }
}

/// DSSE v1 pre-authentication encoding: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`,
/// lengths as ASCII decimal byte counts.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Decode standard or URL-safe base64, with or without padding (DSSE allows either).
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s.trim()).ok())
}

/// Parse an envelope from JSON bytes.
pub fn parse_envelope(bytes: &[u8]) -> Result<Envelope, DsseError> {
    envelope_from_value(&parse_strict(bytes)?)
}

/// Read an envelope from an already-parsed JSON value.
pub fn envelope_from_value(v: &Value) -> Result<Envelope, DsseError> {
    let payload_type = v
        .get("payloadType")
        .and_then(Value::as_str)
        .ok_or(DsseError::Field("payloadType"))?
        .to_owned();
    let payload_b64 = v
        .get("payload")
        .and_then(Value::as_str)
        .ok_or(DsseError::Field("payload"))?;
    let payload = decode_base64(payload_b64).ok_or(DsseError::Base64("payload"))?;
    let sigs = v
        .get("signatures")
        .and_then(Value::as_array)
        .ok_or(DsseError::Field("signatures"))?;
    if sigs.is_empty() {
        return Err(DsseError::NoSignatures);
    }
    if sigs.len() > MAX_DSSE_SIGNATURES {
        return Err(DsseError::TooManySignatures(sigs.len()));
    }
    let mut signatures = Vec::with_capacity(sigs.len());
    for s in sigs {
        let sig = s
            .get("sig")
            .and_then(Value::as_str)
            .ok_or(DsseError::Field("signatures[].sig"))?;
        signatures.push(DsseSignature {
            keyid: s
                .get("keyid")
                .and_then(Value::as_str)
                .filter(|k| !k.is_empty())
                .map(str::to_owned),
            sig: decode_base64(sig).ok_or(DsseError::Base64("signatures[].sig"))?,
            cert: s.get("cert").and_then(Value::as_str).map(str::to_owned),
        });
    }
    Ok(Envelope {
        payload_type,
        payload,
        signatures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn parses_and_rejects() {
        let ok =
            br#"{"payloadType":"t","payload":"aGk=","signatures":[{"keyid":"","sig":"AAEC"}]}"#;
        let e = parse_envelope(ok).unwrap();
        assert_eq!(e.payload, b"hi");
        assert_eq!(e.signatures[0].keyid, None);
        assert_eq!(e.signatures[0].sig, vec![0, 1, 2]);
        assert_eq!(
            parse_envelope(br#"{"payloadType":"t","payload":"aGk=","signatures":[]}"#),
            Err(DsseError::NoSignatures)
        );
        assert_eq!(
            parse_envelope(br#"{"payloadType":"t","payload":"***","signatures":[{"sig":"AA=="}]}"#),
            Err(DsseError::Base64("payload"))
        );
        assert!(matches!(
            parse_envelope(
                br#"{"payloadType":"t","payloadType":"u","payload":"","signatures":[]}"#
            ),
            Err(DsseError::Json(JsonError::DuplicateKey(_)))
        ));
    }
}
