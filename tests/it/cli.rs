//! The CLI as a process: exit codes, bad input, help text.

use std::io::Write;

use crate::support::{provenant, run};

const DIGEST: &str = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
    p.to_string_lossy().into_owned()
}

/// Exit code and stderr of `verify artifact --digest D --bundle <bytes>` with an identity.
fn verify_bundle_bytes(bytes: &[u8]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let b = write(&dir, "b.json", bytes);
    run(provenant().args([
        "verify",
        "artifact",
        "--digest",
        DIGEST,
        "--bundle",
        &b,
        "--certificate-identity",
        "someone@example.com",
    ]))
}

#[test]
fn help_for_every_command_and_flag() {
    for args in [
        vec!["--help"],
        vec!["verify", "--help"],
        vec!["verify", "artifact", "--help"],
        vec!["inspect", "--help"],
        vec!["provenance", "--help"],
    ] {
        let (rc, out, _) = run(provenant().args(&args));
        assert_eq!(rc, 0, "{args:?}");
        assert!(out.contains("Usage"), "{args:?}");
    }
    let (_, out, _) = run(provenant().args(["verify", "artifact", "--help"]));
    for flag in [
        "--digest",
        "--bundle",
        "--certificate-identity",
        "--certificate-identity-regexp",
        "--certificate-oidc-issuer",
        "--certificate-oidc-issuer-regexp",
        "--trusted-root",
        "--key",
        "--offline",
        "--format",
        "--out",
        "--threshold",
    ] {
        assert!(out.contains(flag), "--help lacks {flag}");
    }
    assert!(
        out.contains("ANCHORED"),
        "--help must say regexps are anchored"
    );
}

#[test]
fn no_evidence_is_a_failure_never_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "app.bin", b"release bytes");
    let (rc, out, _) =
        run(provenant().args(["verify", "artifact", &f, "--certificate-identity", "x"]));
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("evidence-missing"), "{out}");
    let (rc, out, _) =
        run(provenant().args(["verify", "artifact", "--digest", DIGEST, "--format", "json"]));
    assert_eq!(rc, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "fail");
    assert_eq!(v["checks"][0]["code"], "evidence-missing");
}

#[test]
fn usage_errors_exit_2() {
    let cases: &[&[&str]] = &[
        &["verify", "artifact"],
        &["verify", "artifact", "--digest", "md5:00"],
        &["verify", "artifact", "--digest", "sha256:zz"],
        &["verify", "artifact", "/nonexistent/file"],
        &[
            "verify",
            "artifact",
            "--digest",
            DIGEST,
            "--bundle",
            "/nonexistent/b.json",
        ],
        &[
            "verify",
            "artifact",
            "--digest",
            DIGEST,
            "--trusted-root",
            "/nonexistent/root.json",
        ],
        &[
            "verify",
            "artifact",
            "--digest",
            DIGEST,
            "--certificate-identity-regexp",
            "(",
        ],
        &[
            "verify",
            "artifact",
            "--digest",
            DIGEST,
            "--key",
            "/nonexistent.pub",
        ],
        &["inspect", "/nonexistent"],
        &["frobnicate"],
    ];
    for args in cases {
        let (rc, _, err) = run(provenant().args(*args));
        assert_eq!(rc, 2, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.trim().is_empty(), "{args:?}: no message");
    }
}

#[test]
fn bad_bundles_fail_with_one_line_and_never_pass() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let dup = br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","mediaType":"x"}"#;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verif"#.to_vec(), "evidence-unreadable"),
        ("empty", Vec::new(), "evidence-unreadable"),
        ("binary", vec![0xff, 0xfe, 0x00, 0x01], "evidence-unreadable"),
        ("deep", deep.into_bytes(), "evidence-unreadable"),
        ("duplicate keys", dup.to_vec(), "evidence-unreadable"),
        ("unknown media type", br#"{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=9.9"}"#.to_vec(), "bundle-malformed"),
        ("not a bundle", br#"{"hello":"world"}"#.to_vec(), "bundle-malformed"),
        ("wrong shape", br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":7}"#.to_vec(), "bundle-malformed"),
    ];
    for (name, bytes, code) in cases {
        let (rc, out, err) = verify_bundle_bytes(&bytes);
        assert_eq!(rc, 1, "{name}: {out}{err}");
        assert!(out.contains(code), "{name}: expected {code}\n{out}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn oversized_evidence_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.json");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(provenant_formats::limits::MAX_EVIDENCE_BYTES + 10)
        .unwrap();
    let (rc, _, err) = run(provenant().args([
        "verify",
        "artifact",
        "--digest",
        DIGEST,
        "--bundle",
        p.to_str().unwrap(),
        "--certificate-identity",
        "x",
    ]));
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("limit"), "{err}");
}

#[test]
fn evidence_files_together_are_bounded() {
    // Each file is under the per-file limit; together they are over the total, so nothing is
    // read (parsed evidence is held until the verdict: 80 such files took 2 GB before).
    use provenant_formats::limits::{MAX_EVIDENCE_BYTES, MAX_EVIDENCE_TOTAL_BYTES};
    let dir = tempfile::tempdir().unwrap();
    let n = MAX_EVIDENCE_TOTAL_BYTES / (MAX_EVIDENCE_BYTES - 1) + 1;
    for i in 0..n {
        let f = std::fs::File::create(dir.path().join(format!("e{i}.json"))).unwrap();
        f.set_len(MAX_EVIDENCE_BYTES - 1).unwrap();
    }
    let (rc, _, err) = run(provenant().args([
        "verify",
        "artifact",
        "--digest",
        DIGEST,
        "--attestations",
        dir.path().to_str().unwrap(),
        "--certificate-identity",
        "x",
    ]));
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("total"), "{err}");
    assert!(
        err.starts_with("error: ") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn wrong_key_types_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let not_pem = write(&dir, "k.pub", b"hello");
    let cert_pem = write(
        &dir,
        "c.pem",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    for k in [not_pem, cert_pem] {
        let (rc, _, err) =
            run(provenant().args(["verify", "artifact", "--digest", DIGEST, "--key", &k]));
        assert_eq!(rc, 2, "{err}");
        assert!(
            err.starts_with("error: ") && err.lines().count() == 1,
            "{err}"
        );
    }
}

#[test]
fn inspect_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = write(&dir, "g.json", b"{not json");
    let (rc, out, _) = run(provenant().args(["inspect", &garbage]));
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("MALFORMED") && out.contains("nothing verified"));
    let stmt = write(
        &dir,
        "s.json",
        br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}"#,
    );
    let (rc, out, _) = run(provenant().args(["inspect", &stmt, "--format", "json"]));
    assert_eq!(rc, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["kind"], "in-toto-statement");
    assert_eq!(v["verified"], false);
}

#[test]
fn attestations_directory_and_provenance_flag() {
    use crate::support::root;
    let dir = tempfile::tempdir().unwrap();
    let t = root().join("testdata");
    std::fs::copy(
        t.join("release/hello-provenant.intoto.sigstore.json"),
        dir.path().join("a.json"),
    )
    .unwrap();
    std::fs::copy(
        t.join("release/tampered/bad-signature.sigstore.json"),
        dir.path().join("b.json"),
    )
    .unwrap();
    let common: [String; 8] = [
        "--trusted-root".into(),
        t.join("trust/trusted_root.json")
            .to_str()
            .unwrap()
            .to_owned(),
        "--certificate-identity".into(),
        provenant_testkit::DEFAULT_IDENTITY.into(),
        "--certificate-oidc-issuer".into(),
        provenant_testkit::GITHUB_ACTIONS_ISSUER.into(),
        "--commit".into(),
        provenant_testkit::DEFAULT_COMMIT.into(),
    ];
    let artifact = t.join("release/hello-provenant.txt");
    let (rc, out, err) = run(provenant()
        .args([
            "verify",
            "artifact",
            artifact.to_str().unwrap(),
            "--attestations",
            dir.path().to_str().unwrap(),
        ])
        .args(&common));
    assert_eq!(rc, 0, "{out}{err}");
    assert!(out.contains("source-commit-matches"), "{out}");
    let (rc, _, _) = run(provenant()
        .args([
            "verify",
            "artifact",
            artifact.to_str().unwrap(),
            "--provenance",
            dir.path().join("b.json").to_str().unwrap(),
        ])
        .args(&common));
    assert_eq!(rc, 1);
    let empty = tempfile::tempdir().unwrap();
    let (rc, _, err) = run(provenant()
        .args([
            "verify",
            "artifact",
            artifact.to_str().unwrap(),
            "--attestations",
            empty.path().to_str().unwrap(),
        ])
        .args(&common));
    assert_eq!(rc, 2, "{err}");
}

/// Issue 13, class 7: every flag whose value has a grammar refuses a value that does not follow
/// it, before anything runs: exit 2, with the expected form in the message. `--signer-repo
/// OWNER` alone used to match every repository of that owner.
#[test]
fn flags_that_name_things_are_validated() {
    let cases: &[(&str, &str, &str)] = &[
        ("--signer-repo", "octo-org", "OWNER/REPO"),
        ("--signer-repo", "octo-org/app/extra", "OWNER/REPO"),
        ("--repo", "github.com/octo-org/app", "OWNER/REPO"),
        ("--owner", "octo-org/app", "OWNER"),
        (
            "--source-uri",
            "github.com/o/r@refs/tags/v1",
            "without @ref",
        ),
        ("--source-uri", "github.com", "HOST/OWNER/REPO"),
        ("--source-tag", "refs/tags/v1", "name alone"),
        ("--source-branch", "a..b", "name alone"),
        ("--source-versioned-tag", "1.2", "vMAJOR"),
        ("--source-versioned-tag", "v1-evil.9", "vMAJOR"),
        ("--source-ref", "main", "refs/heads/main"),
        ("--commit", "abc123", "40 (SHA-1) or 64"),
        ("--source-digest", "abc123", "40 (SHA-1) or 64"),
        ("--builder-id", "github-hosted", "URI"),
        (
            "--signer-workflow",
            "o/r/.github/workflows/r.yml@refs/heads/main",
            "without @ref",
        ),
        ("--predicate-type", "slsa provenance", "SCHEME:"),
        (
            "--certificate-oidc-issuer",
            "token.actions.githubusercontent.com",
            "https://HOST",
        ),
        ("--certificate-identity", "a b", "SAN"),
        ("--certificate-oidc-issuer-regexp", "(", "regexp"),
        ("--threshold", "0", "1 to 64"),
        ("--build-workflow-input", "=x", "KEY=VALUE"),
    ];
    for (flag, value, form) in cases {
        for cmd in [
            &["verify", "artifact"][..],
            &["verify", "image"],
            &["provenance"],
        ] {
            // `verify image` names its subject by reference; it has no --digest.
            let subject: &[&str] = if cmd == ["verify", "image"] {
                &["oci-layout:/nonexistent"]
            } else {
                &["--digest", DIGEST]
            };
            let (rc, _, err) = run(provenant()
                .args(cmd)
                .args(subject)
                .arg(format!("{flag}={value}")));
            assert_eq!(rc, 2, "{cmd:?} {flag} {value:?}: {err}");
            assert!(err.contains(form), "{flag} {value:?}: {err}");
        }
    }
    // The policy file's values follow the same grammar (its own line numbers).
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        &dir,
        "p.yaml",
        b"apiVersion: provenant.dev/v1\nsource:\n  owner: octo-org/app\n  signerWorkflow: o/r/x.yml@refs/heads/main\n",
    );
    let (rc, out, _) = run(provenant().args(["policy", "lint", &policy]));
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains(":3: error") && out.contains("OWNER"), "{out}");
    assert!(
        out.contains(":4: error") && out.contains("without @ref"),
        "{out}"
    );
    let (rc, _, err) = run(provenant().args([
        "verify", "artifact", "--digest", DIGEST, "--policy", &policy,
    ]));
    assert_eq!(rc, 2, "{err}");
    let (rc, _, err) = run(provenant().args(["policy", "init", "--repo", "octo-org"]));
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("OWNER/REPO"), "{err}");
}

fn json_checks(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or(serde_json::Value::Null)
}

fn has_check(v: &serde_json::Value, code: &str, outcome: &str) -> bool {
    v["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["code"] == code && c["outcome"] == outcome)
}

/// Issue 13, class 11: a keyless signature verified without an expected OIDC issuer fails, as
/// in cosign; `--certificate-oidc-issuer-regexp '.*'` accepts any issuer explicitly and the
/// report records it; a GitHub source (`--repo`) implies GitHub Actions' issuer, as gh does.
#[test]
fn keyless_signatures_need_an_issuer() {
    let base = [
        "verify",
        "artifact",
        "testdata/release/hello-provenant.txt",
        "--trusted-root",
        "testdata/trust/trusted_root.json",
        "--format",
        "json",
    ];
    let identity = [
        "--certificate-identity",
        "https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0",
    ];
    let go = |extra: &[&str]| {
        let (rc, out, err) = run(provenant()
            .current_dir(crate::support::root())
            .args(base)
            .args(extra));
        (rc, json_checks(&out), format!("{out}{err}"))
    };
    let (rc, v, all) = go(&identity);
    assert_eq!(rc, 1, "{all}");
    assert!(
        has_check(&v, "signer-issuer-unconstrained", "fail"),
        "{all}"
    );

    let (rc, v, all) = go(&[
        identity[0],
        identity[1],
        "--certificate-oidc-issuer-regexp",
        ".*",
    ]);
    assert_eq!(rc, 0, "{all}");
    assert!(has_check(&v, "opt-out-used", "warn"), "{all}");
    assert_eq!(
        v["opt_outs"][0]["name"], "certificate-oidc-issuer-regexp",
        "{all}"
    );

    let (rc, v, all) = go(&["--repo", "provenant-test/app"]);
    assert_eq!(rc, 0, "{all}");
    assert!(has_check(&v, "signer-issuer-matches", "pass"), "{all}");
    assert_eq!(v["opt_outs"], serde_json::json!([]), "{all}");
}

/// Issue 13, class 11: an SBOM with no components has no coverage to speak of; it fails every
/// `--min-*-coverage` floor instead of reporting 100 %.
#[test]
fn an_empty_sbom_fails_every_coverage_floor() {
    let dir = tempfile::tempdir().unwrap();
    let sbom = write(
        &dir,
        "empty.cdx.json",
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"timestamp":"2026-01-01T00:00:00Z","tools":{"components":[{"type":"application","name":"t"}]}},"components":[]}"#,
    );
    for floor in [
        "--min-purl-coverage",
        "--min-hash-coverage",
        "--min-license-coverage",
    ] {
        let (rc, out, err) =
            run(provenant().args(["sbom", "check", &sbom, floor, "1", "--format", "json"]));
        assert_eq!(rc, 1, "{floor}: {out}{err}");
        assert!(
            has_check(&json_checks(&out), "sbom-quality-below", "fail"),
            "{floor}: {out}"
        );
    }
}

/// Issue 14, class 2: a requirement stated beside `--vsa` that a VSA cannot show (source or
/// package policy, SBOMs, gates, other evidence) is refused, never silently left unchecked.
#[test]
fn vsa_refuses_requirements_it_cannot_show() {
    let dir = tempfile::tempdir().unwrap();
    let vsa = dir.path().join("vsa.json");
    std::fs::write(&vsa, b"{}").unwrap();
    let key = dir.path().join("k.pub");
    std::fs::write(&key, b"not read").unwrap();
    let digest = format!("sha256:{}", "ab".repeat(32));
    for extra in [
        &["--source-uri", "github.com/org/app"][..],
        &["--package-name", "app"],
        &["--commit", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
        &["--require-sbom"],
        &["--bundle", "other.json"],
    ] {
        let (code, _, err) = run(provenant()
            .args([
                "verify",
                "artifact",
                "--digest",
                &digest,
                "--vsa",
                &vsa.to_string_lossy(),
                "--key",
                &key.to_string_lossy(),
                "--verifier-id",
                "https://verifier.example",
                "--resource-uri",
                "https://resource.example",
            ])
            .args(extra));
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains("--vsa"), "{extra:?}: {err}");
    }
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef provenant"),
        ("fish", "complete -c provenant"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (rc, out, err) = run(provenant().args(["completions", shell]));
        assert_eq!(rc, 0, "{shell}: {err}");
        assert!(out.contains(marker), "{shell}: {out}");
        // Every subcommand and a flag deep down are completed.
        assert!(
            out.contains("verify") && out.contains("certificate-identity"),
            "{shell}"
        );
    }
    let (rc, _, _) = run(provenant().args(["completions", "tcsh"]));
    assert_eq!(rc, 2);
}

#[test]
fn version_names_the_commit_and_build_date() {
    let (rc, out, err) = run(provenant().arg("--version"));
    assert_eq!(rc, 0, "{err}");
    let line = out.trim();
    let rest = line
        .strip_prefix(&format!("provenant {} (commit ", env!("CARGO_PKG_VERSION")))
        .unwrap_or_else(|| panic!("{line}"));
    let (commit, rest) = rest
        .split_once(", built ")
        .unwrap_or_else(|| panic!("{line}"));
    assert!(
        commit == "unknown"
            || (commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{line}"
    );
    let date = rest.strip_suffix(')').unwrap_or_else(|| panic!("{line}"));
    assert!(
        jiff::civil::Date::strptime("%Y-%m-%d", date).is_ok(),
        "{line}"
    );
}

#[test]
fn short_o_is_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let root = crate::support::root();
    let (rc, _, err) = run(provenant().current_dir(&root).args([
        "verify",
        "artifact",
        "testdata/release/hello-provenant.txt",
        "--trusted-root",
        "testdata/trust/trusted_root.json",
        "--certificate-identity",
        "https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0",
        "--certificate-oidc-issuer",
        "https://token.actions.githubusercontent.com",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]));
    assert_eq!(rc, 0, "{err}");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(report["verdict"], "pass");
}

/// The `provenant ...` commands of a help text's examples, continuation lines joined.
fn example_commands(help: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut current: Option<String> = None;
    for line in help.lines() {
        let line = line.trim();
        match current.as_mut() {
            Some(c) => c.push_str(line.trim_end_matches('\\')),
            None if line.starts_with("provenant ") => {
                current = Some(line.trim_end_matches('\\').to_owned());
            }
            None => continue,
        }
        if !line.ends_with('\\') {
            let c = current.take().unwrap();
            commands.push(c.split_whitespace().map(str::to_owned).collect());
        }
    }
    commands
}

#[test]
fn verify_artifact_short_help_is_short_and_its_examples_run_as_written() {
    let (rc, short, _) = run(provenant().args(["verify", "artifact", "-h"]));
    assert_eq!(rc, 0);
    let (rc, long, _) = run(provenant().args(["verify", "artifact", "--help"]));
    assert_eq!(rc, 0);
    assert!(short.lines().count() * 3 < long.lines().count(), "{short}");
    assert!(short.contains("--certificate-identity") && !short.contains("--max-critical"));
    assert!(long.contains("--max-critical"));
    // Every example, in both, runs as written from a checkout (testdata/ beside the cwd) and
    // passes.
    let dir = tempfile::tempdir().unwrap();
    let linked = dir.path().join("testdata");
    std::os::unix::fs::symlink(crate::support::root().join("testdata"), &linked).unwrap();
    for help in [&short, &long] {
        let commands = example_commands(help);
        assert_eq!(commands.len(), 3, "{help}");
        for command in commands {
            assert_eq!(command[0], "provenant");
            let (rc, out, err) = run(provenant().current_dir(dir.path()).args(&command[1..]));
            assert_eq!(rc, 0, "{command:?}: {out}{err}");
        }
    }
    assert!(dir.path().join("report.json").is_file());
}

#[test]
fn sbom_diff_refuses_mermaid_instead_of_printing_json() {
    let dir = tempfile::tempdir().unwrap();
    let sbom = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "components": [{"type": "library", "name": "a", "version": "1.0.0",
                        "purl": "pkg:cargo/a@1.0.0"}]
    });
    let path = write(&dir, "a.json", sbom.to_string().as_bytes());
    let (rc, out, err) =
        run(provenant().args(["sbom", "diff", &path, &path, "--format", "mermaid"]));
    assert_eq!(rc, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    let (rc, out, err) = run(provenant().args(["sbom", "diff", &path, &path, "--format", "json"]));
    assert_eq!(rc, 0, "{err}");
    assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok());
}

/// `inspect FILE --format json`: (exit code, kind, well_formed).
fn inspect_kind(path: &str) -> (i32, String, bool) {
    let (rc, out, err) = run(provenant().args(["inspect", path, "--format", "json"]));
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{path}: {e}: {out}{err}"));
    (
        rc,
        v["kind"].as_str().unwrap_or_default().to_owned(),
        v["well_formed"] == true,
    )
}

#[test]
fn inspect_never_calls_a_valid_key_signature_or_contract_record_malformed() {
    let root = crate::support::root();
    let t = |p: &str| root.join("testdata").join(p).to_string_lossy().into_owned();
    assert_eq!(
        inspect_kind(&t("keys/cosign.pub")),
        (0, "public-key".into(), true)
    );
    assert_eq!(
        inspect_kind(&t("release/hello-provenant.txt.sig")),
        (0, "cosign-signature".into(), true)
    );
    // Foundry and Hardhat compiler artifacts, written here in their published shapes.
    let dir = tempfile::tempdir().unwrap();
    let foundry = serde_json::json!({
        "abi": [], "bytecode": {"object": "0x6080", "sourceMap": "", "linkReferences": {}},
        "deployedBytecode": {"object": "0x60", "sourceMap": "", "linkReferences": {}},
        "methodIdentifiers": {}, "id": 3
    });
    let hardhat = serde_json::json!({
        "_format": "hh-sol-artifact-1", "contractName": "Storage",
        "sourceName": "contracts/Storage.sol", "abi": [], "bytecode": "0x6080",
        "deployedBytecode": "0x60", "linkReferences": {}, "deployedLinkReferences": {}
    });
    for (name, doc, kind) in [
        ("Foundry.json", &foundry, "foundry-artifact"),
        ("Hardhat.json", &hardhat, "hardhat-artifact"),
    ] {
        let p = write(&dir, name, doc.to_string().as_bytes());
        assert_eq!(inspect_kind(&p), (0, kind.into(), true), "{name}");
    }
    // Bytecode that is not hex is malformed for that kind, not unknown.
    let mut bad = hardhat.clone();
    bad["bytecode"] = serde_json::json!("0xZZ");
    let p = write(&dir, "bad.json", bad.to_string().as_bytes());
    assert_eq!(inspect_kind(&p), (1, "hardhat-artifact".into(), false));
    // A PEM block that claims to be a key but is not one is a malformed key.
    let p = write(
        &dir,
        "bad.pub",
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    );
    assert_eq!(inspect_kind(&p), (1, "public-key".into(), false));
    // The corpus's records, when it is there.
    if let Some(corpus) = crate::support::corpus() {
        for (file, kind) in [
            (
                "contracts/foundry-broadcast/forge-std-broadcast.log.json",
                "foundry-broadcast",
            ),
            (
                "contracts/hardhat/build-info-output.json",
                "hardhat-build-info",
            ),
            (
                "contracts/hardhat-deploy/ens-mainnet/SHA256Digest.json",
                "hardhat-deployment",
            ),
            (
                "contracts/sourcify/Storage/metadata.json",
                "solidity-metadata",
            ),
            (
                "contracts/sourcify/Storage/artifact.json",
                "contract-artifact",
            ),
        ] {
            let p = corpus.join(file).to_string_lossy().into_owned();
            assert_eq!(inspect_kind(&p), (0, kind.into(), true), "{file}");
        }
    }
}

#[test]
fn inspect_says_not_recognised_with_its_own_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let text = write(&dir, "notes.txt", b"hello, world\n");
    let (rc, out, _) = run(provenant().args(["inspect", &text]));
    assert_eq!(rc, 2, "{out}");
    assert!(
        out.contains("NOT RECOGNISED") && !out.contains("MALFORMED"),
        "{out}"
    );
    let toml = write(&dir, "Cargo.toml", b"[package]\nname = \"x\"\n");
    assert_eq!(inspect_kind(&toml), (2, "unknown".into(), false));
    // Valid JSON of no known shape, and JSON-LD that is no SPDX 3 document: not recognised,
    // never labelled an SBOM.
    for (name, doc) in [
        ("hello.json", serde_json::json!({"hello": "world"})),
        (
            "ld.json",
            serde_json::json!({"@context": "https://schema.org", "@type": "Person", "name": "x"}),
        ),
        ("bom.json", serde_json::json!({"bomFormat": "NotCycloneDX"})),
    ] {
        let p = write(&dir, name, doc.to_string().as_bytes());
        assert_eq!(inspect_kind(&p), (2, "unknown".into(), false), "{name}");
    }
    // Broken JSON stays malformed JSON (exit 1), as before.
    let broken = write(&dir, "broken.json", b"{\"a\": ");
    assert_eq!(inspect_kind(&broken), (1, "json".into(), false));
    // inspect has no mermaid: refused, never JSON under that name.
    let (rc, out, _) = run(provenant().args(["inspect", &broken, "--format", "mermaid"]));
    assert_eq!(rc, 2);
    assert!(out.is_empty(), "{out}");
}

#[test]
fn a_wrong_trusted_root_names_the_root_used_and_the_flag() {
    // The bundled example is signed by the test instance: checked against the default
    // (public-good) root, its log entry fails, and the reason says which root was used and how
    // to select another.
    let root = crate::support::root();
    let identity = [
        "--certificate-identity",
        "https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0",
        "--certificate-oidc-issuer",
        "https://token.actions.githubusercontent.com",
        "--format",
        "json",
    ];
    let cases: [(&[&str], &str, &str); 3] = [
        (&[], "tlog-promise-invalid", "embedded:public-good"),
        (
            &["--trusted-root", "staging"],
            "tlog-promise-invalid",
            "embedded:staging",
        ),
        (
            &[
                "--trusted-root",
                "testdata/trust/trusted_root.json",
                "--bundle",
                "testdata/release/tampered/sct-from-untrusted-log.sigstore.json",
            ],
            "sct-invalid",
            "testdata/trust/trusted_root.json",
        ),
    ];
    for (extra, code, root_name) in cases {
        let (rc, out, err) = run(provenant()
            .current_dir(&root)
            .args(["verify", "artifact", "testdata/release/hello-provenant.txt"])
            .args(extra)
            .args(identity));
        assert_eq!(rc, 1, "{extra:?}: {err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        let check = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code && c["outcome"] == "fail")
            .unwrap_or_else(|| panic!("{extra:?}: no failed {code}: {out}"));
        let reason = check["reason"].as_str().unwrap();
        assert!(
            reason.contains(&format!("trusted root {root_name}"))
                && reason.contains("--trusted-root"),
            "{reason}"
        );
    }
}
