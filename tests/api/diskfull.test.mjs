// diskfull.test.mjs — a full disk: the data directory on a small tmpfs that the test mounts
// (these machines run as root; skipped with a message when mount is not permitted). Once the
// disk is full, writes answer 507 with a clear message (never 500, never a crash); when space
// returns, writes succeed again, everything acknowledged is there, integrity_check and the audit
// chain hold.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, TIME_SCALE, cli } from './lib.mjs';
import { head, rawRequest } from './helpers-io.mjs';
import { API, createFiling, createSystem, getFiling, loginAll, putDocument, referenceDoc } from './story.mjs';

const root = mkdtempSync(join(tmpdir(), 'beian-full-'));
const mnt = join(root, 'mnt');
mkdirSync(mnt);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt], { encoding: 'utf8' }).status === 0;
let s;

after(async () => {
  await s?.stop({ keep: true });
  if (mounted) spawnSync('umount', [mnt]);
  rmSync(root, { recursive: true, force: true });
});

// Fill the filesystem: write until ENOSPC; returns the filler's path.
function fill(dir) {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16384, 0x61);
  try { for (;;) writeSync(fd, chunk); } catch (err) { assert.equal(err.code, 'ENOSPC'); }
  try { for (;;) writeSync(fd, chunk, 0, 512); } catch { /* the last blocks */ }
  closeSync(fd);
  return path;
}

test('a full disk answers 507 and the server recovers when space returns', { skip: !mounted && 'mount -t tmpfs is not permitted here (needs root)' }, async () => {
  const data = join(mnt, 'data');
  const r = cli(['init', data, '--demo']);
  assert.equal(r.status, 0, r.stderr);
  const logins = {};
  for (const line of r.stdout.trim().split('\n')) { const [role, login, password] = line.split(' '); logins[login] = { role, password }; }
  s = await Server.start({ data, logins });
  await loginAll(s, ['filer']);
  const systemId = await createSystem(s, 'filer', '磁盘满测试系统');
  const f0 = await createFiling(s, systemId);
  let f = await putDocument(s, f0.id, referenceDoc(), f0.etag);
  const acked = { etag: f.etag, description: referenceDoc().system.description };

  const filler = fill(mnt);
  // writes until the store runs out (SQLite may still have room in pages and WAL it already holds)
  const seen = {};
  let full;
  for (let i = 0; i < 400 && !full; i++) {
    const doc = referenceDoc();
    doc.system.description = `磁盘将满 ${i}：` + '面向社会公众的智能客服平台。'.repeat(40);
    const w = await s.req('PUT', `${API}/filings/${f.id}/document`, { token: s.tokens.filer, body: doc, headers: { 'If-Match': f.etag } });
    seen[w.status] = (seen[w.status] || 0) + 1;
    if (w.status === 200) { f = w.body; acked.etag = f.etag; acked.description = doc.system.description; continue; }
    assert.equal(w.status, 507, `a write on a full disk: ${w.status} ${w.text}`);
    full = w;
  }
  assert.ok(full, `a write failed with 507 (replies: ${JSON.stringify(seen)})`);
  assert.match(full.headers.get('content-type'), /problem\+json/);
  assert.match(full.text, /storage|存储/i);
  // an upload on the full disk: 507 too
  const up = await s.req('POST', `${API}/materials?kind=business_licence&title=t&filename=t.txt`,
    { token: s.tokens.filer, raw: 'x'.repeat(200000), contentType: 'text/plain; charset=utf-8' });
  assert.equal(up.status, 507, up.text);
  // reads still work
  assert.equal((await getFiling(s, 'filer', f.id)).etag, acked.etag);

  rmSync(filler);
  // more than the disk has room for: refused from the headers (the space is reserved before the
  // body is read), so the client does not send 8 MiB for nothing, and nothing stays behind
  const t0 = Date.now();
  const tooBig = await rawRequest(s.port, [head('POST', `${API}/materials?kind=business_licence&title=big&filename=big.pdf`, {
    Authorization: `Bearer ${s.tokens.filer}`, 'Content-Type': 'application/pdf', 'Content-Length': String(8 * 1024 * 1024),
  })], { end: false, timeout: 3000 * TIME_SCALE });
  assert.equal(tooBig.status, 507, tooBig.raw.toString().slice(0, 400));
  assert.ok(Date.now() - t0 < 2500 * TIME_SCALE, 'answered without waiting for the body');
  assert.match(tooBig.json.detail_en, /no room on the disk/);
  assert.deepEqual(readdirSync(join(data, 'materials', 'tmp')), [], 'no temporary file stays');
  const doc = referenceDoc();
  doc.system.description = '空间恢复后的修订：面向社会公众的智能客服平台。';
  const again = await s.req('PUT', `${API}/filings/${f.id}/document`, { token: s.tokens.filer, body: doc, headers: { 'If-Match': acked.etag } });
  assert.equal(again.status, 200, `after space returns: ${again.status} ${again.text}`);
  const up2 = await s.req('POST', `${API}/materials?kind=business_licence&title=t&filename=t.txt`,
    { token: s.tokens.filer, raw: 'after the disk was full\n', contentType: 'text/plain; charset=utf-8' });
  assert.equal(up2.status, 201, up2.text);
  await s.stop({ keep: true });
  s = null;
  const ic = spawnSync('sqlite3', [join(data, 'beian.db'), 'PRAGMA integrity_check'], { encoding: 'utf8' });
  assert.equal(ic.stdout.trim(), 'ok');
  assert.equal(cli(['verify', 'audit', '--data', data]).status, 0);
  assert.equal(cli(['verify', 'materials', '--data', data]).status, 0);
  console.log(`# disk full: replies before 507 ${JSON.stringify(seen)}; upload 507; an upload larger than the free space 507 from its headers; recovered after space returned`);
});
