// record.js — the "after filing" tab of a filed record: its self-inspection schedule, what stands
// against it today (the daily standing check, each finding with the day it appeared), its reports,
// and the buttons to start this cycle's report (the enterprise's filer) or to order an extra one
// (the record's authority).
import { h, replace, uid } from '../dom.js';
import { t, name, L, formatDate } from '../i18n.js';
import { get, post } from '../api.js';
import { session, hasRole } from '../session.js';
import { errorBox, go, toast, problemText } from '../ui.js';

export async function renderRecordTab(panel, filing) {
  const box = h('div', { class: 'record-tab', id: 'record-tab' });
  panel.append(box);
  let standing, reports;
  try {
    [standing, reports] = await Promise.all([get(`/filings/${filing.id}/standing`), get(`/filings/${filing.id}/inspections`)]);
  } catch (err) { replace(box, errorBox(err)); return; }
  const s = standing.inspection || {};
  const mine = session.me.org.id === filing.org_id;
  const openScheduled = (s.open || []).some((r) => r.kind === 'scheduled');
  const canStart = mine && hasRole('filer') && !openScheduled;
  const canOrder = session.me.org.kind === 'authority' && session.me.org.id === filing.authority_org_id && hasRole('reviewer', 'authority_admin');

  const start = canStart ? h('button', {
    type: 'button', class: 'primary', id: 'start-inspection',
    onclick: async () => {
      try { const r = await post(`/filings/${filing.id}/inspections`); go(`/inspections/${r.id}`); } catch (err) { toast(problemText(err), 'error'); }
    },
  }, t('record.start')) : null;

  replace(box,
    h('section', { class: 'card record-card', id: 'record-schedule', 'aria-labelledby': 'record-schedule-h' },
      h('h2', { id: 'record-schedule-h' }, t('record.schedule')),
      h('dl', { class: 'facts' },
        h('dt', {}, t('record.cycle')), h('dd', {}, t('record.cycleMonths', { n: s.cycle_months })),
        h('dt', {}, t('record.nextDue')), h('dd', { id: 'record-next-due', class: s.overdue ? 'due due-overdue' : '' },
          formatDate(s.next_due), s.overdue ? ` ${t('inspection.overdue')}` : ''),
        h('dt', {}, t('record.checkedOn')), h('dd', {}, standing.checked_on ? formatDate(standing.checked_on) : t('record.notChecked'))),
      start, canOrder ? orderForm(filing) : null),
    h('section', { class: 'card', id: 'record-standing', 'aria-labelledby': 'record-standing-h' },
      h('h2', { id: 'record-standing-h' }, t('record.standing')),
      standing.items.length ? h('ul', { class: 'standing-list' }, standing.items.map((f) => h('li', { class: `sev-${f.severity}`, dataset: { rule: f.rule } },
        h('span', { class: 'sev' }, t(`severity.${f.severity}`)), ' ', L(f.detail?.message), ' ',
        h('span', { class: 'muted' }, t('record.since', { day: f.since })))))
        : h('p', { class: 'muted', id: 'record-standing-none' }, t('record.standingNone'))),
    h('section', { class: 'card', id: 'record-reports', 'aria-labelledby': 'record-reports-h' },
      h('h2', { id: 'record-reports-h' }, t('record.reports')),
      reports.items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'reports-table' },
        h('caption', { class: 'sr-only' }, t('record.reports')),
        h('thead', {}, h('tr', {}, [t('col.id'), t('record.kind'), t('col.state'), t('inspection.due')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, reports.items.map((r) => h('tr', { dataset: { inspection: r.id, state: r.state } },
          h('td', {}, h('a', { href: `/inspections/${r.id}`, 'data-link': '' }, `#${r.id}`)),
          h('td', {}, t(`record.kind.${r.kind}`)), h('td', {}, name('state', r.state)),
          h('td', { class: r.overdue ? 'due due-overdue' : '' }, formatDate(r.due_on)))))))
        : h('p', { class: 'muted' }, t('record.noReports'))));
}

function orderForm(filing) {
  const reason = h('textarea', { id: uid('order-reason'), rows: 2, maxlength: 2000, required: true });
  const due = h('input', { type: 'date', id: uid('order-due'), required: true });
  const msg = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'order-form', id: 'order-inspection', novalidate: true },
    h('h3', {}, t('record.order')),
    h('div', { class: 'form-row' }, h('label', { for: reason.id }, t('inspection.reason')), reason),
    h('div', { class: 'form-row' }, h('label', { for: due.id }, t('inspection.due')), due),
    msg, h('button', { type: 'submit', id: 'order-submit' }, t('record.orderSubmit')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await post(`/filings/${filing.id}/inspections/order`, { reason: reason.value.trim(), due_on: due.value });
      go(`/inspections/${r.id}`);
    } catch (err) { replace(msg, h('p', { class: 'error-text', role: 'alert' }, problemText(err))); }
  });
  return form;
}
