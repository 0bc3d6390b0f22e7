//! `--store postgres://USER@HOST:PORT/DB`: the rows of `results.db` written to a shared
//! PostgreSQL, same schema, so a team queries many audits (and the parts of sharded runs) in one
//! place.
//!
//! Idempotent and concurrent: each release is one transaction that upserts its `releases` row
//! on (audit_id, release_id) and replaces its rows in every other table, so a re-run part writes
//! the same rows again and parts of one audit write at once. A part writes population rows it
//! did not test only if no row is there (never over a tested one), and the `audit` row's outcome
//! only from a whole run or a merge. Values are bound parameters; the password (from the URL,
//! `PGPASSWORD` or `.pgpass`, given by the caller) never appears in a message.

use std::time::Duration;

use postgres::types::ToSql;
use postgres::{Client, Config, NoTls};

use crate::db::{Rows, Table, Val, TABLES};

/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why rows could not be stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The URL is not a PostgreSQL connection URL provenant accepts.
    #[error("--store {url}: {why}")]
    BadUrl {
        /// The URL, password removed.
        url: String,
        /// Why.
        why: String,
    },
    /// The server could not be reached or refused the connection.
    #[error("--store {url}: cannot connect: {why}")]
    Unreachable {
        /// The URL, password removed.
        url: String,
        /// Why.
        why: String,
    },
    /// A statement failed.
    #[error("--store {url}: {why}")]
    Write {
        /// The URL, password removed.
        url: String,
        /// Why.
        why: String,
    },
}

impl StoreError {
    /// Whether the server could not be reached (exit 3).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }
}

/// The URL with any password replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (auth, host) = match rest.rfind('@') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => return url.to_owned(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***{host}"),
        None => url.to_owned(),
    }
}

/// A PostgreSQL target: the parsed URL and where its password came from.
#[derive(Clone)]
pub struct Target {
    config: Config,
    shown: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// `.pgpass` lines (`host:port:database:user:password`, `*` matches anything, `\:` and `\\`
/// escaped): the password of the first line that matches.
pub fn pgpass_password(text: &str, host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    }
                }
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        fields.push(cur);
        let [h, p, d, u, pw] = fields.as_slice() else {
            continue;
        };
        let port = port.to_string();
        let m = |pat: &str, v: &str| pat == "*" || pat == v;
        if m(h, host) && m(p, &port) && m(d, db) && m(u, user) {
            return Some(pw.clone());
        }
    }
    None
}

/// Parse `url` (`postgres://USER[:PASSWORD]@HOST:PORT/DB`); without a password in it, use
/// `env_password` (PGPASSWORD), else the matching line of `pgpass` (the .pgpass file's text).
pub fn target(
    url: &str,
    env_password: Option<&str>,
    pgpass: Option<&str>,
) -> Result<Target, StoreError> {
    let shown = redact(url);
    let bad = |why: String| StoreError::BadUrl {
        url: shown.clone(),
        why,
    };
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(bad("give postgres://USER@HOST:PORT/DB".into()));
    }
    let mut config: Config = url
        .parse()
        .map_err(|e: postgres::Error| bad(redact(&e.to_string())))?;
    let user = config
        .get_user()
        .ok_or_else(|| bad("no user (postgres://USER@HOST:PORT/DB)".into()))?
        .to_owned();
    let db = config.get_dbname().unwrap_or(user.as_str()).to_owned();
    if config.get_hosts().len() != 1 {
        return Err(bad("give exactly one host".into()));
    }
    if config.get_password().is_none() {
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "localhost".to_owned(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let pw = env_password
            .map(str::to_owned)
            .or_else(|| pgpass.and_then(|t| pgpass_password(t, &host, port, &db, &user)));
        if let Some(pw) = pw {
            config.password(pw);
        }
    }
    config.connect_timeout(CONNECT_TIMEOUT);
    Ok(Target { config, shown })
}

fn pg_type(ty: &str) -> String {
    ty.replacen("INTEGER", "BIGINT", 1)
        .replacen("REAL", "DOUBLE PRECISION", 1)
}

fn ddl(t: &Table) -> Vec<String> {
    let mut parts: Vec<String> = t
        .columns
        .iter()
        .map(|c| format!("  {} {}", c.name, pg_type(c.ty)))
        .collect();
    parts.extend(t.constraints.iter().map(|k| format!("  {k}")));
    let mut out = vec![format!(
        "CREATE TABLE IF NOT EXISTS {} (\n{}\n)",
        t.name,
        parts.join(",\n")
    )];
    for (name, cols) in t.indexes {
        out.push(format!(
            "CREATE INDEX IF NOT EXISTS {name} ON {} ({cols})",
            t.name
        ));
    }
    out
}

fn param(v: &Val, ty: &str) -> Box<dyn ToSql + Sync> {
    match v {
        Val::Int(i) => Box::new(*i),
        Val::Real(r) => Box::new(*r),
        Val::Text(s) => Box::new(s.clone()),
        Val::Null if ty.starts_with("INTEGER") => Box::new(None::<i64>),
        Val::Null if ty.starts_with("REAL") => Box::new(None::<f64>),
        Val::Null => Box::new(None::<String>),
    }
}

/// What to do when a row's key is already there.
#[derive(Clone, Copy)]
enum OnConflict {
    Nothing,
    Update,
    /// Plain insert (the rows were deleted first).
    None,
}

fn insert(
    tx: &mut postgres::Transaction<'_>,
    t: &Table,
    row: &[Val],
    on: OnConflict,
) -> Result<(), postgres::Error> {
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
    let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    let key = t
        .constraints
        .iter()
        .find_map(|k| k.strip_prefix("PRIMARY KEY "))
        .unwrap_or("");
    let tail = match on {
        OnConflict::None => String::new(),
        OnConflict::Nothing => format!(" ON CONFLICT {key} DO NOTHING"),
        OnConflict::Update => format!(
            " ON CONFLICT {key} DO UPDATE SET {}",
            cols.iter()
                .map(|c| format!("{c} = EXCLUDED.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}){tail}",
        t.name,
        cols.join(", "),
        params.join(", ")
    );
    let values: Vec<Box<dyn ToSql + Sync>> = row
        .iter()
        .zip(t.columns)
        .map(|(v, c)| param(v, c.ty))
        .collect();
    let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(AsRef::as_ref).collect();
    tx.execute(sql.as_str(), &refs)?;
    Ok(())
}

/// A number written to PostgreSQL: releases written, and population rows only placed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stored {
    /// Releases tested by this pack, written in full.
    pub releases: usize,
}

fn text(v: Option<&Val>) -> Option<&str> {
    match v {
        Some(Val::Text(s)) => Some(s),
        _ => None,
    }
}

/// Write `rows` (a pack's; `part` when it is one part of a sharded run) to `target`.
pub fn store(target: &Target, rows: &Rows, part: bool) -> Result<Stored, StoreError> {
    let url = target.shown.clone();
    let write = |e: postgres::Error| StoreError::Write {
        url: url.clone(),
        why: redact(&pg_error(&e)),
    };
    let mut client: Client = connect(target)?;
    // The schema, once, under a lock: concurrent parts would race CREATE TABLE IF NOT EXISTS.
    let mut tx = client.transaction().map_err(write)?;
    tx.execute("SELECT pg_advisory_xact_lock(7203901151)", &[])
        .map_err(write)?;
    for t in TABLES {
        if let Some(create) = ddl(t).first() {
            tx.batch_execute(create).map_err(write)?;
        }
    }
    // Tables made by another schema version (or by hand) are refused, not written into.
    for t in TABLES {
        let found: Vec<String> = tx
            .query(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                &[&t.name],
            )
            .map_err(write)?
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect();
        let want: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
        if found != want {
            return Err(StoreError::Write {
                url: url.clone(),
                why: format!(
                    "table {} has other columns than results.db schema version {} ({})",
                    t.name,
                    crate::db::SCHEMA_VERSION,
                    found.join(", ")
                ),
            });
        }
    }
    for t in TABLES {
        for index in ddl(t).iter().skip(1) {
            tx.batch_execute(index).map_err(write)?;
        }
    }
    let audit = table_of("audit");
    for row in rows.of("audit") {
        // A part's outcome is not the audit's: only a whole run or a merge writes it.
        let row: Vec<Val> = if part {
            row.iter()
                .zip(audit.columns)
                .map(|(v, c)| match c.name {
                    "shard_index"
                    | "shard_total"
                    | "tested"
                    | "deviations"
                    | "not_tested"
                    | "upper_deviation_limit_pct"
                    | "conclusion"
                    | "unreachable" => Val::Null,
                    _ => v.clone(),
                })
                .collect()
        } else {
            row.clone()
        };
        let on = if part {
            OnConflict::Nothing
        } else {
            OnConflict::Update
        };
        insert(&mut tx, audit, &row, on).map_err(write)?;
    }
    tx.commit().map_err(write)?;

    let releases = table_of("releases");
    let tested_col = releases.columns.iter().position(|c| c.name == "tested");
    let (tested, placed): (Vec<&Vec<Val>>, Vec<&Vec<Val>>) = rows
        .of("releases")
        .iter()
        .partition(|r| tested_col.and_then(|i| r.get(i)) == Some(&Val::Int(1)));
    // Rows this pack did not test: placed only where no row is (never over a tested one).
    let mut tx = client.transaction().map_err(write)?;
    for r in &placed {
        insert(&mut tx, releases, r, OnConflict::Nothing).map_err(write)?;
    }
    tx.commit().map_err(write)?;
    let children: Vec<&Table> = TABLES
        .iter()
        .filter(|t| t.name != "audit" && t.name != "releases")
        .collect();
    for r in &tested {
        let (Some(audit_id), Some(release)) = (text(r.first()), text(r.get(1))) else {
            continue;
        };
        let mut tx = client.transaction().map_err(write)?;
        insert(&mut tx, releases, r, OnConflict::Update).map_err(write)?;
        for t in &children {
            tx.execute(
                &format!(
                    "DELETE FROM {} WHERE audit_id = $1 AND release_id = $2",
                    t.name
                ),
                &[&audit_id, &release],
            )
            .map_err(write)?;
            for row in rows.of(t.name).iter().filter(|row| {
                text(row.first()) == Some(audit_id) && text(row.get(1)) == Some(release)
            }) {
                insert(&mut tx, t, row, OnConflict::None).map_err(write)?;
            }
        }
        tx.commit().map_err(write)?;
    }
    Ok(Stored {
        releases: tested.len(),
    })
}

/// Connect: a server that answered with an error (authentication, no such database) is a
/// failure of the input (exit 2); one that could not be reached at all is [`StoreError::Unreachable`].
fn connect(target: &Target) -> Result<Client, StoreError> {
    target.config.connect(NoTls).map_err(|e| {
        let why = redact(&pg_error(&e));
        let url = target.shown.clone();
        if e.as_db_error().is_some() {
            StoreError::Write { url, why }
        } else {
            StoreError::Unreachable { url, why }
        }
    })
}

/// The server's message and SQLSTATE when it sent one (the client's `Display` says only
/// "db error"), else the client's error.
fn pg_error(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{} (SQLSTATE {})", d.message(), d.code().code()),
        None => e.to_string(),
    }
}

fn table_of(name: &str) -> &'static Table {
    // Every name passed here is one of TABLES'.
    TABLES.iter().find(|t| t.name == name).unwrap_or(&TABLES[0])
}

/// Every row of every table for `audit_id`, read back (for tests and checks), each table's rows
/// sorted.
pub fn read_back(target: &Target, audit_id: &str) -> Result<Rows, StoreError> {
    let url = target.shown.clone();
    let err = |e: postgres::Error| StoreError::Write {
        url: url.clone(),
        why: redact(&pg_error(&e)),
    };
    let mut client = connect(target)?;
    let mut out = Rows::default();
    for t in TABLES {
        let cols: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
        let rows = client
            .query(
                &format!(
                    "SELECT {} FROM {} WHERE audit_id = $1",
                    cols.join(", "),
                    t.name
                ),
                &[&audit_id],
            )
            .map_err(err)?;
        let mut vals: Vec<Vec<Val>> = rows
            .iter()
            .map(|r| {
                t.columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        if c.ty.starts_with("INTEGER") {
                            r.get::<_, Option<i64>>(i).map_or(Val::Null, Val::Int)
                        } else if c.ty.starts_with("REAL") {
                            r.get::<_, Option<f64>>(i).map_or(Val::Null, Val::Real)
                        } else {
                            r.get::<_, Option<String>>(i).map_or(Val::Null, Val::Text)
                        }
                    })
                    .collect()
            })
            .collect();
        vals.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        for v in vals {
            out.push(t.name, v).map_err(|e| StoreError::Write {
                url: url.clone(),
                why: e.to_string(),
            })?;
        }
    }
    Ok(out)
}

/// `rows` with each table's rows sorted as [`read_back`] sorts them.
pub fn sorted(rows: &Rows) -> Rows {
    let mut out = Rows::default();
    for t in TABLES {
        let mut v: Vec<Vec<Val>> = rows.of(t.name).to_vec();
        v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        for r in v {
            let _ = out.push(t.name, r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://alice:s3cret@db:5432/audit"),
            "postgres://alice:***@db:5432/audit"
        );
        assert_eq!(
            redact("postgres://alice@db/audit"),
            "postgres://alice@db/audit"
        );
        let e = target("mysql://alice:s3cret@db/x", None, None).unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
        let e = target("postgres://alice:s3cret@db:notaport/x", None, None).unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
        let t = target("postgres://alice:s3cret@db:5432/x", None, None).unwrap();
        assert!(!format!("{t:?}").contains("s3cret"));
    }

    #[test]
    fn pgpass_lines_match_with_wildcards_and_escapes() {
        let text = "# comment\nother:5432:*:alice:no\ndb:*:audit:alice:pa\\:ss\n*:*:*:*:any\n";
        assert_eq!(
            pgpass_password(text, "db", 5432, "audit", "alice").as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            pgpass_password(text, "x", 1, "y", "z").as_deref(),
            Some("any")
        );
        assert_eq!(
            pgpass_password("db:5432:audit:alice\n", "db", 5432, "audit", "alice"),
            None
        );
    }

    #[test]
    fn a_url_without_a_user_or_of_another_scheme_is_refused() {
        assert!(target("postgres://db:5432/audit", None, None).is_err());
        assert!(target("db:5432", None, None).is_err());
        assert!(target("postgres://a@h1,h2/db", None, None).is_err());
    }
}
