//! SLSA provenance v0.2 and v1 (v1.1 fields where present), normalised into one
//! [`ProvenanceClaim`]. Parsing is lenient about fields the checks do not use and never guesses:
//! a value that is not where the format puts it stays `None`.

use serde_json::Value;

use provenant_model::{Material, ProvenanceClaim};

use crate::intoto::Statement;

/// SLSA provenance v0.2.
pub const SLSA_V02: &str = "https://slsa.dev/provenance/v0.2";
/// SLSA provenance v1 (v1.1 uses the same URI).
pub const SLSA_V1: &str = "https://slsa.dev/provenance/v1";
/// SLSA provenance v0.1 (old; read like v0.2 where the fields agree).
pub const SLSA_V01: &str = "https://slsa.dev/provenance/v0.1";

/// Whether a predicate type is SLSA provenance (by exact URI).
pub fn is_provenance(predicate_type: &str) -> bool {
    matches!(predicate_type, SLSA_V02 | SLSA_V1 | SLSA_V01)
}

fn s(v: &Value, ptr: &str) -> Option<String> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
}

/// Split `git+https://github.com/org/repo@refs/tags/v1` into repository and ref with the one
/// source-reference parser: the repository by its grammar, then the ref whole (a pinned commit
/// id is not a ref). A value that does not parse is recorded as written, repository and ref
/// alike, so that it equals no expected repository or ref: it is never cut somewhere to fit.
fn split_ref(uri: &str) -> (String, Option<String>) {
    match crate::source::parse_source_uri(uri) {
        Ok(s) => {
            let r = s.named_ref().map(str::to_owned);
            (s.repository, r)
        }
        Err(_) => (uri.to_owned(), uri.contains('@').then(|| uri.to_owned())),
    }
}

fn digest_of(v: Option<&Value>, keys: &[&str]) -> Option<String> {
    let d = v?.as_object()?;
    keys.iter()
        .find_map(|k| d.get(*k).and_then(Value::as_str))
        .map(str::to_ascii_lowercase)
}

fn materials(list: Option<&Value>) -> Vec<Material> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(10_000)
        .map(|m| Material {
            uri: m.get("uri").and_then(Value::as_str).map(str::to_owned),
            digest: m
                .get("digest")
                .and_then(Value::as_object)
                .map(|d| {
                    d.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_ascii_lowercase())))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// The provenance a statement carries, when its predicate type is SLSA provenance.
pub fn provenance_of(st: &Statement) -> Option<ProvenanceClaim> {
    let p = &st.predicate;
    match st.predicate_type.as_str() {
        SLSA_V02 | SLSA_V01 => Some(v02(p, &st.predicate_type)),
        SLSA_V1 => Some(v1(p)),
        _ => None,
    }
}

fn v02(p: &Value, predicate_type: &str) -> ProvenanceClaim {
    let cfg_uri = s(p, "/invocation/configSource/uri");
    let (source_repository, source_ref) = match cfg_uri {
        Some(u) => {
            let (r, rf) = split_ref(&u);
            (Some(r), rf)
        }
        None => (None, None),
    };
    let env = p.pointer("/invocation/environment");
    let run = env.and_then(|e| {
        let id = e.get("github_run_id")?.as_str()?;
        let attempt = e
            .get("github_run_attempt")
            .and_then(Value::as_str)
            .unwrap_or("1");
        Some(format!("{id}/{attempt}"))
    });
    ProvenanceClaim {
        predicate_type: predicate_type.to_owned(),
        builder_id: s(p, "/builder/id"),
        build_type: s(p, "/buildType"),
        source_repository,
        source_ref: source_ref.or_else(|| s(p, "/invocation/environment/github_ref")),
        source_commit: digest_of(
            p.pointer("/invocation/configSource/digest"),
            &["sha1", "gitCommit", "sha256"],
        )
        .or_else(|| s(p, "/invocation/environment/github_sha1")),
        workflow_path: s(p, "/invocation/configSource/entryPoint"),
        invocation_id: s(p, "/metadata/buildInvocationId").or(run),
        runner_environment: None,
        external_parameters: p
            .pointer("/invocation/parameters")
            .filter(|v| !v.is_null())
            .cloned(),
        materials: materials(p.get("materials")),
    }
}

fn v1(p: &Value) -> ProvenanceClaim {
    let bd = p.get("buildDefinition").cloned().unwrap_or(Value::Null);
    let ext = bd.get("externalParameters").cloned().unwrap_or(Value::Null);
    let int = bd.get("internalParameters").cloned().unwrap_or(Value::Null);
    let deps = bd.get("resolvedDependencies");
    // GitHub Actions build type: externalParameters.workflow {repository, ref, path}.
    let mut source_repository = s(&ext, "/workflow/repository");
    let mut source_ref = s(&ext, "/workflow/ref");
    let workflow_path = s(&ext, "/workflow/path");
    // BYOB / delegator: the caller's repository in internal parameters.
    if source_repository.is_none() {
        source_repository =
            s(&int, "/GITHUB_REPOSITORY").map(|r| format!("https://github.com/{r}"));
    }
    if source_ref.is_none() {
        source_ref = s(&int, "/GITHUB_REF");
    }
    let mut source_commit = s(&int, "/GITHUB_SHA");
    // resolvedDependencies[0] is the source by convention (git+URI@ref, gitCommit).
    if let Some(first) = deps.and_then(Value::as_array).and_then(|a| a.first()) {
        if let Some(uri) = first.get("uri").and_then(Value::as_str) {
            let (repo, rf) = split_ref(uri);
            if source_repository.is_none() {
                source_repository = Some(repo);
            }
            if source_ref.is_none() {
                source_ref = rf;
            }
        }
        if source_commit.is_none() {
            source_commit = digest_of(first.get("digest"), &["gitCommit", "sha1"]);
        }
    }
    // GitLab runner (buildType .../gitlab-runner/-/blob/<version>/PROVENANCE.md): the job is
    // externalParameters.entryPoint, the ref comes from its CI variables, and the commit is the
    // source dependency's 40-hex digest, which GitLab labels "sha256".
    let gitlab = s(&bd, "/buildType").is_some_and(|t| t.contains("/gitlab-runner/"));
    let mut workflow_path = workflow_path;
    if gitlab {
        let var = |name: &str| {
            ext.pointer(&format!("/variables/{name}"))
                .and_then(|v| v.as_str().or_else(|| v.get("value")?.as_str()))
                .filter(|x| !x.is_empty() && *x != "[MASKED]")
                .map(str::to_owned)
        };
        if source_ref.is_none() {
            source_ref = var("CI_COMMIT_TAG")
                .map(|t| format!("refs/tags/{t}"))
                .or_else(|| var("CI_COMMIT_BRANCH").map(|b| format!("refs/heads/{b}")));
        }
        if source_commit.is_none() {
            source_commit = var("CI_COMMIT_SHA").or_else(|| {
                let first = deps.and_then(Value::as_array)?.first()?;
                digest_of(first.get("digest"), &["sha256"])
                    .filter(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            });
        }
        if source_repository.is_none() {
            source_repository = s(&ext, "/source");
        }
        if workflow_path.is_none() {
            workflow_path = s(&ext, "/entryPoint");
        }
    }
    ProvenanceClaim {
        predicate_type: SLSA_V1.to_owned(),
        builder_id: s(p, "/runDetails/builder/id"),
        build_type: s(&bd, "/buildType"),
        source_repository,
        source_ref,
        source_commit,
        workflow_path,
        invocation_id: s(p, "/runDetails/metadata/invocationId")
            .or_else(|| s(p, "/runDetails/metadata/invocationID")),
        runner_environment: s(&int, "/github/runner_environment"),
        external_parameters: Some(ext).filter(|v| !v.is_null()),
        materials: materials(deps),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intoto::parse_statement;

    #[test]
    fn v02_generic() {
        let st = parse_statement(br#"{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2","subject":[{"name":"a","digest":{"sha256":"00"}}],
          "predicate":{"builder":{"id":"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0"},
          "buildType":"bt","invocation":{"configSource":{"uri":"git+https://github.com/org/repo@refs/tags/v1.0.0","digest":{"sha1":"ABC"},"entryPoint":".github/workflows/r.yml"},
          "environment":{"github_run_id":"7","github_run_attempt":"2"}},"materials":[{"uri":"git+https://github.com/org/repo@refs/tags/v1.0.0","digest":{"sha1":"abc"}}]}}"#).unwrap();
        let p = provenance_of(&st).unwrap();
        assert_eq!(
            p.source_repository.as_deref(),
            Some("git+https://github.com/org/repo")
        );
        assert_eq!(p.source_ref.as_deref(), Some("refs/tags/v1.0.0"));
        assert_eq!(p.source_commit.as_deref(), Some("abc"));
        assert_eq!(p.invocation_id.as_deref(), Some("7/2"));
        assert_eq!(p.materials.len(), 1);
    }

    /// Issue 13, class 5: the ref is everything after the first '@' that follows the repository.
    #[test]
    fn a_ref_holding_an_at_is_taken_whole() {
        let st = parse_statement(br#"{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2","subject":[{"name":"a","digest":{"sha256":"00"}}],
          "predicate":{"builder":{"id":"b"},"buildType":"bt","invocation":{"configSource":{"uri":"git+https://github.com/o/r@refs/heads/evil@refs/tags/v1.0.0","digest":{"sha1":"abc"}}}}}"#).unwrap();
        let p = provenance_of(&st).unwrap();
        assert_eq!(
            p.source_repository.as_deref(),
            Some("git+https://github.com/o/r")
        );
        assert_eq!(
            p.source_ref.as_deref(),
            Some("refs/heads/evil@refs/tags/v1.0.0")
        );
        // Unparsable: recorded as written, so it equals no repository and no ref.
        let st = parse_statement(br#"{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2","subject":[{"name":"a","digest":{"sha256":"00"}}],
          "predicate":{"builder":{"id":"b"},"buildType":"bt","invocation":{"configSource":{"uri":"git+https://github.com/o/r@refs/tags/v1..0","digest":{"sha1":"abc"}}}}}"#).unwrap();
        let p = provenance_of(&st).unwrap();
        assert_eq!(
            p.source_ref.as_deref(),
            Some("git+https://github.com/o/r@refs/tags/v1..0")
        );
    }

    #[test]
    fn v1_gitlab_runner() {
        let st = parse_statement(br#"{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v1","subject":[{"name":"a.zip","digest":{"sha256":"00"}}],
          "predicate":{"buildDefinition":{"buildType":"https://gitlab.com/gitlab-org/gitlab-runner/-/blob/v17.2.0/PROVENANCE.md",
            "externalParameters":{"source":"https://gitlab.com/org/proj","entryPoint":"build-job","variables":{"CI_COMMIT_TAG":"v1.2.0","CI_JOB_TOKEN":"[MASKED]"}},
            "internalParameters":{"name":"r1","executor":"docker","architecture":"amd64","job":"77"},
            "resolvedDependencies":[{"uri":"https://gitlab.com/org/proj","digest":{"sha256":"8bcd2df0dcd6ec07b34e5a48393a0c072065960a"}}]},
          "runDetails":{"builder":{"id":"https://gitlab.com/org/proj/-/runners/12270831"},"metadata":{"invocationID":"77"}}}}"#).unwrap();
        let p = provenance_of(&st).unwrap();
        assert_eq!(
            p.source_repository.as_deref(),
            Some("https://gitlab.com/org/proj")
        );
        assert_eq!(p.source_ref.as_deref(), Some("refs/tags/v1.2.0"));
        assert_eq!(
            p.source_commit.as_deref(),
            Some("8bcd2df0dcd6ec07b34e5a48393a0c072065960a")
        );
        assert_eq!(p.workflow_path.as_deref(), Some("build-job"));
        assert_eq!(p.invocation_id.as_deref(), Some("77"));
        // A real (64-hex) sha256 is not a commit.
        let st2 = parse_statement(
            &String::from_utf8(serde_json::to_vec(&serde_json::json!({
                "_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1",
                "subject":[{"digest":{"sha256":"00"}}],
                "predicate":{"buildDefinition":{"buildType":"https://gitlab.com/gitlab-org/gitlab-runner/-/blob/v17.2.0/PROVENANCE.md",
                  "externalParameters":{},"resolvedDependencies":[{"uri":"https://gitlab.com/org/proj","digest":{"sha256":"ab".repeat(32)}}]},
                  "runDetails":{"builder":{"id":"x"}}}})).unwrap()).unwrap().into_bytes(),
        )
        .unwrap();
        assert_eq!(provenance_of(&st2).unwrap().source_commit, None);
    }

    #[test]
    fn v1_github_actions_and_unknown_predicates() {
        let st = parse_statement(br#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1","subject":[{"name":"a","digest":{"sha256":"00"}}],
          "predicate":{"buildDefinition":{"buildType":"https://actions.github.io/buildtypes/workflow/v1","externalParameters":{"workflow":{"ref":"refs/heads/main","repository":"https://github.com/org/repo","path":".github/workflows/b.yml"}},
          "internalParameters":{"github":{"runner_environment":"self-hosted"}},"resolvedDependencies":[{"uri":"git+https://github.com/org/repo@refs/heads/main","digest":{"gitCommit":"def"}}]},
          "runDetails":{"builder":{"id":"https://github.com/actions/runner/github-hosted"},"metadata":{"invocationId":"https://github.com/org/repo/actions/runs/1/attempts/1"}}}}"#).unwrap();
        let p = provenance_of(&st).unwrap();
        assert_eq!(p.source_commit.as_deref(), Some("def"));
        assert_eq!(p.runner_environment.as_deref(), Some("self-hosted"));
        assert_eq!(p.workflow_path.as_deref(), Some(".github/workflows/b.yml"));
        let other = parse_statement(br#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://example.com/x","subject":[{"digest":{"sha256":"00"}}],"predicate":{}}"#).unwrap();
        assert!(provenance_of(&other).is_none());
    }
}
