//! Test images and the evidence registries hold beside them — built byte by byte, signed with the
//! test PKI and keys — plus a harness that starts the CNCF distribution registry on 127.0.0.1.
//!
//! Everything here writes the formats the real tools write: cosign's `sha256-<hex>.sig/.att/
//! .sbom` tags (simple-signing payloads with signature, certificate, chain and Rekor-bundle
//! annotations), OCI 1.1 referrers (artifact manifests with `subject`, plus the referrers tag
//! fallback index), and BuildKit attestation manifests inside an index.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::keys::KeyPair;
use crate::{BundleVersion, Content, LogKind, MintSpec, TestPki};

/// OCI image manifest media type.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index media type.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image config media type.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// OCI empty descriptor media type.
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";

/// A blob: media type, bytes, annotations.
#[derive(Debug, Clone)]
pub struct Blob {
    /// Media type.
    pub media_type: String,
    /// Content.
    pub bytes: Vec<u8>,
    /// Annotations for its descriptor.
    pub annotations: BTreeMap<String, String>,
}

/// `sha256:<hex>` of bytes.
pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

impl Blob {
    /// A blob without annotations.
    pub fn new(media_type: &str, bytes: impl Into<Vec<u8>>) -> Blob {
        Blob {
            media_type: media_type.into(),
            bytes: bytes.into(),
            annotations: BTreeMap::new(),
        }
    }

    /// Add an annotation.
    pub fn with(mut self, k: &str, v: &str) -> Blob {
        self.annotations.insert(k.into(), v.into());
        self
    }

    /// Its digest.
    pub fn digest(&self) -> String {
        digest_of(&self.bytes)
    }

    /// Its descriptor.
    pub fn descriptor(&self) -> Value {
        let mut d = json!({
            "mediaType": self.media_type,
            "digest": self.digest(),
            "size": self.bytes.len(),
        });
        if !self.annotations.is_empty() {
            d["annotations"] = json!(self.annotations);
        }
        d
    }
}

/// A manifest (or index) and every blob it needs.
#[derive(Debug, Clone)]
pub struct Pushable {
    /// The manifest bytes.
    pub manifest: Vec<u8>,
    /// Its media type.
    pub media_type: String,
    /// Blobs to push first.
    pub blobs: Vec<Blob>,
}

impl Pushable {
    /// Its digest.
    pub fn digest(&self) -> String {
        digest_of(&self.manifest)
    }

    /// Its descriptor (for an index entry or a `subject`).
    pub fn descriptor(&self) -> Value {
        json!({"mediaType": self.media_type, "digest": self.digest(), "size": self.manifest.len()})
    }
}

/// A small image: a config naming `platform`, one layer whose content depends on `seed`.
pub fn image(seed: &str, os: &str, arch: &str) -> Pushable {
    let config = Blob::new(
        OCI_CONFIG,
        serde_json::to_vec(&json!({
            "architecture": arch, "os": os,
            "config": {"Labels": {"seed": seed}},
            "rootfs": {"type": "layers", "diff_ids": []},
        }))
        .expect("json"),
    );
    let layer = Blob::new(
        "application/vnd.oci.image.layer.v1.tar",
        format!("layer of {seed} for {os}/{arch}").into_bytes(),
    );
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.descriptor(),
        "layers": [layer.descriptor()],
    });
    Pushable {
        manifest: serde_json::to_vec(&manifest).expect("json"),
        media_type: OCI_MANIFEST.into(),
        blobs: vec![config, layer],
    }
}

/// An index of `platforms` (each with its platform), plus extra raw entries (BuildKit attestation
/// manifests).
pub fn index(platforms: &[(&Pushable, &str, &str)], extra: &[Value]) -> Pushable {
    let mut manifests: Vec<Value> = platforms
        .iter()
        .map(|(p, os, arch)| {
            let mut d = p.descriptor();
            d["platform"] = json!({"os": os, "architecture": arch});
            d
        })
        .collect();
    manifests.extend(extra.iter().cloned());
    Pushable {
        manifest: serde_json::to_vec(&json!({
            "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests,
        }))
        .expect("json"),
        media_type: OCI_INDEX.into(),
        blobs: vec![],
    }
}

/// An evidence manifest: an (empty or given) config and these layers, optionally an OCI 1.1
/// artifact with `artifactType` and `subject`.
pub fn evidence_manifest(
    layers: Vec<Blob>,
    artifact_type: Option<&str>,
    subject: Option<Value>,
) -> Pushable {
    let config = match artifact_type {
        Some(_) => Blob::new(OCI_EMPTY, b"{}".to_vec()),
        None => Blob::new(
            OCI_CONFIG,
            b"{\"architecture\":\"\",\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .to_vec(),
        ),
    };
    let mut m = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.descriptor(),
        "layers": layers.iter().map(Blob::descriptor).collect::<Vec<_>>(),
    });
    if let Some(t) = artifact_type {
        m["artifactType"] = json!(t);
    }
    if let Some(s) = subject {
        m["subject"] = s;
    }
    let mut blobs = vec![config];
    blobs.extend(layers);
    Pushable {
        manifest: serde_json::to_vec(&m).expect("json"),
        media_type: OCI_MANIFEST.into(),
        blobs,
    }
}

/// A referrers tag-fallback index listing `referrers` (with their artifact types).
pub fn referrers_index(referrers: &[(&Pushable, &str)]) -> Pushable {
    let manifests: Vec<Value> = referrers
        .iter()
        .map(|(p, t)| {
            let mut d = p.descriptor();
            d["artifactType"] = json!(t);
            d
        })
        .collect();
    Pushable {
        manifest: serde_json::to_vec(&json!({
            "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests,
        }))
        .expect("json"),
        media_type: OCI_INDEX.into(),
        blobs: vec![],
    }
}

/// cosign's simple-signing payload for `digest` in `repo`.
pub fn simple_signing(repo: &str, digest: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "critical": {
            "identity": {"docker-reference": repo},
            "image": {"docker-manifest-digest": digest},
            "type": "cosign container image signature",
        },
        "optional": null,
    }))
    .expect("json")
}

/// An in-toto v1 statement about `digest` with `predicate_type` and `predicate`.
pub fn statement(name: &str, digest: &str, predicate_type: &str, predicate: Value) -> Vec<u8> {
    let hex = digest.trim_start_matches("sha256:");
    serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": name, "digest": {"sha256": hex}}],
        "predicateType": predicate_type,
        "predicate": predicate,
    }))
    .expect("json")
}

/// An in-toto v1 SLSA provenance v1 statement about `digest` with a fixed test builder
/// (`https://example.com/builder`, build type `https://example.com/build@v1`).
pub fn slsa_statement(name: &str, digest: &str) -> Vec<u8> {
    statement(
        name,
        digest,
        "https://slsa.dev/provenance/v1",
        json!({"buildDefinition": {"buildType": "https://example.com/build@v1"},
               "runDetails": {"builder": {"id": "https://example.com/builder"}}}),
    )
}

/// A key-signed cosign `.sig` layer for `digest`.
pub fn cosign_key_sig_layer(key: &KeyPair, repo: &str, digest: &str) -> Blob {
    let payload = simple_signing(repo, digest);
    let sig = STANDARD.encode(key.sign(&payload));
    Blob::new("application/vnd.dev.cosign.simplesigning.v1+json", payload)
        .with("dev.cosignproject.cosign/signature", &sig)
}

fn pem(der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ascii"));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// The cosign annotations of a keyless signature, taken from a minted v0.1 bundle: certificate,
/// chain, Rekor bundle (SET + entry), and the signature (`""` for DSSE, as cosign writes).
fn keyless_annotations(pki: &TestPki, bundle_json: &str) -> (BTreeMap<String, String>, Value) {
    let b: Value = serde_json::from_str(bundle_json).expect("minted bundle is JSON");
    let vm = &b["verificationMaterial"];
    let leaf = vm["x509CertificateChain"]["certificates"][0]["rawBytes"]
        .as_str()
        .or_else(|| vm["certificate"]["rawBytes"].as_str())
        .expect("minted bundle has a certificate");
    let leaf = STANDARD.decode(leaf).expect("base64");
    let t = &vm["tlogEntries"][0];
    let log_id = STANDARD
        .decode(t["logId"]["keyId"].as_str().expect("logId"))
        .expect("base64");
    let rekor = json!({
        "SignedEntryTimestamp": t["inclusionPromise"]["signedEntryTimestamp"],
        "Payload": {
            "body": t["canonicalizedBody"],
            "integratedTime": t["integratedTime"].as_str().and_then(|s| s.parse::<i64>().ok()),
            "logIndex": t["logIndex"].as_str().and_then(|s| s.parse::<i64>().ok()),
            "logID": hex::encode(log_id),
        }
    });
    let chain = pem(&pki.fulcio_intermediate_der()) + &pem(&pki.fulcio_root_der());
    let mut a = BTreeMap::new();
    a.insert("dev.sigstore.cosign/certificate".to_string(), pem(&leaf));
    a.insert("dev.sigstore.cosign/chain".to_string(), chain);
    a.insert(
        "dev.sigstore.cosign/bundle".to_string(),
        serde_json::to_string(&rekor).expect("json"),
    );
    (a, b)
}

/// A keyless cosign `.sig` layer for `digest`, signed by the test PKI (Fulcio certificate for
/// `spec`'s identity, Rekor v1 signed entry timestamp).
pub fn cosign_keyless_sig_layer(pki: &TestPki, spec: &MintSpec, repo: &str, digest: &str) -> Blob {
    let payload = simple_signing(repo, digest);
    let minted = pki.mint(&MintSpec {
        artifact: payload.clone(),
        content: Content::MessageSignature,
        bundle_version: BundleVersion::V0_1,
        log: LogKind::RekorV1,
        ..spec.clone()
    });
    let (mut ann, b) = keyless_annotations(pki, &minted.bundle_json);
    ann.insert(
        "dev.cosignproject.cosign/signature".into(),
        b["messageSignature"]["signature"]
            .as_str()
            .expect("signature")
            .into(),
    );
    Blob {
        media_type: "application/vnd.dev.cosign.simplesigning.v1+json".into(),
        bytes: payload,
        annotations: ann,
    }
}

/// A key-signed cosign `.att` layer: a DSSE envelope over `statement`.
pub fn cosign_key_att_layer(key: &KeyPair, statement: &[u8]) -> Blob {
    let env = crate::keys::dsse_envelope(crate::IN_TOTO_PAYLOAD_TYPE, statement, &[(key, None)]);
    Blob::new("application/vnd.dsse.envelope.v1+json", env.into_bytes())
        .with("dev.cosignproject.cosign/signature", "")
        .with("predicateType", "https://slsa.dev/provenance/v1")
}

/// A keyless cosign `.att` layer: the DSSE envelope of a minted bundle, with certificate, chain and
/// Rekor bundle annotations.
pub fn cosign_keyless_att_layer(pki: &TestPki, spec: &MintSpec, statement: &[u8]) -> Blob {
    let minted = pki.mint(&MintSpec {
        content: Content::Dsse {
            statement_json: Some(String::from_utf8(statement.to_vec()).expect("utf8")),
        },
        bundle_version: BundleVersion::V0_1,
        log: LogKind::RekorV1,
        ..spec.clone()
    });
    let (mut ann, b) = keyless_annotations(pki, &minted.bundle_json);
    ann.insert("dev.cosignproject.cosign/signature".into(), String::new());
    Blob {
        media_type: "application/vnd.dsse.envelope.v1+json".into(),
        bytes: serde_json::to_vec(&b["dsseEnvelope"]).expect("json"),
        annotations: ann,
    }
}

/// A Sigstore bundle v0.3 with a DSSE statement about `digest`, as an OCI 1.1 referrer layer.
pub fn bundle_layer(pki: &TestPki, spec: &MintSpec, statement: &[u8]) -> Blob {
    let minted = pki.mint(&MintSpec {
        content: Content::Dsse {
            statement_json: Some(String::from_utf8(statement.to_vec()).expect("utf8")),
        },
        bundle_version: BundleVersion::V0_3,
        ..spec.clone()
    });
    Blob::new(
        "application/vnd.dev.sigstore.bundle.v0.3+json",
        minted.bundle_json.into_bytes(),
    )
}

/// Write `pushables` (blobs and manifests) as an OCI image layout in `dir`; `refs` are
/// (manifest, tag) pairs listed in `index.json`.
pub fn write_layout(dir: &Path, pushables: &[&Pushable], refs: &[(&Pushable, &str)]) {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).expect("mkdir");
    let write = |bytes: &[u8]| {
        let d = digest_of(bytes);
        std::fs::write(blobs.join(d.trim_start_matches("sha256:")), bytes).expect("write blob");
    };
    for p in pushables {
        for b in &p.blobs {
            write(&b.bytes);
        }
        write(&p.manifest);
    }
    let manifests: Vec<Value> = refs
        .iter()
        .map(|(p, tag)| {
            let mut d = p.descriptor();
            d["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
            d
        })
        .collect();
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(
            &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}),
        )
        .expect("json"),
    )
    .expect("write index");
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).expect("write");
}

/// One entry of a test tarball. Names are written byte for byte, never cleaned, so that
/// tampered archives (`x/../index.json`, `/index.json`, a name twice, a link) can be made.
#[derive(Debug, Clone)]
pub enum TarEntry {
    /// A regular file.
    File(String, Vec<u8>),
    /// A symbolic (or, with `hard`, a hard) link to `target`.
    Link {
        /// Its name.
        name: String,
        /// What it points at.
        target: String,
        /// A hard link rather than a symbolic one.
        hard: bool,
    },
    /// A directory.
    Dir(String),
}

impl TarEntry {
    /// Its name.
    pub fn name(&self) -> &str {
        match self {
            TarEntry::File(n, _) | TarEntry::Link { name: n, .. } | TarEntry::Dir(n) => n,
        }
    }
}

/// Write `entries` to a tar file at `path`, each name exactly as given (at most 100 bytes).
pub fn write_tar(path: &Path, entries: &[TarEntry]) {
    let mut t = tar::Builder::new(std::fs::File::create(path).expect("create tar"));
    for e in entries {
        let mut h = tar::Header::new_gnu();
        let name = e.name().as_bytes();
        assert!(name.len() <= 100, "test tar names are at most 100 bytes");
        let raw = &mut h.as_old_mut().name;
        raw.fill(0);
        raw[..name.len()].copy_from_slice(name);
        let data: &[u8] = match e {
            TarEntry::File(_, bytes) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o644);
                bytes
            }
            TarEntry::Link { target, hard, .. } => {
                h.set_entry_type(if *hard {
                    tar::EntryType::Link
                } else {
                    tar::EntryType::Symlink
                });
                h.set_mode(0o777);
                h.set_link_name(target).expect("link name");
                &[]
            }
            TarEntry::Dir(_) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                &[]
            }
        };
        h.set_size(data.len() as u64);
        h.set_cksum();
        t.append(&h, data).expect("append");
    }
    t.finish().expect("finish tar");
}

/// A `docker save` `manifest.json` entry for the image manifest `p`, saved as `tag`: its
/// config and layers as `blobs/sha256/<hex>` paths, as docker 25 and later write them.
pub fn docker_save_entry(p: &Pushable, tag: &str) -> Value {
    let m: Value = serde_json::from_slice(&p.manifest).expect("manifest json");
    let path = |d: &Value| {
        format!(
            "blobs/sha256/{}",
            d["digest"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches("sha256:")
        )
    };
    json!({
        "Config": path(&m["config"]),
        "RepoTags": [tag],
        "Layers": m["layers"].as_array().map(|a| a.iter().map(path).collect::<Vec<_>>()).unwrap_or_default(),
    })
}

/// The entries of a docker 25+ `docker save` archive: `oci-layout`, the blobs of `pushables`,
/// `index.json` listing `refs` (with containerd's image name and the OCI ref name), and
/// `manifest.json` holding `saved` (see [`docker_save_entry`]) — the two views of one image.
pub fn docker_save_entries(
    pushables: &[&Pushable],
    refs: &[(&Pushable, &str)],
    saved: &[Value],
) -> Vec<TarEntry> {
    let mut out = vec![
        TarEntry::Dir("blobs/".into()),
        TarEntry::Dir("blobs/sha256/".into()),
    ];
    let mut names = std::collections::BTreeSet::new();
    for p in pushables {
        for bytes in p
            .blobs
            .iter()
            .map(|b| &b.bytes)
            .chain(std::iter::once(&p.manifest))
        {
            let name = format!(
                "blobs/sha256/{}",
                digest_of(bytes).trim_start_matches("sha256:")
            );
            if names.insert(name.clone()) {
                out.push(TarEntry::File(name, bytes.clone()));
            }
        }
    }
    let manifests: Vec<Value> = refs
        .iter()
        .map(|(p, tag)| {
            let mut d = p.descriptor();
            d["annotations"] = json!({
                "io.containerd.image.name": format!("docker.io/library/{tag}"),
                "org.opencontainers.image.ref.name": tag.rsplit_once(':').map_or(*tag, |(_, t)| t),
            });
            d
        })
        .collect();
    out.push(TarEntry::File(
        "index.json".into(),
        serde_json::to_vec(
            &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}),
        )
        .expect("json"),
    ));
    out.push(TarEntry::File(
        "manifest.json".into(),
        serde_json::to_vec(&Value::Array(saved.to_vec())).expect("json"),
    ));
    out.push(TarEntry::File(
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    ));
    out
}

/// A running CNCF distribution registry on 127.0.0.1 with storage in a temp dir; stopped on drop.
pub struct TestRegistry {
    child: Child,
    pusher: Pusher,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TestRegistry {
    type Target = Pusher;
    fn deref(&self) -> &Pusher {
        &self.pusher
    }
}

/// Pushes blobs and manifests to a registry over plain HTTP (loopback test registries).
pub struct Pusher {
    /// `host:port`.
    pub host: String,
    http: reqwest::blocking::Client,
    basic: Option<(String, String)>,
}

impl Pusher {
    /// A pusher for the registry at `host:port`.
    pub fn new(host: &str) -> Pusher {
        Pusher {
            host: host.to_owned(),
            http: reqwest::blocking::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            basic: None,
        }
    }

    fn req(&self, method: reqwest::Method, url: String) -> reqwest::blocking::RequestBuilder {
        let r = self.http.request(method, url);
        match &self.basic {
            Some((u, p)) => r.basic_auth(u, Some(p)),
            None => r,
        }
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the registry binary is: `$PROVENANT_REGISTRY_BIN`, else Debian's `docker-registry`.
pub fn registry_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PROVENANT_REGISTRY_BIN") {
        return Some(PathBuf::from(p));
    }
    [
        "/usr/bin/docker-registry",
        "/usr/local/bin/registry",
        "/usr/bin/registry",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

impl TestRegistry {
    /// Start a registry, or `None` (with a message) when the binary is missing outside CI. Under
    /// `CI=true` a missing binary is a failure.
    pub fn start() -> Option<TestRegistry> {
        Self::start_with(None)
    }

    /// Start a registry that requires HTTP Basic authentication (distribution's htpasswd mode):
    /// `htpasswd` is one `user:bcrypt-hash` line. The returned registry pushes with `user`/`password`.
    pub fn start_with_auth(user: &str, bcrypt_hash: &str, password: &str) -> Option<TestRegistry> {
        let mut reg = Self::start_with(Some(format!("{user}:{bcrypt_hash}\n")))?;
        reg.pusher.basic = Some((user.to_owned(), password.to_owned()));
        Some(reg)
    }

    fn start_with(htpasswd: Option<String>) -> Option<TestRegistry> {
        let Some(bin) = registry_binary() else {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "CI=true but the distribution registry (Debian package docker-registry) is not installed"
            );
            #[allow(clippy::print_stderr)]
            {
                eprintln!("skipping: docker-registry not installed (apt-get install docker-registry); registry tests are skipped outside CI");
            }
            return None;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let host = format!("127.0.0.1:{port}");
        let config = dir.path().join("config.yml");
        let auth = match &htpasswd {
            Some(lines) => {
                let p = dir.path().join("htpasswd");
                std::fs::write(&p, lines).expect("write htpasswd");
                format!(
                    "auth:\n  htpasswd:\n    realm: provenant-test\n    path: {}\n",
                    p.display()
                )
            }
            None => String::new(),
        };
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {host}\n{auth}",
                dir.path().join("data").display()
            ),
        )
        .expect("write config");
        let child = Command::new(&bin)
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let reg = TestRegistry {
            child,
            pusher: Pusher::new(&host),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = reg.http.get(format!("http://{}/v2/", reg.host)).send() {
                if r.status().is_success() || r.status().as_u16() == 401 {
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start on {}",
                reg.host
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(reg)
    }
}

impl Pusher {
    /// Push a blob (monolithic upload).
    pub fn push_blob(&self, repo: &str, bytes: &[u8]) {
        let d = digest_of(bytes);
        let r = self
            .req(
                reqwest::Method::POST,
                format!("http://{}/v2/{repo}/blobs/uploads/", self.host),
            )
            .send()
            .expect("start upload");
        assert_eq!(r.status().as_u16(), 202, "start upload");
        let loc = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("upload location")
            .to_owned();
        let url = if loc.starts_with("http") {
            loc
        } else {
            format!("http://{}{loc}", self.host)
        };
        let sep = if url.contains('?') { '&' } else { '?' };
        let r = self
            .req(reqwest::Method::PUT, format!("{url}{sep}digest={d}"))
            .header("content-type", "application/octet-stream")
            .body(bytes.to_vec())
            .send()
            .expect("upload");
        assert_eq!(r.status().as_u16(), 201, "upload blob: {:?}", r.text());
    }

    /// Push a manifest under `reference` (a tag or its digest).
    pub fn push_manifest(&self, repo: &str, reference: &str, media_type: &str, bytes: &[u8]) {
        let r = self
            .req(
                reqwest::Method::PUT,
                format!("http://{}/v2/{repo}/manifests/{reference}", self.host),
            )
            .header("content-type", media_type)
            .body(bytes.to_vec())
            .send()
            .expect("put manifest");
        assert_eq!(r.status().as_u16(), 201, "put manifest: {:?}", r.text());
    }

    /// Push every blob of `p`, then `p` under `reference` (`None`: by digest).
    pub fn push(&self, repo: &str, p: &Pushable, reference: Option<&str>) {
        for b in &p.blobs {
            self.push_blob(repo, &b.bytes);
        }
        let r = reference.map_or_else(|| p.digest(), str::to_owned);
        self.push_manifest(repo, &r, &p.media_type, &p.manifest);
    }

    /// `127.0.0.1:<port>/<repo>`.
    pub fn repo(&self, repo: &str) -> String {
        format!("{}/{repo}", self.host)
    }
}

/// The cosign tag of a digest (`sha256-<hex>`).
pub fn digest_tag(digest: &str) -> String {
    digest.replace(':', "-")
}
