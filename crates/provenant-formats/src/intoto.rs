//! in-toto Statements (v0.1 and v1), parsed strictly.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::json::{parse_strict, JsonError};
use crate::limits::MAX_STATEMENT_SUBJECTS;

/// `_type` of in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// `_type` of in-toto Statement v0.1.
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";

/// Why a statement was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatementError {
    /// Not strict JSON (duplicate keys included).
    #[error(transparent)]
    Json(#[from] JsonError),
    /// `_type` is not an in-toto statement type.
    #[error("unknown statement _type {0:?}")]
    UnknownType(String),
    /// A required field is missing or mistyped.
    #[error("statement field {0} is missing or has the wrong type")]
    Field(&'static str),
    /// No subjects.
    #[error("statement has no subjects")]
    NoSubjects,
    /// Too many subjects.
    #[error("statement has {0} subjects; at most {MAX_STATEMENT_SUBJECTS} are accepted")]
    TooManySubjects(usize),
}

/// One subject: a name and a digest set (`sha256`, `sha512`, `gitCommit`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSubject {
    /// The subject's name (may be empty).
    pub name: String,
    /// Algorithm name -> lowercase hex value.
    pub digest: BTreeMap<String, String>,
}

/// A parsed in-toto statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The `_type` URI.
    pub statement_type: String,
    /// The subjects.
    pub subjects: Vec<StatementSubject>,
    /// The predicate type URI.
    pub predicate_type: String,
    /// The predicate, kept as JSON.
    pub predicate: Value,
}

impl Statement {
    /// Whether some subject carries `algorithm` = `hex` (hex compared case-insensitively).
    pub fn has_subject_digest(&self, algorithm: &str, hex: &str) -> bool {
        self.subjects.iter().any(|s| {
            s.digest
                .get(algorithm)
                .is_some_and(|v| v.eq_ignore_ascii_case(hex))
        })
    }
}

/// Parse a statement from its JSON bytes (duplicate keys rejected).
pub fn parse_statement(bytes: &[u8]) -> Result<Statement, StatementError> {
    statement_from_value(parse_strict(bytes)?)
}

/// Read a statement from a parsed JSON value.
pub fn statement_from_value(v: Value) -> Result<Statement, StatementError> {
    let Value::Object(mut obj) = v else {
        return Err(StatementError::Field("(root object)"));
    };
    let statement_type = match obj.get("_type") {
        Some(Value::String(t)) => t.clone(),
        _ => return Err(StatementError::Field("_type")),
    };
    if statement_type != STATEMENT_V1 && statement_type != STATEMENT_V01 {
        return Err(StatementError::UnknownType(statement_type));
    }
    let predicate_type = match obj.get("predicateType") {
        // Real signers have written an empty predicateType (slsa-github-generator's container
        // builder); it is kept as an unknown predicate, not rejected.
        Some(Value::String(t)) => t.clone(),
        _ => return Err(StatementError::Field("predicateType")),
    };
    let subjects_v = match obj.get("subject") {
        Some(Value::Array(a)) => a,
        _ => return Err(StatementError::Field("subject")),
    };
    if subjects_v.is_empty() {
        return Err(StatementError::NoSubjects);
    }
    if subjects_v.len() > MAX_STATEMENT_SUBJECTS {
        return Err(StatementError::TooManySubjects(subjects_v.len()));
    }
    let mut subjects = Vec::with_capacity(subjects_v.len());
    for s in subjects_v {
        let name = match s.get("name") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(n)) => n.clone(),
            Some(_) => return Err(StatementError::Field("subject[].name")),
        };
        let Some(Value::Object(d)) = s.get("digest") else {
            return Err(StatementError::Field("subject[].digest"));
        };
        let mut digest = BTreeMap::new();
        for (alg, val) in d {
            let Value::String(hex) = val else {
                return Err(StatementError::Field("subject[].digest values"));
            };
            digest.insert(alg.clone(), hex.to_ascii_lowercase());
        }
        subjects.push(StatementSubject { name, digest });
    }
    let predicate = obj.remove("predicate").unwrap_or(Value::Null);
    Ok(Statement {
        statement_type,
        subjects,
        predicate_type,
        predicate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v1_and_matches_digests() {
        let s = parse_statement(
            br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"AB"}}],"predicateType":"p","predicate":{}}"#,
        )
        .unwrap();
        assert!(s.has_subject_digest("sha256", "ab"));
        assert!(!s.has_subject_digest("sha512", "ab"));
    }

    #[test]
    fn rejects_duplicates_and_unknown_types() {
        assert!(matches!(
            parse_statement(br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"subject":[{"digest":{"sha256":"00"}}],"predicateType":"p"}"#),
            Err(StatementError::Json(JsonError::DuplicateKey(_)))
        ));
        assert!(matches!(
            parse_statement(br#"{"_type":"x","subject":[],"predicateType":"p"}"#),
            Err(StatementError::UnknownType(_))
        ));
        assert!(matches!(
            parse_statement(
                br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}"#
            ),
            Err(StatementError::NoSubjects)
        ));
    }
}
