#!/usr/bin/env bash
# run.sh — `make bench`: the server side by side with baselines measured in the same run.
#   1. GET /api/v1/filings/{id} with a bearer token vs nginx serving the same JSON bytes (wrk, 64 conns)
#   2. PUT of the draft document (a real write each time) vs a plain C loop inserting the same document
#      into SQLite with the same synchronous setting
#   3. both on PostgreSQL, one node and two nodes behind nginx, beside SQLite (bench/pg.sh)
# Then validation and its floor (bench/validate_floor.c), the Django + DRF peer (bench/django/bench.sh: GET, PUT and validation beside
# beian's), the policy impact and the standing check, the notification outbox, and a soak.
# Prints a Markdown table for docs/performance.md. BENCH_SECONDS (default 10) sets each run's length;
# BENCH_ONLY=put runs only the PUT and its C loop (the figures of the save path) and stops there.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-64}
BIN=${BENCH_BIN:-build/beian}   # BENCH_BIN: another build of the server, for before/after runs
work=$(mktemp -d /tmp/beian-bench.XXXXXX)
cleanup() {   # every step even when one fails (a server already gone): set -e must not skip the rest
  [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null || true
  for f in "${narrow_pid:-}" "${cfloor_pid:-}" "${twin_pid:-}"; do [ -n "$f" ] && kill "$f" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -o "$work/sqlite_insert" bench/sqlite_insert.c $(pkg-config --cflags --libs sqlite3)

. bench/lib.sh
P=$(port); NP=$(port)
$BIN init "$work/data" --demo > "$work/logins"
start_node "$work/data" "$P" "$work/server.log"
srv=$node_pid
prepare "http://127.0.0.1:$P" "$work/logins"
# the exact bytes the GET returns, served by nginx as a static file
mkdir -p "$work/www/api/v1/filings"
api "http://127.0.0.1:$P/api/v1/filings/$FID" -H "Authorization: Bearer $TOKEN" > "$work/www/api/v1/filings/$FID"
BYTES=$(stat -c %s "$work/www/api/v1/filings/$FID")
serve_static "$work" "$NP"
sleep 0.3

rss_kb() { awk '/VmHWM/{print $2}' "/proc/$srv/status"; }

if [ "${BENCH_ONLY:-}" != put ]; then
  read -r n1 d1 p50a p99a e1 < <(run_wrk "http://127.0.0.1:$P/api/v1/filings/$FID" bench/get.lua "$TOKEN")
  read -r n2 d2 p50b p99b e2 < <(run_wrk "http://127.0.0.1:$NP/api/v1/filings/$FID" bench/get.lua "")
fi
# The PUT beside its two floors (bench/put_floor.c): the same saves doing only the work they
# cannot skip, and the same doing besides everything else the API promises (--contract, on a copy
# of beian's database; it must answer as beian does). The machine's speed drifts by 10 % and more
# within a minute, so they run in turn, BENCH_PUT_ROUNDS times (default 8), and the figures are the
# medians, with beian's ratio to the contract floor round by round (paired); the CPU a PUT is each
# process's user + system time over its runs. A second contract floor, the same program on its own
# copy (the twin), runs in the rounds too: its ratio to the first is what the method reads where the
# truth is 1.00, i.e. how finely this run can tell two servers apart. Each round starts one place
# further along the order, so each server runs in each place equally often (whoever follows a
# writer also pays for the writer's pages still being flushed); beian runs on one side of the
# contract floor and the twin on the other, so both pairs lie equally far apart in time.
FP=$(port); CP=$(port); TP=$(port)
start_floor "$FP" "$work/floor.db" "$work/floor.log"; narrow_pid=$floor_pid
start_floor "$CP" "$work/cfloor.db" "$work/cfloor.log" --contract "$work/data/beian.db"; cfloor_pid=$floor_pid
start_floor "$TP" "$work/twin.db" "$work/twin.log" --contract "$work/data/beian.db"; twin_pid=$floor_pid
for u in "$CP" "$TP"; do
  if ! same_reply "http://127.0.0.1:$P" "http://127.0.0.1:$u"; then
    kill "$narrow_pid" "$cfloor_pid" "$twin_pid"; echo "bench: the floor with the whole contract does not answer as beian does" >&2; exit 1
  fi
done
declare -A rates cpu_us last
order=(beian cfloor twin floor)
for round in $(seq "${BENCH_PUT_ROUNDS:-8}"); do
  for k in 0 1 2 3; do
    who=${order[$(((round - 1 + k) % 4))]}
    case $who in
      beian) pid=$srv; u=$P ;; floor) pid=$narrow_pid; u=$FP ;; cfloor) pid=$cfloor_pid; u=$CP ;; twin) pid=$twin_pid; u=$TP ;;
    esac
    t0=$(cpu_ticks "$pid")
    read -r n d p50 p99 e < <(run_wrk "http://127.0.0.1:$u/" bench/put.lua "$TOKEN")
    t1=$(cpu_ticks "$pid")
    rates[$who]="${rates[$who]:+${rates[$who]} }$(rps "$n" "$d")"
    cpu_us[$who]="${cpu_us[$who]:+${cpu_us[$who]} }$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN{printf "%.0f", t / hz * 1e6 / n}')"
    last[$who]="$p50 $p99 $e"
  done
done
kill "$narrow_pid" "$cfloor_pid" "$twin_pid" 2>/dev/null; wait "$narrow_pid" "$cfloor_pid" "$twin_pid" 2>/dev/null || true
LOOP=$("$work/sqlite_insert" "$work/loop.db" "$work/doc.json" "$SECS")
median() { tr ' ' '\n' <<<"$1" | sort -n | awk '{v[NR]=$1} END{print (NR % 2) ? v[(NR+1)/2] : int((v[NR/2]+v[NR/2+1])/2)}'; }
PUT=$(median "${rates[beian]}"); FLOOR=$(median "${rates[floor]}"); CFLOOR=$(median "${rates[cfloor]}")
read -r p50c p99c e3 <<<"${last[beian]}"; read -r p50d p99d e4 <<<"${last[floor]}"; read -r p50e p99e e5 <<<"${last[cfloor]}"
cpu_of() { median "${cpu_us[$1]}"; }
# a ÷ b round by round (each round runs them one after the other, so a drift of the machine's
# speed mostly cancels), and the median of those ratios
paired() {
  local r
  r=$(paste -d' ' <(tr ' ' '\n' <<<"$1") <(tr ' ' '\n' <<<"$2") | awk '{printf "%.2f\n", $1 / $2}')
  echo "$(tr '\n' ' ' <<<"$r")(median $(sort -n <<<"$r" | awk '{v[NR] = $1} END {printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'))"
}
put_rows() {
  echo "| PUT /api/v1/filings/{id}/document (beian, 64 drafts; rounds: ${rates[beian]}) | $PUT | $(ms "$p50c") | $(ms "$p99c") | $e3 | $(ratio "$PUT" "$LOOP" loop) |"
  echo "| plain C loop: INSERT same document, WAL, synchronous=FULL | $LOOP | | | | baseline |"
  echo "| floor: the same PUTs doing only token, row, parse, pack check, text, row + audit, group commit (bench/put_floor.c; rounds: ${rates[floor]}) | $FLOOR | $(ms "$p50d") | $(ms "$p99d") | $e4 | beian at $(ratio "$PUT" "$FLOOR" floor) |"
  echo "| floor with the whole contract: besides, records' check, list columns, audit before/after, the reply's columns, actions, ETag, headers, log line (bench/put_floor.c --contract; rounds: ${rates[cfloor]}) | $CFLOOR | $(ms "$p50e") | $(ms "$p99e") | $e5 | beian at $(ratio "$PUT" "$CFLOOR" floor) |"
  echo
  echo "CPU a PUT (user + system, median of the rounds): beian $(cpu_of beian) µs (${cpu_us[beian]}), floor $(cpu_of floor) µs (${cpu_us[floor]}), floor with the whole contract $(cpu_of cfloor) µs (${cpu_us[cfloor]}): beian at $(ratio "$(cpu_of cfloor)" "$(cpu_of beian)" "the contract floor's rate per CPU-second")"
  echo
  echo "Round by round, beian ÷ the contract floor: rate $(paired "${rates[beian]}" "${rates[cfloor]}"); rate per CPU-second $(paired "${cpu_us[cfloor]}" "${cpu_us[beian]}")"
  echo
  echo "The method's resolution, the contract floor's twin ÷ the contract floor (the same program: the truth is 1.00): rate $(paired "${rates[twin]}" "${rates[cfloor]}"); rate per CPU-second $(paired "${cpu_us[cfloor]}" "${cpu_us[twin]}")"
}
if [ "${BENCH_ONLY:-}" = put ]; then
  echo "Run: $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, ${SECS}s per run, $CONNS connections (wrk -t2), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "| what | requests/s | p50 ms | p99 ms | errors | ratio |"
  echo "|---|---:|---:|---:|---:|---:|"
  put_rows
  exit 0
fi
RSS=$(rss_kb)
G=$(rps "$n1" "$d1"); NG=$(rps "$n2" "$d2")
echo
echo "Run: $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, ${SECS}s per run, $CONNS connections (wrk -t2), document $BYTES bytes"
echo
echo "| what | requests/s | p50 ms | p99 ms | errors | ratio |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| GET /api/v1/filings/{id} (beian, bearer token) | $G | $(ms "$p50a") | $(ms "$p99a") | $e1 | $(ratio "$G" "$NG" nginx) |"
echo "| nginx, same bytes as a static file | $NG | $(ms "$p50b") | $(ms "$p99b") | $e2 | baseline |"
put_rows
echo
echo "beian peak RSS (VmHWM): $((RSS / 1024)) MiB"

# the same GET and PUT on PostgreSQL, one node and two behind nginx, beside SQLite (bench/pg.sh)
BIN=$BIN bench/pg.sh

# materials: upload and download of a 100 MiB file vs cp, peak RSS (bench/upload.sh)
BIN=$BIN bench/upload.sh

# policy: validation of the reference filing against raw parsing of the same bytes (one thread)
echo
echo "Validation of policy/cn-cloud/fixtures/reference.json (build/bench_validate, one thread):"
echo '```'
build/bench_validate
echo '```'
# its floor: the same validation doing only what it cannot skip, each part the plainest way, beside
# beian's in the same process (bench/validate_floor.c)
echo
echo "Validation against its floor (build/validate_floor, one thread):"
echo '```'
build/validate_floor
echo '```'

# the stack users would otherwise pick: Django + DRF + jsonschema under gunicorn, same SQLite
# settings, same wrk scripts and document, its answers checked first; beian's GET and PUT again
# beside it, with CPU per request; ratios beian ÷ Django
BEIAN_URL=http://127.0.0.1:$P BEIAN_PID=$srv BEIAN_TOKEN=$TOKEN BEIAN_FILING=$FID BEIAN_DRAFTS=$DRAFTS \
  bench/django/bench.sh "$work"

# policy impact over generated filed filings (IMPACT_FILINGS, default 1,000,000)
echo
bench/impact.sh

# notifications: the outbox's deliveries to a local webhook receiver beside the plain write rate
echo
BEIAN_BIN=$BIN node bench/notify.mjs "${NOTIFY_ACTIONS:-2000}"

# soak: mixed reads and writes for SOAK_SECONDS (default 60), p99, errors, RSS and fds over time
BIN=$BIN bench/soak.sh
