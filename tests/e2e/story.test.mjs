// story.test.mjs — the whole story of a filing clicked through in the browser by each party in
// turn: the filer registers a system, opens a filing and fills it (a few fields typed, findings
// appearing and disappearing, the rest of the reference document loaded through the API), the
// checker approves, the provider confirms, the reviewer accepts and asks for rectification with
// an item picked on the form, the filer answers it and fixes the field, the checker approves
// again, the reviewer compares the versions and approves, and anyone verifies the number.
// Screenshots of the main screens go to build/screenshots/ (docs/screenshots/ with `make screenshots`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, party, signIn, shot, closeParties } from './browser.mjs';
import { Server } from '../api/lib.mjs';
import { actOk, completeDraft, createSystem, driveTo, errorsOf, loginAll, referenceDoc } from '../api/story.mjs';

const API = '/api/v1';
let s, browser;
const parties = {};

// Other filings of the demo enterprise, driven through the API, so that the queue and the
// dashboard have something to show besides the filing of the story.
async function seed() {
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer']);
  const inRegion = (code, name) => {
    const doc = referenceDoc();
    doc.subject.region_code = code;
    doc.system.name = name;
    return doc;
  };
  const plan = [['110101', '企业门户网站', 'filed'], ['110102', '移动办公系统', 'under_review'], ['110105', '数据分析平台', 'submitted'],
    ['110101', '供应链协同平台', 'rejected']];
  await Promise.all(plan.map(async ([code, name, state]) => {
    const id = await completeDraft(s, await createSystem(s, 'filer', name), { doc: inRegion(code, name) });
    await driveTo(s, id, state === 'rejected' ? 'under_review' : state);
    if (state === 'rejected') await actOk(s, 'reviewer', id, 'reject', { reason: '材料不全' }, 'rejected');
  }));
}

before(async () => {
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await seed();
});

after(() => closeParties(parties, browser, s));

async function as(login) {
  if (!parties[login]) {
    parties[login] = await party(browser, s);
    await signIn(parties[login], login, s.logins[login].password);
  }
  return parties[login].page;
}

// Click an action button, confirm its dialog (filling what it asks), wait for the new state.
async function act(page, action, { comment, reason } = {}) {
  await page.locator(`button[data-action="${action}"]`).click();
  const dialog = page.locator('dialog');
  await dialog.waitFor();
  if (comment) await dialog.locator('#action-comment').fill(comment);
  if (reason) await dialog.locator('#action-reason').fill(reason);
  await dialog.locator('#action-submit').click();
  await dialog.waitFor({ state: 'detached' });
}

const stateOf = (page) => page.locator('#filing-title .badge').getAttribute('data-state');
const field = (page, path) => page.locator(`[id="f:${path}"]`);
const wrapper = (page, path) => page.locator(`[data-path="${path}"]`);
const saved = (page) => page.locator('#save-status[data-status="saved"]').waitFor();

describe('the whole story in the browser', () => {
  let filingId, number;
  const TYPED = { address: '北京市朝阳区建国路88号现代城SOHO B座1806室', platform: '天翼云公有云平台（华北）' };
  const NEW_DESCRIPTION = '面向社会公众提供在线咨询、工单受理和服务进度查询的智能客服平台（仅服务中国大陆用户，不含金融业务）。';

  test('the filer signs in, registers a system and opens a filing', async () => {
    const page = await as('filer');
    await page.locator('#whoami').getByText('张填报').waitFor();
    assert.match(await page.locator('#whoami').innerText(), /北京云帆数据科技有限公司/);
    assert.match(await page.locator('#whoami').innerText(), /填报人/);
    await page.locator('#new-system').click();
    await page.locator('#system-name').fill('云帆智能客服平台');
    await page.locator('#system-description').fill('面向公众的在线客服');
    await page.locator('#system-create').click();
    const row = page.locator('#systems-table tr', { hasText: '云帆智能客服平台' });
    await row.waitFor();
    await row.locator('button[data-new-filing]').click();
    await page.waitForURL(/\/filings\/\d+$/);
    filingId = Number(page.url().match(/\/filings\/(\d+)/)[1]);
    assert.equal(await stateOf(page), 'draft');
    await page.locator('#findings-list .finding-link').first().waitFor();
  });

  test('the rest of the reference document comes through the API; a few fields are typed, findings come and go', async () => {
    // setup: all of the reference document but three fields, saved as the filer through the API
    const token = await s.login('filer');
    const doc = referenceDoc();
    delete doc.subject.address;
    delete doc.subject.unit_type;
    delete doc.provider.platform_name;
    const cur = await s.req('GET', `${API}/filings/${filingId}`, { token });
    const put = await s.req('PUT', `${API}/filings/${filingId}/document`, { token, body: doc, headers: { 'If-Match': cur.body.etag } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(errorsOf(put.body.findings).map((f) => f.path).sort(), ['/provider/platform_name', '/subject/address', '/subject/unit_type']);

    const page = parties.filer.page;
    await page.reload();
    // the three missing fields are errors, listed and shown at their fields
    const errors = page.locator('#findings-list li.sev-error');
    await errors.nth(2).waitFor();
    assert.equal(await errors.count(), 3);
    assert.equal(await page.locator('button[data-step="subject"] .count-error').getAttribute('data-count'), '2');
    await wrapper(page, '/subject/address').locator('.finding').waitFor();
    await shot(page, 'editor-findings');

    // typing the address: the finding disappears once saved
    await field(page, '/subject/address').fill(TYPED.address);
    await page.locator('#save-status[data-status="unsaved"], #save-status[data-status="saving"]').waitFor();
    await saved(page);
    await wrapper(page, '/subject/address').locator('.finding').waitFor({ state: 'detached' });
    assert.equal(await errors.count(), 2);

    // clearing it again brings it back; then it is typed for good
    await field(page, '/subject/address').fill('');
    await wrapper(page, '/subject/address').locator('.finding').waitFor();
    assert.equal(await field(page, '/subject/address').getAttribute('aria-invalid'), 'true');
    await field(page, '/subject/address').fill(TYPED.address);
    await wrapper(page, '/subject/address').locator('.finding').waitFor({ state: 'detached' });

    await field(page, '/subject/unit_type').selectOption('enterprise');
    await wrapper(page, '/subject/unit_type').locator('.finding').waitFor({ state: 'detached' });
    await page.locator('button[data-step="subject"].complete').waitFor();

    // the last one is reached from the findings list, which jumps to its field
    await page.locator('#findings-list .finding-link[data-path="/provider/platform_name"]').click();
    await page.locator('button[data-step="provider"][aria-current="step"]').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f:/provider/platform_name');
    await page.keyboard.type(TYPED.platform);
    await saved(page);
    await errors.first().waitFor({ state: 'detached' });
    assert.equal(await page.locator('#form-progress').getAttribute('value'), String(await page.locator('.step').count()));

    const doc2 = (await s.req('GET', `${API}/filings/${filingId}`, { token })).body.document;
    assert.deepEqual(doc2, referenceDoc(), 'the typed fields complete the reference document');
  });

  test('the filer submits it for the internal check', async () => {
    const page = parties.filer.page;
    await act(page, 'submit_for_check');
    await page.locator('#filing-title .badge[data-state="internal_check"]').waitFor();
    assert.equal(await page.locator('button[data-action="submit_for_check"]').count(), 0);
    assert.equal(await page.locator('#save-status').count(), 0, 'no longer editable');
  });

  test('the checker finds it under "what needs me now" and approves', async () => {
    const page = await as('checker');
    const need = page.locator(`#needs li[data-filing="${filingId}"][data-need="check"]`);
    await need.waitFor();
    await need.locator('a.button').click();
    await page.waitForURL(new RegExp(`/filings/${filingId}`));
    await act(page, 'approve_check', { comment: '内容已核对' });
    await page.locator('#filing-title .badge[data-state="provider_confirmation"]').waitFor();
  });

  test('the provider sees the confirmation with the provider section and confirms', async () => {
    const page = await as('provider');
    const card = page.locator(`#confirmations article[data-filing="${filingId}"]`);
    await card.waitFor();
    assert.match(await card.innerText(), /天翼云公有云平台（华北）/);
    assert.match(await card.innerText(), /北京亦庄数据中心/);
    await shot(page, 'provider-confirmations');
    await card.locator('button[data-action="confirm_hosting"]').click();
    await page.locator('dialog #action-submit').click();
    await card.waitFor({ state: 'detached' });
    await page.locator(`#provider-filings tr[data-filing="${filingId}"][data-state="submitted"]`).waitFor();
  });

  test('the reviewer finds it in the queue with its due date, accepts it and asks for rectification', async () => {
    const page = await as('reviewer');
    const row = page.locator(`#queue-table tr[data-filing="${filingId}"]`);
    await row.waitFor();
    assert.ok(['ok', 'soon'].includes(await row.locator('[data-due]').getAttribute('data-due')));
    await shot(page, 'review-queue');
    await row.locator('a.filing-link').click();
    await page.waitForURL(new RegExp(`/filings/${filingId}`));
    await act(page, 'accept');
    await page.locator('#filing-title .badge[data-state="under_review"]').waitFor();

    // pick the field on the form
    await page.locator('button[data-step="system"]').click();
    const material = page.locator('[data-path="/system/architecture_diagram"] a.material-link');
    const content = await page.request.get(await material.getAttribute('href'));   // the reviewer opens a material
    assert.equal(content.status(), 200);
    assert.equal(await content.text(), 'demo architecture_diagram\n');
    await page.locator('button[data-pick="/system/description"]').click();
    assert.match(await page.locator('#pick-field').innerText(), /功能描述/);
    await page.locator('#pick-message').fill('请具体说明系统的服务对象和业务范围');
    await page.locator('#pick-add').click();
    await page.locator('#pending-items li').waitFor();
    await shot(page, 'review');

    await page.locator('button[data-action="request_rectification"]').click();
    const dialog = page.locator('dialog');
    assert.equal(await dialog.locator('select.item-path').inputValue(), '/system/description');
    assert.equal(await dialog.locator('textarea.item-message').inputValue(), '请具体说明系统的服务对象和业务范围');
    await dialog.locator('#action-comment').fill('请补充说明');
    await dialog.locator('#action-submit').click();
    await page.locator('#filing-title .badge[data-state="rectification"]').waitFor();
  });

  test('the filer sees the open item at its field, answers it and fixes the field, and resubmits', async () => {
    const page = parties.filer.page;
    await page.goto('/');
    const need = page.locator(`#needs li[data-filing="${filingId}"][data-need="rectification"]`);
    await need.waitFor();
    assert.match(await need.innerText(), /1 项待答复/);
    await shot(page, 'workbench');
    await need.locator('a.button').click();
    await page.locator('#filing-title .badge[data-state="rectification"]').waitFor();
    await page.locator('button[data-step="system"] .count-item').waitFor();
    await page.locator('button[data-step="system"]').click();
    const item = wrapper(page, '/system/description').locator('.rect-item.open');
    await item.waitFor();
    assert.match(await item.innerText(), /请具体说明系统的服务对象和业务范围/);
    await shot(page, 'rectification');
    await item.locator('textarea').fill('已补充服务对象和业务范围');
    await item.locator('button[type=submit]').click();
    await wrapper(page, '/system/description').locator('.rect-item.answered').waitFor();

    await field(page, '/system/description').fill(NEW_DESCRIPTION);
    await saved(page);
    await page.locator('#tab-rectification').click();
    await page.locator('.rect-notice', { hasText: '字段已修改' }).waitFor();
    await page.locator('#tab-form').click();
    await act(page, 'submit_for_check');
    await page.locator('#filing-title .badge[data-state="internal_check"]').waitFor();
  });

  test('the checker approves again: back to review (same provider)', async () => {
    const page = parties.checker.page;
    await page.goto(`/filings/${filingId}`);
    await act(page, 'approve_check');
    await page.locator('#filing-title .badge[data-state="under_review"]').waitFor();
  });

  test('the reviewer compares the versions, sees the changed field, and approves', async () => {
    const page = parties.reviewer.page;
    await page.goto(`/filings/${filingId}?tab=versions`);
    const changed = page.locator('.diff-table tr.changed[data-path="/system/description"]');
    await changed.waitFor();
    assert.equal(await page.locator('#diff-from').inputValue(), '1');
    assert.equal(await page.locator('#diff-to').inputValue(), '2');
    assert.equal(await page.locator('.diff-table tbody tr').count(), 1, 'only the changed field');
    assert.equal(await changed.locator('td.new').innerText(), NEW_DESCRIPTION);
    await shot(page, 'versions');
    await page.locator('#diff-only').uncheck();
    await page.locator('.diff-table tbody tr:not(.changed)').first().waitFor();
    assert.equal(await page.locator('.diff-table tr.changed').count(), 1);

    await page.locator('#tab-history').click();
    await page.locator('#history li[data-action="filing.request_rectification"]').waitFor();
    assert.match(await page.locator('#history').innerText(), /请具体说明系统的服务对象和业务范围/);

    await page.locator('#tab-form').click();
    await act(page, 'approve');
    await page.locator('#filing-title .badge[data-state="filed"]').waitFor();
    number = await page.locator('#filing-number').innerText();
    // the certificate, as a PDF, from the history
    await page.locator('#tab-history').click();
    const pdf = await page.locator('#certificate-pdf').getAttribute('href');
    const got = await page.evaluate(async (href) => {
      const r = await fetch(href);
      return { type: r.headers.get('content-type'), head: new TextDecoder().decode((await r.arrayBuffer()).slice(0, 5)) };
    }, pdf);
    assert.deepEqual(got, { type: 'application/pdf', head: '%PDF-' });
    // every step has a signed receipt, listed in the enterprise's history and beside its entry
    const filer = await as('filer');
    await filer.goto(`/filings/${filingId}?tab=history`);
    await filer.locator('#receipts tbody tr').first().waitFor();
    const receipts = await filer.locator('#receipts tbody tr').count();
    assert.ok(receipts >= 7, `one receipt per step (${receipts})`);
    assert.equal(await filer.locator('#history .receipt-link').count(), receipts, 'each beside its entry');
    await filer.locator('#certificate-pdf').waitFor();
    assert.match(number, /^110000-\d{4}-\d{6}$/);
  });

  test('anyone verifies the number publicly; an unknown number is not found', async () => {
    parties.anonymous = await party(browser, s);
    const page = parties.anonymous.page;
    await page.goto('/verify');
    assert.equal(await page.locator('#whoami').count(), 0);
    await page.locator('#verify-number').fill(number);
    await page.locator('#verify-submit').click();
    await page.locator('#verify-number-out').waitFor();
    assert.equal(await page.locator('#verify-number-out').innerText(), number);
    assert.match(await page.locator('#verify-result').innerText(), /北京云帆数据科技有限公司/);
    // the signed certificate (issue 15): the signature holds and it states the record as it is
    assert.match(await page.locator('#verify-signature').innerText(), /签名有效/);
    assert.match(await page.locator('#verify-current').innerText(), /当前状态/);
    await page.locator('#public-keys tbody tr').first().waitFor();
    assert.ok(await page.locator('#public-keys tbody tr').count() >= 2, 'the authority\'s and the platform\'s keys are listed');
    await shot(page, 'verify');
    await page.locator('#verify-number').fill('110000-1999-999999');
    await page.locator('#verify-submit').click();
    await page.locator('.verify-missing').waitFor();
  });

  test('the authority\'s dashboard and the admin screen', async () => {
    const page = parties.reviewer.page;
    await page.goto('/dashboard');
    await page.locator('#chart-state svg rect').first().waitFor();
    assert.equal(await page.locator('#stat-filed .stat-value').innerText(), '2');
    await shot(page, 'dashboard');
    const admin = await as('admin');
    await admin.locator('#orgs-table').waitFor();
    await admin.locator('#pack-facts').waitFor();
    assert.match(await admin.locator('#pack-facts').innerText(), /cn-cloud/);
    await admin.locator('#packs-table').waitFor();
    assert.match(await admin.locator('#packs-table').innerText(), /2025\.1/);
    await shot(admin, 'admin');
  });
});
