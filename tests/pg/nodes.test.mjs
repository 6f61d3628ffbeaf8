// nodes.test.mjs — two beian nodes on one PostgreSQL behind nginx (Debian's nginx-light) as the
// load balancer: the lifecycle story with each step on the other node, then through the
// balancer; filings approved at once on both nodes get unique numbers with no gap; the work that
// runs once (standing checks, notifications, checkpoints) is led by one node at a time; one node
// killed with SIGKILL mid-run: the other keeps serving and no acknowledged write is lost; the audit
// chain is whole at the end. The second node starts from an empty data directory: the keys that
// sign and the device-cookie key are the deployment's, in the database, so what one node signed
// verifies against the keys the other publishes and a device cookie of one is trusted by the
// other. Needs BEIAN_PG_DIR (a cluster of tests/pg/start.sh; tests/pg/run.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server, cli, dbExec, freePort, pgStore, waitFor } from '../api/lib.mjs';
import { API, PATH, actOk, completeDraft, driveTo, getFiling, loginAll, newSystem } from '../api/story.mjs';

const ROLES = ['filer', 'checker', 'provider', 'reviewer'];

async function startNginx(dir, ports) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const root = process.getuid && process.getuid() === 0 ? 'user root;\n' : '';
  writeFileSync(join(dir, 'nginx.conf'), `${root}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream beian { ${ports.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=30s;`).join(' ')} }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 60m;
    location / { proxy_pass http://beian; proxy_next_upstream error timeout; proxy_set_header Host $host; }
  }
}
`);
  const proc = spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => proc.on('exit', r));
  const base = `http://127.0.0.1:${port}`;
  const up = await waitFor(() => proc.exitCode !== null || fetch(`${base}/healthz`).then((r) => r.ok, () => false), 10000);
  if (!up || proc.exitCode !== null) throw new Error(`nginx did not start: ${log}`);
  return { base, stop: async () => { proc.kill('SIGTERM'); await exited; } };
}

// Which node (application_name) holds each lead lock ("beian" 0x6265 in the high half of the key)
// in this test's database (the other suites' databases share the cluster and its lock table).
function leaders(data) {
  const r = dbExec(data, "SELECT l.objid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    + "WHERE l.locktype = 'advisory' AND l.classid = 25189 AND l.granted "
    + 'AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY 1');
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean).map((line) => line.split('|'));
}

const seqOf = (number) => Number(number.split('-').pop());

// Sign in on node s from a chosen source address (the throttles count per address), with an
// optional device cookie; returns {status, device} (the beian_device cookie set, if any).
function signInFrom(s, addr, login, password, cookie) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify({ login, password });
    const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) };
    if (cookie) headers.Cookie = `beian_device=${cookie}`;
    const req = http.request({ host: '127.0.0.1', port: s.port, method: 'POST', path: '/api/v1/session', headers,
      localAddress: addr, agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        const set = (res.headers['set-cookie'] || []).map((c) => c.split(';')[0]).find((c) => c.startsWith('beian_device='));
        resolve({ status: res.statusCode, device: set && set.slice('beian_device='.length) });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

test('two nodes on one PostgreSQL behind nginx', { skip: !process.env.BEIAN_PG_DIR && 'no PostgreSQL (run tests/pg/run.sh)' }, async () => {
  const serveArgs = ['--checkpoint-interval', '1'];
  const a = await Server.start({ serveArgs, env: { PGAPPNAME: 'beian-a' } });
  // the second node: an empty data directory of its own, on the same database (no keys copied)
  const dataB = join(a.root, 'data-b');
  mkdirSync(dataB);
  const b = await Server.start({ data: dataB, logins: a.logins, serveArgs: [...serveArgs, '--store', pgStore(a.data)],
    env: { PGAPPNAME: 'beian-b' } });
  const lb = await startNginx(join(a.root, 'nginx'), [a.port, b.port]);
  try {
    // sessions are rows: a token from node A works on node B
    await loginAll(a, ROLES);
    b.tokens = a.tokens;
    const alt = { tokens: a.tokens, n: 0, req(...args) { return [a, b][this.n++ % 2].req(...args); } };
    const via = { tokens: a.tokens, req: (m, p, o) => fetchVia(lb.base, m, p, o) };
    async function fetchVia(base, method, path, opts) {
      const s = new Server(a.data, a.logins);
      s.base = base;
      return s.req(method, path, opts);
    }

    // the story with every request on the other node, then through the balancer
    const first = await completeDraft(alt, await newSystem(alt));
    const filed = await driveTo(alt, first, 'filed');
    assert.match(filed.number, /^110000-\d{4}-000001$/);
    const second = await completeDraft(via, await newSystem(via));
    assert.equal((await driveTo(via, second, 'filed')).state, 'filed');
    assert.equal((await getFiling(b, 'filer', second)).state, 'filed', 'node B reads what went through either');

    // approvals at once on both nodes: unique numbers, no gap
    const queue = [];
    for (let i = 0; i < 8; i++) queue.push(await completeDraft(alt, await newSystem(alt)));
    await Promise.all(queue.map((id) => driveTo(alt, id, PATH[PATH.indexOf('filed') - 1])));
    const approved = await Promise.all(queue.map((id, i) => actOk(i % 2 ? b : a, 'reviewer', id, 'approve', undefined, 'filed')));
    const seqs = approved.map((r) => seqOf(r.filing.number)).sort((x, y) => x - y);
    assert.deepEqual(seqs, [3, 4, 5, 6, 7, 8, 9, 10], `numbers ${seqs}`);

    // one set of keys for the deployment: both nodes publish the same, one current key per owner,
    // and a certificate signed on either node verifies against the keys the other publishes
    const published = await Promise.all([a, b].map((n) => n.req('GET', '/.well-known/beian-keys.json')));
    assert.deepEqual(published[1].body, published[0].body, 'both nodes publish the same keys');
    const current = published[0].body.keys.filter((k) => k.current !== false && !k.retired_at);
    assert.equal(new Set(current.map((k) => k.owner)).size, current.length, `one current key per owner: ${published[0].text}`);
    for (const [signer, checker] of [[a, b], [b, a]]) {
      const id = queue[signer === a ? 0 : 1];   // approved on a (even), on b (odd)
      const cert = await signer.req('GET', `${API}/filings/${id}/certificate`, { token: a.tokens.filer });
      assert.equal(cert.status, 200, cert.text);
      const keys = await checker.req('GET', '/.well-known/beian-keys.json');
      const dir = join(a.root, `verify-${signer.port}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'keys.json'), keys.text);
      writeFileSync(join(dir, 'certificate.json'), cert.text);
      const v = cli(['verify', 'certificate', join(dir, 'certificate.json'), '--key', join(dir, 'keys.json')]);
      assert.equal(v.status, 0, `signed on one node, checked with the other's keys: ${v.stdout}${v.stderr}`);
    }

    // a device cookie node A issued is trusted by node B: its holder signs in on B from an
    // address strangers hammered, where a stranger with the right password waits
    const issued = await signInFrom(a, '127.0.0.21', 'provider', a.logins.provider.password);
    assert.equal(issued.status, 201);
    assert.ok(issued.device, 'node A sets a device cookie');
    for (let i = 0; i < 8; i++) await signInFrom(b, '127.0.0.22', 'provider', `stranger guess ${i}`);
    assert.equal((await signInFrom(b, '127.0.0.22', 'provider', a.logins.provider.password)).status, 429, 'a stranger waits');
    assert.equal((await signInFrom(b, '127.0.0.22', 'provider', a.logins.provider.password, issued.device)).status, 201,
      'node B trusts the device cookie node A issued');

    // the work that runs once: each lead held by exactly one node
    await waitFor(() => leaders(a.data).length >= 2, 10000);
    const before = leaders(a.data);
    assert.equal(new Set(before.map(([key]) => key)).size, before.length, 'no lead is held twice');

    // SIGKILL node B while writes arrive through the balancer; every acknowledged write stays
    const acknowledged = [];
    let stop = false, failed = 0;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const name = `kill-run ${i}-${process.pid}`;
        const r = await via.req('POST', `${API}/systems`, { token: a.tokens.filer, body: { name } }).catch(() => ({ status: 0 }));
        if (r.status === 201) acknowledged.push(r.body.id);
        else failed++;
      }
    })();
    await waitFor(() => acknowledged.length >= 10, 20000);
    await b.kill9();
    const atKill = acknowledged.length;
    await waitFor(() => acknowledged.length >= atKill + 20, 30000);
    stop = true;
    await writer;
    assert.ok(acknowledged.length >= atKill + 20, 'node A kept serving through the balancer');
    const systems = (await a.req('GET', `${API}/systems`, { token: a.tokens.filer })).body.items.map((x) => x.id);
    for (const id of acknowledged) assert.ok(systems.includes(id), `acknowledged system ${id} is there`);
    assert.ok(failed <= 2, `at most the requests in flight on the killed node failed (${failed})`);

    // node A takes over every lead node B held
    assert.ok(await waitFor(() => leaders(a.data).every(([, app]) => app === 'beian-a') && leaders(a.data).length >= before.length, 20000),
      `leads after the kill: ${JSON.stringify(leaders(a.data))}`);

    // an approval after the kill continues the numbering
    const late = await completeDraft(via, await newSystem(via));
    assert.equal(seqOf((await driveTo(via, late, 'filed')).number), 11);

    const verify = cli(['verify', 'audit', '--data', a.data]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  } finally {
    await lb.stop();
    await b.stop({ keep: true }).catch(() => {});
    await a.stop();
  }
});
