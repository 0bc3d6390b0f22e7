//! Smart-contract builds and deployments, read strictly and matched purely: no I/O.
//!
//! ```
//! use provenant_contract::{read_build, trailer};
//! assert!(read_build(b"{}").is_err());
//! assert!(trailer(&[0x60, 0x80]).is_none());
//! ```

mod build;
mod cbor;
mod code;
mod deployment;
mod error;
pub mod limits;
mod matching;
mod proxy;
mod snapshot;

pub use alloy_primitives::{Address, B256};
pub use build::{read_build, Build, BuildContract, BuildFormat};
pub use cbor::{trailer, Trailer};
pub use code::{parse_hex, Code, LinkRef};
pub use deployment::{parse_address, parse_b256, read_deployment, Deployment, DeploymentFormat};
pub use error::ContractError;
pub use matching::{
    canonical_arguments, check_arguments, encode_arguments, match_creation, match_runtime,
    ArgumentsCheck, CodeMatch, CreationMatch, FoundLink, MatchKind,
};
pub use proxy::{
    eip1167_target, slot_address, SlotValue, EIP1822_PROXIABLE, EIP1967_ADMIN, EIP1967_BEACON,
    EIP1967_IMPLEMENTATION, IMPLEMENTATION_SELECTOR,
};
pub use snapshot::{ChainSnapshot, CreationTx, ProxySnapshot};
