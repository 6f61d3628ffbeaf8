// after.test.mjs — after the number, in the browser (issue 13): the enterprise sees its filed
// system with its next dates, starts this cycle's self-inspection from the record, fills the
// report (problems shown at their fields), submits it; a checker approves it; the authority finds
// the record in its supervision view (flagged overdue while the clock is moved past the due date),
// orders an extra inspection and accepts the report — in Chinese, and the supervision view once in
// English. Screenshots: records.png, inspection-report.png, supervision.png, supervision-en.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, signedInPages, shot } from './browser.mjs';
import { Server, cli } from '../api/lib.mjs';
import { completeDraft, createSystem, driveTo, loginAll } from '../api/story.mjs';

const REPORT = JSON.parse(readFileSync(new URL('../../policy/cn-cloud/fixtures/inspection-reference.json', import.meta.url), 'utf8'));
let s, browser, tmp, clockFile, record;
const pages = signedInPages(() => ({ browser, server: s }));

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'beian-e2e-after-'));
  clockFile = join(tmp, 'clock');
  writeFileSync(clockFile, '0');
  [s, browser] = await Promise.all([Server.start({ env: { BEIAN_TEST_CLOCK_FILE: clockFile } }), launchBrowser()]);
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer']);
  record = await completeDraft(s, await createSystem(s, 'filer', '云帆智能客服平台'));
  await driveTo(s, record, 'filed');
  // seven months on: the first report is overdue, and the daily check has said so
  writeFileSync(clockFile, String(213 * 86400));
  const r = cli(['tick', '--data', s.data], { env: { BEIAN_TEST_CLOCK_FILE: clockFile } });
  assert.equal(r.status, 0, r.stderr);
});

after(async () => {
  await pages.close();
  await browser?.close();
  await s?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('the enterprise sees its filed system with its next dates and starts this cycle\'s self-inspection', async () => {
  const page = await pages.as('filer');
  await page.goto('/records');
  const row = page.locator(`#records-table tr[data-record="${record}"]`);
  await row.waitFor();
  await row.locator('[data-mark="inspection_overdue"]').waitFor();
  assert.match(await row.innerText(), /自查逾期/);
  await shot(page, 'records');
  // the home page shows the same line
  await page.goto('/');
  await page.locator(`#home-records tr[data-record="${record}"]`).waitFor();
  // from the record's "after filing" tab
  await page.locator(`#home-records tr[data-record="${record}"] a`).click();
  await page.locator('#record-schedule').waitFor();
  assert.match(await page.locator('#record-next-due').innerText(), /已逾期/);
  assert.match(await page.locator('#record-standing').innerText(), /定期自查已逾期/);
  await page.locator('#start-inspection').click();
  await page.locator('#report-form').waitFor();
  // an empty report: submitting is not offered, and says why
  const submit = page.locator('button[data-action="submit_for_check"]');
  await submit.waitFor();
  assert.equal(await submit.isDisabled(), true);
  // type a malformed period, then fill the rest through the API-shaped fields
  await page.locator('[id="f:/period/from"]').fill('2026-12-06');
  await page.locator('[id="f:/period/to"]').fill('2026-06-01');
  await page.locator('#save-status[data-status="saved"]').waitFor();
  await page.locator('[data-path="/period/to"] .finding[data-rule="INSP-001"]').waitFor();
});

test('the filer completes the report, a checker approves it, the authority sees the record, orders an extra inspection and accepts the report', async () => {
  const page = await pages.as('filer');
  const iid = Number(new URL(page.url()).pathname.split('/').pop());
  // the rest of the report as the reference one (the UI's fields are exercised above)
  delete s.tokens.filer;   // the API session made before the clock moved has ended
  const token = await s.login('filer');
  const cur = (await s.req('GET', `/api/v1/inspections/${iid}`, { token })).body;
  const put = await s.req('PUT', `/api/v1/inspections/${iid}/document`, { token, body: REPORT, headers: { 'If-Match': cur.etag } });
  assert.equal(put.status, 200, put.text);
  await page.reload();
  await page.locator('#no-findings, #findings-list li').first().waitFor();
  await page.locator('button[data-action="submit_for_check"]:not([disabled])').click();
  await page.locator('dialog #action-submit').click();
  await page.locator('#report-title .badge[data-state="internal_check"]').waitFor();
  await shot(page, 'inspection-report', { fullPage: false });

  const checker = await pages.as('checker');
  await checker.goto(`/inspections/${iid}`);
  await checker.locator('button[data-action="approve_check"]').click();
  await checker.locator('dialog #action-submit').click();
  await checker.locator('#report-title .badge[data-state="submitted"]').waitFor();

  const rev = await pages.as('reviewer');
  await rev.goto('/records');
  await rev.locator('#records-summary').waitFor();
  assert.match(await rev.locator('#records-summary').innerText(), /共 1 个已备案系统/);
  await rev.locator(`#records-table tr[data-record="${record}"]`).waitFor();
  await shot(rev, 'supervision');
  // the record's tab: order an extra inspection
  await rev.locator(`#records-table tr[data-record="${record}"] a`).click();
  await rev.locator('#order-inspection').waitFor();
  await rev.locator('#order-inspection textarea').fill('数据泄露事件后的专项自查');
  const due = new Date(Date.now() + 230 * 86400 * 1000).toISOString().slice(0, 10);
  await rev.locator('#order-inspection input[type="date"]').fill(due);
  await rev.locator('#order-submit').click();
  await rev.locator('#report-reason').waitFor();
  assert.match(await rev.locator('#report-reason').innerText(), /数据泄露事件后的专项自查/);
  // and accepts the submitted periodic report
  await rev.goto(`/inspections/${iid}`);
  await rev.locator('button[data-action="accept_report"]').click();
  await rev.locator('dialog #action-submit').click();
  await rev.locator('#report-title .badge[data-state="accepted"]').waitFor();
});

test('the supervision view in English', async () => {
  const rev = await pages.as('reviewer');
  await rev.goto('/records');
  await rev.locator('#records-summary').waitFor();
  await rev.locator('#lang-switch').click();
  await rev.locator('h1', { hasText: 'Supervision' }).waitFor();
  assert.match(await rev.locator('#records-summary').innerText(), /1 filed system\b/);
  assert.match(await rev.locator('#records-table thead').innerText(), /Inspection due/);
  await shot(rev, 'supervision-en');
  await rev.locator('#lang-switch').click();   // back to Chinese for whoever comes next
  await rev.locator('h1', { hasText: '备案监督' }).waitFor();
});
