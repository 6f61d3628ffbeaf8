// overrides.test.mjs — override requests (issue 3): a filer asks, with a reason and a material,
// that the errors of an overridable rule (the USCC check character) be waved through; the open
// request lets the filing leave the house; approval waits for the reviewer's decision; an accepted
// override turns the error into a warning visible to everyone who sees the filing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, DEMO_MATERIALS } from './lib.mjs';
import { API, act, actOk, createSystem, createFiling, newSystem, putDocument, getFiling, referenceDoc, errorsOf, loginAll } from './story.mjs';

let s, sys;
before(async () => {
  s = await Server.start();
  await loginAll(s, Object.keys(s.logins));
  sys = await createSystem(s, 'filer', '豁免测试系统');
});
after(async () => { await s.stop(); });

// A complete draft whose USCC fails only its check character (real codes like this exist).
async function badCheckCharDraft() {
  const doc = referenceDoc();
  doc.subject.uscc = '91110000600037341M';   // the check character should be L
  const f = await createFiling(s, await newSystem(s));
  const saved = await putDocument(s, f.id, doc, f.etag);
  assert.deepEqual(errorsOf(saved.findings).map((x) => x.rule), ['SUBJ-002']);
  return f.id;
}

const ask = (id, body, login = 'filer') => s.req('POST', `${API}/filings/${id}/overrides`, { token: s.tokens[login], body });
const decide = (id, oid, body, login = 'reviewer') =>
  s.req('POST', `${API}/filings/${id}/overrides/${oid}/decision`, { token: s.tokens[login], body });

async function toUnderReview(id) {
  await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
  await actOk(s, 'checker', id, 'approve_check', undefined, 'provider_confirmation');
  await actOk(s, 'provider', id, 'confirm_hosting', undefined, 'submitted');
  await actOk(s, 'reviewer', id, 'accept', undefined, 'under_review');
}

test('an accepted override: the request unblocks submission, approval waits for the decision', async () => {
  const id = await badCheckCharDraft();
  const blocked = await act(s, 'filer', id, 'submit_for_check');
  assert.equal(blocked.status, 422);
  assert.ok(blocked.body.findings.some((x) => x.rule === 'SUBJ-002'));

  // what cannot be asked
  assert.equal((await ask(id, { rule: 'FORM-REQUIRED', reason: 'x', material_id: DEMO_MATERIALS.business_licence })).status, 422);
  assert.equal((await ask(id, { rule: 'AGR-005', reason: 'x', material_id: DEMO_MATERIALS.business_licence })).status, 422,
    'a rule that is not overridable');
  const noMaterial = await ask(id, { rule: 'SUBJ-002', reason: '营业执照上的代码即为此码' });
  assert.equal(noMaterial.status, 422);
  assert.equal(noMaterial.body.field, '/material_id');
  assert.equal((await ask(id, { rule: 'SUBJ-002', reason: 'x', material_id: 999 })).status, 422, 'an unknown material');
  assert.equal((await ask(id, { rule: 'SUBJ-002', reason: 'x', material_id: 1 }, 'checker')).status, 403);

  const asked = await ask(id, { rule: 'SUBJ-002', reason: '营业执照上的代码即为此码', material_id: DEMO_MATERIALS.business_licence });
  assert.equal(asked.status, 201, asked.text);
  assert.equal(asked.body.items.length, 1);
  const oid = asked.body.items[0].id;
  assert.equal(asked.body.items[0].state, 'requested');
  assert.equal((await ask(id, { rule: 'SUBJ-002', reason: 'again', material_id: 1 })).status, 409);

  await toUnderReview(id);
  // the provider and the authority see the request with the filing
  for (const login of ['provider', 'reviewer']) {
    const seen = await s.req('GET', `${API}/filings/${id}/overrides`, { token: s.tokens[login] });
    assert.equal(seen.status, 200);
    assert.equal(seen.body.items[0].rule, 'SUBJ-002');
  }
  const early = await act(s, 'reviewer', id, 'approve');
  assert.equal(early.status, 409, 'approval waits for the decision');
  assert.equal(early.body.rule, 'overrides_decided');
  assert.equal((await decide(id, oid, { accept: true }, 'filer')).status, 403);
  assert.equal((await decide(id, oid, { accept: 'yes' })).status, 422);

  const ok = await decide(id, oid, { accept: true, comment: '已核对营业执照' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.items[0].state, 'accepted');
  assert.equal((await decide(id, oid, { accept: false })).status, 409, 'decided once');
  const f = await getFiling(s, 'reviewer', id);
  const finding = f.findings.find((x) => x.rule === 'SUBJ-002');
  assert.equal(finding.severity, 'warning');
  assert.equal(finding.overridden, true);
  assert.deepEqual(errorsOf(f.findings), []);
  const filed = await actOk(s, 'reviewer', id, 'approve', undefined, 'filed');
  assert.match(filed.filing.number, /^110000-/);
  const events = (await s.req('GET', `${API}/filings/${id}/events`, { token: s.tokens.filer })).body.items.map((x) => x.action);
  assert.ok(events.includes('override.request') && events.includes('override.accept'));
});

test('a refused override leaves the error; nobody outside sees the requests', async () => {
  const id = await badCheckCharDraft();
  const asked = await ask(id, { rule: 'SUBJ-002', reason: '理由', material_id: DEMO_MATERIALS.business_licence });
  const oid = asked.body.items[0].id;
  assert.equal((await s.req('GET', `${API}/filings/${id}/overrides`, { token: s.tokens.provider })).status, 404);
  assert.equal((await decide(id, oid, { accept: false })).status, 404, 'the authority does not see a draft');
  await toUnderReview(id);
  const no = await decide(id, oid, { accept: false, comment: '请更正统一社会信用代码' });
  assert.equal(no.status, 200, no.text);
  assert.equal(no.body.items[0].state, 'refused');
  const f = await getFiling(s, 'reviewer', id);
  assert.deepEqual(errorsOf(f.findings).map((x) => x.rule), ['SUBJ-002']);
});
