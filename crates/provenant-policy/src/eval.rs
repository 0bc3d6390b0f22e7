//! Evaluate a [`SourcePolicy`] against one verified signature: its signer (certificate claims)
//! and, for DSSE evidence, its statement and SLSA provenance.
//!
//! Each expectation is compared with *every* verified source that records the value (the
//! provenance and the Fulcio certificate): all must agree, and at least one must record it.
//! Nothing is assumed from a missing field.

use provenant_formats::intoto::Statement;
use provenant_formats::slsa::provenance_of;
use provenant_formats::source::parse_source_uri;
use provenant_model::{Check, CheckCode, EvidenceRef, ProvenanceClaim, SignerClaim};

use crate::flags::{normalize_repo, SourcePolicy, TRUSTED_BUILDER_PREFIX};

/// How the certificate's deprecated GitHub extensions (`.1.3`, `.1.5`, `.1.6`) are named.
const LEGACY: &str = "certificate's deprecated GitHub extensions";

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

/// A tag read as Go's `golang.org/x/mod/semver` (what slsa-verifier uses) reads it: a `v`, then
/// `MAJOR`, `MAJOR.MINOR` or `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`; numbers without leading
/// zeros; the short forms take no prerelease or build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Semver {
    /// MAJOR[, MINOR[, PATCH]] as written.
    pub(crate) core: Vec<u64>,
    /// The prerelease, when written.
    pub(crate) pre: Option<String>,
}

fn semver_number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

fn semver_idents(s: &str, numeric_rule: bool) -> bool {
    s.split('.').all(|id| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !(numeric_rule
                && id.len() > 1
                && id.starts_with('0')
                && id.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Parse a semver tag; `None` when it is not one (`1.2.3` without `v`, `v1-evil.9`, `v01`).
pub(crate) fn parse_semver(tag: &str) -> Option<Semver> {
    let t = tag.strip_prefix('v')?;
    let (rest, build) = match t.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (t, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let core: Vec<u64> = core.split('.').map(semver_number).collect::<Option<_>>()?;
    if core.is_empty() || core.len() > 3 {
        return None;
    }
    if (pre.is_some() || build.is_some()) && core.len() != 3 {
        return None;
    }
    if pre.is_some_and(|p| !semver_idents(p, true))
        || build.is_some_and(|b| !semver_idents(b, false))
    {
        return None;
    }
    Some(Semver {
        core,
        pre: pre.map(str::to_owned),
    })
}

/// slsa-verifier's `--source-versioned-tag`: `v1` matches `v1.x.y` (prereleases of that line
/// included), `v1.2` matches `v1.2.x`, `v1.2.3` matches `v1.2.3` (and `+build`), a prerelease
/// only itself. Both must be semver tags with the `v`: `v1` never matches `v1-evil.9`, `1.2.3`
/// or `v13.0.0`.
pub(crate) fn versioned_tag_matches(want: &str, tag: &str) -> bool {
    let (Some(w), Some(t)) = (parse_semver(want), parse_semver(tag)) else {
        return false;
    };
    // A short tag (`v1`, `v1.2`) in the provenance is `v1.0.0` / `v1.2.0`, as Go canonicalises it.
    let mut full = t.core.clone();
    full.resize(3, 0);
    let prefix_ok = w.core.iter().zip(&full).all(|(a, b)| a == b);
    let pre_ok = w.core.len() < 3 || w.pre == t.pre;
    prefix_ok && pre_ok
}

/// A workflow identity (`https://github.com/OWNER/REPO/.github/workflows/FILE@REF`) split by the
/// one source-reference parser: the workflow URL, and the ref after the first `@` taken whole.
fn workflow_at_ref(san: &str) -> Option<(String, String)> {
    let s = parse_source_uri(san).ok()?;
    Some((s.repository, s.git_ref?))
}

/// A release tag of slsa-github-generator: `refs/tags/vX.Y.Z` (semver, nothing after it).
fn is_release_tag(r: &str) -> bool {
    r.strip_prefix("refs/tags/")
        .and_then(parse_semver)
        .is_some_and(|v| v.core.len() == 3)
}

/// One of slsa-github-generator's own workflow files (directly under its workflows directory)
/// whose name satisfies `file_ok`, at a release tag.
fn is_generator_workflow(san: &str, file_ok: impl Fn(&str) -> bool) -> bool {
    workflow_at_ref(san).is_some_and(|(wf, r)| {
        wf.strip_prefix(TRUSTED_BUILDER_PREFIX)
            .is_some_and(|file| !file.contains('/') && file_ok(file))
            && is_release_tag(&r)
    })
}

/// slsa-github-generator's BYOB delegator workflows, at a release tag.
fn is_trusted_delegator(san: &str) -> bool {
    is_generator_workflow(san, |f| f.starts_with("delegator_"))
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
    // GitHub's deprecated `.1.5` (`owner/repo`), where the certificate carries it.
    let legacy_repo = claim(|c| &c.legacy_workflow_repository).map(|r| format!("github.com/{r}"));
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
                (LEGACY, legacy_repo.clone()),
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
            &[
                ("certificate", cert_repo.clone()),
                (LEGACY, legacy_repo.clone()),
            ],
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

    // Refs are compared whole, as the one source-reference parser took them: a branch named
    // `evil@refs/tags/v1.0.0` is `refs/heads/evil@refs/tags/v1.0.0`, never tag v1.0.0.
    let refs = [
        ("provenance", prov.and_then(|p| p.source_ref.clone())),
        ("certificate", claim(|c| &c.source_repository_ref)),
        (LEGACY, claim(|c| &c.legacy_workflow_ref)),
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
        (LEGACY, claim(|c| &c.legacy_workflow_sha)),
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
            .is_some_and(|s| is_generator_workflow(s, |_| true));
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
    use provenant_formats::intoto::parse_statement;
    use provenant_model::{CertificateClaims, EvidenceKind, Outcome};

    fn v02(config_uri: &str) -> Statement {
        let st = serde_json::json!({
            "_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": "https://slsa.dev/provenance/v0.2",
            "subject": [{"name": "a", "digest": {"sha256": "00"}}],
            "predicate": {
                "builder": {"id": "https://builder.example/b"},
                "buildType": "bt",
                "invocation": {"configSource": {
                    "uri": config_uri,
                    "digest": {"sha1": "5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5"},
                    "entryPoint": ".github/workflows/r.yml"}}
            }
        });
        parse_statement(&serde_json::to_vec(&st).unwrap()).unwrap()
    }

    fn key() -> SignerClaim {
        SignerClaim::Key {
            key: "k.pub".into(),
            algorithm: "ecdsa-p256".into(),
        }
    }

    fn cert(san: &str, claims: CertificateClaims) -> SignerClaim {
        SignerClaim::Certificate {
            san: san.into(),
            claims: Box::new(claims),
            ca: String::new(),
            not_before: String::new(),
            not_after: String::new(),
        }
    }

    fn outcome(checks: &[Check], code: CheckCode) -> Option<Outcome> {
        checks.iter().find(|c| c.code == code).map(|c| c.outcome)
    }

    fn ev() -> EvidenceRef {
        EvidenceRef::new(EvidenceKind::DsseEnvelope, "e.json")
    }

    /// Issue 13, class 5: a legal branch named `evil@refs/tags/v1.0.0` is not tag v1.0.0.
    #[test]
    fn a_branch_holding_at_refs_tags_is_not_the_tag() {
        let st = v02("git+https://github.com/o/r@refs/heads/evil@refs/tags/v1.0.0");
        let policy = SourcePolicy {
            source_uri: Some("github.com/o/r".into()),
            source_tag: Some("v1.0.0".into()),
            builder_id: Some("https://builder.example/b".into()),
            ..SourcePolicy::default()
        };
        let checks = evaluate(&policy, &key(), Some(&st), &ev());
        assert_eq!(
            outcome(&checks, CheckCode::SourceRefMismatch),
            Some(Outcome::Fail)
        );
        assert_eq!(
            outcome(&checks, CheckCode::SourceRepositoryMatches),
            Some(Outcome::Pass)
        );
        let branch = SourcePolicy {
            source_tag: None,
            source_branch: Some("evil@refs/tags/v1.0.0".into()),
            ..policy.clone()
        };
        let checks = evaluate(&branch, &key(), Some(&st), &ev());
        assert_eq!(
            outcome(&checks, CheckCode::SourceRefMatches),
            Some(Outcome::Pass)
        );
        // The honest tag still passes.
        let st = v02("git+https://github.com/o/r@refs/tags/v1.0.0");
        let checks = evaluate(&policy, &key(), Some(&st), &ev());
        assert!(
            checks.iter().all(|c| c.outcome == Outcome::Pass),
            "{checks:?}"
        );
    }

    /// Issue 13, class 5: the deprecated `.1.6` ref is held to the policy like `.1.14`, alone
    /// (old certificates) or beside it (and then both must agree).
    #[test]
    fn the_legacy_ref_extension_is_cross_checked() {
        let san = "https://github.com/o/r/.github/workflows/r.yml@refs/tags/v1.0.0";
        let policy = SourcePolicy {
            source_tag: Some("v1.0.0".into()),
            repo: Some("o/r".into()),
            ..SourcePolicy::default()
        };
        let both = CertificateClaims {
            source_repository_uri: Some("https://github.com/o/r".into()),
            source_repository_ref: Some("refs/tags/v1.0.0".into()),
            legacy_workflow_ref: Some("refs/heads/evil".into()),
            ..CertificateClaims::default()
        };
        let checks = evaluate(&policy, &cert(san, both.clone()), None, &ev());
        assert_eq!(
            outcome(&checks, CheckCode::SourceRefMismatch),
            Some(Outcome::Fail)
        );
        let agree = CertificateClaims {
            legacy_workflow_ref: Some("refs/tags/v1.0.0".into()),
            legacy_workflow_repository: Some("o/r".into()),
            ..both
        };
        let checks = evaluate(&policy, &cert(san, agree), None, &ev());
        assert!(
            checks.iter().all(|c| c.outcome == Outcome::Pass),
            "{checks:?}"
        );
        let evil_repo = CertificateClaims {
            source_repository_uri: Some("https://github.com/o/r".into()),
            legacy_workflow_repository: Some("o/r-evil".into()),
            ..CertificateClaims::default()
        };
        let checks = evaluate(&policy, &cert(san, evil_repo), None, &ev());
        assert_eq!(
            outcome(&checks, CheckCode::SourceRepositoryMismatch),
            Some(Outcome::Fail)
        );
    }

    /// Issue 13, class 5: slsa-verifier's default builder (slsa-github-generator at a release
    /// tag) is read with the same parser: a branch whose name holds `@refs/tags/v` is no tag.
    #[test]
    fn the_default_trusted_builder_needs_a_release_tag() {
        let policy = SourcePolicy {
            source_uri: Some("github.com/o/r".into()),
            ..SourcePolicy::default()
        };
        let claims = CertificateClaims {
            source_repository_uri: Some("https://github.com/o/r".into()),
            ..CertificateClaims::default()
        };
        let gen = format!("{TRUSTED_BUILDER_PREFIX}generator_generic_slsa3.yml");
        for (r, ok) in [
            ("refs/tags/v2.1.0", true),
            ("refs/heads/evil@refs/tags/v2.1.0", false),
            ("refs/tags/v2.1.0@x", false),
            ("refs/heads/main", false),
        ] {
            let checks = evaluate(
                &policy,
                &cert(&format!("{gen}@{r}"), claims.clone()),
                None,
                &ev(),
            );
            let want = if ok {
                CheckCode::BuilderIdMatches
            } else {
                CheckCode::BuilderIdMismatch
            };
            assert!(checks.iter().any(|c| c.code == want), "{r}: {checks:?}");
        }
        assert!(!is_trusted_delegator(&format!(
            "{TRUSTED_BUILDER_PREFIX}delegator_generic_slsa3.yml@refs/heads/x@refs/tags/v2.1.0"
        )));
        assert!(is_trusted_delegator(&format!(
            "{TRUSTED_BUILDER_PREFIX}delegator_generic_slsa3.yml@refs/tags/v2.1.0"
        )));
    }

    #[test]
    fn versioned_tags() {
        assert!(versioned_tag_matches("v13", "v13.0.30"));
        assert!(versioned_tag_matches("v13.0", "v13.0.30"));
        assert!(versioned_tag_matches("v13.0.30", "v13.0.30"));
        assert!(versioned_tag_matches("v1", "v1.0.0-rc1"));
        assert!(versioned_tag_matches("v1.2.3", "v1.2.3+build.7"));
        assert!(versioned_tag_matches("v1", "v1"));
        assert!(!versioned_tag_matches("v1", "v13.0.30"));
        assert!(!versioned_tag_matches("v13.1", "v13.0.30"));
        assert!(!versioned_tag_matches("v13.0.30.1", "v13.0.30"));
        assert!(!versioned_tag_matches("main", "v13"));
        // Issue 13, class 5: neither a non-semver tag nor one without the v.
        assert!(!versioned_tag_matches("v1", "v1-evil.9"));
        assert!(!versioned_tag_matches("v1", "1.2.3"));
        assert!(!versioned_tag_matches("1", "1.2.3"));
        assert!(!versioned_tag_matches("v1", "v01.2.3"));
        assert!(!versioned_tag_matches("v1", "v1.2.3-"));
        assert!(!versioned_tag_matches("v1.2.3", "v1.2.3-rc1"));
        assert!(versioned_tag_matches("v1.2.3-rc1", "v1.2.3-rc1"));
    }
}
