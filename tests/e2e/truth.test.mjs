// truth.test.mjs — in the browser, a draft never loses input (issue 11): a malformed value typed
// into a field that wants a code (中国 where CN is wanted), then more typing in later fields; after a
// reload every value is there, the problem is shown at the malformed field in words, the subject's
// name and USCC are read-only (the organisation's record), and the submit button is disabled with
// the reason beside it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, signedInPages, shot } from './browser.mjs';
import { Server } from '../api/lib.mjs';
import { API, createFiling, createOrg, createSystem, loginAll, putDocument, referenceDoc, uscc } from '../api/story.mjs';

let s, browser;
const pages = signedInPages(() => ({ browser, server: s }));

before(async () => {
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await loginAll(s, ['filer']);
});

after(async () => {
  await pages.close();
  await browser?.close();
  await s?.stop();
});

const field = (page, path) => page.locator(`[id="f:${path}"]`);
const wrapper = (page, path) => page.locator(`[data-path="${path}"]`);
const saved = (page) => page.locator('#save-status[data-status="saved"]').waitFor();

test('a malformed value and what is typed after it survive a reload; the problem is shown at its field, in words', async () => {
  const f = await createFiling(s, await createSystem(s, 'filer', '输入不丢失系统'));
  await putDocument(s, f.id, referenceDoc(), f.etag);
  const page = await pages.as('filer');
  await page.goto(`/filings/${f.id}?step=provider`);
  const country = '/provider/data_centers/0/country';
  await field(page, country).fill('中国');
  await field(page, '/provider/platform_name').fill('天翼云公有云平台（华东）');
  await saved(page);
  await page.locator('button[data-step="system"]').click();
  const description = '输入格式错误的字段之后继续填写的内容：面向公众提供在线客服，刷新页面后仍须完整保留。';
  await field(page, '/system/description').fill(description);
  await saved(page);
  assert.equal(await page.locator('#save-status[data-status="error"]').count(), 0, 'no save failed');

  await page.reload();
  await page.locator('button[data-step="provider"]').click();
  assert.equal(await field(page, country).inputValue(), '中国');
  assert.equal(await field(page, '/provider/platform_name').inputValue(), '天翼云公有云平台（华东）');
  const finding = wrapper(page, country).locator('.finding[data-rule="FORM-PATTERN"]');
  await finding.waitFor();
  const text = await finding.innerText();
  assert.match(text, /中国/);
  assert.match(text, /CN/);
  assert.doesNotMatch(text, /\[A-Z\]|\^|\$/, 'in words, not a regular expression');
  assert.equal(await field(page, country).getAttribute('aria-invalid'), 'true');
  await page.locator('button[data-step="system"]').click();
  assert.equal(await field(page, '/system/description').inputValue(), description);

  // what was stored is exactly what was typed
  const doc = (await s.req('GET', `${API}/filings/${f.id}`, { token: s.tokens.filer })).body.document;
  assert.equal(doc.provider.data_centers[0].country, '中国');
  assert.equal(doc.system.description, description);

  // submission is not offered as if it could work: the button is disabled and says why
  const submit = page.locator('button[data-action="submit_for_check"]');
  await submit.waitFor();
  assert.equal(await submit.isDisabled(), true);
  const why = page.locator('.action-reason[data-reason="errors_remain"]');
  assert.match(await why.innerText(), /1 项/);
  assert.equal(await submit.getAttribute('aria-describedby'), await why.getAttribute('id'));

  // the subject is the organisation's record, shown and not typed
  await page.locator('button[data-step="subject"]').click();
  assert.equal(await field(page, '/subject/name').inputValue(), '北京云帆数据科技有限公司');
  assert.equal(await field(page, '/subject/name').getAttribute('readonly'), '');
  assert.equal(await field(page, '/subject/uscc').getAttribute('readonly'), '');
  await page.locator('button[data-step="provider"]').click();
  await finding.scrollIntoViewIfNeeded();
  await shot(page, 'malformed-kept');

  // putting it right enables the button
  await field(page, country).fill('CN');
  await saved(page);
  await finding.waitFor({ state: 'detached' });
  await page.locator('button[data-action="submit_for_check"]:not([disabled])').waitFor();
});

test('the platform administrator corrects an organisation\'s record from the admin screen; the audit log keeps before and after', async () => {
  await loginAll(s, ['admin']);
  const org = await createOrg(s, { kind: 'enterprise', name: '更名前示例有限公司', uscc: uscc('91310000MA1FL0777'), region: '310000' });
  const page = await pages.as('admin');
  await page.goto('/admin');
  const row = page.locator(`#orgs-table tr[data-org="${org.id}"]`);
  await row.waitFor();
  await row.locator(`button[data-correct-org="${org.id}"]`).click();
  const dialog = page.locator('dialog');
  await dialog.locator('#correct-name').fill('更名后示例有限公司');
  await dialog.locator('#correct-region').fill('999999');
  await dialog.locator('#correct-submit').click();
  await dialog.locator('.error-text', { hasText: '999999' }).waitFor();   // a region that does not exist, said in words
  await dialog.locator('#correct-region').fill('310000');
  await dialog.locator('#correct-submit').click();
  await dialog.waitFor({ state: 'detached' });
  await row.locator('th', { hasText: '更名后示例有限公司' }).waitFor();
  const audit = (await s.req('GET', `${API}/audit?limit=200`, { token: s.tokens.admin })).body.items;
  const entry = audit.find((x) => x.action === 'org.update' && x.object_id === org.id);
  assert.deepEqual([entry.detail.before.name, entry.detail.after.name], ['更名前示例有限公司', '更名后示例有限公司']);
});
