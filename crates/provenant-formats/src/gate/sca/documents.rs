//! Each format's minimal document, and the shapes of a recognised format that are refused.

use serde_json::{json, Value};

use super::detect;
use crate::gate::{parse_gate, GateError, GateReport, Scanned, Severity};

const HEX_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const HEX_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const HEX_C: &str = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
const COMMIT: &str = "5ae342eb2802672402d9b2c26f09e2051bbd91b8";

fn one(v: &Value) -> GateReport {
    let mut reports = detect(v)
        .unwrap_or_else(|| panic!("not recognised: {v}"))
        .unwrap_or_else(|e| panic!("{e}: {v}"));
    assert_eq!(reports.len(), 1);
    reports.remove(0)
}

/// Recognised, and refused with a field error.
fn refused(v: &Value) -> GateError {
    match detect(v) {
        Some(Err(e @ GateError::Field { .. })) => e,
        Some(Err(e)) => panic!("{e}: not a field error: {v}"),
        Some(Ok(r)) => panic!("accepted: {r:?}"),
        None => panic!("not recognised: {v}"),
    }
}

fn severities(r: &GateReport) -> Vec<Severity> {
    r.findings.iter().map(|f| f.severity).collect()
}

fn digest(hex: &str, name: &str) -> Scanned {
    Scanned::Digest {
        digest: format!("sha256:{hex}"),
        name: Some(name.into()),
    }
}

fn reference(hex: &str, name: &str) -> Scanned {
    Scanned::ImageReference {
        digest: format!("sha256:{hex}"),
        name: Some(name.into()),
    }
}

fn config(hex: &str, name: &str) -> Scanned {
    Scanned::ImageConfig {
        digest: format!("sha256:{hex}"),
        name: Some(name.into()),
    }
}

fn grype_image() -> Value {
    json!({
        "matches": [
            {
                "vulnerability": {
                    "id": "CVE-2023-0001",
                    "severity": "High",
                    "cvss": [
                        {"version": "2.0", "vector": "AV:N/AC:L/Au:N/C:C/I:C/A:C", "metrics": {"baseScore": 10.0}},
                        {"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "metrics": {"baseScore": 7.5}},
                        {"version": "3.0", "vector": "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", "metrics": {"baseScore": 5.9}}
                    ]
                },
                "artifact": {"name": "openssl", "version": "3.0.1"}
            },
            {"vulnerability": {"id": "CVE-2023-0002", "severity": "Negligible"}, "artifact": {"name": "zlib", "version": ""}},
            {"vulnerability": {"id": "CVE-2023-0003", "severity": "Unknown", "cvss": [{"version": "3.1", "metrics": {"baseScore": 9.1}}]}}
        ],
        "ignoredMatches": [
            {"vulnerability": {"id": "CVE-2023-0004", "severity": "Critical"}, "artifact": {"name": "curl", "version": "8.0"}, "appliedIgnoreRules": [{}]}
        ],
        "source": {
            "type": "image",
            "target": {
                "userInput": format!("ghcr.io/o/app:1@sha256:{HEX_B}"),
                "imageID": format!("sha256:{HEX_C}"),
                "manifestDigest": format!("sha256:{HEX_A}"),
                "repoDigests": [format!("ghcr.io/o/app@sha256:{}", HEX_B.to_uppercase())]
            }
        },
        "descriptor": {"name": "grype", "version": "0.74.0", "timestamp": "2024-01-02T03:04:05.678-05:00"}
    })
}

#[test]
fn grype_image_scan() {
    let r = one(&grype_image());
    assert_eq!((r.format, r.tool.as_str()), ("grype", "grype"));
    assert_eq!(r.tool_version.as_deref(), Some("0.74.0"));
    assert_eq!(r.finished.as_deref(), Some("2024-01-02T03:04:05.678-05:00"));
    assert_eq!(
        r.scanned,
        vec![
            digest(HEX_A, &format!("ghcr.io/o/app:1@sha256:{HEX_B}")),
            // The pinned reference; the repo digest repeats it under another name.
            reference(HEX_B, "ghcr.io/o/app:1"),
            config(HEX_C, &format!("ghcr.io/o/app:1@sha256:{HEX_B}")),
        ]
    );
    assert_eq!(
        severities(&r),
        [
            Severity::High,
            Severity::Info,
            Severity::Critical,
            Severity::Critical
        ]
    );
    // v2 scores are not CVSS v3 base scores.
    assert_eq!(r.findings[0].cvss, Some(7.5));
    assert_eq!(r.findings[0].location.as_deref(), Some("openssl@3.0.1"));
    assert_eq!(r.findings[1].location.as_deref(), Some("zlib"));
    assert_eq!(r.findings[2].location, None);
    assert!(r.findings[3].suppressed && !r.findings[0].suppressed);
    assert!(r.deviations.is_empty(), "{:?}", r.deviations);
}

#[test]
fn grype_directory_scan_and_no_version() {
    let r = one(&json!({
        "matches": [],
        "source": {"type": "directory", "target": "/src/app"},
        "descriptor": {"name": "grype", "version": "[not provided]", "timestamp": ""}
    }));
    assert_eq!(
        r.scanned,
        vec![Scanned::Named {
            name: "/src/app".into()
        }]
    );
    assert_eq!((r.tool_version, r.finished), (None, None));
}

#[test]
fn grype_refusals() {
    let mut bad = grype_image();
    bad["matches"] = json!({});
    refused(&bad);
    let mut bad = grype_image();
    bad["matches"][0]["vulnerability"]["id"] = json!(7);
    refused(&bad);
    let mut bad = grype_image();
    bad["source"]["target"]["manifestDigest"] = json!("sha256:abc");
    refused(&bad);
    let mut bad = grype_image();
    bad["source"]["target"]["repoDigests"] = json!(["ghcr.io/o/app:latest"]);
    refused(&bad);
    let mut bad = grype_image();
    bad["matches"][0]["vulnerability"]["cvss"][1]["metrics"]["baseScore"] = json!(11);
    refused(&bad);
    let mut bad = grype_image();
    bad["descriptor"] = json!("grype");
    refused(&bad);
    let mut bad = grype_image();
    bad["matches"][0]["artifact"] = json!({"version": "1"});
    refused(&bad);
}

#[test]
fn grype_bad_timestamp_is_a_deviation_not_a_time() {
    let mut v = grype_image();
    v["descriptor"]["timestamp"] = json!("yesterday");
    let r = one(&v);
    assert_eq!(r.finished, None);
    assert_eq!(r.deviations[0].at, "/descriptor/timestamp");
}

fn trivy_image() -> Value {
    json!({
        "SchemaVersion": 2,
        "Trivy": {"Version": "0.50.1"},
        "CreatedAt": "2024-03-04T05:06:07.123456789Z",
        "ArtifactName": "alpine:3.19",
        "ArtifactType": "container_image",
        "Metadata": {
            "ImageID": format!("sha256:{HEX_C}"),
            "RepoTags": ["alpine:3.19"],
            "RepoDigests": [format!("alpine@sha256:{HEX_A}")]
        },
        "Results": [
            {
                "Target": "alpine:3.19 (alpine 3.19.1)",
                "Class": "os-pkgs",
                "Vulnerabilities": [
                    {
                        "VulnerabilityID": "CVE-2024-0001", "PkgName": "libcrypto3", "InstalledVersion": "3.1.4-r5",
                        "Severity": "MEDIUM", "Title": "openssl: a flaw",
                        "CVSS": {"nvd": {"V2Score": 9.3, "V3Score": 5.3}, "redhat": {"V3Score": 6.5}}
                    },
                    {"VulnerabilityID": "CVE-2024-0002", "PkgName": "busybox", "InstalledVersion": "1.36", "Severity": "UNKNOWN"}
                ]
            },
            {
                "Target": "Dockerfile",
                "Class": "config",
                "Misconfigurations": [
                    {"ID": "DS002", "Status": "FAIL", "Severity": "HIGH", "Title": "root user", "CauseMetadata": {"StartLine": 3}},
                    {"ID": "DS001", "Status": "PASS", "Severity": "MEDIUM"},
                    {"ID": "DS005", "Status": "EXCEPTION", "Severity": "LOW"}
                ],
                "Secrets": [{"RuleID": "aws-access-key-id", "Severity": "CRITICAL", "Title": "AWS Access Key ID", "StartLine": 12}]
            },
            {"Target": "Java", "Class": "lang-pkgs"}
        ]
    })
}

#[test]
fn trivy_image_scan() {
    let r = one(&trivy_image());
    assert_eq!((r.format, r.tool.as_str()), ("trivy", "trivy"));
    assert_eq!(r.tool_version.as_deref(), Some("0.50.1"));
    assert_eq!(
        r.finished.as_deref(),
        Some("2024-03-04T05:06:07.123456789Z")
    );
    assert_eq!(
        r.scanned,
        vec![reference(HEX_A, "alpine"), config(HEX_C, "alpine:3.19")]
    );
    let ids: Vec<_> = r.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "CVE-2024-0001",
            "CVE-2024-0002",
            "DS002",
            "DS005",
            "aws-access-key-id"
        ]
    );
    assert_eq!(
        severities(&r),
        [
            Severity::Medium,
            Severity::Unknown,
            Severity::High,
            Severity::Low,
            Severity::Critical
        ]
    );
    assert_eq!(r.findings[0].cvss, Some(6.5));
    assert_eq!(
        r.findings[0].location.as_deref(),
        Some("libcrypto3@3.1.4-r5")
    );
    assert_eq!(r.findings[2].location.as_deref(), Some("Dockerfile:3"));
    assert!(r.findings[3].suppressed);
    assert_eq!(r.findings[4].location.as_deref(), Some("Dockerfile:12"));
}

#[test]
fn trivy_modified_findings_count_unless_cleared() {
    let doc = |status: Value| {
        json!({
            "SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem",
            "Results": [{"Target": "Cargo.lock", "ModifiedFindings": [{
                "Type": "vulnerability", "Status": status, "Source": "vex.json",
                "Finding": {"VulnerabilityID": "CVE-2099-1", "PkgName": "p",
                            "InstalledVersion": "1", "Severity": "HIGH"}
            }]}]
        })
    };
    for cleared in ["ignored", "not_affected", "fixed"] {
        assert!(
            one(&doc(json!(cleared))).findings[0].suppressed,
            "{cleared}"
        );
    }
    for counts in [
        json!("under_investigation"),
        json!("affected"),
        json!("unknown"),
        json!("whatever"),
        Value::Null,
    ] {
        assert!(
            !one(&doc(counts.clone())).findings[0].suppressed,
            "{counts}"
        );
    }
}

#[test]
fn trivy_repository_scan_binds_the_commit() {
    let r = one(&json!({
        "SchemaVersion": 2,
        "ArtifactName": "https://github.com/o/r",
        "ArtifactType": "repository",
        "Metadata": {"RepoURL": "https://github.com/o/r", "Branch": "main", "Commit": COMMIT.to_uppercase()},
        "Results": []
    }));
    assert_eq!(
        r.scanned,
        vec![Scanned::Commit {
            sha: COMMIT.into(),
            repository: Some("https://github.com/o/r".into())
        }]
    );
    let r = one(&json!({"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem"}));
    assert_eq!(r.scanned, vec![Scanned::Named { name: ".".into() }]);
    // A filesystem scan of a work tree is not a scan of its HEAD commit.
    let r = one(&json!({
        "SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem",
        "Metadata": {"RepoURL": "https://github.com/o/r", "Commit": COMMIT}
    }));
    assert_eq!(r.scanned, vec![Scanned::Named { name: ".".into() }]);
    assert_eq!(r.deviations[0].at, "/Metadata/Commit");
    // An image scan without a digest binds nothing but its name.
    let r = one(
        &json!({"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image",
                        "Metadata": {"RepoTags": ["app:1"]}}),
    );
    assert_eq!(
        r.scanned,
        vec![Scanned::Named {
            name: "app:1".into()
        }]
    );
    assert_eq!(r.deviations[0].at, "/Metadata");
}

#[test]
fn trivy_refusals() {
    let mut bad = trivy_image();
    bad["Results"][0]["Vulnerabilities"][0]
        .as_object_mut()
        .unwrap()
        .remove("VulnerabilityID");
    refused(&bad);
    let mut bad = trivy_image();
    bad["Metadata"]["RepoDigests"] = json!(["alpine@sha256:1234"]);
    refused(&bad);
    let mut bad = trivy_image();
    bad["Metadata"]["ImageID"] = json!("961769676411");
    refused(&bad);
    let mut bad = trivy_image();
    bad["SchemaVersion"] = json!("2");
    refused(&bad);
    let mut bad = trivy_image();
    bad["Results"] = json!([1]);
    refused(&bad);
    refused(&json!({
        "SchemaVersion": 2, "ArtifactName": "r", "ArtifactType": "repository",
        "Metadata": {"Commit": "5ae342e"}
    }));
}

fn osv_cli() -> Value {
    json!({
        "results": [
            {
                "source": {"path": "/src/Cargo.lock", "type": "lockfile"},
                "packages": [{
                    "package": {"name": "regex", "version": "1.5.1", "ecosystem": "crates.io"},
                    "vulnerabilities": [
                        {"id": "GHSA-m5pq-gvj9-9vr8", "summary": "regex ReDoS",
                         "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
                         "database_specific": {"severity": "HIGH"}},
                        {"id": "RUSTSEC-2022-0013"},
                        {"id": "GHSA-xxxx-xxxx-xxxx", "database_specific": {"severity": "MODERATE"}},
                        {"id": "OSV-2024-1", "affected": [{"ecosystem_specific": {"severity": "LOW"}}]},
                        {"id": "GO-2024-0001"}
                    ],
                    "groups": [
                        {"ids": ["GHSA-m5pq-gvj9-9vr8", "RUSTSEC-2022-0013"], "max_severity": "7.5"},
                        {"ids": ["GHSA-xxxx-xxxx-xxxx", "GO-2024-0001"], "max_severity": ""}
                    ]
                }]
            },
            {
                "source": {"path": "/src/vendor/lib", "type": "git"},
                "packages": [{"package": {"commit": COMMIT}, "vulnerabilities": []}]
            }
        ],
        "experimental_config": {"licenses": {"summary": false}}
    })
}

#[test]
fn osv_scanner_cli_output() {
    let r = one(&osv_cli());
    assert_eq!((r.format, r.tool.as_str()), ("osv-scanner", "osv-scanner"));
    assert_eq!(
        r.scanned,
        vec![
            Scanned::Named {
                name: "/src/Cargo.lock".into()
            },
            Scanned::Commit {
                sha: COMMIT.into(),
                repository: None
            },
        ]
    );
    // GO-2024-0001 has no severity of its own: its alias group's.
    assert_eq!(
        severities(&r),
        [
            Severity::High,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Medium
        ]
    );
    assert_eq!(r.findings[0].cvss, Some(7.5));
    assert_eq!(r.findings[1].cvss, Some(7.5));
    assert_eq!(r.findings[0].location.as_deref(), Some("regex@1.5.1"));
    assert_eq!(r.findings[0].title.as_deref(), Some("regex ReDoS"));
    assert!(r.deviations.is_empty(), "{:?}", r.deviations);
}

#[test]
fn osv_scanner_dependency_commits_are_not_what_was_scanned() {
    let r = one(&json!({"results": [{
        "source": {"path": "/src/DEPS", "type": "lockfile"},
        "packages": [{"package": {"name": "https://example.com/dep", "commit": COMMIT}, "vulnerabilities": [{"id": "OSV-1"}]}]
    }]}));
    assert_eq!(
        r.scanned,
        vec![Scanned::Named {
            name: "/src/DEPS".into()
        }]
    );
    assert_eq!(
        r.findings[0].location.as_deref(),
        Some(format!("https://example.com/dep@{COMMIT}").as_str())
    );
}

#[test]
fn osv_scanner_empty_and_refusals() {
    let r = one(&json!({"results": []}));
    assert!(r.findings.is_empty() && r.scanned.is_empty());
    let mut bad = osv_cli();
    bad["results"][0]["packages"][0]["vulnerabilities"][0]
        .as_object_mut()
        .unwrap()
        .remove("id");
    refused(&bad);
    let mut bad = osv_cli();
    bad["results"][0]["packages"][0]["vulnerabilities"] = json!("GHSA");
    refused(&bad);
    let mut bad = osv_cli();
    bad["results"][0]["packages"][0]["vulnerabilities"][0]["severity"][0]["score"] = json!(null);
    refused(&bad);
    let mut bad = osv_cli();
    bad["results"][1]["source"] = json!("git");
    refused(&bad);
}

fn cargo_audit() -> Value {
    json!({
        "database": {"advisory-count": 1, "last-commit": COMMIT, "last-updated": "2024-01-01T00:00:00Z"},
        "lockfile": {"dependency-count": 3},
        "settings": {},
        "vulnerabilities": {"found": true, "count": 2, "list": [
            {
                "advisory": {"id": "RUSTSEC-2022-0013", "package": "regex", "title": "Regexes with large repetitions",
                             "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"},
                "versions": {"patched": [">=1.5.5"], "unaffected": []},
                "package": {"name": "regex", "version": "1.5.1"}
            },
            {
                "advisory": {"id": "RUSTSEC-2023-0001", "package": "x", "title": "t", "cvss": null},
                "package": {"name": "x", "version": "0.1.0"}
            }
        ]},
        "warnings": {
            "unmaintained": [{"kind": "unmaintained", "package": {"name": "ansi_term", "version": "0.12.1"},
                              "advisory": {"id": "RUSTSEC-2021-0139", "title": "ansi_term is Unmaintained"}}],
            "yanked": [{"kind": "yanked", "package": {"name": "y", "version": "1.0.0"}, "advisory": null}]
        }
    })
}

#[test]
fn cargo_audit_output() {
    let r = one(&cargo_audit());
    assert_eq!((r.format, r.tool.as_str()), ("cargo-audit", "cargo-audit"));
    assert_eq!(
        severities(&r),
        [
            Severity::High,
            Severity::Unknown,
            Severity::Low,
            Severity::Low
        ]
    );
    assert_eq!(r.findings[0].cvss, Some(7.5));
    assert_eq!(r.findings[0].location.as_deref(), Some("regex@1.5.1"));
    assert_eq!(r.findings[2].id, "RUSTSEC-2021-0139");
    assert_eq!(
        r.findings[2].title.as_deref(),
        Some("unmaintained: ansi_term is Unmaintained")
    );
    assert_eq!(
        (r.findings[3].id.as_str(), r.findings[3].title.as_deref()),
        ("yanked", Some("yanked"))
    );
    assert!(r.deviations.is_empty(), "{:?}", r.deviations);
}

#[test]
fn cargo_audit_v4_vector_is_unknown_with_a_deviation() {
    let mut v = cargo_audit();
    v["vulnerabilities"]["list"][0]["advisory"]["cvss"] =
        json!("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
    let r = one(&v);
    assert_eq!(r.findings[0].severity, Severity::Unknown);
    assert_eq!(r.deviations[0].at, "/vulnerabilities/list/0/advisory/cvss");
}

#[test]
fn cargo_audit_refusals() {
    let mut bad = cargo_audit();
    bad["vulnerabilities"]["list"] = json!(null);
    refused(&bad);
    let mut bad = cargo_audit();
    bad["vulnerabilities"]["list"][0]["advisory"]["id"] = json!(null);
    refused(&bad);
    let mut bad = cargo_audit();
    bad["warnings"]["yanked"] = json!({});
    refused(&bad);
    let mut bad = cargo_audit();
    bad["vulnerabilities"]["list"][0]["advisory"]["cvss"] = json!(9.8);
    refused(&bad);
}

fn npm_v2() -> Value {
    json!({
        "auditReportVersion": 2,
        "vulnerabilities": {
            "minimist": {
                "name": "minimist", "severity": "critical", "isDirect": false,
                "via": [{"source": 1097678, "name": "minimist", "dependency": "minimist",
                         "title": "Prototype Pollution in minimist", "url": "https://github.com/advisories/GHSA-xvch-5gv4-984h",
                         "severity": "critical", "cvss": {"score": 9.8, "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
                         "range": "<0.2.4"}],
                "effects": ["mkdirp"], "range": "<=0.2.3", "nodes": ["node_modules/minimist"], "fixAvailable": true
            },
            "mkdirp": {
                "name": "mkdirp", "severity": "moderate", "isDirect": true, "via": ["minimist"],
                "effects": [], "range": "0.4.1 - 0.5.1", "nodes": ["node_modules/mkdirp"],
                "fixAvailable": {"name": "mkdirp", "version": "0.5.6", "isSemVerMajor": false}
            }
        },
        "metadata": {"vulnerabilities": {"info": 0, "low": 0, "moderate": 1, "high": 0, "critical": 1, "total": 2}}
    })
}

#[test]
fn npm_audit_v2() {
    let r = one(&npm_v2());
    assert_eq!((r.format, r.tool.as_str()), ("npm-audit", "npm-audit"));
    let f = &r.findings[0];
    assert_eq!(
        (f.id.as_str(), f.severity, f.cvss, f.location.as_deref()),
        (
            "GHSA-xvch-5gv4-984h",
            Severity::Critical,
            Some(9.8),
            Some("minimist@<=0.2.3")
        )
    );
    let f = &r.findings[1];
    assert_eq!(
        (f.id.as_str(), f.severity),
        ("via:minimist", Severity::Medium)
    );
    assert!(r.deviations.is_empty(), "{:?}", r.deviations);
    let mut v = npm_v2();
    v["metadata"]["vulnerabilities"]["total"] = json!(3);
    assert_eq!(one(&v).deviations[0].at, "/metadata/vulnerabilities/total");
}

#[test]
fn npm_audit_v1() {
    let r = one(&json!({
        "actions": [],
        "advisories": {"1179": {
            "id": 1179, "module_name": "minimist", "severity": "low", "title": "Prototype Pollution",
            "url": "https://npmjs.com/advisories/1179", "cves": [], "findings": [{"version": "0.0.8", "paths": ["mkdirp>minimist"]}]
        }},
        "muted": [],
        "metadata": {"vulnerabilities": {"info": 0, "low": 1, "moderate": 0, "high": 0, "critical": 0}}
    }));
    let f = &r.findings[0];
    assert_eq!(
        (f.id.as_str(), f.severity, f.location.as_deref()),
        ("npm:1179", Severity::Low, Some("minimist@0.0.8"))
    );
}

#[test]
fn npm_audit_refusals() {
    let mut bad = npm_v2();
    bad["vulnerabilities"]["minimist"]["severity"] = json!(null);
    refused(&bad);
    let mut bad = npm_v2();
    bad["vulnerabilities"]["mkdirp"]["via"] = json!([]);
    refused(&bad);
    let mut bad = npm_v2();
    bad["vulnerabilities"]["mkdirp"]["via"] = json!([1]);
    refused(&bad);
    let mut bad = npm_v2();
    bad["auditReportVersion"] = json!("2");
    refused(&bad);
    let mut bad = npm_v2();
    bad["vulnerabilities"] = json!([]);
    refused(&bad);
}

fn dependency_check() -> Value {
    json!({
        "reportSchema": "1.1",
        "scanInfo": {"engineVersion": "9.0.9", "dataSource": []},
        "projectInfo": {"name": "app", "reportDate": "2024-01-10T08:00:00.000Z"},
        "dependencies": [
            {"fileName": "log4j-core-2.14.1.jar", "packages": [{"id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],
             "vulnerabilities": [{"source": "NVD", "name": "CVE-2021-44228", "severity": "CRITICAL", "cvssv3": {"baseScore": 10.0}},
                                 {"source": "OSSINDEX", "name": "CVE-2021-45046", "cvssv3": {"baseScore": 9.0}}],
             "suppressedVulnerabilities": [{"name": "CVE-2021-44832", "severity": "MEDIUM"}]},
            {"fileName": "clean.jar"}
        ]
    })
}

#[test]
fn dependency_check_report() {
    let r = one(&dependency_check());
    assert_eq!(
        (r.format, r.tool.as_str()),
        ("dependency-check", "dependency-check")
    );
    assert_eq!(r.tool_version.as_deref(), Some("9.0.9"));
    assert_eq!(r.finished.as_deref(), Some("2024-01-10T08:00:00.000Z"));
    assert_eq!(r.scanned, vec![Scanned::Named { name: "app".into() }]);
    assert_eq!(
        severities(&r),
        [Severity::Critical, Severity::Critical, Severity::Medium]
    );
    assert_eq!(
        r.findings[0].location.as_deref(),
        Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
    );
    assert!(r.findings[2].suppressed);
    let mut bad = dependency_check();
    bad["dependencies"][0]["vulnerabilities"][0]["name"] = json!(1);
    refused(&bad);
    let mut bad = dependency_check();
    bad["dependencies"] = json!({});
    refused(&bad);
}

fn vulns_statement() -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [
            {"name": "https://github.com/o/r", "digest": {"gitCommit": COMMIT}},
            {"name": "foo.jar", "digest": {"sha256": HEX_A, "md5": "d41d8cd98f00b204e9800998ecf8427e"}}
        ],
        "predicateType": "https://in-toto.io/attestation/vulns/v0.2",
        "predicate": {
            "scanner": {
                "uri": "pkg:github/aquasecurity/trivy@244fd47e07d1004f0aed9",
                "version": "0.19.2",
                "db": {"uri": "pkg:github/aquasecurity/trivy-db/commit/4c76bb5", "version": "v1-2021080612", "lastUpdate": "2021-08-06T17:45:50.52Z"},
                "result": [
                    {"id": "CVE-123", "severity": [{"method": "nvd", "score": "medium"}, {"method": "cvss_score", "score": "7.2"}]},
                    {"vulnerability": {"id": "CVE-456", "severity": [{"type": "cvss_v3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}},
                    {"id": "CVE-789", "severity": []}
                ]
            },
            "metadata": {"scanStartedOn": "2021-08-06T17:45:50.52Z", "scanFinishedOn": "2021-08-06T17:50:50.52Z"}
        }
    })
}

#[test]
fn in_toto_vulns_statement() {
    let r = one(&vulns_statement());
    assert_eq!((r.format, r.tool.as_str()), ("in-toto-vulns", "trivy"));
    assert_eq!(r.tool_version.as_deref(), Some("0.19.2"));
    assert_eq!(
        (r.started.as_deref(), r.finished.as_deref()),
        (
            Some("2021-08-06T17:45:50.52Z"),
            Some("2021-08-06T17:50:50.52Z")
        )
    );
    assert_eq!(
        r.scanned,
        vec![
            Scanned::Commit {
                sha: COMMIT.into(),
                repository: Some("https://github.com/o/r".into())
            },
            digest(HEX_A, "foo.jar"),
        ]
    );
    assert_eq!(
        severities(&r),
        [Severity::High, Severity::Critical, Severity::Unknown]
    );
    assert_eq!(r.findings[0].cvss, Some(7.2));
    assert_eq!(r.findings[1].cvss, Some(9.8));
}

#[test]
fn in_toto_vulns_bare_predicate() {
    let r = one(&vulns_statement()["predicate"]);
    assert!(r.scanned.is_empty());
    assert_eq!(r.findings.len(), 3);
}

#[test]
fn cosign_vuln_predicate_reads_the_embedded_report() {
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://cosign.sigstore.dev/attestation/vuln/v1",
        "subject": [{"name": "ghcr.io/o/app", "digest": {"sha256": HEX_B}}],
        "predicate": {
            "invocation": {"parameters": null, "uri": "", "event_id": "", "builder.id": ""},
            "scanner": {"uri": "https://github.com/aquasecurity/trivy", "version": "0.50.1",
                        "db": {"uri": "", "version": ""}, "result": trivy_image()},
            "metadata": {"scanStartedOn": "0001-01-01T00:00:00Z", "scanFinishedOn": "2024-03-04T05:06:08Z"}
        }
    });
    let r = one(&statement);
    assert_eq!((r.format, r.tool.as_str()), ("in-toto-vulns", "trivy"));
    assert_eq!(r.started, None);
    assert_eq!(r.finished.as_deref(), Some("2024-03-04T05:06:08Z"));
    assert_eq!(
        r.scanned,
        vec![
            digest(HEX_B, "ghcr.io/o/app"),
            reference(HEX_A, "alpine"),
            config(HEX_C, "alpine:3.19"),
        ]
    );
    assert_eq!(r.findings.len(), 5);

    let mut grype = statement.clone();
    grype["predicate"]["scanner"]["result"] = grype_image();
    let r = one(&grype);
    assert_eq!((r.tool.as_str(), r.findings.len()), ("grype", 4));

    // An embedded report that is malformed points into the predicate.
    let mut bad = statement.clone();
    bad["predicate"]["scanner"]["result"]["Results"] = json!([1]);
    match refused(&bad) {
        GateError::Field { format, at, .. } => {
            assert_eq!(
                (format, at.as_str()),
                ("trivy", "/predicate/scanner/result/Results/0")
            );
        }
        e => panic!("{e}"),
    }
    // An embedded report provenant cannot read is refused, never read as "no findings".
    let mut unknown = statement.clone();
    unknown["predicate"]["scanner"]["result"] = json!({"vulns": [{"id": "CVE-1"}]});
    refused(&unknown);
    let mut missing = statement;
    missing["predicate"]["scanner"]["result"] = json!(null);
    refused(&missing);
}

#[test]
fn in_toto_vulns_refusals() {
    let mut bad = vulns_statement();
    bad["subject"][0]["digest"]["gitCommit"] = json!("5ae342e");
    refused(&bad);
    let mut bad = vulns_statement();
    bad["subject"][1]["digest"]["sha256"] = json!("abc");
    refused(&bad);
    let mut bad = vulns_statement();
    bad["predicate"]["scanner"]["result"][0]["severity"][1]["score"] = json!("12.5");
    refused(&bad);
    let mut bad = vulns_statement();
    bad["predicate"]["scanner"]["result"][2] = json!({"severity": []});
    refused(&bad);
    let mut bad = vulns_statement();
    bad.as_object_mut().unwrap().remove("predicate");
    refused(&bad);
}

#[test]
fn other_statements_are_left_to_other_readers() {
    let mut v = vulns_statement();
    v["predicateType"] = json!("https://in-toto.io/attestation/test-result/v0.1");
    assert!(detect(&v).is_none());
}

#[test]
fn parse_gate_reaches_these_readers() {
    let bytes = serde_json::to_vec(&cargo_audit()).unwrap();
    let reports = parse_gate(&bytes).unwrap();
    assert_eq!(reports[0].format, "cargo-audit");
}

/// Arbitrary JSON built from pieces of real shapes never panics a reader.
#[test]
fn mutated_documents_never_panic() {
    let docs = [
        grype_image(),
        trivy_image(),
        osv_cli(),
        cargo_audit(),
        npm_v2(),
        dependency_check(),
        vulns_statement(),
    ];
    let replacements = [
        json!(null),
        json!(0),
        json!(-1),
        json!(1e300),
        json!(""),
        json!("é"),
        json!([]),
        json!({}),
        json!([null]),
        json!(true),
    ];
    for doc in &docs {
        let mut paths = Vec::new();
        collect_paths(doc, String::new(), &mut paths);
        for path in &paths {
            for rep in &replacements {
                let mut v = doc.clone();
                *v.pointer_mut(path).unwrap() = rep.clone();
                let _ = detect(&v);
            }
        }
    }
}

fn collect_paths(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                collect_paths(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                collect_paths(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}
