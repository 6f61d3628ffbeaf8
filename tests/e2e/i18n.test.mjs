// i18n.test.mjs — the UI's two dictionaries have the same keys, every key the code asks for
// exists, placeholders match, and the web sources keep to the CSP (no inline styles or scripts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { zh, en } from '../../web/js/strings.js';

const WEB = new URL('../../web/', import.meta.url).pathname;

function files(dir, ext) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

// English has singular forms (`key.one`, used by t() with {n: 1}) that Chinese does not need.
const singular = (k) => k.endsWith('.one');

test('zh and en have the same keys and the same placeholders; a singular form has a plural one', () => {
  assert.deepEqual(Object.keys(en).filter((k) => !singular(k)).sort(), Object.keys(zh).sort());
  for (const k of Object.keys(en).filter(singular)) assert.ok(k.slice(0, -4) in en, `${k} is the singular of a key`);
  const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const k of Object.keys(zh)) assert.deepEqual(ph(en[k]), ph(zh[k]), `placeholders of ${k}`);
  for (const [k, v] of Object.entries(zh)) assert.ok(v.length > 0, `zh ${k} is empty`);
});

test('every key used by the code exists; dynamic groups are complete', () => {
  const used = new Set();
  for (const f of files(join(WEB, 'js'), '.js')) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/\bt\('([A-Za-z0-9_.]+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 200, `only ${used.size} keys found`);
  for (const k of used) assert.ok(k in zh, `missing key ${k}`);
  const states = ['draft', 'internal_check', 'provider_confirmation', 'submitted', 'under_review', 'rectification', 'filed', 'rejected', 'withdrawn', 'cancelled', 'revoked', 'minor_recorded'];
  for (const s of states) { assert.ok(`state.${s}` in zh); assert.ok(`needs.wait.${s}` in zh || !['provider_confirmation', 'submitted', 'under_review'].includes(s)); }
  const actions = [...readFileSync(new URL('../../docs/workflow.md', import.meta.url), 'utf8').matchAll(/^\| [a-z_]+ \| ([a-z_]+) \|/gm)].map((m) => m[1]).filter((a) => a !== 'action');
  assert.ok(actions.length > 10);
  for (const a of new Set(actions)) {
    assert.ok(`action.${a}` in zh, `action.${a}`);
    assert.ok(`actionHelp.${a}` in zh, `actionHelp.${a}`);
    assert.ok(`event.filing.${a}` in zh, `event.filing.${a}`);
  }
  for (const s of ['saved', 'unsaved', 'saving', 'error', 'conflict']) assert.ok(`save.${s}` in zh);
  for (const s of ['error', 'warning', 'info']) assert.ok(`severity.${s}` in zh);
});

test('no inline style attributes, no innerHTML, no eval in the web sources', () => {
  for (const f of [...files(WEB, '.js'), ...files(WEB, '.html')]) {
    const src = readFileSync(f, 'utf8');
    assert.doesNotMatch(src, /setAttribute\(\s*'style'|\sstyle="|innerHTML|outerHTML|insertAdjacentHTML|\beval\(|new Function\(/, f);
  }
});
