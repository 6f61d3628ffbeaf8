// materials.test.mjs — materials (备案材料): streaming upload with type sniffing, content-addressed
// storage (same bytes once, also for two uploads at once), the upload limit, cut-off uploads that
// leave nothing on disk, versions, downloads, visibility per role, the material versions frozen
// filing versions pin (and, outside the owner, only the versions they pin are visible), `beian verify
// materials` catching a file changed on disk, a damaged file healed by a re-upload, leftover
// temporary files swept at start-up, query values with a NUL refused, and "stored" per organisation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server, TIME_SCALE, blobCount, blobRead, blobRemove, blobWrite, cli, dbExec, waitFor } from './lib.mjs';
import { assertProblem, head, rawRequest } from './helpers-io.mjs';
import {
  API, DEMO, actOk, completeDraft, createFiling, createSystem, driveTo, foreignParties, getFiling, loginAll, putDocument,
  referenceDoc,
} from './story.mjs';

const PDF = 'application/pdf';
const TEXT = 'text/plain; charset=utf-8';
let s;

const sha = (buf) => createHash('sha256').update(buf).digest('hex');
const pdf = (text) => Buffer.from(`%PDF-1.7\n% ${text}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n`);
const tmpFiles = (dir) => (existsSync(join(dir, 'materials', 'tmp')) ? readdirSync(join(dir, 'materials', 'tmp')) : []);

// POST a material as `login` with the query kind/title/filename (null: absent).
function upload(login, bytes, { kind = 'architecture_diagram', title = '系统架构图', filename, type = PDF, path = `${API}/materials` } = {}) {
  const q = new URLSearchParams();
  if (kind !== null) q.set('kind', kind);      // null: leave the parameter out
  if (title !== null) q.set('title', title);
  if (filename !== undefined) q.set('filename', filename);
  return s.req('POST', `${path}?${q}`, { token: s.tokens[login], raw: bytes, contentType: type });
}
async function uploadOk(login, bytes, opts) {
  const r = await upload(login, bytes, opts);
  assert.equal(r.status, 201, `upload: ${r.status} ${r.text}`);
  return r.body;
}

// ---- a minimal ZIP writer (stored entries) for DOCX/XLSX-shaped packages
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const n = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(centrals.length / 2, 8); end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
const CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';
const DOCX = zip({ '[Content_Types].xml': CT, 'word/document.xml': '<w:document/>' });
const XLSX = zip({ '[Content_Types].xml': CT, 'xl/workbook.xml': '<workbook/>' });
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(32, 1)]);
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.alloc(32, 2)]);

// The demo provider confirms hosting only with a profile that lists the reference document's
// platform and data centres: give it one (taken from that document) when it has none.
async function ensureProviderProfile(srv) {
  const path = `${API}/providers/${DEMO.provider}/profile`;
  const have = await srv.req('GET', path, { token: srv.tokens.provider });
  if (have.status === 200 && have.body.profile?.platforms?.length) return;
  const p = referenceDoc().provider;
  const platforms = [{ name: p.platform_name, mlps_level: p.platform_level, filing_certificate_number: p.platform_filing_number, service_models: p.service_models }];
  const put = await srv.req('PUT', path, { token: srv.tokens.provider, body: { qualifications: [], platforms, data_centers: p.data_centers } });
  assert.equal(put.status, 200, `provider profile: ${put.status} ${put.text}`);
}

before(async () => {
  s = await Server.start();
  await loginAll(s, ['admin', 'filer', 'checker', 'provider', 'reviewer', 'entadmin']);
  await ensureProviderProfile(s);
});
after(async () => { await s?.stop(); });

test('an upload is stored under its SHA-256, described in the store, and downloaded as sent', async () => {
  const bytes = pdf('architecture');
  const m = await uploadOk('filer', bytes, { filename: '系统架构图 v1.pdf' });
  assert.equal(m.kind, 'architecture_diagram');
  assert.equal(m.title, '系统架构图');
  assert.equal(m.org_id, 2);
  assert.equal(m.version, 1);
  assert.equal(m.size, bytes.length);
  assert.equal(m.sha256, sha(bytes));
  assert.equal(m.content_type, PDF);
  assert.equal(m.stored, 'new');
  assert.deepEqual(blobRead(s.data, m.sha256), bytes, 'the file is the bytes, under <sha256[0:2]>/<sha256>');
  assert.deepEqual(tmpFiles(s.data), [], 'no temporary file stays');

  const meta = await s.req('GET', `${API}/materials/${m.id}`, { token: s.tokens.filer });
  assert.equal(meta.status, 200);
  assert.equal(meta.body.sha256, m.sha256);

  const r = await fetch(`${s.base}${API}/materials/${m.id}/content`, { headers: { Authorization: `Bearer ${s.tokens.filer}` } });
  assert.equal(r.status, 200);
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), bytes);
  assert.equal(r.headers.get('content-type'), PDF);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  const cd = r.headers.get('content-disposition');
  assert.match(cd, /^attachment; /);
  assert.ok(cd.includes(`filename*=UTF-8''${encodeURIComponent('系统架构图 v1.pdf')}`), cd);
  assert.equal(Number(r.headers.get('content-length')), bytes.length);

  const list = await s.req('GET', `${API}/materials`, { token: s.tokens.entadmin });
  assert.ok(list.body.items.some((x) => x.id === m.id), 'listed for the owner organisation');
});

test('a multi-megabyte upload (hashed on its own thread while it arrives) has the SHA-256 of its bytes', async () => {
  for (const mib of [1, 7, 20]) {   // around the thread's start (1 MiB) and past several writeback steps (8 MiB)
    const body = Buffer.concat([pdf(`big-${mib}`), randomBytes(mib * 1024 * 1024 + 12345)]);
    const m = await uploadOk('filer', body, { filename: `big-${mib}.pdf` });
    assert.equal(m.size, body.length);
    assert.equal(m.sha256, sha(body), `${mib} MiB`);
    assert.equal(sha(blobRead(s.data, m.sha256)), m.sha256, 'stored under the hash of what it holds');
  }
  // no Content-Length (chunked, chunks of odd sizes): the server cannot size its staging buffer
  // or reserve the space up front, and the digest is still that of every byte
  const body = Buffer.concat([pdf('chunked-big'), randomBytes(3 * 1024 * 1024 + 777)]);
  const parts = [head('POST', `${API}/materials?kind=other&title=chunked-big&filename=chunked-big.pdf`, {
    Authorization: `Bearer ${s.tokens.filer}`, 'Content-Type': PDF, 'Transfer-Encoding': 'chunked', Connection: 'close',
  })];
  for (let at = 0, step = 1; at < body.length; at += step, step = (step * 7919) % 300007 + 1) {
    const b = body.subarray(at, at + step);
    parts.push(`${b.length.toString(16)}\r\n`, b, '\r\n');
  }
  parts.push('0\r\n\r\n');
  const chunked = await rawRequest(s.port, parts, { timeout: 10000 * TIME_SCALE });
  assert.equal(chunked.status, 201, chunked.raw.toString().slice(0, 300));
  assert.equal(chunked.json.size, body.length);
  assert.equal(chunked.json.sha256, sha(body), 'chunked upload');
  assert.deepEqual(tmpFiles(s.data), [], 'no temporary file stays');
});

test('the real type comes from the bytes: PDF, PNG, JPEG, DOCX, XLSX and UTF-8 text; a mismatch is 415', async () => {
  const ok = [
    [PNG, 'image/png'], [JPEG, 'image/jpeg'], [DOCX, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    [XLSX, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], [Buffer.from('整改说明\n第一条。\n'), 'text/plain'],
  ];
  for (const [bytes, type] of ok) {
    const m = await uploadOk('filer', bytes, { kind: 'other', title: type, type });
    assert.equal(m.content_type.split(';')[0], type.split(';')[0], type);
  }
  const mismatches = [
    [PNG, PDF, 'image/png'], [pdf('x'), 'image/png', PDF], [DOCX, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', null],
    [zip({ 'a.txt': 'plain zip' }), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', null],
    [Buffer.from([0x00, 0x01, 0x02, 0xff]), 'text/plain', null], [Buffer.from('\xff\xfe not utf-8', 'latin1'), 'text/plain', null],
  ];
  for (const [bytes, type] of mismatches) {
    const r = await upload('filer', bytes, { kind: 'other', type });
    assertProblem(r, 415, 'unsupported_media_type');
    assert.ok('detected_type' in r.body, r.text);
  }
  // a type no material may have is refused from the headers alone
  assertProblem(await upload('filer', Buffer.from('<html></html>'), { kind: 'other', type: 'text/html' }), 415);
  assertProblem(await upload('filer', Buffer.from('x'), { kind: 'other', type: 'text/plain; charset=gbk' }), 415);
  assert.deepEqual(tmpFiles(s.data), []);
});

test('anything executable is refused, whatever it claims to be', async () => {
  const execs = {
    elf: Buffer.concat([Buffer.from('7f454c46020101', 'hex'), Buffer.alloc(64)]),
    pe: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0x41)]),
    shebang: Buffer.from('#!/bin/sh\nrm -rf /\n'),
    macho: Buffer.concat([Buffer.from('cffaedfe', 'hex'), Buffer.alloc(64)]),
    fat: Buffer.concat([Buffer.from('cafebabe', 'hex'), Buffer.alloc(64)]),
  };
  const before = blobCount(s.data);
  for (const [name, bytes] of Object.entries(execs)) {
    for (const type of ['text/plain', PDF]) {
      const r = await upload('filer', bytes, { kind: 'other', title: name, type });
      assertProblem(r, 415, 'unsupported_media_type');
      assert.equal(r.body.detected_type, 'executable', `${name} as ${type}`);
    }
  }
  assert.equal(blobCount(s.data), before, 'nothing refused is stored');
  assert.deepEqual(tmpFiles(s.data), []);
});

test('bad filenames, unknown kinds and missing titles are 422; wrong roles 403; no token 401', async () => {
  for (const filename of ['a/b.pdf', 'a\\b.pdf', '..', '../x.pdf', 'a..b.pdf', 'bell\u0007.pdf', 'new\nline.pdf', 'x'.repeat(300) + '.pdf']) {
    const r = await upload('filer', pdf('f'), { filename });
    const p = assertProblem(r, 422, 'validation_failed');
    assert.equal(p.field, 'filename', JSON.stringify(filename));
  }
  assert.equal((await uploadOk('filer', pdf('long'), { filename: '文'.repeat(251) + '.pdf' })).filename.length, 255, '255 characters are fine');
  assert.equal(assertProblem(await upload('filer', pdf('k'), { kind: 'no_such_kind' }), 422).field, 'kind');
  assert.equal(assertProblem(await upload('filer', pdf('k'), { kind: null }), 422).field, 'kind');
  assert.equal(assertProblem(await upload('filer', pdf('t'), { title: null }), 422).field, 'title');
  assertProblem(await upload('reviewer', pdf('r')), 403, 'forbidden');
  const anon = await s.req('POST', `${API}/materials?kind=other&title=x`, { raw: pdf('a'), contentType: PDF });
  assertProblem(anon, 401, 'unauthenticated');
  assertProblem(await upload('filer', Buffer.alloc(0)), 422);
  assert.deepEqual(tmpFiles(s.data), []);
});

test('the same bytes are stored once, also when two uploads of them arrive at the same time', async () => {
  const bytes = pdf('shared agreement');
  const a = await uploadOk('filer', bytes, { kind: 'service_agreement', title: '协议 A' });
  const b = await uploadOk('entadmin', bytes, { kind: 'service_agreement', title: '协议 B' });
  assert.notEqual(a.id, b.id, 'two materials');
  assert.equal(a.sha256, b.sha256);
  assert.equal(b.stored, 'existing');

  const fresh = pdf(`concurrent ${Date.now()}`);
  const hex = sha(fresh);
  const countBefore = blobCount(s.data);
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => upload(i % 2 ? 'filer' : 'entadmin', fresh, { title: `并发 ${i}` })));
  for (const r of results) assert.equal(r.status, 201, r.text);
  assert.equal(new Set(results.map((r) => r.body.id)).size, 6);
  assert.ok(results.every((r) => r.body.sha256 === hex));
  assert.equal(blobCount(s.data), countBefore + 1, 'one file for six uploads of the same bytes');
  assert.deepEqual(blobRead(s.data, hex), fresh);
  assert.deepEqual(tmpFiles(s.data), []);
});

test('a new version replaces the material; the old versions stay readable', async () => {
  const v1 = pdf('plan v1');
  const v2 = Buffer.from('应急预案（第二版）\n');
  const m = await uploadOk('filer', v1, { kind: 'emergency_plan', title: '应急预案', filename: 'plan.pdf' });
  const r = await upload('filer', v2, { path: `${API}/materials/${m.id}/versions`, type: TEXT, filename: 'plan-v2.txt', kind: null, title: null });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.id, m.id);
  assert.equal(r.body.version, 2);
  assert.equal(r.body.sha256, sha(v2));
  assert.equal(r.body.title, '应急预案', 'the title stays');

  const versions = await s.req('GET', `${API}/materials/${m.id}/versions`, { token: s.tokens.filer });
  assert.deepEqual(versions.body.items.map((v) => [v.n, v.sha256, v.filename]), [[1, sha(v1), 'plan.pdf'], [2, sha(v2), 'plan-v2.txt']]);
  const one = await s.req('GET', `${API}/materials/${m.id}/versions/1`, { token: s.tokens.filer });
  assert.equal(one.body.sha256, sha(v1));
  const old = await fetch(`${s.base}${API}/materials/${m.id}/versions/1/content`, { headers: { Authorization: `Bearer ${s.tokens.filer}` } });
  assert.deepEqual(Buffer.from(await old.arrayBuffer()), v1);
  const cur = await fetch(`${s.base}${API}/materials/${m.id}/content`, { headers: { Authorization: `Bearer ${s.tokens.filer}` } });
  assert.deepEqual(Buffer.from(await cur.arrayBuffer()), v2);
  assert.match(cur.headers.get('content-type'), /^text\/plain/);
  assertProblem(await s.req('GET', `${API}/materials/${m.id}/versions/3`, { token: s.tokens.filer }), 404);
  assertProblem(await upload('reviewer', v2, { path: `${API}/materials/${m.id}/versions`, type: TEXT }), 403);
  assertProblem(await upload('filer', v2, { path: `${API}/materials/999999/versions`, type: TEXT }), 404);
});

test('the upload limit: a Content-Length above it is 413 before the body; a body that grows past it is 413 and leaves nothing', async () => {
  const small = await Server.start();
  try {
    await small.stop({ keep: true });   // restart the same data directory with a 1 MiB limit
    small.proc = null;
    const { spawn } = await import('node:child_process');
    const { BIN, freePort } = await import('./lib.mjs');
    small.port = await freePort();
    small.base = `http://127.0.0.1:${small.port}`;
    small.log = '';
    small.proc = spawn(BIN, ['serve', '--data', small.data, '--listen', `127.0.0.1:${small.port}`, '--threads', '2', '--max-upload-mib', '1'],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    small.proc.stderr.on('data', (d) => { small.log += d.toString(); });
    small.exited = new Promise((resolve) => small.proc.on('exit', (code, signal) => resolve({ code, signal })));
    await waitFor(() => fetch(`${small.base}/healthz`).then((r) => r.ok, () => false), 10000);
    const token = await small.login('filer');

    // declared too large: answered from the headers, the body is never read
    const t0 = Date.now();
    const big = await rawRequest(small.port, [head('POST', `${API}/materials?kind=other&title=big`, {
      Authorization: `Bearer ${token}`, 'Content-Type': PDF, 'Content-Length': String(2 * 1024 * 1024),
    })], { end: false, timeout: 3000 * TIME_SCALE });
    assert.equal(big.status, 413, big.raw.toString());
    assert.ok(Date.now() - t0 < 2500 * TIME_SCALE, 'no wait for a body');
    assert.match(big.json.detail_en, /1 MiB/);

    // exactly at the limit is fine
    const atLimit = Buffer.concat([pdf('limit'), Buffer.alloc(1024 * 1024 - pdf('limit').length, 0x20)]);
    const okr = await small.req('POST', `${API}/materials?kind=other&title=limit`, { token, raw: atLimit, contentType: PDF });
    assert.equal(okr.status, 201, okr.text);

    // no Content-Length (chunked): cut at the limit while streaming
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const body = [pdf('chunked'), chunk, chunk, chunk, chunk, chunk];
    const parts = [head('POST', `${API}/materials?kind=other&title=chunked`, {
      Authorization: `Bearer ${token}`, 'Content-Type': PDF, 'Transfer-Encoding': 'chunked',
    })];
    for (const b of body) parts.push(`${b.length.toString(16)}\r\n`, b, '\r\n');
    parts.push('0\r\n\r\n');
    const chunked = await rawRequest(small.port, parts, { timeout: 5000 * TIME_SCALE });
    assert.equal(chunked.status, 413, chunked.raw.toString().slice(0, 300));
    await waitFor(() => tmpFiles(small.data).length === 0, 100);
    assert.deepEqual(tmpFiles(small.data), [], 'the partial upload was removed');
  } finally {
    await small.stop();
  }
});

test('an upload cut off halfway, or whose Content-Length lies, leaves nothing on disk', async () => {
  const blobs = blobCount(s.data);
  const half = Buffer.concat([pdf('cut'), Buffer.alloc(50000, 0x20)]);
  const cut = await rawRequest(s.port, [head('POST', `${API}/materials?kind=other&title=cut`, {
    Authorization: `Bearer ${s.tokens.filer}`, 'Content-Type': PDF, 'Content-Length': '200000',
  }), half], { delay: 100, timeout: 1500, end: false });
  assert.equal(cut.status, 0, 'no answer to an incomplete body');
  // the client went away (our side destroyed the socket at the timeout): the temp file goes
  await waitFor(() => tmpFiles(s.data).length === 0, 2000);
  assert.deepEqual(tmpFiles(s.data), [], 'the temporary file of the cut upload was removed');

  // a Content-Length that promises more than is sent, then the client closes its side
  const lie = await rawRequest(s.port, [head('POST', `${API}/materials?kind=other&title=lie`, {
    Authorization: `Bearer ${s.tokens.filer}`, 'Content-Type': PDF, 'Content-Length': '100000',
  }), pdf('lie')], { delay: 50, timeout: 3000 });
  assert.notEqual(lie.status, 201);
  await waitFor(() => tmpFiles(s.data).length === 0, 2000);
  assert.deepEqual(tmpFiles(s.data), []);
  assert.equal(blobCount(s.data), blobs, 'no material file was added');
  const health = await s.req('GET', '/healthz');
  assert.equal(health.status, 200, 'the server is fine');
});

test('visibility: the owner, then the provider and the authority once they see a filing using it; nobody else (404)', async () => {
  const parties = await foreignParties(s);
  await loginAll(s, parties.logins);
  const arch = await uploadOk('filer', pdf('visible arch'), { kind: 'architecture_diagram', title: '架构图' });
  const flow = await uploadOk('filer', pdf('visible flow'), { kind: 'data_flow_diagram', title: '数据流向图' });
  const unused = await uploadOk('filer', pdf('unused'), { kind: 'other', title: '未使用' });
  const foreign = await uploadOk('filer2', pdf('foreign'), { kind: 'other', title: '他人的材料' });
  const status = async (login, id) => (await s.req('GET', `${API}/materials/${id}`, { token: s.tokens[login] })).status;
  const content = async (login, id) => (await s.req('GET', `${API}/materials/${id}/content`, { token: s.tokens[login] })).status;

  const doc = referenceDoc();
  doc.system.architecture_diagram = arch.id;
  doc.system.data_flow_diagram = flow.id;
  const sys = await createSystem(s, 'filer', '材料可见性系统');
  const id = await completeDraft(s, sys, { doc });
  // someone else's material named in the document is an error at that entry, and blocks submission
  const cur = (await s.req('GET', `${API}/filings/${id}`, { token: s.tokens.filer })).body;
  const named = await s.req('PATCH', `${API}/filings/${id}/document`, {
    token: s.tokens.filer, contentType: 'application/merge-patch+json', headers: { 'If-Match': cur.etag },
    body: { compliance: { industry_materials: [foreign.id] } },
  });
  assert.equal(named.status, 200, named.text);
  const at = '/compliance/industry_materials/0';
  assert.ok(named.body.findings.some((f) => f.rule === 'RECORD-MATERIAL' && f.path === at), JSON.stringify(named.body.findings));
  assert.equal((await s.req('POST', `${API}/filings/${id}/actions/submit_for_check`, { token: s.tokens.filer })).status, 422);
  const back = await s.req('PATCH', `${API}/filings/${id}/document`, {
    token: s.tokens.filer, contentType: 'application/merge-patch+json', headers: { 'If-Match': named.body.etag },
    body: { compliance: { industry_materials: null } },
  });
  assert.equal(back.status, 200, back.text);

  for (const login of ['filer', 'checker', 'entadmin', 'admin']) assert.equal(await status(login, arch.id), 200, login);
  for (const login of ['provider', 'reviewer', 'filer2', 'provider2', 'reviewer2']) {
    assert.equal(await status(login, arch.id), 404, `${login} before the filing reaches it`);
    assert.equal(await content(login, arch.id), 404);
  }
  await driveTo(s, id, 'provider_confirmation');
  assert.equal(await status('provider', arch.id), 200, 'the provider named sees the materials of the filing');
  assert.equal(await content('provider', flow.id), 200);
  assert.equal(await status('reviewer', arch.id), 404, 'not yet the authority');
  await driveTo(s, id, 'submitted');
  assert.equal(await status('reviewer', arch.id), 200, 'the authority sees it once the filing is submitted');
  assert.equal(await content('reviewer', flow.id), 200);
  for (const login of ['provider', 'reviewer']) {
    assert.equal(await status(login, unused.id), 404, `${login}: a material no filing uses`);
    assert.equal(await status(login, foreign.id), 404, `${login}: naming another organisation's material grants nothing`);
  }
  for (const login of ['filer2', 'provider2', 'reviewer2', 'authadmin2']) assert.equal(await status(login, arch.id), 404, login);
  assert.equal(await status('filer', foreign.id), 404);
  const list = await s.req('GET', `${API}/materials`, { token: s.tokens.filer2 });
  assert.ok(!list.body.items.some((x) => x.org_id !== parties.enterprise.id), 'a list holds only the own organisation\'s');
});

test('frozen filing versions pin the material versions and hashes they were submitted with', async () => {
  const v1 = pdf('pinned diagram v1');
  const v2 = pdf('pinned diagram v2');
  const m = await uploadOk('filer', v1, { kind: 'architecture_diagram', title: '被固定的架构图' });
  const doc = referenceDoc();
  doc.system.architecture_diagram = m.id;
  const sys = await createSystem(s, 'filer', '固定材料系统');
  const id = await completeDraft(s, sys, { doc });
  await driveTo(s, id, 'rectification');
  const pins1 = await s.req('GET', `${API}/filings/${id}/versions/1/materials`, { token: s.tokens.reviewer });
  assert.equal(pins1.status, 200, pins1.text);
  // (the reference document names other material numbers too; this test follows m)
  const mine = (r) => r.body.items.filter((p) => p.material_id === m.id);
  assert.deepEqual(mine(pins1), [{ material_id: m.id, material_version: 1, sha256: sha(v1) }]);

  // the enterprise replaces the diagram while rectifying and resubmits
  const r = await upload('filer', v2, { path: `${API}/materials/${m.id}/versions`, kind: null, title: null });
  assert.equal(r.status, 201, r.text);
  const f = await getFiling(s, 'filer', id);
  await putDocument(s, id, { ...f.document, system: { ...f.document.system, description: `${f.document.system.description}（已整改）` } }, f.etag);
  await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
  const versions = (await s.req('GET', `${API}/filings/${id}/versions`, { token: s.tokens.filer })).body;
  const last = (versions.items ?? versions).at(-1).n;
  const pins2 = await s.req('GET', `${API}/filings/${id}/versions/${last}/materials`, { token: s.tokens.filer });
  assert.deepEqual(mine(pins2), [{ material_id: m.id, material_version: 2, sha256: sha(v2) }]);
  const again = await s.req('GET', `${API}/filings/${id}/versions/1/materials`, { token: s.tokens.filer });
  assert.deepEqual(mine(again), mine(pins1), 'the first version still pins version 1');
  // and what it pinned can still be downloaded by the authority
  const old = await fetch(`${s.base}${API}/materials/${m.id}/versions/1/content`, { headers: { Authorization: `Bearer ${s.tokens.reviewer}` } });
  assert.deepEqual(Buffer.from(await old.arrayBuffer()), v1);
  assertProblem(await s.req('GET', `${API}/filings/${id}/versions/1/materials`, { token: s.tokens.filer2 }), 404);
});

test('`beian verify materials` re-hashes every stored file and reports changed and missing ones', async () => {
  const ok = cli(['verify', 'materials', '--data', s.data]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stderr, /checked, 0 problem/);
  const a = await uploadOk('filer', pdf('to be damaged'), { kind: 'other', title: '损坏' });
  const b = await uploadOk('filer', pdf('to be lost'), { kind: 'other', title: '丢失' });
  blobWrite(s.data, a.sha256, pdf('tampered!!!!!'));
  blobRemove(s.data, b.sha256);
  const bad = cli(['verify', 'materials', '--data', s.data]);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, new RegExp(`^changed ${a.sha256} `, 'm'));
  assert.match(bad.stdout, new RegExp(`^missing ${b.sha256} `, 'm'));
  assert.equal(bad.stdout.trim().split('\n').length, 2, 'only those two');
  // a damaged file is not served as if it were intact
  assertProblem(await s.req('GET', `${API}/materials/${b.id}/content`, { token: s.tokens.filer }), 500);
  assert.equal(cli(['verify', 'materials']).status, 2, 'usage error without a data directory');
  assert.equal(cli(['verify', '--help']).status, 0);
});

test('outside the owner only the material versions that visible filing versions pin are visible', async () => {
  const v1 = pdf('per-version v1');
  const v2 = pdf('per-version v2, never submitted');
  const m = await uploadOk('filer', v1, { kind: 'architecture_diagram', title: '按版本可见', filename: 'v1.pdf' });
  const doc = referenceDoc();
  doc.system.architecture_diagram = m.id;
  const id = await completeDraft(s, await createSystem(s, 'filer', '按版本可见系统'), { doc });
  await driveTo(s, id, 'submitted');   // version 1 of the filing pins version 1 of m
  const r2 = await upload('filer', v2, { path: `${API}/materials/${m.id}/versions`, kind: null, title: null, filename: 'v2.pdf' });
  assert.equal(r2.status, 201, r2.text);

  const get = (login, path) => s.req('GET', `${API}/materials/${m.id}${path}`, { token: s.tokens[login] });
  const bytes = async (login, path) => {
    const r = await fetch(`${s.base}${API}/materials/${m.id}${path}`, { headers: { Authorization: `Bearer ${s.tokens[login]}` } });
    return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
  };
  for (const login of ['provider', 'reviewer']) {
    const meta = await get(login, '');
    assert.equal(meta.status, 200, login);
    assert.deepEqual([meta.body.version, meta.body.current_version, meta.body.sha256, meta.body.filename], [1, 1, sha(v1), 'v1.pdf'],
      `${login} sees the material as of the version pinned`);
    assert.deepEqual((await get(login, '/versions')).body.items.map((v) => v.n), [1], `${login}: only version 1 listed`);
    assertProblem(await get(login, '/versions/2'), 404);
    assert.equal((await bytes(login, '/versions/2/content')).status, 404, `${login}: no v2 content`);
    assert.deepEqual((await bytes(login, '/versions/1/content')).body, v1);
    assert.deepEqual((await bytes(login, '/content')).body, v1, `${login}: the current content is the last visible version`);
  }
  assert.deepEqual((await get('filer', '/versions')).body.items.map((v) => v.n), [1, 2], 'the owner sees every version');
  assert.deepEqual((await bytes('filer', '/content')).body, v2);

  // once a new filing version pins v2 (rectified and submitted again), v2 becomes visible too
  await actOk(s, 'reviewer', id, 'accept', undefined, 'under_review');
  await actOk(s, 'reviewer', id, 'request_rectification', { items: [{ path: '/system/description', message: '请补充' }] }, 'rectification');
  const f = await getFiling(s, 'filer', id);
  await putDocument(s, id, { ...f.document, system: { ...f.document.system, description: `${f.document.system.description}（已补充）` } }, f.etag);
  assertProblem(await get('reviewer', '/versions/2'), 404);   // an edit not yet frozen pins nothing
  await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
  assert.deepEqual((await get('reviewer', '/versions')).body.items.map((v) => v.n), [1, 2]);
  assert.deepEqual((await bytes('reviewer', '/content')).body, v2);
});

test('a query value holding a NUL or invalid UTF-8 is refused with 400 on every route', async () => {
  const blobs = blobCount(s.data);
  const nul = await s.req('POST', `${API}/materials?kind=other%00bogus&title=ok%00hidden&filename=report.pdf%00.exe`,
    { token: s.tokens.filer, raw: pdf('nul in query'), contentType: PDF });
  const p = assertProblem(nul, 400, 'bad_query_parameter');
  assert.equal(p.field, 'kind', 'the first parameter at fault');
  assert.match(p.detail_en, /NUL/);
  assert.match(p.detail_zh, /NUL/);
  assert.equal(blobCount(s.data), blobs, 'nothing stored');
  for (const path of [`${API}/filings?state=draft%00x`, `${API}/materials?x=%FF%FE`, `${API}/workflow?lang=en%00zh`,
    `${API}/providers?as%00of=1`, `${API}/materials/1/content?v=%C0%AF`]) {
    assertProblem(await s.req('GET', path, { token: s.tokens.filer }), 400, 'bad_query_parameter');
  }
  assert.equal((await s.req('GET', `${API}/filings?state=draft&q=${encodeURIComponent('智能客服')}`, { token: s.tokens.filer })).status, 200,
    'UTF-8 without NUL is fine');
});

test('filenames with C1 controls, bidirectional controls or line separators, or only spaces and dots, are 422', async () => {
  for (const filename of ['\u0085x.pdf', 'a\u009f.pdf', 'invoice\u202Efdp.exe', '\u202Aa.pdf', '\u2066a\u2069.pdf', '\u200Ea.pdf',
    'a\u200F.pdf', 'line\u2028.pdf', 'para\u2029.pdf', '', '   ', ' . ', '.']) {
    const r = await upload('filer', pdf('bad name'), { filename });
    assert.equal(assertProblem(r, 422, 'validation_failed').field, 'filename', JSON.stringify(filename));
  }
  assert.equal((await uploadOk('filer', pdf('fine name'), { filename: ' 报告 v1.2 .pdf' })).filename, ' 报告 v1.2 .pdf');
});

test('"stored": "existing" only when the caller\'s own organisation already holds the bytes', async () => {
  const bytes = pdf(`shared across organisations ${Date.now()}`);
  const blobs = blobCount(s.data);
  assert.equal((await uploadOk('filer', bytes, { kind: 'other', title: 'A' })).stored, 'new');
  assert.equal((await uploadOk('provider', bytes, { kind: 'other', title: 'B' })).stored, 'new', 'another organisation learns nothing');
  assert.equal((await uploadOk('provider', bytes, { kind: 'other', title: 'C' })).stored, 'existing');
  assert.equal((await uploadOk('entadmin', bytes, { kind: 'other', title: 'D' })).stored, 'existing', 'same organisation as the filer');
  assert.equal(blobCount(s.data), blobs + 1, 'still stored once');
});

test('the authority\'s provider directory counts filed systems, not filings', async () => {
  const system = await createSystem(s, 'filer', '计数系统');
  const id = await completeDraft(s, system);
  // a second filed filing of the same system (as data from before one filing per system was
  // enforced): a draft made while the first is one, forced to filed below
  const second = await createFiling(s, system);
  await driveTo(s, id, 'filed');
  const count = async () => (await s.req('GET', `${API}/providers`, { token: s.tokens.reviewer })).body.items
    .find((x) => x.org_id === DEMO.provider).filed_systems;
  const before = await count();
  const db = dbExec(s.data,
    `UPDATE filings SET state='filed', provider_org_id=${DEMO.provider}, authority_org_id=${DEMO.authority} WHERE id=${second.id}`);
  assert.equal(db.status, 0, db.stderr);
  assert.equal(await count(), before, 'the same system counts once');
});

test('a stored file damaged in place (same size) is replaced by a re-upload of the genuine bytes', async () => {
  const t = await Server.start({ materials: false });
  try {
    await t.login('filer');
    const genuine = pdf('genuine bytes');
    const first = await t.req('POST', `${API}/materials?kind=other&title=genuine`, { token: t.tokens.filer, raw: genuine, contentType: PDF });
    assert.equal(first.status, 201, first.text);
    const damaged = Buffer.from(genuine);
    damaged[damaged.length - 3] ^= 0x20;
    blobWrite(t.data, sha(genuine), damaged);
    assert.equal(cli(['verify', 'materials', '--data', t.data]).status, 1, 'damage detected');
    const again = await t.req('POST', `${API}/materials?kind=other&title=again`, { token: t.tokens.filer, raw: genuine, contentType: PDF });
    assert.equal(again.status, 201, again.text);
    const r = await fetch(`${t.base}${API}/materials/${first.body.id}/content`, { headers: { Authorization: `Bearer ${t.tokens.filer}` } });
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), genuine, 'the first material is whole again');
    const ok = cli(['verify', 'materials', '--data', t.data]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(t.log, new RegExp(`warning: the stored material file ${sha(genuine)} no longer has its digest`));
  } finally {
    await t.stop();
  }
});

test('leftover temporary upload files: `beian verify materials` reports them, `beian serve` removes the stale ones', async () => {
  const t = await Server.start({ materials: false });
  try {
    const dir = join(t.data, 'materials', 'tmp');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'upload-OLD123'), Buffer.alloc(10000, 1));
    writeFileSync(join(dir, 'upload-NEW123'), Buffer.alloc(5000, 2));
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    utimesSync(join(dir, 'upload-OLD123'), twoHoursAgo, twoHoursAgo);
    const v = cli(['verify', 'materials', '--data', t.data]);
    assert.equal(v.status, 0, `a notice, not a failure: ${v.stdout}${v.stderr}`);
    assert.match(v.stderr, /notice: 2 leftover temporary upload file\(s\) in .*materials\/tmp, \d+ bytes on disk/);
    const onDisk = ['upload-OLD123', 'upload-NEW123'].reduce((n, f) => n + statSync(join(dir, f)).blocks * 512, 0);
    assert.match(v.stderr, new RegExp(` ${onDisk} bytes on disk`));

    await t.stop({ keep: true });
    await t.launch();
    assert.deepEqual(readdirSync(dir), ['upload-NEW123'], 'the file older than an hour went; the recent one may be an upload under way');
    assert.match(t.log, /removed 1 temporary upload file\(s\) older than an hour/);
    assert.match(cli(['verify', 'materials', '--data', t.data]).stderr, /notice: 1 leftover/);
  } finally {
    await t.stop();
  }
});
