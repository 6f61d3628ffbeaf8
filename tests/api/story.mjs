// story.mjs — shared helpers of the workflow tests (lifecycle, matrix, crash): the reference
// document, filings driven to a given state, foreign organisations, GB 32100 check characters.
// Every helper asserts the replies it depends on, so a broken step fails where it happens.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Server, DEMO_MATERIALS } from './lib.mjs';

export const API = '/api/v1';

// Demo organisation ids created by `beian init --demo`.
export const DEMO = { platform: 1, enterprise: 2, provider: 3, authority: 4, jurisdiction: '110000' };

const REF_PATH = new URL('../../policy/cn-cloud/fixtures/reference.json', import.meta.url);

// A fresh copy of the complete reference document, naming the demo provider (or `provider`).
// Its material fields name the demo enterprise's materials of a fresh test server (DEMO_MATERIALS),
// including the change description a change filing needs, so that its change filings are complete too.
// It attaches no provider evaluation (a test server has none until a test makes one).
// `materials` maps the kinds to another organisation's material ids.
export function referenceDoc(provider = DEMO.provider, materials = DEMO_MATERIALS) {
  const doc = JSON.parse(readFileSync(REF_PATH, 'utf8'));
  doc.provider.provider_org = provider;
  delete doc.provider.evaluation;
  const m = materials;
  doc.system.architecture_diagram = m.architecture_diagram;
  doc.system.data_flow_diagram = m.data_flow_diagram;
  doc.agreement.agreement_document = m.service_agreement;
  doc.emergency.plan_document = m.emergency_plan;
  // each required material in its own field (issue 16)
  doc.subject.business_licence = m.business_licence;
  doc.system.change_description = m.change_description;
  doc.grading.grading_report = m.grading_report;
  doc.grading.expert_review.opinion = m.expert_review_opinion;
  doc.compliance.risk_assessment_report = m.risk_assessment_report;
  doc.compliance.cross_border.document = m.cross_border_document;
  doc.operations.vuln_scan.report = m.vuln_scan_report;
  doc.data_security.pia_report = m.pia_report;
  doc.compliance.compliance_statement = m.compliance_statement;
  doc.compliance.industry_materials = [m.test_report];
  return doc;
}

// The demo provider's registry entry as the reference document names it: its platform, its data
// centres, and a qualification (valid 2024–2030 unless `over` says otherwise).
export const PLATFORM = { name: '天翼云公有云平台（华北）', mlps_level: 3, filing_certificate_number: '11010513001-00001', service_models: ['iaas', 'paas'] };
export const DCS = [
  { name: '北京亦庄数据中心', region_code: '110115', country: 'CN', role: 'primary', physical_security: '门禁、视频监控、7×24值守' },
  { name: '上海外高桥数据中心', region_code: '310115', country: 'CN', role: 'backup' },
];
export const QUAL = (over = {}) => ({
  scheme: '云计算服务安全评估', certificate_number: 'CSA-2024-001', issuer: '中央网信办', valid_from: '2024-01-01', valid_until: '2030-12-31', ...over,
});

// The findings of a given severity.
export function errorsOf(findings) { return findings.filter((f) => f.severity === 'error'); }

// The states of the happy path, in order, and the action (and its actor) that leaves each.
export const PATH = ['draft', 'internal_check', 'provider_confirmation', 'submitted', 'under_review', 'filed'];
const STEP = {
  draft: ['filer', 'submit_for_check', undefined],
  internal_check: ['checker', 'approve_check', undefined],
  provider_confirmation: ['provider', 'confirm_hosting', undefined],
  submitted: ['reviewer', 'accept', undefined],
};

export const RECTIFICATION_ITEMS = [{ path: '/system/description', message: '请具体说明系统的服务对象和业务范围' }];

// Sign all logins in, in parallel (Argon2 is the slow part; the server has 4 threads).
export async function loginAll(s, logins) {
  await Promise.all(logins.map((l) => s.login(l)));
}

// One action; returns the raw reply.
export function act(s, login, id, action, body) {
  return s.req('POST', `${API}/filings/${id}/actions/${action}`, { token: s.tokens[login], body });
}

// One action that must succeed; returns the filing after it.
export async function actOk(s, login, id, action, body, expectState) {
  const r = await act(s, login, id, action, body);
  assert.equal(r.status, 200, `${login} ${action} on filing ${id}: ${r.status} ${r.text}`);
  assert.equal(r.body.filing.id, id);
  if (expectState) assert.equal(r.body.filing.state, expectState, `${action} leads to ${expectState}`);
  return r.body;
}

export async function getFiling(s, login, id) {
  const r = await s.req('GET', `${API}/filings/${id}`, { token: s.tokens[login] });
  assert.equal(r.status, 200, `GET filing ${id} as ${login}: ${r.status} ${r.text}`);
  return r.body;
}

export async function createSystem(s, login = 'filer', name = '智能客服平台') {
  const r = await s.req('POST', `${API}/systems`, { token: s.tokens[login], body: { name } });
  assert.equal(r.status, 201, `create system: ${r.status} ${r.text}`);
  return r.body.id;
}

// A system of its own for a filing that will be submitted: a system has one filing under way or
// filed at a time (the workflow's system_free guard).
let systemsMade = 0;
export function newSystem(s, login = 'filer') {
  return createSystem(s, login, `测试业务系统 ${++systemsMade}-${process.pid}`);
}

// A new draft filing of `systemId`; returns the created filing (with etag).
export async function createFiling(s, systemId, login = 'filer') {
  const r = await s.req('POST', `${API}/filings`, { token: s.tokens[login], body: { system_id: systemId, kind: 'initial' } });
  assert.equal(r.status, 201, `create filing: ${r.status} ${r.text}`);
  assert.equal(r.body.state, 'draft');
  return r.body;
}

// The ETag header a filing reply carries: the filing's tag (its document revision) with a hash of
// the reply after a dot — a transition keeps the revision but changes the reply — and "-gz" when
// the reply came gzip-coded (fetch asks for gzip and decodes it). Asserts that form.
export function assertReplyTag(r) {
  const tag = r.headers.get('etag') || '';
  const gz = r.headers.get('content-encoding') === 'gzip' ? '-gz' : '';
  assert.ok(tag.startsWith(r.body.etag.slice(0, -1) + '.') && new RegExp(`\\.[0-9a-f]{16}${gz}"$`).test(tag),
    `ETag ${tag} names the filing's ${r.body.etag}${gz ? ' (gzip variant)' : ''}`);
}

// PUT a whole document with If-Match; returns the saved filing.
export async function putDocument(s, id, doc, etag, login = 'filer') {
  const r = await s.req('PUT', `${API}/filings/${id}/document`, { token: s.tokens[login], body: doc, headers: { 'If-Match': etag } });
  assert.equal(r.status, 200, `PUT document of ${id}: ${r.status} ${r.text}`);
  assertReplyTag(r);
  return r.body;
}

// A merge patch with If-Match; returns the saved filing.
export async function patchDocument(s, id, patch, etag, login = 'filer') {
  const r = await s.req('PATCH', `${API}/filings/${id}/document`, {
    token: s.tokens[login], body: patch, contentType: 'application/merge-patch+json', headers: { 'If-Match': etag },
  });
  assert.equal(r.status, 200, `PATCH document of ${id}: ${r.status} ${r.text}`);
  assertReplyTag(r);
  return r.body;
}

// A complete draft filing (reference document); returns its id.
export async function completeDraft(s, systemId, { doc = referenceDoc(), filer = 'filer' } = {}) {
  const f = await createFiling(s, systemId, filer);
  const saved = await putDocument(s, f.id, doc, f.etag, filer);
  assert.deepEqual(errorsOf(saved.findings), [], 'the reference document has no error findings');
  return f.id;
}

// Drive a filing from its current state to `target` along the happy path (rectification is
// reached from under_review). `actors` maps the demo roles to logins.
export async function driveTo(s, id, target, actors = {}) {
  const who = (login) => actors[login] || login;
  let f = await getFiling(s, who('filer'), id);
  const goal = target === 'rectification' ? 'under_review' : target;
  assert.ok(PATH.includes(goal), `driveTo: ${target} is not on the story path`);
  while (f.state !== goal) {
    const i = PATH.indexOf(f.state);
    assert.ok(i >= 0 && i < PATH.indexOf(goal), `driveTo: cannot go from ${f.state} to ${goal}`);
    if (f.state === 'under_review') {
      f = (await actOk(s, who('reviewer'), id, 'approve', undefined, 'filed')).filing;
      continue;
    }
    const [login, action, body] = STEP[f.state];
    f = (await actOk(s, who(login), id, action, body, PATH[i + 1])).filing;
  }
  if (target === 'rectification')
    f = (await actOk(s, who('reviewer'), id, 'request_rectification', { items: RECTIFICATION_ITEMS }, 'rectification')).filing;
  return f;
}

// A fresh filing of the demo enterprise in `state`; returns its id.
export async function filingIn(s, systemId, state, actors) {
  const id = await completeDraft(s, systemId);
  await driveTo(s, id, state, actors);
  return id;
}

// ---------------------------------------------------------------------------- GB 32100 USCC

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

// The check character of the first 17 characters of a unified social credit code.
export function usccCheckChar(first17) {
  assert.equal(first17.length, 17);
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARSET.indexOf(first17[i]);
    assert.ok(v >= 0, `bad USCC character ${first17[i]}`);
    sum += v * USCC_WEIGHTS[i];
  }
  const c = 31 - (sum % 31);
  return USCC_CHARSET[c === 31 ? 0 : c];
}

export function uscc(first17) { return first17 + usccCheckChar(first17); }

// ---------------------------------------------------------------------------- organisations

// Create an organisation as admin; returns it.
export async function createOrg(s, body) {
  const r = await s.req('POST', `${API}/orgs`, { token: s.tokens.admin, body });
  assert.equal(r.status, 201, `create org ${body.name}: ${r.status} ${r.text}`);
  return r.body;
}

let pwCounter = 0;
// Create a user as admin and register its password in s.logins; returns the user.
export async function createUser(s, orgId, login, roles) {
  const password = `Harbor-${++pwCounter}-quill-x9Q!`; // not containing the login (issue 12)
  const r = await s.req('POST', `${API}/users`, { token: s.tokens.admin, body: { org_id: orgId, login, roles, password } });
  assert.equal(r.status, 201, `create user ${login}: ${r.status} ${r.text}`);
  s.logins[login] = { role: roles.join(','), password };
  return r.body;
}

// A foreign enterprise (filer2, checker2), provider (provider2) and authority (reviewer2,
// authadmin2) that have nothing to do with the demo enterprise's filings. Needs admin signed in.
export async function foreignParties(s) {
  const ent = await createOrg(s, { kind: 'enterprise', name: '深圳示例网络有限公司', uscc: '91440300MA5000002N', region: '440300' });
  const prov = await createOrg(s, { kind: 'provider', name: '另一云服务有限公司', uscc: '91110108MA0000001D', region: '110108' });
  const auth = await createOrg(s, {
    kind: 'authority', name: '广东省业务系统上云备案管理部门', uscc: uscc('11440000MB0123456'), region: '440000', jurisdiction: ['440000'],
  });
  // user creation hashes passwords on the server: do it in parallel
  await Promise.all([
    createUser(s, ent.id, 'filer2', ['filer']),
    createUser(s, ent.id, 'checker2', ['checker']),
    createUser(s, prov.id, 'provider2', ['provider']),
    createUser(s, auth.id, 'reviewer2', ['reviewer']),
    createUser(s, auth.id, 'authadmin2', ['authority_admin']),
  ]);
  return { enterprise: ent, provider: prov, authority: auth, logins: ['filer2', 'checker2', 'provider2', 'reviewer2', 'authadmin2'] };
}

// An enterprise registered with a USCC whose check character fails GB 32100 as its licence bears
// it (uscc_as_on_licence), with a filer and a checker (`${tag}filer`, `${tag}checker`) signed in and
// its own materials: the case the override of SUBJ-002 exists for. Returns {org, logins, doc}: doc is
// the reference document in that organisation's name with its own materials. Needs admin signed in.
export async function licenceCodeEnterprise(s, tag = 'lc') {
  const org = await createOrg(s, {
    kind: 'enterprise', name: `北京校验码示例有限公司${tag}`, uscc: `9111000060003734${tag === 'lc' ? '1' : '2'}M`,
    region: '110105', uscc_as_on_licence: true,
  });
  const logins = [`${tag}filer`, `${tag}checker`];
  await Promise.all([createUser(s, org.id, logins[0], ['filer']), createUser(s, org.id, logins[1], ['checker'])]);
  await loginAll(s, logins);
  const ids = {};
  for (const [kind, n] of Object.entries(DEMO_MATERIALS)) {
    const title = encodeURIComponent(`演示材料 ${n}`);   // words, as Server.uploadDemoMaterials titles them
    const r = await s.req('POST', `${API}/materials?kind=${kind}&title=${title}&filename=${kind}.txt`,
      { token: s.tokens[logins[0]], raw: `${tag} ${kind}\n`, contentType: 'text/plain; charset=utf-8' });
    assert.equal(r.status, 201, `material ${kind}: ${r.status} ${r.text}`);
    ids[kind] = r.body.id;
  }
  const doc = referenceDoc(DEMO.provider, ids);
  doc.subject.name = org.name;
  doc.subject.uscc = org.uscc;
  return { org, logins, doc, materials: ids };
}

// ---------------------------------------------------------------------------- crash / restart

// SIGKILL the server and start a new one on the same data directory, keeping the tokens (sessions
// are stored, so an acknowledged login survives too). The new server owns the old one's root.
export async function killAndRestart(s) {
  await s.kill9();
  const n = new Server(s.data, s.logins);
  n.root = s.root;
  s.root = null;
  n.tokens = { ...s.tokens };
  await n.launch();
  return n;
}


export function todayUTC() { return new Date().toISOString().slice(0, 10); }

// The day n days after today (UTC; n may be negative), YYYY-MM-DD.
export function dayFromToday(n) { return new Date(Date.now() + n * 86400000).toISOString().slice(0, 10); }

// The body of report_change: the day the change takes effect (a month ahead: reported in time).
export function changeBody(days = 30) { return { effective_on: dayFromToday(days) }; }
