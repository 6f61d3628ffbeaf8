#!/usr/bin/env bash
# soak.sh — the soak of issue 6: a mixed load (bench/soak.lua: 80 % reads, 20 % writes, 32
# connections) against a server of its own for SOAK_SECONDS (default 60; SOAK_SECONDS=600 for
# ten minutes), run as back-to-back wrk slices of SOAK_SLICE seconds (default 10, 30 from 300 s
# on). After each slice: requests/s, p50/p99, errors, the server's RSS, open fds, store size and
# CPU (% of one core: when req/s falls, a server that uses less CPU is starved by neighbours).
# Aims: zero errors; RSS flat after warm-up: its growth outside what the server says is bounded
# and reusable under SOAK_RSS_LIMIT_MIB (default 8). The warm-up is the first SOAK_WARMUP seconds
# (default: half the run). /metrics tells two such parts, and each slice prints them:
#  - SQLite's page caches (beian_store_page_cache_bytes), each connection's bounded by cache_size.
#    They step up once, 50-60 s into the run, when the server's one-minute timers (the standing
#    check above all) first run under load and their connections fill their caches
#    (docs/performance.md, "Soak", ninth session);
#  - the free space inside the C allocator's arenas (beian_heap_bytes{state="free"}):
#    fragmentation, which grows through the first 30-60 s and then levels (a 150 s run).
#    A leak would grow the bytes in use (beian_heap_bytes{state="in_use"}) instead: printed too.
# The growth of the whole RSS is printed. Exits non-zero on any error, RSS growth over the limit,
# or a server that died or no longer answers /healthz. SOAK_SERVER_ARGS: more options for the server (say --checkpoint-interval 3600).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${SOAK_SECONDS:-60}
SLICE=${SOAK_SLICE:-$([ "$SECS" -ge 300 ] && echo 30 || echo 10)}
CONNS=${SOAK_CONNS:-32}
WARMUP=${SOAK_WARMUP:-$((SECS / 2))}
LIMIT=${SOAK_RSS_LIMIT_MIB:-8}
BIN=${BIN:-build/beian}
work=$(mktemp -d "${BENCH_DIR:-/tmp}/beian-soak.XXXXXX")
cleanup() { [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null || true; rm -rf "$work"; }  # also when the server is gone
trap cleanup EXIT
cp "$BIN" "$work/beian"                  # a rebuild of build/ during the run does not change it
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
P=$(port)
URL="http://127.0.0.1:$P"
"$work/beian" init "$work/data" --demo > "$work/logins" 2>/dev/null
"$work/beian" serve --data "$work/data" --listen "127.0.0.1:$P" --threads 8 ${SOAK_SERVER_ARGS:-} 2>"$work/server.log" &
srv=$!
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.05; done
pw() { awk -v l="$1" '$2==l{print $3}' "$work/logins"; }
id() { python3 -c 'import json,sys;print(json.load(sys.stdin)["'"${1:-id}"'"])'; }
TOKEN=$(curl -sf -XPOST "$URL/api/v1/session" -H 'content-type: application/json' \
  -d "{\"login\":\"filer\",\"password\":\"$(pw filer)\"}" | id token)
H=(-H "Authorization: Bearer $TOKEN" -H 'content-type: application/json')
SYS=$(curl -sf -XPOST "$URL/api/v1/systems" "${H[@]}" -d '{"name":"soak"}' | id)
# the benches' document (bench/bench_doc.py: the reference filing, its materials uploaded first);
# soak.lua puts a counter in the description
bench/bench_doc.py "$URL" "$TOKEN" "$work/doc.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
d["system"]["description"]+=" __COUNTER__"; json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)' \
  "$work/doc.json" "$work/doc-template.json"
# 64 drafts with the full document, read and saved over and over
DRAFTS=""
for i in $(seq 64); do
  D=$(curl -sf -XPOST "$URL/api/v1/filings" "${H[@]}" -d "{\"system_id\":$SYS}" | id)
  sed "s/__COUNTER__/$i/" "$work/doc-template.json" |
    curl -sf -XPUT "$URL/api/v1/filings/$D/document" "${H[@]}" -H 'If-Match: *' --data-binary @- >/dev/null
  DRAFTS="${DRAFTS:+$DRAFTS,}$D"
done

kib() { awk '/^'"$1"':/{print $2}' "/proc/$srv/status"; }
mib() { awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }
fds() { ls "/proc/$srv/fd" | wc -l; }
settle() { # waits (up to 2 s, not counted) until the server has closed the last slice's connections
  for _ in $(seq 20); do [ "$(fds)" -le "$fds0" ] && return; sleep 0.1; done; }
store() { du -sk "$work/data" | awk '{printf "%.1f", $1/1024}'; }
ticks() { awk '{print $14 + $15}' "/proc/$srv/stat"; }  # the server's user + system CPU time
# KiB, from /metrics: SQLite's page caches; the allocator's bytes in use and free inside its arenas
metrics() { curl -sf --max-time 5 "$URL/metrics" | awk '/^beian_store_page_cache_bytes /{c=$2}
  /^beian_heap_bytes\{state="in_use"\} /{u=$2} /^beian_heap_bytes\{state="free"\} /{f=$2}
  END{printf "%.0f %.0f %.0f", c/1024, u/1024, f/1024}'; }
HZ=$(getconf CLK_TCK)
echo
echo "Soak: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ${SECS} s in ${SLICE} s slices, $CONNS connections (wrk -t2)," \
  "server --threads 8, beian $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+local changes')"
echo "Mix per 100 requests: 50 GET filing, 20 GET list (limit 20), 10 GET workflow, 19 PUT document (If-Match: *, 64 drafts), 1 POST new draft"
fds0=$(fds)
echo "Before the load: RSS $(mib "$(kib VmRSS)") MiB, $fds0 fds, store $(store) MiB"
echo
echo "| elapsed s | req/s | p50 ms | p99 ms | errors | RSS MiB | of it SQLite's page caches, MiB | heap in use MiB | heap free MiB | fds | store MiB | server CPU % | load 1 min |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
elapsed=0 slice=0 total=0 errors=0 died=0 rss_warm="" p99s=() fails=""
while [ "$elapsed" -lt "$SECS" ]; do
  slice=$((slice + 1))
  d=$((SECS - elapsed < SLICE ? SECS - elapsed : SLICE))
  cpu0=$(ticks)
  line=$(BENCH_TOKEN="$TOKEN" BENCH_DOC="$work/doc-template.json" BENCH_FILINGS="$DRAFTS" BENCH_SYSTEM="$SYS" \
    BENCH_SLICE="$slice" wrk -t2 -c"$CONNS" -d"${d}s" --timeout 5s -s bench/soak.lua "$URL/" | awk '/^BENCH/' || true)
  elapsed=$((elapsed + d))
  cpu=$(( $(ticks 2>/dev/null || echo "$cpu0") - cpu0 ))
  read -r _ n dur p50 p99 err conn rd wr to st codes <<<"${line:-BENCH 0 1 0 0 1 0 0 0 0 0 no-output}"
  total=$((total + n)); errors=$((errors + err))
  [ "$err" -gt 0 ] && fails="$fails slice $slice: connect $conn, read $rd, write $wr, timeout $to, status $st ($codes);"
  if ! kill -0 "$srv" 2>/dev/null; then
    died=1
    echo "| $elapsed | $(awk -v r="$n" -v d="$dur" 'BEGIN{printf "%.0f", r/(d/1e6)}') | | | $err | server died | | | | | |"
    break
  fi
  settle
  rss=$(kib VmRSS); read -r cache in_use heap_free <<<"$(metrics)"; cache=${cache:-0} in_use=${in_use:-0} heap_free=${heap_free:-0}
  { [ -z "$rss_warm" ] || [ "$elapsed" -le "$WARMUP" ]; } && rss_warm=$rss && cache_warm=$cache && in_use_warm=$in_use && free_warm=$heap_free && warm_at=$elapsed
  p99s+=("$p99")
  printf '| %d | %.0f | %.2f | %.2f | %d | %s | %s | %s | %s | %d | %s | %.0f | %s |\n' "$elapsed" "$(awk -v r="$n" -v d="$dur" 'BEGIN{print r/(d/1e6)}')" \
    "$(awk -v u="$p50" 'BEGIN{print u/1000}')" "$(awk -v u="$p99" 'BEGIN{print u/1000}')" "$err" "$(mib "$rss")" "$(mib "$cache")" \
    "$(mib "$in_use")" "$(mib "$heap_free")" "$(fds)" "$(store)" \
    "$(awk -v t="$cpu" -v h="$HZ" -v d="$d" 'BEGIN{print 100 * t / h / d}')" "$(cut -d' ' -f1 /proc/loadavg)"
done

echo
status=0
if [ "$died" = 1 ]; then
  rc=0; wait "$srv" 2>/dev/null || rc=$?
  echo "Server died during the soak (exit status $rc); last lines of its log:"
  tail -20 "$work/server.log" | sed 's/^/    /'
  srv=""; status=1
else
  rss_end=$(kib VmRSS); hwm=$(kib VmHWM); read -r cache_end in_use_end free_end <<<"$(metrics)"
  cache_end=${cache_end:-0} in_use_end=${in_use_end:-0} free_end=${free_end:-0}
  growth=$(awk -v a="$rss_warm" -v b="$rss_end" 'BEGIN{printf "%.1f", (b-a)/1024}')
  cache_growth=$(awk -v a="$cache_warm" -v b="$cache_end" 'BEGIN{printf "%.1f", (b-a)/1024}')
  in_use_growth=$(awk -v a="$in_use_warm" -v b="$in_use_end" 'BEGIN{printf "%.1f", (b-a)/1024}')
  free_growth=$(awk -v a="$free_warm" -v b="$free_end" 'BEGIN{printf "%.1f", (b-a)/1024}')
  outside=$(awk -v g="$growth" -v c="$cache_growth" -v f="$free_growth" 'BEGIN{printf "%.1f", g-c-(f>0?f:0)}')
  flat=$(awk -v g="$outside" -v l="$LIMIT" 'BEGIN{print (g <= l) ? "yes" : "no"}')
  health=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/healthz" || true)
  p99min=$(printf '%s\n' "${p99s[@]}" | sort -g | head -1); p99max=$(printf '%s\n' "${p99s[@]}" | sort -g | tail -1)
  echo "Total: $total requests in $elapsed s ($(awk -v r="$total" -v s="$elapsed" 'BEGIN{printf "%.0f", r/s}') req/s)," \
    "p99 $(awk -v u="$p99min" 'BEGIN{printf "%.2f", u/1000}')–$(awk -v u="$p99max" 'BEGIN{printf "%.2f", u/1000}') ms across slices"
  echo "RSS after warm-up ($warm_at s) $(mib "$rss_warm") MiB, at the end $(mib "$rss_end") MiB, peak (VmHWM) $(mib "$hwm") MiB;" \
    "fds at the end $(fds); store $(store) MiB (WAL $(du -k "$work/data/beian.db-wal" 2>/dev/null | awk '{printf "%.1f", $1/1024}') MiB); server log $(du -k "$work/server.log" | awk '{printf "%.0f", $1/1024}') MiB"
  echo "RSS flat after warm-up: $flat (growth $growth MiB, of it SQLite's page caches $cache_growth MiB and free space" \
    "inside the allocator's arenas $free_growth MiB: outside them $outside MiB, limit $LIMIT MiB; heap in use $in_use_growth MiB)"
  echo "server alive, /healthz: $health"
  [ "$flat" = yes ] || status=1
  [ "$health" = 200 ] || status=1
fi
echo "errors: $errors (aim 0)"
if [ "$errors" -gt 0 ]; then
  echo "  by slice:$fails"
  status=1
fi
[ "$status" = 0 ] || echo "soak.sh: FAILED" >&2
exit "$status"
