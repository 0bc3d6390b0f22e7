//! What the JSON schemas compiled into the binary (CycloneDX, SARIF) share: a retriever that
//! refuses every reference it is asked for, so compiling a schema never touches the network or
//! the file system (every `$ref` the schemas use is served from embedded copies).

use jsonschema::{Retrieve, Uri};
use serde_json::Value;

/// A `jsonschema` retriever that fetches nothing.
pub(crate) struct NoFetch;

impl Retrieve for NoFetch {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        Err(format!("{uri} is not bundled with provenant and is never fetched").into())
    }
}

/// Why a schema compiled into the binary could not be compiled: a build defect the tests catch
/// (documents are then refused or reported not validated, never read as valid).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum SchemaError {
    /// An embedded schema file is not JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// An embedded schema lacks a member the compiler relies on.
    #[error("{0}")]
    Missing(&'static str),
    /// The schema registry refused a document.
    #[error(transparent)]
    Registry(#[from] jsonschema::ReferencingError),
    /// jsonschema refused the schema.
    #[error(transparent)]
    Compile(#[from] jsonschema::ValidationError<'static>),
}
