//! Security-gate evidence (SAST, SCA, DAST reports; CI run metadata; change review) read into
//! one normalised [`GateReport`].
//!
//! Parsers are lenient about what tools write differently and strict about what the checks rely
//! on: what was scanned (a commit, an artifact digest, a deployment), whether the run succeeded,
//! when it ran, and the findings with their severities. Nothing here decides pass or fail; the
//! checks in `provenant-core` do, against a policy.

pub mod ci;
pub mod dast;
pub mod review;
pub mod sarif;
pub mod sca;
pub mod tools;

/// What kind of gate a report is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GateKind {
    /// Static analysis (SARIF, code scanning).
    Sast,
    /// Software composition analysis (dependency vulnerabilities).
    Sca,
    /// Dynamic analysis of a running deployment.
    Dast,
    /// A CI run (workflow run, job, pipeline) and its outcome.
    CiRun,
}

impl GateKind {
    /// `sast`, `sca`, `dast`, `ci-run`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sast => "sast",
            Self::Sca => "sca",
            Self::Dast => "dast",
            Self::CiRun => "ci-run",
        }
    }
}

/// A finding's severity, normalised across tools.
///
/// The derived order (`Unknown` lowest) is for listing only. Thresholds never compare a raw
/// severity: they use [`Severity::for_threshold`], under which an unknown severity counts as the
/// worst unless a policy maps it explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Unknown or not given ("unknown", or a word no mapping knows).
    Unknown,
    /// Informational (SARIF `note`, ZAP informational).
    Info,
    /// Low.
    Low,
    /// Medium (SARIF `warning` when no security-severity is given).
    Medium,
    /// High (SARIF `error` when no security-severity is given).
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, worst first (the order reports list them in).
    pub const WORST_FIRST: [Severity; 6] = [
        Self::Critical,
        Self::High,
        Self::Medium,
        Self::Low,
        Self::Info,
        Self::Unknown,
    ];

    /// `critical N, high N, medium N, low N, info N, unknown N` for `count(severity)`.
    pub fn summary(count: impl Fn(Severity) -> usize) -> String {
        Self::WORST_FIRST
            .map(|s| format!("{} {}", s.as_str(), count(s)))
            .join(", ")
    }

    /// From a CVSS base score (CVSS v3 bands: 9.0+ critical, 7.0+ high, 4.0+ medium, >0 low).
    pub fn from_cvss(score: f64) -> Self {
        if score >= 9.0 {
            Self::Critical
        } else if score >= 7.0 {
            Self::High
        } else if score >= 4.0 {
            Self::Medium
        } else if score > 0.0 {
            Self::Low
        } else {
            Self::Info
        }
    }

    /// From a tool's severity word (case-insensitive): critical, high, medium/moderate, low,
    /// info/informational/note, anything else unknown.
    pub fn from_word(w: &str) -> Self {
        match w.trim().to_ascii_lowercase().as_str() {
            "critical" => Self::Critical,
            "high" | "error" => Self::High,
            "medium" | "moderate" | "warning" => Self::Medium,
            "low" => Self::Low,
            "info" | "informational" | "note" | "none" => Self::Info,
            _ => Self::Unknown,
        }
    }

    /// The severity a finding counts as against a threshold: itself when known; when unknown
    /// (a tool's `Unknown`, a misspelled word, a SARIF level that is none of the four, no word
    /// and no score), `unknown_as` — what the policy maps unknown findings to — or, when the
    /// policy says nothing, [`Severity::Critical`]: a severity nobody could read never passes a
    /// threshold.
    pub fn for_threshold(self, unknown_as: Option<Severity>) -> Severity {
        match self {
            Self::Unknown => match unknown_as {
                Some(Self::Unknown) | None => Self::Critical,
                Some(s) => s,
            },
            known => known,
        }
    }

    /// A severity a policy may map unknown findings to: `critical`, `high`, `medium`, `low`,
    /// `info` (case-insensitive); anything else (`unknown` included) is `None`.
    pub fn parse_known(word: &str) -> Option<Severity> {
        match word.trim().to_ascii_lowercase().as_str() {
            "critical" => Some(Self::Critical),
            "high" => Some(Self::High),
            "medium" => Some(Self::Medium),
            "low" => Some(Self::Low),
            "info" => Some(Self::Info),
            _ => None,
        }
    }

    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    /// Rule id (SAST), vulnerability id (CVE-..., GHSA-..., RUSTSEC-...), alert id (DAST).
    pub id: String,
    /// Normalised severity.
    pub severity: Severity,
    /// CVSS base score, where the tool gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<f64>,
    /// Where: `file:line` (SAST), `package@version` (SCA), URL (DAST).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// A short title or message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Whether the tool marks it suppressed (SARIF suppressions, `.trivyignore`, ...).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suppressed: bool,
    /// The stable identities the tool gives this one result, as `name=value` (SARIF
    /// `partialFingerprints` and `fingerprints`, e.g. `primaryLocationLineHash=39fa2ee980eb94b0:1`):
    /// what a waiver names to waive exactly this result. Empty when the tool gives none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fingerprints: Vec<String>,
}

/// What a gate run looked at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Scanned {
    /// A source commit (full 40- or 64-hex id, lowercase), with the repository when recorded.
    Commit {
        /// The commit id.
        sha: String,
        /// The repository URI, as recorded.
        #[serde(skip_serializing_if = "Option::is_none")]
        repository: Option<String>,
    },
    /// An artifact by digest (`sha256:HEX`), e.g. a container image scanned by grype or trivy.
    Digest {
        /// `alg:hex`, lowercase.
        digest: String,
        /// The name the tool gives it (image reference, file).
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// An image by a digest it was named or pulled by (a repo digest, a pinned reference): for
    /// a multi-platform image, the index the scanned manifest ([`Scanned::Digest`]) was resolved
    /// from. It binds like a digest; every reference of one report must agree.
    ImageReference {
        /// `alg:hex`, lowercase.
        digest: String,
        /// The repository it was named by.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// An image's config digest (grype `imageID`, trivy `ImageID`): it identifies the image's
    /// configuration, not its manifest, so it binds only where the config digest itself is
    /// what shipped.
    ImageConfig {
        /// `alg:hex`, lowercase.
        digest: String,
        /// The image it belongs to.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// A running deployment (DAST target URL).
    Deployment {
        /// The URL.
        url: String,
    },
    /// Something named only by a path or reference (a directory, an image tag): it binds to
    /// nothing on its own.
    Named {
        /// As recorded.
        name: String,
    },
}

/// A tolerated deviation from a format, and where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Deviation {
    /// JSON pointer or element path.
    pub at: String,
    /// What was tolerated.
    pub what: String,
}

/// One gate run, normalised.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GateReport {
    /// What kind of gate.
    pub kind: GateKind,
    /// The format read: `sarif`, `github-code-scanning`, `grype`, `trivy`, `osv-scanner`,
    /// `cargo-audit`, `npm-audit`, `dependency-check`, `in-toto-vulns`, `zap`,
    /// `in-toto-test-result`, `github-actions-run`, `github-actions-job`, `gitlab-pipeline`,
    /// `gitlab-job`.
    pub format: &'static str,
    /// The tool's name, as it reports it (`CodeQL`, `Semgrep`, `grype`, `ZAP`, ...).
    pub tool: String,
    /// The tool's version, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    /// What it scanned (several for multi-target reports); empty when the report does not say.
    pub scanned: Vec<Scanned>,
    /// When the run started (RFC 3339, as recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    /// When the run finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    /// Whether the run itself completed successfully (SARIF `executionSuccessful`, CI
    /// conclusion `success`); `None` when the report does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub succeeded: Option<bool>,
    /// For CI runs: the workflow or job (path or name), to match required gates by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// The findings.
    pub findings: Vec<Finding>,
    /// Whether `findings` lists every finding of the run. False when the report only counts
    /// them (a GitHub code scanning analysis): checks must not read that as "no findings".
    pub findings_complete: bool,
    /// Tolerated deviations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deviations: Vec<Deviation>,
}

/// Why a gate report could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GateError {
    /// Not a report format provenant knows.
    #[error("not a security report provenant reads: {0}")]
    Unknown(UnknownReport),
    /// Not well-formed JSON / XML.
    #[error("{encoding} is not well formed: {detail}")]
    Syntax {
        /// `JSON` or `XML`.
        encoding: &'static str,
        /// The parser's complaint.
        detail: String,
    },
    /// A field the checks rely on is missing or has the wrong type.
    #[error("{format}: {at}: {what}")]
    Field {
        /// The format.
        format: &'static str,
        /// Where.
        at: String,
        /// What is wrong.
        what: String,
    },
    /// Over a documented limit.
    #[error("{0}")]
    Limit(LimitExceeded),
}

pub use crate::limits::{LimitExceeded, MAX_FINDINGS, MAX_GATE_REPORT_BYTES};

/// Why a file is not a report provenant reads (or not a usable set of change-review documents).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnknownReport {
    /// The first byte opens neither JSON nor XML.
    #[error("neither JSON nor XML")]
    NeitherJsonNorXml,
    /// Nothing but whitespace.
    #[error("the file is empty")]
    Empty,
    /// JSON of no shape provenant reads.
    #[error("not SARIF, grype, trivy, osv-scanner, cargo-audit, npm audit, dependency-check, ZAP, an in-toto vulns/test-result predicate or CI run metadata")]
    UnknownJson,
    /// XML whose root element is not ZAP's.
    #[error("XML whose root is <{root}>, not a ZAP report <OWASPZAPReport>")]
    XmlRoot {
        /// The root element's local name.
        root: String,
    },
    /// A change-review object that is no known document.
    #[error("{at}: not a GitHub pull request, reviews or commits list, nor a GitLab merge request, approvals or commits list")]
    ReviewObject {
        /// Where (JSON pointer).
        at: String,
    },
    /// A change-review array that is no known list.
    #[error("{at}: an array, but not GitHub reviews or commits, nor GitLab commits")]
    ReviewList {
        /// Where (JSON pointer).
        at: String,
    },
    /// A change-review array item that is not an object.
    #[error("{at}/{index}: expected an object")]
    ReviewItem {
        /// The array (JSON pointer).
        at: String,
        /// The item's index.
        index: usize,
    },
    /// A change-review document that is neither an object nor an array.
    #[error("{at}: expected a JSON object or array")]
    ReviewValue {
        /// Where (JSON pointer).
        at: String,
    },
    /// The same change-review document twice.
    #[error("{document} given twice: give each document once (all pages of a list in one array)")]
    ReviewTwice {
        /// Which document (`reviews`, `commits`).
        document: &'static str,
    },
    /// Reviews or commits without the pull or merge request they belong to.
    #[error("no pull request (GET /repos/{{o}}/{{r}}/pulls/{{n}}) or merge request (GET /projects/{{id}}/merge_requests/{{iid}}) among the change-review documents")]
    NoChange,
    /// Documents of one provider given with a change of the other.
    #[error("{documents} given with {change}")]
    MixedProviders {
        /// The documents (`GitHub reviews`, `GitLab commits`).
        documents: &'static str,
        /// The change they were given with (`pull request #12`).
        change: String,
    },
}

/// Detect the format of a report and read it. One file may hold several runs (SARIF runs).
pub fn parse_gate(bytes: &[u8]) -> Result<Vec<GateReport>, GateError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    match start.map(|i| bytes[i]) {
        Some(b'<') => dast::parse_zap_xml(bytes).map(|r| vec![r]),
        Some(b'{' | b'[') => {
            // A UTF-8 byte order mark (common from .NET tools) is not JSON.
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let v = crate::json::parse_strict(bytes).map_err(|e| GateError::Syntax {
                encoding: "JSON",
                detail: e.to_string(),
            })?;
            parse_gate_value(&v)
        }
        Some(_) => Err(GateError::Unknown(UnknownReport::NeitherJsonNorXml)),
        None => Err(GateError::Unknown(UnknownReport::Empty)),
    }
}

/// Read an already parsed JSON report (also used for in-toto predicates).
pub fn parse_gate_value(v: &serde_json::Value) -> Result<Vec<GateReport>, GateError> {
    if let Some(r) = sarif::detect(v) {
        return r;
    }
    if let Some(r) = sca::detect(v) {
        return r;
    }
    if let Some(r) = dast::detect(v) {
        return r;
    }
    if let Some(r) = ci::detect(v) {
        return r;
    }
    Err(GateError::Unknown(UnknownReport::UnknownJson))
}

/// Whether `s` is a full git commit id (40 or 64 hex digits).
pub fn is_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `s` is an RFC 3339 date-time (`2021-08-25T12:20:30.000000005Z`, `...+02:00`).
pub(crate) fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if !(b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19))
    {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_reports_say_what_was_found() {
        let e = parse_gate(b"   ").unwrap_err();
        assert_eq!(e, GateError::Unknown(UnknownReport::Empty));
        assert_eq!(
            e.to_string(),
            "not a security report provenant reads: the file is empty"
        );
        let e = parse_gate(b"<html/>").unwrap_err();
        assert_eq!(
            e,
            GateError::Unknown(UnknownReport::XmlRoot {
                root: "html".into()
            })
        );
        assert_eq!(
            e.to_string(),
            "not a security report provenant reads: XML whose root is <html>, not a ZAP report <OWASPZAPReport>"
        );
        assert_eq!(
            UnknownReport::NoChange.to_string(),
            "no pull request (GET /repos/{o}/{r}/pulls/{n}) or merge request (GET /projects/{id}/merge_requests/{iid}) among the change-review documents"
        );
    }
}
