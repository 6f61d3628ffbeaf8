// matrix.test.mjs — the transition table, served at GET /api/v1/workflow, checked cell by cell
// against the real server: for each state a filing can be in, every action of the table is tried
// by every demo user and by users of foreign organisations. The expected outcome of each try is
// derived from the table and the visibility rules, never written down per cell:
//   - a user who cannot see the filing gets 404 (enterprise: its own filings; provider: filings
//     naming it, from provider_confirmation on; authority: filings of its jurisdiction, from
//     submitted on, or from a minor change recorded; the platform admin sees everything);
//   - a user who sees it but whom no row of the table allows (role, party, guards) gets 409 with
//     the state and action, and the filing is unchanged (same view, same events);
//   - a permitted user gets 200 and the row's target state (then the next try uses a new filing).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';
import {
  API, DEMO, RECTIFICATION_ITEMS, act, actOk, completeDraft, createSystem, driveTo, foreignParties, getFiling, loginAll, newSystem,
  patchDocument, todayUTC } from './story.mjs';

const DEMO_LOGINS = ['admin', 'filer', 'checker', 'entadmin', 'provider', 'provadmin', 'reviewer', 'authadmin'];

// Each state under test, the states the filing passes through to get there (visibility follows
// from them), and how to get there: along the story path to `via`, then an optional last step.
const SCENARIOS = {
  draft: { path: ['draft'] },
  internal_check: { path: ['draft', 'internal_check'] },
  provider_confirmation: { path: ['draft', 'internal_check', 'provider_confirmation'] },
  submitted: { path: ['draft', 'internal_check', 'provider_confirmation', 'submitted'] },
  under_review: { path: ['draft', 'internal_check', 'provider_confirmation', 'submitted', 'under_review'] },
  rectification: { path: ['draft', 'internal_check', 'provider_confirmation', 'submitted', 'under_review', 'rectification'] },
  filed: { path: ['draft', 'internal_check', 'provider_confirmation', 'submitted', 'under_review', 'filed'] },
  // a resubmission after rectification: the check goes straight back to review
  resubmitted: { path: ['draft', 'internal_check', 'provider_confirmation', 'submitted', 'under_review', 'rectification', 'internal_check'],
    via: 'rectification', last: ['filer', 'submit_for_check', undefined] },
  // declined by the provider: a draft again, which the provider (asked once) still sees
  declined: { path: ['draft', 'internal_check', 'provider_confirmation', 'draft'],
    via: 'provider_confirmation', last: ['provider', 'decline_hosting', { reason: '未签订合同' }] },
  // the endings: nothing is allowed any more, and visibility stays what it was
  withdrawn: { path: ['draft', 'withdrawn'], via: 'draft', last: ['filer', 'withdraw', {}] },
  rejected: { path: ['draft', 'internal_check', 'provider_confirmation', 'submitted', 'under_review', 'rejected'],
    via: 'under_review', last: ['reviewer', 'reject', { reason: '不符合条件' }] },
  cancelled: { path: ['draft', 'internal_check', 'provider_confirmation', 'submitted', 'under_review', 'filed', 'cancelled'],
    via: 'filed', last: ['filer', 'cancel', { reason: '系统下线' }] },
  revoked: { path: ['draft', 'internal_check', 'provider_confirmation', 'submitted', 'under_review', 'filed', 'revoked'],
    via: 'filed', last: ['authadmin', 'revoke', { reason: '虚假材料' }] },
  // change reports of a filed record: a minor change (a new filing contact) in its check, and
  // recorded at once (the authority may object; the provider is never asked)
  minor_change_check: { path: ['draft', 'internal_check'], change: 'minor' },
  minor_recorded: { path: ['draft', 'internal_check', 'minor_recorded'], change: 'minor',
    last: ['checker', 'approve_check', undefined] },
};

let s;
let table;           // GET /api/v1/workflow
let actions;         // every action name of the table
let users;           // login → {id, roles, org: {id, kind, jurisdiction}}
let logins;          // every login tried
let systemId;
const ref = { region: '110105', provider: DEMO.provider };   // what the reference document names

before(async () => {
  s = await Server.start();
  await s.login('admin');
  const foreign = await foreignParties(s);
  logins = [...DEMO_LOGINS, ...foreign.logins];
  await loginAll(s, logins);

  const wf = await s.req('GET', `${API}/workflow`);
  assert.equal(wf.status, 200);
  table = wf.body.transitions;
  assert.ok(table.length > 0);
  actions = [...new Set(table.map((r) => r.action))];
  for (const sc of Object.values(SCENARIOS)) for (const st of sc.path) assert.ok(wf.body.states.includes(st), `${st} is a state`);

  const orgs = await s.req('GET', `${API}/orgs`, { token: s.tokens.admin });
  assert.equal(orgs.status, 200);
  const orgById = new Map(orgs.body.items.map((o) => [o.id, o]));
  users = {};
  for (const l of logins) {
    const r = await s.req('GET', `${API}/me`, { token: s.tokens[l] });
    assert.equal(r.status, 200);
    const org = orgById.get(r.body.org.id);
    assert.ok(org, `the org of ${l} is listed`);
    users[l] = { id: r.body.id, roles: r.body.roles, org: { id: org.id, kind: org.kind, jurisdiction: org.jurisdiction || [] } };
  }
  // the foreign authority must not cover the demo enterprise's region, or the test proves nothing
  assert.ok(!covers(users.reviewer2.org.jurisdiction, ref.region));
  assert.ok(covers(users.reviewer.org.jurisdiction, ref.region));
  systemId = await createSystem(s, 'filer', '矩阵测试系统');
});

after(async () => { await s?.stop(); });

// ------------------------------------------------------------------------------------ the model

// GB/T 2260: 110000 covers 11xxxx, 110100 covers 1101xx, anything else only itself.
function covers(jurisdiction, region) {
  return jurisdiction.some((j) => {
    if (j.endsWith('0000')) return region.slice(0, 2) === j.slice(0, 2);
    if (j.endsWith('00')) return region.slice(0, 4) === j.slice(0, 4);
    return region === j;
  });
}

// The parties a user belongs to for a filing of the demo enterprise.
function parties(u) {
  const p = new Set();
  if (u.org.kind === 'enterprise' && u.org.id === DEMO.enterprise) p.add('owner');
  if (u.org.kind === 'provider' && u.org.id === ref.provider) p.add('provider');
  if (u.org.kind === 'authority' && covers(u.org.jurisdiction, ref.region)) p.add('authority');
  return p;
}

function visible(u, path) {
  if (u.org.kind === 'platform') return true;
  const p = parties(u);
  if (p.has('owner')) return true;
  if (p.has('provider')) return path.includes('provider_confirmation');
  if (p.has('authority')) return path.includes('submitted') || path.includes('minor_recorded');
  return false;
}

// The guards of a row for this filing: 'pass', 'skip' (a selector that does not choose the row)
// or 'fail'. The filings here are fresh: complete, last edited by the demo filer, not resubmitted
// from rectification, without a change filing and without override requests, each of a system
// of its own, with nothing in the registry that changed since submission; a change scenario's
// filing is a change report the pack classifies as `sc.change`, never objected to, reported today.
function guard(g, u, path, sc = {}) {
  switch (g) {
    case 'complete': return 'pass';
    case 'not_last_editor': return u.id === users.filer.id ? 'fail' : 'pass';
    case 'resubmission_same_provider': {
      const i = path.lastIndexOf('internal_check');
      return i > 0 && path[i - 1] === 'rectification' ? 'pass' : 'skip';
    }
    case 'record_without_open_change': return 'pass';
    case 'overrides_decided': return 'pass';
    case 'no_standing_errors': return 'pass';
    case 'system_free': return 'pass';
    case 'minor_change': return sc.change === 'minor' ? 'pass' : 'skip';
    case 'objection_window_open': return 'pass';
    default: throw new Error(`the test does not know guard ${g}: extend the model`);
  }
}

// The expected outcome of `action` by user `login` on a filing in the last state of `path`:
// {status: 404} | {status: 409} | {status: 200, to}.
function expect(login, action, path, sc) {
  const u = users[login];
  const state = path[path.length - 1];
  if (!visible(u, path)) return { status: 404 };
  for (const r of table) {
    if (r.from !== state || r.action !== action) continue;
    if (!r.roles.some((x) => u.roles.includes(x)) || !parties(u).has(r.party)) continue;
    const verdicts = r.guards.map((g) => guard(g, u, path, sc));
    if (verdicts.includes('fail')) return { status: 409 };
    if (verdicts.includes('skip')) continue;
    const to = r.to === 'previous' ? path[path.length - 2] : r.to === 'same' ? state : r.to;
    return { status: 200, to, row: r };
  }
  return { status: 409 };
}

// A valid body for an action: what its rows need.
function bodyFor(action) {
  const needs = new Set(table.filter((r) => r.action === action).flatMap((r) => r.needs));
  const b = {};
  if (needs.has('comment')) b.comment = '矩阵测试意见';
  if (needs.has('reason')) b.reason = '矩阵测试理由';
  if (needs.has('items')) b.items = RECTIFICATION_ITEMS;
  if (needs.has('effective_on')) b.effective_on = todayUTC();
  return b;
}

// ------------------------------------------------------------------------------------ the runs

async function freshFiling(name) {
  const sc = SCENARIOS[name];
  const state = sc.path[sc.path.length - 1];
  if (sc.change) return freshChange(sc, state);
  const id = await completeDraft(s, await newSystem(s));
  await driveTo(s, id, sc.via || state);
  if (sc.last) await actOk(s, sc.last[0], id, sc.last[1], sc.last[2], state);
  const f = await getFiling(s, 'admin', id);
  assert.equal(f.state, state);
  return id;
}

// A change report of a new filed record, edited to a change of class sc.change, in `state`.
async function freshChange(sc, state) {
  const record = await completeDraft(s, await newSystem(s));
  await driveTo(s, record, 'filed');
  const ch = (await actOk(s, 'filer', record, 'report_change', { effective_on: todayUTC() }, 'filed')).change_filing;
  const saved = await patchDocument(s, ch.id, { subject: { filing_contact: { name: '矩阵联系人' } } }, ch.etag);
  assert.equal(saved.change_class, sc.change);
  await actOk(s, 'filer', ch.id, 'submit_for_check', undefined, 'internal_check');
  if (sc.last) await actOk(s, sc.last[0], ch.id, sc.last[1], sc.last[2], state);
  const f = await getFiling(s, 'admin', ch.id);
  assert.equal(f.state, state);
  return ch.id;
}

const snapshot = async (id) => {
  const [f, ev] = await Promise.all([getFiling(s, 'admin', id), s.req('GET', `${API}/filings/${id}/events`, { token: s.tokens.admin })]);
  assert.equal(ev.status, 200);
  // the server's own daily check (a timer, every minute here) may log standing.* events on a filed
  // record at any moment: those are not the actions' doing
  return { filing: f, events: ev.body.items.filter((e) => !e.action.startsWith('standing.')).length };
};

for (const [name, sc] of Object.entries(SCENARIOS)) {
  const state = sc.path[sc.path.length - 1];
  test(`every action by every user on a filing in ${state}${name !== state ? ` (${name})` : ''}`, async () => {
    let id = await freshFiling(name);
    let used = false;
    let tries = 0;

    // the hints agree with the model: allowed_actions of each user who sees the filing
    for (const l of logins) {
      const r = await s.req('GET', `${API}/filings/${id}`, { token: s.tokens[l] });
      const want = actions.filter((a) => expect(l, a, sc.path, sc).status === 200).sort();
      if (!visible(users[l], sc.path)) {
        assert.equal(r.status, 404, `${l} must not see a filing in ${state}`);
        continue;
      }
      assert.equal(r.status, 200, `${l} sees a filing in ${state}`);
      assert.deepEqual([...r.body.allowed_actions].sort(), want, `allowed_actions of ${l} in ${state}`);
    }

    for (const action of actions) {
      const body = bodyFor(action);
      const outcomes = logins.map((l) => [l, expect(l, action, sc.path, sc)]);
      const refused = outcomes.filter(([, o]) => o.status !== 200);
      const permitted = outcomes.filter(([, o]) => o.status === 200);

      // refusals first, all on the same filing (concurrently: none of them may change it)
      if (used) { id = await freshFiling(name); used = false; }
      const before = await snapshot(id);
      await Promise.all(refused.map(async ([l, o]) => {
        const r = await act(s, l, id, action, body);
        const what = `${action} by ${l} in ${state}`;
        assert.equal(r.status, o.status, `${what}: expected ${o.status}, got ${r.status} ${r.text}`);
        if (o.status === 404) {
          assert.equal(r.body.code, 'not_found', what);
        } else {
          assert.equal(r.body.code, 'conflict', what);
          assert.equal(r.body.state, state, what);
          assert.equal(r.body.action, action, what);
        }
        const f = await getFiling(s, 'admin', id);
        assert.equal(f.state, state, `${what} changed the state`);
        assert.equal(f.revision, before.filing.revision, `${what} changed the document`);
        tries++;
      }));
      const afterRefusals = await snapshot(id);
      assert.deepEqual(afterRefusals, before, `refused ${action} tries in ${state} changed nothing, events included`);

      // then each permitted user, each on a filing in this state
      for (const [l, o] of permitted) {
        if (used) { id = await freshFiling(name); used = false; }
        const r = await act(s, l, id, action, body);
        assert.equal(r.status, 200, `${action} by ${l} in ${state}: expected 200, got ${r.status} ${r.text}`);
        assert.equal(r.body.filing.state, o.to, `${action} by ${l} in ${state} leads to ${o.to}`);
        assert.equal((await getFiling(s, 'admin', id)).state, o.to);
        if (action === 'report_change') assert.equal(r.body.change_filing?.parent_id, id);
        used = true;
        tries++;
      }
    }
    assert.equal(tries, actions.length * logins.length);
  });
}

test('the scenarios exercise every row of the table', () => {
  // each row is the one chosen for some user in some scenario; a row nobody reaches means the
  // table grew (extend SCENARIOS) or the model is wrong
  for (const r of table) {
    const someone = Object.values(SCENARIOS).some((x) => x.path[x.path.length - 1] === r.from &&
      logins.some((l) => { const o = expect(l, r.action, x.path, x); return o.status === 200 && o.row === r; }));
    assert.ok(someone, `nobody in any scenario gets the row ${r.from} --${r.action}--> ${r.to}`);
  }
});
