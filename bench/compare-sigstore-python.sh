#!/usr/bin/env bash
# Whole-process comparison: `provenant verify artifact` vs sigstore-python's
# `sigstore verify identity --offline`, on the same bundles, artifact and trusted root.
#
#   bash bench/compare-sigstore-python.sh
#
# Builds provenant (cargo build --release), creates bench/.venv with sigstore-python from PyPI,
# checks that both tools verify every case (exit 0), then times them with hyperfine.
# Tables go to stdout and to bench/results/ (gitignored). Offline: nothing but PyPI is reached,
# and only when the venv is first created.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# The version cases.json records as the peer that passed these cases.
SIGSTORE_PYTHON_VERSION="${SIGSTORE_PYTHON_VERSION:-4.5.1}"
VENV="$BENCH/.venv"
SIGSTORE="$VENV/bin/sigstore"
WARMUP="${WARMUP:-3}"
MIN_RUNS="${MIN_RUNS:-20}"

require_corpus
require_hyperfine
build_provenant

require_sigstore_python

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# sigstore-python takes a ClientTrustConfig: the same trusted root, wrapped with a signing
# config (which offline verification never uses, but the format requires).
python3 - "$TRUSTED_ROOT" "$SIGNING_CONFIG" "$TMP/trust_config.json" <<'PY'
import json, sys
root, signing, out = sys.argv[1:]
with open(root) as r, open(signing) as s, open(out, "w") as o:
    json.dump({
        "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
        "trustedRoot": json.load(r),
        "signingConfig": json.load(s),
    }, o)
PY

provenant_cmd() {
    echo "$PROVENANT verify artifact $ARTIFACT --bundle $1 --certificate-identity $SAN --certificate-oidc-issuer $ISSUER --trusted-root $TRUSTED_ROOT --offline"
}
sigstore_cmd() {
    echo "$SIGSTORE --trust-config $TMP/trust_config.json verify identity --offline --bundle $1 --cert-identity $SAN --cert-oidc-issuer $ISSUER $ARTIFACT"
}

mkdir -p "$RESULTS"
SUMMARY="$RESULTS/compare-sigstore-python.md"
{
    echo "# provenant vs sigstore-python $SIGSTORE_PYTHON_VERSION, whole process"
    echo
    echo "Machine: $(machine)"
    echo
    echo "Wall time is mean ± σ; CPU is user + system (mean), which waiting for a busy core does not inflate."
    echo
    echo "| case | provenant wall | sigstore-python wall | ratio (wall) | provenant CPU | sigstore-python CPU | ratio (CPU) |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
} >"$SUMMARY"

for case in message-signature:"$BUNDLE_MESSAGE" dsse:"$BUNDLE_DSSE"; do
    name="${case%%:*}"
    bundle="${case#*:}"
    p="$(provenant_cmd "$bundle")"
    s="$(sigstore_cmd "$bundle")"
    # Time only verifications that succeed: a fast failure would flatter either tool.
    $p >/dev/null || die "provenant did not verify $bundle"
    $s >/dev/null 2>&1 || die "sigstore-python did not verify $bundle"
    echo "== $name: both tools verify $bundle =="
    hyperfine -N --warmup "$WARMUP" --min-runs "$MIN_RUNS" \
        --command-name "provenant ($name)" "$p" \
        --command-name "sigstore-python ($name)" "$s" \
        --export-markdown "$RESULTS/compare-$name.md" --export-json "$RESULTS/compare-$name.json"
    python3 - "$RESULTS/compare-$name.json" "$name" >>"$SUMMARY" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
p, s = results
wall = lambda r: f"{r['mean'] * 1e3:.2f} ms ± {r['stddev'] * 1e3:.2f}"
cpu = lambda r: r["user"] + r["system"]
print(f"| {sys.argv[2]} | {wall(p)} | {wall(s)} | {s['mean'] / p['mean']:.0f}x "
      f"| {cpu(p) * 1e3:.2f} ms | {cpu(s) * 1e3:.2f} ms | {cpu(s) / cpu(p):.0f}x |")
PY
done

# Where the time goes: the fixed cost of starting each tool, with no verification at all.
echo "== start-up baselines =="
hyperfine -N --warmup "$WARMUP" --min-runs "$MIN_RUNS" \
    --command-name "provenant --version" "$PROVENANT --version" \
    --command-name "python: import sigstore.verify" "$VENV/bin/python -c 'import sigstore.verify'" \
    --export-markdown "$RESULTS/compare-startup.md" --export-json "$RESULTS/compare-startup.json"
python3 - "$RESULTS/compare-startup.json" >>"$SUMMARY" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
print()
print("| start-up baseline | wall | CPU |")
print("| --- | --- | --- |")
for r in results:
    print(f"| {r['command']} | {r['mean'] * 1e3:.2f} ms ± {r['stddev'] * 1e3:.2f} | {(r['user'] + r['system']) * 1e3:.2f} ms |")
PY

echo
cat "$SUMMARY"
