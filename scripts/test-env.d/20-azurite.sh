# Sourced by scripts/test.sh: installs Azurite (npm, into .test-servers/azurite) if missing, starts its blob service
# in memory on a free port, and exports SLATEDB_TEST_AZURITE (a connection string for the well-known dev account)
# for the Azure adapter tests. Registers a cleanup step that stops it. Failure handling: common.sh.
# shellcheck source=scripts/test-servers/common.sh
source "$root/scripts/test-servers/common.sh"

slatedb_azurite_setup() {
  local started=$SECONDS version=3.35.0 dir="$root/.test-servers/azurite" attempt port pid ok=0
  unset SLATEDB_TEST_AZURITE
  local main="$dir/node_modules/azurite/dist/src/blob/main.js"
  if ! grep -qs "\"version\": \"$version\"" "$dir/node_modules/azurite/package.json"; then
    echo "== installing azurite@$version (npm)"
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{ "name": "slatedb-test-azurite", "private": true }' >"$dir/package.json"
    if ! (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "azurite@$version" >"$dir/install.log" 2>&1); then
      slatedb_server_failed azurite "npm install azurite@$version failed (see $dir/install.log)"; return
    fi
  fi
  for attempt in 1 2 3; do
    port=$(slatedb_free_port) || break
    # --skipApiVersionCheck: Azure.Storage.Blobs 12.30.1 sends a newer x-ms-version than Azurite 3.35.0 knows.
    node "$main" --blobHost 127.0.0.1 --blobPort "$port" --inMemoryPersistence --skipApiVersionCheck \
      --disableTelemetry --silent >"$dir/azurite.log" 2>&1 &
    pid=$!
    if slatedb_wait_http "$port" 150 "$pid" && kill -0 "$pid" 2>/dev/null; then ok=1; break; fi
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    echo "azurite start attempt $attempt failed: $(tail -n 3 "$dir/azurite.log" | tr '\n' ' ')" >&2
  done
  if [ "$ok" -ne 1 ]; then
    slatedb_server_failed azurite "could not start (see $dir/azurite.log)"; return
  fi
  cleanup_steps+=("kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null")
  export SLATEDB_TEST_AZURITE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1;"
  echo "== azurite on 127.0.0.1:$port ($((SECONDS - started)) s)"
}

slatedb_azurite_setup
