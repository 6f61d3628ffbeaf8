// serve.test.mjs — how beian serves the web UI (src/http/web.c): index.html at / and at app
// routes, assets with their content types and validators, 404 for a missing asset, nothing
// outside the web root, the CSP on every reply.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import './browser.mjs';   // sets BEIAN_WEB_DIR
import { Server } from '../api/lib.mjs';

let s;
before(async () => { s = await Server.start(); });
after(async () => { await s?.stop(); });

const INDEX = readFileSync(new URL('../../web/index.html', import.meta.url), 'utf8');

// A raw request (fetch normalises paths, which would hide what the server does with them).
function raw(method, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('/ and app routes answer index.html with the CSP', async () => {
  for (const path of ['/', '/verify', '/filings/12', '/queue', '/filings/12/', '/login?next=%2Fqueue']) {
    const r = await raw('GET', path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8', path);
    assert.equal(r.body, INDEX, path);
    assert.match(r.headers['content-security-policy'], /script-src 'self';/);
    assert.match(r.headers['content-security-policy'], /style-src 'self';/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  }
});

test('index.html has no inline script or style', () => {
  assert.doesNotMatch(INDEX, /<script(?![^>]*\bsrc=)[^>]*>/i, 'every script has a src');
  assert.doesNotMatch(INDEX, /\sstyle=/i);
  assert.doesNotMatch(INDEX, /<style/i);
  assert.doesNotMatch(INDEX, /\son[a-z]+=/i, 'no inline event handlers');
});

test('assets have their content type, an ETag, Last-Modified and no-cache; a matching ETag is 304', async () => {
  const cases = [['/js/main.js', 'text/javascript; charset=utf-8'], ['/css/app.css', 'text/css; charset=utf-8'],
    ['/favicon.svg', 'image/svg+xml'], ['/index.html', 'text/html; charset=utf-8']];
  for (const [path, type] of cases) {
    const r = await raw('GET', path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-type'], type, path);
    assert.match(r.headers.etag, /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
    assert.ok(r.headers['last-modified']);
    assert.equal(r.headers['cache-control'], 'no-cache');
    const again = await raw('GET', path, { 'If-None-Match': r.headers.etag });
    assert.equal(again.status, 304, `${path} revalidates`);
    assert.equal(again.body, '');
  }
  const head = await raw('HEAD', '/js/main.js');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
});

test('a missing asset is 404, not the app', async () => {
  for (const path of ['/js/nope.js', '/nope.css', '/img/logo.png', '/favicon.ico']) {
    const r = await raw('GET', path);
    assert.equal(r.status, 404, path);
    assert.equal(r.headers['content-type'], 'application/problem+json');
  }
});

test('nothing outside the web root, no hidden files, no odd paths', async () => {
  for (const path of ['/../README.md', '/%2e%2e/README.md', '/js/../../README.md', '/.git/config', '/js/.hidden.js',
    '/%2E%2E%2FREADME.md', '/js%2f..%2f..%2fREADME.md', '//etc/passwd', '/js/main.js%00.css', '/a%5c..%5cREADME.md']) {
    const r = await raw('GET', path);
    assert.ok(r.status === 400 || r.status === 404, `${path}: ${r.status}`);
    assert.ok(!r.body.includes('# beian —') && !r.body.includes('[core]'), `${path} leaked a file`);
  }
  // the API is never served by the web handler
  const api = await raw('GET', '/api/v1/nothing');
  assert.equal(api.status, 404);
  assert.equal(api.headers['content-type'], 'application/problem+json');
});

test('only GET and HEAD', async () => {
  for (const m of ['POST', 'PUT', 'DELETE']) {
    const r = await raw(m, '/');
    assert.equal(r.status, 405, m);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
});

test('the policy schema carries what the UI needs: regions, deadlines, the calendar', async () => {
  const token = await s.login('filer');
  const r = await s.req('GET', '/api/v1/policy/schema', { token });
  assert.equal(r.status, 200);
  assert.equal(r.body.regions['110000'].zh, '北京市');
  assert.equal(typeof r.body.deadlines.rectification_working_days, 'number');
  const years = Object.keys(r.body.calendar);
  assert.ok(years.length > 0 && Array.isArray(r.body.calendar[years[0]].holidays));
});
