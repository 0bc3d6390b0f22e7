//! Evaluate a [`SourcePolicy`] against one verified signature: its signer (certificate claims)
//! and, for DSSE evidence, its statement and SLSA provenance.
//!
//! Each expectation is compared with *every* verified source that records the value (the
//! provenance and the Fulcio certificate): all must agree, and at least one must record it.
//! Nothing is assumed from a missing field.

use provenant_formats::intoto::Statement;
use provenant_formats::slsa::provenance_of;
use provenant_model::{Check, CheckCode, EvidenceRef, ProvenanceClaim, SignerClaim};

use crate::flags::{normalize_repo, SourcePolicy, TRUSTED_BUILDER_PREFIX};

struct Ctx<'a> {
    evref: &'a EvidenceRef,
    out: Vec<Check>,
}

impl Ctx<'_> {
    fn push(&mut self, ok: bool, pass: CheckCode, fail: CheckCode, reason: String) {
        let ev = vec![self.evref.clone()];
        self.out.push(if ok {
            Check::pass(pass, reason, ev)
        } else {
            Check::fail(fail, reason, ev)
        });
    }

    /// Compare `want` with each recorded `(source, value)`; all must satisfy `eq`.
    fn agree(
        &mut self,
        what: &str,
        want: &str,
        recorded: &[(&str, Option<String>)],
        eq: impl Fn(&str) -> bool,
        codes: (CheckCode, CheckCode),
    ) {
        self.agree_requiring(what, want, recorded, &[], eq, codes);
    }

    /// As `agree`, and each source named in `required` must record a value.
    fn agree_requiring(
        &mut self,
        what: &str,
        want: &str,
        recorded: &[(&str, Option<String>)],
        required: &[&str],
        eq: impl Fn(&str) -> bool,
        codes: (CheckCode, CheckCode),
    ) {
        if let Some((src, _)) = recorded
            .iter()
            .find(|(s, v)| v.is_none() && required.contains(s))
        {
            return self.push(
                false,
                codes.0,
                codes.1,
                format!("expected {what} {want:?}, but the {src} does not record one: only the {src} binds it to who signed"),
            );
        }
        let present: Vec<(&str, &String)> = recorded
            .iter()
            .filter_map(|(s, v)| v.as_ref().map(|v| (*s, v)))
            .collect();
        if present.is_empty() {
            let srcs: Vec<&str> = recorded.iter().map(|(s, _)| *s).collect();
            return self.push(
                false,
                codes.0,
                codes.1,
                format!(
                    "expected {what} {want:?}, but no verified source records one (looked at: {})",
                    srcs.join(", ")
                ),
            );
        }
        let bad: Vec<String> = present
            .iter()
            .filter(|(_, v)| !eq(v))
            .map(|(s, v)| format!("{s} says {v:?}"))
            .collect();
        if bad.is_empty() {
            let srcs: Vec<&str> = present.iter().map(|(s, _)| *s).collect();
            self.push(
                true,
                codes.0,
                codes.1,
                format!("{what} {want:?} (per {})", srcs.join(" and ")),
            );
        } else {
            self.push(
                false,
                codes.0,
                codes.1,
                format!("expected {what} {want:?}: {}", bad.join("; ")),
            );
        }
    }
}

/// The `vMAJOR[.MINOR[.PATCH]]` components of a tag, or `None` when it is not one.
pub(crate) fn semver_parts(tag: &str) -> Option<Vec<u64>> {
    let t = tag.strip_prefix('v').unwrap_or(tag);
    let core = t.split(['-', '+']).next()?;
    core.split('.').map(|p| p.parse().ok()).collect()
}

/// slsa-verifier's `--source-versioned-tag`: `v1` matches `v1.x.y`, `v1.2` matches `v1.2.x`.
pub(crate) fn versioned_tag_matches(want: &str, tag: &str) -> bool {
    match (semver_parts(want), semver_parts(tag)) {
        (Some(w), Some(t)) if w.len() <= t.len() && !w.is_empty() => {
            w.iter().zip(&t).all(|(a, b)| a == b)
        }
        _ => false,
    }
}

/// slsa-github-generator's BYOB delegator workflows, at a release tag.
fn is_trusted_delegator(san: &str) -> bool {
    san.strip_prefix(TRUSTED_BUILDER_PREFIX)
        .is_some_and(|rest| match rest.split_once('@') {
            Some((file, r)) => {
                file.starts_with("delegator_")
                    && !file.contains('/')
                    && r.starts_with("refs/tags/v")
            }
            None => false,
        })
}

/// The workflow inputs a SLSA predicate records: v0.2 `invocation.parameters.event_inputs` or
/// the event payload's `inputs`; v1 `externalParameters.inputs`.
fn workflow_inputs(p: &serde_json::Value) -> Option<&serde_json::Map<String, serde_json::Value>> {
    [
        "/invocation/parameters/event_inputs",
        "/invocation/environment/github_event_payload/inputs",
        "/buildDefinition/externalParameters/inputs",
        "/buildDefinition/externalParameters/workflow/inputs",
    ]
    .iter()
    .find_map(|ptr| p.pointer(ptr).and_then(serde_json::Value::as_object))
}

/// An input value as the command line writes it (`true`, `123`, text).
fn input_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// npm CLI's pre-GA provenance (build type `https://github.com/npm/cli/gha/v2`) names its builder
/// `https://github.com/actions/runner`; npm only generated it on GitHub-hosted runners, so, as
/// slsa-verifier does, it reads as `https://github.com/actions/runner/github-hosted`. Any other
/// provenance keeps its builder id unchanged.
fn npm_legacy_hosted_builder(p: &ProvenanceClaim) -> Option<String> {
    const LEGACY: &str = "https://github.com/actions/runner";
    const NPM_CLI_V2: &str = "https://github.com/npm/cli/gha/v2";
    let id = p.builder_id.clone()?;
    if id == LEGACY && p.build_type.as_deref() == Some(NPM_CLI_V2) {
        return Some(format!("{LEGACY}/github-hosted"));
    }
    Some(id)
}

/// Evaluate the policy for one verified signature. Returns no checks for an empty policy.
pub fn evaluate(
    policy: &SourcePolicy,
    signer: &SignerClaim,
    statement: Option<&Statement>,
    evref: &EvidenceRef,
) -> Vec<Check> {
    let mut cx = Ctx {
        evref,
        out: Vec::new(),
    };
    let prov: Option<ProvenanceClaim> = statement.and_then(provenance_of);
    let prov = prov.as_ref();
    let cert = match signer {
        SignerClaim::Certificate { san, claims, .. } => Some((san.as_str(), claims.as_ref())),
        SignerClaim::Key { .. } => None,
    };
    let claim = |f: fn(&provenant_model::CertificateClaims) -> &Option<String>| {
        cert.and_then(|(_, c)| f(c).clone())
    };
    let san = cert.map(|(s, _)| s.to_owned());

    if let Some(pt) = &policy.predicate_type {
        let got = statement.map(|s| s.predicate_type.clone());
        let ok = got.as_deref() == Some(pt.as_str());
        cx.push(
            ok,
            CheckCode::PredicateTypeMatches,
            CheckCode::PredicateTypeMismatch,
            format!(
                "predicate type {} (expected {pt:?})",
                got.map_or("(no statement)".into(), |g| format!("{g:?}"))
            ),
        );
    }

    let prov_repo = prov.and_then(|p| p.source_repository.clone());
    let cert_repo = claim(|c| &c.source_repository_uri);
    // For a keyless signer, what the statement says of its source is only as good as who signed
    // it: the repository must come from the certificate (Fulcio attests it), not from the
    // statement alone.
    let cert_required: &[&str] = if cert.is_some() {
        &["certificate"]
    } else {
        &[]
    };
    if let Some(uri) = &policy.source_uri {
        let want = normalize_repo(uri);
        cx.agree_requiring(
            "source repository",
            uri,
            &[
                ("provenance", prov_repo.clone()),
                ("certificate", cert_repo.clone()),
            ],
            cert_required,
            |v| normalize_repo(v) == want,
            (
                CheckCode::SourceRepositoryMatches,
                CheckCode::SourceRepositoryMismatch,
            ),
        );
    }
    if let Some(repo) = &policy.repo {
        let want = if repo.matches('/').count() >= 2 {
            normalize_repo(repo)
        } else {
            format!("github.com/{repo}")
        };
        cx.agree(
            "repository",
            repo,
            &[("certificate", cert_repo.clone())],
            |v| normalize_repo(v).eq_ignore_ascii_case(&want),
            (
                CheckCode::SourceRepositoryMatches,
                CheckCode::SourceRepositoryMismatch,
            ),
        );
    }
    if let Some(owner) = &policy.owner {
        let want = format!("https://github.com/{owner}");
        cx.agree(
            "repository owner",
            owner,
            &[("certificate", claim(|c| &c.source_repository_owner_uri))],
            |v| v.trim_end_matches('/').eq_ignore_ascii_case(&want),
            (
                CheckCode::RepositoryOwnerMatches,
                CheckCode::RepositoryOwnerMismatch,
            ),
        );
    }

    let refs = [
        ("provenance", prov.and_then(|p| p.source_ref.clone())),
        ("certificate", claim(|c| &c.source_repository_ref)),
    ];
    let ref_codes = (CheckCode::SourceRefMatches, CheckCode::SourceRefMismatch);
    if let Some(tag) = &policy.source_tag {
        let want = format!("refs/tags/{tag}");
        cx.agree("tag", tag, &refs, |v| v == want, ref_codes);
    }
    if let Some(tag) = &policy.source_versioned_tag {
        cx.agree(
            "semver-compatible tag",
            tag,
            &refs,
            |v| {
                v.strip_prefix("refs/tags/")
                    .is_some_and(|t| versioned_tag_matches(tag, t))
            },
            ref_codes,
        );
    }
    if let Some(branch) = &policy.source_branch {
        let want = format!("refs/heads/{branch}");
        cx.agree("branch", branch, &refs, |v| v == want, ref_codes);
    }
    if let Some(r) = &policy.source_ref {
        cx.agree("source ref", r, &refs[1..], |v| v == r, ref_codes);
    }

    let commits = [
        ("provenance", prov.and_then(|p| p.source_commit.clone())),
        ("certificate", claim(|c| &c.source_repository_digest)),
    ];
    let commit_codes = (
        CheckCode::SourceCommitMatches,
        CheckCode::SourceCommitMismatch,
    );
    if let Some(c) = &policy.commit {
        cx.agree(
            "commit",
            c,
            &commits,
            |v| v.eq_ignore_ascii_case(c),
            commit_codes,
        );
    }
    if let Some(d) = &policy.source_digest {
        cx.agree(
            "source digest",
            d,
            &commits[1..],
            |v| v.eq_ignore_ascii_case(d),
            commit_codes,
        );
    }

    let builder_codes = (CheckCode::BuilderIdMatches, CheckCode::BuilderIdMismatch);
    if let Some(b) = &policy.builder_id {
        // With @ref: exact. Without: the part before '@' must be exactly the id.
        let matches = |v: &str| {
            if b.contains('@') {
                v == b
            } else {
                v.split('@').next() == Some(b.as_str())
            }
        };
        let mut sources = vec![("provenance", prov.and_then(npm_legacy_hosted_builder))];
        // A workflow builder signs with its own identity: the certificate must be it too. Under
        // slsa-github-generator's BYOB framework the trusted delegator signs on behalf of the
        // builder named in the provenance it vouches for.
        let delegated = san.as_deref().is_some_and(is_trusted_delegator);
        if b.contains("/.github/workflows/") && !delegated {
            sources.push(("signing certificate", san.clone()));
        }
        cx.agree("builder", b, &sources, matches, builder_codes);
    } else if policy.source_uri.is_some()
        && !policy.names_builder()
        && cert.is_some()
        && policy.signer_workflow.is_none()
        && policy.signer_repo.is_none()
    {
        // slsa-verifier without --builder-id: only slsa-github-generator's released workflows.
        let ok = san
            .as_deref()
            .is_some_and(|s| s.starts_with(TRUSTED_BUILDER_PREFIX) && s.contains("@refs/tags/v"));
        cx.push(ok, builder_codes.0, builder_codes.1, format!(
            "signing workflow {:?} {} a trusted builder (slsa-github-generator workflows at a release tag); pass --builder-id for another",
            san.as_deref().unwrap_or("(none)"), if ok { "is" } else { "is not" }));
    }

    let wf_codes = (
        CheckCode::SignerWorkflowMatches,
        CheckCode::SignerWorkflowMismatch,
    );
    let signer_uris = [
        ("certificate SAN", san.clone()),
        ("build signer", claim(|c| &c.build_signer_uri)),
    ];
    if let Some(w) = &policy.signer_workflow {
        let w = w.strip_prefix("https://").unwrap_or(w);
        let with_host = if w.starts_with("github.com/")
            || w.split('/').next().is_some_and(|h| h.contains('.'))
        {
            w.to_owned()
        } else {
            format!("github.com/{w}")
        };
        let prefix = format!("https://{with_host}@");
        cx.agree(
            "signing workflow",
            &with_host,
            &signer_uris,
            |v| v.starts_with(&prefix),
            wf_codes,
        );
    }
    if let Some(r) = &policy.signer_repo {
        let prefix = format!("https://github.com/{}/", r.trim_end_matches('/'));
        cx.agree(
            "signing repository",
            r,
            &signer_uris,
            |v| v.starts_with(&prefix),
            wf_codes,
        );
    }

    if !policy.workflow_inputs.is_empty() {
        let recorded = statement.and_then(|s| workflow_inputs(&s.predicate));
        let problems: Vec<String> = match &recorded {
            None => vec!["the provenance records no workflow inputs".into()],
            Some(m) => policy
                .workflow_inputs
                .iter()
                .filter_map(|(k, v)| match m.get(k) {
                    None => Some(format!("input {k:?} not present")),
                    Some(got) if input_text(got) != *v => Some(format!(
                        "{k}={v} expected, provenance has {}",
                        input_text(got)
                    )),
                    Some(_) => None,
                })
                .collect(),
        };
        let names: Vec<&str> = policy
            .workflow_inputs
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        cx.push(
            problems.is_empty(),
            CheckCode::WorkflowInputsMatch,
            CheckCode::WorkflowInputsMismatch,
            if problems.is_empty() {
                format!("workflow inputs {} as expected", names.join(", "))
            } else {
                problems.join("; ")
            },
        );
    }

    if policy.deny_self_hosted_runners {
        let envs = [
            ("certificate", claim(|c| &c.runner_environment)),
            (
                "provenance",
                prov.and_then(|p| p.runner_environment.clone()),
            ),
        ];
        cx.agree(
            "runner",
            "github-hosted",
            &envs,
            |v| v == "github-hosted",
            (CheckCode::RunnerHosted, CheckCode::RunnerSelfHosted),
        );
    }
    for group in &policy.any_of {
        any_of(&mut cx, group, signer, statement);
    }
    cx.out
}

/// One group of alternatives: the checks of the first alternative that holds in full, or one
/// failure naming why each did not.
fn any_of(
    cx: &mut Ctx<'_>,
    group: &[SourcePolicy],
    signer: &SignerClaim,
    statement: Option<&Statement>,
) {
    let mut failures: Vec<Check> = Vec::new();
    for alt in group {
        let checks = evaluate(alt, signer, statement, cx.evref);
        if checks.is_empty() {
            continue;
        }
        if checks
            .iter()
            .all(|c| c.outcome == provenant_model::Outcome::Pass)
        {
            cx.out.extend(checks);
            return;
        }
        failures.extend(
            checks
                .into_iter()
                .filter(|c| c.outcome == provenant_model::Outcome::Fail),
        );
    }
    let Some(first) = failures.first() else {
        return;
    };
    let reasons: Vec<&str> = failures.iter().map(|c| c.reason.as_str()).collect();
    cx.out.push(Check::fail(
        first.code,
        format!(
            "none of the {} allowed alternatives holds: {}",
            group.len(),
            reasons.join("; ")
        ),
        vec![cx.evref.clone()],
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_tags() {
        assert!(versioned_tag_matches("v13", "v13.0.30"));
        assert!(versioned_tag_matches("v13.0", "v13.0.30"));
        assert!(versioned_tag_matches("v13.0.30", "v13.0.30"));
        assert!(!versioned_tag_matches("v1", "v13.0.30"));
        assert!(!versioned_tag_matches("v13.1", "v13.0.30"));
        assert!(!versioned_tag_matches("v13.0.30.1", "v13.0.30"));
        assert!(!versioned_tag_matches("main", "v13"));
    }
}
