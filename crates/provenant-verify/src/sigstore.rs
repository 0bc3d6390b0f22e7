//! Sigstore bundle verification: sigstore-verify does the cryptography; this module decides
//! what is required, and turns every outcome into checks with stable codes.

use jiff::Timestamp;
use sigstore_verify::crypto::{parse_certificate_info, CertificateInfo};
use sigstore_verify::error::{CertificateError, TimestampError, TransparencyLogError};
use sigstore_verify::types::{ArtifactDigest, HashAlgorithm, SignatureContent};
use sigstore_verify::{Error as SvError, PublicKeyVerificationPolicy, VerificationPolicy};

use provenant_formats::bundle::{one_line, BundleContent, ParsedBundle};
use provenant_formats::dsse::IN_TOTO_PAYLOAD_TYPE;
use provenant_formats::intoto::StatementError;
use provenant_formats::json::JsonError;
use provenant_model::{
    CertificateClaims, Check, CheckCode, Digest, DigestAlgorithm, EvidenceRef, LogEntryClaim,
    Outcome, SignatureClaim, SignerClaim, TimeSource,
};

use crate::identity::IdentityPolicy;
use crate::keys::PublicKey;
use crate::trust::{CheckpointFault, TrustRoot};
use crate::verified::{Verified, VerifiedSignature};

/// Who is trusted to have signed.
#[derive(Debug, Clone)]
pub enum SignerPolicy {
    /// Keyless: a Fulcio certificate whose identity matches.
    Keyless(IdentityPolicy),
    /// Key-based: any of these keys.
    Keys(Vec<PublicKey>),
}

/// Everything one signature's verification produced.
#[derive(Debug)]
pub struct SignatureOutcome {
    /// Checks, in order.
    pub checks: Vec<Check>,
    /// What the signature claims (verified or not), for the report.
    pub claim: SignatureClaim,
    /// Present only when every check passed.
    pub verified: Option<Verified<VerifiedSignature>>,
}

pub(crate) fn model_alg(a: HashAlgorithm) -> DigestAlgorithm {
    match a {
        HashAlgorithm::Sha2384 => DigestAlgorithm::Sha384,
        HashAlgorithm::Sha2512 => DigestAlgorithm::Sha512,
        _ => DigestAlgorithm::Sha256,
    }
}

fn sv_alg(a: DigestAlgorithm) -> HashAlgorithm {
    match a {
        DigestAlgorithm::Sha256 => HashAlgorithm::Sha2256,
        DigestAlgorithm::Sha384 => HashAlgorithm::Sha2384,
        DigestAlgorithm::Sha512 => HashAlgorithm::Sha2512,
    }
}

/// Verify one parsed bundle over an artifact known by its digests.
///
/// Fails closed: a bundle with no log entry where the trusted root has logs, a DSSE payload
/// with duplicate keys, a statement that does not name the artifact, a keyless signature with
/// no expected identity — each is a failed check, never a pass.
pub fn verify_bundle(
    parsed: &ParsedBundle,
    evidence: &EvidenceRef,
    artifact: &[Digest],
    trust: &TrustRoot,
    signer: &SignerPolicy,
) -> SignatureOutcome {
    let mut run = Run::new(parsed, evidence);
    // One bundle, one memo: a signature checked twice within it (the Rekor checkpoint, by
    // sigstore-verify and by provenant) is computed once; nothing carries to the next bundle.
    crate::memo::scoped(|| run.verify(artifact, trust, signer));
    run.finish()
}

struct Run<'a> {
    parsed: &'a ParsedBundle,
    evidence: &'a EvidenceRef,
    checks: Vec<Check>,
    claim: SignatureClaim,
    signing_time: Option<i64>,
}

impl<'a> Run<'a> {
    fn new(parsed: &'a ParsedBundle, evidence: &'a EvidenceRef) -> Self {
        let (payload_type, predicate_type) = match &parsed.content {
            BundleContent::Dsse {
                envelope,
                statement,
            } => (
                Some(envelope.payload_type.clone()),
                statement
                    .as_ref()
                    .and_then(|s| s.as_ref().ok())
                    .map(|s| s.predicate_type.clone()),
            ),
            BundleContent::MessageSignature => (None, None),
        };
        let claim = SignatureClaim {
            evidence: evidence.clone(),
            verified: false,
            media_type: Some(parsed.media_type.clone()),
            content: parsed.content_name().to_owned(),
            payload_type,
            predicate_type,
            signer: None,
            signing_time: None,
            time_sources: Vec::new(),
            log_entries: Vec::new(),
            provenance: None,
            signed_payload: None,
        };
        Self {
            parsed,
            evidence,
            checks: Vec::new(),
            claim,
            signing_time: None,
        }
    }

    fn ev(&self) -> Vec<EvidenceRef> {
        vec![self.evidence.clone()]
    }

    fn pass(&mut self, code: CheckCode, reason: impl Into<String>) {
        let ev = self.ev();
        self.checks.push(Check::pass(code, reason, ev));
    }

    fn fail(&mut self, code: CheckCode, reason: impl Into<String>) {
        let ev = self.ev();
        self.checks.push(Check::fail(code, reason, ev));
    }

    fn warn(&mut self, code: CheckCode, reason: impl Into<String>) {
        let ev = self.ev();
        self.checks.push(Check::warn(code, reason, ev));
    }

    fn finish(mut self) -> SignatureOutcome {
        if self.claim.signer.is_none() {
            // Who the certificate claims to be, for the report (descriptive: it did not verify).
            let cert = self.parsed.bundle.signing_certificate();
            if let Some(info) = cert.and_then(|c| parse_certificate_info(c).ok()) {
                self.claim.signer = Some(signer_claim(&info, cert));
            }
        }
        let ok = !self.checks.iter().any(|c| c.outcome == Outcome::Fail)
            && self
                .checks
                .iter()
                .any(|c| c.code == CheckCode::SignatureValid);
        self.claim.verified = ok;
        if ok {
            if let BundleContent::Dsse {
                statement: Some(Ok(st)),
                envelope,
            } = &self.parsed.content
            {
                self.claim.provenance = provenant_formats::slsa::provenance_of(st);
                self.claim.signed_payload = Some(envelope.payload.clone());
            }
        }
        let verified = match (&self.claim.signer, ok) {
            (Some(signer), true) => Some(Verified::new(VerifiedSignature {
                evidence: self.evidence.clone(),
                signer: signer.clone(),
                signing_time: self.signing_time,
                statement: match &self.parsed.content {
                    BundleContent::Dsse {
                        statement: Some(Ok(s)),
                        ..
                    } => Some(s.clone()),
                    _ => None,
                },
            })),
            _ => None,
        };
        SignatureOutcome {
            checks: self.checks,
            claim: self.claim,
            verified,
        }
    }

    /// The digest to hand sigstore-verify, after provenant's own payload checks.
    fn choose_artifact(&mut self, artifact: &[Digest]) -> Option<Digest> {
        let find = |alg: DigestAlgorithm| artifact.iter().find(|d| d.algorithm() == alg).cloned();
        match &self.parsed.content {
            BundleContent::MessageSignature => {
                let alg = match &self.parsed.bundle.content {
                    SignatureContent::MessageSignature(m) => m
                        .message_digest
                        .as_ref()
                        .map_or(DigestAlgorithm::Sha256, |md| model_alg(md.algorithm)),
                    _ => DigestAlgorithm::Sha256,
                };
                let d = find(alg);
                if d.is_none() {
                    self.fail(
                        CheckCode::ArtifactDigestMismatch,
                        format!("the bundle signs a {alg} digest but the artifact's {alg} digest is not known; give the file or --digest {alg}:<hex>"),
                    );
                }
                d
            }
            BundleContent::Dsse {
                envelope,
                statement,
            } => {
                if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
                    self.fail(
                        CheckCode::PayloadTypeUnexpected,
                        format!(
                            "DSSE payloadType is {:?}; an artifact can only be bound through an in-toto statement ({IN_TOTO_PAYLOAD_TYPE})",
                            envelope.payload_type
                        ),
                    );
                    return None;
                }
                let statement = match statement {
                    Some(Ok(s)) => s,
                    Some(Err(StatementError::Json(JsonError::DuplicateKey(k)))) => {
                        let k = k.clone();
                        self.fail(
                            CheckCode::PayloadDuplicateKeys,
                            format!("the signed in-toto statement repeats the key {k:?}; parsers would disagree on its meaning"),
                        );
                        return None;
                    }
                    Some(Err(e)) => {
                        let e = e.to_string();
                        self.fail(
                            CheckCode::PayloadMalformed,
                            format!("the signed payload is not a valid in-toto statement: {e}"),
                        );
                        return None;
                    }
                    None => {
                        self.fail(
                            CheckCode::PayloadMalformed,
                            "no in-toto statement in the envelope",
                        );
                        return None;
                    }
                };
                match crate::subject::bind_subject(statement, artifact) {
                    Ok(b) => {
                        if let Some(w) = b.unchecked {
                            self.warn(CheckCode::SubjectDigestUnchecked, w);
                        }
                        Some(b.digest)
                    }
                    Err((code, reason)) => {
                        self.fail(code, reason);
                        None
                    }
                }
            }
        }
    }

    fn verify(&mut self, artifact: &[Digest], trust: &TrustRoot, signer: &SignerPolicy) {
        let bundle = &self.parsed.bundle;
        let has_cert = bundle.signing_certificate().is_some();
        if bundle.verification_material.tlog_entries.is_empty() && trust.has_tlogs() {
            self.fail(
                CheckCode::TlogEntryMissing,
                format!("the bundle has no transparency-log entry, and the trusted root ({}) lists transparency logs", trust.name()),
            );
            return;
        }
        let Some(digest) = self.choose_artifact(artifact) else {
            return;
        };
        let sv_digest = match ArtifactDigest::new(sv_alg(digest.algorithm()), digest.to_bytes()) {
            Ok(d) => d,
            Err(e) => {
                self.fail(CheckCode::ArtifactDigestMismatch, one_line(&e.to_string()));
                return;
            }
        };
        let result = match signer {
            SignerPolicy::Keyless(_) => {
                if !has_cert {
                    self.fail(
                        CheckCode::KeyUnsupported,
                        "the bundle is signed with a managed key (no certificate); give the key with --key",
                    );
                    return;
                }
                let mut policy = VerificationPolicy::any_identity();
                if !trust.has_tlogs() {
                    policy = policy.skip_tlog_unsafe();
                }
                if !trust.has_ctlogs() {
                    policy = policy.skip_sct();
                }
                guarded(|| trust.verifier.verify(sv_digest, bundle, &policy))
            }
            SignerPolicy::Keys(keys) => {
                if has_cert {
                    self.fail(
                        CheckCode::KeyUnsupported,
                        "the bundle carries a Fulcio certificate (keyless); verify it with --certificate-identity instead of --key",
                    );
                    return;
                }
                let mut last = None;
                let mut ok = None;
                for key in keys {
                    let mut policy = PublicKeyVerificationPolicy::new(key.der().clone());
                    if !trust.has_tlogs() {
                        policy = policy.skip_tlog_unsafe();
                    }
                    match guarded(|| trust.verifier.verify(sv_digest.clone(), bundle, &policy)) {
                        Ok(r) => {
                            self.claim.signer = Some(SignerClaim::Key {
                                key: key.location().to_owned(),
                                algorithm: key.algorithm_name().to_owned(),
                            });
                            ok = Some(r);
                            break;
                        }
                        Err(e) => last = Some(e),
                    }
                }
                match (ok, last) {
                    (Some(r), _) => Ok(r),
                    (None, Some(e)) => Err(e),
                    (None, None) => {
                        self.fail(CheckCode::KeyUnsupported, "no key given");
                        return;
                    }
                }
            }
        };
        match result {
            Err(e) => {
                let (code, reason) = classify(&e, bundle.signing_certificate());
                self.fail(code, with_root_hint(code, reason, trust));
            }
            Ok(r) => {
                if let Some(info) = r.certificate() {
                    self.claim.signer = Some(signer_claim(info, bundle.signing_certificate()));
                }
                self.record_success(&r, &digest, trust, signer);
            }
        }
    }

    fn record_success(
        &mut self,
        r: &sigstore_verify::VerificationResult,
        digest: &Digest,
        trust: &TrustRoot,
        signer: &SignerPolicy,
    ) {
        let bundle = &self.parsed.bundle;
        self.pass(
            CheckCode::BundleWellFormed,
            format!(
                "{} ({})",
                self.parsed.media_type,
                self.parsed.content_name()
            ),
        );
        self.pass(
            CheckCode::SignatureValid,
            format!("{} signature verified", self.parsed.content_name()),
        );
        self.pass(
            CheckCode::ArtifactDigestMatches,
            format!("the signature covers {digest}"),
        );
        if r.certificate_verified() {
            self.pass(
                CheckCode::CertificateChainValid,
                format!(
                    "the signing certificate chains to a certificate authority of {}",
                    trust.name()
                ),
            );
        }
        if r.sct_verified() {
            self.pass(
                CheckCode::SctValid,
                "embedded SCT verified against a trusted CT log",
            );
        } else if matches!(signer, SignerPolicy::Keyless(_)) {
            self.warn(
                CheckCode::SctMissing,
                format!(
                    "not checked: the trusted root ({}) lists no CT logs",
                    trust.name()
                ),
            );
        }
        for e in &bundle.verification_material.tlog_entries {
            self.claim.log_entries.push(LogEntryClaim {
                kind: e.kind_version.kind().to_owned(),
                version: e.kind_version.version().to_owned(),
                log_index: e.log_index.get(),
                log_id: e
                    .log_id
                    .key_id
                    .as_bytes()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect(),
                integrated_time: e.integrated_time.map(|t| t.to_string()),
            });
        }
        let earliest: Option<Timestamp> = r.verified_timestamps().iter().min().copied();
        if r.tlog_verified() {
            for e in &bundle.verification_material.tlog_entries {
                if let Err(fault) = trust.check_checkpoint(e, earliest) {
                    let code = match fault {
                        CheckpointFault::UnknownLog { .. } => CheckCode::TlogUnknownLog,
                        CheckpointFault::NoVerifiedTime { .. }
                        | CheckpointFault::KeyOutsideWindow { .. } => CheckCode::TlogKeyNotValid,
                        CheckpointFault::Malformed(_)
                        | CheckpointFault::LogKeyUnusable { .. }
                        | CheckpointFault::NotSignedByLog { .. }
                        | CheckpointFault::OriginMismatch { .. } => {
                            CheckCode::TlogCheckpointInvalid
                        }
                    };
                    self.fail(code, with_root_hint(code, fault.to_string(), trust));
                    return;
                }
            }
            let n = bundle.verification_material.tlog_entries.len();
            self.pass(
                CheckCode::TlogInclusionVerified,
                format!(
                    "{n} transparency-log entr{} verified and bound to this signature",
                    if n == 1 { "y" } else { "ies" }
                ),
            );
        } else if !trust.has_tlogs() {
            self.warn(
                CheckCode::TlogEntryMissing,
                format!("not checked: the trusted root ({}) lists no transparency logs; trust rests on its timestamp authorities", trust.name()),
            );
        }
        let n_ts = bundle
            .verification_material
            .timestamp_verification_data
            .rfc3161_timestamps
            .len();
        if n_ts > 0 {
            self.claim.time_sources.push(TimeSource::Rfc3161);
            self.pass(
                CheckCode::TimestampVerified,
                format!("{n_ts} RFC 3161 timestamp(s) verified"),
            );
        }
        if r.integrated_time().is_some() {
            self.claim.time_sources.push(TimeSource::TlogIntegratedTime);
        }
        match earliest {
            Some(t) => {
                self.signing_time = Some(t.as_second());
                self.claim.signing_time = Some(t.to_string());
                self.pass(
                    CheckCode::SigningTimeEstablished,
                    format!("signed at {t} (verified sources only)"),
                );
            }
            None if matches!(signer, SignerPolicy::Keyless(_)) => {
                self.fail(CheckCode::SigningTimeUnverified, "no verified signing time");
            }
            None => {}
        }
        if let SignerPolicy::Keyless(policy) = signer {
            self.check_identity(r, policy);
        }
    }

    fn check_identity(&mut self, r: &sigstore_verify::VerificationResult, policy: &IdentityPolicy) {
        let san = r.identity().map(|s| s.as_str().to_owned());
        let issuer = r.issuer().map(str::to_owned);
        match (&policy.identity, &san) {
            (None, _) if policy.constrained_elsewhere => {}
            (None, _) => self.fail(
                CheckCode::SignerUnconstrained,
                format!(
                    "no expected identity given (signed by {}); pass --certificate-identity or --certificate-identity-regexp",
                    san.as_deref().unwrap_or("an unnamed identity")
                ),
            ),
            (Some(m), Some(s)) if m.matches(s) => {
                self.pass(CheckCode::SignerIdentityMatches, format!("{s} matches {}", m.describe()));
            }
            (Some(m), s) => self.fail(
                CheckCode::SignerIdentityMismatch,
                format!("certificate identity {} does not match {}", s.as_deref().map_or("(none)".into(), |s| format!("{s:?}")), m.describe()),
            ),
        }
        match (&policy.issuer, &issuer) {
            // cosign refuses this: the same e-mail SAN can be issued by different issuers.
            (None, _) => self.fail(
                CheckCode::SignerIssuerUnconstrained,
                format!(
                    "no expected OIDC issuer given (certificate says {}): the same identity issued by another provider would pass; pass --certificate-oidc-issuer, or --certificate-oidc-issuer-regexp '.*' to accept any issuer explicitly",
                    issuer.as_deref().unwrap_or("none")
                ),
            ),
            // A certificate without an issuer is matched as the empty string, as cosign does:
            // only an explicit any-issuer regexp ('.*') accepts it.
            (Some(m), i) if m.matches(i.as_deref().unwrap_or_default()) => {
                self.pass(
                    CheckCode::SignerIssuerMatches,
                    format!(
                        "{} matches {}",
                        i.as_deref().unwrap_or("(the certificate names no issuer)"),
                        m.describe()
                    ),
                );
            }
            (Some(m), i) => self.fail(
                CheckCode::SignerIssuerMismatch,
                format!("certificate OIDC issuer {} does not match {}", i.as_deref().map_or("(none)".into(), |s| format!("{s:?}")), m.describe()),
            ),
        }
    }
}

/// Run sigstore-verify so that a panic inside it (a bug on hostile input) becomes a failed
/// verification instead of a crash: fail closed, never abort.
fn guarded(
    f: impl FnOnce() -> sigstore_verify::Result<sigstore_verify::VerificationResult>,
) -> sigstore_verify::Result<sigstore_verify::VerificationResult> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(SvError::InvalidBundle(
            "internal error while verifying this bundle (treated as a failure)".into(),
        ))
    })
}

/// The OID of the embedded SCT list extension (RFC 6962).
const SCT_LIST_OID: &str = "1.3.6.1.4.1.11129.2.4.2";

fn has_sct_extension(cert: Option<&sigstore_verify::types::DerCertificate>) -> bool {
    use x509_cert::der::Decode;
    let Some(cert) = cert else { return false };
    let Ok(c) = x509_cert::Certificate::from_der(cert.as_bytes()) else {
        return false;
    };
    c.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .any(|e| e.extn_id.to_string() == SCT_LIST_OID)
}

/// `reason`, and for a failure that a trusted root of another Sigstore instance would explain
/// (a log, CT log, CA or timestamp authority the root used does not list), which root was used
/// and how to select another: the likeliest first mistake is verifying a staging or GitHub
/// bundle against public-good, or the other way round.
fn with_root_hint(code: CheckCode, reason: String, trust: &TrustRoot) -> String {
    let root_dependent = matches!(
        code,
        CheckCode::TlogUnknownLog
            | CheckCode::TlogPromiseInvalid
            | CheckCode::TlogKeyNotValid
            | CheckCode::TlogCheckpointInvalid
            | CheckCode::CertificateChainInvalid
            | CheckCode::SctInvalid
            | CheckCode::TimestampInvalid
    );
    if !root_dependent {
        return reason;
    }
    format!(
        "{reason} (checked against trusted root {}; if this evidence comes from another \
         Sigstore instance, select its root with --trusted-root: public-good, staging, github, \
         or a trusted_root.json file)",
        trust.name()
    )
}

/// Map a sigstore-verify error onto a check code and a one-line reason.
fn classify(
    e: &SvError,
    cert: Option<&sigstore_verify::types::DerCertificate>,
) -> (CheckCode, String) {
    let reason = one_line(&e.to_string());
    let code = match e {
        SvError::SignatureInvalid(_) | SvError::Crypto(_) => CheckCode::SignatureInvalid,
        SvError::ArtifactMismatch(_) | SvError::UnsupportedArtifact(_) => {
            CheckCode::ArtifactDigestMismatch
        }
        SvError::IdentityMismatch { .. } => CheckCode::SignerIdentityMismatch,
        SvError::IssuerMismatch { .. } => CheckCode::SignerIssuerMismatch,
        SvError::Certificate(c) => match c {
            CertificateError::Malformed(_) => CheckCode::CertificateMalformed,
            CertificateError::Expired { .. } | CertificateError::NotYetValid { .. } => {
                CheckCode::CertificateExpired
            }
            // webpki reports expiry inside the chain error; the code only refines the diagnosis.
            CertificateError::ChainInvalid(d)
                if d.contains("CertExpired") || d.contains("CertNotValidYet") =>
            {
                CheckCode::CertificateExpired
            }
            CertificateError::Sct(_) if !has_sct_extension(cert) => CheckCode::SctMissing,
            CertificateError::Sct(_) => CheckCode::SctInvalid,
            _ => CheckCode::CertificateChainInvalid,
        },
        SvError::TransparencyLog(t) => match t {
            TransparencyLogError::UnknownLog { .. } => CheckCode::TlogUnknownLog,
            TransparencyLogError::InclusionProof(_) => CheckCode::TlogInclusionProofInvalid,
            TransparencyLogError::Checkpoint(_) => CheckCode::TlogCheckpointInvalid,
            TransparencyLogError::InclusionPromise(_) => CheckCode::TlogPromiseInvalid,
            TransparencyLogError::EntryMismatch(_) => CheckCode::TlogEntryMismatch,
            _ => CheckCode::TlogEntryMalformed,
        },
        SvError::Timestamp(t) => match t {
            TimestampError::NoVerifiedTimestamp(_) => CheckCode::SigningTimeUnverified,
            _ => CheckCode::TimestampInvalid,
        },
        SvError::Bundle(b) => {
            use sigstore_verify::bundle::Error as B;
            match b {
                B::MissingCheckpoint | B::CheckpointRootMismatch => {
                    CheckCode::TlogCheckpointInvalid
                }
                B::MissingInclusionProof(_)
                | B::MissingInclusionPromise(_)
                | B::LogIndexOutOfRange { .. } => CheckCode::TlogEntryMalformed,
                B::MissingSigningTimeEvidence | B::MissingTimestamp => {
                    CheckCode::SigningTimeUnverified
                }
                _ => CheckCode::BundleMalformed,
            }
        }
        SvError::InvalidTrustRoot(_) | SvError::TrustRoot(_) | SvError::TrustedCertificate(_) => {
            CheckCode::CertificateChainInvalid
        }
        _ => CheckCode::BundleMalformed,
    };
    (code, reason)
}

fn signer_claim(
    info: &CertificateInfo,
    cert: Option<&sigstore_verify::types::DerCertificate>,
) -> SignerClaim {
    let c = &info.ci_claims;
    // Certificates older than the provider-neutral arc carry GitHub's deprecated `.1.3`, `.1.5`
    // and `.1.6` alone: they stand in for `.1.13`, `.1.12` and `.1.14`, so old certificates are
    // held to the same source policy. Each is also kept as written, so that where both arcs are
    // present the policy checks they agree.
    let d = &c.deprecated_github;
    let ca = cert
        .and_then(|c| {
            use x509_cert::der::Decode;
            x509_cert::Certificate::from_der(c.as_bytes()).ok()
        })
        .map(|c| c.tbs_certificate.issuer.to_string())
        .unwrap_or_default();
    SignerClaim::Certificate {
        san: info
            .identity
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        claims: Box::new(CertificateClaims {
            issuer: info.issuer.clone(),
            build_signer_uri: c.build_signer_uri.clone(),
            build_signer_digest: c.build_signer_digest.clone(),
            runner_environment: c.runner_environment.clone(),
            source_repository_uri: c.source_repository_uri.clone().or_else(|| {
                d.workflow_repository
                    .as_ref()
                    .map(|r| format!("https://github.com/{r}"))
            }),
            source_repository_digest: c
                .source_repository_digest
                .clone()
                .or_else(|| d.workflow_sha.clone()),
            source_repository_ref: c
                .source_repository_ref
                .clone()
                .or_else(|| d.workflow_ref.clone()),
            source_repository_identifier: c.source_repository_identifier.clone(),
            source_repository_owner_uri: c.source_repository_owner_uri.clone(),
            source_repository_owner_identifier: c.source_repository_owner_identifier.clone(),
            build_config_uri: c.build_config_uri.clone(),
            build_config_digest: c.build_config_digest.clone(),
            build_trigger: c.build_trigger.clone(),
            run_invocation_uri: c.run_invocation_uri.clone(),
            source_repository_visibility: c.source_repository_visibility_at_signing.clone(),
            legacy_workflow_ref: d.workflow_ref.clone(),
            legacy_workflow_sha: d.workflow_sha.clone(),
            legacy_workflow_repository: d.workflow_repository.clone(),
        }),
        ca,
        not_before: info.not_before.to_string(),
        not_after: info.not_after.to_string(),
    }
}
