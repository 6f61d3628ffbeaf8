// a11y.test.mjs — the outside tool its users' auditors run: axe-core (npm, from the lockfile,
// injected into the page) over the screens this round added — the filing editor with a malformed
// value, the filed systems' work list and the authority's supervision view, a self-inspection
// report, the incident queue and the inbox — in Chinese. Any violation of WCAG 2 A/AA rules of
// impact "serious" or "critical" fails, named with its rule and the elements.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, launchBrowser, signedInPages } from './browser.mjs';
import { Server } from '../api/lib.mjs';
import { API, completeDraft, createFiling, createSystem, driveTo, loginAll, putDocument, referenceDoc } from '../api/story.mjs';

let s, browser, record, draft, report;
const pages = signedInPages(() => ({ browser, server: s }));

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
});

after(async () => {
  await pages.close();
  await browser?.close();
  await s?.stop();
});


const SCREENS = [
  ['filer', 'the editor with a malformed value', () => `/filings/${draft}?step=provider`, '[data-path="/provider/data_centers/0/country"] .finding'],
  ['filer', 'the filed systems', () => '/records', '#records-table'],
  ['filer', "a record's after-filing tab", () => `/filings/${record}?tab=record`, '#record-schedule'],
  ['filer', 'a self-inspection report', () => `/inspections/${report}`, '#report-form'],
  ['reviewer', 'the supervision view', () => '/records', '#records-table'],
  ['reviewer', 'the incident queue', () => '/incidents', '#incidents-table'],
  ['checker', 'the inbox', () => '/inbox', 'main h1'],
];

for (const [login, what, path, ready] of SCREENS) {
  test(`axe-core finds no serious WCAG 2 A/AA violation on ${what} (${login})`, async () => {
    const page = await pages.as(login);
    await page.goto(path());
    assert.deepEqual(await axeViolations(page, ready), []);
  });
}
