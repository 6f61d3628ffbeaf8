// save_reply.test.mjs — the reply to a document save (PUT, PATCH) is the filing as a GET reads it
// right after, byte for byte (the body and its ETag): the server builds that reply from the row it
// wrote instead of reading it again (issue 19), so every column the save changes — document,
// findings, derived values, revision, names, list columns, the provider's visibility, updated_at —
// must come out as stored. Draft, rectification (provider visible, then another provider named)
// and a change filing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';
import { API, DEMO, actOk, completeDraft, createOrg, driveTo, loginAll, newSystem, referenceDoc, uscc } from './story.mjs';

let s;
let provider2;

before(async () => {
  s = await Server.start();
  await loginAll(s, ['admin', 'filer', 'checker', 'provider', 'reviewer']);
  provider2 = await createOrg(s, { kind: 'provider', name: '另一云服务有限公司', uscc: uscc('91110108MA0000001'), region: '110108' });
});

after(async () => { await s?.stop(); });

const get = (id, login = 'filer') => s.req('GET', `${API}/filings/${id}`, { token: s.tokens[login] });

// Save by method with If-Match: * and compare the reply with the GET that follows.
async function saveMatchesGet(id, method, body, why) {
  const r = await s.req(method, `${API}/filings/${id}/document`, {
    token: s.tokens.filer, body, headers: { 'If-Match': '*' },
    contentType: method === 'PATCH' ? 'application/merge-patch+json' : undefined,
  });
  assert.equal(r.status, 200, `${why}: ${r.text}`);
  const g = await get(id);
  assert.equal(g.status, 200);
  assert.equal(r.text, g.text, `${why}: the save's reply is the filing as read after it`);
  assert.equal(r.headers.get('etag'), g.headers.get('etag'), why);
  return r.body;
}

test('a draft: the reply to each save is what a GET reads after it', async () => {
  const id = await completeDraft(s, await newSystem(s));
  const doc = referenceDoc();
  let f = await saveMatchesGet(id, 'PUT', doc, 'the complete reference document');
  assert.equal(f.findings.filter((x) => x.severity === 'error').length, 0, JSON.stringify(f.findings));
  assert.ok(f.allowed_actions.includes('submit_for_check'), 'a complete draft may go to the check');
  doc.provider.provider_org = provider2.id;
  doc.system.materials_missing = 999999;   // an unknown member: a finding of its own
  doc.grading.grading_report = 987654;     // a material the enterprise does not have
  f = await saveMatchesGet(id, 'PUT', doc, 'another provider, an unknown member, a missing material');
  assert.equal(f.provider_org_id, provider2.id);
  assert.ok(f.findings.some((x) => x.rule === 'RECORD-MATERIAL'), JSON.stringify(f.findings));
  assert.ok(!f.allowed_actions.includes('submit_for_check'), 'errors keep it from the check');
  f = await saveMatchesGet(id, 'PATCH', { grading: { level: null }, provider: { provider_org: null } }, 'a merge patch clearing the level and the provider');
  assert.equal(f.level, null);
  assert.equal(f.provider_org_id, null);
  await saveMatchesGet(id, 'PUT', {}, 'an empty document');
});

test('in rectification: naming another provider hides the filing from the one it named', async () => {
  const id = await completeDraft(s, await newSystem(s));
  await driveTo(s, id, 'rectification');
  const before = await get(id);
  assert.equal(before.body.provider_visible, true);
  const doc = JSON.parse(JSON.stringify(before.body.document));
  doc.system.description += '（已整改）';
  let f = await saveMatchesGet(id, 'PUT', doc, 'the same provider: still visible to it');
  assert.equal(f.provider_visible, true);
  doc.provider.provider_org = provider2.id;
  f = await saveMatchesGet(id, 'PUT', doc, 'another provider');
  assert.equal(f.provider_visible, false);
  assert.equal((await get(id, 'provider')).status, 404, 'the provider it named no longer sees it');
});

test('a change filing: the reply carries its change columns as stored', async () => {
  const record = await completeDraft(s, await newSystem(s));
  await driveTo(s, record, 'filed');
  const out = await actOk(s, 'filer', record, 'report_change', { effective_on: new Date().toISOString().slice(0, 10) }, 'filed');
  const id = out.change_filing.id;
  const f = await saveMatchesGet(id, 'PATCH', { subject: { filing_contact: { name: '钱敏', phone: '010-65128899' } } }, 'a contact change');
  assert.equal(f.kind, 'change');
  assert.equal(f.provider_org_id, DEMO.provider);
});

// Saves racing on one draft: a save's reply is made of its own read of the row when nothing wrote
// the row since (the store's count of writes, issue 19), else of the row read again inside the
// write, and a save without a particular version is redone on the newer document. Each reply is
// still the row its own write made, and the last one is what a GET reads. Each redo means another
// save landed in between, so none of 16 gives up (the server redoes a save up to 16 times; four
// gave up now and then on PostgreSQL).
test('saves racing on one draft: each reply is the row its own write made', async () => {
  const id = await completeDraft(s, await newSystem(s));
  const base = (await get(id)).body.document;
  const n = 16;
  const replies = await Promise.all(Array.from({ length: n }, (_, k) => s.req('PUT', `${API}/filings/${id}/document`, {
    token: s.tokens.filer, headers: { 'If-Match': '*' },
    body: { ...base, system: { ...base.system, description: `race ${k}` } },
  })));
  replies.forEach((r, k) => {
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.document.system.description, `race ${k}`, 'the reply holds its own save');
    assert.equal(r.body.etag, `"${id}-${r.body.revision}"`);
    assert.equal(r.body.written, undefined, 'the store\'s count of writes is not shown');
  });
  const revisions = replies.map((r) => r.body.revision).sort((a, b) => a - b);
  assert.equal(new Set(revisions).size, n, 'each save made a revision of its own');
  const last = replies.find((r) => r.body.revision === revisions[n - 1]);
  const g = await get(id);
  assert.equal(g.text, last.text, 'the last save\'s reply is what a GET reads after it');
});
