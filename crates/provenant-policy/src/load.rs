//! Read a policy file: strict YAML, then the JSON Schema, then the typed document, then the
//! rules no schema can state (contradictions, impossible thresholds, identity regexps that
//! would let an attacker through elsewhere). Every problem is reported at once, with its line.

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

use crate::document::{PolicyDocument, Signer, MAX_POLICY_BYTES};
use crate::eval::parse_semver;
use crate::flags::normalize_repo;
use provenant_formats::yaml::YamlError;

use crate::lines::{escape_segment, LineIndex};

/// The policy schema (`attestations/policy.schema.json`).
pub const POLICY_SCHEMA: &str = include_str!("../../../attestations/policy.schema.json");

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The policy cannot be used as written.
    Error,
    /// The policy works, but probably not as meant.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// One finding about a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The JSON pointer of the value (`/signers/0/identityRegexp`); empty for the document.
    pub path: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: ")?,
            None => f.write_str("line ?: ")?,
        }
        write!(f, "{}: ", self.severity.as_str())?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

struct Sink<'a> {
    index: &'a LineIndex,
    out: Vec<Diagnostic>,
}

impl Sink<'_> {
    fn push(&mut self, severity: Severity, path: &str, message: impl Into<String>) {
        self.out.push(Diagnostic {
            severity,
            line: self.index.line_of(path),
            path: path.to_owned(),
            message: message.into(),
        });
    }
    fn error(&mut self, path: &str, message: impl Into<String>) {
        self.push(Severity::Error, path, message);
    }
    fn warn(&mut self, path: &str, message: impl Into<String>) {
        self.push(Severity::Warning, path, message);
    }
}

/// Parse a policy for use: every error found, or the document. Warnings are dropped (see
/// [`lint_policy`]); nothing here depends on the time, so an expired waiver is left to the gate
/// checks, where it fails as `gate-waiver-invalid`.
pub fn parse_policy(bytes: &[u8]) -> Result<PolicyDocument, Vec<Diagnostic>> {
    let (doc, diags) = read(bytes, None);
    let errors: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    match doc {
        Some(d) if errors.is_empty() => Ok(d),
        _ if errors.is_empty() => Err(vec![Diagnostic {
            severity: Severity::Error,
            line: None,
            path: String::new(),
            message: "the policy could not be read".into(),
        }]),
        _ => Err(errors),
    }
}

/// Every finding about a policy, errors and warnings, in line order. `now` (RFC 3339) dates
/// the waivers.
pub fn lint_policy(bytes: &[u8], now: jiff::Timestamp) -> Vec<Diagnostic> {
    let (_, mut diags) = read(bytes, Some(now));
    diags.sort_by_key(|d| (d.line.unwrap_or(usize::MAX), d.severity));
    diags
}

fn doc_error(message: impl Into<String>, line: Option<usize>) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        line,
        path: String::new(),
        message: message.into(),
    }
}

fn read(bytes: &[u8], now: Option<jiff::Timestamp>) -> (Option<PolicyDocument>, Vec<Diagnostic>) {
    if bytes.len() as u64 > MAX_POLICY_BYTES {
        return (
            None,
            vec![doc_error(
                format!("larger than the {MAX_POLICY_BYTES}-byte limit for a policy file"),
                None,
            )],
        );
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return (None, vec![doc_error("not UTF-8 text", None)]);
    };
    // The strict reader's linear scan first: anchors, aliases, tags and deep nesting are refused
    // before anything else (the line index below is not linear on pathological nesting).
    if let Err(e) = provenant_formats::yaml::precheck(text) {
        return (None, vec![doc_error(strip_line(&e.to_string()), e.line())]);
    }
    let index = LineIndex::new(text);
    let mut sink = Sink {
        index: &index,
        out: Vec::new(),
    };
    for (path, line, first) in index.duplicates() {
        let key = path.rsplit('/').next().unwrap_or_default();
        sink.out.push(Diagnostic {
            severity: Severity::Error,
            line: Some(*line),
            path: path.clone(),
            message: format!(
                "duplicate key {key:?} (first at line {first}): a reader and provenant could disagree on which one counts; keep one"
            ),
        });
    }
    // The one strict YAML entry: anchors, aliases, tags, a second document and deep nesting are
    // refused by a linear scan before the parser runs; duplicate keys by the parser.
    let value = match provenant_formats::yaml::parse_strict(text) {
        Ok(v) => v,
        Err(e) => {
            // Duplicates are already reported above, each with both of its lines.
            let reported =
                matches!(e, YamlError::DuplicateKey { .. }) && !index.duplicates().is_empty();
            if !reported {
                let message = match &e {
                    YamlError::Syntax { message, .. } => {
                        format!("not valid YAML: {}", one_line(message))
                    }
                    other => strip_line(&other.to_string()),
                };
                sink.out.push(doc_error(message, e.line()));
            }
            return (None, sink.out);
        }
    };
    if value.is_null() {
        sink.error(
            "",
            "the policy is empty; start from `provenant policy init`",
        );
        return (None, sink.out);
    }
    if !schema_check(&value, &mut sink) {
        return (None, sink.out);
    }
    let doc: PolicyDocument = match serde_json::from_value(value) {
        Ok(d) => d,
        Err(e) => {
            sink.error("", format!("does not fit the policy schema: {e}"));
            return (None, sink.out);
        }
    };
    rules(&doc, &mut sink);
    if let Some(now) = now {
        time_rules(&doc, now, &mut sink);
    }
    (Some(doc), sink.out)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A YAML error's text without its leading `line N: ` (the diagnostic carries the line).
fn strip_line(s: &str) -> String {
    match s.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
        Some((n, rest)) if n.bytes().all(|b| b.is_ascii_digit()) => rest.to_owned(),
        _ => s.to_owned(),
    }
}

/// Why the embedded policy schema does not compile: a build defect the tests catch (every
/// policy is then refused, never read unchecked).
#[derive(Debug, thiserror::Error)]
enum SchemaError {
    /// The schema file is not strict JSON.
    #[error(transparent)]
    Json(#[from] provenant_formats::json::JsonError),
    /// jsonschema refused it.
    #[error(transparent)]
    Compile(#[from] jsonschema::ValidationError<'static>),
}

fn validator() -> Result<&'static jsonschema::Validator, &'static SchemaError> {
    static V: OnceLock<Result<jsonschema::Validator, SchemaError>> = OnceLock::new();
    V.get_or_init(|| {
        let schema = provenant_formats::json::parse_strict(POLICY_SCHEMA.as_bytes())?;
        Ok(jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema)?)
    })
    .as_ref()
}

/// Check `value` against the schema; true when it fits.
fn schema_check(value: &Value, sink: &mut Sink<'_>) -> bool {
    use jsonschema::error::ValidationErrorKind as K;
    let v = match validator() {
        Ok(v) => v,
        Err(e) => {
            sink.error(
                "",
                format!("internal error: the policy schema does not load: {e}"),
            );
            return false;
        }
    };
    let mut ok = true;
    for e in v.iter_errors(value) {
        ok = false;
        let at = e.instance_path().as_str().to_owned();
        match e.kind() {
            K::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    let path = format!("{at}/{}", escape_segment(key));
                    let known = known_keys(&at);
                    sink.error(
                        &path,
                        format!(
                            "unknown key {key:?}{}",
                            if known.is_empty() {
                                String::new()
                            } else {
                                format!(" (known here: {})", known.join(", "))
                            }
                        ),
                    );
                }
            }
            K::Required { property } => sink.error(&at, format!("missing required key {property}")),
            K::Constant { expected_value } if at == "/apiVersion" => sink.error(
                &at,
                format!(
                    "apiVersion must be {expected_value}; this provenant reads only that version"
                ),
            ),
            K::Pattern { .. } => {
                let field = at
                    .rsplit('/')
                    .find(|s| !s.bytes().all(|b| b.is_ascii_digit()));
                let hint = match field.unwrap_or_default() {
                    "required" => "write a gate as sast, sca, dast or ci-run, optionally followed by :TOOL[,TOOL]",
                    "commit" | "sourceDigest" => "write the full commit id (40 or 64 hex digits)",
                    "repo" | "signerRepo" => "write OWNER/REPO",
                    "ref" => "write the full ref, e.g. refs/tags/v1.2.3 or refs/heads/main",
                    _ => "",
                };
                let value = value_at(value, &at);
                if hint.is_empty() {
                    sink.error(&at, one_line(&e.to_string()));
                } else {
                    sink.error(&at, format!("{value}: {hint}"));
                }
            }
            _ => sink.error(&at, one_line(&e.to_string())),
        }
    }
    ok
}

fn value_at(root: &Value, pointer: &str) -> String {
    root.pointer(pointer)
        .map_or_else(String::new, ToString::to_string)
}

/// The keys the schema allows in the object at `pointer` (for "did you mean" help).
fn known_keys(pointer: &str) -> Vec<String> {
    let Ok(schema) = provenant_formats::json::parse_strict(POLICY_SCHEMA.as_bytes()) else {
        return vec![];
    };
    let mut node = &schema;
    for seg in pointer.split('/').skip(1) {
        node = resolve(&schema, node);
        let next = if seg.bytes().all(|b| b.is_ascii_digit()) {
            node.get("items")
        } else {
            node.get("properties").and_then(|p| p.get(seg))
        };
        match next {
            Some(n) => node = n,
            None => return vec![],
        }
    }
    node = resolve(&schema, node);
    node.get("properties")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|p| root.pointer(p))
            .unwrap_or(node),
        None => node,
    }
}

/// A keyless matcher as the flags write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatcherSpec {
    /// `--certificate-identity` / `--certificate-oidc-issuer`.
    Exact(String),
    /// `--certificate-identity-regexp` / `--certificate-oidc-issuer-regexp`.
    Regexp(String),
}

/// Why keyless signers cannot be reduced to one identity and one issuer matcher.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MatcherError {
    /// The signers name different issuers.
    #[error("the keyless signers name different issuers; provenant/v1 pairs one issuer with all the identities of a policy: write one policy per issuer")]
    DifferentIssuers {
        /// The first signer's issuer.
        first: Option<MatcherSpec>,
        /// The first issuer that differs from it.
        other: Option<MatcherSpec>,
    },
    /// One of several signers has no identity (it would accept anyone).
    #[error("a signer without identity or identityRegexp accepts anyone the issuer vouches for; with several signers each needs one")]
    SignerWithoutIdentity {
        /// 0-based index among the keyless signers.
        index: usize,
    },
}

/// The keyless signers of a policy reduced to one identity matcher and one issuer matcher (what
/// the flags can say): several identities become one regexp that accepts any of them. Errors
/// when they cannot be reduced without loosening the policy (different issuers, a signer with
/// no identity among several).
pub fn keyless_matchers(
    signers: &[Signer],
) -> Result<(Option<MatcherSpec>, Option<MatcherSpec>), MatcherError> {
    let keyless: Vec<&Signer> = signers.iter().filter(|s| !s.is_key()).collect();
    let issuer_of = |s: &Signer| match (&s.issuer, &s.issuer_regexp) {
        (Some(e), _) => Some(MatcherSpec::Exact(e.clone())),
        (None, Some(r)) => Some(MatcherSpec::Regexp(r.clone())),
        (None, None) => None,
    };
    let identity_of = |s: &Signer| match (&s.identity, &s.identity_regexp) {
        (Some(e), _) => Some(MatcherSpec::Exact(e.clone())),
        (None, Some(r)) => Some(MatcherSpec::Regexp(r.clone())),
        (None, None) => None,
    };
    let Some(first) = keyless.first() else {
        return Ok((None, None));
    };
    let issuer = issuer_of(first);
    if let Some(other) = keyless.iter().map(|s| issuer_of(s)).find(|i| *i != issuer) {
        return Err(MatcherError::DifferentIssuers {
            first: issuer,
            other,
        });
    }
    if keyless.len() == 1 {
        return Ok((identity_of(first), issuer));
    }
    let mut parts = Vec::new();
    for (index, s) in keyless.iter().enumerate() {
        match identity_of(s) {
            Some(MatcherSpec::Exact(e)) => parts.push(format!("(?:{})", regex::escape(&e))),
            Some(MatcherSpec::Regexp(r)) => parts.push(format!("(?:{r})")),
            None => return Err(MatcherError::SignerWithoutIdentity { index }),
        }
    }
    Ok((Some(MatcherSpec::Regexp(parts.join("|"))), issuer))
}

/// Whether a regexp, anchored as provenant anchors it, accepts any string at all.
fn matches_anything(re: &str) -> bool {
    let inner = re.trim_start_matches('^').trim_end_matches('$');
    matches!(inner, ".*" | ".+" | "(.*)" | "(.+)" | "(?s).*" | "(?s:.*)")
}

/// `github.com` inside a regexp, where `.` matches any character: the positions of such dots.
fn unescaped_host_dot(re: &str) -> Option<String> {
    let chars: Vec<char> = re.chars().collect();
    let mut escaped = false;
    let mut in_class = false;
    for (i, c) in chars.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' => in_class = true,
            ']' => in_class = false,
            '.' if !in_class => {
                let before = i.checked_sub(1).and_then(|j| chars.get(j));
                let after = chars.get(i + 1);
                if before.is_some_and(|b| b.is_ascii_alphanumeric())
                    && after.is_some_and(|a| a.is_ascii_alphabetic())
                {
                    // The host-like word around the dot.
                    let start = chars[..i]
                        .iter()
                        .rposition(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
                        .map_or(0, |p| p + 1);
                    let end = chars[i + 1..]
                        .iter()
                        .position(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
                        .map_or(chars.len(), |p| p + i + 1);
                    return Some(chars[start..end].iter().collect());
                }
            }
            _ => {}
        }
    }
    None
}

fn regexp_rules(re: &str, path: &str, what: &str, sink: &mut Sink<'_>) {
    if let Err(e) = regex::RegexBuilder::new(&format!("^(?:{re})$"))
        .size_limit(1 << 20)
        .build()
    {
        sink.error(
            path,
            format!("not a valid regexp: {}", one_line(&e.to_string())),
        );
        return;
    }
    if matches_anything(re) {
        if what == "issuer" {
            // The explicit way to accept any issuer (cosign's --certificate-oidc-issuer-regexp
            // '.*'): allowed, and recorded as an opt-out in every report.
            sink.warn(
                path,
                format!("\"{re}\" accepts any OIDC issuer: the same identity issued by another provider passes; every report records this opt-out. Name the issuer you trust"),
            );
        } else {
            sink.error(
                path,
                format!("\"{re}\" accepts any {what}: name the one you trust"),
            );
        }
        return;
    }
    if !(re.starts_with('^') && re.ends_with('$') && !re.ends_with("\\$")) {
        sink.warn(
            path,
            format!(
                "regexp \"{re}\" is not anchored: provenant anchors it at both ends, but cosign and other tools match it anywhere (release.yml.attacker.yml, repo-evil pass there); write ^...$"
            ),
        );
    }
    if what == "identity" {
        let hostile = crate::probe::hostile_matches(re);
        if let Some((first, why)) = hostile.first() {
            let more = match hostile.len() {
                1 => String::new(),
                n => format!(
                    " and {} other hostile identit{}",
                    n - 1,
                    if n == 2 { "y" } else { "ies" }
                ),
            };
            sink.warn(
                path,
                format!(
                    "identity regexp \"{re}\" also accepts {first:?} ({why}){more}: pin the host, owner, repository and workflow file you trust"
                ),
            );
        }
    }
    if let Some(host) = unescaped_host_dot(re) {
        sink.warn(
            path,
            format!(
                "unescaped '.' in {host:?} matches any character (so does a look-alike domain); write {}",
                host.replace('.', "\\.")
            ),
        );
    }
}

fn signer_rules(doc: &PolicyDocument, sink: &mut Sink<'_>) {
    let Some(signers) = &doc.signers else {
        if doc.threshold.is_some() {
            sink.warn(
                "/threshold",
                "threshold counts key signers, and the policy lists none (a --key flag replaces signers and threshold together)",
            );
        }
        return;
    };
    let mut seen = Vec::new();
    for (i, s) in signers.iter().enumerate() {
        let p = format!("/signers/{i}");
        if seen.contains(&s) {
            sink.warn(&p, "the same signer is listed twice");
        }
        seen.push(s);
        if s.is_key() {
            if s.issuer.is_some()
                || s.issuer_regexp.is_some()
                || s.identity.is_some()
                || s.identity_regexp.is_some()
            {
                sink.error(
                    &p,
                    "a key signer has no certificate to match: give either key, or issuer and identity, in one entry",
                );
            }
            continue;
        }
        if s.identity.is_some() && s.identity_regexp.is_some() {
            sink.error(&p, "give identity or identityRegexp, not both");
        }
        if s.issuer.is_some() && s.issuer_regexp.is_some() {
            sink.error(&p, "give issuer or issuerRegexp, not both");
        }
        if s.identity.is_none() && s.identity_regexp.is_none() {
            sink.warn(
                &p,
                "no identity: any certificate from the issuer is accepted unless source (repository, owner, repo, signerRepo, signerWorkflow) or builders name the signer; add identity or identityRegexp",
            );
        }
        if s.issuer.is_none() && s.issuer_regexp.is_none() {
            sink.warn(
                &p,
                "no issuer: keyless signatures fail (signer-issuer-unconstrained) unless the source names a GitHub repository or signer, which requires GitHub Actions' issuer; add issuer (or issuerRegexp: '.*' to accept any, recorded as an opt-out)",
            );
        }
        if let Some(i) = &s.issuer {
            if let Err(e) = crate::grammar::issuer_url(i) {
                sink.error(&format!("{p}/issuer"), e.to_string());
            }
        }
        if let Some(i) = &s.identity {
            if let Err(e) = crate::grammar::identity(i) {
                sink.error(&format!("{p}/identity"), e.to_string());
            }
        }
        if let Some(id) = &s.identity {
            if id.contains(".*") || id.starts_with('^') || id.ends_with('$') {
                sink.warn(
                    &format!("{p}/identity"),
                    "identity is matched exactly, but this looks like a regexp: did you mean identityRegexp?",
                );
            }
        }
        if let Some(re) = &s.identity_regexp {
            regexp_rules(re, &format!("{p}/identityRegexp"), "identity", sink);
        }
        if let Some(re) = &s.issuer_regexp {
            regexp_rules(re, &format!("{p}/issuerRegexp"), "issuer", sink);
        }
    }
    let keys = signers.iter().filter(|s| s.is_key()).count();
    if keys > 0 && keys < signers.len() {
        sink.error(
            "/signers",
            "keys and keyless signers are mixed: a signature is verified either with a key or with a certificate; keep one kind",
        );
    }
    if keys == 0 {
        if let Err(e) = keyless_matchers(signers) {
            sink.error("/signers", e.to_string());
        }
    }
    if let Some(t) = doc.threshold {
        if keys == 0 {
            sink.error(
                "/threshold",
                "threshold counts distinct keys; keyless signers have none: remove it or list keys",
            );
        } else if t > keys {
            sink.error(
                "/threshold",
                format!("impossible: {keys} key(s) can never reach a threshold of {t}"),
            );
        }
    }
}

fn is_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Every named value of the file, held to its flag's grammar ([`crate::grammar`]).
fn grammar_rules(doc: &PolicyDocument, sink: &mut Sink<'_>) {
    use crate::grammar as g;
    type Grammar = fn(&str) -> Result<String, g::GrammarError>;
    let mut one = |path: String, v: &str, f: Grammar| {
        if let Err(e) = f(v) {
            sink.error(&path, e.to_string());
        }
    };
    for (i, b) in doc.builders.iter().flatten().enumerate() {
        one(format!("/builders/{i}"), b, g::builder_id);
    }
    if let Some(src) = &doc.source {
        let fields: [(&str, &Option<String>, Grammar); 8] = [
            ("repository", &src.repository, g::source_uri),
            ("repo", &src.repo, g::owner_repo),
            ("owner", &src.owner, g::owner),
            ("ref", &src.reference, g::full_ref),
            ("commit", &src.commit, g::commit),
            ("sourceDigest", &src.source_digest, g::commit),
            ("signerRepo", &src.signer_repo, g::owner_repo),
            ("signerWorkflow", &src.signer_workflow, g::signer_workflow),
        ];
        for (k, v, f) in fields {
            if let Some(v) = v {
                one(format!("/source/{k}"), v, f);
            }
        }
        if let Some(refs) = &src.refs {
            for (list, items) in [("tags", &refs.tags), ("branches", &refs.branches)] {
                for (i, t) in items.iter().enumerate() {
                    // A refs/ prefix has its own message in source_rules.
                    if !t.starts_with("refs/") {
                        one(format!("/source/refs/{list}/{i}"), t, g::ref_name);
                    }
                }
            }
        }
    }
    if let Some(p) = &doc.provenance {
        for (i, t) in p.predicate_types.iter().flatten().enumerate() {
            one(format!("/provenance/predicateTypes/{i}"), t, g::uri);
        }
    }
}

fn source_rules(doc: &PolicyDocument, sink: &mut Sink<'_>) {
    let Some(src) = &doc.source else { return };
    if let Some(refs) = &src.refs {
        for (i, t) in refs.tags.iter().enumerate() {
            if t.starts_with("refs/") {
                sink.error(
                    &format!("/source/refs/tags/{i}"),
                    format!(
                        "write the tag name alone ({:?}): refs/tags/ is added",
                        t.trim_start_matches("refs/tags/")
                    ),
                );
            }
        }
        for (i, b) in refs.branches.iter().enumerate() {
            if b.starts_with("refs/") {
                sink.error(
                    &format!("/source/refs/branches/{i}"),
                    format!(
                        "write the branch name alone ({:?}): refs/heads/ is added",
                        b.trim_start_matches("refs/heads/")
                    ),
                );
            }
        }
        for (i, v) in refs.versioned_tags.iter().enumerate() {
            if parse_semver(v).is_none() {
                sink.error(
                    &format!("/source/refs/versionedTags/{i}"),
                    format!("{v:?} is not a semver tag vMAJOR[.MINOR[.PATCH[-PRERELEASE]]]: no tag can match it"),
                );
            }
        }
        if let Some(r) = &src.reference {
            let allowed = refs.tags.iter().any(|t| *r == format!("refs/tags/{t}"))
                || refs
                    .branches
                    .iter()
                    .any(|b| *r == format!("refs/heads/{b}"))
                || refs.versioned_tags.iter().any(|v| {
                    r.strip_prefix("refs/tags/")
                        .is_some_and(|t| crate::eval::versioned_tag_matches(v, t))
                });
            if !allowed {
                sink.error(
                    "/source/ref",
                    format!("impossible: source.ref {r:?} is none of the refs source.refs allows, so no build can meet both"),
                );
            }
        }
    }
    if let (Some(c), Some(d)) = (&src.commit, &src.source_digest) {
        if is_commit(c) && is_commit(d) && !c.eq_ignore_ascii_case(d) {
            sink.error(
                "/source/sourceDigest",
                "impossible: sourceDigest and commit name different commits, and both must hold",
            );
        }
    }
    if src.repository.is_some()
        && doc.builders.is_none()
        && src.signer_workflow.is_none()
        && src.signer_repo.is_none()
    {
        sink.warn(
            "/source/repository",
            "with a repository and no builders, signerWorkflow or signerRepo, only slsa-github-generator's workflows at a release tag are trusted to have built it (slsa-verifier's default); name your builder or signing workflow",
        );
    }
    let gh_repo = src
        .repository
        .as_deref()
        .map(normalize_repo)
        .and_then(|r| r.strip_prefix("github.com/").map(str::to_owned));
    if let (Some(full), Some(repo)) = (&gh_repo, &src.repo) {
        if !full.eq_ignore_ascii_case(repo) {
            sink.error(
                "/source/repo",
                format!("impossible: repo {repo:?} is not the repository {full:?}"),
            );
        }
    }
    if let Some(owner) = &src.owner {
        let named = src
            .repo
            .as_deref()
            .or(gh_repo.as_deref())
            .and_then(|r| r.split('/').next());
        if let Some(o) = named {
            if !o.eq_ignore_ascii_case(owner) {
                sink.error(
                    "/source/owner",
                    format!("impossible: owner {owner:?} does not own the repository {o:?}/..."),
                );
            }
        }
    }
}

fn provenance_rules(doc: &PolicyDocument, sink: &mut Sink<'_>) {
    let Some(p) = &doc.provenance else { return };
    if let Some(types) = &p.predicate_types {
        if p.required
            && !types
                .iter()
                .any(|t| t.starts_with("https://slsa.dev/provenance/"))
        {
            sink.error(
                "/provenance/predicateTypes",
                "impossible: provenance is required, but no SLSA provenance predicate type (https://slsa.dev/provenance/...) is allowed",
            );
        }
        for (i, t) in types.iter().enumerate() {
            if types[..i].contains(t) {
                sink.warn(&format!("/provenance/predicateTypes/{i}"), "listed twice");
            }
        }
    }
}

fn gate_rules(doc: &PolicyDocument, sink: &mut Sink<'_>) {
    let Some(g) = &doc.gates else { return };
    for (i, r) in g.required.iter().enumerate() {
        if g.required[..i].contains(r) {
            sink.warn(&format!("/gates/required/{i}"), "listed twice");
        }
    }
    if g.signed_evidence && g.required.is_empty() {
        sink.warn(
            "/gates/signedEvidence",
            "signedEvidence decides which evidence satisfies a required gate, and gates.required lists none",
        );
    }
    if let Some(t) = &g.thresholds {
        // Each threshold counts findings of its severity or worse: a tighter threshold on a
        // lower severity makes a looser one on a higher severity unreachable.
        let ladder = [
            ("critical", t.critical),
            ("high", t.high),
            ("medium", t.medium),
            ("low", t.low),
        ];
        for (i, (hi_name, hi)) in ladder.iter().enumerate() {
            let Some(hi) = hi else { continue };
            if let Some((lo_name, lo)) = ladder[i + 1..]
                .iter()
                .find_map(|(n, v)| v.filter(|v| v < hi).map(|v| (n, v)))
            {
                sink.warn(
                    &format!("/gates/thresholds/{hi_name}"),
                    format!("{hi_name}: {hi} never decides anything: {lo_name}: {lo} already counts {hi_name} findings"),
                );
            }
        }
        if !g.required.is_empty()
            && g.required
                .iter()
                .all(|r| r.starts_with("ci-run") || r == "ci" || r.starts_with("ci:"))
        {
            sink.warn(
                "/gates/thresholds",
                "the thresholds judge findings, and the only required gates are CI runs, which report none: require sast, sca or dast",
            );
        }
    }
    if let Some(r) = &g.review {
        if r.accept_approvals_without_commit {
            sink.warn(
                "/gates/review/acceptApprovalsWithoutCommit",
                "risk: an approval that records no commit may predate a commit pushed after it",
            );
        }
    }
}

fn waiver_rules(doc: &PolicyDocument, sink: &mut Sink<'_>) {
    let Some(ws) = &doc.waivers else { return };
    let mut seen = std::collections::HashSet::new();
    for (i, w) in ws.iter().enumerate() {
        let p = format!("/waivers/{i}");
        if !seen.insert((
            w.id.as_str(),
            w.tool.as_deref(),
            w.fingerprint.as_deref(),
            w.location.as_deref(),
        )) {
            sink.warn(
                &format!("{p}/id"),
                format!("waiver {:?} is listed twice", w.id),
            );
        }
        for (k, v) in [
            ("id", &w.id),
            ("reason", &w.reason),
            ("approver", &w.approver),
        ] {
            if v.trim().is_empty() {
                sink.error(
                    &format!("{p}/{k}"),
                    format!("{k} is blank: the waiver would waive nothing"),
                );
            }
        }
        if parse_time(&w.expires).is_none() {
            sink.error(
                &format!("{p}/expires"),
                format!(
                    "{:?} is not a date (YYYY-MM-DD) or an RFC 3339 time",
                    w.expires
                ),
            );
        }
    }
}

fn rules(doc: &PolicyDocument, sink: &mut Sink<'_>) {
    grammar_rules(doc, sink);
    if doc.insecure_ignore_tlog {
        sink.warn(
            "/insecureIgnoreTlog",
            "risk: key-signed evidence without a transparency-log entry or timestamp is accepted, so a leaked key's signatures pass; every report records this opt-out",
        );
    }
    signer_rules(doc, sink);
    source_rules(doc, sink);
    provenance_rules(doc, sink);
    gate_rules(doc, sink);
    waiver_rules(doc, sink);
    if let Some(b) = &doc.builders {
        for (i, x) in b.iter().enumerate() {
            if b[..i].contains(x) {
                sink.warn(&format!("/builders/{i}"), "listed twice");
            }
        }
    }
    let src = doc.source.clone().unwrap_or_default();
    let names_signer = doc.signers.is_some()
        || doc
            .builders
            .as_ref()
            .is_some_and(|b| b.iter().all(|x| x.contains("/.github/workflows/")))
        || src.repository.is_some()
        || src.repo.is_some()
        || src.owner.is_some()
        || src.signer_repo.is_some()
        || src.signer_workflow.is_some();
    if !names_signer {
        sink.warn(
            "",
            "nothing in this policy says who may sign (signers, source, builders): the flags must say it, or keyless signatures fail as signer-unconstrained",
        );
    }
}

/// An RFC 3339 time, or a `YYYY-MM-DD` date (end of that day, UTC), as unix seconds.
/// An expiry as the engine reads it (one parser): a date alone is the end of that day, UTC.
fn parse_time(s: &str) -> Option<i64> {
    crate::requirements::parse_time(s, crate::requirements::DateOnly::EndOfDay)
        .map(jiff::Timestamp::as_second)
}

fn time_rules(doc: &PolicyDocument, now: jiff::Timestamp, sink: &mut Sink<'_>) {
    let now = now.as_second();
    for (i, w) in doc.waivers.iter().flatten().enumerate() {
        let Some(e) = parse_time(&w.expires) else {
            continue;
        };
        let p = format!("/waivers/{i}/expires");
        if e < now {
            sink.error(
                &p,
                format!("waiver {:?} expired on {}: it waives nothing (gate-waiver-invalid); renew it with a reason or remove it", w.id, w.expires),
            );
        } else if e - now > 366 * 24 * 3600 {
            sink.warn(
                &p,
                format!(
                    "waiver {:?} runs for more than a year: accepted risks deserve a review date",
                    w.id
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(text: &str) -> Vec<Diagnostic> {
        lint_policy(text.as_bytes(), "2026-06-01T00:00:00Z".parse().unwrap())
    }

    #[test]
    fn schema_loads() {
        assert!(validator().is_ok());
    }

    #[test]
    fn host_dots() {
        assert_eq!(
            unescaped_host_dot("^https://github.com/org/.*$").as_deref(),
            Some("github.com")
        );
        assert_eq!(unescaped_host_dot("^https://github\\.com/org/.*$"), None);
        assert_eq!(unescaped_host_dot("^a[.]b$"), None);
        assert_eq!(unescaped_host_dot("^x/.*$"), None);
    }

    #[test]
    fn keyless_reduction() {
        let s = |id: &str| Signer {
            issuer: Some("https://i".into()),
            identity: Some(id.into()),
            ..Signer::default()
        };
        let (id, iss) = keyless_matchers(&[s("a.b"), s("c")]).unwrap();
        assert_eq!(id, Some(MatcherSpec::Regexp("(?:a\\.b)|(?:c)".into())));
        assert_eq!(iss, Some(MatcherSpec::Exact("https://i".into())));
        let mut other = s("d");
        other.issuer = Some("https://j".into());
        assert!(keyless_matchers(&[s("a"), other.clone()]).is_err());
        assert_eq!(
            keyless_matchers(&[s("a"), s("b"), other]),
            Err(MatcherError::DifferentIssuers {
                first: Some(MatcherSpec::Exact("https://i".into())),
                other: Some(MatcherSpec::Exact("https://j".into())),
            })
        );
        let anyone = Signer {
            issuer: Some("https://i".into()),
            ..Signer::default()
        };
        let e = keyless_matchers(&[s("a"), anyone]).unwrap_err();
        assert_eq!(e, MatcherError::SignerWithoutIdentity { index: 1 });
        assert!(e
            .to_string()
            .starts_with("a signer without identity or identityRegexp"));
    }

    #[test]
    fn empty_and_garbage() {
        assert!(lint("").iter().any(|d| d.severity == Severity::Error));
        assert!(lint("[1, 2]").iter().any(|d| d.severity == Severity::Error));
        assert!(lint("a: !!binary aGk=\n")
            .iter()
            .any(|d| d.severity == Severity::Error));
        assert!(parse_policy(b"\xff\xfe").is_err());
    }

    #[test]
    fn version_is_required() {
        let d = lint("signers:\n  - key: a.pub\n");
        assert!(d.iter().any(|d| d.message.contains("apiVersion")), "{d:?}");
        let d = lint("apiVersion: provenant.dev/v2\n");
        assert!(
            d.iter()
                .any(|d| d.line == Some(1) && d.message.contains("provenant.dev/v1")),
            "{d:?}"
        );
    }
}
