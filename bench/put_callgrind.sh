#!/usr/bin/env bash
# put_callgrind.sh — instructions per PUT /api/v1/filings/{id}/document (valgrind's callgrind:
# repeatable on a loaded machine, unlike the clock), for before/after comparisons of builds:
#   bench/put_callgrind.sh BIN [BIN…]
# For each BIN: a fresh demo data directory, 64 drafts of one enterprise saving bench/bench_doc.py's
# document (as bench/run.sh), the server under callgrind; after 32 PUTs of warm-up (per-thread
# connections, statements, Lua states) the counters are zeroed, PUT_COUNT (default 256) saves
# are sent by PUT_CLIENTS (default 8) clients at once, each a real write (the description
# changes), and the counters dumped. Prints instructions per PUT for each BIN, in all and without
# the policy engine's, and leaves the profile in PUT_PROFILE_DIR (default: removed) for
# callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${PUT_COUNT:-256}
CLIENTS=${PUT_CLIENTS:-8}
work=$(mktemp -d /tmp/beian-putcg.XXXXXX)
srv=""
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

for bin in "$@"; do
  rm -rf "$work/data"
  "$bin" init "$work/data" --demo > "$work/logins" 2>/dev/null
  P=$(port)
  "$bin" serve --data "$work/data" --listen "127.0.0.1:$P" --threads 8 2>"$work/server.log" &
  srv=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$P/healthz" >/dev/null && break; sleep 0.05; done
  # sign in, a system and 64 drafts with the fast server; the token outlives it
  python3 - "$P" "$work" <<'PY'
import json, subprocess, sys, urllib.request
port, w = sys.argv[1], sys.argv[2]
logins = {l.split()[1]: l.split()[2] for l in open(w + '/logins') if len(l.split()) >= 3}
def call(method, path, body, token=None):
    h = {'content-type': 'application/json'}
    if token: h['authorization'] = 'Bearer ' + token
    req = urllib.request.Request('http://127.0.0.1:%s%s' % (port, path), json.dumps(body).encode(), h, method=method)
    return json.load(urllib.request.urlopen(req))
tok = call('POST', '/api/v1/session', {'login': 'filer', 'password': logins['filer']})['token']
sys_id = call('POST', '/api/v1/systems', {'name': 'bench'}, tok)['id']
ids = [call('POST', '/api/v1/filings', {'system_id': sys_id}, tok)['id'] for _ in range(64)]
subprocess.run(['bench/bench_doc.py', 'http://127.0.0.1:%s' % port, tok, w + '/doc.json'], check=True)
d = json.load(open(w + '/doc.json'))
json.dump({'token': tok, 'ids': ids, 'doc': d}, open(w + '/setup.json', 'w'), ensure_ascii=False)
PY
  kill "$srv"; wait "$srv" 2>/dev/null || true
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$bin" serve --data "$work/data" \
    --listen "127.0.0.1:$P" --threads 8 2>"$work/valgrind.log" &
  srv=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$P/healthz" >/dev/null && break; sleep 0.1; done
  python3 - "$P" "$work" "$N" "$CLIENTS" "$srv" <<'PY'
import http.client, json, subprocess, sys, threading
port, w, n, clients, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
s = json.load(open(w + '/setup.json'))
desc = s['doc']['system']['description']
failed = []
def run(k, count, tag):
    c = http.client.HTTPConnection('127.0.0.1', int(port), timeout=600)
    for i in range(count):
        d = dict(s['doc']); d['system'] = dict(d['system']); d['system']['description'] = '%s %s-%d-%d' % (desc, tag, k, i)
        fid = s['ids'][(k * 7 + i) % len(s['ids'])]
        c.request('PUT', '/api/v1/filings/%d/document' % fid, json.dumps(d, ensure_ascii=False).encode(),
                  {'authorization': 'Bearer ' + s['token'], 'content-type': 'application/json', 'if-match': '*'})
        r = c.getresponse(); r.read()
        if r.status != 200: failed.append(r.status)
def batch(total, tag, clients):
    ts = [threading.Thread(target=run, args=(k, total // clients, tag)) for k in range(clients)]
    for t in ts: t.start()
    for t in ts: t.join()
# warm-up on many connections, so that every server thread has made its Lua state and statements
batch(256, 'warm', 64)
subprocess.run(['callgrind_control', '-z', pid], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
batch(n, 'run', clients)
subprocess.run(['callgrind_control', '-d', pid], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if failed: print('failed PUTs:', len(failed), sorted(set(failed)), file=sys.stderr)
PY
  kill "$srv"; wait "$srv" 2>/dev/null || true
  srv=""
  # the dump made by callgrind_control (cg.out.1), summed over threads
  total=$(cat "$work"/cg.out*.1* 2>/dev/null | awk '/^summary:/ {s += $2} END {printf "%.0f", s}')
  # the policy engine's share (rules.c:policy_check and policy_check_traced, inclusive) apart: its
  # Lua garbage collector makes it vary by ±10 % from run to run
  policy=$(callgrind_annotate --inclusive=yes --threshold=100 "$work"/cg.out*.1* 2>/dev/null |
    awk 'match($0, /rules\.c:policy_check(_traced)? /) { f = substr($0, RSTART, RLENGTH);
         if (!seen[f]++) { gsub(",", "", $1); s += $1 } } END {print s + 0}')
  per() { awk -v t="$1" -v n="$N" 'BEGIN{printf "%.0f", t/n}'; }
  echo "$bin per PUT: $(per "$total") instructions, of which policy_check $(per "${policy:-0}"), the rest $(per "$((total - ${policy:-0}))")"
  if [ -n "${PUT_PROFILE_DIR:-}" ]; then
    mkdir -p "$PUT_PROFILE_DIR"
    callgrind_annotate --inclusive=no $(ls "$work"/cg.out*.1*) > "$PUT_PROFILE_DIR/callgrind.$(basename "$(dirname "$(dirname "$bin")")").txt" 2>/dev/null || true
    cp "$work"/cg.out*.1* "$PUT_PROFILE_DIR/" 2>/dev/null || true
  fi
  rm -f "$work"/cg.out*
done
