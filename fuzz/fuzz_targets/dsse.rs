//! DSSE envelope parsing and the pre-authentication encoding of what parsed never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = provenant_formats::dsse::parse_envelope(data) {
        let _ = env.pae();
    }
});
