//! `provenant audit run | replay | merge`: the sample verified end to end into an evidence
//! pack, the pack re-performed offline, and the parts of a sharded run joined. The testing,
//! the pack and the comparisons live in [`provenant_audit`]; this file reads flags and files.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use clap::Args;

use provenant_audit::{
    check_out, compare, evidence_of, exit_code, outcome, pack_files, read_pack, reports_of,
    reselect, select, sha256_hex, test_release, write_atomically, FileSource, ItemVerdict, Pack,
    Parameters, PopulationRecord, Rate, ReleasePlan, ReleaseRecord, Role, Row, Shard, SubjectPlan,
    SubjectRef, Tested, PACK_FORMAT,
};
use provenant_formats::sbom::XmlSchemaValidator;
use provenant_model::{DigestAlgorithm, Report, Subject};

use super::audit::{load_population, method, plan_size, rate, MethodArg};
use super::common::{emit, subject_of, CliError};

/// Arguments of `provenant audit run`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("how_many").required(true).multiple(true).args(["size", "confidence"])))]
pub struct RunCmdArgs {
    /// The population: CSV with a header or JSON lines, one release per row (evidence paths
    /// relative to the file).
    #[arg(long, value_name = "FILE")]
    pub population: String,
    /// The seed of the selection (recorded; the same seed and population give the same sample).
    #[arg(long, value_name = "S")]
    pub seed: String,
    /// Items to test. With --confidence and --tolerable-rate the sample is also evaluated;
    /// without --tolerable-rate there is no conclusion.
    #[arg(long, value_name = "N")]
    pub size: Option<u64>,
    /// Confidence C: plans the size (binomial, as `audit size`) unless --size is given, and
    /// the upper deviation limit is computed at it.
    #[arg(long, value_name = "C", requires = "tolerable_rate")]
    pub confidence: Option<String>,
    /// Tolerable deviation rate T: effective when the upper deviation limit is at or below it.
    #[arg(long, value_name = "T", requires = "confidence")]
    pub tolerable_rate: Option<String>,
    /// Expected deviation rate E, to plan the size with --confidence (not with --size).
    #[arg(
        long,
        value_name = "E",
        requires = "confidence",
        conflicts_with = "size"
    )]
    pub expected_rate: Option<String>,
    /// How to select.
    #[arg(long, value_enum, default_value_t = MethodArg::Random)]
    pub method: MethodArg,
    /// The column whose values are the strata (--method stratified).
    #[arg(long, value_name = "COL")]
    pub stratify_by: Option<String>,
    /// The column holding each release's weight (--method pps).
    #[arg(long, value_name = "COL")]
    pub weight_by: Option<String>,
    /// The policy every release is verified against (a row's `policy` column overrides it).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<String>,
    /// The Sigstore trusted root (a file, or public-good, staging, github).
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<String>,
    /// Judge every release as of this instant (RFC 3339) instead of now; recorded in the
    /// pack. Required with --shard / --shard-total (every part judges as of the same time).
    #[arg(long, value_name = "RFC3339", value_parser = super::args::parse_effective_time)]
    pub effective_time: Option<jiff::Timestamp>,
    /// Test only part I of N (0-based) of the sample, and write a part pack for `audit merge`.
    #[arg(long, value_name = "I/N", conflicts_with = "shard_total")]
    pub shard: Option<String>,
    /// Test one part of N, its index read from JOB_COMPLETION_INDEX (Kubernetes Indexed Job,
    /// 0-based) or else CI_NODE_INDEX (GitLab parallel, 1-based; CI_NODE_TOTAL must equal N).
    #[arg(long, value_name = "N")]
    pub shard_total: Option<u64>,
    /// Releases verified at once (default: the available cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=256))]
    pub jobs: Option<u64>,
    /// A local clone of a repository the population names: REPOSITORY=DIR, REPOSITORY as in the
    /// population's `repository` column (repeatable). Each sampled release's commits (previous
    /// release's commit .. its commit) and the lockfiles at its commit are read from it (never
    /// fetched) into the pack and results.db.
    #[arg(long, value_name = "REPOSITORY=DIR")]
    pub git_dir: Vec<String>,
    /// An SSH allowed-signers file: commit signatures are checked with `git verify-commit`
    /// against it (good or bad); without it a signed commit is `unknown`, never good.
    #[arg(long, value_name = "FILE", requires = "git_dir")]
    pub allowed_signers: Option<String>,
    /// Also write results.db's rows to PostgreSQL (postgres://USER@HOST:PORT/DB; password from
    /// the URL, PGPASSWORD or .pgpass, never printed), one transaction per release, upserted on
    /// (audit, release): re-run and concurrent parts are safe. Unreachable: exit 3, pack written.
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// The pack directory to write (must not exist, or be empty).
    #[arg(short = 'o', long, value_name = "DIR")]
    pub out: String,
}

/// Arguments of `provenant audit replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The evidence pack directory.
    #[arg(value_name = "DIR")]
    pub dir: String,
    /// Releases re-verified at once (default: the available cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=256))]
    pub jobs: Option<u64>,
}

/// Arguments of `provenant audit merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The part packs, one per shard.
    #[arg(value_name = "DIR", required = true)]
    pub parts: Vec<String>,
    /// Also write the merged results to PostgreSQL, with the audit's outcome (as `audit run
    /// --store`; the parts' rows are upserted again, unchanged).
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// The merged pack directory to write (must not exist, or be empty).
    #[arg(short = 'o', long, value_name = "DIR")]
    pub out: String,
}

fn input(e: impl std::fmt::Display) -> CliError {
    CliError::Input(e.to_string())
}

fn read_bounded(path: &str, limit: u64) -> Result<Vec<u8>, String> {
    // A population names files: a directory, FIFO or device is refused before it is opened (a
    // FIFO without a writer would block the whole run).
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.is_dir() {
        return Err("a directory, not a file".into());
    }
    if !meta.is_file() {
        return Err("not a regular file (a FIFO or device)".into());
    }
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    f.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > limit {
        return Err(format!("larger than the {limit}-byte limit"));
    }
    Ok(buf)
}

fn role_limit(role: Role) -> u64 {
    use provenant_formats::limits as l;
    match role {
        Role::Sbom => l::MAX_SBOM_BYTES,
        Role::Sarif | Role::Sca | Role::Dast | Role::CiRun | Role::Review => {
            provenant_formats::gate::MAX_GATE_REPORT_BYTES
        }
        Role::Policy => provenant_policy::MAX_POLICY_BYTES,
        Role::TrustedRoot => l::MAX_TRUSTED_ROOT_BYTES,
        Role::Key => l::MAX_KEY_BYTES,
        Role::Bundle | Role::Attestations | Role::Provenance | Role::Image => l::MAX_EVIDENCE_BYTES,
    }
}

/// Files read from disk; every byte read is kept for the pack, by SHA-256.
#[derive(Default)]
struct DiskSource {
    kept: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl DiskSource {
    fn keep(&self, bytes: &[u8]) -> String {
        let sha = sha256_hex(bytes);
        if let Ok(mut k) = self.kept.lock() {
            k.entry(sha.clone()).or_insert_with(|| bytes.to_vec());
        }
        sha
    }
}

impl FileSource for DiskSource {
    fn read(&self, role: Role, location: &str) -> Result<Vec<u8>, String> {
        let bytes = read_bounded(location, role_limit(role))?;
        self.keep(&bytes);
        Ok(bytes)
    }

    fn subject(&self, path: &str, algorithms: &[DigestAlgorithm]) -> Result<Subject, String> {
        subject_of(Some(path), None, algorithms)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "no artifact".to_owned())
    }

    /// Collect the image live (credentials from the Docker config, as `verify image` without
    /// flags; the image itself, no platform manifests), recording every answer; the recording
    /// and the bytes it names go into the pack.
    fn image(&self, reference: &str) -> Result<Vec<u8>, String> {
        use provenant_collect::image::{collect_image_recorded, PlatformSelection};
        let image = provenant_collect::parse_image_ref(reference).map_err(|e| e.to_string())?;
        let (recording, bytes) = collect_image_recorded(
            &image,
            reference,
            &PlatformSelection::None,
            provenant_collect::RegistryOptions::default(),
            std::time::Duration::from_secs(IMAGE_TIMEOUT_SECS),
        );
        if let Ok(mut k) = self.kept.lock() {
            for (sha, b) in bytes {
                k.entry(sha).or_insert(b);
            }
        }
        let json = recording.to_json();
        self.keep(&json);
        Ok(json)
    }

    fn blob(&self, sha256: &str) -> Option<Vec<u8>> {
        self.kept.lock().ok()?.get(sha256).cloned()
    }
}

/// How long collecting one image may take, retries included (as `verify image`'s default
/// `--registry-timeout`); past it the registry is unreachable (exit 3).
const IMAGE_TIMEOUT_SECS: u64 = 300;

/// Run `f` over `items` on a bounded pool of `jobs` threads; results in item order. Each
/// thread has its own XML schema validator (it is not shared between threads).
fn pool<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: &(dyn Fn(&T, Option<&dyn XmlSchemaValidator>) -> R + Sync),
) -> Result<Vec<R>, CliError> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    // Progress on stderr when it is a terminal (silent in pipes, CI logs and tests).
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            s.spawn(|| {
                let xsd = super::sbom::xml_validator();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item, xsd.as_deref());
                    if let Some(slot) = slots.get(i) {
                        if let Ok(mut g) = slot.lock() {
                            *g = Some(r);
                        }
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if progress {
                        super::common::emit_stderr(
                            format!("\rverified {n}/{} ", items.len()).as_bytes(),
                        );
                    }
                }
            });
        }
    });
    if progress && !items.is_empty() {
        super::common::emit_stderr(b"\n");
    }
    // Every item has its result, in order, or the run stops: a release is never dropped.
    slots
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            m.into_inner().ok().flatten().ok_or_else(|| {
                CliError::Input(format!(
                    "internal error: item {} of the sample produced no result; nothing was written",
                    i + 1
                ))
            })
        })
        .collect()
}

fn jobs(j: Option<u64>) -> usize {
    j.and_then(|j| usize::try_from(j).ok()).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    })
}

fn shard(a: &RunCmdArgs) -> Result<Option<Shard>, CliError> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let s = match (&a.shard, a.shard_total) {
        (Some(s), _) => s.clone(),
        (None, Some(n)) => match (env("JOB_COMPLETION_INDEX"), env("CI_NODE_INDEX")) {
            (Some(i), _) => format!("{i}/{n}"),
            (None, Some(i)) => {
                if env("CI_NODE_TOTAL").is_some_and(|t| t != n.to_string()) {
                    return Err(input(format!(
                        "CI_NODE_TOTAL is not --shard-total {n}; give the job's parallel count"
                    )));
                }
                let i: u64 = i
                    .parse()
                    .ok()
                    .filter(|i| *i >= 1)
                    .ok_or_else(|| input(format!("CI_NODE_INDEX {i:?} is not 1 or more")))?;
                format!("{}/{n}", i - 1)
            }
            (None, None) => {
                return Err(input(
                    "--shard-total needs JOB_COMPLETION_INDEX or CI_NODE_INDEX in the environment; or give --shard I/N",
                ))
            }
        },
        (None, None) => return Ok(None),
    };
    if a.effective_time.is_none() {
        return Err(input(
            "a sharded run needs --effective-time, so every part judges as of the same instant",
        ));
    }
    provenant_audit::parse_shard(&s).map(Some).map_err(input)
}

fn path_text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The release's test, from its population row: evidence directories expanded in name order.
fn plan(row: &Row, a: &RunCmdArgs) -> ReleasePlan {
    let e = &row.evidence;
    let mut evidence = Vec::new();
    let groups: [(Role, &Vec<std::path::PathBuf>); 9] = [
        (Role::Bundle, &e.bundle),
        (Role::Attestations, &e.attestations),
        (Role::Provenance, &e.provenance),
        (Role::Sbom, &e.sbom),
        (Role::Sarif, &e.sarif),
        (Role::Sca, &e.sca),
        (Role::Dast, &e.dast),
        (Role::CiRun, &e.ci_run),
        (Role::Review, &e.review),
    ];
    for (role, paths) in groups {
        for p in paths {
            match std::fs::read_dir(p) {
                Ok(rd) if role == Role::Attestations => {
                    let mut files: Vec<String> = rd
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.is_file())
                        .map(|p| path_text(&p))
                        .collect();
                    files.sort();
                    evidence.extend(files.into_iter().map(|f| (role, f)));
                }
                _ => evidence.push((role, path_text(p))),
            }
        }
    }
    ReleasePlan {
        id: row.id.clone(),
        subject: match &row.subject {
            Some(SubjectRef::File(p)) => SubjectPlan::File(path_text(p)),
            Some(SubjectRef::Digest(d)) => SubjectPlan::Digest(d.to_string()),
            Some(SubjectRef::Image(r)) => SubjectPlan::Image(r.clone()),
            None => SubjectPlan::Missing,
        },
        commit: row.commit.clone(),
        policy: row.policy.as_deref().map(path_text).or(a.policy.clone()),
        trusted_root: a.trusted_root.clone(),
        evidence,
    }
}

fn parse_rate(flag: &str, v: Option<&String>) -> Result<Option<Rate>, CliError> {
    v.map(|t| rate(flag, t)).transpose()
}

/// Check the flags' files once before any release is tested: a bad --policy or
/// --trusted-root is bad input (exit 2), not a deviation of every release.
fn check_flags(
    a: &RunCmdArgs,
    src: &DiskSource,
) -> Result<(Option<String>, Option<String>), CliError> {
    let policy_sha = match &a.policy {
        Some(p) => {
            let bytes = read_bounded(p, provenant_policy::MAX_POLICY_BYTES)
                .map_err(|e| input(format!("cannot read policy {p}: {e}")))?;
            provenant_audit::resolve_policy(Some(p), Some(&bytes), None, a.trusted_root.as_deref())
                .map_err(input)?;
            Some(src.keep(&bytes))
        }
        None => None,
    };
    let root_sha = match &a.trusted_root {
        Some(r) if Path::new(r).exists() || provenant_verify::Instance::from_name(r).is_none() => {
            let bytes = read_bounded(r, provenant_formats::limits::MAX_TRUSTED_ROOT_BYTES)
                .map_err(|e| input(format!("cannot read trusted root {r}: {e}")))?;
            provenant_verify::TrustRoot::from_json(&bytes, r)
                .map_err(|e| input(format!("{r}: {e}")))?;
            Some(src.keep(&bytes))
        }
        _ => None,
    };
    Ok((policy_sha, root_sha))
}

fn parameters(
    a: &RunCmdArgs,
    method: &provenant_audit::Method,
    (policy_sha, root_sha): (Option<String>, Option<String>),
    now: jiff::Timestamp,
    selection: &provenant_audit::Selection,
) -> Parameters {
    Parameters {
        seed: a.seed.clone(),
        method: method.name().to_owned(),
        stratify_by: a.stratify_by.clone(),
        weight_by: a.weight_by.clone(),
        size: a.size,
        confidence: a.confidence.clone(),
        tolerable_rate: a.tolerable_rate.clone(),
        expected_rate: a.expected_rate.clone(),
        policy: a.policy.clone(),
        policy_sha256: policy_sha,
        trusted_root: a.trusted_root.clone(),
        trusted_root_sha256: root_sha,
        effective_time: now.to_string(),
        sample_size: selection.sample_size,
        selected: selection.selected.iter().map(|s| s.id.clone()).collect(),
    }
}

/// `provenant audit run`.
pub fn run(a: &RunCmdArgs) -> Result<u8, CliError> {
    check_out(Path::new(&a.out)).map_err(input)?;
    let shard = shard(a)?;
    let store = super::audit_store::store_target(a.store.as_deref())?;
    let git_dirs = super::audit_git::git_dirs(&a.git_dir)?;
    // Absolute: git reads the file from inside the clone.
    let signers = a
        .allowed_signers
        .as_ref()
        .map(|f| std::fs::canonicalize(f).map_err(|e| input(format!("--allowed-signers {f}: {e}"))))
        .transpose()?;
    let method = method(a.method, a.stratify_by.as_ref(), a.weight_by.as_ref())?;
    let (population, pop_bytes) = load_population(&a.population)?;
    let confidence = parse_rate("--confidence", a.confidence.as_ref())?;
    let tolerable = parse_rate("--tolerable-rate", a.tolerable_rate.as_ref())?;
    let n = match (a.size, &a.confidence, &a.tolerable_rate) {
        (Some(n), _, _) => n,
        (None, Some(c), Some(t)) => {
            let e = a.expected_rate.as_deref().unwrap_or("0");
            plan_size(c, t, e, provenant_audit::Model::Binomial, None)?.sample_size
        }
        _ => {
            return Err(input(
                "give --size N, or --confidence C with --tolerable-rate T",
            ))
        }
    };
    let selection = select(&population, &a.seed, n, &method)
        .map_err(|e| input(format!("{}: {e}", a.population)))?;
    let src = DiskSource::default();
    src.keep(&pop_bytes);
    let (policy_sha, root_sha) = check_flags(a, &src)?;
    let now = a.effective_time.unwrap_or_else(jiff::Timestamp::now);
    let items: Vec<(u64, u64, ReleasePlan)> = selection
        .selected
        .iter()
        .filter(|s| shard.is_none_or(|sh| provenant_audit::in_shard(s.order, sh)))
        .filter_map(|s| {
            population
                .rows
                .get(s.row)
                .map(|r| (s.order, s.line, plan(r, a)))
        })
        .collect();
    let tested = pool(&items, jobs(a.jobs), &|(_, _, p), xsd| {
        test_release(p, &src, xsd, now)
    })?;
    let ids: Vec<&str> = items.iter().map(|(_, _, p)| p.id.as_str()).collect();
    let git = super::audit_git::collect(&population, &ids, &git_dirs, signers.as_deref(), &|b| {
        src.keep(b)
    });
    let parameters = parameters(a, &method, (policy_sha, root_sha), now, &selection);
    let population = PopulationRecord {
        path: a.population.clone(),
        sha256: population.sha256.clone(),
        rows: population.rows.len() as u64,
    };
    let (releases, reports) = records(items, tested)?;
    let pack = Pack {
        pack_format: PACK_FORMAT,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        population,
        parameters,
        shard,
        outcome: outcome(&releases, confidence, tolerable, shard.is_some()),
        releases,
        git,
    };
    let evidence = src.kept.into_inner().unwrap_or_default();
    let code = write_pack(&a.out, &pack, &evidence, &reports)?;
    super::audit_store::store_pack(store.as_ref(), &pack, &evidence, &reports, code)
}

fn report_json(r: &Report) -> Result<Vec<u8>, CliError> {
    let mut buf = Vec::new();
    provenant_report::json::render(r, &mut buf)
        .map_err(|e| input(format!("cannot render a report: {e}")))?;
    Ok(buf)
}

type Records = (Vec<ReleaseRecord>, BTreeMap<String, Vec<u8>>);

fn records(items: Vec<(u64, u64, ReleasePlan)>, tested: Vec<Tested>) -> Result<Records, CliError> {
    if items.len() != tested.len() {
        return Err(input("a release was not tested (internal error)"));
    }
    let mut releases = Vec::new();
    let mut reports = BTreeMap::new();
    for ((order, line, plan), t) in items.into_iter().zip(tested) {
        if let Some(r) = &t.report {
            reports.insert(plan.id.clone(), report_json(r)?);
        }
        releases.push(ReleaseRecord::new(order, line, plan, &t));
    }
    Ok((releases, reports))
}

fn write_pack(
    out: &str,
    pack: &Pack,
    evidence: &BTreeMap<String, Vec<u8>>,
    reports: &BTreeMap<String, Vec<u8>>,
) -> Result<u8, CliError> {
    let files = pack_files(pack, evidence, reports).map_err(input)?;
    write_atomically(Path::new(out), &files).map_err(input)?;
    let o = &pack.outcome;
    let conclusion = match (o.conclusion, pack.shard) {
        (_, Some(s)) => format!("part {}/{} (no conclusion until merged)", s.index, s.total),
        (Some(c), None) => serde_json::to_value(c)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        (None, None) => "no conclusion (no tolerable rate)".to_owned(),
    };
    let udl = o
        .upper_deviation_limit_pct
        .map_or_else(String::new, |u| format!(", upper deviation limit {u} %"));
    emit(
        format!(
            "{conclusion}: {} deviation(s) in {} release(s){udl}; pack written to {out}\n",
            o.deviations, o.tested
        )
        .as_bytes(),
    );
    Ok(exit_code(o))
}

/// `provenant audit replay`.
pub fn replay(a: &ReplayArgs) -> Result<u8, CliError> {
    let rp = read_pack(Path::new(&a.dir)).map_err(|e| input(format!("unreadable pack: {e}")))?;
    let mut diffs: Vec<String> = Vec::new();
    let m = &rp.manifest;
    diffs.extend(m.added.iter().map(|f| format!("added file {f}")));
    diffs.extend(m.removed.iter().map(|f| format!("removed file {f}")));
    diffs.extend(m.changed.iter().map(|f| format!("changed file {f}")));
    let evidence = evidence_of(&rp.files);
    let reports = reports_of(&rp.files);
    diffs.extend(provenant_audit::results_db_diff(
        Path::new(&a.dir),
        &rp.pack,
        &evidence,
        &reports,
    ));
    if let Some(d) = reselect(&rp.pack, &evidence) {
        diffs.push(format!("selection: {d}"));
    }
    let now: jiff::Timestamp = rp
        .pack
        .parameters
        .effective_time
        .parse()
        .map_err(|e| input(format!("pack.json: effective time: {e}")))?;
    let replayed = pool(&rp.pack.releases, jobs(a.jobs), &|r, xsd| {
        let src = provenant_audit::PackSource {
            record: r,
            evidence: &evidence,
        };
        test_release(&r.plan, &src, xsd, now)
    })?;
    for (r, t) in rp.pack.releases.iter().zip(&replayed) {
        diffs.extend(release_diff(r, t, &reports)?);
    }
    diffs.extend(outcome_diff(&rp.pack)?);
    let mut text = String::new();
    for d in &diffs {
        text.push_str(&provenant_report::sanitize::terminal_line(d));
        text.push('\n');
    }
    if diffs.is_empty() {
        text = format!(
            "pack intact; {} release(s) re-verified, every verdict reproduced\n",
            replayed.len()
        );
    }
    emit(text.as_bytes());
    Ok(u8::from(!diffs.is_empty()))
}

fn release_diff(
    r: &ReleaseRecord,
    t: &Tested,
    reports: &BTreeMap<String, Vec<u8>>,
) -> Result<Option<String>, CliError> {
    let id = &r.plan.id;
    if let Some(d) = compare(r, t) {
        return Ok(Some(format!("release {id}: {d}")));
    }
    let recorded = reports.get(id.as_str());
    let replayed = t.report.as_ref().map(report_json).transpose()?;
    Ok(match (recorded, replayed) {
        (Some(a), Some(b)) if *a == b => None,
        (None, None) if t.verdict == ItemVerdict::NotTested => None,
        _ => Some(format!(
            "release {id}: its report differs from reports/{id}.json"
        )),
    })
}

fn outcome_diff(p: &Pack) -> Result<Option<String>, CliError> {
    let c = parse_rate("confidence", p.parameters.confidence.as_ref())?;
    let t = parse_rate("tolerable rate", p.parameters.tolerable_rate.as_ref())?;
    let o = outcome(&p.releases, c, t, p.shard.is_some());
    Ok((o != p.outcome).then(|| "pack.json: the outcome does not follow from the releases".into()))
}

/// `provenant audit merge`.
pub fn merge(a: &MergeArgs) -> Result<u8, CliError> {
    check_out(Path::new(&a.out)).map_err(input)?;
    let store = super::audit_store::store_target(a.store.as_deref())?;
    let mut parts = Vec::new();
    let mut evidence = BTreeMap::new();
    let mut reports = BTreeMap::new();
    for dir in &a.parts {
        let rp = read_pack(Path::new(dir)).map_err(|e| input(format!("part {dir}: {e}")))?;
        if !rp.manifest.intact() {
            return Err(input(format!(
                "part {dir} does not match its manifest; run `provenant audit replay {dir}`"
            )));
        }
        evidence.extend(evidence_of(&rp.files));
        reports.extend(reports_of(&rp.files));
        parts.push((dir.clone(), rp.pack));
    }
    let first = parts.first().map(|(_, p)| p.parameters.clone());
    let c = parse_rate(
        "confidence",
        first.as_ref().and_then(|p| p.confidence.as_ref()),
    )?;
    let t = parse_rate(
        "tolerable rate",
        first.as_ref().and_then(|p| p.tolerable_rate.as_ref()),
    )?;
    let pack = provenant_audit::merge(&parts, c, t).map_err(input)?;
    let code = write_pack(&a.out, &pack, &evidence, &reports)?;
    super::audit_store::store_pack(store.as_ref(), &pack, &evidence, &reports, code)
}
