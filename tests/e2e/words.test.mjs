// words.test.mjs — words, not codes (issue 16): every screen of every role, in Chinese and in
// English, is read as its user reads it (the text of visible elements and the options of its
// selects, outside any <details> disclosure, which keeps paths, rule ids and codes for the
// technical reader), and none of it may show a JSON pointer of the form (/subject/…), a rule id
// (SUBJ-002, FORM-REQUIRED), an enum code of the pack (offsite, business_licence, iaas), a MIME
// type, a date as 2026-12-06 (one style per language: 2026年12月6日, 6 Dec 2026), a person as
// "用户 #7" or "1 other findings".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchBrowser, party, signIn, closeParties } from './browser.mjs';
import { Server } from '../api/lib.mjs';
import { API, DCS, DEMO, PLATFORM, QUAL, actOk, completeDraft, createFiling, createSystem, driveTo, loginAll, putDocument, referenceDoc } from '../api/story.mjs';

const PACK = new URL('../../policy/cn-cloud/', import.meta.url);
const form = JSON.parse(readFileSync(new URL('form.json', PACK), 'utf8'));
const materials = JSON.parse(readFileSync(new URL('materials.json', PACK), 'utf8'));
const criteria = JSON.parse(readFileSync(new URL('providers.json', PACK), 'utf8')).criteria;

// Every code a person must not read: option values of the form, material kinds.
const CODES = new Set();
(function walk(fields) {
  for (const f of fields || []) {
    for (const o of f.options || []) if (typeof o.value === 'string') CODES.add(o.value);
    walk(f.fields);
  }
})(form.sections.flatMap((s) => s.fields || []));
for (const k of materials.kinds || []) CODES.add(k.key);
// codes that are also plain words of English prose (or Chinese text such as 'CN') are looked for
// only in parentheses, as the UI used to print them: "（offsite）"
const SECTION_KEYS = form.sections.map((s) => s.key);
const POINTER = new RegExp(`(^|[^\\w/.:-])/(${SECTION_KEYS.join('|')})(/[\\w~-]+)*(?![\\w/])`);
const RULE_ID = /\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b/g;   // checked against the rule ids the server knows (RULES)
const RULES = new Set();
const MIME = /\b(?:application|text|image|audio|video|multipart)\/[a-z0-9][a-z0-9.+-]*/i;
const SNAKE = /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/;
const PARENTHESISED = /[（(]\s*([a-z][a-z0-9_]*)\s*[)）]/g;
const SHOUTED_MODELS = /\b(?:IAAS|PAAS|SAAS)\b/;
const LOWER_MODELS = /(?<![\w.@])(?:iaas|paas|saas)(?![\w.@])/;
const USER_NUMBER = /用户\s*#\d+|\bUser #\d+/i;
const ISO_DAY = /(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])/;   // one date style per language: 2026年12月6日, 6 Dec 2026
const ONE_PLURAL = /(?<![\d.,])\b1 (?:other )?(?:findings|errors|warnings|items|days|entries|materials|filings|records|reports|incidents|notices|messages|working days)\b/;

// What a person reads on the page: the text of visible elements and the options of selects,
// outside <details>, one entry per element.
function readable(page) {
  return page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent.trim();
      if (!text || !el || el.closest('details, script, style, template')) continue;
      if (el.closest('.material-link, [data-user-text]')) continue;   // titles and file names as their owners typed them
      if (el.closest('select')) continue;   // options are read below, also when not shown
      if (!el.checkVisibility({ visibilityProperty: true }) && !el.closest('.sr-only')) continue;
      out.push(text);
    }
    for (const o of document.querySelectorAll('select option')) if (!o.closest('details')) out.push(o.textContent.trim());
    return out;
  });
}

function offences(texts, lang) {
  const bad = [];
  for (const text of texts) {
    const why = [];
    if (POINTER.test(text)) why.push('JSON pointer');
    for (const m of text.match(RULE_ID) || []) if (RULES.has(m) || /^(FORM|RECORD|PROVIDER)-/.test(m)) why.push(`rule id ${m}`);
    if (MIME.test(text)) why.push('MIME type');
    if (SNAKE.test(text)) why.push(`code ${text.match(SNAKE)[0]}`);
    // in English prose a word in parentheses may be a gloss ("Monetary financial services (banking)")
    for (const m of text.matchAll(PARENTHESISED)) if (CODES.has(m[1]) && (lang === 'zh' || m[1].includes('_'))) why.push(`code (${m[1]})`);
    if (SHOUTED_MODELS.test(text) || LOWER_MODELS.test(text)) why.push('service model as a code');
    if (lang === 'zh') for (const m of text.matchAll(/(?<![\w.@/-])[a-z][a-z0-9]{2,}(?![\w.@/-])/g)) if (CODES.has(m[0])) why.push(`code ${m[0]}`);
    if (USER_NUMBER.test(text)) why.push('a person as a number');
    if (ISO_DAY.test(text)) why.push('a date not in the language\'s style');
    if (ONE_PLURAL.test(text)) why.push('"1 …s"');
    if (why.length) bad.push(`${why.join(', ')}: «${text.slice(0, 160)}»`);
  }
  return [...new Set(bad)];
}

let s, browser;
const ids = {};
const parties = {};

before(async () => {
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer', 'entadmin', 'provadmin', 'authadmin', 'admin']);
  const schema = (await s.req('GET', `${API}/policy/schema`, { token: s.tokens.filer })).body;
  const [packId, packVersion] = [schema.pack, schema.version];
  const rules = await s.req('GET', `${API}/policy/packs/${packId}/${packVersion}/rules`, { token: s.tokens.filer });
  assert.equal(rules.status, 200, rules.text);
  for (const r of rules.body.items) RULES.add(r.id);
  const profile = await s.req('PUT', `${API}/providers/${DEMO.provider}/profile`, {
    token: s.tokens.provider, body: { qualifications: [QUAL()], platforms: [PLATFORM], data_centers: DCS },
  });
  assert.equal(profile.status, 200, profile.text);
  // a filed record with a self-inspection report, an incident and a change report under way
  ids.record = await completeDraft(s, await createSystem(s, 'filer', '用词检查已备案系统'));
  const filed = await driveTo(s, ids.record, 'filed');
  ids.number = filed.number;
  const insp = await s.req('POST', `${API}/filings/${ids.record}/inspections`, { token: s.tokens.filer });
  assert.equal(insp.status, 201, insp.text);
  ids.inspection = insp.body.id;
  const inc = await s.req('POST', `${API}/filings/${ids.record}/incidents`, {
    token: s.tokens.filer,
    body: { level: 'general', title: '门户短时不可用', detected_at: new Date(Date.now() - 3600e3).toISOString(), summary: '负载均衡故障' },
  });
  assert.equal(inc.status, 201, inc.text);
  ids.incident = inc.body.id;
  const change = await actOk(s, 'filer', ids.record, 'report_change', { effective_on: new Date().toISOString().slice(0, 10) });
  ids.change = change.change_filing.id;
  // one filing in each state a party works on
  ids.check = await completeDraft(s, await createSystem(s, 'filer', '用词检查内部审核系统'));
  await driveTo(s, ids.check, 'internal_check');
  ids.confirm = await completeDraft(s, await createSystem(s, 'filer', '用词检查云服务商确认系统'));
  await driveTo(s, ids.confirm, 'provider_confirmation');
  ids.review = await completeDraft(s, await createSystem(s, 'filer', '用词检查审核中系统'));
  await driveTo(s, ids.review, 'under_review');
  ids.rect = await completeDraft(s, await createSystem(s, 'filer', '用词检查整改系统'));
  await driveTo(s, ids.rect, 'rectification');
  // a draft with errors of the form (a required field missing, a malformed value, an enum out of range)
  const f = await createFiling(s, await createSystem(s, 'filer', '用词检查草稿系统'));
  const doc = referenceDoc();
  delete doc.subject.address;
  doc.provider.data_centers[0].country = '中国';
  await putDocument(s, f.id, doc, f.etag);
  ids.draft = f.id;
  // an evaluation of the demo provider
  const ev = await s.req('POST', `${API}/providers/${DEMO.provider}/evaluations`, {
    token: s.tokens.filer,
    body: { criteria: criteria.map((c, i) => ({ key: c.key, weight: i ? 16 : 20, score: 80, evidence: '公开评级与合同条款' })) },
  });
  assert.equal(ev.status, 201, ev.text);
});

after(() => closeParties(parties, browser, s));

async function as(login, lang) {
  const key = `${login}:${lang}`;
  if (!parties[key]) {
    parties[key] = await party(browser, s, { locale: lang === 'zh' ? 'zh-CN' : 'en-GB' });
    const { page } = parties[key];
    await page.addInitScript((l) => localStorage.setItem('beian.lang', l), lang);
    await page.addInitScript(countRequests);
    if (login !== 'public') await signIn(parties[key], login, s.logins[login].password);
  }
  return parties[key].page;
}

// The page's own requests, counted in the page (fetch and XMLHttpRequest): a screen is read once
// none has been in flight for QUIET_MS. Playwright's 'networkidle' waits a fixed 500 ms after the
// last one, which over ~200 screens was most of this file's time.
const QUIET_MS = 150;
function countRequests() {
  const state = { inflight: 0, last: performance.now() };
  window.__requests = state;
  const settle = () => { state.inflight--; state.last = performance.now(); };
  const fetch0 = window.fetch;
  window.fetch = (...args) => {
    state.inflight++; state.last = performance.now();
    // settled when the body has been read or the request failed: a clone's body is read alongside
    return fetch0(...args).then((res) => { res.clone().arrayBuffer().then(settle, settle); return res; }, (err) => { settle(); throw err; });
  };
  const send0 = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    state.inflight++; state.last = performance.now();
    this.addEventListener('loadend', settle, { once: true });
    return send0.apply(this, args);
  };
}
async function networkQuiet(page) {
  await page.waitForFunction((ms) => {
    const st = window.__requests;
    return st && st.inflight === 0 && performance.now() - st.last >= ms;
  }, QUIET_MS, { polling: 50 });
}

const TABS = ['form', 'rectification', 'history', 'versions'];
const filingScreens = (id, extra = []) => [...TABS, ...extra].map((tab) => [`/filings/${id}?tab=${tab}`, '#filing-title']);
const ROLES = {
  public: () => [['/login', '#login'], ['/verify', 'main h1'], [`/verify?number=${encodeURIComponent(ids.number)}`, 'main h1']],
  filer: () => [['/', 'main h1'], ['/records', '#records-table'], ['/evaluate', 'main h1'], [`/evaluate?org=${DEMO.provider}`, '#eval-form'],
    ['/incidents', 'main h1'], ['/incidents/new', 'main h1'], [`/incidents/${ids.incident}`, 'main h1'], ['/inbox', 'main h1'],
    ['/account', 'main h1'], [`/provider?org=${DEMO.provider}`, 'main h1'], [`/inspections/${ids.inspection}`, '#report-form'],
    ...filingScreens(ids.record, ['record']), ...filingScreens(ids.draft), ...filingScreens(ids.rect), ...filingScreens(ids.change)],
  checker: () => [['/', 'main h1'], ['/records', 'main h1'], ['/inbox', 'main h1'], ...filingScreens(ids.check)],
  entadmin: () => [['/', 'main h1'], ['/admin', 'main h1']],
  provider: () => [['/', 'main h1'], ['/provider', 'main h1'], ...filingScreens(ids.confirm)],
  provadmin: () => [['/admin', 'main h1'], ['/provider', 'main h1']],
  reviewer: () => [['/', 'main h1'], ['/records', '#records-table'], ['/dashboard', 'main h1'], ['/incidents', 'main h1'],
    [`/incidents/${ids.incident}`, 'main h1'],
    ...filingScreens(ids.review), ...filingScreens(ids.rect), ...filingScreens(ids.record, ['record'])],
  authadmin: () => [['/', 'main h1'], ['/admin', 'main h1']],
  admin: () => [['/', 'main h1'], ['/queue', 'main h1'], ['/dashboard', 'main h1'], ['/incidents', 'main h1'], ...filingScreens(ids.review)],
};

// Each section of the form is a screen of its own.
async function formSections(page) {
  const steps = await page.locator('button[data-step]').evaluateAll((els) => els.map((e) => e.dataset.step));
  const out = [];
  for (const step of steps) {
    await page.locator(`button[data-step="${step}"]`).click();
    await page.locator(`#sec-${step}`).waitFor();
    out.push([step, await readable(page)]);
  }
  return out;
}

for (const lang of ['zh', 'en']) {
  for (const login of Object.keys(ROLES)) {
    test(`no path, rule id, code or MIME type shown outside a disclosure: ${login}, ${lang}`, async () => {
      const page = await as(login, lang);
      const bad = [];
      for (const [path, ready] of ROLES[login]()) {
        await page.goto(path);
        await page.locator(ready).first().waitFor().catch((err) => { throw new Error(`${path}: ${err.message}`); });
        await networkQuiet(page);
        for (const o of offences(await readable(page), lang)) bad.push(`${path}: ${o}`);
        if (path.endsWith('tab=form')) {
          for (const [step, texts] of await formSections(page)) for (const o of offences(texts, lang)) bad.push(`${path}&step=${step}: ${o}`);
        }
      }
      assert.deepEqual([...new Set(bad)], []);
    });
  }
}
