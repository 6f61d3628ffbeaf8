#!/usr/bin/env bash
# get_callgrind.sh — instructions per GET /api/v1/filings/{id} (bench/get.sh's request), counted by
# callgrind, which the load of a shared machine does not move: the server runs under valgrind, is
# set up as in bench/get.sh, warmed with 50 GETs, its counters zeroed, then GET_COUNT (default 1000)
# GETs on one keep-alive connection are counted. Prints the total per request and the top inclusive
# functions; the callgrind file is kept in OUT (default /tmp/beian-get.callgrind).
# Usage: bench/get_callgrind.sh [BIN]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/beian}
N=${GET_COUNT:-1000}
OUT=${OUT:-/tmp/beian-get.callgrind}
work=$(mktemp -d /tmp/beian-getcg.XXXXXX)
cleanup() { [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
P=$(port)
"$BIN" init "$work/data" --demo > "$work/logins"
valgrind --tool=callgrind --callgrind-out-file="$OUT" --dump-instr=no "$BIN" serve --data "$work/data" \
  --listen "127.0.0.1:$P" --threads 1 2>"$work/server.log" &
srv=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$P/healthz" >/dev/null && break; sleep 0.1; done
python3 - "$P" "$work" "$N" "$srv" <<'PY'
import http.client, json, subprocess, sys
port, work, n, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
logins = {l.split()[1]: l.split()[2] for l in open(work + '/logins') if len(l.split()) >= 3}
c = http.client.HTTPConnection('127.0.0.1', port, timeout=600)
def call(method, path, body=None, headers={}):
    c.request(method, path, body=json.dumps(body) if isinstance(body, dict) else body, headers=headers)
    r = c.getresponse()
    data = r.read()
    return r.status, data
_, t = call('POST', '/api/v1/session', {'login': 'filer', 'password': logins['filer']}, {'content-type': 'application/json'})
h = {'Authorization': 'Bearer ' + json.loads(t)['token'], 'content-type': 'application/json'}
_, s = call('POST', '/api/v1/systems', {'name': 'bench'}, h)
_, f = call('POST', '/api/v1/filings', {'system_id': json.loads(s)['id']}, h)
fid = json.loads(f)['id']
subprocess.run(['bench/bench_doc.py', 'http://127.0.0.1:%s' % port, json.loads(t)['token'], work + '/doc.json'], check=True)
d = json.load(open(work + '/doc.json'))
st, _ = call('PUT', f'/api/v1/filings/{fid}/document', json.dumps(d, ensure_ascii=False).encode(), dict(h, **{'If-Match': '*'}))
assert st == 200, st
g = {'Authorization': h['Authorization']}
for _ in range(50):
    assert call('GET', f'/api/v1/filings/{fid}', headers=g)[0] == 200
subprocess.run(['callgrind_control', '-z', pid], check=True, capture_output=True)
for _ in range(n):
    assert call('GET', f'/api/v1/filings/{fid}', headers=g)[0] == 200
subprocess.run(['callgrind_control', '-d', 'counted', pid], check=True, capture_output=True)
PY
kill "$srv"; wait "$srv" 2>/dev/null || true; srv=
file=$(ls -t "$OUT"* | grep -v '\.[0-9]*$' | head -1)
counted=$(ls -t "$OUT"*.1 2>/dev/null | head -1 || true)
[ -n "$counted" ] && file=$counted
total=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1; exit}')
echo "$(basename "$BIN") at $(git rev-parse --short HEAD): $((total / N)) instructions per GET ($N GETs, $total in all; $file)"
callgrind_annotate --inclusive=yes "$file" 2>/dev/null | sed -n '/file:function/,$p' | head -45
