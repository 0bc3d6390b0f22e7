//! Classic in-toto supply-chain layouts (specification v0.9), verified as in-toto-golang and the
//! in-toto reference implementation verify them — except that inspections are never executed.
//!
//! The order follows `in-toto-verify`: the layout's signatures (every layout key must have signed),
//! its expiry, the links of every step (named `<step>.<keyid[..8]>.link`, signed by the functionary
//! key they are named for, at least `threshold` distinct functionaries, all recording the same
//! artifacts), the command each link records (a warning only), the artifact rules of every step,
//! and the inspections. Provenant never runs an inspection's command: each inspection is reported
//! as not run (a warning), and only its material rules are evaluated, against the artifact being
//! verified (a stand-in for the files in the verifier's working directory, so a DISALLOW there
//! proves less than in in-toto). A rule that needs what only running an inspection would tell (an
//! inspection's products, a MATCH against an inspection) cannot be evaluated: it consumes nothing
//! (warned about) and the rules after it are applied, so a later `DISALLOW *` still fails what it
//! did not authorise; a `REQUIRE` of a path such a rule might have consumed fails. Finally the
//! artifact must be a product of a step whose threshold of verified links was met, by every digest
//! algorithm both record: anything else fails (`layout-artifact-unbound`, `layout-artifact-mismatch`).
//!
//! Links come from a [`LinkSource`] and are read one at a time, only those named for a step's
//! functionary, each at most [`MAX_LINK_BYTES`] and [`MAX_LINK_TOTAL_BYTES`] in all; after a link
//! is verified only the artifacts of the first verified link of each step are kept.
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
    MAX_LINK_BYTES, MAX_LINK_FILES, MAX_LINK_TOTAL_BYTES,
};
use provenant_model::{Check, CheckCode, Digest, DigestAlgorithm, EvidenceKind, EvidenceRef};
use sigstore_verify::types::DerPublicKey;

use crate::keys::{KeyMaterial, PublicKey};

/// Why a link file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkReadError {
    /// The file is larger than [`MAX_LINK_BYTES`] (it was not read).
    #[error("it is {size} bytes; at most {MAX_LINK_BYTES} are read from one link file")]
    TooLarge {
        /// Its size, or at least how much was seen of it.
        size: u64,
    },
    /// The file could not be read (the I/O error's text, as the source reported it).
    #[error("it could not be read: {0}")]
    Unreadable(String),
    /// The source has no link file of that name.
    #[error("it could not be read: no such link file")]
    NotFound,
    /// The link files read before it already total [`MAX_LINK_TOTAL_BYTES`] (it was not read).
    #[error(
        "not read: the link files read before it total {read} bytes, and at most {MAX_LINK_TOTAL_BYTES} are read in all"
    )]
    TotalTooLarge {
        /// Bytes of link files read so far.
        read: u64,
    },
}

/// Where link files come from: their names first, then one file's bytes at a time, on demand.
///
/// The verifier reads only the files named for a step's authorised functionary
/// (`<step>.<keyid[..8]>.link`), one at a time, and keeps only what it needs of each.
pub trait LinkSource {
    /// The file names of the link files (`*.link`), without directories.
    fn names(&self) -> Vec<String>;
    /// The bytes of the link file `name`. An implementation refuses a file larger than
    /// [`MAX_LINK_BYTES`] with [`LinkReadError::TooLarge`], without reading it whole.
    fn read(&self, name: &str) -> Result<Vec<u8>, LinkReadError>;
}

/// Link files already in memory: (file name, bytes).
impl LinkSource for Vec<(String, Vec<u8>)> {
    fn names(&self) -> Vec<String> {
        self.iter().map(|(n, _)| n.clone()).collect()
    }

    fn read(&self, name: &str) -> Result<Vec<u8>, LinkReadError> {
        let (_, bytes) = self
            .iter()
            .find(|(n, _)| n == name)
            .ok_or(LinkReadError::NotFound)?;
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if size > MAX_LINK_BYTES {
            return Err(LinkReadError::TooLarge { size });
        }
        Ok(bytes.clone())
    }
}

/// The artifact a layout must speak for: a file (its name as in-toto records it, usually the
/// base name, and its digests), or a bare digest.
#[derive(Debug, Clone, Copy)]
pub struct LayoutArtifact<'a> {
    /// The file name, when a file was given (`--digest` has none).
    pub name: Option<&'a str>,
    /// Its digests: every algorithm it was hashed with (a file: sha256, sha384 and sha512).
    pub digests: &'a [Digest],
}

/// What [`verify_layout`] needs: bytes and typed values only, no paths to read.
#[derive(Clone, Copy)]
pub struct LayoutInput<'a> {
    /// The layout: a metablock `{signed, signatures}` or a DSSE envelope of
    /// `application/vnd.in-toto+json`.
    pub layout: &'a [u8],
    /// Where the layout came from (for reports).
    pub layout_location: &'a str,
    /// The layout owners' keys. Every one must have signed the layout; none given is a failure.
    pub layout_keys: &'a [PublicKey],
    /// The link files (at most [`MAX_LINK_FILES`] names); links are found by name,
    /// `<step>.<keyid[..8]>.link`, and read one at a time.
    pub links: &'a dyn LinkSource,
    /// The artifact being verified; `None` verifies the layout and its links alone.
    pub artifact: Option<LayoutArtifact<'a>>,
    /// The verification time (the layout must not have expired by then).
    pub now: Timestamp,
}

impl std::fmt::Debug for LayoutInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LayoutInput")
            .field("layout_location", &self.layout_location)
            .field("layout_keys", &self.layout_keys.len())
            .field("artifact", &self.artifact)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// Verify an in-toto layout, its links and the artifact against it.
///
/// Pure: the caller reads the files (through `links`, one at a time). Returns one check per
/// finding (see `docs/checks.md`, group `layout`); the layout verified only if none failed, and
/// it is fully verified only if no `layout-inspection-not-run` warning is among them.
pub fn verify_layout(input: &LayoutInput<'_>) -> Vec<Check> {
    let mut run = Run {
        input,
        layout_ref: EvidenceRef::new(EvidenceKind::SignatureFile, input.layout_location),
        checks: Vec::new(),
        link_bytes_read: 0,
    };
    run.verify();
    run.checks
}

struct Run<'i, 'a> {
    input: &'i LayoutInput<'a>,
    layout_ref: EvidenceRef,
    checks: Vec<Check>,
    /// Bytes of link files read so far (at most [`MAX_LINK_TOTAL_BYTES`], plus one link).
    link_bytes_read: u64,
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

/// A functionary whose link for a step verified (the link itself is not kept).
struct Signer {
    keyid: String,
    material: KeyMaterial,
    evidence: EvidenceRef,
}

/// What is kept of one step's links: who signed, and the artifacts of the first verified link
/// (every other verified link was compared with it and dropped).
struct StepLinks {
    signers: Vec<Signer>,
    link: Option<Link>,
    threshold_met: bool,
    agree: bool,
}

impl StepLinks {
    /// The link MATCH rules and the binding may use: only a step whose threshold was met has one.
    fn verified(&self) -> Option<(&Link, &EvidenceRef)> {
        if !self.threshold_met {
            return None;
        }
        Some((self.link.as_ref()?, &self.signers.first()?.evidence))
    }
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
        drop(meta);
        self.expiry(&layout.expires, &loc);
        let names = self.input.links.names();
        if names.len() > MAX_LINK_FILES {
            self.layout_fail(
                CheckCode::LayoutMalformed,
                format!(
                    "{} link files given; at most {MAX_LINK_FILES} are read",
                    names.len()
                ),
            );
            return;
        }
        let keys = self.functionary_keys(&layout, &loc);
        let mut steps: BTreeMap<&str, StepLinks> = BTreeMap::new();
        for step in &layout.steps {
            let links = self.step_links(step, &keys, &names);
            steps.insert(step.name.as_str(), links);
        }
        // MATCH rules may name any step, earlier or later, so every step's links come first.
        let destinations = Destinations {
            links: steps
                .iter()
                .filter_map(|(name, s)| s.verified().map(|(l, _)| (*name, l)))
                .collect(),
            inspections: layout.inspections.iter().map(|i| i.name.as_str()).collect(),
        };
        for step in &layout.steps {
            if let Some(links) = steps.get(step.name.as_str()) {
                self.step_rules(step, links, &destinations);
            }
        }
        self.inspections(&layout, &destinations, &loc);
        if let Some(artifact) = self.input.artifact {
            self.bind_artifact(&layout, &steps, artifact);
        }
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

    /// Read one link file through the source, within the total budget.
    fn read_link(&mut self, file: &str) -> Result<Vec<u8>, LinkReadError> {
        if self.link_bytes_read >= MAX_LINK_TOTAL_BYTES {
            return Err(LinkReadError::TotalTooLarge {
                read: self.link_bytes_read,
            });
        }
        let bytes = self.input.links.read(file)?;
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if size > MAX_LINK_BYTES {
            return Err(LinkReadError::TooLarge { size });
        }
        self.link_bytes_read = self.link_bytes_read.saturating_add(size);
        Ok(bytes)
    }

    /// Find, read (one at a time), verify and count the links of one step.
    fn step_links(
        &mut self,
        step: &Step,
        keys: &BTreeMap<String, FunctionaryKey>,
        names: &[String],
    ) -> StepLinks {
        let name = clip(&step.name, 200);
        let prefix = format!("{}.", step.name);
        let mut signers: Vec<Signer> = Vec::new();
        let mut kept: Option<Link> = None;
        let mut disagreeing: Option<EvidenceRef> = None;
        let mut named_for_functionaries = 0usize;
        let mut named_for_others = 0usize;
        let mut same_key_again = 0usize;
        let layout_ref = self.layout_ref.clone();
        let mut ev = vec![layout_ref.clone()];
        for file in names {
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
            let fail = |code, reason: String, container| {
                Check::fail(code, reason, vec![layout_ref.clone(), file_ref(container)])
            };
            let candidates: BTreeSet<&String> = step
                .pubkeys
                .iter()
                .filter(|k| k.get(..8) == Some(short))
                .collect();
            if candidates.is_empty() {
                // Read only to say why it does not count: a certificate-signed link.
                let cert_signed = step.cert_constraints > 0
                    && self.read_link(file).is_ok_and(|bytes| {
                        parse_metadata(&bytes)
                            .is_ok_and(|m| m.signatures.iter().any(|s| s.cert.is_some()))
                    });
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
            let bytes = match self.read_link(file) {
                Ok(b) => b,
                Err(why) => {
                    let c = fail(
                        CheckCode::LayoutMalformed,
                        format!("link {} for step {name}: {why}", clip(file, 200)),
                        Container::Metablock,
                    );
                    self.push(c);
                    continue;
                }
            };
            let parsed = parse_metadata(&bytes);
            // The raw bytes are not needed past parsing.
            drop(bytes);
            let meta = match parsed {
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
            drop(meta);
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
            if signers.iter().any(|s| s.material == key.material) {
                same_key_again += 1;
                continue;
            }
            let evidence = file_ref(container);
            if link.command != step.expected_command {
                self.push(Check::warn(
                    CheckCode::LayoutCommandMismatch,
                    format!(
                        "link {} of step {name} ran {:?}; the layout expects {:?}",
                        clip(file, 200),
                        clip(&link.command.join(" "), 200),
                        clip(&step.expected_command.join(" "), 200)
                    ),
                    vec![self.layout_ref.clone(), evidence.clone()],
                ));
            }
            // Only the first verified link's artifacts are kept; the others must equal them.
            match &kept {
                None => kept = Some(link),
                Some(first) => {
                    if disagreeing.is_none()
                        && (first.materials != link.materials || first.products != link.products)
                    {
                        disagreeing = Some(evidence.clone());
                    }
                }
            }
            signers.push(Signer {
                keyid: (*keyid).clone(),
                material: key.material.clone(),
                evidence,
            });
        }
        ev.extend(signers.iter().map(|s| s.evidence.clone()));
        let threshold_met = signers.len() >= step.threshold;
        if !threshold_met {
            let mut reason = format!(
                "step {name} needs valid links by {} distinct functionar{}; {} verified among {named_for_functionaries} link file(s) named for its functionaries",
                step.threshold,
                if step.threshold == 1 { "y" } else { "ies" },
                signers.len()
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
        let agree = disagreeing.is_none();
        if let (Some(other), Some(first)) = (&disagreeing, signers.first()) {
            self.push(Check::fail(
                CheckCode::LayoutLinksDisagree,
                format!(
                    "links {} and {} of step {name} record different materials or products",
                    clip(&first.evidence.location, 200),
                    clip(&other.location, 200)
                ),
                ev,
            ));
        }
        StepLinks {
            signers,
            link: kept,
            threshold_met,
            agree,
        }
    }

    /// One warning per rule that could not be evaluated (it consumed nothing).
    fn unevaluated_warnings(&mut self, item: &str, side: &str, result: &RulesResult) {
        for (index, rule, why) in &result.unevaluated {
            self.push(Check::warn(
                CheckCode::LayoutInspectionNotRun,
                format!(
                    "{item}, {side}: rule {} [{}] was not evaluated: {why}; it consumed nothing and the rules after it were applied",
                    index + 1,
                    clip(rule, 200)
                ),
                vec![self.layout_ref.clone()],
            ));
        }
    }

    fn step_rules(&mut self, step: &Step, links: &StepLinks, destinations: &Destinations<'_>) {
        let Some(link) = destinations.links.get(step.name.as_str()).copied() else {
            return;
        };
        let name = clip(&step.name, 200);
        let mut ev = vec![self.layout_ref.clone()];
        ev.extend(links.signers.iter().map(|s| s.evidence.clone()));
        let changes = Changes::of(link);
        let mut hold = true;
        let mut unevaluated = 0usize;
        for (side, rules, artifacts) in [
            ("materials", &step.expected_materials, &link.materials),
            ("products", &step.expected_products, &link.products),
        ] {
            let result = apply_rules(rules, artifacts, Some(&changes), destinations);
            self.unevaluated_warnings(&format!("step {name}"), side, &result);
            unevaluated += result.unevaluated.len();
            if let Some((rule, detail)) = result.violated {
                hold = false;
                self.push(Check::fail(
                    CheckCode::LayoutRuleViolated,
                    format!("step {name}, {side}: rule [{}] {detail}", clip(&rule, 200)),
                    ev.clone(),
                ));
            }
        }
        if hold && links.agree && links.threshold_met {
            let ids: Vec<String> = links.signers.iter().map(|s| short_id(&s.keyid)).collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let mut reason = format!(
                "step {name}: links by {} functionar{} ({}) verified, threshold {}; its artifact rules hold",
                links.signers.len(),
                if links.signers.len() == 1 { "y" } else { "ies" },
                list(&ids, 8),
                step.threshold
            );
            if unevaluated > 0 {
                let _ = write!(
                    reason,
                    " with the {unevaluated} rule(s) that need an inspection's results consuming nothing"
                );
            }
            self.push(Check::pass(CheckCode::LayoutStepVerified, reason, ev));
        }
    }

    fn inspections(&mut self, layout: &Layout, destinations: &Destinations<'_>, loc: &str) {
        // What the verifier's working directory would hold: the artifact being verified, hashed
        // as in-toto records by default (sha256), so MATCH compares like with like.
        let mut present = Artifacts::new();
        let mut ev = vec![self.layout_ref.clone()];
        if let Some(a) = self.input.artifact {
            if let Some(name) = a.name {
                for d in a.digests {
                    if d.algorithm() == DigestAlgorithm::Sha256 {
                        present
                            .entry(name.to_owned())
                            .or_default()
                            .insert(d.algorithm().name().to_owned(), d.hex().to_owned());
                    }
                }
            }
            ev.push(artifact_ref(a));
        }
        for inspection in &layout.inspections {
            let name = clip(&inspection.name, 200);
            let mut reason = format!(
                "inspection {name} (run: {:?}) was not executed: provenant never runs inspection commands, so {loc} is not fully verified; its expected_products were not evaluated",
                clip(&inspection.run.join(" "), 200)
            );
            if present.is_empty() {
                reason.push_str(
                    "; no artifact file was given, so neither were its expected_materials",
                );
            } else {
                let result =
                    apply_rules(&inspection.expected_materials, &present, None, destinations);
                self.unevaluated_warnings(
                    &format!("inspection {name}"),
                    "materials (the artifact given)",
                    &result,
                );
                match result.violated {
                    None => {
                        reason.push_str("; its expected_materials hold for the artifact given");
                    }
                    Some((rule, detail)) => self.push(Check::fail(
                        CheckCode::LayoutRuleViolated,
                        format!(
                            "inspection {name}, materials (the artifact given): rule [{}] {detail}",
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

    /// The artifact must be a product of a step whose threshold of verified links was met, with
    /// equal digests for every algorithm both record (at least one). A product that agrees by one
    /// algorithm and disagrees by another is a contradiction, and fails whatever else binds.
    fn bind_artifact(
        &mut self,
        layout: &Layout,
        steps: &BTreeMap<&str, StepLinks>,
        artifact: LayoutArtifact<'_>,
    ) {
        let art_ref = artifact_ref(artifact);
        let shown = match artifact.name {
            Some(n) => format!("{} ({})", clip(n, 200), digests_label(artifact.digests)),
            None => digests_label(artifact.digests),
        };
        let mut bound: Option<(&str, &str, &EvidenceRef)> = None;
        let mut contradiction: Option<(&str, &str, &EvidenceRef, String)> = None;
        let mut same_name_other_digest: Option<(&str, &str, &EvidenceRef)> = None;
        let mut uncomparable: Vec<String> = Vec::new();
        for step in &layout.steps {
            let Some((link, evidence)) =
                steps.get(step.name.as_str()).and_then(StepLinks::verified)
            else {
                continue;
            };
            for (path, hashes) in &link.products {
                let named = artifact.name.is_some_and(|n| {
                    path == n || path.rsplit('/').next().is_some_and(|base| base == n)
                });
                let mut agree: Vec<&str> = Vec::new();
                let mut disagree: Vec<&str> = Vec::new();
                for (alg, hex) in hashes {
                    let Some(d) = artifact
                        .digests
                        .iter()
                        .find(|d| d.algorithm().name() == alg.as_str())
                    else {
                        continue;
                    };
                    if d.hex().eq_ignore_ascii_case(hex) {
                        agree.push(alg);
                    } else {
                        disagree.push(alg);
                    }
                }
                let at = (step.name.as_str(), path.as_str(), evidence);
                match (agree.is_empty(), disagree.is_empty()) {
                    // Prefer the product of the artifact's own name, for the report.
                    (false, true) if bound.is_none() || named => bound = Some(at),
                    (false, false) => {
                        contradiction.get_or_insert((
                            at.0,
                            at.1,
                            at.2,
                            format!(
                                "{} agree{}, {} do{} not",
                                joined(&agree),
                                if agree.len() == 1 { "s" } else { "" },
                                joined(&disagree),
                                if disagree.len() == 1 { "es" } else { "" }
                            ),
                        ));
                    }
                    (true, false) if named => {
                        same_name_other_digest.get_or_insert(at);
                    }
                    (true, true) if named => uncomparable.push(format!(
                        "{} of step {} records only {}",
                        clip(path, 200),
                        clip(&step.name, 200),
                        hashes
                            .keys()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    _ => {}
                }
            }
        }
        let check = if let Some((step, path, link, how)) = contradiction {
            Check::fail(
                CheckCode::LayoutArtifactMismatch,
                format!(
                    "{shown}: product {} of step {} contradicts itself against the artifact ({how}); the same bytes cannot have both digests",
                    clip(path, 200),
                    clip(step, 200)
                ),
                vec![art_ref, self.layout_ref.clone(), link.clone()],
            )
        } else if let Some((step, path, link)) = bound {
            Check::pass(
                CheckCode::LayoutArtifactBound,
                format!(
                    "{shown} is product {} of step {}, whose threshold of verified links was met",
                    clip(path, 200),
                    clip(step, 200)
                ),
                vec![art_ref, self.layout_ref.clone(), link.clone()],
            )
        } else if let Some((step, path, link)) = same_name_other_digest {
            Check::fail(
                CheckCode::LayoutArtifactMismatch,
                format!(
                    "{shown} is recorded as product {} of step {} with another digest: it is not what was built",
                    clip(path, 200),
                    clip(step, 200)
                ),
                vec![art_ref, self.layout_ref.clone(), link.clone()],
            )
        } else {
            let mut reason = format!(
                "{shown} is not a product of any step whose threshold of verified links was met, so the layout does not speak for it"
            );
            if !uncomparable.is_empty() {
                let items: Vec<&str> = uncomparable.iter().map(String::as_str).collect();
                let _ = write!(
                    reason,
                    " ({}: no digest algorithm in common with the artifact's)",
                    list(&items, 3)
                );
            }
            Check::fail(
                CheckCode::LayoutArtifactUnbound,
                reason,
                vec![art_ref, self.layout_ref.clone()],
            )
        };
        self.push(check);
    }
}

fn artifact_ref(a: LayoutArtifact<'_>) -> EvidenceRef {
    let r = match a.name {
        Some(n) => EvidenceRef::file(n),
        None => EvidenceRef::new(EvidenceKind::Flag, "--digest"),
    };
    match a.digests.first() {
        Some(d) => r.with_digest(d.clone()),
        None => r,
    }
}

fn digests_label(digests: &[Digest]) -> String {
    match digests.first() {
        Some(d) => d.to_string(),
        None => "no digest".to_owned(),
    }
}

fn joined(algs: &[&str]) -> String {
    algs.join(" and ")
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

/// What MATCH rules can compare against: the link of every step whose threshold of verified
/// links was met, and the names of the inspections (whose links would exist only had they run).
struct Destinations<'a> {
    links: BTreeMap<&'a str, &'a Link>,
    inspections: BTreeSet<&'a str>,
}

/// What a list of artifact rules came to.
struct RulesResult {
    /// The rule that failed (its text) and why; the rules after it were not applied, as in
    /// in-toto.
    violated: Option<(String, String)>,
    /// Rules that could not be evaluated (index, text, why): each consumed nothing.
    unevaluated: Vec<(usize, String, String)>,
}

/// in-toto's artifact rule algorithm: a queue of the source's paths; every rule, in order,
/// consumes queued paths it authorises (DISALLOW and REQUIRE only check); anything left over is
/// allowed.
///
/// A rule that cannot be evaluated — a MATCH against an inspection (provenant runs none), or a
/// DELETE or MODIFY when the item's products are unknown (`changes` is `None`: an inspection
/// not run) — consumes nothing, and the rules after it are applied: consuming less only leaves
/// more for a later DISALLOW to catch, so what holds here holds whatever the rule would have
/// consumed. The one rule that could pass only because of it, a REQUIRE of a path the
/// unevaluated rule might have consumed, fails. CREATE consumes no material either way.
fn apply_rules<'s>(
    rules: &[ArtifactRule],
    source: &'s Artifacts,
    changes: Option<&Changes<'_>>,
    destinations: &Destinations<'_>,
) -> RulesResult {
    let mut queue: BTreeSet<&'s str> = source.keys().map(String::as_str).collect();
    // Paths a rule that was not evaluated might have consumed, and that rule's number.
    let mut uncertain: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unevaluated = Vec::new();
    let violated = |rule: &ArtifactRule, detail: String, unevaluated| RulesResult {
        violated: Some((rule.text.clone(), detail)),
        unevaluated,
    };
    for (i, rule) in rules.iter().enumerate() {
        let pattern = Pattern::new(&rule.pattern);
        let filtered = |queue: &BTreeSet<&'s str>| filter(queue, &pattern);
        let consumed: BTreeSet<&str> = match &rule.kind {
            RuleKind::Match {
                source_prefix,
                destination,
                destination_prefix,
                step,
            } => {
                if destinations.inspections.contains(step.as_str()) {
                    for p in match_candidates(&queue, &pattern, source_prefix.as_deref()) {
                        uncertain.entry(p).or_insert(i);
                    }
                    unevaluated.push((
                        i,
                        rule.text.clone(),
                        format!(
                            "it matches against inspection {}, which provenant does not run",
                            clip(step, 200)
                        ),
                    ));
                    BTreeSet::new()
                } else {
                    match_rule(
                        &queue,
                        source,
                        &pattern,
                        source_prefix.as_deref(),
                        *destination,
                        destination_prefix.as_deref(),
                        destinations.links.get(step.as_str()).copied(),
                    )
                }
            }
            RuleKind::Allow => filtered(&queue),
            RuleKind::Create => match changes {
                Some(c) => filtered(&queue).intersection(&c.created).copied().collect(),
                None => BTreeSet::new(),
            },
            RuleKind::Delete | RuleKind::Modify => match changes {
                Some(c) => {
                    let set = if rule.kind == RuleKind::Delete {
                        &c.deleted
                    } else {
                        &c.modified
                    };
                    filtered(&queue).intersection(set).copied().collect()
                }
                None => {
                    for p in filtered(&queue) {
                        uncertain.entry(p).or_insert(i);
                    }
                    unevaluated.push((
                        i,
                        rule.text.clone(),
                        "it depends on the inspection's products, which provenant does not know"
                            .to_owned(),
                    ));
                    BTreeSet::new()
                }
            },
            RuleKind::Disallow => {
                let hit: Vec<&str> = filtered(&queue).into_iter().collect();
                if !hit.is_empty() {
                    return violated(rule, format!("disallows {}", list(&hit, 5)), unevaluated);
                }
                BTreeSet::new()
            }
            RuleKind::Require => {
                if !queue.contains(rule.pattern.as_str()) {
                    return violated(
                        rule,
                        format!(
                            "requires {}, which is not among the artifacts left to check",
                            clip(&rule.pattern, 200)
                        ),
                        unevaluated,
                    );
                }
                if let Some(n) = uncertain.get(rule.pattern.as_str()) {
                    return violated(
                        rule,
                        format!(
                            "requires {}, which rule {} (not evaluated) might have consumed, so its presence is not proven",
                            clip(&rule.pattern, 200),
                            n + 1
                        ),
                        unevaluated,
                    );
                }
                BTreeSet::new()
            }
        };
        queue.retain(|p| !consumed.contains(p));
    }
    RulesResult {
        violated: None,
        unevaluated,
    }
}

/// The queued paths `pattern` matches.
fn filter<'q>(queue: &BTreeSet<&'q str>, pattern: &Pattern) -> BTreeSet<&'q str> {
    queue
        .iter()
        .copied()
        .filter(|p| pattern.matches(p))
        .collect()
}

/// The queued paths a MATCH rule looks at: under the source prefix (stripped), matching the
/// pattern; each with the path relative to the prefix.
fn match_candidates<'q>(
    queue: &BTreeSet<&'q str>,
    pattern: &Pattern,
    source_prefix: Option<&str>,
) -> Vec<&'q str> {
    match_candidates_relative(queue, pattern, source_prefix)
        .into_iter()
        .map(|(path, _)| path)
        .collect()
}

fn match_candidates_relative<'q>(
    queue: &BTreeSet<&'q str>,
    pattern: &Pattern,
    source_prefix: Option<&str>,
) -> Vec<(&'q str, &'q str)> {
    let source_prefix = source_prefix.filter(|p| !p.is_empty()).map(with_slash);
    queue
        .iter()
        .filter_map(|path| {
            let relative = match &source_prefix {
                Some(prefix) => path.strip_prefix(prefix.as_str())?,
                None => path,
            };
            pattern.matches(relative).then_some((*path, relative))
        })
        .collect()
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
    for (path, relative) in match_candidates_relative(queue, pattern, source_prefix) {
        let dest_path = match destination_prefix.filter(|p| !p.is_empty()) {
            Some(prefix) if !relative.starts_with('/') => {
                format!("{}{relative}", with_slash(prefix))
            }
            _ => relative.to_owned(),
        };
        if let (Some(d), Some(s)) = (dest.get(&dest_path), source.get(path)) {
            if d == s {
                consumed.insert(path);
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

    fn dest<'a>(links: &'a BTreeMap<String, Link>) -> Destinations<'a> {
        Destinations {
            links: links.iter().map(|(k, v)| (k.as_str(), v)).collect(),
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

    fn holds(r: &RulesResult) -> bool {
        r.violated.is_none()
    }

    fn unevaluated(r: &RulesResult) -> Vec<usize> {
        r.unevaluated.iter().map(|(i, _, _)| *i).collect()
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
        let res = apply_rules(&r, &src, None, &dest(&links));
        assert_eq!(
            res.violated.map(|(_, d)| d).as_deref(),
            Some("disallows src/b.py")
        );
        // Without a source prefix the pattern sees whole paths; a.py has no lib/ counterpart
        // without the destination prefix, so only the prefixed rule consumes it.
        let r = rules(&[
            &[
                "MATCH", "a.py", "WITH", "PRODUCTS", "IN", "lib/", "FROM", "up",
            ],
            &["DISALLOW", "a.py"],
        ]);
        assert!(holds(&apply_rules(&r, &src, None, &dest(&links))));
        // A step without verified links consumes nothing.
        let r = rules(&[
            &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "nobody"],
            &["DISALLOW", "*"],
        ]);
        assert!(!holds(&apply_rules(&r, &src, None, &dest(&links))));
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
        let res = apply_rules(&products, &l.products, Some(&changes), &dest(&none));
        assert!(holds(&res) && res.unevaluated.is_empty());
        let materials = rules(&[
            &["DELETE", "*"],
            &["MODIFY", "*"],
            &["CREATE", "*"],
            &["REQUIRE", "keep"],
            &["DISALLOW", "k*"],
        ]);
        assert!(!holds(&apply_rules(
            &materials,
            &l.materials,
            Some(&changes),
            &dest(&none)
        )));
        // REQUIRE looks at the queue, as in in-toto: a consumed path is no longer there.
        let r = rules(&[&["ALLOW", "keep"], &["REQUIRE", "keep"]]);
        assert!(!holds(&apply_rules(
            &r,
            &l.materials,
            Some(&changes),
            &dest(&none)
        )));
    }

    #[test]
    fn a_rule_that_cannot_be_evaluated_consumes_nothing_and_the_rest_apply() {
        let l = link(
            &[("keep", "1"), ("gone", "2"), ("edit", "3")],
            &[("keep", "1"), ("new", "4"), ("edit", "5")],
        );
        let changes = Changes::of(&l);
        let none = BTreeMap::new();
        // A MATCH against an inspection consumes nothing: the DISALLOW after it still fails.
        let r = rules(&[
            &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "inspect"],
            &["DISALLOW", "*"],
        ]);
        let res = apply_rules(&r, &l.materials, Some(&changes), &dest(&none));
        assert!(!holds(&res));
        assert_eq!(unevaluated(&res), vec![0]);
        // ... and what later rules authorise still holds.
        let r = rules(&[
            &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "inspect"],
            &["ALLOW", "*"],
            &["DISALLOW", "*"],
        ]);
        let res = apply_rules(&r, &l.materials, Some(&changes), &dest(&none));
        assert!(holds(&res));
        assert_eq!(unevaluated(&res), vec![0]);
        // Products unknown: DELETE and MODIFY consume nothing; the DISALLOW after them applies.
        let r = rules(&[
            &["DISALLOW", "x"],
            &["DELETE", "*"],
            &["MODIFY", "*"],
            &["DISALLOW", "*"],
        ]);
        let res = apply_rules(&r, &l.materials, None, &dest(&none));
        assert!(!holds(&res));
        assert_eq!(unevaluated(&res), vec![1, 2]);
        // A REQUIRE of a path an unevaluated rule might have consumed is not proven.
        let r = rules(&[
            &["MATCH", "k*", "WITH", "PRODUCTS", "FROM", "inspect"],
            &["REQUIRE", "keep"],
        ]);
        assert!(!holds(&apply_rules(
            &r,
            &l.materials,
            Some(&changes),
            &dest(&none)
        )));
        // One the rule could not have touched is.
        let r = rules(&[
            &["MATCH", "e*", "WITH", "PRODUCTS", "FROM", "inspect"],
            &["REQUIRE", "keep"],
        ]);
        assert!(holds(&apply_rules(
            &r,
            &l.materials,
            Some(&changes),
            &dest(&none)
        )));
    }
}
