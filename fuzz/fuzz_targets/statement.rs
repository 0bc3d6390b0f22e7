//! in-toto Statement parsing never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = provenant_formats::intoto::parse_statement(data);
});
