//! Compiler output bytecode as text: hex with library placeholders (`__$<34 hex>$__` since solc
//! 0.5, `__<file>:<Lib>___` before), read into bytes with the placeholders' positions.

use alloy_primitives::keccak256;
use serde_json::Value;

use crate::error::ContractError;
use crate::limits::{MAX_CODE, MAX_REFERENCES};

/// One library placeholder in compiled code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    /// Byte offset of the 20-byte address.
    pub offset: usize,
    /// The library: `path/File.sol:Lib` (from linkReferences) or the pre-0.5 placeholder text.
    pub library: String,
}

/// Compiled bytecode: the bytes (placeholders zeroed) and where the placeholders were.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Code {
    /// The bytes, each placeholder as 20 zero bytes.
    pub bytes: Vec<u8>,
    /// The library placeholders.
    pub links: Vec<LinkRef>,
}

/// Parse `0x`-prefixed (or bare) strict hex into bytes.
pub fn parse_hex(s: &str, at: &str) -> Result<Vec<u8>, ContractError> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if s.len() / 2 > MAX_CODE {
        return Err(ContractError::field(at, "over the size limit"));
    }
    hex::decode(s).map_err(|e| ContractError::field(at, format!("not hex: {e}")))
}

/// The solc placeholder hash of a fully qualified library name.
fn placeholder_hash(fq: &str) -> String {
    hex::encode(&keccak256(fq.as_bytes())[..17])
}

/// `linkReferences` as `(library, offset)` pairs: `{file: {Lib: [{start, length: 20}]}}`.
pub fn link_references(v: Option<&Value>, at: &str) -> Result<Vec<(String, usize)>, ContractError> {
    let Some(v) = v else { return Ok(vec![]) };
    if v.is_null() {
        return Ok(vec![]);
    }
    let files = v
        .as_object()
        .ok_or_else(|| ContractError::field(at, "not an object"))?;
    let mut out = Vec::new();
    for (file, libs) in files {
        let libs = libs
            .as_object()
            .ok_or_else(|| ContractError::field(at, "not an object of libraries"))?;
        for (lib, refs) in libs {
            let refs = refs
                .as_array()
                .ok_or_else(|| ContractError::field(at, "references are not an array"))?;
            for r in refs {
                let start = r.get("start").and_then(Value::as_u64);
                let length = r.get("length").and_then(Value::as_u64);
                let (Some(start), Some(20)) = (start, length) else {
                    return Err(ContractError::field(
                        at,
                        "a reference without start or with a length other than 20",
                    ));
                };
                out.push((
                    format!("{file}:{lib}"),
                    usize::try_from(start)
                        .map_err(|_| ContractError::field(at, "start too large"))?,
                ));
                if out.len() > MAX_REFERENCES {
                    return Err(ContractError::field(at, "too many references"));
                }
            }
        }
    }
    Ok(out)
}

impl Code {
    /// Read compiled code text; `refs` are its linkReferences (to name the `__$…$__` placeholders).
    pub fn parse(text: &str, refs: &[(String, usize)], at: &str) -> Result<Self, ContractError> {
        let s = text.strip_prefix("0x").unwrap_or(text);
        if s.len() / 2 > MAX_CODE {
            return Err(ContractError::field(at, "over the size limit"));
        }
        if !s.len().is_multiple_of(2) {
            return Err(ContractError::field(at, "odd number of hex digits"));
        }
        let b = s.as_bytes();
        let mut bytes = Vec::with_capacity(b.len() / 2);
        let mut links = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'_' {
                let ph = s
                    .get(i..i + 40)
                    .ok_or_else(|| ContractError::field(at, "a truncated library placeholder"))?;
                let offset = bytes.len();
                let library = if let Some(h) =
                    ph.strip_prefix("__$").and_then(|p| p.strip_suffix("$__"))
                {
                    refs.iter()
                        .find(|(lib, o)| *o == offset && placeholder_hash(lib) == h)
                        .or_else(|| refs.iter().find(|(lib, _)| placeholder_hash(lib) == h))
                        .map(|(lib, _)| lib.clone())
                        .ok_or_else(|| {
                            ContractError::field(
                                at,
                                format!("placeholder __${h}$__ names no library in linkReferences"),
                            )
                        })?
                } else if ph.starts_with("__") {
                    let name = ph.trim_matches('_');
                    if name.is_empty() {
                        return Err(ContractError::field(at, "an empty library placeholder"));
                    }
                    name.to_owned()
                } else {
                    return Err(ContractError::field(at, "not hex"));
                };
                links.push(LinkRef { offset, library });
                if links.len() > MAX_REFERENCES {
                    return Err(ContractError::field(at, "too many library placeholders"));
                }
                bytes.extend_from_slice(&[0u8; 20]);
                i += 40;
                continue;
            }
            let pair = s
                .get(i..i + 2)
                .ok_or_else(|| ContractError::field(at, "not hex"))?;
            bytes.push(
                u8::from_str_radix(pair, 16).map_err(|_| ContractError::field(at, "not hex"))?,
            );
            i += 2;
        }
        // Every linkReference must be a placeholder (a reference into plain bytes would let a
        // build claim a link that is not there).
        for (lib, off) in refs {
            if !links.iter().any(|l| l.offset == *off && &l.library == lib) {
                return Err(ContractError::field(at, format!("linkReferences names {lib} at {off}, where the code has no placeholder for it")));
            }
        }
        Ok(Self { bytes, links })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_both_forms() {
        let fq = "src/L.sol:Lib";
        let h = placeholder_hash(fq);
        let text = format!("0x6080__${h}$__60");
        let c = Code::parse(&text, &[(fq.into(), 2)], "t").expect("parse");
        assert_eq!(c.bytes.len(), 23);
        assert_eq!(
            c.links,
            vec![LinkRef {
                offset: 2,
                library: fq.into()
            }]
        );
        let old = format!("6080__{:_<38}60", "L.sol:Lib");
        let c = Code::parse(&old, &[], "t").expect("parse old");
        assert_eq!(c.links[0].library, "L.sol:Lib");
        assert!(Code::parse("0x6080__$00$__", &[], "t").is_err());
        assert!(Code::parse("0x6", &[], "t").is_err());
        assert!(Code::parse("0xzz", &[], "t").is_err());
        // a reference with no placeholder
        assert!(Code::parse("0x6080", &[(fq.into(), 0)], "t").is_err());
    }
}
