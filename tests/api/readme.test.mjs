// readme.test.mjs — the README's curl walk works as written on the demo data of `make run`
// (`beian init --demo`), up to the filing number and its public verification: the block is taken
// from README.md, only the address and the printed passwords filled in, and run with bash.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Server } from './lib.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
let s;

before(async () => { s = await Server.start({ materials: false }); });   // the demo data as `make run` makes it
after(async () => { await s.stop(); });

function readmeWalk() {
  const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
  const at = readme.indexOf('A walk through the whole story with curl');
  assert.ok(at >= 0, 'the README has its walk');
  const block = readme.slice(at).match(/```sh\n([\s\S]*?)```/);
  assert.ok(block, 'the walk is a sh block');
  return block[1];
}

test('the README walk, as written, takes the reference filing to a filing number anyone can verify', () => {
  let script = readmeWalk().replace('http://127.0.0.1:8080', s.base);
  for (const login of ['filer', 'checker', 'provider', 'reviewer'])
    script = script.replace(`login ${login} '…'`, `login ${login} '${s.logins[login].password}'`);
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /"id":1,"kind":"business_licence"/);
  assert.match(lines[10], /"id":11,"kind":"change_description"/);
  assert.ok(lines.includes('{"etag":"\\"1-2\\"","errors":0}'), r.stdout);
  assert.deepEqual(lines.slice(-6, -1), ['internal_check', 'provider_confirmation', 'submitted', 'under_review', 'filed']);
  const pub = JSON.parse(lines.at(-1));
  assert.equal(pub.state, 'filed');
  assert.match(pub.number, /^110000-\d{4}-000001$/);
  assert.equal(pub.subject_name, '北京云帆数据科技有限公司');
  assert.equal(pub.system_name, '云帆智能客服平台');
});
