#!/usr/bin/env bash
# Large-SBOM validation, whole process: `provenant sbom check` vs the CycloneDX Python library
# (cyclonedx-python-lib's JsonStrictValidator, the same official 1.6 JSON schema), on a synthetic
# 100,000-component CycloneDX 1.6 JSON SBOM (bench/gen-cyclonedx.py; about 64 MB).
#
#   bash bench/compare-sbom.sh            # N=100000
#   N=20000 bash bench/compare-sbom.sh
#
# Both must accept the document (exit 0 / no errors) before timing, and both must reject a copy
# with one component's type made invalid. provenant does more than the peer (it also normalises
# every component and computes binding / NTIA / coverage checks); the peer only validates.
# Peak memory (max RSS) of each comes from /usr/bin/time -v or GNU time's %M.
# Builds provenant; creates bench/.venv-sbom with cyclonedx-python-lib[json-validation] from PyPI
# the first time. Raw results go to bench/results/ (gitignored).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# The peer needs minutes per run at 100,000 components (python-jsonschema checks uniqueItems pairwise),
# so both tools are timed at N (default 10,000) and provenant alone also at BIG (default 100,000).
N="${N:-10000}"
BIG="${BIG:-100000}"
CDX_VERSION="${CDX_VERSION:-11.12.0}"
VENV="$BENCH/.venv-sbom"
WARMUP="${WARMUP:-1}"
MIN_RUNS="${MIN_RUNS:-5}"
mkdir -p "$RESULTS"
require_hyperfine
build_provenant
if ! "$VENV/bin/python" -c "import cyclonedx, jsonschema" 2>/dev/null; then
    echo "creating $VENV with cyclonedx-python-lib[json-validation]==$CDX_VERSION" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "cyclonedx-python-lib[json-validation]==$CDX_VERSION"
fi

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
sbom="$tmp/cdx-$N.json"; bad="$tmp/cdx-$N-bad.json"
python3 "$BENCH/gen-cyclonedx.py" "$N" "$sbom"
python3 - "$sbom" "$bad" <<'PY'
import sys
s = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(s.replace('"type":"library"', '"type":"not-a-type"', 1))
PY
cat > "$tmp/peer.py" <<'PY'
import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())
sys.exit(1 if errors else 0)
PY
peer=("$VENV/bin/python" "$tmp/peer.py")
size=$(stat -c %s "$sbom")

"$PROVENANT" sbom check "$sbom" >/dev/null || die "provenant rejects the generated SBOM"
"${peer[@]}" "$sbom" || die "the peer rejects the generated SBOM"
if "$PROVENANT" sbom check "$bad" >/dev/null; then die "provenant accepts the broken SBOM"; fi
if "${peer[@]}" "$bad"; then die "the peer accepts the broken SBOM"; fi

rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
p_rss=$(rss "$PROVENANT" sbom check "$sbom")
c_rss=$(rss "${peer[@]}" "$sbom")

hyperfine -N --warmup "$WARMUP" --min-runs "$MIN_RUNS" \
    --export-json "$RESULTS/sbom.json" --export-markdown "$RESULTS/sbom.md" \
    -n provenant "$PROVENANT sbom check $sbom" \
    -n cyclonedx-python-lib "${peer[*]} $sbom"
p=$(hyperfine_mean "$RESULTS/sbom.json" 0); c=$(hyperfine_mean "$RESULTS/sbom.json" 1)
big="$tmp/cdx-$BIG.json"
python3 "$BENCH/gen-cyclonedx.py" "$BIG" "$big"
big_size=$(stat -c %s "$big")
big_rss=$(rss "$PROVENANT" sbom check "$big")
hyperfine -N --warmup 1 --min-runs 5 --export-json "$RESULTS/sbom-big.json" \
    -n "provenant $BIG" "$PROVENANT sbom check $big"
pb=$(hyperfine_mean "$RESULTS/sbom-big.json" 0)
big_cpu=$( { /usr/bin/time -f "%U %S" "$PROVENANT" sbom check "$big" >/dev/null; } 2>&1 | tail -1)
{
    echo "# SBOM validation, $N components, $size bytes ($(machine))"
    python3 - "$p" "$c" "$p_rss" "$c_rss" "$size" "$pb" "$big_rss" "$big_size" "$BIG" "$big_cpu" <<'PY'
import sys
p, c, pr, cr, size = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
pb, brss, bsize, bign, bcpu = float(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), sys.argv[9], sys.argv[10]
print("| tool | wall (mean) | peak RSS | RSS / file |\n| --- | --- | --- | --- |")
print(f"| provenant sbom check | {p*1000:.0f} ms | {pr/1024:.0f} MiB | {pr*1024/size:.2f}x |")
print(f"| cyclonedx-python-lib JsonStrictValidator | {c*1000:.0f} ms | {cr/1024:.0f} MiB | {cr*1024/size:.2f}x |")
print(f"\nprovenant is {c/p:.1f}x faster")
u, sy = (float(x) for x in bcpu.split())
print(f"\nprovenant alone, {bign} components, {bsize} bytes: {pb*1000:.0f} ms wall, {(u+sy)*1000:.0f} ms CPU (user+sys), peak RSS {brss/1024:.0f} MiB = {brss*1024/bsize:.2f}x the file")
PY
} | tee "$RESULTS/sbom-summary.md"
