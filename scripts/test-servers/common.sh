#!/usr/bin/env bash
# Helpers shared by scripts/test-env.d/*.sh (sourced, so every name here starts with slatedb_).

# Prints a TCP port on 127.0.0.1 that nothing listens on, from 20000-59999, avoiding the ports given as arguments.
# Another process may still take it before the server binds it; callers retry the start with a new port.
slatedb_free_port() {
  local port tries
  for tries in $(seq 1 200); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    case " $* " in *" $port "*) continue ;; esac
    if command -v ss >/dev/null 2>&1; then
      ss -Htln "sport = :$port" 2>/dev/null | grep -q . && continue
    fi
    # A refused connection means no listener.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return 0
    fi
  done
  return 1
}

# Reports a test server that could not be installed or started. Under CI (CI=true) that fails the run (returns 1);
# elsewhere it prints a warning and returns 0, leaving the server's variables unset: the tests that need the server
# then fail with a message that names it, unless SLATEDB_SKIP_SERVER_TESTS=1 is set.
slatedb_server_failed() {
  local name=$1 detail=$2
  if [ "${CI:-}" = "true" ]; then
    echo "ERROR: test server $name: $detail" >&2
    return 1
  fi
  echo "WARNING: test server $name: $detail" >&2
  echo "WARNING: the $name tests will FAIL; set SLATEDB_SKIP_SERVER_TESTS=1 to skip them on purpose." >&2
  return 0
}

# Waits until an HTTP server answers on http://127.0.0.1:$1/ (any status), for at most $2 tenths of a second;
# gives up at once if process $3 (optional) has exited.
slatedb_wait_http() {
  local port=$1 tenths=$2 pid=${3:-} i
  for i in $(seq 1 "$tenths"); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/" && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}
