//! XSD validation of CycloneDX XML with libxml2, for [`provenant_formats::sbom`].
//!
//! libxml2 is not linked: it is loaded with `dlopen` the first time an XML SBOM is validated
//! (`libxml2.so.16`, then `libxml2.so.2`), so a process that validates no XML never maps libxml2,
//! ICU and libstdc++, and the binary runs on distributions with either soname. When it cannot be
//! loaded, [`LibXmlValidator::new`] fails with a one-line reason and the document stays not
//! validated, which the verdict treats as invalid (fail closed).
//!
//! The formats crate stays free of I/O, so the validator lives here: it writes the embedded XSDs
//! to a private temporary directory (so each `xs:import schemaLocation="spdx.SNAPSHOT.xsd"`
//! resolves to the embedded copy beside it, never to the network or the working directory),
//! compiles each version's schema once, and validates instances as a stream. A document with a
//! DOCTYPE is refused before libxml2 sees it, so no DTD is loaded and no entity expanded (the
//! CycloneDX parser refuses those documents anyway); a compiled schema ignores the instance's
//! `xsi:schemaLocation` hints, so nothing else is ever fetched.

mod ffi;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

pub use ffi::DEFAULT_NAMES;
use ffi::{Diagnostic, Level, LibXml2, Schema};
use provenant_formats::sbom::cyclonedx::{cyclonedx_xsd, SPDX_XSD};
use provenant_formats::sbom::{Violation, XmlSchemaValidator};

/// The CycloneDX versions whose XSDs are written out.
const VERSIONS: [&str; 6] = ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

/// Validates CycloneDX XML against the embedded XSDs with libxml2.
///
/// Not `Send`: libxml2's compiled schemas are used from the thread that compiled them.
pub struct LibXmlValidator {
    lib: &'static LibXml2,
    dir: tempfile::TempDir,
    compiled: RefCell<HashMap<&'static str, Schema>>,
}

impl LibXmlValidator {
    /// Load libxml2 from its usual sonames ([`DEFAULT_NAMES`]) and write the embedded XSDs to a
    /// fresh private temporary directory (removed on drop).
    pub fn new() -> Result<Self, String> {
        Self::with_library(DEFAULT_NAMES)
    }

    /// As [`LibXmlValidator::new`], trying the libraries `names` (sonames or paths) in order.
    pub fn with_library(names: &[&str]) -> Result<Self, String> {
        let lib = LibXml2::load(names)?;
        let dir = tempfile::Builder::new()
            .prefix("provenant-xsd-")
            .tempdir()
            .map_err(|e| {
                format!("cannot create a temporary directory for the bundled XSDs: {e}")
            })?;
        let write = |name: &str, xsd: &[u8]| {
            std::fs::write(dir.path().join(name), xsd)
                .map_err(|e| format!("cannot write the bundled XSDs to a temporary directory: {e}"))
        };
        write("spdx.SNAPSHOT.xsd", SPDX_XSD)?;
        for version in VERSIONS {
            if let Some(xsd) = cyclonedx_xsd(version) {
                write(&file_name(version), xsd)?;
            }
        }
        Ok(Self {
            lib,
            dir,
            compiled: RefCell::new(HashMap::new()),
        })
    }

    /// The library file that was loaded (`libxml2.so.2`, ...).
    pub fn library(&self) -> &str {
        &self.lib.name
    }

    fn path(&self, version: &str) -> PathBuf {
        self.dir.path().join(file_name(version))
    }

    fn compile(&self, version: &'static str) -> Result<Schema, String> {
        let path = self.path(version);
        let path = path
            .to_str()
            .ok_or_else(|| format!("temporary path {} is not UTF-8", path.display()))?;
        self.lib.compile(path).map_err(|errors| {
            format!(
                "the bundled CycloneDX {version} XSD does not compile: {}",
                errors
                    .iter()
                    .map(|e| e.message.as_str())
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
fn violations(errors: Vec<Diagnostic>) -> Vec<Violation> {
    let is_error = |e: &Diagnostic| e.level == Level::Error;
    let any_error = errors.iter().any(is_error);
    errors
        .into_iter()
        .filter(|e| !any_error || is_error(e))
        .map(|e| Violation {
            at: e.line.map_or_else(String::new, |l| format!("line {l}")),
            message: if e.message.is_empty() {
                "invalid".to_owned()
            } else {
                e.message
            },
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
        let schema = match compiled.entry(version) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(self.compile(version)?),
        };
        // Streamed (SAX) validation: a libxml2 DOM of a large SBOM takes over ten times its size.
        // libxml2 streams only from a file, so the instance goes to the private directory first.
        let instance = self.dir.path().join("instance.xml");
        std::fs::write(&instance, xml).map_err(|e| format!("{}: {e}", instance.display()))?;
        let path = instance
            .to_str()
            .ok_or_else(|| format!("temporary path {} is not UTF-8", instance.display()))?;
        let result = schema.validate_file(path);
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

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &[u8] = br#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <components><component type="library"><name>a</name></component></components>
</bom>"#;

    #[test]
    fn a_library_that_cannot_be_loaded_is_an_error_with_a_reason() {
        let err = LibXmlValidator::with_library(&["/nonexistent/libxml2.so.99"])
            .err()
            .expect("no such library");
        assert!(err.contains("libxml2 could not be loaded"), "{err}");
        assert!(err.contains("/nonexistent/libxml2.so.99"), "{err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }

    #[test]
    fn a_library_without_the_schema_api_is_refused() {
        // libc opens but has no xmlSchema* symbols.
        let err = LibXmlValidator::with_library(&["libc.so.6"])
            .err()
            .expect("not libxml2");
        assert!(err.contains("xmlInitParser"), "{err}");
    }

    #[test]
    fn validates_with_the_system_libxml2() {
        let v = LibXmlValidator::new().expect("libxml2 is installed where the tests run");
        assert!(v.library().starts_with("libxml2"));
        assert_eq!(v.validate_cyclonedx(VALID, "1.6"), Ok(Vec::new()));
        let invalid = String::from_utf8_lossy(VALID).replace("library", "nonsense");
        let found = v
            .validate_cyclonedx(invalid.as_bytes(), "1.6")
            .expect("runs");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].at, "line 3");
        // Not well-formed: libxml2's parser error is a violation, never a pass.
        let broken =
            v.validate_cyclonedx(b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"", "1.6");
        assert!(matches!(broken, Ok(ref f) if !f.is_empty()), "{broken:?}");
    }
}
