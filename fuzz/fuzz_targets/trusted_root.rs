//! Loading a Sigstore trusted_root.json (keys, certificates, validity windows) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = provenant_verify::TrustRoot::from_json(data, "fuzz");
});
