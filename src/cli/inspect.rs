//! `provenant inspect`.

use clap::Args;

use provenant_formats::gate::MAX_GATE_REPORT_BYTES;
use provenant_formats::limits::MAX_EVIDENCE_BYTES;

use super::{emit, read_limited, CliError, Format};

/// Arguments of `provenant inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The file to inspect: a Sigstore bundle (or JSON lines of them), DSSE envelope, in-toto
    /// statement or predicate, npm attestations document, trusted root, client trust config,
    /// signing config, certificate authority, SBOM (CycloneDX, SPDX) or security report
    /// (SARIF, grype, trivy, osv-scanner, cargo-audit, npm audit, dependency-check, ZAP, CI
    /// run metadata).
    pub file: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// Exit 0 well formed, 1 malformed (with the reason), 2 unreadable.
pub fn run(a: &InspectArgs) -> Result<u8, CliError> {
    // SBOMs and gate reports (large CodeQL SARIF) may exceed the evidence limit.
    let bytes = read_limited(
        &a.file,
        MAX_EVIDENCE_BYTES.max(MAX_GATE_REPORT_BYTES),
        "file",
    )?;
    let i = provenant_core::inspect(&a.file, &bytes);
    let mut out = Vec::new();
    let res = match a.format {
        Format::Text => provenant_report::text::render_inspection(&i, &mut out),
        Format::Json | Format::Mermaid => provenant_report::json::render_inspection(&i, &mut out),
    };
    res.map_err(|e| CliError::Input(format!("cannot render: {e}")))?;
    emit(&out);
    Ok(if i.well_formed { 0 } else { 1 })
}
