//! `verify bundles`: many bundles about one artifact, each verified on its own on a pool of
//! threads, one result per bundle in input order; exit 1 when any fails.

use serde_json::Value;

use crate::support::{provenant, root, run};

const FILE: &str = "testdata/release/hello-provenant.txt";
const TRUST: &str = "testdata/trust/trusted_root.json";
const IDENTITY: &str =
    "https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
const GOOD: [&str; 2] = [
    "testdata/release/hello-provenant.txt.sigstore.json",
    "testdata/release/hello-provenant.intoto.sigstore.json",
];

/// One JSON line per bundle file.
fn jsonl(files: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in files {
        let v: Value = serde_json::from_slice(&std::fs::read(root().join(f)).expect("testdata"))
            .expect("JSON");
        out.extend(serde_json::to_vec(&v).expect("JSON"));
        out.push(b'\n');
    }
    out
}

fn verify(paths: &[&str], extra: &[&str]) -> (i32, Vec<Value>, String) {
    let mut args = vec!["verify", "bundles"];
    args.extend_from_slice(paths);
    args.extend_from_slice(&[
        "--artifact",
        FILE,
        "--trusted-root",
        TRUST,
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
        "--format",
        "json",
    ]);
    args.extend_from_slice(extra);
    let (rc, out, err) = run(provenant().current_dir(root()).args(&args));
    let lines = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (rc, lines, err)
}

fn verdicts(lines: &[Value]) -> Vec<&str> {
    lines
        .iter()
        .map(|l| l["verdict"].as_str().unwrap_or("?"))
        .collect()
}

#[test]
fn each_bundle_of_a_jsonl_file_gets_its_own_verdict_in_input_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tampered = "testdata/release/tampered/checkpoint-signature-invalid.sigstore.json";
    // 20 good bundles with a tampered one in the middle: on 4 threads, the output keeps the
    // input order and only that line fails.
    let mut files: Vec<&str> = GOOD.iter().copied().cycle().take(20).collect();
    files.insert(7, tampered);
    let path = dir.path().join("all.jsonl");
    std::fs::write(&path, jsonl(&files)).expect("write");
    let path = path.to_string_lossy().into_owned();
    let (rc, lines, err) = verify(&[&path], &["--jobs", "4"]);
    assert_eq!(rc, 1, "one bundle fails: {err}");
    let mut expected = vec!["pass"; 21];
    expected[7] = "fail";
    assert_eq!(verdicts(&lines), expected);
    let failed = &lines[7];
    assert!(
        failed["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .any(|c| c["outcome"] == "fail" && c["code"] == "tlog-checkpoint-invalid"),
        "{failed:#}"
    );
    // Without it, every bundle passes: exit 0.
    let good = dir.path().join("good.jsonl");
    std::fs::write(&good, jsonl(&GOOD)).expect("write");
    let good = good.to_string_lossy().into_owned();
    let (rc, lines, err) = verify(&[&good, GOOD[0]], &["--jobs", "2"]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(verdicts(&lines), ["pass", "pass", "pass"]);
}

#[test]
fn another_artifact_or_signer_fails_every_bundle_and_bad_input_is_exit_2() {
    let (rc, lines, _) = verify(
        &GOOD,
        &[
            "--digest",
            "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        ],
    );
    // --artifact and --digest conflict: bad usage.
    assert_eq!(rc, 2);
    assert!(lines.is_empty());
    let mut args = vec!["verify", "bundles", GOOD[0], GOOD[1]];
    args.extend_from_slice(&[
        "--digest",
        "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        "--trusted-root",
        TRUST,
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    let (rc, out, _) = run(provenant().current_dir(root()).args(&args));
    assert_eq!(rc, 1);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("FAIL  ")).count(),
        2,
        "{out}"
    );
    let (rc, out, _) = run(provenant().current_dir(root()).args([
        "verify",
        "bundles",
        GOOD[0],
        "--artifact",
        FILE,
        "--trusted-root",
        TRUST,
        "--certificate-identity",
        "https://github.com/provenant-test/app/.github/workflows/other.yml@refs/tags/v1.0.0",
        "--certificate-oidc-issuer",
        ISSUER,
    ]));
    assert_eq!(rc, 1, "{out}");
    assert!(out.starts_with("FAIL  "), "{out}");
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, b"\n\n").expect("write");
    let (rc, lines, err) = verify(&[&empty.to_string_lossy()], &[]);
    assert_eq!(rc, 2, "no bundle: {err}");
    assert!(lines.is_empty());
    let (rc, _, _) = verify(&["testdata/release/absent.sigstore.json"], &[]);
    assert_eq!(rc, 2);
}

/// Within one process and thread, a verification never carries over to another bundle or
/// another trusted root (the per-bundle signature memo, crates/provenant-verify/src/memo.rs):
/// the same bundle after a pass fails against a root without its CA and against another
/// instance's root, a bundle whose certificate had expired when logged fails after a good one,
/// and the good one passes again.
#[test]
fn a_verification_never_carries_over_to_another_bundle_or_root() {
    use provenant_model::{DigestAlgorithm, EvidenceKind, EvidenceRef};
    use provenant_verify::{
        digest_reader, verify_bundle, IdentityMatcher, IdentityPolicy, Instance, SignerPolicy,
        TrustRoot,
    };
    let read = |rel: &str| std::fs::read(root().join(rel)).expect("testdata");
    let (artifact, _) = digest_reader(&read(FILE)[..], &[DigestAlgorithm::Sha256]).expect("digest");
    let evidence = EvidenceRef::new(EvidenceKind::SigstoreBundle, "b.json");
    let signer = SignerPolicy::Keyless(IdentityPolicy {
        identity: Some(IdentityMatcher::exact(IDENTITY)),
        issuer: Some(IdentityMatcher::exact(ISSUER)),
        constrained_elsewhere: false,
    });
    let trusted = TrustRoot::from_json(&read(TRUST), TRUST).expect("trusted root");
    let mut without_ca: Value = serde_json::from_slice(&read(TRUST)).expect("JSON");
    without_ca["certificateAuthorities"] = serde_json::json!([]);
    let without_ca = TrustRoot::from_json(
        &serde_json::to_vec(&without_ca).expect("JSON"),
        "without-ca.json",
    )
    .expect("a root without certificate authorities still loads");
    let other = TrustRoot::embedded(Instance::PublicGood).expect("embedded root");
    let verified = |bundle: &str, trust: &TrustRoot| {
        let parsed = provenant_formats::bundle::parse_bundle(&read(bundle)).expect("bundle");
        verify_bundle(&parsed, &evidence, &artifact, trust, &signer)
            .verified
            .is_some()
    };
    let expired = "testdata/release/tampered/expired-cert-no-timestamp.sigstore.json";
    for bundle in GOOD {
        assert!(verified(bundle, &trusted), "{bundle}");
        assert!(!verified(bundle, &without_ca), "{bundle}: CA removed");
        assert!(!verified(bundle, &other), "{bundle}: another root");
        assert!(!verified(expired, &trusted), "leaf outside its validity");
        assert!(verified(bundle, &trusted), "{bundle} again");
    }
}
