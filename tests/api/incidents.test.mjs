// incidents.test.mjs — security incidents on filed records (issue 13): a late first report and a
// closure; an open incident whose closure deadline passes as the clock moves (BEIAN_TEST_CLOCK_FILE),
// cleared by closing; who sees what (another enterprise, the provider and another authority get 404,
// the authority has them in its queue); bad input; an authority's order of an extra inspection; the
// audit entries and the /metrics gauges.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from './lib.mjs';
import { API, changeBody, createFiling, filingIn, foreignParties, loginAll, newSystem } from './story.mjs';

const HOUR = 3600 * 1000;
const LEVELS = JSON.parse(readFileSync(new URL('../../policy/cn-cloud/incidents.json', import.meta.url), 'utf8')).levels;
const level = (key) => LEVELS.find((l) => l.key === key);

let s, clockDir, clockFile, record, draft;
let offset = 0;   // seconds the server's clock is ahead of the system's

// Move the server's clock (re-read before each request).
function setClock(seconds) { offset = seconds; writeFileSync(clockFile, String(seconds)); }
// Sessions live by beian's clock too: after a move, the parties sign in again.
async function moveClock(seconds) {
  setClock(seconds);
  const who = Object.keys(s.tokens);
  for (const l of who) delete s.tokens[l];
  await loginAll(s, who);
}
// The server's now, as the test sees it.
const serverNow = () => Date.now() + offset * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const req = (login, method, path, body) => s.req(method, `${API}${path}`, { token: s.tokens[login], body });
async function ok(login, method, path, body, status = 200) {
  const r = await req(login, method, path, body);
  assert.equal(r.status, status, `${login} ${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}
const report = (body, login = 'filer', id = record) => req(login, 'POST', `/filings/${id}/incidents`, body);
const firstReport = (over = {}) => ({
  level: 'serious', title: '客服平台数据库遭未授权访问', detected_at: iso(serverNow() - HOUR),
  summary: '发现数据库存在异常查询，已隔离相关主机', ...over,
});

before(async () => {
  clockDir = mkdtempSync(join(tmpdir(), 'beian-clock-'));
  clockFile = join(clockDir, 'offset');
  setClock(0);
  s = await Server.start({ env: { BEIAN_TEST_CLOCK_FILE: clockFile } });
  await loginAll(s, ['admin', 'filer', 'checker', 'entadmin', 'provider', 'reviewer', 'authadmin']);
  const foreign = await foreignParties(s);
  await loginAll(s, foreign.logins);
  record = await filingIn(s, await newSystem(s), 'filed');
  draft = (await createFiling(s, await newSystem(s))).id;
});
after(async () => {
  await s?.stop();
  rmSync(clockDir, { recursive: true, force: true });
});

test('the pack defines the levels with their clocks and cites its source', async () => {
  const schema = await ok('filer', 'GET', '/policy/schema');
  assert.deepEqual(schema.incidents.levels.map((l) => l.key), LEVELS.map((l) => l.key));
  assert.equal(level('serious').first_report_hours, 2);
  assert.match(schema.incidents.source.zh, /网络安全事件报告管理办法/);
  assert.match(schema.incidents.source.zh, /GB\/T 20986-2023/);
});

test('a first report 5 hours after detection at a 2-hour level is late; updates; the closure report', async () => {
  const detected = serverNow() - 5 * HOUR;
  const inc = await ok('filer', 'POST', `/filings/${record}/incidents`, firstReport({ detected_at: iso(detected) }), 201);
  assert.equal(inc.state, 'open');
  assert.equal(inc.filing_id, record);
  assert.match(inc.number, /^110000-\d{4}-\d{6}$/);
  assert.equal(inc.level, 'serious');
  assert.deepEqual(inc.level_label, { zh: '重大', en: 'Serious' });
  assert.equal(inc.detected_at, iso(detected));
  assert.ok(Math.abs(Date.parse(inc.reported_at) - serverNow()) < 60000, 'reported now');
  assert.equal(inc.late_first_report, true);
  assert.ok(inc.first_report_delay_seconds >= 5 * 3600 - 5 && inc.first_report_delay_seconds < 5 * 3600 + 60);
  assert.equal(inc.first_report_due_at, iso(detected + 2 * HOUR));
  assert.equal(inc.closure_due_at, iso(detected + level('serious').closure_days * 24 * HOUR));
  assert.equal(inc.closure_overdue, false);
  assert.deepEqual(inc.updates, []);
  assert.deepEqual(inc.can, { update: true, close: true, order_inspection: false });

  // the same 5 hours at the 24-hour level are in time
  const general = await ok('filer', 'POST', `/filings/${record}/incidents`,
    firstReport({ level: 'general', title: '门户短时不可用', detected_at: iso(serverNow() - 5 * HOUR) }), 201);
  assert.equal(general.late_first_report, false);

  // updates are appended, each timestamped; the org_admin may add them too
  await ok('filer', 'POST', `/incidents/${inc.id}/updates`, { text: '已确认泄露范围限于测试库' }, 201);
  const two = await ok('entadmin', 'POST', `/incidents/${inc.id}/updates`, { text: '已完成密码重置' }, 201);
  assert.deepEqual(two.updates.map((u) => u.text), ['已确认泄露范围限于测试库', '已完成密码重置']);
  for (const u of two.updates) assert.match(u.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // a checker of the enterprise sees it but does not write
  assert.equal((await req('checker', 'GET', `/incidents/${inc.id}`)).status, 200);
  assert.equal((await req('checker', 'POST', `/incidents/${inc.id}/updates`, { text: 'x' })).status, 403);

  const closed = await ok('filer', 'POST', `/incidents/${inc.id}/close`, {
    cause: '数据库弱口令', impact: '测试库 2 张表被读取', personal_data_involved: true, individuals_affected: 1200,
    measures: '修改口令，启用访问白名单，开展全员培训',
  });
  assert.equal(closed.state, 'closed');
  assert.equal(closed.closure.cause, '数据库弱口令');
  assert.equal(closed.closure.personal_data_involved, true);
  assert.equal(closed.closure.individuals_affected, 1200);
  assert.ok(closed.closure.closed_at);
  assert.equal(closed.closure_overdue, false);
  assert.equal(closed.closed_late, false);
  assert.equal(closed.late_first_report, true, 'the late first report stays on record');
  assert.deepEqual(closed.can, { update: false, close: false, order_inspection: false });

  // closed: no more updates, no second closure
  const upd = await req('filer', 'POST', `/incidents/${inc.id}/updates`, { text: '补充说明' });
  assert.equal(upd.status, 409, upd.text);
  assert.equal(upd.body.state, 'closed');
  assert.equal((await req('filer', 'POST', `/incidents/${inc.id}/close`, {
    cause: 'a', impact: 'b', personal_data_involved: false, measures: 'c',
  })).status, 409);
  assert.equal((await ok('filer', 'GET', `/incidents/${inc.id}`)).updates.length, 2);

  // the queue filters: late ones, closed ones
  const late = await ok('reviewer', 'GET', '/incidents?late=true');
  assert.ok(late.items.some((i) => i.id === inc.id));
  assert.ok(!late.items.some((i) => i.id === general.id));
  const closedList = await ok('reviewer', 'GET', '/incidents?state=closed');
  assert.deepEqual(closedList.items.map((i) => i.id), [inc.id]);
  assert.ok(closedList.counts.late_first_report >= 1);
  assert.equal(closedList.counts.closed, 1);
});

test('an open incident whose closure deadline passes is overdue until it is closed', async () => {
  const inc = await ok('filer', 'POST', `/filings/${record}/incidents`,
    firstReport({ level: 'general', title: '对外接口异常调用', detected_at: iso(serverNow() - HOUR) }), 201);
  assert.equal(inc.closure_overdue, false);
  assert.ok(inc.closure_seconds_left > 14 * 86400 && inc.closure_seconds_left <= 15 * 86400);
  let queue = await ok('reviewer', 'GET', '/incidents?overdue=true');
  assert.ok(!queue.items.some((i) => i.id === inc.id));

  try {
    await moveClock(level('general').closure_days * 86400);   // fifteen days later
    const later = await ok('filer', 'GET', `/incidents/${inc.id}`);
    assert.equal(later.closure_overdue, true);
    assert.ok(later.closure_seconds_left < 0 && later.closure_seconds_left > -2 * 3600);
    queue = await ok('reviewer', 'GET', '/incidents?overdue=true&state=open');
    assert.ok(queue.items.some((i) => i.id === inc.id));
    assert.ok(queue.items.every((i) => i.closure_overdue && i.state === 'open'));
    assert.ok(queue.counts.closure_overdue >= 1);
    assert.ok(Date.parse(queue.now) - Date.now() > 14 * 86400 * 1000, 'the queue reports the server\'s clock');
    const metrics = (await s.req('GET', '/metrics')).text;
    assert.match(metrics, /^beian_incidents_closure_overdue [1-9]\d*$/m);
    assert.match(metrics, /^beian_incidents_open [1-9]\d*$/m);
    assert.match(metrics, /^beian_incidents_late_first_report [1-9]\d*$/m);

    const closed = await ok('filer', 'POST', `/incidents/${inc.id}/close`, {
      cause: '第三方调用方密钥泄露', impact: '无数据外泄', personal_data_involved: false, measures: '吊销并轮换密钥',
    });
    assert.equal(closed.closure_overdue, false);
    assert.equal(closed.closed_late, true);
    assert.equal(closed.closure.individuals_affected, 0);
    queue = await ok('reviewer', 'GET', '/incidents?overdue=true');
    assert.ok(!queue.items.some((i) => i.id === inc.id));
  } finally {
    await moveClock(0);
  }
});

test('who sees an incident: the enterprise, the record\'s authority and the admin; nobody else', async () => {
  const inc = await ok('filer', 'POST', `/filings/${record}/incidents`, firstReport({ title: '可见性测试事件' }), 201);
  for (const login of ['filer2', 'provider', 'provider2', 'reviewer2', 'authadmin2']) {
    const r = await req(login, 'GET', `/incidents/${inc.id}`);
    assert.equal(r.status, 404, `${login} reads the incident: ${r.status}`);
    const list = await ok(login, 'GET', '/incidents');
    assert.deepEqual(list.items, [], `${login}'s list is empty`);
    assert.equal(list.counts.total, 0);
    for (const [path, body] of [[`/incidents/${inc.id}/updates`, { text: 'x' }],
      [`/incidents/${inc.id}/order_inspection`, { reason: 'x', due_date: iso(serverNow() + 86400000).slice(0, 10) }]])
      assert.equal((await req(login, 'POST', path, body)).status, 404, `${login} POST ${path}`);
  }
  // a foreign enterprise cannot report on the record: it does not see it
  assert.equal((await report(firstReport(), 'filer2')).status, 404);
  // the provider sees the record, not its incidents, and does not report them
  assert.equal((await report(firstReport(), 'provider')).status, 403);
  assert.equal((await report(firstReport(), 'reviewer')).status, 403);
  assert.equal((await report(firstReport(), 'checker')).status, 403);

  for (const login of ['reviewer', 'authadmin', 'admin', 'filer', 'checker']) {
    const one = await ok(login, 'GET', `/incidents/${inc.id}`);
    assert.equal(one.title, '可见性测试事件');
    const list = await ok(login, 'GET', '/incidents?state=open');
    assert.ok(list.items.some((i) => i.id === inc.id), `${login}'s list has it`);
    assert.ok(list.items.every((i) => i.state === 'open'));
  }
  const queue = await ok('reviewer', 'GET', '/incidents');
  assert.equal(queue.counts.total, queue.items.length);
  assert.equal(queue.counts.open + queue.counts.closed, queue.counts.total);
  // the authority reads; it does not write the enterprise's report
  assert.equal((await req('reviewer', 'POST', `/incidents/${inc.id}/updates`, { text: 'x' })).status, 403);
  assert.equal((await req('admin', 'POST', `/incidents/${inc.id}/updates`, { text: 'x' })).status, 403);

  // the audit log: the enterprise reads its incident entries, the provider none
  const audit = await ok('filer', 'GET', '/audit?limit=500');
  assert.ok(audit.items.some((a) => a.action === 'incident.report' && a.object_id === inc.id));
  const provAudit = await ok('provider', 'GET', '/audit?limit=500');
  assert.ok(!provAudit.items.some((a) => a.object_type === 'incident'));
  const events = await ok('provider', 'GET', `/filings/${record}/events`);
  assert.ok(!JSON.stringify(events).includes('incident'));
});

test('bad input: unknown level, future or malformed detection time, not a filed record, unknown fields', async () => {
  let r = await report(firstReport({ level: 'catastrophic' }));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.field, '/level');
  assert.deepEqual(r.body.allowed, LEVELS.map((l) => l.key));
  r = await report(firstReport({ detected_at: iso(serverNow() + 2 * HOUR) }));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.field, '/detected_at');
  for (const bad of ['2026-13-01T00:00:00Z', '2026-02-30T08:00:00Z', '2026-01-01 8:00', 'yesterday', '2026-01-01', 12]) {
    r = await report(firstReport({ detected_at: bad }));
    assert.equal(r.status, 422, `${bad}: ${r.text}`);
    assert.equal(r.body.field, '/detected_at');
  }
  // an offset is understood: 08:00 in Beijing is 00:00 UTC
  const beijing = new Date(serverNow() - 3 * HOUR + 8 * HOUR).toISOString().slice(0, 19) + '+08:00';
  const inc = await ok('filer', 'POST', `/filings/${record}/incidents`, firstReport({ level: 'general', detected_at: beijing }), 201);
  assert.equal(inc.detected_at, iso(Date.parse(beijing)));
  r = await report(firstReport({ detected_at: undefined }));
  assert.equal(r.status, 422);
  r = await report({ ...firstReport(), severity: 'high' });
  assert.equal(r.status, 422);
  assert.equal(r.body.field, '/severity');
  r = await report(firstReport({ title: '长'.repeat(201) }));
  assert.equal(r.status, 422);
  assert.equal(r.body.field, '/title');
  r = await report(firstReport({ summary: '' }));
  assert.equal(r.status, 422);
  assert.equal(r.body.field, '/summary');
  r = await report(firstReport(), 'filer', draft);
  assert.equal(r.status, 409, r.text);
  assert.equal(r.body.state, 'draft');
  // a change filing of the record is not the record
  const change = await ok('filer', 'POST', `/filings/${record}/actions/report_change`, changeBody());
  r = await report(firstReport(), 'filer', change.change_filing.id);
  assert.equal(r.status, 409, r.text);
  assert.equal(r.body.record_filing_id, record);
  // the record with a change under way still takes reports
  assert.equal((await report(firstReport({ title: '变更期间的事件' }))).status, 201);
  assert.equal((await report(firstReport(), 'filer', 999999)).status, 404);
  assert.equal((await req('filer', 'GET', '/incidents/999999')).status, 404);
  for (const q of ['state=pending', 'late=yes', 'overdue=1', 'filing_id=x'])
    assert.equal((await req('reviewer', 'GET', `/incidents?${q}`)).status, 400, q);

  // the closure report: personal data needs true/false, a count only when involved
  const close = (body) => req('filer', 'POST', `/incidents/${inc.id}/close`, body);
  const base = { cause: 'c', impact: 'i', measures: 'm' };
  r = await close(base);
  assert.equal(r.status, 422);
  assert.equal(r.body.field, '/personal_data_involved');
  r = await close({ ...base, personal_data_involved: true });
  assert.equal(r.status, 422);
  assert.equal(r.body.field, '/individuals_affected');
  r = await close({ ...base, personal_data_involved: false, individuals_affected: 5 });
  assert.equal(r.status, 422);
  r = await close({ ...base, personal_data_involved: true, individuals_affected: -1 });
  assert.equal(r.status, 422);
  r = await req('filer', 'POST', `/incidents/${inc.id}/updates`, { text: '' });
  assert.equal(r.status, 422);
  assert.equal((await ok('filer', 'GET', `/incidents/${inc.id}`)).state, 'open', 'nothing half-done');
});

test('the record\'s authority orders an extra inspection with a reason and a due date, once', async () => {
  const inc = await ok('filer', 'POST', `/filings/${record}/incidents`, firstReport({ title: '勒索软件告警' }), 201);
  assert.equal(inc.inspection_order, null);
  assert.equal((await ok('reviewer', 'GET', `/incidents/${inc.id}`)).can.order_inspection, true);
  const due = iso(serverNow() + 30 * 86400000).slice(0, 10);
  const order = { reason: '事件暴露访问控制缺陷，需开展专项检查', due_date: due };
  let r = await req('filer', 'POST', `/incidents/${inc.id}/order_inspection`, order);
  assert.equal(r.status, 403);
  r = await req('reviewer', 'POST', `/incidents/${inc.id}/order_inspection`, { ...order, due_date: '2020-01-01' });
  assert.equal(r.status, 422);
  assert.equal(r.body.field, '/due_date');
  r = await req('reviewer', 'POST', `/incidents/${inc.id}/order_inspection`, { ...order, due_date: '2026-02-30' });
  assert.equal(r.status, 422);
  r = await req('reviewer', 'POST', `/incidents/${inc.id}/order_inspection`, { due_date: due });
  assert.equal(r.status, 422);
  assert.equal(r.body.field, '/reason');

  const ordered = await ok('reviewer', 'POST', `/incidents/${inc.id}/order_inspection`, order);
  assert.equal(ordered.inspection_order.reason, order.reason);
  assert.equal(ordered.inspection_order.due_date, due);
  assert.ok(ordered.inspection_order.ordered_by > 0);
  assert.ok(ordered.inspection_order.ordered_at);
  assert.equal(ordered.can.order_inspection, false);
  assert.equal((await req('authadmin', 'POST', `/incidents/${inc.id}/order_inspection`, order)).status, 409);
  // the enterprise sees the order
  assert.deepEqual((await ok('filer', 'GET', `/incidents/${inc.id}`)).inspection_order, ordered.inspection_order);
  const audit = await ok('reviewer', 'GET', '/audit?limit=500');
  assert.ok(audit.items.some((a) => a.action === 'incident.order_inspection' && a.object_id === inc.id));
});
