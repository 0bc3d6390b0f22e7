//! `docs/checks.md`, generated from [`CheckCode`] so documentation and code cannot drift.

use provenant_model::CheckCode;

/// The Markdown reference of every check code.
pub fn checks_markdown() -> String {
    let mut out = String::from(
        "# Check codes\n\n\
         Generated from `CheckCode` in `crates/provenant-model/src/check.rs` by\n\
         `UPDATE_DOCS=1 cargo test --test it docs`; a test fails when this file drifts.\n\n\
         Every check in a report has a stable kebab-case `code`, an `outcome`\n\
         (`pass`, `fail`, `warn`, `not-applicable`), a one-line `reason` and the `evidence` it used.\n\
         Passes have codes too, so a report says what was proven, not only what was not.\n\
         The verdict is `pass` only when no check failed and at least one passed.\n",
    );
    let mut group = "";
    for code in CheckCode::ALL {
        if code.group() != group {
            group = code.group();
            out.push_str(&format!("\n## {group}\n\n| code | meaning |\n|---|---|\n"));
        }
        out.push_str(&format!(
            "| `{}` | {} |\n",
            code.as_str(),
            code.description()
        ));
    }
    out
}
