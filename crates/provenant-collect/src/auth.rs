//! Registry credentials from the Docker config file (`$DOCKER_CONFIG/config.json`, else
//! `~/.docker/config.json`): `auths` entries and credential helpers (`credHelpers`,
//! `credsStore`).
//!
//! Credentials are only ever sent to the registry they are for (and to the token realm it names
//! for that registry); they are never printed: [`Credentials`]'s `Debug` hides them.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

use crate::CollectError;

/// Largest docker config file read.
pub const MAX_DOCKER_CONFIG_BYTES: u64 = 1024 * 1024;
/// Largest answer read from a credential helper.
pub const MAX_HELPER_OUTPUT_BYTES: usize = 64 * 1024;
/// How long a credential helper may take.
pub const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// A username and secret (password or token).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The username.
    pub username: String,
    /// The password or token.
    pub secret: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Credentials {{ username: {:?}, secret: <hidden> }}",
            self.username
        )
    }
}

/// Where credentials come from.
#[derive(Debug, Clone, Default)]
pub enum CredentialSource {
    /// The Docker config file (the default).
    #[default]
    DockerConfig,
    /// A given config file.
    ConfigFile(PathBuf),
    /// None: anonymous only.
    Anonymous,
}

/// The Docker config file path: `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
pub fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker").join("config.json"))
}

/// The keys a registry may be filed under in `auths` (`https://index.docker.io/v1/` for Hub).
fn config_keys(registry: &str) -> Vec<String> {
    let mut keys = vec![
        registry.to_owned(),
        format!("https://{registry}"),
        format!("http://{registry}"),
        format!("https://{registry}/v1/"),
        format!("https://{registry}/v2/"),
    ];
    if registry == crate::reference::DOCKER_HUB || registry == crate::reference::DOCKER_HUB_API {
        keys.push("https://index.docker.io/v1/".into());
        keys.push("index.docker.io".into());
        keys.push("docker.io".into());
    }
    keys
}

fn read_config(path: &Path) -> Result<Option<Value>, CollectError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CollectError::Auth(format!(
                "cannot read docker config {}: {e}",
                path.display()
            )))
        }
    };
    if meta.len() > MAX_DOCKER_CONFIG_BYTES {
        return Err(CollectError::Auth(format!(
            "docker config {} is over {MAX_DOCKER_CONFIG_BYTES} bytes",
            path.display()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        CollectError::Auth(format!("cannot read docker config {}: {e}", path.display()))
    })?;
    provenant_formats::json::parse_strict(&bytes)
        .map(Some)
        .map_err(|e| {
            CollectError::Auth(format!(
                "docker config {} is not valid JSON ({e}); fix it or set DOCKER_CONFIG to another directory",
                path.display()
            ))
        })
}

/// Look up credentials for `registry` (`host[:port]`). `Ok(None)`: none configured (anonymous).
pub async fn lookup(
    source: &CredentialSource,
    registry: &str,
) -> Result<Option<Credentials>, CollectError> {
    let path = match source {
        CredentialSource::Anonymous => return Ok(None),
        CredentialSource::ConfigFile(p) => p.clone(),
        CredentialSource::DockerConfig => match docker_config_path() {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    let Some(config) = read_config(&path)? else {
        return Ok(None);
    };
    let keys = config_keys(registry);
    // A per-registry helper wins, then an auths entry, then the default store.
    if let Some(helpers) = config.get("credHelpers").and_then(Value::as_object) {
        if let Some(helper) = keys
            .iter()
            .find_map(|k| helpers.get(k))
            .and_then(Value::as_str)
        {
            return run_helper(helper, registry).await;
        }
    }
    if let Some(auths) = config.get("auths").and_then(Value::as_object) {
        if let Some(entry) = keys.iter().find_map(|k| auths.get(k)) {
            if let Some(c) = auth_entry(entry, registry)? {
                return Ok(Some(c));
            }
        }
    }
    if let Some(store) = config.get("credsStore").and_then(Value::as_str) {
        return run_helper(store, registry).await;
    }
    Ok(None)
}

fn auth_entry(entry: &Value, registry: &str) -> Result<Option<Credentials>, CollectError> {
    if let Some(auth) = entry
        .get("auth")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| {
                CollectError::Auth(format!(
                    "docker config: the auth entry for {registry} is not base64 of user:password"
                ))
            })?;
        let (u, p) = decoded.split_once(':').ok_or_else(|| {
            CollectError::Auth(format!(
                "docker config: the auth entry for {registry} has no ':' between user and password"
            ))
        })?;
        return Ok(Some(Credentials {
            username: u.to_owned(),
            secret: p.to_owned(),
        }));
    }
    if let (Some(u), Some(p)) = (
        entry.get("username").and_then(Value::as_str),
        entry.get("password").and_then(Value::as_str),
    ) {
        return Ok(Some(Credentials {
            username: u.to_owned(),
            secret: p.to_owned(),
        }));
    }
    Ok(None)
}

/// Run `docker-credential-<helper> get` with the registry on stdin.
async fn run_helper(helper: &str, registry: &str) -> Result<Option<Credentials>, CollectError> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    if helper.is_empty()
        || !helper
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(CollectError::Auth(format!(
            "docker config names credential helper {helper:.80?}, which is not a plain name"
        )));
    }
    let program = format!("docker-credential-{helper}");
    let mut child = tokio::process::Command::new(&program)
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            CollectError::Auth(format!(
                "docker config names credential helper {program}, which cannot be run ({e}); install it or remove it from the config"
            ))
        })?;
    let work = async {
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(registry.as_bytes()).await.ok();
        }
        let mut out = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            stdout
                .take(MAX_HELPER_OUTPUT_BYTES as u64 + 1)
                .read_to_end(&mut out)
                .await
                .ok();
        }
        let status = child.wait().await;
        (out, status)
    };
    let (out, status) = tokio::time::timeout(HELPER_TIMEOUT, work)
        .await
        .map_err(|_| {
            CollectError::Auth(format!("{program} get took longer than {HELPER_TIMEOUT:?}"))
        })?;
    if out.len() > MAX_HELPER_OUTPUT_BYTES {
        return Err(CollectError::Auth(format!("{program} printed too much")));
    }
    let ok = status.map(|s| s.success()).unwrap_or(false);
    if !ok {
        // Helpers exit non-zero with "credentials not found" for registries they do not know.
        return Ok(None);
    }
    let v = provenant_formats::json::parse_strict(&out).map_err(|e| {
        CollectError::Auth(format!("{program} get answered with invalid JSON: {e}"))
    })?;
    let user = v
        .get("Username")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let secret = v.get("Secret").and_then(Value::as_str).unwrap_or_default();
    if secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(Credentials {
        username: user.to_owned(),
        secret: secret.to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secret() {
        let c = Credentials {
            username: "u".into(),
            secret: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[tokio::test]
    async fn reads_auths() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.json");
        std::fs::write(
            &p,
            r#"{"auths":{"127.0.0.1:5000":{"auth":"dXNlcjpwYXNz"},"https://index.docker.io/v1/":{"auth":"aHViOnNlY3JldA=="}}}"#,
        )
        .unwrap();
        let src = CredentialSource::ConfigFile(p);
        let c = lookup(&src, "127.0.0.1:5000").await.unwrap().unwrap();
        assert_eq!((c.username.as_str(), c.secret.as_str()), ("user", "pass"));
        let c = lookup(&src, "docker.io").await.unwrap().unwrap();
        assert_eq!(c.username, "hub");
        assert!(lookup(&src, "ghcr.io").await.unwrap().is_none());
    }
}
