//! `results.db` in every pack and `provenant audit query` as processes: the rows answer the
//! pack's questions, writes are refused, and a tampered database is caught by `query` (against
//! the manifest) and by `replay` (against the rows re-derived from the pack).

use std::path::Path;

use serde_json::Value;

use crate::audit_run::{audit_run, pack_json, population, replay};
use crate::support::{provenant, run};

fn query(target: &Path, sql: &str) -> (i32, Value, String) {
    let (rc, out, err) = run(provenant()
        .args(["audit", "query"])
        .arg(target)
        .arg(sql)
        .args(["--format", "json"]));
    (rc, serde_json::from_str(&out).unwrap_or(Value::Null), err)
}

fn rows(v: &Value) -> Vec<Vec<Value>> {
    v["rows"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|row| row.as_array().cloned().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

/// Re-hash `file` in the pack's manifest, as someone covering a tampering would.
fn rehash(pack: &Path, file: &str) {
    let manifest = std::fs::read_to_string(pack.join("MANIFEST.sha256")).expect("manifest");
    let mut lines: Vec<String> = manifest
        .lines()
        .filter(|l| !l.ends_with(&format!("  {file}")))
        .map(str::to_owned)
        .collect();
    if let Ok(bytes) = std::fs::read(pack.join(file)) {
        lines.push(format!("{}  {file}", provenant_audit::sha256_hex(&bytes)));
    }
    lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
    std::fs::write(pack.join("MANIFEST.sha256"), lines.join("\n") + "\n").expect("manifest");
}

#[test]
fn results_db_holds_every_release_and_the_verdicts_of_pack_json() {
    let pop = population();
    let d = pop.path();
    let (rc, _, err) = audit_run(d, "pack", &["--size", "6"]);
    assert_eq!(rc, 1, "{err}");
    let pack = d.join("pack");
    let manifest = std::fs::read_to_string(pack.join("MANIFEST.sha256")).expect("manifest");
    assert!(
        manifest.lines().any(|l| l.ends_with("  results.db")),
        "{manifest}"
    );

    // Every population row, sampled or not.
    let (rc, v, err) = query(
        &pack,
        "SELECT count(*), sum(sampled), sum(tested) FROM releases",
    );
    assert_eq!(rc, 0, "{err}");
    assert_eq!(
        rows(&v),
        vec![vec![Value::from(9), Value::from(6), Value::from(6)]]
    );

    // The verdicts are pack.json's.
    let p = pack_json(&pack);
    let mut want: Vec<Vec<Value>> = p["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .map(|r| vec![r["plan"]["id"].clone(), r["verdict"].clone()])
        .collect();
    want.sort_by_key(|r| r[0].as_str().unwrap_or_default().to_owned());
    let (_, v, _) = query(
        &pack,
        "SELECT release_id, verdict FROM releases WHERE tested = 1 ORDER BY release_id",
    );
    assert_eq!(rows(&v), want);

    // Deviations, checks and evidence line up.
    let (_, v, _) = query(&pack, "SELECT count(*) FROM deviations");
    assert_eq!(rows(&v), vec![vec![p["outcome"]["deviations"].clone()]]);
    let (_, v, _) = query(
        &pack,
        "SELECT count(*) FROM checks c JOIN releases r USING (audit_id, release_id) WHERE r.verdict = 'pass' AND c.outcome = 'fail'",
    );
    assert_eq!(rows(&v), vec![vec![Value::from(0)]]);
    let (_, v, _) = query(
        &pack,
        "SELECT count(*) FROM evidence WHERE sha256 IS NOT NULL AND path_in_pack <> 'evidence/' || sha256",
    );
    assert_eq!(rows(&v), vec![vec![Value::from(0)]]);
    let (_, v, _) = query(&pack, "SELECT schema_version, kind FROM audit");
    assert_eq!(rows(&v), vec![vec![Value::from(1), Value::from("audit")]]);
}

#[test]
fn audit_query_formats_table_csv_json() {
    let pop = population();
    let d = pop.path();
    audit_run(d, "pack", &["--size", "2"]);
    let sql = "SELECT 'a,b' AS x, 2 AS y";
    let (rc, out, _) = run(provenant()
        .args(["audit", "query"])
        .arg(d.join("pack"))
        .arg(sql)
        .args(["--format", "csv"]));
    assert_eq!(rc, 0);
    assert_eq!(out, "x,y\n\"a,b\",2\n");
    let (rc, out, _) = run(provenant()
        .args(["audit", "query"])
        .arg(d.join("pack"))
        .arg(sql));
    assert_eq!(rc, 0);
    assert!(out.starts_with("x    y\n---  -\na,b  2\n"), "{out}");
    let (rc, out, _) = run(provenant()
        .args(["audit", "query"])
        .arg(d.join("pack"))
        .arg("SELECT char(27) || '[31mred'"));
    assert_eq!(rc, 0);
    assert!(!out.contains('\u{1b}'), "{out:?}");
}

#[test]
fn audit_query_refuses_writes_and_bad_sql_with_exit_2_and_changes_nothing() {
    let pop = population();
    let d = pop.path();
    audit_run(d, "pack", &["--size", "2"]);
    let pack = d.join("pack");
    let before = std::fs::read(pack.join("results.db")).expect("db");
    for sql in [
        "DELETE FROM releases",
        "UPDATE releases SET verdict = 'pass'",
        "DROP TABLE checks",
        "SELECT 1; DELETE FROM releases",
        "ATTACH DATABASE 'x.db' AS x",
        "PRAGMA query_only = OFF",
        "SELEC nonsense",
        "SELECT * FROM no_such_table",
        "",
    ] {
        let (rc, _, err) = query(&pack, sql);
        assert_eq!(rc, 2, "{sql}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{sql}: {err}");
    }
    assert_eq!(std::fs::read(pack.join("results.db")).expect("db"), before);
    let (rc, _, _) = query(&d.join("no-such-pack"), "SELECT 1");
    assert_eq!(rc, 2);
    replay(&pack);
    let (rc, out, _) = replay(&pack);
    assert_eq!(rc, 0, "{out}");
}

#[test]
fn audit_query_refuses_a_results_db_that_does_not_match_the_manifest() {
    let pop = population();
    let d = pop.path();
    audit_run(d, "pack", &["--size", "2"]);
    let pack = d.join("pack");
    let mut bytes = std::fs::read(pack.join("results.db")).expect("db");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(pack.join("results.db"), &bytes).expect("write");
    let (rc, _, err) = query(&pack, "SELECT 1");
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("manifest"), "{err}");
}

#[test]
fn audit_replay_rederives_results_db_and_reports_a_rewritten_one() {
    let pop = population();
    let d = pop.path();
    audit_run(d, "pack", &["--size", "9"]);
    let pack = d.join("pack");
    let db = pack.join("results.db");

    // A verdict flipped to pass in results.db, the manifest re-hashed: replay re-derives the
    // rows from the pack and names the table.
    let rows = provenant_audit::read_sqlite(&db).expect("read");
    let mut forged = provenant_audit::Rows::default();
    for t in provenant_audit::TABLES {
        for row in rows.of(t.name) {
            let mut row = row.clone();
            if t.name == "releases" && row[1] == provenant_audit::Val::from("tampered") {
                row[10] = provenant_audit::Val::from("pass");
            }
            forged.push(t.name, row).expect("row");
        }
    }
    assert_ne!(forged, rows);
    std::fs::remove_file(&db).expect("rm");
    provenant_audit::write_sqlite(&db, &forged).expect("write");
    rehash(&pack, "results.db");
    let (rc, out, _) = replay(&pack);
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("results.db: table releases"), "{out}");
    assert!(!out.contains("changed file"), "{out}");

    // Garbage with a re-hashed manifest: unreadable.
    std::fs::write(&db, b"not a database").expect("write");
    rehash(&pack, "results.db");
    let (rc, out, _) = replay(&pack);
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("results.db is unreadable"), "{out}");

    // Removed, and dropped from the manifest: missing.
    std::fs::remove_file(&db).expect("rm");
    rehash(&pack, "results.db");
    let (rc, out, _) = replay(&pack);
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("results.db is missing"), "{out}");
}
