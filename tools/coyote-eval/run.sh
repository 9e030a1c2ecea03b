#!/usr/bin/env bash
# The Coyote evaluation (docs/reliability.md, "Microsoft.Coyote on .NET 10"): two detached checkpoints created at once
# (the manifest CAS), run under Coyote's systematic testing engine before and after rewriting SlateDB.dll.
# Usage: bash tools/coyote-eval/run.sh [iterations]   (installs the coyote tool into /tmp/coyote-tool if missing)
set -euo pipefail
cd "$(dirname "$0")"
iterations="${1:-100}"
dotnet build ../../src/SlateDB -c Release -clp:ErrorsOnly -nologo >/dev/null
dotnet build -c Release -clp:ErrorsOnly -nologo >/dev/null
out=bin/Release/net10.0
# SlateDB's own dependencies beside it; without a deps.json the host probes the folder for them.
cp -f ../../src/SlateDB/bin/Release/net10.0/*.dll "$out"/
for package in google.flatbuffers k4os.compression.lz4 snappier zstdsharp.port system.io.hashing; do
  find ~/.nuget/packages/$package -path '*/lib/net*/*.dll' 2>/dev/null | sort | tail -1 | xargs -r -I{} cp -f {} "$out"/
done
rm -f "$out/coyote-eval.deps.json"
echo "== without rewriting"
dotnet "$out/coyote-eval.dll" "$iterations" 2>&1 | grep -vE '^\s+at ' | tail -3 || true
echo "== plain run (no Coyote engine), not rewritten"
dotnet "$out/coyote-eval.dll" 1 plain 2>&1 | grep -vE '^\s+at ' | tail -2 || true
[ -x /tmp/coyote-tool/coyote ] || dotnet tool install Microsoft.Coyote.CLI --version 1.7.11 --tool-path /tmp/coyote-tool >/dev/null
echo "== rewriting (the tool targets .NET 8: DOTNET_ROLL_FORWARD=Major)"
DOTNET_ROLL_FORWARD=Major /tmp/coyote-tool/coyote rewrite rewrite.coyote.json 2>&1 | tail -2
echo "== plain run (no Coyote engine), rewritten"
dotnet "$out/coyote-eval.dll" 1 plain 2>&1 | grep -vE '^\s+at ' | tail -2 || true
echo "== under Coyote, rewritten"
dotnet "$out/coyote-eval.dll" "$iterations" 2>&1 | grep -vE '^\s+at ' | tail -3 || true
