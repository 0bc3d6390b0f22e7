//! The reconstructed chain for `provenant provenance`: artifact -> build -> source -> signer,
//! each link marked verified or not, and why.
//!
//! The chain's strings are evidence (a signed builder id can hold a newline and a forged
//! `[verified]` line): the text goes through [`terminal_line`], Mermaid labels through
//! [`mermaid_label`], JSON through [`write_json_pretty`].

use std::io::{self, Write};

use provenant_model::{
    CheckCode, EvidenceKind, Outcome, Report, SignatureClaim, SignerClaim, SubjectKind,
};
use serde_json::{json, Value};

use crate::sanitize::{mermaid_label, terminal_line, write_json_pretty};

/// One signature's chain, as plain values.
fn link(report: &Report, s: &SignatureClaim) -> Value {
    let about = |o: Outcome| {
        report.checks.iter().find(|c| {
            c.outcome == o && c.evidence.iter().any(|e| e.location == s.evidence.location)
        })
    };
    let why_not = about(Outcome::Fail)
        .or_else(|| about(Outcome::Warn))
        .map(|c| format!("{}: {}", c.code, c.reason));
    let (signer, issuer, cert) = match &s.signer {
        Some(SignerClaim::Certificate { san, claims, .. }) => {
            (Some(san.clone()), claims.issuer.clone(), Some(claims))
        }
        Some(SignerClaim::Key { key, .. }) => (Some(format!("key {key}")), None, None),
        None => (None, None, None),
    };
    let p = s.provenance.as_ref();
    // What the provenance does not record, the signing certificate's CI claims (Fulcio
    // extensions, covered by the same signature) may; each link says where it came from.
    let pick = |from_p: Option<String>, from_c: Option<String>| match (from_p, from_c) {
        (Some(v), _) => (Some(v), Some("provenance")),
        (None, Some(v)) => (Some(v), Some("certificate")),
        (None, None) => (None, None),
    };
    let (repository, repo_from) = pick(
        p.and_then(|p| p.source_repository.clone()),
        cert.and_then(|c| c.source_repository_uri.clone()),
    );
    let (source_ref, _) = pick(
        p.and_then(|p| p.source_ref.clone()),
        cert.and_then(|c| c.source_repository_ref.clone()),
    );
    let (commit, _) = pick(
        p.and_then(|p| p.source_commit.clone()),
        cert.and_then(|c| c.source_repository_digest.clone()),
    );
    let (builder, builder_from) = pick(
        p.and_then(|p| p.builder_id.clone()),
        cert.and_then(|c| c.build_signer_uri.clone()),
    );
    let (invocation, _) = pick(
        p.and_then(|p| p.invocation_id.clone()),
        cert.and_then(|c| c.run_invocation_uri.clone()),
    );
    let (runner, _) = pick(
        p.and_then(|p| p.runner_environment.clone()),
        cert.and_then(|c| c.runner_environment.clone()),
    );
    json!({
        "evidence": s.evidence.location,
        "verified": s.verified,
        "why_not": if s.verified { None } else { why_not },
        "predicate_type": s.predicate_type,
        "build": {
            "builder_id": builder,
            "build_type": p.and_then(|p| p.build_type.clone()),
            "invocation": invocation,
            "runner_environment": runner,
            "recorded_in": builder_from,
        },
        "source": {
            "repository": repository,
            "ref": source_ref,
            "commit": commit,
            "recorded_in": repo_from,
        },
        "signer": { "identity": signer, "issuer": issuer },
        "signed_at": s.signing_time,
    })
}

/// The first check among `codes`, as `{code, outcome, reason}`.
fn first_check(report: &Report, codes: &[CheckCode]) -> Value {
    report
        .checks
        .iter()
        .find(|c| codes.contains(&c.code))
        .map_or(
            Value::Null,
            |c| json!({"code": c.code, "outcome": c.outcome, "reason": c.reason}),
        )
}

/// For a deployed contract: address -> code -> build file, with the check deciding each link.
fn contract_link(report: &Report) -> Value {
    if report.subject.kind != SubjectKind::Contract {
        return Value::Null;
    }
    let runtime = [
        CheckCode::ContractRuntimeFullMatch,
        CheckCode::ContractRuntimePartialMatch,
        CheckCode::ContractRuntimeMismatch,
        CheckCode::ContractNotDeployed,
    ];
    let build = report
        .checks
        .iter()
        .filter(|c| runtime.contains(&c.code))
        .flat_map(|c| &c.evidence)
        .find(|e| e.kind == EvidenceKind::Artifact);
    json!({
        "address": report.subject.name,
        "code": first_check(report, &runtime),
        "creation": first_check(report, &[
            CheckCode::ContractCreationFullMatch,
            CheckCode::ContractCreationPartialMatch,
            CheckCode::ContractCreationMismatch,
        ]),
        "constructor_arguments": first_check(report, &[
            CheckCode::ContractConstructorArgsMatch,
            CheckCode::ContractConstructorArgsMismatch,
        ]),
        "libraries": first_check(report, &[
            CheckCode::ContractLibraryLinksMatch,
            CheckCode::ContractLibraryLinksMismatch,
        ]),
        "implementation": first_check(report, &[
            CheckCode::ContractProxyImplementationVerified,
            CheckCode::ContractProxyImplementationMismatch,
        ]),
        "build": build.map(|e| json!({
            "file": e.location,
            "digest": e.digest.as_ref().map(ToString::to_string),
        })),
        "gates": report.gates.len(),
    })
}

/// The chain as a JSON document.
pub fn chain_json(report: &Report) -> Value {
    let mut v = json!({
        "subject": report.subject.digests.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "verdict": report.verdict,
        "chains": report.signatures.iter().map(|s| link(report, s)).collect::<Vec<_>>(),
    });
    let contract = contract_link(report);
    if !contract.is_null() {
        v["contract"] = contract;
    }
    v
}

/// `outcome code` of a check value, or `not checked`.
fn check_line(v: &Value) -> String {
    if v.is_null() {
        return "not checked".into();
    }
    terminal_line(&format!(
        "{} {}",
        v["outcome"].as_str().unwrap_or("?"),
        v["code"].as_str().unwrap_or("?")
    ))
}

/// The subject's first digest, or its name (a VSA subject may have no sha digest).
fn subject_of(report: &Report) -> String {
    report
        .subject
        .digests
        .first()
        .map(ToString::to_string)
        .or_else(|| report.subject.name.clone())
        .unwrap_or_default()
}

/// The string at `ptr`, or `?`, sanitised for the terminal.
fn get(v: &Value, ptr: &str) -> String {
    terminal_line(v.pointer(ptr).and_then(Value::as_str).unwrap_or("?"))
}

/// The chain as text.
pub fn render_text(report: &Report, w: &mut impl Write) -> io::Result<()> {
    let c = chain_json(report);
    let subject = terminal_line(&subject_of(report));
    writeln!(
        w,
        "{} provenance of {subject}",
        report.verdict.as_str().to_uppercase()
    )?;
    if let Some(k) = c.get("contract") {
        writeln!(w, "  contract {}", get(k, "/address"))?;
        writeln!(w, "    code           {}", check_line(&k["code"]))?;
        writeln!(w, "    creation       {}", check_line(&k["creation"]))?;
        writeln!(
            w,
            "    arguments      {}",
            check_line(&k["constructor_arguments"])
        )?;
        if !k["libraries"].is_null() {
            writeln!(w, "    libraries      {}", check_line(&k["libraries"]))?;
        }
        if !k["implementation"].is_null() {
            writeln!(w, "    implementation {}", check_line(&k["implementation"]))?;
        }
        writeln!(
            w,
            "    build          {} {}",
            get(k, "/build/file"),
            get(k, "/build/digest")
        )?;
        writeln!(
            w,
            "    gates          {} judged",
            k["gates"].as_u64().unwrap_or(0)
        )?;
    }
    for l in c["chains"].as_array().into_iter().flatten() {
        let mark = if l["verified"] == true {
            "verified"
        } else {
            "NOT VERIFIED"
        };
        writeln!(w, "  [{mark}] {}", get(l, "/evidence"))?;
        if let Some(why) = l["why_not"].as_str() {
            writeln!(w, "    why      {}", terminal_line(why))?;
        }
        writeln!(w, "    artifact {subject}")?;
        let from = |ptr: &str| match l.pointer(ptr).and_then(Value::as_str) {
            Some("certificate") => " (from the signing certificate)",
            _ => "",
        };
        writeln!(
            w,
            "    build    {} ({}) run {}{}",
            get(l, "/build/builder_id"),
            get(l, "/build/build_type"),
            get(l, "/build/invocation"),
            from("/build/recorded_in")
        )?;
        writeln!(
            w,
            "    source   {}@{} commit {}{}",
            get(l, "/source/repository"),
            get(l, "/source/ref"),
            get(l, "/source/commit"),
            from("/source/recorded_in")
        )?;
        writeln!(
            w,
            "    signer   {} (issuer {})",
            get(l, "/signer/identity"),
            get(l, "/signer/issuer")
        )?;
    }
    if report.signatures.is_empty() {
        writeln!(w, "  no signed evidence: nothing to reconstruct")?;
    }
    Ok(())
}

/// The string at `ptr`, or `?`, as Mermaid label text.
fn label(v: &Value, ptr: &str) -> String {
    mermaid_label(v.pointer(ptr).and_then(Value::as_str).unwrap_or("?"))
}

/// The chain as a Mermaid flowchart (`flowchart LR`).
pub fn render_mermaid(report: &Report, w: &mut impl Write) -> io::Result<()> {
    let c = chain_json(report);
    let subject = subject_of(report);
    writeln!(w, "flowchart LR")?;
    writeln!(w, "  A[\"artifact<br/>{}\"]", mermaid_label(&subject))?;
    if let Some(k) = c.get("contract") {
        let edge = |v: &Value| match v["outcome"].as_str() {
            Some("pass") => format!("-->|{}|", mermaid_label(v["code"].as_str().unwrap_or("?"))),
            Some(_) => format!("-.->|{}|", mermaid_label(v["code"].as_str().unwrap_or("?"))),
            None => "-.->|not checked|".to_owned(),
        };
        writeln!(w, "  K[\"contract<br/>{}\"]", label(k, "/address"))?;
        writeln!(w, "  C[\"code at the address\"]")?;
        writeln!(w, "  F[\"build file<br/>{}\"]", label(k, "/build/file"))?;
        writeln!(w, "  K --> C")?;
        writeln!(w, "  C {} F", edge(&k["code"]))?;
        writeln!(w, "  F --> A")?;
        if !k["implementation"].is_null() {
            writeln!(w, "  P[\"implementation\"]")?;
            writeln!(w, "  K {} P", edge(&k["implementation"]))?;
        }
    }
    for (i, l) in c["chains"].as_array().into_iter().flatten().enumerate() {
        let edge = if l["verified"] == true {
            "-->|verified|"
        } else {
            "-.->|not verified|"
        };
        writeln!(
            w,
            "  B{i}[\"build<br/>{}<br/>run {}\"]",
            label(l, "/build/builder_id"),
            label(l, "/build/invocation")
        )?;
        writeln!(
            w,
            "  S{i}[\"source<br/>{}@{}<br/>{}\"]",
            label(l, "/source/repository"),
            label(l, "/source/ref"),
            label(l, "/source/commit")
        )?;
        writeln!(w, "  I{i}[\"signer<br/>{}\"]", label(l, "/signer/identity"))?;
        writeln!(w, "  A {edge} B{i}")?;
        writeln!(w, "  B{i} {edge} S{i}")?;
        writeln!(w, "  I{i} {edge} B{i}")?;
    }
    Ok(())
}

/// The chain as pretty JSON.
pub fn render_json(report: &Report, w: &mut impl Write) -> io::Result<()> {
    write_json_pretty(w, &chain_json(report))
}
