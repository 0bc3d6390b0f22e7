//! The strict JSON reader (duplicate keys, depth and size limits) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = provenant_formats::json::parse_strict(data);
});
