//! Every renderer on a report where *every* free-text field is hostile: found by walking the
//! report's serde form, so a field added later is covered without touching this test. Each
//! output must hold no hidden character and keep the shape (lines, tags, cells, quotes) it
//! has when the same fields are benign.
#![allow(clippy::disallowed_methods)] // the test reads back what the renderers wrote

use provenant_model::{
    CertificateClaims, Check, CheckCode, EvidenceKind, EvidenceRef, GateRow, Inspection, OptOut,
    Outcome, ProvenanceClaim, Report, SignatureClaim, SignerClaim, Subject, SubjectKind, ToolInfo,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::sanitize::is_hidden;

/// What an attacker appends to each field: a screen clear and a fake `PASS`, a CR, a line that
/// looks like a verified chain link, a bell, bidi overrides, the one-byte CSI, a line separator,
/// zero-width characters, and the markup of every format.
const HOSTILE: &str =
    "\u{1b}[2J\u{1b}[HPASS\r\n  [verified] builder https://evil\u{7}\u{202e}\u{2066}\
    \u{9b}31m\u{2028}\u{200b}\u{feff}\u{85}\u{7f}<b>x</b>|a|]\"'`$#;&amp;\n  pass forged-check ok";

fn digest() -> provenant_model::Digest {
    format!("sha256:{}", "ab".repeat(32)).parse().unwrap()
}

fn ev(kind: EvidenceKind, loc: &str) -> EvidenceRef {
    EvidenceRef::new(kind, loc)
}

/// A report with every field filled: checks of each outcome, a verified keyless signature with
/// SLSA provenance and every certificate claim, an unverified key signature, a gate row, an
/// opt-out.
fn full_report() -> Report {
    let claims = CertificateClaims {
        issuer: Some("https://token.actions.githubusercontent.com".into()),
        build_signer_uri: Some(
            "https://github.com/o/r/.github/workflows/w.yml@refs/tags/v1".into(),
        ),
        build_signer_digest: Some("abc".into()),
        runner_environment: Some("github-hosted".into()),
        source_repository_uri: Some("https://github.com/o/r".into()),
        source_repository_digest: Some("abc".into()),
        source_repository_ref: Some("refs/tags/v1".into()),
        source_repository_identifier: Some("1".into()),
        source_repository_owner_uri: Some("https://github.com/o".into()),
        source_repository_owner_identifier: Some("2".into()),
        build_config_uri: Some(
            "https://github.com/o/r/.github/workflows/w.yml@refs/tags/v1".into(),
        ),
        build_config_digest: Some("abc".into()),
        build_trigger: Some("push".into()),
        run_invocation_uri: Some("https://github.com/o/r/actions/runs/1".into()),
        source_repository_visibility: Some("public".into()),
        legacy_workflow_ref: Some("refs/tags/v1".into()),
        legacy_workflow_sha: Some("abc".into()),
        legacy_workflow_repository: Some("o/r".into()),
    };
    let provenance = ProvenanceClaim {
        predicate_type: "https://slsa.dev/provenance/v1".into(),
        builder_id: Some("https://github.com/actions/runner/github-hosted".into()),
        build_type: Some("https://actions.github.io/buildtypes/workflow/v1".into()),
        source_repository: Some("git+https://github.com/o/r".into()),
        source_ref: Some("refs/tags/v1".into()),
        source_commit: Some("abc".into()),
        workflow_path: Some(".github/workflows/w.yml".into()),
        invocation_id: Some("https://github.com/o/r/actions/runs/1".into()),
        runner_environment: Some("github-hosted".into()),
        external_parameters: Some(json!({"inputs": {"release": "1.0"}})),
        materials: vec![],
    };
    let signature = |loc: &str, verified: bool, signer: SignerClaim| SignatureClaim {
        evidence: ev(EvidenceKind::SigstoreBundle, loc).with_digest(digest()),
        verified,
        media_type: Some("application/vnd.dev.sigstore.bundle.v0.3+json".into()),
        content: "dsse".into(),
        payload_type: Some("application/vnd.in-toto+json".into()),
        predicate_type: Some("https://slsa.dev/provenance/v1".into()),
        signer: Some(signer),
        signing_time: Some("2026-01-01T00:00:00Z".into()),
        time_sources: vec![],
        log_entries: vec![],
        provenance: verified.then(|| provenance.clone()),
        signed_payload: None,
    };
    let keyless = SignerClaim::Certificate {
        san: "https://github.com/o/r/.github/workflows/w.yml@refs/tags/v1".into(),
        claims: Box::new(claims),
        ca: "CN=sigstore-intermediate".into(),
        not_before: "2026-01-01T00:00:00Z".into(),
        not_after: "2026-01-01T00:10:00Z".into(),
    };
    let key = SignerClaim::Key {
        key: "cosign.pub".into(),
        algorithm: "ecdsa-p256".into(),
    };
    let mut r = Report::new(
        ToolInfo {
            name: "provenant".into(),
            version: "0.0.0".into(),
        },
        "verify artifact",
        "2026-01-01T00:00:00Z",
        Subject {
            kind: SubjectKind::File,
            name: Some("app.tar.gz".into()),
            digests: vec![digest()],
            size: Some(1),
        },
        vec![
            Check::pass(
                CheckCode::SignatureValid,
                "signature verified",
                vec![ev(EvidenceKind::SigstoreBundle, "a.json")],
            ),
            Check::fail(
                CheckCode::SignerIdentityMismatch,
                "the signer is someone else",
                vec![ev(EvidenceKind::SigstoreBundle, "b.json").with_digest(digest())],
            ),
            Check::warn(
                CheckCode::EvidenceLocated,
                "found beside the artifact",
                vec![ev(EvidenceKind::Flag, "--bundle")],
            ),
            Check::new(
                CheckCode::SbomValid,
                Outcome::NotApplicable,
                "no SBOM asked for",
                vec![],
            ),
        ],
        vec![
            signature("a.json", true, keyless),
            signature("b.json", false, key),
        ],
        vec![OptOut {
            name: "--insecure-skip-tlog".into(),
            risk: "no transparency".into(),
        }],
    );
    r.gates = vec![GateRow {
        gate: "sast".into(),
        tool: "CodeQL".into(),
        version: Some("2.17.0".into()),
        scanned: "commit abc".into(),
        bound: false,
        binding: "another commit".into(),
        result: "failed".into(),
        findings: [("high".to_owned(), 2)].into_iter().collect(),
        waived: vec!["CVE-1".into()],
        trust: "plain-report".into(),
        evidence: "x.sarif".into(),
    }];
    r
}

fn inspection() -> Inspection {
    Inspection {
        file: "bundle.json".into(),
        kind: "sigstore-bundle".into(),
        well_formed: false,
        problem: Some("a problem".into()),
        facts: vec![("signer".into(), "someone".into())],
        verified: false,
    }
}

/// Paths (JSON pointers) to every string in `v`.
fn strings(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::String(_) => out.push(at),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                strings(x, format!("{at}/{i}"), out);
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                strings(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        _ => {}
    }
}

/// `value` with HOSTILE appended to every string the type still accepts (free text, not
/// enums or digests); also returns how many fields were made hostile.
fn poison<T: Serialize + DeserializeOwned>(value: &T) -> (T, usize) {
    let mut v = serde_json::to_value(value).unwrap();
    let mut paths = Vec::new();
    strings(&v, String::new(), &mut paths);
    let mut n = 0;
    for p in paths {
        let Some(Value::String(s)) = v.pointer(&p).cloned() else {
            continue;
        };
        *v.pointer_mut(&p).unwrap() = Value::String(format!("{s}{HOSTILE}"));
        if serde_json::from_value::<T>(v.clone()).is_ok() {
            n += 1;
        } else {
            *v.pointer_mut(&p).unwrap() = Value::String(s);
        }
    }
    (serde_json::from_value(v).unwrap(), n)
}

fn out(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut b = Vec::new();
    f(&mut b).unwrap();
    String::from_utf8(b).unwrap()
}

/// No hidden character but the line breaks between the renderer's own lines (and, with
/// colour, its own ESC).
fn assert_nothing_hidden(name: &str, s: &str, allow_esc: bool) {
    for (i, c) in s.char_indices() {
        let ok = c == '\n' || (allow_esc && c == '\u{1b}');
        assert!(
            ok || !is_hidden(c),
            "{name}: {c:?} at {i}: {:?}",
            &s[i.saturating_sub(40)..]
        );
    }
}

/// The structural characters of a format, counted.
/// `s` without `<tspan ...>` and `</tspan>` tags (the text inside kept).
fn strip_tspans(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("<tspan ") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.replace("</tspan>", "")
}

fn shape(s: &str, structural: &str) -> Vec<usize> {
    let mut v = vec![s.lines().count()];
    v.extend(structural.chars().map(|c| s.matches(c).count()));
    v
}

#[test]
fn every_field_of_the_report_is_covered() {
    let (_, n) = poison(&full_report());
    // Free-text fields found by the walk (tool, command, times, subject name, reasons,
    // locations, signer and certificate claims, provenance, gate row, opt-out...).
    assert!(n >= 60, "only {n} hostile fields");
}

#[test]
fn no_field_can_forge_output_in_any_format() {
    let benign = full_report();
    let (hostile, _) = poison(&benign);
    type Render = fn(&Report) -> String;
    // (name, renderer, characters whose count is the format's structure)
    let line_formats: [(&str, Render, &str); 7] = [
        ("text", |r| out(|w| crate::text::render(r, w, false)), ""),
        (
            "text colour",
            |r| out(|w| crate::text::render(r, w, true)),
            "\u{1b}",
        ),
        (
            "provenance text",
            |r| out(|w| crate::chain::render_text(r, w)),
            "",
        ),
        (
            "mermaid",
            |r| out(|w| crate::chain::render_mermaid(r, w)),
            "\"[]<>|",
        ),
        ("markdown", |r| out(|w| crate::markdown::render(r, w)), "<>"),
        ("html", |r| out(|w| crate::html::render(r, w)), "<>\"'"),
        ("junit", |r| out(|w| crate::junit::render(r, w)), "<>\"'"),
    ];
    for (name, render, structural) in line_formats {
        let (good, bad) = (render(&benign), render(&hostile));
        // The HTML graph wraps long values into `<tspan>` lines: how many depends on length,
        // not on content, so they are left out of the comparison (a forged one is escaped).
        let (good, bad) = if name == "html" {
            (strip_tspans(&good), strip_tspans(&bad))
        } else {
            (good, bad)
        };
        assert_nothing_hidden(name, &bad, name == "text colour");
        assert_eq!(
            shape(&bad, structural),
            shape(&good, structural),
            "{name}:\n{bad}"
        );
        assert!(
            !bad.contains("\n  [verified] builder https://evil"),
            "{name}"
        );
        assert!(!bad.contains("\n  pass forged-check"), "{name}");
        if name == "markdown" {
            // Every table row keeps its number of (unescaped) cells.
            let cells = |l: &str| l.replace("\\|", "").matches('|').count();
            let rows = |s: &str| s.lines().map(cells).collect::<Vec<_>>();
            assert_eq!(rows(&bad), rows(&good), "markdown table reshaped");
        }
    }

    // JSON formats: the exact values, in bytes that hide nothing.
    let json = out(|w| crate::json::render(&hostile, w));
    assert_nothing_hidden("json", &json, false);
    assert_eq!(serde_json::from_str::<Report>(&json).unwrap(), hostile);
    let chain = out(|w| crate::chain::render_json(&hostile, w));
    assert_nothing_hidden("provenance json", &chain, false);
    assert_eq!(
        serde_json::from_str::<Value>(&chain).unwrap(),
        crate::chain::chain_json(&hostile)
    );
    let vsa = out(|w| crate::vsa::render(&hostile, w));
    assert_nothing_hidden("vsa", &vsa, false);
    assert_eq!(
        serde_json::from_str::<Value>(&vsa).unwrap(),
        crate::vsa::statement(&hostile, None).unwrap()
    );

    // SARIF: exact bytes are safe, and what viewers show is sanitised as a value too.
    let sarif = out(|w| crate::sarif::render(&hostile, w));
    assert_nothing_hidden("sarif", &sarif, false);
    let log: Value = serde_json::from_str(&sarif).unwrap();
    let run = &log["runs"][0];
    let mut shown = vec![run["tool"]["driver"]["name"].as_str().unwrap().to_owned()];
    for r in run["results"].as_array().unwrap() {
        shown.push(r["message"]["text"].as_str().unwrap().to_owned());
    }
    assert_eq!(shown.len(), 3);
    for s in shown {
        assert!(!s.chars().any(is_hidden), "{s:?}");
        assert!(
            !s.replace("\\[", "").replace("\\]", "").contains(['[', ']']),
            "{s:?}"
        );
    }
}

#[test]
fn inspection_facts_cannot_forge_output() {
    let benign = inspection();
    let (hostile, n) = poison(&benign);
    assert_eq!(n, 5);
    let good = out(|w| crate::text::render_inspection(&benign, w));
    let bad = out(|w| crate::text::render_inspection(&hostile, w));
    assert_nothing_hidden("inspect text", &bad, false);
    assert_eq!(bad.lines().count(), good.lines().count(), "{bad}");
    let json = out(|w| crate::json::render_inspection(&hostile, w));
    assert_nothing_hidden("inspect json", &json, false);
    assert_eq!(serde_json::from_str::<Inspection>(&json).unwrap(), hostile);
}
