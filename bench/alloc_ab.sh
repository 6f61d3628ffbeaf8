#!/usr/bin/env bash
# alloc_ab.sh — beian and the contract floor (bench/put_floor.c --contract), each with the
# build's own allocator and with another one preloaded, in turn: bench/alloc_ab.sh LIB
# (say /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4). Two demo data directories with 64
# drafts each (bench/lib.sh's prepare); ROUNDS (default 3) rounds of an 8 s wrk run against each
# of the four in turn: beian (b) and the contract floor (c), with their own allocator (-own) and
# with LIB (-lib). Prints PUT/s, CPU µs a PUT (user + system) and wrk's errors for each.
set -euo pipefail
cd "$(dirname "$0")/.."
LIB=${1:?usage: bench/alloc_ab.sh LIB}
SECS=${BENCH_SECONDS:-8}; CONNS=64; BIN=${BIN:-build/beian}
work=$(mktemp -d /tmp/beian-alloc.XXXXXX)
. bench/lib.sh
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
declare -A url pid tok drafts
for v in own lib; do
  mkdir -p "$work/$v"
  "$BIN" init "$work/$v/data" --demo > "$work/$v/logins" 2>/dev/null
  p=$(port)
  preload=""; [ "$v" = lib ] && preload=$LIB
  LD_PRELOAD=$preload start_node "$work/$v/data" "$p" "$work/$v/server.log"
  pids+=("$node_pid"); pid[b-$v]=$node_pid; url[b-$v]=http://127.0.0.1:$p/
  base=$work; work=$base/$v; prepare "http://127.0.0.1:$p" "$work/logins"; work=$base
  tok[$v]=$TOKEN; drafts[$v]=$DRAFTS
  cp=$(port)
  LD_PRELOAD=$preload start_floor "$cp" "$work/$v/cfloor.db" "$work/$v/cfloor.log" --contract "$work/$v/data/beian.db"
  pids+=("$floor_pid"); pid[c-$v]=$floor_pid; url[c-$v]=http://127.0.0.1:$cp/
done
for round in $(seq "${ROUNDS:-3}"); do
  line="round $round:"
  for w in b-own b-lib c-own c-lib; do
    v=${w#*-}; DRAFTS=${drafts[$v]}
    t0=$(cpu_ticks "${pid[$w]}")
    base=$work; work=$base/$v
    read -r n d _ _ e < <(run_wrk "${url[$w]}" bench/put.lua "${tok[$v]}")
    work=$base
    t1=$(cpu_ticks "${pid[$w]}")
    cpu=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN{printf "%.0f", t / hz * 1e6 / n}')
    line="$line  $w $(rps "$n" "$d")/s ${cpu} µs errors $e"
  done
  echo "$line"
done
