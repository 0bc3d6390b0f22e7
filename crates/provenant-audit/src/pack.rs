//! The evidence pack: `pack.json`, `evidence/<sha256>`, `reports/<id>.json`, `summary.md`,
//! `summary.html` and `MANIFEST.sha256` over every other file. Written atomically (a
//! temporary directory beside the target, then one rename); read back with every added,
//! removed or changed file named.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use provenant_model::Subject;

use crate::release::{sha256_hex, FileRecord, ItemVerdict, ReleasePlan, Tested};
use crate::stats::{evaluate, Conclusion, Rate};

/// The version of the pack layout written in `pack.json`.
pub const PACK_FORMAT: u32 = 1;
/// The manifest's file name.
pub const MANIFEST: &str = "MANIFEST.sha256";
/// Largest file read back from a pack (bytes).
pub const MAX_PACK_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// Most files in a pack.
pub const MAX_PACK_FILES: usize = 1_000_000;

/// The population the sample was drawn from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationRecord {
    /// The file as given.
    pub path: String,
    /// SHA-256 of its bytes (a copy is `evidence/<sha256>`).
    pub sha256: String,
    /// Releases in it.
    pub rows: u64,
}

/// How the sample was drawn and judged: equal across the parts of a sharded run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameters {
    /// The seed.
    pub seed: String,
    /// `random`, `systematic`, `stratified` or `pps`.
    pub method: String,
    /// The stratification column.
    pub stratify_by: Option<String>,
    /// The weight column.
    pub weight_by: Option<String>,
    /// `--size`, when given.
    pub size: Option<u64>,
    /// Confidence C, as given.
    pub confidence: Option<String>,
    /// Tolerable rate T, as given.
    pub tolerable_rate: Option<String>,
    /// Expected rate E, as given.
    pub expected_rate: Option<String>,
    /// `--policy`, as given.
    pub policy: Option<String>,
    /// SHA-256 of the `--policy` file.
    pub policy_sha256: Option<String>,
    /// `--trusted-root`, as given.
    pub trusted_root: Option<String>,
    /// SHA-256 of the `--trusted-root` file (none for an embedded instance).
    pub trusted_root_sha256: Option<String>,
    /// The instant every release was judged as of (RFC 3339).
    pub effective_time: String,
    /// Items in the whole sample.
    pub sample_size: u64,
    /// The ids of the whole sample, in selection order.
    pub selected: Vec<String>,
}

/// Which part of a sharded run a pack holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 0-based index.
    pub index: u64,
    /// Number of parts.
    pub total: u64,
}

/// One sampled release in the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseRecord {
    /// 1-based position in the selection order.
    pub order: u64,
    /// The population line.
    pub line: u64,
    /// How it was tested (what a replay re-performs).
    pub plan: ReleasePlan,
    /// The subject as verified (its digests are what a replay verifies).
    pub subject: Option<Subject>,
    /// The verdict.
    pub verdict: ItemVerdict,
    /// Codes of the failed checks.
    pub failed_checks: Vec<String>,
    /// Why it is a deviation.
    pub cause: Option<String>,
    /// Whether an evidence source could not be reached.
    pub unreachable: bool,
    /// Every file read, with its role and SHA-256 (`evidence/<sha256>`).
    pub files: Vec<FileRecord>,
    /// `reports/<id>.json`, when the engine ran.
    pub report: Option<String>,
}

/// What the sample shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Releases in this pack.
    pub tested: u64,
    /// Deviations among them (failed or not tested).
    pub deviations: u64,
    /// Releases that could not be tested (counted in `deviations`).
    pub not_tested: u64,
    /// Deviations over releases.
    pub sample_deviation_rate: f64,
    /// The one-sided upper deviation limit at the confidence (a whole sample with a
    /// confidence only).
    pub upper_deviation_limit: Option<f64>,
    /// The same in percent, rounded up to 0.1.
    pub upper_deviation_limit_pct: Option<f64>,
    /// `effective`, `not-effective`, or null (no tolerable rate, or a part of a sharded run).
    pub conclusion: Option<Conclusion>,
    /// Whether any evidence source was unreachable.
    pub unreachable: bool,
}

/// `pack.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pack {
    /// [`PACK_FORMAT`].
    pub pack_format: u32,
    /// The provenant version that wrote the pack.
    pub tool_version: String,
    /// The population.
    pub population: PopulationRecord,
    /// The selection and judgement parameters.
    pub parameters: Parameters,
    /// The part of a sharded run, if this is one.
    pub shard: Option<Shard>,
    /// The conclusion.
    pub outcome: Outcome,
    /// The releases, in selection order.
    pub releases: Vec<ReleaseRecord>,
    /// The source history of the releases, by release id (runs given `--git-dir`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub git: Vec<crate::history::GitRange>,
}

/// Why a pack cannot be written or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackError {
    /// The output directory exists and is not empty.
    #[error("{0} exists and is not empty; give a new directory")]
    NotEmpty(PathBuf),
    /// An I/O error on a path.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A file that is not what a pack holds.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PackError + '_ {
    move |source| PackError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl ReleaseRecord {
    /// The record of a tested release.
    pub fn new(order: u64, line: u64, plan: ReleasePlan, t: &Tested) -> Self {
        let report = t.report.as_ref().map(|_| report_path(&plan.id));
        Self {
            order,
            line,
            plan,
            subject: t.subject.clone(),
            verdict: t.verdict,
            failed_checks: t.failed_checks.clone(),
            cause: t.cause.clone(),
            unreachable: t.unreachable,
            files: t.files.clone(),
            report,
        }
    }
}

/// `reports/<id>.json`.
pub fn report_path(id: &str) -> String {
    format!("reports/{id}.json")
}

/// The outcome of `releases`: deviations, the upper limit at `confidence`, and against
/// `tolerable` the conclusion; a `partial` pack (one shard) has none.
pub fn outcome(
    releases: &[ReleaseRecord],
    confidence: Option<Rate>,
    tolerable: Option<Rate>,
    partial: bool,
) -> Outcome {
    let n = releases.len() as u64;
    let deviations = releases
        .iter()
        .filter(|r| r.verdict != ItemVerdict::Pass)
        .count() as u64;
    let not_tested = releases
        .iter()
        .filter(|r| r.verdict == ItemVerdict::NotTested)
        .count() as u64;
    let e = match (confidence, partial) {
        (Some(c), false) => evaluate(n, deviations, c, tolerable).ok(),
        _ => None,
    };
    Outcome {
        tested: n,
        deviations,
        not_tested,
        sample_deviation_rate: if n == 0 {
            0.0
        } else {
            deviations as f64 / n as f64
        },
        upper_deviation_limit: e.as_ref().map(|e| e.upper_deviation_limit),
        upper_deviation_limit_pct: e.as_ref().map(|e| e.upper_deviation_limit_pct),
        conclusion: e.and_then(|e| e.conclusion),
        unreachable: releases.iter().any(|r| r.unreachable),
    }
}

/// The exit code of `audit run` and `audit merge`: 3 when a source was unreachable; else 0
/// for "effective" and 1 for "not effective"; without a conclusion, 0 when every release
/// passed and 1 otherwise.
pub fn exit_code(o: &Outcome) -> u8 {
    match (o.unreachable, o.conclusion) {
        (true, _) => 3,
        (false, Some(Conclusion::Effective)) => 0,
        (false, Some(Conclusion::NotEffective)) => 1,
        (false, None) => u8::from(o.deviations > 0),
    }
}

/// The files of a pack, by path inside it: `pack.json`, `evidence/`, `reports/`, the summaries,
/// `results.db` (derived from the others) and the manifest over all of them.
pub fn pack_files(
    pack: &Pack,
    evidence: &BTreeMap<String, Vec<u8>>,
    reports: &BTreeMap<String, Vec<u8>>,
) -> Result<BTreeMap<String, Vec<u8>>, PackError> {
    let mut files = BTreeMap::new();
    let invalid = |name: &str, reason: String| PackError::Invalid {
        path: PathBuf::from(name),
        reason,
    };
    let mut json =
        serde_json::to_vec_pretty(pack).map_err(|e| invalid("pack.json", e.to_string()))?;
    json.push(b'\n');
    files.insert("pack.json".to_owned(), json);
    for (sha, bytes) in evidence {
        files.insert(format!("evidence/{sha}"), bytes.clone());
    }
    for (id, bytes) in reports {
        files.insert(report_path(id), bytes.clone());
    }
    files.insert(
        "summary.md".to_owned(),
        crate::summary::markdown(pack).into_bytes(),
    );
    files.insert(
        "summary.html".to_owned(),
        crate::summary::html(pack).into_bytes(),
    );
    let db = crate::results::pack_rows(pack, evidence, reports)
        .and_then(|rows| crate::db::sqlite_bytes(&rows))
        .map_err(|e| invalid(crate::db::RESULTS_DB, e.to_string()))?;
    files.insert(crate::db::RESULTS_DB.to_owned(), db);
    let manifest = manifest(&files);
    files.insert(MANIFEST.to_owned(), manifest.into_bytes());
    Ok(files)
}

/// `sha256sum` lines over `files`, in path order.
pub fn manifest(files: &BTreeMap<String, Vec<u8>>) -> String {
    files
        .iter()
        .filter(|(p, _)| p.as_str() != MANIFEST)
        .map(|(p, b)| format!("{}  {p}\n", sha256_hex(b)))
        .collect()
}

/// Refuse an output directory that exists and is not empty.
pub fn check_out(out: &Path) -> Result<(), PackError> {
    match std::fs::read_dir(out) {
        Ok(mut rd) => match rd.next() {
            Some(_) => Err(PackError::NotEmpty(out.to_path_buf())),
            None => Ok(()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(out)(e)),
    }
}

/// Write `files` into a temporary directory beside `out`, then rename it to `out` (which
/// must not exist, or be empty): a crash never leaves a half pack under the final name.
pub fn write_atomically(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<(), PackError> {
    check_out(out)?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .map_or_else(|| "pack".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    let written = (|| {
        for (rel, bytes) in files {
            let path = tmp.join(rel);
            if let Some(d) = path.parent() {
                std::fs::create_dir_all(d).map_err(io(d))?;
            }
            std::fs::write(&path, bytes).map_err(io(&path))?;
        }
        if out.is_dir() {
            std::fs::remove_dir(out).map_err(io(out))?;
        }
        std::fs::rename(&tmp, out).map_err(io(out))
    })();
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    written
}

/// What differs between a pack directory and its manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestCheck {
    /// Files on disk the manifest does not list.
    pub added: Vec<String>,
    /// Files the manifest lists that are gone.
    pub removed: Vec<String>,
    /// Files whose SHA-256 differs from the manifest's.
    pub changed: Vec<String>,
}

impl ManifestCheck {
    /// Whether the pack is as its manifest says.
    pub fn intact(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// A pack read back: `pack.json`, every file's bytes, and the manifest comparison.
#[derive(Debug)]
pub struct ReadPack {
    /// `pack.json`.
    pub pack: Pack,
    /// Every file but the manifest, by path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Added, removed and changed files.
    pub manifest: ManifestCheck,
}

fn list(dir: &Path, rel: &str, out: &mut Vec<String>) -> Result<(), PackError> {
    let here = dir.join(rel);
    let mut entries: Vec<_> = std::fs::read_dir(&here)
        .map_err(io(&here))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        // `file_type` does not follow links. A pack holds only directories and regular files:
        // a link could point outside it, a FIFO or device would block or never end.
        let ty = e.file_type().map_err(io(&e.path()))?;
        if ty.is_dir() {
            list(dir, &r, out)?;
        } else if ty.is_file() {
            out.push(r);
        } else {
            return Err(PackError::Invalid {
                path: e.path(),
                reason: "not a regular file (a link, FIFO or device): a pack holds only files and directories".into(),
            });
        }
        if out.len() > MAX_PACK_FILES {
            return Err(PackError::Invalid {
                path: dir.to_path_buf(),
                reason: format!("more than {MAX_PACK_FILES} files"),
            });
        }
    }
    Ok(())
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, PackError> {
    use std::io::Read as _;
    let f = std::fs::File::open(path).map_err(io(path))?;
    let mut buf = Vec::new();
    f.take(MAX_PACK_FILE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(io(path))?;
    if buf.len() as u64 > MAX_PACK_FILE_BYTES {
        return Err(PackError::Invalid {
            path: path.to_path_buf(),
            reason: format!("larger than {MAX_PACK_FILE_BYTES} bytes"),
        });
    }
    Ok(buf)
}

fn parse_manifest(text: &str, path: &Path) -> Result<BTreeMap<String, String>, PackError> {
    let mut m = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let bad = |reason: &str| PackError::Invalid {
            path: path.to_path_buf(),
            reason: format!("line {}: {reason}", i + 1),
        };
        let (sha, name) = line
            .split_once("  ")
            .ok_or_else(|| bad("not `SHA256  PATH`"))?;
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("not a SHA-256"));
        }
        if m.insert(name.to_owned(), sha.to_ascii_lowercase())
            .is_some()
        {
            return Err(bad("a path listed twice"));
        }
    }
    Ok(m)
}

/// Read a pack directory, comparing every file with the manifest. An unreadable manifest or
/// `pack.json` is an error; any other difference is reported in [`ReadPack::manifest`].
pub fn read_pack(dir: &Path) -> Result<ReadPack, PackError> {
    let mpath = dir.join(MANIFEST);
    let text = String::from_utf8(read_bounded(&mpath)?).map_err(|_| PackError::Invalid {
        path: mpath.clone(),
        reason: "not UTF-8".into(),
    })?;
    let listed = parse_manifest(&text, &mpath)?;
    let mut names = Vec::new();
    list(dir, "", &mut names)?;
    let mut check = ManifestCheck::default();
    let mut files = BTreeMap::new();
    for name in names.into_iter().filter(|n| n != MANIFEST) {
        let bytes = read_bounded(&dir.join(&name))?;
        match listed.get(&name) {
            None => check.added.push(name.clone()),
            Some(sha) if *sha != sha256_hex(&bytes) => check.changed.push(name.clone()),
            Some(_) => {}
        }
        files.insert(name, bytes);
    }
    check.removed = listed
        .keys()
        .filter(|n| !files.contains_key(*n))
        .cloned()
        .collect();
    let pjson = dir.join("pack.json");
    let bytes = files.get("pack.json").ok_or_else(|| PackError::Invalid {
        path: pjson.clone(),
        reason: "missing".into(),
    })?;
    // Strictly: a duplicate key could make two readers see two different packs.
    let pack: Pack = provenant_formats::json::parse_strict(bytes)
        .map_err(|e| e.to_string())
        .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
        .map_err(|reason| PackError::Invalid {
            path: pjson.clone(),
            reason,
        })?;
    if pack.pack_format != PACK_FORMAT {
        return Err(PackError::Invalid {
            path: pjson,
            reason: format!(
                "pack format {} (this provenant reads {PACK_FORMAT})",
                pack.pack_format
            ),
        });
    }
    Ok(ReadPack {
        pack,
        files,
        manifest: check,
    })
}

/// The evidence files of a pack (`evidence/<sha256>` by SHA-256).
pub fn evidence_of(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .filter_map(|(p, b)| {
            p.strip_prefix("evidence/")
                .map(|s| (s.to_owned(), b.clone()))
        })
        .collect()
}

/// The reports of a pack, by release id.
pub fn reports_of(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .filter_map(|(p, b)| {
            p.strip_prefix("reports/")
                .and_then(|s| s.strip_suffix(".json"))
                .map(|s| (s.to_owned(), b.clone()))
        })
        .collect()
}
