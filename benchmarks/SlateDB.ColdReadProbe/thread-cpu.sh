#!/bin/bash
# Runs one SlateDB.ColdReadProbe pass with --wait, attaches `perf stat --per-thread` to the timed pass only, and prints
# the CPU per op of the tiered-compilation thread apart from every other thread (our code, GC, kernel), beside the
# probe's own line. Needs perf. The machine may be shared: compare builds by alternating runs.
#   thread-cpu.sh BINDIR MODE DIR [probe options]
#   e.g. benchmarks/SlateDB.ColdReadProbe/thread-cpu.sh benchmarks/SlateDB.ColdReadProbe/bin/Release/net10.0 reopen /tmp/db
set -euo pipefail
BIN=$(cd "$1" && pwd); MODE=$2; DIR=$3; shift 3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkfifo "$WORK/in"
(cd "$BIN" && exec dotnet SlateDB.ColdReadProbe.dll "$MODE" "$DIR" "$@" --wait < "$WORK/in" > "$WORK/out" 2> "$WORK/err") &
PROBE=$!
exec 3> "$WORK/in"
until grep -q "press enter" "$WORK/err" 2> /dev/null; do
  kill -0 "$PROBE" 2> /dev/null || { cat "$WORK/err" >&2; exit 1; }
  sleep 0.2
done
PID=$(grep -o "pid [0-9]*" "$WORK/err" | cut -d' ' -f2)
perf stat --per-thread -e task-clock -p "$PID" -o "$WORK/perf" 2> /dev/null &
PERF=$!
sleep 0.3
echo >&3
wait "$PROBE"
kill -INT "$PERF"; wait "$PERF" || true
exec 3>&-
OPS=$(grep -o "ops [0-9,]*" "$WORK/out" | head -1 | tr -d , | cut -d' ' -f2)
awk -v ops="$OPS" '/msec task-clock/ {
    for (i = 1; i <= NF; i++) if ($i == "msec") ms = $(i - 1)
    gsub(",", "", ms)
    if ($0 ~ /Tiered/) jit += ms; else other += ms
  }
  END { printf "other threads %.2f us/op, tiered-compilation thread %.2f us/op | ", other * 1000 / ops, jit * 1000 / ops }' "$WORK/perf"
tail -1 "$WORK/out"
