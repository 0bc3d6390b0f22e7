//! In-process benchmarks: Sigstore bundle verification on one core, and artifact hashing.
//!
//! Run (pinned to one core, as `bench/README.md` reports it):
//!
//! ```text
//! cargo bench --bench verify --no-run   # build on every core first
//! taskset -c 0 cargo bench --bench verify -- --warm-up-time 1 --measurement-time 5
//! ```
//!
//! The bundle benches read real-world bundles from `$PROVENANT_CORPUS` (default `../shared/corpus/`;
//! by path, never copied);
//! without the corpus they are skipped with a message. The hashing bench needs nothing.
//!
//! `PROVENANT_BENCH_CLOCK=cpu` times the benchmarked thread's on-CPU time (Linux
//! `/proc/thread-self/schedstat`) instead of wall time: on a machine that other jobs keep busy,
//! wall time counts the time spent waiting for a core, on-CPU time does not.
// A bench is a program: saying on stderr why a bench was skipped is its job.
#![allow(clippy::print_stderr)]

use std::hint::black_box;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, Bencher, BenchmarkGroup, Criterion, SamplingMode, Throughput,
};
use provenant_formats::bundle::parse_bundle;
use provenant_model::{Digest, DigestAlgorithm, EvidenceKind, EvidenceRef};
use provenant_verify::{
    digest_reader, verify_bundle, IdentityMatcher, IdentityPolicy, MultiHasher, SignerPolicy,
    TrustRoot,
};

/// The signer of the sigstore-conformance bundles.
const CONFORMANCE_SAN: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
/// GitHub Actions' OIDC issuer.
const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The public-good trusted root snapshot, relative to the corpus.
const TRUSTED_ROOT: &str = "trust/sigstore-public-good/trusted_root.json";
/// The digest of `sigstore/conformance/a.txt`, the artifact both conformance bundles sign.
const ARTIFACT_DIGEST: &str =
    "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";

/// One benchmarked bundle: a short name and its path relative to the corpus.
const CASES: &[(&str, &str)] = &[
    // hashedrekord message signature, bundle v0.3
    (
        "message-signature",
        "sigstore/conformance/happy-path-v0.3/bundle.sigstore.json",
    ),
    // in-toto statement in a DSSE envelope, bundle v0.3
    (
        "dsse",
        "sigstore/conformance/happy-path-intoto-in-dsse-v3/bundle.sigstore.json",
    ),
];

/// Size of the in-memory buffer the hashing bench digests.
const HASH_BUFFER: usize = 64 << 20;

/// What a benchmark's time is.
#[derive(Clone, Copy, Debug)]
enum Clock {
    /// Elapsed time (criterion's default).
    Wall,
    /// Time this thread spent running on a CPU.
    OnCpu,
}

impl Clock {
    /// `PROVENANT_BENCH_CLOCK=cpu` selects on-CPU time, when this kernel reports it.
    fn from_env() -> Self {
        match std::env::var("PROVENANT_BENCH_CLOCK").as_deref() {
            Ok("cpu") if on_cpu_time().is_some() => Self::OnCpu,
            Ok("cpu") => {
                eprintln!("PROVENANT_BENCH_CLOCK=cpu: /proc/thread-self/schedstat is unreadable; timing wall time");
                Self::Wall
            }
            _ => Self::Wall,
        }
    }

    /// Shape a group's samples for this clock: on-CPU readings lag by up to a scheduler tick, so
    /// every sample must be long (flat sampling: 20 equal samples share the measurement time).
    fn configure(self, group: &mut BenchmarkGroup<'_, WallTime>) {
        if let Self::OnCpu = self {
            group.sample_size(20).sampling_mode(SamplingMode::Flat);
        }
    }

    /// Time `routine` with this clock.
    fn iter<O>(self, b: &mut Bencher<'_>, mut routine: impl FnMut() -> O) {
        match self {
            Self::Wall => b.iter(routine),
            Self::OnCpu => b.iter_custom(|iters| {
                let start = on_cpu_time().unwrap_or_default();
                for _ in 0..iters {
                    black_box(routine());
                }
                on_cpu_time().unwrap_or_default().saturating_sub(start)
            }),
        }
    }
}

/// This thread's total on-CPU time. The kernel updates it at scheduler ticks, so one reading may
/// lag by up to a tick; [`Clock::configure`] makes samples hundreds of milliseconds long, and the
/// lags at the start and at the end of a sample cancel out on average.
fn on_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// `$PROVENANT_CORPUS`, or `../shared/corpus` beside the repository (as the tests read it).
fn corpus_location() -> PathBuf {
    std::env::var_os("PROVENANT_CORPUS")
        .filter(|v| !v.is_empty())
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
            PathBuf::from,
        )
}

fn corpus_dir() -> Option<PathBuf> {
    let dir = corpus_location();
    dir.join(TRUSTED_ROOT).is_file().then_some(dir)
}

fn read(corpus: &Path, rel: &str) -> Vec<u8> {
    let path = corpus.join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn bench_bundles(c: &mut Criterion) {
    let clock = Clock::from_env();
    let Some(corpus) = corpus_dir() else {
        eprintln!(
            "skipping bundle benches: no corpus at {} (set PROVENANT_CORPUS)",
            corpus_location().display()
        );
        return;
    };
    let trust = TrustRoot::from_json(&read(&corpus, TRUSTED_ROOT), TRUSTED_ROOT)
        .expect("trusted root loads");
    let digest: Digest = ARTIFACT_DIGEST.parse().expect("sha256:<hex> parses");
    let artifact = [digest];
    let evidence = EvidenceRef::new(EvidenceKind::SigstoreBundle, "b.json");
    let signer = SignerPolicy::Keyless(IdentityPolicy {
        identity: Some(IdentityMatcher::exact(CONFORMANCE_SAN)),
        issuer: Some(IdentityMatcher::exact(GITHUB_ISSUER)),
        constrained_elsewhere: false,
    });

    let mut group = c.benchmark_group("bundle");
    // One element = one bundle, so criterion reports bundles per second.
    group.throughput(Throughput::Elements(1));
    clock.configure(&mut group);
    for (name, rel) in CASES {
        let bytes = read(&corpus, rel);
        let parsed = parse_bundle(&bytes).expect("corpus bundle parses");
        // Outside the timing loop: a bench of a failing verification would measure the wrong path.
        let outcome = verify_bundle(&parsed, &evidence, &artifact, &trust, &signer);
        assert!(
            outcome.verified.is_some(),
            "{name} did not verify: {:#?}",
            outcome.checks
        );

        group.bench_function(format!("verify-only/{name}"), |b| {
            clock.iter(b, || {
                verify_bundle(black_box(&parsed), &evidence, &artifact, &trust, &signer)
            });
        });
        group.bench_function(format!("parse+verify/{name}"), |b| {
            clock.iter(b, || {
                let parsed = parse_bundle(black_box(&bytes)).expect("corpus bundle parses");
                verify_bundle(&parsed, &evidence, &artifact, &trust, &signer)
            });
        });
        group.bench_function(format!("parse-only/{name}"), |b| {
            clock.iter(b, || {
                parse_bundle(black_box(&bytes)).expect("corpus bundle parses")
            });
        });
    }
    group.finish();
    bench_engine(c, &clock, &corpus, &artifact[0]);

    // Paid once per process, not per bundle: part of the whole-process time bench/ measures.
    let root_bytes = read(&corpus, TRUSTED_ROOT);
    let mut group = c.benchmark_group("trust-root");
    clock.configure(&mut group);
    group.bench_function("from-json", |b| {
        clock.iter(b, || {
            TrustRoot::from_json(black_box(&root_bytes), TRUSTED_ROOT).expect("trusted root loads")
        });
    });
    group.finish();
}

/// The whole engine per bundle, as `verify artifact` and `audit run` call it: evidence parsed
/// from bytes, `provenant_core::verify` with a resolved policy, the report assembled. Against
/// `bundle/parse+verify`, this is what the one-engine layer costs.
fn bench_engine(c: &mut Criterion, clock: &Clock, corpus: &Path, digest: &Digest) {
    use provenant_core::{Command, Evidence, Found, Inputs, Target, TrustRoots};
    use provenant_model::{Subject, SubjectKind};
    use provenant_policy::{Policy, PolicyFlags};
    let trust = TrustRoots::sigstore(
        TrustRoot::from_json(&read(corpus, TRUSTED_ROOT), TRUSTED_ROOT)
            .expect("trusted root loads"),
    );
    let policy = Policy::resolve(
        None,
        PolicyFlags {
            certificate_identity: Some(CONFORMANCE_SAN.into()),
            certificate_oidc_issuer: Some(GITHUB_ISSUER.into()),
            ..PolicyFlags::default()
        },
    )
    .expect("the policy resolves");
    let now = jiff::Timestamp::now();
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(1));
    clock.configure(&mut group);
    for (name, rel) in CASES {
        let bytes = read(corpus, rel);
        let inputs = || {
            let mut i = Inputs::new(
                Command::VerifyArtifact,
                Target::Artifact(Subject {
                    kind: SubjectKind::Digest,
                    name: None,
                    digests: vec![digest.clone()],
                    size: None,
                }),
            );
            i.evidence.push(Evidence::from_bytes(
                "b.json",
                Found::Given,
                black_box(&bytes),
            ));
            i
        };
        let report = provenant_core::verify(&inputs(), &trust, &policy, now);
        assert_eq!(
            report.verdict,
            provenant_model::Verdict::Pass,
            "{name}: {:#?}",
            report.checks
        );
        group.bench_function(format!("parse+verify+report/{name}"), |b| {
            clock.iter(b, || {
                provenant_core::verify(&inputs(), &trust, &policy, now)
            });
        });
    }
    group.finish();
}

/// Deterministic incompressible-looking bytes (xorshift64), so no RNG dependency is needed.
fn pseudo_random(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn bench_hashing(c: &mut Criterion) {
    let clock = Clock::from_env();
    let buf = pseudo_random(HASH_BUFFER);
    let mut group = c.benchmark_group("hash");
    group.throughput(Throughput::Bytes(HASH_BUFFER as u64));
    // Each iteration digests 64 MiB; 20 samples keep the run near the requested measurement time.
    group.sample_size(20);
    clock.configure(&mut group);
    group.bench_function("sha256/64MiB", |b| {
        clock.iter(b, || {
            digest_reader(Cursor::new(black_box(&buf)), &[DigestAlgorithm::Sha256])
                .expect("hashing a buffer cannot fail")
        });
    });
    // The same digest without the reader: shows what digest_reader's copy into its buffer costs.
    group.bench_function("sha256-update/64MiB", |b| {
        clock.iter(b, || {
            let mut hasher = MultiHasher::new(&[DigestAlgorithm::Sha256]);
            hasher.update(black_box(&buf));
            hasher.finish()
        });
    });
    group.finish();
}

criterion_group!(benches, bench_bundles, bench_hashing);
criterion_main!(benches);
