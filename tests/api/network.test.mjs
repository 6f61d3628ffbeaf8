// network.test.mjs — issue 12, hardening from an outside probe: which address counts as the client
// (X-Forwarded-For only from a trusted proxy), one address cannot take every connection (1,100
// slowloris connections from 127.0.0.1 while /healthz is asked from 127.0.0.2), HTTPS served
// directly with a self-signed certificate made here (Secure cookie, HSTS), /metrics only for
// allowed addresses or a token, and the public verification rate-limited per address.
// The whole of 127/8 is loopback on Linux, so binding localAddress gives the tests a second client.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, TIME_SCALE, BIN, freePort, initDemo } from './lib.mjs';

// `beian serve` expected to refuse to start; the timeout keeps a server that did start from hanging the suite.
function serveRefused(args) {
  const r = spawnSync(BIN, ['serve', ...args], { encoding: 'utf8', timeout: 20000 * TIME_SCALE });
  return { status: r.status, stderr: r.stderr || '' };
}

const servers = [];
after(async () => { for (const s of servers) await s.stop(); });
async function start(opts) { const s = await Server.start({ materials: false, ...opts }); servers.push(s); return s; }

// One request from a chosen local address; {status, headers, text, body}.
function request(s, method, path, { from = '127.0.0.1', headers = {}, body, ca } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const h = { ...headers };
    if (payload !== undefined) { h['Content-Type'] = 'application/json'; h['Content-Length'] = Buffer.byteLength(payload); }
    const mod = ca ? https : http;
    const req = mod.request({ host: '127.0.0.1', port: s.port, method, path, headers: h, localAddress: from, agent: false, ca },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { text += d; });
        res.on('end', () => {
          let json;
          try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
          resolve({ status: res.statusCode, headers: res.headers, text, body: json });
        });
      });
    req.on('error', reject);
    req.setTimeout(30000 * TIME_SCALE, () => req.destroy(new Error('timed out')));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

// The address the request log gives for the request with this X-Request-Id.
async function loggedIp(s, rid) {
  for (let i = 0; i < 100 && !s.log.includes(`rid=${rid}`); i++) await new Promise((r) => setTimeout(r, 20));
  const line = s.log.split('\n').find((l) => l.includes(`rid=${rid}`));
  assert.ok(line, `a log line for ${rid}`);
  const m = / ip=(\S+)/.exec(line);
  assert.ok(m, `the log line names the client address: ${line}`);
  return m[1];
}

async function clientSeen(s, from, xff) {
  const r = await request(s, 'GET', '/healthz', { from, headers: xff === undefined ? {} : { 'X-Forwarded-For': xff } });
  assert.equal(r.status, 200);
  return loggedIp(s, r.headers['x-request-id']);
}

const verify = (s, from, xff) =>
  request(s, 'GET', '/api/v1/public/filings/110000-2026-999999', { from, headers: xff ? { 'X-Forwarded-For': xff } : {} });

test('X-Forwarded-For and X-Forwarded-Proto count only from a trusted proxy', async () => {
  const s = await start({ serveArgs: ['--trusted-proxy', '127.0.0.1,10.9.0.0/16', '--verify-per-minute', '3'] });
  // the proxy names the client; the rightmost address that is not a trusted proxy is the client
  assert.equal(await clientSeen(s, '127.0.0.1', '198.51.100.7'), '198.51.100.7');
  assert.equal(await clientSeen(s, '127.0.0.1', '198.51.100.9, 10.9.4.4'), '198.51.100.9');
  assert.equal(await clientSeen(s, '127.0.0.1', '6.6.6.6, 198.51.100.10'), '198.51.100.10', 'what the client itself sent is ignored');
  assert.equal(await clientSeen(s, '127.0.0.1', 'garbage, 198.51.100.11'), '198.51.100.11');
  assert.equal(await clientSeen(s, '127.0.0.1', '2001:db8::1'), '2001:db8::1');
  assert.equal(await clientSeen(s, '127.0.0.1'), '127.0.0.1', 'no header: the proxy itself');
  // a peer that is not a named proxy cannot pick its address
  assert.equal(await clientSeen(s, '127.0.0.2', '198.51.100.8'), '127.0.0.2');

  // and it matters: each real client behind the proxy has its own verification allowance …
  for (let i = 0; i < 3; i++) assert.equal((await verify(s, '127.0.0.1', '198.51.100.20')).status, 404);
  assert.equal((await verify(s, '127.0.0.1', '198.51.100.20')).status, 429);
  assert.equal((await verify(s, '127.0.0.1', '198.51.100.21')).status, 404, 'another client behind the proxy');
  // … while a direct client cannot escape its own by inventing addresses
  for (let i = 0; i < 3; i++) assert.equal((await verify(s, '127.0.0.2', `203.0.113.${i}`)).status, 404);
  assert.equal((await verify(s, '127.0.0.2', '203.0.113.99')).status, 429);

  // X-Forwarded-Proto: https from the proxy means the client came over TLS
  let r = await request(s, 'GET', '/healthz', { from: '127.0.0.1', headers: { 'X-Forwarded-Proto': 'https' } });
  assert.match(r.headers['strict-transport-security'] || '', /max-age=\d+/);
  r = await request(s, 'GET', '/healthz', { from: '127.0.0.2', headers: { 'X-Forwarded-Proto': 'https' } });
  assert.equal(r.headers['strict-transport-security'], undefined);
});

test('without --trusted-proxy, X-Forwarded-For and X-Forwarded-Proto are ignored', async () => {
  const s = await start({ serveArgs: ['--verify-per-minute', '3'] });
  assert.equal(await clientSeen(s, '127.0.0.1', '198.51.100.7'), '127.0.0.1');
  assert.equal(await clientSeen(s, '127.0.0.3', '198.51.100.7'), '127.0.0.3');
  for (let i = 0; i < 3; i++) assert.equal((await verify(s, '127.0.0.1', `198.51.100.${i}`)).status, 404);
  assert.equal((await verify(s, '127.0.0.1', '198.51.100.99')).status, 429);
  const r = await request(s, 'GET', '/healthz', { headers: { 'X-Forwarded-Proto': 'https' } });
  assert.equal(r.headers['strict-transport-security'], undefined);
  for (const bad of ['10.0.0.0/33', 'proxy.example', '127.0.0.1,,']) {
    const r = serveRefused(['--data', s.data, '--listen', `127.0.0.1:${await freePort()}`, '--trusted-proxy', bad]);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /--trusted-proxy/);
  }
});

test('public verification is rate-limited per client address: 429 with Retry-After', async () => {
  const s = await start({ serveArgs: ['--verify-per-minute', '5'] });
  for (let i = 0; i < 5; i++) assert.equal((await verify(s, '127.0.0.1')).status, 404);
  const r = await verify(s, '127.0.0.1');
  assert.equal(r.status, 429);
  assert.match(r.headers['content-type'], /^application\/problem\+json/);
  assert.equal(r.body.code, 'too_many_requests');
  assert.ok(Number(r.headers['retry-after']) >= 1 && Number(r.headers['retry-after']) <= 60, r.headers['retry-after']);
  assert.equal((await verify(s, '127.0.0.2')).status, 404, 'another address keeps its own allowance');
  // other public routes are not counted
  assert.equal((await request(s, 'GET', '/api/v1/workflow')).status, 200);
});

test('/metrics answers only configured addresses or the metrics token', async () => {
  const token = 'metrics-token-0123456789abcdef';
  const s = await start({ serveArgs: ['--metrics-allow', '127.0.0.1', '--trusted-proxy', '127.0.0.9'],
    env: { BEIAN_METRICS_TOKEN: token } });
  for (const path of ['/metrics', '/api/v1/metrics']) {
    assert.equal((await request(s, 'GET', path, { from: '127.0.0.1' })).status, 200, path);
    assert.equal((await request(s, 'GET', path, { from: '127.0.0.2' })).status, 404, path);
    assert.equal((await request(s, 'GET', path, { from: '127.0.0.2', headers: { Authorization: 'Bearer wrong-token-0123456789abcdef' } })).status, 404);
    const r = await request(s, 'GET', path, { from: '127.0.0.2', headers: { Authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200);
    assert.match(r.text, /^beian_http_requests_total/m);
    // through the proxy the real client counts, not the proxy's loopback address
    assert.equal((await request(s, 'GET', path, { from: '127.0.0.9', headers: { 'X-Forwarded-For': '203.0.113.5' } })).status, 404);
  }
  // the default: loopback only, so a client behind a trusted proxy is refused
  const d = await start({ serveArgs: ['--trusted-proxy', '127.0.0.1'] });
  assert.equal((await request(d, 'GET', '/metrics', { from: '127.0.0.2' })).status, 200);
  assert.equal((await request(d, 'GET', '/metrics', { from: '127.0.0.1', headers: { 'X-Forwarded-For': '203.0.113.5' } })).status, 404);
});

test('HTTPS served directly with a self-signed certificate: Secure cookie and HSTS; plain HTTP neither', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beian-tls-'));
  try {
    const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
    const o = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    assert.equal(o.status, 0, o.stderr);
    const ca = readFileSync(cert);
    const probe = (srv) => request(srv, 'GET', '/healthz', { ca }).then((r) => r.status === 200, () => false);
    const demo = initDemo();
    const s = await start({ data: demo.data, logins: demo.logins, serveArgs: ['--tls-cert', cert, '--tls-key', key], probe });
    s.root = demo.root;
    const login = await request(s, 'POST', '/api/v1/session', { ca, body: { login: 'filer', password: s.logins.filer.password } });
    assert.equal(login.status, 201, login.text);
    // the session cookie and the device cookie (issue 12's sign-in) both get Secure
    const cookies = [].concat(login.headers['set-cookie'] || []);
    assert.ok(cookies.some((c) => c.startsWith('beian_session=')), cookies.join('\n'));
    for (const c of cookies) {
      assert.match(c, /; Secure(;|$)/);
      assert.match(c, /HttpOnly/);
    }
    assert.match(login.headers['strict-transport-security'] || '', /^max-age=\d{7,}/);
    const me = await request(s, 'GET', '/api/v1/me', { ca, headers: { Authorization: `Bearer ${login.body.token}` } });
    assert.equal(me.status, 200);
    // plain HTTP to the TLS port is not answered as HTTP
    await assert.rejects(request(s, 'GET', '/healthz'));

    const p = await start({});
    const plain = await request(p, 'POST', '/api/v1/session', { body: { login: 'filer', password: p.logins.filer.password } });
    assert.equal(plain.status, 201);
    for (const c of [].concat(plain.headers['set-cookie'])) assert.doesNotMatch(c, /Secure/);
    assert.equal(plain.headers['strict-transport-security'], undefined);

    // a certificate that cannot be read or a missing key is a clear start-up failure
    writeFileSync(join(dir, 'bad.pem'), 'not a certificate\n');
    let r = serveRefused(['--data', p.data, '--listen', `127.0.0.1:${await freePort()}`, '--tls-cert', join(dir, 'bad.pem'), '--tls-key', key]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /certificate|TLS/i);
    r = serveRefused(['--data', p.data, '--tls-cert', cert]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--tls-key/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('1,100 slow connections from one address: /healthz from another address answers throughout', { timeout: 180000 * TIME_SCALE }, async () => {
  const s = await start({});
  // Node raises its soft fd limit to the hard one at start; on a machine whose hard limit is below
  // what 1,100 sockets need, attack with what fits (still far above the per-address limit of 128).
  const soft = Number((/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8')) || [])[1]) || 1100 + 200;
  const N = Math.min(1100, soft - 200);
  assert.ok(N >= 500, `only ${soft} file descriptors: raise ulimit -n`);
  const socks = [];
  let refused = 0, refusedAtAccept = 0;
  const head = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(400);
  for (let i = 0; i < N; i++) {
    const sock = net.connect({ host: '127.0.0.1', port: s.port, localAddress: '127.0.0.1' });
    sock.on('error', () => {});
    sock.on('close', () => { refused++; });
    sock.k = 0;
    socks.push(sock);
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 10));
  }
  // slowloris: every connection sends its request head one byte a second
  const drip = setInterval(() => {
    for (const sock of socks) if (!sock.destroyed && sock.k < head.length) sock.write(head[sock.k++]);
  }, 1000);
  const latencies = [];
  try {
    const until = Date.now() + 12000 * TIME_SCALE;
    while (Date.now() < until) {
      const t = Date.now();
      const r = await request(s, 'GET', '/healthz', { from: '127.0.0.2' }).catch((e) => ({ status: 0, text: String(e) }));
      const ms = Date.now() - t;
      assert.equal(r.status, 200, `/healthz from 127.0.0.2 during the attack: ${r.text}`);
      assert.ok(ms < 2000 * TIME_SCALE, `/healthz took ${ms} ms during the attack`);
      latencies.push(ms);
      await new Promise((res) => setTimeout(res, 200));
    }
    const held = socks.filter((x) => !x.destroyed).length;
    refusedAtAccept = N - held - 1;
    latencies.sort((a, b) => a - b);
    const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    console.log(`# slowloris: ${N} connections from 127.0.0.1, ${held} held, ${refused} closed by the server; ` +
      `/healthz from 127.0.0.2 ×${latencies.length}: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${latencies[latencies.length - 1]} ms`);
    assert.ok(held <= 200, `one address holds ${held} connections`);
  } finally {
    clearInterval(drip);
    socks.forEach((x) => x.destroy());
  }
  // the slots come back once the attacker is gone
  const back = await (async () => {
    for (let i = 0; i < 50; i++) {
      const r = await request(s, 'GET', '/healthz', { from: '127.0.0.1' }).catch(() => ({ status: 0 }));
      if (r.status === 200) return true;
      await new Promise((res) => setTimeout(res, 100));
    }
    return false;
  })();
  assert.ok(back, 'the attacking address is served again once its connections are closed');
  // all of them closed on the server's side too: 50 at once fit again (on a loaded machine the
  // server may still be closing the last of the 1,100 when the first request above gets through)
  const fifty = async () => {
    for (let i = 0; i < 50; i++) {
      const many = await Promise.all(Array.from({ length: 50 }, () =>
        request(s, 'GET', '/healthz', { from: '127.0.0.1' }).catch(() => ({ status: 0 }))));
      if (many.every((r) => r.status === 200)) return true;
      await new Promise((res) => setTimeout(res, 200));
    }
    return false;
  };
  assert.ok(await fifty(), 'its connection count went back to zero');
  const m = await request(s, 'GET', '/metrics', { from: '127.0.0.2' });
  const counted = Number(/^beian_http_connections_refused_total (\d+)$/m.exec(m.text)?.[1]);
  assert.ok(counted >= refusedAtAccept && counted > 0, `refused connections counted: ${counted}`);
});

// Debian's slowhttptest, the tool an attacker would use, in its three modes from 127.0.0.1: slow
// request heads (slowloris), slow request bodies (a POST whose body drips) and slow reads (a tiny
// receive window, the reply read a few bytes at a time). Meanwhile /healthz from 127.0.0.2 must
// answer within the bound, and the attacking address may hold no more than its share.
const strip = (t) => t.replace(/\x1b\[[0-9;]*m/g, '');
function slowhttptest(args) {
  return new Promise((resolve, reject) => {
    const p = spawn('slowhttptest', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    p.stdout.on('data', (d) => { text += d; });
    p.stderr.on('data', (d) => { text += d; });
    p.on('error', reject);
    p.on('close', () => resolve(strip(text)));
  });
}
test('slowhttptest: slow heads, slow bodies and slow reads from one address; /healthz from another answers throughout', { timeout: 180000 * TIME_SCALE }, async () => {
  const s = await start({});
  const url = `http://127.0.0.1:${s.port}`;
  const MODES = {
    'slow heads': ['-H', '-i', '5', '-u', `${url}/healthz`],
    'slow bodies': ['-B', '-i', '2', '-s', '8192', '-t', 'POST', '-u', `${url}/api/v1/session`],
    'slow reads': ['-X', '-k', '3', '-n', '3', '-w', '10', '-y', '20', '-z', '32', '-u', `${url}/api/v1/workflow`],
  };
  for (const [mode, args] of Object.entries(MODES)) {
    const attack = slowhttptest(['-c', '500', '-r', '250', '-l', '8', '-p', '3', ...args]);
    let done = false;
    const latencies = [];
    attack.then(() => { done = true; });
    await new Promise((r) => setTimeout(r, 2500));   // the connections are open by now
    while (!done) {
      const t = Date.now();
      const r = await request(s, 'GET', '/healthz', { from: '127.0.0.2' }).catch((e) => ({ status: 0, text: String(e) }));
      const ms = Date.now() - t;
      assert.equal(r.status, 200, `${mode}: /healthz from 127.0.0.2 during the attack: ${r.text}`);
      assert.ok(ms < 2000 * TIME_SCALE, `${mode}: /healthz took ${ms} ms during the attack`);
      latencies.push(ms);
      await new Promise((res) => setTimeout(res, 200));
    }
    const report = await attack;
    assert.match(report, /Test ended on/, `${mode}: slowhttptest ran to its end\n${report.slice(-1500)}`);
    const connected = Math.max(...[...report.matchAll(/connected:\s+(\d+)/g)].map((m) => Number(m[1])));
    assert.ok(latencies.length >= 5, `${mode}: /healthz was asked during the attack (${latencies.length} times)`);
    assert.ok(connected > 0 && connected <= 200, `${mode}: the attacker held ${connected} connections at most`);
    console.log(`# slowhttptest ${mode}: at most ${connected} of 500 held; /healthz from 127.0.0.2 ×${latencies.length}, max ${Math.max(...latencies)} ms`);
  }
});

test('a new connection that sends nothing is closed after ~10 s; one that made a request keeps 30 s', async () => {
  const s = await start({});
  const opened = Date.now();
  const idle = net.connect({ host: '127.0.0.1', port: s.port });
  idle.on('error', () => {});
  const idleClosed = new Promise((r) => idle.on('close', () => r(Date.now() - opened)));
  // a keep-alive connection that asked once, then idles
  const used = net.connect({ host: '127.0.0.1', port: s.port });
  used.on('error', () => {});
  let usedClosedAt = 0;
  used.on('close', () => { usedClosedAt = Date.now() - opened; });
  const answered = new Promise((r) => used.once('data', r));
  used.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await answered;
  const ms = await Promise.race([idleClosed, new Promise((r) => setTimeout(r, 25000 * TIME_SCALE, -1))]);
  assert.ok(ms >= 8000 && ms <= 14000 * TIME_SCALE, `the idle new connection was closed after ${ms} ms`);
  await new Promise((r) => setTimeout(r, 4000));
  assert.equal(usedClosedAt, 0, `the connection that made a request was closed after ${usedClosedAt} ms`);
  used.destroy();
});

test('--max-connections-per-address holds for clients; a trusted proxy is exempt, it carries everyone', async () => {
  const s = await start({ serveArgs: ['--max-connections-per-address', '4', '--trusted-proxy', '127.0.0.1'] });
  // Connections that stay open; how many are still open after a moment. Each sends a header line
  // every second, so that the server's 10 s idle timeout for unfinished headers never closes one:
  // on a loaded machine the wait below can outlast it, and then every connection was gone.
  const keep = [];
  async function hold(from, n) {
    const socks = Array.from({ length: n }, () => {
      const x = net.connect({ host: '127.0.0.1', port: s.port, localAddress: from });
      x.on('error', () => {});
      x.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');   // headers never finished
      keep.push(setInterval(() => { if (!x.destroyed) x.write('X-Still: here\r\n'); }, 1000));
      return x;
    });
    await new Promise((r) => setTimeout(r, 1000 * TIME_SCALE));
    return socks;
  }
  // 40 at once: the server's workers accept them side by side, each looking at the count before
  // any has added to it; the limit must still hold exactly.
  const client = await hold('127.0.0.2', 40);
  const proxy = await hold('127.0.0.1', 10);
  // The server closes the connections over the limit as it accepts them; on a loaded machine (the
  // sanitizer build beside other suites) that can take longer than the moment above. Wait for the
  // count to come down, up to a deadline: without a limit it stays at 10 and the check fails.
  const open = (socks) => socks.filter((x) => !x.destroyed).length;
  for (const end = Date.now() + 10000 * TIME_SCALE; open(client) > 4 && Date.now() < end;) {
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    assert.equal(open(client), 4, 'a client address holds 4');
    assert.equal(proxy.filter((x) => !x.destroyed).length, 10, 'the trusted proxy holds all 10');
    assert.equal((await request(s, 'GET', '/healthz', { from: '127.0.0.1' })).status, 200);
    await assert.rejects(request(s, 'GET', '/healthz', { from: '127.0.0.2' }), 'the client address is full');
  } finally {
    keep.forEach(clearInterval);
    [...client, ...proxy].forEach((x) => x.destroy());
  }
});
