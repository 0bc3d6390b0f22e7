//! Concise terminal text: the verdict first, then failures, warnings and passes, each with its
//! reason and the evidence it used.
//!
//! Every string from the report goes through [`crate::sanitize::terminal_line`] (here `t`):
//! evidence cannot send escape sequences to the terminal, break a line, or reorder what is read.

use std::io::{self, Write};

use provenant_model::{Check, Inspection, Outcome, Report, SignerClaim, Verdict};

use crate::sanitize::terminal_line as t;

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    fn outcome(&self, o: Outcome) -> String {
        match o {
            Outcome::Pass => self.paint("32", "pass"),
            Outcome::Fail => self.paint("1;31", "FAIL"),
            Outcome::Warn => self.paint("33", "warn"),
            Outcome::NotApplicable => self.paint("2", "n/a "),
        }
    }
}

/// Write `report` as text; `color` adds ANSI colours (the caller decides: TTY only).
pub fn render(report: &Report, w: &mut impl Write, color: bool) -> io::Result<()> {
    let st = Style { color };
    let subject = t(&crate::subject_label(report));
    let verdict = match report.verdict {
        Verdict::Pass => st.paint("1;32", "PASS"),
        Verdict::Fail => st.paint("1;31", "FAIL"),
    };
    let failed = report
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .count();
    writeln!(
        w,
        "{verdict} {} {subject} ({} checks, {failed} failed)",
        t(&report.command),
        report.checks.len()
    )?;
    for d in &report.subject.digests {
        writeln!(w, "  subject  {}", t(&d.to_string()))?;
    }
    for s in report.signatures.iter().filter(|s| s.verified) {
        match &s.signer {
            Some(SignerClaim::Certificate { san, claims, .. }) => {
                writeln!(
                    w,
                    "  signer   {} (issuer {})",
                    t(san),
                    t(claims.issuer.as_deref().unwrap_or("none"))
                )?;
                if let (Some(repo), Some(sha)) = (
                    &claims.source_repository_uri,
                    &claims.source_repository_digest,
                ) {
                    writeln!(
                        w,
                        "  source   {}@{}{}",
                        t(repo),
                        t(sha),
                        claims
                            .source_repository_ref
                            .as_deref()
                            .map(|r| format!(" ({})", t(r)))
                            .unwrap_or_default()
                    )?;
                }
            }
            Some(SignerClaim::Key { key, algorithm }) => {
                writeln!(w, "  signer   key {} ({})", t(key), t(algorithm))?
            }
            None => {}
        }
        if let Some(time) = &s.signing_time {
            writeln!(w, "  signed   {}", t(time))?;
        }
    }
    if let Some(p) = report.expectations.as_ref().and_then(|e| e.policy.as_ref()) {
        writeln!(
            w,
            "  policy   {} ({})",
            t(&p.path),
            t(&p.digest.to_string())
        )?;
    }
    if let Some(e) = &report.expectations {
        let s = &e.signers;
        let mut asked: Vec<String> = Vec::new();
        if let Some(i) = &s.identity {
            asked.push(format!("identity {i}"));
        }
        if let Some(i) = &s.issuer {
            asked.push(format!("issuer {i}"));
        }
        if !s.keys.is_empty() {
            asked.push(format!("{} key(s)", s.keys.len()));
        }
        asked.push(format!("trusted root {}", s.trusted_root));
        if let Some(c) = e.source.get("commit") {
            asked.push(format!("commit {c}"));
        }
        writeln!(w, "  asked    {}", t(&asked.join("; ")))?;
    }
    if !report.inputs.is_empty() {
        writeln!(
            w,
            "  read     {} files (each with its sha256 in --format json)",
            report.inputs.len()
        )?;
    }
    if !report.gates.is_empty() {
        gate_table(report, &st, w)?;
    }
    checks(report, &st, w)?;
    for o in &report.opt_outs {
        writeln!(w, "  opt-out  {}: {}", t(&o.name), t(&o.risk))?;
    }
    Ok(())
}

/// The security-gate table: gate, tool, version, what it scanned, bound or not (and how),
/// result, open findings by severity, waivers applied, trust.
fn gate_table(report: &Report, st: &Style, w: &mut impl Write) -> io::Result<()> {
    let head = crate::GATE_COLUMNS;
    let rows: Vec<[String; 9]> = report
        .gates
        .iter()
        .map(|g| {
            [
                t(&g.gate),
                t(&g.tool),
                t(g.version.as_deref().unwrap_or("-")),
                t(&g.scanned),
                if g.bound { "yes".into() } else { "NO".into() },
                t(&g.result),
                crate::findings_summary(g),
                if g.waived.is_empty() {
                    "-".into()
                } else {
                    t(&g.waived.join(","))
                },
                t(&g.trust),
            ]
        })
        .collect();
    let mut width = head.map(str::len);
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count()).min(72);
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{:<w$}", c, w = width[i]))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    writeln!(w, "  gates")?;
    writeln!(w, "    {}", st.paint("1", &line(&head.map(String::from))))?;
    for (r, g) in rows.iter().zip(&report.gates) {
        writeln!(w, "    {}", line(r))?;
        writeln!(w, "      {} [{}]", t(&g.binding), t(&g.evidence))?;
    }
    Ok(())
}

/// The evidence file a check is about: the first of its evidence that is one of the
/// signatures' evidence locations (a `#/pointer` suffix ignored).
fn bundle_of<'a>(c: &Check, bundles: &[&'a str]) -> Option<&'a str> {
    c.evidence.iter().find_map(|e| {
        let file = e.location.split('#').next().unwrap_or_default();
        bundles.iter().copied().find(|b| *b == file)
    })
}

/// The checks, failures first. With several evidence files, grouped under a heading per file
/// (each group failures first), then the checks about no one file.
fn checks(report: &Report, st: &Style, w: &mut impl Write) -> io::Result<()> {
    let mut bundles: Vec<&str> = Vec::new();
    for s in &report.signatures {
        let file = s.evidence.location.split('#').next().unwrap_or_default();
        if !bundles.contains(&file) {
            bundles.push(file);
        }
    }
    if bundles.len() < 2 {
        for c in crate::failures_first(report) {
            check_line(c, st, w)?;
        }
        return Ok(());
    }
    for b in &bundles {
        let mine: Vec<&Check> = crate::failures_first(report)
            .filter(|c| bundle_of(c, &bundles) == Some(*b))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let failed = mine.iter().filter(|c| c.outcome == Outcome::Fail).count();
        writeln!(
            w,
            "  {} {} ({} checks, {failed} failed)",
            st.paint("1", "evidence"),
            t(b),
            mine.len()
        )?;
        for c in mine {
            check_line(c, st, w)?;
        }
    }
    let rest: Vec<&Check> = crate::failures_first(report)
        .filter(|c| bundle_of(c, &bundles).is_none())
        .collect();
    if !rest.is_empty() {
        writeln!(w, "  {}", st.paint("1", "overall"))?;
        for c in rest {
            check_line(c, st, w)?;
        }
    }
    Ok(())
}

fn check_line(c: &Check, st: &Style, w: &mut impl Write) -> io::Result<()> {
    let ev: Vec<String> = c.evidence.iter().map(|e| t(&e.location)).collect();
    write!(
        w,
        "  {} {:<28} {}",
        st.outcome(c.outcome),
        c.code.as_str(),
        t(&c.reason)
    )?;
    if !ev.is_empty() && c.outcome != Outcome::Pass {
        write!(w, " [{}]", ev.join(", "))?;
    }
    writeln!(w)
}

/// Write an inspection as text.
pub fn render_inspection(i: &Inspection, w: &mut impl Write) -> io::Result<()> {
    let status = if i.well_formed {
        "well-formed"
    } else {
        "MALFORMED"
    };
    writeln!(
        w,
        "{}: {} ({status}; parsed only, nothing verified)",
        t(&i.file),
        t(&i.kind)
    )?;
    if let Some(p) = &i.problem {
        writeln!(w, "  problem: {}", t(p))?;
    }
    for (k, v) in &i.facts {
        writeln!(w, "  {}: {}", t(k), t(v))?;
    }
    Ok(())
}
