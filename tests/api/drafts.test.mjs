// drafts.test.mjs — a reviewer's rectification request in preparation is kept on the server
// (issue 16): it survives another sign-in (another device), only a reviewer of the filing's
// authority reads or writes it (the enterprise and the provider 403, another authority 404), it
// changes only while the filing is under review, and sending the request clears it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';
import { API, DEMO, actOk, createUser, filingIn, foreignParties, loginAll, newSystem } from './story.mjs';

let s;
before(async () => {
  s = await Server.start();
  await loginAll(s, Object.keys(s.logins));
  const foreign = await foreignParties(s);
  await createUser(s, DEMO.authority, 'reviewerb', ['reviewer']);
  await loginAll(s, [...foreign.logins, 'reviewerb']);
});
after(async () => { await s.stop(); });

const draftOf = (id, login, token = s.tokens[login]) => s.req('GET', `${API}/filings/${id}/rectification-draft`, { token });
const putDraft = (id, login, body) => s.req('PUT', `${API}/filings/${id}/rectification-draft`, { token: s.tokens[login], body });
const dropDraft = (id, login) => s.req('DELETE', `${API}/filings/${id}/rectification-draft`, { token: s.tokens[login] });
const ITEMS = [
  { path: '/system/description', message: '请说明系统的服务对象' },
  { path: '/grading/grading_report', message: '定级报告缺少专家签字页' },
];

test('the reviewer\'s draft survives another sign-in and is gone once the request is sent', async () => {
  const id = await filingIn(s, await newSystem(s), 'under_review');
  const empty = await draftOf(id, 'reviewer');
  assert.equal(empty.status, 200, empty.text);
  assert.deepEqual(empty.body, { filing_id: id, items: [], comment: null, updated_at: null });

  const put = await putDraft(id, 'reviewer', { items: ITEMS, comment: '请逐项整改' });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.body.items, ITEMS);
  assert.equal(put.body.comment, '请逐项整改');
  assert.match(put.body.updated_at, /^\d{4}-\d\d-\d\dT/);

  // another device: a new session of the same reviewer reads the same draft
  const signIn = await s.req('POST', `${API}/session`, { body: { login: 'reviewer', password: s.logins.reviewer.password } });
  assert.equal(signIn.status, 201);
  const other = signIn.body.token;
  assert.notEqual(other, s.tokens.reviewer);
  const again = await draftOf(id, 'reviewer', other);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body.items, ITEMS);
  // each reviewer keeps their own
  assert.deepEqual((await draftOf(id, 'reviewerb')).body.items, []);
  assert.equal((await putDraft(id, 'reviewerb', { items: [ITEMS[0]] })).status, 200);

  // replacing it replaces it (an empty list is a draft with nothing in it yet)
  assert.deepEqual((await putDraft(id, 'reviewer', { items: [ITEMS[1]] })).body.items, [ITEMS[1]]);
  assert.equal((await putDraft(id, 'reviewer', { items: ITEMS, comment: '请逐项整改' })).status, 200);

  // sending the request (the draft's items) ends every draft of the filing
  await actOk(s, 'reviewer', id, 'request_rectification', { items: ITEMS, comment: '请逐项整改' }, 'rectification');
  assert.deepEqual((await draftOf(id, 'reviewer')).body.items, []);
  assert.deepEqual((await draftOf(id, 'reviewerb')).body.items, []);
  // and while the filer rectifies, there is nothing to prepare
  assert.equal((await putDraft(id, 'reviewer', { items: ITEMS })).status, 409);
});

test('only a reviewer of the filing\'s authority: the enterprise and provider 403, another authority 404', async () => {
  const id = await filingIn(s, await newSystem(s), 'under_review');
  assert.equal((await putDraft(id, 'reviewer', { items: ITEMS })).status, 200);
  for (const login of ['filer', 'checker', 'entadmin', 'provider', 'authadmin', 'admin']) {
    assert.equal((await draftOf(id, login)).status, 403, `${login} reads`);
    assert.equal((await putDraft(id, login, { items: ITEMS })).status, 403, `${login} writes`);
    assert.equal((await dropDraft(id, login)).status, 403, `${login} deletes`);
  }
  for (const login of ['filer2', 'provider2', 'reviewer2', 'authadmin2']) {
    assert.equal((await draftOf(id, login)).status, 404, `${login} reads`);
    assert.equal((await putDraft(id, login, { items: ITEMS })).status, 404, `${login} writes`);
  }
  // nothing of it reaches the filing's history
  const events = await s.req('GET', `${API}/filings/${id}/events`, { token: s.tokens.filer });
  assert.ok(!events.text.includes('定级报告缺少专家签字页'));
  assert.deepEqual((await draftOf(id, 'reviewer')).body.items, ITEMS, 'untouched by the refused calls');

  // thrown away on purpose
  assert.equal((await dropDraft(id, 'reviewer')).status, 204);
  assert.deepEqual((await draftOf(id, 'reviewer')).body.items, []);
});

test('a draft is checked like the request: fields of the form, at most 100 items, under review only', async () => {
  const id = await filingIn(s, await newSystem(s), 'under_review');
  const notField = await putDraft(id, 'reviewer', { items: [{ path: '/nowhere', message: 'x' }] });
  assert.equal(notField.status, 422);
  assert.equal(notField.body.field, '/items/0/path');
  const noMessage = await putDraft(id, 'reviewer', { items: [{ path: '/system/description' }] });
  assert.equal(noMessage.status, 422);
  assert.equal(noMessage.body.field, '/items/0/message');
  const tooMany = Array.from({ length: 101 }, () => ITEMS[0]);
  assert.equal((await putDraft(id, 'reviewer', { items: tooMany })).status, 422);
  assert.equal((await putDraft(id, 'reviewer', { items: ITEMS, extra: 1 })).status, 422);
  assert.equal((await putDraft(id, 'reviewer', { comment: 'no items' })).status, 422);

  // a filing the authority sees but has not accepted yet: nothing to prepare
  const submitted = await filingIn(s, await newSystem(s), 'submitted');
  assert.equal((await putDraft(submitted, 'reviewer', { items: ITEMS })).status, 409);
  // approving also ends the drafts
  assert.equal((await putDraft(id, 'reviewer', { items: ITEMS })).status, 200);
  await actOk(s, 'reviewer', id, 'approve', undefined, 'filed');
  assert.deepEqual((await draftOf(id, 'reviewer')).body.items, []);
});
