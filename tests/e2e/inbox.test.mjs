// inbox.test.mjs — issue 14 in the browser: the top bar shows the inbox with its unread count in
// both languages; the inbox lists what happened (the checker is asked to check a submission);
// opening an item marks it read, the badge goes, and the item leads to the filing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, party, signIn, shot, unexpected } from './browser.mjs';
import { Server } from '../api/lib.mjs';
import { actOk, completeDraft, createSystem, loginAll } from '../api/story.mjs';

let s, browser;
const opened = [];

before(async () => {
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await loginAll(s, ['filer', 'checker']);
});

after(async () => {
  for (const p of opened) {
    assert.deepEqual(unexpected(p.problems), [], 'no script errors in the browser');
    await p.close();
  }
  await browser?.close();
  await s?.stop();
});

test('the inbox and its unread badge, in Chinese and in English; opening an item reads it', async () => {
  const ids = [];
  for (const name of ['客服工单系统', '数据分析平台']) {
    const id = await completeDraft(s, await createSystem(s, 'filer', name));
    await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
    ids.push(id);
  }
  const p = await party(browser, s);
  opened.push(p);
  const { page } = p;
  await signIn(p, 'checker', s.logins.checker.password);
  const badge = page.locator('#inbox-badge');
  await page.waitForFunction(() => document.getElementById('inbox-badge')?.textContent === '2');
  assert.equal(await badge.isVisible(), true);
  assert.match(await page.locator('#inbox-link').innerText(), /消息/);
  assert.match(await page.locator('#inbox-link').getAttribute('aria-label'), /2 条未读/);
  await page.locator('#inbox-link').click();
  await page.locator('#inbox-list').waitFor();
  const items = page.locator('#inbox-list li');
  assert.equal(await items.count(), 2);
  assert.match(await page.locator('#inbox-summary').innerText(), /2 条未读/);
  assert.match(await items.first().innerText(), /待内部审核/);
  await shot(page, 'inbox');

  // English: the same inbox, the same count
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'Inbox' }).waitFor();
  assert.match(await page.locator('#inbox-link').innerText(), /Inbox/);
  await page.waitForFunction(() => document.getElementById('inbox-badge')?.textContent === '2');
  assert.match(await page.locator('#inbox-summary').innerText(), /2 unread/);
  assert.match(await items.first().innerText(), /Internal check needed/);

  // opening the newest marks it read and goes to its filing; the badge counts one
  await items.first().locator('a.inbox-subject').click();
  await page.waitForURL(`**/filings/${ids[1]}`);
  await page.waitForFunction(() => document.getElementById('inbox-badge')?.textContent === '1');
  const left = await s.req('GET', '/api/v1/inbox', { token: s.tokens.checker });
  assert.equal(left.body.unread, 1);
  assert.equal(left.body.items.find((i) => i.filing_id === ids[1]).read, true);

  await page.goto('/inbox');
  await page.locator('#inbox-read-all').click();
  await page.waitForFunction(() => document.getElementById('inbox-badge')?.hidden === true);
  assert.match(await page.locator('#inbox-summary').innerText(), /0 unread/);
  assert.equal(await page.locator('#inbox-read-all').isDisabled(), true);
});
