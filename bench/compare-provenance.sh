#!/usr/bin/env bash
# Whole-process provenance verification of a release artifact: `provenant verify artifact
# --provenance` (signature, identity AND the SLSA source/builder/commit policy) vs sigstore-python's
# `sigstore verify identity --offline` (signature and identity only), on the same attestation
# bundle, digest and trusted root.
#
#   bash bench/compare-provenance.sh
#
# The case: slsa-github-generator v2.1.0's real provenance for slsa-framework/example-package
# v13.0.30 (corpus slsa/slsa-verifier/gha_generic/v2.1.0/, read in place, never copied): a
# one-line JSON-lines file holding a Sigstore bundle v0.3 with a DSSE envelope of an in-toto
# Statement v0.1 / SLSA provenance v0.2. The artifact itself is not in the corpus, so both tools
# verify its digest (sha256:HEX); if the file is ever added beside the bundle, it is hashed instead.
#
# provenant is timed twice: with the provenance policy (--provenance plus --source-uri,
# --source-tag, --builder-id, --commit) and with the signature flags only (--bundle plus
# --certificate-identity and --certificate-oidc-issuer, what sigstore-python checks), so the cost
# of the policy layer shows; as that cost is below the noise of a busy machine, the two also run
# as interleaved pairs (PAIRS, default 1000) and their CPU times are compared pair by pair.
#
# sigstore-python 4.5.1 refuses this bundle: after verifying the signature, certificate, SCT and
# Rekor entry it parses the DSSE payload with a model that accepts only in-toto Statement v1, and
# fails with "malformed in-toto statement" (exit 1). The script checks that it still does, then
# times the closest equivalent: the same CLI (sigstore._cli.main, same arguments) with that one
# literal widened to also accept https://in-toto.io/Statement/v0.1 (a 10-line shim written to the
# temp dir). Every check of the CLI, the subject-digest match included, still runs. Should a later
# sigstore-python accept v0.1 itself, the unmodified CLI is timed instead.
#
# Builds provenant (cargo build --release), creates bench/.venv with sigstore-python from PyPI if
# needed (as compare-sigstore-python.sh does), checks that every timed command exits 0 and that a
# wrong commit / wrong digest makes each tool exit 1, then times them with hyperfine. Tables go to
# stdout and to bench/results/ (gitignored). Offline: nothing but PyPI is reached, and only when
# the venv is first created.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

SIGSTORE_PYTHON_VERSION="${SIGSTORE_PYTHON_VERSION:-4.5.1}"
VENV="$BENCH/.venv"
SIGSTORE="$VENV/bin/sigstore"
WARMUP="${WARMUP:-3}"
MIN_RUNS="${MIN_RUNS:-20}"
PAIRS="${PAIRS:-1000}"

# The corpus case (slsa-verifier's own test data for the generic generator, v2.1.0).
PROV_DIR="$CORPUS/slsa/slsa-verifier/gha_generic/v2.1.0"
PROV_BUNDLE="$PROV_DIR/binary-linux-amd64-push-v13.0.30.intoto.jsonl"
PROV_ARTIFACT="$PROV_DIR/binary-linux-amd64-push-v13.0.30"
PROV_DIGEST="sha256:376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa"
PROV_SOURCE_URI="github.com/slsa-framework/example-package"
PROV_SOURCE_TAG="v13.0.30"
PROV_COMMIT="4d329c75e7ec1725f7c9ce917a8799d408d06be3"
PROV_BUILDER="https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"
PROV_SAN="$PROV_BUILDER@refs/tags/v2.1.0"
# A commit and a digest that differ from the real ones in their first hex digit.
WRONG_COMMIT="5${PROV_COMMIT:1}"
WRONG_DIGEST="sha256:4${PROV_DIGEST:8}"

require_corpus
[[ -f "$PROV_BUNDLE" ]] || die "no provenance bundle at $PROV_BUNDLE"
require_hyperfine
build_provenant

require_sigstore_python

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# The artifact: the file when the corpus has it, else its digest (both tools take sha256:HEX).
if [[ -f "$PROV_ARTIFACT" ]]; then
    [[ "sha256:$(sha256sum "$PROV_ARTIFACT" | cut -d' ' -f1)" == "$PROV_DIGEST" ]] ||
        die "$PROV_ARTIFACT does not have digest $PROV_DIGEST"
    INPUT_KIND="file"
    P_INPUT="$PROV_ARTIFACT"
    S_INPUT="$PROV_ARTIFACT"
else
    INPUT_KIND="digest"
    P_INPUT="--digest $PROV_DIGEST"
    S_INPUT="$PROV_DIGEST"
fi

# sigstore-python reads one bundle per JSON file: the JSON-lines file's single line, in the temp dir.
python3 - "$PROV_BUNDLE" "$TMP/bundle.json" <<'PY'
import json, sys
src, out = sys.argv[1:]
lines = [l for l in open(src).read().splitlines() if l.strip()]
if len(lines) != 1:
    sys.exit(f"{src}: expected one JSON line, found {len(lines)}")
json.loads(lines[0])
with open(out, "w") as o:
    o.write(lines[0])
PY

# The same ClientTrustConfig as compare-sigstore-python.sh: the trusted root plus a signing config
# (unused offline, required by the format).
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

# sigstore-python's own CLI, with its in-toto statement model also accepting Statement v0.1.
cat >"$TMP/sigstore_statement_v01.py" <<'PY'
import sys
from typing import Literal

from pydantic import Field

import sigstore.dsse as dsse


class _Statement(dsse._Statement):
    type_: Literal["https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1"] = Field(..., alias="_type")


dsse._Statement = _Statement
from sigstore._cli import main  # noqa: E402

sys.exit(main())
PY

provenant_policy_cmd() { # $1: commit
    echo "$PROVENANT verify artifact $P_INPUT --provenance $PROV_BUNDLE --source-uri $PROV_SOURCE_URI --source-tag $PROV_SOURCE_TAG --builder-id $PROV_BUILDER --commit $1 --certificate-oidc-issuer $ISSUER --trusted-root $TRUSTED_ROOT --offline"
}
provenant_sig_cmd() {
    echo "$PROVENANT verify artifact $P_INPUT --bundle $PROV_BUNDLE --certificate-identity $PROV_SAN --certificate-oidc-issuer $ISSUER --trusted-root $TRUSTED_ROOT --offline"
}
sigstore_args() { # $1: input (file or digest)
    echo "--trust-config $TMP/trust_config.json verify identity --offline --bundle $TMP/bundle.json --cert-identity $PROV_SAN --cert-oidc-issuer $ISSUER $1"
}

P_POLICY="$(provenant_policy_cmd "$PROV_COMMIT")"
P_SIG="$(provenant_sig_cmd)"
S_STOCK="$SIGSTORE $(sigstore_args "$S_INPUT")"
S_SHIM="$VENV/bin/python $TMP/sigstore_statement_v01.py $(sigstore_args "$S_INPUT")"

# Time only verifications that succeed: a fast failure would flatter either tool.
$P_POLICY >/dev/null || die "provenant (provenance policy) did not verify $PROV_BUNDLE"
$P_SIG >/dev/null || die "provenant (signature only) did not verify $PROV_BUNDLE"
# ...and make sure the checks bite: a wrong commit, a wrong digest must fail (exit 1).
rc=0; $(provenant_policy_cmd "$WRONG_COMMIT") >/dev/null || rc=$?
[[ $rc -eq 1 ]] || die "provenant accepted commit $WRONG_COMMIT (exit $rc)"

if $S_STOCK >/dev/null 2>"$TMP/stock.err"; then
    S_NAME="sigstore-python"
    S_CMD="$S_STOCK"
    S_NOTE="the unmodified sigstore-python CLI verifies this bundle"
    STOCK_FAILS=0
else
    grep -q "malformed in-toto statement" "$TMP/stock.err" ||
        { cat "$TMP/stock.err" >&2; die "sigstore-python failed on $PROV_BUNDLE for another reason than the Statement v0.1 model"; }
    S_NAME="sigstore-python (Statement v0.1 shim)"
    S_CMD="$S_SHIM"
    S_NOTE="the unmodified sigstore-python CLI rejects the in-toto Statement v0.1 (\"malformed in-toto statement\", exit 1) after its signature checks; timed: the same CLI with that literal widened"
    STOCK_FAILS=1
    $S_CMD >/dev/null 2>&1 || die "sigstore-python (shim) did not verify $PROV_BUNDLE"
fi
rc=0; $VENV/bin/python "$TMP/sigstore_statement_v01.py" $(sigstore_args "$WRONG_DIGEST") >/dev/null 2>&1 || rc=$?
[[ $rc -eq 1 ]] || die "sigstore-python accepted digest $WRONG_DIGEST (exit $rc)"
echo "== both tools verify $PROV_BUNDLE ($INPUT_KIND); a wrong commit / digest fails =="
echo "note: $S_NOTE"

mkdir -p "$RESULTS"
hyperfine -N --warmup "$WARMUP" --min-runs "$MIN_RUNS" \
    --command-name "provenant (provenance policy)" "$P_POLICY" \
    --command-name "provenant (signature only)" "$P_SIG" \
    --command-name "$S_NAME" "$S_CMD" \
    --export-markdown "$RESULTS/provenance.md" --export-json "$RESULTS/provenance.json"

# The policy layer costs less than the run-to-run noise of a busy machine, so measure it paired:
# the two provenant commands alternate (A B, B A, ...) and each run's CPU time (user + system, from
# wait4) is compared with its partner's, which cancels drift in the machine's load.
echo "== provenance policy layer: $PAIRS interleaved pairs =="
python3 - "$PAIRS" "$P_POLICY" "$P_SIG" >"$RESULTS/provenance-policy-layer.txt" <<'PY'
import os, shlex, statistics, sys, time
pairs, cmds = int(sys.argv[1]), [shlex.split(c) for c in sys.argv[2:4]]
actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
           (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
cpu, wall = ([], []), ([], [])
for i in range(pairs):
    for k in ((0, 1) if i % 2 == 0 else (1, 0)):
        t = time.perf_counter()
        pid = os.posix_spawn(cmds[k][0], cmds[k], os.environ, file_actions=actions)
        _, status, ru = os.wait4(pid, 0)
        wall[k].append(time.perf_counter() - t)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"exit {os.waitstatus_to_exitcode(status)}: {cmds[k]}")
        cpu[k].append(ru.ru_utime + ru.ru_stime)
d = [a - b for a, b in zip(*cpu)]
ms = lambda x: f"{x * 1e3:.3f} ms"
print(f"{pairs} pairs; CPU = user + system per process (wait4); wall includes the spawn")
for name, k in (("provenance policy", 0), ("signature only", 1)):
    print(f"  {name:18} CPU mean {ms(statistics.mean(cpu[k]))}, median {ms(statistics.median(cpu[k]))}; "
          f"wall median {ms(statistics.median(wall[k]))}")
print(f"  policy - signature-only, paired CPU difference: mean {ms(statistics.mean(d))} "
      f"± {ms(statistics.stdev(d) / len(d) ** 0.5)} (standard error), median {ms(statistics.median(d))}")
PY
cat "$RESULTS/provenance-policy-layer.txt"

# For reference: the unmodified CLI's failing run (it fails after every signature check, on the
# statement model), and the two tools' start-up alone.
EXTRA=(--command-name "provenant --version" "$PROVENANT --version"
       --command-name "sigstore --version (CLI start-up)" "$SIGSTORE --version")
if [[ $STOCK_FAILS -eq 1 ]]; then
    EXTRA+=(--command-name "sigstore-python, unmodified (exit 1: Statement v0.1)" "$S_STOCK")
fi
echo "== reference: start-up, unmodified sigstore-python =="
hyperfine -N -i --warmup "$WARMUP" --min-runs "$MIN_RUNS" "${EXTRA[@]}" \
    --export-markdown "$RESULTS/provenance-reference.md" --export-json "$RESULTS/provenance-reference.json"

SUMMARY="$RESULTS/provenance-summary.md"
{
    echo "# Provenance verification, whole process: provenant vs sigstore-python $SIGSTORE_PYTHON_VERSION"
    echo
    echo "Machine: $(machine)"
    echo
    echo "Case: $PROV_BUNDLE, artifact by $INPUT_KIND ($PROV_DIGEST). Note: $S_NOTE."
    echo
    echo "Wall time is mean ± σ; CPU is user + system (mean), which waiting for a busy core does not inflate."
    echo "Ratios are sigstore-python's time over the row's."
    echo
} >"$SUMMARY"
python3 - "$RESULTS/provenance.json" "$RESULTS/provenance-reference.json" "$RESULTS/provenance-policy-layer.txt" >>"$SUMMARY" <<'PY'
import json, sys
main = json.load(open(sys.argv[1]))["results"]
ref = json.load(open(sys.argv[2]))["results"]
wall = lambda r: f"{r['mean'] * 1e3:.2f} ms ± {r['stddev'] * 1e3:.2f}"
cpu = lambda r: r["user"] + r["system"]
s = main[2]
print("| command | runs | wall | CPU | sigstore-python / this (wall) | (CPU) |")
print("| --- | --- | --- | --- | --- | --- |")
for r in main:
    print(f"| {r['command']} | {len(r['times'])} | {wall(r)} | {cpu(r) * 1e3:.2f} ms "
          f"| {s['mean'] / r['mean']:.0f}x | {cpu(s) / cpu(r):.0f}x |")
policy, sig = main[0], main[1]
print()
print(f"Provenance policy layer (policy row minus signature-only row): "
      f"{(policy['mean'] - sig['mean']) * 1e3:+.2f} ms wall, {(cpu(policy) - cpu(sig)) * 1e3:+.2f} ms CPU; paired:")
print()
print("```")
print(open(sys.argv[3]).read().rstrip())
print("```")
print()
print("| reference | runs | wall | CPU |")
print("| --- | --- | --- | --- |")
for r in ref:
    print(f"| {r['command']} | {len(r['times'])} | {wall(r)} | {cpu(r) * 1e3:.2f} ms |")
PY

echo
cat "$SUMMARY"
