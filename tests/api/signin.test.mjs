// signin.test.mjs — issue 12, "hardening from an outside probe": sign-in throttling that never
// refuses the right password because of somebody else's failures (per account and address pair,
// growing delays, device cookies, keyed counters), the password-change throttle, API tokens that
// end (listed and revoked by their owner or the organisation's administrator, expiring, revoked by
// a password change, not minted by tokens) and passwords checked with cracklib.
//
// Clients come from different loopback addresses (127.0.0.2, .3, …: Linux routes all of 127/8 to
// lo), so "another address" is a real other source address. The clock the server's sign-in rules
// read is moved by writing seconds into the file BEIAN_TEST_CLOCK_FILE names (src/service/clock.c);
// no request can move it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, cli } from './lib.mjs';
import { assertProblem } from './helpers-io.mjs';

const clockDir = mkdtempSync(join(tmpdir(), 'beian-clock-'));
const CLOCK = join(clockDir, 'offset');
process.env.BEIAN_TEST_CLOCK_FILE = CLOCK; // the server started below inherits it
let offset = 0;
function advance(seconds) { offset += seconds; writeFileSync(CLOCK, String(offset)); }
writeFileSync(CLOCK, '0');

let s, admin;
before(async () => {
  s = await Server.start({ materials: false });
  admin = await s.as('admin');
});
after(async () => { await s?.stop(); rmSync(clockDir, { recursive: true, force: true }); });

// One request from a chosen source address; returns {status, headers, body, cookies}.
function from(addr, method, path, { body, token, cookie, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) { h['Content-Type'] = 'application/json'; h['Content-Length'] = Buffer.byteLength(payload); }
    if (token) h.Authorization = `Bearer ${token}`;
    if (cookie) h.Cookie = cookie;
    const req = http.request({ host: '127.0.0.1', port: s.port, method, path, headers: h, localAddress: addr, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { text += d; });
        res.on('end', () => {
          let json;
          try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
          const cookies = {};
          for (const c of res.headers['set-cookie'] || []) {
            const [kv] = c.split(';');
            const i = kv.indexOf('=');
            cookies[kv.slice(0, i)] = { value: kv.slice(i + 1), raw: c };
          }
          resolve({ status: res.statusCode, headers: res.headers, body: json, text, cookies });
        });
      });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
const signIn = (addr, login, password, cookie) => from(addr, 'POST', '/api/v1/session', { body: { login, password }, cookie });
const problem = (r, status, code) => assertProblem(r.headers.get ? r : { ...r, headers: { get: (k) => r.headers[k.toLowerCase()] } }, status, code);

async function makeUser(login, password, roles = ['filer'], org_id = 2) {
  const r = await admin('POST', '/api/v1/users', { body: { org_id, login, roles, password } });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

// ------------------------------------------------------------------------- sign-in throttling

test('an attacker hammering a login from one address does not lock out the real user at another', async () => {
  const pw = 'Quartz-heron-7-lantern';
  await makeUser('locked-out', pw);
  let refused = 0;
  for (let i = 0; i < 12; i++) {
    const r = await signIn('127.0.0.2', 'locked-out', `guess number ${i} x`);
    assert.ok(r.status === 401 || r.status === 429, `${r.status} ${r.text}`);
    if (r.status === 429) refused++;
  }
  assert.equal(refused, 7, 'the attacker gets 5 tries, then waits');
  // the attacker's address is slowed, even with the right password …
  problem(await signIn('127.0.0.2', 'locked-out', pw), 429, 'too_many_requests');
  // … but the real user elsewhere signs in at once
  const real = await signIn('127.0.0.3', 'locked-out', pw);
  assert.equal(real.status, 201, real.text);
  // the demo logins the probe named, too
  for (let i = 0; i < 8; i++) await signIn('127.0.0.2', 'reviewer', `guess number ${i} x`);
  assert.equal((await signIn('127.0.0.3', 'reviewer', s.logins.reviewer.password)).status, 201);
});

test('20+ failures from one address (a shared proxy) do not refuse a correct password from it', async () => {
  for (let i = 0; i < 25; i++) problem(await signIn('127.0.0.4', `sprayed-${i}`, 'Summer-2026-guess'), 401);
  const r = await signIn('127.0.0.4', 'checker', s.logins.checker.password);
  assert.equal(r.status, 201, r.text);
});

test('device cookie: the real user behind the attacker\'s address still signs in', async () => {
  const pw = 'Velvet-cobalt-92-meadow';
  await makeUser('behind-proxy', pw);
  const first = await signIn('127.0.0.5', 'behind-proxy', pw);
  assert.equal(first.status, 201, first.text);
  const dc = first.cookies.beian_device;
  assert.ok(dc, `a device cookie is set: ${JSON.stringify(first.headers['set-cookie'])}`);
  const attrs = dc.raw.split(';').map((x) => x.trim());
  assert.ok(attrs.includes('HttpOnly') && attrs.includes('Path=/api/v1/session') && attrs.some((a) => /^SameSite=Strict$/i.test(a)), dc.raw);
  assert.ok(!dc.value.includes(pw) && !dc.value.includes('behind-proxy'), 'the cookie holds neither password nor login');
  const cookie = `beian_device=${dc.value}`;
  // the attacker shares the address (a reverse proxy) and hammers the account
  for (let i = 0; i < 10; i++) await signIn('127.0.0.5', 'behind-proxy', `attacker guess ${i}`);
  problem(await signIn('127.0.0.5', 'behind-proxy', pw), 429); // a stranger there is slowed
  // the real user's browser presents its device cookie: not subject to the strangers' lockout
  const back = await signIn('127.0.0.5', 'behind-proxy', pw, cookie);
  assert.equal(back.status, 201, back.text);
  // a forged or borrowed cookie is a stranger's
  const forged = cookie.slice(0, -2) + (cookie.endsWith('AA') ? 'BB' : 'AA');
  problem(await signIn('127.0.0.5', 'behind-proxy', pw, forged), 429);
  const other = await signIn('127.0.0.6', 'checker', s.logins.checker.password);
  problem(await signIn('127.0.0.5', 'behind-proxy', pw, `beian_device=${other.cookies.beian_device.value}`), 429);
  // the cookie has its own counter: a thief holding it gets 5 tries, then waits
  let statuses = [];
  for (let i = 0; i < 7; i++) statuses.push((await signIn('127.0.0.7', 'behind-proxy', `thief ${i} guess`, cookie)).status);
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
});

test('a guess spread over many addresses slows strangers of the account, not its known devices', async () => {
  const pw = 'Topaz-meridian-27-kettle';
  await makeUser('distributed', pw);
  const known = await signIn('127.0.0.41', 'distributed', pw);
  const cookie = `beian_device=${known.cookies.beian_device.value}`;
  const statuses = [];
  for (let a = 20; a < 31; a++)
    for (let i = 0; i < 5; i++) statuses.push((await signIn(`127.0.0.${a}`, 'distributed', `botnet ${a} ${i}`)).status);
  assert.equal(statuses.filter((x) => x === 401).length, 50, 'strangers share 50 free failures');
  assert.ok(statuses.slice(50).every((x) => x === 429), `${statuses.slice(50)}`);
  // a stranger at a fresh address waits now, even with the right password (the price of this counter) …
  problem(await signIn('127.0.0.40', 'distributed', pw), 429);
  // … the browser that signed in before does not
  assert.equal((await signIn('127.0.0.40', 'distributed', pw, cookie)).status, 201);
});

test('a login whose counter would share a slot cannot reset another account\'s count', async () => {
  // Under the old unkeyed BLAKE2b-128("account:" + login) mod 4096, "collider-4833" shared the slot
  // of "victim-collide" (python3: hashlib.blake2b(b"account:"+s, digest_size=16)); one failure of it
  // reset the victim's count. The counters are now keyed with a secret per process.
  const pw = 'Harbor-ginger-58-violin';
  await makeUser('victim-collide', pw);
  for (let i = 0; i < 5; i++) problem(await signIn('127.0.0.8', 'victim-collide', `wrong ${i} attempt`), 401);
  problem(await signIn('127.0.0.8', 'victim-collide', 'wrong again attempt'), 429);
  problem(await signIn('127.0.0.9', 'collider-4833', 'anything at all'), 401);
  problem(await signIn('127.0.0.8', 'victim-collide', 'wrong once more'), 429);
});

test('delays grow with each failure: 15 s, 30 s, 60 s; a success forgets them', async () => {
  const pw = 'Saffron-glacier-31-tulip';
  await makeUser('slowed', pw);
  for (let i = 0; i < 5; i++) problem(await signIn('127.0.0.10', 'slowed', `wrong ${i} attempt`), 401);
  const waits = [];
  for (let round = 0; round < 3; round++) {
    const r = await signIn('127.0.0.10', 'slowed', 'during the delay');
    const p = problem(r, 429, 'too_many_requests');
    const retry = Number(r.headers['retry-after']);
    assert.equal(p.retry_after, retry);
    waits.push(retry);
    advance(retry);
    problem(await signIn('127.0.0.10', 'slowed', `after the delay ${round}`), 401);
  }
  assert.ok(waits[0] >= 13 && waits[0] <= 15, `first delay ${waits}`);
  assert.ok(waits[1] >= 28 && waits[1] <= 30, `second delay ${waits}`);
  assert.ok(waits[2] >= 58 && waits[2] <= 60, `third delay ${waits}`);
  const r = await signIn('127.0.0.10', 'slowed', pw);
  problem(r, 429);
  advance(Number(r.headers['retry-after']));
  assert.equal((await signIn('127.0.0.10', 'slowed', pw)).status, 201);
  problem(await signIn('127.0.0.10', 'slowed', 'a fresh mistake'), 401); // forgotten: no delay
});

test('POST /me/password is throttled: after 5 wrong current passwords, even the right one waits', async () => {
  const pw = 'Maple-orbit-64-canyon';
  await makeUser('pw-guessed', pw);
  const token = (await signIn('127.0.0.11', 'pw-guessed', pw)).body.token;
  const change = (old_password) => from('127.0.0.11', 'POST', '/api/v1/me/password',
    { token, body: { old_password, new_password: 'Copper-willow-17-harvest' } });
  for (let i = 0; i < 5; i++) problem(await change(`guessing ${i} old`), 403);
  const r = await change(pw);
  problem(r, 429, 'too_many_requests');
  const retry = Number(r.headers['retry-after']);
  assert.ok(retry > 0 && retry <= 15, `Retry-After ${retry}`);
  advance(retry);
  assert.equal((await change(pw)).status, 204);
});

// ------------------------------------------------------------------------- API tokens

test('a password change revokes API tokens by default, and keeps them when asked', async () => {
  const pw1 = 'Indigo-falcon-23-pebble', pw2 = 'Crimson-tundra-85-whistle', pw3 = 'Amber-lagoon-46-rocket';
  await makeUser('token-owner', pw1);
  let session = (await signIn('127.0.0.12', 'token-owner', pw1)).body.token;
  const t1 = (await s.req('POST', '/api/v1/tokens', { token: session, body: { name: 'ci' } })).body.token;
  assert.equal((await s.req('GET', '/api/v1/me', { token: t1 })).status, 200);
  let r = await s.req('POST', '/api/v1/me/password', { token: session, body: { old_password: pw1, new_password: pw2 } });
  assert.equal(r.status, 204, r.text);
  problem(await from('127.0.0.12', 'GET', '/api/v1/me', { token: t1 }), 401);

  session = (await signIn('127.0.0.12', 'token-owner', pw2)).body.token;
  const t2 = (await s.req('POST', '/api/v1/tokens', { token: session, body: { name: 'kept' } })).body.token;
  r = await s.req('POST', '/api/v1/me/password', { token: session, body: { old_password: pw2, new_password: pw3, revoke_tokens: false } });
  assert.equal(r.status, 204, r.text);
  assert.equal((await s.req('GET', '/api/v1/me', { token: t2 })).status, 200, 'kept as asked');
  session = (await signIn('127.0.0.12', 'token-owner', pw3)).body.token;
  r = await s.req('POST', '/api/v1/me/password', { token: session, body: { old_password: pw3, new_password: pw1, revoke_tokens: 'no' } });
  problem(r, 422);
  assert.equal(r.body.field, '/revoke_tokens');
});

test('GET /tokens lists one\'s own tokens without secrets; DELETE /tokens/{id} revokes one', async () => {
  const pw = 'Nimbus-garnet-72-falcon';
  await makeUser('lister', pw);
  await makeUser('someone-else', 'Juniper-quasar-19-bridge');
  const session = (await signIn('127.0.0.13', 'lister', pw)).body.token;
  const other = (await signIn('127.0.0.13', 'someone-else', 'Juniper-quasar-19-bridge')).body.token;
  const made = await s.req('POST', '/api/v1/tokens', { token: session, body: { name: 'deploy', days: 30 } });
  assert.equal(made.status, 201, made.text);
  assert.match(made.body.id, /^[0-9a-f]{16}$/);
  const secret = made.body.token;
  const hash = createHash('sha256').update(secret).digest('hex');
  assert.ok(!hash.includes(made.body.id), 'the id is not (part of) the hash');
  await s.req('POST', '/api/v1/tokens', { token: session, body: { name: 'second' } });
  const otherTok = await s.req('POST', '/api/v1/tokens', { token: other, body: { name: 'not yours' } });

  const list = await s.req('GET', '/api/v1/tokens', { token: session });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.items.map((t) => t.name), ['deploy', 'second']);
  for (const t of list.body.items) {
    assert.deepEqual(Object.keys(t).sort(), ['created_at', 'expires_at', 'id', 'login', 'name', 'org_id', 'user_id']);
    assert.ok(!JSON.stringify(t).includes(secret) && !JSON.stringify(t).includes(hash));
  }
  // the token can see its own list too, but the other user's token is not in it
  assert.ok(!list.body.items.some((t) => t.id === otherTok.body.id));
  problem(await s.req('DELETE', `/api/v1/tokens/${otherTok.body.id}`, { token: session }), 404);
  problem(await s.req('DELETE', '/api/v1/tokens/not-an-id', { token: session }), 404);
  assert.equal((await s.req('GET', '/api/v1/me', { token: otherTok.body.token })).status, 200);

  const del = await s.req('DELETE', `/api/v1/tokens/${made.body.id}`, { token: session });
  assert.equal(del.status, 204, del.text);
  problem(await s.req('GET', '/api/v1/me', { token: secret }), 401);
  problem(await s.req('DELETE', `/api/v1/tokens/${made.body.id}`, { token: session }), 404);
  assert.deepEqual((await s.req('GET', '/api/v1/tokens', { token: session })).body.items.map((t) => t.name), ['second']);
});

test('an organisation admin lists and revokes its members\' tokens, not another organisation\'s', async () => {
  const filerTok = await s.req('POST', '/api/v1/tokens', { token: await s.login('filer'), body: { name: 'filer ci' } });
  const provTok = await s.req('POST', '/api/v1/tokens', { token: await s.login('provider'), body: { name: 'provider ci' } });
  const ent = await s.login('entadmin');
  const list = await s.req('GET', '/api/v1/tokens?scope=org', { token: ent });
  assert.equal(list.status, 200, list.text);
  assert.ok(list.body.items.some((t) => t.id === filerTok.body.id && t.login === 'filer'));
  assert.ok(!list.body.items.some((t) => t.id === provTok.body.id));
  problem(await s.req('GET', '/api/v1/tokens?scope=org', { token: await s.login('filer') }), 403);
  assert.equal(problem(await s.req('GET', '/api/v1/tokens?scope=everything', { token: ent }), 400, 'bad_query_parameter').field, 'scope');
  // another organisation's token: as if it did not exist
  problem(await s.req('DELETE', `/api/v1/tokens/${provTok.body.id}`, { token: ent }), 404);
  assert.equal((await s.req('GET', '/api/v1/me', { token: provTok.body.token })).status, 200);
  // a member's: revoked
  assert.equal((await s.req('DELETE', `/api/v1/tokens/${filerTok.body.id}`, { token: ent })).status, 204);
  problem(await s.req('GET', '/api/v1/me', { token: filerTok.body.token }), 401);
  // a plain member cannot revoke a colleague's
  const colleague = await s.req('POST', '/api/v1/tokens', { token: await s.login('checker'), body: { name: 'checker ci' } });
  problem(await s.req('DELETE', `/api/v1/tokens/${colleague.body.id}`, { token: await s.login('filer') }), 404);
});

test('a request authenticated by an API token cannot mint another token: 403', async () => {
  const t = await s.req('POST', '/api/v1/tokens', { token: await s.login('filer'), body: { name: 'minter' } });
  const r = await s.req('POST', '/api/v1/tokens', { token: t.body.token, body: { name: 'minted' } });
  problem(r, 403, 'forbidden');
  assert.equal(r.body.token, undefined);
});

// ------------------------------------------------------------------------- passwords (cracklib)

test('weak passwords are refused with a clear message: API user creation, /me/password, CLI', async () => {
  const weak = [['password123', /dictionary|simplistic/], ['Sunshine2026!', /dictionary/], ['qwertyuiop', /.+/], ['aaaaaaaaaaaa', /DIFFERENT|simplistic/],
    ['weakling-Tiger-88', /login|name/]];
  for (const [pw, why] of weak) {
    const r = await admin('POST', '/api/v1/users', { body: { org_id: 2, login: 'weakling', roles: ['filer'], password: pw } });
    problem(r, 422, 'validation_failed');
    assert.equal(r.body.field, '/password');
    assert.match(r.body.detail_en, /weak|login/);
    assert.match(r.body.detail_en, why);
    assert.ok(r.body.detail_zh.length > 0 && r.body.detail_zh !== r.body.detail_en);
  }
  const pw = 'Lotus-copper-55-anchor';
  await makeUser('strong-one', pw);
  const token = (await signIn('127.0.0.14', 'strong-one', pw)).body.token;
  let r = await s.req('POST', '/api/v1/me/password', { token, body: { old_password: pw, new_password: 'password1234' } });
  problem(r, 422);
  assert.equal(r.body.field, '/new_password');
  r = await s.req('POST', '/api/v1/me/password', { token, body: { old_password: pw, new_password: pw } });
  problem(r, 422);
  assert.match(r.body.detail_en, /differ/);
  // the CLI: user add and user passwd
  const add = cli(['user', 'add', '--data', s.data, '--org', '2', '--login', 'cliweak', '--role', 'filer', '--password-stdin'],
    { input: 'password123\n' });
  assert.equal(add.status, 1, add.stderr);
  assert.match(add.stderr, /weak/);
  const passwd = cli(['user', 'passwd', '--data', s.data, '--login', 'strong-one', '--password-stdin'], { input: 'dragon12345\n' });
  assert.equal(passwd.status, 1, passwd.stderr);
  assert.match(passwd.stderr, /weak/);
  const same = cli(['user', 'passwd', '--data', s.data, '--login', 'strong-one', '--password-stdin'], { input: `${pw}\n` });
  assert.equal(same.status, 1, same.stderr);
  assert.match(same.stderr, /differ/);
});

test('serve --token-days and --token-max-days set the default and the cap (at most a year)', async () => {
  const t = await Server.start({ materials: false, args: ['--token-days', '7', '--token-max-days', '30'] });
  try {
    const session = await t.login('filer');
    let r = await t.req('POST', '/api/v1/tokens', { token: session, body: { name: 'short default' } });
    assert.equal(r.status, 201, r.text);
    const life = (Date.parse(r.body.expires_at) - Date.parse(r.body.created_at)) / 86400e3;
    assert.ok(Math.abs(life - 7) < 0.01, `default life ${life} days`);
    r = await t.req('POST', '/api/v1/tokens', { token: session, body: { name: 'too long', days: 31 } });
    problem(r, 422);
    assert.match(r.body.detail_en, /1 to 30 days/);
  } finally { await t.stop(); }
  for (const args of [['--token-max-days', '366'], ['--token-days', '40', '--token-max-days', '30'], ['--token-days', '0']]) {
    const r = cli(['serve', '--data', s.data, '--listen', '127.0.0.1:1', ...args]);
    assert.equal(r.status, 2, `${args}: ${r.stderr}`);
    assert.match(r.stderr, /token/);
  }
});

// Last: it moves the clock by 91 days, which ends every session of this server.
test('tokens expire: 90 days by default, at most 365 (a longer request → 422)', async () => {
  const session = await s.login('checker');
  let r = await s.req('POST', '/api/v1/tokens', { token: session, body: { name: 'too long', days: 366 } });
  problem(r, 422, 'validation_failed');
  assert.equal(r.body.field, '/days');
  assert.match(r.body.detail_en, /1 to 365 days/);
  r = await s.req('POST', '/api/v1/tokens', { token: session, body: { name: 'ten years', days: 3650 } });
  problem(r, 422);
  r = await s.req('POST', '/api/v1/tokens', { token: session, body: { name: 'a year', days: 365 } });
  assert.equal(r.status, 201, r.text);
  r = await s.req('POST', '/api/v1/tokens', { token: session, body: { name: 'default' } });
  assert.equal(r.status, 201, r.text);
  const life = (Date.parse(r.body.expires_at) - Date.parse(r.body.created_at)) / 86400e3;
  assert.ok(Math.abs(life - 90) < 0.01, `default life ${life} days`);
  const secret = r.body.token;
  assert.equal((await s.req('GET', '/api/v1/me', { token: secret })).status, 200);
  advance(89 * 86400);
  assert.equal((await s.req('GET', '/api/v1/me', { token: secret })).status, 200);
  advance(2 * 86400);
  problem(await s.req('GET', '/api/v1/me', { token: secret }), 401);
});
