#!/usr/bin/env bash
# Image verification from a local registry, whole process: `provenant verify image` on images
# that each carry a key-signed cosign signature (.sig), a key-signed SLSA provenance attestation
# (.att) and an attached CycloneDX SBOM (.sbom), in the CNCF distribution registry (Debian's
# docker-registry 2.8) on 127.0.0.1. Measures one cold verification (a new process, a new
# connection, a token-less registry) with hyperfine, then throughput over N images: sequentially
# and with P processes at once (images per second).
#
#   bash bench/image.sh            # N=200 images, P=8
#   N=1000 P=16 bash bench/image.sh
#
# No peer is timed: cosign is not in Debian or on PyPI/npm here and Go modules are not reachable
# (bench/README.md §6). Raw results go to bench/results/ (gitignored).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
N="${N:-200}"
P="${P:-8}"
mkdir -p "$RESULTS"
require_hyperfine
command -v docker-registry >/dev/null || die "docker-registry is missing: apt-get install -y docker-registry"
build_provenant
(cd "$ROOT" && cargo build --release --quiet -p provenant-testkit --bin push-images)

WORK="$(mktemp -d)"
trap 'kill "$REG_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
HOST="127.0.0.1:$PORT"
cat >"$WORK/config.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $WORK/data}}
http: {addr: $HOST}
YML
docker-registry serve "$WORK/config.yml" >/dev/null 2>&1 &
REG_PID=$!
for _ in $(seq 100); do curl -fs "http://$HOST/v2/" >/dev/null && break; sleep 0.1; done
"$ROOT/target/release/push-images" "$HOST" "$N" "$WORK/out"
KEY="$WORK/out/cosign.pub"
FIRST="$(head -1 "$WORK/out/refs.txt")"
VERIFY=("$PROVENANT" verify image --key "$KEY" --registry-config none)
"${VERIFY[@]}" "$FIRST" >/dev/null || die "verification of $FIRST failed"

hyperfine --warmup 3 --min-runs 30 --export-json "$RESULTS/image-single.json" \
    --export-markdown "$RESULTS/image-single.md" \
    -n "provenant verify image (sig + att + sbom)" "${VERIFY[*]} $FIRST"

seq_start=$(date +%s.%N)
while read -r ref; do "${VERIFY[@]}" "$ref" >/dev/null || die "failed: $ref"; done <"$WORK/out/refs.txt"
seq_end=$(date +%s.%N)
par_start=$(date +%s.%N)
xargs -P "$P" -I{} sh -c '"$@" {} >/dev/null || { echo "failed: {}" >&2; exit 255; }' _ "${VERIFY[@]}" <"$WORK/out/refs.txt"
par_end=$(date +%s.%N)
python3 - "$N" "$P" "$seq_start" "$seq_end" "$par_start" "$par_end" <<'PY' | tee "$RESULTS/image-throughput.md"
import sys
n, p = int(sys.argv[1]), int(sys.argv[2])
seq = float(sys.argv[4]) - float(sys.argv[3])
par = float(sys.argv[6]) - float(sys.argv[5])
print(f"| run | images | wall (s) | images/s |")
print(f"|---|---:|---:|---:|")
print(f"| sequential | {n} | {seq:.2f} | {n/seq:.1f} |")
print(f"| {p} processes at once | {n} | {par:.2f} | {n/par:.1f} |")
PY
