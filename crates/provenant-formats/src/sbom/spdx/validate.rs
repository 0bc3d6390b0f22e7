//! Structural validation of an SPDX 2.2 / 2.3 document in its JSON shape, rule for rule after
//! spdx/tools-python (`src/spdx_tools/spdx/validation/` and the checks its parsers make while
//! building the model). Three of its rules are relaxed to deviations, because documents the
//! SPDX project itself publishes as examples break them and nothing provenant checks depends on
//! them: a package with `filesAnalyzed: false` that contains files, such a package with
//! `licenseInfoFromFiles`, and a document with several elements but no DESCRIBES relationship.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::{array, canonical_enum, field, for_each_relationship, license, text, Locator, Version};
use crate::sbom::{Deviation, Violation};

/// What validation found.
pub(super) struct Report {
    pub violations: Vec<Violation>,
    pub deviations: Vec<Deviation>,
}

/// Validate the JSON shape of an SPDX 2 document against `version`.
pub(super) fn validate(doc: &Map<String, Value>, version: Version, loc: &Locator) -> Report {
    let mut v = Validator::new(doc, version, loc);
    v.document();
    let deviations = v
        .deviations
        .into_iter()
        .map(|(_, mut d, n)| {
            if n > 1 {
                d.what = format!("{} (and {} more like it)", d.what, n - 1);
            }
            d
        })
        .collect();
    Report {
        violations: v.violations,
        deviations,
    }
}

// tools-python's regular expressions (uri_validators.py, external_package_ref_validator.py,
// spdx_id_validators.py), with Python's `re.match` (anchored at the start only) kept as such.
const URL: &str = r"(?i)^(http://www\.|https://www\.|http://|https://|ssh://|git://|svn://|sftp://|ftp://)?([\w\-.!~*'()%;:&=+$,]+@)?[a-z0-9]+([\-.][a-z0-9]+){0,100}\.[a-z]{2,5}(:[0-9]{1,5})?(/.*)?";
const DOWNLOAD: &str = r"(?i)^((((git|hg|svn|bzr)\+)?(http://www\.|https://www\.|http://|https://|ssh://|git://|svn://|sftp://|ftp://)?([\w\-.!~*'()%;:&=+$,]+@)?[a-z0-9]+([\-.][a-z0-9]+){0,100}\.[a-z]{2,5}(:[0-9]{1,5})?(/.*)?)|(git\+git@[a-zA-Z0-9.\-]+:[a-zA-Z0-9/\\.@\-]+)|(bzr\+lp:[a-zA-Z0-9.\-]+))$";
const CPE22: &str = r"^c[pP][eE]:/[AHOaho]?(:[A-Za-z0-9._\-~%]*){0,6}$";
const CPE23: &str = concat!(
    r##"^cpe:2\.3:[aho*\-](:(((\?*|\*?)([a-zA-Z0-9\-._]|(\\[\\*?!"#$%&'()+,/:;<=>@\[\]^`{|}~]))+(\?*|\*?))|[*\-])){5}"##,
    r##"(:(([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?)|[*\-]))"##,
    r##"(:(((\?*|\*?)([a-zA-Z0-9\-._]|(\\[\\*?!"#$%&'()+,/:;<=>@\[\]^`{|}~]))+(\?*|\*?))|[*\-])){4}$"##,
);

fn re(pattern: &str) -> Regex {
    // The patterns are constants that the unit tests compile.
    Regex::new(pattern).expect("a constant pattern compiles")
}

static URL_RE: LazyLock<Regex> = LazyLock::new(|| re(URL));
static DOWNLOAD_RE: LazyLock<Regex> = LazyLock::new(|| re(DOWNLOAD));
static LOCATOR_RES: LazyLock<HashMap<&'static str, Regex>> = LazyLock::new(|| {
    HashMap::from([
        ("cpe22Type", re(CPE22)),
        ("cpe23Type", re(CPE23)),
        ("maven-central", re(r"^[^:]+:[^:]+(:[^:]+)?$")),
        ("npm", re(r"^[^@]+@[^@]+$")),
        ("nuget", re(r"^[^/]+/[^/]+$")),
        ("bower", re(r"^[^#]+#[^#]+$")),
        ("purl", re(r"^pkg:.+(/.+)?/.+(@.+)?(\?.+)?(#.+)?$")),
        ("swh", re(r"^swh:1:(snp|rel|rev|dir|cnt):[0-9a-fA-F]{40}$")),
        (
            "gitoid",
            re(r"^gitoid:(blob|tree|commit|tag):(sha1:[0-9a-fA-F]{40}|sha256:[0-9a-fA-F]{64})$"),
        ),
    ])
});

fn is_internal_id(s: &str) -> bool {
    s.strip_prefix("SPDXRef-").is_some_and(|r| {
        !r.is_empty()
            && r.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    })
}

/// An SPDX id with characters the spec's idstring lacks but that cannot be confused with
/// anything (`SPDXRef-Package-x-v2.7.1+incompatible`, as Go SBOM tools write): visible ASCII
/// other than `:` and `#`.
fn is_lenient_internal_id(s: &str) -> bool {
    s.strip_prefix("SPDXRef-").is_some_and(|r| {
        !r.is_empty()
            && r.chars()
                .all(|c| c.is_ascii_graphic() && c != ':' && c != '#')
    })
}

fn is_doc_ref_id(s: &str) -> bool {
    s.strip_prefix("DocumentRef-").is_some_and(|r| {
        !r.is_empty()
            && r.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '+')
    })
}

fn is_license_ref_id(s: &str) -> bool {
    s.strip_prefix("LicenseRef-").is_some_and(|r| {
        !r.is_empty()
            && r.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    })
}

/// `YYYY-MM-DDThh:mm:ssZ`, a real date (what tools-python's `datetime_from_str` accepts).
pub(crate) fn is_spdx_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let d = b.get(r)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(d.iter().fold(0, |n, x| n * 10 + u32::from(x - b'0')))
    };
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d) && h < 24 && mi < 60 && sec <= 61
}

/// An absolute URI without a fragment (tools-python's `validate_uri`: `uritools.isabsuri`),
/// and, stricter, without whitespace (RFC 3986 has none).
fn uri_problem(s: &str) -> Option<String> {
    let scheme_ok = s.split_once(':').is_some_and(|(scheme, _)| {
        let mut c = scheme.chars();
        c.next().is_some_and(|f| f.is_ascii_alphabetic())
            && c.all(|x| x.is_ascii_alphanumeric() || matches!(x, '+' | '-' | '.'))
    });
    if !scheme_ok {
        Some(format!(
            "must be an absolute URI with a scheme, but is: {s}"
        ))
    } else if s.contains('#') {
        Some(format!("must contain no fragment (#), but is: {s}"))
    } else if s.chars().any(char::is_whitespace) {
        Some(format!("must contain no whitespace, but is: {s:?}"))
    } else {
        None
    }
}

/// tools-python's actor grammar: `Tool: name`, `Person: name [(email)]`,
/// `Organization: name [(email)]`, with a non-empty name.
fn is_actor(s: &str) -> bool {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("Tool:") {
        return !rest.trim().is_empty();
    }
    let Some(rest) = s
        .strip_prefix("Person:")
        .or_else(|| s.strip_prefix("Organization:"))
    else {
        return false;
    };
    match rest
        .strip_suffix(')')
        .and_then(|r| r.rfind('(').map(|i| &r[..i]))
    {
        Some(name) => !name.trim().is_empty(),
        None => !rest.trim().is_empty(),
    }
}

/// Checksum algorithms (tools-python's `ChecksumAlgorithm`), their spec spelling, the number of
/// lowercase hex digits a value has, and whether SPDX 2.2 has them.
const ALGORITHMS: &[(&str, &str, HexLen, bool)] = &[
    ("SHA1", "SHA1", HexLen::Exactly(40), true),
    ("SHA224", "SHA224", HexLen::Exactly(56), true),
    ("SHA256", "SHA256", HexLen::Exactly(64), true),
    ("SHA384", "SHA384", HexLen::Exactly(96), true),
    ("SHA512", "SHA512", HexLen::Exactly(128), true),
    ("SHA3_256", "SHA3-256", HexLen::Exactly(64), false),
    ("SHA3_384", "SHA3-384", HexLen::Exactly(96), false),
    ("SHA3_512", "SHA3-512", HexLen::Exactly(128), false),
    ("BLAKE2B_256", "BLAKE2b-256", HexLen::Exactly(64), false),
    ("BLAKE2B_384", "BLAKE2b-384", HexLen::Exactly(96), false),
    ("BLAKE2B_512", "BLAKE2b-512", HexLen::Exactly(128), false),
    // tools-python asks for at least 256 *digits* and at most 512 digits: bits are meant.
    ("BLAKE3", "BLAKE3", HexLen::AtLeast(64), false),
    ("MD2", "MD2", HexLen::Exactly(32), true),
    ("MD4", "MD4", HexLen::Exactly(32), true),
    ("MD5", "MD5", HexLen::Exactly(32), true),
    ("MD6", "MD6", HexLen::AtMost(128), true),
    ("ADLER32", "ADLER32", HexLen::Exactly(8), false),
];

/// The spec spelling of a checksum algorithm written any way (`sha3_256` -> `SHA3-256`).
pub(super) fn algorithm_spelling(alg: &str) -> Option<&'static str> {
    let n = crate::sbom::normalize_algorithm(alg);
    ALGORITHMS
        .iter()
        .find(|a| crate::sbom::normalize_algorithm(a.1) == n)
        .map(|a| a.1)
}

#[derive(Clone, Copy)]
enum HexLen {
    Exactly(usize),
    AtLeast(usize),
    AtMost(usize),
}

impl HexLen {
    fn admits(self, n: usize) -> bool {
        match self {
            HexLen::Exactly(e) => n == e,
            HexLen::AtLeast(e) => n >= e,
            HexLen::AtMost(e) => n <= e,
        }
    }
    fn describe(self) -> String {
        match self {
            HexLen::Exactly(e) => format!("{e}"),
            HexLen::AtLeast(e) => format!("at least {e}"),
            HexLen::AtMost(e) => format!("at most {e}"),
        }
    }
}

const RELATIONSHIP_TYPES: &[&str] = &[
    "AMENDS",
    "ANCESTOR_OF",
    "BUILD_DEPENDENCY_OF",
    "BUILD_TOOL_OF",
    "CONTAINED_BY",
    "CONTAINS",
    "COPY_OF",
    "DATA_FILE_OF",
    "DEPENDENCY_MANIFEST_OF",
    "DEPENDENCY_OF",
    "DEPENDS_ON",
    "DESCENDANT_OF",
    "DESCRIBED_BY",
    "DESCRIBES",
    "DEV_DEPENDENCY_OF",
    "DEV_TOOL_OF",
    "DISTRIBUTION_ARTIFACT",
    "DOCUMENTATION_OF",
    "DYNAMIC_LINK",
    "EXAMPLE_OF",
    "EXPANDED_FROM_ARCHIVE",
    "FILE_ADDED",
    "FILE_DELETED",
    "FILE_MODIFIED",
    "GENERATED_FROM",
    "GENERATES",
    "HAS_PREREQUISITE",
    "METAFILE_OF",
    "OPTIONAL_COMPONENT_OF",
    "OPTIONAL_DEPENDENCY_OF",
    "OTHER",
    "PACKAGE_OF",
    "PATCH_APPLIED",
    "PATCH_FOR",
    "PREREQUISITE_FOR",
    "PROVIDED_DEPENDENCY_OF",
    "REQUIREMENT_DESCRIPTION_FOR",
    "RUNTIME_DEPENDENCY_OF",
    "SPECIFICATION_FOR",
    "STATIC_LINK",
    "TEST_CASE_OF",
    "TEST_DEPENDENCY_OF",
    "TEST_OF",
    "TEST_TOOL_OF",
    "VARIANT_OF",
];

const PURPOSES: &[&str] = &[
    "APPLICATION",
    "FRAMEWORK",
    "LIBRARY",
    "CONTAINER",
    "OPERATING_SYSTEM",
    "DEVICE",
    "FIRMWARE",
    "SOURCE",
    "ARCHIVE",
    "FILE",
    "INSTALL",
    "OTHER",
];

const FILE_TYPES: &[&str] = &[
    "SOURCE",
    "BINARY",
    "ARCHIVE",
    "APPLICATION",
    "AUDIO",
    "IMAGE",
    "TEXT",
    "VIDEO",
    "DOCUMENTATION",
    "SPDX",
    "OTHER",
];

/// External reference types per category (tools-python's `CATEGORY_TO_EXTERNAL_PACKAGE_REF_TYPES`).
fn ref_types(category: &str) -> Option<&'static [&'static str]> {
    match category {
        "SECURITY" => Some(&["cpe22Type", "cpe23Type", "advisory", "fix", "url", "swid"]),
        "PACKAGE_MANAGER" => Some(&["maven-central", "npm", "nuget", "bower", "purl"]),
        "PERSISTENT_ID" => Some(&["swh", "gitoid"]),
        "OTHER" => Some(&[]),
        _ => None,
    }
}

struct Validator<'a> {
    doc: &'a Map<String, Value>,
    version: Version,
    loc: &'a Locator,
    violations: Vec<Violation>,
    /// Deviations by kind: the first of each kind, and how many there were.
    deviations: Vec<(&'static str, Deviation, usize)>,
    /// How many files each package contains through CONTAINS / CONTAINED_BY relationships.
    contained: HashMap<String, usize>,
    /// Every element id: the document, packages, files, snippets.
    ids: HashSet<String>,
    files: HashSet<String>,
    doc_refs: HashSet<String>,
    license_refs: HashSet<String>,
}

impl<'a> Validator<'a> {
    fn new(doc: &'a Map<String, Value>, version: Version, loc: &'a Locator) -> Self {
        let ids_of = |k: &str| -> Vec<String> {
            array(doc, k)
                .iter()
                .filter_map(Value::as_object)
                .filter_map(|e| field(e, "SPDXID").map(|s| s.trim().to_owned()))
                .collect()
        };
        let files: HashSet<String> = ids_of("files").into_iter().collect();
        let mut ids: HashSet<String> = files.clone();
        ids.extend(ids_of("packages"));
        ids.extend(ids_of("snippets"));
        if let Some(d) = field(doc, "SPDXID") {
            ids.insert(d.trim().to_owned());
        }
        let doc_refs = array(doc, "externalDocumentRefs")
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|r| field(r, "externalDocumentId").map(|s| s.trim().to_owned()))
            .collect();
        let license_refs = array(doc, "hasExtractedLicensingInfos")
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|r| field(r, "licenseId").map(|s| s.trim().to_owned()))
            .collect();
        let mut contained: HashMap<String, usize> = HashMap::new();
        for_each_relationship(doc, |a, t, b| {
            let owner = match t {
                "CONTAINS" if files.contains(b) => a,
                "CONTAINED_BY" if files.contains(a) => b,
                _ => return,
            };
            *contained.entry(owner.to_owned()).or_default() += 1;
        });
        Self {
            doc,
            version,
            loc,
            violations: Vec::new(),
            deviations: Vec::new(),
            contained,
            ids,
            files,
            doc_refs,
            license_refs,
        }
    }

    fn violation(&mut self, ptr: &str, message: impl Into<String>) {
        self.violations.push(Violation {
            at: self.loc.at(ptr),
            message: message.into(),
        });
    }

    /// Record a deviation; repeats of one `kind` are counted, not listed.
    fn deviation(&mut self, kind: &'static str, ptr: &str, what: impl Into<String>) {
        if let Some(entry) = self.deviations.iter_mut().find(|(k, _, _)| *k == kind) {
            entry.2 += 1;
            return;
        }
        let d = Deviation {
            at: self.loc.at(ptr),
            what: what.into(),
        };
        self.deviations.push((kind, d, 1));
    }

    fn v22(&self) -> bool {
        self.version == Version::V2_2
    }

    /// A text field: `None` when absent (or null), a violation when not text.
    fn text_of(&mut self, obj: &Map<String, Value>, key: &str, ptr: &str) -> Option<String> {
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => {
                if let Some(t) = text(v) {
                    Some(t.into_owned())
                } else {
                    self.violation(&format!("{ptr}/{key}"), format!("{key} must be text"));
                    None
                }
            }
        }
    }

    fn required_text(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        ptr: &str,
        what: &str,
    ) -> Option<String> {
        let t = self.text_of(obj, key, ptr);
        if t.is_none() && !matches!(obj.get(key), Some(v) if !v.is_null()) {
            self.violation(
                &format!("{ptr}/{key}"),
                format!("{key} is required ({what})"),
            );
        }
        t
    }

    /// An array field: empty when absent, a violation when not an array.
    fn list(&mut self, obj: &'a Map<String, Value>, key: &str, ptr: &str) -> &'a [Value] {
        match obj.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(a)) => a,
            Some(_) => {
                self.violation(&format!("{ptr}/{key}"), format!("{key} must be a list"));
                &[]
            }
        }
    }

    fn document(&mut self) {
        let doc = self.doc;
        match self.text_of(doc, "dataLicense", "") {
            Some(l) if l == "CC0-1.0" => {}
            Some(l) => self.violation(
                "/dataLicense",
                format!("dataLicense must be \"CC0-1.0\", but is: {l}"),
            ),
            None => self.violation("/dataLicense", "dataLicense is required (\"CC0-1.0\")"),
        }
        match self.text_of(doc, "SPDXID", "") {
            Some(id) if id == "SPDXRef-DOCUMENT" => {}
            Some(id) => self.violation(
                "/SPDXID",
                format!("the document's SPDXID must be SPDXRef-DOCUMENT, but is: {id}"),
            ),
            None => self.violation("/SPDXID", "SPDXID is required (SPDXRef-DOCUMENT)"),
        }
        self.required_text(doc, "name", "", "the document's name");
        if let Some(ns) = self.required_text(
            doc,
            "documentNamespace",
            "",
            "an absolute URI unique to this document",
        ) {
            if let Some(p) = uri_problem(&ns) {
                self.violation("/documentNamespace", format!("documentNamespace {p}"));
            }
        }
        self.creation_info();
        self.external_document_refs();
        self.extracted_licensing_infos();
        self.duplicate_ids();
        for (i, p) in self.list(doc, "packages", "").iter().enumerate() {
            self.package(p, &format!("/packages/{i}"));
        }
        for (i, f) in self.list(doc, "files", "").iter().enumerate() {
            self.file(f, &format!("/files/{i}"));
        }
        for (i, s) in self.list(doc, "snippets", "").iter().enumerate() {
            self.snippet(s, &format!("/snippets/{i}"));
        }
        self.annotations(doc, "");
        for (i, d) in self.list(doc, "documentDescribes", "").iter().enumerate() {
            let ptr = format!("/documentDescribes/{i}");
            match text(d) {
                Some(id) => self.element_ref(&id, &ptr),
                None => self.violation(&ptr, "documentDescribes entries must be SPDX ids"),
            }
        }
        for (i, r) in self.list(doc, "relationships", "").iter().enumerate() {
            self.relationship(r, &format!("/relationships/{i}"));
        }
        self.describes();
    }

    fn creation_info(&mut self) {
        let Some(ci) = self.doc.get("creationInfo") else {
            self.violation("/creationInfo", "creationInfo is required");
            return;
        };
        let Some(ci) = ci.as_object() else {
            self.violation("/creationInfo", "creationInfo must be a mapping");
            return;
        };
        if let Some(c) = self.required_text(
            ci,
            "created",
            "/creationInfo",
            "when the document was made, YYYY-MM-DDThh:mm:ssZ",
        ) {
            if !is_spdx_datetime(&c) {
                self.violation(
                    "/creationInfo/created",
                    format!("created must be a UTC time written YYYY-MM-DDThh:mm:ssZ (no fractional seconds, no offset), but is: {c}"),
                );
            }
        }
        let creators = self.list(ci, "creators", "/creationInfo");
        if creators.is_empty() {
            self.violation(
                "/creationInfo/creators",
                "creationInfo must name at least one creator",
            );
        }
        for (i, c) in creators.iter().enumerate() {
            let ptr = format!("/creationInfo/creators/{i}");
            match text(c) {
                Some(c) if is_actor(&c) => {}
                Some(c) => self.violation(&ptr, format!("a creator must be \"Person: ...\", \"Organization: ...\" or \"Tool: ...\", but is: {c}")),
                None => self.violation(&ptr, "a creator must be text"),
            }
        }
    }

    fn external_document_refs(&mut self) {
        let refs = self.list(self.doc, "externalDocumentRefs", "");
        for (i, r) in refs.iter().enumerate() {
            let ptr = format!("/externalDocumentRefs/{i}");
            let Some(r) = r.as_object() else {
                self.violation(&ptr, "an external document reference must be a mapping");
                continue;
            };
            if let Some(id) = self.required_text(r, "externalDocumentId", &ptr, "DocumentRef-...") {
                if !is_doc_ref_id(&id) {
                    self.violation(&format!("{ptr}/externalDocumentId"), format!("externalDocumentId must be \"DocumentRef-\" followed by letters, digits, \".\", \"-\" or \"+\", but is: {id}"));
                }
            }
            if let Some(u) = self.required_text(
                r,
                "spdxDocument",
                &ptr,
                "the referenced document's namespace",
            ) {
                if let Some(p) = uri_problem(&u) {
                    self.violation(&format!("{ptr}/spdxDocument"), format!("spdxDocument {p}"));
                }
            }
            match r.get("checksum") {
                Some(c) => {
                    self.checksum(c, &format!("{ptr}/checksum"));
                }
                None => self.violation(
                    &format!("{ptr}/checksum"),
                    "an external document reference requires the referenced document's checksum",
                ),
            }
        }
    }

    fn extracted_licensing_infos(&mut self) {
        let infos = self.list(self.doc, "hasExtractedLicensingInfos", "");
        for (i, e) in infos.iter().enumerate() {
            let ptr = format!("/hasExtractedLicensingInfos/{i}");
            let Some(e) = e.as_object() else {
                self.violation(&ptr, "extracted licensing information must be a mapping");
                continue;
            };
            if let Some(id) = self.text_of(e, "licenseId", &ptr) {
                if !is_license_ref_id(&id) {
                    self.violation(&format!("{ptr}/licenseId"), format!("licenseId must be \"LicenseRef-\" followed by letters, digits, \".\" or \"-\", but is: {id}"));
                }
                if self
                    .text_of(e, "extractedText", &ptr)
                    .is_none_or(|t| t.is_empty())
                {
                    self.violation(
                        &format!("{ptr}/extractedText"),
                        "extractedText is required when a licenseId is given",
                    );
                }
            }
            for (j, s) in self.list(e, "seeAlsos", &ptr).iter().enumerate() {
                if let Some(s) = text(s) {
                    if !URL_RE.is_match(&s) {
                        self.violation(
                            &format!("{ptr}/seeAlsos/{j}"),
                            format!("seeAlsos must be URLs, but is: {s}"),
                        );
                    }
                }
            }
        }
    }

    fn duplicate_ids(&mut self) {
        let mut seen = HashSet::new();
        let mut dups: Vec<String> = Vec::new();
        let mut reported = HashSet::new();
        let doc_id = field(self.doc, "SPDXID").map(|s| s.trim().to_owned());
        let all = doc_id
            .into_iter()
            .chain(["packages", "files", "snippets"].iter().flat_map(|k| {
                array(self.doc, k)
                    .iter()
                    .filter_map(Value::as_object)
                    .filter_map(|e| field(e, "SPDXID").map(|s| s.trim().to_owned()))
            }));
        for id in all {
            if !seen.insert(id.clone()) && reported.insert(id.clone()) {
                dups.push(id);
            }
        }
        if !dups.is_empty() {
            dups.sort();
            self.violation(
                "",
                format!(
                    "every SPDXID must be unique within the document, but these repeat: {}",
                    dups.join(", ")
                ),
            );
        }
    }

    /// tools-python's `validate_spdx_id`: the id's form, and (`must_exist`) that it names an
    /// element of this document or of a declared external document.
    fn spdx_id(&mut self, id: &str, ptr: &str, must_exist: bool) {
        let parts: Vec<&str> = id.split(':').collect();
        match parts.as_slice() {
            [internal] => {
                if is_lenient_internal_id(internal) && !is_internal_id(internal) {
                    self.deviation("id-characters", ptr, format!("SPDX id {id} has characters other than letters, digits, \".\" and \"-\"; read as written"));
                } else if !is_internal_id(internal) {
                    self.violation(ptr, format!("an SPDX id must be \"SPDXRef-\" followed by letters, digits, \".\" or \"-\", but is: {id}"));
                }
                if must_exist && !self.ids.contains(*internal) {
                    self.violation(
                        ptr,
                        format!("{id} does not name an element of this document"),
                    );
                }
            }
            [doc_ref, internal] => {
                if !is_doc_ref_id(doc_ref) {
                    self.violation(ptr, format!("the external document part of {id} must be \"DocumentRef-\" followed by letters, digits, \".\", \"-\" or \"+\""));
                }
                if !is_internal_id(internal) {
                    self.violation(ptr, format!("the element part of {id} must be \"SPDXRef-\" followed by letters, digits, \".\" or \"-\""));
                }
                if !self.doc_refs.contains(*doc_ref) {
                    self.violation(
                        ptr,
                        format!("{doc_ref} (in {id}) is not declared in externalDocumentRefs"),
                    );
                }
            }
            _ => self.violation(
                ptr,
                format!("an SPDX id has at most one colon (DocumentRef-x:SPDXRef-y), but is: {id}"),
            ),
        }
    }

    /// A reference to an element: it must resolve.
    fn element_ref(&mut self, id: &str, ptr: &str) {
        self.spdx_id(id.trim(), ptr, true);
    }

    fn own_id(&mut self, obj: &Map<String, Value>, ptr: &str, what: &str) -> Option<String> {
        let id = self.required_text(obj, "SPDXID", ptr, what)?;
        self.spdx_id(id.trim(), &format!("{ptr}/SPDXID"), false);
        Some(id.trim().to_owned())
    }

    fn license_expr(&mut self, obj: &Map<String, Value>, key: &str, ptr: &str) {
        if let Some(e) = self.text_of(obj, key, ptr) {
            self.license_value(&e, &format!("{ptr}/{key}"));
        }
    }

    fn license_value(&mut self, e: &str, ptr: &str) {
        let refs = &self.license_refs;
        let docs = &self.doc_refs;
        let problems = license::check(e, &|id| refs.contains(id), &|d| docs.contains(d));
        for p in problems {
            self.violation(ptr, p.to_string());
        }
    }

    fn license_list(&mut self, obj: &'a Map<String, Value>, key: &str, ptr: &str) -> usize {
        let items = self.list(obj, key, ptr);
        for (i, e) in items.iter().enumerate() {
            match text(e) {
                Some(e) => self.license_value(&e, &format!("{ptr}/{key}/{i}")),
                None => self.violation(&format!("{ptr}/{key}/{i}"), "a license must be text"),
            }
        }
        items.len()
    }

    fn date(&mut self, obj: &Map<String, Value>, key: &str, ptr: &str) {
        if let Some(d) = self.text_of(obj, key, ptr) {
            if !is_spdx_datetime(&d) {
                self.violation(
                    &format!("{ptr}/{key}"),
                    format!("{key} must be written YYYY-MM-DDThh:mm:ssZ, but is: {d}"),
                );
            }
        }
    }

    fn actor(&mut self, obj: &Map<String, Value>, key: &str, ptr: &str) {
        if let Some(a) = self.text_of(obj, key, ptr) {
            if a.trim() != "NOASSERTION" && !is_actor(&a) {
                self.violation(&format!("{ptr}/{key}"), format!("{key} must be NOASSERTION, \"Person: ...\" or \"Organization: ...\", but is: {a}"));
            }
        }
    }

    fn files_analyzed(&mut self, p: &Map<String, Value>, ptr: &str) -> bool {
        match p.get("filesAnalyzed") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s))
                if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
            {
                s.eq_ignore_ascii_case("true")
            }
            Some(other) => {
                self.violation(
                    &format!("{ptr}/filesAnalyzed"),
                    format!("filesAnalyzed must be true or false, but is: {other}"),
                );
                true
            }
        }
    }

    /// How many files the package contains: `hasFiles`, `P CONTAINS file`, `file CONTAINED_BY P`.
    fn contained_files(&self, p: &Map<String, Value>, id: &str) -> usize {
        let listed = array(p, "hasFiles")
            .iter()
            .filter_map(text)
            .filter(|f| self.files.contains(f.trim()))
            .count();
        listed + self.contained.get(id).copied().unwrap_or(0)
    }

    fn package(&mut self, p: &'a Value, ptr: &str) {
        let Some(p) = p.as_object() else {
            self.violation(ptr, "a package must be a mapping");
            return;
        };
        let id = self.own_id(p, ptr, "the package's SPDX id");
        self.required_text(p, "name", ptr, "the package's name");
        match self.text_of(p, "downloadLocation", ptr) {
            Some(d) if matches!(d.trim(), "NOASSERTION" | "NONE") => {}
            Some(d) => {
                if !(URL_RE.is_match(&d) || DOWNLOAD_RE.is_match(&d)) {
                    self.violation(&format!("{ptr}/downloadLocation"), format!("downloadLocation must be NOASSERTION, NONE, a URL or a VCS location, but is: {d}"));
                }
            }
            None => self.violation(
                &format!("{ptr}/downloadLocation"),
                "downloadLocation is required (a URL, a VCS location, NOASSERTION or NONE)",
            ),
        }
        let analyzed = self.files_analyzed(p, ptr);
        if let Some(h) = self.text_of(p, "homepage", ptr) {
            if !matches!(h.trim(), "NOASSERTION" | "NONE") && !URL_RE.is_match(&h) {
                self.violation(
                    &format!("{ptr}/homepage"),
                    format!("homepage must be a URL, NOASSERTION or NONE, but is: {h}"),
                );
            }
        }
        let has_code = match p.get("packageVerificationCode") {
            None | Some(Value::Null) => false,
            Some(code) => {
                let cptr = format!("{ptr}/packageVerificationCode");
                if analyzed {
                    self.verification_code(code, &cptr);
                } else {
                    self.violation(
                        &cptr,
                        "packageVerificationCode must be omitted when filesAnalyzed is false",
                    );
                }
                true
            }
        };
        for (i, c) in self.list(p, "checksums", ptr).iter().enumerate() {
            self.checksum(c, &format!("{ptr}/checksums/{i}"));
        }
        for (i, r) in self.list(p, "externalRefs", ptr).iter().enumerate() {
            self.external_ref(r, &format!("{ptr}/externalRefs/{i}"));
        }
        self.actor(p, "supplier", ptr);
        self.actor(p, "originator", ptr);
        self.license_expr(p, "licenseConcluded", ptr);
        self.license_expr(p, "licenseDeclared", ptr);
        let from_files = self.license_list(p, "licenseInfoFromFiles", ptr);
        if from_files > 0 && !analyzed {
            self.deviation("license-info-unanalyzed", &format!("{ptr}/licenseInfoFromFiles"), "licenseInfoFromFiles on a package whose files were not analyzed (filesAnalyzed: false); tools-python rejects this, the information is not used");
        }
        for (i, f) in self.list(p, "hasFiles", ptr).iter().enumerate() {
            match text(f) {
                Some(f) => self.element_ref(&f, &format!("{ptr}/hasFiles/{i}")),
                None => self.violation(
                    &format!("{ptr}/hasFiles/{i}"),
                    "hasFiles entries must be SPDX ids",
                ),
            }
        }
        if let Some(id) = &id {
            let files = self.contained_files(p, id);
            if !analyzed && files > 0 {
                self.deviation("files-unanalyzed", ptr, format!("package {id} has filesAnalyzed: false but contains {files} file(s); tools-python rejects this, the spec's intent is unclear and nothing provenant checks depends on it"));
            }
            if analyzed && files > 0 && !has_code && self.version == Version::V2_3 {
                self.deviation("no-verification-code", ptr, format!("package {id} contains analyzed files but has no packageVerificationCode (SPDX 2.3 asks for one; tools-python does not enforce it)"));
            }
        }
        self.date(p, "builtDate", ptr);
        self.date(p, "releaseDate", ptr);
        self.date(p, "validUntilDate", ptr);
        if let Some(purpose) = self.text_of(p, "primaryPackagePurpose", ptr) {
            if !PURPOSES.contains(&canonical_enum(&purpose).as_str()) {
                self.violation(
                    &format!("{ptr}/primaryPackagePurpose"),
                    format!(
                        "primaryPackagePurpose must be one of {}, but is: {purpose}",
                        PURPOSES.join(", ").replace('_', "-")
                    ),
                );
            }
        }
        if self.v22() {
            for k in [
                "primaryPackagePurpose",
                "builtDate",
                "releaseDate",
                "validUntilDate",
            ] {
                if p.get(k).is_some_and(|v| !v.is_null()) {
                    self.violation(
                        &format!("{ptr}/{k}"),
                        format!("{k} is not part of SPDX-2.2"),
                    );
                }
            }
            for k in ["licenseConcluded", "licenseDeclared", "copyrightText"] {
                if p.get(k).is_none_or(Value::is_null) {
                    self.violation(
                        &format!("{ptr}/{k}"),
                        format!("{k} is mandatory for packages in SPDX-2.2"),
                    );
                }
            }
        }
        self.annotations(p, ptr);
    }

    fn verification_code(&mut self, code: &'a Value, ptr: &str) {
        let Some(code) = code.as_object() else {
            self.violation(ptr, "packageVerificationCode must be a mapping");
            return;
        };
        if let Some(v) = self.required_text(
            code,
            "packageVerificationCodeValue",
            ptr,
            "40 lowercase hex digits",
        ) {
            if !(v.len() == 40
                && v.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
            {
                self.violation(&format!("{ptr}/packageVerificationCodeValue"), format!("the verification code must be 40 lowercase hex digits, but is: {v} ({} characters)", v.chars().count()));
            }
        }
        for (i, f) in self
            .list(code, "packageVerificationCodeExcludedFiles", ptr)
            .iter()
            .enumerate()
        {
            if text(f).is_some_and(|f| f.starts_with('/')) {
                self.violation(
                    &format!("{ptr}/packageVerificationCodeExcludedFiles/{i}"),
                    "excluded file names must not be absolute paths starting with \"/\"",
                );
            }
        }
    }

    /// Validate one checksum; returns its algorithm in enumeration spelling when known.
    fn checksum(&mut self, c: &Value, ptr: &str) -> Option<&'static str> {
        let Some(c) = c.as_object() else {
            self.violation(
                ptr,
                "a checksum must be a mapping of algorithm and checksumValue",
            );
            return None;
        };
        let alg = self.required_text(c, "algorithm", ptr, "the checksum algorithm");
        let value = self.required_text(c, "checksumValue", ptr, "the checksum in lowercase hex");
        let alg = alg?;
        let canonical = canonical_enum(&alg);
        let Some(&(name, spelling, len, in_22)) = ALGORITHMS.iter().find(|a| a.0 == canonical)
        else {
            let names: Vec<&str> = ALGORITHMS.iter().map(|a| a.1).collect();
            self.violation(
                &format!("{ptr}/algorithm"),
                format!(
                    "checksum algorithm must be one of {}, but is: {alg}",
                    names.join(", ")
                ),
            );
            return None;
        };
        if alg != spelling {
            self.deviation(
                "algorithm-spelling",
                &format!("{ptr}/algorithm"),
                format!("checksum algorithm written {alg:?}; the spec spells it {spelling:?}"),
            );
        }
        if self.v22() && !in_22 {
            self.violation(
                &format!("{ptr}/algorithm"),
                format!("{spelling} is not a checksum algorithm of SPDX-2.2"),
            );
            return Some(name);
        }
        if let Some(v) = value {
            let hex = v.bytes().all(|b| b.is_ascii_hexdigit());
            if !hex || !len.admits(v.len()) {
                self.violation(&format!("{ptr}/checksumValue"), format!("a {spelling} checksum is {} lowercase hex digits, but is: {v} ({} characters)", len.describe(), v.chars().count()));
            } else if v.bytes().any(|b| b.is_ascii_uppercase()) {
                // tools-python rejects this; the case of hex digits changes nothing, and the
                // value is read lowercased.
                self.deviation(
                    "uppercase-hex",
                    &format!("{ptr}/checksumValue"),
                    "a checksum in uppercase hex (the spec writes lowercase); read lowercased",
                );
            }
        }
        Some(name)
    }

    fn external_ref(&mut self, r: &Value, ptr: &str) {
        let Some(r) = r.as_object() else {
            self.violation(ptr, "an external reference must be a mapping");
            return;
        };
        let category = self.required_text(
            r,
            "referenceCategory",
            ptr,
            "SECURITY, PACKAGE-MANAGER, PERSISTENT-ID or OTHER",
        );
        let ty = self.required_text(r, "referenceType", ptr, "the type of the locator");
        let locator = self.required_text(r, "referenceLocator", ptr, "the reference itself");
        let (Some(category), Some(ty), Some(locator)) = (category, ty, locator) else {
            return;
        };
        let canonical = canonical_enum(&category);
        let Some(types) = ref_types(&canonical) else {
            self.violation(&format!("{ptr}/referenceCategory"), format!("referenceCategory must be SECURITY, PACKAGE-MANAGER, PERSISTENT-ID or OTHER, but is: {category}"));
            return;
        };
        let lptr = format!("{ptr}/referenceLocator");
        if canonical == "OTHER" {
            if locator.contains(' ') {
                self.violation(
                    &lptr,
                    format!(
                        "a locator in category OTHER must contain no spaces, but is: {locator}"
                    ),
                );
            }
            return;
        }
        let ty = ty.as_str();
        if self.v22() && matches!(ty, "advisory" | "fix" | "url" | "swid") {
            self.violation(
                &format!("{ptr}/referenceType"),
                format!("external reference type {ty:?} is not part of SPDX-2.2"),
            );
            return;
        }
        if !types.contains(&ty) {
            self.violation(
                &format!("{ptr}/referenceType"),
                format!(
                    "an external reference of category {category} has type {}, but is: {ty}",
                    types.join(", ")
                ),
            );
            return;
        }
        let ok = match ty {
            "advisory" | "fix" | "url" => URL_RE.is_match(&locator),
            "swid" => locator.starts_with("swid") && uri_problem(&locator).is_none(),
            _ => LOCATOR_RES.get(ty).is_none_or(|re| re.is_match(&locator)),
        };
        if !ok {
            self.violation(&lptr, format!("not a valid {ty} locator: {locator}"));
        }
    }

    fn file(&mut self, f: &'a Value, ptr: &str) {
        let Some(f) = f.as_object() else {
            self.violation(ptr, "a file must be a mapping");
            return;
        };
        self.own_id(f, ptr, "the file's SPDX id");
        if let Some(name) = self.required_text(f, "fileName", ptr, "the file's path") {
            if name.starts_with('/') {
                self.violation(
                    &format!("{ptr}/fileName"),
                    format!(
                        "fileName must not be an absolute path starting with \"/\", but is: {name}"
                    ),
                );
            }
        }
        let checksums = self.list(f, "checksums", ptr);
        let mut algs = Vec::new();
        for (i, c) in checksums.iter().enumerate() {
            algs.extend(self.checksum(c, &format!("{ptr}/checksums/{i}")));
        }
        if !algs.contains(&"SHA1") {
            let what = if checksums.is_empty() {
                "none".to_owned()
            } else {
                format!("only {}", algs.join(", "))
            };
            self.violation(
                &format!("{ptr}/checksums"),
                format!("a file's checksums must include a SHA1 checksum, but there are {what}"),
            );
        }
        for (i, t) in self.list(f, "fileTypes", ptr).iter().enumerate() {
            match text(t) {
                Some(t) if FILE_TYPES.contains(&canonical_enum(&t).as_str()) => {}
                _ => self.violation(
                    &format!("{ptr}/fileTypes/{i}"),
                    format!("fileTypes entries must be one of {}", FILE_TYPES.join(", ")),
                ),
            }
        }
        self.license_expr(f, "licenseConcluded", ptr);
        let in_file = self.license_list(f, "licenseInfoInFiles", ptr);
        if self.v22() {
            for k in ["licenseConcluded", "copyrightText"] {
                if f.get(k).is_none_or(Value::is_null) {
                    self.violation(
                        &format!("{ptr}/{k}"),
                        format!("{k} is mandatory for files in SPDX-2.2"),
                    );
                }
            }
            if in_file == 0 {
                self.violation(
                    &format!("{ptr}/licenseInfoInFiles"),
                    "licenseInfoInFiles is mandatory for files in SPDX-2.2",
                );
            }
        }
        self.annotations(f, ptr);
    }

    fn snippet(&mut self, s: &'a Value, ptr: &str) {
        let Some(s) = s.as_object() else {
            self.violation(ptr, "a snippet must be a mapping");
            return;
        };
        self.own_id(s, ptr, "the snippet's SPDX id");
        if let Some(file) = self.required_text(
            s,
            "snippetFromFile",
            ptr,
            "the SPDX id of the file the snippet is from",
        ) {
            let file = file.trim();
            let fptr = format!("{ptr}/snippetFromFile");
            self.spdx_id(file, &fptr, false);
            if !file.contains(':') && !self.files.contains(file) {
                self.violation(
                    &fptr,
                    format!("{file} does not name a file of this document"),
                );
            }
        }
        let mut byte_range = false;
        for (i, r) in self.list(s, "ranges", ptr).iter().enumerate() {
            let rptr = format!("{ptr}/ranges/{i}");
            let pointer = |k: &str| r.get(k).and_then(Value::as_object);
            let num = |p: Option<&Map<String, Value>>, k: &str| -> Option<i64> {
                let v = p?.get(k)?;
                v.as_i64()
                    .or_else(|| text(v).and_then(|t| t.trim().parse().ok()))
            };
            let (start, end) = (pointer("startPointer"), pointer("endPointer"));
            for (k, what) in [("offset", "byte"), ("lineNumber", "line")] {
                let (a, b) = (num(start, k), num(end, k));
                match (a, b) {
                    (Some(a), Some(b)) => {
                        byte_range |= k == "offset";
                        if a < 1 || a > b {
                            self.violation(&rptr, format!("a {what} range starts at 1 or later and does not end before it starts, but is {a}:{b}"));
                        }
                    }
                    (None, None) => {}
                    _ => self.violation(
                        &rptr,
                        format!("a {what} range needs both a start and an end"),
                    ),
                }
            }
        }
        if !byte_range {
            self.violation(&format!("{ptr}/ranges"), "a snippet requires a byte range");
        }
        self.license_expr(s, "licenseConcluded", ptr);
        self.license_list(s, "licenseInfoInSnippets", ptr);
        if self.v22() {
            for k in ["licenseConcluded", "copyrightText"] {
                if s.get(k).is_none_or(Value::is_null) {
                    self.violation(
                        &format!("{ptr}/{k}"),
                        format!("{k} is mandatory for snippets in SPDX-2.2"),
                    );
                }
            }
        }
        self.annotations(s, ptr);
    }

    /// Annotations of an element (or, with an `spdxElementId` field, of the element they name).
    fn annotations(&mut self, owner: &'a Map<String, Value>, ptr: &str) {
        for (i, a) in self.list(owner, "annotations", ptr).iter().enumerate() {
            let aptr = format!("{ptr}/annotations/{i}");
            let Some(a) = a.as_object() else {
                self.violation(&aptr, "an annotation must be a mapping");
                continue;
            };
            match self.required_text(a, "annotator", &aptr, "who made the annotation") {
                Some(who) if !is_actor(&who) => self.violation(&format!("{aptr}/annotator"), format!("annotator must be \"Person: ...\", \"Organization: ...\" or \"Tool: ...\", but is: {who}")),
                _ => {}
            }
            if self
                .required_text(a, "annotationDate", &aptr, "YYYY-MM-DDThh:mm:ssZ")
                .is_some()
            {
                self.date(a, "annotationDate", &aptr);
            }
            match self.required_text(a, "annotationType", &aptr, "REVIEW or OTHER") {
                Some(t) if !matches!(canonical_enum(&t).as_str(), "REVIEW" | "OTHER") => self
                    .violation(
                        &format!("{aptr}/annotationType"),
                        format!("annotationType must be REVIEW or OTHER, but is: {t}"),
                    ),
                _ => {}
            }
            self.required_text(a, "comment", &aptr, "the annotation itself");
            if let Some(target) = self.text_of(a, "spdxElementId", &aptr) {
                self.element_ref(&target, &format!("{aptr}/spdxElementId"));
            }
        }
    }

    fn relationship(&mut self, r: &Value, ptr: &str) {
        let Some(r) = r.as_object() else {
            self.violation(ptr, "a relationship must be a mapping");
            return;
        };
        if let Some(a) = self.required_text(
            r,
            "spdxElementId",
            ptr,
            "the SPDX id the relationship is from",
        ) {
            self.element_ref(&a, &format!("{ptr}/spdxElementId"));
        }
        if let Some(b) = self.required_text(
            r,
            "relatedSpdxElement",
            ptr,
            "an SPDX id, NONE or NOASSERTION",
        ) {
            if !matches!(b.trim(), "NONE" | "NOASSERTION") {
                self.element_ref(&b, &format!("{ptr}/relatedSpdxElement"));
            }
        }
        if let Some(t) = self.required_text(
            r,
            "relationshipType",
            ptr,
            "one of the SPDX relationship types",
        ) {
            let canonical = canonical_enum(&t);
            let tptr = format!("{ptr}/relationshipType");
            if !RELATIONSHIP_TYPES.contains(&canonical.as_str()) {
                self.violation(&tptr, format!("{t:?} is not an SPDX relationship type"));
            } else if self.v22()
                && matches!(
                    canonical.as_str(),
                    "SPECIFICATION_FOR" | "REQUIREMENT_DESCRIPTION_FOR"
                )
            {
                self.violation(
                    &tptr,
                    format!("{canonical} is not a relationship type of SPDX-2.2"),
                );
            } else if canonical != t {
                self.deviation(
                    "relationship-spelling",
                    &tptr,
                    format!("relationship type written {t:?}; the spec spells it {canonical:?}"),
                );
            }
        }
    }

    /// tools-python requires a DESCRIBES relationship unless the document holds exactly one
    /// package and nothing else; relaxed to a deviation (the subject is then unknown, which the
    /// binding check reports on its own).
    fn describes(&mut self) {
        let doc_id = field(self.doc, "SPDXID")
            .map_or_else(|| "SPDXRef-DOCUMENT".to_owned(), |s| s.trim().to_owned());
        let describes = !array(self.doc, "documentDescribes").is_empty()
            || array(self.doc, "relationships")
                .iter()
                .filter_map(Value::as_object)
                .any(|r| {
                    let t = field(r, "relationshipType").map(|t| canonical_enum(&t));
                    let a = field(r, "spdxElementId");
                    let b = field(r, "relatedSpdxElement");
                    match t.as_deref() {
                        Some("DESCRIBES") => a.is_some_and(|a| a.trim() == doc_id),
                        Some("DESCRIBED_BY") => b.is_some_and(|b| b.trim() == doc_id),
                        _ => false,
                    }
                });
        let count = |k: &str| array(self.doc, k).len();
        let single = count("packages") == 1 && count("files") == 0 && count("snippets") == 0;
        if !describes && !single {
            self.deviation("no-describes", "/relationships", format!("no \"{doc_id} DESCRIBES ...\" relationship: the document does not say what it describes"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        for p in [URL, DOWNLOAD, CPE22, CPE23] {
            assert!(Regex::new(p).is_ok(), "{p}");
        }
        assert_eq!(LOCATOR_RES.len(), 9);
    }

    #[test]
    fn locators() {
        let m = |t: &str, s: &str| LOCATOR_RES[t].is_match(s);
        assert!(m("cpe23Type", "cpe:2.3:a:gnu:glibc:2.11.1:*:*:*:*:*:*:*"));
        assert!(!m("cpe23Type", "cpe:2.3:a:gnu"));
        assert!(m("cpe22Type", "cpe:/a:gnu:glibc:2.11.1"));
        assert!(m("purl", "pkg:npm/left-pad@1.3.0"));
        assert!(!m("purl", "npm/left-pad"));
        assert!(URL_RE.is_match("https://github.com/x/y"));
        assert!(DOWNLOAD_RE.is_match("git+https://github.com/x/y.git@v1"));
        assert!(DOWNLOAD_RE.is_match("git+git@github.com:x/y.git"));
        assert!(!URL_RE.is_match("not a url"));
    }

    #[test]
    fn datetimes() {
        assert!(is_spdx_datetime("2010-01-29T18:30:22Z"));
        assert!(is_spdx_datetime("2024-02-29T00:00:00Z"));
        assert!(!is_spdx_datetime("2023-02-29T00:00:00Z"));
        assert!(!is_spdx_datetime("2022-12-27T23:08:17.349368Z"));
        assert!(!is_spdx_datetime("2022-12-27T23:08:17+00:00"));
        assert!(!is_spdx_datetime("2022-13-27T23:08:17Z"));
        assert!(!is_spdx_datetime("ééééééééééééééééééééé"));
    }

    #[test]
    fn uris_and_actors() {
        assert!(uri_problem("https://example.com/doc-1").is_none());
        assert!(uri_problem("urn:uuid:1").is_none());
        assert!(uri_problem("https://example.com/doc#x").is_some());
        assert!(uri_problem("example.com/doc").is_some());
        assert!(uri_problem("https://example.com/a b").is_some());
        assert!(is_actor("Tool: trivy"));
        assert!(is_actor("Person: Jane Doe ()"));
        assert!(is_actor(
            "Organization: ExampleCodeInspect (contact@example.com)"
        ));
        assert!(!is_actor("Person: (jane@example.com)"));
        assert!(!is_actor("Jane"));
        assert!(!is_actor("Tool:"));
    }
}
