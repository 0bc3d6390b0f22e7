//! The limits of the audit crate: over one is an error that names it, never a truncation.

/// Largest sample size `audit size` plans or `audit evaluate` evaluates.
pub const MAX_SAMPLE_SIZE: u64 = 100_000;
/// Largest population size `audit size --population-size` accepts.
pub const MAX_POPULATION_SIZE: u64 = 1_000_000_000;
/// Most decimals in a rate (`0.000000000001`).
pub const MAX_RATE_DECIMALS: u32 = 12;
/// Largest population file read (bytes).
pub const MAX_POPULATION_BYTES: u64 = 256 * 1024 * 1024;
/// Most rows in a population file.
pub const MAX_POPULATION_ROWS: usize = 1_000_000;
/// Longest release id, in bytes.
pub const MAX_ID_BYTES: usize = 128;
/// Most problems listed for one population file (the rest are counted).
pub const MAX_REPORTED_PROBLEMS: usize = 20;
