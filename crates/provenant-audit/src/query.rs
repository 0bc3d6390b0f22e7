//! `audit query`: one read-only SQL statement over a `results.db`, bounded in time and output.
//!
//! The database is opened with `SQLITE_OPEN_READ_ONLY` and `PRAGMA query_only = ON`, ATTACH is
//! disabled, the statement must be exactly one statement that SQLite itself says is read-only
//! (`sqlite3_stmt_readonly`), and a progress handler stops it at [`QUERY_TIME_LIMIT`]. More
//! than [`MAX_QUERY_ROWS`] rows or [`MAX_QUERY_BYTES`] of values is an error, never a silently
//! cut answer.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::types::ValueRef;
use serde_json::Value;

use crate::db::{open_read_only, DbError, RESULTS_DB};
use crate::pack::MANIFEST;
use crate::release::sha256_hex;

/// Longest a query may run.
pub const QUERY_TIME_LIMIT: Duration = Duration::from_secs(30);
/// Most rows a query may return.
pub const MAX_QUERY_ROWS: usize = 100_000;
/// Most bytes of values a query may return.
pub const MAX_QUERY_BYTES: usize = 64 * 1024 * 1024;
/// Longest SQL text accepted.
pub const MAX_SQL_BYTES: usize = 64 * 1024;

/// Why a query was refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The database could not be opened, or is not a results database.
    #[error("{0}")]
    Db(#[from] DbError),
    /// The pack's `results.db` does not match its manifest.
    #[error("{0} does not match the pack's manifest; run `provenant audit replay` on the pack")]
    Tampered(PathBuf),
    /// The pack's manifest lists no results.db (a pack of an older provenant).
    #[error("{0}: the pack lists no results.db (written by an older provenant?)")]
    NoDatabase(PathBuf),
    /// The SQL is not one read-only statement, or SQLite rejected it.
    #[error("{0}")]
    Sql(String),
    /// The query ran past the time limit.
    #[error("the query ran longer than {}s and was stopped; narrow it", .0.as_secs())]
    Timeout(Duration),
    /// The answer is larger than the limits.
    #[error("the answer has more than {0}; add a LIMIT or narrow the query")]
    TooLarge(String),
}

/// A query's answer: column names and rows of JSON values (a blob as `x'hex'` text).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Column names, in order (names may repeat).
    pub columns: Vec<String>,
    /// Rows, each with one value per column.
    pub rows: Vec<Vec<Value>>,
}

/// The database a query reads: `DIR/results.db` of a pack (checked against the pack's
/// manifest), or a database file itself (as `audit ingest` writes).
pub fn database_of(target: &Path) -> Result<PathBuf, QueryError> {
    let meta = std::fs::symlink_metadata(target).map_err(DbError::Io)?;
    if !meta.is_dir() {
        return Ok(target.to_path_buf());
    }
    let db = target.join(RESULTS_DB);
    let mpath = target.join(MANIFEST);
    let mmeta = std::fs::symlink_metadata(&mpath).map_err(DbError::Io)?;
    if !mmeta.is_file() || mmeta.len() > crate::pack::MAX_PACK_FILE_BYTES {
        return Err(QueryError::Tampered(db));
    }
    let manifest = std::fs::read_to_string(&mpath).map_err(DbError::Io)?;
    let listed = manifest
        .lines()
        .find_map(|l| l.split_once("  ").filter(|(_, p)| *p == RESULTS_DB))
        .map(|(sha, _)| sha.to_ascii_lowercase())
        .ok_or_else(|| QueryError::NoDatabase(target.to_path_buf()))?;
    let meta = std::fs::symlink_metadata(&db).map_err(DbError::Io)?;
    if !meta.is_file() || meta.len() > crate::pack::MAX_PACK_FILE_BYTES {
        return Err(QueryError::Tampered(db));
    }
    let bytes = std::fs::read(&db).map_err(DbError::Io)?;
    if sha256_hex(&bytes) != listed {
        return Err(QueryError::Tampered(db));
    }
    Ok(db)
}

fn cell(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(r) => serde_json::Number::from_f64(r)
            .map_or_else(|| Value::String(r.to_string()), Value::Number),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::String(format!("x'{}'", hex::encode(b))),
    }
}

fn size_of(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len(),
        _ => 8,
    }
}

/// Run one read-only statement `sql` over the database at `db`, within `time_limit`.
pub fn query(db: &Path, sql: &str, time_limit: Duration) -> Result<Answer, QueryError> {
    if sql.len() > MAX_SQL_BYTES {
        return Err(QueryError::Sql(format!(
            "the SQL is longer than {MAX_SQL_BYTES} bytes"
        )));
    }
    let conn = open_read_only(db)?;
    // No single value larger than the whole answer may be: `randomblob(1e9)` is an error, not
    // a gigabyte.
    conn.set_limit(
        rusqlite::limits::Limit::SQLITE_LIMIT_LENGTH,
        i32::try_from(MAX_QUERY_BYTES).unwrap_or(i32::MAX),
    )
    .map_err(|e| QueryError::Sql(e.to_string()))?;
    let started = Instant::now();
    conn.progress_handler(1_000, Some(move || started.elapsed() > time_limit))
        .map_err(|e| QueryError::Sql(e.to_string()))?;
    let sql_err = |e: rusqlite::Error| match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::OperationInterrupted =>
        {
            QueryError::Timeout(time_limit)
        }
        rusqlite::Error::MultipleStatement => {
            QueryError::Sql("give one SQL statement (found more than one)".into())
        }
        e => QueryError::Sql(e.to_string()),
    };
    let mut stmt = conn.prepare(sql).map_err(sql_err)?;
    if !stmt.readonly() {
        return Err(QueryError::Sql(
            "only read-only statements are allowed (SELECT, WITH ... SELECT, read-only PRAGMA); the results database is never changed".into(),
        ));
    }
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    if columns.is_empty() {
        return Err(QueryError::Sql("the statement returns no columns".into()));
    }
    let mut rows = Vec::new();
    let mut bytes = 0usize;
    let mut q = stmt.query([]).map_err(sql_err)?;
    while let Some(r) = q.next().map_err(sql_err)? {
        if rows.len() == MAX_QUERY_ROWS {
            return Err(QueryError::TooLarge(format!("{MAX_QUERY_ROWS} rows")));
        }
        let mut row = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            let v = cell(r.get_ref(i).map_err(sql_err)?);
            bytes = bytes.saturating_add(size_of(&v));
            if bytes > MAX_QUERY_BYTES {
                return Err(QueryError::TooLarge(format!("{MAX_QUERY_BYTES} bytes")));
            }
            row.push(v);
        }
        rows.push(row);
    }
    Ok(Answer { columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{write_sqlite, Rows};

    fn db() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.db");
        write_sqlite(&p, &Rows::default()).unwrap();
        (dir, p)
    }

    #[test]
    fn a_select_answers() {
        let (_d, p) = db();
        let a = query(
            &p,
            "SELECT 1 AS one, 'x' AS two, NULL, x'00ff'",
            QUERY_TIME_LIMIT,
        )
        .unwrap();
        assert_eq!(a.columns, ["one", "two", "NULL", "x'00ff'"]);
        assert_eq!(
            a.rows,
            vec![vec![
                Value::from(1),
                Value::from("x"),
                Value::Null,
                Value::from("x'00ff'")
            ]]
        );
    }

    #[test]
    fn writes_and_two_statements_are_refused() {
        let (_d, p) = db();
        for sql in [
            "DELETE FROM audit",
            "INSERT INTO audit (audit_id) VALUES ('x')",
            "DROP TABLE audit",
            "CREATE TABLE t (a)",
            "PRAGMA user_version = 7",
            "ATTACH DATABASE ':memory:' AS other",
            "SELECT 1; DELETE FROM audit",
            "SELECT 1; SELECT 2",
            "VACUUM INTO '/tmp/provenant-never'",
        ] {
            assert!(
                matches!(query(&p, sql, QUERY_TIME_LIMIT), Err(QueryError::Sql(_))),
                "{sql}"
            );
        }
        assert!(!Path::new("/tmp/provenant-never").exists());
    }

    #[test]
    fn a_runaway_query_is_stopped() {
        let (_d, p) = db();
        let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n";
        assert!(matches!(
            query(&p, sql, Duration::from_millis(200)),
            Err(QueryError::Timeout(_))
        ));
    }

    #[test]
    fn a_huge_value_is_an_error_not_an_allocation() {
        let (_d, p) = db();
        for sql in [
            "SELECT randomblob(1000000000)",
            "SELECT zeroblob(1000000000)",
            "SELECT printf('%.*c', 1000000000, 'x')",
        ] {
            assert!(
                matches!(query(&p, sql, QUERY_TIME_LIMIT), Err(QueryError::Sql(_))),
                "{sql}"
            );
        }
    }

    #[test]
    fn too_many_rows_is_an_error_not_a_cut() {
        let (_d, p) = db();
        let sql = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT {}) SELECT i FROM n",
            MAX_QUERY_ROWS + 1
        );
        assert!(matches!(
            query(&p, &sql, QUERY_TIME_LIMIT),
            Err(QueryError::TooLarge(_))
        ));
    }
}
