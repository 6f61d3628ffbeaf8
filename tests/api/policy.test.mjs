// policy.test.mjs — the policy commands of the CLI, offline: `beian validate` on a good and a bad
// filing in text, JSON and SARIF against expected output files (tests/fixtures/validate/), its exit
// codes, `beian policy test` on the default pack and on the sandbox test pack, and `beian policy
// lint` on a clean and on a faulty pack.
//
// To accept new expected output after an intended change of messages:
//   BEIAN_UPDATE_EXPECTED=1 node --test tests/api/policy.test.mjs   (then review the diff)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './lib.mjs';

// Paths in the expected output are relative to the repository root.
process.chdir(new URL('../..', import.meta.url).pathname);

const V = 'tests/fixtures/validate';
const AS_OF = ['--as-of', '2026-03-01'];
const UPDATE = process.env.BEIAN_UPDATE_EXPECTED === '1';

function expectOutput(args, expectedFile, status) {
  // SARIF links into the docs: a fixed base, not the checkout's file:// path.
  const r = cli(['validate', ...args], { env: { BEIAN_DOCS_URL: 'https://docs.example.test/beian' } });
  assert.equal(r.status, status, `exit status of beian validate ${args.join(' ')}\n${r.stderr}`);
  assert.equal(r.stderr, '', 'nothing on stderr');
  if (UPDATE) writeFileSync(`${V}/${expectedFile}`, r.stdout);
  assert.equal(r.stdout, readFileSync(`${V}/${expectedFile}`, 'utf8'),
    `output differs from ${V}/${expectedFile} (BEIAN_UPDATE_EXPECTED=1 rewrites it)`);
  return r;
}

test('validate: a good filing, in text, JSON and SARIF', () => {
  expectOutput([`${V}/good.json`, ...AS_OF, '--lang', 'en'], 'good.expected.txt', 0);
  const json = expectOutput([`${V}/good.json`, ...AS_OF, '--lang', 'en', '--format', 'json'], 'good.expected.json', 0);
  const report = JSON.parse(json.stdout);
  assert.equal(report.summary.errors, 0);
  assert.equal(report.derived.level, 3);
  assert.equal(report.derived.filing_type, 'strict');
  assert.deepEqual(report.derived.filing_type_reasons.map((r) => r.code), ['level']);
  expectOutput([`${V}/good.json`, ...AS_OF, '--lang', 'en', '--format', 'sarif'], 'good.expected.sarif', 0);
});

test('validate: a bad filing, in text (en and zh), JSON and SARIF', () => {
  expectOutput([`${V}/bad.json`, ...AS_OF, '--lang', 'en'], 'bad.expected.txt', 1);
  expectOutput([`${V}/bad.json`, ...AS_OF, '--lang', 'zh'], 'bad.zh.expected.txt', 1);
  const json = expectOutput([`${V}/bad.json`, ...AS_OF, '--lang', 'en', '--format', 'json'], 'bad.expected.json', 1);
  const rules = JSON.parse(json.stdout).findings.filter((f) => f.severity === 'error').map((f) => f.rule);
  assert.deepEqual(rules, ['FORM-UNKNOWN', 'FORM-REQUIRED', 'SUBJ-002', 'SYS-005', 'GRAD-001', 'DS-003', 'AGR-002']);
  const sarif = JSON.parse(
    expectOutput([`${V}/bad.json`, ...AS_OF, '--lang', 'en', '--format', 'sarif'], 'bad.expected.sarif', 1).stdout);
  assert.equal(sarif.version, '2.1.0');
  assert.match(sarif.$schema, /sarif-schema-2\.1\.0\.json$/);
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.name, 'beian');
  const ids = run.tool.driver.rules.map((r) => r.id);
  for (const r of run.results) {
    assert.ok(['error', 'warning', 'note'].includes(r.level));
    assert.equal(ids[r.ruleIndex], r.ruleId, 'ruleIndex points at the rule');
    assert.equal(r.locations[0].physicalLocation.artifactLocation.uri, `${V}/bad.json`);
    assert.equal(typeof r.locations[0].logicalLocations[0].fullyQualifiedName, 'string');
    assert.ok(r.message.text.length > 0);
  }
  const ds = run.results.find((r) => r.ruleId === 'DS-003');
  assert.equal(ds.locations[0].logicalLocations[0].fullyQualifiedName, '/data_security/transport_encryption/min_version');
});

test('validate: exit 2 for usage errors and unreadable or malformed input', () => {
  const cases = [
    [`${V}/malformed.json`, ...AS_OF],
    [`${V}/does-not-exist.json`, ...AS_OF],
    [],
    [`${V}/good.json`, '--format', 'xml'],
    [`${V}/good.json`, '--lang', 'fr'],
    [`${V}/good.json`, '--as-of', '2026-02-30'],
    [`${V}/good.json`, '--pack', 'cn-cloud@1999.9'],
    [`${V}/good.json`, '--pack', 'no-such-pack@1'],
    [`${V}/good.json`, `${V}/bad.json`],
  ];
  for (const args of cases) {
    const r = cli(['validate', ...args]);
    assert.equal(r.status, 2, `beian validate ${args.join(' ')} → ${r.status}\n${r.stdout}${r.stderr}`);
    assert.ok(r.stderr.length > 0, 'says what is wrong');
    assert.equal(r.stdout, '');
  }
  assert.match(cli(['validate', `${V}/malformed.json`]).stderr, /not valid JSON \(line 2/);
});

test('validate: --pack by directory and by ID@VERSION, standard input, change filings', () => {
  const byDir = cli(['validate', `${V}/good.json`, ...AS_OF, '--lang', 'en', '--pack', 'policy/cn-cloud']);
  const byId = cli(['validate', `${V}/good.json`, ...AS_OF, '--lang', 'en', '--pack', 'cn-cloud@2025.1']);
  assert.equal(byDir.status, 0);
  assert.equal(byId.stdout, byDir.stdout);
  const stdin = cli(['validate', '-', ...AS_OF, '--lang', 'en', '--format', 'json'],
    { input: readFileSync(`${V}/good.json`) });
  assert.equal(stdin.status, 0);
  const change = cli(['validate', `${V}/good.json`, ...AS_OF, '--format', 'json', '--filing-kind', 'change']);
  assert.ok(JSON.parse(change.stdout).derived.required_materials.includes('change_description'));
  assert.equal(cli(['validate', '--help']).status, 0);
});

test('validate: the sandbox test pack reports each misbehaving rule and keeps going', () => {
  const r = cli(['validate', 'tests/fixtures/packs/sandbox/fixtures/doc.json', ...AS_OF, '--lang', 'en',
    '--format', 'json', '--pack', 'tests/fixtures/packs/sandbox']);
  assert.equal(r.status, 1, r.stderr);
  const findings = JSON.parse(r.stdout).findings;
  const byRule = Object.fromEntries(findings.map((f) => [f.rule, f]));
  assert.match(byRule['EVIL-LOOP'].message.en, /instructions/);
  assert.match(byRule['EVIL-MEMORY'].message.en, /MiB of memory/);
  assert.match(byRule['EVIL-OS'].message.en, /global 'os'/);
  assert.match(byRule['EVIL-IO'].message.en, /global 'io'/);
  assert.match(byRule['EVIL-DUMP'].message.en, /dump/);
  assert.match(byRule['EVIL-ERROR'].message.en, /boom/);
  for (const id of Object.keys(byRule).filter((id) => id.startsWith('EVIL-'))) {
    assert.equal(byRule[id].severity, 'error');
    assert.equal(byRule[id].rule_failed, true);
  }
  assert.equal(byRule['GOOD-001'].message.en, 'the first rule ran');
  assert.match(byRule['GOOD-002'].message.en, /the last rule ran/);
});

test('policy test: every fixture of the default pack passes', () => {
  const r = cli(['policy', 'test']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  const last = lines.at(-1);
  const m = /^(\d+) passed, 0 failed$/.exec(last);
  assert.ok(m, `last line: ${last}`);
  assert.equal(Number(m[1]), lines.length - 1);
  assert.ok(Number(m[1]) >= 90, 'at least a passing and a failing fixture per rule');
  assert.ok(lines.slice(0, -1).every((l) => l.startsWith('ok ')));
  // The same by directory, and the sandbox pack's own fixture.
  assert.equal(cli(['policy', 'test', 'policy/cn-cloud']).stdout, r.stdout);
  const sandbox = cli(['policy', 'test', 'tests/fixtures/packs/sandbox']);
  assert.equal(sandbox.status, 0, sandbox.stdout);
  assert.equal(sandbox.stdout.trim().split('\n').at(-1), '1 passed, 0 failed');
});

test('policy test: a failing fixture fails the run and says why', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beian-pack-'));
  try {
    cpSync('policy/cn-cloud', dir, { recursive: true });
    writeFileSync(join(dir, 'fixtures/rules/ZZ-wrong.json'), JSON.stringify({
      description: 'claims the reference filing breaks DS-003',
      expect: { fire: ['DS-003'], quiet: ['SYS-001'] },
    }));
    const r = cli(['policy', 'test', dir]);
    assert.equal(r.status, 1);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines.at(-1), /^\d+ passed, 1 failed$/);
    assert.ok(r.stdout.includes('FAIL  rules/ZZ-wrong.json'));
    assert.ok(r.stdout.includes('expected DS-003 to fire'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('policy lint: the default pack is clean', () => {
  const r = cli(['policy', 'lint', 'policy/cn-cloud', ...AS_OF]);   // a day well inside the calendar
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^lint .*: \d+ rules, \d+ fixtures$/m);
  assert.equal(r.stdout.trim().split('\n').at(-1), 'no problems');
});

test('policy lint: names the rule without fixtures, the unknown path, the failing rule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beian-pack-'));
  try {
    cpSync('policy/cn-cloud', dir, { recursive: true });
    writeFileSync(join(dir, 'rules/99-extra.lua'), `
rule{ id = "NEW-001", severity = "warning", title = { zh = "新规则", en = "New rule" },
  paths = { "/system/no_such_field" }, source = "test",
  check = function(doc) return nil end }
rule{ id = "NEW-002", severity = "error", title = { zh = "出错的规则", en = "Failing rule" },
  paths = { "/system/name" }, source = "test",
  check = function(doc) return doc.system.name.x.y end }
`);
    unlinkSync(join(dir, 'fixtures/rules/AGR-005.pass.json'));
    const r = cli(['policy', 'lint', dir, ...AS_OF]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /problem: NEW-001: no failing fixture/);
    assert.match(r.stdout, /problem: NEW-001: no passing fixture/);
    assert.match(r.stdout, /problem: NEW-001: path \/system\/no_such_field is not a field of the form/);
    assert.match(r.stdout, /problem: NEW-002 fails on fixture/);
    assert.match(r.stdout, /problem: AGR-005: no passing fixture/);
    assert.match(r.stdout.trim().split('\n').at(-1), /^\d+ problems$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('policy: usage', () => {
  assert.equal(cli(['policy']).status, 2);
  assert.equal(cli(['policy', 'frobnicate']).status, 2);
  assert.equal(cli(['policy', 'lint']).status, 2);
  assert.equal(cli(['policy', '--help']).status, 0);
  const rules = cli(['policy', 'rules']);
  assert.equal(rules.status, 0);
  assert.match(rules.stdout, /^SUBJ-002 +error +Check character/m);
  // A pack that does not load is a failure with the reason, not a crash.
  assert.equal(cli(['policy', 'test', '/nonexistent']).status, 1);
});
