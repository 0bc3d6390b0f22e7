//! Every lockfile reader (Cargo.lock, package-lock.json, pnpm-lock.yaml, yarn.lock, go.sum,
//! requirements.txt, poetry.lock, uv.lock) never panics on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for name in [
        "Cargo.lock",
        "package-lock.json",
        "pnpm-lock.yaml",
        "yarn.lock",
        "go.sum",
        "requirements.txt",
        "poetry.lock",
        "uv.lock",
    ] {
        let _ = provenant_formats::lockfile::parse_lockfile(name, data);
    }
});
