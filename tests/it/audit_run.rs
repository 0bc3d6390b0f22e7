//! `provenant audit run | replay | merge` as processes: a population built from testdata/ with
//! deliberate deviations, the pack's contents, replay and its tamper detection, shards merged.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{provenant, root, run};

const COMMIT: &str = "5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5";
const WRONG_COMMIT: &str = "0000000000000000000000000000000000000000";
const WHEN: &str = "2025-07-01T00:00:00Z";

/// A population of 9 releases in a fresh temporary directory: 4 that verify and 5 deviations
/// (unsigned, tampered bundle, wrong commit, evidence path missing, image subject).
pub(crate) fn population() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let t = root().join("testdata");
    let copy = |from: PathBuf, to: &str| {
        std::fs::copy(&from, d.join(to)).expect("copy testdata");
    };
    copy(t.join("release/hello-provenant.txt"), "hello.txt");
    copy(
        t.join("release/hello-provenant.txt.sigstore.json"),
        "hello.sigstore.json",
    );
    copy(
        t.join("release/hello-provenant.intoto.sigstore.json"),
        "hello.intoto.sigstore.json",
    );
    copy(
        t.join("release/tampered/bad-signature.sigstore.json"),
        "tampered.sigstore.json",
    );
    copy(t.join("trust/trusted_root.json"), "trusted_root.json");
    std::fs::write(
        d.join("policy.yaml"),
        "apiVersion: provenant.dev/v1\nsigners:\n  - issuer: https://token.actions.githubusercontent.com\n    identity: https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0\n",
    )
    .expect("policy");
    let rows = [
        format!("ok-1,hello.txt,hello.intoto.sigstore.json,{COMMIT}"),
        "ok-2,hello.txt,hello.sigstore.json,".to_owned(),
        format!("ok-3,hello.txt,hello.intoto.sigstore.json;hello.sigstore.json,{COMMIT}"),
        "ok-4,hello.txt,hello.sigstore.json,".to_owned(),
        "unsigned,hello.txt,,".to_owned(),
        "tampered,hello.txt,tampered.sigstore.json,".to_owned(),
        format!("wrong-commit,hello.txt,hello.intoto.sigstore.json,{WRONG_COMMIT}"),
        "missing-evidence,hello.txt,gone.sigstore.json,".to_owned(),
        // An image that is not there (a layout directory that does not exist): not tested.
        "image,oci-layout:no-such-layout:v1,,".to_owned(),
    ];
    std::fs::write(
        d.join("pop.csv"),
        format!("id,subject,bundle,commit\n{}\n", rows.join("\n")),
    )
    .expect("population");
    dir
}

pub(crate) fn audit_run(d: &Path, out: &str, extra: &[&str]) -> (i32, String, String) {
    run(provenant()
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
        .args(["--effective-time", WHEN, "--out", out])
        .args(extra))
}

pub(crate) fn pack_json(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("pack.json")).expect("pack.json"))
        .expect("pack.json is JSON")
}

/// (id, verdict, failed checks) per release, in selection order.
fn verdicts(pack: &Value) -> Vec<(String, String, Vec<String>)> {
    pack["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .map(|r| {
            (
                r["plan"]["id"].as_str().unwrap_or_default().to_owned(),
                r["verdict"].as_str().unwrap_or_default().to_owned(),
                r["failed_checks"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|c| c.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn verdict_of<'a>(
    v: &'a [(String, String, Vec<String>)],
    id: &str,
) -> &'a (String, String, Vec<String>) {
    v.iter().find(|r| r.0 == id).expect("release in the pack")
}

#[test]
fn audit_run_counts_every_deviation_and_writes_the_pack() {
    let pop = population();
    let d = pop.path();
    let (rc, out, err) = audit_run(d, "pack", &["--size", "9"]);
    // No tolerable rate: no conclusion, and a deviation makes it exit 1.
    assert_eq!(rc, 1, "{out}{err}");
    let pack = pack_json(&d.join("pack"));
    assert_eq!(pack["outcome"]["tested"], 9);
    assert_eq!(pack["outcome"]["deviations"], 5);
    assert_eq!(pack["outcome"]["not_tested"], 2);
    assert!(pack["outcome"]["conclusion"].is_null());
    let v = verdicts(&pack);
    for ok in ["ok-1", "ok-2", "ok-3", "ok-4"] {
        assert_eq!(verdict_of(&v, ok).1, "pass", "{ok}");
    }
    assert_eq!(verdict_of(&v, "unsigned").2, ["evidence-missing"]);
    assert_eq!(verdict_of(&v, "tampered").2, ["signature-invalid"]);
    assert_eq!(verdict_of(&v, "wrong-commit").2, ["source-commit-mismatch"]);
    assert_eq!(verdict_of(&v, "missing-evidence").1, "not-tested");
    assert_eq!(verdict_of(&v, "image").1, "not-tested");
    // Every file read is in evidence/, the population too; reports as verify --format json.
    let population_sha = pack["population"]["sha256"].as_str().expect("sha");
    assert!(d.join("pack/evidence").join(population_sha).is_file());
    for r in pack["releases"].as_array().expect("releases") {
        for f in r["files"].as_array().expect("files") {
            if let Some(sha) = f["sha256"].as_str() {
                assert!(d.join("pack/evidence").join(sha).is_file(), "{f}");
            }
        }
    }
    let report: Value = serde_json::from_slice(
        &std::fs::read(d.join("pack/reports/wrong-commit.json")).expect("report"),
    )
    .expect("report JSON");
    assert_eq!(report["verdict"], "fail");
    for s in ["summary.md", "summary.html"] {
        let text = std::fs::read_to_string(d.join("pack").join(s)).expect("summary");
        assert!(text.contains("wrong-commit"), "{s}");
    }
    // MANIFEST.sha256 is in sha256sum format.
    if let Ok(o) = std::process::Command::new("sha256sum")
        .current_dir(d.join("pack"))
        .args(["-c", "--quiet", "MANIFEST.sha256"])
        .output()
    {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    }
}

#[test]
fn audit_run_concludes_with_the_tolerable_rate() {
    let pop = population();
    let d = pop.path();
    // 9 of 9 with 5 deviations: far above a 5 % tolerable rate.
    let (rc, _, err) = audit_run(
        d,
        "pack",
        &[
            "--size",
            "9",
            "--confidence",
            "0.95",
            "--tolerable-rate",
            "0.05",
        ],
    );
    assert_eq!(rc, 1, "{err}");
    assert_eq!(
        pack_json(&d.join("pack"))["outcome"]["conclusion"],
        "not-effective"
    );
    // Only passing releases: a population of the four good ones, no tolerable rate: exit 0.
    let csv = std::fs::read_to_string(d.join("pop.csv")).expect("pop");
    let good: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("id,") || l.starts_with("ok-"))
        .collect();
    std::fs::write(d.join("pop.csv"), good.join("\n") + "\n").expect("write");
    let (rc, _, err) = audit_run(d, "pack2", &["--size", "4"]);
    assert_eq!(rc, 0, "{err}");
}

#[test]
fn audit_run_refuses_bad_input_with_exit_2() {
    let pop = population();
    let d = pop.path();
    std::fs::create_dir(d.join("full")).expect("mkdir");
    std::fs::write(d.join("full/x"), "x").expect("write");
    let (rc, _, _) = audit_run(d, "full", &["--size", "2"]);
    assert_eq!(rc, 2, "a non-empty --out is refused");
    let (rc, _, _) = audit_run(d, "p", &["--size", "2", "--policy", "nope.yaml"]);
    assert_eq!(rc, 2, "an unreadable --policy is bad input");
    let (rc, _, _) = audit_run(d, "p", &["--size", "10"]);
    assert_eq!(rc, 2, "a sample larger than the population");
    let (rc, _, _) = audit_run(d, "p", &["--size", "2", "--shard", "3/3"]);
    assert_eq!(rc, 2, "a shard index out of range");
    assert!(!d.join("p").exists());
}

#[test]
fn audit_run_same_seed_same_verdicts_across_jobs() {
    let pop = population();
    let d = pop.path();
    let (rc1, _, _) = audit_run(d, "p1", &["--size", "7", "--jobs", "1"]);
    let (rc4, _, _) = audit_run(d, "p4", &["--size", "7", "--jobs", "4"]);
    assert_eq!(rc1, rc4);
    let (a, b) = (pack_json(&d.join("p1")), pack_json(&d.join("p4")));
    assert_eq!(verdicts(&a), verdicts(&b));
    assert_eq!(a, b, "the whole pack.json is the same");
    assert_eq!(
        std::fs::read(d.join("p1/MANIFEST.sha256")).expect("m1"),
        std::fs::read(d.join("p4/MANIFEST.sha256")).expect("m4"),
    );
}

pub(crate) fn replay(dir: &Path) -> (i32, String, String) {
    run(provenant().args(["audit", "replay"]).arg(dir))
}

#[test]
fn audit_replay_reproduces_and_detects_changed_added_removed_files() {
    let pop = population();
    let d = pop.path();
    audit_run(d, "pack", &["--size", "9"]);
    // Replay needs nothing but the pack: the population directory's files are gone.
    let pack = d.join("moved");
    std::fs::rename(d.join("pack"), &pack).expect("move");
    for f in [
        "hello.txt",
        "hello.sigstore.json",
        "trusted_root.json",
        "policy.yaml",
    ] {
        std::fs::remove_file(d.join(f)).expect("rm");
    }
    let (rc, out, err) = replay(&pack);
    assert_eq!(rc, 0, "{out}{err}");

    let report = pack.join("reports/ok-1.json");
    let original = std::fs::read(&report).expect("report");
    std::fs::write(&report, b"{}").expect("change");
    let (rc, out, _) = replay(&pack);
    assert_eq!(rc, 1);
    assert!(out.contains("changed file reports/ok-1.json"), "{out}");
    std::fs::write(&report, &original).expect("restore");

    std::fs::write(pack.join("evidence/extra"), b"x").expect("add");
    let (rc, out, _) = replay(&pack);
    assert_eq!(rc, 1);
    assert!(out.contains("added file evidence/extra"), "{out}");
    std::fs::remove_file(pack.join("evidence/extra")).expect("rm");

    std::fs::remove_file(pack.join("summary.md")).expect("remove");
    let (rc, out, _) = replay(&pack);
    assert_eq!(rc, 1);
    assert!(out.contains("removed file summary.md"), "{out}");

    let (rc, _, _) = replay(&d.join("no-such-pack"));
    assert_eq!(rc, 2);
}

#[test]
fn audit_replay_detects_a_verdict_rewritten_with_a_regenerated_manifest() {
    let pop = population();
    let d = pop.path();
    audit_run(d, "pack", &["--size", "9"]);
    let pack = d.join("pack");
    // Flip a failed release to pass in pack.json and re-hash the manifest: the manifest is
    // intact, but re-performing the verification shows the lie.
    let mut p = pack_json(&pack);
    for r in p["releases"].as_array_mut().expect("releases") {
        if r["plan"]["id"] == "tampered" {
            r["verdict"] = "pass".into();
            r["failed_checks"] = Value::Array(vec![]);
        }
    }
    std::fs::write(
        pack.join("pack.json"),
        serde_json::to_vec_pretty(&p).expect("json"),
    )
    .expect("write");
    let manifest = std::process::Command::new("sha256sum")
        .current_dir(&pack)
        .args(["pack.json", "summary.md", "summary.html"])
        .output();
    let Ok(m) = manifest else { return };
    let mut lines: Vec<String> = std::fs::read_to_string(pack.join("MANIFEST.sha256"))
        .expect("manifest")
        .lines()
        .filter(|l| !l.ends_with("  pack.json"))
        .map(str::to_owned)
        .collect();
    lines.extend(
        String::from_utf8_lossy(&m.stdout)
            .lines()
            .filter(|l| l.ends_with("  pack.json"))
            .map(str::to_owned),
    );
    lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
    std::fs::write(pack.join("MANIFEST.sha256"), lines.join("\n") + "\n").expect("manifest");
    let (rc, out, _) = replay(&pack);
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("release tampered"), "{out}");
    assert!(!out.contains("changed file"), "{out}");
}

#[test]
fn audit_shards_merged_equal_the_unsharded_pack() {
    let pop = population();
    let d = pop.path();
    let (rc_all, _, _) = audit_run(d, "all", &["--size", "9"]);
    for i in 0..3 {
        let (rc, _, err) = audit_run(
            d,
            &format!("part{i}"),
            &["--size", "9", "--shard", &format!("{i}/3")],
        );
        assert!(rc == 0 || rc == 1, "{err}");
    }
    let merge = |out: &str, parts: &[&str]| {
        run(provenant()
            .current_dir(d)
            .args(["audit", "merge"])
            .args(parts)
            .args(["--out", out]))
    };
    let (rc, _, err) = merge("merged", &["part0", "part1", "part2"]);
    assert_eq!(rc, rc_all, "{err}");
    let (all, merged) = (pack_json(&d.join("all")), pack_json(&d.join("merged")));
    assert_eq!(verdicts(&all), verdicts(&merged));
    assert_eq!(all, merged);
    assert_eq!(
        std::fs::read(d.join("all/summary.md")).expect("a"),
        std::fs::read(d.join("merged/summary.md")).expect("m"),
    );
    // results.db is derived from the pack alone: the merged one is the unsharded one, byte
    // for byte.
    assert_eq!(
        std::fs::read(d.join("all/results.db")).expect("a"),
        std::fs::read(d.join("merged/results.db")).expect("m"),
    );
    let (rc, out, err) = replay(&d.join("merged"));
    assert_eq!(rc, 0, "{out}{err}");

    // A part given twice, a missing part, a part of another seed: refused.
    let (rc, _, err) = merge("m2", &["part0", "part1", "part1"]);
    assert_eq!(rc, 2, "{err}");
    let (rc, _, err) = merge("m3", &["part0", "part2"]);
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("missing"), "{err}");
    run(provenant()
        .current_dir(d)
        .args(["audit", "run", "--population", "pop.csv", "--seed", "other"])
        .args([
            "--policy",
            "policy.yaml",
            "--trusted-root",
            "trusted_root.json",
        ])
        .args([
            "--effective-time",
            WHEN,
            "--size",
            "9",
            "--shard",
            "1/3",
            "--out",
            "other1",
        ]));
    let (rc, _, err) = merge("m4", &["part0", "other1", "part2"]);
    assert_eq!(rc, 2, "{err}");
    assert!(!d.join("m2").exists() && !d.join("m3").exists() && !d.join("m4").exists());
}

#[test]
fn audit_shard_from_the_environment() {
    let pop = population();
    let d = pop.path();
    let base = |out: &str| {
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
            .args([
                "--effective-time",
                WHEN,
                "--size",
                "9",
                "--shard-total",
                "3",
                "--out",
                out,
            ])
            .env_remove("JOB_COMPLETION_INDEX")
            .env_remove("CI_NODE_INDEX")
            .env_remove("CI_NODE_TOTAL");
        c
    };
    run(base("k8s").env("JOB_COMPLETION_INDEX", "1"));
    run(base("gitlab")
        .env("CI_NODE_INDEX", "2")
        .env("CI_NODE_TOTAL", "3"));
    let (k, g) = (pack_json(&d.join("k8s")), pack_json(&d.join("gitlab")));
    assert_eq!(k["shard"]["index"], 1);
    assert_eq!(k, g, "GitLab's 1-based index 2 is part 1");
    let (rc, _, _) = run(&mut base("none"));
    assert_eq!(rc, 2, "--shard-total without an index in the environment");
}

/// A pack holds only files and directories: a FIFO (which would block the reader forever) or a
/// link (which could point outside the pack) makes the pack unreadable, exit 2, promptly.
#[test]
fn audit_replay_refuses_links_and_fifos_in_a_pack() {
    let pop = population();
    let d = pop.path();
    audit_run(d, "pack", &["--size", "2"]);
    let pack = d.join("pack");
    std::os::unix::fs::symlink("/etc/hostname", pack.join("evidence/link")).expect("symlink");
    let (rc, out, err) = replay(&pack);
    assert_eq!(rc, 2, "{out}{err}");
    assert!(err.contains("not a regular file"), "{err}");
    std::fs::remove_file(pack.join("evidence/link")).expect("rm");
    let fifo = pack.join("evidence/fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if made {
        let (rc, _, err) = replay(&pack);
        assert_eq!(rc, 2, "{err}");
        assert!(err.contains("not a regular file"), "{err}");
    }
}

/// A population naming a FIFO as evidence: the release is a deviation (not a regular file) and
/// the run ends, instead of blocking on the FIFO.
#[test]
fn audit_run_refuses_a_fifo_as_evidence_without_blocking() {
    let pop = population();
    let d = pop.path();
    let made = std::process::Command::new("mkfifo")
        .arg(d.join("fifo.sigstore.json"))
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipping: mkfifo is not available");
        return;
    }
    std::fs::write(
        d.join("pop.csv"),
        "id,subject,bundle,commit\nfifo,hello.txt,fifo.sigstore.json,\n",
    )
    .expect("population");
    let (rc, out, err) = audit_run(d, "pack", &["--size", "1"]);
    assert_eq!(rc, 1, "{out}{err}");
    let pack = std::fs::read_to_string(d.join("pack/pack.json")).expect("pack.json");
    assert!(pack.contains("not a regular file"), "{pack}");
}

/// Issue 16: image subjects. Each image is collected once (a real registry on 127.0.0.1, an
/// OCI layout beside the population), every answer recorded into the pack; the replay collects
/// again from the recording alone, with the registry gone, and reaches the same verdicts. An
/// unreachable registry is a deviation and makes the run exit 3, the pack still written.
#[test]
fn audit_run_verifies_images_and_replays_them_offline() {
    use provenant_testkit::oci::{cosign_keyless_sig_layer, digest_tag, evidence_manifest, image};
    use provenant_testkit::oci::{write_layout, TestRegistry};
    use provenant_testkit::{MintSpec, TestPki, DEFAULT_IDENTITY, GITHUB_ACTIONS_ISSUER};

    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let pki = TestPki::new(16);
    std::fs::write(d.join("root.json"), pki.trusted_root_json()).expect("root");
    std::fs::write(
        d.join("policy.yaml"),
        format!(
            "apiVersion: provenant.dev/v1\nsigners:\n  - issuer: {GITHUB_ACTIONS_ISSUER}\n    identity: {DEFAULT_IDENTITY}\n"
        ),
    )
    .expect("policy");
    let spec = MintSpec {
        signing_time: jiff::Timestamp::now().as_second() - 3600,
        ..MintSpec::default()
    };
    // A signed image in the registry, by digest; an unsigned one, by tag.
    let signed = image("audit-signed", "linux", "amd64");
    reg.push("audit", &signed, Some("v1"));
    let sd = signed.digest();
    let sig = evidence_manifest(
        vec![cosign_keyless_sig_layer(
            &pki,
            &spec,
            &reg.repo("audit"),
            &sd,
        )],
        None,
        None,
    );
    reg.push("audit", &sig, Some(&format!("{}.sig", digest_tag(&sd))));
    let unsigned = image("audit-unsigned", "linux", "amd64");
    reg.push("audit2", &unsigned, Some("v1"));
    // A signed image in an OCI layout next to the population (a relative path).
    let local = image("audit-layout", "linux", "amd64");
    let ld = local.digest();
    let lsig = evidence_manifest(
        vec![cosign_keyless_sig_layer(
            &pki,
            &spec,
            "example.com/app",
            &ld,
        )],
        None,
        None,
    );
    write_layout(
        &d.join("layout"),
        &[&local, &lsig],
        &[(&local, "v1"), (&lsig, &format!("{}.sig", digest_tag(&ld)))],
    );
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let rows = [
        format!("reg-signed,{}@{sd}", reg.repo("audit")),
        format!("reg-unsigned,{}:v1", reg.repo("audit2")),
        "layout-signed,oci-layout:layout:v1".to_owned(),
        format!("unreachable,127.0.0.1:{closed}/app:v1"),
    ];
    std::fs::write(
        d.join("pop.csv"),
        format!("id,subject\n{}\n", rows.join("\n")),
    )
    .expect("population");
    let (rc, out, err) = run(provenant().current_dir(d).args([
        "audit",
        "run",
        "--population",
        "pop.csv",
        "--seed",
        "images",
        "--size",
        "4",
        "--policy",
        "policy.yaml",
        "--trusted-root",
        "root.json",
        "--out",
        "pack",
    ]));
    assert_eq!(rc, 3, "an unreachable registry: exit 3\n{out}{err}");
    let pack = pack_json(&d.join("pack"));
    let v = verdicts(&pack);
    assert_eq!(verdict_of(&v, "reg-signed").1, "pass", "{pack:#}");
    assert_eq!(verdict_of(&v, "layout-signed").1, "pass", "{pack:#}");
    assert_eq!(verdict_of(&v, "reg-unsigned").1, "fail", "{pack:#}");
    assert_eq!(verdict_of(&v, "unreachable").1, "not-tested", "{pack:#}");
    assert_eq!(pack["outcome"]["deviations"], 2);
    assert_eq!(pack["outcome"]["unreachable"], true);
    let report: Value = serde_json::from_slice(
        &std::fs::read(d.join("pack/reports/reg-signed.json")).expect("report"),
    )
    .expect("report JSON");
    assert_eq!(report["subject"]["digests"][0], sd.as_str(), "{report:#}");
    // The registry goes away: the replay needs nothing but the pack.
    drop(reg);
    let (rc, out, err) = run(provenant().args(["audit", "replay"]).arg(d.join("pack")));
    assert_eq!(rc, 0, "{out}{err}");
    assert!(out.contains("every verdict reproduced"), "{out}");
    // A blob the recording names is taken out of the pack (and out of its manifest): the
    // collection cannot be re-performed, and the replay says which release differs.
    let release = pack["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .find(|r| r["plan"]["id"] == "reg-signed")
        .expect("reg-signed");
    let recording_sha = release["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["role"] == "image")
        .and_then(|f| f["sha256"].as_str())
        .expect("the recording is a file of the release");
    let recording: Value = serde_json::from_slice(
        &std::fs::read(d.join("pack/evidence").join(recording_sha)).expect("recording"),
    )
    .expect("recording JSON");
    let blob_sha = recording["blobs"]
        .as_object()
        .expect("blobs")
        .values()
        .find_map(|b| b["Ok"].as_str())
        .expect("a recorded blob")
        .to_owned();
    std::fs::remove_file(d.join("pack/evidence").join(&blob_sha)).expect("remove");
    let manifest = std::fs::read_to_string(d.join("pack/MANIFEST.sha256")).expect("manifest");
    let kept: String = manifest
        .lines()
        .filter(|l| !l.contains(&blob_sha))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(d.join("pack/MANIFEST.sha256"), kept).expect("manifest");
    let (rc, out, _) = run(provenant().args(["audit", "replay"]).arg(d.join("pack")));
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("release reg-signed"), "{out}");
}
