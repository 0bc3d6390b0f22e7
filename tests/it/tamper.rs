//! provenant's own Sigstore instance (provenant-testkit) mints valid bundles and every tampered
//! variant; each variant must fail, with its own check code, and never pass.

use provenant_core::{verify_artifact, ArtifactInputs, Evidence, Found};
use provenant_model::{CheckCode, DigestAlgorithm, Outcome, Report, Subject, SubjectKind, Verdict};
use provenant_testkit::{
    BundleVersion, Identity, LogKind, MintSpec, Minted, Tamper, TestPki, DEFAULT_IDENTITY,
    GITHUB_ACTIONS_ISSUER,
};
use provenant_verify::{digest_reader, IdentityMatcher, IdentityPolicy, SignerPolicy, TrustRoot};

const NOW: &str = "2026-01-01T00:00:00Z";

fn pki() -> &'static TestPki {
    static PKI: std::sync::OnceLock<TestPki> = std::sync::OnceLock::new();
    PKI.get_or_init(|| TestPki::new(7))
}

fn trust() -> TrustRoot {
    TrustRoot::from_json(pki().trusted_root_json().as_bytes(), "testkit")
        .expect("test trusted root loads")
}

fn exact_signer() -> SignerPolicy {
    SignerPolicy::Keyless(IdentityPolicy {
        identity: Some(IdentityMatcher::exact(DEFAULT_IDENTITY)),
        issuer: Some(IdentityMatcher::exact(GITHUB_ACTIONS_ISSUER)),
        constrained_elsewhere: false,
    })
}

fn verify_minted(m: &Minted, signer: SignerPolicy) -> Report {
    let (digests, size) = digest_reader(&m.artifact[..], &DigestAlgorithm::ALL).unwrap();
    let inputs = ArtifactInputs {
        subject: Subject {
            kind: SubjectKind::File,
            name: Some("artifact".into()),
            digests,
            size: Some(size),
        },
        evidence: vec![Evidence::from_bytes(
            "bundle.json",
            Found::Given,
            m.bundle_json.as_bytes(),
        )],
        signer,
        threshold: 1,
        policy: Default::default(),
        sbom: Default::default(),
        insecure_ignore_tlog: false,
    };
    verify_artifact(&inputs, &trust(), NOW.parse().unwrap())
}

fn failed_codes(r: &Report) -> Vec<CheckCode> {
    r.checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| c.code)
        .collect()
}

/// Every shape a valid bundle comes in.
fn valid_specs() -> Vec<(String, MintSpec)> {
    let mut out = Vec::new();
    for v in BundleVersion::ALL {
        for dsse in [false, true] {
            for log in [LogKind::RekorV1, LogKind::RekorV2] {
                if v == BundleVersion::V0_1 && log == LogKind::RekorV2 {
                    continue; // v0.1 needs a SET, which Rekor v2 does not issue
                }
                for ts in [false, true] {
                    let mut s = MintSpec::default().version(v).log(log);
                    if dsse {
                        s = s.dsse();
                    }
                    s.timestamp = ts;
                    out.push((format!("{v:?}/dsse={dsse}/{log:?}/ts={ts}"), s));
                }
            }
        }
    }
    out
}

#[test]
fn every_valid_shape_verifies() {
    for (name, spec) in valid_specs() {
        let r = verify_minted(&pki().mint(&spec), exact_signer());
        assert_eq!(r.verdict, Verdict::Pass, "{name}: {:?}", r.checks);
        let sig = &r.signatures[0];
        assert!(sig.verified && sig.signing_time.is_some(), "{name}");
        let codes: Vec<CheckCode> = r.checks.iter().map(|c| c.code).collect();
        for c in [
            CheckCode::SignatureValid,
            CheckCode::CertificateChainValid,
            CheckCode::SctValid,
            CheckCode::TlogInclusionVerified,
            CheckCode::SigningTimeEstablished,
            CheckCode::SignerIdentityMatches,
        ] {
            assert!(codes.contains(&c), "{name}: no {c}");
        }
    }
}

#[test]
fn github_claims_are_kept() {
    let r = verify_minted(&pki().mint(&MintSpec::default()), exact_signer());
    let json = serde_json::to_value(&r).unwrap();
    let claims = &json["signatures"][0]["signer"]["claims"];
    assert_eq!(claims["issuer"], GITHUB_ACTIONS_ISSUER);
    assert_eq!(
        claims["source_repository_digest"],
        provenant_testkit::DEFAULT_COMMIT
    );
    assert!(claims["source_repository_uri"]
        .as_str()
        .unwrap()
        .starts_with("https://github.com/"));
    assert!(claims["runner_environment"].is_string());
}

/// The code each variant must fail with (for the bundle shape it is minted in).
fn expected(t: Tamper, spec: &MintSpec) -> CheckCode {
    use CheckCode as C;
    let dsse = matches!(spec.content, provenant_testkit::Content::Dsse { .. });
    let v2 = spec.log == LogKind::RekorV2;
    match t {
        Tamper::WrongArtifact => C::ArtifactDigestMismatch,
        Tamper::WrongIdentity | Tamper::PrefixIdentity | Tamper::SiblingRepoIdentity => {
            C::SignerIdentityMismatch
        }
        Tamper::WrongIssuer => C::SignerIssuerMismatch,
        Tamper::ExpiredCertNoTimestamp => C::CertificateExpired,
        Tamper::BrokenInclusionProof => C::TlogInclusionProofInvalid,
        Tamper::WrongLogKey if v2 => C::TlogCheckpointInvalid,
        Tamper::WrongLogKey | Tamper::SetInvalid => C::TlogPromiseInvalid,
        Tamper::SctMissing => C::SctMissing,
        Tamper::SctFromUntrustedLog => C::SctInvalid,
        Tamper::PayloadTypeSwapped | Tamper::BadSignature => C::SignatureInvalid,
        Tamper::TlogBodyForOtherSignature => C::TlogEntryMismatch,
        Tamper::TlogBodyForOtherArtifact if dsse && !v2 => C::TlogEntryMismatch,
        Tamper::TlogBodyForOtherArtifact => C::ArtifactDigestMismatch,
        Tamper::DuplicateJsonKeysInPayload | Tamper::DuplicateJsonKeysInPredicate => {
            C::PayloadDuplicateKeys
        }
        Tamper::CertFromUntrustedCa | Tamper::NoCodeSigningEku => C::CertificateChainInvalid,
        Tamper::CheckpointMissing | Tamper::CheckpointSignatureInvalid => C::TlogCheckpointInvalid,
        Tamper::TimestampFromUntrustedTsa | Tamper::TimestampForOtherSignature => {
            C::TimestampInvalid
        }
        Tamper::TimestampMissing => C::SigningTimeUnverified,
        other => panic!("no expectation for {other:?}: add one"),
    }
}

#[test]
fn every_tamper_variant_fails_with_its_code() {
    let shapes = [
        MintSpec::default(),
        MintSpec::default().dsse(),
        MintSpec::default().log(LogKind::RekorV2),
        MintSpec::default().dsse().log(LogKind::RekorV2),
        MintSpec::default().version(BundleVersion::V0_1),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for t in Tamper::ALL {
        for base in &shapes {
            let minted = pki().mint_tampered(base, t);
            let r = verify_minted(&minted, exact_signer());
            assert_eq!(r.verdict, Verdict::Fail, "{} on {base:?} PASSED", t.name());
            let failed = failed_codes(&r);
            // The variant's spec adjustment (e.g. forcing DSSE) is visible in the bundle; derive it back.
            let spec = effective_spec(base, t, &minted);
            let want = expected(t, &spec);
            assert!(
                failed.contains(&want),
                "{}: wanted {want}, failed with {failed:?}\n{:?}",
                t.name(),
                r.checks
            );
            seen.insert(want);
        }
    }
    assert!(
        seen.len() >= 15,
        "tamper variants should exercise many distinct codes, got {seen:?}"
    );
}

/// The shape a tampered bundle was actually minted in (variants may switch content or log).
fn effective_spec(base: &MintSpec, t: Tamper, m: &Minted) -> MintSpec {
    let v: serde_json::Value = serde_json::from_str(&m.bundle_json).unwrap_or_default();
    let mut s = base.clone();
    if v.get("dsseEnvelope").is_some() {
        s = s.dsse();
    }
    let kv = v
        .pointer("/verificationMaterial/tlogEntries/0/kindVersion/version")
        .and_then(|x| x.as_str());
    s.log = if kv == Some("0.0.2")
        && v.pointer("/verificationMaterial/tlogEntries/0/inclusionPromise")
            .is_none()
    {
        LogKind::RekorV2
    } else {
        LogKind::RekorV1
    };
    let _ = t;
    s
}

#[test]
fn regexps_are_anchored_against_prefix_and_sibling_identities() {
    // A pattern written without ^...$, as users write them: provenant anchors it.
    let pattern = regex_escape(DEFAULT_IDENTITY);
    let signer = || {
        SignerPolicy::Keyless(IdentityPolicy {
            identity: Some(IdentityMatcher::regex(&pattern).unwrap()),
            issuer: Some(
                IdentityMatcher::regex("https://token\\.actions\\.githubusercontent\\.com")
                    .unwrap(),
            ),
            constrained_elsewhere: false,
        })
    };
    let ok = verify_minted(&pki().mint(&MintSpec::default()), signer());
    assert_eq!(ok.verdict, Verdict::Pass, "{:?}", ok.checks);
    for t in [Tamper::PrefixIdentity, Tamper::SiblingRepoIdentity] {
        let r = verify_minted(&pki().mint_tampered(&MintSpec::default(), t), signer());
        assert_eq!(r.verdict, Verdict::Fail, "{}", t.name());
        assert!(failed_codes(&r).contains(&CheckCode::SignerIdentityMismatch));
    }
    // A repository-prefix pattern must not admit the sibling `app-evil`.
    let repo = SignerPolicy::Keyless(IdentityPolicy {
        identity: Some(IdentityMatcher::regex("https://github.com/provenant-test/app/.*").unwrap()),
        issuer: Some(IdentityMatcher::exact(GITHUB_ACTIONS_ISSUER)),
        constrained_elsewhere: false,
    });
    let r = verify_minted(
        &pki().mint_tampered(&MintSpec::default(), Tamper::SiblingRepoIdentity),
        repo,
    );
    assert_eq!(r.verdict, Verdict::Fail);
}

fn regex_escape(s: &str) -> String {
    s.chars().fold(String::new(), |mut o, c| {
        if ".+*?()[]{}|^$\\".contains(c) {
            o.push('\\');
        }
        o.push(c);
        o
    })
}

#[test]
fn email_identities_and_missing_identity() {
    let spec = MintSpec {
        identity: Identity::Email("alice@example.com".into()),
        github: None,
        issuer: "https://accounts.google.com".into(),
        ..MintSpec::default()
    };
    let m = pki().mint(&spec);
    let signer = |id: &str| {
        SignerPolicy::Keyless(IdentityPolicy {
            identity: Some(IdentityMatcher::exact(id)),
            issuer: Some(IdentityMatcher::exact("https://accounts.google.com")),
            constrained_elsewhere: false,
        })
    };
    assert_eq!(
        verify_minted(&m, signer("alice@example.com")).verdict,
        Verdict::Pass
    );
    assert_eq!(
        verify_minted(&m, signer("alice@example.co")).verdict,
        Verdict::Fail
    );
    // No expected identity: a valid signature by anyone is not a pass.
    let r = verify_minted(&m, SignerPolicy::Keyless(IdentityPolicy::default()));
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(failed_codes(&r).contains(&CheckCode::SignerUnconstrained));
}

#[test]
fn a_bad_bundle_beside_a_good_one_is_a_warning_not_a_pass_maker() {
    let good = pki().mint(&MintSpec::default());
    let bad = pki().mint_tampered(&MintSpec::default(), Tamper::BadSignature);
    let (digests, _) = digest_reader(&good.artifact[..], &[DigestAlgorithm::Sha256]).unwrap();
    let run = |evidence: Vec<Evidence>| {
        verify_artifact(
            &ArtifactInputs {
                subject: Subject {
                    kind: SubjectKind::Digest,
                    name: None,
                    digests: digests.clone(),
                    size: None,
                },
                evidence,
                signer: exact_signer(),
                threshold: 1,
                policy: Default::default(),
                sbom: Default::default(),
                insecure_ignore_tlog: false,
            },
            &trust(),
            NOW.parse().unwrap(),
        )
    };
    let both = run(vec![
        Evidence::from_bytes("bad.json", Found::Given, bad.bundle_json.as_bytes()),
        Evidence::from_bytes("good.json", Found::Given, good.bundle_json.as_bytes()),
    ]);
    assert_eq!(both.verdict, Verdict::Pass);
    assert!(both
        .checks
        .iter()
        .any(|c| c.code == CheckCode::SignatureInvalid && c.outcome == Outcome::Warn));
    let only_bad = run(vec![Evidence::from_bytes(
        "bad.json",
        Found::Given,
        bad.bundle_json.as_bytes(),
    )]);
    assert_eq!(only_bad.verdict, Verdict::Fail);
    // JSON lines: one bad line and one good line behave the same way.
    let jsonl = format!(
        "{}\n{}\n",
        bad.bundle_json.replace('\n', ""),
        good.bundle_json.replace('\n', "")
    );
    let lines = run(vec![Evidence::from_bytes(
        "att.jsonl",
        Found::Given,
        jsonl.as_bytes(),
    )]);
    assert_eq!(lines.verdict, Verdict::Pass, "{:?}", lines.checks);
    assert_eq!(lines.signatures.len(), 2);
}

#[test]
fn testdata_example_is_current_and_verifies_through_the_cli() {
    use crate::support::{provenant, root, run};
    let verify = |artifact: &str, bundle: Option<&str>| {
        let mut cmd = provenant();
        cmd.current_dir(root())
            .args(["verify", "artifact", artifact]);
        if let Some(b) = bundle {
            cmd.args(["--bundle", b]);
        }
        cmd.args([
            "--trusted-root",
            "testdata/trust/trusted_root.json",
            "--certificate-identity",
            DEFAULT_IDENTITY,
            "--certificate-oidc-issuer",
            GITHUB_ACTIONS_ISSUER,
        ]);
        run(&mut cmd)
    };
    let (rc, out, err) = verify("testdata/release/hello-provenant.txt", None);
    assert_eq!(rc, 0, "{out}{err}");
    assert!(out.contains("found beside the artifact"), "{out}");
    for f in std::fs::read_dir(root().join("testdata/release/tampered")).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|e| e == "json") {
            let artifact = if p.ends_with("wrong-artifact.sigstore.json") {
                "testdata/release/tampered/wrong-artifact.txt"
            } else {
                "testdata/release/hello-provenant.txt"
            };
            let (rc, out, _) = verify(artifact, p.to_str());
            assert_eq!(rc, 1, "{}: {out}", p.display());
        }
    }
}
