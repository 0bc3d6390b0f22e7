//! The ways a bundle can be wrong, each breaking exactly one property.

/// One broken property. [`TestPki::mint_tampered`](crate::TestPki::mint_tampered) re-signs whatever
/// else the change would invalidate, so that only this property fails.
///
/// Some variants need a particular kind of bundle and adjust the spec they are given: the DSSE
/// variants switch a message signature to a DSSE statement, the SET and expiry variants use Rekor v1,
/// the timestamp variants add an RFC 3161 timestamp, and `TimestampMissing` uses Rekor v2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tamper {
    /// The bundle is valid, but [`Minted::artifact`](crate::Minted::artifact) is other bytes.
    WrongArtifact,
    /// The certificate names another workflow (another repository of another owner).
    WrongIdentity,
    /// The certificate's SAN is the expected identity with a suffix (`…@refs/tags/v1.0.0-attacker`,
    /// `alice@example.com.attacker.test`): prefix and unanchored-regex matching accept it.
    PrefixIdentity,
    /// The certificate names a sibling repository whose name extends the expected one
    /// (`provenant-test/app-evil`): matching on a repository URL prefix accepts it. For an email
    /// identity, the domain is extended instead (`alice@example.com-evil.test`).
    SiblingRepoIdentity,
    /// The certificate's OIDC issuer is another provider (`https://accounts.google.com`, or
    /// GitHub Actions' when the spec's issuer is Google).
    WrongIssuer,
    /// The certificate expired ten minutes before the (SET-signed) integration time, and no
    /// RFC 3161 timestamp exists to place the signature inside its validity.
    ExpiredCertNoTimestamp,
    /// One hash of the Merkle inclusion proof is flipped.
    BrokenInclusionProof,
    /// The entry, SET and checkpoint come from a log whose key is not in the trusted root.
    WrongLogKey,
    /// The certificate carries no embedded SCT.
    SctMissing,
    /// The certificate's SCT is signed by a CT log that is not in the trusted root.
    SctFromUntrustedLog,
    /// The DSSE envelope says `application/vnd.in-toto+json`, but the signature (and the log entry)
    /// is over the PAE of `application/json`.
    PayloadTypeSwapped,
    /// The log entry is for the same artifact and certificate, but records another valid signature.
    TlogBodyForOtherSignature,
    /// The log entry is a valid entry for another artifact signed with the same certificate.
    TlogBodyForOtherArtifact,
    /// The in-toto payload has two `"subject"` keys (first another digest, last the artifact's),
    /// and is correctly signed and logged (it replaces any `statement_json`). Parsers that keep the
    /// first key see another subject. sigstore-verify rejects it (serde's duplicate-field check);
    /// last-key-wins verifiers such as sigstore-python accept it.
    DuplicateJsonKeysInPayload,
    /// The SLSA predicate's `buildDefinition.externalParameters.workflow` has two `"repository"`
    /// keys (first the real repository, last `https://github.com/attacker-org/app`), correctly
    /// signed and logged (it replaces any `statement_json`). sigstore-verify reads the predicate as
    /// an untyped value and accepts it: the caller must reject duplicate keys.
    DuplicateJsonKeysInPredicate,
    /// The signature is well formed but over other bytes; log entry and timestamp record it as is.
    BadSignature,
    /// The certificate chains to a CA with the trusted CA's names but another key.
    CertFromUntrustedCa,
    /// The certificate lacks the code-signing extended key usage.
    NoCodeSigningEku,
    /// The Signed Entry Timestamp is signed by the log's key, but over another integrated time.
    SetInvalid,
    /// The inclusion proof carries no checkpoint.
    CheckpointMissing,
    /// The checkpoint is signed by the log's key, but over another tree head.
    CheckpointSignatureInvalid,
    /// The RFC 3161 timestamp comes from a TSA that is not in the trusted root. sigstore-verify fails
    /// on any bad timestamp; verifiers that drop it and fall back on the SET's integrated time
    /// (sigstore-python) accept Rekor v1 bundles with it.
    TimestampFromUntrustedTsa,
    /// The RFC 3161 timestamp is valid but imprints other bytes than the bundle's signature (the same
    /// remark as for `TimestampFromUntrustedTsa` applies).
    TimestampForOtherSignature,
    /// A Rekor v2 bundle (whose only signed time is the TSA's) without its RFC 3161 timestamp.
    TimestampMissing,
}

impl Tamper {
    /// Every variant, in declaration order.
    pub const ALL: [Tamper; 24] = [
        Tamper::WrongArtifact,
        Tamper::WrongIdentity,
        Tamper::PrefixIdentity,
        Tamper::SiblingRepoIdentity,
        Tamper::WrongIssuer,
        Tamper::ExpiredCertNoTimestamp,
        Tamper::BrokenInclusionProof,
        Tamper::WrongLogKey,
        Tamper::SctMissing,
        Tamper::SctFromUntrustedLog,
        Tamper::PayloadTypeSwapped,
        Tamper::TlogBodyForOtherSignature,
        Tamper::TlogBodyForOtherArtifact,
        Tamper::DuplicateJsonKeysInPayload,
        Tamper::DuplicateJsonKeysInPredicate,
        Tamper::BadSignature,
        Tamper::CertFromUntrustedCa,
        Tamper::NoCodeSigningEku,
        Tamper::SetInvalid,
        Tamper::CheckpointMissing,
        Tamper::CheckpointSignatureInvalid,
        Tamper::TimestampFromUntrustedTsa,
        Tamper::TimestampForOtherSignature,
        Tamper::TimestampMissing,
    ];

    /// A stable kebab-case name, for test names and file names.
    pub fn name(self) -> &'static str {
        match self {
            Tamper::WrongArtifact => "wrong-artifact",
            Tamper::WrongIdentity => "wrong-identity",
            Tamper::PrefixIdentity => "prefix-identity",
            Tamper::SiblingRepoIdentity => "sibling-repo-identity",
            Tamper::WrongIssuer => "wrong-issuer",
            Tamper::ExpiredCertNoTimestamp => "expired-cert-no-timestamp",
            Tamper::BrokenInclusionProof => "broken-inclusion-proof",
            Tamper::WrongLogKey => "wrong-log-key",
            Tamper::SctMissing => "sct-missing",
            Tamper::SctFromUntrustedLog => "sct-from-untrusted-log",
            Tamper::PayloadTypeSwapped => "payload-type-swapped",
            Tamper::TlogBodyForOtherSignature => "tlog-body-for-other-signature",
            Tamper::TlogBodyForOtherArtifact => "tlog-body-for-other-artifact",
            Tamper::DuplicateJsonKeysInPayload => "duplicate-json-keys-in-payload",
            Tamper::DuplicateJsonKeysInPredicate => "duplicate-json-keys-in-predicate",
            Tamper::BadSignature => "bad-signature",
            Tamper::CertFromUntrustedCa => "cert-from-untrusted-ca",
            Tamper::NoCodeSigningEku => "no-code-signing-eku",
            Tamper::SetInvalid => "set-invalid",
            Tamper::CheckpointMissing => "checkpoint-missing",
            Tamper::CheckpointSignatureInvalid => "checkpoint-signature-invalid",
            Tamper::TimestampFromUntrustedTsa => "timestamp-from-untrusted-tsa",
            Tamper::TimestampForOtherSignature => "timestamp-for-other-signature",
            Tamper::TimestampMissing => "timestamp-missing",
        }
    }

    /// Whether the change only concerns a DSSE envelope (the spec is switched to DSSE content).
    pub(crate) fn needs_dsse(self) -> bool {
        matches!(
            self,
            Tamper::PayloadTypeSwapped
                | Tamper::DuplicateJsonKeysInPayload
                | Tamper::DuplicateJsonKeysInPredicate
        )
    }
}
