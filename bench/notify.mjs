// notify.mjs — the outbox's throughput beside the plain write rate (issue 14). A filer and a
// checker bounce FILINGS filings between draft and the internal check (submit_for_check, return):
// every action is one write with its audit entry and, through the hook, inbox rows. First with no
// webhook (the plain write rate), then with the enterprise's webhook for every event, to a
// receiver on loopback answering 200: the rate of writes then, and the rate at which the sender
// delivered all of them (from the first write to the last delivery received).
// Usage: node bench/notify.mjs [ACTIONS=2000]   (BEIAN_BIN: the server, default build/beian)
import http from 'node:http';
import { Server, freePort } from '../tests/api/lib.mjs';
import { completeDraft, loginAll, newSystem } from '../tests/api/story.mjs';

const ACTIONS = Number(process.argv[2] || 2000);
const FILINGS = 8;

const s = await Server.start({ env: { BEIAN_WEBHOOK_ALLOW_PRIVATE: '1', BEIAN_NOTIFY_RETRY_SECONDS: '1' } });
let got = 0, last = 0;
const recv = http.createServer((rq, rs) => { rq.resume(); rq.on('end', () => { got++; last = Date.now(); rs.end(); }); });
const port = await freePort();
await new Promise((r) => recv.listen(port, '127.0.0.1', r));
try {
  await loginAll(s, ['filer', 'checker', 'entadmin']);
  const ids = [];
  for (let i = 0; i < FILINGS; i++) ids.push(await completeDraft(s, await newSystem(s)));
  const state = Object.fromEntries(ids.map((id) => [id, 'draft']));
  async function bounce(n) {
    // FILINGS lanes in parallel, each alternating submit_for_check and return on its filing
    const per = Math.ceil(n / FILINGS);
    await Promise.all(ids.map(async (id) => {
      for (let k = 0; k < per; k++) {
        const submit = state[id] === 'draft';
        const r = await s.req('POST', `/api/v1/filings/${id}/actions/${submit ? 'submit_for_check' : 'return'}`,
          { token: s.tokens[submit ? 'filer' : 'checker'], body: submit ? undefined : { comment: 'bench' } });
        if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
        state[id] = submit ? 'internal_check' : 'draft';
      }
    }));
    return per * FILINGS;
  }
  let t0 = Date.now();
  const n1 = await bounce(ACTIONS);
  const plain = n1 / ((Date.now() - t0) / 1000);

  const hook = await s.req('POST', '/api/v1/webhooks', { token: s.tokens.entadmin,
    body: { url: `http://127.0.0.1:${port}/bench`, events: ['*'] } });
  if (hook.status !== 201) throw new Error(hook.text);
  t0 = Date.now();
  const n2 = await bounce(ACTIONS);
  const writes = n2 / ((Date.now() - t0) / 1000);
  const deadline = Date.now() + 600000;
  while (got < n2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const delivered = got / ((last - t0) / 1000);
  console.log(`| workflow actions (write + audit + inbox), no webhook | ${n1} | ${plain.toFixed(0)} actions/s |`);
  console.log(`| the same with a webhook for every event | ${n2} | ${writes.toFixed(0)} actions/s |`);
  console.log(`| webhook deliveries received (signed, one sender thread) | ${got} | ${delivered.toFixed(0)} deliveries/s |`);
} finally {
  recv.close();
  await s.stop();
}
