//! Population files: one release per row, as CSV (header on line 1) or JSON lines. Read
//! strictly: every problem (duplicate id, malformed row, a value of the wrong type, a column
//! that looks like a misspelt known one) is listed with its file line, never dropped.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use provenant_model::Digest;

use crate::limits::{
    MAX_ID_BYTES, MAX_POPULATION_BYTES, MAX_POPULATION_ROWS, MAX_REPORTED_PROBLEMS,
};

/// How a population file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PopulationFormat {
    /// RFC 4180 CSV with a header row; several evidence paths in one cell are joined by `;`.
    Csv,
    /// One JSON object per line; several evidence paths are an array of strings.
    JsonLines,
}

impl PopulationFormat {
    /// From the file name (`.csv`; `.jsonl`, `.ndjson`), else from the first byte (`{` is JSON
    /// lines).
    pub fn detect(file_name: &str, bytes: &[u8]) -> Self {
        let lower = file_name.to_ascii_lowercase();
        let starts_with_brace = bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(bytes)
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            == Some(&b'{');
        if lower.ends_with(".csv") {
            Self::Csv
        } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") || starts_with_brace {
            Self::JsonLines
        } else {
            Self::Csv
        }
    }
}

/// The columns provenant reads; any other column is an attribute.
pub const KNOWN_COLUMNS: [&str; 17] = [
    "id",
    "subject",
    "bundle",
    "attestations",
    "provenance",
    "sbom",
    "sarif",
    "sca",
    "dast",
    "ci_run",
    "review",
    "commit",
    "released_at",
    "owner",
    "repository",
    "policy",
    "line",
];

/// What a release shipped, as the population names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum SubjectRef {
    /// An artifact file (resolved against the population file's directory).
    File(PathBuf),
    /// A digest (`sha256:HEX`).
    Digest(Digest),
    /// An image reference (`registry/repo@sha256:…`, `oci-layout:DIR`, `docker-archive:FILE`).
    Image(String),
}

/// Evidence files of one release, resolved against the population file's directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EvidencePaths {
    /// Signature bundles (`verify --bundle`).
    pub bundle: Vec<PathBuf>,
    /// Attestation files or directories (`--attestations`).
    pub attestations: Vec<PathBuf>,
    /// SLSA provenance (`--provenance`).
    pub provenance: Vec<PathBuf>,
    /// SBOMs (`--sbom`).
    pub sbom: Vec<PathBuf>,
    /// SAST reports (`--sarif`).
    pub sarif: Vec<PathBuf>,
    /// SCA reports (`--sca`).
    pub sca: Vec<PathBuf>,
    /// DAST reports (`--dast`).
    pub dast: Vec<PathBuf>,
    /// CI run metadata (`--ci-run`).
    pub ci_run: Vec<PathBuf>,
    /// Change review evidence (`--review`).
    pub review: Vec<PathBuf>,
}

impl EvidencePaths {
    fn slot(&mut self, column: &str) -> Option<&mut Vec<PathBuf>> {
        Some(match column {
            "bundle" => &mut self.bundle,
            "attestations" => &mut self.attestations,
            "provenance" => &mut self.provenance,
            "sbom" => &mut self.sbom,
            "sarif" => &mut self.sarif,
            "sca" => &mut self.sca,
            "dast" => &mut self.dast,
            "ci_run" => &mut self.ci_run,
            "review" => &mut self.review,
            _ => return None,
        })
    }
}

/// One release of the population.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The file line the row starts on (the CSV header is line 1).
    pub line: u64,
    /// The release id: unique, 1 to [`MAX_ID_BYTES`] of `A-Z a-z 0-9 . _ - + : @`, not
    /// starting with `.` (it names files in an evidence pack).
    pub id: String,
    /// What shipped.
    pub subject: Option<SubjectRef>,
    /// Evidence files.
    pub evidence: EvidencePaths,
    /// The expected commit (40 or 64 lowercase hex digits).
    pub commit: Option<String>,
    /// When the release shipped.
    pub released_at: Option<jiff::Timestamp>,
    /// Who owns the release.
    pub owner: Option<String>,
    /// The source repository.
    pub repository: Option<String>,
    /// A policy file for this release, overriding `--policy`.
    pub policy: Option<PathBuf>,
    /// Every other column, by name (for stratification, weights and reports).
    pub attributes: BTreeMap<String, String>,
}

/// A population file, read.
#[derive(Debug, Clone, Serialize)]
pub struct Population {
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// The file's size in bytes.
    pub bytes: u64,
    /// How it was written.
    pub format: PopulationFormat,
    /// The releases, in file order.
    pub rows: Vec<Row>,
}

impl Population {
    /// The row with this id.
    pub fn row(&self, id: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.id == id)
    }
}

/// One problem of a population file, at a file line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file line (1-based; the CSV header is line 1).
    pub line: u64,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What is wrong with a row or the header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProblemKind {
    /// Not well-formed CSV or JSON.
    #[error("malformed row: {0}")]
    Malformed(String),
    /// A CSV row with another number of fields than the header.
    #[error("{found} fields where the header has {expected}")]
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// An empty line.
    #[error("empty line (delete it)")]
    EmptyLine,
    /// No id, or an empty one.
    #[error("no id")]
    MissingId,
    /// An id with characters that cannot name a file.
    #[error("id {0:?} is not 1 to 128 of A-Z a-z 0-9 . _ - + : @ (not starting with .)")]
    BadId(String),
    /// The same id as an earlier row.
    #[error("duplicate id {id:?} (first on line {first_line})")]
    DuplicateId {
        /// The id.
        id: String,
        /// Where it first appeared.
        first_line: u64,
    },
    /// A value of a type the column cannot hold.
    #[error("column {column:?} holds {found}; it takes {wants}")]
    UnknownType {
        /// The column.
        column: String,
        /// The JSON type found.
        found: &'static str,
        /// What the column takes.
        wants: &'static str,
    },
    /// A value the column cannot hold.
    #[error("column {column:?}: {reason}")]
    BadValue {
        /// The column.
        column: String,
        /// Why.
        reason: String,
    },
    /// The same column twice in the header.
    #[error("column {0:?} appears twice")]
    DuplicateColumn(String),
    /// A header column with no name.
    #[error("a header column has no name")]
    EmptyColumnName,
    /// An attribute column that looks like a misspelt known column.
    #[error("column {found:?} looks like {known:?}; spell it {known:?} (or rename the attribute)")]
    LooksLikeKnown {
        /// The column as written.
        found: String,
        /// The known column.
        known: &'static str,
    },
}

/// Why a population file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PopulationError {
    /// Over [`MAX_POPULATION_BYTES`].
    #[error("the population file has {bytes} bytes, over the {MAX_POPULATION_BYTES}-byte limit")]
    TooLarge {
        /// Its size.
        bytes: u64,
    },
    /// Over [`MAX_POPULATION_ROWS`].
    #[error("the population file has more than {MAX_POPULATION_ROWS} rows; split the period")]
    TooManyRows,
    /// No rows.
    #[error("the population file has no releases")]
    Empty,
    /// Not UTF-8.
    #[error("line {line}: not UTF-8 text")]
    NotUtf8 {
        /// The line of the first bad byte.
        line: u64,
    },
    /// Problems, each with its line.
    #[error("{}", Problems(.problems, *.more))]
    Invalid {
        /// The first [`MAX_REPORTED_PROBLEMS`] problems, in line order.
        problems: Vec<Problem>,
        /// How many more there are.
        more: usize,
    },
}

struct Problems<'a>(&'a [Problem], usize);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.0.len() + self.1;
        write!(
            f,
            "{total} problem{} in the population file: ",
            if total == 1 { "" } else { "s" }
        )?;
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "line {}: {}", p.line, p.kind)?;
        }
        if self.1 > 0 {
            write!(f, "; and {} more", self.1)?;
        }
        f.write_str("; fix them and run again")
    }
}

/// Read a population file's bytes; relative paths in it are resolved against `dir` (the
/// directory of the file).
pub fn parse_population(
    bytes: &[u8],
    dir: &Path,
    format: PopulationFormat,
) -> Result<Population, PopulationError> {
    let len = bytes.len() as u64;
    if len > MAX_POPULATION_BYTES {
        return Err(PopulationError::TooLarge { bytes: len });
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    let text = std::str::from_utf8(bytes).map_err(|e| PopulationError::NotUtf8 {
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64,
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut problems = Vec::new();
    let raw = match format {
        PopulationFormat::Csv => csv_rows(text, &mut problems),
        PopulationFormat::JsonLines => json_rows(text, &mut problems),
    }?;
    let mut rows = Vec::with_capacity(raw.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, cells) in raw {
        if let Some(row) = build_row(line, cells, dir, &mut problems) {
            if let Some(first) = seen.get(&row.id) {
                problems.push(Problem {
                    line,
                    kind: ProblemKind::DuplicateId {
                        id: row.id.clone(),
                        first_line: *first,
                    },
                });
                continue;
            }
            seen.insert(row.id.clone(), line);
            rows.push(row);
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        let more = problems.len().saturating_sub(MAX_REPORTED_PROBLEMS);
        problems.truncate(MAX_REPORTED_PROBLEMS);
        return Err(PopulationError::Invalid { problems, more });
    }
    if rows.is_empty() {
        return Err(PopulationError::Empty);
    }
    Ok(Population {
        sha256,
        bytes: len,
        format,
        rows,
    })
}

/// A cell as read: CSV text, or a JSON value.
enum Cell {
    Text(String),
    Json(serde_json::Value),
}

type RawRow = (u64, Vec<(String, Cell)>);

fn csv_rows(text: &str, problems: &mut Vec<Problem>) -> Result<Vec<RawRow>, PopulationError> {
    let records = csv_records(text);
    let mut iter = records.into_iter();
    let Some(header) = iter.next() else {
        return Err(PopulationError::Empty);
    };
    let header = match header {
        Ok((_, fields)) => fields,
        Err((line, kind)) => {
            problems.push(Problem { line, kind });
            return Ok(Vec::new());
        }
    };
    let mut names: Vec<String> = Vec::with_capacity(header.len());
    for name in header {
        check_column_name(&name, 1, problems);
        if names.contains(&name) {
            problems.push(Problem {
                line: 1,
                kind: ProblemKind::DuplicateColumn(name.clone()),
            });
        }
        names.push(name);
    }
    let mut out = Vec::new();
    for record in iter {
        if out.len() >= MAX_POPULATION_ROWS {
            return Err(PopulationError::TooManyRows);
        }
        match record {
            Err((line, kind)) => problems.push(Problem { line, kind }),
            Ok((line, fields)) if fields.len() != names.len() => problems.push(Problem {
                line,
                kind: if fields.len() == 1 && fields[0].is_empty() {
                    ProblemKind::EmptyLine
                } else {
                    ProblemKind::FieldCount {
                        expected: names.len(),
                        found: fields.len(),
                    }
                },
            }),
            Ok((line, fields)) => out.push((
                line,
                names
                    .iter()
                    .cloned()
                    .zip(fields.into_iter().map(Cell::Text))
                    .collect(),
            )),
        }
    }
    Ok(out)
}

type Record = Result<(u64, Vec<String>), (u64, ProblemKind)>;

/// RFC 4180 records with the line each starts on. Quoted fields may hold commas, quotes
/// (doubled) and newlines; a quote inside an unquoted field, text after a closing quote, a
/// lone CR and an unterminated quote are malformed. The final newline is optional.
fn csv_records(text: &str) -> Vec<Record> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1u64;
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut error: Option<String> = None;
        // 0: field start, 1: unquoted, 2: quoted, 3: after closing quote
        let mut state = 0u8;
        loop {
            let Some(c) = chars.next() else {
                if state == 2 {
                    error.get_or_insert_with(|| "a quoted field is never closed".into());
                }
                break;
            };
            if c == '\n' {
                line += 1;
                if state == 2 {
                    cur.push(c);
                    continue;
                }
                break;
            }
            if error.is_some() {
                continue;
            }
            match (state, c) {
                (2, '"') => {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        cur.push('"');
                    } else {
                        state = 3;
                    }
                }
                (2, c) => cur.push(c),
                (_, '\r') if chars.peek() == Some(&'\n') => {}
                (_, '\r') => error = Some("a carriage return outside quotes".into()),
                (0, '"') => state = 2,
                (0 | 1 | 3, ',') => {
                    fields.push(std::mem::take(&mut cur));
                    state = 0;
                }
                (1, '"') => error = Some("a quote inside an unquoted field".into()),
                (3, _) => error = Some("text after a closing quote".into()),
                (_, c) if c.is_control() && c != '\t' => {
                    error = Some(format!("control character U+{:04X}", u32::from(c)));
                }
                (_, c) => {
                    cur.push(c);
                    state = 1;
                }
            }
        }
        fields.push(cur);
        out.push(match error {
            Some(e) => Err((start, ProblemKind::Malformed(e))),
            None => Ok((start, fields)),
        });
    }
    out
}

fn json_rows(text: &str, problems: &mut Vec<Problem>) -> Result<Vec<RawRow>, PopulationError> {
    let mut out = Vec::new();
    let body = text.strip_suffix('\n').unwrap_or(text);
    for (i, raw) in body.split('\n').enumerate() {
        let line = i as u64 + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if out.len() >= MAX_POPULATION_ROWS {
            return Err(PopulationError::TooManyRows);
        }
        if raw.trim().is_empty() {
            problems.push(Problem {
                line,
                kind: ProblemKind::EmptyLine,
            });
            continue;
        }
        match provenant_formats::json::parse_strict(raw.as_bytes()) {
            Ok(serde_json::Value::Object(map)) => {
                let mut cells = Vec::with_capacity(map.len());
                for (k, v) in map {
                    check_column_name(&k, line, problems);
                    cells.push((k, Cell::Json(v)));
                }
                out.push((line, cells));
            }
            Ok(other) => problems.push(Problem {
                line,
                kind: ProblemKind::Malformed(format!(
                    "a JSON {} where a release object belongs",
                    json_type(&other)
                )),
            }),
            Err(e) => problems.push(Problem {
                line,
                kind: ProblemKind::Malformed(e.to_string()),
            }),
        }
    }
    Ok(out)
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

fn normalized(name: &str) -> String {
    let n: String = name
        .trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    n.strip_suffix('s').map(str::to_owned).unwrap_or(n)
}

fn check_column_name(name: &str, line: u64, problems: &mut Vec<Problem>) {
    if name.is_empty() {
        problems.push(Problem {
            line,
            kind: ProblemKind::EmptyColumnName,
        });
        return;
    }
    if KNOWN_COLUMNS.contains(&name) {
        if name == "line" {
            problems.push(Problem {
                line,
                kind: ProblemKind::BadValue {
                    column: name.into(),
                    reason: "\"line\" is reserved (provenant records each row's file line)".into(),
                },
            });
        }
        return;
    }
    let n = normalized(name);
    if let Some(known) = KNOWN_COLUMNS.iter().find(|k| normalized(k) == n) {
        problems.push(Problem {
            line,
            kind: ProblemKind::LooksLikeKnown {
                found: name.into(),
                known,
            },
        });
    }
}

fn build_row(
    line: u64,
    cells: Vec<(String, Cell)>,
    dir: &Path,
    problems: &mut Vec<Problem>,
) -> Option<Row> {
    let before = problems.len();
    let mut bad = |column: &str, reason: String| {
        problems.push(Problem {
            line,
            kind: ProblemKind::BadValue {
                column: column.into(),
                reason,
            },
        });
    };
    let mut id = None;
    let mut row = Row {
        line,
        id: String::new(),
        subject: None,
        evidence: EvidencePaths::default(),
        commit: None,
        released_at: None,
        owner: None,
        repository: None,
        policy: None,
        attributes: BTreeMap::new(),
    };
    let mut type_problems = Vec::new();
    for (column, cell) in cells {
        let is_evidence = row.evidence.slot(&column).is_some();
        // The cell as text (or a list of texts for evidence); None when empty.
        let values: Vec<String> = match (cell, is_evidence) {
            (Cell::Text(t), _) if t.is_empty() => continue,
            (Cell::Text(t), true) => t.split(';').map(str::to_owned).collect(),
            (Cell::Text(t), false) => vec![t],
            (Cell::Json(serde_json::Value::Array(items)), true) => {
                let mut v = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        serde_json::Value::String(s) => v.push(s),
                        other => {
                            type_problems.push((
                                column.clone(),
                                json_type(&other),
                                "an array of path strings",
                            ));
                            break;
                        }
                    }
                }
                v
            }
            (Cell::Json(other), true) => {
                type_problems.push((
                    column.clone(),
                    json_type(&other),
                    "an array of path strings",
                ));
                continue;
            }
            (Cell::Json(serde_json::Value::String(s)), false) => vec![s],
            (
                Cell::Json(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))),
                false,
            ) if !KNOWN_COLUMNS.contains(&column.as_str()) => {
                vec![v.to_string()]
            }
            (Cell::Json(other), false) => {
                let wants = if KNOWN_COLUMNS.contains(&column.as_str()) {
                    "a string"
                } else {
                    "a string, number or boolean"
                };
                type_problems.push((column.clone(), json_type(&other), wants));
                continue;
            }
        };
        if values
            .iter()
            .any(|v| v.chars().any(|c| c.is_control() && c != '\t'))
        {
            bad(&column, "control characters".into());
            continue;
        }
        match column.as_str() {
            "id" => id = values.into_iter().next(),
            "subject" => match subject(&values[0], dir) {
                Ok(s) => row.subject = Some(s),
                Err(reason) => bad(&column, reason),
            },
            "commit" => {
                let c = &values[0];
                if (c.len() == 40 || c.len() == 64)
                    && c.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                {
                    row.commit = Some(c.clone());
                } else {
                    bad(
                        &column,
                        format!("{c:?} is not a full commit id (40 or 64 lowercase hex digits)"),
                    );
                }
            }
            "released_at" => match values[0].parse::<jiff::Timestamp>() {
                Ok(t) => row.released_at = Some(t),
                Err(_) => bad(
                    &column,
                    format!(
                        "{:?} is not an RFC 3339 time (2024-05-01T12:00:00Z)",
                        values[0]
                    ),
                ),
            },
            "owner" => row.owner = values.into_iter().next(),
            "repository" => row.repository = values.into_iter().next(),
            "policy" => match path(&values[0], dir) {
                Ok(p) => row.policy = Some(p),
                Err(reason) => bad(&column, reason),
            },
            _ if is_evidence => {
                let mut paths = Vec::with_capacity(values.len());
                for v in &values {
                    match path(v, dir) {
                        Ok(p) => paths.push(p),
                        Err(reason) => bad(&column, reason),
                    }
                }
                if let Some(slot) = row.evidence.slot(&column) {
                    *slot = paths;
                }
            }
            _ => {
                row.attributes
                    .insert(column, values.into_iter().next().unwrap_or_default());
            }
        }
    }
    let id_mistyped = type_problems.iter().any(|(c, _, _)| c == "id");
    for (column, found, wants) in type_problems {
        problems.push(Problem {
            line,
            kind: ProblemKind::UnknownType {
                column,
                found,
                wants,
            },
        });
    }
    match id {
        None if id_mistyped => {}
        None => problems.push(Problem {
            line,
            kind: ProblemKind::MissingId,
        }),
        Some(id) if !valid_id(&id) => problems.push(Problem {
            line,
            kind: ProblemKind::BadId(id.chars().take(140).collect()),
        }),
        Some(id) => row.id = id,
    }
    (problems.len() == before).then_some(row)
}

/// Whether `id` can name a file in an evidence pack on every platform.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_BYTES
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-+:@".contains(&b))
}

fn path(text: &str, dir: &Path) -> Result<PathBuf, String> {
    if text.is_empty() {
        return Err("an empty path (two ; in a row?)".into());
    }
    if text.trim() != text {
        return Err(format!("path {text:?} starts or ends with a space"));
    }
    Ok(dir.join(text))
}

fn subject(text: &str, dir: &Path) -> Result<SubjectRef, String> {
    const ALGS: [&str; 3] = ["sha256", "sha384", "sha512"];
    if let Some((alg, _)) = text.split_once(':') {
        if ALGS.contains(&alg.to_ascii_lowercase().as_str()) {
            return text
                .parse::<Digest>()
                .map(SubjectRef::Digest)
                .map_err(|e| e.to_string());
        }
        if let Some(rest) = text
            .strip_prefix("oci-layout:")
            .or_else(|| text.strip_prefix("docker-archive:"))
        {
            // A layout or archive path is relative to the population file, as every other path.
            if rest.is_empty() {
                return Err(format!("{alg}: names no path"));
            }
            let rest = if Path::new(rest).is_absolute() {
                rest.to_owned()
            } else {
                dir.join(rest).to_string_lossy().into_owned()
            };
            return Ok(SubjectRef::Image(format!("{alg}:{rest}")));
        }
    }
    let first = text.split('/').next().unwrap_or_default();
    let registry = text.contains('/')
        && first != "."
        && first != ".."
        && (first.contains('.') || first.contains(':') || first == "localhost");
    if text.contains("@sha256:") || registry {
        return Ok(SubjectRef::Image(text.to_owned()));
    }
    path(text, dir).map(SubjectRef::File)
}

#[cfg(test)]
#[path = "population_tests.rs"]
mod tests;
