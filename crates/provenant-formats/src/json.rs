//! Strict JSON: duplicate keys rejected, nesting depth bounded.
//!
//! serde_json keeps the last of duplicate keys; another parser may keep the first. Where a
//! signature covers the bytes, that difference lets an attacker show two verifiers two documents,
//! so provenant refuses such input outright.

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
    fn from_serde(e: &serde_json::Error) -> Self {
        let msg = e.to_string();
        if let Some(key) = msg.strip_prefix(DUP_PREFIX) {
            let key = key.split(" at line").next().unwrap_or(key);
            return Self::DuplicateKey(key.to_string());
        }
        if msg.starts_with(DEPTH_MSG) || msg.starts_with("recursion limit exceeded") {
            return Self::TooDeep;
        }
        Self::Syntax(msg)
    }
}

const DUP_PREFIX: &str = "provenant-duplicate-key:";
const DEPTH_MSG: &str = "provenant-too-deep";

/// Parse bytes as strict JSON (UTF-8, duplicate keys rejected, depth bounded).
pub fn parse_strict(bytes: &[u8]) -> Result<Value, JsonError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictSeed { depth: 0 }
        .deserialize(&mut de)
        .map_err(|e| JsonError::from_serde(&e))?;
    de.end().map_err(|e| JsonError::from_serde(&e))?;
    Ok(value)
}

struct StrictSeed {
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
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
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
