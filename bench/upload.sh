#!/usr/bin/env bash
# upload.sh — material upload and download of a 100 MiB file through the API against `cp` of the
# same file on the same disk in the same run, and the server's peak RSS above idle (VmHWM).
# Aim (issue 4): ≥ 0.5× cp, peak RSS < 32 MiB above idle. BENCH_UPLOAD_MIB sets the size.
# Each figure is the best of three runs; each upload has bytes of its own (the last 8 bytes are
# the run number), so none is answered by deduplication. Times are curl's own (time_total), so
# starting processes is not counted; the upload is streamed (curl -T), as a browser does.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${BENCH_UPLOAD_MIB:-100}
BIN=${BIN:-build/beian}
RUNS=${BENCH_UPLOAD_RUNS:-3}
FLOOR=${FLOOR:-build/upload_floor}
work=$(mktemp -d "${BENCH_DIR:-/tmp}/beian-upload.XXXXXX")
cleanup() {   # also when a server is gone
  for p in ${srv:-} ${floor:-} ${floor_nohash:-}; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
now() { date +%s.%N; }
best() { sort -g | head -1; }                          # the shortest of the times on stdin
rate() { awk -v m="$MIB" -v s="$1" 'BEGIN{printf "%.0f", m/s}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f× cp", a/b}'; }

# a PDF-looking file of random bytes
{ printf '%%PDF-1.7\n'; head -c $((MIB * 1024 * 1024 - 9)) /dev/urandom; } > "$work/file.pdf"

cp_times=() cps_times=()
for i in $(seq $RUNS); do
  t0=$(now); cp "$work/file.pdf" "$work/copy$i"; t1=$(now)
  cp_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")
  rm -f "$work/copy$i"
  t0=$(now); cp "$work/file.pdf" "$work/copy$i"; sync "$work/copy$i"; t1=$(now)
  cps_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")
  rm -f "$work/copy$i"
done

P=$(port)
$BIN init "$work/data" --demo > "$work/logins" 2>/dev/null
$BIN serve --data "$work/data" --listen "127.0.0.1:$P" --threads 4 --max-upload-mib $((MIB + 1)) 2>"$work/server.log" &
srv=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$P/healthz" >/dev/null && break; sleep 0.05; done
pw() { awk -v l="$1" '$2==l{print $3}' "$work/logins"; }
TOKEN=$(curl -sf -XPOST "http://127.0.0.1:$P/api/v1/session" -H 'content-type: application/json' \
  -d "{\"login\":\"filer\",\"password\":\"$(pw filer)\"}" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
idle=$(awk '/VmHWM/{print $2}' "/proc/$srv/status")
FP=$(port); FNP=$(port)
mkdir "$work/floor" "$work/floor-nohash"
$FLOOR "$FP" "$work/floor" & floor=$!
$FLOOR "$FNP" "$work/floor-nohash" --no-hash & floor_nohash=$!
sleep 0.2
# the same upload command, to the floor
floor_up() { curl -sf -o /dev/null -w '%{time_total}' -XPOST "http://127.0.0.1:$1/" -H 'content-type: application/pdf' -H 'Expect:' -T "$work/file.pdf"; }

up_times=() down_times=() null_times=() floor_times=() nohash_times=()
for i in $(seq $RUNS); do
  printf '%08d' "$i" | dd of="$work/file.pdf" bs=1 seek=$((MIB * 1024 * 1024 - 8)) conv=notrunc status=none
  floor_times+=("$(floor_up "$FP")"); rm -f "$work"/floor/*
  nohash_times+=("$(floor_up "$FNP")"); rm -f "$work"/floor-nohash/*
  out=$(curl -sf -w '\n%{time_total}' -XPOST "http://127.0.0.1:$P/api/v1/materials?kind=other&title=bench$i" \
    -H "Authorization: Bearer $TOKEN" -H 'content-type: application/pdf' -H 'Expect:' -T "$work/file.pdf")
  up_times+=("$(tail -1 <<<"$out")")
  ID=$(head -1 <<<"$out" | python3 -c 'import json,sys;d=json.load(sys.stdin);assert d["stored"]=="new";print(d["id"])')
  down_times+=("$(curl -sf -w '%{time_total}' "http://127.0.0.1:$P/api/v1/materials/$ID/content" -H "Authorization: Bearer $TOKEN" -o "$work/down.pdf")")
  cmp -s "$work/file.pdf" "$work/down.pdf" || { echo "upload.sh: downloaded bytes differ" >&2; exit 1; }
  rm -f "$work/down.pdf"
  null_times+=("$(curl -sf -w '%{time_total}' "http://127.0.0.1:$P/api/v1/materials/$ID/content" -H "Authorization: Bearer $TOKEN" -o /dev/null)")
done
peak=$(awk '/VmHWM/{print $2}' "/proc/$srv/status")

CP=$(rate "$(printf '%s\n' "${cp_times[@]}" | best)")
CPS=$(rate "$(printf '%s\n' "${cps_times[@]}" | best)")
UP=$(rate "$(printf '%s\n' "${up_times[@]}" | best)")
DOWN=$(rate "$(printf '%s\n' "${down_times[@]}" | best)")
NULL=$(rate "$(printf '%s\n' "${null_times[@]}" | best)")
FLR=$(rate "$(printf '%s\n' "${floor_times[@]}" | best)")
NOH=$(rate "$(printf '%s\n' "${nohash_times[@]}" | best)")
echo
echo "Materials: one $MIB MiB file, best of $RUNS, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, same disk ($(df -P "$work" | awk 'NR==2{print $1}'))"
echo
echo "| what | MiB/s | ratio |"
echo "|---|---:|---:|"
echo "| upload POST /api/v1/materials (streamed, SHA-256, type check, fsync, rename) | $UP | $(ratio "$UP" "$CP") |"
echo "| download GET /api/v1/materials/{id}/content into a file (curl -o) | $DOWN | $(ratio "$DOWN" "$CP") |"
echo "| download, the client discarding the bytes (curl -o /dev/null) | $NULL | $(ratio "$NULL" "$CP") |"
echo "| floor: a bare receiver doing the same work (TCP, write, SHA-256, fsync, rename) | $FLR | $(ratio "$FLR" "$CP") |"
echo "| floor without the SHA-256 | $NOH | $(ratio "$NOH" "$CP") |"
echo "| cp of the same file | $CP | baseline |"
echo "| cp + sync of the copy | $CPS | $(ratio "$CPS" "$CP") |"
echo
echo "SHA-256 block function: $($BIN version | awk '/^sha256:/{print $2}')"
echo "beian peak RSS (VmHWM): idle $((idle / 1024)) MiB, after $RUNS uploads and $((2 * RUNS)) downloads $((peak / 1024)) MiB (+$(((peak - idle) / 1024)) MiB)"
