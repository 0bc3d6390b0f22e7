//! Writes the workspace's `testdata/` directory from the testkit: `cargo run -p provenant-testkit --bin gen-testdata`.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line tool reports on its terminal

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    // crates/provenant-testkit -> the workspace root.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap_or(Path::new("."));
    let root: PathBuf = workspace.join("testdata");
    let files = provenant_testkit::testdata_files();
    for file in &files {
        let path = root.join(&file.path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &file.contents));
        if let Err(error) = written {
            eprintln!("gen-testdata: cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!(
        "gen-testdata: wrote {} files under {}",
        files.len(),
        root.display()
    );
    ExitCode::SUCCESS
}
