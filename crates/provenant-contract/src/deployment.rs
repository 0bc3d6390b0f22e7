//! Deployment records: a Foundry broadcast (`broadcast/<script>/<chain>/run-latest.json`) and a
//! hardhat-deploy record (`deployments/<network>/<Name>.json`). What they say is cross-checked
//! against the chain, never trusted alone.

use alloy_primitives::{Address, B256};
use serde_json::Value;

use crate::error::ContractError;
use crate::limits::{MAX_REFERENCES, MAX_TRANSACTIONS};

/// The kind of deployment record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentFormat {
    /// Foundry `forge script --broadcast` (`run-latest.json`).
    FoundryBroadcast,
    /// hardhat-deploy `deployments/<network>/<Name>.json`.
    HardhatDeploy,
}

/// What a deployment record says about one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// Its format.
    pub format: DeploymentFormat,
    /// The deployed address.
    pub address: Address,
    /// The creation transaction.
    pub transaction: Option<B256>,
    /// The contract name, when recorded.
    pub contract_name: Option<String>,
    /// The constructor arguments as recorded (each as text, for the ABI type to read).
    pub arguments: Option<Vec<String>>,
    /// Linked libraries: name (`Lib` or `path:Lib`) and address.
    pub libraries: Vec<(String, Address)>,
    /// The proxy implementation, when recorded.
    pub implementation: Option<Address>,
    /// Every contract the same record created (a Foundry broadcast's CREATE/CREATE2
    /// transactions: contract name and address), so a proxy's implementation can be held to
    /// the instance the same deployment made.
    pub created: Vec<(String, Address)>,
    /// The chain id, when recorded.
    pub chain_id: Option<u64>,
    /// The source commit the record says it ran from (Foundry), for reporting.
    pub commit: Option<String>,
}

fn address(v: &Value, at: &str) -> Result<Address, ContractError> {
    let s = v
        .as_str()
        .ok_or_else(|| ContractError::field(at, "not a string"))?;
    parse_address(s)
        .ok_or_else(|| ContractError::field(at, format!("{s:?} is not a 20-byte hex address")))
}

/// A `0x` + 40 hex digit address (any case; checksums are not required).
pub fn parse_address(s: &str) -> Option<Address> {
    let h = s.strip_prefix("0x")?;
    if h.len() != 40 {
        return None;
    }
    let b = hex::decode(h).ok()?;
    Some(Address::from_slice(&b))
}

/// A `0x` + 64 hex digit hash.
pub fn parse_b256(s: &str) -> Option<B256> {
    let h = s.strip_prefix("0x")?;
    if h.len() != 64 {
        return None;
    }
    let b = hex::decode(h).ok()?;
    Some(B256::from_slice(&b))
}

fn hash(v: &Value, at: &str) -> Result<B256, ContractError> {
    let s = v
        .as_str()
        .ok_or_else(|| ContractError::field(at, "not a string"))?;
    parse_b256(s).ok_or_else(|| ContractError::field(at, "not a 32-byte hex hash"))
}

fn argument_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn arguments(v: Option<&Value>, at: &str) -> Result<Option<Vec<String>>, ContractError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a.iter().map(argument_text).collect())),
        Some(_) => Err(ContractError::field(at, "arguments are not an array")),
    }
}

/// Read a deployment record about `address` (a Foundry broadcast may hold many deployments:
/// exactly one CREATE/CREATE2 of `address` must be in it).
pub fn read_deployment(bytes: &[u8], want: Address) -> Result<Deployment, ContractError> {
    let v: Value = provenant_formats::json::parse_strict(bytes)
        .map_err(|e| ContractError::Json(e.to_string()))?;
    if v.get("transactions").is_some() {
        return broadcast(&v, want);
    }
    if v.get("address").is_some() && v.get("abi").is_some() {
        return hardhat_deploy(&v);
    }
    Err(ContractError::UnknownDeployment)
}

fn broadcast(v: &Value, want: Address) -> Result<Deployment, ContractError> {
    let txs = v
        .get("transactions")
        .and_then(Value::as_array)
        .ok_or_else(|| ContractError::field("transactions", "not an array"))?;
    if txs.len() > MAX_TRANSACTIONS {
        return Err(ContractError::field("transactions", "too many"));
    }
    let mut found = Vec::new();
    let mut created = Vec::new();
    for (i, t) in txs.iter().enumerate() {
        let at = format!("transactions[{i}]");
        // `transactionType` since forge 0.2; `type` in older broadcast logs.
        let kind = t
            .get("transactionType")
            .or_else(|| t.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if kind != "CREATE" && kind != "CREATE2" {
            continue;
        }
        let Some(a) = t.get("contractAddress").filter(|a| !a.is_null()) else {
            continue;
        };
        let a = address(a, &format!("{at}.contractAddress"))?;
        if let Some(name) = t.get("contractName").and_then(Value::as_str) {
            created.push((name.to_owned(), a));
        }
        if a == want {
            found.push((at, t));
        }
    }
    let [(at, t)] = found.as_slice() else {
        return Err(ContractError::field(
            "transactions",
            format!(
                "{} CREATE/CREATE2 transactions deploy {want}: exactly one must",
                found.len()
            ),
        ));
    };
    let mut libraries = Vec::new();
    if let Some(libs) = v.get("libraries").and_then(Value::as_array) {
        for (i, l) in libs.iter().enumerate() {
            let at = format!("libraries[{i}]");
            let s = l
                .as_str()
                .ok_or_else(|| ContractError::field(&at, "not a string"))?;
            // path:Name:0xaddress
            let (name, addr) = s
                .rsplit_once(':')
                .ok_or_else(|| ContractError::field(&at, "not path:Name:address"))?;
            let a =
                parse_address(addr).ok_or_else(|| ContractError::field(&at, "not an address"))?;
            libraries.push((name.to_owned(), a));
            if libraries.len() > MAX_REFERENCES {
                return Err(ContractError::field(&at, "too many libraries"));
            }
        }
    }
    let transaction = t
        .get("hash")
        .filter(|h| !h.is_null())
        .map(|h| hash(h, &format!("{at}.hash")))
        .transpose()?;
    Ok(Deployment {
        format: DeploymentFormat::FoundryBroadcast,
        address: want,
        transaction,
        contract_name: t
            .get("contractName")
            .and_then(Value::as_str)
            .map(str::to_owned),
        arguments: arguments(t.get("arguments"), &format!("{at}.arguments"))?,
        libraries,
        implementation: None,
        created,
        chain_id: v.get("chain").and_then(Value::as_u64),
        commit: v.get("commit").and_then(Value::as_str).map(str::to_owned),
    })
}

fn hardhat_deploy(v: &Value) -> Result<Deployment, ContractError> {
    let mut libraries = Vec::new();
    if let Some(libs) = v.get("libraries").filter(|l| !l.is_null()) {
        let libs = libs
            .as_object()
            .ok_or_else(|| ContractError::field("libraries", "not an object"))?;
        for (name, a) in libs {
            libraries.push((name.clone(), address(a, &format!("libraries.{name}"))?));
        }
    }
    let transaction = v
        .get("transactionHash")
        .filter(|h| !h.is_null())
        .map(|h| hash(h, "transactionHash"))
        .transpose()?;
    let implementation = v
        .get("implementation")
        .filter(|h| !h.is_null())
        .map(|a| address(a, "implementation"))
        .transpose()?;
    Ok(Deployment {
        format: DeploymentFormat::HardhatDeploy,
        address: address(field_or(v, "address")?, "address")?,
        transaction,
        contract_name: None,
        arguments: arguments(v.get("args"), "args")?,
        libraries,
        implementation,
        created: vec![],
        chain_id: None,
        commit: None,
    })
}

fn field_or<'a>(v: &'a Value, k: &str) -> Result<&'a Value, ContractError> {
    v.get(k).ok_or_else(|| ContractError::field(k, "missing"))
}
