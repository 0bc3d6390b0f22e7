//! Reproducible selection: rows sorted by id (byte order), a ChaCha20 stream keyed by SHA-256
//! of the seed, and integer-only algorithms that docs/audit.md spells out and
//! docs/audit_select.py re-performs.

use std::collections::BTreeMap;

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::population::{Population, Row};

/// Most decimals in a `--weight-by` value (weights become integer millionths).
pub const MAX_WEIGHT_DECIMALS: usize = 6;

/// How the sample is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// Simple random sampling without replacement (partial Fisher–Yates).
    Random,
    /// Every (N/n)-th row from a random start.
    Systematic,
    /// Proportional allocation over the values of a column, at least one per stratum, then
    /// random within each stratum.
    Stratified {
        /// The column whose values are the strata.
        column: String,
    },
    /// Probability proportional to size: successive draws without replacement, each with
    /// probability proportional to the row's weight among the rows left.
    Pps {
        /// The column holding each row's weight (a non-negative decimal).
        column: String,
    },
}

impl Method {
    /// The method's name as the CLI spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Random => "random",
            Self::Systematic => "systematic",
            Self::Stratified { .. } => "stratified",
            Self::Pps { .. } => "pps",
        }
    }
}

/// Why a selection cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectError {
    /// An empty seed.
    #[error("the seed is empty; give --seed a recorded value (for example the audit's reference)")]
    EmptySeed,
    /// A sample of zero.
    #[error("the sample size is 0")]
    ZeroSize,
    /// More items than rows (or than rows with a positive weight).
    #[error("a sample of {size} from {available} {what}; test them all with --size {available}")]
    SizeOverPopulation {
        /// The sample size.
        size: u64,
        /// The rows that can be drawn.
        available: u64,
        /// What they are.
        what: &'static str,
    },
    /// Rows without a value in the stratification or weight column.
    #[error("column {column:?} has no value on line{} {}; fill it in (every row belongs to a stratum / has a weight)", if .lines.len() == 1 { "" } else { "s" }, lines_text(.lines))]
    MissingValue {
        /// The column.
        column: String,
        /// Lines without a value.
        lines: Vec<u64>,
    },
    /// A weight that is not a non-negative decimal.
    #[error("line {line}: weight {value:?} in column {column:?} is not a non-negative decimal with at most {MAX_WEIGHT_DECIMALS} decimals")]
    BadWeight {
        /// The file line.
        line: u64,
        /// The column.
        column: String,
        /// The value.
        value: String,
    },
    /// The weights sum past 2^64 millionths.
    #[error(
        "the weights in column {column:?} sum to more than 18446744073709.551615; scale them down"
    )]
    WeightOverflow {
        /// The column.
        column: String,
    },
    /// Fewer items than strata.
    #[error("{strata} strata but a sample of {size}: at least one item per stratum needs --size {strata} or more")]
    FewerItemsThanStrata {
        /// Non-empty strata.
        strata: u64,
        /// The sample size.
        size: u64,
    },
}

fn lines_text(lines: &[u64]) -> String {
    let mut s: Vec<String> = lines.iter().take(20).map(u64::to_string).collect();
    if lines.len() > 20 {
        s.push(format!("and {} more", lines.len() - 20));
    }
    s.join(", ")
}

/// One stratum's allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stratum {
    /// The column value.
    pub value: String,
    /// Rows in the stratum.
    pub rows: u64,
    /// Items drawn from it.
    pub sample: u64,
}

/// One selected release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selected {
    /// 1-based position in the selection order.
    pub order: u64,
    /// The release id.
    pub id: String,
    /// Its line in the population file.
    pub line: u64,
    /// Its stratum (stratified selection).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stratum: Option<String>,
    /// Its weight as written (pps selection).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// Index of the row in [`Population::rows`].
    #[serde(skip)]
    pub row: usize,
}

/// A selection, with everything needed to re-perform it.
#[derive(Debug, Clone, Serialize)]
pub struct Selection {
    /// SHA-256 of the population file.
    pub population_sha256: String,
    /// Rows in the population.
    pub population_rows: u64,
    /// The seed string, as given.
    pub seed: String,
    /// `random`, `systematic`, `stratified` or `pps`.
    pub method: &'static str,
    /// The stratification column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stratify_by: Option<String>,
    /// The weight column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_by: Option<String>,
    /// Items selected.
    pub sample_size: u64,
    /// Allocation per stratum (stratified selection).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub strata: Vec<Stratum>,
    /// The selected releases, in selection order.
    pub selected: Vec<Selected>,
}

impl Selection {
    /// The selected rows of `population`, in selection order.
    pub fn rows<'a>(&self, population: &'a Population) -> Vec<&'a Row> {
        self.selected
            .iter()
            .filter_map(|s| population.rows.get(s.row))
            .collect()
    }
}

/// The selection stream: ChaCha20 keyed by SHA-256 of the seed, read as little-endian u64s.
pub struct Stream(ChaCha20Rng);

impl Stream {
    /// The stream for `seed`.
    pub fn new(seed: &str) -> Self {
        let key: [u8; 32] = Sha256::digest(seed.as_bytes()).into();
        Self(ChaCha20Rng::from_seed(key))
    }

    /// The next 64-bit word.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform integer in `0..m` (`m ≥ 1`) by rejection: words at or above the largest
    /// multiple of `m` below 2^64 are drawn again.
    pub fn below(&mut self, m: u64) -> u64 {
        let m = m.max(1);
        let zone = u128::from(u64::MAX) + 1 - (u128::from(u64::MAX) + 1) % u128::from(m);
        loop {
            let x = self.next_u64();
            if u128::from(x) < zone {
                return x % m;
            }
        }
    }
}

/// Draw `size` rows of `population` with `method`, reproducibly from `seed`.
pub fn select(
    population: &Population,
    seed: &str,
    size: u64,
    method: &Method,
) -> Result<Selection, SelectError> {
    if seed.is_empty() {
        return Err(SelectError::EmptySeed);
    }
    if size == 0 {
        return Err(SelectError::ZeroSize);
    }
    let n_rows = population.rows.len() as u64;
    if size > n_rows {
        return Err(SelectError::SizeOverPopulation {
            size,
            available: n_rows,
            what: "rows",
        });
    }
    // Row indices sorted by id, byte order.
    let mut sorted: Vec<usize> = (0..population.rows.len()).collect();
    sorted.sort_by(|a, b| {
        population.rows[*a]
            .id
            .as_bytes()
            .cmp(population.rows[*b].id.as_bytes())
    });
    let mut stream = Stream::new(seed);
    let n = usize::try_from(size).unwrap_or(usize::MAX);
    let mut strata = Vec::new();
    let picks: Vec<usize> = match method {
        Method::Random => shuffle_prefix(&sorted, n, &mut stream),
        Method::Systematic => {
            let big_n = u128::from(n_rows);
            let start = u128::from(stream.below(n_rows));
            (0..u128::from(size))
                .map(|i| {
                    let pos = (start + i * big_n) / u128::from(size);
                    sorted[usize::try_from(pos).unwrap_or(0)]
                })
                .collect()
        }
        Method::Stratified { column } => {
            let groups = strata_of(population, &sorted, column)?;
            let alloc = allocate(&groups, size)?;
            let mut picks = Vec::with_capacity(n);
            for ((value, members), take) in groups.iter().zip(&alloc) {
                strata.push(Stratum {
                    value: value.clone(),
                    rows: members.len() as u64,
                    sample: *take,
                });
                let take = usize::try_from(*take).unwrap_or(usize::MAX);
                picks.extend(shuffle_prefix(members, take, &mut stream));
            }
            picks
        }
        Method::Pps { column } => pps(population, &sorted, column, size, &mut stream)?,
    };
    let (stratify_by, weight_by) = match method {
        Method::Stratified { column } => (Some(column.clone()), None),
        Method::Pps { column } => (None, Some(column.clone())),
        _ => (None, None),
    };
    let selected = picks
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let r = &population.rows[row];
            Selected {
                order: i as u64 + 1,
                id: r.id.clone(),
                line: r.line,
                stratum: stratify_by
                    .as_ref()
                    .and_then(|c| r.attributes.get(c).cloned()),
                weight: weight_by
                    .as_ref()
                    .and_then(|c| r.attributes.get(c).cloned()),
                row,
            }
        })
        .collect();
    Ok(Selection {
        population_sha256: population.sha256.clone(),
        population_rows: n_rows,
        seed: seed.to_owned(),
        method: method.name(),
        stratify_by,
        weight_by,
        sample_size: size,
        strata,
        selected,
    })
}

/// The first `n` of a partial Fisher–Yates shuffle of `items`: for i in 0..n, swap item i with
/// item i + below(len − i).
fn shuffle_prefix(items: &[usize], n: usize, stream: &mut Stream) -> Vec<usize> {
    let mut a = items.to_vec();
    let len = a.len();
    for i in 0..n.min(len) {
        let j = i + usize::try_from(stream.below((len - i) as u64)).unwrap_or(0);
        a.swap(i, j);
    }
    a.truncate(n.min(len));
    a
}

/// A column's value on each row; rows without one are an error listing their lines.
fn column_values<'a>(
    population: &'a Population,
    sorted: &[usize],
    column: &str,
) -> Result<Vec<&'a str>, SelectError> {
    let mut missing = Vec::new();
    let mut values = Vec::with_capacity(sorted.len());
    for &i in sorted {
        let row = &population.rows[i];
        match row.attributes.get(column) {
            Some(v) if !v.is_empty() => values.push(v.as_str()),
            _ => missing.push(row.line),
        }
    }
    if missing.is_empty() {
        Ok(values)
    } else {
        missing.sort_unstable();
        Err(SelectError::MissingValue {
            column: column.to_owned(),
            lines: missing,
        })
    }
}

/// Strata in byte order of their value, each with its rows in id order.
fn strata_of(
    population: &Population,
    sorted: &[usize],
    column: &str,
) -> Result<Vec<(String, Vec<usize>)>, SelectError> {
    let values = column_values(population, sorted, column)?;
    let mut groups: BTreeMap<Vec<u8>, (String, Vec<usize>)> = BTreeMap::new();
    for (&i, v) in sorted.iter().zip(values) {
        groups
            .entry(v.as_bytes().to_vec())
            .or_insert_with(|| (v.to_owned(), Vec::new()))
            .1
            .push(i);
    }
    Ok(groups.into_values().collect())
}

/// Proportional allocation with at least one item per stratum (largest remainders; ties go to
/// the stratum first in byte order). See docs/audit.md.
fn allocate(groups: &[(String, Vec<usize>)], size: u64) -> Result<Vec<u64>, SelectError> {
    let h = groups.len() as u64;
    if size < h {
        return Err(SelectError::FewerItemsThanStrata { strata: h, size });
    }
    let big_n: u128 = groups.iter().map(|g| g.1.len() as u128).sum();
    let n = u128::from(size);
    let sizes: Vec<u64> = groups.iter().map(|g| g.1.len() as u64).collect();
    let mut alloc: Vec<u64> = sizes
        .iter()
        .map(|&nh| ((n * u128::from(nh) / big_n) as u64).max(1))
        .collect();
    let rem: Vec<u128> = sizes.iter().map(|&nh| n * u128::from(nh) % big_n).collect();
    let mut by_rem_desc: Vec<usize> = (0..groups.len()).collect();
    by_rem_desc.sort_by(|a, b| rem[*b].cmp(&rem[*a]).then(a.cmp(b)));
    let mut by_rem_asc: Vec<usize> = (0..groups.len()).collect();
    by_rem_asc.sort_by(|a, b| rem[*a].cmp(&rem[*b]).then(a.cmp(b)));
    let mut total: u64 = alloc.iter().sum();
    while total < size {
        for &i in &by_rem_desc {
            if total == size {
                break;
            }
            if alloc[i] < sizes[i] {
                alloc[i] += 1;
                total += 1;
            }
        }
    }
    while total > size {
        for &i in &by_rem_asc {
            if total == size {
                break;
            }
            if alloc[i] > 1 {
                alloc[i] -= 1;
                total -= 1;
            }
        }
    }
    Ok(alloc)
}

/// A weight as integer millionths.
fn weight_units(text: &str) -> Option<u64> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || !digits(int)
        || !digits(frac)
        || frac.len() > MAX_WEIGHT_DECIMALS
        || (text.contains('.') && frac.is_empty())
    {
        return None;
    }
    let int: u64 = int.parse().ok()?;
    let mut f = frac.to_owned();
    while f.len() < MAX_WEIGHT_DECIMALS {
        f.push('0');
    }
    let frac: u64 = f.parse().ok()?;
    int.checked_mul(1_000_000)?.checked_add(frac)
}

fn pps(
    population: &Population,
    sorted: &[usize],
    column: &str,
    size: u64,
    stream: &mut Stream,
) -> Result<Vec<usize>, SelectError> {
    let values = column_values(population, sorted, column)?;
    let mut items: Vec<(usize, u64)> = Vec::with_capacity(sorted.len());
    let mut total: u64 = 0;
    for (&i, v) in sorted.iter().zip(values) {
        let w = weight_units(v).ok_or_else(|| SelectError::BadWeight {
            line: population.rows[i].line,
            column: column.to_owned(),
            value: v.chars().take(40).collect(),
        })?;
        total = total
            .checked_add(w)
            .ok_or_else(|| SelectError::WeightOverflow {
                column: column.to_owned(),
            })?;
        if w > 0 {
            items.push((i, w));
        }
    }
    if size > items.len() as u64 {
        return Err(SelectError::SizeOverPopulation {
            size,
            available: items.len() as u64,
            what: "rows with a positive weight",
        });
    }
    let mut picks = Vec::new();
    for _ in 0..size {
        let r = stream.below(total);
        let mut cum = 0u64;
        let pos = items
            .iter()
            .position(|(_, w)| {
                cum += w;
                r < cum
            })
            .unwrap_or(items.len() - 1);
        let (row, w) = items.remove(pos);
        total -= w;
        picks.push(row);
    }
    Ok(picks)
}

#[cfg(test)]
#[path = "select_tests.rs"]
mod tests;
