#!/usr/bin/env bash
# standing_writes.sh — what a first standing pass writes, build against build: byte for byte the
#   same audit entries (the chain verified), inbox items, outbox rows and standing findings?
#   bench/standing_writes.sh DATA_DIR BIN_A BIN_B
# DATA_DIR: a data directory that `KEEP=1 IMPACT_FILINGS=2000 bench/impact.sh` left. On a fresh
# copy for each build: the findings of 300 records deleted and those records marked unchecked
# (as bench/passes_callgrind.sh's first pass), e-mail chosen by the filer (that event) and the
# enterprise's administrator (every event), three webhooks (two of the enterprise, one of the
# authority); then `beian tick` and `beian verify audit`. The rows are compared without what
# differs from run to run by design (delivery ids, times). Exit 0 when they are the same.
set -euo pipefail
src=$1 a=$2 b=$3
work=$(mktemp -d /tmp/beian-writes.XXXXXX)
trap 'rm -rf "$work"' EXIT
run() {
  rm -rf "$work/d"; cp -r "$src" "$work/d"
  local db="$work/d/beian.db" first300="SELECT id FROM filings WHERE number LIKE '110000-2026-%' ORDER BY id LIMIT 300"
  sqlite3 "$db" "DELETE FROM standing_findings WHERE filing_id IN ($first300);
    INSERT OR REPLACE INTO standing_checks SELECT id, '2999-01-01' FROM filings;
    DELETE FROM standing_checks WHERE filing_id IN ($first300);
    INSERT INTO notify_prefs(user_id,email,lang,email_events) VALUES
      ((SELECT id FROM users WHERE login='filer'),'filer@example.test','zh','[\"standing.appeared\"]'),
      ((SELECT id FROM users WHERE login='entadmin'),'entadmin@example.test','en','[\"*\"]');
    INSERT INTO webhooks(org_id,url,event_types,secret,description,created_by,created_at) VALUES
      (2,'https://a.example.test/','[\"standing.appeared\"]','whsec_x','',1,'2026-01-01T00:00:00Z'),
      (2,'https://b.example.test/','[\"*\"]','whsec_x','',1,'2026-01-01T00:00:00Z'),
      (4,'https://c.example.test/','[\"*\"]','whsec_x','',1,'2026-01-01T00:00:00Z')"
  "$1" tick --data "$work/d" >&2
  "$1" verify audit --data "$work/d" >&2
  sqlite3 "$db" "SELECT id,user_id,event,filing_id,link,params FROM notify_inbox ORDER BY id;
    SELECT id,channel,target_id,event,json_remove(payload,'\$.timestamp'),state FROM notify_outbox ORDER BY id;
    SELECT id,actor_user_id,actor_org_id,action,object_type,object_id,filing_id,org_id,before_sha,after_sha,detail
      FROM audit ORDER BY id;
    SELECT * FROM standing_findings ORDER BY id" > "$2"
}
run "$a" "$work/a"
run "$b" "$work/b"
printf 'in the data directory after the pass: %s inbox items of standing findings, %s outbox rows, %s audit entries of them, %s standing findings\n' \
  "$(grep -c '^[0-9]*|[0-9]*|standing\.appeared|' "$work/a" || true)" "$(grep -cE '^[0-9]+\|(email|webhook)\|' "$work/a" || true)" \
  "$(grep -c '|standing\.\(appear\|clear\)|' "$work/a" || true)" "$(sqlite3 "$work/d/beian.db" 'SELECT count(*) FROM standing_findings')"
if cmp -s "$work/a" "$work/b"; then echo "the same"; else diff "$work/a" "$work/b" | head -20; echo "they differ"; exit 1; fi
