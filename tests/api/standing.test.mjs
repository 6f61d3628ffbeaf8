// standing.test.mjs — what stands when a decision is taken, not only when the filer last saved:
// a provider qualification that expires while the filing is with the authority blocks approval
// (and shows in the findings the reviewer reads after accepting); a system has one filing under
// way or filed at a time (a filed system changes through report_change, and a new initial filing
// of it is refused with the filing to continue); an approved change pins
// the material versions the reviewer saw, not what was uploaded since.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_MATERIALS, Server } from './lib.mjs';
import { assertProblem } from './helpers-io.mjs';
import { API, DEMO, act, actOk, changeBody, completeDraft, patchDocument, createSystem, driveTo, getFiling, loginAll, PLATFORM, DCS, QUAL } from './story.mjs';

let s;
const req = (login, method, path, opts) => s.req(method, path, { token: s.tokens[login], ...opts });

const putProfile = (qualifications) =>
  req('provider', 'PUT', `${API}/providers/${DEMO.provider}/profile`, { body: { qualifications, platforms: [PLATFORM], data_centers: DCS } });

before(async () => {
  s = await Server.start();
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer']);
  assert.equal((await putProfile([QUAL()])).status, 200);
});
after(async () => { await s?.stop(); });

test('a qualification that expires while the filing is under review blocks approval until rectified', async () => {
  const id = await completeDraft(s, await createSystem(s, 'filer', '资质过期审核系统'));
  await driveTo(s, id, 'submitted');
  // the provider's certificate lapses (as the registry now says) after the filing was submitted
  assert.equal((await putProfile([QUAL({ certificate_number: 'LAPSED', valid_from: '2020-01-01', valid_until: '2024-01-01' })])).status, 200);
  const accepted = await actOk(s, 'reviewer', id, 'accept', undefined, 'under_review');
  const expired = accepted.filing.findings.filter((f) => f.rule === 'PROVIDER-QUALIFICATION-EXPIRED');
  assert.equal(expired.length, 1, 'accepting evaluates afresh: the reviewer sees the expired qualification');
  assert.equal(expired[0].severity, 'error');
  assert.ok((await getFiling(s, 'reviewer', id)).findings.some((f) => f.rule === 'PROVIDER-QUALIFICATION-EXPIRED'), 'and it is kept');

  const refused = await act(s, 'reviewer', id, 'approve');
  assertProblem(refused, 409);
  assert.match(refused.body.detail_en, /error finding\(s\) stand.*PROVIDER-QUALIFICATION-EXPIRED.*request rectification or reject/);
  assert.match(refused.body.detail_zh, /整改/);
  assert.ok(refused.body.findings.some((f) => f.rule === 'PROVIDER-QUALIFICATION-EXPIRED'), 'the problem lists the findings');
  assert.equal((await getFiling(s, 'reviewer', id)).state, 'under_review', 'nothing changed');

  // the provider renews; the reviewer may approve
  assert.equal((await putProfile([QUAL({ certificate_number: 'RENEWED' })])).status, 200);
  const filed = await actOk(s, 'reviewer', id, 'approve', undefined, 'filed');
  assert.ok(!filed.filing.findings.some((f) => f.severity === 'error'), 'approved with nothing standing');
  assert.match(filed.filing.number, /\S/);
});

test('a system has one filing under way or filed: a second one waits as a draft, a filed system changes by report_change', async () => {
  const sys = await createSystem(s, 'filer', '单一备案系统');
  const first = await completeDraft(s, sys);
  const second = await completeDraft(s, sys);   // drafts are the filer's own: two may exist
  await actOk(s, 'filer', first, 'submit_for_check', undefined, 'internal_check');
  const busy = await act(s, 'filer', second, 'submit_for_check');
  assertProblem(busy, 409);
  assert.equal(busy.body.rule, 'system_free');
  assert.equal(busy.body.filing_id, first);
  assert.match(busy.body.detail_en, new RegExp(`filing ${first} of this system is already under way \\(internal_check\\)`));

  const filed = await driveTo(s, first, 'filed');
  const again = await act(s, 'filer', second, 'submit_for_check');
  assertProblem(again, 409);
  assert.match(again.body.detail_en, new RegExp(`already filed \\(number ${filed.number}\\): report a change`));
  assert.match(again.body.detail_zh, /报告变更/);

  // once the record is cancelled, the system is free for a new initial filing
  await actOk(s, 'filer', first, 'cancel', { reason: '系统迁移，重新备案' }, 'cancelled');
  await actOk(s, 'filer', second, 'submit_for_check', undefined, 'internal_check');
});

test('a new initial filing of a system under way or filed is refused (409) and names the filing to continue', async () => {
  const sys = await createSystem(s, 'filer', '重复新建备案系统');
  const first = await completeDraft(s, sys);
  const newOne = () => req('filer', 'POST', `${API}/filings`, { body: { system_id: sys, kind: 'initial' } });
  const draft = await newOne();   // a second draft beside a draft is the filer's own business
  assert.equal(draft.status, 201, draft.text);

  await actOk(s, 'filer', first, 'submit_for_check', undefined, 'internal_check');
  const busy = await newOne();
  assertProblem(busy, 409);
  assert.equal(busy.body.filing_id, first);
  assert.equal(busy.body.state, 'internal_check');
  assert.equal(busy.body.reason, 'system_filing_open');
  assert.match(busy.body.detail_zh, /继续办理/);

  const filed = await driveTo(s, first, 'filed');
  const again = await newOne();
  assertProblem(again, 409);
  assert.equal(again.body.filing_id, first);
  assert.equal(again.body.number, filed.number);
  assert.equal(again.body.reason, 'system_filed');
  assert.match(again.body.detail_en, /already filed .*report a change/);

  // once the record is cancelled, a new initial filing may start
  await actOk(s, 'filer', first, 'cancel', { reason: '系统下线后重新上线' }, 'cancelled');
  assert.equal((await newOne()).status, 201);
});

test('an approved change pins the material versions the reviewer saw, not a version uploaded during the review', async () => {
  const id = await completeDraft(s, await createSystem(s, 'filer', '变更材料版本系统'));
  await driveTo(s, id, 'filed');
  const reported = await actOk(s, 'filer', id, 'report_change', changeBody());
  const change = reported.change_filing.id;
  // a major change (the user scale past a million), so that the authority reviews it in full
  await patchDocument(s, change, { system: { user_scale: 1200000 } }, reported.change_filing.etag);
  await driveTo(s, change, 'under_review');
  const plan = DEMO_MATERIALS.emergency_plan;
  const seen = (await req('reviewer', 'GET', `${API}/filings/${change}/versions/1/materials`)).body.items.find((p) => p.material_id === plan);
  assert.ok(seen, 'the change filing pinned the plan when it was submitted');

  // while the authority reviews, the enterprise uploads a new version of the plan
  const v2 = await req('filer', 'POST', `${API}/materials/${plan}/versions?filename=plan-v2.txt`,
    { raw: '应急预案 第二版（未经审核）\n', contentType: 'text/plain; charset=utf-8' });
  assert.equal(v2.status, 201, v2.text);
  assert.equal(v2.body.version, seen.material_version + 1);

  await actOk(s, 'reviewer', change, 'approve', undefined, 'filed');
  const record = await getFiling(s, 'filer', id);
  const pins = (await req('filer', 'GET', `${API}/filings/${id}/versions/${record.current_version}/materials`)).body.items;
  const pinned = pins.find((p) => p.material_id === plan);
  assert.deepEqual(pinned, seen, 'the record version pins what the reviewer saw');
});
