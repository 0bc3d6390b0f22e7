//! Strict JSON: duplicate keys rejected, nesting depth bounded. The one entry point for every
//! JSON document provenant reads from outside ([`parse_strict`]); clippy's `disallowed-methods`
//! (clippy.toml) refuses `serde_json::from_slice` and its kin everywhere else.
//!
//! serde_json keeps the last of duplicate keys; another parser may keep the first. Where a
//! verdict depends on the bytes, that difference lets an attacker show two readers two documents
//! (a SARIF log with `results` twice, the critical finding first and `[]` last), so provenant
//! refuses such input outright.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::limits::MAX_JSON_DEPTH;

/// Why strict JSON parsing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// Not JSON, or truncated.
    #[error("not valid JSON: {0}")]
    Syntax(String),
    /// The same key twice in one object.
    #[error("duplicate JSON key {0:?}")]
    DuplicateKey(String),
    /// Nested deeper than [`MAX_JSON_DEPTH`].
    #[error("JSON nested deeper than {MAX_JSON_DEPTH} levels")]
    TooDeep,
}

impl JsonError {
    pub(crate) fn from_serde(e: &serde_json::Error) -> Self {
        let msg = e.to_string();
        match refusal(&msg) {
            Some(Refusal::DuplicateKey(key)) => Self::DuplicateKey(key),
            Some(Refusal::TooDeep) => Self::TooDeep,
            _ if msg.starts_with("recursion limit exceeded") => Self::TooDeep,
            _ => Self::Syntax(msg),
        }
    }
}

const DUP_PREFIX: &str = "provenant-duplicate-key:";
const DEPTH_MSG: &str = "provenant-too-deep";
const NON_FINITE_MSG: &str = "provenant-non-finite-number";

/// What the strict visitor refused, recovered from a deserializer's error message (serde errors
/// carry only text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The same key twice in one mapping.
    DuplicateKey(String),
    /// Deeper than [`MAX_JSON_DEPTH`].
    TooDeep,
    /// A number that is not finite (YAML `.inf`, `.nan`).
    NonFinite,
}

/// The refusal a strict-visitor error message stands for, if it is one (deserializers may put a
/// path before it and a position after it).
pub(crate) fn refusal(msg: &str) -> Option<Refusal> {
    if let Some(at) = msg.find(DUP_PREFIX) {
        let key = &msg[at + DUP_PREFIX.len()..];
        let key = key.rsplit_once(" at line ").map_or(key, |(k, _)| k);
        return Some(Refusal::DuplicateKey(key.to_string()));
    }
    if msg.contains(DEPTH_MSG) {
        return Some(Refusal::TooDeep);
    }
    if msg.contains(NON_FINITE_MSG) {
        return Some(Refusal::NonFinite);
    }
    None
}

/// Parse bytes as strict JSON (UTF-8, duplicate keys rejected, depth bounded).
pub fn parse_strict(bytes: &[u8]) -> Result<Value, JsonError> {
    #[allow(clippy::disallowed_methods)] // the one place JSON bytes meet serde_json
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = strict_value(&mut de).map_err(|e| JsonError::from_serde(&e))?;
    de.end().map_err(|e| JsonError::from_serde(&e))?;
    Ok(value)
}

/// One value read strictly from any self-describing deserializer (JSON, YAML): duplicate keys
/// and non-finite numbers refused, nesting bounded by [`MAX_JSON_DEPTH`].
pub(crate) fn strict_value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    StrictSeed { depth: 0 }.deserialize(d)
}

/// The strict reader for a value found `depth` containers deep (for streaming readers that
/// walk the outer levels themselves).
pub(crate) fn strict_seed(depth: usize) -> StrictSeed {
    StrictSeed { depth }
}

/// A strict value reader (see [`strict_value`]).
pub(crate) struct StrictSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for StrictSeed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor { depth: self.depth })
    }
}

struct StrictVisitor {
    depth: usize,
}

impl StrictVisitor {
    fn deeper<E: serde::de::Error>(&self) -> Result<usize, E> {
        if self.depth >= MAX_JSON_DEPTH {
            Err(E::custom(DEPTH_MSG))
        } else {
            Ok(self.depth + 1)
        }
    }
}

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(NON_FINITE_MSG))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let depth = self.deeper()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictSeed { depth })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let depth = self.deeper()?;
        let mut out = Map::new();
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("{DUP_PREFIX}{key}")));
            }
            let v = map.next_value_seed(StrictSeed { depth })?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_json() {
        let v = parse_strict(br#"{"a":[1,2,{"b":null}],"c":"d"}"#).unwrap();
        assert_eq!(v["c"], "d");
    }

    #[test]
    fn rejects_duplicates_at_any_depth() {
        assert_eq!(
            parse_strict(br#"{"a":1,"a":2}"#),
            Err(JsonError::DuplicateKey("a".into()))
        );
        assert_eq!(
            parse_strict(br#"{"x":[{"subject":1,"subject":2}]}"#),
            Err(JsonError::DuplicateKey("subject".into()))
        );
    }

    #[test]
    fn rejects_deep_nesting_without_overflow() {
        let deep = "[".repeat(100_000);
        assert!(matches!(
            parse_strict(deep.as_bytes()),
            Err(JsonError::TooDeep)
        ));
        let ok = format!("{}{}", "[".repeat(60), "]".repeat(60));
        assert!(parse_strict(ok.as_bytes()).is_ok());
    }

    #[test]
    fn rejects_trailing_garbage_and_truncation() {
        assert!(matches!(parse_strict(b"{} x"), Err(JsonError::Syntax(_))));
        assert!(matches!(
            parse_strict(br#"{"a":"#),
            Err(JsonError::Syntax(_))
        ));
        assert!(matches!(parse_strict(b""), Err(JsonError::Syntax(_))));
    }
}
