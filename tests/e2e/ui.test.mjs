// ui.test.mjs — the UI beyond the story: the language switch, a user of another enterprise who
// does not see the filing, one form step completed with the keyboard alone, the admin creating
// a user who then changes the password, signing in on the way to a page, the tablet layout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, party, signIn, shot, unexpected } from './browser.mjs';
import { Server } from '../api/lib.mjs';
import { DEMO, completeDraft, createFiling, createOrg, createSystem, createUser, driveTo, loginAll, uscc } from '../api/story.mjs';

const API = '/api/v1';
let s, browser;
let filedId, filedNumber;
const opened = [];

before(async () => {
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await loginAll(s, ['admin', 'filer', 'checker', 'provider', 'reviewer']);
  const systemId = await createSystem(s, 'filer', '云帆智能客服平台');
  filedId = await completeDraft(s, systemId);
  const f = await driveTo(s, filedId, 'filed');
  filedNumber = f.number;
  const ent = await createOrg(s, { kind: 'enterprise', name: '无关示例有限公司', uscc: uscc('91310000MA1FL0001'), region: '310000' });
  await createUser(s, ent.id, 'outsider', ['filer', 'checker', 'org_admin']);
});

after(async () => {
  for (const p of opened) {
    assert.deepEqual(unexpected(p.problems), [], 'no script errors in the browser');
    await p.close();
  }
  await browser?.close();
  await s?.stop();
});

async function open(opts) {
  const p = await party(browser, s, opts);
  opened.push(p);
  return p;
}

test('the language switch: Chinese by default, English on request, remembered, form labels from the pack', async () => {
  const p = await open();
  const { page } = p;
  await page.goto('/login');
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.equal(await page.locator('h1').innerText(), '登录');
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'Sign in' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  // the API answers in the same language
  await page.locator('#login').fill('filer');
  await page.locator('#password').fill('not the password');
  await page.locator('#signin').click();
  assert.match(await page.locator('.error-text').innerText(), /wrong login or password/i);
  await signIn(p, 'filer', s.logins.filer.password);
  await page.locator('.mainnav a', { hasText: 'Workbench' }).waitFor();
  assert.match(await page.locator('#whoami').innerText(), /Filer/);
  await page.goto(`/filings/${filedId}`);
  await page.locator('#sec-subject', { hasText: 'Filing subject' }).waitFor();
  assert.ok(await page.locator('.read-label', { hasText: 'Organisation name' }).count() > 0);
  assert.equal(await page.locator('#filing-title .badge').innerText(), 'Filed');
  await shot(page, 'english');
  await page.reload();
  await page.locator('#filing-title .badge', { hasText: 'Filed' }).waitFor();
  await page.locator('#lang-switch').click();
  await page.locator('#filing-title .badge', { hasText: '已备案' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
});

test('a user of another enterprise does not see the filing', async () => {
  const p = await open();
  const { page } = p;
  await signIn(p, 'outsider', s.logins.outsider.password);
  await page.locator('#filings').waitFor();
  assert.equal(await page.locator(`#filings tr[data-filing="${filedId}"]`).count(), 0);
  assert.equal(await page.locator('#systems-table').count(), 0, 'no systems of the other enterprise');
  assert.ok(!(await page.locator('main').innerText()).includes('云帆智能客服平台'));
  await page.goto(`/filings/${filedId}`);
  await page.locator('#filing-missing').waitFor();
  assert.ok(!(await page.locator('main').innerText()).includes('云帆智能客服平台'));
  // … while the public verification of its number works for anyone
  await page.goto(`/verify?number=${encodeURIComponent(filedNumber)}`);
  await page.locator('#verify-number-out').waitFor();
});

// Press Tab until the element with this id has the focus (the keyboard is the only input).
async function tabTo(page, id, { max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate(() => document.activeElement?.id) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${id} cannot be reached with Tab`);
}

test('one form step completed with the keyboard alone', async () => {
  const f = await createFiling(s, await createSystem(s, 'filer', '键盘测试系统'));
  const p = await open();
  const { page } = p;
  // sign in with the keyboard
  await page.goto('/login');
  await page.keyboard.type('filer');
  await page.keyboard.press('Tab');
  await page.keyboard.type(s.logins.filer.password);
  await page.keyboard.press('Enter');
  await page.locator('#whoami').waitFor();
  await page.goto(`/filings/${f.id}`);
  await page.locator('button[data-step="operations"] .count-error').waitFor();

  // reach the step in the list of parts and open it
  await tabTo(page, 'tab-form');
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.dataset?.step === 'operations');
  }
  assert.ok(reached, 'the step button is reachable with Tab');
  await page.keyboard.press('Enter');
  await page.locator('button[data-step="operations"][aria-current="step"]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'sec-operations', 'the focus moves to the section');

  const fill = async (path, text) => { await tabTo(page, `f:${path}`); await page.keyboard.type(text); };
  // A date input is typed part by part in the order of Chromium's own UI locale (en-US here,
  // whatever the page's language: month, day, year); each part moves on when it is complete.
  const fillDate = async (path, iso) => {
    await tabTo(page, `f:${path}`);
    const [y, m, d] = iso.split('-');
    await page.keyboard.type(`${m}${d}${y}`);
    assert.equal(await page.locator(`[id="f:${path}"]`).inputValue(), iso, 'the date typed with the keyboard');
  };
  await fill('/operations/vuln_scan/interval_days', '30');
  await fillDate('/operations/vuln_scan/last_scan', '2026-02-20');
  await fill('/operations/vuln_scan/tool', '远程安全评估系统');
  await fill('/operations/training/interval_months', '6');
  await fillDate('/operations/training/last_training', '2026-01-08');
  await fill('/operations/training/participants', '45');
  await fill('/operations/change_management', '变更由需求方提交申请，安全团队评估影响并定级，重大变更经审批后在维护窗口实施。');
  await page.keyboard.press('Tab');   // leave the last field
  await page.locator('#save-status[data-status="saved"]').waitFor();
  await page.locator('button[data-step="operations"].complete').waitFor();
  assert.equal(await page.locator('.form-section .finding.sev-error').count(), 0, 'no error left in this step');

  const token = await s.login('filer');
  const doc = (await s.req('GET', `${API}/filings/${f.id}`, { token })).body.document;
  assert.deepEqual(doc.operations, {
    vuln_scan: { interval_days: 30, last_scan: '2026-02-20', tool: '远程安全评估系统' },
    training: { interval_months: 6, last_training: '2026-01-08', participants: 45 },
    change_management: '变更由需求方提交申请，安全团队评估影响并定级，重大变更经审批后在维护窗口实施。',
  });
});

test('the admin creates a user with roles; the user signs in and changes the password', async () => {
  const admin = await open();
  await signIn(admin, 'admin', s.logins.admin.password);
  const page = admin.page;
  await page.locator('#users-table').waitFor();
  await page.locator('#user-org').selectOption(String(DEMO.enterprise));
  await page.locator('#user-login').fill('newfiler');
  await page.locator('#user-name').fill('新填报人');
  await page.locator('#user-password').fill('First-password-123');
  await page.locator('input[data-role="filer"]').check();
  await page.locator('input[data-role="checker"]').check();
  await page.locator('#user-create').click();
  await page.locator('#users-table tr', { hasText: 'newfiler' }).waitFor();
  assert.match(await page.locator('#users-table tr', { hasText: 'newfiler' }).innerText(), /填报人、内部审核人/);

  const user = await open();
  await signIn(user, 'newfiler', 'First-password-123');
  assert.match(await user.page.locator('#whoami').innerText(), /新填报人/);
  await user.page.goto('/account');
  await user.page.locator('#old-password').fill('First-password-123');
  await user.page.locator('#new-password').fill('Second-password-456');
  await user.page.locator('#new-password-again').fill('Second-password-456');
  await user.page.locator('form:has(#old-password) button[type=submit]').click();
  await user.page.locator('.ok-text').waitFor();
  await user.page.locator('#signout').click();
  await user.page.locator('#login').waitFor();
  await signIn(user, 'newfiler', 'Second-password-456');
});

test('signed out, a page asks to sign in and then opens; unknown pages say so', async () => {
  const p = await open();
  const { page } = p;
  await page.goto('/dashboard');
  await page.waitForURL(/\/login\?next=%2Fdashboard$/);
  await page.locator('#login').fill('reviewer');
  await page.locator('#password').fill(s.logins.reviewer.password);
  await page.locator('#signin').click();
  await page.waitForURL(/\/dashboard$/);
  await page.locator('#chart-state').waitFor();
  await page.goto('/no/such/page');
  await page.locator('h1', { hasText: '页面不存在' }).waitFor();
});

test('the editor on a tablet: one column, nothing wider than the screen', async () => {
  const p = await open({ viewport: { width: 820, height: 1180 } });
  const { page } = p;
  await signIn(p, 'filer', s.logins.filer.password);
  await page.goto(`/filings/${filedId}`);
  await page.locator('#findings-list').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await shot(page, 'tablet');
});
