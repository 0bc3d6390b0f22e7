//! `summary.md` and `summary.html`: the conclusion first (population, sample, deviations and
//! their causes, rates, upper limit against the tolerable rate), then a table of releases.
//! Every string from the population or the evidence goes through provenant-report's
//! sanitisers.

use std::fmt::Write as _;

use provenant_report::sanitize::{html as esc_html, markdown_text};

use crate::pack::Pack;
use crate::replay::verdict_name;
use crate::stats::Conclusion;

fn conclusion_text(p: &Pack) -> String {
    let o = &p.outcome;
    match (o.conclusion, &p.shard) {
        (_, Some(s)) => format!(
            "part {} of {} of a sharded run: no conclusion until the parts are merged",
            s.index, s.total
        ),
        (Some(Conclusion::Effective), _) => "effective".into(),
        (Some(Conclusion::NotEffective), _) => "not effective".into(),
        (None, _) if o.deviations == 0 => {
            "no conclusion (no tolerable rate); every sampled release verified".into()
        }
        (None, _) => "no conclusion (no tolerable rate); deviations were found".into(),
    }
}

/// The facts, as (label, value) pairs, in the order both summaries print them.
fn facts(p: &Pack) -> Vec<(&'static str, String)> {
    let o = &p.outcome;
    let q = &p.parameters;
    let pct = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v} %"));
    vec![
        ("Conclusion", conclusion_text(p)),
        (
            "Population",
            format!(
                "{} ({} releases, sha256 {})",
                p.population.path, p.population.rows, p.population.sha256
            ),
        ),
        (
            "Sample",
            format!(
                "{} of {} releases ({} selection, seed {:?})",
                o.tested, q.sample_size, q.method, q.seed
            ),
        ),
        (
            "Deviations",
            format!("{} ({} not tested)", o.deviations, o.not_tested),
        ),
        (
            "Sample deviation rate",
            format!("{:.4} %", o.sample_deviation_rate * 100.0),
        ),
        (
            "Upper deviation limit",
            format!(
                "{} at confidence {}",
                pct(o.upper_deviation_limit_pct),
                q.confidence.as_deref().unwrap_or("n/a")
            ),
        ),
        (
            "Tolerable rate",
            q.tolerable_rate.clone().unwrap_or_else(|| "n/a".into()),
        ),
        ("Effective time", q.effective_time.clone()),
        ("provenant", p.tool_version.clone()),
    ]
}

/// The Markdown summary.
pub fn markdown(p: &Pack) -> String {
    let mut s = String::from("# Audit sample\n\n");
    for (k, v) in facts(p) {
        let _ = writeln!(s, "- **{k}**: {}", markdown_text(&v));
    }
    s.push_str("\n| # | release | verdict | cause |\n| --- | --- | --- | --- |\n");
    for r in &p.releases {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            r.order,
            markdown_text(&r.plan.id),
            verdict_name(r.verdict),
            markdown_text(r.cause.as_deref().unwrap_or(""))
        );
    }
    s
}

/// The HTML summary (self-contained).
pub fn html(p: &Pack) -> String {
    let mut s = String::from(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Audit sample</title></head><body>\n<h1>Audit sample</h1>\n<dl>\n",
    );
    for (k, v) in facts(p) {
        let _ = writeln!(s, "<dt>{k}</dt><dd>{}</dd>", esc_html(&v));
    }
    s.push_str(
        "</dl>\n<table>\n<tr><th>#</th><th>release</th><th>verdict</th><th>cause</th></tr>\n",
    );
    for r in &p.releases {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.order,
            esc_html(&r.plan.id),
            verdict_name(r.verdict),
            esc_html(r.cause.as_deref().unwrap_or(""))
        );
    }
    s.push_str("</table>\n</body></html>\n");
    s
}
