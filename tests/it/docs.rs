//! docs/checks.md is generated from the check codes and must not drift.

use crate::support::root;

#[test]
fn checks_md_matches_the_codes() {
    let path = root().join("docs/checks.md");
    let want = provenant_report::docs::checks_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/checks.md is stale: run `UPDATE_DOCS=1 cargo test --test it docs`"
    );
}

#[test]
fn audit_schema_md_matches_the_schema() {
    let path = root().join("docs/audit-schema.md");
    let want = provenant_audit::schema_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/audit-schema.md is stale: run `UPDATE_DOCS=1 cargo test --test it docs`"
    );
}
