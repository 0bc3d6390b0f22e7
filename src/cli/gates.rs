//! `provenant gates`: did the security gates run on the exact commit that shipped, and what did
//! they find?

use clap::Args;

use provenant_core::gates::{
    check_gates, parse_time, parse_waivers, DateOnly, GateEvidence, GatePolicy, GateRequirement,
    TrustLevel,
};
use provenant_core::{TOOL_NAME, TOOL_VERSION};
use provenant_formats::gate::{parse_gate, GateKind, Severity, MAX_GATE_REPORT_BYTES};
use provenant_formats::limits::MAX_WAIVERS_BYTES;
use provenant_model::{
    Check, CheckCode, Digest, DigestAlgorithm, EvidenceKind, EvidenceRef, GateRow, Report, Subject,
    SubjectKind, ToolInfo, Verdict,
};

use super::verify::now_rfc3339;
use super::{read_limited, subject_of, CliError};

/// `--unknown-severity-as`: a known severity.
fn parse_unknown_severity(s: &str) -> Result<Severity, String> {
    Severity::parse_known(s)
        .ok_or_else(|| format!("{s:?}: use critical, high, medium, low or info"))
}

/// Gate evidence and gate policy: shared by `provenant gates` and `verify artifact`.
#[derive(Debug, Args, Clone, Default)]
pub struct GateArgs {
    /// A SAST report: SARIF 2.1.0 (CodeQL, Semgrep, Bandit, gosec, ...) or GitHub code scanning
    /// analysis JSON (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Security gates")]
    pub sarif: Vec<String>,
    /// An SCA report: grype, trivy, osv-scanner, cargo-audit, npm audit or dependency-check
    /// JSON, or an in-toto vulns predicate (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Security gates")]
    pub sca: Vec<String>,
    /// A DAST report: OWASP ZAP JSON or XML, or an in-toto test-result predicate (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Security gates")]
    pub dast: Vec<String>,
    /// CI run metadata as the REST API returns it: GitHub Actions workflow run or job JSON,
    /// GitLab pipeline or job JSON (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Security gates")]
    pub ci_run: Vec<String>,
    /// A gate that must be present, bound to what shipped, successful, in time and within the
    /// thresholds: sast, sca, dast or ci-run, optionally with the tools that count
    /// (`sast:CodeQL,Semgrep`, `ci-run:release.yml`). Repeatable.
    #[arg(long, value_name = "KIND[:TOOL,...]", value_parser = GateRequirement::parse, help_heading = "Security gates")]
    pub require_gate: Vec<GateRequirement>,
    /// Most open critical findings allowed per gate run.
    #[arg(long, value_name = "N", help_heading = "Security gates")]
    pub max_critical: Option<usize>,
    /// Most open high-or-worse findings allowed per gate run.
    #[arg(long, value_name = "N", help_heading = "Security gates")]
    pub max_high: Option<usize>,
    /// Most open medium-or-worse findings allowed per gate run.
    #[arg(long, value_name = "N", help_heading = "Security gates")]
    pub max_medium: Option<usize>,
    /// Most open low-or-worse findings allowed per gate run.
    #[arg(long, value_name = "N", help_heading = "Security gates")]
    pub max_low: Option<usize>,
    /// What a finding of unknown severity (grype `Unknown`, trivy `UNKNOWN`, an empty or
    /// misspelled severity, a SARIF level that is none of the four, no severity and no score)
    /// counts as against the --max-* thresholds: critical, high, medium, low or info. Without
    /// it, unknown counts as critical.
    #[arg(long, value_name = "LEVEL", value_parser = parse_unknown_severity, help_heading = "Security gates")]
    pub unknown_severity_as: Option<Severity>,
    /// Waivers, JSON: `[{"id": "CVE-…", "reason": "…", "approver": "…", "expires": "2027-01-31"}]`,
    /// optionally narrowed to one result (`fingerprint`) or location (`location`: file:line,
    /// package@version) and limited (`max`). Every finding waived is listed; an expired or
    /// incomplete waiver fails and waives nothing; one matching more than its max waives none.
    #[arg(long, value_name = "FILE", help_heading = "Security gates")]
    pub waivers: Option<String>,
    /// Only signed gate attestations satisfy a required gate (plain reports and CI metadata
    /// do not).
    #[arg(long, help_heading = "Security gates")]
    pub require_signed_gates: bool,
    /// When the artifact was built or released (RFC 3339; a date alone is the start of that
    /// day, UTC): gates must have finished before.
    /// `verify artifact` takes it from the verified provenance's signing time when not given.
    #[arg(long, value_name = "TIME", help_heading = "Security gates")]
    pub built_at: Option<String>,
    /// When the shipped commit was made (RFC 3339; a date alone is the end of that day, UTC):
    /// gates must have started after.
    #[arg(long, value_name = "TIME", help_heading = "Security gates")]
    pub committed_at: Option<String>,
    /// Change review evidence: GitHub pull request JSON, its reviews JSON (and commits), or
    /// GitLab merge request and approvals JSON, as the REST APIs return them; or one combined
    /// `{"pull_request": …, "reviews": […]}` document (repeatable: the files of one change).
    #[arg(long, value_name = "FILE", help_heading = "Change review")]
    pub review: Vec<String>,
    /// Fail when no change review evidence is given.
    #[arg(long, help_heading = "Change review")]
    pub require_review: bool,
    /// Least number of approvals of the final head commit by reviewers who are neither its
    /// author nor its last pusher.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1,
        help_heading = "Change review"
    )]
    pub min_approvals: usize,
    /// Merge methods allowed for the change (repeatable): merge, squash, rebase.
    #[arg(long, value_name = "METHOD", help_heading = "Change review")]
    pub allowed_merge_method: Vec<String>,
    /// Count approvals that record no commit (every GitLab approval) as approvals of the final
    /// head. Risk: a commit pushed after the approval may have been merged unreviewed.
    #[arg(long, help_heading = "Change review")]
    pub accept_approvals_without_commit: bool,
    /// A local clone to read the release branch's history from (never fetched); needs
    /// --release-branch. Direct pushes to the branch are findings.
    #[arg(
        long,
        value_name = "DIR",
        requires = "release_branch",
        help_heading = "Change review"
    )]
    pub git_dir: Option<String>,
    /// The release branch in --git-dir (e.g. origin/main in a CI checkout).
    #[arg(
        long,
        value_name = "BRANCH",
        requires = "git_dir",
        help_heading = "Change review"
    )]
    pub release_branch: Option<String>,
    /// Waivers from a --policy file (used when --waivers is not given).
    #[arg(skip)]
    pub policy_waivers: Vec<provenant_core::gates::Waiver>,
}

impl GateArgs {
    /// Whether any gate flag was given.
    pub fn any(&self) -> bool {
        !(self.sarif.is_empty()
            && self.sca.is_empty()
            && self.dast.is_empty()
            && self.ci_run.is_empty()
            && self.require_gate.is_empty()
            && self.review.is_empty()
            && !self.require_review
            && self.git_dir.is_none())
    }

    /// The change-review checks for `commit` (none when no review flag was given).
    pub fn review_checks(&self, commit: Option<&str>) -> Result<Vec<Check>, CliError> {
        use provenant_core::review::{check_change_review, MergeMethod, ReviewRequirements};
        if self.review.is_empty() && !self.require_review && self.git_dir.is_none() {
            return Ok(vec![]);
        }
        let Some(commit) = commit else {
            return Err(CliError::Input(
                "change review needs the shipped commit: pass --commit (or verify provenance that records it)".into(),
            ));
        };
        let review = if self.review.is_empty() {
            None
        } else {
            let mut values = Vec::new();
            for f in &self.review {
                let bytes = read_limited(f, MAX_GATE_REPORT_BYTES, "review file")?;
                let v = provenant_formats::json::parse_strict(&bytes)
                    .map_err(|e| CliError::Input(format!("{f}: {e}")))?;
                values.push(v);
            }
            let mut r = provenant_formats::gate::review::parse_review_values(&values)
                .map_err(|e| CliError::Input(format!("{}: {e}", self.review.join(", "))))?;
            r.sources = self.review.clone();
            Some(r)
        };
        let history = match (&self.git_dir, &self.release_branch) {
            (Some(d), Some(b)) => Some(
                provenant_collect::git::history(
                    std::path::Path::new(d),
                    b,
                    commit,
                    provenant_collect::git::DEFAULT_GIT_TIMEOUT,
                )
                .map_err(|e| CliError::Input(format!("--git-dir {d}: {e}")))?,
            ),
            _ => None,
        };
        let allowed = if self.allowed_merge_method.is_empty() {
            None
        } else {
            Some(
                self.allowed_merge_method
                    .iter()
                    .map(|m| MergeMethod::parse(m).map_err(CliError::Input))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        };
        let req = ReviewRequirements {
            min_approvals: self.min_approvals,
            allowed_merge_methods: allowed,
            require_review: self.require_review,
            accept_approvals_without_commit: self.accept_approvals_without_commit,
        };
        Ok(check_change_review(
            review.as_ref(),
            history.as_ref(),
            commit,
            &req,
        ))
    }
}

/// Arguments of `provenant gates`.
#[derive(Debug, Args)]
pub struct GatesArgs {
    /// The commit that shipped (full SHA).
    #[arg(long, value_name = "SHA", value_parser = provenant_policy::grammar::commit)]
    pub commit: Option<String>,
    /// The shipped artifact (its digests bind image / artifact scans).
    #[arg(long, value_name = "FILE", conflicts_with = "digest")]
    pub artifact: Option<String>,
    /// The shipped artifact's digest, ALG:HEX.
    #[arg(long, value_name = "ALG:HEX")]
    pub digest: Option<String>,
    /// The source repository of what shipped: OWNER/REPO (GitHub) or its URI
    /// (github.com/org/app, https://gitlab.example/group/app). A gate run that names another
    /// repository (a fork shares commits) is not bound (gate-repository-mismatch).
    #[arg(long, value_name = "REPO")]
    pub repo: Option<String>,
    #[command(flatten)]
    pub gates: GateArgs,
    /// A policy file: its gates, waivers, source.commit and source.repository sections fill in
    /// the flags not given.
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub policy: Option<String>,
    /// A Rego policy (package provenant, `deny` / `warn`) evaluated over the report (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub rego: Vec<String>,
    /// Write the document Rego policies see as `input` to FILE (JSON).
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub write_rego_input: Option<String>,
    /// What --policy and --rego add beyond the flags.
    #[arg(skip)]
    pub policy_extras: super::policy::Extras,
    /// Report format, FMT or FMT=PATH; repeat it to write several formats at once.
    ///
    /// FMT: text, json, sarif (SARIF 2.1.0, for code scanning), markdown (for
    /// $GITHUB_STEP_SUMMARY), junit (JUnit XML), html (one self-contained page). Without =PATH
    /// (or with =-) it goes to stdout, and at most one may; when every format has a destination,
    /// the text summary goes to stdout.
    #[arg(long, value_name = "FMT[=PATH]", default_value = "text", value_parser = super::output::parse_format)]
    pub format: Vec<super::output::FormatSpec>,
    /// Write the report (in the --format given without =PATH) to this file; a text summary
    /// still goes to stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<String>,
}

/// Read every gate file; a file that is not a gate report becomes a failed check.
pub fn load_evidence(a: &GateArgs) -> Result<(Vec<GateEvidence>, Vec<Check>), CliError> {
    let mut evidence = Vec::new();
    let mut checks = Vec::new();
    let groups: [(&[String], &str, Option<GateKind>); 4] = [
        (&a.sarif, "--sarif", Some(GateKind::Sast)),
        (&a.sca, "--sca", Some(GateKind::Sca)),
        (&a.dast, "--dast", Some(GateKind::Dast)),
        (&a.ci_run, "--ci-run", Some(GateKind::CiRun)),
    ];
    for (files, flag, want) in groups {
        for f in files {
            let bytes = read_limited(f, MAX_GATE_REPORT_BYTES, "gate report")?;
            match parse_gate(&bytes) {
                // A SARIF log whose `runs` is null or empty: the tool never ran its analysis.
                Ok(reports) if reports.is_empty() => checks.push(Check::fail(
                    CheckCode::GateFindingsIncomplete,
                    format!("{f}: the report holds no run (SARIF runs null or empty: the tool did not run its analysis); missing is not clean"),
                    vec![EvidenceRef::new(EvidenceKind::Flag, f)],
                )),
                Ok(reports) => {
                    for r in reports {
                        if want.is_some_and(|k| k != r.kind) {
                            return Err(CliError::Input(format!(
                                "{f} is a {} report ({}), not what {flag} takes; give it with the flag of its kind",
                                r.kind.as_str(),
                                r.format
                            )));
                        }
                        let trust = if r.kind == GateKind::CiRun {
                            TrustLevel::CiApi
                        } else {
                            TrustLevel::PlainReport
                        };
                        evidence.push(GateEvidence {
                            location: f.clone(),
                            report: r,
                            trust,
                        });
                    }
                }
                Err(e) => checks.push(Check::fail(
                    CheckCode::GateReportUnreadable,
                    format!("{f}: {e}"),
                    vec![EvidenceRef::new(EvidenceKind::Flag, f)],
                )),
            }
        }
    }
    Ok((evidence, checks))
}

/// The gate policy the flags state.
pub fn policy(
    a: &GateArgs,
    commit: Option<String>,
    digests: Vec<Digest>,
    built_at: Option<i64>,
    repository: Option<String>,
) -> Result<GatePolicy, CliError> {
    let time = |flag: &str, v: &Option<String>, edge| -> Result<Option<i64>, CliError> {
        v.as_deref()
            .map(|t| {
                parse_time(t, edge).ok_or_else(|| {
                    CliError::Input(format!("{flag} {t:?} is not an RFC 3339 time or a date"))
                })
            })
            .transpose()
    };
    let waivers = match &a.waivers {
        Some(f) => parse_waivers(&read_limited(f, MAX_WAIVERS_BYTES, "waivers file")?)
            .map_err(|e| CliError::Input(format!("{f}: {e}")))?,
        None => a.policy_waivers.clone(),
    };
    let mut max_findings = std::collections::BTreeMap::new();
    for (sev, v) in [
        (Severity::Critical, a.max_critical),
        (Severity::High, a.max_high),
        (Severity::Medium, a.max_medium),
        (Severity::Low, a.max_low),
    ] {
        if let Some(n) = v {
            max_findings.insert(sev, n);
        }
    }
    if let Some(c) = &commit {
        if !provenant_formats::gate::is_commit(c) {
            return Err(CliError::Input(format!(
                "--commit {c:?} is not a full commit id (40 or 64 hex digits)"
            )));
        }
    }
    Ok(GatePolicy {
        commit: commit.map(|c| c.to_ascii_lowercase()),
        digests,
        required: a.require_gate.clone(),
        max_findings,
        unknown_severity: a.unknown_severity_as,
        waivers,
        require_signed: a.require_signed_gates,
        // A date alone is read on the side that cannot pass a run the real time would fail: the
        // build at the start of its day, the commit at the end of its day.
        built_at: time("--built-at", &a.built_at, DateOnly::StartOfDay)?.or(built_at),
        committed_at: time("--committed-at", &a.committed_at, DateOnly::EndOfDay)?,
        repository,
    })
}

/// Gate runs carried by verified attestations in `report` (in-toto vulns / test-result
/// predicates, cosign's vuln predicate): signed evidence, bound through the statement subject.
pub fn attested(report: &Report) -> Vec<GateEvidence> {
    const GATE_PREDICATES: &[&str] = &[
        "https://in-toto.io/attestation/vulns",
        "https://in-toto.io/attestation/test-result",
        "https://cosign.sigstore.dev/attestation/vuln",
    ];
    let mut out = Vec::new();
    for c in report.signatures.iter().filter(|c| c.verified) {
        let Some(pt) = c.predicate_type.as_deref() else {
            continue;
        };
        if !GATE_PREDICATES.iter().any(|p| pt.starts_with(p)) {
            continue;
        }
        let Some(payload) = &c.signed_payload else {
            continue;
        };
        let Ok(v) = provenant_formats::json::parse_strict(payload) else {
            continue;
        };
        if let Ok(reports) = provenant_formats::gate::parse_gate_value(&v) {
            for r in reports {
                out.push(GateEvidence {
                    location: format!("{}#/predicate", c.evidence.location),
                    report: r,
                    trust: TrustLevel::SignedAttestation,
                });
            }
        }
    }
    out
}

/// What shipped, as the gate checks compare it: the commit, the artifact's digests, when it was
/// built (unix seconds) and its source repository.
#[derive(Debug, Clone, Default)]
pub struct Shipped {
    /// The commit.
    pub commit: Option<String>,
    /// The artifact's digests.
    pub digests: Vec<Digest>,
    /// When it was built (unix seconds), unless --built-at says.
    pub built_at: Option<i64>,
    /// Its source repository (URI or OWNER/REPO).
    pub repository: Option<String>,
}

/// Gate checks and the gate table for `verify artifact`.
pub fn evaluate(
    a: &GateArgs,
    attested: Vec<GateEvidence>,
    shipped: Shipped,
    now: &str,
) -> Result<(Vec<Check>, Vec<GateRow>), CliError> {
    let Shipped {
        commit,
        digests,
        built_at,
        repository,
    } = shipped;
    let (mut evidence, mut checks) = load_evidence(a)?;
    evidence.extend(attested);
    checks.extend(a.review_checks(commit.as_deref())?);
    let policy = policy(a, commit, digests, built_at, repository)?;
    let (c, rows) = check_gates(&evidence, &policy, now);
    checks.extend(c);
    Ok((checks, rows))
}

/// `provenant gates`.
pub fn run(a: &GatesArgs) -> Result<u8, CliError> {
    let outputs = super::output::Outputs::judgement(&a.format, a.out.as_deref());
    outputs.check()?;
    if a.commit.is_none() && a.artifact.is_none() && a.digest.is_none() {
        return Err(CliError::Input(
            "say what shipped: --commit SHA and/or --artifact FILE / --digest ALG:HEX".into(),
        ));
    }
    if !a.gates.any() {
        return Err(CliError::Input(
            "no gate evidence: give --sarif, --sca, --dast, --ci-run or --review files (and --require-gate)"
                .into(),
        ));
    }
    let subject = match subject_of(
        a.artifact.as_deref(),
        a.digest.as_deref(),
        &[
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ],
    )? {
        Some(s) => s,
        None => Subject {
            kind: SubjectKind::Commit,
            name: a.commit.clone(),
            digests: vec![],
            size: None,
        },
    };
    let now = now_rfc3339();
    let (checks, rows) = evaluate(
        &a.gates,
        vec![],
        Shipped {
            commit: a.commit.clone(),
            digests: subject.digests.clone(),
            built_at: None,
            repository: a.repo.clone(),
        },
        &now,
    )?;
    let mut report = Report::new(
        ToolInfo {
            name: TOOL_NAME.into(),
            version: TOOL_VERSION.into(),
        },
        "gates",
        now,
        subject,
        checks,
        vec![],
        vec![],
    );
    report.gates = rows;
    let report = super::policy::finalize(&a.policy_extras, report)?;
    outputs.write(&report, false)?;
    Ok(match report.verdict {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
    })
}
