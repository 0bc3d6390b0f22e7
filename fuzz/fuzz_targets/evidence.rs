//! Sorting an evidence file into bundle / DSSE / statement / unknown never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = provenant_core::classify_evidence(data);
});
