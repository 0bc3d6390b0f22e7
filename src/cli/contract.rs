//! `provenant verify contract` and `provenant provenance contract`: read the build and the
//! deployment record, collect the chain state over JSON-RPC, then verify it as one target of
//! the engine.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use provenant_collect::evm::{collect_contract, ContractRequest};
use provenant_collect::store::sha256_digest;
use provenant_collect::CollectError;
use provenant_contract::limits::{MAX_BUILD_FILE, MAX_BUILD_FILES, MAX_DEPLOYMENT_FILE};
use provenant_contract::{
    parse_address, parse_b256, read_build, read_deployment, BuildFormat, ContractError,
};
use provenant_core::contract::{names, BuildFile, ContractCollected};
use provenant_core::{Command, Inputs, Target};
use provenant_model::InputRole;

use super::args::{
    ContractArgs, EvidenceArgs, GateArgs, OutputArgs, PolicyArgs, PrintArgs, RunArgs, SbomArgs,
    SignerArgs, SourceArgs,
};
use super::common::{read_limited, CliError};
use super::finish::{finish, gate_inputs};
use super::output::Renderer;
use super::read;

/// Arguments of `provenant verify contract` and `provenant provenance contract`.
#[derive(Debug, Args)]
pub struct ContractCommandArgs {
    #[command(flatten)]
    pub contract: ContractArgs,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub gates: GateArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub print: PrintArgs,
}

/// `provenant verify contract`.
pub fn verify(a: &ContractCommandArgs) -> Result<u8, CliError> {
    run(a, Command::VerifyContract, Renderer::Verify)
}

/// `provenant provenance contract`.
pub fn provenance(a: &ContractCommandArgs) -> Result<u8, CliError> {
    run(a, Command::Provenance, Renderer::Provenance)
}

fn collect_error(e: CollectError) -> CliError {
    match e {
        CollectError::Unreachable(m) | CollectError::Auth(m) => CliError::Unreachable(m),
        other => CliError::Input(other.to_string()),
    }
}

fn run(a: &ContractCommandArgs, command: Command, renderer: Renderer) -> Result<u8, CliError> {
    a.gates.refuse_relaxers_alone()?;
    if a.run.offline {
        return Err(CliError::Input(
            "verify contract reads the chain over --rpc; --offline forbids the network".into(),
        ));
    }
    let rego = read::rego(&a.policy.rego)?;
    let sbom = SbomArgs {
        sbom: vec![],
        require_sbom: false,
    };
    let flags = read::policy_flags(&a.signer, &a.source, &sbom, &a.gates, rego)?;
    let policy = read::resolve(a.policy.policy.as_deref(), flags)?;
    let outputs = a.output.outputs(renderer, a.policy.policy.as_deref());
    outputs.check()?;
    let trust = read::trust_roots(&policy, &[])?;
    let c = &a.contract;
    let address = parse_address(&c.address)
        .ok_or_else(|| CliError::Input(format!("--address {}: not an address", c.address)))?;
    let builds = read_builds(&c.build)?;
    if let Some(w) = &c.contract {
        if !builds
            .iter()
            .flat_map(|b| &b.contracts)
            .any(|k| names(w, k))
        {
            return Err(CliError::Input(format!(
                "--contract {w}: no contract of that name in the build {}",
                c.build
            )));
        }
    }
    let deployment = match &c.deployment {
        None => None,
        Some(p) => {
            let bytes = read_limited(p, MAX_DEPLOYMENT_FILE, "deployment record")?;
            read::record(InputRole::Deployment, p, &bytes);
            let d = read_deployment(&bytes, address)
                .map_err(|e| CliError::Input(format!("--deployment {p}: {e}")))?;
            Some((p.clone(), d))
        }
    };
    let creation_tx = c.creation_tx.as_deref().and_then(parse_b256);
    let contracts: Vec<_> = builds.iter().flat_map(|b| &b.contracts).collect();
    let snapshot = collect_contract(&ContractRequest {
        rpc: &c.rpc,
        address,
        block: c.block.clone(),
        creation_tx: creation_tx.or_else(|| deployment.as_ref().and_then(|(_, d)| d.transaction)),
        contracts: &contracts,
        timeout: Duration::from_secs(c.rpc_timeout.clamp(1, 3600)),
        total: Duration::from_secs(c.rpc_timeout.clamp(1, 3600)),
    })
    .map_err(collect_error)?;
    let collected = ContractCollected {
        snapshot,
        builds,
        contract: c.contract.clone(),
        deployment,
        creation_tx,
        chain_id: c.chain_id,
        allow_partial: c.allow_partial,
        implementation: c.implementation.clone(),
    };
    if let Some(why) = provenant_core::contract::ambiguous(&collected) {
        return Err(CliError::Input(why));
    }
    let mut inputs = Inputs::new(command, Target::Contract(Box::new(collected)));
    let e = &a.evidence;
    let paths = read::evidence_paths(&e.bundle, &e.provenance, &e.attestations)?;
    inputs.evidence = read::evidence(&paths)?;
    gate_inputs(&mut inputs, &a.gates)?;
    if c.allow_partial {
        inputs.opt_outs.push(provenant_model::OptOut {
            name: "allow-partial".into(),
            risk: "a partial match is accepted: the deployed code equals the build's except the CBOR metadata hash, so the sources or settings hashed into it may differ from the build's".into(),
        });
    }
    inputs.files = read::take_files();
    let v = provenant_core::verify_detailed(&inputs, &trust, &policy, a.run.now());
    finish(&a.print, outputs, &a.policy, &policy, v)
}

/// Every `*.json` under `dir` down to `depth` levels, in name order; links and special files
/// left out.
fn json_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let rd = std::fs::read_dir(dir)
        .map_err(|e| CliError::Input(format!("cannot read directory {}: {e}", dir.display())))?;
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let Ok(ft) = e.file_type() else { continue };
        let p = e.path();
        if ft.is_dir() && depth > 0 && e.file_name() != "build-info" {
            json_files(&p, depth - 1, out)?;
        } else if ft.is_file() && p.extension().is_some_and(|x| x == "json") {
            out.push(p);
            if out.len() > MAX_BUILD_FILES {
                return Err(CliError::Input(format!(
                    "{}: more than {MAX_BUILD_FILES} build files",
                    dir.display()
                )));
            }
        }
    }
    Ok(())
}

/// The build files `--build` names: one file; a Hardhat `artifacts/` (its `build-info/*.json`,
/// which carry the immutable references the artifacts lack); a Foundry `out/` (its artifacts);
/// or a project directory holding `artifacts/` or `out/`.
fn read_builds(path: &str) -> Result<Vec<BuildFile>, CliError> {
    let p = Path::new(path);
    let mut files = Vec::new();
    let single = p.is_file().then_some(());
    if p.is_file() {
        files.push(p.to_path_buf());
    } else if p.is_dir() {
        let dir = if p.join("artifacts").is_dir() {
            p.join("artifacts")
        } else if p.join("out").is_dir() {
            p.join("out")
        } else {
            p.to_path_buf()
        };
        let hardhat = dir.join("build-info").is_dir() && {
            let mut all = Vec::new();
            json_files(&dir, 4, &mut all)?;
            all.iter()
                .any(|f| f.to_string_lossy().ends_with(".dbg.json"))
        };
        if hardhat {
            json_files(&dir.join("build-info"), 0, &mut files)?;
        } else {
            json_files(&dir, 4, &mut files)?;
        }
    } else {
        return Err(CliError::Input(format!(
            "--build {path}: no such file or directory"
        )));
    }
    let mut out = Vec::new();
    for f in files {
        let shown = f.to_string_lossy().into_owned();
        let bytes = read_limited(&shown, MAX_BUILD_FILE, "build file")?;
        read::record(InputRole::Build, &shown, &bytes);
        let build = match read_build(&bytes) {
            Ok(b) => b,
            // In a directory, a JSON file that is no build format (Foundry's *.metadata.json,
            // a cache) holds no contract to match: left out. A build file that is malformed
            // is an error, and so is a single file given that is none.
            Err(ContractError::UnknownBuild) if single.is_none() => continue,
            Err(e) => return Err(CliError::Input(format!("--build {shown}: {e}"))),
        };
        if build.contracts.is_empty() {
            continue;
        }
        let mut contracts = build.contracts;
        for k in &mut contracts {
            // A Foundry artifact without metadata: out/<File>.sol/<Name>.json names it.
            if k.name.is_empty() {
                k.name = f
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                k.source = f
                    .parent()
                    .and_then(Path::file_name)
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
            }
        }
        out.push(BuildFile {
            path: shown,
            digest: sha256_digest(&bytes),
            format: build.format,
            contracts,
        });
    }
    if out.is_empty() {
        return Err(CliError::Input(format!(
            "--build {path}: no compiled contract found (a Foundry out/, a Hardhat artifacts/ with build-info, or a {} / {} file)",
            BuildFormat::BuildInfo.as_str(),
            BuildFormat::StandardJson.as_str()
        )));
    }
    Ok(out)
}
