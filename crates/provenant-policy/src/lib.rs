//! Policy: what a verified signature, its provenance, SBOMs and security gates must also meet,
//! stated by command-line flags (`slsa-verifier` and `gh attestation verify` semantics) or by a
//! YAML policy file (`apiVersion: provenant.dev/v1`, schema in `attestations/policy.schema.json`),
//! evaluated into checks; and Rego (through regorus) for rules the YAML cannot state.
//!
//! ```
//! use provenant_policy::{lint_policy, parse_policy, SourcePolicy};
//! let p = SourcePolicy { commit: Some("4d329c75e7ec1725f7c9ce917a8799d408d06be3".into()), ..Default::default() };
//! assert!(!p.is_empty());
//! assert!(!p.constrains_signer());
//!
//! let yaml = b"apiVersion: provenant.dev/v1\nsignres: []\n";
//! let errors = parse_policy(yaml).unwrap_err();
//! assert_eq!(errors[0].line, Some(2));
//! assert!(errors[0].message.contains("unknown key"));
//! assert!(lint_policy(yaml, "2026-01-01T00:00:00Z".parse().unwrap()).len() >= 1);
//! ```
#![warn(missing_docs)]

mod document;
mod eval;
mod flags;
pub mod grammar;
mod lines;
mod load;
mod probe;
mod rego;
pub mod requirements;
mod resolve;

pub use document::{
    Gates, InspectionMode, KnownSeverity, Layout, Package, PolicyDocument, Provenance, Refs,
    Review, Sbom, SbomFormat, Signer, Source, Thresholds, Waiver, API_VERSION, MAX_POLICY_BYTES,
};
pub use eval::evaluate;
pub use flags::{normalize_repo, SourcePolicy, GITHUB_ACTIONS_ISSUER, TRUSTED_BUILDER_PREFIX};
pub use lines::LineIndex;
pub use load::{
    keyless_matchers, lint_policy, parse_policy, Diagnostic, MatcherError, MatcherSpec, Severity,
    POLICY_SCHEMA,
};
/// The commented starting policy `provenant policy init` writes (`OWNER/REPO` placeholders).
pub const STARTER_POLICY: &str = include_str!("starter.yaml");

pub use rego::{
    evaluate_rego, rego_input, RegoModule, MAX_REGO_BYTES, MAX_REGO_MODULES, REGO_INPUT_VERSION,
    REGO_MEMORY_LIMIT, REGO_TIME_LIMIT,
};
pub use resolve::{
    AppliedPolicy, GateFlags, GateSpec, Policy, PolicyFile, PolicyFlags, SbomPolicy, Scope, Signers,
};
