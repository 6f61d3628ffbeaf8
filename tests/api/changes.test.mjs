// changes.test.mjs — change reports after the number (issue 13), through the real server: the
// pack's classification of a change filing against its record (major/minor with reasons, shown on
// every save); a minor change goes on the record as soon as the enterprise's checker approves it,
// the authority is told and may object within the pack's working days (then the record goes back
// and the change gets the full review), after which it is final; a major change gets the full
// re-review; a report past the pack's limit is late, with the reason, on the change filing and in
// the authority's list. Time moves with BEIAN_TEST_CLOCK_FILE.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from './lib.mjs';
import {
  API, act, actOk, completeDraft, dayFromToday, driveTo, getFiling, loginAll, newSystem, patchDocument, referenceDoc,
  todayUTC } from './story.mjs';

let s;
let clockDir, clockFile;

before(async () => {
  clockDir = mkdtempSync(join(tmpdir(), 'beian-clock-'));
  clockFile = join(clockDir, 'offset');
  writeFileSync(clockFile, '0');
  s = await Server.start({ env: { BEIAN_TEST_CLOCK_FILE: clockFile } });
  await loginAll(s, ['admin', 'filer', 'checker', 'provider', 'reviewer', 'authadmin']);
});

after(async () => {
  await s?.stop();
  if (clockDir) rmSync(clockDir, { recursive: true, force: true });
});

// The server's clock, moved by whole days (0: the real day).
// Move beian's clock; sessions live by the same clock, so the parties sign in again.
async function setClockDays(days) {
  writeFileSync(clockFile, String(days * 86400));
  for (const l of ['filer', 'checker', 'provider', 'reviewer']) delete s.tokens[l];
  await loginAll(s, ['filer', 'checker', 'provider', 'reviewer']);
}
const get = (login, path) => s.req('GET', `${API}${path}`, { token: s.tokens[login] });
const daysBetween = (a, b) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);
const codes = (reasons) => reasons.map((r) => r.code);

// A filed record of a system of its own.
async function filedRecord() {
  const id = await completeDraft(s, await newSystem(s));
  await driveTo(s, id, 'filed');
  return id;
}

// Report a change of the record that took effect on `effectiveOn` and edit it by `patch`;
// returns the change filing as the save answered it.
async function reportChange(recordId, patch, effectiveOn) {
  const out = await actOk(s, 'filer', recordId, 'report_change', { effective_on: effectiveOn }, 'filed');
  const ch = out.change_filing;
  assert.equal(ch.kind, 'change');
  assert.equal(ch.effective_on, effectiveOn);
  return patchDocument(s, ch.id, patch, ch.etag);
}

const NEW_CONTACT = { subject: { filing_contact: { name: '钱敏', phone: '010-65128899' } } };

// A minor contact change of a new record, recorded: returns {record, change} (the change filing).
async function recordedMinorChange(effectiveOn = dayFromToday(-5)) {
  const record = await filedRecord();
  const saved = await reportChange(record, NEW_CONTACT, effectiveOn);
  await actOk(s, 'filer', saved.id, 'submit_for_check', undefined, 'internal_check');
  const out = await actOk(s, 'checker', saved.id, 'approve_check', undefined, 'minor_recorded');
  return { record, change: out.filing };
}

test('report_change needs the day the change took effect', async () => {
  const record = await filedRecord();
  const none = await act(s, 'filer', record, 'report_change', {});
  assert.equal(none.status, 422, none.text);
  assert.equal(none.body.field, '/effective_on');
  const bad = await act(s, 'filer', record, 'report_change', { effective_on: '2026-02-30' });
  assert.equal(bad.status, 422, bad.text);
  assert.equal(bad.body.field, '/effective_on');
  const wf = await s.req('GET', `${API}/workflow`);
  const row = wf.body.transitions.find((r) => r.action === 'report_change');
  assert.deepEqual(row.needs, ['effective_on'], 'the table says what report_change needs');
  assert.ok(wf.body.states.includes('minor_recorded'));
  assert.equal((await getFiling(s, 'filer', record)).state, 'filed', 'refused reports change nothing');
});

test('every save of a change filing shows its classification with the reasons', async () => {
  const record = await filedRecord();
  const out = await actOk(s, 'filer', record, 'report_change', { effective_on: dayFromToday(10) }, 'filed');
  const opened = await getFiling(s, 'filer', out.change_filing.id);
  assert.equal(opened.derived.change.class, 'minor');
  assert.deepEqual(codes(opened.derived.change.reasons), ['no_change'], 'nothing changed yet');
  const minor = await patchDocument(s, opened.id, NEW_CONTACT, opened.etag);
  assert.equal(minor.change_class, 'minor');
  assert.deepEqual(codes(minor.derived.change.reasons), ['contacts']);
  const reason = minor.derived.change.reasons[0];
  assert.ok(reason.zh && reason.en, 'each reason in both languages');
  const major = await patchDocument(s, opened.id, { system: { user_scale: 1200000 } }, minor.etag);
  assert.equal(major.change_class, 'major');
  assert.deepEqual(codes(major.derived.change.reasons), ['user_scale']);
  assert.match(major.derived.change.reasons[0].en, /1200000/);
  assert.equal(major.late, false);
  await actOk(s, 'filer', opened.id, 'withdraw', undefined, 'withdrawn');
});

test('a minor change (contacts) goes on the record at once; the authority objects within the window: full review', async () => {
  const record = await filedRecord();
  const before = await getFiling(s, 'filer', record);
  const saved = await reportChange(record, NEW_CONTACT, dayFromToday(-5));
  assert.equal(saved.change_class, 'minor');
  assert.equal(saved.late, false);
  await actOk(s, 'filer', saved.id, 'submit_for_check', undefined, 'internal_check');
  // maker–checker still holds: the filer who edited it cannot approve its check
  const self = await act(s, 'filer', saved.id, 'approve_check');
  assert.equal(self.status, 409, self.text);
  const out = await actOk(s, 'checker', saved.id, 'approve_check', undefined, 'minor_recorded');
  const ch = out.filing;
  assert.equal(ch.reported_on, todayUTC());
  assert.ok(ch.objection_due > todayUTC(), `objection due ${ch.objection_due}`);
  assert.equal(ch.objection_open, true);
  assert.equal(ch.final, false);
  assert.equal(ch.record_number, before.number);

  // the record carries the change at once, under the same number
  const rec = await getFiling(s, 'filer', record);
  assert.equal(rec.state, 'filed');
  assert.equal(rec.number, before.number);
  assert.equal(rec.document.subject.filing_contact.name, '钱敏');
  const versions = (await get('filer', `/filings/${record}/versions`)).body.items;
  assert.equal(versions.at(-1).action, 'change_recorded');
  // and no other change may move it while the authority may still object
  const again = await act(s, 'filer', record, 'report_change', { effective_on: todayUTC() });
  assert.equal(again.status, 409, again.text);
  assert.equal(again.body.reason, 'change_in_objection_window');

  // the authority is told: it sees the change, its event and its place in the list; the provider is not asked
  const seen = await getFiling(s, 'reviewer', ch.id);
  assert.ok(seen.allowed_actions.includes('object'));
  const events = (await get('reviewer', `/filings/${ch.id}/events`)).body.items.map((e) => e.action);
  assert.ok(events.includes('filing.change_recorded'), `the authority reads the report: ${events}`);
  const list = (await get('reviewer', '/filings?state=minor_recorded')).body.items;
  const row = list.find((f) => f.id === ch.id);
  assert.ok(row, 'the recorded minor change is in the authority list');
  assert.equal(row.change_class, 'minor');
  assert.equal(row.late, false);
  assert.equal((await get('provider', `/filings/${ch.id}`)).status, 404);

  // an objection needs a reason and the reviewer; then the record goes back and the review starts
  assert.equal((await act(s, 'reviewer', ch.id, 'object', {})).status, 422);
  assert.equal((await act(s, 'filer', ch.id, 'object', { reason: '自己' })).status, 409);
  const objected = await actOk(s, 'reviewer', ch.id, 'object', { reason: '联系人变更需核实身份' }, 'under_review');
  assert.ok(objected.filing.objected_at);
  assert.ok(objected.filing.due_at, 'the review is due');
  const back = await getFiling(s, 'filer', record);
  assert.equal(back.document.subject.filing_contact.name, before.document.subject.filing_contact.name);
  assert.equal(back.number, before.number);
  const v2 = (await get('filer', `/filings/${record}/versions`)).body.items;
  assert.equal(v2.at(-1).action, 'change_objected');
  const d = await get('filer', `/filings/${record}/diff?from=${v2.length - 2}&to=${v2.length}`);
  assert.deepEqual(d.body.changes, [], 'the record is back to the version before the change');
  // the full review decides: approved, the record takes the change again
  await actOk(s, 'reviewer', ch.id, 'approve', undefined, 'filed');
  const final = await getFiling(s, 'filer', record);
  assert.equal(final.document.subject.filing_contact.name, '钱敏');
  const recEvents = (await get('filer', `/filings/${record}/events`)).body.items.map((e) => e.action);
  assert.deepEqual(recEvents.filter((a) => a.startsWith('filing.change_')),
    ['filing.change_applied', 'filing.change_reverted', 'filing.change_applied']);
});

test('a minor change nobody objects to is final once the window has passed', async () => {
  const { record, change } = await recordedMinorChange();
  const due = change.objection_due;
  try {
    // on the last day of the window the authority may still object
    await setClockDays(daysBetween(todayUTC(), due));
    let ch = await getFiling(s, 'reviewer', change.id);
    assert.equal(ch.objection_open, true);
    assert.ok(ch.allowed_actions.includes('object'));
    // the day after, it is final
    await setClockDays(daysBetween(todayUTC(), due) + 1);
    ch = await getFiling(s, 'reviewer', change.id);
    assert.equal(ch.state, 'minor_recorded');
    assert.equal(ch.objection_open, false);
    assert.equal(ch.final, true);
    assert.ok(!ch.allowed_actions.includes('object'));
    const why = ch.actions.find((a) => a.action === 'object');
    assert.equal(why.possible, false);
    assert.equal(why.reason.code, 'objection_window_closed');
    const late = await act(s, 'reviewer', change.id, 'object', { reason: '逾期异议' });
    assert.equal(late.status, 409, late.text);
    assert.equal(late.body.reason, 'objection_window_closed');
    // the record keeps the change and may change again
    const rec = await getFiling(s, 'filer', record);
    assert.equal(rec.document.subject.filing_contact.name, '钱敏');
    assert.ok(rec.allowed_actions.includes('report_change'));
  } finally {
    await setClockDays(0);
  }
});

test('a major change (the protection level) gets the full re-review', async () => {
  const record = await filedRecord();
  const before = await getFiling(s, 'filer', record);
  const saved = await reportChange(record, {
    grading: { business_info_harm: { object: 'nation', degree: 'serious' }, level: 4 }, provider: { platform_level: 4 },
  }, dayFromToday(30));
  assert.equal(saved.change_class, 'major');
  // the level, and the platform's level, which no group of the pack lists as minor
  assert.deepEqual(codes(saved.derived.change.reasons), ['level', 'other']);
  assert.match(saved.derived.change.reasons[0].en, /level 3 → 4/);
  assert.match(saved.derived.change.reasons[1].en, /\/provider\/platform_level/);
  assert.equal(saved.late, false);
  await actOk(s, 'filer', saved.id, 'submit_for_check', undefined, 'internal_check');
  await actOk(s, 'checker', saved.id, 'approve_check', undefined, 'provider_confirmation');
  assert.equal((await getFiling(s, 'filer', record)).document.grading.level, 3, 'the record waits for the decision');
  await actOk(s, 'provider', saved.id, 'confirm_hosting', undefined, 'submitted');
  await actOk(s, 'reviewer', saved.id, 'accept', undefined, 'under_review');
  assert.ok(!(await getFiling(s, 'reviewer', saved.id)).allowed_actions.includes('object'), 'nothing to object to');
  await actOk(s, 'reviewer', saved.id, 'approve', undefined, 'filed');
  const rec = await getFiling(s, 'filer', record);
  assert.equal(rec.document.grading.level, 4);
  assert.equal(rec.number, before.number);
});

test('late reports are flagged with the reason: a minor one 45 days after, a major one after it took effect', async () => {
  // minor: the contact changed 45 days ago (limit 30 days after)
  const { change } = await recordedMinorChange(dayFromToday(-45));
  assert.equal(change.late, true);
  assert.equal(change.late_reason.code, 'minor_late');
  assert.match(change.late_reason.en, /15 days late/);
  assert.ok(change.late_reason.zh);
  assert.equal(change.derived.change.report_by, dayFromToday(-15));

  // major: the user scale passed a million ten days ago (it must be reported before)
  const record = await filedRecord();
  const saved = await reportChange(record, { system: { user_scale: 1200000 } }, dayFromToday(-10));
  assert.equal(saved.change_class, 'major');
  assert.equal(saved.late, true, 'a draft shows whether it would be late if sent today');
  assert.equal(saved.late_reason.code, 'major_after_effect');
  await actOk(s, 'filer', saved.id, 'submit_for_check', undefined, 'internal_check');
  await actOk(s, 'checker', saved.id, 'approve_check', undefined, 'provider_confirmation');
  await actOk(s, 'provider', saved.id, 'confirm_hosting', undefined, 'submitted');

  // both in the authority's list, flagged with the reason
  const list = (await get('reviewer', '/filings?limit=200')).body.items;
  const minorRow = list.find((f) => f.id === change.id), majorRow = list.find((f) => f.id === saved.id);
  assert.equal(minorRow.late, true);
  assert.equal(minorRow.late_reason.code, 'minor_late');
  assert.equal(majorRow.late, true);
  assert.equal(majorRow.late_reason.code, 'major_after_effect');
  assert.equal(majorRow.effective_on, dayFromToday(-10));
  // an initial filing is no change report: no flag
  assert.equal(list.find((f) => f.kind === 'initial').late, undefined);

  // a report in time is not late
  const timely = await reportChange(await filedRecord(), NEW_CONTACT, dayFromToday(-30));
  assert.equal(timely.late, false, 'the 30th day after is in time');
  assert.equal(timely.late_reason, null);
  await actOk(s, 'filer', timely.id, 'withdraw', undefined, 'withdrawn');
});

test('the reference document stays what it was (the tests above copy it)', () => {
  assert.equal(referenceDoc().grading.level, 3);
});
