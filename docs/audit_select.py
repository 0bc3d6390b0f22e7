#!/usr/bin/env python3
"""Re-perform `provenant audit select` (docs/audit.md). Standard library only.
usage: audit_select.py POPULATION SEED SIZE [random|systematic|stratified COL|pps COL]
Prints the selected ids, one per line, in selection order."""
import csv, hashlib, json, struct, sys

def words(key):  # ChaCha20 keystream (RFC 8439 block, nonce 0, counter 0, 1, ...) as u32s
    k, ctr, M = list(struct.unpack("<8I", key)), 0, 0xFFFFFFFF
    rot = lambda v, n: ((v << n) | (v >> (32 - n))) & M
    while True:
        s = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574] + k + [ctr, 0, 0, 0]
        x = s[:]
        for _ in range(10):
            for a, b, c, d in ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
                               (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)):
                x[a] = (x[a] + x[b]) & M; x[d] = rot(x[d] ^ x[a], 16)
                x[c] = (x[c] + x[d]) & M; x[b] = rot(x[b] ^ x[c], 12)
                x[a] = (x[a] + x[b]) & M; x[d] = rot(x[d] ^ x[a], 8)
                x[c] = (x[c] + x[d]) & M; x[b] = rot(x[b] ^ x[c], 7)
        yield from ((x[i] + s[i]) & M for i in range(16))
        ctr += 1

def main(path, seed, size, method="random", col=None):
    text = open(path, encoding="utf-8-sig").read()
    rows = ([json.loads(l) for l in text.splitlines()] if path.endswith((".jsonl", ".ndjson"))
            else list(csv.DictReader(text.splitlines(keepends=True))))
    rows.sort(key=lambda r: str(r["id"]).encode())          # ids in byte order
    w = words(hashlib.sha256(seed.encode()).digest())
    def below(m):                                            # uniform in 0..m by rejection
        zone = 2**64 - 2**64 % m
        while True:
            v = next(w) | next(w) << 32
            if v < zone: return v % m
    def shuffle(items, n):                                   # partial Fisher-Yates
        a = list(items)
        for i in range(n):
            j = i + below(len(a) - i); a[i], a[j] = a[j], a[i]
        return a[:n]
    N, n = len(rows), int(size)
    if method == "random": pick = shuffle(rows, n)
    elif method == "systematic":
        s = below(N); pick = [rows[(s + i * N) // n] for i in range(n)]
    elif method == "stratified":
        strata = {}
        for r in rows: strata.setdefault(str(r[col]), []).append(r)
        keys = sorted(strata, key=str.encode)
        size_h = [len(strata[k]) for k in keys]
        alloc = [max(1, n * h // N) for h in size_h]; rem = [n * h % N for h in size_h]
        desc = sorted(range(len(keys)), key=lambda i: (-rem[i], i))
        asc = sorted(range(len(keys)), key=lambda i: (rem[i], i))
        while sum(alloc) < n:
            for i in desc:
                if sum(alloc) < n and alloc[i] < size_h[i]: alloc[i] += 1
        while sum(alloc) > n:
            for i in asc:
                if sum(alloc) > n and alloc[i] > 1: alloc[i] -= 1
        pick = [r for k, a in zip(keys, alloc) for r in shuffle(strata[k], a)]
    elif method == "pps":
        def units(t):                                        # weight in millionths, exactly
            i, _, f = str(t).partition("."); return int(i) * 10**6 + int((f + "000000")[:6])
        left = [(r, units(r[col])) for r in rows]; left = [x for x in left if x[1] > 0]; pick = []
        for _ in range(n):
            r, acc = below(sum(u for _, u in left)), 0
            for i, (row, u) in enumerate(left):
                acc += u
                if r < acc: pick.append(row); del left[i]; break
    for r in pick: print(r["id"])

if __name__ == "__main__":
    main(*sys.argv[1:])
