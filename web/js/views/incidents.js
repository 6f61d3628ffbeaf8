// incidents.js — security incidents on filed records (issue 13): the enterprise reports one from
// its filed record's page (level of the pack, detection time, first report), follows its clocks
// (first report in time or late, time left to the closure report or how long it is overdue), adds
// updates and closes it with the closure report; the authority's incident queue with filters and
// counts, and its order of an extra inspection. The clocks come from the server (clock_now()),
// never from the browser's time.
import { h, replace } from '../dom.js';
import { t, L, formatDateTime } from '../i18n.js';
import { get, post } from '../api.js';
import { session, hasRole, orgKind, loadSchema } from '../session.js';
import { field, errorBox, problemText, toast, go, emptyState } from '../ui.js';

const canWrite = () => orgKind() === 'enterprise' && hasRole('filer', 'org_admin');

// "3 天 4 小时" / "3 d 4 h" of a number of seconds (its sign ignored).
function duration(seconds) {
  const s = Math.abs(Math.trunc(seconds || 0));
  const d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d) return t('incident.dur.dh', { d, h: hr });
  return t('incident.dur.hm', { h: hr, m });
}

function levelLabel(inc) { return L(inc.level_label) || inc.level; }

// The first report's clock: in time or late, by how much.
function firstClock(inc) {
  return inc.late_first_report
    ? h('span', { class: 'due due-overdue', dataset: { clock: 'late' } }, t('incident.firstLate', { delay: duration(inc.first_report_delay_seconds), hours: inc.first_report_hours }))
    : h('span', { class: 'due due-ok', dataset: { clock: 'in-time' } }, t('incident.firstInTime', { hours: inc.first_report_hours }));
}

// The closure's clock: time left, overdue, or closed (in time or late).
function closureClock(inc) {
  if (inc.state === 'closed')
    return inc.closed_late
      ? h('span', { class: 'due due-soon', dataset: { clock: 'closed-late' } }, t('incident.closedLate'))
      : h('span', { class: 'due due-ok', dataset: { clock: 'closed' } }, t('incident.closedInTime'));
  if (inc.closure_overdue)
    return h('span', { class: 'due due-overdue', dataset: { clock: 'overdue' } }, t('incident.overdue', { time: duration(inc.closure_seconds_left) }));
  const soon = inc.closure_seconds_left < 3 * 86400;
  return h('span', { class: ['due', soon ? 'due-soon' : 'due-ok'], dataset: { clock: 'left' } }, t('incident.left', { time: duration(inc.closure_seconds_left) }));
}

const stateChip = (inc) => h('span', { class: ['badge', `incident-${inc.state}`], dataset: { incidentState: inc.state } }, t(`incident.state.${inc.state}`));

// For the filed record's page: report an incident, see the record's incidents.
export function incidentLinks(f) {
  if (f.state !== 'filed' || f.kind !== 'initial' || !['enterprise', 'authority', 'platform'].includes(orgKind())) return null;
  return h('p', { class: 'button-row', id: 'incident-links' },
    canWrite() && f.org_id === session.me.org.id
      ? h('a', { class: 'button primary small', id: 'incident-report-link', href: `/incidents/new?filing=${f.id}`, 'data-link': '' }, t('incident.report')) : null,
    h('a', { class: 'button small', id: 'incident-record-list', href: `/incidents?filing_id=${f.id}`, 'data-link': '' }, t('incident.ofRecord')));
}

function incidentsTable(items, { id, caption }) {
  if (!items.length) return emptyState(t('incident.none'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', id },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, [t('col.id'), t('incident.record'), t('col.subject'), t('incident.level'), t('incident.title'),
      t('incident.detectedAt'), t('incident.firstReport'), t('incident.closure'), t('col.state')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, items.map((inc) => h('tr', { dataset: { incident: inc.id, state: inc.state } },
      h('td', {}, h('a', { href: `/incidents/${inc.id}`, 'data-link': '', class: 'incident-link' }, `#${inc.id}`)),
      h('td', {}, inc.number || `#${inc.filing_id}`, h('br'), h('span', { class: 'muted' }, inc.system_name || '')),
      h('td', {}, inc.subject_name || '—'),
      h('td', {}, levelLabel(inc)),
      h('td', {}, h('a', { href: `/incidents/${inc.id}`, 'data-link': '' }, inc.title)),
      h('td', {}, formatDateTime(inc.detected_at)),
      h('td', {}, firstClock(inc)),
      h('td', {}, closureClock(inc)),
      h('td', {}, stateChip(inc)))))));
}

// The enterprise's workbench: its open incidents with their clocks (nothing when there are none).
export async function openIncidentsCard() {
  let list;
  try { list = await get('/incidents?state=open'); } catch { return null; }
  if (!list.items.length) return null;
  return h('section', { class: 'card', 'aria-labelledby': 'open-incidents-title', id: 'open-incidents' },
    h('div', { class: 'card-head' }, h('h2', { id: 'open-incidents-title' }, t('incident.openTitle', { n: list.counts.open })),
      h('a', { class: 'button small', href: '/incidents', 'data-link': '' }, t('incident.all'))),
    incidentsTable(list.items, { id: 'open-incidents-table', caption: t('incident.openTitle', { n: list.counts.open }) }));
}

// ---- the list (the enterprise's incidents, the authority's queue) ----------------------------

export async function incidentsView(main, params, query) {
  const isAuthority = orgKind() === 'authority';
  const state = h('select', { id: 'incidents-filter-state' },
    h('option', { value: '' }, t('incident.allStates')), h('option', { value: 'open' }, t('incident.state.open')),
    h('option', { value: 'closed' }, t('incident.state.closed')));
  const late = h('input', { type: 'checkbox', id: 'incidents-filter-late' });
  const overdue = h('input', { type: 'checkbox', id: 'incidents-filter-overdue' });
  state.value = query.get('state') ?? (isAuthority ? 'open' : '');
  late.checked = query.get('late') === 'true';
  overdue.checked = query.get('overdue') === 'true';
  const filingId = query.get('filing_id');
  const out = h('div', { id: 'incidents-out', 'aria-live': 'polite' });

  async function load() {
    const p = new URLSearchParams();
    if (state.value) p.set('state', state.value);
    if (late.checked) p.set('late', 'true');
    if (overdue.checked) p.set('overdue', 'true');
    if (filingId) p.set('filing_id', filingId);
    history.replaceState(null, '', `${location.pathname}${p.toString() ? `?${p}` : ''}`);
    replace(out, h('p', { class: 'loading' }, t('common.loading')));
    try {
      const list = await get(`/incidents${p.toString() ? `?${p}` : ''}`);
      const c = list.counts;
      replace(out,
        h('p', { class: 'queue-summary', id: 'incidents-counts' }, t('incident.counts', { total: c.total, open: c.open }), ' ',
          h('span', { class: ['due', c.late_first_report ? 'due-overdue' : 'due-ok'], dataset: { count: 'late' } }, t('incident.countLate', { n: c.late_first_report })), ' ',
          h('span', { class: ['due', c.closure_overdue ? 'due-overdue' : 'due-ok'], dataset: { count: 'overdue' } }, t('incident.countOverdue', { n: c.closure_overdue })), ' ',
          h('span', { class: 'muted' }, t('incident.shown', { n: list.items.length }))),
        incidentsTable(list.items, { id: 'incidents-table', caption: isAuthority ? t('incident.queueTitle') : t('incident.listTitle') }));
    } catch (err) { replace(out, errorBox(err)); }
  }
  for (const el of [state, late, overdue]) el.addEventListener('change', load);

  main.append(h('div', { class: 'page' },
    h('h1', {}, isAuthority ? t('incident.queueTitle') : t('incident.listTitle')),
    h('p', { class: 'muted' }, t('incident.intro')),
    filingId ? h('p', {}, t('incident.filteredRecord', { id: filingId }), ' ', h('a', { href: '/incidents', 'data-link': '' }, t('incident.all'))) : null,
    h('form', { class: 'card filters', role: 'search', 'aria-label': t('incident.filters'), onsubmit: (ev) => { ev.preventDefault(); load(); } },
      field({ label: t('incident.stateFilter'), control: state }),
      h('div', { class: 'form-row' }, h('label', { for: late.id }, late, ' ', t('incident.lateOnly'))),
      h('div', { class: 'form-row' }, h('label', { for: overdue.id }, overdue, ' ', t('incident.overdueOnly')))),
    out));
  await load();
}

// ---- reporting --------------------------------------------------------------------------------

// A datetime-local value (the browser's zone) as an RFC 3339 UTC time.
function localToIso(value) {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function incidentReportView(main, params, query) {
  await loadSchema();
  const filingId = Number(query.get('filing'));
  if (!Number.isInteger(filingId) || filingId <= 0) throw new Error(t('incident.noRecord'));
  const f = await get(`/filings/${filingId}`);
  const levels = session.schema.incidents?.levels || [];
  const level = h('select', { id: 'incident-level', required: true },
    h('option', { value: '' }, t('incident.chooseLevel')),
    levels.map((l) => h('option', { value: l.key }, `${L(l.label)} · ${t('incident.levelClocks', { hours: l.first_report_hours, days: l.closure_days })}`)));
  const title = h('input', { type: 'text', id: 'incident-title', maxlength: 200, required: true });
  const detected = h('input', { type: 'datetime-local', id: 'incident-detected', required: true, step: 60 });
  const summary = h('textarea', { id: 'incident-summary', rows: 5, maxlength: 4000, required: true });
  const measures = h('textarea', { id: 'incident-measures', rows: 3, maxlength: 4000 });
  const msg = h('div', { 'aria-live': 'assertive', id: 'incident-report-msg' });
  const source = session.schema.incidents?.source;

  async function submit(ev) {
    ev.preventDefault();
    const missing = [[level, 'incident.level'], [title, 'incident.title'], [detected, 'incident.detectedAt'], [summary, 'incident.summary']]
      .find(([el]) => !el.value.trim());
    if (missing) {
      replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('incident.needField', { field: t(missing[1]) })));
      missing[0].focus();
      return;
    }
    try {
      const inc = await post(`/filings/${filingId}/incidents`, {
        level: level.value, title: title.value.trim(), detected_at: localToIso(detected.value), summary: summary.value.trim(),
        ...(measures.value.trim() ? { measures: measures.value.trim() } : {}),
      });
      toast(t('incident.reported', { id: inc.id }), 'ok');
      go(`/incidents/${inc.id}`);
    } catch (err) { replace(msg, errorBox(err)); }
  }

  main.append(h('div', { class: 'page' },
    h('p', { class: 'crumbs' }, h('a', { href: `/filings/${f.id}`, 'data-link': '' }, `${f.system_name || ''} ${f.number || `#${f.id}`}`), ' › ', t('incident.report')),
    h('h1', {}, t('incident.reportTitle')),
    h('p', { class: 'muted' }, t('incident.reportIntro')),
    source ? h('p', { class: 'muted', id: 'incident-source' }, t('incident.source'), ' ', L(source)) : null,
    h('form', { class: 'card', id: 'incident-report-form', novalidate: true, onsubmit: submit, oninput: () => replace(msg) },
      field({ label: t('incident.level'), control: level, required: true, help: t('incident.levelHelp') }),
      field({ label: t('incident.title'), control: title, required: true }),
      field({ label: t('incident.detectedAt'), control: detected, required: true, help: t('incident.detectedHelp') }),
      field({ label: t('incident.summary'), control: summary, required: true, help: t('incident.summaryHelp') }),
      field({ label: t('incident.measures'), control: measures }),
      msg,
      h('div', { class: 'button-row' },
        h('button', { type: 'submit', class: 'primary', id: 'incident-submit' }, t('incident.submit')),
        h('a', { class: 'button', href: `/filings/${f.id}`, 'data-link': '' }, t('common.cancel'))))));
}

// ---- one incident -----------------------------------------------------------------------------

export async function incidentView(main, params) {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id <= 0) throw new Error(t('incident.notFound'));
  const page = h('div', { class: 'page', dataset: { incidentId: id } });
  main.append(page);
  let inc = await get(`/incidents/${id}`);
  draw();

  function draw() {
    const facts = h('dl', { class: 'facts', id: 'incident-facts' },
      h('dt', {}, t('incident.record')), h('dd', {}, h('a', { href: `/filings/${inc.filing_id}`, 'data-link': '' }, `${inc.system_name || ''} ${inc.number || `#${inc.filing_id}`}`)),
      h('dt', {}, t('col.subject')), h('dd', {}, inc.subject_name || '—'),
      h('dt', {}, t('incident.level')), h('dd', { id: 'incident-level-value' }, levelLabel(inc)),
      h('dt', {}, t('incident.detectedAt')), h('dd', {}, formatDateTime(inc.detected_at)),
      h('dt', {}, t('incident.reportedAt')), h('dd', {}, formatDateTime(inc.reported_at)),
      h('dt', {}, t('incident.firstReport')), h('dd', { id: 'incident-first-clock' }, firstClock(inc), ' ',
        h('span', { class: 'muted' }, t('incident.dueBy', { time: formatDateTime(inc.first_report_due_at) }))),
      h('dt', {}, t('incident.closure')), h('dd', { id: 'incident-closure-clock' }, closureClock(inc), ' ',
        h('span', { class: 'muted' }, t('incident.dueBy', { time: formatDateTime(inc.closure_due_at) }))));
    const report = h('section', { class: 'card', 'aria-labelledby': 'first-report-title' },
      h('h2', { id: 'first-report-title' }, t('incident.firstReportText')),
      h('p', { class: 'prewrap', id: 'incident-summary-text' }, inc.summary),
      inc.measures ? [h('h3', {}, t('incident.measures')), h('p', { class: 'prewrap' }, inc.measures)] : null);
    const updates = h('section', { class: 'card', 'aria-labelledby': 'updates-title' },
      h('h2', { id: 'updates-title' }, t('incident.updates', { n: inc.updates.length })),
      inc.updates.length ? h('ol', { class: 'timeline', id: 'updates-list' }, inc.updates.map((u) => h('li', { dataset: { update: u.id } },
        h('p', { class: 'muted' }, formatDateTime(u.created_at)), h('p', { class: 'prewrap' }, u.text))))
        : emptyState(t('incident.noUpdates')),
      inc.can.update ? updateForm() : null);
    replace(page,
      h('p', { class: 'crumbs' }, h('a', { href: '/incidents', 'data-link': '' }, orgKind() === 'authority' ? t('incident.queueTitle') : t('incident.listTitle')), ' › ', `#${inc.id}`),
      h('h1', { id: 'incident-heading' }, inc.title, ' ', h('span', { id: 'incident-state' }, stateChip(inc))),
      h('div', { class: 'grid-2' },
        h('section', { class: 'card', 'aria-labelledby': 'clocks-title' }, h('h2', { id: 'clocks-title' }, t('incident.clocks')), facts),
        report),
      updates,
      inc.closure ? closureFacts() : null,
      inc.can.close ? closeForm() : null,
      inspectionPart());
  }

  async function run(path, body, okText) {
    inc = await post(path, body);
    toast(okText, 'ok');
    draw();
  }

  function updateForm() {
    const text = h('textarea', { id: 'update-text', rows: 3, maxlength: 4000 });
    const msg = h('div', { 'aria-live': 'assertive' });
    return h('form', { id: 'update-form', novalidate: true, onsubmit: async (ev) => {
      ev.preventDefault();
      if (!text.value.trim()) { replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('incident.needField', { field: t('incident.updateText') }))); text.focus(); return; }
      try { await run(`/incidents/${id}/updates`, { text: text.value.trim() }, t('incident.updated')); } catch (err) { replace(msg, errorBox(err)); }
    } }, field({ label: t('incident.updateText'), control: text }), msg,
    h('div', { class: 'button-row' }, h('button', { type: 'submit', id: 'update-submit' }, t('incident.addUpdate'))));
  }

  function closureFacts() {
    const c = inc.closure;
    return h('section', { class: 'card', 'aria-labelledby': 'closure-title', id: 'incident-closure' },
      h('h2', { id: 'closure-title' }, t('incident.closureReport')),
      h('dl', { class: 'facts' },
        h('dt', {}, t('incident.closedAt')), h('dd', {}, formatDateTime(c.closed_at)),
        h('dt', {}, t('incident.cause')), h('dd', { class: 'prewrap' }, c.cause),
        h('dt', {}, t('incident.impact')), h('dd', { class: 'prewrap' }, c.impact),
        h('dt', {}, t('incident.personalData')), h('dd', { id: 'closure-personal' }, c.personal_data_involved
          ? t('incident.personalYes', { n: c.individuals_affected }) : t('common.no')),
        h('dt', {}, t('incident.closureMeasures')), h('dd', { class: 'prewrap' }, c.measures)));
  }

  function closeForm() {
    const cause = h('textarea', { id: 'close-cause', rows: 3, maxlength: 4000 });
    const impact = h('textarea', { id: 'close-impact', rows: 3, maxlength: 4000 });
    const personal = h('select', { id: 'close-personal' }, h('option', { value: '' }, t('incident.choose')),
      h('option', { value: 'no' }, t('common.no')), h('option', { value: 'yes' }, t('common.yes')));
    const individuals = h('input', { type: 'number', id: 'close-individuals', min: 0, step: 1, inputmode: 'numeric' });
    const measures = h('textarea', { id: 'close-measures', rows: 3, maxlength: 4000 });
    const countRow = field({ label: t('incident.individuals'), control: individuals, help: t('incident.individualsHelp') });
    countRow.hidden = true;
    personal.addEventListener('change', () => { countRow.hidden = personal.value !== 'yes'; });
    const msg = h('div', { 'aria-live': 'assertive' });
    return h('section', { class: 'card', 'aria-labelledby': 'close-title' },
      h('h2', { id: 'close-title' }, t('incident.closeTitle')),
      h('p', { class: 'muted' }, t('incident.closeIntro')),
      h('form', { id: 'close-form', novalidate: true, onsubmit: async (ev) => {
        ev.preventDefault();
        const missing = [[cause, 'incident.cause'], [impact, 'incident.impact'], [personal, 'incident.personalData'], [measures, 'incident.closureMeasures']]
          .find(([el]) => !el.value.trim()) || (personal.value === 'yes' && individuals.value === '' ? [individuals, 'incident.individuals'] : null);
        if (missing) { replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('incident.needField', { field: t(missing[1]) }))); missing[0].focus(); return; }
        const yes = personal.value === 'yes';
        try {
          await run(`/incidents/${id}/close`, {
            cause: cause.value.trim(), impact: impact.value.trim(), measures: measures.value.trim(), personal_data_involved: yes,
            ...(yes ? { individuals_affected: Number(individuals.value) } : {}),
          }, t('incident.closed'));
        } catch (err) { replace(msg, errorBox(err)); }
      } },
      field({ label: t('incident.cause'), control: cause, required: true }),
      field({ label: t('incident.impact'), control: impact, required: true }),
      field({ label: t('incident.personalData'), control: personal, required: true }),
      countRow,
      field({ label: t('incident.closureMeasures'), control: measures, required: true }),
      msg,
      h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary', id: 'close-submit' }, t('incident.close')))));
  }

  // The authority's order of an extra inspection: shown to everyone who sees the incident.
  function inspectionPart() {
    const o = inc.inspection_order;
    if (o)
      return h('section', { class: 'card', 'aria-labelledby': 'inspection-title', id: 'inspection-order' },
        h('h2', { id: 'inspection-title' }, t('incident.inspectionOrdered')),
        h('dl', { class: 'facts' },
          h('dt', {}, t('incident.inspectionReason')), h('dd', { class: 'prewrap' }, o.reason),
          h('dt', {}, t('incident.inspectionDue')), h('dd', {}, o.due_date),
          h('dt', {}, t('incident.orderedAt')), h('dd', {}, formatDateTime(o.ordered_at))));
    if (!inc.can.order_inspection) return null;
    const reason = h('textarea', { id: 'order-reason', rows: 3, maxlength: 4000 });
    const due = h('input', { type: 'date', id: 'order-due' });
    const msg = h('div', { 'aria-live': 'assertive' });
    return h('section', { class: 'card', 'aria-labelledby': 'order-title' },
      h('h2', { id: 'order-title' }, t('incident.orderTitle')),
      h('p', { class: 'muted' }, t('incident.orderIntro')),
      h('form', { id: 'order-form', novalidate: true, onsubmit: async (ev) => {
        ev.preventDefault();
        const missing = [[reason, 'incident.inspectionReason'], [due, 'incident.inspectionDue']].find(([el]) => !el.value.trim());
        if (missing) { replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('incident.needField', { field: t(missing[1]) }))); missing[0].focus(); return; }
        try { await run(`/incidents/${id}/order_inspection`, { reason: reason.value.trim(), due_date: due.value }, t('incident.ordered')); } catch (err) { replace(msg, errorBox(err)); }
      } },
      field({ label: t('incident.inspectionReason'), control: reason, required: true }),
      field({ label: t('incident.inspectionDue'), control: due, required: true }),
      msg,
      h('div', { class: 'button-row' }, h('button', { type: 'submit', id: 'order-submit' }, t('incident.order')))));
  }
}
