// lifecycle.test.mjs — the whole story of a filing through the real server: draft, ETags, internal
// check (maker–checker), provider confirmation, review with rectification, filing number, public
// verification, change filing, cancellation; visibility per party; events and audit. And the other
// endings: rejected, withdrawn, revoked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';
import {
  API, DEMO, RECTIFICATION_ITEMS, act, actOk, changeBody, completeDraft, createOrg, createSystem, createUser, createFiling,
  driveTo, getFiling, loginAll, patchDocument, putDocument, referenceDoc, todayUTC, uscc, newSystem, assertReplyTag } from './story.mjs';

const DEMO_LOGINS = ['admin', 'filer', 'checker', 'entadmin', 'provider', 'provadmin', 'reviewer', 'authadmin'];

let s;
let me = {};          // login → GET /me
let systemId;
let outsider;         // a user of an unrelated enterprise
let provider2;        // another cloud provider (user provider2)

before(async () => {
  s = await Server.start();
  await loginAll(s, DEMO_LOGINS);
  const ent = await createOrg(s, { kind: 'enterprise', name: '无关示例有限公司', uscc: uscc('91310000MA1FL0001'), region: '310000' });
  provider2 = await createOrg(s, { kind: 'provider', name: '另一云服务有限公司', uscc: '91110108MA0000001D', region: '110108' });
  outsider = 'outsider';
  await Promise.all([
    createUser(s, ent.id, outsider, ['filer', 'checker', 'org_admin']),
    createUser(s, DEMO.enterprise, 'dual', ['filer', 'checker']),
    createUser(s, provider2.id, 'provider2', ['provider']),
  ]);
  await loginAll(s, [outsider, 'dual', 'provider2']);
  for (const l of [...DEMO_LOGINS, outsider, 'dual']) {
    const r = await s.req('GET', `${API}/me`, { token: s.tokens[l] });
    assert.equal(r.status, 200);
    me[l] = r.body;
  }
  assert.equal(me.filer.org.id, DEMO.enterprise);
  assert.equal(me.provider.org.id, DEMO.provider);
  assert.equal(me.reviewer.org.id, DEMO.authority);
  systemId = await createSystem(s, 'filer', '云帆智能客服平台');
});

after(async () => { await s?.stop(); });

const get = (login, path) => s.req('GET', `${API}${path}`, { token: s.tokens[login] });

describe('the whole story of one filing', () => {
  let id, changeId, number, etag0, etag1;
  const ref = referenceDoc();
  const newDescription = '面向社会公众提供在线咨询、工单受理和服务进度查询的智能客服平台（仅服务中国大陆用户，不含金融业务），支持网页、App和微信小程序三种渠道接入。';
  const newArchitecture = '系统采用微服务架构并新增灾备可用区：接入区部署负载均衡和Web应用防火墙，应用区运行容器化服务，数据区主备数据库跨可用区同步；运维经堡垒机访问，日志统一汇聚到安全审计平台。';

  test('the filer registers a system and opens a draft filing', async () => {
    const sys = await get('filer', `/systems/${systemId}`);
    assert.equal(sys.status, 200);
    assert.equal(sys.body.org_id, DEMO.enterprise);
    const r = await s.req('POST', `${API}/filings`, { token: s.tokens.filer, body: { system_id: systemId, kind: 'initial' } });
    assert.equal(r.status, 201, r.text);
    const f = r.body;
    id = f.id;
    assert.equal(f.state, 'draft');
    assert.equal(f.kind, 'initial');
    assert.equal(f.org_id, DEMO.enterprise);
    assert.equal(f.number, null);
    assert.equal(f.current_version, 0);
    // submit_for_check is the filer's, but not possible while the draft is incomplete: it says why
    assert.ok(!f.allowed_actions.includes('submit_for_check'), JSON.stringify(f.allowed_actions));
    const submit = f.actions.find((a) => a.action === 'submit_for_check');
    assert.equal(submit.possible, false);
    assert.equal(submit.reason.code, 'errors_remain');
    assert.ok(f.allowed_actions.includes('withdraw'));
    assert.ok(!f.allowed_actions.includes('approve_check'));
    assert.ok(f.findings.length > 0, 'a new draft is incomplete');
    assert.match(f.etag, /^".+"$/);
    assertReplyTag(r);
    etag0 = f.etag;
    // the checker of the same enterprise sees the draft but may not submit it
    const c = await getFiling(s, 'checker', id);
    assert.deepEqual(c.allowed_actions, []);
  });

  test('nobody outside the enterprise sees a draft', async () => {
    for (const l of ['provider', 'provadmin', 'reviewer', 'authadmin', outsider]) {
      const r = await get(l, `/filings/${id}`);
      assert.equal(r.status, 404, `${l} must not see a draft`);
      assert.equal(r.body.code, 'not_found');
    }
    assert.equal((await get('admin', `/filings/${id}`)).status, 200, 'the platform admin sees everything');
  });

  test('submit_for_check is refused while the document is incomplete', async () => {
    const r = await act(s, 'filer', id, 'submit_for_check');
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.code, 'incomplete');
    assert.ok(Array.isArray(r.body.findings) && r.body.findings.length > 0);
    for (const fd of r.body.findings) assert.match(fd.path, /^\//);
    assert.ok(r.body.findings.some((fd) => fd.path === '/provider/provider_org'), 'the missing provider is a finding');
    assert.equal((await getFiling(s, 'filer', id)).state, 'draft');
  });

  test('document edits need a current ETag', async () => {
    const none = await s.req('PUT', `${API}/filings/${id}/document`, { token: s.tokens.filer, body: ref });
    assert.equal(none.status, 428, none.text);
    assert.equal(none.body.code, 'if_match_required');

    const ok = await s.req('PUT', `${API}/filings/${id}/document`, { token: s.tokens.filer, body: ref, headers: { 'If-Match': etag0 } });
    assert.equal(ok.status, 200, ok.text);
    etag1 = ok.body.etag;
    assertReplyTag(ok);
    assert.notEqual(etag1, etag0);
    assert.deepEqual(ok.body.document, ref);
    assert.deepEqual(ok.body.findings.filter((f) => f.severity === 'error'), []);
    assert.equal(ok.body.provider_org_id, DEMO.provider);
    assert.ok(ok.body.allowed_actions.includes('submit_for_check'));

    const changed = structuredClone(ref);
    changed.system.description = '过时的编辑';
    const stale = await s.req('PUT', `${API}/filings/${id}/document`, { token: s.tokens.filer, body: changed, headers: { 'If-Match': etag0 } });
    assert.equal(stale.status, 412, stale.text);
    assert.equal(stale.body.code, 'stale_etag');
    assert.equal(stale.body.etag, etag1, 'the 412 names the current ETag');
    const now = await getFiling(s, 'filer', id);
    assert.deepEqual(now.document, ref, 'a refused edit changes nothing');
    assert.equal(now.etag, etag1);
  });

  test('submit_for_check freezes version 1; the filer cannot approve the check', async () => {
    const out = await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
    assert.equal(out.filing.current_version, 1);
    assert.equal(out.filing.authority_org_id, DEMO.authority, 'the region decides the authority');
    const v = await get('filer', `/filings/${id}/versions`);
    assert.equal(v.status, 200);
    assert.equal(v.body.items.length, 1);
    assert.equal(v.body.items[0].n, 1);
    const v1 = await get('filer', `/filings/${id}/versions/1`);
    assert.equal(v1.status, 200);
    assert.deepEqual(v1.body.document, ref);
    assert.equal((await get('filer', `/filings/${id}/versions/2`)).status, 404);

    // not editable while in check
    const e = await s.req('PUT', `${API}/filings/${id}/document`, { token: s.tokens.filer, body: ref, headers: { 'If-Match': etag1 } });
    assert.equal(e.status, 409, e.text);
    assert.equal(e.body.state, 'internal_check');

    // the filer holds no checker role: a role refusal, not the maker–checker rule
    const r = await act(s, 'filer', id, 'approve_check');
    assert.equal(r.status, 409, r.text);
    assert.equal(r.body.state, 'internal_check');
    assert.equal(r.body.action, 'approve_check');
    assert.equal(r.body.rule, undefined);
    assert.deepEqual(r.body.allowed_roles, ['checker']);
    // the provider still does not see it
    assert.equal((await get('provider', `/filings/${id}`)).status, 404);
  });

  test('the checker approves: provider confirmation, and the provider sees the filing', async () => {
    assert.equal((await get('provider', `/filings/${id}`)).status, 404, 'not before the check is approved');
    const out = await actOk(s, 'checker', id, 'approve_check', undefined, 'provider_confirmation');
    assert.equal(out.filing.provider_visible, true);
    const p = await get('provider', `/filings/${id}`);
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.body.allowed_actions.sort(), ['confirm_hosting', 'decline_hosting']);
    assert.equal((await get('provadmin', `/filings/${id}`)).status, 200);
    for (const l of ['reviewer', 'authadmin', outsider])
      assert.equal((await get(l, `/filings/${id}`)).status, 404, `${l} must not see it before submission`);
  });

  let firstDue, firstDueDay;
  test('the provider confirms hosting: submitted, with a due date, and the authority sees it', async () => {
    const out = await actOk(s, 'provider', id, 'confirm_hosting', undefined, 'submitted');
    const f = out.filing;
    firstDue = f.due_at;
    firstDueDay = todayUTC();
    assert.match(f.due_at, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(f.due_at > todayUTC(), `due ${f.due_at} is after today`);
    assert.ok(f.submitted_at, 'submitted_at is set');
    assert.equal(f.authority_visible, true);
    const r = await get('reviewer', `/filings/${id}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.allowed_actions, ['accept']);
    assert.equal((await get('authadmin', `/filings/${id}`)).status, 200);
    assert.equal((await get(outsider, `/filings/${id}`)).status, 404);
  });

  test('the reviewer accepts: under review, with the reviewer assigned', async () => {
    const out = await actOk(s, 'reviewer', id, 'accept', undefined, 'under_review');
    assert.equal(out.filing.reviewer_id, me.reviewer.id);
  });

  test('request_rectification needs items naming fields of the form', async () => {
    const bad = await act(s, 'reviewer', id, 'request_rectification', { items: [{ path: '/system/no_such_field', message: '不存在的字段' }] });
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.body.field, '/items/0/path');
    const none = await act(s, 'reviewer', id, 'request_rectification', {});
    assert.equal(none.status, 422, none.text);
    assert.equal(none.body.field, '/items');
    const empty = await act(s, 'reviewer', id, 'request_rectification', { items: [] });
    assert.equal(empty.status, 422, empty.text);
    assert.equal((await getFiling(s, 'filer', id)).state, 'under_review', 'refusals change nothing');

    const out = await actOk(s, 'reviewer', id, 'request_rectification', { items: RECTIFICATION_ITEMS, comment: '请补充说明' }, 'rectification');
    assert.equal(out.filing.paused, true, 'the review clock pauses');
  });

  test('rectification: items open, answered, the field changed by a merge patch', async () => {
    let r = await get('filer', `/filings/${id}/rectifications`);
    assert.equal(r.status, 200);
    assert.equal(r.body.items.length, 1);
    const notice = r.body.items[0];
    assert.equal(notice.version, 1);
    assert.equal(notice.open_items, 1);
    assert.equal(notice.items.length, 1);
    const item = notice.items[0];
    assert.equal(item.path, '/system/description');
    assert.equal(item.message, RECTIFICATION_ITEMS[0].message);
    assert.equal(item.open, true);
    assert.equal(item.field_changed, false);

    // the reviewer sees the notice too, but only a filer answers it
    assert.equal((await get('reviewer', `/filings/${id}/rectifications`)).status, 200);
    const path = `${API}/filings/${id}/rectifications/${notice.id}/items/${item.id}/answer`;
    const byReviewer = await s.req('POST', path, { token: s.tokens.reviewer, body: { answer: '代答' } });
    assert.equal(byReviewer.status, 403, byReviewer.text);
    const ans = await s.req('POST', path, { token: s.tokens.filer, body: { answer: '已补充服务对象和业务范围' } });
    assert.equal(ans.status, 200, ans.text);
    const answered = ans.body.items[0].items[0];
    assert.equal(answered.answer, '已补充服务对象和业务范围');
    assert.equal(answered.open, false);
    assert.equal(answered.answered_by, me.filer.id);
    assert.equal(ans.body.items[0].open_items, 0);

    const cur = await getFiling(s, 'filer', id);
    assert.ok(cur.allowed_actions.includes('submit_for_check'));
    const saved = await patchDocument(s, id, { system: { description: newDescription } }, cur.etag);
    assert.equal(saved.document.system.description, newDescription);
    const expected = structuredClone(ref);
    expected.system.description = newDescription;
    assert.deepEqual(saved.document, expected, 'a merge patch touches only what it names');
    assert.equal(saved.state, 'rectification');

    r = await get('filer', `/filings/${id}/rectifications`);
    assert.equal(r.body.items[0].items[0].field_changed, true);
  });

  test('resubmission: check, then straight back to review (provider section unchanged)', async () => {
    let out = await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
    assert.equal(out.filing.current_version, 2);
    assert.equal(out.filing.check_from, 'rectification');
    const r = await get('filer', `/filings/${id}/rectifications`);
    assert.ok(r.body.items[0].closed_at, 'the notice closes on resubmission');
    out = await actOk(s, 'checker', id, 'approve_check', undefined, 'under_review');
    assert.equal(out.filing.paused, false, 'the review clock runs again');
    assert.match(out.filing.due_at, /^\d{4}-\d{2}-\d{2}$/);
    // paused and resumed on the same day: the same working days remain, so the same due date
    if (todayUTC() === firstDueDay) assert.equal(out.filing.due_at, firstDue);

    const d = await get('reviewer', `/filings/${id}/diff?from=1&to=2`);
    assert.equal(d.status, 200, d.text);
    assert.deepEqual(d.body.changes, [{ path: '/system/description', op: 'replace', from: ref.system.description, to: newDescription }]);
  });

  test('approve: filed with a number; the public verification shows only the public facts', async () => {
    const out = await actOk(s, 'reviewer', id, 'approve', undefined, 'filed');
    number = out.filing.number;
    assert.match(number, /^110000-\d{4}-\d{6}$/);
    assert.equal(number.slice(7, 11), todayUTC().slice(0, 4));
    assert.equal(out.filing.record_version, 2);

    const pub = await s.req('GET', `${API}/public/filings/${encodeURIComponent(number)}`);
    assert.equal(pub.status, 200, pub.text);
    assert.deepEqual(Object.keys(pub.body).sort(),
      ['authority', 'certificate', 'filing_date', 'latest_version_date', 'number', 'state', 'subject_name', 'system_name',
        'verification']);
    // the signed certificate (issue 15): what it states is public by design, nothing of the document itself
    assert.deepEqual(Object.keys(pub.body.certificate.statement).sort(),
      ['audit', 'decided_at', 'document_sha256', 'event', 'filed_at', 'filing_id', 'filing_type', 'issued_at', 'key_id',
        'number', 'protection_level', 'record_version', 'seq', 'signer', 'state', 'subject', 'system', 'type']);
    assert.equal(pub.body.verification.signature_valid, true);
    assert.equal(pub.body.number, number);
    assert.equal(pub.body.state, 'filed');
    assert.equal(pub.body.subject_name, ref.subject.name);
    assert.equal(pub.body.system_name, ref.system.name);
    assert.equal(pub.body.authority, me.reviewer.org.name);
    assert.equal(pub.body.filing_date, todayUTC());
    assert.equal(pub.body.latest_version_date, todayUTC());

    const unknown = await s.req('GET', `${API}/public/filings/110000-1999-999999`);
    assert.equal(unknown.status, 404);
  });

  test('report_change opens a change filing while the record stays filed', async () => {
    const out = await actOk(s, 'filer', id, 'report_change', changeBody(), 'filed');
    const ch = out.change_filing;
    assert.ok(ch, 'the reply carries the change filing');
    changeId = ch.id;
    assert.notEqual(changeId, id);
    assert.equal(ch.kind, 'change');
    assert.equal(ch.parent_id, id);
    assert.equal(ch.state, 'draft');
    assert.equal(ch.record_number, number);
    assert.equal(ch.number, null);
    assert.equal((await getFiling(s, 'filer', id)).document.system.description, ch.document.system.description);
    assert.equal((await getFiling(s, 'filer', id)).state, 'filed');

    const again = await act(s, 'filer', id, 'report_change');
    assert.equal(again.status, 409, again.text);
    const cancel = await act(s, 'filer', id, 'cancel', { reason: '系统下线' });
    assert.equal(cancel.status, 409, 'no cancellation while a change is open');
    const onChange = await act(s, 'filer', changeId, 'report_change');
    assert.equal(onChange.status, 409, 'a change filing is not a record');
  });

  test('the change filing goes through check, provider confirmation and review', async () => {
    let ch = await getFiling(s, 'filer', changeId);
    ch = await patchDocument(s, changeId, { system: { architecture: newArchitecture } }, ch.etag);
    assert.equal(ch.document.system.architecture, newArchitecture);
    // the record is untouched by edits of its change
    assert.equal((await getFiling(s, 'filer', id)).document.system.architecture, ref.system.architecture);

    await actOk(s, 'filer', changeId, 'submit_for_check', undefined, 'internal_check');
    // the provider section is unchanged, but a change filing did not come from rectification
    await actOk(s, 'checker', changeId, 'approve_check', undefined, 'provider_confirmation');
    assert.equal((await get('provider', `/filings/${changeId}`)).status, 200);
    assert.equal((await get('reviewer', `/filings/${changeId}`)).status, 404);
    await actOk(s, 'provider', changeId, 'confirm_hosting', undefined, 'submitted');
    await actOk(s, 'reviewer', changeId, 'accept', undefined, 'under_review');
    const out = await actOk(s, 'reviewer', changeId, 'approve', undefined, 'filed');
    assert.equal(out.filing.number, null, 'a change filing gets no number of its own');
  });

  test('the record carries the changed document under the same number', async () => {
    const f = await getFiling(s, 'filer', id);
    assert.equal(f.state, 'filed');
    assert.equal(f.number, number);
    assert.equal(f.document.system.architecture, newArchitecture);
    assert.equal(f.document.system.description, newDescription);
    assert.equal(f.record_version, 3);
    const v = await get('filer', `/filings/${id}/versions`);
    assert.deepEqual(v.body.items.map((x) => x.n).sort(), [1, 2, 3]);
    const v3 = await get('filer', `/filings/${id}/versions/3`);
    assert.equal(v3.body.document.system.architecture, newArchitecture);
    const d = await get('filer', `/filings/${id}/diff?from=2&to=3`);
    assert.deepEqual(d.body.changes.map((c) => [c.path, c.op]), [['/system/architecture', 'replace']]);

    const pub = await s.req('GET', `${API}/public/filings/${encodeURIComponent(number)}`);
    assert.equal(pub.status, 200);
    assert.equal(pub.body.number, number);
    assert.equal(pub.body.state, 'filed');
  });

  test('once the change is filed, another change may be opened (and withdrawn)', async () => {
    const out = await actOk(s, 'filer', id, 'report_change', changeBody(), 'filed');
    const second = out.change_filing;
    assert.notEqual(second.id, changeId);
    assert.equal(second.parent_id, id);
    assert.equal(second.document.system.architecture, newArchitecture, 'it starts from the amended record');
    await actOk(s, 'filer', second.id, 'withdraw', undefined, 'withdrawn');
  });

  test('cancel needs a reason; then the record is cancelled publicly too', async () => {
    const noReason = await act(s, 'filer', id, 'cancel', {});
    assert.equal(noReason.status, 422, noReason.text);
    assert.equal(noReason.body.field, '/reason');
    assert.equal((await getFiling(s, 'filer', id)).state, 'filed');
    const out = await actOk(s, 'filer', id, 'cancel', { reason: '业务系统下线' }, 'cancelled');
    assert.ok(out.filing.decided_at);
    assert.deepEqual(out.filing.allowed_actions, []);
    const pub = await s.req('GET', `${API}/public/filings/${encodeURIComponent(number)}`);
    assert.equal(pub.status, 200);
    assert.equal(pub.body.state, 'cancelled');
    const again = await act(s, 'filer', id, 'cancel', { reason: '再次注销' });
    assert.equal(again.status, 409);
    assert.equal(again.body.state, 'cancelled');
  });

  test('the events of the filing list every transition in order', async () => {
    const r = await get('filer', `/filings/${id}/events`);
    assert.equal(r.status, 200, r.text);
    const events = [...r.body.items].sort((a, b) => a.id - b.id);
    assert.ok(events.every((e) => e.filing_id === id));
    assert.equal(events[0].action, 'filing.create');
    const transitions = events.filter((e) => e.detail && e.detail.from).map((e) => [e.action, e.detail.from, e.detail.to]);
    assert.deepEqual(transitions, [
      ['filing.submit_for_check', 'draft', 'internal_check'],
      ['filing.approve_check', 'internal_check', 'provider_confirmation'],
      ['filing.confirm_hosting', 'provider_confirmation', 'submitted'],
      ['filing.accept', 'submitted', 'under_review'],
      ['filing.request_rectification', 'under_review', 'rectification'],
      ['filing.submit_for_check', 'rectification', 'internal_check'],
      ['filing.approve_check', 'internal_check', 'under_review'],
      ['filing.approve', 'under_review', 'filed'],
      ['filing.report_change', 'filed', 'filed'],
      ['filing.report_change', 'filed', 'filed'],
      ['filing.cancel', 'filed', 'cancelled'],
    ]);
    const rect = events.find((e) => e.action === 'filing.request_rectification');
    assert.deepEqual(rect.detail.items, RECTIFICATION_ITEMS);
    assert.equal(events.find((e) => e.action === 'filing.cancel').detail.reason, '业务系统下线');
    const applied = events.find((e) => e.action === 'filing.change_applied');
    assert.ok(applied, 'the applied change is an event of the record');
    assert.equal(applied.detail.change_filing_id, changeId);
    const changes = events.filter((e) => e.action === 'filing.report_change');
    assert.equal(changes[0].detail.change_filing_id, changeId);
    assert.ok(applied.id > changes[0].id && applied.id < changes[1].id);
    assert.ok(applied.id < events.find((e) => e.action === 'filing.cancel').id);
    assert.equal(events.filter((e) => e.action === 'filing.document').length, 2, 'the PUT and the PATCH');
    assert.equal(events.find((e) => e.action === 'filing.accept').actor_user_id, me.reviewer.id);
    // the same events are visible to the authority, and to no outsider
    assert.equal((await get('reviewer', `/filings/${id}/events`)).status, 200);
    assert.equal((await get(outsider, `/filings/${id}/events`)).status, 404);
  });

  test('the audit log: the enterprise sees its entries, a foreign organisation none', async () => {
    const mine = await get('entadmin', `/audit?filing_id=${id}&limit=500`);
    assert.equal(mine.status, 200, mine.text);
    const actions = new Set(mine.body.items.map((e) => e.action));
    for (const a of ['filing.create', 'filing.document', 'filing.submit_for_check', 'filing.approve', 'filing.cancel', 'filing.accept'])
      assert.ok(actions.has(a), `the enterprise sees ${a}`);
    const foreign = await get(outsider, `/audit?filing_id=${id}&limit=500`);
    assert.equal(foreign.status, 200);
    assert.deepEqual(foreign.body.items, []);
    const all = await get(outsider, '/audit?limit=500');
    assert.equal(all.status, 200);
    assert.ok(all.body.items.length > 0, 'the outsider sees its own organisation\'s entries');
    assert.ok(all.body.items.every((e) => e.filing_id !== id && e.filing_id !== changeId && e.org_id !== DEMO.enterprise),
      'no entry of the demo enterprise leaks to a foreign organisation');
  });
});

test('maker–checker: who last edited cannot approve the check, even holding both roles', async () => {
  const ref = referenceDoc();
  const f = await createFiling(s, systemId);
  const saved = await putDocument(s, f.id, ref, f.etag);
  await actOk(s, 'filer', f.id, 'submit_for_check', undefined, 'internal_check');

  const noComment = await act(s, 'checker', f.id, 'return', {});
  assert.equal(noComment.status, 422, noComment.text);
  assert.equal(noComment.body.field, '/comment');
  const ret = await actOk(s, 'checker', f.id, 'return', { comment: '请补充上线日期说明' }, 'draft');
  assert.equal(ret.filing.current_version, 1);

  // the dual-role user edits and submits ...
  const edited = await patchDocument(s, f.id, { system: { go_live_date: '2026-04-01' } }, saved.etag, 'dual');
  assert.equal(edited.last_editor_id, me.dual.id);
  await actOk(s, 'dual', f.id, 'submit_for_check', undefined, 'internal_check');
  // ... and is refused the check by the maker–checker rule
  const self = await act(s, 'dual', f.id, 'approve_check');
  assert.equal(self.status, 409, self.text);
  assert.equal(self.body.rule, 'maker_checker');
  const cur = await getFiling(s, 'filer', f.id);
  assert.equal(cur.state, 'internal_check');
  assert.ok(!(await getFiling(s, 'dual', f.id)).allowed_actions.includes('approve_check'),
    'allowed_actions does not offer the refused check');
  assert.ok((await getFiling(s, 'checker', f.id)).allowed_actions.includes('approve_check'));
  // the other checker approves
  await actOk(s, 'checker', f.id, 'approve_check', undefined, 'provider_confirmation');
  const ev = await get('filer', `/filings/${f.id}/events`);
  const ret1 = ev.body.items.find((e) => e.action === 'filing.return');
  assert.equal(ret1.detail.comment, '请补充上线日期说明');
  assert.equal(ret1.detail.to, 'draft');
});

test('the other endings: rejected, withdrawn, revoked', async () => {
  // reject needs a reason
  const r1 = await completeDraft(s, await newSystem(s));
  await driveTo(s, r1, 'under_review');
  const noReason = await act(s, 'reviewer', r1, 'reject', {});
  assert.equal(noReason.status, 422, noReason.text);
  assert.equal((await getFiling(s, 'filer', r1)).state, 'under_review');
  const rej = await actOk(s, 'reviewer', r1, 'reject', { reason: '不符合备案条件' }, 'rejected');
  assert.equal(rej.filing.number, null);
  assert.ok(rej.filing.decided_at);
  assert.equal((await act(s, 'filer', r1, 'withdraw')).status, 409, 'a decided filing cannot be withdrawn');

  // withdraw from draft
  const w = await completeDraft(s, await newSystem(s));
  const wd = await actOk(s, 'filer', w, 'withdraw', undefined, 'withdrawn');
  assert.deepEqual(wd.filing.allowed_actions, []);
  const edit = await s.req('PUT', `${API}/filings/${w}/document`, { token: s.tokens.filer, body: referenceDoc(), headers: { 'If-Match': wd.filing.etag } });
  assert.equal(edit.status, 409, 'a withdrawn filing is not editable');

  // revoke: only the authority admin, with a reason
  const v = await completeDraft(s, await newSystem(s));
  const filed = await driveTo(s, v, 'filed');
  const byReviewer = await act(s, 'reviewer', v, 'revoke', { reason: '虚假材料' });
  assert.equal(byReviewer.status, 409, byReviewer.text);
  assert.equal(byReviewer.body.state, 'filed');
  assert.equal(byReviewer.body.action, 'revoke');
  assert.deepEqual(byReviewer.body.allowed_roles, ['authority_admin']);
  const noWhy = await act(s, 'authadmin', v, 'revoke', {});
  assert.equal(noWhy.status, 422);
  assert.equal((await getFiling(s, 'filer', v)).state, 'filed');
  await actOk(s, 'authadmin', v, 'revoke', { reason: '提供虚假材料' }, 'revoked');
  const pub = await s.req('GET', `${API}/public/filings/${encodeURIComponent(filed.number)}`);
  assert.equal(pub.status, 200);
  assert.equal(pub.body.state, 'revoked');
  assert.equal((await act(s, 'filer', v, 'report_change')).status, 409, 'a revoked record has no changes');
});

test('a provider sees a filing only from the moment it is asked to confirm it', async () => {
  const seen = async (login, id) => (await get(login, `/filings/${id}`)).status;
  const id = await completeDraft(s, await newSystem(s));
  await driveTo(s, id, 'provider_confirmation');
  const noReason = await act(s, 'provider', id, 'decline_hosting', {});
  assert.equal(noReason.status, 422, noReason.text);
  await actOk(s, 'provider', id, 'decline_hosting', { reason: '未签订云服务合同' }, 'draft');
  assert.equal(await seen('provider', id), 200, 'the declining provider keeps the filing it was asked about');

  // the enterprise names another provider in the draft: that one sees nothing yet, the first one
  // is no longer named
  let f = await getFiling(s, 'filer', id);
  f = await patchDocument(s, id, { provider: { provider_org: provider2.id } }, f.etag);
  assert.equal(f.provider_org_id, provider2.id);
  assert.equal(await seen('provider2', id), 404, 'a newly named provider does not see a draft');
  assert.equal(await seen('provider', id), 404);
  assert.equal((await act(s, 'provider2', id, 'confirm_hosting')).status, 404);
  await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
  assert.equal(await seen('provider2', id), 404, 'nor a filing in internal check');
  await actOk(s, 'checker', id, 'approve_check', undefined, 'provider_confirmation');
  assert.equal(await seen('provider2', id), 200);
  assert.equal((await act(s, 'provider', id, 'confirm_hosting')).status, 404, 'the first provider is out');
  await actOk(s, 'provider2', id, 'confirm_hosting', undefined, 'submitted');
  await actOk(s, 'reviewer', id, 'accept', undefined, 'under_review');
  await actOk(s, 'reviewer', id, 'request_rectification', { items: [{ path: '/provider/platform_name', message: '请核对云平台名称' }] }, 'rectification');

  // in rectification the enterprise names the first provider for a while, then goes back
  f = await getFiling(s, 'filer', id);
  f = await patchDocument(s, id, { provider: { provider_org: DEMO.provider } }, f.etag);
  assert.equal(await seen('provider', id), 404, 'named during rectification, not asked to confirm');
  assert.equal(await seen('provider2', id), 404);
  f = await patchDocument(s, id, { provider: { provider_org: provider2.id } }, f.etag);
  await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
  // the provider section is what provider2 confirmed: straight back to review, and provider2 sees it
  await actOk(s, 'checker', id, 'approve_check', undefined, 'under_review');
  assert.equal(await seen('provider2', id), 200, 'the confirming provider sees its filing again');
  assert.equal(await seen('provider', id), 404);
});

test('a record revoked while its change is open: the change cannot amend it', async () => {
  const id = await completeDraft(s, await newSystem(s));
  await driveTo(s, id, 'filed');
  const ch = (await actOk(s, 'filer', id, 'report_change', changeBody(), 'filed')).change_filing;
  let c = await getFiling(s, 'filer', ch.id);
  await patchDocument(s, ch.id, { system: { user_scale: 1200000 } }, c.etag);   // past a million: a major change
  await driveTo(s, ch.id, 'under_review');
  const before = await getFiling(s, 'filer', id);
  await actOk(s, 'authadmin', id, 'revoke', { reason: '提供虚假材料' }, 'revoked');

  const r = await act(s, 'reviewer', ch.id, 'approve');
  assert.equal(r.status, 409, r.text);
  assert.equal(r.body.record_state, 'revoked');
  const after = await getFiling(s, 'filer', id);
  assert.equal(after.state, 'revoked');
  assert.equal(after.revision, before.revision, 'the revoked record is not amended');
  assert.equal(after.document.system.user_scale, referenceDoc().system.user_scale);
  assert.equal((await get('filer', `/filings/${id}/versions`)).body.items.length, before.current_version);
  assert.equal((await getFiling(s, 'filer', ch.id)).state, 'under_review', 'the refused approval changed nothing');
  await actOk(s, 'reviewer', ch.id, 'reject', { reason: '原备案已撤销' }, 'rejected');
});
