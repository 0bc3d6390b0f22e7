//! Probing an identity regexp with synthetic hostile identities.
//!
//! An identity regexp is meant to name one signer (a workflow of one repository, or a mailbox).
//! Reading it is not enough to tell whether it does (`^https://.*$`, `^.*release\.yml.*$` and
//! `^https://github\.com/org/[^/]+/…$` all look deliberate), so lint runs it: it derives one
//! identity the regexp accepts (a *witness*, built from the regexp's syntax tree), varies each
//! part an attacker controls — the host, the owner, the repository, the workflow file name, the
//! mail domain — and reports every variation the regexp still accepts. A fixed set of identities
//! no policy should accept is tried too, so a regexp with no usable witness is still probed.

use regex::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Identities no identity regexp of a real policy accepts: another host, another owner and
/// repository on the usual host, a workflow whose name only contains `release.yml`, a mailbox of
/// another domain.
const HOSTILE: &[(&str, &str)] = &[
    (
        "https://attacker.example/attacker/attacker/.github/workflows/release.yml@refs/heads/main",
        "another host",
    ),
    (
        "https://github.com/attacker-owner/attacker-repo/.github/workflows/release.yml@refs/heads/main",
        "another owner and repository",
    ),
    (
        "https://github.com/attacker-owner/attacker-repo/.github/workflows/release.yml.attacker.yml@refs/heads/main",
        "a sibling workflow of another repository",
    ),
    (
        "https://gitlab.com/attacker-group/attacker-project//.gitlab-ci.yml@refs/heads/main",
        "another host",
    ),
    ("attacker@attacker.example", "a mailbox of another domain"),
];

/// The hostile identities `re` (anchored at both ends, as provenant matches it) accepts, each
/// with what makes it hostile. Empty when the regexp does not compile (lint reports that).
pub(crate) fn hostile_matches(re: &str) -> Vec<(String, &'static str)> {
    let anchored = format!("^(?:{re})$");
    let Ok(matcher) = Regex::new(&anchored) else {
        return Vec::new();
    };
    let mut candidates: Vec<(String, &'static str)> = HOSTILE
        .iter()
        .map(|(id, why)| ((*id).to_owned(), *why))
        .collect();
    if let Some(w) = witness(&anchored) {
        // The fixed identities again with the witness's ref, so a regexp that pins only the
        // ref (`…@refs/tags/v.*`) is probed with hostile repositories at that ref.
        if let Some((_, reference)) = w.split_once("://").and_then(|(_, r)| r.split_once('@')) {
            for (id, why) in HOSTILE {
                if let Some(base) = id.strip_suffix("@refs/heads/main") {
                    candidates.push((format!("{base}@{reference}"), *why));
                }
            }
        }
        candidates.extend(variations(&w));
    }
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for (id, why) in candidates {
        if matcher.is_match(&id) && !out.iter().any(|(seen, _)| *seen == id) {
            out.push((id, why));
        }
    }
    out
}

/// One string the regexp accepts, built from its syntax tree: literals as written, the first
/// branch of an alternation, the fewest repetitions allowed, a plain character from a class.
/// `None` when the regexp does not parse or the tree is too large to walk.
fn witness(re: &str) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .nest_limit(64)
        .build()
        .parse(re)
        .ok()?;
    let mut out = String::new();
    let mut budget = 4096usize;
    walk(&hir, &mut out, &mut budget).then_some(out)
}

fn walk(h: &Hir, out: &mut String, budget: &mut usize) -> bool {
    if *budget == 0 || out.len() > 4096 {
        return false;
    }
    *budget -= 1;
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(l) => match std::str::from_utf8(&l.0) {
            Ok(s) => {
                out.push_str(s);
                true
            }
            Err(_) => false,
        },
        HirKind::Class(c) => match class_char(c) {
            Some(ch) => {
                out.push(ch);
                true
            }
            None => false,
        },
        HirKind::Repetition(r) => (0..r.min.min(64)).all(|_| walk(&r.sub, out, budget)),
        HirKind::Capture(c) => walk(&c.sub, out, budget),
        HirKind::Concat(parts) => parts.iter().all(|p| walk(p, out, budget)),
        HirKind::Alternation(alts) => alts.first().is_some_and(|a| walk(a, out, budget)),
    }
}

/// A readable character of the class: a lowercase letter or digit when the class has one
/// (`[^/]` gives `a`, not NUL), else the first character it holds.
fn class_char(c: &Class) -> Option<char> {
    let has = |ch: char| match c {
        Class::Unicode(u) => u.ranges().iter().any(|r| r.start() <= ch && ch <= r.end()),
        Class::Bytes(b) => u8::try_from(ch).is_ok_and(|byte| {
            b.ranges()
                .iter()
                .any(|r| r.start() <= byte && byte <= r.end())
        }),
    };
    if let Some(ch) = ('a'..='z').chain('0'..='9').find(|ch| has(*ch)) {
        return Some(ch);
    }
    match c {
        Class::Unicode(u) => u.ranges().first().map(|r| r.start()),
        Class::Bytes(b) => b
            .ranges()
            .first()
            .map(|r| r.start())
            .filter(u8::is_ascii)
            .map(char::from),
    }
}

/// The witness with each attacker-controlled part changed, one at a time.
fn variations(w: &str) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    if let Some((scheme, rest)) = w.split_once("://") {
        let (path, reference) = match rest.split_once('@') {
            Some((p, r)) => (p, Some(r)),
            None => (rest, None),
        };
        let with_ref = |p: String| match reference {
            Some(r) => format!("{scheme}://{p}@{r}"),
            None => format!("{scheme}://{p}"),
        };
        let segs: Vec<&str> = path.split('/').collect();
        // An empty path segment is where a `.*` matched nothing: the owner and repository an
        // attacker would put there.
        if let Some(i) = segs.iter().skip(1).position(|s| s.is_empty()) {
            let mut s: Vec<&str> = segs.clone();
            s[i + 1] = "attacker-owner/attacker-repo";
            out.push((with_ref(s.join("/")), "another owner and repository"));
        }
        let mut vary = |i: usize, to: String, why: &'static str| {
            let mut s: Vec<String> = segs.iter().map(|s| (*s).to_owned()).collect();
            s[i] = to;
            out.push((with_ref(s.join("/")), why));
        };
        if let Some(host) = segs.first().filter(|h| !h.is_empty()) {
            vary(0, "attacker.example".into(), "another host");
            vary(0, format!("{host}.attacker.example"), "a look-alike host");
        }
        if let Some(owner) = segs.get(1).filter(|s| !s.is_empty()) {
            vary(1, "attacker-owner".into(), "another owner");
            vary(1, format!("{owner}-evil"), "another owner");
        }
        if let Some(repo) = segs.get(2).filter(|s| !s.is_empty()) {
            vary(2, "attacker-repo".into(), "another repository");
            vary(2, format!("{repo}-evil"), "another repository");
        }
        if segs.len() > 3 {
            if let Some(file) = segs.last() {
                let last = segs.len() - 1;
                vary(
                    last,
                    format!("{file}.attacker.yml"),
                    "a sibling workflow file",
                );
                vary(last, "attacker.yml".into(), "another workflow file");
            }
        }
    } else if let Some((local, domain)) = w.rsplit_once('@') {
        if !domain.is_empty() {
            out.push((
                format!("{local}@attacker.example"),
                "a mailbox of another domain",
            ));
            out.push((
                format!("{local}@{domain}.attacker.example"),
                "a mailbox of a look-alike domain",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostile(re: &str) -> Vec<&'static str> {
        hostile_matches(re)
            .into_iter()
            .map(|(_, why)| why)
            .collect()
    }

    #[test]
    fn wide_open_identities_are_found() {
        for re in [
            "^https://.*$",
            "^.*release\\.yml.*$",
            "^https://github\\.com/.*/\\.github/workflows/release\\.yml@refs/tags/v.*$",
            "^https://github\\.com/org/[^/]+/\\.github/workflows/release\\.yml@.*$",
            "^https://github\\.com/org/repo/\\.github/workflows/release\\.yml.*$",
            "^https://github\\.com/org.*/repo/\\.github/workflows/release\\.yml@refs/heads/main$",
            "^https://[^/]+/org/repo/\\.github/workflows/release\\.yml@refs/heads/main$",
            "^https://github\\.com/org/repo/\\.github/workflows/[^@]+@refs/heads/main$",
            "^.*@example\\.com.*$",
        ] {
            assert!(!hostile(re).is_empty(), "{re} lints clean");
        }
    }

    #[test]
    fn tight_identities_lint_clean() {
        for re in [
            "^https://github\\.com/org/repo/\\.github/workflows/release\\.yml@refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+$",
            "^https://github\\.com/org/repo/\\.github/workflows/release\\.yml@refs/heads/main$",
            "^https://github\\.com/org/(app|lib)/\\.github/workflows/release\\.yml@refs/tags/.*$",
            "^(alice|bob)@example\\.com$",
            "^[a-z]+@example\\.com$",
        ] {
            assert!(hostile(re).is_empty(), "{re}: {:?}", hostile_matches(re));
        }
    }

    #[test]
    fn witnesses_are_readable_and_matching() {
        let re = "^https://github\\.com/org/[^/]+/x\\.yml@refs/tags/v[0-9]+$";
        let w = witness(&format!("^(?:{re})$")).unwrap();
        assert_eq!(w, "https://github.com/org/a/x.yml@refs/tags/v0");
        assert!(Regex::new(re).unwrap().is_match(&w));
    }
}
