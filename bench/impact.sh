#!/usr/bin/env bash
# impact.sh — the policy impact over many generated filed filings (issue 3), and the daily standing
# check (`beian tick`, issue 13) of the same records side by side: IMPACT_FILINGS
# (default 1,000,000) filed records of the reference document, one in ten with an incident
# notice of 18 hours, re-evaluated under a version of cn-cloud that tightens that limit to 12
# hours. Prints the time, the rate, the CPU time (user + system of all threads: on a machine
# shared with other work the clock says more about the others than about beian), the number found
# failing (expected: one in ten) and the peak RSS. Run by bench/run.sh; also alone.
#
# The generated records share two documents (as records of one enterprise filed alike would), which
# the passes' caches of parsed documents and policy checks exploit. IMPACT_DISTINCT=1 gives every
# record a document of its own (its system's name differs), so that each is parsed and checked:
# the figure for records that share nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${IMPACT_FILINGS:-1000000}
BIN=${BIN:-build/beian}
work=$(mktemp -d /tmp/beian-impact.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

$BIN init "$work/data" --demo >/dev/null 2>&1
python3 - "$work" <<'PY'
import json, sys, shutil
w = sys.argv[1]
d = json.load(open('policy/cn-cloud/fixtures/reference.json'))
json.dump(d, open(w + '/doc.json', 'w'), ensure_ascii=False, sort_keys=True, separators=(',', ':'))
# the tightened version: a copy of the pack with the incident notice limit at 12 hours
shutil.copytree('policy/cn-cloud', w + '/tight')
m = json.load(open(w + '/tight/manifest.json')); m.update(version='2027.1', effective_from='2027-01-01', supersedes='2025.1')
json.dump(m, open(w + '/tight/manifest.json', 'w'), ensure_ascii=False, indent=2)
p = json.load(open(w + '/tight/params.json')); p['agreement']['incident_notice_max_hours'] = 12
json.dump(p, open(w + '/tight/params.json', 'w'), ensure_ascii=False, indent=2)
f = json.load(open(w + '/tight/fixtures/rules/AGR-005.pass.json')); f['set']['/agreement/incident_notice_hours'] = 12
json.dump(f, open(w + '/tight/fixtures/rules/AGR-005.pass.json', 'w'), ensure_ascii=False, indent=2)
PY
$BIN policy install "$work/tight" --data "$work/data" >/dev/null

gen_start=$(date +%s.%N)
sqlite3 "$work/data/beian.db" >/dev/null <<SQL
PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
INSERT INTO systems(org_id, name, created_at) VALUES (2, 'bench', '2026-01-01T00:00:00Z');
-- the demo enterprise's materials that the reference document attaches (ids 1..11)
INSERT INTO materials(id, org_id, kind, title, created_at, updated_at)
SELECT column1, 2, column2, column2, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM (VALUES
  (1, 'business_licence'), (2, 'architecture_diagram'), (3, 'data_flow_diagram'), (4, 'service_agreement'),
  (5, 'emergency_plan'), (6, 'grading_report'), (7, 'expert_review_opinion'), (8, 'risk_assessment_report'),
  (9, 'vuln_scan_report'), (10, 'cross_border_document'), (11, 'change_description'));
INSERT INTO material_versions(material_id, n, filename, content_type, size, sha256, created_at)
SELECT id, 1, kind || '.txt', 'text/plain', 1, printf('%064d', id), created_at FROM materials;
CREATE TEMP TABLE t(doc TEXT); INSERT INTO t VALUES (readfile('$work/doc.json'));
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < $N)
INSERT INTO filings(system_id, org_id, kind, state, authority_org_id, region, level, type, subject_name, system_name,
                    document, revision, current_version, record_version, number, pack, provider_org_id,
                    provider_visible, authority_visible, findings, derived, filed_at, created_at, updated_at)
SELECT (SELECT max(id) FROM systems), 2, 'initial', 'filed', 4, '110105', 3, 'strict', '北京云帆数据科技有限公司',
       'bench-' || n,
       json_set(CASE WHEN n % 10 = 0 THEN json_set(t.doc, '\$.agreement.incident_notice_hours', 18) ELSE t.doc END,
                '\$.system.name', CASE WHEN ${IMPACT_DISTINCT:-0} THEN '云帆智能客服平台-' || n ELSE '云帆智能客服平台' END),
       1, 1, 1, '110000-2026-' || printf('%07d', n), 'cn-cloud@2025.1', 3, 1, 1, '[]', '{}',
       '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
FROM c, t;
SQL
gen_end=$(date +%s.%N)

start=$(date +%s.%N)
/usr/bin/time -f "%M %U %S" -o "$work/rss" $BIN policy impact cn-cloud@2027.1 --data "$work/data" --format json > "$work/out.json" || true
end=$(date +%s.%N)
python3 - "$work" "$N" "$start" "$end" "$gen_start" "$gen_end" <<'PY'
import json, sys
w, n, s, e, gs, ge = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
out = json.load(open(w + '/out.json'))
m, u, k = open(w + '/rss').read().split()[-3:]
rss, cpu = int(m) // 1024, float(u) + float(k)
t = e - s
print(f"| policy impact over {n:,} filed filings ({out['checked']:,} checked) | {t:.1f} s | {out['checked']/t:,.0f} filings/s | "
      f"{cpu:.1f} CPU s ({out['checked']/max(cpu, 0.01):,.0f} filings per CPU-second) | "
      f"{out['failing_count']:,} failing (expected {n // 10:,}) | peak RSS {rss} MiB | (generating them took {ge - gs:.0f} s) |")
PY

# The daily standing check of the same records (issue 13), side by side: every filed record evaluated
# against today and its inspection schedule, its standing findings written, 1,000 records a
# transaction, evaluated by one worker per core. The first pass writes every finding (and its audit
# event); the second (the records marked unchecked again, as on the next day) finds the same and
# writes nothing but the day checked.
tick() {
  start=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$work/rss_tick" $BIN tick --data "$work/data" > "$work/tick.out"
  end=$(date +%s.%N)
  python3 - "$work" "$N" "$start" "$end" "$1" <<'PY'
import re, sys
w, n, s, e, which = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
out = open(w + '/tick.out').read()
checked = int(re.search(r'checked (\d+)', out).group(1))
m, u, k = open(w + '/rss_tick').read().split()[-3:]
rss, cpu = int(m) // 1024, float(u) + float(k)
open(w + '/tick.secs', 'a').write(f"{e - s:.3f}\n")
print(f"| `beian tick` (standing check, {which}) over {n:,} filed filings ({checked:,} checked) | {e - s:.1f} s | {checked / (e - s):,.0f} records/s | "
      f"{cpu:.1f} CPU s ({checked / max(cpu, 0.01):,.0f} records per CPU-second) | {out.strip()} | peak RSS {rss} MiB |")
PY
}
sqlite3 "$work/data/beian.db" ".backup '$work/before.db'"   # for the floor below
tick "first pass"
sqlite3 "$work/data/beian.db" "DELETE FROM standing_checks"
tick "second pass"

# The floor under the first pass (bench/first_pass_floor.c): the rows it wrote for one record —
# standing findings, hash-chained audit entries, inbox items, the day checked — written again for
# as many records by a plain C loop on one connection with beian's settings, into a copy of the
# database as it was before the first pass. Evaluation, notification choices and JSON are beian's
# own; this is what SQLite costs.
cc -O2 -o "$work/first_pass_floor" bench/first_pass_floor.c $(pkg-config --cflags --libs sqlite3 libsodium)
template=$(sqlite3 "$work/data/beian.db" "SELECT min(filing_id) FROM standing_findings")
read -r secs rows < <("$work/first_pass_floor" "$work/data/beian.db" "$template" "$work/before.db" "$N")
rm -f "$work/before.db"*
python3 - "$secs" "$rows" "$(head -1 "$work/tick.secs")" <<'PY'
import sys
floor, rows, first = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
print(f"| floor under the first pass: the same {rows:,} rows written by a plain C loop (WAL, synchronous=FULL, "
      f"1,000 records a transaction) | {floor:.1f} s | {rows / floor:,.0f} rows/s | | the first pass took {first / floor:.2f}× the floor | |")
PY
