//! Rego, for rules the YAML policy cannot state: evaluated with regorus over the report built
//! so far (see [`rego_input`]). `package provenant`; every element of `deny` becomes a failed
//! check, every element of `warn` a warning. The verdict is read from the rule's value, not from
//! its presence: `deny` must evaluate to a set or array of messages (empty: nothing denied);
//! undefined, `null`, `false`, `true`, a string, a number or an object is a failure, as are a
//! module that does not parse, a `deny` that is not declared, an evaluation error and an
//! evaluation over its time limit. Never a pass.
//!
//! regorus is built without `http`, `opa-runtime` (the process environment) and `time` (the
//! wall clock): a policy sees its input and nothing else. `print` is a no-op.
//!
//! Bounds: the builtins whose one call can allocate far more than their arguments hold are
//! bounded before they run (see `builtins`); regorus's own timer stops the evaluation between
//! expressions after [`REGO_TIME_LIMIT`] and its allocator-backed memory ceiling
//! ([`REGO_MEMORY_LIMIT`], checked inside the interpreter and the builtins) stops it when the
//! process's heap grows past that; and the evaluation runs on its own thread, which is given up
//! (the check fails) if it has not answered shortly after the time limit.

use std::num::NonZeroU32;
use std::time::Duration;

mod builtins;

use provenant_model::{Check, CheckCode, Digest, EvidenceKind, EvidenceRef, Report};
use serde_json::{json, Value};

/// Largest Rego module read (bytes).
pub const MAX_REGO_BYTES: u64 = 256 * 1024;
/// Most `--rego` modules per run.
pub const MAX_REGO_MODULES: usize = 32;
/// Longest a Rego evaluation may run before it is stopped (and fails).
pub const REGO_TIME_LIMIT: Duration = Duration::from_secs(5);
/// Most heap the process may hold while Rego evaluates (bytes); past it the evaluation stops
/// with an error. regorus counts every allocation (its allocator is the process's) and checks
/// this ceiling inside the interpreter and its builtins.
pub const REGO_MEMORY_LIMIT: u64 = 1024 * 1024 * 1024;
/// Most `deny`/`warn` messages turned into checks; the rest are counted in one more check.
pub const MAX_REGO_MESSAGES: usize = 100;
/// Longest message kept from a `deny`/`warn` element (characters).
const MAX_MESSAGE_CHARS: usize = 2000;
/// Most bytes of an element's JSON read to make its message.
const MAX_MESSAGE_JSON_BYTES: u64 = 64 * 1024;
/// How long past [`REGO_TIME_LIMIT`] the evaluation thread is waited for before it is given up.
const REGO_GRACE: Duration = Duration::from_secs(2);
/// Stack of the evaluation thread: deeply nested values are walked recursively.
const REGO_STACK_BYTES: usize = 256 * 1024 * 1024;
/// Version of the Rego input document's shape.
pub const REGO_INPUT_VERSION: u32 = 1;

/// One Rego module, read by the caller.
#[derive(Debug, Clone)]
pub struct RegoModule {
    /// Where it came from (a path).
    pub location: String,
    /// Its digest, for the report.
    pub digest: Option<Digest>,
    /// The source text.
    pub source: String,
}

impl RegoModule {
    fn evref(&self) -> EvidenceRef {
        let r = EvidenceRef::new(EvidenceKind::Flag, format!("--rego {}", self.location));
        match &self.digest {
            Some(d) => r.with_digest(d.clone()),
            None => r,
        }
    }
}

/// The document a Rego policy sees as `input`: the JSON report as built so far (subject,
/// `verdict` so far, `checks`, `signatures` with their signer and provenance claims, `gates`),
/// plus `input_version`, `verified_signatures` (the signatures that verified), `provenance`
/// (the verified SLSA provenance claims, each with the `evidence` location and `signer`),
/// `failed` (codes of the failed checks) and `policy` (the policy file's path and digest, or
/// null). Documented in README ("Policy files") and `attestations/examples/rego-input.json`.
pub fn rego_input(report: &Report, policy: Option<(&str, &Digest)>) -> Value {
    let mut v = serde_json::to_value(report).unwrap_or_else(|_| json!({}));
    let verified: Vec<Value> = report
        .signatures
        .iter()
        .filter(|s| s.verified)
        .filter_map(|s| serde_json::to_value(s).ok())
        .collect();
    let provenance: Vec<Value> = report
        .signatures
        .iter()
        .filter(|s| s.verified)
        .filter_map(|s| {
            let p = s.provenance.as_ref()?;
            let mut p = serde_json::to_value(p).ok()?;
            if let Some(o) = p.as_object_mut() {
                o.insert("evidence".into(), json!(s.evidence.location));
                o.insert(
                    "signer".into(),
                    serde_json::to_value(&s.signer).unwrap_or(Value::Null),
                );
            }
            Some(p)
        })
        .collect();
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.outcome == provenant_model::Outcome::Fail)
        .map(|c| c.code.as_str())
        .collect();
    if let Some(o) = v.as_object_mut() {
        o.insert("input_version".into(), json!(REGO_INPUT_VERSION));
        o.insert("verified_signatures".into(), Value::Array(verified));
        o.insert("provenance".into(), Value::Array(provenance));
        o.insert("failed".into(), json!(failed));
        o.entry("gates").or_insert_with(|| json!([]));
        o.insert(
            "policy".into(),
            match policy {
                Some((path, d)) => json!({ "path": path, "digest": d.to_string() }),
                None => Value::Null,
            },
        );
    }
    v
}

fn one_line(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s,
    }
}

/// A `deny`/`warn` element as a message: a string, an object's string `msg`, else its JSON text.
fn message_of(v: &regorus::Value) -> String {
    if let Ok(s) = v.as_string() {
        return one_line(s, MAX_MESSAGE_CHARS);
    }
    if let regorus::Value::Object(o) = v {
        let msg = o
            .iter()
            .find(|(k, _)| k.as_string().is_ok_and(|k| k.as_ref() == "msg"))
            .and_then(|(_, m)| m.as_string().ok());
        if let Some(m) = msg {
            return one_line(m, MAX_MESSAGE_CHARS);
        }
    }
    match builtins::bounded_json(v, MAX_MESSAGE_JSON_BYTES) {
        Some(json) => one_line(&json, MAX_MESSAGE_CHARS),
        None => format!("(a value over {MAX_MESSAGE_JSON_BYTES} bytes)"),
    }
}

/// The elements of a rule's value: a set or array's elements (none when empty). `None` for
/// any other value, undefined included: the policy did not say "nothing denied".
fn elements(v: &regorus::Value) -> Option<Vec<regorus::Value>> {
    match v {
        regorus::Value::Set(s) => Some(s.iter().cloned().collect()),
        regorus::Value::Array(a) => Some(a.iter().cloned().collect()),
        _ => None,
    }
}

/// What a rule's value is, for an error message (never the whole value).
fn describe(v: &regorus::Value) -> String {
    match v {
        regorus::Value::Undefined => "undefined".into(),
        regorus::Value::Null => "null".into(),
        regorus::Value::Bool(b) => b.to_string(),
        regorus::Value::Number(_) => "a number".into(),
        regorus::Value::String(_) => "a string".into(),
        regorus::Value::Object(_) => "an object".into(),
        regorus::Value::Set(_) => "a set".into(),
        regorus::Value::Array(_) => "an array".into(),
    }
}

fn error(modules: &[RegoModule], reason: String) -> Vec<Check> {
    vec![Check::fail(
        CheckCode::RegoError,
        one_line(&reason, MAX_MESSAGE_CHARS),
        modules.iter().map(RegoModule::evref).collect(),
    )]
}

/// Evaluate `modules` over `input`; the checks to add to the report.
pub fn evaluate_rego(modules: &[RegoModule], input: &Value) -> Vec<Check> {
    if modules.is_empty() {
        return vec![];
    }
    if modules.len() > MAX_REGO_MODULES {
        return error(
            modules,
            format!(
                "{} Rego modules given; at most {MAX_REGO_MODULES} are read",
                modules.len()
            ),
        );
    }
    // The evaluation runs on its own thread, so that a builtin call that runs long (regorus
    // checks its timer only between expressions) cannot hold the verdict: past the limit and a
    // grace period the thread is given up and the check fails. Its large stack is for deeply
    // nested values, which regorus and `builtins` walk recursively.
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let owned: Vec<RegoModule> = modules.to_vec();
    let input = input.clone();
    let spawned = std::thread::Builder::new()
        .name("provenant-rego".into())
        .stack_size(REGO_STACK_BYTES)
        .spawn(move || {
            // regorus is a large parser and interpreter fed user text: a panic inside it (a
            // bug) must fail the run's Rego check, not abort it or let it pass.
            let checks =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&owned, &input)))
                    .unwrap_or_else(|_| {
                        error(
                    &owned,
                    "internal error while evaluating the Rego policy (treated as a failure)"
                        .into(),
                )
                    });
            let _ = tx.send(checks);
        });
    if let Err(e) = spawned {
        return error(modules, format!("cannot start the Rego evaluation: {e}"));
    }
    match rx.recv_timeout(REGO_TIME_LIMIT + REGO_GRACE) {
        Ok(checks) => checks,
        Err(_) => error(
            modules,
            format!(
                "the Rego evaluation did not finish within {} s (treated as a failure)",
                REGO_TIME_LIMIT.as_secs()
            ),
        ),
    }
}

fn run(modules: &[RegoModule], input: &Value) -> Vec<Check> {
    // One ceiling for the whole process (regorus's counters are process-wide); setting it
    // again to the same value is harmless when evaluations run concurrently.
    regorus::set_global_memory_limit(Some(REGO_MEMORY_LIMIT));
    let mut engine = regorus::Engine::new();
    engine.set_gather_prints(true);
    if let Err(e) = builtins::install(&mut engine) {
        return error(modules, format!("internal error preparing Rego: {e}"));
    }
    // A builtin given the wrong types is an error, not an undefined value that would quietly
    // make a deny rule not fire.
    engine.set_strict_builtin_errors(true);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: REGO_TIME_LIMIT,
        check_interval: NonZeroU32::new(64).unwrap_or(NonZeroU32::MIN),
    });
    let mut declares_deny = false;
    let mut declares_warn = false;
    for m in modules {
        if m.source.len() as u64 > MAX_REGO_BYTES {
            return error(
                modules,
                format!(
                    "{}: larger than the {MAX_REGO_BYTES}-byte limit for a Rego module",
                    m.location
                ),
            );
        }
        let package = match engine.add_policy(m.location.clone(), m.source.clone()) {
            Ok(p) => p,
            Err(e) => return error(modules, format!("{}: does not parse: {e}", m.location)),
        };
        if package == "data.provenant" {
            declares_deny |= engine
                .has_declared_rule_rooted_at(&m.location, "deny")
                .unwrap_or(false);
            declares_warn |= engine
                .has_declared_rule_rooted_at(&m.location, "warn")
                .unwrap_or(false);
        }
    }
    if !declares_deny {
        return error(
            modules,
            "no `deny` rule in `package provenant`: a Rego policy that cannot deny proves nothing (check the package name)".into(),
        );
    }
    engine.set_input(regorus::Value::from(input.clone()));
    let mut out = Vec::new();
    let rules: &[(&str, bool)] = &[("deny", true), ("warn", declares_warn)];
    for (rule, declared) in rules {
        if !declared {
            continue;
        }
        let value = match engine.eval_rule(format!("data.provenant.{rule}")) {
            Ok(v) => v,
            Err(e) => {
                return error(
                    modules,
                    format!("evaluating data.provenant.{rule} failed: {e}"),
                )
            }
        };
        let Some(items) = elements(&value) else {
            return error(
                modules,
                format!(
                    "data.provenant.{rule} must be a set (or array) of messages: strings, or objects with msg; it is {}",
                    describe(&value)
                ),
            );
        };
        let evidence: Vec<EvidenceRef> = modules.iter().map(RegoModule::evref).collect();
        let (code, outcome) = if *rule == "deny" {
            (CheckCode::RegoDenied, provenant_model::Outcome::Fail)
        } else {
            (CheckCode::RegoWarned, provenant_model::Outcome::Warn)
        };
        let total = items.len();
        for item in items.iter().take(MAX_REGO_MESSAGES) {
            out.push(Check::new(
                code,
                outcome,
                message_of(item),
                evidence.clone(),
            ));
        }
        if total > MAX_REGO_MESSAGES {
            out.push(Check::new(
                code,
                outcome,
                format!("and {} more {rule} message(s)", total - MAX_REGO_MESSAGES),
                evidence.clone(),
            ));
        }
    }
    if !out.iter().any(|c| c.code == CheckCode::RegoDenied) {
        let names: Vec<&str> = modules.iter().map(|m| m.location.as_str()).collect();
        out.insert(
            0,
            Check::pass(
                CheckCode::RegoPassed,
                format!("Rego policy {} denies nothing", names.join(", ")),
                modules.iter().map(RegoModule::evref).collect(),
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(src: &str) -> Vec<RegoModule> {
        vec![RegoModule {
            location: "p.rego".into(),
            digest: None,
            source: src.into(),
        }]
    }

    fn codes(checks: &[Check]) -> Vec<CheckCode> {
        checks.iter().map(|c| c.code).collect()
    }

    /// `src` evaluates to rego-error alone.
    fn assert_error(src: &str) {
        let c = evaluate_rego(&module(src), &json!({}));
        assert_eq!(codes(&c), vec![CheckCode::RegoError], "{src}: {c:?}");
    }

    #[test]
    fn deny_and_allow() {
        let input = json!({"subject": {"name": "a"}, "failed": []});
        let deny = "package provenant\ndeny contains msg if { input.subject.name == \"a\"; msg := \"no a\" }\n";
        let c = evaluate_rego(&module(deny), &input);
        assert_eq!(codes(&c), vec![CheckCode::RegoDenied]);
        assert_eq!(c[0].reason, "no a");
        let c = evaluate_rego(&module(deny), &json!({"subject": {"name": "b"}}));
        assert_eq!(codes(&c), vec![CheckCode::RegoPassed]);
        let obj = "package provenant\ndeny contains {\"msg\": \"m\", \"x\": 1} if { true }\n";
        let c = evaluate_rego(&module(obj), &input);
        assert_eq!(c[0].reason, "m");
    }

    #[test]
    fn warn_rule() {
        let src = "package provenant\ndeny contains \"x\" if { false }\nwarn contains \"w\" if { true }\n";
        let c = evaluate_rego(&module(src), &json!({}));
        assert_eq!(
            codes(&c),
            vec![CheckCode::RegoPassed, CheckCode::RegoWarned]
        );
    }

    #[test]
    fn failures_are_never_passes() {
        for src in [
            "package provenant\ndeny contains msg if {",
            "package other\ndeny contains \"x\" if { false }\n",
            "package provenant\nallow := true\n",
            "package provenant\ndeny := 3\n",
            "package provenant\ndeny contains msg if { msg := concat(\",\", 5) }\n",
        ] {
            assert_error(src);
        }
    }

    /// Issue 13, class 8: the verdict comes from `deny`'s value. Only a set or array says
    /// "nothing denied" (when empty); undefined and every other value is an error.
    #[test]
    fn deny_value_decides_not_the_rule() {
        for src in [
            // A complete rule whose body fails: undefined.
            "package provenant\ndeny := x if { x := [\"m\"]; false }\n",
            "package provenant\ndeny := input.nothing\n",
            "package provenant\ndeny := null\n",
            "package provenant\ndeny := false\n",
            "package provenant\ndeny := true\n",
            "package provenant\ndeny := {}\n",
            "package provenant\ndeny := \"denied\"\n",
            "package provenant\ndeny := 0\n",
            "package provenant\ndeny(x) := x\n",
            "package provenant\ndefault deny := false\n",
            // A sibling rule read the same way: warn, when declared.
            "package provenant\ndeny contains \"x\" if { false }\nwarn := null\n",
            "package provenant\ndeny contains \"x\" if { false }\nwarn := x if { x := [\"w\"]; false }\n",
        ] {
            assert_error(src);
        }
        for src in [
            // A partial set rule with no matching body is the empty set: nothing denied.
            "package provenant\ndeny contains \"x\" if { false }\n",
            "package provenant\ndeny := set()\n",
            "package provenant\ndeny := []\n",
            "package provenant\ndefault deny := set()\n",
        ] {
            let c = evaluate_rego(&module(src), &json!({}));
            assert_eq!(codes(&c), vec![CheckCode::RegoPassed], "{src}: {c:?}");
        }
        // An array of messages denies like a set.
        let c = evaluate_rego(
            &module("package provenant\ndeny := [\"a\", {\"msg\": \"b\"}]\n"),
            &json!({}),
        );
        assert_eq!(
            codes(&c),
            vec![CheckCode::RegoDenied, CheckCode::RegoDenied]
        );
    }

    /// Issue 13, class 8: builtins that could allocate without bound in one call are refused
    /// past their bound; the evaluation ends promptly with rego-error.
    #[test]
    fn exploding_builtins_are_bounded() {
        let wrap = |expr: &str| {
            format!("package provenant\ndeny contains msg if {{ x := {expr}; msg := sprintf(\"%v\", [count(x)]) }}\n")
        };
        let s100k = "concat(\"\", [\"aaaaaaaaaa\" | some i in numbers.range(1, 10000)])";
        for expr in [
            "numbers.range(1, 1e9)".to_string(),
            "numbers.range(1, 100000000000000000000000)".to_string(),
            "numbers.range_step(1, 1e12, 2)".to_string(),
            "bits.lsh(1, 4000000000)".to_string(),
            // One 100 kB string written out 100000 times.
            format!("concat(\"\", [s | s := {s100k}; some i in numbers.range(1, 100000)])"),
            format!("concat(\",\", [x | x := {s100k}; some i in numbers.range(1, 100)])"),
            format!("json.marshal([x | x := {s100k}; some i in numbers.range(1, 100000)])"),
            format!("sprintf(\"%v\", [[x | x := {s100k}; some i in numbers.range(1, 100000)]])"),
            "sprintf(\"%999999999d\", [1])".to_string(),
            format!("replace({s100k}, \"a\", {s100k})"),
            format!("replace({s100k}, \"\", \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\")"),
            format!("strings.replace_n({{\"a\": {s100k}}}, {s100k})"),
            format!("regex.replace({s100k}, \"a\", \"$0$0$0$0$0$0$0$0$0$0$0\")"),
            format!(
                "json.marshal_with_options([[[1]]], {{\"pretty\": true, \"indent\": {s100k}}})"
            ),
        ] {
            let src = wrap(&expr);
            let t = std::time::Instant::now();
            let c = evaluate_rego(&module(&src), &json!({}));
            assert_eq!(codes(&c), vec![CheckCode::RegoError], "{expr}: {c:?}");
            assert!(t.elapsed() < Duration::from_secs(30), "{expr}");
        }
        // print is a no-op: its arguments are never written out.
        let src = format!(
            "package provenant\ndeny contains \"x\" if {{ s := {s100k}; n := count([1 | some i in numbers.range(1, 100000); print([s, s, s, s, s, s, s, s, s, s])]); n < 0 }}\n"
        );
        let c = evaluate_rego(&module(&src), &json!({}));
        assert!(
            matches!(
                codes(&c).as_slice(),
                [CheckCode::RegoPassed] | [CheckCode::RegoError]
            ),
            "{c:?}"
        );
        // A deny element too large to write out is still a denial.
        let src = format!(
            "package provenant\ndeny contains [x | x := {s100k}; some i in numbers.range(1, 100000)] if {{ true }}\n"
        );
        let c = evaluate_rego(&module(&src), &json!({}));
        assert_eq!(codes(&c), vec![CheckCode::RegoDenied], "{c:?}");
    }

    /// The bounded builtins give the real builtins' answers within their bounds.
    #[test]
    fn bounded_builtins_keep_their_meaning() {
        let src = r##"package provenant
deny contains msg if {
    got := [
        numbers.range(1, 3), numbers.range(3, 1), numbers.range_step(0, 10, 5),
        bits.lsh(1, 3), concat("-", ["a", "b"]), concat("", {"x"}),
        sprintf("%s=%d %v %05d", ["k", 7, [1], 3]), replace("aXbX", "X", "y"),
        strings.replace_n({"a": "1", "b": "2"}, "abc"), regex.replace("a1b2", "[0-9]", "#"),
        json.marshal({"a": [1]}), json.marshal_with_options({"a": 1}, {"pretty": false}),
    ]
    want := [
        [1, 2, 3], [3, 2, 1], [0, 5, 10], 8, "a-b", "x", "k=7 [1] 00003", "ayby", "12c",
        "a#b#", "{\"a\":[1]}", "{\"a\":1}",
    ]
    some i
    got[i] != want[i]
    msg := sprintf("%d: %v", [i, got[i]])
}
"##;
        let c = evaluate_rego(&module(src), &json!({}));
        assert_eq!(codes(&c), vec![CheckCode::RegoPassed], "{c:?}");
        // Type errors are still errors (strict builtins).
        let c = evaluate_rego(
            &module("package provenant\ndeny contains \"x\" if { numbers.range(\"a\", 2) }\n"),
            &json!({}),
        );
        assert_eq!(codes(&c), vec![CheckCode::RegoError], "{c:?}");
    }

    /// Deeply nested values are walked without overflowing the stack.
    #[test]
    fn deep_values_do_not_crash() {
        let mut src = String::from("package provenant\na0 := [1]\n");
        for i in 1..3000 {
            src.push_str(&format!("a{i} := [a{}, a{}]\n", i - 1, i - 1));
        }
        src.push_str("deny contains json.marshal(a2999) if { true }\n");
        let c = evaluate_rego(&module(&src), &json!({}));
        assert_eq!(codes(&c), vec![CheckCode::RegoError], "{c:?}");
        let mut src = String::from("package provenant\nb0 := [1]\n");
        for i in 1..3000 {
            src.push_str(&format!("b{i} := [b{}]\n", i - 1));
        }
        src.push_str("deny contains b2999 if { true }\n");
        let c = evaluate_rego(&module(&src), &json!({}));
        assert!(!codes(&c).contains(&CheckCode::RegoPassed), "{c:?}");
    }

    #[test]
    fn no_environment_no_clock_no_network() {
        for src in [
            "package provenant\ndeny contains msg if { msg := sprintf(\"%v\", [opa.runtime()]) }\n",
            "package provenant\ndeny contains msg if { msg := sprintf(\"%v\", [time.now_ns()]) }\n",
            "package provenant\ndeny contains msg if { msg := sprintf(\"%v\", [http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:9\"})]) }\n",
        ] {
            assert_error(src);
        }
    }

    #[test]
    fn endless_evaluation_is_stopped() {
        let src = "package provenant\ndeny contains msg if { n := count([1 | some a in numbers.range(1, 20000); some b in numbers.range(1, 20000)]); msg := sprintf(\"%d\", [n]) }\n";
        let t = std::time::Instant::now();
        let c = evaluate_rego(&module(src), &json!({}));
        assert_eq!(codes(&c), vec![CheckCode::RegoError], "{c:?}");
        assert!(t.elapsed() < Duration::from_secs(60));
    }
}
