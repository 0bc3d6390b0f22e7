//! Security-report detection and parsing (SARIF, grype, trivy, osv-scanner, cargo-audit, npm
//! audit, dependency-check, ZAP JSON/XML, in-toto predicates, CI run metadata) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = provenant_formats::gate::parse_gate(data);
    let _ = provenant_formats::gate::review::parse_review(data);
});
