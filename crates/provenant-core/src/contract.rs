//! Judging a deployed contract: the chain snapshot against the build (runtime, creation,
//! constructor arguments, library links, compiler, proxy), purely. The build file the matched
//! code was read from becomes the subject the attestations must name.

use provenant_contract::{
    canonical_arguments, check_arguments, eip1167_target, match_creation, match_runtime,
    slot_address, Address, BuildContract, BuildFormat, ChainSnapshot, CodeMatch, Deployment,
    MatchKind, SlotValue, B256,
};
use provenant_model::{Check, CheckCode, Digest, EvidenceKind, EvidenceRef, Outcome};

/// A build file as read: its path, its SHA-256 and its contracts.
#[derive(Debug, Clone)]
pub struct BuildFile {
    /// The path.
    pub path: String,
    /// SHA-256 of its bytes (the subject attestations of the build name).
    pub digest: Digest,
    /// Its format.
    pub format: BuildFormat,
    /// Its contracts.
    pub contracts: Vec<BuildContract>,
}

/// A deployed contract and its build, as collected.
#[derive(Debug, Clone)]
pub struct ContractCollected {
    /// What the chain answered.
    pub snapshot: ChainSnapshot,
    /// The build files (`--build`).
    pub builds: Vec<BuildFile>,
    /// `--contract SOURCE:NAME` (or `NAME`).
    pub contract: Option<String>,
    /// `--deployment`: its path and what it says.
    pub deployment: Option<(String, Deployment)>,
    /// `--creation-tx`.
    pub creation_tx: Option<B256>,
    /// `--chain-id`.
    pub chain_id: Option<u64>,
    /// `--allow-partial`.
    pub allow_partial: bool,
    /// `--implementation SOURCE:NAME`: the build contract a proxy's implementation must be.
    pub implementation: Option<String>,
}

/// What matched: the build file and contract the deployed code was matched against.
#[derive(Debug, Clone)]
pub struct Matched {
    /// Index into `builds`.
    pub build: usize,
    /// `source:name`.
    pub contract: String,
}

fn chain(s: &ChainSnapshot, what: &str) -> EvidenceRef {
    EvidenceRef::new(
        EvidenceKind::ChainState,
        format!("{} {what} at block {}", s.endpoint, s.block),
    )
}

fn build_ref(b: &BuildFile, c: &BuildContract) -> EvidenceRef {
    EvidenceRef::new(
        EvidenceKind::Artifact,
        format!("{}#{}", b.path, c.qualified()),
    )
    .with_digest(b.digest.clone())
}

/// Whether `wanted` (`source:name` or `name`) names `c`.
pub fn names(wanted: &str, c: &BuildContract) -> bool {
    wanted == c.qualified() || wanted == c.name
}

/// A partial match: a warning with `--allow-partial`, a failure without.
fn partial(code: CheckCode, allow: bool, reason: String, ev: Vec<EvidenceRef>) -> Check {
    if allow {
        Check::warn(code, format!("{reason} (accepted: --allow-partial)"), ev)
    } else {
        Check::fail(
            code,
            format!("{reason}; pass --allow-partial to accept a metadata-only difference"),
            ev,
        )
    }
}

fn code_check(
    m: &CodeMatch,
    codes: [CheckCode; 3],
    allow: bool,
    what: &str,
    ev: Vec<EvidenceRef>,
) -> Check {
    match m.kind {
        MatchKind::Full => Check::pass(codes[0], format!("{what}: full match ({})", m.detail), ev),
        MatchKind::Partial => partial(
            codes[1],
            allow,
            format!("{what}: partial match, {}", m.detail),
            ev,
        ),
        MatchKind::Mismatch => Check::fail(codes[2], format!("{what}: mismatch, {}", m.detail), ev),
    }
}

const RUNTIME: [CheckCode; 3] = [
    CheckCode::ContractRuntimeFullMatch,
    CheckCode::ContractRuntimePartialMatch,
    CheckCode::ContractRuntimeMismatch,
];
const CREATION: [CheckCode; 3] = [
    CheckCode::ContractCreationFullMatch,
    CheckCode::ContractCreationPartialMatch,
    CheckCode::ContractCreationMismatch,
];

/// The build entries whose runtime matches `code` best (all of them equally well), and how many
/// were compared.
type Best<'a> = Vec<(usize, &'a BuildContract, CodeMatch)>;

fn best_matches<'a>(
    c: &'a ContractCollected,
    code: &[u8],
    address: Address,
    wanted: Option<&str>,
) -> (Best<'a>, usize) {
    let mut best: Best<'a> = Vec::new();
    let mut considered = 0;
    for (i, b) in c.builds.iter().enumerate() {
        for k in &b.contracts {
            if wanted.is_some_and(|w| !names(w, k)) {
                continue;
            }
            considered += 1;
            let m = match_runtime(k, code, address);
            let rank = |m: &CodeMatch| match m.kind {
                MatchKind::Full => 2,
                MatchKind::Partial => 1,
                MatchKind::Mismatch => 0,
            };
            match best.first() {
                Some((_, _, b0)) if rank(b0) > rank(&m) => {}
                Some((_, _, b0)) if rank(b0) == rank(&m) => best.push((i, k, m)),
                _ => best = vec![(i, k, m)],
            }
        }
    }
    (best, considered)
}

/// Several build entries match the deployed code equally well (a full or partial match) and
/// no `--contract` says which: the question is ambiguous, a usage error the CLI reports (exit 2).
pub fn ambiguous(c: &ContractCollected) -> Option<String> {
    let s = &c.snapshot;
    if s.code.is_empty() || eip1167_target(&s.code).is_some() {
        return None;
    }
    let (best, _) = best_matches(c, &s.code, s.address, c.contract.as_deref());
    if best.len() < 2 || best[0].2.kind == MatchKind::Mismatch {
        return None;
    }
    let names: Vec<String> = best
        .iter()
        .map(|(i, k, _)| format!("{}#{}", c.builds[*i].path, k.qualified()))
        .collect();
    Some(format!(
        "the code at {} matches several build entries ({}): name one with --contract, or give one build file",
        s.address,
        names.join(", ")
    ))
}

/// Pick the build contract whose runtime matches `code` best; `Err` says why none can be picked.
fn pick<'a>(
    c: &'a ContractCollected,
    code: &[u8],
    address: Address,
    wanted: Option<&str>,
) -> Result<(usize, &'a BuildContract, CodeMatch), String> {
    let (mut best, considered) = best_matches(c, code, address, wanted);
    if considered == 0 {
        return Err(match wanted {
            Some(w) => format!("no contract named {w} in the build"),
            None => "the build holds no deployable contract".into(),
        });
    }
    let matched = best
        .first()
        .is_some_and(|(_, _, m)| m.kind != MatchKind::Mismatch);
    if !matched {
        let one = (considered == 1).then(|| best.pop()).flatten();
        return Err(match (wanted, one) {
            (_, Some((_, k, m))) => format!("{}: {}", k.qualified(), m.detail),
            (Some(w), None) => format!("no build of {w} matches the deployed code"),
            (None, None) => format!("none of the {considered} contracts in the build matches the deployed code ({} bytes)", code.len()),
        });
    }
    let mut distinct: Vec<String> = best
        .iter()
        .map(|(i, k, _)| format!("{}#{}", c.builds[*i].path, k.qualified()))
        .collect();
    distinct.dedup();
    if distinct.len() > 1 {
        return Err(format!(
            "the deployed code matches several build entries ({}): name one with --contract, or give one build file",
            distinct.join(", ")
        ));
    }
    best.into_iter()
        .next()
        .ok_or_else(|| "nothing matched".into())
}

/// The contract checks, and which build entries matched: the contract's own first, then its
/// implementation's when it is a proxy or a clone. Each build file among them is a subject its
/// attestations must name.
pub fn contract_checks(c: &ContractCollected) -> (Vec<Check>, Vec<Matched>) {
    let s = &c.snapshot;
    let mut checks = Vec::new();
    // The chain: the one asked for and the one the record names.
    let expected: Vec<(u64, &str)> = c
        .chain_id
        .map(|n| (n, "--chain-id"))
        .into_iter()
        .chain(
            c.deployment
                .as_ref()
                .and_then(|(_, d)| d.chain_id)
                .map(|n| (n, "the deployment record")),
        )
        .collect();
    let ev = vec![chain(s, "eth_chainId")];
    for (n, from) in &expected {
        if *n != s.chain_id {
            checks.push(Check::fail(
                CheckCode::ContractChainIdMismatch,
                format!(
                    "the endpoint serves chain {}, {from} says chain {n}",
                    s.chain_id
                ),
                ev.clone(),
            ));
        }
    }
    if !expected.is_empty() && checks.is_empty() {
        checks.push(Check::pass(
            CheckCode::ContractChainIdMatch,
            format!("chain {}", s.chain_id),
            ev,
        ));
    }
    if s.code.is_empty() {
        checks.push(Check::fail(
            CheckCode::ContractNotDeployed,
            format!("{} holds no code at block {}", s.address, s.block),
            vec![chain(s, "eth_getCode")],
        ));
        return (checks, vec![]);
    }
    checks.push(Check::pass(
        CheckCode::ContractDeployed,
        format!(
            "{} holds {} bytes of code at block {}",
            s.address,
            s.code.len(),
            s.block
        ),
        vec![chain(s, "eth_getCode")],
    ));
    if let Some((path, d)) = &c.deployment {
        if d.address != s.address {
            checks.push(Check::fail(
                CheckCode::ContractDeploymentMismatch,
                format!(
                    "{path} records a deployment at {}, not {}",
                    d.address, s.address
                ),
                vec![EvidenceRef::new(EvidenceKind::DeploymentRecord, path)],
            ));
        }
        if let (Some(flag), Some(rec)) = (c.creation_tx, d.transaction) {
            if flag != rec {
                checks.push(Check::fail(
                    CheckCode::ContractDeploymentMismatch,
                    format!("--creation-tx {flag} is not the transaction {path} records ({rec})"),
                    vec![EvidenceRef::new(EvidenceKind::DeploymentRecord, path)],
                ));
            }
        }
    }
    // An EIP-1167 clone: its own code is the standard template, its implementation is what the
    // build must match.
    if let Some(target) = eip1167_target(&s.code) {
        checks.push(Check::pass(
            CheckCode::ContractRuntimeFullMatch,
            format!("{} is an EIP-1167 minimal clone of {target}: its 45 bytes are the standard template", s.address),
            vec![chain(s, "eth_getCode")],
        ));
        if let Some(creation) = &s.creation {
            checks.push(clone_creation_check(s, creation));
        }
        let wanted = c.implementation.as_deref().or(c.contract.as_deref());
        let matched = implementation_checks(c, target, wanted, &mut checks);
        return (checks, matched.into_iter().collect());
    }
    let (bi, k, m) = match pick(c, &s.code, s.address, c.contract.as_deref()) {
        Ok(p) => p,
        Err(why) => {
            checks.push(Check::fail(
                CheckCode::ContractRuntimeMismatch,
                format!("the runtime code at {} matches no build: {why}", s.address),
                vec![chain(s, "eth_getCode")],
            ));
            return (checks, vec![]);
        }
    };
    let b = &c.builds[bi];
    let ev = vec![chain(s, "eth_getCode"), build_ref(b, k)];
    checks.push(code_check(
        &m,
        RUNTIME,
        c.allow_partial,
        &format!("runtime code of {} vs {}", s.address, k.qualified()),
        ev.clone(),
    ));
    compiler_check(&m, k, ev.clone(), &mut checks);
    if let Some((path, d)) = &c.deployment {
        if let Some(name) = &d.contract_name {
            if name != &k.name && name != &k.qualified() {
                checks.push(Check::fail(
                    CheckCode::ContractDeploymentMismatch,
                    format!(
                        "{path} records contract {name}, the code at {} is {}",
                        s.address,
                        k.qualified()
                    ),
                    vec![
                        EvidenceRef::new(EvidenceKind::DeploymentRecord, path),
                        build_ref(b, k),
                    ],
                ));
            }
        }
    }
    library_checks(c, &m, b, k, &mut checks);
    creation_checks(c, k, &m, b, &mut checks);
    let matched = Matched {
        build: bi,
        contract: k.qualified(),
    };
    // A proxy: its implementation must be what it should be and match a build too.
    let p = &s.proxy;
    let slots = [
        ("EIP-1967 implementation slot", p.implementation_slot),
        ("EIP-1822 PROXIABLE slot", p.proxiable_slot),
    ];
    // Every slot that names an implementation; two that disagree are a contradiction, never
    // "the first one wins".
    let mut named: Vec<(Address, &str)> = Vec::new();
    for (what, w) in slots {
        match slot_address(&w) {
            SlotValue::Empty => {}
            SlotValue::Address(a) => named.push((a, what)),
            SlotValue::NotAnAddress => checks.push(Check::fail(
                CheckCode::ContractProxyImplementationMismatch,
                format!("the {what} of {} holds {w}, not an address", s.address),
                vec![chain(s, "eth_getStorageAt")],
            )),
        }
    }
    match slot_address(&p.beacon_slot) {
        SlotValue::Empty => {}
        SlotValue::NotAnAddress => checks.push(Check::fail(
            CheckCode::ContractProxyImplementationMismatch,
            format!(
                "the EIP-1967 beacon slot of {} holds {}, not an address",
                s.address, p.beacon_slot
            ),
            vec![chain(s, "eth_getStorageAt")],
        )),
        SlotValue::Address(beacon) => match &p.beacon_implementation {
            Some(Ok(w)) => match slot_address(w) {
                SlotValue::Address(a) => named.push((a, "beacon's implementation()")),
                _ => checks.push(Check::fail(
                    CheckCode::ContractProxyImplementationMismatch,
                    format!(
                        "the beacon {beacon} answers implementation() with {w}, not an address"
                    ),
                    vec![chain(s, "eth_call implementation()")],
                )),
            },
            Some(Err(e)) => checks.push(Check::fail(
                CheckCode::ContractProxyImplementationMismatch,
                format!("the beacon {beacon}'s implementation() cannot be read: {e}"),
                vec![chain(s, "eth_call implementation()")],
            )),
            None => checks.push(Check::fail(
                CheckCode::ContractProxyImplementationMismatch,
                format!("the beacon {beacon}'s implementation() was not read"),
                vec![chain(s, "eth_call implementation()")],
            )),
        },
    }
    if let Some((first, first_what)) = named.first() {
        if let Some((other, other_what)) = named.iter().find(|(a, _)| a != first) {
            checks.push(Check::fail(
                CheckCode::ContractProxyImplementationMismatch,
                format!(
                    "{} names two implementations: its {first_what} points at {first}, its {other_what} at {other}; which one runs depends on the proxy's code, so neither is taken",
                    s.address
                ),
                vec![chain(s, "eth_getStorageAt")],
            ));
        }
    }
    let target = named.first().copied();
    let recorded = c.deployment.as_ref().and_then(|(_, d)| d.implementation);
    let mut implementation = None;
    if target.is_none() {
        if let Some(w) = &c.implementation {
            checks.push(Check::fail(
                CheckCode::ContractProxyImplementationMismatch,
                format!("--implementation {w} was given, and {} has no implementation in any proxy slot", s.address),
                vec![chain(s, "eth_getStorageAt")],
            ));
        }
    }
    match (target, recorded) {
        (Some((a, what)), _) => {
            if let Some(r) = recorded.filter(|r| *r != a) {
                checks.push(Check::fail(
                    CheckCode::ContractProxyImplementationMismatch,
                    format!("the proxy's {what} points at {a}, the deployment record says {r}"),
                    vec![chain(s, "eth_getStorageAt")],
                ));
            }
            if let Some(m) = implementation_checks(c, a, c.implementation.as_deref(), &mut checks) {
                implementation = Some(m);
            }
        }
        (None, Some(r)) => checks.push(Check::fail(
            CheckCode::ContractProxyImplementationMismatch,
            format!("the deployment record names implementation {r}, and {} has no implementation in any proxy slot", s.address),
            vec![chain(s, "eth_getStorageAt")],
        )),
        (None, None) => {}
    }
    (
        checks,
        std::iter::once(matched).chain(implementation).collect(),
    )
}

/// A clone's creation: the init code must be the EIP-1167 constructor followed by the 45 bytes
/// now at the address.
fn clone_creation_check(
    s: &ChainSnapshot,
    creation: &Result<provenant_contract::CreationTx, String>,
) -> Check {
    const CLONE_INIT: [u8; 10] = [0x3d, 0x60, 0x2d, 0x80, 0x60, 0x0a, 0x3d, 0x39, 0x81, 0xf3];
    let ev = vec![chain(s, "creation transaction")];
    match creation {
        Err(why) => Check::fail(CheckCode::ContractCreationMismatch, why.clone(), ev),
        Ok(tx) if tx.created != s.address => Check::fail(
            CheckCode::ContractCreationMismatch,
            format!("transaction {} created {}, not {}", tx.hash, tx.created, s.address),
            ev,
        ),
        Ok(tx) if tx.init_code.len() == 55 && tx.init_code[..10] == CLONE_INIT && tx.init_code[10..] == s.code[..] => Check::pass(
            CheckCode::ContractCreationFullMatch,
            format!("transaction {} ({}) created the clone with the standard EIP-1167 init code", tx.hash, tx.via),
            ev,
        ),
        Ok(tx) => Check::fail(
            CheckCode::ContractCreationMismatch,
            format!("transaction {} ({}) created the clone with other init code than EIP-1167's ({} bytes)", tx.hash, tx.via, tx.init_code.len()),
            ev,
        ),
    }
}

fn compiler_check(m: &CodeMatch, k: &BuildContract, ev: Vec<EvidenceRef>, checks: &mut Vec<Check>) {
    let (Some(deployed), Some(built)) = (
        m.deployed_trailer.as_ref().and_then(|t| t.solc.as_deref()),
        k.compiler.as_deref(),
    ) else {
        return;
    };
    let built_short = built
        .trim_start_matches('v')
        .split('+')
        .next()
        .unwrap_or(built);
    let deployed_short = deployed.split('+').next().unwrap_or(deployed);
    if built_short == deployed_short {
        checks.push(Check::pass(
            CheckCode::ContractCompilerMatch,
            format!("solc {deployed_short}"),
            ev,
        ));
    } else {
        checks.push(Check::fail(
            CheckCode::ContractCompilerMismatch,
            format!(
                "the deployed code was compiled by solc {deployed_short}, the build by {built}"
            ),
            ev,
        ));
    }
}

fn find_library<'a>(
    c: &'a ContractCollected,
    library: &str,
) -> Option<(&'a BuildFile, &'a BuildContract)> {
    c.builds.iter().find_map(|b| {
        b.contracts
            .iter()
            .find(|k| {
                k.qualified() == library
                    || k.name == library
                    || library.ends_with(&format!(":{}", k.name))
                        && k.source.ends_with(library.split(':').next().unwrap_or(""))
            })
            .map(|k| (b, k))
    })
}

fn library_checks(
    c: &ContractCollected,
    m: &CodeMatch,
    b: &BuildFile,
    k: &BuildContract,
    checks: &mut Vec<Check>,
) {
    if m.links.is_empty() {
        return;
    }
    let s = &c.snapshot;
    let mut problems = Vec::new();
    let mut seen: Vec<(String, Address)> = Vec::new();
    for l in &m.links {
        match seen.iter().find(|(lib, _)| lib == &l.library) {
            Some((_, a)) if *a != l.address => problems.push(format!(
                "{} is linked to both {a} and {}",
                l.library, l.address
            )),
            Some(_) => continue,
            None => seen.push((l.library.clone(), l.address)),
        }
    }
    let recorded = c.deployment.as_ref().map(|(_, d)| &d.libraries);
    for (lib, a) in &seen {
        if let Some(rec) = recorded.filter(|r| !r.is_empty()) {
            let short = lib.rsplit(':').next().unwrap_or(lib);
            match rec
                .iter()
                .find(|(n, _)| n == lib || n == short || n.ends_with(&format!(":{short}")))
            {
                Some((_, r)) if r == a => {}
                Some((_, r)) => problems.push(format!(
                    "{lib} is linked to {a}, the deployment record says {r}"
                )),
                None => problems.push(format!(
                    "{lib} is linked to {a}, and the deployment record names no such library"
                )),
            }
        }
        let code = s.library_code.iter().find(|(x, _)| x == a).map(|(_, c)| c);
        match (code, find_library(c, lib)) {
            (None, _) => problems.push(format!("the code of {lib} at {a} was not read")),
            (Some(code), _) if code.is_empty() => {
                problems.push(format!("{lib} is linked to {a}, which holds no code"))
            }
            (_, None) => problems.push(format!(
                "{lib} is not in the build, so the code at {a} cannot be checked"
            )),
            (Some(code), Some((_, lk))) => {
                let lm = match_runtime(lk, code, *a);
                match lm.kind {
                    MatchKind::Full => {}
                    MatchKind::Partial if c.allow_partial => {}
                    _ => problems.push(format!(
                        "the code at {a} is not the build of {lib}: {}",
                        lm.detail
                    )),
                }
            }
        }
    }
    let ev = vec![
        chain(s, "eth_getCode of the linked libraries"),
        build_ref(b, k),
    ];
    let list = seen
        .iter()
        .map(|(l, a)| format!("{l} = {a}"))
        .collect::<Vec<_>>()
        .join(", ");
    if problems.is_empty() {
        checks.push(Check::pass(
            CheckCode::ContractLibraryLinksMatch,
            format!("{list}; each holds its library's build"),
            ev,
        ));
    } else {
        checks.push(Check::fail(
            CheckCode::ContractLibraryLinksMismatch,
            problems.join("; "),
            ev,
        ));
    }
}

fn creation_checks(
    c: &ContractCollected,
    k: &BuildContract,
    m: &CodeMatch,
    b: &BuildFile,
    checks: &mut Vec<Check>,
) {
    let s = &c.snapshot;
    let Some(creation) = &s.creation else {
        let what = if k.immutables.is_empty() {
            String::new()
        } else {
            format!(", and the {} immutable value(s)", k.immutables.len())
        };
        checks.push(Check::warn(
            CheckCode::ContractCreationUnchecked,
            format!("no creation transaction (--creation-tx or a --deployment record): the creation code and constructor arguments{what} of {} are not checked", s.address),
            vec![chain(s, "eth_getCode")],
        ));
        return;
    };
    let ev = vec![chain(s, "creation transaction"), build_ref(b, k)];
    let tx = match creation {
        Ok(tx) => tx,
        Err(why) => {
            checks.push(Check::fail(
                CheckCode::ContractCreationMismatch,
                why.clone(),
                ev,
            ));
            return;
        }
    };
    if tx.created != s.address {
        checks.push(Check::fail(
            CheckCode::ContractCreationMismatch,
            format!(
                "transaction {} created {}, not {}",
                tx.hash, tx.created, s.address
            ),
            ev,
        ));
        return;
    }
    let cm = match_creation(k, &tx.init_code, &m.links);
    checks.push(code_check(
        &cm.code,
        CREATION,
        c.allow_partial,
        &format!(
            "creation input of {} ({}) vs {}",
            tx.hash,
            tx.via,
            k.qualified()
        ),
        ev.clone(),
    ));
    let Some(tail) = cm.arguments else { return };
    if cm.code.kind == MatchKind::Mismatch && canonical_arguments(k, &tail).is_err() {
        // The prefix did not match: the tail is not known to be the arguments.
        return;
    }
    let recorded = c
        .deployment
        .as_ref()
        .and_then(|(_, d)| d.arguments.as_deref());
    let a = check_arguments(k, &tail, recorded);
    let mut ev = ev;
    if let Some((path, _)) = &c.deployment {
        ev.push(EvidenceRef::new(EvidenceKind::DeploymentRecord, path));
    }
    checks.push(if a.ok {
        Check::pass(CheckCode::ContractConstructorArgsMatch, a.detail, ev)
    } else {
        Check::fail(CheckCode::ContractConstructorArgsMismatch, a.detail, ev)
    });
}

/// Check a proxy's (or clone's) implementation at `target`: its code must match one build
/// contract (`wanted`, or the only one that matches).
/// Whether the deployment record contradicts the implementation found at `target` (code of
/// `k`): the same record created `k` at other addresses only (the proxy was pointed at another
/// instance of it: a redirect or a rollback), or created another contract at `target`.
fn record_contradicts(c: &ContractCollected, target: Address, k: &BuildContract) -> Option<String> {
    let (path, d) = c.deployment.as_ref()?;
    let is_k = |n: &str| n == k.name || n == k.qualified();
    if let Some((n, _)) = d.created.iter().find(|(n, a)| *a == target && !is_k(n)) {
        return Some(format!("{path} records {n} created at {target}"));
    }
    let same: Vec<String> = d
        .created
        .iter()
        .filter(|(n, _)| is_k(n))
        .map(|(_, a)| a.to_string())
        .collect();
    if !same.is_empty() && !d.created.iter().any(|(n, a)| *a == target && is_k(n)) {
        return Some(format!(
            "{path} created {} at {} and not at {target}: the proxy points at another instance",
            k.name,
            same.join(", ")
        ));
    }
    None
}

fn implementation_checks(
    c: &ContractCollected,
    target: Address,
    wanted: Option<&str>,
    checks: &mut Vec<Check>,
) -> Option<Matched> {
    let s = &c.snapshot;
    let ev = vec![chain(s, &format!("eth_getCode {target}"))];
    let code = match &s.proxy.implementation_code {
        Some((a, code)) if *a == target => code,
        _ => {
            checks.push(Check::fail(
                CheckCode::ContractProxyImplementationMismatch,
                format!("the code of the implementation {target} was not read"),
                ev,
            ));
            return None;
        }
    };
    if code.is_empty() {
        checks.push(Check::fail(
            CheckCode::ContractProxyImplementationMismatch,
            format!("the implementation {target} holds no code"),
            ev,
        ));
        return None;
    }
    let picked = pick(c, code, target, wanted);
    let accepted = |m: &CodeMatch| {
        m.kind == MatchKind::Full || (m.kind == MatchKind::Partial && c.allow_partial)
    };
    let contradiction = match &picked {
        Ok((_, k, m)) if accepted(m) => record_contradicts(c, target, k),
        _ => None,
    };
    match picked {
        Ok((_, k, m)) if contradiction.is_some() => {
            let why = contradiction.unwrap_or_default();
            let mut ev = ev;
            if let Some((path, _)) = &c.deployment {
                ev.push(EvidenceRef::new(EvidenceKind::DeploymentRecord, path));
            }
            checks.push(Check::fail(
                CheckCode::ContractProxyImplementationMismatch,
                format!(
                    "{} delegates to {target}, whose code is {} ({}), but {why}",
                    s.address,
                    k.qualified(),
                    m.detail
                ),
                ev,
            ));
            None
        }
        Ok((bi, k, m)) if accepted(&m) => {
            let mut ev = ev;
            ev.push(build_ref(&c.builds[bi], k));
            checks.push(Check::pass(
                CheckCode::ContractProxyImplementationVerified,
                format!(
                    "{} delegates to {target}, which is {} ({})",
                    s.address,
                    k.qualified(),
                    m.detail
                ),
                ev,
            ));
            library_checks(c, &m, &c.builds[bi], k, checks);
            Some(Matched {
                build: bi,
                contract: k.qualified(),
            })
        }
        Ok((_, k, m)) => {
            checks.push(Check::fail(
                CheckCode::ContractProxyImplementationMismatch,
                format!(
                    "the implementation {target} is only a partial match of {}: {}",
                    k.qualified(),
                    m.detail
                ),
                ev,
            ));
            None
        }
        Err(why) => {
            checks.push(Check::fail(
                CheckCode::ContractProxyImplementationMismatch,
                format!("the implementation {target} matches no build: {why}"),
                ev,
            ));
            None
        }
    }
}

/// Whether any check failed (for callers that stop early).
pub fn any_failed(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.outcome == Outcome::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use provenant_contract::{Code, LinkRef, ProxySnapshot};
    use provenant_model::DigestAlgorithm;

    fn trailer(hash: u8) -> Vec<u8> {
        let mut t = vec![0xa2, 0x64];
        t.extend_from_slice(b"ipfs");
        t.extend_from_slice(&[0x58, 0x22, 0x12, 0x20]);
        t.extend_from_slice(&[hash; 32]);
        t.push(0x64);
        t.extend_from_slice(b"solc");
        t.extend_from_slice(&[0x43, 0, 8, 37]);
        let n = u16::try_from(t.len()).unwrap_or(0);
        t.extend_from_slice(&n.to_be_bytes());
        t
    }

    fn contract(name: &str, runtime: Vec<u8>, links: Vec<LinkRef>) -> BuildContract {
        BuildContract {
            source: "src/A.sol".into(),
            name: name.into(),
            abi: Default::default(),
            creation: Code::default(),
            runtime: Code {
                bytes: runtime,
                links,
            },
            immutables: vec![],
            immutables_known: true,
            compiler: Some("0.8.37+commit.f401782d".into()),
        }
    }

    fn collected(code: Vec<u8>, contracts: Vec<BuildContract>) -> ContractCollected {
        ContractCollected {
            snapshot: ChainSnapshot {
                endpoint: "http://127.0.0.1:1/".into(),
                block: "latest".into(),
                chain_id: 31337,
                address: Address::from([0x42; 20]),
                code,
                creation: None,
                library_code: vec![],
                proxy: ProxySnapshot::default(),
            },
            builds: vec![BuildFile {
                path: "out/A.json".into(),
                digest: Digest::from_bytes(DigestAlgorithm::Sha256, &[1; 32]).expect("digest"),
                format: BuildFormat::FoundryArtifact,
                contracts,
            }],
            contract: None,
            deployment: None,
            creation_tx: None,
            chain_id: None,
            allow_partial: false,
            implementation: None,
        }
    }

    fn outcome(checks: &[Check], code: CheckCode) -> Option<Outcome> {
        checks.iter().find(|c| c.code == code).map(|c| c.outcome)
    }

    fn code(body: &[u8], hash: u8) -> Vec<u8> {
        let mut c = body.to_vec();
        c.extend(trailer(hash));
        c
    }

    #[test]
    fn partial_fails_unless_allowed() {
        let mut c = collected(
            code(&[0x60, 0x80], 1),
            vec![contract("A", code(&[0x60, 0x80], 2), vec![])],
        );
        let (checks, m) = contract_checks(&c);
        assert_eq!(
            outcome(&checks, CheckCode::ContractRuntimePartialMatch),
            Some(Outcome::Fail)
        );
        assert_eq!(m.len(), 1);
        c.allow_partial = true;
        let (checks, _) = contract_checks(&c);
        assert_eq!(
            outcome(&checks, CheckCode::ContractRuntimePartialMatch),
            Some(Outcome::Warn)
        );
    }

    #[test]
    fn two_build_contracts_with_the_same_code_are_ambiguous() {
        let body = code(&[0x60, 0x80], 1);
        let c = collected(
            body.clone(),
            vec![
                contract("A", body.clone(), vec![]),
                contract("B", body, vec![]),
            ],
        );
        let (checks, m) = contract_checks(&c);
        assert_eq!(
            outcome(&checks, CheckCode::ContractRuntimeMismatch),
            Some(Outcome::Fail)
        );
        assert!(m.is_empty());
        assert!(ambiguous(&c).is_some());
    }

    #[test]
    fn a_library_linked_to_two_addresses_fails() {
        let mut runtime = vec![0x73];
        runtime.extend([0u8; 20]);
        runtime.push(0x50);
        runtime.push(0x73);
        runtime.extend([0u8; 20]);
        let links = vec![
            LinkRef {
                offset: 1,
                library: "src/L.sol:L".into(),
            },
            LinkRef {
                offset: 23,
                library: "src/L.sol:L".into(),
            },
        ];
        let mut deployed = vec![0x73];
        deployed.extend([0x11; 20]);
        deployed.push(0x50);
        deployed.push(0x73);
        deployed.extend([0x22; 20]);
        let c = collected(deployed, vec![contract("A", runtime, links)]);
        let (checks, _) = contract_checks(&c);
        assert_eq!(
            outcome(&checks, CheckCode::ContractLibraryLinksMismatch),
            Some(Outcome::Fail)
        );
    }

    /// A Foundry broadcast that created the implementation at one address, and a proxy slot
    /// pointing at another instance of the same contract (a redirect or a rollback), or at an
    /// address where the record created something else: both fail, although the code there
    /// matches a build contract.
    #[test]
    fn a_proxy_pointing_at_another_instance_than_the_record_created_fails() {
        use provenant_contract::{Deployment, DeploymentFormat};
        let proxy = code(&[0x60, 0x80], 1);
        let imp = code(&[0x60, 0x81], 2);
        let mut c = collected(
            proxy.clone(),
            vec![
                contract("P", proxy, vec![]),
                contract("I", imp.clone(), vec![]),
            ],
        );
        c.contract = Some("P".into());
        let addr = |n: u8| Address::from([n; 20]);
        let mut slot = [0u8; 32];
        slot[12..].copy_from_slice(&[7; 20]);
        c.snapshot.proxy.implementation_slot = B256::from(slot);
        c.snapshot.proxy.implementation_code = Some((addr(7), imp));
        let record = |created: Vec<(String, Address)>| {
            Some((
                "broadcast/run-latest.json".to_owned(),
                Deployment {
                    format: DeploymentFormat::FoundryBroadcast,
                    address: addr(0x42),
                    transaction: None,
                    contract_name: Some("P".into()),
                    arguments: None,
                    libraries: vec![],
                    implementation: None,
                    created,
                    chain_id: None,
                    commit: None,
                },
            ))
        };
        let verdict = |c: &ContractCollected| {
            let (checks, _) = contract_checks(c);
            (
                outcome(&checks, CheckCode::ContractProxyImplementationVerified),
                checks.iter().any(|k| {
                    k.code == CheckCode::ContractProxyImplementationMismatch
                        && k.outcome == Outcome::Fail
                }),
            )
        };
        // The record created I exactly where the slot points: verified.
        c.deployment = record(vec![("I".into(), addr(7)), ("P".into(), addr(0x42))]);
        assert_eq!(verdict(&c), (Some(Outcome::Pass), false));
        // The record created I elsewhere: another instance.
        c.deployment = record(vec![("I".into(), addr(8)), ("P".into(), addr(0x42))]);
        assert_eq!(verdict(&c), (None, true));
        // The record created something else where the slot points.
        c.deployment = record(vec![("Other".into(), addr(7)), ("P".into(), addr(0x42))]);
        assert_eq!(verdict(&c), (None, true));
        // The record says nothing about I: not contradicted.
        c.deployment = record(vec![("P".into(), addr(0x42))]);
        assert_eq!(verdict(&c), (Some(Outcome::Pass), false));
    }

    #[test]
    fn proxy_slots_that_are_no_address_or_an_unreadable_beacon_fail() {
        let body = code(&[0x60, 0x80], 1);
        let mut c = collected(body.clone(), vec![contract("A", body, vec![])]);
        c.snapshot.proxy.implementation_slot = B256::from([0xff; 32]);
        let (checks, _) = contract_checks(&c);
        assert_eq!(
            outcome(&checks, CheckCode::ContractProxyImplementationMismatch),
            Some(Outcome::Fail)
        );
        c.snapshot.proxy.implementation_slot = B256::ZERO;
        let mut beacon = [0u8; 32];
        beacon[31] = 7;
        c.snapshot.proxy.beacon_slot = B256::from(beacon);
        c.snapshot.proxy.beacon_implementation = Some(Err("execution reverted".into()));
        let (checks, _) = contract_checks(&c);
        assert_eq!(
            outcome(&checks, CheckCode::ContractProxyImplementationMismatch),
            Some(Outcome::Fail)
        );
        // Two slots naming two implementations: a contradiction, whichever is first.
        let mut a = [0u8; 32];
        a[31] = 1;
        let mut b = [0u8; 32];
        b[31] = 2;
        c.snapshot.proxy = ProxySnapshot::default();
        c.snapshot.proxy.implementation_slot = B256::from(a);
        c.snapshot.proxy.proxiable_slot = B256::from(b);
        let (checks, _) = contract_checks(&c);
        assert!(
            checks
                .iter()
                .any(|k| k.code == CheckCode::ContractProxyImplementationMismatch
                    && k.outcome == Outcome::Fail
                    && k.reason.contains("two implementations")),
            "{checks:?}"
        );
        c.snapshot.proxy.proxiable_slot = B256::ZERO;
        c.snapshot.proxy.beacon_slot = B256::from(b);
        c.snapshot.proxy.beacon_implementation = Some(Ok(B256::from(b)));
        let (checks, _) = contract_checks(&c);
        assert!(
            checks
                .iter()
                .any(|k| k.reason.contains("two implementations")),
            "{checks:?}"
        );
        // The same implementation in two slots is no contradiction.
        c.snapshot.proxy.beacon_implementation = Some(Ok(B256::from(a)));
        let (checks, _) = contract_checks(&c);
        assert!(
            !checks
                .iter()
                .any(|k| k.reason.contains("two implementations")),
            "{checks:?}"
        );
        // --implementation given for a contract with no proxy slot
        c.snapshot.proxy = ProxySnapshot::default();
        c.implementation = Some("A".into());
        let (checks, _) = contract_checks(&c);
        assert_eq!(
            outcome(&checks, CheckCode::ContractProxyImplementationMismatch),
            Some(Outcome::Fail)
        );
    }

    #[test]
    fn no_code_is_not_deployed_and_nothing_else() {
        let c = collected(vec![], vec![contract("A", code(&[0x60], 1), vec![])]);
        let (checks, m) = contract_checks(&c);
        assert_eq!(
            outcome(&checks, CheckCode::ContractNotDeployed),
            Some(Outcome::Fail)
        );
        assert!(m.is_empty());
    }
}
