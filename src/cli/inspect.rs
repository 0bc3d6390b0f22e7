//! `provenant inspect`.

use std::io::Read;
use std::path::Path;

use clap::Args;

use provenant_collect::oci_layout::LayoutStore;
use provenant_collect::{CollectError, Selector};
use provenant_formats::gate::MAX_GATE_REPORT_BYTES;
use provenant_formats::limits::MAX_EVIDENCE_BYTES;
use provenant_formats::oci::ANN_REF_NAME;
use provenant_model::Inspection;

use super::common::{emit, read_limited, CliError};

/// Most index entries of a layout described one by one (each reads a manifest).
const LISTED: usize = 20;

/// Arguments of `provenant inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The file to inspect: a Sigstore bundle (or JSON lines of them), DSSE envelope, in-toto
    /// statement or predicate, npm attestations document, trusted root, client trust config,
    /// signing config, certificate authority, SBOM (CycloneDX, SPDX), security report
    /// (SARIF, grype, trivy, osv-scanner, cargo-audit, npm audit, dependency-check, ZAP, CI
    /// run metadata), OCI image manifest or index (Docker manifests and manifest lists, cosign
    /// signature and attestation manifests), cosign simple-signing payload or docker save
    /// manifest.json, cosign detached signature, PEM public key or certificate, Foundry or
    /// Hardhat record; or an OCI image layout directory or docker save tarball. Anything else
    /// is NOT RECOGNISED (exit 2).
    pub file: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: InspectFormat,
}

/// What `inspect` writes (only what it implements: a mermaid request is a usage error, never
/// JSON under another name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InspectFormat {
    /// What the file is, whether it is well formed, and its facts, one per line.
    Text,
    /// The same as JSON: file, kind, well_formed, problem, facts, verified (always false).
    Json,
}

/// What `inspect` calls a file of no format it knows (`Inspection::kind`).
const NOT_RECOGNISED: &str = "unknown";

/// Exit 0 well formed, 1 malformed (with the reason), 2 unreadable or not recognised.
pub fn run(a: &InspectArgs) -> Result<u8, CliError> {
    let i = match container(&a.file)? {
        Some(i) => i,
        None => {
            // SBOMs and gate reports (large CodeQL SARIF) may exceed the evidence limit.
            let bytes = read_limited(
                &a.file,
                MAX_EVIDENCE_BYTES.max(MAX_GATE_REPORT_BYTES),
                "file",
            )?;
            provenant_core::inspect(&a.file, &bytes)
        }
    };
    let recognised = i.kind != NOT_RECOGNISED;
    let mut out = Vec::new();
    let res = match a.format {
        // Not recognised is its own outcome, never "MALFORMED": nothing was judged.
        InspectFormat::Text if !recognised => {
            use std::io::Write as _;
            let t = provenant_report::sanitize::terminal_line;
            writeln!(
                out,
                "{}: NOT RECOGNISED (parsed only, nothing verified)",
                t(&i.file)
            )
            .and_then(|()| match &i.problem {
                Some(p) => writeln!(out, "  {}", t(p)),
                None => Ok(()),
            })
        }
        InspectFormat::Text => provenant_report::text::render_inspection(&i, &mut out),
        InspectFormat::Json => provenant_report::json::render_inspection(&i, &mut out),
    };
    res.map_err(|e| CliError::Input(format!("cannot render: {e}")))?;
    emit(&out);
    Ok(match (recognised, i.well_formed) {
        (false, _) => 2,
        (true, true) => 0,
        (true, false) => 1,
    })
}

/// An OCI image layout directory or a docker archive, inspected through the collector that
/// `verify image` uses; `None` for any other file.
fn container(file: &str) -> Result<Option<Inspection>, CliError> {
    let path = Path::new(file);
    if path.is_dir() {
        if !(path.join("oci-layout").exists() || path.join("index.json").exists()) {
            return Err(CliError::Input(format!(
                "{file} is a directory, and no OCI image layout (it holds neither oci-layout nor \
                 index.json)"
            )));
        }
        return layout(file, "oci-image-layout", LayoutStore::open_dir(path)).map(Some);
    }
    if looks_like_tar(path) {
        return layout(file, "docker-archive", LayoutStore::open_archive(path)).map(Some);
    }
    Ok(None)
}

/// A tarball: not JSON, and named `.tar` or carrying the ustar magic at offset 257.
fn looks_like_tar(path: &Path) -> bool {
    let Ok(f) = super::common::open_regular(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(512);
    if f.take(512).read_to_end(&mut head).is_err() {
        return false;
    }
    if matches!(head.trim_ascii_start().first(), Some(b'{' | b'[')) {
        return false;
    }
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tar"))
        || head.get(257..262) == Some(b"ustar".as_slice())
}

/// Describe a layout (or docker archive): its index entries, and what each manifest is.
fn layout(
    file: &str,
    kind: &str,
    store: Result<LayoutStore, CollectError>,
) -> Result<Inspection, CliError> {
    let mut i = Inspection {
        file: file.to_owned(),
        kind: kind.to_owned(),
        well_formed: true,
        problem: None,
        facts: Vec::new(),
        verified: false,
    };
    let store = match store {
        Ok(s) => s,
        Err(CollectError::NotFound(m)) => return Err(CliError::Input(m)),
        Err(e) => {
            i.well_formed = false;
            i.problem = Some(e.to_string());
            return Ok(i);
        }
    };
    let mut problem = None;
    let facts = &mut i.facts;
    let mut fact = |k: &str, v: String| facts.push((k.to_owned(), v));
    fact("location", store.location().to_owned());
    let entries = store.entries();
    fact("entries", entries.len().to_string());
    let tags = store.tags();
    if !tags.is_empty() {
        let mut listed: Vec<String> = tags.iter().take(LISTED).cloned().collect();
        if tags.len() > LISTED {
            listed.push(format!("{} more", tags.len() - LISTED));
        }
        fact("tags", listed.join(", "));
    }
    for (n, d) in entries.iter().enumerate().take(LISTED) {
        let p = format!("[{}] ", n + 1);
        fact(&format!("{p}digest"), d.digest.to_string());
        fact(&format!("{p}media type"), d.media_type.clone());
        if let Some(t) = d.annotation(ANN_REF_NAME) {
            fact(&format!("{p}tag"), t.to_owned());
        }
        if let Some(name) = d.annotation("io.containerd.image.name") {
            fact(&format!("{p}image name"), name.to_owned());
        }
        if let Some(pl) = &d.platform {
            fact(&format!("{p}platform"), pl.to_string());
        }
        if let Some(t) = &d.artifact_type {
            fact(&format!("{p}artifact type"), t.clone());
        }
        let content = match store.manifest(&Selector::Digest(d.digest.clone())) {
            Ok(Some(m)) => {
                let c = provenant_core::inspect(&m.location, &m.bytes);
                if let (Some(why), None) = (&c.problem, &problem) {
                    problem = Some(format!("{p}manifest {}: {why}", d.digest));
                }
                summary(&c)
            }
            Ok(None) => "(the manifest blob is not in the layout)".to_owned(),
            Err(e) => {
                problem.get_or_insert_with(|| format!("{p}{e}"));
                format!("unreadable: {e}")
            }
        };
        fact(&format!("{p}content"), content);
    }
    if entries.len() > LISTED {
        fact("entries (more)", (entries.len() - LISTED).to_string());
    }
    if let Some(p) = problem {
        i.well_formed = false;
        i.problem = Some(p);
    }
    Ok(i)
}

/// One line for a manifest found in a layout: its kind, counts and evidence.
fn summary(c: &Inspection) -> String {
    let mut parts = vec![c.kind.clone()];
    if let Some(p) = &c.problem {
        parts.push(format!("MALFORMED: {p}"));
    }
    for (k, v) in &c.facts {
        if ["entries", "layers", "subject", "evidence"].contains(&k.as_str()) {
            parts.push(format!("{k} {v}"));
        }
    }
    parts.join("; ")
}
