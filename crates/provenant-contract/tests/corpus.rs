//! The corpus's real contract material (`../shared/corpus/contracts/`), read and matched offline.

use std::path::PathBuf;

use provenant_contract::{
    match_creation, parse_address, read_build, read_deployment, trailer, BuildContract, Code,
    MatchKind,
};
use serde_json::Value;

#[allow(clippy::print_stderr)] // says why a test is skipped
fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if p.join("cases.json").is_file() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "CI=true but the corpus is missing at {}",
        p.display()
    );
    eprintln!("skipping: corpus not found at {}", p.display());
    None
}

#[allow(clippy::disallowed_methods)] // the corpus index, read by the test itself
fn cases(root: &std::path::Path) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&std::fs::read(root.join("cases.json")).expect("cases"))
        .expect("json");
    v["cases"].as_array().expect("cases").clone()
}

/// A Sourcify artifact (creation bytecode + ABI) as a build contract.
#[allow(clippy::disallowed_methods)] // test-side reading of corpus files
fn sourcify(root: &std::path::Path, id: &str) -> Option<BuildContract> {
    let p = root.join("contracts").join(id).join("artifact.json");
    let v: Value = serde_json::from_slice(&std::fs::read(p).ok()?).expect("artifact json");
    let code = v["bytecode"].as_str().expect("bytecode");
    Some(BuildContract {
        source: id.into(),
        name: id.into(),
        // (some old ABIs here lack `outputs`: the attack cases need only the constructor)
        abi: serde_json::from_value(v["abi"].clone()).unwrap_or_default(),
        creation: Code::parse(code, &[], id).expect("bytecode parses"),
        runtime: Code::default(),
        immutables: vec![],
        immutables_known: true,
        compiler: None,
    })
}

#[test]
fn sourcify_trailers_decode_as_the_manifest_says() {
    let Some(root) = corpus() else { return };
    let mut n = 0;
    for c in cases(&root) {
        let id = c["id"].as_str().unwrap_or_default();
        let Some(facts) = c
            .get("facts")
            .filter(|f| f.get("creation_bytecode_len").is_some())
        else {
            continue;
        };
        let Some(b) = sourcify(&root, id) else {
            continue;
        };
        // (the manifest's creation_bytecode_len counts the text's "0x" as a byte)
        let len = facts["creation_bytecode_len"].as_u64().unwrap_or_default();
        assert!(b.creation.bytes.len() as u64 + 1 >= len, "{id}");
        let t = trailer(&b.creation.bytes);
        match facts["cbor_auxdata_at_end_of_creation_bytecode"].as_object() {
            None => assert!(t.is_none() || id.contains("Vyper"), "{id}: {t:?}"),
            Some(want) => {
                let t = t.unwrap_or_else(|| panic!("{id}: no trailer"));
                assert_eq!(
                    t.ipfs.as_deref().map(hex::encode).as_deref(),
                    want.get("ipfs").and_then(Value::as_str),
                    "{id}"
                );
                let solc = want["solc"].as_str().unwrap_or_default();
                let shown = t.solc.clone().unwrap_or_default();
                if solc.len() == 6 {
                    let b = hex::decode(solc).expect("hex");
                    assert_eq!(shown, format!("{}.{}.{}", b[0], b[1], b[2]), "{id}");
                } else {
                    assert_eq!(shown, solc, "{id}");
                }
            }
        }
        n += 1;
    }
    assert!(n >= 10, "only {n} sourcify cases read");
}

#[test]
fn sourcify_attack_cases_never_match_fully() {
    let Some(root) = corpus() else { return };
    let honest = sourcify(&root, "sourcify/WithImmutables").expect("WithImmutables");
    let attack = sourcify(&root, "sourcify/WithImmutablesCreationBytecodeAttack").expect("attack");
    // The attacker's short creation code is a prefix of nothing the honest build deployed, and
    // the honest build is not a prefix of the attack's input.
    let m = match_creation(&attack, &honest.creation.bytes, &[]);
    assert_ne!(m.code.kind, MatchKind::Full);
    let m = match_creation(&honest, &attack.creation.bytes, &[]);
    assert_eq!(m.code.kind, MatchKind::Mismatch);
    // Another contract's creation code is not this one's, even with the same compiler.
    let storage = sourcify(&root, "sourcify/Storage").expect("Storage");
    let m = match_creation(&honest, &storage.creation.bytes, &[]);
    assert_eq!(m.code.kind, MatchKind::Mismatch);
    // Same source, changed constructor: not a full match.
    let modified = sourcify(&root, "sourcify/ConstructorModified").expect("ConstructorModified");
    let m = match_creation(&storage, &modified.creation.bytes, &[]);
    assert_ne!(m.code.kind, MatchKind::Full);
}

#[test]
fn sourcify_same_code_matches_itself_and_metadata_only_difference_is_partial() {
    let Some(root) = corpus() else { return };
    let storage = sourcify(&root, "sourcify/Storage").expect("Storage");
    let m = match_creation(&storage, &storage.creation.bytes, &[]);
    assert_eq!(m.code.kind, MatchKind::Full);
    // Rewrite the IPFS hash in the trailer: everything else equal → partial, never full.
    let mut other = storage.creation.bytes.clone();
    let t = trailer(&other).expect("trailer");
    other[t.start + 10] ^= 0x01;
    let m = match_creation(&storage, &other, &[]);
    assert_eq!(m.code.kind, MatchKind::Partial, "{}", m.code.detail);
}

#[test]
fn hardhat_build_info_reads_with_immutables() {
    let Some(root) = corpus() else { return };
    let b = std::fs::read(root.join("contracts/hardhat/build-info-output.json")).expect("read");
    let build = read_build(&b).expect("build-info reads");
    assert!(!build.contracts.is_empty());
    assert!(build.contracts.iter().all(|c| c.compiler.is_some()));
}

#[test]
#[allow(clippy::disallowed_methods)]
fn hardhat_deploy_records_read_and_their_code_carries_a_trailer() {
    let Some(root) = corpus() else { return };
    let dir = root.join("contracts/hardhat-deploy/ens-mainnet");
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("dir") {
        let p = e.expect("entry").path();
        let bytes = std::fs::read(&p).expect("read");
        let v: Value = serde_json::from_slice(&bytes).expect("json");
        let addr = parse_address(v["address"].as_str().expect("address")).expect("address");
        let d = read_deployment(&bytes, addr).expect("deployment reads");
        assert_eq!(d.address, addr);
        assert!(d.transaction.is_some(), "{}", p.display());
        let code =
            provenant_contract::parse_hex(v["deployedBytecode"].as_str().expect("code"), "d")
                .expect("hex");
        assert!(trailer(&code).is_some(), "{}", p.display());
        n += 1;
    }
    assert_eq!(n, 7);
}

#[test]
fn foundry_broadcasts_name_their_deployment() {
    let Some(root) = corpus() else { return };
    for chain in ["1", "10", "8453"] {
        let p = root.join(format!(
            "contracts/foundry-broadcast/daimo-p256-verifier/{chain}/run-latest.json"
        ));
        let bytes = std::fs::read(&p).expect("read");
        let a = parse_address("0xc2b78104907F722DABAc4C69f826a522B2754De4").expect("addr");
        let d = read_deployment(&bytes, a).expect("broadcast reads");
        assert_eq!(d.contract_name.as_deref(), Some("P256Verifier"));
        assert_eq!(d.chain_id, chain.parse().ok());
        // another address is not in it: refused, never a guess
        assert!(read_deployment(
            &bytes,
            parse_address(&format!("0x{}", "11".repeat(20))).expect("a")
        )
        .is_err());
    }
}
