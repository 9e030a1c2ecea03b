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
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
exit 0
