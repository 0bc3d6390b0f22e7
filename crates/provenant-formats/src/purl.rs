//! Package URLs (`pkg:type/namespace/name@version?qualifiers#subpath`), parsed as the purl
//! specification says: split into components FIRST, percent-decode each component AFTER, so an
//! encoded separator (`%40` in a name, `%26` in a qualifier value) is never a separator.

/// A parsed package URL; every component percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// The type (`npm`, `oci`, `maven`, ...), lowercased.
    pub ty: String,
    /// The namespace segments (`@scope` for npm, a group id for maven), each decoded.
    pub namespace: Vec<String>,
    /// The name.
    pub name: String,
    /// The version, when given.
    pub version: Option<String>,
    /// The qualifiers, keys lowercased, in the order written.
    pub qualifiers: Vec<(String, String)>,
    /// The subpath, when given.
    pub subpath: Option<String>,
}

/// Why a string is not a package URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PurlError {
    /// No `pkg:` scheme.
    #[error("not a package URL (no pkg: scheme)")]
    Scheme,
    /// No type, or no name.
    #[error("a package URL needs a type and a name")]
    Incomplete,
    /// A `%` not followed by two hex digits, or a component that is not UTF-8 once decoded.
    #[error("bad percent-encoding in a package URL")]
    Encoding,
}

impl Purl {
    /// The qualifier `key` (lowercase), when present.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `pkg:type/namespace/name`, decoded: the package's identity across versions.
    pub fn identity(&self) -> String {
        let mut out = format!("pkg:{}/", self.ty);
        for n in &self.namespace {
            out.push_str(n);
            out.push('/');
        }
        out.push_str(&self.name);
        out
    }
}

/// Percent-decode one component.
fn decode(s: &str) -> Result<String, PurlError> {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) else {
                return Err(PurlError::Encoding);
            };
            // Two hex digits are one byte (h, l < 16).
            out.push(u8::try_from(h * 16 + l).map_err(|_| PurlError::Encoding)?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PurlError::Encoding)
}

/// Parse a package URL (the purl specification's parsing rules).
pub fn parse_purl(s: &str) -> Result<Purl, PurlError> {
    let s = s.trim();
    // Subpath: after the last '#'.
    let (rest, subpath) = match s.rsplit_once('#') {
        Some((r, sp)) => {
            let segs: Vec<String> = sp
                .split('/')
                .filter(|x| !x.is_empty() && *x != "." && *x != "..")
                .map(decode)
                .collect::<Result<_, _>>()?;
            (r, (!segs.is_empty()).then(|| segs.join("/")))
        }
        None => (s, None),
    };
    // Qualifiers: after the last '?'.
    let (rest, qualifiers) = match rest.rsplit_once('?') {
        Some((r, q)) => {
            let mut list = Vec::new();
            for pair in q.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let v = decode(v)?;
                if !v.is_empty() {
                    list.push((k.to_ascii_lowercase(), v));
                }
            }
            (r, list)
        }
        None => (rest, Vec::new()),
    };
    let (scheme, rest) = rest.split_once(':').ok_or(PurlError::Scheme)?;
    if !scheme.eq_ignore_ascii_case("pkg") {
        return Err(PurlError::Scheme);
    }
    let rest = rest.trim_matches('/');
    let (ty, rest) = rest.split_once('/').ok_or(PurlError::Incomplete)?;
    if ty.is_empty() {
        return Err(PurlError::Incomplete);
    }
    // Version: after the last '@' (an encoded %40 is not one).
    let (rest, version) = match rest.rsplit_once('@') {
        Some((r, v)) => (r, Some(decode(v)?).filter(|v| !v.is_empty())),
        None => (rest, None),
    };
    let rest = rest.trim_end_matches('/');
    let (namespace, name) = match rest.rsplit_once('/') {
        Some((ns, n)) => (
            ns.split('/')
                .filter(|x| !x.is_empty())
                .map(decode)
                .collect::<Result<Vec<_>, _>>()?,
            n,
        ),
        None => (Vec::new(), rest),
    };
    let name = decode(name)?;
    if name.is_empty() {
        return Err(PurlError::Incomplete);
    }
    Ok(Purl {
        ty: ty.to_ascii_lowercase(),
        namespace,
        name,
        version,
        qualifiers,
        subpath,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_split_before_they_are_decoded() {
        let p = parse_purl("pkg:npm/%40scope/pkg@1.0.0").unwrap();
        assert_eq!(p.namespace, ["@scope"]);
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("pkg", Some("1.0.0"))
        );
        // %40 in a name is never a version separator.
        let p = parse_purl("pkg:oci/app%40sha256%3Aabcd").unwrap();
        assert_eq!((p.name.as_str(), p.version), ("app@sha256:abcd", None));
        let p = parse_purl(
            "pkg:oci/app@sha256%3AABCD?repository_url=r%26digest%3Dx&digest=sha512:ef#sub/path",
        )
        .unwrap();
        assert_eq!(p.version.as_deref(), Some("sha256:ABCD"));
        assert_eq!(p.qualifier("repository_url"), Some("r&digest=x"));
        assert_eq!(p.qualifier("digest"), Some("sha512:ef"));
        assert_eq!(p.subpath.as_deref(), Some("sub/path"));
        assert_eq!(p.identity(), "pkg:oci/app");
        let p = parse_purl("pkg:maven/org.apache/log4j-core@2.14.1").unwrap();
        assert_eq!(p.identity(), "pkg:maven/org.apache/log4j-core");
    }

    #[test]
    fn not_purls() {
        for bad in [
            "",
            "pkg:",
            "pkg:@",
            "npm/a@1",
            "pkg:npm/",
            "pkg:/a",
            "pkg:npm/a%4",
            "pkg:npm/%ff",
        ] {
            assert!(parse_purl(bad).is_err(), "{bad}");
        }
    }
}
