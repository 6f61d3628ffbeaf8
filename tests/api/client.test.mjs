// client.test.mjs — a client generated from docs/openapi.json by standard generators drives one story
// end to end (issue 17): openapi-typescript turns the spec into types (build/openapi-client/, not
// committed: generated on every run, so it can never be stale), tsc type-checks the story against
// them, and openapi-fetch runs it against a live server, every response checked against the spec.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import openapiTS, { astToString } from 'openapi-typescript';
import { Server, SPEC, validateResponse } from './lib.mjs';
import { story } from './client_story.mjs';

const root = new URL('../../', import.meta.url).pathname;
const outDir = root + 'build/openapi-client/';
let server;
before(async () => {
  // written whole and renamed into place: suites running at once never see half a file
  const ts = astToString(await openapiTS(SPEC));
  mkdirSync(outDir, { recursive: true });
  const tmp = `${outDir}schema.d.ts.${process.pid}`;
  writeFileSync(tmp, ts);
  renameSync(tmp, outDir + 'schema.d.ts');
  server = await Server.start();
});
after(async () => { await server.stop(); });

// tsc (typescript, npm) over one JavaScript file with its JSDoc types, strict
function typeCheck(...files) {
  return spawnSync(process.execPath, [root + 'node_modules/typescript/bin/tsc', '--noEmit', '--allowJs', '--checkJs', '--strict',
    '--skipLibCheck', '--module', 'esnext', '--moduleResolution', 'bundler', '--target', 'es2022', ...files],
  { encoding: 'utf8', timeout: 300000 });
}

// the live story first: the tsc runs take a while, and a keep-alive connection left idle that
// long may be closed by the server under the client's feet
test('the generated client files, checks, approves and verifies a filing; every answer is as the spec says', async () => {
  const reference = JSON.parse(readFileSync(root + 'policy/cn-cloud/fixtures/reference.json', 'utf8'));
  delete reference.provider.evaluation;   // the demo data has no provider scorecard yet
  let checked = 0;
  /** the spec check of lib.mjs, on every response the generated client receives */
  const check = {
    async onResponse({ request, response }) {
      const text = await response.clone().text();
      let body;
      try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
      const u = new URL(request.url);
      validateResponse(request.method, u.pathname + u.search, { status: response.status, headers: response.headers, body, text });
      checked++;
    },
  };
  const r = await story(`${server.base}/api/v1`, server.logins, reference, check).catch((e) => { throw new Error(`${e.message}: ${e.cause?.message ?? ''}`); });
  assert.deepEqual(r.states, ['internal_check', 'provider_confirmation', 'submitted', 'under_review', 'filed']);
  assert.match(r.number, /^\d{6}-\d{4}-\d{6}$/);
  assert.equal(r.public.state, 'filed');
  assert.equal(r.public.verification.signature_valid, true);
  assert.ok(checked >= 12, `only ${checked} responses checked`);
});

// One tsc run over the story and a copy of it with a wrong body (system instead of the required
// system_id): the story must check clean, the copy must not — the check has teeth.
let typed;
function typeCheckBoth() {
  if (typed) return typed;
  const story = readFileSync(root + 'tests/api/client_story.mjs', 'utf8');
  const bad = story.replace('body: { system_id: sys.data.id }', 'body: { system: sys.data.id }');
  assert.notEqual(bad, story);
  const file = `${outDir}bad_story_${process.pid}.mjs`;
  writeFileSync(file, bad.replaceAll('../../build/openapi-client/', './'));
  const r = typeCheck(root + 'tests/api/client_story.mjs', file);
  rmSync(file, { force: true });
  const lines = (r.stdout + r.stderr).split('\n').filter(Boolean);
  typed = { good: lines.filter((l) => l.includes('client_story.mjs')), bad: lines.filter((l) => l.includes('bad_story_')) };
  return typed;
}

test('the story type-checks against the types generated from the spec (tsc --checkJs)', () => {
  assert.deepEqual(typeCheckBoth().good, []);
});

test('a body without a member the spec requires is a type error (the check has teeth)', () => {
  const { bad } = typeCheckBoth();
  assert.ok(bad.some((l) => /system_id/.test(l)), `tsc accepted a body without the required system_id:\n${bad.join('\n')}`);
});
