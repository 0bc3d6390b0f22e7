//! SPDX 2 tag-value, read by hand into the JSON shape (with the line each field came from).
//!
//! Sections begin with `PackageName:`, `FileName:`, `SnippetSPDXID:`, `LicenseID:` and
//! `Annotator:`; a file that follows a package belongs to it (it is added to the package's
//! `hasFiles`, as tools-python adds a CONTAINS relationship). `<text>...</text>` values span
//! lines; `#` lines are comments.

use crate::limits::LimitExceeded;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{MAX_SPDX_PACKAGES, MAX_SPDX_RELATIONSHIPS, MAX_TAG_VALUE_LINE};
use crate::sbom::{Deviation, SbomError, Violation};

/// The section the last element tag opened.
#[derive(Clone, Copy)]
enum Scope {
    Document,
    Package(usize),
    File(usize),
    Snippet(usize),
    License(usize),
}

/// Where a tag's value goes.
enum Target {
    Doc(&'static str),
    Creation(&'static str),
    Package(&'static str),
    File(&'static str),
    Snippet(&'static str),
    License(&'static str),
    Annotation(&'static str),
}

/// Single-valued tags and where they go (list-valued and structured tags are handled apart).
fn target(tag: &str) -> Option<Target> {
    use Target::{Annotation, Creation, Doc, File, License, Package, Snippet};
    Some(match tag {
        "SPDXVersion" => Doc("spdxVersion"),
        "DataLicense" => Doc("dataLicense"),
        "DocumentName" => Doc("name"),
        "DocumentNamespace" => Doc("documentNamespace"),
        "DocumentComment" => Doc("comment"),
        "Created" => Creation("created"),
        "CreatorComment" => Creation("comment"),
        "LicenseListVersion" => Creation("licenseListVersion"),
        "PackageVersion" => Package("versionInfo"),
        "PackageFileName" => Package("packageFileName"),
        "PackageSupplier" => Package("supplier"),
        "PackageOriginator" => Package("originator"),
        "PackageDownloadLocation" => Package("downloadLocation"),
        "FilesAnalyzed" => Package("filesAnalyzed"),
        "PackageHomePage" => Package("homepage"),
        "PackageSourceInfo" => Package("sourceInfo"),
        "PackageLicenseConcluded" => Package("licenseConcluded"),
        "PackageLicenseDeclared" => Package("licenseDeclared"),
        "PackageLicenseComments" => Package("licenseComments"),
        "PackageCopyrightText" => Package("copyrightText"),
        "PackageSummary" => Package("summary"),
        "PackageDescription" => Package("description"),
        "PackageComment" => Package("comment"),
        "PrimaryPackagePurpose" => Package("primaryPackagePurpose"),
        "BuiltDate" => Package("builtDate"),
        "ReleaseDate" => Package("releaseDate"),
        "ValidUntilDate" => Package("validUntilDate"),
        "LicenseConcluded" => File("licenseConcluded"),
        "LicenseComments" => File("licenseComments"),
        "FileCopyrightText" => File("copyrightText"),
        "FileComment" => File("comment"),
        "FileNotice" => File("noticeText"),
        "SnippetName" => Snippet("name"),
        "SnippetComment" => Snippet("comment"),
        "SnippetCopyrightText" => Snippet("copyrightText"),
        "SnippetLicenseComments" => Snippet("licenseComments"),
        "SnippetFromFileSPDXID" => Snippet("snippetFromFile"),
        "SnippetLicenseConcluded" => Snippet("licenseConcluded"),
        "ExtractedText" => License("extractedText"),
        "LicenseName" => License("name"),
        "LicenseComment" => License("comment"),
        "AnnotationDate" => Annotation("annotationDate"),
        "AnnotationComment" => Annotation("comment"),
        "AnnotationType" => Annotation("annotationType"),
        "SPDXREF" => Annotation("spdxElementId"),
        _ => return None,
    })
}

/// List-valued tags: (section, JSON key).
fn list_target(tag: &str) -> Option<(&'static str, &'static str)> {
    Some(match tag {
        "PackageLicenseInfoFromFiles" => ("package", "licenseInfoFromFiles"),
        "PackageAttributionText" => ("package", "attributionTexts"),
        "FileType" => ("file", "fileTypes"),
        "LicenseInfoInFile" => ("file", "licenseInfoInFiles"),
        "FileContributor" => ("file", "fileContributors"),
        "FileAttributionText" => ("file", "attributionTexts"),
        "LicenseInfoInSnippet" => ("snippet", "licenseInfoInSnippets"),
        "SnippetAttributionText" => ("snippet", "attributionTexts"),
        "LicenseCrossReference" => ("license", "seeAlsos"),
        _ => return None,
    })
}

#[derive(Default)]
struct Builder {
    doc: Map<String, Value>,
    creation: Map<String, Value>,
    packages: Vec<Map<String, Value>>,
    files: Vec<Map<String, Value>>,
    snippets: Vec<Map<String, Value>>,
    licenses: Vec<Map<String, Value>>,
    annotations: Vec<Map<String, Value>>,
    relationships: Vec<Map<String, Value>>,
    external_docs: Vec<Value>,
    /// The package each file follows, if any (parallel to `files`).
    file_owner: Vec<Option<usize>>,
    lines: BTreeMap<String, usize>,
    /// Problems the reading found that a structural validator would report.
    problems: Vec<(usize, String)>,
}

impl Builder {
    /// The sections of one kind and their key in the JSON shape.
    fn sections(&mut self, which: &str) -> Option<(&mut Vec<Map<String, Value>>, &'static str)> {
        Some(match which {
            "package" => (&mut self.packages, "packages"),
            "file" => (&mut self.files, "files"),
            "snippet" => (&mut self.snippets, "snippets"),
            "license" => (&mut self.licenses, "hasExtractedLicensingInfos"),
            "annotation" => (&mut self.annotations, "annotations"),
            _ => return None,
        })
    }

    /// Section `i` of a kind, and its JSON pointer.
    fn section(&mut self, which: &str, i: usize) -> Option<(&mut Map<String, Value>, String)> {
        let (v, key) = self.sections(which)?;
        v.get_mut(i).map(|m| (m, format!("/{key}/{i}")))
    }

    /// Open a new section of a kind with its first field; returns its index.
    fn open(&mut self, which: &str, key: &str, value: String, n: usize) -> usize {
        let Some((v, name)) = self.sections(which) else {
            return 0;
        };
        let mut m = Map::new();
        m.insert(key.to_owned(), Value::String(value));
        v.push(m);
        let i = v.len() - 1;
        self.lines.insert(format!("/{name}/{i}"), n);
        self.lines.insert(format!("/{name}/{i}/{key}"), n);
        i
    }
}

/// Read tag-value text into the JSON shape and the line of each pointer.
pub(super) fn to_json_shape(
    text: &str,
    deviations: &mut Vec<Deviation>,
) -> Result<TagValueDoc, SbomError> {
    let mut b = Builder::default();
    let mut scope = Scope::Document;
    let mut last_annotation: Option<usize> = None;
    let mut last_relationship: Option<usize> = None;
    let mut last_external_ref: Option<(usize, usize)> = None;
    // Relationship lines without the colon: (first line, how many).
    let mut colonless: Option<(usize, usize)> = None;
    let mut lines = text.lines().enumerate();
    while let Some((i, raw)) = lines.next() {
        let n = i + 1;
        check_line(raw, n)?;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((tag, rest)) = line.split_once(':').filter(|(t, _)| is_tag(t)) else {
            if let Some(rel) = line.strip_prefix("Relationship ") {
                colonless.get_or_insert((n, 0)).1 += 1;
                relationship(&mut b, rel, n, &mut last_relationship)?;
            } else {
                b.problems.push((
                    n,
                    format!("line {n} is neither \"Tag: value\", a comment nor blank"),
                ));
            }
            continue;
        };
        let mut value = rest.trim().to_owned();
        if let Some(after) = value.strip_prefix("<text>") {
            let after = after.to_owned();
            value = read_text(&after, n, &mut lines, deviations)?;
        }
        let tag = tag.trim();
        match tag {
            "PackageName" => {
                if b.packages.len() >= MAX_SPDX_PACKAGES {
                    return Err(SbomError::Limit(LimitExceeded::Count {
                        format: None,
                        items: "packages in one SPDX document",
                        limit: MAX_SPDX_PACKAGES,
                    }));
                }
                scope = Scope::Package(b.open("package", "name", value, n));
            }
            "FileName" => {
                b.file_owner.push(b.packages.len().checked_sub(1));
                scope = Scope::File(b.open("file", "fileName", value, n));
            }
            "SnippetSPDXID" => {
                scope = Scope::Snippet(b.open("snippet", "SPDXID", value, n));
            }
            "LicenseID" => {
                scope = Scope::License(b.open("license", "licenseId", value, n));
            }
            "Annotator" => {
                last_annotation = Some(b.open("annotation", "annotator", value, n));
            }
            "Relationship" => relationship(&mut b, &value, n, &mut last_relationship)?,
            "RelationshipComment" => match last_relationship {
                Some(r) => {
                    if let Some(m) = b.relationships.get_mut(r) {
                        m.insert("comment".into(), Value::String(value));
                    }
                }
                None => b
                    .problems
                    .push((n, "RelationshipComment without a Relationship".into())),
            },
            "SPDXID" => {
                let (which, i) = match scope {
                    Scope::Document => {
                        set_doc(&mut b, "SPDXID", value, n);
                        continue;
                    }
                    Scope::Package(i) => ("package", i),
                    Scope::File(i) => ("file", i),
                    Scope::Snippet(_) | Scope::License(_) => {
                        b.problems.push((
                            n,
                            "SPDXID in a section that has none (snippets use SnippetSPDXID)".into(),
                        ));
                        continue;
                    }
                };
                set_in(&mut b, which, i, "SPDXID", Value::String(value), n);
            }
            "Creator" => {
                let k = b
                    .creation
                    .get("creators")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                b.lines.insert(format!("/creationInfo/creators/{k}"), n);
                push(&mut b.creation, "creators", Value::String(value));
            }
            "ExternalDocumentRef" => {
                let k = b.external_docs.len();
                b.lines.insert(format!("/externalDocumentRefs/{k}"), n);
                b.external_docs.push(external_document_ref(&value));
            }
            "PackageChecksum" | "FileChecksum" => {
                let (which, i) = match (tag, scope) {
                    ("PackageChecksum", Scope::Package(i)) => ("package", i),
                    ("FileChecksum", Scope::File(i)) => ("file", i),
                    _ => {
                        b.problems.push((n, format!("{tag} outside its section")));
                        continue;
                    }
                };
                push_in(&mut b, which, i, "checksums", checksum(&value), n);
            }
            "PackageVerificationCode" => match scope {
                Scope::Package(i) => set_in(
                    &mut b,
                    "package",
                    i,
                    "packageVerificationCode",
                    verification_code(&value),
                    n,
                ),
                _ => b
                    .problems
                    .push((n, format!("{tag} outside a package section"))),
            },
            "ExternalRef" => match scope {
                Scope::Package(i) => {
                    let mut parts = value.split_whitespace();
                    let mut r = Map::new();
                    for k in ["referenceCategory", "referenceType", "referenceLocator"] {
                        if let Some(p) = parts.next() {
                            r.insert(k.into(), Value::String(p.to_owned()));
                        }
                    }
                    if parts.next().is_some() {
                        b.problems.push((
                            n,
                            "ExternalRef has more than category, type and locator".into(),
                        ));
                    }
                    let k = b
                        .packages
                        .get(i)
                        .and_then(|p| p.get("externalRefs"))
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len);
                    push_in(&mut b, "package", i, "externalRefs", Value::Object(r), n);
                    last_external_ref = Some((i, k));
                }
                _ => b
                    .problems
                    .push((n, format!("{tag} outside a package section"))),
            },
            "ExternalRefComment" => {
                let slot = last_external_ref.and_then(|(p, k)| {
                    b.packages
                        .get_mut(p)?
                        .get_mut("externalRefs")?
                        .as_array_mut()?
                        .get_mut(k)?
                        .as_object_mut()
                });
                match slot {
                    Some(r) => {
                        r.insert("comment".into(), Value::String(value));
                    }
                    None => b
                        .problems
                        .push((n, "ExternalRefComment without an ExternalRef".into())),
                }
            }
            "SnippetByteRange" | "SnippetLineRange" => match scope {
                Scope::Snippet(i) => {
                    let key = if tag == "SnippetByteRange" {
                        "offset"
                    } else {
                        "lineNumber"
                    };
                    push_in(&mut b, "snippet", i, "ranges", range(&value, key), n);
                }
                _ => b
                    .problems
                    .push((n, format!("{tag} outside a snippet section"))),
            },
            "Reviewer" | "ReviewDate" | "ReviewComment" => deviations.push(Deviation {
                at: format!("line {n}"),
                what: format!("{tag} (an SPDX 1.x review field); ignored"),
            }),
            _ => {
                if let Some((which, key)) = list_target(tag) {
                    match (which, scope) {
                        ("package", Scope::Package(i))
                        | ("file", Scope::File(i))
                        | ("snippet", Scope::Snippet(i))
                        | ("license", Scope::License(i)) => {
                            push_in(&mut b, which, i, key, Value::String(value), n);
                        }
                        _ => b
                            .problems
                            .push((n, format!("{tag} outside a {which} section"))),
                    }
                    continue;
                }
                let Some(t) = target(tag) else {
                    b.problems.push((n, format!("unknown tag {tag:?}")));
                    continue;
                };
                match (t, scope) {
                    (Target::Doc(k), _) => set_doc(&mut b, k, value, n),
                    (Target::Creation(k), _) => {
                        b.lines.insert(format!("/creationInfo/{k}"), n);
                        if b.creation.insert(k.into(), Value::String(value)).is_some() {
                            b.problems.push((n, format!("{tag} given twice")));
                        }
                    }
                    (Target::Package(k), Scope::Package(i)) => {
                        let v = if k == "filesAnalyzed" {
                            boolean(value)
                        } else {
                            Value::String(value)
                        };
                        set_in(&mut b, "package", i, k, v, n);
                    }
                    (Target::File(k), Scope::File(i)) => {
                        set_in(&mut b, "file", i, k, Value::String(value), n)
                    }
                    (Target::Snippet(k), Scope::Snippet(i)) => {
                        set_in(&mut b, "snippet", i, k, Value::String(value), n)
                    }
                    (Target::License(k), Scope::License(i)) => {
                        set_in(&mut b, "license", i, k, Value::String(value), n)
                    }
                    (Target::Annotation(k), _) => match last_annotation {
                        Some(a) => set_in(&mut b, "annotation", a, k, Value::String(value), n),
                        None => b.problems.push((n, format!("{tag} without an Annotator"))),
                    },
                    (_, _) => b.problems.push((n, format!("{tag} outside its section"))),
                }
            }
        }
    }
    if let Some((first, count)) = colonless {
        let more = if count > 1 {
            format!(" (and {} more like it)", count - 1)
        } else {
            String::new()
        };
        deviations.push(Deviation {
            at: format!("line {first}"),
            what: format!("a Relationship line without the colon after the tag; read as \"Relationship: ...\"{more}"),
        });
    }
    attach_files(&mut b);
    Ok(finish(b))
}

fn is_tag(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric())
}

fn check_line(raw: &str, n: usize) -> Result<(), SbomError> {
    if raw.len() > MAX_TAG_VALUE_LINE {
        return Err(SbomError::Limit(LimitExceeded::Line {
            line: n,
            limit: MAX_TAG_VALUE_LINE,
        }));
    }
    Ok(())
}

/// The rest of a `<text>` value, from `first` (what follows `<text>` on the tag's line) up to
/// `</text>`.
fn read_text<'a>(
    first: &str,
    start_line: usize,
    lines: &mut impl Iterator<Item = (usize, &'a str)>,
    deviations: &mut Vec<Deviation>,
) -> Result<String, SbomError> {
    let mut buf = String::new();
    let mut chunk = first.to_owned();
    let mut n = start_line;
    loop {
        if let Some(end) = chunk.find("</text>") {
            buf.push_str(&chunk[..end]);
            let trailing = chunk[end + "</text>".len()..].trim();
            if !trailing.is_empty() {
                deviations.push(Deviation {
                    at: format!("line {n}"),
                    what: format!("text after </text> ({trailing:?}); ignored"),
                });
            }
            return Ok(buf);
        }
        buf.push_str(&chunk);
        let Some((i, next)) = lines.next() else {
            return Err(SbomError::Syntax {
                encoding: "tag-value",
                detail: format!("the <text> opened on line {start_line} is never closed"),
            });
        };
        n = i + 1;
        check_line(next, n)?;
        buf.push('\n');
        chunk = next.to_owned();
    }
}

fn set_doc(b: &mut Builder, key: &str, value: String, n: usize) {
    b.lines.insert(format!("/{key}"), n);
    if b.doc.insert(key.to_owned(), Value::String(value)).is_some() {
        b.problems
            .push((n, format!("the document's {key} is given twice")));
    }
}

fn set_in(b: &mut Builder, which: &str, i: usize, key: &str, value: Value, n: usize) {
    let Some((m, ptr)) = b.section(which, i) else {
        return;
    };
    let twice = m.insert(key.to_owned(), value).is_some();
    b.lines.insert(format!("{ptr}/{key}"), n);
    if twice {
        b.problems
            .push((n, format!("{key} given twice in one {which} section")));
    }
}

fn push_in(b: &mut Builder, which: &str, i: usize, key: &str, value: Value, n: usize) {
    let Some((m, ptr)) = b.section(which, i) else {
        return;
    };
    let k = push(m, key, value);
    b.lines.insert(format!("{ptr}/{key}/{k}"), n);
}

fn push(m: &mut Map<String, Value>, key: &str, value: Value) -> usize {
    let slot = m
        .entry(key.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    match slot.as_array_mut() {
        Some(a) => {
            a.push(value);
            a.len() - 1
        }
        None => 0,
    }
}

/// A file after a package belongs to it: add it to the package's `hasFiles` (once all is read,
/// since the file's SPDXID follows its FileName line).
fn attach_files(b: &mut Builder) {
    for (f, owner) in b.files.iter().zip(&b.file_owner) {
        let (Some(p), Some(id)) = (owner, f.get("SPDXID")) else {
            continue;
        };
        if let Some(pkg) = b.packages.get_mut(*p) {
            push(pkg, "hasFiles", id.clone());
        }
    }
}

fn relationship(
    b: &mut Builder,
    value: &str,
    n: usize,
    last: &mut Option<usize>,
) -> Result<(), SbomError> {
    if b.relationships.len() >= MAX_SPDX_RELATIONSHIPS {
        return Err(SbomError::Limit(LimitExceeded::Count {
            format: None,
            items: "relationships in one SPDX document",
            limit: MAX_SPDX_RELATIONSHIPS,
        }));
    }
    let parts: Vec<&str> = value.split_whitespace().collect();
    let [a, t, c] = parts.as_slice() else {
        b.problems.push((
            n,
            format!("a Relationship is \"<id> <TYPE> <id>\", but is: {value}"),
        ));
        return Ok(());
    };
    let mut r = Map::new();
    r.insert("spdxElementId".into(), Value::String((*a).to_owned()));
    r.insert("relationshipType".into(), Value::String((*t).to_owned()));
    r.insert("relatedSpdxElement".into(), Value::String((*c).to_owned()));
    let k = b.relationships.len();
    b.lines.insert(format!("/relationships/{k}"), n);
    b.relationships.push(r);
    *last = Some(k);
    Ok(())
}

/// `SHA1: d6a7...` into `{algorithm, checksumValue}`.
fn checksum(value: &str) -> Value {
    let mut m = Map::new();
    match value.split_once(':') {
        Some((alg, hex)) => {
            m.insert("algorithm".into(), Value::String(alg.trim().to_owned()));
            m.insert("checksumValue".into(), Value::String(hex.trim().to_owned()));
        }
        None => {
            m.insert("algorithm".into(), Value::String(value.trim().to_owned()));
        }
    }
    Value::Object(m)
}

/// `DocumentRef-x <uri> SHA1: <hex>`.
fn external_document_ref(value: &str) -> Value {
    let mut m = Map::new();
    let parts: Vec<&str> = value.split_whitespace().collect();
    if let Some(id) = parts.first() {
        m.insert("externalDocumentId".into(), Value::String((*id).to_owned()));
    }
    if let Some(uri) = parts.get(1) {
        m.insert("spdxDocument".into(), Value::String((*uri).to_owned()));
    }
    if let Some(rest) = parts.get(2..).filter(|r| !r.is_empty()) {
        m.insert("checksum".into(), checksum(&rest.join(" ")));
    }
    Value::Object(m)
}

/// `<hex> [(excludes: a, b)]`.
fn verification_code(value: &str) -> Value {
    let mut m = Map::new();
    let (code, rest) = value.split_once('(').unwrap_or((value, ""));
    m.insert(
        "packageVerificationCodeValue".into(),
        Value::String(code.trim().to_owned()),
    );
    let rest = rest.trim().trim_end_matches(')');
    let rest = rest.trim_start_matches("excludes:").trim();
    if !rest.is_empty() {
        let excluded = rest
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_owned()))
            .collect();
        m.insert(
            "packageVerificationCodeExcludedFiles".into(),
            Value::Array(excluded),
        );
    }
    Value::Object(m)
}

/// `310:420` into `{startPointer: {key: 310}, endPointer: {key: 420}}`.
fn range(value: &str, key: &str) -> Value {
    let num = |s: &str| {
        s.trim()
            .parse::<i64>()
            .map_or_else(|_| Value::String(s.trim().to_owned()), Value::from)
    };
    let (a, z) = value.split_once(':').unwrap_or((value, ""));
    let pointer = |v: Value| {
        let mut m = Map::new();
        m.insert(key.to_owned(), v);
        Value::Object(m)
    };
    let mut r = Map::new();
    r.insert("startPointer".into(), pointer(num(a)));
    r.insert("endPointer".into(), pointer(num(z)));
    Value::Object(r)
}

fn boolean(value: String) -> Value {
    if value.eq_ignore_ascii_case("true") {
        Value::Bool(true)
    } else if value.eq_ignore_ascii_case("false") {
        Value::Bool(false)
    } else {
        Value::String(value)
    }
}

/// What reading tag-value produced: the JSON shape, the line of each pointer, and the
/// problems found while reading (unknown tags, tags outside their section, ...).
pub(super) struct TagValueDoc {
    pub value: Value,
    pub lines: BTreeMap<String, usize>,
    pub problems: Vec<Violation>,
}

fn finish(b: Builder) -> TagValueDoc {
    let Builder {
        mut doc,
        creation,
        packages,
        files,
        snippets,
        licenses,
        annotations,
        relationships,
        external_docs,
        file_owner: _,
        lines,
        problems,
    } = b;
    if !creation.is_empty() {
        doc.insert("creationInfo".into(), Value::Object(creation));
    }
    let arr = |v: Vec<Map<String, Value>>| Value::Array(v.into_iter().map(Value::Object).collect());
    for (k, v) in [
        ("packages", packages),
        ("files", files),
        ("snippets", snippets),
        ("hasExtractedLicensingInfos", licenses),
        ("annotations", annotations),
        ("relationships", relationships),
    ] {
        if !v.is_empty() {
            doc.insert(k.into(), arr(v));
        }
    }
    if !external_docs.is_empty() {
        doc.insert("externalDocumentRefs".into(), Value::Array(external_docs));
    }
    let problems = problems
        .into_iter()
        .map(|(n, message)| Violation {
            at: format!("line {n}"),
            message,
        })
        .collect();
    TagValueDoc {
        value: Value::Object(doc),
        lines,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> (Value, BTreeMap<String, usize>, Vec<Deviation>) {
        let mut d = Vec::new();
        let t = to_json_shape(s, &mut d).unwrap();
        (t.value, t.lines, d)
    }

    #[test]
    fn text_spans_lines_and_tags_inside_are_text() {
        let (v, l, _) = read(
            "SPDXVersion: SPDX-2.3\nPackageName: p\nPackageComment: <text>first\nPackageName: not a tag\n  last</text>\nPackageVersion: 1\n",
        );
        assert_eq!(
            v["packages"][0]["comment"],
            "first\nPackageName: not a tag\n  last"
        );
        assert_eq!(v["packages"][0]["versionInfo"], "1");
        assert_eq!(v["packages"].as_array().unwrap().len(), 1);
        assert_eq!(l["/packages/0/versionInfo"], 6);
    }

    #[test]
    fn unclosed_text_and_long_lines_are_errors() {
        let mut d = Vec::new();
        assert!(matches!(
            to_json_shape("DocumentComment: <text>never closed\n", &mut d),
            Err(SbomError::Syntax { .. })
        ));
        let long = format!("DocumentComment: {}\n", "x".repeat(MAX_TAG_VALUE_LINE + 1));
        assert!(matches!(
            to_json_shape(&long, &mut d),
            Err(SbomError::Limit(_))
        ));
    }

    #[test]
    fn files_after_a_package_belong_to_it() {
        let (v, _, _) = read(
            "FileName: ./a\nSPDXID: SPDXRef-a\nPackageName: p\nSPDXID: SPDXRef-p\nFileName: ./b\nSPDXID: SPDXRef-b\n",
        );
        assert_eq!(
            v["packages"][0]["hasFiles"],
            serde_json::json!(["SPDXRef-b"])
        );
    }

    #[test]
    fn colonless_relationships_are_a_deviation() {
        let (v, _, d) = read("Relationship SPDXRef-DOCUMENT DESCRIBES SPDXRef-p \n");
        assert_eq!(v["relationships"][0]["relatedSpdxElement"], "SPDXRef-p");
        assert_eq!(d.len(), 1);
    }
}
