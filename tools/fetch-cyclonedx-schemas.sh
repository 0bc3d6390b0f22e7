#!/usr/bin/env bash
# Re-fetch the CycloneDX JSON schemas and XSDs bundled into provenant (crates/provenant-formats/schemas/cyclonedx).
# Source: the schema copies shipped for offline use in the cyclonedx-python-lib wheel (Apache-2.0), which
# records the upstream CycloneDX/specification commit and the (reference-only) edits it made in
# UPSTREAM-README.md. The wheel's sha256 is pinned.
set -euo pipefail
VERSION=11.12.0
SHA256=0e807521a921a5c3cb8ce1153f8a61d29eedfe76a46aac2796b7c6b573391a54
dest="$(cd "$(dirname "$0")/.." && pwd)/crates/provenant-formats/schemas/cyclonedx"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
pip download --quiet --no-deps --dest "$tmp" "cyclonedx-python-lib==$VERSION"
whl="$tmp/cyclonedx_python_lib-$VERSION-py3-none-any.whl"
echo "$SHA256  $whl" | sha256sum -c -
python3 - "$whl" "$dest" <<'PY'
import sys, zipfile, os
whl, dest = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(whl)
want = [f"bom-{v}.SNAPSHOT.{e}" for v in ("1.2","1.3","1.4","1.5","1.6","1.7") for e in ("schema.json","xsd")]
want += ["spdx.SNAPSHOT.schema.json","spdx.SNAPSHOT.xsd","jsf-0.82.SNAPSHOT.schema.json","cryptography-defs.SNAPSHOT.schema.json"]
for n in want:
    open(os.path.join(dest, n), "wb").write(z.read("cyclonedx/schema/_res/" + n))
open(os.path.join(dest, "UPSTREAM-README.md"), "wb").write(z.read("cyclonedx/schema/_res/README.md"))
PY
echo "schemas written to $dest"
