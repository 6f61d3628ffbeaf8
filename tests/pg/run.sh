#!/usr/bin/env bash
# run.sh — the tests on PostgreSQL (make test-pg): start a private cluster (start.sh), run the
# store conformance suite against it, then the API suites against servers on it (each data
# directory a fresh database: tests/api/lib.mjs sees BEIAN_PG_DIR), then the two-node test;
# stop the cluster. The conformance suite runs in the sanitizer build (the backend's own code);
# the API suites against build/beian (BEIAN_BIN overrides): the sanitizers ran them on SQLite.
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
# a request on PostgreSQL makes its round trips over a socket: the suites' waits (and the one
# wall-clock bound, authz's) get twice their time
BEIAN_TIME_SCALE=${BEIAN_TIME_SCALE:-2} BEIAN_BIN=${BEIAN_BIN:-$PWD/build/beian} \
  node --test --test-concurrency=2 "${files[@]}" tests/pg/*.test.mjs || status=1
exit $status
