# lib.sh — sourced by the bench scripts: start a node, sign in, prepare the drafts the PUT run
# saves, run wrk and turn its BENCH line into figures. Expects $work (a temporary directory),
# $SECS and $CONNS; BIN names the beian binary.
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
json_field() { python3 -c 'import json,sys;print(json.load(sys.stdin)["'"$1"'"])'; }
api() { curl -sf "$@"; }

# start_node DATA PORT LOG [serve options…] — a server in the background; its pid in $node_pid
start_node() {
  local data=$1 p=$2 log=$3; shift 3
  $BIN serve --data "$data" --listen "127.0.0.1:$p" --threads 8 "$@" 2>"$log" &
  node_pid=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$p/healthz" >/dev/null && return 0; sleep 0.05; done
  echo "bench: the server on port $p did not start" >&2; cat "$log" >&2; return 1
}

# start_floor PORT DB LOG [--contract BEIAN_DB] — bench/put_floor.c beside beian (the same token and
# drafts: TOKEN, DRAFTS from prepare), waited for until it answers; its pid in floor_pid. $LD_PRELOAD
# passes through (bench/alloc_ab.sh).
start_floor() {
  local p=$1 db=$2 log=$3; shift 3
  "$(dirname "$BIN")/put_floor" "$p" 8 policy/cn-cloud "$db" "$TOKEN" "$DRAFTS" "$@" 2>"$log" &
  floor_pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$p/" && return 0; sleep 0.05; done
  echo "bench: the floor on port $p did not start" >&2; cat "$log" >&2; return 1
}

# cpu_ticks PID — the process's user + system clock ticks so far, all threads
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# prepare URL LOGINS — sign in as the filer, one system, a filing with the reference document
# (hosted by the demo provider, org 3, its materials uploaded first: bench/bench_doc.py) and 64
# drafts of the same enterprise, as many filers would.
# Sets TOKEN, FID, DRAFTS; writes $work/doc.json and $work/doc-template.json (put.lua's counter).
prepare() {
  local url=$1 logins=$2
  local pw; pw=$(awk '$2=="filer"{print $3}' "$logins")
  TOKEN=$(api -XPOST "$url/api/v1/session" -H 'content-type: application/json' \
    -d "{\"login\":\"filer\",\"password\":\"$pw\"}" | json_field token)
  local H=(-H "Authorization: Bearer $TOKEN" -H 'content-type: application/json')
  local sys; sys=$(api -XPOST "$url/api/v1/systems" "${H[@]}" -d '{"name":"bench"}' | json_field id)
  FID=$(api -XPOST "$url/api/v1/filings" "${H[@]}" -d "{\"system_id\":$sys}" | json_field id)
  bench/bench_doc.py "$url" "$TOKEN" "$work/doc.json"
  python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
d = json.load(open(w + '/doc.json'))
d['system']['description'] = d['system']['description'] + ' __COUNTER__'
json.dump(d, open(w + '/doc-template.json', 'w'), ensure_ascii=False)
PY
  api -XPUT "$url/api/v1/filings/$FID/document" "${H[@]}" -H 'If-Match: *' --data-binary @"$work/doc.json" >/dev/null
  DRAFTS=""
  for _ in $(seq 64); do
    local d; d=$(api -XPOST "$url/api/v1/filings" "${H[@]}" -d "{\"system_id\":$sys}" | json_field id)
    DRAFTS="${DRAFTS:+$DRAFTS,}$d"
  done
}

# same_reply URL_A URL_B — one save of the same document (a draft of DRAFTS) to each server; fails
# unless both answer 200 with the same members and the same findings (rule and path, in order):
# a floor is only a floor while it gives the answer beian gives.
same_reply() {
  local id=${DRAFTS%%,*}
  sed 's/__COUNTER__/same-reply/' "$work/doc-template.json" > "$work/same.json"
  for u in "$1" "$2"; do
    api -XPUT "$u/api/v1/filings/$id/document" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
      -H 'If-Match: *' --data-binary @"$work/same.json" > "$work/same.$(echo "$u" | tr -dc 0-9)" || return 1
  done
  python3 - "$work/same.$(echo "$1" | tr -dc 0-9)" "$work/same.$(echo "$2" | tr -dc 0-9)" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
rules = lambda r: [(f['rule'], f['path']) for f in r['findings']]
if sorted(a) != sorted(b) or rules(a) != rules(b):
    sys.exit('replies differ: members in one only %s; findings %s against %s' % (sorted(set(a) ^ set(b)), rules(a), rules(b)))
PY
}

# (a 10 s timeout: a slow answer on a loaded machine counts in the latency, not as an error)
run_wrk() { # url script token -> "requests duration_us p50_us p99_us errors"
  BENCH_TOKEN="$3" BENCH_DOC="$work/doc-template.json" BENCH_FILINGS="$DRAFTS" wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s -s "$2" "$1" | awk '/^BENCH/{print $2, $3, $4, $5, $6}'
}
rps() { awk -v r="$1" -v d="$2" 'BEGIN{printf "%.0f", r/(d/1e6)}'; }
ms() { awk -v u="$1" 'BEGIN{printf "%.2f", u/1000}'; }
ratio() { awk -v a="$1" -v b="$2" -v what="$3" 'BEGIN{printf "%.2f× %s", a/b, what}'; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }
# nginx serving DIR/www as static JSON on 127.0.0.1:PORT (the GET's baseline), pid in DIR/nginx.pid
serve_static() {
  local dir=$1 port=$2
  cat > "$dir/nginx.conf" <<NGX
worker_processes 2;
daemon on;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  server { listen 127.0.0.1:$port; root $dir/www; }
}
NGX
  chmod 755 "$dir"; chmod -R a+rX "$dir/www"
  nginx -c "$dir/nginx.conf" -p "$dir" 2>/dev/null
}
