//! CI run metadata, as the CI provider's REST API returns it: which commit a run built, whether
//! it finished successfully, and when.
//!
//! | format               | source                                                                    |
//! |----------------------|---------------------------------------------------------------------------|
//! | `github-actions-run` | `GET /repos/{o}/{r}/actions/runs/{id}`, or each of `{total_count, workflow_runs: [...]}` |
//! | `github-actions-job` | `GET /repos/{o}/{r}/actions/jobs/{id}`, or each of `{total_count, jobs: [...]}` |
//! | `gitlab-pipeline`    | `GET /projects/{id}/pipelines/{pipeline_id}`                              |
//! | `gitlab-job`         | `GET /projects/{id}/jobs/{job_id}`, or each of a bare array of jobs        |
//!
//! A run counts as succeeded only once it has finished: a GitHub run or job whose `status` is
//! `completed` with `conclusion: "success"`, a GitLab pipeline or job whose `status` is
//! `success`. Runs still queued or in progress (and GitLab `manual` / `scheduled` ones) have
//! `succeeded: None` and no finish time. This is the provider's unsigned word: it binds a run to
//! a commit, it proves nothing about who could have forged the JSON.
//!
//! `workflow` is the workflow file of a GitHub run (`path`, without any `@ref`; its `name`
//! when there is no path), `WORKFLOW NAME/job name` for a GitHub job, the job name for a
//! GitLab job and the pipeline's `name` (GitLab 16.3+) for a pipeline. A GitHub run's finish
//! time is its `updated_at` once completed (the API records no other). A list with no runs
//! reads as no reports.

use crate::limits::LimitExceeded;
use serde_json::{Map, Value};

use super::{is_commit, GateError, GateKind, GateReport, Scanned};

pub use crate::limits::MAX_CI_RUNS;

const GITHUB: &str = "GitHub Actions";
const GITLAB: &str = "GitLab CI";

/// `Some` when `v` is CI run metadata this module reads.
pub fn detect(v: &Value) -> Option<Result<Vec<GateReport>, GateError>> {
    match v {
        Value::Object(o) => {
            if let Some(list) = o
                .get("workflow_runs")
                .filter(|_| o.contains_key("total_count"))
            {
                return Some(each(
                    list,
                    "/workflow_runs",
                    "github-actions-run",
                    github_run,
                ));
            }
            if let Some(list) = o.get("jobs").filter(|_| o.contains_key("total_count")) {
                return Some(each(list, "/jobs", "github-actions-job", github_job));
            }
            let one = single(o)?;
            Some(one(&Obj::new(o, "")).map(|r| vec![r]))
        }
        Value::Array(items) => {
            // A bare array (GitLab's jobs list) only when every element is a CI run or job.
            if items.is_empty() {
                return None;
            }
            let classified: Vec<(&Map<String, Value>, Parser)> = items
                .iter()
                .map(|i| i.as_object().and_then(|o| single(o).map(|p| (o, p))))
                .collect::<Option<_>>()?;
            if items.len() > MAX_CI_RUNS {
                return Some(Err(too_many(items.len())));
            }
            Some(
                classified
                    .into_iter()
                    .enumerate()
                    .map(|(i, (o, parse))| parse(&Obj::new(o, &format!("/{i}"))))
                    .collect(),
            )
        }
        _ => None,
    }
}

type Parser = fn(&Obj<'_>) -> Result<GateReport, GateError>;

/// Which single-run format `o` is, if any.
fn single(o: &Map<String, Value>) -> Option<Parser> {
    let has = |k: &str| o.get(k).is_some_and(|v| !v.is_null());
    let is_str = |k: &str| o.get(k).is_some_and(Value::is_string);
    if is_str("head_sha") && has("run_id") && is_str("status") {
        return Some(github_job);
    }
    if is_str("head_sha")
        && is_str("status")
        && (has("workflow_id") || has("run_number") || has("run_attempt") || has("path"))
    {
        return Some(github_run);
    }
    if is_str("stage")
        && is_str("status")
        && o.get("pipeline").is_some_and(Value::is_object)
        && (o.get("commit").is_some_and(Value::is_object)
            || o.get("pipeline").and_then(|p| p.get("sha")).is_some())
    {
        return Some(gitlab_job);
    }
    let web = o.get("web_url").and_then(Value::as_str).unwrap_or("");
    if is_str("sha")
        && is_str("ref")
        && is_str("status")
        && o.get("id").is_some_and(Value::is_u64)
        && (has("project_id") || has("source") || web.contains("/-/pipelines/"))
    {
        return Some(gitlab_pipeline);
    }
    None
}

fn too_many(n: usize) -> GateError {
    GateError::Limit(LimitExceeded::Listed {
        list: Some("the CI metadata".into()),
        items: "runs or jobs",
        count: n,
        limit: MAX_CI_RUNS,
    })
}

/// Every element of a list document (`workflow_runs`, `jobs`).
fn each(
    list: &Value,
    at: &str,
    format: &'static str,
    parse: Parser,
) -> Result<Vec<GateReport>, GateError> {
    let items = list.as_array().ok_or_else(|| GateError::Field {
        format,
        at: at.to_owned(),
        what: "expected an array".into(),
    })?;
    if items.len() > MAX_CI_RUNS {
        return Err(too_many(items.len()));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let here = format!("{at}/{i}");
            let o = item.as_object().ok_or_else(|| GateError::Field {
                format,
                at: here.clone(),
                what: "expected an object".into(),
            })?;
            parse(&Obj::new(o, &here))
        })
        .collect()
}

/// A JSON object being read, with where it sits for error messages (shared with `review`).
pub(super) struct Obj<'a> {
    o: &'a Map<String, Value>,
    at: String,
}

impl<'a> Obj<'a> {
    pub(super) fn new(o: &'a Map<String, Value>, at: &str) -> Self {
        Self {
            o,
            at: at.to_owned(),
        }
    }

    /// Where it sits (a JSON pointer, or `document N/...`).
    pub(super) fn at(&self) -> &str {
        &self.at
    }

    /// The object itself.
    pub(super) fn map(&self) -> &'a Map<String, Value> {
        self.o
    }

    /// A field error at `key`.
    pub(super) fn err(&self, format: &'static str, key: &str, what: &str) -> GateError {
        GateError::Field {
            format,
            at: format!("{}/{key}", self.at),
            what: what.to_owned(),
        }
    }

    /// A string field; absent or `null` is `None`, another type an error.
    pub(super) fn opt_str(
        &self,
        format: &'static str,
        key: &str,
    ) -> Result<Option<&'a str>, GateError> {
        match self.o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.err(format, key, "expected a string")),
        }
    }

    /// A string field that must be there.
    pub(super) fn req_str(&self, format: &'static str, key: &str) -> Result<&'a str, GateError> {
        self.opt_str(format, key)?
            .ok_or_else(|| self.err(format, key, "missing"))
    }

    /// A boolean field; absent or `null` is `None`.
    pub(super) fn opt_bool(
        &self,
        format: &'static str,
        key: &str,
    ) -> Result<Option<bool>, GateError> {
        match self.o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.err(format, key, "expected true or false")),
        }
    }

    /// A non-negative integer field that must be there.
    pub(super) fn req_u64(&self, format: &'static str, key: &str) -> Result<u64, GateError> {
        self.o
            .get(key)
            .and_then(Value::as_u64)
            .ok_or_else(|| self.err(format, key, "expected a non-negative integer"))
    }

    /// A nested object; absent or `null` is `None`.
    pub(super) fn opt_obj(
        &self,
        format: &'static str,
        key: &str,
    ) -> Result<Option<Obj<'a>>, GateError> {
        match self.o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(o)) => Ok(Some(Obj {
                o,
                at: format!("{}/{key}", self.at),
            })),
            Some(_) => Err(self.err(format, key, "expected an object")),
        }
    }

    /// A nested object's string field (`user.login`); absent or `null` anywhere is `None`.
    pub(super) fn opt_path(
        &self,
        format: &'static str,
        key: &str,
        field: &str,
    ) -> Result<Option<&'a str>, GateError> {
        match self.opt_obj(format, key)? {
            Some(o) => o.opt_str(format, field),
            None => Ok(None),
        }
    }

    /// A full commit id, lowercased.
    pub(super) fn commit(&self, format: &'static str, key: &str) -> Result<String, GateError> {
        let s = self.req_str(format, key)?;
        self.check_commit(format, key, s)
    }

    /// An optional full commit id, lowercased.
    pub(super) fn opt_commit(
        &self,
        format: &'static str,
        key: &str,
    ) -> Result<Option<String>, GateError> {
        self.opt_str(format, key)?
            .map(|s| self.check_commit(format, key, s))
            .transpose()
    }

    fn check_commit(&self, format: &'static str, key: &str, s: &str) -> Result<String, GateError> {
        if is_commit(s) {
            Ok(s.to_ascii_lowercase())
        } else {
            Err(self.err(
                format,
                key,
                &format!("{s:?} is not a full commit id (40 or 64 hex digits)"),
            ))
        }
    }
}

/// The repository part of a provider web URL (`https://github.com/o/r/actions/runs/1` ->
/// `https://github.com/o/r`).
fn repo_from_url(url: Option<&str>, marker: &str) -> Option<String> {
    url.and_then(|u| u.find(marker).map(|i| u[..i].to_owned()))
}

/// The repository of a GitHub job from its page: `.../o/r/actions/runs/1/job/2` (current) or
/// `.../o/r/runs/2` (older check-run pages).
fn github_job_repo(url: Option<&str>) -> Option<String> {
    repo_from_url(url, "/actions/runs/")
        .or_else(|| url.and_then(|u| u.rfind("/runs/").map(|i| u[..i].to_owned())))
}

/// A workflow run's `path` without the `@ref` GitHub sometimes appends
/// (`.github/workflows/build.yml@main`).
fn workflow_path(path: &str) -> &str {
    // The path ends at the first '@'; the ref after it is never part of it.
    match path.split_once('@') {
        Some((p, _)) if p.ends_with(".yml") || p.ends_with(".yaml") => p,
        _ => path,
    }
}

/// GitHub `status` + `conclusion` -> succeeded; `None` until the run has completed.
fn github_outcome(o: &Obj<'_>, format: &'static str) -> Result<(bool, Option<bool>), GateError> {
    let completed = o.req_str(format, "status")? == "completed";
    let conclusion = o.opt_str(format, "conclusion")?;
    Ok((
        completed,
        conclusion.filter(|_| completed).map(|c| c == "success"),
    ))
}

fn github_run(o: &Obj<'_>) -> Result<GateReport, GateError> {
    const F: &str = "github-actions-run";
    let sha = o.commit(F, "head_sha")?;
    // (html_url, full_name) of a repository object.
    type Names<'a> = Option<(Option<&'a str>, Option<&'a str>)>;
    let names = |key: &str| -> Result<Names<'_>, GateError> {
        Ok(match o.opt_obj(F, key)? {
            Some(r) => Some((r.opt_str(F, "html_url")?, r.opt_str(F, "full_name")?)),
            None => None,
        })
    };
    let base = names("repository")?;
    let repository = base
        .and_then(|(url, full)| url.or(full))
        .map(str::to_owned)
        .or_else(|| repo_from_url(o.opt_str(F, "html_url").ok().flatten(), "/actions/runs/"));
    // A pull request from a fork runs with the fork as `head_repository`: the commit it built
    // is the fork's, so the fork is named too (and the checks compare every repository named).
    let head_repository = names("head_repository")?.and_then(|(url, full)| {
        let same = |a: Option<&str>, b: Option<&str>| {
            a.zip(b).is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
        };
        match base {
            Some((burl, bfull)) if same(full, bfull) || same(url, burl) => None,
            _ => url.or(full).map(str::to_owned),
        }
    });
    let (completed, succeeded) = github_outcome(o, F)?;
    let started = o
        .opt_str(F, "run_started_at")?
        .or(o.opt_str(F, "created_at")?);
    // A run has no completion time of its own; once completed, its last update is the end.
    let finished = o.opt_str(F, "updated_at")?.filter(|_| completed);
    let workflow = o
        .opt_str(F, "path")?
        .map(workflow_path)
        .or(o.opt_str(F, "name")?);
    // The run names its commit twice (`head_sha`, `head_commit.id`): both are kept, so that a
    // document where they disagree binds to neither (the checks call it a conflict).
    let head_commit = match o.opt_obj(F, "head_commit")? {
        Some(c) => c.opt_commit(F, "id")?,
        None => None,
    };
    let mut report = ci_report(
        F,
        GITHUB,
        sha.clone(),
        repository.clone(),
        started,
        finished,
        succeeded,
        workflow.map(str::to_owned),
    );
    if let Some(id) = head_commit {
        let also = Scanned::Commit {
            sha: id,
            repository: repository.clone(),
        };
        if !report.scanned.contains(&also) {
            report.scanned.push(also);
        }
    }
    if let Some(head_repository) = head_repository {
        let also = Scanned::Commit {
            sha: sha.clone(),
            repository: Some(head_repository),
        };
        if !report.scanned.contains(&also) {
            report.scanned.push(also);
        }
    }
    Ok(report)
}

fn github_job(o: &Obj<'_>) -> Result<GateReport, GateError> {
    const F: &str = "github-actions-job";
    let sha = o.commit(F, "head_sha")?;
    let repository = github_job_repo(o.opt_str(F, "html_url")?);
    let (_, succeeded) = github_outcome(o, F)?;
    let name = o.opt_str(F, "name")?;
    let workflow = match (o.opt_str(F, "workflow_name")?, name) {
        (Some(w), Some(n)) => Some(format!("{w}/{n}")),
        (w, n) => w.or(n).map(str::to_owned),
    };
    Ok(ci_report(
        F,
        GITHUB,
        sha,
        repository,
        o.opt_str(F, "started_at")?,
        o.opt_str(F, "completed_at")?,
        succeeded,
        workflow,
    ))
}

/// GitLab `status` -> succeeded; `None` while created, pending, running, manual, scheduled, ...
fn gitlab_outcome(status: &str) -> Option<bool> {
    match status {
        "success" => Some(true),
        "failed" | "canceled" | "cancelled" | "skipped" => Some(false),
        _ => None,
    }
}

fn gitlab_pipeline(o: &Obj<'_>) -> Result<GateReport, GateError> {
    const F: &str = "gitlab-pipeline";
    let sha = o.commit(F, "sha")?;
    let repository = repo_from_url(o.opt_str(F, "web_url")?, "/-/pipelines/");
    let succeeded = gitlab_outcome(o.req_str(F, "status")?);
    let started = o.opt_str(F, "started_at")?.or(o.opt_str(F, "created_at")?);
    let workflow = o.opt_str(F, "name")?.map(str::to_owned);
    Ok(ci_report(
        F,
        GITLAB,
        sha,
        repository,
        started,
        o.opt_str(F, "finished_at")?,
        succeeded,
        workflow,
    ))
}

fn gitlab_job(o: &Obj<'_>) -> Result<GateReport, GateError> {
    const F: &str = "gitlab-job";
    let sha = match o.opt_obj(F, "commit")? {
        Some(c) => c.commit(F, "id")?,
        None => o
            .opt_obj(F, "pipeline")?
            .ok_or_else(|| o.err(F, "pipeline", "missing"))?
            .commit(F, "sha")?,
    };
    if let Some(p) = o.opt_obj(F, "pipeline")? {
        if let Some(psha) = p.opt_str(F, "sha")? {
            if !psha.eq_ignore_ascii_case(&sha) {
                return Err(p.err(
                    F,
                    "sha",
                    &format!("the job's commit is {sha} but its pipeline's is {psha}"),
                ));
            }
        }
    }
    let repository = repo_from_url(o.opt_str(F, "web_url")?, "/-/jobs/");
    let succeeded = gitlab_outcome(o.req_str(F, "status")?);
    Ok(ci_report(
        F,
        GITLAB,
        sha,
        repository,
        o.opt_str(F, "started_at")?,
        o.opt_str(F, "finished_at")?,
        succeeded,
        o.opt_str(F, "name")?.map(str::to_owned),
    ))
}

#[allow(clippy::too_many_arguments)] // one report's fields, each from its own JSON key
fn ci_report(
    format: &'static str,
    tool: &str,
    sha: String,
    repository: Option<String>,
    started: Option<&str>,
    finished: Option<&str>,
    succeeded: Option<bool>,
    workflow: Option<String>,
) -> GateReport {
    GateReport {
        kind: GateKind::CiRun,
        format,
        tool: tool.to_owned(),
        tool_version: None,
        scanned: vec![Scanned::Commit { sha, repository }],
        started: started.map(str::to_owned),
        // A run that has not finished has no finish time, whatever the document says.
        finished: finished.filter(|_| succeeded.is_some()).map(str::to_owned),
        succeeded,
        workflow,
        findings: Vec::new(),
        findings_complete: true,
        deviations: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn not_ci() {
        for v in [
            json!({"version": "2.1.0", "runs": []}),
            json!({"matches": [], "source": {"type": "image"}}),
            json!({"SchemaVersion": 2, "ArtifactName": "x", "Results": []}),
            json!({"@version": "2.14.0", "site": []}),
            json!([]),
            json!([{"sha": SHA}]),
            json!("x"),
        ] {
            assert!(detect(&v).is_none(), "{v}");
        }
    }

    #[test]
    fn github_run_in_progress_has_no_outcome() {
        let v = json!({"id": 1, "head_sha": SHA, "status": "in_progress", "conclusion": null,
            "run_attempt": 1, "path": ".github/workflows/ci.yml", "updated_at": "2026-01-01T00:00:00Z"});
        let r = detect(&v).unwrap().unwrap().remove(0);
        assert_eq!(r.succeeded, None);
        assert_eq!(r.finished, None);
        assert_eq!(r.workflow.as_deref(), Some(".github/workflows/ci.yml"));
    }

    #[test]
    fn short_sha_is_an_error() {
        let v = json!({"id": 1, "head_sha": "abc123", "status": "completed", "run_number": 3});
        assert!(matches!(detect(&v), Some(Err(GateError::Field { .. }))));
    }
}
