// dashboard.js — the figures of the filings the caller may see, from one answer of the server
// (GET /statistics: counted there, never by fetching every filing into the browser): filings by
// state, by type, by region, decisions per month, review turnaround in working days, what is
// overdue; and the register to download as CSV or XLSX (GET /exports/register.csv|.xlsx).
import { h } from '../dom.js';
import { t, name, L, getLang } from '../i18n.js';
import { get } from '../api.js';
import { session, loadSchema } from '../session.js';
import { barChart, monthChart, figureList } from '../charts.js';

const OPEN_STATES = ['submitted', 'under_review', 'rectification'];

// {code: n} → [[code, n]], largest first (ties by code, so the order is stable).
const ranked = (counts) => Object.entries(counts || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

// The twelve months up to the server's today, as "YYYY-MM".
function lastTwelveMonths(asOf) {
  const [y, m] = asOf.split('-').map(Number);
  return Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 12 + i, 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

export async function dashboardView(main) {
  await loadSchema();
  const st = await get('/statistics');
  const regions = session.schema.regions || {};
  const typeNames = session.schema.deadlines?.filing_types || {};
  const byState = ranked(st.by_state).map(([k, v]) => ({ label: name('state', k), value: v, cls: `s-${k}` }));
  const byType = ranked(st.by_type).map(([k, v]) => ({
    label: k ? (typeNames[k] ? L(typeNames[k]) : name('ftype', k)) : t('dashboard.unclassified'), value: v, cls: `t-${k || 'none'}`,
  }));
  const byRegion = ranked(st.by_region).slice(0, 12).map(([k, v]) => ({ label: regions[k] ? L(regions[k]) : (k || '—'), value: v }));
  const months = lastTwelveMonths(st.as_of);
  const month = Object.fromEntries(st.by_month.map((x) => [x.month, x]));
  const series = (key) => months.map((m) => month[m]?.[key] || 0);
  const open = OPEN_STATES.reduce((n, s) => n + (st.by_state[s] || 0), 0);
  const turnaround = st.review_turnaround;
  const days = (v) => (v === null || v === undefined ? '—' : String(v));
  const o = st.overdue;
  const lang = getLang() === 'en' ? '?lang=en' : '';
  main.append(h('div', { class: 'page' },
    h('h1', {}, t('dashboard.title')),
    h('p', { class: 'muted', id: 'dashboard-as-of' }, t('dashboard.asOf', { date: st.as_of })),
    h('div', { class: 'stats' },
      stat(t('dashboard.total'), st.total, 'stat-total'),
      stat(t('dashboard.open'), open, 'stat-open'),
      stat(t('dashboard.filed'), st.by_state.filed || 0, 'stat-filed'),
      stat(t('dashboard.turnaroundMedian'), days(turnaround.median_working_days), 'stat-turnaround-median'),
      stat(t('dashboard.turnaroundP90'), days(turnaround.p90_working_days), 'stat-turnaround-p90')),
    h('p', { class: 'muted', id: 'dashboard-reviews' }, t('dashboard.reviews', { n: turnaround.reviews })),
    h('p', { class: 'button-row', id: 'register-export' },
      h('a', { class: 'button', href: `/api/v1/exports/register.xlsx${lang}`, download: '', id: 'export-xlsx' }, t('dashboard.exportXlsx')), ' ',
      h('a', { class: 'button', href: `/api/v1/exports/register.csv${lang}`, download: '', id: 'export-csv' }, t('dashboard.exportCsv'))),
    h('div', { class: 'grid-2 charts' },
      h('section', { class: 'card' }, barChart(t('dashboard.byState'), byState, { id: 'chart-state' })),
      h('section', { class: 'card' }, barChart(t('dashboard.byType'), byType, { id: 'chart-type' })),
      h('section', { class: 'card' }, barChart(t('dashboard.byRegion'), byRegion, { id: 'chart-region' })),
      h('section', { class: 'card' }, monthChart(t('dashboard.decisions'), months, [
        { label: t('dashboard.filedSeries'), cls: 'series-filed', values: series('filed') },
        { label: t('dashboard.rejectedSeries'), cls: 'series-rejected', values: series('rejected') },
      ], { id: 'chart-months' })),
      h('section', { class: 'card' }, figureList(t('dashboard.overdue'), [
        ['overdue-reviews', t('dashboard.overdueReviews'), o.reviews],
        ['overdue-inspections', t('dashboard.overdueInspections'), o.inspections],
        ['overdue-ordered', t('dashboard.overdueOrdered'), o.ordered_inspections],
        ['overdue-changes', t('dashboard.changesLate'), o.change_reports_late],
        ['overdue-standing', t('dashboard.standingErrors'), o.records_with_standing_errors],
        ['overdue-incidents-late', t('dashboard.incidentsLate'), o.incidents_late_first_report],
        ['overdue-incidents-closure', t('dashboard.incidentsOverdue'), o.incidents_closure_overdue],
      ], { id: 'overdue' })))));
}

function stat(label, value, id) {
  return h('div', { class: 'stat card', id }, h('span', { class: 'stat-value' }, String(value)), h('span', { class: 'stat-label' }, label));
}
