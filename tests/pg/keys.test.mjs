// keys.test.mjs — on PostgreSQL the signing keys and the device-cookie key are the deployment's,
// rows of the database: a database without keys adopts the files of the data directory that
// opens it first (a deployment from before keys moved into the database keeps the keys that
// signed its proofs); once it has keys, another directory's files change nothing. Needs
// BEIAN_PG_DIR (a cluster of tests/pg/start.sh; tests/pg/run.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cli, dbExec, initDemo, keyRead } from '../api/lib.mjs';

const listed = (data) => {
  const r = cli(['keys', 'list', '--data', data]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').sort();   // files come in directory order
};

test('a database without keys adopts the data directory\'s, once', { skip: !process.env.BEIAN_PG_DIR && 'no PostgreSQL (run tests/pg/run.sh)' }, () => {
  // keys as files: a SQLite data directory whose authority (org 4) and platform have keys
  const files = (() => {
    const saved = process.env.BEIAN_PG_DIR;
    delete process.env.BEIAN_PG_DIR;
    try { return initDemo(); } finally { process.env.BEIAN_PG_DIR = saved; }
  })();
  const deployment = initDemo();
  try {
    assert.equal(cli(['keys', 'rotate', '--data', files.data, '--platform']).status, 0);
    const fileKeys = listed(files.data);
    const authorityKey = keyRead(files.data, 'keys/4/current').toString().trim();

    // the deployment as it was before: its keys in its data directory, none in the database
    const wipe = dbExec(deployment.data, 'DELETE FROM deployment_keys; DELETE FROM deployment_secrets');
    assert.equal(wipe.status, 0, wipe.stderr);
    cpSync(join(files.data, 'keys'), join(deployment.data, 'keys'), { recursive: true });
    assert.deepEqual(listed(deployment.data), fileKeys, 'the directory\'s keys are the deployment\'s');
    assert.equal(keyRead(deployment.data, 'keys/4/current').toString().trim(), authorityKey);
    assert.equal(dbExec(deployment.data, "SELECT count(*) FROM deployment_secrets WHERE name = 'keys/4/" + authorityKey + ".key'").stdout.trim(), '1');

    // once the database has keys, a directory's own files are not the deployment's
    rmSync(join(deployment.data, 'keys'), { recursive: true });
    assert.deepEqual(listed(deployment.data), fileKeys, 'read from the database, not the directory');
  } finally {
    rmSync(files.root, { recursive: true, force: true });
    rmSync(deployment.root, { recursive: true, force: true });
  }
});
