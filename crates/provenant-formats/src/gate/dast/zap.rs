//! OWASP ZAP's traditional report, read from JSON (here) or XML (`zap_xml`) into one shape and
//! normalised once, so both encodings give the same [`GateReport`].
//!
//! Time: ZAP writes `@generated` as local time without a zone (`Thu, 17 Jun 2021 16:04:28`),
//! which no RFC 3339 timestamp can be made of without guessing the zone, so it is kept as
//! recorded. Newer reports also write `created`; when that is an RFC 3339 timestamp it is used.

use crate::limits::LimitExceeded;
use serde_json::Value;

use crate::gate::{Finding, GateError, GateKind, GateReport, Scanned, Severity, MAX_FINDINGS};

const FORMAT: &str = "zap";

/// A report as ZAP wrote it (either encoding).
#[derive(Debug, Default)]
pub(super) struct Doc {
    pub(super) program: Option<String>,
    pub(super) version: Option<String>,
    pub(super) generated: Option<String>,
    pub(super) created: Option<String>,
    pub(super) sites: Vec<Site>,
}

#[derive(Debug, Default)]
pub(super) struct Site {
    /// Where, for errors (`/site/0` or `site[1]`).
    pub(super) at: String,
    pub(super) name: Option<String>,
    pub(super) alerts: Vec<Alert>,
}

#[derive(Debug, Default)]
pub(super) struct Alert {
    pub(super) at: String,
    pub(super) plugin_id: Option<String>,
    pub(super) alert_ref: Option<String>,
    pub(super) alert: Option<String>,
    pub(super) name: Option<String>,
    pub(super) riskcode: Option<String>,
    pub(super) riskdesc: Option<String>,
    pub(super) confidence: Option<String>,
    /// The first instance's URI.
    pub(super) uri: Option<String>,
}

pub(super) fn field(at: impl Into<String>, what: impl Into<String>) -> GateError {
    GateError::Field {
        format: FORMAT,
        at: at.into(),
        what: what.into(),
    }
}

/// A ZAP JSON report: a `site` list next to ZAP's `@`-attributes.
pub(super) fn is_zap_json(v: &Value) -> bool {
    v.get("site").is_some()
        && ["@programName", "@version", "@generated"]
            .iter()
            .any(|k| v.get(k).is_some())
}

/// A string, or a number as ZAP's older reports write some fields.
fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn from_json(v: &Value) -> Result<GateReport, GateError> {
    let mut doc = Doc {
        program: scalar(v.get("@programName")),
        version: scalar(v.get("@version")),
        generated: scalar(v.get("@generated")),
        created: scalar(v.get("created").or_else(|| v.get("@created"))),
        sites: Vec::new(),
    };
    let sites: Vec<&Value> = match v.get("site") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return Err(field("/site", "not an array")),
    };
    let mut count = 0usize;
    for (i, s) in sites.into_iter().enumerate() {
        let at = format!("/site/{i}");
        if !s.is_object() {
            return Err(field(at, "not an object"));
        }
        let alerts: &[Value] = match s.get("alerts") {
            Some(Value::Array(list)) => list,
            None | Some(Value::Null) => &[],
            Some(_) => return Err(field(format!("{at}/alerts"), "not an array")),
        };
        count += alerts.len();
        if count > MAX_FINDINGS {
            return Err(GateError::Limit(LimitExceeded::Count {
                format: None,
                items: "findings in one report",
                limit: MAX_FINDINGS,
            }));
        }
        let mut site = Site {
            at: at.clone(),
            name: scalar(s.get("@name")),
            alerts: Vec::with_capacity(alerts.len()),
        };
        for (j, a) in alerts.iter().enumerate() {
            let at = format!("{at}/alerts/{j}");
            if !a.is_object() {
                return Err(field(at, "not an object"));
            }
            let uri = a
                .get("instances")
                .and_then(Value::as_array)
                .and_then(|l| l.iter().find_map(|i| i.get("uri").and_then(Value::as_str)))
                .map(str::to_owned);
            site.alerts.push(Alert {
                at,
                plugin_id: scalar(a.get("pluginid")),
                alert_ref: scalar(a.get("alertRef")),
                alert: scalar(a.get("alert")),
                name: scalar(a.get("name")),
                riskcode: scalar(a.get("riskcode")),
                riskdesc: scalar(a.get("riskdesc")),
                confidence: scalar(a.get("confidence")),
                uri,
            });
        }
        doc.sites.push(site);
    }
    normalise(doc)
}

/// The report, normalised (the same for either encoding).
pub(super) fn normalise(doc: Doc) -> Result<GateReport, GateError> {
    let mut scanned = Vec::new();
    let mut findings = Vec::new();
    for site in doc.sites {
        let url = match site.name.as_deref().map(str::trim) {
            Some(u) if !u.is_empty() => u.to_owned(),
            _ => {
                return Err(field(
                    format!("{}/@name", site.at),
                    "the site has no name (target URL)",
                ))
            }
        };
        for a in site.alerts {
            findings.push(finding(a, &url)?);
        }
        let s = Scanned::Deployment { url };
        if !scanned.contains(&s) {
            scanned.push(s);
        }
    }
    let finished = doc
        .created
        .filter(|c| crate::gate::is_rfc3339(c))
        .or(doc.generated);
    Ok(GateReport {
        kind: GateKind::Dast,
        format: FORMAT,
        tool: doc
            .program
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| "ZAP".into()),
        tool_version: doc.version,
        scanned,
        started: None,
        finished,
        succeeded: None,
        workflow: None,
        findings,
        findings_complete: true,
        deviations: Vec::new(),
    })
}

fn finding(a: Alert, site: &str) -> Result<Finding, GateError> {
    let severity = match a.riskcode.as_deref().map(str::trim) {
        Some("0") => Severity::Info,
        Some("1") => Severity::Low,
        Some("2") => Severity::Medium,
        Some("3") => Severity::High,
        Some(other) => {
            return Err(field(
                format!("{}/riskcode", a.at),
                format!("{other:?} is not a ZAP risk code (0 to 3)"),
            ))
        }
        // No code: the risk word that starts riskdesc ("High (Medium)").
        None => match a
            .riskdesc
            .as_deref()
            .and_then(|d| d.split_whitespace().next())
            .map(Severity::from_word)
        {
            Some(s) if s != Severity::Unknown => s,
            _ => {
                return Err(field(
                    format!("{}/riskcode", a.at),
                    "missing, and riskdesc names no risk",
                ))
            }
        },
    };
    let title = a.alert.or(a.name);
    let id = a
        .alert_ref
        .or(a.plugin_id)
        .or_else(|| title.clone())
        .filter(|i| !i.trim().is_empty())
        .ok_or_else(|| field(format!("{}/pluginid", a.at), "missing"))?;
    Ok(Finding {
        id,
        severity,
        cvss: None,
        location: Some(a.uri.unwrap_or_else(|| site.to_owned())),
        title,
        // ZAP confidence 0 is "false positive", set by a user reviewing the alert.
        suppressed: a.confidence.as_deref().map(str::trim) == Some("0"),
        fingerprints: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc3339_shapes() {
        assert!(crate::gate::is_rfc3339("2023-06-06T12:00:00Z"));
        assert!(crate::gate::is_rfc3339("2023-06-06T12:00:00.123+02:00"));
        assert!(!crate::gate::is_rfc3339("Tue, 6 Jun 2023 12:00:00"));
        assert!(!crate::gate::is_rfc3339("2023-06-06T12:00:00"));
        assert!(!crate::gate::is_rfc3339("2023-06-06T12:00:00.Z"));
        assert!(!crate::gate::is_rfc3339("2023-06-06T12:00:00+0é:00"));
        assert!(!crate::gate::is_rfc3339("2023-06-06T12:00:00+é:00"));
        assert!(!crate::gate::is_rfc3339("2023-06-06T12:00:00é"));
    }

    #[test]
    fn old_reports_without_program_name_and_bad_risk_codes() {
        let v = json!({"@version": "2.8.0", "@generated": "Sun, 8 Mar 2020 18:09:07",
        "site": [{"@name": "https://x", "alerts": [
            {"pluginid": "10038", "alert": "CSP", "riskcode": 1, "confidence": "2"},
            {"pluginid": "10050", "alert": "Cache", "riskdesc": "Informational (Medium)",
             "confidence": "0", "instances": [{"uri": "https://x/a"}]}
        ]}]});
        let r = from_json(&v).unwrap();
        assert_eq!(r.tool, "ZAP");
        assert_eq!(r.finished.as_deref(), Some("Sun, 8 Mar 2020 18:09:07"));
        assert_eq!(r.findings[0].severity, Severity::Low);
        assert_eq!(r.findings[0].location.as_deref(), Some("https://x"));
        assert_eq!(r.findings[1].severity, Severity::Info);
        assert!(r.findings[1].suppressed);
        for bad in [
            json!({"@version": "1", "site": [{"@name": "u", "alerts": [{"pluginid": "1", "riskcode": "4"}]}]}),
            json!({"@version": "1", "site": [{"@name": "u", "alerts": [{"pluginid": "1"}]}]}),
            json!({"@version": "1", "site": [{"alerts": []}]}),
            json!({"@version": "1", "site": "x"}),
        ] {
            assert!(
                matches!(from_json(&bad), Err(GateError::Field { .. })),
                "{bad}"
            );
        }
    }
}
