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

/// The VSA's `resourceUri`: an image's reference, a URL given as the subject, else the
/// subject's `sha256:` digest (never a local path, which means nothing to the reader).
fn resource_uri(report: &Report, label: &str) -> String {
    let name = report.subject.name.as_deref();
    let uri_like = |n: &str| n.contains("://") || n.contains("@sha256:");
    match (report.subject.kind, name) {
        (SubjectKind::Image, Some(n)) => return n.to_owned(),
        (_, Some(n)) if uri_like(n) => return n.to_owned(),
        (SubjectKind::Commit, Some(n)) => return n.to_owned(),
        _ => {}
    }
    let digests = &report.subject.digests;
    digests
        .iter()
        .find(|d| d.algorithm() == provenant_model::DigestAlgorithm::Sha256)
        .or_else(|| digests.first())
        .map_or_else(|| label.to_owned(), ToString::to_string)
}

/// The VSA statement for `report`. Its `policy` is the policy file the run applied (the
/// report's `expectations.policy`: path and the digest of the bytes applied), or `policy`
/// when the report records none; with neither, the command-line flags, by the command that
/// ran. Either way the resolved expectations ride along as an annotation, so the VSA alone
/// says what was checked.
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
    let applied = report
        .expectations
        .as_ref()
        .and_then(|e| e.policy.as_ref())
        .map(|p| PolicyRef {
            uri: p.path.clone(),
            digest: Some(p.digest.clone()),
        });
    let mut policy = match applied.as_ref().or(policy) {
        Some(p) => {
            let mut v = json!({ "uri": p.uri });
            if let Some(d) = &p.digest {
                v["digest"] = json!(digest_set(std::slice::from_ref(d)));
            }
            v
        }
        // No policy file: the policy is what the command line stated.
        None => json!({ "name": format!("provenant {} command-line flags", report.command) }),
    };
    if let Some(e) = &report.expectations {
        policy["annotations"] = json!({ "expectations": e });
    }
    let mut inputs: Vec<Value> = Vec::new();
    let mut push = |v: Value| {
        if !inputs.contains(&v) {
            inputs.push(v);
        }
    };
    for s in &report.signatures {
        let mut v = json!({ "uri": s.evidence.location });
        if let Some(d) = &s.evidence.digest {
            v["digest"] = json!(digest_set(std::slice::from_ref(d)));
        }
        push(v);
    }
    // Every evidence file read, by the digest of the bytes read.
    for f in report
        .inputs
        .iter()
        .filter(|f| f.role == provenant_model::InputRole::Evidence)
    {
        let have = inputs.iter_mut().find(|v| v["uri"] == json!(f.location));
        let digest = json!(digest_set(std::slice::from_ref(&f.sha256)));
        match have {
            Some(v) if v.get("digest").is_none() => v["digest"] = digest,
            Some(_) => {}
            None => inputs.push(json!({ "uri": f.location, "digest": digest })),
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
        "resourceUri": resource_uri(report, &label),
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
