//! Size and count limits of the readers, in one place.

/// Largest build file read (a Hardhat build-info holds every source and the whole solc output).
pub const MAX_BUILD_FILE: u64 = 128 * 1024 * 1024;
/// Most build files read from one `--build` directory.
pub const MAX_BUILD_FILES: usize = 20_000;
/// Largest deployment record read.
pub const MAX_DEPLOYMENT_FILE: u64 = 64 * 1024 * 1024;
/// Largest bytecode accepted, on chain or in a build (EIP-170 allows 24 KiB of runtime code and
/// EIP-3860 48 KiB of init code; other chains allow more, nothing sane needs 4 MiB).
pub const MAX_CODE: usize = 4 * 1024 * 1024;
/// Most link or immutable references in one contract.
pub const MAX_REFERENCES: usize = 4096;
/// Most entries in the CBOR metadata map.
pub const MAX_CBOR_ENTRIES: usize = 16;
/// Most contracts in one build.
pub const MAX_CONTRACTS: usize = 100_000;
/// Most transactions in a Foundry broadcast record.
pub const MAX_TRANSACTIONS: usize = 100_000;
