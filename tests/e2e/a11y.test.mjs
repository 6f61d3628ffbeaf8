// a11y.test.mjs — the outside tool its users' auditors run: axe-core (npm, from the lockfile,
// injected into the page) over the screens this round added — the filing editor with a malformed
// value, the filed systems' work list and the authority's supervision view, a self-inspection
// report, the incident queue and the inbox; and (issue 16) the workbench, a filed record with its
// status panel and number, a filing under review as the reviewer reads it, the provider
// evaluation — in Chinese and in English. Any violation of WCAG 2 A/AA rules of impact "serious"
// or "critical" fails, named with its rule and the elements.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchBrowser, party, signIn, closeParties } from './browser.mjs';
import { Server } from '../api/lib.mjs';
import { API, completeDraft, createFiling, createSystem, driveTo, loginAll, putDocument, referenceDoc } from '../api/story.mjs';

// evaluated, not injected as a <script>: the app's CSP (script-src 'self') rightly refuses inline scripts
const AXE = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
let s, browser, record, draft, report, review;
const parties = {};

// A signed-in page of login in lang (zh or en), opened on first use.
async function pageOf(login, lang) {
  const key = `${login}:${lang}`;
  if (!parties[key]) {
    parties[key] = await party(browser, s, { locale: lang === 'zh' ? 'zh-CN' : 'en-GB' });
    await parties[key].page.addInitScript((l) => localStorage.setItem('beian.lang', l), lang);
    await signIn(parties[key], login, s.logins[login].password);
  }
  return parties[key].page;
}

before(async () => {
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer']);
  record = await completeDraft(s, await createSystem(s, 'filer', '无障碍检查系统'));
  await driveTo(s, record, 'filed');
  const r = await s.req('POST', `${API}/filings/${record}/inspections`, { token: s.tokens.filer });
  assert.equal(r.status, 201, r.text);
  report = r.body.id;
  const inc = await s.req('POST', `${API}/filings/${record}/incidents`, {
    token: s.tokens.filer,
    body: { level: 'general', title: '门户短时不可用', detected_at: new Date(Date.now() - 3600e3).toISOString(), summary: '负载均衡故障' },
  });
  assert.equal(inc.status, 201, inc.text);
  const f = await createFiling(s, await createSystem(s, 'filer', '格式错误系统'));
  const doc = referenceDoc();
  doc.provider.data_centers[0].country = '中国';
  await putDocument(s, f.id, doc, f.etag);
  draft = f.id;
  review = await completeDraft(s, await createSystem(s, 'filer', '无障碍审核中系统'));
  await driveTo(s, review, 'under_review');
});

after(() => closeParties(parties, browser, s));

async function axe(page, ready) {
  await page.locator(ready).first().waitFor();
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

const SCREENS = [
  ['filer', 'the editor with a malformed value', () => `/filings/${draft}?step=provider`, '[data-path="/provider/data_centers/0/country"] .finding'],
  ['filer', 'the filed systems', () => '/records', '#records-table'],
  ['filer', "a record's after-filing tab", () => `/filings/${record}?tab=record`, '#record-schedule'],
  ['filer', 'a self-inspection report', () => `/inspections/${report}`, '#report-form'],
  ['reviewer', 'the supervision view', () => '/records', '#records-table'],
  ['reviewer', 'the incident queue', () => '/incidents', '#incidents-table'],
  ['checker', 'the inbox', () => '/inbox', 'main h1'],
  ['filer', 'the workbench', () => '/', '#systems-table'],
  ['filer', 'a filed record with its status panel', () => `/filings/${record}`, '#filed-number'],
  ['filer', "a record's history and proofs", () => `/filings/${record}?tab=history`, '#history'],
  ['reviewer', 'a filing under review', () => `/filings/${review}`, '#guidance'],
  ['filer', 'the provider evaluation', () => '/evaluate?org=3', '#eval-form'],
];

for (const lang of ['zh', 'en']) {
  for (const [login, what, path, ready] of SCREENS) {
    test(`axe-core finds no serious WCAG 2 A/AA violation on ${what} (${login}, ${lang})`, async () => {
      const page = await pageOf(login, lang);
      await page.goto(path());
      assert.deepEqual(await axe(page, ready), []);
    });
  }
}
