//! Every size, depth and count limit provenant applies to untrusted input, in one place.
//!
//! Inputs over a limit are rejected with an error that names the limit; nothing is truncated
//! silently. The values are documented in the README ("Limits"), one table that a test keeps
//! complete: a constant added here and not listed there fails the build's tests.

// ---- Signed evidence ---------------------------------------------------------------------------

/// Largest Sigstore bundle, DSSE envelope or in-toto statement file read (bytes).
pub const MAX_EVIDENCE_BYTES: u64 = 32 * 1024 * 1024;
/// Largest trusted root / trust config file read (bytes).
pub const MAX_TRUSTED_ROOT_BYTES: u64 = 8 * 1024 * 1024;
/// Largest public-key PEM or detached signature file read (bytes).
pub const MAX_KEY_BYTES: u64 = 64 * 1024;
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

// ---- Every JSON and YAML document --------------------------------------------------------------

/// Deepest JSON nesting accepted (objects and arrays).
pub const MAX_JSON_DEPTH: usize = 64;
/// Largest YAML document parsed (bytes), checked before the YAML parser sees it.
pub const MAX_YAML_BYTES: usize = 256 * 1024 * 1024;
/// Deepest YAML nesting accepted (block and flow collections together), checked by a linear scan
/// before the YAML parser builds anything.
pub const MAX_YAML_DEPTH: usize = 64;

// ---- Dependency lockfiles ---------------------------------------------------------------------

/// Largest lockfile read (Cargo.lock, package-lock.json, ..., bytes).
pub const MAX_LOCKFILE_BYTES: u64 = 64 * 1024 * 1024;
/// Most packages read from one lockfile.
pub const MAX_LOCKED_PACKAGES: usize = 200_000;

// ---- Security gates ----------------------------------------------------------------------------

/// Largest gate report (SARIF, scanner JSON, ZAP, CI run, review file) read (bytes).
pub const MAX_GATE_REPORT_BYTES: u64 = 256 * 1024 * 1024;
/// Most findings read from one report (more is a limit error, never a silent truncation).
pub const MAX_FINDINGS: usize = 1_000_000;
/// Most CI runs or jobs read from one list document.
pub const MAX_CI_RUNS: usize = 10_000;
/// Deepest element nesting read from a ZAP XML report (a ZAP report needs 7).
pub const MAX_ZAP_XML_DEPTH: usize = 32;
/// Most reviews, approvals or commits read from one change-review document.
pub const MAX_REVIEW_ITEMS: usize = 10_000;
/// Largest waivers file read (bytes).
pub const MAX_WAIVERS_BYTES: u64 = 16 * 1024 * 1024;

// ---- SBOMs -------------------------------------------------------------------------------------

/// Largest SBOM file a caller should read (bytes); larger files are refused before parsing.
pub const MAX_SBOM_BYTES: u64 = 256 * 1024 * 1024;
/// Most components (nested ones, the subject and tool components included) read from one SBOM.
pub const MAX_COMPONENTS: usize = 1_000_000;
/// Deepest nesting of `components` inside a component.
pub const MAX_COMPONENT_NESTING: usize = 32;
/// Deepest XML element nesting, not counting the two levels (`components/component`) each nested
/// component adds (those are bounded by [`MAX_COMPONENT_NESTING`]).
pub const MAX_XML_DEPTH: usize = 64;
/// Most packages read from one SPDX document (SPDX 2 `packages`, SPDX 3 package elements).
pub const MAX_SPDX_PACKAGES: usize = 1_000_000;
/// Most relationships read from one SPDX document.
pub const MAX_SPDX_RELATIONSHIPS: usize = 5_000_000;
/// Deepest parenthesis nesting in an SPDX license expression.
pub const MAX_LICENSE_EXPRESSION_DEPTH: usize = 64;
/// Deepest SPDX RDF license expression tree followed (the graph may have cycles).
pub const MAX_RDF_LICENSE_DEPTH: usize = 32;
/// Longest line read from an SPDX tag-value document (bytes).
pub const MAX_TAG_VALUE_LINE: usize = 1024 * 1024;

// ---- Policy ------------------------------------------------------------------------------------

/// Largest policy file read (bytes).
pub const MAX_POLICY_BYTES: u64 = 1024 * 1024;

// ---- in-toto layouts ---------------------------------------------------------------------------

/// Most steps and inspections (together) in one layout.
pub const MAX_LAYOUT_ITEMS: usize = 256;
/// Most functionary keys in one layout (and key ids in one step).
pub const MAX_LAYOUT_KEYS: usize = 1024;
/// Most artifact rules in one step's or inspection's `expected_materials` (or `expected_products`).
pub const MAX_ARTIFACT_RULES: usize = 1024;
/// Most materials (and, separately, products) one link may record.
pub const MAX_LINK_ARTIFACTS: usize = 100_000;
/// Most link files one verification considers (the `*.link` files of a links directory).
pub const MAX_LINK_FILES: usize = 4096;
/// Largest link file read (bytes); a larger one is refused unread. Links are read one at a time,
/// so this bounds what one link costs while it is parsed and verified.
pub const MAX_LINK_BYTES: u64 = 16 * 1024 * 1024;
/// Most bytes of link files one verification reads in all (only files named for a step's
/// functionary are read); links past it are not read, and their steps lack them.
pub const MAX_LINK_TOTAL_BYTES: u64 = 256 * 1024 * 1024;
/// Longest artifact path, rule pattern, prefix, step name or key id (bytes). Patterns are matched
/// in time proportional to pattern length times path length, so both are bounded.
pub const MAX_LAYOUT_STRING_BYTES: usize = 4096;

// ---- OCI images --------------------------------------------------------------------------------

/// Largest manifest or index read (bytes). The CNCF distribution registry refuses to store a
/// manifest over 4 MiB, so nothing legitimate is larger.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// Largest blob read as evidence (a signature payload, attestation, bundle or SBOM layer).
pub const MAX_EVIDENCE_BLOB_BYTES: u64 = 64 * 1024 * 1024;
/// Most descriptors (layers, or index entries) considered in one manifest.
pub const MAX_DESCRIPTORS: usize = 4096;

// ---- npm ---------------------------------------------------------------------------------------

/// At most this many attestations in one document (npm writes two).
pub const MAX_NPM_ATTESTATIONS: usize = 16;

// ---- cosign ------------------------------------------------------------------------------------

/// Most certificates read from one PEM annotation.
pub const MAX_PEM_CERTIFICATES: usize = 16;

// ---- The error ---------------------------------------------------------------------------------

/// Which limit a document went over, with the limit and what was found (gate reports and SBOMs
/// carry it as their `Limit` error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitExceeded {
    /// More than `limit` items (reading stopped there, so the full count is not known).
    #[error("{}more than {limit} {items}", format.map(|f| format!("{f}: ")).unwrap_or_default())]
    Count {
        /// The document format, when the message names it.
        format: Option<&'static str>,
        /// What was counted (`findings in one report`).
        items: &'static str,
        /// The limit.
        limit: usize,
    },
    /// A list of `count` items, over `limit`.
    #[error(
        "{}{count} {items}; at most {limit} are read",
        list.as_ref().map(|l| format!("{l} lists ")).unwrap_or_default()
    )]
    Listed {
        /// The list (`the CI metadata`, a JSON pointer), when the message names it.
        list: Option<String>,
        /// What the list holds (`runs or jobs`).
        items: &'static str,
        /// Items found.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Nesting deeper than `limit`.
    #[error("{what} nested deeper than {limit} {unit}")]
    Depth {
        /// What is nested (`XML`, `components`).
        what: &'static str,
        /// The limit.
        limit: usize,
        /// What a level is (`elements`, `levels`).
        unit: &'static str,
    },
    /// A text line longer than `limit` bytes.
    #[error("line {line} is longer than {limit} bytes")]
    Line {
        /// 1-based line number.
        line: usize,
        /// The limit (bytes).
        limit: usize,
    },
    /// The strict JSON reader's depth limit.
    #[error(transparent)]
    Json(crate::json::JsonError),
    /// The strict YAML reader's size or depth limit.
    #[error(transparent)]
    Yaml(crate::yaml::YamlError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_messages_read_as_the_format_strings_they_replace() {
        let count = |format, items| LimitExceeded::Count {
            format,
            items,
            limit: 7,
        };
        assert_eq!(
            count(None, "findings in one report").to_string(),
            "more than 7 findings in one report"
        );
        assert_eq!(
            count(Some("in-toto"), "subjects").to_string(),
            "in-toto: more than 7 subjects"
        );
        let listed = |list: Option<&str>, items| LimitExceeded::Listed {
            list: list.map(str::to_owned),
            items,
            count: 9,
            limit: 7,
        };
        assert_eq!(
            listed(Some("the CI metadata"), "runs or jobs").to_string(),
            "the CI metadata lists 9 runs or jobs; at most 7 are read"
        );
        assert_eq!(
            listed(None, "approvals").to_string(),
            "9 approvals; at most 7 are read"
        );
        assert_eq!(
            LimitExceeded::Depth {
                what: "XML",
                limit: 7,
                unit: "elements"
            }
            .to_string(),
            "XML nested deeper than 7 elements"
        );
        assert_eq!(
            LimitExceeded::Line { line: 3, limit: 7 }.to_string(),
            "line 3 is longer than 7 bytes"
        );
        assert_eq!(
            LimitExceeded::Json(crate::json::JsonError::TooDeep).to_string(),
            crate::json::JsonError::TooDeep.to_string()
        );
    }
}
