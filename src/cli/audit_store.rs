//! `--store postgres://USER@HOST:PORT/DB` of `audit run` and `audit merge`: the URL checked
//! before anything runs, the password taken from the URL, `PGPASSWORD` or the `.pgpass` file
//! (`PGPASSFILE`, else `~/.pgpass`), and the pack's rows written after the pack is on disk.

use std::collections::BTreeMap;

use provenant_audit::{pack_rows, store, target, Pack, Target};

use super::common::{emit, CliError};

/// The target of `--store`, with its password found; bad input is exit 2.
pub(super) fn store_target(url: Option<&str>) -> Result<Option<Target>, CliError> {
    let Some(url) = url else { return Ok(None) };
    let env_password = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty());
    let pgpass_file = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")));
    let pgpass = pgpass_file.and_then(|f| {
        let meta = std::fs::metadata(&f).ok()?;
        (meta.is_file() && meta.len() <= 1024 * 1024)
            .then(|| std::fs::read_to_string(&f).ok())
            .flatten()
    });
    target(url, env_password.as_deref(), pgpass.as_deref())
        .map(Some)
        .map_err(|e| CliError::Input(e.to_string()))
}

/// Write the pack's rows to PostgreSQL (the pack is already on disk): an unreachable server is
/// exit 3, any other failure exit 2; `code` otherwise.
pub(super) fn store_pack(
    target: Option<&Target>,
    pack: &Pack,
    evidence: &BTreeMap<String, Vec<u8>>,
    reports: &BTreeMap<String, Vec<u8>>,
    code: u8,
) -> Result<u8, CliError> {
    let Some(t) = target else { return Ok(code) };
    let rows = pack_rows(pack, evidence, reports).map_err(|e| CliError::Input(e.to_string()))?;
    match store(t, &rows, pack.shard.is_some()) {
        Ok(s) => {
            emit(format!("{} release(s) stored in {t:?}\n", s.releases).as_bytes());
            Ok(code)
        }
        Err(e) if e.is_unreachable() => Err(CliError::Unreachable(format!(
            "{e} (the pack is written; store it again with `audit merge` or a re-run)"
        ))),
        Err(e) => Err(CliError::Input(e.to_string())),
    }
}
