//! The test PKI: trusted and impostor authorities, and the minting of (tampered) bundles.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use der::asn1::Utf8StringRef;
use der::Encode as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use x509_cert::name::Name;

use crate::certs::{self, Authority, EPOCH_START};
use crate::ct::CtLog;
use crate::keys::{pae, KeyPair};
use crate::oids;
use crate::rekor::{self, Log};
use crate::spec::{
    BundleVersion, Content, GithubClaims, Identity, LogKind, MintSpec, Minted, IN_TOTO_PAYLOAD_TYPE,
};
use crate::statement;
use crate::tamper::Tamper;
use crate::tsa::Tsa;

const FULCIO_ROOT_SUBJECT: &str = "CN=sigstore,O=provenant.test";
const FULCIO_INTERMEDIATE_SUBJECT: &str = "CN=sigstore-intermediate,O=provenant.test";
const TSA_ROOT_SUBJECT: &str = "CN=provenant-tsa-root,O=provenant.test";
const TSA_LEAF_SUBJECT: &str = "CN=provenant-tsa,O=provenant.test";
const REKOR_V1_HOST: &str = "rekor.provenant.test";
const REKOR_V1_TREE_ID: u64 = 4_200_000_000_000_000_001;
const REKOR_V2_HOST: &str = "log2025-1.rekor.provenant.test";
/// The payload type [`Tamper::PayloadTypeSwapped`] really signs.
const SWAPPED_FROM_PAYLOAD_TYPE: &str = "application/json";

/// One complete Sigstore-like trust domain: CA, CT log, transparency logs and TSA.
#[derive(Clone)]
struct Domain {
    fulcio_root: Authority,
    fulcio_intermediate: Authority,
    ct: CtLog,
    rekor_v1: Log,
    rekor_v2: Log,
    tsa: Tsa,
}

impl Domain {
    fn new(seed: u64, prefix: &str) -> Self {
        let label = |name: &str| format!("{prefix}/{name}");
        let fulcio_root = Authority::root(seed, &label("fulcio-root"), FULCIO_ROOT_SUBJECT, None);
        let fulcio_intermediate = Authority::intermediate(
            seed,
            &label("fulcio-intermediate"),
            FULCIO_INTERMEDIATE_SUBJECT,
            &fulcio_root,
            Some(oids::KP_CODE_SIGNING),
        );
        let tsa_root = Authority::root(seed, &label("tsa-root"), TSA_ROOT_SUBJECT, None);
        let tsa_leaf =
            Authority::timestamping_leaf(seed, &label("tsa-leaf"), TSA_LEAF_SUBJECT, &tsa_root);
        Domain {
            fulcio_root,
            fulcio_intermediate,
            ct: CtLog::new(seed, &label("ctlog")),
            rekor_v1: Log::v1(seed, &label("rekor-v1"), REKOR_V1_HOST, REKOR_V1_TREE_ID),
            rekor_v2: Log::v2(seed, &label("rekor-v2"), REKOR_V2_HOST),
            tsa: Tsa {
                root: tsa_root,
                leaf: tsa_leaf,
            },
        }
    }

    fn log(&self, kind: LogKind) -> &Log {
        match kind {
            LogKind::RekorV1 => &self.rekor_v1,
            LogKind::RekorV2 => &self.rekor_v2,
        }
    }
}

/// The project's own Sigstore trust root: a Fulcio-like CA (root and intermediate), a CT log,
/// a Rekor v1 and a Rekor v2 log and a TSA, plus an impostor of each with the same names but
/// other keys. Everything is derived from the seed, and all signatures are deterministic.
#[derive(Clone)]
pub struct TestPki {
    seed: u64,
    trusted: Domain,
    impostor: Domain,
}

impl std::fmt::Debug for TestPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestPki")
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

/// Which of the two domains a piece of evidence comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Trusted,
    Impostor,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sct {
    Embedded(Source),
    Missing,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Logged {
    ThisSignature,
    OtherSignature,
    OtherArtifact,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Checkpoint {
    Valid,
    SignedOverOtherTreeHead,
    Missing,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Timestamp {
    None,
    Over(Source),
    OverOtherBytes,
}

/// Every decision a mint makes, with the spec's values as the starting point.
struct Plan {
    spec: MintSpec,
    artifact_out: Vec<u8>,
    cert_identity: Identity,
    cert_issuer: String,
    cert_claims: Option<GithubClaims>,
    ca: Source,
    sct: Sct,
    code_signing_eku: bool,
    expired: bool,
    bad_signature: bool,
    signed_payload_type: &'static str,
    duplicate_subject: bool,
    duplicate_predicate_key: bool,
    log: Source,
    logged: Logged,
    break_proof: bool,
    set_invalid: bool,
    checkpoint: Checkpoint,
    timestamp: Timestamp,
}

impl Plan {
    fn new(spec: &MintSpec, tamper: Option<Tamper>) -> Plan {
        let mut spec = spec.clone();
        if tamper.is_some_and(Tamper::needs_dsse) && spec.content == Content::MessageSignature {
            spec.content = Content::Dsse {
                statement_json: None,
            };
        }
        match tamper {
            Some(Tamper::ExpiredCertNoTimestamp) => {
                spec.log = LogKind::RekorV1;
                spec.timestamp = false;
            }
            Some(Tamper::SetInvalid) => spec.log = LogKind::RekorV1,
            Some(Tamper::TimestampFromUntrustedTsa | Tamper::TimestampForOtherSignature) => {
                spec.timestamp = true;
            }
            Some(Tamper::TimestampMissing) => {
                spec.log = LogKind::RekorV2;
                if spec.bundle_version == BundleVersion::V0_1 {
                    spec.bundle_version = BundleVersion::V0_3;
                }
            }
            _ => {}
        }
        let timestamp = if spec.has_timestamp() {
            Timestamp::Over(Source::Trusted)
        } else {
            Timestamp::None
        };
        let mut plan = Plan {
            artifact_out: spec.artifact.clone(),
            cert_identity: spec.identity.clone(),
            cert_issuer: spec.issuer.clone(),
            cert_claims: spec.github.clone(),
            ca: Source::Trusted,
            sct: Sct::Embedded(Source::Trusted),
            code_signing_eku: true,
            expired: false,
            bad_signature: false,
            signed_payload_type: IN_TOTO_PAYLOAD_TYPE,
            duplicate_subject: false,
            duplicate_predicate_key: false,
            log: Source::Trusted,
            logged: Logged::ThisSignature,
            break_proof: false,
            set_invalid: false,
            checkpoint: Checkpoint::Valid,
            timestamp,
            spec,
        };
        if let Some(tamper) = tamper {
            plan.apply(tamper);
        }
        plan
    }

    fn apply(&mut self, tamper: Tamper) {
        match tamper {
            Tamper::WrongArtifact => self.artifact_out.extend_from_slice(b"(tampered)\n"),
            Tamper::WrongIdentity => {
                let claims = GithubClaims::for_workflow(
                    "attacker-org",
                    "app",
                    "release.yml",
                    "refs/tags/v1.0.0",
                    crate::spec::DEFAULT_COMMIT,
                );
                self.cert_identity = match &self.spec.identity {
                    Identity::Uri(_) => claims.identity(),
                    Identity::Email(_) => Identity::Email("mallory@attacker.test".to_string()),
                };
                self.cert_claims = self.cert_claims.as_ref().map(|_| claims);
            }
            Tamper::PrefixIdentity => {
                let suffix = match &self.spec.identity {
                    Identity::Uri(_) => "-attacker",
                    Identity::Email(_) => ".attacker.test",
                };
                self.cert_identity = self
                    .spec
                    .identity
                    .with_value(format!("{}{suffix}", self.spec.identity.as_str()));
                self.cert_claims = self.cert_claims.as_ref().map(|claims| GithubClaims {
                    build_signer_uri: self.cert_identity.as_str().to_string(),
                    build_config_uri: self.cert_identity.as_str().to_string(),
                    ..claims.clone()
                });
            }
            Tamper::SiblingRepoIdentity => {
                let (from, to) = sibling_repository(self.spec.identity.as_str());
                self.cert_identity = self
                    .spec
                    .identity
                    .with_value(self.spec.identity.as_str().replacen(&from, &to, 1));
                self.cert_claims = self
                    .cert_claims
                    .as_ref()
                    .map(|claims| claims.replaced(&from, &to));
            }
            Tamper::WrongIssuer => {
                let google = "https://accounts.google.com";
                self.cert_issuer = if self.spec.issuer == google {
                    crate::spec::GITHUB_ACTIONS_ISSUER.to_string()
                } else {
                    google.to_string()
                };
            }
            Tamper::ExpiredCertNoTimestamp => self.expired = true,
            Tamper::BrokenInclusionProof => self.break_proof = true,
            Tamper::WrongLogKey => self.log = Source::Impostor,
            Tamper::SctMissing => self.sct = Sct::Missing,
            Tamper::SctFromUntrustedLog => self.sct = Sct::Embedded(Source::Impostor),
            Tamper::PayloadTypeSwapped => self.signed_payload_type = SWAPPED_FROM_PAYLOAD_TYPE,
            Tamper::TlogBodyForOtherSignature => self.logged = Logged::OtherSignature,
            Tamper::TlogBodyForOtherArtifact => self.logged = Logged::OtherArtifact,
            Tamper::DuplicateJsonKeysInPayload => self.duplicate_subject = true,
            Tamper::DuplicateJsonKeysInPredicate => self.duplicate_predicate_key = true,
            Tamper::BadSignature => self.bad_signature = true,
            Tamper::CertFromUntrustedCa => self.ca = Source::Impostor,
            Tamper::NoCodeSigningEku => self.code_signing_eku = false,
            Tamper::SetInvalid => self.set_invalid = true,
            Tamper::CheckpointMissing => self.checkpoint = Checkpoint::Missing,
            Tamper::CheckpointSignatureInvalid => {
                self.checkpoint = Checkpoint::SignedOverOtherTreeHead;
            }
            Tamper::TimestampFromUntrustedTsa => {
                self.timestamp = Timestamp::Over(Source::Impostor);
            }
            Tamper::TimestampForOtherSignature => self.timestamp = Timestamp::OverOtherBytes,
            Tamper::TimestampMissing => self.timestamp = Timestamp::None,
        }
    }
}

/// `("/app/", "/app-evil/")` for `https://github.com/<owner>/app/...`; a host suffix otherwise.
fn sibling_repository(identity: &str) -> (String, String) {
    if let Some(rest) = identity.strip_prefix("https://github.com/") {
        let mut parts = rest.splitn(3, '/');
        if let (Some(owner), Some(repo)) = (parts.next(), parts.next()) {
            return (
                format!("github.com/{owner}/{repo}"),
                format!("github.com/{owner}/{repo}-evil"),
            );
        }
    }
    match identity.split_once('@') {
        Some((_, domain)) => (format!("@{domain}"), format!("@{domain}-evil.test")),
        None => (identity.to_string(), format!("{identity}-evil")),
    }
}

/// A signature and, for DSSE, the envelope's payload type and payload.
struct Signed {
    signature: Vec<u8>,
    envelope: Option<(String, Vec<u8>)>,
}

impl TestPki {
    /// The PKI for `seed`: the same seed always gives the same keys, certificates and bundles.
    pub fn new(seed: u64) -> TestPki {
        TestPki {
            seed,
            trusted: Domain::new(seed, "trusted"),
            impostor: Domain::new(seed, "impostor"),
        }
    }

    /// The seed this PKI was derived from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn domain(&self, source: Source) -> &Domain {
        match source {
            Source::Trusted => &self.trusted,
            Source::Impostor => &self.impostor,
        }
    }

    /// The DER Fulcio root certificate.
    pub fn fulcio_root_der(&self) -> Vec<u8> {
        self.trusted.fulcio_root.der.clone()
    }

    /// The DER Fulcio intermediate certificate, which issues the signing certificates.
    pub fn fulcio_intermediate_der(&self) -> Vec<u8> {
        self.trusted.fulcio_intermediate.der.clone()
    }

    /// The trusted root (`application/vnd.dev.sigstore.trustedroot+json;version=0.1`) that every
    /// bundle minted by [`TestPki::mint`] verifies against: the CA chain, the Rekor v1 (ECDSA) and
    /// v2 (Ed25519) logs, the CT log and the TSA, all valid from 2020-01-01 on.
    pub fn trusted_root_json(&self) -> String {
        let domain = &self.trusted;
        let valid_for = json!({ "start": rfc3339(EPOCH_START) });
        let tlog = |log: &Log| {
            json!({
                "baseUrl": log.base_url,
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": STANDARD.encode(log.key.public_key_der()),
                    "keyDetails": log.key_details(),
                    "validFor": valid_for,
                },
                "logId": { "keyId": STANDARD.encode(log.log_id()) },
            })
        };
        let root = json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [tlog(&domain.rekor_v1), tlog(&domain.rekor_v2)],
            "certificateAuthorities": [{
                "subject": { "organization": "provenant.test", "commonName": "sigstore" },
                "uri": "https://fulcio.provenant.test",
                "certChain": { "certificates": [
                    { "rawBytes": STANDARD.encode(&domain.fulcio_intermediate.der) },
                    { "rawBytes": STANDARD.encode(&domain.fulcio_root.der) },
                ] },
                "validFor": valid_for,
            }],
            "ctlogs": [{
                "baseUrl": "https://ctfe.provenant.test/test",
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": STANDARD.encode(domain.ct.key.public_key_der()),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": valid_for,
                },
                "logId": { "keyId": STANDARD.encode(domain.ct.log_id()) },
            }],
            "timestampAuthorities": [{
                "subject": { "organization": "provenant.test", "commonName": "provenant-tsa" },
                "uri": "https://timestamp.provenant.test/api/v1/timestamp",
                "certChain": { "certificates": [
                    { "rawBytes": STANDARD.encode(&domain.tsa.leaf.der) },
                    { "rawBytes": STANDARD.encode(&domain.tsa.root.der) },
                ] },
                "validFor": valid_for,
            }],
        });
        pretty(&root)
    }

    /// A valid bundle for `spec`.
    pub fn mint(&self, spec: &MintSpec) -> Minted {
        self.mint_plan(&Plan::new(spec, None))
    }

    /// A bundle for `spec` with exactly the property `tamper` names broken.
    pub fn mint_tampered(&self, spec: &MintSpec, tamper: Tamper) -> Minted {
        self.mint_plan(&Plan::new(spec, Some(tamper)))
    }

    fn mint_plan(&self, plan: &Plan) -> Minted {
        let spec = &plan.spec;
        let issuer = &self.domain(plan.ca).fulcio_intermediate;
        let leaf_key = KeyPair::p256_labelled(
            self.seed,
            &format!(
                "leaf/{}/{}/{}",
                spec.signing_time,
                plan.cert_identity.as_str(),
                hex::encode(Sha256::digest(&spec.artifact))
            ),
        );
        let cert_der = self.leaf_certificate(plan, issuer, &leaf_key);

        let signed = self.sign_content(plan, &leaf_key, &spec.artifact, plan.bad_signature);
        let content = content_json(&signed, &spec.artifact);
        let tlog_entry = self.tlog_entry(plan, &leaf_key, &signed, &cert_der);

        let mut material = serde_json::Map::new();
        match spec.bundle_version {
            BundleVersion::V0_3 => {
                material.insert(
                    "certificate".into(),
                    json!({ "rawBytes": STANDARD.encode(&cert_der) }),
                );
            }
            BundleVersion::V0_1 | BundleVersion::V0_2 => {
                material.insert(
                    "x509CertificateChain".into(),
                    json!({ "certificates": [
                        { "rawBytes": STANDARD.encode(&cert_der) },
                        { "rawBytes": STANDARD.encode(&issuer.der) },
                    ] }),
                );
            }
        }
        material.insert("tlogEntries".into(), json!([tlog_entry]));
        let timestamp = match plan.timestamp {
            Timestamp::None => None,
            Timestamp::Over(source) => Some(self.domain(source).tsa.timestamp(
                &signed.signature,
                spec.signing_time,
                timestamp_serial(&signed.signature),
            )),
            Timestamp::OverOtherBytes => Some(self.trusted.tsa.timestamp(
                &[signed.signature.as_slice(), b"(other)"].concat(),
                spec.signing_time,
                timestamp_serial(&signed.signature),
            )),
        };
        if let Some(token) = timestamp {
            material.insert(
                "timestampVerificationData".into(),
                json!({ "rfc3161Timestamps": [{ "signedTimestamp": STANDARD.encode(token) }] }),
            );
        }

        let mut bundle = serde_json::Map::new();
        bundle.insert("mediaType".into(), json!(spec.bundle_version.media_type()));
        bundle.insert("verificationMaterial".into(), Value::Object(material));
        bundle.insert(content.0.into(), content.1);
        Minted {
            bundle_json: pretty(&Value::Object(bundle)),
            artifact: plan.artifact_out.clone(),
            cert_der,
        }
    }

    /// The Fulcio-style short-lived signing certificate, with its embedded SCT.
    fn leaf_certificate(&self, plan: &Plan, issuer: &Authority, leaf_key: &KeyPair) -> Vec<u8> {
        let not_before = if plan.expired {
            plan.spec.signing_time - 1200
        } else {
            plan.spec.signing_time - 60
        };
        let not_after = not_before + 600;

        let mut extensions = vec![certs::extension(
            oids::KEY_USAGE,
            true,
            &x509_cert::ext::pkix::KeyUsage(
                x509_cert::ext::pkix::KeyUsages::DigitalSignature.into(),
            ),
        )];
        if plan.code_signing_eku {
            extensions.push(certs::extension(
                oids::EXTENDED_KEY_USAGE,
                false,
                &x509_cert::ext::pkix::ExtendedKeyUsage(vec![oids::KP_CODE_SIGNING]),
            ));
        }
        extensions.push(certs::subject_key_identifier(leaf_key));
        extensions.push(certs::authority_key_identifier(&issuer.key));
        extensions.push(certs::subject_alt_name(&plan.cert_identity));
        extensions.push(certs::raw_extension(
            oids::fulcio(1),
            false,
            plan.cert_issuer.as_bytes().to_vec(),
        ));
        if let Some(claims) = &plan.cert_claims {
            let deprecated: [(u32, &str); 5] = [
                (2, &claims.build_trigger),
                (3, &claims.source_repository_digest),
                (4, &claims.workflow_name),
                (5, claims.repository_name()),
                (6, &claims.source_repository_ref),
            ];
            for (n, value) in deprecated {
                extensions.push(certs::raw_extension(
                    oids::fulcio(n),
                    false,
                    value.as_bytes().to_vec(),
                ));
            }
        }
        extensions.push(utf8_extension(8, &plan.cert_issuer));
        if let Some(claims) = plan.cert_claims.as_ref().filter(|c| !c.legacy_only) {
            let current: [(u32, &str); 14] = [
                (9, &claims.build_signer_uri),
                (10, &claims.build_signer_digest),
                (11, &claims.runner_environment),
                (12, &claims.source_repository_uri),
                (13, &claims.source_repository_digest),
                (14, &claims.source_repository_ref),
                (15, &claims.source_repository_identifier),
                (16, &claims.source_repository_owner_uri),
                (17, &claims.source_repository_owner_identifier),
                (18, &claims.build_config_uri),
                (19, &claims.build_config_digest),
                (20, &claims.build_trigger),
                (21, &claims.run_invocation_uri),
                (22, &claims.source_repository_visibility),
            ];
            for (n, value) in current {
                extensions.push(utf8_extension(n, value));
            }
        }

        let serial = certs::serial(&format!(
            "leaf/{}/{}",
            hex::encode(leaf_key.public_key_der()),
            not_before
        ));
        let mut tbs = certs::tbs(
            serial,
            issuer.cert.tbs_certificate.subject.clone(),
            Name::default(),
            (not_before, not_after),
            &issuer.key,
            leaf_key,
            extensions,
        );
        if let Sct::Embedded(source) = plan.sct {
            let precert = tbs.to_der().expect("TBS certificates encode");
            let timestamp_ms = u64::try_from(not_before).expect("after 1970") * 1000;
            let sct =
                self.domain(source)
                    .ct
                    .sct_extension(timestamp_ms, &issuer.spki_der(), &precert);
            tbs.extensions
                .as_mut()
                .expect("leaf certificates have extensions")
                .push(sct);
        }
        certs::sign(tbs, &issuer.key)
            .to_der()
            .expect("certificates encode")
    }

    /// Sign `artifact` (or the DSSE statement about it) the way the plan says.
    fn sign_content(&self, plan: &Plan, key: &KeyPair, artifact: &[u8], bad: bool) -> Signed {
        let garble = |bytes: Vec<u8>| {
            if bad {
                [bytes.as_slice(), b"(not what was signed)"].concat()
            } else {
                bytes
            }
        };
        match &plan.spec.content {
            Content::MessageSignature => Signed {
                signature: key.sign(&garble(artifact.to_vec())),
                envelope: None,
            },
            Content::Dsse { statement_json } => {
                let payload = if plan.duplicate_subject {
                    statement::duplicate_subject_statement(&plan.spec.artifact_name, artifact)
                } else if plan.duplicate_predicate_key {
                    statement::duplicate_repository_statement(&default_statement(plan, artifact))
                } else if let Some(statement) = statement_json {
                    statement.clone().into_bytes()
                } else {
                    default_statement(plan, artifact).into_bytes()
                };
                let signature = key.sign(&garble(pae(plan.signed_payload_type, &payload)));
                Signed {
                    signature,
                    envelope: Some((IN_TOTO_PAYLOAD_TYPE.to_string(), payload)),
                }
            }
        }
    }

    /// The bundle's single transparency log entry, with its inclusion proof and (v1) SET.
    fn tlog_entry(&self, plan: &Plan, key: &KeyPair, signed: &Signed, cert_der: &[u8]) -> Value {
        let spec = &plan.spec;
        let log = self.domain(plan.log).log(spec.log);

        // What the log recorded: this signature, or another one made with the same certificate.
        let logged = match plan.logged {
            Logged::ThisSignature => Signed {
                signature: signed.signature.clone(),
                envelope: signed.envelope.clone(),
            },
            Logged::OtherSignature => {
                let message = match &signed.envelope {
                    None => spec.artifact.clone(),
                    Some((_, payload)) => pae(plan.signed_payload_type, payload),
                };
                Signed {
                    signature: key.sign_again(&message),
                    envelope: signed.envelope.clone(),
                }
            }
            Logged::OtherArtifact => {
                let other = [spec.artifact.as_slice(), b"(another build)\n"].concat();
                match &signed.envelope {
                    None => Signed {
                        signature: key.sign(&other),
                        envelope: None,
                    },
                    Some((payload_type, _)) => {
                        // Whatever the bundle's statement, the other entry is about the other artifact.
                        let payload = default_statement(plan, &other).into_bytes();
                        Signed {
                            signature: key.sign(&pae(plan.signed_payload_type, &payload)),
                            envelope: Some((payload_type.clone(), payload)),
                        }
                    }
                }
            }
        };
        let logged_artifact = match plan.logged {
            Logged::OtherArtifact => [spec.artifact.as_slice(), b"(another build)\n"].concat(),
            _ => spec.artifact.clone(),
        };

        let (body, kind, version) = match (&logged.envelope, spec.log) {
            (None, LogKind::RekorV1) => (
                rekor::hashedrekord_v001(&sha256(&logged_artifact), &logged.signature, cert_der),
                "hashedrekord",
                "0.0.1",
            ),
            (Some((payload_type, payload)), LogKind::RekorV1) => {
                let envelope = envelope_json(payload_type, payload, &logged.signature);
                let envelope = serde_json::to_vec(&envelope).expect("JSON values serialize");
                (
                    rekor::dsse_v001(&envelope, payload, &logged.signature, cert_der),
                    "dsse",
                    "0.0.1",
                )
            }
            (None, LogKind::RekorV2) => (
                rekor::hashedrekord_v002(&sha256(&logged_artifact), &logged.signature, cert_der),
                "hashedrekord",
                "0.0.2",
            ),
            (Some((_, payload)), LogKind::RekorV2) => (
                rekor::hashedrekord_v002(
                    &sha256(&pae(plan.signed_payload_type, payload)),
                    &logged.signature,
                    cert_der,
                ),
                "hashedrekord",
                "0.0.2",
            ),
        };

        let inclusion = rekor::include(&body);
        let mut hashes = inclusion.hashes.clone();
        if plan.break_proof {
            hashes[0][0] ^= 0x01;
        }
        let mut proof = json!({
            "logIndex": inclusion.log_index.to_string(),
            "rootHash": STANDARD.encode(inclusion.root),
            "treeSize": inclusion.tree_size.to_string(),
            "hashes": hashes.iter().map(|h| STANDARD.encode(h)).collect::<Vec<_>>(),
        });
        let checkpoint = match plan.checkpoint {
            Checkpoint::Valid => Some(log.checkpoint(inclusion.tree_size, &inclusion.root)),
            Checkpoint::SignedOverOtherTreeHead => {
                let body =
                    rekor::checkpoint_body(&log.origin, inclusion.tree_size, &inclusion.root);
                let other =
                    rekor::checkpoint_body(&log.origin, inclusion.tree_size + 1, &inclusion.root);
                Some(log.checkpoint_signed_over(&body, &other))
            }
            Checkpoint::Missing => None,
        };
        if let Some(checkpoint) = checkpoint {
            proof["checkpoint"] = json!({ "envelope": checkpoint });
        }

        let mut entry = json!({
            "logIndex": inclusion.log_index.to_string(),
            "logId": { "keyId": STANDARD.encode(log.log_id()) },
            "kindVersion": { "kind": kind, "version": version },
            "inclusionProof": proof,
            "canonicalizedBody": STANDARD.encode(&body),
        });
        if spec.log == LogKind::RekorV1 {
            let integrated_time = spec.signing_time;
            let signed_time = if plan.set_invalid {
                integrated_time + 1
            } else {
                integrated_time
            };
            let set = log.signed_entry_timestamp(&body, signed_time, inclusion.log_index);
            entry["integratedTime"] = json!(integrated_time.to_string());
            entry["inclusionPromise"] = json!({ "signedEntryTimestamp": STANDARD.encode(set) });
        }
        entry
    }
}

/// A Fulcio extension holding a DER UTF8String (`.1.8` onwards).
fn utf8_extension(n: u32, value: &str) -> x509_cert::ext::Extension {
    certs::extension(
        oids::fulcio(n),
        false,
        &Utf8StringRef::new(value).expect("claims are UTF-8"),
    )
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn timestamp_serial(signature: &[u8]) -> u64 {
    let digest = Sha256::digest(signature);
    u64::from_be_bytes(digest[..8].try_into().expect("8 bytes")) >> 1
}

fn envelope_json(payload_type: &str, payload: &[u8], signature: &[u8]) -> Value {
    json!({
        "payload": STANDARD.encode(payload),
        "payloadType": payload_type,
        "signatures": [{ "sig": STANDARD.encode(signature) }],
    })
}

/// The bundle's content field: `messageSignature` or `dsseEnvelope`.
fn content_json(signed: &Signed, artifact: &[u8]) -> (&'static str, Value) {
    match &signed.envelope {
        None => (
            "messageSignature",
            json!({
                "messageDigest": { "algorithm": "SHA2_256", "digest": STANDARD.encode(sha256(artifact)) },
                "signature": STANDARD.encode(&signed.signature),
            }),
        ),
        Some((payload_type, payload)) => (
            "dsseEnvelope",
            envelope_json(payload_type, payload, &signed.signature),
        ),
    }
}

fn default_statement(plan: &Plan, artifact: &[u8]) -> String {
    let claims = plan
        .cert_claims
        .clone()
        .or_else(|| plan.spec.github.clone())
        .unwrap_or_default();
    statement::provenance_statement(&claims, &plan.spec.artifact_name, artifact)
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("JSON values serialize") + "\n"
}

/// RFC 3339 UTC for whole-second Unix times (civil-from-days, no time zone database).
fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let seconds = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(EPOCH_START), "2020-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_750_000_000), "2025-06-15T15:06:40Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn sibling_repository_extends_the_repository_name() {
        let (from, to) = sibling_repository(crate::spec::DEFAULT_IDENTITY);
        assert_eq!(from, "github.com/provenant-test/app");
        assert_eq!(to, "github.com/provenant-test/app-evil");
    }
}
