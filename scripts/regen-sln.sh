#!/usr/bin/env bash
# Rebuilds SlateDb.sln from every project under src, tests, benchmarks and samples (solution folders follow them),
# plus the CLI under tools.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f SlateDb.sln
dotnet new sln -n SlateDb --format sln >/dev/null
for dir in src tests benchmarks samples; do
  find "$dir" -name '*.csproj' -not -path '*/bin/*' -not -path '*/obj/*' | sort | while read -r project; do
    dotnet sln SlateDb.sln add --solution-folder "$dir" "$project" >/dev/null
  done
done
# tools/: only the CLI (tools/coyote-eval stands outside the solution on purpose).
dotnet sln SlateDb.sln add --solution-folder tools tools/SlateDB.Cli/SlateDB.Cli.csproj >/dev/null
dotnet sln SlateDb.sln list
