//! The CBOR metadata trailer solc (and vyper) append to the runtime code: a CBOR map of
//! `ipfs` / `bzzr0` / `bzzr1` hashes and the `solc` version, followed by its length in two bytes.

use crate::limits::MAX_CBOR_ENTRIES;

/// The decoded trailer of a piece of bytecode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer {
    /// Offset of the CBOR map in the code (the trailer is `code[start..]`).
    pub start: usize,
    /// The IPFS multihash of the metadata, when present.
    pub ipfs: Option<Vec<u8>>,
    /// The Swarm hash (bzzr0 or bzzr1), when present.
    pub bzzr: Option<Vec<u8>>,
    /// The compiler version (`0.8.37`, or the text of a prerelease).
    pub solc: Option<String>,
    /// Whether the `experimental` flag is set.
    pub experimental: bool,
}

impl Trailer {
    /// The metadata hash, for people: `ipfs:<hex>` or `bzzr:<hex>`, or `none`.
    pub fn hash_text(&self) -> String {
        if let Some(h) = &self.ipfs {
            format!("ipfs:{}", hex::encode(h))
        } else if let Some(h) = &self.bzzr {
            format!("bzzr:{}", hex::encode(h))
        } else {
            "none".into()
        }
    }
}

enum Item<'a> {
    Bytes(&'a [u8]),
    Text(&'a str),
    Bool(bool),
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let v = *self.b.get(self.at)?;
        self.at += 1;
        Some(v)
    }

    /// The major type and argument of the next item (definite lengths up to 16 bits only).
    fn head(&mut self) -> Option<(u8, usize)> {
        let h = self.byte()?;
        let (major, info) = (h >> 5, h & 0x1f);
        let arg = match info {
            0..=23 => usize::from(info),
            24 => usize::from(self.byte()?),
            25 => (usize::from(self.byte()?) << 8) | usize::from(self.byte()?),
            _ => return None,
        };
        Some((major, arg))
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.b.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    fn item(&mut self) -> Option<Item<'a>> {
        let at = self.at;
        let (major, arg) = self.head()?;
        match major {
            2 => Some(Item::Bytes(self.take(arg)?)),
            3 => Some(Item::Text(std::str::from_utf8(self.take(arg)?).ok()?)),
            7 => match self.b.get(at)? {
                0xf4 => Some(Item::Bool(false)),
                0xf5 => Some(Item::Bool(true)),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The CBOR trailer of `code`: `None` when the code has none or it is malformed (a trailer that
/// does not decode exactly is no trailer; never a panic).
pub fn trailer(code: &[u8]) -> Option<Trailer> {
    let n = code.len();
    if n < 2 {
        return None;
    }
    let len = usize::from(u16::from_be_bytes([code[n - 2], code[n - 1]]));
    if len == 0 || len + 2 > n {
        return None;
    }
    let start = n - 2 - len;
    let mut r = Reader {
        b: &code[start..n - 2],
        at: 0,
    };
    let (major, count) = r.head()?;
    if major != 5 || count == 0 || count > MAX_CBOR_ENTRIES {
        return None;
    }
    let mut t = Trailer {
        start,
        ipfs: None,
        bzzr: None,
        solc: None,
        experimental: false,
    };
    let mut seen = Vec::new();
    for _ in 0..count {
        let Item::Text(key) = r.item()? else {
            return None;
        };
        if seen.contains(&key) {
            return None;
        }
        seen.push(key);
        let value = r.item()?;
        match (key, value) {
            ("ipfs", Item::Bytes(b)) => t.ipfs = Some(b.to_vec()),
            ("bzzr0" | "bzzr1", Item::Bytes(b)) => t.bzzr = Some(b.to_vec()),
            ("solc", Item::Bytes(b)) if b.len() == 3 => {
                t.solc = Some(format!("{}.{}.{}", b[0], b[1], b[2]));
            }
            ("solc", Item::Text(s)) => t.solc = Some(s.to_owned()),
            ("experimental", Item::Bool(v)) => t.experimental = v,
            // vyper and others write other keys; they are part of the trailer all the same.
            (_, Item::Bytes(_) | Item::Text(_) | Item::Bool(_)) => {}
        }
    }
    (r.at == r.b.len()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solc_trailer() -> Vec<u8> {
        // a2 64 "ipfs" 58 22 <34 bytes> 64 "solc" 43 00 08 25, then 00 33
        let mut t = vec![0xa2, 0x64];
        t.extend_from_slice(b"ipfs");
        t.extend_from_slice(&[0x58, 0x22]);
        t.extend_from_slice(&[0x12, 0x20]);
        t.extend_from_slice(&[7u8; 32]);
        t.push(0x64);
        t.extend_from_slice(b"solc");
        t.extend_from_slice(&[0x43, 0, 8, 37]);
        let len = u16::try_from(t.len()).unwrap_or(0);
        t.extend_from_slice(&len.to_be_bytes());
        t
    }

    #[test]
    fn reads_a_solc_trailer() {
        let mut code = vec![0x60, 0x80];
        code.extend(solc_trailer());
        let t = trailer(&code).expect("trailer");
        assert_eq!(t.start, 2);
        assert_eq!(t.solc.as_deref(), Some("0.8.37"));
        assert_eq!(t.ipfs.as_ref().map(Vec::len), Some(34));
    }

    #[test]
    fn malformed_is_none() {
        assert!(trailer(&[]).is_none());
        assert!(trailer(&[0x00]).is_none());
        assert!(trailer(&[0xff, 0xff]).is_none());
        assert!(trailer(&[0xa1, 0x00, 0x02]).is_none());
        let mut code = vec![0x60, 0x80];
        code.extend(solc_trailer());
        // one byte of the map cut: the length no longer matches
        let n = code.len();
        code.remove(n - 5);
        assert!(trailer(&code).is_none());
        // every truncation and every byte flip: never a panic
        let good = {
            let mut c = vec![0x60];
            c.extend(solc_trailer());
            c
        };
        for i in 0..good.len() {
            let _ = trailer(&good[..i]);
            let mut f = good.clone();
            f[i] ^= 0xff;
            let _ = trailer(&f);
        }
    }
}
