//! Build files: a Foundry artifact (`out/<File>.sol/<Name>.json`), a Hardhat artifact, a build-info
//! file (Hardhat `artifacts/build-info/*.json`, Foundry `out/build-info/*.json`) and a solc
//! standard-JSON output. Each is read into the contracts it holds, with their code, links,
//! immutable positions, ABI and compiler version.

use alloy_json_abi::JsonAbi;
use serde_json::{Map, Value};

use crate::code::{link_references, Code};
use crate::error::ContractError;
use crate::limits::{MAX_CONTRACTS, MAX_REFERENCES};

/// The kind of build file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildFormat {
    /// A Foundry artifact.
    FoundryArtifact,
    /// A Hardhat artifact (`hh-sol-artifact-1`): no immutable references; prefer its build-info.
    HardhatArtifact,
    /// A build-info file (Hardhat `hh-sol-build-info-1` or Foundry's): solc input and output.
    BuildInfo,
    /// A solc standard-JSON output.
    StandardJson,
}

impl BuildFormat {
    /// The name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FoundryArtifact => "Foundry artifact",
            Self::HardhatArtifact => "Hardhat artifact",
            Self::BuildInfo => "build-info",
            Self::StandardJson => "solc standard-JSON output",
        }
    }
}

/// One compiled contract.
#[derive(Debug, Clone)]
pub struct BuildContract {
    /// Its source file as compiled (`src/Token.sol`).
    pub source: String,
    /// Its name (`Token`).
    pub name: String,
    /// The ABI.
    pub abi: JsonAbi,
    /// The creation (init) code.
    pub creation: Code,
    /// The runtime (deployed) code.
    pub runtime: Code,
    /// `(start, length)` of each immutable in the runtime code.
    pub immutables: Vec<(usize, usize)>,
    /// Whether the build states its immutable references (Hardhat artifacts do not).
    pub immutables_known: bool,
    /// The compiler version (`0.8.37+commit.…`), from the metadata or the build-info.
    pub compiler: Option<String>,
}

impl BuildContract {
    /// `source:name`.
    pub fn qualified(&self) -> String {
        format!("{}:{}", self.source, self.name)
    }
}

/// A build file, read.
#[derive(Debug, Clone)]
pub struct Build {
    /// Its format.
    pub format: BuildFormat,
    /// The contracts it holds (abstract contracts and interfaces, which have no code, left out).
    pub contracts: Vec<BuildContract>,
}

fn field<'a>(v: &'a Value, key: &str, at: &str) -> Result<&'a Value, ContractError> {
    v.get(key)
        .ok_or_else(|| ContractError::field(at, format!("no {key}")))
}

fn string<'a>(v: &'a Value, key: &str, at: &str) -> Result<&'a str, ContractError> {
    field(v, key, at)?
        .as_str()
        .ok_or_else(|| ContractError::field(at, format!("{key} is not a string")))
}

fn abi(v: Option<&Value>, at: &str) -> Result<JsonAbi, ContractError> {
    match v {
        None => Ok(JsonAbi::new()),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| ContractError::field(at, format!("abi: {e}"))),
    }
}

/// `immutableReferences`: `{astId: [{start, length}]}`.
fn immutables(v: Option<&Value>, at: &str) -> Result<Vec<(usize, usize)>, ContractError> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(vec![]);
    };
    let m = v
        .as_object()
        .ok_or_else(|| ContractError::field(at, "immutableReferences is not an object"))?;
    let mut out = Vec::new();
    for refs in m.values() {
        for r in refs
            .as_array()
            .ok_or_else(|| ContractError::field(at, "immutableReferences entry is not an array"))?
        {
            let n = |k: &str| {
                r.get(k)
                    .and_then(Value::as_u64)
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| {
                        ContractError::field(at, format!("immutable reference without {k}"))
                    })
            };
            out.push((n("start")?, n("length")?));
            if out.len() > MAX_REFERENCES {
                return Err(ContractError::field(at, "too many immutable references"));
            }
        }
    }
    out.sort_unstable();
    Ok(out)
}

fn compiler_of_metadata(metadata: Option<&Value>) -> Option<String> {
    let m = metadata?;
    let parsed;
    let m = if let Some(s) = m.as_str() {
        parsed = provenant_formats::json::parse_strict(s.as_bytes()).ok()?;
        &parsed
    } else {
        m
    };
    m.pointer("/compiler/version")?.as_str().map(str::to_owned)
}

/// Read any build file: the format is recognised from its content.
pub fn read_build(bytes: &[u8]) -> Result<Build, ContractError> {
    let v: Value = provenant_formats::json::parse_strict(bytes)
        .map_err(|e| ContractError::Json(e.to_string()))?;
    let format = v.get("_format").and_then(Value::as_str);
    if format == Some("hh-sol-artifact-1") {
        return hardhat_artifact(&v).map(|c| Build {
            format: BuildFormat::HardhatArtifact,
            contracts: c.into_iter().collect(),
        });
    }
    if v.get("output").is_some() && v.get("input").is_some() {
        let compiler = v
            .get("solcLongVersion")
            .or_else(|| v.get("solcVersion"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        return standard_output(
            field(&v, "output", "build-info")?,
            compiler.as_deref(),
            "output",
        )
        .map(|contracts| Build {
            format: BuildFormat::BuildInfo,
            contracts,
        });
    }
    if v.get("contracts").is_some() {
        return standard_output(&v, None, "").map(|contracts| Build {
            format: BuildFormat::StandardJson,
            contracts,
        });
    }
    if v.pointer("/deployedBytecode/object").is_some() {
        return foundry_artifact(&v).map(|c| Build {
            format: BuildFormat::FoundryArtifact,
            contracts: c.into_iter().collect(),
        });
    }
    Err(ContractError::UnknownBuild)
}

/// Whether the code text is empty (an interface or abstract contract).
fn empty(s: &str) -> bool {
    s.strip_prefix("0x").unwrap_or(s).is_empty()
}

fn foundry_artifact(v: &Value) -> Result<Option<BuildContract>, ContractError> {
    let at = "artifact";
    let metadata = v.get("metadata").or_else(|| v.get("rawMetadata"));
    let meta_value = match metadata {
        Some(Value::String(s)) => provenant_formats::json::parse_strict(s.as_bytes()).ok(),
        Some(m) => Some(m.clone()),
        None => None,
    };
    // Which contract this is: the metadata's compilationTarget. Artifacts written without
    // metadata leave it empty; the caller names it from the path (out/<File>.sol/<Name>.json).
    let (source, name) = match meta_value
        .as_ref()
        .and_then(|m| m.pointer("/settings/compilationTarget"))
    {
        None => (String::new(), String::new()),
        Some(t) => {
            let t = t.as_object().filter(|t| t.len() == 1).ok_or_else(|| {
                ContractError::field(
                    at,
                    "metadata.settings.compilationTarget does not name exactly one contract",
                )
            })?;
            t.iter()
                .next()
                .and_then(|(s, n)| n.as_str().map(|n| (s.clone(), n.to_owned())))
                .ok_or_else(|| ContractError::field(at, "compilationTarget is not source: name"))?
        }
    };
    let bc = field(v, "bytecode", at)?;
    let dbc = field(v, "deployedBytecode", at)?;
    let creation_text = string(bc, "object", "bytecode")?;
    let runtime_text = string(dbc, "object", "deployedBytecode")?;
    if empty(runtime_text) {
        return Ok(None);
    }
    let cref = link_references(bc.get("linkReferences"), "bytecode.linkReferences")?;
    let rref = link_references(dbc.get("linkReferences"), "deployedBytecode.linkReferences")?;
    Ok(Some(BuildContract {
        source,
        name,
        abi: abi(v.get("abi"), at)?,
        creation: Code::parse(creation_text, &cref, "bytecode.object")?,
        runtime: Code::parse(runtime_text, &rref, "deployedBytecode.object")?,
        immutables: immutables(dbc.get("immutableReferences"), "deployedBytecode")?,
        immutables_known: dbc.get("immutableReferences").is_some(),
        compiler: compiler_of_metadata(meta_value.as_ref()),
    }))
}

fn hardhat_artifact(v: &Value) -> Result<Option<BuildContract>, ContractError> {
    let at = "artifact";
    let runtime_text = string(v, "deployedBytecode", at)?;
    if empty(runtime_text) {
        return Ok(None);
    }
    let cref = link_references(v.get("linkReferences"), "linkReferences")?;
    let rref = link_references(v.get("deployedLinkReferences"), "deployedLinkReferences")?;
    Ok(Some(BuildContract {
        source: string(v, "sourceName", at)?.to_owned(),
        name: string(v, "contractName", at)?.to_owned(),
        abi: abi(v.get("abi"), at)?,
        creation: Code::parse(string(v, "bytecode", at)?, &cref, "bytecode")?,
        runtime: Code::parse(runtime_text, &rref, "deployedBytecode")?,
        immutables: vec![],
        immutables_known: false,
        compiler: None,
    }))
}

fn standard_output(
    v: &Value,
    compiler: Option<&str>,
    at: &str,
) -> Result<Vec<BuildContract>, ContractError> {
    let contracts: &Map<String, Value> = field(v, "contracts", at)?
        .as_object()
        .ok_or_else(|| ContractError::field(at, "contracts is not an object"))?;
    let mut out = Vec::new();
    for (source, by_name) in contracts {
        let by_name = by_name.as_object().ok_or_else(|| {
            ContractError::field(at, format!("contracts.{source} is not an object"))
        })?;
        for (name, c) in by_name {
            let at = format!("contracts.{source}.{name}");
            let Some(evm) = c.get("evm") else {
                continue;
            };
            let (Some(bc), Some(dbc)) = (evm.get("bytecode"), evm.get("deployedBytecode")) else {
                continue;
            };
            let runtime_text = string(dbc, "object", &at)?;
            if empty(runtime_text) {
                continue;
            }
            let cref = link_references(bc.get("linkReferences"), &at)?;
            let rref = link_references(dbc.get("linkReferences"), &at)?;
            out.push(BuildContract {
                source: source.clone(),
                name: name.clone(),
                abi: abi(c.get("abi"), &at)?,
                creation: Code::parse(string(bc, "object", &at)?, &cref, &at)?,
                runtime: Code::parse(runtime_text, &rref, &at)?,
                immutables: immutables(dbc.get("immutableReferences"), &at)?,
                immutables_known: dbc.get("immutableReferences").is_some(),
                compiler: compiler
                    .map(str::to_owned)
                    .or_else(|| compiler_of_metadata(c.get("metadata"))),
            });
            if out.len() > MAX_CONTRACTS {
                return Err(ContractError::field(at.as_str(), "too many contracts"));
            }
        }
    }
    Ok(out)
}
