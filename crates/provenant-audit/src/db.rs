//! `results.db`: the pack's results as SQL tables (SQLite), with a versioned schema defined here
//! once. The schema ([`TABLES`]) drives the DDL, the inserts (values are bound, never formatted
//! into SQL), the read-back that `audit replay` compares, and `docs/audit-schema.md`.
//!
//! The database is a function of the pack: [`crate::pack_rows`] derives every row from
//! `pack.json`, the reports and the evidence copies, in a fixed order, so the same pack inputs
//! always give the same rows and the same file (a merged sharded run equals the unsharded one).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OpenFlags};

/// The version of the `results.db` schema, in `PRAGMA user_version` and `audit.schema_version`.
pub const SCHEMA_VERSION: u32 = 1;
/// The database's file name in a pack.
pub const RESULTS_DB: &str = "results.db";

/// One column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Its name.
    pub name: &'static str,
    /// `TEXT`, `INTEGER` or `REAL`, with `NOT NULL` where a value is always there.
    pub ty: &'static str,
    /// What it holds.
    pub doc: &'static str,
}

/// One table.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// Its name.
    pub name: &'static str,
    /// What one row is.
    pub doc: &'static str,
    /// Its columns, in order.
    pub columns: &'static [Column],
    /// Table constraints (primary key, foreign keys).
    pub constraints: &'static [&'static str],
    /// Indexes: (name, column list).
    pub indexes: &'static [(&'static str, &'static str)],
}

const fn c(name: &'static str, ty: &'static str, doc: &'static str) -> Column {
    Column { name, ty, doc }
}

const AUDIT_ID: Column = c("audit_id", "TEXT NOT NULL", "The audit (`audit.audit_id`).");
const RELEASE_ID: Column = c("release_id", "TEXT NOT NULL", "The release id.");
const RELEASE_OR_NONE: Column = c(
    "release_id",
    "TEXT NOT NULL",
    "The sampled release whose range or evidence it came from; `''` in a database written by `audit ingest`.",
);
const SEQ: Column = c(
    "seq",
    "INTEGER NOT NULL",
    "Position among the release's rows of this table (0-based).",
);
const FK_RELEASE: &str =
    "FOREIGN KEY (audit_id, release_id) REFERENCES releases (audit_id, release_id)";
const FK_AUDIT: &str = "FOREIGN KEY (audit_id) REFERENCES audit (audit_id)";

/// Every table of `results.db`, in creation (and insertion) order.
pub const TABLES: &[Table] = &[
    Table {
        name: "audit",
        doc: "One row: the audit's parameters and conclusion (`kind` = `audit` for a pack, `ingest` for `audit ingest`).",
        columns: &[
            c("audit_id", "TEXT NOT NULL", "SHA-256 over the population hash and the parameters (equal in every part of a sharded run)."),
            c("kind", "TEXT NOT NULL", "`audit` or `ingest`."),
            c("schema_version", "INTEGER NOT NULL", "This schema's version."),
            c("tool_version", "TEXT NOT NULL", "The provenant version that wrote the pack."),
            c("population_path", "TEXT", "The population file as given."),
            c("population_sha256", "TEXT", "SHA-256 of the population file."),
            c("population_rows", "INTEGER", "Releases in the population."),
            c("seed", "TEXT", "The selection seed."),
            c("method", "TEXT", "`random`, `systematic`, `stratified` or `pps`."),
            c("stratify_by", "TEXT", "The stratification column."),
            c("weight_by", "TEXT", "The weight column."),
            c("sample_size", "INTEGER", "Items in the whole sample."),
            c("confidence", "TEXT", "Confidence C, as given."),
            c("tolerable_rate", "TEXT", "Tolerable rate T, as given."),
            c("expected_rate", "TEXT", "Expected rate E, as given."),
            c("policy", "TEXT", "`--policy`, as given."),
            c("policy_sha256", "TEXT", "SHA-256 of the policy file."),
            c("trusted_root", "TEXT", "`--trusted-root`, as given."),
            c("trusted_root_sha256", "TEXT", "SHA-256 of the trusted root file."),
            c("effective_time", "TEXT", "The instant every release was judged as of (RFC 3339)."),
            c("shard_index", "INTEGER", "0-based part of a sharded run (null for a whole pack)."),
            c("shard_total", "INTEGER", "Parts of a sharded run (null for a whole pack)."),
            c("tested", "INTEGER", "Releases tested in this pack."),
            c("deviations", "INTEGER", "Deviations among them (failed or not tested)."),
            c("not_tested", "INTEGER", "Releases that could not be tested."),
            c("upper_deviation_limit_pct", "REAL", "Upper deviation limit in percent, at the confidence."),
            c("conclusion", "TEXT", "`effective`, `not-effective`, or null (no tolerable rate, or a part)."),
            c("unreachable", "INTEGER", "1 when an evidence source could not be reached."),
        ],
        constraints: &["PRIMARY KEY (audit_id)"],
        indexes: &[],
    },
    Table {
        name: "releases",
        doc: "Every release of the population, sampled or not.",
        columns: &[
            AUDIT_ID,
            RELEASE_ID,
            c("line", "INTEGER NOT NULL", "The population file line."),
            c("repository", "TEXT", "The population's `repository`."),
            c("commit_sha", "TEXT", "The population's `commit` (the expected source commit)."),
            c("released_at", "TEXT", "The population's `released_at` (RFC 3339)."),
            c("owner", "TEXT", "The population's `owner`."),
            c("sampled", "INTEGER NOT NULL", "1 when the release is in the sample."),
            c("sample_order", "INTEGER", "1-based position in the selection order (sampled only)."),
            c("tested", "INTEGER NOT NULL", "1 when this pack tested it (a part pack tests only its share)."),
            c("verdict", "TEXT", "`pass`, `fail` or `not-tested` (null when this pack did not test it)."),
            c("cause", "TEXT", "Why it is a deviation."),
            c("subject_sha256", "TEXT", "The SHA-256 of the subject as verified (hex)."),
            c("report_path", "TEXT", "`reports/<id>.json`, when the engine ran."),
            c("unreachable", "INTEGER NOT NULL", "1 when an evidence source could not be reached."),
        ],
        constraints: &["PRIMARY KEY (audit_id, release_id)", FK_AUDIT],
        indexes: &[
            ("releases_verdict", "audit_id, verdict"),
            ("releases_commit", "repository, commit_sha"),
        ],
    },
    Table {
        name: "checks",
        doc: "Every check of every tested release's report.",
        columns: &[
            AUDIT_ID,
            RELEASE_ID,
            SEQ,
            c("code", "TEXT NOT NULL", "The check code (docs/checks.md)."),
            c("outcome", "TEXT NOT NULL", "`pass`, `fail`, `warn` or `not-applicable`."),
            c("reason", "TEXT NOT NULL", "Why, in one line."),
        ],
        constraints: &["PRIMARY KEY (audit_id, release_id, seq)", FK_RELEASE],
        indexes: &[("checks_code", "code, outcome")],
    },
    Table {
        name: "evidence",
        doc: "Every file read to test a release (evidence, policy, trust material).",
        columns: &[
            AUDIT_ID,
            RELEASE_ID,
            SEQ,
            c("kind", "TEXT NOT NULL", "Its role: `bundle`, `attestations`, `provenance`, `sbom`, `sarif`, `sca`, `dast`, `ci-run`, `review`, `policy`, `trusted-root`, `key`."),
            c("source", "TEXT NOT NULL", "Its path as the population, flags or policy name it."),
            c("sha256", "TEXT", "SHA-256 of its bytes (null when it could not be read)."),
            c("path_in_pack", "TEXT", "`evidence/<sha256>`, the copy in the pack."),
            c("error", "TEXT", "Why it could not be read."),
        ],
        constraints: &["PRIMARY KEY (audit_id, release_id, seq)", FK_RELEASE],
        indexes: &[("evidence_sha256", "sha256")],
    },
    Table {
        name: "deviations",
        doc: "Every tested release that is a deviation.",
        columns: &[
            AUDIT_ID,
            RELEASE_ID,
            c("kind", "TEXT NOT NULL", "`fail` or `not-tested`."),
            c("cause", "TEXT NOT NULL", "Why it is a deviation."),
            c("failed_checks", "TEXT NOT NULL", "The failed check codes, comma-separated."),
        ],
        constraints: &["PRIMARY KEY (audit_id, release_id)", FK_RELEASE],
        indexes: &[],
    },
    Table {
        name: "gates",
        doc: "Every security-gate run a report examined (its gate table).",
        columns: &[
            AUDIT_ID,
            RELEASE_ID,
            SEQ,
            c("kind", "TEXT NOT NULL", "`sast`, `sca`, `dast` or `ci-run`."),
            c("tool", "TEXT NOT NULL", "The tool, as it names itself."),
            c("tool_version", "TEXT", "Its version, when recorded."),
            c("scanned", "TEXT NOT NULL", "What it scanned, as the report shows it."),
            c("commit_sha", "TEXT", "The commit it scanned, when it scanned one."),
            c("bound", "INTEGER NOT NULL", "1 when bound to the shipped commit or digest."),
            c("binding", "TEXT NOT NULL", "How it is bound, or why not."),
            c("outcome", "TEXT NOT NULL", "`succeeded`, `failed` or `unknown`."),
            c("critical", "INTEGER NOT NULL", "Open critical findings."),
            c("high", "INTEGER NOT NULL", "Open high findings."),
            c("medium", "INTEGER NOT NULL", "Open medium findings."),
            c("low", "INTEGER NOT NULL", "Open low findings."),
            c("info", "INTEGER NOT NULL", "Open informational findings."),
            c("unknown_severity", "INTEGER NOT NULL", "Open findings of unknown severity."),
            c("waived", "TEXT NOT NULL", "Waived finding ids, comma-separated."),
            c("trust", "TEXT NOT NULL", "`signed-attestation`, `ci-api` or `plain-report`."),
            c("source", "TEXT NOT NULL", "The evidence it came from."),
        ],
        constraints: &["PRIMARY KEY (audit_id, release_id, seq)", FK_RELEASE],
        indexes: &[("gates_kind", "kind, outcome")],
    },
    Table {
        name: "signatures",
        doc: "Every signature a report examined, with its signer.",
        columns: &[
            AUDIT_ID,
            RELEASE_ID,
            SEQ,
            c("verified", "INTEGER NOT NULL", "1 only when every check on the signature passed."),
            c("signer_kind", "TEXT", "`certificate` (keyless), `key`, or null (no signer read)."),
            c("identity", "TEXT", "The certificate's subject alternative name, or the key's location."),
            c("issuer", "TEXT", "The OIDC issuer (keyless)."),
            c("build_signer_uri", "TEXT", "The workflow that signed (Fulcio Build Signer URI)."),
            c("source_repository_uri", "TEXT", "The source repository (Fulcio extension)."),
            c("source_ref", "TEXT", "The source ref (Fulcio extension)."),
            c("build_trigger", "TEXT", "The event that triggered the build (Fulcio extension)."),
            c("predicate_type", "TEXT", "The attestation's predicate type."),
            c("signing_time", "TEXT", "When it was signed (RFC 3339), when verified."),
            c("source", "TEXT NOT NULL", "Where the signature came from."),
        ],
        constraints: &["PRIMARY KEY (audit_id, release_id, seq)", FK_RELEASE],
        indexes: &[],
    },
    Table {
        name: "git_ranges",
        doc: "Each sampled release's range in its repository's clone (given to `audit run --git-dir`), read or not.",
        columns: &[
            AUDIT_ID,
            RELEASE_ID,
            c("repository", "TEXT NOT NULL", "The population's `repository`."),
            c("from_commit", "TEXT", "The previous release's commit (null: the first release, whole history)."),
            c("to_commit", "TEXT NOT NULL", "The release's commit."),
            c("commits", "INTEGER", "Commits in the range (null when it could not be read)."),
            c("status", "TEXT NOT NULL", "`ok` or `unreadable`."),
            c("detail", "TEXT", "Why it could not be read."),
        ],
        constraints: &["PRIMARY KEY (audit_id, release_id)", FK_RELEASE],
        indexes: &[],
    },
    Table {
        name: "commits",
        doc: "Commits of each sampled release's range (previous release's commit .. its commit), or of `audit ingest --range`.",
        columns: &[
            AUDIT_ID,
            RELEASE_OR_NONE,
            c("repository", "TEXT NOT NULL", "The repository (the population's `repository`, or the ingested path)."),
            c("sha", "TEXT NOT NULL", "The commit id."),
            c("author_name", "TEXT NOT NULL", "Author name."),
            c("author_email", "TEXT NOT NULL", "Author email."),
            c("author_time", "TEXT NOT NULL", "Author time (RFC 3339)."),
            c("committer_name", "TEXT NOT NULL", "Committer name."),
            c("committer_email", "TEXT NOT NULL", "Committer email."),
            c("committer_time", "TEXT NOT NULL", "Committer time (RFC 3339)."),
            c("parents", "TEXT NOT NULL", "Parent ids, space-separated, in order."),
            c("is_merge", "INTEGER NOT NULL", "1 when it has more than one parent."),
            c("signature", "TEXT NOT NULL", "`good`, `bad` or `unknown` (`unknown` unless allowed signers or keys were given)."),
            c("subject", "TEXT NOT NULL", "The first line of the message."),
        ],
        constraints: &["PRIMARY KEY (audit_id, release_id, repository, sha)", FK_AUDIT],
        indexes: &[("commits_sha", "sha")],
    },
    Table {
        name: "reviews",
        doc: "Pull/merge requests from review evidence: one row per approval (one row with a null approver when there is none).",
        columns: &[
            AUDIT_ID,
            RELEASE_OR_NONE,
            SEQ,
            c("repository", "TEXT", "The repository (from the change's URL)."),
            c("provider", "TEXT NOT NULL", "`github` or `gitlab`."),
            c("number", "INTEGER NOT NULL", "The pull/merge request number."),
            c("url", "TEXT", "Its web URL."),
            c("head_sha", "TEXT NOT NULL", "The head commit when reviewed."),
            c("author", "TEXT NOT NULL", "Who opened it."),
            c("approver", "TEXT", "Who approved (null: no approval)."),
            c("approver_kind", "TEXT", "`user`, `bot` or `unknown`."),
            c("approval_state", "TEXT", "The review's state (`approved`, ...)."),
            c("approved_at", "TEXT", "When the approval was submitted."),
            c("approval_commit", "TEXT", "The commit the approval was given on."),
            c("state", "TEXT NOT NULL", "The change's state (`closed`, `merged`, ...)."),
            c("base_ref", "TEXT", "The target branch."),
            c("merged", "INTEGER NOT NULL", "1 when merged."),
            c("merged_by", "TEXT", "Who merged it."),
            c("merged_at", "TEXT", "When it was merged."),
            c("merge_commit_sha", "TEXT", "The merge (or squash) commit."),
            c("source", "TEXT NOT NULL", "The review file(s) it came from."),
        ],
        constraints: &["PRIMARY KEY (audit_id, release_id, seq)", FK_AUDIT],
        indexes: &[("reviews_merge_commit", "merge_commit_sha")],
    },
    Table {
        name: "ci_runs",
        doc: "CI runs and pipelines from CI run evidence.",
        columns: &[
            AUDIT_ID,
            RELEASE_OR_NONE,
            SEQ,
            c("provider", "TEXT NOT NULL", "The format (`github-actions-run`, `gitlab-pipeline`)."),
            c("run_id", "TEXT", "The run or pipeline id."),
            c("workflow", "TEXT", "The workflow file or pipeline name."),
            c("head_sha", "TEXT", "The commit it built."),
            c("event", "TEXT", "What triggered it (`push`, `pull_request`, ...)."),
            c("actor", "TEXT", "Who triggered it."),
            c("conclusion", "TEXT", "`success`, `failure`, ... as the provider says; null while running."),
            c("started_at", "TEXT", "When it started."),
            c("completed_at", "TEXT", "When it finished."),
            c("source", "TEXT NOT NULL", "The evidence file."),
        ],
        constraints: &["PRIMARY KEY (audit_id, release_id, seq)", FK_AUDIT],
        indexes: &[("ci_runs_head", "head_sha")],
    },
    Table {
        name: "ci_jobs",
        doc: "CI jobs from CI run evidence.",
        columns: &[
            AUDIT_ID,
            RELEASE_OR_NONE,
            SEQ,
            c("provider", "TEXT NOT NULL", "The format (`github-actions-job`, `gitlab-job`)."),
            c("job_id", "TEXT", "The job id."),
            c("run_id", "TEXT", "The run or pipeline it belongs to."),
            c("name", "TEXT", "The job name."),
            c("head_sha", "TEXT", "The commit it built."),
            c("conclusion", "TEXT", "As the provider says; null while running."),
            c("started_at", "TEXT", "When it started."),
            c("completed_at", "TEXT", "When it finished."),
            c("source", "TEXT NOT NULL", "The evidence file."),
        ],
        constraints: &["PRIMARY KEY (audit_id, release_id, seq)", FK_AUDIT],
        indexes: &[],
    },
    Table {
        name: "dependencies",
        doc: "Dependencies of what shipped: the components of each SBOM bound to the artifact and the packages of the lockfiles at the shipped commit. A file that could not be read is a row with `status` saying so, never left out.",
        columns: &[
            AUDIT_ID,
            RELEASE_OR_NONE,
            SEQ,
            c("ecosystem", "TEXT", "`cargo`, `npm`, `pypi`, `golang`, ... (from the lockfile or the purl type)."),
            c("name", "TEXT", "Package name."),
            c("version", "TEXT", "Package version."),
            c("purl", "TEXT", "Package URL."),
            c("integrity", "TEXT", "Integrity hash as recorded (`sha256:...`, `sha512-...`)."),
            c("source_file", "TEXT NOT NULL", "The SBOM or lockfile it came from."),
            c("origin", "TEXT NOT NULL", "`sbom` or `lockfile`."),
            c("status", "TEXT NOT NULL", "`ok`; `unbound` for a component of an SBOM not valid and bound to the shipped artifact; or `unreadable` / `unknown-format` / `malformed` for a file whose packages could not be read (the other columns null)."),
            c("detail", "TEXT", "Why, when not `ok`."),
        ],
        constraints: &["PRIMARY KEY (audit_id, release_id, seq)", FK_AUDIT],
        indexes: &[("dependencies_name", "name, version")],
    },
];

/// The table named `name`.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// One SQL value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}
impl From<&String> for Val {
    fn from(s: &String) -> Self {
        Self::Text(s.clone())
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<u64> for Val {
    fn from(v: u64) -> Self {
        Self::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<usize> for Val {
    fn from(v: usize) -> Self {
        Self::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<u32> for Val {
    fn from(v: u32) -> Self {
        Self::Int(i64::from(v))
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Self::Int(i64::from(v))
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Self {
        Self::Real(v)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// A row, its values in column order.
#[macro_export]
#[doc(hidden)]
macro_rules! sql_row {
    ($($v:expr),* $(,)?) => { vec![$($crate::Val::from($v)),*] };
}

/// Why a results database cannot be written or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// SQLite said no.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// An I/O error.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A row that does not fit its table (a bug), or a table not in the schema.
    #[error("table {table}: {what}")]
    Shape {
        /// The table.
        table: String,
        /// What is wrong.
        what: String,
    },
    /// A database of another schema version, or whose schema is not this one.
    #[error("{0}")]
    Schema(String),
    /// The pack the rows would come from is not readable.
    #[error("{0}")]
    Pack(String),
}

/// The rows of every table, each table's in insertion order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    tables: BTreeMap<&'static str, Vec<Vec<Val>>>,
}

impl Rows {
    /// Add a row to `table` (its values in column order).
    pub fn push(&mut self, table: &str, row: Vec<Val>) -> Result<(), DbError> {
        let t = self::table(table).ok_or_else(|| DbError::Shape {
            table: table.to_owned(),
            what: "not in the schema".into(),
        })?;
        if row.len() != t.columns.len() {
            return Err(DbError::Shape {
                table: table.to_owned(),
                what: format!("{} values for {} columns", row.len(), t.columns.len()),
            });
        }
        self.tables.entry(t.name).or_default().push(row);
        Ok(())
    }

    /// The rows of `table`.
    pub fn of(&self, table: &str) -> &[Vec<Val>] {
        self.tables.get(table).map_or(&[], Vec::as_slice)
    }

    /// Rows in all.
    pub fn len(&self) -> usize {
        self.tables.values().map(Vec::len).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The DDL of the schema (tables, then indexes), for SQLite.
pub fn schema_sql() -> Vec<String> {
    let mut out = Vec::new();
    for t in TABLES {
        let mut s = format!("CREATE TABLE {} (\n", t.name);
        let mut parts: Vec<String> = t
            .columns
            .iter()
            .map(|c| format!("  {} {}", c.name, c.ty))
            .collect();
        parts.extend(t.constraints.iter().map(|k| format!("  {k}")));
        s.push_str(&parts.join(",\n"));
        s.push_str("\n)");
        out.push(s);
    }
    for t in TABLES {
        for (name, cols) in t.indexes {
            out.push(format!("CREATE INDEX {name} ON {} ({cols})", t.name));
        }
    }
    out
}

fn insert_sql(t: &Table) -> String {
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
    let params: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        t.name,
        cols.join(", "),
        params.join(", ")
    )
}

fn to_sql(v: &Val) -> SqlValue {
    match v {
        Val::Null => SqlValue::Null,
        Val::Int(i) => SqlValue::Integer(*i),
        Val::Real(r) => SqlValue::Real(*r),
        Val::Text(s) => SqlValue::Text(s.clone()),
    }
}

fn create(conn: &Connection) -> Result<(), DbError> {
    // Defaults pinned so the file does not depend on compile-time options.
    conn.execute_batch(
        "PRAGMA page_size = 4096; PRAGMA journal_mode = OFF; PRAGMA foreign_keys = ON;",
    )?;
    conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    for s in schema_sql() {
        conn.execute(&s, [])?;
    }
    Ok(())
}

/// Write `rows` into a new SQLite database at `path` (which must not exist).
pub fn write_sqlite(path: &Path, rows: &Rows) -> Result<(), DbError> {
    if path.exists() {
        return Err(DbError::Io(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} exists; give a new file", path.display()),
        )));
    }
    let mut conn = Connection::open(path)?;
    create(&conn)?;
    let tx = conn.transaction()?;
    for t in TABLES {
        let mut stmt = tx.prepare(&insert_sql(t))?;
        for row in rows.of(t.name) {
            stmt.execute(rusqlite::params_from_iter(row.iter().map(to_sql)))?;
        }
    }
    tx.commit()?;
    let bad: Option<String> = conn
        .query_row("PRAGMA foreign_key_check", [], |r| r.get::<_, String>(0))
        .ok();
    if let Some(table) = bad {
        return Err(DbError::Shape {
            table,
            what: "a row refers to a release or audit that is not there".into(),
        });
    }
    conn.close().map_err(|(_, e)| DbError::Sqlite(e))?;
    Ok(())
}

/// The bytes of a SQLite database holding `rows` (built in a temporary directory).
pub fn sqlite_bytes(rows: &Rows) -> Result<Vec<u8>, DbError> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join(RESULTS_DB);
    write_sqlite(&path, rows)?;
    Ok(std::fs::read(&path)?)
}

/// Open a results database read-only: SQLITE_OPEN_READ_ONLY, `PRAGMA query_only`, and the
/// schema version checked.
pub fn open_read_only(path: &Path) -> Result<Connection, DbError> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_file() {
        return Err(DbError::Schema(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.pragma_update(None, "query_only", true)?;
    // The file is untrusted: its views and triggers may not call functions with side effects.
    conn.pragma_update(None, "trusted_schema", false)?;
    // Attaching another file would let a query read (or, without query_only, write) outside
    // the pack; a results database never needs it.
    conn.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_ATTACHED, 0)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version != i64::from(SCHEMA_VERSION) {
        return Err(DbError::Schema(format!(
            "{}: schema version {version} (this provenant reads {SCHEMA_VERSION})",
            path.display()
        )));
    }
    Ok(conn)
}

fn from_sql(v: ValueRef<'_>) -> Result<Val, DbError> {
    Ok(match v {
        ValueRef::Null => Val::Null,
        ValueRef::Integer(i) => Val::Int(i),
        ValueRef::Real(r) => Val::Real(r),
        ValueRef::Text(t) => Val::Text(
            std::str::from_utf8(t)
                .map_err(|_| DbError::Schema("a text value is not UTF-8".into()))?
                .to_owned(),
        ),
        ValueRef::Blob(_) => {
            return Err(DbError::Schema("a blob value (the schema has none)".into()))
        }
    })
}

/// The schema objects of a database: (type, name, sql), by name.
fn objects(conn: &Connection) -> Result<Vec<(String, String, Option<String>)>, DbError> {
    let mut stmt = conn.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Read every row of a results database (read-only), checking that its schema is exactly this
/// one (no table, view, index or trigger added, removed or changed).
pub fn read_sqlite(path: &Path) -> Result<Rows, DbError> {
    let conn = open_read_only(path)?;
    let fresh = Connection::open_in_memory()?;
    create(&fresh)?;
    if objects(&conn)? != objects(&fresh)? {
        return Err(DbError::Schema(format!(
            "{}: its tables, indexes, views or triggers are not the schema's",
            path.display()
        )));
    }
    let mut rows = Rows::default();
    for t in TABLES {
        let cols: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM {} ORDER BY rowid",
            cols.join(", "),
            t.name
        ))?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            let mut row = Vec::with_capacity(cols.len());
            for i in 0..cols.len() {
                row.push(from_sql(r.get_ref(i)?)?);
            }
            rows.push(t.name, row)?;
        }
    }
    Ok(rows)
}

/// `docs/audit-schema.md`, from [`TABLES`].
pub fn schema_markdown() -> String {
    let mut s = String::from(
        "# results.db schema\n\n\
         Generated from `crates/provenant-audit/src/db.rs` (`UPDATE_DOCS=1 cargo test --test it docs`); do not edit.\n\n",
    );
    let _ = writeln!(
        s,
        "Schema version **{SCHEMA_VERSION}** (`PRAGMA user_version` and `audit.schema_version`). \
         Every evidence pack holds `results.db` (SQLite), listed in `MANIFEST.sha256` and re-derived \
         from the pack by `audit replay`; `audit query DIR \"SQL\"` runs read-only SQL over it, and \
         `audit ingest` writes the same tables without a sample.\n"
    );
    for t in TABLES {
        let _ = writeln!(s, "## `{}`\n\n{}\n", t.name, t.doc);
        s.push_str("| column | type | meaning |\n|---|---|---|\n");
        for c in t.columns {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} |",
                c.name,
                c.ty,
                c.doc.replace('|', "\\|")
            );
        }
        s.push('\n');
        for k in t.constraints {
            let _ = writeln!(s, "- `{k}`");
        }
        for (name, cols) in t.indexes {
            let _ = writeln!(s, "- index `{name}` on ({cols})");
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_a_key_and_unique_columns() {
        for t in TABLES {
            assert!(
                t.constraints.iter().any(|k| k.starts_with("PRIMARY KEY")),
                "{}",
                t.name
            );
            let mut names: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), t.columns.len(), "{}", t.name);
        }
    }

    #[test]
    fn a_row_of_the_wrong_width_is_refused() {
        let mut rows = Rows::default();
        assert!(rows.push("audit", sql_row!["x"]).is_err());
        assert!(rows.push("no_such_table", sql_row!["x"]).is_err());
    }

    #[test]
    fn written_rows_read_back_equal_and_the_bytes_are_deterministic() {
        let mut rows = Rows::default();
        let mut audit: Vec<Val> = vec![Val::Null; table("audit").map_or(0, |t| t.columns.len())];
        audit[0] = "a1".into();
        audit[1] = "ingest".into();
        audit[2] = SCHEMA_VERSION.into();
        audit[3] = "0.1.0".into();
        rows.push("audit", audit).unwrap();
        let a = sqlite_bytes(&rows).unwrap();
        let b = sqlite_bytes(&rows).unwrap();
        assert_eq!(a, b);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.db");
        std::fs::write(&p, &a).unwrap();
        assert_eq!(read_sqlite(&p).unwrap(), rows);
    }

    #[test]
    fn a_database_with_an_added_view_is_not_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.db");
        write_sqlite(&p, &Rows::default()).unwrap();
        let conn = Connection::open(&p).unwrap();
        conn.execute("CREATE VIEW v AS SELECT 1", []).unwrap();
        drop(conn);
        assert!(matches!(read_sqlite(&p), Err(DbError::Schema(_))));
    }
}
