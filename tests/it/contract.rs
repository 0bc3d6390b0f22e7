//! `provenant verify contract` against a real local chain (anvil on 127.0.0.1): every
//! deployment form verifies, and every tampered variant fails (or is partial) with its code.

use std::path::Path;

use serde_json::{json, Value};

use crate::support::chain::{artifact, build, compile, Chain};
use crate::support::{provenant, root, run};

/// `verify contract` with `args`: (exit code, checks as (code, outcome)), stdout and stderr.
fn verify(chain: &Chain, args: &[&str]) -> (i32, Vec<(String, String)>, String) {
    let (rc, out, err) = run(provenant()
        .args([
            "verify", "contract", "--rpc", &chain.url, "--format", "json",
        ])
        .args(args));
    let checks = serde_json::from_str::<Value>(&out)
        .ok()
        .and_then(|v| v["checks"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap_or_default().to_owned(),
                c["outcome"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (rc, checks, format!("{out}{err}"))
}

fn has(checks: &[(String, String)], code: &str, outcome: &str) -> bool {
    checks.iter().any(|(c, o)| c == code && o == outcome)
}

fn setup() -> Option<(Chain, &'static Path)> {
    let b = build()?;
    let c = Chain::start()?;
    Some((c, b))
}

fn s(p: &Path) -> String {
    p.to_str().expect("utf8 path").to_owned()
}

fn creation_code(build: &Path, file: &str, name: &str) -> String {
    artifact(build, file, name)["bytecode"]["object"]
        .as_str()
        .expect("bytecode")
        .to_owned()
}

/// The build contract (for encoding constructor arguments).
fn contract(build: &Path, file: &str, name: &str) -> provenant_contract::BuildContract {
    let bytes = std::fs::read(build.join(format!("foundry/out/{file}/{name}.json"))).expect("read");
    provenant_contract::read_build(&bytes)
        .expect("build")
        .contracts
        .remove(0)
}

fn encode(build: &Path, file: &str, name: &str, args: &[&str]) -> String {
    let k = contract(build, file, name);
    let a: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    hex::encode(provenant_contract::encode_arguments(&k, &a).expect("encode"))
}

/// A Foundry broadcast record of one CREATE.
fn broadcast(
    dir: &Path,
    name: &str,
    tx: &str,
    address: &str,
    args: Option<&[&str]>,
    libraries: &[String],
) -> String {
    let v = json!({
        "transactions": [{
            "hash": tx,
            "transactionType": "CREATE",
            "contractName": name,
            "contractAddress": address,
            "function": null,
            "arguments": args,
            "transaction": {"from": crate::support::chain::DEPLOYER},
            "additionalContracts": [],
            "isFixedGasLimit": false
        }],
        "receipts": [],
        "libraries": libraries,
        "pending": [],
        "returns": {},
        "timestamp": 1_750_000_000,
        "chain": 31337,
        "commit": "5f2ab4a"
    });
    let p = dir.join(format!("run-latest-{name}-{}.json", &address[2..10]));
    std::fs::write(&p, serde_json::to_vec_pretty(&v).expect("json")).expect("write");
    s(&p)
}

/// A hardhat-deploy record.
fn hardhat_deploy(
    dir: &Path,
    name: &str,
    tx: &str,
    address: &str,
    args: &[&str],
    extra: Value,
) -> String {
    let mut v = json!({
        "address": address,
        "abi": [],
        "transactionHash": tx,
        "args": args,
        "numDeployments": 1
    });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    let p = dir.join(format!("{name}-{}.json", &address[2..10]));
    std::fs::write(&p, serde_json::to_vec_pretty(&v).expect("json")).expect("write");
    s(&p)
}

const OUT: &str = "foundry/out";
const HH: &str = "hardhat/artifacts";

#[test]
fn plain_contract_verifies_with_both_builds_and_records() {
    let Some((chain, b)) = setup() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let (tx, addr) = chain.deploy(&creation_code(b, "Plain.sol", "Plain"));
    let rec = broadcast(dir.path(), "Plain", &tx, &addr, None, &[]);
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &addr,
            "--build",
            &s(&b.join(OUT)),
            "--deployment",
            &rec,
            "--chain-id",
            "31337",
        ],
    );
    assert_eq!(rc, 0, "{out}");
    for code in [
        "contract-runtime-full-match",
        "contract-creation-full-match",
        "contract-constructor-args-match",
        "contract-chain-id-match",
        "contract-compiler-match",
    ] {
        assert!(has(&checks, code, "pass"), "{code}: {out}");
    }
    assert!(has(&checks, "contract-build-unattested", "warn"), "{out}");
    // Hardhat: build-info, a hardhat-deploy record.
    let rec = hardhat_deploy(dir.path(), "Plain", &tx, &addr, &[], json!({}));
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &addr,
            "--build",
            &s(&b.join(HH)),
            "--deployment",
            &rec,
        ],
    );
    assert_eq!(rc, 0, "{out}");
    assert!(
        has(&checks, "contract-creation-full-match", "pass"),
        "{out}"
    );
    // A directory that also holds JSON files of no build format (Foundry's *.metadata.json).
    let copy = dir.path().join("out/Plain.sol");
    std::fs::create_dir_all(&copy).expect("mkdir");
    std::fs::copy(
        b.join("foundry/out/Plain.sol/Plain.json"),
        copy.join("Plain.json"),
    )
    .expect("copy");
    std::fs::write(copy.join("Plain.metadata.json"), b"{\"compiler\": {}}").expect("write");
    let (rc, _, out) = verify(
        &chain,
        &["--address", &addr, "--build", &s(&dir.path().join("out"))],
    );
    assert_eq!(rc, 0, "{out}");
    // The same contract in two build files: ambiguous, a usage error (exit 2), with or
    // without --contract naming it.
    let again = dir.path().join("out/Again.sol");
    std::fs::create_dir_all(&again).expect("mkdir");
    std::fs::copy(
        b.join("foundry/out/Plain.sol/Plain.json"),
        again.join("Plain.json"),
    )
    .expect("copy");
    for extra in [&[][..], &["--contract", "src/Plain.sol:Plain"]] {
        let mut a = vec!["--address", addr.as_str(), "--build"];
        let out_dir = s(&dir.path().join("out"));
        a.push(&out_dir);
        a.extend(extra);
        let (rc, _, out) = verify(&chain, &a);
        assert_eq!(rc, 2, "{extra:?}: {out}");
    }
    // The solc standard-JSON output, with --contract and --creation-tx.
    let (rc, _, out) = verify(
        &chain,
        &[
            "--address",
            &addr,
            "--build",
            &s(&b.join("standard-json.json")),
            "--contract",
            "src/Plain.sol:Plain",
            "--creation-tx",
            &tx,
        ],
    );
    assert_eq!(rc, 0, "{out}");
}

#[test]
fn immutables_are_filled_from_the_chain() {
    let Some((chain, b)) = setup() else { return };
    let init = format!(
        "{}{}",
        creation_code(b, "WithImmutables.sol", "WithImmutables"),
        encode(b, "WithImmutables.sol", "WithImmutables", &["42"])
    );
    let (tx, addr) = chain.deploy(&init);
    for build in [OUT, HH] {
        let (rc, checks, out) = verify(
            &chain,
            &[
                "--address",
                &addr,
                "--build",
                &s(&b.join(build)),
                "--creation-tx",
                &tx,
            ],
        );
        assert_eq!(rc, 0, "{build}: {out}");
        assert!(has(&checks, "contract-runtime-full-match", "pass"), "{out}");
        assert!(
            has(&checks, "contract-constructor-args-match", "pass"),
            "{out}"
        );
    }
    // Without the creation transaction the immutables' values are the chain's word: said so.
    let (rc, checks, out) = verify(&chain, &["--address", &addr, "--build", &s(&b.join(OUT))]);
    assert_eq!(rc, 0, "{out}");
    assert!(has(&checks, "contract-creation-unchecked", "warn"), "{out}");
}

#[test]
fn constructor_arguments_are_compared_with_the_record() {
    let Some((chain, b)) = setup() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let args = [
        "hello provenant",
        "1000",
        "0x00000000000000000000000000000000000000aa",
    ];
    let init = format!(
        "{}{}",
        creation_code(b, "WithArgs.sol", "WithArgs"),
        encode(b, "WithArgs.sol", "WithArgs", &args)
    );
    let (tx, addr) = chain.deploy(&init);
    let good = broadcast(dir.path(), "WithArgs", &tx, &addr, Some(&args), &[]);
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &addr,
            "--build",
            &s(&b.join(OUT)),
            "--deployment",
            &good,
        ],
    );
    assert_eq!(rc, 0, "{out}");
    assert!(
        has(&checks, "contract-constructor-args-match", "pass"),
        "{out}"
    );
    // The record states other arguments than the chain holds.
    let other = [
        "hello provenant",
        "999",
        "0x00000000000000000000000000000000000000aa",
    ];
    let bad = hardhat_deploy(dir.path(), "WithArgs", &tx, &addr, &other, json!({}));
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &addr,
            "--build",
            &s(&b.join(HH)),
            "--deployment",
            &bad,
        ],
    );
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-constructor-args-mismatch", "fail"),
        "{out}"
    );
}

fn link(code: &str, lib: &str) -> String {
    // one library: every __$<34 hex>$__ placeholder becomes its address
    let re = regex::Regex::new(r"__\$[0-9a-f]{34}\$__").expect("re");
    re.replace_all(
        code,
        lib.trim_start_matches("0x").to_ascii_lowercase().as_str(),
    )
    .into_owned()
}

#[test]
fn linked_library_is_resolved_and_checked() {
    let Some((chain, b)) = setup() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let (_, lib) = chain.deploy(&creation_code(b, "Linked.sol", "MathLib"));
    let init = link(&creation_code(b, "Linked.sol", "UsesLib"), &lib);
    let (tx, addr) = chain.deploy(&init);
    let libs = vec![format!("src/Linked.sol:MathLib:{lib}")];
    let rec = broadcast(dir.path(), "UsesLib", &tx, &addr, None, &libs);
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &addr,
            "--build",
            &s(&b.join(OUT)),
            "--deployment",
            &rec,
        ],
    );
    assert_eq!(rc, 0, "{out}");
    assert!(
        has(&checks, "contract-library-links-match", "pass"),
        "{out}"
    );
    assert!(
        has(&checks, "contract-creation-full-match", "pass"),
        "{out}"
    );
    // The record names another library address.
    let libs = vec!["src/Linked.sol:MathLib:0x00000000000000000000000000000000000000bb".to_owned()];
    let rec = broadcast(dir.path(), "UsesLib-other", &tx, &addr, None, &libs);
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &addr,
            "--build",
            &s(&b.join(OUT)),
            "--deployment",
            &rec,
        ],
    );
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-library-links-mismatch", "fail"),
        "{out}"
    );
    // Linked to an address that holds something else than the library's build.
    let (_, plain) = chain.deploy(&creation_code(b, "Plain.sol", "Plain"));
    let init = link(&creation_code(b, "Linked.sol", "UsesLib"), &plain);
    let (_, addr2) = chain.deploy(&init);
    let (rc, checks, out) = verify(&chain, &["--address", &addr2, "--build", &s(&b.join(OUT))]);
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-library-links-mismatch", "fail"),
        "{out}"
    );
}

#[test]
fn one_changed_runtime_byte_is_a_mismatch() {
    let Some((chain, b)) = setup() else { return };
    let (tx, addr) = chain.deploy(&creation_code(b, "Plain.sol", "Plain"));
    let code = chain.code(&addr);
    // flip a byte in the middle of the code (not the metadata)
    let mut bytes = hex::decode(&code[2..]).expect("hex");
    bytes[20] ^= 0x01;
    chain.set_code(&addr, &format!("0x{}", hex::encode(&bytes)));
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &addr,
            "--build",
            &s(&b.join(OUT)),
            "--creation-tx",
            &tx,
        ],
    );
    assert_eq!(rc, 1, "{out}");
    assert!(has(&checks, "contract-runtime-mismatch", "fail"), "{out}");
}

#[test]
fn metadata_only_difference_is_partial() {
    let Some((chain, b)) = setup() else { return };
    // The same source with one more comment: same code, another metadata hash.
    let src = tempfile::tempdir().expect("tmp");
    let plain = std::fs::read_to_string(root().join("testdata/contracts/Plain.sol")).expect("read");
    std::fs::write(
        src.path().join("Plain.sol"),
        format!("{plain}// a comment changes only the metadata\n"),
    )
    .expect("write");
    let variant = tempfile::tempdir().expect("tmp");
    assert!(compile(src.path(), variant.path()));
    let (tx, addr) = chain.deploy(&creation_code(b, "Plain.sol", "Plain"));
    let args = [
        "--address",
        &addr,
        "--build",
        &s(&variant.path().join(OUT)),
        "--creation-tx",
        &tx,
    ];
    let (rc, checks, out) = verify(&chain, &args);
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-runtime-partial-match", "fail"),
        "{out}"
    );
    assert!(
        has(&checks, "contract-creation-partial-match", "fail"),
        "{out}"
    );
    let mut with = args.to_vec();
    with.push("--allow-partial");
    let (rc, checks, out) = verify(&chain, &with);
    assert_eq!(rc, 0, "{out}");
    assert!(
        has(&checks, "contract-runtime-partial-match", "warn"),
        "{out}"
    );
    assert!(has(&checks, "opt-out-used", "warn"), "{out}");
}

#[test]
fn wrong_chain_missing_code_and_other_creation_fail() {
    let Some((chain, b)) = setup() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let (tx, addr) = chain.deploy(&creation_code(b, "Plain.sol", "Plain"));
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &addr,
            "--build",
            &s(&b.join(OUT)),
            "--chain-id",
            "1",
        ],
    );
    assert_eq!(rc, 1, "{out}");
    assert!(has(&checks, "contract-chain-id-mismatch", "fail"), "{out}");
    // no code at the address
    let empty = "0x00000000000000000000000000000000000000cc";
    let (rc, checks, out) = verify(&chain, &["--address", empty, "--build", &s(&b.join(OUT))]);
    assert_eq!(rc, 1, "{out}");
    assert!(has(&checks, "contract-not-deployed", "fail"), "{out}");
    // the same code deployed again: its transaction did not create this address
    let (tx2, _) = chain.deploy(&creation_code(b, "Plain.sol", "Plain"));
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &addr,
            "--build",
            &s(&b.join(OUT)),
            "--creation-tx",
            &tx2,
        ],
    );
    assert_eq!(rc, 1, "{out}");
    assert!(has(&checks, "contract-creation-mismatch", "fail"), "{out}");
    // a record for this address naming another transaction than --creation-tx
    let rec = hardhat_deploy(dir.path(), "Plain", &tx, &addr, &[], json!({}));
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &addr,
            "--build",
            &s(&b.join(OUT)),
            "--deployment",
            &rec,
            "--creation-tx",
            &tx2,
        ],
    );
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-deployment-mismatch", "fail"),
        "{out}"
    );
}

#[test]
fn unreachable_or_erroring_rpc_is_exit_3_and_bad_input_exit_2() {
    let Some(b) = build() else { return };
    let addr = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let (rc, _, err) = run(provenant().args([
        "verify",
        "contract",
        "--rpc",
        &format!("http://user:secret@127.0.0.1:{port}/?apikey=hidden"),
        "--address",
        addr,
        "--build",
        &s(&b.join(OUT)),
    ]));
    assert_eq!(rc, 3, "{err}");
    assert!(!err.contains("secret") && !err.contains("hidden"), "{err}");
    let Some(chain) = Chain::start() else { return };
    // an RPC error: a block the chain does not have
    let (rc, _, out) = verify(
        &chain,
        &[
            "--address",
            addr,
            "--build",
            &s(&b.join(OUT)),
            "--block",
            "999999",
        ],
    );
    assert_eq!(rc, 3, "{out}");
    for bad in [
        &["--address", "0x1234", "--build", &s(&b.join(OUT))][..],
        &["--address", addr, "--build", "/nonexistent/out"],
        &[
            "--address",
            addr,
            "--build",
            &s(&b.join(OUT)),
            "--contract",
            "src/Nope.sol:Nope",
        ],
        &[
            "--address",
            addr,
            "--build",
            &s(&b.join(OUT)),
            "--creation-tx",
            "0x12",
        ],
    ] {
        let (rc, _, out) = verify(&chain, bad);
        assert_eq!(rc, 2, "{bad:?}: {out}");
    }
    let (rc, _, err) = run(provenant().args([
        "verify",
        "contract",
        "--rpc",
        "ws://127.0.0.1:1",
        "--address",
        addr,
        "--build",
        &s(&b.join(OUT)),
    ]));
    assert_eq!(rc, 2, "{err}");
}

const IMPL_SLOT: &str = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

fn word(address: &str) -> String {
    format!(
        "0x{:0>64}",
        address.trim_start_matches("0x").to_ascii_lowercase()
    )
}

fn deploy_with(chain: &Chain, b: &Path, name: &str, args: &[&str]) -> (String, String) {
    let init = format!(
        "{}{}",
        creation_code(b, "Proxies.sol", name),
        encode(b, "Proxies.sol", name, args)
    );
    chain.deploy(&init)
}

/// A Foundry broadcast that deployed Logic and then the proxy: the proxy's slot pointed at
/// another Logic instance (the very same code, but not the one this deployment made: a redirect
/// or a rollback) fails, although its code matches the build.
#[test]
fn a_proxy_redirected_to_another_instance_than_the_broadcast_made_fails() {
    let Some((chain, b)) = setup() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let deployer = crate::support::chain::DEPLOYER;
    let (ltx, logic) = deploy_with(&chain, b, "Logic", &[]);
    let (_, other) = deploy_with(&chain, b, "Logic", &[]);
    let (tx, proxy) = deploy_with(&chain, b, "Proxy1967", &[&logic, deployer]);
    let create = |hash: &str, name: &str, address: &str, args: Value| {
        json!({
            "hash": hash, "transactionType": "CREATE", "contractName": name,
            "contractAddress": address, "function": null, "arguments": args,
            "transaction": {"from": deployer}, "additionalContracts": [], "isFixedGasLimit": false
        })
    };
    let v = json!({
        "transactions": [
            create(&ltx, "Logic", &logic, Value::Null),
            create(&tx, "Proxy1967", &proxy, json!([logic, deployer])),
        ],
        "receipts": [], "libraries": [], "pending": [], "returns": {},
        "timestamp": 1_750_000_000, "chain": 31337
    });
    let rec = dir.path().join("run-latest.json");
    std::fs::write(&rec, serde_json::to_vec_pretty(&v).expect("json")).expect("write");
    let rec = s(&rec);
    let args = [
        "--address",
        &proxy,
        "--build",
        &s(&b.join(OUT)),
        "--contract",
        "src/Proxies.sol:Proxy1967",
        "--deployment",
        &rec,
    ];
    let (rc, checks, out) = verify(&chain, &args);
    assert_eq!(rc, 0, "{out}");
    assert!(
        has(&checks, "contract-proxy-implementation-verified", "pass"),
        "{out}"
    );
    chain.set_storage(&proxy, IMPL_SLOT, &word(&other));
    let (rc, checks, out) = verify(&chain, &args);
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-proxy-implementation-mismatch", "fail"),
        "{out}"
    );
}

#[test]
fn eip1967_proxy_and_its_implementation_verify() {
    let Some((chain, b)) = setup() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let (_, logic) = deploy_with(&chain, b, "Logic", &[]);
    let (tx, proxy) = deploy_with(
        &chain,
        b,
        "Proxy1967",
        &[&logic, crate::support::chain::DEPLOYER],
    );
    let rec = hardhat_deploy(
        dir.path(),
        "Proxy",
        &tx,
        &proxy,
        &[&logic, crate::support::chain::DEPLOYER],
        json!({"implementation": logic}),
    );
    let args = [
        "--address",
        &proxy,
        "--build",
        &s(&b.join(OUT)),
        "--contract",
        "src/Proxies.sol:Proxy1967",
        "--deployment",
        &rec,
    ];
    let (rc, checks, out) = verify(&chain, &args);
    assert_eq!(rc, 0, "{out}");
    assert!(
        has(&checks, "contract-proxy-implementation-verified", "pass"),
        "{out}"
    );
    assert!(
        has(&checks, "contract-constructor-args-match", "pass"),
        "{out}"
    );
    // The implementation slot pointed at another contract (one of the same build, even).
    let (_, plain) = chain.deploy(&creation_code(b, "Plain.sol", "Plain"));
    chain.set_storage(&proxy, IMPL_SLOT, &word(&plain));
    let (rc, checks, out) = verify(&chain, &args);
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-proxy-implementation-mismatch", "fail"),
        "{out}"
    );
    // Without a record, --implementation pins which build contract it must be.
    let pinned = [
        "--address",
        &proxy,
        "--build",
        &s(&b.join(OUT)),
        "--implementation",
        "src/Proxies.sol:Logic",
    ];
    let (rc, checks, out) = verify(&chain, &pinned);
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-proxy-implementation-mismatch", "fail"),
        "{out}"
    );
    chain.set_storage(&proxy, IMPL_SLOT, &word(&logic));
    let (rc, checks, out) = verify(&chain, &pinned);
    assert_eq!(rc, 0, "{out}");
    assert!(
        has(&checks, "contract-proxy-implementation-verified", "pass"),
        "{out}"
    );
    // ... or at an address without code, with no record to compare with.
    chain.set_storage(
        &proxy,
        IMPL_SLOT,
        &word("0x00000000000000000000000000000000000000dd"),
    );
    let (rc, checks, out) = verify(&chain, &["--address", &proxy, "--build", &s(&b.join(OUT))]);
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-proxy-implementation-mismatch", "fail"),
        "{out}"
    );
}

#[test]
fn beacon_proxy_verifies_through_the_beacon() {
    let Some((chain, b)) = setup() else { return };
    let (_, logic) = deploy_with(&chain, b, "Logic", &[]);
    let (_, beacon) = deploy_with(&chain, b, "Beacon", &[&logic]);
    let (tx, proxy) = deploy_with(&chain, b, "BeaconProxy", &[&beacon]);
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &proxy,
            "--build",
            &s(&b.join(HH)),
            "--creation-tx",
            &tx,
        ],
    );
    assert_eq!(rc, 0, "{out}");
    assert!(
        has(&checks, "contract-proxy-implementation-verified", "pass"),
        "{out}"
    );
    // The beacon's implementation replaced by code that is no build's.
    let mut code = hex::decode(&chain.code(&logic)[2..]).expect("hex");
    code[5] ^= 0x01;
    chain.set_code(&logic, &format!("0x{}", hex::encode(&code)));
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &proxy,
            "--build",
            &s(&b.join(HH)),
            "--creation-tx",
            &tx,
        ],
    );
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-proxy-implementation-mismatch", "fail"),
        "{out}"
    );
}

#[test]
fn eip1167_clone_from_a_factory_verifies_through_the_trace() {
    let Some((chain, b)) = setup() else { return };
    let (_, logic) = deploy_with(&chain, b, "Logic", &[]);
    let (_, factory) = deploy_with(&chain, b, "CloneFactory", &[]);
    let selector = artifact(b, "Proxies.sol", "CloneFactory")["methodIdentifiers"]
        ["clone(address)"]
        .as_str()
        .expect("selector")
        .to_owned();
    let tx = chain.send(
        Some(&factory),
        &format!("0x{selector}{:0>64}", logic.trim_start_matches("0x")),
    );
    let r = chain.receipt(&tx);
    let data = r["logs"][0]["data"].as_str().expect("log data");
    let clone = format!("0x{}", &data[data.len() - 40..]);
    let args = [
        "--address",
        &clone,
        "--build",
        &s(&b.join(OUT)),
        "--contract",
        "src/Proxies.sol:Logic",
        "--creation-tx",
        &tx,
    ];
    let (rc, checks, out) = verify(&chain, &args);
    assert_eq!(rc, 0, "{out}");
    assert!(
        has(&checks, "contract-creation-full-match", "pass"),
        "{out}"
    );
    assert!(
        has(&checks, "contract-proxy-implementation-verified", "pass"),
        "{out}"
    );
    // The clone re-pointed at a contract that is not Logic.
    let (_, plain) = chain.deploy(&creation_code(b, "Plain.sol", "Plain"));
    let code = chain.code(&clone).replace(
        &logic.trim_start_matches("0x").to_ascii_lowercase(),
        plain.trim_start_matches("0x"),
    );
    chain.set_code(&clone, &code);
    let (rc, checks, out) = verify(
        &chain,
        &[
            "--address",
            &clone,
            "--build",
            &s(&b.join(OUT)),
            "--contract",
            "src/Proxies.sol:Logic",
        ],
    );
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-proxy-implementation-mismatch", "fail"),
        "{out}"
    );
}

fn pki() -> &'static provenant_testkit::TestPki {
    static PKI: std::sync::OnceLock<provenant_testkit::TestPki> = std::sync::OnceLock::new();
    PKI.get_or_init(|| provenant_testkit::TestPki::new(17))
}

/// A Sigstore bundle of SLSA provenance whose subject is `file`, built from `commit`.
fn attest(dir: &Path, file: &Path, commit: &str) -> String {
    use provenant_testkit::{GithubClaims, MintSpec};
    let claims = GithubClaims {
        source_repository_digest: commit.to_owned(),
        ..GithubClaims::default()
    };
    let spec = MintSpec {
        artifact: std::fs::read(file).expect("build file"),
        artifact_name: file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned(),
        identity: claims.identity(),
        github: Some(claims),
        ..MintSpec::default()
    }
    .dsse();
    let p = dir.join(format!("{commit}-{}.sigstore.json", spec.artifact_name));
    std::fs::write(&p, pki().mint(&spec).bundle_json).expect("write");
    s(&p)
}

#[test]
fn the_build_must_be_attested_for_the_commit_once_asked() {
    use provenant_testkit::{DEFAULT_COMMIT, DEFAULT_IDENTITY, GITHUB_ACTIONS_ISSUER};
    let Some((chain, b)) = setup() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let root_file = dir.path().join("trusted_root.json");
    std::fs::write(&root_file, pki().trusted_root_json()).expect("write");
    let (tx, addr) = chain.deploy(&creation_code(b, "Plain.sol", "Plain"));
    let artifact_file = b.join("foundry/out/Plain.sol/Plain.json");
    let good = attest(dir.path(), &artifact_file, DEFAULT_COMMIT);
    let base = [
        "--address",
        &addr,
        "--build",
        &s(&b.join(OUT)),
        "--creation-tx",
        &tx,
        "--trusted-root",
        &s(&root_file),
        "--certificate-identity",
        DEFAULT_IDENTITY,
        "--certificate-oidc-issuer",
        GITHUB_ACTIONS_ISSUER,
        "--commit",
        DEFAULT_COMMIT,
    ];
    let with = |bundle: &str| {
        let mut v = base.to_vec();
        v.extend(["--bundle", bundle]);
        verify(&chain, &v.iter().map(|s| s as &str).collect::<Vec<_>>())
    };
    let (rc, checks, out) = with(&good);
    assert_eq!(rc, 0, "{out}");
    assert!(has(&checks, "source-commit-matches", "pass"), "{out}");
    assert!(
        !checks.iter().any(|(c, _)| c == "contract-build-unattested"),
        "{out}"
    );
    // The same build attested for another commit.
    let other = attest(
        dir.path(),
        &artifact_file,
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    );
    let (rc, checks, out) = with(&other);
    assert_eq!(rc, 1, "{out}");
    assert!(has(&checks, "source-commit-mismatch", "fail"), "{out}");
    // Another build file's attestation does not cover this one.
    let wrong = attest(
        dir.path(),
        &b.join("foundry/out/WithArgs.sol/WithArgs.json"),
        DEFAULT_COMMIT,
    );
    let (rc, _, out) = with(&wrong);
    assert_eq!(rc, 1, "{out}");
    // A Foundry record of the deployment that ran from another commit than --commit.
    let rec = broadcast(dir.path(), "Plain", &tx, &addr, None, &[]);
    let other_rec = std::fs::read_to_string(&rec)
        .expect("read")
        .replace("\"5f2ab4a\"", "\"abcdef1\"");
    let other_rec_path = dir.path().join("other-commit.json");
    std::fs::write(&other_rec_path, other_rec).expect("write");
    let (rc, checks, out) = {
        let mut v = base.to_vec();
        let p = s(&other_rec_path);
        v.extend(["--bundle", good.as_str(), "--deployment", p.as_str()]);
        verify(&chain, &v)
    };
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-deployment-mismatch", "fail"),
        "{out}"
    );
    let (rc, _, out) = {
        let mut v = base.to_vec();
        v.extend(["--bundle", good.as_str(), "--deployment", rec.as_str()]);
        verify(&chain, &v)
    };
    assert_eq!(rc, 0, "the record's own commit is --commit's prefix: {out}");
    // --commit and an identity with no attestation at all: its absence fails.
    let (rc, checks, out) = verify(&chain, &base);
    assert_eq!(rc, 1, "{out}");
    assert!(checks.iter().any(|(_, o)| o == "fail"), "{out}");
    assert!(
        !checks.iter().any(|(c, _)| c == "contract-build-unattested"),
        "{out}"
    );
}

#[test]
fn provenance_contract_draws_address_code_build() {
    let Some((chain, b)) = setup() else { return };
    let (tx, addr) = chain.deploy(&creation_code(b, "Plain.sol", "Plain"));
    let args = [
        "provenance",
        "contract",
        "--rpc",
        &chain.url,
        "--address",
        &addr,
        "--build",
        &s(&b.join(OUT)),
        "--creation-tx",
        &tx,
    ];
    let (rc, out, err) = run(provenant().args(args).args(["--format", "json"]));
    assert_eq!(rc, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v["contract"]["code"]["code"], "contract-runtime-full-match",
        "{out}"
    );
    assert_eq!(v["contract"]["creation"]["outcome"], "pass", "{out}");
    assert!(
        v["contract"]["build"]["file"]
            .as_str()
            .unwrap_or_default()
            .ends_with("Plain.json#src/Plain.sol:Plain"),
        "{out}"
    );
    let (rc, out, _) = run(provenant().args(args).args(["--format", "mermaid"]));
    assert_eq!(rc, 0);
    assert!(
        out.contains("C -->|contract-runtime-full-match| F"),
        "{out}"
    );
    let (rc, out, _) = run(provenant().args(args));
    assert_eq!(rc, 0);
    assert!(
        out.contains("contract eip155:31337:")
            && out.contains("code           pass contract-runtime-full-match"),
        "{out}"
    );
    let (rc, out, _) = run(provenant().args(args).args(["--format", "html"]));
    assert_eq!(rc, 0);
    assert!(
        out.contains(r#"<section id="contract">"#) && out.contains("contract-runtime-full-match"),
        "{out}"
    );
    // a mismatch is drawn as such, and fails
    chain.set_code(&addr, "0x6000");
    let (rc, out, _) = run(provenant().args(args).args(["--format", "mermaid"]));
    assert_eq!(rc, 1);
    assert!(out.contains("-.->|contract-runtime-mismatch|"), "{out}");
}

#[test]
fn inspect_holds_build_and_deployment_files_to_the_verify_readers() {
    let Some(b) = build() else { return };
    let inspect = |p: &Path| {
        let (rc, out, _) = run(provenant().args(["inspect", &s(p), "--format", "json"]));
        let v: Value = serde_json::from_str(&out).unwrap_or_default();
        (
            rc,
            v["kind"].as_str().unwrap_or_default().to_owned(),
            v["well_formed"] == true,
        )
    };
    let bi = std::fs::read_dir(b.join("hardhat/artifacts/build-info"))
        .expect("dir")
        .next()
        .expect("one")
        .expect("entry")
        .path();
    for (p, kind) in [
        (
            b.join("foundry/out/Linked.sol/UsesLib.json"),
            "foundry-artifact",
        ),
        (
            b.join("hardhat/artifacts/src/Plain.sol/Plain.json"),
            "hardhat-artifact",
        ),
        (bi, "hardhat-build-info"),
        (b.join("standard-json.json"), "solc-standard-json"),
    ] {
        assert_eq!(inspect(&p), (0, kind.to_owned(), true), "{}", p.display());
    }
    // A library placeholder that names no library in linkReferences: what verify contract
    // would refuse, inspect calls malformed.
    let dir = tempfile::tempdir().expect("tmp");
    let mut a = artifact(b, "Linked.sol", "UsesLib");
    a["deployedBytecode"]["linkReferences"] = json!({});
    let p = dir.path().join("UsesLib.json");
    std::fs::write(&p, a.to_string()).expect("write");
    assert_eq!(inspect(&p), (1, "foundry-artifact".to_owned(), false));
}

#[test]
fn a_proxy_and_its_implementation_must_both_be_attested() {
    use provenant_testkit::{DEFAULT_COMMIT, DEFAULT_IDENTITY, GITHUB_ACTIONS_ISSUER};
    let Some((chain, b)) = setup() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let root_file = dir.path().join("trusted_root.json");
    std::fs::write(&root_file, pki().trusted_root_json()).expect("write");
    let (_, logic) = deploy_with(&chain, b, "Logic", &[]);
    let (_, proxy) = deploy_with(
        &chain,
        b,
        "Proxy1967",
        &[&logic, crate::support::chain::DEPLOYER],
    );
    let proxy_att = attest(
        dir.path(),
        &b.join("foundry/out/Proxies.sol/Proxy1967.json"),
        DEFAULT_COMMIT,
    );
    let logic_att = attest(
        dir.path(),
        &b.join("foundry/out/Proxies.sol/Logic.json"),
        DEFAULT_COMMIT,
    );
    let base = [
        "--address",
        &proxy,
        "--build",
        &s(&b.join(OUT)),
        "--contract",
        "Proxy1967",
        "--implementation",
        "Logic",
        "--trusted-root",
        &s(&root_file),
        "--certificate-identity",
        DEFAULT_IDENTITY,
        "--certificate-oidc-issuer",
        GITHUB_ACTIONS_ISSUER,
        "--commit",
        DEFAULT_COMMIT,
    ];
    let mut only_proxy = base.to_vec();
    only_proxy.extend(["--bundle", &proxy_att]);
    let (rc, _, out) = verify(&chain, &only_proxy);
    assert_eq!(rc, 1, "the implementation's build is not attested: {out}");
    let mut both = only_proxy.clone();
    both.extend(["--bundle", &logic_att]);
    let (rc, checks, out) = verify(&chain, &both);
    assert_eq!(rc, 0, "{out}");
    assert!(
        has(&checks, "contract-proxy-implementation-verified", "pass"),
        "{out}"
    );
}

/// The corpus's contract cases (Sourcify artifacts and metadata, a Hardhat build-info,
/// hardhat-deploy and Foundry records): each file `inspect`s as the manifest says.
#[test]
fn corpus_contract_cases_inspect_as_expected() {
    let Some(corpus) = crate::support::corpus() else {
        return;
    };
    let cases: Value =
        serde_json::from_slice(&std::fs::read(corpus.join("cases.json")).expect("cases"))
            .expect("json");
    let (mut passed, mut failed) = (0, 0);
    for c in cases["cases"].as_array().expect("cases") {
        let cat = c["category"].as_str().unwrap_or_default();
        if !cat.starts_with("contract-") {
            continue;
        }
        let id = c["id"].as_str().unwrap_or_default();
        let want = c.pointer("/expected/outcome").and_then(Value::as_str) == Some("valid");
        for f in c["inputs"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(_, v)| v.as_str())
        {
            if !f.starts_with("contracts/") || !f.ends_with(".json") {
                continue;
            }
            let (rc, out, err) = run(provenant()
                .current_dir(&corpus)
                .args(["inspect", f, "--format", "json"]));
            assert!(!err.contains("panicked"), "{id}: {err}");
            let v: Value = serde_json::from_str(&out).unwrap_or_default();
            if (rc == 0 && v["well_formed"] == true) == want {
                passed += 1;
            } else {
                failed += 1;
                eprintln!("disagree {id} {f}: exit {rc} {out}{err}");
            }
        }
    }
    println!("contract corpus (inspect): {passed} passed, {failed} failed");
    assert_eq!(failed, 0);
    assert!(passed >= 40, "{passed}");
}

#[test]
fn a_proxys_implementation_has_its_library_links_checked_too() {
    let Some((chain, b)) = setup() else { return };
    let (_, lib) = chain.deploy(&creation_code(b, "Linked.sol", "MathLib"));
    let (_, uses) = chain.deploy(&link(&creation_code(b, "Linked.sol", "UsesLib"), &lib));
    let (_, proxy) = deploy_with(
        &chain,
        b,
        "Proxy1967",
        &[&uses, crate::support::chain::DEPLOYER],
    );
    let args = [
        "--address",
        &proxy,
        "--build",
        &s(&b.join(OUT)),
        "--contract",
        "Proxy1967",
        "--implementation",
        "UsesLib",
    ];
    let (rc, checks, out) = verify(&chain, &args);
    assert_eq!(rc, 0, "{out}");
    assert!(
        has(&checks, "contract-library-links-match", "pass"),
        "{out}"
    );
    // The implementation linked to code that is not the library's build.
    let (_, plain) = chain.deploy(&creation_code(b, "Plain.sol", "Plain"));
    let (_, bad) = chain.deploy(&link(&creation_code(b, "Linked.sol", "UsesLib"), &plain));
    chain.set_storage(&proxy, IMPL_SLOT, &word(&bad));
    let (rc, checks, out) = verify(&chain, &args);
    assert_eq!(rc, 1, "{out}");
    assert!(
        has(&checks, "contract-library-links-mismatch", "fail"),
        "{out}"
    );
}
