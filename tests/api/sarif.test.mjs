// sarif.test.mjs — `beian validate --format sarif` as code hosts take it: each result's region is
// where the offending value is in the file (line and UTF-16 column; a missing member points at its
// parent object), file locations are URIs (relative ones percent-encoded, absolute ones file://),
// every rule has a full description, help and a helpUri into docs/rules.md (which must be what
// `beian policy rules --markdown` prints), the driver has its version and informationUri, results
// carry fingerprints that survive a reformatting of the file, and findings say whether they may be
// overridden (SARIF properties and the JSON output). The Microsoft SARIF multitool, with its SARIF
// and GitHub (Ghas) rule sets, must report no error and no warning.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, chmodSync, constants, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync,
  writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './lib.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const BAD = join(ROOT, 'tests/fixtures/validate/bad.json');
const DOCS = 'https://docs.example.test/beian';
const ENV = { LANG: 'C', BEIAN_DOCS_URL: DOCS };
const NAME = 'filings/我的 系统#1.json';
const ENCODED = 'filings/%E6%88%91%E7%9A%84%20%E7%B3%BB%E7%BB%9F%231.json';

let dir;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'beian-sarif-'));
  mkdirSync(join(dir, 'filings'));
  cpSync(BAD, join(dir, NAME));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function validate(file, format = 'sarif', cwd = dir) {
  const r = spawnSync(process.env.BEIAN_BIN || join(ROOT, 'build/beian'),
    ['validate', file, '--as-of', '2026-03-01', '--lang', 'en', '--format', format],
    { cwd, encoding: 'utf8', env: { ...process.env, ...ENV } });
  assert.equal(r.status, 1, `bad.json has errors: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// Line and UTF-16 column (1-based) of the first occurrence of needle in text.
function position(text, needle) {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} is in the file`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

test('results point at the offending value: line and column, end of the value', () => {
  const text = readFileSync(BAD, 'utf8');
  const run = validate(NAME).runs[0];
  assert.equal(run.columnKind, 'utf16CodeUnits');
  const ds = run.results.find((r) => r.ruleId === 'DS-003');
  const region = ds.locations[0].physicalLocation.region;
  const value = position(text, '"TLS1.0"');
  assert.deepEqual(region, { startLine: value.line, startColumn: value.column, endLine: value.line,
    endColumn: value.column + '"TLS1.0"'.length });
  // A value after Chinese text on its line: columns count characters (UTF-16 units), not bytes.
  const subj = run.results.find((r) => r.ruleId === 'SUBJ-002');
  const uscc = position(text, '"91110000600037341A"');
  assert.equal(subj.locations[0].physicalLocation.region.startLine, uscc.line);
  assert.equal(subj.locations[0].physicalLocation.region.startColumn, uscc.column);
  // A required member that is missing: the start of its parent object.
  const required = run.results.find((r) => r.ruleId === 'FORM-REQUIRED');
  const pointer = required.locations[0].logicalLocations[0].fullyQualifiedName;
  const parentKey = pointer.split('/').slice(-2, -1)[0];
  const parent = position(text, `"${parentKey}": `);
  const r = required.locations[0].physicalLocation.region;
  assert.equal(r.startLine, parent.line, `${pointer} is missing: its parent's line`);
  assert.equal(r.startColumn, parent.column + `"${parentKey}": `.length);
  assert.equal(r.endLine, undefined, 'no end for a member that is not there');
});

test('file locations are URIs: relative ones percent-encoded, absolute ones file://', () => {
  const relative = validate(NAME).runs[0];
  for (const r of relative.results)
    assert.equal(r.locations[0].physicalLocation.artifactLocation.uri, ENCODED);
  const dotted = validate(`./${NAME}`).runs[0];
  assert.equal(dotted.results[0].locations[0].physicalLocation.artifactLocation.uri, ENCODED);
  const absolute = validate(join(dir, NAME)).runs[0];
  const uri = absolute.results[0].locations[0].physicalLocation.artifactLocation.uri;
  assert.equal(uri, new URL(`file://${join(dir, NAME).replace(/#/g, '%23')}`).href);
  assert.equal(decodeURIComponent(new URL(uri).pathname), join(dir, NAME));
});

test('rules have descriptions, help and a helpUri into docs/rules.md; the driver its version and home', () => {
  const driver = validate(NAME).runs[0].tool.driver;
  const version = cli(['version']).stdout.split('\n')[0];
  assert.ok(version.endsWith(driver.version), `driver version ${driver.version} is beian's (${version})`);
  assert.equal(driver.informationUri, `${DOCS}/README.md`);
  const doc = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
  for (const rule of driver.rules) {
    assert.ok(rule.shortDescription.text && rule.fullDescription.text, rule.id);
    assert.ok(rule.help.text && rule.help.markdown.includes(rule.helpUri), rule.id);
    assert.match(rule.name, /^[A-Z][A-Za-z0-9]*$/, `${rule.id}: a PascalCase name`);
    const [base, anchor] = rule.helpUri.split('#');
    assert.equal(base, `${DOCS}/docs/rules.md`);
    assert.ok(doc.includes(`<a id="${anchor}"></a>`), `docs/rules.md has the anchor of ${rule.id}`);
    assert.equal(typeof rule.properties.overridable, 'boolean');
  }
  assert.equal(driver.rules.find((r) => r.id === 'SUBJ-002').properties.overridable, true);
  assert.equal(driver.rules.find((r) => r.id === 'SUBJ-001').properties.overridable, false);
});

test('docs/rules.md is what `beian policy rules --markdown` prints', () => {
  const r = cli(['policy', 'rules', '--markdown']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(ROOT, 'docs/rules.md'), 'utf8'),
    'docs/rules.md is stale: build/beian policy rules --markdown > docs/rules.md');
});

test('fingerprints are stable across runs and reformatting, and change with the value', () => {
  const prints = (file) => validate(file).runs[0].results.map((r) => `${r.ruleId} ${r.partialFingerprints['beianFinding/v1']}`);
  const first = prints(NAME);
  assert.deepEqual(prints(NAME), first);
  assert.equal(new Set(first).size, first.length, 'each finding its own fingerprint');
  const doc = JSON.parse(readFileSync(BAD, 'utf8'));
  writeFileSync(join(dir, 'compact.json'), JSON.stringify(doc));
  assert.deepEqual(prints('compact.json'), first, 'the same findings, whatever the layout');
  doc.data_security.transport_encryption.min_version = 'SSLv3';
  writeFileSync(join(dir, 'changed.json'), JSON.stringify(doc, null, 4));
  const changed = prints('changed.json');
  const ds = (list) => list.find((x) => x.startsWith('DS-003 '));
  assert.notEqual(ds(changed), ds(first), 'another value, another fingerprint');
  assert.equal(changed.find((x) => x.startsWith('SUBJ-002 ')), first.find((x) => x.startsWith('SUBJ-002 ')));
});

test('findings say whether they may be overridden: SARIF properties and the JSON output', () => {
  const results = validate(NAME).runs[0].results;
  assert.equal(results.find((r) => r.ruleId === 'SUBJ-002').properties.overridable, true);
  assert.equal(results.find((r) => r.ruleId === 'DS-003').properties.overridable, false);
  assert.equal(results.find((r) => r.ruleId === 'FORM-REQUIRED').properties.overridable, false);
  const findings = validate(NAME, 'json').findings;
  for (const f of findings) assert.equal(typeof f.overridable, 'boolean', f.rule);
  assert.equal(findings.find((f) => f.rule === 'SUBJ-002').overridable, true);
  assert.equal(findings.find((f) => f.rule === 'GRAD-001').overridable, false);
});

// The multitool is a .NET program shipped by npm; its postinstall makes it executable, which a
// fresh install without scripts skips, and .NET wants ICU unless told to run invariant.
function multitool() {
  const require = createRequire(import.meta.url);
  const bin = require('@microsoft/sarif-multitool');
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    chmodSync(bin, statSync(bin).mode | 0o100);
  }
  return bin;
}

function multitoolProblems(log, name) {
  const sarif = join(dir, `${name}.sarif`);
  writeFileSync(sarif, JSON.stringify(log, null, 2));
  const out = join(dir, `${name}.validation.sarif`);
  const r = spawnSync(multitool(), ['validate', '--rule-kind', 'Ghas;Sarif', '--level', 'Error;Warning',
    '--output', out, sarif],
  { encoding: 'utf8', env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' } });
  assert.ok(r.status === 0 || r.status === 1, `multitool ran: ${r.stdout}\n${r.stderr}`);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  return report.runs[0].results.filter((x) => x.level === 'error' || x.level === 'warning' || !x.level)
    .map((x) => `${x.ruleId}: ${x.message.text ?? JSON.stringify(x.message.arguments)}`);
}

test('the SARIF multitool (SARIF and GitHub rule sets) finds no error and no warning', () => {
  const log = validate(NAME);
  assert.deepEqual(multitoolProblems(log, 'bad'), [], 'no error or warning of the SARIF and GitHub rules');
  // The control: the GitHub rules do run — a rule without its help is an error (GH2012).
  delete log.runs[0].tool.driver.rules[0].help;
  delete log.runs[0].tool.driver.rules[0].fullDescription;
  const problems = multitoolProblems(log, 'stripped');
  assert.ok(problems.some((x) => x.startsWith('GH')), `the GitHub rules ran: ${problems.join('; ')}`);
});
