// policy_diff.test.mjs — what changed between two pack versions (issue 17): `GET /policy/diff`
// for anyone signed in (not without a token; 400 without from or to, 404 for a version that is not
// installed) and `beian policy diff` on pack directories, on installed versions of a data
// directory (--data) and as JSON, in English and Chinese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, cli, installPack } from './lib.mjs';
import { API, loginAll } from './story.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const PACK = join(ROOT, 'policy/cn-cloud');
const V1 = join(ROOT, 'tests/fixtures/packs/diff-v1');
const V2 = join(ROOT, 'tests/fixtures/packs/diff-v2');
let s, tmp;

// cn-cloud as version 2026.1: the provider's incident notice limit tightened from 24 to 12 hours
// (with the rule's passing fixture), a material kind renamed.
function tightened() {
  const dir = join(tmp, '2026.1');
  cpSync(PACK, dir, { recursive: true });
  const edit = (file, fn) => writeFileSync(join(dir, file), JSON.stringify(fn(JSON.parse(readFileSync(join(dir, file), 'utf8'))), null, 2));
  edit('manifest.json', (m) => ({ ...m, version: '2026.1', effective_from: '2026-01-01', supersedes: '2025.1' }));
  edit('params.json', (p) => { p.agreement.incident_notice_max_hours = 12; return p; });
  edit('fixtures/rules/AGR-005.pass.json', (f) => { f.set['/agreement/incident_notice_hours'] = 12; return f; });
  edit('materials.json', (m) => {
    m.kinds.find((k) => k.key === 'other').label = { zh: '其他材料', en: 'Other material' };
    return m;
  });
  return dir;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'beian-diff-'));
  s = await Server.start({ materials: false });
  await loginAll(s, ['admin', 'filer', 'provider', 'reviewer']);
  const job = await installPack(s, s.tokens.admin, tightened());
  assert.equal(job.state, 'done', JSON.stringify(job));
});

after(async () => {
  await s.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const diffUrl = (from, to) => `${API}/policy/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;

test('GET /policy/diff: the changes between two installed versions, in zh and en, for any role', async () => {
  for (const login of ['filer', 'provider', 'reviewer', 'admin']) {
    const r = await s.req('GET', diffUrl('cn-cloud@2025.1', 'cn-cloud@2026.1'), { token: s.tokens[login] });
    assert.equal(r.status, 200, `${login}: ${r.text}`);
    assert.deepEqual(r.body.from, { id: 'cn-cloud', version: '2025.1', edition: '2025', effective_from: '2025-01-01' });
    assert.equal(r.body.to.version, '2026.1');
    // the rule's title quotes the limit, so the rule says so too
    assert.deepEqual(r.body.summary, { rules: 1, parameters: 1, materials: 1 });
    const [rule, param, material] = r.body.changes;
    assert.deepEqual([rule.subject, rule.aspect], ['AGR-005', 'title']);
    assert.match(rule.en, /24 hours.*12 hours/);
    assert.deepEqual({ ...param, zh: undefined, en: undefined }, {
      area: 'parameters', change: 'changed', subject: '/agreement/incident_notice_max_hours', aspect: 'value',
      from: 24, to: 12, zh: undefined, en: undefined });
    assert.equal(param.en, 'Parameter /agreement/incident_notice_max_hours changed from 24 to 12');
    assert.equal(param.zh, '参数 /agreement/incident_notice_max_hours 由 24 改为 12');
    assert.equal(material.subject, 'other');
    assert.match(material.en, /Other material/);
    assert.match(material.zh, /其他材料/);
  }
  const same = await s.req('GET', diffUrl('cn-cloud@2026.1', 'cn-cloud@2026.1'), { token: s.tokens.filer });
  assert.deepEqual(same.body.changes, []);
});

test('GET /policy/diff: 401 without a token, 400 without from or to, 404 for a version not installed', async () => {
  assert.equal((await s.req('GET', diffUrl('cn-cloud@2025.1', 'cn-cloud@2026.1'))).status, 401);
  const noTo = await s.req('GET', `${API}/policy/diff?from=cn-cloud@2025.1`, { token: s.tokens.filer });
  assert.equal(noTo.status, 400);
  assert.equal(noTo.body.field, 'to');
  assert.ok(noTo.body.detail_zh && noTo.body.detail_en);
  const noFrom = await s.req('GET', `${API}/policy/diff?to=cn-cloud@2025.1`, { token: s.tokens.filer });
  assert.equal(noFrom.status, 400);
  assert.equal(noFrom.body.field, 'from');
  const missing = await s.req('GET', diffUrl('cn-cloud@2025.1', 'cn-cloud@1999.1'), { token: s.tokens.filer });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.field, 'to');
  // a directory is not a version: the API never reads paths a caller names
  const path = await s.req('GET', diffUrl('cn-cloud@2025.1', V2), { token: s.tokens.filer });
  assert.equal(path.status, 404);
});

test('beian policy diff: two pack directories, in text (en and zh) and JSON', () => {
  const en = cli(['policy', 'diff', V1, V2, '--lang', 'en']);
  assert.equal(en.status, 0, en.stderr);
  const lines = en.stdout.split('\n');
  assert.equal(lines[0], 'diff-test@1 → diff-test@2 (in force from 2026-07-01): 22 changes');
  for (const line of [
    '  ~ Rule T-001: severity changed from error to warning',
    '  + Rule T-004 added (error, overridable): Address',
    '  - Rule T-003 removed (Short name)',
    '  ~ Field /subject/kind (Kind) is now required',
    '  ~ Field /system/description: maximum length changed from 2000 to 1000',
    '  ~ Parameter /system/description_min_characters changed from 20 to 30',
    '  ~ When level_at_least 2: material grading_report is now required',
    '  ~ Deadline /self_inspection_months/strict (self-inspection cycle, months) changed from 6 to 3',
    '  + Working-day calendar of 2027 added (1 holiday(s), 0 working weekend day(s))',
    '  ~ Incident level serious (Serious): first report within (hours) changed from 2 to 1',
  ]) assert.ok(lines.includes(line), `${line}\nin\n${en.stdout}`);
  assert.ok(!en.stdout.includes('T-001: its check'), 'comments and layout are no change of the code');
  const zh = cli(['policy', 'diff', V1, V2, '--lang', 'zh']);
  assert.ok(zh.stdout.includes('  ~ 规则 T-001 的严重程度由错误改为警告'), zh.stdout);
  assert.ok(zh.stdout.includes('\n规则（5）\n'), zh.stdout);
  const json = cli(['policy', 'diff', V1, V2, '--json']);
  assert.equal(json.status, 0);
  const diff = JSON.parse(json.stdout);
  assert.equal(diff.changes.length, 22);
  assert.deepEqual(Object.keys(diff.summary), ['rules', 'fields', 'parameters', 'materials', 'deadlines', 'calendar',
    'incidents', 'regions']);
});

test('beian policy diff: installed versions of a data directory; usage errors', () => {
  const r = cli(['policy', 'diff', 'cn-cloud@2025.1', 'cn-cloud@2026.1', '--data', s.data, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).changes.map((c) => c.subject), ['AGR-005', '/agreement/incident_notice_max_hours', 'other']);
  const notInstalled = cli(['policy', 'diff', 'cn-cloud@2025.1', 'cn-cloud@1999.1', '--data', s.data]);
  assert.equal(notInstalled.status, 2);
  assert.match(notInstalled.stderr, /not installed/);
  assert.equal(cli(['policy', 'diff', V1]).status, 2, 'two packs');
  assert.equal(cli(['policy', 'diff', V1, V2, '--lang', 'fr']).status, 2);
  assert.equal(cli(['policy', 'diff', V1, join(tmp, 'no-such-dir')]).status, 1);
  const help = cli(['policy', 'diff', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: beian policy diff A B/);
});
