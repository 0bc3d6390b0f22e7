//! An RFC 3161 timestamp authority: TimeStampResp / CMS SignedData over a TSTInfo.

use std::time::Duration;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{GeneralizedTime, OctetString, SetOfVec, UtcTime};
use der::oid::ObjectIdentifier;
use der::{Any, Decode as _, Encode as _, Sequence};
use sha2::{Digest as _, Sha256};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::certs::Authority;
use crate::oids;

/// A TSA: a root CA and the timestamping leaf it issued.
#[derive(Clone)]
pub(crate) struct Tsa {
    pub(crate) root: Authority,
    pub(crate) leaf: Authority,
}

#[derive(Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

#[derive(Sequence)]
struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: u64,
    gen_time: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<GeneralName>,
}

#[derive(Sequence)]
struct PkiStatusInfo {
    status: u8,
}

#[derive(Sequence)]
struct TimeStampResp {
    status: PkiStatusInfo,
    time_stamp_token: ContentInfo,
}

#[derive(Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
}

#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

fn sha256_algorithm() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: oids::SHA256,
        parameters: None,
    }
}

fn attribute(oid: ObjectIdentifier, value: &impl der::Encode) -> Attribute {
    let value =
        Any::from_der(&value.to_der().expect("attribute values encode")).expect("DER re-decodes");
    Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).expect("one value is a set"),
    }
}

impl Tsa {
    /// A DER `TimeStampResp` (status granted) whose TSTInfo imprints SHA-256 of `message` at `time`.
    pub(crate) fn timestamp(&self, message: &[u8], time: i64, serial: u64) -> Vec<u8> {
        let seconds = Duration::from_secs(u64::try_from(time).expect("timestamps are after 1970"));
        let tst_info = TstInfo {
            version: 1,
            policy: oids::TSA_POLICY,
            message_imprint: MessageImprint {
                hash_algorithm: sha256_algorithm(),
                hashed_message: OctetString::new(Sha256::digest(message).to_vec())
                    .expect("digests fit"),
            },
            serial_number: serial,
            gen_time: GeneralizedTime::from_unix_duration(seconds).expect("valid time"),
            tsa: Some(GeneralName::DirectoryName(
                self.leaf.cert.tbs_certificate.subject.clone(),
            )),
        };
        let tst_der = tst_info.to_der().expect("TSTInfo encodes");

        let leaf_hash = OctetString::new(Sha256::digest(&self.leaf.der).to_vec()).expect("fits");
        let signed_attrs = SetOfVec::try_from(vec![
            attribute(oids::CONTENT_TYPE, &oids::TST_INFO),
            attribute(
                oids::SIGNING_TIME,
                &UtcTime::from_unix_duration(seconds).expect("valid time"),
            ),
            attribute(
                oids::MESSAGE_DIGEST,
                &OctetString::new(Sha256::digest(&tst_der).to_vec()).expect("fits"),
            ),
            attribute(
                oids::SIGNING_CERTIFICATE_V2,
                &SigningCertificateV2 {
                    certs: vec![EssCertIdV2 {
                        cert_hash: leaf_hash,
                    }],
                },
            ),
        ])
        .expect("distinct attributes form a set");
        let signature = self
            .leaf
            .key
            .sign(&signed_attrs.to_der().expect("attributes encode"));

        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: self.leaf.cert.tbs_certificate.issuer.clone(),
                serial_number: self.leaf.cert.tbs_certificate.serial_number.clone(),
            }),
            digest_alg: sha256_algorithm(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: self.leaf.key.x509_signature_algorithm(),
            signature: OctetString::new(signature).expect("signatures fit"),
            unsigned_attrs: None,
        };
        let signed_data = SignedData {
            version: CmsVersion::V3,
            digest_algorithms: SetOfVec::try_from(vec![sha256_algorithm()]).expect("one algorithm"),
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: oids::TST_INFO,
                econtent: Some(
                    Any::encode_from(&OctetString::new(tst_der).expect("fits")).expect("encodes"),
                ),
            },
            certificates: Some(CertificateSet(
                SetOfVec::try_from(vec![CertificateChoices::Certificate(
                    self.leaf.cert.clone(),
                )])
                .expect("one certificate"),
            )),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).expect("one signer")),
        };
        TimeStampResp {
            status: PkiStatusInfo { status: 0 },
            time_stamp_token: ContentInfo {
                content_type: oids::SIGNED_DATA,
                content: Any::encode_from(&signed_data).expect("SignedData encodes"),
            },
        }
        .to_der()
        .expect("TimeStampResp encodes")
    }
}
