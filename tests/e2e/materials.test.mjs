// materials.test.mjs — issue 16 in the browser: each required material at its own field (what it
// is, the kinds it takes, a choice among the organisation's materials of that kind by title,
// version and date, an upload in place; attached ones in words, never "#4"), the required-materials
// list leading to each field; the reviewer's rectification items kept as a draft on the server
// across a reload; the authority's screen of what a new policy version would break, and the
// notice its filers get; axe-core over these screens in Chinese and English.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { axeViolations, launchBrowser, signedInPages, shot } from './browser.mjs';
import { Server, installPack } from '../api/lib.mjs';
import { API, completeDraft, createFiling, createSystem, driveTo, loginAll, putDocument, referenceDoc } from '../api/story.mjs';

const PACK = new URL('../../policy/cn-cloud', import.meta.url).pathname;
let s, browser, tmp, licence, underReview, tooSlow;
const pages = signedInPages(() => ({ browser, server: s }));
const byId = (page, id) => page.locator(`[id="${id}"]`);
const docOf = async (id) => (await s.req('GET', `${API}/filings/${id}`, { token: s.tokens.filer })).body.document;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'beian-uimat-'));
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer', 'admin']);
  // a licence with a title a person gave it
  const up = await s.req('POST', `${API}/materials?kind=business_licence&title=${encodeURIComponent('营业执照（2026年换发）')}&filename=licence.txt`,
    { token: s.tokens.filer, raw: '营业执照\n', contentType: 'text/plain; charset=utf-8' });
  assert.equal(up.status, 201, up.text);
  licence = up.body.id;
  underReview = await completeDraft(s, await createSystem(s, 'filer', '整改草稿系统'));
  await driveTo(s, underReview, 'under_review');
  // a filed record that a version with a tighter incident notice limit would break
  const doc = referenceDoc();
  doc.agreement.incident_notice_hours = 18;
  tooSlow = await completeDraft(s, await createSystem(s, 'filer', '通报时限系统'), { doc });
  await driveTo(s, tooSlow, 'filed');
});

after(async () => {
  await pages.close();
  await browser?.close();
  await s?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('materials where they belong: pick one of the kind by title, upload in place, see kind, title, version and date', async () => {
  const doc = referenceDoc();
  delete doc.subject.business_licence;
  delete doc.grading.grading_report;
  const f = await createFiling(s, await createSystem(s, 'filer', '材料字段系统'));
  await putDocument(s, f.id, doc, f.etag);
  const page = await pages.as('filer');
  await page.goto(`/filings/${f.id}?step=subject`);

  // the field says what it is and which kind it takes
  const path = '/subject/business_licence';
  const wrap = page.locator(`[data-path="${path}"]`);
  assert.match(await wrap.locator('label').first().innerText(), /营业执照/);
  assert.match(await wrap.locator('.help').innerText(), /可接受的材料种类：营业执照/);
  await wrap.locator('.finding').waitFor();
  // a choice among the organisation's licences, by title · version · date (no ids, no other kinds)
  const select = byId(page, `f:${path}`);
  await select.locator(`option[value="${licence}"]`).waitFor({ state: 'attached' });
  const options = await select.locator('option').allInnerTexts();
  assert.ok(options.some((o) => /^营业执照（2026年换发） · 第1版 · \d{4}年\d{1,2}月\d{1,2}日$/.test(o)), JSON.stringify(options));
  assert.ok(!options.some((o) => /#\d|architecture_diagram/.test(o)), JSON.stringify(options));
  await select.selectOption(String(licence));
  await page.locator('#save-status[data-status="saved"]').waitFor();
  await wrap.locator('.finding').waitFor({ state: 'detached' });
  assert.equal((await docOf(f.id)).subject.business_licence, licence);
  const attached = wrap.locator('.attached a.material-link');
  await attached.filter({ hasText: '营业执照（2026年换发）' }).waitFor();
  assert.match(await attached.innerText(), /^营业执照：营业执照（2026年换发） · 第1版 · \d{4}年\d{1,2}月\d{1,2}日$/);

  // the required-materials list leads to the field of a missing kind
  const goto = page.locator('#required-materials li[data-kind="grading_report"] button.material-goto');
  await page.locator('#required-materials li[data-kind="grading_report"][data-attached="no"]').waitFor();
  await goto.click();
  await page.locator('button[data-step="grading"][aria-current="step"]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f:/grading/grading_report');

  // none of that kind yet: uploaded in place, attached and saved
  const gpath = '/grading/grading_report';
  const gwrap = page.locator(`[data-path="${gpath}"]`);
  await byId(page, `up:${gpath}-file`).setInputFiles({ name: '定级报告.txt', mimeType: 'text/plain', buffer: Buffer.from('定级报告\n') });
  await gwrap.locator('.upload[data-state="done"]').waitFor();
  await page.locator('#save-status[data-status="saved"]').waitFor();
  const gid = (await docOf(f.id)).grading.grading_report;
  assert.ok(Number.isInteger(gid) && gid !== licence);
  const meta = await s.req('GET', `${API}/materials/${gid}`, { token: s.tokens.filer });
  assert.equal(meta.body.kind, 'grading_report');
  await gwrap.locator('.attached a.material-link', { hasText: '定级报告.txt' }).waitFor();
  assert.match(await gwrap.locator('.attached a.material-link').innerText(), /^定级报告：定级报告\.txt · 第1版 · /);
  await page.waitForFunction((id) => document.getElementById(id)?.value !== '', `f:${gpath}`);
  assert.equal(await byId(page, `f:${gpath}`).inputValue(), String(gid));
  await page.locator('#required-materials li[data-kind="grading_report"][data-attached="yes"]').waitFor();
  await gwrap.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await shot(page, 'material-field');
});

test('the reviewer\'s rectification items survive a reload, and are gone once sent', async () => {
  const page = await pages.as('reviewer');
  await page.goto(`/filings/${underReview}?step=system`);
  await page.locator('button[data-pick="/system/description"]').click();
  await page.locator('#pick-message').fill('请具体说明系统的服务对象');
  await page.locator('#pick-add').click();
  await page.locator('#draft-status[data-state="saved"]').waitFor();
  await page.locator('button[data-pick="/system/architecture"]').click();
  await page.locator('#pick-message').fill('请补充网络区域划分');
  await page.locator('#pick-add').click();
  await page.locator('#pending-list li:nth-child(2)').waitFor();
  await page.locator('#draft-status[data-state="saved"]').waitFor();

  await page.reload();
  await page.locator('#draft-restored').waitFor();
  assert.deepEqual(await page.locator('#pending-list li').evaluateAll((lis) => lis.map((li) => li.textContent)).then((x) => x.length), 2);
  assert.match(await page.locator('#pending-list').innerText(), /请具体说明系统的服务对象[\s\S]*请补充网络区域划分/);
  await shot(page, 'review-draft');

  // removing one is kept too
  await page.locator('#pending-list li').nth(1).locator('button.danger').click();
  await page.locator('#draft-status[data-state="saved"]').waitFor();
  const kept = await s.req('GET', `${API}/filings/${underReview}/rectification-draft`, { token: s.tokens.reviewer });
  assert.deepEqual(kept.body.items.map((i) => i.path), ['/system/description']);

  // sent: the request carries the items, the draft is gone
  await page.locator('button[data-action="request_rectification"]').click();
  const dialog = page.locator('dialog');
  assert.equal(await dialog.locator('textarea.item-message').inputValue(), '请具体说明系统的服务对象');
  await dialog.locator('#action-submit').click();
  await page.locator('#filing-title .badge[data-state="rectification"]').waitFor();
  const gone = await s.req('GET', `${API}/filings/${underReview}/rectification-draft`, { token: s.tokens.reviewer });
  assert.deepEqual(gone.body.items, []);
});

// cn-cloud as version 2027.1, in force from 2027-01-01, with the provider's incident notice limit
// tightened from 24 to 12 hours (and the fixture of the rule moved with it).
function tightened() {
  const dir = join(tmp, '2027.1');
  cpSync(PACK, dir, { recursive: true });
  const edit = (file, fn) => writeFileSync(join(dir, file), JSON.stringify(fn(JSON.parse(readFileSync(join(dir, file), 'utf8'))), null, 2));
  edit('manifest.json', (m) => ({ ...m, version: '2027.1', effective_from: '2027-01-01', supersedes: '2025.1' }));
  edit('params.json', (p) => { p.agreement.incident_notice_max_hours = 12; return p; });
  edit('fixtures/rules/AGR-005.pass.json', (f) => { f.set['/agreement/incident_notice_hours'] = 12; return f; });
  return dir;
}

test('policy changes visible: the authority sees which records a new version breaks, the filer gets a notice', async () => {
  const job = await installPack(s, s.tokens.admin, tightened());
  assert.equal(job.state, 'done', JSON.stringify(job));

  const page = await pages.as('reviewer');
  await page.goto('/');
  await page.locator('nav.mainnav a[href="/impact"]').click();
  await page.locator('#impact-table').waitFor();
  assert.equal(await byId(page, 'impact-pack').inputValue(), 'cn-cloud@2027.1', 'the version not yet in force');
  assert.match(await page.locator('#impact-summary').innerText(), /2027年1月1日/);
  const row = page.locator(`#impact-table tr[data-record="${tooSlow}"]`);
  await row.waitFor();
  assert.equal(await page.locator('#impact-table tbody tr').count(), 1);
  assert.match(await row.locator('.impact-rules').innerText(), /服务商安全事件通知时限不超过12小时/);
  assert.ok(!/AGR-005/.test(await row.locator('.impact-rules').innerText()), 'the rule in words; its id in the details');
  await row.locator('.impact-details summary').click();
  assert.match(await row.locator('.impact-details').innerText(), /AGR-005/);
  await shot(page, 'policy-impact');

  const filer = await pages.as('filer');
  await filer.goto('/inbox');
  const notice = filer.locator('li[data-event="policy.affected"]');
  await notice.waitFor();
  assert.match(await notice.innerText(), /2027年1月1日/);
});


test('axe-core finds no serious WCAG 2 A/AA violation on the material fields, the review draft and the impact screen, in zh and en', async () => {
  const f = await createFiling(s, await createSystem(s, 'filer', '无障碍材料系统'));
  const doc = referenceDoc();
  delete doc.subject.business_licence;
  await putDocument(s, f.id, doc, f.etag);
  const screens = [
    ['filer', () => `/filings/${f.id}?step=subject`, '[data-path="/subject/business_licence"] .finding'],
    ['filer', () => `/filings/${f.id}?step=compliance`, '[data-path="/compliance/industry_materials"] select'],
    ['reviewer', () => `/filings/${underReview}?step=system`, '#tab-form'],
    ['reviewer', () => '/impact', '#impact-summary'],
  ];
  for (const lang of ['zh', 'en']) {
    for (const [login, path, ready] of screens) {
      const page = await pages.as(login);
      await page.goto(path());
      await page.evaluate((l) => localStorage.setItem('beian.lang', l), lang);
      await page.reload();
      assert.deepEqual(await axeViolations(page, ready), [], `${path()} as ${login} in ${lang}`);
    }
  }
  for (const login of ['filer', 'reviewer']) {
    const page = await pages.as(login);
    await page.evaluate(() => localStorage.setItem('beian.lang', 'zh'));
  }
});
