# Sourced by the bench/ scripts (not run): paths, the corpus inputs, tool set-up.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
RESULTS="$BENCH/results"
CORPUS="${PROVENANT_CORPUS:-$ROOT/../shared/corpus}"
# PROVENANT_BIN times a binary already built (no cargo build): e.g. one kept from an earlier commit.
PROVENANT="${PROVENANT_BIN:-$ROOT/target/release/provenant}"

# The inputs of corpus cases sigstore-conformance/happy-path-v0.3 and
# sigstore-conformance/happy-path-intoto-in-dsse-v3 (cases.json), read in place, never copied.
TRUSTED_ROOT="$CORPUS/trust/sigstore-public-good/trusted_root.json"
SIGNING_CONFIG="$CORPUS/trust/sigstore-public-good/signing_config.v0.2.json"
ARTIFACT="$CORPUS/sigstore/conformance/a.txt"
BUNDLE_MESSAGE="$CORPUS/sigstore/conformance/happy-path-v0.3/bundle.sigstore.json"
BUNDLE_DSSE="$CORPUS/sigstore/conformance/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"
SAN="https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
ISSUER="https://token.actions.githubusercontent.com"

die() {
    echo "error: $*" >&2
    exit 2
}

require_corpus() {
    [[ -f "$TRUSTED_ROOT" ]] || die "no corpus at $CORPUS (set PROVENANT_CORPUS to its path)"
}

# hyperfine is a Debian package; install it when we can (root with apt-get), else say how.
require_hyperfine() {
    command -v hyperfine >/dev/null && return
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "installing hyperfine (apt-get)" >&2
        apt-get install -y hyperfine >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y hyperfine >/dev/null; }
    fi
    command -v hyperfine >/dev/null || die "hyperfine is missing: apt-get install -y hyperfine"
}

build_provenant() {
    [[ -n "${PROVENANT_BIN:-}" ]] || (cd "$ROOT" && cargo build --release --quiet)
    [[ -x "$PROVENANT" ]] || die "cargo build --release did not produce $PROVENANT"
}

# One line describing the machine, for the results files.
machine() {
    local cpu
    cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "$(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# The mean of command N (0-based) in a hyperfine JSON export, in seconds.
hyperfine_mean() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["mean"])' "$1" "$2"
}

# sigstore-python, pinned to the version cases.json records as the peer, in bench/.venv.
require_sigstore_python() {
    if ! "$SIGSTORE" --version 2>/dev/null | grep -qx "sigstore $SIGSTORE_PYTHON_VERSION"; then
        echo "creating $VENV with sigstore==$SIGSTORE_PYTHON_VERSION" >&2
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check "sigstore==$SIGSTORE_PYTHON_VERSION"
    fi
}
