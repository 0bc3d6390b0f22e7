//! SPDX 3.0 JSON-LD.
//!
//! A document is `{"@context": "https://spdx.org/rdf/3.0.x/spdx-context.jsonld", "@graph":
//! [...]}`: a flat list of elements (`SpdxDocument`, `software_Sbom`, `software_Package`,
//! `software_File`, `Relationship`, agents, ...) and the `CreationInfo` nodes they share. The
//! context is recognised by its URL and never fetched; properties are read by their compacted
//! names. Unknown properties and classes are allowed (SPDX 3 has profiles provenant does not
//! read); what the normalisation relies on is checked.

use crate::limits::LimitExceeded;
use crate::sbom::NotAnSbom;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::spdx::{commit_in, kebab_kind, MAX_SPDX_PACKAGES, MAX_SPDX_RELATIONSHIPS};
use super::{
    normalize_algorithm, Deviation, ParsedSbom, Sbom, SbomComponent, SbomEncoding, SbomError,
    SbomHash, SbomStandard, Violation,
};

/// SPDX 3.0.1 relationship types.
const RELATIONSHIP_TYPES: &[&str] = &[
    "affects",
    "amendedBy",
    "ancestorOf",
    "availableFrom",
    "configures",
    "contains",
    "coordinatedBy",
    "copiedTo",
    "delegatedTo",
    "dependsOn",
    "descendantOf",
    "describes",
    "doesNotAffect",
    "expandsTo",
    "exploitCreatedBy",
    "fixedBy",
    "fixedIn",
    "foundBy",
    "generates",
    "hasAddedFile",
    "hasAssessmentFor",
    "hasAssociatedVulnerability",
    "hasConcludedLicense",
    "hasDataFile",
    "hasDeclaredLicense",
    "hasDeletedFile",
    "hasDependencyManifest",
    "hasDistributionArtifact",
    "hasDocumentation",
    "hasDynamicLink",
    "hasEvidence",
    "hasExample",
    "hasHost",
    "hasInput",
    "hasMetadata",
    "hasOptionalComponent",
    "hasOptionalDependency",
    "hasOutput",
    "hasPrerequisite",
    "hasProvidedDependency",
    "hasRequirement",
    "hasSpecification",
    "hasStaticLink",
    "hasTest",
    "hasTestCase",
    "hasVariant",
    "invokedBy",
    "modifiedBy",
    "other",
    "packagedBy",
    "patchedBy",
    "publishedBy",
    "reportedBy",
    "republishedBy",
    "serializedInArtifact",
    "testedOn",
    "trainedOn",
    "underInvestigationFor",
    "usesTool",
];

/// SPDX 3.0.1 hash algorithms and, where fixed, their length in hex digits.
const HASH_ALGORITHMS: &[(&str, Option<usize>)] = &[
    ("adler32", Some(8)),
    ("blake2b256", Some(64)),
    ("blake2b384", Some(96)),
    ("blake2b512", Some(128)),
    ("blake3", None),
    ("crystalsDilithium", None),
    ("crystalsKyber", None),
    ("falcon", None),
    ("md2", Some(32)),
    ("md4", Some(32)),
    ("md5", Some(32)),
    ("md6", None),
    ("other", None),
    ("sha1", Some(40)),
    ("sha224", Some(56)),
    ("sha256", Some(64)),
    ("sha384", Some(96)),
    ("sha512", Some(128)),
    ("sha3_224", Some(56)),
    ("sha3_256", Some(64)),
    ("sha3_384", Some(96)),
    ("sha3_512", Some(128)),
];

/// Classes whose instances are packages (components).
const PACKAGE_TYPES: &[&str] = &["software_Package", "ai_AIPackage", "dataset_DatasetPackage"];

/// The SPDX 3 context URL's version (`3.0.1`), if `s` is one.
fn context_version(s: &str) -> Option<&str> {
    let v = s
        .strip_prefix("https://spdx.org/rdf/")?
        .strip_suffix("/spdx-context.jsonld")?;
    let minor = v.strip_prefix("3.0.")?;
    (!minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit())).then_some(v)
}

/// A class name in its compacted form: `https://spdx.org/rdf/3.0.1/terms/Software/Package` ->
/// `software_Package`, `.../Core/Person` -> `Person`.
fn compact_type(t: &str) -> String {
    let Some(rest) = t
        .strip_prefix("https://spdx.org/rdf/")
        .and_then(|r| r.split_once("/terms/"))
        .map(|(_, r)| r)
    else {
        return t.to_owned();
    };
    match rest.split_once('/') {
        Some(("Core", class)) => class.to_owned(),
        Some((profile, class)) => {
            let mut p = profile.to_owned();
            if let Some(f) = p.get_mut(..1) {
                f.make_ascii_lowercase();
            }
            format!("{p}_{class}")
        }
        None => rest.to_owned(),
    }
}

/// Parse SPDX 3 JSON-LD.
pub fn parse_json(bytes: &[u8]) -> Result<ParsedSbom, SbomError> {
    let mut deviations = Vec::new();
    let value = super::json_value(bytes, &mut deviations)?;
    let Value::Object(top) = value else {
        return Err(SbomError::NotAnSbom(NotAnSbom::Spdx3Shape));
    };
    let mut violations = Vec::new();
    let context_version = check_context(&top, &mut violations)?;
    let Some(graph) = top.get("@graph").and_then(Value::as_array) else {
        return Err(SbomError::Field {
            at: "/@graph".into(),
            what: "an SPDX 3 document has its elements in an @graph array".into(),
        });
    };
    let g = Graph::index(graph, &mut violations)?;
    let spec_version = g
        .document_creation_info()
        .or_else(|| g.creation_infos.values().next().copied())
        .and_then(|ci| str_of(ci, "specVersion"))
        .map(str::to_owned)
        .or(context_version)
        .unwrap_or_default();
    if !(spec_version == "3.0" || spec_version.starts_with("3.0.")) {
        return Err(SbomError::UnsupportedVersion {
            standard: "SPDX",
            version: spec_version,
            supported: "SPDX 3.0.x (and SPDX-2.2, SPDX-2.3)",
        });
    }
    g.validate(&mut violations, &mut deviations);
    let sbom = g.normalize(spec_version, deviations);
    Ok(ParsedSbom {
        sbom,
        violations,
        validated: true,
        not_validated: None,
    })
}

/// Check `@context`; returns the SPDX version its URL names.
fn check_context(
    top: &Map<String, Value>,
    violations: &mut Vec<Violation>,
) -> Result<Option<String>, SbomError> {
    let urls: Vec<&str> = match top.get("@context") {
        None => {
            violations.push(Violation {
                at: "/@context".into(),
                message: "@context is missing; an SPDX 3 document names the SPDX context".into(),
            });
            return Ok(None);
        }
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(_) => vec![],
    };
    if let Some(v) = urls.iter().find_map(|u| context_version(u)) {
        return Ok(Some(v.to_owned()));
    }
    if urls.iter().any(|u| u.contains("spdx.org/rdf/3")) {
        let v = urls
            .iter()
            .find_map(|u| u.strip_prefix("https://spdx.org/rdf/")?.split('/').next())
            .unwrap_or("?");
        return Err(SbomError::UnsupportedVersion {
            standard: "SPDX",
            version: v.to_owned(),
            supported: "SPDX 3.0.x (and SPDX-2.2, SPDX-2.3)",
        });
    }
    if urls.is_empty() && top.get("@context").is_some_and(Value::is_object) {
        violations.push(Violation {
            at: "/@context".into(),
            message: "an inline @context; SPDX 3 documents reference \
                      https://spdx.org/rdf/3.0.x/spdx-context.jsonld (which is never fetched)"
                .into(),
        });
        return Ok(None);
    }
    Err(SbomError::NotAnSbom(NotAnSbom::Spdx3Context {
        contexts: urls.iter().map(|u| (*u).to_owned()).collect(),
    }))
}

fn str_of<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

/// A reference property: one id or a list of ids (inline objects are skipped).
fn refs<'a>(m: &'a Map<String, Value>, key: &str) -> Vec<&'a str> {
    match m.get(key) {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

struct Item<'a> {
    at: String,
    ty: String,
    id: Option<&'a str>,
    obj: &'a Map<String, Value>,
}

struct Graph<'a> {
    items: Vec<Item<'a>>,
    by_id: HashMap<&'a str, usize>,
    creation_infos: HashMap<&'a str, &'a Map<String, Value>>,
    /// Ids defined elsewhere: `import` external maps, namespace map prefixes and namespaces.
    imports: HashSet<&'a str>,
    namespaces: Vec<(&'a str, &'a str)>,
    /// Ids of elements written more than once, identically.
    repeated: Vec<&'a str>,
}

impl<'a> Graph<'a> {
    fn index(graph: &'a [Value], violations: &mut Vec<Violation>) -> Result<Self, SbomError> {
        let mut g = Graph {
            items: Vec::with_capacity(graph.len()),
            by_id: HashMap::new(),
            creation_infos: HashMap::new(),
            imports: HashSet::new(),
            namespaces: Vec::new(),
            repeated: Vec::new(),
        };
        let (mut packages, mut relationships) = (0usize, 0usize);
        let mut dups: Vec<&str> = Vec::new();
        let mut duplicates: Vec<&str> = Vec::new();
        let mut reported: HashSet<&str> = HashSet::new();
        for (i, v) in graph.iter().enumerate() {
            let at = format!("/@graph/{i}");
            let Some(obj) = v.as_object() else {
                violations.push(Violation {
                    at,
                    message: "a graph element must be an object".into(),
                });
                continue;
            };
            let ty = match obj.get("type").or_else(|| obj.get("@type")) {
                Some(Value::String(t)) => compact_type(t),
                Some(_) => {
                    violations.push(Violation {
                        at: format!("{at}/type"),
                        message: "type must be one class name".into(),
                    });
                    String::new()
                }
                None => {
                    violations.push(Violation {
                        at: format!("{at}/type"),
                        message: "every graph element must have a type".into(),
                    });
                    String::new()
                }
            };
            let id = str_of(obj, "spdxId").or_else(|| str_of(obj, "@id"));
            if id.is_none() {
                violations.push(Violation {
                    at: format!("{at}/spdxId"),
                    message: "every graph element must have an spdxId (or @id)".into(),
                });
            }
            if PACKAGE_TYPES.contains(&ty.as_str()) {
                packages += 1;
            }
            if ty.ends_with("Relationship") {
                relationships += 1;
            }
            if packages > MAX_SPDX_PACKAGES {
                return Err(SbomError::Limit(LimitExceeded::Count {
                    format: None,
                    items: "packages in one SPDX document",
                    limit: MAX_SPDX_PACKAGES,
                }));
            }
            if relationships > MAX_SPDX_RELATIONSHIPS {
                return Err(SbomError::Limit(LimitExceeded::Count {
                    format: None,
                    items: "relationships in one SPDX document",
                    limit: MAX_SPDX_RELATIONSHIPS,
                }));
            }
            if let Some(id) = id {
                if let Some(prev) = g.by_id.get(id) {
                    // The same element written twice is the same RDF node (read once); two
                    // different elements under one id are a conflict.
                    if g.items.get(*prev).is_some_and(|p| p.obj == obj) {
                        duplicates.push(id);
                        continue;
                    }
                    if reported.insert(id) {
                        dups.push(id);
                    }
                }
                g.by_id.insert(id, g.items.len());
                if ty == "CreationInfo" {
                    g.creation_infos.insert(id, obj);
                }
            }
            if ty == "SpdxDocument" {
                for imp in obj
                    .get("import")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(x) = imp.as_object().and_then(|m| str_of(m, "externalSpdxId")) {
                        g.imports.insert(x);
                    }
                }
                for nm in obj
                    .get("namespaceMap")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(m) = nm.as_object() {
                        if let (Some(p), Some(n)) = (str_of(m, "prefix"), str_of(m, "namespace")) {
                            g.namespaces.push((p, n));
                        }
                    }
                }
            }
            g.items.push(Item { at, ty, id, obj });
        }
        if !dups.is_empty() {
            violations.push(Violation {
                at: "/@graph".into(),
                message: format!(
                    "element ids must be unique, but these repeat: {}",
                    dups.join(", ")
                ),
            });
        }
        g.repeated = duplicates;
        Ok(g)
    }

    fn get(&self, id: &str) -> Option<&Item<'a>> {
        self.by_id.get(id).and_then(|i| self.items.get(*i))
    }

    /// Whether a reference resolves: an element of this graph, an imported element, an id in
    /// a mapped namespace, or one of SPDX's own individuals and listed licenses.
    fn resolves(&self, r: &str) -> bool {
        if self.by_id.contains_key(r) || self.imports.contains(r) {
            return true;
        }
        if r.starts_with("_:") {
            return false;
        }
        if r.starts_with("https://spdx.org/rdf/3.0.") || r.starts_with("https://spdx.org/licenses/")
        {
            return true;
        }
        self.namespaces.iter().any(|(prefix, ns)| {
            (!ns.is_empty() && r.starts_with(ns))
                || r.strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with(':'))
        })
    }

    fn documents(&self) -> impl Iterator<Item = &Item<'a>> {
        self.items.iter().filter(|i| i.ty == "SpdxDocument")
    }

    fn creation_info_of(&self, obj: &'a Map<String, Value>) -> Option<&'a Map<String, Value>> {
        match obj.get("creationInfo") {
            Some(Value::String(r)) => self.creation_infos.get(r.as_str()).copied(),
            Some(Value::Object(m)) => Some(m),
            _ => None,
        }
    }

    fn document_creation_info(&self) -> Option<&'a Map<String, Value>> {
        self.documents().find_map(|d| self.creation_info_of(d.obj))
    }

    fn validate(&self, violations: &mut Vec<Violation>, deviations: &mut Vec<Deviation>) {
        let mut v = |at: String, message: String| violations.push(Violation { at, message });
        for id in &self.repeated {
            deviations.push(Deviation {
                at: "/@graph".into(),
                what: format!("element {id} is written more than once, identically; read once"),
            });
        }
        if self.documents().next().is_none() {
            deviations.push(Deviation {
                at: "/@graph".into(),
                what: "no SpdxDocument element; the document's name and id are unknown".into(),
            });
        }
        for item in &self.items {
            let at = &item.at;
            let check_refs = |key: &str, v: &mut dyn FnMut(String, String)| {
                for r in refs(item.obj, key) {
                    if !self.resolves(r) {
                        v(format!("{at}/{key}"), format!("{r} does not name an element of this document, an imported one or an SPDX individual"));
                    }
                }
            };
            if item.ty == "CreationInfo" {
                self.check_creation_info(item.obj, at, &mut v);
                continue;
            }
            match item.obj.get("creationInfo") {
                Some(Value::String(r)) => {
                    if !self.creation_infos.contains_key(r.as_str()) {
                        v(
                            format!("{at}/creationInfo"),
                            format!("{r} does not name a CreationInfo of this document"),
                        );
                    }
                }
                Some(Value::Object(ci)) => {
                    self.check_creation_info(ci, &format!("{at}/creationInfo"), &mut v)
                }
                Some(_) => v(
                    format!("{at}/creationInfo"),
                    "creationInfo must be a CreationInfo or a reference to one".into(),
                ),
                None => v(
                    format!("{at}/creationInfo"),
                    "every element must have a creationInfo".into(),
                ),
            }
            for key in ["rootElement", "element", "suppliedBy", "originatedBy"] {
                check_refs(key, &mut v);
            }
            if item.ty.ends_with("Relationship") {
                self.check_relationship(item, &mut v);
            }
            for (k, h) in item
                .obj
                .get("verifiedUsing")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                check_hash(h, &format!("{at}/verifiedUsing/{k}"), &mut v);
            }
        }
    }

    fn check_creation_info(
        &self,
        ci: &Map<String, Value>,
        at: &str,
        v: &mut dyn FnMut(String, String),
    ) {
        match str_of(ci, "created") {
            Some(c) if super::spdx::is_spdx_datetime(c) => {}
            Some(c) => v(
                format!("{at}/created"),
                format!("created must be a UTC time written YYYY-MM-DDThh:mm:ssZ, but is: {c}"),
            ),
            None => v(
                format!("{at}/created"),
                "a CreationInfo must say when (created)".into(),
            ),
        }
        let by = refs(ci, "createdBy");
        if by.is_empty() {
            v(
                format!("{at}/createdBy"),
                "a CreationInfo must say who created the document (createdBy)".into(),
            );
        }
        for key in ["createdBy", "createdUsing"] {
            for r in refs(ci, key) {
                if !self.resolves(r) {
                    v(
                        format!("{at}/{key}"),
                        format!("{r} does not name an element of this document"),
                    );
                }
            }
        }
        if str_of(ci, "specVersion").is_none_or(str::is_empty) {
            v(
                format!("{at}/specVersion"),
                "a CreationInfo must state the specVersion".into(),
            );
        }
    }

    fn check_relationship(&self, item: &Item<'a>, v: &mut dyn FnMut(String, String)) {
        let at = &item.at;
        match item.obj.get("from") {
            Some(Value::String(f)) => {
                if !self.resolves(f) {
                    v(format!("{at}/from"), format!("{f} does not name an element of this document, an imported one or an SPDX individual"));
                }
            }
            _ => v(
                format!("{at}/from"),
                "a relationship must have one from element".into(),
            ),
        }
        let to = refs(item.obj, "to");
        if to.is_empty() {
            v(
                format!("{at}/to"),
                "a relationship must have at least one to element".into(),
            );
        }
        for t in to {
            if !self.resolves(t) {
                v(format!("{at}/to"), format!("{t} does not name an element of this document, an imported one or an SPDX individual"));
            }
        }
        match str_of(item.obj, "relationshipType") {
            Some(t) if RELATIONSHIP_TYPES.contains(&t) => {}
            Some(t) => v(
                format!("{at}/relationshipType"),
                format!("{t:?} is not an SPDX 3.0 relationship type"),
            ),
            None => v(
                format!("{at}/relationshipType"),
                "a relationship must have a relationshipType".into(),
            ),
        }
    }

    fn agent_name(&self, r: &str) -> String {
        self.get(r)
            .and_then(|a| str_of(a.obj, "name"))
            .unwrap_or(r)
            .to_owned()
    }

    fn is_package(&self, id: &str) -> bool {
        self.get(id)
            .is_some_and(|i| PACKAGE_TYPES.contains(&i.ty.as_str()))
    }

    fn relationships(&self) -> impl Iterator<Item = (&'a str, &'a str, Vec<&'a str>)> + '_ {
        self.items
            .iter()
            .filter(|i| i.ty.ends_with("Relationship"))
            .filter_map(|i| {
                let from = str_of(i.obj, "from")?;
                let ty = str_of(i.obj, "relationshipType")?;
                Some((from, ty, refs(i.obj, "to")))
            })
    }

    fn normalize(&self, spec_version: String, deviations: Vec<Deviation>) -> Sbom {
        let doc = self.documents().next();
        let ci = self.document_creation_info();
        let mut authors = Vec::new();
        let mut tools = Vec::new();
        if let Some(ci) = ci {
            for r in refs(ci, "createdBy") {
                let is_tool = self.get(r).is_some_and(|a| a.ty == "SoftwareAgent");
                let name = self.agent_name(r);
                if is_tool {
                    tools.push(name)
                } else {
                    authors.push(name)
                }
            }
            tools.extend(
                refs(ci, "createdUsing")
                    .into_iter()
                    .map(|r| self.agent_name(r)),
            );
        }

        // Subjects: the document's root elements that are packages, and the roots of the
        // SBOMs (and other collections) it roots; or, without a document, every SBOM's roots.
        let mut described: OrderedSet<&'a str> = OrderedSet::default();
        let add = |id: &'a str, described: &mut OrderedSet<&'a str>| {
            if self.is_package(id) {
                described.insert(id);
            }
        };
        let roots: Vec<&str> = match doc {
            Some(d) => refs(d.obj, "rootElement"),
            None => self
                .items
                .iter()
                .filter(|i| i.ty == "software_Sbom")
                .filter_map(|i| i.id)
                .collect(),
        };
        let mut collections: Vec<&str> = Vec::new();
        for r in &roots {
            if self.is_package(r) {
                add(r, &mut described);
            } else if self
                .get(r)
                .is_some_and(|i| i.obj.contains_key("rootElement"))
            {
                collections.push(r);
                for inner in self
                    .get(r)
                    .map(|i| refs(i.obj, "rootElement"))
                    .unwrap_or_default()
                {
                    add(inner, &mut described);
                }
            }
        }
        let describers: HashSet<&str> = doc
            .and_then(|d| d.id)
            .into_iter()
            .chain(collections)
            .collect();
        let mut dependencies = Vec::new();
        let mut seen = HashSet::new();
        let mut has_dependency_section = false;
        let mut licenses: HashMap<&str, OrderedSet<String>> = HashMap::new();
        for (from, ty, to) in self.relationships() {
            match ty {
                "describes" if describers.contains(from) => {
                    for t in to {
                        add(t, &mut described);
                    }
                }
                "dependsOn" | "contains" => {
                    has_dependency_section = true;
                    for t in to {
                        if self.is_package(from) && self.is_package(t) && seen.insert((from, t)) {
                            dependencies.push((from.to_owned(), t.to_owned()));
                        }
                    }
                }
                "hasConcludedLicense" | "hasDeclaredLicense" => {
                    let list = licenses.entry(from).or_default();
                    for t in to {
                        if let Some(l) = self.license(t) {
                            list.insert(l);
                        }
                    }
                }
                _ => {}
            }
        }
        let component = |item: &Item<'a>| self.component(item, &licenses);
        let subjects: Vec<SbomComponent> = described
            .list
            .iter()
            .filter_map(|id| self.get(id))
            .map(component)
            .collect();
        let components = self
            .items
            .iter()
            .filter(|i| PACKAGE_TYPES.contains(&i.ty.as_str()))
            .filter(|i| i.id.is_none_or(|id| !described.contains(&id)))
            .map(component)
            .collect();
        let mut source_commits: Vec<String> = Vec::new();
        for p in described.list.iter().filter_map(|id| self.get(id)) {
            for k in ["software_sourceInfo", "software_downloadLocation"] {
                if let Some(c) = str_of(p.obj, k).and_then(commit_in) {
                    if !source_commits.contains(&c) {
                        source_commits.push(c);
                    }
                }
            }
        }
        let source_commit = source_commits.first().cloned();
        Sbom {
            standard: SbomStandard::Spdx3,
            encoding: SbomEncoding::Json,
            spec_version,
            serial: doc.and_then(|d| d.id).map(str::to_owned),
            name: doc.and_then(|d| str_of(d.obj, "name")).map(str::to_owned),
            created: ci.and_then(|c| str_of(c, "created")).map(str::to_owned),
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

    /// A license element (or listed-license IRI) as an expression; `None` for NoAssertion /
    /// None licenses.
    fn license(&self, id: &str) -> Option<String> {
        if let Some(l) = id.strip_prefix("https://spdx.org/licenses/") {
            return Some(l.to_owned());
        }
        if id.ends_with("/NoAssertionLicense") || id.ends_with("/NoneLicense") {
            return None;
        }
        let item = self.get(id)?;
        str_of(item.obj, "simplelicensing_licenseExpression")
            .or_else(|| str_of(item.obj, "name"))
            .map(str::to_owned)
            .or_else(|| Some(id.to_owned()))
            .filter(|l| !super::spdx::is_no_value(l))
    }

    fn component(
        &self,
        item: &Item<'a>,
        licenses: &HashMap<&str, OrderedSet<String>>,
    ) -> SbomComponent {
        let o = item.obj;
        let owned = |k: &str| str_of(o, k).map(str::to_owned);
        let identifier = |types: &[&str]| {
            o.get("externalIdentifier")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .find(|e| str_of(e, "externalIdentifierType").is_some_and(|t| types.contains(&t)))
                .and_then(|e| str_of(e, "identifier"))
                .map(str::to_owned)
        };
        let hashes = o
            .get("verifiedUsing")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .filter(|h| str_of(h, "type").is_some_and(|t| t == "Hash"))
            .filter_map(|h| {
                Some(SbomHash {
                    algorithm: normalize_algorithm(str_of(h, "algorithm")?),
                    value: str_of(h, "hashValue")?.trim().to_ascii_lowercase(),
                })
            })
            .collect();
        let supplier = refs(o, "suppliedBy").first().map(|r| self.agent_name(r));
        SbomComponent {
            id: item.id.map(str::to_owned),
            kind: str_of(o, "software_primaryPurpose").map(kebab_kind),
            name: owned("name"),
            version: owned("software_packageVersion"),
            supplier,
            purl: owned("software_packageUrl").or_else(|| identifier(&["packageUrl"])),
            cpe: identifier(&["cpe23"]).or_else(|| identifier(&["cpe22"])),
            hashes,
            licenses: item
                .id
                .and_then(|id| licenses.get(id))
                .map(|l| l.list.clone())
                .unwrap_or_default(),
        }
    }
}

/// Insertion-ordered set.
struct OrderedSet<T> {
    list: Vec<T>,
    set: HashSet<T>,
}

impl<T> Default for OrderedSet<T> {
    fn default() -> Self {
        Self {
            list: Vec::new(),
            set: HashSet::new(),
        }
    }
}

impl<T: std::hash::Hash + Eq + Clone> OrderedSet<T> {
    fn insert(&mut self, v: T) {
        if self.set.insert(v.clone()) {
            self.list.push(v);
        }
    }

    fn contains(&self, v: &T) -> bool {
        self.set.contains(v)
    }
}

fn check_hash(h: &Value, at: &str, v: &mut dyn FnMut(String, String)) {
    let Some(h) = h.as_object() else {
        v(
            at.to_owned(),
            "verifiedUsing entries must be objects".into(),
        );
        return;
    };
    let ty = str_of(h, "type").unwrap_or_default();
    if ty != "Hash" && ty != "PackageVerificationCode" && ty != "software_PackageVerificationCode" {
        return;
    }
    let Some(alg) = str_of(h, "algorithm") else {
        v(
            format!("{at}/algorithm"),
            "a hash must name its algorithm".into(),
        );
        return;
    };
    let Some(&(_, len)) = HASH_ALGORITHMS.iter().find(|(a, _)| *a == alg) else {
        v(
            format!("{at}/algorithm"),
            format!("{alg:?} is not an SPDX 3.0 hash algorithm"),
        );
        return;
    };
    match str_of(h, "hashValue") {
        None => v(
            format!("{at}/hashValue"),
            "a hash must have a hashValue".into(),
        ),
        Some(value) => {
            if let Some(n) = len {
                if value.len() != n || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                    v(
                        format!("{at}/hashValue"),
                        format!("a {alg} hash is {n} hex digits, but is: {value}"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts() {
        assert_eq!(
            context_version("https://spdx.org/rdf/3.0.1/spdx-context.jsonld"),
            Some("3.0.1")
        );
        assert_eq!(
            context_version("https://spdx.org/rdf/3.1/spdx-context.jsonld"),
            None
        );
        assert_eq!(
            compact_type("https://spdx.org/rdf/3.0.1/terms/Software/Package"),
            "software_Package"
        );
        assert_eq!(
            compact_type("https://spdx.org/rdf/3.0.1/terms/Core/Person"),
            "Person"
        );
        assert_eq!(compact_type("software_File"), "software_File");
    }

    #[test]
    fn other_json_ld_is_not_spdx() {
        let e = parse_json(br#"{"@context":"https://schema.org","@graph":[]}"#).unwrap_err();
        assert!(matches!(e, SbomError::NotAnSbom(_)));
        let e = parse_json(
            br#"{"@context":"https://spdx.org/rdf/3.1.0/spdx-context.jsonld","@graph":[]}"#,
        )
        .unwrap_err();
        assert!(matches!(e, SbomError::UnsupportedVersion { .. }));
    }
}
