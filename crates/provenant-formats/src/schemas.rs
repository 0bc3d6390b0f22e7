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
