//! in-toto Statements (v0.1 and v1), parsed strictly.

use std::collections::BTreeMap;

use provenant_model::Digest;
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
    /// The statement as in-toto JSON (`_type`, `subject`, `predicateType`, `predicate`): the same
    /// value that was signed, for readers that take a JSON value.
    pub fn to_value(&self) -> Value {
        let subjects: Vec<Value> = self
            .subjects
            .iter()
            .map(|s| serde_json::json!({"name": s.name, "digest": s.digest}))
            .collect();
        serde_json::json!({
            "_type": self.statement_type,
            "subject": subjects,
            "predicateType": self.predicate_type,
            "predicate": self.predicate,
        })
    }
}

/// How a statement's subjects name an artifact known by its digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectMatch {
    /// No subject carries any of the artifact's digests.
    NotNamed,
    /// A subject names the artifact, and every mention of it agrees.
    Named {
        /// The algorithms of the artifact's digests that a subject carries.
        matched: Vec<String>,
        /// Algorithms of the subjects about the artifact whose values could not be compared:
        /// ones provenant does not compute (`sha1`, `gitCommit`, ...), or ones the artifact was
        /// not hashed with (only `--digest` was given).
        unchecked: Vec<String>,
    },
    /// A subject names the artifact, and another mention contradicts it.
    Conflict {
        /// What disagrees, for people.
        detail: String,
    },
}

impl Statement {
    /// Whether some subject carries `algorithm` = `hex` (hex compared case-insensitively).
    ///
    /// Only for statements whose subjects are not about an artifact being verified (a gate
    /// predicate's scanned commit); binding an artifact goes through
    /// [`Statement::match_subject`], which also refuses contradictions.
    pub fn has_subject_digest(&self, algorithm: &str, hex: &str) -> bool {
        self.subjects.iter().any(|s| {
            s.digest
                .get(algorithm)
                .is_some_and(|v| v.eq_ignore_ascii_case(hex))
        })
    }

    /// How the subjects name the artifact whose digests are `artifact`.
    ///
    /// A subject names the artifact when one of its digests equals one of the artifact's. The
    /// subjects *about* the artifact are those, plus every subject that shares a (non-empty)
    /// name or a digest value with one of them. Across those, each algorithm (names compared
    /// case-insensitively) must have one value, and where the artifact was hashed with that
    /// algorithm, the artifact's: a subject with the right sha256 and a wrong sha512, or two
    /// subjects of one name with different digests, is a [`SubjectMatch::Conflict`], never a
    /// match. Values of algorithms that could not be compared are listed as unchecked.
    pub fn match_subject(&self, artifact: &[Digest]) -> SubjectMatch {
        let known: Vec<(String, String)> = artifact
            .iter()
            .map(|d| (d.algorithm().name().to_owned(), d.hex().to_owned()))
            .collect();
        self.match_subject_values(&known)
    }

    /// [`Statement::match_subject`] for an artifact known by `(algorithm, value)` pairs of any
    /// algorithm (a VSA's `gce_image_id`, ...).
    pub fn match_subject_values(&self, artifact: &[(String, String)]) -> SubjectMatch {
        use std::collections::{HashMap, VecDeque};
        let known: BTreeMap<String, String> = artifact
            .iter()
            .map(|(a, v)| (a.to_ascii_lowercase(), v.to_ascii_lowercase()))
            .collect();
        let digests: Vec<Vec<(String, &str)>> = self
            .subjects
            .iter()
            .map(|s| {
                s.digest
                    .iter()
                    .map(|(a, v)| (a.to_ascii_lowercase(), v.as_str()))
                    .collect()
            })
            .collect();
        let names_artifact = |i: usize| {
            digests[i].iter().any(|(a, v)| {
                known
                    .get(a.as_str())
                    .is_some_and(|k| k.eq_ignore_ascii_case(v))
            })
        };
        let mut about = vec![false; self.subjects.len()];
        let mut queue: VecDeque<usize> = VecDeque::new();
        for (i, flag) in about.iter_mut().enumerate() {
            if names_artifact(i) {
                *flag = true;
                queue.push_back(i);
            }
        }
        if queue.is_empty() {
            return SubjectMatch::NotNamed;
        }
        // Subjects linked by a shared name or digest value (breadth first: linear in the
        // number of digests, whatever the number of subjects).
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_value: HashMap<(&str, String), Vec<usize>> = HashMap::new();
        for (i, s) in self.subjects.iter().enumerate() {
            if !s.name.is_empty() {
                by_name.entry(s.name.as_str()).or_default().push(i);
            }
            for (a, v) in &digests[i] {
                by_value
                    .entry((a.as_str(), v.to_ascii_lowercase()))
                    .or_default()
                    .push(i);
            }
        }
        while let Some(i) = queue.pop_front() {
            let s = &self.subjects[i];
            let mut linked: Vec<usize> = Vec::new();
            if !s.name.is_empty() {
                linked.extend(by_name.get(s.name.as_str()).into_iter().flatten());
            }
            for (a, v) in &digests[i] {
                linked.extend(
                    by_value
                        .get(&(a.as_str(), v.to_ascii_lowercase()))
                        .into_iter()
                        .flatten(),
                );
            }
            for j in linked {
                if !about[j] {
                    about[j] = true;
                    queue.push_back(j);
                }
            }
        }
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (i, _) in about.iter().enumerate().filter(|(_, a)| **a) {
            for (a, v) in &digests[i] {
                let list = values.entry(a.clone()).or_default();
                let v = v.to_ascii_lowercase();
                if !list.contains(&v) {
                    list.push(v);
                }
            }
        }
        let mut problems = Vec::new();
        let mut matched = Vec::new();
        let mut unchecked = Vec::new();
        for (alg, vals) in &values {
            match known.get(alg.as_str()) {
                Some(k) if vals.len() == 1 && vals[0] == *k => matched.push(alg.clone()),
                Some(k) => {
                    let other: Vec<&str> = vals
                        .iter()
                        .filter(|v| *v != k)
                        .map(String::as_str)
                        .collect();
                    problems.push(format!(
                        "{alg} {} (the artifact's is {k})",
                        other.join(" and ")
                    ));
                }
                None if vals.len() > 1 => {
                    problems.push(format!("{alg} is both {}", vals.join(" and ")));
                }
                None => unchecked.push(alg.clone()),
            }
        }
        if problems.is_empty() {
            SubjectMatch::Named { matched, unchecked }
        } else {
            let n = about.iter().filter(|a| **a).count();
            SubjectMatch::Conflict {
                detail: format!(
                    "the subject{} naming the artifact also name{} {}",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "s" } else { "" },
                    problems.join("; ")
                ),
            }
        }
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
