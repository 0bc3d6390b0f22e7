#!/usr/bin/env bash
# Whole-process hashing: provenant vs `openssl dgst -sha256` over a 1 GiB file of random bytes.
#
#   bash bench/hash-vs-openssl.sh            # SIZE_MIB=1024 by default
#
# provenant has no hash-only command, so it runs `verify artifact BIGFILE --bundle <a real
# bundle>`: it streams the file through sha256, then fails fast (exit 1, artifact digest does
# not match the bundle's). Signature checks on a small bundle cost ~1 ms against ~0.5 s of
# hashing, so the time is the hash (bench/README.md shows the split). The file is made in a
# temp dir under /tmp and deleted on exit; a warm-up run puts it in the page cache for both.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

SIZE_MIB="${SIZE_MIB:-1024}"
WARMUP="${WARMUP:-2}"
RUNS="${RUNS:-10}"

require_corpus
require_hyperfine
command -v openssl >/dev/null || die "openssl is missing: apt-get install -y openssl"
build_provenant

TMP="$(mktemp -d /tmp/provenant-hash.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
BIG="$TMP/random.bin"
echo "writing $SIZE_MIB MiB of random bytes to $BIG" >&2
head -c "$((SIZE_MIB << 20))" /dev/urandom >"$BIG"

provenant=("$PROVENANT" verify artifact "$BIG" --bundle "$BUNDLE_MESSAGE" --certificate-identity "$SAN"
    --certificate-oidc-issuer "$ISSUER" --trusted-root "$TRUSTED_ROOT" --offline --format json)

# The expected failure, and only that one: exit 1 with the artifact's digest in the report.
expected="$(openssl dgst -sha256 -r "$BIG" | cut -d' ' -f1)"
set +e
report="$("${provenant[@]}" 2>/dev/null)"
rc=$?
set -e
[[ $rc -eq 1 ]] || die "provenant exited $rc on the big file (expected 1: digest mismatch)"
grep -q "$expected" <<<"$report" || die "provenant's report does not name sha256:$expected: it did not hash the file"

mkdir -p "$RESULTS"
# -i: provenant's exit 1 is the expected outcome here (checked above).
hyperfine -N -i --warmup "$WARMUP" --runs "$RUNS" \
    --command-name "provenant verify artifact (sha256)" "${provenant[*]}" \
    --command-name "openssl dgst -sha256" "openssl dgst -sha256 $BIG" \
    --command-name "sha256sum" "sha256sum $BIG" \
    --export-markdown "$RESULTS/hash.md" --export-json "$RESULTS/hash.json"

# OpenSSL's own single-core figure (CPU time, 1 MiB blocks, no file I/O), for the in-process bench.
speed_kbs="$(openssl speed -seconds 3 -evp sha256 -bytes 1048576 2>/dev/null | awk '/^sha256/ {sub("k", "", $2); print $2}')"

python3 - "$RESULTS/hash.json" "$((SIZE_MIB << 20))" "$(machine)" "$(openssl version)" "$speed_kbs" >"$RESULTS/hash-summary.md" <<'PY'
import json, sys
path, size, machine, openssl, speed_kbs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
results = json.load(open(path))["results"]
gbs = lambda t: size / t / 1e9
cpu = lambda r: r["user"] + r["system"]
print(f"# sha256 of {size >> 20} MiB, whole process\n")
print(f"Machine: {machine}; {openssl}\n")
print("| command | wall, mean ± σ | GB/s (wall) | CPU (user + sys) | GB/s (CPU) |")
print("| --- | --- | --- | --- | --- |")
for r in results:
    print(f"| {r['command']} | {r['mean'] * 1e3:.1f} ms ± {r['stddev'] * 1e3:.1f} | {gbs(r['mean']):.2f} "
          f"| {cpu(r) * 1e3:.1f} ms | {gbs(cpu(r)):.2f} |")
p, o = results[0], results[1]
print(f"\nprovenant / openssl: {gbs(p['mean']) / gbs(o['mean']) * 100:.0f}% of OpenSSL's throughput by wall time, "
      f"{gbs(cpu(p)) / gbs(cpu(o)) * 100:.0f}% by CPU time (goal: >= 90%)")
if speed_kbs:
    print(f"\n`openssl speed -evp sha256 -bytes 1048576` (one core, CPU time, no I/O): {float(speed_kbs) * 1e3 / 1e9:.2f} GB/s")
PY
echo
cat "$RESULTS/hash-summary.md"
