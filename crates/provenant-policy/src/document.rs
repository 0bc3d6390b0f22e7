//! The policy file as written: the typed form of `attestations/policy.schema.json`.
//!
//! Field names are the file's camelCase keys; every struct refuses unknown keys. The JSON
//! Schema is checked first (it reports every problem at once, with paths); these types are the
//! second, equivalent guard and what the rest of the program reads.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The only `apiVersion` there is.
pub const API_VERSION: &str = "provenant.dev/v1";

pub use provenant_formats::limits::MAX_POLICY_BYTES;

/// A policy file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PolicyDocument {
    /// `provenant.dev/v1`.
    pub api_version: String,
    /// Free text for reviewers.
    #[serde(default)]
    pub description: Option<String>,
    /// Who must have signed.
    #[serde(default)]
    pub signers: Option<Vec<Signer>>,
    /// Key signers: how many distinct keys must have signed.
    #[serde(default)]
    pub threshold: Option<usize>,
    /// Accept key-signed evidence without a verified transparency-log entry or timestamp
    /// (`--insecure-ignore-tlog`); recorded as an opt-out in every report.
    #[serde(default)]
    pub insecure_ignore_tlog: bool,
    /// A trusted root file (relative to the policy) or an embedded instance name.
    #[serde(default)]
    pub trusted_root: Option<String>,
    /// Trusted builder ids (any of them).
    #[serde(default)]
    pub builders: Option<Vec<String>>,
    /// Where the build came from.
    #[serde(default)]
    pub source: Option<Source>,
    /// SLSA provenance requirements.
    #[serde(default)]
    pub provenance: Option<Provenance>,
    /// SBOM requirements.
    #[serde(default)]
    pub sbom: Option<Sbom>,
    /// Security-gate requirements.
    #[serde(default)]
    pub gates: Option<Gates>,
    /// Accepted findings.
    #[serde(default)]
    pub waivers: Option<Vec<Waiver>>,
    /// in-toto layout handling.
    #[serde(default)]
    pub layout: Option<Layout>,
}

/// A keyless signer or a key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Signer {
    /// OIDC issuer, exact.
    #[serde(default)]
    pub issuer: Option<String>,
    /// OIDC issuer, regexp.
    #[serde(default)]
    pub issuer_regexp: Option<String>,
    /// SAN, exact.
    #[serde(default)]
    pub identity: Option<String>,
    /// SAN, regexp.
    #[serde(default)]
    pub identity_regexp: Option<String>,
    /// A PEM public key file.
    #[serde(default)]
    pub key: Option<String>,
}

impl Signer {
    /// Whether this entry names a key rather than a certificate identity.
    pub fn is_key(&self) -> bool {
        self.key.is_some()
    }
}

/// The `source` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Source {
    /// `--source-uri`.
    #[serde(default)]
    pub repository: Option<String>,
    /// `--repo`.
    #[serde(default)]
    pub repo: Option<String>,
    /// `--owner`.
    #[serde(default)]
    pub owner: Option<String>,
    /// Allowed refs.
    #[serde(default)]
    pub refs: Option<Refs>,
    /// `--source-ref`.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// `--commit`.
    #[serde(default)]
    pub commit: Option<String>,
    /// `--source-digest`.
    #[serde(default)]
    pub source_digest: Option<String>,
    /// `--signer-repo`.
    #[serde(default)]
    pub signer_repo: Option<String>,
    /// `--signer-workflow`.
    #[serde(default)]
    pub signer_workflow: Option<String>,
}

/// Allowed refs: any one of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Refs {
    /// Exact tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Semver prefixes.
    #[serde(default)]
    pub versioned_tags: Vec<String>,
    /// Branches.
    #[serde(default)]
    pub branches: Vec<String>,
}

impl Refs {
    /// How many alternatives are listed.
    pub fn len(&self) -> usize {
        self.tags.len() + self.versioned_tags.len() + self.branches.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The `provenance` section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Provenance {
    /// A verified SLSA provenance must be present.
    #[serde(default)]
    pub required: bool,
    /// Predicate types that count (any of them).
    #[serde(default)]
    pub predicate_types: Option<Vec<String>>,
    /// `--deny-self-hosted-runners`.
    #[serde(default)]
    pub deny_self_hosted_runners: bool,
    /// `--build-workflow-input`.
    #[serde(default)]
    pub workflow_inputs: BTreeMap<String, serde_json::Value>,
    /// npm package.
    #[serde(default)]
    pub package: Option<Package>,
}

/// An npm package name and version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Package {
    /// `--package-name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `--package-version`.
    #[serde(default)]
    pub version: Option<String>,
}

/// An SBOM format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SbomFormat {
    /// CycloneDX (any version provenant reads).
    Cyclonedx,
    /// SPDX 2 or 3.
    Spdx,
}

impl SbomFormat {
    /// `cyclonedx` or `spdx`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cyclonedx => "cyclonedx",
            Self::Spdx => "spdx",
        }
    }
}

/// The `sbom` section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Sbom {
    /// `--require-sbom`.
    #[serde(default)]
    pub required: bool,
    /// Every SBOM must be bound to the subject.
    #[serde(default)]
    pub binding_required: bool,
    /// Formats accepted (absent: any).
    #[serde(default)]
    pub formats: Option<Vec<SbomFormat>>,
    /// NTIA minimum elements.
    #[serde(default)]
    pub ntia: bool,
    /// A dependency graph.
    #[serde(default)]
    pub dependencies: bool,
    /// Least purl coverage (percent).
    #[serde(default)]
    pub min_purl_percent: Option<f64>,
    /// Least hash coverage (percent).
    #[serde(default)]
    pub min_hash_percent: Option<f64>,
    /// Least license coverage (percent).
    #[serde(default)]
    pub min_license_percent: Option<f64>,
}

/// The `gates` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Gates {
    /// `--require-gate` values.
    #[serde(default)]
    pub required: Vec<String>,
    /// Severity thresholds.
    #[serde(default)]
    pub thresholds: Option<Thresholds>,
    /// `--require-signed-gates`.
    #[serde(default)]
    pub signed_evidence: bool,
    /// `--unknown-severity-as`: what a finding of unknown severity counts as against the
    /// thresholds (`critical`, `high`, `medium`, `low`, `info`); absent: critical.
    #[serde(default)]
    pub unknown_severity: Option<KnownSeverity>,
    /// Change review.
    #[serde(default)]
    pub review: Option<Review>,
}

/// A severity a policy can name for unknown findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KnownSeverity {
    /// Critical.
    Critical,
    /// High.
    High,
    /// Medium.
    Medium,
    /// Low.
    Low,
    /// Informational.
    Info,
}

impl KnownSeverity {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
            Self::Info => "info",
        }
    }
}

/// Most open findings allowed, by severity (that severity or worse).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Thresholds {
    /// `--max-critical`.
    #[serde(default)]
    pub critical: Option<usize>,
    /// `--max-high`.
    #[serde(default)]
    pub high: Option<usize>,
    /// `--max-medium`.
    #[serde(default)]
    pub medium: Option<usize>,
    /// `--max-low`.
    #[serde(default)]
    pub low: Option<usize>,
}

/// The `gates.review` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Review {
    /// `--require-review`.
    #[serde(default)]
    pub required: bool,
    /// `--min-approvals`.
    #[serde(default)]
    pub min_approvals: Option<usize>,
    /// `--allowed-merge-method`.
    #[serde(default)]
    pub allowed_merge_methods: Vec<String>,
    /// `--accept-approvals-without-commit`.
    #[serde(default)]
    pub accept_approvals_without_commit: bool,
}

/// A waiver, with the fields of the `--waivers` JSON file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Waiver {
    /// The finding id.
    pub id: String,
    /// Why.
    pub reason: String,
    /// Who.
    pub approver: String,
    /// Until when.
    pub expires: String,
    /// Only for this tool.
    #[serde(default)]
    pub tool: Option<String>,
    /// Only the result with this fingerprint.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// Only results at this location.
    #[serde(default)]
    pub location: Option<String>,
    /// Most findings it may waive.
    #[serde(default)]
    pub max: Option<usize>,
}

/// What to do about layout inspections provenant does not run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InspectionMode {
    /// A warning (the default).
    #[default]
    Warn,
    /// A failure.
    Fail,
}

/// The `layout` section.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Layout {
    /// Inspections not run: warn or fail.
    #[serde(default)]
    pub inspections: InspectionMode,
}
