//! One sanitiser per output format, for every string that comes from evidence (reasons quote
//! it; tool names, builder ids, repositories, refs, paths and SBOM names are it).
//!
//! Evidence is attacker-controlled. Written as is, an ESC sequence in a SARIF tool name clears
//! the terminal and prints a fake `PASS`; a newline in a signed builder id prints a forged
//! `[verified]` line; a right-to-left override reorders what an auditor reads; `<`, `|` or `]`
//! reshape HTML, Markdown tables and Mermaid nodes. Every renderer therefore passes each
//! evidence-derived string through the function of the format it writes:
//!
//! | format | function |
//! |---|---|
//! | terminal, one line (every field) | [`terminal_line`] |
//! | terminal, a block that may span lines | [`terminal_block`] |
//! | Markdown text and table cells | [`markdown_text`], [`markdown_code`] |
//! | Mermaid labels | [`mermaid_label`] |
//! | HTML and SVG text and quoted attributes | [`html`] |
//! | XML (JUnit) text and attributes | [`xml`] |
//! | SARIF `message.text` | [`sarif_text`] |
//! | JSON (report, chain, SARIF, VSA) | [`write_json`], [`write_json_pretty`] |
//! | JSON as signed (`--print-provenance`) | [`json_document`] |
//!
//! **What is neutralised** ([`is_hidden`]): C0 controls (ESC, CR, BEL, ...), DEL, C1 controls
//! (U+0080–U+009F, among them the one-byte CSI U+009B and NEL U+0085), the line and paragraph
//! separators U+2028 and U+2029, the bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E,
//! U+2066–U+2069), every other Unicode format character (`Cf`: soft hyphen, zero-width space,
//! joiners, word joiner, BOM, interlinear annotations, tag characters), the rest of Unicode's
//! default-ignorable code points (variation selectors, Hangul fillers, the combining grapheme
//! joiner: they display as nothing, so two different identities would look the same), and
//! noncharacters. Zero-width joiners and variation selectors are legitimate inside emoji and
//! some scripts; in evidence (identities, URIs, paths, versions) they hide differences, so they
//! are shown escaped too.
//!
//! **How**: visibly, never dropped, so an auditor sees that something was there: `\n`, `\r`,
//! `\t`, or `\u{hex}` as Rust writes it (`\u{1b}` for ESC, `\u{202e}` for RIGHT-TO-LEFT
//! OVERRIDE). Then the format's own syntax is escaped, including in those escapes. In one-line
//! fields a newline is escaped like any control; only [`terminal_block`] keeps `\n` (and tab), and even there CR and ESC never pass.
//!
//! JSON is different: its consumers want the exact value, so [`write_json`] keeps every value
//! and only spells the characters above as `\uXXXX` escapes, which parse back to the same
//! string while the bytes stay safe to print.

use std::fmt::Write as _;
use std::io;

use serde::Serialize;

/// Whether the format keeps line breaks in this field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    /// One line: `\n` is escaped like any control character.
    One,
    /// A block: `\n` and tab pass; every other control is escaped.
    Many,
}

/// Unicode's `Default_Ignorable_Code_Point` property (DerivedCoreProperties.txt, 15.1): code
/// points that display as nothing.
const DEFAULT_IGNORABLE: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// Format characters (`Cf`) that are not default-ignorable: number signs, annotation anchors
/// (text between U+FFF9 and U+FFFB may be shown as ruby or not at all), Egyptian and Brahmi
/// format controls.
const OTHER_FORMAT: &[(u32, u32)] = &[
    (0x0600, 0x0605),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
];

/// Whether `c` must never reach an output as itself: it controls a terminal, reorders or hides
/// text, breaks a line, or is not a character at all. See the module documentation.
pub fn is_hidden(c: char) -> bool {
    let u = u32::from(c);
    let within = |table: &[(u32, u32)]| table.iter().any(|&(lo, hi)| (lo..=hi).contains(&u));
    c.is_control()
        || u == 0x2028
        || u == 0x2029
        || (0xFDD0..=0xFDEF).contains(&u)
        || u & 0xFFFE == 0xFFFE
        || within(DEFAULT_IGNORABLE)
        || within(OTHER_FORMAT)
}

/// The visible spelling of a hidden character: `\n`, `\r`, `\t`, else `\u{hex}`.
fn visible(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// The shared walk: hidden characters become their visible spelling, and every character
/// (those of the spelling too) goes through `syntax`, the format's own escaping.
fn sanitise(s: &str, lines: Lines, mut syntax: impl FnMut(char, &mut String)) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let mut spelled = String::new();
    for c in s.chars() {
        let keep = lines == Lines::Many && matches!(c, '\n' | '\t');
        if is_hidden(c) && !keep {
            spelled.clear();
            visible(c, &mut spelled);
            for v in spelled.chars() {
                syntax(v, &mut out);
            }
        } else {
            syntax(c, &mut out);
        }
    }
    out
}

fn plain(c: char, out: &mut String) {
    out.push(c);
}

/// A field on one terminal line: no control, bidi, invisible character or line break passes.
pub fn terminal_line(s: &str) -> String {
    sanitise(s, Lines::One, plain)
}

/// A block of terminal text that may span lines: `\n` and tab pass, nothing else does (no CR,
/// no ESC). Each line of it can still say anything, so use it only where the reader cannot
/// mistake a line of it for provenant's own.
pub fn terminal_block(s: &str) -> String {
    sanitise(s, Lines::Many, plain)
}

/// Markdown (GitHub-flavoured) text on one line, also safe in a table cell: the characters
/// that start emphasis, code, links, images, headings, tables, strike-through and math are
/// backslash-escaped, HTML is written as entities, and line breaks are escaped.
pub fn markdown_text(s: &str) -> String {
    sanitise(s, Lines::One, |c, out| match c {
        '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '$' => {
            out.push('\\');
            out.push(c);
        }
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        c => out.push(c),
    })
}

/// A code-like identifier (check code, digest) as a Markdown code span when it is plain
/// printable ASCII without a backtick or `|`; anything else as [`markdown_text`].
pub fn markdown_code(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic() && !"`|".contains(c));
    if plain {
        format!("`{s}`")
    } else {
        markdown_text(s)
    }
}

/// Text inside a double-quoted Mermaid label (`A["..."]`). Mermaid renders labels as HTML and
/// reads its own syntax in them, so everything but letters, digits, space and `.,:/@+=_-` is
/// written as a Mermaid entity code (`#34;` for `"`, `#60;` for `<`, `#35;` for `#` itself).
pub fn mermaid_label(s: &str) -> String {
    sanitise(s, Lines::One, |c, out| {
        if c.is_alphanumeric() || " .,:/@+=_-".contains(c) {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
    })
}

fn markup(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

/// HTML (and inline SVG) text or a quoted attribute value, on one line. Never use it for an
/// unquoted attribute, a URL, or inside `<script>` or `<style>`: the HTML report puts evidence
/// in none of those.
pub fn html(s: &str) -> String {
    sanitise(s, Lines::One, markup)
}

/// XML (JUnit) element text or attribute value, on one line: markup is escaped, and so is
/// every control character (which XML 1.0 could not carry anyway), so the document stays well
/// formed and a CI viewer shows each field on its line.
pub fn xml(s: &str) -> String {
    sanitise(s, Lines::One, markup)
}

/// SARIF `message.text` (plain text, one line). Viewers read `[text](id)` in it as a link, so
/// literal brackets are escaped with a backslash, as SARIF 2.1.0 (3.11.6) asks, and so is a
/// backslash right before one (it would otherwise escape the escape).
pub fn sarif_text(s: &str) -> String {
    let line: Vec<char> = terminal_line(s).chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    for (i, &c) in line.iter().enumerate() {
        let before_bracket = matches!(line.get(i + 1), Some('[' | ']'));
        if matches!(c, '[' | ']') || (c == '\\' && before_bracket) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A JSON document's text as given (signed bytes, printed as they are), made safe to print
/// without changing its value: inside strings a hidden character becomes a `\uXXXX` escape;
/// between tokens a CR (which would let a line overwrite itself on a terminal) becomes a space.
/// Bytes that are not UTF-8 show as U+FFFD. A document without such characters is unchanged.
pub fn json_document(doc: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(doc);
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    let spell = |c: char, out: &mut String, backslash: bool| {
        let mut units = [0u16; 2];
        for (i, u) in c.encode_utf16(&mut units).iter().enumerate() {
            let lead = if i == 0 && !backslash { "" } else { "\\" };
            let _ = write!(out, "{lead}u{u:04x}");
        }
    };
    for c in text.chars() {
        if escaped {
            // After a backslash: a hidden character here is invalid JSON anyway; the backslash
            // already written starts its escape.
            escaped = false;
            if is_hidden(c) {
                spell(c, &mut out, false);
            } else {
                out.push(c);
            }
        } else if in_string {
            match c {
                '\\' => {
                    escaped = true;
                    out.push(c);
                }
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                c if is_hidden(c) => spell(c, &mut out, true),
                c => out.push(c),
            }
        } else {
            match c {
                '"' => {
                    in_string = true;
                    out.push(c);
                }
                '\r' => out.push(' '),
                '\n' | '\t' => out.push(c),
                c if is_hidden(c) => spell(c, &mut out, true),
                c => out.push(c),
            }
        }
    }
    out.into_bytes()
}

/// A JSON formatter that writes hidden characters as `\uXXXX` escapes: the same value to a
/// JSON reader, and bytes that cannot drive a terminal or reorder what a viewer shows.
struct SafeJson<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for SafeJson<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_hidden(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(w, "\\u{u:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Write `value` as pretty JSON with hidden characters as `\uXXXX` escapes, and a final newline.
pub fn write_json_pretty(w: &mut impl io::Write, value: &impl Serialize) -> io::Result<()> {
    let fmt = SafeJson(serde_json::ser::PrettyFormatter::new());
    let mut ser = serde_json::Serializer::with_formatter(&mut *w, fmt);
    value.serialize(&mut ser).map_err(io::Error::from)?;
    w.write_all(b"\n")
}

/// Write `value` as compact JSON (no final newline) with hidden characters as `\uXXXX` escapes.
pub fn write_json(w: &mut impl io::Write, value: &impl Serialize) -> io::Result<()> {
    let fmt = SafeJson(serde_json::ser::CompactFormatter);
    let mut ser = serde_json::Serializer::with_formatter(w, fmt);
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// [`write_json`] into a new buffer.
pub fn to_json_vec(value: &impl Serialize) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_json(&mut out, value)?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // tests read back what the sanitisers wrote
mod tests {
    use super::*;

    /// Hostile characters, each of which must never pass as itself.
    const HOSTILE: &[char] = &[
        '\u{1b}',
        '\r',
        '\n',
        '\u{7}',
        '\u{8}',
        '\u{0}',
        '\u{b}',
        '\u{c}',
        '\u{7f}',
        '\u{85}',
        '\u{9b}',
        '\u{2028}',
        '\u{2029}',
        '\u{202a}',
        '\u{202b}',
        '\u{202c}',
        '\u{202d}',
        '\u{202e}',
        '\u{2066}',
        '\u{2067}',
        '\u{2068}',
        '\u{2069}',
        '\u{200e}',
        '\u{200f}',
        '\u{61c}',
        '\u{200b}',
        '\u{200c}',
        '\u{200d}',
        '\u{2060}',
        '\u{feff}',
        '\u{ad}',
        '\u{fff9}',
        '\u{e0041}',
        '\u{fe0f}',
        '\u{3164}',
        '\u{fffe}',
        '\u{ffff}',
    ];

    fn all_hostile() -> String {
        HOSTILE.iter().collect()
    }

    fn assert_clean(out: &str, allowed: &[char]) {
        for c in out.chars() {
            assert!(
                !HOSTILE.contains(&c) || allowed.contains(&c),
                "{:?} passed in {out:?}",
                c
            );
        }
    }

    #[test]
    fn hidden_characters_are_recognised_and_ordinary_text_is_not() {
        for &c in HOSTILE {
            assert!(is_hidden(c), "{c:?}");
        }
        for c in "aZ09 -_./:@é漢ßΩ€✓\u{10348}🙂".chars() {
            assert!(!is_hidden(c), "{c:?}");
        }
    }

    #[test]
    fn terminal_line_shows_every_hidden_character_escaped() {
        let out = terminal_line(&all_hostile());
        assert_clean(&out, &[]);
        assert!(out.starts_with(r"\u{1b}\r\n\u{7}"), "{out}");
        assert!(
            out.contains(r"\u{202e}") && out.contains(r"\u{9b}"),
            "{out}"
        );
        // Nothing is dropped: one escape per character.
        assert_eq!(out.matches('\\').count(), HOSTILE.len());
        assert_eq!(terminal_line("plain text é"), "plain text é");
    }

    #[test]
    fn a_forged_line_stays_on_its_line() {
        let builder = "https://github.com/x\n  [verified] builder https://evil";
        let out = terminal_line(builder);
        assert_eq!(out.lines().count(), 1);
        assert_eq!(
            out,
            r"https://github.com/x\n  [verified] builder https://evil"
        );
        let clear = terminal_line("\u{1b}[2J\u{1b}[HPASS");
        assert_eq!(clear, r"\u{1b}[2J\u{1b}[HPASS");
    }

    #[test]
    fn terminal_block_keeps_newlines_and_tabs_only() {
        let out = terminal_block("a\n\tb\r\u{1b}[31mc\u{202e}");
        assert_eq!(out, "a\n\tb\\r\\u{1b}[31mc\\u{202e}");
        assert_clean(&out, &['\n']);
    }

    #[test]
    fn markdown_text_cannot_reshape_a_page() {
        let s = markdown_text("a|b\nc <script> [x](javascript:y) `z` $\\color{red}$ \u{202e}");
        assert!(!s.contains('\n') && !s.contains('<'));
        assert!(!s.replace("\\|", "").contains('|'));
        assert_eq!(
            s,
            "a\\|b\\\\nc &lt;script&gt; \\[x\\](javascript:y) \\`z\\` \\$\\\\color{red}\\$ \\\\u{202e}"
        );
        assert_clean(&markdown_text(&all_hostile()), &[]);
    }

    #[test]
    fn markdown_code_spans_only_plain_ascii() {
        assert_eq!(markdown_code("sha256:ab"), "`sha256:ab`");
        assert_eq!(markdown_code("a`b"), "a\\`b");
        assert_eq!(markdown_code("a|b"), "a\\|b");
        assert_eq!(markdown_code("a\u{202e}b"), "a\\\\u{202e}b");
        assert_eq!(markdown_code(""), "");
    }

    #[test]
    fn mermaid_labels_are_entity_codes_for_everything_else() {
        let s = mermaid_label("a\"]-->X[\"<b>x</b>`#quot;|;(){}'&%\nz");
        assert_eq!(
            s,
            "a#34;#93;--#62;X#91;#34;#60;b#62;x#60;/b#62;#96;#35;quot#59;#124;#59;#40;#41;#123;#125;#39;#38;#37;#92;nz"
        );
        for c in "\"[](){}<>|`'&\n\r".chars() {
            assert!(!mermaid_label(&format!("x{c}y")).contains(c), "{c:?}");
        }
        // `#` and `;` appear only as parts of entity codes.
        assert_eq!(mermaid_label("#;"), "#35;#59;");
        assert_clean(&mermaid_label(&all_hostile()), &[]);
        assert_eq!(mermaid_label("github.com/o/r@v1.0"), "github.com/o/r@v1.0");
    }

    #[test]
    fn html_escapes_markup_quotes_and_hidden_characters() {
        assert_eq!(
            html("<a href=\"x\">'&'</a>\u{0}\u{7}\t\u{202e}"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\\u{0}\\u{7}\\t\\u{202e}"
        );
        assert_clean(&html(&all_hostile()), &[]);
    }

    #[test]
    fn xml_is_well_formed_and_one_line() {
        assert_eq!(
            xml("]]><x a='b'>\n\r"),
            "]]&gt;&lt;x a=&#39;b&#39;&gt;\\n\\r"
        );
        assert_clean(&xml(&all_hostile()), &[]);
    }

    #[test]
    fn sarif_text_cannot_forge_a_link() {
        assert_eq!(sarif_text("see [x](0)"), r"see \[x\](0)");
        assert_eq!(sarif_text(r"a\[b"), r"a\\\[b");
        assert_eq!(sarif_text(r"C:\dir"), r"C:\dir");
        assert_eq!(sarif_text("a\nb"), r"a\nb");
        assert_clean(&sarif_text(&all_hostile()), &[]);
    }

    #[test]
    fn json_keeps_the_value_and_escapes_the_bytes() {
        let v = serde_json::json!({ "k\u{202e}": [all_hostile(), "plain é"] });
        let mut pretty = Vec::new();
        write_json_pretty(&mut pretty, &v).unwrap();
        let compact = to_json_vec(&v).unwrap();
        for bytes in [&pretty, &compact] {
            let text = std::str::from_utf8(bytes).unwrap();
            assert_clean(text, &['\n']);
            assert!(
                text.contains("\\u202e") && text.contains("\\udb40\\udc41"),
                "{text}"
            );
            let back: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            assert_eq!(back, v);
        }
        assert!(pretty.ends_with(b"}\n"));
    }

    #[test]
    fn json_documents_keep_their_value_and_lose_hidden_characters() {
        let doc = "{\"a\":\"x\u{202e}y\u{e0041}\",\r\n \"b\\\"\u{9b}\":[1, \"\\\\\"]}";
        let safe = String::from_utf8(json_document(doc.as_bytes())).unwrap();
        assert_eq!(
            safe,
            "{\"a\":\"x\\u202ey\\udb40\\udc41\", \n \"b\\\"\\u009b\":[1, \"\\\\\"]}"
        );
        assert_clean(&safe, &['\n']);
        let (a, b): (serde_json::Value, serde_json::Value) = (
            serde_json::from_str(doc).unwrap(),
            serde_json::from_str(&safe).unwrap(),
        );
        assert_eq!(a, b);
        let plain = "{\"a\": [1, \"b\"]}\n";
        assert_eq!(json_document(plain.as_bytes()), plain.as_bytes());
    }

    #[test]
    fn json_layout_is_serde_json_layout() {
        let v = serde_json::json!({"a": [1, {"b": "c"}], "d": {}, "e": []});
        let mut ours = Vec::new();
        write_json_pretty(&mut ours, &v).unwrap();
        let theirs = serde_json::to_string_pretty(&v).unwrap() + "\n";
        assert_eq!(String::from_utf8(ours).unwrap(), theirs);
        assert_eq!(
            String::from_utf8(to_json_vec(&v).unwrap()).unwrap(),
            serde_json::to_string(&v).unwrap()
        );
    }
}
