//! SPDX license expressions: syntax only (ids are not checked against the SPDX license list,
//! which provenant does not carry; `LicenseRef-` ids must be declared in the document).

/// What is wrong with a license expression, if anything. `declared` says whether a
/// `LicenseRef-` id is declared in `hasExtractedLicensingInfos`; `doc_ref` whether a
/// `DocumentRef-` prefix names an external document reference.
pub(super) fn check(
    expr: &str,
    declared: &dyn Fn(&str) -> bool,
    doc_ref: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let trimmed = expr.trim();
    if matches!(trimmed, "NOASSERTION" | "NONE") {
        return vec![];
    }
    let tokens = match tokenize(trimmed) {
        Ok(t) => t,
        Err(e) => return vec![e],
    };
    if tokens.is_empty() {
        return vec!["a license expression is empty".into()];
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
    match p.expr(0) {
        Ok(()) if p.at == tokens.len() => {}
        Ok(()) => problems.push(format!(
            "unexpected {} in license expression {trimmed:?}",
            tokens.get(p.at).map_or("end", Token::describe)
        )),
        Err(e) => problems.push(format!("{e} in license expression {trimmed:?}")),
    }
    problems
}

fn check_id(
    id: &str,
    declared: &dyn Fn(&str) -> bool,
    doc_ref: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let parts: Vec<&str> = id.split(':').collect();
    match parts.as_slice() {
        [one] => {
            if one.starts_with("LicenseRef-") && !declared(one) {
                out.push(format!(
                    "{one} is not declared in the document's extracted licensing information"
                ));
            }
        }
        [doc, lic] => {
            if !lic.starts_with("LicenseRef-") {
                out.push(format!(
                    "a license reference in another document must start with \"LicenseRef-\", but is {lic} in {id}"
                ));
            }
            if !doc_ref(doc) {
                out.push(format!(
                    "external document reference {doc:?} (in license {id}) is not declared in the document"
                ));
            }
        }
        _ => out.push(format!("too many colons in license reference {id}")),
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

fn word(w: &str) -> Result<Token<'_>, String> {
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
        Err(format!(
            "invalid license id {w:?}: ids use only letters, digits, \".\", \"-\", \"+\" and \":\""
        ))
    }
}

fn tokenize(s: &str) -> Result<Vec<Token<'_>>, String> {
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

    fn expr(&mut self, depth: usize) -> Result<(), String> {
        self.term(depth)?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            self.term(depth)?;
        }
        Ok(())
    }

    fn term(&mut self, depth: usize) -> Result<(), String> {
        self.factor(depth)?;
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            self.factor(depth)?;
        }
        Ok(())
    }

    fn factor(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("parentheses nested deeper than {MAX_DEPTH}"));
        }
        match self.peek() {
            Some(Token::Open) => {
                self.at += 1;
                self.expr(depth + 1)?;
                if self.peek() != Some(&Token::Close) {
                    return Err("an unclosed \"(\"".into());
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
                        _ => return Err("WITH not followed by an exception id".into()),
                    }
                }
                Ok(())
            }
            Some(t) => Err(format!("unexpected {}", t.describe())),
            None => Err("an operator without a right-hand side".into()),
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
}
