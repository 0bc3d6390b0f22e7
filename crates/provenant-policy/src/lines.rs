//! Where each key of a YAML policy is: a small indentation-based scanner mapping JSON-pointer
//! paths (`/signers/0/identityRegexp`) to 1-based line numbers, for diagnostics.
//!
//! It understands block mappings and sequences (`key: value`, `- item`, `- key: value`),
//! comments, quoted keys, block scalars (`|`, `>`) and one-line or multi-line flow collections
//! (whose inner items map to the line the collection starts on). Anything it does not follow is
//! skipped; a lookup then falls back to the nearest enclosing key, or to no line at all. It never
//! fails and never panics: line numbers are a help, the parser decides what the file means.

use std::collections::{HashMap, HashSet};

/// Key paths and their lines, and the keys written twice in one mapping.
#[derive(Debug, Default)]
pub struct LineIndex {
    lines: HashMap<String, usize>,
    duplicates: Vec<(String, usize, usize)>,
}

struct Frame {
    indent: usize,
    path: String,
    seq: bool,
    next: usize,
    keys: HashSet<String>,
}

impl Frame {
    fn new(indent: usize, path: String, seq: bool) -> Self {
        Self {
            indent,
            path,
            seq,
            next: 0,
            keys: HashSet::new(),
        }
    }
}

/// Escape one JSON-pointer segment (RFC 6901).
pub fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn is_dash(t: &str) -> bool {
    t == "-" || t.starts_with("- ") || t.starts_with("-\t")
}

/// Strip a trailing comment (` #...`) outside quotes.
fn strip_comment(s: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev_space = true;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if prev_space || i == 0 => quote = Some(c),
            (None, '#') if prev_space => return s[..i].trim_end(),
            _ => {}
        }
        prev_space = c == ' ' || c == '\t';
    }
    s.trim_end()
}

/// `key: value` or `key:` -> (key, value); `None` when the text is not a mapping entry.
fn split_key(t: &str) -> Option<(String, &str)> {
    let first = t.chars().next()?;
    if matches!(
        first,
        '[' | '{' | '#' | '&' | '*' | '!' | '|' | '>' | '?' | '%' | '@' | '`'
    ) {
        return None;
    }
    if first == '"' || first == '\'' {
        let rest = &t[1..];
        let end = rest.find(first)?;
        let key = rest[..end].to_owned();
        let after = &rest[end + 1..];
        let after = after.trim_start();
        let value = after.strip_prefix(':')?;
        if !(value.is_empty() || value.starts_with(' ') || value.starts_with('\t')) {
            return None;
        }
        return Some((key, value.trim()));
    }
    let bytes = t.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b':' {
            let next = bytes.get(i + 1);
            if next.is_none() || next == Some(&b' ') || next == Some(&b'\t') {
                let key = t[..i].trim_end().to_owned();
                return (!key.is_empty()).then(|| (key, t[i + 1..].trim()));
            }
        }
    }
    None
}

/// Net bracket depth of a flow collection's text (outside quotes).
fn flow_depth(s: &str) -> i64 {
    let mut depth = 0i64;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, '#') => break,
            _ => {}
        }
    }
    depth
}

/// What a value that opens nothing on its own line leads to.
enum After {
    Nothing,
    Nested,
    Block,
    Flow(i64),
}

fn after_value(value: &str) -> After {
    let v = strip_comment(value);
    // An anchor or a tag alone (`key: &a`, `key: !!map`) still opens a nested block.
    let v = v
        .split_whitespace()
        .filter(|w| !w.starts_with('&') && !w.starts_with('!'))
        .collect::<Vec<_>>()
        .join(" ");
    if v.is_empty() {
        return After::Nested;
    }
    if v.starts_with('|') || v.starts_with('>') {
        return After::Block;
    }
    if v.starts_with('[') || v.starts_with('{') {
        let d = flow_depth(&v);
        if d > 0 {
            return After::Flow(d);
        }
    }
    After::Nothing
}

impl LineIndex {
    /// Scan `text`.
    pub fn new(text: &str) -> Self {
        let mut index = Self::default();
        let mut frames: Vec<Frame> = vec![Frame::new(0, String::new(), false)];
        let mut root_indent: Option<usize> = None;
        // A key or item with no inline value: its block follows (path, indent of the key).
        let mut pending: Option<(String, usize)> = None;
        // Inside a block scalar: lines indented more than this belong to it.
        let mut block: Option<usize> = None;
        // Inside a multi-line flow collection: its open bracket depth.
        let mut flow: i64 = 0;
        for (n, raw) in text.lines().enumerate() {
            let lineno = n + 1;
            let line = raw.trim_end_matches('\r');
            let t = line.trim_start_matches(' ');
            let indent = line.len() - t.len();
            if flow > 0 {
                flow += flow_depth(t);
                continue;
            }
            if let Some(b) = block {
                if t.is_empty() || indent > b {
                    continue;
                }
                block = None;
            }
            if t.is_empty() || t.starts_with('#') || t.starts_with('%') {
                continue;
            }
            if indent == 0 && (t.starts_with("---") || t.starts_with("...")) {
                continue;
            }
            if root_indent.is_none() {
                root_indent = Some(indent);
                frames[0].indent = indent;
            }
            if let Some((path, key_indent)) = pending.take() {
                if indent > key_indent || (indent == key_indent && is_dash(t)) {
                    frames.push(Frame::new(indent, path, is_dash(t)));
                }
            }
            while frames.len() > 1 {
                let top = &frames[frames.len() - 1];
                if top.indent > indent || (top.indent == indent && top.seq && !is_dash(t)) {
                    frames.pop();
                } else {
                    break;
                }
            }
            if frames.last().is_some_and(|f| f.indent != indent) {
                // A continuation line of a multi-line plain scalar, or something not followed.
                continue;
            }
            let mut t = t;
            let mut indent = indent;
            while let Some(top) = frames.last_mut() {
                if is_dash(t) {
                    if !top.seq {
                        break;
                    }
                    let path = format!("{}/{}", top.path, top.next);
                    top.next += 1;
                    index.lines.entry(path.clone()).or_insert(lineno);
                    let rest = &t[1..];
                    let rest_trim = rest.trim_start();
                    let col = indent + 1 + (rest.len() - rest_trim.len());
                    let rest_trim = strip_comment(rest_trim);
                    if rest_trim.is_empty() {
                        pending = Some((path, indent));
                        break;
                    }
                    if is_dash(rest_trim) {
                        frames.push(Frame::new(col, path, true));
                    } else if split_key(rest_trim).is_some() {
                        frames.push(Frame::new(col, path, false));
                    } else {
                        match after_value(rest_trim) {
                            After::Block => block = Some(indent),
                            After::Flow(d) => flow = d,
                            After::Nested => pending = Some((path, indent)),
                            After::Nothing => {}
                        }
                        break;
                    }
                    t = rest_trim;
                    indent = col;
                    continue;
                }
                let Some((key, value)) = split_key(t) else {
                    break;
                };
                if top.seq {
                    break;
                }
                let path = format!("{}/{}", top.path, escape_segment(&key));
                if top.keys.insert(key) {
                    index.lines.insert(path.clone(), lineno);
                } else {
                    let first = index.lines.get(&path).copied().unwrap_or(0);
                    index.duplicates.push((path.clone(), lineno, first));
                }
                match after_value(value) {
                    After::Nested => pending = Some((path, indent)),
                    After::Block => block = Some(indent),
                    After::Flow(d) => flow = d,
                    After::Nothing => {}
                }
                break;
            }
        }
        index
    }

    /// The line of `pointer` (a JSON pointer), or of its nearest enclosing key that was found.
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        let mut p = pointer;
        loop {
            if let Some(l) = self.lines.get(p) {
                return Some(*l);
            }
            match p.rfind('/') {
                Some(i) if !p.is_empty() => p = &p[..i],
                _ => return None,
            }
        }
    }

    /// Keys written twice in one mapping: (path, line of the repeat, line of the first).
    pub fn duplicates(&self) -> &[(String, usize, usize)] {
        &self.duplicates
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
# comment
apiVersion: provenant.dev/v1   # trailing
signers:
  - issuer: https://token.actions.githubusercontent.com
    identityRegexp: '^https://github\\.com/org/app/.*$'
  -   key: keys/a.pub
source:
  refs:
    tags: [v1.0.0, v1.0.1]
    branches:
    - main
    - release
  commit: 4d329c75e7ec1725f7c9ce917a8799d408d06be3
description: |
  free text
  key: not a key
waivers:
- id: CVE-1
  reason: >
    folded
  approver: a
\"quoted key\": 1
gates:
  thresholds: {critical: 0,
    high: 1}
  signedEvidence: true
";

    #[test]
    fn maps_paths_to_lines() {
        let ix = LineIndex::new(DOC);
        assert_eq!(ix.line_of("/apiVersion"), Some(2));
        assert_eq!(ix.line_of("/signers"), Some(3));
        assert_eq!(ix.line_of("/signers/0"), Some(4));
        assert_eq!(ix.line_of("/signers/0/issuer"), Some(4));
        assert_eq!(ix.line_of("/signers/0/identityRegexp"), Some(5));
        assert_eq!(ix.line_of("/signers/1/key"), Some(6));
        assert_eq!(ix.line_of("/source/refs/tags"), Some(9));
        assert_eq!(
            ix.line_of("/source/refs/tags/1"),
            Some(9),
            "falls back to the key"
        );
        assert_eq!(ix.line_of("/source/refs/branches/1"), Some(12));
        assert_eq!(ix.line_of("/source/commit"), Some(13));
        assert_eq!(ix.line_of("/description"), Some(14));
        assert_eq!(ix.line_of("/key"), None, "inside a block scalar");
        assert_eq!(ix.line_of("/waivers/0/id"), Some(18));
        assert_eq!(ix.line_of("/waivers/0/approver"), Some(21));
        assert_eq!(ix.line_of("/quoted key"), Some(22));
        assert_eq!(ix.line_of("/gates/thresholds/high"), Some(24));
        assert_eq!(ix.line_of("/gates/signedEvidence"), Some(26));
        assert_eq!(ix.line_of("/nothing/here"), None);
        assert!(ix.duplicates().is_empty());
    }

    #[test]
    fn finds_duplicates() {
        let ix = LineIndex::new("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n");
        let d: Vec<_> = ix.duplicates().to_vec();
        assert_eq!(d, vec![("/b/c".to_owned(), 4, 3), ("/a".to_owned(), 5, 1)]);
    }

    #[test]
    fn never_panics_on_odd_text() {
        for t in [
            "",
            "-",
            "- - - x",
            ":",
            "\"unterminated: 1",
            "a:\n\t- b",
            "  a: 1\nb: 2",
            "[1, 2",
            "a: [1,\n",
            "? complex\n: value",
            "é: ü\n  - ö",
            "a: |\n",
        ] {
            let ix = LineIndex::new(t);
            let _ = ix.line_of("/a/0/b");
        }
    }
}
