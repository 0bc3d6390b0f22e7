//! A SLSA Verification Summary Attestation (predicate `https://slsa.dev/verification_summary/v1`)
//! in an in-toto Statement v1, from a report: what was verified (the subject's digests), by whom,
//! when, against which policy, from which attestations, and with what result. Signing it into a
//! DSSE envelope is the caller's business ([`envelope`] assembles one from a signature).
//!
//! Levels are claimed only where the report proves them: `SLSA_BUILD_LEVEL_1` when a verified
//! signature carries SLSA provenance that names the subject (provenance exists and is
//! authentic), never higher (provenant does not know which level a builder is trusted for);
//! `FAILED` when the verdict is a failure, as the specification asks.

use std::collections::BTreeMap;
use std::io::{self, Write};

use base64::Engine as _;
use provenant_model::{Digest, Report, SubjectKind, Verdict};
use serde_json::{json, Value};

/// The in-toto Statement type.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// The VSA predicate type.
pub const VSA_V1: &str = "https://slsa.dev/verification_summary/v1";
/// The DSSE payload type of an in-toto statement.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// provenant's `verifier.id`.
pub const VERIFIER_ID: &str = "https://github.com/provenant/provenant";

/// The policy a VSA names: a file (uri and digest), when the run had one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRef {
    /// Where the policy is.
    pub uri: String,
    /// Its digest.
    pub digest: Option<Digest>,
}

/// Why a report cannot become a VSA.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VsaError {
    /// An in-toto subject needs a digest; the report's subject has none.
    #[error("a VSA names its subject by digest, and the report's subject ({0}) has none")]
    NoSubjectDigest(String),
}

fn digest_set(digests: &[Digest]) -> BTreeMap<String, String> {
    digests
        .iter()
        .map(|d| (d.algorithm().name().to_owned(), d.hex().to_owned()))
        .collect()
}

/// The levels the report proves.
fn levels(report: &Report) -> Vec<&'static str> {
    if report.verdict == Verdict::Fail {
        return vec!["FAILED"];
    }
    let slsa_provenance = report.signatures.iter().any(|s| {
        s.verified
            && s.provenance
                .as_ref()
                .is_some_and(|p| p.predicate_type.starts_with("https://slsa.dev/provenance/"))
    });
    if slsa_provenance {
        vec!["SLSA_BUILD_LEVEL_1"]
    } else {
        vec![]
    }
}

/// The VSA statement for `report`; `policy` is the policy file the run used, if any.
pub fn statement(report: &Report, policy: Option<&PolicyRef>) -> Result<Value, VsaError> {
    let label = crate::subject_label(report);
    let mut digest = digest_set(&report.subject.digests);
    if digest.is_empty() && report.subject.kind == SubjectKind::Commit {
        if let Some(sha) = &report.subject.name {
            digest.insert("gitCommit".into(), sha.clone());
        }
    }
    if digest.is_empty() {
        return Err(VsaError::NoSubjectDigest(label));
    }
    let policy = match policy {
        Some(p) => {
            let mut v = json!({ "uri": p.uri });
            if let Some(d) = &p.digest {
                v["digest"] = json!(digest_set(std::slice::from_ref(d)));
            }
            v
        }
        // The policy is what the command line stated.
        None => json!({
            "name": format!("provenant {} flags", report.command),
            "uri": format!("provenant:{}", report.command.replace(' ', "-")),
        }),
    };
    let mut inputs: Vec<Value> = Vec::new();
    for s in &report.signatures {
        let mut v = json!({ "uri": s.evidence.location });
        if let Some(d) = &s.evidence.digest {
            v["digest"] = json!(digest_set(std::slice::from_ref(d)));
        }
        if !inputs.contains(&v) {
            inputs.push(v);
        }
    }
    let levels = levels(report);
    let mut version = serde_json::Map::new();
    version.insert(report.tool.name.clone(), json!(report.tool.version));
    let mut predicate = json!({
        "verifier": {
            "id": VERIFIER_ID,
            "version": version,
        },
        "timeVerified": report.evaluated_at,
        "resourceUri": label,
        "policy": policy,
        "inputAttestations": inputs,
        "verificationResult": if report.verdict == Verdict::Pass { "PASSED" } else { "FAILED" },
        "verifiedLevels": levels,
    });
    if levels.iter().any(|l| l.starts_with("SLSA_")) {
        predicate["slsaVersion"] = json!("1.0");
    }
    Ok(json!({
        "_type": STATEMENT_V1,
        "subject": [{ "name": label, "digest": digest }],
        "predicateType": VSA_V1,
        "predicate": predicate,
    }))
}

/// A DSSE envelope (one line of JSON) around `payload`, signed by `sig` under `keyid`.
pub fn envelope(payload: &[u8], keyid: &str, sig: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = crate::sanitize::to_json_vec(&json!({
        "payloadType": IN_TOTO_PAYLOAD_TYPE,
        "payload": b64.encode(payload),
        "signatures": [{ "keyid": keyid, "sig": b64.encode(sig) }],
    }))
    .unwrap_or_default();
    out.push(b'\n');
    out
}

/// Write the unsigned VSA statement for `report` (pretty JSON).
pub fn render(report: &Report, w: &mut impl Write) -> io::Result<()> {
    let st = statement(report, None).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    crate::sanitize::write_json_pretty(w, &st)
}
