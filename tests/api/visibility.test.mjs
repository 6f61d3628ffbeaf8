// visibility.test.mjs — tenancy: a second enterprise sees nothing of the first (404, never 403,
// and absent from lists), organisation and user lists by role, and the filings list's filters and
// cursor pagination.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';
import { assertProblem } from './helpers-io.mjs';

const ENT2 = { kind: 'enterprise', name: '深圳第二示例科技有限公司', uscc: '91440300MA5000002N', region: '440300' };
const FILER2_PW = 'second filer password';
let s, admin, filer, checker, filer2, provider, reviewer, entadmin;
let ent2;             // the second enterprise (org object)
let s1, f1;           // demo enterprise's system and filing
let s2, f2;           // second enterprise's system and filing

const idsOf = (r) => r.body.items.map((x) => x.id);
// A problem document without what differs per request.
const sameProblem = (p) => { const { request_id, ...rest } = p; return rest; };

before(async () => {
  s = await Server.start();
  admin = await s.as('admin');
  const o = await admin('POST', '/api/v1/orgs', { body: ENT2 });
  assert.equal(o.status, 201, o.text);
  ent2 = o.body;
  const u = await admin('POST', '/api/v1/users', {
    body: { org_id: ent2.id, login: 'filer2', name: '第二填报人', roles: ['filer'], password: FILER2_PW },
  });
  assert.equal(u.status, 201, u.text);
  s.logins.filer2 = { role: 'filer', password: FILER2_PW };
  [filer, checker, filer2, provider, reviewer, entadmin] = await Promise.all(
    ['filer', 'checker', 'filer2', 'provider', 'reviewer', 'entadmin'].map((l) => s.as(l)));

  s1 = (await filer('POST', '/api/v1/systems', { body: { name: '示例网上营业厅' } })).body;
  f1 = (await filer('POST', '/api/v1/filings', { body: { system_id: s1.id } })).body;
  s2 = (await filer2('POST', '/api/v1/systems', { body: { name: '深圳二号系统' } })).body;
  f2 = (await filer2('POST', '/api/v1/filings', { body: { system_id: s2.id } })).body;
  assert.ok(s1.id && f1.id && s2.id && f2.id);
});
after(async () => { await s?.stop(); });

test('the second enterprise was created as sent', async () => {
  assert.equal(ent2.kind, 'enterprise');
  assert.equal(ent2.uscc, ENT2.uscc);
  assert.equal(ent2.region, '440300');
  assert.equal(ent2.name, ENT2.name);
  assert.equal(f2.region, '440300');
  assert.equal(f2.org_id, ent2.id);
  assert.equal(f1.org_id, 2);
});

test('a foreign filer cannot see the other enterprise\'s systems or filings: 404, not 403, not listed', async () => {
  const missing = assertProblem(await filer2('GET', '/api/v1/filings/999999'), 404, 'not_found');
  for (const path of [
    `/api/v1/filings/${f1.id}`, `/api/v1/filings/${f1.id}/versions`, `/api/v1/filings/${f1.id}/versions/1`,
    `/api/v1/filings/${f1.id}/diff?from=1`, `/api/v1/filings/${f1.id}/rectifications`, `/api/v1/filings/${f1.id}/events`,
  ]) {
    const r = await filer2('GET', path);
    const p = assertProblem(r, 404, 'not_found');
    if (path === `/api/v1/filings/${f1.id}`) assert.deepEqual(sameProblem(p), sameProblem(missing), 'indistinguishable from a filing that does not exist');
    assert.ok(!r.text.includes('示例网上营业厅'), `${path} leaks the name`);
  }
  const sysMissing = assertProblem(await filer2('GET', '/api/v1/systems/999999'), 404);
  const sysForeign = assertProblem(await filer2('GET', `/api/v1/systems/${s1.id}`), 404);
  assert.deepEqual(sameProblem(sysForeign), sameProblem(sysMissing));

  // lists
  const systems = await filer2('GET', '/api/v1/systems');
  assert.deepEqual(systems.body.items.map((x) => x.id), [s2.id]);
  const filings = await filer2('GET', '/api/v1/filings?limit=200');
  assert.deepEqual(idsOf(filings), [f2.id]);
  for (const q of [`?system_id=${s1.id}`, `?q=${encodeURIComponent('示例网上营业厅')}`, '?region=110105', '?state=draft']) {
    const r = await filer2('GET', `/api/v1/filings${q}`);
    assert.equal(r.status, 200);
    assert.ok(!idsOf(r).includes(f1.id), q);
  }
  // and the other way round
  assertProblem(await filer('GET', `/api/v1/filings/${f2.id}`), 404);
  assertProblem(await checker('GET', `/api/v1/filings/${f2.id}`), 404);
  assertProblem(await filer('GET', `/api/v1/systems/${s2.id}`), 404);
  assert.ok(!idsOf(await filer('GET', '/api/v1/filings?limit=200')).includes(f2.id));
  assert.ok(!(await filer('GET', '/api/v1/systems')).body.items.some((x) => x.id === s2.id));
  // a colleague of the same enterprise does see it
  assert.equal((await checker('GET', `/api/v1/filings/${f1.id}`)).status, 200);
});

test('a foreign filer\'s writes on the other enterprise\'s filing → 404, and nothing changes', async () => {
  const before = (await filer('GET', `/api/v1/filings/${f1.id}`)).body;
  let r = await filer2('PUT', `/api/v1/filings/${f1.id}/document`, {
    body: { ...before.document, system: { name: 'hijacked' } }, headers: { 'If-Match': before.etag },
  });
  assertProblem(r, 404, 'not_found');
  // even without If-Match (visibility is decided first)
  r = await filer2('PUT', `/api/v1/filings/${f1.id}/document`, { body: { system: { name: 'hijacked' } } });
  assertProblem(r, 404);
  r = await filer2('PATCH', `/api/v1/filings/${f1.id}/document`, {
    body: { system: { name: 'hijacked' } }, contentType: 'application/merge-patch+json', headers: { 'If-Match': before.etag },
  });
  assertProblem(r, 404);
  r = await filer2('PATCH', `/api/v1/filings/${f1.id}/document`, {
    body: { system: { name: 'hijacked' } }, contentType: 'application/merge-patch+json',
  });
  assertProblem(r, 404);
  for (const action of ['submit_for_check', 'withdraw', 'approve_check', 'report_change', 'cancel', 'no_such_action']) {
    r = await filer2('POST', `/api/v1/filings/${f1.id}/actions/${action}`, { body: { reason: 'x', comment: 'x' } });
    assertProblem(r, 404);
  }
  r = await filer2('POST', `/api/v1/filings/${f1.id}/rectifications/1/items/1/answer`, { body: { answer: 'x' } });
  assertProblem(r, 404);
  // a filing on the other enterprise's system
  r = await filer2('POST', '/api/v1/filings', { body: { system_id: s1.id } });
  const p = assertProblem(r, 404);
  assert.equal(p.field, '/system_id');

  const afterRead = (await filer('GET', `/api/v1/filings/${f1.id}`)).body;
  assert.equal(afterRead.etag, before.etag);
  assert.equal(afterRead.state, 'draft');
  assert.deepEqual(afterRead.document, before.document);
  assert.equal((await filer('GET', '/api/v1/filings?system_id=' + s1.id)).body.items.length, 1);
  // no audit entry of these attempts is visible to, or written for, the demo enterprise
  const audit = await filer('GET', `/api/v1/audit?filing_id=${f1.id}`);
  assert.ok(audit.body.items.every((a) => a.actor_org_id !== ent2.id), JSON.stringify(audit.body.items));
});

test('provider and authority do not see a draft', async () => {
  for (const who of [provider, reviewer]) {
    assertProblem(await who('GET', `/api/v1/filings/${f1.id}`), 404);
    assertProblem(await who('GET', `/api/v1/systems/${s1.id}`), 404);
    assert.deepEqual(idsOf(await who('GET', '/api/v1/filings?limit=200')), []);
    assert.deepEqual((await who('GET', '/api/v1/systems')).body.items, []);
    assertProblem(await who('POST', `/api/v1/filings/${f1.id}/actions/confirm_hosting`), 404);
  }
});

test('org list as a non-admin: own org, providers and authorities, never other enterprises', async () => {
  for (const [who, own] of [[filer2, ent2.id], [filer, 2], [provider, 3], [reviewer, 4]]) {
    const r = await who('GET', '/api/v1/orgs');
    assert.equal(r.status, 200);
    const ids = idsOf(r).sort((a, b) => a - b);
    const expected = [...new Set([own, 3, 4])].sort((a, b) => a - b);
    assert.deepEqual(ids, expected, `org list of org ${own}`);
    for (const o of r.body.items) assert.ok(o.id === own || o.kind === 'provider' || o.kind === 'authority');
  }
  // filtered by kind
  let r = await filer2('GET', '/api/v1/orgs?kind=enterprise');
  assert.deepEqual(idsOf(r), [ent2.id]);
  r = await filer2('GET', '/api/v1/orgs?kind=platform');
  assert.deepEqual(idsOf(r), []);
  // single reads
  assertProblem(await filer2('GET', '/api/v1/orgs/2'), 404);
  assertProblem(await filer2('GET', '/api/v1/orgs/1'), 404);
  assertProblem(await filer('GET', `/api/v1/orgs/${ent2.id}`), 404);
  assert.equal((await filer2('GET', '/api/v1/orgs/3')).body.kind, 'provider');
  assert.equal((await filer2('GET', '/api/v1/orgs/4')).body.kind, 'authority');
  assert.equal((await filer2('GET', `/api/v1/orgs/${ent2.id}`)).body.uscc, ENT2.uscc);
  // only the platform administrator creates organisations
  r = await entadmin('POST', '/api/v1/orgs', { body: { ...ENT2, uscc: '91440300MA5000003R', name: 'x' } });
  assertProblem(r, 403, 'forbidden');
});

test('users list as a non-admin: own organisation only, never pw_hash; admin sees all', async () => {
  const all = await admin('GET', '/api/v1/users');
  assert.equal(all.status, 200);
  const orgsSeen = new Set(all.body.items.map((u) => u.org_id));
  for (const id of [1, 2, 3, 4, ent2.id]) assert.ok(orgsSeen.has(id), `admin sees users of org ${id}`);
  assert.ok(all.body.items.some((u) => u.login === 'filer2'));
  for (const [who, org] of [[filer2, ent2.id], [filer, 2], [entadmin, 2], [provider, 3], [reviewer, 4]]) {
    const r = await who('GET', '/api/v1/users');
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length >= 1);
    assert.ok(r.body.items.every((u) => u.org_id === org), `org ${org}: ${JSON.stringify(r.body.items)}`);
    const expected = all.body.items.filter((u) => u.org_id === org).map((u) => u.login).sort();
    assert.deepEqual(r.body.items.map((u) => u.login).sort(), expected);
    assert.ok(!/pw_hash|argon2/.test(r.text), 'no password hashes in a users list');
    // asking for another organisation's users is a 404
    const other = org === 2 ? ent2.id : 2;
    assertProblem(await who('GET', `/api/v1/users?org_id=${other}`), 404);
  }
  assert.ok(!/pw_hash|argon2/.test(all.text));
  for (const u of all.body.items) {
    assert.ok(Array.isArray(u.roles));
    assert.equal(typeof u.disabled, 'boolean');
  }
  const me = await filer2('GET', '/api/v1/me');
  assert.ok(!/pw_hash|argon2/.test(me.text));
  // an enterprise administrator creates users in its own organisation only
  let r = await entadmin('POST', '/api/v1/users', { body: { org_id: ent2.id, login: 'intruder', roles: ['filer'], password: 'long enough password' } });
  assertProblem(r, 404);
  r = await entadmin('POST', '/api/v1/users', { body: { org_id: 2, login: 'colleague', roles: ['checker'], password: 'long enough password' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.pw_hash, undefined);
  assert.ok(!(await admin('GET', '/api/v1/users')).body.items.some((u) => u.login === 'intruder'));
});

test('the platform administrator sees everything', async () => {
  const orgs = await admin('GET', '/api/v1/orgs');
  assert.deepEqual(idsOf(orgs).sort((a, b) => a - b), [1, 2, 3, 4, ent2.id]);
  assert.equal((await admin('GET', '/api/v1/orgs/2')).status, 200);
  const systems = await admin('GET', '/api/v1/systems');
  for (const id of [s1.id, s2.id]) assert.ok(systems.body.items.some((x) => x.id === id));
  const filings = await admin('GET', '/api/v1/filings?limit=200');
  for (const id of [f1.id, f2.id]) assert.ok(idsOf(filings).includes(id));
  assert.equal((await admin('GET', `/api/v1/filings/${f1.id}`)).status, 200);
  assert.equal((await admin('GET', `/api/v1/filings/${f2.id}`)).status, 200);
  assert.equal((await admin('GET', `/api/v1/systems/${s2.id}`)).status, 200);
  const audit = await admin('GET', '/api/v1/audit?limit=500');
  const auditOrgs = new Set(audit.body.items.map((a) => a.org_id));
  assert.ok(auditOrgs.has(2) && auditOrgs.has(ent2.id));
});

test('audit log of a non-admin shows only its own organisation\'s entries', async () => {
  const r = await filer2('GET', '/api/v1/audit?limit=500');
  assert.equal(r.status, 200);
  assert.ok(r.body.items.length >= 1);
  for (const a of r.body.items) {
    assert.ok(a.org_id === ent2.id || a.actor_org_id === ent2.id, JSON.stringify(a));
    assert.notEqual(a.filing_id, f1.id);
  }
  assert.ok(!r.text.includes('示例网上营业厅'));
  const r2 = await filer2('GET', `/api/v1/audit?filing_id=${f1.id}`);
  assert.deepEqual(r2.body.items ?? [], []);
});

// ------------------------------------------------------------------------- list filters and pages

test('filings list: cursor pagination returns every id exactly once', async () => {
  const sys = (await filer('POST', '/api/v1/systems', { body: { name: '分页测试系统' } })).body;
  const created = [];
  for (let i = 0; i < 5; i++) {
    const f = await filer('POST', '/api/v1/filings', { body: { system_id: sys.id } });
    assert.equal(f.status, 201);
    created.push(f.body.id);
  }
  const all = idsOf(await filer('GET', '/api/v1/filings?limit=200'));
  for (const id of created) assert.ok(all.includes(id));
  assert.ok(all.length >= 6);

  const seen = [];
  let cursor = '';
  let pages = 0;
  for (;;) {
    const r = await filer('GET', `/api/v1/filings?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.items.length <= 2);
    seen.push(...idsOf(r));
    pages++;
    assert.ok(pages < 50, 'pagination terminates');
    if (r.body.next_cursor === null) break;
    assert.equal(typeof r.body.next_cursor, 'string');
    assert.equal(r.body.items.length, 2, 'only the last page is short');
    cursor = encodeURIComponent(r.body.next_cursor);
  }
  assert.equal(new Set(seen).size, seen.length, `no id twice: ${seen}`);
  assert.deepEqual(seen, all, 'the pages together are the full list, in the same order');
  assert.equal(pages, Math.ceil(all.length / 2), 'no empty last page');
  // newest first
  assert.deepEqual([...seen].sort((a, b) => b - a), seen);

  // restricted to the system, 5 filings come in pages of 2, 2, 1
  const sizes = [];
  const mine = [];
  cursor = '';
  for (;;) {
    const r = await filer('GET', `/api/v1/filings?system_id=${sys.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    sizes.push(r.body.items.length);
    mine.push(...idsOf(r));
    if (!r.body.next_cursor) break;
    cursor = r.body.next_cursor;
  }
  assert.deepEqual(sizes, [2, 2, 1]);
  assert.deepEqual([...mine].sort((a, b) => a - b), created);
});

test('filings list: filter by state, by text, by region; bad query values → 400', async () => {
  const sysA = (await filer('POST', '/api/v1/systems', { body: { name: '检索甲系统' } })).body;
  const sysB = (await filer('POST', '/api/v1/systems', { body: { name: '普通乙系统' } })).body;
  const a = [];
  for (let i = 0; i < 2; i++) a.push((await filer('POST', '/api/v1/filings', { body: { system_id: sysA.id } })).body.id);
  const b = (await filer('POST', '/api/v1/filings', { body: { system_id: sysB.id } })).body.id;
  // withdraw one of each
  for (const id of [a[0], b]) {
    const r = await filer('POST', `/api/v1/filings/${id}/actions/withdraw`);
    assert.equal(r.status, 200, r.text);
  }

  const withdrawn = idsOf(await filer('GET', '/api/v1/filings?state=withdrawn&limit=200'));
  assert.deepEqual(withdrawn.sort((x, y) => x - y), [a[0], b].sort((x, y) => x - y));
  const drafts = await filer('GET', '/api/v1/filings?state=draft&limit=200');
  assert.ok(drafts.body.items.every((f) => f.state === 'draft'));
  assert.ok(idsOf(drafts).includes(a[1]) && !idsOf(drafts).includes(a[0]));
  assert.deepEqual(idsOf(await filer('GET', '/api/v1/filings?state=filed')), []);
  // a state the workflow does not have is a mistake, not an empty filter
  assert.equal(assertProblem(await filer('GET', '/api/v1/filings?state=no_such_state'), 400, 'bad_query_parameter').field, 'state');

  // text search over system and subject names
  const q = await filer('GET', `/api/v1/filings?q=${encodeURIComponent('检索甲')}`);
  assert.deepEqual(idsOf(q).sort((x, y) => x - y), a);
  assert.ok(q.body.items.every((f) => f.system_name === '检索甲系统'));
  const q2 = await filer('GET', `/api/v1/filings?q=${encodeURIComponent('检索甲')}&state=draft`);
  assert.deepEqual(idsOf(q2), [a[1]]);
  assert.deepEqual(idsOf(await filer('GET', `/api/v1/filings?q=${encodeURIComponent('不存在的名称')}`)), []);
  // the subject (enterprise) name matches all of its filings
  const bySubject = await filer('GET', `/api/v1/filings?q=${encodeURIComponent('北京云帆数据科技')}&limit=200`);
  assert.deepEqual(idsOf(bySubject), idsOf(await filer('GET', '/api/v1/filings?limit=200')));
  // LIKE wildcards are literal text
  assert.deepEqual(idsOf(await filer('GET', '/api/v1/filings?q=%25')), []);
  assert.deepEqual(idsOf(await filer('GET', '/api/v1/filings?q=_')), []);

  // region: county, city and province codes, seen by the administrator
  const ids = async (query) => idsOf(await admin('GET', `/api/v1/filings?limit=200&${query}`));
  const all = await ids('');
  const shenzhen = await ids('region=440300');
  assert.deepEqual(shenzhen, [f2.id]);
  assert.deepEqual(await ids('region=440000'), [f2.id]);
  const beijing = await ids('region=110000');
  assert.deepEqual(await ids('region=110105'), beijing);
  assert.deepEqual([...beijing, ...shenzhen].sort((x, y) => x - y), [...all].sort((x, y) => x - y));
  assert.deepEqual(await ids('region=310000'), []);

  for (const bad of ['11', 'abcdef', '1100000', '11000a', '%20110000', '-11000']) {
    const r = await filer('GET', `/api/v1/filings?region=${bad}`);
    assert.equal(r.status, 400, `region=${bad}: ${r.status} ${r.text}`);
    if (r.body?.field !== undefined) assert.equal(r.body.field, 'region');
  }
  for (const bad of ['limit=-1', 'limit=x', 'cursor=abc', 'cursor=-5', 'system_id=1x', 'limit=2.5']) {
    const r = await filer('GET', `/api/v1/filings?${bad}`);
    assert.equal(assertProblem(r, 400, 'bad_query_parameter').field, bad.split('=')[0]);
  }
  assertProblem(await filer('GET', `/api/v1/filings?q=${'x'.repeat(201)}`), 400);
});
