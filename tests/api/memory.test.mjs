// memory.test.mjs — /metrics tells where the server's memory is, so that a soak (bench/soak.sh)
// and an operator can tell a leak from caches and fragmentation:
// - how much the embedded store's page caches hold (beian_store_page_cache_bytes). The gauge
//   follows the caches: it grows as saves and reads bring new pages in, and stays within the bound
//   SQLite's cache_size sets. On PostgreSQL (make test-pg) the caches are the database server's,
//   and the gauge is not there.
// - what the C allocator holds (beian_heap_bytes): in use, which a leak grows, and free inside its
//   arenas, which fragmentation grows. In use follows what the server keeps: the last evaluation
//   of each recently saved filing (filing_traces.h), the document's tree included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, assertPromtoolClean, pgStore } from './lib.mjs';
import { readFileSync } from 'node:fs';
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

// n new filings of the system, each saved once with the reference document (a description of its own)
async function saveNewFilings(systemId, n) {
  const doc = referenceDoc();
  for (let i = 0; i < n; i++) {
    const created = await createFiling(s, systemId);
    const d = structuredClone(doc);
    d.system.description = `${d.system.description} 第 ${i} 份`;
    await putDocument(s, created.id, d, created.etag);
  }
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
  // 40 documents of ~8 KB each (each in a filing of its own): ~320 KB of pages the writer writes
  await saveNewFilings(systemId, 40);
  const saved = await cacheBytes();
  assert.ok(saved >= first + 256 * 1024, `the writer's cache holds the pages it wrote: ${first} -> ${saved} bytes`);
  // and read them all back, three times
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

async function heapBytes() {
  const m = await s.req('GET', '/metrics');
  assert.equal(m.status, 200);
  assertPromtoolClean(m.text);
  const value = (state) => {
    const line = m.text.split('\n').find((l) => l.startsWith(`beian_heap_bytes{state="${state}"} `));
    assert.ok(line, `no beian_heap_bytes{state="${state}"} in:\n${m.text}`);
    return Number(line.split(' ')[1]);
  };
  return { inUse: value('in_use'), free: value('free') };
}

function residentBytes() {
  const status = readFileSync(`/proc/${s.proc.pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)[1]) * 1024;
}

test('the allocator\'s account: in use grows by what the server keeps, and both fit in its RSS', async () => {
  const systemId = await createSystem(s);
  const before = await heapBytes();
  // a server with its policy pack loaded and a few requests answered holds megabytes
  assert.ok(before.inUse > 1024 * 1024, `in use at the start: ${before.inUse}`);
  assert.ok(before.free >= 0, `free: ${before.free}`);
  // 48 filings saved once each: the server keeps each one's last evaluation with its document's tree
  await saveNewFilings(systemId, 48);
  const kept = await heapBytes();
  assert.ok(kept.inUse >= before.inUse + 2 * 1024 * 1024,
    `48 kept evaluations of an 8 KB document hold more than 2 MiB (about 110 KB each): ${before.inUse} -> ${kept.inUse}`);
  assert.ok(kept.inUse < residentBytes(), `in use ${kept.inUse} is resident memory (RSS ${residentBytes()})`);
});
