//! What a release must meet, in the engine's terms: required gates, waivers, SBOM and change
//! review requirements. Stated by flags or a policy file, merged by [`Policy::resolve`](crate::Policy::resolve).

use provenant_formats::gate::tools::same_tool;
use provenant_formats::gate::{Finding, GateKind, GateReport};

/// A requirement that cannot be read: the value as written, or the parser's error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequirementError {
    /// `--require-gate` / `gates.required` names no gate kind.
    #[error("unknown gate kind {0:?}: use sast, sca, dast or ci-run, optionally followed by :TOOL[,TOOL]")]
    GateKind(String),
    /// `--allowed-merge-method` / `allowedMergeMethods` names no merge method.
    #[error("unknown merge method {0:?}: use merge, squash or rebase")]
    MergeMethod(String),
    /// A waivers file that is not strict JSON.
    #[error(transparent)]
    Json(#[from] provenant_formats::json::JsonError),
    /// A waivers file of the wrong shape (unknown or missing fields, wrong types).
    #[error(transparent)]
    Shape(#[from] serde_json::Error),
}

/// A gate the policy requires: a kind, and optionally which tools count (case-insensitive
/// names; empty: any tool).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateRequirement {
    /// The kind.
    pub kind: GateKind,
    /// Tools that count (any of them); empty for any.
    pub tools: Vec<String>,
}

impl GateRequirement {
    /// Parse `sast`, `sca:grype,trivy`, `dast:zap`, `ci-run:release.yml`.
    pub fn parse(s: &str) -> Result<Self, RequirementError> {
        let (kind, tools) = match s.split_once(':') {
            Some((k, t)) => (
                k,
                t.split(',')
                    .map(|x| x.trim().to_owned())
                    .filter(|x| !x.is_empty())
                    .collect(),
            ),
            None => (s, Vec::new()),
        };
        let kind = match kind.trim().to_ascii_lowercase().as_str() {
            "sast" => GateKind::Sast,
            "sca" => GateKind::Sca,
            "dast" => GateKind::Dast,
            "ci-run" | "ci" => GateKind::CiRun,
            other => return Err(RequirementError::GateKind(other.to_owned())),
        };
        Ok(Self { kind, tools })
    }

    /// Whether gate run `r` is of this kind and by one of the tools (or workflows) named. Tool
    /// names match as users write them: any case, and any alias of a known tool
    /// ([`provenant_formats::gate::tools`]: `ZAP` = `OWASP ZAP` = `zaproxy`).
    pub fn matches(&self, r: &GateReport) -> bool {
        r.kind == self.kind
            && (self.tools.is_empty()
                || self.tools.iter().any(|t| {
                    same_tool(&r.tool, t)
                        || r.workflow.as_deref().is_some_and(|w| {
                            w.eq_ignore_ascii_case(t) || w.ends_with(&format!("/{t}"))
                        })
                }))
    }

    /// `sast`, `sast by CodeQL or Semgrep`, for messages.
    pub fn describe(&self) -> String {
        if self.tools.is_empty() {
            self.kind.as_str().to_owned()
        } else {
            format!("{} by {}", self.kind.as_str(), self.tools.join(" or "))
        }
    }
}

/// A waiver: an accepted finding, with who accepted it, why, and until when.
///
/// It waives the findings with its `id` (of its `tool`, when given) — only the one whose
/// fingerprint it names (`fingerprint`), or the ones at the location it names (`location`) when
/// it names one — and at most `max` of them in all: a waiver matching more waives none. Every
/// finding waived is listed in the report; a valid waiver that matches nothing is reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The finding id it waives (CVE, GHSA, rule id).
    pub id: String,
    /// Only the result with this fingerprint: a SARIF `partialFingerprints` / `fingerprints`
    /// value, bare (`39fa2ee980eb94b0:1`) or as `name=value`
    /// (`primaryLocationLineHash=39fa2ee980eb94b0:1`).
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// Only results at this location, exactly as the gate table shows it: `file:line` (SAST),
    /// `package@version` (SCA), a URL (DAST).
    #[serde(default)]
    pub location: Option<String>,
    /// Most findings it may waive in all; more (new instances) and it waives none.
    #[serde(default)]
    pub max: Option<usize>,
    /// Why the risk is accepted.
    #[serde(default)]
    pub reason: String,
    /// Who accepted it.
    #[serde(default)]
    pub approver: String,
    /// Until when (RFC 3339 or a date `YYYY-MM-DD`, end of that day UTC).
    #[serde(default)]
    pub expires: String,
    /// Only for this tool (optional).
    #[serde(default)]
    pub tool: Option<String>,
}

impl Waiver {
    /// Whether it names `f`, a finding of `tool`.
    pub fn matches(&self, tool: &str, f: &Finding) -> bool {
        self.id.trim().eq_ignore_ascii_case(f.id.trim())
            && self.tool.as_deref().is_none_or(|t| same_tool(t, tool))
            && self.fingerprint.as_deref().is_none_or(|want| {
                f.fingerprints.iter().any(|have| {
                    have == want || have.split_once('=').is_some_and(|(_, v)| v == want)
                })
            })
            && self
                .location
                .as_deref()
                .is_none_or(|want| f.location.as_deref() == Some(want))
    }

    /// How narrowly it names its findings: a fingerprint over a location over the id alone.
    pub fn specificity(&self) -> u8 {
        u8::from(self.fingerprint.is_some()) * 2 + u8::from(self.location.is_some())
    }

    /// `ID`, `ID at LOCATION`, `ID fingerprint F`, for messages.
    pub fn describe(&self) -> String {
        let mut s = self.id.clone();
        if let Some(l) = &self.location {
            s.push_str(&format!(" at {l}"));
        }
        if let Some(fp) = &self.fingerprint {
            s.push_str(&format!(" fingerprint {fp}"));
        }
        if let Some(t) = &self.tool {
            s.push_str(&format!(" ({t})"));
        }
        s
    }
}

/// Parse a waivers file: a JSON list of waivers or `{"waivers": [...]}`.
pub fn parse_waivers(bytes: &[u8]) -> Result<Vec<Waiver>, RequirementError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        waivers: Vec<Waiver>,
    }
    let v = provenant_formats::json::parse_strict(bytes)?;
    if v.is_array() {
        Ok(serde_json::from_value(v)?)
    } else {
        Ok(serde_json::from_value::<Doc>(v).map(|d| d.waivers)?)
    }
}

/// What the SBOM must meet. With nothing required, quality findings are warnings; every
/// requirement set turns its own finding into a failure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SbomRequirements {
    /// The SBOM must name the artifact's digest.
    pub require_binding: bool,
    /// Every NTIA minimum element must be present for every component.
    pub require_ntia: bool,
    /// A dependency graph must be present.
    pub require_dependencies: bool,
    /// Least share (percent, 0–100) of components with a package URL.
    pub min_purl_percent: Option<f64>,
    /// Least share of components with at least one hash.
    pub min_hash_percent: Option<f64>,
    /// Least share of components with a license.
    pub min_license_percent: Option<f64>,
    /// The commit that is supposed to have shipped: where the SBOM records one, it must match.
    pub commit: Option<String>,
}

impl SbomRequirements {
    /// Whether any quality floor (purl, hash, license share) is set.
    pub fn quality_enforced(&self) -> bool {
        self.min_purl_percent.is_some()
            || self.min_hash_percent.is_some()
            || self.min_license_percent.is_some()
    }
}

/// How a change was merged into its target branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MergeMethod {
    /// A merge commit with the change's head as its second parent.
    Merge,
    /// The change's commits squashed into one commit.
    Squash,
    /// The change's commits replayed (or fast-forwarded) onto the target branch.
    Rebase,
}

impl MergeMethod {
    /// `merge`, `squash`, `rebase`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merge => "merge",
            Self::Squash => "squash",
            Self::Rebase => "rebase",
        }
    }

    /// From `merge`, `squash` or `rebase` (`fast-forward` and `ff` are rebase).
    pub fn parse(s: &str) -> Result<Self, RequirementError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "merge" => Ok(Self::Merge),
            "squash" => Ok(Self::Squash),
            "rebase" | "fast-forward" | "ff" => Ok(Self::Rebase),
            other => Err(RequirementError::MergeMethod(other.to_owned())),
        }
    }
}

/// What the change review must show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewRequirements {
    /// Least number of independent approvals of the final head commit.
    pub min_approvals: usize,
    /// When set, the change must have been merged by one of these methods.
    pub allowed_merge_methods: Option<Vec<MergeMethod>>,
    /// Fail when no review evidence is given.
    pub require_review: bool,
    /// Count approvals that record no commit (every GitLab approval) as approvals of the final
    /// head. The risk: a commit pushed after the approval is merged unreviewed unless the
    /// project resets approvals on push, which the evidence does not show.
    pub accept_approvals_without_commit: bool,
}

/// How a date without a time of day is read: each use picks the side that cannot make a check
/// pass that the real time would fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOnly {
    /// 00:00:00 UTC: for times that bound gate runs from above (`--built-at`: a run that
    /// evening finished after the build) and for a run's start.
    StartOfDay,
    /// 23:59:59 UTC: for times that bound gate runs from below (`--committed-at`), for waiver
    /// expiry (valid through that day) and for a run's finish.
    EndOfDay,
}

/// Parse an RFC 3339 time, a `YYYY-MM-DD` date (read as `date_only` says), or a date-time
/// without an offset (read as UTC); `None` otherwise.
pub fn parse_time(s: &str, date_only: DateOnly) -> Option<jiff::Timestamp> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t);
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        let (h, m, sec) = match date_only {
            DateOnly::StartOfDay => (0, 0, 0),
            DateOnly::EndOfDay => (23, 59, 59),
        };
        return d
            .at(h, m, sec, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp());
    }
    // Without an offset: read as UTC.
    s.parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tool_name_tests {
    use super::*;
    use provenant_formats::gate::Severity;

    #[test]
    fn waiver_tools_match_by_alias_and_never_another_tool() {
        let f = Finding {
            id: "10202".into(),
            severity: Severity::Medium,
            cvss: None,
            location: None,
            title: None,
            suppressed: false,
            fingerprints: vec![],
        };
        let waiver = |tool: &str| Waiver {
            id: "10202".into(),
            tool: Some(tool.into()),
            ..Waiver::default()
        };
        assert!(waiver("ZAP").matches("OWASP ZAP", &f));
        assert!(waiver("zaproxy").matches("ZAP", &f));
        assert!(!waiver("Semgrep").matches("OWASP ZAP", &f));
        assert!(!waiver("").matches("", &f));
    }
}
