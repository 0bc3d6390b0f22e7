//! Why a build or deployment file could not be read.

/// A build or deployment file that is not what it claims to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContractError {
    /// Not JSON.
    #[error("not JSON: {0}")]
    Json(String),
    /// A field missing or of the wrong kind.
    #[error("{at}: {what}")]
    Field {
        /// Where.
        at: String,
        /// What is wrong.
        what: String,
    },
    /// Not a build format provenant reads.
    #[error("not a Foundry or Hardhat artifact, a build-info file or a solc standard-JSON output")]
    UnknownBuild,
    /// Not a deployment record provenant reads.
    #[error("not a Foundry broadcast (run-latest.json) or a hardhat-deploy deployment record")]
    UnknownDeployment,
}

impl ContractError {
    pub(crate) fn field(at: &str, what: impl Into<String>) -> Self {
        Self::Field {
            at: at.to_owned(),
            what: what.into(),
        }
    }
}
