//! Sigstore bundle parsing, single documents and JSON Lines / arrays, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = provenant_formats::bundle::parse_bundles(data);
    let _ = provenant_formats::bundle::parse_bundle(data);
});
