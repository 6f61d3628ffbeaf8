// page_cache.test.mjs — /metrics tells how much memory the embedded store's page caches hold
// (beian_store_page_cache_bytes): what a soak's RSS shows rising while the database grows past the
// caches (bench/soak.sh reports the growth outside them). The gauge follows the caches: it grows
// as saves and reads bring new pages in, and stays within the bound SQLite's cache_size sets. On
// PostgreSQL (make test-pg) the caches are the database server's, and the gauge is not there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, assertPromtoolClean, pgStore } from './lib.mjs';
import { API, createFiling, createSystem, putDocument, referenceDoc } from './story.mjs';

let s;
before(async () => { s = await Server.start(); });
after(async () => { await s?.stop(); });

async function cacheLine() {
  const m = await s.req('GET', '/metrics');
  assert.equal(m.status, 200);
  assertPromtoolClean(m.text);
  return { text: m.text, line: m.text.split('\n').find((l) => l.startsWith('beian_store_page_cache_bytes ')) };
}

async function cacheBytes() {
  const { text, line } = await cacheLine();
  assert.ok(line, `no beian_store_page_cache_bytes in:\n${text}`);
  return Number(line.split(' ')[1]);
}

test('the page caches gauge grows as documents are saved and read, within its bound', async (t) => {
  const token = await s.login('filer');
  if (pgStore(s.data)) {
    assert.equal((await cacheLine()).line, undefined, 'no SQLite page caches to tell of on PostgreSQL');
    t.skip('PostgreSQL: the page caches are the database server\'s');
    return;
  }
  const first = await cacheBytes();
  assert.ok(first > 0, `a store that answered requests holds pages: ${first}`);
  const systemId = await createSystem(s);
  const doc = referenceDoc();
  // 40 documents of ~8 KB each (each in a filing of its own): ~320 KB of pages the writer writes
  for (let i = 0; i < 40; i++) {
    const created = await createFiling(s, systemId);
    const d = structuredClone(doc);
    d.system.description = `${d.system.description} 第 ${i} 份`;
    await putDocument(s, created.id, d, created.etag);
  }
  const saved = await cacheBytes();
  assert.ok(saved >= first + 256 * 1024, `the writer's cache holds the pages it wrote: ${first} -> ${saved} bytes`);
  // and read them all back, more than once per reader thread's counting interval
  for (let round = 0; round < 3; round++) {
    const list = await s.req('GET', `${API}/filings?limit=100`, { token });
    for (const f of list.body.items) await s.req('GET', `${API}/filings/${f.id}`, { token });
  }
  const later = await cacheBytes();
  assert.ok(later >= saved + 128 * 1024, `the readers' caches hold the pages they read: ${saved} -> ${later} bytes`);
  // one writer and four reader threads (the tests' --threads 4), a few more for timers: each at
  // most SQLite's default cache of 2,000 KiB plus its bookkeeping
  assert.ok(later < 12 * 2100 * 1024, `bounded by the connections' cache_size: ${later}`);
});
