#!/usr/bin/env bash
# `provenant audit run` end to end: a population of 10,000 releases built from testdata/ (every
# row the signed test artifact with its bundle; one in ten with the in-toto bundle and the
# expected commit), a sample of 200 verified against the test trusted root, then `audit
# replay` of the pack. Timed with hyperfine when present, else with `time`.
# Usage: bench/audit.sh [path/to/provenant]   (default: target/release/provenant, else debug)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-}"
[ -n "$bin" ] && bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
if [ -z "$bin" ]; then
  if [ -x "$here/target/release/provenant" ] && "$here/target/release/provenant" audit run --help >/dev/null 2>&1; then bin="$here/target/release/provenant"
  else bin="$here/target/debug/provenant"; fi
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/testdata/release/hello-provenant.txt" "$work/hello.txt"
cp "$here/testdata/release/hello-provenant.txt.sigstore.json" "$work/hello.sigstore.json"
cp "$here/testdata/release/hello-provenant.intoto.sigstore.json" "$work/hello.intoto.sigstore.json"
cp "$here/testdata/trust/trusted_root.json" "$work/trusted_root.json"
cat > "$work/policy.yaml" <<'YAML'
apiVersion: provenant.dev/v1
signers:
  - issuer: https://token.actions.githubusercontent.com
    identity: https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0
YAML
python3 - "$work/pop.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("id,subject,bundle,commit,team\n")
    for i in range(10000):
        if i % 10 == 0:
            f.write(f"rel-{i:05d},hello.txt,hello.intoto.sigstore.json,5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5,t{i % 7}\n")
        else:
            f.write(f"rel-{i:05d},hello.txt,hello.sigstore.json,,t{i % 7}\n")
PY
cd "$work"
run_cmd="rm -rf pack && $bin audit run --population pop.csv --seed bench --size 200 --policy policy.yaml --trusted-root trusted_root.json --effective-time 2025-07-01T00:00:00Z --out pack"
replay_cmd="$bin audit replay pack"
echo "binary: $bin; cores: $(nproc)"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs 5 "$run_cmd"
  eval "$run_cmd" >/dev/null
  hyperfine --warmup 1 --runs 5 "$replay_cmd"
else
  echo "audit run (10,000 rows, sample 200):"; time (eval "$run_cmd")
  echo "audit replay of the pack:"; time (eval "$replay_cmd")
fi
