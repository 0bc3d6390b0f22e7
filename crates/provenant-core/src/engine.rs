//! The one verification engine: every verify command reads its evidence into [`Inputs`],
//! resolves its policy into a [`Policy`], and calls [`verify`]. Everything the commands check —
//! signatures, provenance and source policy, VSAs, in-toto layouts, SBOMs, gates (files, CI
//! API and signed), change review, the policy's own checks and Rego — is decided here, and the
//! verdict is derived once, from the checks.
//!
//! Pure apart from two reading callbacks the caller may supply (link files of a layout, the git
//! history of the shipped commit), and deterministic in `now`.

use jiff::Timestamp;

use provenant_formats::gate::review::{ChangeReview, GitHistory};
use provenant_formats::gate::GateReport;
use provenant_formats::sbom::{ParsedSbom, SbomError};
use provenant_model::{
    Check, CheckCode, Digest, DigestAlgorithm, EvidenceKind, EvidenceRef, Expectations,
    GateExpectation, InputFile, KeyExpectation, MatcherExpectation, OptOut, Outcome, PolicyFileRef,
    Report, SignerExpectation, Subject, SubjectKind, ToolInfo,
};
use provenant_policy::{MatcherSpec, Policy, SbomFormat, Signers};
use provenant_verify::layout::{LayoutArtifact, LayoutInput, LinkSource};
use provenant_verify::{IdentityMatcher, IdentityPolicy, PublicKey, SignerPolicy, TrustRoot};

use crate::contract::{contract_checks, ContractCollected};
use crate::evidence::{Evidence, EvidenceContent};
use crate::gates::{check_gates, GateEvidence, GatePolicy, TrustLevel};
use crate::image::{image_refused, verify_image_attested, ImageInputs, ImageTarget};
use crate::pipeline::{
    verify_artifact_attested, ArtifactInputs, AttestedStatement, SbomInputs, TOOL_NAME,
    TOOL_VERSION,
};
use crate::review::check_change_review;
use crate::vsa::{verify_vsa, VsaInputs};

/// An SBOM file as read: its path, and the parsed SBOM or why it could not be parsed.
pub type SbomFile = (String, Result<ParsedSbom, SbomError>);

/// The trust material: the Sigstore trusted root, and the public keys the caller trusts.
#[derive(Debug)]
pub struct TrustRoots {
    /// Fulcio CAs, Rekor and timestamp authority keys.
    pub sigstore: TrustRoot,
    /// Keys trusted to sign the artifact's evidence or a VSA (the policy's key signers).
    pub keys: Vec<PublicKey>,
    /// Keys of an in-toto layout's owners.
    pub layout_keys: Vec<PublicKey>,
}

impl TrustRoots {
    /// A Sigstore trusted root and no keys.
    pub fn sigstore(root: TrustRoot) -> Self {
        Self {
            sigstore: root,
            keys: vec![],
            layout_keys: vec![],
        }
    }
}

/// Which command the report is for (its `command` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `verify artifact`.
    VerifyArtifact,
    /// `verify image`.
    VerifyImage,
    /// `verify contract`.
    VerifyContract,
    /// `verify vsa` (and `verify artifact --vsa`).
    VerifyVsa,
    /// `provenance`.
    Provenance,
    /// `gates`.
    Gates,
}

impl Command {
    /// The name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyArtifact | Self::VerifyVsa => "verify artifact",
            Self::VerifyImage => "verify image",
            Self::VerifyContract => "verify contract",
            Self::Provenance => "provenance",
            Self::Gates => "gates",
        }
    }
}

/// What is being verified.
#[derive(Debug)]
pub enum Target {
    /// A file (hashed) or a digest.
    Artifact(Subject),
    /// An in-toto layout alone (its subject is the layout file): no artifact is bound.
    LayoutAlone(Subject),
    /// A commit (`provenant gates --commit`) or an artifact known to the gates only.
    Shipped(Subject),
    /// A container image, collected.
    Image(Box<ImageCollected>),
    /// A SLSA Verification Summary Attestation about a digest.
    Vsa(Box<VsaEvidence>),
    /// A deployed smart contract and its build, collected.
    Contract(Box<ContractCollected>),
}

/// One digest of an image to verify, with what was found for it.
#[derive(Debug)]
pub struct CollectedTarget {
    /// `None` for the image itself; the platform for a platform manifest.
    pub platform: Option<String>,
    /// The manifest digest.
    pub digest: Digest,
    /// Evidence found (and, for the image itself, given).
    pub evidence: Vec<Evidence>,
    /// SBOMs found unsigned beside it.
    pub unsigned_sboms: Vec<SbomFile>,
    /// Where evidence was searched for.
    pub searched: Vec<String>,
}

/// An image and its evidence, as collected (registry, OCI layout, docker archive).
#[derive(Debug)]
pub struct ImageCollected {
    /// The reference as given.
    pub reference: String,
    /// The tag it was resolved from.
    pub resolved_from_tag: Option<String>,
    /// `--expected-digest`.
    pub expected_digest: Option<Digest>,
    /// Whether the subject is an index.
    pub is_index: bool,
    /// Its media type.
    pub media_type: String,
    /// The image itself first, then each platform asked for.
    pub targets: Vec<CollectedTarget>,
    /// Platforms asked for and not found.
    pub missing_platforms: Vec<String>,
    /// The registry repository (`None` for a layout or archive).
    pub repository: Option<String>,
    /// `--require-signed-reference`.
    pub require_signed_reference: bool,
    /// Set when the image was refused before anything could be verified (unreadable
    /// manifest, inconsistent archive): the check code and why.
    pub refused: Option<(CheckCode, String)>,
}

/// A VSA and what it must show.
#[derive(Debug)]
pub struct VsaEvidence {
    /// Where it came from.
    pub location: String,
    /// The envelope, or why it could not be read.
    pub envelope: Result<provenant_formats::dsse::Envelope, crate::vsa::VsaReadError>,
    /// Only signatures with this key id count.
    pub key_id: Option<String>,
    /// The subject digest, `(algorithm, value)`.
    pub subject: Vec<(String, String)>,
    /// Expected `verifier.id`.
    pub verifier_id: String,
    /// Expected `resourceUri`.
    pub resource_uri: String,
    /// Levels it must attest.
    pub levels: Vec<String>,
}

/// A gate report file, parsed (or not).
#[derive(Debug)]
pub struct GateFile {
    /// Its path.
    pub location: String,
    /// The runs it holds, or why it could not be read.
    pub reports: Result<Vec<GateReport>, provenant_formats::gate::GateError>,
}

/// An in-toto layout and its link files.
pub struct LayoutEvidence {
    /// The layout bytes.
    pub bytes: Vec<u8>,
    /// Where it came from.
    pub location: String,
    /// The link files.
    pub links: Box<dyn LinkSource + Send + Sync>,
    /// The artifact's base name as the links record it (`None` for a digest).
    pub artifact_name: Option<String>,
}

impl std::fmt::Debug for LayoutEvidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LayoutEvidence")
            .field("location", &self.location)
            .field("artifact_name", &self.artifact_name)
            .finish_non_exhaustive()
    }
}

/// Reads what a clone says about the shipped commit on the release branch (the caller's git).
pub trait HistorySource: Send + Sync {
    /// The history of `commit`, or why it could not be read.
    fn history(&self, commit: &str) -> Result<GitHistory, HistoryError>;
}

/// Why a clone's history could not be read.
#[derive(Debug)]
pub struct HistoryError {
    /// The clone, as given (`--git-dir`).
    pub clone: String,
    /// The underlying error.
    pub error: Box<dyn std::error::Error + Send + Sync>,
}

impl std::fmt::Display for HistoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "--git-dir {}: {}", self.clone, self.error)
    }
}

impl std::error::Error for HistoryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.error.as_ref())
    }
}

/// Everything one verification reads, already collected.
#[derive(Debug)]
pub struct Inputs {
    /// The command (for the report).
    pub command: Command,
    /// What is verified.
    pub target: Target,
    /// Signature evidence (bundles, envelopes, signature files, attestation documents).
    pub evidence: Vec<Evidence>,
    /// SBOM files given.
    pub sboms: Vec<SbomFile>,
    /// Gate report files (SAST, SCA, DAST, CI runs).
    pub gates: Vec<GateFile>,
    /// Change review evidence, parsed (or why not).
    pub review: Option<Result<ChangeReview, provenant_formats::gate::GateError>>,
    /// The release branch's history, read on demand for the shipped commit.
    pub history: Option<Box<dyn HistorySource>>,
    /// An in-toto layout.
    pub layout: Option<LayoutEvidence>,
    /// Opt-outs the caller took while collecting (e.g. plain HTTP to a registry).
    pub opt_outs: Vec<OptOut>,
    /// Every file the caller read for this run, with the SHA-256 of the bytes read; recorded
    /// in the report as they are (the caller hashes as it reads, the engine does no I/O).
    pub files: Vec<InputFile>,
}

impl std::fmt::Debug for dyn HistorySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HistorySource")
    }
}

impl Inputs {
    /// Inputs for `target` with no evidence yet.
    pub fn new(command: Command, target: Target) -> Self {
        Self {
            command,
            target,
            evidence: vec![],
            sboms: vec![],
            gates: vec![],
            review: None,
            history: None,
            layout: None,
            opt_outs: vec![],
            files: vec![],
        }
    }

    fn gate_evidence_given(&self) -> bool {
        !self.gates.is_empty() || self.review.is_some() || self.history.is_some()
    }
}

/// A verification's report, and the document its Rego policies saw as `input`.
#[derive(Debug)]
pub struct Verification {
    /// The report.
    pub report: Report,
    /// What Rego saw as `input`; `None` when no Rego module ran (then it is
    /// [`rego_input`]`(&report, policy)`).
    pub rego_input: Option<serde_json::Value>,
}

/// The document Rego policies see as `input` for `report` (the report before any Rego check).
pub fn rego_input(report: &Report, policy: &Policy) -> serde_json::Value {
    provenant_policy::rego_input(
        report,
        policy.applied().map(|l| (l.path.as_str(), &l.digest)),
    )
}

fn tool() -> ToolInfo {
    ToolInfo {
        name: TOOL_NAME.into(),
        version: TOOL_VERSION.into(),
    }
}

/// `now` as the reports write it: RFC 3339, whole seconds.
pub fn rfc3339(now: Timestamp) -> String {
    now.round(jiff::Unit::Second).unwrap_or(now).to_string()
}

/// Verify a release: one call per release, safe to run concurrently.
///
/// `now` is the instant everything is judged as of (waivers, gate timing, layout expiry); the
/// report records it.
pub fn verify(inputs: &Inputs, trust: &TrustRoots, policy: &Policy, now: Timestamp) -> Report {
    verify_detailed(inputs, trust, policy, now).report
}

/// [`verify`], also returning the document Rego saw.
pub fn verify_detailed(
    inputs: &Inputs,
    trust: &TrustRoots,
    policy: &Policy,
    now: Timestamp,
) -> Verification {
    let now_s = rfc3339(now);
    let base = match &inputs.target {
        Target::Vsa(v) => vsa_report(v, trust, policy, now),
        Target::Image(image) => image_report(image, inputs, trust, policy, now),
        Target::Contract(c) => contract_report(c, inputs, trust, policy, now, &now_s),
        Target::Artifact(s) | Target::LayoutAlone(s) | Target::Shipped(s) => {
            artifact_report(s, inputs, trust, policy, now, &now_s)
        }
    };
    finalize(base, inputs, trust, policy)
}

/// The policy's signer as the verifier's signer policy: keys from the trust roots, or the
/// identity and issuer matchers (a GitHub source implies GitHub Actions' issuer).
pub fn signer_policy(policy: &Policy, trust: &TrustRoots) -> SignerPolicy {
    match policy.signers() {
        Signers::Keys { .. } => SignerPolicy::Keys(trust.keys.clone()),
        Signers::Keyless { identity, issuer } => {
            let m = |s: &MatcherSpec| match s {
                MatcherSpec::Exact(e) => Some(IdentityMatcher::exact(e.clone())),
                // Resolve checked it with the verifier's own rule. Should it still not compile, it
                // matches nothing: a requirement is never dropped.
                MatcherSpec::Regexp(r) => IdentityMatcher::regex(r)
                    .or_else(|_| IdentityMatcher::regex(r"[^\s\S]"))
                    .ok(),
            };
            let source = policy.source();
            SignerPolicy::Keyless(IdentityPolicy {
                identity: identity.as_ref().and_then(m),
                issuer: issuer
                    .as_ref()
                    .and_then(m)
                    .or_else(|| source.implied_issuer().map(IdentityMatcher::exact)),
                constrained_elsewhere: source.constrains_signer(),
            })
        }
    }
}

fn sbom_inputs(policy: &Policy, files: &[SbomFile], unsigned: &[SbomFile]) -> SbomInputs {
    let sp = policy.sbom();
    let allow = |(p, parsed): &SbomFile| {
        (
            p.clone(),
            allow_format(sp.formats.as_deref(), parsed.clone()),
        )
    };
    SbomInputs {
        files: files.iter().map(allow).collect(),
        unsigned_found: unsigned.iter().map(allow).collect(),
        requirements: sp.requirements.clone(),
        required: sp.required,
    }
}

/// An SBOM in a format the policy does not allow becomes an invalid SBOM.
fn allow_format(
    formats: Option<&[SbomFormat]>,
    parsed: Result<ParsedSbom, SbomError>,
) -> Result<ParsedSbom, SbomError> {
    let (Some(formats), Ok(p)) = (formats, &parsed) else {
        return parsed;
    };
    let format = match p.sbom.standard {
        provenant_formats::sbom::SbomStandard::CycloneDx => SbomFormat::Cyclonedx,
        _ => SbomFormat::Spdx,
    };
    if formats.contains(&format) {
        return parsed;
    }
    Err(SbomError::Field {
        at: "format".into(),
        what: format!(
            "{} is not a format the policy allows ({})",
            format.as_str(),
            format_names(formats)
        ),
    })
}

fn format_names(formats: &[SbomFormat]) -> String {
    formats
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn artifact_inputs(
    subject: Subject,
    evidence: Vec<Evidence>,
    sbom: SbomInputs,
    trust: &TrustRoots,
    policy: &Policy,
) -> ArtifactInputs {
    ArtifactInputs {
        subject,
        evidence,
        signer: signer_policy(policy, trust),
        threshold: policy.threshold(),
        policy: policy.source().clone(),
        sbom,
        insecure_ignore_tlog: policy.insecure_ignore_tlog(),
    }
}

/// Whether the policy states anything the artifact's own signature evidence must show.
fn states_signature_requirements(policy: &Policy) -> bool {
    let sp = policy.sbom();
    policy.states_signer()
        || !policy.source().is_empty()
        || policy.provenance_required()
        || sp.required
        || sp.binding_required
}

fn artifact_report(
    subject: &Subject,
    inputs: &Inputs,
    trust: &TrustRoots,
    policy: &Policy,
    now: Timestamp,
    now_s: &str,
) -> Report {
    let ai = artifact_inputs(
        subject.clone(),
        clone_evidence(&inputs.evidence),
        sbom_inputs(policy, &inputs.sboms, &[]),
        trust,
        policy,
    );
    let has_own = !ai.evidence.is_empty() || !ai.sbom.files.is_empty();
    let gates_asked = inputs.gate_evidence_given() || policy.states_gates();
    let empty = |checks| Report::new(tool(), "", now_s, subject.clone(), checks, vec![], vec![]);
    let verified = || verify_artifact_attested(&ai, &trust.sigstore, now);
    let (mut base, attested) = if has_own {
        verified()
    } else if matches!(inputs.target, Target::Shipped(_)) {
        (empty(vec![]), vec![])
    } else if inputs.layout.is_some() {
        // A layout does not show who signed the artifact, its source or its SBOM: a stated
        // requirement of those is judged against the (missing) signature evidence and fails.
        if states_signature_requirements(policy) {
            verified()
        } else {
            (empty(vec![]), vec![])
        }
    } else if gates_asked {
        (empty(vec![evidence_missing_for_gates()]), vec![])
    } else {
        verified()
    };
    if let Some(layout) = &inputs.layout {
        let bind = matches!(inputs.target, Target::Artifact(_));
        base.checks
            .extend(layout_checks(layout, subject, bind, trust, policy, now));
    }
    with_gates(base, &attested, inputs, policy, &subject.digests, now)
}

/// A deployed contract: the chain against the build, then (when asked for) the attestations of
/// the build file the code matched, with the same machinery as an artifact.
fn contract_report(
    c: &ContractCollected,
    inputs: &Inputs,
    trust: &TrustRoots,
    policy: &Policy,
    now: Timestamp,
    now_s: &str,
) -> Report {
    let (mut checks, matched) = contract_checks(c);
    let s = &c.snapshot;
    // A Foundry broadcast records the commit its script ran from: another than --commit is a
    // deployment of other source.
    if let (Some((path, d)), Some(want)) = (&c.deployment, policy.commit()) {
        if let Some(rec) = d.commit.as_deref() {
            let (rec, want) = (rec.to_ascii_lowercase(), want.to_ascii_lowercase());
            if rec.len() < 7 || !want.starts_with(&rec) {
                checks.push(Check::fail(
                    CheckCode::ContractDeploymentMismatch,
                    format!("{path} was deployed from commit {rec}, not --commit {want}"),
                    vec![EvidenceRef::new(
                        EvidenceKind::DeploymentRecord,
                        path.as_str(),
                    )],
                ));
            }
        }
    }
    // Each build file the code (and a proxy's implementation) matched, once.
    let mut files: Vec<usize> = Vec::new();
    for m in &matched {
        if !files.contains(&m.build) {
            files.push(m.build);
        }
    }
    let name = format!("eip155:{}:{}", s.chain_id, s.address);
    let subject_for = |i: usize| {
        let b = &c.builds[i];
        let what: Vec<&str> = matched
            .iter()
            .filter(|m| m.build == i)
            .map(|m| m.contract.as_str())
            .collect();
        Subject {
            kind: SubjectKind::Contract,
            name: Some(format!("{name} ({}#{})", b.path, what.join(","))),
            digests: vec![b.digest.clone()],
            size: None,
        }
    };
    let subject = files.first().map_or_else(
        || Subject {
            kind: SubjectKind::Contract,
            name: Some(name.clone()),
            digests: vec![],
            size: None,
        },
        |i| subject_for(*i),
    );
    let asked = !inputs.evidence.is_empty()
        || states_signature_requirements(policy)
        || policy.commit().is_some()
        || inputs.gate_evidence_given()
        || policy.states_gates();
    if !asked {
        checks.push(Check::warn(
            CheckCode::ContractBuildUnattested,
            "the chain was compared with the given build only: no attestation, identity, key, source or --commit flag was given, so nothing shows who built it from which commit",
            vec![EvidenceRef::new(EvidenceKind::Flag, "--bundle / --attestations / --provenance")],
        ));
        return Report::new(tool(), "", now_s, subject, checks, vec![], vec![]);
    }
    if files.is_empty() {
        checks.push(Check::fail(
            CheckCode::EvidenceMissing,
            "no build file matched the deployed code, so no attestation of the build can be bound to it",
            vec![EvidenceRef::new(EvidenceKind::Flag, "--build")],
        ));
        return Report::new(tool(), "", now_s, subject, checks, vec![], vec![]);
    }
    // Every build file involved must be attested (a proxy's and its implementation's, when
    // they are two files), each judged by the artifact machinery as its own subject.
    let mut signatures = Vec::new();
    let mut opt_outs = Vec::new();
    let mut gates = Vec::new();
    for i in files {
        let base = artifact_report(&subject_for(i), inputs, trust, policy, now, now_s);
        checks.extend(base.checks);
        signatures.extend(base.signatures);
        for o in base.opt_outs {
            if !opt_outs.contains(&o) {
                opt_outs.push(o);
            }
        }
        if gates.is_empty() {
            gates = base.gates;
        }
    }
    let mut report = Report::new(tool(), "", now_s, subject, checks, signatures, opt_outs);
    report.gates = gates;
    report
}

fn evidence_missing_for_gates() -> Check {
    Check::fail(
        CheckCode::EvidenceMissing,
        "gate evidence alone does not verify an artifact: give its signature or provenance (--bundle, --attestations), or use `provenant gates`",
        vec![EvidenceRef::new(EvidenceKind::Flag, "--bundle / --attestations")],
    )
}

fn clone_evidence(e: &[Evidence]) -> Vec<Evidence> {
    e.to_vec()
}

fn layout_checks(
    layout: &LayoutEvidence,
    subject: &Subject,
    bind: bool,
    trust: &TrustRoots,
    policy: &Policy,
    now: Timestamp,
) -> Vec<Check> {
    let artifact = bind.then_some(LayoutArtifact {
        name: layout.artifact_name.as_deref(),
        digests: &subject.digests,
    });
    let checks = provenant_verify::layout::verify_layout(&LayoutInput {
        layout: &layout.bytes,
        layout_location: &layout.location,
        layout_keys: &trust.layout_keys,
        links: layout.links.as_ref(),
        artifact,
        now,
    });
    if !policy.inspections_fail() {
        return checks;
    }
    checks
        .into_iter()
        .map(|mut c| {
            if c.code == CheckCode::LayoutInspectionNotRun && c.outcome == Outcome::Warn {
                c.outcome = Outcome::Fail;
                c.reason
                    .push_str(" (the policy's layout.inspections is fail)");
            }
            c
        })
        .collect()
}

fn image_report(
    image: &ImageCollected,
    inputs: &Inputs,
    trust: &TrustRoots,
    policy: &Policy,
    now: Timestamp,
) -> Report {
    if let Some((code, why)) = &image.refused {
        return image_refused(&image.reference, *code, why, now);
    }
    let targets = image
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut evidence = clone_evidence(&t.evidence);
            if i == 0 {
                evidence.extend(clone_evidence(&inputs.evidence));
            }
            let files: &[SbomFile] = if i == 0 { &inputs.sboms } else { &[] };
            ImageTarget {
                platform: t.platform.clone(),
                artifact: artifact_inputs(
                    Subject {
                        kind: SubjectKind::Image,
                        name: Some(image.reference.clone()),
                        digests: vec![t.digest.clone()],
                        size: None,
                    },
                    evidence,
                    sbom_inputs(policy, files, &t.unsigned_sboms),
                    trust,
                    policy,
                ),
                searched: t.searched.clone(),
            }
        })
        .collect();
    let ii = ImageInputs {
        reference: image.reference.clone(),
        resolved_from_tag: image.resolved_from_tag.clone(),
        expected_digest: image.expected_digest.clone(),
        is_index: image.is_index,
        media_type: image.media_type.clone(),
        targets,
        missing_platforms: image.missing_platforms.clone(),
        repository: image.repository.clone(),
        require_signed_reference: image.require_signed_reference,
    };
    let (report, attested) = verify_image_attested(&ii, &trust.sigstore, now);
    let digests = report.subject.digests.clone();
    with_gates(report, &attested, inputs, policy, &digests, now)
}

fn vsa_report(v: &VsaEvidence, trust: &TrustRoots, policy: &Policy, now: Timestamp) -> Report {
    let mut report = verify_vsa(
        &VsaInputs {
            location: v.location.clone(),
            envelope: v.envelope.clone(),
            keys: trust.keys.clone(),
            key_id: v.key_id.clone(),
            threshold: policy.threshold(),
            subject: v.subject.clone(),
            verifier_id: v.verifier_id.clone(),
            resource_uri: v.resource_uri.clone(),
            levels: v.levels.clone(),
        },
        now,
    );
    // A VSA shows its subject, verifier, resource, result and levels, nothing else: any other
    // requirement stated beside it cannot be met by it.
    let beyond = policy.beyond_vsa();
    if !beyond.is_empty() {
        report.checks.push(Check::fail(
            CheckCode::PolicyUnsupported,
            format!(
                "a verification summary cannot show {}: verify the artifact's own evidence for those",
                beyond.join(", ")
            ),
            vec![EvidenceRef::new(EvidenceKind::Flag, "policy")],
        ));
    }
    report
}

/// Gate runs carried by verified attestations (in-toto vulns / test-result predicates,
/// cosign's vuln predicate): signed evidence, bound through the statement subject, read from
/// the verified statement itself.
pub fn attested_gates(statements: &[AttestedStatement]) -> (Vec<GateEvidence>, Vec<Check>) {
    const GATE_PREDICATES: &[&str] = &[
        "https://in-toto.io/attestation/vulns",
        "https://in-toto.io/attestation/test-result",
        "https://cosign.sigstore.dev/attestation/vuln",
    ];
    let mut out = Vec::new();
    let mut unreadable = Vec::new();
    for a in statements {
        let st = a.statement.get();
        if !GATE_PREDICATES
            .iter()
            .any(|p| st.predicate_type.starts_with(p))
        {
            continue;
        }
        let location = format!("{}#/predicate", a.location);
        match provenant_formats::gate::parse_gate_value(&st.to_value()) {
            Ok(reports) => out.extend(reports.into_iter().map(|r| GateEvidence {
                location: location.clone(),
                report: r,
                trust: TrustLevel::SignedAttestation,
            })),
            // A signed scan whose findings cannot be read is not a clean scan.
            Err(e) => unreadable.push(Check::fail(
                CheckCode::GateReportUnreadable,
                format!(
                    "{location}: a signed {} predicate that cannot be read: {e}",
                    st.predicate_type
                ),
                vec![EvidenceRef::new(EvidenceKind::Flag, &location)],
            )),
        }
    }
    (out, unreadable)
}

/// What shipped per the verified evidence: the commit, source repository and build time.
struct Shipped {
    commit: Option<String>,
    repository: Option<String>,
    built_at: Option<Timestamp>,
}

fn shipped(signatures: &[provenant_model::SignatureClaim], policy: &Policy) -> Shipped {
    let verified_prov = signatures
        .iter()
        .filter(|c| c.verified)
        .filter_map(|c| c.provenance.as_ref().map(|p| (c, p)));
    let commit = policy.commit().map(str::to_owned).or_else(|| {
        verified_prov
            .clone()
            .find_map(|(_, p)| p.source_commit.clone())
    });
    let repository = policy.repository().map(str::to_owned).or_else(|| {
        verified_prov
            .clone()
            .find_map(|(_, p)| p.source_repository.clone())
    });
    let built_at = verified_prov
        .filter_map(|(c, _)| c.signing_time.as_deref())
        .filter_map(|t| crate::gates::parse_time(t, crate::gates::DateOnly::StartOfDay))
        .min();
    Shipped {
        commit,
        repository,
        built_at,
    }
}

/// Judge the gates and the change review, when any is given or required, and add their checks
/// and table to `base`.
fn with_gates(
    base: Report,
    statements: &[AttestedStatement],
    inputs: &Inputs,
    policy: &Policy,
    digests: &[Digest],
    now: Timestamp,
) -> Report {
    let (attested, unreadable) = attested_gates(statements);
    let review_asked =
        inputs.review.is_some() || inputs.history.is_some() || policy.review().require_review;
    let asked = inputs.gate_evidence_given()
        || policy.states_gates()
        || !attested.is_empty()
        || !unreadable.is_empty();
    if !asked {
        return base;
    }
    let mut checks = base.checks;
    checks.extend(unreadable);
    let sh = shipped(&base.signatures, policy);
    let mut evidence = Vec::new();
    for f in &inputs.gates {
        match &f.reports {
            // A SARIF log whose `runs` is null or empty: the tool never ran its analysis.
            Ok(reports) if reports.is_empty() => checks.push(Check::fail(
                CheckCode::GateFindingsIncomplete,
                format!("{}: the report holds no run (SARIF runs null or empty: the tool did not run its analysis); missing is not clean", f.location),
                vec![EvidenceRef::new(EvidenceKind::Flag, &f.location)],
            )),
            Ok(reports) => evidence.extend(reports.iter().map(|r| GateEvidence {
                location: f.location.clone(),
                report: r.clone(),
                trust: if r.kind == provenant_formats::gate::GateKind::CiRun {
                    TrustLevel::CiApi
                } else {
                    TrustLevel::PlainReport
                },
            })),
            Err(e) => checks.push(Check::fail(
                CheckCode::GateReportUnreadable,
                format!("{}: {e}", f.location),
                vec![EvidenceRef::new(EvidenceKind::Flag, &f.location)],
            )),
        }
    }
    evidence.extend(attested);
    if evidence.is_empty()
        && inputs.gates.is_empty()
        && policy.gates().required.is_empty()
        && policy.gates_constrained()
    {
        checks.push(Check::fail(
            CheckCode::GateMissing,
            "the policy constrains the security gates (finding thresholds, signed gate evidence or gate timing), and no gate report or gate attestation was given: give the reports (--sarif, --sca, --dast, --ci-run)",
            vec![EvidenceRef::new(EvidenceKind::Flag, "--max-* / --require-signed-gates / --built-at / --committed-at")],
        ));
    }
    if review_asked {
        checks.extend(review_checks(inputs, policy, sh.commit.as_deref()));
    }
    let g = policy.gates();
    let gp = GatePolicy {
        commit: sh.commit.map(|c| c.to_ascii_lowercase()),
        digests: digests.to_vec(),
        required: g.required.clone(),
        max_findings: g.max_findings.clone(),
        unknown_severity: g.unknown_severity,
        waivers: g.waivers.clone(),
        require_signed: g.require_signed,
        built_at: g.built_at.or(sh.built_at),
        committed_at: g.committed_at,
        repository: sh.repository,
    };
    let (c, rows) = check_gates(&evidence, &gp, now);
    checks.extend(c);
    let mut report = Report::new(
        base.tool,
        base.command,
        base.evaluated_at,
        base.subject,
        checks,
        base.signatures,
        base.opt_outs,
    );
    report.gates = rows;
    report
}

fn review_checks(inputs: &Inputs, policy: &Policy, commit: Option<&str>) -> Vec<Check> {
    let Some(commit) = commit else {
        return vec![Check::fail(
            CheckCode::ReviewCommitUnknown,
            "change review needs the shipped commit: pass --commit (or verify provenance that records it)",
            vec![EvidenceRef::new(EvidenceKind::Flag, "--commit")],
        )];
    };
    let mut checks = Vec::new();
    let review = match &inputs.review {
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            checks.push(Check::fail(
                CheckCode::ReviewMissing,
                format!("the change review evidence could not be read: {e}"),
                vec![EvidenceRef::new(EvidenceKind::Flag, "--review")],
            ));
            None
        }
        None => None,
    };
    let history = match &inputs.history {
        Some(h) => match h.history(commit) {
            Ok(h) => Some(h),
            Err(e) => {
                checks.push(Check::fail(
                    CheckCode::GitHistoryUnreadable,
                    e.to_string(),
                    vec![EvidenceRef::new(EvidenceKind::Flag, "--git-dir")],
                ));
                None
            }
        },
        None => None,
    };
    checks.extend(check_change_review(
        review,
        history.as_ref(),
        commit,
        policy.review(),
    ));
    checks
}

/// The policy's own checks, the opt-outs, and the Rego policies, over the finished report.
fn finalize(base: Report, inputs: &Inputs, trust: &TrustRoots, policy: &Policy) -> Verification {
    let Report {
        tool,
        evaluated_at,
        subject,
        mut checks,
        signatures,
        mut opt_outs,
        gates,
        ..
    } = base;
    if let Some(l) = policy.applied() {
        checks.push(Check::pass(
            CheckCode::PolicyLoaded,
            format!(
                "policy {} ({}) applied; flags given on the command line override it",
                l.path, l.digest
            ),
            vec![
                EvidenceRef::new(EvidenceKind::Flag, format!("--policy {}", l.path))
                    .with_digest(l.digest.clone()),
            ],
        ));
    }
    let verified: Vec<_> = signatures.iter().filter(|s| s.verified).collect();
    if policy.provenance_required() {
        let with: Vec<&str> = verified
            .iter()
            .filter(|s| s.provenance.is_some())
            .map(|s| s.evidence.location.as_str())
            .collect();
        let ev = vec![EvidenceRef::new(
            EvidenceKind::Flag,
            "policy provenance.required",
        )];
        checks.push(if with.is_empty() {
            Check::fail(
                CheckCode::ProvenanceMissing,
                "the policy requires SLSA provenance, and no verified provenance statement is among the evidence (give it with --provenance or --attestations)",
                ev,
            )
        } else {
            Check::pass(
                CheckCode::ProvenancePresent,
                format!("verified SLSA provenance: {}", with.join(", ")),
                ev,
            )
        });
    }
    if let Some(formats) = &policy.sbom().formats {
        for s in &verified {
            let Some(pt) = s.predicate_type.as_deref() else {
                continue;
            };
            if !provenant_formats::sbom::is_sbom_predicate(pt) {
                continue;
            }
            let format = if pt.starts_with("https://cyclonedx.org/") {
                SbomFormat::Cyclonedx
            } else {
                SbomFormat::Spdx
            };
            if !formats.contains(&format) {
                checks.push(Check::fail(
                    CheckCode::SbomInvalid,
                    format!(
                        "{}: an SBOM attestation in {}, not a format the policy allows ({})",
                        s.evidence.location,
                        format.as_str(),
                        format_names(formats)
                    ),
                    vec![s.evidence.clone()],
                ));
            }
        }
    }
    // Opt-outs taken while collecting or stated by the policy: recorded in the report, and
    // one warning each (the verifiers record their own).
    let added: Vec<OptOut> = inputs
        .opt_outs
        .iter()
        .cloned()
        .chain(policy_opt_outs(&checks, policy))
        .filter(|o| !opt_outs.iter().any(|have| have.name == o.name))
        .collect();
    for o in &added {
        checks.push(Check::warn(
            CheckCode::OptOutUsed,
            format!("{}: {}", o.name, o.risk),
            vec![EvidenceRef::new(
                EvidenceKind::Flag,
                format!("--{}", o.name),
            )],
        ));
    }
    opt_outs.extend(added);
    dedup_opt_outs(&mut opt_outs);
    let assemble = |checks: Vec<Check>| {
        let mut r = Report::new(
            tool.clone(),
            inputs.command.as_str(),
            evaluated_at.clone(),
            subject.clone(),
            checks,
            signatures.clone(),
            opt_outs.clone(),
        );
        r.gates.clone_from(&gates);
        r.expectations = Some(expectations(policy, trust));
        r.inputs.clone_from(&inputs.files);
        r
    };
    // Rego's input (the report serialised) is built only when a module runs: most runs have none.
    if policy.rego().is_empty() {
        return Verification {
            report: assemble(checks),
            rego_input: None,
        };
    }
    let input = rego_input(&assemble(checks.clone()), policy);
    checks.extend(provenant_policy::evaluate_rego(policy.rego(), &input));
    Verification {
        report: assemble(checks),
        rego_input: Some(input),
    }
}

/// What the policy asks, resolved, for the report: so a report alone says what was checked
/// against what. Keys are named by fingerprint; regexps are kept as written.
fn expectations(policy: &Policy, trust: &TrustRoots) -> Expectations {
    use std::collections::BTreeMap;
    let matcher = |m: &MatcherSpec| match m {
        MatcherSpec::Exact(e) => MatcherExpectation::Exact(e.clone()),
        MatcherSpec::Regexp(r) => MatcherExpectation::Regexp(r.clone()),
    };
    let mut signers = SignerExpectation {
        threshold: policy.threshold(),
        trusted_root: trust.sigstore.name().to_owned(),
        insecure_ignore_tlog: policy.insecure_ignore_tlog(),
        ..SignerExpectation::default()
    };
    match policy.signers() {
        Signers::Keys { .. } => {
            signers.mode = "keys".into();
            signers.keys = trust
                .keys
                .iter()
                .map(|k| KeyExpectation {
                    location: k.location().to_owned(),
                    algorithm: k.algorithm_name().to_owned(),
                    fingerprint: k.material().fingerprint(),
                })
                .collect();
        }
        Signers::Keyless { identity, issuer } => {
            signers.mode = "keyless".into();
            signers.identity = identity.as_ref().map(matcher);
            signers.issuer = issuer.as_ref().map(matcher);
        }
    }
    let source_map = |s: &provenant_policy::SourcePolicy| {
        let mut m = BTreeMap::new();
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                m.insert(k.to_owned(), v.clone());
            }
        };
        put("source-uri", &s.source_uri);
        put("source-tag", &s.source_tag);
        put("source-versioned-tag", &s.source_versioned_tag);
        put("source-branch", &s.source_branch);
        put("builder-id", &s.builder_id);
        put("commit", &s.commit);
        put("owner", &s.owner);
        put("repo", &s.repo);
        put("signer-repo", &s.signer_repo);
        put("signer-workflow", &s.signer_workflow);
        put("source-ref", &s.source_ref);
        put("source-digest", &s.source_digest);
        put("predicate-type", &s.predicate_type);
        put("package-name", &s.package_name);
        put("package-version", &s.package_version);
        if s.deny_self_hosted_runners {
            m.insert("deny-self-hosted-runners".into(), "true".into());
        }
        for (k, v) in &s.workflow_inputs {
            m.insert(format!("build-workflow-input {k}"), v.clone());
        }
        m
    };
    let source = policy.source();
    let mut source_expect = source_map(source);
    if let Some(r) = policy.repository() {
        source_expect.insert("repository".into(), r.to_owned());
    }
    let sbom = policy.sbom();
    let mut sbom_expect = BTreeMap::new();
    if sbom.required {
        sbom_expect.insert("required".into(), "true".into());
    }
    if sbom.binding_required {
        sbom_expect.insert("binding-required".into(), "true".into());
    }
    if let Some(f) = &sbom.formats {
        sbom_expect.insert("formats".into(), format_names(f));
    }
    let g = policy.gates();
    let gates = (policy.states_gates() || !g.waivers.is_empty()).then(|| GateExpectation {
        required: g
            .required
            .iter()
            .map(|r| {
                if r.tools.is_empty() {
                    r.kind.as_str().to_owned()
                } else {
                    format!("{}:{}", r.kind.as_str(), r.tools.join(","))
                }
            })
            .collect(),
        max_findings: g
            .max_findings
            .iter()
            .map(|(s, n)| (s.as_str().to_owned(), *n))
            .collect(),
        unknown_severity: g
            .unknown_severity
            .map_or("critical", |s| s.as_str())
            .to_owned(),
        waivers: g
            .waivers
            .iter()
            .map(|w| format!("{} (expires {})", w.id, w.expires))
            .collect(),
        require_signed: g.require_signed,
        built_at: g.built_at.map(|t| t.to_string()),
        committed_at: g.committed_at.map(|t| t.to_string()),
    });
    let r = policy.review();
    let mut review = BTreeMap::new();
    if r.require_review {
        review.insert("required".into(), "true".into());
        review.insert("min-approvals".into(), r.min_approvals.to_string());
    }
    if let Some(m) = &r.allowed_merge_methods {
        review.insert(
            "merge-methods".into(),
            m.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", "),
        );
    }
    if r.accept_approvals_without_commit {
        review.insert("accept-approvals-without-commit".into(), "true".into());
    }
    Expectations {
        policy: policy.applied().map(|a| PolicyFileRef {
            path: a.path.clone(),
            digest: a.digest.clone(),
        }),
        signers,
        source: source_expect,
        any_of: source
            .any_of
            .iter()
            .map(|g| g.iter().map(source_map).collect())
            .collect(),
        provenance_required: policy.provenance_required(),
        sbom: sbom_expect,
        gates,
        review,
        rego: policy
            .rego()
            .iter()
            .map(|m| match &m.digest {
                Some(d) => format!("{} ({d})", m.location),
                None => m.location.clone(),
            })
            .collect(),
    }
}

/// Opt-outs the policy took that the verifiers do not already record.
fn policy_opt_outs(checks: &[Check], policy: &Policy) -> Vec<OptOut> {
    let mut out = Vec::new();
    if policy.review().accept_approvals_without_commit {
        out.push(OptOut {
            name: "accept-approvals-without-commit".into(),
            risk: "approvals that record no commit count for the final head: a commit pushed after the approval may have been merged unreviewed".into(),
        });
    }
    if checks
        .iter()
        .any(|c| c.code == CheckCode::LayoutInspectionNotRun && c.outcome == Outcome::Warn)
    {
        out.push(OptOut {
            name: "layout-inspections-not-run".into(),
            risk: "the layout's inspections were not run (provenant never runs commands) and the policy's layout.inspections is not fail: what they would check is not proven".into(),
        });
    }
    out
}

fn dedup_opt_outs(v: &mut Vec<OptOut>) {
    let mut seen = std::collections::BTreeSet::new();
    v.retain(|o| seen.insert(o.name.clone()));
}

/// Every digest algorithm the evidence and SBOM files name, so a file is hashed with each.
pub fn algorithms_needed(
    evidence: &[Evidence],
    sboms: &[SbomFile],
    policy: &Policy,
    trust: &TrustRoots,
    layout: bool,
) -> Vec<DigestAlgorithm> {
    let mut algs = crate::evidence::digest_algorithms(evidence);
    algs.extend(
        sboms
            .iter()
            .filter_map(|(_, p)| p.as_ref().ok())
            .flat_map(|p| crate::sbom::subject_algorithms(&p.sbom)),
    );
    // A detached key signature is over the digest its key's scheme uses (P-384: sha384).
    if matches!(policy.signers(), Signers::Keys { .. })
        && evidence
            .iter()
            .any(|e| matches!(e.content, EvidenceContent::SignatureFile(_)))
    {
        algs.extend(trust.keys.iter().flat_map(PublicKey::prehash_algorithms));
    }
    if layout {
        // A layout binds the file by every digest algorithm its links record for it.
        algs.extend(DigestAlgorithm::ALL);
    }
    algs
}
