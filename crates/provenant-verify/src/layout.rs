//! Classic in-toto supply-chain layouts (specification v0.9), verified as in-toto-golang and the
//! in-toto reference implementation verify them — except that inspections are never executed.
//!
//! The order follows `in-toto-verify`: the layout's signatures (every layout key must have signed),
//! its expiry, the links of every step (named `<step>.<keyid[..8]>.link`, signed by the functionary
//! key they are named for, at least `threshold` distinct functionaries, all recording the same
//! artifacts), the command each link records (a warning only), the artifact rules of every step,
//! and the inspections. Provenant never runs an inspection's command: each inspection is reported
//! as not run (a warning), and only its material rules are evaluated, against the artifacts being
//! verified (a stand-in for the files in the verifier's working directory, so a DISALLOW there
//! proves less than in in-toto). Rules that need what only running an inspection would tell (an
//! inspection's products, a MATCH against an inspection) are not evaluated, and a step with such a
//! rule is not reported verified. Finally each artifact is bound to the product of a verified step
//! that records it.
//!
//! Every problem is a failed [`Check`] with its own code; verification goes on after a failure
//! where what follows can still be evaluated soundly, so one run reports every problem. Nothing is
//! claimed about a layout whose signatures did not verify.
//!
//! Not supported, and reported as such: sublayouts (a link that is itself a layout fails with
//! `layout-unsupported`), links signed with certificates under a step's `cert_constraints`
//! (warned about, never counted), parameter substitution (`{param}` stays literal, as in in-toto
//! without parameters) and GPG keys (a `keys` entry of another type fails as malformed).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use aws_lc_rs::signature::{self as sig, RsaParameters, RsaPssSaltLength, VerificationAlgorithm};
use jiff::Timestamp;
use provenant_formats::layout::{
    parse_layout, parse_link, parse_metadata, ArtifactRule, ArtifactSet, Artifacts, Container,
    Layout, LayoutKey, Link, RuleKind, SignedMetadata, Step, LAYOUT_TYPE, LINK_TYPE,
    MAX_LINK_FILES,
};
use provenant_model::{Check, CheckCode, Digest, EvidenceKind, EvidenceRef};
use sigstore_verify::types::DerPublicKey;

use crate::keys::{KeyMaterial, PublicKey};

/// What [`verify_layout`] needs: bytes and typed values only, no paths to read.
#[derive(Debug, Clone, Copy)]
pub struct LayoutInput<'a> {
    /// The layout: a metablock `{signed, signatures}` or a DSSE envelope of
    /// `application/vnd.in-toto+json`.
    pub layout: &'a [u8],
    /// Where the layout came from (for reports).
    pub layout_location: &'a str,
    /// The layout owners' keys. Every one must have signed the layout; none given is a failure.
    pub layout_keys: &'a [PublicKey],
    /// Every `*.link` file of the links directory: (file name, bytes). At most
    /// [`MAX_LINK_FILES`]; links are found by name, `<step>.<keyid[..8]>.link`.
    pub links: &'a [(String, Vec<u8>)],
    /// The files being verified: (name as in-toto records it, usually the base name; digest).
    pub artifacts: &'a [(String, Digest)],
    /// The verification time (the layout must not have expired by then).
    pub now: Timestamp,
}

/// Verify an in-toto layout, its links and the artifacts against it.
///
/// Pure: the caller reads the files. Returns one check per finding (see `docs/checks.md`, group
/// `layout`); the layout verified only if none failed, and it is fully verified only if no
/// `layout-inspection-not-run` warning is among them.
pub fn verify_layout(input: &LayoutInput<'_>) -> Vec<Check> {
    let mut run = Run {
        input,
        layout_ref: EvidenceRef::new(EvidenceKind::SignatureFile, input.layout_location),
        checks: Vec::new(),
    };
    run.verify();
    run.checks
}

struct Run<'i, 'a> {
    input: &'i LayoutInput<'a>,
    layout_ref: EvidenceRef,
    checks: Vec<Check>,
}

/// A functionary key from the layout, with the algorithms its declared scheme allows.
struct FunctionaryKey {
    spki: Vec<u8>,
    /// What tells two functionaries apart: the key material, not its encoding.
    material: KeyMaterial,
    algorithms: &'static [&'static dyn VerificationAlgorithm],
}

impl FunctionaryKey {
    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.algorithms.iter().any(|alg| {
            sig::UnparsedPublicKey::new(*alg, &self.spki)
                .verify(message, signature)
                .is_ok()
        })
    }
}

/// A link whose signature verified with an authorised functionary key of its step.
struct VerifiedLink {
    keyid: String,
    material: KeyMaterial,
    link: Link,
    evidence: EvidenceRef,
}

struct StepLinks {
    links: Vec<VerifiedLink>,
    threshold_met: bool,
    agree: bool,
}

fn evidence_kind(container: Container) -> EvidenceKind {
    match container {
        Container::Dsse => EvidenceKind::DsseEnvelope,
        Container::Metablock => EvidenceKind::SignatureFile,
    }
}

/// At most `max` characters of `s`, control characters blanked, for one-line reasons.
fn clip(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

fn short_id(keyid: &str) -> String {
    keyid
        .chars()
        .take(8)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn list(items: &[&str], max: usize) -> String {
    let mut out = items
        .iter()
        .take(max)
        .map(|s| clip(s, 200))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        let _ = write!(out, " and {} more", items.len() - max);
    }
    out
}

impl Run<'_, '_> {
    fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    fn layout_fail(&mut self, code: CheckCode, reason: String) {
        let ev = vec![self.layout_ref.clone()];
        self.push(Check::fail(code, reason, ev));
    }

    fn verify(&mut self) {
        let loc = clip(self.input.layout_location, 300);
        let meta = match parse_metadata(self.input.layout) {
            Ok(m) => m,
            Err(e) => {
                self.layout_fail(
                    CheckCode::LayoutMalformed,
                    format!(
                        "{loc} is not in-toto metadata: {}",
                        clip(&e.to_string(), 300)
                    ),
                );
                return;
            }
        };
        self.layout_ref =
            EvidenceRef::new(evidence_kind(meta.container), self.input.layout_location);
        if meta.type_name() != Some(LAYOUT_TYPE) {
            self.layout_fail(
                CheckCode::LayoutMalformed,
                format!(
                    "{loc} is not a layout (_type {:?})",
                    clip(meta.type_name().unwrap_or(""), 40)
                ),
            );
            return;
        }
        if !self.layout_signatures(&meta, &loc) {
            // Nothing an unauthenticated layout says is reported as a finding.
            return;
        }
        let layout = match parse_layout(&meta.body) {
            Ok(l) => l,
            Err(e) => {
                self.layout_fail(
                    CheckCode::LayoutMalformed,
                    format!("{loc}: {}", clip(&e.to_string(), 300)),
                );
                return;
            }
        };
        self.expiry(&layout.expires, &loc);
        if self.input.links.len() > MAX_LINK_FILES {
            self.layout_fail(
                CheckCode::LayoutMalformed,
                format!(
                    "{} link files given; at most {MAX_LINK_FILES} are read",
                    self.input.links.len()
                ),
            );
            return;
        }
        let keys = self.functionary_keys(&layout, &loc);
        let mut steps: BTreeMap<&str, StepLinks> = BTreeMap::new();
        for step in &layout.steps {
            let links = self.step_links(step, &keys);
            steps.insert(step.name.as_str(), links);
        }
        // MATCH rules may name any step, earlier or later, so every step's links come first.
        let reduced: BTreeMap<String, Link> = steps
            .iter()
            .filter(|(_, s)| s.threshold_met)
            .filter_map(|(name, s)| {
                s.links
                    .first()
                    .map(|l| ((*name).to_owned(), l.link.clone()))
            })
            .collect();
        let destinations = Destinations {
            links: &reduced,
            inspections: layout.inspections.iter().map(|i| i.name.as_str()).collect(),
        };
        for step in &layout.steps {
            if let Some(links) = steps.get(step.name.as_str()) {
                self.step_rules(step, links, &destinations);
            }
        }
        self.inspections(&layout, &destinations, &loc);
        self.bind_artifacts(&layout, &steps);
    }

    fn layout_signatures(&mut self, meta: &SignedMetadata, loc: &str) -> bool {
        let keys = self.input.layout_keys;
        let mut ev = vec![self.layout_ref.clone()];
        ev.extend(
            keys.iter()
                .map(|k| EvidenceRef::new(EvidenceKind::PublicKey, k.location())),
        );
        if keys.is_empty() {
            self.push(Check::fail(
                CheckCode::LayoutSignatureInvalid,
                format!("no layout key was given for {loc}: a layout is trusted only through its owners' keys"),
                ev,
            ));
            return false;
        }
        if meta.signatures.is_empty() {
            self.push(Check::fail(
                CheckCode::LayoutSignatureInvalid,
                format!("{loc} is unsigned"),
                ev,
            ));
            return false;
        }
        // Key ids in the file are hints: every signature is tried against every key.
        let missing: Vec<&str> = keys
            .iter()
            .filter(|k| {
                !meta
                    .signatures
                    .iter()
                    .any(|s| layout_key_verifies(k, &meta.signed_bytes, &s.sig))
            })
            .map(PublicKey::location)
            .collect();
        if missing.is_empty() {
            let names: Vec<&str> = keys.iter().map(PublicKey::location).collect();
            self.push(Check::pass(
                CheckCode::LayoutSignatureValid,
                format!("{loc} is signed by every layout key ({})", list(&names, 8)),
                ev,
            ));
            true
        } else {
            self.push(Check::fail(
                CheckCode::LayoutSignatureInvalid,
                format!(
                    "{loc} carries no valid signature by layout key {} (of {} signature(s))",
                    list(&missing, 8),
                    meta.signatures.len()
                ),
                ev,
            ));
            false
        }
    }

    fn expiry(&mut self, expires: &str, loc: &str) {
        let ev = vec![self.layout_ref.clone()];
        let check = match expires.parse::<Timestamp>() {
            // in-toto: expired only once the expiry lies in the past.
            Ok(t) if self.input.now <= t => Check::pass(
                CheckCode::LayoutCurrent,
                format!("{loc} expires {t}, after the verification time"),
                ev,
            ),
            Ok(t) => Check::fail(CheckCode::LayoutExpired, format!("{loc} expired {t}"), ev),
            Err(_) => Check::fail(
                CheckCode::LayoutExpired,
                format!(
                    "{loc} has an unreadable expiry {:?} (expected RFC 3339)",
                    clip(expires, 60)
                ),
                ev,
            ),
        };
        self.push(check);
    }

    /// The functionary keys the layout defines; each one that cannot be used is a failure.
    fn functionary_keys(&mut self, layout: &Layout, loc: &str) -> BTreeMap<String, FunctionaryKey> {
        let mut out = BTreeMap::new();
        for (keyid, key) in &layout.keys {
            match functionary_key(key) {
                Ok(k) => {
                    out.insert(keyid.clone(), k);
                }
                Err(why) => self.layout_fail(
                    CheckCode::LayoutMalformed,
                    format!(
                        "{loc}: functionary key {} ({} / {}) cannot be used: {why}",
                        short_id(keyid),
                        clip(&key.keytype, 40),
                        clip(&key.scheme, 40)
                    ),
                ),
            }
        }
        out
    }

    /// Find, verify and count the links of one step.
    fn step_links(&mut self, step: &Step, keys: &BTreeMap<String, FunctionaryKey>) -> StepLinks {
        let name = clip(&step.name, 200);
        let prefix = format!("{}.", step.name);
        let mut links: Vec<VerifiedLink> = Vec::new();
        let mut named_for_functionaries = 0usize;
        let mut named_for_others = 0usize;
        let mut same_key_again = 0usize;
        let layout_ref = self.layout_ref.clone();
        let mut ev = vec![layout_ref.clone()];
        for (file, bytes) in self.input.links {
            let Some(short) = file
                .strip_prefix(prefix.as_str())
                .and_then(|rest| rest.strip_suffix(".link"))
            else {
                continue;
            };
            if short.chars().count() != 8 {
                continue;
            }
            let file_ref = |container| EvidenceRef::new(evidence_kind(container), file.as_str());
            let candidates: BTreeSet<&String> = step
                .pubkeys
                .iter()
                .filter(|k| k.get(..8) == Some(short))
                .collect();
            if candidates.is_empty() {
                let cert_signed = step.cert_constraints > 0
                    && parse_metadata(bytes)
                        .is_ok_and(|m| m.signatures.iter().any(|s| s.cert.is_some()));
                if cert_signed {
                    self.push(Check::warn(
                        CheckCode::LayoutUnsupported,
                        format!(
                            "link {} for step {name} is signed with a certificate; provenant does not verify certificate constraints, so it does not count toward the threshold",
                            clip(file, 200)
                        ),
                        vec![self.layout_ref.clone(), file_ref(Container::Metablock)],
                    ));
                } else {
                    named_for_others += 1;
                }
                continue;
            }
            named_for_functionaries += 1;
            let fail = |code, reason: String, container| {
                Check::fail(code, reason, vec![layout_ref.clone(), file_ref(container)])
            };
            let meta = match parse_metadata(bytes) {
                Ok(m) => m,
                Err(e) => {
                    let c = fail(
                        CheckCode::LayoutMalformed,
                        format!(
                            "link {} for step {name}: {}",
                            clip(file, 200),
                            clip(&e.to_string(), 300)
                        ),
                        Container::Metablock,
                    );
                    self.push(c);
                    continue;
                }
            };
            let container = meta.container;
            match meta.type_name() {
                Some(LINK_TYPE) => {}
                Some(LAYOUT_TYPE) => {
                    let c = fail(
                        CheckCode::LayoutUnsupported,
                        format!(
                            "{} for step {name} is a sublayout; provenant does not verify sublayouts, so the step is not verified",
                            clip(file, 200)
                        ),
                        container,
                    );
                    self.push(c);
                    continue;
                }
                other => {
                    let c = fail(
                        CheckCode::LayoutMalformed,
                        format!(
                            "{} is not a link (_type {:?})",
                            clip(file, 200),
                            clip(other.unwrap_or(""), 40)
                        ),
                        container,
                    );
                    self.push(c);
                    continue;
                }
            }
            let signer = candidates.iter().find(|keyid| {
                keys.get(keyid.as_str()).is_some_and(|k| {
                    meta.signatures
                        .iter()
                        .any(|s| k.verifies(&meta.signed_bytes, &s.sig))
                })
            });
            let Some(keyid) = signer else {
                let c = fail(
                    CheckCode::LayoutLinkSignatureInvalid,
                    format!(
                        "link {} for step {name} is not validly signed by functionary key {}…, the key it is named for",
                        clip(file, 200),
                        short_id(short)
                    ),
                    container,
                );
                self.push(c);
                continue;
            };
            let link = match parse_link(&meta.body) {
                Ok(l) => l,
                Err(e) => {
                    let c = fail(
                        CheckCode::LayoutMalformed,
                        format!("link {}: {}", clip(file, 200), clip(&e.to_string(), 300)),
                        container,
                    );
                    self.push(c);
                    continue;
                }
            };
            if link.name != step.name {
                let c = fail(
                    CheckCode::LayoutMalformed,
                    format!(
                        "link {} is signed for step {:?}, not for step {name}; it does not count",
                        clip(file, 200),
                        clip(&link.name, 200)
                    ),
                    container,
                );
                self.push(c);
                continue;
            }
            let Some(key) = keys.get(keyid.as_str()) else {
                continue;
            };
            // The same key under two key ids (or in two encodings) is one functionary.
            if links.iter().any(|l| l.material == key.material) {
                same_key_again += 1;
                continue;
            }
            links.push(VerifiedLink {
                keyid: (*keyid).clone(),
                material: key.material.clone(),
                link,
                evidence: file_ref(container),
            });
        }
        ev.extend(links.iter().map(|l| l.evidence.clone()));
        let threshold_met = links.len() >= step.threshold;
        if !threshold_met {
            let mut reason = format!(
                "step {name} needs valid links by {} distinct functionar{}; {} verified among {named_for_functionaries} link file(s) named for its functionaries",
                step.threshold,
                if step.threshold == 1 { "y" } else { "ies" },
                links.len()
            );
            if same_key_again > 0 {
                let _ = write!(
                    reason,
                    "; {same_key_again} more signed by a key already counted (listed under another key id)"
                );
            }
            if named_for_others > 0 {
                let _ = write!(
                    reason,
                    "; {named_for_others} more named for keys the step does not authorise"
                );
            }
            self.push(Check::fail(
                CheckCode::LayoutLinkMissing,
                reason,
                ev.clone(),
            ));
        }
        let mut agree = true;
        if let Some((first, rest)) = links.split_first() {
            if let Some(other) = rest.iter().find(|l| {
                l.link.materials != first.link.materials || l.link.products != first.link.products
            }) {
                agree = false;
                self.push(Check::fail(
                    CheckCode::LayoutLinksDisagree,
                    format!(
                        "links {} and {} of step {name} record different materials or products",
                        clip(&first.evidence.location, 200),
                        clip(&other.evidence.location, 200)
                    ),
                    ev.clone(),
                ));
            }
        }
        for l in &links {
            if l.link.command != step.expected_command {
                self.push(Check::warn(
                    CheckCode::LayoutCommandMismatch,
                    format!(
                        "link {} of step {name} ran {:?}; the layout expects {:?}",
                        clip(&l.evidence.location, 200),
                        clip(&l.link.command.join(" "), 200),
                        clip(&step.expected_command.join(" "), 200)
                    ),
                    vec![self.layout_ref.clone(), l.evidence.clone()],
                ));
            }
        }
        StepLinks {
            links,
            threshold_met,
            agree,
        }
    }

    fn step_rules(&mut self, step: &Step, links: &StepLinks, destinations: &Destinations<'_>) {
        let Some(link) = destinations.links.get(&step.name) else {
            return;
        };
        let name = clip(&step.name, 200);
        let mut ev = vec![self.layout_ref.clone()];
        ev.extend(links.links.iter().map(|l| l.evidence.clone()));
        let changes = Changes::of(link);
        let mut hold = true;
        for (side, rules, artifacts) in [
            ("materials", &step.expected_materials, &link.materials),
            ("products", &step.expected_products, &link.products),
        ] {
            match apply_rules(rules, artifacts, Some(&changes), destinations) {
                RuleOutcome::Hold => {}
                RuleOutcome::Violated { rule, detail } => {
                    hold = false;
                    self.push(Check::fail(
                        CheckCode::LayoutRuleViolated,
                        format!("step {name}, {side}: rule [{}] {detail}", clip(&rule, 200)),
                        ev.clone(),
                    ));
                }
                RuleOutcome::Unevaluated { index, why } => {
                    hold = false;
                    self.push(Check::warn(
                        CheckCode::LayoutInspectionNotRun,
                        format!(
                            "step {name}, {side}: rule {} and those after it were not evaluated: {why}; the step is not verified",
                            index + 1
                        ),
                        ev.clone(),
                    ));
                }
            }
        }
        if hold && links.agree && links.threshold_met {
            let ids: Vec<String> = links.links.iter().map(|l| short_id(&l.keyid)).collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            self.push(Check::pass(
                CheckCode::LayoutStepVerified,
                format!(
                    "step {name}: links by {} functionar{} ({}) verified, threshold {}; its artifact rules hold",
                    links.links.len(),
                    if links.links.len() == 1 { "y" } else { "ies" },
                    list(&ids, 8),
                    step.threshold
                ),
                ev,
            ));
        }
    }

    fn inspections(&mut self, layout: &Layout, destinations: &Destinations<'_>, loc: &str) {
        // What the verifier's working directory would hold: the artifacts being verified.
        let mut present = Artifacts::new();
        for (name, digest) in self.input.artifacts {
            present.entry(name.clone()).or_default().insert(
                digest.algorithm().name().to_owned(),
                digest.hex().to_owned(),
            );
        }
        let mut ev = vec![self.layout_ref.clone()];
        ev.extend(self.artifact_refs());
        for inspection in &layout.inspections {
            let name = clip(&inspection.name, 200);
            let mut reason = format!(
                "inspection {name} (run: {:?}) was not executed: provenant never runs inspection commands, so {loc} is not fully verified; its expected_products were not evaluated",
                clip(&inspection.run.join(" "), 200)
            );
            if present.is_empty() {
                reason
                    .push_str("; no artifacts were given, so neither were its expected_materials");
            } else {
                match apply_rules(&inspection.expected_materials, &present, None, destinations) {
                    RuleOutcome::Hold => {
                        reason.push_str("; its expected_materials hold for the artifacts given");
                    }
                    RuleOutcome::Unevaluated { index, why } => {
                        let _ = write!(
                            reason,
                            "; its expected_materials hold for the artifacts given up to rule {}, which was not evaluated: {why}",
                            index + 1
                        );
                    }
                    RuleOutcome::Violated { rule, detail } => self.push(Check::fail(
                        CheckCode::LayoutRuleViolated,
                        format!(
                            "inspection {name}, materials (the artifacts given): rule [{}] {detail}",
                            clip(&rule, 200)
                        ),
                        ev.clone(),
                    )),
                }
            }
            self.push(Check::warn(
                CheckCode::LayoutInspectionNotRun,
                reason,
                vec![self.layout_ref.clone()],
            ));
        }
    }

    fn artifact_refs(&self) -> Vec<EvidenceRef> {
        self.input
            .artifacts
            .iter()
            .map(|(name, digest)| EvidenceRef::file(name.as_str()).with_digest(digest.clone()))
            .collect()
    }

    /// Each artifact against the products of the steps whose links verified.
    fn bind_artifacts(&mut self, layout: &Layout, steps: &BTreeMap<&str, StepLinks>) {
        for (name, digest) in self.input.artifacts {
            let alg = digest.algorithm().name();
            let art_ref = EvidenceRef::file(name.as_str()).with_digest(digest.clone());
            let mut bound: Option<(&str, &str, &EvidenceRef)> = None;
            let mut other: Option<(&str, &str, &EvidenceRef)> = None;
            'steps: for step in &layout.steps {
                let Some(links) = steps.get(step.name.as_str()).filter(|s| s.threshold_met) else {
                    continue;
                };
                let Some(first) = links.links.first() else {
                    continue;
                };
                for (path, hashes) in &first.link.products {
                    let base = path.rsplit('/').next().unwrap_or(path);
                    if path != name && base != name {
                        continue;
                    }
                    let same = hashes
                        .get(alg)
                        .is_some_and(|h| h.eq_ignore_ascii_case(digest.hex()));
                    if same {
                        bound = Some((step.name.as_str(), path.as_str(), &first.evidence));
                        break 'steps;
                    }
                    other.get_or_insert((step.name.as_str(), path.as_str(), &first.evidence));
                }
            }
            let shown = clip(name, 200);
            let check = match (bound, other) {
                (Some((step, path, link)), _) => Check::pass(
                    CheckCode::LayoutArtifactBound,
                    format!(
                        "{shown} ({digest}) is product {} of verified step {}",
                        clip(path, 200),
                        clip(step, 200)
                    ),
                    vec![art_ref, self.layout_ref.clone(), link.clone()],
                ),
                (None, Some((step, path, link))) => Check::fail(
                    CheckCode::LayoutArtifactMismatch,
                    format!(
                        "{shown} ({digest}) is recorded as product {} of step {} with another {alg} digest",
                        clip(path, 200),
                        clip(step, 200)
                    ),
                    vec![art_ref, self.layout_ref.clone(), link.clone()],
                ),
                (None, None) => Check::warn(
                    CheckCode::LayoutArtifactUnbound,
                    format!("no verified step of the layout records a product named {shown}"),
                    vec![art_ref, self.layout_ref.clone()],
                ),
            };
            self.push(check);
        }
    }
}

/// Whether a given layout key signed `message`: any scheme its type allows, and RSA-PSS with
/// the maximal salt too (Go's default; in-toto verifiers accept any salt length).
fn layout_key_verifies(key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
    key.verifies(message, signature)
        || (key.algorithm_name() == "rsa"
            && [&PSS_SHA256_MAX, &PSS_SHA384_MAX, &PSS_SHA512_MAX]
                .iter()
                .any(|alg| {
                    sig::UnparsedPublicKey::new(*alg, key.der().as_bytes())
                        .verify(message, signature)
                        .is_ok()
                }))
}

static PSS_SHA256_MAX: RsaParameters =
    sig::RSA_PSS_2048_8192_SHA256.with_pss_salt_length(RsaPssSaltLength::Max);
static PSS_SHA384_MAX: RsaParameters =
    sig::RSA_PSS_2048_8192_SHA384.with_pss_salt_length(RsaPssSaltLength::Max);
static PSS_SHA512_MAX: RsaParameters =
    sig::RSA_PSS_2048_8192_SHA512.with_pss_salt_length(RsaPssSaltLength::Max);

// Salt length = digest length is what securesystemslib and in-toto-golang sign with; the
// maximal salt is accepted as well because both reference verifiers accept any salt length.
static RSA_PSS_SHA256: [&dyn VerificationAlgorithm; 2] =
    [&sig::RSA_PSS_2048_8192_SHA256, &PSS_SHA256_MAX];
static RSA_PSS_SHA384: [&dyn VerificationAlgorithm; 2] =
    [&sig::RSA_PSS_2048_8192_SHA384, &PSS_SHA384_MAX];
static RSA_PSS_SHA512: [&dyn VerificationAlgorithm; 2] =
    [&sig::RSA_PSS_2048_8192_SHA512, &PSS_SHA512_MAX];
static RSA_PKCS1_SHA256: [&dyn VerificationAlgorithm; 1] = [&sig::RSA_PKCS1_2048_8192_SHA256];
static RSA_PKCS1_SHA384: [&dyn VerificationAlgorithm; 1] = [&sig::RSA_PKCS1_2048_8192_SHA384];
static RSA_PKCS1_SHA512: [&dyn VerificationAlgorithm; 1] = [&sig::RSA_PKCS1_2048_8192_SHA512];
static ECDSA_P256: [&dyn VerificationAlgorithm; 2] =
    [&sig::ECDSA_P256_SHA256_ASN1, &sig::ECDSA_P256_SHA256_FIXED];
static ECDSA_P384: [&dyn VerificationAlgorithm; 2] =
    [&sig::ECDSA_P384_SHA384_ASN1, &sig::ECDSA_P384_SHA384_FIXED];
static ED25519: [&dyn VerificationAlgorithm; 1] = [&sig::ED25519];

/// DER SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410), before the 32 key bytes.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// A layout's key entry as a verification key bound to its declared scheme.
fn functionary_key(key: &LayoutKey) -> Result<FunctionaryKey, &'static str> {
    let algorithms: &'static [&'static dyn VerificationAlgorithm] =
        match (key.keytype.as_str(), key.scheme.as_str()) {
            ("rsa", "rsassa-pss-sha256") => &RSA_PSS_SHA256,
            ("rsa", "rsassa-pss-sha384") => &RSA_PSS_SHA384,
            ("rsa", "rsassa-pss-sha512") => &RSA_PSS_SHA512,
            ("rsa", "rsa-pkcs1v15-sha256") => &RSA_PKCS1_SHA256,
            ("rsa", "rsa-pkcs1v15-sha384") => &RSA_PKCS1_SHA384,
            ("rsa", "rsa-pkcs1v15-sha512") => &RSA_PKCS1_SHA512,
            ("ecdsa" | "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256") => &ECDSA_P256,
            ("ecdsa" | "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384") => &ECDSA_P384,
            ("ed25519", "ed25519") => &ED25519,
            _ => return Err("unsupported key type or scheme (rsa with rsassa-pss-* or rsa-pkcs1v15-*, ecdsa with ecdsa-sha2-nistp256/384, ed25519)"),
        };
    let public = key.public.trim();
    let spki = if key.keytype == "ed25519" && public.len() == 64 {
        let raw = decode_hex(public).ok_or("the Ed25519 public key is not 64 hex characters")?;
        let mut spki = ED25519_SPKI_PREFIX.to_vec();
        spki.extend_from_slice(&raw);
        spki
    } else {
        DerPublicKey::from_pem(public)
            .map_err(|_| "keyval.public is not a PEM public key")?
            .as_bytes()
            .to_vec()
    };
    let first = algorithms.first().ok_or("no algorithm")?;
    sig::UnparsedPublicKey::new(*first, &spki)
        .parse()
        .map_err(|_| "the public key does not fit its key type and scheme")?;
    let material =
        KeyMaterial::from_spki(&spki).map_err(|_| "the public key's material cannot be read")?;
    Ok(FunctionaryKey {
        spki,
        material,
        algorithms,
    })
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| {
            let hi = char::from(*pair.first()?).to_digit(16)?;
            let lo = char::from(*pair.get(1)?).to_digit(16)?;
            u8::try_from(hi * 16 + lo).ok()
        })
        .collect()
}

/// What one link's command changed: paths created, deleted and modified.
struct Changes<'l> {
    created: BTreeSet<&'l str>,
    deleted: BTreeSet<&'l str>,
    modified: BTreeSet<&'l str>,
}

impl<'l> Changes<'l> {
    fn of(link: &'l Link) -> Self {
        let created = link
            .products
            .keys()
            .filter(|p| !link.materials.contains_key(*p))
            .map(String::as_str)
            .collect();
        let deleted = link
            .materials
            .keys()
            .filter(|p| !link.products.contains_key(*p))
            .map(String::as_str)
            .collect();
        let modified = link
            .materials
            .iter()
            .filter(|(p, h)| link.products.get(*p).is_some_and(|ph| ph != *h))
            .map(|(p, _)| p.as_str())
            .collect();
        Self {
            created,
            deleted,
            modified,
        }
    }
}

/// What MATCH rules can compare against: the link of every step whose links verified, and the
/// names of the inspections (whose links would exist only had they run).
struct Destinations<'a> {
    links: &'a BTreeMap<String, Link>,
    inspections: BTreeSet<&'a str>,
}

enum RuleOutcome {
    /// Every rule held (what is left in the queue is allowed implicitly).
    Hold,
    /// A rule failed.
    Violated { rule: String, detail: String },
    /// The rules held up to rule `index`, which depends on what only running an inspection
    /// would tell (`why`); it and the rest were not evaluated.
    Unevaluated { index: usize, why: String },
}

/// in-toto's artifact rule algorithm: a queue of the source's paths; every rule, in order,
/// consumes queued paths it authorises (DISALLOW and REQUIRE only check); anything left over is
/// allowed. `changes` is `None` when the item's products are unknown (an inspection not run):
/// DELETE and MODIFY depend on them and stop the evaluation; CREATE consumes no material either way.
/// A MATCH against an inspection stops the evaluation too: provenant does not run inspections.
fn apply_rules(
    rules: &[ArtifactRule],
    source: &Artifacts,
    changes: Option<&Changes<'_>>,
    destinations: &Destinations<'_>,
) -> RuleOutcome {
    let mut queue: BTreeSet<&str> = source.keys().map(String::as_str).collect();
    for (i, rule) in rules.iter().enumerate() {
        let pattern = Pattern::new(&rule.pattern);
        let filtered = || -> BTreeSet<&str> {
            queue
                .iter()
                .copied()
                .filter(|p| pattern.matches(p))
                .collect()
        };
        let consumed: BTreeSet<&str> = match &rule.kind {
            RuleKind::Match {
                source_prefix,
                destination,
                destination_prefix,
                step,
            } => {
                if destinations.inspections.contains(step.as_str()) {
                    return RuleOutcome::Unevaluated {
                        index: i,
                        why: format!(
                            "it matches against inspection {}, which provenant does not run",
                            clip(step, 200)
                        ),
                    };
                }
                match_rule(
                    &queue,
                    source,
                    &pattern,
                    source_prefix.as_deref(),
                    *destination,
                    destination_prefix.as_deref(),
                    destinations.links.get(step),
                )
            }
            RuleKind::Allow => filtered(),
            RuleKind::Create => match changes {
                Some(c) => filtered().intersection(&c.created).copied().collect(),
                None => BTreeSet::new(),
            },
            RuleKind::Delete | RuleKind::Modify => {
                let Some(c) = changes else {
                    return RuleOutcome::Unevaluated {
                        index: i,
                        why: "it depends on the inspection's products".to_owned(),
                    };
                };
                let set = if rule.kind == RuleKind::Delete {
                    &c.deleted
                } else {
                    &c.modified
                };
                filtered().intersection(set).copied().collect()
            }
            RuleKind::Disallow => {
                let hit: Vec<&str> = filtered().into_iter().collect();
                if !hit.is_empty() {
                    return RuleOutcome::Violated {
                        rule: rule.text.clone(),
                        detail: format!("disallows {}", list(&hit, 5)),
                    };
                }
                BTreeSet::new()
            }
            RuleKind::Require => {
                if !queue.contains(rule.pattern.as_str()) {
                    return RuleOutcome::Violated {
                        rule: rule.text.clone(),
                        detail: format!(
                            "requires {}, which is not among the artifacts left to check",
                            clip(&rule.pattern, 200)
                        ),
                    };
                }
                BTreeSet::new()
            }
        };
        queue.retain(|p| !consumed.contains(p));
    }
    RuleOutcome::Hold
}

/// `MATCH`: consume queued paths (under the source prefix, matching the pattern) whose hashes
/// equal those the destination link records at the same relative path (under its prefix).
/// A destination without verified links consumes nothing, as in in-toto.
fn match_rule<'q>(
    queue: &BTreeSet<&'q str>,
    source: &Artifacts,
    pattern: &Pattern,
    source_prefix: Option<&str>,
    destination: ArtifactSet,
    destination_prefix: Option<&str>,
    link: Option<&Link>,
) -> BTreeSet<&'q str> {
    let mut consumed = BTreeSet::new();
    let Some(link) = link else {
        return consumed;
    };
    let dest = match destination {
        ArtifactSet::Materials => &link.materials,
        ArtifactSet::Products => &link.products,
    };
    let source_prefix = source_prefix.filter(|p| !p.is_empty()).map(with_slash);
    for path in queue {
        let relative = match &source_prefix {
            Some(prefix) => match path.strip_prefix(prefix.as_str()) {
                Some(rest) => rest,
                None => continue,
            },
            None => path,
        };
        if !pattern.matches(relative) {
            continue;
        }
        let dest_path = match destination_prefix.filter(|p| !p.is_empty()) {
            Some(prefix) if !relative.starts_with('/') => {
                format!("{}{relative}", with_slash(prefix))
            }
            _ => relative.to_owned(),
        };
        if let (Some(d), Some(s)) = (dest.get(&dest_path), source.get(*path)) {
            if d == s {
                consumed.insert(*path);
            }
        }
    }
    consumed
}

fn with_slash(prefix: &str) -> String {
    if prefix.ends_with('/') {
        prefix.to_owned()
    } else {
        format!("{prefix}/")
    }
}

enum Token {
    Star,
    Any,
    Class {
        negated: bool,
        items: Vec<(char, char)>,
    },
    Char(char),
}

impl Token {
    fn matches(&self, c: char) -> bool {
        match self {
            Token::Any => true,
            Token::Char(t) => *t == c,
            Token::Class { negated, items } => {
                items.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *negated
            }
            Token::Star => false,
        }
    }
}

/// A compiled fnmatch pattern: Python's `fnmatch.fnmatchcase`, which in-toto matches artifact
/// paths with. `*` matches any run of characters, `/` included; `?` one character; `[abc]`,
/// `[a-z]`, `[!a]` one character of (or not of) a set. Case-sensitive. Matching runs in
/// O(pattern × path) time, never exponential.
struct Pattern(Vec<Token>);

impl Pattern {
    fn new(pattern: &str) -> Self {
        let p: Vec<char> = pattern.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(&c) = p.get(i) {
            i += 1;
            match c {
                '*' => {
                    if !matches!(out.last(), Some(Token::Star)) {
                        out.push(Token::Star);
                    }
                }
                '?' => out.push(Token::Any),
                '[' => {
                    // As Python's fnmatch.translate: `!` negates, a leading `]` is a member, and a
                    // `[` without its `]` is a literal.
                    let mut j = i;
                    if p.get(j) == Some(&'!') {
                        j += 1;
                    }
                    if p.get(j) == Some(&']') {
                        j += 1;
                    }
                    while p.get(j).is_some_and(|c| *c != ']') {
                        j += 1;
                    }
                    if j >= p.len() {
                        out.push(Token::Char('['));
                        continue;
                    }
                    let content = p.get(i..j).unwrap_or_default();
                    i = j + 1;
                    let (negated, content) = match content.split_first() {
                        Some(('!', rest)) => (true, rest),
                        _ => (false, content),
                    };
                    let mut items = Vec::new();
                    let mut k = 0;
                    while let Some(&lo) = content.get(k) {
                        match (content.get(k + 1), content.get(k + 2)) {
                            (Some('-'), Some(&hi)) => {
                                items.push((lo, hi));
                                k += 3;
                            }
                            _ => {
                                items.push((lo, lo));
                                k += 1;
                            }
                        }
                    }
                    out.push(Token::Class { negated, items });
                }
                c => out.push(Token::Char(c)),
            }
        }
        Self(out)
    }

    fn matches(&self, path: &str) -> bool {
        let toks = &self.0;
        let s: Vec<char> = path.chars().collect();
        let (mut t, mut i) = (0usize, 0usize);
        // Where the last `*` was and how much of the path it has swallowed so far.
        let mut star: Option<(usize, usize)> = None;
        while i < s.len() {
            match (toks.get(t), s.get(i)) {
                (Some(Token::Star), _) => {
                    star = Some((t, i));
                    t += 1;
                }
                (Some(tok), Some(&c)) if tok.matches(c) => {
                    t += 1;
                    i += 1;
                }
                _ => match star {
                    Some((st, si)) => {
                        t = st + 1;
                        i = si + 1;
                        star = Some((st, si + 1));
                    }
                    None => return false,
                },
            }
        }
        toks.get(t..)
            .unwrap_or_default()
            .iter()
            .all(|tok| matches!(tok, Token::Star))
    }
}

/// Whether `path` matches the fnmatch `pattern`.
#[cfg(test)]
fn fnmatch(pattern: &str, path: &str) -> bool {
    Pattern::new(pattern).matches(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use provenant_formats::layout::ArtifactHashes;

    #[test]
    fn fnmatch_follows_python() {
        let yes = [
            ("*", ""),
            ("*", "a/b/c"),
            ("foo.py", "foo.py"),
            ("*.py", "src/deep/x.py"),
            ("demo-project/*", "demo-project/foo.py"),
            ("demo-project/*", "demo-project/a/b"),
            ("?", "/"),
            ("a?c", "abc"),
            ("[ab]x", "bx"),
            ("[a-c]", "b"),
            ("[!a]", "b"),
            ("[]]", "]"),
            ("[!]]", "a"),
            ("[a-]", "-"),
            ("[", "["),
            ("a[", "a["),
            ("*a*b*", "xxaxxbxx"),
            ("**", "x"),
            ("é*", "éa"),
        ];
        for (p, s) in yes {
            assert!(fnmatch(p, s), "{p:?} should match {s:?}");
        }
        let no = [
            ("foo.py", "Foo.py"),
            ("*.py", "x.pyc"),
            ("?", ""),
            ("a?c", "ac"),
            ("[!a]", "a"),
            ("[c-a]", "b"),
            ("[]]", "a"),
            ("demo-project/*", "demo-project"),
            ("*a*b", "xxaxxbx"),
            ("", "a"),
        ];
        for (p, s) in no {
            assert!(!fnmatch(p, s), "{p:?} should not match {s:?}");
        }
    }

    #[test]
    fn fnmatch_is_not_exponential() {
        let path = "a".repeat(4000);
        let pattern = format!("{}b", "*a".repeat(100));
        assert!(!fnmatch(&pattern, &path));
    }

    fn artifacts(entries: &[(&str, &str)]) -> Artifacts {
        entries
            .iter()
            .map(|(p, h)| {
                (
                    (*p).to_owned(),
                    ArtifactHashes::from([("sha256".to_owned(), (*h).to_owned())]),
                )
            })
            .collect()
    }

    fn rules(rules: &[&[&str]]) -> Vec<ArtifactRule> {
        rules
            .iter()
            .map(|r| {
                provenant_formats::layout::parse_rule(
                    &r.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>(),
                )
                .unwrap()
            })
            .collect()
    }

    fn dest(links: &BTreeMap<String, Link>) -> Destinations<'_> {
        Destinations {
            links,
            inspections: BTreeSet::from(["inspect"]),
        }
    }

    fn link(materials: &[(&str, &str)], products: &[(&str, &str)]) -> Link {
        Link {
            name: "s".into(),
            command: vec![],
            materials: artifacts(materials),
            products: artifacts(products),
        }
    }

    #[test]
    fn match_rule_with_prefixes() {
        let up = link(&[], &[("lib/a.py", "1"), ("lib/b.py", "2")]);
        let links = BTreeMap::from([("up".to_owned(), up)]);
        let src = artifacts(&[("src/a.py", "1"), ("src/b.py", "9"), ("a.py", "1")]);
        let r = rules(&[
            &[
                "MATCH", "*.py", "IN", "src", "WITH", "PRODUCTS", "IN", "lib", "FROM", "up",
            ],
            &["DISALLOW", "src/*"],
        ]);
        // src/b.py has another hash, so it stays queued and the DISALLOW catches it.
        match apply_rules(&r, &src, None, &dest(&links)) {
            RuleOutcome::Violated { detail, .. } => assert_eq!(detail, "disallows src/b.py"),
            _ => panic!("expected a violation"),
        }
        // Without a source prefix the pattern sees whole paths; a.py has no lib/ counterpart
        // without the destination prefix, so only the prefixed rule consumes it.
        let r = rules(&[
            &[
                "MATCH", "a.py", "WITH", "PRODUCTS", "IN", "lib/", "FROM", "up",
            ],
            &["DISALLOW", "a.py"],
        ]);
        assert!(matches!(
            apply_rules(&r, &src, None, &dest(&links)),
            RuleOutcome::Hold
        ));
        // A step without verified links consumes nothing.
        let r = rules(&[
            &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "nobody"],
            &["DISALLOW", "*"],
        ]);
        assert!(matches!(
            apply_rules(&r, &src, None, &dest(&links)),
            RuleOutcome::Violated { .. }
        ));
    }

    #[test]
    fn create_delete_modify_require() {
        let l = link(
            &[("keep", "1"), ("gone", "2"), ("edit", "3")],
            &[("keep", "1"), ("new", "4"), ("edit", "5")],
        );
        let changes = Changes::of(&l);
        let none = BTreeMap::new();
        let products = rules(&[
            &["CREATE", "*"],
            &["MODIFY", "*"],
            &["ALLOW", "keep"],
            &["DISALLOW", "*"],
        ]);
        assert!(matches!(
            apply_rules(&products, &l.products, Some(&changes), &dest(&none)),
            RuleOutcome::Hold
        ));
        let materials = rules(&[
            &["DELETE", "*"],
            &["MODIFY", "*"],
            &["CREATE", "*"],
            &["REQUIRE", "keep"],
            &["DISALLOW", "k*"],
        ]);
        assert!(matches!(
            apply_rules(&materials, &l.materials, Some(&changes), &dest(&none)),
            RuleOutcome::Violated { .. }
        ));
        // REQUIRE looks at the queue, as in in-toto: a consumed path is no longer there.
        let r = rules(&[&["ALLOW", "keep"], &["REQUIRE", "keep"]]);
        assert!(matches!(
            apply_rules(&r, &l.materials, Some(&changes), &dest(&none)),
            RuleOutcome::Violated { .. }
        ));
        // A MATCH against an inspection cannot be evaluated either.
        let r = rules(&[
            &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "inspect"],
            &["DISALLOW", "*"],
        ]);
        assert!(matches!(
            apply_rules(&r, &l.materials, Some(&changes), &dest(&none)),
            RuleOutcome::Unevaluated { index: 0, .. }
        ));
        // Products unknown: DELETE cannot be evaluated.
        let r = rules(&[&["DISALLOW", "x"], &["DELETE", "*"], &["DISALLOW", "*"]]);
        assert!(matches!(
            apply_rules(&r, &l.materials, None, &dest(&none)),
            RuleOutcome::Unevaluated { index: 1, .. }
        ));
    }
}
