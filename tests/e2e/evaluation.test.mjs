// evaluation.test.mjs — the provider's registry profile in the filing editor (choose a platform,
// tick data centres: the provider section is filled in and autosaved; manual entry when the
// provider has no profile) and the enterprise's evaluation of a provider (each criterion of the
// pack with a weight, a score and the evidence; the organisation's evaluations listed with their
// weighted score; reached from the navigation and from the PROVIDER-EVALUATION-MISSING finding);
// the scorecard attached to a filing in the editor, and read by the reviewing authority.
// Screenshots: evaluation.png, evaluation-attached.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, signedInPages, shot, unlabelled } from './browser.mjs';
import { Server } from '../api/lib.mjs';
import { API, DEMO, createFiling, createOrg, createSystem, driveTo, loginAll, putDocument, referenceDoc } from '../api/story.mjs';

let s, browser, systemId, bareProvider;
const pages = signedInPages(() => ({ browser, server: s }));

const PLATFORMS = [
  { name: '天翼云公有云平台（华北）', mlps_level: 3, filing_certificate_number: '11010513001-00001', service_models: ['iaas', 'paas'] },
  { name: '天翼云政务云平台', mlps_level: 4, filing_certificate_number: '11010513001-00002', service_models: ['saas'] },
];
const DCS = [
  { name: '北京亦庄数据中心', region_code: '110115', country: 'CN', role: 'primary', physical_security: '门禁、视频监控' },
  { name: '上海外高桥数据中心', region_code: '310115', country: 'CN', role: 'backup' },
  { name: '广州南沙数据中心', region_code: '440115', country: 'CN', role: 'backup' },
];

before(async () => {
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await loginAll(s, ['admin', 'filer', 'checker', 'provider', 'reviewer']);
  systemId = await createSystem(s, 'filer', '云服务商评估测试系统');
  const put = await s.req('PUT', `${API}/providers/${DEMO.provider}/profile`, {
    token: s.tokens.provider, body: { qualifications: [], platforms: PLATFORMS, data_centers: DCS },
  });
  assert.equal(put.status, 200, put.text);
  bareProvider = await createOrg(s, { kind: 'provider', name: '无资料云服务有限公司', uscc: '91110108MA0000001D', region: '110108' });
});

after(async () => {
  await pages.close();
  await browser?.close();
  await s?.stop();
});

const as = (login, opts) => pages.as(login, opts);

const byId = (page, id) => page.locator(`[id="${id}"]`);
const docOf = async (id) => (await s.req('GET', `${API}/filings/${id}`, { token: s.tokens.filer })).body;

test('the provider section is filled from the provider\'s profile: a platform chosen, data centres ticked, autosaved', async () => {
  const doc = referenceDoc();
  for (const k of ['platform_name', 'platform_level', 'platform_filing_number', 'service_models', 'data_centers']) delete doc.provider[k];
  const f = await createFiling(s, systemId);
  await putDocument(s, f.id, doc, f.etag);
  const page = await as('filer');
  await page.goto(`/filings/${f.id}?step=provider`);
  const pick = page.locator('#provider-pick');
  await pick.locator('#provider-platform').waitFor();
  assert.equal(await pick.locator('#provider-platform option').count(), 3);
  assert.equal(await pick.locator('#provider-dcs input:checked').count(), 3, 'all data centres ticked at first');

  // nothing chosen: said so
  await byId(page, 'provider-dc-0').uncheck();
  await byId(page, 'provider-dc-1').uncheck();
  await byId(page, 'provider-dc-2').uncheck();
  await byId(page, 'provider-apply').click();
  await pick.locator('.error-text', { hasText: '请选择云平台' }).waitFor();

  await byId(page, 'provider-platform').selectOption({ label: '天翼云公有云平台（华北） · 第三级' });
  await byId(page, 'provider-dc-0').check();
  await byId(page, 'provider-dc-2').check();
  await byId(page, 'provider-apply').click();
  await page.locator('#save-status[data-status="saved"]').waitFor();
  assert.equal(await byId(page, 'f:/provider/platform_name').inputValue(), '天翼云公有云平台（华北）');
  assert.equal(await byId(page, 'f:/provider/platform_level').inputValue(), '3');
  assert.equal(await byId(page, 'f:/provider/platform_filing_number').inputValue(), '11010513001-00001');
  assert.ok(await byId(page, 'f:/provider/service_models:iaas').isChecked());
  assert.ok(!(await byId(page, 'f:/provider/service_models:saas').isChecked()));
  assert.equal(await byId(page, 'f:/provider/data_centers/1/name').inputValue(), '广州南沙数据中心');
  // the picker keeps what was chosen
  assert.equal(await byId(page, 'provider-platform').inputValue(), '0');
  assert.ok(!(await byId(page, 'provider-dc-1').isChecked()));
  assert.deepEqual(await unlabelled(page), [], 'every control of the picker has a label');

  await page.waitForFunction(async (id) => {
    const r = await fetch(`/api/v1/filings/${id}`, { credentials: 'same-origin' });
    return (await r.json()).document?.provider?.data_centers?.length === 2;
  }, f.id);
  const saved = (await docOf(f.id)).document.provider;
  assert.equal(saved.platform_name, '天翼云公有云平台（华北）');
  assert.equal(saved.platform_level, 3);
  assert.equal(saved.platform_filing_number, '11010513001-00001');
  assert.deepEqual(saved.service_models, ['iaas', 'paas']);
  assert.deepEqual(saved.data_centers, [
    { name: '北京亦庄数据中心', region_code: '110115', country: 'CN', role: 'primary' },
    { name: '广州南沙数据中心', region_code: '440115', country: 'CN', role: 'backup' },
  ]);

  // a provider without a profile: said so, and the fields are typed by hand
  await byId(page, 'f:/provider/provider_org').selectOption(String(bareProvider.id));
  await page.locator('#provider-pick-none').waitFor();
  await byId(page, 'f:/provider/platform_name').fill('自建私有云');
  await page.locator('#save-status[data-status="saved"]').waitFor();
  await page.waitForFunction(async (id) => {
    const r = await fetch(`/api/v1/filings/${id}`, { credentials: 'same-origin' });
    return (await r.json()).document?.provider?.platform_name === '自建私有云';
  }, f.id);
  assert.equal((await docOf(f.id)).document.provider.provider_org, bareProvider.id);

  // back to the registered provider: its profile is offered again
  await byId(page, 'f:/provider/provider_org').selectOption(String(DEMO.provider));
  await page.locator('#provider-platform').waitFor();
  await page.locator('#save-status[data-status="saved"]').waitFor();
});

test('the enterprise evaluates a provider from the finding and the navigation; evaluations are listed with their weighted score', async () => {
  const f = await createFiling(s, systemId);
  await putDocument(s, f.id, referenceDoc(), f.etag);
  assert.ok((await docOf(f.id)).findings.some((x) => x.rule === 'PROVIDER-EVALUATION-MISSING'), 'the server warns');
  const page = await as('filer');
  await page.goto(`/filings/${f.id}?step=provider`);
  const link = page.locator('#findings-list a.evaluate-link');
  await link.waitFor();
  await page.locator('[data-path="/provider/provider_org"] .finding a.evaluate-link').waitFor();
  await link.click();
  await page.locator('h1', { hasText: '评估云服务商' }).waitFor();
  assert.equal(await byId(page, 'eval-provider').inputValue(), String(DEMO.provider));
  await page.locator('#eval-none').waitFor();
  await page.locator('#eval-back', { hasText: `#${f.id}` }).waitFor();

  const keys = await page.locator('#eval-form tr[data-criterion]').evaluateAll((rows) => rows.map((r) => r.dataset.criterion));
  assert.deepEqual(keys, ['reputation', 'technical_strength', 'security_management', 'compliance', 'service_level', 'exit_and_data_return']);
  await page.locator('#eval-form th', { hasText: '安全管理水平' }).waitFor();

  // incomplete: every problem named, nothing sent
  await byId(page, 'eval-submit').click();
  await page.locator('#eval-problems li', { hasText: '信誉：请写明评估依据' }).waitFor();
  assert.equal(await byId(page, 'eval-score-reputation').getAttribute('aria-invalid'), 'true');

  const scores = { reputation: 90, technical_strength: 80, security_management: 70, compliance: 60, service_level: 100, exit_and_data_return: 50 };
  const evidence = { reputation: '近三年无重大安全事件通报', technical_strength: '等保三级云平台，两地三中心', security_management: '通过ISO 27001认证，审计报告见附件',
    compliance: '数据境内存储，合同约定配合监管', service_level: 'SLA 99.95%，7×24小时支持', exit_and_data_return: '合同约定30日内返还并销毁数据' };
  for (const [k, v] of Object.entries(scores)) {
    await byId(page, `eval-score-${k}`).fill(String(v));
    await byId(page, `eval-evidence-${k}`).fill(evidence[k]);
  }
  await page.locator('#eval-problems').waitFor({ state: 'detached' });
  assert.equal(await page.locator('#eval-form [aria-invalid]').count(), 0, 'the problems go as they are fixed');
  await byId(page, 'eval-weight-security_management').fill('50');
  // weights 17, 17, 50, 17, 16, 16 = 133 (the even share of 100 is 17, 17, 17, 17, 16, 16):
  // (17·(90+80+60) + 16·(100+50) + 50·70) / 133 = 73.76
  await page.locator('#eval-total', { hasText: '73.76' }).waitFor();
  await byId(page, 'eval-notes').fill('年度评估');
  await shot(page, 'evaluation', { fullPage: true });
  await byId(page, 'eval-submit').click();
  await page.locator('#eval-saved', { hasText: '73.76' }).waitFor();
  const row = page.locator('#eval-list tbody tr');
  assert.equal(await row.count(), 1);
  assert.equal(await row.getAttribute('data-score'), '73.76');
  assert.match(await row.innerText(), /年度评估/);
  assert.match(await row.innerText(), /安全管理水平 70（×50）/);
  assert.match(await row.innerText(), /\d{4}年\d{1,2}月\d{1,2}日/);

  const list = await s.req('GET', `${API}/providers/${DEMO.provider}/evaluations`, { token: s.tokens.filer });
  assert.equal(list.body.items.length, 1);
  assert.equal(list.body.items[0].score, 73.76);
  const sent = list.body.items[0].scorecard.criteria.find((c) => c.key === 'security_management');
  assert.equal(sent.weight, 50);
  assert.equal(sent.score, 70);

  // from the navigation, in English: choose the provider, the evaluation is listed
  await page.locator('#lang-switch').click();
  await page.locator('.mainnav a', { hasText: 'Evaluate provider' }).click();
  await page.locator('h1', { hasText: 'Evaluate provider' }).waitFor();
  await page.locator('#eval-choose').waitFor();
  await byId(page, 'eval-provider').selectOption(String(DEMO.provider));
  await page.locator('#eval-list tbody tr[data-score="73.76"]').waitFor();
  await page.locator('#eval-form th', { hasText: 'Security management' }).waitFor();
  await byId(page, 'eval-provider').selectOption(String(bareProvider.id));
  await page.locator('#eval-none', { hasText: 'not evaluated' }).waitFor();
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: '评估云服务商' }).waitFor();
});

test('the filer attaches the scorecard to the filing; the reviewer reads it in the provider section', async () => {
  const ev = (await s.req('GET', `${API}/providers/${DEMO.provider}/evaluations`, { token: s.tokens.filer })).body.items[0];
  assert.ok(ev, 'the evaluation of the test before');
  const f = await createFiling(s, systemId);
  await putDocument(s, f.id, referenceDoc(), f.etag);
  const page = await as('filer');
  await page.goto(`/filings/${f.id}?step=provider`);
  const select = byId(page, 'f:/provider/evaluation');
  await select.locator('option', { hasText: '73.76' }).waitFor({ state: 'attached' });
  await select.selectOption(String(ev.id));
  await page.locator('#save-status[data-status="saved"]').waitFor();
  const saved = await docOf(f.id);
  assert.equal(saved.document.provider.evaluation, ev.id);
  assert.equal(saved.provider_evaluation.score, 73.76);
  assert.ok(!saved.findings.some((x) => x.rule.startsWith('PROVIDER-EVALUATION')), 'no evaluation warning once attached');

  await driveTo(s, f.id, 'under_review');
  const review = await as('reviewer');
  await review.goto(`/filings/${f.id}?step=provider`);
  const card = review.locator('#attached-evaluation');
  await card.waitFor();
  assert.match(await card.innerText(), /73\.76/);
  assert.match(await card.innerText(), /安全管理水平 70（×50）/);
  await card.scrollIntoViewIfNeeded();
  await shot(review, 'evaluation-attached');
});

test('a provider does not evaluate: no link in its navigation, the screen says who may', async () => {
  const page = await as('provider');
  await page.locator('.mainnav a').first().waitFor();
  assert.equal(await page.locator('.mainnav a[href="/evaluate"]').count(), 0);
  await page.goto('/evaluate');
  await page.locator('#eval-forbidden').waitFor();
});
