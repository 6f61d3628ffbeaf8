// logic.test.mjs — the UI's pure helpers, run in Node without a browser: working days with the
// pack's calendar, the colour of a due date, RFC 7396 merge patches of the autosave, paths and
// labels of the form schema.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { session } from '../../web/js/session.js';
import { addWorkingDays, dueStatus, isWorkday, labelOf, mergePatch, pickablePaths, today, workingDaysBetween, fieldAt, setAt, getAt } from '../../web/js/schema.js';

const pack = new URL('../../policy/cn-cloud/', import.meta.url);
const json = (f) => JSON.parse(readFileSync(new URL(f, pack), 'utf8'));

before(() => {
  session.schema = { form: json('form.json'), calendar: json('calendar.json'), regions: json('regions.json') };
});

function shift(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

test('working days follow the pack calendar: holidays rest, make-up days work', () => {
  assert.equal(isWorkday('2026-01-01'), false, 'New Year holiday');
  assert.equal(isWorkday('2026-01-05'), true, 'a Monday');
  assert.equal(isWorkday('2026-01-03'), false, 'a Saturday');
  const cal = session.schema.calendar['2026'];
  if (cal.workdays?.length) assert.equal(isWorkday(cal.workdays[0]), true, 'a make-up workday');
  assert.equal(workingDaysBetween('2026-01-05', '2026-01-09'), 4);
  assert.equal(workingDaysBetween('2026-01-09', '2026-01-12'), 1, 'over a weekend');
  assert.equal(workingDaysBetween('2026-01-12', '2026-01-09'), -1);
  assert.equal(addWorkingDays('2026-01-09', 1), '2026-01-12');
  assert.equal(addWorkingDays('2025-12-31', 1), '2026-01-04', 'skips the New Year holidays, works the make-up Sunday');
});

test('a due date is overdue, under 3 working days, fine, or paused', () => {
  const base = { state: 'under_review' };
  assert.equal(dueStatus({ ...base, due_at: shift(-3) }).cls, 'overdue');
  let soon = 0;
  while (workingDaysBetween(today(), shift(soon)) < 1) soon++;
  assert.equal(dueStatus({ ...base, due_at: shift(soon) }).cls, 'soon');
  assert.equal(dueStatus({ ...base, due_at: shift(30) }).cls, 'ok');
  assert.equal(dueStatus({ state: 'rectification', due_at: shift(30), paused: true }).cls, 'paused');
  assert.equal(dueStatus({ state: 'filed', due_at: shift(-30) }).cls, 'none');
});

test('the autosave patch: objects recurse, arrays and scalars replace, removed keys become null', () => {
  const a = { subject: { name: 'A', address: 'x', officer: { name: 'n' } }, system: { domains: ['a', 'b'] } };
  const b = { subject: { name: 'B', officer: { name: 'n' } }, system: { domains: ['a'] }, grading: { level: 3 } };
  assert.deepEqual(mergePatch(a, b), { subject: { name: 'B', address: null }, system: { domains: ['a'] }, grading: { level: 3 } });
  assert.deepEqual(mergePatch(b, structuredClone(b)), {});
});

test('paths of the form: definitions, labels, what a reviewer may pick', () => {
  assert.equal(fieldAt('/subject/legal_representative/name').type, 'text');
  assert.equal(fieldAt('/provider/data_centers/1/role').type, 'enum');
  assert.equal(fieldAt('/provider/data_centers/x'), null);
  assert.equal(fieldAt('/nothing'), null);
  assert.equal(labelOf('/system/description'), '业务系统 › 功能描述');
  assert.equal(labelOf('/provider/data_centers/1/role'), '云服务提供商 › 数据中心 #2 › 角色');
  const picks = pickablePaths().map((p) => p.path);
  assert.ok(picks.includes('/system') && picks.includes('/system/description') && picks.includes('/subject/legal_representative/name'));
  const doc = {};
  setAt(doc, '/provider/data_centers/0/name', 'DC');
  assert.deepEqual(doc, { provider: { data_centers: [{ name: 'DC' }] } });
  setAt(doc, '/provider/data_centers/0/name', undefined);
  assert.deepEqual(getAt(doc, '/provider/data_centers/0'), {});
});
