//! SPDX 2 RDF/XML: the element tree read as an RDF graph (striped syntax: node elements with
//! `rdf:about` / `rdf:nodeID`, property elements with `rdf:resource`, a nested node, a literal
//! or `rdf:parseType="Resource"`), then walked from the `spdx:SpdxDocument` into the JSON
//! shape. SPDX ids are the fragments of element IRIs in the document's namespace; elements of
//! an external document become `DocumentRef-x:SPDXRef-y`.

use crate::limits::LimitExceeded;
use crate::sbom::NotAnSbom;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::validate::algorithm_spelling;
use super::xml::Element;
use super::{MAX_SPDX_PACKAGES, MAX_SPDX_RELATIONSHIPS};
use crate::sbom::{Deviation, SbomError};

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const SPDX: &str = "http://spdx.org/rdf/terms#";
const DOAP: &str = "http://usefulinc.com/ns/doap#";
const PTR: &str = "http://www.w3.org/2009/pointers#";
const LICENSES: &str = "http://spdx.org/licenses/";
const REFERENCES: &str = "http://spdx.org/rdf/references/";

use crate::limits::MAX_RDF_LICENSE_DEPTH as MAX_LICENSE_DEPTH;

#[derive(Debug, Clone)]
enum Object {
    Node(String),
    Literal(String),
}

#[derive(Debug, Default)]
struct Node {
    types: Vec<String>,
    props: Vec<(String, Object)>,
}

#[derive(Default)]
struct Graph {
    nodes: HashMap<String, Node>,
    order: Vec<String>,
    blank: usize,
}

impl Graph {
    fn node(&mut self, id: &str) -> &mut Node {
        if !self.nodes.contains_key(id) {
            self.order.push(id.to_owned());
        }
        self.nodes.entry(id.to_owned()).or_default()
    }

    fn fresh(&mut self) -> String {
        self.blank += 1;
        format!("_:b{}", self.blank)
    }

    /// Read a node element; returns its id.
    fn node_element(&mut self, el: &Element) -> String {
        let id = if let Some(about) = el.attr(RDF, "about") {
            about.to_owned()
        } else if let Some(n) = el.attr(RDF, "nodeID") {
            format!("_:{n}")
        } else {
            self.fresh()
        };
        let ty = format!("{}{}", el.ns, el.name);
        let is_description = el.ns == RDF && el.name == "Description";
        {
            let node = self.node(&id);
            if !is_description && !node.types.contains(&ty) {
                node.types.push(ty);
            }
        }
        for (ns, name, value) in &el.attrs {
            if ns == RDF || ns.is_empty() || ns == "http://www.w3.org/XML/1998/namespace" {
                continue;
            }
            let pred = format!("{ns}{name}");
            self.node(&id)
                .props
                .push((pred, Object::Literal(value.clone())));
        }
        for p in &el.children {
            let pred = format!("{}{}", p.ns, p.name);
            if p.ns == RDF && p.name == "type" {
                if let Some(t) = p.attr(RDF, "resource") {
                    self.node(&id).types.push(t.to_owned());
                }
                continue;
            }
            let obj = if let Some(r) = p.attr(RDF, "resource") {
                Object::Node(r.to_owned())
            } else if let Some(n) = p.attr(RDF, "nodeID") {
                Object::Node(format!("_:{n}"))
            } else if p.attr(RDF, "parseType") == Some("Resource") {
                let b = self.fresh();
                let inner = Element {
                    ns: RDF.into(),
                    name: "Description".into(),
                    attrs: vec![(
                        RDF.into(),
                        "nodeID".into(),
                        b.trim_start_matches("_:").to_owned(),
                    )],
                    children: p.children.iter().map(clone_element).collect(),
                    text: String::new(),
                };
                Object::Node(self.node_element(&inner))
            } else if let Some(child) = p.children.first() {
                Object::Node(self.node_element(child))
            } else {
                Object::Literal(p.text.trim().to_owned())
            };
            self.node(&id).props.push((pred, obj));
        }
        id
    }

    fn get(&self, id: &str) -> Option<&Node> {
        self.nodes.get(id)
    }

    fn objects<'g>(&'g self, id: &str, pred: &'g str) -> impl Iterator<Item = &'g Object> + 'g {
        self.get(id).into_iter().flat_map(move |n| {
            n.props
                .iter()
                .filter(move |(p, _)| p == pred)
                .map(|(_, o)| o)
        })
    }

    fn literal(&self, id: &str, pred: &str) -> Option<String> {
        self.objects(id, pred).find_map(|o| match o {
            Object::Literal(s) => Some(s.clone()),
            Object::Node(_) => None,
        })
    }

    fn has_type(&self, id: &str, ty: &str) -> bool {
        self.get(id)
            .is_some_and(|n| n.types.iter().any(|t| t == ty))
    }
}

fn clone_element(e: &Element) -> Element {
    Element {
        ns: e.ns.clone(),
        name: e.name.clone(),
        attrs: e.attrs.clone(),
        children: e.children.iter().map(clone_element).collect(),
        text: e.text.clone(),
    }
}

/// `relationshipType_dependsOn` -> `DEPENDS_ON` (the part after `prefix`, camel case to upper
/// snake case).
fn vocab(iri: &str, prefix: &str) -> Option<String> {
    let term = iri.strip_prefix(SPDX)?.strip_prefix(prefix)?;
    let mut out = String::new();
    let mut prev_lower = false;
    for c in term.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_uppercase());
    }
    Some(out)
}

struct Walk<'g> {
    g: &'g Graph,
    namespace: String,
    external: Vec<(String, String)>,
}

impl Walk<'_> {
    /// The SPDX id an element IRI stands for.
    fn id_of(&self, iri: &str) -> String {
        match iri {
            i if i == format!("{SPDX}noassertion") => return "NOASSERTION".into(),
            i if i == format!("{SPDX}none") => return "NONE".into(),
            _ => {}
        }
        if let Some(frag) = iri
            .strip_prefix(&self.namespace)
            .and_then(|r| r.strip_prefix('#'))
        {
            return frag.to_owned();
        }
        for (doc_ref, uri) in &self.external {
            if let Some(frag) = iri
                .strip_prefix(uri.as_str())
                .and_then(|r| r.strip_prefix('#'))
            {
                return format!("{doc_ref}:{frag}");
            }
        }
        iri.to_owned()
    }

    /// A text-or-NOASSERTION/NONE value (`spdx:noassertion` may be a resource).
    fn value(&self, id: &str, pred: &str) -> Option<Value> {
        self.g.objects(id, pred).next().map(|o| match o {
            Object::Literal(s) => Value::String(s.clone()),
            Object::Node(n) => Value::String(self.id_of(n)),
        })
    }

    fn license(&self, o: &Object, depth: usize) -> String {
        match o {
            Object::Literal(s) => s.clone(),
            Object::Node(n) => self.license_node(n, depth),
        }
    }

    fn license_node(&self, n: &str, depth: usize) -> String {
        if let Some(id) = n.strip_prefix(LICENSES) {
            return id.to_owned();
        }
        if depth >= MAX_LICENSE_DEPTH {
            return n.to_owned();
        }
        let members = |op: &str| -> String {
            let parts: Vec<String> = self
                .g
                .objects(n, &format!("{SPDX}member"))
                .map(|m| self.license(m, depth + 1))
                .collect();
            format!("({})", parts.join(&format!(" {op} ")))
        };
        let member = || {
            self.g
                .objects(n, &format!("{SPDX}member"))
                .next()
                .map_or_else(String::new, |m| self.license(m, depth + 1))
        };
        if self.g.has_type(n, &format!("{SPDX}DisjunctiveLicenseSet")) {
            return members("OR");
        }
        if self.g.has_type(n, &format!("{SPDX}ConjunctiveLicenseSet")) {
            return members("AND");
        }
        if self.g.has_type(n, &format!("{SPDX}OrLaterOperator")) {
            return format!("{}+", member());
        }
        if self.g.has_type(n, &format!("{SPDX}WithExceptionOperator")) {
            let exception = self
                .g
                .objects(n, &format!("{SPDX}licenseException"))
                .find_map(|e| match e {
                    Object::Node(e) => self.g.literal(e, &format!("{SPDX}licenseExceptionId")),
                    Object::Literal(s) => Some(s.clone()),
                })
                .unwrap_or_default();
            return format!("{} WITH {exception}", member());
        }
        if let Some(id) = self.g.literal(n, &format!("{SPDX}licenseId")) {
            return id;
        }
        self.id_of(n)
    }

    fn licenses(&self, id: &str, pred: &str) -> Option<Value> {
        let v: Vec<Value> = self
            .g
            .objects(id, &format!("{SPDX}{pred}"))
            .map(|o| Value::String(strip_outer(&self.license(o, 0))))
            .collect();
        (!v.is_empty()).then_some(Value::Array(v))
    }

    fn single_license(&self, id: &str, pred: &str) -> Option<Value> {
        self.g
            .objects(id, &format!("{SPDX}{pred}"))
            .next()
            .map(|o| Value::String(strip_outer(&self.license(o, 0))))
    }

    fn checksums(&self, id: &str) -> Option<Value> {
        let v: Vec<Value> = self
            .g
            .objects(id, &format!("{SPDX}checksum"))
            .filter_map(|o| match o {
                Object::Node(c) => Some(self.checksum(c)),
                Object::Literal(_) => None,
            })
            .collect();
        (!v.is_empty()).then_some(Value::Array(v))
    }

    fn checksum(&self, c: &str) -> Value {
        let mut m = Map::new();
        if let Some(Object::Node(alg)) = self.g.objects(c, &format!("{SPDX}algorithm")).next() {
            let raw = alg
                .strip_prefix(SPDX)
                .and_then(|a| a.strip_prefix("checksumAlgorithm_"))
                .unwrap_or(alg);
            let spelled =
                algorithm_spelling(raw).map_or_else(|| raw.to_ascii_uppercase(), str::to_owned);
            m.insert("algorithm".into(), Value::String(spelled));
        }
        if let Some(v) = self.g.literal(c, &format!("{SPDX}checksumValue")) {
            m.insert("checksumValue".into(), Value::String(v));
        }
        Value::Object(m)
    }

    fn annotations(&self, id: &str) -> Option<Value> {
        let v: Vec<Value> = self
            .g
            .objects(id, &format!("{SPDX}annotation"))
            .filter_map(|o| match o {
                Object::Node(a) => Some(a),
                Object::Literal(_) => None,
            })
            .map(|a| {
                let mut m = Map::new();
                put(
                    &mut m,
                    "annotator",
                    self.value(a, &format!("{SPDX}annotator")),
                );
                put(
                    &mut m,
                    "annotationDate",
                    self.value(a, &format!("{SPDX}annotationDate")),
                );
                put(&mut m, "comment", self.value(a, &format!("{RDFS}comment")));
                if let Some(Object::Node(t)) =
                    self.g.objects(a, &format!("{SPDX}annotationType")).next()
                {
                    put(
                        &mut m,
                        "annotationType",
                        vocab(t, "annotationType_").map(Value::String),
                    );
                }
                Value::Object(m)
            })
            .collect();
        (!v.is_empty()).then_some(Value::Array(v))
    }

    fn literals(&self, id: &str, pred: &str) -> Option<Value> {
        let v: Vec<Value> = self
            .g
            .objects(id, pred)
            .map(|o| match o {
                Object::Literal(s) => Value::String(s.clone()),
                Object::Node(n) => Value::String(n.clone()),
            })
            .collect();
        (!v.is_empty()).then_some(Value::Array(v))
    }

    /// Fields every element kind has.
    fn common(&self, id: &str, m: &mut Map<String, Value>) {
        put(m, "SPDXID", Some(Value::String(self.id_of(id))));
        put(m, "name", self.value(id, &format!("{SPDX}name")));
        put(m, "comment", self.value(id, &format!("{RDFS}comment")));
        put(
            m,
            "copyrightText",
            self.value(id, &format!("{SPDX}copyrightText")),
        );
        put(
            m,
            "licenseComments",
            self.value(id, &format!("{SPDX}licenseComments")),
        );
        put(
            m,
            "licenseConcluded",
            self.single_license(id, "licenseConcluded"),
        );
        put(
            m,
            "attributionTexts",
            self.literals(id, &format!("{SPDX}attributionText")),
        );
        put(m, "annotations", self.annotations(id));
    }

    fn package(&self, id: &str) -> Value {
        let mut m = Map::new();
        self.common(id, &mut m);
        for (key, pred) in [
            ("versionInfo", "versionInfo"),
            ("packageFileName", "packageFileName"),
            ("supplier", "supplier"),
            ("originator", "originator"),
            ("downloadLocation", "downloadLocation"),
            ("sourceInfo", "sourceInfo"),
            ("summary", "summary"),
            ("description", "description"),
            ("builtDate", "builtDate"),
            ("releaseDate", "releaseDate"),
            ("validUntilDate", "validUntilDate"),
        ] {
            put(&mut m, key, self.value(id, &format!("{SPDX}{pred}")));
        }
        put(
            &mut m,
            "homepage",
            self.value(id, &format!("{DOAP}homepage")),
        );
        if let Some(fa) = self.g.literal(id, &format!("{SPDX}filesAnalyzed")) {
            let v = match fa.trim() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => Value::String(other.to_owned()),
            };
            m.insert("filesAnalyzed".into(), v);
        }
        put(
            &mut m,
            "licenseDeclared",
            self.single_license(id, "licenseDeclared"),
        );
        put(
            &mut m,
            "licenseInfoFromFiles",
            self.licenses(id, "licenseInfoFromFiles"),
        );
        put(&mut m, "checksums", self.checksums(id));
        if let Some(Object::Node(p)) = self
            .g
            .objects(id, &format!("{SPDX}primaryPackagePurpose"))
            .next()
        {
            put(
                &mut m,
                "primaryPackagePurpose",
                vocab(p, "purpose_").map(|v| Value::String(v.replace('_', "-"))),
            );
        }
        if let Some(Object::Node(code)) = self
            .g
            .objects(id, &format!("{SPDX}packageVerificationCode"))
            .next()
        {
            let mut c = Map::new();
            put(
                &mut c,
                "packageVerificationCodeValue",
                self.value(code, &format!("{SPDX}packageVerificationCodeValue")),
            );
            put(
                &mut c,
                "packageVerificationCodeExcludedFiles",
                self.literals(code, &format!("{SPDX}packageVerificationCodeExcludedFile")),
            );
            m.insert("packageVerificationCode".into(), Value::Object(c));
        }
        let refs: Vec<Value> = self
            .g
            .objects(id, &format!("{SPDX}externalRef"))
            .filter_map(|o| match o {
                Object::Node(r) => Some(self.external_ref(r)),
                Object::Literal(_) => None,
            })
            .collect();
        if !refs.is_empty() {
            m.insert("externalRefs".into(), Value::Array(refs));
        }
        let files: Vec<Value> = self
            .g
            .objects(id, &format!("{SPDX}hasFile"))
            .filter_map(|o| match o {
                Object::Node(f) => Some(Value::String(self.id_of(f))),
                Object::Literal(_) => None,
            })
            .collect();
        if !files.is_empty() {
            m.insert("hasFiles".into(), Value::Array(files));
        }
        Value::Object(m)
    }

    fn external_ref(&self, r: &str) -> Value {
        let mut m = Map::new();
        if let Some(Object::Node(c)) = self
            .g
            .objects(r, &format!("{SPDX}referenceCategory"))
            .next()
        {
            put(
                &mut m,
                "referenceCategory",
                vocab(c, "referenceCategory_").map(|v| Value::String(v.replace('_', "-"))),
            );
        }
        let ty = self
            .g
            .objects(r, &format!("{SPDX}referenceType"))
            .next()
            .map(|o| match o {
                Object::Node(t) => t.strip_prefix(REFERENCES).unwrap_or(t).to_owned(),
                Object::Literal(s) => s.clone(),
            });
        put(&mut m, "referenceType", ty.map(Value::String));
        put(
            &mut m,
            "referenceLocator",
            self.value(r, &format!("{SPDX}referenceLocator")),
        );
        put(&mut m, "comment", self.value(r, &format!("{RDFS}comment")));
        Value::Object(m)
    }

    fn file(&self, id: &str) -> Value {
        let mut m = Map::new();
        self.common(id, &mut m);
        put(
            &mut m,
            "fileName",
            self.value(id, &format!("{SPDX}fileName")),
        );
        put(
            &mut m,
            "noticeText",
            self.value(id, &format!("{SPDX}noticeText")),
        );
        put(&mut m, "checksums", self.checksums(id));
        put(
            &mut m,
            "licenseInfoInFiles",
            self.licenses(id, "licenseInfoInFile"),
        );
        put(
            &mut m,
            "fileContributors",
            self.literals(id, &format!("{SPDX}fileContributor")),
        );
        let types: Vec<Value> = self
            .g
            .objects(id, &format!("{SPDX}fileType"))
            .filter_map(|o| match o {
                Object::Node(t) => vocab(t, "fileType_").map(Value::String),
                Object::Literal(s) => Some(Value::String(s.clone())),
            })
            .collect();
        if !types.is_empty() {
            m.insert("fileTypes".into(), Value::Array(types));
        }
        Value::Object(m)
    }

    fn snippet(&self, id: &str) -> Value {
        let mut m = Map::new();
        self.common(id, &mut m);
        if let Some(Object::Node(f)) = self.g.objects(id, &format!("{SPDX}snippetFromFile")).next()
        {
            m.insert("snippetFromFile".into(), Value::String(self.id_of(f)));
        }
        put(
            &mut m,
            "licenseInfoInSnippets",
            self.licenses(id, "licenseInfoInSnippet"),
        );
        let ranges: Vec<Value> = self
            .g
            .objects(id, &format!("{SPDX}range"))
            .filter_map(|o| match o {
                Object::Node(r) => Some(self.range(r)),
                Object::Literal(_) => None,
            })
            .collect();
        if !ranges.is_empty() {
            m.insert("ranges".into(), Value::Array(ranges));
        }
        Value::Object(m)
    }

    fn range(&self, r: &str) -> Value {
        let mut m = Map::new();
        for end in ["startPointer", "endPointer"] {
            if let Some(Object::Node(p)) = self.g.objects(r, &format!("{PTR}{end}")).next() {
                let mut pm = Map::new();
                for k in ["offset", "lineNumber"] {
                    if let Some(v) = self.g.literal(p, &format!("{PTR}{k}")) {
                        let v = v
                            .trim()
                            .parse::<i64>()
                            .map_or(Value::String(v), Value::from);
                        pm.insert(k.into(), v);
                    }
                }
                m.insert(end.into(), Value::Object(pm));
            }
        }
        Value::Object(m)
    }
}

/// `(MIT OR Apache-2.0)` -> `MIT OR Apache-2.0` at the top of an expression.
fn strip_outer(e: &str) -> String {
    e.strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .filter(|inner| {
            let mut depth = 0i32;
            inner.chars().all(|c| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth >= 0
            })
        })
        .map_or_else(|| e.to_owned(), str::to_owned)
}

fn put(m: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        m.insert(key.to_owned(), v);
    }
}

/// Read an RDF/XML SPDX 2 document into the JSON shape.
pub(super) fn to_json_shape(
    root: &Element,
    deviations: &mut Vec<Deviation>,
) -> Result<Value, SbomError> {
    if root.ns != RDF {
        return Err(SbomError::NotAnSbom(NotAnSbom::RdfNamespace));
    }
    let mut g = Graph::default();
    for el in &root.children {
        g.node_element(el);
    }
    let doc_ty = format!("{SPDX}SpdxDocument");
    let docs: Vec<&String> = g
        .order
        .iter()
        .filter(|id| g.has_type(id, &doc_ty))
        .collect();
    let Some(doc_iri) = docs.first().map(|s| (*s).clone()) else {
        return Err(SbomError::NotAnSbom(NotAnSbom::RdfNoDocument));
    };
    if docs.len() > 1 {
        deviations.push(Deviation {
            at: doc_iri.clone(),
            what: format!("{} spdx:SpdxDocument nodes; the first is read", docs.len()),
        });
    }
    let (namespace, doc_id) = doc_iri
        .split_once('#')
        .map_or((doc_iri.as_str(), None), |(n, f)| (n, Some(f)));
    let external: Vec<(String, String)> = g
        .objects(&doc_iri, &format!("{SPDX}externalDocumentRef"))
        .filter_map(|o| match o {
            Object::Node(r) => {
                let id = g.literal(r, &format!("{SPDX}externalDocumentId"))?;
                let uri = match g.objects(r, &format!("{SPDX}spdxDocument")).next()? {
                    Object::Node(u) | Object::Literal(u) => u.clone(),
                };
                Some((id, uri))
            }
            Object::Literal(_) => None,
        })
        .collect();
    let w = Walk {
        g: &g,
        namespace: namespace.to_owned(),
        external,
    };

    let mut doc = Map::new();
    put(
        &mut doc,
        "spdxVersion",
        w.value(&doc_iri, &format!("{SPDX}specVersion")),
    );
    put(
        &mut doc,
        "SPDXID",
        doc_id.map(|d| Value::String(d.to_owned())),
    );
    put(&mut doc, "name", w.value(&doc_iri, &format!("{SPDX}name")));
    put(
        &mut doc,
        "comment",
        w.value(&doc_iri, &format!("{RDFS}comment")),
    );
    doc.insert(
        "documentNamespace".into(),
        Value::String(namespace.to_owned()),
    );
    put(
        &mut doc,
        "dataLicense",
        w.single_license(&doc_iri, "dataLicense"),
    );
    if let Some(Object::Node(ci)) = g.objects(&doc_iri, &format!("{SPDX}creationInfo")).next() {
        let mut c = Map::new();
        put(&mut c, "created", w.value(ci, &format!("{SPDX}created")));
        put(
            &mut c,
            "creators",
            w.literals(ci, &format!("{SPDX}creator")),
        );
        put(
            &mut c,
            "licenseListVersion",
            w.value(ci, &format!("{SPDX}licenseListVersion")),
        );
        put(&mut c, "comment", w.value(ci, &format!("{RDFS}comment")));
        doc.insert("creationInfo".into(), Value::Object(c));
    }
    let ext_refs: Vec<Value> = g
        .objects(&doc_iri, &format!("{SPDX}externalDocumentRef"))
        .filter_map(|o| match o {
            Object::Node(r) => Some(r),
            Object::Literal(_) => None,
        })
        .map(|r| {
            let mut m = Map::new();
            put(
                &mut m,
                "externalDocumentId",
                w.value(r, &format!("{SPDX}externalDocumentId")),
            );
            if let Some(Object::Node(u) | Object::Literal(u)) =
                g.objects(r, &format!("{SPDX}spdxDocument")).next()
            {
                m.insert("spdxDocument".into(), Value::String(u.clone()));
            }
            if let Some(Object::Node(c)) = g.objects(r, &format!("{SPDX}checksum")).next() {
                m.insert("checksum".into(), w.checksum(c));
            }
            Value::Object(m)
        })
        .collect();
    if !ext_refs.is_empty() {
        doc.insert("externalDocumentRefs".into(), Value::Array(ext_refs));
    }
    put(&mut doc, "annotations", w.annotations(&doc_iri));

    // Extracted licensing information: what the document lists and any typed node.
    let eli_ty = format!("{SPDX}ExtractedLicensingInfo");
    let mut eli: Vec<String> = g
        .objects(&doc_iri, &format!("{SPDX}hasExtractedLicensingInfo"))
        .filter_map(|o| match o {
            Object::Node(n) => Some(n.clone()),
            Object::Literal(_) => None,
        })
        .collect();
    eli.extend(g.order.iter().filter(|id| g.has_type(id, &eli_ty)).cloned());
    let mut seen = HashSet::new();
    let infos: Vec<Value> = eli
        .into_iter()
        .filter(|n| seen.insert(n.clone()))
        .map(|n| {
            let mut m = Map::new();
            let id = g
                .literal(&n, &format!("{SPDX}licenseId"))
                .unwrap_or_else(|| w.id_of(&n));
            m.insert("licenseId".into(), Value::String(id));
            put(
                &mut m,
                "extractedText",
                w.value(&n, &format!("{SPDX}extractedText")),
            );
            put(&mut m, "name", w.value(&n, &format!("{SPDX}name")));
            put(&mut m, "comment", w.value(&n, &format!("{RDFS}comment")));
            put(
                &mut m,
                "seeAlsos",
                w.literals(&n, &format!("{RDFS}seeAlso")),
            );
            Value::Object(m)
        })
        .collect();
    if !infos.is_empty() {
        doc.insert("hasExtractedLicensingInfos".into(), Value::Array(infos));
    }

    let typed = |t: &str| -> Vec<&String> {
        let ty = format!("{SPDX}{t}");
        g.order.iter().filter(|id| g.has_type(id, &ty)).collect()
    };
    let packages: Vec<Value> = typed("Package").into_iter().map(|p| w.package(p)).collect();
    if packages.len() > MAX_SPDX_PACKAGES {
        return Err(SbomError::Limit(LimitExceeded::Count {
            format: None,
            items: "packages in one SPDX document",
            limit: MAX_SPDX_PACKAGES,
        }));
    }
    let files: Vec<Value> = typed("File").into_iter().map(|f| w.file(f)).collect();
    let snippets: Vec<Value> = typed("Snippet").into_iter().map(|s| w.snippet(s)).collect();
    for (k, v) in [
        ("packages", packages),
        ("files", files),
        ("snippets", snippets),
    ] {
        if !v.is_empty() {
            doc.insert(k.into(), Value::Array(v));
        }
    }

    let mut relationships = Vec::new();
    let rel_pred = format!("{SPDX}relationship");
    for from in &g.order {
        for o in g.objects(from, &rel_pred) {
            let Object::Node(r) = o else { continue };
            if relationships.len() >= MAX_SPDX_RELATIONSHIPS {
                return Err(SbomError::Limit(LimitExceeded::Count {
                    format: None,
                    items: "relationships in one SPDX document",
                    limit: MAX_SPDX_RELATIONSHIPS,
                }));
            }
            let mut m = Map::new();
            m.insert("spdxElementId".into(), Value::String(w.id_of(from)));
            if let Some(Object::Node(t)) = g.objects(r, &format!("{SPDX}relationshipType")).next() {
                put(
                    &mut m,
                    "relationshipType",
                    vocab(t, "relationshipType_").map(Value::String),
                );
            }
            put(
                &mut m,
                "relatedSpdxElement",
                w.value(r, &format!("{SPDX}relatedSpdxElement")),
            );
            put(&mut m, "comment", w.value(r, &format!("{RDFS}comment")));
            relationships.push(Value::Object(m));
        }
    }
    if !relationships.is_empty() {
        doc.insert("relationships".into(), Value::Array(relationships));
    }
    Ok(Value::Object(doc))
}

#[cfg(test)]
mod tests {
    use super::super::xml::parse_tree;
    use super::*;

    const DOC: &str = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:spdx="http://spdx.org/rdf/terms#">
  <spdx:SpdxDocument rdf:about="https://example.com/d#SPDXRef-DOCUMENT">
    <spdx:specVersion>SPDX-2.3</spdx:specVersion>
    <spdx:relationship><spdx:Relationship>
      <spdx:relationshipType rdf:resource="http://spdx.org/rdf/terms#relationshipType_describes"/>
      <spdx:relatedSpdxElement>
        <spdx:Package rdf:about="https://example.com/d#SPDXRef-p">
          <spdx:name>p</spdx:name>
          <spdx:licenseConcluded><spdx:DisjunctiveLicenseSet>
            <spdx:member rdf:resource="http://spdx.org/licenses/MIT"/>
            <spdx:member rdf:resource="http://spdx.org/licenses/Apache-2.0"/>
          </spdx:DisjunctiveLicenseSet></spdx:licenseConcluded>
          <spdx:checksum><spdx:Checksum>
            <spdx:algorithm rdf:resource="http://spdx.org/rdf/terms#checksumAlgorithm_sha3_256"/>
            <spdx:checksumValue>00</spdx:checksumValue>
          </spdx:Checksum></spdx:checksum>
        </spdx:Package>
      </spdx:relatedSpdxElement>
    </spdx:Relationship></spdx:relationship>
  </spdx:SpdxDocument>
</rdf:RDF>"#;

    #[test]
    fn reads_the_graph() {
        let mut d = Vec::new();
        let v = to_json_shape(&parse_tree(DOC).unwrap(), &mut d).unwrap();
        assert_eq!(v["documentNamespace"], "https://example.com/d");
        assert_eq!(v["SPDXID"], "SPDXRef-DOCUMENT");
        assert_eq!(v["packages"][0]["SPDXID"], "SPDXRef-p");
        assert_eq!(v["packages"][0]["licenseConcluded"], "MIT OR Apache-2.0");
        assert_eq!(v["packages"][0]["checksums"][0]["algorithm"], "SHA3-256");
        assert_eq!(v["relationships"][0]["relationshipType"], "DESCRIBES");
        assert_eq!(v["relationships"][0]["relatedSpdxElement"], "SPDXRef-p");
    }

    #[test]
    fn vocabulary() {
        assert_eq!(
            vocab(
                &format!("{SPDX}relationshipType_dependencyOf"),
                "relationshipType_"
            )
            .as_deref(),
            Some("DEPENDENCY_OF")
        );
        assert_eq!(
            vocab(&format!("{SPDX}purpose_operatingSystem"), "purpose_").as_deref(),
            Some("OPERATING_SYSTEM")
        );
        assert_eq!(strip_outer("(a OR b) AND (c)"), "(a OR b) AND (c)");
        assert_eq!(strip_outer("(a OR b)"), "a OR b");
    }
}
