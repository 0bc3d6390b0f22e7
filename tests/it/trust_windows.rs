//! Every key of the trusted root vouches only inside its validity window and only for its own
//! log: a Rekor v2 checkpoint signed by a retired (or not yet valid) log key, or whose origin
//! names another log, never proves inclusion (issue 14, class 4).

use serde_json::Value;

use crate::support::{provenant, run};
use provenant_testkit::{LogKind, MintSpec, TestPki, DEFAULT_IDENTITY, GITHUB_ACTIONS_ISSUER};

fn pki() -> &'static TestPki {
    static PKI: std::sync::OnceLock<TestPki> = std::sync::OnceLock::new();
    PKI.get_or_init(|| TestPki::new(41))
}

/// The testkit's trusted root with `edit` applied to the log whose key is `key_details`.
fn root_with(key_details: &str, edit: impl Fn(&mut Value)) -> String {
    let mut root: Value = serde_json::from_str(&pki().trusted_root_json()).unwrap();
    let logs = root["tlogs"].as_array_mut().unwrap();
    let log = logs
        .iter_mut()
        .find(|l| l["publicKey"]["keyDetails"] == key_details)
        .expect("the testkit root lists this log");
    edit(log);
    serde_json::to_string_pretty(&root).unwrap()
}

/// Verify a bundle minted for `spec` against `root`: (exit code, failed check codes).
fn verify(spec: &MintSpec, root: &str) -> (i32, Vec<String>) {
    let minted = pki().mint(spec);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let artifact = write("artifact.txt", &minted.artifact);
    let bundle = write("artifact.sigstore.json", minted.bundle_json.as_bytes());
    let root = write("trusted_root.json", root.as_bytes());
    let (code, out, err) = run(provenant().args([
        "verify",
        "artifact",
        &artifact,
        "--bundle",
        &bundle,
        "--trusted-root",
        &root,
        "--certificate-identity",
        DEFAULT_IDENTITY,
        "--certificate-oidc-issuer",
        GITHUB_ACTIONS_ISSUER,
        "--format",
        "json",
    ]));
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    let failed = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "fail")
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect();
    (code, failed)
}

const V2_KEY: &str = "PKIX_ED25519";

#[test]
fn rekor_v2_checkpoints_verify_inside_the_key_window() {
    let spec = MintSpec::default().log(LogKind::RekorV2);
    // Control: the unmodified root (window open from 2020) verifies.
    let (code, failed) = verify(&spec, &pki().trusted_root_json());
    assert_eq!((code, failed.len()), (0, 0), "{failed:?}");
    // An explicit window that covers the signing time (2025-06-15) still verifies.
    let covering = root_with(V2_KEY, |l| {
        l["publicKey"]["validFor"]["end"] = "2030-01-01T00:00:00Z".into();
    });
    assert_eq!(verify(&spec, &covering).0, 0);
}

#[test]
fn a_retired_rekor_v2_key_never_vouches_for_inclusion() {
    let spec = MintSpec::default().log(LogKind::RekorV2);
    let retired = root_with(V2_KEY, |l| {
        l["publicKey"]["validFor"]["end"] = "2025-01-01T00:00:00Z".into();
    });
    let (code, failed) = verify(&spec, &retired);
    assert_eq!(code, 1, "{failed:?}");
    assert!(
        failed.contains(&"tlog-key-not-valid".to_owned()),
        "{failed:?}"
    );
}

#[test]
fn a_rekor_v2_key_not_yet_valid_at_signing_never_vouches() {
    let spec = MintSpec::default().log(LogKind::RekorV2);
    // Started after the signing time (2025-06-15) but before today: still not valid then.
    let later = root_with(V2_KEY, |l| {
        l["publicKey"]["validFor"]["start"] = "2025-12-01T00:00:00Z".into();
    });
    let (code, failed) = verify(&spec, &later);
    assert_eq!(code, 1, "{failed:?}");
    assert!(!failed.is_empty());
}

#[test]
fn a_checkpoint_origin_must_name_the_log_whose_key_signed_it() {
    for (log, details) in [
        (LogKind::RekorV2, V2_KEY),
        (LogKind::RekorV1, "PKIX_ECDSA_P256_SHA_256"),
    ] {
        let spec = MintSpec::default().log(log);
        let moved = root_with(details, |l| {
            l["baseUrl"] = "https://another-log.provenant.test".into();
        });
        let (code, failed) = verify(&spec, &moved);
        assert_eq!(code, 1, "{log:?}: {failed:?}");
        assert!(
            failed.contains(&"tlog-checkpoint-invalid".to_owned()),
            "{log:?}: {failed:?}"
        );
    }
}

#[test]
fn a_retired_rekor_v1_key_never_vouches_either() {
    let spec = MintSpec::default().log(LogKind::RekorV1);
    let retired = root_with("PKIX_ECDSA_P256_SHA_256", |l| {
        l["publicKey"]["validFor"]["end"] = "2025-01-01T00:00:00Z".into();
    });
    let (code, failed) = verify(&spec, &retired);
    assert_eq!(code, 1, "{failed:?}");
    assert!(!failed.is_empty());
}
