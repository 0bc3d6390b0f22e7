//! A real local chain for the contract tests: anvil (pinned in tools/chain, installed with
//! `npm ci --prefix tools/chain`) on 127.0.0.1 at a free port, killed on drop; and the test
//! contracts (testdata/contracts) compiled by solc-js (tools/chain/build.mjs) into a Foundry
//! out/ and a Hardhat artifacts/. Missing node or anvil skips the tests, except under CI=true.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::root;

/// anvil's first unlocked account.
pub const DEPLOYER: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

fn anvil_path() -> PathBuf {
    root().join("tools/chain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")
}

fn missing(what: &str) {
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "CI=true but {what} (run `npm ci --prefix tools/chain`)"
    );
    eprintln!("skipping: {what} (run `npm ci --prefix tools/chain` to run the contract tests)");
}

/// A running anvil.
pub struct Chain {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl Drop for Chain {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One JSON-RPC call over a plain HTTP/1.1 connection; the whole answer.
pub fn rpc_raw(url: &str, method: &str, params: Value) -> std::io::Result<Value> {
    let hostport = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(hostport)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let text = String::from_utf8_lossy(&resp);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no HTTP body"))?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = String::new();
        let mut rest = body;
        while let Some((len, after)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(len.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&after[..n]);
            rest = &after[n + 2..];
        }
        out
    } else {
        body.to_owned()
    };
    serde_json::from_str(&body).map_err(std::io::Error::other)
}

impl Chain {
    /// Start anvil; `None` (with a message) when it is not installed and CI is not set.
    pub fn start() -> Option<Chain> {
        let anvil = anvil_path();
        if !anvil.is_file() {
            missing(&format!("anvil is not installed at {}", anvil.display()));
            return None;
        }
        for _ in 0..5 {
            let port = {
                let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
                l.local_addr().expect("addr").port()
            };
            let child = Command::new(&anvil)
                .args([
                    "--host",
                    "127.0.0.1",
                    "--port",
                    &port.to_string(),
                    "--silent",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn anvil");
            let mut chain = Chain {
                child,
                url: format!("http://127.0.0.1:{port}"),
            };
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if rpc_raw(&chain.url, "eth_chainId", json!([])).is_ok() {
                    return Some(chain);
                }
                if let Ok(Some(_)) = chain.child.try_wait() {
                    break; // the port was taken: try another
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        panic!("anvil did not start");
    }

    /// Call `method`; its result (panics on an RPC error).
    pub fn rpc(&self, method: &str, params: Value) -> Value {
        let v = rpc_raw(&self.url, method, params.clone()).expect("rpc");
        assert!(v.get("error").is_none(), "{method} {params}: {v}");
        v["result"].clone()
    }

    /// Send a transaction from anvil's unlocked account; its hash (mined at once).
    pub fn send(&self, to: Option<&str>, data: &str) -> String {
        let mut tx = json!({"from": DEPLOYER, "data": data, "gas": "0x1c9c380"});
        if let Some(to) = to {
            tx["to"] = json!(to);
        }
        let h = self.rpc("eth_sendTransaction", json!([tx]));
        h.as_str().expect("tx hash").to_owned()
    }

    /// The receipt of `tx`, once mined (anvil mines each transaction at once, but may answer
    /// before it has).
    pub fn receipt(&self, tx: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = self.rpc("eth_getTransactionReceipt", json!([tx]));
            if !r.is_null() || Instant::now() > deadline {
                return r;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Deploy `init_code` (hex); (transaction hash, address).
    pub fn deploy(&self, init_code: &str) -> (String, String) {
        let tx = self.send(None, init_code);
        let r = self.receipt(&tx);
        assert_eq!(r["status"], "0x1", "deployment failed: {r}");
        (
            tx,
            r["contractAddress"].as_str().expect("address").to_owned(),
        )
    }

    /// Replace the code at `address` (anvil_setCode).
    pub fn set_code(&self, address: &str, code: &str) {
        self.rpc("anvil_setCode", json!([address, code]));
    }

    /// Write a storage slot (anvil_setStorageAt).
    pub fn set_storage(&self, address: &str, slot: &str, value: &str) {
        self.rpc("anvil_setStorageAt", json!([address, slot, value]));
    }

    /// The code at `address`, hex.
    pub fn code(&self, address: &str) -> String {
        self.rpc("eth_getCode", json!([address, "latest"]))
            .as_str()
            .expect("code")
            .to_owned()
    }
}

/// Compile the `.sol` files of `src` with the pinned solc-js into `out` (foundry/out,
/// hardhat/artifacts, standard-json.json); false (with a message) when node or solc is missing.
pub fn compile(src: &Path, out: &Path) -> bool {
    if !root().join("tools/chain/node_modules/solc").is_dir() {
        missing("solc-js is not installed in tools/chain/node_modules");
        return false;
    }
    let status = Command::new("node")
        .arg(root().join("tools/chain/build.mjs"))
        .arg(src)
        .arg(out)
        .status();
    match status {
        Ok(s) if s.success() => true,
        Ok(s) => panic!("build.mjs failed: {s}"),
        Err(e) => {
            missing(&format!("node cannot be run ({e})"));
            false
        }
    }
}

/// The test contracts, compiled once per test process.
pub fn build() -> Option<&'static Path> {
    static BUILD: OnceLock<Option<tempfile::TempDir>> = OnceLock::new();
    BUILD
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            compile(&root().join("testdata/contracts"), dir.path()).then_some(dir)
        })
        .as_ref()
        .map(tempfile::TempDir::path)
}

/// A Foundry artifact of the test build, parsed.
pub fn artifact(build: &Path, file: &str, name: &str) -> Value {
    let p = build.join(format!("foundry/out/{file}/{name}.json"));
    serde_json::from_slice(&std::fs::read(p).expect("artifact")).expect("json")
}
