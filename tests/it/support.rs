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

/// `../shared/corpus`, or `None` (with a message) when it is absent on a developer machine.
/// Under `CI=true` a missing corpus is a failure, never a silent skip.
pub fn corpus() -> Option<PathBuf> {
    let p = root().join("../shared/corpus");
    if p.join("cases.json").is_file() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "CI=true but the corpus is missing at {}",
        p.display()
    );
    eprintln!(
        "skipping: corpus not found at {} (tests that need it are skipped outside CI)",
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
