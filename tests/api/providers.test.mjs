// providers.test.mjs — the cloud-provider registry: profiles (who may keep them, what is checked),
// qualification expiry as of a day (list and findings), confirm_hosting checking the platform and
// data centres against the provider's own, evaluation scorecards, and the authority's directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';
import { assertProblem } from './helpers-io.mjs';
import { API, DEMO, act, actOk, completeDraft, createSystem, driveTo, errorsOf, foreignParties, getFiling, loginAll, patchDocument, PLATFORM, DCS, QUAL } from './story.mjs';

let s;
const PROV = DEMO.provider;
const profilePath = (id = PROV) => `${API}/providers/${id}/profile`;
const req = (login, method, path, opts) => s.req(method, path, { token: s.tokens[login], ...opts });


before(async () => {
  s = await Server.start();
  await loginAll(s, ['admin', 'filer', 'checker', 'provider', 'provadmin', 'reviewer', 'entadmin']);
});
after(async () => { await s?.stop(); });

test('a provider without a profile has an empty one; a non-provider has none (404)', async () => {
  const r = await req('filer', 'GET', profilePath());
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.org_id, PROV);
  assert.equal(r.body.revision, 0);
  assert.deepEqual(r.body.profile, { qualifications: [], platforms: [], data_centers: [] });
  assertProblem(await req('filer', 'GET', profilePath(DEMO.enterprise)), 404, 'not_found');
  assertProblem(await req('filer', 'GET', profilePath(999999)), 404, 'not_found');
  assertProblem(await s.req('GET', profilePath()), 401);
});

test('the provider keeps its profile; others may read it but not write it; bad input is 422 with the field', async () => {
  const parties = await foreignParties(s);
  await loginAll(s, parties.logins);
  const body = { qualifications: [QUAL()], platforms: [PLATFORM], data_centers: DCS };
  const put = await req('provider', 'PUT', profilePath(), { body });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.revision, 1);
  assert.equal(put.body.profile.platforms[0].name, PLATFORM.name);
  assert.equal(put.body.profile.qualifications[0].state, 'valid');
  const again = await req('provadmin', 'PUT', profilePath(), { body });
  assert.equal(again.body.revision, 2, 'the org_admin may too; each PUT is a revision');
  for (const login of ['filer', 'reviewer', 'provider2']) assertProblem(await req(login, 'PUT', profilePath(), { body }), 403, 'forbidden');
  for (const login of ['filer', 'reviewer', 'provider2', 'filer2']) {
    const r = await req(login, 'GET', profilePath());
    assert.equal(r.status, 200, `${login} reads the profile`);
    assert.equal(r.body.profile.data_centers.length, 2);
  }
  const bad = [
    [{ qualifications: [QUAL({ valid_from: '2024-02-30' })] }, '/qualifications/0/valid_from'],
    [{ qualifications: [QUAL({ valid_until: '2023-12-31' })] }, '/qualifications/0/valid_until'],
    [{ qualifications: [QUAL({ scheme: undefined })] }, '/qualifications/0/scheme'],
    [{ platforms: [{ ...PLATFORM, mlps_level: 5 }] }, '/platforms/0/mlps_level'],
    [{ platforms: [{ ...PLATFORM, service_models: ['faas'] }] }, '/platforms/0/service_models'],
    [{ platforms: [{ ...PLATFORM, filing_certificate_number: '123' }] }, '/platforms/0/filing_certificate_number'],
    [{ platforms: [PLATFORM, PLATFORM] }, '/platforms/1/name'],
    [{ data_centers: [{ ...DCS[0], country: 'china' }] }, '/data_centers/0/country'],
    [{ data_centers: [{ ...DCS[0], role: 'main' }] }, '/data_centers/0/role'],
    [{ data_centers: [{ ...DCS[0], region_code: '11' }] }, '/data_centers/0/region_code'],
    [{ unknown: [] }, '/unknown'],
    [{ qualifications: Array.from({ length: 51 }, () => QUAL()) }, '/qualifications'],
  ];
  for (const [b, field] of bad) {
    const r = await req('provider', 'PUT', profilePath(), { body: b });
    assert.equal(assertProblem(r, 422, 'validation_failed').field, field, JSON.stringify(b).slice(0, 80));
  }
  assert.equal((await req('provider', 'GET', profilePath())).body.revision, 2, 'nothing refused was kept');
});

test('a qualification certificate is one of the provider\'s own materials, and then anyone signed in may read it', async () => {
  const up = await s.req('POST', `${API}/materials?kind=provider_qualification&title=${encodeURIComponent('安全评估证书')}`,
    { token: s.tokens.provider, raw: Buffer.from('%PDF-1.7\ncertificate\n'), contentType: 'application/pdf' });
  assert.equal(up.status, 201, up.text);
  const foreign = await s.req('POST', `${API}/materials?kind=other&title=x`,
    { token: s.tokens.filer, raw: Buffer.from('%PDF-1.7\nnot theirs\n'), contentType: 'application/pdf' });
  const r = await req('provider', 'PUT', profilePath(), { body: { qualifications: [QUAL({ certificate_material_id: foreign.body.id })], platforms: [PLATFORM], data_centers: DCS } });
  assert.equal(assertProblem(r, 422).field, '/qualifications/0/certificate_material_id');
  assert.equal((await req('reviewer', 'GET', `${API}/materials/${up.body.id}`)).status, 404, 'not published yet');
  const ok = await req('provider', 'PUT', profilePath(), { body: { qualifications: [QUAL({ certificate_material_id: up.body.id })], platforms: [PLATFORM], data_centers: DCS } });
  assert.equal(ok.status, 200, ok.text);
  for (const login of ['reviewer', 'filer', 'provider2']) assert.equal((await req(login, 'GET', `${API}/materials/${up.body.id}/content`)).status, 200, login);
});

test('expiry as of a day: what expires within 60 days is a warning, what has expired an error', async () => {
  const body = {
    qualifications: [
      QUAL({ certificate_number: 'LONG', valid_until: '2031-12-31' }),
      QUAL({ scheme: 'ISO/IEC 27001', certificate_number: 'SOON', valid_until: '2030-02-15' }),
      QUAL({ scheme: '等级保护测评', certificate_number: 'GONE', valid_until: '2029-12-31' }),
      QUAL({ scheme: '未来资质', certificate_number: 'LATER', valid_from: '2030-06-01', valid_until: '2033-01-01' }),
    ],
    platforms: [PLATFORM],
    data_centers: DCS,
  };
  assert.equal((await req('provider', 'PUT', profilePath(), { body })).status, 200);
  const r = await req('filer', 'GET', `${API}/providers/${PROV}/expiring?as_of=2030-01-10`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.as_of, '2030-01-10');
  assert.deepEqual(r.body.items.map((x) => [x.certificate_number, x.state, x.days_left]), [['SOON', 'expiring', 36], ['GONE', 'expired', -10]]);
  const rules = r.body.findings.map((f) => [f.rule, f.severity, f.path]);
  assert.deepEqual(rules, [
    ['PROVIDER-QUALIFICATION-EXPIRING', 'warning', '/provider/provider_org'],
    ['PROVIDER-QUALIFICATION-EXPIRED', 'error', '/provider/provider_org'],
  ]);
  for (const f of r.body.findings) {
    assert.ok(f.message.zh && f.message.en && f.source, 'the shape of the policy findings');
  }
  assert.match(r.body.findings[1].message.en, /GONE.*expired on 2029-12-31/);
  const early = await req('provider', 'GET', `${API}/providers/${PROV}/expiring?as_of=2025-01-01`);
  assert.deepEqual(early.body.items, [], 'nothing expires soon in 2025');
  assert.deepEqual(early.body.findings, []);
  const edge = await req('provider', 'GET', `${API}/providers/${PROV}/expiring?as_of=2029-12-17`);
  assert.deepEqual(edge.body.items.map((x) => x.certificate_number), ['SOON', 'GONE'], '60 days before is expiring');
  assertProblem(await req('filer', 'GET', `${API}/providers/${PROV}/expiring?as_of=2030-13-01`), 400);
  assertProblem(await req('filer', 'GET', `${API}/providers/${DEMO.enterprise}/expiring`), 404);
  const profile = await req('filer', 'GET', profilePath());
  assert.equal(profile.body.profile.qualifications[3].state, 'not_yet_valid', 'states on a profile are as of today');
});

test('confirm_hosting checks that the platform and data centres named are the provider\'s own', async () => {
  // a profile that lacks the platform the reference document names
  const other = { ...PLATFORM, name: '另一个云平台' };
  assert.equal((await req('provider', 'PUT', profilePath(), { body: { qualifications: [QUAL()], platforms: [other], data_centers: DCS } })).status, 200);
  const sys = await createSystem(s, 'filer', '托管核对系统');
  const id = await completeDraft(s, sys);
  await driveTo(s, id, 'provider_confirmation');
  const refused = await act(s, 'provider', id, 'confirm_hosting');
  assert.equal(assertProblem(refused, 422, 'validation_failed').field, '/provider/platform_name');
  assert.equal(refused.body.rule, 'provider_registry_mismatch');

  // the platform is there but one data centre is not
  assert.equal((await req('provider', 'PUT', profilePath(), { body: { qualifications: [QUAL()], platforms: [PLATFORM], data_centers: [DCS[0]] } })).status, 200);
  assert.equal(assertProblem(await act(s, 'provider', id, 'confirm_hosting'), 422).field, '/provider/data_centers/1/name');
  // a data centre registered in another country
  assert.equal((await req('provider', 'PUT', profilePath(), { body: { qualifications: [QUAL()], platforms: [PLATFORM], data_centers: [DCS[0], { ...DCS[1], country: 'SG', region_code: undefined }] } })).status, 200);
  assert.equal(assertProblem(await act(s, 'provider', id, 'confirm_hosting'), 422).field, '/provider/data_centers/1/country');

  assert.equal((await req('provider', 'PUT', profilePath(), { body: { qualifications: [QUAL()], platforms: [PLATFORM], data_centers: DCS } })).status, 200);
  await actOk(s, 'provider', id, 'confirm_hosting', undefined, 'submitted');
});

test('confirm_hosting checks the platform\'s level, filing number and service models, and each data centre\'s region and role', async () => {
  // the audit's repro: names and country agree, everything else differs from the reference document
  const sys = await createSystem(s, 'filer', '托管明细核对系统');
  const id = await completeDraft(s, sys);
  await driveTo(s, id, 'provider_confirmation');
  const wrong = { qualifications: [QUAL()], platforms: [{ ...PLATFORM, mlps_level: 2, filing_certificate_number: '99999999999-99999', service_models: ['saas'] }],
    data_centers: [{ ...DCS[0], region_code: '440300', role: 'backup' }, DCS[1]] };
  assert.equal((await req('provider', 'PUT', profilePath(), { body: wrong })).status, 200);
  const refused = await act(s, 'provider', id, 'confirm_hosting');
  assert.equal(assertProblem(refused, 422, 'validation_failed').field, '/provider/platform_level');
  assert.equal(refused.body.rule, 'provider_registry_mismatch');
  // one difference at a time: the field, and both values in English and Chinese
  const cases = [
    [{ platforms: [{ ...PLATFORM, mlps_level: 2 }] }, '/provider/platform_level', ['2', '3']],
    [{ platforms: [{ ...PLATFORM, filing_certificate_number: '99999999999-99999' }] }, '/provider/platform_filing_number', ['99999999999-99999', '11010513001-00001']],
    [{ platforms: [{ ...PLATFORM, filing_certificate_number: undefined }] }, '/provider/platform_filing_number', ['11010513001-00001']],
    [{ platforms: [{ ...PLATFORM, service_models: ['saas'] }] }, '/provider/service_models/0', ['iaas', 'saas']],
    [{ platforms: [{ ...PLATFORM, service_models: ['iaas', 'saas'] }] }, '/provider/service_models/1', ['paas', 'iaas, saas']],
    [{ data_centers: [{ ...DCS[0], region_code: '440300' }, DCS[1]] }, '/provider/data_centers/0/region_code', ['440300', '110115']],
    [{ data_centers: [DCS[0], { ...DCS[1], region_code: undefined }] }, '/provider/data_centers/1/region_code', ['310115']],
    [{ data_centers: [{ ...DCS[0], role: 'backup' }, DCS[1]] }, '/provider/data_centers/0/role', ['backup', 'primary']],
  ];
  for (const [over, field, values] of cases) {
    assert.equal((await req('provider', 'PUT', profilePath(), { body: { qualifications: [QUAL()], platforms: [PLATFORM], data_centers: DCS, ...over } })).status, 200);
    const r = await act(s, 'provider', id, 'confirm_hosting');
    assert.equal(assertProblem(r, 422, 'validation_failed').field, field, JSON.stringify(over));
    assert.equal(r.body.rule, 'provider_registry_mismatch');
    for (const v of values) {
      assert.ok(r.body.detail_en.includes(v), `${field}: the English detail names ${v}: ${r.body.detail_en}`);
      assert.ok(r.body.detail_zh.includes(v), `${field}: the Chinese detail names ${v}: ${r.body.detail_zh}`);
    }
  }
  assert.equal((await getFiling(s, 'filer', id)).state, 'provider_confirmation', 'nothing refused moved the filing');
  // the filing's service models are a subset of the platform's
  const wider = { ...PLATFORM, service_models: ['iaas', 'paas', 'saas'] };
  assert.equal((await req('provider', 'PUT', profilePath(), { body: { qualifications: [QUAL()], platforms: [wider], data_centers: DCS } })).status, 200);
  await actOk(s, 'provider', id, 'confirm_hosting', undefined, 'submitted');
  assert.equal((await req('provider', 'PUT', profilePath(), { body: { qualifications: [QUAL()], platforms: [PLATFORM], data_centers: DCS } })).status, 200);
});

test('a qualification\'s certificate is the provider\'s own material of kind provider_qualification', async () => {
  const own = await s.req('POST', `${API}/materials?kind=other&title=${encodeURIComponent('宣传册')}`,
    { token: s.tokens.provider, raw: Buffer.from('%PDF-1.7\nbrochure\n'), contentType: 'application/pdf' });
  assert.equal(own.status, 201, own.text);
  const before = (await req('provider', 'GET', profilePath())).body.revision;
  const r = await req('provider', 'PUT', profilePath(), { body: { qualifications: [QUAL({ certificate_material_id: own.body.id })], platforms: [PLATFORM], data_centers: DCS } });
  assert.equal(assertProblem(r, 422, 'validation_failed').field, '/qualifications/0/certificate_material_id');
  assert.match(r.body.detail_en, /provider_qualification/);
  assert.match(r.body.detail_zh, /云服务商资质/);
  assert.equal((await req('provider', 'GET', profilePath())).body.revision, before, 'nothing refused was kept');
});

const CRITERIA = ['reputation', 'technical_strength', 'security_management', 'compliance', 'service_level', 'exit_and_data_return'];
// a day n days before today (UTC), so the one-year checks do not age with the calendar
const daysAgo = (n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
const scorecard = (scores, weights = [20, 20, 20, 20, 10, 10]) => ({
  evaluated_on: daysAgo(30),
  criteria: CRITERIA.map((key, i) => ({ key, weight: weights[i], score: scores[i], evidence: `${key} 的依据：年度报告第${i + 1}章` })),
  notes: '年度评估',
});

test('an enterprise scores a provider against the criteria; the scorecard is kept with its date', async () => {
  const r = await req('filer', 'POST', `${API}/providers/${PROV}/evaluations`, { body: scorecard([90, 80, 70, 60, 100, 50]) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.evaluated_on, daysAgo(30));
  assert.equal(r.body.score, 75, '(90+80+70+60)*0.2 + (100+50)*0.1');
  assert.equal(r.body.scorecard.criteria.length, 6);
  const list = await req('entadmin', 'GET', `${API}/providers/${PROV}/evaluations`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((x) => [x.id, x.evaluated_on, x.score]), [[r.body.id, daysAgo(30), 75]]);
  assert.equal(list.body.items[0].scorecard.notes, '年度评估');
  assert.deepEqual((await req('filer2', 'GET', `${API}/providers/${PROV}/evaluations`)).body.items, [], 'another enterprise sees only its own');
  assert.deepEqual((await req('provider', 'GET', `${API}/providers/${PROV}/evaluations`)).body.items, [], 'the provider does not see enterprises\' evaluations');
  assert.equal((await req('admin', 'GET', `${API}/providers/${PROV}/evaluations`)).body.items.length, 1);

  assertProblem(await req('provider', 'POST', `${API}/providers/${PROV}/evaluations`, { body: scorecard([1, 1, 1, 1, 1, 1]) }), 403);
  assertProblem(await req('filer', 'POST', `${API}/providers/${DEMO.enterprise}/evaluations`, { body: scorecard([1, 1, 1, 1, 1, 1]) }), 404);
  const missing = scorecard([1, 1, 1, 1, 1, 1]);
  missing.criteria.pop();
  assert.equal(assertProblem(await req('filer', 'POST', `${API}/providers/${PROV}/evaluations`, { body: missing }), 422).field, '/criteria');
  const twice = scorecard([1, 1, 1, 1, 1, 1]);
  twice.criteria[5].key = 'reputation';
  assert.equal(assertProblem(await req('filer', 'POST', `${API}/providers/${PROV}/evaluations`, { body: twice }), 422).field, '/criteria/5/key');
  assert.equal(assertProblem(await req('filer', 'POST', `${API}/providers/${PROV}/evaluations`, { body: scorecard([101, 1, 1, 1, 1, 1]) }), 422).field, '/criteria/0/score');
  assert.equal(assertProblem(await req('filer', 'POST', `${API}/providers/${PROV}/evaluations`, { body: scorecard([1, 1, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1]) }), 422).field, '/criteria/0/weight');
  assert.equal(assertProblem(await req('filer', 'POST', `${API}/providers/${PROV}/evaluations`, { body: { ...scorecard([1, 1, 1, 1, 1, 1]), evaluated_on: '2999-01-01' } }), 422).field, '/evaluated_on');
});

test('the directory lists providers with platforms and qualification states; the authority sees its filed systems per provider', async () => {
  const sys = await createSystem(s, 'filer', '目录统计系统');
  const id = await completeDraft(s, sys);
  await driveTo(s, id, 'filed');
  const r = await req('reviewer', 'GET', `${API}/providers`);
  assert.equal(r.status, 200, r.text);
  const demo = r.body.items.find((x) => x.org_id === PROV);
  assert.ok(demo, 'the demo provider is listed');
  assert.equal(demo.platforms[0].name, PLATFORM.name);
  assert.equal(demo.qualification_state, 'valid');
  assert.equal(demo.filed_systems, 1, 'one filed system in the reviewer\'s jurisdiction');
  const other = r.body.items.find((x) => x.org_id !== PROV);
  assert.equal(other.qualification_state, 'none');
  assert.equal(other.filed_systems, 0);
  const guangdong = await req('reviewer2', 'GET', `${API}/providers`);
  assert.equal(guangdong.body.items.find((x) => x.org_id === PROV).filed_systems, 0, 'not in Guangdong\'s jurisdiction');
  const ent = await req('filer', 'GET', `${API}/providers`);
  assert.equal(ent.status, 200);
  assert.ok(!('filed_systems' in ent.body.items[0]), 'counts are for authorities');
});

test('a filing whose provider the enterprise has not evaluated within the pack\'s period gets a warning', async () => {
  // the second enterprise (created by the first test of this file) has never evaluated the demo provider
  const filer2 = 'filer2';
  assert.ok(s.tokens[filer2], 'filer2 signed in by an earlier test');
  const sys = await createSystem(s, filer2, '评估提醒系统');
  const f = await s.req('POST', `${API}/filings`, { token: s.tokens[filer2], body: { system_id: sys } });
  const put = await s.req('PATCH', `${API}/filings/${f.body.id}/document`,
    { token: s.tokens[filer2], body: { provider: { provider_org: PROV } }, contentType: 'application/merge-patch+json' });
  assert.equal(put.status, 200, put.text);
  const warn = put.body.findings.find((x) => x.rule === 'PROVIDER-EVALUATION-MISSING');
  assert.ok(warn, 'the warning is there');
  assert.equal(warn.severity, 'warning');
  assert.equal(warn.path, '/provider/provider_org');
  assert.match(warn.message.en, /365 days/, 'the period comes from the pack (providers.json)');
  const ev = await s.req('POST', `${API}/providers/${PROV}/evaluations`, { token: s.tokens[filer2], body: scorecard([80, 80, 80, 80, 80, 80]) });
  assert.equal(ev.status, 201, ev.text);
  const again = await s.req('PATCH', `${API}/filings/${f.body.id}/document`,
    { token: s.tokens[filer2], body: { system: { name: '评估提醒系统（已评估）' } }, contentType: 'application/merge-patch+json' });
  assert.equal(again.status, 200, again.text);
  assert.ok(!again.body.findings.some((x) => x.rule === 'PROVIDER-EVALUATION-MISSING'), 'gone once evaluated');
});

test('a scorecard is attached to a filing: the enterprise\'s own of that provider, it is the one that counts, the authority sees it and the provider does not', async () => {
  const evals = `${API}/providers/${PROV}/evaluations`;
  const fresh = await req('filer', 'POST', evals, { body: scorecard([90, 85, 80, 75, 70, 65]) });
  assert.equal(fresh.status, 201, fresh.text);
  const old = await req('filer', 'POST', evals, { body: { ...scorecard([50, 50, 50, 50, 50, 50]), evaluated_on: daysAgo(400) } });
  assert.equal(old.status, 201, old.text);
  const theirs = (await req('filer2', 'GET', evals)).body.items[0];
  assert.ok(theirs, 'the second enterprise evaluated the provider in an earlier test');

  const id = await completeDraft(s, await createSystem(s, 'filer', '评估附件系统'));
  const evalFindings = (f) => f.findings.filter((x) => x.rule.startsWith('PROVIDER-EVALUATION'));
  const attach = async (value) => {
    const cur = await getFiling(s, 'filer', id);
    return patchDocument(s, id, { provider: { evaluation: value } }, cur.etag);
  };

  let f = await attach(fresh.body.id);
  assert.deepEqual(evalFindings(f), [], 'a recent scorecard of one\'s own: nothing to say');
  assert.equal(f.provider_evaluation.id, fresh.body.id);
  assert.equal(f.provider_evaluation.score, fresh.body.score);

  f = await attach(old.body.id);
  const stale = evalFindings(f);
  assert.deepEqual(stale.map((x) => [x.rule, x.severity, x.path]), [['PROVIDER-EVALUATION-STALE', 'warning', '/provider/evaluation']],
    'the attached one is the one that counts, even though a recent one exists');
  assert.match(stale[0].message.en, /more than 365 days old/);
  assert.doesNotMatch(JSON.stringify(stale[0].message), new RegExp(daysAgo(400)), 'no date: the provider sees findings too');

  for (const other of [theirs.id, 999999]) {
    f = await attach(other);
    const unknown = evalFindings(f);
    assert.deepEqual(unknown.map((x) => [x.rule, x.severity, x.path]), [['PROVIDER-EVALUATION-UNKNOWN', 'error', '/provider/evaluation']],
      `evaluation ${other} is not the enterprise's own`);
    assert.ok(!('provider_evaluation' in f), 'another enterprise\'s scorecard is never shown');
    assert.doesNotMatch(JSON.stringify(f), /年度评估/, 'nor its notes');
  }
  const cur = await getFiling(s, 'filer', id);
  const text = await s.req('PATCH', `${API}/filings/${id}/document`, {
    token: s.tokens.filer, body: { provider: { evaluation: '最新的评估' } }, contentType: 'application/merge-patch+json', headers: { 'If-Match': cur.etag },
  });
  // a draft always saves: a text where an evaluation id goes is an error at the field
  assert.equal(text.status, 200, text.text);
  assert.ok(text.body.findings.some((x) => x.rule === 'FORM-TYPE' && x.path === '/provider/evaluation' && x.severity === 'error'),
    'a text is not an evaluation id');

  f = await attach(fresh.body.id);
  assert.deepEqual(errorsOf(f.findings), []);
  await driveTo(s, id, 'under_review');
  const seen = await getFiling(s, 'reviewer', id);
  assert.equal(seen.provider_evaluation.id, fresh.body.id, 'the reviewing authority sees the scorecard');
  assert.equal(seen.provider_evaluation.scorecard.criteria.length, 6);
  assert.equal(seen.provider_evaluation.evaluated_on, daysAgo(30));
  const prov = await getFiling(s, 'provider', id);
  assert.ok(!('provider_evaluation' in prov), 'the provider does not see how it was judged');
  const v1 = await req('filer', 'GET', `${API}/filings/${id}/versions/1`);
  assert.equal(v1.status, 200, v1.text);
  assert.equal(v1.body.document.provider.evaluation, fresh.body.id, 'the frozen version keeps the scorecard it was submitted with');
});
