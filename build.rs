//! Stamps the binary with the commit it was built from and the build date, for `--version`.
//! Neither may fail the build: without git (a crates.io download, a source tarball) the commit
//! is "unknown"; SOURCE_DATE_EPOCH, when set, fixes the date for reproducible builds.

use std::process::Command;

fn main() {
    let commit = git(&["rev-parse", "HEAD"])
        .filter(|s| s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(|| "unknown".to_owned());
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
    println!("cargo:rustc-env=PROVENANT_COMMIT={commit}");
    println!("cargo:rustc-env=PROVENANT_BUILD_DATE={}", civil_date(epoch));
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    // A new commit re-stamps. Only files that exist are watched (cargo re-runs a build script
    // on every build for a missing one); a worktree's HEAD is in its own git dir, its refs in
    // the common one.
    println!("cargo:rerun-if-changed=build.rs");
    let dirs = [
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ];
    for dir in dirs.into_iter().flatten() {
        for name in ["HEAD", "refs/heads", "packed-refs"] {
            let path = std::path::Path::new(&dir).join(name);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
}

/// The trimmed output of a successful git command, or None (no git, not a repository).
fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// YYYY-MM-DD (UTC) of a Unix time, without a date crate in the build script.
fn civil_date(epoch: i64) -> String {
    // Howard Hinnant's days_from_civil, inverted.
    let z = epoch.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
