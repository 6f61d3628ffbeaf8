// calendar.test.mjs — calendars have an end (issue 11): a due date computed past the years the
// pack's working-day calendar covers is marked estimated, a pack version with a longer calendar
// takes the mark away without a restart, and `beian policy lint` warns before the calendar ends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, cli, installPack } from './lib.mjs';
import { API, loginAll, completeDraft, driveTo, getFiling, newSystem } from './story.mjs';

const POLICY = new URL('../../policy', import.meta.url).pathname;
let s, tmp;
const year = new Date().getUTCFullYear();

// The calendar of `dir` cut to the years before this one: every due date lies past it.
function editCalendar(dir, fn) {
  const file = join(dir, 'calendar.json');
  writeFileSync(file, JSON.stringify(fn(JSON.parse(readFileSync(file, 'utf8'))), null, 2));
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'beian-calendar-'));
  cpSync(POLICY, join(tmp, 'policy'), { recursive: true });
  editCalendar(join(tmp, 'policy', 'cn-cloud'), (cal) => {
    const first = Math.min(...Object.keys(cal).map(Number));
    return { [first - 2]: { holidays: [], workdays: [] }, [first - 1]: { holidays: [], workdays: [] } };
  });
  s = await Server.start({ env: { BEIAN_POLICY_DIR: join(tmp, 'policy') } });
  await loginAll(s, Object.keys(s.logins));
});

after(async () => {
  await s.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('a due date past the calendar is marked estimated; a new pack version with the year takes the mark away', async () => {
  const id = await completeDraft(s, await newSystem(s));
  const f = await driveTo(s, id, 'submitted');
  assert.ok(f.due_at, 'the review has a due date');
  assert.equal(f.due_estimated, true, 'the calendar ended years ago: the due date is an estimate');
  for (const login of ['filer', 'reviewer']) assert.equal((await getFiling(s, login, id)).due_estimated, true);
  const list = await s.req('GET', `${API}/filings?state=submitted`, { token: s.tokens.reviewer });
  assert.equal(list.body.items.find((x) => x.id === id).due_estimated, true);
  // the next version of the pack covers this year and the next two: installed while the server runs
  const dir = join(tmp, 'next');
  cpSync(join(tmp, 'policy', 'cn-cloud'), dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version: '2025.9', supersedes: manifest.version }));
  editCalendar(dir, (cal) => {
    const out = { ...cal };
    for (let y = Math.max(...Object.keys(cal).map(Number)) + 1; y <= year + 2; y++) out[y] = { holidays: [], workdays: [] };
    return out;
  });
  const job = await installPack(s, s.tokens.admin, dir);
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.equal((await getFiling(s, 'reviewer', id)).due_estimated, false);
});

test('policy lint warns when the calendar ends within 60 days, and not before', async () => {
  const dir = join(tmp, 'policy', 'cn-cloud');
  const cal = JSON.parse(readFileSync(join(dir, 'calendar.json'), 'utf8'));
  const last = Math.max(...Object.keys(cal).map(Number));
  const soon = cli(['policy', 'lint', dir, '--as-of', `${last}-11-15`]);
  assert.equal(soon.status, 0, soon.stdout + soon.stderr);
  assert.match(soon.stdout, new RegExp(`warning: the working-day calendar ends on ${last}-12-31, in 46 days`));
  const early = cli(['policy', 'lint', dir, '--as-of', `${last}-06-01`]);
  assert.equal(early.status, 0);
  assert.doesNotMatch(early.stdout, /warning/);
  const bad = cli(['policy', 'lint', dir, '--as-of', 'someday']);
  assert.equal(bad.status, 2);
});
