//! The strict YAML reader (anchors, aliases, tags, duplicate keys, depth and size limits) never
//! panics, and never runs long: its linear pre-scan refuses deep nesting before libyaml sees it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = provenant_formats::yaml::parse_strict(text);
    }
});
