// sandbox.test.mjs — hostile policy packs against the running server (issue 12): sixteen installs
// of a pack whose rules are bombs (string.rep('', 1e9), which ran ~4 s inside one C call before the
// sandbox charged library work to its budget, and an endless loop) arrive at once. The installs
// run in the background worker, a few at a time, the rest are refused at once with 503; /healthz
// and an ordinary request keep answering within 2 s (× the harness's time scale) all along; each
// install that ran fails with its fixtures naming the bomb and its budget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, TIME_SCALE, waitFor } from './lib.mjs';

const PACK = new URL('../../policy/cn-cloud', import.meta.url).pathname;
const BOUND_MS = 2000 * TIME_SCALE;
let s, tmp;

// A copy of cn-cloud as version `version`, with the rules of `lua` added.
function hostilePack(version, lua) {
  const dir = join(tmp, version);
  cpSync(PACK, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version, supersedes: null }, null, 2));
  writeFileSync(join(dir, 'rules', '99-bomb.lua'), lua);
  return dir;
}

const bomb = (id, body) => `rule{ id = "${id}", severity = "error", title = { zh = "炸弹", en = "bomb" },
  paths = { "/subject/name" }, source = "issue 12", check = function(doc, ctx)
    ${body}
  end }
`;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'beian-sandbox-'));
  s = await Server.start({ materials: false });
  await s.login('admin');
});

after(async () => {
  await s.stop();
  rmSync(tmp, { recursive: true, force: true });
});

// One request with a time limit: {status, body, ms}; status 0 when it did not answer in time.
async function timed(method, path, { token, body } = {}) {
  const t0 = Date.now();
  try {
    const r = await fetch(s.base + path, {
      method, signal: AbortSignal.timeout(BOUND_MS + 1000),
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined, ms: Date.now() - t0 };
  } catch (err) {
    return { status: 0, error: String(err), ms: Date.now() - t0 };
  }
}

test('sixteen installs of a pack of bombs at once: /healthz keeps answering, each bomb is named', async () => {
  const token = s.tokens.admin;
  const dir = hostilePack('2099.1', bomb('BOMB-REP', "return string.rep('', 1e9)") + bomb('BOMB-LOOP', 'while true do end'));
  let inFlight = true;
  const probes = [];
  const prober = (async () => {
    while (inFlight) {
      probes.push({ what: 'healthz', ...(await timed('GET', '/healthz')) });
      probes.push({ what: 'packs', ...(await timed('GET', '/api/v1/policy/packs', { token })) });
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const answers = await Promise.all(Array.from({ length: 16 }, () =>
    timed('POST', '/api/v1/policy/packs', { token, body: { dir } })));
  for (const a of answers) assert.ok([202, 503].includes(a.status), `an install answered ${a.status} ${JSON.stringify(a.body ?? a.error)}`);
  const accepted = answers.filter((a) => a.status === 202);
  const refused = answers.filter((a) => a.status === 503);
  assert.ok(accepted.length >= 1 && accepted.length <= 5, `${accepted.length} accepted: one runs, at most four wait`);
  for (const r of refused) assert.equal(r.body.code, 'busy');
  for (const a of answers) assert.ok(a.ms < BOUND_MS, `an install request took ${a.ms} ms to answer`);

  // every accepted job ends, failed by its fixtures, which name the bomb and the budget it hit
  const jobs = [];
  for (const a of accepted) {
    let job;
    await waitFor(async () => {
      job = (await timed('GET', `/api/v1/policy/jobs/${a.body.id}`, { token })).body;
      return job && (job.state === 'done' || job.state === 'failed');
    }, 300000);
    jobs.push(job);
  }
  inFlight = false;
  await prober;

  for (const job of jobs) {
    assert.equal(job.state, 'failed', JSON.stringify(job).slice(0, 500));
    assert.equal(job.problem.status, 422);
    const problems = job.problem.failing_fixtures.flatMap((f) => f.problems).join('\n');
    assert.match(problems, /BOMB-REP[^\n]*budget of 1000000 instructions/);
    assert.match(problems, /BOMB-LOOP[^\n]*budget of 1000000 instructions/);
  }
  assert.ok(probes.length >= 6, `only ${probes.length} probes while the installs ran`);
  const slow = probes.filter((p) => p.status !== 200 || p.ms >= BOUND_MS);
  assert.deepEqual(slow, [], `requests that did not answer 200 within ${BOUND_MS} ms while installs ran`);
  const worst = Math.max(...probes.filter((p) => p.what === 'healthz').map((p) => p.ms));
  console.log(`# ${jobs.length} installs ran, ${16 - jobs.length} refused; ${probes.length} probes, /healthz at worst ${worst} ms`);

  // the queue is free again: the next install is accepted
  const next = await timed('POST', '/api/v1/policy/packs', { token, body: { dir } });
  assert.equal(next.status, 202, JSON.stringify(next.body));
});
