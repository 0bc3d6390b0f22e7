//! Testing one sampled release: its files become [`Inputs`], [`provenant_core::verify`] decides.
//! `audit run` reads the files from disk and `audit replay` from the pack, through the same
//! function ([`test_release`]), so a replay re-performs exactly what the run did.

use serde::{Deserialize, Serialize};

use provenant_core::{
    Command, Evidence, Found, GateFile, ImageCollected, Inputs, Target, TrustRoots,
};
use provenant_formats::gate::{parse_gate, GateKind};
use provenant_formats::sbom::{parse_sbom, XmlSchemaValidator};
use provenant_model::{Digest, DigestAlgorithm, Outcome, Report, Subject, SubjectKind, Verdict};
use provenant_policy::{parse_policy, Policy, PolicyFile, PolicyFlags, Scope, Signers};
use provenant_verify::{Instance, PublicKey, TrustRoot};

/// What a file is to a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A signature bundle (`--bundle`).
    Bundle,
    /// An attestation file (`--attestations`).
    Attestations,
    /// SLSA provenance (`--provenance`).
    Provenance,
    /// An SBOM (`--sbom`).
    Sbom,
    /// A SAST report (`--sarif`).
    Sarif,
    /// An SCA report (`--sca`).
    Sca,
    /// A DAST report (`--dast`).
    Dast,
    /// CI run metadata (`--ci-run`).
    CiRun,
    /// Change review evidence (`--review`).
    Review,
    /// The policy file.
    Policy,
    /// The Sigstore trusted root.
    TrustedRoot,
    /// A public key the policy names.
    Key,
    /// The recording of an image's collection (every manifest, blob and referrer list the
    /// registry or layout gave; the bytes are kept beside it by SHA-256).
    Image,
}

impl Role {
    /// Whether the file is release evidence (as opposed to trust material or the policy).
    pub fn is_evidence(self) -> bool {
        !matches!(self, Self::Policy | Self::TrustedRoot | Self::Key)
    }

    /// The role's name, as the population column spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bundle => "bundle",
            Self::Attestations => "attestations",
            Self::Provenance => "provenance",
            Self::Sbom => "sbom",
            Self::Sarif => "sarif",
            Self::Sca => "sca",
            Self::Dast => "dast",
            Self::CiRun => "ci_run",
            Self::Review => "review",
            Self::Policy => "policy",
            Self::TrustedRoot => "trusted_root",
            Self::Key => "key",
            Self::Image => "image",
        }
    }
}

/// What shipped, as the release is planned (before any file is read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum SubjectPlan {
    /// An artifact file, hashed when tested.
    File(String),
    /// A digest (`sha256:HEX`).
    Digest(String),
    /// An image reference (a registry reference, `oci-layout:DIR`, `docker-archive:FILE`):
    /// collected once, with every answer recorded for the pack.
    Image(String),
    /// The population names no subject (a deviation).
    Missing,
}

/// Everything that decides how one release is tested: recorded in the pack, so a replay
/// plans the same test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleasePlan {
    /// The release id.
    pub id: String,
    /// What shipped.
    pub subject: SubjectPlan,
    /// The expected commit (`--commit`).
    pub commit: Option<String>,
    /// The policy file (the row's, else `--policy`).
    pub policy: Option<String>,
    /// `--trusted-root`, as given.
    pub trusted_root: Option<String>,
    /// Evidence files, in the order given (directories already expanded).
    pub evidence: Vec<(Role, String)>,
}

/// Reads a release's files: from disk for `audit run`, from the pack for `audit replay`.
pub trait FileSource {
    /// The bytes of the file at `location`, or why they cannot be read.
    fn read(&self, role: Role, location: &str) -> Result<Vec<u8>, String>;
    /// The artifact at `path`, hashed with `algorithms`.
    fn subject(&self, path: &str, algorithms: &[DigestAlgorithm]) -> Result<Subject, String>;
    /// The recording of the collection of the image `reference` (JSON, see
    /// [`provenant_collect::record::Recording`]): `audit run` collects it live and keeps the
    /// bytes it names; `audit replay` reads it from the pack.
    fn image(&self, reference: &str) -> Result<Vec<u8>, String>;
    /// Bytes kept by SHA-256 (lowercase hex): the manifests and blobs of a recording.
    fn blob(&self, sha256: &str) -> Option<Vec<u8>>;
}

/// One file a test read (or tried to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// What the file is to the release.
    pub role: Role,
    /// Its path as the population, the flags or the policy name it.
    pub location: String,
    /// SHA-256 of its bytes (lowercase hex); `None` when it could not be read.
    pub sha256: Option<String>,
    /// Why it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The verdict of one sampled release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemVerdict {
    /// Every required check passed.
    Pass,
    /// The engine's verdict was fail: a deviation.
    Fail,
    /// The release could not be tested (missing or unreadable evidence, unsupported subject):
    /// a deviation (AS 2315.40), never skipped.
    NotTested,
}

/// What testing one release found.
#[derive(Debug, Clone)]
pub struct Tested {
    /// The verdict.
    pub verdict: ItemVerdict,
    /// Codes of the failed checks, in report order.
    pub failed_checks: Vec<String>,
    /// Why the release is a deviation.
    pub cause: Option<String>,
    /// Whether an evidence source could not be reached.
    pub unreachable: bool,
    /// The subject as verified.
    pub subject: Option<Subject>,
    /// Every file read, in reading order.
    pub files: Vec<FileRecord>,
    /// The engine's report (none when not tested).
    pub report: Option<Report>,
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Why a release cannot be tested.
struct Untestable {
    cause: String,
    /// An evidence source could not be reached (exit 3).
    unreachable: bool,
}

impl From<String> for Untestable {
    fn from(cause: String) -> Self {
        Self {
            cause,
            unreachable: false,
        }
    }
}

struct Reader<'a> {
    source: &'a dyn FileSource,
    files: Vec<FileRecord>,
    /// Bytes read for this release so far: bounded in all, as `verify artifact` bounds them.
    total: u64,
}

impl Reader<'_> {
    fn read(&mut self, role: Role, location: &str) -> Result<Vec<u8>, String> {
        let r = self.source.read(role, location);
        self.record(role, location, r)
    }

    fn record(
        &mut self,
        role: Role,
        location: &str,
        r: Result<Vec<u8>, String>,
    ) -> Result<Vec<u8>, String> {
        self.files.push(FileRecord {
            role,
            location: location.to_owned(),
            sha256: r.as_ref().ok().map(|b| sha256_hex(b)),
            error: r.as_ref().err().cloned(),
        });
        let bytes = r.map_err(|e| format!("cannot read {} {location}: {e}", role.name()))?;
        self.total = self
            .total
            .saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
        let limit = provenant_formats::limits::MAX_EVIDENCE_TOTAL_BYTES;
        if self.total > limit {
            return Err(format!(
                "the files of this release total more than {limit} bytes (reached at {location}): give the evidence of one release"
            ));
        }
        Ok(bytes)
    }
}

/// Test one release with the engine, as of `now`. `xsd` validates CycloneDX XML SBOMs.
pub fn test_release(
    plan: &ReleasePlan,
    source: &dyn FileSource,
    xsd: Option<&dyn XmlSchemaValidator>,
    now: jiff::Timestamp,
) -> Tested {
    let mut reader = Reader {
        source,
        files: Vec::new(),
        total: 0,
    };
    match prepare(plan, &mut reader, xsd) {
        Ok((mut inputs, trust, policy)) => {
            // The report records every file read, as `verify artifact`'s does.
            inputs.files = reader.files.iter().filter_map(input_file).collect();
            let report = provenant_core::verify(&inputs, &trust, &policy, now);
            let failed_checks: Vec<String> = report
                .checks
                .iter()
                .filter(|c| c.outcome == Outcome::Fail)
                .map(|c| c.code.as_str().to_owned())
                .collect();
            let pass = report.verdict == Verdict::Pass;
            Tested {
                verdict: if pass {
                    ItemVerdict::Pass
                } else {
                    ItemVerdict::Fail
                },
                cause: (!pass).then(|| match failed_checks.as_slice() {
                    [] => "verification failed".to_owned(),
                    codes => format!("failed checks: {}", codes.join(", ")),
                }),
                failed_checks,
                unreachable: false,
                subject: Some(report.subject.clone()),
                files: reader.files,
                report: Some(report),
            }
        }
        Err(Untestable { cause, unreachable }) => Tested {
            verdict: ItemVerdict::NotTested,
            failed_checks: vec![],
            cause: Some(cause),
            unreachable,
            subject: None,
            files: reader.files,
            report: None,
        },
    }
}

fn prepare(
    plan: &ReleasePlan,
    reader: &mut Reader<'_>,
    xsd: Option<&dyn XmlSchemaValidator>,
) -> Result<(Inputs, TrustRoots, Policy), Untestable> {
    if plan.subject == SubjectPlan::Missing {
        return Err(String::from("the population names no subject for this release").into());
    }
    let policy = policy(plan, reader)?;
    let trust = trust(&policy, reader)?;
    let mut evidence = Vec::new();
    let mut sboms = Vec::new();
    let mut gates = Vec::new();
    let mut review = Vec::new();
    for (role, loc) in &plan.evidence {
        let bytes = reader.read(*role, loc)?;
        match role {
            Role::Sbom => sboms.push((loc.clone(), parse_sbom(&bytes, xsd))),
            Role::Sarif | Role::Sca | Role::Dast | Role::CiRun => {
                gates.push(gate_file(*role, loc, &bytes)?);
            }
            Role::Review => review.push(
                provenant_formats::json::parse_strict(&bytes)
                    .map_err(|e| format!("review {loc}: {e}"))?,
            ),
            _ => evidence.push(Evidence::from_bytes(loc.clone(), Found::Given, &bytes)),
        }
    }
    let mut inputs = match &plan.subject {
        SubjectPlan::Image(reference) => Inputs::new(
            Command::VerifyImage,
            Target::Image(Box::new(image(reference, reader, xsd)?)),
        ),
        _ => {
            let subject = subject(plan, reader, &evidence, &sboms, &policy, &trust)?;
            Inputs::new(Command::VerifyArtifact, Target::Artifact(subject))
        }
    };
    inputs.evidence = evidence;
    inputs.sboms = sboms;
    inputs.gates = gates;
    if !review.is_empty() {
        let mut r = provenant_formats::gate::review::parse_review_values(&review)
            .map_err(|e| format!("review: {e}"))?;
        r.sources = plan
            .evidence
            .iter()
            .filter(|(role, _)| *role == Role::Review)
            .map(|(_, l)| l.clone())
            .collect();
        inputs.review = Some(Ok(r));
    }
    Ok((inputs, trust, policy))
}

/// The image `reference`, collected again from its recording (offline, every digest checked
/// again): the same path for the run, right after the live collection, and for the replay.
fn image(
    reference: &str,
    reader: &mut Reader<'_>,
    xsd: Option<&dyn XmlSchemaValidator>,
) -> Result<ImageCollected, Untestable> {
    use provenant_collect::image::{replay_image, PlatformSelection};
    use provenant_collect::record::{Recording, Replayer};
    use provenant_collect::CollectError;
    let image = provenant_collect::parse_image_ref(reference)
        .map_err(|e| format!("image {reference}: {e}"))?;
    let r = reader.source.image(reference);
    let bytes = reader.record(Role::Image, reference, r)?;
    let recording = Recording::from_json(&bytes).map_err(|e| format!("image {reference}: {e}"))?;
    let source = reader.source;
    let replayer = Replayer::new(recording, &|sha: &str| source.blob(sha));
    match replay_image(&image, replayer, &PlatformSelection::None) {
        Ok(collected) => Ok(provenant_collect::inputs::image_collected(
            collected, reference, &image, None, false, xsd,
        )),
        Err(e @ (CollectError::Unreachable(_) | CollectError::Auth(_))) => Err(Untestable {
            cause: format!("image {reference}: {e}"),
            unreachable: true,
        }),
        Err(e) => Err(format!("image {reference}: {e}").into()),
    }
}

/// The policy the release is tested against: its file (if any), the expected commit, the
/// trusted root flag. An unusable policy file means the release cannot be tested.
pub fn resolve_policy(
    location: Option<&str>,
    bytes: Option<&[u8]>,
    commit: Option<&str>,
    trusted_root: Option<&str>,
) -> Result<Policy, String> {
    let file = match (location, bytes) {
        (Some(path), Some(bytes)) => {
            let document = parse_policy(bytes).map_err(|errors| {
                let first = errors.first().map(ToString::to_string).unwrap_or_default();
                format!("policy {path}: {first}; run `provenant policy lint {path}`")
            })?;
            let digest: Digest = format!("sha256:{}", sha256_hex(bytes))
                .parse()
                .map_err(|e| format!("policy {path}: {e}"))?;
            Some(PolicyFile {
                document,
                path: path.to_owned(),
                digest,
            })
        }
        _ => None,
    };
    let mut flags = PolicyFlags {
        scope: Scope::Verify,
        trusted_root: trusted_root.map(str::to_owned),
        ..PolicyFlags::default()
    };
    flags.source.commit = commit.map(str::to_owned);
    Policy::resolve_file(file, flags).map_err(|errors| {
        errors
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

fn policy(plan: &ReleasePlan, reader: &mut Reader<'_>) -> Result<Policy, String> {
    let bytes = match &plan.policy {
        Some(p) => Some(reader.read(Role::Policy, p)?),
        None => None,
    };
    resolve_policy(
        plan.policy.as_deref(),
        bytes.as_deref(),
        plan.commit.as_deref(),
        plan.trusted_root.as_deref(),
    )
}

fn trust(policy: &Policy, reader: &mut Reader<'_>) -> Result<TrustRoots, String> {
    let name = policy.trusted_root().unwrap_or("public-good");
    // An instance name is the embedded root unless a file of that name exists, as for
    // `verify artifact --trusted-root`.
    let sigstore = match (
        Instance::from_name(name),
        reader.source.read(Role::TrustedRoot, name),
    ) {
        (Some(i), Err(_)) => {
            TrustRoot::embedded(i).map_err(|e| format!("trusted root {name}: {e}"))?
        }
        (_, r) => {
            let bytes = reader.record(Role::TrustedRoot, name, r)?;
            TrustRoot::from_json(&bytes, name).map_err(|e| format!("trusted root {name}: {e}"))?
        }
    };
    let keys = match policy.signers() {
        Signers::Keys { files } => files
            .iter()
            .map(|k| {
                let pem = reader.read(Role::Key, k)?;
                let pem = String::from_utf8(pem).map_err(|_| format!("key {k} is not PEM text"))?;
                PublicKey::from_pem(&pem, k).map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, String>>()?,
        Signers::Keyless { .. } => vec![],
    };
    Ok(TrustRoots {
        sigstore,
        keys,
        layout_keys: vec![],
    })
}

fn gate_file(role: Role, location: &str, bytes: &[u8]) -> Result<GateFile, String> {
    let want = match role {
        Role::Sarif => GateKind::Sast,
        Role::Sca => GateKind::Sca,
        Role::Dast => GateKind::Dast,
        _ => GateKind::CiRun,
    };
    let reports = parse_gate(bytes);
    if let Ok(reports) = &reports {
        if let Some(r) = reports.iter().find(|r| r.kind != want) {
            return Err(format!(
                "{location} is a {} report ({}), not what the {} column takes",
                r.kind.as_str(),
                r.format,
                role.name()
            ));
        }
    }
    Ok(GateFile {
        location: location.to_owned(),
        reports,
    })
}

fn subject(
    plan: &ReleasePlan,
    reader: &Reader<'_>,
    evidence: &[Evidence],
    sboms: &[provenant_core::SbomFile],
    policy: &Policy,
    trust: &TrustRoots,
) -> Result<Subject, String> {
    match &plan.subject {
        SubjectPlan::File(path) => {
            let algs = provenant_core::algorithms_needed(evidence, sboms, policy, trust, false);
            reader
                .source
                .subject(path, &algs)
                .map_err(|e| format!("cannot read artifact {path}: {e}"))
        }
        SubjectPlan::Digest(d) => Ok(Subject {
            kind: SubjectKind::Digest,
            name: None,
            digests: vec![d.parse().map_err(|e| format!("subject {d}: {e}"))?],
            size: None,
        }),
        SubjectPlan::Image(_) | SubjectPlan::Missing => Err("no subject".into()),
    }
}

/// A file read for a release, as the report's `inputs` list records it.
fn input_file(f: &FileRecord) -> Option<provenant_model::InputFile> {
    use provenant_model::InputRole;
    let role = match f.role {
        Role::Bundle | Role::Attestations | Role::Provenance | Role::Image => InputRole::Evidence,
        Role::Sbom => InputRole::Sbom,
        Role::Sarif | Role::Sca | Role::Dast | Role::CiRun => InputRole::GateReport,
        Role::Review => InputRole::Review,
        Role::Policy => InputRole::Policy,
        Role::TrustedRoot => InputRole::TrustedRoot,
        Role::Key => InputRole::Key,
    };
    let sha256 = format!("sha256:{}", f.sha256.as_deref()?).parse().ok()?;
    Some(provenant_model::InputFile {
        role,
        location: f.location.clone(),
        sha256,
    })
}
