//! SBOM detection and parsing (CycloneDX JSON/XML, SPDX 2 JSON/YAML/tag-value/XML, SPDX 3)
//! never panics. XML schema validation is not exercised here (it lives in the binary).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = provenant_formats::sbom::parse_sbom(data, None);
});
