//! Image references: `registry/repo[:tag][@digest]`, `oci-layout:<DIR>[:tag|@digest]`,
//! `docker-archive:<FILE>`.

use std::fmt;
use std::path::PathBuf;

use provenant_formats::oci::parse_oci_digest;
use provenant_model::Digest;

use crate::CollectError;

/// Docker Hub's registry host, for references with no registry.
pub const DOCKER_HUB: &str = "docker.io";
/// The host Docker Hub's API is served from.
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// A tag or a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// A tag: mutable, resolved once to a digest.
    Tag(String),
    /// A digest: immutable.
    Digest(Digest),
}

/// An image in a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRef {
    /// `host[:port]` as written (`docker.io` when none was).
    pub registry: String,
    /// Repository path (`library/alpine`).
    pub repository: String,
    /// The tag, when given.
    pub tag: Option<String>,
    /// The digest, when given (it wins over the tag).
    pub digest: Option<Digest>,
}

impl RegistryRef {
    /// The host the API is served from (`registry-1.docker.io` for Docker Hub).
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// Whether the registry is on this machine (plain HTTP is allowed there).
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.registry)
    }

    /// What to fetch first: the digest when given, else the tag (`latest` when neither).
    pub fn selector(&self) -> Selector {
        match (&self.digest, &self.tag) {
            (Some(d), _) => Selector::Digest(d.clone()),
            (None, Some(t)) => Selector::Tag(t.clone()),
            (None, None) => Selector::Tag("latest".into()),
        }
    }

    /// `registry/repository` (no tag or digest).
    pub fn repository_name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
}

impl fmt::Display for RegistryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// Whether `host[:port]` names this machine.
pub fn is_loopback_host(hostport: &str) -> bool {
    let host = if let Some(rest) = hostport.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        hostport.rsplit_once(':').map_or(hostport, |(h, _)| h)
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// An image in a registry.
    Registry(RegistryRef),
    /// An OCI image layout directory.
    Layout {
        /// The directory.
        dir: PathBuf,
        /// Which image in it (required when `index.json` lists more than one).
        selector: Option<Selector>,
    },
    /// A `docker save` tarball.
    DockerArchive {
        /// The file.
        file: PathBuf,
    },
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageRef::Registry(r) => write!(f, "{r}"),
            ImageRef::Layout { dir, selector } => {
                write!(f, "oci-layout:{}", dir.display())?;
                match selector {
                    Some(Selector::Tag(t)) => write!(f, ":{t}"),
                    Some(Selector::Digest(d)) => write!(f, "@{d}"),
                    None => Ok(()),
                }
            }
            ImageRef::DockerArchive { file } => write!(f, "docker-archive:{}", file.display()),
        }
    }
}

fn bad(input: &str, why: impl fmt::Display) -> CollectError {
    CollectError::Usage(format!("image reference {input:.200?}: {why}"))
}

fn valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn valid_path_component(c: &str) -> bool {
    // [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
    let b = c.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || c.is_ascii_lowercase() {
            i += 1;
            continue;
        }
        // a separator run
        let start = i;
        while i < b.len() && matches!(b[i], b'.' | b'_' | b'-') {
            i += 1;
        }
        let sep: &[u8] = &b[start..i];
        // An empty run is a character that is neither allowed nor a separator.
        let ok = !sep.is_empty()
            && (sep == b"." || sep == b"_" || sep == b"__" || sep.iter().all(|&x| x == b'-'));
        if !ok {
            return false;
        }
    }
    true
}

fn split_selector(s: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    // A tag is after the last ':' that follows the last '/'.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => (
            &rest[..last_slash + i],
            Some(&rest[last_slash + i + 1..]),
            digest,
        ),
        None => (rest, None, digest),
    }
}

/// Parse an image reference.
pub fn parse_image_ref(input: &str) -> Result<ImageRef, CollectError> {
    if let Some(rest) = input.strip_prefix("oci-layout:") {
        // The directory may contain ':' only when no selector follows; take the selector from
        // the end: `@sha256:…` or a final `:tag` that is a valid tag and not part of a path.
        let (dir, selector) = if let Some((d, dig)) = rest.rsplit_once('@') {
            let digest = parse_oci_digest(dig).map_err(|e| bad(input, e))?;
            (d, Some(Selector::Digest(digest)))
        } else if let Some((d, t)) = rest.rsplit_once(':') {
            if valid_tag(t) && !t.contains('/') {
                (d, Some(Selector::Tag(t.to_owned())))
            } else {
                (rest, None)
            }
        } else {
            (rest, None)
        };
        if dir.is_empty() {
            return Err(bad(
                input,
                "no directory; write oci-layout:<DIR>[:tag|@digest]",
            ));
        }
        return Ok(ImageRef::Layout {
            dir: PathBuf::from(dir),
            selector,
        });
    }
    if let Some(file) = input.strip_prefix("docker-archive:") {
        if file.is_empty() {
            return Err(bad(input, "no file; write docker-archive:<FILE>"));
        }
        return Ok(ImageRef::DockerArchive {
            file: PathBuf::from(file),
        });
    }
    if input.contains("://") {
        return Err(bad(
            input,
            "write the reference without a scheme (registry.example/repo:tag); plain HTTP is chosen by --allow-insecure-registry or a loopback host",
        ));
    }
    if input.len() > 4096 {
        return Err(bad(input, "longer than 4096 characters"));
    }
    let (name, tag, digest) = split_selector(input);
    let (registry, repository) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.')
                || first.contains(':')
                || first == "localhost"
                || first.starts_with('[') =>
        {
            (first.to_owned(), rest.to_owned())
        }
        _ => (DOCKER_HUB.to_owned(), name.to_owned()),
    };
    let repository = if registry == DOCKER_HUB && !repository.contains('/') {
        format!("library/{repository}")
    } else {
        repository
    };
    if repository.is_empty() || !repository.split('/').all(valid_path_component) {
        return Err(bad(
            input,
            "the repository must be lowercase letters, digits and . _ - separators",
        ));
    }
    if let Some(t) = tag {
        if !valid_tag(t) {
            return Err(bad(input, format!("{t:.140?} is not a valid tag")));
        }
    }
    let digest = match digest {
        Some(d) => Some(parse_oci_digest(d).map_err(|e| bad(input, e))?),
        None => None,
    };
    Ok(ImageRef::Registry(RegistryRef {
        registry,
        repository,
        tag: tag.map(str::to_owned),
        digest,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn reg(s: &str) -> RegistryRef {
        match parse_image_ref(s).unwrap() {
            ImageRef::Registry(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn registry_refs() {
        let r = reg("alpine");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("docker.io", "library/alpine")
        );
        assert_eq!(r.selector(), Selector::Tag("latest".into()));
        let r = reg("127.0.0.1:5000/app/web:v1");
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "app/web");
        assert_eq!(r.tag.as_deref(), Some("v1"));
        assert!(r.is_loopback());
        let r = reg(&format!("localhost:5000/app@sha256:{H}"));
        assert!(r.tag.is_none());
        assert_eq!(r.digest.unwrap().hex(), H);
        let r = reg(&format!("ghcr.io/o/r:t@sha256:{H}"));
        assert_eq!(r.tag.as_deref(), Some("t"));
        assert!(!r.is_loopback());
        assert!(is_loopback_host("[::1]:5000"));
        assert!(!is_loopback_host("127.0.0.1.evil.example:5000"));
    }

    #[test]
    fn refuses_bad_refs() {
        for s in [
            "https://ghcr.io/o/r",
            "ghcr.io/O/r",
            "ghcr.io/o/r:",
            "ghcr.io/o/r@sha256:abc",
            "ghcr.io/o//r",
            "ghcr.io/o/r:-bad",
            "ghcr.io/o/r$x",
            "ghcr.io/o/r@",
        ] {
            assert!(parse_image_ref(s).is_err(), "{s}");
        }
    }

    #[test]
    fn layout_and_archive() {
        assert_eq!(
            parse_image_ref("oci-layout:/tmp/x:v1").unwrap(),
            ImageRef::Layout {
                dir: "/tmp/x".into(),
                selector: Some(Selector::Tag("v1".into()))
            }
        );
        match parse_image_ref(&format!("oci-layout:./d@sha256:{H}")).unwrap() {
            ImageRef::Layout {
                selector: Some(Selector::Digest(_)),
                ..
            } => {}
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_image_ref("docker-archive:img.tar").unwrap(),
            ImageRef::DockerArchive { .. }
        ));
    }
}
