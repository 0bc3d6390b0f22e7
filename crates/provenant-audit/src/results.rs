//! The rows of `results.db`, derived from a pack alone: `pack.json`, the population copy, the
//! reports and the evidence copies. Nothing here reads the disk outside the pack or the clock,
//! so a replay re-derives exactly the rows the run wrote.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use provenant_formats::gate::review::{parse_review_values, ChangeReview};
use provenant_model::{Report, SignerClaim};

use crate::db::{DbError, Rows, Val, SCHEMA_VERSION};
use crate::pack::{Pack, ReleaseRecord};
use crate::population::{parse_population, PopulationFormat, Row};
use crate::release::{sha256_hex, Role};
use crate::replay::verdict_name;
use crate::sql_row;

/// The audit id: SHA-256 over the population hash and the parameters, equal in every part of
/// a sharded run (the parameters are) and different for any other population or parameters.
pub fn audit_id(pack: &Pack) -> String {
    let params = serde_json::to_vec(&pack.parameters).unwrap_or_default();
    let mut buf = pack.population.sha256.clone().into_bytes();
    buf.push(b'\n');
    buf.extend_from_slice(&params);
    sha256_hex(&buf)
}

fn conclusion(pack: &Pack) -> Option<String> {
    pack.outcome
        .conclusion
        .and_then(|c| serde_json::to_value(c).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
}

fn pack_error(what: impl Into<String>) -> DbError {
    DbError::Pack(what.into())
}

/// Every row of `results.db` for `pack`, from its evidence copies (`evidence/<sha256>` by
/// SHA-256) and reports (by release id).
pub fn pack_rows(
    pack: &Pack,
    evidence: &BTreeMap<String, Vec<u8>>,
    reports: &BTreeMap<String, Vec<u8>>,
) -> Result<Rows, DbError> {
    let id = audit_id(pack);
    let p = &pack.parameters;
    let o = &pack.outcome;
    let mut rows = Rows::default();
    rows.push(
        "audit",
        sql_row![
            id.as_str(),
            "audit",
            SCHEMA_VERSION,
            pack.tool_version.as_str(),
            pack.population.path.as_str(),
            pack.population.sha256.as_str(),
            pack.population.rows,
            p.seed.as_str(),
            p.method.as_str(),
            p.stratify_by.as_ref(),
            p.weight_by.as_ref(),
            p.sample_size,
            p.confidence.as_ref(),
            p.tolerable_rate.as_ref(),
            p.expected_rate.as_ref(),
            p.policy.as_ref(),
            p.policy_sha256.as_ref(),
            p.trusted_root.as_ref(),
            p.trusted_root_sha256.as_ref(),
            p.effective_time.as_str(),
            pack.shard.map(|s| s.index),
            pack.shard.map(|s| s.total),
            o.tested,
            o.deviations,
            o.not_tested,
            o.upper_deviation_limit_pct,
            conclusion(pack),
            o.unreachable,
        ],
    )?;
    let pop_bytes = evidence.get(&pack.population.sha256).ok_or_else(|| {
        pack_error(format!(
            "the population copy evidence/{} is missing",
            pack.population.sha256
        ))
    })?;
    let format = PopulationFormat::detect(&pack.population.path, pop_bytes);
    let population = parse_population(pop_bytes, Path::new("."), format)
        .map_err(|e| pack_error(format!("the population copy cannot be read: {e}")))?;
    let order: BTreeMap<&str, usize> = p
        .selected
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i + 1))
        .collect();
    let tested: BTreeMap<&str, &ReleaseRecord> = pack
        .releases
        .iter()
        .map(|r| (r.plan.id.as_str(), r))
        .collect();
    for row in &population.rows {
        release_row(
            &mut rows,
            &id,
            row,
            order.get(row.id.as_str()).copied(),
            tested.get(row.id.as_str()).copied(),
        )?;
    }
    for r in &pack.releases {
        if population.row(&r.plan.id).is_none() {
            return Err(pack_error(format!(
                "release {} is not in the population copy",
                r.plan.id
            )));
        }
        release_details(&mut rows, &id, r, evidence, reports)?;
    }
    for g in &pack.git {
        if !tested.contains_key(g.release.as_str()) {
            return Err(pack_error(format!(
                "git history for release {}, which this pack did not test",
                g.release
            )));
        }
    }
    crate::history::range_rows(&mut rows, &id, &pack.git, evidence)?;
    Ok(rows)
}

fn release_row(
    rows: &mut Rows,
    audit: &str,
    row: &Row,
    order: Option<usize>,
    record: Option<&ReleaseRecord>,
) -> Result<(), DbError> {
    let subject_sha = record.and_then(|r| r.subject.as_ref()).and_then(|s| {
        s.digests
            .iter()
            .find(|d| d.algorithm() == provenant_model::DigestAlgorithm::Sha256)
            .map(|d| d.hex().to_owned())
    });
    rows.push(
        "releases",
        sql_row![
            audit,
            row.id.as_str(),
            row.line,
            row.repository.as_ref(),
            row.commit.as_ref(),
            row.released_at.map(|t| t.to_string()),
            row.owner.as_ref(),
            order.is_some(),
            order,
            record.is_some(),
            record.map(|r| verdict_name(r.verdict)),
            record.and_then(|r| r.cause.as_ref()),
            subject_sha,
            record.and_then(|r| r.report.as_ref()),
            record.is_some_and(|r| r.unreachable),
        ],
    )
}

fn release_details(
    rows: &mut Rows,
    audit: &str,
    r: &ReleaseRecord,
    evidence: &BTreeMap<String, Vec<u8>>,
    reports: &BTreeMap<String, Vec<u8>>,
) -> Result<(), DbError> {
    let rid = r.plan.id.as_str();
    let report = match (&r.report, reports.get(rid)) {
        (Some(path), Some(bytes)) => {
            Some(parse_report(bytes).map_err(|e| pack_error(format!("{path}: {e}")))?)
        }
        (Some(path), None) => return Err(pack_error(format!("{path} is missing"))),
        (None, _) => None,
    };
    if let Some(report) = &report {
        for (i, c) in report.checks.iter().enumerate() {
            rows.push(
                "checks",
                sql_row![
                    audit,
                    rid,
                    i,
                    c.code.as_str(),
                    c.outcome.as_str(),
                    c.reason.as_str()
                ],
            )?;
        }
    }
    for (i, f) in r.files.iter().enumerate() {
        rows.push(
            "evidence",
            sql_row![
                audit,
                rid,
                i,
                role_name(f.role),
                f.location.as_str(),
                f.sha256.as_ref(),
                f.sha256.as_ref().map(|s| format!("evidence/{s}")),
                f.error.as_ref(),
            ],
        )?;
    }
    if r.verdict != crate::release::ItemVerdict::Pass {
        rows.push(
            "deviations",
            sql_row![
                audit,
                rid,
                verdict_name(r.verdict),
                r.cause.clone().unwrap_or_else(|| "deviation".into()),
                r.failed_checks.join(","),
            ],
        )?;
    }
    if let Some(report) = &report {
        gate_rows(rows, audit, rid, report)?;
        signature_rows(rows, audit, rid, report)?;
    }
    let read = |role: Role| {
        r.files
            .iter()
            .filter(move |f| f.role == role)
            .filter_map(|f| {
                let sha = f.sha256.as_ref()?;
                Some((f.location.as_str(), evidence.get(sha).map(Vec::as_slice)))
            })
    };
    let reviews: Vec<(&str, Option<&[u8]>)> = read(Role::Review).collect();
    review_rows(rows, audit, rid, &reviews)?;
    let mut runs = 0;
    let mut jobs = 0;
    for (loc, bytes) in read(Role::CiRun) {
        if let Some(bytes) = bytes {
            ci_rows(rows, audit, rid, loc, bytes, (&mut runs, &mut jobs))?;
        }
    }
    let mut deps = 0;
    let bound = report.as_ref().map(bound_sboms).unwrap_or_default();
    for (loc, bytes) in read(Role::Sbom) {
        let bound = bound.iter().any(|b| b == loc);
        sbom_rows(rows, audit, rid, (loc, bound), bytes, &mut deps)?;
    }
    Ok(())
}

fn parse_report(bytes: &[u8]) -> Result<Report, String> {
    let v = provenant_formats::json::parse_strict(bytes).map_err(|e| e.to_string())?;
    serde_json::from_value(v).map_err(|e| e.to_string())
}

fn role_name(role: Role) -> String {
    serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| role.name().to_owned())
}

fn gate_rows(rows: &mut Rows, audit: &str, rid: &str, report: &Report) -> Result<(), DbError> {
    for (i, g) in report.gates.iter().enumerate() {
        let n = |k: &str| g.findings.get(k).copied().unwrap_or(0);
        let commit = g
            .scanned
            .strip_prefix("commit ")
            .map(|s| s.split_whitespace().next().unwrap_or(s).to_owned());
        rows.push(
            "gates",
            sql_row![
                audit,
                rid,
                i,
                g.gate.as_str(),
                g.tool.as_str(),
                g.version.as_ref(),
                g.scanned.as_str(),
                commit,
                g.bound,
                g.binding.as_str(),
                g.result.as_str(),
                n("critical"),
                n("high"),
                n("medium"),
                n("low"),
                n("info"),
                n("unknown"),
                g.waived.join(","),
                g.trust.as_str(),
                g.evidence.as_str(),
            ],
        )?;
    }
    Ok(())
}

fn signature_rows(rows: &mut Rows, audit: &str, rid: &str, report: &Report) -> Result<(), DbError> {
    for (i, s) in report.signatures.iter().enumerate() {
        let (kind, identity, claims) = match &s.signer {
            Some(SignerClaim::Certificate { san, claims, .. }) => (
                Some("certificate"),
                Some(san.clone()),
                Some(claims.as_ref()),
            ),
            Some(SignerClaim::Key { key, .. }) => (Some("key"), Some(key.clone()), None),
            None => (None, None, None),
        };
        rows.push(
            "signatures",
            sql_row![
                audit,
                rid,
                i,
                s.verified,
                kind,
                identity,
                claims.and_then(|c| c.issuer.as_ref()),
                claims.and_then(|c| c.build_signer_uri.as_ref()),
                claims.and_then(|c| c.source_repository_uri.as_ref()),
                claims.and_then(|c| c.source_repository_ref.as_ref()),
                claims.and_then(|c| c.build_trigger.as_ref()),
                s.predicate_type.as_ref(),
                s.signing_time.as_ref(),
                s.evidence.location.as_str(),
            ],
        )?;
    }
    Ok(())
}

/// The repository of a change, from its web URL (`https://host/owner/repo/pull/12`).
fn repository_of(url: Option<&str>) -> Option<String> {
    let url = url?;
    for marker in ["/pull/", "/-/merge_requests/", "/merge_requests/"] {
        if let Some((repo, _)) = url.split_once(marker) {
            return Some(repo.to_owned());
        }
    }
    None
}

/// Rows of `reviews` for one change's review files (read together, as the engine reads them).
pub fn review_rows(
    rows: &mut Rows,
    audit: &str,
    rid: &str,
    files: &[(&str, Option<&[u8]>)],
) -> Result<(), DbError> {
    if files.is_empty() {
        return Ok(());
    }
    let values: Option<Vec<Value>> = files
        .iter()
        .map(|(_, b)| b.and_then(|b| provenant_formats::json::parse_strict(b).ok()))
        .collect();
    // A review the engine could not read shows in `checks`; there is no change to list.
    let Some(values) = values else { return Ok(()) };
    // Files that each hold a whole change (a pull request with its reviews) are one change
    // each; otherwise the files together are one change (a pull request and its reviews list),
    // as the engine reads them.
    let each: Option<Vec<ChangeReview>> = values
        .iter()
        .map(|v| parse_review_values(std::slice::from_ref(v)).ok())
        .collect();
    match each {
        Some(changes) if changes.len() > 1 => {
            for (change, (loc, _)) in changes.iter().zip(files) {
                change_rows(rows, audit, rid, change, loc)?;
            }
            Ok(())
        }
        _ => {
            let Ok(review) = parse_review_values(&values) else {
                return Ok(());
            };
            let source = files.iter().map(|(l, _)| *l).collect::<Vec<_>>().join(",");
            change_rows(rows, audit, rid, &review, &source)
        }
    }
}

fn change_rows(
    rows: &mut Rows,
    audit: &str,
    rid: &str,
    r: &ChangeReview,
    source: &str,
) -> Result<(), DbError> {
    let provider = match r.provider {
        provenant_formats::gate::review::ReviewProvider::GitHub => "github",
        provenant_formats::gate::review::ReviewProvider::GitLab => "gitlab",
    };
    let start = rows
        .of("reviews")
        .iter()
        .filter(|row| row.get(1) == Some(&Val::from(rid)))
        .count();
    let approvals: Vec<Option<&provenant_formats::gate::review::Approval>> =
        if r.approvals.is_empty() {
            vec![None]
        } else {
            r.approvals.iter().map(Some).collect()
        };
    for (i, a) in approvals.into_iter().enumerate() {
        rows.push(
            "reviews",
            sql_row![
                audit,
                rid,
                start + i,
                repository_of(r.url.as_deref()),
                provider,
                r.number,
                r.url.as_ref(),
                r.head_sha.as_str(),
                r.author.as_str(),
                a.map(|a| a.reviewer.as_str()),
                a.map(|a| a.reviewer_kind.as_str()),
                a.map(|a| a.state.as_str()),
                a.and_then(|a| a.submitted_at.as_ref()),
                a.and_then(|a| a.commit_id.as_ref()),
                r.state.as_str(),
                r.base_ref.as_ref(),
                r.merged,
                r.merged_by.as_ref(),
                r.merged_at.as_ref(),
                r.merge_commit_sha.as_ref().or(r.squash_commit_sha.as_ref()),
                source,
            ],
        )?;
    }
    Ok(())
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn at<'a>(o: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(o, |v, k| v.get(*k))
}

/// Rows of `ci_runs` and `ci_jobs` from one CI metadata file (GitHub Actions runs and jobs,
/// GitLab pipelines and jobs, as their REST APIs return them).
pub fn ci_rows(
    rows: &mut Rows,
    audit: &str,
    rid: &str,
    location: &str,
    bytes: &[u8],
    (runs, jobs): (&mut usize, &mut usize),
) -> Result<(), DbError> {
    let Ok(v) = provenant_formats::json::parse_strict(bytes) else {
        return Ok(());
    };
    let items: Vec<&Value> = match &v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) if o.contains_key("total_count") => o
            .get("workflow_runs")
            .or_else(|| o.get("jobs"))
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        Value::Object(_) => vec![&v],
        _ => vec![],
    };
    // More runs than the gate reader takes: the engine refused the file (its checks say so),
    // and no part of it is listed as if it were all.
    if items.len() > provenant_formats::gate::ci::MAX_CI_RUNS {
        return Ok(());
    }
    for o in items {
        let has = |k: &str| o.get(k).is_some_and(|v| !v.is_null());
        let s = |k: &str| text(o.get(k));
        if has("head_sha") && has("run_id") {
            rows.push(
                "ci_jobs",
                sql_row![
                    audit,
                    rid,
                    *jobs,
                    "github-actions-job",
                    s("id"),
                    s("run_id"),
                    s("name"),
                    s("head_sha"),
                    s("conclusion"),
                    s("started_at"),
                    s("completed_at"),
                    location,
                ],
            )?;
            *jobs += 1;
        } else if has("head_sha") {
            let completed = (o.get("status").and_then(Value::as_str) == Some("completed"))
                .then(|| s("updated_at"))
                .flatten();
            rows.push(
                "ci_runs",
                sql_row![
                    audit,
                    rid,
                    *runs,
                    "github-actions-run",
                    s("id"),
                    s("path").or_else(|| s("name")),
                    s("head_sha"),
                    s("event"),
                    text(at(o, &["triggering_actor", "login"]))
                        .or_else(|| text(at(o, &["actor", "login"]))),
                    s("conclusion"),
                    s("run_started_at").or_else(|| s("created_at")),
                    completed,
                    location,
                ],
            )?;
            *runs += 1;
        } else if has("stage") && has("pipeline") {
            rows.push(
                "ci_jobs",
                sql_row![
                    audit,
                    rid,
                    *jobs,
                    "gitlab-job",
                    s("id"),
                    text(at(o, &["pipeline", "id"])),
                    s("name"),
                    text(at(o, &["commit", "id"])).or_else(|| text(at(o, &["pipeline", "sha"]))),
                    s("status"),
                    s("started_at"),
                    s("finished_at"),
                    location,
                ],
            )?;
            *jobs += 1;
        } else if has("sha") && has("ref") {
            rows.push(
                "ci_runs",
                sql_row![
                    audit,
                    rid,
                    *runs,
                    "gitlab-pipeline",
                    s("id"),
                    s("name"),
                    s("sha"),
                    s("source"),
                    text(at(o, &["user", "username"])),
                    s("status"),
                    s("started_at"),
                    s("finished_at"),
                    location,
                ],
            )?;
            *runs += 1;
        }
    }
    Ok(())
}

/// The package ecosystem of a purl (`pkg:cargo/...` -> `cargo`).
fn purl_type(purl: &str) -> Option<String> {
    let rest = purl.strip_prefix("pkg:")?;
    rest.split('/').next().map(str::to_ascii_lowercase)
}

/// The SBOM files the report found valid and bound to the shipped artifact (`sbom-valid` and
/// `sbom-bound` passed on them): only their components are what shipped.
fn bound_sboms(report: &Report) -> Vec<String> {
    use provenant_model::{CheckCode, Outcome};
    let passed = |code: CheckCode| -> Vec<&str> {
        report
            .checks
            .iter()
            .filter(|c| c.code == code && c.outcome == Outcome::Pass)
            .flat_map(|c| c.evidence.iter().map(|e| e.location.as_str()))
            .collect()
    };
    let valid = passed(CheckCode::SbomValid);
    passed(CheckCode::SbomBound)
        .into_iter()
        .filter(|l| valid.contains(l))
        .map(str::to_owned)
        .collect()
}

fn sbom_rows(
    rows: &mut Rows,
    audit: &str,
    rid: &str,
    (location, bound): (&str, bool),
    bytes: Option<&[u8]>,
    seq: &mut usize,
) -> Result<(), DbError> {
    // An SBOM not bound to what shipped describes something else: its components are listed,
    // never as `ok`.
    let (status, detail) = if bound {
        ("ok", None)
    } else {
        (
            "unbound",
            Some("the SBOM is not valid and bound to the shipped artifact (sbom-valid and sbom-bound did not both pass)"),
        )
    };
    let parsed = match bytes {
        Some(b) => provenant_formats::sbom::parse_sbom(b, None).map_err(|e| e.to_string()),
        None => Err("not in the pack".to_owned()),
    };
    match parsed {
        Ok(p) => {
            for c in &p.sbom.components {
                let integrity = c
                    .hashes
                    .iter()
                    .find(|h| h.algorithm == "sha256")
                    .or_else(|| c.hashes.first())
                    .map(|h| format!("{}:{}", h.algorithm, h.value));
                rows.push(
                    "dependencies",
                    sql_row![
                        audit,
                        rid,
                        *seq,
                        c.purl.as_deref().and_then(purl_type),
                        c.name.as_ref(),
                        c.version.as_ref(),
                        c.purl.as_ref(),
                        integrity,
                        location,
                        "sbom",
                        status,
                        detail,
                    ],
                )?;
                *seq += 1;
            }
        }
        Err(e) => {
            rows.push(
                "dependencies",
                sql_row![
                    audit,
                    rid,
                    *seq,
                    Val::Null,
                    Val::Null,
                    Val::Null,
                    Val::Null,
                    Val::Null,
                    location,
                    "sbom",
                    "unreadable",
                    e,
                ],
            )?;
            *seq += 1;
        }
    }
    Ok(())
}

/// How the pack's `results.db` differs from the rows re-derived from the pack; `None` when it
/// holds exactly them (and only them, under this schema).
pub fn results_db_diff(
    dir: &Path,
    pack: &Pack,
    evidence: &BTreeMap<String, Vec<u8>>,
    reports: &BTreeMap<String, Vec<u8>>,
) -> Option<String> {
    let path = dir.join(crate::db::RESULTS_DB);
    if std::fs::symlink_metadata(&path).is_err() {
        return Some("results.db is missing".into());
    }
    let expected = match pack_rows(pack, evidence, reports) {
        Ok(r) => r,
        Err(e) => {
            return Some(format!(
                "results.db: its rows cannot be derived from the pack: {e}"
            ))
        }
    };
    let found = match crate::db::read_sqlite(&path) {
        Ok(r) => r,
        Err(e) => return Some(format!("results.db is unreadable: {e}")),
    };
    crate::db::TABLES
        .iter()
        .find(|t| found.of(t.name) != expected.of(t.name))
        .map(|t| {
            format!(
                "results.db: table {} differs from the rows re-derived from the pack ({} rows found, {} expected)",
                t.name,
                found.of(t.name).len(),
                expected.of(t.name).len()
            )
        })
}
