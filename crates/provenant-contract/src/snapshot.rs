//! What was read from the chain for one address: a plain value the collector fills and the
//! engine judges (so the judgement stays pure).

use alloy_primitives::{Address, B256};

/// The creation transaction, as the chain answers for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreationTx {
    /// Its hash.
    pub hash: B256,
    /// The init code that created the address: the transaction input for a plain deployment,
    /// or the CREATE/CREATE2 frame's input (from the trace) for a factory deployment.
    pub init_code: Vec<u8>,
    /// The address it created (the receipt's `contractAddress`, or the trace frame's `to`).
    pub created: Address,
    /// How the creation was found (`receipt` or `trace`).
    pub via: &'static str,
}

/// The proxy slots of the address and what they lead to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProxySnapshot {
    /// EIP-1967 implementation slot.
    pub implementation_slot: B256,
    /// EIP-1967 admin slot.
    pub admin_slot: B256,
    /// EIP-1967 beacon slot.
    pub beacon_slot: B256,
    /// EIP-1822 `PROXIABLE` slot.
    pub proxiable_slot: B256,
    /// The beacon's `implementation()` answer (an address word), or why it could not be read.
    pub beacon_implementation: Option<Result<B256, String>>,
    /// The implementation's address and code, when the address is a proxy or a clone.
    pub implementation_code: Option<(Address, Vec<u8>)>,
}

/// Everything the engine needs about a deployed contract, read at one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSnapshot {
    /// The endpoint, with credentials, query and fragment removed.
    pub endpoint: String,
    /// The block the code was read at (`latest` or a number).
    pub block: String,
    /// `eth_chainId`.
    pub chain_id: u64,
    /// The address.
    pub address: Address,
    /// Its code at the block.
    pub code: Vec<u8>,
    /// The creation transaction, or why it could not be identified (`None`: none was named).
    pub creation: Option<Result<CreationTx, String>>,
    /// The code at each address the code links as a library.
    pub library_code: Vec<(Address, Vec<u8>)>,
    /// The proxy slots.
    pub proxy: ProxySnapshot,
}
