//! SBOMs (CycloneDX, SPDX 2.x, SPDX 3) read into one normalised [`Sbom`].
//!
//! Parsers are lenient about harmless deviations real tools write and strict about every field
//! the binding and quality checks rely on; each leniency taken is recorded as a [`Deviation`]
//! so a report can say which. Structural validity against the spec version the document claims
//! is judged separately (JSON Schema for CycloneDX JSON, XSD for CycloneDX XML through an
//! injected [`XmlSchemaValidator`], the spec's required fields for SPDX) and reported as
//! [`Violation`]s.

pub mod cyclonedx;
pub mod spdx;
pub mod spdx3;

pub use crate::limits::LimitExceeded;

/// Which SBOM standard and encoding a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SbomStandard {
    /// CycloneDX.
    CycloneDx,
    /// SPDX 2.x.
    Spdx2,
    /// SPDX 3 (JSON-LD).
    Spdx3,
}

/// How the document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SbomEncoding {
    /// JSON (SPDX 3: JSON-LD).
    Json,
    /// XML.
    Xml,
    /// YAML.
    Yaml,
    /// SPDX tag-value.
    TagValue,
    /// RDF/XML.
    Rdf,
}

/// A hash of a component or of the described subject.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SbomHash {
    /// Algorithm, normalised to lowercase without punctuation: `sha256`, `sha512`, `sha1`,
    /// `md5`, `sha3256`, `blake2b256`, ... (`SHA-256` and `SHA256` both read `sha256`).
    pub algorithm: String,
    /// Lowercase hex.
    pub value: String,
}

/// One component (CycloneDX component, SPDX package / software artifact).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SbomComponent {
    /// Document-local identifier (CycloneDX `bom-ref`, SPDX `SPDXID`, SPDX 3 `spdxId`).
    pub id: Option<String>,
    /// Component type (CycloneDX `type`; SPDX `primaryPackagePurpose` / software purpose).
    pub kind: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Supplier (CycloneDX `supplier.name` or `publisher`; SPDX `supplier`), as written.
    pub supplier: Option<String>,
    /// Package URL.
    pub purl: Option<String>,
    /// CPE.
    pub cpe: Option<String>,
    /// Hashes (SPDX checksums; CycloneDX hashes).
    pub hashes: Vec<SbomHash>,
    /// License ids or expressions (concluded or declared, as written).
    pub licenses: Vec<String>,
}

/// A deviation from the spec that the parser tolerated, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deviation {
    /// JSON pointer, XPath-like path or `line N` where it is.
    pub at: String,
    /// What was tolerated and why it is harmless.
    pub what: String,
}

/// A structural violation of the spec version the document claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where (JSON pointer, element path or `line N`).
    pub at: String,
    /// What is wrong.
    pub message: String,
}

/// A normalised SBOM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sbom {
    /// Standard.
    pub standard: SbomStandard,
    /// Encoding.
    pub encoding: SbomEncoding,
    /// The spec version the document claims (`1.6`, `SPDX-2.3`, `3.0.1`), as written.
    pub spec_version: String,
    /// CycloneDX `serialNumber`, SPDX `documentNamespace`, SPDX 3 document id.
    pub serial: Option<String>,
    /// Document name (SPDX `name`; CycloneDX `metadata.component.name` is in `subject`).
    pub name: Option<String>,
    /// When the SBOM was made (CycloneDX `metadata.timestamp`, SPDX `creationInfo.created`),
    /// as written (RFC 3339 expected).
    pub created: Option<String>,
    /// Authors (CycloneDX `metadata.authors`, `metadata.manufacturer`; SPDX creators that are
    /// `Person:` or `Organization:`).
    pub authors: Vec<String>,
    /// Tools that made it (CycloneDX `metadata.tools`; SPDX `Tool:` creators).
    pub tools: Vec<String>,
    /// What the SBOM describes: CycloneDX `metadata.component`; SPDX the package(s) the document
    /// DESCRIBES (`documentDescribes` or a DESCRIBES relationship). `None` when it names none.
    pub subjects: Vec<SbomComponent>,
    /// Every other component (subjects excluded).
    pub components: Vec<SbomComponent>,
    /// Dependency edges: (id, depends-on id). CycloneDX `dependencies`; SPDX DEPENDS_ON /
    /// DEPENDENCY_OF (reversed) / CONTAINS relationships.
    pub dependencies: Vec<(String, String)>,
    /// Whether the document has a dependency section at all (an empty one counts).
    pub has_dependency_section: bool,
    /// The source commit the SBOM says it was made from, if it says (CycloneDX
    /// `metadata.component.externalReferences[type=vcs]` with `@<sha>` or properties such as
    /// `vcs.commit`, SPDX package `sourceInfo`/`downloadLocation` `git+...@<sha>`).
    pub source_commit: Option<String>,
    /// Every distinct commit the SBOM records for its subject, `source_commit` first: more
    /// than one is a contradiction, which the commit check refuses rather than choose.
    pub source_commits: Vec<String>,
    /// Leniencies taken while reading.
    pub deviations: Vec<Deviation>,
}

/// Validates XML against an XSD; injected so that parsers here stay free of I/O (XSD imports
/// are resolved from files by the validator the binary provides).
pub trait XmlSchemaValidator {
    /// Validate `xml` against the CycloneDX XSD of `spec_version` (`1.2` ... `1.7`). `Err` only
    /// when the validator itself cannot run (no schema for that version, ...).
    fn validate_cyclonedx(&self, xml: &[u8], spec_version: &str) -> Result<Vec<Violation>, String>;
}

/// Why a document is not an SBOM provenant reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotAnSbom {
    /// Nothing but whitespace.
    #[error("the file is empty")]
    Empty,
    /// The first byte opens none of the encodings.
    #[error("neither JSON, XML, YAML nor SPDX tag-value")]
    UnknownEncoding,
    /// XML of neither standard.
    #[error("an XML document that is neither CycloneDX nor SPDX")]
    UnknownXml,
    /// An in-toto statement of another predicate type.
    #[error("an in-toto statement of predicate type {predicate_type:?}, not an SBOM")]
    PredicateType {
        /// The predicate type as found.
        predicate_type: String,
    },
    /// JSON that is not an object.
    #[error("a JSON document that is not an object")]
    JsonNotAnObject,
    /// A `bomFormat` other than `CycloneDX`.
    #[error("a JSON document whose bomFormat is not \"CycloneDX\"")]
    BomFormat,
    /// JSON with no `bomFormat` and no SPDX marker.
    #[error("a JSON document without bomFormat (neither CycloneDX nor SPDX)")]
    NoBomFormat,
    /// XML whose root is not `bom`.
    #[error("an XML document whose root element is not a CycloneDX bom")]
    XmlRoot,
    /// A `bom` in another namespace.
    #[error("an XML bom in namespace {namespace:?}, not CycloneDX's")]
    XmlNamespace {
        /// The namespace (lossily decoded).
        namespace: String,
    },
    /// SPDX 2 JSON/YAML whose top level is not a mapping.
    #[error("an SPDX 2 document is a mapping of fields at its top level")]
    Spdx2NotAMapping,
    /// SPDX XML whose root is not `<Document>`.
    #[error("an SPDX XML document's root element is <Document>, not <{root}>")]
    SpdxXmlRoot {
        /// The root element's name.
        root: String,
    },
    /// An `<RDF>` root outside the RDF namespace.
    #[error("an <RDF> root outside the RDF namespace")]
    RdfNamespace,
    /// RDF/XML with no `spdx:SpdxDocument`.
    #[error("RDF/XML without an spdx:SpdxDocument")]
    RdfNoDocument,
    /// JSON-LD without `@context` and `@graph`.
    #[error("an SPDX 3 document is a JSON-LD object with @context and @graph")]
    Spdx3Shape,
    /// JSON-LD whose `@context` names no SPDX 3 context.
    #[error("JSON-LD whose @context is not SPDX 3 ({})", contexts.join(", "))]
    Spdx3Context {
        /// The context URLs found.
        contexts: Vec<String>,
    },
}

/// Why an SBOM could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SbomError {
    /// Not an SBOM format provenant knows.
    #[error("not a CycloneDX or SPDX document: {0}")]
    NotAnSbom(NotAnSbom),
    /// The document is not well-formed in its encoding (JSON, XML, YAML, tag-value).
    #[error("{encoding} is not well formed: {detail}")]
    Syntax {
        /// `JSON`, `XML`, ...
        encoding: &'static str,
        /// The parser's complaint, with its position.
        detail: String,
    },
    /// A spec version provenant does not read.
    #[error("unsupported {standard} version {version:?}; provenant reads {supported}")]
    UnsupportedVersion {
        /// `CycloneDX` or `SPDX`.
        standard: &'static str,
        /// As written.
        version: String,
        /// What is supported.
        supported: &'static str,
    },
    /// A field the checks rely on has the wrong type or form.
    #[error("{at}: {what}")]
    Field {
        /// Where.
        at: String,
        /// What is wrong.
        what: String,
    },
    /// Over a documented limit.
    #[error("{0}")]
    Limit(LimitExceeded),
}

/// An SBOM read from bytes, with its structural validation.
#[derive(Debug, Clone)]
pub struct ParsedSbom {
    /// The normalised SBOM.
    pub sbom: Sbom,
    /// Structural violations of the spec version it claims (empty: valid).
    pub violations: Vec<Violation>,
    /// Whether the structural validation could be run completely (false, e.g., for XML with no
    /// validator given); a document not fully validated is never reported valid.
    pub validated: bool,
    /// Why the document is not validated, when the validator could not run (libxml2 missing,
    /// a DOCTYPE, ...); None when validated or when no validator was given.
    pub not_validated: Option<String>,
}

/// Normalise a hash algorithm name: lowercase, no `-` or `_` (`SHA-256` -> `sha256`).
pub fn normalize_algorithm(alg: &str) -> String {
    alg.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Detect the format of `bytes` and parse it. `xsd` validates CycloneDX XML (without it, XML is
/// parsed but reported not validated).
pub fn parse_sbom(
    bytes: &[u8],
    xsd: Option<&dyn XmlSchemaValidator>,
) -> Result<ParsedSbom, SbomError> {
    // UTF-16 (some Windows tools write it): decode by its byte order mark, then read as UTF-8.
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let mut deviations = Vec::new();
        let text = spdx::decode_text(bytes, "UTF-16", &mut deviations)?;
        let mut parsed = parse_sbom(text.as_bytes(), xsd)?;
        parsed.sbom.deviations.extend(deviations);
        return Ok(parsed);
    }
    let head = first_non_ws(bytes);
    match head {
        Some(b'{') if looks_like_statement(bytes) => parse_statement_sbom(bytes, xsd),
        Some(b'{') => {
            // JSON: CycloneDX has bomFormat, SPDX 2 spdxVersion, SPDX 3 @context.
            let probe = &bytes[..bytes.len().min(64 * 1024)];
            let text = String::from_utf8_lossy(probe);
            if text.contains("\"@context\"") && !text.contains("\"spdxVersion\"") {
                spdx3::parse_json(bytes)
            } else if text.contains("\"spdxVersion\"") || text.contains("\"SPDXID\"") {
                spdx::parse_json(bytes)
            } else {
                cyclonedx::parse_json(bytes)
            }
        }
        Some(b'<') => {
            let probe = &bytes[..bytes.len().min(64 * 1024)];
            let text = String::from_utf8_lossy(probe);
            if text.contains("cyclonedx.org/schema/bom") {
                cyclonedx::parse_xml(bytes, xsd)
            } else if text.contains("spdx") || text.contains("SPDX") {
                spdx::parse_xml(bytes)
            } else {
                Err(SbomError::NotAnSbom(NotAnSbom::UnknownXml))
            }
        }
        Some(_) => {
            let probe = &bytes[..bytes.len().min(64 * 1024)];
            let text = String::from_utf8_lossy(probe);
            if text
                .lines()
                .any(|l| l.trim_start().starts_with("SPDXVersion:"))
            {
                spdx::parse_tag_value(bytes)
            } else if text
                .lines()
                .any(|l| l.trim_start().starts_with("spdxVersion:"))
            {
                spdx::parse_yaml(bytes)
            } else {
                Err(SbomError::NotAnSbom(NotAnSbom::UnknownEncoding))
            }
        }
        None => Err(SbomError::NotAnSbom(NotAnSbom::Empty)),
    }
}

fn first_non_ws(bytes: &[u8]) -> Option<u8> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// Whether an in-toto predicate type is an SBOM: CycloneDX or SPDX, versioned (`.../v1.6`) or
/// not.
pub fn is_sbom_predicate(predicate_type: &str) -> bool {
    ["https://cyclonedx.org/bom", "https://spdx.dev/Document"]
        .iter()
        .any(|p| {
            predicate_type == *p
                || predicate_type
                    .strip_prefix(p)
                    .is_some_and(|r| r.starts_with("/v"))
        })
}

/// An in-toto Statement (as BuildKit writes SBOM attestations into an image, or `cosign
/// download attestation` prints after base64-decoding): the first 4 KiB name `_type` and a
/// `predicateType`.
fn looks_like_statement(bytes: &[u8]) -> bool {
    let probe = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    probe.contains("\"_type\"")
        && probe.contains("\"predicateType\"")
        && probe.contains("in-toto.io/Statement")
}

/// The SBOM document an in-toto statement's SBOM predicate holds, read alone: its subjects are
/// the document's own (CycloneDX `metadata.component`, SPDX described packages), never the
/// statement's. SPDX predicates are sometimes a JSON string holding the document.
pub fn parse_predicate_sbom(
    predicate: &serde_json::Value,
    xsd: Option<&dyn XmlSchemaValidator>,
) -> Result<ParsedSbom, SbomError> {
    let inner = match predicate {
        serde_json::Value::String(s) => s.as_bytes().to_vec(),
        other => serde_json::to_vec(other).unwrap_or_default(),
    };
    parse_sbom(&inner, xsd)
}

/// The SBOM predicate of an (unsigned) in-toto Statement: the statement's subjects become the
/// SBOM's subjects (their digests are what the SBOM says it describes, a claim like any other
/// unsigned SBOM field; signed statements are verified by `verify artifact`).
fn parse_statement_sbom(
    bytes: &[u8],
    xsd: Option<&dyn XmlSchemaValidator>,
) -> Result<ParsedSbom, SbomError> {
    let v = json_value(bytes, &mut Vec::new())?;
    let pt = v
        .get("predicateType")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if !is_sbom_predicate(pt) {
        return Err(SbomError::NotAnSbom(NotAnSbom::PredicateType {
            predicate_type: pt.to_owned(),
        }));
    }
    let predicate = v.get("predicate").ok_or_else(|| SbomError::Field {
        at: "/predicate".into(),
        what: "missing".into(),
    })?;
    let mut parsed = parse_predicate_sbom(predicate, xsd)?;
    for s in v
        .get("subject")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
    {
        let hashes: Vec<SbomHash> = s
            .get("digest")
            .and_then(serde_json::Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(alg, hex)| {
                Some(SbomHash {
                    algorithm: normalize_algorithm(alg),
                    value: hex.as_str()?.to_ascii_lowercase(),
                })
            })
            .collect();
        parsed.sbom.subjects.push(SbomComponent {
            name: s
                .get("name")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
            hashes,
            ..SbomComponent::default()
        });
    }
    parsed.sbom.deviations.push(Deviation {
        at: "/".into(),
        what: format!("read from the predicate of an unsigned in-toto statement ({pt}); its subjects are taken as the SBOM's subjects"),
    });
    Ok(parsed)
}

/// `bytes` (UTF-8, or UTF-16 with a byte order mark) as strictly parsed JSON: duplicate keys and
/// nesting over the limit refused, each leniency recorded in `deviations`.
pub(crate) fn json_value(
    bytes: &[u8],
    deviations: &mut Vec<Deviation>,
) -> Result<serde_json::Value, SbomError> {
    use crate::json::{parse_strict, JsonError};
    let text = spdx::decode_text(bytes, "JSON", deviations)?;
    parse_strict(text.as_bytes()).map_err(|e| match e {
        JsonError::TooDeep => SbomError::Limit(LimitExceeded::Json(e)),
        other => SbomError::Syntax {
            encoding: "JSON",
            detail: other.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_an_sbom_says_what_was_found() {
        let e = parse_sbom(b"", None).unwrap_err();
        assert_eq!(e, SbomError::NotAnSbom(NotAnSbom::Empty));
        assert_eq!(
            e.to_string(),
            "not a CycloneDX or SPDX document: the file is empty"
        );
        let e = cyclonedx::parse_xml(br#"<bom xmlns="urn:x"/>"#, None).unwrap_err();
        assert_eq!(
            e,
            SbomError::NotAnSbom(NotAnSbom::XmlNamespace {
                namespace: "urn:x".into()
            })
        );
        assert_eq!(
            e.to_string(),
            "not a CycloneDX or SPDX document: an XML bom in namespace \"urn:x\", not CycloneDX's"
        );
        assert_eq!(
            NotAnSbom::Spdx3Context {
                contexts: vec!["a".into(), "b".into()]
            }
            .to_string(),
            "JSON-LD whose @context is not SPDX 3 (a, b)"
        );
    }
}
