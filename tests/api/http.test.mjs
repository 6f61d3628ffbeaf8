// http.test.mjs — HTTP done fully (issue 17): conditional GET (If-None-Match → 304 on filings,
// versions and lists, with only the headers a 304 may carry), gzip with Vary and per-coding ETags for
// JSON and static assets (never for what is compressed already), HEAD like GET without the body,
// Location on every 201, WWW-Authenticate on every 401, HEAD in Allow, and query parameters that
// get the same answer for the same bad value on every route. Raw bytes and headers through
// node:http (fetch would decompress and hide them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Server } from './lib.mjs';
import { uscc } from './helpers-io.mjs';
import { API, DEMO, loginAll, newSystem, createFiling, putDocument, referenceDoc, filingIn } from './story.mjs';

let s, web, webRoot, filer, filingId, filing;

// One request through node:http: {status, headers (lower-case), body (Buffer, as sent)}.
function raw(server, method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
const auth = (token, more = {}) => ({ Authorization: `Bearer ${token}`, ...more });
const json = (r) => JSON.parse(r.body.toString('utf8'));

before(async () => {
  s = await Server.start();
  await loginAll(s, ['admin', 'filer', 'checker', 'entadmin', 'provider', 'reviewer', 'provadmin']);
  filer = s.tokens.filer;
  const f = await createFiling(s, await newSystem(s));
  filing = await putDocument(s, f.id, referenceDoc(), f.etag);
  filingId = f.id;
  // a web root of our own: a script worth compressing, a small stylesheet, and a PNG
  webRoot = mkdtempSync(join(tmpdir(), 'beian-web-'));
  mkdirSync(join(webRoot, 'js'));
  writeFileSync(join(webRoot, 'index.html'), readFileSync(new URL('../../web/index.html', import.meta.url)));
  writeFileSync(join(webRoot, 'js', 'form.js'), readFileSync(new URL('../../web/js/form.js', import.meta.url)));
  writeFileSync(join(webRoot, 'small.css'), 'body { margin: 0 }\n');
  writeFileSync(join(webRoot, 'logo.png'), Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(8192, 0x41)]));
  web = await Server.start({ env: { BEIAN_WEB_DIR: webRoot }, materials: false });
});
after(async () => {
  await s?.stop();
  await web?.stop();
  if (webRoot) rmSync(webRoot, { recursive: true, force: true });
});

// ------------------------------------------------------------------------ conditional GET

test('GET /filings/{id}: If-None-Match with its ETag → 304 without a body or body headers', async () => {
  const path = `${API}/filings/${filingId}`;
  const ok = await raw(s, 'GET', path, auth(filer));
  assert.equal(ok.status, 200);
  const tag = ok.headers.etag;
  assert.match(tag, new RegExp(`^${filing.etag.slice(0, -1)}\\.[0-9a-f]{16}"$`), 'the filing\'s own ETag and its reply\'s hash, identity coding');
  assert.equal(ok.headers['content-encoding'], undefined, 'no gzip unless asked for');
  assert.equal(ok.headers.vary, 'Accept-Encoding', 'the reply would differ with Accept-Encoding');
  for (const inm of [tag, `W/${tag}`, `"nope", ${tag}`, '*']) {
    const r = await raw(s, 'GET', path, auth(filer, { 'If-None-Match': inm }));
    assert.equal(r.status, 304, `If-None-Match: ${inm}`);
    assert.equal(r.body.length, 0);
    assert.equal(r.headers.etag, tag);
    assert.equal(r.headers.vary, 'Accept-Encoding');
    assert.equal(r.headers['cache-control'], 'no-store');
    for (const h of ['content-type', 'content-encoding', 'content-disposition', 'last-modified'])
      assert.equal(r.headers[h], undefined, `${h} on a 304`);
    // libmicrohttpd always states a length: it must be the 200's (RFC 9110 §8.6), never 0
    assert.equal(Number(r.headers['content-length']), ok.body.length);
  }
  const other = await raw(s, 'GET', path, auth(filer, { 'If-None-Match': '"0-0", W/"1-1"' }));
  assert.equal(other.status, 200);
  assert.deepEqual(json(other).id, filingId);
});

test('a filing\'s ETag changes with everything its reply says, not only with its document', async () => {
  // a transition keeps the document's revision (the etag member, what If-Match names), but the
  // state and the actions in the reply change: a 304 then would show the old state
  const id = await filingIn(s, await newSystem(s), 'draft');
  const path = `${API}/filings/${id}`;
  const before = await raw(s, 'GET', path, auth(filer));
  assert.equal(json(before).state, 'draft');
  assert.ok(before.headers.etag.startsWith(json(before).etag.slice(0, -1)), 'the tag begins with the document\'s');
  const moved = await s.req('POST', `${path}/actions/submit_for_check`, { token: filer });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  const after = await raw(s, 'GET', path, auth(filer, { 'If-None-Match': before.headers.etag }));
  assert.equal(after.status, 200, 'the state changed: not a 304');
  assert.equal(json(after).state, 'internal_check');
  assert.equal(json(after).etag, json(before).etag, 'the document did not change');
  assert.notEqual(after.headers.etag, before.headers.etag);
  // and the header's tag still names the document for If-Match
  const draft = await filingIn(s, await newSystem(s), 'draft');
  const got = await raw(s, 'GET', `${API}/filings/${draft}`, auth(filer));
  const doc = json(got).document;
  const put = await s.req('PUT', `${API}/filings/${draft}/document`, { token: filer, body: doc, headers: { 'If-Match': got.headers.etag } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
});

test('a filing read again shows what changed elsewhere: another filing of its system taking the slot', async () => {
  // the server keeps a thread's recent filing replies; this one's row does not change, but another
  // filing of the same system going forward makes its submit_for_check impossible (system_free)
  const sys = await newSystem(s);
  const a = await filingIn(s, sys, 'draft');
  const b = await filingIn(s, sys, 'draft');
  const path = `${API}/filings/${a}`;
  const submit = (r) => json(r).actions.find((x) => x.action === 'submit_for_check');
  let before;
  for (let i = 0; i < 6; i++) {   // again and again: each server thread keeps its own
    before = await raw(s, 'GET', path, auth(filer));
    assert.equal(before.status, 200);
    assert.equal(submit(before).possible, true);
  }
  const moved = await s.req('POST', `${API}/filings/${b}/actions/submit_for_check`, { token: filer });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  for (let i = 0; i < 6; i++) {
    const after = await raw(s, 'GET', path, auth(filer, { 'If-None-Match': before.headers.etag }));
    assert.equal(after.status, 200, 'the actions changed: not a 304');
    assert.equal(submit(after).possible, false);
    assert.equal(submit(after).reason.code, 'system_filing_open');
    assert.equal(json(after).etag, json(before).etag, 'the row itself did not change');
    assert.notEqual(after.headers.etag, before.headers.etag);
  }
  // another caller of the same organisation with other roles sees its own actions, not the filer's
  const checker = await raw(s, 'GET', `${API}/filings/${b}`, auth(s.tokens.checker));
  assert.equal(checker.status, 200);
  assert.ok(json(checker).allowed_actions.includes('approve_check'), JSON.stringify(json(checker).allowed_actions));
  const mine = await raw(s, 'GET', `${API}/filings/${b}`, auth(filer));
  assert.ok(!json(mine).allowed_actions.includes('approve_check'));
});

test('versions and lists carry an ETag of their content and answer 304 until it changes', async () => {
  const paths = [`/filings/${filingId}/versions`, '/filings', '/systems', '/materials', '/audit?limit=5', '/orgs',
    `/filings/${filingId}/events`, '/policy/packs'];
  for (const p of paths) {
    const r = await raw(s, 'GET', API + p, auth(filer));
    assert.equal(r.status, 200, `${p}: ${r.body}`);
    assert.match(r.headers.etag || '', /^"h-[0-9a-f]{32}"$/, `${p} has a strong ETag`);
    const again = await raw(s, 'GET', API + p, auth(filer, { 'If-None-Match': r.headers.etag }));
    assert.equal(again.status, 304, p);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers['content-type'], undefined);
  }
  // a list changes with what it lists
  const before = await raw(s, 'GET', `${API}/systems`, auth(filer));
  await newSystem(s);
  const after = await raw(s, 'GET', `${API}/systems`, auth(filer, { 'If-None-Match': before.headers.etag }));
  assert.equal(after.status, 200);
  assert.notEqual(after.headers.etag, before.headers.etag);
  // a frozen version: submitting freezes version 1
  const id = await filingIn(s, await newSystem(s), 'internal_check');
  const v = await raw(s, 'GET', `${API}/filings/${id}/versions/1`, auth(filer));
  assert.equal(v.status, 200, v.body.toString());
  assert.match(v.headers.etag, /^"h-/);
  assert.equal((await raw(s, 'GET', `${API}/filings/${id}/versions/1`, auth(filer, { 'If-None-Match': v.headers.etag }))).status, 304);
  // only GET and HEAD are conditional on If-None-Match here; an error is never a 304
  const missing = await raw(s, 'GET', `${API}/filings/999999`, auth(filer, { 'If-None-Match': '*' }));
  assert.equal(missing.status, 404);
});

// ------------------------------------------------------------------------------- gzip

test('JSON over 1 KB is gzip-coded when asked, with Vary and the gzip variant\'s ETag; gunzip gives the identity bytes', async () => {
  const path = `${API}/filings/${filingId}`;
  const plain = await raw(s, 'GET', path, auth(filer, { 'Accept-Encoding': 'identity' }));
  const gz = await raw(s, 'GET', path, auth(filer, { 'Accept-Encoding': 'gzip, deflate, br' }));
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers.vary, 'Accept-Encoding');
  assert.equal(gz.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(Number(gz.headers['content-length']), gz.body.length);
  assert.ok(gz.body.length < plain.body.length, 'smaller');
  assert.ok(gunzipSync(gz.body).equals(plain.body), 'gunzip(body) = the identity body');
  assert.equal(gz.headers.etag, plain.headers.etag.replace(/"$/, '-gz"'), 'a coding of its own, a tag of its own');
  // each coding revalidates against its own tag
  assert.equal((await raw(s, 'GET', path, auth(filer, { 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.etag }))).status, 304);
  assert.equal((await raw(s, 'GET', path, auth(filer, { 'Accept-Encoding': 'gzip', 'If-None-Match': plain.headers.etag }))).status, 200);
  assert.equal((await raw(s, 'GET', path, auth(filer, { 'If-None-Match': gz.headers.etag }))).status, 200);
  // a refused or absent gzip means identity
  for (const ae of ['gzip;q=0', 'br', undefined]) {
    const r = await raw(s, 'GET', path, auth(filer, ae ? { 'Accept-Encoding': ae } : {}));
    assert.equal(r.headers['content-encoding'], undefined, `Accept-Encoding: ${ae}`);
    assert.ok(r.body.equals(plain.body));
  }
  // problem documents and lists too, when big enough; small replies never
  const list = await raw(s, 'GET', `${API}/filings`, auth(filer, { 'Accept-Encoding': 'gzip' }));
  assert.equal(list.headers['content-encoding'], 'gzip');
  assert.ok(Array.isArray(JSON.parse(gunzipSync(list.body)).items));
  const small = await raw(s, 'GET', '/healthz', { 'Accept-Encoding': 'gzip' });
  assert.equal(small.headers['content-encoding'], undefined);
  assert.equal(small.headers.vary, undefined, 'under 1 KB there is only one coding');
});

test('an If-Match echoed from a gzip reply still names the document', async () => {
  const f = await createFiling(s, await newSystem(s));
  const gz = await raw(s, 'GET', `${API}/filings/${f.id}`, auth(filer, { 'Accept-Encoding': 'gzip' }));
  assert.equal(gz.headers['content-encoding'], 'gzip');
  const put = await raw(s, 'PUT', `${API}/filings/${f.id}/document`,
    auth(filer, { 'Content-Type': 'application/json', 'If-Match': gz.headers.etag }), JSON.stringify(referenceDoc()));
  assert.equal(put.status, 200, put.body.toString());
  const stale = await raw(s, 'PUT', `${API}/filings/${f.id}/document`,
    auth(filer, { 'Content-Type': 'application/json', 'If-Match': gz.headers.etag }), JSON.stringify(referenceDoc()));
  assert.equal(stale.status, 412);
});

test('HEAD answers like GET, coding and length included, without the body', async () => {
  for (const ae of ['gzip', 'identity']) {
    const path = `${API}/filings/${filingId}`;
    const get = await raw(s, 'GET', path, auth(filer, { 'Accept-Encoding': ae }));
    const head = await raw(s, 'HEAD', path, auth(filer, { 'Accept-Encoding': ae }));
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    for (const h of ['content-type', 'content-encoding', 'content-length', 'etag', 'vary'])
      assert.equal(head.headers[h], get.headers[h], `${h} (${ae})`);
  }
  const list = await raw(s, 'HEAD', `${API}/systems`, auth(filer));
  assert.equal(list.status, 200);
  assert.match(list.headers.etag, /^"h-/);
});

test('static assets: compressed once and kept, 304 per coding, never an image; HEAD too', async () => {
  const js = await raw(web, 'GET', '/js/form.js', { 'Accept-Encoding': 'gzip' });
  const plain = await raw(web, 'GET', '/js/form.js');
  assert.equal(js.status, 200);
  assert.equal(js.headers['content-encoding'], 'gzip');
  assert.equal(js.headers.vary, 'Accept-Encoding');
  assert.equal(plain.headers.vary, 'Accept-Encoding', 'also on the identity variant');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.ok(gunzipSync(js.body).equals(plain.body));
  assert.ok(plain.body.equals(readFileSync(join(webRoot, 'js', 'form.js'))));
  assert.equal(js.headers.etag, plain.headers.etag.replace(/"$/, '-gz"'));
  assert.equal(js.headers['last-modified'], plain.headers['last-modified']);
  const again = await raw(web, 'GET', '/js/form.js', { 'Accept-Encoding': 'gzip' });
  assert.ok(again.body.equals(js.body), 'the kept variant');
  const nm = await raw(web, 'GET', '/js/form.js', { 'Accept-Encoding': 'gzip', 'If-None-Match': js.headers.etag });
  assert.equal(nm.status, 304);
  assert.equal(nm.body.length, 0);
  assert.equal(nm.headers.vary, 'Accept-Encoding');
  assert.equal(nm.headers['content-type'], undefined);
  assert.equal(nm.headers['last-modified'], undefined, 'the ETag is there: no other validator');
  assert.equal(Number(nm.headers['content-length']), js.body.length);
  assert.equal((await raw(web, 'GET', '/js/form.js', { 'If-None-Match': js.headers.etag })).status, 200);
  const head = await raw(web, 'HEAD', '/js/form.js', { 'Accept-Encoding': 'gzip' });
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], js.headers['content-length']);
  assert.equal(head.headers['content-encoding'], 'gzip');
  // the app's page itself (a route of the application), padded over 1 KB
  writeFileSync(join(webRoot, 'index.html'), `${readFileSync(join(webRoot, 'index.html'), 'utf8')}<!--${' '.repeat(2000)}-->\n`);
  const index = await raw(web, 'GET', '/filings/12', { 'Accept-Encoding': 'gzip' });
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(index.headers['content-encoding'], 'gzip');
  assert.ok(gunzipSync(index.body).equals(readFileSync(join(webRoot, 'index.html'))));
  // already compressed, or too small: one coding, no Vary
  const png = await raw(web, 'GET', '/logo.png', { 'Accept-Encoding': 'gzip' });
  assert.equal(png.status, 200);
  assert.equal(png.headers['content-encoding'], undefined);
  assert.equal(png.headers.vary, undefined);
  assert.equal(png.body.length, 8200);
  const css = await raw(web, 'GET', '/small.css', { 'Accept-Encoding': 'gzip' });
  assert.equal(css.headers['content-encoding'], undefined);
  // an edited file is a new resource: new tag, compressed anew
  writeFileSync(join(webRoot, 'js', 'form.js'), readFileSync(new URL('../../web/js/form.js', import.meta.url), 'utf8') + '\n// edited\n');
  const edited = await raw(web, 'GET', '/js/form.js', { 'Accept-Encoding': 'gzip', 'If-None-Match': js.headers.etag });
  assert.equal(edited.status, 200);
  assert.match(gunzipSync(edited.body).toString(), /\/\/ edited\n$/);
});

test('a material\'s content is sent as stored: no gzip even for text', async () => {
  const text = 'x'.repeat(5000);
  const up = await s.req('POST', `${API}/materials?kind=other&title=plain&filename=plain.txt`,
    { token: filer, raw: text, contentType: 'text/plain; charset=utf-8' });
  assert.equal(up.status, 201, up.text);
  const r = await raw(s, 'GET', `${API}/materials/${up.body.id}/content`, auth(filer, { 'Accept-Encoding': 'gzip' }));
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.body.toString(), text);
  const nm = await raw(s, 'GET', `${API}/materials/${up.body.id}/content`, auth(filer, { 'If-None-Match': r.headers.etag }));
  assert.equal(nm.status, 304);
  assert.equal(nm.body.length, 0);
  assert.equal(nm.headers['content-disposition'], undefined);
});

// ---------------------------------------------------------------------- Location, 401, Allow

test('every 201 says where the new thing is (Location), and that place answers', async () => {
  const token = (l) => s.tokens[l];
  const post = (login, path, body, extra = {}) => s.req('POST', API + path, { token: token(login), body, ...extra });
  const record = await filingIn(s, await newSystem(s), 'filed');
  const text = { raw: 'location test\n', contentType: 'text/plain; charset=utf-8' };
  const created = {};
  const check = async (name, r, expect) => {
    assert.equal(r.status, 201, `${name}: ${r.status} ${r.text}`);
    const loc = r.headers.get('location');
    assert.ok(loc, `${name}: Location`);
    if (expect) assert.equal(loc, expect, name);
    created[name] = loc;
    return r.body;
  };
  await check('session', await s.req('POST', `${API}/session`, { body: { login: 'checker', password: s.logins.checker.password } }), `${API}/session`);
  const tok = await check('token', await post('filer', '/tokens', { name: 'location' }));
  assert.equal(created.token, `${API}/tokens/${tok.id}`);
  const org = await check('org', await post('admin', '/orgs', { kind: 'enterprise', name: '位置测试公司', uscc: uscc('91110000MA01LAC00'), region: '110000' }));
  assert.equal(created.org, `${API}/orgs/${org.id}`);
  await check('user', await post('admin', '/users', { org_id: org.id, login: 'location-user', roles: ['filer'], password: 'Location-test-pw-1!' }), `${API}/users`);
  const sys = await check('system', await post('filer', '/systems', { name: '位置测试系统' }));
  assert.equal(created.system, `${API}/systems/${sys.id}`);
  const f = await check('filing', await post('filer', '/filings', { system_id: sys.id, kind: 'initial' }));
  assert.equal(created.filing, `${API}/filings/${f.id}`);
  const m = await check('material', await s.req('POST', `${API}/materials?kind=other&title=loc&filename=loc.txt`, { token: filer, ...text }));
  assert.equal(created.material, `${API}/materials/${m.id}`);
  const mv = await check('material version', await s.req('POST', `${API}/materials/${m.id}/versions?filename=loc2.txt`, { token: filer, ...text }));
  assert.equal(created['material version'], `${API}/materials/${m.id}/versions/${mv.version}`);
  const insp = await check('inspection', await post('filer', `/filings/${record}/inspections`));
  assert.equal(created.inspection, `${API}/inspections/${insp.id}`);
  const ordered = await check('ordered inspection', await post('reviewer', `/filings/${record}/inspections/order`,
    { reason: '位置测试', due_on: new Date(Date.now() + 60 * 86400e3).toISOString().slice(0, 10) }));
  assert.equal(created['ordered inspection'], `${API}/inspections/${ordered.id}`);
  await check('evidence', await post('filer', `/filings/${record}/evidence`, { kind: 'vuln_scan', on_date: new Date().toISOString().slice(0, 10) }),
    `${API}/filings/${record}/evidence`);
  const inc = await check('incident', await post('filer', `/filings/${record}/incidents`,
    { level: 'general', title: '位置测试事件', detected_at: new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'), summary: '位置' }));
  assert.equal(created.incident, `${API}/incidents/${inc.id}`);
  await check('incident update', await post('filer', `/incidents/${inc.id}/updates`, { text: '续报' }), `${API}/incidents/${inc.id}`);
  const scores = ['reputation', 'technical_strength', 'security_management', 'compliance', 'service_level', 'exit_and_data_return']
    .map((key) => ({ key, weight: key === 'service_level' || key === 'exit_and_data_return' ? 10 : 20, score: 80, evidence: '位置' }));
  await check('evaluation', await post('filer', `/providers/${DEMO.provider}/evaluations`, { evaluated_on: new Date().toISOString().slice(0, 10), notes: '位置', criteria: scores }),
    `${API}/providers/${DEMO.provider}/evaluations`);
  const hook = await check('webhook', await post('entadmin', '/webhooks', { url: 'http://203.0.113.11/location', events: ['filing.approved'] }));
  assert.equal(created.webhook, `${API}/webhooks/${hook.id}`);
  // where GET is allowed on the place, it answers 200 to the creator
  for (const [name, loc] of Object.entries(created)) {
    if (['session', 'token', 'webhook'].includes(name)) continue;   /* DELETE only */
    const who = name === 'org' || name === 'user' ? 'admin' : name === 'ordered inspection' ? 'reviewer' : 'filer';
    const r = await s.req('GET', loc, { token: token(who) });
    assert.equal(r.status, 200, `GET ${loc} (${name}): ${r.status} ${r.text}`);
  }
});

test('every 401 carries WWW-Authenticate; a refused token says invalid_token (RFC 6750)', async () => {
  const none = await raw(s, 'GET', `${API}/me`);
  assert.equal(none.status, 401);
  assert.equal(none.headers['www-authenticate'], 'Bearer realm="beian"');
  const basic = await raw(s, 'GET', `${API}/me`, { Authorization: 'Basic Zm9vOmJhcg==' });
  assert.equal(basic.status, 401);
  assert.equal(basic.headers['www-authenticate'], 'Bearer realm="beian"');
  for (const h of [{ Authorization: 'Bearer nope' }, { Cookie: 'beian_session=expired-or-unknown' }]) {
    const r = await raw(s, 'GET', `${API}/filings`, h);
    assert.equal(r.status, 401);
    assert.match(r.headers['www-authenticate'], /^Bearer realm="beian", error="invalid_token"/, JSON.stringify(h));
  }
  const wrong = await raw(s, 'POST', `${API}/session`, { 'Content-Type': 'application/json' }, JSON.stringify({ login: 'filer', password: 'wrong-password' }));
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers['www-authenticate'], 'Bearer realm="beian"');
});

test('Allow lists HEAD wherever GET is allowed', async () => {
  let r = await raw(s, 'DELETE', `${API}/filings`, auth(filer));
  assert.equal(r.status, 405);
  assert.equal(r.headers.allow, 'GET, HEAD, POST');
  r = await raw(s, 'PATCH', `${API}/systems/1`, auth(filer));
  assert.equal(r.headers.allow, 'GET, HEAD');
  r = await raw(s, 'GET', `${API}/filings/1/actions/submit_for_check`, auth(filer));
  assert.equal(r.headers.allow, 'POST');
  r = await raw(s, 'OPTIONS', `${API}/filings/${filingId}`, auth(filer));
  assert.equal(r.status, 405);
  assert.equal(r.headers.allow, 'GET, HEAD');
  r = await raw(s, 'POST', '/index.html');
  assert.equal(r.status, 405);
  assert.equal(r.headers.allow, 'GET, HEAD');
});

// ---------------------------------------------------------------------- query parameters

const LIST_ROUTES = ['/filings', '/systems', '/orgs', '/users', '/tokens', '/audit', '/materials', '/incidents', '/inspections',
  '/records', '/providers', '/inbox', '/webhooks', '/policy/packs', `/filings/${1}/versions`, `/filings/${1}/events`,
  `/filings/${1}/inspections`, `/filings/${1}/evidence`, `/filings/${1}/overrides`, `/providers/${DEMO.provider}/evaluations`];
const BAD = {
  'limit=-1': 'limit', 'limit=abc': 'limit', 'limit=100000': 'limit', 'limit=0': 'limit', 'limit=2.5': 'limit',
  'cursor=garbage': 'cursor', 'cursor=-5': 'cursor', 'state=bogus': 'state', 'region=11': 'region', 'type=Not%20A%20Type': 'type',
  [`q=${'x'.repeat(201)}`]: 'q', 'filing_id=x': 'filing_id', 'system_id=0': 'system_id', 'org_id=-1': 'org_id',
  'as_of=2026-13-01': 'as_of', 'late=yes': 'late', 'overdue=1': 'overdue',
};

test('the same bad query value gets the same problem on every list route', async () => {
  const strip = (p) => { const { request_id: _, ...rest } = p; return rest; };
  for (const [query, field] of Object.entries(BAD)) {
    let first;
    for (const route of LIST_ROUTES) {
      for (const lang of ['en', 'zh']) {
        const r = await raw(s, 'GET', `${API}${route}?${query}`, auth(filer, { 'Accept-Language': lang }));
        assert.equal(r.status, 400, `${route}?${query}: ${r.status} ${r.body}`);
        assert.match(r.headers['content-type'], /^application\/problem\+json/);
        const p = json(r);
        assert.equal(p.code, 'bad_query_parameter', `${route}?${query}`);
        assert.equal(p.field, field);
        assert.ok(p.detail_en.includes(field) && p.detail_zh.includes(field), JSON.stringify(p));
        assert.match(p.detail_zh, /[\u4e00-\u9fff]/);
        if (lang === 'zh') {
          if (!first) first = strip(p);
          else assert.deepEqual(strip(p), first, `${route}?${query} answers like ${LIST_ROUTES[0]}`);
        }
      }
    }
  }
});

test('route-specific parameters: the same code and field, an answer that names the allowed values', async () => {
  const cases = [
    [`${API}/tokens?scope=everyone`, 'scope', /mine, org/],
    [`${API}/orgs?kind=bank`, 'kind', /enterprise, provider, authority, platform/],
    [`${API}/incidents?state=filed`, 'state', /open, closed/],
    [`${API}/filings/${filingId}/diff?from=x`, 'from', /from 1 to 1000000/],
    [`${API}/filings/${filingId}/diff`, 'from', /from=N/],
    [`${API}/filings/${filingId}/certificate?format=docx`, 'format', /json, pdf/],
    [`${API}/public/log/proof?index=x`, 'index', /index/],
    [`${API}/public/log/consistency?from=-1`, 'from', /from/],
  ];
  for (const [path, field, detail] of cases) {
    const r = await raw(s, 'GET', path, auth(filer, { 'Accept-Language': 'en' }));
    assert.equal(r.status, 400, `${path}: ${r.body}`);
    const p = json(r);
    assert.equal(p.code, 'bad_query_parameter', path);
    assert.equal(p.field, field, path);
    assert.match(p.detail_en, detail, path);
  }
  // good values still work, and limits within range page as before
  const page = await s.req('GET', `${API}/filings?limit=1`, { token: filer });
  assert.equal(page.status, 200);
  assert.equal(page.body.items.length, 1);
  const next = await s.req('GET', `${API}/filings?limit=1&cursor=${page.body.next_cursor}`, { token: filer });
  assert.equal(next.status, 200, next.text);
  assert.notEqual(next.body.items[0].id, page.body.items[0].id);
  assert.equal((await s.req('GET', `${API}/audit?limit=500`, { token: filer })).status, 200);
  assert.equal((await s.req('GET', `${API}/filings?state=draft&region=110000&type=standard&q=%E7%B3%BB%E7%BB%9F`, { token: filer })).status, 200);
  assert.equal((await s.req('GET', `${API}/incidents?state=open&late=true&overdue=false`, { token: filer })).status, 200);
  assert.equal((await s.req('GET', `${API}/systems?state=&limit=`, { token: filer })).status, 200, 'empty is absent');
});

test('a query value with a NUL names the parameter', async () => {
  const r = await raw(s, 'GET', `${API}/filings?state=draft%00x`, auth(filer));
  assert.equal(r.status, 400);
  const p = json(r);
  assert.equal(p.code, 'bad_query_parameter');
  assert.equal(p.field, 'state');
});
