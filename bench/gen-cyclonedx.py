# Write a synthetic CycloneDX 1.6 JSON SBOM with N components (default 100,000, ~64 MB): each with
# name, version, supplier, purl, two hashes, a license and bom-ref, plus a dependencies section.
#   python3 bench/gen-cyclonedx.py N OUT.json
import json, hashlib, sys
n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
out = sys.argv[2] if len(sys.argv) > 2 else '/tmp/cdx-100k.json'
comps = []
deps = []
lic = ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC', 'GPL-2.0-only']
for i in range(n):
    name = f'package-{i:06d}'
    ver = f'{i % 7}.{i % 13}.{i % 101}'
    h = hashlib.sha512(name.encode()).hexdigest()
    comps.append({
        'bom-ref': f'pkg:npm/{name}@{ver}',
        'type': 'library',
        'name': name,
        'version': ver,
        'supplier': {'name': 'Example Supplier Inc'},
        'purl': f'pkg:npm/{name}@{ver}',
        'hashes': [
            {'alg': 'SHA-256', 'content': h[:64]},
            {'alg': 'SHA-512', 'content': h},
        ],
        'licenses': [{'license': {'id': lic[i % len(lic)]}}],
    })
    d = [f'pkg:npm/package-{j:06d}@{j % 7}.{j % 13}.{j % 101}' for j in (i+1, i+7, i+31) if j < n]
    deps.append({'ref': f'pkg:npm/{name}@{ver}', 'dependsOn': d})
doc = {
    '$schema': 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    'bomFormat': 'CycloneDX', 'specVersion': '1.6',
    'serialNumber': 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', 'version': 1,
    'metadata': {'timestamp': '2024-01-01T00:00:00Z',
                 'tools': {'components': [{'type': 'application', 'name': 'gen', 'version': '1.0'}]},
                 'component': {'type': 'application', 'bom-ref': 'root', 'name': 'root-app', 'version': '1.0.0',
                               'externalReferences': [{'type': 'vcs', 'url': 'https://github.com/example/app@' + 'a'*40}]}},
    'components': comps,
    'dependencies': deps,
}
with open(out, 'w') as f:
    json.dump(doc, f, separators=(',', ':'))
