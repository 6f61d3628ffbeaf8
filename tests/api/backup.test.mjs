// backup.test.mjs — `beian backup` under write load, `beian restore` into a new directory, and a
// server on the restored data compared with the original: every filing (document, state,
// versions), every material hash, and the audit log up to the backup point (chain verified).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, Server, cli, pgStore, pgStoreArgs } from './lib.mjs';
import {
  API, actOk, completeDraft, createFiling, createSystem, getFiling, loginAll, putDocument, referenceDoc,
} from './story.mjs';

let s;
let restored;

before(async () => {
  s = await Server.start();
  await loginAll(s, ['filer', 'checker', 'admin']);
});

after(async () => {
  await restored?.stop({ keep: true });
  await s?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const run = (args) => new Promise((resolve) => {
  execFile(BIN, args, { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ status: err ? err.code : 0, stdout, stderr }));
});
// rows of a query on a data directory's database (sqlite3 -json, or psql with row_to_json)
function sql(data, query) {
  const uri = pgStore(data);
  const r = uri ? spawnSync('psql', [uri, '-XAtq', '-c', `SELECT row_to_json(q)::text FROM (${query}) q`], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-json', join(data, 'beian.db'), query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  if (uri) return r.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
  return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}
const key = (f) => JSON.stringify([f.etag, f.state, f.document]);

test('backup while the server takes writes; restore; the restored server holds the same data', async () => {
  // an installed policy pack version (in force far in the future) is part of the data directory
  const pack = join(s.root, 'pack-2099.1');
  cpSync(new URL('../../policy/cn-cloud', import.meta.url).pathname, pack, { recursive: true });
  const mf = JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8'));
  writeFileSync(join(pack, 'manifest.json'), JSON.stringify({ ...mf, version: '2099.1', effective_from: '2099-01-01', supersedes: mf.version }));
  const inst = cli(['policy', 'install', pack, '--data', s.data]);
  assert.equal(inst.status, 0, inst.stderr);

  const systemId = await createSystem(s, 'filer', '备份测试系统');
  const ids = [];
  for (let k = 0; k < 4; k++) ids.push(await completeDraft(s, systemId));
  // every acknowledged state of every filing (etag, state, document), in order
  const seen = new Map();
  const record = (f) => { if (!seen.has(f.id)) seen.set(f.id, new Set()); seen.get(f.id).add(key(f)); };
  for (const id of ids) record(await getFiling(s, 'filer', id));

  let stop = false;
  let acks = 0;
  const editor = async (id) => {
    let f = await getFiling(s, 'filer', id);
    for (let i = 1; !stop; i++) {
      const doc = referenceDoc();
      doc.system.description = `备份期间的修订 ${id}-${i}：面向社会公众的智能客服平台。`;
      const r = await s.req('PUT', `${API}/filings/${id}/document`, { token: s.tokens.filer, body: doc, headers: { 'If-Match': f.etag } });
      assert.equal(r.status, 200, r.text);
      f = r.body;
      record(f);
      acks++;
    }
  };
  let systems = 0;
  const creator = async () => {
    for (let i = 0; !stop; i++) {
      // each submitted filing has a system of its own: a system has one filing under way at a time
      const created = await createFiling(s, await createSystem(s, 'filer', `备份负载系统 ${++systems}`));
      record(await getFiling(s, 'filer', created.id));
      const id = created.id;
      await putDocument(s, id, referenceDoc(), created.etag);
      record(await getFiling(s, 'filer', id));
      const out = await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
      record(await getFiling(s, 'filer', id));
      void out;
      const up = await s.req('POST', `${API}/materials?kind=business_licence&title=load${i}&filename=load${i}.txt`,
        { token: s.tokens.filer, raw: `load material ${i} ${Date.now()}\n`, contentType: 'text/plain; charset=utf-8' });
      assert.equal(up.status, 201, up.text);
      acks++;
    }
  };
  const load = [...ids.map(editor), creator(), creator()];
  while (acks < 20) await sleep(5);
  const before = await s.req('GET', `${API}/filings?limit=500`, { token: s.tokens.admin });
  assert.equal(before.status, 200, before.text);
  const idsBefore = before.body.items.map((f) => f.id);

  const dest = join(s.root, 'backup');
  const b = await run(['backup', dest, '--data', s.data]);
  const acksAtEnd = acks;
  while (acks < acksAtEnd + 10) await sleep(5);   // the load goes on after the backup
  stop = true;
  await Promise.all(load);
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /^backup .*: filings \d+, audit entries up to \d+/);
  const manifest = JSON.parse(readFileSync(join(dest, 'backup.json'), 'utf8'));
  assert.ok(manifest.blobs >= 11, 'the demo materials are in the backup');

  // usage errors, and a backup refuses a non-empty destination
  assert.equal(cli(['backup']).status, 2);
  assert.equal(cli(['restore', dest]).status, 2);
  assert.equal(cli(['backup', dest, '--data', s.data]).status, 1);
  assert.equal(cli(['backup', '--help']).status, 0);

  // restore refuses a non-empty directory, then restores into a new one
  const busy = join(s.root, 'busy');
  mkdirSync(busy);
  writeFileSync(join(busy, 'x'), 'x');
  const refused = cli(['restore', dest, '--data', busy]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /not empty/);
  const newData = join(s.root, 'restored');
  // (on PostgreSQL into a new, empty database)
  const r = cli(['restore', dest, '--data', newData, ...(pgStore(s.data) ? pgStoreArgs() : [])]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /(integrity_check|pg_restore) ok, materials re-hashed ok, audit chain ok/);
  // the installed packs, file for file
  const tree = (d) => readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => { const f = join(e.parentPath ?? e.path, e.name); return [f.slice(d.length), readFileSync(f, 'utf8')]; }).sort();
  assert.ok(manifest.policy_files > 0);
  assert.deepEqual(tree(join(newData, 'policy')), tree(join(s.data, 'policy')));
  assert.match(cli(['policy', 'packs', '--data', newData]).stdout, /2099\.1/);
  const va = cli(['verify', 'audit', '--data', newData]);
  assert.equal(va.status, 0, va.stderr);
  const vm = cli(['verify', 'materials', '--data', newData]);
  assert.equal(vm.status, 0, vm.stdout + vm.stderr);

  restored = new Server(newData, s.logins);
  await restored.launch();
  await loginAll(restored, ['filer', 'admin']);

  // filings: every one listed before the backup started is there; each is in a state that was
  // acknowledged; its frozen versions equal the original's
  const list = await restored.req('GET', `${API}/filings?limit=500`, { token: restored.tokens.admin });
  assert.equal(list.status, 200);
  const restoredIds = new Set(list.body.items.map((f) => f.id));
  for (const id of idsBefore) assert.ok(restoredIds.has(id), `filing ${id} (there before the backup) is restored`);
  assert.equal(restoredIds.size, manifest.filings);
  let versions = 0;
  for (const id of restoredIds) {
    const f = await getFiling(restored, 'admin', id);
    assert.ok(seen.get(id)?.has(key(f)), `filing ${id}: the restored state was acknowledged (etag ${f.etag})`);
    const vr = await restored.req('GET', `${API}/filings/${id}/versions`, { token: restored.tokens.admin });
    const vo = await s.req('GET', `${API}/filings/${id}/versions`, { token: s.tokens.admin });
    for (const v of vr.body.items) {
      const a = await restored.req('GET', `${API}/filings/${id}/versions/${v.n}`, { token: restored.tokens.admin });
      const o = await s.req('GET', `${API}/filings/${id}/versions/${v.n}`, { token: s.tokens.admin });
      assert.deepEqual(a.body, o.body, `filing ${id} version ${v.n}`);
      versions++;
    }
    assert.ok(vr.body.items.length <= vo.body.items.length);
  }

  // materials: every restored one has the original's hash
  const mr = await restored.req('GET', `${API}/materials`, { token: restored.tokens.filer });
  const mo = await s.req('GET', `${API}/materials`, { token: s.tokens.filer });
  const items = (x) => x.body.items ?? x.body;
  const orig = new Map(items(mo).map((m) => [m.id, m.sha256]));
  assert.ok(items(mr).length >= 11);
  for (const m of items(mr)) assert.equal(m.sha256, orig.get(m.id), `material ${m.id}`);

  // the audit log up to the backup point is the original's, entry for entry
  const n = manifest.audit_last_id;
  // (the restored server's own logins came after: compare up to n)
  const ar = sql(newData, `SELECT * FROM audit WHERE id <= ${n} ORDER BY id`);
  const ao = sql(s.data, `SELECT * FROM audit WHERE id <= ${n} ORDER BY id`);
  assert.ok(ao.length > 0);
  assert.equal(ar.length, n);
  assert.deepEqual(ar, ao);
  const later = sql(s.data, 'SELECT count(*) AS n FROM audit')[0].n;
  console.log(`# backup under load: ${restoredIds.size} filings, ${versions} versions, ${items(mr).length} materials, ` +
    `audit ${n} of ${later} entries (the rest written after the snapshot), ${acks} acknowledged writes`);
  assert.equal(cli(['verify', 'audit', '--data', s.data]).status, 0);
});
