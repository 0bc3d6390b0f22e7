//! Attribute sampling for tests of controls: the sample size that limits the risk of
//! overreliance, and the one-sided upper deviation limit of a sample (AICPA Audit Guide
//! *Audit Sampling*, Appendix A; AS 2315).
//!
//! Rates are exact decimals ([`Rate`]) so that `ceil(n × E)` is computed without binary
//! rounding (`400 × 0.035` is 14, not 14.000000000000002). Probabilities are f64, summed from
//! the tail's anchor term outward so that nothing underflows or cancels.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::Serialize;

use crate::limits::{MAX_POPULATION_SIZE, MAX_RATE_DECIMALS, MAX_SAMPLE_SIZE};

/// Why a rate could not be read or a statistic could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// Not a decimal fraction.
    #[error("{text:?} is not a decimal fraction; write it like 0.05 (5 %)")]
    NotDecimal {
        /// What was given.
        text: String,
    },
    /// More decimals than [`MAX_RATE_DECIMALS`].
    #[error("{text:?} has more than {MAX_RATE_DECIMALS} decimals")]
    TooPrecise {
        /// What was given.
        text: String,
    },
    /// A rate outside its range.
    #[error("{what} {value} is outside {range}; rates are fractions (0.05 is 5 %)")]
    OutOfRange {
        /// Which rate.
        what: &'static str,
        /// Its value.
        value: Rate,
        /// The allowed range, as text.
        range: &'static str,
    },
    /// The expected rate is at or above the tolerable rate: no sample can show the control
    /// effective.
    #[error("expected rate {expected} is not below tolerable rate {tolerable}: no sample size can support reliance; lower the expected rate or do not rely on the control")]
    ExpectedNotBelowTolerable {
        /// The expected rate.
        expected: Rate,
        /// The tolerable rate.
        tolerable: Rate,
    },
    /// The sample would exceed [`MAX_SAMPLE_SIZE`].
    #[error("the sample size exceeds {MAX_SAMPLE_SIZE} items; raise the tolerable rate or the risk, or lower the expected rate")]
    SampleTooLarge,
    /// Under the hypergeometric model, no sample smaller than the population meets the risk.
    #[error("no sample of fewer than all {population} items meets the risk; test every item")]
    WholePopulation {
        /// The population size.
        population: u64,
    },
    /// The population size is zero or too large.
    #[error("population size {population} is outside 1..={MAX_POPULATION_SIZE}")]
    PopulationSize {
        /// What was given.
        population: u64,
    },
    /// A sample size of zero or over the limit.
    #[error("sample size {n} is outside 1..={MAX_SAMPLE_SIZE}")]
    SampleSize {
        /// What was given.
        n: u64,
    },
    /// More deviations than items.
    #[error(
        "{deviations} deviations in a sample of {n}: there cannot be more deviations than items"
    )]
    DeviationsOverSample {
        /// Deviations given.
        deviations: u64,
        /// Sample size given.
        n: u64,
    },
}

/// A rate or probability written as a decimal fraction (`0.05`), kept exact:
/// `units / 10^scale`.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    units: u64,
    scale: u32,
}

impl Rate {
    /// Zero.
    pub const ZERO: Rate = Rate { units: 0, scale: 0 };

    /// The rate as a binary float (for probabilities; never for the `ceil(n × E)` count).
    pub fn value(self) -> f64 {
        self.units as f64 / 10f64.powi(self.scale as i32)
    }

    /// `1 − rate`, computed exactly in decimal before it becomes a float.
    pub fn complement(self) -> f64 {
        let one = 10u64.pow(self.scale);
        one.saturating_sub(self.units) as f64 / one as f64
    }

    /// `ceil(n × rate)`, exactly.
    pub fn ceil_times(self, n: u64) -> u64 {
        let den = u128::from(10u64.pow(self.scale));
        let num = u128::from(n) * u128::from(self.units);
        u64::try_from(num.div_ceil(den)).unwrap_or(u64::MAX)
    }

    /// Whether the rate is zero.
    pub fn is_zero(self) -> bool {
        self.units == 0
    }

    /// `self < other`, exactly.
    pub fn lt(self, other: Rate) -> bool {
        let (a, b) = self.common(other);
        a < b
    }

    /// Whether `0 < self < 1`.
    fn in_open_unit(self) -> bool {
        self.units > 0 && self.units < 10u64.pow(self.scale)
    }

    fn common(self, other: Rate) -> (u128, u128) {
        let s = self.scale.max(other.scale);
        (
            u128::from(self.units) * 10u128.pow(s - self.scale),
            u128::from(other.units) * 10u128.pow(s - other.scale),
        )
    }
}

impl PartialEq for Rate {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = self.common(*other);
        a == b
    }
}

impl Eq for Rate {}

impl FromStr for Rate {
    type Err = StatsError;

    /// `DIGITS[.DIGITS]`: no sign, exponent or percent sign.
    fn from_str(s: &str) -> Result<Self, StatsError> {
        let not = || StatsError::NotDecimal {
            text: s.chars().take(40).collect(),
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || int.len() > 6 || !digits(int) || !digits(frac) {
            return Err(not());
        }
        if s.contains('.') && frac.is_empty() {
            return Err(not());
        }
        if frac.len() > MAX_RATE_DECIMALS as usize {
            return Err(StatsError::TooPrecise {
                text: s.chars().take(40).collect(),
            });
        }
        let scale = frac.len() as u32;
        let int: u64 = int.parse().map_err(|_| not())?;
        let frac_v: u64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| not())?
        };
        let units = int
            .checked_mul(10u64.pow(scale))
            .and_then(|v| v.checked_add(frac_v))
            .ok_or_else(not)?;
        Ok(Rate { units, scale })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let one = 10u64.pow(self.scale);
        let int = self.units / one;
        let frac = self.units % one;
        if self.scale == 0 {
            write!(f, "{int}")
        } else {
            let frac = format!("{frac:0width$}", width = self.scale as usize);
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                write!(f, "{int}")
            } else {
                write!(f, "{int}.{frac}")
            }
        }
    }
}

impl Serialize for Rate {
    /// A JSON number (the decimal's nearest f64: `0.05`).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.value())
    }
}

/// The distribution that models the number of deviations in a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Sampling with replacement, or from a large population (the AICPA tables).
    Binomial,
    /// The Poisson approximation (`λ = n × T`); slightly larger samples.
    Poisson,
    /// Sampling without replacement from a finite population of `N` items, `ceil(T × N)` of
    /// them deviations.
    Hypergeometric,
}

impl Model {
    /// The model's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Binomial => "binomial",
            Self::Poisson => "poisson",
            Self::Hypergeometric => "hypergeometric",
        }
    }
}

/// What a sample size is planned from.
#[derive(Debug, Clone, Copy)]
pub struct SizePlan {
    /// Confidence `C`; the risk of overreliance is `1 − C`.
    pub confidence: Rate,
    /// Tolerable deviation rate `T`.
    pub tolerable: Rate,
    /// Expected population deviation rate `E` (zero when none is expected).
    pub expected: Rate,
    /// The distribution.
    pub model: Model,
    /// The population size `N` (required by [`Model::Hypergeometric`]; with the other models
    /// a sample larger than it is refused).
    pub population: Option<u64>,
}

/// A planned sample size.
#[derive(Debug, Clone, Serialize)]
pub struct SampleSize {
    /// The smallest sample size that meets the risk.
    pub sample_size: u64,
    /// The model used.
    pub model: Model,
    /// Confidence `C`.
    pub confidence: Rate,
    /// Risk of overreliance `1 − C`.
    pub risk: f64,
    /// Tolerable rate `T`.
    pub tolerable_rate: Rate,
    /// Expected rate `E`.
    pub expected_rate: Rate,
    /// Deviations the sample may show and still support reliance: `ceil(n × E)`.
    pub expected_deviations: u64,
    /// Probability of at most that many deviations when the population rate is `T` (below the
    /// risk).
    pub achieved_risk: f64,
    /// The population size, when given.
    pub population_size: Option<u64>,
    /// Deviations in the population under the hypergeometric model: `ceil(T × N)`.
    pub population_deviations: Option<u64>,
}

fn check_rates(plan: &SizePlan) -> Result<(), StatsError> {
    let range = |what, value: Rate| StatsError::OutOfRange {
        what,
        value,
        range: "(0, 1)",
    };
    if !plan.confidence.in_open_unit() {
        return Err(range("confidence", plan.confidence));
    }
    if !plan.tolerable.in_open_unit() {
        return Err(range("tolerable rate", plan.tolerable));
    }
    if !plan.expected.is_zero() && !plan.expected.in_open_unit() {
        return Err(StatsError::OutOfRange {
            what: "expected rate",
            value: plan.expected,
            range: "[0, 1)",
        });
    }
    if !plan.expected.lt(plan.tolerable) {
        return Err(StatsError::ExpectedNotBelowTolerable {
            expected: plan.expected,
            tolerable: plan.tolerable,
        });
    }
    Ok(())
}

/// The smallest `n` for which the probability of observing at most `ceil(n × E)` deviations,
/// when the population deviation rate is `T`, is below the risk `1 − C`.
pub fn sample_size(plan: &SizePlan) -> Result<SampleSize, StatsError> {
    check_rates(plan)?;
    let risk = plan.confidence.complement();
    let t = plan.tolerable.value();
    if let Some(p) = plan.population {
        if p == 0 || p > MAX_POPULATION_SIZE {
            return Err(StatsError::PopulationSize { population: p });
        }
    }
    let (upper, population_deviations) = match (plan.model, plan.population) {
        (Model::Hypergeometric, Some(n_pop)) => (
            n_pop.min(MAX_SAMPLE_SIZE),
            Some(plan.tolerable.ceil_times(n_pop)),
        ),
        (Model::Hypergeometric, None) => return Err(StatsError::PopulationSize { population: 0 }),
        _ => (MAX_SAMPLE_SIZE, None),
    };
    for n in 1..=upper {
        let k = plan.expected.ceil_times(n);
        if k >= n {
            continue;
        }
        let p = match (plan.model, plan.population, population_deviations) {
            (Model::Binomial, _, _) => binomial_cdf(k, n, t),
            (Model::Poisson, _, _) => poisson_cdf(k, n as f64 * t),
            (Model::Hypergeometric, Some(big_n), Some(big_k)) => {
                hypergeometric_cdf(k, n, big_k, big_n)
            }
            (Model::Hypergeometric, _, _) => 1.0,
        };
        if p < risk {
            if let Some(pop) = plan.population {
                if n > pop {
                    return Err(StatsError::WholePopulation { population: pop });
                }
            }
            return Ok(SampleSize {
                sample_size: n,
                model: plan.model,
                confidence: plan.confidence,
                risk,
                tolerable_rate: plan.tolerable,
                expected_rate: plan.expected,
                expected_deviations: k,
                achieved_risk: p,
                population_size: plan.population,
                population_deviations,
            });
        }
    }
    match (plan.model, plan.population) {
        (Model::Hypergeometric, Some(pop)) if pop <= MAX_SAMPLE_SIZE => {
            Err(StatsError::WholePopulation { population: pop })
        }
        _ => Err(StatsError::SampleTooLarge),
    }
}

/// Whether the control can be relied on, from a sample's upper deviation limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Conclusion {
    /// The upper deviation limit is at or below the tolerable rate.
    Effective,
    /// The upper deviation limit exceeds the tolerable rate.
    NotEffective,
}

/// The evaluation of a sample's deviations.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// Items tested.
    pub sample_size: u64,
    /// Deviations found.
    pub deviations: u64,
    /// Confidence `C`.
    pub confidence: Rate,
    /// The one-sided Clopper–Pearson upper bound at `C`, as a fraction, unrounded (the upper
    /// end of the bisection bracket, so never below the exact bound by more than an ulp).
    pub upper_deviation_limit: f64,
    /// The same in percent, rounded up to 0.1 as the AICPA tables print it.
    pub upper_deviation_limit_pct: f64,
    /// Deviations divided by the sample size.
    pub sample_deviation_rate: f64,
    /// The tolerable rate, when given.
    pub tolerable_rate: Option<Rate>,
    /// Effective when the upper limit is at or below the tolerable rate; `None` without one.
    pub conclusion: Option<Conclusion>,
}

/// Evaluate `deviations` found in a sample of `n` at confidence `C`, against `tolerable` when
/// given.
pub fn evaluate(
    n: u64,
    deviations: u64,
    confidence: Rate,
    tolerable: Option<Rate>,
) -> Result<Evaluation, StatsError> {
    if !confidence.in_open_unit() {
        return Err(StatsError::OutOfRange {
            what: "confidence",
            value: confidence,
            range: "(0, 1)",
        });
    }
    if let Some(t) = tolerable {
        if !t.in_open_unit() {
            return Err(StatsError::OutOfRange {
                what: "tolerable rate",
                value: t,
                range: "(0, 1)",
            });
        }
    }
    let udl = upper_deviation_limit(n, deviations, confidence)?;
    let conclusion = tolerable.map(|t| {
        if udl <= t.value() {
            Conclusion::Effective
        } else {
            Conclusion::NotEffective
        }
    });
    Ok(Evaluation {
        sample_size: n,
        deviations,
        confidence,
        upper_deviation_limit: udl,
        upper_deviation_limit_pct: round_up_pct(udl),
        sample_deviation_rate: deviations as f64 / n as f64,
        tolerable_rate: tolerable,
        conclusion,
    })
}

/// A fraction in percent, rounded up to one decimal (`0.04870` → `4.9`).
pub fn round_up_pct(fraction: f64) -> f64 {
    (fraction * 1000.0).ceil() / 10.0
}

/// The one-sided Clopper–Pearson upper bound `Beta⁻¹(C; k+1, n−k)`: the rate `p` at which
/// seeing at most `k` deviations in `n` has probability `1 − C`. Found by bisection on the
/// binomial CDF to the last bit of an f64; the upper end of the bracket is returned.
pub fn upper_deviation_limit(n: u64, k: u64, confidence: Rate) -> Result<f64, StatsError> {
    if n == 0 || n > MAX_SAMPLE_SIZE {
        return Err(StatsError::SampleSize { n });
    }
    if k > n {
        return Err(StatsError::DeviationsOverSample { deviations: k, n });
    }
    if k == n {
        return Ok(1.0);
    }
    let risk = confidence.complement();
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let mid = lo + (hi - lo) / 2.0;
        if mid <= lo || mid >= hi {
            break;
        }
        if binomial_cdf(k, n, mid) > risk {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(hi)
}

/// `ln(m!)`: a table below 256, Stirling's series above (error far below 1e-15 relative).
pub(crate) fn ln_factorial(m: u64) -> f64 {
    static TABLE: OnceLock<Vec<f64>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = Vec::with_capacity(256);
        let mut acc = 0.0f64;
        t.push(0.0);
        for i in 1..256u32 {
            acc += f64::from(i).ln();
            t.push(acc);
        }
        t
    });
    if let Some(v) = usize::try_from(m).ok().and_then(|i| table.get(i)) {
        return *v;
    }
    let x = m as f64 + 1.0;
    let x2 = x * x;
    (x - 0.5) * x.ln() - x
        + 0.5 * (2.0 * std::f64::consts::PI).ln()
        + (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - 1.0 / (1680.0 * x2)) / x2) / x2) / x
}

fn ln_choose(n: u64, k: u64) -> f64 {
    ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k)
}

/// Sum a unimodal distribution's terms from `anchor` (whose log-probability is `ln_anchor`)
/// outward, each term the previous times `ratio(i)`, until `stop` or until terms no longer
/// matter. The terms decrease away from the anchor because the anchor lies on the far side of
/// the mode; that keeps the sum free of overflow and cancellation.
fn tail(ln_anchor: f64, mut ratio: impl FnMut(u64) -> Option<f64>, start: u64) -> f64 {
    let mut term = 1.0f64;
    let mut sum = 1.0f64;
    let mut i = start;
    while let Some(r) = ratio(i) {
        term *= r;
        sum += term;
        if term < sum * 1e-18 {
            break;
        }
        i += 1;
    }
    (ln_anchor.exp() * sum).clamp(0.0, 1.0)
}

/// `P(X ≤ k)` for `X ~ Binomial(n, p)`.
pub fn binomial_cdf(k: u64, n: u64, p: f64) -> f64 {
    if k >= n || p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return 0.0;
    }
    let (lp, lq) = (p.ln(), (-p).ln_1p());
    let ln_pmf = |i: u64| ln_choose(n, i) + i as f64 * lp + (n - i) as f64 * lq;
    if (k as f64) < n as f64 * p {
        // Lower tail, from k down to 0: pmf(i−1)/pmf(i) = i·q / ((n−i+1)·p).
        tail(
            ln_pmf(k),
            |step| {
                let i = k.checked_sub(step)?;
                (i > 0).then(|| i as f64 * (1.0 - p) / ((n - i + 1) as f64 * p))
            },
            0,
        )
    } else {
        // Upper tail, from k+1 up to n: pmf(i+1)/pmf(i) = (n−i)·p / ((i+1)·q).
        let up = tail(
            ln_pmf(k + 1),
            |step| {
                let i = k + 1 + step;
                (i < n).then(|| (n - i) as f64 * p / ((i + 1) as f64 * (1.0 - p)))
            },
            0,
        );
        (1.0 - up).clamp(0.0, 1.0)
    }
}

/// `P(X ≤ k)` for `X ~ Poisson(λ)`.
pub fn poisson_cdf(k: u64, lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return 1.0;
    }
    let ln_pmf = |i: u64| -lambda + i as f64 * lambda.ln() - ln_factorial(i);
    if (k as f64) < lambda {
        tail(
            ln_pmf(k),
            |step| {
                let i = k.checked_sub(step)?;
                (i > 0).then(|| i as f64 / lambda)
            },
            0,
        )
    } else {
        let up = tail(
            ln_pmf(k + 1),
            |step| {
                let i = k + 1 + step;
                Some(lambda / (i + 1) as f64)
            },
            0,
        );
        (1.0 - up).clamp(0.0, 1.0)
    }
}

/// `P(X ≤ k)` for `X ~ Hypergeometric(N = big_n, K = big_k, n)`: deviations in a sample of
/// `n` drawn without replacement from `N` items of which `K` are deviations.
pub fn hypergeometric_cdf(k: u64, n: u64, big_k: u64, big_n: u64) -> f64 {
    let big_k = big_k.min(big_n);
    let n = n.min(big_n);
    let lo = (n + big_k).saturating_sub(big_n);
    let hi = n.min(big_k);
    if k >= hi {
        return 1.0;
    }
    if k < lo {
        return 0.0;
    }
    let ln_pmf =
        |i: u64| ln_choose(big_k, i) + ln_choose(big_n - big_k, n - i) - ln_choose(big_n, n);
    let mean = n as f64 * big_k as f64 / big_n as f64;
    if (k as f64) < mean {
        // pmf(i−1)/pmf(i) = i·(N−K−n+i) / ((K−i+1)·(n−i+1))
        tail(
            ln_pmf(k),
            |step| {
                let i = k.checked_sub(step)?;
                (i > lo).then(|| {
                    (i as f64 * (big_n - big_k + i - n) as f64)
                        / ((big_k - i + 1) as f64 * (n - i + 1) as f64)
                })
            },
            0,
        )
    } else {
        // pmf(i+1)/pmf(i) = (K−i)·(n−i) / ((i+1)·(N−K−n+i+1))
        let up = tail(
            ln_pmf(k + 1),
            |step| {
                let i = k + 1 + step;
                (i < hi).then(|| {
                    ((big_k - i) as f64 * (n - i) as f64)
                        / ((i + 1) as f64 * (big_n - big_k + i + 1 - n) as f64)
                })
            },
            0,
        );
        (1.0 - up).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;
