//! `provenant sbom check` and `provenant sbom diff`.

use clap::{Args, Subcommand};

use provenant_core::sbom::{check_sbom, diff_sboms, SbomContext, SbomOrigin, SbomRequirements};
use provenant_core::{TOOL_NAME, TOOL_VERSION};
use provenant_formats::sbom::{parse_sbom, ParsedSbom, SbomError, XmlSchemaValidator};
use provenant_model::{
    Check, CheckCode, DigestAlgorithm, EvidenceKind, EvidenceRef, Report, Subject, SubjectKind,
    ToolInfo, Verdict,
};
use provenant_report::sanitize;
use provenant_verify::digest_reader;

use super::common::{emit, read_limited, subject_of, CliError};

pub use provenant_formats::limits::MAX_SBOM_BYTES;

/// SBOM commands.
#[derive(Debug, Subcommand)]
pub enum SbomCommand {
    /// Validate an SBOM for the spec version it claims, bind it to an artifact and judge its
    /// quality. Exit 0 valid (quality findings are warnings unless a requirement flag is
    /// given), 1 invalid or a requirement not met, 2 unreadable.
    Check(CheckArgs),
    /// List the components added, removed and changed between two SBOMs (two releases).
    Diff(DiffArgs),
}

/// Arguments of `sbom check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The SBOM: CycloneDX 1.2–1.7 (JSON, XML), SPDX 2.2/2.3 (JSON, YAML, tag-value, XML) or
    /// SPDX 3 (JSON-LD).
    pub sbom: String,
    /// The artifact the SBOM must describe (hashed with SHA-256, SHA-384 and SHA-512).
    #[arg(long, value_name = "FILE", conflicts_with = "digest")]
    pub artifact: Option<String>,
    /// The artifact's digest, ALG:HEX (sha256, sha384 or sha512).
    #[arg(long, value_name = "ALG:HEX")]
    pub digest: Option<String>,
    /// Fail unless the SBOM names the artifact's digest (needs --artifact or --digest).
    #[arg(long, help_heading = "Requirements")]
    pub require_binding: bool,
    /// Fail unless every NTIA minimum element is present (supplier, name, version, unique
    /// identifier, dependencies, author, timestamp).
    #[arg(long, help_heading = "Requirements")]
    pub require_ntia: bool,
    /// Fail unless the SBOM records dependency relationships.
    #[arg(long, help_heading = "Requirements")]
    pub require_dependencies: bool,
    /// Least percentage (0–100) of components with a package URL.
    #[arg(long, value_name = "PERCENT", value_parser = percent, help_heading = "Requirements")]
    pub min_purl_coverage: Option<f64>,
    /// Least percentage of components with at least one hash.
    #[arg(long, value_name = "PERCENT", value_parser = percent, help_heading = "Requirements")]
    pub min_hash_coverage: Option<f64>,
    /// Least percentage of components with a license.
    #[arg(long, value_name = "PERCENT", value_parser = percent, help_heading = "Requirements")]
    pub min_license_coverage: Option<f64>,
    /// The commit that shipped: where the SBOM records its source commit, it must be this one.
    #[arg(long, value_name = "SHA", help_heading = "Requirements", value_parser = provenant_policy::grammar::commit)]
    pub commit: Option<String>,
    /// Report format, FMT or FMT=PATH; repeat it to write several formats at once.
    ///
    /// FMT: text, json, sarif (SARIF 2.1.0, for code scanning), markdown (for
    /// $GITHUB_STEP_SUMMARY), junit (JUnit XML), html (one self-contained page). Without =PATH
    /// (or with =-) it goes to stdout, and at most one may; when every format has a destination,
    /// the text summary goes to stdout.
    #[arg(long, value_name = "FMT[=PATH]", default_value = "text", value_parser = super::output::parse_format)]
    pub format: Vec<super::output::FormatSpec>,
    /// Write the report (in the --format given without =PATH) to this file; a text summary
    /// still goes to stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub out: Option<String>,
}

/// Arguments of `sbom diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older SBOM.
    pub old: String,
    /// The newer SBOM.
    pub new: String,
    /// Output format (text or json). There is no chain to draw, so mermaid is refused.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
}

/// What `sbom diff` writes: only formats it implements are accepted (a mermaid request is a
/// usage error, never JSON under another name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// One line of counts, then one line per added (+), removed (-) and changed (~) component.
    Text,
    /// The diff as JSON: added, removed, changed, unchanged.
    Json,
}

fn percent(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is not a percentage between 0 and 100"))
    }
}

/// Run an SBOM subcommand; returns the exit code.
pub fn run(cmd: SbomCommand) -> Result<u8, CliError> {
    match cmd {
        SbomCommand::Check(a) => check(&a),
        SbomCommand::Diff(a) => diff(&a),
    }
}

/// The XML schema validator the binary provides (libxml2 over the bundled XSDs).
/// Built on first use only: JSON SBOMs never pay for loading libxml2 or writing the XSDs out.
pub fn xml_validator() -> Option<Box<dyn XmlSchemaValidator>> {
    Some(Box::new(LazyXsd(std::cell::OnceCell::new())))
}

/// `PROVENANT_LIBXML2`, when set, is the only libxml2 tried (a soname or a path); otherwise
/// `libxml2.so.16`, then `libxml2.so.2`.
const LIBXML2_ENV: &str = "PROVENANT_LIBXML2";

struct LazyXsd(std::cell::OnceCell<Result<provenant_xsd::LibXmlValidator, String>>);

impl XmlSchemaValidator for LazyXsd {
    fn validate_cyclonedx(
        &self,
        xml: &[u8],
        spec_version: &str,
    ) -> Result<Vec<provenant_formats::sbom::Violation>, String> {
        match self.0.get_or_init(|| match std::env::var(LIBXML2_ENV) {
            Ok(name) if !name.is_empty() => provenant_xsd::LibXmlValidator::with_library(&[&name]),
            _ => provenant_xsd::LibXmlValidator::new(),
        }) {
            Ok(v) => v.validate_cyclonedx(xml, spec_version),
            Err(why) => Err(why.clone()),
        }
    }
}

/// Read and parse an SBOM; a document that cannot be read as an SBOM at all is an input error.
pub fn load(path: &str) -> Result<ParsedSbom, CliError> {
    let bytes = read_limited(path, MAX_SBOM_BYTES, "SBOM")?;
    let validator = xml_validator();
    parse_sbom(&bytes, validator.as_deref()).map_err(|e| match e {
        SbomError::NotAnSbom(_) | SbomError::Syntax { .. } => {
            CliError::Input(format!("{path}: {e}; give a CycloneDX or SPDX document"))
        }
        other => CliError::Input(format!("{path}: {other}")),
    })
}

/// Parse SBOM bytes already read (bounded by the caller).
pub fn parse_loaded(bytes: &[u8]) -> Result<ParsedSbom, SbomError> {
    let validator = xml_validator();
    parse_sbom(bytes, validator.as_deref())
}

fn check(a: &CheckArgs) -> Result<u8, CliError> {
    let outputs = super::output::Outputs::judgement(&a.format, a.out.as_deref());
    outputs.check()?;
    let bytes = read_limited(&a.sbom, MAX_SBOM_BYTES, "SBOM")?;
    let sbom_digest = digest_reader(&bytes[..], &[DigestAlgorithm::Sha256])
        .ok()
        .and_then(|(d, _)| d.into_iter().next());
    let mut evref = EvidenceRef::new(EvidenceKind::Sbom, &a.sbom);
    if let Some(d) = sbom_digest.clone() {
        evref = evref.with_digest(d);
    }
    let subject = subject_of(
        a.artifact.as_deref(),
        a.digest.as_deref(),
        &[
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ],
    )?;
    let now = jiff::Timestamp::now();
    let checks = sbom_checks(a, &bytes, &evref, subject.as_ref(), now)?;
    let subject = subject.unwrap_or_else(|| Subject {
        kind: SubjectKind::File,
        name: Some(a.sbom.clone()),
        digests: sbom_digest.into_iter().collect(),
        size: Some(bytes.len() as u64),
    });
    let report = Report::new(
        ToolInfo {
            name: TOOL_NAME.into(),
            version: TOOL_VERSION.into(),
        },
        "sbom check",
        provenant_core::rfc3339(now),
        subject,
        checks,
        vec![],
        vec![],
    );
    outputs.write(&report, false)?;
    Ok(match report.verdict {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
    })
}

fn diff(a: &DiffArgs) -> Result<u8, CliError> {
    let old = load(&a.old)?;
    let new = load(&a.new)?;
    let d = diff_sboms(&old.sbom, &new.sbom);
    let mut out = String::new();
    match a.format {
        DiffFormat::Json => {
            let mut buf = Vec::new();
            sanitize::write_json_pretty(&mut buf, &d)
                .map_err(|e| CliError::Input(format!("cannot render: {e}")))?;
            out = String::from_utf8_lossy(&buf).into_owned();
        }
        DiffFormat::Text => {
            use std::fmt::Write as _;
            // Component names and versions come from the SBOMs: one terminal line each.
            let t = sanitize::terminal_line;
            let v = |o: &Option<String>| o.as_deref().map_or_else(|| "(no version)".into(), t);
            let _ = writeln!(
                out,
                "{} added, {} removed, {} changed, {} unchanged ({} -> {})",
                d.added.len(),
                d.removed.len(),
                d.changed.len(),
                d.unchanged,
                t(&a.old),
                t(&a.new)
            );
            for e in &d.added {
                let _ = writeln!(out, "  + {} {}", t(&e.key), v(&e.new_version));
            }
            for e in &d.removed {
                let _ = writeln!(out, "  - {} {}", t(&e.key), v(&e.old_version));
            }
            for e in &d.changed {
                let what = if e.hashes_changed {
                    format!("{} (same version, other hashes)", v(&e.new_version))
                } else {
                    format!("{} -> {}", v(&e.old_version), v(&e.new_version))
                };
                let _ = writeln!(out, "  ~ {} {what}", t(&e.key));
            }
        }
    }
    emit(out.as_bytes());
    Ok(0)
}

/// The checks of one SBOM file against the flags' requirements; a file that is no SBOM at all is
/// an input error.
fn sbom_checks(
    a: &CheckArgs,
    bytes: &[u8],
    evref: &EvidenceRef,
    subject: Option<&Subject>,
    now: jiff::Timestamp,
) -> Result<Vec<Check>, CliError> {
    let validator = xml_validator();
    Ok(match parse_sbom(bytes, validator.as_deref()) {
        Err(e @ (SbomError::NotAnSbom(_) | SbomError::Syntax { .. })) => {
            return Err(CliError::Input(format!(
                "{}: {e}; give a CycloneDX or SPDX document",
                a.sbom
            )));
        }
        Err(e) => vec![Check::fail(
            CheckCode::SbomInvalid,
            e.to_string(),
            vec![evref.clone()],
        )],
        Ok(parsed) => {
            let req = SbomRequirements {
                require_binding: a.require_binding,
                require_ntia: a.require_ntia,
                require_dependencies: a.require_dependencies,
                min_purl_percent: a.min_purl_coverage,
                min_hash_percent: a.min_hash_coverage,
                min_license_percent: a.min_license_coverage,
                commit: a.commit.clone(),
            };
            let cx = SbomContext {
                artifact: subject.map(|s| s.digests.as_slice()),
                origin: SbomOrigin::File,
                build_time: None,
                now,
                requirements: &req,
            };
            check_sbom(&parsed, evref, &cx)
        }
    })
}
