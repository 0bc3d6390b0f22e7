//! The `provenant` command line: flags become typed inputs, the library does the work, and the
//! verdict becomes the exit code (0 verified, 1 failed, 2 bad usage or unreadable input,
//! 3 evidence source unreachable).

// Doc comments under src/cli are clap's --help text, written for a terminal, not for rustdoc.
#![allow(
    rustdoc::bare_urls,
    rustdoc::invalid_html_tags,
    rustdoc::broken_intra_doc_links
)]

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    cli::main()
}
