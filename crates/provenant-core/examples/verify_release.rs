//! Verify provenant's bundled release with the library alone: read the evidence and the policy,
//! resolve the policy, call the engine, print the verdict.
//!
//! `cargo run -p provenant-core --example verify_release` (from the repository root).
#![allow(clippy::print_stdout)] // an example prints its result

use provenant_core::{verify, Command, Evidence, Found, Inputs, Target, TrustRoots};
use provenant_model::{DigestAlgorithm, Subject, SubjectKind};
use provenant_policy::{parse_policy, Policy, PolicyFlags};
use provenant_verify::{digest_reader, TrustRoot};

/// Policy diagnostics as one line.
fn lines(d: Vec<provenant_policy::Diagnostic>) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let read = |p: &str| std::fs::read(format!("{root}/{p}"));
    let artifact = read("testdata/release/hello-provenant.txt")?;
    let (digests, size) = digest_reader(&artifact[..], &[DigestAlgorithm::Sha256])?;
    let subject = Subject {
        kind: SubjectKind::File,
        name: Some("hello-provenant.txt".into()),
        digests,
        size: Some(size),
    };
    let mut inputs = Inputs::new(Command::VerifyArtifact, Target::Artifact(subject));
    let bundle = read("testdata/release/hello-provenant.intoto.sigstore.json")?;
    inputs.evidence.push(Evidence::from_bytes(
        "hello-provenant.intoto.sigstore.json",
        Found::Given,
        &bundle,
    ));
    let document =
        parse_policy(&read("attestations/examples/github-keyless-release.yaml")?).map_err(lines)?;
    let policy = Policy::resolve(Some(document), PolicyFlags::default()).map_err(lines)?;
    let trust = TrustRoots::sigstore(TrustRoot::from_json(
        &read("testdata/trust/trusted_root.json")?,
        "testdata",
    )?);
    let report = verify(&inputs, &trust, &policy, jiff::Timestamp::now());
    println!(
        "{}: {} checks",
        report.verdict.as_str(),
        report.checks.len()
    );
    for c in report
        .checks
        .iter()
        .filter(|c| c.outcome != provenant_model::Outcome::Pass)
    {
        println!("  {} {}: {}", c.outcome.as_str(), c.code, c.reason);
    }
    Ok(())
}
