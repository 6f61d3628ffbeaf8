// badinput.test.mjs — what the API does with bodies and requests it must refuse: malformed JSON,
// wrong types, unknown fields, oversized and mislabelled bodies, unknown routes and methods,
// invalid UTF-8, NUL, deep nesting; and that odd but valid strings are stored exactly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';
import { rawRequest, head, assertProblem, uscc } from './helpers-io.mjs';

const MiB = 1024 * 1024;
let s, filer, admin, filerToken;

before(async () => {
  s = await Server.start();
  filer = await s.as('filer');
  admin = await s.as('admin');
  filerToken = await s.login('filer');
});
after(async () => { await s?.stop(); });

async function newFiling(name = 'badinput system') {
  const sys = await filer('POST', '/api/v1/systems', { body: { name } });
  assert.equal(sys.status, 201, sys.text);
  const f = await filer('POST', '/api/v1/filings', { body: { system_id: sys.body.id, kind: 'initial' } });
  assert.equal(f.status, 201, f.text);
  return f.body;
}

// ------------------------------------------------------------------------- malformed JSON

test('malformed JSON: 400 problem with line and column of the error (error on line 3)', async () => {
  const body = '{\n  "name": "x",\n  "description": oops\n}\n';
  const r = await filer('POST', '/api/v1/systems', { raw: body });
  const p = assertProblem(r, 400, 'malformed_json');
  assert.equal(p.line, 3, JSON.stringify(p));
  // "oops" occupies columns 18..21 of line 3; jansson reports a column inside the bad token
  const col = '  "description": '.length + 1;
  assert.ok(p.column >= col && p.column <= col + 3, `column ${p.column} should point at "oops" (${col}..${col + 3})`);
  assert.match(p.detail_en, /line 3, column \d+/);
  assert.match(p.detail_zh, /第 3 行/);
});

test('malformed JSON: other syntax errors carry their own line and column', async () => {
  // missing comma between members on line 2
  let r = await filer('POST', '/api/v1/systems', { raw: '{"name": "a"\n "description": "b"}' });
  let p = assertProblem(r, 400, 'malformed_json');
  assert.equal(p.line, 2);
  assert.ok(Number.isInteger(p.column) && p.column >= 1 && p.column <= 14, `column ${p.column}`);
  // unterminated object at the end of line 5
  r = await filer('POST', '/api/v1/systems', { raw: '{\n\n\n\n  "name": "a"' });
  p = assertProblem(r, 400, 'malformed_json');
  assert.equal(p.line, 5);
  // trailing garbage after a complete document
  r = await filer('POST', '/api/v1/systems', { raw: '{"name": "a"} x' });
  p = assertProblem(r, 400, 'malformed_json');
  assert.equal(p.line, 1);
  assert.ok(p.column >= 14 && p.column <= 15, `column ${p.column}`);
  // duplicate keys are refused, not silently merged
  r = await filer('POST', '/api/v1/systems', { raw: '{"name": "a", "name": "b"}' });
  assertProblem(r, 400, 'malformed_json');
  // an empty body is a 400 too (not a crash, not a 422)
  r = await filer('POST', '/api/v1/systems', { raw: '' });
  assertProblem(r, 400);
});

// ------------------------------------------------------------------------- types and fields

test('wrong type → 422 naming the field path', async () => {
  let r = await filer('POST', '/api/v1/systems', { body: { name: 5 } });
  let p = assertProblem(r, 422, 'validation_failed');
  assert.equal(p.field, '/name');
  r = await filer('POST', '/api/v1/systems', { body: { name: 'ok', description: ['x'] } });
  p = assertProblem(r, 422, 'validation_failed');
  assert.equal(p.field, '/description');
  r = await filer('POST', '/api/v1/filings', { body: { system_id: '1' } });
  p = assertProblem(r, 422, 'validation_failed');
  assert.equal(p.field, '/system_id');
  r = await admin('POST', '/api/v1/users', { body: { org_id: 2, login: 'typed', roles: 'filer', password: 'long enough pw' } });
  p = assertProblem(r, 422, 'validation_failed');
  assert.equal(p.field, '/roles');
  // a body that is JSON but not an object
  r = await filer('POST', '/api/v1/systems', { raw: '["name"]' });
  assertProblem(r, 422, 'validation_failed');
  r = await filer('POST', '/api/v1/systems', { raw: '"just a string"' });
  assertProblem(r, 422, 'validation_failed');
});

test('unknown field → 422 naming it', async () => {
  let r = await filer('POST', '/api/v1/systems', { body: { name: 'a', bogus: 1 } });
  let p = assertProblem(r, 422, 'validation_failed');
  assert.equal(p.field, '/bogus');
  r = await s.req('POST', '/api/v1/session', { body: { login: 'filer', password: 'x', remember: true } });
  p = assertProblem(r, 422, 'validation_failed');
  assert.equal(p.field, '/remember');
  r = await admin('POST', '/api/v1/orgs', {
    body: { kind: 'provider', name: 'p', uscc: uscc('91440300MA5000009'), region: '440300', color: 'red' },
  });
  p = assertProblem(r, 422, 'validation_failed');
  assert.equal(p.field, '/color');
});

test('required field missing → 422 naming it', async () => {
  const r = await filer('POST', '/api/v1/systems', { body: { description: 'no name' } });
  const p = assertProblem(r, 422, 'validation_failed');
  assert.equal(p.field, '/name');
});

test('filing document with a wrong type deep inside → saved as typed, with a finding at its JSON pointer', async () => {
  const f = await newFiling('deep type system');
  // a draft always saves (issue 11): the malformed value is kept and reported at its field
  let r = await filer('PUT', `/api/v1/filings/${f.id}/document`, {
    body: { grading: { level: 'three' } }, headers: { 'If-Match': f.etag },
  });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.findings.some((x) => x.path === '/grading/level' && x.rule === 'FORM-TYPE' && x.severity === 'error'),
    JSON.stringify(r.body.findings));
  for (const x of r.body.findings) {
    assert.equal(typeof x.rule, 'string');
    assert.equal(typeof x.message?.zh, 'string');
    assert.equal(typeof x.message?.en, 'string');
  }
  assert.equal(r.body.document.grading.level, 'three');
  assert.equal(r.body.level, null, 'a malformed level is not a level');
  // the same through a merge patch
  r = await filer('PATCH', `/api/v1/filings/${f.id}/document`, {
    body: { grading: { level: 'four' } }, contentType: 'application/merge-patch+json', headers: { 'If-Match': r.body.etag },
  });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.findings.some((x) => x.path === '/grading/level' && x.rule === 'FORM-TYPE'));
  const g = await filer('GET', `/api/v1/filings/${f.id}`);
  assert.equal(g.body.document.grading.level, 'four');
  // submission stays refused while the error stands
  const s2 = await filer('POST', `/api/v1/filings/${f.id}/actions/submit_for_check`);
  assertProblem(s2, 422, 'incomplete');
});

test('PUT of a document without If-Match → 428; with a stale one → 412', async () => {
  const f = await newFiling('etag system');
  let r = await filer('PUT', `/api/v1/filings/${f.id}/document`, { body: f.document });
  assertProblem(r, 428, 'if_match_required');
  r = await filer('PUT', `/api/v1/filings/${f.id}/document`, { body: f.document, headers: { 'If-Match': '"999-999"' } });
  assertProblem(r, 412, 'stale_etag');
});

// ------------------------------------------------------------------------- size and media type

test('body over 1 MiB with Content-Length → 413 at once; the server keeps serving', async () => {
  const r = await rawRequest(s.port, [
    head('POST', '/api/v1/systems', {
      Authorization: `Bearer ${filerToken}`, 'Content-Type': 'application/json', 'Content-Length': String(MiB + 1),
    }),
    '{"name":"' + 'a'.repeat(1000),
  ]);
  assert.equal(r.status, 413, r.raw.toString('latin1').slice(0, 300));
  assert.match(r.headers['content-type'], /^application\/problem\+json/);
  assert.equal(r.json.code, 'too_large');
  // a much larger claim is refused the same way
  const r2 = await rawRequest(s.port, [
    head('POST', '/api/v1/systems', {
      Authorization: `Bearer ${filerToken}`, 'Content-Type': 'application/json', 'Content-Length': '99999999999',
    }),
  ]);
  assert.equal(r2.status, 413);
  // still serving
  const h = await s.req('GET', '/healthz');
  assert.equal(h.status, 200);
  const ok = await filer('POST', '/api/v1/systems', { body: { name: 'after 413' } });
  assert.equal(ok.status, 201);
});

test('body over 1 MiB sent slowly in chunks without Content-Length → 413', async () => {
  const chunk = 64 * 1024;
  const chunks = [head('POST', '/api/v1/systems', {
    Authorization: `Bearer ${filerToken}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked',
  })];
  for (let sent = 0; sent <= MiB; sent += chunk) chunks.push(`${chunk.toString(16)}\r\n${' '.repeat(chunk)}\r\n`);
  chunks.push('0\r\n\r\n');
  const r = await rawRequest(s.port, chunks, { delay: 2, timeout: 15000 });
  assert.equal(r.status, 413, r.raw.toString('latin1').slice(0, 300));
  assert.equal(r.json.code, 'too_large');
  const h = await s.req('GET', '/healthz');
  assert.equal(h.status, 200);
});

test('a body of exactly 1 MiB is accepted (the limit is not off by one)', async () => {
  const json = '{"name":"exactly one mebibyte"}';
  const r = await filer('POST', '/api/v1/systems', { raw: json + ' '.repeat(MiB - json.length) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.name, 'exactly one mebibyte');
});

test('a Content-Length that lies: shorter than the body, longer than the body', async () => {
  // shorter: the server reads 5 bytes, which is malformed JSON
  const r = await rawRequest(s.port, [
    head('POST', '/api/v1/systems', {
      Authorization: `Bearer ${filerToken}`, 'Content-Type': 'application/json', 'Content-Length': '5',
    }) + '{"name":"liar"}',
  ], { timeout: 3000 });
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'malformed_json');
  // longer: the client stops sending and goes away; no reply is owed, nothing may be stored
  await rawRequest(s.port, [
    head('POST', '/api/v1/systems', {
      Authorization: `Bearer ${filerToken}`, 'Content-Type': 'application/json', 'Content-Length': '500',
    }) + '{"name":"never complete"}',
  ], { timeout: 500 });
  const list = await filer('GET', '/api/v1/systems');
  assert.equal(list.status, 200);
  assert.ok(!list.body.items.some((x) => x.name === 'liar' || x.name === 'never complete'));
  assert.equal((await s.req('GET', '/healthz')).status, 200);
});

test('wrong Content-Type → 415', async () => {
  let r = await filer('POST', '/api/v1/systems', { raw: '{"name":"plain"}', contentType: 'text/plain' });
  assertProblem(r, 415, 'unsupported_media_type');
  r = await filer('POST', '/api/v1/systems', { raw: '{"name":"form"}', contentType: 'application/x-www-form-urlencoded' });
  assertProblem(r, 415, 'unsupported_media_type');
  r = await filer('POST', '/api/v1/systems', { raw: '{"name":"jsonx"}', contentType: 'application/jsonx' });
  assertProblem(r, 415, 'unsupported_media_type');
  // no Content-Type at all
  const raw = await rawRequest(s.port, [
    head('POST', '/api/v1/systems', { Authorization: `Bearer ${filerToken}`, 'Content-Length': '15', Connection: 'close' })
      + '{"name":"none"}',
  ]);
  assert.equal(raw.status, 415);
  // parameters and letter case are fine
  r = await filer('POST', '/api/v1/systems', { raw: '{"name":"charset"}', contentType: 'Application/JSON; charset=utf-8' });
  assert.equal(r.status, 201, r.text);
  // nothing of the refused ones was stored
  const list = await filer('GET', '/api/v1/systems');
  const names = list.body.items.map((x) => x.name);
  for (const n of ['plain', 'form', 'jsonx', 'none']) assert.ok(!names.includes(n), n);
});

// ------------------------------------------------------------------------- routes and methods

test('unknown route → 404 problem', async () => {
  for (const path of ['/api/v1/nothing', '/api/v1/filings/1/bogus', '/api/v2/filings', '/api/v1/systems/1/2/3']) {
    const r = await filer('GET', path);
    const p = assertProblem(r, 404, 'not_found');
    assert.equal(typeof p.request_id, 'string');
    assert.equal(r.headers.get('x-request-id'), p.request_id);
  }
  // an encoded slash never creates a segment
  const r = await filer('GET', '/api/v1/systems/1%2F2');
  assertProblem(r, 404, 'not_found');
});

test('wrong method → 405 with an Allow header', async () => {
  let r = await filer('DELETE', '/api/v1/filings');
  assertProblem(r, 405, 'method_not_allowed');
  const allow = r.headers.get('allow').split(',').map((x) => x.trim()).sort();
  assert.deepEqual(allow, ['GET', 'HEAD', 'POST']);
  r = await filer('PATCH', '/api/v1/systems/1');
  assertProblem(r, 405, 'method_not_allowed');
  assert.equal(r.headers.get('allow'), 'GET, HEAD');
  r = await filer('GET', '/api/v1/filings/1/actions/submit_for_check');
  assertProblem(r, 405, 'method_not_allowed');
  assert.equal(r.headers.get('allow'), 'POST');
  r = await filer('POST', '/api/v1/filings/1/document');
  assertProblem(r, 405);
  assert.deepEqual(r.headers.get('allow').split(',').map((x) => x.trim()).sort(), ['PATCH', 'PUT']);
});

test('a path with an encoded NUL → 400, an encoded control character names nothing', async () => {
  let r = await rawRequest(s.port, [head('GET', '/api/v1/filings/%00', { Connection: 'close' })]);
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'bad_request');
  // an encoded control character never names a filing
  r = await rawRequest(s.port, [head('GET', '/api/v1/filings/%0a', { Authorization: `Bearer ${filerToken}`, Connection: 'close' })]);
  assert.ok(r.status === 400 || r.status === 404, `status ${r.status}`);
  assert.match(r.headers['content-type'], /problem\+json/);
  assert.equal((await s.req('GET', '/healthz')).status, 200);
});

// ------------------------------------------------------------------------- strings

const ODD_NAMES = [
  "Robert'); DROP TABLE filings;--",
  "x' OR '1'='1",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '网上营业厅（统一受理平台）',
  '😀🚀 云上系统 🇨🇳',
  'e\u0301 é — non-NFC stays as sent',
  'no tab "quoted" back\\slash /slash',
  '%s %n %x {{7*7}} ${7*7}',
  // tabs and right-to-left overrides in names are refused since issue 12 (names.test.mjs)
];

test('odd strings are stored exactly and returned byte for byte', async () => {
  for (const name of ODD_NAMES) {
    const c = await filer('POST', '/api/v1/systems', { body: { name, description: `desc of ${name}\nline 2` } });
    assert.equal(c.status, 201, `${name}: ${c.text}`);
    assert.equal(c.body.name, name);
    const g = await filer('GET', `/api/v1/systems/${c.body.id}`);
    assert.equal(g.status, 200);
    assert.equal(g.body.name, name);
    assert.equal(g.body.description, `desc of ${name}\nline 2`);
    assert.deepEqual(Buffer.from(g.body.name, 'utf8'), Buffer.from(name, 'utf8'));
    if (!/["\\\n\t]/.test(name)) {
      // Raw UTF-8 in the JSON text (no \u escapes, no HTML escaping): the exact bytes are there
      const bytes = Buffer.from(await (await fetch(`${s.base}/api/v1/systems/${c.body.id}`, {
        headers: { Authorization: `Bearer ${filerToken}` },
      })).arrayBuffer());
      assert.ok(bytes.includes(Buffer.from(name, 'utf8')), `raw bytes of ${name}`);
    }
    // and into a filing: the document starts with the system's name
    const f = await filer('POST', '/api/v1/filings', { body: { system_id: c.body.id } });
    assert.equal(f.status, 201);
    assert.equal(f.body.document.system.name, name);
    assert.equal(f.body.system_name, name);
  }
  // the SQL-looking names did nothing to the tables
  const list = await filer('GET', '/api/v1/filings?limit=200');
  assert.equal(list.status, 200);
  assert.ok(list.body.items.length >= ODD_NAMES.length);
  const sys = await filer('GET', '/api/v1/systems');
  for (const name of ODD_NAMES) assert.ok(sys.body.items.some((x) => x.name === name), name);
  // search by Chinese and emoji text finds exactly the matching filing
  for (const q of ['统一受理', '🚀']) {
    const r = await filer('GET', `/api/v1/filings?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length >= 1, q);
    assert.ok(r.body.items.every((x) => x.system_name.includes(q)), q);
  }
  // and a quote in q is just text
  const r = await filer('GET', `/api/v1/filings?q=${encodeURIComponent("' OR '1'='1")}`);
  assert.equal(r.status, 200);
  assert.ok(r.body.items.every((x) => x.system_name.includes("' OR '1'='1")));
  assert.equal(r.body.items.length, 1);
});

test('invalid UTF-8 in a JSON string → 400, and the problem document itself is valid JSON', async () => {
  const cases = [
    [0xff, 0xfe], // never valid
    [0xc3, 0x28], // bad continuation
    [0xc0, 0xaf], // overlong '/'
    [0xed, 0xa0, 0x80], // UTF-8 encoded surrogate
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    [0xe4, 0xb8], // truncated sequence
  ];
  for (const bytes of cases) {
    const raw = Buffer.concat([Buffer.from('{"name":"ok'), Buffer.from(bytes), Buffer.from('"}')]);
    const r = await filer('POST', '/api/v1/systems', { raw });
    const p = assertProblem(r, 400, 'malformed_json');
    assert.equal(p.line, 1);
  }
  // lone surrogate escapes are not characters either
  const r = await filer('POST', '/api/v1/systems', { raw: '{"name":"a\\ud800b"}' });
  assert.equal(r.status, 400, r.text);
  const list = await filer('GET', '/api/v1/systems');
  assert.ok(!list.body.items.some((x) => x.name.startsWith('ok')));
});

test('\\u0000 inside a JSON string → 4xx, nothing stored', async () => {
  for (const raw of ['{"name":"a\\u0000b"}', '{"name":"ok","description":"x\\u0000"}', '{"login":"filer\\u0000x","password":"p"}']) {
    const path = raw.includes('login') ? '/api/v1/session' : '/api/v1/systems';
    const r = await filer('POST', path, { raw });
    assert.ok(r.status >= 400 && r.status < 500, `${raw}: ${r.status}`);
    assert.match(r.headers.get('content-type'), /problem\+json/);
  }
  // raw control characters in a string are refused by the parser
  const r = await filer('POST', '/api/v1/systems', { raw: '{"name":"a\u0001b"}' });
  assert.equal(r.status, 400);
  // an escaped control character reaches the validator, which refuses it with the field
  const r2 = await filer('POST', '/api/v1/systems', { raw: '{"name":"a\\u0007b"}' });
  const p = assertProblem(r2, 422);
  assert.equal(p.field, '/name');
  const list = await filer('GET', '/api/v1/systems');
  assert.ok(!list.body.items.some((x) => x.name.startsWith('a') && x.name.endsWith('b') && x.name.length === 3));
});

test('nesting deeper than 32 → 400; 32 is still parsed', async () => {
  // 33 levels: the object plus 32 arrays
  let r = await filer('POST', '/api/v1/systems', { raw: `{"name":${'['.repeat(32)}${']'.repeat(32)}}` });
  let p = assertProblem(r, 400, 'bad_request');
  assert.match(p.detail_en, /nesting/);
  r = await filer('POST', '/api/v1/systems', { raw: '['.repeat(100000) });
  assertProblem(r, 400, 'bad_request');
  // 32 levels: parsed, then refused by the validator for the type, with the field
  r = await filer('POST', '/api/v1/systems', { raw: `{"name":${'['.repeat(31)}${']'.repeat(31)}}` });
  p = assertProblem(r, 422, 'validation_failed');
  assert.equal(p.field, '/name');
  // brackets inside strings are not nesting, after an escaped quote either
  r = await filer('POST', '/api/v1/systems', { body: { name: '['.repeat(40) + '{'.repeat(40) } });
  assert.equal(r.status, 201, r.text);
  r = await filer('POST', '/api/v1/systems', { body: { name: 'a"' + '['.repeat(40) + '\\"' + '{'.repeat(40) } });
  assert.equal(r.status, 201, r.text);
  // a string that ends in an escaped backslash ends there: the nesting after it counts
  r = await filer('POST', '/api/v1/systems', { raw: `{"name":"x\\\\","d":${'['.repeat(32)}${']'.repeat(32)}}` });
  assertProblem(r, 400, 'bad_request');
  // nesting in a filing document is bounded too
  const f = await newFiling('nesting system');
  let deep = 'x';
  for (let i = 0; i < 40; i++) deep = { d: deep };
  r = await filer('PUT', `/api/v1/filings/${f.id}/document`, { body: { system: deep }, headers: { 'If-Match': f.etag } });
  assertProblem(r, 400, 'bad_request');
});

// ------------------------------------------------------------------------- language

test('problem titles are Chinese by default, English with Accept-Language: en or ?lang=en', async () => {
  let r = await filer('POST', '/api/v1/systems', { body: { name: 5 } });
  let p = assertProblem(r, 422);
  assert.equal(p.title, '数据校验未通过');
  assert.equal(p.detail, p.detail_zh);
  assert.match(p.detail, /字符串/);
  for (const al of ['en', 'en-US,en;q=0.9', 'EN-GB']) {
    r = await filer('POST', '/api/v1/systems', { body: { name: 5 }, headers: { 'Accept-Language': al } });
    p = assertProblem(r, 422);
    assert.equal(p.title, 'Invalid value', al);
    assert.equal(p.detail, '/name must be a string', al);
  }
  r = await filer('POST', '/api/v1/systems?lang=en', { body: { name: 5 } });
  p = assertProblem(r, 422);
  assert.equal(p.title, 'Invalid value');
  // ?lang= wins over the header
  r = await filer('POST', '/api/v1/systems?lang=zh', { body: { name: 5 }, headers: { 'Accept-Language': 'en' } });
  p = assertProblem(r, 422);
  assert.equal(p.title, '数据校验未通过');
  // other languages fall back to Chinese
  r = await filer('POST', '/api/v1/systems', { body: { name: 5 }, headers: { 'Accept-Language': 'fr-FR' } });
  assert.equal(r.body.title, '数据校验未通过');
  // errors raised before routing are localised too
  r = await s.req('GET', '/api/v1/nothing?lang=en');
  assert.equal(r.body.title, 'Not found');
  r = await s.req('GET', '/api/v1/nothing');
  assert.equal(r.body.title, '未找到');
  r = await s.req('GET', '/api/v1/me', { headers: { 'Accept-Language': 'en' } });
  assert.equal(r.body.title, 'Authentication required');
});

// ------------------------------------------------------------------------- atomicity

test('nothing half-written after an error: failed user and org creations leave no trace', async () => {
  const users0 = await admin('GET', '/api/v1/users');
  const orgs0 = await admin('GET', '/api/v1/orgs');
  const audit0 = await admin('GET', '/api/v1/audit?limit=200');
  assert.equal(users0.status, 200);
  const attempts = [
    // duplicate login
    [{ org_id: 2, login: 'filer', roles: ['filer'], password: 'a long password' }, 409],
    // role that does not fit the organisation's kind
    [{ org_id: 2, login: 'halfwritten1', roles: ['filer', 'reviewer'], password: 'a long password' }, 422],
    // password too short
    [{ org_id: 2, login: 'halfwritten2', roles: ['filer'], password: 'short' }, 422],
    // unknown organisation
    [{ org_id: 999, login: 'halfwritten3', roles: ['filer'], password: 'a long password' }, 404],
    // bad login
    [{ org_id: 2, login: 'bad login!', roles: ['filer'], password: 'a long password' }, 422],
    // unknown role
    [{ org_id: 2, login: 'halfwritten4', roles: ['filer', 'wizard'], password: 'a long password' }, 422],
  ];
  for (const [body, status] of attempts) {
    const r = await admin('POST', '/api/v1/users', { body });
    assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
  }
  for (const [body, status] of [
    [{ kind: 'enterprise', name: 'dup', uscc: '91110000600037341L', region: '110105' }, 409],
    [{ kind: 'enterprise', name: 'bad', uscc: '91440300MA5000002X', region: '440300' }, 422],
    [{ kind: 'authority', name: 'auth', uscc: uscc('11440300MB0000001'), region: '440300', jurisdiction: ['440300', '999999'] }, 422],
  ]) {
    const r = await admin('POST', '/api/v1/orgs', { body });
    assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
  }
  const users1 = await admin('GET', '/api/v1/users');
  const orgs1 = await admin('GET', '/api/v1/orgs');
  const audit1 = await admin('GET', '/api/v1/audit?limit=200');
  assert.deepEqual(users1.body, users0.body);
  assert.deepEqual(orgs1.body, orgs0.body);
  assert.deepEqual(audit1.body, audit0.body);
  // a failed login over the duplicate does not reveal or alter the existing user
  const me = await filer('GET', '/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.login, 'filer');
});
