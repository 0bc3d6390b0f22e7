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

/// What was asked, as `(name, value)` rows for people (HTML, Markdown, text): the policy file,
/// signers, source and build, SBOM, gates, review and Rego, as the report's `expectations`
/// records them. Regexps are shown as written.
fn expectation_facts(report: &Report) -> Vec<(String, String)> {
    let Some(e) = &report.expectations else {
        return vec![];
    };
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| out.push((k.to_owned(), v));
    if let Some(p) = &e.policy {
        put("policy file", format!("{} ({})", p.path, p.digest));
    }
    let s = &e.signers;
    put("signers", s.mode.clone());
    if let Some(i) = &s.identity {
        put("certificate identity", i.to_string());
    }
    if let Some(i) = &s.issuer {
        put("OIDC issuer", i.to_string());
    }
    for k in &s.keys {
        put(
            "key",
            format!(
                "{} ({}, fingerprint sha256:{})",
                k.location, k.algorithm, k.fingerprint
            ),
        );
    }
    put("threshold", s.threshold.to_string());
    put("trusted root", s.trusted_root.clone());
    if s.insecure_ignore_tlog {
        put(
            "transparency log",
            "not verified (--insecure-ignore-tlog)".into(),
        );
    }
    let pairs = |m: &std::collections::BTreeMap<String, String>| {
        m.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (k, v) in &e.source {
        put(k, v.clone());
    }
    for g in &e.any_of {
        put(
            "any of",
            g.iter().map(pairs).collect::<Vec<_>>().join(" | "),
        );
    }
    if e.provenance_required {
        put("provenance", "required".into());
    }
    for (k, v) in &e.sbom {
        put(&format!("sbom {k}"), v.clone());
    }
    if let Some(g) = &e.gates {
        if !g.required.is_empty() {
            put("required gates", g.required.join(", "));
        }
        if !g.max_findings.is_empty() {
            put(
                "max open findings",
                g.max_findings
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        put("unknown severity counts as", g.unknown_severity.clone());
        for w in &g.waivers {
            put("waiver", w.clone());
        }
        if g.require_signed {
            put("gate evidence", "signed attestations only".into());
        }
        if let Some(t) = &g.built_at {
            put("built at", t.clone());
        }
        if let Some(t) = &g.committed_at {
            put("committed at", t.clone());
        }
    }
    for (k, v) in &e.review {
        put(&format!("review {k}"), v.clone());
    }
    for r in &e.rego {
        put("rego", r.clone());
    }
    out
}
