//! X.509 certificates: self-signed roots, intermediates and leaves, built field by field.

use std::str::FromStr as _;
use std::time::Duration;

use der::asn1::{BitString, Ia5String, OctetString, UtcTime};
use der::oid::ObjectIdentifier;
use der::{Decode as _, Encode};
use sha2::{Digest as _, Sha256};
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

use crate::keys::KeyPair;
use crate::oids;
use crate::spec::Identity;

/// 2020-01-01T00:00:00Z: when the test trust root starts to be valid.
pub(crate) const EPOCH_START: i64 = 1_577_836_800;
/// 2045-01-01T00:00:00Z: when the test CA certificates expire.
pub(crate) const EPOCH_END: i64 = 2_366_841_600;

/// A key and the certificate that vouches for it.
#[derive(Clone)]
pub(crate) struct Authority {
    pub(crate) key: KeyPair,
    pub(crate) cert: Certificate,
    pub(crate) der: Vec<u8>,
}

impl Authority {
    /// A self-signed P-384 CA.
    pub(crate) fn root(
        seed: u64,
        label: &str,
        subject: &str,
        eku: Option<ObjectIdentifier>,
    ) -> Self {
        let key = KeyPair::p384_labelled(seed, label);
        let mut extensions = ca_extensions(&key, None, eku);
        extensions.insert(
            2,
            extension(
                oids::BASIC_CONSTRAINTS,
                true,
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(1),
                },
            ),
        );
        let tbs = tbs(
            serial(label),
            name(subject),
            name(subject),
            (EPOCH_START, EPOCH_END),
            &key,
            &key,
            extensions,
        );
        Self::from_cert(key.clone(), sign(tbs, &key))
    }

    /// A P-384 CA issued by `parent`.
    pub(crate) fn intermediate(
        seed: u64,
        label: &str,
        subject: &str,
        parent: &Authority,
        eku: Option<ObjectIdentifier>,
    ) -> Self {
        let key = KeyPair::p384_labelled(seed, label);
        let mut extensions = ca_extensions(&key, Some(&parent.key), eku);
        extensions.insert(
            2,
            extension(
                oids::BASIC_CONSTRAINTS,
                true,
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
            ),
        );
        let tbs = tbs(
            serial(label),
            parent.cert.tbs_certificate.subject.clone(),
            name(subject),
            (EPOCH_START, EPOCH_END),
            &parent.key,
            &key,
            extensions,
        );
        Self::from_cert(key, sign(tbs, &parent.key))
    }

    /// A P-256 timestamping leaf issued by `parent` (critical EKU timeStamping, as RFC 3161 requires).
    pub(crate) fn timestamping_leaf(
        seed: u64,
        label: &str,
        subject: &str,
        parent: &Authority,
    ) -> Self {
        let key = KeyPair::p256_labelled(seed, label);
        let extensions = vec![
            extension(
                oids::KEY_USAGE,
                true,
                &KeyUsage(KeyUsages::DigitalSignature.into()),
            ),
            extension(
                oids::EXTENDED_KEY_USAGE,
                true,
                &ExtendedKeyUsage(vec![oids::KP_TIME_STAMPING]),
            ),
            extension(
                oids::BASIC_CONSTRAINTS,
                true,
                &BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
            ),
            subject_key_identifier(&key),
            authority_key_identifier(&parent.key),
        ];
        let tbs = tbs(
            serial(label),
            parent.cert.tbs_certificate.subject.clone(),
            name(subject),
            (EPOCH_START, EPOCH_END),
            &parent.key,
            &key,
            extensions,
        );
        Self::from_cert(key, sign(tbs, &parent.key))
    }

    pub(crate) fn from_cert(key: KeyPair, cert: Certificate) -> Self {
        let der = cert.to_der().expect("certificates encode");
        Authority { key, cert, der }
    }

    /// The DER SubjectPublicKeyInfo of this authority's key.
    pub(crate) fn spki_der(&self) -> Vec<u8> {
        self.key.public_key_der()
    }
}

fn ca_extensions(
    key: &KeyPair,
    issuer: Option<&KeyPair>,
    eku: Option<ObjectIdentifier>,
) -> Vec<Extension> {
    let mut extensions = vec![
        extension(
            oids::KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
        ),
        subject_key_identifier(key),
    ];
    if let Some(issuer) = issuer {
        extensions.push(authority_key_identifier(issuer));
    }
    if let Some(eku) = eku {
        extensions.insert(
            1,
            extension(
                oids::EXTENDED_KEY_USAGE,
                false,
                &ExtendedKeyUsage(vec![eku]),
            ),
        );
    }
    extensions
}

/// A distinguished name from its RFC 4514 string form.
pub(crate) fn name(rfc4514: &str) -> Name {
    Name::from_str(rfc4514).expect("test names are well formed")
}

/// A positive serial number derived from `label`.
pub(crate) fn serial(label: &str) -> SerialNumber {
    let digest = Sha256::digest(label.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[0] = (bytes[0] & 0x7f) | 0x10;
    SerialNumber::new(&bytes).expect("16-byte serials are valid")
}

/// An extension whose value is the DER of `value`.
pub(crate) fn extension(oid: ObjectIdentifier, critical: bool, value: &impl Encode) -> Extension {
    raw_extension(
        oid,
        critical,
        value.to_der().expect("extension values encode"),
    )
}

/// An extension whose value is `bytes`, verbatim.
pub(crate) fn raw_extension(oid: ObjectIdentifier, critical: bool, bytes: Vec<u8>) -> Extension {
    Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(bytes).expect("extension values fit"),
    }
}

fn key_identifier(key: &KeyPair) -> OctetString {
    let digest = Sha256::digest(key.public_key_der());
    OctetString::new(&digest[..20]).expect("20 bytes fit")
}

pub(crate) fn subject_key_identifier(key: &KeyPair) -> Extension {
    extension(
        oids::SUBJECT_KEY_IDENTIFIER,
        false,
        &SubjectKeyIdentifier(key_identifier(key)),
    )
}

pub(crate) fn authority_key_identifier(issuer: &KeyPair) -> Extension {
    extension(
        oids::AUTHORITY_KEY_IDENTIFIER,
        false,
        &AuthorityKeyIdentifier {
            key_identifier: Some(key_identifier(issuer)),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        },
    )
}

/// A critical SAN with one URI or email, as Fulcio writes it for a subject-less leaf.
pub(crate) fn subject_alt_name(identity: &Identity) -> Extension {
    let value = Ia5String::new(identity.as_str()).expect("identities are ASCII");
    let general_name = match identity {
        Identity::Uri(_) => GeneralName::UniformResourceIdentifier(value),
        Identity::Email(_) => GeneralName::Rfc822Name(value),
    };
    extension(
        oids::SUBJECT_ALT_NAME,
        true,
        &SubjectAltName(vec![general_name]),
    )
}

fn time(unix: i64) -> Time {
    let seconds = u64::try_from(unix).expect("certificate times are after 1970");
    Time::UtcTime(
        UtcTime::from_unix_duration(Duration::from_secs(seconds)).expect("times before 2050"),
    )
}

/// The to-be-signed part of a certificate.
pub(crate) fn tbs(
    serial_number: SerialNumber,
    issuer: Name,
    subject: Name,
    (not_before, not_after): (i64, i64),
    issuer_key: &KeyPair,
    subject_key: &KeyPair,
    extensions: Vec<Extension>,
) -> TbsCertificate {
    let spki = SubjectPublicKeyInfoOwned::from_der(&subject_key.public_key_der())
        .expect("our own SPKI decodes");
    TbsCertificate {
        version: Version::V3,
        serial_number,
        signature: issuer_key.x509_signature_algorithm(),
        issuer,
        validity: Validity {
            not_before: time(not_before),
            not_after: time(not_after),
        },
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    }
}

/// The certificate: `tbs` signed by `issuer_key`.
pub(crate) fn sign(tbs: TbsCertificate, issuer_key: &KeyPair) -> Certificate {
    let signature = issuer_key.sign(&tbs.to_der().expect("TBS certificates encode"));
    Certificate {
        signature_algorithm: tbs.signature.clone(),
        tbs_certificate: tbs,
        signature: BitString::from_bytes(&signature).expect("signatures fit"),
    }
}
