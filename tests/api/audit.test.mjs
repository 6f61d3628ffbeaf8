// audit.test.mjs — who reads which audit entries (issue 12), through GET /audit and
// GET /filings/{id}/events alike:
//   - a provider: a filing's entries from the moment its confirmation was asked (the first
//     approve_check), never the enterprise's drafting history before it;
//   - an authority: its filings' entries from submission (the provider's confirm_hosting) on;
//   - an enterprise user: its own organisation's entries only; user management (accounts,
//     sessions, tokens) of others only for its org_admin;
//   - the platform admin: everything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';
import { API, DEMO, completeDraft, createUser, driveTo, loginAll, newSystem } from './story.mjs';

let s;
let fid;   // a filing of the demo enterprise, driven to submitted
let asked, submitted;   // the audit ids of its approve_check and confirm_hosting entries

const get = async (login, path) => {
  const r = await s.req('GET', `${API}${path}`, { token: s.tokens[login] });
  assert.equal(r.status, 200, `${login} GET ${path}: ${r.status} ${r.text}`);
  return r.body.items;
};

before(async () => {
  s = await Server.start();
  await loginAll(s, ['admin', 'filer', 'checker', 'entadmin', 'provider', 'provadmin', 'reviewer']);
  fid = await completeDraft(s, await newSystem(s));
  await driveTo(s, fid, 'submitted');
  const all = await get('admin', `/audit?filing_id=${fid}&limit=500`);
  asked = all.find((a) => a.action === 'filing.approve_check').id;
  submitted = all.find((a) => a.action === 'filing.confirm_hosting').id;
  assert.ok(all.some((a) => a.action === 'filing.create' && a.id < asked), 'the filing has a drafting history');
  assert.ok(all.some((a) => a.action === 'filing.document' && a.id < asked));
});
after(async () => { await s?.stop(); });

test('a provider sees a filing\'s entries only from its confirmation request on, in /audit and in /events', async () => {
  for (const path of [`/audit?filing_id=${fid}&limit=500`, `/filings/${fid}/events`]) {
    const items = await get('provider', path);
    assert.ok(items.length >= 2, path);
    for (const a of items) assert.ok(a.id >= asked, `${path}: ${a.action} (${a.id}) is from before the request (${asked})`);
    const actions = items.map((a) => a.action);
    assert.ok(actions.includes('filing.approve_check') && actions.includes('filing.confirm_hosting'), actions.join());
    assert.ok(!actions.includes('filing.create') && !actions.includes('filing.document') && !actions.includes('filing.submit_for_check'));
  }
  // nor in the whole log
  const all = await get('provider', '/audit?limit=500');
  assert.ok(!all.some((a) => a.filing_id === fid && a.id < asked));
  // and nothing of the enterprise's own affairs (materials, systems)
  assert.ok(!all.some((a) => a.org_id === DEMO.enterprise && a.filing_id == null), 'no enterprise entries outside filings');
});

test('an authority sees its filing\'s entries from submission on', async () => {
  for (const path of [`/audit?filing_id=${fid}&limit=500`, `/filings/${fid}/events`]) {
    const items = await get('reviewer', path);
    assert.ok(items.length >= 1, path);
    for (const a of items) assert.ok(a.id >= submitted, `${path}: ${a.action} (${a.id}) is from before submission (${submitted})`);
    assert.ok(items.some((a) => a.action === 'filing.confirm_hosting'));
  }
});

test('the enterprise sees the whole history of its filing, the provider\'s and the authority\'s steps included', async () => {
  const items = await get('filer', `/filings/${fid}/events`);
  const actions = items.map((a) => a.action);
  for (const x of ['filing.create', 'filing.document', 'filing.submit_for_check', 'filing.approve_check', 'filing.confirm_hosting'])
    assert.ok(actions.includes(x), x);
});

test('within the enterprise, user management of others is for its org_admin only; a filer sees its own sign-ins', async () => {
  const u = await createUser(s, DEMO.enterprise, 'audit_filer2', ['filer']);
  const me = (await s.req('GET', `${API}/me`, { token: s.tokens.filer })).body.id;
  const filer = await get('filer', '/audit?limit=500');
  assert.ok(filer.length > 0);
  for (const a of filer) assert.ok(a.org_id === DEMO.enterprise || a.actor_org_id === DEMO.enterprise, JSON.stringify(a));
  assert.ok(!filer.some((a) => a.action === 'user.create' && a.object_id !== me), 'no other user\'s user.create for a filer');
  assert.ok(!filer.some((a) => a.object_type === 'user' && a.object_id !== me), 'no other user\'s sessions');
  assert.ok(filer.some((a) => a.action === 'session.create' && a.object_id === me), 'its own sign-in');
  assert.ok(filer.some((a) => a.action === 'material.create'), 'its organisation\'s materials');
  const admin = await get('entadmin', '/audit?limit=500');
  assert.ok(admin.some((a) => a.action === 'user.create' && a.object_id === u.id), 'the org_admin sees the new user');
  assert.ok(admin.some((a) => a.action === 'session.create' && a.object_id !== me), 'and the sign-ins of others');
  // the same within the provider: its plain provider user sees no other account's entries, its org_admin does
  const prov = await get('provider', '/audit?limit=500');
  const provMe = (await s.req('GET', `${API}/me`, { token: s.tokens.provider })).body.id;
  assert.ok(!prov.some((a) => a.object_type === 'user' && a.object_id !== provMe));
  assert.ok((await get('provadmin', '/audit?limit=500')).some((a) => a.object_type === 'user' && a.object_id === provMe));
});

test('the platform admin sees everything', async () => {
  const all = await get('admin', '/audit?limit=500');
  const orgs = new Set(all.map((a) => a.org_id));
  assert.ok(orgs.has(DEMO.enterprise) && orgs.has(DEMO.provider));
  assert.ok(all.some((a) => a.action === 'user.create'));
  assert.ok(all.some((a) => a.filing_id === fid && a.action === 'filing.create'));
});
