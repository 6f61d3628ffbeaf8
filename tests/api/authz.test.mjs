// authz.test.mjs — the generated authorization matrix: every route of docs/openapi.json × every
// caller (each demo login, foreign enterprise / provider / authority users, anonymous) → the class
// of the status the server answers (2xx, 401, 403, 404, 409, 4xx, 5xx).
//
// The expected table is tests/fixtures/authz-expected.json ({"METHOD /path": {"caller": "class"}}).
// The test fails listing every cell that differs from it. After an intended change of access rules,
// regenerate it with
//     BEIAN_UPDATE_AUTHZ=1 make test-api        (or: BEIAN_UPDATE_AUTHZ=1 node --test tests/api/authz.test.mjs)
// and review the diff of the table: it is the record of who may do what.
// Independent of the file, the test asserts invariants a wrong regenerated table cannot hide:
// no 5xx anywhere; anonymous gets 401 everywhere except the public routes; a foreign caller never
// gets 2xx on a route naming an object of the demo enterprise (or writing the demo provider's profile).
//
// Ids in paths point at the demo enterprise's objects: a filing in under_review (F), its system,
// material 1 version 1, a filing in rectification (R) with its notice and item, override id 1.
// Requests run one at a time in a fixed order (reads, then writes, DELETE /session last) so the table
// is deterministic; the action route uses a fresh under_review filing per caller.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { Server } from './lib.mjs';
import {
  API, DEMO, RECTIFICATION_ITEMS, completeDraft, createSystem, driveTo, foreignParties, getFiling, loginAll, referenceDoc, uscc,
} from './story.mjs';

const EXPECTED = new URL('../fixtures/authz-expected.json', import.meta.url);
const OPENAPI = new URL('../../docs/openapi.json', import.meta.url);
const DEMO_LOGINS = ['admin', 'filer', 'checker', 'entadmin', 'provider', 'provadmin', 'reviewer', 'authadmin'];
const FOREIGN = ['filer2', 'checker2', 'provider2', 'reviewer2', 'authadmin2'];
const CALLERS = [...DEMO_LOGINS, ...FOREIGN, 'anonymous'];

let s;
before(async () => { s = await Server.start(); });
after(async () => { await s?.stop(); });

function statusClass(st) {
  if (st >= 200 && st < 300) return '2xx';
  if ([401, 403, 404, 409].includes(st)) return String(st);
  if (st >= 400 && st < 500) return '4xx';
  return st >= 500 ? '5xx' : String(st);
}

// Routes of the OpenAPI document: [{key, method, path, public}].
function routes() {
  const doc = JSON.parse(readFileSync(OPENAPI, 'utf8'));
  const out = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const sec = op.security ?? doc.security;
      out.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, public: sec.length === 0 });
    }
  }
  return out;
}

// Routes that name an object of the demo enterprise (or write the demo provider's profile): no
// foreign caller may ever get 2xx on them.
const DEMO_OBJECT = /^(\w+ \/incidents\/\{id\}|\w+ \/systems\/\{id\}|\w+ \/filings\/\{id\}|\w+ \/materials\/\{id\}|\w+ \/webhooks\/\{id\}|\w+ \/inbox\/\{id\}|PUT \/providers\/\{org_id\}\/profile$|POST \/filings$)/;

test('authorization matrix: every route × every caller', async () => {
  const t0 = Date.now();
  await loginAll(s, DEMO_LOGINS);
  const foreign = await foreignParties(s);
  await loginAll(s, foreign.logins);

  // the objects the paths point at (a webhook of the demo enterprise first, so that it gets deliveries)
  const hook = await s.req('POST', `${API}/webhooks`, { token: s.tokens.entadmin, body: { url: 'http://203.0.113.10/authz', events: ['*'] } });
  assert.equal(hook.status, 201, hook.text);
  const sysF = await createSystem(s, 'filer', '矩阵系统F');
  const F = await completeDraft(s, sysF);
  // a system without a filing under way, for POST /filings (a second initial filing of sysF is refused)
  const sysNew = await createSystem(s, 'filer', '矩阵系统新建');
  await driveTo(s, F, 'under_review');
  const sysR = await createSystem(s, 'filer', '矩阵系统R');
  const R = await completeDraft(s, sysR);
  await driveTo(s, R, 'rectification');
  const notice = (await s.req('GET', `${API}/filings/${R}/rectifications`, { token: s.tokens.filer })).body.items[0];
  const rid = notice.id, iid = notice.items[0].id;
  // a fresh under_review filing per caller for the state-changing action route
  const fresh = {};
  for (const c of CALLERS) {
    const sys = await createSystem(s, 'filer', `矩阵动作-${c}`);
    fresh[c] = await completeDraft(s, sys);
  }
  await Promise.all(CALLERS.map((c) => driveTo(s, fresh[c], 'under_review')));
  // incidents: a filed record of the demo enterprise (I) with an open incident on it (INC)
  const I = await completeDraft(s, await createSystem(s, 'filer', '矩阵系统I'));
  await driveTo(s, I, 'filed');
  const hourAgo = () => new Date(Date.now() - 3600e3).toISOString();
  const incident = await s.req('POST', `${API}/filings/${I}/incidents`, {
    token: s.tokens.filer, body: { level: 'general', title: '矩阵事件', detected_at: hourAgo(), summary: '矩阵' },
  });
  assert.equal(incident.status, 201, incident.text);
  const INC = incident.body.id;
  const etag = (await getFiling(s, 'filer', F)).etag;
  const profile = (await s.req('GET', `${API}/providers/${DEMO.provider}/profile`, { token: s.tokens.provider })).body.profile;
  const inboxItem = (await s.req('GET', `${API}/inbox`, { token: s.tokens.filer })).body.items[0].id;

  // path template → (caller) → {path, body, raw, headers, contentType}
  const fill = (path, caller) => path
    .replace('{id}/actions/{action}', `${fresh[caller]}/actions/approve`)
    .replace(/^\/filings\/\{id\}\/rectifications/, `/filings/${R}/rectifications`)
    .replace(/^\/filings\/\{id\}\/incidents/, `/filings/${I}/incidents`)
    .replace(/^\/incidents\/\{id\}/, `/incidents/${INC}`)
    .replace('{rid}', rid).replace('{iid}', iid)
    .replace(/^\/inbox\/\{id\}/, `/inbox/${inboxItem}`)
    .replace(/^\/webhooks\/\{id\}/, `/webhooks/${hook.body.id}`).replace('{did}', '1')
    .replace(/^\/filings\/\{id\}/, `/filings/${F}`)
    .replace(/^\/systems\/\{id\}/, `/systems/${sysF}`)
    .replace(/^\/orgs\/\{id\}/, `/orgs/${DEMO.enterprise}`)
    .replace(/^\/materials\/\{id\}/, '/materials/1')
    .replace('{n}', '1').replace('{oid}', '1')
    .replace('{org_id}', DEMO.provider)
    .replace('/packs/{id}/{version}', '/packs/cn-cloud/2025.1')
    .replace('{number}', `${DEMO.jurisdiction}-2026-000001`);
  const text = { raw: 'authz matrix material\n', contentType: 'text/plain; charset=utf-8' };
  const opts = (key, caller) => ({
    'POST /session': { body: {} },
    'POST /me/password': { body: {} },
    'POST /tokens': { body: { name: `authz-${caller}` } },
    'POST /orgs': { body: { kind: 'enterprise', name: `矩阵测试公司${caller}`, uscc: uscc('91110000MA0123456'), region: '110000' } },
    'PATCH /orgs/{id}': { body: { name: '北京云帆数据科技有限公司' } },   // the demo enterprise's own name again
    'POST /users': { body: { org_id: DEMO.enterprise, login: `authz-${caller}`, roles: ['filer'], password: 'Authz-matrix-pw-123!' } },
    'POST /systems': { body: { name: `矩阵新系统-${caller}` } },
    'POST /filings': { body: { system_id: sysNew, kind: 'initial' } },
    'PUT /filings/{id}/document': { body: referenceDoc(), headers: { 'If-Match': etag } },
    'PATCH /filings/{id}/document': { body: { system: { description: '矩阵' } }, contentType: 'application/merge-patch+json', headers: { 'If-Match': etag } },
    'POST /filings/{id}/rectifications/{rid}/items/{iid}/answer': { body: { answer: `矩阵答复-${caller}` } },
    'POST /filings/{id}/overrides': { body: { rule: 'SUBJ-002', reason: '矩阵', material_id: 1 } },
    'POST /filings/{id}/overrides/{oid}/decision': { body: { accept: false, comment: '矩阵' } },
    'POST /materials': text,
    'POST /materials/{id}/versions': text,
    'PUT /providers/{org_id}/profile': { body: profile },
    'POST /providers/{org_id}/evaluations': {
      body: {
        evaluated_on: '2026-01-15', notes: '矩阵',
        criteria: ['reputation', 'technical_strength', 'security_management', 'compliance', 'service_level', 'exit_and_data_return']
          .map((key) => ({ key, weight: key === 'service_level' || key === 'exit_and_data_return' ? 10 : 20, score: 80, evidence: '矩阵' })),
      },
    },
    'POST /policy/packs': { body: { dir: '/nonexistent/authz-pack' } },
    'POST /filings/{id}/inspections/order': { body: { reason: '矩阵', due_on: '2099-01-01' } },
    'POST /filings/{id}/evidence': { body: { kind: 'vuln_scan', on_date: '2026-01-01' } },
    'PUT /inspections/{id}/document': { body: {}, headers: { 'If-Match': '*' } },
    'PATCH /inspections/{id}/document': { body: { incidents: { count: 0 } }, contentType: 'application/merge-patch+json' },
    'POST /filings/{id}/incidents': { body: { level: 'general', title: `矩阵事件-${caller}`, detected_at: hourAgo(), summary: '矩阵' } },
    'POST /incidents/{id}/updates': { body: { text: `矩阵续报-${caller}` } },
    'POST /incidents/{id}/close': { body: { cause: '矩阵', impact: '矩阵', personal_data_involved: false, measures: '矩阵' } },
    'POST /incidents/{id}/order_inspection': { body: { reason: '矩阵', due_date: new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10) } },
    'PUT /me/notifications': { body: { lang: 'en', email_events: [] } },
    'POST /webhooks': { body: { url: `http://203.0.113.11/authz-${caller}`, events: ['filing.approved'] } },
  }[key] || {});
  const query = { 'GET /filings/{id}/diff': '?from=1', 'GET /policy/impact': '?pack=cn-cloud@2025.1', 'GET /policy/diff': '?from=cn-cloud@2025.1&to=cn-cloud@2025.1', 'POST /materials': '?kind=other&title=authz&filename=authz.txt', 'POST /materials/{id}/versions': '?filename=authz.txt' };

  const all = routes();
  const rank = (r) => (r.key === 'DELETE /session' ? 2 : r.method === 'GET' ? 0 : 1);
  const ordered = [...all].sort((a, b) => rank(a) - rank(b));
  const observed = {};
  const texts = {};
  for (const r of ordered) {
    observed[r.key] = {};
    for (const c of CALLERS) {
      const o = opts(r.key, c);
      const res = await s.req(r.method, API + fill(r.path, c) + (query[r.key] || ''),
        { ...o, headers: { ...(o.headers || {}) }, token: c === 'anonymous' ? undefined : s.tokens[c] });
      observed[r.key][c] = statusClass(res.status);
      texts[`${r.key} ${c}`] = `${res.status} ${res.text.slice(0, 200)}`;
    }
  }
  // keep the OpenAPI order in the file
  const table = Object.fromEntries(all.map((r) => [r.key, observed[r.key]]));

  // ---- invariants, independent of the expected file
  const bad = [];
  for (const r of all) {
    for (const c of CALLERS) {
      const got = table[r.key][c];
      const why = texts[`${r.key} ${c}`];
      if (got === '5xx') bad.push(`${r.key} as ${c}: server error ${why}`);
      if (c === 'anonymous' && !r.public && got !== '401') bad.push(`${r.key} anonymous: ${why} (not 401)`);
      if (c === 'anonymous' && r.public && got === '401') bad.push(`${r.key} is public but anonymous gets 401`);
      if (FOREIGN.includes(c) && DEMO_OBJECT.test(r.key) && got === '2xx') bad.push(`${r.key} foreign ${c} got ${why}`);
    }
  }
  // role sanity: only the enterprise's filer edits its document, only the platform admin creates organisations
  for (const c of CALLERS) {
    if (c !== 'filer' && table['PUT /filings/{id}/document'][c] === '2xx') bad.push(`PUT document as ${c} succeeded`);
    if (c !== 'admin' && table['POST /orgs'][c] === '2xx') bad.push(`POST /orgs as ${c} succeeded`);
    if (c !== 'admin' && table['PATCH /orgs/{id}'][c] === '2xx') bad.push(`PATCH /orgs/{id} as ${c} succeeded`);
  }
  // the lists a foreign caller may read hold nothing of the demo enterprise
  for (const c of FOREIGN) {
    for (const [list, ids] of [['/filings', [F, R]], ['/systems', [sysF, sysR]], ['/materials', [1, 2, 3]]]) {
      delete s.tokens[c]; // DELETE /session ended the matrix session
      const res = await s.req('GET', API + list, { token: await s.login(c) });
      assert.equal(res.status, 200, `GET ${list} as ${c}: ${res.text}`);
      const leaked = (res.body.items || []).filter((x) => ids.includes(x.id));
      if (leaked.length) bad.push(`GET ${list} as ${c} lists demo objects ${leaked.map((x) => x.id)}`);
    }
  }
  assert.deepEqual(bad, [], `invariants violated:\n${bad.join('\n')}`);

  const cells = all.length * CALLERS.length;
  if (process.env.BEIAN_UPDATE_AUTHZ === '1') {
    writeFileSync(EXPECTED, `${JSON.stringify(table, null, 2)}\n`);
    console.log(`authz: wrote ${cells} cells to ${EXPECTED.pathname}`);
  }
  const expected = JSON.parse(readFileSync(EXPECTED, 'utf8'));
  const diff = [];
  for (const key of new Set([...Object.keys(expected), ...Object.keys(table)])) {
    if (!table[key]) { diff.push(`${key}: in the expected table but not in docs/openapi.json`); continue; }
    if (!expected[key]) { diff.push(`${key}: route missing from the expected table`); continue; }
    for (const c of new Set([...Object.keys(expected[key]), ...CALLERS])) {
      if (expected[key][c] !== table[key][c])
        diff.push(`${key} as ${c}: expected ${expected[key][c]}, got ${table[key][c]} (${texts[`${key} ${c}`]})`);
    }
  }
  assert.deepEqual(diff, [], `${diff.length} cells differ from tests/fixtures/authz-expected.json ` +
    `(BEIAN_UPDATE_AUTHZ=1 rewrites it):\n${diff.join('\n')}`);
  console.log(`authz: ${all.length} routes × ${CALLERS.length} callers = ${cells} cells in ${Date.now() - t0} ms`);
});
