#!/usr/bin/env bash
# SQL over the audit (issue 18): `audit ingest` of a generated git history of 10,000 commits
# (git fast-import) with lockfiles of 5,000 packages (2,500 in Cargo.lock, 2,500 in
# package-lock.json), goal < 3 s; then `audit query` over a 200-release pack (a population of
# 10,000 from testdata/, as bench/audit.sh builds it). Timed with hyperfine when present, else
# with `time`.
# Usage: bench/audit_sql.sh [path/to/provenant]   (default: target/release/provenant, else debug)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-}"
[ -n "$bin" ] && bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
if [ -z "$bin" ]; then
  if [ -x "$here/target/release/provenant" ] && "$here/target/release/provenant" audit ingest --help >/dev/null 2>&1; then bin="$here/target/release/provenant"
  else bin="$here/target/debug/provenant"; fi
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
# 10,000 commits, every 10th a merge of a one-commit branch, through git fast-import.
out = []
mark = 0
def commit(ref, msg, t, parents, path, data):
    global mark
    mark += 1
    m = mark
    out.append(f"commit {ref}\nmark :{m}\nauthor Dev{m % 13} <dev{m % 13}@example.com> {t} +0000\n"
               f"committer Dev{m % 13} <dev{m % 13}@example.com> {t} +0000\n")
    msg = msg.encode()
    out.append(f"data {len(msg)}\n{msg.decode()}\n")
    if parents:
        out.append(f"from :{parents[0]}\n")
        for p in parents[1:]:
            out.append(f"merge :{p}\n")
    data = data.encode()
    out.append(f"M 100644 inline {path}\ndata {len(data)}\n{data.decode()}\n\n")
    return m
t = 1700000000
main = commit("refs/heads/main", "initial", t, [], "f0.txt", "0")
n = 1
while n < 10000:
    t += 60
    if n % 10 == 9:
        side = commit("refs/heads/topic", f"topic {n}", t, [main], f"t{n}.txt", str(n))
        n += 1
        main = commit("refs/heads/main", f"Merge topic {n}", t + 30, [main, side], f"m{n}.txt", str(n))
    else:
        main = commit("refs/heads/main", f"change {n}", t, [main], f"f{n % 50}.txt", str(n))
    n += 1
open(f"{work}/stream", "w").write("".join(out))
cargo = ["version = 4", ""]
for i in range(2500):
    cargo += ["[[package]]", f'name = "crate-{i}"', f'version = "1.{i}.0"',
              'source = "registry+https://github.com/rust-lang/crates.io-index"',
              f'checksum = "{i:064x}"', ""]
open(f"{work}/Cargo.lock", "w").write("\n".join(cargo))
pkgs = {"": {"name": "app"}}
for i in range(2500):
    pkgs[f"node_modules/pkg-{i}"] = {"version": f"2.{i}.0", "integrity": f"sha512-{i}"}
json.dump({"name": "app", "lockfileVersion": 3, "packages": pkgs}, open(f"{work}/package-lock.json", "w"))
PY
git init -q -b main "$work/repo"
git -C "$work/repo" fast-import --quiet < "$work/stream"
echo "binary: $bin; cores: $(nproc); commits: $(git -C "$work/repo" rev-list --count main)"
ingest_cmd="rm -f $work/h.db && $bin audit ingest --git $work/repo --range main --lockfile $work/Cargo.lock --lockfile $work/package-lock.json --out $work/h.db >/dev/null"

# A 200-release pack, as bench/audit.sh builds it.
cp "$here/testdata/release/hello-provenant.txt" "$work/hello.txt"
cp "$here/testdata/release/hello-provenant.txt.sigstore.json" "$work/hello.sigstore.json"
cp "$here/testdata/trust/trusted_root.json" "$work/trusted_root.json"
printf 'apiVersion: provenant.dev/v1\nsigners:\n  - issuer: https://token.actions.githubusercontent.com\n    identity: https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0\n' > "$work/policy.yaml"
python3 - "$work/pop.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("id,subject,bundle,owner\n")
    for i in range(10000):
        f.write(f"rel-{i:05d},hello.txt,hello.sigstore.json,team-{i % 7}\n")
PY
(cd "$work" && "$bin" audit run --population pop.csv --seed bench --size 200 --policy policy.yaml \
  --trusted-root trusted_root.json --effective-time 2025-07-01T00:00:00Z --out pack >/dev/null || true)
query="SELECT r.owner, c.code, c.outcome, count(*) FROM releases r JOIN checks c USING (audit_id, release_id) WHERE r.sampled = 1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
query_cmd="$bin audit query $work/pack \"$query\" --format csv >/dev/null"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs 5 "$ingest_cmd"
  hyperfine --warmup 1 --runs 10 "$query_cmd"
else
  echo "audit ingest (10,000 commits, 5,000 packages):"; time (eval "$ingest_cmd")
  echo "audit query over the 200-release pack:"; time (eval "$query_cmd")
fi
"$bin" audit query "$work/h.db" "SELECT (SELECT count(*) FROM commits), (SELECT count(*) FROM dependencies)"
