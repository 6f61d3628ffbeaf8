// truth.test.mjs — a filing tells the truth (issue 11): the subject is the filing organisation,
// jurisdiction follows it, every material named exists, is the enterprise's own and of a kind its
// field accepts and is pinned when a version freezes, a draft with a malformed field still saves,
// allowed_actions says why an action is not possible now, and contacts are checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, DEMO_MATERIALS } from './lib.mjs';
import {
  API, DEMO, loginAll, createFiling, putDocument, patchDocument, getFiling, referenceDoc, newSystem, completeDraft,
  driveTo, act, actOk, changeBody, foreignParties, errorsOf,
} from './story.mjs';

let s, foreign;

before(async () => {
  s = await Server.start();
  await loginAll(s, Object.keys(s.logins));
  foreign = await foreignParties(s);
  await loginAll(s, foreign.logins);
});

after(async () => { await s.stop(); });

const findingsAt = (f, rule, path) => f.findings.filter((x) => x.rule === rule && (!path || x.path === path));

test('A cannot file as B: the subject must be the filing organisation, on save and on submit', async () => {
  const f = await createFiling(s, await newSystem(s));
  // the new draft starts with the organisation's own record
  assert.equal(f.document.subject.name, '北京云帆数据科技有限公司');
  assert.equal(f.document.subject.uscc, '91110000600037341L');
  const doc = referenceDoc();
  doc.subject.name = foreign.enterprise.name;
  doc.subject.uscc = foreign.enterprise.uscc;
  const saved = await putDocument(s, f.id, doc, f.etag);
  const name = findingsAt(saved, 'RECORD-SUBJECT', '/subject/name');
  const code = findingsAt(saved, 'RECORD-SUBJECT', '/subject/uscc');
  assert.equal(name.length, 1, JSON.stringify(saved.findings));
  assert.equal(code.length, 1);
  assert.equal(name[0].severity, 'error');
  assert.match(name[0].message.zh, /北京云帆数据科技有限公司/);
  assert.match(code[0].message.en, /91110000600037341L/);
  // lists and the filing itself show the organisation's name, not the document's
  assert.equal(saved.subject_name, '北京云帆数据科技有限公司');
  const list = await s.req('GET', `${API}/filings?limit=200`, { token: s.tokens.filer });
  assert.equal(list.body.items.find((x) => x.id === f.id).subject_name, '北京云帆数据科技有限公司');
  // submission is refused while the subject is another organisation
  const r = await act(s, 'filer', f.id, 'submit_for_check');
  assert.equal(r.status, 422, r.text);
  assert.ok(r.body.findings.some((x) => x.rule === 'RECORD-SUBJECT'));
  // B never sees the filing made in its name
  const asB = await s.req('GET', `${API}/filings/${f.id}`, { token: s.tokens.filer2 });
  assert.equal(asB.status, 404);
});

test('the public record and lists name the organisation and the system from their records', async () => {
  const systemId = await newSystem(s);
  const id = await completeDraft(s, systemId);
  const cur = await getFiling(s, 'filer', id);
  // the document's free-text system name differs from the registered system
  await patchDocument(s, id, { system: { name: '随便写的名字' } }, cur.etag);
  const filed = await driveTo(s, id, 'filed');
  const pub = await s.req('GET', `${API}/public/filings/${encodeURIComponent(filed.number)}`);
  assert.equal(pub.status, 200, pub.text);
  assert.equal(pub.body.subject_name, '北京云帆数据科技有限公司');
  const sys = await s.req('GET', `${API}/systems/${systemId}`, { token: s.tokens.filer });
  assert.equal(pub.body.system_name, sys.body.name);
  assert.notEqual(pub.body.system_name, '随便写的名字');
});

test('material fields: a missing, a foreign and a wrong-kind material are errors at their fields', async () => {
  // a material of the foreign enterprise
  const up = await s.req('POST', `${API}/materials?kind=data_flow_diagram&title=foreign&filename=f.txt`,
    { token: s.tokens.filer2, raw: 'foreign flow\n', contentType: 'text/plain; charset=utf-8' });
  assert.equal(up.status, 201, up.text);
  const f = await createFiling(s, await newSystem(s));
  const doc = referenceDoc();
  doc.system.architecture_diagram = 999999;                       // does not exist
  doc.system.data_flow_diagram = up.body.id;                        // another organisation's
  doc.agreement.agreement_document = DEMO_MATERIALS.business_licence; // a licence where the contract goes
  doc.compliance.industry_materials = [DEMO_MATERIALS.architecture_diagram]; // a diagram among the other materials
  const saved = await putDocument(s, f.id, doc, f.etag);
  for (const path of ['/system/architecture_diagram', '/system/data_flow_diagram', '/agreement/agreement_document',
    '/compliance/industry_materials/0']) {
    const at = findingsAt(saved, 'RECORD-MATERIAL', path);
    assert.equal(at.length, 1, `a RECORD-MATERIAL finding at ${path}: ${JSON.stringify(saved.findings)}`);
    assert.equal(at[0].severity, 'error');
  }
  // a foreign material reads like a missing one: its existence is not the filer's to learn
  assert.match(findingsAt(saved, 'RECORD-MATERIAL', '/system/data_flow_diagram')[0].message.en, /has no material/);
  assert.match(findingsAt(saved, 'RECORD-MATERIAL', '/agreement/agreement_document')[0].message.en, /business_licence.*accepts service_agreement/);
  assert.equal((await act(s, 'filer', f.id, 'submit_for_check')).status, 422);
});

test("the records' findings follow the records between two saves of the same filing (issue 19: they are kept)", async () => {
  // a material named before it is uploaded: missing; uploaded, the next save of the same draft
  // (another field changed) finds it — the findings kept from the first save are not reused
  const f = await createFiling(s, await newSystem(s));
  const doc = referenceDoc();
  const upload = () => s.req('POST', `${API}/materials?kind=architecture_diagram&title=arch&filename=a.txt`,
    { token: s.tokens.filer, raw: 'diagram\n', contentType: 'text/plain; charset=utf-8' });
  const probe = await upload();
  assert.equal(probe.status, 201, probe.text);
  const next = probe.body.id + 1;   // the id the next upload gets
  doc.system.architecture_diagram = next;
  let saved = await putDocument(s, f.id, doc, f.etag);
  assert.equal(findingsAt(saved, 'RECORD-MATERIAL', '/system/architecture_diagram').length, 1, JSON.stringify(saved.findings));
  doc.system.description = `${doc.system.description} (1)`;
  saved = await putDocument(s, f.id, doc, saved.etag);   // kept: still missing
  assert.equal(findingsAt(saved, 'RECORD-MATERIAL', '/system/architecture_diagram').length, 1);
  const up = await upload();
  assert.equal(up.status, 201, up.text);
  assert.equal(up.body.id, next);
  doc.system.description = `${doc.system.description} (2)`;
  saved = await putDocument(s, f.id, doc, saved.etag);
  assert.deepEqual(findingsAt(saved, 'RECORD-MATERIAL', '/system/architecture_diagram'), [], JSON.stringify(saved.findings));
  // the organisation's record corrected by the platform: the subject no longer agrees on the next save
  const org = (await s.req('GET', `${API}/orgs/${DEMO.enterprise}`, { token: s.tokens.admin })).body;
  const renamed = await s.req('PATCH', `${API}/orgs/${DEMO.enterprise}`, { token: s.tokens.admin, body: { name: `${org.name}（更名）` } });
  assert.equal(renamed.status, 200, renamed.text);
  try {
    doc.system.description = `${doc.system.description} (3)`;
    saved = await putDocument(s, f.id, doc, saved.etag);
    assert.equal(findingsAt(saved, 'RECORD-SUBJECT', '/subject/name').length, 1, JSON.stringify(saved.findings));
  } finally {
    const back = await s.req('PATCH', `${API}/orgs/${DEMO.enterprise}`, { token: s.tokens.admin, body: { name: org.name } });
    assert.equal(back.status, 200, back.text);
  }
  doc.system.description = `${doc.system.description} (4)`;
  saved = await putDocument(s, f.id, doc, saved.etag);
  assert.deepEqual(findingsAt(saved, 'RECORD-SUBJECT'), []);
});

test('every frozen version pins every material it names, with version and hash', async () => {
  const id = await completeDraft(s, await newSystem(s));
  await actOk(s, 'filer', id, 'submit_for_check', undefined, 'internal_check');
  const r = await s.req('GET', `${API}/filings/${id}/versions/1/materials`, { token: s.tokens.filer });
  assert.equal(r.status, 200, r.text);
  const doc = referenceDoc();
  const named = [doc.system.architecture_diagram, doc.system.data_flow_diagram, doc.agreement.agreement_document,
    doc.emergency.plan_document, doc.subject.business_licence, doc.system.change_description, doc.grading.grading_report,
    doc.grading.expert_review.opinion, doc.compliance.risk_assessment_report, doc.compliance.cross_border.document,
    doc.operations.vuln_scan.report, doc.data_security.pia_report, doc.compliance.compliance_statement, ...doc.compliance.industry_materials].sort((a, b) => a - b);
  assert.deepEqual(r.body.items.map((p) => p.material_id).sort((a, b) => a - b), named);
  for (const p of r.body.items) {
    assert.equal(p.material_version, 1);
    assert.match(p.sha256, /^[0-9a-f]{64}$/);
  }
});

test('jurisdiction follows the organisation: a region outside it is an error; the authority is the registered one', async () => {
  // the demo enterprise is registered in Beijing (110105): a Xiamen district code is refused …
  const f = await createFiling(s, await newSystem(s));
  const doc = referenceDoc();
  doc.subject.region_code = '350203';
  const saved = await putDocument(s, f.id, doc, f.etag);
  const at = findingsAt(saved, 'RECORD-JURISDICTION', '/subject/region_code');
  assert.equal(at.length, 1, JSON.stringify(saved.findings));
  assert.match(at[0].message.zh, /350203/);
  assert.equal((await act(s, 'filer', f.id, 'submit_for_check')).status, 422);
  // … another district of Beijing is inside the jurisdiction, and Beijing's authority reviews it
  const ok = await patchDocument(s, f.id, { subject: { region_code: '110108' } }, saved.etag);
  assert.deepEqual(errorsOf(ok.findings), []);
  const submitted = await actOk(s, 'filer', f.id, 'submit_for_check', undefined, 'internal_check');
  assert.equal(submitted.filing.authority_org_id, DEMO.authority);
  // the foreign enterprise (Shenzhen, 440300) naming a Beijing district: an error at the field
  const sys2 = (await s.req('POST', `${API}/systems`, { token: s.tokens.filer2, body: { name: '深圳系统' } })).body.id;
  const f2 = (await s.req('POST', `${API}/filings`, { token: s.tokens.filer2, body: { system_id: sys2 } })).body;
  const r = await s.req('PATCH', `${API}/filings/${f2.id}/document`, {
    token: s.tokens.filer2, body: { subject: { region_code: '110105' } }, contentType: 'application/merge-patch+json', headers: { 'If-Match': f2.etag },
  });
  assert.equal(r.status, 200, r.text);
  const j = findingsAt(r.body, 'RECORD-JURISDICTION', '/subject/region_code');
  assert.equal(j.length, 1);
  assert.match(j[0].message.zh, /广东省业务系统上云备案管理部门/);
});

test('a draft always saves: a malformed field is a finding at that field, in words, and nothing typed is lost', async () => {
  const f = await createFiling(s, await newSystem(s));
  const doc = referenceDoc();
  doc.provider.data_centers[0].country = '中国';
  doc.provider.platform_filing_number = '1101051300';
  doc.system.description = '在格式错误的字段之后填写的内容也必须保存下来，刷新之后仍然在这里。';
  doc.emergency.rto_minutes = 'sixty';
  const saved = await putDocument(s, f.id, doc, f.etag);
  const country = findingsAt(saved, 'FORM-PATTERN', '/provider/data_centers/0/country');
  assert.equal(country.length, 1, JSON.stringify(saved.findings));
  assert.match(country[0].message.zh, /中国/);
  assert.match(country[0].message.en, /CN/);
  assert.doesNotMatch(country[0].message.en, /\[A-Z\]/, 'the message says it in words, not as a regular expression');
  assert.equal(findingsAt(saved, 'FORM-PATTERN', '/provider/platform_filing_number').length, 1);
  assert.equal(findingsAt(saved, 'FORM-TYPE', '/emergency/rto_minutes').length, 1);
  // the rules ran on the rest: no rule failed because of the malformed values
  assert.deepEqual(saved.findings.filter((x) => x.rule_failed), []);
  const back = await getFiling(s, 'filer', f.id);
  assert.equal(back.document.provider.data_centers[0].country, '中国');
  assert.equal(back.document.emergency.rto_minutes, 'sixty');
  assert.equal(back.document.system.description, doc.system.description);
  // a merge patch with a malformed value saves too
  const p = await patchDocument(s, f.id, { subject: { filing_contact: { email: 'notanemail' } } }, back.etag);
  assert.equal(p.document.subject.filing_contact.email, 'notanemail');
  // only what is not a JSON object is refused
  const notObject = await s.req('PUT', `${API}/filings/${f.id}/document`, { token: s.tokens.filer, body: [1, 2], headers: { 'If-Match': p.etag } });
  assert.equal(notObject.status, 422);
  const notJson = await s.req('PUT', `${API}/filings/${f.id}/document`, { token: s.tokens.filer, raw: '{"subject":', contentType: 'application/json', headers: { 'If-Match': p.etag } });
  assert.equal(notJson.status, 400);
  assert.equal((await act(s, 'filer', f.id, 'submit_for_check')).status, 422, 'submission stays refused while errors remain');
});

test('contacts: a phone "abc" and an e-mail "notanemail" are findings with rule ids', async () => {
  const f = await createFiling(s, await newSystem(s));
  const doc = referenceDoc();
  doc.subject.filing_contact.phone = 'abc';
  doc.subject.filing_contact.email = 'notanemail';
  doc.emergency.team[0].phone = '1390123456';
  const saved = await putDocument(s, f.id, doc, f.etag);
  assert.equal(findingsAt(saved, 'SUBJ-004', '/subject/filing_contact/phone').length, 1, JSON.stringify(saved.findings));
  assert.equal(findingsAt(saved, 'SUBJ-004', '/emergency/team/0/phone').length, 1);
  assert.equal(findingsAt(saved, 'SUBJ-005', '/subject/filing_contact/email').length, 1);
  const good = await patchDocument(s, f.id, {
    subject: { filing_contact: { phone: '+86 139 0123 4567', email: 'beian+2026@yunfan-data.example.cn' } },
    emergency: { team: doc.emergency.team.map((m, i) => (i === 0 ? { ...m, phone: '010-65128800转8012' } : m)) },
  }, saved.etag);
  assert.deepEqual(errorsOf(good.findings), []);
});

test('allowed_actions tells the truth: actions not possible now come with a reason', async () => {
  // a draft with errors: submit_for_check is the filer's, but not possible; withdraw is
  const f = await createFiling(s, await newSystem(s));
  const draft = await getFiling(s, 'filer', f.id);
  assert.ok(!draft.allowed_actions.includes('submit_for_check'));
  const submit = draft.actions.find((a) => a.action === 'submit_for_check');
  assert.equal(submit.possible, false);
  assert.equal(submit.reason.code, 'errors_remain');
  assert.match(submit.reason.zh, /\d+ 项/);
  assert.match(submit.reason.en, /\d+ item/);
  assert.ok(draft.actions.some((a) => a.action === 'withdraw' && a.possible));
  // other parties have no actions on it at all
  // a filed record with a change open: report_change is not possible, and says why
  const id = await completeDraft(s, await newSystem(s));
  await driveTo(s, id, 'filed');
  const rec = await getFiling(s, 'filer', id);
  assert.ok(rec.allowed_actions.includes('report_change'));
  await actOk(s, 'filer', id, 'report_change', changeBody());
  const after = await getFiling(s, 'filer', id);
  assert.ok(!after.allowed_actions.includes('report_change'));
  const rc = after.actions.find((a) => a.action === 'report_change');
  assert.deepEqual([rc.possible, rc.reason.code], [false, 'change_open']);
  // every action listed as possible is one the server then takes (cancel on a record with an open change
  // is listed truthfully too): the listed reason matches the refusal
  const refused = await act(s, 'filer', id, 'report_change');
  assert.equal(refused.status, 409);
  assert.equal(refused.body.reason, 'change_open');
  // a complete draft: submit_for_check is possible and succeeds
  const ready = await getFiling(s, 'filer', await completeDraft(s, await newSystem(s)));
  assert.ok(ready.allowed_actions.includes('submit_for_check'));
  assert.equal(ready.actions.find((a) => a.action === 'submit_for_check').possible, true);
  await actOk(s, 'filer', ready.id, 'submit_for_check', undefined, 'internal_check');
});

test('the record is the platform administrator\'s to correct, audited; drafts in the old name then say so', async () => {
  const org = foreign.enterprise;
  // filer2's draft in the organisation's name as registered
  const sys = (await s.req('POST', `${API}/systems`, { token: s.tokens.filer2, body: { name: '更名测试系统' } })).body.id;
  const f = (await s.req('POST', `${API}/filings`, { token: s.tokens.filer2, body: { system_id: sys } })).body;
  assert.equal(f.document.subject.name, org.name);
  assert.equal(f.subject_name, org.name);
  // nobody but the platform administrator corrects it
  const patch = (login, body) => s.req('PATCH', `${API}/orgs/${org.id}`, { token: s.tokens[login], body });
  assert.equal((await patch('filer2', { name: '自己改的名字' })).status, 403);
  assert.equal((await patch('filer', { name: '别人改的名字' })).status, 404, 'another enterprise does not even see it');
  assert.equal((await patch('admin', {})).status, 422);
  assert.equal((await patch('admin', { uscc: '91440300MA5000002X' })).status, 422, 'a code that fails GB 32100');
  assert.equal((await patch('admin', { region: '999999' })).status, 422);
  assert.equal((await patch('admin', { uscc: '91110000600037341L' })).status, 409, 'the USCC of another organisation');
  const renamed = await patch('admin', { name: '深圳示例网络科技有限公司' });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.body.name, '深圳示例网络科技有限公司');
  // lists follow at once; the draft in the old name gets a finding on its next save
  const list = await s.req('GET', `${API}/filings?limit=200`, { token: s.tokens.filer2 });
  assert.equal(list.body.items.find((x) => x.id === f.id).subject_name, '深圳示例网络科技有限公司');
  const saved = await s.req('PATCH', `${API}/filings/${f.id}/document`, {
    token: s.tokens.filer2, body: { subject: { address: '深圳市南山区' } }, contentType: 'application/merge-patch+json', headers: { 'If-Match': f.etag },
  });
  assert.equal(saved.status, 200, saved.text);
  assert.ok(saved.body.findings.some((x) => x.rule === 'RECORD-SUBJECT' && x.path === '/subject/name'));
  // the audit log keeps before and after
  const audit = await s.req('GET', `${API}/audit?limit=500`, { token: s.tokens.admin });
  const entry = audit.body.items.find((x) => x.action === 'org.update' && x.object_id === org.id);
  assert.ok(entry, 'an org.update entry');
  assert.equal(entry.detail.before.name, org.name);
  assert.equal(entry.detail.after.name, '深圳示例网络科技有限公司');
});

test('a USCC failing only its check character is registered only as the licence bears it, said explicitly', async () => {
  const body = { kind: 'enterprise', name: '校验码登记测试有限公司', uscc: '91110000600037342M', region: '110105' };
  const plain = await s.req('POST', `${API}/orgs`, { token: s.tokens.admin, body });
  assert.equal(plain.status, 422, plain.text);
  assert.match(plain.body.detail_en, /uscc_as_on_licence/);
  const wrongLength = await s.req('POST', `${API}/orgs`, { token: s.tokens.admin, body: { ...body, uscc: '9111000060003734', uscc_as_on_licence: true } });
  assert.equal(wrongLength.status, 422, 'only the check character may fail');
  const ok = await s.req('POST', `${API}/orgs`, { token: s.tokens.admin, body: { ...body, uscc_as_on_licence: true } });
  assert.equal(ok.status, 201, ok.text);
});
