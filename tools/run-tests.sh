#!/usr/bin/env bash
# run-tests.sh — the test steps of `make test` (unit, API, API on PostgreSQL, browser, fuzz), each
# fully run even when an earlier one failed, then one closing line with the totals:
# "total: N passed, M failed". Exit status: 0 only when every step passed.
# The browser tests mostly wait on Chromium and the page, the PostgreSQL suites on the database's
# round trips: those two run side by side, the browser tests shown as they run and the PostgreSQL
# suites' log shown whole when they end; the other steps run alone.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/beian-tests.XXXXXX)
trap 'rm -rf "$dir"' EXIT
status=0

quiet() {   # quiet NAME: run `make NAME` into $dir/NAME.log, its status into $dir/NAME.rc
  make --no-print-directory "$1" >"$dir/$1.log" 2>&1
  echo $? >"$dir/$1.rc"
}
live() {    # live NAME: the same, shown as it runs
  make --no-print-directory "$1" 2>&1 | tee "$dir/$1.log"
  echo "${PIPESTATUS[0]}" >"$dir/$1.rc"
}
verdict() { # verdict NAME: note a failed step
  if [ "$(cat "$dir/$1.rc")" != 0 ]; then status=1; echo "make test: $1 FAILED"; fi
}

live test-unit; verdict test-unit
live test-api; verdict test-api
quiet test-pg & pg=$!
live test-e2e; verdict test-e2e
wait $pg; cat "$dir/test-pg.log"; verdict test-pg
live test-fuzz; verdict test-fuzz

cat "$dir"/*.log >"$dir/all"
# totals: meson's "Ok: N" / "Fail: N", node's "# pass N" / "# fail N", the fuzz targets' lines
passed=$(awk '/^Ok: /{s+=$2} /^# pass /{s+=$3} /^fuzz [a-z_]+: .* no crash$/{s+=1} END{print s+0}' "$dir/all")
failed=$(awk '/^Fail: /{s+=$2} /^# fail /{s+=$3} /^fuzz [a-z_]+: (CRASH|a regression)/{s+=1} END{print s+0}' "$dir/all")
[ "$failed" -eq 0 ] || status=1
echo "total: $passed passed, $failed failed"
exit $status
