#!/usr/bin/env bash
# Runs the whole test suite: builds the solution, installs and starts what the tests need, runs every
# test project, stops what it started, and prints the closing line "N passed, N failed".
# Usage: bash scripts/test.sh [extra dotnet test arguments, e.g. --filter Category!=Stress]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="$root/TestResults"
rm -rf "$results"; mkdir -p "$results"

cleanup_steps=()
cleanup() { for step in "${cleanup_steps[@]}"; do eval "$step" || true; done; }
trap cleanup EXIT

# Test servers and tools are started by scripts/test-env.d/*.sh (each may register a cleanup step).
for setup in "$root"/scripts/test-env.d/*.sh; do
  [ -e "$setup" ] || continue
  # shellcheck source=/dev/null
  source "$setup" || { echo "test setup failed: $setup" >&2; echo "0 passed, 1 failed"; exit 1; }
done

echo "== build"
if ! dotnet build SlateDb.sln -c Release -nologo -clp:ErrorsOnly 2>&1 | tee "$results/build.log"; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi
if grep -qE "error [A-Z]+[0-9]+" "$results/build.log"; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

echo "== package check"
# Packs the libraries to a local feed and builds a consumer pinning Microsoft.Extensions.Logging.Abstractions 10.0.0
# with warnings as errors, and checks the ReadyToRun images in the SlateDB package (docs/packaging.md); counted as one test.
package_check=0
if bash "$root/scripts/package-check.sh" --no-build 2>&1 | tee "$results/package-check.log" | tail -n 5; then
  grep -q "package check passed" "$results/package-check.log" || package_check=1
else
  package_check=1
fi

echo "== test"
# Tests against a real cloud account (Category=RealBucket: scripts/gcs-real-bucket.sh) are not part of this run; a
# caller's own --filter replaces this one.
filter=(--filter "Category!=RealBucket")
for arg in "$@"; do [ "$arg" = "--filter" ] && filter=(); done
dotnet test SlateDb.sln -c Release --no-build --nologo --logger trx \
  --results-directory "$results" "${filter[@]}" "$@" 2>&1 | tee "$results/test.log"
status=${PIPESTATUS[0]}

echo "== test (the shipped ReadyToRun image)"
# The run above loads the IL build of SlateDB.dll, but the package also ships ReadyToRun code (src/ReadyToRun.targets,
# docs/packaging.md) which that run never executes. The engine's core tests run again over a copy of the test output
# whose SlateDB.dll is the image the package ships for this machine, with tiered compilation off: every precompiled
# method then runs its precompiled code for the whole run and none is re-compiled by the JIT. Skipped (and said so)
# only where the package ships no image for this runtime; a caller's own --filter skips it too.
r2r_status=0
if [ ${#filter[@]} -gt 0 ]; then
  rid=$(dotnet --info 2>/dev/null | sed -nE 's/^ *RID: *//p' | head -n 1)
  image=$(dotnet msbuild src/SlateDB/SlateDB.csproj -nologo -t:SlateDbReadyToRunImages -p:Configuration=Release \
    -p:SlateDbReadyToRunFor="$rid" -getTargetResult:SlateDbReadyToRunImages 2>/dev/null | sed -nE 's/.*"FullPath": "([^"]*)".*/\1/p' | head -n 1)
  if [ -n "$image" ] && [ -f "$image" ]; then
    r2r_bin="$results/readytorun-tests"
    rm -rf "$r2r_bin"; cp -r tests/SlateDB.Tests/bin/Release/net10.0 "$r2r_bin"; cp "$image" "$r2r_bin/SlateDB.dll"
    core="SlateDB.Tests.Format|SlateDB.Tests.Sst|SlateDB.Tests.Memtable|SlateDB.Tests.Read|SlateDB.Tests.Iterators|SlateDB.Tests.Caching"
    core="$core|SlateDB.Tests.Compaction|SlateDB.Tests.Wal|SlateDB.Tests.Flush|SlateDB.Tests.Write|SlateDB.Tests.Merge|SlateDB.Tests.Transactions"
    r2r_filter=$(sed -E 's/([^|]+)/FullyQualifiedName~\1/g' <<<"$core")
    DOTNET_TieredCompilation=0 dotnet test "$r2r_bin/SlateDB.Tests.dll" --nologo --logger "trx;LogFileName=readytorun.trx" \
      --results-directory "$results" --filter "$r2r_filter" 2>&1 | tee "$results/test-readytorun.log"
    r2r_status=${PIPESTATUS[0]}
    cat "$results/test-readytorun.log" >> "$results/test.log"
  else
    echo "no ReadyToRun image for runtime '$rid' in the package: this pass is skipped"
  fi
fi

# Each test assembly prints: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..." (or "Failed!").
passed=0; failed=0; skipped=0; assemblies=0
while IFS= read -r line; do
  p=$(sed -nE 's/.*Passed:[[:space:]]+([0-9]+).*/\1/p' <<<"$line")
  f=$(sed -nE 's/.*Failed:[[:space:]]+([0-9]+).*/\1/p' <<<"$line")
  s=$(sed -nE 's/.*Skipped:[[:space:]]+([0-9]+).*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  assemblies=$((assemblies + 1))
done < <(grep -E '^(Passed|Failed)!' "$results/test.log")

if [ "$assemblies" -eq 0 ]; then
  echo "no test results found"; echo "0 passed, 1 failed"; exit 1
fi
if [ "$package_check" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
if { [ "$status" -ne 0 ] || [ "$r2r_status" -ne 0 ]; } && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
exit 0
