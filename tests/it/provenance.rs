//! Provenance policy on minted SLSA provenance: the source, ref, commit, builder, signer and
//! runner checks pass on the honest build and fail, each with its own code, on every variant.

use provenant_core::{verify_artifact, ArtifactInputs, Evidence, Found};
use provenant_model::{CheckCode, DigestAlgorithm, Outcome, Report, Subject, SubjectKind, Verdict};
use provenant_policy::SourcePolicy;
use provenant_testkit::{
    Content, GithubClaims, MintSpec, TestPki, DEFAULT_COMMIT, GITHUB_ACTIONS_ISSUER,
};
use provenant_verify::{digest_reader, IdentityMatcher, IdentityPolicy, SignerPolicy, TrustRoot};

fn pki() -> &'static TestPki {
    static PKI: std::sync::OnceLock<TestPki> = std::sync::OnceLock::new();
    PKI.get_or_init(|| TestPki::new(21))
}

/// A DSSE provenance bundle for the default artifact, built by `claims`, with the statement
/// optionally edited.
fn mint(claims: GithubClaims, edit: impl Fn(String) -> String) -> String {
    let mut spec = MintSpec {
        identity: claims.identity(),
        github: Some(claims),
        ..MintSpec::default()
    }
    .dsse();
    let st = edit(spec.statement_json());
    spec.content = Content::Dsse {
        statement_json: Some(st),
    };
    pki().mint(&spec).bundle_json
}

fn run(bundles: &[String], policy: SourcePolicy) -> Report {
    let (digests, _) = digest_reader(
        provenant_testkit::DEFAULT_ARTIFACT,
        &[DigestAlgorithm::Sha256],
    )
    .unwrap();
    let trust = TrustRoot::from_json(pki().trusted_root_json().as_bytes(), "testkit").unwrap();
    let inputs = ArtifactInputs {
        subject: Subject {
            kind: SubjectKind::Digest,
            name: None,
            digests,
            size: None,
        },
        evidence: bundles
            .iter()
            .enumerate()
            .map(|(i, b)| Evidence::from_bytes(format!("b{i}.json"), Found::Given, b.as_bytes()))
            .collect(),
        signer: SignerPolicy::Keyless(IdentityPolicy {
            identity: None,
            issuer: Some(IdentityMatcher::exact(GITHUB_ACTIONS_ISSUER)),
            constrained_elsewhere: policy.constrains_signer(),
        }),
        threshold: 1,
        policy,
        sbom: Default::default(),
        insecure_ignore_tlog: false,
    };
    verify_artifact(&inputs, &trust, "2026-01-01T00:00:00Z".parse().unwrap())
}

fn failed(r: &Report) -> Vec<CheckCode> {
    r.checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| c.code)
        .collect()
}

fn honest_policy() -> SourcePolicy {
    SourcePolicy {
        source_uri: Some("github.com/provenant-test/app".into()),
        source_tag: Some("v1.0.0".into()),
        source_versioned_tag: Some("v1".into()),
        commit: Some(DEFAULT_COMMIT.into()),
        owner: Some("provenant-test".into()),
        repo: Some("provenant-test/app".into()),
        signer_repo: Some("provenant-test/app".into()),
        signer_workflow: Some("github.com/provenant-test/app/.github/workflows/release.yml".into()),
        builder_id: Some("https://github.com/actions/runner/github-hosted".into()),
        predicate_type: Some("https://slsa.dev/provenance/v1".into()),
        deny_self_hosted_runners: true,
        ..SourcePolicy::default()
    }
}

#[test]
fn the_honest_build_passes_every_check_and_reports_its_provenance() {
    let r = run(&[mint(GithubClaims::default(), |s| s)], honest_policy());
    assert_eq!(r.verdict, Verdict::Pass, "{:#?}", r.checks);
    let p = r.signatures[0]
        .provenance
        .as_ref()
        .expect("provenance claim");
    assert_eq!(p.source_commit.as_deref(), Some(DEFAULT_COMMIT));
    assert_eq!(p.source_ref.as_deref(), Some("refs/tags/v1.0.0"));
    for code in [
        CheckCode::SourceCommitMatches,
        CheckCode::SourceRefMatches,
        CheckCode::BuilderIdMatches,
        CheckCode::SignerWorkflowMatches,
        CheckCode::RunnerHosted,
        CheckCode::RepositoryOwnerMatches,
    ] {
        assert!(
            r.checks
                .iter()
                .any(|c| c.code == code && c.outcome == Outcome::Pass),
            "no {code}"
        );
    }
}

#[test]
fn each_variant_fails_with_its_code() {
    let other = "0123456789abcdef0123456789abcdef01234567";
    let cases: Vec<(&str, String, SourcePolicy, CheckCode)> = vec![
        (
            "subject digest swapped",
            mint(GithubClaims::default(), |s| {
                s.replace(
                    &provenant_verify::digest_reader(
                        provenant_testkit::DEFAULT_ARTIFACT,
                        &[DigestAlgorithm::Sha256],
                    )
                    .unwrap()
                    .0[0]
                        .hex()
                        .to_string(),
                    &"ab".repeat(32),
                )
            }),
            honest_policy(),
            CheckCode::ArtifactDigestMismatch,
        ),
        (
            "commit differs in provenance and certificate",
            mint(GithubClaims::default(), |s| {
                s.replace(DEFAULT_COMMIT, other)
            }),
            honest_policy(),
            CheckCode::SourceCommitMismatch,
        ),
        (
            "expected another commit",
            mint(GithubClaims::default(), |s| s),
            SourcePolicy {
                commit: Some(other.into()),
                ..honest_policy()
            },
            CheckCode::SourceCommitMismatch,
        ),
        (
            "branch expected, tag built",
            mint(GithubClaims::default(), |s| s),
            SourcePolicy {
                source_tag: None,
                source_versioned_tag: None,
                source_branch: Some("main".into()),
                ..honest_policy()
            },
            CheckCode::SourceRefMismatch,
        ),
        (
            "tag expected, branch built",
            mint(
                GithubClaims::for_workflow(
                    "provenant-test",
                    "app",
                    "release.yml",
                    "refs/heads/v1.0.0",
                    DEFAULT_COMMIT,
                ),
                |s| s,
            ),
            SourcePolicy {
                signer_workflow: None,
                ..honest_policy()
            },
            CheckCode::SourceRefMismatch,
        ),
        (
            "self-hosted runner",
            mint(
                GithubClaims {
                    runner_environment: "self-hosted".into(),
                    ..GithubClaims::default()
                },
                |s| s,
            ),
            SourcePolicy {
                builder_id: None,
                ..honest_policy()
            },
            CheckCode::RunnerSelfHosted,
        ),
        (
            "builder id spoofed as a prefix",
            mint(GithubClaims::default(), |s| {
                s.replace(
                    "actions/runner/github-hosted",
                    "actions/runner/github-hosted-evil",
                )
            }),
            honest_policy(),
            CheckCode::BuilderIdMismatch,
        ),
        (
            "sibling repository",
            mint(
                GithubClaims::for_workflow(
                    "provenant-test",
                    "app-evil",
                    "release.yml",
                    "refs/tags/v1.0.0",
                    DEFAULT_COMMIT,
                ),
                |s| s,
            ),
            honest_policy(),
            CheckCode::SourceRepositoryMismatch,
        ),
        (
            "sibling workflow",
            mint(
                GithubClaims::for_workflow(
                    "provenant-test",
                    "app",
                    "release.yml.attacker.yml",
                    "refs/tags/v1.0.0",
                    DEFAULT_COMMIT,
                ),
                |s| s,
            ),
            honest_policy(),
            CheckCode::SignerWorkflowMismatch,
        ),
        (
            "other owner",
            mint(
                GithubClaims::for_workflow(
                    "provenant-evil",
                    "app",
                    "release.yml",
                    "refs/tags/v1.0.0",
                    DEFAULT_COMMIT,
                ),
                |s| s,
            ),
            honest_policy(),
            CheckCode::RepositoryOwnerMismatch,
        ),
        (
            "predicate type swapped",
            mint(GithubClaims::default(), |s| {
                s.replace(
                    "https://slsa.dev/provenance/v1",
                    "https://example.com/not-provenance",
                )
            }),
            honest_policy(),
            CheckCode::PredicateTypeMismatch,
        ),
    ];
    for (name, bundle, policy, code) in cases {
        let r = run(&[bundle], policy);
        assert_eq!(r.verdict, Verdict::Fail, "{name} passed");
        assert!(
            failed(&r).contains(&code),
            "{name}: wanted {code}, got {:?}",
            failed(&r)
        );
    }
}

#[test]
fn two_statements_that_disagree_fail() {
    let a = mint(GithubClaims::default(), |s| s);
    let b = mint(
        GithubClaims::for_workflow(
            "provenant-test",
            "app",
            "release.yml",
            "refs/tags/v1.0.0",
            "0123456789abcdef0123456789abcdef01234567",
        ),
        |s| s,
    );
    // One statement matches the expected commit; the other, equally well signed, names another.
    let r = run(
        &[a, b],
        SourcePolicy {
            commit: Some(DEFAULT_COMMIT.into()),
            repo: Some("provenant-test/app".into()),
            ..SourcePolicy::default()
        },
    );
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(
        failed(&r).contains(&CheckCode::ProvenanceConflict),
        "{:?}",
        failed(&r)
    );
}

#[test]
fn no_signer_constraint_is_still_unconstrained() {
    let r = run(
        &[mint(GithubClaims::default(), |s| s)],
        SourcePolicy {
            commit: Some(DEFAULT_COMMIT.into()),
            ..SourcePolicy::default()
        },
    );
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(failed(&r).contains(&CheckCode::SignerUnconstrained));
}

#[test]
fn provenance_command_draws_the_chain_for_a_real_github_build() {
    use crate::support::{corpus, provenant, run};
    let Some(dir) = corpus() else { return };
    let base = [
        "provenance",
        "--digest",
        "sha256:376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa",
        "--provenance",
        "slsa/slsa-verifier/gha_generic/v2.1.0/binary-linux-amd64-push-v13.0.30.intoto.jsonl",
        "--source-uri",
        "github.com/slsa-framework/example-package",
        "--trusted-root",
        "trust/sigstore-public-good/trusted_root.json",
    ];
    let (rc, out, err) = run(provenant().current_dir(&dir).args(base));
    assert_eq!(rc, 0, "{out}{err}");
    assert!(
        out.contains("[verified]") && out.contains("4d329c75e7ec1725f7c9ce917a8799d408d06be3"),
        "{out}"
    );
    let (rc, out, _) = run(provenant()
        .current_dir(&dir)
        .args(base)
        .args(["--format", "json"]));
    assert_eq!(rc, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["chains"][0]["source"]["ref"], "refs/tags/v13.0.30");
    assert_eq!(v["chains"][0]["verified"], true);
    let (rc, out, _) = run(provenant()
        .current_dir(&dir)
        .args(base)
        .args(["--format", "mermaid"]));
    assert_eq!(rc, 0);
    assert!(
        out.starts_with("flowchart LR") && out.contains("-->|verified|"),
        "{out}"
    );
    // The wrong source: the chain is drawn, marked not verified, and the exit code says so.
    let mut evil = base.to_vec();
    evil[6] = "github.com/slsa-framework/example-package-evil";
    let (rc, out, err) = run(provenant().current_dir(&dir).args(evil));
    assert_eq!(rc, 1, "{out}{err}");
    assert!(
        out.contains("NOT VERIFIED") && out.contains("source-repository-mismatch"),
        "{out}"
    );
}

/// Regression (found in review): a statement signed by *any* identity may claim any source.
/// With --source-uri and a non-workflow --builder-id, the repository must come from the
/// certificate, and the signer is not constrained by the builder id alone.
#[test]
fn a_stranger_cannot_claim_a_repository_in_the_statement() {
    let honest = MintSpec::default().dsse().statement_json();
    let spec = MintSpec {
        identity: provenant_testkit::Identity::Email("mallory@example.com".into()),
        issuer: "https://accounts.google.com".into(),
        github: None,
        content: Content::Dsse {
            statement_json: Some(honest),
        },
        ..MintSpec::default()
    };
    let bundle = pki().mint(&spec).bundle_json;
    let (digests, _) = digest_reader(
        provenant_testkit::DEFAULT_ARTIFACT,
        &[DigestAlgorithm::Sha256],
    )
    .unwrap();
    let trust = TrustRoot::from_json(pki().trusted_root_json().as_bytes(), "testkit").unwrap();
    let policy = SourcePolicy {
        source_uri: Some("github.com/provenant-test/app".into()),
        builder_id: Some("https://github.com/actions/runner/github-hosted".into()),
        commit: Some(DEFAULT_COMMIT.into()),
        ..SourcePolicy::default()
    };
    let r = verify_artifact(
        &ArtifactInputs {
            subject: Subject {
                kind: SubjectKind::Digest,
                name: None,
                digests,
                size: None,
            },
            evidence: vec![Evidence::from_bytes(
                "b.json",
                Found::Given,
                bundle.as_bytes(),
            )],
            // Any issuer (explicitly): the point is that the repository must come from the
            // certificate whoever issued it.
            signer: SignerPolicy::Keyless(IdentityPolicy {
                identity: None,
                issuer: Some(IdentityMatcher::regex(".*").unwrap()),
                constrained_elsewhere: policy.constrains_signer(),
            }),
            threshold: 1,
            policy,
            sbom: Default::default(),
            insecure_ignore_tlog: false,
        },
        &trust,
        "2026-01-01T00:00:00Z".parse().unwrap(),
    );
    assert_eq!(r.verdict, Verdict::Fail, "{:#?}", r.checks);
    assert!(
        failed(&r).contains(&CheckCode::SourceRepositoryMismatch),
        "{:?}",
        failed(&r)
    );
}

#[test]
fn verification_summary_attestations() {
    use crate::support::{corpus, provenant, run};
    use provenant_testkit::keys::{dsse_envelope, KeyPair};
    // Our own VSAs, key-signed: PASSED verifies, FAILED and duplicate keys do not.
    let d = tempfile::tempdir().unwrap();
    let key = KeyPair::p256(31);
    let pem = d.path().join("k.pub");
    std::fs::write(&pem, key.public_pem()).unwrap();
    let vsa = |result: &str, dup: bool| {
        let extra = if dup { r#""resourceUri":"x","# } else { "" };
        let st = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"a","digest":{{"sha256":"{}"}}}}],"predicateType":"https://slsa.dev/verification_summary/v1","predicate":{{"verifier":{{"id":"https://verifier.example/v1"}},{extra}"resourceUri":"pkg:generic/app@1","verificationResult":"{result}","verifiedLevels":["SLSA_BUILD_LEVEL_3"]}}}}"#,
            "ab".repeat(32)
        );
        let p = d.path().join(format!("vsa-{result}-{dup}.json"));
        std::fs::write(
            &p,
            dsse_envelope(
                "application/vnd.in-toto+json",
                st.as_bytes(),
                &[(&key, Some("k1"))],
            ),
        )
        .unwrap();
        p
    };
    let digest = format!("sha256:{}", "ab".repeat(32));
    let check = |file: &std::path::Path, extra: &[&str]| {
        let mut cmd = provenant();
        cmd.args([
            "verify",
            "artifact",
            "--vsa",
            file.to_str().unwrap(),
            "--key",
            pem.to_str().unwrap(),
            "--digest",
            &digest,
            "--verifier-id",
            "https://verifier.example/v1",
            "--resource-uri",
            "pkg:generic/app@1",
        ]);
        cmd.args(extra);
        let (rc, out, err) = run(&mut cmd);
        (rc, format!("{out}{err}"))
    };
    let (rc, out) = check(
        &vsa("PASSED", false),
        &[
            "--verified-level",
            "SLSA_BUILD_LEVEL_2",
            "--public-key-id",
            "k1",
        ],
    );
    assert_eq!(rc, 0, "{out}");
    for (file, extra, code) in [
        (vsa("FAILED", false), vec![], "vsa-result-failed"),
        (vsa("PASSED", true), vec![], "payload-duplicate-keys"),
        (
            vsa("PASSED", false),
            vec!["--verified-level", "SLSA_BUILD_LEVEL_4"],
            "vsa-levels-not-met",
        ),
        (
            vsa("PASSED", false),
            vec!["--public-key-id", "other"],
            "signature-invalid",
        ),
    ] {
        let (rc, out) = check(&file, &extra);
        assert_eq!(rc, 1, "{out}");
        assert!(out.contains(code), "wanted {code}: {out}");
    }
    // Issue 14, class 7: a malformed level is refused, never read as a number; and
    // --threshold counts VSA signatures like every other kind (one key's signature is not two).
    for bad in ["SLSA_BUILD_LEVEL_+3", "SLSA_BUILD_LEVEL_03"] {
        let (rc, out) = check(&vsa("PASSED", false), &["--verified-level", bad]);
        assert_eq!(rc, 2, "{bad}: {out}");
    }
    let (rc, out) = check(&vsa("PASSED", false), &["--threshold", "2"]);
    assert_eq!(rc, 1, "one key cannot meet --threshold 2: {out}");
    let second = KeyPair::p256(32);
    let pem2 = d.path().join("k2.pub");
    std::fs::write(&pem2, second.public_pem()).unwrap();
    let st = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"a","digest":{{"sha256":"{}"}}}}],"predicateType":"https://slsa.dev/verification_summary/v1","predicate":{{"verifier":{{"id":"https://verifier.example/v1"}},"resourceUri":"pkg:generic/app@1","verificationResult":"PASSED","verifiedLevels":["SLSA_BUILD_LEVEL_+3"]}}}}"#,
        "ab".repeat(32)
    );
    let two = d.path().join("vsa-two.json");
    std::fs::write(
        &two,
        dsse_envelope(
            "application/vnd.in-toto+json",
            st.as_bytes(),
            &[(&key, Some("k1")), (&second, Some("k2"))],
        ),
    )
    .unwrap();
    let (rc, out) = check(&two, &["--key", pem2.to_str().unwrap(), "--threshold", "2"]);
    assert_eq!(rc, 0, "two keys meet --threshold 2: {out}");
    let (rc, out) = check(
        &two,
        &[
            "--key",
            pem2.to_str().unwrap(),
            "--threshold",
            "2",
            "--verified-level",
            "SLSA_BUILD_LEVEL_1",
        ],
    );
    assert_eq!(
        rc, 1,
        "a VSA attesting SLSA_BUILD_LEVEL_+3 attests no level: {out}"
    );
    assert!(out.contains("vsa-levels-not-met"), "{out}");

    // Missing required VSA flags is a usage error, never a pass.
    let (rc, _, _) = run(provenant().args([
        "verify",
        "artifact",
        "--vsa",
        "x.json",
        "--key",
        pem.to_str().unwrap(),
        "--digest",
        &digest,
    ]));
    assert_eq!(rc, 2);

    // The real Google BCID VSA from the corpus, and its variants.
    let Some(dir) = corpus() else { return };
    let base = [
        "verify",
        "artifact",
        "--vsa",
        "slsa/slsa-verifier/vsa/gke-gce-pre.bcid-vsa.jsonl",
        "--key",
        "slsa/slsa-verifier/vsa/vsa_signing_public_key.pem",
        "--digest",
        "gce_image_id:8970095005306000053",
        "--verifier-id",
        "https://bcid.corp.google.com/verifier/bcid_package_enforcer/v0.1",
        "--resource-uri",
        "gce_image://gke-node-images:gke-12615-gke1418000-cos-101-17162-463-29-c-cgpv1-pre",
    ];
    assert_eq!(
        run(provenant()
            .current_dir(&dir)
            .args(base)
            .args(["--verified-level", "BCID_L1"]))
        .0,
        0
    );
    for (i, v, code) in [
        (7, "gce_image_id:1", "artifact-digest-mismatch"),
        (
            9,
            "https://bcid.corp.google.com/verifier/other",
            "vsa-verifier-mismatch",
        ),
        (11, "gce_image://other", "vsa-resource-mismatch"),
    ] {
        let mut a = base.to_vec();
        a[i] = v;
        let (rc, out, _) = run(provenant().current_dir(&dir).args(a));
        assert_eq!(rc, 1, "{out}");
        assert!(out.contains(code), "wanted {code}: {out}");
    }
}

#[test]
fn workflow_inputs() {
    let with_inputs = |s: String| {
        s.replace(
            r#""externalParameters":{"#,
            r#""externalParameters":{"inputs":{"release":"1.0","dry":true},"#,
        )
    };
    let bundle = mint(GithubClaims::default(), with_inputs);
    let p = |inputs: &[(&str, &str)]| SourcePolicy {
        workflow_inputs: inputs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..honest_policy()
    };
    let r = run(
        std::slice::from_ref(&bundle),
        p(&[("release", "1.0"), ("dry", "true")]),
    );
    assert_eq!(r.verdict, Verdict::Pass, "{:?}", failed(&r));
    for bad in [&[("dry", "false")][..], &[("missing", "x")][..]] {
        let r = run(std::slice::from_ref(&bundle), p(bad));
        assert!(
            failed(&r).contains(&CheckCode::WorkflowInputsMismatch),
            "{bad:?}: {:?}",
            failed(&r)
        );
    }
    // A provenance without inputs cannot satisfy an input requirement.
    let r = run(
        &[mint(GithubClaims::default(), |s| s)],
        p(&[("release", "1.0")]),
    );
    assert!(failed(&r).contains(&CheckCode::WorkflowInputsMismatch));
}

/// Issue 13, class 5: a certificate from before Fulcio's provider-neutral arc carries its
/// repository, commit and ref only in the deprecated `.1.5`, `.1.3` and `.1.6`; they are held to
/// the source policy like `.1.12`, `.1.13` and `.1.14`.
#[test]
fn old_certificates_are_cross_checked_through_the_legacy_extensions() {
    let old = GithubClaims {
        legacy_only: true,
        ..GithubClaims::for_workflow(
            "provenant-test",
            "app",
            "release.yml",
            "refs/heads/main",
            DEFAULT_COMMIT,
        )
    };
    let policy = SourcePolicy {
        source_branch: Some("main".into()),
        repo: Some("provenant-test/app".into()),
        commit: Some(DEFAULT_COMMIT.into()),
        ..SourcePolicy::default()
    };
    let honest = run(&[mint(old.clone(), |s| s)], policy.clone());
    assert_eq!(honest.verdict, Verdict::Pass, "{:#?}", honest.checks);
    // The statement claims the release tag; the old certificate says the build ran on main.
    let lying = mint(old, |s| s.replace("refs/heads/main", "refs/tags/v1.0.0"));
    let r = run(
        &[lying],
        SourcePolicy {
            source_branch: None,
            source_tag: Some("v1.0.0".into()),
            ..policy
        },
    );
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(
        failed(&r).contains(&CheckCode::SourceRefMismatch),
        "{:?}",
        failed(&r)
    );
}
