//! Strict YAML: the one entry point for every YAML document provenant reads from outside
//! (policy files, SPDX YAML), read into a [`serde_json::Value`].
//!
//! Before the YAML parser sees a byte, a linear scan ([`precheck`]) refuses what neither a
//! policy nor an SBOM needs and what makes YAML parsers slow or hungry: anchors (`&a`), aliases
//! (`*a`, the "billion laughs"), tags (`!x`), a second document, and nesting deeper than
//! [`MAX_YAML_DEPTH`] (libyaml takes time quadratic in the depth: 150,000 levels in 300 KiB took
//! 44 s). The document is then deserialized through the same strict visitor as JSON: duplicate
//! keys refused (YAML says keys are unique; parsers differ on which of two wins), non-string keys
//! and non-finite numbers refused, depth bounded again on the tree itself.
//!
//! The scan is conservative: where it cannot tell a plain scalar from a node (a continuation line
//! of a multi-line plain scalar that starts with `&`), it refuses. It never accepts what the
//! parser would read as an anchor, alias or tag, and it never under-counts nesting by more than
//! the parser's own recursion limit catches.

use serde_json::Value;

use crate::json::{refusal, strict_value, Refusal};
use crate::limits::{MAX_YAML_BYTES, MAX_YAML_DEPTH};

/// Why strict YAML parsing failed. Lines are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum YamlError {
    /// Larger than [`MAX_YAML_BYTES`].
    #[error("YAML document larger than {MAX_YAML_BYTES} bytes")]
    TooLarge,
    /// An anchor (`&name`).
    #[error("line {line}: YAML anchors (&name) are not accepted; write the value out")]
    Anchor {
        /// Where.
        line: usize,
    },
    /// An alias (`*name`).
    #[error("line {line}: YAML aliases (*name) are not accepted; write the value out")]
    Alias {
        /// Where.
        line: usize,
    },
    /// A tag (`!name`, `!!type`) or a `%TAG` directive.
    #[error("line {line}: YAML tags (!tag) are not accepted; write the plain value")]
    Tag {
        /// Where.
        line: usize,
    },
    /// Nested deeper than [`MAX_YAML_DEPTH`].
    #[error("line {line}: YAML nested deeper than {MAX_YAML_DEPTH} levels")]
    TooDeep {
        /// Where.
        line: usize,
    },
    /// A second document in the stream.
    #[error("line {line}: a second YAML document; one file holds one document")]
    MultipleDocuments {
        /// Where the second starts.
        line: usize,
    },
    /// The same key twice in one mapping.
    #[error("{}duplicate YAML key {key:?}", at(*line))]
    DuplicateKey {
        /// The key.
        key: String,
        /// Where, when the parser says.
        line: Option<usize>,
    },
    /// Not YAML, or YAML that JSON cannot hold (a non-string key, `.inf`).
    #[error("{}not valid YAML: {message}", at(*line))]
    Syntax {
        /// The parser's complaint.
        message: String,
        /// Where, when the parser says.
        line: Option<usize>,
    },
}

fn at(line: Option<usize>) -> String {
    line.map(|l| format!("line {l}: ")).unwrap_or_default()
}

impl YamlError {
    /// The 1-based line the problem is on, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::TooLarge => None,
            Self::Anchor { line }
            | Self::Alias { line }
            | Self::Tag { line }
            | Self::TooDeep { line }
            | Self::MultipleDocuments { line } => Some(*line),
            Self::DuplicateKey { line, .. } | Self::Syntax { line, .. } => *line,
        }
    }
}

/// Parse `text` as one strict YAML document (see the module documentation).
pub fn parse_strict(text: &str) -> Result<Value, YamlError> {
    precheck(text)?;
    #[allow(clippy::disallowed_methods)] // the one place YAML text meets serde_norway
    let de = serde_norway::Deserializer::from_str(text);
    strict_value(de).map_err(|e| {
        let line = e.location().map(|l| l.line());
        match refusal(&e.to_string()) {
            Some(Refusal::DuplicateKey(key)) => YamlError::DuplicateKey { key, line },
            Some(Refusal::TooDeep) => YamlError::TooDeep {
                line: line.unwrap_or(0),
            },
            Some(Refusal::NonFinite) => YamlError::Syntax {
                message: "a number that is not finite (.inf, .nan)".into(),
                line,
            },
            None => YamlError::Syntax {
                message: e.to_string(),
                line,
            },
        }
    })
}

/// The linear scan [`parse_strict`] runs first: size, anchors, aliases, tags, a second document
/// and nesting depth, refused before any parser builds anything.
pub fn precheck(text: &str) -> Result<(), YamlError> {
    if text.len() > MAX_YAML_BYTES {
        return Err(YamlError::TooLarge);
    }
    let mut scan = Scan::default();
    for (n, line) in lines(text).enumerate() {
        scan.line(line, n + 1)?;
    }
    Ok(())
}

/// Lines split at `\n`, `\r\n` and a lone `\r` (YAML's line breaks), without the break.
fn lines(text: &str) -> impl Iterator<Item = &[u8]> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    let line = &bytes[start..i];
                    i += 1;
                    start = i;
                    return Some(line);
                }
                b'\r' => {
                    let line = &bytes[start..i];
                    i += if bytes.get(i + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    start = i;
                    return Some(line);
                }
                _ => i += 1,
            }
        }
        if start < bytes.len() {
            let line = &bytes[start..];
            start = bytes.len();
            return Some(line);
        }
        None
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Seq,
    Map,
}

/// Where the scan is inside a line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// A node may start here (after indentation, `- `, `? `, `: `, `[`, `{`, `,`).
    Node,
    /// Inside a plain scalar (or a key) that started at this column.
    Plain(usize),
    /// After a quoted scalar or a flow collection that started at this column.
    After(usize),
}

#[derive(Default)]
struct Scan {
    /// Open block collections: (indentation column, kind).
    block: Vec<(usize, Kind)>,
    /// Open flow collections (`[`, `{`).
    flow: usize,
    /// An open quoted scalar (its quote character) continuing on the next line.
    quote: Option<u8>,
    /// Inside a block scalar (`|`, `>`): lines indented more than this column (or blank) are its
    /// content. `None`: not in one; `Some(None)`: a top-level block scalar (every line).
    literal: Option<Option<usize>>,
    /// The previous line ended inside a plain scalar, which continues on lines indented more
    /// than this column (`Some(None)`: on any line, in a flow collection or at the top level).
    plain: Option<Option<usize>>,
    /// Content seen (a `---` after it starts a second document).
    content: bool,
    /// A `---` seen.
    started: bool,
    /// A `...` (document end) seen.
    ended: bool,
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Whether `line[i]` is followed by a blank or the end of the line.
fn then_blank(line: &[u8], i: usize) -> bool {
    line.get(i + 1).is_none_or(|b| is_blank(*b))
}

impl Scan {
    fn depth(&self) -> usize {
        self.block.len() + self.flow
    }

    fn too_deep(&self, line: usize) -> Result<(), YamlError> {
        if self.depth() > MAX_YAML_DEPTH {
            return Err(YamlError::TooDeep { line });
        }
        Ok(())
    }

    /// A block collection of `kind` is (or continues) at `col`.
    fn open(&mut self, col: usize, kind: Kind, line: usize) -> Result<(), YamlError> {
        while self.block.last().is_some_and(|(c, _)| *c > col) {
            self.block.pop();
        }
        match self.block.last().copied() {
            Some((c, k)) if c == col && k == kind => return Ok(()),
            // The end of a sequence written at its mapping's indentation (`key:\n- a\nnext: b`).
            Some((c, Kind::Seq)) if c == col && kind == Kind::Map => {
                self.block.pop();
                if self.block.last() == Some(&(col, Kind::Map)) {
                    return Ok(());
                }
            }
            _ => {}
        }
        self.block.push((col, kind));
        self.too_deep(line)
    }

    fn content_line(&mut self, line: usize) -> Result<(), YamlError> {
        if self.ended {
            return Err(YamlError::MultipleDocuments { line });
        }
        self.content = true;
        Ok(())
    }

    fn line(&mut self, text: &[u8], n: usize) -> Result<(), YamlError> {
        let (i, state) = match self.start(text, n)? {
            Some(start) => start,
            None => return Ok(()),
        };
        let state = self.scan(text, n, i, state)?;
        if let Some(State::Plain(_)) = state {
            self.plain = Some(if self.flow > 0 {
                None
            } else {
                self.block.last().map(|(c, _)| *c)
            });
        }
        Ok(())
    }

    /// Where and in what state scanning `text` starts; `None` when the whole line is skipped.
    fn start(&mut self, text: &[u8], n: usize) -> Result<Option<(usize, State)>, YamlError> {
        let indent = text.iter().take_while(|b| **b == b' ').count();
        let first = text.iter().position(|b| !is_blank(*b));
        let marker = |m: &[u8]| text.starts_with(m) && then_blank(text, 2);
        let doc_marker = marker(b"---") || marker(b"...");
        if let Some(limit) = self.literal {
            let inside = first.is_none() || limit.is_none_or(|l| indent > l);
            if inside && !doc_marker {
                return Ok(None);
            }
            self.literal = None;
        }
        if let Some(q) = self.quote {
            if doc_marker {
                return Err(YamlError::Syntax {
                    message: "a document marker inside a quoted scalar".into(),
                    line: Some(n),
                });
            }
            return Ok(quoted_end(text, 0, q).map(|end| {
                self.quote = None;
                (end, State::After(0))
            }));
        }
        if let Some(limit) = self.plain {
            let Some(first) = first else {
                // A blank line inside a multi-line plain scalar.
                return Ok(None);
            };
            self.plain = None;
            if !doc_marker && text[first] != b'#' && limit.is_none_or(|l| indent > l) {
                // The plain scalar goes on: what starts this line is text, not a node.
                return Ok(Some((first, State::Plain(first))));
            }
        }
        if doc_marker {
            if text[0] == b'.' {
                self.ended = true;
                return Ok(None);
            }
            if self.content || self.started {
                return Err(YamlError::MultipleDocuments { line: n });
            }
            self.started = true;
            self.block.clear();
            return Ok(Some((3, State::Node)));
        }
        if self.flow > 0 {
            return Ok(Some((0, State::Node)));
        }
        let Some(first) = first else {
            return Ok(None);
        };
        if text[first] == b'#' {
            return Ok(None);
        }
        if first == 0 && text[0] == b'%' {
            if text.starts_with(b"%TAG") {
                return Err(YamlError::Tag { line: n });
            }
            return Ok(None);
        }
        // Block context: collections indented deeper than this line have ended.
        while self.block.last().is_some_and(|(c, _)| *c > indent) {
            self.block.pop();
        }
        Ok(Some((indent, State::Node)))
    }

    /// Scan `text` from `i` in `state`; the state at the end of the line (`None` when a comment
    /// or a block scalar header ended it).
    fn scan(
        &mut self,
        text: &[u8],
        n: usize,
        mut i: usize,
        mut state: State,
    ) -> Result<Option<State>, YamlError> {
        while i < text.len() {
            let b = text[i];
            match state {
                State::Node => {
                    if is_blank(b) {
                        i += 1;
                        continue;
                    }
                    self.content_line(n)?;
                    match b {
                        b'#' => return Ok(None),
                        b'&' => return Err(YamlError::Anchor { line: n }),
                        b'*' => return Err(YamlError::Alias { line: n }),
                        b'!' => return Err(YamlError::Tag { line: n }),
                        b'"' | b'\'' => match quoted_end(text, i + 1, b) {
                            Some(end) => {
                                state = State::After(i);
                                i = end;
                                continue;
                            }
                            None => {
                                self.quote = Some(b);
                                return Ok(None);
                            }
                        },
                        b'[' | b'{' => {
                            self.flow += 1;
                            self.too_deep(n)?;
                        }
                        b']' | b'}' if self.flow > 0 => {
                            self.flow -= 1;
                            state = State::After(i);
                        }
                        b',' if self.flow > 0 => {}
                        b'|' | b'>' if self.flow == 0 => {
                            // Content is what is indented more than the innermost collection.
                            self.literal = Some(self.block.last().map(|(c, _)| *c));
                            return Ok(None);
                        }
                        b'-' if self.flow == 0 && then_blank(text, i) => {
                            self.open(i, Kind::Seq, n)?;
                        }
                        b'?' if then_blank(text, i) => {
                            if self.flow == 0 {
                                self.open(i, Kind::Map, n)?;
                            }
                        }
                        b':' if then_blank(text, i) => {}
                        _ => state = State::Plain(i),
                    }
                    i += 1;
                }
                State::Plain(start) | State::After(start) => {
                    let after = matches!(state, State::After(_));
                    if b == b'#' && (i == 0 || is_blank(text[i - 1])) {
                        return Ok(None);
                    }
                    let flow_end = self.flow > 0 && matches!(b, b',' | b'[' | b']' | b'{' | b'}');
                    let key = b == b':'
                        && (then_blank(text, i)
                            || (self.flow > 0
                                && (after || matches!(text.get(i + 1), Some(b',' | b']' | b'}')))));
                    if key {
                        if self.flow == 0 {
                            self.open(start, Kind::Map, n)?;
                        }
                        state = State::Node;
                    } else if flow_end {
                        // The plain scalar ends; the indicator is read as at a node start.
                        state = State::Node;
                        continue;
                    } else if after && !is_blank(b) {
                        // Text right after a quoted scalar: not YAML; let the parser say so,
                        // but scan it as a node so nothing hides behind it.
                        state = State::Node;
                        continue;
                    }
                    i += 1;
                }
            }
        }
        Ok(Some(state))
    }
}

/// The index just after the closing quote of a scalar quoted with `q` whose text starts at
/// `from`; `None` when it continues past the end of the line.
fn quoted_end(line: &[u8], from: usize, q: u8) -> Option<usize> {
    let mut i = from;
    while i < line.len() {
        let b = line[i];
        if q == b'"' && b == b'\\' {
            i += 2;
            continue;
        }
        if b == q {
            if q == b'\'' && line.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(text: &str) -> Value {
        parse_strict(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    #[test]
    fn reads_block_and_flow_yaml() {
        let v = ok("a: 1\nb:\n  - x\n  - {c: d, e: [1, 2]}\nf: |\n  text & *more*\n   !x\ng: 'it''s'\nh: \"q \\\" &x\"\n");
        assert_eq!(
            v,
            json!({"a": 1, "b": ["x", {"c": "d", "e": [1, 2]}], "f": "text & *more*\n !x\n",
                   "g": "it's", "h": "q \" &x"})
        );
        // Plain scalars may hold the indicators after their first character.
        assert_eq!(
            ok("k: a & b *c* !d\nurl: http://x/#y # comment\n"),
            json!({"k": "a & b *c* !d", "url": "http://x/#y"})
        );
        // A sequence at its mapping's indentation, then the mapping goes on.
        assert_eq!(ok("a:\n- 1\n- 2\nb: 3\n"), json!({"a": [1, 2], "b": 3}));
        assert_eq!(ok("--- \nx: 1\n...\n"), json!({"x": 1}));
        // Multi-line scalars: a quoted one (as PyYAML writes long strings), a plain one whose
        // continuation starts with an indicator (text, not a node).
        assert_eq!(
            ok("a: \"long \\\n  text\"\nb: x\n  'y\n  &z\nc: 1\n"),
            json!({"a": "long text", "b": "x 'y &z", "c": 1})
        );
        assert_eq!(ok(""), Value::Null);
        assert_eq!(ok("# only a comment\n"), Value::Null);
    }

    #[test]
    fn refuses_anchors_aliases_and_tags() {
        for (text, want) in [
            ("a: &x 1\nb: *x\n", "anchor"),
            ("a: *x\n", "alias"),
            ("- &x [1]\n", "anchor"),
            ("a: [1, *x]\n", "alias"),
            ("a: {b: &x 1}\n", "anchor"),
            ("? &k a\n: 1\n", "anchor"),
            ("a: !!binary aGk=\n", "tag"),
            ("a: !custom x\n", "tag"),
            ("%TAG ! tag:x,2000:\n--- !a b\n", "tag"),
            ("--- &x\na: 1\n", "anchor"),
            ("a: \"x\n  y\"\nb: *z\n", "alias"),
            ("a: [x,\n  *z]\n", "alias"),
            ("a: |\n  x\nb: *z\n", "alias"),
            ("- - - &x 1\n", "anchor"),
            ("<<: *base\n", "alias"),
            // A quote inside a plain scalar's continuation opens nothing: the anchor after it
            // is still seen.
            ("k: a\n  'x\nb: &a 1\n", "anchor"),
        ] {
            let got = parse_strict(text).unwrap_err();
            let kind = match got {
                YamlError::Anchor { .. } => "anchor",
                YamlError::Alias { .. } => "alias",
                YamlError::Tag { .. } => "tag",
                _ => "other",
            };
            assert_eq!(kind, want, "{text:?}: {got}");
        }
        assert_eq!(parse_strict("a: 1\nb: *x\n").unwrap_err().line(), Some(2));
    }

    #[test]
    fn refuses_duplicate_keys_and_what_json_cannot_hold() {
        assert!(matches!(
            parse_strict("a: 1\nb: 2\na: 3\n"),
            Err(YamlError::DuplicateKey { key, line: Some(_) }) if key == "a"
        ));
        assert!(matches!(
            parse_strict("x:\n  - {k: 1, k: 2}\n"),
            Err(YamlError::DuplicateKey { key, .. }) if key == "k"
        ));
        assert!(matches!(
            parse_strict("a: .inf\n"),
            Err(YamlError::Syntax { .. })
        ));
        assert!(matches!(
            parse_strict("? [a]\n: 1\n"),
            Err(YamlError::Syntax { .. })
        ));
        assert!(matches!(
            parse_strict("a: 1\n---\nb: 2\n"),
            Err(YamlError::MultipleDocuments { line: 2 })
        ));
        assert!(matches!(
            parse_strict("a: 1\n...\nb: 2\n"),
            Err(YamlError::MultipleDocuments { line: 3 })
        ));
    }

    #[test]
    fn refuses_deep_nesting_in_linear_time() {
        let deep_flow = "[".repeat(150_000);
        assert!(matches!(
            parse_strict(&deep_flow),
            Err(YamlError::TooDeep { line: 1 })
        ));
        let deep_map = "{a: ".repeat(100_000);
        assert!(matches!(
            parse_strict(&deep_map),
            Err(YamlError::TooDeep { .. })
        ));
        // `- - - - x`: 150,000 sequences nested on one line, 300 KB.
        let deep_dash = format!("{}x\n", "- ".repeat(150_000));
        assert!(matches!(
            parse_strict(&deep_dash),
            Err(YamlError::TooDeep { .. })
        ));
        let mut block = String::new();
        for d in 0..10_000 {
            block.push_str(&" ".repeat(d));
            block.push_str("k:\n");
        }
        assert!(matches!(
            parse_strict(&block),
            Err(YamlError::TooDeep { .. })
        ));
        // Just under the limit is read.
        let fine = format!("{}1{}", "[".repeat(60), "]".repeat(60));
        assert!(parse_strict(&fine).is_ok());
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "\"",
            "'",
            "a: \"",
            "[",
            "]",
            "}",
            "- ",
            "-",
            "?",
            ":",
            "a:\n\t- b",
            "\r\r\n",
            "#",
            "a: 'x''",
            "%YAML 1.2\n---\na: 1",
            "|",
            ">-\n  x",
            "\u{feff}a: 1",
            "a: \\",
            "[a, {b: c]",
            "a: b: c",
        ] {
            let _ = parse_strict(text);
        }
    }
}
