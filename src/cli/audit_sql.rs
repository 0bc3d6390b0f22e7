//! `provenant audit query`: read-only SQL over a pack's `results.db`, printed as a table, CSV
//! or JSON. The query limits and the read-only opening live in [`provenant_audit::query`].

use std::fmt::Write as _;
use std::path::Path;

use clap::{Args, ValueEnum};
use serde_json::{json, Value};

use provenant_audit::{
    ci_rows, commit_rows, database_of, lockfile_rows, query as run_query, review_rows, sha256_hex,
    sql_row, write_sqlite, Answer, Rows, Val, QUERY_TIME_LIMIT, SCHEMA_VERSION,
};
use provenant_collect::git::DEFAULT_GIT_TIMEOUT;
use provenant_formats::gate::GateKind;

use super::common::{emit, read_limited, CliError};

/// Output of `audit query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    /// Aligned columns for a terminal (control characters escaped).
    Table,
    /// CSV with a header row (RFC 4180 quoting).
    Csv,
    /// A JSON object: {"columns": [...], "rows": [[...], ...]}.
    Json,
}

/// Arguments of `provenant audit query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The evidence pack directory (its results.db, checked against the manifest), or a
    /// database file written by `audit ingest`.
    #[arg(value_name = "DIR")]
    pub dir: String,
    /// One read-only SQL statement (SQLite dialect; tables in docs/audit-schema.md).
    #[arg(value_name = "SQL")]
    pub sql: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
    pub format: QueryFormat,
}

/// Arguments of `provenant audit ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// A local clone: its commits fill the `commits` table (never fetched; a shallow clone or
    /// one with grafts is refused).
    #[arg(long = "git", value_name = "REPO_DIR")]
    pub git: String,
    /// The commits to read: A..B (reachable from B, not from A) or REV (its whole history).
    #[arg(long, value_name = "A..B", default_value = "HEAD")]
    pub range: String,
    /// An SSH allowed-signers file for `git verify-commit`; without it a signed commit's
    /// signature is `unknown`, never good.
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<String>,
    /// CI run metadata (GitHub Actions runs/jobs, GitLab pipelines/jobs, as their APIs return
    /// them) for `ci_runs` and `ci_jobs` (repeatable).
    #[arg(long, value_name = "FILE")]
    pub ci_run: Vec<String>,
    /// A pull/merge request review file, one change per file, for `reviews` (repeatable).
    #[arg(long, value_name = "FILE")]
    pub review: Vec<String>,
    /// A lockfile for `dependencies` (Cargo.lock, package-lock.json, pnpm-lock.yaml, yarn.lock,
    /// go.sum, requirements*.txt, poetry.lock, uv.lock; another is recorded as unknown-format).
    #[arg(long, value_name = "FILE")]
    pub lockfile: Vec<String>,
    /// The SQLite database to write (must not exist).
    #[arg(long, value_name = "DB")]
    pub out: String,
}

fn read_file(path: &str, limit: u64, what: &str) -> Result<Vec<u8>, CliError> {
    // A FIFO or device would block or never end: only regular files are read.
    let meta =
        std::fs::metadata(path).map_err(|e| input(format!("cannot read {what} {path}: {e}")))?;
    if !meta.is_file() {
        return Err(input(format!("{what} {path} is not a regular file")));
    }
    read_limited(path, limit, what)
}

/// `provenant audit ingest`.
pub fn ingest(a: &IngestArgs) -> Result<u8, CliError> {
    if Path::new(&a.out).exists() {
        return Err(input(format!("{} exists; give a new file", a.out)));
    }
    let signers = a
        .allowed_signers
        .as_ref()
        .map(|f| std::fs::canonicalize(f).map_err(|e| input(format!("--allowed-signers {f}: {e}"))))
        .transpose()?;
    let repo = Path::new(&a.git);
    let logged =
        provenant_collect::git_log::log(repo, &a.range, signers.as_deref(), DEFAULT_GIT_TIMEOUT)
            .map_err(|e| input(format!("--git {}: {e}", a.git)))?;
    let commits = super::audit_git::records(logged);
    let gate_limit = provenant_formats::gate::MAX_GATE_REPORT_BYTES;
    let mut inputs = Vec::new();
    let mut ci = Vec::new();
    for f in &a.ci_run {
        let bytes = read_file(f, gate_limit, "CI run file")?;
        match provenant_formats::gate::parse_gate(&bytes) {
            Ok(reports) if reports.iter().all(|r| r.kind == GateKind::CiRun) => {}
            Ok(_) => return Err(input(format!("{f} is not CI run metadata"))),
            Err(e) => return Err(input(format!("{f}: {e}"))),
        }
        inputs.push(sha256_hex(&bytes));
        ci.push((f, bytes));
    }
    let mut reviews = Vec::new();
    for f in &a.review {
        let bytes = read_file(f, gate_limit, "review file")?;
        provenant_formats::gate::review::parse_review(&bytes)
            .map_err(|e| input(format!("{f}: {e}")))?;
        inputs.push(sha256_hex(&bytes));
        reviews.push((f, bytes));
    }
    let mut locks = Vec::new();
    for f in &a.lockfile {
        let bytes = read_file(
            f,
            provenant_formats::lockfile::MAX_LOCKFILE_BYTES,
            "lockfile",
        )?;
        inputs.push(sha256_hex(&bytes));
        locks.push((f, bytes));
    }
    let repository = std::fs::canonicalize(repo)
        .map_or_else(|_| a.git.clone(), |p| p.to_string_lossy().into_owned());
    let log_json = provenant_audit::commits_json(&commits);
    let audit = sha256_hex(
        format!(
            "ingest\n{repository}\n{}\n{}\n{}",
            a.range,
            sha256_hex(&log_json),
            inputs.join(",")
        )
        .as_bytes(),
    );
    let mut rows = Rows::default();
    let columns = provenant_audit::table("audit").map_or(0, |t| t.columns.len());
    let mut row = vec![Val::Null; columns];
    for (i, v) in sql_row![
        audit.as_str(),
        "ingest",
        SCHEMA_VERSION,
        env!("CARGO_PKG_VERSION")
    ]
    .into_iter()
    .enumerate()
    {
        if let Some(slot) = row.get_mut(i) {
            *slot = v;
        }
    }
    let db = |e: provenant_audit::DbError| input(format!("{}: {e}", a.out));
    rows.push("audit", row).map_err(db)?;
    commit_rows(&mut rows, &audit, "", &repository, &commits).map_err(db)?;
    for (f, bytes) in &reviews {
        review_rows(
            &mut rows,
            &audit,
            "",
            &[(f.as_str(), Some(bytes.as_slice()))],
        )
        .map_err(db)?;
    }
    let (mut runs, mut jobs) = (0, 0);
    for (f, bytes) in &ci {
        ci_rows(&mut rows, &audit, "", f, bytes, (&mut runs, &mut jobs)).map_err(db)?;
    }
    let mut seq = 0;
    for (f, bytes) in &locks {
        lockfile_rows(&mut rows, &audit, "", f, Ok(bytes), &mut seq).map_err(db)?;
    }
    write_sqlite(Path::new(&a.out), &rows).map_err(db)?;
    emit(
        format!(
            "{} commit(s), {} review row(s), {} CI run(s), {} CI job(s), {} dependency row(s) written to {}\n",
            commits.len(),
            rows.of("reviews").len(),
            runs,
            jobs,
            rows.of("dependencies").len(),
            a.out
        )
        .as_bytes(),
    );
    Ok(0)
}

fn input(e: impl std::fmt::Display) -> CliError {
    CliError::Input(e.to_string())
}

/// `provenant audit query`.
pub fn query(a: &QueryArgs) -> Result<u8, CliError> {
    let db = database_of(Path::new(&a.dir)).map_err(|e| input(format!("{}: {e}", a.dir)))?;
    let answer = run_query(&db, &a.sql, QUERY_TIME_LIMIT).map_err(input)?;
    let out = match a.format {
        QueryFormat::Table => table(&answer),
        QueryFormat::Csv => csv(&answer),
        QueryFormat::Json => {
            let mut s = serde_json::to_string_pretty(&json!({
                "columns": answer.columns,
                "rows": answer.rows,
            }))
            .map_err(input)?;
            s.push('\n');
            s
        }
    };
    emit(out.as_bytes());
    Ok(0)
}

fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn csv(a: &Answer) -> String {
    let mut s = String::new();
    let line = |cells: Vec<String>| -> String {
        cells
            .iter()
            .map(|c| super::audit::csv_field(c))
            .collect::<Vec<_>>()
            .join(",")
    };
    let _ = writeln!(s, "{}", line(a.columns.clone()));
    for r in &a.rows {
        let _ = writeln!(s, "{}", line(r.iter().map(plain).collect()));
    }
    s
}

fn table(a: &Answer) -> String {
    let clean = |t: &str| provenant_report::sanitize::terminal_line(t);
    let header: Vec<String> = a.columns.iter().map(|c| clean(c)).collect();
    let rows: Vec<Vec<String>> = a
        .rows
        .iter()
        .map(|r| r.iter().map(|v| clean(&plain(v))).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let fmt = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        parts.join("  ").trim_end().to_owned()
    };
    let mut s = String::new();
    let _ = writeln!(s, "{}", fmt(&header));
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    let _ = writeln!(s, "{}", fmt(&rule));
    for r in &rows {
        let _ = writeln!(s, "{}", fmt(r));
    }
    let _ = writeln!(
        s,
        "({} row{})",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    s
}
