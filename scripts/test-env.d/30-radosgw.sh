# Sourced by scripts/test.sh: installs Ceph (apt) if missing, starts a throwaway radosgw (S3 with real conditional
# PUT) on a free port, creates the test bucket, and exports for the S3 adapter tests:
#   SLATEDB_TEST_S3_ENDPOINT, SLATEDB_TEST_S3_ACCESS_KEY, SLATEDB_TEST_S3_SECRET_KEY, SLATEDB_TEST_S3_REGION,
#   SLATEDB_TEST_S3_BUCKET
# Registers a cleanup step that stops the daemons and removes their folder. Failure handling: common.sh.
# shellcheck source=scripts/test-servers/common.sh
source "$root/scripts/test-servers/common.sh"

slatedb_radosgw_install() {
  local packages=(ceph-mon ceph-osd radosgw ceph-common)
  local tools=(ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool) tool missing=0
  for tool in "${tools[@]}"; do command -v "$tool" >/dev/null 2>&1 || missing=1; done
  [ "$missing" -eq 0 ] && return 0
  # As root, or through password-less sudo (as on hosted CI runners).
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then sudo=(sudo -n env DEBIAN_FRONTEND=noninteractive); else
      echo "Ceph is not installed and this user cannot install it (run as root, or: apt-get install ${packages[*]})" >&2
      return 1
    fi
  fi
  echo "== installing ${packages[*]} (apt)"
  local apt=("${sudo[@]}" apt-get -q -y --no-install-recommends -o DPkg::Lock::Timeout=300 install "${packages[@]}")
  local update=("${sudo[@]}" apt-get -q -o DPkg::Lock::Timeout=300 update)
  # Update the package lists first only when apt does not know the packages (fresh machines ship without lists),
  # and again if the install fails (stale lists point at removed versions).
  if ! apt-cache show radosgw >/dev/null 2>&1; then
    "${update[@]}" >/dev/null || return 1
  fi
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null 2>&1 && return 0
  "${update[@]}" >/dev/null || return 1
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null
}

slatedb_radosgw_setup() {
  local started=$SECONDS here="$root/scripts/test-servers" dir run attempt mon_port rgw_port ok=0
  unset SLATEDB_TEST_S3_ENDPOINT SLATEDB_TEST_S3_ACCESS_KEY SLATEDB_TEST_S3_SECRET_KEY SLATEDB_TEST_S3_REGION SLATEDB_TEST_S3_BUCKET
  if ! slatedb_radosgw_install; then
    slatedb_server_failed radosgw "could not install Ceph with apt-get"; return
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/slatedb-ceph.XXXXXX") || { slatedb_server_failed radosgw "mktemp failed"; return; }
  run="$dir/run"
  cleanup_steps+=("D='$run' bash '$here/stop-ceph.sh'; rm -rf '$dir'")
  for attempt in 1 2 3; do
    mon_port=$(slatedb_free_port) && rgw_port=$(slatedb_free_port "$mon_port") || break
    if D="$run" MON_PORT=$mon_port RGW_PORT=$rgw_port timeout 120 bash "$here/start-ceph.sh" >"$dir/start.log" 2>&1; then
      ok=1; break
    fi
    echo "radosgw start attempt $attempt failed; log: $(tail -n 3 "$dir/start.log" | tr '\n' ' ')" >&2
    D="$run" bash "$here/stop-ceph.sh"
  done
  if [ "$ok" -ne 1 ]; then
    slatedb_server_failed radosgw "could not start (see $dir/start.log)"; return
  fi
  # Create the bucket (curl signs with SigV4; body-less requests work with UNSIGNED-PAYLOAD on RGW).
  local status
  status=$(curl -s -o "$dir/bucket.out" -w '%{http_code}' --max-time 30 -X PUT \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user TESTKEY:TESTSECRET -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    "http://127.0.0.1:$rgw_port/slatedb-test")
  if [ "$status" != "200" ]; then
    slatedb_server_failed radosgw "creating the bucket returned HTTP $status: $(cat "$dir/bucket.out")"; return
  fi
  export SLATEDB_TEST_S3_ENDPOINT="http://127.0.0.1:$rgw_port" SLATEDB_TEST_S3_ACCESS_KEY=TESTKEY \
    SLATEDB_TEST_S3_SECRET_KEY=TESTSECRET SLATEDB_TEST_S3_REGION=us-east-1 SLATEDB_TEST_S3_BUCKET=slatedb-test
  echo "== radosgw on $SLATEDB_TEST_S3_ENDPOINT, bucket slatedb-test ($((SECONDS - started)) s)"
}

slatedb_radosgw_setup
