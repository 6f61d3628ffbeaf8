// after.test.mjs — after the number (issue 13): a filed record's self-inspection cycle walked
// through two years with the clock moved by the test (BEIAN_TEST_CLOCK_FILE, which no request can
// touch): the first report due from approval, overdue and flagged until one is submitted, accepted;
// the second sent back for rectification item by item, then accepted; an extra inspection ordered
// by the authority and flagged when late; standing findings appearing and clearing as the clock
// moves, with their events; the work lists of both parties; who sees what.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, assertPromtoolClean, cli } from './lib.mjs';
import { API, completeDraft, driveTo, errorsOf, foreignParties, getFiling, loginAll, newSystem } from './story.mjs';

const DAY = 86400;
const REPORT = JSON.parse(readFileSync(new URL('../../policy/cn-cloud/fixtures/inspection-reference.json', import.meta.url), 'utf8'));
let s, tmp, clockFile, offsetDays = 0, record, filedOn;

// Move beian's clock to `days` after the real today (the server reads the file before each request).
function setClock(days) {
  offsetDays = days;
  writeFileSync(clockFile, String(days * DAY));
}
const dayAt = (days) => new Date(Date.now() + days * DAY * 1000).toISOString().slice(0, 10);
const addMonths = (iso, n) => {
  const [y, m, d] = iso.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1 + n, 1));
  const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
  return `${t.getUTCFullYear()}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
};

// `beian tick` against the server's data directory, with the same clock.
function tick() {
  const r = cli(['tick', '--data', s.data], { env: { BEIAN_TEST_CLOCK_FILE: clockFile } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const get = async (login, path) => {
  const r = await s.req('GET', API + path, { token: s.tokens[login] });
  return r;
};
const post = (login, path, body) => s.req('POST', API + path, { token: s.tokens[login], body });
const act = (login, id, action, body) => post(login, `/inspections/${id}/actions/${action}`, body);
async function actOk(login, id, action, body, state) {
  const r = await act(login, id, action, body);
  assert.equal(r.status, 200, `${login} ${action}: ${r.status} ${r.text}`);
  assert.equal(r.body.state, state);
  return r.body;
}
// Sessions live in real time too: after a long move of the clock, sign in again.
const relogin = () => {
  const who = ['filer', 'checker', 'reviewer', 'provider', 'admin', 'filer2', 'reviewer2'];
  for (const l of who) delete s.tokens[l];
  return loginAll(s, who);
};

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'beian-after-'));
  clockFile = join(tmp, 'clock');
  setClock(0);
  s = await Server.start({ env: { BEIAN_TEST_CLOCK_FILE: clockFile } });
  await loginAll(s, Object.keys(s.logins));
  await loginAll(s, (await foreignParties(s)).logins);
  record = await completeDraft(s, await newSystem(s));
  const filed = await driveTo(s, record, 'filed');
  filedOn = filed.filed_at.slice(0, 10);
});

after(async () => {
  await s.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('two inspection cycles: due from approval, overdue until submitted, accepted; then sent back item by item', async () => {
  // the reference filing is strict: a report every 6 months (the pack's deadlines)
  let st = (await get('filer', `/filings/${record}/standing`)).body;
  assert.equal(st.inspection.cycle_months, 6);
  const firstDue = addMonths(filedOn, 6);
  assert.equal(st.inspection.next_due, firstDue);
  assert.equal(st.inspection.overdue, false);

  // seven months on, nothing submitted: overdue, flagged by the standing check and in both work lists
  setClock(213);
  await relogin();
  assert.match(tick(), /checked 1 record/);
  st = (await get('filer', `/filings/${record}/standing`)).body;
  assert.equal(st.inspection.overdue, true);
  const overdue = st.items.find((f) => f.rule === 'INSPECTION-OVERDUE');
  assert.ok(overdue, JSON.stringify(st.items));
  assert.equal(overdue.since, dayAt(213));
  for (const login of ['filer', 'reviewer']) {
    const list = (await get(login, '/records?overdue=true')).body;
    const line = list.items.find((x) => x.id === record);
    assert.ok(line && line.inspection_overdue, `${login}'s work list flags the record`);
    assert.ok(list.counts.inspection_overdue >= 1);
  }
  const metrics = await s.req('GET', '/metrics');
  assert.match(metrics.text, /beian_standing_findings\{rule="INSPECTION-OVERDUE",severity="error"\} 1/);
  assertPromtoolClean(metrics.text);
  // a second tick the same day changes nothing
  assert.match(tick(), /checked 0 record/);

  // the filer prepares the report; the checker checks it; it is submitted
  const started = await post('filer', `/filings/${record}/inspections`);
  assert.equal(started.status, 201, started.text);
  const iid = started.body.id;
  assert.equal(started.body.kind, 'scheduled');
  assert.equal(started.body.due_on, firstDue);
  assert.ok(errorsOf(started.body.findings).length > 0, 'an empty report is incomplete');
  assert.equal((await post('filer', `/filings/${record}/inspections`)).status, 409, 'one open report per cycle');
  // the authority does not see a report before it is submitted
  assert.equal((await get('reviewer', `/inspections/${iid}`)).status, 404);
  const put = await s.req('PUT', `${API}/inspections/${iid}/document`, { token: s.tokens.filer, body: REPORT, headers: { 'If-Match': started.body.etag } });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(errorsOf(put.body.findings), []);
  await actOk('filer', iid, 'submit_for_check', undefined, 'internal_check');
  assert.equal((await act('filer', iid, 'approve_check')).status, 409, 'the filer does not check its own report');
  await actOk('checker', iid, 'approve_check', undefined, 'submitted');
  // submitted: no longer overdue once the next check runs (the next day)
  setClock(214);
  await relogin();
  tick();
  st = (await get('filer', `/filings/${record}/standing`)).body;
  assert.equal(st.inspection.overdue, false);
  assert.ok(!st.items.some((f) => f.rule === 'INSPECTION-OVERDUE'), 'cleared once submitted');
  const events = (await get('filer', `/filings/${record}/events`)).body.items;
  assert.ok(events.some((x) => x.action === 'standing.appear' && x.detail.rule === 'INSPECTION-OVERDUE'));
  assert.ok(events.some((x) => x.action === 'standing.clear' && x.detail.rule === 'INSPECTION-OVERDUE'));
  // the authority reviews and accepts it
  const seen = await get('reviewer', `/inspections/${iid}`);
  assert.equal(seen.status, 200);
  assert.ok(seen.body.allowed_actions.includes('accept_report'));
  await actOk('reviewer', iid, 'accept_report', undefined, 'accepted');
  st = (await get('filer', `/filings/${record}/standing`)).body;
  assert.equal(st.inspection.next_due, addMonths(dayAt(214), 6), 'the next cycle counts from the acceptance');

  // the second cycle: sent back for rectification item by item, answered, accepted
  setClock(214 + 170);
  await relogin();
  const second = (await post('filer', `/filings/${record}/inspections`)).body;
  await s.req('PUT', `${API}/inspections/${second.id}/document`, { token: s.tokens.filer, body: REPORT, headers: { 'If-Match': second.etag } });
  await actOk('filer', second.id, 'submit_for_check', undefined, 'internal_check');
  await actOk('checker', second.id, 'approve_check', undefined, 'submitted');
  const bad = await act('reviewer', second.id, 'request_rectification', { items: [{ path: '/no/such', message: 'x' }] });
  assert.equal(bad.status, 422, 'items name fields of the report');
  const sent = await actOk('reviewer', second.id, 'request_rectification',
    { comment: '请补充', items: [{ path: '/vulnerability/high_fixed', message: '请说明高危漏洞的修复验证方式' }] }, 'rectification');
  assert.equal(sent.notices.length, 1);
  assert.equal(sent.notices[0].items[0].path, '/vulnerability/high_fixed');
  const patched = await s.req('PATCH', `${API}/inspections/${second.id}/document`, {
    token: s.tokens.filer, contentType: 'application/merge-patch+json',
    body: { conclusion: { measures: '三个高危漏洞均已修复，并经复扫确认。' } },
  });
  assert.equal(patched.status, 200, patched.text);
  await actOk('filer', second.id, 'submit_for_check', undefined, 'internal_check');
  const back = await actOk('checker', second.id, 'approve_check', undefined, 'submitted');
  assert.ok(back.notices[0].closed_at, 'the notice closes with the resubmission');
  await actOk('reviewer', second.id, 'accept_report', undefined, 'accepted');
  const list = (await get('filer', `/filings/${record}/inspections`)).body.items;
  assert.deepEqual(list.map((x) => x.state), ['accepted', 'accepted']);
});

test('an extra inspection ordered by the authority: visible to both, flagged when late', async () => {
  const due = dayAt(offsetDays + 10);
  assert.equal((await post('filer', `/filings/${record}/inspections/order`, { reason: 'x', due_on: due })).status, 403);
  assert.equal((await post('reviewer2', `/filings/${record}/inspections/order`, { reason: 'x', due_on: due })).status, 404);
  assert.equal((await post('reviewer', `/filings/${record}/inspections/order`, { reason: 'x', due_on: dayAt(offsetDays - 1) })).status, 422);
  const r = await post('reviewer', `/filings/${record}/inspections/order`, { reason: '发生数据泄露事件后的专项自查', due_on: due });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.kind, 'ordered');
  const oid = r.body.id;
  assert.equal((await get('filer', `/inspections/${oid}`)).body.reason, '发生数据泄露事件后的专项自查');
  // eleven days on and not submitted: flagged
  setClock(offsetDays + 11);
  await relogin();
  tick();
  const st = (await get('filer', `/filings/${record}/standing`)).body;
  assert.ok(st.items.some((f) => f.rule === 'INSPECTION-ORDERED-OVERDUE' && f.path === `/inspections/${oid}`), JSON.stringify(st.items));
  const rec = (await get('reviewer', '/records?overdue=true')).body;
  assert.ok(rec.items.find((x) => x.id === record).ordered_overdue);
  assert.ok(rec.counts.ordered_overdue >= 1);
});

test('standing findings appear and clear as the clock moves; the agreement ending is one of them', async () => {
  // the reference agreement runs to 2029-01-09: far past it, an error stands
  const ends = new Date('2029-01-09T00:00:00Z').getTime();
  const days = Math.ceil((ends - Date.now()) / (DAY * 1000)) + 5;
  setClock(days);
  await relogin();
  tick();
  const st = (await get('filer', `/filings/${record}/standing`)).body;
  const agreement = st.items.find((f) => f.path.startsWith('/agreement/valid_until'));
  assert.ok(agreement, `an agreement finding after it ended: ${JSON.stringify(st.items.map((f) => f.rule + ' ' + f.path))}`);
  assert.equal(agreement.since, dayAt(days));
  assert.equal(st.checked_on, dayAt(days));
});

test('who sees what: the provider and other parties see no report; lists are scoped', async () => {
  const mine = (await get('filer', '/inspections')).body.items;
  assert.ok(mine.length >= 3);
  const iid = mine[0].id;
  for (const login of ['provider', 'filer2', 'reviewer2']) {
    assert.equal((await get(login, `/inspections/${iid}`)).status, 404, login);
    assert.deepEqual((await get(login, '/inspections')).body.items, [], login);
  }
  assert.equal((await get('filer2', `/filings/${record}/standing`)).status, 404);
  assert.equal((await get('filer2', '/records')).body.items.length, 0);
  assert.equal((await s.req('PATCH', `${API}/inspections/${iid}/document`, { token: s.tokens.reviewer, body: {}, contentType: 'application/merge-patch+json' })).status, 403);
  // only a filed record is inspected
  setClock(0);
  const draft = await completeDraft(s, await newSystem(s));
  assert.equal((await post('filer', `/filings/${draft}/inspections`)).status, 409);
  assert.equal((await getFiling(s, 'filer', draft)).state, 'draft');
});

test('recurring evidence moves a record\'s dates forward without a change filing, and clears the stale-scan finding', async () => {
  setClock(0);
  await relogin();
  const id = await completeDraft(s, await newSystem(s));
  await driveTo(s, id, 'filed');
  // a hundred days on, the scan of the filing (30-day interval) is stale
  setClock(100);
  await relogin();
  tick();
  let st = (await get('filer', `/filings/${id}/standing`)).body;
  const stale = st.items.find((f) => f.path === '/operations/vuln_scan/last_scan');
  assert.ok(stale, `a stale-scan finding: ${JSON.stringify(st.items.map((f) => f.rule + ' ' + f.path))}`);
  // bad evidence is refused
  assert.equal((await post('filer', `/filings/${id}/evidence`, { kind: 'audit', on_date: dayAt(100) })).status, 422);
  assert.equal((await post('filer', `/filings/${id}/evidence`, { kind: 'vuln_scan', on_date: dayAt(101) })).status, 422, 'not after today');
  assert.equal((await post('filer', `/filings/${id}/evidence`, { kind: 'vuln_scan', on_date: dayAt(99), material_id: 999999 })).status, 422);
  assert.equal((await post('reviewer', `/filings/${id}/evidence`, { kind: 'vuln_scan', on_date: dayAt(99) })).status, 403);
  assert.equal((await post('filer2', `/filings/${id}/evidence`, { kind: 'vuln_scan', on_date: dayAt(99) })).status, 404);
  // a new scan report, attached as dated evidence
  const r = await post('filer', `/filings/${id}/evidence`, { kind: 'vuln_scan', on_date: dayAt(99), material_id: 9, note: '季度扫描' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.items[0].on_date, dayAt(99));
  const filing = await getFiling(s, 'filer', id);
  assert.equal(filing.state, 'filed');
  assert.equal(filing.current_version, 1, 'no new version: not a change filing');
  setClock(101);
  await relogin();
  tick();
  st = (await get('filer', `/filings/${id}/standing`)).body;
  assert.ok(!st.items.some((f) => f.path === '/operations/vuln_scan/last_scan'), 'the stale-scan finding cleared');
  const line = (await get('reviewer', '/records')).body.items.find((x) => x.id === id);
  assert.equal(line.next.last_scan, dayAt(99));
  const events = (await get('filer', `/filings/${id}/events`)).body.items.map((x) => x.action);
  assert.ok(events.includes('evidence.add'));
});

test('one pass over records that share a document keeps each record\'s own evidence and findings', async () => {
  // The daily pass keeps parsed documents, policy checks and record findings from record to record
  // (src/service/filing_pass.c): two records of one enterprise filed from the same complete
  // document share those; evidence laid over one of them must change that one's findings only.
  setClock(0);
  await relogin();
  const ids = [];
  for (let i = 0; i < 2; i++) {
    const id = await completeDraft(s, await newSystem(s));
    await driveTo(s, id, 'filed');
    ids.push(id);
  }
  const [a, b] = ids;
  setClock(200);
  await relogin();
  tick();
  const stale = async (id) => (await get('filer', `/filings/${id}/standing`)).body.items
    .some((f) => f.path === '/operations/vuln_scan/last_scan');
  assert.ok(await stale(a) && await stale(b), 'both scans are stale');
  assert.equal((await post('filer', `/filings/${a}/evidence`, { kind: 'vuln_scan', on_date: dayAt(199), material_id: 9 })).status, 201);
  setClock(201);
  await relogin();
  tick();
  assert.ok(!await stale(a), 'the record with the new scan is clear');
  assert.ok(await stale(b), 'the record without it still has the finding');
  const [da, db] = [(await getFiling(s, 'filer', a)).document, (await getFiling(s, 'filer', b)).document];
  const { system: sa, ...ra } = da, { system: sb, ...rb } = db;
  assert.deepEqual(ra, rb, 'the two documents are the same outside the system section');
});
