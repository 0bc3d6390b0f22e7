#!/usr/bin/env bash
# The provenant GitHub Action (action.yml) runs this script; it runs locally the same way.
#
#   INPUT_SUBJECT=testdata/release/hello-provenant.txt \
#   INPUT_TRUSTED_ROOT=testdata/trust/trusted_root.json \
#   INPUT_EXPECTED_COMMIT=5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5 \
#   INPUT_CERTIFICATE_IDENTITY=https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0 \
#   INPUT_PROVENANT_PATH=target/release/provenant scripts/action/entry.sh
#
# Inputs are INPUT_<NAME> variables, one per action.yml input (upper case, '-' -> '_'). From the
# runner: GITHUB_OUTPUT and GITHUB_STEP_SUMMARY (written when set, else outputs go to stdout),
# GITHUB_SHA with GITHUB_EVENT_NAME (the expected commit of a push event only), RUNNER_TEMP,
# RUNNER_OS, RUNNER_ARCH, GITHUB_ACTION_PATH and GITHUB_REPOSITORY (where to download provenant
# from), GH_TOKEN (for gh attestation verify of a downloaded release).
#
# Exit: 0 on a pass verdict (or a failed one with INPUT_FAIL_ON_FAILURE=false); 1 on a failed
# verdict; provenant's own 2 (bad usage, unreadable input) or 3 (source unreachable), whatever
# fail-on-failure says; 2 for a bad input or a report that cannot be read; 4 when provenant
# cannot be installed (a checksum mismatch included).
set -euo pipefail
set -f # no globbing: list inputs are split on whitespace, never expanded

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
report_py=$here/report.py

if ! command -v python3 >/dev/null; then
    echo "::error title=provenant action::python3 is required on the runner"
    exit 2
fi

# An unguessable token, for ::stop-commands:: and output delimiters.
token() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# annotate LEVEL MESSAGE: one escaped workflow command.
annotate() { python3 "$report_py" command "$1" "provenant action" "$2"; }

# die CODE MESSAGE: an error annotation and a fail verdict, then exit CODE.
die() {
    annotate error "$2"
    set_output verdict fail
    exit "$1"
}

# set_output NAME VALUE: a step output, in the delimiter form (a value can never end it early).
set_output() {
    if [[ -n ${GITHUB_OUTPUT:-} ]]; then
        local delimiter
        delimiter="ghadelimiter_$(token)"
        printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >>"$GITHUB_OUTPUT"
    else
        printf '%s=%s\n' "$1" "$2"
    fi
}

# Where releases are downloaded from. Tests point it at a file:// tree laid out the same way.
releases_url=${PROVENANT_ACTION_RELEASES_URL:-https://github.com}
# The GitHub CLI that checks a downloaded release's build provenance (on every hosted runner).
gh=${PROVENANT_ACTION_GH:-gh}

# fetch URL FILE: an HTTPS download (file:// only under a test's releases_url); fails on any
# HTTP error.
fetch() {
    local proto='=https'
    [[ $1 != file://* ]] || proto='=file'
    curl -fsSL --proto "$proto" --tlsv1.2 --retry 3 --retry-connrefused -o "$2" "$1"
}

sha256_of() {
    if command -v sha256sum >/dev/null; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

# The Rust target of this runner's release asset, or nothing when no asset is built for it.
target_triple() {
    case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
        Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-gnu ;;
        Linux/ARM64 | Linux/aarch64) echo aarch64-unknown-linux-gnu ;;
        *) echo "" ;;
    esac
}

# The newest release tag of $repo (GitHub redirects releases/latest to it).
latest_tag() {
    local url
    url=$(curl -fsSLI --proto '=https' --tlsv1.2 --retry 3 -o /dev/null -w '%{url_effective}' \
        "$releases_url/$repo/releases/latest") || return 1
    [[ $url == */releases/tag/* ]] || return 1
    echo "${url##*/releases/tag/}"
}

# The release tag (vX.Y.Z) of $repo that points at commit $1, the highest when several do;
# nothing when none does. Annotated tags are matched by the commit they point to (^{}).
tag_of_commit() {
    local semver='^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$' sha name
    local -a tags=()
    while read -r sha name; do
        [[ $sha == "$1" ]] || continue
        name=${name#refs/tags/}
        name=${name%^\{\}}
        [[ $name =~ $semver ]] && tags+=("$name")
    done < <(git ls-remote --tags "$releases_url/$repo" 2>/dev/null)
    ((${#tags[@]} > 0)) || return 1
    printf '%s\n' "${tags[@]}" | sort -uV | tail -n 1
}

# Sets repo and ref: where this action was fetched from. github.action_repository and
# github.action_ref are not reliably set inside composite actions (actions/runner#2473), so the
# action's checkout path (.../_actions/OWNER/REPO/REF) stands in; a local action (uses: ./) is
# the workflow's own repository.
action_source() {
    repo=${PROVENANT_ACTION_REPOSITORY:-}
    ref=${PROVENANT_ACTION_REF:-}
    local path=${GITHUB_ACTION_PATH:-} rest
    if [[ -z $repo && $path == */_actions/*/*/* ]]; then
        rest=${path##*/_actions/}
        repo=${rest%%/*}
        rest=${rest#*/}
        repo=$repo/${rest%%/*}
        ref=${rest#*/}
    fi
    if [[ -z $repo ]]; then
        repo=${GITHUB_REPOSITORY:-}
    fi
}

# Sets bin: a provenant binary of release $version for this runner, its archive checked against
# the release's SHA256SUMS; else built with cargo install from the same repository and ref.
install_provenant() {
    local dir=$1 target tag="" latest asset base expected actual
    local -a gitref=()
    local semver='^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$'
    target=$(target_triple)
    if [[ $version == latest ]]; then
        tag=$(latest_tag) || die 4 "cannot find the latest provenant release of $repo"
    elif [[ $version =~ $semver ]]; then
        tag=$version
    elif [[ $version =~ ^v?[0-9]+(\.[0-9]+)?$ ]]; then
        # A major (v1) or minor (v1.2) tag: the latest release if it is of that line.
        latest=$(latest_tag) || latest=""
        if [[ $latest == "$version".* && $latest =~ $semver ]]; then
            tag=$latest
        else
            gitref=(--tag "$version")
        fi
    elif [[ $version =~ ^[0-9a-f]{40}$ ]]; then
        # Pinned by commit (uses: OWNER/REPO@SHA): the release tagged at that commit, if any.
        tag=$(tag_of_commit "$version") || tag=""
        if [[ -n $tag ]]; then
            echo "commit $version is release $tag"
        else
            echo "no release tag of $repo points at commit $version"
            gitref=(--rev "$version")
        fi
    else
        gitref=(--branch "$version")
    fi
    [[ -z $tag || $tag =~ $semver ]] || die 4 "unexpected release tag: $tag"

    if [[ -n $tag && -n $target ]]; then
        asset="provenant-$tag-$target.tar.gz"
        base="$releases_url/$repo/releases/download/$tag"
        echo "downloading $base/$asset"
        if fetch "$base/$asset" "$dir/$asset"; then
            # Fail closed from here: a downloaded binary runs only once its sum is proven.
            fetch "$base/SHA256SUMS" "$dir/SHA256SUMS" ||
                die 4 "$asset was downloaded but SHA256SUMS of release $tag was not: refusing an unverified binary"
            expected=$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$dir/SHA256SUMS")
            [[ $expected =~ ^[0-9a-f]{64}$ ]] ||
                die 4 "SHA256SUMS of release $tag has no single sha256 for $asset: refusing an unverified binary"
            actual=$(sha256_of "$dir/$asset")
            [[ $actual == "$expected" ]] ||
                die 4 "$asset has sha256 $actual, but SHA256SUMS of release $tag says $expected: refusing it"
            echo "sha256 $actual of $asset matches SHA256SUMS"
            # A sum only proves the archive is the one the release lists; its build provenance
            # proves the release workflow of $repo built it. Both, or it never runs.
            command -v "$gh" >/dev/null ||
                die 4 "no gh CLI to check the build provenance of $asset: refusing an unverified binary (or set provenant-path)"
            "$gh" attestation verify "$dir/$asset" --repo "$repo" \
                --signer-workflow "$repo/.github/workflows/release.yml" ||
                die 4 "gh attestation verify found no build provenance of $asset by $repo/.github/workflows/release.yml: refusing it"
            echo "build provenance of $asset verified (gh attestation verify)"
            tar -xzf "$dir/$asset" -C "$dir" "provenant-$tag-$target/provenant" ||
                die 4 "$asset holds no provenant-$tag-$target/provenant"
            bin=$dir/provenant-$tag-$target/provenant
            return
        fi
        echo "no release asset $asset: building provenant with cargo instead"
    fi
    [[ -z $tag ]] || gitref=(--tag "$tag")
    command -v cargo >/dev/null ||
        die 4 "no provenant release asset for ${target:-this runner} at $version, and no cargo to build it (or set provenant-path)"
    cargo install --locked --root "$dir/cargo" --git "https://github.com/$repo" "${gitref[@]}" provenant ||
        die 4 "cargo install of provenant $version from $repo failed"
    bin=$dir/cargo/bin/provenant
}

# The file each report format is written to, in the reports directory.
report_file() {
    case $1 in
        json) echo report.json ;;
        markdown) echo report.md ;;
        sarif) echo report.sarif ;;
        vsa) echo vsa.intoto.jsonl ;;
        junit) echo report.junit.xml ;;
        html) echo report.html ;;
        *) echo "report.$1" ;;
    esac
}

exit_meaning() {
    case $1 in
        2) echo "bad usage or unreadable input" ;;
        3) echo "a source was unreachable" ;;
        *) echo "unexpected exit code" ;;
    esac
}

# --- inputs ---------------------------------------------------------------------------------
subject=${INPUT_SUBJECT:-}
[[ -n $subject ]] || die 2 "the subject input is required: a file, a digest, or an image reference"
case ${INPUT_FAIL_ON_FAILURE:-true} in
    true | True | TRUE) fail_on_failure=true ;;
    false | False | FALSE) fail_on_failure=false ;;
    *) die 2 "fail-on-failure must be true or false, not: ${INPUT_FAIL_ON_FAILURE}" ;;
esac

# A registry reference names a host (with a dot or a port, or localhost) and a tag or digest;
# anything else that is not an oci-layout:/docker-archive: reference is a file.
registry_ref='^(localhost(:[0-9]+)?|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?|[A-Za-z0-9-]+:[0-9]+)/[^[:space:]]+(:[A-Za-z0-9_.-]+|@sha256:[0-9a-f]{64})$'
case ${INPUT_SUBJECT_TYPE:-auto} in
    artifact | image) kind=$INPUT_SUBJECT_TYPE ;;
    auto)
        if [[ $subject == oci-layout:* || $subject == docker-archive:* ]]; then
            kind=image
        elif [[ ! -e $subject && $subject =~ $registry_ref ]]; then
            kind=image
        else
            kind=artifact
        fi
        ;;
    *) die 2 "subject-type must be artifact, image or auto, not: ${INPUT_SUBJECT_TYPE}" ;;
esac

work_base=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
out=$(mktemp -d "$work_base/provenant-action.XXXXXX")

# --- the binary -----------------------------------------------------------------------------
if [[ -n ${INPUT_PROVENANT_PATH:-} ]]; then
    bin=$INPUT_PROVENANT_PATH
    # A path runs that file; a bare name is looked up on PATH, as bash would run it.
    if [[ $bin == */* ]]; then
        [[ -f $bin && -x $bin ]] || die 2 "provenant-path is not an executable file: $bin"
    else
        command -v "$bin" >/dev/null || die 2 "provenant-path names no command on PATH: $bin"
    fi
else
    action_source
    version=${INPUT_VERSION:-$ref}
    [[ -n $version ]] ||
        die 2 "cannot tell which provenant to install: set the version input (a release tag such as v1.2.3) or provenant-path"
    [[ $repo =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die 2 "unexpected action repository: $repo"
    [[ $version =~ ^[A-Za-z0-9][A-Za-z0-9._/+-]*$ && $version != *..* ]] || die 2 "unexpected version: $version"
    echo "::group::install provenant $version from $repo"
    mkdir -p "$out/bin"
    install_provenant "$out/bin"
    echo "::endgroup::"
fi
"$bin" --version || die 4 "$bin does not run"

# Whether this provenant accepts the flags (clap parses them before printing --help, so an
# unknown flag or format is refused with exit 2 and nothing runs).
accepts() { "$bin" verify "$kind" "$@" --help >/dev/null 2>&1; }

# --- the command line -----------------------------------------------------------------------
args=(verify "$kind")
if [[ $kind == artifact && ! -e $subject && $subject =~ ^sha(256|384|512):[0-9a-fA-F]+$ ]]; then
    args+=(--digest "$subject")
else
    args+=("$subject")
fi
# shellcheck disable=SC2086 # list inputs are whitespace-separated on purpose (globbing is off)
{
    for f in ${INPUT_BUNDLE:-}; do args+=(--bundle "$f"); done
    for f in ${INPUT_ATTESTATIONS:-}; do args+=(--attestations "$f"); done
    for f in ${INPUT_KEY:-}; do args+=(--key "$f"); done
}
identity=false
if [[ -n ${INPUT_CERTIFICATE_IDENTITY:-} ]]; then
    args+=(--certificate-identity "$INPUT_CERTIFICATE_IDENTITY")
    identity=true
fi
if [[ -n ${INPUT_CERTIFICATE_IDENTITY_REGEXP:-} ]]; then
    args+=(--certificate-identity-regexp "$INPUT_CERTIFICATE_IDENTITY_REGEXP")
    identity=true
fi
# The issuer's default goes only with an identity given here: otherwise it would override the
# issuer of a policy file (flags override the policy).
default_issuer=https://token.actions.githubusercontent.com
issuer=${INPUT_CERTIFICATE_OIDC_ISSUER-$default_issuer}
if [[ -n $issuer && ($identity == true || $issuer != "$default_issuer") ]]; then
    args+=(--certificate-oidc-issuer "$issuer")
fi
[[ -z ${INPUT_TRUSTED_ROOT:-} ]] || args+=(--trusted-root "$INPUT_TRUSTED_ROOT")
# The expected commit is never guessed: github.sha is the commit that was built only when this
# workflow runs for a push (of a branch or a release tag); for a pull request it is a merge
# commit, for a schedule, dispatch or release event the head of some branch. Otherwise the input
# is required, and `none` asks for no commit check.
event=${GITHUB_EVENT_NAME:-}
commit=${INPUT_EXPECTED_COMMIT:-}
if [[ $commit == none ]]; then
    commit=""
    echo "expected commit: none (expected-commit: none): the source commit is not checked"
elif [[ -n $commit ]]; then
    echo "expected commit: $commit (from the expected-commit input)"
elif [[ $event == push && -n ${GITHUB_SHA:-} ]]; then
    commit=$GITHUB_SHA
    echo "expected commit: $commit (github.sha of this push event)"
else
    die 2 "expected-commit is required here: github.sha is the built commit only for a push event, and this is ${event:+a $event event}${event:-no GitHub event}; set expected-commit to the commit the release was built from, or to none to check no commit"
fi
[[ -z $commit ]] || args+=(--commit "$commit")
# with_policy FLAG FILE: fail closed, a policy this provenant cannot read is never left out.
with_policy() {
    [[ -n $2 ]] || return 0
    accepts "$1" "$2" || die 2 "this provenant ($("$bin" --version)) has no $1; set version to a release that has"
    args+=("$1" "$2")
}
with_policy --policy "${INPUT_POLICY:-}"
with_policy --rego "${INPUT_REGO:-}"
# Extra flags: one argument per line (spaces kept); a single line is split as a shell would
# split it (quotes group words; nothing is expanded or run).
extra=${INPUT_ARGS:-}
while [[ $extra == *$'\n' ]]; do extra=${extra%$'\n'}; done
if [[ $extra == *$'\n'* ]]; then
    while IFS= read -r a; do
        a=${a%$'\r'}
        # Surrounding blanks are YAML indentation, not part of the argument.
        a=${a#"${a%%[![:space:]]*}"}
        a=${a%"${a##*[![:space:]]}"}
        [[ -z $a ]] || args+=("$a")
    done <<<"$extra"
elif [[ -n $extra ]]; then
    # One line in, so no word holds a line break: the words come back one a line.
    split=$(python3 "$report_py" split "$extra") || die 2 "args is not a command line (an unclosed quote?): $extra"
    [[ -z $split ]] || while IFS= read -r a; do args+=("$a"); done <<<"$split"
fi

# Reports: JSON (the verdict and annotations come from it) and Markdown (the step summary)
# always, then the requested formats, each written to its own file with --format FMT=PATH.
# A provenant without FMT=PATH writes the JSON with --out, and report.py draws the Markdown.
formats=(json markdown)
requested=${INPUT_FORMATS-markdown,json,sarif}
for f in ${requested//,/ }; do
    [[ $f =~ ^[a-z0-9-]+$ ]] || die 2 "not a report format: $f"
    [[ " ${formats[*]} " == *" $f "* ]] || formats+=("$f")
done
multi=false
accepts --format "json=$out/report.json" && multi=true
for f in "${formats[@]}"; do
    path=$out/$(report_file "$f")
    if [[ $multi == true ]] && accepts --format "$f=$path"; then
        args+=(--format "$f=$path")
    elif [[ $f == json ]]; then
        args+=(--format json --out "$path")
    elif [[ $f != markdown ]]; then
        annotate warning "this provenant ($("$bin" --version)) cannot write $f reports: skipped"
    fi
done

# --- verify ---------------------------------------------------------------------------------
# provenant prints reasons and names taken from the evidence: workflow commands stay off while
# it runs, so nothing it prints can be taken for one (a fresh token resumes them).
echo "::group::provenant verify $kind"
stop=$(token)
echo "::stop-commands::$stop"
printf '%q ' "$bin" "${args[@]}"
echo
rc=0
"$bin" "${args[@]}" 2>&1 || rc=$?
printf '\n::%s::\n' "$stop"
echo "::endgroup::"

report=$out/report.json
markdown=$out/report.md
status=0
if [[ $rc == 0 || $rc == 1 ]] && verdict=$(python3 "$report_py" verdict "$report"); then
    if [[ $verdict != "$([[ $rc == 0 ]] && echo pass || echo fail)" ]]; then
        annotate error "provenant exited with $rc but its report says $verdict"
        verdict=fail
        status=2
    fi
    [[ -s $markdown ]] || python3 "$report_py" markdown "$report" >"$markdown"
    python3 "$report_py" annotate "$report"
else
    verdict=fail
    status=$rc
    if [[ $rc == 0 || $rc == 1 ]]; then
        status=2
        annotate error "provenant exited with $rc but wrote no readable JSON report"
    else
        annotate error "provenant exited with $rc: $(exit_meaning "$rc") (see the log of this step)"
    fi
    report=""
    printf '## provenant: ❌ FAIL\n\nprovenant exited with %s (%s): no report. See the log of this step.\n' \
        "$rc" "$(exit_meaning "$rc")" >"$markdown"
fi

if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
    # The runner refuses a step summary over 1 MiB.
    limit=1000000
    if (($(wc -c <"$markdown") > limit)); then
        head -c "$limit" "$markdown" >>"$GITHUB_STEP_SUMMARY"
        printf '\n\n(truncated: the full report is in the report-path output)\n' >>"$GITHUB_STEP_SUMMARY"
    else
        cat "$markdown" >>"$GITHUB_STEP_SUMMARY"
    fi
fi

existing() { if [[ -s $1 ]]; then echo "$1"; else echo ""; fi; }
set_output verdict "$verdict"
set_output report-path "$report"
set_output markdown-path "$markdown"
set_output sarif-path "$(existing "$out/$(report_file sarif)")"
set_output vsa-path "$(existing "$out/$(report_file vsa)")"
set_output reports-dir "$out"

if ((status != 0)); then
    exit "$status"
fi
if [[ $verdict == pass ]]; then
    exit 0
fi
if [[ $fail_on_failure == true ]]; then
    exit 1
fi
annotate warning "verification failed; the step passes because fail-on-failure is false"
