#!/usr/bin/env bash
# Stops the Ceph daemons start-ceph.sh started under $D, using the pid files they wrote: SIGTERM to all three at once
# (a throwaway cluster needs no orderly shutdown), then SIGKILL to any still running after 10 s.
D=${D:-/tmp/ceph/run}
pids=()
for n in client.rgw.a osd.0 mon.a; do
  f="$D/run/$n.pid"; [ -f "$f" ] || continue
  p=$(cat "$f")
  kill -TERM "$p" 2>/dev/null && pids+=("$p")
done
alive() { kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != "Z" ]; }
for _ in $(seq 1 50); do
  running=0
  for p in "${pids[@]}"; do alive "$p" && running=1; done
  [ "$running" -eq 0 ] && break
  sleep 0.2
done
for p in "${pids[@]}"; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
exit 0
