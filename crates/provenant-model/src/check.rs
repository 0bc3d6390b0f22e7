//! Checks, their stable codes, outcomes and the overall verdict.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::report::EvidenceRef;

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The property holds, and the evidence proves it.
    Pass,
    /// The property does not hold, or it could not be proven. Fails the verdict.
    Fail,
    /// Worth a reader's attention, but does not fail the verdict.
    Warn,
    /// The check does not apply to this subject or evidence.
    NotApplicable,
}

impl Outcome {
    /// The kebab-case name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Warn => "warn",
            Self::NotApplicable => "not-applicable",
        }
    }
}

/// The overall answer: pass only if no check failed and at least one check passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every required check passed.
    Pass,
    /// At least one check failed (or nothing was checked at all).
    Fail,
}

impl Verdict {
    /// Fold checks into a verdict. An empty list, or one with no passing check, is a failure:
    /// a verifier that looked at nothing has proven nothing.
    pub fn from_checks(checks: &[Check]) -> Self {
        let any_fail = checks.iter().any(|c| c.outcome == Outcome::Fail);
        let any_pass = checks.iter().any(|c| c.outcome == Outcome::Pass);
        if any_fail || !any_pass {
            Self::Fail
        } else {
            Self::Pass
        }
    }

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
        }
    }
}

/// One check: a stable code, its outcome, a human reason, and the evidence it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Stable kebab-case code; see `docs/checks.md`.
    pub code: CheckCode,
    /// What the check concluded.
    pub outcome: Outcome,
    /// One line saying why, for people.
    pub reason: String,
    /// The evidence this check looked at.
    pub evidence: Vec<EvidenceRef>,
}

impl Check {
    /// A check with an explicit outcome.
    pub fn new(
        code: CheckCode,
        outcome: Outcome,
        reason: impl Into<String>,
        evidence: Vec<EvidenceRef>,
    ) -> Self {
        Self {
            code,
            outcome,
            reason: reason.into(),
            evidence,
        }
    }

    /// A passing check.
    pub fn pass(code: CheckCode, reason: impl Into<String>, evidence: Vec<EvidenceRef>) -> Self {
        Self::new(code, Outcome::Pass, reason, evidence)
    }

    /// A failing check.
    pub fn fail(code: CheckCode, reason: impl Into<String>, evidence: Vec<EvidenceRef>) -> Self {
        Self::new(code, Outcome::Fail, reason, evidence)
    }

    /// A warning.
    pub fn warn(code: CheckCode, reason: impl Into<String>, evidence: Vec<EvidenceRef>) -> Self {
        Self::new(code, Outcome::Warn, reason, evidence)
    }
}

macro_rules! check_codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $group:literal, $desc:literal; )*) => {
        /// Every check provenant can report. Names are stable: scripts and policies match on them.
        ///
        /// Passes have codes too, so a report says what was proven, not only what was not.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum CheckCode {
            $( $(#[$doc])* $variant, )*
        }

        impl CheckCode {
            /// Every code, in documentation order.
            pub const ALL: &'static [CheckCode] = &[ $( CheckCode::$variant, )* ];

            /// The stable kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self { $( CheckCode::$variant => $name, )* }
            }

            /// The group the code belongs to (for documentation).
            pub fn group(self) -> &'static str {
                match self { $( CheckCode::$variant => $group, )* }
            }

            /// One sentence saying what the code means.
            pub fn description(self) -> &'static str {
                match self { $( CheckCode::$variant => $desc, )* }
            }

            /// Look a code up by its name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $( $name => Some(CheckCode::$variant), )* _ => None }
            }
        }
    };
}

check_codes! {
    /// Signature evidence was found for the subject.
    EvidenceLocated = "evidence-located", "evidence",
        "Signature evidence (a bundle, signature file or envelope) was found for the subject; the check names where.";
    /// No signature evidence at all.
    EvidenceMissing = "evidence-missing", "evidence",
        "No signature evidence was given or found beside the artifact. Nothing verified is never a pass.";
    /// The evidence file could be read but not decoded as the format it claims.
    EvidenceUnreadable = "evidence-unreadable", "evidence",
        "An evidence file could not be decoded (not JSON, truncated, too large, too deep); it proves nothing.";
    /// The bundle parsed and has a supported media type and shape.
    BundleWellFormed = "bundle-well-formed", "bundle",
        "The Sigstore bundle parsed strictly: supported media type (v0.1, v0.2, v0.3), one signature, required fields present.";
    /// The bundle is not a valid Sigstore bundle.
    BundleMalformed = "bundle-malformed", "bundle",
        "The Sigstore bundle is malformed: unknown media type, missing or invalid fields, several DSSE signatures, a v0.2+ entry without an inclusion proof, ...";
    /// The signature over the artifact or DSSE envelope verified.
    SignatureValid = "signature-valid", "signature",
        "The signature verified with the signing certificate's (or the given) public key.";
    /// The signature did not verify.
    SignatureInvalid = "signature-invalid", "signature",
        "The signature did not verify with the signing certificate's (or the given) public key.";
    /// The signed digest equals the artifact's digest.
    ArtifactDigestMatches = "artifact-digest-matches", "signature",
        "The digest the signature covers (message digest, or an in-toto subject) equals the artifact's digest.";
    /// The signature is for some other artifact.
    ArtifactDigestMismatch = "artifact-digest-mismatch", "signature",
        "The signature, its log entry or its statement subjects name a different digest than the artifact's.";
    /// A subject names the artifact, and another mention of it contradicts.
    SubjectDigestConflict = "subject-digest-conflict", "signature",
        "A statement subject names the artifact's digest, but another digest of that subject (sha512 beside a matching sha256), or another subject of the same name or digest, names a different value: a contradiction is a failure, never a choice.";
    /// A subject digest of an algorithm that could not be compared.
    SubjectDigestUnchecked = "subject-digest-unchecked", "signature",
        "The subject that names the artifact also carries a digest provenant could not compare (an algorithm it does not compute, or one it could not compute because only --digest was given); the binding rests on the digests that matched.";
    /// The signed payload has duplicate JSON keys.
    PayloadDuplicateKeys = "payload-duplicate-keys", "signature",
        "A signed JSON payload has duplicate keys: parsers disagree on which value counts, so it is rejected.";
    /// The DSSE payload type is not the one expected.
    PayloadTypeUnexpected = "payload-type-unexpected", "signature",
        "The DSSE payloadType is not the one the verification expects (in-toto: application/vnd.in-toto+json).";
    /// The statement in the payload could not be parsed.
    PayloadMalformed = "payload-malformed", "signature",
        "The signed payload is not a well-formed in-toto statement.";
    /// Enough distinct trusted keys signed the envelope.
    SignatureThresholdMet = "signature-threshold-met", "signature",
        "At least the required number of distinct trusted keys made valid signatures over the envelope.";
    /// Too few distinct trusted keys signed.
    SignatureThresholdNotMet = "signature-threshold-not-met", "signature",
        "Fewer distinct trusted keys made valid signatures than the threshold requires.";
    /// The signing certificate chains to a trusted Fulcio root.
    CertificateChainValid = "certificate-chain-valid", "certificate",
        "The signing certificate chains to a certificate authority of the trusted root that was valid at the signing time, with the code-signing EKU.";
    /// The chain does not reach a trusted root.
    CertificateChainInvalid = "certificate-chain-invalid", "certificate",
        "The signing certificate does not chain to a trusted certificate authority (unknown CA, root inside the bundle, wrong EKU).";
    /// Not valid at the signing time.
    CertificateExpired = "certificate-expired", "certificate",
        "The signing certificate (or its CA) was not valid at the verified signing time.";
    /// The certificate could not be parsed.
    CertificateMalformed = "certificate-malformed", "certificate",
        "The signing certificate could not be parsed, or it lacks what the Sigstore profile requires.";
    /// An embedded SCT verified against a trusted CT log.
    SctValid = "sct-valid", "certificate",
        "The certificate's embedded Signed Certificate Timestamp verified against a CT log of the trusted root.";
    /// The SCT did not verify.
    SctInvalid = "sct-invalid", "certificate",
        "The certificate's Signed Certificate Timestamp did not verify against any CT log key of the trusted root.";
    /// No SCT where the trusted root requires one.
    SctMissing = "sct-missing", "certificate",
        "The certificate carries no Signed Certificate Timestamp although the trusted root has CT logs.";
    /// The SAN matched the expected identity.
    SignerIdentityMatches = "signer-identity-matches", "identity",
        "The certificate's subject alternative name equals (or fully matches the anchored regexp of) the expected identity.";
    /// The SAN did not match.
    SignerIdentityMismatch = "signer-identity-mismatch", "identity",
        "The certificate's subject alternative name is not the expected identity (regexps are anchored at both ends).";
    /// The OIDC issuer matched.
    SignerIssuerMatches = "signer-issuer-matches", "identity",
        "The certificate's OIDC issuer (Fulcio extension, v2 or v1 OID) equals or fully matches the expected issuer.";
    /// The OIDC issuer did not match.
    SignerIssuerMismatch = "signer-issuer-mismatch", "identity",
        "The certificate's OIDC issuer is not the expected one, or the certificate has none.";
    /// No identity constraint was given for a keyless signature.
    SignerUnconstrained = "signer-unconstrained", "identity",
        "A keyless signature verified but no expected identity was given: anyone with an OIDC account could have made it.";
    /// No issuer constraint was given.
    SignerIssuerUnconstrained = "signer-issuer-unconstrained", "identity",
        "A keyless signature verified but no expected OIDC issuer was given (nor implied by a GitHub source or signer): the same identity issued by another provider would pass. A failure, as in cosign; --certificate-oidc-issuer-regexp '.*' accepts any issuer explicitly (recorded as opt-out-used).";
    /// A transparency-log entry was proven included.
    TlogInclusionVerified = "tlog-inclusion-verified", "transparency-log",
        "The log entry's inclusion proof verified against a checkpoint signed by a trusted log (or its inclusion promise verified), and the entry body describes this bundle's signature, key and artifact.";
    /// The trusted root requires a log entry and there is none.
    TlogEntryMissing = "tlog-entry-missing", "transparency-log",
        "The bundle has no transparency-log entry although the trusted root lists transparency logs; or key-signed evidence (a detached or image signature, a DSSE envelope, a key-signed bundle) has no verified log entry or trusted timestamp, which fails unless --insecure-ignore-tlog (then a warning).";
    /// Broken inclusion proof.
    TlogInclusionProofInvalid = "tlog-inclusion-proof-invalid", "transparency-log",
        "The inclusion proof does not lead from the entry to the checkpoint's root hash.";
    /// Broken or unsigned checkpoint.
    TlogCheckpointInvalid = "tlog-checkpoint-invalid", "transparency-log",
        "The checkpoint is malformed or not signed by the log's trusted key.";
    /// The signed entry timestamp did not verify.
    TlogPromiseInvalid = "tlog-promise-invalid", "transparency-log",
        "The inclusion promise (signed entry timestamp) does not verify with the log's trusted key.";
    /// The log entry is for something else.
    TlogEntryMismatch = "tlog-entry-mismatch", "transparency-log",
        "The log entry body does not describe this bundle's signature, public key or artifact.";
    /// The log is not in the trusted root.
    TlogUnknownLog = "tlog-unknown-log", "transparency-log",
        "The entry names a transparency log whose key is not in the trusted root (or not valid then).";
    /// The log key that signed the checkpoint was outside its validity window.
    TlogKeyNotValid = "tlog-key-not-valid", "transparency-log",
        "The checkpoint was signed by the log's key, but the key's validity window in the trusted root does not cover the verified signing time (a retired log key never vouches for inclusion).";
    /// The log entry is malformed.
    TlogEntryMalformed = "tlog-entry-malformed", "transparency-log",
        "The transparency-log entry is malformed (kind, version, body, index or time).";
    /// An RFC 3161 timestamp verified.
    TimestampVerified = "timestamp-verified", "time",
        "An RFC 3161 timestamp over the signature verified against a timestamp authority of the trusted root.";
    /// An RFC 3161 timestamp failed.
    TimestampInvalid = "timestamp-invalid", "time",
        "An RFC 3161 timestamp is invalid: wrong message imprint, untrusted or out-of-validity authority, bad signature, duplicate.";
    /// The signing time comes from verified sources.
    SigningTimeEstablished = "signing-time-established", "time",
        "The signing time was taken from verified sources only (log integrated time under a verified promise or proof, RFC 3161 timestamps).";
    /// No verified signing time.
    SigningTimeUnverified = "signing-time-unverified", "time",
        "No verified source establishes when the signature was made, so the short-lived certificate cannot be checked.";
    /// The given public key is not one the signature can be checked with.
    KeyUnsupported = "key-unsupported", "signature",
        "The given public key's type or parameters do not fit the signature (or are not supported).";
    /// A DSSE envelope signed with a Fulcio certificate, outside a bundle.
    DsseEnvelopeUnlogged = "dsse-envelope-unlogged", "signature",
        "A bare DSSE envelope signed with a Fulcio certificate carries no transparency-log entry or timestamp: offline, its signing time (and so the short-lived certificate) cannot be verified. slsa-verifier looks it up in Rekor online; provenant fails closed.";
    /// The statement's predicate type is the expected one.
    PredicateTypeMatches = "predicate-type-matches", "provenance",
        "The signed statement's predicate type is the one the policy asks for (exact URI).";
    /// Another predicate type.
    PredicateTypeMismatch = "predicate-type-mismatch", "provenance",
        "The signed statement's predicate type is not the one the policy asks for.";
    /// The source repository is the expected one.
    SourceRepositoryMatches = "source-repository-matches", "provenance",
        "Every verified source (provenance, certificate) names the expected source repository.";
    /// Another source repository.
    SourceRepositoryMismatch = "source-repository-mismatch", "provenance",
        "A verified source names another repository than expected, or none records one.";
    /// The source ref (tag, branch) is the expected one.
    SourceRefMatches = "source-ref-matches", "provenance",
        "Every verified source records the expected ref (exact tag, semver-compatible tag, or branch).";
    /// Another ref.
    SourceRefMismatch = "source-ref-mismatch", "provenance",
        "A verified source records another ref (or a branch where a tag was expected, or the reverse), or none records one.";
    /// The source commit is the expected one.
    SourceCommitMatches = "source-commit-matches", "provenance",
        "The provenance's source commit and the certificate's source-repository digest (when present) both equal the expected commit.";
    /// Another commit.
    SourceCommitMismatch = "source-commit-mismatch", "provenance",
        "The provenance or the certificate records another commit than the one expected to have shipped, or none records one.";
    /// The builder is the expected (or a trusted) one.
    BuilderIdMatches = "builder-id-matches", "provenance",
        "The provenance's builder id (and the signing workflow, for workflow builders) is the expected builder, with or without its @ref.";
    /// Another builder.
    BuilderIdMismatch = "builder-id-mismatch", "provenance",
        "The builder id or the signing workflow is not the expected or a trusted builder (prefix look-alikes such as ...-evil never match).";
    /// The repository owner is the expected one.
    RepositoryOwnerMatches = "repository-owner-matches", "provenance",
        "The certificate's source-repository owner is the expected owner.";
    /// Another owner.
    RepositoryOwnerMismatch = "repository-owner-mismatch", "provenance",
        "The certificate's source-repository owner is another, or the certificate has none.";
    /// The signing workflow is the expected one.
    SignerWorkflowMatches = "signer-workflow-matches", "identity",
        "The signing workflow (certificate SAN) is the expected workflow or lives in the expected repository (anchored: repo-evil and release.yml.attacker.yml never match).";
    /// Another signing workflow.
    SignerWorkflowMismatch = "signer-workflow-mismatch", "identity",
        "The signing workflow is not the expected one, or not in the expected repository.";
    /// The build ran on a provider-hosted runner.
    RunnerHosted = "runner-hosted", "provenance",
        "The build ran on a provider-hosted runner (certificate runner-environment or provenance).";
    /// The build ran on a self-hosted runner, or the runner is unknown.
    RunnerSelfHosted = "runner-self-hosted", "provenance",
        "The build ran on a self-hosted runner, or no verified source says where it ran, and self-hosted runners are denied.";
    /// Two signed provenance statements for the artifact disagree.
    ProvenanceConflict = "provenance-conflict", "provenance",
        "Two validly signed provenance statements for this artifact name different source commits or repositories: which one built it is ambiguous.";
    /// The build's workflow inputs are the expected ones.
    WorkflowInputsMatch = "workflow-inputs-match", "provenance",
        "Every expected workflow input (slsa-verifier --build-workflow-input) is recorded in the provenance with the expected value.";
    /// A workflow input differs or is missing.
    WorkflowInputsMismatch = "workflow-inputs-mismatch", "provenance",
        "An expected workflow input is missing from the provenance or has another value.";
    /// The VSA was issued by the expected verifier.
    VsaVerifierMatches = "vsa-verifier-matches", "vsa",
        "The Verification Summary Attestation's verifier.id is the expected verifier.";
    /// Another verifier.
    VsaVerifierMismatch = "vsa-verifier-mismatch", "vsa",
        "The Verification Summary Attestation was issued by another verifier (or names none).";
    /// The VSA is about the expected resource.
    VsaResourceMatches = "vsa-resource-matches", "vsa",
        "The Verification Summary Attestation's resourceUri is the expected resource.";
    /// Another resource.
    VsaResourceMismatch = "vsa-resource-mismatch", "vsa",
        "The Verification Summary Attestation is about another resource (or names none).";
    /// The VSA says the verification passed.
    VsaResultPassed = "vsa-result-passed", "vsa",
        "The Verification Summary Attestation's verificationResult is PASSED.";
    /// The VSA does not say PASSED.
    VsaResultFailed = "vsa-result-failed", "vsa",
        "The Verification Summary Attestation's verificationResult is not PASSED.";
    /// Every required level is attested.
    VsaLevelsMet = "vsa-levels-met", "vsa",
        "Every required level is among the VSA's verifiedLevels (a higher SLSA level of the same track satisfies a lower one).";
    /// A required level is missing.
    VsaLevelsNotMet = "vsa-levels-not-met", "vsa",
        "A required level is not among the VSA's verifiedLevels.";
    /// The publish attestation names the expected package.
    PackageMatches = "package-matches", "provenance",
        "The npm publish attestation (and its subject) names the expected package name and version.";
    /// Another package.
    PackageMismatch = "package-mismatch", "provenance",
        "The npm publish attestation names another package name or version than expected (or none can be checked).";
    /// An npm attestations document lacks a verified part.
    NpmAttestationsIncomplete = "npm-attestations-incomplete", "provenance",
        "An npm attestations document needs both a verified publish attestation (npm's registry key) and verified SLSA provenance for the same tarball.";
    /// The npm registry key had expired when the publish attestation was signed.
    NpmRegistryKeyExpired = "npm-registry-key-expired", "signature",
        "The npm publish attestation was signed (by its verified log time) after npm retired the registry key, or its signing time is unknown.";
    /// The SBOM is valid for the spec version it claims.
    SbomValid = "sbom-valid", "sbom",
        "The SBOM is structurally valid for the spec version it claims (bundled JSON schema / XSD for CycloneDX, the spec's required fields for SPDX).";
    /// The SBOM is not valid for its spec version.
    SbomInvalid = "sbom-invalid", "sbom",
        "The SBOM violates the spec version it claims, could not be read, or could not be fully validated.";
    /// The SBOM describes the artifact's digest.
    SbomBound = "sbom-bound", "sbom",
        "The SBOM describes the exact artifact: its subject's hash or package URL digest, or the verified attestation carrying it, names the artifact's digest.";
    /// The SBOM describes nothing that can be tied to the artifact.
    SbomUnbound = "sbom-unbound", "sbom",
        "The SBOM names no digest of the thing it describes, so it cannot be tied to the artifact (a failure when binding is required).";
    /// The SBOM describes another digest.
    SbomBindingMismatch = "sbom-binding-mismatch", "sbom",
        "The SBOM describes a subject whose digest is not the artifact's: it is the SBOM of something else.";
    /// The SBOM's subject names the artifact and also another digest.
    SbomBindingConflict = "sbom-binding-conflict", "sbom",
        "The SBOM's subject names the artifact's digest, but its hashes, package URL version or digest/checksum qualifiers also name another value of an algorithm (two checksums of one algorithm, a purl naming another digest): a contradiction, never a binding.";
    /// NTIA minimum elements are present.
    SbomNtiaComplete = "sbom-ntia-complete", "sbom",
        "Every NTIA minimum element (supplier, name, version, unique identifier, dependencies, author, timestamp) is present for every component.";
    /// NTIA minimum elements are missing.
    SbomNtiaIncomplete = "sbom-ntia-incomplete", "sbom",
        "Some NTIA minimum elements are missing; the reason gives the coverage of each (a warning without a policy).";
    /// Coverage floors are met.
    SbomQualityMet = "sbom-quality-met", "sbom",
        "The shares of components with a package URL, with hashes and with licenses meet the required floors (or are reported when none are set).";
    /// A coverage floor is not met.
    SbomQualityBelow = "sbom-quality-below", "sbom",
        "The share of components with a package URL, hashes or licenses is below a required floor (a warning without a policy).";
    /// The SBOM has a dependency graph.
    SbomDependenciesPresent = "sbom-dependencies-present", "sbom",
        "The SBOM records dependency relationships between its components.";
    /// The SBOM has no dependency graph.
    SbomDependenciesMissing = "sbom-dependencies-missing", "sbom",
        "The SBOM records no dependency relationships (a warning without a policy).";
    /// The SBOM's timestamp is consistent with the build.
    SbomTimestampConsistent = "sbom-timestamp-consistent", "sbom",
        "The SBOM's creation time is readable, not in the future, and not after the verified signing time of the build it describes (five minutes of clock skew allowed).";
    /// The SBOM's timestamp is missing, unreadable, in the future or after the build.
    SbomTimestampInconsistent = "sbom-timestamp-inconsistent", "sbom",
        "The SBOM's creation time is missing, unreadable, in the future, or later than the build it describes.";
    /// The SBOM was made from the expected commit.
    SbomCommitMatches = "sbom-commit-matches", "sbom",
        "The source commit the SBOM records is the expected commit.";
    /// The SBOM names another commit.
    SbomCommitMismatch = "sbom-commit-mismatch", "sbom",
        "The source commit the SBOM records is not the expected commit.";
    /// Change review is required and none was given.
    ReviewMissing = "review-missing", "change-review",
        "Change review is required but no pull or merge request was given for the shipped commit.";
    /// The shipped commit is the reviewed change's merge commit or final head.
    ReviewCommitMatches = "review-commit-matches", "change-review",
        "The shipped commit is the merged change's merge (or squash) commit, or the change's final head commit.";
    /// The review is of another commit.
    ReviewCommitMismatch = "review-commit-mismatch", "change-review",
        "The shipped commit is neither the change's merge (or squash) commit nor its final head: the review is of something else (the reason names both).";
    /// The change was merged.
    ReviewMerged = "review-merged", "change-review",
        "The pull or merge request was merged, not merely closed.";
    /// The change was not merged.
    ReviewNotMerged = "review-not-merged", "change-review",
        "The pull or merge request is still open, or was closed without being merged.";
    /// Enough independent approvals of the final head.
    ReviewApprovalsMet = "review-approvals-met", "change-review",
        "At least the required number of reviewers approved the final head commit, counting each reviewer's latest review only and no approval by the author or the last pusher.";
    /// Too few independent approvals of the final head.
    ReviewApprovalsInsufficient = "review-approvals-insufficient", "change-review",
        "Fewer independent approvals of the final head commit than required: dismissed or superseded approvals, approvals of an older commit, self-approvals and approvals that record no commit do not count.";
    /// An approval was given on an older commit.
    ReviewApprovalStale = "review-approval-stale", "change-review",
        "A reviewer's latest approval is of an older commit than the final head, so it does not count: what was approved is not what was merged.";
    /// An approval records no commit.
    ReviewApprovalCommitUnknown = "review-approval-commit-unknown", "change-review",
        "An approval records no commit (GitLab's approvals API never does), so it cannot be tied to the final head; it counts only when that risk is accepted.";
    /// No approval is by the author or the last pusher.
    ReviewIndependent = "review-independent", "change-review",
        "No approval of the change is by its author or by whoever pushed its final head.";
    /// The author or the last pusher approved.
    ReviewSelfApproved = "review-self-approved", "change-review",
        "The change's author or the pusher of its final head approved it: a self-approval, which never counts toward the required approvals.";
    /// A bot (or unidentifiable account) approved or opened the change.
    ReviewBotAccount = "review-bot-account", "change-review",
        "A bot account (GitHub user.type Bot or a login ending in [bot], a GitLab bot user) or an account that is not a known person approved the change, which never counts as an independent approval; or a bot opened it, so its human author is unknown.";
    /// The change was merged by an allowed method.
    ReviewMergeMethodAllowed = "review-merge-method-allowed", "change-review",
        "The change was merged by an allowed method (merge commit, squash, rebase), as its merge commit and the git history show.";
    /// The change was merged by another method, or it cannot be told.
    ReviewMergeMethodDenied = "review-merge-method-denied", "change-review",
        "The change was merged by a method that is not allowed, or the evidence cannot tell which method was used.";
    /// The shipped commit is on the release branch.
    GitCommitOnBranch = "git-commit-on-branch", "change-review",
        "The local clone has the shipped commit and it is reachable from the release branch.";
    /// The shipped commit is not on the release branch.
    GitCommitNotOnBranch = "git-commit-not-on-branch", "change-review",
        "The local clone does not have the shipped commit (a shallow clone?), or it is not reachable from the release branch.";
    /// Change review was asked for, and the shipped commit is not known.
    ReviewCommitUnknown = "review-commit-unknown", "change-review",
        "Change review was given or required, but the shipped commit is not known (no --commit and no verified provenance records one), so no review can be tied to it.";
    /// The release branch's history could not be read.
    GitHistoryUnreadable = "git-history-unreadable", "change-review",
        "The local clone (--git-dir) could not be read (not a repository, grafts that rewrite history, an unknown branch, git failed or timed out), so nothing about the shipped commit's history is proven.";
    /// The shipped commit reached the branch through a merged change.
    GitMergedChange = "git-merged-change", "change-review",
        "Git history shows the shipped commit reached the release branch through a merge commit, or as the merge, squash or head commit of the merged, reviewed change.";
    /// The shipped commit was pushed directly.
    GitDirectPush = "git-direct-push", "change-review",
        "The shipped commit sits on the release branch's first-parent history as a single-parent commit that no merged, reviewed change accounts for: a direct push (or a squash or rebase merge whose review was not given). A heuristic: a merge made locally and pushed looks like a merged change.";
    /// The layout is signed by every given layout key.
    LayoutSignatureValid = "layout-signature-valid", "layout",
        "The in-toto layout carries a valid signature by every layout key given.";
    /// A layout key did not sign the layout.
    LayoutSignatureInvalid = "layout-signature-invalid", "layout",
        "A layout key given did not make a valid signature over the in-toto layout (or the layout is unsigned).";
    /// The layout has not expired.
    LayoutCurrent = "layout-current", "layout",
        "The in-toto layout's expiry date is after the verification time.";
    /// The layout has expired.
    LayoutExpired = "layout-expired", "layout",
        "The in-toto layout's expiry date has passed (or it has none that can be read).";
    /// The layout or a link could not be read.
    LayoutMalformed = "layout-malformed", "layout",
        "The in-toto layout or a link is not well-formed metadata of the expected type.";
    /// The layout uses a feature provenant does not verify.
    LayoutUnsupported = "layout-unsupported", "layout",
        "The in-toto layout uses a feature provenant does not verify (sublayouts, certificate-signed links); it is not verified.";
    /// A step is backed by enough signed links and its artifact rules hold.
    LayoutStepVerified = "layout-step-verified", "layout",
        "An in-toto step has links signed by at least its threshold of authorised functionaries, and its artifact rules hold.";
    /// A step lacks signed links.
    LayoutLinkMissing = "layout-link-missing", "layout",
        "An in-toto step has fewer valid links by authorised functionaries than its threshold.";
    /// A link's signature does not verify.
    LayoutLinkSignatureInvalid = "layout-link-signature-invalid", "layout",
        "A link file for an in-toto step is not validly signed by the functionary key it is named for.";
    /// Links for one step record different artifacts.
    LayoutLinksDisagree = "layout-links-disagree", "layout",
        "The links of one in-toto step, made by different functionaries, record different materials or products.";
    /// An artifact rule fails.
    LayoutRuleViolated = "layout-rule-violated", "layout",
        "An in-toto artifact rule (MATCH, CREATE, DELETE, MODIFY, ALLOW, DISALLOW, REQUIRE) does not hold.";
    /// A link ran another command than the step expects.
    LayoutCommandMismatch = "layout-command-mismatch", "layout",
        "A link records another command than its step's expected_command (a warning, as in in-toto).";
    /// An inspection was not run.
    LayoutInspectionNotRun = "layout-inspection-not-run", "layout",
        "The layout has an inspection (or a rule that needs one's results); provenant never executes inspection commands, so such a rule consumes nothing and the layout is not fully verified.";
    /// The artifact is a product of a verified step.
    LayoutArtifactBound = "layout-artifact-bound", "layout",
        "The artifact being verified is recorded, with the same digest by every algorithm both record, as a product of an in-toto step whose threshold of verified links was met.";
    /// No verified step produced the artifact.
    LayoutArtifactUnbound = "layout-artifact-unbound", "layout",
        "The artifact is not a product of any in-toto step whose threshold of verified links was met (by file or by --digest), so the layout does not speak for it: a failure.";
    /// A step records the artifact's name with another digest, or contradictory digests.
    LayoutArtifactMismatch = "layout-artifact-mismatch", "layout",
        "An in-toto step records a product with the artifact's name but another digest (the file is not what was built), or records the artifact with one algorithm's digest and a different one by another.";
    /// A required security gate is backed by bound, successful evidence.
    GatePresent = "gate-present", "gates",
        "A required security gate (SAST, SCA, DAST, CI run) is backed by evidence that is bound to what shipped, succeeded and ran in time.";
    /// A required gate has no such evidence.
    GateMissing = "gate-missing", "gates",
        "A required security gate has no evidence that is bound to what shipped, succeeded and ran in time (the reason lists what was found instead).";
    /// The gate run scanned the shipped commit or digest.
    GateBound = "gate-bound", "gates",
        "The gate run scanned the shipped commit or artifact digest (SARIF versionControlProvenance, CI head_sha, scanned image digest, attestation subject).";
    /// The gate run records nothing that binds it.
    GateUnbound = "gate-unbound", "gates",
        "The gate run records no commit or digest that can be compared with what shipped (a URL or a path binds nothing); it is never assumed to be about the release.";
    /// The gate run scanned something else.
    GateBindingMismatch = "gate-binding-mismatch", "gates",
        "The gate run scanned another commit or digest than the one that shipped; the reason names both.";
    /// The report names what shipped and also something else.
    GateBindingConflict = "gate-binding-conflict", "gates",
        "The gate report names the shipped commit or digest and also another commit or digest (a SARIF run whose versionControlProvenance lists two commits, a scan of several image digests): every mention must agree.";
    /// The gate run succeeded.
    GateRunSucceeded = "gate-run-succeeded", "gates",
        "The gate run completed successfully (SARIF executionSuccessful, CI conclusion success, test result PASSED).";
    /// The gate run failed or did not finish.
    GateRunFailed = "gate-run-failed", "gates",
        "The gate run failed, was cancelled, is still running, or does not say that it succeeded when that is required.";
    /// The gate ran between the commit and the build.
    GateTimingConsistent = "gate-timing-consistent", "gates",
        "The gate run finished before the artifact was built or released, and started after the commit was made (where those times are known).";
    /// The gate ran at an impossible time.
    GateTimingInconsistent = "gate-timing-inconsistent", "gates",
        "The gate run finished after the artifact was built or released, started before the commit existed, or records no readable time when one is needed.";
    /// Findings are within the thresholds.
    GateFindingsWithinThreshold = "gate-findings-within-threshold", "gates",
        "The open findings (not suppressed, not waived) are within the severity thresholds.";
    /// Findings exceed a threshold.
    GateFindingsOverThreshold = "gate-findings-over-threshold", "gates",
        "The open findings exceed a severity threshold (a warning for critical/high findings when no threshold is set).";
    /// The report does not list every finding.
    GateFindingsIncomplete = "gate-findings-incomplete", "gates",
        "The gate report does not list its findings (a SARIF run whose results are absent or null did not complete its analysis; a code scanning analysis only counts them): missing is not clean, so it meets no threshold and satisfies no required gate.";
    /// A waiver was applied.
    GateWaiverApplied = "gate-waiver-applied", "gates",
        "A finding was waived by a waiver with an id, a reason, an approver and an expiry date in the future.";
    /// A waiver is expired or incomplete.
    GateWaiverInvalid = "gate-waiver-invalid", "gates",
        "A waiver has expired or lacks its id, reason, approver or expiry date; it waives nothing.";
    /// The gate evidence is as trusted as required.
    GateEvidenceTrusted = "gate-evidence-trusted", "gates",
        "The gate evidence's trust level (signed attestation > CI API metadata > plain report file) meets what is required.";
    /// The gate evidence is less trusted than required.
    GateEvidenceUntrusted = "gate-evidence-untrusted", "gates",
        "The gate evidence is a plain report file or CI metadata where signed gate evidence is required (a warning otherwise).";
    /// The gate run names the expected source repository.
    GateRepositoryMatches = "gate-repository-matches", "gates",
        "Every repository the gate run names (CI repository and head repository, SARIF versionControlProvenance repositoryUri, scanned repository, attestation subject name) is the source repository of what shipped.";
    /// The gate run names another repository.
    GateRepositoryMismatch = "gate-repository-mismatch", "gates",
        "The gate run names another repository than the source repository of what shipped (a fork shares commits): it is not bound, even on the same commit.";
    /// The gate run names no repository while one is expected.
    GateRepositoryUnknown = "gate-repository-unknown", "gates",
        "The gate run is bound by commit but records no repository, so it cannot be shown to have run in the source repository rather than a fork (a warning).";
    /// A waiver matched no finding.
    GateWaiverUnused = "gate-waiver-unused", "gates",
        "A valid waiver matched no finding of any gate run (a warning): the finding it names was fixed, or the waiver names it wrongly.";
    /// A waiver waives more findings than its limit.
    GateWaiverExceeded = "gate-waiver-exceeded", "gates",
        "A waiver matched more findings than its `max` allows: new instances appeared since it was approved, so it waives none of them.";
    /// A gate report could not be read.
    GateReportUnreadable = "gate-report-unreadable", "gates",
        "A gate report is not a format provenant reads, or is malformed.";
    /// A tag was resolved to a manifest digest.
    ImageResolved = "image-resolved", "image",
        "The image reference was resolved once to a manifest digest; everything after is about that digest.";
    /// `--expected-digest` differs from what the tag resolves to now.
    ImageTagMoved = "image-tag-moved", "image",
        "The tag now points at another digest than --expected-digest: the tag moved since it was recorded.";
    /// A docker archive's manifest.json and index.json name different images.
    ImageArchiveInconsistent = "image-archive-inconsistent", "image",
        "The docker archive's manifest.json (what docker load reads) and index.json (what containerd reads) do not name exactly the same images, configs and layers: the image verified need not be the image loaded.";
    /// The image's own manifest or index could not be read.
    ImageManifestInvalid = "image-manifest-invalid", "image",
        "The image manifest or index is missing, over the size limit, not matching its digest, or not a manifest; nothing about the image can be verified.";
    /// A platform manifest of an index was selected and checked.
    ImagePlatformFound = "image-platform-found", "image",
        "The platform asked for (--platform) is listed in the image index and was verified in its own right.";
    /// A platform asked for is not in the index.
    ImagePlatformMissing = "image-platform-missing", "image",
        "The platform asked for (--platform) is not listed in the image index, or the subject is not an index.";
    /// A cosign signature names the verified repository.
    ImageSignedReferenceMatches = "image-signed-reference-matches", "image",
        "The cosign signature's signed payload (critical.identity.docker-reference) names the repository that was verified.";
    /// A cosign signature names another repository.
    ImageSignedReferenceMismatch = "image-signed-reference-mismatch", "image",
        "The cosign signature's signed payload names another repository than the one verified (a signature copied between repositories of the same image): a warning, or a failure with --require-signed-reference.";
    /// The runtime code at the address equals the build's runtime code byte for byte, including the CBOR metadata hash, once immutables.
    ContractRuntimeFullMatch = "contract-runtime-full-match", "contract",
        "The runtime code at the address equals the build's runtime code byte for byte, including the CBOR metadata hash, once immutables (read from the chain at the build's immutableReferences) and library links are filled in.";
    /// The runtime code equals the build's except the CBOR metadata trailer.
    ContractRuntimePartialMatch = "contract-runtime-partial-match", "contract",
        "The runtime code equals the build's except the CBOR metadata trailer (the source or settings hashed into the metadata differ): a failure unless --allow-partial, then a warning; both metadata hashes are reported.";
    /// The runtime code at the address is not the build's runtime code.
    ContractRuntimeMismatch = "contract-runtime-mismatch", "contract",
        "The runtime code at the address is not the build's runtime code (other bytes, other length, an unreadable trailer, or an immutable or link position outside the code).";
    /// The build's creation code, with its library links filled in, is a byte-exact prefix of the creation transaction's input, including the metadata hash.
    ContractCreationFullMatch = "contract-creation-full-match", "contract",
        "The build's creation code, with its library links filled in, is a byte-exact prefix of the creation transaction's input, including the metadata hash.";
    /// The creation transaction's input matches the build's creation code except the CBOR metadata.
    ContractCreationPartialMatch = "contract-creation-partial-match", "contract",
        "The creation transaction's input matches the build's creation code except the CBOR metadata: a failure unless --allow-partial, then a warning.";
    /// The creation transaction's input does not start with the build's creation code, the transaction did not create this address, or the creation transaction could not be identified or read.
    ContractCreationMismatch = "contract-creation-mismatch", "contract",
        "The creation transaction's input does not start with the build's creation code, the transaction did not create this address, or the creation transaction could not be identified or read.";
    /// No creation transaction is known: creation code, arguments and immutables unchecked.
    ContractCreationUnchecked = "contract-creation-unchecked", "contract",
        "No creation transaction was given (--creation-tx) or recorded (--deployment): the runtime code was compared, but the creation code, the constructor arguments and the values of the immutables were read from the chain, not checked (a warning).";
    /// The tail of the creation input after the creation code decodes with the constructor's ABI types, re-encodes to the same bytes, and equals the arguments the deployment record states.
    ContractConstructorArgsMatch = "contract-constructor-args-match", "contract",
        "The tail of the creation input after the creation code decodes with the constructor's ABI types, re-encodes to the same bytes, and equals the arguments the deployment record states (when it states them).";
    /// The constructor arguments in the creation input do not decode canonically with the constructor's ABI, or differ from the deployment record's arguments.
    ContractConstructorArgsMismatch = "contract-constructor-args-mismatch", "contract",
        "The constructor arguments in the creation input do not decode canonically with the constructor's ABI, or differ from the deployment record's arguments.";
    /// Every library placeholder of the build resolves, at the same position in the deployed code, to one address, that address holds the library's own build, and it equals the deployment record's library address.
    ContractLibraryLinksMatch = "contract-library-links-match", "contract",
        "Every library placeholder of the build resolves, at the same position in the deployed code, to one address, that address holds the library's own build, and it equals the deployment record's library address.";
    /// A library link in the deployed code points elsewhere than the deployment record says, to code that is not the library's build, or differs between uses of the same library.
    ContractLibraryLinksMismatch = "contract-library-links-mismatch", "contract",
        "A library link in the deployed code points elsewhere than the deployment record says, to code that is not the library's build, or differs between uses of the same library.";
    /// The proxy's implementation.
    ContractProxyImplementationVerified = "contract-proxy-implementation-verified", "contract",
        "The proxy's implementation (EIP-1967 implementation slot, beacon's implementation(), EIP-1822 PROXIABLE slot or EIP-1167 clone target) is the expected address and its code matches the implementation's build.";
    /// The proxy's implementation points elsewhere than the deployment record or --implementation says, is empty, or its code does not match the implementation's build.
    ContractProxyImplementationMismatch = "contract-proxy-implementation-mismatch", "contract",
        "The proxy's implementation points elsewhere than the deployment record or --implementation says, is empty, or its code does not match the implementation's build.";
    /// The RPC endpoint's eth_chainId equals --chain-id and the deployment record's chain.
    ContractChainIdMatch = "contract-chain-id-match", "contract",
        "The RPC endpoint's eth_chainId equals --chain-id and the deployment record's chain.";
    /// The RPC endpoint's eth_chainId differs from --chain-id or from the chain the deployment record names.
    ContractChainIdMismatch = "contract-chain-id-mismatch", "contract",
        "The RPC endpoint's eth_chainId differs from --chain-id or from the chain the deployment record names: the code read is from another chain.";
    /// The address holds code at the block asked for.
    ContractDeployed = "contract-deployed", "contract",
        "The address holds code at the block asked for.";
    /// The address holds no code at the block asked for.
    ContractNotDeployed = "contract-not-deployed", "contract",
        "The address holds no code at the block asked for (never deployed, self-destructed, or an account).";
    /// The solc version in the deployed code's CBOR metadata equals the build's compiler version.
    ContractCompilerMatch = "contract-compiler-match", "contract",
        "The solc version in the deployed code's CBOR metadata equals the build's compiler version.";
    /// The solc version in the deployed code's CBOR metadata differs from the build's compiler version.
    ContractCompilerMismatch = "contract-compiler-mismatch", "contract",
        "The solc version in the deployed code's CBOR metadata differs from the build's compiler version.";
    /// No attestation, identity, key, source or --commit flag and no policy requiring provenance was given.
    ContractBuildUnattested = "contract-build-unattested", "contract",
        "No attestation, identity, key, source or --commit flag and no policy requiring provenance was given: the chain was compared with the given build only, and nothing proves who built it from which commit.";
    /// The deployment record.
    ContractDeploymentMismatch = "contract-deployment-mismatch", "contract",
        "The deployment record (--deployment) contradicts the chain or the flags: another address, transaction or contract, or a record that names no deployment of this address.";
    /// Where evidence was searched for (cosign tags, referrers, BuildKit attestations).
    EvidenceSearched = "evidence-searched", "evidence",
        "Where provenant looked for evidence about the image and what each place gave.";
    /// A referrer listed under the image names another subject.
    ReferrerSubjectMismatch = "referrer-subject-mismatch", "evidence",
        "A manifest listed as a referrer of the image names another subject (or none): it is not about this image and proves nothing for it.";
    /// Evidence found that no signature covers (BuildKit attestations, attached SBOMs).
    EvidenceUnsigned = "evidence-unsigned", "evidence",
        "Evidence was found beside the image that nothing signs (a BuildKit attestation, a cosign-attached SBOM); it is listed but cannot establish anything.";
    /// Evidence of a kind provenant does not verify.
    EvidenceUnsupported = "evidence-unsupported", "evidence",
        "Evidence of a media type provenant does not verify was found; it is listed and not counted.";
    /// A check that was skipped on request.
    OptOutUsed = "opt-out-used", "policy",
        "A verification step was skipped on request; the report records the risk taken.";
    /// The policy states a requirement the evidence kind cannot show.
    PolicyUnsupported = "policy-unsupported", "policy",
        "The policy or the flags state a requirement that this kind of verification cannot show (a VSA shows only its subject, verifier, resource, result and levels): it fails rather than being ignored.";
    /// A policy file was read and applied.
    PolicyLoaded = "policy-loaded", "policy",
        "A policy file (--policy) was read, validated and applied; the evidence names it with its sha256 digest. Flags given on the command line override it. It never turns a failed verdict into a pass.";
    /// The policy requires SLSA provenance, and a verified statement carries it.
    ProvenancePresent = "provenance-present", "policy",
        "The policy requires provenance (provenance.required), and a verified SLSA provenance statement about the subject is among the evidence.";
    /// The policy requires SLSA provenance, and none verified.
    ProvenanceMissing = "provenance-missing", "policy",
        "The policy requires provenance (provenance.required), and no verified SLSA provenance statement about the subject is among the evidence.";
    /// The Rego policy denies nothing.
    RegoPassed = "rego-passed", "policy",
        "The Rego policies (--rego) were evaluated over the report and their `deny` set is empty. It never turns a failed verdict into a pass.";
    /// The Rego policy denies.
    RegoDenied = "rego-denied", "policy",
        "A Rego policy (--rego) denies: one check per element of `deny` in package provenant, with its message as the reason.";
    /// The Rego policy warns.
    RegoWarned = "rego-warned", "policy",
        "A Rego policy (--rego) warns: one check per element of `warn` in package provenant (a warning, not a failure).";
    /// The Rego policy could not be evaluated.
    RegoError = "rego-error", "policy",
        "A Rego policy (--rego) does not parse, declares no `deny` in package provenant, returns something other than a set of messages, fails or runs over its time limit: a failure, never a pass.";
}

impl fmt::Display for CheckCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CheckCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CheckCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::from_name(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown check code {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_kebab_case_and_round_trip() {
        let mut seen = HashSet::new();
        for code in CheckCode::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name} is not kebab-case"
            );
            assert_eq!(CheckCode::from_name(name), Some(*code));
            assert!(!code.description().is_empty());
        }
    }

    #[test]
    fn empty_or_passless_is_fail() {
        assert_eq!(Verdict::from_checks(&[]), Verdict::Fail);
        let warn = Check::warn(CheckCode::SignerIssuerUnconstrained, "x", vec![]);
        assert_eq!(
            Verdict::from_checks(std::slice::from_ref(&warn)),
            Verdict::Fail
        );
        let pass = Check::pass(CheckCode::SignatureValid, "x", vec![]);
        assert_eq!(Verdict::from_checks(&[warn, pass.clone()]), Verdict::Pass);
        let fail = Check::fail(CheckCode::SignatureInvalid, "x", vec![]);
        assert_eq!(Verdict::from_checks(&[pass, fail]), Verdict::Fail);
    }
}
