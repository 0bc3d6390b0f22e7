//! Classic in-toto layouts (v0.9): the in-toto-golang corpus, and a minted two-step chain whose
//! tampered variants each fail with their own code.

use std::path::{Path, PathBuf};

use provenant_formats::layout::parse_metadata;
use provenant_model::{Check, CheckCode, Digest, DigestAlgorithm, Outcome, Verdict};
use provenant_testkit::layout::{
    canonical_json, max_salt_chain, Container, KeyChoice, LayoutTamper, MintedChain, SupplyChain,
    VERIFY_TIME,
};
use provenant_verify::layout::{verify_layout, LayoutArtifact, LayoutInput, LinkSource};
use provenant_verify::{digest_reader, PublicKey};

use crate::support::corpus;

const SEED: u64 = 31;

fn now() -> jiff::Timestamp {
    VERIFY_TIME.parse().unwrap()
}

fn sha256(bytes: &[u8]) -> Digest {
    let (digests, _) = digest_reader(bytes, &[DigestAlgorithm::Sha256]).unwrap();
    digests[0].clone()
}

fn verify(
    layout: &[u8],
    keys: &[PublicKey],
    links: &dyn LinkSource,
    artifacts: &[(String, Digest)],
) -> Vec<Check> {
    // At most one artifact: its name and every digest given for it.
    let digests: Vec<Digest> = artifacts.iter().map(|(_, d)| d.clone()).collect();
    verify_layout(&LayoutInput {
        layout,
        layout_location: "root.layout",
        layout_keys: keys,
        links,
        artifact: artifacts.first().map(|(name, _)| LayoutArtifact {
            name: Some(name),
            digests: &digests,
        }),
        now: now(),
    })
}

/// Every digest provenant computes for a file (sha256, sha384, sha512).
fn all_digests(bytes: &[u8]) -> Vec<Digest> {
    digest_reader(bytes, &DigestAlgorithm::ALL).unwrap().0
}

fn verify_chain(m: &MintedChain) -> Vec<Check> {
    let key = PublicKey::from_pem(&m.owner_pem, "owner.pub").unwrap();
    let artifact: Vec<(String, Digest)> = all_digests(&m.artifact)
        .into_iter()
        .map(|d| (m.artifact_name.clone(), d))
        .collect();
    verify(&m.layout, &[key], &m.links, &artifact)
}

/// The distinct codes of checks with `outcome`, sorted.
fn codes(checks: &[Check], outcome: Outcome) -> Vec<CheckCode> {
    let mut out: Vec<CheckCode> = checks
        .iter()
        .filter(|c| c.outcome == outcome)
        .map(|c| c.code)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn count(checks: &[Check], code: CheckCode, outcome: Outcome) -> usize {
    checks
        .iter()
        .filter(|c| c.code == code && c.outcome == outcome)
        .count()
}

fn dump(checks: &[Check]) -> String {
    checks
        .iter()
        .map(|c| format!("{} {}: {}", c.outcome.as_str(), c.code, c.reason))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_fully_verified_but_inspection(checks: &[Check], steps: usize) {
    assert_eq!(codes(checks, Outcome::Fail), vec![], "{}", dump(checks));
    assert_eq!(
        count(checks, CheckCode::LayoutSignatureValid, Outcome::Pass),
        1
    );
    assert_eq!(count(checks, CheckCode::LayoutCurrent, Outcome::Pass), 1);
    assert_eq!(
        count(checks, CheckCode::LayoutStepVerified, Outcome::Pass),
        steps,
        "{}",
        dump(checks)
    );
    assert_eq!(Verdict::from_checks(checks), Verdict::Pass);
}

#[test]
fn layout_minted_chain_verifies_in_both_containers() {
    for container in [Container::Metablock, Container::Dsse] {
        let checks = verify_chain(&SupplyChain::new(SEED, KeyChoice::Default, container).mint());
        assert_fully_verified_but_inspection(&checks, 2);
        assert_eq!(
            codes(&checks, Outcome::Warn),
            vec![CheckCode::LayoutInspectionNotRun],
            "{}",
            dump(&checks)
        );
        assert_eq!(
            count(&checks, CheckCode::LayoutArtifactBound, Outcome::Pass),
            1
        );
    }
}

#[test]
fn layout_minted_chain_with_rsa_pss_and_p384_keys_verifies() {
    let checks = verify_chain(&SupplyChain::new(SEED, KeyChoice::Rsa, Container::Metablock).mint());
    assert_fully_verified_but_inspection(&checks, 2);
    assert_eq!(
        count(&checks, CheckCode::LayoutArtifactBound, Outcome::Pass),
        1
    );
}

#[test]
fn layout_rsa_pss_with_the_maximal_salt_verifies() {
    // Go's crypto/rsa signs PSS with the maximal salt by default; in-toto verifiers accept it.
    for container in [Container::Metablock, Container::Dsse] {
        let checks = verify_chain(&max_salt_chain(SEED, container));
        assert_fully_verified_but_inspection(&checks, 2);
    }
}

#[test]
fn layout_tampered_chains_fail_with_their_own_code() {
    use CheckCode as C;
    use LayoutTamper as T;
    // The failing codes each variant must produce, exactly. Some failures cascade as they do in
    // in-toto: a step whose links do not verify has no products to MATCH against.
    let expected = |t: LayoutTamper| -> Vec<CheckCode> {
        let mut v = match t {
            // A step whose threshold is not met binds nothing: the artifact is unbound.
            T::ForeignLinkKey => vec![
                C::LayoutLinkSignatureInvalid,
                C::LayoutLinkMissing,
                C::LayoutRuleViolated,
                C::LayoutArtifactUnbound,
            ],
            T::ThresholdUnmet => vec![
                C::LayoutLinkMissing,
                C::LayoutRuleViolated,
                C::LayoutArtifactUnbound,
            ],
            T::ProductDigestChanged | T::DisallowedProduct | T::RequiredProductMissing => {
                vec![C::LayoutRuleViolated]
            }
            T::Expired => vec![C::LayoutExpired],
            T::ForeignLayoutKey | T::UnsignedLayout => vec![C::LayoutSignatureInvalid],
            T::LinkForOtherStep => vec![
                C::LayoutMalformed,
                C::LayoutLinkMissing,
                C::LayoutRuleViolated,
                C::LayoutArtifactUnbound,
            ],
            T::Sublayout => vec![
                C::LayoutUnsupported,
                C::LayoutLinkMissing,
                C::LayoutRuleViolated,
                C::LayoutArtifactUnbound,
            ],
            T::ArtifactSwapped => vec![C::LayoutRuleViolated, C::LayoutArtifactMismatch],
            T::LinksDisagree => vec![C::LayoutLinksDisagree],
            T::CommandChanged | T::CertificateLink => vec![],
            T::MalformedRule => vec![C::LayoutMalformed],
            T::ExpiryUnreadable => vec![C::LayoutExpired],
            T::SameKeyTwice => vec![
                C::LayoutLinkMissing,
                C::LayoutRuleViolated,
                C::LayoutArtifactUnbound,
            ],
            // The MATCH against the inspection consumes nothing; the DISALLOW after it fails.
            T::MatchFromInspection => vec![C::LayoutRuleViolated],
            // sha256 agrees, sha512 does not; the inspection's MATCH (sha256 only, as in-toto
            // records by default) does not equal the two-digest product either.
            T::ProductDigestContradiction => {
                vec![C::LayoutRuleViolated, C::LayoutArtifactMismatch]
            }
        };
        v.sort();
        v
    };
    for container in [Container::Metablock, Container::Dsse] {
        for tamper in LayoutTamper::ALL {
            let checks = verify_chain(&SupplyChain::tampered(SEED, container, tamper));
            assert_eq!(
                codes(&checks, Outcome::Fail),
                expected(tamper),
                "{tamper:?} in {container:?}:\n{}",
                dump(&checks)
            );
        }
    }
}

#[test]
fn layout_warnings_name_what_was_not_verified() {
    let checks = verify_chain(&SupplyChain::tampered(
        SEED,
        Container::Metablock,
        LayoutTamper::CommandChanged,
    ));
    assert_eq!(
        count(&checks, CheckCode::LayoutCommandMismatch, Outcome::Warn),
        1
    );
    assert_eq!(
        count(&checks, CheckCode::LayoutStepVerified, Outcome::Pass),
        2
    );

    let checks = verify_chain(&SupplyChain::tampered(
        SEED,
        Container::Metablock,
        LayoutTamper::CertificateLink,
    ));
    assert_eq!(
        count(&checks, CheckCode::LayoutUnsupported, Outcome::Warn),
        1
    );
    assert_eq!(
        count(&checks, CheckCode::LayoutStepVerified, Outcome::Pass),
        2
    );

    let checks = verify_chain(&SupplyChain::new(SEED, KeyChoice::Default, Container::Dsse).mint());
    let inspection = checks
        .iter()
        .find(|c| c.code == CheckCode::LayoutInspectionNotRun)
        .unwrap();
    assert_eq!(inspection.outcome, Outcome::Warn);
    assert!(inspection.reason.contains("untar"), "{}", inspection.reason);
    assert!(
        inspection.reason.contains("tar xzf app.tar.gz"),
        "{}",
        inspection.reason
    );
}

#[test]
fn layout_artifact_binding() {
    let chain = SupplyChain::new(SEED, KeyChoice::Default, Container::Metablock).mint();
    let key = PublicKey::from_pem(&chain.owner_pem, "owner.pub").unwrap();
    // No artifacts: no binding, and the inspection's materials cannot be evaluated either.
    let checks = verify(&chain.layout, std::slice::from_ref(&key), &chain.links, &[]);
    assert_fully_verified_but_inspection(&checks, 2);
    assert!(!checks.iter().any(|c| matches!(
        c.code,
        CheckCode::LayoutArtifactBound
            | CheckCode::LayoutArtifactUnbound
            | CheckCode::LayoutArtifactMismatch
    )));
    // A file no step produced fails: the layout does not speak for it (issue 14).
    let checks = verify(
        &chain.layout,
        std::slice::from_ref(&key),
        &chain.links,
        &[("other.bin".into(), sha256(b"x"))],
    );
    assert_eq!(
        codes(&checks, Outcome::Fail),
        vec![CheckCode::LayoutArtifactUnbound],
        "{}",
        dump(&checks)
    );
    assert_eq!(Verdict::from_checks(&checks), Verdict::Fail);
    // The product's bytes under another name are still the product.
    let checks = verify(
        &chain.layout,
        std::slice::from_ref(&key),
        &chain.links,
        &[("renamed.tgz".into(), sha256(&chain.artifact))],
    );
    assert_eq!(codes(&checks, Outcome::Fail), vec![], "{}", dump(&checks));
    assert_eq!(
        count(&checks, CheckCode::LayoutArtifactBound, Outcome::Pass),
        1
    );
    // A product of an intermediate step, by its base name.
    let checks = verify(
        &chain.layout,
        &[key],
        &chain.links,
        &[("main.c".into(), sha256(b"int main(void) { return 0; }\n"))],
    );
    let bound = checks
        .iter()
        .find(|c| c.code == CheckCode::LayoutArtifactBound)
        .unwrap();
    assert!(bound.reason.contains("write-code"), "{}", bound.reason);
}

#[test]
fn layout_keys_every_one_must_sign() {
    let chain = SupplyChain::new(SEED, KeyChoice::Default, Container::Metablock).mint();
    let owner = PublicKey::from_pem(&chain.owner_pem, "owner.pub").unwrap();
    let other = SupplyChain::new(SEED + 1, KeyChoice::Default, Container::Metablock).mint();
    let other = PublicKey::from_pem(&other.owner_pem, "other.pub").unwrap();
    for keys in [vec![], vec![other.clone()], vec![owner.clone(), other]] {
        let checks = verify(&chain.layout, &keys, &chain.links, &[]);
        assert_eq!(
            codes(&checks, Outcome::Fail),
            vec![CheckCode::LayoutSignatureInvalid],
            "{}",
            dump(&checks)
        );
        // Nothing an unauthenticated layout says becomes a finding.
        assert_eq!(checks.len(), 1, "{}", dump(&checks));
    }
    let checks = verify(&chain.layout, &[owner.clone(), owner], &chain.links, &[]);
    assert_eq!(codes(&checks, Outcome::Fail), vec![]);
}

#[test]
fn layout_malformed_inputs_fail_closed() {
    let chain = SupplyChain::new(SEED, KeyChoice::Default, Container::Metablock).mint();
    let key = PublicKey::from_pem(&chain.owner_pem, "owner.pub").unwrap();
    let link = chain.links[0].1.clone();
    let malformed: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"not json".to_vec(),
        b"[]".to_vec(),
        br#"{"signed":{"_type":"layout"},"signatures":[],"signed":{}}"#.to_vec(),
        br#"{"signed":{"_type":"layout","n":1.5},"signatures":[]}"#.to_vec(),
        br#"{"signed":{"_type":"layout"},"signatures":[{"sig":"not hex"}]}"#.to_vec(),
        br#"{"payloadType":"text/plain","payload":"e30=","signatures":[{"sig":"AA=="}]}"#.to_vec(),
        // A link is not a layout.
        link,
    ];
    for bytes in malformed {
        let checks = verify(&bytes, std::slice::from_ref(&key), &chain.links, &[]);
        assert_eq!(
            codes(&checks, Outcome::Fail),
            vec![CheckCode::LayoutMalformed],
            "{}\n{}",
            String::from_utf8_lossy(&bytes),
            dump(&checks)
        );
    }
    // A link that is not JSON, for an authorised key: malformed, and the step has no link.
    let mut links = chain.links.clone();
    links[1].1 = b"{".to_vec();
    let checks = verify(&chain.layout, &[key], &links, &[]);
    assert!(codes(&checks, Outcome::Fail).contains(&CheckCode::LayoutMalformed));
    assert!(codes(&checks, Outcome::Fail).contains(&CheckCode::LayoutLinkMissing));
}

#[test]
fn layout_no_input_panics() {
    // Every bit position (sampled) of a signed layout and a link, flipped: verification must
    // answer, never panic, and a flipped layout never verifies.
    let chain = SupplyChain::new(SEED, KeyChoice::Default, Container::Metablock).mint();
    let key = PublicKey::from_pem(&chain.owner_pem, "owner.pub").unwrap();
    let artifacts = [(chain.artifact_name.clone(), sha256(&chain.artifact))];
    for i in (0..chain.layout.len()).step_by(5) {
        let mut layout = chain.layout.clone();
        layout[i] ^= 0x20;
        let checks = verify(
            &layout,
            std::slice::from_ref(&key),
            &chain.links,
            &artifacts,
        );
        if checks.iter().all(|c| c.outcome != Outcome::Fail) {
            // Only a change outside the signed bytes (whitespace, a signature's keyid) may pass.
            let a = parse_metadata(&layout).unwrap();
            let b = parse_metadata(&chain.layout).unwrap();
            assert_eq!(a.signed_bytes, b.signed_bytes);
        }
    }
    for i in (0..chain.links[1].1.len()).step_by(5) {
        let mut links = chain.links.clone();
        links[1].1[i] ^= 0x01;
        let _ = verify(
            &chain.layout,
            std::slice::from_ref(&key),
            &links,
            &artifacts,
        );
    }
    for cut in [2, 10, 100, 1000] {
        let layout = &chain.layout[..chain.layout.len().saturating_sub(cut)];
        let checks = verify(layout, std::slice::from_ref(&key), &chain.links, &artifacts);
        assert_eq!(Verdict::from_checks(&checks), Verdict::Fail);
    }
}

// --- the in-toto-golang corpus -------------------------------------------------------------

fn golang_corpus() -> Option<PathBuf> {
    corpus().map(|c| c.join("in-toto/in-toto-golang"))
}

fn corpus_links(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut links: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "link"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    links.sort();
    links
}

fn corpus_verify(dir: &Path, layout: &str, keys: &[&str]) -> Vec<Check> {
    let keys: Vec<PublicKey> = keys
        .iter()
        .map(|k| {
            let pem = std::fs::read_to_string(dir.join(k)).unwrap();
            PublicKey::from_pem(&pem, k).unwrap()
        })
        .collect();
    let artifact = [sha256(&std::fs::read(dir.join("foo.tar.gz")).unwrap())];
    verify_layout(&LayoutInput {
        layout: &std::fs::read(dir.join(layout)).unwrap(),
        layout_location: layout,
        layout_keys: &keys,
        links: &corpus_links(dir),
        artifact: Some(LayoutArtifact {
            name: Some("foo.tar.gz"),
            digests: &artifact,
        }),
        now: now(),
    })
}

#[test]
fn layout_corpus_demo_verifies_with_alice() {
    let Some(dir) = golang_corpus() else { return };
    // The same layout as a metablock and as a DSSE envelope, with the metablock links.
    for layout in ["demo.layout", "demo.dsse.layout"] {
        let checks = corpus_verify(&dir, layout, &["alice.pub"]);
        assert_fully_verified_but_inspection(&checks, 2);
        assert_eq!(
            count(&checks, CheckCode::LayoutInspectionNotRun, Outcome::Warn),
            1
        );
        let bound = checks
            .iter()
            .find(|c| c.code == CheckCode::LayoutArtifactBound)
            .unwrap_or_else(|| panic!("{}", dump(&checks)));
        assert!(bound.reason.contains("package"), "{}", bound.reason);
    }
}

#[test]
fn layout_corpus_dsse_only_verifies_with_alice() {
    let Some(dir) = golang_corpus() else { return };
    // The layout alone verifies.
    let keys = [PublicKey::from_pem(
        &std::fs::read_to_string(dir.join("alice.pub")).unwrap(),
        "alice.pub",
    )
    .unwrap()];
    let checks = verify(
        &std::fs::read(dir.join("dsse-only.root.layout")).unwrap(),
        &keys,
        &corpus_links(&dir),
        &[],
    );
    assert_fully_verified_but_inspection(&checks, 3);
    assert_eq!(codes(&checks, Outcome::Warn), vec![], "{}", dump(&checks));
    // foo.tar.gz is no product of its steps: verified against it, the layout fails.
    let checks = corpus_verify(&dir, "dsse-only.root.layout", &["alice.pub"]);
    assert_eq!(
        codes(&checks, Outcome::Fail),
        vec![CheckCode::LayoutArtifactUnbound],
        "{}",
        dump(&checks)
    );
}

#[test]
fn layout_corpus_wrong_or_missing_signatures_fail() {
    let Some(dir) = golang_corpus() else { return };
    for (layout, keys) in [
        ("demo.layout", &["dan.pub"][..]),
        ("demo.layout", &["carol.pub"]),
        ("demo.layout", &["alice.pub", "dan.pub"]),
        ("dsse-only.root.layout", &["dan.pub"]),
        // Unsigned (and expired): nothing more is said about it.
        ("super.layout", &["alice.pub"]),
    ] {
        let checks = corpus_verify(&dir, layout, keys);
        assert_eq!(
            codes(&checks, Outcome::Fail),
            vec![CheckCode::LayoutSignatureInvalid],
            "{layout} {keys:?}:\n{}",
            dump(&checks)
        );
        assert_eq!(checks.len(), 1, "{}", dump(&checks));
    }
}

#[test]
fn layout_corpus_sublayout_link_is_not_a_layout_to_verify() {
    let Some(dir) = golang_corpus() else { return };
    // sub_layout.70ca5750.link is a layout signed by alice: as a root layout it verifies up to
    // its steps, whose links are not there.
    let checks = corpus_verify(&dir, "sub_layout.70ca5750.link", &["alice.pub"]);
    assert_eq!(
        count(&checks, CheckCode::LayoutSignatureValid, Outcome::Pass),
        1,
        "{}",
        dump(&checks)
    );
    // A link given as the layout is malformed.
    let checks = corpus_verify(&dir, "write-code.b7d643de.link", &["alice.pub"]);
    assert_eq!(
        codes(&checks, Outcome::Fail),
        vec![CheckCode::LayoutMalformed]
    );
}

#[test]
fn layout_corpus_canonical_json_matches_in_toto_golang() {
    let Some(dir) = golang_corpus() else { return };
    let bytes = std::fs::read(dir.join("canonical-test.link")).unwrap();
    let meta = parse_metadata(&bytes).unwrap();
    // in-toto-golang's TestMetablockGetSignableRepresentation reference encoding.
    let reference = concat!(
        "7b225f74797065223a226c696e6b222c22627970726f6475637473223a7b7d2c22636f6d6d616e64223a5b5d2",
        "c22656e7669726f6e6d656e74223a7b2261223a22575446222c2262223a747275652c2263223a66616c73652c",
        "2264223a6e756c6c2c2265223a312c2266223a221befbfbf465c5c6e5c22227d2c226d6174657269616c73223a",
        "7b7d2c226e616d65223a2274657374222c2270726f6475637473223a7b7d7d"
    );
    let hex: String = meta
        .signed_bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hex, reference);
    // The testkit's independent encoder agrees.
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(canonical_json(&value["signed"]), meta.signed_bytes);
}

/// The CLI contract: `verify artifact FILE --layout L --layout-key K --links DIR`.
#[test]
fn layout_cli_contract() {
    use crate::support::{provenant, run};
    let Some(dir) = corpus() else { return };
    let d = "in-toto/in-toto-golang";
    let args = |layout: &str, key: &str| {
        vec![
            "verify".to_string(),
            "artifact".into(),
            format!("{d}/foo.tar.gz"),
            "--layout".into(),
            format!("{d}/{layout}"),
            "--layout-key".into(),
            format!("{d}/{key}"),
            "--links".into(),
            d.into(),
        ]
    };
    let (code, out, err) = run(provenant()
        .current_dir(&dir)
        .args(args("demo.layout", "alice.pub")));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("layout-inspection-not-run"), "{out}");
    assert!(out.contains("layout-artifact-bound"), "{out}");
    let (code, out, _) = run(provenant()
        .current_dir(&dir)
        .args(args("demo.layout", "dan.pub")));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("layout-signature-invalid"), "{out}");
    // Without an artifact the layout and its links are still verified.
    let (code, out, _) = run(provenant().current_dir(&dir).args([
        "verify",
        "artifact",
        "--layout",
        &format!("{d}/demo.layout"),
        "--layout-key",
        &format!("{d}/dan.pub"),
    ]));
    assert_eq!(code, 1, "{out}");
    // A layout key without a layout, or a layout without a key, is a usage error.
    let (code, _, _) = run(provenant().current_dir(&dir).args([
        "verify",
        "artifact",
        "x",
        "--layout",
        &format!("{d}/demo.layout"),
    ]));
    assert_eq!(code, 2);
}

#[test]
fn layout_artifact_by_digest_binds_only_by_a_recorded_algorithm() {
    let chain = SupplyChain::new(SEED, KeyChoice::Default, Container::Metablock).mint();
    let key = [PublicKey::from_pem(&chain.owner_pem, "owner.pub").unwrap()];
    let by_digest = |digests: &[Digest]| {
        verify_layout(&LayoutInput {
            layout: &chain.layout,
            layout_location: "root.layout",
            layout_keys: &key,
            links: &chain.links,
            artifact: Some(LayoutArtifact {
                name: None,
                digests,
            }),
            now: now(),
        })
    };
    let all = all_digests(&chain.artifact);
    // The product's sha256: bound.
    let checks = by_digest(&all[..1]);
    assert_eq!(codes(&checks, Outcome::Fail), vec![], "{}", dump(&checks));
    assert_eq!(
        count(&checks, CheckCode::LayoutArtifactBound, Outcome::Pass),
        1
    );
    // Another digest binds nothing; neither does a sha512 the links never record.
    for digests in [vec![sha256(b"something else")], vec![all[2].clone()]] {
        let checks = by_digest(&digests);
        assert_eq!(
            codes(&checks, Outcome::Fail),
            vec![CheckCode::LayoutArtifactUnbound],
            "{}",
            dump(&checks)
        );
    }
    // No digest at all binds nothing.
    let checks = by_digest(&[]);
    assert_eq!(
        codes(&checks, Outcome::Fail),
        vec![CheckCode::LayoutArtifactUnbound]
    );
}

// --- the CLI contract, as a process ---------------------------------------------------------

mod cli {
    use std::path::Path;

    use provenant_model::DigestAlgorithm;
    use provenant_testkit::layout::{
        ChainFiles, Container, KeyChoice, LayoutTamper, MintedChain, SupplyChain,
    };
    use provenant_verify::digest_reader;
    use serde_json::Value;

    use super::SEED;
    use crate::support::{provenant, run};

    fn p(path: &Path) -> String {
        path.to_string_lossy().into_owned()
    }

    /// `verify artifact [ARTIFACT] --layout .. --layout-key .. --links .. --format json EXTRA..`:
    /// (exit code, the JSON report when there is one, stderr).
    fn verify(files: &ChainFiles, artifact: &[&str], extra: &[&str]) -> (i32, Value, String) {
        verify_with(provenant(), files, artifact, extra)
    }

    fn verify_with(
        mut cmd: std::process::Command,
        files: &ChainFiles,
        artifact: &[&str],
        extra: &[&str],
    ) -> (i32, Value, String) {
        cmd.args(["verify", "artifact"])
            .args(artifact)
            .args(["--layout", &p(&files.layout)])
            .args(["--layout-key", &p(&files.owner_key)])
            .args(["--links", &p(&files.links)])
            .args(["--format", "json"])
            .args(extra);
        let (code, out, err) = run(&mut cmd);
        let v = serde_json::from_str(&out).unwrap_or(Value::Null);
        (code, v, err)
    }

    fn with_outcome(v: &Value, outcome: &str) -> Vec<String> {
        let mut out: Vec<String> = v["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["outcome"] == outcome)
            .filter_map(|c| c["code"].as_str().map(str::to_owned))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn write(chain: &MintedChain, dir: &Path) -> ChainFiles {
        chain.write_to(dir).unwrap()
    }

    /// `ALG:HEX` of `bytes`.
    fn digest_of(bytes: &[u8], alg: DigestAlgorithm) -> String {
        digest_reader(bytes, &[alg]).unwrap().0[0].to_string()
    }

    #[test]
    fn layout_cli_artifact_no_step_produced_fails() {
        let tmp = tempfile::tempdir().unwrap();
        let chain = SupplyChain::new(SEED, KeyChoice::Default, Container::Metablock).mint();
        let files = write(&chain, tmp.path());
        // The product itself verifies.
        let (code, v, err) = verify(&files, &[&p(&files.artifact)], &[]);
        assert_eq!(code, 0, "{v}{err}");
        assert!(with_outcome(&v, "pass").contains(&"layout-artifact-bound".to_owned()));
        // Any other file fails: the layout does not speak for it.
        let other = tmp.path().join("other.bin");
        std::fs::write(&other, b"not built by the chain\n").unwrap();
        let (code, v, err) = verify(&files, &[&p(&other)], &[]);
        assert_eq!(code, 1, "{v}{err}");
        assert_eq!(
            with_outcome(&v, "fail"),
            vec!["layout-artifact-unbound".to_owned()]
        );
        // So does --digest of anything no verified step produced.
        let digest = digest_of(b"not built by the chain\n", DigestAlgorithm::Sha256);
        let (code, v, err) = verify(&files, &["--digest", &digest], &[]);
        assert_eq!(code, 1, "{v}{err}");
        assert_eq!(
            with_outcome(&v, "fail"),
            vec!["layout-artifact-unbound".to_owned()]
        );
        // --digest of the product binds by that digest.
        let digest = format!("sha256:{}", chain.artifact_sha256);
        let (code, v, err) = verify(&files, &["--digest", &digest], &[]);
        assert_eq!(code, 0, "{v}{err}");
        assert!(with_outcome(&v, "pass").contains(&"layout-artifact-bound".to_owned()));
        // A sha512 the links do not record binds nothing.
        let sha512 = digest_of(&chain.artifact, DigestAlgorithm::Sha512);
        let (code, v, err) = verify(&files, &["--digest", &sha512], &[]);
        assert_eq!(code, 1, "{v}{err}");
        assert_eq!(
            with_outcome(&v, "fail"),
            vec!["layout-artifact-unbound".to_owned()]
        );
    }

    #[test]
    fn layout_cli_vsa_never_passes_for_an_unbound_artifact() {
        let tmp = tempfile::tempdir().unwrap();
        let chain = SupplyChain::new(SEED, KeyChoice::Default, Container::Dsse).mint();
        let files = write(&chain, tmp.path());
        let other = tmp.path().join("other.bin");
        std::fs::write(&other, b"not built by the chain\n").unwrap();
        let vsa = tmp.path().join("out.vsa.json");
        let vsa_arg = format!("vsa={}", p(&vsa));
        let result = |vsa: &Path| -> Option<String> {
            let v: Value = serde_json::from_slice(&std::fs::read(vsa).ok()?).ok()?;
            v["predicate"]["verificationResult"]
                .as_str()
                .map(str::to_owned)
        };
        // The product: a PASSED VSA (so the test can tell one from a FAILED one).
        let (code, v, err) = verify(&files, &[&p(&files.artifact)], &["--format", &vsa_arg]);
        assert_eq!(code, 0, "{v}{err}");
        assert_eq!(result(&vsa).as_deref(), Some("PASSED"));
        // Unbound, by file and by digest: never a PASSED VSA.
        let digest = digest_of(b"not built by the chain\n", DigestAlgorithm::Sha256);
        for artifact in [vec![p(&other)], vec!["--digest".to_owned(), digest]] {
            std::fs::remove_file(&vsa).unwrap_or_default();
            let artifact: Vec<&str> = artifact.iter().map(String::as_str).collect();
            let (code, v, err) = verify(&files, &artifact, &["--format", &vsa_arg]);
            assert_eq!(code, 1, "{v}{err}");
            assert_ne!(result(&vsa).as_deref(), Some("PASSED"), "{artifact:?}");
        }
        // A layout alone verifies no artifact: no VSA at all.
        std::fs::remove_file(&vsa).unwrap_or_default();
        let (code, v, err) = verify(&files, &[], &["--format", &vsa_arg]);
        assert_eq!(code, 2, "{v}{err}");
        assert!(!vsa.exists());
    }

    /// The tampered chain written out and verified against its artifact: (exit code, report).
    fn verify_tampered(tamper: LayoutTamper) -> (i32, Value) {
        let tmp = tempfile::tempdir().unwrap();
        let chain = SupplyChain::tampered(SEED, Container::Metablock, tamper);
        let files = write(&chain, tmp.path());
        let (code, v, err) = verify(&files, &[&p(&files.artifact)], &[]);
        assert!(v.is_object(), "{tamper:?}: {err}");
        (code, v)
    }

    #[test]
    fn layout_cli_match_from_an_inspection_then_disallow_fails() {
        let (code, v) = verify_tampered(LayoutTamper::MatchFromInspection);
        assert_eq!(code, 1, "{v}");
        assert_eq!(
            with_outcome(&v, "fail"),
            vec!["layout-rule-violated".to_owned()]
        );
        assert!(with_outcome(&v, "warn").contains(&"layout-inspection-not-run".to_owned()));
    }

    #[test]
    fn layout_cli_threshold_two_with_one_link_binds_nothing() {
        let (code, v) = verify_tampered(LayoutTamper::ThresholdUnmet);
        assert_eq!(code, 1, "{v}");
        let fails = with_outcome(&v, "fail");
        assert!(fails.contains(&"layout-link-missing".to_owned()), "{v}");
        assert!(fails.contains(&"layout-artifact-unbound".to_owned()), "{v}");
        assert!(!with_outcome(&v, "pass").contains(&"layout-artifact-bound".to_owned()));
    }

    #[test]
    fn layout_cli_product_with_contradicting_digests_fails() {
        let (code, v) = verify_tampered(LayoutTamper::ProductDigestContradiction);
        assert_eq!(code, 1, "{v}");
        assert!(with_outcome(&v, "fail").contains(&"layout-artifact-mismatch".to_owned()));
    }

    /// A sparse file of `len` bytes (zeros; no disk blocks).
    fn sparse(path: &Path, len: u64) {
        std::fs::File::create(path).unwrap().set_len(len).unwrap();
    }

    #[test]
    fn layout_cli_large_link_files_are_read_one_at_a_time_or_refused() {
        const MB: u64 = 1_000_000;
        let tmp = tempfile::tempdir().unwrap();
        let mut chain = SupplyChain::new(SEED, KeyChoice::Default, Container::Metablock);
        // 20 more authorised builders: their link files are read, one at a time, each under the
        // per-link limit (12 MB of zeros: not JSON), 240 MB in all, under the total limit.
        let extra = chain.extra_builders(SEED, 20);
        let files = write(&chain.mint(), tmp.path());
        for name in &extra {
            sparse(&files.links.join(name), 12 * MB);
        }
        // 80 more of 33 MB named for no functionary: never read.
        for i in 0..80 {
            sparse(&files.links.join(format!("build.{i:08x}.link")), 33 * MB);
        }
        // Held all at once they would take 2.9 GB; the run gets at most 2 GiB of address space
        // (old provenant ran out of memory here and exited 2).
        let mut limited = std::process::Command::new("sh");
        limited
            .arg("-c")
            .arg("ulimit -v 2097152 && exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_provenant"));
        let (code, v, err) = verify_with(limited, &files, &[&p(&files.artifact)], &[]);
        // Garbage named for an authorised functionary fails; the rest still verifies.
        assert_eq!(code, 1, "{err}");
        assert_eq!(
            with_outcome(&v, "fail"),
            vec!["layout-malformed".to_owned()]
        );
        let malformed = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["code"] == "layout-malformed")
            .count();
        assert_eq!(malformed, extra.len(), "{v}");
        assert!(with_outcome(&v, "pass").contains(&"layout-artifact-bound".to_owned()));

        // The builder's own link over the per-link limit is refused unread: the step has no link.
        let builder_link = files
            .links
            .read_dir()
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                let n = p.file_name().unwrap().to_string_lossy().into_owned();
                n.starts_with("build.") && std::fs::metadata(p).unwrap().len() < MB
            })
            .unwrap();
        sparse(&builder_link, 33 * MB);
        let (code, v, err) = verify(&files, &[&p(&files.artifact)], &[]);
        assert_eq!(code, 1, "{err}");
        let fails = with_outcome(&v, "fail");
        for c in [
            "layout-malformed",
            "layout-link-missing",
            "layout-artifact-unbound",
        ] {
            assert!(fails.contains(&c.to_owned()), "{c}: {v}");
        }
    }
}
