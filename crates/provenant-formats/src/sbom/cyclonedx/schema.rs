//! The bundled CycloneDX JSON schemas, compiled once per version on first use.
//!
//! Every `$ref` outside a schema (`spdx.SNAPSHOT.schema.json`, `jsf-0.82.SNAPSHOT.schema.json`,
//! `cryptography-defs.SNAPSHOT.schema.json`) is served from the embedded copies; the retriever
//! refuses everything else, so compiling never touches the network or the file system.

use std::sync::OnceLock;

use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Map, Value};

use super::Version;
use crate::schemas::{NoFetch, SchemaError};

const BOM: [&str; 6] = [
    include_str!("../../../schemas/cyclonedx/bom-1.2.SNAPSHOT.schema.json"),
    include_str!("../../../schemas/cyclonedx/bom-1.3.SNAPSHOT.schema.json"),
    include_str!("../../../schemas/cyclonedx/bom-1.4.SNAPSHOT.schema.json"),
    include_str!("../../../schemas/cyclonedx/bom-1.5.SNAPSHOT.schema.json"),
    include_str!("../../../schemas/cyclonedx/bom-1.6.SNAPSHOT.schema.json"),
    include_str!("../../../schemas/cyclonedx/bom-1.7.SNAPSHOT.schema.json"),
];

/// (name the bom schemas `$ref`, contents); each is registered under that name resolved against
/// `http://cyclonedx.org/schema/` and under its own `$id`.
const SHARED: [(&str, &str); 3] = [
    (
        "spdx.SNAPSHOT.schema.json",
        include_str!("../../../schemas/cyclonedx/spdx.SNAPSHOT.schema.json"),
    ),
    (
        "jsf-0.82.SNAPSHOT.schema.json",
        include_str!("../../../schemas/cyclonedx/jsf-0.82.SNAPSHOT.schema.json"),
    ),
    (
        "cryptography-defs.SNAPSHOT.schema.json",
        include_str!("../../../schemas/cyclonedx/cryptography-defs.SNAPSHOT.schema.json"),
    ),
];

const BASE: &str = "http://cyclonedx.org/schema/";

/// One version's validators.
pub(super) struct Validators {
    /// The whole document.
    pub root: Validator,
    /// One element of the top-level `components` array, when that array's schema is exactly
    /// `{type: array, items: X, uniqueItems: true}` (so streaming its elements checks the same).
    pub component: Option<Validator>,
    /// One element of the top-level `dependencies` array (same condition).
    pub dependency: Option<Validator>,
}

/// The validators of `version`, compiled on first use; `None` if the bundled schema does not
/// compile (a build defect, caught by the tests: the document is then reported not validated).
pub(super) fn validators(version: Version) -> Option<&'static Validators> {
    static CACHE: [OnceLock<Option<Validators>>; 6] = [const { OnceLock::new() }; 6];
    CACHE[version.index()]
        .get_or_init(|| compile(version).ok())
        .as_ref()
}

// Trusted input: the schemas compiled into the binary.
#[allow(clippy::disallowed_methods)]
fn compile(version: Version) -> Result<Validators, SchemaError> {
    let root: Value = serde_json::from_str(BOM[version.index()])?;
    let root_id = root
        .get("$id")
        .and_then(Value::as_str)
        .ok_or(SchemaError::Missing("bundled schema without $id"))?
        .to_string();
    let shared: Vec<(String, Value)> = SHARED
        .iter()
        .map(|(name, text)| serde_json::from_str(text).map(|v| (format!("{BASE}{name}"), v)))
        .collect::<Result<_, _>>()?;
    let mut builder = Registry::new()
        .retriever(NoFetch)
        .draft(Draft::Draft7)
        .retrieve_known_draft_meta_schemas(false)
        .add(&root_id, &root)?;
    for (uri, value) in &shared {
        builder = builder.add(uri, value)?;
        if let Some(id) = value.get("$id").and_then(Value::as_str) {
            if id != uri {
                builder = builder.add(id, value)?;
            }
        }
    }
    let registry = builder.prepare()?;
    let build = |schema: &Value| {
        jsonschema::options()
            .with_draft(Draft::Draft7)
            .should_validate_formats(true)
            .with_retriever(NoFetch)
            .with_registry(&registry)
            .build(schema)
            .map_err(SchemaError::from)
    };
    let item = |property: &str| -> Result<Option<Validator>, SchemaError> {
        match streamable_items(&root, property) {
            Some(reference) => build(&json!({ "$ref": format!("{root_id}{reference}") })).map(Some),
            None => Ok(None),
        }
    };
    Ok(Validators {
        root: build(&root)?,
        component: item("components")?,
        dependency: item("dependencies")?,
    })
}

/// The `#/definitions/...` reference of the items of top-level `property`, when its schema
/// constrains nothing but the type, the items and their uniqueness.
fn streamable_items(root: &Value, property: &str) -> Option<String> {
    let schema: &Map<String, Value> = root.get("properties")?.get(property)?.as_object()?;
    let annotation = ["$id", "title", "description", "$comment", "additionalItems"];
    let only_expected = schema.iter().all(|(k, v)| match k.as_str() {
        "type" => v == "array",
        "uniqueItems" => v == true,
        "items" => true,
        _ => annotation.contains(&k.as_str()),
    });
    if !only_expected || schema.get("uniqueItems") != Some(&Value::Bool(true)) {
        return None;
    }
    let items = schema.get("items")?.as_object()?;
    if items.len() != 1 {
        return None;
    }
    let reference = items.get("$ref")?.as_str()?;
    reference
        .starts_with("#/definitions/")
        .then(|| reference.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_schema_compiles_with_streamable_arrays() {
        for v in Version::ALL {
            let compiled = compile(v).unwrap_or_else(|e| panic!("{}: {e}", v.as_str()));
            assert!(compiled.component.is_some(), "{}", v.as_str());
            assert!(compiled.dependency.is_some(), "{}", v.as_str());
        }
    }
}
