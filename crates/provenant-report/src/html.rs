//! One self-contained HTML page: the verdict, failed checks first with their evidence, the
//! provenance chain drawn as inline SVG (artifact -> build -> source, and the signer), the gate
//! table and every check. No external resources: inline CSS, no script, and a
//! Content-Security-Policy that forbids loading anything and allows only the page's own style
//! sheet (by hash), so the page renders the same offline and a string that slipped past
//! escaping could still fetch, run or restyle nothing. Every string from
//! the report goes through [`crate::sanitize::html`]: markup is escaped, and controls, bidi and
//! invisible characters are shown escaped. Evidence is only ever element text or a quoted
//! attribute value: never a URL, a script, a style or an unquoted attribute.

use std::fmt::Write as _;
use std::io::{self, Write};

use provenant_model::{Check, Outcome, Report, Verdict};
use serde_json::Value;

use crate::chain::chain_json;
use crate::sanitize::html as escape;

const CSS: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1f2328;background:#fff}
main{max-width:1160px;margin:0 auto;padding:0 20px 40px}
header.verdict{padding:18px 20px;color:#fff}
header.pass{background:#1a7f37}header.fail{background:#cf222e}
header h1{margin:0;font-size:30px;letter-spacing:.04em}header p{margin:4px 0 0;word-break:break-all}
h2{margin:28px 0 10px;font-size:19px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;width:100%;table-layout:auto}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top;word-break:break-word}
th{background:#f6f8fa}.nw{white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.o-fail{color:#cf222e;font-weight:700}.o-warn{color:#9a6700;font-weight:700}.o-pass{color:#1a7f37}.o-not-applicable{color:#656d76}
ul.failures{padding-left:18px}ul.failures li{margin-bottom:8px}
.ev{color:#656d76;font-size:12px;word-break:break-all}
svg text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;fill:#1f2328}
svg text.t{font-weight:700;font-size:13px}
svg rect{fill:#f6f8fa;stroke:#57606a;stroke-width:1.2}
svg .bad rect{stroke:#cf222e}
svg line.ok{stroke:#1a7f37;stroke-width:2}svg line.bad{stroke:#cf222e;stroke-width:2;stroke-dasharray:6 4}
svg text.lbl{font-size:11px;fill:#57606a}
footer{margin-top:30px;color:#656d76;font-size:12px}
svg#provenance-graph{display:block;width:100%;max-width:1120px;height:auto}
table.gates{table-layout:auto}table.gates th{white-space:nowrap}
table.gates td{word-break:normal;overflow-wrap:anywhere}
table.facts th{white-space:nowrap;width:1%}table.facts td{overflow-wrap:anywhere;word-break:normal}
@media print{
body{font-size:11px}main{max-width:none;padding:0 4mm}
header.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}
h2{break-after:avoid}tr,li,g.chain{break-inside:avoid}
table{font-size:10px}th,td{padding:2px 4px}
svg#provenance-graph{max-width:100%}
footer{break-before:avoid}
}
";

/// The CSP hash of [`CSS`] (`sha256-` and the base64 of its SHA-256): the page's one style
/// sheet is the only style it applies, so even markup that slipped past escaping could not
/// restyle the verdict. A test recomputes it (tests/it/reports.rs).
const CSS_SHA256: &str = "R9r0IAo2oOBD7IwzAcMfuuM1xMdt21RGNJAf2EFEBOM=";

/// Cut `s` into lines of at most `max` characters, preferring to break after `/`, `@`, `:`,
/// `-` or a space in the second half of a line; nothing is dropped (a graph label is never
/// cut short, so a printed report keeps every value).
fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(8);
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    while chars.len() - start > max {
        let window = &chars[start..start + max];
        let cut = window
            .iter()
            .rposition(|c| matches!(c, '/' | '@' | ':' | '-' | ' '))
            .filter(|&i| i + 1 >= max / 2)
            .map_or(max, |i| i + 1);
        out.push(chars[start..start + cut].iter().collect());
        start += cut;
    }
    out.push(chars[start..].iter().collect());
    out
}

/// Line height of node text in the graph.
const LINE: u32 = 18;

fn get<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .unwrap_or("(not recorded)")
}

/// One `<text>` element for one value: its first line, then a `<tspan>` per further line
/// (so the page's element structure does not depend on how long a value is).
fn text_lines(svg: &mut String, class: &str, x: u32, y: u32, lines: &[String]) {
    let class = if class.is_empty() {
        String::new()
    } else {
        format!(r#" class="{class}""#)
    };
    let _ = write!(svg, r#"<text{class} x="{x}" y="{y}">"#);
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            svg.push_str(&escape(l));
        } else {
            let _ = write!(svg, r#"<tspan x="{x}" dy="{LINE}">{}</tspan>"#, escape(l));
        }
    }
    svg.push_str("</text>");
}

/// The wrapped lines of a node's values, for a box `w` wide.
fn node_lines(w: u32, lines: &[String]) -> Vec<String> {
    let max = ((w - 20) as f64 / 7.3) as usize;
    lines.iter().flat_map(|l| wrap(l, max)).collect()
}

/// The height of a box `w` wide holding `lines` (wrapped).
fn node_height(w: u32, lines: &[String]) -> u32 {
    30 + LINE * node_lines(w, lines).len() as u32
}

/// A box with a bold title and its lines, each wrapped to the box's width (never cut); the
/// full text is also its tooltip.
#[allow(clippy::too_many_arguments)]
fn node(
    svg: &mut String,
    x: u32,
    y: u32,
    w: u32,
    h: u32,
    title: &str,
    lines: &[String],
    bad: bool,
) {
    // The tooltip's lines are ours; each line's text is escaped on its own.
    let tip: Vec<String> = std::iter::once(title)
        .chain(lines.iter().map(String::as_str))
        .map(escape)
        .collect();
    let _ = write!(
        svg,
        r#"<g class="node{}"><title>{}</title><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6"/><text class="t" x="{}" y="{}">{}</text>"#,
        if bad { " bad" } else { "" },
        tip.join("\n"),
        x + 10,
        y + 20,
        escape(title)
    );
    let max = ((w - 20) as f64 / 7.3) as usize;
    let mut row = 0;
    for l in lines {
        let wrapped = wrap(l, max);
        text_lines(svg, "", x + 10, y + 40 + LINE * row, &wrapped);
        row += wrapped.len() as u32;
    }
    svg.push_str("</g>");
}

fn edge(svg: &mut String, (x1, y1): (u32, u32), (x2, y2): (u32, u32), label: &str, ok: bool) {
    let (class, marker) = if ok { ("ok", "a-ok") } else { ("bad", "a-bad") };
    // Labels sit above a horizontal edge, beside a vertical one.
    let (anchor, lx, ly) = if x1 == x2 {
        ("start", x1 + 6, (y1 + y2) / 2 + 4)
    } else {
        ("middle", (x1 + x2) / 2, (y1 + y2) / 2 - 6)
    };
    let _ = write!(
        svg,
        r#"<line class="{class}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" marker-end="url(#{marker})"/><text class="lbl" text-anchor="{}" x="{}" y="{}">{}</text>"#,
        anchor,
        lx,
        ly,
        escape(label)
    );
}

/// One chain of the graph: its heading lines and the four boxes' lines.
struct ChainBoxes {
    ok: bool,
    heading: Vec<String>,
    build: Vec<String>,
    source: Vec<String>,
    signer: Vec<String>,
}

impl ChainBoxes {
    fn top_height(&self, artifact: &[String]) -> u32 {
        node_height(250, artifact)
            .max(node_height(330, &self.build))
            .max(node_height(370, &self.source))
    }

    fn height(&self, artifact: &[String]) -> u32 {
        // heading, top row, gap, signer row, gap
        LINE * self.heading.len() as u32
            + 12
            + self.top_height(artifact)
            + 30
            + node_height(330, &self.signer)
            + 24
    }
}

/// The provenance graph of every signature, as inline SVG. Every value is drawn in full,
/// wrapped to its box (boxes grow to fit), and the SVG scales down to the page's width.
fn graph(report: &Report) -> String {
    let chain = chain_json(report);
    let links: Vec<&Value> = chain["chains"].as_array().into_iter().flatten().collect();
    let subject = crate::subject_label(report);
    let digest = report
        .subject
        .digests
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    let artifact = [subject, digest];
    let boxes: Vec<ChainBoxes> = links
        .iter()
        .map(|l| {
            let ok = l["verified"] == true;
            let status = if ok {
                "verified".to_owned()
            } else {
                match l["why_not"].as_str() {
                    Some(w) => format!("NOT VERIFIED: {w}"),
                    None => "NOT VERIFIED".to_owned(),
                }
            };
            ChainBoxes {
                ok,
                heading: wrap(&format!("{} [{status}]", get(l, "/evidence")), 135),
                build: vec![
                    get(l, "/build/builder_id").to_owned(),
                    format!("run {}", get(l, "/build/invocation")),
                ],
                source: vec![
                    match l.pointer("/source/ref").and_then(Value::as_str) {
                        Some(r) => format!("{}@{r}", get(l, "/source/repository")),
                        None => get(l, "/source/repository").to_owned(),
                    },
                    format!("commit {}", get(l, "/source/commit")),
                ],
                signer: vec![
                    get(l, "/signer/identity").to_owned(),
                    format!("issuer {}", get(l, "/signer/issuer")),
                ],
            }
        })
        .collect();
    let height = 10 + boxes.iter().map(|b| b.height(&artifact)).sum::<u32>();
    let mut svg = format!(
        r#"<svg id="provenance-graph" role="img" aria-label="provenance graph" viewBox="0 0 1120 {height}" width="1120" height="{height}" preserveAspectRatio="xMinYMin meet">"#
    );
    svg.push_str(r##"<defs><marker id="a-ok" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1a7f37"/></marker><marker id="a-bad" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#cf222e"/></marker></defs>"##);
    let mut y = 10;
    for b in &boxes {
        let _ = write!(
            svg,
            r#"<g class="chain {}">"#,
            if b.ok { "verified" } else { "unverified" },
        );
        text_lines(&mut svg, "t", 10, y + 14, &b.heading);
        let top = y + LINE * b.heading.len() as u32 + 12;
        let th = b.top_height(&artifact);
        node(&mut svg, 10, top, 250, th, "artifact", &artifact, false);
        node(&mut svg, 330, top, 330, th, "build", &b.build, !b.ok);
        node(&mut svg, 740, top, 370, th, "source", &b.source, !b.ok);
        let sy = top + th + 30;
        let sh = node_height(330, &b.signer);
        node(&mut svg, 330, sy, 330, sh, "signer", &b.signer, !b.ok);
        let mid = top + 40;
        edge(&mut svg, (260, mid), (328, mid), "built by", b.ok);
        edge(&mut svg, (660, mid), (738, mid), "from", b.ok);
        edge(&mut svg, (495, sy), (495, top + th + 2), "signed", b.ok);
        svg.push_str("</g>");
        y += b.height(&artifact);
    }
    svg.push_str("</svg>");
    svg
}

fn evidence_cell(c: &Check) -> String {
    let mut s = String::new();
    for e in &c.evidence {
        let kind = serde_json::to_value(e.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = write!(
            s,
            r#"<div class="ev">{}: <span class="mono">{}</span>{}</div>"#,
            escape(&kind),
            escape(&e.location),
            e.digest
                .as_ref()
                .map(|d| format!(r#" <span class="mono">{}</span>"#, escape(&d.to_string())))
                .unwrap_or_default()
        );
    }
    s
}

fn outcome_cell(o: Outcome) -> String {
    let label = if o == Outcome::Fail {
        "FAIL"
    } else {
        o.as_str()
    };
    format!(r#"<span class="o-{}">{label}</span>"#, o.as_str())
}

/// Write `report` as one self-contained HTML page.
pub fn render(report: &Report, w: &mut impl Write) -> io::Result<()> {
    let mut h = String::with_capacity(16 * 1024);
    let count = |o: Outcome| report.checks.iter().filter(|c| c.outcome == o).count();
    let (failed, warned) = (count(Outcome::Fail), count(Outcome::Warn));
    let (verdict, class) = match report.verdict {
        Verdict::Pass => ("PASS", "pass"),
        Verdict::Fail => ("FAIL", "fail"),
    };
    let subject = crate::subject_label(report);
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-{CSS_SHA256}'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{verdict}: provenant {} {}</title>
<style>{CSS}</style>
</head>
<body>
<header class="verdict {class}"><h1 id="verdict">{verdict}</h1><p>provenant {} <span class="mono">{}</span>: {} checks, {failed} failed, {warned} warnings</p></header>
<main>
"#,
        escape(&report.command),
        escape(&subject),
        escape(&report.command),
        escape(&subject),
        report.checks.len(),
    );

    h.push_str("<section id=\"subject\"><h2>Subject</h2><table>");
    let mut facts: Vec<(&str, String)> = vec![("kind", {
        serde_json::to_value(report.subject.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    })];
    if let Some(n) = &report.subject.name {
        facts.push(("name", n.clone()));
    }
    for d in &report.subject.digests {
        facts.push(("digest", d.to_string()));
    }
    if let Some(s) = report.subject.size {
        facts.push(("size", format!("{s} bytes")));
    }
    facts.push(("evaluated at", report.evaluated_at.clone()));
    facts.push((
        "verifier",
        format!("{} {}", report.tool.name, report.tool.version),
    ));
    for (k, v) in facts {
        let _ = write!(
            h,
            r#"<tr><th>{k}</th><td class="mono">{}</td></tr>"#,
            escape(&v)
        );
    }
    h.push_str("</table></section>\n");

    let asked = crate::expectation_facts(report);
    if !asked.is_empty() {
        h.push_str("<section id=\"expectations\"><h2>What was asked</h2><table class=\"facts\">");
        for (k, v) in &asked {
            let _ = write!(
                h,
                r#"<tr><th>{}</th><td class="mono">{}</td></tr>"#,
                escape(k),
                escape(v)
            );
        }
        h.push_str("</table></section>\n");
    }
    if !report.inputs.is_empty() {
        h.push_str("<section id=\"inputs\"><h2>Files read</h2><table class=\"facts\"><tr><th>role</th><th>file</th><th>sha256</th></tr>");
        for f in &report.inputs {
            let _ = write!(
                h,
                r#"<tr><td class="nw">{}</td><td class="mono">{}</td><td class="mono">{}</td></tr>"#,
                f.role.as_str(),
                escape(&f.location),
                escape(&f.sha256.to_string())
            );
        }
        h.push_str("</table></section>\n");
    }

    for (o, id, title) in [
        (Outcome::Fail, "failures", "Failed checks"),
        (Outcome::Warn, "warnings", "Warnings"),
    ] {
        let list: Vec<&Check> = report.checks.iter().filter(|c| c.outcome == o).collect();
        if list.is_empty() {
            continue;
        }
        let _ = write!(
            h,
            r#"<section id="{id}"><h2>{title} ({})</h2><ul class="failures">"#,
            list.len()
        );
        for c in list {
            let _ = write!(
                h,
                r#"<li><code class="o-{}">{}</code> {}{}</li>"#,
                o.as_str(),
                escape(c.code.as_str()),
                escape(&c.reason),
                evidence_cell(c)
            );
        }
        h.push_str("</ul></section>\n");
    }

    if let Some(k) = chain_json(report).get("contract") {
        // address -> code -> build file, each link with the check that decided it
        let _ = write!(
            h,
            r#"<section id="contract"><h2>Deployed contract</h2><p class="mono">{}</p><table class="contract"><tr><th>link</th><th>outcome</th><th>check</th><th>why</th></tr>"#,
            escape(get(k, "/address"))
        );
        for (what, key) in [
            ("code at the address = build", "code"),
            ("creation transaction", "creation"),
            ("constructor arguments", "constructor_arguments"),
            ("library links", "libraries"),
            ("proxy implementation", "implementation"),
        ] {
            let v = &k[key];
            if v.is_null() {
                continue;
            }
            let _ = write!(
                h,
                r#"<tr><td>{}</td><td><code class="o-{}">{}</code></td><td><code>{}</code></td><td>{}</td></tr>"#,
                escape(what),
                escape(get(v, "/outcome")),
                escape(get(v, "/outcome")),
                escape(get(v, "/code")),
                escape(get(v, "/reason"))
            );
        }
        let _ = write!(
            h,
            r#"<tr><td>build file</td><td></td><td class="mono">{}</td><td class="mono">{}</td></tr></table></section>"#,
            escape(get(k, "/build/file")),
            escape(get(k, "/build/digest"))
        );
        h.push('\n');
    }
    h.push_str("<section id=\"provenance\"><h2>Provenance</h2>");
    if report.signatures.is_empty() {
        h.push_str("<p>No signed evidence: nothing to draw.</p>");
    } else {
        h.push_str(&graph(report));
    }
    h.push_str("</section>\n");

    if !report.gates.is_empty() {
        h.push_str("<section id=\"gates\"><h2>Security gates</h2><table class=\"gates\"><tr><th>gate</th><th>tool</th><th>version</th><th>scanned</th><th>bound</th><th>result</th><th>findings c/h/m/l</th><th>waived</th><th>trust</th><th>evidence</th></tr>");
        for g in &report.gates {
            let _ = write!(
                h,
                r#"<tr><td>{}</td><td>{}</td><td>{}</td><td class="mono">{}</td><td><span class="{}">{}</span> {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="ev">{}</td></tr>"#,
                escape(&g.gate),
                escape(&g.tool),
                escape(g.version.as_deref().unwrap_or("-")),
                escape(&g.scanned),
                if g.bound { "o-pass" } else { "o-fail" },
                if g.bound { "yes" } else { "NO" },
                escape(&g.binding),
                escape(&g.result),
                crate::findings_summary(g),
                escape(&g.waived.join(", ")),
                escape(&g.trust),
                escape(&g.evidence),
            );
        }
        h.push_str("</table></section>\n");
    }

    let _ = write!(
        h,
        r#"<section id="checks"><h2>All checks ({})</h2><table><tr><th class="nw">outcome</th><th>code</th><th>reason</th><th>evidence</th></tr>"#,
        report.checks.len()
    );
    for c in crate::failures_first(report) {
        let _ = write!(
            h,
            r#"<tr><td class="nw">{}</td><td class="nw"><code>{}</code></td><td>{}</td><td>{}</td></tr>"#,
            outcome_cell(c.outcome),
            escape(c.code.as_str()),
            escape(&c.reason),
            evidence_cell(c)
        );
    }
    h.push_str("</table></section>\n");

    if !report.opt_outs.is_empty() {
        h.push_str("<section id=\"opt-outs\"><h2>Opt-outs</h2><ul>");
        for o in &report.opt_outs {
            let _ = write!(
                h,
                "<li><code>{}</code>: {}</li>",
                escape(&o.name),
                escape(&o.risk)
            );
        }
        h.push_str("</ul></section>\n");
    }
    let _ = write!(
        h,
        "<footer>Written by {} {} at {}. Self-contained: nothing on this page is loaded from elsewhere.</footer>\n</main>\n</body>\n</html>\n",
        escape(&report.tool.name),
        escape(&report.tool.version),
        escape(&report.evaluated_at)
    );
    w.write_all(h.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_keeps_every_character() {
        let s = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0";
        let lines = wrap(s, 40);
        assert!(lines.len() > 2 && lines.iter().all(|l| l.chars().count() <= 40));
        assert_eq!(lines.concat(), s);
        assert_eq!(wrap("abc", 40), ["abc"]);
        assert_eq!(wrap(&"x".repeat(20), 8).concat(), "x".repeat(20));
    }
}
