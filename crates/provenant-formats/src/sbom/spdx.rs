//! SPDX 2.2 and 2.3: JSON, YAML, tag-value, XML (and RDF/XML, which arrives through
//! [`parse_xml`]).
//!
//! Every encoding is first read into the shape of the SPDX JSON form (a `serde_json::Value`, the
//! way spdx/tools-python reads YAML and XML), then one normaliser builds the [`Sbom`] and one
//! validator checks the spec's required structure, modelled on tools-python's validation (the
//! tool the corpus's expected outcomes come from). spdx-rs is not used: it is unmaintained and
//! reads neither SPDX 2.3 nor YAML nor XML.
//!
//! Limits ([`MAX_SPDX_PACKAGES`], [`MAX_SPDX_RELATIONSHIPS`], [`MAX_TAG_VALUE_LINE`]) are
//! documented here and reported as [`SbomError::Limit`].

mod license;
mod rdf;
mod tag_value;
mod validate;
mod xml;

use crate::limits::LimitExceeded;
use crate::sbom::NotAnSbom;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};

use super::{
    normalize_algorithm, Deviation, ParsedSbom, Sbom, SbomComponent, SbomEncoding, SbomError,
    SbomHash, SbomStandard,
};

pub(crate) use validate::is_spdx_datetime;

pub use crate::limits::{MAX_SPDX_PACKAGES, MAX_SPDX_RELATIONSHIPS, MAX_TAG_VALUE_LINE};

/// The SPDX 2 versions provenant reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    V2_2,
    V2_3,
}

/// Parse SPDX 2.x JSON (UTF-8, or UTF-16 with a byte order mark).
pub fn parse_json(bytes: &[u8]) -> Result<ParsedSbom, SbomError> {
    let mut deviations = Vec::new();
    let value = super::json_value(bytes, &mut deviations)?;
    read(value, SbomEncoding::Json, deviations, &Locator::default())
}

/// Parse SPDX 2.x YAML.
pub fn parse_yaml(bytes: &[u8]) -> Result<ParsedSbom, SbomError> {
    let mut deviations = Vec::new();
    let text = decode_text(bytes, "YAML", &mut deviations)?;
    let value = crate::yaml::parse_strict(&text).map_err(|e| match e {
        crate::yaml::YamlError::TooLarge | crate::yaml::YamlError::TooDeep { .. } => {
            SbomError::Limit(LimitExceeded::Yaml(e))
        }
        e => SbomError::Syntax {
            encoding: "YAML",
            detail: e.to_string(),
        },
    })?;
    read(value, SbomEncoding::Yaml, deviations, &Locator::default())
}

/// Parse SPDX 2.x tag-value.
pub fn parse_tag_value(bytes: &[u8]) -> Result<ParsedSbom, SbomError> {
    let mut deviations = Vec::new();
    let text = decode_text(bytes, "tag-value", &mut deviations)?;
    let doc = tag_value::to_json_shape(&text, &mut deviations)?;
    let locator = Locator {
        lines: Some(doc.lines),
    };
    let mut parsed = read(doc.value, SbomEncoding::TagValue, deviations, &locator)?;
    parsed.violations.splice(0..0, doc.problems);
    Ok(parsed)
}

/// Parse SPDX 2.x XML: tools-python's XML form (`<Document>` with the JSON field names), or
/// RDF/XML (`<rdf:RDF>`). A DOCTYPE is refused outright (no entity can be expanded).
pub fn parse_xml(bytes: &[u8]) -> Result<ParsedSbom, SbomError> {
    let mut deviations = Vec::new();
    let text = decode_text(bytes, "XML", &mut deviations)?;
    let tree = xml::parse_tree(&text)?;
    if tree.name == "RDF" {
        let value = rdf::to_json_shape(&tree, &mut deviations)?;
        read(value, SbomEncoding::Rdf, deviations, &Locator::default())
    } else {
        let value = xml::to_json_shape(&tree)?;
        read(value, SbomEncoding::Xml, deviations, &Locator::default())
    }
}

/// Decode bytes as text: UTF-8 (a byte order mark is skipped) or UTF-16 with a byte order mark
/// (tools-python's own test data has such a JSON file), each recorded as a deviation.
pub(crate) fn decode_text<'a>(
    bytes: &'a [u8],
    encoding: &'static str,
    deviations: &mut Vec<Deviation>,
) -> Result<Cow<'a, str>, SbomError> {
    let utf16 = |big_endian: bool, body: &[u8]| -> Result<String, SbomError> {
        if !body.len().is_multiple_of(2) {
            return Err(SbomError::Syntax {
                encoding,
                detail: "UTF-16 text with an odd number of bytes".into(),
            });
        }
        let units = body.chunks_exact(2).map(|p| {
            let pair = [p[0], p[1]];
            if big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|e| SbomError::Syntax {
                encoding,
                detail: format!("invalid UTF-16: {e}"),
            })
    };
    if let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        deviations.push(Deviation {
            at: "byte 0".into(),
            what: "a UTF-8 byte order mark; skipped".into(),
        });
        return std::str::from_utf8(body)
            .map(Cow::Borrowed)
            .map_err(|e| not_utf8(encoding, &e));
    }
    if let Some(body) = bytes.strip_prefix(b"\xFF\xFE") {
        deviations.push(Deviation {
            at: "byte 0".into(),
            what: "UTF-16 little-endian text (with a byte order mark); transcoded to UTF-8".into(),
        });
        return utf16(false, body).map(Cow::Owned);
    }
    if let Some(body) = bytes.strip_prefix(b"\xFE\xFF") {
        deviations.push(Deviation {
            at: "byte 0".into(),
            what: "UTF-16 big-endian text (with a byte order mark); transcoded to UTF-8".into(),
        });
        return utf16(true, body).map(Cow::Owned);
    }
    std::str::from_utf8(bytes)
        .map(Cow::Borrowed)
        .map_err(|e| not_utf8(encoding, &e))
}

fn not_utf8(encoding: &'static str, e: &std::str::Utf8Error) -> SbomError {
    SbomError::Syntax {
        encoding,
        detail: format!("not UTF-8 (byte {})", e.valid_up_to()),
    }
}

/// Maps JSON pointers of the JSON shape back to where they came from (tag-value lines).
#[derive(Debug, Default)]
pub(crate) struct Locator {
    lines: Option<BTreeMap<String, usize>>,
}

impl Locator {
    /// `line N (pointer)` where the pointer (or its nearest ancestor) came from a known line,
    /// otherwise the JSON pointer itself.
    pub(crate) fn at(&self, pointer: &str) -> String {
        let shown = if pointer.is_empty() { "/" } else { pointer };
        let Some(lines) = &self.lines else {
            return shown.to_owned();
        };
        let mut p = pointer;
        loop {
            if let Some(line) = lines.get(p) {
                return format!("line {line} ({shown})");
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return shown.to_owned(),
            }
        }
    }
}

/// Read the JSON shape of an SPDX 2 document: version, limits, validation, normalisation.
fn read(
    value: Value,
    encoding: SbomEncoding,
    mut deviations: Vec<Deviation>,
    locator: &Locator,
) -> Result<ParsedSbom, SbomError> {
    let Value::Object(doc) = value else {
        return Err(SbomError::NotAnSbom(NotAnSbom::Spdx2NotAMapping));
    };
    let spec_version = match doc.get("spdxVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(SbomError::Field {
                at: locator.at("/spdxVersion"),
                what: "spdxVersion must be a string such as \"SPDX-2.3\"".into(),
            })
        }
        None => {
            return Err(SbomError::Field {
                at: locator.at("/spdxVersion"),
                what: "spdxVersion is missing; an SPDX 2 document must state it".into(),
            })
        }
    };
    let version = match spec_version.as_str() {
        "SPDX-2.2" => Version::V2_2,
        "SPDX-2.3" => Version::V2_3,
        _ => {
            return Err(SbomError::UnsupportedVersion {
                standard: "SPDX",
                version: spec_version,
                supported: "SPDX-2.2 and SPDX-2.3 (and SPDX 3.0 as JSON-LD)",
            })
        }
    };
    check_limits(&doc)?;
    let report = validate::validate(&doc, version, locator);
    deviations.extend(report.deviations);
    let sbom = normalize(&doc, encoding, spec_version, deviations);
    Ok(ParsedSbom {
        sbom,
        violations: report.violations,
        validated: true,
        not_validated: None,
    })
}

fn check_limits(doc: &Map<String, Value>) -> Result<(), SbomError> {
    let len = |k: &str| doc.get(k).and_then(Value::as_array).map_or(0, Vec::len);
    if len("packages") > MAX_SPDX_PACKAGES {
        return Err(SbomError::Limit(LimitExceeded::Count {
            format: None,
            items: "packages in one SPDX document",
            limit: MAX_SPDX_PACKAGES,
        }));
    }
    if len("relationships") > MAX_SPDX_RELATIONSHIPS {
        return Err(SbomError::Limit(LimitExceeded::Count {
            format: None,
            items: "relationships in one SPDX document",
            limit: MAX_SPDX_RELATIONSHIPS,
        }));
    }
    Ok(())
}

/// A scalar as text: strings as they are, numbers and booleans as their literal (YAML and XML
/// readers produce them for fields such as `versionInfo: 1.0`).
pub(crate) fn text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Owned(b.to_string())),
        _ => None,
    }
}

fn field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<Cow<'a, str>> {
    obj.get(key).and_then(text)
}

fn array<'a>(obj: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    obj.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A relationship type in its enumeration spelling (`depends-on` and `dependsOn` aside, tools
/// reading SPDX 2 accept any case and `-` for `_`).
/// Call `f(element, canonical relationship type, related element)` for each relationship of the
/// document that names all three (ids trimmed); the others are skipped.
pub(crate) fn for_each_relationship(doc: &Map<String, Value>, mut f: impl FnMut(&str, &str, &str)) {
    for r in array(doc, "relationships")
        .iter()
        .filter_map(Value::as_object)
    {
        if let (Some(a), Some(t), Some(b)) = (
            field(r, "spdxElementId"),
            field(r, "relationshipType"),
            field(r, "relatedSpdxElement"),
        ) {
            f(a.trim(), &canonical_enum(&t), b.trim());
        }
    }
}

pub(crate) fn canonical_enum(s: &str) -> String {
    s.trim().replace('-', "_").to_ascii_uppercase()
}

/// `NOASSERTION` and `NONE` (which say nothing about the package).
pub(crate) fn is_no_value(s: &str) -> bool {
    matches!(s.trim(), "NOASSERTION" | "NONE" | "")
}

/// A component kind in CycloneDX's spelling: lowercase words joined by `-` (`OPERATING-SYSTEM`,
/// `operatingSystem` and `OPERATING_SYSTEM` all read `operating-system`).
pub(crate) fn kebab_kind(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut prev_lower = false;
    for c in s.trim().chars() {
        if c == '_' || c == '-' || c == ' ' {
            if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            out.push('-');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_lowercase());
    }
    out
}

/// The 40-hex commit after an `@` or `#` in `s` (`git+https://host/repo@<sha>`,
/// `...#<sha>`), lowercased.
pub(crate) fn commit_in(s: &str) -> Option<String> {
    let b = s.as_bytes();
    b.iter().enumerate().find_map(|(i, &c)| {
        if c != b'@' && c != b'#' {
            return None;
        }
        let rest = b.get(i + 1..)?;
        let n = rest.iter().take_while(|x| x.is_ascii_hexdigit()).count();
        (n == 40).then(|| {
            rest.iter()
                .take(40)
                .map(|x| char::from(x.to_ascii_lowercase()))
                .collect()
        })
    })
}

/// Build the normalised [`Sbom`] from the JSON shape (validation is separate; this reads
/// whatever is there and skips what is malformed).
fn normalize(
    doc: &Map<String, Value>,
    encoding: SbomEncoding,
    spec_version: String,
    deviations: Vec<Deviation>,
) -> Sbom {
    let doc_id =
        field(doc, "SPDXID").map_or_else(|| "SPDXRef-DOCUMENT".to_owned(), Cow::into_owned);
    let creation = doc.get("creationInfo").and_then(Value::as_object);
    let mut authors = Vec::new();
    let mut tools = Vec::new();
    for c in creation.map_or(&[][..], |c| array(c, "creators")) {
        let Some(c) = text(c) else { continue };
        if let Some(t) = c.trim().strip_prefix("Tool:") {
            tools.push(t.trim().to_owned());
        } else if let Some(a) = c
            .trim()
            .strip_prefix("Person:")
            .or_else(|| c.trim().strip_prefix("Organization:"))
        {
            let a = a.trim();
            let a = a.strip_suffix("()").map_or(a, str::trim_end);
            authors.push(a.to_owned());
        }
    }

    let packages: Vec<&Map<String, Value>> = array(doc, "packages")
        .iter()
        .filter_map(Value::as_object)
        .collect();
    let id_of = |p: &Map<String, Value>| field(p, "SPDXID").map(|id| id.trim().to_owned());
    let package_ids: HashSet<String> = packages.iter().filter_map(|p| id_of(p)).collect();

    // What the document describes, in the order it says so.
    let mut described: Vec<String> = Vec::new();
    let mut described_set: HashSet<String> = HashSet::new();
    let mut describe = |id: &str| {
        if described_set.insert(id.to_owned()) {
            described.push(id.to_owned());
        }
    };
    for d in array(doc, "documentDescribes") {
        if let Some(d) = text(d) {
            describe(d.trim());
        }
    }
    let mut dependencies: Vec<(String, String)> = Vec::new();
    let mut seen_edges: HashSet<(String, String)> = HashSet::new();
    let mut has_dependency_section = false;
    for_each_relationship(doc, |a, t, b| {
        let edge = match t {
            "DESCRIBES" if a == doc_id => {
                describe(b);
                None
            }
            "DESCRIBED_BY" if b == doc_id => {
                describe(a);
                None
            }
            "DEPENDS_ON" | "CONTAINS" => Some((a, b)),
            "DEPENDENCY_OF" => Some((b, a)),
            _ => None,
        };
        if let Some((from, to)) = edge {
            has_dependency_section = true;
            if package_ids.contains(from) && package_ids.contains(to) {
                let e = (from.to_owned(), to.to_owned());
                if seen_edges.insert(e.clone()) {
                    dependencies.push(e);
                }
            }
        }
    });

    // A document of exactly one package (and nothing else) describes it, DESCRIBES or not
    // (tools-python asks for the relationship only when there is more).
    let mut deviations = deviations;
    if described.is_empty()
        && packages.len() == 1
        && array(doc, "files").is_empty()
        && array(doc, "snippets").is_empty()
    {
        if let Some(id) = packages.first().and_then(|p| id_of(p)) {
            deviations.push(Deviation {
                at: "/relationships".into(),
                what: format!("no DESCRIBES relationship; the document's only package, {id}, is taken as its subject"),
            });
            described.push(id);
        }
    }
    let by_id: HashMap<String, &Map<String, Value>> = packages
        .iter()
        .filter_map(|p| id_of(p).map(|id| (id, *p)))
        .collect();
    let subjects_src: Vec<&Map<String, Value>> = described
        .iter()
        .filter_map(|id| by_id.get(id).copied())
        .collect();
    let subject_ids: HashSet<&str> = described
        .iter()
        .filter(|id| by_id.contains_key(*id))
        .map(String::as_str)
        .collect();
    let mut source_commits: Vec<String> = Vec::new();
    for p in &subjects_src {
        for k in ["sourceInfo", "downloadLocation"] {
            if let Some(c) = field(p, k).and_then(|s| commit_in(&s)) {
                if !source_commits.contains(&c) {
                    source_commits.push(c);
                }
            }
        }
    }
    let source_commit = source_commits.first().cloned();
    let subjects = subjects_src.iter().map(|p| component(p)).collect();
    let components = packages
        .iter()
        .filter(|p| id_of(p).is_none_or(|id| !subject_ids.contains(id.as_str())))
        .map(|p| component(p))
        .collect();

    Sbom {
        standard: SbomStandard::Spdx2,
        encoding,
        spec_version,
        serial: field(doc, "documentNamespace").map(Cow::into_owned),
        name: field(doc, "name").map(Cow::into_owned),
        created: creation
            .and_then(|c| field(c, "created"))
            .map(Cow::into_owned),
        authors,
        tools,
        subjects,
        components,
        dependencies,
        has_dependency_section,
        source_commit,
        source_commits,
        deviations,
    }
}

fn component(p: &Map<String, Value>) -> SbomComponent {
    let owned = |k: &str| field(p, k).map(Cow::into_owned);
    let mut purl = None;
    let mut cpe23 = None;
    let mut cpe22 = None;
    for r in array(p, "externalRefs").iter().filter_map(Value::as_object) {
        let (Some(cat), Some(ty), Some(loc)) = (
            field(r, "referenceCategory"),
            field(r, "referenceType"),
            field(r, "referenceLocator"),
        ) else {
            continue;
        };
        let loc = loc.trim().to_owned();
        match (canonical_enum(&cat).as_str(), ty.trim()) {
            ("PACKAGE_MANAGER", "purl") => {
                purl.get_or_insert(loc);
            }
            ("SECURITY", "cpe23Type") => {
                cpe23.get_or_insert(loc);
            }
            ("SECURITY", "cpe22Type") => {
                cpe22.get_or_insert(loc);
            }
            _ => {}
        }
    }
    let hashes = array(p, "checksums")
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|c| {
            let alg = field(c, "algorithm")?;
            let value = field(c, "checksumValue")?;
            Some(SbomHash {
                algorithm: normalize_algorithm(alg.trim()),
                value: value.trim().to_ascii_lowercase(),
            })
        })
        .collect();
    let mut licenses: Vec<String> = Vec::new();
    for k in ["licenseConcluded", "licenseDeclared"] {
        if let Some(l) = field(p, k) {
            let l = l.trim();
            if !is_no_value(l) && !licenses.iter().any(|x| x == l) {
                licenses.push(l.to_owned());
            }
        }
    }
    SbomComponent {
        id: field(p, "SPDXID").map(|id| id.trim().to_owned()),
        kind: field(p, "primaryPackagePurpose").map(|k| kebab_kind(&k)),
        name: owned("name"),
        version: owned("versionInfo"),
        supplier: owned("supplier").filter(|s| !is_no_value(s)),
        purl,
        cpe: cpe23.or(cpe22),
        hashes,
        licenses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_after_at_or_hash() {
        let sha = "0123456789abcdef0123456789ABCDEF01234567";
        assert_eq!(
            commit_in(&format!("git+https://github.com/o/r@{sha}")),
            Some(sha.to_ascii_lowercase())
        );
        assert_eq!(
            commit_in(&format!("https://x/r.git#{sha}")),
            Some(sha.to_ascii_lowercase())
        );
        assert_eq!(commit_in(&format!("https://x/{sha}")), None);
        assert_eq!(commit_in(&format!("git+https://x@{sha}0")), None);
        assert_eq!(commit_in("@"), None);
    }

    #[test]
    fn kinds_read_in_cyclonedx_spelling() {
        assert_eq!(kebab_kind("OPERATING-SYSTEM"), "operating-system");
        assert_eq!(kebab_kind("operatingSystem"), "operating-system");
        assert_eq!(kebab_kind("LIBRARY"), "library");
        assert_eq!(kebab_kind("OPERATING_SYSTEM"), "operating-system");
    }

    #[test]
    fn locator_prefers_lines() {
        let mut lines = BTreeMap::new();
        lines.insert("/packages/0".to_owned(), 7);
        let l = Locator { lines: Some(lines) };
        assert_eq!(l.at("/packages/0/name"), "line 7 (/packages/0/name)");
        assert_eq!(l.at("/name"), "/name");
        assert_eq!(Locator::default().at(""), "/");
    }

    #[test]
    fn counts_over_the_limits_are_refused() {
        let mut doc = Map::new();
        doc.insert(
            "packages".into(),
            Value::Array(vec![Value::Null; MAX_SPDX_PACKAGES + 1]),
        );
        assert!(matches!(check_limits(&doc), Err(SbomError::Limit(_))));
        let mut doc = Map::new();
        doc.insert(
            "relationships".into(),
            Value::Array(vec![Value::Null; MAX_SPDX_RELATIONSHIPS + 1]),
        );
        assert!(matches!(check_limits(&doc), Err(SbomError::Limit(_))));
        doc.insert("relationships".into(), Value::Array(vec![]));
        assert!(check_limits(&doc).is_ok());
    }

    #[test]
    fn utf16_is_transcoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "{}".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let mut d = Vec::new();
        assert_eq!(decode_text(&bytes, "JSON", &mut d).unwrap(), "{}");
        assert_eq!(d.len(), 1);
        assert!(decode_text(&[0xFF, 0xFE, 0x00], "JSON", &mut d).is_err());
        assert!(decode_text(&[0xC3], "JSON", &mut d).is_err());
    }
}
