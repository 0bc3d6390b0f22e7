//! `verify image` against a real CNCF distribution registry on 127.0.0.1 (Debian's
//! docker-registry 2.8, which has no referrers API, so the OCI 1.1 tag fallback is exercised),
//! against OCI layouts and docker archives written here, and against a hostile registry that
//! serves an endless manifest.

use std::io::{Read as _, Write as _};

use provenant_testkit::keys::KeyPair;
use provenant_testkit::oci::{
    bundle_layer, cosign_key_att_layer, cosign_key_sig_layer, cosign_keyless_att_layer,
    cosign_keyless_sig_layer, digest_tag, docker_save_entries, docker_save_entry,
    evidence_manifest, image, index, referrers_index, slsa_statement, statement, write_layout,
    write_tar, Blob, Pushable, TarEntry, TestRegistry,
};
use provenant_testkit::{MintSpec, TestPki, DEFAULT_IDENTITY, GITHUB_ACTIONS_ISSUER};
use serde_json::{json, Value};

use crate::support::{provenant, run};

const SLSA_V1: &str = "https://slsa.dev/provenance/v1";
const BUNDLE_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

struct Fixture {
    dir: tempfile::TempDir,
    key: KeyPair,
    pki: TestPki,
}

impl Fixture {
    fn new() -> Self {
        let f = Fixture {
            dir: tempfile::tempdir().unwrap(),
            key: KeyPair::p256(42),
            pki: TestPki::new(11),
        };
        std::fs::write(f.path("cosign.pub"), f.key.public_pem()).unwrap();
        std::fs::write(f.path("root.json"), f.pki.trusted_root_json()).unwrap();
        f
    }
    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }
    fn spec(&self) -> MintSpec {
        MintSpec {
            signing_time: jiff::Timestamp::now().as_second() - 3600,
            ..MintSpec::default()
        }
    }
    /// `verify image REF --key cosign.pub --insecure-ignore-tlog --format json [extra]` ->
    /// (exit, report, stderr). cosign's key-signed `.sig`/`.att` layers carry no log entry here:
    /// these tests are about collecting and binding, so they accept that (issue 13, class 11;
    /// `verify_key_strict` checks the rule itself).
    fn verify_key(&self, reference: &str, extra: &[&str]) -> (i32, Value, String) {
        let mut all = vec!["--insecure-ignore-tlog"];
        all.extend_from_slice(extra);
        self.verify_key_strict(reference, &all)
    }
    /// As `verify_key`, without `--insecure-ignore-tlog`.
    fn verify_key_strict(&self, reference: &str, extra: &[&str]) -> (i32, Value, String) {
        let mut args = vec!["verify", "image", reference];
        let key = self.path("cosign.pub");
        args.extend([
            "--key",
            key.as_str(),
            "--format",
            "json",
            "--registry-config",
            "none",
        ]);
        args.extend(extra);
        self.run(&args)
    }
    fn verify_keyless(&self, reference: &str, extra: &[&str]) -> (i32, Value, String) {
        let root = self.path("root.json");
        let mut args = vec![
            "verify",
            "image",
            reference,
            "--trusted-root",
            root.as_str(),
            "--certificate-identity",
            DEFAULT_IDENTITY,
            "--certificate-oidc-issuer",
            GITHUB_ACTIONS_ISSUER,
            "--format",
            "json",
            "--registry-config",
            "none",
        ];
        args.extend(extra);
        self.run(&args)
    }
    fn run(&self, args: &[&str]) -> (i32, Value, String) {
        // Registry flags are refused for an OCI layout or a docker archive (issue 15): the
        // helpers' anonymous-registry default applies to registry references only.
        let local = args
            .get(2)
            .is_some_and(|r| r.starts_with("oci-layout:") || r.starts_with("docker-archive:"));
        let mut args = args.to_vec();
        if local {
            if let Some(i) = args
                .windows(2)
                .position(|w| w == ["--registry-config", "none"])
            {
                args.drain(i..i + 2);
            }
        }
        let (rc, out, err) = run(provenant().args(&args));
        let v = serde_json::from_str(&out).unwrap_or(Value::Null);
        (rc, v, err)
    }
}

fn codes(report: &Value, outcome: &str) -> Vec<String> {
    report["checks"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter(|c| c["outcome"] == outcome)
                .map(|c| c["code"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn has(report: &Value, outcome: &str, code: &str) -> bool {
    codes(report, outcome).iter().any(|c| c == code)
}

fn cyclonedx(digest: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"component": {"type": "container", "name": "app",
            "hashes": [{"alg": "SHA-256", "content": digest.trim_start_matches("sha256:")}]}},
        "components": [{"type": "library", "name": "zlib", "version": "1.3.1", "purl": "pkg:generic/zlib@1.3.1"}]
    }))
    .unwrap()
}

/// Push `app:v1` with cosign `.sig` (key), `.att` (key, SLSA provenance) and `.sbom`.
fn push_cosign_keyed(reg: &TestRegistry, f: &Fixture, repo: &str, seed: &str) -> Pushable {
    let img = image(seed, "linux", "amd64");
    reg.push(repo, &img, Some("v1"));
    let d = img.digest();
    let sig = evidence_manifest(
        vec![cosign_key_sig_layer(&f.key, &reg.repo(repo), &d)],
        None,
        None,
    );
    reg.push(repo, &sig, Some(&format!("{}.sig", digest_tag(&d))));
    let st = slsa_statement("app", &d);
    let att = evidence_manifest(vec![cosign_key_att_layer(&f.key, &st)], None, None);
    reg.push(repo, &att, Some(&format!("{}.att", digest_tag(&d))));
    let sbom = evidence_manifest(
        vec![Blob::new("application/vnd.cyclonedx+json", cyclonedx(&d))],
        None,
        None,
    );
    reg.push(repo, &sbom, Some(&format!("{}.sbom", digest_tag(&d))));
    img
}

#[test]
fn cosign_key_signatures_attestations_and_sboms_from_a_registry() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let f = Fixture::new();
    let img = push_cosign_keyed(&reg, &f, "app", "one");
    let reference = format!("{}:v1", reg.repo("app"));
    // Issue 13, class 11: key-signed layers without a log entry fail unless the risk is
    // accepted explicitly, which the report then records.
    let (rc, r, err) = f.verify_key_strict(&reference, &[]);
    assert_eq!(rc, 1, "{r:#}\n{err}");
    assert!(has(&r, "fail", "tlog-entry-missing"), "{r:#}");
    assert_eq!(r["opt_outs"], serde_json::json!([]), "{r:#}");
    let (rc, r, err) = f.verify_key(&reference, &[]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
    assert!(has(&r, "warn", "opt-out-used"), "{r:#}");
    assert_eq!(r["opt_outs"][0]["name"], "insecure-ignore-tlog", "{r:#}");
    assert_eq!(r["subject"]["digests"][0], img.digest());
    assert_eq!(r["subject"]["kind"], "image");
    for code in [
        "image-resolved",
        "evidence-searched",
        "signature-valid",
        "artifact-digest-matches",
        "sbom-valid",
        "sbom-bound",
    ] {
        assert!(has(&r, "pass", code), "{code} in {r:#}");
    }
    let verified: Vec<&Value> = r["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["verified"] == true)
        .collect();
    assert_eq!(verified.len(), 2, "the .sig and the .att verify: {r:#}");
    assert!(verified.iter().any(|s| s["predicate_type"] == SLSA_V1));
    // By digest too, and with the recorded digest.
    let by_digest = format!("{}@{}", reg.repo("app"), img.digest());
    assert_eq!(f.verify_key(&by_digest, &[]).0, 0);
    assert_eq!(
        f.verify_key(&reference, &["--expected-digest", &img.digest()])
            .0,
        0
    );
    // The attached SBOM is judged but unsigned: it does not satisfy --require-sbom.
    let (rc, r, _) = f.verify_key(&reference, &["--require-sbom"]);
    assert_eq!(rc, 1, "{r:#}");
    assert!(has(&r, "fail", "sbom-unbound"), "{r:#}");
    // A signed SBOM attestation does.
    let st = statement(
        "app",
        &img.digest(),
        "https://cyclonedx.org/bom",
        serde_json::from_slice(&cyclonedx(&img.digest())).unwrap(),
    );
    let tag = format!("{}.att", digest_tag(&img.digest()));
    let prov = slsa_statement("app", &img.digest());
    let both = evidence_manifest(
        vec![
            cosign_key_att_layer(&f.key, &prov),
            cosign_key_att_layer(&f.key, &st),
        ],
        None,
        None,
    );
    reg.push("app", &both, Some(&tag));
    let (rc, r, err) = f.verify_key(&reference, &["--require-sbom"]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
    // The chain for the image, by reference.
    let key = f.path("cosign.pub");
    let (rc, out, err) = run(provenant().args([
        "provenance",
        &reference,
        "--key",
        &key,
        "--insecure-ignore-tlog",
        "--registry-config",
        "none",
    ]));
    assert_eq!(rc, 0, "{out}\n{err}");
    assert!(
        out.contains(&img.digest()) && out.contains("https://example.com/builder"),
        "{out}"
    );
    // A missing file is never taken for a Docker Hub image.
    let (rc, _, err) = run(provenant().args(["provenance", "missing-file.txt", "--key", &key]));
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("cannot read artifact"), "{err}");
    // Another key: nothing verifies.
    let other = KeyPair::p256(7);
    std::fs::write(f.path("cosign.pub"), other.public_pem()).unwrap();
    let (rc, r, _) = f.verify_key(&reference, &[]);
    assert_eq!(rc, 1);
    assert!(has(&r, "fail", "signature-invalid"), "{r:#}");
}

#[test]
fn keyless_cosign_signatures_and_attestations_verify_against_fulcio_and_rekor() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let f = Fixture::new();
    let img = image("keyless", "linux", "amd64");
    reg.push("kl", &img, Some("v1"));
    let d = img.digest();
    let spec = f.spec();
    let sig = evidence_manifest(
        vec![cosign_keyless_sig_layer(&f.pki, &spec, &reg.repo("kl"), &d)],
        None,
        None,
    );
    reg.push("kl", &sig, Some(&format!("{}.sig", digest_tag(&d))));
    let st = slsa_statement("kl", &d);
    let att = evidence_manifest(
        vec![cosign_keyless_att_layer(&f.pki, &spec, &st)],
        None,
        None,
    );
    reg.push("kl", &att, Some(&format!("{}.att", digest_tag(&d))));
    let (rc, r, err) = f.verify_keyless(&format!("{}:v1", reg.repo("kl")), &[]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
    for code in [
        "certificate-chain-valid",
        "tlog-inclusion-verified",
        "signer-identity-matches",
        "artifact-digest-matches",
    ] {
        assert!(has(&r, "pass", code), "{code} in {r:#}");
    }
    let verified = r["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["verified"] == true)
        .count();
    assert_eq!(verified, 2, "{r:#}");
    // The wrong identity fails.
    let root = f.path("root.json");
    let (rc, r, _) = f.run(&[
        "verify",
        "image",
        &format!("{}:v1", reg.repo("kl")),
        "--trusted-root",
        &root,
        "--certificate-identity",
        "https://github.com/evil/evil/.github/workflows/x.yml@refs/heads/main",
        "--certificate-oidc-issuer",
        GITHUB_ACTIONS_ISSUER,
        "--format",
        "json",
        "--registry-config",
        "none",
    ]);
    assert_eq!(rc, 1);
    assert!(has(&r, "fail", "signer-identity-mismatch"), "{r:#}");
}

#[test]
fn sigstore_bundle_referrers_through_the_tag_fallback() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let f = Fixture::new();
    let img = image("referred", "linux", "arm64");
    reg.push("ref", &img, Some("v1"));
    let d = img.digest();
    let st = slsa_statement("ref", &d);
    let referrer = evidence_manifest(
        vec![bundle_layer(&f.pki, &f.spec(), &st)],
        Some(BUNDLE_TYPE),
        Some(img.descriptor()),
    );
    reg.push("ref", &referrer, None);
    reg.push(
        "ref",
        &referrers_index(&[(&referrer, BUNDLE_TYPE)]),
        Some(&digest_tag(&d)),
    );
    let (rc, r, err) = f.verify_keyless(&format!("{}:v1", reg.repo("ref")), &[]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
    let searched: Vec<String> = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["code"] == "evidence-searched")
        .map(|c| c["reason"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        searched[0].contains("referrers API not supported; tag fallback"),
        "{searched:?}"
    );
    assert!(searched[0].contains("1 referrer"), "{searched:?}");

    // A referrer whose subject is another image proves nothing for this one.
    let other = image("other", "linux", "arm64");
    reg.push("ref", &other, Some("other"));
    let st2 = statement("ref", &d, SLSA_V1, json!({}));
    let wrong = evidence_manifest(
        vec![bundle_layer(&f.pki, &f.spec(), &st2)],
        Some(BUNDLE_TYPE),
        Some(other.descriptor()),
    );
    reg.push("ref", &wrong, None);
    let img2 = image("referred-2", "linux", "arm64");
    reg.push("ref", &img2, Some("v2"));
    reg.push(
        "ref",
        &referrers_index(&[(&wrong, BUNDLE_TYPE)]),
        Some(&digest_tag(&img2.digest())),
    );
    let (rc, r, _) = f.verify_keyless(&format!("{}:v2", reg.repo("ref")), &[]);
    assert_eq!(rc, 1);
    assert!(has(&r, "fail", "referrer-subject-mismatch"), "{r:#}");
}

#[test]
fn buildkit_attestations_and_platforms_of_an_index() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let f = Fixture::new();
    let amd = image("multi", "linux", "amd64");
    let arm = image("multi", "linux", "arm64");
    reg.push("multi", &amd, None);
    reg.push("multi", &arm, None);
    let prov = statement(
        "multi",
        &amd.digest(),
        "https://slsa.dev/provenance/v0.2",
        json!({"builder": {"id": "https://github.com/docker/buildx"}}),
    );
    let spdx = serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://spdx.dev/Document",
        "subject": [{"name": "multi", "digest": {"sha256": amd.digest().trim_start_matches("sha256:")}}],
        "predicate": {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "multi",
            "documentNamespace": "https://example.com/multi", "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: buildkit"]},
            "packages": [{"SPDXID": "SPDXRef-zlib", "name": "zlib", "versionInfo": "1.3.1", "downloadLocation": "NOASSERTION"}]}
    })).unwrap();
    let att = evidence_manifest(
        vec![
            Blob::new("application/vnd.in-toto+json", prov).with(
                "in-toto.io/predicate-type",
                "https://slsa.dev/provenance/v0.2",
            ),
            Blob::new("application/vnd.in-toto+json", spdx)
                .with("in-toto.io/predicate-type", "https://spdx.dev/Document"),
        ],
        None,
        None,
    );
    reg.push("multi", &att, None);
    let mut att_entry = att.descriptor();
    att_entry["platform"] = json!({"os": "unknown", "architecture": "unknown"});
    att_entry["annotations"] = json!({"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": amd.digest()});
    let idx = index(
        &[(&amd, "linux", "amd64"), (&arm, "linux", "arm64")],
        &[att_entry],
    );
    reg.push("multi", &idx, Some("v1"));
    // cosign --recursive: the index and each platform signed.
    for p in [&idx, &amd, &arm] {
        let sig = evidence_manifest(
            vec![cosign_key_sig_layer(
                &f.key,
                &reg.repo("multi"),
                &p.digest(),
            )],
            None,
            None,
        );
        reg.push(
            "multi",
            &sig,
            Some(&format!("{}.sig", digest_tag(&p.digest()))),
        );
    }
    let reference = format!("{}:v1", reg.repo("multi"));
    let (rc, r, err) = f.verify_key(&reference, &[]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
    assert_eq!(r["subject"]["digests"][0], idx.digest());
    let (rc, r, err) = f.verify_key(&reference, &["--platform", "linux/amd64"]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
    assert!(has(&r, "pass", "image-platform-found"), "{r:#}");
    assert!(
        has(&r, "warn", "evidence-unsigned"),
        "BuildKit attestations are listed as unsigned: {r:#}"
    );
    assert!(
        has(&r, "pass", "sbom-valid"),
        "the BuildKit SPDX SBOM is judged: {r:#}"
    );
    let (rc, _, _) = f.verify_key(&reference, &["--platform", "all"]);
    assert_eq!(rc, 0);
    let (rc, r, _) = f.verify_key(&reference, &["--platform", "windows/amd64"]);
    assert_eq!(rc, 1);
    assert!(has(&r, "fail", "image-platform-missing"), "{r:#}");
}

#[test]
fn tampered_images_fail_with_their_reasons() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let f = Fixture::new();
    let a = push_cosign_keyed(&reg, &f, "tamper", "a");
    let reference = format!("{}:v1", reg.repo("tamper"));
    assert_eq!(f.verify_key(&reference, &[]).0, 0);

    // A signature for another digest, copied beside image b.
    let b = image("b", "linux", "amd64");
    reg.push("tamper", &b, Some("b"));
    let copied = evidence_manifest(
        vec![cosign_key_sig_layer(
            &f.key,
            &reg.repo("tamper"),
            &a.digest(),
        )],
        None,
        None,
    );
    reg.push(
        "tamper",
        &copied,
        Some(&format!("{}.sig", digest_tag(&b.digest()))),
    );
    let (rc, r, _) = f.verify_key(&format!("{}:b", reg.repo("tamper")), &[]);
    assert_eq!(rc, 1, "{r:#}");
    assert!(has(&r, "fail", "artifact-digest-mismatch"), "{r:#}");

    // An attestation for another image.
    let c = image("c", "linux", "amd64");
    reg.push("tamper", &c, Some("c"));
    let st = statement("x", &a.digest(), SLSA_V1, json!({}));
    let att = evidence_manifest(vec![cosign_key_att_layer(&f.key, &st)], None, None);
    reg.push(
        "tamper",
        &att,
        Some(&format!("{}.att", digest_tag(&c.digest()))),
    );
    let (rc, r, _) = f.verify_key(&format!("{}:c", reg.repo("tamper")), &[]);
    assert_eq!(rc, 1, "{r:#}");
    assert!(has(&r, "fail", "artifact-digest-mismatch"), "{r:#}");

    // The tag re-pointed after signing: the new image has no signature, and the recorded digest
    // says the tag moved.
    reg.push("tamper", &b, Some("v1"));
    let (rc, r, _) = f.verify_key(&reference, &["--expected-digest", &a.digest()]);
    assert_eq!(rc, 1);
    assert!(has(&r, "fail", "image-tag-moved"), "{r:#}");
    assert_eq!(r["subject"]["digests"][0], b.digest());
}

/// A hostile registry on loopback: `/v2/` answers 200, every manifest is an endless chunked
/// body (or declares a huge Content-Length). provenant must refuse it at the limit.
#[test]
fn a_huge_manifest_is_refused_without_reading_it_all() {
    for chunked in [true, false] {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let served = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = served.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(8) {
                let Ok(mut s) = stream else { continue };
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).into_owned();
                if req.starts_with("GET /v2/ ") {
                    let _ = s.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
                    );
                    continue;
                }
                if chunked {
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/vnd.oci.image.manifest.v1+json\r\ntransfer-encoding: chunked\r\n\r\n");
                    let chunk = vec![b' '; 65536];
                    // Up to 1 GiB, unless the client hangs up first.
                    for _ in 0..16384 {
                        let head = format!("{:x}\r\n", chunk.len());
                        if s.write_all(head.as_bytes())
                            .and_then(|_| s.write_all(&chunk))
                            .and_then(|_| s.write_all(b"\r\n"))
                            .is_err()
                        {
                            break;
                        }
                        counter.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed);
                    }
                } else {
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/vnd.oci.image.manifest.v1+json\r\ncontent-length: 1073741824\r\n\r\n");
                }
            }
        });
        let f = Fixture::new();
        let (rc, r, err) = f.verify_key(&format!("{host}/huge:v1"), &[]);
        assert_eq!(rc, 1, "{r:#}\n{err}");
        assert!(has(&r, "fail", "image-manifest-invalid"), "{r:#}");
        let reason = r["checks"][0]["reason"].as_str().unwrap();
        assert!(reason.contains("limit"), "{reason}");
        assert!(
            served.load(std::sync::atomic::Ordering::Relaxed) < 64 * 1024 * 1024,
            "the client kept reading"
        );
    }
}

#[test]
fn oci_layouts_and_docker_archives() {
    let f = Fixture::new();
    let img = image("layout", "linux", "amd64");
    let d = img.digest();
    let sig = evidence_manifest(
        vec![cosign_key_sig_layer(&f.key, "example.com/app", &d)],
        None,
        None,
    );
    let st = statement("app", &d, SLSA_V1, json!({}));
    let referrer = evidence_manifest(
        vec![cosign_key_att_layer(&f.key, &st)],
        Some("application/vnd.dsse.envelope.v1+json"),
        Some(img.descriptor()),
    );
    let dir = f.dir.path().join("layout");
    write_layout(
        &dir,
        &[&img, &sig, &referrer],
        &[
            (&img, "v1"),
            (&sig, &format!("{}.sig", digest_tag(&d))),
            (&referrer, "att-referrer"),
        ],
    );
    let layout_ref = format!("oci-layout:{}:v1", dir.display());
    let (rc, r, err) = f.verify_key(&layout_ref, &[]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
    let verified = r["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["verified"] == true)
        .count();
    assert_eq!(verified, 2, "the .sig tag and the DSSE referrer: {r:#}");
    // By digest, and with no selector (only one image in the layout).
    assert_eq!(
        f.verify_key(&format!("oci-layout:{}@{d}", dir.display()), &[])
            .0,
        0
    );
    // A blob that does not match its digest is refused.
    let blob = dir
        .join("blobs/sha256")
        .join(sig.blobs[1].digest().trim_start_matches("sha256:"));
    std::fs::write(&blob, b"tampered").unwrap();
    let (rc, r, _) = f.verify_key(&layout_ref, &[]);
    assert_eq!(
        rc, 0,
        "the DSSE referrer still verifies; the tampered .sig is reported: {r:#}"
    );
    assert!(
        codes(&r, "warn").iter().any(|c| c == "evidence-unreadable"),
        "{r:#}"
    );

    // docker 25+ `docker save`: the OCI layout inside a tarball, with manifest.json naming the
    // same image.
    let tar_path = f.path("image.tar");
    write_tar(
        std::path::Path::new(&tar_path),
        &docker_save_entries(
            &[&img, &sig],
            &[(&img, "app:v1"), (&sig, &format!("{}.sig", digest_tag(&d)))],
            &[docker_save_entry(&img, "app:v1")],
        ),
    );
    let (rc, r, err) = f.verify_key(&format!("docker-archive:{tar_path}"), &[]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
    // A pre-25 archive has no manifest digest: a clear error, exit 2.
    let old = f.path("old.tar");
    let mut t = tar::Builder::new(std::fs::File::create(&old).unwrap());
    let mut h = tar::Header::new_gnu();
    h.set_size(2);
    h.set_mode(0o644);
    h.set_cksum();
    t.append_data(&mut h, "manifest.json", &b"[]"[..]).unwrap();
    t.finish().unwrap();
    drop(t);
    let (rc, _, err) = f.verify_key(&format!("docker-archive:{old}"), &[]);
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("docker 25"), "{err}");
}

/// Issue 13, class 9: the image verified in a docker archive is the one `docker load`
/// (manifest.json) and containerd (index.json) would load: the two must name exactly the same
/// config and layers, or the archive fails image-archive-inconsistent (exit 1); tar names that
/// are not already clean, absolute names, duplicates and links where files are read are
/// refused as unreadable input (exit 2).
#[test]
fn docker_archive_issue13_both_loaders_see_one_image() {
    let f = Fixture::new();
    let img = image("archive", "linux", "amd64");
    let other = image("other", "linux", "amd64");
    let d = img.digest();
    let sig = evidence_manifest(
        vec![cosign_key_sig_layer(&f.key, "example.com/app", &d)],
        None,
        None,
    );
    let sig_tag = format!("{}.sig", digest_tag(&d));
    let refs = [(&img, "app:v1"), (&sig, sig_tag.as_str())];
    let verify = |name: &str, entries: &[TarEntry]| {
        let p = f.path(name);
        write_tar(std::path::Path::new(&p), entries);
        f.verify_key(&format!("docker-archive:{p}"), &[])
    };
    let good = docker_save_entries(
        &[&img, &sig, &other],
        &refs,
        &[docker_save_entry(&img, "app:v1")],
    );
    let (rc, r, err) = verify("good.tar", &good);
    assert_eq!(rc, 0, "{r:#}\n{err}");

    // manifest.json names other images than index.json.
    let mut swapped_layers = docker_save_entry(&img, "app:v1");
    swapped_layers["Layers"] = docker_save_entry(&other, "app:v1")["Layers"].clone();
    let mut no_layers = docker_save_entry(&img, "app:v1");
    no_layers["Layers"] = json!([]);
    let mut legacy_paths = docker_save_entry(&img, "app:v1");
    legacy_paths["Config"] = json!(format!("{}.json", d.trim_start_matches("sha256:")));
    for (name, saved) in [
        ("other.tar", vec![docker_save_entry(&other, "app:v1")]),
        ("layers.tar", vec![swapped_layers]),
        ("nolayers.tar", vec![no_layers]),
        ("legacy.tar", vec![legacy_paths]),
        ("empty.tar", vec![]),
        (
            "extra.tar",
            vec![
                docker_save_entry(&img, "app:v1"),
                docker_save_entry(&other, "evil:v1"),
            ],
        ),
    ] {
        let entries = docker_save_entries(&[&img, &sig, &other], &refs, &saved);
        let (rc, r, err) = verify(name, &entries);
        assert_eq!(rc, 1, "{name}: {r:#}\n{err}");
        assert_eq!(
            codes(&r, "fail"),
            vec!["image-archive-inconsistent".to_owned()],
            "{name}: {r:#}"
        );
    }

    // An OCI layout tarball without manifest.json is read as containerd reads it.
    let oci_only: Vec<TarEntry> = good
        .iter()
        .filter(|e| e.name() != "manifest.json")
        .cloned()
        .collect();
    let (rc, r, err) = verify("oci.tar", &oci_only);
    assert_eq!(rc, 0, "{r:#}\n{err}");

    // Entry names: not clean, absolute, twice, or a link where a file is read.
    let renamed = |from: &str, to: &str| -> Vec<TarEntry> {
        good.iter()
            .map(|e| match e {
                TarEntry::File(n, b) if n == from => TarEntry::File(to.into(), b.clone()),
                other => other.clone(),
            })
            .collect()
    };
    let with = |extra: TarEntry| -> Vec<TarEntry> {
        let mut v = good.clone();
        v.push(extra);
        v
    };
    let blob = format!("blobs/sha256/{}", d.trim_start_matches("sha256:"));
    for (name, entries) in [
        ("dotdot.tar", renamed("index.json", "x/../index.json")),
        ("dot.tar", renamed("index.json", "./index.json")),
        ("absolute.tar", renamed("index.json", "/index.json")),
        (
            "slashes.tar",
            renamed("manifest.json", "blobs//../manifest.json"),
        ),
        (
            "twice.tar",
            with(TarEntry::File("index.json".into(), b"{}".to_vec())),
        ),
        (
            "blobtwice.tar",
            with(TarEntry::File(blob.clone(), b"x".to_vec())),
        ),
        (
            "symlink.tar",
            renamed("manifest.json", "evil.json")
                .into_iter()
                .chain([TarEntry::Link {
                    name: "manifest.json".into(),
                    target: "evil.json".into(),
                    hard: false,
                }])
                .collect(),
        ),
        (
            "hardlink.tar",
            with(TarEntry::Link {
                name:
                    "blobs/sha256/0000000000000000000000000000000000000000000000000000000000000000"
                        .into(),
                target: blob.clone(),
                hard: true,
            }),
        ),
    ] {
        let (rc, r, err) = verify(name, &entries);
        assert_eq!(rc, 2, "{name}: {r:#}\n{err}");
    }
}

#[test]
fn bad_references_and_unreachable_registries() {
    let f = Fixture::new();
    let (rc, _, err) = f.verify_key("https://ghcr.io/o/r:v1", &[]);
    assert_eq!(rc, 2, "{err}");
    // Nothing listens there: exit 3.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (rc, _, err) = f.verify_key(&format!("127.0.0.1:{port}/app:v1"), &[]);
    assert_eq!(rc, 3, "{err}");
    assert!(err.contains("could not be reached"), "{err}");
    // Image flags on `verify artifact` are refused rather than ignored.
    let (rc, _, err) = f.run(&[
        "verify",
        "artifact",
        "--digest",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "--platform",
        "linux/amd64",
    ]);
    assert_eq!(rc, 2, "{err}");
}

/// Issue 13, class 10: a registry that accepts the connection and never answers ends the run
/// with exit 3 within the first-byte timeout (5 s, one retry), not after 130 s; with
/// `--registry-timeout` sooner still.
#[test]
fn a_silent_registry_ends_the_run_with_exit_3() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        // Hold every connection open and say nothing; stop by itself after a minute.
        let mut held = Vec::new();
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_secs(60) && held.len() < 16 {
            match listener.accept() {
                Ok(c) => held.push(c),
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
            }
        }
        std::thread::sleep(std::time::Duration::from_secs(60).saturating_sub(start.elapsed()));
        drop(held);
    });
    let f = Fixture::new();
    let (rc, _, err) = f.verify_key(&format!("{host}/silent:v1"), &[]);
    assert_eq!(rc, 3, "{err}");
    let (rc, _, err) = f.verify_key(&format!("{host}/silent:v1"), &["--registry-timeout", "2"]);
    assert_eq!(rc, 3, "{err}");
}

/// Issue 13, class 10: a registry that trickles its answer one byte a second (never idle long
/// enough for the read timeout) is bounded by `--registry-timeout`: exit 3.
#[test]
fn a_trickling_registry_is_bounded_by_the_registry_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).into_owned();
                if req.starts_with("GET /v2/ ") {
                    let _ = s.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
                    );
                    return;
                }
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/vnd.oci.image.manifest.v1+json\r\ncontent-length: 100000\r\n\r\n");
                // One byte a second, for at most a minute.
                for _ in 0..60 {
                    if s.write_all(b" ").and_then(|_| s.flush()).is_err() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_secs(1));
                }
            });
        }
    });
    let f = Fixture::new();
    let (rc, _, err) = f.verify_key(&format!("{host}/trickle:v1"), &["--registry-timeout", "3"]);
    assert_eq!(rc, 3, "{err}");
    // The flag is for images: `verify artifact` refuses it rather than ignore it.
    let (rc, _, err) = f.run(&[
        "verify",
        "artifact",
        "--digest",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "--registry-timeout",
        "3",
    ]);
    assert_eq!(rc, 2, "{err}");
}

/// bcrypt (cost 4) of `provenant-test-password`, for distribution's htpasswd mode. Regenerate with
/// `python3 -c 'import bcrypt; print(bcrypt.hashpw(b"provenant-test-password", bcrypt.gensalt(4)).decode())'`.
const TEST_BCRYPT: &str = "$2b$04$3x3MulgrO/IRoqo/akmFM.ZYBp7Rpmjb.4axQ5LHhNqrmvxvwj4Pi";
const TEST_PASSWORD: &str = "provenant-test-password";

fn docker_config(f: &Fixture, host: &str, user: &str, password: &str) -> String {
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let p = f.path("docker-config.json");
    std::fs::write(&p, json!({"auths": {host: {"auth": auth}}}).to_string()).unwrap();
    p
}

#[test]
fn basic_auth_credentials_come_from_the_docker_config() {
    let Some(reg) = TestRegistry::start_with_auth("ci", TEST_BCRYPT, TEST_PASSWORD) else {
        return;
    };
    let f = Fixture::new();
    push_cosign_keyed(&reg, &f, "private", "p");
    let reference = format!("{}:v1", reg.repo("private"));
    let key = f.path("cosign.pub");
    // Anonymous: refused, exit 3, and the message says how to log in.
    let (rc, _, err) = f.verify_key(&reference, &[]);
    assert_eq!(rc, 3, "{err}");
    assert!(err.contains("docker login"), "{err}");
    // The right credentials from a Docker config file.
    let cfg = docker_config(&f, &reg.host, "ci", TEST_PASSWORD);
    let (rc, r, err) = f.run(&[
        "verify",
        "image",
        &reference,
        "--key",
        &key,
        "--insecure-ignore-tlog",
        "--format",
        "json",
        "--registry-config",
        &cfg,
    ]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
    // DOCKER_CONFIG is honoured too.
    let dir = f.dir.path().join("dockercfg");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&cfg, dir.join("config.json")).unwrap();
    let (rc, out, err) = run(provenant()
        .args([
            "verify",
            "image",
            &reference,
            "--key",
            &key,
            "--insecure-ignore-tlog",
        ])
        .env("DOCKER_CONFIG", &dir));
    assert_eq!(rc, 0, "{out}\n{err}");
    assert!(!out.contains(TEST_PASSWORD) && !err.contains(TEST_PASSWORD));
    // Wrong password: refused, exit 3, the password never printed.
    let cfg = docker_config(&f, &reg.host, "ci", "wrong-password");
    let (rc, out, err) = run(provenant().args([
        "verify",
        "image",
        &reference,
        "--key",
        &key,
        "--registry-config",
        &cfg,
    ]));
    assert_eq!(rc, 3, "{out}\n{err}");
    assert!(!out.contains("wrong-password") && !err.contains("wrong-password"));
}

/// A minimal HTTP/1.1 server on 127.0.0.1 for behaviours the distribution registry cannot show:
/// the OCI 1.1 referrers API, a bearer-token realm, a redirect to another host. `route` maps a
/// request (method + path, headers) to (status, headers, body). Every request is recorded.
struct FakeServer {
    host: String,
    seen: std::sync::Arc<std::sync::Mutex<Vec<Request>>>,
}

/// A request seen: `METHOD /path?query`, and its headers (names lowercased).
type Request = (String, Vec<(String, String)>);

type Route =
    dyn Fn(&str, &[(String, String)]) -> (u16, Vec<(String, String)>, Vec<u8>) + Send + Sync;

impl FakeServer {
    fn start(route: Box<Route>) -> FakeServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let mut buf = Vec::new();
                let mut byte = [0u8; 1];
                while !buf.ends_with(b"\r\n\r\n") && buf.len() < 65536 {
                    if s.read(&mut byte).unwrap_or(0) == 0 {
                        break;
                    }
                    buf.push(byte[0]);
                }
                let text = String::from_utf8_lossy(&buf).into_owned();
                let mut lines = text.split("\r\n");
                let first = lines.next().unwrap_or_default();
                let target = first.split(' ').take(2).collect::<Vec<_>>().join(" ");
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                    .collect();
                log.lock().unwrap().push((target.clone(), headers.clone()));
                let (status, hdrs, body) = route(&target, &headers);
                let mut resp = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                    body.len()
                );
                for (k, v) in hdrs {
                    resp.push_str(&format!("{k}: {v}\r\n"));
                }
                resp.push_str("\r\n");
                let _ = s.write_all(resp.as_bytes());
                let _ = s.write_all(&body);
            }
        });
        FakeServer { host, seen }
    }

    fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

fn header<'a>(h: &'a [(String, String)], k: &str) -> Option<&'a str> {
    h.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

#[test]
fn referrers_api_bearer_tokens_and_redirects_keep_credentials_home() {
    let f = Fixture::new();
    let img = image("api", "linux", "amd64");
    let d = img.digest();
    let st = slsa_statement("api", &d);
    let referrer = evidence_manifest(
        vec![bundle_layer(&f.pki, &f.spec(), &st)],
        Some(BUNDLE_TYPE),
        Some(img.descriptor()),
    );
    let listing = referrers_index(&[(&referrer, BUNDLE_TYPE)]);

    // Blobs live on another host (another port: reqwest treats it as another origin).
    let blobs: std::collections::HashMap<String, Vec<u8>> = referrer
        .blobs
        .iter()
        .map(|b| (b.digest(), b.bytes.clone()))
        .collect();
    let blob_server = FakeServer::start(Box::new(move |target, _| {
        let digest = target.rsplit('/').next().unwrap_or_default().to_owned();
        match blobs.get(&digest) {
            Some(b) => (200, vec![], b.clone()),
            None => (404, vec![], vec![]),
        }
    }));
    let blob_host = blob_server.host.clone();
    let token_port = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let realm_host = token_port.clone();
    let (img_m, img_d) = (img.manifest.clone(), d.clone());
    let (ref_m, ref_d) = (referrer.manifest.clone(), referrer.digest());
    let list_m = listing.manifest.clone();
    let registry = FakeServer::start(Box::new(move |target, h| {
        let realm = realm_host.lock().unwrap().clone();
        if target.starts_with("GET /token") {
            return (200, vec![], br#"{"token":"t0k3n"}"#.to_vec());
        }
        if header(h, "authorization") != Some("Bearer t0k3n") {
            return (
                401,
                vec![(
                    "www-authenticate".into(),
                    format!(r#"Bearer realm="http://{realm}/token",service="fake""#),
                )],
                vec![],
            );
        }
        let ct = |m: &str| vec![("content-type".to_string(), m.to_string())];
        match target {
            "GET /v2/" => (200, vec![], vec![]),
            t if t == "GET /v2/app/manifests/v1"
                || t == format!("GET /v2/app/manifests/{img_d}") =>
            {
                (200, ct(provenant_testkit::oci::OCI_MANIFEST), img_m.clone())
            }
            t if t == format!("GET /v2/app/manifests/{ref_d}") => {
                (200, ct(provenant_testkit::oci::OCI_MANIFEST), ref_m.clone())
            }
            t if t == format!("GET /v2/app/referrers/{img_d}") => {
                (200, ct(provenant_testkit::oci::OCI_INDEX), list_m.clone())
            }
            t if t.starts_with("GET /v2/app/blobs/") => {
                let digest = t.rsplit('/').next().unwrap_or_default();
                (
                    307,
                    vec![(
                        "location".into(),
                        format!("http://{blob_host}/blob/{digest}"),
                    )],
                    vec![],
                )
            }
            _ => (
                404,
                vec![],
                br#"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#.to_vec(),
            ),
        }
    }));
    // The realm is the registry itself here (same host, another path).
    *token_port.lock().unwrap() = registry.host.clone();

    let cfg = docker_config(&f, &registry.host, "robot", "s3cret");
    let root = f.path("root.json");
    let (rc, r, err) = f.run(&[
        "verify",
        "image",
        &format!("{}/app:v1", registry.host),
        "--trusted-root",
        &root,
        "--certificate-identity",
        DEFAULT_IDENTITY,
        "--certificate-oidc-issuer",
        GITHUB_ACTIONS_ISSUER,
        "--format",
        "json",
        "--registry-config",
        &cfg,
    ]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
    let searched = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "evidence-searched")
        .unwrap()["reason"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        searched.contains("referrers API: 1 referrer(s)"),
        "{searched}"
    );
    // The credentials went to the token realm only: Basic there, the token on the registry,
    // nothing to the blob host the registry redirected to.
    let reqs = registry.requests();
    let token_req = reqs
        .iter()
        .find(|(t, _)| t.starts_with("GET /token"))
        .expect("token asked for");
    assert!(header(&token_req.1, "authorization").is_some_and(|a| a.starts_with("Basic ")));
    assert!(
        token_req.0.contains("scope=repository%3Aapp%3Apull"),
        "{}",
        token_req.0
    );
    let blob_reqs = blob_server.requests();
    assert!(
        !blob_reqs.is_empty(),
        "the blobs were fetched through the redirect"
    );
    for (t, h) in &blob_reqs {
        assert!(
            header(h, "authorization").is_none(),
            "credentials leaked to another host: {t}"
        );
    }
}

/// Issue 14, class 9: `--platform all` visits every entry a runtime could pull. Entries without a
/// `platform` (read from their config instead), entries with another `vnd.docker.reference.type`,
/// and "attestation manifests" that name no sibling are images too; only an attestation
/// manifest naming a sibling entry is skipped.
#[test]
fn platform_all_visits_every_entry_a_runtime_could_pull() {
    let f = Fixture::new();
    let amd = image("every", "linux", "amd64");
    let signed_by = |p: &Pushable| {
        evidence_manifest(
            vec![cosign_key_sig_layer(
                &f.key,
                "example.com/every",
                &p.digest(),
            )],
            None,
            None,
        )
    };
    // A layout holding the index `idx` (signed, like every image in `signed`) under tag v1.
    let layout = |name: &str, idx: &Pushable, images: &[&Pushable], signed: &[&Pushable]| {
        let dir = f.dir.path().join(name);
        let sigs: Vec<Pushable> = signed.iter().map(|p| signed_by(p)).collect();
        let tags: Vec<String> = signed
            .iter()
            .map(|p| format!("{}.sig", digest_tag(&p.digest())))
            .collect();
        let mut all: Vec<&Pushable> = vec![idx];
        all.extend(images);
        all.extend(sigs.iter());
        let mut refs: Vec<(&Pushable, &str)> = vec![(idx, "v1")];
        refs.extend(sigs.iter().zip(&tags).map(|(s, t)| (s, t.as_str())));
        write_layout(&dir, &all, &refs);
        format!("oci-layout:{}:v1", dir.display())
    };
    let evil = image("evil", "linux", "s390x");
    let hidden_entries = [
        // No platform field at all: the config says linux/s390x.
        evil.descriptor(),
        // A platform, and a reference-type annotation that is not an attestation manifest.
        {
            let mut d = evil.descriptor();
            d["platform"] = json!({"os": "linux", "architecture": "s390x"});
            d["annotations"] = json!({"vnd.docker.reference.type": "something-else"});
            d
        },
        // An "attestation manifest" that names no sibling of this index.
        {
            let mut d = evil.descriptor();
            d["platform"] = json!({"os": "unknown", "architecture": "unknown"});
            d["annotations"] = json!({
                "vnd.docker.reference.type": "attestation-manifest",
                "vnd.docker.reference.digest": format!("sha256:{}", "ab".repeat(32)),
            });
            d
        },
    ];
    for (i, hidden) in hidden_entries.iter().enumerate() {
        let idx = index(&[(&amd, "linux", "amd64")], std::slice::from_ref(hidden));
        let unsigned = layout(&format!("hidden-{i}"), &idx, &[&amd, &evil], &[&idx, &amd]);
        let (rc, r, err) = f.verify_key(&unsigned, &["--platform", "all"]);
        assert_eq!(
            rc, 1,
            "entry {i}: an unsigned image in the index is never skipped: {r:#}\n{err}"
        );
        // Signed too: every entry verifies, and the report names the extra platform.
        let signed = layout(
            &format!("signed-{i}"),
            &idx,
            &[&amd, &evil],
            &[&idx, &amd, &evil],
        );
        let (rc, r, err) = f.verify_key(&signed, &["--platform", "all"]);
        assert_eq!(rc, 0, "entry {i}: {r:#}\n{err}");
        let found: Vec<&str> = r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["code"] == "image-platform-found")
            .filter_map(|c| c["reason"].as_str())
            .collect();
        assert!(
            found.iter().any(|r| r.contains(&evil.digest())),
            "entry {i}: {found:?}"
        );
    }
    // The platform of an entry without one comes from its config, for a named platform too.
    let idx = index(&[(&amd, "linux", "amd64")], &[evil.descriptor()]);
    let unsigned = layout("by-config", &idx, &[&amd, &evil], &[&idx, &amd]);
    let (rc, r, _) = f.verify_key(&unsigned, &["--platform", "linux/s390x"]);
    assert_eq!(rc, 1, "{r:#}");
    assert!(
        !has(&r, "fail", "image-platform-missing"),
        "found by its config: {r:#}"
    );
    // An entry with neither a platform nor a readable config fails closed.
    let mut broken = image("broken", "linux", "arm64");
    broken.blobs.retain(|b| !b.media_type.contains("config"));
    let idx = index(&[(&amd, "linux", "amd64")], &[broken.descriptor()]);
    let no_config = layout("no-config", &idx, &[&amd, &broken], &[&idx, &amd]);
    let (rc, r, _) = f.verify_key(&no_config, &["--platform", "all"]);
    assert_eq!(rc, 1, "{r:#}");
    assert!(has(&r, "fail", "image-platform-missing"), "{r:#}");
    // A BuildKit attestation manifest naming its sibling is not an image: still skipped.
    let att = evidence_manifest(vec![], None, None);
    let mut att_entry = att.descriptor();
    att_entry["platform"] = json!({"os": "unknown", "architecture": "unknown"});
    att_entry["annotations"] = json!({"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": amd.digest()});
    let idx = index(&[(&amd, "linux", "amd64")], &[att_entry]);
    let buildkit = layout("buildkit", &idx, &[&amd, &att], &[&idx, &amd]);
    let (rc, r, err) = f.verify_key(&buildkit, &["--platform", "all"]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
}

/// Issue 14, class 9: a cosign signature made for another repository (copied beside the same
/// image elsewhere) is reported, and fails under --require-signed-reference.
#[test]
fn a_signature_for_another_repository_is_reported() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let f = Fixture::new();
    let img = image("copied", "linux", "amd64");
    reg.push("target", &img, Some("v1"));
    let sign = |repo: &str| {
        let sig = evidence_manifest(
            vec![cosign_key_sig_layer(&f.key, repo, &img.digest())],
            None,
            None,
        );
        reg.push(
            "target",
            &sig,
            Some(&format!("{}.sig", digest_tag(&img.digest()))),
        );
    };
    let reference = format!("{}:v1", reg.repo("target"));
    // Signed for this repository: matches, with or without the flag.
    sign(&reg.repo("target"));
    let (rc, r, err) = f.verify_key(&reference, &["--require-signed-reference"]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
    assert!(has(&r, "pass", "image-signed-reference-matches"), "{r:#}");
    // Signed for another repository: a warning, and a failure when the repository is pinned.
    sign(&reg.repo("elsewhere"));
    let (rc, r, err) = f.verify_key(&reference, &[]);
    assert_eq!(rc, 0, "{r:#}\n{err}");
    assert!(has(&r, "warn", "image-signed-reference-mismatch"), "{r:#}");
    let (rc, r, _) = f.verify_key(&reference, &["--require-signed-reference"]);
    assert_eq!(rc, 1, "{r:#}");
    assert!(has(&r, "fail", "image-signed-reference-mismatch"), "{r:#}");
    // The flag is for images only.
    let (rc, _, err) = run(provenant().args([
        "verify",
        "artifact",
        "--digest",
        &img.digest(),
        "--require-signed-reference",
    ]));
    assert_eq!(rc, 2, "{err}");
}
