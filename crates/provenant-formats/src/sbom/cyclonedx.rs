//! CycloneDX 1.2–1.7, JSON and XML.
//!
//! JSON is validated against the JSON schema of the version it claims (bundled, `$ref`s resolved
//! from the embedded copies, never fetched); XML against the XSD through the injected
//! [`XmlSchemaValidator`]. Both are read into the same normalised [`Sbom`].
//!
//! Beyond the JSON schema, a component's `bom-ref` must be unique among the components (the XSD's
//! `xs:unique` says the same for XML): dependencies name components by it. Other objects may
//! share a `bom-ref` (the specification's own valid JSON examples do).
//!
//! Normalisation: `tools` are written `vendor/name@version` (legacy `tools[]`) or
//! `group/name@version` (`tools.components`, `tools.services`), each part only when present;
//! `authors` are `metadata.authors[].name`, then the `manufacturer`, `manufacture` and `supplier`
//! names, without repeats; a component's supplier is `supplier.name`, else `publisher`;
//! `components` lists every component but the subject, nested ones after their parent.
//!
//! # Limits
//!
//! | limit | value | why |
//! | --- | --- | --- |
//! | [`MAX_SBOM_BYTES`] | 256 MiB | callers read no more than this; the largest real SBOMs are tens of MB |
//! | [`MAX_COMPONENTS`] | 1,000,000 | components (nested ones included) read into the model |
//! | [`MAX_COMPONENT_NESTING`] | 32 | `components` inside `components` |
//! | [`MAX_XML_DEPTH`] | 64 | XML element nesting besides what nested components add |
//! | JSON nesting | 128 | serde_json's recursion limit |
//!
//! Over a limit the document is refused with [`SbomError::Limit`]; nothing is truncated silently.
//!
//! # Memory
//!
//! A JSON document is never held as one `serde_json::Value`: the top-level `components` and
//! `dependencies` arrays are streamed one element at a time (each element validated against the
//! schema's item definition, then normalised and dropped), so peak memory is the input, the
//! normalised model and one component. (When `specVersion` comes after those arrays, the bytes
//! are scanned ahead once for it.) XML is read with a pull parser and never held as a tree.

mod json;
mod schema;
mod xml;

use crate::limits::LimitExceeded;
use std::collections::HashSet;

use super::{
    normalize_algorithm, Deviation, ParsedSbom, Sbom, SbomComponent, SbomEncoding, SbomError,
    SbomHash, SbomStandard, Violation, XmlSchemaValidator,
};

pub use crate::limits::{MAX_COMPONENTS, MAX_COMPONENT_NESTING, MAX_SBOM_BYTES, MAX_XML_DEPTH};
/// Most violations reported for one document; the rest are counted in a final entry.
pub const MAX_VIOLATIONS: usize = 100;
/// Most deviations recorded for one document; the rest are counted in a final entry.
pub const MAX_DEVIATIONS: usize = 100;

/// The CycloneDX versions provenant reads.
pub const SUPPORTED_VERSIONS: &str = "CycloneDX 1.2, 1.3, 1.4, 1.5, 1.6 and 1.7";

/// The XSD that `xs:import`s of every CycloneDX XSD name as `spdx.SNAPSHOT.xsd`.
pub const SPDX_XSD: &[u8] = include_bytes!("../../schemas/cyclonedx/spdx.SNAPSHOT.xsd");

/// The bundled XSD of a CycloneDX version (`"1.2"` ... `"1.7"`); it imports [`SPDX_XSD`] as
/// `spdx.SNAPSHOT.xsd` from its own directory.
pub fn cyclonedx_xsd(version: &str) -> Option<&'static [u8]> {
    Some(match Version::parse(version)? {
        Version::V1_2 => include_bytes!("../../schemas/cyclonedx/bom-1.2.SNAPSHOT.xsd"),
        Version::V1_3 => include_bytes!("../../schemas/cyclonedx/bom-1.3.SNAPSHOT.xsd"),
        Version::V1_4 => include_bytes!("../../schemas/cyclonedx/bom-1.4.SNAPSHOT.xsd"),
        Version::V1_5 => include_bytes!("../../schemas/cyclonedx/bom-1.5.SNAPSHOT.xsd"),
        Version::V1_6 => include_bytes!("../../schemas/cyclonedx/bom-1.6.SNAPSHOT.xsd"),
        Version::V1_7 => include_bytes!("../../schemas/cyclonedx/bom-1.7.SNAPSHOT.xsd"),
    })
}

/// Parse CycloneDX JSON and validate it against the bundled JSON schema of the version it claims.
pub fn parse_json(bytes: &[u8]) -> Result<ParsedSbom, SbomError> {
    json::parse(bytes)
}

/// Parse CycloneDX XML; validate it with `xsd` when given. A DOCTYPE is refused outright (no DTD,
/// no entity other than XML's five predefined ones is ever expanded).
pub fn parse_xml(
    bytes: &[u8],
    xsd: Option<&dyn XmlSchemaValidator>,
) -> Result<ParsedSbom, SbomError> {
    xml::parse(bytes, xsd)
}

/// A CycloneDX version provenant reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Version {
    V1_2,
    V1_3,
    V1_4,
    V1_5,
    V1_6,
    V1_7,
}

impl Version {
    const ALL: [Version; 6] = [
        Version::V1_2,
        Version::V1_3,
        Version::V1_4,
        Version::V1_5,
        Version::V1_6,
        Version::V1_7,
    ];

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    fn as_str(self) -> &'static str {
        match self {
            Version::V1_2 => "1.2",
            Version::V1_3 => "1.3",
            Version::V1_4 => "1.4",
            Version::V1_5 => "1.5",
            Version::V1_6 => "1.6",
            Version::V1_7 => "1.7",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

fn unsupported(version: impl Into<String>) -> SbomError {
    SbomError::UnsupportedVersion {
        standard: "CycloneDX",
        version: version.into(),
        supported: SUPPORTED_VERSIONS,
    }
}

/// Violations capped at [`MAX_VIOLATIONS`], with a final entry counting the rest.
#[derive(Default)]
struct Violations {
    list: Vec<Violation>,
    more: usize,
}

impl Violations {
    fn push(&mut self, at: impl FnOnce() -> String, message: impl FnOnce() -> String) {
        if self.list.len() < MAX_VIOLATIONS {
            self.list.push(Violation {
                at: at(),
                message: message(),
            });
        } else {
            self.more += 1;
        }
    }

    fn extend(&mut self, violations: Vec<Violation>) {
        for v in violations {
            self.push(|| v.at, || v.message);
        }
    }

    fn finish(mut self) -> Vec<Violation> {
        if self.more > 0 {
            self.list.push(Violation {
                at: String::new(),
                message: format!("... {} more", self.more),
            });
        }
        self.list
    }
}

/// What the JSON and XML readers share: the model being filled, the component count, the
/// capped deviation list and the source-commit candidates.
struct Builder {
    sbom: Sbom,
    count: usize,
    deviations_more: usize,
    /// Commit candidates by priority: metadata.component vcs reference, its properties, the
    /// metadata properties.
    commit_vcs: Option<String>,
    commit_component_property: Option<String>,
    commit_metadata_property: Option<String>,
    /// Every commit mentioned (vcs references and properties), in document order.
    commits_seen: Vec<String>,
    seen_authors: HashSet<String>,
    /// (as written, normalised) hash algorithm names.
    algorithms: Vec<(String, String)>,
}

impl Builder {
    fn new(encoding: SbomEncoding, version: &str) -> Self {
        Self {
            sbom: Sbom {
                standard: SbomStandard::CycloneDx,
                encoding,
                spec_version: version.to_string(),
                serial: None,
                name: None,
                created: None,
                authors: Vec::new(),
                tools: Vec::new(),
                subjects: Vec::new(),
                components: Vec::new(),
                dependencies: Vec::new(),
                has_dependency_section: false,
                source_commit: None,
                source_commits: Vec::new(),
                deviations: Vec::new(),
            },
            count: 0,
            deviations_more: 0,
            commit_vcs: None,
            commit_component_property: None,
            commit_metadata_property: None,
            commits_seen: Vec::new(),
            seen_authors: HashSet::new(),
            algorithms: Vec::new(),
        }
    }

    fn deviation(&mut self, at: impl FnOnce() -> String, what: impl FnOnce() -> String) {
        if self.sbom.deviations.len() < MAX_DEVIATIONS {
            self.sbom.deviations.push(Deviation {
                at: at(),
                what: what(),
            });
        } else {
            self.deviations_more += 1;
        }
    }

    /// Count one more component against [`MAX_COMPONENTS`] and its nesting against
    /// [`MAX_COMPONENT_NESTING`].
    fn admit(&mut self, nesting: usize) -> Result<(), SbomError> {
        if nesting > MAX_COMPONENT_NESTING {
            return Err(SbomError::Limit(LimitExceeded::Depth {
                what: "components",
                limit: MAX_COMPONENT_NESTING,
                unit: "levels",
            }));
        }
        self.count += 1;
        if self.count > MAX_COMPONENTS {
            return Err(SbomError::Limit(LimitExceeded::Count {
                format: None,
                items: "components",
                limit: MAX_COMPONENTS,
            }));
        }
        Ok(())
    }

    fn author(&mut self, name: &str) {
        let name = name.trim();
        if !name.is_empty() && self.seen_authors.insert(name.to_string()) {
            self.sbom.authors.push(name.to_string());
        }
    }

    /// A hash, normalised; `None` (left out) when the content is not hex, which the schema
    /// reports where the document is validated.
    fn hash(&mut self, alg: &str, content: &str, at: impl FnOnce() -> String) -> Option<SbomHash> {
        let content = content.trim();
        let (mut hex, mut upper) = (!content.is_empty(), false);
        for b in content.bytes() {
            hex &= b.is_ascii_hexdigit();
            upper |= b.is_ascii_uppercase();
        }
        if !hex {
            return None;
        }
        if upper {
            self.deviation(at, || {
                "hash content in uppercase hex; read as lowercase".to_string()
            });
        }
        Some(SbomHash {
            algorithm: self.algorithm(alg.trim()),
            value: content.to_ascii_lowercase(),
        })
    }

    /// [`normalize_algorithm`], remembered: a document names a handful of algorithms many times.
    fn algorithm(&mut self, alg: &str) -> String {
        if let Some((_, normalised)) = self.algorithms.iter().find(|(written, _)| written == alg) {
            return normalised.clone();
        }
        let normalised = normalize_algorithm(alg);
        if self.algorithms.len() < 32 {
            self.algorithms.push((alg.to_string(), normalised.clone()));
        }
        normalised
    }

    fn finish(mut self) -> Sbom {
        self.sbom.source_commit = self
            .commit_vcs
            .take()
            .or(self.commit_component_property.take())
            .or(self.commit_metadata_property.take());
        let mut all: Vec<String> = self.sbom.source_commit.iter().cloned().collect();
        for c in std::mem::take(&mut self.commits_seen) {
            if !all.contains(&c) {
                all.push(c);
            }
        }
        self.sbom.source_commits = all;
        if self.deviations_more > 0 {
            self.sbom.deviations.push(Deviation {
                at: String::new(),
                what: format!("... {} more", self.deviations_more),
            });
        }
        self.sbom
    }
}

/// A tool as one string: `vendor/name@version`, each part only when present.
fn tool_label(vendor: Option<&str>, name: Option<&str>, version: Option<&str>) -> Option<String> {
    fn clean(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    let name = clean(name)?;
    let mut out = String::new();
    if let Some(vendor) = clean(vendor) {
        out.push_str(vendor);
        out.push('/');
    }
    out.push_str(name);
    if let Some(version) = clean(version) {
        out.push('@');
        out.push_str(version);
    }
    Some(out)
}

fn is_commit(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The commit a VCS URL pins with a trailing `@<40-hex>` or `#<40-hex>`.
fn commit_in_vcs_url(url: &str) -> Option<String> {
    let (_, tail) = url.trim().rsplit_once(['@', '#'])?;
    is_commit(tail).then(|| tail.to_ascii_lowercase())
}

/// Whether a property name says its value is the source commit (`vcs.commit`, `git.commit`,
/// `vcs-commit`, `...:commit`).
fn is_commit_property(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    name == "commit"
        || name.ends_with(":commit")
        || ["vcs.commit", "git.commit", "vcs-commit", "git-commit"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// The commit a property holds, if it is a commit property with a 40-hex value.
fn commit_in_property(name: &str, value: &str) -> Option<String> {
    let value = value.trim();
    (is_commit_property(name) && is_commit(value)).then(|| value.to_ascii_lowercase())
}

/// A component being read: the model fields plus what the source commit is taken from.
#[derive(Default)]
struct ComponentParts {
    component: SbomComponent,
    publisher: Option<String>,
    group: Option<String>,
    vcs_urls: Vec<String>,
    properties: Vec<(String, String)>,
}

impl ComponentParts {
    fn into_component(mut self) -> SbomComponent {
        if self.component.supplier.is_none() {
            self.component.supplier = self.publisher.take();
        }
        self.component
    }
}

/// Where a read component goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// `components` (top level or nested).
    Component,
    /// `metadata.component`.
    Subject,
    /// `metadata.tools.components`.
    Tool,
    /// Inside a tool component: not part of the SBOM's content.
    Ignored,
}

impl Builder {
    /// File a finished component according to its role.
    fn file(&mut self, role: Role, parts: ComponentParts) {
        match role {
            Role::Component => self.sbom.components.push(parts.into_component()),
            Role::Subject => {
                self.commits_seen
                    .extend(parts.vcs_urls.iter().filter_map(|u| commit_in_vcs_url(u)));
                self.commits_seen.extend(
                    parts
                        .properties
                        .iter()
                        .filter_map(|(n, v)| commit_in_property(n, v)),
                );
                if self.commit_vcs.is_none() {
                    self.commit_vcs = parts.vcs_urls.iter().find_map(|u| commit_in_vcs_url(u));
                }
                if self.commit_component_property.is_none() {
                    self.commit_component_property = parts
                        .properties
                        .iter()
                        .find_map(|(n, v)| commit_in_property(n, v));
                }
                self.sbom.subjects.push(parts.into_component());
            }
            Role::Tool => {
                let c = &parts.component;
                if let Some(label) = tool_label(
                    parts.group.as_deref(),
                    c.name.as_deref(),
                    c.version.as_deref(),
                ) {
                    self.sbom.tools.push(label);
                }
            }
            Role::Ignored => {}
        }
    }

    fn metadata_property(&mut self, name: &str, value: &str) {
        self.commits_seen.extend(commit_in_property(name, value));
        if self.commit_metadata_property.is_none() {
            self.commit_metadata_property = commit_in_property(name, value);
        }
    }
}

#[cfg(test)]
mod tests;
