// guidance.test.mjs — guidance at every step (issue 16): after an action the filing's status panel
// (not only a toast) says what happened, who acts next (role and organisation) and by when; a
// filed record shows its number prominently with a link to its certificate; "new filing" on a
// system that has a filing under way or filed offers to continue it or to report a change
// instead of starting a second initial filing; toasts do not outlive their page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, signedInPages } from './browser.mjs';
import { Server } from '../api/lib.mjs';
import { API, completeDraft, createSystem, driveTo, loginAll } from '../api/story.mjs';

let s, browser;
const pages = signedInPages(() => ({ browser, server: s }));

before(async () => {
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer']);
});

after(async () => {
  await pages.close();
  await browser?.close();
  await s?.stop();
});

async function act(page, action) {
  await page.locator(`button[data-action="${action}"]`).click();
  const dialog = page.locator('dialog');
  await dialog.waitFor();
  await dialog.locator('#action-submit').click();
  await dialog.waitFor({ state: 'detached' });
}

test('after submitting, the panel says it is done, that the checker of the enterprise acts next; after approval the number stands out', async () => {
  const id = await completeDraft(s, await createSystem(s, 'filer', '进度指引系统'));
  const filer = await pages.as('filer');
  await filer.goto(`/filings/${id}`);
  await filer.locator('#guidance[data-state="draft"]').waitFor();
  await act(filer, 'submit_for_check');
  const panel = filer.locator('#guidance[data-state="internal_check"]');
  await panel.waitFor();
  assert.equal(await panel.getAttribute('data-action'), 'submit_for_check');
  const text = await panel.innerText();
  assert.match(text, /已完成：/);
  assert.match(text, /内部审核人 · 北京云帆数据科技有限公司/, 'who acts next: the role and the organisation');
  assert.match(await panel.locator('#next-steps').innerText(), /审核通过/);

  // the checker's turn is said as such
  const checker = await pages.as('checker');
  await checker.goto(`/filings/${id}`);
  await checker.locator('#next-steps li[data-mine="true"]').waitFor();

  // under review: the reviewer's deadline is said
  await driveTo(s, id, 'under_review');
  await filer.goto(`/filings/${id}`);
  await filer.locator('#guidance[data-state="under_review"] #guidance-deadline').waitFor();
  assert.match(await filer.locator('#guidance-deadline').innerText(), /\d{4}年\d{1,2}月\d{1,2}日/);

  const reviewer = await pages.as('reviewer');
  await reviewer.goto(`/filings/${id}`);
  await act(reviewer, 'approve');
  await reviewer.locator('#guidance[data-state="filed"][data-action="approve"]').waitFor();
  const number = (await s.req('GET', `${API}/filings/${id}`, { token: s.tokens.reviewer })).body.number;
  assert.equal((await reviewer.locator('#filed-number').innerText()).trim(), number);
  const size = await reviewer.locator('#filed-number').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  const body = await reviewer.locator('body').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(size >= body * 1.4, `the number is prominent (${size}px against ${body}px)`);

  await filer.goto(`/filings/${id}`);
  const cert = filer.locator('#guidance-certificate');
  await cert.waitFor();
  assert.match(await cert.getAttribute('href'), new RegExp(`/api/v1/filings/${id}/certificate\\?format=pdf$`));
  const pdf = await filer.request.get(await cert.getAttribute('href'));
  assert.equal(pdf.status(), 200);
  assert.match(pdf.headers()['content-type'], /application\/pdf/);
});

test('new filing on a filed system offers to report a change, on a system under way to continue; no second filing is made', async () => {
  const filedSys = await createSystem(s, 'filer', '已备案再新建系统');
  const filedId = await completeDraft(s, filedSys);
  await driveTo(s, filedId, 'filed');
  const busySys = await createSystem(s, 'filer', '办理中再新建系统');
  const busyId = await completeDraft(s, busySys);
  await driveTo(s, busyId, 'internal_check');
  const count = async () => (await s.req('GET', `${API}/filings?limit=200`, { token: s.tokens.filer })).body.items.length;
  const before = await count();

  const page = await pages.as('filer');
  await page.goto('/');
  await page.locator(`button[data-new-filing="${busySys}"]`).click();
  await page.locator('dialog #new-filing-why').waitFor();
  await page.locator('dialog #new-filing-continue').click();
  await page.waitForURL(new RegExp(`/filings/${busyId}$`));

  await page.goto('/');
  await page.locator(`button[data-new-filing="${filedSys}"]`).click();
  assert.match(await page.locator('dialog #new-filing-why').innerText(), /已备案/);
  await page.locator('dialog #new-filing-change').click();
  const dialog = page.locator('dialog form[data-action="report_change"]');
  await dialog.waitFor();
  await dialog.locator('#action-effective-on').fill(new Date().toISOString().slice(0, 10));
  await dialog.locator('#action-submit').click();
  await page.locator('#guidance[data-action="report_change"]').waitFor();
  const change = Number(page.url().match(/\/filings\/(\d+)/)[1]);
  const f = (await s.req('GET', `${API}/filings/${change}`, { token: s.tokens.filer })).body;
  assert.equal(f.kind, 'change');
  assert.equal(f.parent_id, filedId);
  assert.equal(await count(), before + 1, 'one change filing, no second initial filing');
});

test('a toast does not outlive its page', async () => {
  const page = await pages.as('filer');
  await page.goto('/');
  // the home page drawn first: a toast made while the app still routes to it would go with that
  // navigation (what this test checks), before the wait below could see it
  await page.locator('a[href="/records"]').first().waitFor();
  await page.locator('main h1').first().waitFor();
  await page.evaluate(async () => (await import('/js/ui.js')).toast('一条提示', 'ok'));
  await page.locator('#toasts .toast').waitFor();
  await page.locator('a[href="/records"]').first().click();
  await page.waitForURL(/\/records$/);
  assert.equal(await page.locator('#toasts .toast').count(), 0);
});
