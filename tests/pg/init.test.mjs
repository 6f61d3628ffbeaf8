// init.test.mjs — `beian init --store postgresql://…` on a database that already holds a beian
// deployment (another node's, a restored one): it says so, exits non-zero and leaves the database
// as it was — no second platform administrator, no audit entry, the schema version unchanged —
// also when that schema is older than this build's (then `beian serve` is what migrates it).
// Needs BEIAN_PG_DIR (a cluster of tests/pg/start.sh; tests/pg/run.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, dbExec, initDemo, pgStore } from '../api/lib.mjs';

const snapshot = (data) => {
  const r = dbExec(data, 'SELECT (SELECT version FROM beian_schema), (SELECT count(*) FROM orgs), '
    + '(SELECT count(*) FROM users), (SELECT count(*) FROM audit)');
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};

test('init refuses a PostgreSQL database that already holds beian', { skip: !process.env.BEIAN_PG_DIR && 'no PostgreSQL (run tests/pg/run.sh)' }, () => {
  const first = initDemo();
  const uri = pgStore(first.data);
  const root = mkdtempSync(join(tmpdir(), 'beian-init-'));
  try {
    const before = snapshot(first.data);
    const again = cli(['init', join(root, 'node2'), '--store', uri]);
    assert.equal(again.status, 1, again.stdout + again.stderr);
    assert.match(again.stderr, /already holds a beian deployment \(schema \d+\); nothing changed/);
    assert.match(again.stderr, /beian serve --data DIR --store URI/);
    assert.equal(again.stdout, '', 'no logins printed: no user was made');
    assert.equal(snapshot(first.data), before, 'the database is as it was');
    assert.ok(!existsSync(join(root, 'node2', 'store.uri')), 'the new directory does not claim the database');

    // an older schema: named as such, and still not touched
    const older = dbExec(first.data, 'UPDATE beian_schema SET version = version - 1 RETURNING version');
    assert.equal(older.status, 0, older.stderr);
    const stale = snapshot(first.data);
    const onOld = cli(['init', join(root, 'node3'), '--demo', '--store', uri]);
    assert.equal(onOld.status, 1, onOld.stderr);
    assert.match(onOld.stderr, /at an older schema \(\d+ of \d+\); nothing changed/);
    assert.equal(snapshot(first.data), stale, 'not migrated by init');
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(first.root, { recursive: true, force: true });
  }
});
