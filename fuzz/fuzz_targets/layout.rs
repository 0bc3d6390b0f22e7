//! in-toto layout and link metadata parsing (metablock and DSSE) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = provenant_formats::layout::parse_metadata(data) {
        let _ = provenant_formats::layout::parse_layout(&m.body);
        let _ = provenant_formats::layout::parse_link(&m.body);
    }
});
