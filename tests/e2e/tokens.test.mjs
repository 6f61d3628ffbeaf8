// tokens.test.mjs — issue 12 in the browser: on "My account" a user makes an API token (the secret
// shown once), sees it listed and revokes it; an organisation admin sees its members' tokens and
// revokes one; the password change offers to revoke the API tokens, ticked by default.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, party, signIn, shot, unexpected } from './browser.mjs';
import { Server } from '../api/lib.mjs';

let s, browser;
const opened = [];

before(async () => {
  [s, browser] = await Promise.all([Server.start({ materials: false }), launchBrowser()]);
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

test('my API tokens: made with the secret shown once, listed, revoked', async () => {
  const p = await open({ locale: 'en-GB' });
  const { page } = p;
  await signIn(p, 'filer', s.logins.filer.password);
  await page.goto('/account');
  assert.equal(await page.locator('#revoke-tokens').isChecked(), true, 'revoking is offered, ticked');
  await page.locator('#token-name').fill('nightly export');
  await page.locator('#token-create').click();
  const secret = (await page.locator('#token-secret').innerText()).trim();
  assert.match(secret, /^bt_/);
  const row = page.locator('#tokens-table tr', { hasText: 'nightly export' });
  await row.waitFor();
  assert.equal((await s.req('GET', '/api/v1/me', { token: secret })).status, 200);
  await shot(page, 'tokens');
  await row.locator('button').click();
  await page.locator('#tokens-table tr', { hasText: 'nightly export' }).waitFor({ state: 'detached' });
  assert.equal((await s.req('GET', '/api/v1/me', { token: secret })).status, 401);
});

test('an organisation admin revokes a member\'s token from the account page', async () => {
  const filer = await s.as('filer');
  const made = await filer('POST', '/api/v1/tokens', { body: { name: 'member pipeline' } });
  assert.equal(made.status, 201, made.text);
  const p = await open();
  const { page } = p;
  await signIn(p, 'entadmin', s.logins.entadmin.password);
  await page.goto('/account');
  const row = page.locator('#org-tokens-table tr', { hasText: 'member pipeline' });
  await row.waitFor();
  assert.match(await row.innerText(), /filer/);
  await row.locator('button').click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await s.req('GET', '/api/v1/me', { token: made.body.token })).status, 401);
});
