//! SPDX license expressions: syntax only (ids are not checked against the SPDX license list,
//! which provenant does not carry; `LicenseRef-` ids must be declared in the document).

/// One thing wrong with a license expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum LicenseProblem {
    /// A word that is neither an operator nor a well-formed id.
    #[error(
        "invalid license id {0:?}: ids use only letters, digits, \".\", \"-\", \"+\" and \":\""
    )]
    InvalidId(String),
    /// Nothing but whitespace.
    #[error("a license expression is empty")]
    Empty,
    /// The tokens do not form an expression.
    #[error("{syntax} in license expression {expression:?}")]
    Syntax {
        /// What the parser found.
        syntax: SyntaxError,
        /// The expression, trimmed.
        expression: String,
    },
    /// A `LicenseRef-` id the document does not declare.
    #[error("{0} is not declared in the document's extracted licensing information")]
    UndeclaredLicenseRef(String),
    /// `DocumentRef-x:y` where `y` is not a `LicenseRef-`.
    #[error(
        "a license reference in another document must start with \"LicenseRef-\", but is {license} in {id}"
    )]
    ExternalNotLicenseRef {
        /// The part after the colon.
        license: String,
        /// The whole id.
        id: String,
    },
    /// `DocumentRef-x:` naming no external document reference of the document.
    #[error(
        "external document reference {document:?} (in license {id}) is not declared in the document"
    )]
    UndeclaredDocumentRef {
        /// The part before the colon.
        document: String,
        /// The whole id.
        id: String,
    },
    /// More than one colon.
    #[error("too many colons in license reference {0}")]
    TooManyColons(String),
}

/// Why the tokens of a license expression do not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum SyntaxError {
    /// Over [`MAX_DEPTH`].
    #[error("parentheses nested deeper than {limit}")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// `(` without its `)`.
    #[error("an unclosed \"(\"")]
    Unclosed,
    /// `WITH` at the end or before an operator.
    #[error("WITH not followed by an exception id")]
    WithoutException,
    /// A token (or the end) where it cannot stand.
    #[error("unexpected {0}")]
    Unexpected(&'static str),
    /// `MIT AND` and the like.
    #[error("an operator without a right-hand side")]
    MissingOperand,
}

/// What is wrong with a license expression, if anything. `declared` says whether a
/// `LicenseRef-` id is declared in `hasExtractedLicensingInfos`; `doc_ref` whether a
/// `DocumentRef-` prefix names an external document reference.
pub(super) fn check(
    expr: &str,
    declared: &dyn Fn(&str) -> bool,
    doc_ref: &dyn Fn(&str) -> bool,
) -> Vec<LicenseProblem> {
    let trimmed = expr.trim();
    if matches!(trimmed, "NOASSERTION" | "NONE") {
        return vec![];
    }
    let tokens = match tokenize(trimmed) {
        Ok(t) => t,
        Err(e) => return vec![e],
    };
    if tokens.is_empty() {
        return vec![LicenseProblem::Empty];
    }
    let mut problems = Vec::new();
    for t in &tokens {
        if let Token::Id(id) = t {
            problems.extend(check_id(id, declared, doc_ref));
        }
    }
    let mut p = Parser {
        tokens: &tokens,
        at: 0,
    };
    let syntax = match p.expr(0) {
        Ok(()) if p.at == tokens.len() => None,
        Ok(()) => Some(SyntaxError::Unexpected(
            tokens.get(p.at).map_or("end", Token::describe),
        )),
        Err(e) => Some(e),
    };
    if let Some(syntax) = syntax {
        problems.push(LicenseProblem::Syntax {
            syntax,
            expression: trimmed.to_owned(),
        });
    }
    problems
}

fn check_id(
    id: &str,
    declared: &dyn Fn(&str) -> bool,
    doc_ref: &dyn Fn(&str) -> bool,
) -> Vec<LicenseProblem> {
    let mut out = Vec::new();
    let parts: Vec<&str> = id.split(':').collect();
    match parts.as_slice() {
        [one] => {
            if one.starts_with("LicenseRef-") && !declared(one) {
                out.push(LicenseProblem::UndeclaredLicenseRef((*one).to_owned()));
            }
        }
        [doc, lic] => {
            if !lic.starts_with("LicenseRef-") {
                out.push(LicenseProblem::ExternalNotLicenseRef {
                    license: (*lic).to_owned(),
                    id: id.to_owned(),
                });
            }
            if !doc_ref(doc) {
                out.push(LicenseProblem::UndeclaredDocumentRef {
                    document: (*doc).to_owned(),
                    id: id.to_owned(),
                });
            }
        }
        _ => out.push(LicenseProblem::TooManyColons(id.to_owned())),
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Open,
    Close,
    And,
    Or,
    With,
    Id(&'a str),
}

impl Token<'_> {
    fn describe(&self) -> &'static str {
        match self {
            Token::Open => "\"(\"",
            Token::Close => "\")\"",
            Token::And => "AND",
            Token::Or => "OR",
            Token::With => "WITH",
            Token::Id(_) => "license id",
        }
    }
}

fn word(w: &str) -> Result<Token<'_>, LicenseProblem> {
    // Operators in any case, as the license-expression library tools-python uses reads them.
    if w.eq_ignore_ascii_case("AND") {
        Ok(Token::And)
    } else if w.eq_ignore_ascii_case("OR") {
        Ok(Token::Or)
    } else if w.eq_ignore_ascii_case("WITH") {
        Ok(Token::With)
    } else if w
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | ':' | '_'))
    {
        Ok(Token::Id(w))
    } else {
        Err(LicenseProblem::InvalidId(w.to_owned()))
    }
}

fn tokenize(s: &str) -> Result<Vec<Token<'_>>, LicenseProblem> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        let boundary = c.is_whitespace() || c == '(' || c == ')';
        if boundary {
            if let Some(st) = start.take() {
                out.push(word(&s[st..i])?);
            }
            match c {
                '(' => out.push(Token::Open),
                ')' => out.push(Token::Close),
                _ => {}
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push(word(&s[st..])?);
    }
    Ok(out)
}

/// Recursive descent over `expr := term (OR term)*; term := factor (AND factor)*;
/// factor := "(" expr ")" | id [WITH id]`, bounded in depth.
struct Parser<'t, 'a> {
    tokens: &'t [Token<'a>],
    at: usize,
}

use crate::limits::MAX_LICENSE_EXPRESSION_DEPTH as MAX_DEPTH;

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Token<'_>> {
        self.tokens.get(self.at)
    }

    fn expr(&mut self, depth: usize) -> Result<(), SyntaxError> {
        self.term(depth)?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            self.term(depth)?;
        }
        Ok(())
    }

    fn term(&mut self, depth: usize) -> Result<(), SyntaxError> {
        self.factor(depth)?;
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            self.factor(depth)?;
        }
        Ok(())
    }

    fn factor(&mut self, depth: usize) -> Result<(), SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(SyntaxError::TooDeep { limit: MAX_DEPTH });
        }
        match self.peek() {
            Some(Token::Open) => {
                self.at += 1;
                self.expr(depth + 1)?;
                if self.peek() != Some(&Token::Close) {
                    return Err(SyntaxError::Unclosed);
                }
                self.at += 1;
                Ok(())
            }
            Some(Token::Id(_)) => {
                self.at += 1;
                if self.peek() == Some(&Token::With) {
                    self.at += 1;
                    match self.peek() {
                        Some(Token::Id(_)) => self.at += 1,
                        _ => return Err(SyntaxError::WithoutException),
                    }
                }
                Ok(())
            }
            Some(t) => Err(SyntaxError::Unexpected(t.describe())),
            None => Err(SyntaxError::MissingOperand),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(e: &str) -> bool {
        check(e, &|id| id == "LicenseRef-1", &|d| d == "DocumentRef-x").is_empty()
    }

    #[test]
    fn accepts_spdx_expressions() {
        assert!(ok("MIT"));
        assert!(ok("NOASSERTION"));
        assert!(ok("(MIT OR Apache-2.0) AND LicenseRef-1"));
        assert!(ok("GPL-2.0+ WITH Classpath-exception-2.0"));
        assert!(ok("DocumentRef-x:LicenseRef-y"));
        assert!(ok("mit or apache-2.0"));
    }

    #[test]
    fn rejects_prose_and_undeclared_refs() {
        assert!(!ok("Apache License (2.0)"));
        assert!(!ok("2-clause BSDL, Ruby's"));
        assert!(!ok("MIT AND"));
        assert!(!ok("(MIT"));
        assert!(!ok("MIT)"));
        assert!(!ok("LicenseRef-2"));
        assert!(!ok("DocumentRef-y:LicenseRef-1"));
        assert!(!ok("a:b:c"));
        assert!(!ok(""));
        assert!(!ok(&"(".repeat(200)));
    }

    #[test]
    fn problems_read_as_before_the_typed_errors() {
        let msgs = |e: &str| -> Vec<String> {
            check(e, &|_| false, &|_| false)
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(
            msgs("MIT AND"),
            ["an operator without a right-hand side in license expression \"MIT AND\""]
        );
        assert_eq!(
            msgs("MIT)"),
            ["unexpected \")\" in license expression \"MIT)\""]
        );
        assert_eq!(
            msgs("(MIT"),
            ["an unclosed \"(\" in license expression \"(MIT\""]
        );
        assert_eq!(msgs("M;T"), ["invalid license id \"M;T\": ids use only letters, digits, \".\", \"-\", \"+\" and \":\""]);
        assert_eq!(msgs("  "), ["a license expression is empty"]);
        assert_eq!(
            msgs("x:y"),
            [
                "a license reference in another document must start with \"LicenseRef-\", but is y in x:y",
                "external document reference \"x\" (in license x:y) is not declared in the document",
            ]
        );
        assert_eq!(
            msgs("LicenseRef-2"),
            ["LicenseRef-2 is not declared in the document's extracted licensing information"]
        );
        assert_eq!(
            msgs("a:b:c"),
            ["too many colons in license reference a:b:c"]
        );
        assert_eq!(
            msgs(&"(".repeat(70)),
            [format!(
                "parentheses nested deeper than 64 in license expression {:?}",
                "(".repeat(70)
            )]
        );
    }
}
