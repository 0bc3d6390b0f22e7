//! The JSON report is the contract: every report provenant writes must satisfy
//! attestations/report.schema.json, and the schema's code list must equal `CheckCode::ALL`.

use serde_json::Value;

use crate::support::{corpus, provenant, root, run};

fn schema() -> Value {
    serde_json::from_slice(&std::fs::read(root().join("attestations/report.schema.json")).unwrap())
        .unwrap()
}

/// A small validator for the JSON Schema subset the report schema uses.
fn validate(s: &Value, v: &Value, defs: &Value, path: &str, errs: &mut Vec<String>) {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        return validate(&defs[name], v, defs, path, errs);
    }
    if let Some(c) = s.get("const") {
        if c != v {
            errs.push(format!("{path}: {v} != const {c}"));
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            errs.push(format!("{path}: {v} not in enum"));
        }
    }
    if let Some(alts) = s.get("oneOf").and_then(Value::as_array) {
        let ok = alts
            .iter()
            .filter(|a| {
                let mut e = Vec::new();
                validate(a, v, defs, path, &mut e);
                e.is_empty()
            })
            .count();
        if ok != 1 {
            errs.push(format!("{path}: matches {ok} of oneOf"));
        }
    }
    match s.get("type").and_then(Value::as_str) {
        Some("object") => {
            let Some(o) = v.as_object() else {
                return errs.push(format!("{path}: not an object"));
            };
            let props = s.get("properties").and_then(Value::as_object);
            for r in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if !o.contains_key(r.as_str().unwrap()) {
                    errs.push(format!("{path}: missing {r}"));
                }
            }
            for (k, val) in o {
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => validate(ps, val, defs, &format!("{path}.{k}"), errs),
                    None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                        errs.push(format!("{path}: unexpected key {k}"));
                    }
                    None => {}
                }
            }
        }
        Some("array") => match v.as_array() {
            Some(a) => {
                for (i, item) in a.iter().enumerate() {
                    if let Some(is) = s.get("items") {
                        validate(is, item, defs, &format!("{path}[{i}]"), errs);
                    }
                }
            }
            None => errs.push(format!("{path}: not an array")),
        },
        Some("string") if !v.is_string() => errs.push(format!("{path}: not a string")),
        Some("boolean") if !v.is_boolean() => errs.push(format!("{path}: not a boolean")),
        Some("integer") if !v.is_u64() && !v.is_i64() => {
            errs.push(format!("{path}: not an integer"))
        }
        _ => {}
    }
}

/// Assert a JSON report satisfies the schema.
pub fn assert_report_valid(report: &str) {
    let s = schema();
    let v: Value = serde_json::from_str(report).expect("report is JSON");
    let mut errs = Vec::new();
    validate(&s, &v, &s["$defs"], "$", &mut errs);
    assert!(
        errs.is_empty(),
        "report violates the schema:\n{}\n{report}",
        errs.join("\n")
    );
}

#[test]
fn schema_codes_equal_check_codes() {
    let s = schema();
    let listed: Vec<&str> = s
        .pointer("/$defs/check/properties/code/enum")
        .and_then(Value::as_array)
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let codes: Vec<&str> = provenant_model::CheckCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(
        listed, codes,
        "attestations/report.schema.json lists other codes than CheckCode::ALL"
    );
}

#[test]
fn reports_satisfy_the_schema() {
    let digest = format!("sha256:{}", "ab".repeat(32));
    let (_, out, _) = run(provenant().args([
        "verify", "artifact", "--digest", &digest, "--format", "json",
    ]));
    assert_report_valid(&out);
    let Some(dir) = corpus() else { return };
    let id = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    for bundle in [
        "happy-path-v0.3",
        "rekor2-dsse-happy-path",
        "wrong-material_fail",
        "rekor2-happy-path",
    ] {
        let (_, out, _) = run(provenant().current_dir(&dir).args([
            "verify",
            "artifact",
            "sigstore/conformance/a.txt",
            "--bundle",
            &format!("sigstore/conformance/{bundle}/bundle.sigstore.json"),
            "--certificate-identity",
            id,
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
            "--trusted-root",
            "trust/sigstore-public-good/trusted_root.json",
            "--format",
            "json",
        ]));
        assert_report_valid(&out);
    }
}

#[test]
fn the_validator_rejects_drift() {
    let digest = format!("sha256:{}", "ab".repeat(32));
    let (_, out, _) = run(provenant().args([
        "verify", "artifact", "--digest", &digest, "--format", "json",
    ]));
    let s = schema();
    for mutate in [
        |v: &mut Value| v["surprise"] = Value::Bool(true),
        |v: &mut Value| v["verdict"] = Value::from("maybe"),
        |v: &mut Value| v["checks"][0]["code"] = Value::from("no-such-code"),
        |v: &mut Value| {
            v.as_object_mut().unwrap().remove("checks");
        },
    ] {
        let mut v: Value = serde_json::from_str(&out).unwrap();
        mutate(&mut v);
        let mut errs = Vec::new();
        validate(&s, &v, &s["$defs"], "$", &mut errs);
        assert!(!errs.is_empty(), "validator accepted {v}");
    }
}
