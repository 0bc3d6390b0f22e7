#!/usr/bin/env bash
# Smoke-run every fuzz target for FUZZ_SECONDS each (STYLE.md principle 8); exit non-zero if any crashes.
#
#   fuzz/smoke.sh                       # all targets, 15 s each
#   FUZZ_SECONDS=60 fuzz/smoke.sh dsse  # one target, longer
#
# Environment:
#   FUZZ_SECONDS    seconds per target (default 15)
#   FUZZ_SANITIZER  address (default) or none; passed to `cargo fuzz --sanitizer`
#   FUZZ_CORPUS     shared real-world corpus, read-only seeds (default $PROVENANT_CORPUS, else ../../shared/corpus from here)
#   FUZZ_WORK_DIR   where libFuzzer writes new inputs (default: a fresh temporary directory)
#
# cargo-fuzz needs nightly-only flags (-Zsanitizer, -Cpasses=sancov-module); RUSTC_BOOTSTRAP=1
# lets the stable compiler accept them, so no nightly toolchain is required.
# Crash reproducers are kept in fuzz/artifacts/<target>/ (git-ignored).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

seconds="${FUZZ_SECONDS:-15}"
sanitizer="${FUZZ_SANITIZER:-address}"
corpus="${FUZZ_CORPUS:-${PROVENANT_CORPUS:-$here/../../shared/corpus}}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

if [[ -n "${FUZZ_WORK_DIR:-}" ]]; then
    work="$FUZZ_WORK_DIR"
    mkdir -p "$work"
else
    work="$(mktemp -d "${TMPDIR:-/tmp}/provenant-fuzz.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
fi

# Read-only seed directories (relative to $corpus) per target; missing ones are skipped.
seeds_for() {
    case "$1" in
        strict_json)  echo "sigstore trust in-toto github-attestations sca" ;;
        strict_yaml)  echo "sbom" ;;
        bundle)       echo "sigstore github-attestations" ;;
        dsse)         echo "in-toto sigstore slsa" ;;
        statement)    echo "in-toto slsa github-attestations" ;;
        trusted_root) echo "trust sigstore/sigstore-python/trusted_root sigstore/sigstore-python/tsa sigstore/conformance" ;;
        inspect)      echo "sigstore trust in-toto github-attestations slsa" ;;
        evidence)     echo "sigstore in-toto github-attestations slsa" ;;
        sbom)         echo "sbom" ;;
        layout)       echo "in-toto/in-toto-golang" ;;
        gate)         echo "sarif sca dast" ;;
        lockfile)     echo "" ;;
        contract_build)      echo "contracts/hardhat contracts/sourcify" ;;
        contract_deployment) echo "contracts/hardhat-deploy contracts/foundry-broadcast" ;;
        contract_bytecode)   echo "" ;;
        *)            echo "" ;;
    esac
}

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

# One build for all targets, so a compile error is reported once and up front.
cargo fuzz build --sanitizer "$sanitizer"

failed=()
for target in "${targets[@]}"; do
    dirs=("$work/$target")
    mkdir -p "${dirs[0]}"
    for sub in $(seeds_for "$target"); do
        if [[ -d "$corpus/$sub" ]]; then
            dirs+=("$corpus/$sub")
        fi
    done
    echo "==> $target: ${seconds}s, seeds: ${dirs[*]:1}" >&2
    if ! cargo fuzz run --sanitizer "$sanitizer" "$target" "${dirs[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1; then
        echo "==> $target: CRASHED (reproducer in $here/artifacts/$target/)" >&2
        failed+=("$target")
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz smoke: ${#failed[@]} target(s) crashed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz smoke: ${#targets[@]} target(s) ran ${seconds}s each without a crash" >&2
