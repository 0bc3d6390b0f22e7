//! Signing provenant's own Verification Summary Attestations (`--vsa-key`): an unencrypted
//! PKCS#8 ECDSA P-256 or P-384 private key signs the DSSE pre-authentication encoding of the
//! statement. Signing is not verification, so it lives here, not in provenant-verify.

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::{
    EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair as _, ECDSA_P256_SHA256_ASN1_SIGNING,
    ECDSA_P384_SHA384_ASN1_SIGNING,
};
use provenant_formats::limits::MAX_KEY_BYTES;

use super::common::{read_limited, CliError};

/// A loaded VSA signing key and its key id (SHA-256 of its SubjectPublicKeyInfo, hex, as cosign
/// and `verify artifact --public-key-id` use).
pub struct VsaSigner {
    key: EcdsaKeyPair,
    keyid: String,
}

const SCHEMES: [(&EcdsaSigningAlgorithm, &str); 2] = [
    (&ECDSA_P256_SHA256_ASN1_SIGNING, "P-256"),
    (&ECDSA_P384_SHA384_ASN1_SIGNING, "P-384"),
];

/// The DER inside a `PRIVATE KEY` PEM block, with a hint for the usual wrong kinds of key file.
fn pkcs8_der(pem: &str, path: &str) -> Result<Vec<u8>, CliError> {
    let bad = |what: &str| CliError::Input(format!("--vsa-key {path}: {what}"));
    if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return Err(bad(
            "an encrypted private key; give it unencrypted (openssl pkcs8 -in KEY -out PLAIN.pem)",
        ));
    }
    if pem.contains("-----BEGIN EC PRIVATE KEY-----") {
        return Err(bad("a SEC1 EC key; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem)"));
    }
    let body = pem
        .split_once("-----BEGIN PRIVATE KEY-----")
        .and_then(|(_, rest)| rest.split_once("-----END PRIVATE KEY-----"))
        .map(|(b64, _)| b64.split_whitespace().collect::<String>())
        .ok_or_else(|| bad("not a PEM private key (expected -----BEGIN PRIVATE KEY-----)"))?;
    provenant_formats::dsse::decode_base64(&body)
        .filter(|d| !d.is_empty())
        .ok_or_else(|| bad("the PEM body is not base64"))
}

impl VsaSigner {
    /// Read the key at `path`.
    pub fn load(path: &str) -> Result<Self, CliError> {
        let pem = read_limited(path, MAX_KEY_BYTES, "VSA signing key")?;
        let pem = String::from_utf8(pem)
            .map_err(|_| CliError::Input(format!("--vsa-key {path}: not PEM text")))?;
        let der = pkcs8_der(&pem, path)?;
        let key = SCHEMES
            .iter()
            .find_map(|(alg, _)| EcdsaKeyPair::from_pkcs8(alg, &der).ok())
            .ok_or_else(|| {
                CliError::Input(format!(
                    "--vsa-key {path}: not an ECDSA {} PKCS#8 private key",
                    SCHEMES.map(|(_, n)| n).join(" or ")
                ))
            })?;
        let spki = key.public_key().as_der().map_err(|_| {
            CliError::Input(format!("--vsa-key {path}: cannot encode its public key"))
        })?;
        let id = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, spki.as_ref());
        let keyid = id.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self { key, keyid })
    }

    /// A one-line DSSE envelope around the in-toto `payload`.
    pub fn envelope(&self, payload: &[u8]) -> Result<Vec<u8>, CliError> {
        let pae =
            provenant_formats::dsse::pae(provenant_report::vsa::IN_TOTO_PAYLOAD_TYPE, payload);
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let sig = self
            .key
            .sign(&rng, &pae)
            .map_err(|_| CliError::Input("cannot sign the VSA".into()))?;
        Ok(provenant_report::vsa::envelope(
            payload,
            &self.keyid,
            sig.as_ref(),
        ))
    }
}
