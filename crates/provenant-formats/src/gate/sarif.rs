//! SARIF logs (static analysis): one [`GateReport`] per run. Also GitHub code scanning analyses
//! as its REST API returns them.
//!
//! SARIF 2.1.0 is the format read. Logs that say 2.0.0 (the pre-OASIS shape: `tool.name`,
//! `fileLocation`, `startTime`) or a 2.2 draft are read the same way, leniently, with a
//! deviation saying so. What a run binds to is its `versionControlProvenance` (a commit; trivy's
//! image scans also record `repoDigests` in the run's properties); what it found are its
//! `results`, with severities from a rule's `security-severity` property (a CVSS-like score, as
//! GitHub code scanning reads it) or else the SARIF `level`.

mod code_scanning;
mod fragment;
mod schema;

use crate::limits::LimitExceeded;
use std::collections::HashMap;

use serde_json::{Map, Value};

pub use fragment::{is_external_properties, is_fragment};

use super::{
    is_commit, Deviation, Finding, GateError, GateKind, GateReport, Scanned, Severity, MAX_FINDINGS,
};
use fragment::is_elision;

const FORMAT: &str = "sarif";

/// Message arguments substituted into `{n}` placeholders (more are ignored).
const MAX_MESSAGE_ARGUMENTS: usize = 32;

/// `Some` when `v` is a SARIF log or a GitHub code scanning analysis (or a list of them).
pub fn detect(v: &Value) -> Option<Result<Vec<GateReport>, GateError>> {
    if is_log(v) {
        if let Err(e) = schema::check(v) {
            return Some(Err(e));
        }
        return Some(parse_log(v));
    }
    code_scanning::detect(v)
}

/// Whether `v` says it is a SARIF log: `runs` next to a `version`, or a `$schema` naming a SARIF
/// log schema. (Whether it is a valid one is for [`detect`] to say.)
pub fn is_log(v: &Value) -> bool {
    let Some(obj) = v.as_object() else {
        return false;
    };
    let schema = obj
        .get("$schema")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .is_some_and(|s| s.contains("sarif") && !s.contains("external-propert"));
    schema || (obj.contains_key("runs") && obj.contains_key("version"))
}

fn field(at: impl Into<String>, what: impl Into<String>) -> GateError {
    GateError::Field {
        format: FORMAT,
        at: at.into(),
        what: what.into(),
    }
}

fn deviation(at: impl Into<String>, what: impl Into<String>) -> Deviation {
    Deviation {
        at: at.into(),
        what: what.into(),
    }
}

fn parse_log(v: &Value) -> Result<Vec<GateReport>, GateError> {
    let Some(obj) = v.as_object() else {
        return Err(field("", "a SARIF log is a JSON object"));
    };
    let mut log_deviations = Vec::new();
    // A 2.0.0 log (pre-OASIS shape) has no embedded schema to validate it against: it is read
    // for `inspect`, but its findings are never complete enough to satisfy a gate, so relabelling
    // a malformed log as 2.0.0 cannot slip past the schema rule.
    let unvalidated = obj
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("2.0.0"));
    match obj.get("version") {
        Some(Value::String(s)) if s == "2.1.0" => {}
        Some(Value::String(s))
            if s.starts_with("2.1.0-") || s.starts_with("2.0.0") || s.starts_with("2.2") =>
        {
            log_deviations.push(deviation("/version", format!("SARIF {s} read as 2.1.0")));
        }
        Some(Value::String(s)) => {
            return Err(field(
                "/version",
                format!("SARIF version {s:?} is not read (2.1.0; 2.0.0 and 2.2 leniently)"),
            ))
        }
        Some(_) => return Err(field("/version", "not a string")),
        None => log_deviations.push(deviation(
            "/version",
            "no version; read as 2.1.0 because $schema names SARIF",
        )),
    }
    let runs = match obj.get("runs") {
        Some(Value::Array(runs)) => runs,
        // SARIF: `runs` is null when the tool failed before any run started.
        Some(Value::Null) => return Ok(Vec::new()),
        Some(_) => return Err(field("/runs", "not an array")),
        None => return Err(field("/runs", "missing")),
    };
    let mut budget = MAX_FINDINGS;
    let mut out = Vec::with_capacity(runs.len().min(64));
    for (i, run) in runs.iter().enumerate() {
        let at = format!("/runs/{i}");
        let Some(run) = run.as_object() else {
            return Err(field(at, "not an object"));
        };
        if !run.is_empty() && run.keys().all(|k| is_elision(k)) {
            log_deviations.push(deviation(at, "a run elided in an example: skipped"));
            continue;
        }
        let mut report = Run::new(run, &at)?.report(&mut budget)?;
        if unvalidated {
            report.findings_complete = false;
            report.deviations.push(deviation(
                "/version",
                "SARIF 2.0.0 is not validated against a schema: its findings satisfy no gate",
            ));
        }
        let mut deviations = log_deviations.clone();
        deviations.append(&mut report.deviations);
        report.deviations = deviations;
        out.push(report);
    }
    Ok(out)
}

/// Where a rule lives: the driver (0) or extension `n - 1`, and its index there.
type RuleAt = (usize, usize);

struct Run<'a> {
    at: &'a str,
    run: &'a Map<String, Value>,
    tool: String,
    tool_version: Option<String>,
    /// The driver's and then each extension's `rules`.
    components: Vec<&'a [Value]>,
    /// Extension names and guids, for `rule.toolComponent` references.
    extension_keys: Vec<(Option<&'a str>, Option<&'a str>)>,
    rule_ids: HashMap<&'a str, RuleAt>,
    deviations: Vec<Deviation>,
}

fn rules_of(component: &Value) -> &[Value] {
    component
        .get("rules")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

impl<'a> Run<'a> {
    fn new(run: &'a Map<String, Value>, at: &'a str) -> Result<Self, GateError> {
        let mut deviations = Vec::new();
        let Some(tool) = run.get("tool").filter(|t| t.is_object()) else {
            return Err(field(format!("{at}/tool"), "missing or not an object"));
        };
        let driver = match tool.get("driver") {
            Some(d) if d.is_object() => d,
            Some(_) => return Err(field(format!("{at}/tool/driver"), "not an object")),
            // SARIF 2.0.0: the tool object is the driver.
            None if tool.get("name").is_some() => {
                deviations.push(deviation(
                    format!("{at}/tool"),
                    "no driver: the tool object read as the driver (SARIF 2.0.0)",
                ));
                tool
            }
            None => return Err(field(format!("{at}/tool/driver"), "missing")),
        };
        let name = match driver.get("name") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            _ => {
                return Err(field(
                    format!("{at}/tool/driver/name"),
                    "missing, empty or not a string",
                ))
            }
        };
        let tool_version = ["semanticVersion", "version"]
            .iter()
            .find_map(|k| driver.get(*k).and_then(Value::as_str))
            .map(str::to_owned);
        let extensions: &[Value] = tool
            .get("extensions")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        let mut components = vec![rules_of(driver)];
        components.extend(extensions.iter().map(rules_of));
        let extension_keys = extensions
            .iter()
            .map(|e| {
                (
                    e.get("name").and_then(Value::as_str),
                    e.get("guid").and_then(Value::as_str),
                )
            })
            .collect();
        let mut rule_ids = HashMap::new();
        for (c, rules) in components.iter().enumerate() {
            for (r, rule) in rules.iter().enumerate() {
                if let Some(id) = rule.get("id").and_then(Value::as_str) {
                    rule_ids.entry(id).or_insert((c, r));
                }
            }
        }
        Ok(Self {
            at,
            run,
            tool: name,
            tool_version,
            components,
            extension_keys,
            rule_ids,
            deviations,
        })
    }

    fn report(mut self, budget: &mut usize) -> Result<GateReport, GateError> {
        let scanned = self.scanned();
        let (started, finished, succeeded) = self.invocations();
        // SARIF §3.14.23: `results` null (or absent) means the tool did not complete its
        // analysis; only an array, even an empty one, lists what it found.
        let findings_complete = matches!(self.run.get("results"), Some(Value::Array(_)));
        let findings = self.findings(budget)?;
        // Classified by the tool, not the format: a grype or trivy SARIF log is SCA, a ZAP one
        // DAST; any other SARIF producer is static analysis.
        let kind = super::tools::known_tool(&self.tool).map_or(GateKind::Sast, |t| t.kind);
        Ok(GateReport {
            kind,
            format: FORMAT,
            tool: self.tool,
            tool_version: self.tool_version,
            scanned,
            started,
            finished,
            succeeded,
            workflow: None,
            findings,
            findings_complete,
            deviations: self.deviations,
        })
    }

    /// `versionControlProvenance[]` entries that name a full commit, and the image digests trivy
    /// records in the run's properties (`repoDigests`: `name@sha256:HEX`).
    fn scanned(&mut self) -> Vec<Scanned> {
        let mut out = Vec::new();
        let digests = self
            .run
            .get("properties")
            .and_then(|p| p.get("repoDigests"))
            .and_then(Value::as_array);
        for d in digests.into_iter().flatten().filter_map(Value::as_str) {
            let Some((name, hex)) = d.rsplit_once("@sha256:") else {
                continue;
            };
            if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                let scanned = Scanned::ImageReference {
                    digest: format!("sha256:{}", hex.to_ascii_lowercase()),
                    name: Some(name.to_owned()),
                };
                if !out.contains(&scanned) {
                    out.push(scanned);
                }
            }
        }
        let at = format!("{}/versionControlProvenance", self.at);
        let list = match self.run.get("versionControlProvenance") {
            None | Some(Value::Null) => return out,
            Some(Value::Array(list)) => list,
            Some(_) => {
                self.deviations.push(deviation(at, "not an array: ignored"));
                return out;
            }
        };
        for (k, vcp) in list.iter().enumerate() {
            let repository = ["repositoryUri", "uri"]
                .iter()
                .find_map(|key| vcp.get(*key).and_then(Value::as_str))
                .map(str::to_owned);
            match vcp.get("revisionId") {
                Some(Value::String(rev)) if is_commit(rev) => {
                    let scanned = Scanned::Commit {
                        sha: rev.to_ascii_lowercase(),
                        repository,
                    };
                    if !out.contains(&scanned) {
                        out.push(scanned);
                    }
                }
                Some(rev) => self.deviations.push(deviation(
                    format!("{at}/{k}/revisionId"),
                    format!("{rev} is not a full commit id: it binds the run to no commit"),
                )),
                None => {}
            }
        }
        out
    }

    /// (started, finished, succeeded) from `invocations[]`: the first start, the last end, and
    /// success only when every invocation says it succeeded.
    fn invocations(&mut self) -> (Option<String>, Option<String>, Option<bool>) {
        let at = format!("{}/invocations", self.at);
        let list = match self.run.get("invocations") {
            None | Some(Value::Null) => return (None, None, None),
            Some(Value::Array(list)) => list,
            Some(_) => {
                self.deviations.push(deviation(at, "not an array: ignored"));
                return (None, None, None);
            }
        };
        let time = |inv: &Value, keys: [&str; 2]| {
            keys.iter()
                .find_map(|k| inv.get(*k).and_then(Value::as_str))
                .map(str::to_owned)
        };
        // The run started at its earliest start and finished at its latest end; one invocation
        // that records no end means the run's end is not known (never the end of another).
        let starts: Vec<String> = list
            .iter()
            .filter_map(|inv| time(inv, ["startTimeUtc", "startTime"]))
            .collect();
        let ends: Option<Vec<String>> = list
            .iter()
            .map(|inv| time(inv, ["endTimeUtc", "endTime"]))
            .collect();
        let started = extreme(&starts, std::cmp::Ordering::Less);
        let finished = ends.and_then(|e| extreme(&e, std::cmp::Ordering::Greater));
        if list.len() > 1 && (started.is_none() && !starts.is_empty()) {
            self.deviations.push(deviation(
                at.clone(),
                "invocation start times in different offsets: the run's start is not known",
            ));
        }
        if list.is_empty() {
            return (started, finished, None);
        }
        let mut failed = false;
        let mut unknown = false;
        for (k, inv) in list.iter().enumerate() {
            match inv.get("executionSuccessful") {
                Some(Value::Bool(true)) => {}
                Some(Value::Bool(false)) => failed = true,
                _ => {
                    unknown = true;
                    self.deviations.push(deviation(
                        format!("{at}/{k}/executionSuccessful"),
                        "missing or not a boolean: whether the run succeeded is not known",
                    ));
                }
            }
        }
        let succeeded = if failed {
            Some(false)
        } else if unknown {
            None
        } else {
            Some(true)
        };
        (started, finished, succeeded)
    }

    fn findings(&mut self, budget: &mut usize) -> Result<Vec<Finding>, GateError> {
        let at = format!("{}/results", self.at);
        let results = match self.run.get("results") {
            Some(Value::Array(results)) => results,
            None | Some(Value::Null) => {
                self.deviations.push(deviation(
                    at,
                    "no results array: the tool did not complete its analysis (an incomplete scan, not a clean one)",
                ));
                return Ok(Vec::new());
            }
            Some(_) => return Err(field(at, "not an array")),
        };
        if results.len() > *budget {
            return Err(GateError::Limit(LimitExceeded::Count {
                format: None,
                items: "findings in one report",
                limit: MAX_FINDINGS,
            }));
        }
        *budget -= results.len();
        let mut out = Vec::with_capacity(results.len());
        for (j, result) in results.iter().enumerate() {
            let rat = format!("{at}/{j}");
            let Some(result) = result.as_object() else {
                return Err(field(rat, "not an object"));
            };
            if !result.is_empty() && result.keys().all(|k| is_elision(k)) {
                self.deviations
                    .push(deviation(rat, "a result elided in an example: skipped"));
                continue;
            }
            // Results that record a check passing or not applying are not findings.
            if matches!(
                result.get("kind").and_then(Value::as_str),
                Some("pass" | "notApplicable")
            ) || result.get("baselineState").and_then(Value::as_str) == Some("absent")
            {
                continue;
            }
            out.push(self.finding(result, &rat)?);
        }
        Ok(out)
    }

    fn finding(&mut self, result: &Map<String, Value>, at: &str) -> Result<Finding, GateError> {
        let rule = self.rule(result, at);
        let id = result
            .get("ruleId")
            .and_then(Value::as_str)
            .or_else(|| {
                result
                    .get("rule")
                    .and_then(|r| r.get("id"))
                    .and_then(Value::as_str)
            })
            .or_else(|| rule.and_then(|r| r.get("id")).and_then(Value::as_str))
            .unwrap_or("(no rule id)")
            .to_owned();
        let (severity, cvss) = self.severity(result, rule, at)?;
        Ok(Finding {
            id,
            severity,
            cvss,
            location: self.location(result),
            title: title(result, rule),
            suppressed: self.suppressed(result, at),
            fingerprints: fingerprints(result),
        })
    }

    /// The rule a result refers to: by index (into the driver or the named extension) when that
    /// agrees with `ruleId`, else by `ruleId` (or its hierarchical prefix).
    fn rule(&mut self, result: &Map<String, Value>, at: &str) -> Option<&'a Map<String, Value>> {
        let reference = result.get("rule");
        let component = match reference.and_then(|r| r.get("toolComponent")) {
            None => 0,
            Some(tc) => {
                let by_index = tc
                    .get("index")
                    .and_then(Value::as_u64)
                    .and_then(|i| usize::try_from(i).ok())
                    .filter(|i| *i < self.extension_keys.len());
                let by_key = || {
                    let name = tc.get("name").and_then(Value::as_str);
                    let guid = tc.get("guid").and_then(Value::as_str);
                    self.extension_keys.iter().position(|(n, g)| {
                        (guid.is_some() && *g == guid) || (name.is_some() && *n == name)
                    })
                };
                by_index.or_else(by_key).map_or(0, |i| i + 1)
            }
        };
        let id = result
            .get("ruleId")
            .and_then(Value::as_str)
            .or_else(|| reference.and_then(|r| r.get("id")).and_then(Value::as_str));
        let index = reference
            .and_then(|r| r.get("index"))
            .or_else(|| result.get("ruleIndex"))
            .and_then(Value::as_u64)
            .and_then(|i| usize::try_from(i).ok());
        let rules: &'a [Value] = self.components[component];
        if let Some(rule) = index.and_then(|i| rules.get(i)) {
            let rule_id = rule.get("id").and_then(Value::as_str);
            match (id, rule_id) {
                (Some(id), Some(rule_id)) if !same_rule(id, rule_id) => {
                    self.deviations.push(deviation(
                        format!("{at}/ruleIndex"),
                        format!("names rule {rule_id:?}, ruleId says {id:?}: looked up by ruleId"),
                    ));
                }
                _ => return rule.as_object(),
            }
        }
        let id = id?;
        let (c, r) = self.rule_ids.get(id).copied().or_else(|| {
            let (prefix, _) = id.split_once('/')?;
            self.rule_ids.get(prefix).copied()
        })?;
        let rules: &'a [Value] = self.components[c];
        rules[r].as_object()
    }

    fn severity(
        &mut self,
        result: &Map<String, Value>,
        rule: Option<&Map<String, Value>>,
        at: &str,
    ) -> Result<(Severity, Option<f64>), GateError> {
        let scored = [
            (result.get("properties"), format!("{at}/properties")),
            (
                rule.and_then(|r| r.get("properties")),
                format!("{at} (its rule's properties)"),
            ),
        ];
        for (properties, pat) in scored {
            let Some(score) = properties.and_then(|p| p.get("security-severity")) else {
                continue;
            };
            match cvss_score(score) {
                Some(s) => return Ok((Severity::from_cvss(s), Some(s))),
                // The tool scored it, and the score is unreadable: unknown (the worst for
                // thresholds), never the lower level the result may also carry.
                None => {
                    self.deviations.push(deviation(
                        format!("{pat}/security-severity"),
                        format!("{score} is not a score from 0 to 10: the severity is unknown"),
                    ));
                    return Ok((Severity::Unknown, None));
                }
            }
        }
        let level = match result.get("level") {
            Some(Value::String(l)) => l.as_str(),
            Some(_) => return Err(field(format!("{at}/level"), "not a string")),
            // SARIF 3.27.10: a result whose kind is not `fail` defaults to level `none`.
            None if result
                .get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k != "fail") =>
            {
                "none"
            }
            None => rule
                .and_then(|r| r.get("defaultConfiguration"))
                .and_then(|c| c.get("level"))
                .and_then(Value::as_str)
                .unwrap_or("warning"),
        };
        let severity = match level {
            "error" | "warning" | "note" | "none" => Severity::from_word(level),
            other => {
                self.deviations.push(deviation(
                    format!("{at}/level"),
                    format!("{other:?} is not a SARIF level: severity unknown"),
                ));
                Severity::Unknown
            }
        };
        Ok((severity, None))
    }

    /// `uri:startLine` of the first physical location, else the first logical location's name.
    fn location(&self, result: &Map<String, Value>) -> Option<String> {
        let first = result
            .get("locations")
            .and_then(Value::as_array)
            .and_then(|l| l.first())?;
        if let Some(physical) = first.get("physicalLocation") {
            let artifact = physical
                .get("artifactLocation")
                .or_else(|| physical.get("fileLocation"));
            let uri = artifact.and_then(|a| {
                a.get("uri").and_then(Value::as_str).or_else(|| {
                    let i = usize::try_from(a.get("index")?.as_u64()?).ok()?;
                    self.run
                        .get("artifacts")?
                        .get(i)?
                        .pointer("/location/uri")?
                        .as_str()
                })
            });
            if let Some(uri) = uri {
                let line = physical
                    .pointer("/region/startLine")
                    .and_then(Value::as_u64);
                return Some(match line {
                    Some(line) => format!("{uri}:{line}"),
                    None => uri.to_owned(),
                });
            }
        }
        let logical = first
            .get("logicalLocations")
            .and_then(Value::as_array)
            .and_then(|l| l.first())
            .or_else(|| first.get("logicalLocation"));
        logical
            .and_then(|l| {
                l.get("fullyQualifiedName")
                    .or_else(|| l.get("name"))
                    .and_then(Value::as_str)
            })
            .or_else(|| {
                first
                    .get("fullyQualifiedLogicalName")
                    .and_then(Value::as_str)
            })
            .map(str::to_owned)
    }

    /// Suppressed only when the result has suppressions and every one of them is accepted (a
    /// `status` of `accepted`, or none: SARIF §3.35.3). One `rejected` or `underReview`
    /// suppression anywhere in the list — or one that is not an object or has a status SARIF
    /// does not define — means the finding counts.
    fn suppressed(&mut self, result: &Map<String, Value>, at: &str) -> bool {
        match result.get("suppressions") {
            None | Some(Value::Null) => false,
            Some(Value::Array(list)) => {
                !list.is_empty()
                    && list.iter().all(|s| {
                        s.is_object()
                            && match s.get("status") {
                                None | Some(Value::Null) => true,
                                Some(status) => status.as_str() == Some("accepted"),
                            }
                    })
            }
            Some(_) => {
                self.deviations.push(deviation(
                    format!("{at}/suppressions"),
                    "not an array: the result is read as not suppressed",
                ));
                false
            }
        }
    }
}

/// Whether a result's `ruleId` names `rule_id` (itself, or a hierarchical child of it).
/// The earliest (`Less`) or latest (`Greater`) of RFC 3339 times; `None` when there are none, or
/// several that are not all UTC (`...Z`: others cannot be compared as text).
fn extreme(times: &[String], want: std::cmp::Ordering) -> Option<String> {
    match times {
        [] => None,
        [one] => Some(one.clone()),
        // UTC times compare as text to the second (`YYYY-MM-DDTHH:MM:SS`).
        _ if times
            .iter()
            .all(|t| super::is_rfc3339(t) && (t.ends_with('Z') || t.ends_with('z'))) =>
        {
            times
                .iter()
                .reduce(|a, b| if b[..19].cmp(&a[..19]) == want { b } else { a })
                .cloned()
        }
        _ => None,
    }
}

/// A result's `partialFingerprints` and `fingerprints` (SARIF §3.27.16, §3.27.17), each as
/// `name=value`, in the document's order; values that are not strings are not identities.
fn fingerprints(result: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["partialFingerprints", "fingerprints"] {
        for (name, value) in result
            .get(key)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(v) = value.as_str().filter(|v| !v.is_empty()) {
                let f = format!("{name}={v}");
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
    }
    out
}

fn same_rule(id: &str, rule_id: &str) -> bool {
    id == rule_id
        || id
            .strip_prefix(rule_id)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A `security-severity` property: a number, or a string holding one, from 0 to 10.
fn cvss_score(v: &Value) -> Option<f64> {
    let s = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (s.is_finite() && (0.0..=10.0).contains(&s)).then_some(s)
}

/// The result's message: its text (or markdown), else the rule's message string it names, else
/// the rule's short description; `{n}` placeholders filled from `arguments`.
fn title(result: &Map<String, Value>, rule: Option<&Map<String, Value>>) -> Option<String> {
    let message = result.get("message");
    let text = message
        .and_then(|m| m.get("text").or_else(|| m.get("markdown")))
        .and_then(Value::as_str)
        .or_else(|| {
            let id = message?.get("id")?.as_str()?;
            rule?.get("messageStrings")?.get(id)?.get("text")?.as_str()
        })
        .or_else(|| rule?.get("shortDescription")?.get("text")?.as_str())?;
    let arguments = message
        .and_then(|m| m.get("arguments"))
        .and_then(Value::as_array);
    let mut text = text.to_owned();
    for (n, arg) in arguments
        .into_iter()
        .flatten()
        .take(MAX_MESSAGE_ARGUMENTS)
        .enumerate()
    {
        if let Some(arg) = arg.as_str() {
            text = text.replace(&format!("{{{n}}}"), arg);
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(v: &Value) -> GateReport {
        let mut r = detect(v).expect("detected").expect("parsed");
        assert_eq!(r.len(), 1);
        r.remove(0)
    }

    fn log(run: Value) -> Value {
        json!({"version": "2.1.0", "runs": [run]})
    }

    #[test]
    fn level_defaults_follow_the_spec() {
        let r = one(&log(json!({
            "tool": {"driver": {"name": "T", "rules": [
                {"id": "R1", "defaultConfiguration": {"level": "error"}},
                {"id": "R2"}
            ]}},
            "results": [
                {"ruleId": "R1", "message": {"text": "a"}},
                {"ruleId": "R2", "message": {"text": "b"}},
                {"ruleId": "R2", "level": "note", "message": {"text": "c"}},
                {"ruleId": "R2", "kind": "review", "message": {"text": "d"}},
                {"ruleId": "R2", "kind": "pass", "message": {"text": "e"}},
                {"ruleId": "R1/sub", "message": {"text": "f"}}
            ]
        })));
        let s: Vec<Severity> = r.findings.iter().map(|f| f.severity).collect();
        assert_eq!(
            s,
            [
                Severity::High,
                Severity::Medium,
                Severity::Info,
                Severity::Info,
                Severity::High
            ]
        );
    }

    #[test]
    fn security_severity_beats_level_and_bad_scores_are_unknown() {
        let r = one(&log(json!({
            "tool": {"driver": {"name": "T", "rules": [
                {"id": "R1", "properties": {"security-severity": "9.8"}},
                {"id": "R2", "properties": {"security-severity": "high"}}
            ]}},
            "results": [
                {"ruleId": "R1", "ruleIndex": 0, "level": "note", "message": {"text": "a"}},
                {"ruleIndex": 1, "level": "warning", "message": {"text": "b"}},
                {"ruleId": "R2", "properties": {"security-severity": 5}, "message": {"text": "c"}}
            ]
        })));
        assert_eq!(r.findings[0].severity, Severity::Critical);
        assert_eq!(r.findings[0].cvss, Some(9.8));
        // An unreadable score is an unknown severity, not the result's lower level.
        assert_eq!(r.findings[1].severity, Severity::Unknown);
        assert_eq!(r.findings[1].id, "R2");
        assert_eq!(r.findings[2].severity, Severity::Medium);
        assert_eq!(r.findings[2].cvss, Some(5.0));
        assert!(r
            .deviations
            .iter()
            .any(|d| d.at.ends_with("/security-severity")));
    }

    #[test]
    fn extension_rules_are_found_by_tool_component() {
        let r = one(&log(json!({
            "tool": {
                "driver": {"name": "CodeQL", "rules": [{"id": "X"}]},
                "extensions": [{"name": "pack", "rules": [
                    {"id": "js/xss", "properties": {"security-severity": "6.1"}}
                ]}]
            },
            "results": [{
                "ruleId": "js/xss",
                "rule": {"id": "js/xss", "index": 0, "toolComponent": {"index": 0}},
                "message": {"text": "x"}
            }]
        })));
        assert_eq!(r.findings[0].severity, Severity::Medium);
    }

    #[test]
    fn commit_invocations_suppressions_and_locations() {
        let sha = "84F83C813BCF5B4C1E9BB5C1A4C27F1B1D8F5E0A";
        let r = one(&log(json!({
            "tool": {"driver": {"name": "T", "semanticVersion": "1.2.3", "version": "1.2"}},
            "versionControlProvenance": [
                {"repositoryUri": "https://github.com/o/r", "revisionId": sha},
                {"repositoryUri": "https://github.com/o/r", "revisionId": "de67ef7"}
            ],
            "invocations": [
                {"executionSuccessful": true, "startTimeUtc": "2024-01-01T00:00:00Z"},
                {"executionSuccessful": false, "endTimeUtc": "2024-01-01T00:05:00Z"}
            ],
            "artifacts": [{"location": {"uri": "src/b.py"}}],
            "results": [
                {"ruleId": "A", "message": {"text": "m {0}", "arguments": ["x"]},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.py"},
                                                     "region": {"startLine": 7}}}],
                 "suppressions": [{"kind": "inSource"}]},
                {"ruleId": "A", "message": {"text": "n"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"index": 0}}}],
                 "suppressions": [{"kind": "external", "status": "rejected"}]}
            ]
        })));
        assert_eq!(r.tool_version.as_deref(), Some("1.2.3"));
        assert_eq!(
            r.scanned,
            [Scanned::Commit {
                sha: sha.to_ascii_lowercase(),
                repository: Some("https://github.com/o/r".into())
            }]
        );
        assert!(r.deviations.iter().any(|d| d.at.ends_with("/1/revisionId")));
        assert_eq!(r.started.as_deref(), Some("2024-01-01T00:00:00Z"));
        // The first invocation records no end: the run's end is not known (not the second's).
        assert_eq!(r.finished, None);
        assert_eq!(r.succeeded, Some(false));
        assert_eq!(r.findings[0].location.as_deref(), Some("a.py:7"));
        assert_eq!(r.findings[0].title.as_deref(), Some("m x"));
        assert!(r.findings[0].suppressed);
        assert_eq!(r.findings[1].location.as_deref(), Some("src/b.py"));
        assert!(!r.findings[1].suppressed);
    }

    #[test]
    fn a_run_starts_at_its_first_start_and_ends_at_its_last_end() {
        let inv = |start: &str, end: &str| json!({"executionSuccessful": true, "startTimeUtc": start, "endTimeUtc": end});
        let r = one(&log(json!({
            "tool": {"driver": {"name": "x"}},
            "invocations": [
                inv("2024-01-01T02:00:00Z", "2024-01-01T09:00:00.5Z"),
                inv("2024-01-01T01:00:00.25Z", "2024-01-01T03:00:00Z")
            ],
            "results": []
        })));
        assert_eq!(r.started.as_deref(), Some("2024-01-01T01:00:00.25Z"));
        assert_eq!(r.finished.as_deref(), Some("2024-01-01T09:00:00.5Z"));
        // Times in other offsets cannot be compared as text: not known.
        let r = one(&log(json!({
            "tool": {"driver": {"name": "x"}},
            "invocations": [
                inv("2024-01-01T02:00:00+02:00", "2024-01-01T09:00:00+02:00"),
                inv("2024-01-01T01:00:00Z", "2024-01-01T03:00:00Z")
            ],
            "results": []
        })));
        assert_eq!((r.started, r.finished), (None, None));
    }

    #[test]
    fn a_sarif_2_0_0_log_is_read_but_never_complete() {
        // No schema validates 2.0.0: a malformed log relabelled 2.0.0 must not satisfy a gate.
        let old = json!({"version": "2.0.0", "runs": [{"tool": {"name": "T"}, "results": []}]});
        let r = one(&old);
        assert!(!r.findings_complete, "{:?}", r.deviations);
        let new = json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "T"}}, "results": []}]});
        assert!(one(&new).findings_complete);
    }

    #[test]
    fn a_run_without_results_is_an_incomplete_scan() {
        let tool = json!({"driver": {"name": "T"}});
        for (results, complete) in [(None, false), (Some(json!([])), true)] {
            let mut run = json!({"tool": tool});
            if let Some(r) = results {
                run["results"] = r;
            }
            let r = one(&log(run));
            assert_eq!(r.findings_complete, complete, "{:?}", r.deviations);
        }
        // `results: null` is outside the SARIF 2.1.0 schema: refused, never read as clean.
        let null = log(json!({"tool": tool, "results": null}));
        assert!(detect(&null).expect("detected").is_err());
    }

    #[test]
    fn one_rejected_or_under_review_suppression_means_the_finding_counts() {
        let doc = |suppressions: Value| {
            log(json!({
                "tool": {"driver": {"name": "T"}},
                "results": [{"ruleId": "A", "message": {"text": "m"}, "suppressions": suppressions}]
            }))
        };
        let with = |suppressions: Value| one(&doc(suppressions)).findings[0].suppressed;
        // Suppressions outside the schema (no kind, an unknown status, not an object) refuse
        // the whole log: never a silently suppressed finding.
        let refused = |suppressions: Value| detect(&doc(suppressions)).expect("detected").is_err();
        assert!(with(
            json!([{"kind": "inSource"}, {"kind": "external", "status": "accepted"}])
        ));
        assert!(!with(
            json!([{"kind": "inSource"}, {"kind": "external", "status": "rejected"}])
        ));
        assert!(!with(
            json!([{"kind": "external", "status": "rejected"}, {"kind": "inSource"}])
        ));
        assert!(!with(
            json!([{"kind": "inSource"}, {"kind": "external", "status": "underReview"}])
        ));
        assert!(refused(
            json!([{"kind": "inSource"}, {"status": "underReview"}])
        ));
        assert!(refused(json!([{"kind": "inSource", "status": "bogus"}])));
        assert!(refused(json!([{"kind": "inSource"}, 7])));
        assert!(!with(json!([])));
    }

    #[test]
    fn trivy_image_digests_bind_the_run() {
        let hex = "AB".repeat(32);
        let r = one(&log(json!({
            "tool": {"driver": {"name": "Trivy"}},
            "results": [],
            "properties": {"imageName": "alpine:3.10", "repoDigests": [
                format!("alpine@sha256:{hex}"), "alpine@sha256:short", 7
            ]}
        })));
        assert_eq!(
            r.scanned,
            [Scanned::ImageReference {
                digest: format!("sha256:{}", hex.to_ascii_lowercase()),
                name: Some("alpine".into())
            }]
        );
    }

    #[test]
    fn invalid_logs_are_field_errors() {
        let bad = [
            json!({"version": "1.0.0", "runs": []}),
            json!({"version": 2, "runs": []}),
            json!({"version": "2.1.0", "runs": {}}),
            json!({"version": "2.1.0", "runs": [1]}),
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "T"}}, "results": [1]}]}),
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "T"}}, "results": {}}]}),
            json!({"version": "2.1.0", "runs": [{"results": []}]}),
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}),
            json!({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0"}),
        ];
        for v in bad {
            assert!(
                matches!(detect(&v), Some(Err(GateError::Field { .. }))),
                "{v}"
            );
        }
        assert!(detect(&json!({"runs": []})).is_none());
        assert_eq!(
            detect(&json!({"version": "2.1.0", "runs": null})),
            Some(Ok(vec![]))
        );
    }

    #[test]
    fn code_scanning_analyses() {
        let a = json!({
            "ref": "refs/heads/main", "commit_sha": "d20ace7968ba43c0219f62d71334c1095bab1602",
            "analysis_key": ".github/workflows/codeql.yml:analyze", "error": "",
            "created_at": "2024-05-01T10:00:00Z", "results_count": 3, "rules_count": 100,
            "id": 1, "tool": {"name": "CodeQL", "guid": null, "version": "2.17.0"}
        });
        let r = one(&a);
        assert_eq!(r.format, "github-code-scanning");
        assert_eq!(r.succeeded, Some(true));
        assert_eq!(r.tool_version.as_deref(), Some("2.17.0"));
        assert!(r.deviations.iter().any(|d| d.at == "/results_count"));
        let mut failed = a.clone();
        failed["error"] = json!("SARIF upload failed");
        let list = detect(&json!([a, failed])).unwrap().unwrap();
        assert_eq!(list[1].succeeded, Some(false));
        let mut short = list_item();
        short["commit_sha"] = json!("d20ace7");
        assert!(matches!(detect(&short), Some(Err(GateError::Field { .. }))));
        assert!(detect(&json!([])).is_none());
    }

    fn list_item() -> Value {
        json!({"commit_sha": "x", "tool": {"name": "CodeQL"}, "results_count": 0})
    }
}
