//! `provenant policy init | lint`, and `--policy` / `--rego` on the verify commands: the policy
//! file fills in every flag not given on the command line (a flag given wins), then the policy
//! checks and Rego run over the finished report. Policy checks can turn a pass into a failure,
//! never a failure into a pass.

use std::fmt::Write as _;
use std::path::Path;

use clap::{Args, Subcommand};

use provenant_core::gates::{GateRequirement, Waiver};
use provenant_core::sbom::SbomRequirements;
use provenant_formats::sbom::{ParsedSbom, SbomError, SbomStandard};
use provenant_model::{
    Check, CheckCode, Digest, DigestAlgorithm, EvidenceKind, EvidenceRef, Outcome, Report, Verdict,
};
use provenant_policy::{
    keyless_matchers, lint_policy, parse_policy, InspectionMode, MatcherSpec, PolicyDocument,
    RegoModule, SbomFormat, Severity, SourcePolicy, MAX_POLICY_BYTES, MAX_REGO_BYTES,
    STARTER_POLICY,
};
use provenant_report::sanitize::terminal_line;

use super::gates::{GateArgs, GatesArgs};
use super::verify::{now_rfc3339, ArtifactArgs, VerifyCommand};
use super::{emit, read_limited, CliError};

/// Policy files.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Write a commented starting policy (to stdout, or --out FILE).
    Init(InitArgs),
    /// Check a policy file: unknown keys, wrong types, impossible or contradictory rules,
    /// expired waivers, and identity regexps without ^...$ or with unescaped dots, each with its
    /// line number. Exit 0 when there are no errors (warnings are printed), 1 with errors, 2 when
    /// the file cannot be read.
    Lint(LintArgs),
}

/// Arguments of `provenant policy init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Write the policy to FILE instead of stdout (an existing file is kept unless --force).
    #[arg(long, value_name = "FILE")]
    pub out: Option<String>,
    /// Overwrite --out FILE if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// The GitHub repository the releases come from, OWNER/REPO (fills in the placeholders).
    #[arg(long, value_name = "OWNER/REPO", value_parser = provenant_policy::grammar::owner_repo)]
    pub repo: Option<String>,
}

/// Arguments of `provenant policy lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The policy file (YAML or JSON).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Treat every warning as an error (exit 1): unanchored or wide-open identity regexps
    /// (one that also accepts another host, owner, repository or workflow file), unescaped
    /// dots, signers without an issuer, and the rest `policy lint` warns about.
    #[arg(long)]
    pub strict: bool,
}

/// The policy file that was applied.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// As given on the command line.
    pub path: String,
    /// sha256 of its bytes.
    pub digest: Digest,
}

/// SBOM requirements a policy adds beyond the flags.
#[derive(Debug, Clone, Default)]
pub struct SbomPolicy {
    /// `sbom.bindingRequired`.
    pub binding_required: bool,
    /// `sbom.formats` (none: any).
    pub formats: Option<Vec<SbomFormat>>,
    /// NTIA, dependencies and coverage floors.
    pub requirements: SbomRequirements,
}

impl SbomPolicy {
    /// An SBOM in a format the policy does not allow becomes an invalid SBOM.
    pub fn allow_format(
        &self,
        parsed: Result<ParsedSbom, SbomError>,
    ) -> Result<ParsedSbom, SbomError> {
        let (Some(formats), Ok(p)) = (&self.formats, &parsed) else {
            return parsed;
        };
        let format = match p.sbom.standard {
            SbomStandard::CycloneDx => SbomFormat::Cyclonedx,
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
                names(formats)
            ),
        })
    }
}

fn names(formats: &[SbomFormat]) -> String {
    formats
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What --policy and --rego add to a verify command beyond the flags.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// The policy file, when one was given.
    pub loaded: Option<Loaded>,
    /// Groups of alternatives (builders, refs, predicate types listed more than once).
    pub any_of: Vec<Vec<SourcePolicy>>,
    /// `provenance.required`.
    pub provenance_required: bool,
    /// `sbom.*`.
    pub sbom: SbomPolicy,
    /// `layout.inspections: fail`.
    pub inspections_fail: bool,
    /// The --rego modules, read.
    pub rego: Vec<RegoModule>,
    /// --write-rego-input.
    pub write_rego_input: Option<String>,
}

fn sha256(bytes: &[u8]) -> Result<Digest, CliError> {
    provenant_verify::digest_reader(bytes, &[DigestAlgorithm::Sha256])
        .ok()
        .and_then(|(d, _)| d.into_iter().next())
        .ok_or_else(|| CliError::Input("cannot hash the policy file".into()))
}

/// Read and parse a policy file; any error refuses it (exit 2) with its line.
fn load(path: &str) -> Result<(PolicyDocument, Loaded), CliError> {
    let bytes = read_limited(path, MAX_POLICY_BYTES, "policy file")?;
    let doc = parse_policy(&bytes).map_err(|errors| {
        let first = errors.first().map(ToString::to_string).unwrap_or_default();
        let more = match errors.len() {
            0 | 1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        CliError::Input(format!(
            "policy {path}: {first}{more}; run `provenant policy lint {path}` for every finding"
        ))
    })?;
    let digest = sha256(&bytes)?;
    Ok((
        doc,
        Loaded {
            path: path.to_owned(),
            digest,
        },
    ))
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

fn read_rego(paths: &[String]) -> Result<Vec<RegoModule>, CliError> {
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

/// One value, or a group of alternatives: `set` gets a single value; several become a group.
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

/// `--policy` and `--rego` for `verify artifact` and `verify image`.
pub fn apply_verify(cmd: &mut VerifyCommand) -> Result<(), CliError> {
    match cmd {
        VerifyCommand::Artifact(a) | VerifyCommand::Image(a) => apply(a),
    }
}

/// Fill the flags not given from `--policy`, and read `--rego`.
pub fn apply(a: &mut ArtifactArgs) -> Result<(), CliError> {
    let mut extras = Extras {
        rego: read_rego(&a.rego)?,
        write_rego_input: a.write_rego_input.clone(),
        ..Extras::default()
    };
    let Some(path) = a.policy.clone() else {
        a.policy_extras = extras;
        return Ok(());
    };
    let (doc, loaded) = load(&path)?;

    // Signers: any signer flag replaces the file's signers (and threshold).
    let signer_flags = a.certificate_identity.is_some()
        || a.certificate_identity_regexp.is_some()
        || a.certificate_oidc_issuer.is_some()
        || a.certificate_oidc_issuer_regexp.is_some()
        || !a.key.is_empty();
    if let (false, Some(signers)) = (signer_flags, &doc.signers) {
        let keys: Vec<String> = signers
            .iter()
            .filter_map(|s| s.key.as_deref())
            .map(|k| relative(&path, k))
            .collect();
        if keys.is_empty() {
            let (identity, issuer) = keyless_matchers(signers)
                .map_err(|e| CliError::Input(format!("policy {path}: signers: {e}")))?;
            match identity {
                Some(MatcherSpec::Exact(s)) => a.certificate_identity = Some(s),
                Some(MatcherSpec::Regexp(r)) => a.certificate_identity_regexp = Some(r),
                None => {}
            }
            match issuer {
                Some(MatcherSpec::Exact(s)) => a.certificate_oidc_issuer = Some(s),
                Some(MatcherSpec::Regexp(r)) => a.certificate_oidc_issuer_regexp = Some(r),
                None => {}
            }
        } else {
            a.key = keys;
            // --threshold defaults to 1: a value given on the command line wins over the file.
            if let (Some(t), 1) = (doc.threshold, a.threshold) {
                a.threshold = t;
            }
        }
    }
    a.insecure_ignore_tlog |= doc.insecure_ignore_tlog;
    if a.trusted_root.is_none() {
        a.trusted_root = doc.trusted_root.as_deref().map(|t| {
            if provenant_verify::Instance::from_name(t).is_some() {
                t.to_owned()
            } else {
                relative(&path, t)
            }
        });
    }

    // Builders, refs and predicate types: one value fills the flag, several are alternatives.
    let mut groups = Vec::new();
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
        one_or_group(alts, |v| a.builder_id = v.builder_id, &mut groups);
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
            &mut groups,
        );
    }
    let fill = |flag: &mut Option<String>, file: &Option<String>| {
        if flag.is_none() {
            flag.clone_from(file);
        }
    };
    fill(&mut a.source_uri, &src.repository);
    fill(&mut a.repo, &src.repo);
    fill(&mut a.owner, &src.owner);
    fill(&mut a.source_ref, &src.reference);
    fill(&mut a.commit, &src.commit);
    fill(&mut a.source_digest, &src.source_digest);
    fill(&mut a.signer_repo, &src.signer_repo);
    fill(&mut a.signer_workflow, &src.signer_workflow);

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
        one_or_group(alts, |v| a.predicate_type = v.predicate_type, &mut groups);
    }
    a.deny_self_hosted_runners |= prov.deny_self_hosted_runners;
    if a.build_workflow_input.is_empty() {
        a.build_workflow_input = prov
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
        fill(&mut a.package_name, &p.name);
        fill(&mut a.package_version, &p.version);
    }
    extras.provenance_required = prov.required;

    if let Some(s) = &doc.sbom {
        a.require_sbom |= s.required;
        extras.sbom = SbomPolicy {
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
    fill_gates(&mut a.gates, &doc, &path)?;
    extras.inspections_fail = doc
        .layout
        .is_some_and(|l| l.inspections == InspectionMode::Fail);
    extras.any_of = groups;
    extras.loaded = Some(loaded);
    a.policy_extras = extras;
    Ok(())
}

/// The gate flags not given, from the policy's `gates` and `waivers`.
fn fill_gates(g: &mut GateArgs, doc: &PolicyDocument, path: &str) -> Result<(), CliError> {
    if let Some(gates) = &doc.gates {
        if g.require_gate.is_empty() {
            g.require_gate = gates
                .required
                .iter()
                .map(|r| {
                    GateRequirement::parse(r).map_err(|e| {
                        CliError::Input(format!("policy {path}: gates.required {r:?}: {e}"))
                    })
                })
                .collect::<Result<_, _>>()?;
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
                .and_then(|k| provenant_formats::gate::Severity::parse_known(k.as_str()));
        }
        if let Some(r) = &gates.review {
            g.require_review |= r.required;
            // --min-approvals defaults to 1: the file's value counts unless a larger one is given.
            if let Some(n) = r.min_approvals {
                g.min_approvals = g.min_approvals.max(n);
            }
            if g.allowed_merge_method.is_empty() {
                g.allowed_merge_method.clone_from(&r.allowed_merge_methods);
            }
            g.accept_approvals_without_commit |= r.accept_approvals_without_commit;
        }
    }
    if g.waivers.is_none() {
        g.policy_waivers = doc
            .waivers
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
            .collect();
    }
    Ok(())
}

/// `--policy` and `--rego` for `provenant gates`: the gates, waivers, source.commit and
/// source.repository (or source.repo) sections.
pub fn apply_gates(a: &mut GatesArgs) -> Result<(), CliError> {
    let mut extras = Extras {
        rego: read_rego(&a.rego)?,
        write_rego_input: a.write_rego_input.clone(),
        ..Extras::default()
    };
    if let Some(path) = a.policy.clone() {
        let (doc, loaded) = load(&path)?;
        if a.commit.is_none() {
            a.commit = doc.source.as_ref().and_then(|s| s.commit.clone());
        }
        if a.repo.is_none() {
            a.repo = doc
                .source
                .as_ref()
                .and_then(|s| s.repository.clone().or_else(|| s.repo.clone()));
        }
        fill_gates(&mut a.gates, &doc, &path)?;
        extras.loaded = Some(loaded);
    }
    a.policy_extras = extras;
    Ok(())
}

/// `layout.inspections: fail`: inspections provenant did not run fail the verification.
pub fn layout_inspections(extras: &Extras, checks: Vec<Check>) -> Vec<Check> {
    if !extras.inspections_fail {
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

/// The verdict after policy checks: never better than before them.
fn verdict(before: Verdict, checks: &[Check]) -> Verdict {
    match before {
        Verdict::Fail => Verdict::Fail,
        Verdict::Pass => Verdict::from_checks(checks),
    }
}

/// The policy's own checks and the Rego policies, over the finished report.
pub fn finalize(extras: &Extras, mut report: Report) -> Result<Report, CliError> {
    if extras.loaded.is_none() && extras.rego.is_empty() && extras.write_rego_input.is_none() {
        return Ok(report);
    }
    let before = report.verdict;
    let mut added = Vec::new();
    if let Some(l) = &extras.loaded {
        added.push(Check::pass(
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
    let verified = report.signatures.iter().filter(|s| s.verified);
    if extras.provenance_required {
        let with: Vec<&str> = verified
            .clone()
            .filter(|s| s.provenance.is_some())
            .map(|s| s.evidence.location.as_str())
            .collect();
        let ev = vec![EvidenceRef::new(
            EvidenceKind::Flag,
            "policy provenance.required",
        )];
        added.push(if with.is_empty() {
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
    if let Some(formats) = &extras.sbom.formats {
        for s in verified {
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
                added.push(Check::fail(
                    CheckCode::SbomInvalid,
                    format!(
                        "{}: an SBOM attestation in {}, not a format the policy allows ({})",
                        s.evidence.location,
                        format.as_str(),
                        names(formats)
                    ),
                    vec![s.evidence.clone()],
                ));
            }
        }
    }
    report.checks.extend(added);
    report.verdict = verdict(before, &report.checks);
    if extras.rego.is_empty() && extras.write_rego_input.is_none() {
        return Ok(report);
    }
    let input = provenant_policy::rego_input(
        &report,
        extras.loaded.as_ref().map(|l| (l.path.as_str(), &l.digest)),
    );
    if let Some(p) = &extras.write_rego_input {
        let mut text = Vec::new();
        provenant_report::sanitize::write_json_pretty(&mut text, &input)
            .map_err(|e| CliError::Input(format!("cannot write the Rego input: {e}")))?;
        std::fs::write(p, text)
            .map_err(|e| CliError::Input(format!("cannot write the Rego input to {p}: {e}")))?;
    }
    let checks = provenant_policy::evaluate_rego(&extras.rego, &input);
    report.checks.extend(checks);
    report.verdict = verdict(before, &report.checks);
    Ok(report)
}

/// Run a `policy` subcommand.
pub fn run(cmd: PolicyCommand) -> Result<u8, CliError> {
    match cmd {
        PolicyCommand::Init(a) => init(&a),
        PolicyCommand::Lint(a) => lint(&a),
    }
}

fn init(a: &InitArgs) -> Result<u8, CliError> {
    let text = match &a.repo {
        Some(r) => {
            let Some((owner, repo)) = r.split_once('/').filter(|(o, r)| {
                let ok = |s: &str| {
                    !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                };
                ok(o) && ok(r)
            }) else {
                return Err(CliError::Input(format!(
                    "--repo {r:?}: write it as OWNER/REPO (letters, digits, - _ .)"
                )));
            };
            let esc = |s: &str| s.replace('.', "\\.");
            // The regexp placeholders first (escaped), then the plain ones.
            STARTER_POLICY
                .replace(
                    "github\\.com/OWNER/REPO/",
                    &format!("github\\.com/{}/{}/", esc(owner), esc(repo)),
                )
                .replace("OWNER/REPO", &format!("{owner}/{repo}"))
        }
        None => STARTER_POLICY.to_owned(),
    };
    match &a.out {
        None => emit(text.as_bytes()),
        Some(path) => {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true);
            if a.force {
                opts.create(true).truncate(true);
            } else {
                opts.create_new(true);
            }
            let mut f = opts.open(path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    CliError::Input(format!(
                        "{path} exists; pass --force to overwrite it, or choose another --out"
                    ))
                } else {
                    CliError::Input(format!("cannot write {path}: {e}"))
                }
            })?;
            std::io::Write::write_all(&mut f, text.as_bytes())
                .map_err(|e| CliError::Input(format!("cannot write {path}: {e}")))?;
            emit(
                format!(
                    "wrote {path}; edit it, then check it with `provenant policy lint {path}`\n"
                )
                .as_bytes(),
            );
        }
    }
    Ok(0)
}

fn lint(a: &LintArgs) -> Result<u8, CliError> {
    let bytes = read_limited(&a.file, MAX_POLICY_BYTES, "policy file")?;
    if std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes)).is_err() {
        return Err(CliError::Input(format!(
            "policy file {} is not UTF-8 text; is it the right file?",
            a.file
        )));
    }
    let diags = lint_policy(&bytes, &now_rfc3339());
    let mut out = String::new();
    for d in &diags {
        let line = d.line.map_or_else(|| "?".to_owned(), |l| l.to_string());
        let at = if d.path.is_empty() {
            String::new()
        } else {
            format!(" [{}]", d.path)
        };
        // Messages quote the policy file: one terminal line each.
        let _ = writeln!(
            out,
            "{}:{line}: {}: {}{}",
            terminal_line(&a.file),
            d.severity.as_str(),
            terminal_line(&d.message),
            terminal_line(&at)
        );
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    // Under --strict a warning fails the lint like an error.
    let failing = if a.strict { diags.len() } else { errors };
    let _ = writeln!(
        out,
        "{}: {errors} error(s), {warnings} warning(s){}",
        terminal_line(&a.file),
        match (failing, errors) {
            (0, _) => "; the policy can be used",
            (_, 0) => "; refused under --strict",
            _ => "",
        }
    );
    emit(out.as_bytes());
    Ok(u8::from(failing > 0))
}
