//! Snapshots of what users and scripts parse: the text and JSON reports (at a fixed `now`, from
//! the seeded test PKI, so byte-stable) and `--help`. Review changes with `cargo insta review`.

use provenant_core::{verify_artifact, ArtifactInputs, Evidence, Found};
use provenant_model::{DigestAlgorithm, Subject, SubjectKind};
use provenant_testkit::{MintSpec, Tamper, TestPki, DEFAULT_IDENTITY, GITHUB_ACTIONS_ISSUER};
use provenant_verify::{digest_reader, IdentityMatcher, IdentityPolicy, SignerPolicy, TrustRoot};

use crate::support::{provenant, run};

fn report(tamper: Option<Tamper>) -> provenant_model::Report {
    let pki = TestPki::new(3);
    let spec = MintSpec::default();
    let m = match tamper {
        Some(t) => pki.mint_tampered(&spec, t),
        None => pki.mint(&spec),
    };
    let (digests, size) = digest_reader(&m.artifact[..], &[DigestAlgorithm::Sha256]).unwrap();
    let trust =
        TrustRoot::from_json(pki.trusted_root_json().as_bytes(), "trusted_root.json").unwrap();
    verify_artifact(
        &ArtifactInputs {
            subject: Subject {
                kind: SubjectKind::File,
                name: Some("hello-provenant.txt".into()),
                digests,
                size: Some(size),
            },
            evidence: vec![Evidence::from_bytes(
                "hello-provenant.txt.sigstore.json",
                Found::Beside,
                m.bundle_json.as_bytes(),
            )],
            signer: SignerPolicy::Keyless(IdentityPolicy {
                identity: Some(IdentityMatcher::exact(DEFAULT_IDENTITY)),
                issuer: Some(IdentityMatcher::exact(GITHUB_ACTIONS_ISSUER)),
                constrained_elsewhere: false,
            }),
            threshold: 1,
            policy: Default::default(),
            sbom: Default::default(),
            insecure_ignore_tlog: false,
        },
        &trust,
        "2026-01-01T00:00:00Z".parse().unwrap(),
    )
}

fn text(r: &provenant_model::Report) -> String {
    let mut out = Vec::new();
    provenant_report::text::render(r, &mut out, false).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn text_report_pass() {
    insta::assert_snapshot!(text(&report(None)));
}

#[test]
fn text_report_fail_puts_failures_first() {
    let t = text(&report(Some(Tamper::PrefixIdentity)));
    assert!(t.lines().nth(2).is_some_and(|l| l.contains("FAIL")), "{t}");
    insta::assert_snapshot!(t);
}

#[test]
fn json_report_pass() {
    let mut out = Vec::new();
    provenant_report::json::render(&report(None), &mut out).unwrap();
    let s = String::from_utf8(out).unwrap();
    crate::schema::assert_report_valid(&s);
    insta::assert_snapshot!(s);
}

#[test]
fn verify_artifact_help() {
    let (rc, out, _) = run(provenant().args(["verify", "artifact", "--help"]));
    assert_eq!(rc, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn verify_artifact_short_help() {
    let (rc, out, _) = run(provenant().args(["verify", "artifact", "-h"]));
    assert_eq!(rc, 0);
    insta::assert_snapshot!(out);
}

/// Every subcommand's --help is part of the contract (issue 15): a flag added, dropped or
/// reworded shows up here for review.
#[test]
fn every_subcommand_help() {
    for cmd in [
        &[][..],
        &["verify"],
        &["verify", "bundles"],
        &["verify", "image"],
        &["verify", "vsa"],
        &["verify", "contract"],
        &["provenance"],
        &["provenance", "contract"],
        &["gates"],
        &["inspect"],
        &["sbom"],
        &["sbom", "check"],
        &["sbom", "diff"],
        &["policy"],
        &["completions"],
        &["policy", "init"],
        &["policy", "lint"],
    ] {
        let (rc, out, _) = run(provenant().args(cmd).arg("--help"));
        assert_eq!(rc, 0, "{cmd:?}");
        let name = if cmd.is_empty() {
            "help".to_owned()
        } else {
            format!("help_{}", cmd.join("_"))
        };
        insta::assert_snapshot!(name, out);
    }
}
