# Sourced by scripts/test.sh: installs npm firebase-tools (into .test-servers/gcs-emulator) if missing, starts the Node
# server of its Cloud Storage emulator in memory on a free port (scripts/test-servers/gcs-emulator.cjs: no Java, no
# download at run time), and exports SLATEDB_TEST_GCS_EMULATOR (its service root) for the GCS adapter's contract tests
# on a server not written here. That emulator ignores ifGenerationMatch; the conditional tests run against the strict
# in-repository server (tests/SlateDB.Tests/Storage/Cloud/Gcs/GcsTestServer.cs), which needs no setup.
# Registers a cleanup step that stops it. Failure handling: common.sh.
# shellcheck source=scripts/test-servers/common.sh
source "$root/scripts/test-servers/common.sh"

slatedb_gcs_emulator_setup() {
  local started=$SECONDS version=15.34.2 dir="$root/.test-servers/gcs-emulator" attempt port pid blobs ok=0
  unset SLATEDB_TEST_GCS_EMULATOR
  if ! grep -qs "\"version\": \"$version\"" "$dir/node_modules/firebase-tools/package.json"; then
    echo "== installing firebase-tools@$version (npm; its storage emulator)"
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{ "name": "slatedb-test-gcs-emulator", "private": true }' >"$dir/package.json"
    if ! (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "firebase-tools@$version" >"$dir/install.log" 2>&1); then
      slatedb_server_failed gcs-emulator "npm install firebase-tools@$version failed (see $dir/install.log)"; return
    fi
  fi
  blobs=$(mktemp -d "${TMPDIR:-/tmp}/slatedb-gcs-emulator.XXXXXX") || { slatedb_server_failed gcs-emulator "mktemp failed"; return; }
  for attempt in 1 2 3; do
    port=$(slatedb_free_port) || break
    TMPDIR="$blobs" node "$root/scripts/test-servers/gcs-emulator.cjs" "$dir" "$port" >"$dir/emulator.log" 2>&1 &
    pid=$!
    if slatedb_wait_http "$port" 300 "$pid" && kill -0 "$pid" 2>/dev/null; then ok=1; break; fi
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    echo "gcs emulator start attempt $attempt failed: $(tail -n 3 "$dir/emulator.log" | tr '\n' ' ')" >&2
  done
  if [ "$ok" -ne 1 ]; then
    rm -rf "$blobs"
    slatedb_server_failed gcs-emulator "could not start (see $dir/emulator.log)"; return
  fi
  cleanup_steps+=("kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf '$blobs'")
  export SLATEDB_TEST_GCS_EMULATOR="http://127.0.0.1:$port/"
  echo "== gcs emulator (firebase-tools $version) on 127.0.0.1:$port ($((SECONDS - started)) s)"
}

slatedb_gcs_emulator_setup
