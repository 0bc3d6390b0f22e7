//! OCI manifests, simple-signing payloads, docker save manifests and cosign annotations never
//! panic or hang.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use provenant_formats::cosign::{legacy_bundle, LegacyContent};
use provenant_formats::oci;

fuzz_target!(|data: &[u8]| {
    let _ = oci::parse_manifest(data, None);
    let _ = oci::parse_manifest(data, Some(oci::OCI_INDEX));
    let _ = oci::parse_simple_signing(data);
    let _ = oci::parse_docker_save_manifest(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = oci::Platform::parse(text);
        let _ = oci::parse_oci_digest(text);
        // Split the input into certificate / chain / bundle annotations.
        let mut parts = text.splitn(3, '\u{1}');
        let mut ann = BTreeMap::new();
        for key in [oci::ANN_COSIGN_CERTIFICATE, oci::ANN_COSIGN_CHAIN, oci::ANN_COSIGN_BUNDLE] {
            if let Some(p) = parts.next() {
                ann.insert(key.to_string(), p.to_string());
            }
        }
        ann.insert(oci::ANN_COSIGN_SIGNATURE.to_string(), "AAAA".to_string());
        let _ = legacy_bundle(LegacyContent::Payload { sha256: &[0; 32] }, &ann);
        let _ = legacy_bundle(LegacyContent::Envelope(data), &ann);
    }
});
