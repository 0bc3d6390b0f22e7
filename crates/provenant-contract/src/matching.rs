//! Matching deployed bytes against a build: runtime code (immutables, library links, library
//! call protection, CBOR metadata) and creation code (prefix of the creation input, then the
//! constructor arguments, decoded and re-encoded byte for byte).

use alloy_dyn_abi::{DynSolType, DynSolValue, Specifier};
use alloy_primitives::Address;

use crate::build::BuildContract;
use crate::cbor::{trailer, Trailer};

/// How two pieces of code compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// Equal byte for byte, metadata included.
    Full,
    /// Equal except the CBOR metadata trailer.
    Partial,
    /// Different.
    Mismatch,
}

/// A library link as found in deployed code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundLink {
    /// The library (`path:Lib` or the pre-0.5 placeholder name).
    pub library: String,
    /// The address at the placeholder's position.
    pub address: Address,
}

/// The outcome of matching code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeMatch {
    /// Full, partial or mismatch.
    pub kind: MatchKind,
    /// Why, for people (where it differs, which hashes).
    pub detail: String,
    /// The library links read from the deployed code (runtime) or used (creation).
    pub links: Vec<FoundLink>,
    /// The deployed code's CBOR trailer.
    pub deployed_trailer: Option<Trailer>,
    /// The build's CBOR trailer.
    pub build_trailer: Option<Trailer>,
}

fn mismatch(detail: String) -> CodeMatch {
    CodeMatch {
        kind: MatchKind::Mismatch,
        detail,
        links: vec![],
        deployed_trailer: None,
        build_trailer: None,
    }
}

/// The first offset where `a` and `b` differ.
fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

/// Compare `expected` (filled) with `deployed`: full, partial (only the trailers differ), or not.
fn compare(expected: &[u8], deployed: &[u8], links: Vec<FoundLink>) -> CodeMatch {
    let et = trailer(expected);
    let dt = trailer(deployed);
    if expected == deployed {
        return CodeMatch {
            kind: MatchKind::Full,
            detail: format!(
                "{} bytes equal, metadata {}",
                deployed.len(),
                dt.as_ref()
                    .map_or_else(|| "none".into(), Trailer::hash_text)
            ),
            links,
            deployed_trailer: dt,
            build_trailer: et,
        };
    }
    if let (Some(e), Some(d)) = (&et, &dt) {
        if expected[..e.start] == deployed[..d.start] {
            return CodeMatch {
                kind: MatchKind::Partial,
                detail: format!(
                    "equal except the CBOR metadata: deployed {} (solc {}), build {} (solc {})",
                    d.hash_text(),
                    d.solc.as_deref().unwrap_or("?"),
                    e.hash_text(),
                    e.solc.as_deref().unwrap_or("?")
                ),
                links,
                deployed_trailer: dt,
                build_trailer: et,
            };
        }
    }
    CodeMatch {
        kind: MatchKind::Mismatch,
        detail: format!(
            "deployed {} bytes, build {} bytes, first difference at byte {}",
            deployed.len(),
            expected.len(),
            first_difference(expected, deployed)
        ),
        links,
        deployed_trailer: dt,
        build_trailer: et,
    }
}

/// Whether compiled runtime code starts with solc's library call protection
/// (`PUSH20 <zero address> ADDRESS EQ`): the deployed library holds its own address there.
fn call_protected(code: &[u8]) -> bool {
    code.len() > 22 && code[0] == 0x73 && code[1..21].iter().all(|b| *b == 0) && code[21] == 0x30
}

/// Match the runtime code at `address` against the build's runtime code.
pub fn match_runtime(build: &BuildContract, deployed: &[u8], address: Address) -> CodeMatch {
    let mut expected = build.runtime.bytes.clone();
    if expected.len() != deployed.len() {
        // Lengths differ: only a differing trailer can still make it partial.
        return compare(&expected, deployed, vec![]);
    }
    let mut links = Vec::new();
    for l in &build.runtime.links {
        let Some(at) = deployed.get(l.offset..l.offset + 20) else {
            return mismatch(format!(
                "the link of {} at byte {} lies outside the deployed code",
                l.library, l.offset
            ));
        };
        expected[l.offset..l.offset + 20].copy_from_slice(at);
        links.push(FoundLink {
            library: l.library.clone(),
            address: Address::from_slice(at),
        });
    }
    for &(start, len) in &build.immutables {
        let Some(end) = start.checked_add(len).filter(|e| *e <= deployed.len()) else {
            return mismatch(format!(
                "an immutable at byte {start} lies outside the deployed code"
            ));
        };
        expected[start..end].copy_from_slice(&deployed[start..end]);
    }
    if call_protected(&expected) {
        // A library: the deployed code holds its own address, nothing else.
        if deployed[1..21] != address[..] {
            return mismatch(format!(
                "the library call protection holds {}, not the library's own address {address}",
                Address::from_slice(&deployed[1..21])
            ));
        }
        expected[1..21].copy_from_slice(&deployed[1..21]);
    }
    compare(&expected, deployed, links)
}

/// The creation side: how the creation input compares, and the constructor arguments (the tail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreationMatch {
    /// How the code part compares.
    pub code: CodeMatch,
    /// The bytes after the creation code (the ABI-encoded constructor arguments), when the
    /// input is at least as long as the creation code.
    pub arguments: Option<Vec<u8>>,
}

/// Match a creation transaction's input against the build's creation code, its library
/// placeholders filled from `links` (the runtime's) or, for a library the runtime does not use,
/// from the input itself.
pub fn match_creation(build: &BuildContract, input: &[u8], links: &[FoundLink]) -> CreationMatch {
    let mut expected = build.creation.bytes.clone();
    if input.len() < expected.len() {
        return CreationMatch {
            code: mismatch(format!(
                "the creation input ({} bytes) is shorter than the build's creation code ({} bytes)",
                input.len(),
                expected.len()
            )),
            arguments: None,
        };
    }
    let mut used = Vec::new();
    for l in &build.creation.links {
        let addr = links.iter().find(|f| f.library == l.library).map_or_else(
            || Address::from_slice(&input[l.offset..l.offset + 20]),
            |f| f.address,
        );
        expected[l.offset..l.offset + 20].copy_from_slice(&addr[..]);
        used.push(FoundLink {
            library: l.library.clone(),
            address: addr,
        });
    }
    let n = expected.len();
    let mut code = compare(&expected, &input[..n], used);
    let tail = &input[n..];
    // The whole input must be accounted for: a build whose "creation code" is a mere prefix of
    // the real one (the rest passed off as constructor arguments) matches nothing.
    if code.kind != MatchKind::Mismatch {
        if let Err(e) = canonical_arguments(build, tail) {
            code.kind = MatchKind::Mismatch;
            code.detail = format!("the creation code is a prefix of the input, but the rest is not the constructor's arguments: {e}");
        }
    }
    CreationMatch {
        code,
        arguments: Some(tail.to_vec()),
    }
}

/// The constructor arguments `tail` decoded with the ABI and re-encoded to the same bytes, as
/// text; or why not.
pub fn canonical_arguments(build: &BuildContract, tail: &[u8]) -> Result<String, String> {
    let ty = constructor_type(build)?;
    let DynSolType::Tuple(types) = &ty else {
        return Err("the constructor is not a tuple".into());
    };
    if types.is_empty() {
        return if tail.is_empty() {
            Ok("()".into())
        } else {
            Err(format!(
                "the constructor takes no arguments, and {} bytes follow the creation code",
                tail.len()
            ))
        };
    }
    let decoded = ty.abi_decode_params(tail).map_err(|e| {
        format!(
            "the constructor arguments do not decode as ({}): {e}",
            type_list(types)
        )
    })?;
    let re = decoded.abi_encode_params();
    if re != tail {
        return Err(format!(
            "the constructor arguments do not re-encode to the same bytes ({} bytes given, {} canonical): trailing or non-canonical data",
            tail.len(),
            re.len()
        ));
    }
    Ok(format!("({}) = {}", type_list(types), show(&decoded)))
}

/// The constructor arguments, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgumentsCheck {
    /// Whether they decode canonically and equal the record (when given).
    pub ok: bool,
    /// Why, for people.
    pub detail: String,
}

fn constructor_type(build: &BuildContract) -> Result<DynSolType, String> {
    let params = build
        .abi
        .constructor
        .as_ref()
        .map(|c| c.inputs.clone())
        .unwrap_or_default();
    let types = params
        .iter()
        .map(|p| {
            p.resolve()
                .map_err(|e| format!("constructor parameter {}: {e}", p.name))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DynSolType::Tuple(types))
}

/// ABI-encode `recorded` (each argument's text) for the build's constructor.
pub fn encode_arguments(build: &BuildContract, recorded: &[String]) -> Result<Vec<u8>, String> {
    let DynSolType::Tuple(types) = constructor_type(build)? else {
        return Err("the constructor is not a tuple".into());
    };
    if types.len() != recorded.len() {
        return Err(format!(
            "the constructor takes {} arguments, the record has {}",
            types.len(),
            recorded.len()
        ));
    }
    let values = types
        .iter()
        .zip(recorded)
        .enumerate()
        .map(|(i, (t, s))| {
            t.coerce_str(s)
                .map_err(|e| format!("argument {i} ({t}): {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DynSolValue::Tuple(values).abi_encode_params())
}

/// Decode the constructor arguments with the ABI, re-encode them (they must come back byte for
/// byte), and compare with the record's arguments when given.
pub fn check_arguments(
    build: &BuildContract,
    tail: &[u8],
    recorded: Option<&[String]>,
) -> ArgumentsCheck {
    let shown = match canonical_arguments(build, tail) {
        Ok(s) => s,
        Err(detail) => return ArgumentsCheck { ok: false, detail },
    };
    match recorded {
        None => ArgumentsCheck {
            ok: true,
            detail: format!("{shown}; no deployment record to compare with"),
        },
        Some(r) => match encode_arguments(build, r) {
            Ok(enc) if enc == tail => ArgumentsCheck {
                ok: true,
                detail: format!("{shown}, as the deployment record states"),
            },
            Ok(_) => ArgumentsCheck {
                ok: false,
                detail: format!(
                    "on chain {shown}; the deployment record states [{}]",
                    r.join(", ")
                ),
            },
            Err(e) => ArgumentsCheck {
                ok: false,
                detail: format!("the deployment record's arguments cannot be read: {e}"),
            },
        },
    }
}

fn type_list(types: &[DynSolType]) -> String {
    types
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn show(v: &DynSolValue) -> String {
    match v {
        DynSolValue::Tuple(vs) | DynSolValue::Array(vs) | DynSolValue::FixedArray(vs) => {
            format!("[{}]", vs.iter().map(show).collect::<Vec<_>>().join(", "))
        }
        DynSolValue::String(s) => format!("{s:?}"),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::Address(a) => a.to_string(),
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Bytes(b) => format!("0x{}", hex::encode(b)),
        DynSolValue::FixedBytes(w, n) => format!("0x{}", hex::encode(&w[..*n])),
        other => format!("{other:?}"),
    }
}
