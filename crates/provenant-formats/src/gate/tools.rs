//! Gate tool names as users write them: one table of the known tools, their aliases and the
//! kind of gate each one's reports are evidence of.
//!
//! `--require-gate dast:ZAP`, a policy's `tools: [Semgrep]` and a waiver's `tool` are matched
//! against the name a report gives itself (SARIF `tool.driver.name`, a scanner's own name), which
//! varies by tool version and output format: ZAP calls itself `ZAP`, `OWASP ZAP` or `zaproxy`,
//! Semgrep `Semgrep OSS` or `Semgrep PRO`. Names compare case-insensitively with blanks, `-` and
//! `_` ignored; two names of one tool in [`TOOLS`] are the same tool. README.md lists the table.

use super::GateKind;

/// One known tool: its name in reports and messages, every other name it goes by, and the kind
/// of gate its reports are evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownTool {
    /// The name provenant uses for it.
    pub name: &'static str,
    /// Other names it goes by (in reports or as users write it).
    pub aliases: &'static [&'static str],
    /// The gate its reports are evidence of, whatever their format (a grype SARIF log is SCA).
    pub kind: GateKind,
}

/// The known tools. Keep README.md's "Gate tool names" table in step (a test compares them).
pub const TOOLS: &[KnownTool] = &[
    KnownTool {
        name: "OWASP ZAP",
        aliases: &[
            "ZAP",
            "zaproxy",
            "Zed Attack Proxy",
            "OWASP Zed Attack Proxy",
            "ZAP by Checkmarx",
        ],
        kind: GateKind::Dast,
    },
    KnownTool {
        name: "CodeQL",
        aliases: &["GitHub CodeQL"],
        kind: GateKind::Sast,
    },
    KnownTool {
        name: "Semgrep",
        aliases: &[
            "Semgrep OSS",
            "Semgrep PRO",
            "Semgrep CE",
            "Semgrep Community Edition",
        ],
        kind: GateKind::Sast,
    },
    KnownTool {
        name: "Bandit",
        aliases: &[],
        kind: GateKind::Sast,
    },
    KnownTool {
        name: "gosec",
        aliases: &["Golang Security Checker"],
        kind: GateKind::Sast,
    },
    KnownTool {
        name: "Trivy",
        aliases: &[],
        kind: GateKind::Sca,
    },
    KnownTool {
        name: "Grype",
        aliases: &[],
        kind: GateKind::Sca,
    },
    KnownTool {
        name: "osv-scanner",
        aliases: &["OSV"],
        kind: GateKind::Sca,
    },
    KnownTool {
        name: "npm audit",
        aliases: &[],
        kind: GateKind::Sca,
    },
    KnownTool {
        name: "cargo-audit",
        aliases: &["RustSec"],
        kind: GateKind::Sca,
    },
    KnownTool {
        name: "dependency-check",
        aliases: &["OWASP Dependency-Check"],
        kind: GateKind::Sca,
    },
];

/// `name` folded for comparison: lower case, blanks, `-` and `_` dropped.
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The known tool `name` is a name of, if any.
pub fn known_tool(name: &str) -> Option<&'static KnownTool> {
    let folded = fold(name);
    if folded.is_empty() {
        return None;
    }
    TOOLS
        .iter()
        .find(|t| fold(t.name) == folded || t.aliases.iter().any(|a| fold(a) == folded))
}

/// Whether `a` and `b` name the same tool: equal once folded, or two names of one known tool.
/// An empty name matches nothing.
pub fn same_tool(a: &str, b: &str) -> bool {
    let (fa, fb) = (fold(a), fold(b));
    if fa.is_empty() || fb.is_empty() {
        return false;
    }
    fa == fb || known_tool(a).is_some_and(|t| known_tool(b).is_some_and(|u| std::ptr::eq(t, u)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_case_match_one_tool() {
        for (a, b) in [
            ("ZAP", "OWASP ZAP"),
            ("zap", "zaproxy"),
            ("owasp zap", "ZAP"),
            ("Semgrep OSS", "semgrep"),
            ("codeql", "CodeQL"),
            ("OSV-Scanner", "osv-scanner"),
            ("npm audit", "npm-audit"),
            ("cargo-audit", "Cargo Audit"),
            ("dependency-check", "OWASP Dependency-Check"),
            ("My Tool", "my-tool"),
        ] {
            assert!(same_tool(a, b), "{a} = {b}");
        }
        for (a, b) in [
            ("ZAP", "Semgrep"),
            ("Grype", "Trivy"),
            ("CodeQL", "CodeQL-evil"),
            ("", ""),
            ("semgrep", ""),
        ] {
            assert!(!same_tool(a, b), "{a} != {b}");
        }
    }

    #[test]
    fn every_name_belongs_to_one_tool() {
        let mut seen = std::collections::HashMap::new();
        for t in TOOLS {
            for n in std::iter::once(&t.name).chain(t.aliases) {
                assert_eq!(seen.insert(fold(n), t.name), None, "{n} is listed twice");
            }
        }
    }
}
