#!/usr/bin/env bash
# bench.sh — the Django + DRF peer beside beian, called by bench/run.sh: the stack users would
# otherwise pick (Debian's python3-django, python3-djangorestframework, python3-jsonschema and
# gunicorn), doing what beian's GET and PUT do — bearer token, the caller's organisation only,
# the document checked against the pack's form as a JSON Schema, If-Match against the revision,
# the update and an audit row in one transaction — on SQLite with beian's settings (WAL,
# synchronous=FULL). Same wrk scripts, same connections and seconds, the same document bytes.
#
#   bench/django/bench.sh WORK     WORK holds the run's doc.json and doc-template.json
#
# Validation is measured here for both, one thread each, per CPU-second of that thread:
# build/bench_validate's full validation and jsonschema's (validate_bench.py), rounds interleaved,
# the best of each; per CPU-second, a shared machine's scheduler does not move the ratio.
#
# Env: BENCH_SECONDS, BENCH_CONNS as in run.sh; DJANGO_WORKERS (default: one per core). With
# BEIAN_URL (a running beian), BEIAN_PID (its process), BEIAN_TOKEN, BEIAN_FILING and
# BEIAN_DRAFTS (the run's token, filing and drafts) beian's GET and PUT are measured again, each
# right before the peer's, with the CPU each server spent per request, and the ratios printed.
# Fails when the peer gives a wrong answer (the checks run before the measurements).
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=$1
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-64}
WORKERS=${DJANGO_WORKERS:-$(nproc)}
PY=/usr/bin/python3   # Debian's, whose dist-packages hold Django, DRF and jsonschema
DJ=bench/django
dir=$(mktemp -d "$WORK/django.XXXXXX")
export PYTHONDONTWRITEBYTECODE=1   # nothing written into the tree
export PEER_DB=$dir/peer.sqlite3 PEER_FORM=$PWD/policy/cn-cloud/form.json
cleanup() { [ -n "${gunicorn:-}" ] && kill "$gunicorn" 2>/dev/null; wait 2>/dev/null; true; }
trap cleanup EXIT
fail() { echo "django peer: $*" >&2; echo "gunicorn's log, last lines:" >&2; tail -20 "$dir/gunicorn.log" >&2; exit 1; }

read -r TOKEN OTHER FID DRAFTS < <($PY $DJ/seed.py "$WORK/doc.json" 64)
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
# sync workers: gunicorn's default and the faster class here (gthread with 4 or 16 threads gave
# fewer requests per second and wrk time-outs on the PUT)
$PY -m gunicorn --chdir $DJ --workers "$WORKERS" --worker-class sync --bind "127.0.0.1:$PORT" \
  --error-logfile "$dir/gunicorn.log" peer.wsgi 2>>"$dir/gunicorn.log" &
gunicorn=$!
B=http://127.0.0.1:$PORT/api/v1/filings
for _ in $(seq 200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$B/$FID")" = 401 ] && break
  kill -0 "$gunicorn" 2>/dev/null || fail "gunicorn did not start"
  sleep 0.05
done

# ---- right answers first ------------------------------------------------------------------------
status() { curl -s -o "$dir/reply" -w '%{http_code}' "$@"; }
expect() { # what want got
  case " $2 " in *" $3 "*) ;; *) fail "$1: expected HTTP $2, got $3 ($(head -c 300 "$dir/reply"))" ;; esac
}
put() { status -XPUT "$B/$1/document" -H "Authorization: Bearer $2" -H 'content-type: application/json' "${@:3}"; }
expect "GET with the filer's token" 200 "$(status "$B/$FID" -H "Authorization: Bearer $TOKEN")"
python3 - "$dir/reply" "$WORK/doc.json" <<'PY' || fail "GET does not return the stored document"
import json, sys
assert json.load(open(sys.argv[1]))["document"] == json.load(open(sys.argv[2]))
PY
expect "GET without a token" 401 "$(status "$B/$FID")"
expect "GET with another organisation's token" "403 404" "$(status "$B/$FID" -H "Authorization: Bearer $OTHER")"
expect "PUT with another organisation's token" "403 404" \
  "$(put "$FID" "$OTHER" -H 'If-Match: *' --data-binary @"$WORK/doc.json")"
expect "PUT without If-Match" 428 "$(put "$FID" "$TOKEN" --data-binary @"$WORK/doc.json")"
expect "PUT with a stale If-Match" 412 "$(put "$FID" "$TOKEN" -H "If-Match: \"$FID-0\"" --data-binary @"$WORK/doc.json")"
python3 - "$WORK/doc.json" "$dir/invalid.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["subject"]["region_code"] = "12345"          # the form's pattern wants six digits
d["provider"]["platform_level"] = 9            # 1 to 4
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
expect "PUT of an invalid document" 400 "$(put "$FID" "$TOKEN" -H 'If-Match: *' --data-binary @"$dir/invalid.json")"
expect "PUT with the current If-Match" 200 "$(put "$FID" "$TOKEN" -H "If-Match: \"$FID-1\"" --data-binary @"$WORK/doc.json")"
[ "$(sqlite3 "$PEER_DB" "SELECT revision FROM filings_filing WHERE id=$FID;
                          SELECT count(*) FROM filings_auditentry WHERE filing_id=$FID AND revision=2")" = $'2\n1' ] ||
  fail "the PUT did not write revision 2 with its audit row"

# ---- measurements -------------------------------------------------------------------------------
# beian (when given) and the peer back to back, each run with the CPU its server used: on a shared
# machine requests per second follow the scheduler, CPU per request much less
wrk_run() { # url script token drafts -> "requests duration_us p50_us p99_us errors"
  BENCH_TOKEN="$3" BENCH_DOC="$WORK/doc-template.json" BENCH_FILINGS="$4" \
    wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s -s "$2" "$1" | awk '/^BENCH/{print $2, $3, $4, $5, $6}'
}
cpu_ticks() { # pids -> user + system clock ticks, all threads (the fields after the command name)
  local p t=0
  for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}'))); done
  echo "$t"
}
measured() { # url script token drafts pids... -> "requests/s p50_us p99_us errors cpu_us_per_request"
  local url=$1 script=$2 token=$3 drafts=$4 n d p50 p99 e c0
  shift 4
  c0=$(cpu_ticks "$@")
  read -r n d p50 p99 e < <(wrk_run "$url" "$script" "$token" "$drafts")
  awk -v n="$n" -v d="$d" -v p50="$p50" -v p99="$p99" -v e="$e" -v c="$(( $(cpu_ticks "$@") - c0 ))" \
      -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f %s %s %s %.0f\n", n/(d/1e6), p50, p99, e, c/hz*1e6/n}'
}
ms() { awk -v u="$1" 'BEGIN{printf "%.2f", u/1000}'; }
times() { [ -n "$1" ] && awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f×", a/b}' || echo "—"; }
workers=$(pgrep -P "$gunicorn" | tr '\n' ' ')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bg=""; bput=""
[ -n "${BEIAN_URL:-}" ] &&
  read -r bg _ _ _ bg_cpu < <(measured "$BEIAN_URL/api/v1/filings/$BEIAN_FILING" bench/get.lua "$BEIAN_TOKEN" "" "$BEIAN_PID")
read -r dg p50a p99a e1 dg_cpu < <(measured "$B/$FID" bench/get.lua "$TOKEN" "" "$gunicorn" $workers)
[ -n "${BEIAN_URL:-}" ] &&
  read -r bput _ _ _ bput_cpu < <(measured "$BEIAN_URL/" bench/put.lua "$BEIAN_TOKEN" "$BEIAN_DRAFTS" "$BEIAN_PID")
audit_before=$(sqlite3 "$PEER_DB" "SELECT count(*) FROM filings_auditentry")
read -r dput p50b p99b e2 dput_cpu < <(measured "http://127.0.0.1:$PORT/" bench/put.lua "$TOKEN" "$DRAFTS" "$gunicorn" $workers)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
kill "$gunicorn"; wait "$gunicorn" 2>/dev/null || true; gunicorn=""
# every save is one revision and one audit row, or neither
[ "$(sqlite3 "$PEER_DB" "SELECT (SELECT count(*) FROM filings_auditentry) =
                                (SELECT sum(revision - 1) FROM filings_filing)")" = 1 ] ||
  fail "revisions and audit rows disagree after the PUT run"
saved=$(( $(sqlite3 "$PEER_DB" "SELECT count(*) FROM filings_auditentry") - audit_before ))
# wrk's errors are time-outs (10 s) and non-2xx answers; the log tells the 500s apart
e500=$(grep -c "Internal Server Error" "$dir/gunicorn.log" || true)
declare -A V
while read -r name rate _; do V[$name]=$rate; done < <(
  $PY $DJ/validate_bench.py "$PEER_FORM" "$WORK/doc.json" --beian build/bench_validate policy/cn-cloud)
cpu_ms() { [ -n "$1" ] && awk -v u="$1" 'BEGIN{printf "%.2f", u/1000}' || true; }
per_cpu_ms() { awk -v r="$1" 'BEGIN{printf "%.2f", 1000/r}'; }

echo
echo "Against the stack users would otherwise pick: Django $($PY -c 'import django;print(django.get_version())') + DRF \
$($PY -c 'import rest_framework;print(rest_framework.VERSION)') + jsonschema \
$($PY -c 'import importlib.metadata as m;print(m.version("jsonschema"))') (Debian), gunicorn \
$($PY -c 'import gunicorn;print(gunicorn.__version__)') with $WORKERS sync workers, SQLite WAL synchronous=FULL;"
echo "beian measured again right before each Django run; same wrk scripts, $CONNS connections, ${SECS}s per run;"
echo "load average $load_before before, $load_after after (the machine may be shared: the ratios in the same run count, CPU's most)"
echo
echo "| what | beian /s | Django + DRF /s | beian ÷ Django | beian CPU ms each | Django CPU ms each | beian ÷ Django, CPU | Django p50 ms | Django p99 ms | Django errors |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
echo "| GET /api/v1/filings/{id}, bearer token | $bg | $dg | $(times "$bg" "$dg") | $(cpu_ms "${bg_cpu:-}") | $(cpu_ms "$dg_cpu") | $(times "${bg:+$dg_cpu}" "${bg_cpu:-1}") | $(ms "$p50a") | $(ms "$p99a") | $e1 |"
echo "| PUT /api/v1/filings/{id}/document, 64 drafts ($saved saved, each with its audit row) | $bput | $dput | $(times "$bput" "$dput") | $(cpu_ms "${bput_cpu:-}") | $(cpu_ms "$dput_cpu") | $(times "${bput:+$dput_cpu}" "${bput_cpu:-1}") | $(ms "$p50b") | $(ms "$p99b") | $e2 |"
echo "| validation, one thread, per CPU-second: beian parse + form + rules; jsonschema parse + shape + completeness | ${V[validate]} | ${V[submission]} | $(times "${V[validate]}" "${V[submission]}") | $(per_cpu_ms "${V[validate]}") | $(per_cpu_ms "${V[submission]}") | $(times "${V[validate]}" "${V[submission]}") | | | |"
echo "| jsonschema parse + shape only (the peer's PUT), per CPU-second | | ${V[shape]} | | | $(per_cpu_ms "${V[shape]}") | | | | |"
echo "| json.loads alone (the yardstick), per CPU-second | | ${V[parse]} | | | $(per_cpu_ms "${V[parse]}") | | | | |"
echo
echo "Django's errors: $e500 answered 500 (in its log); the rest are wrk's time-outs (no answer within 10 s)."
