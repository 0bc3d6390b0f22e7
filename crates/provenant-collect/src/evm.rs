//! An Ethereum JSON-RPC client (http and https only, bounded answers, timeouts, credentials never
//! printed) and [`collect_contract`], which reads everything the engine judges about one
//! deployed contract into a [`ChainSnapshot`].

use std::time::Duration;

use provenant_contract::{
    eip1167_target, slot_address, Address, BuildContract, ChainSnapshot, CreationTx, ProxySnapshot,
    SlotValue, B256, EIP1822_PROXIABLE, EIP1967_ADMIN, EIP1967_BEACON, EIP1967_IMPLEMENTATION,
    IMPLEMENTATION_SELECTOR,
};
use serde_json::{json, Value};

use crate::registry::read_bounded;
use crate::CollectError;

/// Largest JSON-RPC answer read (a trace of a big factory transaction is the largest).
pub const MAX_RPC_RESPONSE: u64 = 32 * 1024 * 1024;
/// Most library addresses whose code is read.
pub const MAX_LIBRARIES: usize = 64;
/// Deepest call frame searched in a trace.
const MAX_TRACE_DEPTH: usize = 64;

/// The endpoint as it may be printed: scheme, host and port; no user, password, path, query or
/// fragment (providers put API keys in any of them: `/v3/<key>`, `/<token>/`, `?apikey=`).
pub fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => {
            let host = u.host_str().unwrap_or("");
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let path = if u.path().trim_matches('/').is_empty() {
                "/"
            } else {
                "/…"
            };
            format!("{}://{host}{port}{path}", u.scheme())
        }
        Err(_) => "(the --rpc URL)".into(),
    }
}

/// A JSON-RPC client for one endpoint.
#[derive(Debug)]
pub struct RpcClient {
    http: reqwest::Client,
    url: reqwest::Url,
    shown: String,
}

impl RpcClient {
    /// A client for `url` (http or https only) with a per-request `timeout`.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, CollectError> {
        let shown = redact_url(url);
        let parsed = reqwest::Url::parse(url)
            .map_err(|_| CollectError::Usage(format!("--rpc {shown}: not a URL")))?;
        if parsed.scheme() != "http" && parsed.scheme() != "https" {
            return Err(CollectError::Usage(format!(
                "--rpc {shown}: only http and https endpoints are supported"
            )));
        }
        let loopback = parsed.host_str().is_some_and(|h| {
            h == "localhost"
                || h.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        });
        let mut b = reqwest::Client::builder()
            .user_agent(concat!("provenant/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none());
        if loopback {
            b = b.no_proxy();
        }
        let http = b.build().map_err(|e| {
            CollectError::Unreachable(format!("cannot start the HTTP client: {}", e.without_url()))
        })?;
        Ok(Self {
            http,
            url: parsed,
            shown,
        })
    }

    /// The endpoint as it may be printed.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Call `method`: its `result`, or why not (unreachable, an RPC error: exit 3).
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, CollectError> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let res = self
            .http
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| {
                CollectError::Unreachable(format!(
                    "{}: {method}: {}",
                    self.shown,
                    describe(&e.without_url())
                ))
            })?;
        let status = res.status();
        if !status.is_success() {
            return Err(CollectError::Unreachable(format!(
                "{}: {method}: HTTP {status}",
                self.shown
            )));
        }
        let bytes = read_bounded(res, MAX_RPC_RESPONSE, method).await?;
        let v = provenant_formats::json::parse_strict(&bytes).map_err(|e| {
            CollectError::Unreachable(format!(
                "{}: {method}: the answer is not JSON: {e}",
                self.shown
            ))
        })?;
        if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
            let msg = err
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("(no message)");
            let code = err.get("code").and_then(Value::as_i64).unwrap_or(0);
            return Err(CollectError::Unreachable(format!(
                "{}: {method}: RPC error {code}: {}",
                self.shown,
                msg.chars().take(200).collect::<String>()
            )));
        }
        v.get("result").cloned().ok_or_else(|| {
            CollectError::Unreachable(format!("{}: {method}: no result in the answer", self.shown))
        })
    }

    fn bad(&self, method: &str, what: &str) -> CollectError {
        CollectError::Unreachable(format!("{}: {method}: {what}", self.shown))
    }

    /// `eth_chainId`.
    pub async fn chain_id(&self) -> Result<u64, CollectError> {
        let v = self.call("eth_chainId", json!([])).await?;
        v.as_str()
            .and_then(|s| s.strip_prefix("0x"))
            .and_then(|h| u64::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.bad("eth_chainId", "not a hex quantity"))
    }

    async fn bytes(&self, method: &str, params: Value) -> Result<Vec<u8>, CollectError> {
        let v = self.call(method, params).await?;
        let s = v
            .as_str()
            .ok_or_else(|| self.bad(method, "not a hex string"))?;
        provenant_contract::parse_hex(s, method).map_err(|e| self.bad(method, &e.to_string()))
    }

    /// `eth_getCode` at `block`.
    pub async fn code(&self, address: Address, block: &str) -> Result<Vec<u8>, CollectError> {
        self.bytes("eth_getCode", json!([address.to_string(), block]))
            .await
    }

    /// `eth_getStorageAt` at `block`.
    pub async fn storage(
        &self,
        address: Address,
        slot: B256,
        block: &str,
    ) -> Result<B256, CollectError> {
        let b = self
            .bytes(
                "eth_getStorageAt",
                json!([address.to_string(), slot.to_string(), block]),
            )
            .await?;
        word(&b).ok_or_else(|| self.bad("eth_getStorageAt", "not a 32-byte word"))
    }

    /// `eth_call` of `data` to `to` at `block`.
    pub async fn eth_call(
        &self,
        to: Address,
        data: &[u8],
        block: &str,
    ) -> Result<Vec<u8>, CollectError> {
        self.bytes(
            "eth_call",
            json!([{"to": to.to_string(), "data": format!("0x{}", hex::encode(data))}, block]),
        )
        .await
    }
}

fn describe(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

/// A word of up to 32 bytes, left-padded.
fn word(b: &[u8]) -> Option<B256> {
    if b.len() > 32 {
        return None;
    }
    let mut w = [0u8; 32];
    w[32 - b.len()..].copy_from_slice(b);
    Some(B256::from(w))
}

/// What to read about one contract.
#[derive(Debug, Clone)]
pub struct ContractRequest<'a> {
    /// The JSON-RPC endpoint.
    pub rpc: &'a str,
    /// The address.
    pub address: Address,
    /// `latest` or a block number.
    pub block: String,
    /// The creation transaction to read, when known (flag or deployment record).
    pub creation_tx: Option<B256>,
    /// The build's contracts (their library placeholders say where links sit in the code).
    pub contracts: &'a [&'a BuildContract],
    /// Per-request timeout.
    pub timeout: Duration,
    /// One deadline over every request.
    pub total: Duration,
}

/// Read everything the engine judges about one contract. `Err` is an endpoint that cannot be
/// reached or answers with an error (exit 3) or a bad request (exit 2).
pub fn collect_contract(req: &ContractRequest<'_>) -> Result<ChainSnapshot, CollectError> {
    let client = RpcClient::new(req.rpc, req.timeout)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CollectError::Runtime(e.to_string()))?;
    let shown = client.shown().to_owned();
    rt.block_on(async { tokio::time::timeout(req.total, collect(&client, req)).await })
        .map_err(|_| {
            CollectError::Unreachable(format!(
                "{shown}: the endpoint did not finish answering within {} s",
                req.total.as_secs()
            ))
        })?
}

async fn collect(
    client: &RpcClient,
    req: &ContractRequest<'_>,
) -> Result<ChainSnapshot, CollectError> {
    let block = req.block.as_str();
    let chain_id = client.chain_id().await?;
    let code = client.code(req.address, block).await?;
    let creation = match req.creation_tx {
        None => None,
        Some(h) => Some(creation(client, h, req.address).await?),
    };
    let mut libs: Vec<Address> = Vec::new();
    link_addresses(req.contracts, &code, &mut libs);
    let mut proxy = ProxySnapshot::default();
    if !code.is_empty() {
        proxy.implementation_slot = client
            .storage(req.address, EIP1967_IMPLEMENTATION, block)
            .await?;
        proxy.admin_slot = client.storage(req.address, EIP1967_ADMIN, block).await?;
        proxy.beacon_slot = client.storage(req.address, EIP1967_BEACON, block).await?;
        proxy.proxiable_slot = client
            .storage(req.address, EIP1822_PROXIABLE, block)
            .await?;
        if let SlotValue::Address(beacon) = slot_address(&proxy.beacon_slot) {
            proxy.beacon_implementation = Some(
                match client
                    .eth_call(beacon, &IMPLEMENTATION_SELECTOR, block)
                    .await
                {
                    Ok(b) => word(&b).ok_or_else(|| {
                        "the beacon's implementation() answer is not one word".into()
                    }),
                    Err(CollectError::Unreachable(e)) => Err(e),
                    Err(e) => return Err(e),
                },
            );
        }
        let target = [
            Some(proxy.implementation_slot),
            proxy.beacon_implementation.clone().and_then(Result::ok),
            Some(proxy.proxiable_slot),
        ]
        .into_iter()
        .flatten()
        .find_map(|w| match slot_address(&w) {
            SlotValue::Address(a) => Some(a),
            _ => None,
        })
        .or_else(|| eip1167_target(&code));
        if let Some(t) = target {
            let impl_code = client.code(t, block).await?;
            // The implementation's own library links are checked like the contract's.
            link_addresses(req.contracts, &impl_code, &mut libs);
            proxy.implementation_code = Some((t, impl_code));
        }
    }
    let mut library_code = Vec::new();
    for a in libs {
        library_code.push((a, client.code(a, block).await?));
    }
    Ok(ChainSnapshot {
        endpoint: client.shown().to_owned(),
        block: block.to_owned(),
        chain_id,
        address: req.address,
        code,
        creation,
        library_code,
        proxy,
    })
}

/// Library links: the 20 bytes at each placeholder position of every build contract whose
/// runtime is as long as `code`, added to `out` once each (at most [`MAX_LIBRARIES`]).
fn link_addresses(contracts: &[&BuildContract], code: &[u8], out: &mut Vec<Address>) {
    for c in contracts {
        if c.runtime.bytes.len() != code.len() {
            continue;
        }
        for l in &c.runtime.links {
            if let Some(b) = code.get(l.offset..l.offset + 20) {
                let a = Address::from_slice(b);
                if !out.contains(&a) && out.len() < MAX_LIBRARIES {
                    out.push(a);
                }
            }
        }
    }
}

fn parse_addr_field(v: &Value, key: &str) -> Option<Address> {
    v.get(key)
        .and_then(Value::as_str)
        .and_then(provenant_contract::parse_address)
}

/// Read the creation transaction `hash` and find the init code that created `address`: the
/// transaction's input when its receipt created it, else the CREATE/CREATE2 frame of the
/// transaction's call trace. `Ok(Err(_))` says why it is not the creation of `address`.
async fn creation(
    client: &RpcClient,
    hash: B256,
    address: Address,
) -> Result<Result<CreationTx, String>, CollectError> {
    let tx = client
        .call("eth_getTransactionByHash", json!([hash.to_string()]))
        .await?;
    if tx.is_null() {
        return Ok(Err(format!("the chain knows no transaction {hash}")));
    }
    let receipt = client
        .call("eth_getTransactionReceipt", json!([hash.to_string()]))
        .await?;
    if receipt.is_null() {
        return Ok(Err(format!(
            "transaction {hash} has no receipt (not mined)"
        )));
    }
    if receipt.get("status").and_then(Value::as_str) != Some("0x1") {
        return Ok(Err(format!(
            "transaction {hash} failed (receipt status is not 1)"
        )));
    }
    let input = tx
        .get("input")
        .or_else(|| tx.get("data"))
        .and_then(Value::as_str)
        .ok_or_else(|| client.bad("eth_getTransactionByHash", "no input"))?;
    let input = provenant_contract::parse_hex(input, "input")
        .map_err(|e| client.bad("eth_getTransactionByHash", &e.to_string()))?;
    if let Some(created) = parse_addr_field(&receipt, "contractAddress") {
        return Ok(Ok(CreationTx {
            hash,
            init_code: input,
            created,
            via: "receipt",
        }));
    }
    // A call: a factory may have created the address. Ask for the call trace.
    let trace = match client
        .call(
            "debug_traceTransaction",
            json!([hash.to_string(), {"tracer": "callTracer"}]),
        )
        .await
    {
        Ok(t) => t,
        Err(e) => {
            return Ok(Err(format!(
                "transaction {hash} is a call (no contractAddress in its receipt), and its trace cannot be read to find a CREATE/CREATE2 of this address: {e}"
            )))
        }
    };
    let mut found = Vec::new();
    find_creates(&trace, address, 0, &mut found);
    match found.as_slice() {
        [(init, _)] => Ok(Ok(CreationTx {
            hash,
            init_code: init.clone(),
            created: address,
            via: "trace",
        })),
        [] => Ok(Err(format!(
            "transaction {hash} did not create {address} (no CREATE/CREATE2 of it in its trace)"
        ))),
        _ => Ok(Err(format!(
            "transaction {hash} creates {address} more than once in its trace"
        ))),
    }
}

fn find_creates(frame: &Value, address: Address, depth: usize, out: &mut Vec<(Vec<u8>, String)>) {
    if depth > MAX_TRACE_DEPTH {
        return;
    }
    let kind = frame.get("type").and_then(Value::as_str).unwrap_or("");
    if (kind == "CREATE" || kind == "CREATE2")
        && parse_addr_field(frame, "to") == Some(address)
        && frame.get("error").is_none()
    {
        if let Some(init) = frame
            .get("input")
            .and_then(Value::as_str)
            .and_then(|s| provenant_contract::parse_hex(s, "input").ok())
        {
            out.push((init, kind.to_owned()));
        }
    }
    if let Some(calls) = frame.get("calls").and_then(Value::as_array) {
        for c in calls {
            find_creates(c, address, depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_secrets() {
        let s = redact_url(
            "https://user:secret@rpc.example.com:8545/v3/abcdef0123456789abcdef?key=zzz#x",
        );
        assert_eq!(s, "https://rpc.example.com:8545/…");
        assert_eq!(
            redact_url("https://x.quiknode.pro/shorttoken/"),
            "https://x.quiknode.pro/…"
        );
        assert_eq!(
            redact_url("http://127.0.0.1:8545"),
            "http://127.0.0.1:8545/"
        );
        assert_eq!(redact_url("::"), "(the --rpc URL)");
    }

    #[test]
    fn only_http() {
        assert!(matches!(
            RpcClient::new("ws://127.0.0.1:1", Duration::from_secs(1)),
            Err(CollectError::Usage(_))
        ));
        assert!(matches!(
            RpcClient::new("file:///etc/passwd", Duration::from_secs(1)),
            Err(CollectError::Usage(_))
        ));
    }
}
