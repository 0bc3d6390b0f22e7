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

// ---- A repository with a history an auditor tests ---------------------------------------------

const REPO: &str = "https://github.com/acme/app";

fn git(dir: &Path, args: &[&str], when: &str, who: (&str, &str)) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", who.0)
        .env("GIT_AUTHOR_EMAIL", who.1)
        .env("GIT_COMMITTER_NAME", who.0)
        .env("GIT_COMMITTER_EMAIL", who.1)
        .env("GIT_AUTHOR_DATE", when)
        .env("GIT_COMMITTER_DATE", when)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

const ALICE: (&str, &str) = ("Alice", "alice@example.com");
const BOB: (&str, &str) = ("Bob", "bob@example.com");
const DAVE: (&str, &str) = ("Dave", "dave@example.com");
const EVE: (&str, &str) = ("Eve", "eve@example.com");

fn commit_file(
    dir: &Path,
    file: &str,
    text: &str,
    msg: &str,
    when: &str,
    who: (&str, &str),
) -> String {
    std::fs::write(dir.join(file), text).expect("write");
    git(dir, &["add", "-A"], when, who);
    git(dir, &["commit", "-q", "-m", msg], when, who);
    git(dir, &["rev-parse", "HEAD"], when, who)
}

fn merge(dir: &Path, branch: &str, msg: &str, when: &str, who: (&str, &str)) -> String {
    git(
        dir,
        &["merge", "-q", "--no-ff", "-m", msg, branch],
        when,
        who,
    );
    git(dir, &["rev-parse", "HEAD"], when, who)
}

fn package_lock(lodash: &str) -> String {
    format!(
        r#"{{"name":"app","lockfileVersion":3,"packages":{{"":{{"name":"app"}},"node_modules/lodash":{{"version":"{lodash}","integrity":"sha512-lodash"}}}}}}"#
    )
}

/// Commits of the test repository, by name.
struct History {
    c0: String,
    m1: String,
    m2: String,
    d1: String,
    m3: String,
    f1: String,
    f2: String,
}

/// main: c0 (lockfiles of three ecosystems, plus one malformed and one unknown) ← m1 (merge of
/// f1, PR #1 approved by bob) ← m2 (merge of f2, PR #2 self-approved by dave) ← d1 (a direct
/// push, signed, reviewed after the fact in PR #3) ← m3 (merge of f3, no pull request; lodash
/// upgraded).
fn history(repo: &Path, signing_key: &Path) -> History {
    std::fs::create_dir_all(repo).expect("mkdir");
    git(
        repo,
        &["init", "-q", "-b", "main"],
        "2026-01-01T00:00:00Z",
        ALICE,
    );
    std::fs::write(
        repo.join("Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"ddc6f9cc94d67c0e21aaf7eda3a010fd3af78ebf6e096aa6e2e13c79749cce4f\"\n",
    )
    .expect("write");
    std::fs::write(
        repo.join("go.sum"),
        "golang.org/x/text v0.14.0 h1:ScX5w1eTa3QqT8oi6+ziP7dTV1S2+ALU0bI+0zXKWiQ=\ngolang.org/x/text v0.14.0/go.mod h1:18ZOQIKpY8NJVqYksKHtTdi31H5itFRjB5/qKTNYzSU=\n",
    )
    .expect("write");
    std::fs::create_dir_all(repo.join("tools")).expect("mkdir");
    std::fs::write(repo.join("tools/requirements.txt"), "-r base.txt\n").expect("write");
    std::fs::write(repo.join("Gemfile.lock"), "GEM\n  specs:\n").expect("write");
    let c0 = commit_file(
        repo,
        "package-lock.json",
        &package_lock("4.17.15"),
        "initial",
        "2026-01-01T00:00:00Z",
        ALICE,
    );
    git(
        repo,
        &["checkout", "-q", "-b", "f1"],
        "2026-01-10T00:00:00Z",
        ALICE,
    );
    let f1 = commit_file(
        repo,
        "a.txt",
        "one",
        "feature one",
        "2026-01-10T00:00:00Z",
        ALICE,
    );
    git(
        repo,
        &["checkout", "-q", "main"],
        "2026-01-11T10:00:00Z",
        BOB,
    );
    let m1 = merge(
        repo,
        "f1",
        "Merge pull request #1",
        "2026-01-11T10:00:00Z",
        BOB,
    );
    git(
        repo,
        &["checkout", "-q", "-b", "f2"],
        "2026-01-12T00:00:00Z",
        DAVE,
    );
    let f2 = commit_file(
        repo,
        "b.txt",
        "two",
        "feature two",
        "2026-01-12T00:00:00Z",
        DAVE,
    );
    git(
        repo,
        &["checkout", "-q", "main"],
        "2026-01-13T09:00:00Z",
        DAVE,
    );
    let m2 = merge(
        repo,
        "f2",
        "Merge pull request #2",
        "2026-01-13T09:00:00Z",
        DAVE,
    );
    std::fs::write(repo.join("c.txt"), "hotfix").expect("write");
    git(repo, &["add", "-A"], "2026-01-15T00:00:00Z", EVE);
    let key = signing_key.to_string_lossy().into_owned();
    git(
        repo,
        &[
            "-c",
            "gpg.format=ssh",
            "-c",
            &format!("user.signingkey={key}"),
            "commit",
            "-q",
            "-S",
            "-m",
            "emergency hotfix",
        ],
        "2026-01-15T00:00:00Z",
        EVE,
    );
    let d1 = git(repo, &["rev-parse", "HEAD"], "2026-01-15T00:00:00Z", EVE);
    git(
        repo,
        &["checkout", "-q", "-b", "f3"],
        "2026-01-20T00:00:00Z",
        ALICE,
    );
    commit_file(
        repo,
        "package-lock.json",
        &package_lock("4.17.21"),
        "upgrade lodash",
        "2026-01-20T00:00:00Z",
        ALICE,
    );
    git(
        repo,
        &["checkout", "-q", "main"],
        "2026-01-21T00:00:00Z",
        ALICE,
    );
    let m3 = merge(repo, "f3", "Merge branch f3", "2026-01-21T00:00:00Z", ALICE);
    History {
        c0,
        m1,
        m2,
        d1,
        m3,
        f1,
        f2,
    }
}

fn user(login: &str) -> Value {
    serde_json::json!({"login": login, "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==", "type": "User",
           "html_url": format!("https://github.com/{login}"), "site_admin": false})
}

/// A pull request with its reviews (`{"pull_request": ..., "reviews": [...]}`).
fn review_doc(
    number: u64,
    author: &str,
    head: &str,
    merge: Option<(&str, &str, &str)>,
    approval: (&str, &str),
) -> Value {
    let (merged, merged_at, merge_sha, merged_by) = match merge {
        Some((sha, at, by)) => (true, Value::from(at), Value::from(sha), user(by)),
        None => (false, Value::Null, Value::Null, Value::Null),
    };
    serde_json::json!({
        "pull_request": {
            "url": format!("https://api.github.com/repos/acme/app/pulls/{number}"),
            "id": number, "node_id": "MDExOlB1bGxSZXF1ZXN0MQ==",
            "html_url": format!("{REPO}/pull/{number}"),
            "number": number,
            "state": if merged { "closed" } else { "open" },
            "locked": false,
            "title": format!("change {number}"),
            "user": user(author),
            "created_at": "2026-01-09T00:00:00Z",
            "updated_at": "2026-01-26T10:05:00Z",
            "closed_at": merged_at.clone(),
            "merged_at": merged_at,
            "merge_commit_sha": merge_sha,
            "draft": false,
            "head": {"label": "acme:topic", "ref": "topic", "sha": head, "user": user(author),
                     "repo": {"id": 1296269, "full_name": "acme/app"}},
            "base": {"label": "acme:main", "ref": "main", "sha": head, "user": user("acme"),
                     "repo": {"id": 1296269, "full_name": "acme/app"}},
            "author_association": "MEMBER",
            "merged": merged,
            "merged_by": merged_by,
            "commits": 1
        },
        "reviews": [{
            "id": number * 10,
            "node_id": "MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA=",
            "user": user(approval.0),
            "body": "",
            "state": "APPROVED",
            "html_url": format!("{REPO}/pull/{number}#pullrequestreview-{}", number * 10),
            "pull_request_url": format!("https://api.github.com/repos/acme/app/pulls/{number}"),
            "submitted_at": approval.1,
            "commit_id": head,
            "author_association": "COLLABORATOR"
        }]
    })
}

fn ci_run(head: &str, conclusion: &str) -> Value {
    serde_json::json!({
        "id": 30433642, "name": "Build", "node_id": "MDEyOldvcmtmbG93IFJ1bjI2OTI4OQ==",
        "head_branch": "main", "head_sha": head, "path": ".github/workflows/build.yml",
        "run_number": 562, "event": "push", "status": "completed", "conclusion": conclusion,
        "workflow_id": 159038, "created_at": "2026-01-22T19:33:08Z", "updated_at": "2026-01-22T19:41:30Z",
        "actor": user("ci-bot"), "triggering_actor": user("ci-bot"), "run_attempt": 1,
        "run_started_at": "2026-01-22T19:33:10Z",
        "head_commit": {"id": head, "tree_id": "d23f6eedb1e1b9610bbc754ddb5197bfe7271223",
            "message": "x", "timestamp": "2026-01-22T19:33:05Z",
            "author": {"name": "A", "email": "a@example.com"}, "committer": {"name": "A", "email": "a@example.com"}},
        "repository": {"id": 1296269, "full_name": "acme/app", "html_url": REPO}
    })
}

/// An ed25519 signing key and the allowed-signers file naming it for eve; `None` without
/// ssh-keygen (skipped locally, a failure under CI=true).
fn signing(dir: &Path) -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let key = dir.join("eve_key");
    let ok = std::process::Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "eve@example.com",
            "-f",
        ])
        .arg(&key)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "ssh-keygen is missing (openssh-client)"
        );
        println!("skipping: ssh-keygen is missing");
        return None;
    }
    let public = std::fs::read_to_string(dir.join("eve_key.pub")).expect("pub");
    let allowed = dir.join("allowed_signers");
    std::fs::write(
        &allowed,
        format!("eve@example.com namespaces=\"git\" {public}"),
    )
    .expect("allowed");
    Some((key, allowed))
}

/// The pack of a population of six releases: r1..r5 of acme/app (one per change, as continuous
/// delivery ships them) and lib-1 of a repository with no clone given.
fn sql_pack(d: &Path) -> Option<(History, std::path::PathBuf)> {
    let pop = population_files(d);
    let (key, allowed) = signing(d)?;
    let h = history(&d.join("app"), &key);
    let write = |name: &str, v: &Value| {
        std::fs::write(d.join(name), serde_json::to_vec(v).expect("json")).expect("write");
    };
    write(
        "pr1.json",
        &review_doc(
            1,
            "alice",
            &h.f1,
            Some((&h.m1, "2026-01-11T10:00:00Z", "bob")),
            ("bob", "2026-01-11T09:00:00Z"),
        ),
    );
    write(
        "pr2.json",
        &review_doc(
            2,
            "dave",
            &h.f2,
            Some((&h.m2, "2026-01-13T09:00:00Z", "dave")),
            ("dave", "2026-01-13T08:00:00Z"),
        ),
    );
    write(
        "pr3.json",
        &review_doc(3, "eve", &h.d1, None, ("bob", "2026-01-16T00:00:00Z")),
    );
    write("ci1.json", &ci_run(&h.c0, "failure"));
    write("ci2.json", &ci_run(&h.m1, "success"));
    write("ci3.json", &ci_run(&h.m2, "success"));
    write("ci5.json", &ci_run(&h.m3, "success"));
    let rows = [
        format!("r1,hello.txt,hello.sigstore.json,{},{REPO},2026-01-01T12:00:00Z,team-a,,ci1.json", h.c0),
        format!("r2,hello.txt,hello.sigstore.json,{},{REPO},2026-01-11T12:00:00Z,team-a,pr1.json,ci2.json", h.m1),
        format!("r3,hello.txt,hello.sigstore.json,{},{REPO},2026-01-13T12:00:00Z,team-b,pr2.json,ci3.json", h.m2),
        format!("r4,hello.txt,hello.sigstore.json,{},{REPO},2026-01-15T12:00:00Z,team-b,pr3.json,", h.d1),
        format!("r5,hello.txt,hello.sigstore.json,{},{REPO},2026-02-01T00:00:00Z,team-b,,ci5.json", h.m3),
        format!("lib-1,hello.txt,hello.sigstore.json,{},https://github.com/acme/lib,2026-01-05T00:00:00Z,team-c,,", h.c0),
    ];
    std::fs::write(
        d.join("sql.csv"),
        format!(
            "id,subject,bundle,commit,repository,released_at,owner,review,ci_run\n{}\n",
            rows.join("\n")
        ),
    )
    .expect("population");
    let (rc, _, err) = run(provenant()
        .current_dir(d)
        .args([
            "audit",
            "run",
            "--population",
            "sql.csv",
            "--seed",
            "sql",
            "--size",
            "6",
        ])
        .args([
            "--policy",
            "policy.yaml",
            "--trusted-root",
            "trusted_root.json",
        ])
        .args(["--effective-time", "2026-03-01T00:00:00Z", "--out", "pack"])
        .args(["--git-dir", &format!("{REPO}=app")])
        .arg("--allowed-signers")
        .arg(&allowed));
    assert!(rc == 0 || rc == 1, "{err}");
    drop(pop);
    Some((h, d.join("pack")))
}

/// The testdata files the population names, copied into `d`.
fn population_files(d: &Path) -> tempfile::TempDir {
    let src = population();
    for f in [
        "hello.txt",
        "hello.sigstore.json",
        "trusted_root.json",
        "policy.yaml",
    ] {
        std::fs::copy(src.path().join(f), d.join(f)).expect("copy");
    }
    src
}

/// The README's worked queries ("SQL" section), each answered over a pack built from a
/// repository the test creates.
#[test]
fn readme_sql_queries_answer_the_change_management_tests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let Some((h, pack)) = sql_pack(d) else { return };
    let q = |sql: &str| -> Vec<Vec<Value>> {
        let (rc, v, err) = query(&pack, sql);
        assert_eq!(rc, 0, "{sql}: {err}");
        rows(&v)
    };
    let s = |t: &str| Value::from(t);

    // The ranges: every app release read, the library's has no clone.
    assert_eq!(
        q("SELECT release_id, commits, status FROM git_ranges ORDER BY release_id"),
        vec![
            vec![s("lib-1"), Value::Null, s("unreadable")],
            vec![s("r1"), Value::from(1), s("ok")],
            vec![s("r2"), Value::from(2), s("ok")],
            vec![s("r3"), Value::from(2), s("ok")],
            vec![s("r4"), Value::from(1), s("ok")],
            vec![s("r5"), Value::from(2), s("ok")],
        ]
    );

    // 1. Approval (by someone else) before merge, and merge before release, for the shipped commit.
    assert_eq!(
        q(README_Q1),
        vec![
            vec![s("lib-1")],
            vec![s("r1")],
            vec![s("r3")],
            vec![s("r4")],
            vec![s("r5")]
        ]
    );
    // 2. Author = approver.
    assert_eq!(q(README_Q2), vec![vec![s("r3"), Value::from(2), s("dave")]]);
    // 3. Direct pushes to the release branch (first-parent commits that are not a merge).
    assert_eq!(
        q(README_Q3),
        vec![
            vec![s("r1"), s(&h.c0), s("alice@example.com"), s("initial")],
            vec![
                s("r4"),
                s(&h.d1),
                s("eve@example.com"),
                s("emergency hotfix")
            ],
        ]
    );
    // 4. Releases without a succeeded CI run on the shipped commit.
    assert_eq!(
        q(README_Q4),
        vec![vec![s("lib-1")], vec![s("r1")], vec![s("r4")]]
    );
    // 5. Signed by an identity other than the release workflow (the test bundle's identity is
    // provenant-test's workflow, not acme's): every release.
    let signed = q(README_Q5);
    assert_eq!(signed.len(), 6, "{signed:?}");
    assert!(signed.iter().all(|r| r[1]
        .as_str()
        .is_some_and(|i| i.contains("provenant-test/app"))));
    // 6. A dependency in a vulnerable range: lodash < 4.17.21 until r5 upgraded it.
    assert_eq!(
        q(README_Q6),
        vec![
            vec![s("r1"), s("4.17.15")],
            vec![s("r2"), s("4.17.15")],
            vec![s("r3"), s("4.17.15")],
            vec![s("r4"), s("4.17.15")],
        ]
    );
    // 7. Deviations by cause and owner: as pack.json counts them.
    let p = pack_json(&pack);
    let owner = |id: &str| match id {
        "r1" | "r2" => "team-a",
        "lib-1" => "team-c",
        _ => "team-b",
    };
    let mut want: std::collections::BTreeMap<(String, String), i64> = Default::default();
    for r in p["releases"].as_array().expect("releases") {
        if r["verdict"] != "pass" {
            let id = r["plan"]["id"].as_str().unwrap_or_default();
            let cause = r["cause"].as_str().unwrap_or_default().to_owned();
            *want.entry((owner(id).to_owned(), cause)).or_default() += 1;
        }
    }
    let want: Vec<Vec<Value>> = want
        .into_iter()
        .map(|((o, k), n)| vec![s(&o), s(&k), Value::from(n)])
        .collect();
    assert_eq!(q(README_Q7), want);
    // 8. Emergency changes (no pull request merged them) approved after the fact within 3 days.
    assert_eq!(
        q(README_Q8),
        vec![vec![
            s("r4"),
            s(&h.d1),
            Value::from(3),
            s("bob"),
            Value::from(1.0)
        ]]
    );

    // Signatures: the signed hotfix verified against the allowed signers, the rest unsigned.
    assert_eq!(
        q("SELECT sha, signature FROM commits WHERE signature <> 'unsigned'"),
        vec![vec![s(&h.d1), s("good")]]
    );
    // Three ecosystems, and the lockfiles that could not be read are rows saying so.
    assert_eq!(
        q("SELECT DISTINCT ecosystem FROM dependencies WHERE release_id = 'r1' AND status = 'ok' ORDER BY 1"),
        vec![vec![s("cargo")], vec![s("golang")], vec![s("npm")]]
    );
    assert_eq!(
        q("SELECT status, source_file LIKE '%:Gemfile.lock', detail IS NOT NULL FROM dependencies WHERE release_id = 'r1' AND status <> 'ok' ORDER BY status"),
        vec![
            vec![s("malformed"), Value::from(0), Value::from(1)],
            vec![s("unknown-format"), Value::from(1), Value::from(1)],
        ]
    );
    // CI runs and the replay: the history rows are re-derived from the pack alone.
    assert_eq!(
        q("SELECT release_id, conclusion FROM ci_runs ORDER BY release_id"),
        vec![
            vec![s("r1"), s("failure")],
            vec![s("r2"), s("success")],
            vec![s("r3"), s("success")],
            vec![s("r5"), s("success")]
        ]
    );
    let (rc, out, _) = replay(&pack);
    assert_eq!(rc, 0, "{out}");
}

// The README's "SQL" section shows these queries verbatim (checked below).
const README_Q1: &str = "SELECT r.release_id FROM releases r
WHERE r.sampled = 1 AND NOT EXISTS (
  SELECT 1 FROM reviews v
  WHERE v.audit_id = r.audit_id AND v.release_id = r.release_id
    AND v.merge_commit_sha = r.commit_sha
    AND v.approval_state = 'approved' AND v.approver <> v.author
    AND julianday(v.approved_at) <= julianday(v.merged_at)
    AND julianday(v.merged_at) <= julianday(r.released_at))
ORDER BY r.release_id";

const README_Q2: &str = "SELECT release_id, number, author FROM reviews
WHERE approval_state = 'approved' AND approver = author
ORDER BY release_id, number";

const README_Q3: &str = "WITH RECURSIVE mainline(audit_id, release_id, sha) AS (
  SELECT audit_id, release_id, to_commit FROM git_ranges WHERE status = 'ok'
  UNION
  SELECT c.audit_id, c.release_id, CASE instr(c.parents, ' ')
    WHEN 0 THEN c.parents ELSE substr(c.parents, 1, instr(c.parents, ' ') - 1) END
  FROM commits c JOIN mainline m USING (audit_id, release_id, sha)
  WHERE c.parents <> '')
SELECT c.release_id, c.sha, c.author_email, c.subject
FROM mainline m JOIN commits c USING (audit_id, release_id, sha)
WHERE c.is_merge = 0
  AND c.sha NOT IN (SELECT merge_commit_sha FROM reviews WHERE merge_commit_sha IS NOT NULL)
ORDER BY c.release_id, c.committer_time";

const README_Q4: &str = "SELECT r.release_id FROM releases r
WHERE r.sampled = 1 AND NOT EXISTS (
  SELECT 1 FROM gates g
  WHERE g.audit_id = r.audit_id AND g.release_id = r.release_id
    AND g.kind = 'ci-run' AND g.outcome = 'succeeded' AND g.commit_sha = r.commit_sha)
ORDER BY r.release_id";

const README_Q5: &str = "SELECT DISTINCT release_id, identity FROM signatures
WHERE signer_kind IS NOT NULL
  AND coalesce(build_signer_uri, identity)
      NOT LIKE 'https://github.com/acme/app/.github/workflows/release.yml@%'
ORDER BY release_id";

const README_Q6: &str = "SELECT release_id, version FROM dependencies
WHERE ecosystem = 'npm' AND name = 'lodash'
  AND version LIKE '4.17.%' AND CAST(substr(version, 6) AS INTEGER) < 21
ORDER BY release_id";

const README_Q7: &str = "SELECT r.owner, d.cause, count(*) AS deviations
FROM deviations d JOIN releases r USING (audit_id, release_id)
GROUP BY r.owner, d.cause ORDER BY r.owner, d.cause";

const README_Q8: &str = "SELECT c.release_id, c.sha, v.number, v.approver,
       round(julianday(v.approved_at) - julianday(c.committer_time), 1) AS days_after
FROM commits c JOIN reviews v ON v.audit_id = c.audit_id AND v.head_sha = c.sha
WHERE c.is_merge = 0 AND v.merged = 0 AND v.approval_state = 'approved'
  AND julianday(v.approved_at) > julianday(c.committer_time)
  AND julianday(v.approved_at) - julianday(c.committer_time) <= 3
ORDER BY c.release_id";

#[test]
fn the_readme_shows_the_tested_queries() {
    let readme = std::fs::read_to_string(crate::support::root().join("README.md")).expect("README");
    for q in [
        README_Q1, README_Q2, README_Q3, README_Q4, README_Q5, README_Q6, README_Q7, README_Q8,
    ] {
        assert!(readme.contains(q), "README.md's SQL section lacks:\n{q}");
    }
}

#[test]
fn sharded_runs_with_history_merge_into_the_unsharded_results_db() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let Some((_, pack)) = sql_pack(d) else { return };
    let allowed = d.join("allowed_signers");
    for i in 0..3 {
        let (rc, _, err) = run(provenant()
            .current_dir(d)
            .args([
                "audit",
                "run",
                "--population",
                "sql.csv",
                "--seed",
                "sql",
                "--size",
                "6",
            ])
            .args([
                "--policy",
                "policy.yaml",
                "--trusted-root",
                "trusted_root.json",
            ])
            .args(["--effective-time", "2026-03-01T00:00:00Z"])
            .args(["--shard", &format!("{i}/3"), "--out", &format!("part{i}")])
            .args(["--git-dir", &format!("{REPO}=app")])
            .arg("--allowed-signers")
            .arg(&allowed));
        assert!(rc == 0 || rc == 1, "{err}");
    }
    let (rc, _, err) = run(provenant().current_dir(d).args([
        "audit", "merge", "part0", "part1", "part2", "--out", "merged",
    ]));
    assert!(rc == 0 || rc == 1, "{err}");
    assert_eq!(
        std::fs::read(pack.join("results.db")).expect("all"),
        std::fs::read(d.join("merged/results.db")).expect("merged")
    );
    assert_eq!(pack_json(&pack), pack_json(&d.join("merged")));
}

#[test]
fn audit_ingest_writes_the_tables_without_a_sample() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let Some((h, _)) = sql_pack(d) else { return };
    let db = d.join("adhoc.db");
    let (rc, out, err) = run(provenant()
        .current_dir(d)
        .args([
            "audit",
            "ingest",
            "--git",
            "app",
            "--range",
            &format!("{}..{}", h.c0, h.m3),
        ])
        .args([
            "--review", "pr1.json", "--review", "pr2.json", "--review", "pr3.json",
        ])
        .args([
            "--ci-run",
            "ci2.json",
            "--lockfile",
            "app/Cargo.lock",
            "--lockfile",
            "app/Gemfile.lock",
        ])
        .arg("--out")
        .arg(&db));
    assert_eq!(rc, 0, "{err}");
    assert!(out.contains("7 commit(s)"), "{out}");
    let q = |sql: &str| {
        let (rc, v, err) = query(&db, sql);
        assert_eq!(rc, 0, "{sql}: {err}");
        rows(&v)
    };
    // No allowed signers: the signed commit is unknown, never good.
    assert_eq!(
        q("SELECT sha, signature FROM commits WHERE signature <> 'unsigned'"),
        vec![vec![Value::from(h.d1.as_str()), Value::from("unknown")]]
    );
    assert_eq!(
        q(README_Q2),
        vec![vec![Value::from(""), Value::from(2), Value::from("dave")]]
    );
    // Allowed signers that do not name the signing key: bad, never good.
    let other = d.join("other");
    std::fs::create_dir_all(&other).expect("mkdir");
    let (_, other_allowed) = signing(&other).expect("ssh-keygen ran above");
    let (rc, _, err) = run(provenant()
        .current_dir(d)
        .args(["audit", "ingest", "--git", "app", "--range", &h.d1])
        .arg("--allowed-signers")
        .arg(&other_allowed)
        .args(["--out", "other.db"]));
    assert_eq!(rc, 0, "{err}");
    let (_, v, _) = query(
        &d.join("other.db"),
        "SELECT signature, count(*) FROM commits GROUP BY 1 ORDER BY 1",
    );
    assert_eq!(
        rows(&v),
        vec![
            vec![Value::from("bad"), Value::from(1)],
            vec![Value::from("unsigned"), Value::from(5)]
        ]
    );
    assert_eq!(
        q("SELECT status, count(*) FROM dependencies GROUP BY status ORDER BY status"),
        vec![
            vec![Value::from("ok"), Value::from(1)],
            vec![Value::from("unknown-format"), Value::from(1)]
        ]
    );
    assert_eq!(
        q("SELECT kind FROM audit"),
        vec![vec![Value::from("ingest")]]
    );

    // Bad input is exit 2, and nothing is written.
    for (args, why) in [
        (
            vec!["--git", "app", "--range", "--all"],
            "an option as range",
        ),
        (vec!["--git", "no-such-dir"], "no clone"),
        (vec!["--git", "app", "--review", "ci2.json"], "not a review"),
        (
            vec!["--git", "app", "--ci-run", "pr1.json"],
            "not CI metadata",
        ),
        (
            vec!["--git", "app", "--lockfile", "gone.lock"],
            "a missing file",
        ),
    ] {
        let (rc, _, err) = run(provenant()
            .current_dir(d)
            .args(["audit", "ingest"])
            .args(&args)
            .args(["--out", "bad.db"]));
        assert_eq!(rc, 2, "{why}: {err}");
        assert!(!d.join("bad.db").exists(), "{why}");
    }
    let (rc, _, _) = run(provenant()
        .current_dir(d)
        .args(["audit", "ingest", "--git", "app", "--out"])
        .arg(&db));
    assert_eq!(rc, 2, "an existing database is not overwritten");
}

#[test]
fn a_shallow_clone_is_a_range_that_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    if sql_pack(d).is_none() {
        return;
    }
    let shallow = d.join("shallow");
    let url = format!("file://{}", d.join("app").display());
    git(
        d,
        &["clone", "-q", "--depth", "1", &url, "shallow"],
        "2026-03-01T00:00:00Z",
        ALICE,
    );
    let (rc, _, err) = run(provenant()
        .current_dir(d)
        .args(["audit", "ingest", "--git"])
        .arg(&shallow)
        .args(["--out", "s.db"]));
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("shallow"), "{err}");
    // In a run, the release's range is unreadable (recorded), and the run still completes.
    let (rc, _, err) = run(provenant()
        .current_dir(d)
        .args([
            "audit",
            "run",
            "--population",
            "sql.csv",
            "--seed",
            "sql",
            "--size",
            "6",
        ])
        .args([
            "--policy",
            "policy.yaml",
            "--trusted-root",
            "trusted_root.json",
        ])
        .args(["--effective-time", "2026-03-01T00:00:00Z", "--out", "spack"])
        .args(["--git-dir", &format!("{REPO}=shallow")]));
    assert!(rc == 0 || rc == 1, "{err}");
    let (_, v, _) = query(
        &d.join("spack"),
        "SELECT count(*) FROM git_ranges WHERE status = 'unreadable' AND detail LIKE '%shallow%'",
    );
    assert_eq!(rows(&v), vec![vec![Value::from(5)]]);
}

fn cyclonedx(subject_sha256: &str, component: &str) -> Value {
    serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "timestamp": "2025-06-01T00:00:00Z",
            "component": {
                "type": "application",
                "name": "hello",
                "hashes": [{"alg": "SHA-256", "content": subject_sha256}]
            }
        },
        "components": [{
            "type": "library",
            "bom-ref": component,
            "name": component,
            "version": "1.3.0",
            "purl": format!("pkg:npm/{component}@1.3.0"),
            "hashes": [{"alg": "SHA-256", "content": "a".repeat(64)}]
        }]
    })
}

#[test]
fn only_the_components_of_a_bound_sbom_are_ok_dependencies() {
    let pop = population();
    let d = pop.path();
    let hello = std::fs::read(d.join("hello.txt")).expect("hello");
    let sha = provenant_audit::sha256_hex(&hello);
    let write = |name: &str, v: &Value| {
        std::fs::write(d.join(name), serde_json::to_vec(v).expect("json")).expect("write");
    };
    write("bound.cdx.json", &cyclonedx(&sha, "left-pad"));
    write("other.cdx.json", &cyclonedx(&"b".repeat(64), "right-pad"));
    std::fs::write(
        d.join("pop.csv"),
        "id,subject,bundle,sbom\nb,hello.txt,hello.sigstore.json,bound.cdx.json\no,hello.txt,hello.sigstore.json,other.cdx.json\n",
    )
    .expect("population");
    let (rc, out, err) = audit_run(d, "pack", &["--size", "2"]);
    assert!(rc == 0 || rc == 1, "{out}{err}");
    let (rc, v, err) = query(
        &d.join("pack"),
        "SELECT release_id, name, purl, status FROM dependencies ORDER BY release_id",
    );
    assert_eq!(rc, 0, "{err}");
    assert_eq!(
        rows(&v),
        vec![
            vec![
                Value::from("b"),
                Value::from("left-pad"),
                Value::from("pkg:npm/left-pad@1.3.0"),
                Value::from("ok")
            ],
            vec![
                Value::from("o"),
                Value::from("right-pad"),
                Value::from("pkg:npm/right-pad@1.3.0"),
                Value::from("unbound")
            ],
        ]
    );
}
