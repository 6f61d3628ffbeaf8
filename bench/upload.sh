#!/usr/bin/env bash
# upload.sh — material upload and download of a 100 MiB file through the API against `cp` of the
# same file on the same disk in the same run, and the server's peak RSS above idle (VmHWM).
# Aim (issue 4): ≥ 0.5× cp, peak RSS < 32 MiB above idle. BENCH_UPLOAD_MIB sets the size.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${BENCH_UPLOAD_MIB:-100}
BIN=${BIN:-build/beian}
work=$(mktemp -d "${BENCH_DIR:-/tmp}/beian-upload.XXXXXX")
cleanup() { [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
now() { date +%s.%N; }
rate() { awk -v m="$MIB" -v a="$1" -v b="$2" 'BEGIN{printf "%.0f", m/(b-a)}'; }

# a PDF-looking file of random bytes
{ printf '%%PDF-1.7\n'; head -c $((MIB * 1024 * 1024 - 9)) /dev/urandom; } > "$work/file.pdf"

t0=$(now); cp "$work/file.pdf" "$work/copy1"; t1=$(now)
t2=$(now); cp "$work/file.pdf" "$work/copy2"; sync "$work/copy2"; t3=$(now)
rm -f "$work/copy1" "$work/copy2"

P=$(port)
$BIN init "$work/data" --demo > "$work/logins" 2>/dev/null
$BIN serve --data "$work/data" --listen "127.0.0.1:$P" --threads 4 --max-upload-mib $((MIB + 1)) 2>"$work/server.log" &
srv=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$P/healthz" >/dev/null && break; sleep 0.05; done
pw() { awk -v l="$1" '$2==l{print $3}' "$work/logins"; }
TOKEN=$(curl -sf -XPOST "http://127.0.0.1:$P/api/v1/session" -H 'content-type: application/json' \
  -d "{\"login\":\"filer\",\"password\":\"$(pw filer)\"}" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
idle=$(awk '/VmHWM/{print $2}' "/proc/$srv/status")

t4=$(now)
ID=$(curl -sf -XPOST "http://127.0.0.1:$P/api/v1/materials?kind=other&title=bench" -H "Authorization: Bearer $TOKEN" \
  -H 'content-type: application/pdf' --data-binary @"$work/file.pdf" | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
t5=$(now)
curl -sf "http://127.0.0.1:$P/api/v1/materials/$ID/content" -H "Authorization: Bearer $TOKEN" -o "$work/down.pdf"
t6=$(now)
cmp -s "$work/file.pdf" "$work/down.pdf" || { echo "upload.sh: downloaded bytes differ" >&2; exit 1; }
peak=$(awk '/VmHWM/{print $2}' "/proc/$srv/status")

CP=$(rate "$t0" "$t1"); CPS=$(rate "$t2" "$t3"); UP=$(rate "$t4" "$t5"); DOWN=$(rate "$t5" "$t6")
echo
echo "Materials: one $MIB MiB file, $(date -u +%Y-%m-%dT%H:%MZ), same disk ($(df -P "$work" | awk 'NR==2{print $1}'))"
echo
echo "| what | MiB/s | ratio |"
echo "|---|---:|---:|"
echo "| upload POST /api/v1/materials (streamed, SHA-256, type check, fsync, rename) | $UP | $(awk -v a="$UP" -v b="$CP" 'BEGIN{printf "%.2f× cp", a/b}') |"
echo "| download GET /api/v1/materials/{id}/content (from the file) | $DOWN | $(awk -v a="$DOWN" -v b="$CP" 'BEGIN{printf "%.2f× cp", a/b}') |"
echo "| cp of the same file | $CP | baseline |"
echo "| cp + sync of the copy | $CPS | |"
echo
echo "beian peak RSS (VmHWM): idle $((idle / 1024)) MiB, after upload and download $((peak / 1024)) MiB (+$(((peak - idle) / 1024)) MiB)"
