//! One validated policy from a policy file and the command-line flags: [`Policy::resolve`].
//!
//! Flags given on the command line win over the file; a value from the file is held to the same
//! grammar as its flag. The result has private fields: nothing downstream can change what was
//! asked after it was validated.

use std::collections::BTreeMap;
use std::path::Path;

use provenant_formats::gate::Severity;
use provenant_model::Digest;

use crate::document::{InspectionMode, PolicyDocument, SbomFormat};
use crate::flags::SourcePolicy;
use crate::load::{keyless_matchers, Diagnostic, MatcherSpec, Severity as DiagSeverity};
use crate::rego::RegoModule;
use crate::requirements::{
    parse_time, DateOnly, GateRequirement, MergeMethod, ReviewRequirements, SbomRequirements,
    Waiver,
};

/// A policy file as read: the document, where it is, and the SHA-256 of its bytes.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// The parsed document.
    pub document: PolicyDocument,
    /// Its path, as given (paths written in it are relative to its directory).
    pub path: String,
    /// sha256 of its bytes.
    pub digest: Digest,
}

/// Which sections of a policy file a command reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every section (`verify artifact`, `verify image`, `provenance`).
    #[default]
    Verify,
    /// `provenant gates`: `gates`, `waivers`, `source.commit` and `source.repository` (or
    /// `source.repo`) only, as documented for that command.
    Gates,
}

/// The gate and change-review flags, as given.
#[derive(Debug, Clone, Default)]
pub struct GateFlags {
    /// `--require-gate`.
    pub require_gate: Vec<GateRequirement>,
    /// `--max-critical`.
    pub max_critical: Option<usize>,
    /// `--max-high`.
    pub max_high: Option<usize>,
    /// `--max-medium`.
    pub max_medium: Option<usize>,
    /// `--max-low`.
    pub max_low: Option<usize>,
    /// `--unknown-severity-as`.
    pub unknown_severity_as: Option<Severity>,
    /// `--waivers FILE`, read and parsed (it replaces the policy's waivers).
    pub waivers: Option<Vec<Waiver>>,
    /// `--require-signed-gates`.
    pub require_signed_gates: bool,
    /// `--built-at` (RFC 3339 or a date).
    pub built_at: Option<String>,
    /// `--committed-at` (RFC 3339 or a date).
    pub committed_at: Option<String>,
    /// `--require-review`.
    pub require_review: bool,
    /// `--min-approvals`; `None`: 1. A policy's larger value counts.
    pub min_approvals: Option<usize>,
    /// `--allowed-merge-method`.
    pub allowed_merge_method: Vec<String>,
    /// `--accept-approvals-without-commit`.
    pub accept_approvals_without_commit: bool,
}

/// The policy flags of a verify command, as given (each already parsed by its grammar).
#[derive(Debug, Clone, Default)]
pub struct PolicyFlags {
    /// Which sections of the file count.
    pub scope: Scope,
    /// `--certificate-identity`.
    pub certificate_identity: Option<String>,
    /// `--certificate-identity-regexp`.
    pub certificate_identity_regexp: Option<String>,
    /// `--certificate-oidc-issuer`.
    pub certificate_oidc_issuer: Option<String>,
    /// `--certificate-oidc-issuer-regexp`.
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// `--key` files.
    pub keys: Vec<String>,
    /// `--threshold`; `None` when not given (or given as its default, 1): a policy's value then
    /// counts.
    pub threshold: Option<usize>,
    /// `--insecure-ignore-tlog`.
    pub insecure_ignore_tlog: bool,
    /// `--trusted-root`.
    pub trusted_root: Option<String>,
    /// The source, builder and signer flags (`--source-uri`, `--builder-id`, `--commit`, ...).
    pub source: SourcePolicy,
    /// `provenant gates --repo`: the repository of what shipped (URI or OWNER/REPO).
    pub repository: Option<String>,
    /// `--require-sbom`.
    pub require_sbom: bool,
    /// The gate and review flags.
    pub gates: GateFlags,
    /// `--rego` modules, read.
    pub rego: Vec<RegoModule>,
}

/// Who must have signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signers {
    /// Public keys (their files; the keys themselves are trust material, loaded by the caller).
    Keys {
        /// The key files, relative paths resolved against the policy file's directory.
        files: Vec<String>,
    },
    /// Fulcio certificates: the identity and issuer matchers (either may be absent).
    Keyless {
        /// The certificate SAN.
        identity: Option<MatcherSpec>,
        /// The OIDC issuer.
        issuer: Option<MatcherSpec>,
    },
}

/// SBOM requirements.
#[derive(Debug, Clone, Default)]
pub struct SbomPolicy {
    /// `--require-sbom` or `sbom.required`: a valid SBOM bound to the artifact must be present.
    pub required: bool,
    /// `sbom.bindingRequired`: every SBOM must name the artifact.
    pub binding_required: bool,
    /// `sbom.formats` (none: any).
    pub formats: Option<Vec<SbomFormat>>,
    /// NTIA, dependencies and coverage floors.
    pub requirements: SbomRequirements,
}

/// What the security gates must meet.
#[derive(Debug, Clone, Default)]
pub struct GateSpec {
    /// Gates that must be present.
    pub required: Vec<GateRequirement>,
    /// Most open findings per severity.
    pub max_findings: BTreeMap<Severity, usize>,
    /// What an unknown severity counts as (`None`: critical).
    pub unknown_severity: Option<Severity>,
    /// Waivers.
    pub waivers: Vec<Waiver>,
    /// Only signed gate attestations satisfy a required gate.
    pub require_signed: bool,
    /// `--built-at`.
    pub built_at: Option<jiff::Timestamp>,
    /// `--committed-at`.
    pub committed_at: Option<jiff::Timestamp>,
}

/// The policy file applied, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedPolicy {
    /// Its path as given.
    pub path: String,
    /// sha256 of its bytes.
    pub digest: Digest,
}

/// One validated policy: what the flags and the policy file ask, merged (flags win).
#[derive(Debug, Clone)]
pub struct Policy {
    signers: Signers,
    threshold: usize,
    insecure_ignore_tlog: bool,
    trusted_root: Option<String>,
    source: SourcePolicy,
    repository: Option<String>,
    provenance_required: bool,
    sbom: SbomPolicy,
    gates: GateSpec,
    review: ReviewRequirements,
    inspections_fail: bool,
    rego: Vec<RegoModule>,
    applied: Option<AppliedPolicy>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            signers: Signers::Keyless {
                identity: None,
                issuer: None,
            },
            threshold: 1,
            insecure_ignore_tlog: false,
            trusted_root: None,
            source: SourcePolicy::default(),
            repository: None,
            provenance_required: false,
            sbom: SbomPolicy::default(),
            gates: GateSpec::default(),
            review: ReviewRequirements {
                min_approvals: 1,
                ..ReviewRequirements::default()
            },
            inspections_fail: false,
            rego: vec![],
            applied: None,
        }
    }
}

fn error(path: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        severity: DiagSeverity::Error,
        line: None,
        path: path.to_owned(),
        message: message.into(),
    }
}

/// A path written in the policy, relative to the policy file's directory.
fn relative(policy: &str, p: &str) -> String {
    let base = Path::new(policy).parent().unwrap_or(Path::new(""));
    if Path::new(p).is_absolute() || base.as_os_str().is_empty() {
        p.to_owned()
    } else {
        base.join(p).to_string_lossy().into_owned()
    }
}

/// One value fills `set`; several become a group of alternatives.
fn one_or_group(
    values: Vec<SourcePolicy>,
    set: impl FnOnce(SourcePolicy),
    groups: &mut Vec<Vec<SourcePolicy>>,
) {
    match values.len() {
        0 => {}
        1 => {
            if let Some(v) = values.into_iter().next() {
                set(v);
            }
        }
        _ => groups.push(values),
    }
}

fn fill(flag: &mut Option<String>, file: Option<&String>) {
    if flag.is_none() {
        flag.clone_from(&file.cloned());
    }
}

impl Policy {
    /// Merge a policy document (paths written in it are read from the working directory) and
    /// the flags; see [`Policy::resolve_file`].
    pub fn resolve(
        document: Option<PolicyDocument>,
        flags: PolicyFlags,
    ) -> Result<Self, Vec<Diagnostic>> {
        Self::merge(document.as_ref().map(|d| (d, "")), None, flags)
    }

    /// Merge a policy file and the flags into one validated policy: a flag given wins over the
    /// file, several file values of one kind (builders, refs, predicate types) are
    /// alternatives, and every value is held to its flag's grammar. Every error found is
    /// returned, none silently dropped.
    pub fn resolve_file(
        file: Option<PolicyFile>,
        flags: PolicyFlags,
    ) -> Result<Self, Vec<Diagnostic>> {
        let applied = file.as_ref().map(|f| AppliedPolicy {
            path: f.path.clone(),
            digest: f.digest.clone(),
        });
        Self::merge(
            file.as_ref().map(|f| (&f.document, f.path.as_str())),
            applied,
            flags,
        )
    }

    fn merge(
        file: Option<(&PolicyDocument, &str)>,
        applied: Option<AppliedPolicy>,
        mut flags: PolicyFlags,
    ) -> Result<Self, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut groups = Vec::new();
        let mut provenance_required = false;
        let mut sbom = SbomPolicy::default();
        let mut inspections_fail = false;
        if let Some((doc, path)) = file {
            match flags.scope {
                Scope::Verify => {
                    merge_signers(&mut flags, doc, path, &mut errors);
                    merge_source(&mut flags, doc, &mut groups);
                    provenance_required = doc.provenance.as_ref().is_some_and(|p| p.required);
                    if let Some(s) = &doc.sbom {
                        flags.require_sbom |= s.required;
                        sbom = SbomPolicy {
                            required: false,
                            binding_required: s.binding_required,
                            formats: s.formats.clone(),
                            requirements: SbomRequirements {
                                require_ntia: s.ntia,
                                require_dependencies: s.dependencies,
                                min_purl_percent: s.min_purl_percent,
                                min_hash_percent: s.min_hash_percent,
                                min_license_percent: s.min_license_percent,
                                ..SbomRequirements::default()
                            },
                        };
                    }
                    inspections_fail = doc
                        .layout
                        .is_some_and(|l| l.inspections == InspectionMode::Fail);
                }
                Scope::Gates => {
                    let src = doc.source.as_ref();
                    fill(
                        &mut flags.source.commit,
                        src.and_then(|s| s.commit.as_ref()),
                    );
                    if flags.repository.is_none() {
                        flags.repository =
                            src.and_then(|s| s.repository.clone().or_else(|| s.repo.clone()));
                    }
                }
            }
            merge_gates(&mut flags.gates, doc, path, &mut errors);
        }
        flags.source.any_of = groups;
        let signers = signers(&flags, &mut errors);
        if flags.threshold.unwrap_or(1) > 1 && !matches!(signers, Signers::Keys { .. }) {
            errors.push(error("--threshold", "--threshold needs --key"));
        }
        for e in flags.source.validate() {
            errors.push(error("", e));
        }
        let (gates, review) = gate_spec(&flags, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        sbom.required = flags.require_sbom;
        sbom.requirements.require_binding = flags.require_sbom || sbom.binding_required;
        sbom.requirements.commit.clone_from(&flags.source.commit);
        Ok(Self {
            signers,
            threshold: flags.threshold.unwrap_or(1).max(1),
            insecure_ignore_tlog: flags.insecure_ignore_tlog,
            trusted_root: flags.trusted_root,
            source: flags.source,
            repository: flags.repository,
            provenance_required,
            sbom,
            gates,
            review,
            inspections_fail,
            rego: flags.rego,
            applied,
        })
    }

    /// Who must have signed.
    pub fn signers(&self) -> &Signers {
        &self.signers
    }
    /// How many distinct trusted keys must sign a DSSE envelope.
    pub fn threshold(&self) -> usize {
        self.threshold
    }
    /// Whether key-signed evidence without a log entry is accepted (an opt-out).
    pub fn insecure_ignore_tlog(&self) -> bool {
        self.insecure_ignore_tlog
    }
    /// The trusted root asked for (a file or an instance name); `None`: public-good.
    pub fn trusted_root(&self) -> Option<&str> {
        self.trusted_root.as_deref()
    }
    /// The source, builder and signing-workflow policy.
    pub fn source(&self) -> &SourcePolicy {
        &self.source
    }
    /// The repository of what shipped: `gates --repo`, else `--source-uri`, else `--repo`.
    pub fn repository(&self) -> Option<&str> {
        self.repository
            .as_deref()
            .or(self.source.source_uri.as_deref())
            .or(self.source.repo.as_deref())
    }
    /// The commit that shipped, as stated (`--commit`, `source.commit`).
    pub fn commit(&self) -> Option<&str> {
        self.source.commit.as_deref()
    }
    /// `provenance.required`.
    pub fn provenance_required(&self) -> bool {
        self.provenance_required
    }
    /// The SBOM requirements.
    pub fn sbom(&self) -> &SbomPolicy {
        &self.sbom
    }
    /// The gate requirements.
    pub fn gates(&self) -> &GateSpec {
        &self.gates
    }
    /// The change-review requirements.
    pub fn review(&self) -> &ReviewRequirements {
        &self.review
    }
    /// `layout.inspections: fail`.
    pub fn inspections_fail(&self) -> bool {
        self.inspections_fail
    }
    /// The Rego modules.
    pub fn rego(&self) -> &[RegoModule] {
        &self.rego
    }
    /// The policy file applied, if any.
    pub fn applied(&self) -> Option<&AppliedPolicy> {
        self.applied.as_ref()
    }
    /// Whether the policy names a signer (identity, issuer or key) beyond the defaults.
    pub fn states_signer(&self) -> bool {
        match &self.signers {
            Signers::Keys { .. } => true,
            Signers::Keyless { identity, issuer } => identity.is_some() || issuer.is_some(),
        }
    }
    /// Whether anything is asked of the gates or the change review: required gates, finding
    /// thresholds, signed gate evidence, gate timing, or a review.
    pub fn states_gates(&self) -> bool {
        let g = &self.gates;
        !g.required.is_empty() || self.review.require_review || self.gates_constrained()
    }

    /// Whether the gate runs are constrained (thresholds, signed evidence, timing) beyond which
    /// gates are required: such a policy cannot be met by no gate evidence at all.
    pub fn gates_constrained(&self) -> bool {
        let g = &self.gates;
        !g.max_findings.is_empty()
            || g.require_signed
            || g.built_at.is_some()
            || g.committed_at.is_some()
    }

    /// Requirements a Verification Summary Attestation cannot show (it names its subject,
    /// verifier, resource, result and levels, nothing else), as the flags that state them.
    pub fn beyond_vsa(&self) -> Vec<&'static str> {
        [
            (
                !self.source.is_empty(),
                "provenance policy (--source-uri, --builder-id, --commit, --package-name, ...)",
            ),
            (
                self.sbom.required || self.provenance_required || self.sbom.binding_required,
                "SBOM or provenance requirements",
            ),
            (
                self.states_gates()
                    || !self.gates.max_findings.is_empty()
                    || self.gates.require_signed,
                "gate requirements",
            ),
            (!self.rego.is_empty(), "--rego"),
            (self.applied.is_some(), "--policy"),
        ]
        .into_iter()
        .filter_map(|(given, what)| given.then_some(what))
        .collect()
    }
}

/// The signer section: any signer flag replaces the file's signers (and threshold).
fn merge_signers(
    flags: &mut PolicyFlags,
    doc: &PolicyDocument,
    path: &str,
    errors: &mut Vec<Diagnostic>,
) {
    let signer_flags = flags.certificate_identity.is_some()
        || flags.certificate_identity_regexp.is_some()
        || flags.certificate_oidc_issuer.is_some()
        || flags.certificate_oidc_issuer_regexp.is_some()
        || !flags.keys.is_empty();
    if let (false, Some(signers)) = (signer_flags, &doc.signers) {
        let keys: Vec<String> = signers
            .iter()
            .filter_map(|s| s.key.as_deref())
            .map(|k| relative(path, k))
            .collect();
        if keys.is_empty() {
            match keyless_matchers(signers) {
                Ok((identity, issuer)) => {
                    match identity {
                        Some(MatcherSpec::Exact(s)) => flags.certificate_identity = Some(s),
                        Some(MatcherSpec::Regexp(r)) => flags.certificate_identity_regexp = Some(r),
                        None => {}
                    }
                    match issuer {
                        Some(MatcherSpec::Exact(s)) => flags.certificate_oidc_issuer = Some(s),
                        Some(MatcherSpec::Regexp(r)) => {
                            flags.certificate_oidc_issuer_regexp = Some(r);
                        }
                        None => {}
                    }
                }
                Err(e) => errors.push(error("/signers", format!("policy {path}: signers: {e}"))),
            }
        } else {
            flags.keys = keys;
            // --threshold defaults to 1: a value given on the command line wins over the file.
            if flags.threshold.is_none() {
                flags.threshold = doc.threshold;
            }
        }
    }
    flags.insecure_ignore_tlog |= doc.insecure_ignore_tlog;
    if flags.trusted_root.is_none() {
        flags.trusted_root = doc.trusted_root.as_deref().map(|t| {
            if matches!(t, "public-good" | "production" | "staging" | "github") {
                t.to_owned()
            } else {
                relative(path, t)
            }
        });
    }
}

/// Builders, refs, the source fields and the provenance section.
fn merge_source(
    flags: &mut PolicyFlags,
    doc: &PolicyDocument,
    groups: &mut Vec<Vec<SourcePolicy>>,
) {
    let a = &mut flags.source;
    if a.builder_id.is_none() {
        let alts = doc
            .builders
            .iter()
            .flatten()
            .map(|b| SourcePolicy {
                builder_id: Some(b.clone()),
                ..SourcePolicy::default()
            })
            .collect();
        one_or_group(alts, |v| a.builder_id = v.builder_id, groups);
    }
    let src = doc.source.clone().unwrap_or_default();
    if a.source_tag.is_none() && a.source_versioned_tag.is_none() && a.source_branch.is_none() {
        let refs = src.refs.clone().unwrap_or_default();
        let alts: Vec<SourcePolicy> = refs
            .tags
            .iter()
            .map(|t| SourcePolicy {
                source_tag: Some(t.clone()),
                ..SourcePolicy::default()
            })
            .chain(refs.versioned_tags.iter().map(|t| SourcePolicy {
                source_versioned_tag: Some(t.clone()),
                ..SourcePolicy::default()
            }))
            .chain(refs.branches.iter().map(|b| SourcePolicy {
                source_branch: Some(b.clone()),
                ..SourcePolicy::default()
            }))
            .collect();
        one_or_group(
            alts,
            |v| {
                a.source_tag = v.source_tag;
                a.source_versioned_tag = v.source_versioned_tag;
                a.source_branch = v.source_branch;
            },
            groups,
        );
    }
    fill(&mut a.source_uri, src.repository.as_ref());
    fill(&mut a.repo, src.repo.as_ref());
    fill(&mut a.owner, src.owner.as_ref());
    fill(&mut a.source_ref, src.reference.as_ref());
    fill(&mut a.commit, src.commit.as_ref());
    fill(&mut a.source_digest, src.source_digest.as_ref());
    fill(&mut a.signer_repo, src.signer_repo.as_ref());
    fill(&mut a.signer_workflow, src.signer_workflow.as_ref());

    let prov = doc.provenance.clone().unwrap_or_default();
    if a.predicate_type.is_none() {
        let alts = prov
            .predicate_types
            .iter()
            .flatten()
            .map(|t| SourcePolicy {
                predicate_type: Some(t.clone()),
                ..SourcePolicy::default()
            })
            .collect();
        one_or_group(alts, |v| a.predicate_type = v.predicate_type, groups);
    }
    a.deny_self_hosted_runners |= prov.deny_self_hosted_runners;
    if a.workflow_inputs.is_empty() {
        a.workflow_inputs = prov
            .workflow_inputs
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect();
    }
    if let Some(p) = &prov.package {
        fill(&mut a.package_name, p.name.as_ref());
        fill(&mut a.package_version, p.version.as_ref());
    }
}

/// The gate flags not given, from the policy's `gates` and `waivers`.
fn merge_gates(g: &mut GateFlags, doc: &PolicyDocument, path: &str, errors: &mut Vec<Diagnostic>) {
    if let Some(gates) = &doc.gates {
        if g.require_gate.is_empty() {
            for r in &gates.required {
                match GateRequirement::parse(r) {
                    Ok(req) => g.require_gate.push(req),
                    Err(e) => errors.push(error(
                        "/gates/required",
                        format!("policy {path}: gates.required {r:?}: {e}"),
                    )),
                }
            }
        }
        if let Some(t) = &gates.thresholds {
            g.max_critical = g.max_critical.or(t.critical);
            g.max_high = g.max_high.or(t.high);
            g.max_medium = g.max_medium.or(t.medium);
            g.max_low = g.max_low.or(t.low);
        }
        g.require_signed_gates |= gates.signed_evidence;
        if g.unknown_severity_as.is_none() {
            g.unknown_severity_as = gates
                .unknown_severity
                .and_then(|k| Severity::parse_known(k.as_str()));
        }
        if let Some(r) = &gates.review {
            g.require_review |= r.required;
            // --min-approvals defaults to 1: the file's value counts unless a larger one is given.
            if let Some(n) = r.min_approvals {
                g.min_approvals = Some(g.min_approvals.unwrap_or(1).max(n));
            }
            if g.allowed_merge_method.is_empty() {
                g.allowed_merge_method.clone_from(&r.allowed_merge_methods);
            }
            g.accept_approvals_without_commit |= r.accept_approvals_without_commit;
        }
    }
    if g.waivers.is_none() {
        g.waivers = Some(
            doc.waivers
                .iter()
                .flatten()
                .map(|w| Waiver {
                    id: w.id.clone(),
                    reason: w.reason.clone(),
                    approver: w.approver.clone(),
                    expires: w.expires.clone(),
                    tool: w.tool.clone(),
                    fingerprint: w.fingerprint.clone(),
                    location: w.location.clone(),
                    max: w.max,
                })
                .collect(),
        );
    }
}

/// The identity / key flags (merged) as one signer policy, each value held to its grammar.
fn signers(f: &PolicyFlags, errors: &mut Vec<Diagnostic>) -> Signers {
    if !f.keys.is_empty() {
        if f.certificate_identity.is_some()
            || f.certificate_identity_regexp.is_some()
            || f.certificate_oidc_issuer.is_some()
            || f.certificate_oidc_issuer_regexp.is_some()
        {
            errors.push(error(
                "--key",
                "--key excludes --certificate-identity and --certificate-oidc-issuer: a key-signed signature has no certificate to match",
            ));
        }
        return Signers::Keys {
            files: f.keys.clone(),
        };
    }
    let mut matcher = |exact: &Option<String>, re: &Option<String>, flag: &str| match (exact, re) {
        (Some(e), _) => {
            let checked = if flag == "certificate-oidc-issuer" {
                crate::grammar::issuer_url(e).map(|_| ())
            } else {
                crate::grammar::identity(e).map(|_| ())
            };
            if let Err(why) = checked {
                errors.push(error(&format!("--{flag}"), format!("--{flag}: {why}")));
            }
            Some(MatcherSpec::Exact(e.clone()))
        }
        (None, Some(r)) => {
            // The same rule (anchored, size-limited) the verifier compiles it with: a regexp
            // accepted here can never be dropped there.
            if let Err(e) = crate::grammar::regexp(r) {
                errors.push(error(
                    &format!("--{flag}-regexp"),
                    format!("--{flag}-regexp is not a valid regexp: {e}"),
                ));
            }
            Some(MatcherSpec::Regexp(r.clone()))
        }
        (None, None) => None,
    };
    let identity = matcher(
        &f.certificate_identity,
        &f.certificate_identity_regexp,
        "certificate-identity",
    );
    let issuer = matcher(
        &f.certificate_oidc_issuer,
        &f.certificate_oidc_issuer_regexp,
        "certificate-oidc-issuer",
    );
    Signers::Keyless { identity, issuer }
}

/// The gate and review requirements, times parsed.
fn gate_spec(f: &PolicyFlags, errors: &mut Vec<Diagnostic>) -> (GateSpec, ReviewRequirements) {
    let g = &f.gates;
    let mut time = |flag: &str, v: &Option<String>, edge| {
        v.as_deref().and_then(|t| {
            let parsed = parse_time(t, edge);
            if parsed.is_none() {
                errors.push(error(
                    flag,
                    format!("{flag} {t:?} is not an RFC 3339 time or a date"),
                ));
            }
            parsed
        })
    };
    // A date alone is read on the side that cannot pass a run the real time would fail: the
    // build at the start of its day, the commit at the end of its day.
    let built_at = time("--built-at", &g.built_at, DateOnly::StartOfDay);
    let committed_at = time("--committed-at", &g.committed_at, DateOnly::EndOfDay);
    let mut max_findings = BTreeMap::new();
    for (sev, v) in [
        (Severity::Critical, g.max_critical),
        (Severity::High, g.max_high),
        (Severity::Medium, g.max_medium),
        (Severity::Low, g.max_low),
    ] {
        if let Some(n) = v {
            max_findings.insert(sev, n);
        }
    }
    let mut methods = Vec::new();
    for m in &g.allowed_merge_method {
        match MergeMethod::parse(m) {
            Ok(m) => methods.push(m),
            Err(e) => errors.push(error("--allowed-merge-method", e.to_string())),
        }
    }
    let spec = GateSpec {
        required: g.require_gate.clone(),
        max_findings,
        unknown_severity: g.unknown_severity_as,
        waivers: g.waivers.clone().unwrap_or_default(),
        require_signed: g.require_signed_gates,
        built_at,
        committed_at,
    };
    // Review rules stated (more approvals, merge methods, approvals without a commit) mean a
    // review is expected: without one they would be silently met.
    let tuned = g.min_approvals.unwrap_or(1) != 1
        || !g.allowed_merge_method.is_empty()
        || g.accept_approvals_without_commit;
    let review = ReviewRequirements {
        min_approvals: g.min_approvals.unwrap_or(1),
        allowed_merge_methods: (!g.allowed_merge_method.is_empty()).then_some(methods),
        require_review: g.require_review || tuned,
        accept_approvals_without_commit: g.accept_approvals_without_commit,
    };
    (spec, review)
}
