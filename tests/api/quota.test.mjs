// quota.test.mjs — one filer cannot fill the disk (issue 12): uploads in progress per user are
// capped (429 naming the cap), the bytes an organisation's uploads in progress reserve are capped
// (429), the bytes its materials store are capped (507, before the body when it declares its size,
// after it when it does not), every reservation goes back when an upload ends however it ends (a
// client that walks away included), and another organisation is not affected by any of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Server, TIME_SCALE, waitFor } from './lib.mjs';
import { assertProblem, head, rawRequest } from './helpers-io.mjs';
import { API } from './story.mjs';

const PDF = 'application/pdf';
const MiB = 1024 * 1024;
let s;      // default quotas: 4 uploads per user, 200 MiB in flight, 2 GiB stored per organisation
let small;  // --quota-stored-mib 1

const pdf = (n) => Buffer.concat([Buffer.from('%PDF-1.7\n% '), randomBytes(n)]);
const tmpDir = (srv) => join(srv.data, 'materials', 'tmp');
const tmpFiles = (srv) => (existsSync(tmpDir(srv)) ? readdirSync(tmpDir(srv)) : []);
// Bytes the temporary files take on disk (what fallocate reserved, not their length).
const tmpBytes = (srv) => tmpFiles(srv).reduce((n, f) => n + statSync(join(tmpDir(srv), f)).blocks * 512, 0);

function query(title) { return `${API}/materials?kind=architecture_diagram&title=${encodeURIComponent(title)}&filename=a.pdf`; }

function upload(srv, login, bytes, title = '架构图') {
  return srv.req('POST', query(title), { token: srv.tokens[login], raw: bytes, contentType: PDF });
}

// An upload that declares `size` bytes, sends a few and then waits: {sock, answer (a promise of
// the raw reply, or of what came before the socket closed)}.
function slowUpload(srv, login, size) {
  const sock = net.connect(srv.port, '127.0.0.1');
  let data = Buffer.alloc(0);
  sock.on('data', (d) => { data = Buffer.concat([data, d]); });
  sock.on('error', () => {});
  const answer = new Promise((resolve) => sock.on('close', () => resolve(data.toString('utf8'))));
  sock.write(head('POST', query('慢'), {
    Authorization: `Bearer ${srv.tokens[login]}`, 'Content-Type': PDF, 'Content-Length': String(size),
  }));
  sock.write('%PDF-1.7\n% slow\n');
  return { sock, answer, data: () => data.toString('utf8') };
}

before(async () => {
  s = await Server.start();
  small = await Server.start({ args: ['--quota-stored-mib', '1'] });
  for (const login of ['filer', 'checker', 'provider']) { await s.login(login); await small.login(login); }
});
after(async () => {
  await s?.stop();
  await small?.stop();
});

test('concurrent slow uploads beyond the per-user cap get 429 with the cap; the organisation\'s bytes in flight are capped too; another organisation is not affected; all goes back when the clients walk away', async () => {
  const before0 = tmpFiles(s).length;
  // 40 slow uploads declaring 50 MiB each: only 4 are taken (the cap per user; 4 x 50 MiB is also
  // the organisation's 200 MiB in flight), the rest are refused before any file or disk exists.
  const slow = [];
  for (let i = 0; i < 40; i++) slow.push(slowUpload(s, 'filer', 50 * MiB));
  const taken = await waitFor(() => tmpFiles(s).length - before0 >= 4 && slow.filter((u) => u.data().startsWith('HTTP/1.1 429')).length === 36, 10000);
  assert.ok(taken, `4 uploads in progress, 36 refused; temp files ${tmpFiles(s).length - before0}`);
  const refused = slow.filter((u) => u.data().startsWith('HTTP/1.1 429'));
  assert.equal(refused.length, 36);
  const reserved = tmpBytes(s);
  assert.ok(reserved <= 200 * MiB + MiB, `reserved in the temp folder: ${reserved} bytes`);
  console.log(`# 40 slow uploads of 50 MiB by one filer: ${tmpFiles(s).length - before0} temp files, ${(reserved / MiB).toFixed(1)} MiB reserved, 36 answered 429`);

  // the cap is in the answer, in both languages
  const fifth = await upload(s, 'filer', pdf(100));
  const p = assertProblem(fifth, 429, 'too_many_requests');
  assert.equal(p.limit, 4);
  assert.equal(p.quota, 'uploads_per_user');
  assert.match(p.detail_en, /at most 4 at a time per user/);
  assert.match(p.detail_zh, /最多 4 个/);

  // another user of the same organisation: its 200 MiB in flight are taken
  const other = await upload(s, 'checker', pdf(100));
  const q = assertProblem(other, 429);
  assert.equal(q.quota, 'inflight_bytes');
  assert.equal(q.quota_bytes, 200 * MiB);
  assert.equal(q.used_bytes, 200 * MiB);
  assert.match(q.detail_en, /209715200 bytes in flight of 209715200 \(200 MiB\)/);

  // another organisation is not affected
  const prov = await upload(s, 'provider', pdf(100), '资质证书');
  assert.equal(prov.status, 201, prov.text);

  // the clients walk away: every reservation goes back, a later upload succeeds
  for (const u of slow) u.sock.destroy();
  await Promise.all(slow.map((u) => u.answer));
  const ok = await waitFor(async () => (await upload(s, 'filer', pdf(200))).status === 201, 10000);
  assert.ok(ok, 'after the aborted uploads, the filer uploads again');
  assert.equal((await upload(s, 'checker', pdf(300))).status, 201, 'and so does the checker');
  assert.ok(await waitFor(() => tmpFiles(s).length === before0, 5000), 'no temporary file is left');
});

test('reservations go back when an upload is refused after its body or cut off halfway: many in a row never hit the cap of 4', async () => {
  for (let i = 0; i < 6; i++) {
    const bad = await s.req('POST', query('坏'), { token: s.tokens.filer, raw: Buffer.from('plain text'), contentType: PDF });
    assert.equal(bad.status, 415, 'refused after the body (not a PDF)');
  }
  for (let i = 0; i < 6; i++) {
    const u = slowUpload(s, 'filer', 2 * MiB);
    await new Promise((r) => setTimeout(r, 50));
    u.sock.destroy();
    await u.answer;
  }
  assert.ok(await waitFor(async () => (await upload(s, 'filer', pdf(64))).status === 201, 10000),
    'after 6 refused and 6 cut-off uploads the filer still uploads');
});

test('an organisation over its stored quota gets 507 naming the quota and the use; before the body when it declares its size, after it when not', async () => {
  // the demo materials are a few hundred bytes; 700 KiB fit under 1 MiB, 400 KiB more do not
  assert.equal((await upload(small, 'filer', pdf(700 * 1024))).status, 201);
  const over = await upload(small, 'filer', pdf(400 * 1024));
  const p = assertProblem(over, 507, 'storage_full');
  assert.equal(p.quota, 'stored_bytes');
  assert.equal(p.quota_bytes, MiB);
  assert.ok(p.used_bytes > 700 * 1024 && p.used_bytes < MiB, JSON.stringify(p));
  assert.match(p.detail_en, /storage quota: \d+ bytes stored of 1048576 \(1 MiB\)/);
  assert.match(p.detail_zh, /配额 1048576 字节/);

  // no Content-Length (chunked): refused once the body is there, nothing kept
  const body = pdf(400 * 1024);
  const chunked = await rawRequest(small.port, [
    head('POST', query('分块'), {
      Authorization: `Bearer ${small.tokens.filer}`, 'Content-Type': PDF, 'Transfer-Encoding': 'chunked', Connection: 'close',
    }),
    `${body.length.toString(16)}\r\n`, body, '\r\n0\r\n\r\n',
  ], { end: false, timeout: 10000 * TIME_SCALE });
  assert.equal(chunked.status, 507, chunked.raw.toString('utf8').slice(0, 400));
  assert.equal(chunked.json.quota, 'stored_bytes');

  // the same bytes again cost nothing: a re-upload of stored content fits
  const small1 = pdf(10);
  assert.equal((await upload(small, 'filer', small1)).status, 201);
  assert.equal((await upload(small, 'filer', small1)).status, 201);

  // another organisation is not affected
  assert.equal((await upload(small, 'provider', pdf(700 * 1024), '资质证书')).status, 201);
  assert.deepEqual(tmpFiles(small), []);
});
