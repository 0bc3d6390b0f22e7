//! The npm registry's attestations document
//! (`https://registry.npmjs.org/-/npm/v1/attestations/<name>@<version>`):
//! `{"attestations": [{"predicateType": URI, "bundle": <Sigstore bundle>}, ...]}`.
//!
//! A published package normally has two: the registry's *publish attestation*, signed with npm's
//! registry key, and the *SLSA provenance* the CI build signed keylessly.

use serde_json::Value;

use crate::bundle::{bundle_from_value, BundleError, ParsedBundle};

pub use crate::limits::MAX_NPM_ATTESTATIONS;

/// The predicate type of npm's publish attestation.
pub const NPM_PUBLISH_V01: &str = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1";

/// One entry of the document.
#[derive(Debug, Clone)]
pub struct NpmAttestation {
    /// The entry's `predicateType` (unsigned: only the bundle's statement is trusted).
    pub predicate_type: String,
    /// The entry's bundle.
    pub bundle: Result<ParsedBundle, BundleError>,
}

/// Whether `value` has the shape of an npm attestations document.
pub fn is_npm_attestations(value: &Value) -> bool {
    value
        .get("attestations")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter()
                .all(|e| e.get("bundle").is_some() || e.get("predicateType").is_some())
        })
}

/// Why an npm attestations document is unusable as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NpmError {
    /// No `attestations` array.
    #[error("no \"attestations\" list")]
    NoList,
    /// An empty `attestations` array.
    #[error("the attestations list is empty")]
    Empty,
    /// More entries than [`MAX_NPM_ATTESTATIONS`].
    #[error("{count} attestations; at most {limit} are read")]
    TooMany {
        /// Entries in the document.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// An entry that is not a JSON object.
    #[error("attestation {position} is not an object")]
    NotAnObject {
        /// 1-based position in the list.
        position: usize,
    },
}

/// Read every entry. Errors only when the document itself is unusable (no entries, too many,
/// an entry that is not an object); a bad bundle is reported in its entry.
pub fn npm_attestations(value: &Value) -> Result<Vec<NpmAttestation>, NpmError> {
    let list = value
        .get("attestations")
        .and_then(Value::as_array)
        .ok_or(NpmError::NoList)?;
    if list.is_empty() {
        return Err(NpmError::Empty);
    }
    if list.len() > MAX_NPM_ATTESTATIONS {
        return Err(NpmError::TooMany {
            count: list.len(),
            limit: MAX_NPM_ATTESTATIONS,
        });
    }
    let mut out = Vec::with_capacity(list.len());
    for (n, entry) in list.iter().enumerate() {
        let Some(obj) = entry.as_object() else {
            return Err(NpmError::NotAnObject { position: n + 1 });
        };
        let predicate_type = obj
            .get("predicateType")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let bundle = match obj.get("bundle") {
            None => Err(BundleError::NotABundle),
            Some(b) => match serde_json::to_vec(b) {
                Ok(bytes) => bundle_from_value(b, &bytes),
                Err(e) => Err(BundleError::Invalid(e.to_string())),
            },
        };
        out.push(NpmAttestation {
            predicate_type,
            bundle,
        });
    }
    Ok(out)
}

/// The package URL npm writes as the subject name: `pkg:npm/<name>@<version>`, with the `@` of a
/// scope percent-encoded (`pkg:npm/%40scope/name@1.0.0`).
pub fn npm_purl(name: &str, version: &str) -> String {
    let name = name
        .strip_prefix('@')
        .map_or_else(|| name.to_owned(), |n| format!("%40{n}"));
    format!("pkg:npm/{name}@{version}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_encodes_scope() {
        assert_eq!(npm_purl("sigstore", "2.1.0"), "pkg:npm/sigstore@2.1.0");
        assert_eq!(
            npm_purl("@scope/pkg", "1.0.0"),
            "pkg:npm/%40scope/pkg@1.0.0"
        );
    }

    #[test]
    fn document_shape_errors() {
        let empty = serde_json::json!({"attestations": []});
        assert!(npm_attestations(&empty).is_err());
        let not_obj = serde_json::json!({"attestations": [1]});
        assert!(npm_attestations(&not_obj).is_err());
        let e = npm_attestations(&serde_json::json!({"attestations": [{}, 1]})).unwrap_err();
        assert_eq!(e, NpmError::NotAnObject { position: 2 });
        assert_eq!(e.to_string(), "attestation 2 is not an object");
        let many = vec![serde_json::json!({}); MAX_NPM_ATTESTATIONS + 1];
        let e = npm_attestations(&serde_json::json!({ "attestations": many })).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{} attestations; at most {MAX_NPM_ATTESTATIONS} are read",
                MAX_NPM_ATTESTATIONS + 1
            )
        );
        let no_bundle = serde_json::json!({"attestations": [{"predicateType": NPM_PUBLISH_V01}]});
        let list = npm_attestations(&no_bundle).unwrap();
        assert!(list[0].bundle.is_err());
    }
}
