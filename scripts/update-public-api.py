#!/usr/bin/env python3
"""Records public API changes the build reports (RS0016: new symbol; RS0017: removed symbol) in each package's
PublicAPI.Unshipped.txt, as the PublicApiAnalyzers code fix would. Review the diff: every line is a deliberate change.
Usage: dotnet build SlateDb.sln -c Release 2>&1 | python3 scripts/update-public-api.py"""
import os, re, sys

pattern = re.compile(r"^(?P<file>/[^(]+)\(\d+,\d+\): error (?P<rule>RS001[67]): Symbol '(?P<symbol>.+?)' is ")
changes = {}
for line in sys.stdin:
    m = pattern.match(line.strip())
    if not m:
        continue
    folder = os.path.dirname(m.group('file'))
    while not os.path.exists(os.path.join(folder, 'PublicAPI.Unshipped.txt')):
        parent = os.path.dirname(folder)
        if parent == folder:
            sys.exit(f"no PublicAPI.Unshipped.txt above {m.group('file')}")
        folder = parent
    entry = m.group('symbol') if m.group('rule') == 'RS0016' else '*REMOVED*' + m.group('symbol')
    changes.setdefault(os.path.join(folder, 'PublicAPI.Unshipped.txt'), set()).add(entry)

for path, entries in changes.items():
    lines = [l.rstrip('\n') for l in open(path)]
    header = [l for l in lines if l.startswith('#')]
    body = set(l for l in lines if l and not l.startswith('#')) | entries
    # A symbol removed and added back cancels out.
    for e in list(body):
        if e.startswith('*REMOVED*') and e[len('*REMOVED*'):] in body:
            body.discard(e); body.discard(e[len('*REMOVED*'):])
    with open(path, 'w') as f:
        f.write('\n'.join(header + sorted(body, key=lambda s: s.replace('*REMOVED*', ''))) + '\n')
    print(f"{path}: {len(entries)} change(s)")
