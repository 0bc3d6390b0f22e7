//! `verify artifact`: evidence -> verified signatures -> checks -> verdict.

use provenant_formats::bundle::BundleError;
use provenant_formats::intoto::Statement;
use provenant_model::{
    Check, CheckCode, EvidenceKind, EvidenceRef, OptOut, Outcome, Report, SignatureClaim,
    SignerClaim, Subject, ToolInfo,
};
use provenant_policy::{evaluate, SourcePolicy};
use provenant_verify::{
    signed_statement, verify_blob_signature, verify_bundle, verify_envelope, PublicKey,
    SignerPolicy, TrustRoot, Verified,
};

use crate::evidence::{Evidence, EvidenceContent, Found};
use crate::sbom::{check_sbom, SbomContext, SbomOrigin, SbomRequirements};
use provenant_formats::sbom::{ParsedSbom, SbomError};

/// The tool name in reports.
pub const TOOL_NAME: &str = "provenant";
/// The tool version in reports.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything `verify artifact` needs, already read and parsed.
#[derive(Debug)]
pub struct ArtifactInputs {
    /// The artifact, reduced to digests (every algorithm the evidence needs).
    pub subject: Subject,
    /// Evidence files.
    pub evidence: Vec<Evidence>,
    /// Who is trusted to sign.
    pub signer: SignerPolicy,
    /// For key-signed DSSE envelopes: how many distinct trusted keys must sign.
    pub threshold: usize,
    /// What source, builder and signing workflow the verified evidence must show.
    pub policy: SourcePolicy,
    /// SBOMs given as files, and what SBOMs must meet.
    pub sbom: SbomInputs,
    /// cosign's `--insecure-ignore-tlog`: accept key-signed evidence that has no verified
    /// transparency-log entry or trusted timestamp (a warning, and an opt-out in the report).
    /// Without it such evidence fails (`tlog-entry-missing`), as cosign v2 does.
    pub insecure_ignore_tlog: bool,
}

/// SBOM evidence for `verify artifact`.
#[derive(Debug, Default)]
pub struct SbomInputs {
    /// SBOM files given (`--sbom`), each parsed (or not).
    pub files: Vec<(String, Result<ParsedSbom, SbomError>)>,
    /// SBOMs found beside an image that nothing signs (cosign `.sbom`, BuildKit statements,
    /// SBOM referrers): judged like files, but never enough for [`SbomInputs::required`] — anyone
    /// who can push to the repository can put one there.
    pub unsigned_found: Vec<(String, Result<ParsedSbom, SbomError>)>,
    /// What every SBOM must meet.
    pub requirements: SbomRequirements,
    /// Fail unless at least one valid SBOM bound to the artifact is among the evidence.
    pub required: bool,
}

/// One signature's result, before aggregation.
struct Item {
    checks: Vec<Check>,
    /// What each signature of this evidence claims (several for an npm attestations document).
    claims: Vec<SignatureClaim>,
    verified: bool,
    /// The in-toto statements its signatures verified; they count only if the item still
    /// counts after every policy check.
    statements: Vec<AttestedStatement>,
}

/// A signed in-toto statement that verified, and where it came from: what attested SBOMs and
/// gate runs are read from.
#[derive(Debug, Clone)]
pub struct AttestedStatement {
    /// The evidence it was read from.
    pub location: String,
    /// The statement, verified.
    pub statement: Verified<Statement>,
}

impl Item {
    /// A signature's checks and claim, held to the source policy when it verified.
    fn checked(
        checks: Vec<Check>,
        claim: SignatureClaim,
        statement: Option<&Statement>,
        inputs: &ArtifactInputs,
        evref: &EvidenceRef,
    ) -> Item {
        let signer = claim.signer.clone();
        let mut item = Item {
            checks,
            verified: claim.verified,
            claims: vec![claim],
            statements: vec![],
        };
        if let Some(signer) = signer {
            item.apply_policy(evaluate(&inputs.policy, &signer, statement, evref));
        }
        item
    }

    /// Add policy checks; a policy failure means this signature does not count.
    fn apply_policy(&mut self, checks: Vec<Check>) {
        if checks.iter().any(|c| c.outcome == Outcome::Fail) {
            self.verified = false;
            for c in &mut self.claims {
                c.verified = false;
            }
        }
        self.checks.extend(checks);
    }

    /// A signature counts only if it shows every requirement the user stated, by a passing
    /// check of the requirement's own code; one that does not show a requirement gets that
    /// requirement's failure and stops counting (and, like any signature that does not count,
    /// can never make another one's failure a warning).
    fn hold_to(&mut self, stated: &[Stated]) {
        if !self.verified {
            return;
        }
        let missing: Vec<Check> = stated
            .iter()
            .filter(|r| {
                !self
                    .checks
                    .iter()
                    .any(|c| c.code == r.shown_by && c.outcome == Outcome::Pass)
            })
            .map(|r| {
                let evidence = self
                    .claims
                    .first()
                    .map(|c| vec![c.evidence.clone(), r.flag.clone()])
                    .unwrap_or_else(|| vec![r.flag.clone()]);
                Check::fail(r.unmet, r.reason.clone(), evidence)
            })
            .collect();
        if !missing.is_empty() {
            self.apply_policy(missing);
        }
    }

    /// Evidence that could not be verified at all: one failed check, no claim.
    fn failed(code: CheckCode, reason: impl Into<String>, evref: EvidenceRef) -> Item {
        Item {
            statements: vec![],
            checks: vec![Check::fail(code, reason, vec![evref])],
            claims: vec![],
            verified: false,
        }
    }
}

/// A requirement the user stated that only some kinds of evidence can show (the source policy,
/// which every signature is held to in [`Item::checked`], is not one of them): the signature
/// the verdict rests on must show it itself, never stand beside evidence that does.
struct Stated {
    /// The passing check by which a signature shows it.
    shown_by: CheckCode,
    /// The failure of a signature that does not.
    unmet: CheckCode,
    /// Why a signature without `shown_by` does not meet it.
    reason: String,
    /// The flag that states it.
    flag: EvidenceRef,
}

/// The requirements stated in `inputs` beyond the signer and the source policy.
fn stated_requirements(inputs: &ArtifactInputs) -> Vec<Stated> {
    let mut out = Vec::new();
    let policy = &inputs.policy;
    if policy.package_name.is_some() || policy.package_version.is_some() {
        let want = match (&policy.package_name, &policy.package_version) {
            (Some(n), Some(v)) => format!("{n}@{v}"),
            (Some(n), None) => n.clone(),
            (None, Some(v)) => format!("version {v}"),
            (None, None) => String::new(),
        };
        out.push(Stated {
            shown_by: CheckCode::PackageMatches,
            unmet: CheckCode::PackageMismatch,
            reason: format!(
                "the package must be {want}, and this evidence does not show it: only a verified npm publish attestation naming the package (with verified provenance beside it) does; another signature cannot stand in for it"
            ),
            flag: EvidenceRef::new(EvidenceKind::Flag, "--package-name / --package-version"),
        });
    }
    if inputs.threshold > 1 {
        out.push(Stated {
            shown_by: CheckCode::SignatureThresholdMet,
            unmet: CheckCode::SignatureThresholdNotMet,
            reason: format!(
                "{} distinct trusted keys must sign, and this evidence does not show it: only a DSSE envelope signed by that many keys does",
                inputs.threshold
            ),
            flag: EvidenceRef::new(EvidenceKind::Flag, "--threshold"),
        });
    }
    out
}

/// The claim of key-signed evidence outside a bundle (no log entry, no signing time).
fn key_claim(
    evref: &EvidenceRef,
    content: &str,
    payload_type: Option<String>,
    predicate_type: Option<String>,
    signers: Option<Vec<&PublicKey>>,
) -> SignatureClaim {
    let join = |f: fn(&PublicKey) -> &str, ks: &[&PublicKey]| {
        ks.iter().map(|k| f(k)).collect::<Vec<_>>().join(", ")
    };
    SignatureClaim {
        evidence: evref.clone(),
        verified: signers.is_some(),
        media_type: None,
        content: content.into(),
        payload_type,
        predicate_type,
        signer: signers.map(|ks| SignerClaim::Key {
            key: join(PublicKey::location, &ks),
            algorithm: join(PublicKey::algorithm_name, &ks),
        }),
        signing_time: None,
        time_sources: vec![],
        log_entries: vec![],
        provenance: None,
        signed_payload: None,
    }
}

/// Verify an artifact against its evidence. Pure: `now` is recorded, and SBOM times are judged
/// against it.
///
/// The verdict passes only when at least one signature verified completely against the trust
/// root and the signer policy, and itself shows every requirement the user stated (the source
/// policy, the package, the key threshold). When one did, the failures of other signatures are
/// kept in the report as warnings (they are not what the artifact's trust rests on); when none
/// did, they are failures: a requirement is never waived because an unrelated signature verified.
pub fn verify_artifact(inputs: &ArtifactInputs, trust: &TrustRoot, now: jiff::Timestamp) -> Report {
    verify_artifact_attested(inputs, trust, now).0
}

/// [`verify_artifact`], also returning the in-toto statements that verified and count (what
/// attested SBOMs and gate runs are read from).
pub fn verify_artifact_attested(
    inputs: &ArtifactInputs,
    trust: &TrustRoot,
    now: jiff::Timestamp,
) -> (Report, Vec<AttestedStatement>) {
    let mut checks = Vec::new();
    let root_ref = EvidenceRef::new(EvidenceKind::TrustedRoot, trust.name());
    let mut items: Vec<Item> = Vec::new();

    if inputs.evidence.is_empty() {
        let name = inputs
            .subject
            .name
            .clone()
            .unwrap_or_else(|| "the digest".into());
        checks.push(Check::fail(
            CheckCode::EvidenceMissing,
            format!("no signature evidence for {name}: give --bundle, or put <FILE>.sigstore.json beside it"),
            vec![EvidenceRef::file(name)],
        ));
    }
    for ev in &inputs.evidence {
        let kind = match ev.content {
            EvidenceContent::Envelope(_) => EvidenceKind::DsseEnvelope,
            EvidenceContent::SignatureFile(_) => EvidenceKind::SignatureFile,
            EvidenceContent::CosignSignature(_) => EvidenceKind::CosignSignature,
            EvidenceContent::Unsigned(_)
            | EvidenceContent::WrongSubject(_)
            | EvidenceContent::Unsupported(_) => EvidenceKind::OciArtifact,
            _ => EvidenceKind::SigstoreBundle,
        };
        let how = match ev.found {
            Found::Given => "given",
            Found::Beside => "found beside the artifact",
            Found::Image => "found beside the image",
        };
        let evref = EvidenceRef::new(kind, &ev.location);
        checks.push(Check::pass(
            CheckCode::EvidenceLocated,
            format!("{} ({how})", ev.location),
            vec![evref.clone()],
        ));
        items.extend(verify_evidence(ev, evref, inputs, trust, &root_ref));
    }

    let wants_package =
        inputs.policy.package_name.is_some() || inputs.policy.package_version.is_some();
    if wants_package
        && !inputs
            .evidence
            .iter()
            .any(|e| matches!(e.content, EvidenceContent::Npm(_)))
    {
        checks.push(Check::fail(
            CheckCode::PackageMismatch,
            "--package-name/--package-version need the npm attestations document (give it with --attestations); no evidence names a package",
            vec![root_ref.clone()],
        ));
    }
    checks.extend(provenance_conflicts(&items));
    let stated = stated_requirements(inputs);
    for item in &mut items {
        item.hold_to(&stated);
    }
    let any_verified = items.iter().any(|i| i.verified);
    let mut signatures = Vec::new();
    let mut attested = Vec::new();
    for item in items {
        if item.verified {
            attested.extend(item.statements);
        }
        for mut c in item.checks {
            if any_verified && !item.verified && c.outcome == Outcome::Fail {
                c.outcome = Outcome::Warn;
                c.reason = format!(
                    "{} (another signature verified; this one does not count)",
                    c.reason
                );
            }
            checks.push(c);
        }
        signatures.extend(item.claims);
    }
    if !inputs.evidence.is_empty()
        && !any_verified
        && !checks.iter().any(|c| c.outcome == Outcome::Fail)
    {
        // Defensive: nothing verified must never read as a pass.
        checks.push(Check::fail(
            CheckCode::SignatureInvalid,
            "no signature verified",
            vec![root_ref.clone()],
        ));
    }
    checks.extend(sbom_checks(inputs, &signatures, &attested, now));
    let (opt_out_checks, opt_outs) = opt_outs(inputs, &root_ref);
    checks.extend(opt_out_checks);
    let report = Report::new(
        ToolInfo {
            name: TOOL_NAME.into(),
            version: TOOL_VERSION.into(),
        },
        "verify artifact",
        crate::engine::rfc3339(now),
        inputs.subject.clone(),
        checks,
        signatures,
        opt_outs,
    );
    (report, attested)
}

fn verify_evidence(
    ev: &Evidence,
    evref: EvidenceRef,
    inputs: &ArtifactInputs,
    trust: &TrustRoot,
    root_ref: &EvidenceRef,
) -> Vec<Item> {
    let digests = &inputs.subject.digests;
    match &ev.content {
        EvidenceContent::Unreadable(reason) => vec![Item::failed(
            CheckCode::EvidenceUnreadable,
            format!("{}: {reason}", ev.location),
            evref,
        )],
        EvidenceContent::WrongSubject(reason) => vec![Item::failed(
            CheckCode::ReferrerSubjectMismatch,
            format!("{}: {reason}", ev.location),
            evref,
        )],
        EvidenceContent::Unsigned(what) => vec![Item {
            statements: vec![],
            checks: vec![Check::warn(
                CheckCode::EvidenceUnsigned,
                format!(
                    "{}: {what}; nothing signs it, so it is listed and not counted",
                    ev.location
                ),
                vec![evref],
            )],
            claims: vec![],
            verified: false,
        }],
        EvidenceContent::Unsupported(what) => vec![Item {
            statements: vec![],
            checks: vec![Check::warn(
                CheckCode::EvidenceUnsupported,
                format!(
                    "{}: {what}; provenant does not verify this kind of evidence",
                    ev.location
                ),
                vec![evref],
            )],
            claims: vec![],
            verified: false,
        }],
        EvidenceContent::CosignSignature(sig) => {
            vec![cosign_item(sig, &evref, inputs, trust, root_ref)]
        }
        EvidenceContent::Bundles(list) => list
            .iter()
            .enumerate()
            .map(|(i, parsed)| {
                let loc = if list.len() > 1 {
                    format!("{}#{}", ev.location, i + 1)
                } else {
                    ev.location.clone()
                };
                let r = EvidenceRef::new(EvidenceKind::SigstoreBundle, loc);
                match parsed {
                    Err(e) => Item {
                        statements: vec![],
                        checks: vec![bundle_error_check(e, &r)],
                        claims: vec![],
                        verified: false,
                    },
                    Ok(b) => bundle_item(b, &r, inputs, trust, root_ref, &inputs.signer, true).0,
                }
            })
            .collect(),
        EvidenceContent::Npm(list) => vec![npm_item(list, ev, inputs, trust, root_ref)],
        EvidenceContent::Envelope(env) => {
            let SignerPolicy::Keys(keys) = &inputs.signer else {
                if env.signatures.iter().any(|s| s.cert.is_some()) {
                    return vec![Item::failed(
                        CheckCode::DsseEnvelopeUnlogged,
                        "a bare DSSE envelope signed with a Fulcio certificate has no transparency-log entry or timestamp, so its signing time cannot be verified offline; use the Sigstore bundle of this attestation (newer builders write one)",
                        evref,
                    )];
                }
                return vec![Item::failed(
                    CheckCode::KeyUnsupported,
                    "a bare DSSE envelope carries no verifiable signing time or log entry; verify it with --key (keyless envelopes need a Sigstore bundle)",
                    evref,
                )];
            };
            let (checks, signed_by) = verify_envelope(env, keys, inputs.threshold, &evref);
            vec![keyed_envelope_item(
                env, checks, signed_by, keys, &evref, inputs, true,
            )]
        }
        EvidenceContent::Gcb(list) => list
            .iter()
            .enumerate()
            .map(|(n, env)| {
                gcb_item(
                    env,
                    &EvidenceRef::new(
                        EvidenceKind::DsseEnvelope,
                        format!("{}#{}", ev.location, n + 1),
                    ),
                    inputs,
                )
            })
            .collect(),
        EvidenceContent::SignatureFile(bytes) => {
            let SignerPolicy::Keys(keys) = &inputs.signer else {
                return vec![Item::failed(
                    CheckCode::KeyUnsupported,
                    "a detached signature file can only be verified with --key",
                    evref,
                )];
            };
            let (checks, key) = verify_blob_signature(bytes, digests, keys, &evref);
            let signed = key.is_some();
            let claim = key_claim(
                &evref,
                "message-signature",
                None,
                None,
                key.map(|i| vec![&keys[*i.get()]]),
            );
            let mut item = Item::checked(checks, claim, None, inputs, &evref);
            if signed {
                item.apply_policy(vec![unlogged(&evref, inputs)]);
            }
            vec![item]
        }
    }
}

/// SBOM checks: files given with `--sbom`, and the SBOM predicates of verified attestations
/// (bound to the artifact through the statement's subject).
fn sbom_checks(
    inputs: &ArtifactInputs,
    signatures: &[SignatureClaim],
    attested: &[AttestedStatement],
    now: jiff::Timestamp,
) -> Vec<Check> {
    let mut out = Vec::new();
    // The build's time: the earliest verified signing time of verified provenance.
    let build_time = signatures
        .iter()
        .filter(|c| c.verified && c.provenance.is_some())
        .filter_map(|c| c.signing_time.as_deref())
        .filter_map(|t| t.parse::<jiff::Timestamp>().ok())
        .min();
    let req = &inputs.sbom.requirements;
    let digests = inputs.subject.digests.as_slice();
    let mut bound_valid = false;
    let judge = |parsed: &ParsedSbom, evref: EvidenceRef, origin: SbomOrigin| {
        let cx = SbomContext {
            artifact: Some(digests),
            origin,
            build_time,
            now,
            requirements: req,
        };
        let c = check_sbom(parsed, &evref, &cx);
        let ok = |code| {
            c.iter()
                .any(|x| x.code == code && x.outcome == Outcome::Pass)
        };
        let bound = ok(CheckCode::SbomValid) && ok(CheckCode::SbomBound);
        (c, bound)
    };
    for (loc, parsed) in &inputs.sbom.unsigned_found {
        let evref = EvidenceRef::new(EvidenceKind::Sbom, loc);
        match parsed {
            // Judged, never counted towards --require-sbom.
            Ok(p) => out.extend(judge(p, evref, SbomOrigin::File).0),
            Err(e) => out.push(Check::fail(
                CheckCode::SbomInvalid,
                format!("{loc}: {e}"),
                vec![evref],
            )),
        }
    }
    for (loc, parsed) in &inputs.sbom.files {
        let evref = EvidenceRef::new(EvidenceKind::Sbom, loc);
        match parsed {
            Ok(p) => {
                let (c, bound) = judge(p, evref, SbomOrigin::File);
                bound_valid |= bound;
                out.extend(c);
            }
            Err(e) => out.push(Check::fail(
                CheckCode::SbomInvalid,
                format!("{loc}: {e}"),
                vec![evref],
            )),
        }
    }
    for a in attested {
        let st = a.statement.get();
        let pt = st.predicate_type.as_str();
        if !provenant_formats::sbom::is_sbom_predicate(pt) {
            continue;
        }
        let evref = EvidenceRef::new(EvidenceKind::Sbom, format!("{}#/predicate", a.location));
        // The same binding rule as the signature's (a contradiction binds nothing).
        let Ok(bound) = provenant_verify::bind_subject(st, digests) else {
            continue;
        };
        let d = &bound.digest;
        // The document alone: the statement's subject binds it to the artifact (the origin
        // says so), and the document's own subject is compared with the artifact exactly as a
        // given SBOM's is — never replaced by the statement's.
        match provenant_formats::sbom::parse_predicate_sbom(&st.predicate, None) {
            Ok(p) => {
                let (c, bound) = judge(&p, evref, SbomOrigin::Attested(d.clone()));
                bound_valid |= bound;
                out.extend(c);
            }
            Err(e) => out.push(Check::fail(
                CheckCode::SbomInvalid,
                format!("{pt} predicate: {e}"),
                vec![evref],
            )),
        }
    }
    if inputs.sbom.required && !bound_valid {
        out.push(Check::fail(
            CheckCode::SbomUnbound,
            if inputs.sbom.unsigned_found.is_empty() {
                "an SBOM is required: none of the SBOMs given (--sbom) or attested is valid and bound to the artifact"
            } else {
                "an SBOM is required: none of the SBOMs given (--sbom) or attested is valid and bound to the artifact; SBOMs found beside the image unsigned do not count (sign them: cosign attest --type cyclonedx|spdxjson)"
            },
            vec![EvidenceRef::new(EvidenceKind::Flag, "--require-sbom")],
        ));
    }
    out
}

/// One Sigstore bundle verified against `signer`; with `with_policy`, a verified signature is
/// also held to the source policy. Returns the item and, when the signature verified, what it
/// established.
fn bundle_item(
    b: &provenant_formats::bundle::ParsedBundle,
    r: &EvidenceRef,
    inputs: &ArtifactInputs,
    trust: &TrustRoot,
    root_ref: &EvidenceRef,
    signer: &SignerPolicy,
    with_policy: bool,
) -> (Item, Option<provenant_verify::VerifiedSignature>) {
    let mut out = verify_bundle(b, r, &inputs.subject.digests, trust, signer);
    for c in &mut out.checks {
        if matches!(
            c.code,
            CheckCode::CertificateChainValid | CheckCode::TlogInclusionVerified
        ) {
            c.evidence.push(root_ref.clone());
        }
    }
    let mut item = Item {
        statements: vec![],
        verified: out.verified.is_some(),
        checks: out.checks,
        claims: vec![out.claim],
    };
    if let Some(st) = out.verified.as_ref().and_then(Verified::statement) {
        item.statements.push(AttestedStatement {
            location: r.location.clone(),
            statement: st,
        });
    }
    let verified = out.verified.map(|v| v.get().clone());
    // A key-signed bundle proves when it was signed only through a verified log entry or
    // timestamp; without one (a trusted root with no logs, a bundle with no timestamp) it is
    // held to the same rule as other key-signed evidence.
    if let (Some(v), SignerPolicy::Keys(_)) = (&verified, signer) {
        if v.signing_time.is_none() {
            item.apply_policy(vec![unlogged(r, inputs)]);
        }
    }
    if let (Some(v), true) = (&verified, with_policy) {
        item.apply_policy(evaluate(&inputs.policy, &v.signer, v.statement.as_ref(), r));
    }
    (item, verified)
}

/// An npm attestations document: it proves the tarball only when npm's publish attestation
/// verifies with npm's registry key (signed while that key was in use) AND the SLSA provenance
/// verifies keylessly and meets the source policy, both for this tarball. Other attestations
/// are verified too and kept in the report; they neither make nor break the result.
fn npm_item(
    list: &[provenant_formats::npm_attestations::NpmAttestation],
    ev: &Evidence,
    inputs: &ArtifactInputs,
    trust: &TrustRoot,
    root_ref: &EvidenceRef,
) -> Item {
    use provenant_formats::npm_attestations::NPM_PUBLISH_V01;
    let doc_ref = EvidenceRef::new(EvidenceKind::SigstoreBundle, &ev.location);
    let npm_keys = provenant_verify::npm_registry_keys();
    let npm_signer = SignerPolicy::Keys(npm_keys.iter().map(|k| k.key.clone()).collect());
    let mut all = Item {
        statements: vec![],
        checks: vec![],
        claims: vec![],
        verified: false,
    };
    // The packages (subject package URLs naming the tarball) of each counting publish
    // attestation and each verified provenance: they pair only when they name one package.
    let mut published: Vec<String> = Vec::new();
    let mut provenances: Vec<(EvidenceRef, Vec<String>)> = Vec::new();
    for (n, att) in list.iter().enumerate() {
        let r = EvidenceRef::new(
            EvidenceKind::SigstoreBundle,
            format!("{}#{}", ev.location, n + 1),
        );
        let b = match &att.bundle {
            Ok(b) => b,
            Err(e) => {
                all.checks.push(bundle_error_check(e, &r));
                continue;
            }
        };
        // What the bundle signs decides its role, never the unsigned predicateType beside it.
        let signed_type = match &b.content {
            provenant_formats::bundle::BundleContent::Dsse {
                statement: Some(Ok(st)),
                ..
            } => Some(st.predicate_type.clone()),
            _ => None,
        };
        if signed_type.as_deref() == Some(NPM_PUBLISH_V01) {
            let (mut item, verified) =
                bundle_item(b, &r, inputs, trust, root_ref, &npm_signer, false);
            if let Some(v) = verified {
                let key_ok = npm_key_in_use(&v, &npm_keys, &r, &mut item.checks);
                let pkg_ok = npm_package_matches(&v, inputs, &r, &mut item.checks);
                if key_ok && pkg_ok {
                    published.extend(tarball_subjects(v.statement.as_ref(), inputs));
                }
            }
            all.checks.extend(item.checks);
            all.claims.extend(item.claims);
        } else {
            let (item, verified) =
                bundle_item(b, &r, inputs, trust, root_ref, &inputs.signer, true);
            let is_provenance = signed_type
                .as_deref()
                .is_some_and(|t| t.starts_with("https://slsa.dev/provenance/"));
            if let (true, true, Some(v)) = (is_provenance, item.verified, &verified) {
                provenances.push((r.clone(), tarball_subjects(v.statement.as_ref(), inputs)));
            }
            if item.verified {
                all.statements.extend(item.statements);
            }
            if !is_provenance && att.predicate_type != NPM_PUBLISH_V01 {
                all.checks.push(Check::warn(
                    CheckCode::PredicateTypeMismatch,
                    format!(
                        "attestation {} has predicate type {:?}: kept and shown, not part of the npm verification",
                        n + 1,
                        signed_type.as_deref().unwrap_or(&att.predicate_type)
                    ),
                    vec![r.clone()],
                ));
            }
            all.checks.extend(item.checks);
            all.claims.extend(item.claims);
        }
    }
    let publish_ok = !published.is_empty();
    let mut provenance_ok = false;
    for (r, names) in &provenances {
        let paired = names
            .iter()
            .any(|n| published.iter().any(|p| same_package(n, p)));
        provenance_ok |= paired;
        if publish_ok && !paired {
            all.checks.push(Check::fail(
                CheckCode::PackageMismatch,
                format!(
                    "the provenance is about {}, the publish attestation about {}: they do not speak of one package, so the provenance does not count",
                    shown_list(names),
                    shown_list(&published)
                ),
                vec![r.clone()],
            ));
        }
    }
    if publish_ok && provenance_ok {
        all.verified = true;
    } else {
        let mut missing = Vec::new();
        if !publish_ok {
            missing.push("a verified publish attestation signed with npm's registry key");
        }
        if !provenance_ok {
            missing.push("verified SLSA provenance of the package the publish attestation names");
        }
        all.checks.push(Check::fail(
            CheckCode::NpmAttestationsIncomplete,
            format!(
                "{}: the document lacks {}",
                ev.location,
                missing.join(" and ")
            ),
            vec![doc_ref],
        ));
        for c in &mut all.claims {
            c.verified = false;
        }
    }
    all
}

/// The names of a verified statement's subjects that carry one of the artifact's digests.
fn tarball_subjects(st: Option<&Statement>, inputs: &ArtifactInputs) -> Vec<String> {
    let Some(st) = st else {
        return vec![];
    };
    st.subjects
        .iter()
        .filter(|s| {
            inputs.subject.digests.iter().any(|d| {
                s.digest.iter().any(|(alg, hex)| {
                    alg.eq_ignore_ascii_case(d.algorithm().name())
                        && hex.eq_ignore_ascii_case(d.hex())
                })
            })
        })
        .map(|s| s.name.clone())
        .collect()
}

/// Whether two package URLs name one package and version (compared decoded, so `%40scope` and
/// `@scope` agree); one that does not parse matches nothing.
fn same_package(a: &str, b: &str) -> bool {
    use provenant_formats::purl::parse_purl;
    match (parse_purl(a), parse_purl(b)) {
        (Ok(a), Ok(b)) => a.identity() == b.identity() && a.version == b.version,
        _ => false,
    }
}

fn shown_list(names: &[String]) -> String {
    if names.is_empty() {
        "no subject naming the tarball".into()
    } else {
        names.join(", ")
    }
}

/// npm retired a registry key at its expiry: a publish attestation counts only when its verified
/// signing time is before the expiry of the key that verified it.
fn npm_key_in_use(
    v: &provenant_verify::VerifiedSignature,
    keys: &[provenant_verify::NpmRegistryKey],
    r: &EvidenceRef,
    checks: &mut Vec<Check>,
) -> bool {
    let provenant_model::SignerClaim::Key { key, .. } = &v.signer else {
        return false;
    };
    let Some(k) = keys.iter().find(|k| k.key.location() == key) else {
        return false;
    };
    match v.signing_time {
        _ if k.expires.is_none() => true,
        Some(t) if k.in_use_at(t) => true,
        t => {
            let expires = k.expires.unwrap_or("(never)");
            checks.push(Check::fail(
                CheckCode::NpmRegistryKeyExpired,
                match t {
                    Some(t) => format!(
                        "signed at unix time {t}, after npm retired {} on {expires}",
                        k.keyid
                    ),
                    None => format!(
                        "no verified signing time, and npm retired {} on {expires}",
                        k.keyid
                    ),
                },
                vec![r.clone()],
            ));
            false
        }
    }
}

/// `--package-name` / `--package-version` against the publish attestation's predicate and its
/// subject's package URL.
fn npm_package_matches(
    v: &provenant_verify::VerifiedSignature,
    inputs: &ArtifactInputs,
    r: &EvidenceRef,
    checks: &mut Vec<Check>,
) -> bool {
    let policy = &inputs.policy;
    if policy.package_name.is_none() && policy.package_version.is_none() {
        return true;
    }
    let Some(st) = &v.statement else {
        return false;
    };
    let field = |k: &str| st.predicate.get(k).and_then(serde_json::Value::as_str);
    let (name, version) = (field("name"), field("version"));
    let mut problems = Vec::new();
    if let Some(want) = &policy.package_name {
        if name != Some(want.as_str()) {
            problems.push(format!(
                "name {:?}, expected {want:?}",
                name.unwrap_or("(none)")
            ));
        }
    }
    if let Some(want) = &policy.package_version {
        if version != Some(want.as_str()) {
            problems.push(format!(
                "version {:?}, expected {want:?}",
                version.unwrap_or("(none)")
            ));
        }
    }
    // The subject that carries the tarball digest must be this package's URL.
    if let (Some(n), Some(ver)) = (name, version) {
        let purl = provenant_formats::npm_attestations::npm_purl(n, ver);
        if !st.subjects.iter().any(|s| s.name == purl) {
            problems.push(format!("no subject is named {purl}"));
        }
    }
    if problems.is_empty() {
        checks.push(Check::pass(
            CheckCode::PackageMatches,
            format!(
                "publish attestation names {}@{}",
                name.unwrap_or_default(),
                version.unwrap_or_default()
            ),
            vec![r.clone()],
        ));
        true
    } else {
        checks.push(Check::fail(
            CheckCode::PackageMismatch,
            format!("publish attestation: {}", problems.join("; ")),
            vec![r.clone()],
        ));
        false
    }
}

/// One Google Cloud Build provenance entry: keyid-bound signature, then the statement must name
/// the artifact, then the policy.
fn gcb_item(
    env: &Result<provenant_formats::dsse::Envelope, provenant_formats::dsse::DsseError>,
    evref: &EvidenceRef,
    inputs: &ArtifactInputs,
) -> Item {
    let env = match env {
        Ok(e) => e,
        Err(e) => {
            return Item::failed(
                CheckCode::EvidenceUnreadable,
                format!("Cloud Build provenance entry: {e}"),
                evref.clone(),
            );
        }
    };
    let SignerPolicy::Keys(keys) = &inputs.signer else {
        return Item::failed(
            CheckCode::KeyUnsupported,
            "Google Cloud Build provenance is signed by Google's KMS keys: give them with --key (e.g. --key us-west2.key --key global-pae-provenanceSigner_1.key)",
            evref.clone(),
        );
    };
    let (checks, key) = provenant_verify::verify_gcb_envelope(env, keys, evref);
    keyed_envelope_item(env, checks, key, keys, evref, inputs, false)
}

/// A key-signed envelope whose signature check produced `checks` (and, when it verified, the
/// indices of the keys that signed): bind its statement to the artifact, record the claim and
/// its provenance, then apply the source policy. `unlogged`: the evidence kind carries no log
/// entry or timestamp, and is held to [`unlogged`] (Cloud Build's KMS-signed provenance is not).
fn keyed_envelope_item(
    env: &provenant_formats::dsse::Envelope,
    mut checks: Vec<Check>,
    signed_by: Option<Verified<Vec<usize>>>,
    keys: &[PublicKey],
    evref: &EvidenceRef,
    inputs: &ArtifactInputs,
    unlogged: bool,
) -> Item {
    let mut statement = None;
    let mut predicate_type = None;
    let mut signers = None;
    let mut time_check = None;
    let mut attested = None;
    if let Some(proof) = signed_by {
        let (c, bound, st) = bind_envelope(env, &inputs.subject.digests, evref);
        checks.extend(c);
        predicate_type = st.as_ref().map(|s| s.predicate_type.clone());
        if bound {
            statement = st;
            attested = signed_statement(env, &proof).ok();
            signers = Some(proof.get().iter().map(|i| &keys[*i]).collect());
            if unlogged {
                time_check = Some(self::unlogged(evref, inputs));
            }
        }
    }
    let mut claim = key_claim(
        evref,
        "dsse",
        Some(env.payload_type.clone()),
        predicate_type,
        signers,
    );
    claim.provenance = statement
        .as_ref()
        .and_then(provenant_formats::slsa::provenance_of);
    if statement.is_some() {
        claim.signed_payload = Some(env.payload.clone());
    }
    let mut item = Item::checked(checks, claim, statement.as_ref(), inputs, evref);
    item.apply_policy(time_check.into_iter().collect());
    item.statements
        .extend(attested.map(|statement| AttestedStatement {
            location: evref.location.clone(),
            statement,
        }));
    item
}

/// A key-verified envelope proves something about the artifact only if its statement names it.
fn bind_envelope(
    env: &provenant_formats::dsse::Envelope,
    digests: &[provenant_model::Digest],
    evref: &EvidenceRef,
) -> (Vec<Check>, bool, Option<Statement>) {
    use provenant_formats::dsse::IN_TOTO_PAYLOAD_TYPE;
    use provenant_formats::intoto::{parse_statement, StatementError};
    use provenant_formats::json::JsonError;
    let ev = || vec![evref.clone()];
    if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return (
            vec![Check::fail(
                CheckCode::PayloadTypeUnexpected,
                format!("payloadType {:?}: only in-toto statements ({IN_TOTO_PAYLOAD_TYPE}) bind an artifact", env.payload_type),
                ev(),
            )],
            false,
            None,
        );
    }
    match parse_statement(&env.payload) {
        Err(StatementError::Json(JsonError::DuplicateKey(k))) => (
            vec![Check::fail(
                CheckCode::PayloadDuplicateKeys,
                format!("the signed statement repeats the key {k:?}"),
                ev(),
            )],
            false,
            None,
        ),
        Err(e) => (
            vec![Check::fail(
                CheckCode::PayloadMalformed,
                e.to_string(),
                ev(),
            )],
            false,
            None,
        ),
        Ok(s) => match provenant_verify::bind_subject(&s, digests) {
            Ok(b) => {
                let mut checks = vec![Check::pass(
                    CheckCode::ArtifactDigestMatches,
                    format!("statement subject names {}", b.digest),
                    ev(),
                )];
                if let Some(w) = b.unchecked {
                    checks.push(Check::warn(CheckCode::SubjectDigestUnchecked, w, ev()));
                }
                (checks, true, Some(s))
            }
            Err((code, reason)) => (vec![Check::fail(code, reason, ev())], false, Some(s)),
        },
    }
}

/// Signed provenance (cryptographically valid, whatever the policy said of it) must tell one
/// story: two statements naming different source commits or repositories are ambiguous.
fn provenance_conflicts(items: &[Item]) -> Vec<Check> {
    let provs: Vec<(&EvidenceRef, &provenant_model::ProvenanceClaim)> = items
        .iter()
        .flat_map(|i| i.claims.iter())
        .filter_map(|c| c.provenance.as_ref().map(|p| (&c.evidence, p)))
        .collect();
    let mut out = Vec::new();
    for (what, get) in [
        (
            "source commit",
            (|p: &provenant_model::ProvenanceClaim| p.source_commit.clone()) as fn(&_) -> _,
        ),
        ("source repository", |p| {
            p.source_repository
                .as_deref()
                .map(provenant_policy::normalize_repo)
        }),
    ] {
        let mut seen: Vec<(String, &EvidenceRef)> = Vec::new();
        for (ev, p) in &provs {
            if let Some(v) = get(p) {
                if !seen.iter().any(|(s, _)| s.eq_ignore_ascii_case(&v)) {
                    seen.push((v, ev));
                }
            }
        }
        if seen.len() > 1 {
            let list: Vec<String> = seen
                .iter()
                .map(|(v, e)| format!("{v} ({})", e.location))
                .collect();
            out.push(Check::fail(
                CheckCode::ProvenanceConflict,
                format!(
                    "signed provenance names {} different {what}s: {}",
                    seen.len(),
                    list.join(", ")
                ),
                seen.iter().map(|(_, e)| (*e).clone()).collect(),
            ));
        }
    }
    out
}

/// Key-signed evidence outside a bundle has no log entry and no timestamp.
/// A cosign simple-signing signature: the signature must verify over the payload (with a
/// trusted key, or keylessly through its certificate and Rekor entry), and the payload must name
/// the image's digest.
fn cosign_item(
    sig: &crate::evidence::CosignSignature,
    evref: &EvidenceRef,
    inputs: &ArtifactInputs,
    trust: &TrustRoot,
    root_ref: &EvidenceRef,
) -> Item {
    let simple = match &sig.simple {
        Ok(s) => s,
        Err(e) => {
            return Item::failed(
                CheckCode::PayloadMalformed,
                format!(
                    "{}: not a cosign image signature payload: {e}",
                    evref.location
                ),
                evref.clone(),
            )
        }
    };
    let digests = &inputs.subject.digests;
    let bound = digests.contains(&simple.manifest_digest);
    let binding = if bound {
        Check::pass(
            CheckCode::ArtifactDigestMatches,
            format!(
                "the signed payload names the image {} ({})",
                simple.manifest_digest,
                if simple.docker_reference.is_empty() {
                    "no repository named"
                } else {
                    &simple.docker_reference
                }
            ),
            vec![evref.clone()],
        )
    } else {
        Check::fail(
            CheckCode::ArtifactDigestMismatch,
            format!(
                "the signature is for image {}, not {}: it was copied from another image",
                simple.manifest_digest,
                digests.first().map(ToString::to_string).unwrap_or_default()
            ),
            vec![evref.clone()],
        )
    };
    match &inputs.signer {
        SignerPolicy::Keys(keys) => {
            let Some(raw) = &sig.signature else {
                return Item::failed(
                    CheckCode::SignatureInvalid,
                    "the layer has no dev.cosignproject.cosign/signature annotation",
                    evref.clone(),
                );
            };
            let signer = keys.iter().position(|k| k.verifies(&sig.payload, raw));
            let mut checks = vec![match signer {
                Some(i) => Check::pass(
                    CheckCode::SignatureValid,
                    format!("signature over the payload verified with {}", keys[i].location()),
                    vec![evref.clone()],
                ),
                None => Check::fail(
                    CheckCode::SignatureInvalid,
                    format!(
                        "the signature does not verify over the payload with any of the {} trusted key(s)",
                        keys.len()
                    ),
                    vec![evref.clone()],
                ),
            }];
            let ok = signer.is_some() && bound;
            if signer.is_some() {
                checks.push(binding);
            }
            let claim = key_claim(
                evref,
                "cosign-simple-signing",
                Some(provenant_formats::oci::COSIGN_SIMPLE_SIGNING.into()),
                None,
                signer.filter(|_| ok).map(|i| vec![&keys[i]]),
            );
            let mut item = Item::checked(checks, claim, None, inputs, evref);
            if ok {
                item.apply_policy(vec![unlogged(evref, inputs)]);
            }
            item
        }
        SignerPolicy::Keyless(_) => {
            let b = match &sig.bundle {
                None => {
                    return Item::failed(
                        CheckCode::KeyUnsupported,
                        "the cosign signature carries no certificate: it was signed with a key; verify it with --key",
                        evref.clone(),
                    )
                }
                Some(Err(e)) => {
                    return Item::failed(
                        CheckCode::BundleMalformed,
                        format!("{}: {e}", evref.location),
                        evref.clone(),
                    )
                }
                Some(Ok(b)) => b,
            };
            let mut out = verify_bundle(
                b,
                evref,
                std::slice::from_ref(&sig.payload_sha256),
                trust,
                &inputs.signer,
            );
            for c in &mut out.checks {
                if matches!(
                    c.code,
                    CheckCode::CertificateChainValid | CheckCode::TlogInclusionVerified
                ) {
                    c.evidence.push(root_ref.clone());
                }
            }
            let verified = out.verified.map(|v| v.get().clone());
            let mut item = Item {
                statements: vec![],
                verified: verified.is_some() && bound,
                checks: out.checks,
                claims: vec![out.claim],
            };
            item.checks.push(binding);
            for c in &mut item.claims {
                c.verified = item.verified;
                c.content = "cosign-simple-signing".into();
            }
            if let Some(v) = &verified {
                item.apply_policy(evaluate(&inputs.policy, &v.signer, None, evref));
            }
            item
        }
    }
}

/// Key-signed evidence without a verified transparency-log entry or trusted timestamp: when it
/// was signed cannot be established, so a leaked (or retired) key's signatures pass forever.
/// cosign v2 refuses it unless `--insecure-ignore-tlog`; so does provenant. Google Cloud Build
/// provenance (KMS-signed, verified by key alone by gcloud and slsa-verifier), VSAs
/// (slsa-verifier `verify-vsa`) and in-toto layouts and links are key-signed by design and are
/// not held to this.
fn unlogged(evref: &EvidenceRef, inputs: &ArtifactInputs) -> Check {
    if inputs.insecure_ignore_tlog {
        Check::warn(
            CheckCode::TlogEntryMissing,
            "key-signed evidence without a transparency-log entry or timestamp, accepted because of --insecure-ignore-tlog: when it was signed cannot be established (a leaked key's signatures cannot be dated)",
            vec![evref.clone()],
        )
    } else {
        Check::fail(
            CheckCode::TlogEntryMissing,
            "key-signed evidence without a verified transparency-log entry or trusted timestamp: when it was signed cannot be established, so a leaked key's signatures would pass forever; verify a Sigstore bundle that carries its log entry (cosign sign-blob --bundle, cosign attest), or accept the risk explicitly with --insecure-ignore-tlog (policy: insecureIgnoreTlog: true)",
            vec![evref.clone()],
        )
    }
}

/// The opt-outs this run uses: one warning each, and the report's record of the risk taken.
fn opt_outs(inputs: &ArtifactInputs, root_ref: &EvidenceRef) -> (Vec<Check>, Vec<OptOut>) {
    let mut checks = Vec::new();
    let mut outs = Vec::new();
    if inputs.insecure_ignore_tlog {
        let risk = "key-signed evidence is accepted without a verified transparency-log entry or trusted timestamp: when it was signed is not established, and a leaked key's signatures cannot be told from genuine ones";
        checks.push(Check::warn(
            CheckCode::OptOutUsed,
            format!("--insecure-ignore-tlog (or policy insecureIgnoreTlog): {risk}"),
            vec![EvidenceRef::new(
                EvidenceKind::Flag,
                "--insecure-ignore-tlog",
            )],
        ));
        outs.push(OptOut {
            name: "insecure-ignore-tlog".into(),
            risk: risk.into(),
        });
    }
    if let SignerPolicy::Keyless(p) = &inputs.signer {
        if let Some(m) = p.issuer.as_ref().filter(|m| m.accepts_any()) {
            let risk = "a keyless signature from any OIDC issuer is accepted: the same e-mail or URI identity issued by another provider passes";
            checks.push(Check::warn(
                CheckCode::OptOutUsed,
                format!(
                    "--certificate-oidc-issuer-regexp {} (or policy issuerRegexp): {risk}",
                    m.describe()
                ),
                vec![
                    EvidenceRef::new(EvidenceKind::Flag, "--certificate-oidc-issuer-regexp"),
                    root_ref.clone(),
                ],
            ));
            outs.push(OptOut {
                name: "certificate-oidc-issuer-regexp".into(),
                risk: risk.into(),
            });
        }
    }
    (checks, outs)
}

fn bundle_error_check(e: &BundleError, r: &EvidenceRef) -> Check {
    let code = match e {
        BundleError::Json(_) => CheckCode::EvidenceUnreadable,
        _ => CheckCode::BundleMalformed,
    };
    Check::fail(code, e.to_string(), vec![r.clone()])
}

#[cfg(test)]
mod tests {
    use super::same_package;

    #[test]
    fn npm_packages_pair_by_decoded_package_url() {
        assert!(same_package(
            "pkg:npm/%40scope/app@1.0.0",
            "pkg:npm/%40scope/app@1.0.0"
        ));
        assert!(same_package("pkg:npm/app@1.0.0", "pkg:npm/app@1.0.0"));
        assert!(!same_package("pkg:npm/app@1.0.0", "pkg:npm/app@1.0.1"));
        assert!(!same_package("pkg:npm/app@1.0.0", "pkg:npm/app-evil@1.0.0"));
        assert!(!same_package(
            "pkg:npm/%40scope/app@1.0.0",
            "pkg:npm/%40other/app@1.0.0"
        ));
        assert!(!same_package("pkg:npm/app@1.0.0", "pkg:pypi/app@1.0.0"));
        assert!(!same_package("not a purl", "not a purl"));
    }
}
