//! The grammar of every flag (and policy field) that names something: each function takes the
//! value as written and returns it, or why it is refused with the expected form. The CLI uses
//! them as clap value parsers (exit 2 before anything runs), [`crate::SourcePolicy::validate`]
//! re-checks the merged flags and policy file, and the policy linter reports them by line.

use provenant_formats::source::{
    check_full_ref, check_ref_name, is_commit_id, parse_source_uri, SourceRefError,
};

use crate::eval::parse_semver;

/// Why a value does not follow its grammar; the message ends with the expected form.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GrammarError {
    /// The value is not the kind of thing the flag names.
    #[error("{value:?} is not {what}: {form}")]
    NotA {
        /// The value as written.
        value: String,
        /// What it should be (`a full commit id`).
        what: &'static str,
        /// How to write it.
        form: &'static str,
    },
    /// The value does not have the expected form.
    #[error("{value:?}: {form}")]
    Form {
        /// The value as written.
        value: String,
        /// How to write it.
        form: &'static str,
    },
    /// A repository reference or git ref that does not parse.
    #[error("{source}; {form}")]
    Source {
        /// Why it does not parse (it names the value).
        #[source]
        source: SourceRefError,
        /// How to write it.
        form: &'static str,
    },
    /// A regexp that does not compile as provenant anchors it.
    #[error("\"{value}\" is not a valid regexp: {}", one_line(source))]
    Regexp {
        /// The regexp as written.
        value: String,
        /// The compiler's complaint.
        #[source]
        source: regex::Error,
    },
}

/// The regex crate's multi-line message on one line.
fn one_line(e: &regex::Error) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn not_a(value: &str, what: &'static str, form: &'static str) -> GrammarError {
    GrammarError::NotA {
        value: value.to_owned(),
        what,
        form,
    }
}

fn form(value: &str, form: &'static str) -> GrammarError {
    GrammarError::Form {
        value: value.to_owned(),
        form,
    }
}

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
pub fn owner(s: &str) -> Result<String, GrammarError> {
    if is_owner(s) {
        Ok(s.to_owned())
    } else {
        Err(not_a(
            s,
            "a repository owner",
            "write OWNER (letters, digits, '-')",
        ))
    }
}

/// `--repo`, `--signer-repo`: `OWNER/REPO` and nothing else.
pub fn owner_repo(s: &str) -> Result<String, GrammarError> {
    match s.split_once('/') {
        Some((o, r)) if is_owner(o) && is_repo_name(r) => Ok(s.to_owned()),
        _ => Err(not_a(
            s,
            "a repository",
            "write OWNER/REPO (e.g. octo-org/app; letters, digits, - _ .)",
        )),
    }
}

/// `--source-uri`: a repository (`github.com/org/repo`, `https://gitlab.com/group/proj`),
/// without a ref.
pub fn source_uri(s: &str) -> Result<String, GrammarError> {
    const FORM: &str =
        "write the repository as HOST/OWNER/REPO or https://HOST/OWNER/REPO, without @ref";
    match parse_source_uri(s) {
        Ok(p) if p.git_ref.is_none() && p.normalized.contains('/') => Ok(s.to_owned()),
        Ok(_) => Err(form(s, FORM)),
        Err(e) => Err(GrammarError::Source {
            source: e,
            form: FORM,
        }),
    }
}

/// `--source-tag`, `--source-branch`: a tag or branch name, without `refs/...`.
pub fn ref_name(s: &str) -> Result<String, GrammarError> {
    check_ref_name(s)
        .map(|()| s.to_owned())
        .map_err(|source| GrammarError::Source {
            source,
            form: "write the tag or branch name alone, e.g. v1.2.3 or main",
        })
}

/// `--source-versioned-tag`: a semver tag, `vMAJOR[.MINOR[.PATCH[-PRERELEASE]]]`.
pub fn versioned_tag(s: &str) -> Result<String, GrammarError> {
    match parse_semver(s) {
        Some(_) => Ok(s.to_owned()),
        None => Err(not_a(
            s,
            "a semver tag",
            "write vMAJOR[.MINOR[.PATCH]], e.g. v1 or v1.2",
        )),
    }
}

/// `--source-ref`: a full ref, `refs/heads/BRANCH` or `refs/tags/TAG`.
pub fn full_ref(s: &str) -> Result<String, GrammarError> {
    check_full_ref(s)
        .map(|()| s.to_owned())
        .map_err(|source| GrammarError::Source {
            source,
            form: "write the full ref, e.g. refs/tags/v1.2.3 or refs/heads/main",
        })
}

/// `--commit`, `--source-digest`: a full commit id, 40 or 64 hex digits.
pub fn commit(s: &str) -> Result<String, GrammarError> {
    if is_commit_id(s) {
        Ok(s.to_owned())
    } else {
        Err(not_a(
            s,
            "a full commit id",
            "write the 40 (SHA-1) or 64 (SHA-256) hex digits",
        ))
    }
}

/// `--builder-id`: a builder URI with a scheme, optionally `@REF`.
pub fn builder_id(s: &str) -> Result<String, GrammarError> {
    const FORM: &str = "write the builder id as a URI, e.g. https://github.com/actions/runner/github-hosted or https://github.com/OWNER/REPO/.github/workflows/FILE.yml@refs/tags/vX.Y.Z";
    match parse_source_uri(s) {
        Ok(_) if s.contains("://") => Ok(s.to_owned()),
        Ok(_) => Err(form(s, FORM)),
        Err(e) => Err(GrammarError::Source {
            source: e,
            form: FORM,
        }),
    }
}

/// `--signer-workflow`: `[HOST/]OWNER/REPO/PATH/TO/WORKFLOW.yml`, no ref, no scheme but https.
pub fn signer_workflow(s: &str) -> Result<String, GrammarError> {
    const FORM: &str = "write [HOST/]OWNER/REPO/PATH/TO/WORKFLOW.yml, without @ref";
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
        Err(form(s, FORM))
    }
}

/// An absolute URI (`--predicate-type`): `SCHEME:REST`, no whitespace.
pub fn uri(s: &str) -> Result<String, GrammarError> {
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
        Err(not_a(
            s,
            "an absolute URI",
            "write SCHEME:..., e.g. https://slsa.dev/provenance/v1",
        ))
    }
}

/// `--certificate-oidc-issuer`: an issuer URL, `https://HOST[/PATH]`.
pub fn issuer_url(s: &str) -> Result<String, GrammarError> {
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
        Err(not_a(
            s,
            "an OIDC issuer URL",
            "write https://HOST[/PATH], e.g. https://token.actions.githubusercontent.com",
        ))
    }
}

/// `--certificate-identity`: a SAN (URI or e-mail), no whitespace.
pub fn identity(s: &str) -> Result<String, GrammarError> {
    if no_space(s) {
        Ok(s.to_owned())
    } else {
        Err(not_a(
            s,
            "a certificate identity",
            "write the SAN, a URI or an e-mail address, without spaces",
        ))
    }
}

/// A regexp (`--certificate-identity-regexp`, `--certificate-oidc-issuer-regexp`): it must
/// compile as provenant anchors it.
pub fn regexp(s: &str) -> Result<String, GrammarError> {
    regex::RegexBuilder::new(&format!("^(?:{s})$"))
        .size_limit(1 << 20)
        .build()
        .map(|_| s.to_owned())
        .map_err(|source| GrammarError::Regexp {
            value: s.to_owned(),
            source,
        })
}

/// `--verified-level`: a VSA level, `SLSA_<TRACK>_LEVEL_<N>` or another upper-case name.
pub fn level(s: &str) -> Result<String, GrammarError> {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        Ok(s.to_owned())
    } else {
        Err(not_a(
            s,
            "a VSA level",
            "write it as the VSA does, e.g. SLSA_BUILD_LEVEL_3",
        ))
    }
}

/// `--threshold`: a number of keys, at least 1.
pub fn threshold(s: &str) -> Result<usize, GrammarError> {
    match s.parse::<usize>() {
        Ok(n) if (1..=64).contains(&n) => Ok(n),
        _ => Err(not_a(
            s,
            "a threshold",
            "write how many distinct keys must sign, 1 to 64",
        )),
    }
}

/// A value with no grammar of its own (`--package-name`, `--verifier-id`, ...): not empty,
/// no whitespace or control character.
pub fn token(s: &str) -> Result<String, GrammarError> {
    if no_space(s) {
        Ok(s.to_owned())
    } else {
        Err(form(s, "write a non-empty value without spaces"))
    }
}

/// `--build-workflow-input`: `KEY=VALUE`, a non-empty key without spaces.
pub fn key_value(s: &str) -> Result<(String, String), GrammarError> {
    match s.split_once('=') {
        Some((k, v)) if no_space(k) => Ok((k.to_owned(), v.to_owned())),
        _ => Err(not_a(
            s,
            "KEY=VALUE",
            "write the input's name, '=', then its value",
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

    #[test]
    fn messages_name_the_value_and_the_form() {
        let msg = |r: Result<String, GrammarError>| r.unwrap_err().to_string();
        assert_eq!(
            msg(commit("abc")),
            "\"abc\" is not a full commit id: write the 40 (SHA-1) or 64 (SHA-256) hex digits"
        );
        assert_eq!(
            msg(token("a b")),
            "\"a b\": write a non-empty value without spaces"
        );
        assert_eq!(
            msg(signer_workflow("o/r")),
            "\"o/r\": write [HOST/]OWNER/REPO/PATH/TO/WORKFLOW.yml, without @ref"
        );
        assert!(msg(ref_name("refs/tags/v1"))
            .ends_with("; write the tag or branch name alone, e.g. v1.2.3 or main"));
        let e = regexp("a(").unwrap_err();
        assert!(matches!(&e, GrammarError::Regexp { value, .. } if value == "a("));
        let m = e.to_string();
        assert!(
            m.starts_with("\"a(\" is not a valid regexp: ") && !m.contains('\n'),
            "{m}"
        );
        assert_eq!(
            threshold("0").unwrap_err(),
            GrammarError::NotA {
                value: "0".into(),
                what: "a threshold",
                form: "write how many distinct keys must sign, 1 to 64",
            }
        );
    }
}
