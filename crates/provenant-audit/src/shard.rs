//! Sharded runs: the sample is split deterministically (item `order` goes to part
//! `(order − 1) mod N`), each part writes a part pack, and [`merge`] joins the parts into the
//! pack one unsharded run writes, refusing gaps, duplicates and mismatched parameters.

use std::collections::{BTreeMap, BTreeSet};

use crate::pack::{outcome, Pack, Shard};
use crate::stats::Rate;

/// Most parts of a sharded run.
pub const MAX_SHARDS: u64 = 10_000;

/// Why a shard specification or a merge is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShardError {
    /// Not `I/N` with `0 ≤ I < N ≤ MAX_SHARDS`.
    #[error("shard {0:?}: write it as I/N with 0 <= I < N <= {MAX_SHARDS} (I is 0-based)")]
    Bad(String),
    /// Parts of different runs.
    #[error("{part} was made with other {what} than {first}; merge the parts of one run")]
    Mismatch {
        /// The part that differs.
        part: String,
        /// The first part.
        first: String,
        /// What differs.
        what: &'static str,
    },
    /// A pack that is not a part.
    #[error("{0} is not a part of a sharded run (no shard in pack.json)")]
    NotAPart(String),
    /// A part given twice.
    #[error("part {index}/{total} is given twice ({a} and {b})")]
    DuplicatePart {
        /// The index.
        index: u64,
        /// The number of parts.
        total: u64,
        /// One directory.
        a: String,
        /// The other.
        b: String,
    },
    /// Parts missing.
    #[error("parts {missing:?} of {total} are missing; give every part")]
    MissingParts {
        /// The missing indices.
        missing: Vec<u64>,
        /// The number of parts.
        total: u64,
    },
    /// A release in two parts, or in a part it does not belong to.
    #[error("release {id:?} appears {why}")]
    Release {
        /// The release id.
        id: String,
        /// What is wrong.
        why: String,
    },
}

/// Parse `I/N`.
pub fn parse_shard(s: &str) -> Result<Shard, ShardError> {
    let bad = || ShardError::Bad(s.to_owned());
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(i) || !digits(n) {
        return Err(bad());
    }
    let index: u64 = i.parse().map_err(|_| bad())?;
    let total: u64 = n.parse().map_err(|_| bad())?;
    if total == 0 || total > MAX_SHARDS || index >= total {
        return Err(bad());
    }
    Ok(Shard { index, total })
}

/// Whether the item at 1-based `order` belongs to `shard`.
pub fn in_shard(order: u64, shard: Shard) -> bool {
    (order - 1) % shard.total == shard.index
}

/// Join part packs (with their names, for messages) into one pack over the whole sample.
/// `confidence` and `tolerable` are the parts' (already checked equal) parameters, parsed.
pub fn merge(
    parts: &[(String, Pack)],
    confidence: Option<Rate>,
    tolerable: Option<Rate>,
) -> Result<Pack, ShardError> {
    let (first_name, first) = parts.first().ok_or_else(|| ShardError::MissingParts {
        missing: vec![],
        total: 0,
    })?;
    let first_shard = first
        .shard
        .ok_or_else(|| ShardError::NotAPart(first_name.clone()))?;
    let mut seen: BTreeMap<u64, &str> = BTreeMap::new();
    for (name, p) in parts {
        let mismatch = |what| ShardError::Mismatch {
            part: name.clone(),
            first: first_name.clone(),
            what,
        };
        let s = p.shard.ok_or_else(|| ShardError::NotAPart(name.clone()))?;
        if p.population != first.population {
            return Err(mismatch("population"));
        }
        if p.parameters.seed != first.parameters.seed {
            return Err(mismatch("seed"));
        }
        if p.parameters != first.parameters {
            return Err(mismatch("parameters"));
        }
        if p.tool_version != first.tool_version {
            return Err(mismatch("provenant version"));
        }
        if s.total != first_shard.total {
            return Err(mismatch("number of parts"));
        }
        if let Some(a) = seen.insert(s.index, name) {
            return Err(ShardError::DuplicatePart {
                index: s.index,
                total: s.total,
                a: a.to_owned(),
                b: name.clone(),
            });
        }
    }
    let missing: Vec<u64> = (0..first_shard.total)
        .filter(|i| !seen.contains_key(i))
        .collect();
    if !missing.is_empty() {
        return Err(ShardError::MissingParts {
            missing,
            total: first_shard.total,
        });
    }
    let releases = join_releases(parts, &first.parameters.selected)?;
    let mut pack = first.clone();
    pack.shard = None;
    pack.outcome = outcome(&releases, confidence, tolerable, false);
    pack.releases = releases;
    // Each part read the history of its own releases.
    pack.git = parts
        .iter()
        .flat_map(|(_, p)| p.git.iter().cloned())
        .collect();
    pack.git.sort_by(|a, b| a.release.cmp(&b.release));
    Ok(pack)
}

fn join_releases(
    parts: &[(String, Pack)],
    selected: &[String],
) -> Result<Vec<crate::pack::ReleaseRecord>, ShardError> {
    let mut ids = BTreeSet::new();
    let mut all = Vec::new();
    for (_, p) in parts {
        let shard = p.shard.unwrap_or(Shard { index: 0, total: 1 });
        for r in &p.releases {
            let id = &r.plan.id;
            if !ids.insert(id.clone()) {
                return Err(ShardError::Release {
                    id: id.clone(),
                    why: "in two parts".into(),
                });
            }
            let at = usize::try_from(r.order.saturating_sub(1)).unwrap_or(usize::MAX);
            if r.order == 0 || selected.get(at) != Some(id) || !in_shard(r.order, shard) {
                return Err(ShardError::Release {
                    id: id.clone(),
                    why: format!(
                        "in part {}/{} at position {}, where the sample does not put it",
                        shard.index, shard.total, r.order
                    ),
                });
            }
            all.push(r.clone());
        }
    }
    if let Some(gap) = selected.iter().find(|id| !ids.contains(*id)) {
        return Err(ShardError::Release {
            id: gap.clone(),
            why: "in no part (a part pack is incomplete)".into(),
        });
    }
    all.sort_by_key(|r| r.order);
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_grammar() {
        assert_eq!(parse_shard("0/3").unwrap(), Shard { index: 0, total: 3 });
        for bad in [
            "3/3", "1/0", "-1/3", "a/3", "1", "1/3/4", "+1/3", " 1/3", "1/10001",
        ] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_item_in_exactly_one_shard() {
        for total in 1..6 {
            for order in 1..50 {
                let n = (0..total)
                    .filter(|&index| in_shard(order, Shard { index, total }))
                    .count();
                assert_eq!(n, 1);
            }
        }
    }
}
