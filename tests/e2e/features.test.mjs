// features.test.mjs — material upload in the filing editor (progress bar, the id put into the
// field and autosaved, errors of the API shown at the field in the current language, the required
// materials marked attached or missing), override requests (asked by the filer on a finding of an
// overridable rule, decided by the reviewer, seen by everyone), and the provider's profile screen.
// Screenshots: upload.png, overrides.png, provider-profile.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, signedInPages, shot } from './browser.mjs';
import { DEMO_MATERIALS, Server } from '../api/lib.mjs';
import { API, DEMO, actOk, createFiling, createSystem, licenceCodeEnterprise, loginAll, putDocument, referenceDoc } from '../api/story.mjs';

let s, browser, systemId;
const pages = signedInPages(() => ({ browser, server: s }));

before(async () => {
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer']);
  systemId = await createSystem(s, 'filer', '材料上传测试系统');
});

after(async () => {
  await pages.close();
  await browser?.close();
  await s?.stop();
});

const as = (login, opts) => pages.as(login, opts);

async function draftWith(edit) {
  const doc = referenceDoc();
  edit(doc);
  const f = await createFiling(s, systemId);
  await putDocument(s, f.id, doc, f.etag);
  return f.id;
}

const byId = (page, id) => page.locator(`[id="${id}"]`);
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64, 1)]);
const docOf = async (id) => (await s.req('GET', `${API}/filings/${id}`, { token: s.tokens.filer })).body.document;

test('material upload: a file picked is uploaded with a progress bar, put into the field and saved; errors show at the field', async () => {
  const id = await draftWith((doc) => { delete doc.system.architecture_diagram; });
  const page = await as('filer');
  await page.goto(`/filings/${id}?step=system`);
  const required = page.locator('#required-materials li[data-kind="architecture_diagram"]');
  await page.locator('#required-materials li[data-kind="architecture_diagram"][data-attached="no"]').waitFor();
  assert.match(await required.innerText(), /缺少/);
  await page.locator('#required-materials li[data-kind="data_flow_diagram"][data-attached="yes"]').waitFor();

  const path = '/system/architecture_diagram';
  const wrap = page.locator(`[data-path="${path}"]`);
  await wrap.locator('.finding').waitFor();
  await byId(page, `up:${path}-file`).setInputFiles({ name: '架构图.png', mimeType: 'image/png', buffer: PNG });
  await wrap.locator('.upload[data-state="done"]').waitFor();
  assert.equal(await byId(page, `up:${path}-progress`).getAttribute('value'), '100');
  assert.match(await wrap.locator('.upload-progress-label').innerText(), /架构图\.png 已上传/);
  // the field's choice shows the new material once the organisation's list is read again
  await page.waitForFunction((sel) => document.getElementById(sel)?.value !== '', `f:${path}`);
  const mid = Number(await byId(page, `f:${path}`).inputValue());
  assert.ok(mid > 14, `a new material id: ${mid}`);
  assert.match(await wrap.locator('.attached a.material-link').innerText(), /架构图\.png/);
  assert.equal(await wrap.locator('.attached a.material-link').getAttribute('href'), `/api/v1/materials/${mid}/content`);
  await page.locator('#save-status[data-status="saved"]').waitFor();
  await wrap.locator('.finding').waitFor({ state: 'detached' });
  await page.locator('#required-materials li[data-kind="architecture_diagram"][data-attached="yes"]').waitFor();
  assert.equal((await docOf(id)).system.architecture_diagram, mid, 'autosaved');

  // a file whose bytes are not what it says: 415 with the detected type, in Chinese
  await byId(page, `up:${path}-file`).setInputFiles({ name: 'fake.pdf', mimeType: 'application/pdf', buffer: PNG });
  const err = wrap.locator('.upload-error');
  await err.waitFor();
  assert.equal(await err.getAttribute('data-status'), '415');
  assert.match(await err.innerText(), /不支持的内容类型/);
  assert.match(await err.innerText(), /image\/png/);
  assert.equal((await docOf(id)).system.architecture_diagram, mid, 'the field keeps its material');

  // a list of materials: the kind is chosen, the new id is appended
  await page.locator('button[data-step="compliance"]').click();
  const list = '/compliance/industry_materials';
  const before = (await docOf(id)).compliance?.industry_materials || [];
  await byId(page, `up:${list}-kind`).selectOption('test_report');
  await byId(page, `up:${list}-file`).setInputFiles({ name: 'risk.txt', mimeType: 'text/plain', buffer: Buffer.from('风险评估报告\n') });
  await page.locator(`[data-path="${list}"] .upload[data-state="done"]`).waitFor();
  await page.locator('#save-status[data-status="saved"]').waitFor();
  const after = (await docOf(id)).compliance.industry_materials;
  assert.equal(after.length, before.length + 1);
  assert.deepEqual(after.slice(0, before.length), before);
  const meta = await s.req('GET', `${API}/materials/${after.at(-1)}`, { token: s.tokens.filer });
  assert.equal(meta.body.kind, 'test_report');
  assert.equal(meta.body.filename, 'risk.txt');

  // in English, the API's error comes in English
  await page.locator('#lang-switch').click();
  await page.locator('#tab-form', { hasText: 'Form' }).waitFor();
  await page.locator('button[data-step="system"]').click();
  await byId(page, `up:${path}-file`).setInputFiles({ name: 'fake.pdf', mimeType: 'application/pdf', buffer: PNG });
  await wrap.locator('.upload-error').waitFor();
  assert.match(await wrap.locator('.upload-error').innerText(), /Unsupported content type/);
  assert.match(await wrap.locator('.upload-error').innerText(), /detected type: image\/png/);
  await page.locator('#lang-switch').click();
  await page.locator('#tab-form', { hasText: '备案表' }).waitFor();
  await page.locator('button[data-step="system"]').click();
  await byId(page, `up:${path}-file`).setInputFiles({ name: '系统架构图-v2.png', mimeType: 'image/png', buffer: PNG });
  await wrap.locator('.upload[data-state="done"]').waitFor();
  await page.locator('#save-status[data-status="saved"]').waitFor();
  await page.locator('#required-materials li[data-attached]').first().waitFor();
  await wrap.locator('.upload').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await shot(page, 'upload');
});

test('override requests: the filer asks on a finding of an overridable rule, the reviewer accepts, the finding is marked', async () => {
  // an enterprise registered with the code its licence bears, whose check character fails GB 32100
  await loginAll(s, ['admin']);
  const lc = await licenceCodeEnterprise(s);
  const f = await createFiling(s, await createSystem(s, 'lcfiler', '校验码豁免系统'), 'lcfiler');
  await putDocument(s, f.id, lc.doc, f.etag, 'lcfiler');
  const id = f.id;
  const page = await as('lcfiler');
  await page.goto(`/filings/${id}?step=subject`);
  const ask = page.locator('#findings-list button.ask-override[data-rule="SUBJ-002"]');
  await ask.waitFor();
  assert.equal(await page.locator('button.ask-override').count(), 2, 'in the list and at the field');
  await page.locator('#no-overrides').waitFor();
  await ask.click();
  const dialog = page.locator('dialog');
  await dialog.waitFor();
  await dialog.locator('#override-submit').click();
  await dialog.locator('.error-text', { hasText: '理由' }).waitFor();
  await dialog.locator('#override-reason').fill('营业执照上的代码即为此码');
  // a material as a person picks it: title, version, date and kind in words, no database id
  const option = await dialog.locator(`#override-material option[value="${lc.materials.business_licence}"]`).innerText();
  assert.match(option, /^.+ · 第1版 · \d{4}年\d{1,2}月\d{1,2}日 · 营业执照/, option);
  assert.doesNotMatch(option, /#\d/, option);
  await dialog.locator('#override-material').selectOption(String(lc.materials.business_licence));
  await dialog.locator('#override-submit').click();
  await dialog.waitFor({ state: 'detached' });
  const item = page.locator('#overrides li[data-rule="SUBJ-002"][data-state="requested"]');
  await item.waitFor();
  assert.match(await item.innerText(), /营业执照上的代码即为此码/);
  assert.match(await item.innerText(), /待审核/);
  assert.equal(await page.locator('button.ask-override').count(), 0, 'asked once');

  // the open request lets the filing leave the house
  await actOk(s, 'lcfiler', id, 'submit_for_check', undefined, 'internal_check');
  await actOk(s, 'lcchecker', id, 'approve_check', undefined, 'provider_confirmation');
  await actOk(s, 'provider', id, 'confirm_hosting', undefined, 'submitted');
  await actOk(s, 'reviewer', id, 'accept', undefined, 'under_review');

  const rev = await as('reviewer');
  await rev.goto(`/filings/${id}?step=subject`);
  const open = rev.locator('#overrides li[data-state="requested"]');
  await open.waitFor();
  await open.locator('a.material-link', { hasText: `演示材料 ${DEMO_MATERIALS.business_licence}` }).waitFor();
  await open.locator('textarea.override-comment').fill('已核对营业执照');
  await shot(rev, 'overrides');
  await open.locator('button.override-accept').click();
  const accepted = rev.locator('#overrides li[data-state="accepted"]');
  await accepted.waitFor();
  assert.match(await accepted.innerText(), /已核对营业执照/);
  await rev.locator('#findings-list li.sev-warning .overridden-mark').waitFor();
  await rev.locator('[data-path="/subject/uscc"] .finding .overridden-mark').waitFor();
  assert.equal(await rev.locator('button.override-accept').count(), 0);

  // the filer sees the decision too
  await page.reload();
  await page.locator('#overrides li[data-state="accepted"]').waitFor();
  await page.locator('#findings-list .overridden-mark').waitFor();
});

test('the provider keeps its profile: qualifications with a certificate, platforms, data centres, and what expires soon', async () => {
  const page = await as('provider');
  await page.locator('.mainnav a', { hasText: '服务商资料' }).click();
  await page.locator('h1', { hasText: '云服务商资料' }).waitFor();
  await page.locator('#expiring-none').waitFor();
  const soon = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10);

  await page.locator('#add-qualifications').click();
  await byId(page, 'p:qualifications:0:scheme').fill('云计算服务安全评估');
  await byId(page, 'p:qualifications:0:certificate_number').fill('CSA-2024-001');
  await byId(page, 'p:qualifications:0:issuer').fill('中央网信办');
  await byId(page, 'p:qualifications:0:valid_from').fill('2024-01-01');
  await byId(page, 'p:qualifications:0:valid_until').fill(soon);
  await byId(page, 'p:qualifications:0:certificate_material_id-file').setInputFiles({ name: '安全评估证书.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\ncertificate\n') });
  await page.locator('#profile-qualifications .cert-link a.material-link').waitFor();

  await page.locator('#add-platforms').click();
  await byId(page, 'p:platforms:0:name').fill('天翼云公有云平台（华北）');
  await byId(page, 'p:platforms:0:mlps_level').selectOption('3');
  await byId(page, 'p:platforms:0:service_models:iaas').check();
  await byId(page, 'p:platforms:0:service_models:paas').check();

  await page.locator('#add-data_centers').click();
  await byId(page, 'p:data_centers:0:name').fill('北京亦庄数据中心');
  await byId(page, 'p:data_centers:0:region_code').fill('110115');
  await byId(page, 'p:data_centers:0:country').fill('CN');
  await byId(page, 'p:data_centers:0:role').selectOption('primary');

  // a bad value is refused in words; the field's data path is in the technical details
  await byId(page, 'p:data_centers:0:country').fill('china');
  await page.locator('#profile-save').click();
  await page.locator('#profile-msg .error-text').waitFor();
  assert.doesNotMatch(await page.locator('#profile-msg .error-text').innerText(), /\/data_centers/);
  await page.locator('#profile-msg details.tech-details', { hasText: '/data_centers/0/country' }).waitFor({ state: 'attached' });
  await byId(page, 'p:data_centers:0:country').fill('CN');
  await page.locator('#profile-save').click();
  await page.locator('#profile-msg .ok-text').waitFor();
  assert.match(await page.locator('#profile-revision').innerText(), /第 1 版/);
  await page.locator('#expiring-list li[data-cert="CSA-2024-001"][data-state="expiring"]').waitFor();
  await page.locator('#profile-qualifications .qual-expiring').waitFor();

  const r = await s.req('GET', `${API}/providers/${DEMO.provider}/profile`, { token: s.tokens.filer });
  const q = r.body.profile.qualifications[0];
  assert.equal(q.certificate_number, 'CSA-2024-001');
  assert.equal(q.valid_until, soon);
  assert.ok(Number.isInteger(q.certificate_material_id));
  assert.deepEqual(r.body.profile.platforms[0], { name: '天翼云公有云平台（华北）', mlps_level: 3, service_models: ['iaas', 'paas'] });
  assert.equal(r.body.profile.data_centers[0].role, 'primary');
  await shot(page, 'provider-profile', { fullPage: true });

  // others read it without editing it
  const filer = await as('filer');
  await filer.goto(`/provider?org=${DEMO.provider}`);
  await filer.locator('#profile-readonly').waitFor();
  await filer.locator('#profile-platforms td', { hasText: '天翼云公有云平台（华北）' }).waitFor();
  assert.equal(await filer.locator('#profile-save').count(), 0);
  await filer.locator('#expiring-list li[data-cert="CSA-2024-001"]').waitFor();

  // a reload shows what was saved
  await page.reload();
  assert.equal(await byId(page, 'p:platforms:0:name').inputValue(), '天翼云公有云平台（华北）');
  assert.equal(await byId(page, 'p:qualifications:0:valid_until').inputValue(), soon);
});
