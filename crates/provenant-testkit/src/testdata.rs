//! The contents of the workspace's `testdata/` directory, as `gen-testdata` writes it.

use crate::keys::{cosign_blob_signature, dsse_envelope, KeyPair};
use crate::pki::TestPki;
use crate::spec::{MintSpec, IN_TOTO_PAYLOAD_TYPE};
use crate::tamper::Tamper;

/// The seed of the PKI and keys behind `testdata/`.
pub const TESTDATA_SEED: u64 = 20_250_615;

/// One generated file: where it goes under `testdata/`, what it is, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestdataFile {
    /// Path relative to `testdata/`, with `/` separators.
    pub path: String,
    /// One line on what the file is, for the README.
    pub description: String,
    /// The file's contents.
    pub contents: Vec<u8>,
}

impl TestdataFile {
    fn new(path: &str, description: &str, contents: impl Into<Vec<u8>>) -> Self {
        TestdataFile {
            path: path.to_string(),
            description: description.to_string(),
            contents: contents.into(),
        }
    }
}

/// Every file of `testdata/`, README first; deterministic for a given testkit version.
pub fn testdata_files() -> Vec<TestdataFile> {
    let pki = TestPki::new(TESTDATA_SEED);
    let spec = MintSpec::default();
    let cosign = KeyPair::p256(TESTDATA_SEED);
    let statement = spec.statement_json();

    let mut files = vec![
        TestdataFile::new(
            "trust/trusted_root.json",
            "Sigstore trusted root of the test PKI (Fulcio-like CA, CT log, Rekor v1 and v2 logs, TSA); verify every bundle here against it, never against the public-good root.",
            pki.trusted_root_json(),
        ),
        TestdataFile::new(
            "release/hello-provenant.txt",
            "The released artifact.",
            spec.artifact.clone(),
        ),
        TestdataFile::new(
            "release/hello-provenant.txt.sigstore.json",
            &format!(
                "Sigstore bundle v0.3, message signature over the artifact by `{}` (issuer `{}`), logged in Rekor v1 (hashedrekord 0.0.1, SET, inclusion proof, checkpoint).",
                spec.identity.as_str(),
                spec.issuer
            ),
            pki.mint(&spec).bundle_json,
        ),
        TestdataFile::new(
            "release/hello-provenant.intoto.sigstore.json",
            "Sigstore bundle v0.3, DSSE envelope with an in-toto v1 SLSA provenance v1 statement about the artifact, same signer, logged in Rekor v1 (dsse 0.0.1).",
            pki.mint(&spec.clone().dsse()).bundle_json,
        ),
        TestdataFile::new(
            "release/hello-provenant.rekor2.sigstore.json",
            "Sigstore bundle v0.3, message signature, logged in Rekor v2 (hashedrekord 0.0.2, Ed25519 checkpoint) with an RFC 3161 timestamp.",
            pki.mint(&spec.clone().log(crate::spec::LogKind::RekorV2)).bundle_json,
        ),
        TestdataFile::new(
            "keys/cosign.pub",
            "cosign-style ECDSA P-256 public key (PKIX PEM).",
            cosign.public_pem(),
        ),
        TestdataFile::new(
            "keys/cosign.key",
            "Its private key, unencrypted PKCS#8 PEM (real cosign keys are encrypted; this one is for tests only).",
            cosign.private_pem(),
        ),
        TestdataFile::new(
            "release/hello-provenant.txt.sig",
            "`cosign sign-blob --key keys/cosign.key` signature over the artifact: base64 DER ECDSA over its SHA-256.",
            cosign_blob_signature(&cosign, &spec.artifact) + "\n",
        ),
        TestdataFile::new(
            "release/hello-provenant.dsse.json",
            "DSSE envelope with the same in-toto statement, signed over the PAE by `keys/cosign.key` (keyid = SHA-256 of its SPKI).",
            dsse_envelope(
                IN_TOTO_PAYLOAD_TYPE,
                statement.as_bytes(),
                &[(&cosign, Some(&cosign.key_id()))],
            ),
        ),
    ];
    for tamper in Tamper::ALL {
        let minted = pki.mint_tampered(&spec, tamper);
        let kind = if tamper.needs_dsse() {
            "DSSE"
        } else {
            "message-signature"
        };
        let artifact = if minted.artifact == spec.artifact {
            "`release/hello-provenant.txt`".to_string()
        } else {
            let path = format!("release/tampered/{}.txt", tamper.name());
            let description = format!(
                "The artifact `release/tampered/{}.sigstore.json` does not match.",
                tamper.name()
            );
            let artifact = format!("`{path}` (the bundle itself is valid)");
            files.push(TestdataFile::new(&path, &description, minted.artifact));
            artifact
        };
        files.push(TestdataFile::new(
            &format!("release/tampered/{}.sigstore.json", tamper.name()),
            &format!(
                "`Tamper::{tamper:?}` on the default {kind} bundle; verify against {artifact}."
            ),
            minted.bundle_json,
        ));
    }

    // Solidity sources of the contract tests (compiled with solc-js by tools/chain/build.mjs
    // at test time and deployed to a local anvil by tests/it/contract.rs).
    for (name, description, source) in CONTRACTS {
        files.push(TestdataFile::new(
            &format!("contracts/{name}"),
            description,
            source.as_bytes().to_vec(),
        ));
    }

    let mut readme = String::from(README_HEAD);
    for file in &files {
        readme.push_str(&format!("| `{}` | {} |\n", file.path, file.description));
    }
    files.insert(0, TestdataFile::new("README.md", "This file.", readme));
    files
}

/// The contract tests' Solidity sources: file name, what it is, the source.
const CONTRACTS: [(&str, &str, &str); 5] = [
    (
        "Plain.sol",
        "Solidity: a plain contract (no constructor arguments, immutables or libraries).",
        include_str!("contracts/Plain.sol"),
    ),
    (
        "WithImmutables.sol",
        "Solidity: two immutables, written into the runtime code by the constructor.",
        include_str!("contracts/WithImmutables.sol"),
    ),
    (
        "WithArgs.sol",
        "Solidity: static and dynamic constructor arguments (string, uint256, address).",
        include_str!("contracts/WithArgs.sol"),
    ),
    (
        "Linked.sol",
        "Solidity: an external library and a contract linked against it.",
        include_str!("contracts/Linked.sol"),
    ),
    (
        "Proxies.sol",
        "Solidity: the logic, an EIP-1967 proxy, a beacon and a beacon proxy, an EIP-1167 clone factory.",
        include_str!("contracts/Proxies.sol"),
    ),
];

const README_HEAD: &str = "# testdata

Generated by `cargo run -p provenant-testkit --bin gen-testdata`; never hand-edited. The
generator is deterministic (fixed seed, RFC 6979 ECDSA, Ed25519), so regenerating gives the same
bytes, and the `testdata_is_up_to_date` test of provenant-testkit fails when this directory and
the generator disagree. Change the generator, then regenerate.

Everything here is signed by the testkit's own test PKI (seed `20250615`), not by Sigstore's
public-good instance: verify against `trust/trusted_root.json`. Signing time is
2025-06-15T15:06:40Z; the signer identity is the GitHub Actions workflow
`https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0` with issuer
`https://token.actions.githubusercontent.com`.

Each `release/tampered/<name>.sigstore.json` breaks exactly one property (see `Tamper` in
`crates/provenant-testkit/src/tamper.rs`) and must fail verification; sigstore-verify itself
accepts `duplicate-json-keys-in-predicate` (the caller must reject duplicate keys) and rejects the
identity variants only because it matches identities exactly.

| file | what it is |
| --- | --- |
";
