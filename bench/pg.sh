#!/usr/bin/env bash
# pg.sh — GET /api/v1/filings/{id} and PUT of the draft document on PostgreSQL, with one node and
# with two nodes behind nginx (Debian's nginx-light, keep-alive to the nodes), beside SQLite,
# measured in the same run on the same machine so that the ratios hold even when neighbours load
# it. PostgreSQL is a private cluster (tests/pg/start.sh) with its durable defaults (fsync and
# synchronous_commit on), as SQLite runs with synchronous=FULL: an acknowledged write is durable.
# One node behind nginx too, so that the second node's share is told apart from the proxy's.
# Prints a Markdown table for docs/performance.md. BENCH_SECONDS (default 10), BENCH_CONNS (64).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-64}
BIN=${BIN:-build/beian}
work=$(mktemp -d /tmp/beian-bench-pg.XXXXXX)
pids=()
cleanup() {   # every step even when one fails
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for c in "$work"/nginx*.pid; do [ -f "$c" ] && kill "$(cat "$c")" 2>/dev/null || true; done
  [ -n "${BEIAN_PG_DIR:-}" ] && tests/pg/stop.sh "$BEIAN_PG_DIR"
  rm -rf "$work"
}
trap cleanup EXIT
. bench/lib.sh
cp "$BIN" "$work/beian"; BIN=$work/beian   # a rebuild of build/ during the run does not change it
chmod 755 "$work"

eval "$(BEIAN_PG_DURABLE=1 tests/pg/start.sh)"

# SQLite: one node
SP=$(port)
$BIN init "$work/sqlite" --demo > "$work/sqlite.logins" 2>/dev/null
start_node "$work/sqlite" "$SP" "$work/sqlite.log"; pids+=("$node_pid")
prepare "http://127.0.0.1:$SP" "$work/sqlite.logins"
S_TOKEN=$TOKEN S_FID=$FID S_DRAFTS=$DRAFTS

# PostgreSQL: node A, then node B with a copy of A's data directory (its keys, store.uri)
AP=$(port); BP=$(port)
$BIN init "$work/pg-a" --store "$BEIAN_PG_URI" --demo > "$work/pg.logins" 2>/dev/null
start_node "$work/pg-a" "$AP" "$work/pg-a.log"; pids+=("$node_pid")
cp -a "$work/pg-a" "$work/pg-b"
start_node "$work/pg-b" "$BP" "$work/pg-b.log"; pids+=("$node_pid")
prepare "http://127.0.0.1:$AP" "$work/pg.logins"
P_TOKEN=$TOKEN P_FID=$FID P_DRAFTS=$DRAFTS

# nginx in front: of node A alone, and of both
proxy() { # name port node-ports…
  local name=$1 p=$2; shift 2
  local servers=""; for n in "$@"; do servers="$servers server 127.0.0.1:$n;"; done
  cat > "$work/$name.conf" <<NGX
worker_processes 1;
daemon on;
pid $work/$name.pid;
error_log $work/$name-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/$name-body; proxy_temp_path $work/$name-proxy;
  upstream beian { $servers keepalive 64; }
  server {
    listen 127.0.0.1:$p;
    location / { proxy_pass http://beian; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host; }
  }
}
NGX
  nginx -c "$work/$name.conf" -p "$work" 2>/dev/null
}
N1=$(port); N2=$(port)
proxy nginx1 "$N1" "$AP"
proxy nginx2 "$N2" "$AP" "$BP"
sleep 0.3

LOAD_BEFORE=$(load_average)
# measure NAME URL TOKEN FID DRAFTS -> sets <NAME>_G <NAME>_GP50 … <NAME>_PUT … <NAME>_ERR
measure() {
  local name=$1 url=$2; TOKEN=$3; DRAFTS=$5
  local n1 d1 g50 g99 e1 n2 d2 p50 p99 e2
  # warm-up, not counted: each node's connections prepare their statements on first use
  SECS=2 run_wrk "$url/api/v1/filings/$4" bench/get.lua "$TOKEN" >/dev/null
  SECS=2 run_wrk "$url/" bench/put.lua "$TOKEN" >/dev/null
  read -r n1 d1 g50 g99 e1 < <(run_wrk "$url/api/v1/filings/$4" bench/get.lua "$TOKEN")
  read -r n2 d2 p50 p99 e2 < <(run_wrk "$url/" bench/put.lua "$TOKEN")
  printf -v "${name}_G" %s "$(rps "$n1" "$d1")"; printf -v "${name}_G50" %s "$(ms "$g50")"; printf -v "${name}_G99" %s "$(ms "$g99")"
  printf -v "${name}_P" %s "$(rps "$n2" "$d2")"; printf -v "${name}_P50" %s "$(ms "$p50")"; printf -v "${name}_P99" %s "$(ms "$p99")"
  printf -v "${name}_E" %s "$((e1 + e2))"
}
measure SQ "http://127.0.0.1:$SP" "$S_TOKEN" "$S_FID" "$S_DRAFTS"
measure PG1 "http://127.0.0.1:$AP" "$P_TOKEN" "$P_FID" "$P_DRAFTS"
measure PGN1 "http://127.0.0.1:$N1" "$P_TOKEN" "$P_FID" "$P_DRAFTS"
measure PG2 "http://127.0.0.1:$N2" "$P_TOKEN" "$P_FID" "$P_DRAFTS"
LOAD_AFTER=$(load_average)

row() { # label prefix
  local g="${2}_G" g50="${2}_G50" g99="${2}_G99" p="${2}_P" p50="${2}_P50" p99="${2}_P99" e="${2}_E"
  echo "| $1 | ${!g} | ${!g50} | ${!g99} | $(ratio "${!g}" "$SQ_G" SQLite) | ${!p} | ${!p50} | ${!p99} | $(ratio "${!p}" "$SQ_P" SQLite) | ${!e} |"
}
echo
echo "Run: $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores shared with other work (load average $LOAD_BEFORE before, $LOAD_AFTER after), ${SECS}s per run, $CONNS connections (wrk -t2), $(psql --version | awk '{print "PostgreSQL " $3}') with fsync and synchronous_commit on"
echo
echo "| store, nodes | GET req/s | p50 ms | p99 ms | GET ratio | PUT req/s | p50 ms | p99 ms | PUT ratio | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
row "SQLite, one node" SQ
row "PostgreSQL, one node" PG1
row "PostgreSQL, one node behind nginx" PGN1
row "PostgreSQL, two nodes behind nginx" PG2
