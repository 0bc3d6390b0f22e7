//! `provenant inspect` on OCI documents: image manifests and indexes, Docker manifest lists,
//! cosign signature and attestation manifests, Sigstore bundle referrers, simple-signing
//! payloads, `docker save` manifest.json, OCI image layout directories and docker archives.
//! Parsed only: nothing here is verified.

use std::path::Path;

use serde_json::{json, Value};

use provenant_model::DigestAlgorithm;
use provenant_verify::digest_reader;

use crate::support::{provenant, run};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const D1: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const D2: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

fn sha256(bytes: &[u8]) -> (String, String) {
    let (d, _) = digest_reader(bytes, &[DigestAlgorithm::Sha256]).unwrap();
    (d[0].to_string(), d[0].hex().to_string())
}

fn desc(media_type: &str, digest: &str) -> Value {
    json!({"mediaType": media_type, "digest": digest, "size": 1})
}

/// `inspect FILE --format json` on `doc`: (exit code, the inspection).
fn inspect_doc(doc: &Value) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("doc.json");
    std::fs::write(&p, serde_json::to_vec(doc).unwrap()).unwrap();
    inspect_path(&p)
}

fn inspect_path(p: &Path) -> (i32, Value) {
    let (rc, out, err) = run(provenant().arg("inspect").arg(p).args(["--format", "json"]));
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (rc, v)
}

fn inspect_text(doc: &Value) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("doc.json");
    std::fs::write(&p, serde_json::to_vec(doc).unwrap()).unwrap();
    let (rc, out, _) = run(provenant().arg("inspect").arg(&p));
    (rc, out)
}

/// Every value of fact `key`.
fn facts(v: &Value, key: &str) -> Vec<String> {
    v["facts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f[0] == key)
        .map(|f| f[1].as_str().unwrap().to_owned())
        .collect()
}

fn fact(v: &Value, key: &str) -> String {
    facts(v, key)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no fact {key:?} in {v}"))
}

fn image_manifest() -> Value {
    json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": desc("application/vnd.oci.image.config.v1+json", D1),
        "layers": [
            desc("application/vnd.oci.image.layer.v1.tar+gzip", D1),
            desc("application/vnd.oci.image.layer.v1.tar+gzip", D2),
            desc("application/vnd.oci.image.layer.v1.tar", D2),
        ],
    })
}

#[test]
fn inspect_oci_image_manifest() {
    let (rc, v) = inspect_doc(&image_manifest());
    assert_eq!(rc, 0, "{v}");
    assert_eq!(v["kind"], "oci-image-manifest");
    assert_eq!(v["well_formed"], true);
    assert_eq!(v["verified"], false);
    assert_eq!(fact(&v, "media type"), OCI_MANIFEST);
    assert_eq!(
        fact(&v, "config"),
        format!("application/vnd.oci.image.config.v1+json {D1}")
    );
    assert_eq!(fact(&v, "layers"), "3");
    assert_eq!(
        fact(&v, "layer media types"),
        "application/vnd.oci.image.layer.v1.tar+gzip (2), application/vnd.oci.image.layer.v1.tar (1)"
    );
    assert!(facts(&v, "evidence").is_empty(), "{v}");
    let (rc, text) = inspect_text(&image_manifest());
    assert_eq!(rc, 0);
    assert!(
        text.contains("oci-image-manifest (well-formed; parsed only, nothing verified)"),
        "{text}"
    );
    assert!(text.contains("layers: 3"), "{text}");
}

#[test]
fn inspect_oci_index_with_buildkit_attestation() {
    let mut image = desc(OCI_MANIFEST, D1);
    image["platform"] = json!({"os": "linux", "architecture": "arm64", "variant": "v8"});
    let mut att = desc(OCI_MANIFEST, D2);
    att["platform"] = json!({"os": "unknown", "architecture": "unknown"});
    att["annotations"] = json!({
        "vnd.docker.reference.type": "attestation-manifest",
        "vnd.docker.reference.digest": D1,
    });
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [image, att]});
    let (rc, v) = inspect_doc(&index);
    assert_eq!(rc, 0, "{v}");
    assert_eq!(v["kind"], "oci-image-index");
    assert_eq!(fact(&v, "entries"), "2");
    assert_eq!(
        fact(&v, "[1] manifest"),
        format!("{D1} {OCI_MANIFEST}, platform linux/arm64/v8")
    );
    assert_eq!(
        fact(&v, "[2] manifest"),
        format!(
            "{D2} {OCI_MANIFEST}, platform unknown/unknown, BuildKit attestation manifest for {D1}"
        )
    );
    assert!(
        fact(&v, "evidence").starts_with("1 BuildKit attestation manifest(s)"),
        "{v}"
    );
}

#[test]
fn inspect_docker_manifest_list_and_schema2_manifest() {
    let mut amd = desc("application/vnd.docker.distribution.manifest.v2+json", D1);
    amd["platform"] = json!({"os": "linux", "architecture": "amd64"});
    let list = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
        "manifests": [amd],
    });
    let (rc, v) = inspect_doc(&list);
    assert_eq!(rc, 0, "{v}");
    assert_eq!(v["kind"], "docker-manifest-list");
    assert!(
        fact(&v, "[1] manifest").contains("platform linux/amd64"),
        "{v}"
    );
    let m = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": desc("application/vnd.docker.container.image.v1+json", D1),
        "layers": [desc("application/vnd.docker.image.rootfs.diff.tar.gzip", D2)],
    });
    let (rc, v) = inspect_doc(&m);
    assert_eq!(rc, 0, "{v}");
    assert_eq!(v["kind"], "docker-manifest-v2");
    // An index.json without mediaType is read by its shape.
    let bare = json!({"schemaVersion": 2, "manifests": [desc(OCI_MANIFEST, D1)]});
    let (rc, v) = inspect_doc(&bare);
    assert_eq!(rc, 0, "{v}");
    assert_eq!(v["kind"], "oci-image-index");
    assert!(fact(&v, "media type").contains("not declared"), "{v}");
}

#[test]
fn inspect_cosign_signature_attestation_and_bundle_referrer() {
    let mut layer = desc("application/vnd.dev.cosign.simplesigning.v1+json", D2);
    layer["annotations"] = json!({
        "dev.cosignproject.cosign/signature": "MEUCIQ==",
        "dev.sigstore.cosign/certificate": "-----BEGIN CERTIFICATE-----\n...",
        "dev.sigstore.cosign/bundle": "{}",
    });
    let sig = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": desc("application/vnd.oci.image.config.v1+json", D1),
        "layers": [layer],
    });
    let (rc, v) = inspect_doc(&sig);
    assert_eq!(rc, 0, "{v}");
    assert_eq!(v["kind"], "oci-image-manifest");
    assert_eq!(
        fact(&v, "evidence"),
        "cosign signature manifest (.sig): 1 simple-signing layer(s), 1 with a signature annotation"
    );
    assert!(
        fact(&v, "[1] layer").ends_with("cosign annotations: signature, certificate, Rekor bundle"),
        "{v}"
    );

    let mut att_layer = desc("application/vnd.dsse.envelope.v1+json", D2);
    att_layer["annotations"] = json!({"predicateType": "https://slsa.dev/provenance/v1"});
    let att = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": desc("application/vnd.oci.image.config.v1+json", D1),
        "layers": [att_layer],
    });
    let (rc, v) = inspect_doc(&att);
    assert_eq!(rc, 0, "{v}");
    assert_eq!(
        fact(&v, "evidence"),
        "cosign attestation manifest (.att): 1 DSSE envelope layer(s)"
    );

    let referrer = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "config": desc("application/vnd.oci.empty.v1+json", D2),
        "layers": [desc("application/vnd.dev.sigstore.bundle.v0.3+json", D2)],
        "subject": desc(OCI_INDEX, D1),
    });
    let (rc, v) = inspect_doc(&referrer);
    assert_eq!(rc, 0, "{v}");
    assert_eq!(
        fact(&v, "artifact type"),
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert!(fact(&v, "subject").starts_with(D1), "{v}");
    assert_eq!(
        fact(&v, "evidence"),
        format!("Sigstore bundle referrer of {D1}")
    );
}

#[test]
fn inspect_simple_signing_payload() {
    let payload = json!({
        "critical": {
            "identity": {"docker-reference": "ghcr.io/example/app"},
            "image": {"docker-manifest-digest": D1},
            "type": "cosign container image signature",
        },
        "optional": {"creator": "ci"},
    });
    let (rc, v) = inspect_doc(&payload);
    assert_eq!(rc, 0, "{v}");
    assert_eq!(v["kind"], "cosign-simple-signing-payload");
    assert_eq!(fact(&v, "docker-manifest-digest"), D1);
    assert_eq!(fact(&v, "docker-reference"), "ghcr.io/example/app");
    assert_eq!(fact(&v, "optional creator"), "ci");

    let mut other = payload.clone();
    other["critical"]["type"] = json!("atomic container signature");
    let (rc, v) = inspect_doc(&other);
    assert_eq!(rc, 1, "{v}");
    assert_eq!(v["kind"], "cosign-simple-signing-payload");
    assert_eq!(v["well_formed"], false);
    assert!(v["problem"].as_str().unwrap().contains("type"), "{v}");
}

#[test]
fn inspect_docker_save_manifest_json() {
    let list = json!([{
        "Config": "blobs/sha256/abc",
        "RepoTags": ["hello:latest", "hello:1"],
        "Layers": ["blobs/sha256/def", "blobs/sha256/0123"],
    }]);
    let (rc, v) = inspect_doc(&list);
    assert_eq!(rc, 0, "{v}");
    assert_eq!(v["kind"], "docker-save-manifest");
    assert_eq!(fact(&v, "images"), "1");
    assert_eq!(fact(&v, "[1] tags"), "hello:latest, hello:1");
    assert_eq!(fact(&v, "[1] layers"), "2");
    let bad = json!([{"Config": "c", "RepoTags": "hello:latest"}]);
    let (rc, v) = inspect_doc(&bad);
    assert_eq!((rc, v["kind"].as_str()), (1, Some("docker-save-manifest")));
}

#[test]
fn inspect_malformed_manifests_are_malformed_not_unknown() {
    // Both layers and manifests: could be read as an image or an index.
    let mut both = image_manifest();
    both["manifests"] = json!([]);
    let (rc, v) = inspect_doc(&both);
    assert_eq!(rc, 1, "{v}");
    assert_eq!(v["kind"], "oci-image-manifest");
    assert_eq!(v["well_formed"], false);
    assert!(
        v["problem"]
            .as_str()
            .unwrap()
            .contains("both layers and manifests"),
        "{v}"
    );
    let (rc, text) = inspect_text(&both);
    assert_eq!(rc, 1);
    assert!(text.contains("MALFORMED"), "{text}");
    // No mediaType, ambiguous shape: still a malformed manifest.
    both.as_object_mut().unwrap().remove("mediaType");
    let (rc, v) = inspect_doc(&both);
    assert_eq!((rc, v["kind"].as_str()), (1, Some("oci-manifest")));
    // An index declaring itself one, with a bad digest.
    let bad_digest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [desc(OCI_MANIFEST, "sha256:XYZ")],
    });
    let (rc, v) = inspect_doc(&bad_digest);
    assert_eq!((rc, v["kind"].as_str()), (1, Some("oci-image-index")));
    // Docker schema 1 is named, and refused with the parser's reason.
    let v1 = json!({"schemaVersion": 1, "name": "a", "tag": "b", "fsLayers": []});
    let (rc, v) = inspect_doc(&v1);
    assert_eq!((rc, v["kind"].as_str()), (1, Some("docker-manifest-v1")));
    assert!(v["problem"].as_str().unwrap().contains("schema"), "{v}");
    // Another media type is not claimed: not recognised (exit 2, issue 19), not malformed.
    let other = json!({"schemaVersion": 2, "mediaType": "application/x-other", "layers": []});
    let (rc, v) = inspect_doc(&other);
    assert_eq!((rc, v["kind"].as_str()), (2, Some("unknown")));
}

#[test]
fn inspect_other_formats_still_win() {
    // An in-toto statement whose subject is an image stays a statement.
    let st = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "img", "digest": {"sha256": D1.trim_start_matches("sha256:")}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {}, "runDetails": {}},
    });
    let (rc, v) = inspect_doc(&st);
    assert_eq!((rc, v["kind"].as_str()), (0, Some("in-toto-statement")));
    // A Sigstore bundle media type wins over anything OCI-shaped.
    let b = json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "schemaVersion": 2,
        "layers": [],
    });
    let (_, v) = inspect_doc(&b);
    assert_eq!(v["kind"], "sigstore-bundle");
}

/// A small OCI image layout: an image index (one image, one BuildKit attestation manifest) and
/// a cosign signature manifest for it, tagged as cosign does. Returns the files, the index
/// digest and the signature manifest digest.
fn layout_files() -> (Vec<(String, Vec<u8>)>, String, String) {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut blob = |bytes: Vec<u8>, media_type: &str| -> Value {
        let (digest, hex) = sha256(&bytes);
        let d = json!({"mediaType": media_type, "digest": digest, "size": bytes.len()});
        files.push((format!("blobs/sha256/{hex}"), bytes));
        d
    };
    let config = blob(b"{}".to_vec(), "application/vnd.oci.image.config.v1+json");
    let layer = blob(b"layer".to_vec(), "application/vnd.oci.image.layer.v1.tar");
    let image =
        json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer]});
    let mut image_d = blob(serde_json::to_vec(&image).unwrap(), OCI_MANIFEST);
    let statement = blob(
        b"{\"_type\":\"x\"}".to_vec(),
        "application/vnd.in-toto+json",
    );
    let att = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [statement]});
    let mut att_d = blob(serde_json::to_vec(&att).unwrap(), OCI_MANIFEST);
    att_d["annotations"] = json!({
        "vnd.docker.reference.type": "attestation-manifest",
        "vnd.docker.reference.digest": image_d["digest"],
    });
    att_d["platform"] = json!({"os": "unknown", "architecture": "unknown"});
    image_d["platform"] = json!({"os": "linux", "architecture": "amd64"});
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [image_d, att_d]});
    let mut index_d = blob(serde_json::to_vec(&index).unwrap(), OCI_INDEX);
    let index_digest = index_d["digest"].as_str().unwrap().to_owned();
    let payload = json!({"critical": {
        "identity": {"docker-reference": "example/app"},
        "image": {"docker-manifest-digest": index_digest},
        "type": "cosign container image signature",
    }});
    let mut sig_layer = blob(
        serde_json::to_vec(&payload).unwrap(),
        "application/vnd.dev.cosign.simplesigning.v1+json",
    );
    sig_layer["annotations"] = json!({"dev.cosignproject.cosign/signature": "MEUCIQ=="});
    let sig = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [sig_layer]});
    let mut sig_d = blob(serde_json::to_vec(&sig).unwrap(), OCI_MANIFEST);
    let sig_digest = sig_d["digest"].as_str().unwrap().to_owned();
    index_d["annotations"] = json!({"org.opencontainers.image.ref.name": "latest"});
    let sig_tag = format!("{}.sig", index_digest.replace(':', "-"));
    sig_d["annotations"] = json!({"org.opencontainers.image.ref.name": sig_tag});
    let top = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [index_d, sig_d]});
    files.push((
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    ));
    files.push(("index.json".into(), serde_json::to_vec(&top).unwrap()));
    (files, index_digest, sig_digest)
}

fn write_dir(root: &Path, files: &[(String, Vec<u8>)]) {
    for (name, bytes) in files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

/// A minimal ustar archive of regular files.
fn tar(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in files {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..108].copy_from_slice(b"0000644\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[148..156].copy_from_slice(b"        ");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn assert_layout(v: &Value, index_digest: &str, sig_digest: &str) {
    assert_eq!(v["well_formed"], true, "{v}");
    assert_eq!(fact(v, "entries"), "2");
    let sig_tag = format!("{}.sig", index_digest.replace(':', "-"));
    assert_eq!(fact(v, "tags"), format!("latest, {sig_tag}"));
    assert_eq!(fact(v, "[1] digest"), index_digest);
    assert_eq!(fact(v, "[1] media type"), OCI_INDEX);
    assert_eq!(fact(v, "[1] tag"), "latest");
    let c = fact(v, "[1] content");
    assert!(
        c.starts_with("oci-image-index; entries 2;") && c.contains("1 BuildKit attestation"),
        "{c}"
    );
    assert_eq!(fact(v, "[2] digest"), sig_digest);
    assert_eq!(fact(v, "[2] tag"), sig_tag);
    let c = fact(v, "[2] content");
    assert!(
        c.starts_with("oci-image-manifest; layers 1;")
            && c.contains("cosign signature manifest (.sig)"),
        "{c}"
    );
}

#[test]
fn inspect_oci_layout_directory() {
    let dir = tempfile::tempdir().unwrap();
    let (files, index_digest, sig_digest) = layout_files();
    write_dir(dir.path(), &files);
    let (rc, v) = inspect_path(dir.path());
    assert_eq!(rc, 0, "{v}");
    assert_eq!(v["kind"], "oci-image-layout");
    assert!(fact(&v, "location").starts_with("oci-layout:"), "{v}");
    assert_layout(&v, &index_digest, &sig_digest);
    let (rc, text, _) = run(provenant().arg("inspect").arg(dir.path()));
    assert_eq!(rc, 0);
    assert!(
        text.contains("oci-image-layout (well-formed; parsed only, nothing verified)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("[1] digest: {index_digest}")),
        "{text}"
    );
}

#[test]
fn inspect_oci_layout_with_a_tampered_manifest_is_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let (files, _, sig_digest) = layout_files();
    write_dir(dir.path(), &files);
    let hex = sig_digest.trim_start_matches("sha256:");
    let p = dir.path().join("blobs/sha256").join(hex);
    let mut bytes = std::fs::read(&p).unwrap();
    bytes[0] = b' ';
    std::fs::write(&p, bytes).unwrap();
    let (rc, v) = inspect_path(dir.path());
    assert_eq!(rc, 1, "{v}");
    assert_eq!(v["kind"], "oci-image-layout");
    assert_eq!(v["well_formed"], false);
    let problem = v["problem"].as_str().unwrap();
    assert!(
        problem.starts_with("[2] ") && problem.contains(hex),
        "{problem}"
    );
    assert!(!problem.contains('\n'));

    // index.json that is no index; no oci-layout file.
    std::fs::write(dir.path().join("index.json"), b"{}").unwrap();
    let (rc, v) = inspect_path(dir.path());
    assert_eq!((rc, v["kind"].as_str()), (1, Some("oci-image-layout")));
    std::fs::remove_file(dir.path().join("oci-layout")).unwrap();
    let (rc, v) = inspect_path(dir.path());
    assert_eq!(rc, 1, "{v}");
    assert!(v["problem"].as_str().unwrap().contains("oci-layout"), "{v}");
}

#[test]
fn inspect_plain_directory_is_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let (rc, out, err) = run(provenant().arg("inspect").arg(dir.path()));
    assert_eq!(rc, 2, "{out}");
    assert!(
        err.starts_with("error: ") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn inspect_docker_archive() {
    let dir = tempfile::tempdir().unwrap();
    let (files, index_digest, sig_digest) = layout_files();
    let tarball = tar(&files);
    // Recognised by its name, and by the ustar magic without one.
    for name in ["image.tar", "image"] {
        let p = dir.path().join(name);
        std::fs::write(&p, &tarball).unwrap();
        let (rc, v) = inspect_path(&p);
        assert_eq!(rc, 0, "{v}");
        assert_eq!(v["kind"], "docker-archive");
        assert!(fact(&v, "location").starts_with("docker-archive:"), "{v}");
        assert_layout(&v, &index_digest, &sig_digest);
    }
    // docker before 25: manifest.json only, no OCI index.
    let old = tar(&[(
        "manifest.json".to_owned(),
        br#"[{"Config":"c.json","RepoTags":["a:b"],"Layers":[]}]"#.to_vec(),
    )]);
    let p = dir.path().join("old.tar");
    std::fs::write(&p, old).unwrap();
    let (rc, v) = inspect_path(&p);
    assert_eq!((rc, v["kind"].as_str()), (1, Some("docker-archive")));
    assert!(
        v["problem"]
            .as_str()
            .unwrap()
            .starts_with("docker-archive:"),
        "{v}"
    );
    // Not a tarball at all, but named like one.
    let p = dir.path().join("junk.tar");
    std::fs::write(&p, b"junk").unwrap();
    let (rc, v) = inspect_path(&p);
    assert_eq!((rc, v["kind"].as_str()), (1, Some("docker-archive")));
    // JSON named .tar is still read as JSON.
    let p = dir.path().join("doc.tar");
    std::fs::write(&p, serde_json::to_vec(&image_manifest()).unwrap()).unwrap();
    let (rc, v) = inspect_path(&p);
    assert_eq!((rc, v["kind"].as_str()), (0, Some("oci-image-manifest")));
}
