//! The `provenant` command line: flags become typed inputs, the library does the work, and the
//! verdict becomes the exit code (0 verified, 1 failed, 2 bad usage or unreadable input,
//! 3 evidence source unreachable).

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    cli::main()
}
