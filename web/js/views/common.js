// common.js — pieces several screens share: the table of filings.
import { h } from '../dom.js';
import { t, name, formatDateTime, L, levelName } from '../i18n.js';
import { regionName } from '../schema.js';
import { stateBadge, dueChip, filingTitle } from '../ui.js';

const COLUMNS = {
  id: [() => t('col.id'), (f) => h('a', { href: `/filings/${f.id}`, 'data-link': '', class: 'filing-link', dataset: { filing: f.id } }, `#${f.id}`)],
  system: [() => t('col.system'), (f) => h('a', { href: `/filings/${f.id}`, 'data-link': '' }, filingTitle(f))],
  subject: [() => t('col.subject'), (f) => f.subject_name || '—'],
  kind: [() => t('col.kind'), (f) => name('kind', f.kind)],
  state: [() => t('col.state'), (f) => [stateBadge(f.state), f.kind === 'change' ? changeBadges(f) : null]],
  type: [() => t('col.type'), (f) => (f.type ? name('ftype', f.type) : '—')],
  level: [() => t('col.level'), (f) => (f.level ? levelName(f.level) : '—')],
  region: [() => t('col.region'), (f) => regionName(f.region)],
  number: [() => t('col.number'), (f) => f.number || '—'],
  submitted: [() => t('col.submitted'), (f) => formatDateTime(f.submitted_at)],
  updated: [() => t('col.updated'), (f) => formatDateTime(f.updated_at)],
  due: [() => t('col.due'), (f) => dueChip(f)],
};

// A change report in a list: its class, and late with the reason (as the title).
function changeBadges(f) {
  return [
    f.change_class ? [' ', h('span', { class: 'badge change-class', dataset: { class: f.change_class } }, t(`change.${f.change_class}`))] : null,
    f.late ? [' ', h('span', { class: 'badge late error-text', title: f.late_reason ? L(f.late_reason) : '' }, t('change.late'))] : null,
  ];
}

export function filingsTable(filings, columns, { caption, id } = {}) {
  if (!filings.length) return h('p', { class: 'empty' }, t('filings.none'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table filings-table', id },
    caption ? h('caption', { class: 'sr-only' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, COLUMNS[c][0]())))),
    h('tbody', {}, filings.map((f) => h('tr', { dataset: { filing: f.id, state: f.state } }, columns.map((c) => h('td', {}, COLUMNS[c][1](f))))))));
}
