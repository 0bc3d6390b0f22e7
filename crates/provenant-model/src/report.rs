//! The report: subject, checks, verified claims, verdict. Its JSON form is the public contract.

use serde::{Deserialize, Serialize};

use crate::check::{Check, Verdict};
use crate::digest::Digest;

/// Version of the report's JSON shape; bumped on any incompatible change.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// What a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum EvidenceKind {
    /// The artifact itself (a file that was hashed).
    Artifact,
    /// A Sigstore bundle.
    SigstoreBundle,
    /// A DSSE envelope.
    DsseEnvelope,
    /// A detached signature file (cosign `sign-blob --key` output).
    SignatureFile,
    /// A public key given by the user.
    PublicKey,
    /// A trusted root (file or embedded instance).
    TrustedRoot,
    /// A signing certificate.
    Certificate,
    /// A transparency-log entry.
    TlogEntry,
    /// An RFC 3161 timestamp.
    Timestamp,
    /// A command-line flag (an expectation the user stated).
    Flag,
    /// An SBOM (a file, or the predicate of a verified attestation).
    Sbom,
    /// A cosign simple-signing signature stored beside an image (`sha256-<hex>.sig`).
    CosignSignature,
    /// Something else stored beside an image: a referrer, an attestation manifest.
    OciArtifact,
    /// An image manifest or index (the subject, or a platform of it).
    OciManifest,
    /// State read from a chain's JSON-RPC endpoint (code, a transaction, a storage slot).
    ChainState,
    /// A smart-contract deployment record (Foundry broadcast, hardhat-deploy).
    DeploymentRecord,
}

/// Where a check's evidence came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    /// What kind of evidence.
    pub kind: EvidenceKind,
    /// Where it lives: a path, `path#/json/pointer`, `embedded:<name>`, or a flag.
    pub location: String,
    /// Its digest, when it is a file that was hashed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
}

impl EvidenceRef {
    /// Evidence of any kind at a location.
    pub fn new(kind: EvidenceKind, location: impl Into<String>) -> Self {
        Self {
            kind,
            location: location.into(),
            digest: None,
        }
    }

    /// The artifact file at `path`.
    pub fn file(path: impl Into<String>) -> Self {
        Self::new(EvidenceKind::Artifact, path)
    }

    /// Attach a digest.
    #[must_use]
    pub fn with_digest(mut self, digest: Digest) -> Self {
        self.digest = Some(digest);
        self
    }
}

/// What kind of subject was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SubjectKind {
    /// A file on disk, hashed by provenant.
    File,
    /// A digest given on the command line (the bytes were not seen).
    Digest,
    /// A source commit (`provenant gates --commit`): `name` is the commit id.
    Commit,
    /// A container image: `name` is the reference, the digest its manifest (or index) digest.
    Image,
    /// A deployed smart contract: `name` is `eip155:<chain id>:<address>`, the digest that of
    /// the build file its code was matched against (the subject its attestations name).
    Contract,
}

/// The thing that shipped, reduced to digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// File or bare digest.
    pub kind: SubjectKind,
    /// A path or name, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its digests (sha256 always for files; the given digest otherwise).
    pub digests: Vec<Digest>,
    /// Size in bytes, when the file was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// Where a verified time came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeSource {
    /// A transparency log's integrated time, covered by a verified promise or proof.
    TlogIntegratedTime,
    /// An RFC 3161 timestamp that verified.
    Rfc3161,
}

/// A transparency-log entry that verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntryClaim {
    /// Entry kind (`hashedrekord`, `dsse`, `intoto`).
    pub kind: String,
    /// Entry kind version (`0.0.1`, `0.0.2`).
    pub version: String,
    /// The log index.
    pub log_index: u64,
    /// Hex log id (sha256 of the log key).
    pub log_id: String,
    /// The integrated time (RFC 3339), when the log records one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrated_time: Option<String>,
}

/// The claims a Fulcio certificate makes (Sigstore extensions under 1.3.6.1.4.1.57264.1).
///
/// These are claims of a *verified* certificate when they appear in a verified signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateClaims {
    /// `.1.8` (or legacy `.1.1`): the OIDC issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// `.1.9`: the build signer URI (workflow file and ref).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_signer_uri: Option<String>,
    /// `.1.10`: the build signer digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_signer_digest: Option<String>,
    /// `.1.11`: `github-hosted` or `self-hosted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_environment: Option<String>,
    /// `.1.12`: the source repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_repository_uri: Option<String>,
    /// `.1.13`: the source commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_repository_digest: Option<String>,
    /// `.1.14`: the source ref.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_repository_ref: Option<String>,
    /// `.1.15`: the repository's immutable id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_repository_identifier: Option<String>,
    /// `.1.16`: the repository owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_repository_owner_uri: Option<String>,
    /// `.1.17`: the owner's immutable id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_repository_owner_identifier: Option<String>,
    /// `.1.18`: the build configuration (workflow) URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_config_uri: Option<String>,
    /// `.1.19`: the build configuration digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_config_digest: Option<String>,
    /// `.1.20`: the build trigger event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_trigger: Option<String>,
    /// `.1.21`: the run invocation URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_invocation_uri: Option<String>,
    /// `.1.22`: `public`, `private` or `internal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_repository_visibility: Option<String>,
    /// Deprecated `.1.6` (GitHub workflow ref), as the certificate writes it. Older
    /// certificates carry it alone; newer ones beside `.1.14`, and then both must agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_workflow_ref: Option<String>,
    /// Deprecated `.1.3` (GitHub workflow commit), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_workflow_sha: Option<String>,
    /// Deprecated `.1.5` (GitHub workflow repository, `owner/repo`), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_workflow_repository: Option<String>,
}

/// Who signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum SignerClaim {
    /// A keyless (Fulcio certificate) signer.
    Certificate {
        /// The subject alternative name (URI or email).
        san: String,
        /// Certificate extensions.
        claims: Box<CertificateClaims>,
        /// The certificate's issuer DN.
        ca: String,
        /// Validity start (RFC 3339).
        not_before: String,
        /// Validity end (RFC 3339).
        not_after: String,
    },
    /// A signer identified by a public key the user trusted.
    Key {
        /// The key's location (flag value).
        key: String,
        /// Key algorithm.
        algorithm: String,
    },
}

/// One signature the run examined: verified or not, with what it claimed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureClaim {
    /// Where the signature came from.
    pub evidence: EvidenceRef,
    /// True only when every check on this signature passed.
    pub verified: bool,
    /// Bundle media type, when it is a bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// `message-signature` or `dsse`.
    pub content: String,
    /// DSSE payload type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_type: Option<String>,
    /// in-toto predicate type, when the payload is a statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    /// The signer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<SignerClaim>,
    /// The earliest verified signing time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_time: Option<String>,
    /// Which verified sources gave times.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub time_sources: Vec<TimeSource>,
    /// Transparency-log entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log_entries: Vec<LogEntryClaim>,
    /// The SLSA provenance the signed statement carries (verified signatures only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<ProvenanceClaim>,
    /// The signed in-toto statement exactly as signed (verified DSSE signatures only). Kept in
    /// memory for `--print-provenance`; never serialised into the report.
    #[serde(skip)]
    pub signed_payload: Option<Vec<u8>>,
}

/// A verification step the user chose to skip, with the risk it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOut {
    /// The flag or policy key.
    pub name: String,
    /// What is no longer proven.
    pub risk: String,
}

/// The tool that wrote the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// `provenant`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Everything a run concluded. Serialised, this is `attestations/report.schema.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool.
    pub tool: ToolInfo,
    /// The command that produced it (`verify artifact`).
    pub command: String,
    /// When the evaluation ran (RFC 3339; the `now` the core was given).
    pub evaluated_at: String,
    /// What was verified.
    pub subject: Subject,
    /// The verdict.
    pub verdict: Verdict,
    /// Every check, in evaluation order.
    pub checks: Vec<Check>,
    /// Signatures examined.
    #[serde(default)]
    pub signatures: Vec<SignatureClaim>,
    /// Steps skipped on request.
    #[serde(default)]
    pub opt_outs: Vec<OptOut>,
    /// The security-gate table (one row per gate run examined), when gate evidence was given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<GateRow>,
    /// What was asked: the resolved policy (flags and policy file merged), so a report alone
    /// says what was checked against what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectations: Option<Expectations>,
    /// Every file the run read (policy, Rego, keys, trusted root, evidence, SBOMs, gate
    /// reports, review documents, layout), with the SHA-256 of the bytes read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<InputFile>,
}

/// What role a file read by the run played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum InputRole {
    /// The `--policy` file.
    Policy,
    /// A `--rego` module.
    Rego,
    /// The `--waivers` file.
    Waivers,
    /// A public key trusted to sign (`--key`, `--layout-key`).
    Key,
    /// The Sigstore trusted root (a file, or an embedded instance).
    TrustedRoot,
    /// Signature or attestation evidence (bundle, envelope, signature file).
    Evidence,
    /// An SBOM file.
    Sbom,
    /// A gate report (SARIF, SCA, DAST, CI run).
    GateReport,
    /// A change-review document.
    Review,
    /// An in-toto layout.
    Layout,
    /// A smart-contract build file (`verify contract --build`).
    Build,
    /// A smart-contract deployment record (`--deployment`).
    Deployment,
}

impl InputRole {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Policy => "policy",
            Self::Rego => "rego",
            Self::Waivers => "waivers",
            Self::Key => "key",
            Self::TrustedRoot => "trusted-root",
            Self::Evidence => "evidence",
            Self::Sbom => "sbom",
            Self::GateReport => "gate-report",
            Self::Review => "review",
            Self::Layout => "layout",
            Self::Build => "build",
            Self::Deployment => "deployment",
        }
    }
}

/// One file the run read, and the SHA-256 of the bytes it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// What it was read as.
    pub role: InputRole,
    /// Its path as given (`embedded:<name>` for an embedded trusted root).
    pub location: String,
    /// SHA-256 of the bytes read.
    pub sha256: Digest,
}

/// A certificate identity or issuer as asked: an exact value or a regular expression (as
/// written; provenant anchors it at both ends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "match", content = "value", rename_all = "kebab-case")]
pub enum MatcherExpectation {
    /// Equal to this value.
    Exact(String),
    /// Matched in full by this regular expression.
    Regexp(String),
}

impl std::fmt::Display for MatcherExpectation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exact(v) => f.write_str(v),
            Self::Regexp(r) => write!(f, "regexp {r}"),
        }
    }
}

/// A public key trusted to sign, by location and fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyExpectation {
    /// The key file as given.
    pub location: String,
    /// Its algorithm.
    pub algorithm: String,
    /// sha256 (hex) of its canonical encoding (equal for every encoding of one key).
    pub fingerprint: String,
}

/// Who must have signed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerExpectation {
    /// `keyless` (Fulcio certificates) or `keys`.
    pub mode: String,
    /// The certificate identity (keyless).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<MatcherExpectation>,
    /// The OIDC issuer (keyless).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<MatcherExpectation>,
    /// The trusted keys (keys).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<KeyExpectation>,
    /// How many distinct signers must have signed.
    pub threshold: usize,
    /// The trusted root (an embedded instance's name, or a file).
    pub trusted_root: String,
    /// Transparency-log verification was skipped (an opt-out).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub insecure_ignore_tlog: bool,
}

/// The security gates asked for, and their thresholds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateExpectation {
    /// Required gates, as written (`sast`, `sca:grype,trivy`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    /// Most open findings allowed per severity.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub max_findings: std::collections::BTreeMap<String, usize>,
    /// What a finding of unknown severity counts as.
    pub unknown_severity: String,
    /// Waived finding ids (with their expiry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<String>,
    /// Only signed gate attestations satisfy a required gate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_signed: bool,
    /// `--built-at` (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub built_at: Option<String>,
    /// `--committed-at` (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_at: Option<String>,
}

/// The policy file applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFileRef {
    /// Its path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub digest: Digest,
}

/// What was asked, resolved: the policy file and the flags merged (flags win).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expectations {
    /// The policy file, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyFileRef>,
    /// Who must have signed, against which trusted root.
    pub signers: SignerExpectation,
    /// Source and build expectations by flag name (`source-uri`, `commit`, `builder-id`, ...).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub source: std::collections::BTreeMap<String, String>,
    /// Groups of alternatives (a policy file's `builders`, `source.refs`, ...): within each
    /// group one alternative must hold in full; every group must.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<Vec<std::collections::BTreeMap<String, String>>>,
    /// SLSA provenance is required.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub provenance_required: bool,
    /// SBOM requirements (`required`, `binding-required`, `formats`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub sbom: std::collections::BTreeMap<String, String>,
    /// The security gates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gates: Option<GateExpectation>,
    /// Change-review requirements (`min-approvals`, `merge-methods`, ...), when review
    /// evidence is asked for or given.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub review: std::collections::BTreeMap<String, String>,
    /// Rego modules applied, as `path (sha256:...)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rego: Vec<String>,
}

/// One row of the security-gate table: a gate run, what it scanned, whether it is bound to what
/// shipped, and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRow {
    /// `sast`, `sca`, `dast` or `ci-run`.
    pub gate: String,
    /// The tool, as it names itself.
    pub tool: String,
    /// The tool's version, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// What it scanned (`commit <sha>`, `sha256:<hex>`, a URL or a name), or `(not recorded)`.
    pub scanned: String,
    /// Whether it is bound to the shipped commit or digest.
    pub bound: bool,
    /// How it is bound, or why not.
    pub binding: String,
    /// `succeeded`, `failed` or `unknown`.
    pub result: String,
    /// Open findings by severity (`critical`, `high`, `medium`, `low`, `info`, `unknown`).
    pub findings: std::collections::BTreeMap<String, usize>,
    /// Waivers applied (finding ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waived: Vec<String>,
    /// How much the evidence is trusted: `signed-attestation`, `ci-api` or `plain-report`.
    pub trust: String,
    /// Where the evidence came from.
    pub evidence: String,
}

impl Report {
    /// Assemble a report; the verdict is derived from the checks, never set by hand.
    pub fn new(
        tool: ToolInfo,
        command: impl Into<String>,
        evaluated_at: impl Into<String>,
        subject: Subject,
        checks: Vec<Check>,
        signatures: Vec<SignatureClaim>,
        opt_outs: Vec<OptOut>,
    ) -> Self {
        Self {
            schema_version: REPORT_SCHEMA_VERSION,
            tool,
            command: command.into(),
            evaluated_at: evaluated_at.into(),
            verdict: Verdict::from_checks(&checks),
            subject,
            checks,
            signatures,
            opt_outs,
            gates: Vec::new(),
            expectations: None,
            inputs: Vec::new(),
        }
    }
}

/// What `provenant inspect` found in a file. Nothing in it is verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    /// The file.
    pub file: String,
    /// What it is (`sigstore-bundle`, `dsse-envelope`, `in-toto-statement`, `trusted-root`, ...),
    /// or `unknown`.
    pub kind: String,
    /// Whether it is well formed for that kind.
    pub well_formed: bool,
    /// Why not, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Ordered `(field, value)` facts for people: version, signer, subjects, log entries, ...
    pub facts: Vec<(String, String)>,
    /// Always false: inspect parses, it never verifies.
    pub verified: bool,
}

/// One material (resolved dependency) of a build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// Where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Its digests (algorithm name -> hex).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub digest: std::collections::BTreeMap<String, String>,
}

/// SLSA provenance (v0.2, v1), normalised: who built the artifact, from what, how.
///
/// Present in a report only for statements whose signature verified.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenanceClaim {
    /// The predicate type URI.
    pub predicate_type: String,
    /// `builder.id` / `runDetails.builder.id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builder_id: Option<String>,
    /// `buildType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_type: Option<String>,
    /// The source repository, as written (`git+https://github.com/org/repo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_repository: Option<String>,
    /// The source ref (`refs/tags/v1.2.3`, `refs/heads/main`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
    /// The source commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_commit: Option<String>,
    /// The workflow / entry point that ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_path: Option<String>,
    /// The run or invocation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_id: Option<String>,
    /// `github-hosted`, `self-hosted`, ... when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_environment: Option<String>,
    /// External parameters, kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_parameters: Option<serde_json::Value>,
    /// Materials / resolved dependencies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<Material>,
}
