//! CycloneDX JSON: streamed, validated against the bundled JSON schema, normalised.
//!
//! The top-level `components` and `dependencies` arrays are read one element at a time: each is
//! validated against the schema's item definition (what the root schema would apply to it),
//! checked for `uniqueItems`, normalised and dropped. Everything else is collected into one small
//! object and validated against the root schema with those arrays emptied. The verdict is the
//! root schema's on the whole document, without ever holding the whole document as a `Value`.

use crate::limits::LimitExceeded;
use crate::sbom::NotAnSbom;
use std::collections::hash_map::{Entry, RandomState};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::schema::{validators, Validators};
use super::{unsupported, Builder, ComponentParts, Role, Version, Violations, MAX_COMPONENTS};
use crate::sbom::{ParsedSbom, SbomEncoding, SbomError};

/// Longest schema message kept (the rest is cut: an `enum` of 700 SPDX ids is not news).
const MAX_MESSAGE_CHARS: usize = 300;

pub(super) fn parse(bytes: &[u8]) -> Result<ParsedSbom, SbomError> {
    let (bytes, byte_order_mark) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let mut state = State::new(bytes);
    // Streamed (the arrays are never held whole), but every value goes through the strict
    // visitor of `crate::json`: duplicate keys are refused at any depth, nesting is bounded.
    #[allow(clippy::disallowed_methods)]
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let read = de.deserialize_any(Top(&mut state)).and_then(|()| de.end());
    if let Some(e) = state.abort.take() {
        return Err(e);
    }
    read.map_err(|e| syntax(&e))?;
    state.finish(byte_order_mark)
}

fn syntax(e: &serde_json::Error) -> SbomError {
    match crate::json::JsonError::from_serde(e) {
        e @ crate::json::JsonError::TooDeep => SbomError::Limit(LimitExceeded::Json(e)),
        e => SbomError::Syntax {
            encoding: "JSON",
            detail: e.to_string(),
        },
    }
}

/// Sentinel serde error: the real error is in `State::abort`.
const ABORTED: &str = "provenant: aborted";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Components,
    Dependencies,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Components => "components",
            Kind::Dependencies => "dependencies",
        }
    }
}

/// The top level's `specVersion`, everything else skipped.
#[derive(Deserialize)]
struct VersionProbe {
    #[serde(rename = "specVersion")]
    spec_version: Option<Value>,
}

/// One streamed top-level array.
#[derive(Default)]
struct Stream {
    /// It was there and was an array.
    streamed: bool,
    /// Elements read before `specVersion` (validated once the version is known).
    pending: Vec<Value>,
    next_index: usize,
    /// `uniqueItems`: keyed hash of each element (by JSON equality) -> its index.
    seen: HashMap<u64, usize, BuildHasherDefault<PreHashed>>,
}

struct State<'a> {
    /// The document, for the one-off look-ahead for `specVersion`.
    input: &'a [u8],
    /// The look-ahead has been tried.
    probed: bool,
    rest: Map<String, Value>,
    version: Option<Version>,
    validators: Option<&'static Validators>,
    builder: Option<Builder>,
    components: Stream,
    dependencies: Stream,
    violations: Violations,
    bom_refs: HashSet<Box<str>>,
    /// Random per document, so no one can make two different elements collide on purpose
    /// (by chance: 2^-64 per pair, which would report a duplicate that is not one).
    hash_key: RandomState,
    abort: Option<SbomError>,
}

impl<'a> State<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            probed: false,
            rest: Map::new(),
            version: None,
            validators: None,
            builder: None,
            components: Stream::default(),
            dependencies: Stream::default(),
            violations: Violations::default(),
            bom_refs: HashSet::new(),
            hash_key: RandomState::new(),
            abort: None,
        }
    }

    fn stream(&mut self, kind: Kind) -> &mut Stream {
        match kind {
            Kind::Components => &mut self.components,
            Kind::Dependencies => &mut self.dependencies,
        }
    }

    fn set_version(&mut self, written: &str) -> Result<(), SbomError> {
        let version = Version::parse(written).ok_or_else(|| unsupported(written))?;
        self.version = Some(version);
        self.validators = validators(version);
        self.builder = Some(Builder::new(SbomEncoding::Json, written));
        Ok(())
    }

    /// One element of a streamed array.
    fn element(&mut self, kind: Kind, value: Value) -> Result<(), SbomError> {
        let index = self.stream(kind).next_index;
        self.stream(kind).next_index += 1;
        if index >= MAX_COMPONENTS {
            return Err(SbomError::Limit(LimitExceeded::Count {
                format: None,
                items: kind.key(),
                limit: MAX_COMPONENTS,
            }));
        }
        if self.builder.is_none() && !self.probed {
            // `specVersion` comes after the arrays: look ahead for it (one more pass over the
            // bytes) rather than hold every element until it comes.
            self.probed = true;
            // A look-ahead only: the strict pass reads the same bytes and refuses a repeated
            // `specVersion` (serde's derive refuses it here too).
            #[allow(clippy::disallowed_methods)]
            let probe = serde_json::from_slice(self.input);
            if let Ok(VersionProbe {
                spec_version: Some(Value::String(written)),
            }) = probe
            {
                self.set_version(&written)?;
            }
        }
        if self.builder.is_none() {
            self.stream(kind).pending.push(value);
            return Ok(());
        }
        self.process(kind, index, &value)
    }

    fn process(&mut self, kind: Kind, index: usize, value: &Value) -> Result<(), SbomError> {
        let validator = self.validators.and_then(|v| match kind {
            Kind::Components => v.component.as_ref(),
            Kind::Dependencies => v.dependency.as_ref(),
        });
        let at = |path: &str| format!("/{}/{index}{path}", kind.key());
        if let Some(validator) = validator {
            if !validator.is_valid(value) {
                for e in validator.iter_errors(value) {
                    self.violations
                        .push(|| at(e.instance_path().as_str()), || message(&e));
                }
            }
        }
        // Elements with distinct bom-refs are distinct; a repeated bom-ref is reported below, so
        // only elements without one need the equality hash.
        let has_ref = value.get("bom-ref").is_some_and(Value::is_string);
        if kind == Kind::Dependencies || !has_ref {
            let h = self.equality_hash(value);
            let first = match self.stream(kind).seen.entry(h) {
                Entry::Occupied(first) => Some(*first.get()),
                Entry::Vacant(slot) => {
                    slot.insert(index);
                    None
                }
            };
            if let Some(first) = first {
                self.violations.push(
                    || at(""),
                    || {
                        format!(
                            "equal to /{}/{first}; the items of {} must be unique",
                            kind.key(),
                            kind.key()
                        )
                    },
                );
            }
        }
        let mut cx = Cx {
            builder: self.builder.as_mut().expect("version known"),
            bom_refs: &mut self.bom_refs,
            violations: &mut self.violations,
        };
        match kind {
            Kind::Components => {
                let ptr = Ptr::Index(&Ptr::Root, "components", index);
                read_component(&mut cx, value, &ptr, 0, Role::Component)
            }
            Kind::Dependencies => {
                read_dependency(cx.builder, value);
                Ok(())
            }
        }
    }

    fn equality_hash(&self, value: &Value) -> u64 {
        let mut h = self.hash_key.build_hasher();
        equality_feed(value, &mut h);
        h.finish()
    }

    fn finish(mut self, byte_order_mark: bool) -> Result<ParsedSbom, SbomError> {
        match self.rest.get("bomFormat") {
            Some(Value::String(s)) if s == "CycloneDX" => {}
            Some(_) => return Err(SbomError::NotAnSbom(NotAnSbom::BomFormat)),
            None => return Err(SbomError::NotAnSbom(NotAnSbom::NoBomFormat)),
        }
        if self.builder.is_none() {
            return Err(match self.rest.get("specVersion") {
                None => SbomError::Field {
                    at: "/specVersion".into(),
                    what: "missing".into(),
                },
                Some(v) => SbomError::Field {
                    at: "/specVersion".into(),
                    what: format!("must be a string such as \"1.6\", not {v}"),
                },
            });
        }
        for kind in [Kind::Components, Kind::Dependencies] {
            let pending = std::mem::take(&mut self.stream(kind).pending);
            for (index, value) in pending.iter().enumerate() {
                self.process(kind, index, value)?;
            }
            if self.stream(kind).streamed {
                self.rest
                    .insert(kind.key().into(), Value::Array(Vec::new()));
            }
        }
        let rest = Value::Object(std::mem::take(&mut self.rest));
        if let Some(validators) = self.validators {
            if !validators.root.is_valid(&rest) {
                for e in validators.root.iter_errors(&rest) {
                    self.violations
                        .push(|| e.instance_path().as_str().to_string(), || message(&e));
                }
            }
        }
        let mut builder = self.builder.take().expect("checked above");
        if byte_order_mark {
            builder.deviation(
                || "line 1".into(),
                || "UTF-8 byte order mark before the JSON text; ignored".into(),
            );
        }
        builder.sbom.has_dependency_section =
            self.dependencies.streamed || rest.get("dependencies").is_some_and(Value::is_array);
        read_document(
            &mut Cx {
                builder: &mut builder,
                bom_refs: &mut self.bom_refs,
                violations: &mut self.violations,
            },
            &rest,
        )?;
        Ok(ParsedSbom {
            sbom: builder.finish(),
            violations: self.violations.finish(),
            validated: self.validators.is_some(),
            not_validated: None,
        })
    }
}

/// A hasher for keys that are already keyed hashes.
#[derive(Default)]
struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

fn message(e: &jsonschema::ValidationError<'_>) -> String {
    let text = e.to_string();
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// Feed `value` to `h` so that values equal under JSON equality (`1` = `1.0`, member order
/// ignored) feed the same bytes.
fn equality_feed(value: &Value, h: &mut impl Hasher) {
    match value {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => {
            h.write_u8(1);
            b.hash(h);
        }
        Value::Number(n) => {
            h.write_u8(2);
            let int = n.as_i64().map(i128::from).or(n.as_u64().map(i128::from));
            #[allow(clippy::cast_possible_truncation)] // only for exactly integral values
            let int = int.or_else(|| {
                let f = n.as_f64()?;
                (f.fract() == 0.0 && f.abs() < 9.0e18).then_some(f as i128)
            });
            match int {
                Some(i) => {
                    h.write_u8(0);
                    h.write_i128(i);
                }
                None => {
                    h.write_u8(1);
                    h.write_u64(n.as_f64().unwrap_or(f64::NAN).to_bits());
                }
            }
        }
        Value::String(s) => {
            h.write_u8(3);
            s.hash(h);
        }
        Value::Array(items) => {
            h.write_u8(4);
            h.write_usize(items.len());
            for item in items {
                equality_feed(item, h);
            }
        }
        Value::Object(members) => {
            h.write_u8(5);
            h.write_usize(members.len());
            let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
            if !sorted.is_sorted_by(|a, b| a.0 <= b.0) {
                sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
            }
            for (k, v) in sorted {
                k.hash(h);
                equality_feed(v, h);
            }
        }
    }
}

/// What reading components needs: the model, and the bom-refs seen so far (components' bom-refs
/// must be unique: dependencies name components by them).
struct Cx<'a> {
    builder: &'a mut Builder,
    bom_refs: &'a mut HashSet<Box<str>>,
    violations: &'a mut Violations,
}

/// A JSON pointer built only when a deviation needs it.
enum Ptr<'a> {
    Root,
    Key(&'a Ptr<'a>, &'static str),
    Index(&'a Ptr<'a>, &'static str, usize),
}

impl fmt::Display for Ptr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ptr::Root => Ok(()),
            Ptr::Key(parent, key) => write!(f, "{parent}/{key}"),
            Ptr::Index(parent, key, i) => write!(f, "{parent}/{key}/{i}"),
        }
    }
}

fn str_at<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

fn owned_at(value: &Value, key: &str) -> Option<String> {
    str_at(value, key).map(str::to_string)
}

fn array_at<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Read a component (and, after it, its nested `components`) into `builder`.
fn read_component(
    cx: &mut Cx<'_>,
    value: &Value,
    at: &Ptr<'_>,
    nesting: usize,
    role: Role,
) -> Result<(), SbomError> {
    if !value.is_object() {
        return Ok(());
    }
    cx.builder.admit(nesting)?;
    if let Some(r) = str_at(value, "bom-ref") {
        if !cx.bom_refs.insert(r.into()) {
            cx.violations.push(
                || format!("{at}/bom-ref"),
                || format!("bom-ref {r:?} is not unique: another component has it"),
            );
        }
    }
    let mut parts = ComponentParts::default();
    let c = &mut parts.component;
    c.id = owned_at(value, "bom-ref");
    c.kind = owned_at(value, "type");
    c.name = owned_at(value, "name");
    c.version = owned_at(value, "version");
    c.purl = owned_at(value, "purl");
    c.cpe = owned_at(value, "cpe");
    c.supplier = value.get("supplier").and_then(|s| owned_at(s, "name"));
    parts.publisher = owned_at(value, "publisher");
    parts.group = owned_at(value, "group");
    for (i, h) in array_at(value, "hashes").iter().enumerate() {
        if let (Some(alg), Some(content)) = (str_at(h, "alg"), str_at(h, "content")) {
            let hashes_at = Ptr::Index(at, "hashes", i);
            if let Some(hash) = cx
                .builder
                .hash(alg, content, || format!("{hashes_at}/content"))
            {
                parts.component.hashes.push(hash);
            }
        }
    }
    parts.component.licenses = read_licenses(value);
    if role == Role::Subject {
        for r in array_at(value, "externalReferences") {
            if str_at(r, "type") == Some("vcs") {
                if let Some(url) = owned_at(r, "url") {
                    parts.vcs_urls.push(url);
                }
            }
        }
        parts.properties = read_properties(value);
    }
    cx.builder.file(role, parts);
    let child_role = match role {
        Role::Component | Role::Subject => Role::Component,
        Role::Tool | Role::Ignored => Role::Ignored,
    };
    for (i, child) in array_at(value, "components").iter().enumerate() {
        let child_at = Ptr::Index(at, "components", i);
        read_component(cx, child, &child_at, nesting + 1, child_role)?;
    }
    Ok(())
}

fn read_licenses(value: &Value) -> Vec<String> {
    array_at(value, "licenses")
        .iter()
        .filter_map(|choice| {
            if let Some(license) = choice.get("license") {
                owned_at(license, "id").or_else(|| owned_at(license, "name"))
            } else {
                owned_at(choice, "expression")
            }
        })
        .collect()
}

fn read_properties(value: &Value) -> Vec<(String, String)> {
    array_at(value, "properties")
        .iter()
        .filter_map(|p| Some((owned_at(p, "name")?, owned_at(p, "value")?)))
        .collect()
}

fn read_dependency(builder: &mut Builder, value: &Value) {
    let Some(from) = str_at(value, "ref") else {
        return;
    };
    for to in array_at(value, "dependsOn")
        .iter()
        .filter_map(Value::as_str)
    {
        builder
            .sbom
            .dependencies
            .push((from.to_string(), to.to_string()));
    }
}

/// Everything but the streamed arrays: serial number, metadata (timestamp, authors, tools,
/// subject, properties).
fn read_document(cx: &mut Cx<'_>, doc: &Value) -> Result<(), SbomError> {
    cx.builder.sbom.serial = owned_at(doc, "serialNumber");
    // `components` / `dependencies` are here only when they were not streamed.
    for (i, c) in array_at(doc, "components").iter().enumerate() {
        let at = Ptr::Index(&Ptr::Root, "components", i);
        read_component(cx, c, &at, 0, Role::Component)?;
    }
    for d in array_at(doc, "dependencies") {
        read_dependency(cx.builder, d);
    }
    let Some(metadata) = doc.get("metadata") else {
        return Ok(());
    };
    let at = Ptr::Key(&Ptr::Root, "metadata");
    cx.builder.sbom.created = owned_at(metadata, "timestamp");
    for author in array_at(metadata, "authors") {
        if let Some(name) = str_at(author, "name") {
            cx.builder.author(name);
        }
    }
    for key in ["manufacturer", "manufacture", "supplier"] {
        if let Some(name) = metadata.get(key).and_then(|m| str_at(m, "name")) {
            cx.builder.author(name);
        }
    }
    match metadata.get("tools") {
        Some(Value::Array(tools)) => {
            for t in tools {
                let label =
                    super::tool_label(str_at(t, "vendor"), str_at(t, "name"), str_at(t, "version"));
                cx.builder.sbom.tools.extend(label);
            }
        }
        Some(tools @ Value::Object(_)) => {
            let tools_at = Ptr::Key(&at, "tools");
            for (i, c) in array_at(tools, "components").iter().enumerate() {
                let c_at = Ptr::Index(&tools_at, "components", i);
                read_component(cx, c, &c_at, 0, Role::Tool)?;
            }
            for s in array_at(tools, "services") {
                let label =
                    super::tool_label(str_at(s, "group"), str_at(s, "name"), str_at(s, "version"));
                cx.builder.sbom.tools.extend(label);
            }
        }
        _ => {}
    }
    if let Some(subject) = metadata.get("component") {
        let subject_at = Ptr::Key(&at, "component");
        read_component(cx, subject, &subject_at, 0, Role::Subject)?;
    }
    for (name, value) in read_properties(metadata) {
        cx.builder.metadata_property(&name, &value);
    }
    Ok(())
}

/// The document: an object whose `components` / `dependencies` are streamed.
struct Top<'s, 'a>(&'s mut State<'a>);

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CycloneDX JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.0;
        while let Some(key) = map.next_key::<String>()? {
            let kind = match key.as_str() {
                "components" => Some(Kind::Components),
                "dependencies" => Some(Kind::Dependencies),
                _ => None,
            };
            let repeated =
                state.rest.contains_key(&key) || kind.is_some_and(|k| state.stream(k).streamed);
            if repeated {
                state.abort = Some(SbomError::Syntax {
                    encoding: "JSON",
                    detail: format!("the top-level key {key:?} appears twice"),
                });
                return Err(de::Error::custom(ABORTED));
            }
            if let Some(kind) = kind {
                if let Some(not_array) = map.next_value_seed(ArraySeed { state, kind })? {
                    state.rest.insert(key, not_array);
                } else {
                    state.stream(kind).streamed = true;
                }
                continue;
            }
            let value = map.next_value_seed(crate::json::strict_seed(1))?;
            // Unless the look-ahead already read it (the same value: keys are not repeated).
            if key == "specVersion" && state.version.is_none() {
                if let Value::String(written) = &value {
                    if let Err(e) = state.set_version(written) {
                        state.abort = Some(e);
                        return Err(de::Error::custom(ABORTED));
                    }
                }
            }
            state.rest.insert(key, value);
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        self.0.abort = Some(not_an_object());
        Err(de::Error::custom(ABORTED))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.not_object()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.not_object()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.not_object()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.not_object()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.not_object()
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.not_object()
    }
}

impl Top<'_, '_> {
    fn not_object<E: de::Error>(self) -> Result<(), E> {
        self.0.abort = Some(not_an_object());
        Err(E::custom(ABORTED))
    }
}

fn not_an_object() -> SbomError {
    SbomError::NotAnSbom(NotAnSbom::JsonNotAnObject)
}

/// A top-level `components` / `dependencies` value: an array is streamed (`None`); anything else
/// is returned whole for the root schema to judge.
struct ArraySeed<'s, 'a> {
    state: &'s mut State<'a>,
    kind: Kind,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, '_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Value>, A::Error> {
        while let Some(value) = seq.next_element_seed(crate::json::strict_seed(2))? {
            if let Err(e) = self.state.element(self.kind, value) {
                self.state.abort = Some(e);
                return Err(de::Error::custom(ABORTED));
            }
        }
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<Value>, A::Error> {
        crate::json::strict_seed(1)
            .deserialize(de::value::MapAccessDeserializer::new(map))
            .map(Some)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<Value>, E> {
        Ok(Some(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<Value>, E> {
        Ok(Some(Value::String(v.to_string())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<Value>, E> {
        Ok(Some(Value::Null))
    }
}
