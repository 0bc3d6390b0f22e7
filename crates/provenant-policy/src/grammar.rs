//! The grammar of every flag (and policy field) that names something: each function takes the
//! value as written and returns it, or why it is refused with the expected form. The CLI uses
//! them as clap value parsers (exit 2 before anything runs), [`crate::SourcePolicy::validate`]
//! re-checks the merged flags and policy file, and the policy linter reports them by line.

use provenant_formats::source::{check_full_ref, check_ref_name, is_commit_id, parse_source_uri};

use crate::eval::parse_semver;

fn no_space(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_owner(s: &str) -> bool {
    // GitHub user and organisation names: letters, digits and '-' (EMU accounts add '_'), not
    // starting with '-'.
    (1..=100).contains(&s.len())
        && !s.starts_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn is_repo_name(s: &str) -> bool {
    (1..=100).contains(&s.len())
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// `--owner`: a GitHub owner (user or organisation) name.
pub fn owner(s: &str) -> Result<String, String> {
    if is_owner(s) {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not a repository owner: write OWNER (letters, digits, '-')"
        ))
    }
}

/// `--repo`, `--signer-repo`: `OWNER/REPO` and nothing else.
pub fn owner_repo(s: &str) -> Result<String, String> {
    match s.split_once('/') {
        Some((o, r)) if is_owner(o) && is_repo_name(r) => Ok(s.to_owned()),
        _ => Err(format!(
            "{s:?} is not a repository: write OWNER/REPO (e.g. octo-org/app; letters, digits, - _ .)"
        )),
    }
}

/// `--source-uri`: a repository (`github.com/org/repo`, `https://gitlab.com/group/proj`),
/// without a ref.
pub fn source_uri(s: &str) -> Result<String, String> {
    let form = "write the repository as HOST/OWNER/REPO or https://HOST/OWNER/REPO, without @ref";
    match parse_source_uri(s) {
        Ok(p) if p.git_ref.is_none() && p.normalized.contains('/') => Ok(s.to_owned()),
        Ok(_) => Err(format!("{s:?}: {form}")),
        Err(e) => Err(format!("{e}; {form}")),
    }
}

/// `--source-tag`, `--source-branch`: a tag or branch name, without `refs/...`.
pub fn ref_name(s: &str) -> Result<String, String> {
    check_ref_name(s)
        .map(|()| s.to_owned())
        .map_err(|e| format!("{e}; write the tag or branch name alone, e.g. v1.2.3 or main"))
}

/// `--source-versioned-tag`: a semver tag, `vMAJOR[.MINOR[.PATCH[-PRERELEASE]]]`.
pub fn versioned_tag(s: &str) -> Result<String, String> {
    match parse_semver(s) {
        Some(_) => Ok(s.to_owned()),
        None => Err(format!(
            "{s:?} is not a semver tag: write vMAJOR[.MINOR[.PATCH]], e.g. v1 or v1.2"
        )),
    }
}

/// `--source-ref`: a full ref, `refs/heads/BRANCH` or `refs/tags/TAG`.
pub fn full_ref(s: &str) -> Result<String, String> {
    check_full_ref(s)
        .map(|()| s.to_owned())
        .map_err(|e| format!("{e}; write the full ref, e.g. refs/tags/v1.2.3 or refs/heads/main"))
}

/// `--commit`, `--source-digest`: a full commit id, 40 or 64 hex digits.
pub fn commit(s: &str) -> Result<String, String> {
    if is_commit_id(s) {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not a full commit id: write the 40 (SHA-1) or 64 (SHA-256) hex digits"
        ))
    }
}

/// `--builder-id`: a builder URI with a scheme, optionally `@REF`.
pub fn builder_id(s: &str) -> Result<String, String> {
    let form = "write the builder id as a URI, e.g. https://github.com/actions/runner/github-hosted or https://github.com/OWNER/REPO/.github/workflows/FILE.yml@refs/tags/vX.Y.Z";
    match parse_source_uri(s) {
        Ok(_) if s.contains("://") => Ok(s.to_owned()),
        Ok(_) => Err(format!("{s:?}: {form}")),
        Err(e) => Err(format!("{e}; {form}")),
    }
}

/// `--signer-workflow`: `[HOST/]OWNER/REPO/PATH/TO/WORKFLOW.yml`, no ref, no scheme but https.
pub fn signer_workflow(s: &str) -> Result<String, String> {
    let form = "write [HOST/]OWNER/REPO/PATH/TO/WORKFLOW.yml, without @ref";
    let body = s.strip_prefix("https://").unwrap_or(s);
    let segments: Vec<&str> = body.split('/').collect();
    let ok = no_space(body)
        && !body.contains(['@', '?', '#', ':'])
        && segments.len() >= 3
        && segments
            .iter()
            .all(|p| !p.is_empty() && *p != "." && *p != "..");
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!("{s:?}: {form}"))
    }
}

/// An absolute URI (`--predicate-type`): `SCHEME:REST`, no whitespace.
pub fn uri(s: &str) -> Result<String, String> {
    let ok = no_space(s)
        && s.split_once(':').is_some_and(|(scheme, rest)| {
            !rest.is_empty()
                && scheme
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic())
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        });
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not an absolute URI: write SCHEME:..., e.g. https://slsa.dev/provenance/v1"
        ))
    }
}

/// `--certificate-oidc-issuer`: an issuer URL, `https://HOST[/PATH]`.
pub fn issuer_url(s: &str) -> Result<String, String> {
    let ok = no_space(s)
        && s.strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .and_then(|rest| rest.split('/').next())
            .is_some_and(|host| {
                !host.is_empty()
                    && host
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
            });
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not an OIDC issuer URL: write https://HOST[/PATH], e.g. https://token.actions.githubusercontent.com"
        ))
    }
}

/// `--certificate-identity`: a SAN (URI or e-mail), no whitespace.
pub fn identity(s: &str) -> Result<String, String> {
    if no_space(s) {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not a certificate identity: write the SAN, a URI or an e-mail address, without spaces"
        ))
    }
}

/// A regexp (`--certificate-identity-regexp`, `--certificate-oidc-issuer-regexp`): it must
/// compile as provenant anchors it.
pub fn regexp(s: &str) -> Result<String, String> {
    regex::RegexBuilder::new(&format!("^(?:{s})$"))
        .size_limit(1 << 20)
        .build()
        .map(|_| s.to_owned())
        .map_err(|e| {
            format!(
                "{s:?} is not a valid regexp: {}",
                e.to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        })
}

/// `--verified-level`: a VSA level, `SLSA_<TRACK>_LEVEL_<N>` or another upper-case name.
pub fn level(s: &str) -> Result<String, String> {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not a VSA level: write it as the VSA does, e.g. SLSA_BUILD_LEVEL_3"
        ))
    }
}

/// `--threshold`: a number of keys, at least 1.
pub fn threshold(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=64).contains(&n) => Ok(n),
        _ => Err(format!(
            "{s:?} is not a threshold: write how many distinct keys must sign, 1 to 64"
        )),
    }
}

/// A value with no grammar of its own (`--package-name`, `--verifier-id`, ...): not empty,
/// no whitespace or control character.
pub fn token(s: &str) -> Result<String, String> {
    if no_space(s) {
        Ok(s.to_owned())
    } else {
        Err(format!("{s:?}: write a non-empty value without spaces"))
    }
}

/// `--build-workflow-input`: `KEY=VALUE`, a non-empty key without spaces.
pub fn key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if no_space(k) => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!(
            "{s:?} is not KEY=VALUE: write the input's name, '=', then its value"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_repo_is_owner_slash_repo() {
        assert!(owner_repo("octo-org/app").is_ok());
        assert!(owner_repo("octo-org/app.js").is_ok());
        for bad in [
            "octo-org",
            "octo-org/",
            "/app",
            "octo-org/app/x",
            "github.com/octo-org/app",
            "octo org/app",
            "octo-org/..",
        ] {
            assert!(owner_repo(bad).is_err(), "{bad:?}");
        }
        assert!(owner("octo-org").is_ok());
        assert!(owner("octo-org/app").is_err());
    }

    #[test]
    fn refs_commits_uris() {
        assert!(ref_name("v1.2.3").is_ok());
        assert!(ref_name("refs/tags/v1").is_err());
        assert!(ref_name("a..b").is_err());
        assert!(full_ref("refs/heads/main").is_ok());
        assert!(full_ref("main").is_err());
        assert!(commit(&"a".repeat(40)).is_ok());
        assert!(commit("abc").is_err());
        assert!(versioned_tag("v1").is_ok());
        assert!(versioned_tag("1").is_err());
        assert!(source_uri("github.com/o/r").is_ok());
        assert!(source_uri("https://github.com/o/r").is_ok());
        assert!(source_uri("github.com/o/r@refs/tags/v1").is_err());
        assert!(source_uri("github.com").is_err());
        assert!(builder_id("https://github.com/actions/runner/github-hosted").is_ok());
        assert!(builder_id("github-hosted").is_err());
        assert!(signer_workflow("github.com/o/r/.github/workflows/r.yml").is_ok());
        assert!(signer_workflow("o/r/.github/workflows/r.yml").is_ok());
        assert!(signer_workflow("o/r/.github/workflows/r.yml@refs/heads/main").is_err());
        assert!(signer_workflow("o/r").is_err());
        assert!(uri("https://slsa.dev/provenance/v1").is_ok());
        assert!(uri("slsa provenance").is_err());
        assert!(issuer_url("https://token.actions.githubusercontent.com").is_ok());
        assert!(issuer_url("token.actions.githubusercontent.com").is_err());
        assert!(regexp("a(").is_err());
        assert!(level("SLSA_BUILD_LEVEL_3").is_ok());
        assert!(level("level 3").is_err());
        assert!(threshold("0").is_err());
        assert!(threshold("2").is_ok());
        assert!(key_value("=x").is_err());
    }
}
