// policy_versions.test.mjs — pack versions side by side (issue 3): installing a version (it must
// load and pass its fixtures), a draft following the version in force and recording it, and the
// impact of a tightened version on the filed systems, through the API and the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, cli, installPack } from './lib.mjs';
import { API, loginAll, createSystem, completeDraft, driveTo, referenceDoc, getFiling, patchDocument, newSystem } from './story.mjs';

const PACK = new URL('../../policy/cn-cloud', import.meta.url).pathname;
let s, tmp, systemId, ok, tooSlow;
const today = new Date().toISOString().slice(0, 10);

// A copy of cn-cloud as another version, with the provider's incident notice limit tightened from
// 24 to `hours` (and the rule's passing fixture moved with it unless `keepFixture`).
function tightened(version, effectiveFrom, hours, { keepFixture = false } = {}) {
  const dir = join(tmp, version);
  cpSync(PACK, dir, { recursive: true });
  const edit = (file, fn) => writeFileSync(join(dir, file), JSON.stringify(fn(JSON.parse(readFileSync(join(dir, file), 'utf8'))), null, 2));
  edit('manifest.json', (m) => ({ ...m, version, effective_from: effectiveFrom, supersedes: '2025.1' }));
  edit('params.json', (p) => { p.agreement.incident_notice_max_hours = hours; return p; });
  if (!keepFixture) edit('fixtures/rules/AGR-005.pass.json', (f) => { f.set['/agreement/incident_notice_hours'] = hours; return f; });
  return dir;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'beian-packs-'));
  s = await Server.start();
  await loginAll(s, Object.keys(s.logins));
  systemId = await createSystem(s, 'filer', '版本影响系统');
  // two filed systems: one far within the tightened limit, one that only the old limit allows
  ok = await completeDraft(s, await newSystem(s));
  await driveTo(s, ok, 'filed');
  const doc = referenceDoc();
  doc.agreement.incident_notice_hours = 18;
  tooSlow = await completeDraft(s, await newSystem(s), { doc });
  await driveTo(s, tooSlow, 'filed');
});

after(async () => {
  await s.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('the installed versions: the built-in cn-cloud is in force and recorded by each filing', async () => {
  const r = await s.req('GET', `${API}/policy/packs`, { token: s.tokens.filer });
  assert.equal(r.status, 200, r.text);
  const builtin = r.body.items.find((p) => p.id === 'cn-cloud' && p.version === '2025.1');
  assert.ok(builtin && builtin.in_force && builtin.source === 'builtin');
  assert.equal((await getFiling(s, 'filer', ok)).pack, 'cn-cloud@2025.1');
  const rules = await s.req('GET', `${API}/policy/packs/cn-cloud/2025.1/rules`, { token: s.tokens.filer });
  assert.equal(rules.status, 200);
  assert.ok(rules.body.items.some((x) => x.id === 'AGR-005' && x.severity === 'error' && x.source));
  const schema = await s.req('GET', `${API}/policy/packs/cn-cloud/2025.1/schema`, { token: s.tokens.filer });
  assert.equal(schema.status, 200);
  assert.equal(schema.body.form.sections[0].key, 'subject');
  assert.equal((await s.req('GET', `${API}/policy/packs/cn-cloud/1999.1/rules`, { token: s.tokens.filer })).status, 404);
});

test('installing a version: admin only, its fixtures must pass, once per version', async () => {
  const dir = tightened('2027.1', '2027-01-01', 12);
  const asFiler = await s.req('POST', `${API}/policy/packs`, { token: s.tokens.filer, body: { dir } });
  assert.equal(asFiler.status, 403, asFiler.text);
  // the install runs in the background (issue 12): 202 with a job, which ends done or failed
  const broken = tightened('2027.2', '2027-01-01', 12, { keepFixture: true });
  const refused = await installPack(s, s.tokens.admin, broken);
  assert.equal(refused.state, 'failed', JSON.stringify(refused));
  assert.equal(refused.problem.status, 422);
  assert.match(refused.problem.detail_en, /fixture/);
  assert.match(refused.problem.failing_fixtures[0].file, /AGR-005/);
  const r = await installPack(s, s.tokens.admin, dir);
  assert.equal(r.state, 'done', JSON.stringify(r));
  assert.equal(r.installed.version, '2027.1');
  assert.equal(r.installed.in_force, false, 'not in force before its effective date');
  assert.equal(r.installed.source, 'installed');
  const again = await s.req('POST', `${API}/policy/packs`, { token: s.tokens.admin, body: { dir } });
  assert.equal(again.status, 409, again.text);
  assert.equal((await s.req('GET', `${API}/policy/jobs/${r.id}`, { token: s.tokens.filer })).status, 403);
  assert.equal((await s.req('GET', `${API}/policy/jobs/99999`, { token: s.tokens.admin })).status, 404);
  // drafts still follow the version in force today
  assert.equal((await getFiling(s, 'filer', ok)).pack, 'cn-cloud@2025.1');
});

test('the filers of a record the new version would break hear of it: what changes and by when', async () => {
  // the install of 2027.1 (above) wrote the notices before its job was done
  const inbox = await s.req('GET', `${API}/inbox`, { token: s.tokens.filer });
  assert.equal(inbox.status, 200, inbox.text);
  const notices = inbox.body.items.filter((n) => n.event === 'policy.affected');
  assert.deepEqual(notices.map((n) => n.filing_id), [tooSlow], 'only the record the tightened rule breaks');
  const [n] = notices;
  assert.equal(n.params.effective_from, '2027-01-01');
  assert.equal(n.params.pack, 'cn-cloud@2027.1');
  assert.deepEqual(n.params.new_rules, undefined, 'the notice speaks in words');
  assert.match(n.subject.zh, /2027-01-01/);
  assert.match(n.body.zh, /cn-cloud@2027\.1.*2027-01-01/s);
  assert.match(n.body.zh, /AGR-005/);
  assert.match(n.body.en, /take[s]? effect on 2027-01-01/);
  assert.equal(n.link, `/filings/${tooSlow}`);
  // the organisation's administrator too; not the provider, nor the authority
  const admin = await s.req('GET', `${API}/inbox`, { token: s.tokens.entadmin });
  assert.ok(admin.body.items.some((x) => x.event === 'policy.affected' && x.filing_id === tooSlow));
  for (const login of ['provider', 'reviewer', 'checker'])
    assert.ok(!(await s.req('GET', `${API}/inbox`, { token: s.tokens[login] })).body.items.some((x) => x.event === 'policy.affected'), login);
  // and it is on the record's history
  const events = await s.req('GET', `${API}/filings/${tooSlow}/events`, { token: s.tokens.filer });
  assert.ok(events.body.items.some((e) => e.action === 'policy.affected' && e.detail.effective_from === '2027-01-01'));
});

test('impact through the API: exactly the filed system the tightened rule breaks', async () => {
  const r = await s.req('GET', `${API}/policy/impact?pack=cn-cloud@2027.1`, { token: s.tokens.reviewer });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.checked, 2);
  assert.equal(r.body.failing_count, 1);
  assert.deepEqual(r.body.items.map((i) => i.id), [tooSlow]);
  assert.deepEqual(r.body.items[0].rules, ['AGR-005']);
  assert.deepEqual(r.body.items[0].new_rules, ['AGR-005']);
  assert.match(r.body.items[0].number, /^110000-\d{4}-\d{6}$/);
  assert.equal(r.body.items[0].findings[0].path, '/agreement/incident_notice_hours');
  const current = await s.req('GET', `${API}/policy/impact?pack=cn-cloud@2025.1`, { token: s.tokens.admin });
  assert.equal(current.body.failing_count, 0);
  assert.equal((await s.req('GET', `${API}/policy/impact?pack=cn-cloud@2027.1`, { token: s.tokens.filer })).status, 403);
  assert.equal((await s.req('GET', `${API}/policy/impact?pack=cn-cloud@2099.9`, { token: s.tokens.admin })).status, 404);
});

test('impact through the CLI, as a table and as JSON; exit 1 when something would fail', () => {
  const json = cli(['policy', 'impact', 'cn-cloud@2027.1', '--data', s.data, '--format', 'json']);
  assert.equal(json.status, 1, json.stderr);
  const out = JSON.parse(json.stdout);
  assert.equal(out.checked, 2);
  assert.deepEqual(out.failing.map((i) => i.id), [tooSlow]);
  const table = cli(['policy', 'impact', 'cn-cloud@2027.1', '--data', s.data]);
  assert.equal(table.status, 1);
  assert.match(table.stdout, /AGR-005/);
  assert.match(table.stdout, /1 of 2 filed systems would fail/);
  const clean = cli(['policy', 'impact', 'cn-cloud@2025.1', '--data', s.data]);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  assert.equal(cli(['policy', 'impact', 'nonsense', '--data', s.data]).status, 1);
  assert.equal(cli(['policy', 'impact', '--data', s.data]).status, 2);
});

test('a version in force from today: the next save of a draft follows it and records it', async () => {
  const dir = tightened('2026.9', today, 12);
  const installed = cli(['policy', 'install', dir, '--data', s.data]);
  assert.equal(installed.status, 0, installed.stderr);
  assert.match(installed.stdout, /installed cn-cloud@2026\.9/);
  // the CLI installed it into the data directory: a restarted server loads it
  await s.stop({ keep: true });
  await s.launch();
  s.tokens = {};
  await loginAll(s, Object.keys(s.logins));
  const sys = await createSystem(s, 'filer', '新版本草稿');
  const f = await s.req('POST', `${API}/filings`, { token: s.tokens.filer, body: { system_id: sys } });
  let doc = await patchDocument(s, f.body.id, { agreement: { incident_notice_hours: 18 } }, f.body.etag);
  assert.equal(doc.pack, 'cn-cloud@2026.9');
  assert.ok(doc.findings.some((x) => x.rule === 'AGR-005' && x.severity === 'error'), 'the tightened rule applies');
  doc = await patchDocument(s, f.body.id, { agreement: { incident_notice_hours: 6 } }, doc.etag);
  assert.ok(!doc.findings.some((x) => x.rule === 'AGR-005'));
});
