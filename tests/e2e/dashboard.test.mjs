// dashboard.test.mjs — the dashboard draws from GET /statistics (issue 17), never by fetching every
// filing: each figure on the screen is the API's, for the authority and for the platform admin, and
// the register it offers to download opens in a real XLSX reader (python3-openpyxl) with a row per
// filing the statistics count.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, party, signIn, unexpected } from './browser.mjs';
import { Server } from '../api/lib.mjs';
import { actOk, completeDraft, createSystem, driveTo, loginAll, referenceDoc } from '../api/story.mjs';

let s, browser;
const parties = [];

before(async () => {
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer', 'admin']);
  const plan = [['110101', '企业门户网站', 'filed'], ['110102', '移动办公系统', 'under_review'], ['110105', '数据分析平台', 'submitted'],
    ['110101', '供应链协同平台', 'rejected'], ['110105', '内部报销系统', 'draft']];
  await Promise.all(plan.map(async ([code, name, state]) => {
    const doc = referenceDoc();
    doc.subject.region_code = code;
    const id = await completeDraft(s, await createSystem(s, 'filer', name), { doc });
    if (state === 'draft') return;
    await driveTo(s, id, state === 'rejected' ? 'under_review' : state);
    if (state === 'rejected') await actOk(s, 'reviewer', id, 'reject', { reason: '材料不全' }, 'rejected');
  }));
});

after(async () => {
  for (const p of parties) {
    assert.deepEqual(unexpected(p.problems), [], 'no script errors in the browser');
    await p.close();
  }
  await browser?.close();
  await s?.stop();
});

// The rows of a chart's data table: {label: count}.
async function table(page, id) {
  const rows = await page.locator(`#${id} table tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  return Object.fromEntries(rows.map(([k, v]) => [k, Number(v)]));
}

for (const login of ['reviewer', 'admin']) {
  test(`${login}: every figure of the dashboard is the statistics API's, and no filing is fetched`, async () => {
    const p = await party(browser, s);
    parties.push(p);
    await signIn(p, login, s.logins[login].password);
    const { page } = p;
    await page.waitForLoadState('networkidle');   // the home page (the queue) has fetched what it shows
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto('/dashboard');
    await page.locator('#chart-state svg rect').first().waitFor();
    await page.locator('#overdue dd').first().waitFor();
    assert.ok(requests.includes('/api/v1/statistics'), 'the dashboard asks the server for its figures');
    assert.ok(!requests.includes('/api/v1/filings'), 'and does not fetch the filings');

    const st = (await s.req('GET', '/api/v1/statistics', { token: s.tokens[login] })).body;
    const text = (sel) => page.locator(sel).innerText();
    assert.equal(await text('#stat-total .stat-value'), String(st.total));
    assert.equal(await text('#stat-filed .stat-value'), String(st.by_state.filed));
    const open = ['submitted', 'under_review', 'rectification'].reduce((n, k) => n + (st.by_state[k] || 0), 0);
    assert.equal(await text('#stat-open .stat-value'), String(open));
    assert.equal(await text('#stat-turnaround-median .stat-value'), String(st.review_turnaround.median_working_days));
    assert.equal(await text('#stat-turnaround-p90 .stat-value'), String(st.review_turnaround.p90_working_days));
    const [y, m, d] = st.as_of.split('-').map(Number);   // the UI's one date style (zh): 2026年12月6日
    assert.match(await text('#dashboard-as-of'), new RegExp(`${y}年${m}月${d}日`));

    const states = await table(page, 'chart-state');
    assert.equal(Object.values(states).reduce((a, b) => a + b, 0), st.total);
    assert.deepEqual(Object.values(states).sort(), Object.values(st.by_state).sort());
    assert.equal(states['已备案'], st.by_state.filed);
    assert.equal(states['不予备案'], st.by_state.rejected);
    const regions = await table(page, 'chart-region');
    assert.equal(regions['东城区'], st.by_region['110101']);
    assert.equal(regions['朝阳区'], st.by_region['110105']);
    const types = await table(page, 'chart-type');
    assert.deepEqual(Object.values(types).sort(), Object.values(st.by_type).sort());
    const months = await page.locator('#chart-months table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    const thisMonth = st.as_of.slice(0, 7);
    const row = months.find((r) => r[0] === thisMonth);
    const api = st.by_month.find((m) => m.month === thisMonth);
    assert.deepEqual(row.slice(1).map(Number), [api.filed, api.rejected]);
    for (const [id, key] of [['overdue-reviews', 'reviews'], ['overdue-inspections', 'inspections'],
      ['overdue-ordered', 'ordered_inspections'], ['overdue-changes', 'change_reports_late'],
      ['overdue-standing', 'records_with_standing_errors'], ['overdue-incidents-late', 'incidents_late_first_report'],
      ['overdue-incidents-closure', 'incidents_closure_overdue']])
      assert.equal(await page.locator(`#${id}`).getAttribute('data-value'), String(st.overdue[key]), id);

    // the register it offers opens in a real reader, a row per filing counted
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-xlsx').click()]);
    assert.match(download.suggestedFilename(), /^register-\d{4}-\d\d-\d\d\.xlsx$/);
    const dir = mkdtempSync(join(tmpdir(), 'beian-dashboard-'));
    const file = join(dir, 'register.xlsx');
    await download.saveAs(file);
    const py = 'import sys,openpyxl\nprint(openpyxl.load_workbook(sys.argv[1]).active.max_row)';
    const r = spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(Number(r.stdout.trim()), st.total + 1, 'the headers and a row per filing');
  });
}
