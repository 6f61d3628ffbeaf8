#!/usr/bin/env bash
# run-tests.sh — the test steps of `make test` (unit, API, API on PostgreSQL, browser, fuzz) one after the other,
# each fully run even when an earlier one failed, then one closing line with the totals:
# "total: N passed, M failed". Exit status: 0 only when every step passed.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp /tmp/beian-tests.XXXXXX)
trap 'rm -f "$log"' EXIT
status=0
for step in test-unit test-api test-pg test-e2e test-fuzz; do
  make --no-print-directory "$step" 2>&1 | tee -a "$log" || { status=1; echo "make test: $step FAILED"; }
done
# totals: meson's "Ok: N" / "Fail: N", node's "# pass N" / "# fail N", the fuzz targets' lines
passed=$(awk '/^Ok: /{s+=$2} /^# pass /{s+=$3} /^fuzz [a-z_]+: .* no crash$/{s+=1} END{print s+0}' "$log")
failed=$(awk '/^Fail: /{s+=$2} /^# fail /{s+=$3} /^fuzz [a-z_]+: (CRASH|a regression)/{s+=1} END{print s+0}' "$log")
[ "$failed" -eq 0 ] || status=1
echo "total: $passed passed, $failed failed"
exit $status
