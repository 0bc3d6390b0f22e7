//! Within one bundle's verification, a signature is checked once.
//!
//! sigstore-verify verifies a Rekor checkpoint's signature, and provenant verifies it again
//! (bound to the entry's own log, its key's validity window and the checkpoint's origin, which
//! sigstore-verify does not check): the same public key, message and signature, twice per
//! bundle. Every signature check of sigstore-verify and of provenant goes through
//! sigstore-crypto's process-wide [`CryptoProvider`]; provenant installs [`MemoProvider`],
//! which delegates to aws-lc and, only inside [`scoped`] (one bundle's verification, on one
//! thread), remembers the checks that succeeded, keyed by their exact bytes (scheme, public
//! key, message, signature). A later check with byte-for-byte the same four is answered from
//! that list; anything else, a failure included, is computed. The list is dropped when the
//! bundle's verification ends, so nothing carries over from one bundle to the next: every
//! bundle's signatures, its certificate chain included, are verified for that bundle.
//!
//! What the memo answers is a pure function of those bytes (an ECDSA, Ed25519, RSA or ML-DSA
//! verification has no other input), so it cannot change any outcome; time windows, trust
//! anchors and identities are decided by the callers, which run in full every time.

use std::cell::RefCell;

use sigstore_verify::crypto::{
    aws_lc_provider, install_default_provider, CryptoProvider, HashContext, KeyAlgorithm,
    SigningKeyPair, SigningScheme,
};
use sigstore_verify::types::HashAlgorithm;

/// A check that succeeded: its scheme and exact bytes.
struct Verified {
    scheme: SigningScheme,
    key: Vec<u8>,
    data: Vec<u8>,
    signature: Vec<u8>,
}

/// At most this many remembered checks per bundle (a bundle has about five).
const MAX_REMEMBERED: usize = 32;

thread_local! {
    /// `Some` inside [`scoped`]: the checks that succeeded in this bundle's verification.
    static SCOPE: RefCell<Option<Vec<Verified>>> = const { RefCell::new(None) };
}

/// sigstore-crypto's aws-lc provider, with the per-bundle memo of successful checks.
#[derive(Debug)]
pub(crate) struct MemoProvider;

static MEMO_PROVIDER: MemoProvider = MemoProvider;

/// Install [`MemoProvider`] as sigstore-crypto's provider (once; if another provider was
/// installed first, that one stays and nothing is remembered).
pub(crate) fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = install_default_provider(&MEMO_PROVIDER);
    });
}

/// Run `f` (one bundle's verification) with a fresh memo, dropped when it returns (or
/// unwinds). Scopes nest: an inner one has its own memo, and the outer one is restored.
pub(crate) fn scoped<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Vec<Verified>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            SCOPE.with(|s| *s.borrow_mut() = outer);
        }
    }
    install();
    let outer = SCOPE.with(|s| s.borrow_mut().replace(Vec::new()));
    let _restore = Restore(outer);
    f()
}

fn remembered(scheme: SigningScheme, key: &[u8], data: &[u8], signature: &[u8]) -> bool {
    SCOPE.with(|s| {
        s.borrow().as_ref().is_some_and(|list| {
            list.iter().any(|v| {
                v.scheme == scheme && v.key == key && v.data == data && v.signature == signature
            })
        })
    })
}

fn remember(scheme: SigningScheme, key: &[u8], data: &[u8], signature: &[u8]) {
    SCOPE.with(|s| {
        if let Some(list) = s.borrow_mut().as_mut() {
            if list.len() < MAX_REMEMBERED {
                list.push(Verified {
                    scheme,
                    key: key.to_vec(),
                    data: data.to_vec(),
                    signature: signature.to_vec(),
                });
            }
        }
    });
}

impl CryptoProvider for MemoProvider {
    fn hash(
        &self,
        algorithm: HashAlgorithm,
    ) -> sigstore_verify::crypto::Result<Box<dyn HashContext>> {
        aws_lc_provider().hash(algorithm)
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        aws_lc_provider().sha256(data)
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        aws_lc_provider().sha384(data)
    }

    fn sha512(&self, data: &[u8]) -> [u8; 64] {
        aws_lc_provider().sha512(data)
    }

    fn verify_raw(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        data: &[u8],
        signature: &[u8],
    ) -> sigstore_verify::crypto::Result<()> {
        if remembered(scheme, spki_pubkey_bytes, data, signature) {
            return Ok(());
        }
        aws_lc_provider().verify_raw(scheme, spki_pubkey_bytes, data, signature)?;
        remember(scheme, spki_pubkey_bytes, data, signature);
        Ok(())
    }

    fn verify_prehashed(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        digest: &[u8],
        signature: &[u8],
    ) -> sigstore_verify::crypto::Result<()> {
        aws_lc_provider().verify_prehashed(scheme, spki_pubkey_bytes, digest, signature)
    }

    fn generate_key_pair(
        &self,
        algorithm: KeyAlgorithm,
    ) -> sigstore_verify::crypto::Result<Box<dyn SigningKeyPair>> {
        aws_lc_provider().generate_key_pair(algorithm)
    }

    fn key_pair_from_pkcs8_der(
        &self,
        pkcs8: &[u8],
    ) -> sigstore_verify::crypto::Result<Box<dyn SigningKeyPair>> {
        aws_lc_provider().key_pair_from_pkcs8_der(pkcs8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigstore_verify::crypto::KeyPair;

    fn signed() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let kp = KeyPair::generate_ecdsa_p256().expect("key");
        let data = b"checkpoint body".to_vec();
        let sig = kp.sign(&data).expect("sign");
        (
            kp.public_key_bytes().to_vec(),
            data,
            sig.as_bytes().to_vec(),
        )
    }

    const P256: SigningScheme = SigningScheme::EcdsaP256Sha256;

    #[test]
    fn only_the_exact_bytes_of_a_success_are_remembered() {
        let (key, data, sig) = signed();
        let mut bad_sig = sig.clone();
        let last = bad_sig.len() - 1;
        bad_sig[last] ^= 1;
        let p = &MEMO_PROVIDER;
        scoped(|| {
            assert!(p.verify_raw(P256, &key, &data, &sig).is_ok());
            assert!(remembered(P256, &key, &data, &sig));
            // Hits answer only byte-for-byte the same check.
            assert!(p.verify_raw(P256, &key, &data, &sig).is_ok());
            assert!(p.verify_raw(P256, &key, &data, &bad_sig).is_err());
            assert!(p.verify_raw(P256, &key, b"other body", &sig).is_err());
            assert!(!remembered(
                SigningScheme::EcdsaP384Sha384,
                &key,
                &data,
                &sig
            ));
            // A failure is never remembered.
            assert!(!remembered(P256, &key, &data, &bad_sig));
        });
    }

    #[test]
    fn nothing_is_remembered_outside_a_bundle_or_after_it() {
        let (key, data, sig) = signed();
        let p = &MEMO_PROVIDER;
        assert!(p.verify_raw(P256, &key, &data, &sig).is_ok());
        assert!(!remembered(P256, &key, &data, &sig), "outside a scope");
        scoped(|| {
            assert!(p.verify_raw(P256, &key, &data, &sig).is_ok());
            scoped(|| assert!(!remembered(P256, &key, &data, &sig), "a new bundle"));
            assert!(
                remembered(P256, &key, &data, &sig),
                "the outer scope is restored"
            );
        });
        assert!(
            !remembered(P256, &key, &data, &sig),
            "dropped with its bundle"
        );
    }
}
