// standing_notify.test.mjs — what a standing pass tells whom (issues 13 and 14). The pass writes its
// events' audit entries and notifications from the record as it read it and looks up the people
// and webhooks concerned once per organisation and batch; this checks that the result is what the
// per-event hook writes for any other event of a filing: for every finding that appears, one
// standing.appear entry in the record's log (the chain verifies), one inbox item for each of the
// enterprise's filers and its administrator (not the checker, the provider or the authority) with
// the parameters the hook takes from the filing's row and the entry, an e-mail to each who chose
// the event, and a delivery to each of the enterprise's webhooks subscribed to it (not the
// authority's); a finding that clears is logged and tells nobody.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, cli, startSmtpSink, waitFor } from './lib.mjs';
import { API, completeDraft, driveTo, getFiling, loginAll, newSystem } from './story.mjs';

const DAY = 86400;
const LOGINS = ['filer', 'checker', 'entadmin', 'provider', 'provadmin', 'reviewer', 'authadmin'];
let s, tmp, clockFile, smtp, mailDir;
const req = (login, method, path, opts) => s.req(method, API + path, { token: s.tokens[login], ...opts });

function tick() {
  const r = cli(['tick', '--data', s.data], { env: { BEIAN_TEST_CLOCK_FILE: clockFile } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}
const inboxOf = async (login, filingId) => {
  const r = await req(login, 'GET', '/inbox');
  assert.equal(r.status, 200, r.text);
  return r.body.items.filter((i) => i.filing_id === filingId && i.event.startsWith('standing.'));
};
const mails = () => readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8')));
const key = (f) => `${f.rule} ${f.path}`;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'beian-standing-notify-'));
  clockFile = join(tmp, 'clock');
  writeFileSync(clockFile, '0');
  mailDir = join(tmp, 'mail');
  const sink = await startSmtpSink(mailDir);
  smtp = sink.process;
  const smtpPort = sink.port;
  s = await Server.start({
    env: {
      BEIAN_TEST_CLOCK_FILE: clockFile, BEIAN_WEBHOOK_ALLOW_PRIVATE: '1',
      BEIAN_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, BEIAN_SMTP_FROM: 'beian@example.test',
    },
  });
  await loginAll(s, LOGINS);
});

after(async () => {
  await s?.stop();
  smtp?.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

test('a standing pass tells the enterprise\'s filers and administrator of each finding that appears, as the hook does for any event', async () => {
  const id = await completeDraft(s, await newSystem(s));
  await driveTo(s, id, 'filed');
  const filing = await getFiling(s, 'filer', id);
  // e-mail: the filer chose this event, the administrator every event, the checker another one
  for (const [login, lang, events] of [['filer', 'zh', ['standing.appeared']], ['entadmin', 'en', ['*']],
    ['checker', 'en', ['standing.appeared']]]) {
    const r = await req(login, 'PUT', '/me/notifications', { body: { email: `${login}@example.test`, lang, email_events: events } });
    assert.equal(r.status, 200, r.text);
  }
  // webhooks (nothing listens: the deliveries are what the pass wrote, whatever their fate)
  const hook = async (login, events) => {
    const r = await req(login, 'POST', '/webhooks', { body: { url: 'http://127.0.0.1:9/standing', events } });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  const chosen = await hook('entadmin', ['standing.appeared']);
  const every = await hook('entadmin', ['*']);
  const other = await hook('entadmin', ['filing.approved']);
  const authority = await hook('authadmin', ['*']);
  const before = Object.fromEntries(await Promise.all(LOGINS.map(async (l) => [l, (await inboxOf(l, id)).length])));
  assert.deepEqual(Object.values(before), LOGINS.map(() => 0));

  // seven months on, nothing done: the inspection is overdue, the scan and the training stale, …
  writeFileSync(clockFile, String(214 * DAY));
  for (const l of LOGINS) delete s.tokens[l];
  await loginAll(s, LOGINS);
  assert.match(tick(), /checked 1 record/);
  // each finding as the pass had it ({rule, path, severity, message}; the stored one keeps the
  // message under detail)
  const standing = (await req('filer', 'GET', `/filings/${id}/standing`)).body.items
    .map((f) => ({ ...f, message: f.message ?? f.detail.message }));
  assert.ok(standing.length >= 4, `findings: ${standing.map(key)}`);

  // the log: one standing.appear per finding, with its rule, path, severity and message
  const events = (await req('filer', 'GET', `/filings/${id}/events`)).body.items.filter((x) => x.action === 'standing.appear');
  assert.deepEqual(events.map((x) => key(x.detail)).sort(), standing.map(key).sort());
  for (const x of events) {
    const f = standing.find((g) => key(g) === key(x.detail));
    assert.deepEqual(x.detail, { rule: f.rule, path: f.path, severity: f.severity, message: f.message });
  }

  // the inbox: the filer and the administrator, one item per finding, with the parameters the hook
  // takes from the filing's row (names and number) and from the entry
  const expected = standing.map((f) => ({
    action: 'standing.appear', filing_id: id, link: `/filings/${id}`, system: filing.system_name,
    subject: filing.subject_name, number: filing.number, rule: f.rule, path: f.path, severity: f.severity, message: f.message,
  })).sort((a, b) => key(a).localeCompare(key(b)));
  for (const login of ['filer', 'entadmin']) {
    const items = await inboxOf(login, id);
    assert.ok(items.every((i) => i.event === 'standing.appeared' && i.link === `/filings/${id}`));
    assert.deepEqual(items.map((i) => i.params).sort((a, b) => key(a).localeCompare(key(b))), expected, login);
    assert.ok(items.every((i) => i.subject.zh && i.subject.en), 'rendered from the pack');
  }
  for (const login of ['checker', 'provider', 'provadmin', 'reviewer', 'authadmin'])
    assert.deepEqual(await inboxOf(login, id), [], `${login} is not told`);

  // e-mail: one to each who chose the event, per finding, in their language; none to the checker
  const got = await waitFor(() => {
    const m = mails().filter((x) => x.body.includes(`/filings/${id}`));
    return m.length >= 2 * standing.length && m;
  }, 15000);
  assert.ok(got, `mails: ${JSON.stringify(mails().map((m) => [m.rcpt_tos, m.subject]))}`);
  const to = (who) => got.filter((x) => x.rcpt_tos.includes(`${who}@example.test`));
  assert.equal(to('filer').length, standing.length);
  assert.equal(to('entadmin').length, standing.length);
  assert.equal(to('checker').length, 0);
  assert.ok(to('filer').every((x) => x.content_language === 'zh') && to('entadmin').every((x) => x.content_language === 'en'));
  for (const f of standing) assert.ok(to('filer').some((x) => x.body.includes(f.message.zh)), `a mail of ${key(f)}`);

  // webhooks: the enterprise's subscribed ones, one delivery per finding, the hook's payload
  const deliveries = async (login, hookId) => {
    const r = await req(login, 'GET', `/webhooks/${hookId}/deliveries`);
    assert.equal(r.status, 200, r.text);
    return r.body.items.filter((d) => d.event === 'standing.appeared');
  };
  for (const h of [chosen, every]) {
    const ds = await deliveries('entadmin', h);
    assert.equal(ds.length, standing.length);
    const data = ds.map((d) => (typeof d.payload === 'string' ? JSON.parse(d.payload) : d.payload))
      .map((p) => { assert.equal(p.type, 'standing.appeared'); return p.data; })
      .sort((a, b) => key(a).localeCompare(key(b)));
    assert.deepEqual(data, expected);
  }
  assert.deepEqual(await deliveries('entadmin', other), []);
  assert.deepEqual(await deliveries('authadmin', authority), [], "the authority's webhook hears only of what its people do");

  // the chain verifies
  const v = cli(['verify', 'audit', '--data', s.data]);
  assert.equal(v.status, 0, v.stderr + v.stdout);

  // the next day: a new scan report (evidence) clears the stale scan; that is logged and tells
  // nobody, and the findings still standing tell nobody again
  const dayAt = (days) => new Date(Date.now() + days * DAY * 1000).toISOString().slice(0, 10);
  assert.ok(standing.some((f) => f.path === '/operations/vuln_scan/last_scan'), 'a stale-scan finding');
  const ev = await req('filer', 'POST', `/filings/${id}/evidence`, { body: { kind: 'vuln_scan', on_date: dayAt(214), material_id: 9 } });
  assert.equal(ev.status, 201, ev.text);
  const told = Object.fromEntries(await Promise.all(['filer', 'entadmin'].map(async (l) => [l, (await inboxOf(l, id)).length])));
  writeFileSync(clockFile, String(215 * DAY));
  for (const l of LOGINS) delete s.tokens[l];
  await loginAll(s, LOGINS);
  assert.match(tick(), /checked 1 record/);
  const now = (await req('filer', 'GET', `/filings/${id}/standing`)).body.items;
  assert.ok(!now.some((f) => f.path === '/operations/vuln_scan/last_scan'), 'the stale scan cleared');
  const log = (await req('filer', 'GET', `/filings/${id}/events`)).body.items;
  assert.ok(log.some((x) => x.action === 'standing.clear' && x.detail.path === '/operations/vuln_scan/last_scan'));
  for (const l of ['filer', 'entadmin']) assert.equal((await inboxOf(l, id)).length, told[l], `${l}: nothing new to tell`);
  assert.equal(cli(['verify', 'audit', '--data', s.data]).status, 0);
});
