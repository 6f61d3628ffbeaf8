#!/usr/bin/env bash
# get.sh — the GET part of `make bench` alone, repeated: GET /api/v1/filings/{id} with a bearer
# token against nginx serving the same bytes, and the floor libmicrohttpd sets (bench/mhd_floor.c:
# the same bytes from memory, nothing else), side by side in turns, GET_ROUNDS times (default 3).
# Prints per round requests/s of each, the ratio, and the CPU each server spent per request
# (user + system of its process over the run, from /proc), plus the load average, since the
# machine may be shared. BENCH_SECONDS (default 10), BENCH_CONNS (64), BEIAN_THREADS (8).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-64}
ROUNDS=${GET_ROUNDS:-3}
THREADS=${BEIAN_THREADS:-8}
BIN=${BIN:-build/beian}
work=$(mktemp -d /tmp/beian-get.XXXXXX)
cleanup() {
  [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null || true
  [ -n "${floor:-}" ] && kill "$floor" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

. bench/lib.sh   # port, api, json_field, serve_static
P=$(port); NP=$(port); FP=$(port)
$BIN init "$work/data" --demo > "$work/logins"
$BIN serve --data "$work/data" --listen "127.0.0.1:$P" --threads "$THREADS" 2>"$work/server.log" &
srv=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$P/healthz" >/dev/null && break; sleep 0.05; done
pw() { awk -v l="$1" '$2==l{print $3}' "$work/logins"; }
TOKEN=$(api -XPOST "http://127.0.0.1:$P/api/v1/session" -H 'content-type: application/json' \
  -d "{\"login\":\"filer\",\"password\":\"$(pw filer)\"}" | json_field token)
H=(-H "Authorization: Bearer $TOKEN" -H 'content-type: application/json')
SYS=$(api -XPOST "http://127.0.0.1:$P/api/v1/systems" "${H[@]}" -d '{"name":"bench"}' | json_field id)
FID=$(api -XPOST "http://127.0.0.1:$P/api/v1/filings" "${H[@]}" -d "{\"system_id\":$SYS}" | json_field id)
bench/bench_doc.py "http://127.0.0.1:$P" "$TOKEN" "$work/doc.json"
api -XPUT "http://127.0.0.1:$P/api/v1/filings/$FID/document" "${H[@]}" -H 'If-Match: *' --data-binary @"$work/doc.json" >/dev/null
mkdir -p "$work/www/api/v1/filings"
BODY="$work/www/api/v1/filings/$FID"
api "http://127.0.0.1:$P/api/v1/filings/$FID" -H "Authorization: Bearer $TOKEN" > "$BODY"
BYTES=$(stat -c %s "$BODY")
serve_static "$work" "$NP"
cc -O2 -o "$work/mhd_floor" bench/mhd_floor.c $(pkg-config --cflags --libs libmicrohttpd)
"$work/mhd_floor" "$FP" "$THREADS" "$BODY" &
floor=$!
sleep 0.3

run_wrk() { # url token -> "requests duration_us p50_us p99_us errors"
  BENCH_TOKEN="$2" wrk -t2 -c"$CONNS" -d"${SECS}s" -s bench/get.lua "$1" | awk '/^BENCH/{print $2, $3, $4, $5, $6}'
}
ticks() { # CPU clock ticks (user + system) of the given processes, all threads
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}
HZ=$(getconf CLK_TCK)
measure() { # label url token pids... -> prints "rps cpu_us_per_request p50_ms p99_ms errors"
  local url=$1 token=$2; shift 2
  local before after n d p50 p99 e
  before=$(ticks "$@")
  read -r n d p50 p99 e < <(run_wrk "$url" "$token")
  after=$(ticks "$@")
  awk -v n="$n" -v d="$d" -v t=$((after - before)) -v hz="$HZ" -v p50="$p50" -v p99="$p99" -v e="$e" \
    'BEGIN{printf "%.0f %.1f %.2f %.2f %d\n", n/(d/1e6), t/hz*1e6/n, p50/1000, p99/1000, e}'
}
nginx_pids() { pgrep -P "$(cat "$work/nginx.pid")" | tr '\n' ' '; cat "$work/nginx.pid"; }

echo "GET /api/v1/filings/$FID: $BYTES bytes, ${SECS}s per run, $CONNS connections (wrk -t2), beian --threads $THREADS, $(nproc) cores"
echo
echo "| round | load avg (1 min) | beian req/s | nginx req/s | MHD floor req/s | beian / nginx | floor / nginx | beian / floor | CPU µs/req beian · nginx · floor | p99 ms beian · nginx |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
for round in $(seq "$ROUNDS"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  read -r b bc b50 b99 be < <(measure "http://127.0.0.1:$P/api/v1/filings/$FID" "$TOKEN" "$srv")
  read -r g gc g50 g99 ge < <(measure "http://127.0.0.1:$NP/api/v1/filings/$FID" "" $(nginx_pids))
  read -r f fc f50 f99 fe < <(measure "http://127.0.0.1:$FP/api/v1/filings/$FID" "" "$floor")
  [ "$be$ge$fe" = 000 ] || echo "round $round: errors beian $be nginx $ge floor $fe" >&2
  awk -v r="$round" -v l="$load" -v b="$b" -v g="$g" -v f="$f" -v bc="$bc" -v gc="$gc" -v fc="$fc" -v b99="$b99" -v g99="$g99" \
    'BEGIN{printf "| %d | %s | %d | %d | %d | %.2f× | %.2f× | %.2f× | %s · %s · %s | %s · %s |\n", r, l, b, g, f, b/g, f/g, b/f, bc, gc, fc, b99, g99}'
done
grep -c ' 200 ' "$work/server.log" | awk '{print "\nbeian logged " $1 " answered GETs"}'
