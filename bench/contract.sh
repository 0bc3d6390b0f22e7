#!/usr/bin/env bash
# `provenant verify contract` against a local chain: anvil (tools/chain) on 127.0.0.1, the test
# contracts compiled by solc-js, 100 contracts deployed (plain, immutables, constructor
# arguments, linked library, EIP-1967 proxy: 20 of each), then each verified against the
# Foundry build with its creation transaction, one process per contract, sequentially.
# Usage: bench/contract.sh [path/to/provenant]   (default: target/release/provenant, else debug)
# Needs: node, `npm ci --prefix tools/chain`, python3, curl.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-}"
if [ -z "$bin" ]; then
  if [ -x "$here/target/release/provenant" ]; then bin="$here/target/release/provenant"
  else bin="$here/target/debug/provenant"; fi
fi
anvil="$here/tools/chain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
[ -x "$anvil" ] || { echo "anvil missing: npm ci --prefix tools/chain" >&2; exit 1; }
work="$(mktemp -d)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$anvil" --host 127.0.0.1 --port "$port" --silent >/dev/null 2>&1 &
anvil_pid=$!
trap 'kill $anvil_pid 2>/dev/null; rm -rf "$work"' EXIT
node "$here/tools/chain/build.mjs" "$here/testdata/contracts" "$work/build"
rpc="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -sf -X POST -H 'content-type: application/json' \
  --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$rpc" >/dev/null && break; sleep 0.1; done
# Deploy: python speaks JSON-RPC; writes address,tx lines.
python3 - "$rpc" "$work/build/foundry/out" "$work/deployed.csv" <<'PY'
import json, sys, urllib.request, time
rpc, out, dest = sys.argv[1:]
def call(m, p):
    r = urllib.request.urlopen(urllib.request.Request(rpc, json.dumps({"jsonrpc":"2.0","id":1,"method":m,"params":p}).encode(), {"content-type":"application/json"}))
    v = json.load(r)
    if "error" in v: raise SystemExit(f"{m}: {v['error']}")
    return v["result"]
def art(f, n): return json.load(open(f"{out}/{f}/{n}.json"))
def deploy(code):
    tx = call("eth_sendTransaction", [{"from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","data":code,"gas":"0x1c9c380"}])
    for _ in range(200):
        r = call("eth_getTransactionReceipt", [tx])
        if r: return tx, r["contractAddress"]
        time.sleep(0.01)
    raise SystemExit("not mined")
word = lambda n: f"{n:064x}"
addr_word = lambda a: a[2:].lower().rjust(64, "0")
lib_tx, lib = deploy(art("Linked.sol", "MathLib")["bytecode"]["object"])
_, logic = deploy(art("Proxies.sol", "Logic")["bytecode"]["object"])
import re
rows = []
for i in range(20):
    rows.append(deploy(art("Plain.sol", "Plain")["bytecode"]["object"]))
    rows.append(deploy(art("WithImmutables.sol", "WithImmutables")["bytecode"]["object"] + word(i + 1)))
    # WithArgs(string "bench", uint i, address 0xaa)
    s = "bench".encode().hex()
    args = word(0x60) + word(i) + word(0xaa) + word(5) + s.ljust(64, "0")
    rows.append(deploy(art("WithArgs.sol", "WithArgs")["bytecode"]["object"] + args))
    rows.append(deploy(re.sub(r"__\$[0-9a-f]{34}\$__", lib[2:].lower(), art("Linked.sol", "UsesLib")["bytecode"]["object"])))
    rows.append(deploy(art("Proxies.sol", "Proxy1967")["bytecode"]["object"] + addr_word(logic) + addr_word("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")))
with open(dest, "w") as f:
    for tx, a in rows: f.write(f"{a},{tx}\n")
PY
n=$(wc -l < "$work/deployed.csv")
echo "binary: $bin; cores: $(nproc); contracts: $n"
start=$(date +%s.%N)
fails=0
while IFS=, read -r addr tx; do
  if ! "$bin" verify contract --rpc "$rpc" --address "$addr" --creation-tx "$tx" \
      --build "$work/build/foundry/out" --chain-id 31337 --format json -o /dev/null >/dev/null; then
    fails=$((fails + 1)); echo "FAILED: $addr" >&2
  fi
done < "$work/deployed.csv"
end=$(date +%s.%N)
python3 -c "t=$end-$start; print(f'verified $n contracts in {t:.2f} s ({1000*t/$n:.0f} ms each, sequential, one process each); failures: $fails')"
[ "$fails" -eq 0 ]
