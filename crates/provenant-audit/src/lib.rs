//! Release audit sampling: how many releases to test, which ones, and what the deviations
//! found mean (attribute sampling for tests of controls, AICPA Audit Guide *Audit Sampling*).
//!
//! ```
//! use provenant_audit::{sample_size, evaluate, Model, SizePlan};
//!
//! let plan = SizePlan {
//!     confidence: "0.95".parse().unwrap(),
//!     tolerable: "0.05".parse().unwrap(),
//!     expected: "0".parse().unwrap(),
//!     model: Model::Binomial,
//!     population: None,
//! };
//! assert_eq!(sample_size(&plan).unwrap().sample_size, 59);
//! let e = evaluate(60, 0, "0.95".parse().unwrap(), None).unwrap();
//! assert_eq!(e.upper_deviation_limit_pct, 4.9);
//! ```
#![warn(missing_docs)]

pub mod limits;
mod population;
mod select;
mod stats;

pub use population::{
    parse_population, valid_id, EvidencePaths, Population, PopulationError, PopulationFormat,
    Problem, ProblemKind, Row, SubjectRef, KNOWN_COLUMNS,
};
pub use select::{
    select, Method, SelectError, Selected, Selection, Stratum, Stream, MAX_WEIGHT_DECIMALS,
};
pub use stats::{
    binomial_cdf, evaluate, hypergeometric_cdf, poisson_cdf, round_up_pct, sample_size,
    upper_deviation_limit, Conclusion, Evaluation, Model, Rate, SampleSize, SizePlan, StatsError,
};
