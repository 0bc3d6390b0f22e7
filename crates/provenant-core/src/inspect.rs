//! `provenant inspect`: say what a file is and whether it is well formed. Never verifies.

use std::borrow::Cow;

use serde_json::Value;

use provenant_formats::bundle::{parse_bundles, BundleContent, ParsedBundle};
use provenant_formats::dsse::{envelope_from_value, IN_TOTO_PAYLOAD_TYPE};
use provenant_formats::gate::{GateError, GateReport, Scanned, Severity};
use provenant_formats::intoto::{parse_statement, statement_from_value, Statement};
use provenant_formats::json::parse_strict;
use provenant_model::Inspection;
use provenant_verify::sigstore_types as sigstore_verify_types;
use provenant_verify::TrustRoot;

const SIGNING_CONFIG_V02: &str = "application/vnd.dev.sigstore.signingconfig.v0.2+json";

struct Out {
    kind: Cow<'static, str>,
    problem: Option<String>,
    facts: Vec<(String, String)>,
}

impl Out {
    fn new(kind: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind: kind.into(),
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

/// The [`Inspection::kind`] of a file `inspect` does not recognise (the model's documented
/// `unknown`): neither well formed nor malformed, since no format was found to judge it by (the
/// CLI says "not recognised" and exits 2 for it, not 1).
const NOT_RECOGNISED: &str = "unknown";

/// Detect and describe `bytes` (read from `file`).
pub fn inspect(file: &str, bytes: &[u8]) -> Inspection {
    let out = detect(bytes);
    Inspection {
        file: file.to_owned(),
        kind: out.kind.into_owned(),
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
            if let Some(out) = sbom_out(bytes) {
                return out;
            }
            // XML that is no SBOM: a ZAP report?
            if bytes.trim_ascii_start().starts_with(b"<") {
                if let Some(out) = gate_out(provenant_formats::gate::parse_gate(bytes), None) {
                    return out;
                }
            }
            if let Some(out) = text::pem_out(bytes).or_else(|| text::signature_out(bytes)) {
                return out;
            }
            // It opens as a JSON object or array does: broken JSON, not an unknown format
            // (`[section]` of TOML or INI is no array).
            let opened = bytes.trim_ascii_start();
            let json_like = match opened.first() {
                Some(b'{') => true,
                Some(b'[') => matches!(
                    opened[1..].trim_ascii_start().first(),
                    Some(b'{' | b'[' | b'"' | b']' | b'-' | b'0'..=b'9')
                ),
                _ => false,
            };
            if json_like {
                return Out::new("json").bad(e.to_string());
            }
            return not_recognised("neither JSON, XML, YAML nor PEM");
        }
    };
    if value.get("bomFormat").is_some()
        || value.get("spdxVersion").is_some()
        || value.get("@context").is_some()
    {
        if let Some(out) = sbom_out(bytes) {
            return out;
        }
    }
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
    if value.get("payloadType").is_some() && is_placeholder(value.get("payload")) {
        // A documentation template: `"payload": "<Base64(Statement)>"`. Its shape is an
        // envelope's, but there is nothing in it to parse or verify.
        let mut out = Out::new("dsse-envelope-template");
        out.fact(
            "payload",
            "a placeholder, not data: a template of an envelope, nothing to verify",
        );
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
    if let Some(out) = resource_descriptor(&value) {
        return out;
    }
    if let Some(out) = predicate_body(&value) {
        return out;
    }
    if let Some(out) = gate_out(
        provenant_formats::gate::parse_gate_value(&value),
        Some(&value),
    ) {
        return out;
    }
    if let Some(out) = sarif_piece(&value) {
        return out;
    }
    if let Some(out) = oci::oci_out(bytes, &value) {
        return out;
    }
    if let Some(out) = contract::contract_out(&value) {
        return out;
    }
    if !media.is_empty() {
        return not_recognised(&format!("JSON with an unknown mediaType {media:?}"));
    }
    not_recognised("JSON of no shape provenant knows")
}

/// A file of no format provenant knows: said so, with the formats it does know.
fn not_recognised(what: &str) -> Out {
    Out::new(NOT_RECOGNISED).bad(format!(
        "not recognised: {what} (provenant knows Sigstore bundles, DSSE envelopes, in-toto \
         statements, trusted roots, SBOMs, security-gate reports, OCI manifests and indexes, \
         cosign signatures, PEM keys and certificates, Foundry and Hardhat records)"
    ))
}

/// Text formats: PEM public keys and certificates, cosign detached signatures.
mod text {
    use super::Out;

    /// A PEM public key or certificate chain, or `None` when the text is no PEM.
    pub(super) fn pem_out(bytes: &[u8]) -> Option<Out> {
        let text = std::str::from_utf8(bytes).ok()?;
        let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
        let label = first
            .strip_prefix("-----BEGIN ")?
            .strip_suffix("-----")?
            .to_owned();
        if label == "PUBLIC KEY" {
            let mut out = Out::new("public-key");
            return Some(match provenant_verify::PublicKey::from_pem(text, "file") {
                Ok(k) => {
                    out.fact("algorithm", k.algorithm_name());
                    out
                }
                Err(e) => out.bad(e.to_string()),
            });
        }
        if label == "CERTIFICATE" {
            let mut out = Out::new("certificate");
            return Some(match provenant_formats::cosign::pem_certificates(text) {
                Ok(certs) => {
                    out.fact("certificates", certs.len().to_string());
                    out
                }
                Err(e) => out.bad(e.to_string()),
            });
        }
        // A private key is recognised (and never parsed or echoed).
        let mut out = Out::new("pem");
        out.fact("label", label.clone());
        if label.contains("PRIVATE KEY") {
            out.fact(
                "note",
                "a private key: keep it out of evidence and reports (verification needs only the public key)",
            );
        }
        Some(out)
    }

    /// A cosign detached signature (`cosign sign-blob --output-signature`): one line of base64
    /// holding a DER ECDSA signature (SEQUENCE of two INTEGERs) or a 64-byte raw signature
    /// (Ed25519). `None` for any other text.
    pub(super) fn signature_out(bytes: &[u8]) -> Option<Out> {
        let text = std::str::from_utf8(bytes).ok()?.trim();
        if text.is_empty() || text.len() > 2048 || text.lines().count() != 1 {
            return None;
        }
        let raw = provenant_formats::dsse::decode_base64(text)?;
        let encoding = if is_der_ecdsa(&raw) {
            "DER ECDSA (r, s)"
        } else if raw.len() == 64 {
            "64 raw bytes (Ed25519)"
        } else {
            return None;
        };
        let mut out = Out::new("cosign-signature");
        out.fact("encoding", format!("base64, {encoding}"));
        out.fact("bytes", raw.len().to_string());
        Some(out)
    }

    /// `SEQUENCE { INTEGER, INTEGER }` in DER, short lengths (every ECDSA signature up to P-521).
    fn is_der_ecdsa(der: &[u8]) -> bool {
        // (tag, length, rest) of one short-form or one-byte long-form TLV.
        fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
            let (&tag, rest) = b.split_first()?;
            let (&len, rest) = rest.split_first()?;
            let (len, rest) = match len {
                0..=0x7f => (usize::from(len), rest),
                0x81 => {
                    let (&l, rest) = rest.split_first()?;
                    (usize::from(l), rest)
                }
                _ => return None,
            };
            (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
        }
        let Some((0x30, body, [])) = tlv(der) else {
            return false;
        };
        let Some((0x02, r, rest)) = tlv(body) else {
            return false;
        };
        let Some((0x02, s, [])) = tlv(rest) else {
            return false;
        };
        !r.is_empty() && !s.is_empty()
    }
}

/// Smart-contract build and deployment records: what `verify contract` reads.
mod contract {
    use serde_json::Value;

    use super::Out;

    /// A Foundry or Hardhat record, a Solidity metadata file or a plain `{abi, bytecode}`
    /// artifact, held to what `verify contract` reads; `None` for any other JSON.
    pub(super) fn contract_out(v: &Value) -> Option<Out> {
        let out = contract_kind(v)?;
        Some(strictly(v, out))
    }

    /// The verdict of `verify contract`'s own readers on a build or deployment file: what they
    /// would match, or why they refuse it.
    fn strictly(v: &Value, mut out: Out) -> Out {
        let bytes = serde_json::to_vec(v).unwrap_or_default();
        match out.kind.as_ref() {
            "hardhat-build-info" | "hardhat-artifact" | "foundry-artifact"
            | "solc-standard-json" => match provenant_contract::read_build(&bytes) {
                Err(e) => return out.bad(format!("verify contract cannot read it: {e}")),
                Ok(b) => {
                    out.fact("deployable contracts", b.contracts.len().to_string());
                    if let Some(t) = b
                        .contracts
                        .first()
                        .and_then(|c| provenant_contract::trailer(&c.runtime.bytes))
                    {
                        out.fact("metadata hash", t.hash_text());
                        if let Some(s) = t.solc {
                            out.fact("metadata solc", s);
                        }
                    }
                }
            },
            "hardhat-deployment" => {
                let addr = v
                    .get("address")
                    .and_then(Value::as_str)
                    .and_then(provenant_contract::parse_address);
                match addr.map(|a| provenant_contract::read_deployment(&bytes, a)) {
                    Some(Ok(d)) => {
                        if let Some(a) = d.arguments {
                            out.fact("constructor arguments", a.len().to_string());
                        }
                    }
                    Some(Err(e)) => return out.bad(format!("verify contract cannot read it: {e}")),
                    None => return out.bad("no address (0x and 40 hex digits)"),
                }
            }
            "foundry-broadcast" => {
                let creates = v["transactions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|t| {
                        let k = t.get("transactionType").or_else(|| t.get("type"));
                        matches!(k.and_then(Value::as_str), Some("CREATE" | "CREATE2"))
                    })
                    .filter_map(|t| t.get("contractAddress").and_then(Value::as_str))
                    .filter_map(provenant_contract::parse_address)
                    .collect::<Vec<_>>();
                for a in &creates {
                    if let Err(e) = provenant_contract::read_deployment(&bytes, *a) {
                        return out.bad(format!(
                            "verify contract cannot read the deployment of {a}: {e}"
                        ));
                    }
                }
            }
            _ => {}
        }
        out
    }

    fn contract_kind(v: &Value) -> Option<Out> {
        let str_of = |k: &str| v.get(k).and_then(Value::as_str);
        let format = str_of("_format").unwrap_or_default();
        if format.starts_with("hh-sol-build-info") {
            let mut out = Out::new("hardhat-build-info");
            out.fact("format", format);
            if let Some(s) = str_of("solcLongVersion").or_else(|| str_of("solcVersion")) {
                out.fact("solc", s);
            }
            let contracts = v
                .pointer("/output/contracts")
                .and_then(Value::as_object)
                .map_or(0, |m| {
                    m.values()
                        .filter_map(Value::as_object)
                        .map(|c| c.len())
                        .sum()
                });
            out.fact("contracts", contracts.to_string());
            return Some(out);
        }
        if format.starts_with("hh-sol-artifact") {
            let mut out = Out::new("hardhat-artifact");
            out.fact("format", format);
            for (k, name) in [("contractName", "contract"), ("sourceName", "source")] {
                if let Some(s) = str_of(k) {
                    out.fact(name, s);
                }
            }
            return Some(bytecode_facts(v, out));
        }
        if v.get("transactions").is_some_and(Value::is_array)
            && v.get("receipts").is_some_and(Value::is_array)
        {
            let mut out = Out::new("foundry-broadcast");
            let n = v["transactions"].as_array().map_or(0, Vec::len);
            out.fact("transactions", n.to_string());
            if let Some(c) = v.get("chain").and_then(Value::as_u64) {
                out.fact("chain", c.to_string());
            }
            if let Some(c) = str_of("commit") {
                out.fact("commit", c);
            }
            return Some(out);
        }
        if v.get("contracts").is_some_and(Value::is_object)
            && v.get("sources").is_some_and(Value::is_object)
        {
            let mut out = Out::new("solc-standard-json");
            let n: usize = v["contracts"].as_object().map_or(0, |m| {
                m.values()
                    .filter_map(Value::as_object)
                    .map(|c| c.len())
                    .sum()
            });
            out.fact("contracts", n.to_string());
            return Some(out);
        }
        if v.pointer("/compiler/version").is_some()
            && v.get("language").is_some()
            && v.get("sources").is_some()
        {
            let mut out = Out::new("solidity-metadata");
            if let Some(l) = str_of("language") {
                out.fact("language", l);
            }
            if let Some(c) = v.pointer("/compiler/version").and_then(Value::as_str) {
                out.fact("compiler", c);
            }
            return Some(out);
        }
        if v.get("abi").is_some_and(Value::is_array) && v.get("bytecode").is_some() {
            let kind = if v.get("address").is_some() {
                "hardhat-deployment"
            } else if v.get("bytecode").is_some_and(Value::is_object) {
                "foundry-artifact"
            } else {
                "contract-artifact"
            };
            let mut out = Out::new(kind);
            if let Some(a) = str_of("address") {
                out.fact("address", a);
            }
            if let Some(t) = str_of("transactionHash") {
                out.fact("transaction", t);
            }
            return Some(bytecode_facts(v, out));
        }
        None
    }

    /// The creation / runtime bytecode sizes; malformed when either is not hex.
    fn bytecode_facts(v: &Value, mut out: Out) -> Out {
        for (key, name) in [
            ("bytecode", "creation bytecode"),
            ("deployedBytecode", "runtime bytecode"),
        ] {
            let Some(field) = v.get(key) else { continue };
            // Foundry: {"object": "0x…", "sourceMap": …}; Hardhat and others: "0x…".
            let hex = field.get("object").unwrap_or(field);
            let Some(hex) = hex.as_str() else {
                return out.bad(format!("{key} is not a hex string"));
            };
            let digits = hex.strip_prefix("0x").unwrap_or(hex);
            // Unlinked library placeholders (__$…$__) are part of the format.
            let unlinked = digits.contains("__");
            if !unlinked
                && (digits.len() % 2 != 0 || !digits.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                return out.bad(format!("{key} is not hex"));
            }
            let size = if unlinked {
                "unlinked (library placeholders)".to_owned()
            } else {
                format!("{} bytes", digits.len() / 2)
            };
            out.fact(name, size);
        }
        out
    }
}

/// A security-gate report (SARIF, scanner, ZAP, CI run ...), or `None` when it is none of them.
/// `value`: the parsed JSON, to name a SARIF log that holds no run.
fn gate_out(parsed: Result<Vec<GateReport>, GateError>, value: Option<&Value>) -> Option<Out> {
    const LISTED: usize = 20;
    let reports = match parsed {
        Ok(r) => r,
        Err(GateError::Unknown(_)) => return None,
        Err(e) => {
            let kind = match &e {
                GateError::Field { format, .. } => gate_kind(format),
                _ => Cow::Borrowed("gate-report"),
            };
            return Some(Out::new(kind).bad(e.to_string()));
        }
    };
    let Some(first) = reports.first() else {
        let sarif = value.is_some_and(provenant_formats::gate::sarif::is_log);
        let mut out = Out::new(if sarif { "gate-sarif" } else { "gate-report" });
        out.fact(
            "runs",
            "0 (the report holds no run: it is evidence of no gate)",
        );
        return Some(out);
    };
    let mut out = Out::new(gate_kind(first.format));
    if reports.len() > 1 {
        out.fact("runs", reports.len().to_string());
    }
    for (i, r) in reports.iter().take(LISTED).enumerate() {
        let p = if reports.len() > 1 {
            format!("[{}] ", i + 1)
        } else {
            String::new()
        };
        gate_facts(r, &p, &mut out);
    }
    if reports.len() > LISTED {
        out.fact("runs (more)", (reports.len() - LISTED).to_string());
    }
    Some(out)
}

/// `gate-<format>`.
fn gate_kind(format: &str) -> Cow<'static, str> {
    Cow::Owned(format!("gate-{format}"))
}

fn gate_facts(r: &GateReport, p: &str, out: &mut Out) {
    const LISTED: usize = 20;
    let not = || "(not recorded)".to_owned();
    if r.format != out.kind.trim_start_matches("gate-") {
        out.fact(&format!("{p}format"), r.format);
    }
    out.fact(&format!("{p}tool"), r.tool.clone());
    out.fact(
        &format!("{p}version"),
        r.tool_version.clone().unwrap_or_else(not),
    );
    out.fact(&format!("{p}kind"), r.kind.as_str());
    if r.scanned.is_empty() {
        out.fact(
            &format!("{p}scanned"),
            "(not recorded: the report binds to no commit, artifact or deployment)",
        );
    }
    for s in r.scanned.iter().take(LISTED) {
        let what = match s {
            Scanned::Commit {
                sha,
                repository: Some(repo),
            } => format!("commit {sha} of {repo}"),
            Scanned::Commit { sha, .. } => format!("commit {sha}"),
            Scanned::Digest {
                digest,
                name: Some(name),
            } => format!("artifact {digest} ({name})"),
            Scanned::Digest { digest, .. } => format!("artifact {digest}"),
            Scanned::ImageReference {
                digest,
                name: Some(name),
            } => format!("image {name}@{digest}"),
            Scanned::ImageReference { digest, .. } => format!("image {digest}"),
            Scanned::ImageConfig {
                digest,
                name: Some(name),
            } => format!("image config {digest} ({name})"),
            Scanned::ImageConfig { digest, .. } => format!("image config {digest}"),
            Scanned::Deployment { url } => format!("deployment {url}"),
            Scanned::Named { name } => format!("{name} (by name only: binds to nothing)"),
        };
        out.fact(&format!("{p}scanned"), what);
    }
    if r.scanned.len() > LISTED {
        out.fact(
            &format!("{p}scanned (more)"),
            (r.scanned.len() - LISTED).to_string(),
        );
    }
    out.fact(
        &format!("{p}started"),
        r.started.clone().unwrap_or_else(not),
    );
    out.fact(
        &format!("{p}finished"),
        r.finished.clone().unwrap_or_else(not),
    );
    out.fact(
        &format!("{p}succeeded"),
        match r.succeeded {
            Some(true) => "yes",
            Some(false) => "no",
            None => "(not recorded)",
        },
    );
    if let Some(w) = &r.workflow {
        out.fact(&format!("{p}workflow"), w.clone());
    }
    let count = |s: Severity| r.findings.iter().filter(|f| f.severity == s).count();
    let by_severity = Severity::summary(count);
    out.fact(&format!("{p}findings"), r.findings.len().to_string());
    out.fact(&format!("{p}findings by severity"), by_severity);
    let suppressed = r.findings.iter().filter(|f| f.suppressed).count();
    if suppressed > 0 {
        out.fact(&format!("{p}suppressed"), suppressed.to_string());
    }
    for d in r.deviations.iter().take(LISTED) {
        out.fact(&format!("{p}deviation"), format!("{}: {}", d.at, d.what));
    }
    if r.deviations.len() > LISTED {
        out.fact(
            &format!("{p}deviations (more)"),
            (r.deviations.len() - LISTED).to_string(),
        );
    }
}

/// SARIF that is not a log: an external property file, or a fragment of a log (the
/// specification's examples). Named, never read as a gate run.
fn sarif_piece(v: &Value) -> Option<Out> {
    use provenant_formats::gate::sarif::{is_external_properties, is_fragment};
    let (kind, note) = if is_external_properties(v) {
        (
            "sarif-external-properties",
            "a SARIF external property file: it completes the log that references it and is \
             evidence of no gate on its own",
        )
    } else if is_fragment(v) {
        (
            "sarif-fragment",
            "a fragment of a SARIF log (e.g. a specification example), not a log: evidence of \
             no gate",
        )
    } else {
        return None;
    };
    let mut out = Out::new(kind);
    out.fact("note", note);
    Some(out)
}

/// An SBOM (any encoding provenant reads), or `None` when the parser finds no SBOM in it.
fn sbom_out(bytes: &[u8]) -> Option<Out> {
    use provenant_formats::sbom::{parse_sbom, SbomError, SbomStandard};
    match parse_sbom(bytes, None) {
        Ok(p) => {
            let kind = match p.sbom.standard {
                SbomStandard::CycloneDx => "sbom-cyclonedx",
                SbomStandard::Spdx2 => "sbom-spdx",
                SbomStandard::Spdx3 => "sbom-spdx3",
            };
            let mut out = Out::new(kind);
            out.fact("spec version", p.sbom.spec_version.clone());
            out.fact(
                "encoding",
                match p.sbom.encoding {
                    provenant_formats::sbom::SbomEncoding::Json => "json",
                    provenant_formats::sbom::SbomEncoding::Xml => "xml",
                    provenant_formats::sbom::SbomEncoding::Yaml => "yaml",
                    provenant_formats::sbom::SbomEncoding::TagValue => "tag-value",
                    provenant_formats::sbom::SbomEncoding::Rdf => "rdf",
                },
            );
            out.fact("components", p.sbom.components.len().to_string());
            for s in &p.sbom.subjects {
                out.fact(
                    "describes",
                    format!(
                        "{} {}",
                        s.name.as_deref().unwrap_or("(unnamed)"),
                        s.version.as_deref().unwrap_or("")
                    )
                    .trim_end()
                    .to_owned(),
                );
            }
            if let Some(c) = &p.sbom.created {
                out.fact("created", c.clone());
            }
            if !p.validated {
                out.fact(
                    "validation",
                    "not validated here (XML schemas are checked by `provenant sbom check`)",
                );
            }
            match p.violations.first() {
                Some(v) => Some(out.bad(format!(
                    "{} violation(s) of the spec, first: {}: {}",
                    p.violations.len(),
                    v.at,
                    v.message
                ))),
                None => Some(out),
            }
        }
        // A document that only looked like one (a JSON-LD @context, a bomFormat of another
        // kind) is no SBOM: never labelled one.
        // Nothing says it is an SBOM: a document that only looked like one (a JSON-LD
        // @context, a bomFormat of another kind) or that does not parse at all is never
        // labelled one.
        Err(SbomError::NotAnSbom(_) | SbomError::Syntax { .. }) => None,
        Err(e) => Some(Out::new("sbom").bad(e.to_string())),
    }
}

/// A spec template's placeholder string, e.g. `<Base64(Statement)>`.
fn is_placeholder(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str).is_some_and(|t| {
        t.len() > 2
            && t.starts_with('<')
            && t.ends_with('>')
            && !t[1..t.len() - 1].contains(['<', '>'])
    })
}

/// An in-toto ResourceDescriptor (attestation spec v1): only its own fields, at least one of
/// `uri`, `digest`, `content`, and a digest that maps algorithm names to strings.
fn resource_descriptor(v: &Value) -> Option<Out> {
    const FIELDS: &[&str] = &[
        "name",
        "uri",
        "digest",
        "content",
        "downloadLocation",
        "mediaType",
        "annotations",
    ];
    let obj = v.as_object()?;
    if obj.is_empty()
        || !obj.keys().all(|k| FIELDS.contains(&k.as_str()))
        || !["uri", "digest", "content"]
            .iter()
            .any(|k| obj.contains_key(*k))
    {
        return None;
    }
    let mut out = Out::new("in-toto-resource-descriptor");
    for k in ["name", "uri", "downloadLocation", "mediaType", "content"] {
        match obj.get(k) {
            None => {}
            Some(Value::String(s)) => out.fact(k, s.clone()),
            Some(_) => return Some(out.bad(format!("{k} is not a string"))),
        }
    }
    if let Some(d) = obj.get("digest") {
        let Some(d) = d.as_object() else {
            return Some(out.bad("digest is not an object"));
        };
        for (alg, h) in d {
            let Some(h) = h.as_str() else {
                return Some(out.bad(format!("digest {alg} is not a string")));
            };
            out.fact("digest", format!("{alg}:{h}"));
        }
    }
    if obj.get("annotations").is_some_and(|a| !a.is_object()) {
        return Some(out.bad("annotations is not an object"));
    }
    Some(out)
}

/// A bare predicate (the `predicate` of a statement, without the statement), recognised by the
/// fields its specification requires. Returns `None` for anything else.
fn predicate_body(v: &Value) -> Option<Out> {
    let obj = v.as_object()?;
    let has = |k: &str| obj.contains_key(k);
    let is_obj = |k: &str| obj.get(k).is_some_and(Value::is_object);
    let (kind, predicate_type) = if has("buildDefinition") || has("runDetails") {
        if !(is_obj("buildDefinition") && is_obj("runDetails")) {
            return Some(
                Out::new("slsa-provenance-predicate")
                    .bad("SLSA v1 provenance needs buildDefinition and runDetails objects"),
            );
        }
        (
            "slsa-provenance-predicate",
            "https://slsa.dev/provenance/v1",
        )
    } else if is_obj("builder") && has("buildType") {
        (
            "slsa-provenance-predicate",
            "https://slsa.dev/provenance/v0.2",
        )
    } else if is_obj("builder") && has("recipe") {
        (
            "slsa-provenance-predicate",
            "https://slsa.dev/provenance/v0.1",
        )
    } else if is_obj("verifier") && has("verificationResult") {
        (
            "slsa-vsa-predicate",
            "https://slsa.dev/verification_summary/v1",
        )
    } else if has("command") && (has("materials") || has("byproducts")) {
        (
            "in-toto-link-predicate",
            "https://in-toto.io/attestation/link/v0.3",
        )
    } else if has("result") && (has("configuration") || has("passedTests") || has("url")) {
        (
            "test-result-predicate",
            "https://in-toto.io/attestation/test-result/v0.1",
        )
    } else if has("purl") && has("releaseId") {
        (
            "release-predicate",
            "https://in-toto.io/attestation/release/v0.1",
        )
    } else if is_obj("scanner") {
        (
            "vulns-predicate",
            "https://in-toto.io/attestation/vulns/v0.2",
        )
    } else if has("attester") && has("references") {
        (
            "reference-predicate",
            "https://in-toto.io/attestation/reference/v0.1",
        )
    } else if has("monitor") && has("monitoredProcess") {
        (
            "runtime-trace-predicate",
            "https://in-toto.io/attestation/runtime-trace/v0.1",
        )
    } else {
        return None;
    };
    let mut out = Out::new(kind);
    out.fact("predicate (recognised as)", predicate_type);
    let st = Statement {
        statement_type: String::new(),
        subjects: vec![],
        predicate_type: predicate_type.to_owned(),
        predicate: v.clone(),
    };
    if let Some(p) = provenant_formats::slsa::provenance_of(&st) {
        let f = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not recorded)".into());
        out.fact("builder", f(&p.builder_id));
        out.fact("build type", f(&p.build_type));
        out.fact(
            "source",
            format!("{} {}", f(&p.source_repository), f(&p.source_ref)),
        );
        out.fact("source commit", f(&p.source_commit));
    }
    out.fact(
        "note",
        "a bare predicate is signed by nothing and bound to no artifact",
    );
    Some(out)
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
        Err(e) => out.bad(e.to_string()),
    }
}

/// OCI and Docker documents: image manifests and indexes (Docker schema 2 manifests and manifest
/// lists too), cosign's simple-signing payload and `docker save`'s `manifest.json`. Parsed only:
/// no digest, signature or referrer is checked.
mod oci {
    use serde_json::Value;

    use provenant_formats::oci::{
        parse_docker_save_manifest, parse_manifest, parse_simple_signing, Descriptor, Manifest,
        ManifestKind, ANN_COSIGN_BUNDLE, ANN_COSIGN_CERTIFICATE, ANN_COSIGN_CHAIN,
        ANN_COSIGN_RFC3161, ANN_COSIGN_SIGNATURE, ANN_DOCKER_REFERENCE_DIGEST,
        ANN_DOCKER_REFERENCE_TYPE, ANN_PREDICATE_TYPE, ANN_REF_NAME, COSIGN_SIMPLE_SIGNING,
        DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, DSSE_ENVELOPE, IN_TOTO, OCI_INDEX, OCI_MANIFEST,
        SIGSTORE_BUNDLE_PREFIX,
    };

    use super::Out;

    /// Most entries, layers or annotations listed one by one.
    const LISTED: usize = 20;
    const DOCKER_MANIFEST_V1: &str = "application/vnd.docker.distribution.manifest.v1+json";
    const DOCKER_MANIFEST_V1_SIGNED: &str =
        "application/vnd.docker.distribution.manifest.v1+prettyjws";
    /// BuildKit's `vnd.docker.reference.type` of an attestation manifest.
    const ATTESTATION_MANIFEST: &str = "attestation-manifest";

    /// An OCI or Docker document, or `None` when `v` does not try to be one.
    pub(super) fn oci_out(bytes: &[u8], v: &Value) -> Option<Out> {
        simple_signing(bytes, v)
            .or_else(|| docker_save(bytes, v))
            .or_else(|| manifest(bytes, v))
    }

    fn kind_of(media: &str) -> Option<&'static str> {
        Some(match media {
            OCI_MANIFEST => "oci-image-manifest",
            OCI_INDEX => "oci-image-index",
            DOCKER_MANIFEST => "docker-manifest-v2",
            DOCKER_MANIFEST_LIST => "docker-manifest-list",
            _ => return None,
        })
    }

    /// One line, at most 200 characters.
    fn short(v: &str) -> String {
        let mut s: String = v
            .chars()
            .take(200)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if v.chars().nth(200).is_some() {
            s.push('…');
        }
        s
    }

    fn manifest(bytes: &[u8], v: &Value) -> Option<Out> {
        let obj = v.as_object()?;
        let schema = obj.get("schemaVersion")?.as_u64();
        let media = obj.get("mediaType").and_then(Value::as_str);
        if schema == Some(1) {
            if !(obj.contains_key("fsLayers")
                || media.is_some_and(|m| m == DOCKER_MANIFEST_V1 || m == DOCKER_MANIFEST_V1_SIGNED))
            {
                return None;
            }
            let why = parse_manifest(bytes, None).err().map_or_else(
                || "Docker schema 1 manifests are not read".to_owned(),
                |e| e.to_string(),
            );
            return Some(Out::new("docker-manifest-v1").bad(why));
        }
        if schema != Some(2) {
            return None;
        }
        let declared = media.and_then(kind_of);
        let shaped = ["config", "layers", "manifests"]
            .iter()
            .any(|k| obj.contains_key(*k));
        // It tries to be a manifest: it declares a manifest media type, or declares none (OCI
        // allows that) and has a manifest's shape. Another media type is not claimed.
        let claimed = match obj.get("mediaType") {
            None => shaped,
            Some(Value::String(_)) => declared.is_some(),
            Some(_) => shaped,
        };
        if !claimed {
            return None;
        }
        let m = match parse_manifest(bytes, None) {
            Ok(m) => m,
            Err(e) => return Some(Out::new(declared.unwrap_or("oci-manifest")).bad(e.to_string())),
        };
        let mut out = Out::new(kind_of(&m.media_type).unwrap_or("oci-manifest"));
        out.fact(
            "media type",
            if media.is_some() {
                m.media_type.clone()
            } else {
                format!("{} (not declared: read by its shape)", m.media_type)
            },
        );
        if let Some(t) = &m.artifact_type {
            out.fact("artifact type", t.clone());
        }
        if let Some(s) = &m.subject {
            out.fact(
                "subject",
                format!(
                    "{} ({}): an OCI 1.1 referrer of that manifest",
                    s.digest, s.media_type
                ),
            );
        }
        match &m.kind {
            ManifestKind::Image { config, layers } => image_facts(config, layers, &mut out),
            ManifestKind::Index { manifests } => index_facts(manifests, &mut out),
        }
        evidence(&m, &mut out);
        for (k, v) in m.annotations.iter().take(LISTED) {
            out.fact("annotation", format!("{k}: {}", short(v)));
        }
        if m.annotations.len() > LISTED {
            out.fact(
                "annotations (more)",
                (m.annotations.len() - LISTED).to_string(),
            );
        }
        Some(out)
    }

    /// A layer that carries signing or attestation evidence.
    fn is_evidence(media: &str) -> bool {
        media == COSIGN_SIMPLE_SIGNING
            || media == DSSE_ENVELOPE
            || media == IN_TOTO
            || media.starts_with(SIGSTORE_BUNDLE_PREFIX)
    }

    fn image_facts(config: &Descriptor, layers: &[Descriptor], out: &mut Out) {
        out.fact("config", format!("{} {}", config.media_type, config.digest));
        out.fact("layers", layers.len().to_string());
        let mut types: Vec<(&str, usize)> = Vec::new();
        for l in layers {
            match types.iter_mut().find(|(t, _)| *t == l.media_type) {
                Some((_, n)) => *n += 1,
                None => types.push((&l.media_type, 1)),
            }
        }
        if !types.is_empty() {
            let mut listed: Vec<String> = types
                .iter()
                .take(LISTED)
                .map(|(t, n)| format!("{t} ({n})"))
                .collect();
            if types.len() > LISTED {
                listed.push(format!("{} more", types.len() - LISTED));
            }
            out.fact("layer media types", listed.join(", "));
        }
        let evidence: Vec<(usize, &Descriptor)> = layers
            .iter()
            .enumerate()
            .filter(|(_, l)| is_evidence(&l.media_type))
            .collect();
        for (i, l) in evidence.iter().take(LISTED) {
            out.fact(&format!("[{}] layer", i + 1), layer_line(l));
        }
        if evidence.len() > LISTED {
            out.fact(
                "evidence layers (more)",
                (evidence.len() - LISTED).to_string(),
            );
        }
    }

    fn layer_line(l: &Descriptor) -> String {
        let mut s = format!("{} {}", l.digest, l.media_type);
        // BuildKit's annotation on in-toto layers; cosign writes `predicateType` on `.att` ones.
        if let Some(p) = l
            .annotation(ANN_PREDICATE_TYPE)
            .or_else(|| l.annotation("predicateType"))
        {
            s.push_str(&format!(", predicate type {}", short(p)));
        }
        let cosign: Vec<&str> = [
            (ANN_COSIGN_SIGNATURE, "signature"),
            (ANN_COSIGN_CERTIFICATE, "certificate"),
            (ANN_COSIGN_CHAIN, "chain"),
            (ANN_COSIGN_BUNDLE, "Rekor bundle"),
            (ANN_COSIGN_RFC3161, "RFC 3161 timestamp"),
        ]
        .iter()
        .filter(|(k, _)| l.annotations.contains_key(*k))
        .map(|(_, name)| *name)
        .collect();
        if !cosign.is_empty() {
            s.push_str(&format!(", cosign annotations: {}", cosign.join(", ")));
        } else if l.media_type == COSIGN_SIMPLE_SIGNING {
            s.push_str(", no cosign signature annotation");
        }
        s
    }

    /// An index entry on one line: digest, media type, platform, tag, artifact type, and what
    /// BuildKit says it is.
    fn entry_line(d: &Descriptor) -> String {
        let mut parts = vec![format!("{} {}", d.digest, d.media_type)];
        if let Some(p) = &d.platform {
            parts.push(format!("platform {p}"));
        }
        if let Some(t) = d.annotation(ANN_REF_NAME) {
            parts.push(format!("tag {}", short(t)));
        }
        if let Some(t) = &d.artifact_type {
            parts.push(format!("artifact type {}", short(t)));
        }
        match d.annotation(ANN_DOCKER_REFERENCE_TYPE) {
            Some(ATTESTATION_MANIFEST) => parts.push(format!(
                "BuildKit attestation manifest for {}",
                d.annotation(ANN_DOCKER_REFERENCE_DIGEST)
                    .map_or_else(|| "(no vnd.docker.reference.digest)".into(), short)
            )),
            Some(other) => parts.push(format!("{ANN_DOCKER_REFERENCE_TYPE} {}", short(other))),
            None => {}
        }
        parts.join(", ")
    }

    fn is_buildkit_attestation(d: &Descriptor) -> bool {
        d.annotation(ANN_DOCKER_REFERENCE_TYPE) == Some(ATTESTATION_MANIFEST)
    }

    fn index_facts(manifests: &[Descriptor], out: &mut Out) {
        out.fact("entries", manifests.len().to_string());
        for (i, d) in manifests.iter().enumerate().take(LISTED) {
            out.fact(&format!("[{}] manifest", i + 1), entry_line(d));
        }
        if manifests.len() > LISTED {
            out.fact("entries (more)", (manifests.len() - LISTED).to_string());
        }
    }

    /// What signing or attestation evidence the manifest looks like.
    fn evidence(m: &Manifest, out: &mut Out) {
        let layers = m.layers();
        let count = |f: &dyn Fn(&Descriptor) -> bool| layers.iter().filter(|l| f(l)).count();
        let sig = count(&|l| l.media_type == COSIGN_SIMPLE_SIGNING);
        if sig > 0 {
            let signed = count(&|l| {
                l.media_type == COSIGN_SIMPLE_SIGNING
                    && l.annotations.contains_key(ANN_COSIGN_SIGNATURE)
            });
            out.fact(
                "evidence",
                format!(
                    "cosign signature manifest (.sig): {sig} simple-signing layer(s), {signed} \
                     with a signature annotation"
                ),
            );
        }
        let att = count(&|l| l.media_type == DSSE_ENVELOPE);
        if att > 0 {
            out.fact(
                "evidence",
                format!("cosign attestation manifest (.att): {att} DSSE envelope layer(s)"),
            );
        }
        if m.artifact_type
            .as_deref()
            .is_some_and(|t| t.starts_with(SIGSTORE_BUNDLE_PREFIX))
        {
            out.fact(
                "evidence",
                match &m.subject {
                    Some(s) => format!("Sigstore bundle referrer of {}", s.digest),
                    None => "Sigstore bundle referrer, but it names no subject".to_owned(),
                },
            );
        } else {
            let bundles = count(&|l| l.media_type.starts_with(SIGSTORE_BUNDLE_PREFIX));
            if bundles > 0 {
                out.fact("evidence", format!("{bundles} Sigstore bundle layer(s)"));
            }
        }
        let statements = count(&|l| l.media_type == IN_TOTO);
        if statements > 0 {
            out.fact(
                "evidence",
                format!(
                    "{statements} in-toto statement layer(s), unsigned (a BuildKit attestation \
                     manifest)"
                ),
            );
        }
        let entries = m.entries();
        let buildkit = entries
            .iter()
            .filter(|d| is_buildkit_attestation(d))
            .count();
        if buildkit > 0 {
            out.fact(
                "evidence",
                format!(
                    "{buildkit} BuildKit attestation manifest(s): unsigned in-toto statements \
                     about the image manifests listed beside them"
                ),
            );
        }
        let referrers = entries
            .iter()
            .filter(|d| {
                d.artifact_type
                    .as_deref()
                    .is_some_and(|t| t.starts_with(SIGSTORE_BUNDLE_PREFIX))
            })
            .count();
        if referrers > 0 {
            out.fact(
                "evidence",
                format!("{referrers} Sigstore bundle referrer(s) listed"),
            );
        }
    }

    /// cosign's simple-signing payload: `{"critical":{"identity":…,"image":…,"type":…},"optional":…}`.
    fn simple_signing(bytes: &[u8], v: &Value) -> Option<Out> {
        let critical = v.get("critical")?.as_object()?;
        if !["type", "image", "identity"]
            .iter()
            .any(|k| critical.contains_key(*k))
        {
            return None;
        }
        let mut out = Out::new("cosign-simple-signing-payload");
        let s = match parse_simple_signing(bytes) {
            Ok(s) => s,
            Err(e) => return Some(out.bad(e.to_string())),
        };
        out.fact("docker-manifest-digest", s.manifest_digest.to_string());
        out.fact(
            "docker-reference",
            if s.docker_reference.is_empty() {
                "(not given)".to_owned()
            } else {
                short(&s.docker_reference)
            },
        );
        out.fact("type", s.kind.clone());
        for (k, v) in s.optional.iter().take(LISTED) {
            out.fact(&format!("optional {}", short(k)), short(v));
        }
        if s.optional.len() > LISTED {
            out.fact("optional (more)", (s.optional.len() - LISTED).to_string());
        }
        out.fact(
            "note",
            "what a cosign signature signs: it names the image manifest it is for, and is \
             signed by nothing on its own",
        );
        Some(out)
    }

    /// `docker save`'s `manifest.json`: `[{"Config":…,"RepoTags":[…],"Layers":[…]}]`.
    fn docker_save(bytes: &[u8], v: &Value) -> Option<Out> {
        let first = v.as_array()?.first()?.as_object()?;
        if !(first.contains_key("Config")
            || (first.contains_key("RepoTags") && first.contains_key("Layers")))
        {
            return None;
        }
        let mut out = Out::new("docker-save-manifest");
        let list = match parse_docker_save_manifest(bytes) {
            Ok(l) => l,
            Err(e) => return Some(out.bad(e.to_string())),
        };
        out.fact("images", list.len().to_string());
        for (i, e) in list.iter().enumerate().take(LISTED) {
            let p = format!("[{}] ", i + 1);
            out.fact(&format!("{p}config"), short(&e.config));
            out.fact(
                &format!("{p}tags"),
                if e.repo_tags.is_empty() {
                    "(none)".to_owned()
                } else {
                    e.repo_tags
                        .iter()
                        .take(LISTED)
                        .map(|t| short(t))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            );
            out.fact(&format!("{p}layers"), e.layers.len().to_string());
        }
        if list.len() > LISTED {
            out.fact("images (more)", (list.len() - LISTED).to_string());
        }
        out.fact(
            "note",
            "names the images of a docker save archive by file path; only the archive's \
             index.json (docker 25 and later) names their manifest digests",
        );
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(json: &str) -> (String, bool) {
        let i = inspect("t.json", json.as_bytes());
        (i.kind, i.well_formed)
    }

    #[test]
    fn envelope_templates_are_recognised_but_bad_base64_is_still_malformed() {
        let t = r#"{"payloadType":"application/vnd.in-toto+json","payload":"<Base64(Statement)>","signatures":[]}"#;
        assert_eq!(kind(t), ("dsse-envelope-template".into(), true));
        let bad =
            r#"{"payloadType":"application/vnd.in-toto+json","payload":"%%%","signatures":[]}"#;
        assert_eq!(kind(bad), ("dsse-envelope".into(), false));
        let nested = r#"{"payloadType":"x","payload":"<a<b>>","signatures":[]}"#;
        assert!(!kind(nested).1);
    }

    #[test]
    fn gate_reports_sarif_pieces_and_their_facts() {
        let log = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"T"}},
            "invocations":[{"executionSuccessful":false}],
            "results":[{"ruleId":"a","level":"error","message":{"text":"x"}},
                       {"ruleId":"b","message":{"text":"y"}}]}]}"#;
        let i = inspect("t.sarif", log.as_bytes());
        assert_eq!((i.kind.as_str(), i.well_formed), ("gate-sarif", true));
        let fact = |k: &str| {
            i.facts
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(fact("succeeded"), Some("no"));
        assert_eq!(
            fact("findings by severity"),
            Some("critical 0, high 1, medium 1, low 0, info 0, unknown 0")
        );
        assert_eq!(
            kind(r#"{"version":"2.1.0","runs":[{"tool":{}}]}"#),
            ("gate-sarif".into(), false)
        );
        assert_eq!(
            kind(r#"{"version":"2.1.0","runs":[]}"#),
            ("gate-sarif".into(), true)
        );
        assert_eq!(
            kind(r#"{"results":[],"...member-inject":"..."}"#),
            ("sarif-fragment".into(), true)
        );
        let xml = r#"<OWASPZAPReport version="2.8.0"><site name="https://a"/></OWASPZAPReport>"#;
        assert_eq!(kind(xml), ("gate-zap".into(), true));
        assert!(!kind("<!DOCTYPE x><OWASPZAPReport/>").1);
        assert!(!kind("<html/>").1);
    }

    #[test]
    fn text_formats_and_unknown_files() {
        let of = |b: &[u8]| {
            let i = inspect("f", b);
            (i.kind, i.well_formed)
        };
        // A DER ECDSA signature (SEQUENCE { INTEGER 1, INTEGER 2 }), base64: "MAYCAQECAQI=".
        assert_eq!(of(b"MAYCAQECAQI=\n"), ("cosign-signature".into(), true));
        // Base64 of something else, or two lines: not a signature, and not anything else.
        assert_eq!(of(b"aGVsbG8=\n"), (NOT_RECOGNISED.into(), false));
        assert_eq!(
            of(b"MAYCAQECAQI=\nMAYCAQECAQI=\n"),
            (NOT_RECOGNISED.into(), false)
        );
        // Trailing bytes after the SEQUENCE: not DER.
        assert_eq!(of(b"MAYCAQECAQIA"), (NOT_RECOGNISED.into(), false));
        assert_eq!(
            of(b"-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n"),
            ("certificate".into(), false)
        );
        assert_eq!(of(b"[section]\nkey = 1\n"), (NOT_RECOGNISED.into(), false));
        assert_eq!(of(b"[1, 2"), ("json".into(), false));
        assert_eq!(
            of(br#"{"@context":"https://schema.org"}"#).0,
            NOT_RECOGNISED
        );
    }

    #[test]
    fn resource_descriptors_and_predicates() {
        assert_eq!(
            kind(r#"{"uri":"https://x","digest":{"sha256":"ab"}}"#),
            ("in-toto-resource-descriptor".into(), true)
        );
        assert!(!kind(r#"{"uri":"https://x","digest":"ab"}"#).1);
        // Unknown fields: not a descriptor, and not anything else provenant knows.
        assert!(!kind(r#"{"uri":"https://x","evil":1}"#).1);
        assert_eq!(
            kind(r#"{"buildDefinition":{},"runDetails":{}}"#),
            ("slsa-provenance-predicate".into(), true)
        );
        assert!(!kind(r#"{"buildDefinition":{}}"#).1);
        assert!(!kind(r#"{"hello":"world"}"#).1);
    }
}
