//! `provenant audit query`: read-only SQL over a pack's `results.db`, printed as a table, CSV
//! or JSON. The query limits and the read-only opening live in [`provenant_audit::query`].

use std::fmt::Write as _;
use std::path::Path;

use clap::{Args, ValueEnum};
use serde_json::{json, Value};

use provenant_audit::{database_of, query as run_query, Answer, QUERY_TIME_LIMIT};

use super::common::{emit, CliError};

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
