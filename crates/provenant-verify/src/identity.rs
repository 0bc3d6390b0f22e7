//! Who may have signed: exact strings or regexps anchored at both ends.

use regex::Regex;

/// Matches one certificate value (SAN or OIDC issuer).
#[derive(Debug, Clone)]
pub enum IdentityMatcher {
    /// Byte-for-byte equality.
    Exact(String),
    /// A regexp that must match the *whole* value.
    Regex {
        /// What the user wrote.
        source: String,
        /// The anchored form actually used.
        anchored: Regex,
    },
}

impl IdentityMatcher {
    /// An exact matcher.
    pub fn exact(value: impl Into<String>) -> Self {
        Self::Exact(value.into())
    }

    /// A regexp matcher, anchored at both ends whether or not the pattern was (`^(?:…)$`).
    ///
    /// cosign's `--certificate-identity-regexp` is unanchored: `release.yml` there also matches
    /// `release.yml.attacker.yml` in a sibling repository. provenant never does that.
    pub fn regex(pattern: &str) -> Result<Self, regex::Error> {
        let anchored = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(1 << 20)
            .build()?;
        Ok(Self::Regex {
            source: pattern.to_owned(),
            anchored,
        })
    }

    /// Whether `value` satisfies the matcher.
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Self::Exact(e) => e == value,
            Self::Regex { anchored, .. } => anchored.is_match(value),
        }
    }

    /// Whether the matcher accepts any value at all (`.*`, `.+`, ...): an explicit opt-out,
    /// which reports record. Judged by probing it with values no issuer or identity has.
    pub fn accepts_any(&self) -> bool {
        match self {
            Self::Exact(_) => false,
            Self::Regex { anchored, .. } => [
                "provenant-probe:any-value",
                "https://provenant.invalid/probe/\u{1}",
                "x",
            ]
            .iter()
            .all(|p| anchored.is_match(p)),
        }
    }

    /// How the matcher reads in a reason line.
    pub fn describe(&self) -> String {
        match self {
            // As written: a Debug string would double every backslash of a regexp.
            Self::Exact(e) => format!("\"{e}\""),
            Self::Regex { source, .. } => format!("regexp \"{source}\" (anchored)"),
        }
    }
}

/// The expected signer of a keyless signature.
#[derive(Debug, Clone, Default)]
pub struct IdentityPolicy {
    /// Expected SAN.
    pub identity: Option<IdentityMatcher>,
    /// Expected OIDC issuer.
    pub issuer: Option<IdentityMatcher>,
    /// Whether other policy (builder, signer workflow or repository, owner, source) names the
    /// signer, so that no `identity` does not leave the signature unconstrained.
    pub constrained_elsewhere: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexps_are_anchored() {
        let m =
            IdentityMatcher::regex("https://github.com/org/repo/.github/workflows/release.yml@.*")
                .unwrap();
        assert!(m.matches("https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1"));
        assert!(!m.matches(
            "https://github.com/org/repo-evil/.github/workflows/release.yml@refs/tags/v1"
        ));
        let m = IdentityMatcher::regex("https://github.com/org/repo/").unwrap();
        assert!(!m.matches("https://github.com/org/repo/.github/workflows/x.yml@refs/heads/main"));
        let m = IdentityMatcher::regex("^https://github.com/sigstore/").unwrap();
        assert!(
            !m.matches("https://github.com/sigstore/x"),
            "user anchors do not unanchor the end"
        );
        let m = IdentityMatcher::regex("a|b").unwrap();
        assert!(
            !m.matches("ab") && m.matches("a"),
            "alternation is grouped before anchoring"
        );
    }

    #[test]
    fn exact_is_exact() {
        let m = IdentityMatcher::exact("a@b.c");
        assert!(m.matches("a@b.c"));
        assert!(!m.matches("a@b.c.evil"));
        assert!(!m.matches("A@b.c"));
    }
}
