// incidents.test.mjs — security incidents in the browser (issue 13): the enterprise reports an
// incident from its filed record's page (late: detected 5 hours before, at a 2-hour level), adds an
// update and closes it with the closure report; the authority finds it in its incident queue
// (filters, counts), orders an extra inspection; the queue once in English; the provider sees none.
// Screenshots: incident-report.png (the report form), incident-queue.png (the authority's queue).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, signedInPages, shot } from './browser.mjs';
import { Server } from '../api/lib.mjs';
import { API, completeDraft, createSystem, driveTo, loginAll } from '../api/story.mjs';

let s, browser, record, openIncident;
const pages = signedInPages(() => ({ browser, server: s }));
const as = (login) => pages.as(login);
// A time n hours ago as a datetime-local value in the browsers' zone (Asia/Shanghai, UTC+8).
const shanghaiHoursAgo = (n) => new Date(Date.now() - n * 3600e3 + 8 * 3600e3).toISOString().slice(0, 16);

before(async () => {
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer']);
  record = await completeDraft(s, await createSystem(s, 'filer', '智能客服平台（事件）'));
  await driveTo(s, record, 'filed');
  // an open incident reported in time, so that the queue has one of each
  const r = await s.req('POST', `${API}/filings/${record}/incidents`, {
    token: s.tokens.filer,
    body: { level: 'general', title: '门户短时不可用', detected_at: new Date(Date.now() - 3600e3).toISOString(), summary: '负载均衡故障，已切换备用节点' },
  });
  assert.equal(r.status, 201, r.text);
  openIncident = r.body.id;
});

after(async () => {
  await pages.close();
  await browser?.close();
  await s?.stop();
});

let reported;

test('the enterprise reports an incident from its filed record, adds an update and closes it (Chinese)', async () => {
  const page = await as('filer');
  await page.goto(`/filings/${record}`);
  await page.locator('#incident-report-link').click();
  await page.locator('#incident-report-form').waitFor();
  assert.match(await page.locator('#incident-source').textContent(), /网络安全事件报告管理办法/);
  // nothing filled: said at the first missing field
  await page.locator('#incident-submit').click();
  await page.locator('#incident-report-msg .error-text', { hasText: '事件级别' }).waitFor();

  await page.locator('#incident-level').selectOption('serious');
  await page.locator('#incident-title').fill('客服平台数据库遭未授权访问');
  await page.locator('#incident-detected').fill(shanghaiHoursAgo(5));
  await page.locator('#incident-summary').fill('发现数据库存在异常查询，已隔离相关主机并保全日志。');
  await page.locator('#incident-measures').fill('隔离主机，重置数据库口令');
  await shot(page, 'incident-report');
  await page.locator('#incident-submit').click();

  await page.locator('#incident-heading').waitFor();
  reported = Number(await page.locator('[data-incident-id]').getAttribute('data-incident-id'));
  assert.ok(reported > openIncident);
  const first = page.locator('#incident-first-clock [data-clock]');
  assert.equal(await first.getAttribute('data-clock'), 'late');
  assert.match(await first.textContent(), /迟报 [45] 小时 \d+ 分（时限 2 小时）/);
  assert.equal(await page.locator('#incident-closure-clock [data-clock]').getAttribute('data-clock'), 'left');
  assert.match(await page.locator('#incident-closure-clock').textContent(), /距结案期限 29 天/);
  assert.equal(await page.locator('#incident-level-value').textContent(), '重大');

  await page.locator('#update-text').fill('已确认泄露范围限于测试库。');
  await page.locator('#update-submit').click();
  await page.locator('#updates-list li', { hasText: '已确认泄露范围限于测试库。' }).waitFor();

  // the closure report: the count of individuals is asked only when personal data is involved
  assert.ok(await page.locator('#close-individuals').isHidden());
  await page.locator('#close-cause').fill('数据库弱口令');
  await page.locator('#close-impact').fill('测试库 2 张表被读取');
  await page.locator('#close-personal').selectOption('yes');
  await page.locator('#close-measures').fill('修改口令，启用访问白名单');
  await page.locator('#close-submit').click();
  await page.locator('#close-form .error-text', { hasText: '涉及个人信息的人数' }).waitFor();
  await page.locator('#close-individuals').fill('1200');
  await page.locator('#close-submit').click();
  await page.locator('#incident-closure').waitFor();
  assert.equal(await page.locator('#incident-state [data-incident-state]').getAttribute('data-incident-state'), 'closed');
  assert.equal(await page.locator('#closure-personal').textContent(), '是，涉及 1200 人');
  assert.equal(await page.locator('#update-form').count(), 0, 'no more updates once closed');
  assert.equal(await page.locator('#close-form').count(), 0);

  // the API agrees
  const api = await s.req('GET', `${API}/incidents/${reported}`, { token: s.tokens.filer });
  assert.equal(api.body.state, 'closed');
  assert.equal(api.body.late_first_report, true);
  assert.equal(api.body.closure.individuals_affected, 1200);

  // the workbench lists the incident still open, with its clock
  await page.goto('/');
  const row = page.locator(`#open-incidents-table tr[data-incident="${openIncident}"]`);
  await row.waitFor();
  assert.equal(await page.locator(`#open-incidents-table tr[data-incident="${reported}"]`).count(), 0);
});

test('the authority finds it in its incident queue, filters, orders an extra inspection; the queue in English', async () => {
  assert.ok(reported, 'the first test reported the incident');
  const page = await as('reviewer');
  await page.locator('nav.mainnav a', { hasText: '事件队列' }).click();
  await page.locator('#incidents-table').waitFor();
  // open ones first: only the one still open
  assert.equal(await page.locator('#incidents-table tbody tr').count(), 1);
  assert.match(await page.locator('#incidents-counts').textContent(), /共 2 起，处置中 1 起/);
  await page.locator('#incidents-filter-state').selectOption('');
  await page.locator(`#incidents-table tr[data-incident="${reported}"]`).waitFor();
  assert.equal(await page.locator('#incidents-table tbody tr').count(), 2);
  await page.locator('#incidents-filter-late').check();
  await page.locator(`#incidents-table tr[data-incident="${openIncident}"]`).waitFor({ state: 'detached' });
  // the open one has gone; wait for the late one to be drawn (the table is redrawn after a load)
  await page.locator(`#incidents-table tr[data-incident="${reported}"]`).waitFor();
  assert.equal(await page.locator('#incidents-table tbody tr').count(), 1);
  assert.match(await page.locator(`#incidents-table tr[data-incident="${reported}"]`).textContent(), /迟报/);
  assert.match(page.url(), /late=true/);
  await page.locator('#incidents-filter-late').uncheck();
  await page.locator(`#incidents-table tr[data-incident="${openIncident}"]`).waitFor();
  await shot(page, 'incident-queue');

  // the reviewer reads the closed incident and orders an extra inspection
  await page.locator(`#incidents-table tr[data-incident="${reported}"] a.incident-link`).click();
  await page.locator('#incident-closure').waitFor();
  assert.equal(await page.locator('#update-form').count(), 0, 'the authority does not write the report');
  await page.locator('#order-reason').fill('事件暴露访问控制缺陷，需开展专项检查');
  const due = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
  await page.locator('#order-due').fill(due);
  await page.locator('#order-submit').click();
  await page.locator('#inspection-order', { hasText: due }).waitFor();
  assert.equal(await page.locator('#order-form').count(), 0, 'ordered once');

  // the enterprise sees the order
  const filer = await as('filer');
  await filer.goto(`/incidents/${reported}`);
  await filer.locator('#inspection-order', { hasText: '事件暴露访问控制缺陷' }).waitFor();

  // the queue in English
  await page.goto('/incidents');
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'Incident queue' }).waitFor();
  await page.locator('#incidents-counts', { hasText: '2 in all, 1 open' }).waitFor();
  await page.locator('#incidents-filter-state').selectOption('closed');
  await page.locator(`#incidents-table tr[data-incident="${reported}"]`, { hasText: 'Late by' }).waitFor();
  assert.match(await page.locator(`#incidents-table tr[data-incident="${reported}"]`).textContent(), /Serious.*Closed/);
  await page.locator('#lang-switch').click();   // back to Chinese for whoever comes next
});

test('the provider of the record sees no incident', async () => {
  const page = await as('provider');
  await page.goto('/incidents');
  await page.locator('#incidents-out .empty').waitFor();
  await page.goto(`/incidents/${reported}`);
  await page.locator('h1', { hasText: '出错了' }).waitFor();
  assert.equal(await page.locator('#incident-heading').count(), 0);
});
