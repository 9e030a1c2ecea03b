#!/usr/bin/env bash
# The 2,000,000-row acceptance run of compaction workers (issue 17): a coordinator and three worker processes
# (samples/CompactionWorker) compact 2M rows on one machine; the claiming worker is SIGKILLed mid-job, another reclaims
# it, and every row is read back once. The default test run uses 200,000 rows; this sets SLATEDB_WORKERS_ROWS.
# Usage: scripts/compaction-workers-2m.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/SlateDB.Tests -c Release -clp:ErrorsOnly -nologo
SLATEDB_WORKERS_ROWS="${1:-2000000}" SLATEDB_SKIP_SERVER_TESTS=1 dotnet test tests/SlateDB.Tests -c Release --no-build \
  --filter "FullyQualifiedName~WorkerProcessesTests" --logger "console;verbosity=detailed"
