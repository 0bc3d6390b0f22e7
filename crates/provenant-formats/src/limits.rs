//! Every size, depth and count limit provenant applies to untrusted input, in one place.
//!
//! Inputs over a limit are rejected with an error that names the limit; nothing is truncated
//! silently. The values are documented in the README ("Limits").

/// Largest Sigstore bundle, DSSE envelope or in-toto statement file read (bytes).
pub const MAX_EVIDENCE_BYTES: u64 = 32 * 1024 * 1024;
/// Largest trusted root / trust config file read (bytes).
pub const MAX_TRUSTED_ROOT_BYTES: u64 = 8 * 1024 * 1024;
/// Largest public-key PEM or detached signature file read (bytes).
pub const MAX_KEY_BYTES: u64 = 64 * 1024;
/// Deepest JSON nesting accepted (objects and arrays).
pub const MAX_JSON_DEPTH: usize = 64;
/// Most bundles read from one JSON-lines file.
pub const MAX_JSONL_ENTRIES: usize = 4096;
/// Most signatures considered in one DSSE envelope.
pub const MAX_DSSE_SIGNATURES: usize = 64;
/// Most subjects considered in one in-toto statement.
pub const MAX_STATEMENT_SUBJECTS: usize = 100_000;
/// Most evidence files read from one `--attestations` directory.
pub const MAX_EVIDENCE_FILES: usize = 4096;
/// Most bytes of evidence files (`--bundle`, `--provenance`, `--attestations`) one verification
/// reads in all: what they parse into is held until the verdict.
pub const MAX_EVIDENCE_TOTAL_BYTES: u64 = 256 * 1024 * 1024;
