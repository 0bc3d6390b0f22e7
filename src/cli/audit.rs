//! `provenant audit size | evaluate | select`: attribute sampling for testing a release control
//! over a population of releases. The statistics, population reader and selection live in
//! [`provenant_audit`]; this file turns flags into its inputs and prints.

use std::fmt::Write as _;
use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{json, Value};

use provenant_audit::{
    evaluate, parse_population, sample_size, select, Conclusion, Method, Model, Population,
    PopulationFormat, Rate, SampleSize, SizePlan,
};

use super::common::{emit, read_limited, CliError};

/// Audit sampling.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The sample size for a test of controls: the smallest n for which at most ceil(n x E)
    /// deviations would occur with probability below the risk (1 - C) if the population rate
    /// were the tolerable rate (AICPA Audit Sampling tables ). Exit 0, or 2 on bad input.
    Size(SizeArgs),
    /// Evaluate a sample: the upper deviation limit (one-sided Clopper-Pearson, AICPA tables
    /// ) and, with --tolerable-rate, whether the control is effective. Exit 0, or 2.
    Evaluate(EvaluateArgs),
    /// Select the releases to test from a population file (CSV or JSON lines), reproducibly
    /// from a recorded seed (docs/audit.md gives the algorithm). Exit 0, or 2.
    Select(SelectArgs),
    /// Select, verify every sampled release with the verify engine, and write an evidence
    /// pack. Exit 0 effective (or, without --tolerable-rate, every release verified), 1 not
    /// effective (or a deviation found), 2 bad input, 3 an evidence source unreachable.
    Run(Box<super::audit_run::RunCmdArgs>),
    /// Check a pack against its manifest and re-perform every verification from the pack
    /// alone, offline, at its recorded effective time. Exit 0 intact and reproduced, 1 not
    /// (naming each file or release that differs), 2 an unreadable pack.
    Replay(super::audit_run::ReplayArgs),
    /// Join the part packs of a sharded run into one pack, refusing mismatched populations,
    /// seeds or parameters, missing parts and duplicated releases. Exit codes as `run`.
    Merge(super::audit_run::MergeArgs),
    /// Run one read-only SQL statement over a pack's results.db (docs/audit-schema.md), or over
    /// a database `audit ingest` wrote. Writes, ATTACH and more than one statement are refused;
    /// a query is stopped after 30 s and may return at most 100000 rows. Exit 0, or 2 on bad SQL
    /// or a bad or tampered pack.
    Query(super::audit_sql::QueryArgs),
    /// Write the results.db tables without a sample, for ad-hoc queries: commits of a local
    /// clone's range (never fetched), reviews, CI runs and jobs, and lockfile dependencies.
    /// Exit 0, or 2 on bad input.
    Ingest(super::audit_sql::IngestArgs),
}

/// The distribution of `audit size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Binomial: the AICPA tables (large population or sampling with replacement).
    Binomial,
    /// Poisson approximation (slightly larger samples).
    Poisson,
    /// Finite population without replacement; needs --population-size.
    Hypergeometric,
}

/// Output of `audit size` and `audit evaluate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    /// One line for a person.
    Text,
    /// A JSON object.
    Json,
}

/// Output of `audit select`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SelectFormat {
    /// A JSON object: population hash and rows, seed, parameters, the selected releases.
    Json,
    /// CSV: order,id,line,stratum,weight.
    Csv,
}

/// The selection method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Simple random sampling without replacement.
    Random,
    /// Every (N/n)-th release (by id) from a random start.
    Systematic,
    /// Proportional allocation over --stratify-by, at least one per stratum.
    Stratified,
    /// Probability proportional to the --weight-by column.
    Pps,
}

/// Arguments of `provenant audit size`.
#[derive(Debug, Args)]
pub struct SizeArgs {
    /// Confidence C as a fraction (0.95 = 5 % risk of overreliance).
    #[arg(long, value_name = "C")]
    pub confidence: String,
    /// Tolerable deviation rate T as a fraction (0.05 = 5 %).
    #[arg(long, value_name = "T")]
    pub tolerable_rate: String,
    /// Expected population deviation rate E as a fraction, below T.
    #[arg(long, value_name = "E", default_value = "0")]
    pub expected_rate: String,
    /// Releases in the population: required by --model hypergeometric; with the other models a
    /// sample larger than it is refused.
    #[arg(long, value_name = "N")]
    pub population_size: Option<u64>,
    /// The distribution of deviations in the sample.
    #[arg(long, value_enum, default_value_t = ModelArg::Binomial)]
    pub model: ModelArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

/// Arguments of `provenant audit evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Items tested.
    #[arg(long, value_name = "N")]
    pub sample_size: u64,
    /// Deviations found among them (an item that could not be tested counts).
    #[arg(long, value_name = "K")]
    pub deviations: u64,
    /// Confidence C as a fraction (0.95 = 5 % risk of overreliance).
    #[arg(long, value_name = "C")]
    pub confidence: String,
    /// Tolerable deviation rate T: the control is effective when the upper deviation limit is
    /// at or below it. Without it there is no conclusion (null).
    #[arg(long, value_name = "T")]
    pub tolerable_rate: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

/// Arguments of `provenant audit select`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("how_many").required(true).args(["size", "confidence"])))]
pub struct SelectArgs {
    /// The population: CSV with a header (id, subject, bundle, ... and attribute columns) or
    /// JSON lines, one release per row.
    #[arg(long, value_name = "FILE")]
    pub population: String,
    /// The seed of the selection (any text, recorded; the same seed and population always give
    /// the same sample).
    #[arg(long, value_name = "S")]
    pub seed: String,
    /// Items to select.
    #[arg(long, value_name = "N", conflicts_with = "confidence")]
    pub size: Option<u64>,
    /// Plan the size instead: confidence C (binomial model, as `audit size`).
    #[arg(long, value_name = "C", requires = "tolerable_rate")]
    pub confidence: Option<String>,
    /// Tolerable deviation rate T, with --confidence.
    #[arg(long, value_name = "T", requires = "confidence")]
    pub tolerable_rate: Option<String>,
    /// Expected deviation rate E, with --confidence.
    #[arg(long, value_name = "E", requires = "confidence")]
    pub expected_rate: Option<String>,
    /// How to select.
    #[arg(long, value_enum, default_value_t = MethodArg::Random)]
    pub method: MethodArg,
    /// The column whose values are the strata (--method stratified).
    #[arg(long, value_name = "COL")]
    pub stratify_by: Option<String>,
    /// The column holding each release's weight, a non-negative decimal (--method pps).
    #[arg(long, value_name = "COL")]
    pub weight_by: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SelectFormat::Json)]
    pub format: SelectFormat,
}

/// Run an `audit` subcommand.
pub fn run(cmd: AuditCommand) -> Result<u8, CliError> {
    match cmd {
        AuditCommand::Size(a) => size(&a),
        AuditCommand::Evaluate(a) => evaluate_cmd(&a),
        AuditCommand::Select(a) => select_cmd(&a),
        AuditCommand::Run(a) => super::audit_run::run(&a),
        AuditCommand::Replay(a) => super::audit_run::replay(&a),
        AuditCommand::Merge(a) => super::audit_run::merge(&a),
        AuditCommand::Query(a) => super::audit_sql::query(&a),
        AuditCommand::Ingest(a) => super::audit_sql::ingest(&a),
    }
}

pub(super) fn rate(flag: &str, text: &str) -> Result<Rate, CliError> {
    text.parse()
        .map_err(|e| CliError::Input(format!("{flag} {text}: {e}")))
}

fn stats_error(e: impl std::fmt::Display) -> CliError {
    CliError::Input(e.to_string())
}

fn pct(r: Rate) -> String {
    format!("{} %", trim_float(r.value() * 100.0))
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

fn json_line(v: &Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

pub(super) fn plan_size(
    confidence: &str,
    tolerable: &str,
    expected: &str,
    model: Model,
    population: Option<u64>,
) -> Result<SampleSize, CliError> {
    let plan = SizePlan {
        confidence: rate("--confidence", confidence)?,
        tolerable: rate("--tolerable-rate", tolerable)?,
        expected: rate("--expected-rate", expected)?,
        model,
        population,
    };
    sample_size(&plan).map_err(stats_error)
}

fn size(a: &SizeArgs) -> Result<u8, CliError> {
    let model = match a.model {
        ModelArg::Binomial => Model::Binomial,
        ModelArg::Poisson => Model::Poisson,
        ModelArg::Hypergeometric => Model::Hypergeometric,
    };
    if model == Model::Hypergeometric && a.population_size.is_none() {
        return Err(CliError::Input(
            "--model hypergeometric needs --population-size N".into(),
        ));
    }
    let s = plan_size(
        &a.confidence,
        &a.tolerable_rate,
        &a.expected_rate,
        model,
        a.population_size,
    )?;
    match a.format {
        StatsFormat::Json => {
            let v = serde_json::to_value(&s).map_err(stats_error)?;
            emit(&json_line(&v));
        }
        StatsFormat::Text => {
            let mut t = format!(
                "sample size {} ({}; confidence {}, tolerable rate {}, expected rate {}",
                s.sample_size,
                s.model.name(),
                pct(s.confidence),
                pct(s.tolerable_rate),
                pct(s.expected_rate),
            );
            if let (Some(n), Some(k)) = (s.population_size, s.population_deviations) {
                let _ = write!(t, ", population {n} with {k} deviations at T");
            }
            let _ = writeln!(
                t,
                "): rely on the control if no more than {} deviation{} found",
                s.expected_deviations,
                if s.expected_deviations == 1 {
                    " is"
                } else {
                    "s are"
                }
            );
            emit(t.as_bytes());
        }
    }
    Ok(0)
}

fn evaluate_cmd(a: &EvaluateArgs) -> Result<u8, CliError> {
    let c = rate("--confidence", &a.confidence)?;
    let t = a
        .tolerable_rate
        .as_deref()
        .map(|t| rate("--tolerable-rate", t))
        .transpose()?;
    let e = evaluate(a.sample_size, a.deviations, c, t).map_err(stats_error)?;
    match a.format {
        StatsFormat::Json => {
            let v = serde_json::to_value(&e).map_err(stats_error)?;
            emit(&json_line(&v));
        }
        StatsFormat::Text => {
            let mut s = format!(
                "{} deviation{} in {}: sample rate {} %, upper deviation limit {} % at {} confidence",
                e.deviations,
                if e.deviations == 1 { "" } else { "s" },
                e.sample_size,
                trim_float(e.sample_deviation_rate * 100.0),
                e.upper_deviation_limit_pct,
                pct(e.confidence),
            );
            match (e.conclusion, e.tolerable_rate) {
                (Some(Conclusion::Effective), Some(t)) => {
                    let _ = write!(s, ": at or below the tolerable {}, effective", pct(t));
                }
                (Some(Conclusion::NotEffective), Some(t)) => {
                    let _ = write!(s, ": above the tolerable {}, not effective", pct(t));
                }
                _ => s.push_str(" (no --tolerable-rate, no conclusion)"),
            }
            s.push('\n');
            emit(s.as_bytes());
        }
    }
    Ok(0)
}

/// The selection method the flags name.
pub(super) fn method(
    method: MethodArg,
    stratify_by: Option<&String>,
    weight_by: Option<&String>,
) -> Result<Method, CliError> {
    Ok(match (method, stratify_by, weight_by) {
        (MethodArg::Random, None, None) => Method::Random,
        (MethodArg::Systematic, None, None) => Method::Systematic,
        (MethodArg::Stratified, Some(c), None) => Method::Stratified { column: c.clone() },
        (MethodArg::Pps, None, Some(c)) => Method::Pps { column: c.clone() },
        (MethodArg::Stratified, None, _) => {
            return Err(CliError::Input(
                "--method stratified needs --stratify-by COLUMN".into(),
            ))
        }
        (MethodArg::Pps, _, None) => {
            return Err(CliError::Input(
                "--method pps needs --weight-by COLUMN".into(),
            ))
        }
        (_, Some(_), _) => {
            return Err(CliError::Input(
                "--stratify-by is used only with --method stratified".into(),
            ))
        }
        (_, _, Some(_)) => {
            return Err(CliError::Input(
                "--weight-by is used only with --method pps".into(),
            ))
        }
    })
}

/// Read and parse a population file (exit 2 with every problem).
pub(super) fn load_population(file: &str) -> Result<(Population, Vec<u8>), CliError> {
    let bytes = read_limited(
        file,
        provenant_audit::limits::MAX_POPULATION_BYTES,
        "population file",
    )?;
    let path = Path::new(file);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let format = PopulationFormat::detect(file, &bytes);
    let population = parse_population(&bytes, dir, format)
        .map_err(|e| CliError::Input(format!("{}: {e}", file)))?;
    Ok((population, bytes))
}

fn select_cmd(a: &SelectArgs) -> Result<u8, CliError> {
    let method = method(a.method, a.stratify_by.as_ref(), a.weight_by.as_ref())?;
    let (population, _) = load_population(&a.population)?;
    let planned = match (&a.size, &a.confidence, &a.tolerable_rate) {
        (Some(_), _, _) => None,
        (None, Some(c), Some(t)) => Some(plan_size(
            c,
            t,
            a.expected_rate.as_deref().unwrap_or("0"),
            Model::Binomial,
            None,
        )?),
        _ => {
            return Err(CliError::Input(
                "give --size N, or --confidence C with --tolerable-rate T".into(),
            ))
        }
    };
    let n = match (&planned, a.size) {
        (Some(p), _) => p.sample_size,
        (None, Some(n)) => n,
        (None, None) => 0,
    };
    let selection = select(&population, &a.seed, n, &method)
        .map_err(|e| CliError::Input(format!("{}: {e}", a.population)))?;
    match a.format {
        SelectFormat::Json => {
            let mut v = serde_json::to_value(&selection).map_err(stats_error)?;
            if let Value::Object(m) = &mut v {
                m.insert(
                    "population".into(),
                    json!({
                        "path": a.population,
                        "sha256": population.sha256,
                        "rows": population.rows.len(),
                        "bytes": population.bytes,
                        "format": population.format,
                    }),
                );
                m.insert(
                    "planned".into(),
                    serde_json::to_value(&planned).map_err(stats_error)?,
                );
            }
            emit(&json_line(&v));
        }
        SelectFormat::Csv => {
            let mut out = String::from("order,id,line,stratum,weight\n");
            for s in &selection.selected {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{}",
                    s.order,
                    s.id,
                    s.line,
                    csv_field(s.stratum.as_deref().unwrap_or("")),
                    csv_field(s.weight.as_deref().unwrap_or("")),
                );
            }
            emit(out.as_bytes());
        }
    }
    Ok(0)
}

pub(super) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}
