//! OCI image layouts (a directory with `oci-layout`, `index.json` and `blobs/<alg>/<hex>`) and
//! docker archives (`docker save` tarballs; docker 25 and later write an OCI layout inside).
//!
//! A tarball is indexed once (entry names, offsets and sizes); blobs are read from it on demand,
//! bounded, so a large image is never held in memory.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use provenant_formats::oci::{
    parse_manifest, Descriptor, Manifest, ANN_REF_NAME, MAX_DESCRIPTORS, MAX_MANIFEST_BYTES,
};
use provenant_model::Digest;

use crate::reference::Selector;
use crate::registry::ReferrersAnswer;
use crate::store::{check_digest, Fetched};
use crate::CollectError;

/// Most entries indexed in a docker archive.
pub const MAX_ARCHIVE_ENTRIES: usize = 100_000;

#[derive(Debug)]
enum Root {
    Dir(PathBuf),
    Archive {
        file: PathBuf,
        /// entry path -> (offset of its data, size)
        entries: HashMap<String, (u64, u64)>,
    },
}

/// An OCI layout, on disk or inside a docker archive.
#[derive(Debug)]
pub struct LayoutStore {
    root: Root,
    index: Manifest,
    location: String,
}

fn invalid(what: &str, e: impl std::fmt::Display) -> CollectError {
    CollectError::Invalid(format!("{what}: {e}"))
}

impl LayoutStore {
    /// Open an OCI layout directory.
    pub fn open_dir(dir: &Path) -> Result<Self, CollectError> {
        let location = format!("oci-layout:{}", dir.display());
        if !dir.is_dir() {
            return Err(CollectError::NotFound(format!(
                "{location}: not a directory; an OCI layout is a directory holding oci-layout, index.json and blobs/"
            )));
        }
        let root = Root::Dir(dir.to_owned());
        Self::finish(root, location)
    }

    /// Open a docker archive (`docker save` output).
    pub fn open_archive(file: &Path) -> Result<Self, CollectError> {
        let location = format!("docker-archive:{}", file.display());
        let f = File::open(file)
            .map_err(|e| CollectError::NotFound(format!("{location}: cannot open: {e}")))?;
        let mut archive = tar::Archive::new(f);
        let mut entries = HashMap::new();
        let iter = archive
            .entries_with_seek()
            .map_err(|e| invalid(&location, format!("not a tar archive: {e}")))?;
        // Names as docker load and containerd read them: each raw name must already be in its
        // clean form (no `/` at the start, no `.`, `..` or empty component, so `./index.json`
        // and `x/../index.json` are refused rather than cleaned), and no two entries may have
        // the same name (which one a loader takes is theirs to decide, not ours).
        let mut seen = std::collections::HashSet::new();
        for entry in iter {
            let entry = entry.map_err(|e| invalid(&location, format!("not a tar archive: {e}")))?;
            if seen.len() >= MAX_ARCHIVE_ENTRIES {
                return Err(invalid(
                    &location,
                    format!("more than {MAX_ARCHIVE_ENTRIES} entries"),
                ));
            }
            let kind = entry.header().entry_type();
            let raw = entry
                .path()
                .map_err(|e| invalid(&location, format!("bad entry name: {e}")))?;
            let name =
                clean_entry_name(&raw, kind.is_dir()).map_err(|why| invalid(&location, why))?;
            if kind.is_dir() {
                continue;
            }
            if !seen.insert(name.clone()) {
                return Err(invalid(
                    &location,
                    format!(
                        "the entry {name:?} is in the archive twice; a loader could read either"
                    ),
                ));
            }
            if kind.is_symlink() || kind.is_hard_link() {
                // A loader that extracts the archive follows links; this reader does not. A link
                // standing for a file that is read here is refused; other links are never read.
                if is_read_here(&name) {
                    return Err(invalid(
                        &location,
                        format!("{name:?} is a link, not a file; docker save writes no links"),
                    ));
                }
                continue;
            }
            if !kind.is_file() {
                if is_read_here(&name) {
                    return Err(invalid(
                        &location,
                        format!("{name:?} is not a regular file"),
                    ));
                }
                continue;
            }
            entries.insert(name, (entry.raw_file_position(), entry.size()));
        }
        let root = Root::Archive {
            file: file.to_owned(),
            entries,
        };
        if let Root::Archive { entries, .. } = &root {
            if !entries.contains_key("index.json") {
                let why = if entries.contains_key("manifest.json") {
                    "it was written by docker before 25.0 and holds no OCI index, so it carries no manifest digest for a signature to bind to; save it with docker 25 or later, or copy the image to an OCI layout (skopeo copy … oci:DIR)"
                } else {
                    "it holds neither index.json nor manifest.json; is it a docker save tarball?"
                };
                return Err(invalid(&location, why));
            }
        }
        let me = Self::finish(root, location)?;
        me.check_docker_manifest()?;
        Ok(me)
    }

    /// `docker load` reads `manifest.json`; containerd's import reads `index.json`. Both must
    /// name the same images — each image `index.json` lists (or, for an index, one of its
    /// platform images in the archive) has an entry in `manifest.json` with exactly its config
    /// and its layers in order, and every `manifest.json` entry is such an image — or the
    /// image verified need not be the image loaded. An archive without `manifest.json` is an
    /// OCI layout tarball, read as containerd reads it (index.json alone).
    fn check_docker_manifest(&self) -> Result<(), CollectError> {
        let Some(bytes) = self
            .read_path("manifest.json", MAX_MANIFEST_BYTES)
            .map_err(|e| invalid(&self.location, format!("manifest.json: {e}")))?
        else {
            return Ok(());
        };
        let saved = provenant_formats::oci::parse_docker_save_manifest(&bytes)
            .map_err(|e| invalid(&self.location, format!("manifest.json: {e}")))?;
        let inconsistent = |why: String| {
            CollectError::Inconsistent(format!(
                "{}: manifest.json (what docker load reads) and index.json (what containerd reads) name different images: {why}",
                self.location
            ))
        };
        // What each manifest.json entry names, as digests.
        let mut named = Vec::new();
        for (i, e) in saved.iter().enumerate() {
            let config = blob_digest(&e.config).ok_or_else(|| {
                inconsistent(format!(
                    "entry {i}'s Config {:?} is not a blobs/<alg>/<hex> path",
                    e.config
                ))
            })?;
            let layers = e
                .layers
                .iter()
                .map(|l| {
                    blob_digest(l).ok_or_else(|| {
                        inconsistent(format!(
                            "entry {i}'s layer {l:?} is not a blobs/<alg>/<hex> path"
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            named.push((config, layers));
        }
        // The images index.json lists, each as the (config, layers) it may load as.
        let mut used = vec![false; named.len()];
        for entry in self.image_entries() {
            let forms = self.image_forms(&entry)?;
            let mut matched = false;
            for (k, n) in named.iter().enumerate() {
                if forms.contains(n) {
                    used[k] = true;
                    matched = true;
                }
            }
            if !matched {
                return Err(inconsistent(format!(
                    "manifest.json has no entry with the config and layers of {}",
                    entry.digest
                )));
            }
        }
        if let Some(k) = used.iter().position(|u| !u) {
            return Err(inconsistent(format!(
                "manifest.json entry {k} (config {}) is no image index.json lists",
                named[k].0
            )));
        }
        Ok(())
    }

    /// The entries of `index.json` that are images (not signatures or attestations stored
    /// beside them): the candidates [`LayoutStore::find`] picks from.
    fn image_entries(&self) -> Vec<Descriptor> {
        self.entries()
            .iter()
            .filter(|e| is_image_entry(e))
            .cloned()
            .collect()
    }

    /// The (config, layers) an `index.json` entry loads as: its own for an image manifest; for
    /// an index, those of each of its platform images present in the archive.
    fn image_forms(&self, entry: &Descriptor) -> Result<Vec<(Digest, Vec<Digest>)>, CollectError> {
        let read = |d: &Descriptor| -> Result<Option<Manifest>, CollectError> {
            let Some(f) = self.manifest(&Selector::Digest(d.digest.clone()))? else {
                return Ok(None);
            };
            parse_manifest(&f.bytes, Some(&d.media_type))
                .map(Some)
                .map_err(|e| invalid(&f.location, e))
        };
        let form = |m: &Manifest| match &m.kind {
            provenant_formats::oci::ManifestKind::Image { config, layers } => Some((
                config.digest.clone(),
                layers.iter().map(|l| l.digest.clone()).collect::<Vec<_>>(),
            )),
            provenant_formats::oci::ManifestKind::Index { .. } => None,
        };
        let Some(m) = read(entry)? else {
            return Err(CollectError::Invalid(format!(
                "{}: index.json lists {}, which is not in the archive",
                self.location, entry.digest
            )));
        };
        if let Some(f) = form(&m) {
            return Ok(vec![f]);
        }
        let mut out = Vec::new();
        for child in m.entries().iter().take(MAX_DESCRIPTORS) {
            if let Some(f) = read(child)?.as_ref().and_then(form) {
                out.push(f);
            }
        }
        Ok(out)
    }

    fn finish(root: Root, location: String) -> Result<Self, CollectError> {
        let mut me = Self {
            root,
            index: Manifest {
                media_type: String::new(),
                artifact_type: None,
                subject: None,
                annotations: Default::default(),
                kind: provenant_formats::oci::ManifestKind::Index { manifests: vec![] },
            },
            location,
        };
        if let Ok(Some(layout)) = me.read_path("oci-layout", 64 * 1024) {
            let v = provenant_formats::json::parse_strict(&layout)
                .map_err(|e| invalid(&me.location, format!("oci-layout: {e}")))?;
            if v.get("imageLayoutVersion")
                .and_then(|x| x.as_str())
                .is_none()
            {
                return Err(invalid(
                    &me.location,
                    "oci-layout has no imageLayoutVersion",
                ));
            }
        } else if matches!(me.root, Root::Dir(_)) {
            return Err(invalid(
                &me.location,
                "no oci-layout file: not an OCI image layout",
            ));
        }
        let bytes = me
            .read_path("index.json", MAX_MANIFEST_BYTES)
            .map_err(|e| invalid(&me.location, format!("index.json: {e}")))?
            .ok_or_else(|| invalid(&me.location, "no index.json: not an OCI image layout"))?;
        let index = parse_manifest(&bytes, None)
            .map_err(|e| invalid(&me.location, format!("index.json: {e}")))?;
        if !index.is_index() {
            return Err(invalid(&me.location, "index.json is not an image index"));
        }
        me.index = index;
        Ok(me)
    }

    /// `oci-layout:DIR` or `docker-archive:FILE`.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The entries of `index.json`.
    pub fn entries(&self) -> &[Descriptor] {
        self.index.entries()
    }

    /// The tags `index.json` names (`org.opencontainers.image.ref.name`).
    pub fn tags(&self) -> Vec<String> {
        self.entries()
            .iter()
            .filter_map(|d| d.annotation(ANN_REF_NAME).map(str::to_owned))
            .collect()
    }

    /// Read `rel` (bounded); `Ok(None)` when it is not there.
    fn read_path(&self, rel: &str, limit: u64) -> Result<Option<Vec<u8>>, String> {
        match &self.root {
            Root::Dir(dir) => {
                let p = dir.join(rel);
                let meta = match std::fs::symlink_metadata(&p) {
                    Ok(m) => m,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(format!("{rel}: {e}")),
                };
                if !meta.is_file() {
                    return Err(format!("{rel} is not a regular file"));
                }
                if meta.len() > limit {
                    return Err(format!(
                        "{rel} is {} bytes, over the {limit}-byte limit",
                        meta.len()
                    ));
                }
                let mut out = Vec::new();
                File::open(&p)
                    .and_then(|f| f.take(limit + 1).read_to_end(&mut out))
                    .map_err(|e| format!("{rel}: {e}"))?;
                if out.len() as u64 > limit {
                    return Err(format!("{rel} is over the {limit}-byte limit"));
                }
                Ok(Some(out))
            }
            Root::Archive { file, entries } => {
                let Some(&(off, size)) = entries.get(rel) else {
                    return Ok(None);
                };
                if size > limit {
                    return Err(format!(
                        "{rel} is {size} bytes, over the {limit}-byte limit"
                    ));
                }
                let mut f = File::open(file).map_err(|e| e.to_string())?;
                f.seek(SeekFrom::Start(off)).map_err(|e| e.to_string())?;
                let mut out = vec![0u8; size as usize];
                f.read_exact(&mut out).map_err(|e| format!("{rel}: {e}"))?;
                Ok(Some(out))
            }
        }
    }

    fn blob_path(d: &Digest) -> String {
        format!("blobs/{}/{}", d.algorithm().name(), d.hex())
    }

    /// Read a blob, bounded by `limit` and by the descriptor's size, checked against its digest.
    pub fn blob(&self, desc: &Descriptor, limit: u64) -> Result<Vec<u8>, CollectError> {
        let what = format!("blob {}@{}", self.location, desc.digest);
        if desc.size > limit {
            return Err(CollectError::Invalid(format!(
                "{what} is declared {} bytes, over the {limit}-byte limit",
                desc.size
            )));
        }
        let bytes = self
            .read_path(&Self::blob_path(&desc.digest), desc.size)
            .map_err(|e| CollectError::Invalid(format!("{what}: {e}")))?
            .ok_or_else(|| CollectError::NotFound(format!("{what} is not in the layout")))?;
        if bytes.len() as u64 != desc.size {
            return Err(CollectError::Invalid(format!(
                "{what} is {} bytes, but its descriptor says {}",
                bytes.len(),
                desc.size
            )));
        }
        check_digest(&bytes, &desc.digest, &what)?;
        Ok(bytes)
    }

    /// The index entry for a selector: a tag (`org.opencontainers.image.ref.name`, equal or
    /// after the last ':'), a digest, or — with no selector — the only entry.
    pub fn find(&self, selector: Option<&Selector>) -> Result<Descriptor, CollectError> {
        let entries = self.entries();
        let pick = |ds: Vec<&Descriptor>, what: String| -> Result<Descriptor, CollectError> {
            match ds.as_slice() {
                [one] => Ok((*one).clone()),
                [] => Err(CollectError::NotFound(format!(
                    "{}: no image {what}",
                    self.location
                ))),
                many => {
                    // The same manifest listed twice is one image.
                    if many.iter().all(|d| d.digest == many[0].digest) {
                        Ok(many[0].clone())
                    } else {
                        Err(CollectError::Usage(format!(
                            "{}: {what} names {} different images; pick one with @sha256:<hex>",
                            self.location,
                            many.len()
                        )))
                    }
                }
            }
        };
        match selector {
            Some(Selector::Digest(d)) => {
                if let Some(e) = entries.iter().find(|e| &e.digest == d) {
                    return Ok(e.clone());
                }
                // Not listed in index.json but present as a blob (a platform manifest).
                Err(CollectError::NotFound(format!(
                    "{}: index.json does not list {d}",
                    self.location
                )))
            }
            Some(Selector::Tag(t)) => pick(
                entries
                    .iter()
                    .filter(|e| {
                        e.annotation(ANN_REF_NAME).is_some_and(|n| {
                            n == t || n.rsplit_once(':').is_some_and(|(_, tag)| tag == t)
                        }) || e
                            .annotation("io.containerd.image.name")
                            .is_some_and(|n| n.rsplit_once(':').is_some_and(|(_, tag)| tag == t))
                    })
                    .collect(),
                format!("tagged {t:?}"),
            ),
            None => {
                // Signature and attestation manifests stored beside the image are not candidates.
                let images: Vec<&Descriptor> =
                    entries.iter().filter(|e| is_image_entry(e)).collect();
                pick(
                    images,
                    "to choose (add :tag or @sha256:<hex> to the reference)".into(),
                )
                .map_err(|e| match e {
                    CollectError::Usage(_) => CollectError::Usage(format!(
                        "{} holds several images ({}); pick one with :tag or @sha256:<hex>",
                        self.location,
                        self.tags().join(", ")
                    )),
                    other => other,
                })
            }
        }
    }

    /// A manifest by tag or digest. By digest, any manifest blob in the layout is found, not only
    /// those `index.json` lists.
    pub fn manifest(&self, selector: &Selector) -> Result<Option<Fetched>, CollectError> {
        let (digest, media_type) = match selector {
            Selector::Digest(d) => {
                let mt = self
                    .entries()
                    .iter()
                    .find(|e| &e.digest == d)
                    .map(|e| e.media_type.clone());
                (d.clone(), mt)
            }
            Selector::Tag(_) => match self.find(Some(selector)) {
                Ok(e) => (e.digest, Some(e.media_type)),
                Err(CollectError::NotFound(_)) => return Ok(None),
                Err(e) => return Err(e),
            },
        };
        let what = format!("manifest {}@{digest}", self.location);
        let bytes = match self.read_path(&Self::blob_path(&digest), MAX_MANIFEST_BYTES) {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(None),
            Err(e) => return Err(CollectError::Invalid(format!("{what}: {e}"))),
        };
        check_digest(&bytes, &digest, &what)?;
        Ok(Some(Fetched {
            digest,
            bytes,
            media_type,
            location: what,
        }))
    }

    /// Referrers in a layout: the manifests `index.json` lists whose `subject` is `digest`.
    pub fn referrers(&self, digest: &Digest) -> Result<ReferrersAnswer, CollectError> {
        let mut out = Vec::new();
        for e in self.entries().iter().take(MAX_DESCRIPTORS) {
            if e.media_type != provenant_formats::oci::OCI_MANIFEST
                && e.media_type != provenant_formats::oci::OCI_INDEX
            {
                continue;
            }
            let Ok(Some(f)) = self.manifest(&Selector::Digest(e.digest.clone())) else {
                continue;
            };
            let Ok(m) = parse_manifest(&f.bytes, Some(&e.media_type)) else {
                continue;
            };
            if m.subject.as_ref().is_some_and(|s| &s.digest == digest) {
                let mut d = e.clone();
                if d.artifact_type.is_none() {
                    d.artifact_type = m.effective_artifact_type().map(str::to_owned);
                }
                out.push(d);
            }
        }
        Ok(ReferrersAnswer::Listed(out))
    }
}

/// An `index.json` entry that is an image, not a signature or attestation stored beside one.
fn is_image_entry(e: &Descriptor) -> bool {
    !e.annotation(ANN_REF_NAME)
        .is_some_and(|n| n.starts_with("sha256-") || n.starts_with("sha512-"))
        && e.artifact_type.is_none()
}

/// Whether this reader reads an archive entry of that name.
fn is_read_here(name: &str) -> bool {
    matches!(name, "index.json" | "manifest.json" | "oci-layout") || name.starts_with("blobs/")
}

/// `blobs/<alg>/<hex>` as a digest.
fn blob_digest(path: &str) -> Option<Digest> {
    let rest = path.strip_prefix("blobs/")?;
    let (alg, hex) = rest.split_once('/')?;
    provenant_formats::oci::parse_oci_digest(&format!("{alg}:{hex}")).ok()
}

/// A tar entry's name, which must already be clean: relative, UTF-8, no `.`, `..` or empty
/// component (a directory may end in one `/`).
fn clean_entry_name(raw: &Path, dir: bool) -> Result<String, String> {
    let text = raw
        .to_str()
        .ok_or_else(|| format!("the entry name {raw:?} is not UTF-8"))?;
    let body = if dir {
        text.strip_suffix('/').unwrap_or(text)
    } else {
        text
    };
    let clean = !body.is_empty()
        && !body.starts_with('/')
        && body
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".." && !c.contains('\\'));
    if !clean {
        return Err(format!(
            "the entry name {text:?} is not in its clean form (absolute, or with a ., .., empty or backslashed component); loaders may read it as another file"
        ));
    }
    Ok(body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_must_be_clean() {
        for ok in ["index.json", "blobs/sha256/ab", "a/b/c"] {
            assert_eq!(clean_entry_name(Path::new(ok), false).as_deref(), Ok(ok));
        }
        assert_eq!(
            clean_entry_name(Path::new("blobs/"), true).as_deref(),
            Ok("blobs")
        );
        for bad in [
            "/index.json",
            "./index.json",
            "x/../index.json",
            "..",
            "blobs//sha256",
            "blobs/./x",
            "blobs/",
            "a\\b",
            "",
        ] {
            assert!(clean_entry_name(Path::new(bad), false).is_err(), "{bad}");
        }
        for bad in ["./", "/", "x/../"] {
            assert!(clean_entry_name(Path::new(bad), true).is_err(), "{bad}");
        }
    }

    #[test]
    fn blob_paths_as_digests() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert!(blob_digest(&format!("blobs/sha256/{hex}")).is_some());
        for bad in [
            format!("{hex}.json"),
            format!("blobs/sha256/{hex}/layer.tar"),
            format!("./blobs/sha256/{hex}"),
            "blobs/sha256/xyz".to_owned(),
        ] {
            assert!(blob_digest(&bad).is_none(), "{bad}");
        }
    }
}
