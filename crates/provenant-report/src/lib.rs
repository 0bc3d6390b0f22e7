//! Renderers: a [`Report`] and a writer in, bytes out. No terminal logic
//! beyond a `color` flag the caller decides. Formats: [`text`], [`json`], the provenance
//! [`chain`] (text, JSON, Mermaid), [`sarif`] 2.1.0, [`markdown`], [`junit`] XML, a
//! self-contained [`html`] page, and a SLSA Verification Summary Attestation ([`vsa`]).
//!
//! Evidence is attacker-controlled: every string that comes from it passes the [`sanitize`]
//! function of the format it is written in, so no evidence string can forge output.
//!
//! ```
//! use provenant_model::{Check, CheckCode, Report, Subject, SubjectKind, ToolInfo};
//! let report = Report::new(
//!     ToolInfo { name: "provenant".into(), version: "0".into() }, "verify artifact",
//!     "2026-01-01T00:00:00Z",
//!     Subject { kind: SubjectKind::Digest, name: None, digests: vec![], size: None },
//!     vec![Check::fail(CheckCode::EvidenceMissing, "nothing", vec![])], vec![], vec![]);
//! let mut out = Vec::new();
//! provenant_report::text::render(&report, &mut out, false).unwrap();
//! assert!(String::from_utf8(out).unwrap().starts_with("FAIL"));
//! ```
#![warn(missing_docs)]

pub mod chain;
pub mod docs;
#[cfg(test)]
mod hostile;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sanitize;
pub mod sarif;
pub mod text;
pub mod vsa;

use provenant_model::{Check, GateRow, Outcome, Report};

/// How renderers name the subject: its name, else its first digest.
fn subject_label(report: &Report) -> String {
    report.subject.name.clone().unwrap_or_else(|| {
        report
            .subject
            .digests
            .first()
            .map(ToString::to_string)
            .unwrap_or_default()
    })
}

/// The checks in the order people read them: failures, warnings, passes, then the rest.
fn failures_first(report: &Report) -> impl Iterator<Item = &Check> {
    [
        Outcome::Fail,
        Outcome::Warn,
        Outcome::Pass,
        Outcome::NotApplicable,
    ]
    .into_iter()
    .flat_map(|o| report.checks.iter().filter(move |c| c.outcome == o))
}

/// The columns of the security-gate table.
const GATE_COLUMNS: [&str; 9] = [
    "gate",
    "tool",
    "version",
    "scanned",
    "bound",
    "result",
    "findings c/h/m/l",
    "waived",
    "trust",
];

/// A gate's open findings as `critical/high/medium/low`.
fn findings_summary(g: &GateRow) -> String {
    let n = |k: &str| g.findings.get(k).copied().unwrap_or(0);
    format!(
        "{}/{}/{}/{}",
        n("critical"),
        n("high"),
        n("medium"),
        n("low")
    )
}
