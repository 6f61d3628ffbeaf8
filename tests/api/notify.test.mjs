// notify.test.mjs — nobody misses a deadline (issue 14): every step of the story lands in the
// inbox of the people who must act next (checker, provider, reviewers, filers), with the
// rectification items and the number; the e-mails a real SMTP server (python3-aiosmtpd) receives
// carry the subject in the recipient's language; webhooks arrive signed the Standard Webhooks way
// (verified here with the secret shown once), are retried after a 500 with the same webhook-id,
// can be redelivered, and are refused at private addresses unless the operator allows them; a
// kill -9 with deliveries pending loses none of them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, cli, freePort, startSmtpSink, waitFor } from './lib.mjs';
import { API, RECTIFICATION_ITEMS, actOk, completeDraft, driveTo, loginAll, newSystem } from './story.mjs';

let s, smtp, mailDir, receiver, recvPort;
const received = [];               // {path, id, ts, sig, body, status}
const behaviour = { flakyLeft: 2, gateOpen: false };
const req = (login, method, path, opts) => s.req(method, path, { token: s.tokens[login], ...opts });
const LOGINS = ['filer', 'checker', 'provider', 'reviewer', 'entadmin', 'provadmin', 'authadmin'];

function env(smtpPort) {
  return {
    BEIAN_WEBHOOK_ALLOW_PRIVATE: '1', BEIAN_NOTIFY_RETRY_SECONDS: '1',
    BEIAN_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, BEIAN_SMTP_FROM: 'beian@example.test',
  };
}

before(async () => {
  mailDir = mkdtempSync(join(tmpdir(), 'beian-mail-'));
  const sink = await startSmtpSink(mailDir);
  smtp = sink.process;
  const smtpPort = sink.port;
  receiver = createServer((rq, rs) => {
    let body = '';
    rq.on('data', (d) => { body += d; });
    rq.on('end', () => {
      let status = 200;
      if (rq.url === '/flaky' && behaviour.flakyLeft > 0) { behaviour.flakyLeft--; status = 500; }
      if (rq.url === '/gate' && !behaviour.gateOpen) status = 503;
      received.push({ path: rq.url, id: rq.headers['webhook-id'], ts: rq.headers['webhook-timestamp'],
        sig: rq.headers['webhook-signature'], body, status });
      rs.writeHead(status).end();
    });
  });
  recvPort = await freePort();
  await new Promise((r) => receiver.listen(recvPort, '127.0.0.1', r));
  s = await Server.start({ env: env(smtpPort) });
  s.smtpPort = smtpPort;
  await loginAll(s, LOGINS);
});

after(async () => {
  await s?.stop();
  smtp?.kill('SIGTERM');
  receiver?.close();
  rmSync(mailDir, { recursive: true, force: true });
});

const inbox = async (login) => {
  const r = await req(login, 'GET', `${API}/inbox`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};
const itemFor = async (login, event, filingId) =>
  (await inbox(login)).items.find((i) => i.event === event && i.filing_id === filingId);

function verify(secret, m) {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const want = createHmac('sha256', key).update(`${m.id}.${m.ts}.${m.body}`).digest('base64');
  return m.sig === `v1,${want}`;
}

const mails = () => readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8')));

// A webhook's delivery log once `ready(items)` holds (polled: a sender records a receiver's answer
// just after the receiver has it), or null when it never does.
async function deliveriesWhen(who, webhookId, ready) {
  return waitFor(async () => {
    const r = await req(who, 'GET', `${API}/webhooks/${webhookId}/deliveries`);
    assert.equal(r.status, 200);
    return ready(r.body.items) && r.body.items;
  }, 15000);
}

async function hook(login, path, events) {
  const r = await req(login, 'POST', `${API}/webhooks`, { body: { url: `http://127.0.0.1:${recvPort}${path}`, events } });
  assert.equal(r.status, 201, r.text);
  assert.match(r.body.secret, /^whsec_[A-Za-z0-9+/=]{20,}$/);
  return r.body;
}

test('each step lands in the inbox of whoever acts next, by e-mail in their language, and by signed webhook', async () => {
  // the checker reads English mail for the checks asked of them; the filer Chinese mail for everything
  assert.equal((await req('checker', 'PUT', `${API}/me/notifications`,
    { body: { email: 'checker@example.test', lang: 'en', email_events: ['filing.check_requested'] } })).status, 200);
  const fp = await req('filer', 'PUT', `${API}/me/notifications`, { body: { email: 'filer@example.test', lang: 'zh', email_events: ['*'] } });
  assert.equal(fp.status, 200, fp.text);
  assert.ok(fp.body.events.includes('filing.approved'));
  assert.equal((await req('filer', 'PUT', `${API}/me/notifications`, { body: { email_events: ['no.such'] } })).status, 422);
  const wh = await hook('entadmin', '/ok', ['*']);
  const listed = await req('entadmin', 'GET', `${API}/webhooks`);
  assert.equal(listed.status, 200);
  assert.ok(listed.body.items.some((h) => h.id === wh.id));
  assert.ok(listed.body.items.every((h) => h.secret === undefined), 'the secret is shown once, at creation');

  const id = await completeDraft(s, await newSystem(s));
  const before = (await inbox('checker')).unread;
  await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
  const c = await itemFor('checker', 'filing.check_requested', id);
  assert.ok(c, 'the checker hears of the submission');
  assert.equal(c.link, `/filings/${id}`);
  assert.equal(c.read, false);
  assert.match(c.subject.zh, /待内部审核/);
  assert.match(c.subject.en, /Internal check needed/);
  assert.equal((await inbox('checker')).unread, before + 1);
  assert.equal(await itemFor('filer', 'filing.check_requested', id), undefined, 'who acted is not told what they did');
  assert.equal(await itemFor('provider', 'filing.check_requested', id), undefined);

  await actOk(s, 'checker', id, 'approve_check', undefined, 'provider_confirmation');
  assert.ok(await itemFor('provider', 'filing.hosting_requested', id), 'the provider is asked to confirm');
  assert.equal(await itemFor('reviewer', 'filing.hosting_requested', id), undefined);
  await actOk(s, 'provider', id, 'confirm_hosting', undefined, 'submitted');
  assert.ok(await itemFor('reviewer', 'filing.submitted', id), 'the reviewers hear of the new filing');
  await actOk(s, 'reviewer', id, 'accept', undefined, 'under_review');
  await actOk(s, 'reviewer', id, 'request_rectification', { comment: '请补充', items: RECTIFICATION_ITEMS }, 'rectification');
  const rect = await itemFor('filer', 'filing.rectification_requested', id);
  assert.ok(rect, 'the filer hears of the rectification');
  assert.ok(rect.body.zh.includes(RECTIFICATION_ITEMS[0].message), 'with the items');
  assert.ok(rect.body.zh.includes(RECTIFICATION_ITEMS[0].path));
  await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
  await actOk(s, 'checker', id, 'approve_check', undefined, 'under_review');
  assert.ok(await itemFor('reviewer', 'filing.resubmitted', id), 'the reviewer hears of the resubmission');
  const done = await actOk(s, 'reviewer', id, 'approve', undefined, 'filed');
  const number = done.filing.number;
  assert.ok(number);
  for (const who of ['filer', 'entadmin']) {
    const ap = await itemFor(who, 'filing.approved', id);
    assert.ok(ap, `${who} hears of the approval`);
    assert.ok(ap.subject.zh.includes(number) && ap.body.en.includes(number), 'with the number');
  }
  assert.equal(await itemFor('provider', 'filing.approved', id), undefined);

  // reading: only one's own items
  const mine = await itemFor('filer', 'filing.approved', id);
  assert.equal((await req('reviewer', 'POST', `${API}/inbox/${mine.id}/read`)).status, 404, "another's item is not found");
  const u0 = (await inbox('filer')).unread;
  const r1 = await req('filer', 'POST', `${API}/inbox/${mine.id}/read`);
  assert.equal(r1.status, 200);
  assert.equal(r1.body.unread, u0 - 1);
  assert.equal(r1.body.items.find((i) => i.id === mine.id).read, true);
  const ra = await req('filer', 'POST', `${API}/inbox/read-all`);
  assert.equal(ra.status, 200);
  assert.equal(ra.body.unread, 0);

  // e-mail: the checker's in English, the filer's in Chinese with the number
  const got = await waitFor(() => {
    const m = mails();
    return m.some((x) => x.rcpt_tos.includes('checker@example.test')) &&
      m.some((x) => x.rcpt_tos.includes('filer@example.test') && x.subject.includes(number)) && m;
  }, 15000);
  assert.ok(got, `mails arrived: ${JSON.stringify(mails().map((m) => [m.rcpt_tos, m.subject]))}`);
  const cm = got.filter((x) => x.rcpt_tos.includes('checker@example.test'));
  assert.equal(cm.length, 2, 'the checker chose one event, submitted twice');
  assert.match(cm[0].subject, /^Internal check needed: /);
  assert.equal(cm[0].content_language, 'en');
  assert.equal(cm[0].mail_from, 'beian@example.test');
  const fm = got.find((x) => x.rcpt_tos.includes('filer@example.test') && x.subject.includes(number));
  assert.match(fm.subject, /备案通过/);
  assert.equal(fm.content_language, 'zh');
  assert.ok(fm.body.includes(`/filings/${id}`));
  assert.ok(got.some((x) => x.rcpt_tos.includes('filer@example.test') && x.body.includes(RECTIFICATION_ITEMS[0].message)));
  assert.ok(!got.some((x) => x.rcpt_tos.includes('entadmin@example.test')), 'no mail to who chose none');

  // webhooks: the enterprise's endpoint got every event of its filing, each signed
  const events = ['filing.check_requested', 'filing.hosting_requested', 'filing.submitted', 'filing.accepted',
    'filing.rectification_requested', 'filing.resubmitted', 'filing.approved'];
  const ok = await waitFor(() => {
    const mine = received.filter((m) => m.path === '/ok' && JSON.parse(m.body).data.filing_id === id);
    return events.every((ev) => mine.some((m) => JSON.parse(m.body).type === ev)) && mine;
  }, 15000);
  assert.ok(ok, `webhooks received: ${received.map((m) => m.body).join('\n')}`);
  for (const m of ok) {
    assert.ok(verify(wh.secret, m), `signature of ${m.id} verifies`);
    assert.match(m.id, /^msg_[0-9a-f]{24}$/);
    assert.ok(Math.abs(Number(m.ts) - Date.now() / 1000) < 120);
  }
  assert.ok(!verify(wh.secret, { ...ok[0], body: ok[0].body.replace('filing', 'Filing') }), 'a changed body fails');
  const approved = JSON.parse(ok.find((m) => JSON.parse(m.body).type === 'filing.approved').body);
  assert.equal(approved.data.number, number);
  // the receiver has answered; the sender records the answer just after: wait for it
  const log = await deliveriesWhen('entadmin', wh.id,
    (items) => items.filter((d) => d.payload.data.filing_id === id).every((d) => d.state === 'done'));
  assert.ok(log, 'every delivery of the filing recorded as done');
  assert.ok(log.length >= events.length);
});

test('a receiver answering 500 is retried until it answers 200; a redelivery carries the same webhook-id', async () => {
  const wh = await hook('authadmin', '/flaky', ['filing.submitted']);
  const id = await completeDraft(s, await newSystem(s));
  await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
  await actOk(s, 'checker', id, 'approve_check', undefined, 'provider_confirmation');
  await actOk(s, 'provider', id, 'confirm_hosting', undefined, 'submitted');
  const done = await waitFor(() => received.some((m) => m.path === '/flaky' && m.status === 200), 20000);
  assert.ok(done, `flaky deliveries: ${JSON.stringify(received.filter((m) => m.path === '/flaky'))}`);
  const tries = received.filter((m) => m.path === '/flaky');
  assert.deepEqual(tries.map((m) => m.status), [500, 500, 200]);
  assert.equal(new Set(tries.map((m) => m.id)).size, 1, 'every attempt has the same webhook-id');
  assert.ok(tries.every((m) => verify(wh.secret, m)));
  const log = await deliveriesWhen('authadmin', wh.id, (items) => items[0]?.state === 'done');
  assert.ok(log, 'the delivery recorded as done');
  const d = log[0];
  assert.equal(d.attempts, 3);
  assert.deepEqual(d.attempt_log.map((a) => a.status), [500, 500, 200]);
  assert.equal(d.msg_id, tries[0].id);
  // not another organisation's: the enterprise's admin sees no such webhook
  assert.equal((await req('entadmin', 'GET', `${API}/webhooks/${wh.id}/deliveries`)).status, 404);
  assert.equal((await req('entadmin', 'POST', `${API}/webhooks/${wh.id}/deliveries/${d.id}/redeliver`)).status, 404);
  assert.equal((await req('entadmin', 'DELETE', `${API}/webhooks/${wh.id}`)).status, 404);
  const rd = await req('authadmin', 'POST', `${API}/webhooks/${wh.id}/deliveries/${d.id}/redeliver`);
  assert.equal(rd.status, 202, rd.text);
  const again = await waitFor(() => received.filter((m) => m.path === '/flaky').length === 4, 10000);
  assert.ok(again, 'redelivered');
  assert.equal(received.filter((m) => m.path === '/flaky')[3].id, tries[0].id, 'the redelivery has the same webhook-id');
  // only administrators manage webhooks
  assert.equal((await req('filer', 'POST', `${API}/webhooks`, { body: { url: `http://127.0.0.1:${recvPort}/x`, events: ['*'] } })).status, 403);
  assert.equal((await req('reviewer', 'GET', `${API}/webhooks`)).status, 403);
  assert.equal((await req('authadmin', 'DELETE', `${API}/webhooks/${wh.id}`)).status, 204);
  assert.equal((await req('authadmin', 'GET', `${API}/webhooks/${wh.id}/deliveries`)).status, 404);
});

test('targets in loopback or private ranges are refused unless the operator allows them', async () => {
  const plain = await Server.start({ materials: false });
  try {
    await loginAll(plain, ['entadmin']);
    for (const url of [`http://127.0.0.1:${recvPort}/ok`, 'http://10.1.2.3/hook', 'http://192.168.0.1/', 'http://[::1]:8080/',
      'http://169.254.169.254/latest', 'http://172.20.0.1/', 'http://localhost/x']) {
      const r = await plain.req('POST', `${API}/webhooks`, { token: plain.tokens.entadmin, body: { url, events: ['*'] } });
      assert.equal(r.status, 422, `${url}: ${r.text}`);
      assert.match(r.body.detail?.en ?? r.text, /private|loopback/i, url);
    }
    const bad = await plain.req('POST', `${API}/webhooks`, { token: plain.tokens.entadmin, body: { url: 'ftp://example.com/', events: ['*'] } });
    assert.equal(bad.status, 422);
  } finally {
    await plain.stop();
  }
});

test('a kill -9 with deliveries pending loses none: they are delivered after the restart, same webhook-ids', async () => {
  const wh = await hook('entadmin', '/gate', ['filing.check_requested']);
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const id = await completeDraft(s, await newSystem(s));
    await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
    ids.push(id);
  }
  const tried = await waitFor(() => new Set(received.filter((m) => m.path === '/gate').map((m) => m.id)).size === 3, 15000);
  assert.ok(tried, 'each was tried (and refused) before the kill');
  const before = (await req('entadmin', 'GET', `${API}/webhooks/${wh.id}/deliveries`)).body.items;
  assert.equal(before.length, 3);
  assert.ok(before.every((d) => d.state === 'pending'));
  // kill -9, then the receiver comes back; a new server on the same data (same environment)
  await s.kill9();
  behaviour.gateOpen = true;
  const n = new Server(s.data, s.logins);
  n.root = s.root;
  s.root = null;
  n.tokens = { ...s.tokens };
  n.env = env(s.smtpPort);
  n.smtpPort = s.smtpPort;
  await n.launch();
  s = n;
  const all = await waitFor(() => received.filter((m) => m.path === '/gate' && m.status === 200).length >= 3, 60000);
  assert.ok(all, 'all delivered after the restart');
  const okIds = new Set(received.filter((m) => m.path === '/gate' && m.status === 200).map((m) => m.id));
  assert.deepEqual([...okIds].sort(), before.map((d) => d.msg_id).sort(), 'the same webhook-ids, each delivered');
  const filingsSeen = received.filter((m) => m.path === '/gate' && m.status === 200).map((m) => JSON.parse(m.body).data.filing_id);
  assert.deepEqual([...new Set(filingsSeen)].sort(), [...ids].sort());
  assert.ok(await deliveriesWhen('entadmin', wh.id, (items) => items.every((d) => d.state === 'done')),
    'every delivery recorded as done');
  const metrics = await s.req('GET', '/metrics');
  assert.match(metrics.text, /^beian_notify_outbox\{state="done"\} [1-9]\d*$/m, 'the outbox in /metrics');
});

test('after the number: a standing finding reaches the org_admin and filers; inspection reports reach whoever acts next', async () => {
  const REPORT = JSON.parse(readFileSync(new URL('../../policy/cn-cloud/fixtures/inspection-reference.json', import.meta.url), 'utf8'));
  const tmp = mkdtempSync(join(tmpdir(), 'beian-notify-after-'));
  const clockFile = join(tmp, 'clock');
  writeFileSync(clockFile, '0');
  const a = await Server.start({ env: { BEIAN_TEST_CLOCK_FILE: clockFile } });
  try {
    const who = ['filer', 'checker', 'provider', 'reviewer', 'entadmin'];
    await loginAll(a, who);
    const record = await completeDraft(a, await newSystem(a));
    await driveTo(a, record, 'filed');
    const box = async (login) => (await a.req('GET', `${API}/inbox`, { token: a.tokens[login] })).body.items;
    const has = async (login, event, pred = () => true) => (await box(login)).find((i) => i.event === event && pred(i));
    // seven months on, the report of the first cycle (every 6 months) is overdue
    writeFileSync(clockFile, String(213 * 86400));
    for (const l of who) delete a.tokens[l];
    await loginAll(a, who);
    const r = cli(['tick', '--data', a.data], { env: { BEIAN_TEST_CLOCK_FILE: clockFile } });
    assert.equal(r.status, 0, r.stderr);
    for (const login of ['filer', 'entadmin']) {
      const f = await has(login, 'standing.appeared', (i) => i.params.rule === 'INSPECTION-OVERDUE');
      assert.ok(f, `${login} hears of the overdue inspection`);
      assert.equal(f.link, `/filings/${record}`);
      assert.match(f.subject.en, /INSPECTION-OVERDUE/);
      assert.match(f.body.zh, /逾期/);
    }
    assert.equal(await has('reviewer', 'standing.appeared'), undefined);
    assert.equal(await has('checker', 'standing.appeared'), undefined);
    // the report: checked inside, submitted to the authority, sent back, accepted
    const post = (login, path, body) => a.req('POST', API + path, { token: a.tokens[login], body });
    const started = (await post('filer', `/filings/${record}/inspections`)).body;
    const iid = started.id;
    assert.equal((await a.req('PUT', `${API}/inspections/${iid}/document`, { token: a.tokens.filer, body: REPORT, headers: { 'If-Match': started.etag } })).status, 200);
    const step = async (login, action, body) => assert.equal((await post(login, `/inspections/${iid}/actions/${action}`, body)).status, 200, action);
    await step('filer', 'submit_for_check');
    assert.ok(await has('checker', 'inspection.check_requested', (i) => i.link === `/inspections/${iid}`));
    await step('checker', 'approve_check');
    const sub = await has('reviewer', 'inspection.submitted', (i) => i.link === `/inspections/${iid}`);
    assert.ok(sub, 'the reviewer hears of the report');
    assert.equal(await has('filer', 'inspection.submitted'), undefined);
    const items = [{ path: '/vulnerability/high_fixed', message: '请说明高危漏洞的修复验证方式' }];
    await step('reviewer', 'request_rectification', { comment: '请补充', items });
    const back = await has('filer', 'inspection.sent_back');
    assert.ok(back && back.body.zh.includes(items[0].message), 'the filer hears of the notice, with its items');
    await step('filer', 'submit_for_check');
    await step('checker', 'approve_check');
    await step('reviewer', 'accept_report');
    assert.ok(await has('filer', 'inspection.accepted', (i) => i.link === `/inspections/${iid}`));
  } finally {
    await a.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});
