#!/usr/bin/env bash
# put_ab.sh — CPU per PUT of two beian builds side by side, for before/after comparisons on a
# machine whose load drifts: bench/put_ab.sh BIN_A BIN_B
# Both servers start on fresh demo data with 64 drafts each (bench/lib.sh's prepare); then
# PUT_AB_ROUNDS (default 3) rounds of an 8 s wrk run against A, then B, each measured by perf stat
# (task-clock of the server process: user + system, its context switches, and its fdatasync, pread64 and pwrite64 calls).
# Prints PUT/s, latency, CPU µs per PUT and those calls per PUT, per run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${BENCH_SECONDS:-8}; CONNS=64
A=$1; B=$2
work=$(mktemp -d /tmp/beian-ab.XXXXXX)
. bench/lib.sh
declare -A pid port tok drafts
trap 'kill ${pid[A]:-} ${pid[B]:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for who in A B; do
  BIN=${!who}
  mkdir -p "$work/$who"
  $BIN init "$work/$who/data" --demo > "$work/$who/logins" 2>/dev/null
  p=$(port)
  start_node "$work/$who/data" "$p" "$work/$who/server.log"
  pid[$who]=$node_pid; port[$who]=$p
  base=$work; work=$base/$who; prepare "http://127.0.0.1:$p" "$work/logins"; work=$base
  tok[$who]=$TOKEN; drafts[$who]=$DRAFTS
done
for round in $(seq "${PUT_AB_ROUNDS:-3}"); do
  for who in A B; do
    perf stat -x, -e task-clock,context-switches,syscalls:sys_enter_fdatasync,syscalls:sys_enter_pread64,syscalls:sys_enter_pwrite64 \
      -p "${pid[$who]}" -o "$work/stat" -- sleep $((SECS - 1)) &
    ps_=$!
    DRAFTS=${drafts[$who]}; base=$work; work=$base/$who
    read -r n d p50 p99 err < <(run_wrk "http://127.0.0.1:${port[$who]}/" bench/put.lua "${tok[$who]}")
    work=$base
    wait $ps_
    ms=$(awk -F, '/task-clock/{print $1}' "$work/stat")
    # perf counted SECS-1 of the SECS seconds: the requests scaled to that window
    cpu=$(awk -v t="$ms" -v n="$n" -v s="$SECS" 'BEGIN{printf "%.0f", t*1000/(n*(s-1)/s)}')
    calls=$(awk -F, -v n="$n" -v s="$SECS" '/syscalls|context-switches/{sub("syscalls:sys_enter_","",$3); printf "%s %.2f ", $3, $1/(n*(s-1)/s)}' "$work/stat")
    echo "round $round, $who (${!who}): $(rps "$n" "$d") PUT/s, errors $err, p50 $((p50/1000)) ms p99 $((p99/1000)) ms, $cpu µs CPU per PUT; per PUT: $calls"
  done
done
