//! The GitHub Action (action.yml running scripts/action/entry.sh) under a simulated Actions
//! environment: INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_SHA, RUNNER_TEMP,
//! and the binary under test as `provenant-path`. Checked: the exit code, the outputs, the step
//! summary, the annotations (and that nothing taken from the evidence can forge one), and the
//! installer's checksum verification against a release tree served from file://. Needs bash,
//! python3, curl, tar and sha256sum, as a runner has.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{root, run};

const SUBJECT: &str = "testdata/release/hello-provenant.txt";
const TRUSTED_ROOT: &str = "testdata/trust/trusted_root.json";
const IDENTITY: &str =
    "https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The commit the example's signing certificate records.
const COMMIT: &str = "5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5";
const OTHER_COMMIT: &str = "0000000000000000000000000000000000000001";
const TARGET: &str = "x86_64-unknown-linux-gnu";

/// One simulated step's result.
struct Step {
    rc: i32,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
    summary: String,
    /// RUNNER_TEMP, holding the reports the outputs point to.
    _dir: tempfile::TempDir,
}

impl Step {
    /// The workflow commands the runner would act on: lines starting with `::`, except those
    /// between `::stop-commands::TOKEN` and `::TOKEN::`.
    fn commands(&self) -> Vec<&str> {
        let mut commands = Vec::new();
        let mut stopped: Option<String> = None;
        for line in self.stdout.lines() {
            if let Some(token) = &stopped {
                if line == format!("::{token}::") {
                    stopped = None;
                }
            } else if let Some(token) = line.strip_prefix("::stop-commands::") {
                stopped = Some(token.to_owned());
            } else if line.starts_with("::") {
                commands.push(line);
            }
        }
        assert!(
            stopped.is_none(),
            "commands never resumed:\n{}",
            self.stdout
        );
        commands
    }

    fn output(&self, name: &str) -> &str {
        self.outputs
            .get(name)
            .unwrap_or_else(|| panic!("no output {name}: {:?}", self.outputs))
    }

    fn context(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.rc, self.stdout, self.stderr
        )
    }
}

/// `bash scripts/action/entry.sh` in a clean environment (only PATH is inherited) that looks
/// like a Linux x64 runner's; `inputs` are action inputs by their action.yml names.
fn step_command(dir: &Path, inputs: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/action/entry.sh"))
        .current_dir(root())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", dir.join("output"))
        .env("GITHUB_STEP_SUMMARY", dir.join("summary"))
        .env("GITHUB_SHA", COMMIT)
        .env("GITHUB_EVENT_NAME", "push")
        .env("GITHUB_WORKSPACE", root())
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("RUNNER_TEMP", dir)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64");
    for (name, value) in inputs {
        cmd.env(
            format!("INPUT_{}", name.to_uppercase().replace('-', "_")),
            value,
        );
    }
    cmd
}

fn finish(dir: tempfile::TempDir, cmd: &mut Command) -> Step {
    let (rc, stdout, stderr) = run(cmd);
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap_or_default();
    Step {
        rc,
        outputs: parse_outputs(&read("output")),
        summary: read("summary"),
        stdout,
        stderr,
        _dir: dir,
    }
}

fn step(inputs: &[(&str, &str)]) -> Step {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = step_command(dir.path(), inputs);
    finish(dir, &mut cmd)
}

/// The bundled example's inputs with the binary under test, then `extra` (later wins).
fn example<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut inputs = vec![
        ("subject", SUBJECT),
        ("trusted-root", TRUSTED_ROOT),
        ("certificate-identity", IDENTITY),
        ("certificate-oidc-issuer", ISSUER),
        ("provenant-path", env!("CARGO_BIN_EXE_provenant")),
    ];
    for (name, value) in extra {
        inputs.retain(|(n, _)| n != name);
        inputs.push((name, value));
    }
    inputs
}

/// `$GITHUB_OUTPUT` in the delimiter form: `NAME<<DELIM`, value lines, `DELIM`. Every
/// delimiter must be unguessable (a value could otherwise end it and set other outputs).
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let (name, delimiter) = line
            .split_once("<<")
            .unwrap_or_else(|| panic!("not the delimiter form: {line:?}"));
        let random = delimiter.strip_prefix("ghadelimiter_").unwrap_or_default();
        assert!(
            random.len() == 32 && random.bytes().all(|b| b.is_ascii_hexdigit()),
            "guessable delimiter {delimiter:?}"
        );
        let mut value = Vec::new();
        for line in lines.by_ref() {
            if line == delimiter {
                break;
            }
            value.push(line);
        }
        outputs.insert(name.to_owned(), value.join("\n"));
    }
    outputs
}

fn report(step: &Step) -> serde_json::Value {
    let path = step.output("report-path");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn outcome<'a>(report: &'a serde_json::Value, code: &str) -> Option<&'a str> {
    report["checks"]
        .as_array()?
        .iter()
        .find(|c| c["code"] == code)?["outcome"]
        .as_str()
}

#[test]
fn action_passes_the_bundled_example() {
    // expected-commit is not set: the script falls back to GITHUB_SHA, as action.yml's default.
    let step = step(&example(&[]));
    assert_eq!(step.rc, 0, "{}", step.context());
    assert_eq!(step.output("verdict"), "pass");
    let report = report(&step);
    assert_eq!(report["verdict"], "pass");
    assert_eq!(outcome(&report, "source-commit-matches"), Some("pass"));
    assert!(
        step.summary.to_lowercase().contains("pass") && step.summary.contains('|'),
        "step summary: {}",
        step.summary
    );
    assert!(
        !step.commands().iter().any(|c| c.starts_with("::error")),
        "{}",
        step.context()
    );
    let markdown = step.output("markdown-path");
    assert_eq!(std::fs::read_to_string(markdown).unwrap(), step.summary);
    for name in ["sarif-path", "vsa-path"] {
        let path = step.output(name);
        assert!(
            path.is_empty() || Path::new(path).is_file(),
            "{name}={path}"
        );
    }
}

#[test]
fn action_verifies_a_digest_with_the_bundle_input() {
    // A digest subject becomes --digest; the bundle input is a whitespace-separated list.
    let digest = "sha256:ec3ada6c49015fcb553aa2b672985f7f76d2fee475581f1d002acba898976544";
    let bundle = "\n  testdata/release/hello-provenant.txt.sigstore.json \n";
    let step = step(&example(&[("subject", digest), ("bundle", bundle)]));
    assert_eq!(step.rc, 0, "{}", step.context());
    assert!(step
        .stdout
        .contains(&format!(" --digest {digest} --bundle ")));
    assert_eq!(report(&step)["verdict"], "pass");
}

#[test]
fn action_fails_the_step_on_a_wrong_identity() {
    let wrong = "https://github.com/provenant-test/app/.github/workflows/evil.yml@refs/tags/v1.0.0";
    let step = step(&example(&[("certificate-identity", wrong)]));
    assert_eq!(step.rc, 1, "{}", step.context());
    assert_eq!(step.output("verdict"), "fail");
    assert_eq!(report(&step)["verdict"], "fail");
    assert!(
        step.commands()
            .iter()
            .any(|c| c.starts_with("::error title=signer-identity-mismatch::")),
        "{}",
        step.context()
    );
    assert!(
        step.summary.to_lowercase().contains("fail"),
        "{}",
        step.summary
    );
}

#[test]
fn action_fails_on_another_commit_and_checks_none_when_told() {
    let step_ = step(&example(&[("expected-commit", OTHER_COMMIT)]));
    assert_eq!(step_.rc, 1, "{}", step_.context());
    assert!(
        step_
            .commands()
            .iter()
            .any(|c| c.starts_with("::error title=source-commit-mismatch::")),
        "{}",
        step_.context()
    );
    // `none` (never an empty value, which is the default) means no commit expectation.
    let step_ = step(&example(&[("expected-commit", "none")]));
    assert_eq!(step_.rc, 0, "{}", step_.context());
    assert_eq!(outcome(&report(&step_), "source-commit-matches"), None);
    assert!(
        step_.stdout.contains("expected commit: none"),
        "{}",
        step_.context()
    );
}

/// The step for `inputs` with GITHUB_EVENT_NAME set to `event` (None: unset, a local run).
fn step_on(event: Option<&str>, inputs: &[(&str, &str)]) -> Step {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = step_command(dir.path(), inputs);
    match event {
        Some(event) => cmd.env("GITHUB_EVENT_NAME", event),
        None => cmd.env_remove("GITHUB_EVENT_NAME"),
    };
    finish(dir, &mut cmd)
}

#[test]
fn action_expected_commit_is_github_sha_only_for_a_push_event() {
    // A push: github.sha is the commit that was built, and the log says where it came from.
    let push = step_on(Some("push"), &example(&[]));
    assert_eq!(push.rc, 0, "{}", push.context());
    assert!(
        push.stdout.contains(&format!(
            "expected commit: {COMMIT} (github.sha of this push event)"
        )),
        "{}",
        push.context()
    );
    assert_eq!(
        outcome(&report(&push), "source-commit-matches"),
        Some("pass")
    );
    // Any other event (a pull request's github.sha is a merge commit) or none at all: the input
    // is required; the step fails before provenant runs, never with a silent commit.
    for event in [
        Some("pull_request"),
        Some("schedule"),
        Some("workflow_dispatch"),
        None,
    ] {
        let step = step_on(event, &example(&[]));
        assert_eq!(step.rc, 2, "{event:?}: {}", step.context());
        assert_eq!(step.output("verdict"), "fail");
        assert!(
            step.commands().iter().any(|c| c.starts_with("::error")
                && c.contains("expected-commit is required")
                && c.contains(event.unwrap_or("no GitHub event"))),
            "{event:?}: {}",
            step.context()
        );
        // Given explicitly, it is used and the log says so.
        let given = step_on(event, &example(&[("expected-commit", COMMIT)]));
        assert_eq!(given.rc, 0, "{event:?}: {}", given.context());
        assert!(
            given.stdout.contains("(from the expected-commit input)"),
            "{}",
            given.context()
        );
        assert_eq!(
            outcome(&report(&given), "source-commit-matches"),
            Some("pass")
        );
    }
}

#[test]
fn action_args_with_spaces_reach_provenant_intact() {
    // One argument per line (a YAML block), or one line split as a shell would: either way
    // "dast:OWASP ZAP" is one argument, so the gate is required by that name (and, with no DAST
    // report given, the verdict fails).
    for args in [
        "--require-gate\n  dast:OWASP ZAP  \n",
        "--require-gate 'dast:OWASP ZAP'",
        "--require-gate dast:OWASP\\ ZAP",
    ] {
        let step = step(&example(&[("args", args)]));
        assert_eq!(step.rc, 1, "{args:?}: {}", step.context());
        assert!(
            step.stdout.contains(" --require-gate dast:OWASP\\ ZAP "),
            "{args:?}: {}",
            step.context()
        );
        let report = report(&step);
        let checks = report["checks"].as_array().unwrap();
        assert!(
            checks.iter().any(|c| c["outcome"] == "fail"
                && c["reason"].as_str().unwrap_or("").contains("OWASP ZAP")),
            "{args:?}: {report:#}"
        );
    }
    // An unclosed quote is bad usage, never a guess.
    let step = step(&example(&[("args", "--require-gate 'dast:OWASP ZAP")]));
    assert_eq!(step.rc, 2, "{}", step.context());
    assert!(
        step.commands()
            .iter()
            .any(|c| c.starts_with("::error") && c.contains("args is not a command line")),
        "{}",
        step.context()
    );
}

#[test]
fn action_fail_on_failure_false_keeps_the_verdict_and_annotations() {
    let step = step(&example(&[
        ("certificate-identity", "https://example.com/other"),
        ("fail-on-failure", "false"),
    ]));
    assert_eq!(step.rc, 0, "{}", step.context());
    assert_eq!(step.output("verdict"), "fail");
    let commands = step.commands();
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("::error title=signer-identity-mismatch::")),
        "{}",
        step.context()
    );
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("::warning") && c.contains("fail-on-failure")),
        "{}",
        step.context()
    );
}

#[test]
fn action_bad_usage_and_unreachable_sources_fail_the_step_always() {
    // Exit 2 (unreadable subject) and 3 (a loopback registry nobody listens on), even with
    // fail-on-failure false; an image reference is recognised as one without subject-type.
    for (subject, rc, kind) in [
        ("testdata/release/no-such-file.txt", 2, "artifact"),
        ("oci-layout:testdata/no-such-layout", 2, "image"),
        ("127.0.0.1:1/app:v1", 3, "image"),
    ] {
        let step = step(&example(&[
            ("subject", subject),
            ("fail-on-failure", "false"),
        ]));
        assert_eq!(step.rc, rc, "{subject}: {}", step.context());
        assert_eq!(step.output("verdict"), "fail");
        assert_eq!(step.output("report-path"), "");
        assert!(
            step.stdout.contains(&format!(" verify {kind} ")),
            "{subject}: {}",
            step.context()
        );
        assert!(
            step.commands().iter().any(|c| c.starts_with(&format!(
                "::error title=provenant action::provenant exited with {rc}"
            ))),
            "{subject}: {}",
            step.context()
        );
        assert!(
            step.summary.contains(&format!("exited with {rc}")),
            "{}",
            step.summary
        );
    }
    let step = step(&example(&[("fail-on-failure", "maybe")]));
    assert_eq!(step.rc, 2, "{}", step.context());
    assert_eq!(step.output("verdict"), "fail");
}

#[test]
fn action_never_drops_a_policy_it_cannot_apply() {
    // A policy that cannot be read (or a provenant without --policy / --rego) is exit 2, never
    // a verification without it.
    for input in ["policy", "rego"] {
        let step = step(&example(&[
            (input, "testdata/no-such-policy"),
            ("fail-on-failure", "false"),
        ]));
        assert_eq!(step.rc, 2, "{input}: {}", step.context());
        assert_eq!(step.output("verdict"), "fail");
    }
}

#[test]
fn action_output_from_the_evidence_cannot_forge_workflow_commands() {
    // The expected identity is echoed in the failed check's reason and in provenant's own
    // output: neither may become a command, and '%' must not decode to a newline.
    let identity = "https://x%0A::warning::pwned::add-mask::x";
    // A raw newline in it is refused as a flag value (issue 13, class 7: exit 2), and the
    // refusal forges nothing either.
    let raw = step(&example(&[(
        "certificate-identity",
        "https://x%0A\n::warning::pwned\r\n::add-mask::x",
    )]));
    assert_eq!(raw.rc, 2, "{}", raw.context());
    for command in raw.commands() {
        assert!(
            [
                "::error title=",
                "::warning title=",
                "::group::",
                "::endgroup::"
            ]
            .iter()
            .any(|p| command.starts_with(p)),
            "forged or unexpected command {command:?}\n{}",
            raw.context()
        );
    }
    let step = step(&example(&[("certificate-identity", identity)]));
    assert_eq!(step.rc, 1, "{}", step.context());
    assert!(step.stdout.contains("pwned"), "{}", step.context());
    let commands = step.commands();
    for command in &commands {
        assert!(
            [
                "::error title=",
                "::warning title=",
                "::group::",
                "::endgroup::"
            ]
            .iter()
            .any(|p| command.starts_with(p)),
            "forged or unexpected command {command:?}\n{}",
            step.context()
        );
    }
    let error = commands
        .iter()
        .find(|c| c.starts_with("::error title=signer-identity-mismatch::"))
        .unwrap_or_else(|| panic!("{}", step.context()));
    assert!(error.contains("https://x%250A"), "{error}");
}

#[test]
fn report_helper_escapes_annotations_and_summary_cells() {
    let dir = tempfile::tempdir().unwrap();
    let crafted = dir.path().join("report.json");
    let report = serde_json::json!({
        "verdict": "fail",
        "subject": {"name": "a|b", "digests": []},
        "checks": [
            {"code": "evil:code,x\n::add-mask::y", "outcome": "fail",
             "reason": "line1\r\n::error::injected %0A <script>|",
             "evidence": [{"kind": "file", "location": "a\nb"}]},
            {"code": "w", "outcome": "warn", "reason": "careful", "evidence": []},
            {"code": "ok", "outcome": "pass", "reason": "fine", "evidence": []},
        ],
    });
    std::fs::write(&crafted, report.to_string()).unwrap();
    let helper = root().join("scripts/action/report.py");
    let (rc, out, err) = run(Command::new("python3")
        .arg(&helper)
        .arg("annotate")
        .arg(&crafted));
    assert_eq!(rc, 0, "{err}");
    // Line breaks from the evidence are shown escaped (one annotation line), then the
    // workflow-command escaping applies.
    assert_eq!(
        out,
        "::error title=evil%3Acode%2Cx\\n%3A%3Aadd-mask%3A%3Ay::line1\\r\\n::error::injected \
         %250A <script>| [evidence: a\\nb]\n::warning title=w::careful\n"
    );
    let (rc, out, err) = run(Command::new("python3")
        .arg(&helper)
        .arg("markdown")
        .arg(&crafted));
    assert_eq!(rc, 0, "{err}");
    let row = out
        .lines()
        .find(|l| l.contains("injected"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        row.contains("line1\\\\r\\\\n::error::injected %0A &lt;script&gt;\\|"),
        "{row}"
    );
    assert!(
        row.starts_with("| fail |") && row.contains("a\\\\nb"),
        "{row}"
    );
    assert!(!out.contains("a|b") && out.contains("a\\|b"), "{out}");
    // Not a report: refused, so the script falls back to failing the step.
    std::fs::write(&crafted, r#"{"verdict": "maybe", "checks": []}"#).unwrap();
    let (rc, _, _) = run(Command::new("python3")
        .arg(&helper)
        .arg("verdict")
        .arg(&crafted));
    assert_eq!(rc, 2);
}

/// A release tree as GitHub serves it, under `base`: `REPO/releases/download/TAG/ASSET`, with a
/// stand-in provenant that records in `ran` that it was run, then runs the real one.
fn fake_release(base: &Path, repo: &str, tag: &str, ran: &Path) -> PathBuf {
    let release = base.join(repo).join("releases/download").join(tag);
    let name = format!("provenant-{tag}-{TARGET}");
    let staging = base.join("staging");
    std::fs::create_dir_all(staging.join(&name)).unwrap();
    std::fs::create_dir_all(&release).unwrap();
    let binary = staging.join(&name).join("provenant");
    std::fs::write(
        &binary,
        format!(
            "#!/bin/sh\ntouch '{}'\nexec '{}' \"$@\"\n",
            ran.display(),
            env!("CARGO_BIN_EXE_provenant")
        ),
    )
    .unwrap();
    let (rc, _, err) = run(Command::new("chmod").arg("755").arg(&binary));
    assert_eq!(rc, 0, "{err}");
    let asset = release.join(format!("{name}.tar.gz"));
    let (rc, _, err) = run(Command::new("tar")
        .arg("-czf")
        .arg(&asset)
        .arg("-C")
        .arg(&staging)
        .arg(&name));
    assert_eq!(rc, 0, "{err}");
    asset
}

fn sha256_line(asset: &Path) -> String {
    let (rc, out, err) = run(Command::new("sha256sum").arg(asset));
    assert_eq!(rc, 0, "{err}");
    let sum = out.split_whitespace().next().unwrap();
    format!("{sum}  {}\n", asset.file_name().unwrap().to_string_lossy())
}

/// A stand-in `gh` under `dir` that appends its arguments to `dir/gh.log` and exits `rc`.
fn fake_gh(dir: &Path, rc: i32) -> PathBuf {
    let gh = dir.join("gh");
    std::fs::write(
        &gh,
        format!(
            "#!/bin/sh\necho \"$@\" >>'{}'\nexit {rc}\n",
            dir.join("gh.log").display()
        ),
    )
    .unwrap();
    let (code, _, err) = run(Command::new("chmod").arg("755").arg(&gh));
    assert_eq!(code, 0, "{err}");
    gh
}

/// The action installing provenant `tag` from `releases` (as acme/provenant used at that tag),
/// with `gh` checking the build provenance.
fn install_step(releases: &Path, gh: &Path) -> Step {
    install_step_at(releases, gh, "v9.9.9")
}

/// The action used at `git_ref` (`uses: acme/provenant@REF`).
fn install_step_at(releases: &Path, gh: &Path, git_ref: &str) -> Step {
    let dir = tempfile::tempdir().unwrap();
    let inputs = example(&[]);
    let inputs: Vec<_> = inputs
        .into_iter()
        .filter(|(name, _)| *name != "provenant-path")
        .collect();
    let mut cmd = step_command(dir.path(), &inputs);
    cmd.env(
        "GITHUB_ACTION_PATH",
        dir.path().join("_actions/acme/provenant").join(git_ref),
    )
    .env(
        "PROVENANT_ACTION_RELEASES_URL",
        format!("file://{}", releases.display()),
    )
    .env("PROVENANT_ACTION_GH", gh);
    finish(dir, &mut cmd)
}

#[test]
fn action_installs_a_release_only_when_its_checksum_matches() {
    let releases = tempfile::tempdir().unwrap();
    let ran = releases.path().join("ran");
    let asset = fake_release(releases.path(), "acme/provenant", "v9.9.9", &ran);
    let sums = asset.with_file_name("SHA256SUMS");
    let good = sha256_line(&asset);

    let tools = tempfile::tempdir().unwrap();
    let gh = fake_gh(tools.path(), 0);

    // Repository and tag come from the action's checkout path; the sum matches: it runs.
    std::fs::write(&sums, format!("{}  other.tar.gz\n{good}", "1".repeat(64))).unwrap();
    let step = install_step(releases.path(), &gh);
    assert_eq!(step.rc, 0, "{}", step.context());
    assert_eq!(step.output("verdict"), "pass");
    assert!(
        step.stdout.contains("matches SHA256SUMS"),
        "{}",
        step.context()
    );
    assert!(ran.exists());

    // A wrong sum, no sum for the asset, no SHA256SUMS at all: refused before it ever runs.
    let name = asset.file_name().unwrap().to_string_lossy().into_owned();
    for (case, sums_text) in [
        ("mismatch", Some(format!("{}  {name}\n", "0".repeat(64)))),
        (
            "no sum",
            Some(format!("{}  other.tar.gz\n", "1".repeat(64))),
        ),
        ("two sums", Some(format!("{good}{good}"))),
        ("no SHA256SUMS", None),
    ] {
        std::fs::remove_file(&ran).ok();
        match &sums_text {
            Some(text) => std::fs::write(&sums, text).unwrap(),
            None => std::fs::remove_file(&sums).unwrap(),
        }
        let step = install_step(releases.path(), &gh);
        assert_eq!(step.rc, 4, "{case}: {}", step.context());
        assert!(!ran.exists(), "{case}: the unverified binary ran");
        assert!(
            step.commands()
                .iter()
                .any(|c| c.starts_with("::error") && c.contains("refusing")),
            "{case}: {}",
            step.context()
        );
    }
}

#[test]
fn action_yml_maps_every_input_and_output_to_the_entry_script() {
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let script = std::fs::read_to_string(root().join("scripts/action/entry.sh")).unwrap();
    assert!(
        action.contains("using: composite"),
        "not a composite action"
    );
    assert!(
        action.contains(r#"run: '"$GITHUB_ACTION_PATH/scripts/action/entry.sh"'"#),
        "the step does not run the entry script"
    );
    // Top-level keys of the `inputs:` and `outputs:` sections (two-space indented `name:`).
    let section = |name: &str| -> Vec<String> {
        let start = action
            .find(&format!("\n{name}:\n"))
            .unwrap_or_else(|| panic!("no {name}:"));
        action[start + name.len() + 3..]
            .lines()
            .take_while(|l| l.is_empty() || l.starts_with(' '))
            .filter_map(|l| l.strip_prefix("  ")?.strip_suffix(':'))
            .filter(|k| !k.starts_with(' '))
            .map(str::to_owned)
            .collect()
    };
    let inputs = section("inputs");
    assert!(inputs.len() >= 15, "{inputs:?}");
    for input in &inputs {
        let var = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
        assert!(
            action.contains(&format!("{var}: ${{{{ inputs.{input} }}}}")),
            "action.yml does not pass input {input} as {var}"
        );
        assert!(script.contains(&var), "entry.sh never reads {var}");
    }
    let outputs = section("outputs");
    for output in ["verdict", "report-path", "vsa-path", "sarif-path"] {
        assert!(outputs.iter().any(|o| o == output), "no output {output}");
    }
    for output in &outputs {
        assert!(
            action.contains(&format!("value: ${{{{ steps.verify.outputs.{output} }}}}")),
            "output {output} is not the step's"
        );
        assert!(
            script.contains(&format!("set_output {output} ")),
            "entry.sh never sets {output}"
        );
    }
    // Input values must never be spliced into the command (script injection).
    let run = action.lines().find(|l| l.contains("run:")).unwrap();
    assert!(!run.contains("${{"), "{run}");
}

#[test]
fn action_runs_a_release_only_when_its_build_provenance_verifies() {
    let releases = tempfile::tempdir().unwrap();
    let ran = releases.path().join("ran");
    let asset = fake_release(releases.path(), "acme/provenant", "v9.9.9", &ran);
    std::fs::write(asset.with_file_name("SHA256SUMS"), sha256_line(&asset)).unwrap();
    let tools = tempfile::tempdir().unwrap();

    // gh verifies the archive against the repository and its release workflow: it runs.
    let gh = fake_gh(tools.path(), 0);
    let step = install_step(releases.path(), &gh);
    assert_eq!(step.rc, 0, "{}", step.context());
    assert!(ran.exists());
    let log = std::fs::read_to_string(tools.path().join("gh.log")).unwrap();
    assert!(
        log.starts_with("attestation verify ")
            && log.contains(&format!(
                "/{}",
                asset.file_name().unwrap().to_string_lossy()
            ))
            && log.contains(" --repo acme/provenant ")
            && log.contains(" --signer-workflow acme/provenant/.github/workflows/release.yml"),
        "{log}"
    );

    // The sum matches but the provenance does not verify, or there is no gh to check it: the
    // binary never runs.
    std::fs::remove_file(&ran).unwrap();
    let refusing = fake_gh(tools.path(), 1);
    let missing = tools.path().join("no-such-gh");
    for (case, gh) in [("provenance fails", &refusing), ("no gh", &missing)] {
        let step = install_step(releases.path(), gh);
        assert_eq!(step.rc, 4, "{case}: {}", step.context());
        assert!(!ran.exists(), "{case}: the unproven binary ran");
        assert!(
            step.commands()
                .iter()
                .any(|c| c.starts_with("::error") && c.contains("refusing")),
            "{case}: {}",
            step.context()
        );
    }
}

#[test]
fn action_pinned_by_commit_sha_installs_the_release_of_that_commit() {
    // The repository is a git repository with release tag v9.9.9 (annotated) on one commit.
    let releases = tempfile::tempdir().unwrap();
    let ran = releases.path().join("ran");
    let asset = fake_release(releases.path(), "acme/provenant", "v9.9.9", &ran);
    std::fs::write(asset.with_file_name("SHA256SUMS"), sha256_line(&asset)).unwrap();
    let repo = releases.path().join("acme/provenant");
    let git = |args: &[&str]| {
        let (rc, out, err) = run(Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .arg("-C")
            .arg(&repo)
            .args(args));
        assert_eq!(rc, 0, "git {args:?}: {err}");
        out.trim().to_owned()
    };
    git(&["init", "-q"]);
    git(&["commit", "-q", "--allow-empty", "-m", "release"]);
    let released = git(&["rev-parse", "HEAD"]);
    git(&["tag", "-a", "v9.9.8-rc.1", "-m", "rc"]);
    git(&["tag", "-a", "v9.9.9", "-m", "v9.9.9"]);
    git(&["commit", "-q", "--allow-empty", "-m", "later"]);
    let unreleased = git(&["rev-parse", "HEAD"]);
    let tools = tempfile::tempdir().unwrap();
    let gh = fake_gh(tools.path(), 0);

    let step = install_step_at(releases.path(), &gh, &released);
    assert_eq!(step.rc, 0, "{}", step.context());
    assert!(
        step.stdout
            .contains(&format!("commit {released} is release v9.9.9")),
        "{}",
        step.context()
    );
    assert!(ran.exists(), "the release binary did not run");

    // A commit no release tag points at is never taken for a release: it is built from
    // source at that commit (a stand-in cargo here, so nothing leaves the machine).
    std::fs::remove_file(&ran).unwrap();
    std::fs::write(
        tools.path().join("cargo"),
        format!(
            "#!/bin/sh\necho \"$@\" >'{}'\nexit 1\n",
            tools.path().join("cargo.log").display()
        ),
    )
    .unwrap();
    let (rc, _, err) = run(Command::new("chmod")
        .arg("755")
        .arg(tools.path().join("cargo")));
    assert_eq!(rc, 0, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<_> = example(&[])
        .into_iter()
        .filter(|(name, _)| *name != "provenant-path")
        .collect();
    let mut cmd = step_command(dir.path(), &inputs);
    let path = format!(
        "{}:{}",
        tools.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.env("PATH", path)
        .env(
            "GITHUB_ACTION_PATH",
            dir.path().join("_actions/acme/provenant").join(&unreleased),
        )
        .env(
            "PROVENANT_ACTION_RELEASES_URL",
            format!("file://{}", releases.path().display()),
        )
        .env("PROVENANT_ACTION_GH", &gh);
    let step = finish(dir, &mut cmd);
    assert_eq!(step.rc, 4, "{}", step.context());
    let cargo = std::fs::read_to_string(tools.path().join("cargo.log")).unwrap_or_default();
    assert!(cargo.contains(&format!("--rev {unreleased}")), "{cargo}");
    assert!(
        step.stdout.contains(&format!(
            "no release tag of acme/provenant points at commit {unreleased}"
        )),
        "{}",
        step.context()
    );
    assert!(!ran.exists());
}
