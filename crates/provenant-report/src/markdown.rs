//! GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY`: the verdict as a headline, failed checks
//! first (code, reason, evidence), the provenance chain, the gate table, then every check.
//!
//! Every string from the report goes through [`crate::sanitize::markdown_text`] (or
//! [`crate::sanitize::markdown_code`]): Markdown and HTML syntax is neutralised, `|` is escaped,
//! and line breaks, controls and bidi characters are shown escaped, so evidence cannot reshape
//! the page.

use std::io::{self, Write};

use provenant_model::{Check, Outcome, Report, Verdict};
use serde_json::Value;

use crate::chain::chain_json;
use crate::sanitize::{markdown_code as code, markdown_text as text};

fn evidence(c: &Check) -> String {
    c.evidence
        .iter()
        .map(|e| text(&e.location))
        .collect::<Vec<_>>()
        .join(", ")
}

fn row(w: &mut impl Write, cells: &[String]) -> io::Result<()> {
    writeln!(w, "| {} |", cells.join(" | "))
}

fn header(w: &mut impl Write, cells: &[&str]) -> io::Result<()> {
    writeln!(w, "| {} |", cells.join(" | "))?;
    writeln!(w, "|{}", "---|".repeat(cells.len()))
}

fn get(v: &Value, ptr: &str) -> String {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .map_or_else(|| "-".into(), text)
}

/// Write `report` as Markdown.
pub fn render(report: &Report, w: &mut impl Write) -> io::Result<()> {
    let count = |o: Outcome| report.checks.iter().filter(|c| c.outcome == o).count();
    let (failed, warned) = (count(Outcome::Fail), count(Outcome::Warn));
    let subject = crate::subject_label(report);
    let mark = match report.verdict {
        Verdict::Pass => "✅ PASS",
        Verdict::Fail => "❌ FAIL",
    };
    writeln!(
        w,
        "## {mark}: provenant {} {}\n",
        text(&report.command),
        text(&subject)
    )?;
    writeln!(
        w,
        "{} checks, **{failed} failed**, {warned} warnings · evaluated {}  ",
        report.checks.len(),
        text(&report.evaluated_at)
    )?;
    for d in &report.subject.digests {
        writeln!(w, "subject {}  ", code(&d.to_string()))?;
    }
    writeln!(w)?;

    for (o, title) in [
        (Outcome::Fail, "Failed checks"),
        (Outcome::Warn, "Warnings"),
    ] {
        let list: Vec<&Check> = report.checks.iter().filter(|c| c.outcome == o).collect();
        if list.is_empty() {
            continue;
        }
        writeln!(w, "### {title}\n")?;
        for c in list {
            writeln!(w, "- **{}**: {}", code(c.code.as_str()), text(&c.reason))?;
            if !c.evidence.is_empty() {
                writeln!(w, "  evidence: {}", evidence(c))?;
            }
        }
        writeln!(w)?;
    }

    if !report.signatures.is_empty() {
        let chain = chain_json(report);
        writeln!(w, "### Provenance\n")?;
        header(
            w,
            &[
                "evidence", "verified", "builder", "source", "commit", "signer",
            ],
        )?;
        for l in chain["chains"].as_array().into_iter().flatten() {
            let verified = if l["verified"] == true {
                "yes".to_owned()
            } else {
                format!("**no**: {}", get(l, "/why_not"))
            };
            let source = match l.pointer("/source/ref").and_then(Value::as_str) {
                Some(r) => format!("{}@{}", get(l, "/source/repository"), text(r)),
                None => get(l, "/source/repository"),
            };
            row(
                w,
                &[
                    get(l, "/evidence"),
                    verified,
                    get(l, "/build/builder_id"),
                    source,
                    get(l, "/source/commit"),
                    get(l, "/signer/identity"),
                ],
            )?;
        }
        writeln!(w)?;
    }

    if !report.gates.is_empty() {
        writeln!(w, "### Security gates\n")?;
        header(w, &crate::GATE_COLUMNS)?;
        for g in &report.gates {
            row(
                w,
                &[
                    text(&g.gate),
                    text(&g.tool),
                    g.version.as_deref().map_or_else(|| "-".into(), text),
                    text(&g.scanned),
                    if g.bound {
                        "yes".into()
                    } else {
                        format!("**no**: {}", text(&g.binding))
                    },
                    text(&g.result),
                    crate::findings_summary(g),
                    if g.waived.is_empty() {
                        "-".into()
                    } else {
                        text(&g.waived.join(", "))
                    },
                    text(&g.trust),
                ],
            )?;
        }
        writeln!(w)?;
    }

    writeln!(
        w,
        "<details><summary>All {} checks</summary>\n",
        report.checks.len()
    )?;
    header(w, &["outcome", "code", "reason", "evidence"])?;
    for c in crate::failures_first(report) {
        let outcome = if c.outcome == Outcome::Fail {
            "**FAIL**"
        } else {
            c.outcome.as_str()
        };
        row(
            w,
            &[
                outcome.into(),
                code(c.code.as_str()),
                text(&c.reason),
                evidence(c),
            ],
        )?;
    }
    writeln!(w, "\n</details>")?;
    let asked = crate::expectation_facts(report);
    if !asked.is_empty() || !report.inputs.is_empty() {
        writeln!(
            w,
            "\n<details><summary>What was asked, and the files read</summary>\n"
        )?;
        if !asked.is_empty() {
            header(w, &["expectation", "value"])?;
            for (k, v) in &asked {
                row(w, &[text(k), code(v)])?;
            }
            writeln!(w)?;
        }
        if !report.inputs.is_empty() {
            header(w, &["role", "file", "sha256"])?;
            for f in &report.inputs {
                row(
                    w,
                    &[
                        f.role.as_str().into(),
                        code(&f.location),
                        code(&f.sha256.to_string()),
                    ],
                )?;
            }
            writeln!(w)?;
        }
        writeln!(w, "</details>")?;
    }
    for o in &report.opt_outs {
        writeln!(w, "\n> opt-out {}: {}", code(&o.name), text(&o.risk))?;
    }
    Ok(())
}
