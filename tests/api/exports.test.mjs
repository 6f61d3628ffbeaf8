// exports.test.mjs — the register as CSV and XLSX (issue 17): parsed here (CSV) and opened with a
// real XLSX reader (Debian's python3-openpyxl), with Chinese (or English) headers and the state,
// filing type and region in words; formula injection defused; the list's filters and scope (another
// authority or enterprise exports nothing of the demo enterprise's); large registers in pages; one
// filing's full record as a JSON bundle; the statistics (counts, months, review turnaround in the
// pack's working days, what is overdue) checked against the lists they summarise, with the clock
// moved through the test clock file; and `beian export` from the command line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, cli } from './lib.mjs';
import {
  API, actOk, completeDraft, createFiling, createSystem, driveTo, foreignParties, loginAll, newSystem, referenceDoc,
} from './story.mjs';

const DAY = 86400;
const CALENDAR = JSON.parse(readFileSync(new URL('../../policy/cn-cloud/calendar.json', import.meta.url), 'utf8'));
const DEADLINES = JSON.parse(readFileSync(new URL('../../policy/cn-cloud/deadlines.json', import.meta.url), 'utf8'));
let s, tmp, clockFile;
const f = {};   // the filings of the story: id by name

function setClock(days) { writeFileSync(clockFile, String(days * DAY)); }
const dayAt = (days) => new Date(Date.now() + days * DAY * 1000).toISOString().slice(0, 10);

// Working days in (from, to] by the pack's calendar (weekends rest unless made up, holidays rest).
function workingDaysBetween(from, to) {
  let n = 0;
  for (let t = Date.parse(from) + DAY * 1000; t <= Date.parse(to); t += DAY * 1000) {
    const day = new Date(t).toISOString().slice(0, 10);
    const year = CALENDAR[day.slice(0, 4)] || {};
    const weekend = [0, 6].includes(new Date(t).getUTCDay());
    if ((year.workdays || []).includes(day) || (!weekend && !(year.holidays || []).includes(day))) n++;
  }
  return n;
}
// PERCENTILE.INC to one decimal.
function percentile(sorted, p) {
  const rank = p * (sorted.length - 1), lo = Math.floor(rank), hi = Math.min(lo + 1, sorted.length - 1);
  return Math.round((sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo])) * 10) / 10;
}

// RFC 4180: fields separated by commas, quoted with doubled quotes, records ended by CRLF.
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false, i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 2; continue; }
    assert.notEqual(c, '\n', 'records end with CRLF');
    field += c; i++;
  }
  assert.equal(field, '', 'the last record ends with CRLF');
  return rows;
}

// The rows of the first sheet of an XLSX file, through openpyxl (Debian's python3, not a pyenv one).
function readXlsx(path) {
  const py = 'import json,sys,openpyxl\nws=openpyxl.load_workbook(sys.argv[1]).active\n'
    + 'print(json.dumps([[c.value for c in r] for r in ws.iter_rows()], ensure_ascii=False))';
  const r = spawnSync('/usr/bin/python3', ['-c', py, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function download(login, path) {
  const r = await fetch(s.base + API + path, { headers: { Authorization: `Bearer ${s.tokens[login]}` } });
  return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
}
async function csvAs(login, query = '') {
  const r = await download(login, `/exports/register.csv${query}`);
  assert.equal(r.status, 200, r.bytes.toString());
  assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="register-\d{4}-\d\d-\d\d\.csv"$/);
  assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a byte order mark');
  return parseCsv(r.bytes.subarray(3).toString('utf8'));
}
async function xlsxAs(login, query = '') {
  const r = await download(login, `/exports/register.xlsx${query}`);
  assert.equal(r.status, 200, r.bytes.toString());
  assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const file = join(tmp, `register-${login}-${Date.now()}.xlsx`);
  writeFileSync(file, r.bytes);
  return readXlsx(file);
}
const get = (login, path) => s.req('GET', API + path, { token: s.tokens[login] });
const column = (rows, header) => { const i = rows[0].indexOf(header); assert.ok(i >= 0, `column ${header}`); return rows.slice(1).map((r) => r[i]); };
const relogin = () => {
  const who = ['filer', 'checker', 'provider', 'reviewer', 'admin', 'filer2', 'reviewer2', 'provider2'];
  for (const l of who) delete s.tokens[l];
  return loginAll(s, who);
};

// The story: on day 0 a record filed (Dongcheng), one under review that is approved on day 30, one
// rejected on day 45, one left submitted (its review falls overdue), a draft with a system whose
// name would be a formula; the clock then stands at day 200 (the first record's self-inspection,
// due six months after approval, is overdue; the second's, filed on day 30, not yet).
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'beian-exports-'));
  clockFile = join(tmp, 'clock');
  setClock(0);
  s = await Server.start({ env: { BEIAN_TEST_CLOCK_FILE: clockFile } });
  await loginAll(s, Object.keys(s.logins));
  await loginAll(s, (await foreignParties(s)).logins);
  const inDongcheng = referenceDoc();
  inDongcheng.subject.region_code = '110101';
  f.filed = await completeDraft(s, await newSystem(s), { doc: inDongcheng });
  f.approved = await completeDraft(s, await newSystem(s));
  f.rejected = await completeDraft(s, await newSystem(s));
  f.submitted = await completeDraft(s, await newSystem(s));
  f.draft = (await createFiling(s, await createSystem(s, 'filer', '=HYPERLINK("http://x.example","点我")'))).id;
  await driveTo(s, f.filed, 'filed');
  await driveTo(s, f.approved, 'under_review');
  await driveTo(s, f.rejected, 'under_review');
  await driveTo(s, f.submitted, 'submitted');
  setClock(30);
  await relogin();
  await actOk(s, 'reviewer', f.approved, 'approve', undefined, 'filed');
  setClock(45);
  await relogin();
  await actOk(s, 'reviewer', f.rejected, 'reject', { reason: '材料不全' }, 'rejected');
  setClock(200);
  await relogin();
});

after(async () => {
  await s?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const HEADERS_ZH = ['序号', '备案编号', '备案类别', '备案主体', '统一社会信用代码', '业务系统', '备案类型', '安全保护等级', '状态',
  '所在地区', '行政区划代码', '云服务商', '备案管理部门', '提交日期', '审查期限', '备案日期', '变更类别', '更新日期'];

test('the authority exports its register as CSV: Chinese headers, names in words, one row per filing it sees', async () => {
  const rows = await csvAs('reviewer');
  assert.deepEqual(rows[0], HEADERS_ZH);
  const ids = column(rows, '序号').map(Number);
  assert.deepEqual(ids, [f.filed, f.approved, f.rejected, f.submitted], 'the submitted filings in id order, not the draft');
  const list = (await get('reviewer', '/filings?limit=200')).body.items;
  assert.equal(rows.length - 1, list.length, 'as many rows as the list has filings');
  const byId = Object.fromEntries(rows.slice(1).map((r) => [Number(r[0]), Object.fromEntries(HEADERS_ZH.map((h, i) => [h, r[i]]))]));
  const filed = (await get('reviewer', `/filings/${f.filed}`)).body;
  assert.equal(byId[f.filed]['备案编号'], filed.number);
  assert.equal(byId[f.filed]['状态'], '已备案');
  assert.equal(byId[f.rejected]['状态'], '不予备案');
  assert.equal(byId[f.submitted]['状态'], '已提交');
  assert.equal(byId[f.filed]['备案类型'], DEADLINES.filing_types[filed.type].zh, 'the filing type in words, from the pack');
  assert.equal(byId[f.filed]['所在地区'], '北京市东城区');
  assert.equal(byId[f.filed]['行政区划代码'], '110101');
  assert.equal(byId[f.approved]['所在地区'], '北京市朝阳区');
  assert.equal(byId[f.filed]['备案主体'], '北京云帆数据科技有限公司');
  assert.equal(byId[f.filed]['统一社会信用代码'], filed.document.subject.uscc);
  assert.equal(byId[f.filed]['备案类别'], '首次备案');
  assert.equal(byId[f.filed]['备案日期'], dayAt(0));
  assert.equal(byId[f.approved]['备案日期'], dayAt(30));
  assert.equal(byId[f.filed]['安全保护等级'], String(filed.level));
  assert.match(byId[f.filed]['备案管理部门'], /\S/);
  assert.match(byId[f.filed]['云服务商'], /\S/);
});

test('the CSV takes the list\'s filters, and refuses a bad one naming the parameter', async () => {
  assert.deepEqual(column(await csvAs('reviewer', '?state=filed'), '序号').map(Number), [f.filed, f.approved]);
  assert.deepEqual(column(await csvAs('reviewer', '?region=110101'), '序号').map(Number), [f.filed]);
  assert.deepEqual(column(await csvAs('reviewer', '?region=110000&state=rejected'), '序号').map(Number), [f.rejected]);
  assert.deepEqual(column(await csvAs('reviewer', `?q=${encodeURIComponent('云帆')}&kind=initial`), '序号').length, 4);
  assert.deepEqual(column(await csvAs('reviewer', '?kind=change'), '序号'), []);
  for (const [q, param] of [['state=nope', 'state'], ['region=11', 'region'], ['kind=other', 'kind'], ['lang=fr', 'lang'], ['system_id=x', 'system_id']]) {
    const r = await get('reviewer', `/exports/register.csv?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.field, param, `${q} names ${param}`);
  }
});

test('the enterprise exports its own register, drafts included; a formula-like name stays text', async () => {
  const rows = await csvAs('filer');
  assert.deepEqual(column(rows, '序号').map(Number), [f.filed, f.approved, f.rejected, f.submitted, f.draft]);
  const system = column(rows, '业务系统')[4];
  assert.equal(system, '\'=HYPERLINK("http://x.example","点我")', 'a cell that would start a formula begins with an apostrophe');
  assert.equal(column(rows, '状态')[4], '草稿');
  assert.equal(column(rows, '备案类型')[4], DEADLINES.filing_types[DEADLINES.default_filing_type].zh, 'a new draft has the pack\'s default type, in words');
  const raw = (await download('filer', '/exports/register.csv')).bytes.toString('utf8');
  assert.ok(raw.includes('"\'=HYPERLINK(""http://x.example"",""点我"")"'), 'quoted with doubled quotes (RFC 4180)');
});

test('another authority, another enterprise and another provider export nothing of it', async () => {
  for (const login of ['reviewer2', 'filer2', 'provider2']) {
    const rows = await csvAs(login);
    assert.deepEqual(rows, [HEADERS_ZH], `${login}: the headers alone`);
    assert.deepEqual(await xlsxAs(login), [HEADERS_ZH], `${login}: the XLSX too`);
    assert.equal((await get(login, `/filings/${f.filed}/bundle`)).status, 404, `${login}: no bundle of a filing it cannot see`);
  }
  // the demo provider: the filings that name it, from its confirmation on
  const provider = column(await csvAs('provider'), '序号').map(Number);
  assert.deepEqual(provider, [f.filed, f.approved, f.rejected, f.submitted]);
});

test('the XLSX opens in a real reader (openpyxl) with the same rows; ?lang=en gives English', async () => {
  const csv = await csvAs('admin');
  const zh = await xlsxAs('admin');
  assert.deepEqual(zh[0], HEADERS_ZH);
  assert.equal(zh.length, csv.length);
  for (let i = 1; i < zh.length; i++) {
    assert.equal(zh[i][0], Number(csv[i][0]), 'the id is a number cell');
    // the CSV's apostrophe guard is not needed in XLSX: a text cell is never a formula
    assert.deepEqual(zh[i].slice(1).map((v) => (v === null ? '' : String(v))), csv[i].slice(1).map((v) => v.replace(/^'(?=[=+\-@])/, '')));
  }
  const en = await xlsxAs('reviewer', '?lang=en&state=filed');
  assert.deepEqual(en[0].slice(0, 3), ['ID', 'Filing number', 'Kind']);
  assert.equal(en.length, 3);
  const states = en.slice(1).map((r) => r[en[0].indexOf('State')]);
  assert.deepEqual(states, ['Filed', 'Filed']);
  assert.equal(en[1][en[0].indexOf('Region')], 'Dongcheng District, Beijing');
  assert.equal(en[1][en[0].indexOf('Kind')], 'Initial');
  assert.deepEqual(readdirSync(join(s.data, 'materials', 'tmp')).filter((n) => !n.startsWith('upload-')), [],
    'no temporary file is left behind');
});

test('a register larger than a page comes whole, in order', async () => {
  const system = await newSystem(s);
  const made = [];
  for (let i = 0; i < 26; i++)
    made.push(...await Promise.all(Array.from({ length: 20 }, () => createFiling(s, system).then((x) => x.id))));
  const ids = column(await csvAs('filer', `?system_id=${system}`), '序号').map(Number);
  assert.equal(ids.length, 520);
  assert.deepEqual(ids, [...made].sort((a, b) => a - b));
  const xlsx = await xlsxAs('filer', `?system_id=${system}`);
  assert.equal(xlsx.length, 521);
});

test('the bundle: document, versions with findings and pinned materials (SHA-256), the manifest, events', async () => {
  const r = await get('filer', `/filings/${f.filed}/bundle`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-disposition'), /filing-\d+-bundle\.json/);
  const b = r.body;
  assert.equal(b.format, 'beian-filing-bundle/1');
  assert.equal(b.filing.id, f.filed);
  assert.equal(b.filing.document.subject.region_code, '110101');
  const versions = (await get('filer', `/filings/${f.filed}/versions`)).body.items;
  assert.deepEqual(b.versions.map((v) => v.n), versions.map((v) => v.n));
  for (const v of b.versions) {
    assert.ok(v.document && Array.isArray(v.findings), 'each version with its document and findings');
    assert.ok(v.materials.length > 0, 'each version pins materials');
    const pins = (await get('filer', `/filings/${f.filed}/versions/${v.n}/materials`)).body;
    const pinList = pins.items || pins;
    assert.deepEqual(v.materials.map((m) => [m.material_id, m.material_version, m.sha256]),
      pinList.map((m) => [m.material_id, m.material_version, m.sha256]));
  }
  for (const m of b.materials) {
    const meta = (await get('filer', `/materials/${m.material_id}/versions/${m.material_version}`)).body;
    assert.equal(m.sha256, meta.sha256);
    assert.match(m.sha256, /^[0-9a-f]{64}$/);
    assert.ok(m.kind && m.filename && m.size > 0 && m.pinned_by_versions.length > 0);
  }
  const events = (await get('filer', `/filings/${f.filed}/events`)).body.items;
  assert.deepEqual(b.events.map((e) => e.id), events.map((e) => e.id).reverse(), 'every event, oldest first');
  assert.ok(b.events.some((e) => /approve/.test(e.action)));
  assert.ok(Array.isArray(b.rectifications) && Array.isArray(b.overrides));
  // the record's authority may take it too; its events are those it may read
  const auth = await get('reviewer', `/filings/${f.filed}/bundle`);
  assert.equal(auth.status, 200);
  assert.deepEqual(auth.body.events.map((e) => e.id), (await get('reviewer', `/filings/${f.filed}/events`)).body.items.map((e) => e.id).reverse());
  assert.equal((await get('reviewer', `/filings/${f.draft}/bundle`)).status, 404, 'not a draft it cannot see');
});

test('statistics: counts by state, type, region and month, as the list has them', async () => {
  for (const login of ['reviewer', 'filer', 'admin']) {
    const st = (await get(login, '/statistics')).body;
    const list = [];
    let cursor = '';
    for (;;) {
      const page = (await get(login, `/filings?limit=200${cursor ? `&cursor=${cursor}` : ''}`)).body;
      list.push(...page.items);
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    const count = (key) => list.reduce((m, x) => { const k = key(x) ?? ''; m[k] = (m[k] || 0) + 1; return m; }, {});
    assert.equal(st.total, list.length, login);
    assert.deepEqual(st.by_state, count((x) => x.state), `${login}: by state`);
    assert.deepEqual(st.by_type, count((x) => x.type), `${login}: by type`);
    assert.deepEqual(st.by_region, count((x) => x.region), `${login}: by region`);
    assert.equal(st.as_of, dayAt(200));
  }
  const st = (await get('reviewer', '/statistics')).body;
  const month = (d) => dayAt(d).slice(0, 7);
  const at = (m) => st.by_month.find((x) => x.month === m);
  assert.equal(at(month(0)).submitted, 4);
  assert.equal(st.by_month.reduce((n, x) => n + x.filed, 0), 2);
  assert.equal(at(month(30)).filed, month(30) === month(0) ? 2 : 1);
  assert.equal(at(month(45)).rejected, 1);
  const months = st.by_month.map((x) => x.month);
  assert.deepEqual(months, [...months].sort(), 'ascending');
  assert.equal(months.at(-1), month(45), 'up to the last month that counts something');
  const other = (await get('reviewer2', '/statistics')).body;
  assert.equal(other.total, 0);
  assert.deepEqual(other.by_state, {});
  assert.deepEqual(other.by_month, []);
  assert.deepEqual(other.review_turnaround, { reviews: 0, median_working_days: null, p90_working_days: null });
});

test('statistics: review turnaround in the pack\'s working days, and what is overdue as the work lists say', async () => {
  const st = (await get('reviewer', '/statistics')).body;
  const days = [0, workingDaysBetween(dayAt(0), dayAt(30)), workingDaysBetween(dayAt(0), dayAt(45))].sort((a, b) => a - b);
  assert.deepEqual(st.review_turnaround, {
    reviews: 3, median_working_days: percentile(days, 0.5), p90_working_days: percentile(days, 0.9),
  });
  assert.ok(days[2] > days[1] && days[1] > 0);
  const queue = (await get('reviewer', '/filings?limit=200')).body.items;
  const overdueReviews = queue.filter((x) => ['submitted', 'under_review'].includes(x.state) && !x.paused && x.due_at < dayAt(200));
  assert.equal(st.overdue.reviews, overdueReviews.length);
  assert.equal(st.overdue.reviews, 1);
  const records = (await get('reviewer', '/records')).body.counts;
  assert.equal(st.overdue.inspections, records.inspection_overdue);
  assert.equal(st.overdue.inspections, 1, 'the record filed on day 0 is six months past its approval; the other not yet');
  assert.equal(st.overdue.ordered_inspections, records.ordered_overdue);
  assert.equal(st.overdue.records_with_standing_errors, records.with_standing_errors);
  const incidents = (await get('reviewer', '/incidents')).body.counts;
  assert.equal(st.overdue.incidents_late_first_report, incidents.late_first_report);
  assert.equal(st.overdue.incidents_closure_overdue, incidents.closure_overdue);
  assert.equal(st.overdue.change_reports_late, 0);
  const mine = (await get('filer', '/statistics')).body;
  assert.equal(mine.overdue.inspections, (await get('filer', '/records')).body.counts.inspection_overdue);
  const provider = (await get('provider', '/statistics')).body;
  assert.equal(provider.overdue.inspections, 0, 'a provider supervises no record');
});

test('beian export register|bundle from the command line', () => {
  const env = { BEIAN_TEST_CLOCK_FILE: clockFile };
  const xlsx = join(tmp, 'cli.xlsx');
  let r = cli(['export', 'register', '--data', s.data, '--state', 'filed', '-o', xlsx], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /2 filing\(s\) written/);
  const rows = readXlsx(xlsx);
  assert.deepEqual(rows[0], HEADERS_ZH);
  assert.deepEqual(rows.slice(1).map((x) => x[0]), [f.filed, f.approved]);
  const csv = join(tmp, 'cli.csv');
  r = cli(['export', 'register', '--data', s.data, '--lang', 'en', '--region', '110101', '-o', csv], { env });
  assert.equal(r.status, 0, r.stderr);
  const parsed = parseCsv(readFileSync(csv, 'utf8').slice(1));
  assert.equal(parsed[0][0], 'ID');
  assert.deepEqual(parsed.slice(1).map((x) => Number(x[0])), [f.filed]);
  const bundle = join(tmp, 'bundle.json');
  r = cli(['export', 'bundle', '--data', s.data, String(f.filed), '-o', bundle], { env });
  assert.equal(r.status, 0, r.stderr);
  const b = JSON.parse(readFileSync(bundle, 'utf8'));
  assert.equal(b.filing.id, f.filed);
  assert.ok(b.versions.length >= 1 && b.materials.length > 0 && b.events.length > 0);
  assert.equal(cli(['export', 'register', '--data', s.data, '--state', 'nope', '-o', csv], { env }).status, 2);
  assert.equal(cli(['export', 'bundle', '--data', s.data, '999999', '-o', bundle], { env }).status, 1);
  assert.equal(cli(['export', 'register', '--data', s.data], { env }).status, 2, 'no -o');
  assert.equal(cli(['export', '--help']).status, 0);
});
