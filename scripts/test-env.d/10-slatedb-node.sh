#!/usr/bin/env bash
# Installs the real SlateDB 0.12.1 engine (npm @slatedb/uniffi, pinned by tools/slatedb-node/package-lock.json) that
# tests/SlateDB.Compatibility.Tests drives through tools/slatedb-node/driver.mjs.
#
# Sourced by scripts/test.sh (a non-zero status fails the run); can also be run on its own. It runs
# `npm ci --no-audit --no-fund` when node_modules is missing or was installed from another package-lock.json, then
# checks that the binding loads. Under CI=true a missing Node.js 20+ or a failed install is an error. Elsewhere it
# warns and goes on: the compatibility tests then fail with the reason, unless SLATEDB_SKIP_COMPAT_TESTS=1 is set.

slatedb_node_setup() {
  local base dir strict=false
  base="${root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
  dir="$base/tools/slatedb-node"
  case "${CI:-}" in true | TRUE | True | 1) strict=true ;; esac

  if [ "${SLATEDB_SKIP_COMPAT_TESTS:-}" = "1" ] && [ "$strict" = false ]; then
    echo "== slatedb-node: not installed (SLATEDB_SKIP_COMPAT_TESTS=1 skips the compatibility tests)"
    return 0
  fi

  local problem=""
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    problem="Node.js 20+ with npm is needed to run SlateDB 0.12.1 for the compatibility tests, and node/npm is not on the PATH"
  elif [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 20 ]; then
    problem="Node.js $(node --version 2>/dev/null) is too old for tools/slatedb-node (20+ is needed)"
  else
    local stamp="$dir/node_modules/.slatedb-package-lock.sha256" want have
    want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    have=$(cat "$stamp" 2>/dev/null || true)
    if [ "$want" != "$have" ] || [ ! -f "$dir/node_modules/@slatedb/uniffi/package.json" ]; then
      echo "== slatedb-node: npm ci (tools/slatedb-node)"
      if (cd "$dir" && npm ci --no-audit --no-fund); then
        echo "$want" >"$stamp"
      else
        problem="npm ci failed in tools/slatedb-node"
      fi
    fi

    if [ -z "$problem" ] && ! (cd "$dir" && node --input-type=module -e 'await import("@slatedb/uniffi")'); then
      problem="the @slatedb/uniffi binding in tools/slatedb-node does not load"
    fi
  fi

  if [ -z "$problem" ]; then
    echo "== slatedb-node: SlateDB 0.12.1 driver ready (node $(node --version))"
    return 0
  fi

  echo "slatedb-node: $problem." >&2
  if [ "$strict" = true ]; then
    return 1
  fi

  echo "slatedb-node: going on; the compatibility tests will fail (SLATEDB_SKIP_COMPAT_TESTS=1 skips them outside CI)." >&2
  return 0
}

slatedb_node_setup
slatedb_node_status=$?
unset -f slatedb_node_setup
# 'return' when sourced by scripts/test.sh, 'exit' when run directly.
return "$slatedb_node_status" 2>/dev/null || exit "$slatedb_node_status"
