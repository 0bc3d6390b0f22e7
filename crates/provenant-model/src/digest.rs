//! Content digests, as `algorithm:hex` strings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A hash algorithm provenant can compute or compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestAlgorithm {
    /// SHA-256 (32 bytes).
    Sha256,
    /// SHA-384 (48 bytes).
    Sha384,
    /// SHA-512 (64 bytes).
    Sha512,
}

impl DigestAlgorithm {
    /// Every algorithm, in the order provenant prefers them.
    pub const ALL: [DigestAlgorithm; 3] = [Self::Sha256, Self::Sha384, Self::Sha512];

    /// The lowercase name used in `algorithm:hex` and in in-toto digest sets.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// Length of a digest of this algorithm, in bytes.
    pub fn byte_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a digest string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigestError {
    /// The string has no `algorithm:` prefix.
    #[error("digest {0:?} has no algorithm prefix; write it as sha256:<hex>")]
    MissingAlgorithm(String),
    /// The algorithm is not one provenant supports.
    #[error("unsupported digest algorithm {0:?}; use sha256, sha384 or sha512")]
    UnsupportedAlgorithm(String),
    /// The hex part is not lowercase/uppercase hex of the right length.
    #[error("{algorithm} digest must be {expected} hex characters, got {actual:?}")]
    BadHex {
        /// The algorithm named.
        algorithm: DigestAlgorithm,
        /// Expected number of hex characters.
        expected: usize,
        /// What was given.
        actual: String,
    },
}

/// A digest: algorithm plus lowercase hex value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: DigestAlgorithm,
    hex: String,
}

impl Digest {
    /// Build a digest from raw bytes; `None` when the length does not fit the algorithm.
    pub fn from_bytes(algorithm: DigestAlgorithm, bytes: &[u8]) -> Option<Self> {
        (bytes.len() == algorithm.byte_len()).then(|| Self {
            algorithm,
            hex: bytes.iter().map(|b| format!("{b:02x}")).collect(),
        })
    }

    /// Build a digest from an algorithm and a hex value (any case).
    pub fn from_hex(algorithm: DigestAlgorithm, hex: &str) -> Result<Self, DigestError> {
        let ok =
            hex.len() == algorithm.byte_len() * 2 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        if !ok {
            return Err(DigestError::BadHex {
                algorithm,
                expected: algorithm.byte_len() * 2,
                actual: hex.chars().take(140).collect(),
            });
        }
        Ok(Self {
            algorithm,
            hex: hex.to_ascii_lowercase(),
        })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// The lowercase hex value.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The raw digest bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        (0..self.hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&self.hex[i..i + 2], 16).unwrap_or_default())
            .collect()
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| DigestError::MissingAlgorithm(s.chars().take(140).collect()))?;
        let algorithm = match alg.to_ascii_lowercase().as_str() {
            "sha256" | "sha2-256" | "sha2_256" => DigestAlgorithm::Sha256,
            "sha384" | "sha2-384" | "sha2_384" => DigestAlgorithm::Sha384,
            "sha512" | "sha2-512" | "sha2_512" => DigestAlgorithm::Sha512,
            other => {
                return Err(DigestError::UnsupportedAlgorithm(
                    other.chars().take(40).collect(),
                ))
            }
        };
        Self::from_hex(algorithm, hex)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d: Digest = "sha256:A0CFC71271D6E278E57CD332FF957C3F7043FDDA354C4CBB190A30D56EFA01BF"
            .parse()
            .unwrap();
        assert_eq!(
            d.to_string(),
            "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"
        );
        assert_eq!(d.to_bytes().len(), 32);
    }

    #[test]
    fn rejects_bad_digests() {
        assert!(matches!(
            "abc".parse::<Digest>(),
            Err(DigestError::MissingAlgorithm(_))
        ));
        assert!(matches!(
            "md5:00".parse::<Digest>(),
            Err(DigestError::UnsupportedAlgorithm(_))
        ));
        assert!(matches!(
            "sha256:00".parse::<Digest>(),
            Err(DigestError::BadHex { .. })
        ));
        assert!(matches!(
            format!("sha256:{}", "zz".repeat(32)).parse::<Digest>(),
            Err(DigestError::BadHex { .. })
        ));
        // sha512 length given under a sha256 prefix
        assert!(format!("sha256:{}", "00".repeat(64))
            .parse::<Digest>()
            .is_err());
    }
}
