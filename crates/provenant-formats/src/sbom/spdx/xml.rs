//! XML: a bounded element tree (namespaces resolved, DOCTYPE refused, only the predefined and
//! character entities), and tools-python's XML form of SPDX 2 (`<Document>` whose children
//! are the JSON form's fields) read into the JSON shape.

use crate::limits::LimitExceeded;
use crate::sbom::NotAnSbom;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use serde_json::{Map, Value};

use crate::limits::MAX_JSON_DEPTH;
use crate::sbom::SbomError;

/// One XML element.
#[derive(Debug, Default)]
pub(super) struct Element {
    /// Namespace URI (empty when none).
    pub ns: String,
    /// Local name.
    pub name: String,
    /// Attributes: (namespace URI, local name, value); `xmlns` declarations are not kept.
    pub attrs: Vec<(String, String, String)>,
    pub children: Vec<Element>,
    /// Character data directly inside the element (entities resolved).
    pub text: String,
}

impl Element {
    /// The value of the attribute `name` in namespace `ns`.
    pub(super) fn attr(&self, ns: &str, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, l, _)| n == ns && l == name)
            .map(|(_, _, v)| v.as_str())
    }
}

fn syntax(detail: impl Into<String>) -> SbomError {
    SbomError::Syntax {
        encoding: "XML",
        detail: detail.into(),
    }
}

/// Namespace declarations in scope: (prefix, URI), innermost last.
struct Scopes(Vec<(String, String)>);

impl Scopes {
    fn resolve(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some("http://www.w3.org/XML/1998/namespace");
        }
        let declared = self
            .0
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str());
        // Unprefixed names without a default namespace are in no namespace.
        declared.or_else(|| prefix.is_empty().then_some(""))
    }
}

fn split_qname(q: &str) -> (&str, &str) {
    q.split_once(':').unwrap_or(("", q))
}

/// Parse `text` into its root element.
pub(super) fn parse_tree(text: &str) -> Result<Element, SbomError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<(Element, usize)> = Vec::new();
    let mut scopes = Scopes(Vec::new());
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| syntax(format!("{e} (near byte {pos})")))?;
        match event {
            Event::DocType(_) => return Err(syntax(crate::xml::DOCTYPE_REFUSED)),
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(syntax("content after the root element"));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                if stack.len() >= MAX_JSON_DEPTH {
                    return Err(SbomError::Limit(LimitExceeded::Depth {
                        what: "XML",
                        limit: MAX_JSON_DEPTH,
                        unit: "elements",
                    }));
                }
                let qname = std::str::from_utf8(e.name().as_ref())
                    .map_err(|_| syntax("an element name that is not UTF-8"))?
                    .to_owned();
                let declared = scopes.0.len();
                let mut raw_attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(|err| syntax(format!("attribute of <{qname}>: {err}")))?;
                    let key = std::str::from_utf8(a.key.as_ref())
                        .map_err(|_| syntax("an attribute name that is not UTF-8"))?
                        .to_owned();
                    let value = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|err| syntax(format!("attribute {key} of <{qname}>: {err}")))?
                        .into_owned();
                    if key == "xmlns" {
                        scopes.0.push((String::new(), value));
                    } else if let Some(p) = key.strip_prefix("xmlns:") {
                        scopes.0.push((p.to_owned(), value));
                    } else {
                        raw_attrs.push((key, value));
                    }
                }
                let (prefix, local) = split_qname(&qname);
                let ns = scopes
                    .resolve(prefix)
                    .ok_or_else(|| {
                        syntax(format!(
                            "undeclared namespace prefix {prefix:?} on <{qname}>"
                        ))
                    })?
                    .to_owned();
                let mut attrs = Vec::with_capacity(raw_attrs.len());
                for (k, v) in raw_attrs {
                    let (p, l) = split_qname(&k);
                    let ans = if p.is_empty() {
                        String::new()
                    } else {
                        scopes
                            .resolve(p)
                            .ok_or_else(|| {
                                syntax(format!(
                                    "undeclared namespace prefix {p:?} on attribute {k}"
                                ))
                            })?
                            .to_owned()
                    };
                    attrs.push((ans, l.to_owned(), v));
                }
                let el = Element {
                    ns,
                    name: local.to_owned(),
                    attrs,
                    children: Vec::new(),
                    text: String::new(),
                };
                if is_empty {
                    scopes.0.truncate(declared);
                    close(el, &mut stack, &mut root);
                } else {
                    stack.push((el, declared));
                }
            }
            Event::End(_) => {
                let Some((el, declared)) = stack.pop() else {
                    return Err(syntax("a closing tag without an opening one"));
                };
                scopes.0.truncate(declared);
                close(el, &mut stack, &mut root);
            }
            Event::Text(t) => {
                let s = t
                    .xml10_content()
                    .map_err(|e| syntax(format!("text: {e}")))?;
                append_text(&mut stack, &s)?;
            }
            Event::CData(t) => {
                let s = t
                    .xml10_content()
                    .map_err(|e| syntax(format!("CDATA: {e}")))?;
                append_text(&mut stack, &s)?;
            }
            Event::GeneralRef(r) => {
                let resolved = crate::xml::reference_text(&r).map_err(|e| syntax(e.to_string()))?;
                append_text(&mut stack, &resolved)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(syntax("the document ends inside an element"));
    }
    root.ok_or_else(|| syntax("no root element"))
}

fn close(el: Element, stack: &mut [(Element, usize)], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some((parent, _)) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn append_text(stack: &mut [(Element, usize)], s: &str) -> Result<(), SbomError> {
    match stack.last_mut() {
        Some((el, _)) => {
            el.text.push_str(s);
            Ok(())
        }
        None if s.trim().is_empty() => Ok(()),
        None => Err(syntax("text outside the root element")),
    }
}

/// Fields that are lists in the JSON form (tools-python's `LIST_LIKE_FIELDS`): in XML a list
/// is the element repeated, and one occurrence is still a list.
const LIST_LIKE: &[&str] = &[
    "creators",
    "externalDocumentRefs",
    "hasExtractedLicensingInfos",
    "seeAlsos",
    "annotations",
    "relationships",
    "snippets",
    "reviewers",
    "fileTypes",
    "licenseInfoFromFiles",
    "licenseInfoInFiles",
    "artifactOf",
    "fileContributors",
    "fileDependencies",
    "files",
    "documentDescribes",
    "packages",
    "checksums",
    "hasFiles",
    "externalRefs",
    "ranges",
    "licenseInfoInSnippets",
    "packageVerificationCodeExcludedFiles",
    "attributionTexts",
];

/// tools-python's XML form into the JSON shape.
pub(super) fn to_json_shape(root: &Element) -> Result<Value, SbomError> {
    if root.name != "Document" {
        return Err(SbomError::NotAnSbom(NotAnSbom::SpdxXmlRoot {
            root: root.name.clone(),
        }));
    }
    Ok(element_value(root))
}

fn element_value(el: &Element) -> Value {
    if el.children.is_empty() {
        return if el.text.is_empty() {
            Value::Null
        } else {
            Value::String(el.text.clone())
        };
    }
    let mut m: Map<String, Value> = Map::new();
    for c in &el.children {
        let v = element_value(c);
        let list_like = LIST_LIKE.contains(&c.name.as_str());
        match m.get_mut(&c.name) {
            Some(Value::Array(a)) if list_like || a.len() > 1 => a.push(v),
            Some(existing) => {
                let first = std::mem::take(existing);
                *existing = Value::Array(vec![first, v]);
            }
            None => {
                let v = if list_like {
                    Value::Array(if v.is_null() { vec![] } else { vec![v] })
                } else {
                    v
                };
                m.insert(c.name.clone(), v);
            }
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctype_is_refused() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document><name>&x;</name></Document>"#;
        assert!(matches!(parse_tree(xxe), Err(SbomError::Syntax { .. })));
    }

    #[test]
    fn entities_and_namespaces() {
        let t = parse_tree(
            r#"<r xmlns:a="urn:a"><a:x a:y="1 &amp; 2">&lt;&#65;<![CDATA[&]]></a:x></r>"#,
        )
        .unwrap();
        let x = &t.children[0];
        assert_eq!(
            (x.ns.as_str(), x.name.as_str(), x.text.as_str()),
            ("urn:a", "x", "<A&")
        );
        assert_eq!(x.attr("urn:a", "y"), Some("1 & 2"));
        assert!(parse_tree("<r>&unknown;</r>").is_err());
        assert!(parse_tree("<r><p:x/></r>").is_err());
        assert!(parse_tree("<r>").is_err());
        assert!(parse_tree("<r/><s/>").is_err());
        assert!(parse_tree(&"<a>".repeat(100)).is_err());
    }

    #[test]
    fn list_like_fields_are_lists() {
        let t = parse_tree("<Document><creators>Tool: x</creators><name>n</name><packages><SPDXID>SPDXRef-a</SPDXID></packages></Document>").unwrap();
        let v = to_json_shape(&t).unwrap();
        assert_eq!(v["creators"], serde_json::json!(["Tool: x"]));
        assert_eq!(v["name"], "n");
        assert_eq!(v["packages"][0]["SPDXID"], "SPDXRef-a");
    }
}
