//! CycloneDX XML: one pass of a pull parser into the normalised model.
//!
//! Only elements in the document's CycloneDX namespace are read; elements of any other namespace
//! (extensions, XML signatures) are skipped with their subtrees. A DOCTYPE is refused, so no
//! entity beyond XML's five predefined ones and character references is ever expanded.

use crate::limits::LimitExceeded;
use crate::sbom::NotAnSbom;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::{NsReader, XmlVersion};

use super::{
    tool_label, unsupported, Builder, ComponentParts, Role, Version, Violations, MAX_XML_DEPTH,
};
use crate::sbom::{ParsedSbom, SbomEncoding, SbomError, XmlSchemaValidator};

const NAMESPACE_PREFIX: &[u8] = b"http://cyclonedx.org/schema/bom/";

/// Element names the reader looks at; every other one reads as `""`.
const KNOWN: &[&str] = &[
    "author",
    "authors",
    "bom",
    "component",
    "components",
    "cpe",
    "dependencies",
    "dependency",
    "expression",
    "expression-detailed",
    "externalReferences",
    "group",
    "hash",
    "hashes",
    "id",
    "license",
    "licenses",
    "manufacture",
    "manufacturer",
    "metadata",
    "name",
    "properties",
    "property",
    "publisher",
    "purl",
    "reference",
    "service",
    "services",
    "supplier",
    "timestamp",
    "tool",
    "tools",
    "url",
    "vendor",
    "version",
];

fn intern(local: &[u8]) -> &'static str {
    KNOWN
        .iter()
        .find(|k| k.as_bytes() == local)
        .copied()
        .unwrap_or("")
}

pub(super) fn parse(
    bytes: &[u8],
    xsd: Option<&dyn XmlSchemaValidator>,
) -> Result<ParsedSbom, SbomError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.starts_with(&[0xFE, 0xFF]) || body.starts_with(&[0xFF, 0xFE]) {
        return Err(syntax(
            "UTF-16 is not read; CycloneDX XML must be UTF-8".into(),
        ));
    }
    let mut reader = Reader::new(body);
    reader.run()?;
    let version = reader.version.expect("set with the root element");
    let builder = reader.builder.expect("set with the root element");
    let (violations, validated, not_validated) = match xsd {
        Some(xsd) => match xsd.validate_cyclonedx(bytes, version.as_str()) {
            Ok(found) => {
                let mut violations = Violations::default();
                violations.extend(found);
                (violations.finish(), true, None)
            }
            // The validator could not run: the document stays not validated, and says why.
            Err(why) => (Vec::new(), false, Some(why)),
        },
        None => (Vec::new(), false, None),
    };
    Ok(ParsedSbom {
        sbom: builder.finish(),
        violations,
        validated,
        not_validated,
    })
}

fn syntax(detail: String) -> SbomError {
    SbomError::Syntax {
        encoding: "XML",
        detail,
    }
}

/// Where an element's name is bound.
enum Class {
    /// The document's CycloneDX namespace.
    CycloneDx,
    /// Any other namespace, or none.
    Foreign,
    /// The root element's namespace (before it is known).
    Root(Option<Vec<u8>>),
}

/// A component element being read.
struct Open {
    /// Stack length with the component element on it.
    depth: usize,
    role: Role,
    nesting: usize,
    /// Index reserved in `components` (so parents precede their nested components, as in JSON).
    slot: Option<usize>,
    parts: ComponentParts,
    hash_alg: Option<String>,
    reference_type: Option<String>,
    reference_url: Option<String>,
    property_name: Option<String>,
}

/// A `metadata/tools/tool` or `metadata/tools/services/service` being read.
#[derive(Default)]
struct Tool {
    vendor: Option<String>,
    name: Option<String>,
    version: Option<String>,
}

struct Reader<'a> {
    input: &'a [u8],
    xml: NsReader<&'a [u8]>,
    namespace: Option<Vec<u8>>,
    version: Option<Version>,
    builder: Option<Builder>,
    /// Open CycloneDX elements, root first.
    stack: Vec<&'static str>,
    /// Depth inside a foreign element (skipped).
    foreign: usize,
    text: String,
    open: Vec<Open>,
    tool: Option<Tool>,
    metadata_property: Option<String>,
    /// `ref`s of the open `dependency` elements.
    dependencies: Vec<Option<String>>,
    root_closed: bool,
    /// (byte offset, line there) of the last line-number lookup.
    line_mark: (usize, usize),
}

impl<'a> Reader<'a> {
    fn new(input: &'a [u8]) -> Self {
        let mut xml = NsReader::from_reader(input);
        xml.config_mut().trim_text(false);
        Self {
            input,
            xml,
            namespace: None,
            version: None,
            builder: None,
            stack: Vec::new(),
            foreign: 0,
            text: String::new(),
            open: Vec::new(),
            tool: None,
            metadata_property: None,
            dependencies: Vec::new(),
            root_closed: false,
            line_mark: (0, 1),
        }
    }

    /// The line the parser is at (incremental: positions only grow).
    fn line(&mut self) -> usize {
        let pos = usize::try_from(self.xml.buffer_position())
            .unwrap_or(usize::MAX)
            .min(self.input.len());
        let (mark, line) = self.line_mark;
        let from = mark.min(pos);
        let newlines = self.input[from..pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line_mark = (pos, line + newlines);
        line + newlines
    }

    fn error(&mut self, what: impl std::fmt::Display) -> SbomError {
        let line = self.line();
        syntax(format!("line {line}: {what}"))
    }

    fn run(&mut self) -> Result<(), SbomError> {
        loop {
            let (resolved, event) = match self.xml.read_resolved_event() {
                Ok(read) => read,
                Err(e) => return Err(self.error(e)),
            };
            let class = match resolved {
                ResolveResult::Bound(Namespace(ns)) => match &self.namespace {
                    Some(doc) if doc.as_slice() == ns => Class::CycloneDx,
                    Some(_) => Class::Foreign,
                    None => Class::Root(Some(ns.to_vec())),
                },
                ResolveResult::Unbound if self.namespace.is_none() => Class::Root(None),
                ResolveResult::Unbound => Class::Foreign,
                ResolveResult::Unknown(prefix) => {
                    let prefix = String::from_utf8_lossy(&prefix).into_owned();
                    return Err(self.error(format!("undeclared namespace prefix {prefix:?}")));
                }
            };
            match event {
                Event::Start(e) => self.start(&e, class, false)?,
                Event::Empty(e) => self.start(&e, class, true)?,
                Event::End(_) => self.end()?,
                Event::Text(t) => {
                    let text = t.xml10_content().map_err(|e| self.error(e))?;
                    self.text(&text)?;
                }
                Event::CData(c) => {
                    let text = c.decode().map_err(|e| self.error(e))?;
                    self.text(&text)?;
                }
                Event::GeneralRef(r) => {
                    let text = crate::xml::reference_text(&r).map_err(|e| self.error(e))?;
                    self.text(&text)?;
                }
                Event::DocType(_) => return Err(self.error(crate::xml::DOCTYPE_REFUSED)),
                Event::Decl(d) => {
                    crate::xml::check_declaration(&d, "CycloneDX XML").map_err(|e| self.error(e))?
                }
                Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => break,
            }
        }
        if !self.stack.is_empty() || self.foreign > 0 {
            return Err(self.error("the document ends inside an element"));
        }
        if !self.root_closed {
            return Err(self.error("no root element"));
        }
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<(), SbomError> {
        self.check_chars(text)?;
        if self.foreign > 0 {
            return Ok(());
        }
        if self.stack.is_empty() {
            if text.trim().is_empty() {
                return Ok(());
            }
            return Err(self.error("text outside the root element"));
        }
        self.text.push_str(text);
        Ok(())
    }

    fn start(&mut self, e: &BytesStart<'_>, class: Class, empty: bool) -> Result<(), SbomError> {
        if self.stack.is_empty() {
            return self.root(e, class, empty);
        }
        if self.foreign > 0 || !matches!(class, Class::CycloneDx) {
            if !empty {
                self.foreign += 1;
                self.check_depth()?;
            }
            return Ok(());
        }
        self.stack.push(intern(e.local_name().as_ref()));
        self.check_depth()?;
        self.text.clear();
        self.on_start(e)?;
        if empty {
            self.end()?;
        }
        Ok(())
    }

    /// XML 1.0 allows no control character but tab, newline and carriage return, and neither
    /// U+FFFE nor U+FFFF (libxml2 refuses them too).
    fn check_chars(&mut self, text: &str) -> Result<(), SbomError> {
        let bad = text.chars().find(|&c| {
            (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
        });
        match bad {
            Some(c) => Err(self.error(format!(
                "character U+{:04X} is not allowed in XML",
                u32::from(c)
            ))),
            None => Ok(()),
        }
    }

    /// Element depth (foreign elements included) less the two levels per nested component.
    fn check_depth(&self) -> Result<(), SbomError> {
        let nesting = self.open.last().map_or(0, |o| o.nesting);
        if self.stack.len() + self.foreign - 2 * nesting > MAX_XML_DEPTH {
            return Err(SbomError::Limit(LimitExceeded::Depth {
                what: "XML elements",
                limit: MAX_XML_DEPTH,
                unit: "levels",
            }));
        }
        Ok(())
    }

    fn root(&mut self, e: &BytesStart<'_>, class: Class, empty: bool) -> Result<(), SbomError> {
        if self.root_closed {
            return Err(self.error("a second root element"));
        }
        let Class::Root(namespace) = class else {
            unreachable!("the namespace is learnt from the root element")
        };
        if e.local_name().as_ref() != b"bom" {
            return Err(SbomError::NotAnSbom(NotAnSbom::XmlRoot));
        }
        let namespace = namespace.unwrap_or_default();
        let Some(written) = namespace.strip_prefix(NAMESPACE_PREFIX) else {
            return Err(SbomError::NotAnSbom(NotAnSbom::XmlNamespace {
                namespace: String::from_utf8_lossy(&namespace).into_owned(),
            }));
        };
        let written = String::from_utf8_lossy(written).into_owned();
        let version = Version::parse(&written).ok_or_else(|| unsupported(written.as_str()))?;
        let mut builder = Builder::new(SbomEncoding::Xml, version.as_str());
        builder.sbom.serial = self.attribute(e, b"serialNumber")?;
        self.version = Some(version);
        self.builder = Some(builder);
        self.namespace = Some(namespace);
        self.stack.push("bom");
        if empty {
            self.end()?;
        }
        Ok(())
    }

    /// An unprefixed attribute's value.
    fn attribute(&mut self, e: &BytesStart<'_>, name: &[u8]) -> Result<Option<String>, SbomError> {
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.error(err))?;
            if attr.key.as_ref() == name {
                let value = attr
                    .normalized_value(XmlVersion::Explicit1_0)
                    .map_err(|err| self.error(err))?;
                self.check_chars(&value)?;
                return Ok(Some(value.trim().to_string()));
            }
        }
        Ok(None)
    }

    fn on_start(&mut self, e: &BytesStart<'_>) -> Result<(), SbomError> {
        if let Some(open) = self.open.last() {
            let rel: &[&str] = &self.stack[open.depth..];
            match rel {
                ["components", "component"] => {
                    let role = match open.role {
                        Role::Component | Role::Subject => Role::Component,
                        Role::Tool | Role::Ignored => Role::Ignored,
                    };
                    let nesting = open.nesting + 1;
                    self.open_component(e, role, nesting)?;
                }
                ["hashes", "hash"] => {
                    let alg = self.attribute(e, b"alg")?;
                    self.open.last_mut().expect("open").hash_alg = alg;
                }
                ["externalReferences", "reference"] => {
                    let kind = self.attribute(e, b"type")?;
                    let open = self.open.last_mut().expect("open");
                    open.reference_type = kind;
                    open.reference_url = None;
                }
                ["properties", "property"] => {
                    let name = self.attribute(e, b"name")?;
                    self.open.last_mut().expect("open").property_name = name;
                }
                // 1.7: the expression is an attribute here (JSON: `expression` beside
                // `expressionDetails`).
                ["licenses", "expression-detailed"] => {
                    let expression = self.attribute(e, b"expression")?;
                    let licenses =
                        &mut self.open.last_mut().expect("open").parts.component.licenses;
                    licenses.extend(expression.filter(|x| !x.is_empty()));
                }
                _ => {}
            }
            return Ok(());
        }
        let path: &[&str] = &self.stack;
        match path {
            ["bom", "components", "component"] => self.open_component(e, Role::Component, 0)?,
            ["bom", "metadata", "component"] => self.open_component(e, Role::Subject, 0)?,
            ["bom", "metadata", "tools", "components", "component"] => {
                self.open_component(e, Role::Tool, 0)?;
            }
            ["bom", "metadata", "tools", "tool"]
            | ["bom", "metadata", "tools", "services", "service"] => {
                self.tool = Some(Tool::default());
            }
            ["bom", "metadata", "properties", "property"] => {
                self.metadata_property = self.attribute(e, b"name")?;
            }
            ["bom", "dependencies"] => {
                self.builder_mut().sbom.has_dependency_section = true;
            }
            ["bom", "dependencies", rest @ ..] if rest.iter().all(|n| *n == "dependency") => {
                let to = self.attribute(e, b"ref")?;
                if let (Some(Some(from)), Some(to)) = (self.dependencies.last(), &to) {
                    let edge = (from.clone(), to.clone());
                    self.builder_mut().sbom.dependencies.push(edge);
                }
                self.dependencies.push(to);
            }
            _ => {}
        }
        Ok(())
    }

    fn builder_mut(&mut self) -> &mut Builder {
        self.builder.as_mut().expect("set with the root element")
    }

    fn open_component(
        &mut self,
        e: &BytesStart<'_>,
        role: Role,
        nesting: usize,
    ) -> Result<(), SbomError> {
        self.builder_mut().admit(nesting)?;
        let mut parts = ComponentParts::default();
        parts.component.kind = self.attribute(e, b"type")?;
        parts.component.id = self.attribute(e, b"bom-ref")?;
        let slot = (role == Role::Component).then(|| {
            let components = &mut self.builder_mut().sbom.components;
            components.push(Default::default());
            components.len() - 1
        });
        self.open.push(Open {
            depth: self.stack.len(),
            role,
            nesting,
            slot,
            parts,
            hash_alg: None,
            reference_type: None,
            reference_url: None,
            property_name: None,
        });
        Ok(())
    }

    fn end(&mut self) -> Result<(), SbomError> {
        if self.foreign > 0 {
            self.foreign -= 1;
            return Ok(());
        }
        let raw = std::mem::take(&mut self.text);
        let text = raw.trim().to_string();
        if self
            .open
            .last()
            .is_some_and(|o| o.depth == self.stack.len())
        {
            let open = self.open.pop().expect("checked");
            let builder = self.builder_mut();
            match open.slot {
                Some(slot) => builder.sbom.components[slot] = open.parts.into_component(),
                None => builder.file(open.role, open.parts),
            }
        } else if let Some(depth) = self.open.last().map(|o| o.depth) {
            self.component_field(depth, text)?;
        } else {
            self.document_field(text);
        }
        self.stack.pop();
        if self.stack.is_empty() {
            self.root_closed = true;
        }
        Ok(())
    }

    /// The end of an element inside the innermost open component (whose element is at `depth`).
    fn component_field(&mut self, depth: usize, text: String) -> Result<(), SbomError> {
        let rel: Vec<&'static str> = self.stack[depth..].to_vec();
        let uppercase = text.bytes().any(|b| b.is_ascii_uppercase());
        let line = if rel == ["hashes", "hash"] && uppercase {
            self.line()
        } else {
            0
        };
        let builder = self.builder.as_mut().expect("set with the root element");
        let open = self.open.last_mut().expect("open component");
        let parts = &mut open.parts;
        let value = || Some(text.clone()).filter(|t| !t.is_empty());
        match rel.as_slice() {
            ["name"] => parts.component.name = value(),
            ["version"] => parts.component.version = value(),
            ["purl"] => parts.component.purl = value(),
            ["cpe"] => parts.component.cpe = value(),
            ["group"] => parts.group = value(),
            ["publisher"] => parts.publisher = value(),
            ["supplier", "name"] => parts.component.supplier = value(),
            ["hashes", "hash"] => {
                if let Some(alg) = open.hash_alg.take() {
                    if let Some(hash) = builder.hash(&alg, &text, || format!("line {line}")) {
                        parts.component.hashes.push(hash);
                    }
                }
            }
            ["licenses", "license", "id" | "name"] | ["licenses", "expression"] => {
                parts.component.licenses.extend(value());
            }
            ["externalReferences", "reference", "url"] => open.reference_url = value(),
            ["externalReferences", "reference"]
                if open.reference_type.as_deref() == Some("vcs") =>
            {
                parts.vcs_urls.extend(open.reference_url.take());
            }
            ["properties", "property"] => {
                if let Some(name) = open.property_name.take() {
                    parts.properties.push((name, text));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The end of an element outside any component.
    fn document_field(&mut self, text: String) {
        let path: Vec<&'static str> = self.stack.clone();
        let builder = self.builder.as_mut().expect("set with the root element");
        let value = || Some(text.clone()).filter(|t| !t.is_empty());
        match path.as_slice() {
            ["bom", "metadata", "timestamp"] => builder.sbom.created = value(),
            ["bom", "metadata", "authors", "author", "name"]
            | ["bom", "metadata", "manufacture" | "manufacturer" | "supplier", "name"] => {
                builder.author(&text);
            }
            ["bom", "metadata", "tools", "tool", field]
            | ["bom", "metadata", "tools", "services", "service", field] => {
                if let Some(tool) = self.tool.as_mut() {
                    match *field {
                        "vendor" | "group" => tool.vendor = value(),
                        "name" => tool.name = value(),
                        "version" => tool.version = value(),
                        _ => {}
                    }
                }
            }
            ["bom", "metadata", "tools", "tool"]
            | ["bom", "metadata", "tools", "services", "service"] => {
                if let Some(tool) = self.tool.take() {
                    let label = tool_label(
                        tool.vendor.as_deref(),
                        tool.name.as_deref(),
                        tool.version.as_deref(),
                    );
                    builder.sbom.tools.extend(label);
                }
            }
            ["bom", "metadata", "properties", "property"] => {
                if let Some(name) = self.metadata_property.take() {
                    builder.metadata_property(&name, &text);
                }
            }
            ["bom", "dependencies", rest @ ..]
                if !rest.is_empty() && rest.iter().all(|n| *n == "dependency") =>
            {
                self.dependencies.pop();
            }
            _ => {}
        }
    }
}
