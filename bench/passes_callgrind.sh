#!/usr/bin/env bash
# passes_callgrind.sh — instruction counts (valgrind's callgrind: repeatable on a loaded machine,
# unlike the clock) of the passes over many records, for before/after comparisons of builds:
#   bench/passes_callgrind.sh DATA_DIR BIN [BIN…]
# DATA_DIR: a data directory that `KEEP=1 IMPACT_FILINGS=2000 bench/impact.sh` left (its records
# checked once). For each BIN, on a fresh copy each time: the standing check of 300 records (second
# pass: nothing new; first pass: their findings deleted; second pass with a document per record),
# the impact over all of them (as generated; with a document per record), and a tick with nothing
# to check (the fixed cost, to subtract). Prints "BIN workload instructions".
set -euo pipefail
src=$1; shift
work=$(mktemp -d /tmp/beian-passes.XXXXXX)
trap 'rm -rf "$work"' EXIT
prep() { # distinct first
  rm -rf "$work/d"; cp -r "$src" "$work/d"
  local db="$work/d/beian.db" first300="SELECT id FROM filings WHERE number LIKE '110000-2026-%' ORDER BY id LIMIT 300"
  [ "$1" = 1 ] && sqlite3 "$db" "UPDATE filings SET document = json_set(document, '\$.system.name', '云帆智能客服平台-' || id) WHERE number LIKE '110000-2026-%'"
  [ "$2" = 1 ] && sqlite3 "$db" "DELETE FROM standing_findings WHERE filing_id IN ($first300)"
  checked "$db" "2999-01-01" ""             # every record checked (on a day to come) ...
  checked "$db" "" "WHERE id IN ($first300)"  # ... but these
}
# Set the day checked (empty: none) of the records where says, in the table or, in a data
# directory of a build before it, the column of filings (which a newer build migrates).
checked() {
  if sqlite3 "$1" "SELECT 1 FROM sqlite_master WHERE name = 'standing_checks'" | grep -q 1; then
    if [ -n "$2" ]; then sqlite3 "$1" "INSERT OR REPLACE INTO standing_checks SELECT id, '$2' FROM filings ${3}"
    else sqlite3 "$1" "DELETE FROM standing_checks WHERE filing_id IN (SELECT id FROM filings ${3})"; fi
  else
    sqlite3 "$1" "UPDATE filings SET standing_checked_on = $([ -n "$2" ] && echo "'$2'" || echo NULL) ${3}"
  fi
}
ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/refs:/ {gsub(",", "", $4); print $4}'; }
for bin in "$@"; do
  for w in "tick-second 0 0" "tick-first 0 1" "tick-second-distinct 1 0"; do
    set -- $w
    prep "$2" "$3"
    echo "$bin $1 $(ir "$bin" tick --data "$work/d")"
  done
  prep 0 0; echo "$bin impact $(ir "$bin" policy impact cn-cloud@2027.1 --data "$work/d" --format json)"
  prep 1 0; echo "$bin impact-distinct $(ir "$bin" policy impact cn-cloud@2027.1 --data "$work/d" --format json)"
  rm -rf "$work/d"; cp -r "$src" "$work/d"; checked "$work/d/beian.db" "2999-01-01" ""
  echo "$bin tick-empty $(ir "$bin" tick --data "$work/d")"
done
