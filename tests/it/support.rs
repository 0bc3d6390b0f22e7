//! Shared helpers: the binary, the corpus locator.

use std::path::PathBuf;
use std::process::Command;

/// A `Command` for the provenant binary under test.
pub fn provenant() -> Command {
    Command::new(env!("CARGO_BIN_EXE_provenant"))
}

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real-world corpus: `$PROVENANT_CORPUS`, or `../shared/corpus` beside the repository.
///
/// `None` (with a message) when it is absent on a developer machine. Under `CI=true` a missing
/// corpus is a failure, never a silent skip (`.ci/run`), unless `PROVENANT_CORPUS_OPTIONAL=1`
/// says this CI has no corpus at all (GitHub): then the skip is printed. A `PROVENANT_CORPUS`
/// that names no corpus is always a failure: it was asked for.
pub fn corpus() -> Option<PathBuf> {
    let named = std::env::var_os("PROVENANT_CORPUS").filter(|v| !v.is_empty());
    let p = named
        .clone()
        .map_or_else(|| root().join("../shared/corpus"), PathBuf::from);
    if p.join("cases.json").is_file() {
        return Some(p);
    }
    assert!(
        named.is_none(),
        "PROVENANT_CORPUS={} holds no corpus (no cases.json)",
        p.display()
    );
    let flag = |name: &str, value: &str| std::env::var(name).is_ok_and(|v| v == value);
    assert!(
        !flag("CI", "true") || flag("PROVENANT_CORPUS_OPTIONAL", "1"),
        "CI=true but the corpus is missing at {} (set PROVENANT_CORPUS to it, or \
         PROVENANT_CORPUS_OPTIONAL=1 where this CI has no corpus)",
        p.display()
    );
    eprintln!(
        "skipping: corpus not found at {} (set PROVENANT_CORPUS; tests that need it are skipped)",
        p.display()
    );
    None
}

/// Run and return (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("spawn provenant");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub mod chain;
