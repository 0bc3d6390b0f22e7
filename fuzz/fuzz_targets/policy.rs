//! Policy files (YAML: line scanner, strict YAML, schema, rules) never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = provenant_policy::lint_policy(data, "2026-01-01T00:00:00Z".parse().unwrap());
    let _ = provenant_policy::parse_policy(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let index = provenant_policy::LineIndex::new(text);
        let _ = index.line_of("/signers/0/identityRegexp");
    }
});
