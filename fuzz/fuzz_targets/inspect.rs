//! `provenant inspect`'s describe-anything path never panics, whatever the file holds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = provenant_core::inspect("fuzz", data);
});
