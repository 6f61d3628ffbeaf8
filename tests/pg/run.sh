#!/usr/bin/env bash
# run.sh — the tests on PostgreSQL (make test-pg): start a private cluster (start.sh), run the
# store conformance suite against it, then the API suites against servers on it (each data
# directory a fresh database: tests/api/lib.mjs sees BEIAN_PG_DIR), then the two-node test;
# stop the cluster. BEIAN_BIN: the beian to test (default build-asan/beian).
# The API suites left out test SQLite itself (its file and WAL under kill -9 loops, a full disk
# under it): PG_SKIP below; the two-node test kills a node on PostgreSQL.
set -uo pipefail
cd "$(dirname "$0")/../.."
PG_SKIP="crash crashloop diskfull"
eval "$(tests/pg/start.sh)" || exit 1
trap 'tests/pg/stop.sh "$BEIAN_PG_DIR"' EXIT
export BEIAN_PG_DIR
status=0
BEIAN_TEST_STORE="$BEIAN_PG_URI" meson test -C build-asan --print-errorlogs test_store || status=1
files=()
for f in tests/api/*.test.mjs; do
  name=$(basename "$f" .test.mjs)
  [[ " $PG_SKIP " == *" $name "* ]] || files+=("$f")
done
BEIAN_BIN=${BEIAN_BIN:-$PWD/build-asan/beian} ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  node --test --test-concurrency=2 "${files[@]}" tests/pg/*.test.mjs || status=1
exit $status
