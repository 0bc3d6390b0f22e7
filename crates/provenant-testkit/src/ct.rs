//! Certificate Transparency: an RFC 6962 log key that signs embedded SCTs over precertificates.

use der::asn1::OctetString;
use sha2::{Digest as _, Sha256};
use x509_cert::ext::Extension;

use crate::keys::KeyPair;
use crate::oids;

/// A CT log: its ECDSA P-256 key and log ID (SHA-256 of the SPKI).
#[derive(Clone)]
pub(crate) struct CtLog {
    pub(crate) key: KeyPair,
}

impl CtLog {
    pub(crate) fn new(seed: u64, label: &str) -> Self {
        CtLog {
            key: KeyPair::p256_labelled(seed, label),
        }
    }

    pub(crate) fn log_id(&self) -> [u8; 32] {
        Sha256::digest(self.key.public_key_der()).into()
    }

    /// The embedded-SCT-list extension for a precertificate whose TBS (without this extension) is
    /// `precert_tbs_der`, issued by the CA with SubjectPublicKeyInfo `issuer_spki_der`.
    pub(crate) fn sct_extension(
        &self,
        timestamp_ms: u64,
        issuer_spki_der: &[u8],
        precert_tbs_der: &[u8],
    ) -> Extension {
        let issuer_key_hash: [u8; 32] = Sha256::digest(issuer_spki_der).into();

        // RFC 6962 §3.2 digitally-signed struct for a precert_entry.
        let mut signed = vec![0u8, 0u8]; // v1, certificate_timestamp
        signed.extend_from_slice(&timestamp_ms.to_be_bytes());
        signed.extend_from_slice(&1u16.to_be_bytes()); // precert_entry
        signed.extend_from_slice(&issuer_key_hash);
        let tbs_len = u32::try_from(precert_tbs_der.len()).expect("TBS fits in 24 bits");
        signed.extend_from_slice(&tbs_len.to_be_bytes()[1..]);
        signed.extend_from_slice(precert_tbs_der);
        signed.extend_from_slice(&0u16.to_be_bytes()); // no CT extensions
        let signature = self.key.sign(&signed);

        let mut sct = vec![0u8]; // v1
        sct.extend_from_slice(&self.log_id());
        sct.extend_from_slice(&timestamp_ms.to_be_bytes());
        sct.extend_from_slice(&0u16.to_be_bytes()); // no CT extensions
        sct.extend_from_slice(&[4, 3]); // sha256, ecdsa
        sct.extend_from_slice(&u16_len(&signature));
        sct.extend_from_slice(&signature);

        let mut list = Vec::new();
        list.extend_from_slice(&u16_len(&sct));
        list.extend_from_slice(&sct);
        let mut outer = u16_len(&list).to_vec();
        outer.extend_from_slice(&list);

        let value = OctetString::new(outer).expect("SCT lists fit");
        crate::certs::extension(oids::CT_PRECERT_SCTS, false, &value)
    }
}

fn u16_len(bytes: &[u8]) -> [u8; 2] {
    u16::try_from(bytes.len())
        .expect("TLS vectors fit in 16 bits")
        .to_be_bytes()
}
