//! JUnit XML, for CI test-report viewers: one `<testsuite>` for the run, one `<testcase>` per
//! check (classname = the check's group, name = code and evidence). A failed check is a
//! `<failure>`; a warning passes with its reason in `<system-out>`; a check that did not apply
//! is `<skipped>`. Everything from the report is XML-escaped and, as CI viewers show it, kept
//! to its line: controls, bidi characters and line breaks inside a field are shown escaped
//! ([`crate::sanitize::xml`]); only the line breaks between fields are real.

use std::io::{self, Write};

use provenant_model::{Check, Outcome, Report};

use crate::sanitize::xml as escape;

fn name(c: &Check) -> String {
    let ev: Vec<&str> = c.evidence.iter().map(|e| e.location.as_str()).collect();
    if ev.is_empty() {
        c.code.as_str().to_owned()
    } else {
        format!("{} [{}]", c.code.as_str(), ev.join(", "))
    }
}

/// The reason, then one line per piece of evidence; already escaped (each field on its line).
fn details(c: &Check) -> String {
    let mut s = escape(&c.reason);
    for e in &c.evidence {
        s.push_str(&format!(
            "\nevidence: {} {}",
            escape(&kind(e)),
            escape(&e.location)
        ));
        if let Some(d) = &e.digest {
            s.push_str(&format!(" ({})", escape(&d.to_string())));
        }
    }
    s
}

fn kind(e: &provenant_model::EvidenceRef) -> String {
    serde_json::to_value(e.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Write `report` as JUnit XML.
pub fn render(report: &Report, w: &mut impl Write) -> io::Result<()> {
    let count = |o: Outcome| report.checks.iter().filter(|c| c.outcome == o).count();
    let (tests, failures, skipped) = (
        report.checks.len(),
        count(Outcome::Fail),
        count(Outcome::NotApplicable),
    );
    let suite = escape(&format!(
        "provenant {} {}",
        report.command,
        crate::subject_label(report)
    ));
    let at = escape(&report.evaluated_at);
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="provenant" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}">"#
    )?;
    writeln!(
        w,
        r#"  <testsuite name="{suite}" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}" timestamp="{at}">"#
    )?;
    writeln!(w, "    <properties>")?;
    let mut props = vec![
        ("verdict", report.verdict.as_str().to_owned()),
        ("command", report.command.clone()),
        ("tool-version", report.tool.version.clone()),
    ];
    if let Some(n) = &report.subject.name {
        props.push(("subject", n.clone()));
    }
    for d in &report.subject.digests {
        props.push(("subject-digest", d.to_string()));
    }
    for (k, v) in props {
        writeln!(w, r#"      <property name="{k}" value="{}"/>"#, escape(&v))?;
    }
    writeln!(w, "    </properties>")?;
    for c in &report.checks {
        let open = format!(
            r#"    <testcase classname="{}" name="{}""#,
            escape(c.code.group()),
            escape(&name(c))
        );
        match c.outcome {
            Outcome::Pass => writeln!(w, "{open}/>")?,
            Outcome::Fail => {
                writeln!(w, "{open}>")?;
                writeln!(
                    w,
                    r#"      <failure message="{}" type="{}">{}</failure>"#,
                    escape(&c.reason),
                    escape(c.code.as_str()),
                    details(c)
                )?;
                writeln!(w, "    </testcase>")?;
            }
            Outcome::Warn => {
                writeln!(w, "{open}>")?;
                writeln!(w, "      <system-out>warning: {}</system-out>", details(c))?;
                writeln!(w, "    </testcase>")?;
            }
            Outcome::NotApplicable => {
                writeln!(w, "{open}>")?;
                writeln!(
                    w,
                    r#"      <skipped message="not applicable: {}"/>"#,
                    escape(&c.reason)
                )?;
                writeln!(w, "    </testcase>")?;
            }
        }
    }
    writeln!(w, "  </testsuite>")?;
    writeln!(w, "</testsuites>")
}
