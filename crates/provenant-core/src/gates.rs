//! Security gates on the exact commit that shipped: every gate run is bound (or not) to the
//! shipped commit or digest, its outcome and timing are checked, its open findings are judged
//! against severity thresholds with waivers, and each required gate must be backed by such
//! evidence. Pure: reports, times and the policy in; checks and the gate table out.

use std::collections::BTreeMap;

use provenant_formats::gate::{Finding, GateKind, GateReport, Scanned, Severity};

use provenant_model::{Check, CheckCode, Digest, EvidenceKind, EvidenceRef, GateRow, Outcome};
pub use provenant_policy::requirements::{
    parse_time, parse_waivers, DateOnly, GateRequirement, Waiver,
};

/// How far a piece of gate evidence is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TrustLevel {
    /// A plain report file: anyone could have written it.
    PlainReport,
    /// CI API metadata (workflow run / job / pipeline JSON): the CI provider's word, unsigned.
    CiApi,
    /// A signed attestation from a verified CI identity.
    SignedAttestation,
}

impl TrustLevel {
    /// `plain-report`, `ci-api`, `signed-attestation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PlainReport => "plain-report",
            Self::CiApi => "ci-api",
            Self::SignedAttestation => "signed-attestation",
        }
    }
}

/// One gate run and where it came from.
#[derive(Debug, Clone)]
pub struct GateEvidence {
    /// File path (or `bundle#/predicate`).
    pub location: String,
    /// The normalised report.
    pub report: GateReport,
    /// How far it is trusted.
    pub trust: TrustLevel,
}

/// `ID`, `ID at LOCATION`, for the list of waived findings.
fn finding_text(f: &Finding) -> String {
    match &f.location {
        Some(l) => format!("{} at {l}", f.id),
        None => f.id.clone(),
    }
}

/// The waiver (index into `waivers`, among `usable`) that waives `f`: the most specific one.
fn waiver_for(waivers: &[Waiver], usable: &[usize], tool: &str, f: &Finding) -> Option<usize> {
    usable
        .iter()
        .copied()
        .filter(|&i| waivers[i].matches(tool, f))
        .max_by(|&a, &b| {
            // Ties go to the waiver listed first.
            waivers[a]
                .specificity()
                .cmp(&waivers[b].specificity())
                .then(b.cmp(&a))
        })
}

/// What the gates must meet.
#[derive(Debug, Clone, Default)]
pub struct GatePolicy {
    /// The commit that shipped (from `--commit` or the verified provenance).
    pub commit: Option<String>,
    /// The shipped artifact's digests.
    pub digests: Vec<Digest>,
    /// Gates that must be present.
    pub required: Vec<GateRequirement>,
    /// Most open findings allowed per severity (absent: not limited).
    pub max_findings: BTreeMap<Severity, usize>,
    /// What a finding of unknown severity counts as against the thresholds (the policy's
    /// `gates.unknownSeverity`, `--unknown-severity-as`); `None`: critical, the worst.
    pub unknown_severity: Option<Severity>,
    /// Waivers.
    pub waivers: Vec<Waiver>,
    /// Only signed attestations satisfy a required gate.
    pub require_signed: bool,
    /// The source repository of what shipped (`--source-uri`, `--repo`, or the verified
    /// provenance's): a gate run that names another one is not bound, even on the same commit.
    pub repository: Option<String>,
    /// When the artifact was built or released: gates must have finished before.
    pub built_at: Option<jiff::Timestamp>,
    /// When the shipped commit was made: gates must have started after.
    pub committed_at: Option<jiff::Timestamp>,
}

fn scanned_text(s: &Scanned) -> String {
    match s {
        Scanned::Commit { sha, .. } => format!("commit {sha}"),
        Scanned::Digest { digest, name } | Scanned::ImageReference { digest, name } => match name {
            Some(n) => format!("{n} ({digest})"),
            None => digest.clone(),
        },
        Scanned::ImageConfig { digest, name } => match name {
            Some(n) => format!("{n} (image config {digest})"),
            None => format!("image config {digest}"),
        },
        Scanned::Deployment { url } => url.clone(),
        Scanned::Named { name } => name.clone(),
    }
}

/// Why a report is not bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unbound {
    /// It names only other commits or digests than what shipped.
    Mismatch,
    /// It names what shipped and also something else: a contradiction.
    Conflict,
    /// It names nothing comparable.
    Nothing,
    /// It names another repository than the source repository.
    Repository,
}

/// Binding of one report: Ok(how) when bound, Err((why not, reason)) when not.
///
/// Every mention must agree: the commits it names (one value), and per role — the digest it
/// scanned, the references the image was named by, its config digest — one value per
/// algorithm. A report that names the shipped commit or digest and also another commit, or
/// another value in one role, is a conflict, never a binding. A reference (an index) and a
/// scanned manifest (one of its platforms) may differ from each other.
fn bind(r: &GateReport, policy: &GatePolicy) -> Result<String, (Unbound, String)> {
    let digests: Vec<String> = policy
        .digests
        .iter()
        .map(|d| format!("{}:{}", d.algorithm().name(), d.hex().to_ascii_lowercase()))
        .collect();
    let shipped_digest = |d: &str| digests.iter().any(|x| x.eq_ignore_ascii_case(d));
    // (role, algorithm) -> distinct values named.
    let mut named: BTreeMap<(&str, String), Vec<String>> = BTreeMap::new();
    let mut matched = Vec::new();
    let mut others = Vec::new();
    for s in &r.scanned {
        let (role, value) = match s {
            Scanned::Commit { sha, .. } => ("commit", sha.to_ascii_lowercase()),
            Scanned::Digest { digest, .. } => ("scanned digest", digest.to_ascii_lowercase()),
            Scanned::ImageReference { digest, .. } => {
                ("image reference", digest.to_ascii_lowercase())
            }
            Scanned::ImageConfig { digest, .. } => ("image config", digest.to_ascii_lowercase()),
            Scanned::Deployment { .. } | Scanned::Named { .. } => continue,
        };
        let alg = value.split_once(':').map_or("", |(a, _)| a).to_owned();
        let values = named.entry((role, alg)).or_default();
        if !values.contains(&value) {
            values.push(value.clone());
        }
        let is_shipped = match s {
            Scanned::Commit { sha, .. } => policy
                .commit
                .as_deref()
                .map(|c| c.eq_ignore_ascii_case(sha)),
            _ => (!digests.is_empty()).then(|| shipped_digest(&value)),
        };
        let text = match s {
            Scanned::Commit { sha, .. } => format!("commit {sha}"),
            Scanned::ImageConfig { digest, .. } => format!("image config {digest}"),
            _ => value.clone(),
        };
        match is_shipped {
            Some(true) => matched.push(text),
            // A config digest that is not what shipped says nothing against a manifest that is.
            Some(false) if !matches!(s, Scanned::ImageConfig { .. }) => others.push(text),
            _ => {}
        }
    }
    let shipped: Vec<String> = policy
        .commit
        .iter()
        .map(|c| format!("commit {c}"))
        .chain(digests.iter().cloned())
        .collect();
    let contradictions: Vec<String> = named
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|((role, _), v)| format!("{role}s {}", v.join(" and ")))
        .collect();
    if !matched.is_empty() {
        // A commit that is not the shipped one contradicts a digest that is, and the other way
        // round; a reference and a scanned digest are different roles (index and platform).
        let commit_other = others.iter().any(|o| o.starts_with("commit "));
        let commit_matched = matched.iter().any(|m| m.starts_with("commit "));
        let digest_other = commit_matched && others.iter().any(|o| !o.starts_with("commit "));
        if !contradictions.is_empty() || commit_other || digest_other {
            let mut what = contradictions;
            if commit_other || digest_other {
                what.push(format!(
                    "{} beside {}",
                    others.join(", "),
                    matched.join(", ")
                ));
            }
            return Err((
                Unbound::Conflict,
                format!(
                    "it names what shipped ({}) and also {}: every mention must agree",
                    shipped.join(" / "),
                    what.join("; ")
                ),
            ));
        }
        return Ok(format!("scanned {}, what shipped", matched.join(", ")));
    }
    if !others.is_empty() {
        return Err((
            Unbound::Mismatch,
            format!(
                "scanned {}, but what shipped is {}",
                others.join(", "),
                shipped.join(" / ")
            ),
        ));
    }
    let what = if r.scanned.is_empty() {
        "the report records nothing it scanned".to_owned()
    } else {
        format!(
            "it scanned {}, which binds to no commit or digest",
            r.scanned
                .iter()
                .map(scanned_text)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let missing = if policy.commit.is_none() && policy.digests.is_empty() {
        " (no shipped commit or digest is known: pass --commit or an artifact)"
    } else {
        ""
    };
    Err((Unbound::Nothing, format!("{what}{missing}")))
}

/// Whether the run is shown to lie between the commit and the build. A missing time is never
/// filled in from the other end of the run: a run that records only its start has no known
/// finish (it cannot be shown to precede the build), one that records only its finish has no
/// known start (it cannot be shown to follow the commit).
fn timing(r: &GateReport, policy: &GatePolicy) -> Result<String, String> {
    let read = |t: &str, edge| {
        parse_time(t, edge)
            .map(jiff::Timestamp::as_second)
            .ok_or_else(|| format!("the run's time {t:?} cannot be read"))
    };
    let mut ok = Vec::new();
    if let Some(at) = policy.built_at {
        let built = at.as_second();
        match (r.finished.as_deref(), r.started.as_deref()) {
            (Some(f), _) => {
                if read(f, DateOnly::EndOfDay)? > built + 300 {
                    return Err(format!(
                        "the run finished at {f}, after the artifact was built or released ({at})"
                    ));
                }
                ok.push(format!("finished {f}, before the build"));
            }
            (None, Some(s)) => {
                return Err(if read(s, DateOnly::StartOfDay)? > built + 300 {
                    format!(
                        "the run started at {s}, after the artifact was built or released ({at})"
                    )
                } else {
                    format!("the run records when it started ({s}) but not when it finished, so it cannot be shown to have finished before the build ({at})")
                });
            }
            (None, None) => {
                return Err(
                    "the run records no time, so it cannot be shown to precede the build".into(),
                )
            }
        }
    }
    if let Some(at) = policy.committed_at {
        let committed = at.as_second();
        match (r.started.as_deref(), r.finished.as_deref()) {
            (Some(s), _) => {
                if read(s, DateOnly::StartOfDay)? + 300 < committed {
                    return Err(format!(
                        "the run started at {s}, before the shipped commit was made ({at})"
                    ));
                }
                ok.push(format!("started {s}, after the commit"));
            }
            (None, Some(f)) => {
                return Err(if read(f, DateOnly::EndOfDay)? + 300 < committed {
                    format!("the run finished at {f}, before the shipped commit was made ({at})")
                } else {
                    format!("the run records when it finished ({f}) but not when it started, so it cannot be shown to have started after the commit ({at})")
                });
            }
            (None, None) => {
                return Err(
                    "the run records no time, so it cannot be shown to follow the commit".into(),
                )
            }
        }
    }
    if ok.is_empty() {
        Err(String::new())
    } else {
        Ok(ok.join("; "))
    }
}

/// A repository reference as one comparable key: [`provenant_policy::normalize_repo`] (no
/// scheme, `git+`, `@ref`, `.git`, trailing slash), an scp-style `git@host:path` read as
/// `host/path`, a bare `OWNER/REPO` read as a GitHub repository, and lowercase (GitHub and
/// GitLab paths are case-insensitive). The one function gate checks compare repositories with.
pub fn repository_key(uri: &str) -> String {
    let t = uri.trim();
    let scp = t
        .strip_prefix("git@")
        .filter(|rest| !rest.contains("://"))
        .and_then(|rest| rest.split_once(':'))
        .map(|(host, path)| format!("{host}/{}", path.trim_start_matches('/')));
    let key = provenant_policy::normalize_repo(scp.as_deref().unwrap_or(t)).to_ascii_lowercase();
    let first = key.split('/').next().unwrap_or("");
    if key.matches('/').count() == 1 && !first.contains('.') && !first.contains(':') {
        format!("github.com/{key}")
    } else {
        key
    }
}

/// The repositories a report names for the commits it scanned.
fn repositories(r: &GateReport) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for s in &r.scanned {
        if let Scanned::Commit {
            repository: Some(repo),
            ..
        } = s
        {
            if !out.contains(&repo.as_str()) {
                out.push(repo);
            }
        }
    }
    out
}

/// Evaluate every gate report against the policy. Returns the checks and the gate table.
pub fn check_gates(
    evidence: &[GateEvidence],
    policy: &GatePolicy,
    now: jiff::Timestamp,
) -> (Vec<Check>, Vec<GateRow>) {
    let now_s = now.as_second();
    let mut checks = Vec::new();
    let mut rows = Vec::new();
    // Waivers first: an invalid or expired waiver waives nothing.
    let mut usable: Vec<usize> = Vec::new();
    for (wi, w) in policy.waivers.iter().enumerate() {
        let flag = vec![EvidenceRef::new(
            EvidenceKind::Flag,
            format!("waiver {}", w.id),
        )];
        let mut problems = Vec::new();
        if w.id.trim().is_empty() {
            problems.push("no id".to_owned());
        }
        if w.reason.trim().is_empty() {
            problems.push("no reason".to_owned());
        }
        if w.approver.trim().is_empty() {
            problems.push("no approver".to_owned());
        }
        if w.fingerprint
            .as_deref()
            .is_some_and(|x| x.trim().is_empty())
        {
            problems.push("an empty fingerprint".to_owned());
        }
        if w.location.as_deref().is_some_and(|x| x.trim().is_empty()) {
            problems.push("an empty location".to_owned());
        }
        match parse_time(&w.expires, DateOnly::EndOfDay).map(jiff::Timestamp::as_second) {
            None => problems.push(format!("expiry {:?} is not a date", w.expires)),
            Some(e) if e < now_s => problems.push(format!("expired on {}", w.expires)),
            Some(_) => {}
        }
        if problems.is_empty() {
            usable.push(wi);
        } else {
            checks.push(Check::fail(
                CheckCode::GateWaiverInvalid,
                format!("waiver {:?} waives nothing: {}", w.id, problems.join(", ")),
                flag,
            ));
        }
    }
    // A waiver that would waive more findings than its `max` waives none: count what each
    // waives over every report, drop those over their limit, and count again (a finding a
    // dropped waiver took may fall to another one).
    let open = || {
        evidence.iter().flat_map(|ev| {
            ev.report
                .findings
                .iter()
                .filter(|f| !f.suppressed)
                .map(move |f| (ev.report.tool.as_str(), f))
        })
    };
    let mut uses = vec![0usize; policy.waivers.len()];
    loop {
        uses.iter_mut().for_each(|n| *n = 0);
        for (tool, f) in open() {
            if let Some(i) = waiver_for(&policy.waivers, &usable, tool, f) {
                uses[i] += 1;
            }
        }
        let over: Vec<usize> = usable
            .iter()
            .copied()
            .filter(|&i| policy.waivers[i].max.is_some_and(|m| uses[i] > m))
            .collect();
        if over.is_empty() {
            break;
        }
        for i in over {
            let w = &policy.waivers[i];
            checks.push(Check::fail(
                CheckCode::GateWaiverExceeded,
                format!(
                    "waiver {} matches {} finding(s), more than its max {}: it waives none of them",
                    w.describe(),
                    uses[i],
                    w.max.unwrap_or(0)
                ),
                vec![EvidenceRef::new(
                    EvidenceKind::Flag,
                    format!("waiver {}", w.id),
                )],
            ));
            usable.retain(|&u| u != i);
        }
    }
    for &i in &usable {
        if uses[i] == 0 {
            let w = &policy.waivers[i];
            checks.push(Check::warn(
                CheckCode::GateWaiverUnused,
                format!("waiver {} matches no finding of any gate run", w.describe()),
                vec![EvidenceRef::new(
                    EvidenceKind::Flag,
                    format!("waiver {}", w.id),
                )],
            ));
        }
    }
    // (requirement index) -> whether satisfied, and what was seen.
    let mut satisfied = vec![false; policy.required.len()];
    let mut seen: Vec<Vec<String>> = vec![Vec::new(); policy.required.len()];
    // Every gate run given, for a requirement that matches none of them (a misspelt tool).
    let mut given: Vec<String> = Vec::new();
    for ev in evidence {
        let r = &ev.report;
        given.push(format!("{} {} ({})", r.kind.as_str(), r.tool, ev.location));
        let evref = vec![EvidenceRef::new(EvidenceKind::Flag, &ev.location)];
        let label = format!("{} {}", r.kind.as_str(), r.tool);
        let required = policy.required.iter().any(|q| q.matches(r));
        // Binding.
        let mut binding = bind(r, policy);
        // Repository: every one the run names must be the source repository (a fork shares
        // its commits, not its CI, its branch protection or its scan configuration).
        if let Some(want) = &policy.repository {
            let key = repository_key(want);
            let named = repositories(r);
            let others: Vec<&str> = named
                .iter()
                .copied()
                .filter(|n| repository_key(n) != key)
                .collect();
            if !others.is_empty() {
                let why = format!(
                    "it names the repository {}, but the source repository is {want}",
                    others.join(", ")
                );
                checks.push(Check::fail(
                    CheckCode::GateRepositoryMismatch,
                    format!("{label}: {why}"),
                    evref.clone(),
                ));
                binding = Err((Unbound::Repository, why));
            } else if !named.is_empty() {
                checks.push(Check::pass(
                    CheckCode::GateRepositoryMatches,
                    format!("{label}: ran in the source repository {}", named.join(", ")),
                    evref.clone(),
                ));
            } else if r
                .scanned
                .iter()
                .any(|s| matches!(s, Scanned::Commit { .. }))
            {
                checks.push(Check::warn(
                    CheckCode::GateRepositoryUnknown,
                    format!("{label}: it records no repository, so it cannot be shown to have run in {want} rather than a fork"),
                    evref.clone(),
                ));
            }
        }
        let bound = binding.is_ok();
        match &binding {
            Ok(how) => checks.push(Check::pass(
                CheckCode::GateBound,
                format!("{label}: {how}"),
                evref.clone(),
            )),
            Err((Unbound::Mismatch, why)) => checks.push(Check::fail(
                CheckCode::GateBindingMismatch,
                format!("{label}: {why}"),
                evref.clone(),
            )),
            Err((Unbound::Conflict, why)) => checks.push(Check::fail(
                CheckCode::GateBindingConflict,
                format!("{label}: {why}"),
                evref.clone(),
            )),
            // Reported above, as gate-repository-mismatch.
            Err((Unbound::Repository, _)) => {}
            Err((Unbound::Nothing, why)) => checks.push(Check::new(
                CheckCode::GateUnbound,
                if required {
                    Outcome::Fail
                } else {
                    Outcome::Warn
                },
                format!("{label}: {why}"),
                evref.clone(),
            )),
        }
        // Outcome of the run.
        let succeeded = match r.succeeded {
            Some(true) => {
                checks.push(Check::pass(
                    CheckCode::GateRunSucceeded,
                    format!("{label}: the run succeeded"),
                    evref.clone(),
                ));
                true
            }
            Some(false) => {
                checks.push(Check::fail(
                    CheckCode::GateRunFailed,
                    format!("{label}: the run did not succeed"),
                    evref.clone(),
                ));
                false
            }
            // A scan report that says nothing of its own execution: its findings are its result.
            None if r.kind != GateKind::CiRun => true,
            None => {
                checks.push(Check::fail(
                    CheckCode::GateRunFailed,
                    format!("{label}: the run has no conclusion (still running or cancelled)"),
                    evref.clone(),
                ));
                false
            }
        };
        // Timing.
        let timely = match timing(r, policy) {
            Ok(how) => {
                checks.push(Check::pass(
                    CheckCode::GateTimingConsistent,
                    format!("{label}: {how}"),
                    evref.clone(),
                ));
                true
            }
            Err(why) if why.is_empty() => {
                // Nothing to compare with: say so rather than pass silently.
                checks.push(Check::warn(
                    CheckCode::GateTimingInconsistent,
                    format!("{label}: timing not checked: neither the build time (--built-at, or verified provenance) nor the commit time (--committed-at) is known"),
                    evref.clone(),
                ));
                true
            }
            Err(why) => {
                checks.push(Check::fail(
                    CheckCode::GateTimingInconsistent,
                    format!("{label}: {why}"),
                    evref.clone(),
                ));
                false
            }
        };
        // Findings and waivers.
        let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
        let mut waived = Vec::new();
        // (waiver index) -> every finding it waived in this report, each listed.
        let mut by_waiver: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for f in r.findings.iter().filter(|f| !f.suppressed) {
            match waiver_for(&policy.waivers, &usable, &r.tool, f) {
                Some(i) => {
                    let text = finding_text(f);
                    waived.push(text.clone());
                    by_waiver.entry(i).or_default().push(text);
                }
                None => *counts.entry(f.severity).or_default() += 1,
            }
        }
        for (i, found) in &by_waiver {
            let w = &policy.waivers[*i];
            let limit = w.max.map(|m| format!(", max {m}")).unwrap_or_default();
            checks.push(Check::pass(
                CheckCode::GateWaiverApplied,
                format!(
                    "{label}: waiver {} waived {} finding(s) (by {} until {}{limit}: {}): {}",
                    w.describe(),
                    found.len(),
                    w.approver,
                    w.expires,
                    w.reason,
                    found.join(", ")
                ),
                evref.clone(),
            ));
        }
        // Thresholds count a finding by the severity it counts as: an unknown severity is the
        // worst unless the policy maps it (never below info, as its sort order would have it).
        let counts_as = |s: Severity| s.for_threshold(policy.unknown_severity);
        let unknown = counts.get(&Severity::Unknown).copied().unwrap_or(0);
        let unknown_note = if unknown > 0 {
            format!(
                "; {unknown} finding(s) of unknown severity counted as {}",
                counts_as(Severity::Unknown).as_str()
            )
        } else {
            String::new()
        };
        let over: Vec<String> = policy
            .max_findings
            .iter()
            .filter_map(|(sev, max)| {
                // A threshold on a severity counts it and everything above it.
                let n: usize = counts
                    .iter()
                    .filter(|(s, _)| counts_as(**s) >= *sev)
                    .map(|(_, n)| n)
                    .sum();
                (n > *max).then(|| format!("{n} {}-or-worse (max {max})", sev.as_str()))
            })
            .collect();
        let summary = Severity::summary(|s| counts.get(&s).copied().unwrap_or(0));
        let severe: usize = counts
            .iter()
            .filter(|(s, _)| counts_as(**s) >= Severity::High)
            .map(|(_, n)| n)
            .sum();
        // A report that does not list every finding (a code scanning analysis only counts them;
        // a SARIF run without `results` did not complete its analysis) proves nothing about
        // them: it meets no threshold and satisfies no required gate.
        let findings_ok = over.is_empty() && r.findings_complete;
        if !r.findings_complete {
            let why = if r.format == "github-code-scanning" {
                "the report only counts its findings, so they cannot be judged; give the run's SARIF"
            } else {
                "the run lists no results (absent or null: the tool did not complete its analysis), so it is an incomplete scan, not a clean one"
            };
            checks.push(Check::new(
                CheckCode::GateFindingsIncomplete,
                if policy.max_findings.is_empty() && !required {
                    Outcome::Warn
                } else {
                    Outcome::Fail
                },
                format!("{label}: {why}"),
                evref.clone(),
            ));
        } else if !over.is_empty() {
            checks.push(Check::fail(
                CheckCode::GateFindingsOverThreshold,
                format!("{label}: {} ({summary}{unknown_note})", over.join(", ")),
                evref.clone(),
            ));
        } else if policy.max_findings.is_empty() && severe > 0 {
            checks.push(Check::warn(
                CheckCode::GateFindingsOverThreshold,
                format!(
                    "{label}: {severe} critical/high open finding(s), no threshold set ({summary}{unknown_note})"
                ),
                evref.clone(),
            ));
        } else {
            checks.push(Check::pass(
                CheckCode::GateFindingsWithinThreshold,
                format!("{label}: {summary}{unknown_note}"),
                evref.clone(),
            ));
        }
        // Trust.
        let trusted = !policy.require_signed || ev.trust == TrustLevel::SignedAttestation;
        if ev.trust == TrustLevel::SignedAttestation {
            checks.push(Check::pass(
                CheckCode::GateEvidenceTrusted,
                format!("{label}: a signed attestation"),
                evref.clone(),
            ));
        } else {
            checks.push(Check::new(
                CheckCode::GateEvidenceUntrusted,
                if policy.require_signed && required {
                    Outcome::Fail
                } else {
                    Outcome::Warn
                },
                format!(
                    "{label}: {} ({})",
                    ev.trust.as_str(),
                    if policy.require_signed {
                        "signed gate evidence is required"
                    } else {
                        "unsigned: anyone could have written it"
                    }
                ),
                evref.clone(),
            ));
        }
        for (i, q) in policy.required.iter().enumerate() {
            if q.matches(r) {
                if bound && succeeded && timely && findings_ok && trusted {
                    satisfied[i] = true;
                } else {
                    let mut why = Vec::new();
                    if !bound {
                        why.push(if matches!(binding, Err((Unbound::Repository, _))) {
                            "another repository"
                        } else {
                            "not bound"
                        });
                    }
                    if !succeeded {
                        why.push("did not succeed");
                    }
                    if !timely {
                        why.push("ran at the wrong time");
                    }
                    if !r.findings_complete {
                        why.push("findings not all listed");
                    } else if !findings_ok {
                        why.push("findings over threshold");
                    }
                    if !trusted {
                        why.push("not signed");
                    }
                    seen[i].push(format!("{} ({}: {})", r.tool, ev.location, why.join(", ")));
                }
            }
        }
        rows.push(GateRow {
            gate: r.kind.as_str().to_owned(),
            tool: r.tool.clone(),
            version: r.tool_version.clone(),
            scanned: if r.scanned.is_empty() {
                "(not recorded)".to_owned()
            } else {
                r.scanned
                    .iter()
                    .map(scanned_text)
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            bound,
            binding: match &binding {
                Ok(h) => h.clone(),
                Err((_, w)) => w.clone(),
            },
            result: match r.succeeded {
                Some(true) => "succeeded",
                Some(false) => "failed",
                None => "unknown",
            }
            .to_owned(),
            findings: Severity::WORST_FIRST
                .iter()
                .map(|s| (s.as_str().to_owned(), counts.get(s).copied().unwrap_or(0)))
                .collect(),
            waived,
            trust: ev.trust.as_str().to_owned(),
            evidence: ev.location.clone(),
        });
    }
    for (i, q) in policy.required.iter().enumerate() {
        let flag = vec![EvidenceRef::new(
            EvidenceKind::Flag,
            format!("--require-gate {}", q.describe()),
        )];
        if satisfied[i] {
            checks.push(Check::pass(
                CheckCode::GatePresent,
                format!(
                    "required gate {}: bound, succeeded, in time and within thresholds",
                    q.describe()
                ),
                flag,
            ));
        } else {
            let found = if seen[i].is_empty() && given.is_empty() {
                "no evidence of it was given".to_owned()
            } else if seen[i].is_empty() {
                format!(
                    "no gate run given matches it; the runs given are {} (tool names match in \
                     any case and by alias: see README, Gate tool names)",
                    given.join("; ")
                )
            } else {
                format!("found only {}", seen[i].join("; "))
            };
            checks.push(Check::fail(
                CheckCode::GateMissing,
                format!("required gate {}: {found}", q.describe()),
                flag,
            ));
        }
    }
    (checks, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use provenant_formats::gate::Finding;

    const SHIPPED: &str = "1111111111111111111111111111111111111111";
    const OTHER: &str = "2222222222222222222222222222222222222222";
    const NOW: &str = "2026-06-01T00:00:00Z";

    fn now() -> jiff::Timestamp {
        NOW.parse().unwrap()
    }

    fn sarif(commit: &str, finished: &str, findings: Vec<(&str, Severity)>) -> GateEvidence {
        GateEvidence {
            location: "codeql.sarif".into(),
            trust: TrustLevel::PlainReport,
            report: GateReport {
                kind: GateKind::Sast,
                format: "sarif",
                tool: "CodeQL".into(),
                tool_version: Some("2.17.0".into()),
                scanned: vec![Scanned::Commit {
                    sha: commit.into(),
                    repository: Some("https://github.com/o/r".into()),
                }],
                started: Some("2026-05-01T10:00:00Z".into()),
                finished: Some(finished.into()),
                succeeded: Some(true),
                workflow: None,
                findings: findings
                    .into_iter()
                    .map(|(id, severity)| Finding {
                        id: id.into(),
                        severity,
                        cvss: None,
                        location: None,
                        title: None,
                        suppressed: false,
                        fingerprints: Vec::new(),
                    })
                    .collect(),
                findings_complete: true,
                deviations: vec![],
            },
        }
    }

    fn policy() -> GatePolicy {
        GatePolicy {
            commit: Some(SHIPPED.into()),
            required: vec![GateRequirement::parse("sast:CodeQL,Semgrep").unwrap()],
            built_at: parse_time("2026-05-02T00:00:00Z", DateOnly::StartOfDay),
            committed_at: parse_time("2026-05-01T09:00:00Z", DateOnly::EndOfDay),
            ..GatePolicy::default()
        }
    }

    fn codes(checks: &[Check], o: Outcome) -> Vec<CheckCode> {
        checks
            .iter()
            .filter(|c| c.outcome == o)
            .map(|c| c.code)
            .collect()
    }

    #[test]
    fn a_gate_on_the_shipped_commit_in_time_passes() {
        let (checks, rows) = check_gates(
            &[sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![])],
            &policy(),
            now(),
        );
        assert!(codes(&checks, Outcome::Fail).is_empty(), "{checks:#?}");
        assert!(codes(&checks, Outcome::Pass).contains(&CheckCode::GatePresent));
        assert!(rows[0].bound);
    }

    #[test]
    fn a_gate_on_another_commit_fails_naming_both() {
        let (checks, rows) = check_gates(
            &[sarif(OTHER, "2026-05-01T11:00:00Z", vec![])],
            &policy(),
            now(),
        );
        let m = checks
            .iter()
            .find(|c| c.code == CheckCode::GateBindingMismatch)
            .expect("mismatch");
        assert!(
            m.reason.contains(OTHER) && m.reason.contains(SHIPPED),
            "{}",
            m.reason
        );
        assert!(codes(&checks, Outcome::Fail).contains(&CheckCode::GateMissing));
        assert!(!rows[0].bound);
    }

    #[test]
    fn a_gate_that_failed_or_ran_after_the_release_fails() {
        let mut e = sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![]);
        e.report.succeeded = Some(false);
        let (checks, _) = check_gates(&[e], &policy(), now());
        assert!(codes(&checks, Outcome::Fail).contains(&CheckCode::GateRunFailed));
        assert!(codes(&checks, Outcome::Fail).contains(&CheckCode::GateMissing));
        let (checks, _) = check_gates(
            &[sarif(SHIPPED, "2026-05-03T00:00:00Z", vec![])],
            &policy(),
            now(),
        );
        assert!(codes(&checks, Outcome::Fail).contains(&CheckCode::GateTimingInconsistent));
        let mut early = sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![]);
        early.report.started = Some("2026-04-01T00:00:00Z".into());
        let (checks, _) = check_gates(&[early], &policy(), now());
        assert!(codes(&checks, Outcome::Fail).contains(&CheckCode::GateTimingInconsistent));
    }

    #[test]
    fn thresholds_and_waivers() {
        let findings = vec![("CVE-1", Severity::Critical), ("CVE-2", Severity::Medium)];
        let mut p = policy();
        p.max_findings.insert(Severity::High, 0);
        let (checks, _) = check_gates(
            &[sarif(SHIPPED, "2026-05-01T11:00:00Z", findings.clone())],
            &p,
            now(),
        );
        assert!(codes(&checks, Outcome::Fail).contains(&CheckCode::GateFindingsOverThreshold));
        // A valid waiver clears it.
        p.waivers.push(Waiver {
            id: "CVE-1".into(),
            reason: "not reachable".into(),
            approver: "security@example".into(),
            expires: "2026-12-31".into(),
            ..Waiver::default()
        });
        let (checks, rows) = check_gates(
            &[sarif(SHIPPED, "2026-05-01T11:00:00Z", findings.clone())],
            &p,
            now(),
        );
        assert!(codes(&checks, Outcome::Fail).is_empty(), "{checks:#?}");
        assert_eq!(rows[0].waived, vec!["CVE-1".to_string()]);
        assert!(!codes(&checks, Outcome::Warn).contains(&CheckCode::GateWaiverUnused));
        // An expired waiver fails and waives nothing.
        p.waivers[0].expires = "2026-01-01".into();
        let (checks, _) = check_gates(
            &[sarif(SHIPPED, "2026-05-01T11:00:00Z", findings)],
            &p,
            now(),
        );
        let f = codes(&checks, Outcome::Fail);
        assert!(
            f.contains(&CheckCode::GateWaiverInvalid)
                && f.contains(&CheckCode::GateFindingsOverThreshold)
        );
    }

    fn located(id: &str, location: &str, fingerprint: &str) -> Finding {
        Finding {
            id: id.into(),
            severity: Severity::High,
            cvss: None,
            location: Some(location.into()),
            title: None,
            suppressed: false,
            fingerprints: vec![format!("primaryLocationLineHash={fingerprint}")],
        }
    }

    fn waiver(id: &str) -> Waiver {
        Waiver {
            id: id.into(),
            reason: "reviewed".into(),
            approver: "security@example".into(),
            expires: "2026-12-31".into(),
            ..Waiver::default()
        }
    }

    #[test]
    fn a_waiver_waives_exactly_what_it_names_and_lists_each() {
        let mut e = sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![]);
        e.report.findings = vec![
            located("py/sqli", "a.py:1", "aaaa:1"),
            located("py/sqli", "b.py:2", "bbbb:1"),
            located("py/sqli", "c.py:3", "cccc:1"),
        ];
        let mut p = policy();
        p.max_findings.insert(Severity::High, 0);
        // By fingerprint (bare or name=value) and by location: the third instance stays open.
        let mut by_fp = waiver("py/sqli");
        by_fp.fingerprint = Some("aaaa:1".into());
        let mut by_loc = waiver("PY/SQLI");
        by_loc.location = Some("b.py:2".into());
        p.waivers = vec![by_fp, by_loc];
        let (checks, rows) = check_gates(std::slice::from_ref(&e), &p, now());
        assert!(codes(&checks, Outcome::Fail).contains(&CheckCode::GateFindingsOverThreshold));
        assert_eq!(
            rows[0].waived,
            vec!["py/sqli at a.py:1", "py/sqli at b.py:2"]
        );
        // A rule-wide waiver waives each instance, and lists each.
        p.waivers = vec![waiver("py/sqli")];
        let (checks, rows) = check_gates(std::slice::from_ref(&e), &p, now());
        assert!(codes(&checks, Outcome::Fail).is_empty(), "{checks:#?}");
        assert_eq!(rows[0].waived.len(), 3);
        let applied = checks
            .iter()
            .find(|c| c.code == CheckCode::GateWaiverApplied)
            .expect("applied");
        assert!(applied.reason.contains("c.py:3"), "{}", applied.reason);
        // ... up to its max: more instances than it allows and it waives none.
        p.waivers[0].max = Some(2);
        let (checks, rows) = check_gates(std::slice::from_ref(&e), &p, now());
        let f = codes(&checks, Outcome::Fail);
        assert!(
            f.contains(&CheckCode::GateWaiverExceeded)
                && f.contains(&CheckCode::GateFindingsOverThreshold),
            "{checks:#?}"
        );
        assert!(rows[0].waived.is_empty());
        p.waivers[0].max = Some(3);
        let (checks, _) = check_gates(std::slice::from_ref(&e), &p, now());
        assert!(codes(&checks, Outcome::Fail).is_empty(), "{checks:#?}");
        // A waiver that matches nothing is reported.
        let mut stray = waiver("py/sqli");
        stray.fingerprint = Some("primaryLocationLineHash=ffff:1".into());
        p.waivers = vec![stray];
        let (checks, _) = check_gates(&[e], &p, now());
        assert!(codes(&checks, Outcome::Warn).contains(&CheckCode::GateWaiverUnused));
    }

    #[test]
    fn a_gate_run_in_another_repository_is_not_bound() {
        let mut p = policy();
        p.repository = Some("o/r".into());
        let ok = sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![]);
        let (checks, rows) = check_gates(std::slice::from_ref(&ok), &p, now());
        assert!(codes(&checks, Outcome::Fail).is_empty(), "{checks:#?}");
        assert!(codes(&checks, Outcome::Pass).contains(&CheckCode::GateRepositoryMatches));
        assert!(rows[0].bound);
        // The same commit, in a fork.
        let mut fork = ok.clone();
        fork.report.scanned = vec![Scanned::Commit {
            sha: SHIPPED.into(),
            repository: Some("https://github.com/attacker/r".into()),
        }];
        let (checks, rows) = check_gates(&[fork], &p, now());
        let f = codes(&checks, Outcome::Fail);
        assert!(
            f.contains(&CheckCode::GateRepositoryMismatch) && f.contains(&CheckCode::GateMissing),
            "{checks:#?}"
        );
        assert!(!rows[0].bound);
        // No repository recorded: a warning.
        let mut bare = ok;
        bare.report.scanned = vec![Scanned::Commit {
            sha: SHIPPED.into(),
            repository: None,
        }];
        let (checks, _) = check_gates(&[bare], &p, now());
        assert!(codes(&checks, Outcome::Warn).contains(&CheckCode::GateRepositoryUnknown));
        assert!(codes(&checks, Outcome::Fail).is_empty(), "{checks:#?}");
    }

    #[test]
    fn repository_keys() {
        let k = repository_key("github.com/o/r");
        for same in [
            "o/r",
            "O/R",
            "https://github.com/O/r.git",
            "git+https://github.com/o/r@refs/heads/main",
            "git@github.com:o/r.git",
            "https://github.com/o/r/",
        ] {
            assert_eq!(repository_key(same), k, "{same}");
        }
        for other in ["o/r-evil", "https://github.com/o/r/x", "gitlab.com/o/r"] {
            assert_ne!(repository_key(other), k, "{other}");
        }
    }

    #[test]
    fn a_run_with_only_one_end_in_time_proves_nothing_about_the_other() {
        // Started before the build, no finish: never "finished ..., before the build".
        let mut e = sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![]);
        e.report.finished = None;
        let (checks, _) = check_gates(std::slice::from_ref(&e), &policy(), now());
        let f = codes(&checks, Outcome::Fail);
        assert!(
            f.contains(&CheckCode::GateTimingInconsistent) && f.contains(&CheckCode::GateMissing),
            "{checks:#?}"
        );
        // Finished, no start: it cannot be shown to have started after the commit.
        let mut e = sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![]);
        e.report.started = None;
        let (checks, _) = check_gates(std::slice::from_ref(&e), &policy(), now());
        assert!(codes(&checks, Outcome::Fail).contains(&CheckCode::GateTimingInconsistent));
        // Without a commit time, the finish alone is enough.
        let mut p = policy();
        p.committed_at = None;
        let (checks, _) = check_gates(&[e], &p, now());
        assert!(codes(&checks, Outcome::Fail).is_empty(), "{checks:#?}");
    }

    #[test]
    fn a_date_only_build_time_is_the_start_of_that_day() {
        // Built "2026-05-01": a run that finished that evening did not precede the build.
        let mut p = policy();
        p.committed_at = None;
        p.built_at = parse_time("2026-05-01", DateOnly::StartOfDay);
        let (checks, _) = check_gates(&[sarif(SHIPPED, "2026-05-01T20:00:00Z", vec![])], &p, now());
        assert!(codes(&checks, Outcome::Fail).contains(&CheckCode::GateTimingInconsistent));
    }

    #[test]
    fn an_unbound_dast_report_never_counts() {
        let mut e = sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![]);
        e.report.kind = GateKind::Dast;
        e.report.tool = "ZAP".into();
        e.report.scanned = vec![Scanned::Deployment {
            url: "https://staging.example".into(),
        }];
        let mut p = policy();
        p.required = vec![GateRequirement::parse("dast:zap").unwrap()];
        let (checks, _) = check_gates(&[e], &p, now());
        let f = codes(&checks, Outcome::Fail);
        assert!(
            f.contains(&CheckCode::GateUnbound) && f.contains(&CheckCode::GateMissing),
            "{checks:#?}"
        );
    }

    #[test]
    fn signed_evidence_can_be_required() {
        let mut p = policy();
        p.require_signed = true;
        let (checks, _) = check_gates(&[sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![])], &p, now());
        let f = codes(&checks, Outcome::Fail);
        assert!(
            f.contains(&CheckCode::GateEvidenceUntrusted) && f.contains(&CheckCode::GateMissing)
        );
        let mut e = sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![]);
        e.trust = TrustLevel::SignedAttestation;
        let (checks, _) = check_gates(&[e], &p, now());
        assert!(codes(&checks, Outcome::Fail).is_empty());
    }

    #[test]
    fn a_report_that_does_not_list_its_findings_meets_no_threshold_and_no_required_gate() {
        let mut e = sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![]);
        e.report.findings_complete = false;
        // Required, no threshold: missing is not clean (it used to satisfy the gate).
        let mut p = policy();
        let (checks, _) = check_gates(std::slice::from_ref(&e), &p, now());
        let f = codes(&checks, Outcome::Fail);
        assert!(
            f.contains(&CheckCode::GateFindingsIncomplete) && f.contains(&CheckCode::GateMissing),
            "{checks:#?}"
        );
        // Neither required nor thresholded: a warning.
        p.required.clear();
        let (checks, _) = check_gates(std::slice::from_ref(&e), &p, now());
        assert!(codes(&checks, Outcome::Warn).contains(&CheckCode::GateFindingsIncomplete));
        assert!(codes(&checks, Outcome::Fail).is_empty(), "{checks:#?}");
        // A threshold: a failure.
        p.max_findings.insert(Severity::Critical, 0);
        let (checks, _) = check_gates(&[e], &p, now());
        assert!(codes(&checks, Outcome::Fail).contains(&CheckCode::GateFindingsIncomplete));
    }

    #[test]
    fn unknown_severity_counts_as_the_worst_unless_mapped() {
        let findings = vec![("X-1", Severity::Unknown)];
        for (max, unknown_as, fails) in [
            (Severity::Critical, None, true),
            (Severity::Low, None, true),
            (Severity::Critical, Some(Severity::High), false),
            (Severity::High, Some(Severity::High), true),
            (Severity::Low, Some(Severity::Info), false),
        ] {
            let mut p = policy();
            p.max_findings.insert(max, 0);
            p.unknown_severity = unknown_as;
            let (checks, rows) = check_gates(
                &[sarif(SHIPPED, "2026-05-01T11:00:00Z", findings.clone())],
                &p,
                now(),
            );
            assert_eq!(
                codes(&checks, Outcome::Fail).contains(&CheckCode::GateFindingsOverThreshold),
                fails,
                "max {max:?}, unknown as {unknown_as:?}: {checks:#?}"
            );
            // Reported as unknown, whatever it counts as.
            assert_eq!(rows[0].findings.get("unknown"), Some(&1));
        }
        // No threshold: an unknown finding is warned about like a critical one.
        let (checks, _) = check_gates(
            &[sarif(SHIPPED, "2026-05-01T11:00:00Z", findings)],
            &policy(),
            now(),
        );
        assert!(codes(&checks, Outcome::Warn).contains(&CheckCode::GateFindingsOverThreshold));
    }

    #[test]
    fn a_report_naming_the_shipped_commit_and_another_is_a_conflict() {
        let mut e = sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![]);
        e.report.scanned.push(Scanned::Commit {
            sha: OTHER.into(),
            repository: None,
        });
        let (checks, rows) = check_gates(&[e], &policy(), now());
        let f = codes(&checks, Outcome::Fail);
        assert!(
            f.contains(&CheckCode::GateBindingConflict) && f.contains(&CheckCode::GateMissing),
            "{checks:#?}"
        );
        assert!(!rows[0].bound);
    }

    #[test]
    fn digest_mentions_must_agree_per_role() {
        let shipped = format!("sha256:{}", "a".repeat(64));
        let other = format!("sha256:{}", "b".repeat(64));
        let config = format!("sha256:{}", "c".repeat(64));
        let mut p = policy();
        p.commit = None;
        p.required.clear();
        p.digests = vec![shipped.parse().unwrap()];
        let with = |scanned: Vec<Scanned>| {
            let mut e = sarif(SHIPPED, "2026-05-01T11:00:00Z", vec![]);
            e.report.scanned = scanned;
            let (checks, _) = check_gates(&[e], &p, now());
            checks
                .iter()
                .find(|c| {
                    matches!(
                        c.code,
                        CheckCode::GateBound
                            | CheckCode::GateBindingConflict
                            | CheckCode::GateBindingMismatch
                    )
                })
                .map(|c| c.code)
        };
        let reference = |d: &str| Scanned::ImageReference {
            digest: d.into(),
            name: Some("app".into()),
        };
        let scanned = |d: &str| Scanned::Digest {
            digest: d.into(),
            name: None,
        };
        let cfg = Scanned::ImageConfig {
            digest: config.clone(),
            name: None,
        };
        // Two repo digests that disagree: a conflict.
        assert_eq!(
            with(vec![reference(&shipped), reference(&other)]),
            Some(CheckCode::GateBindingConflict)
        );
        // An index reference and the platform manifest it resolved to, and a config digest: bound.
        assert_eq!(
            with(vec![scanned(&other), reference(&shipped), cfg.clone()]),
            Some(CheckCode::GateBound)
        );
        assert_eq!(
            with(vec![scanned(&shipped), reference(&other), cfg]),
            Some(CheckCode::GateBound)
        );
        // Two scanned digests: a conflict.
        assert_eq!(
            with(vec![scanned(&shipped), scanned(&other)]),
            Some(CheckCode::GateBindingConflict)
        );
    }

    #[test]
    fn requirement_parsing() {
        assert!(GateRequirement::parse("sast").is_ok());
        assert_eq!(
            GateRequirement::parse("sca:grype, trivy").unwrap().tools,
            vec!["grype", "trivy"]
        );
        assert!(GateRequirement::parse("pentest").is_err());
        let end = DateOnly::EndOfDay;
        let start = DateOnly::StartOfDay;
        assert_eq!(
            parse_time("2026-01-01", end),
            parse_time("2026-01-01T23:59:59Z", end)
        );
        assert_eq!(
            parse_time("2026-01-01", start),
            parse_time("2026-01-01T00:00:00Z", end)
        );
    }
}
