// records.js — after the number: the work list of filed records (GET /records). The enterprise sees
// each of its filed systems with its next dates; the authority supervises the records of its
// jurisdiction by what is overdue or standing against them, with counts and a filter.
import { h, replace } from '../dom.js';
import { t, formatDate } from '../i18n.js';
import { get } from '../api.js';
import { session } from '../session.js';
import { errorBox } from '../ui.js';

const dateCell = (d) => (d ? formatDate(d) : '—');

// The table of records: the number links to the filing, overdue and standing marks in words.
export function recordsTable(items, { id = 'records-table' } = {}) {
  if (!items.length) return h('p', { class: 'empty', id: `${id}-empty` }, t('records.none'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table records-table', id },
    h('caption', { class: 'sr-only' }, t('records.caption')),
    h('thead', {}, h('tr', {},
      [t('col.number'), t('col.system'), t('col.subject'), t('records.inspectionDue'), t('records.agreementUntil'),
        t('records.nextScan'), t('records.lastDrill'), t('records.attention')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, items.map((r) => {
      const marks = [];
      if (r.inspection_overdue) marks.push(h('span', { class: 'badge mark-overdue', dataset: { mark: 'inspection_overdue' } }, t('records.inspectionOverdue')));
      if (r.ordered_overdue) marks.push(h('span', { class: 'badge mark-overdue', dataset: { mark: 'ordered_overdue' } }, t('records.orderedOverdue')));
      if (r.standing_errors) marks.push(h('span', { class: 'badge mark-error', dataset: { mark: 'standing_errors' } }, t('records.standingErrors', { n: r.standing_errors })));
      if (r.standing_warnings) marks.push(h('span', { class: 'badge mark-warning', dataset: { mark: 'standing_warnings' } }, t('records.standingWarnings', { n: r.standing_warnings })));
      return h('tr', { dataset: { record: r.id } },
        h('td', {}, h('a', { href: `/filings/${r.id}?tab=record`, 'data-link': '' }, r.number || `#${r.id}`)),
        h('td', {}, r.system_name || '—'), h('td', {}, r.subject_name || '—'),
        h('td', { class: r.inspection_overdue ? 'due due-overdue' : '' }, dateCell(r.next?.inspection_due)),
        h('td', {}, dateCell(r.next?.agreement_valid_until)), h('td', {}, dateCell(r.next?.next_scan)),
        h('td', {}, dateCell(r.next?.last_drill)),
        h('td', {}, marks.length ? marks : h('span', { class: 'muted' }, t('records.nothing'))));
    }))));
}

export async function recordsView(main, params, query) {
  const isAuthority = session.me.org.kind === 'authority';
  const only = h('input', { type: 'checkbox', id: 'records-overdue', checked: query.get('overdue') === 'true' });
  const out = h('div', { id: 'records-out', 'aria-live': 'polite' });
  main.append(h('div', { class: 'page' },
    h('h1', {}, isAuthority ? t('records.titleAuthority') : t('records.titleEnterprise')),
    h('p', { class: 'muted' }, isAuthority ? t('records.introAuthority') : t('records.introEnterprise')),
    h('div', { class: 'filters' }, h('div', { class: 'check' }, only, h('label', { for: only.id }, t('records.onlyOverdue')))),
    out));
  async function load() {
    history.replaceState(null, '', `${location.pathname}${only.checked ? '?overdue=true' : ''}`);
    try {
      const r = await get(`/records${only.checked ? '?overdue=true' : ''}`);
      const c = r.counts;
      replace(out,
        h('p', { class: 'queue-summary', id: 'records-summary' },
          t('records.count', { n: c.records }), ' ',
          h('span', { class: 'due due-overdue' }, t('records.countOverdue', { n: c.inspection_overdue })), ' ',
          h('span', { class: 'due due-overdue' }, t('records.countOrdered', { n: c.ordered_overdue })), ' ',
          h('span', { class: 'due due-soon' }, t('records.countErrors', { n: c.with_standing_errors }))),
        recordsTable(r.items));
    } catch (err) { replace(out, errorBox(err)); }
  }
  only.addEventListener('change', load);
  await load();
}

// The enterprise's home: its filed systems and their next dates, compact.
export async function filedSystemsSection() {
  const box = h('section', { class: 'card', id: 'filed-systems', 'aria-labelledby': 'filed-systems-h' },
    h('h2', { id: 'filed-systems-h' }, t('records.homeTitle')));
  try {
    const r = await get('/records');
    box.append(recordsTable(r.items, { id: 'home-records' }),
      h('p', {}, h('a', { href: '/records', 'data-link': '' }, t('records.all'))));
  } catch (err) { box.append(errorBox(err)); }
  return box;
}
