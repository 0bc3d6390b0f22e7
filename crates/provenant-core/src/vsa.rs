//! Verification Summary Attestations in (`verify artifact --vsa`), as slsa-verifier's
//! `verify-vsa` checks them: a key-signed DSSE envelope whose in-toto statement names the
//! subject, with predicate `https://slsa.dev/verification_summary/v1` from the expected verifier,
//! about the expected resource, PASSED, at the required levels.

use provenant_formats::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use provenant_formats::intoto::{parse_statement, Statement};
use provenant_model::{
    Check, CheckCode, EvidenceKind, EvidenceRef, Report, Subject, SubjectKind, ToolInfo,
};
use provenant_verify::{verify_envelope, PublicKey};
use serde_json::Value;

use crate::pipeline::{TOOL_NAME, TOOL_VERSION};

/// The VSA predicate type.
pub const VSA_V1: &str = "https://slsa.dev/verification_summary/v1";

/// What `verify artifact --vsa` needs.
#[derive(Debug)]
pub struct VsaInputs {
    /// Where the VSA came from.
    pub location: String,
    /// The envelope (or why it could not be read).
    pub envelope: Result<Envelope, VsaReadError>,
    /// Trusted keys.
    pub keys: Vec<PublicKey>,
    /// When given, a valid signature must carry this key id.
    pub key_id: Option<String>,
    /// How many distinct trusted keys must have signed (`--threshold`, at least 1).
    pub threshold: usize,
    /// Subject digests as `(algorithm, value)`: any algorithm (`sha256`, `gce_image_id`, ...).
    pub subject: Vec<(String, String)>,
    /// Expected `verifier.id`.
    pub verifier_id: String,
    /// Expected `resourceUri`.
    pub resource_uri: String,
    /// Required levels.
    pub levels: Vec<String>,
}

/// Why a VSA file yields no envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VsaReadError {
    /// The file is not a DSSE envelope (nor a JSON-lines file holding one).
    Unreadable {
        /// The file.
        location: String,
        /// Why.
        error: provenant_formats::dsse::DsseError,
    },
    /// Its one JSON line is not a DSSE envelope.
    Line(provenant_formats::dsse::DsseError),
    /// It holds several VSAs.
    Several {
        /// The file.
        location: String,
        /// How many lines.
        count: usize,
    },
}

impl std::fmt::Display for VsaReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreadable { location, error } => write!(f, "{location}: {error}"),
            Self::Line(e) => write!(f, "{e}"),
            Self::Several { location, count } => {
                write!(f, "{location}: {count} VSAs in one file; give one")
            }
        }
    }
}

impl std::error::Error for VsaReadError {}

/// How a level string reads.
#[derive(Debug, PartialEq, Eq)]
enum Level<'a> {
    /// `SLSA_<TRACK>_LEVEL_<N>` written canonically: the track and N.
    Slsa(&'a str, u32),
    /// Shaped like an SLSA level but not canonical (`SLSA_BUILD_LEVEL_+3`, `_03`, `_3 `, `_`):
    /// never read as a number, never met.
    Malformed,
    /// Any other verifier's level (`BCID_L1`): compared exactly.
    Other,
}

/// `SLSA_BUILD_LEVEL_3` -> `Slsa("SLSA_BUILD_LEVEL_", 3)`. The number is ASCII digits without
/// a sign or a leading zero, and the track is upper-case letters: anything else shaped like an
/// SLSA level is malformed, never a number `str::parse` would forgive.
fn slsa_level(l: &str) -> Level<'_> {
    if !l.starts_with("SLSA_") || !l.contains("_LEVEL_") {
        return Level::Other;
    }
    let Some(i) = l.rfind('_') else {
        return Level::Malformed;
    };
    let (track, n) = l.split_at(i + 1);
    let track_ok = track.ends_with("_LEVEL_")
        && track
            .trim_end_matches('_')
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b'_');
    let n_ok = !n.is_empty()
        && n.len() <= 3
        && n.bytes().all(|b| b.is_ascii_digit())
        && (n == "0" || !n.starts_with('0'));
    match (track_ok, n_ok, n.parse()) {
        (true, true, Ok(v)) => Level::Slsa(track, v),
        _ => Level::Malformed,
    }
}

/// Whether `required` is among the attested levels `have`: exactly, or (for an SLSA level) by a
/// higher level of the same track. A malformed level on either side never counts.
fn level_met(required: &str, have: &[String]) -> bool {
    match slsa_level(required) {
        Level::Malformed => false,
        Level::Other => have.iter().any(|h| h == required),
        Level::Slsa(track, n) => have.iter().any(|h| match slsa_level(h) {
            Level::Slsa(t, m) => t == track && m >= n,
            _ => false,
        }),
    }
}

/// Whether a level given on the command line or in a policy is well formed (an SLSA level
/// written canonically, or another verifier's level name).
pub fn level_well_formed(l: &str) -> bool {
    !l.is_empty() && slsa_level(l) != Level::Malformed
}

/// Verify a VSA. Pure: `now` is only recorded.
pub fn verify_vsa(inputs: &VsaInputs, now: jiff::Timestamp) -> Report {
    let evref = EvidenceRef::new(EvidenceKind::DsseEnvelope, &inputs.location);
    let ev = || vec![evref.clone()];
    let mut checks = vec![Check::pass(
        CheckCode::EvidenceLocated,
        format!("{} (given)", inputs.location),
        ev(),
    )];
    let subject = Subject {
        kind: SubjectKind::Digest,
        name: Some(
            inputs
                .subject
                .iter()
                .map(|(a, v)| format!("{a}:{v}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        digests: inputs
            .subject
            .iter()
            .filter_map(|(a, v)| format!("{a}:{v}").parse().ok())
            .collect(),
        size: None,
    };
    checks.extend(vsa_checks(inputs, &evref));
    Report::new(
        ToolInfo {
            name: TOOL_NAME.into(),
            version: TOOL_VERSION.into(),
        },
        "verify artifact --vsa",
        crate::engine::rfc3339(now),
        subject,
        checks,
        vec![],
        vec![],
    )
}

fn vsa_checks(inputs: &VsaInputs, evref: &EvidenceRef) -> Vec<Check> {
    let ev = || vec![evref.clone()];
    let env = match &inputs.envelope {
        Ok(e) => e,
        Err(e) => {
            return vec![Check::fail(
                CheckCode::EvidenceUnreadable,
                e.to_string(),
                ev(),
            )]
        }
    };
    // With a key id, only signatures carrying it count (slsa-verifier --public-key-id).
    let candidate = match &inputs.key_id {
        Some(id) => Envelope {
            signatures: env
                .signatures
                .iter()
                .filter(|s| s.keyid.as_deref() == Some(id.as_str()))
                .cloned()
                .collect(),
            ..env.clone()
        },
        None => env.clone(),
    };
    if candidate.signatures.is_empty() {
        return vec![Check::fail(
            CheckCode::SignatureInvalid,
            format!(
                "no signature carries the key id {:?}",
                inputs.key_id.as_deref().unwrap_or_default()
            ),
            ev(),
        )];
    }
    let (mut checks, signed) =
        verify_envelope(&candidate, &inputs.keys, inputs.threshold.max(1), evref);
    if signed.is_none() {
        return checks;
    }
    if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
        checks.push(Check::fail(
            CheckCode::PayloadTypeUnexpected,
            format!("payloadType {:?}", env.payload_type),
            ev(),
        ));
        return checks;
    }
    let st: Statement = match parse_statement(&env.payload) {
        Ok(s) => s,
        Err(e) => {
            let code = if matches!(
                e,
                provenant_formats::intoto::StatementError::Json(
                    provenant_formats::json::JsonError::DuplicateKey(_)
                )
            ) {
                CheckCode::PayloadDuplicateKeys
            } else {
                CheckCode::PayloadMalformed
            };
            checks.push(Check::fail(code, e.to_string(), ev()));
            return checks;
        }
    };
    let push = |checks: &mut Vec<Check>, ok: bool, p: CheckCode, f: CheckCode, reason: String| {
        checks.push(if ok {
            Check::pass(p, reason, ev())
        } else {
            Check::fail(f, reason, ev())
        });
    };
    push(
        &mut checks,
        st.predicate_type == VSA_V1,
        CheckCode::PredicateTypeMatches,
        CheckCode::PredicateTypeMismatch,
        format!("predicate type {:?} (expected {VSA_V1})", st.predicate_type),
    );
    let missing: Vec<String> = inputs
        .subject
        .iter()
        .filter(|(a, v)| !st.has_subject_digest(a, &v.to_ascii_lowercase()))
        .map(|(a, v)| format!("{a}:{v}"))
        .collect();
    // Every given digest must be named, and the subjects about the artifact must not
    // contradict each other or it (the rule every statement binding uses).
    let conflict = match st.match_subject_values(&inputs.subject) {
        provenant_formats::intoto::SubjectMatch::Conflict { detail } => Some(detail),
        _ => None,
    };
    if let Some(detail) = &conflict {
        checks.push(Check::fail(
            CheckCode::SubjectDigestConflict,
            format!("{detail}: a contradiction is never a binding"),
            ev(),
        ));
    }
    push(
        &mut checks,
        missing.is_empty() && !inputs.subject.is_empty() && conflict.is_none(),
        CheckCode::ArtifactDigestMatches,
        CheckCode::ArtifactDigestMismatch,
        if !missing.is_empty() {
            format!("the VSA's subjects do not name {}", missing.join(", "))
        } else if conflict.is_some() {
            "the VSA's subjects name every given digest, and contradict it".into()
        } else {
            "the VSA's subjects name every given digest".into()
        },
    );
    let p = &st.predicate;
    let verifier = p.pointer("/verifier/id").and_then(Value::as_str);
    push(
        &mut checks,
        verifier == Some(inputs.verifier_id.as_str()),
        CheckCode::VsaVerifierMatches,
        CheckCode::VsaVerifierMismatch,
        format!("verifier {verifier:?} (expected {:?})", inputs.verifier_id),
    );
    let resource = p.get("resourceUri").and_then(Value::as_str);
    push(
        &mut checks,
        resource == Some(inputs.resource_uri.as_str()),
        CheckCode::VsaResourceMatches,
        CheckCode::VsaResourceMismatch,
        format!("resource {resource:?} (expected {:?})", inputs.resource_uri),
    );
    let result = p.get("verificationResult").and_then(Value::as_str);
    push(
        &mut checks,
        result == Some("PASSED"),
        CheckCode::VsaResultPassed,
        CheckCode::VsaResultFailed,
        match result {
            Some(r) => format!("verificationResult \"{r}\""),
            None => "no verificationResult".to_owned(),
        },
    );
    let have: Vec<String> = p
        .get("verifiedLevels")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let unmet: Vec<&String> = inputs
        .levels
        .iter()
        .filter(|l| !level_met(l, &have))
        .collect();
    if !inputs.levels.is_empty() {
        push(
            &mut checks,
            unmet.is_empty(),
            CheckCode::VsaLevelsMet,
            CheckCode::VsaLevelsNotMet,
            if unmet.is_empty() {
                format!(
                    "levels {} attested ({})",
                    inputs.levels.join(", "),
                    have.join(", ")
                )
            } else {
                format!(
                    "levels {} not among [{}]",
                    unmet
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    have.join(", ")
                )
            },
        );
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        let have = vec!["BCID_L1".to_string(), "SLSA_BUILD_LEVEL_3".to_string()];
        assert!(level_met("SLSA_BUILD_LEVEL_2", &have));
        assert!(level_met("SLSA_BUILD_LEVEL_3", &have));
        assert!(!level_met("SLSA_BUILD_LEVEL_4", &have));
        assert!(!level_met("SLSA_SOURCE_LEVEL_1", &have));
        assert!(level_met("BCID_L1", &have));
        assert!(!level_met("BCID_L2", &have));
    }

    #[test]
    fn levels_parse_strictly() {
        // Issue 14, class 7: `+3` and `03` are not 3, on either side.
        for bad in [
            "SLSA_BUILD_LEVEL_+3",
            "SLSA_BUILD_LEVEL_03",
            "SLSA_BUILD_LEVEL_3 ",
            "SLSA_BUILD_LEVEL_",
            "SLSA_BUILD_LEVEL_-1",
            "SLSA_build_LEVEL_3",
            "SLSA_BUILD_LEVEL_99999999999",
        ] {
            assert_eq!(slsa_level(bad), Level::Malformed, "{bad}");
            assert!(!level_well_formed(bad), "{bad}");
            let have = vec![bad.to_string()];
            assert!(
                !level_met("SLSA_BUILD_LEVEL_1", &have),
                "{bad} attests nothing"
            );
            assert!(!level_met(bad, &have), "{bad} is never met, even exactly");
        }
        assert_eq!(
            slsa_level("SLSA_BUILD_LEVEL_0"),
            Level::Slsa("SLSA_BUILD_LEVEL_", 0)
        );
        assert!(level_well_formed("BCID_L1"));
        assert!(!level_well_formed(""));
    }
}
