// upload-limit.test.mjs — a file over the server's upload limit (here --max-upload-mib 1): the 413
// problem of the API is shown at the material field, in the current language, and nothing changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { launchBrowser, party, signIn, unexpected } from './browser.mjs';
import { BIN, Server } from '../api/lib.mjs';
import { API, createFiling, createSystem, loginAll, putDocument, referenceDoc } from '../api/story.mjs';

let s, browser, p;

// The demo server, restarted on the same data directory with a 1 MiB upload limit.
async function relaunchSmall(server) {
  await server.stop({ keep: true });
  server.log = '';
  server.proc = spawn(BIN, ['serve', '--data', server.data, '--listen', `127.0.0.1:${server.port}`, '--threads', '2', '--max-upload-mib', '1'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  server.proc.stderr.on('data', (d) => { server.log += d.toString(); });
  server.exited = new Promise((resolve) => server.proc.on('exit', (code, signal) => resolve({ code, signal })));
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${server.base}/healthz`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not restart:\n${server.log}`);
}

before(async () => {
  [s, browser] = await Promise.all([Server.start(), launchBrowser()]);
  await relaunchSmall(s);
  await loginAll(s, ['filer']);
});

after(async () => {
  if (p) {
    assert.deepEqual(unexpected(p.problems), [], 'no script errors in the browser');
    await p.close();
  }
  await browser?.close();
  await s?.stop();
});

test('a file over the upload limit: 413 shown at the field, in Chinese and in English', async () => {
  const sys = await createSystem(s, 'filer', '上传上限测试');
  const f = await createFiling(s, sys);
  await putDocument(s, f.id, referenceDoc(), f.etag);
  p = await party(browser, s);
  await signIn(p, 'filer', s.logins.filer.password);
  const { page } = p;
  await page.goto(`/filings/${f.id}?step=system`);
  const path = '/system/architecture_diagram';
  const wrap = page.locator(`[data-path="${path}"]`);
  const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2 * 1024 * 1024, 0x20)]);
  await page.locator(`[id="up:${path}-file"]`).setInputFiles({ name: 'big.pdf', mimeType: 'application/pdf', buffer: big });
  const err = wrap.locator('.upload-error');
  await err.waitFor();
  assert.equal(await err.getAttribute('data-status'), '413', await err.innerText());
  assert.match(await err.innerText(), /1 MiB/);
  assert.equal(await page.locator(`[id="f:${path}"]`).inputValue(), '2', 'the field keeps its material');
  await page.locator('#lang-switch').click();
  await page.locator('#tab-form', { hasText: 'Form' }).waitFor();
  await page.locator('button[data-step="system"]').click();
  await page.locator(`[id="up:${path}-file"]`).setInputFiles({ name: 'big.pdf', mimeType: 'application/pdf', buffer: big });
  await wrap.locator('.upload-error').waitFor();
  assert.match(await wrap.locator('.upload-error').innerText(), /Compress or split/);
  const doc = (await s.req('GET', `${API}/filings/${f.id}`, { token: s.tokens.filer })).body.document;
  assert.equal(doc.system.architecture_diagram, 2);
});
