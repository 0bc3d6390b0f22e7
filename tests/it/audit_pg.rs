//! `audit run | merge --store postgres://…` against a real PostgreSQL (Debian's `postgresql`)
//! the test starts: `initdb` + `pg_ctl` on 127.0.0.1, a free port, a temporary directory, as
//! `nobody` when the tests run as root. Missing binaries skip locally and fail under CI=true.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::audit_run::{audit_run, population};
use crate::support::{provenant, run};

const PASSWORD: &str = "s3cret-pg-Pa55";

struct Pg {
    _dir: tempfile::TempDir,
    data: PathBuf,
    bin: PathBuf,
    port: u16,
    nobody: bool,
}

fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Pg {
    fn cmd(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if self.nobody {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn start() -> Option<Self> {
        let Some(bin) = pg_bin() else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "PostgreSQL is missing (apt-get install postgresql)"
            );
            println!("skipping: PostgreSQL (initdb, pg_ctl) is not installed");
            return None;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let nobody = is_root();
        let data = dir.path().join("data");
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, PASSWORD).expect("pwfile");
        if nobody {
            for p in [dir.path(), pwfile.as_path()] {
                std::os::unix::fs::chown(p, Some(65534), Some(65534)).expect("chown");
            }
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let mut pg = Self {
            _dir: dir,
            data,
            bin,
            port,
            nobody,
        };
        let ok = pg
            .cmd("initdb")
            .arg("-D")
            .arg(&pg.data)
            .args([
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .expect("initdb");
        assert!(
            ok.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
        let sock = pg.data.parent().map(Path::to_path_buf).unwrap_or_default();
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c max_connections=40",
            pg.port,
            sock.display()
        );
        let log = sock.join("log");
        let ok = pg
            .cmd("pg_ctl")
            .arg("-D")
            .arg(&pg.data)
            .args(["-w", "-t", "60", "-o", &opts, "-l"])
            .arg(&log)
            .arg("start")
            .output()
            .expect("pg_ctl");
        assert!(
            ok.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&ok.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        pg.port = port;
        Some(pg)
    }

    fn url(&self, password: bool) -> String {
        if password {
            format!(
                "postgres://postgres:{PASSWORD}@127.0.0.1:{}/postgres",
                self.port
            )
        } else {
            format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
        }
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = self
            .cmd("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

fn rows_of(url: &str, audit_id: &str) -> provenant_audit::Rows {
    let t = provenant_audit::target(url, None, None).expect("url");
    provenant_audit::read_back(&t, audit_id).expect("read back")
}

fn expected(pack: &Path) -> (String, provenant_audit::Rows) {
    let rows = provenant_audit::read_sqlite(&pack.join("results.db")).expect("results.db");
    let id = match rows.of("audit").first().and_then(|r| r.first()) {
        Some(provenant_audit::Val::Text(s)) => s.clone(),
        _ => panic!("no audit row"),
    };
    (id, provenant_audit::sorted(&rows))
}

#[test]
fn three_concurrent_shards_and_a_rerun_store_exactly_the_unsharded_rows() {
    let Some(pg) = Pg::start() else { return };
    let pop = population();
    let d = pop.path();
    let (rc_all, _, err) = audit_run(d, "all", &["--size", "9"]);
    assert!(rc_all == 1, "{err}");
    let (audit_id, want) = expected(&d.join("all"));

    // Three parts at once, the password from PGPASSWORD (never printed).
    let exe = |args: Vec<String>| {
        let mut c = provenant();
        c.current_dir(d)
            .args([
                "audit",
                "run",
                "--population",
                "pop.csv",
                "--seed",
                "audit-2025",
            ])
            .args([
                "--policy",
                "policy.yaml",
                "--trusted-root",
                "trusted_root.json",
            ])
            .args(["--effective-time", "2025-07-01T00:00:00Z", "--size", "9"])
            .args(args)
            .env("PGPASSWORD", PASSWORD);
        c
    };
    let url = pg.url(false);
    let mut children = Vec::new();
    for i in 0..3 {
        let mut c = exe(vec![
            "--shard".into(),
            format!("{i}/3"),
            "--out".into(),
            format!("part{i}"),
            "--store".into(),
            url.clone(),
        ]);
        c.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        children.push(c.spawn().expect("spawn"));
    }
    for c in children {
        let out = c.wait_with_output().expect("wait");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(matches!(out.status.code(), Some(0 | 1)), "{text}");
        assert!(!text.contains(PASSWORD), "{text}");
    }
    // A re-run of part 1 (as a failed pod re-runs) writes the same rows again.
    let (rc, out, err) = run(&mut exe(vec![
        "--shard".into(),
        "1/3".into(),
        "--out".into(),
        "part1-again".into(),
        "--store".into(),
        pg.url(true),
    ]));
    assert!(rc == 0 || rc == 1, "{err}");
    assert!(
        !out.contains(PASSWORD) && !err.contains(PASSWORD),
        "{out}{err}"
    );
    // Every release table already holds the unsharded rows; the audit row's outcome comes with
    // the merge.
    let got = rows_of(&pg.url(true), &audit_id);
    for t in provenant_audit::TABLES.iter().filter(|t| t.name != "audit") {
        assert_eq!(got.of(t.name), want.of(t.name), "table {}", t.name);
    }
    let (rc, _, err) = run(provenant()
        .current_dir(d)
        .args([
            "audit", "merge", "part0", "part1", "part2", "--out", "merged", "--store",
        ])
        .arg(pg.url(true)));
    assert_eq!(rc, rc_all, "{err}");
    assert_eq!(rows_of(&pg.url(true), &audit_id), want);
}

#[test]
fn postgres_down_is_exit_3_with_the_pack_written_and_bad_credentials_exit_2() {
    let pop = population();
    let d = pop.path();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let (rc, out, err) = audit_run(
        d,
        "pack",
        &[
            "--size",
            "2",
            "--store",
            &format!("postgres://postgres:{PASSWORD}@127.0.0.1:{port}/postgres"),
        ],
    );
    assert_eq!(rc, 3, "{out}{err}");
    assert!(d.join("pack/results.db").is_file());
    assert!(
        !out.contains(PASSWORD) && !err.contains(PASSWORD),
        "{out}{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    // A URL that is not one: exit 2 before anything runs.
    let (rc, _, err) = audit_run(
        d,
        "pack2",
        &[
            "--size",
            "2",
            "--store",
            &format!("mysql://u:{PASSWORD}@h/db"),
        ],
    );
    assert_eq!(rc, 2, "{err}");
    assert!(!err.contains(PASSWORD), "{err}");
    assert!(!d.join("pack2").exists());

    let Some(pg) = Pg::start() else { return };
    let wrong = format!(
        "postgres://postgres:wrong-{PASSWORD}@127.0.0.1:{}/postgres",
        pg.port
    );
    let (rc, out, err) = audit_run(d, "pack3", &["--size", "2", "--store", &wrong]);
    assert_eq!(rc, 2, "{out}{err}");
    assert!(
        !out.contains(PASSWORD) && !err.contains(PASSWORD),
        "{out}{err}"
    );
    // .pgpass, as libpq reads it.
    let pgpass = d.join("pgpass");
    std::fs::write(
        &pgpass,
        format!("127.0.0.1:{}:postgres:postgres:{PASSWORD}\n", pg.port),
    )
    .expect("pgpass");
    let (rc, out, err) = run(provenant()
        .current_dir(d)
        .args([
            "audit",
            "run",
            "--population",
            "pop.csv",
            "--seed",
            "audit-2025",
        ])
        .args([
            "--policy",
            "policy.yaml",
            "--trusted-root",
            "trusted_root.json",
        ])
        .args(["--size", "2", "--out", "pack4", "--store", &pg.url(false)])
        .env("PGPASSFILE", &pgpass));
    assert!(rc == 0 || rc == 1, "{out}{err}");
    assert!(
        out.contains("stored in postgres://postgres@127.0.0.1"),
        "{out}"
    );

    // A database whose tables are not this schema's: refused (exit 2), never written into.
    let psql = |db: &str, sql: &str| {
        let out = pg
            .cmd("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &pg.port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql])
            .env("PGPASSWORD", PASSWORD)
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    psql("postgres", "CREATE DATABASE other");
    psql("other", "CREATE TABLE checks (audit_id TEXT, x INTEGER)");
    let other = format!("postgres://postgres:{PASSWORD}@127.0.0.1:{}/other", pg.port);
    let (rc, out, err) = audit_run(d, "pack5", &["--size", "2", "--store", &other]);
    assert_eq!(rc, 2, "{out}{err}");
    assert!(err.contains("table checks has other columns"), "{err}");
    assert!(!err.contains(PASSWORD), "{err}");
}
