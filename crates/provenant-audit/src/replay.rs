//! Re-performing a pack: every release tested again from `evidence/<sha256>` alone, at the
//! recorded effective time, and compared with `pack.json`; and the selection re-drawn from the
//! population copy.

use std::collections::BTreeMap;
use std::path::Path;

use provenant_model::{DigestAlgorithm, Subject};

use crate::pack::{Pack, ReleaseRecord};
use crate::population::{parse_population, PopulationFormat};
use crate::release::{sha256_hex, FileSource, ItemVerdict, Role, Tested};
use crate::select::{select, Method};

/// A release's files, from the pack.
pub struct PackSource<'a> {
    /// The release as recorded.
    pub record: &'a ReleaseRecord,
    /// `evidence/<sha256>` by SHA-256.
    pub evidence: &'a BTreeMap<String, Vec<u8>>,
}

impl FileSource for PackSource<'_> {
    fn read(&self, role: Role, location: &str) -> Result<Vec<u8>, String> {
        let f = self
            .record
            .files
            .iter()
            .find(|f| f.role == role && f.location == location)
            .ok_or_else(|| "not in the pack".to_owned())?;
        match (&f.sha256, &f.error) {
            (Some(sha), _) => {
                let bytes = self
                    .evidence
                    .get(sha)
                    .ok_or_else(|| format!("evidence/{sha} is missing from the pack"))?;
                if sha256_hex(bytes) == *sha {
                    Ok(bytes.clone())
                } else {
                    Err(format!("evidence/{sha} does not hash to its name"))
                }
            }
            (None, Some(e)) => Err(e.clone()),
            (None, None) => Err("recorded without a digest".into()),
        }
    }

    fn subject(&self, path: &str, _algorithms: &[DigestAlgorithm]) -> Result<Subject, String> {
        match &self.record.subject {
            Some(s) if s.name.as_deref() == Some(path) => Ok(s.clone()),
            _ => Err("the pack records no digest of this artifact".into()),
        }
    }

    fn image(&self, reference: &str) -> Result<Vec<u8>, String> {
        self.read(Role::Image, reference)
    }

    fn blob(&self, sha256: &str) -> Option<Vec<u8>> {
        // The replayer checks the bytes hash to the name.
        self.evidence.get(sha256).cloned()
    }
}

/// How a replayed release differs from its record; `None` when it is reproduced.
pub fn compare(record: &ReleaseRecord, replayed: &Tested) -> Option<String> {
    let mut diffs = Vec::new();
    if record.verdict != replayed.verdict {
        diffs.push(format!(
            "verdict {} recorded, {} replayed",
            verdict_name(record.verdict),
            verdict_name(replayed.verdict)
        ));
    }
    if record.failed_checks != replayed.failed_checks {
        diffs.push(format!(
            "failed checks [{}] recorded, [{}] replayed",
            record.failed_checks.join(", "),
            replayed.failed_checks.join(", ")
        ));
    }
    if record.files != replayed.files {
        diffs.push("the files read differ from the record".into());
    }
    (!diffs.is_empty()).then(|| diffs.join("; "))
}

/// A verdict's name in `pack.json`.
pub fn verdict_name(v: ItemVerdict) -> &'static str {
    match v {
        ItemVerdict::Pass => "pass",
        ItemVerdict::Fail => "fail",
        ItemVerdict::NotTested => "not-tested",
    }
}

/// Re-draw the sample from the pack's copy of the population; the differences, if any.
pub fn reselect(pack: &Pack, evidence: &BTreeMap<String, Vec<u8>>) -> Option<String> {
    let Some(bytes) = evidence.get(&pack.population.sha256) else {
        return Some(format!(
            "the population file (evidence/{}) is missing",
            pack.population.sha256
        ));
    };
    let format = PopulationFormat::detect(&pack.population.path, bytes);
    let population = match parse_population(bytes, Path::new("."), format) {
        Ok(p) => p,
        Err(e) => return Some(format!("the population copy cannot be read: {e}")),
    };
    if population.sha256 != pack.population.sha256 {
        return Some("the population copy does not hash to its record".into());
    }
    let p = &pack.parameters;
    let method = match (p.method.as_str(), &p.stratify_by, &p.weight_by) {
        ("random", None, None) => Method::Random,
        ("systematic", None, None) => Method::Systematic,
        ("stratified", Some(c), None) => Method::Stratified { column: c.clone() },
        ("pps", None, Some(c)) => Method::Pps { column: c.clone() },
        (m, _, _) => return Some(format!("unknown selection method {m:?}")),
    };
    match select(&population, &p.seed, p.sample_size, &method) {
        Ok(s) => {
            let ids: Vec<String> = s.selected.into_iter().map(|s| s.id).collect();
            (ids != p.selected).then(|| "re-drawing the sample gives other releases".into())
        }
        Err(e) => Some(format!("the sample cannot be re-drawn: {e}")),
    }
}
