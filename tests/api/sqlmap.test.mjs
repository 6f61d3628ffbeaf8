// sqlmap.test.mjs — SQL injection, tried by the tool an attacker would run: Debian's sqlmap
// against the real server, on every query parameter of the lists and exports people filter (the
// filings, the register, the audit log, incidents, the supervision records), on the public check of
// a filing number (a path segment) and on the sign-in's JSON body. Every statement beian runs is
// prepared, so sqlmap must find nothing injectable; it must also not make the server fail (no 500 in
// what it saw) nor stop it answering. The store is seeded first so that filters change the answer
// (a boolean-blind probe needs rows to tell true from false), and each target's plain request is
// checked to answer 200, so sqlmap tests a live query and not an error page. On PostgreSQL too
// (make test-pg runs this file against a server on PostgreSQL).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from './lib.mjs';
import { API, DEMO, completeDraft, driveTo, loginAll, newSystem } from './story.mjs';

let s, out, number;

before(async () => {
  s = await Server.start();
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer']);
  const filed = await completeDraft(s, await newSystem(s));
  number = (await driveTo(s, filed, 'filed')).number;
  await completeDraft(s, await newSystem(s));   // a draft beside it: filters pick one or the other
  out = mkdtempSync(join(tmpdir(), 'beian-sqlmap-'));
});
after(async () => {
  await s?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

// Runs sqlmap on one target; resolves with its whole output.
// Level 2 (cookies too) unless `level` says otherwise; boolean-blind, error, union and inline
// probes. Time-based blind and stacked queries (whose probes also sleep) are left out: their verdict
// rests on response times, which a loaded test machine (the sanitizers, the other suites beside)
// can fool, and against a slow machine sqlmap paces itself to minutes a parameter.
// Each run has an output directory of its own: sqlmap keeps its session in <dir>/<host>/session.sqlite,
// and two runs beside each other on one host would share it (one run's --flush-session deleted it
// under the other: "disk I/O error", and that run stopped before testing anything).
function sqlmap(args, level = ['--level=2', '--technique=BEUQ']) {
  return new Promise((resolve, reject) => {
    const dir = mkdtempSync(join(out, 'run-'));
    const p = spawn('sqlmap', ['--batch', '--flush-session', '--disable-coloring', ...level, '--risk=1',
      `--output-dir=${dir}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    p.stdout.on('data', (d) => { text += d; });
    p.stderr.on('data', (d) => { text += d; });
    p.on('error', reject);
    p.on('close', () => resolve(text));
  });
}

function assertNothingInjectable(text, what) {
  assert.doesNotMatch(text, /identified the following injection point|is vulnerable|appears to be injectable\s*$/m,
    `${what}: sqlmap found an injection point\n${text.slice(-3000)}`);
  assert.match(text, /all tested parameters do not appear to be injectable|does not seem to be injectable/,
    `${what}: sqlmap finished its tests\n${text.slice(-3000)}`);
  assert.doesNotMatch(text, /500 \(Internal Server Error\)/, `${what}: a probe made the server fail\n${text.slice(-3000)}`);
}

// [who, path with query] — each answers 200 as it stands, with rows where it lists
const TARGETS = () => [
  ['reviewer', `${API}/filings?state=filed&region=${DEMO.jurisdiction}&type=initial&q=%E6%B5%8B%E8%AF%95&limit=5`],
  ['filer', `${API}/filings?q=%E6%B5%8B%E8%AF%95&system_id=1&limit=5`],
  ['reviewer', `${API}/exports/register.csv?state=filed&region=${DEMO.jurisdiction}&q=%E6%B5%8B%E8%AF%95&lang=en`],
  ['reviewer', `${API}/audit?filing_id=1&limit=5`],
  ['reviewer', `${API}/incidents?state=open&filing_id=1`],
  ['reviewer', `${API}/records?overdue=true`],
];

test('sqlmap finds no injectable query parameter in the lists and the register, as any role that filters them', async () => {
  for (const [who, path] of TARGETS()) {
    const plain = await s.req('GET', path, { token: s.tokens[who] });
    assert.equal(plain.status, 200, `${who} GET ${path}: ${plain.status} ${plain.text}`);
  }
  // two at a time: sqlmap mostly waits on the server
  const targets = TARGETS();
  for (let i = 0; i < targets.length; i += 2) {
    const runs = targets.slice(i, i + 2).map(([who, path]) =>
      sqlmap(['-u', s.base + path, '-H', `Authorization: Bearer ${s.tokens[who]}`]).then((text) => [path, text]));
    for (const [path, text] of await Promise.all(runs)) assertNothingInjectable(text, path);
  }
  assert.equal((await fetch(`${s.base}/healthz`)).status, 200);
});

test('sqlmap finds nothing in the public check of a filing number, nor in the sign-in body', async () => {
  const pub = `${API}/public/filings/${encodeURIComponent(number)}`;
  assert.equal((await s.req('GET', pub)).status, 200, 'the filing number is found publicly');
  const [a, b] = await Promise.all([
    sqlmap(['-u', `${s.base}${pub}*`]),   // '*': the path segment is the injection point
    // the sign-in answers 401 (wrong password), 422 (a login that cannot be one) and, as the
    // attempts pile up, 429: sqlmap is told these are answers, not a wall; boolean, error and union
    // probes only, since the throttle's waits would make its time-based ones take minutes
    sqlmap(['-u', `${s.base}${API}/session`, '-H', 'Content-Type: application/json', '--ignore-code=401,422,429',
      '--data', JSON.stringify({ login: 'filer*', password: 'not-the-password*' })], ['--level=1', '--technique=BEU']),
  ]);
  assertNothingInjectable(a, 'public check');
  assertNothingInjectable(b, 'sign-in');
  assert.equal((await fetch(`${s.base}/healthz`)).status, 200);
  // the real user can still sign in: the attempts did not lock the account for everyone
  assert.equal((await s.req('POST', `${API}/session`, { body: { login: 'checker', password: s.logins.checker.password } })).status, 201);
});
