// overrides.test.mjs — override requests (issue 3): a filer asks, with a reason and a material,
// that the errors of an overridable rule (the USCC check character) be waved through; the open
// request lets the filing leave the house; approval waits for the reviewer's decision; an accepted
// override turns the error into a warning visible to everyone who sees the filing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';
import { API, act, actOk, createSystem, createFiling, putDocument, getFiling, errorsOf, loginAll, licenceCodeEnterprise } from './story.mjs';

// The enterprise whose registered USCC fails only its check character, as its licence bears it
// (real codes like this exist): its filer is `lcfiler`, its business licence lc.materials.business_licence.
let s, lc, licence;
before(async () => {
  s = await Server.start();
  await loginAll(s, Object.keys(s.logins));
  lc = await licenceCodeEnterprise(s);
  licence = lc.materials.business_licence;
});
after(async () => { await s.stop(); });

let systems = 0;
// A complete draft of that enterprise: its only error is SUBJ-002.
async function badCheckCharDraft() {
  const f = await createFiling(s, await createSystem(s, 'lcfiler', `豁免测试系统 ${++systems}`), 'lcfiler');
  const saved = await putDocument(s, f.id, lc.doc, f.etag, 'lcfiler');
  assert.deepEqual(errorsOf(saved.findings).map((x) => x.rule), ['SUBJ-002']);
  // Each finding says whether it may be overridden (issue 17): the pack marks SUBJ-002 so.
  for (const x of saved.findings) assert.equal(x.overridable, x.rule === 'SUBJ-002', `${x.rule} overridable`);
  return f.id;
}

const ask = (id, body, login = 'lcfiler') => s.req('POST', `${API}/filings/${id}/overrides`, { token: s.tokens[login], body });
const decide = (id, oid, body, login = 'reviewer') =>
  s.req('POST', `${API}/filings/${id}/overrides/${oid}/decision`, { token: s.tokens[login], body });

async function toUnderReview(id) {
  await actOk(s, 'lcfiler', id, 'submit_for_check', undefined, 'internal_check');
  await actOk(s, 'lcchecker', id, 'approve_check', undefined, 'provider_confirmation');
  await actOk(s, 'provider', id, 'confirm_hosting', undefined, 'submitted');
  await actOk(s, 'reviewer', id, 'accept', undefined, 'under_review');
}

test('an accepted override: the request unblocks submission, approval waits for the decision', async () => {
  const id = await badCheckCharDraft();
  const blocked = await act(s, 'lcfiler', id, 'submit_for_check');
  assert.equal(blocked.status, 422);
  assert.ok(blocked.body.findings.some((x) => x.rule === 'SUBJ-002'));

  // what cannot be asked
  assert.equal((await ask(id, { rule: 'FORM-REQUIRED', reason: 'x', material_id: licence })).status, 422);
  assert.equal((await ask(id, { rule: 'AGR-005', reason: 'x', material_id: licence })).status, 422,
    'a rule that is not overridable');
  const noMaterial = await ask(id, { rule: 'SUBJ-002', reason: '营业执照上的代码即为此码' });
  assert.equal(noMaterial.status, 422);
  assert.equal(noMaterial.body.field, '/material_id');
  assert.equal((await ask(id, { rule: 'SUBJ-002', reason: 'x', material_id: 999 })).status, 422, 'an unknown material');
  assert.equal((await ask(id, { rule: 'SUBJ-002', reason: 'x', material_id: licence }, 'lcchecker')).status, 403);

  const asked = await ask(id, { rule: 'SUBJ-002', reason: '营业执照上的代码即为此码', material_id: licence });
  assert.equal(asked.status, 201, asked.text);
  assert.equal(asked.body.items.length, 1);
  const oid = asked.body.items[0].id;
  assert.equal(asked.body.items[0].state, 'requested');
  assert.equal((await ask(id, { rule: 'SUBJ-002', reason: 'again', material_id: licence })).status, 409);

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
  assert.equal((await decide(id, oid, { accept: true }, 'lcfiler')).status, 403);
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
  const events = (await s.req('GET', `${API}/filings/${id}/events`, { token: s.tokens.lcfiler })).body.items.map((x) => x.action);
  assert.ok(events.includes('override.request') && events.includes('override.accept'));
});

test('a refused override leaves the error; nobody outside sees the requests', async () => {
  const id = await badCheckCharDraft();
  const asked = await ask(id, { rule: 'SUBJ-002', reason: '理由', material_id: licence });
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
