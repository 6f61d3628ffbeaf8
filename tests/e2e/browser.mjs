// browser.mjs — Debian's Chromium driven by playwright-core for the e2e tests: one headless
// browser per test file (playwright gives it a fresh temporary profile; no browser is ever
// downloaded), one isolated context per party (own cookies and sessionStorage), pages that record
// console errors and failed requests, sign-in through the UI, screenshots into build/screenshots/
// (`make screenshots` draws them into docs/screenshots/ instead, for the README).
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM = process.env.BEIAN_CHROMIUM || '/usr/bin/chromium';
export const SHOTS = process.env.BEIAN_SCREENSHOTS || new URL('../../build/screenshots/', import.meta.url).pathname;
export const WEB_DIR = new URL('../../web/', import.meta.url).pathname;

// The server must serve this checkout's web/ (lib.mjs's Server passes the environment on).
process.env.BEIAN_WEB_DIR ||= WEB_DIR;

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

// A party: its own browser context and page on the test server.
export async function party(browser, server, { locale = 'zh-CN', viewport = { width: 1366, height: 900 } } = {}) {
  const context = await browser.newContext({ locale, timezoneId: 'Asia/Shanghai', viewport, baseURL: server.base });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    const failure = req.failure()?.errorText || '';
    if (!failure.includes('ERR_ABORTED')) problems.push(`request failed: ${req.url()} ${failure}`);
  });
  return { page, context, problems, close: () => context.close() };
}

// Page errors and console errors other than the browser's note of an API answer 4xx that the UI
// shows to its user (e.g. 404 of a filing one may not see, 401 before signing in).
export function unexpected(problems) {
  return problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
}

// The end of a file with several parties: each had no script error, then everything closes.
export async function closeParties(parties, browser, server) {
  for (const p of Object.values(parties)) {
    assert.deepEqual(unexpected(p.problems), [], 'no script errors in the browser');
    await p.close();
  }
  await browser?.close();
  await server?.stop();
}

export async function signIn(p, login, password) {
  const { page } = p;
  await page.goto('/login');
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.locator('#signin').click();
  await page.locator('#whoami').waitFor();
}

// A screenshot of a main screen (which must have labels on all its controls, see unlabelled).
export async function shot(page, name, { fullPage = false } = {}) {
  const bad = await unlabelled(page);
  if (bad.length) throw new Error(`controls without a label on ${name}: ${bad.join(', ')}`);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

// Every form control on the page has a label (a <label>, aria-label or aria-labelledby), and
// every button a name. Returns the ids/outer HTML of those that do not.
export function unlabelled(page) {
  return page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
      const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!named) bad.push(el.id || el.outerHTML.slice(0, 80));
    }
    for (const el of document.querySelectorAll('button')) {
      if (!(el.textContent.trim() || el.getAttribute('aria-label'))) bad.push(el.outerHTML.slice(0, 80));
    }
    return bad;
  });
}

// One signed-in page per login, opened on first use. env() gives {browser, server} (they are
// started in before()); close() fails the suite if any page logged an unexpected script error.
export function signedInPages(env) {
  const opened = {};
  return {
    async as(login, opts) {
      const { browser, server } = env();
      if (!opened[login]) {
        opened[login] = await party(browser, server, opts);
        await signIn(opened[login], login, server.logins[login].password);
      }
      return opened[login].page;
    },
    async close() {
      for (const p of Object.values(opened)) {
        const problems = unexpected(p.problems);
        if (problems.length) throw new Error(`script errors in the browser: ${JSON.stringify(problems)}`);
        await p.close();
      }
    },
  };
}

// axe-core (npm, from the lockfile) over the page once `ready` is there: its violations of WCAG 2
// A/AA rules of impact "serious" or "critical", each named with its rule and elements. Evaluated,
// not injected as a <script>: the app's CSP (script-src 'self') rightly refuses inline scripts.
const AXE = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
export async function axeViolations(page, ready) {
  await page.locator(ready).first().waitFor();
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}
