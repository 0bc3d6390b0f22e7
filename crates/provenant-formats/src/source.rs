//! Source references: `git+https://github.com/org/repo@refs/tags/v1.2.3` and the other forms
//! SLSA provenance (v0.2 `configSource.uri`, v1 `externalParameters.workflow`,
//! `resolvedDependencies[].uri`) and Fulcio certificates (`.1.6`, `.1.12`, `.1.14`) use.
//!
//! The repository is parsed first, by its grammar (scheme, host, path segments that hold no
//! `@`); the ref is everything after the first `@` that follows the repository, taken whole. A
//! git branch may legally be named `evil@refs/tags/v1.0.0`, so
//! `repo@refs/heads/evil@refs/tags/v1.0.0` is that branch, never tag `v1.0.0`: cutting at the
//! last `@` would read a tag there.

/// Why a source reference or a ref was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceRefError {
    /// The repository part does not follow `[git+][SCHEME://]HOST/PATH`.
    #[error(
        "{value:?} is not a repository reference ([git+]SCHEME://HOST/OWNER/REPO[@REF]): {detail}"
    )]
    Repository {
        /// The value as written.
        value: String,
        /// What is wrong.
        detail: &'static str,
    },
    /// The ref is not a well-formed git ref.
    #[error(
        "{value:?} is not a git ref (refs/heads/BRANCH, refs/tags/TAG or a commit id): {detail}"
    )]
    Ref {
        /// The ref as written.
        value: String,
        /// What is wrong.
        detail: &'static str,
    },
}

/// A source reference, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    /// The repository as written, without the `@ref` (`git+https://github.com/org/repo`).
    pub repository: String,
    /// The repository reduced to `host/path`: no `git+`, scheme, user, trailing `/` or `.git`.
    /// Nothing else is changed: comparisons on it stay exact.
    pub normalized: String,
    /// Everything after the first `@` that follows the repository, taken whole.
    pub git_ref: Option<String>,
}

impl SourceRef {
    /// The ref when it names a ref (`refs/...` or a bare name), not a pinned commit id.
    pub fn named_ref(&self) -> Option<&str> {
        self.git_ref.as_deref().filter(|r| !is_commit_id(r))
    }
}

/// Whether `s` is a full commit id (40 or 64 hex digits).
pub fn is_commit_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn repo_err(value: &str, detail: &'static str) -> SourceRefError {
    SourceRefError::Repository {
        value: value.to_owned(),
        detail,
    }
}

/// Parse `[git+][SCHEME://][USER@]HOST/PATH[@REF]`.
///
/// The host and every path segment must hold no `@`, whitespace or control character; user
/// information is allowed for `ssh` only (`ssh://git@host/...`). The ref, when present, is
/// checked with [`check_ref`].
pub fn parse_source_uri(uri: &str) -> Result<SourceRef, SourceRefError> {
    if uri.is_empty() {
        return Err(repo_err(uri, "empty"));
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(repo_err(uri, "it holds whitespace or a control character"));
    }
    let body = uri.strip_prefix("git+").unwrap_or(uri);
    let (scheme, rest) = match body.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, body),
    };
    if let Some(s) = scheme {
        let ok = s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
        if !ok {
            return Err(repo_err(uri, "the scheme is not a URI scheme"));
        }
    }
    let (authority, path_and_ref) = match rest.split_once('/') {
        Some((a, p)) => (a, p),
        None => return Err(repo_err(uri, "no repository path after the host")),
    };
    let host = match authority.split_once('@') {
        Some((user, host)) => {
            if scheme != Some("ssh") {
                return Err(repo_err(
                    uri,
                    "user information before the host is only accepted for ssh://",
                ));
            }
            if user.is_empty() || host.contains('@') {
                return Err(repo_err(uri, "malformed user information"));
            }
            host
        }
        None => authority,
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b));
    if !host_ok {
        return Err(repo_err(
            uri,
            "the host is empty or holds characters no host has",
        ));
    }
    // The path ends at the first '@': no path segment may hold one.
    let (path, git_ref) = match path_and_ref.split_once('@') {
        Some((p, r)) => (p, Some(r)),
        None => (path_and_ref, None),
    };
    if path.contains(['?', '#']) {
        return Err(repo_err(
            uri,
            "a query or fragment is not part of a repository",
        ));
    }
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    if path.is_empty() || path.split('/').any(str::is_empty) {
        return Err(repo_err(uri, "an empty path segment"));
    }
    if let Some(r) = git_ref {
        check_ref(r)?;
    }
    // The ref is a suffix of `uri`: the repository is what precedes its '@'.
    let repository_len = uri.len() - git_ref.map_or(0, |r| r.len() + 1);
    Ok(SourceRef {
        repository: uri[..repository_len].to_owned(),
        normalized: format!("{host}/{path}"),
        git_ref: git_ref.map(str::to_owned),
    })
}

fn ref_err(value: &str, detail: &'static str) -> SourceRefError {
    SourceRefError::Ref {
        value: value.to_owned(),
        detail,
    }
}

/// A ref as git accepts it (`git check-ref-format`): `refs/...` with no `..`, `@{`, `//`,
/// component starting with `.`, trailing `/`, `.` or `.lock`, and none of space, `~ ^ : ? * [ \`
/// or a control character; or a full commit id. `@` itself is legal inside a ref name.
pub fn check_ref(r: &str) -> Result<(), SourceRefError> {
    if r.is_empty() {
        return Err(ref_err(r, "empty"));
    }
    if is_commit_id(r) {
        return Ok(());
    }
    if r.chars()
        .any(|c| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c))
    {
        return Err(ref_err(
            r,
            "it holds a space, a control character or one of ~ ^ : ? * [ \\",
        ));
    }
    if r.contains("..") || r.contains("@{") || r == "@" {
        return Err(ref_err(r, "it holds '..' or '@{', or is '@'"));
    }
    if r.ends_with('/') || r.ends_with('.') || r.ends_with(".lock") {
        return Err(ref_err(r, "it ends with '/', '.' or '.lock'"));
    }
    if r.split('/')
        .any(|c| c.is_empty() || c.starts_with('.') || c.ends_with(".lock"))
    {
        return Err(ref_err(
            r,
            "an empty component, or one starting with '.' or ending with '.lock'",
        ));
    }
    Ok(())
}

/// A full ref (`refs/heads/main`, `refs/tags/v1`): [`check_ref`] and the `refs/` prefix.
pub fn check_full_ref(r: &str) -> Result<(), SourceRefError> {
    check_ref(r)?;
    match r.strip_prefix("refs/") {
        Some(rest) if rest.contains('/') => Ok(()),
        _ => Err(ref_err(
            r,
            "a full ref starts with refs/ and names its kind (refs/heads/..., refs/tags/...)",
        )),
    }
}

/// A branch or tag name as `refs/heads/NAME` / `refs/tags/NAME` would hold it.
pub fn check_ref_name(name: &str) -> Result<(), SourceRefError> {
    if name.starts_with("refs/") {
        return Err(ref_err(
            name,
            "write the name alone; refs/heads/ or refs/tags/ is added",
        ));
    }
    if is_commit_id(name) {
        return Err(ref_err(name, "a commit id, not a branch or tag name"));
    }
    check_ref(name).map_err(|e| match e {
        SourceRefError::Ref { detail, .. } => ref_err(name, detail),
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_then_whole_ref() {
        let s = parse_source_uri("git+https://github.com/o/r@refs/heads/evil@refs/tags/v1.0.0")
            .unwrap();
        assert_eq!(s.repository, "git+https://github.com/o/r");
        assert_eq!(s.normalized, "github.com/o/r");
        assert_eq!(
            s.git_ref.as_deref(),
            Some("refs/heads/evil@refs/tags/v1.0.0")
        );

        let s = parse_source_uri("git+https://github.com/org/repo.git@refs/tags/v1").unwrap();
        assert_eq!(s.repository, "git+https://github.com/org/repo.git");
        assert_eq!(s.normalized, "github.com/org/repo");
        assert_eq!(s.git_ref.as_deref(), Some("refs/tags/v1"));

        let s = parse_source_uri("https://gitlab.com/group/sub/proj").unwrap();
        assert_eq!(s.normalized, "gitlab.com/group/sub/proj");
        assert_eq!(s.git_ref, None);

        let s = parse_source_uri("github.com/org/repo/").unwrap();
        assert_eq!(s.normalized, "github.com/org/repo");

        let s = parse_source_uri("git+ssh://git@github.com/o/r@refs/heads/main").unwrap();
        assert_eq!(s.normalized, "github.com/o/r");
        assert_eq!(s.git_ref.as_deref(), Some("refs/heads/main"));

        let c = "5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5";
        let s = parse_source_uri(&format!("git+https://github.com/o/r@{c}")).unwrap();
        assert_eq!(s.named_ref(), None);
        assert_eq!(s.git_ref.as_deref(), Some(c));
    }

    #[test]
    fn malformed_repositories_are_refused() {
        for bad in [
            "",
            "https://github.com",
            "https://attacker@github.com/o/r",
            "https://github.com//r",
            "https://github.com/o/r?x=1",
            "https://github.com/o/r @refs/tags/v1",
            "git@github.com:o/r",
            "1http://github.com/o/r",
            "https://github.com/o/r@refs/tags/v1..2",
            "https://github.com/o/r@",
        ] {
            assert!(parse_source_uri(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn refs_follow_git_rules() {
        assert!(check_ref("refs/heads/evil@refs/tags/v1.0.0").is_ok());
        assert!(check_ref("refs/tags/v1.0.0").is_ok());
        for bad in [
            "refs/heads/a..b",
            "refs/heads/a@{1}",
            "refs/heads/x.lock",
            "refs/heads/.x",
            "refs/heads/x/",
            "refs/heads//x",
            "refs/heads/a b",
            "refs/heads/a~1",
            "@",
        ] {
            assert!(check_ref(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(check_full_ref("refs/heads/main").is_ok());
        assert!(check_full_ref("main").is_err());
        assert!(check_full_ref("refs/main").is_err());
        assert!(check_ref_name("v1.0.0").is_ok());
        assert!(check_ref_name("refs/tags/v1").is_err());
        assert!(check_ref_name("release/1.x").is_ok());
    }
}
