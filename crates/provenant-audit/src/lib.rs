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

mod db;
mod history;
pub mod limits;
mod pack;
mod population;
mod query;
mod release;
mod replay;
mod results;
mod select;
mod shard;
mod stats;
mod store;
mod summary;

pub use db::{
    open_read_only, read_sqlite, schema_markdown, schema_sql, sqlite_bytes, table, write_sqlite,
    Column, DbError, Rows, Table, Val, RESULTS_DB, SCHEMA_VERSION, TABLES,
};
pub use history::{
    commit_rows, commits_json, lockfile_rows, plan_ranges, range_rows, CommitRecord, GitRange,
    LockfileRecord, RangePlan,
};
pub use pack::{
    check_out, evidence_of, exit_code, manifest, outcome, pack_files, read_pack, report_path,
    reports_of, write_atomically, ManifestCheck, Outcome, Pack, PackError, Parameters,
    PopulationRecord, ReadPack, ReleaseRecord, Shard, MANIFEST, PACK_FORMAT,
};
pub use query::{
    database_of, query, Answer, QueryError, MAX_QUERY_BYTES, MAX_QUERY_ROWS, MAX_SQL_BYTES,
    QUERY_TIME_LIMIT,
};
pub use release::{
    resolve_policy, sha256_hex, test_release, FileRecord, FileSource, ItemVerdict, ReleasePlan,
    Role, SubjectPlan, Tested,
};
pub use replay::{compare, reselect, verdict_name, PackSource};
pub use results::{audit_id, ci_rows, pack_rows, results_db_diff, review_rows};
pub use shard::{in_shard, merge, parse_shard, ShardError, MAX_SHARDS};
pub use store::{
    pgpass_password, read_back, redact, sorted, store, target, StoreError, Stored, Target,
    CONNECT_TIMEOUT,
};

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
