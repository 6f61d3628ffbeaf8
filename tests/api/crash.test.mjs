// crash.test.mjs — an acknowledged write is durable: SIGKILL the server right after a reply, start
// it again on the same data directory, and everything acknowledged is there (WAL with
// synchronous=FULL; the reply is sent only after COMMIT). The database passes integrity_check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Server } from './lib.mjs';
import {
  API, actOk, completeDraft, createSystem, getFiling, killAndRestart, loginAll, referenceDoc, newSystem } from './story.mjs';

let s;
let systemId;

before(async () => {
  s = await Server.start();
  await loginAll(s, ['filer', 'checker']);
  systemId = await createSystem(s, 'filer', '崩溃测试系统');
});

after(async () => { await s?.stop(); });

function integrityCheck(data) {
  const r = spawnSync('sqlite3', [join(data, 'beian.db'), 'PRAGMA integrity_check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'ok');
}

const etagRevision = (etag) => Number(/^"\d+-(\d+)"$/.exec(etag)[1]);

test('an acknowledged submit_for_check survives kill -9', async () => {
  const id = await completeDraft(s, await newSystem(s));
  const out = await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
  assert.equal(out.filing.current_version, 1);
  s = await killAndRestart(s);

  // the session token is stored too: the same token works after the restart
  const f = await getFiling(s, 'filer', id);
  assert.equal(f.state, 'internal_check');
  assert.equal(f.current_version, 1);
  assert.equal(f.etag, out.filing.etag);
  const v = await s.req('GET', `${API}/filings/${id}/versions`, { token: s.tokens.filer });
  assert.equal(v.status, 200);
  assert.deepEqual(v.body.items.map((x) => x.n), [1]);
  const v1 = await s.req('GET', `${API}/filings/${id}/versions/1`, { token: s.tokens.filer });
  assert.equal(v1.status, 200);
  assert.deepEqual(v1.body.document, referenceDoc());
  const ev = await s.req('GET', `${API}/filings/${id}/events`, { token: s.tokens.filer });
  assert.ok(ev.body.items.some((e) => e.action === 'filing.submit_for_check'));
  integrityCheck(s.data);

  // and the workflow goes on from there
  await actOk(s, 'checker', id, 'approve_check', undefined, 'provider_confirmation');
});

test('ten rapid acknowledged PUTs, then kill -9: the last acknowledged revision is there', async () => {
  const id = await completeDraft(s, await newSystem(s));
  let f = await getFiling(s, 'filer', id);
  const doc = referenceDoc();
  let last;
  for (let i = 1; i <= 10; i++) {
    doc.system.description = `第 ${i} 次修订：面向社会公众提供在线咨询、工单受理和服务进度查询的智能客服平台。`;
    const r = await s.req('PUT', `${API}/filings/${id}/document`, { token: s.tokens.filer, body: doc, headers: { 'If-Match': f.etag } });
    assert.equal(r.status, 200, r.text);
    f = r.body;
    last = { etag: r.body.etag, description: doc.system.description };
  }
  s = await killAndRestart(s);

  const now = await getFiling(s, 'filer', id);
  assert.equal(now.etag, last.etag, 'the last acknowledged ETag');
  assert.equal(now.document.system.description, last.description);
  assert.deepEqual(now.document, doc);
  const ev = await s.req('GET', `${API}/filings/${id}/events`, { token: s.tokens.filer });
  assert.equal(ev.body.items.filter((e) => e.action === 'filing.document').length, 11, 'every acknowledged edit is in the audit log');
  integrityCheck(s.data);
});

test('kill -9 in the middle of a burst of writes: nothing acknowledged is lost', async () => {
  const ids = [];
  for (let k = 0; k < 6; k++) ids.push(await completeDraft(s, await newSystem(s)));
  const start = await Promise.all(ids.map((id) => getFiling(s, 'filer', id)));
  // per filing: the last acknowledged {revision, description}, and the one in flight
  const state = ids.map((id, k) => ({ id, etag: start[k].etag, acked: null, inflight: null }));
  let stop = false;
  let acks = 0;
  const writer = async (w) => {
    for (let i = 1; !stop; i++) {
      const doc = referenceDoc();
      doc.system.description = `并发修订 ${w.id}-${i}：面向社会公众的智能客服平台。`;
      w.inflight = { revision: etagRevision(w.etag) + 1, description: doc.system.description };
      let r;
      try {
        r = await s.req('PUT', `${API}/filings/${w.id}/document`, { token: s.tokens.filer, body: doc, headers: { 'If-Match': w.etag } });
      } catch { return; }                                  // the server is gone
      if (stop && r.status !== 200) return;
      assert.equal(r.status, 200, r.text);
      w.etag = r.body.etag;
      w.acked = { revision: etagRevision(r.body.etag), description: doc.system.description };
      w.inflight = null;
      acks++;
    }
  };
  const running = state.map(writer);
  while (acks < 30) await new Promise((r) => setTimeout(r, 5));
  const old = s;
  const restarted = killAndRestart(old);                   // SIGKILL while writes are in flight
  stop = true;
  s = await restarted;
  await Promise.all(running);

  for (const w of state) {
    assert.ok(w.acked, `filing ${w.id} had an acknowledged write`);
    const f = await getFiling(s, 'filer', w.id);
    const rev = etagRevision(f.etag);
    assert.ok(rev >= w.acked.revision, `filing ${w.id}: stored revision ${rev} < acknowledged ${w.acked.revision}`);
    if (rev === w.acked.revision) {
      assert.equal(f.document.system.description, w.acked.description);
    } else {
      // the write in flight at the kill may have committed: then exactly that one
      assert.ok(w.inflight, `filing ${w.id}: revision ${rev} but nothing was in flight`);
      assert.equal(rev, w.inflight.revision);
      assert.equal(f.document.system.description, w.inflight.description);
    }
  }
  integrityCheck(s.data);
});
