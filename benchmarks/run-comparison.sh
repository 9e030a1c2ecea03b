#!/usr/bin/env bash
# Runs the engine comparison (benchmarks/SlateDB.Comparison) and regenerates docs/benchmarks.md, its SVG charts and
# docs/benchmarks/results.json. Builds in Release first; installs the SlateDB 0.12.1 Node binding when npm is there.
# SlateDB for .NET runs the ReadyToRun image its package ships for this platform (the build puts it in the output;
# docs/packaging.md); add ours-jit to --engines to compare with the same engine JIT-compiled.
# Usage: bash benchmarks/run-comparison.sh [runner options, e.g. --reps 2; --help lists them]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== build (Release)"
dotnet build benchmarks/SlateDB.Comparison -c Release -nologo -clp:ErrorsOnly
dotnet build benchmarks/SlateDB.Bencher -c Release -nologo -clp:ErrorsOnly

if command -v node >/dev/null && command -v npm >/dev/null && [ ! -d tools/slatedb-node/node_modules/@slatedb/uniffi ]; then
  echo "== npm ci (tools/slatedb-node)"
  (cd tools/slatedb-node && npm ci --no-audit --no-fund)
fi

echo "== run"
dotnet benchmarks/SlateDB.Comparison/bin/Release/net10.0/SlateDB.Comparison.dll --repo "$root" "$@"
