//! Bounds on the Rego builtins whose one call can allocate far more than its arguments hold.
//!
//! regorus checks its time limit between expressions, not inside a builtin, and (without its
//! allocator feature) has no memory limit: `numbers.range(1, 1e9)` runs 45 s and takes 23 GB in
//! one call, and `concat`, `sprintf` or `json.marshal` over an array holding one large value
//! many times (regorus values are shared, so such an array is cheap to build) write out every
//! copy. Each such builtin is replaced here by an extension (regorus looks extensions up before
//! its builtins) that first bounds the size of what the call would produce and refuses the call
//! when it is over the limit, then hands the call to a second, plain engine that runs the real
//! builtin, so the result is exactly regorus's. `print` is replaced by a no-op, since its output
//! is dropped anyway and gathering it would keep every copy.

use std::cell::RefCell;

use regorus::Value;

/// Most elements `numbers.range` / `numbers.range_step` may produce.
pub const MAX_RANGE_ELEMENTS: u64 = 1_000_000;
/// Most bytes a string builtin (`concat`, `sprintf`, `replace`, `json.marshal`…) may produce.
pub const MAX_BUILTIN_STRING_BYTES: u64 = 1024 * 1024;
/// Largest shift `bits.lsh` may make (bits).
pub const MAX_SHIFT_BITS: u64 = 1024;

/// Package of the plain engine's rules, one per bounded builtin.
const DELEGATE_PACKAGE: &str = "provenant_builtin";

/// Why a bounded builtin call is refused before it runs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BoundError {
    /// The call's string result would be over `limit` bytes.
    #[error("its result would be over {limit} bytes, the limit for one builtin call")]
    TooLarge {
        /// The limit (bytes).
        limit: u64,
    },
    /// A range bound is over 2^53 (not an exact f64), so the range could not be counted.
    #[error("bounds over 2^53 would make more than {MAX_RANGE_ELEMENTS} elements")]
    RangeBoundsTooLarge,
    /// The range would have `count` elements.
    #[error("would make {count} elements; at most {MAX_RANGE_ELEMENTS} are allowed")]
    RangeTooLong {
        /// Elements the range would have.
        count: f64,
    },
    /// A left shift over [`MAX_SHIFT_BITS`] (`None`: over 2^53).
    #[error("a shift over {MAX_SHIFT_BITS} bits is not allowed")]
    ShiftTooLarge {
        /// The shift as given, when it is an exact f64.
        shift: Option<f64>,
    },
}

/// The bounded builtins: name, number of arguments, and the size check run before the call.
type Bound = fn(&[Value]) -> Result<(), BoundError>;
const BOUNDED: &[(&str, u8, Bound)] = &[
    ("numbers.range", 2, bound_range),
    ("numbers.range_step", 3, bound_range_step),
    ("bits.lsh", 2, bound_lsh),
    ("concat", 2, bound_concat),
    ("sprintf", 2, bound_sprintf),
    ("replace", 3, bound_replace),
    ("strings.replace_n", 2, bound_replace_n),
    ("regex.replace", 3, bound_regex_replace),
    ("json.marshal", 1, bound_marshal),
    ("json.marshal_with_options", 2, bound_marshal_with_options),
];

thread_local! {
    /// The plain engine that runs the real builtins once a call is within bounds. One per
    /// thread: a regorus engine is not `Send`, and an extension must be.
    static DELEGATE: RefCell<Option<regorus::Engine>> = const { RefCell::new(None) };
}

fn rule_name(builtin: &str) -> String {
    format!("call_{}", builtin.replace('.', "_"))
}

/// regorus's own error type is `anyhow::Error` (`add_policy`, and every extension returns
/// `anyhow::Result`), so the delegate keeps it here.
fn delegate_engine() -> anyhow::Result<regorus::Engine> {
    let mut src = format!("package {DELEGATE_PACKAGE}\n");
    for (name, nargs, _) in BOUNDED {
        let args: Vec<String> = (0..*nargs).map(|i| format!("input[{i}]")).collect();
        src.push_str(&format!(
            "{} := {name}({})\n",
            rule_name(name),
            args.join(", ")
        ));
    }
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(true);
    engine
        .add_policy("provenant-builtins.rego".into(), src)
        .map_err(|e| anyhow::anyhow!("internal error preparing the bounded builtins: {e}"))?;
    Ok(engine)
}

/// Run the real `builtin` over `args` in the plain engine.
fn call_real(builtin: &str, args: Vec<Value>) -> anyhow::Result<Value> {
    DELEGATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(delegate_engine()?);
        }
        let Some(engine) = slot.as_mut() else {
            return Err(anyhow::anyhow!(
                "internal error: no engine for the bounded builtins"
            ));
        };
        engine.set_input(Value::from(args));
        engine.eval_rule(format!("data.{DELEGATE_PACKAGE}.{}", rule_name(builtin)))
    })
}

/// Register the bounded builtins (and the `print` no-op) on `engine`.
pub fn install(engine: &mut regorus::Engine) -> anyhow::Result<()> {
    for (name, nargs, bound) in BOUNDED {
        let name: &'static str = name;
        let bound = *bound;
        engine.add_extension(
            name.to_string(),
            *nargs,
            Box::new(move |args: Vec<Value>| {
                bound(&args).map_err(|why| anyhow::anyhow!("{name}: {why}"))?;
                call_real(name, args)
            }),
        )?;
    }
    engine.add_extension(
        "print".to_string(),
        1,
        Box::new(|_: Vec<Value>| Ok(Value::Bool(true))),
    )?;
    Ok(())
}

/// An upper bound on the bytes `v` takes written out (JSON, or Go's `%v`), with its node count
/// and depth; `Err` once over `limit`. Shared values are counted once per appearance.
#[derive(Default)]
struct Flat {
    bytes: u64,
    nodes: u64,
    depth: u64,
}

fn flat(v: &Value, limit: u64) -> Result<Flat, BoundError> {
    fn walk(v: &Value, depth: u64, limit: u64, acc: &mut Flat) -> Result<(), BoundError> {
        acc.nodes += 1;
        acc.depth = acc.depth.max(depth);
        acc.bytes += match v {
            Value::Null | Value::Bool(_) | Value::Undefined => 11,
            Value::Number(n) => match n.as_big() {
                // Binary (`%b`) is the longest way a number is written.
                Some(b) => b.bits().saturating_add(2),
                None => 32,
            },
            // Escaped JSON: at most 6 bytes per byte (`\u0000`), plus quotes.
            Value::String(s) => string_bytes(s),
            Value::Array(a) => {
                for x in a.iter() {
                    walk(x, depth + 1, limit, acc)?;
                }
                2
            }
            Value::Set(s) => {
                for x in s.iter() {
                    walk(x, depth + 1, limit, acc)?;
                }
                6
            }
            Value::Object(o) => {
                for (k, x) in o.iter() {
                    walk(k, depth + 1, limit, acc)?;
                    walk(x, depth + 1, limit, acc)?;
                }
                2
            }
        } + 2;
        if acc.bytes > limit {
            return Err(BoundError::TooLarge { limit });
        }
        Ok(())
    }
    let mut acc = Flat::default();
    walk(v, 0, limit, &mut acc)?;
    Ok(acc)
}

fn string_bytes(s: &str) -> u64 {
    let escaped: u64 = s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            b'<' | b'>' | b'&' => 6,
            _ => 1,
        })
        .sum();
    escaped + 2
}

fn check(size: u64) -> Result<(), BoundError> {
    if size > MAX_BUILTIN_STRING_BYTES {
        Err(BoundError::TooLarge {
            limit: MAX_BUILTIN_STRING_BYTES,
        })
    } else {
        Ok(())
    }
}

fn str_len(v: &Value) -> Option<u64> {
    v.as_string().ok().map(|s| s.len() as u64)
}

/// A number as f64 when it is one (a big integer is not: it is over 2^53).
fn num(v: &Value) -> Option<f64> {
    v.as_f64().ok()
}

fn range_count(from: &Value, to: &Value, step: f64) -> Result<(), BoundError> {
    if !matches!(from, Value::Number(_)) || !matches!(to, Value::Number(_)) {
        // A wrong type: the real builtin says so.
        return Ok(());
    }
    let (Some(a), Some(b)) = (num(from), num(to)) else {
        return Err(BoundError::RangeBoundsTooLarge);
    };
    if step.is_nan() || step < 1.0 {
        return Ok(());
    }
    let count = ((b - a).abs() / step).floor() + 1.0;
    if count > MAX_RANGE_ELEMENTS as f64 {
        return Err(BoundError::RangeTooLong { count });
    }
    Ok(())
}

fn bound_range(args: &[Value]) -> Result<(), BoundError> {
    range_count(&args[0], &args[1], 1.0)
}

fn bound_range_step(args: &[Value]) -> Result<(), BoundError> {
    match &args[2] {
        Value::Number(_) => match num(&args[2]) {
            Some(step) => range_count(&args[0], &args[1], step),
            // A step over 2^53 makes at most two elements.
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

fn bound_lsh(args: &[Value]) -> Result<(), BoundError> {
    match &args[1] {
        Value::Number(_) => match num(&args[1]) {
            Some(s) if s <= MAX_SHIFT_BITS as f64 => Ok(()),
            shift => Err(BoundError::ShiftTooLarge { shift }),
        },
        _ => Ok(()),
    }
}

fn bound_concat(args: &[Value]) -> Result<(), BoundError> {
    let delim = str_len(&args[0]).unwrap_or(0);
    let items: Vec<&Value> = match &args[1] {
        Value::Array(a) => a.iter().collect(),
        Value::Set(s) => s.iter().collect(),
        _ => return Ok(()),
    };
    let mut total = 0u64;
    for x in items {
        total = total
            .saturating_add(str_len(x).unwrap_or(0))
            .saturating_add(delim);
        check(total)?;
    }
    Ok(())
}

fn bound_sprintf(args: &[Value]) -> Result<(), BoundError> {
    let Ok(format) = args[0].as_string() else {
        return Ok(());
    };
    // Widths and precisions pad the output: add every number written in the format.
    let mut total = format.len() as u64;
    let mut digits = 0u64;
    for c in format.chars() {
        match c.to_digit(10) {
            Some(d) => {
                digits = digits.saturating_mul(10).saturating_add(u64::from(d));
                check(digits)?;
            }
            None => {
                total = total.saturating_add(digits);
                digits = 0;
            }
        }
    }
    total = total.saturating_add(digits);
    check(total)?;
    let remaining = MAX_BUILTIN_STRING_BYTES - total;
    let f = flat(&args[1], remaining)?;
    check(total.saturating_add(f.bytes))
}

fn bound_replace(args: &[Value]) -> Result<(), BoundError> {
    let (Some(s), Ok(old), Some(new)) = (str_len(&args[0]), args[1].as_string(), str_len(&args[2]))
    else {
        return Ok(());
    };
    let Ok(text) = args[0].as_string() else {
        return Ok(());
    };
    let matches = if old.is_empty() {
        text.chars().count() as u64 + 1
    } else {
        text.matches(old.as_ref()).count() as u64
    };
    check(s.saturating_add(matches.saturating_mul(new)))
}

fn bound_replace_n(args: &[Value]) -> Result<(), BoundError> {
    let (Value::Object(patterns), Some(s)) = (&args[0], str_len(&args[1])) else {
        return Ok(());
    };
    let longest = patterns
        .iter()
        .filter_map(|(_, v)| str_len(v))
        .max()
        .unwrap_or(0);
    check(s.saturating_add(s.saturating_add(1).saturating_mul(longest)))
}

fn bound_regex_replace(args: &[Value]) -> Result<(), BoundError> {
    let (Some(s), Ok(value)) = (str_len(&args[0]), args[2].as_string()) else {
        return Ok(());
    };
    // Each match is replaced by the value, whose `$n` references each expand to at most the
    // whole input.
    let refs = value.matches('$').count() as u64;
    let per_match = (value.len() as u64).saturating_add(refs.saturating_mul(s));
    check(s.saturating_add(s.saturating_add(1).saturating_mul(per_match)))
}

fn bound_marshal(args: &[Value]) -> Result<(), BoundError> {
    flat(&args[0], MAX_BUILTIN_STRING_BYTES).map(|_| ())
}

fn bound_marshal_with_options(args: &[Value]) -> Result<(), BoundError> {
    let f = flat(&args[0], MAX_BUILTIN_STRING_BYTES)?;
    let opt = |key: &str| -> u64 {
        match &args[1] {
            Value::Object(o) => o
                .iter()
                .find(|(k, _)| k.as_string().is_ok_and(|k| k.as_ref() == key))
                .and_then(|(_, v)| str_len(v))
                .unwrap_or(0),
            _ => 0,
        }
    };
    // Pretty printing puts each node on a line of prefix and indentation.
    let per_line = opt("prefix")
        .saturating_add(
            opt("indent")
                .max(1)
                .saturating_mul(f.depth.saturating_add(1)),
        )
        .saturating_add(1);
    check(f.bytes.saturating_add(f.nodes.saturating_mul(per_line)))
}

/// `v` written out as JSON, or `None` when that would be over `limit` bytes.
pub fn bounded_json(v: &Value, limit: u64) -> Option<String> {
    flat(v, limit).ok()?;
    v.to_json_str().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(x: f64) -> Value {
        Value::from(x)
    }

    #[test]
    fn bounds_carry_what_was_asked() {
        assert_eq!(bound_range(&[n(1.0), n(10.0)]), Ok(()));
        let e = bound_range(&[n(1.0), n(1e9)]).unwrap_err();
        assert_eq!(e, BoundError::RangeTooLong { count: 1e9 });
        assert_eq!(
            e.to_string(),
            "would make 1000000000 elements; at most 1000000 are allowed"
        );
        let e = bound_lsh(&[n(1.0), n(4096.0)]).unwrap_err();
        assert_eq!(
            e,
            BoundError::ShiftTooLarge {
                shift: Some(4096.0)
            }
        );
        assert_eq!(e.to_string(), "a shift over 1024 bits is not allowed");
        let big = Value::from("x".repeat(600 * 1024));
        let e = bound_concat(&[Value::from(""), Value::from(vec![big.clone(), big])]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "its result would be over 1048576 bytes, the limit for one builtin call"
        );
    }
}
