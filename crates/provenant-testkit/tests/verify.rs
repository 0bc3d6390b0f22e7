//! Every minted bundle verifies with sigstore-verify against the testkit's trusted root, and every
//! tampered one fails with the error that names the broken property.
#![allow(clippy::disallowed_methods)] // tests read what they minted

use std::sync::OnceLock;

use provenant_testkit::{
    BundleVersion, Content, Identity, LogKind, MintSpec, Minted, Tamper, TestPki,
};
use sigstore_trust_root::TrustedRoot;
use sigstore_verify::types::Bundle;
use sigstore_verify::{
    CertificateError, Error, IdentityMatcher, TimestampError, TransparencyLogError,
    VerificationPolicy, VerificationResult, Verifier,
};

fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::new(2025))
}

fn verifier() -> &'static Verifier {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        let root = TrustedRoot::from_json(&pki().trusted_root_json()).expect("trusted root parses");
        Verifier::new(&root).expect("trusted root is usable")
    })
}

fn policy(spec: &MintSpec) -> VerificationPolicy {
    let identity = match &spec.identity {
        Identity::Uri(uri) => IdentityMatcher::Uri(uri.clone()),
        Identity::Email(email) => IdentityMatcher::Email(email.clone()),
    };
    VerificationPolicy::new(identity, spec.issuer.clone())
}

fn verify(spec: &MintSpec, minted: &Minted) -> Result<VerificationResult, Error> {
    let bundle = Bundle::from_json(&minted.bundle_json).expect("minted bundles parse");
    verifier().verify(minted.artifact.as_slice(), &bundle, &policy(spec))
}

/// Every content kind, bundle version and log (with and without a timestamp for Rekor v1).
fn valid_specs() -> Vec<MintSpec> {
    let mut specs = Vec::new();
    for version in BundleVersion::ALL {
        for dsse in [false, true] {
            for (log, timestamp) in [
                (LogKind::RekorV1, false),
                (LogKind::RekorV1, true),
                (LogKind::RekorV2, true),
            ] {
                if version == BundleVersion::V0_1 && log == LogKind::RekorV2 {
                    continue; // v0.1 requires a SET, which Rekor v2 does not issue
                }
                let mut spec = MintSpec::default().version(version).log(log);
                spec.timestamp = timestamp;
                if dsse {
                    spec = spec.dsse();
                }
                specs.push(spec);
            }
        }
    }
    specs
}

#[test]
fn every_valid_bundle_verifies() {
    for spec in valid_specs() {
        let minted = pki().mint(&spec);
        let result = verify(&spec, &minted).unwrap_or_else(|e| {
            panic!(
                "{:?} {:?} {:?} ts={}: {e}",
                spec.bundle_version, spec.content, spec.log, spec.timestamp
            )
        });
        assert!(result.certificate_verified() && result.sct_verified() && result.tlog_verified());
        assert_eq!(
            result.verified_timestamps().len(),
            usize::from(spec.log == LogKind::RekorV1) + usize::from(spec.has_timestamp()),
            "{spec:?}"
        );
        let claims = &result.certificate().expect("certificate bundle").ci_claims;
        assert_eq!(
            claims.source_repository_uri.as_deref(),
            Some("https://github.com/provenant-test/app")
        );
        assert_eq!(
            claims.source_repository_visibility_at_signing.as_deref(),
            Some("public")
        );
        assert_eq!(
            claims.deprecated_github.workflow_repository.as_deref(),
            Some("provenant-test/app")
        );
    }
}

/// A person's signature over a custom (non-SLSA) statement.
fn email_spec() -> MintSpec {
    let statement = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"x","digest":{{"sha256":"{}"}}}}],"predicateType":"https://example.com/custom/v1","predicate":{{"ok":true}}}}"#,
        sha256_hex(b"hello provenant\n")
    );
    MintSpec {
        identity: Identity::Email("alice@example.com".to_string()),
        issuer: "https://accounts.google.com".to_string(),
        github: None,
        content: Content::Dsse {
            statement_json: Some(statement),
        },
        ..MintSpec::default()
    }
}

#[test]
fn email_identity_and_custom_statement_verify() {
    let spec = email_spec();
    let minted = pki().mint(&spec);
    let result = verify(&spec, &minted).expect("email identity verifies");
    assert!(result
        .certificate()
        .expect("certificate")
        .ci_claims
        .is_empty());
}

#[test]
fn minting_is_deterministic() {
    let spec = MintSpec::default().dsse().log(LogKind::RekorV2);
    assert_eq!(pki().mint(&spec), TestPki::new(2025).mint(&spec));
    assert_eq!(
        pki().trusted_root_json(),
        TestPki::new(2025).trusted_root_json()
    );
    assert_ne!(
        pki().trusted_root_json(),
        TestPki::new(2026).trusted_root_json()
    );
}

#[test]
fn v0_1_bundle_with_rekor_v2_lacks_the_required_set() {
    let spec = MintSpec::default()
        .version(BundleVersion::V0_1)
        .log(LogKind::RekorV2);
    let err = verify(&spec, &pki().mint(&spec)).expect_err("v0.1 needs a SET");
    assert!(matches!(err, Error::Bundle(_)), "{err:?}");
}

#[test]
fn another_pkis_bundles_do_not_verify() {
    let spec = MintSpec::default();
    let minted = TestPki::new(1).mint(&spec);
    assert!(verify(&spec, &minted).is_err());
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Bundles to tamper: both content kinds, on both logs, in the newest and oldest formats.
fn tamper_specs() -> Vec<MintSpec> {
    vec![
        MintSpec::default(),
        MintSpec::default().dsse(),
        MintSpec::default().log(LogKind::RekorV2),
        MintSpec::default().dsse().log(LogKind::RekorV2),
        MintSpec::default().version(BundleVersion::V0_1),
        {
            let mut spec = MintSpec::default().dsse().version(BundleVersion::V0_2);
            spec.timestamp = true;
            spec
        },
        email_spec()
            .version(BundleVersion::V0_2)
            .log(LogKind::RekorV2),
    ]
}

/// What sigstore-verify reports for `tamper` on a bundle minted from `spec`; `None` where it
/// cannot see the problem (the bundle verifies) and the caller must.
fn expected(tamper: Tamper, spec: &MintSpec) -> Option<fn(&Error) -> bool> {
    let dsse = matches!(spec.content, Content::Dsse { .. });
    let v2 = spec.log == LogKind::RekorV2;
    Some(match tamper {
        Tamper::WrongArtifact => |e| matches!(e, Error::ArtifactMismatch(_)),
        Tamper::WrongIdentity | Tamper::PrefixIdentity | Tamper::SiblingRepoIdentity => {
            |e| matches!(e, Error::IdentityMismatch { .. })
        }
        Tamper::WrongIssuer => |e| matches!(e, Error::IssuerMismatch { .. }),
        Tamper::ExpiredCertNoTimestamp => {
            |e| matches!(e, Error::Certificate(CertificateError::ChainInvalid(m)) if m.contains("Expired"))
        }
        Tamper::BrokenInclusionProof => |e| {
            matches!(
                e,
                Error::TransparencyLog(TransparencyLogError::InclusionProof(_))
            )
        },
        Tamper::WrongLogKey if v2 => |e| {
            matches!(
                e,
                Error::TransparencyLog(TransparencyLogError::Checkpoint(_))
            )
        },
        Tamper::WrongLogKey => |e| {
            matches!(
                e,
                Error::TransparencyLog(TransparencyLogError::InclusionPromise(_))
            )
        },
        Tamper::SctMissing | Tamper::SctFromUntrustedLog => {
            |e| matches!(e, Error::Certificate(CertificateError::Sct(_)))
        }
        Tamper::PayloadTypeSwapped | Tamper::BadSignature => {
            |e| matches!(e, Error::SignatureInvalid(_))
        }
        Tamper::TlogBodyForOtherSignature => |e| {
            matches!(
                e,
                Error::TransparencyLog(TransparencyLogError::EntryMismatch(_))
            )
        },
        Tamper::TlogBodyForOtherArtifact if dsse && !v2 => |e| {
            matches!(
                e,
                Error::TransparencyLog(TransparencyLogError::EntryMismatch(_))
            )
        },
        Tamper::TlogBodyForOtherArtifact => |e| matches!(e, Error::ArtifactMismatch(_)),
        Tamper::DuplicateJsonKeysInPayload => |e| matches!(e, Error::InvalidBundle(_)),
        // sigstore-verify keeps the predicate as an untyped JSON value: the caller must reject it.
        Tamper::DuplicateJsonKeysInPredicate => return None,
        Tamper::CertFromUntrustedCa | Tamper::NoCodeSigningEku => {
            |e| matches!(e, Error::Certificate(CertificateError::ChainInvalid(_)))
        }
        Tamper::SetInvalid => |e| {
            matches!(
                e,
                Error::TransparencyLog(TransparencyLogError::InclusionPromise(_))
            )
        },
        Tamper::CheckpointMissing => |e| matches!(e, Error::Bundle(_)),
        Tamper::CheckpointSignatureInvalid => |e| {
            matches!(
                e,
                Error::TransparencyLog(TransparencyLogError::Checkpoint(_))
            )
        },
        Tamper::TimestampFromUntrustedTsa | Tamper::TimestampForOtherSignature => {
            |e| matches!(e, Error::Timestamp(TimestampError::Invalid(_)))
        }
        Tamper::TimestampMissing => {
            |e| matches!(e, Error::Timestamp(TimestampError::NoVerifiedTimestamp(_)))
        }
        _ => return None,
    })
}

#[test]
fn every_tampered_bundle_fails_with_the_error_for_its_property() {
    let mut failures = Vec::new();
    for tamper in Tamper::ALL {
        for spec in tamper_specs() {
            let minted = pki().mint_tampered(&spec, tamper);
            let outcome = verify(&spec, &minted);
            match (expected(tamper, &spec), outcome) {
                (Some(matches), Err(err)) if matches(&err) => {}
                (None, Ok(_)) => {}
                (_, outcome) => failures.push(format!(
                    "{} on {:?}/{:?}/{:?}: {:?}",
                    tamper.name(),
                    spec.bundle_version,
                    spec.content,
                    spec.log,
                    outcome.map(|_| "verified")
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn what_sigstore_verify_leaves_to_the_caller() {
    let spec = MintSpec::default();
    let expected = spec.identity.as_str();

    // Exact matching rejects these; prefix and unanchored-regex matching would not.
    for tamper in [Tamper::PrefixIdentity, Tamper::SiblingRepoIdentity] {
        let minted = pki().mint_tampered(&spec, tamper);
        let Err(Error::IdentityMismatch {
            actual: Some(actual),
            ..
        }) = verify(&spec, &minted)
        else {
            panic!("{} should be an identity mismatch", tamper.name());
        };
        assert_ne!(actual.as_str(), expected);
        assert!(actual
            .as_str()
            .starts_with("https://github.com/provenant-test/app"));
    }
    let prefixed = pki().mint_tampered(&spec, Tamper::PrefixIdentity);
    let Err(Error::IdentityMismatch {
        actual: Some(actual),
        ..
    }) = verify(&spec, &prefixed)
    else {
        unreachable!()
    };
    assert!(actual.as_str().starts_with(expected));

    // A duplicated key inside the predicate is signed, logged and accepted by sigstore-verify.
    let spec = MintSpec::default().dsse();
    let minted = pki().mint_tampered(&spec, Tamper::DuplicateJsonKeysInPredicate);
    verify(&spec, &minted).expect("sigstore-verify does not look inside the predicate");
    let bundle: serde_json::Value = serde_json::from_str(&minted.bundle_json).expect("JSON");
    let payload = base64_decode(bundle["dsseEnvelope"]["payload"].as_str().expect("payload"));
    let payload = String::from_utf8(payload).expect("UTF-8");
    assert_eq!(payload.matches(r#""repository":"#).count(), 2, "{payload}");
}

#[test]
fn tampered_subject_duplicates_are_signed_payloads() {
    let spec = MintSpec::default();
    let minted = pki().mint_tampered(&spec, Tamper::DuplicateJsonKeysInPayload);
    let bundle: serde_json::Value = serde_json::from_str(&minted.bundle_json).expect("JSON");
    let payload = base64_decode(bundle["dsseEnvelope"]["payload"].as_str().expect("payload"));
    let payload = String::from_utf8(payload).expect("UTF-8");
    assert_eq!(payload.matches(r#""subject":"#).count(), 2, "{payload}");
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}
