//! Dependency lockfiles: what a repository pinned, as (ecosystem, name, version, purl, integrity).
//!
//! | file | ecosystem | read |
//! |---|---|---|
//! | `Cargo.lock` | `cargo` | every `[[package]]`; `checksum` as `sha256:<hex>` |
//! | `package-lock.json` / `npm-shrinkwrap.json` | `npm` | `lockfileVersion` 1 (`dependencies`, nested) or 2–3 (`packages`); links and the root left out |
//! | `pnpm-lock.yaml` | `npm` | `packages` keys of lockfile versions 5 (`/name/1.0.0`), 6 (`/name@1.0.0`) and 9 (`name@1.0.0`) |
//! | `yarn.lock` | `npm` | v1 (its own syntax) and berry (YAML with `__metadata`) |
//! | `go.sum` | `golang` | each `module version h1:` line (the `/go.mod`-only lines are not packages) |
//! | `requirements*.txt` | `pypi` | `name==version` lines with their `--hash`es; an unpinned line has no version |
//! | `poetry.lock`, `uv.lock` | `pypi` | every `[[package]]`; the first `sha256` file hash |
//!
//! Strict and bounded: a file over [`MAX_LOCKFILE_BYTES`], with more than
//! [`MAX_LOCKED_PACKAGES`] packages, of an unknown kind, or that does not read as its kind is an
//! error that says so (the caller records it), never an empty list.

use serde_json::Value;

pub use crate::limits::{MAX_LOCKED_PACKAGES, MAX_LOCKFILE_BYTES};

/// One pinned package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedPackage {
    /// `cargo`, `npm`, `golang` or `pypi` (the purl type).
    pub ecosystem: &'static str,
    /// The package name.
    pub name: String,
    /// The pinned version (none for an unpinned requirements line).
    pub version: Option<String>,
    /// Its package URL.
    pub purl: String,
    /// The integrity hash as the lockfile records it (`sha256:<hex>`, `sha512-<base64>`, `h1:...`).
    pub integrity: Option<String>,
}

/// The kinds of lockfile read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LockfileKind {
    /// `Cargo.lock`.
    Cargo,
    /// `package-lock.json` or `npm-shrinkwrap.json`.
    Npm,
    /// `pnpm-lock.yaml`.
    Pnpm,
    /// `yarn.lock`.
    Yarn,
    /// `go.sum`.
    GoSum,
    /// `requirements*.txt`.
    Requirements,
    /// `poetry.lock`.
    Poetry,
    /// `uv.lock`.
    Uv,
}

impl LockfileKind {
    /// The kind a file name says, if it names one.
    pub fn from_path(path: &str) -> Option<Self> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        Some(match name {
            "Cargo.lock" => Self::Cargo,
            "package-lock.json" | "npm-shrinkwrap.json" => Self::Npm,
            "pnpm-lock.yaml" => Self::Pnpm,
            "yarn.lock" => Self::Yarn,
            "go.sum" => Self::GoSum,
            "poetry.lock" => Self::Poetry,
            "uv.lock" => Self::Uv,
            n if n.starts_with("requirements") && n.ends_with(".txt") => Self::Requirements,
            _ => return None,
        })
    }
}

/// Why a lockfile could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LockfileError {
    /// Not a lockfile name this module reads.
    #[error("{0}: not a lockfile provenant reads (Cargo.lock, package-lock.json, pnpm-lock.yaml, yarn.lock, go.sum, requirements*.txt, poetry.lock, uv.lock)")]
    UnknownKind(String),
    /// Over a limit.
    #[error("{0}")]
    Limit(String),
    /// Does not read as its kind.
    #[error("{what} (line {line})")]
    Malformed {
        /// The line (0 when not known).
        line: usize,
        /// What is wrong.
        what: String,
    },
}

fn bad(line: usize, what: impl Into<String>) -> LockfileError {
    LockfileError::Malformed {
        line,
        what: what.into(),
    }
}

/// Read the lockfile at `path` (its name says its kind) from `bytes`.
pub fn parse_lockfile(path: &str, bytes: &[u8]) -> Result<Vec<LockedPackage>, LockfileError> {
    let kind =
        LockfileKind::from_path(path).ok_or_else(|| LockfileError::UnknownKind(path.to_owned()))?;
    parse_kind(kind, bytes)
}

/// Read `bytes` as a lockfile of `kind`.
pub fn parse_kind(kind: LockfileKind, bytes: &[u8]) -> Result<Vec<LockedPackage>, LockfileError> {
    if bytes.len() as u64 > MAX_LOCKFILE_BYTES {
        return Err(LockfileError::Limit(format!(
            "larger than {MAX_LOCKFILE_BYTES} bytes"
        )));
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| bad(0, "not UTF-8"))?;
    let packages = match kind {
        LockfileKind::Cargo => toml_packages(text, Eco::Cargo)?,
        LockfileKind::Poetry => toml_packages(text, Eco::Poetry)?,
        LockfileKind::Uv => toml_packages(text, Eco::Uv)?,
        LockfileKind::Npm => npm(bytes)?,
        LockfileKind::Pnpm => pnpm(text)?,
        LockfileKind::Yarn => yarn(text)?,
        LockfileKind::GoSum => go_sum(text)?,
        LockfileKind::Requirements => requirements(text)?,
    };
    if packages.len() > MAX_LOCKED_PACKAGES {
        return Err(LockfileError::Limit(format!(
            "more than {MAX_LOCKED_PACKAGES} packages"
        )));
    }
    Ok(packages)
}

fn push(out: &mut Vec<LockedPackage>, p: LockedPackage) -> Result<(), LockfileError> {
    if out.len() >= MAX_LOCKED_PACKAGES {
        return Err(LockfileError::Limit(format!(
            "more than {MAX_LOCKED_PACKAGES} packages"
        )));
    }
    out.push(p);
    Ok(())
}

/// A purl name component: `@` and other reserved characters percent-encoded.
fn purl_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b'+') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn npm_purl(name: &str, version: &str) -> String {
    match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
        Some((scope, n)) => format!(
            "pkg:npm/%40{}/{}@{}",
            purl_part(scope),
            purl_part(n),
            purl_part(version)
        ),
        None => format!("pkg:npm/{}@{}", purl_part(name), purl_part(version)),
    }
}

fn npm_package(name: &str, version: &str, integrity: Option<String>) -> LockedPackage {
    LockedPackage {
        ecosystem: "npm",
        name: name.to_owned(),
        version: Some(version.to_owned()),
        purl: npm_purl(name, version),
        integrity,
    }
}

/// PEP 503 normalised name (lowercase, runs of `-_.` as `-`), as purl's pypi type wants.
fn pypi_name(name: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for ch in name.chars() {
        if matches!(ch, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(ch.to_ascii_lowercase());
        }
    }
    out
}

fn pypi_package(name: &str, version: Option<&str>, integrity: Option<String>) -> LockedPackage {
    let n = pypi_name(name);
    let purl = match version {
        Some(v) => format!("pkg:pypi/{}@{}", purl_part(&n), purl_part(v)),
        None => format!("pkg:pypi/{}", purl_part(&n)),
    };
    LockedPackage {
        ecosystem: "pypi",
        name: n,
        version: version.map(str::to_owned),
        purl,
        integrity,
    }
}

// ---- TOML lockfiles (Cargo.lock, poetry.lock, uv.lock) -----------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Eco {
    Cargo,
    Poetry,
    Uv,
}

#[derive(Default)]
struct TomlPackage {
    line: usize,
    name: Option<String>,
    version: Option<String>,
    checksum: Option<String>,
    hash: Option<String>,
}

/// A basic TOML string (`"..."` with the escapes lockfiles use), the rest of the line after it.
fn toml_string(s: &str, line: usize) -> Result<(String, &str), LockfileError> {
    let rest = s
        .strip_prefix('"')
        .ok_or_else(|| bad(line, "expected a string"))?;
    let mut out = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, ch)) = chars.next() {
        match ch {
            '"' => return Ok((out, &rest[i + 1..])),
            '\\' => match chars.next() {
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                _ => return Err(bad(line, "an escape lockfiles do not use")),
            },
            c => out.push(c),
        }
    }
    Err(bad(line, "an unterminated string"))
}

/// The first `sha256:` hash in an inline value (`{ ..., hash = "sha256:..." }`).
fn first_hash(value: &str) -> Option<String> {
    let at = value.find("hash = \"")?;
    let rest = &value[at + 8..];
    let end = rest.find('"')?;
    let h = &rest[..end];
    h.starts_with("sha256:").then(|| h.to_owned())
}

fn finish_toml(
    eco: Eco,
    p: TomlPackage,
    out: &mut Vec<LockedPackage>,
) -> Result<(), LockfileError> {
    let name = p
        .name
        .ok_or_else(|| bad(p.line, "a [[package]] without a name"))?;
    let version = p
        .version
        .ok_or_else(|| bad(p.line, format!("package {name} has no version")))?;
    let pkg = match eco {
        Eco::Cargo => LockedPackage {
            ecosystem: "cargo",
            purl: format!("pkg:cargo/{}@{}", purl_part(&name), purl_part(&version)),
            name,
            version: Some(version),
            integrity: p.checksum.map(|c| format!("sha256:{c}")),
        },
        Eco::Poetry | Eco::Uv => pypi_package(&name, Some(&version), p.hash),
    };
    push(out, pkg)
}

fn toml_packages(text: &str, eco: Eco) -> Result<Vec<LockedPackage>, LockfileError> {
    let mut out = Vec::new();
    let mut current: Option<TomlPackage> = None;
    // In the package table itself (not a sub-table such as [package.extras]).
    let mut in_package = false;
    let mut seen: Vec<String> = Vec::new();
    // Inside a multi-line array or string: what closes it.
    let mut open: Option<&str> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if let Some(close) = open {
            if in_package && current.as_ref().is_some_and(|p| p.hash.is_none()) {
                if let Some(h) = first_hash(line) {
                    if let Some(p) = current.as_mut() {
                        p.hash = Some(h);
                    }
                }
            }
            if line.starts_with(close) || (close == "\"\"\"" && line.ends_with(close)) {
                open = None;
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            let header = line.split('#').next().unwrap_or(line).trim();
            let ok = (header.starts_with("[[") && header.ends_with("]]"))
                || (header.starts_with('[') && header.ends_with(']'));
            if !ok {
                return Err(bad(n, "a table header that does not close"));
            }
            let name = header.trim_matches(['[', ']']).trim();
            if header == "[[package]]" {
                if let Some(p) = current.take() {
                    finish_toml(eco, p, &mut out)?;
                }
                current = Some(TomlPackage {
                    line: n,
                    ..TomlPackage::default()
                });
                in_package = true;
                seen.clear();
            } else {
                in_package = false;
                if !name.starts_with("package.") {
                    if let Some(p) = current.take() {
                        finish_toml(eco, p, &mut out)?;
                    }
                }
            }
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| bad(n, "not `key = value`"))?;
        let key = key.trim();
        let value = value.trim();
        if key.is_empty() {
            return Err(bad(n, "an empty key"));
        }
        if value.starts_with('[') && !value.ends_with(']') {
            open = Some("]");
        } else if value.starts_with("\"\"\"") && (value.len() < 6 || !value[3..].contains("\"\"\""))
        {
            open = Some("\"\"\"");
        } else if value.starts_with('{') && !value.ends_with('}') {
            open = Some("}");
        }
        if !in_package {
            continue;
        }
        if seen.iter().any(|k| k == key) {
            return Err(bad(n, format!("key {key} given twice in one package")));
        }
        seen.push(key.to_owned());
        let Some(p) = current.as_mut() else { continue };
        match key {
            "name" => p.name = Some(toml_string(value, n)?.0),
            "version" => p.version = Some(toml_string(value, n)?.0),
            "checksum" if eco == Eco::Cargo => {
                let c = toml_string(value, n)?.0;
                if c.len() != 64 || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(bad(n, "a checksum that is not a SHA-256"));
                }
                p.checksum = Some(c.to_ascii_lowercase());
            }
            "sdist" | "wheels" | "files" if p.hash.is_none() => p.hash = first_hash(value),
            _ => {}
        }
    }
    if open.is_some() {
        return Err(bad(0, "an array or string that does not close"));
    }
    if let Some(p) = current.take() {
        finish_toml(eco, p, &mut out)?;
    }
    if out.is_empty() && !text.contains("[[package]]") && eco != Eco::Cargo {
        return Err(bad(0, "no [[package]] table"));
    }
    Ok(out)
}

// ---- npm ---------------------------------------------------------------------------------------

fn npm(bytes: &[u8]) -> Result<Vec<LockedPackage>, LockfileError> {
    let v = crate::json::parse_strict(bytes).map_err(|e| bad(0, e.to_string()))?;
    let version = v
        .get("lockfileVersion")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad(0, "no lockfileVersion"))?;
    let mut out = Vec::new();
    match version {
        1 => {
            let deps = v
                .get("dependencies")
                .map(|d| {
                    d.as_object()
                        .ok_or_else(|| bad(0, "dependencies is not an object"))
                })
                .transpose()?;
            if let Some(deps) = deps {
                npm_v1(deps, &mut out, 0)?;
            }
        }
        2 | 3 => {
            let packages = v
                .get("packages")
                .and_then(Value::as_object)
                .ok_or_else(|| bad(0, "lockfileVersion 2 or 3 without a packages object"))?;
            for (path, entry) in packages {
                if path.is_empty() {
                    continue;
                }
                let e = entry
                    .as_object()
                    .ok_or_else(|| bad(0, format!("packages[{path:?}] is not an object")))?;
                if e.get("link").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                let name = match e.get("name").and_then(Value::as_str) {
                    Some(n) => n,
                    None => path
                        .rsplit_once("node_modules/")
                        .map(|(_, n)| n)
                        .ok_or_else(|| bad(0, format!("packages[{path:?}] names no package")))?,
                };
                let version = e
                    .get("version")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad(0, format!("packages[{path:?}] has no version")))?;
                let integrity = e
                    .get("integrity")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                push(&mut out, npm_package(name, version, integrity))?;
            }
        }
        other => {
            return Err(bad(
                0,
                format!("lockfileVersion {other} (1, 2 and 3 are read)"),
            ))
        }
    }
    Ok(out)
}

fn npm_v1(
    deps: &serde_json::Map<String, Value>,
    out: &mut Vec<LockedPackage>,
    depth: usize,
) -> Result<(), LockfileError> {
    if depth > crate::limits::MAX_JSON_DEPTH {
        return Err(bad(0, "dependencies nested too deep"));
    }
    for (name, e) in deps {
        let version = e
            .get("version")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(0, format!("dependency {name} has no version")))?;
        let integrity = e
            .get("integrity")
            .and_then(Value::as_str)
            .map(str::to_owned);
        push(out, npm_package(name, version, integrity))?;
        if let Some(nested) = e.get("dependencies").and_then(Value::as_object) {
            npm_v1(nested, out, depth + 1)?;
        }
    }
    Ok(())
}

/// `name@version` with a leading `@` being a scope, not the separator.
fn split_at_version(s: &str) -> Option<(&str, &str)> {
    let at = s.get(1..)?.find('@')? + 1;
    Some((&s[..at], &s[at + 1..]))
}

fn pnpm(text: &str) -> Result<Vec<LockedPackage>, LockfileError> {
    let v = crate::yaml::parse_strict(text).map_err(|e| bad(0, e.to_string()))?;
    let lv = match v.get("lockfileVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(bad(0, "no lockfileVersion")),
    };
    let major: u32 = lv
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| bad(0, format!("lockfileVersion {lv:?}")))?;
    if !(5..=9).contains(&major) {
        return Err(bad(0, format!("lockfileVersion {lv} (5 to 9 are read)")));
    }
    let mut out = Vec::new();
    let Some(packages) = v.get("packages") else {
        return Ok(out);
    };
    let packages = packages
        .as_object()
        .ok_or_else(|| bad(0, "packages is not a mapping"))?;
    for (key, entry) in packages {
        let k = key.strip_prefix('/').unwrap_or(key);
        // Peer-dependency suffixes: `(react@18.2.0)` from v6 on, `_react@18.2.0` in v5.
        let k = k.split('(').next().unwrap_or(k);
        let (name, version) = if major == 5 {
            let k = k.split('_').next().unwrap_or(k);
            k.rsplit_once('/')
                .ok_or_else(|| bad(0, format!("package key {key:?} is not /name/version")))?
        } else {
            split_at_version(k)
                .ok_or_else(|| bad(0, format!("package key {key:?} is not name@version")))?
        };
        if name.is_empty() || version.is_empty() {
            return Err(bad(0, format!("package key {key:?}")));
        }
        let integrity = entry
            .get("resolution")
            .and_then(|r| r.get("integrity"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        push(&mut out, npm_package(name, version, integrity))?;
    }
    Ok(out)
}

fn yarn(text: &str) -> Result<Vec<LockedPackage>, LockfileError> {
    if text.lines().any(|l| l.starts_with("__metadata:")) {
        return yarn_berry(text);
    }
    let mut out = Vec::new();
    // (line, first specifier, version, integrity)
    let mut entry: Option<(usize, String, Option<String>, Option<String>)> = None;
    let finish = |e: Option<(usize, String, Option<String>, Option<String>)>,
                  out: &mut Vec<LockedPackage>|
     -> Result<(), LockfileError> {
        let Some((n, spec, version, integrity)) = e else {
            return Ok(());
        };
        let version = version.ok_or_else(|| bad(n, format!("entry {spec} has no version")))?;
        let (name, _) = split_at_version(&spec)
            .ok_or_else(|| bad(n, format!("entry {spec:?} is not name@range")))?;
        push(out, npm_package(name, &version, integrity))
    };
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        if !raw.starts_with(' ') {
            finish(entry.take(), &mut out)?;
            let head = raw
                .strip_suffix(':')
                .ok_or_else(|| bad(n, "an entry line that does not end in `:`"))?;
            let first = head
                .split(',')
                .next()
                .unwrap_or(head)
                .trim()
                .trim_matches('"');
            entry = Some((n, first.to_owned(), None, None));
            continue;
        }
        let Some(e) = entry.as_mut() else {
            return Err(bad(n, "an indented line outside an entry"));
        };
        let line = raw.trim();
        if raw.starts_with("    ") {
            continue; // a dependencies sub-list
        }
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        let value = value.trim().trim_matches('"');
        match key {
            "version" if e.2.replace(value.to_owned()).is_some() => {
                return Err(bad(n, "version given twice"));
            }
            "integrity" => e.3 = Some(value.to_owned()),
            _ => {}
        }
    }
    finish(entry.take(), &mut out)?;
    Ok(out)
}

fn yarn_berry(text: &str) -> Result<Vec<LockedPackage>, LockfileError> {
    let v = crate::yaml::parse_strict(text).map_err(|e| bad(0, e.to_string()))?;
    let entries = v.as_object().ok_or_else(|| bad(0, "not a mapping"))?;
    let mut out = Vec::new();
    for (key, e) in entries {
        if key == "__metadata" {
            continue;
        }
        let resolution = e
            .get("resolution")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(0, format!("entry {key:?} has no resolution")))?;
        // `name@npm:1.2.3`; workspaces and patches are not registry packages but are listed.
        let (name, _) = split_at_version(resolution)
            .ok_or_else(|| bad(0, format!("resolution {resolution:?}")))?;
        let version = match e.get("version") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(bad(0, format!("entry {key:?} has no version"))),
        };
        let integrity = e.get("checksum").and_then(Value::as_str).map(str::to_owned);
        push(&mut out, npm_package(name, &version, integrity))?;
    }
    Ok(out)
}

// ---- Go and Python -----------------------------------------------------------------------------

fn go_sum(text: &str) -> Result<Vec<LockedPackage>, LockfileError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let [module, version, hash] = f.as_slice() else {
            return Err(bad(n, "not `module version hash`"));
        };
        if !hash.starts_with("h1:") || !version.starts_with('v') {
            return Err(bad(n, "not `module vVERSION h1:HASH`"));
        }
        if version.ends_with("/go.mod") {
            continue;
        }
        push(
            &mut out,
            LockedPackage {
                ecosystem: "golang",
                name: (*module).to_owned(),
                version: Some((*version).to_owned()),
                purl: format!(
                    "pkg:golang/{}@{}",
                    module
                        .split('/')
                        .map(purl_part)
                        .collect::<Vec<_>>()
                        .join("/"),
                    purl_part(version)
                ),
                integrity: Some((*hash).to_owned()),
            },
        )?;
    }
    Ok(out)
}

fn requirements(text: &str) -> Result<Vec<LockedPackage>, LockfileError> {
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut start = 0;
    let lines: Vec<&str> = text.lines().collect();
    for (i, raw) in lines.iter().enumerate() {
        if logical.is_empty() {
            start = i + 1;
        }
        let line = match raw.find(" #") {
            Some(at) => &raw[..at],
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        };
        if let Some(cont) = line.trim_end().strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            if i + 1 < lines.len() {
                continue;
            }
        } else {
            logical.push_str(line);
        }
        let l = std::mem::take(&mut logical);
        requirement(l.trim(), start, &mut out)?;
    }
    Ok(out)
}

fn requirement(l: &str, n: usize, out: &mut Vec<LockedPackage>) -> Result<(), LockfileError> {
    if l.is_empty() {
        return Ok(());
    }
    if l.starts_with('-') {
        let opt = l.split([' ', '=']).next().unwrap_or(l);
        return match opt {
            "--index-url" | "-i" | "--extra-index-url" | "--trusted-host" | "--find-links"
            | "-f" | "--no-index" | "--prefer-binary" | "--require-hashes" | "--only-binary"
            | "--no-binary" | "--pre" => Ok(()),
            _ => Err(bad(
                n,
                format!("option {opt} (another file or an editable install) is not read"),
            )),
        };
    }
    let mut words = l.split_whitespace();
    let spec = words.next().unwrap_or_default();
    let mut hashes = Vec::new();
    for w in words {
        match w.strip_prefix("--hash=") {
            Some(h) => hashes.push(h.to_owned()),
            // An environment marker, or a direct reference (`name @ URL`): the rest is not
            // a package.
            None if w.starts_with(';') || w == "@" || spec.contains(';') => break,
            None => return Err(bad(n, format!("{w:?} after {spec:?} is not a --hash"))),
        }
    }
    let spec = spec.split(';').next().unwrap_or(spec);
    let (name, version) = match spec.split_once("==") {
        Some((name, v)) => (name, Some(v.trim_start_matches('='))),
        None => {
            let end = spec
                .find(['<', '>', '~', '!', '=', '[', '@'])
                .unwrap_or(spec.len());
            (&spec[..end], None)
        }
    };
    let name = name.split('[').next().unwrap_or(name);
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(bad(n, format!("{spec:?} is not a requirement")));
    }
    let integrity = hashes
        .iter()
        .find(|h| h.starts_with("sha256:"))
        .or(hashes.first())
        .cloned();
    push(out, pypi_package(name, version, integrity))
}

#[cfg(test)]
#[path = "lockfile_tests.rs"]
mod tests;
