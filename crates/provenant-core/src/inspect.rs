//! `provenant inspect`: say what a file is and whether it is well formed. Never verifies.

use serde_json::Value;

use provenant_formats::bundle::{parse_bundles, BundleContent, ParsedBundle};
use provenant_formats::dsse::{envelope_from_value, IN_TOTO_PAYLOAD_TYPE};
use provenant_formats::intoto::{parse_statement, statement_from_value, Statement};
use provenant_formats::json::parse_strict;
use provenant_model::Inspection;
use provenant_verify::sigstore_types as sigstore_verify_types;
use provenant_verify::TrustRoot;

const SIGNING_CONFIG_V02: &str = "application/vnd.dev.sigstore.signingconfig.v0.2+json";

struct Out {
    kind: &'static str,
    problem: Option<String>,
    facts: Vec<(String, String)>,
}

impl Out {
    fn new(kind: &'static str) -> Self {
        Self {
            kind,
            problem: None,
            facts: Vec::new(),
        }
    }
    fn fact(&mut self, k: &str, v: impl Into<String>) {
        self.facts.push((k.to_owned(), v.into()));
    }
    fn bad(mut self, p: impl Into<String>) -> Self {
        self.problem = Some(p.into());
        self
    }
}

/// Detect and describe `bytes` (read from `file`).
pub fn inspect(file: &str, bytes: &[u8]) -> Inspection {
    let out = detect(bytes);
    Inspection {
        file: file.to_owned(),
        kind: out.kind.to_owned(),
        well_formed: out.problem.is_none(),
        problem: out.problem,
        facts: out.facts,
        verified: false,
    }
}

fn detect(bytes: &[u8]) -> Out {
    let value = match parse_strict(bytes) {
        Ok(v) => v,
        Err(e) => {
            // JSON lines of bundles?
            if let Ok(list) = parse_bundles(bytes) {
                if list.len() > 1 {
                    return bundles_out(&list);
                }
            }
            return Out::new("unknown").bad(e.to_string());
        }
    };
    let media = value
        .get("mediaType")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if media.starts_with("application/vnd.dev.sigstore.bundle") {
        return bundles_out(&parse_bundles(bytes).unwrap_or_else(|e| vec![Err(e)]));
    }
    if media.starts_with("application/vnd.dev.sigstore.trustedroot")
        || media.starts_with("application/vnd.dev.sigstore.clienttrustconfig")
        || (value.get("tlogs").is_some() && value.get("certificateAuthorities").is_some())
        || value.get("trustedRoot").is_some()
    {
        let kind = if value.get("trustedRoot").is_some() {
            "client-trust-config"
        } else {
            "trusted-root"
        };
        let mut out = Out::new(kind);
        out.fact("media type", media);
        return match TrustRoot::from_json(bytes, "file") {
            Ok(r) => {
                out.fact("contents", r.summary());
                out
            }
            Err(e) => out.bad(e.to_string()),
        };
    }
    if media.starts_with("application/vnd.dev.sigstore.signingconfig") {
        let mut out = Out::new("signing-config");
        out.fact("media type", media.clone());
        if media != SIGNING_CONFIG_V02 {
            return out.bad(format!("unsupported signing config media type {media:?}"));
        }
        return signing_config(&value, out);
    }
    if value.get("certChain").is_some() && value.get("subject").is_some() {
        return certificate_authority(&value);
    }
    if let Some(list) = value.get("attestations").and_then(Value::as_array) {
        // The npm registry's attestations document: {"attestations":[{predicateType, bundle}]}.
        let mut out = Out::new("npm-attestations");
        for (n, a) in list.iter().enumerate() {
            let pt = a
                .get("predicateType")
                .and_then(Value::as_str)
                .unwrap_or("(none)");
            let Some(b) = a.get("bundle") else {
                return out.bad(format!("attestation {} has no bundle", n + 1));
            };
            let bytes = serde_json::to_vec(b).unwrap_or_default();
            match provenant_formats::bundle::parse_bundle(&bytes) {
                Ok(pb) => {
                    out.fact(&format!("[{}] predicate type", n + 1), pt);
                    bundle_facts(&pb, &format!("[{}] ", n + 1), &mut out);
                }
                Err(e) => return out.bad(format!("attestation {}: {e}", n + 1)),
            }
        }
        return out;
    }
    if let Some(v) = value
        .pointer("/provenance_summary/provenance")
        .and_then(Value::as_array)
    {
        let mut out = Out::new("gcb-provenance");
        out.fact("entries", v.len().to_string());
        return out;
    }
    if value.get("payloadType").is_some() {
        let mut out = Out::new("dsse-envelope");
        return match envelope_from_value(&value) {
            Ok(env) => {
                out.fact("payload type", env.payload_type.clone());
                out.fact("signatures", env.signatures.len().to_string());
                if env.payload_type == IN_TOTO_PAYLOAD_TYPE {
                    match parse_statement(&env.payload) {
                        Ok(s) => statement_facts(&s, &mut out),
                        Err(e) => return out.bad(format!("payload: {e}")),
                    }
                }
                out
            }
            Err(e) => out.bad(e.to_string()),
        };
    }
    if value.get("_type").is_some() {
        let mut out = Out::new("in-toto-statement");
        return match statement_from_value(value) {
            Ok(s) => {
                statement_facts(&s, &mut out);
                out
            }
            Err(e) => out.bad(e.to_string()),
        };
    }
    if !media.is_empty() {
        return Out::new("unknown").bad(format!("unknown mediaType {media:?}"));
    }
    Out::new("unknown").bad("not a format provenant knows (Sigstore bundle, DSSE envelope, in-toto statement, trusted root)")
}

fn statement_facts(s: &Statement, out: &mut Out) {
    out.fact("statement type", s.statement_type.clone());
    out.fact("predicate type", s.predicate_type.clone());
    for subj in s.subjects.iter().take(20) {
        let d: Vec<String> = subj
            .digest
            .iter()
            .map(|(a, h)| format!("{a}:{h}"))
            .collect();
        out.fact(
            "subject",
            format!(
                "{} {}",
                if subj.name.is_empty() {
                    "(unnamed)"
                } else {
                    &subj.name
                },
                d.join(" ")
            ),
        );
    }
    if s.subjects.len() > 20 {
        out.fact("subjects (more)", (s.subjects.len() - 20).to_string());
    }
    if let Some(p) = provenant_formats::slsa::provenance_of(s) {
        let f = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not recorded)".into());
        out.fact("builder", f(&p.builder_id));
        out.fact("build type", f(&p.build_type));
        out.fact(
            "source",
            format!("{} {}", f(&p.source_repository), f(&p.source_ref)),
        );
        out.fact("source commit", f(&p.source_commit));
        if let Some(i) = &p.invocation_id {
            out.fact("invocation", i.clone());
        }
    }
}

fn bundles_out(list: &[Result<ParsedBundle, provenant_formats::bundle::BundleError>]) -> Out {
    let mut out = Out::new(if list.len() > 1 {
        "sigstore-bundle-jsonl"
    } else {
        "sigstore-bundle"
    });
    for (i, b) in list.iter().enumerate() {
        let p = if list.len() > 1 {
            format!("[{}] ", i + 1)
        } else {
            String::new()
        };
        match b {
            Err(e) => return out.bad(format!("{p}{e}")),
            Ok(b) => bundle_facts(b, &p, &mut out),
        }
    }
    out
}

fn bundle_facts(b: &ParsedBundle, p: &str, out: &mut Out) {
    use sigstore_crypto_info::describe_cert;
    out.fact(&format!("{p}media type"), b.media_type.clone());
    out.fact(&format!("{p}version"), b.version.as_str());
    out.fact(&format!("{p}content"), b.content_name());
    if let Some((san, issuer, nb, na)) = describe_cert(b) {
        out.fact(&format!("{p}signer"), san);
        out.fact(&format!("{p}oidc issuer"), issuer);
        out.fact(&format!("{p}certificate validity"), format!("{nb} .. {na}"));
    } else {
        out.fact(&format!("{p}signer"), "public key (no certificate)");
    }
    if let sigstore_verify_types::SignatureContent::MessageSignature(m) = &b.bundle.content {
        if let Some(md) = &m.message_digest {
            let alg = match md.algorithm {
                sigstore_verify_types::HashAlgorithm::Sha2384 => "sha384",
                sigstore_verify_types::HashAlgorithm::Sha2512 => "sha512",
                _ => "sha256",
            };
            let hex: String = md
                .digest
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            out.fact(&format!("{p}message digest"), format!("{alg}:{hex}"));
        }
    }
    if let BundleContent::Dsse {
        envelope,
        statement,
    } = &b.content
    {
        out.fact(&format!("{p}payload type"), envelope.payload_type.clone());
        match statement {
            Some(Ok(s)) => statement_facts(s, out),
            Some(Err(e)) => out.fact(&format!("{p}payload problem"), e.to_string()),
            None => {}
        }
    }
    for e in &b.bundle.verification_material.tlog_entries {
        out.fact(
            &format!("{p}tlog entry"),
            format!(
                "{} {} index {}{}{}",
                e.kind_version.kind(),
                e.kind_version.version(),
                e.log_index.get(),
                e.integrated_time
                    .map(|t| format!(" integrated {t}"))
                    .unwrap_or_default(),
                if e.inclusion_proof.is_some() {
                    " +proof"
                } else {
                    ""
                }
            ),
        );
    }
    let n = b
        .bundle
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps
        .len();
    if n > 0 {
        out.fact(&format!("{p}rfc3161 timestamps"), n.to_string());
    }
}

/// Certificate facts come from provenant-verify's parser (formats does no X.509).
mod sigstore_crypto_info {
    use provenant_formats::bundle::ParsedBundle;

    pub(super) fn describe_cert(b: &ParsedBundle) -> Option<(String, String, String, String)> {
        provenant_verify::describe_certificate(b.bundle.signing_certificate()?)
    }
}

fn signing_config(v: &Value, mut out: Out) -> Out {
    for key in ["caUrls", "oidcUrls", "rekorTlogUrls", "tsaUrls"] {
        match v.get(key) {
            Some(Value::Array(a)) => out.fact(key, a.len().to_string()),
            None => {}
            Some(_) => return out.bad(format!("{key} is not an array")),
        }
    }
    out
}

fn certificate_authority(v: &Value) -> Out {
    let mut out = Out::new("certificate-authority");
    let certs = v
        .pointer("/certChain/certificates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if certs.is_empty() {
        return out.bad("certificate authority has an empty certificate chain");
    }
    let mut ders = Vec::new();
    for c in &certs {
        let Some(der) = c
            .get("rawBytes")
            .and_then(Value::as_str)
            .and_then(provenant_formats::dsse::decode_base64)
        else {
            return out.bad("certificate rawBytes missing or not base64");
        };
        ders.push(der);
    }
    match provenant_verify::check_ca_chain(&ders) {
        Ok(summary) => {
            out.fact("chain", summary);
            out
        }
        Err(e) => out.bad(e),
    }
}
