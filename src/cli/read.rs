//! Reading what the flags name into the library's inputs: policy and Rego files, keys, the
//! trusted root, evidence, SBOMs, gate reports, review documents, layouts and their links.
//! Every read is bounded; an unreadable file is a usage error (exit 2). Nothing here judges.

use std::path::Path;

use provenant_core::gates::{parse_waivers, Waiver};
use provenant_core::{Evidence, Found, GateFile, HistorySource, LayoutEvidence, TrustRoots};
use provenant_formats::gate::{parse_gate, GateKind, MAX_GATE_REPORT_BYTES};
use provenant_formats::limits::{
    MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES, MAX_EVIDENCE_TOTAL_BYTES, MAX_KEY_BYTES,
    MAX_TRUSTED_ROOT_BYTES, MAX_WAIVERS_BYTES,
};
use provenant_model::{Digest, DigestAlgorithm, InputFile, InputRole};
use provenant_policy::{
    parse_policy, Policy, PolicyFile, PolicyFlags, RegoModule, Signers, MAX_POLICY_BYTES,
    MAX_REGO_BYTES,
};
use provenant_verify::{Instance, PublicKey, TrustRoot};

use super::args::GateArgs;
use super::common::{read_limited, CliError};

fn sha256(bytes: &[u8]) -> Result<Digest, CliError> {
    provenant_verify::digest_reader(bytes, &[DigestAlgorithm::Sha256])
        .ok()
        .and_then(|(d, _)| d.into_iter().next())
        .ok_or_else(|| CliError::Input("cannot hash a file read".into()))
}

thread_local! {
    /// Every file read on this thread since the last [`take_files`], with its SHA-256.
    static READ: std::cell::RefCell<Vec<InputFile>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Record that `bytes` were read from `location` as `role` (hashed as read, so the report
/// names exactly the bytes that were judged).
pub fn record(role: InputRole, location: &str, bytes: &[u8]) {
    let Ok(sha256) = sha256(bytes) else { return };
    let f = InputFile {
        role,
        location: location.to_owned(),
        sha256,
    };
    READ.with(|r| {
        let mut r = r.borrow_mut();
        if !r.contains(&f) {
            r.push(f);
        }
    });
}

/// Every file read on this thread since the last call, for the report's `inputs` (a verify
/// command reads on one thread, then calls this once before the engine).
pub fn take_files() -> Vec<InputFile> {
    READ.with(|r| std::mem::take(&mut *r.borrow_mut()))
}

/// Read and parse a policy file; any error refuses it (exit 2) with its line.
pub fn policy_file(path: &str) -> Result<PolicyFile, CliError> {
    let bytes = read_limited(path, MAX_POLICY_BYTES, "policy file")?;
    record(InputRole::Policy, path, &bytes);
    let document = parse_policy(&bytes).map_err(|errors| {
        let first = errors.first().map(ToString::to_string).unwrap_or_default();
        let more = match errors.len() {
            0 | 1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        CliError::Input(format!(
            "policy {path}: {first}{more}; run `provenant policy lint {path}` for every finding"
        ))
    })?;
    Ok(PolicyFile {
        document,
        path: path.to_owned(),
        digest: sha256(&bytes)?,
    })
}

/// Read every --rego module.
pub fn rego(paths: &[String]) -> Result<Vec<RegoModule>, CliError> {
    if paths.len() > provenant_policy::MAX_REGO_MODULES {
        return Err(CliError::Input(format!(
            "{} --rego files; at most {} are read",
            paths.len(),
            provenant_policy::MAX_REGO_MODULES
        )));
    }
    paths
        .iter()
        .map(|p| {
            let bytes = read_limited(p, MAX_REGO_BYTES, "Rego policy")?;
            record(InputRole::Rego, p, &bytes);
            let digest = sha256(&bytes)?;
            let source = String::from_utf8(bytes)
                .map_err(|_| CliError::Input(format!("Rego policy {p} is not UTF-8 text")))?;
            Ok(RegoModule {
                location: p.clone(),
                digest: Some(digest),
                source,
            })
        })
        .collect()
}

/// The --waivers file, parsed.
pub fn waivers(path: Option<&str>) -> Result<Option<Vec<Waiver>>, CliError> {
    path.map(|f| {
        let bytes = read_limited(f, MAX_WAIVERS_BYTES, "waivers file")?;
        record(InputRole::Waivers, f, &bytes);
        parse_waivers(&bytes).map_err(|e| CliError::Input(format!("{f}: {e}")))
    })
    .transpose()
}

/// Read the policy file (if any) and resolve it with the flags into one validated policy.
pub fn resolve(policy: Option<&str>, flags: PolicyFlags) -> Result<Policy, CliError> {
    let file = policy.map(policy_file).transpose()?;
    Policy::resolve_file(file, flags).map_err(|errors| {
        CliError::Input(
            errors
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// Read and parse every key file.
pub fn keys(paths: &[String]) -> Result<Vec<PublicKey>, CliError> {
    paths
        .iter()
        .map(|k| {
            let pem = read_limited(k, MAX_KEY_BYTES, "key")?;
            record(InputRole::Key, k, &pem);
            let pem = String::from_utf8(pem)
                .map_err(|_| CliError::Input(format!("key {k} is not PEM text")))?;
            PublicKey::from_pem(&pem, k).map_err(|e| CliError::Input(e.to_string()))
        })
        .collect()
}

/// The trusted root: an embedded instance by name, or a file.
pub fn trusted_root(arg: Option<&str>) -> Result<TrustRoot, CliError> {
    let arg = arg.unwrap_or("public-good");
    if let Some(i) = Instance::from_name(arg) {
        if !Path::new(arg).exists() {
            record(
                InputRole::TrustedRoot,
                &format!("embedded:{}", i.name()),
                i.json().as_bytes(),
            );
            return TrustRoot::embedded(i)
                .map_err(|e| CliError::Input(format!("embedded trusted root {arg}: {e}")));
        }
    }
    let bytes = read_limited(arg, MAX_TRUSTED_ROOT_BYTES, "trusted root")?;
    record(InputRole::TrustedRoot, arg, &bytes);
    TrustRoot::from_json(&bytes, arg).map_err(|e| {
        CliError::Input(format!(
            "{arg}: {e}; give a Sigstore trusted_root.json, or one of public-good, staging, github"
        ))
    })
}

/// The trust material the policy names: the trusted root, its key signers, the layout keys.
pub fn trust_roots(policy: &Policy, layout_keys: &[String]) -> Result<TrustRoots, CliError> {
    let sigstore = trusted_root(policy.trusted_root())?;
    let keys = match policy.signers() {
        Signers::Keys { files } => keys(files)?,
        Signers::Keyless { .. } => vec![],
    };
    Ok(TrustRoots {
        sigstore,
        keys,
        layout_keys: keys_or_none(layout_keys)?,
    })
}

fn keys_or_none(paths: &[String]) -> Result<Vec<PublicKey>, CliError> {
    if paths.is_empty() {
        Ok(vec![])
    } else {
        keys(paths)
    }
}

/// Every evidence file named by --bundle, --provenance and --attestations (directories are
/// read one level deep, in name order).
pub fn evidence_paths(
    bundle: &[String],
    provenance: &[String],
    attestations: &[String],
) -> Result<Vec<String>, CliError> {
    let mut out: Vec<String> = bundle.iter().chain(provenance).cloned().collect();
    for p in attestations {
        if !Path::new(p).is_dir() {
            out.push(p.clone());
            continue;
        }
        let rd = std::fs::read_dir(p)
            .map_err(|e| CliError::Input(format!("cannot read directory {p}: {e}")))?;
        let mut files: Vec<String> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|e| e.is_file())
            .map(|e| e.to_string_lossy().into_owned())
            .collect();
        files.sort();
        if files.len() > MAX_EVIDENCE_FILES {
            return Err(CliError::Input(format!(
                "--attestations {p}: {} files, more than the limit of {MAX_EVIDENCE_FILES}; point it at the attestations of one release",
                files.len(),
            )));
        }
        if files.is_empty() {
            return Err(CliError::Input(format!(
                "--attestations {p}: the directory holds no files"
            )));
        }
        out.extend(files);
    }
    Ok(out)
}

/// Read evidence files, bounded one by one and in all (parsed evidence is held until the
/// verdict): by the files' sizes before anything is read, and by what was read.
pub fn evidence(paths: &[String]) -> Result<Vec<Evidence>, CliError> {
    let too_much = |b: &str| {
        CliError::Input(format!(
            "the evidence files given total more than {MAX_EVIDENCE_TOTAL_BYTES} bytes (reached at {b}); give the evidence of one release"
        ))
    };
    let mut total = 0u64;
    for b in paths {
        total = total.saturating_add(std::fs::metadata(b).map_or(0, |m| m.len()));
        if total > MAX_EVIDENCE_TOTAL_BYTES {
            return Err(too_much(b));
        }
    }
    let mut total = 0u64;
    let mut out = Vec::with_capacity(paths.len());
    for b in paths {
        let bytes = read_limited(b, MAX_EVIDENCE_BYTES, "evidence file")?;
        record(InputRole::Evidence, b, &bytes);
        total = total.saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
        if total > MAX_EVIDENCE_TOTAL_BYTES {
            return Err(too_much(b));
        }
        out.push(Evidence::from_bytes(b.clone(), Found::Given, &bytes));
    }
    Ok(out)
}

/// Without evidence flags: FILE.sigstore.json, FILE.sigstore or FILE.bundle beside the file.
pub fn evidence_beside(file: &str) -> Result<Vec<Evidence>, CliError> {
    for suffix in [".sigstore.json", ".sigstore", ".bundle"] {
        let p = format!("{file}{suffix}");
        if Path::new(&p).is_file() {
            let bytes = read_limited(&p, MAX_EVIDENCE_BYTES, "evidence file")?;
            record(InputRole::Evidence, &p, &bytes);
            return Ok(vec![Evidence::from_bytes(p, Found::Beside, &bytes)]);
        }
    }
    Ok(vec![])
}

/// Every --sbom file, parsed (a parse failure is judged in the report).
pub fn sboms(paths: &[String]) -> Result<Vec<provenant_core::SbomFile>, CliError> {
    paths
        .iter()
        .map(|p| {
            let bytes = read_limited(p, provenant_formats::limits::MAX_SBOM_BYTES, "SBOM")?;
            record(InputRole::Sbom, p, &bytes);
            Ok((p.clone(), super::sbom::parse_loaded(&bytes)))
        })
        .collect()
}

/// Every gate report file. A file that is not a gate report is judged (a failed check); a
/// report of another kind than its flag says is refused (exit 2).
pub fn gate_files(a: &GateArgs) -> Result<Vec<GateFile>, CliError> {
    let mut out = Vec::new();
    let groups: [(&[String], &str, GateKind); 4] = [
        (&a.sarif, "--sarif", GateKind::Sast),
        (&a.sca, "--sca", GateKind::Sca),
        (&a.dast, "--dast", GateKind::Dast),
        (&a.ci_run, "--ci-run", GateKind::CiRun),
    ];
    for (files, flag, want) in groups {
        for f in files {
            let bytes = read_limited(f, MAX_GATE_REPORT_BYTES, "gate report")?;
            record(InputRole::GateReport, f, &bytes);
            let reports = parse_gate(&bytes);
            if let Ok(reports) = &reports {
                if let Some(r) = reports.iter().find(|r| r.kind != want) {
                    // Classified by its tool, not its format: a grype SARIF log is SCA.
                    let right = groups
                        .iter()
                        .find(|(_, _, k)| *k == r.kind)
                        .map_or("the flag of its kind", |(_, flag, _)| flag);
                    return Err(CliError::Input(format!(
                        "{f} is a {} report ({} by {}), not what {flag} takes; give it with {right}",
                        r.kind.as_str(),
                        r.format,
                        r.tool
                    )));
                }
            }
            out.push(GateFile {
                location: f.clone(),
                reports,
            });
        }
    }
    Ok(out)
}

/// The --review files, parsed as one change (`None` without the flag).
pub fn review(
    files: &[String],
) -> Result<
    Option<
        Result<provenant_formats::gate::review::ChangeReview, provenant_formats::gate::GateError>,
    >,
    CliError,
> {
    if files.is_empty() {
        return Ok(None);
    }
    let mut values = Vec::new();
    for f in files {
        let bytes = read_limited(f, MAX_GATE_REPORT_BYTES, "review file")?;
        record(InputRole::Review, f, &bytes);
        let v = provenant_formats::json::parse_strict(&bytes)
            .map_err(|e| CliError::Input(format!("{f}: {e}")))?;
        values.push(v);
    }
    let mut r = provenant_formats::gate::review::parse_review_values(&values)
        .map_err(|e| CliError::Input(format!("{}: {e}", files.join(", "))))?;
    r.sources = files.to_vec();
    Ok(Some(Ok(r)))
}

/// The release branch of a local clone, read through the hardened git runner.
struct GitClone {
    dir: String,
    branch: String,
}

impl HistorySource for GitClone {
    fn history(
        &self,
        commit: &str,
    ) -> Result<provenant_formats::gate::review::GitHistory, provenant_core::HistoryError> {
        provenant_collect::git::history(
            Path::new(&self.dir),
            &self.branch,
            commit,
            provenant_collect::git::DEFAULT_GIT_TIMEOUT,
        )
        .map_err(|e| provenant_core::HistoryError {
            clone: self.dir.clone(),
            error: Box::new(e),
        })
    }
}

/// `--git-dir` and `--release-branch` as a history source.
pub fn history(a: &GateArgs) -> Option<Box<dyn HistorySource>> {
    match (&a.git_dir, &a.release_branch) {
        (Some(dir), Some(branch)) => Some(Box::new(GitClone {
            dir: dir.clone(),
            branch: branch.clone(),
        })),
        _ => None,
    }
}

/// A layout and its links directory (default: the layout's directory); `file` is the
/// artifact, whose base name the links record.
pub fn layout(
    path: &str,
    links: Option<&str>,
    file: Option<&str>,
) -> Result<LayoutEvidence, CliError> {
    let bytes = read_limited(path, MAX_EVIDENCE_BYTES, "layout")?;
    record(InputRole::Layout, path, &bytes);
    let dir = match links {
        Some(d) => std::path::PathBuf::from(d),
        None => Path::new(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    let dir = if dir.as_os_str().is_empty() {
        std::path::PathBuf::from(".")
    } else {
        dir
    };
    // In-toto records relative paths: a file is named by its base name.
    let artifact_name = file.map(|n| {
        Path::new(n)
            .file_name()
            .map_or_else(|| n.to_owned(), |x| x.to_string_lossy().into_owned())
    });
    Ok(LayoutEvidence {
        bytes,
        location: path.to_owned(),
        links: Box::new(LinkDir::open(&dir)?),
        artifact_name,
    })
}

/// The `*.link` files of a links directory, read one at a time when the verifier asks for one.
struct LinkDir {
    files: std::collections::BTreeMap<String, std::path::PathBuf>,
}

impl LinkDir {
    fn open(dir: &Path) -> Result<Self, CliError> {
        use provenant_formats::layout::MAX_LINK_FILES;
        let rd = std::fs::read_dir(dir).map_err(|e| {
            CliError::Input(format!(
                "cannot read the links directory {}: {e}; give it with --links DIR",
                dir.display()
            ))
        })?;
        let mut files = std::collections::BTreeMap::new();
        for entry in rd.filter_map(Result::ok) {
            let path = entry.path();
            // A name that is not UTF-8 cannot be `<step>.<keyid>.link` for any step.
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !name.ends_with(".link") || !path.is_file() {
                continue;
            }
            files.insert(name.to_owned(), path.clone());
            if files.len() > MAX_LINK_FILES {
                return Err(CliError::Input(format!(
                    "{} holds more than {MAX_LINK_FILES} link files; at most {MAX_LINK_FILES} are read",
                    dir.display()
                )));
            }
        }
        Ok(Self { files })
    }
}

impl provenant_verify::layout::LinkSource for LinkDir {
    fn names(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }

    fn read(&self, name: &str) -> Result<Vec<u8>, provenant_verify::layout::LinkReadError> {
        use provenant_formats::layout::MAX_LINK_BYTES;
        use provenant_verify::layout::LinkReadError;
        use std::io::Read as _;
        let unreadable = |e: std::io::Error| LinkReadError::Unreadable(e.to_string());
        let path = self
            .files
            .get(name)
            .ok_or_else(|| LinkReadError::Unreadable("no such link file".into()))?;
        let file = super::common::open_regular(path).map_err(unreadable)?;
        // Refuse a large file by its size, unread; `take` guards a file that grows meanwhile.
        let size = file.metadata().map_err(unreadable)?.len();
        if size > MAX_LINK_BYTES {
            return Err(LinkReadError::TooLarge { size });
        }
        let mut buf = Vec::new();
        file.take(MAX_LINK_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(unreadable)?;
        let read = u64::try_from(buf.len()).unwrap_or(u64::MAX);
        if read > MAX_LINK_BYTES {
            return Err(LinkReadError::TooLarge { size: read });
        }
        Ok(buf)
    }
}

/// The policy flags of a verify command: signer, source, SBOM and gate groups, the --waivers
/// and --rego files read.
pub fn policy_flags(
    signer: &super::args::SignerArgs,
    source: &super::args::SourceArgs,
    sbom: &super::args::SbomArgs,
    gates: &GateArgs,
    rego: Vec<provenant_policy::RegoModule>,
) -> Result<provenant_policy::PolicyFlags, CliError> {
    Ok(provenant_policy::PolicyFlags {
        scope: provenant_policy::Scope::Verify,
        certificate_identity: signer.certificate_identity.clone(),
        certificate_identity_regexp: signer.certificate_identity_regexp.clone(),
        certificate_oidc_issuer: signer.certificate_oidc_issuer.clone(),
        certificate_oidc_issuer_regexp: signer.certificate_oidc_issuer_regexp.clone(),
        keys: signer.key.clone(),
        // --threshold defaults to 1: 1 lets a policy file's threshold count.
        threshold: (signer.threshold != 1).then_some(signer.threshold),
        insecure_ignore_tlog: signer.insecure_ignore_tlog,
        trusted_root: signer.trusted_root.clone(),
        source: source.policy(),
        repository: None,
        require_sbom: sbom.require_sbom,
        gates: gates.flags(waivers(gates.waivers.as_deref())?),
        rego,
    })
}
