#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer targets with clang (AddressSanitizer + UndefinedBehaviorSanitizer)
# in build-fuzz/, replays the regression corpora (fuzz/regressions/<target>/: every crash found,
# kept) and runs each target for FUZZ_SECONDS (default 30) from the seed corpora (the fixtures).
# Usage: fuzz/fuzz.sh [TARGET...]   (default: all). FUZZ_SECONDS=0 only builds and replays.
# Figures of each run go to build-fuzz/<target>.log; a summary line per target to stdout.
# Targets run side by side, FUZZ_JOBS at a time (default: the number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=(router http document docdiff pack upload statement json_position json_read)
[ $# -gt 0 ] && TARGETS=("$@")
SECONDS_EACH=${FUZZ_SECONDS:-30}
B=build-fuzz
command -v clang >/dev/null || { echo "fuzz: clang is missing (apt-get install clang)" >&2; exit 1; }

# The library, compiled by clang with the sanitizers and fuzzer coverage (meson, its own build dir).
if [ ! -f $B/build.ninja ]; then
  CC=clang meson setup $B --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false \
    -Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=all -Wno-unused-command-line-argument' >/dev/null
fi
ninja -C $B libbeian.a >$B/ninja.log || { cat $B/ninja.log; exit 1; }
LIBS="$(pkg-config --libs libmicrohttpd jansson sqlite3 libpq libsodium lua5.4 cairo pangocairo libqrencode fontconfig xlsxwriter zlib) -lcrack"   # cracklib has no .pc file
CFLAGS=$(pkg-config --cflags jansson lua5.4)
for t in "${TARGETS[@]}"; do
  if [ ! -x $B/fuzz_$t ] || [ fuzz/fuzz_$t.c -nt $B/fuzz_$t ] || [ $B/libbeian.a -nt $B/fuzz_$t ]; then
    clang -g -O1 -std=c17 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
      -I. -Isrc -I$B $CFLAGS fuzz/fuzz_$t.c $B/libbeian.a $LIBS -lm -lpthread -o $B/fuzz_$t
  fi
done

# Seeds: the fixtures, per target.
seed() {
  local t=$1 d=$B/seeds/$1
  rm -rf "$d"; mkdir -p "$d"
  case $t in
    router)
      grep -o '{"[A-Z]*", "/[^"]*"' src/http/api.c | sed 's/{"\([A-Z]*\)", "\([^"]*\)"/\1 \2/' |
        sed 's/{[a-z_]*}/12/g' | awk -v d="$d" '{ f = d "/r" NR; printf "%s", $0 > f; close(f) }'
      printf 'GET /api/v1/filings/%%2e%%2e/x' >"$d/enc1"; printf 'POST /api/v1/filings/1/actions/submit_for_check' >"$d/act" ;;
    http)
      printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >"$d/healthz"
      printf 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 37\r\n\r\n{"login":"filer","password":"wrong1"}' >"$d/login"
      printf 'GET /api/v1/filings?limit=5&cursor=9&q=%%E5%%A4%%87 HTTP/1.1\r\nHost: x\r\nCookie: beian_session=abc; x=y\r\nAuthorization: Bearer zzz\r\nAccept-Language: en\r\n\r\n' >"$d/auth"
      printf 'GET /api/v1/public/filings/110000-2026-000001?lang=en HTTP/1.1\r\nHost: x\r\n\r\n' >"$d/public"
      printf 'PUT /api/v1/filings/1/document HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/merge-patch+json\r\nIf-Match: "1-1"\r\n\r\n5\r\n{"a":\r\n0\r\n\r\n' >"$d/chunked"
      printf 'GET /api/v1/workflow HTTP/1.0\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' >"$d/pipelined"
      printf 'GET /api/v1/workflow HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br;q=1, gzip;q=0.5, *;q=0\r\nIf-None-Match: W/"a", "h-0"\r\n\r\n' >"$d/conditional" ;;
    document)
      cp policy/cn-cloud/fixtures/*.json tests/fixtures/validate/*.json "$d/" 2>/dev/null || true
      find policy/cn-cloud/fixtures/rules -name '*.json' -size -64k | head -200 | while read -r f; do cp "$f" "$d/$(echo "$f" | tr / _)"; done ;;
    docdiff)
      local i=0 prev=policy/cn-cloud/fixtures/minimal-draft.json
      for f in policy/cn-cloud/fixtures/*.json tests/fixtures/validate/*.json; do
        i=$((i+1)); { cat "$prev"; printf '\0'; cat "$f"; } >"$d/pair$i"; prev=$f
      done
      printf '{"a":{"b":1,"c":[1,2]}}\0{"a":{"b":null,"d":"x"}}' >"$d/rfc" ;;
    pack)
      cp policy/cn-cloud/form.json "$d/form.json"
      find tests/fixtures/packs -name form.json | while read -r f; do cp "$f" "$d/$(echo "$f" | tr / _)"; done ;;
    statement)   # the fixtures of tests/fixtures/proofs: keys NUL certificate, keys NUL checkpoint
      { cat tests/fixtures/proofs/keys.json; printf '\0'; cat tests/fixtures/proofs/certificate.json; } >"$d/certificate"
      { cat tests/fixtures/proofs/keys.json; printf '\0'; cat tests/fixtures/proofs/checkpoint.txt; } >"$d/checkpoint" ;;
    json_position)   # pointer NUL text
      printf '/subject/uscc\0' >"$d/p0"; cat tests/fixtures/validate/bad.json >>"$d/p0"
      printf '/a~1b/0\0{"a/b": [1, {"c": "\\u00e9"}]}' >"$d/p1"
      printf '/x\0\xef\xbb\xbf{"x":\r\n"\xf0\x9f\x98\x80"}' >"$d/p2" ;;
    json_read)   # a flags byte, then the text
      local i=0
      for f in policy/cn-cloud/fixtures/*.json tests/fixtures/validate/*.json; do
        i=$((i+1)); { printf '\x01'; cat "$f"; } >"$d/doc$i"
      done
      printf '\x00{"a":"\\u00e9\\ud83d\\ude00\\n","b":[1,-0,9223372036854775807,1.5,true,null],"a":{}}' >"$d/esc"
      printf '\x03{"k":"\xe4\xba\x91","k2":"\\uD800x"}' >"$d/odd" ;;
    upload)
      printf 'business_licence\0营业执照\0licence.pdf\0application/pdf' >"$d/pdf"
      printf 'architecture_diagram\0架构图\0arch.png\0image/png' >"$d/png"
      printf 'grading_report\0report\0../../etc/passwd\0text/plain; charset=utf-8' >"$d/trav"
      printf 'x\0\0\0' >"$d/empty" ;;
  esac
}

# One target: replay its regressions, then fuzz; the summary line goes to $B/<target>.summary.
run_target() {
  local t=$1
  # every crash ever found, replayed (no fuzzing)
  if [ -d fuzz/regressions/$t ] && [ -n "$(ls -A fuzz/regressions/$t)" ]; then
    if ! $B/fuzz_$t -runs=0 fuzz/regressions/$t >$B/$t.replay.log 2>&1; then
      echo "fuzz $t: a regression input fails again (see $B/$t.replay.log)"; return 1
    fi
  fi
  [ "$SECONDS_EACH" -gt 0 ] || { echo "fuzz $t: built, regressions replayed"; return 0; }
  seed "$t"
  mkdir -p $B/corpus/$t $B/crashes/$t
  if $B/fuzz_$t -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix=$B/crashes/$t/ $B/corpus/$t $B/seeds/$t >$B/$t.log 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' $B/$t.log | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]*' $B/$t.log | tail -1 | grep -o '[0-9]*' || echo '?')
    echo "fuzz $t: ${execs} executions in ${SECONDS_EACH} s, coverage ${cov} edges, corpus $(ls $B/corpus/$t | wc -l) inputs, no crash"
  else
    echo "fuzz $t: CRASH — input in $B/crashes/$t/; copy it into fuzz/regressions/$t/ once fixed. Log: $B/$t.log"
    tail -40 $B/$t.log
    return 1
  fi
}

# FUZZ_JOBS targets at a time (default: one per core); summaries printed in target order.
JOBS=${FUZZ_JOBS:-$(nproc)}
running=0
for t in "${TARGETS[@]}"; do
  if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
  ( run_target "$t" >$B/$t.summary 2>&1; echo $? >$B/$t.status ) &
  running=$((running + 1))
done
wait
status=0
for t in "${TARGETS[@]}"; do
  cat $B/$t.summary
  [ "$(cat $B/$t.status)" = 0 ] || status=1
done
exit $status
