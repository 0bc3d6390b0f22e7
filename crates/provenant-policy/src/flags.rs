//! The source policy, as the flags state it.

/// The workflows of slsa-github-generator, the builders slsa-verifier trusts by default.
pub const TRUSTED_BUILDER_PREFIX: &str =
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/";

/// The OIDC issuer of GitHub Actions' workflow tokens.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// What the source, the build and the signer must be. Empty fields are not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourcePolicy {
    /// `--source-uri`: the source repository (`github.com/org/repo`), exact.
    pub source_uri: Option<String>,
    /// `--source-tag`: the exact tag.
    pub source_tag: Option<String>,
    /// `--source-versioned-tag`: a semver prefix (`v1` matches `v1.4.2`).
    pub source_versioned_tag: Option<String>,
    /// `--source-branch`: the branch.
    pub source_branch: Option<String>,
    /// `--builder-id`: the builder, with or without `@ref`.
    pub builder_id: Option<String>,
    /// `--commit`: the commit that is supposed to have shipped.
    pub commit: Option<String>,
    /// `--owner`: the source repository's owner.
    pub owner: Option<String>,
    /// `--repo`: `owner/repo` of the source repository.
    pub repo: Option<String>,
    /// `--signer-repo`: `owner/repo` holding the signing workflow.
    pub signer_repo: Option<String>,
    /// `--signer-workflow`: `[host/]owner/repo/path/to/workflow.yml`.
    pub signer_workflow: Option<String>,
    /// `--source-ref`: the certificate's source ref, exact.
    pub source_ref: Option<String>,
    /// `--source-digest`: the certificate's source commit, exact.
    pub source_digest: Option<String>,
    /// `--predicate-type`: only statements of this predicate type count.
    pub predicate_type: Option<String>,
    /// `--deny-self-hosted-runners`.
    pub deny_self_hosted_runners: bool,
    /// `--build-workflow-input KEY=VALUE`: inputs the build's workflow must have been given.
    pub workflow_inputs: Vec<(String, String)>,
    /// `--package-name`: the npm package the publish attestation must name.
    pub package_name: Option<String>,
    /// `--package-version`: the npm package version the publish attestation must name.
    pub package_version: Option<String>,
    /// Lists of alternatives from a policy file (`builders`, `source.refs`,
    /// `provenance.predicateTypes` with more than one entry): within each group, at least one
    /// alternative must hold in full; every group must.
    pub any_of: Vec<Vec<SourcePolicy>>,
}

impl SourcePolicy {
    /// Whether nothing is asked.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Whether the policy names who may have signed (so a keyless signature is not
    /// unconstrained even without `--certificate-identity`).
    pub fn constrains_signer(&self) -> bool {
        // A builder id binds the signer only when it is a workflow (the certificate must be it);
        // `https://github.com/actions/runner/github-hosted` is written by every GitHub build.
        self.builder_id
            .as_deref()
            .is_some_and(|b| b.contains("/.github/workflows/"))
            || self.signer_repo.is_some()
            || self.signer_workflow.is_some()
            || self.owner.is_some()
            || self.repo.is_some()
            || self.source_uri.is_some()
            || self
                .any_of
                .iter()
                .any(|g| !g.is_empty() && g.iter().all(SourcePolicy::constrains_signer))
    }

    /// Every value that does not follow its flag's grammar (see [`crate::grammar`]), as
    /// `--flag: why, expected form`; alternatives from a policy file included.
    pub fn validate(&self) -> Vec<String> {
        use crate::grammar as g;
        let mut out = Vec::new();
        let mut check =
            |flag: &str, v: &Option<String>, f: fn(&str) -> Result<String, g::GrammarError>| {
                if let Some(v) = v {
                    if let Err(e) = f(v) {
                        out.push(format!("--{flag}: {e}"));
                    }
                }
            };
        check("source-uri", &self.source_uri, g::source_uri);
        check("source-tag", &self.source_tag, g::ref_name);
        check(
            "source-versioned-tag",
            &self.source_versioned_tag,
            g::versioned_tag,
        );
        check("source-branch", &self.source_branch, g::ref_name);
        check("builder-id", &self.builder_id, g::builder_id);
        check("commit", &self.commit, g::commit);
        check("owner", &self.owner, g::owner);
        check("repo", &self.repo, g::owner_repo);
        check("signer-repo", &self.signer_repo, g::owner_repo);
        check("signer-workflow", &self.signer_workflow, g::signer_workflow);
        check("source-ref", &self.source_ref, g::full_ref);
        check("source-digest", &self.source_digest, g::commit);
        check("predicate-type", &self.predicate_type, g::uri);
        check("package-name", &self.package_name, g::token);
        check("package-version", &self.package_version, g::token);
        for (k, _) in &self.workflow_inputs {
            if let Err(e) = g::key_value(&format!("{k}=")) {
                out.push(format!("--build-workflow-input: {e}"));
            }
        }
        for alt in self.any_of.iter().flatten() {
            out.extend(alt.validate());
        }
        out
    }

    /// The OIDC issuer the policy implies, as its peers do: `gh attestation verify` (`--owner`,
    /// `--repo`, `--signer-repo`, `--signer-workflow`) and `slsa-verifier` (a github.com source
    /// or a GitHub workflow builder) accept only GitHub Actions' issuer. `None` when nothing
    /// names a GitHub source or signer, or when alternatives disagree.
    pub fn implied_issuer(&self) -> Option<&'static str> {
        let github_host = |v: &str| normalize_repo(v).starts_with("github.com/");
        let own = self.owner.is_some()
            || self.repo.is_some()
            || self.signer_repo.is_some()
            || self.signer_workflow.as_deref().is_some_and(|w| {
                let w = w.strip_prefix("https://").unwrap_or(w);
                w.starts_with("github.com/")
                    || !w.split('/').next().is_some_and(|h| h.contains('.'))
            })
            || self.source_uri.as_deref().is_some_and(github_host)
            || self.builder_id.as_deref().is_some_and(|b| {
                b.starts_with("https://github.com/") && b.contains("/.github/workflows/")
            });
        let groups = !self.any_of.is_empty()
            && self.any_of.iter().any(|g| {
                !g.is_empty()
                    && g.iter()
                        .all(|a| a.implied_issuer() == Some(GITHUB_ACTIONS_ISSUER))
            });
        (own || groups).then_some(GITHUB_ACTIONS_ISSUER)
    }

    /// Whether a builder is named, directly or among alternatives (which turns off the default
    /// of trusting only slsa-github-generator's workflows).
    pub fn names_builder(&self) -> bool {
        self.builder_id.is_some()
            || self
                .any_of
                .iter()
                .flatten()
                .any(SourcePolicy::names_builder)
    }
}

/// A repository reference reduced to `host/owner/repo`: no `git+`, no scheme, no `@ref`,
/// no `.git`, no trailing slash. Nothing else is changed: comparison stays exact. It is the one
/// source-reference parser's reading ([`provenant_formats::source::parse_source_uri`]); a value
/// that does not parse is returned as written, so it equals no valid repository.
pub fn normalize_repo(uri: &str) -> String {
    match provenant_formats::source::parse_source_uri(uri.trim()) {
        Ok(s) => s.normalized,
        Err(_) => uri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_without_loosening() {
        assert_eq!(
            normalize_repo("git+https://github.com/org/repo@refs/tags/v1"),
            "github.com/org/repo"
        );
        assert_eq!(
            normalize_repo("https://github.com/org/repo.git/"),
            "github.com/org/repo"
        );
        assert_eq!(normalize_repo("github.com/org/repo"), "github.com/org/repo");
        assert_ne!(
            normalize_repo("https://github.com/org/repo-evil"),
            "github.com/org/repo"
        );
        // The repository ends at the first '@'; a ref holding '@' never moves it.
        assert_eq!(
            normalize_repo("git+https://github.com/o/r@refs/heads/evil@refs/tags/v1.0.0"),
            "github.com/o/r"
        );
        assert_ne!(
            normalize_repo("git+https://github.com/evil/r@x@https://github.com/o/r"),
            "github.com/o/r"
        );
    }
}
