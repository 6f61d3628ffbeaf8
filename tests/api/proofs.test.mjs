// proofs.test.mjs — issue 15: proof anyone can check offline. A filed record's signed certificate
// (JSON and PDF) verifies with `beian verify` and nothing but the published keys; any changed
// byte of its statement, or of the statement embedded in the PDF, fails with a reason; the PDF's
// text and QR code are read back (pdftotext, pdftoppm + zbarimg); every step's receipt verifies,
// also against a later checkpoint; consistency proofs between checkpoints hold, and fail for a
// history rewritten in a copy of the database; key rotation keeps old certificates valid; the
// secret keys appear in no backup, answer or log line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, cli, dbExec, keyNames, keyRead, keyWrite, pgStore, pgStoreArgs } from './lib.mjs';
import {
  API, RECTIFICATION_ITEMS, actOk, changeBody, completeDraft, createFiling, createSystem, driveTo, getFiling, loginAll,
} from './story.mjs';

let s, copy;
const work = mkdtempSync(join(tmpdir(), 'beian-proofs-'));
const answers = [];   // every reply body, searched for key bytes at the end

before(async () => {
  s = await Server.start({ args: ['--public-url', 'https://beian.example.org/', '--checkpoint-interval', '1'] });
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer', 'authadmin', 'admin']);
});

after(async () => {
  await copy?.stop();
  await s?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function get(login, path, headers = {}) {
  const r = await s.req('GET', API + path, { token: login ? s.tokens[login] : undefined, headers });
  answers.push(r.text);
  return r;
}
const file = (name, content) => { const p = join(work, name); writeFileSync(p, content); return p; };
const verify = (...args) => cli(['verify', ...args]);
async function keysFile(name = 'keys.json') {
  const r = await s.req('GET', '/.well-known/beian-keys.json');
  assert.equal(r.status, 200, r.text);
  answers.push(r.text);
  return file(name, r.text);
}
async function checkpoint(name) {
  const r = await s.req('GET', `${API}/public/log/checkpoint`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  return { path: file(name, r.text), text: r.text, size: Number(r.text.split('\n')[1]) };
}

let id, number, cert, certPath, keys, early;

test('an approval issues a certificate signed by the authority, which verifies offline', async () => {
  early = await checkpoint('early.cp');
  id = await completeDraft(s, await createSystem(s));
  await driveTo(s, id, 'rectification');
  // an answer to rectification gets its receipt too
  const rect = (await get('filer', `/filings/${id}/rectifications`)).body.items[0];
  const ans = await s.req('POST', `${API}/filings/${id}/rectifications/${rect.id}/items/${rect.items[0].id}/answer`,
    { token: s.tokens.filer, body: { answer: '已补充' } });
  assert.equal(ans.status, 200, ans.text);
  await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
  await actOk(s, 'checker', id, 'approve_check', undefined, 'under_review');
  await actOk(s, 'reviewer', id, 'approve', undefined, 'filed');
  number = (await getFiling(s, 'filer', id)).number;

  const r = await get('filer', `/filings/${id}/certificate`);
  assert.equal(r.status, 200, r.text);
  cert = r.body;
  const st = cert.statement;
  assert.equal(st.type, 'beian.certificate/1');
  assert.equal(st.number, number);
  assert.equal(st.state, 'filed');
  assert.equal(st.subject.uscc.length, 18);
  assert.match(st.document_sha256, /^[0-9a-f]{64}$/);
  assert.equal(st.signer.kind, 'authority');
  assert.equal(st.signer.org_id, 4);
  assert.equal(cert.signature.alg, 'Ed25519');
  assert.equal(cert.signature.key_id, st.key_id);
  assert.match(st.audit.checkpoint, /^beian\/audit\/[0-9a-f]{16}\n\d+\n[A-Za-z0-9+/=]{44}\n\n\u2014 /);
  // the frozen record version's hash is the one the version list shows
  const v = await get('filer', `/filings/${id}/versions/${st.record_version}`);
  assert.equal(v.body.sha256, st.document_sha256);

  keys = await keysFile();
  certPath = file('cert.json', JSON.stringify(cert));
  const ok = verify('certificate', certPath, '--key', keys);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`valid: certificate ${number}`));

  // `BEIAN_PROOF_FIXTURES=tests/fixtures/proofs/` keeps this certificate, its keys and a checkpoint as
  // the fixtures that later versions of beian must go on verifying (the test below, the fuzz seeds)
  if (process.env.BEIAN_PROOF_FIXTURES) {
    writeFileSync(join(process.env.BEIAN_PROOF_FIXTURES, 'keys.json'), readFileSync(keys));
    writeFileSync(join(process.env.BEIAN_PROOF_FIXTURES, 'certificate.json'), `${JSON.stringify(cert, null, 1)}\n`);
    writeFileSync(join(process.env.BEIAN_PROOF_FIXTURES, 'checkpoint.txt'), cert.statement.audit.checkpoint);
  }

  // an independent verifier, in Python with nothing of beian (docs/examples/verify_certificate.py)
  const py = (env) => spawnSync('python3', [new URL('../../docs/examples/verify_certificate.py', import.meta.url).pathname, keys,
    file('py.json', JSON.stringify(env))], { encoding: 'utf8' });
  const pyOk = py(cert);
  assert.equal(pyOk.status, 0, pyOk.stderr);
  assert.equal(py({ ...cert, statement: { ...cert.statement, state: 'revoked' } }).status, 1);

  // whoever does not see the filing gets 404, as for the filing itself
  const other = await s.req('GET', `${API}/filings/${id}/certificate`);
  assert.equal(other.status, 401);
});

test('a certificate an earlier beian issued (tests/fixtures/proofs) still verifies', () => {
  const dir = new URL('../fixtures/proofs/', import.meta.url).pathname;
  const ok = verify('certificate', join(dir, 'certificate.json'), '--key', join(dir, 'keys.json'));
  assert.equal(ok.status, 0, ok.stderr);
  const cp = verify('checkpoint', join(dir, 'checkpoint.txt'), join(dir, 'checkpoint.txt'), '--key', join(dir, 'keys.json'));
  assert.equal(cp.status, 0, cp.stderr);
  // and the fixture's key cannot vouch for this server's certificate
  assert.equal(verify('certificate', certPath, '--key', join(dir, 'keys.json')).status, 1);
});

test('changing any byte of the statement fails with a clear reason', async () => {
  const cases = [
    [(c) => { c.statement.number = c.statement.number.replace(/.$/, (d) => String((Number(d) + 1) % 10)); }, /altered after signing/],
    [(c) => { c.statement.state = 'revoked'; }, /altered after signing/],
    [(c) => { c.statement.document_sha256 = c.statement.document_sha256.replace(/^./, (d) => (d === '0' ? '1' : '0')); }, /altered after signing/],
    [(c) => { c.statement.subject.name += ' '; }, /altered after signing/],
    [(c) => { c.signature.value = Buffer.from(Buffer.from(c.signature.value, 'base64').map((b, i) => (i === 5 ? b ^ 1 : b))).toString('base64'); }, /altered after signing/],
    [(c) => { c.signature.key_id = c.statement.key_id = 'ffffffffffffffff'; }, /not among the published keys/],
  ];
  for (const [change, reason] of cases) {
    const c = structuredClone(cert);
    change(c);
    const r = verify('certificate', file('bad.json', JSON.stringify(c)), '--key', keys);
    assert.equal(r.status, 1, `${change}: ${r.stdout}`);
    assert.match(r.stderr, reason, change.toString());
  }
  // the key must not be swapped for another published one either: a receipt-kind file is refused
  const wrongType = verify('receipt', certPath, '--key', keys);
  assert.equal(wrongType.status, 1);
  assert.match(wrongType.stderr, /not a receipt/);
  assert.equal(verify('certificate', certPath).status, 2, 'no --key: usage');
  assert.equal(verify('certificate', '--key', keys).status, 2, 'no file: usage');
});

test('the PDF: Chinese text, a QR code that opens the public verification, the embedded statement verifies', async () => {
  const r = await fetch(`${s.base}${API}/filings/${id}/certificate`, { headers: { Authorization: `Bearer ${s.tokens.filer}`, Accept: 'application/pdf' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  const pdf = Buffer.from(await r.arrayBuffer());
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const pdfPath = file('cert.pdf', pdf);
  // several at once (each HTTP worker thread draws with its own pango font map)
  const many = await Promise.all([1, 2, 3, 4, 5, 6].map(() =>
    fetch(`${s.base}${API}/filings/${id}/certificate?format=pdf`, { headers: { Authorization: `Bearer ${s.tokens.filer}` } })));
  for (const byQuery of many) {
    assert.equal(byQuery.headers.get('content-type'), 'application/pdf');
    assert.equal(Buffer.from(await byQuery.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');
  }

  const ok = verify('certificate', pdfPath, '--key', keys);
  assert.equal(ok.status, 0, ok.stderr);

  const txt = spawnSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
  assert.equal(txt.status, 0, txt.stderr);
  for (const want of ['业务系统上云备案证明', 'Certificate of filing', '备案编号', number, cert.statement.subject.name, cert.statement.system.name, cert.statement.key_id])
    assert.ok(txt.stdout.includes(want), `the PDF's text holds ${want}`);

  const png = spawnSync('pdftoppm', ['-png', '-r', '150', '-singlefile', pdfPath, join(work, 'cert')]);
  assert.equal(png.status, 0, String(png.stderr));
  // `BEIAN_SCREENSHOTS=docs/screenshots/ node --test tests/api/proofs.test.mjs` draws the README's picture
  if (process.env.BEIAN_SCREENSHOTS)
    spawnSync('pdftoppm', ['-png', '-r', '96', '-singlefile', pdfPath, join(process.env.BEIAN_SCREENSHOTS, 'certificate')]);
  const qr = spawnSync('zbarimg', ['--quiet', '--raw', join(work, 'cert.png')], { encoding: 'utf8' });
  assert.equal(qr.status, 0, qr.stderr);
  assert.equal(qr.stdout.trim(), `https://beian.example.org/verify?number=${number}`);

  // change the statement embedded in the PDF (same length, so the PDF stays well-formed)
  const text = pdf.toString('latin1');
  const m = /beian-envelope:([A-Za-z0-9+/=]+)/.exec(text);
  assert.ok(m, 'the envelope is in the PDF metadata');
  const env = Buffer.from(m[1], 'base64').toString('utf8');
  const forged = env.replace(`"number":"${number}"`, `"number":"${number.replace(/.$/, (d) => String((Number(d) + 1) % 10))}"`);
  assert.notEqual(forged, env);
  const b64 = Buffer.from(forged, 'utf8').toString('base64');
  assert.equal(b64.length, m[1].length);
  const bad = verify('certificate', file('forged.pdf', Buffer.from(text.replace(m[1], b64), 'latin1')), '--key', keys);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /altered after signing/);
  const gone = verify('certificate', file('plain.pdf', Buffer.from(text.replace(/beian-envelope:/, 'something-else:'), 'latin1')), '--key', keys);
  assert.equal(gone.status, 1);
  assert.match(gone.stderr, /carries no signed statement/);
});

test('every step has a signed receipt; one checks against a later checkpoint', async () => {
  const list = await get('filer', `/filings/${id}/receipts`);
  assert.equal(list.status, 200, list.text);
  const actions = list.body.items.map((x) => x.action);
  assert.deepEqual(actions, ['submit_for_check', 'approve_check', 'confirm_hosting', 'accept', 'request_rectification',
    'rectification_answer', 'submit_for_check', 'approve_check', 'approve']);
  for (const item of list.body.items) {
    const st = item.receipt.statement;
    assert.equal(st.type, 'beian.receipt/1');
    assert.equal(st.filing_id, id);
    const r = verify('receipt', file(`receipt-${item.seq}.json`, JSON.stringify(item.receipt)), '--key', keys);
    assert.equal(r.status, 0, `${item.action}: ${r.stderr}`);
  }
  const first = list.body.items[0].receipt.statement;
  assert.equal(first.by.login, 'filer');
  assert.equal(first.version, 1);
  assert.match(first.document_sha256, /^[0-9a-f]{64}$/);
  assert.ok(first.materials.length > 0, 'the version pins its materials');
  assert.match(first.materials[0].sha256, /^[0-9a-f]{64}$/);
  const one = await get('filer', `/filings/${id}/receipts/1`);
  assert.deepEqual(one.body, list.body.items[0].receipt);
  assert.equal((await get('filer', `/filings/${id}/receipts/99`)).status, 404);
  assert.equal((await get('provider', `/filings/${id}/receipts`)).status, 403, 'receipts are the enterprise\'s');
  assert.equal((await get('reviewer', `/filings/${id}/receipts/1`)).status, 403, 'the authority\'s view starts at submission');
  assert.equal((await get('admin', `/filings/${id}/receipts`)).status, 200);

  // a later checkpoint and the entry's inclusion proof in it
  const later = await checkpoint('later.cp');
  assert.ok(later.size > first.audit.tree_size);
  const proof = await s.req('GET', `${API}/public/log/proof?index=${first.audit.index}&size=${later.size}`);
  assert.equal(proof.status, 200, proof.text);
  assert.equal(proof.body.entry_hash, first.audit.entry_hash);
  const rp = file('receipt-1.json', JSON.stringify(list.body.items[0].receipt));
  const ok = verify('receipt', rp, '--key', keys, '--checkpoint', later.path, '--proof', file('proof.json', proof.text));
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`in the later checkpoint of ${later.size} entries`));
  // the proof of another entry does not do
  const other = await s.req('GET', `${API}/public/log/proof?index=${first.audit.index + 1}&size=${later.size}`);
  const wrong = { ...other.body, index: first.audit.index };
  const bad = verify('receipt', rp, '--key', keys, '--checkpoint', later.path, '--proof', file('wrong.json', JSON.stringify(wrong)));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /not in the log of the checkpoint/);
  assert.equal((await s.req('GET', `${API}/public/log/proof?index=${later.size}&size=${later.size}`)).status, 422);
});

test('consistency between checkpoints holds, and fails for a rewritten history', async () => {
  // past several blocks of the log's tree (256 entries each): the server keeps no nodes inside a
  // complete block, so these proofs read the early entries again, also after a restart
  const draft = await createFiling(s, await createSystem(s, 'filer', '日志填充系统'));
  for (let i = 0; i < 700; i++) {
    const r = await s.req('PUT', `${API}/filings/${draft.id}/document`, { token: s.tokens.filer, headers: { 'If-Match': '*' },
      body: { system: { description: `v${i}` } } });
    assert.equal(r.status, 200, r.text);
  }
  for (const restart of [false, true]) {
    if (restart) { await s.stop({ keep: true }); await s.launch(); }
    const big = await checkpoint(`big-${restart}.cp`);
    assert.ok(big.size > early.size + 700, `${big.size} entries`);
    const cp = await s.req('GET', `${API}/public/log/consistency?from=${early.size}&to=${big.size}`);
    assert.equal(cp.status, 200, cp.text);
    const held = verify('checkpoint', early.path, big.path, '--key', keys, '--proof', file(`cons-${restart}.json`, cp.text));
    assert.equal(held.status, 0, held.stderr);
    const first = (await get('filer', `/filings/${id}/receipts/1`)).body;
    const pr = await s.req('GET', `${API}/public/log/proof?index=${first.statement.audit.index}&size=${big.size}`);
    assert.equal(pr.status, 200, pr.text);
    const inc = verify('receipt', file(`r1-${restart}.json`, JSON.stringify(first)), '--key', keys, '--checkpoint', big.path,
      '--proof', file(`p1-${restart}.json`, pr.text));
    assert.equal(inc.status, 0, inc.stderr);
  }
  const now = await checkpoint('now.cp');
  const p = await s.req('GET', `${API}/public/log/consistency?from=${early.size}&to=${now.size}`);
  assert.equal(p.status, 200, p.text);
  const ok = verify('checkpoint', early.path, now.path, '--key', keys, '--proof', file('cons.json', p.text));
  assert.equal(ok.status, 0, ok.stderr);
  const same = verify('checkpoint', now.path, now.path, '--key', keys);
  assert.equal(same.status, 0, same.stderr);
  const noProof = verify('checkpoint', early.path, now.path, '--key', keys);
  assert.equal(noProof.status, 1);
  assert.match(noProof.stderr, /consistency proof/);
  // a checkpoint altered after signing
  const altered = verify('checkpoint', early.path, file('altered.cp', now.text.replace(`\n${now.size}\n`, `\n${now.size + 1}\n`)), '--key', keys, '--proof', file('cons.json', p.text));
  assert.equal(altered.status, 1);
  assert.match(altered.stderr, /signature does not match/);

  // rewrite an old audit entry in a copy: the same keys sign a log that does not extend the old one
  // (a copy of the data directory on PostgreSQL shares the database: that part is SQLite's)
  if (pgStore(s.data)) return;
  await s.stop({ keep: true });
  const copyData = join(work, 'copy');
  cpSync(s.data, copyData, { recursive: true });
  await s.launch();
  const sql = spawnSync('sqlite3', [join(copyData, 'beian.db'),
    "DROP TRIGGER audit_no_update; UPDATE audit SET detail = '{\"rewritten\":true}', hash = lower(hex(randomblob(32))) WHERE id = 3;"], { encoding: 'utf8' });
  assert.equal(sql.status, 0, sql.stderr);
  copy = await Server.start({ data: copyData, logins: s.logins });
  const forged = await copy.req('GET', `${API}/public/log/checkpoint`);
  const forgedPath = file('forged.cp', forged.text);
  const fp = await copy.req('GET', `${API}/public/log/consistency?from=${early.size}&to=${Number(forged.text.split('\n')[1])}`);
  assert.equal(fp.status, 200, fp.text);
  const bad = verify('checkpoint', early.path, forgedPath, '--key', keys, '--proof', file('forged-cons.json', fp.text));
  assert.equal(bad.status, 1, bad.stdout);
  assert.match(bad.stderr, /history was rewritten/);
  assert.equal(cli(['verify', 'audit', '--data', copyData]).status, 1, 'the hash chain breaks too');
});

test('public verification answers with the signed statement, valid and current', async () => {
  const r = await get(null, `/public/filings/${encodeURIComponent(number)}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.verification.signature_valid, true);
  assert.equal(r.body.verification.current, true);
  assert.deepEqual(r.body.certificate, cert);
});

test('an approved change re-issues the certificate for the new record version; the old one is no longer current', async () => {
  const out = await actOk(s, 'filer', id, 'report_change', changeBody(), 'filed');
  const changeId = out.change_filing.id;
  let ch = await getFiling(s, 'filer', changeId);
  const doc = structuredClone(ch.document);
  doc.system.description = `${doc.system.description}（已扩容）`;
  doc.system.user_scale = 1200000;   // past the pack's threshold: a major change, fully reviewed
  const put = await s.req('PUT', `${API}/filings/${changeId}/document`, { token: s.tokens.filer, body: doc, headers: { 'If-Match': ch.etag } });
  assert.equal(put.status, 200, put.text);
  await actOk(s, 'filer', changeId, 'submit_for_check', undefined, 'internal_check');
  await actOk(s, 'checker', changeId, 'approve_check', undefined, 'provider_confirmation');
  await actOk(s, 'provider', changeId, 'confirm_hosting', undefined, 'submitted');
  await actOk(s, 'reviewer', changeId, 'accept', undefined, 'under_review');
  await actOk(s, 'reviewer', changeId, 'approve', undefined, 'filed');
  const r = await get('filer', `/filings/${id}/certificate`);
  assert.equal(r.body.statement.event, 'change_approved');
  assert.equal(r.body.statement.number, number);
  assert.equal(r.body.statement.record_version, cert.statement.record_version + 1);
  assert.notEqual(r.body.statement.document_sha256, cert.statement.document_sha256);
  assert.equal(verify('certificate', file('changed.json', r.text), '--key', keys).status, 0);
  const pub = await get(null, `/public/filings/${encodeURIComponent(number)}`);
  assert.equal(pub.body.verification.current, true);
  assert.equal(pub.body.certificate.statement.record_version, r.body.statement.record_version);
  // the change filing has receipts of its own steps
  const rc = await get('filer', `/filings/${changeId}/receipts`);
  assert.deepEqual(rc.body.items.map((x) => x.action), ['submit_for_check', 'approve_check', 'confirm_hosting', 'accept', 'approve']);
  cert = r.body;
  certPath = file('cert.json', r.text);
});

test('key rotation keeps old certificates valid; revocation issues a certificate under the new key', async () => {
  const oldSecret = keyRead(s.data, `keys/4/${cert.statement.key_id}.key`);
  const rot = cli(['keys', 'rotate', '--data', s.data, '--org', '4']);
  assert.equal(rot.status, 0, rot.stderr);
  const newId = rot.stdout.trim();
  assert.match(newId, /^[0-9a-f]{16}$/);
  assert.notEqual(newId, cert.statement.key_id);
  const keys2 = await keysFile('keys2.json');
  const listed = JSON.parse(readFileSync(keys2, 'utf8')).keys.filter((k) => k.owner === '4');
  assert.equal(listed.length, 2);
  assert.ok(listed.find((k) => k.key_id === cert.statement.key_id).retired_at, 'the old key is retired, still published');
  assert.equal(verify('certificate', certPath, '--key', keys2).status, 0, 'the old certificate stays valid');
  assert.equal(cli(['keys', 'rotate', '--data', s.data, '--org', '2']).status, 1, 'an enterprise has no key');
  assert.equal(cli(['keys', 'rotate', '--data', s.data]).status, 2);

  await actOk(s, 'authadmin', id, 'revoke', { reason: '虚假材料' }, 'revoked');
  const r = await get('filer', `/filings/${id}/certificate`);
  assert.equal(r.body.statement.state, 'revoked');
  assert.equal(r.body.statement.key_id, newId);
  assert.equal(verify('certificate', file('revoked.json', r.text), '--key', keys2).status, 0);
  const pub = await get(null, `/public/filings/${encodeURIComponent(number)}`);
  assert.equal(pub.body.state, 'revoked');
  assert.equal(pub.body.certificate.statement.state, 'revoked');
  assert.equal(pub.body.verification.current, true);

  // the secret keys: 0600 files in 0700 directories (on PostgreSQL rows of deployment_secrets),
  // and nowhere else
  if (!pgStore(s.data)) {
    assert.equal(statSync(join(s.data, 'keys')).mode & 0o777, 0o700);
    assert.equal(statSync(join(s.data, 'keys', '4', `${newId}.key`)).mode & 0o777, 0o600);
  }
  assert.throws(() => keyRead(s.data, `keys/4/${cert.statement.key_id}.key`), 'the retired secret key is gone');
  const secrets = [oldSecret, keyRead(s.data, `keys/4/${newId}.key`)];
  for (const f of keyNames(s.data, 'platform').filter((n) => n.endsWith('.key'))) secrets.push(keyRead(s.data, f));
  const backup = join(work, 'backup');
  const b = cli(['backup', backup, '--data', s.data]);
  assert.equal(b.status, 0, b.stderr);
  const haystacks = [...answers, s.log];
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
  const backupFiles = walk(backup);
  assert.ok(!backupFiles.some((f) => f.endsWith('.key')), 'no key file in the backup');
  for (const sk of secrets) {
    const seed = sk.subarray(0, 32);
    const forms = [seed.toString('hex'), seed.toString('base64'), sk.toString('base64'), seed.toString('base64url')];
    for (const h of haystacks) for (const f of forms) assert.ok(!h.includes(f), 'a secret key in an answer or the log');
    for (const path of backupFiles) {
      const bytes = readFileSync(path);
      assert.ok(!bytes.includes(seed), `the secret key's bytes in ${path}`);
      for (const f of forms) assert.ok(!bytes.includes(Buffer.from(f)), `a secret key in ${path}`);
    }
    // (on PostgreSQL the whole database is the dump among backupFiles)
    if (!pgStore(s.data)) assert.ok(!readFileSync(join(s.data, 'beian.db')).includes(seed), 'the database holds no secret key');
  }

  // the backup carries the public keys and the log's name: restored, old certificates still verify
  const restoredData = join(work, 'restored');
  const rs = cli(['restore', backup, '--data', restoredData, ...(pgStore(s.data) ? pgStoreArgs() : [])]);
  assert.equal(rs.status, 0, rs.stderr);
  if (pgStore(s.data)) {
    const kept = dbExec(restoredData, 'SELECT (SELECT count(*) FROM deployment_secrets), (SELECT count(*) FROM deployment_keys)');
    assert.match(kept.stdout.trim(), /^0\|[1-9]\d*$/, `the dump held the public keys, no secret: ${kept.stdout}${kept.stderr}`);
  }
  const restored = await Server.start({ data: restoredData, logins: s.logins });
  try {
    const k = await restored.req('GET', '/.well-known/beian-keys.json');
    const ids = k.body.keys.map((x) => x.key_id);
    assert.ok(ids.includes(cert.statement.key_id) && ids.includes(newId), 'the old public keys are published again');
    assert.equal(k.body.log.origin, JSON.parse(readFileSync(keys2, 'utf8')).log.origin, 'the same log');
    assert.equal(verify('certificate', certPath, '--key', file('keys3.json', k.text)).status, 0);
  } finally {
    await restored.stop();
  }
});

test('a step whose receipt cannot be signed fails as a whole and changes nothing', async () => {
  const draft = await completeDraft(s, await createSystem(s, 'filer', '无法签名的系统'));
  const current = keyRead(s.data, 'keys/4/current').toString().trim();
  const keyPath = `keys/4/${current}.key`;
  const secret = keyRead(s.data, keyPath);
  keyWrite(s.data, keyPath, secret.subarray(0, 10));   // damaged
  try {
    const r = await s.req('POST', `${API}/filings/${draft}/actions/submit_for_check`, { token: s.tokens.filer });
    assert.equal(r.status, 500, r.text);
    assert.match(r.body.detail_en, /signing key .* missing or damaged/);
    const f = await getFiling(s, 'filer', draft);
    assert.equal(f.state, 'draft', 'nothing changed');
    assert.equal(f.current_version, 0, 'no version frozen');
    assert.equal((await get('filer', `/filings/${draft}/receipts`)).body.items.length, 0);
  } finally {
    keyWrite(s.data, keyPath, secret);
  }
  await actOk(s, 'filer', draft, 'submit_for_check', undefined, 'internal_check');
  assert.equal((await get('filer', `/filings/${draft}/receipts`)).body.items.length, 1);
});

test('the server publishes checkpoints at a steady interval', async () => {
  assert.match(s.log, /beian: checkpoint beian\/audit\/[0-9a-f]{16} \d+ [A-Za-z0-9+/=]{44}/);
});
