//! `provenant verify bundles`: many bundles about one artifact, each verified on its own (as
//! `verify artifact --bundle` would verify it alone), on a bounded pool of threads, each result
//! written in input order as soon as every earlier one is written.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use clap::Args;

use provenant_core::{Command, Evidence, Found, Inputs, Target, TrustRoots};
use provenant_formats::limits::MAX_EVIDENCE_BYTES;
use provenant_model::{Outcome, Report, Subject, Verdict};
use provenant_policy::Policy;

use super::args::{RunArgs, SignerArgs, SourceArgs};
use super::common::{emit, read_limited, subject_of, CliError};
use super::read;

/// At most this many bundles in one run.
pub const MAX_BUNDLES: usize = 100_000;
/// A JSON-lines file of bundles is read up to this size.
const MAX_JSONL_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// All the bundles of one run together are read up to this size (they are held until verified).
const MAX_TOTAL_BYTES: u64 = 512 * 1024 * 1024;

/// Arguments of `provenant verify bundles`.
#[derive(Debug, Args)]
pub struct BundlesArgs {
    /// Bundles to verify, each on its own: a bundle file (Sigstore bundle, DSSE envelope), a
    /// JSON-lines file (`*.jsonl`: each line is one bundle), or a directory (its files, one
    /// level deep, in name order, read the same way).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<String>,

    /// The artifact every bundle must sign (hashed once, as a stream).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "digest",
        conflicts_with = "digest"
    )]
    pub artifact: Option<String>,

    /// The digest every bundle must sign (sha256:HEX, sha384:HEX or sha512:HEX), instead of
    /// --artifact.
    #[arg(long, value_name = "ALG:HEX")]
    pub digest: Option<String>,

    /// Bundles verified at once (default: the cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub jobs: Option<u64>,

    /// Output: text (one line per bundle: PASS or FAIL, where, and the first failed check) or
    /// json (one JSON report per line, the schema of `verify artifact --format json`), in input
    /// order.
    #[arg(long, value_name = "FMT", default_value = "text", value_parser = ["text", "json"])]
    pub format: String,

    /// A policy file (YAML, as `verify artifact --policy`), applied to every bundle.
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub policy: Option<String>,

    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

/// One bundle to verify: where it is (`FILE`, or `FILE:LINE` in a JSON-lines file) and its bytes.
struct Item {
    location: String,
    bytes: Vec<u8>,
}

/// Verify every bundle; exit 0 when every one verified, 1 when any did not.
pub fn bundles(a: &BundlesArgs) -> Result<u8, CliError> {
    let flags = provenant_policy::PolicyFlags {
        scope: provenant_policy::Scope::Verify,
        certificate_identity: a.signer.certificate_identity.clone(),
        certificate_identity_regexp: a.signer.certificate_identity_regexp.clone(),
        certificate_oidc_issuer: a.signer.certificate_oidc_issuer.clone(),
        certificate_oidc_issuer_regexp: a.signer.certificate_oidc_issuer_regexp.clone(),
        keys: a.signer.key.clone(),
        threshold: (a.signer.threshold != 1).then_some(a.signer.threshold),
        insecure_ignore_tlog: a.signer.insecure_ignore_tlog,
        trusted_root: a.signer.trusted_root.clone(),
        source: a.source.policy(),
        repository: None,
        require_sbom: false,
        gates: provenant_policy::GateFlags::default(),
        rego: Vec::new(),
    };
    let policy = read::resolve(a.policy.as_deref(), flags)?;
    let trust = read::trust_roots(&policy, &[])?;
    let items = items(&a.paths)?;
    // The artifact is hashed once, with every algorithm any bundle needs.
    let algs = if a.artifact.is_some() {
        let evidence: Vec<Evidence> = items
            .iter()
            .map(|i| Evidence::from_bytes(i.location.clone(), Found::Given, &i.bytes))
            .collect();
        provenant_core::algorithms_needed(&evidence, &[], &policy, &trust, false)
    } else {
        vec![]
    };
    let subject = subject_of(a.artifact.as_deref(), a.digest.as_deref(), &algs)?
        .ok_or_else(|| CliError::Input("give --artifact FILE or --digest".into()))?;
    let now = a.run.now();
    let json = a.format == "json";
    let failed = AtomicUsize::new(0);
    let verify = |item: &Item| -> Vec<u8> {
        let report = verify_one(item, &subject, &policy, &trust, now);
        if report.verdict != Verdict::Pass {
            failed.fetch_add(1, Ordering::Relaxed);
        }
        render(&report, &item.location, json)
    };
    in_order_pool(&items, jobs(a.jobs), &verify);
    Ok(u8::from(failed.load(Ordering::Relaxed) > 0))
}

fn verify_one(
    item: &Item,
    subject: &Subject,
    policy: &Policy,
    trust: &TrustRoots,
    now: jiff::Timestamp,
) -> Report {
    let mut inputs = Inputs::new(Command::VerifyArtifact, Target::Artifact(subject.clone()));
    inputs.evidence = vec![Evidence::from_bytes(
        item.location.clone(),
        Found::Given,
        &item.bytes,
    )];
    provenant_core::verify_detailed(&inputs, trust, policy, now).report
}

fn render(report: &Report, location: &str, json: bool) -> Vec<u8> {
    if json {
        let mut out = provenant_report::sanitize::to_json_vec(report).unwrap_or_else(|e| {
            // Serialising the model does not fail; should it, the line still says FAIL.
            format!("{{\"verdict\":\"fail\",\"error\":{:?}}}", e.to_string()).into_bytes()
        });
        out.push(b'\n');
        return out;
    }
    let location = provenant_report::sanitize::terminal_line(location);
    match report.verdict {
        Verdict::Pass => format!("PASS  {location}\n").into_bytes(),
        Verdict::Fail => {
            let why = report
                .checks
                .iter()
                .find(|c| c.outcome == Outcome::Fail)
                .map_or_else(
                    || "verification failed".to_owned(),
                    |c| {
                        format!(
                            "{}: {}",
                            c.code.as_str(),
                            provenant_report::sanitize::terminal_line(&c.reason)
                        )
                    },
                );
            format!("FAIL  {location}: {why}\n").into_bytes()
        }
    }
}

/// The bundles the paths name, in order: a file is one bundle, a `*.jsonl` file one per
/// non-blank line, a directory its files (one level, name order).
fn items(paths: &[String]) -> Result<Vec<Item>, CliError> {
    let mut files = Vec::new();
    for p in paths {
        if !Path::new(p).is_dir() {
            files.push(p.clone());
            continue;
        }
        let rd = std::fs::read_dir(p)
            .map_err(|e| CliError::Input(format!("cannot read directory {p}: {e}")))?;
        let mut inside: Vec<String> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|e| e.is_file())
            .map(|e| e.to_string_lossy().into_owned())
            .collect();
        inside.sort();
        if inside.is_empty() {
            return Err(CliError::Input(format!(
                "{p}: the directory holds no files"
            )));
        }
        files.extend(inside);
    }
    let mut out = Vec::new();
    let mut total = 0u64;
    for f in files {
        // Bounded before reading (by the file's size) and by what was read.
        let size = std::fs::metadata(&f).map_or(0, |m| m.len());
        if total.saturating_add(size) > MAX_TOTAL_BYTES {
            return Err(CliError::Input(format!(
                "the bundles given total more than {MAX_TOTAL_BYTES} bytes (reached at {f}); split the run"
            )));
        }
        if f.ends_with(".jsonl") {
            let bytes = read_limited(&f, MAX_JSONL_FILE_BYTES, "JSON-lines file of bundles")?;
            total = total.saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
            for (n, line) in bytes.split(|&b| b == b'\n').enumerate() {
                if line.trim_ascii().is_empty() {
                    continue;
                }
                if u64::try_from(line.len()).unwrap_or(u64::MAX) > MAX_EVIDENCE_BYTES {
                    return Err(CliError::Input(format!(
                        "{f}:{}: a line longer than {MAX_EVIDENCE_BYTES} bytes",
                        n + 1
                    )));
                }
                out.push(Item {
                    location: format!("{f}:{}", n + 1),
                    bytes: line.to_vec(),
                });
            }
        } else {
            let bytes = read_limited(&f, MAX_EVIDENCE_BYTES, "bundle")?;
            total = total.saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
            out.push(Item {
                location: f.clone(),
                bytes,
            });
        }
        if total > MAX_TOTAL_BYTES {
            return Err(CliError::Input(format!(
                "the bundles given total more than {MAX_TOTAL_BYTES} bytes (reached at {f}); split the run"
            )));
        }
        if out.len() > MAX_BUNDLES {
            return Err(CliError::Input(format!(
                "more than {MAX_BUNDLES} bundles; split the run"
            )));
        }
    }
    if out.is_empty() {
        return Err(CliError::Input("no bundle in the paths given".into()));
    }
    Ok(out)
}

fn jobs(j: Option<u64>) -> usize {
    j.and_then(|j| usize::try_from(j).ok()).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    })
}

/// Run `f` over `items` on `jobs` threads; write each result to stdout in item order, as soon
/// as every earlier result is written (results waiting for an earlier one are held, no more).
fn in_order_pool<T: Sync>(items: &[T], jobs: usize, f: &(dyn Fn(&T) -> Vec<u8> + Sync)) {
    let next = AtomicUsize::new(0);
    // (index of the next result to write, results that finished early)
    let pending: Mutex<(usize, BTreeMap<usize, Vec<u8>>)> = Mutex::new((0, BTreeMap::new()));
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let out = f(item);
                let mut g = pending.lock().unwrap_or_else(|e| e.into_inner());
                g.1.insert(i, out);
                let mut ready = Vec::new();
                loop {
                    let at = g.0;
                    let Some(bytes) = g.1.remove(&at) else { break };
                    ready.extend_from_slice(&bytes);
                    g.0 += 1;
                }
                // Written under the lock, so that lines keep their order.
                if !ready.is_empty() {
                    emit(&ready);
                }
            });
        }
    });
}
