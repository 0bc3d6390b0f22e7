//! XSD validation of CycloneDX XML with libxml2, for [`provenant_formats::sbom`].
//!
//! The formats crate stays free of I/O, so the validator lives here: it writes the embedded XSDs
//! to a private temporary directory (so each `xs:import schemaLocation="spdx.SNAPSHOT.xsd"`
//! resolves to the embedded copy beside it, never to the network or the working directory),
//! compiles each version's schema once, and validates instances as a stream. A document with a
//! DOCTYPE is refused before libxml2 sees it, so no DTD is loaded and no entity expanded (the
//! CycloneDX parser refuses those documents anyway); a compiled schema ignores the instance's
//! `xsi:schemaLocation` hints, so nothing else is ever fetched.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use libxml::error::{StructuredError, XmlErrorLevel};
use libxml::schemas::{SchemaParserContext, SchemaValidationContext};
use provenant_formats::sbom::cyclonedx::{cyclonedx_xsd, SPDX_XSD};
use provenant_formats::sbom::{Violation, XmlSchemaValidator};

/// The CycloneDX versions whose XSDs are written out.
const VERSIONS: [&str; 6] = ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

/// Validates CycloneDX XML against the embedded XSDs with libxml2.
///
/// Not `Send`: libxml2's compiled schemas are used from the thread that compiled them.
pub struct LibXmlValidator {
    dir: tempfile::TempDir,
    compiled: RefCell<HashMap<&'static str, SchemaValidationContext>>,
}

impl LibXmlValidator {
    /// Write the embedded XSDs to a fresh private temporary directory (removed on drop).
    pub fn new() -> std::io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("provenant-xsd-")
            .tempdir()?;
        std::fs::write(dir.path().join("spdx.SNAPSHOT.xsd"), SPDX_XSD)?;
        for version in VERSIONS {
            if let Some(xsd) = cyclonedx_xsd(version) {
                std::fs::write(dir.path().join(file_name(version)), xsd)?;
            }
        }
        Ok(Self {
            dir,
            compiled: RefCell::new(HashMap::new()),
        })
    }

    fn path(&self, version: &str) -> PathBuf {
        self.dir.path().join(file_name(version))
    }

    fn compile(&self, version: &'static str) -> Result<SchemaValidationContext, String> {
        let path = self.path(version);
        let path = path
            .to_str()
            .ok_or_else(|| format!("temporary path {} is not UTF-8", path.display()))?;
        let mut parser = SchemaParserContext::from_file(path);
        SchemaValidationContext::from_parser(&mut parser).map_err(|errors| {
            format!(
                "the bundled CycloneDX {version} XSD does not compile: {}",
                errors
                    .iter()
                    .map(|e| e.message.as_deref().unwrap_or("?").trim().to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
    }
}

fn file_name(version: &str) -> String {
    format!("bom-{version}.SNAPSHOT.xsd")
}

/// Errors as violations. Warnings (libxml2 adds some after an error) are left out, unless
/// libxml2 failed the document with nothing but warnings.
fn violations(errors: Vec<StructuredError>) -> Vec<Violation> {
    let is_error =
        |e: &StructuredError| matches!(e.level, XmlErrorLevel::Error | XmlErrorLevel::Fatal);
    let any_error = errors.iter().any(is_error);
    errors
        .into_iter()
        .filter(|e| !any_error || is_error(e))
        .map(|e| Violation {
            at: e.line.map_or_else(String::new, |l| format!("line {l}")),
            message: e.message.as_deref().unwrap_or("invalid").trim().to_string(),
        })
        .collect()
}

impl XmlSchemaValidator for LibXmlValidator {
    fn validate_cyclonedx(&self, xml: &[u8], spec_version: &str) -> Result<Vec<Violation>, String> {
        let version = VERSIONS
            .into_iter()
            .find(|v| *v == spec_version)
            .ok_or_else(|| format!("no bundled XSD for CycloneDX {spec_version}"))?;
        if has_doctype(xml) {
            return Err("a document with a DOCTYPE is not validated (no DTD is ever read)".into());
        }
        let mut compiled = self.compiled.borrow_mut();
        if !compiled.contains_key(version) {
            let context = self.compile(version)?;
            compiled.insert(version, context);
        }
        let context = compiled.get_mut(version).expect("inserted above");
        // Streamed (SAX) validation: a libxml2 DOM of a large SBOM takes over ten times its size.
        // libxml2 streams only from a file, so the instance goes to the private directory first.
        let instance = self.dir.path().join("instance.xml");
        std::fs::write(&instance, xml).map_err(|e| format!("{}: {e}", instance.display()))?;
        let path = instance
            .to_str()
            .ok_or_else(|| format!("temporary path {} is not UTF-8", instance.display()))?;
        let result = context.validate_file(path);
        // Best effort: the directory is removed with the validator anyway.
        let _ = std::fs::remove_file(&instance);
        match result {
            Ok(()) => Ok(Vec::new()),
            Err(errors) => Ok(violations(errors)),
        }
    }
}

/// Whether the prolog (before the root element) has a DOCTYPE. Without one, libxml2 has no DTD
/// to load and no entity to expand, whatever its parser options.
fn has_doctype(xml: &[u8]) -> bool {
    let mut rest = xml;
    loop {
        let Some(open) = rest.iter().position(|&b| b == b'<') else {
            return false;
        };
        rest = &rest[open..];
        let close: &[u8] = if rest.starts_with(b"<?") {
            b"?>"
        } else if rest.starts_with(b"<!--") {
            b"-->"
        } else {
            return rest.starts_with(b"<!DOCTYPE");
        };
        match rest.windows(close.len()).position(|w| w == close) {
            Some(end) => rest = &rest[end + close.len()..],
            None => return false,
        }
    }
}
