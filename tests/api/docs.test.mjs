// docs.test.mjs — the documents that describe beian match what it does: docs/workflow.md is the
// output of `beian workflow`, and every operation of the OpenAPI file exists on the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Server, cli } from './lib.mjs';

const root = new URL('../../', import.meta.url).pathname;
let server;
before(async () => { server = await Server.start(); });
after(async () => { await server.stop(); });

test('docs/workflow.md is the output of `beian workflow`', () => {
  const r = cli(['workflow']);
  assert.equal(r.status, 0);
  assert.equal(readFileSync(root + 'docs/workflow.md', 'utf8'), r.stdout,
    'docs/workflow.md is stale: run build/beian workflow > docs/workflow.md');
});

test('`beian workflow --format json` is the table the API serves', async () => {
  const r = cli(['workflow', '--format', 'json']);
  const api = await server.req('GET', '/api/v1/workflow');
  assert.equal(api.status, 200);
  assert.deepEqual(JSON.parse(r.stdout), api.body);
});

test('every operation in docs/openapi.json is routed by the server, and /openapi.json serves that file', async () => {
  const doc = JSON.parse(readFileSync(root + 'docs/openapi.json', 'utf8'));
  const served = await server.req('GET', '/api/v1/openapi.json');
  assert.deepEqual(served.body, doc);
  assert.equal(doc.openapi, '3.1.0');
  let checked = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      const url = '/api/v1' + path.replace(/\{[^}]+\}/g, '1');
      const r = await server.req(method.toUpperCase(), url, method === 'get' || method === 'delete' ? {} : { body: {} });
      assert.notEqual(r.status, 405, `${method} ${path} is not routed (405)`);
      assert.ok(!(r.status === 404 && r.body?.detail_en === 'no such API endpoint'), `${method} ${path} is not routed`);
      checked++;
    }
  }
  assert.ok(checked >= 30, `only ${checked} operations checked`);
});

// The outside tool its users run: Redocly's OpenAPI linter (recommended rules; npm, from the
// lockfile), with no telemetry and no update check — nothing is fetched. Errors and warnings fail
// the test (every operation has its operationId and 4xx answers, the document its licence).
test('docs/openapi.json passes the Redocly OpenAPI linter without errors or warnings', () => {
  const cliPath = new URL('../../node_modules/@redocly/cli/bin/cli.js', import.meta.url).pathname;
  const doc = new URL('../../docs/openapi.json', import.meta.url).pathname;
  const r = spawnSync(process.execPath, [cliPath, 'lint', doc, '--format=stylish', '--max-problems=1000'], {
    encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, timeout: 120000,
  });
  const out = r.stdout + r.stderr;
  assert.doesNotMatch(out, /^\s*\d+:\d+\s+error\b/m, out.split('\n').filter((l) => /\berror\b/.test(l)).join('\n'));
  assert.equal(r.status, 0, out.slice(-2000));
  assert.match(out, /Your API description is valid/);
  assert.doesNotMatch(out, /^\s*\d+:\d+\s+warning\b/m, out.split('\n').filter((l) => /\bwarning\b/.test(l)).join('\n'));
});
