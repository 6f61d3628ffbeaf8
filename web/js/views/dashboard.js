// dashboard.js — the authority's (and admin's) figures, from GET /filings: filings by state, by
// type, by region, and decisions per month.
import { h } from '../dom.js';
import { t, name, L } from '../i18n.js';
import { getAll } from '../api.js';
import { session, loadSchema } from '../session.js';
import { barChart, monthChart } from '../charts.js';

export async function dashboardView(main) {
  await loadSchema();
  const filings = await getAll('/filings');
  const count = (key) => {
    const m = new Map();
    for (const f of filings) { const k = key(f); m.set(k, (m.get(k) || 0) + 1); }
    return [...m.entries()].sort((a, b) => b[1] - a[1]);
  };
  const byState = count((f) => f.state).map(([k, v]) => ({ label: name('state', k), value: v, cls: `s-${k}` }));
  const byType = count((f) => f.type || '').map(([k, v]) => ({ label: k ? name('ftype', k) : t('dashboard.unclassified'), value: v, cls: `t-${k || 'none'}` }));
  const regions = session.schema.regions || {};
  const byRegion = count((f) => f.region || '').slice(0, 12).map(([k, v]) => ({ label: regions[k] ? `${L(regions[k])}` : (k || '—'), value: v }));

  // decisions per month over the last 12 months: filed (filed_at) and rejected (updated_at)
  const months = [];
  const d = new Date();
  d.setDate(1);
  for (let i = 11; i >= 0; i--) {
    const m = new Date(d.getFullYear(), d.getMonth() - i, 1);
    months.push(`${m.getFullYear()}-${String(m.getMonth() + 1).padStart(2, '0')}`);
  }
  const filed = months.map(() => 0);
  const rejected = months.map(() => 0);
  for (const f of filings) {
    if (f.filed_at) { const i = months.indexOf(f.filed_at.slice(0, 7)); if (i >= 0) filed[i]++; }
    if (f.state === 'rejected') { const i = months.indexOf((f.decided_at || f.updated_at || '').slice(0, 7)); if (i >= 0) rejected[i]++; }
  }
  const open = filings.filter((f) => ['submitted', 'under_review', 'rectification'].includes(f.state)).length;
  main.append(h('div', { class: 'page' },
    h('h1', {}, t('dashboard.title')),
    h('div', { class: 'stats' },
      stat(t('dashboard.total'), filings.length, 'stat-total'),
      stat(t('dashboard.open'), open, 'stat-open'),
      stat(t('dashboard.filed'), filings.filter((f) => f.state === 'filed').length, 'stat-filed')),
    h('div', { class: 'grid-2 charts' },
      h('section', { class: 'card' }, barChart(t('dashboard.byState'), byState, { id: 'chart-state' })),
      h('section', { class: 'card' }, barChart(t('dashboard.byType'), byType, { id: 'chart-type' })),
      h('section', { class: 'card' }, barChart(t('dashboard.byRegion'), byRegion, { id: 'chart-region' })),
      h('section', { class: 'card' }, monthChart(t('dashboard.decisions'), months, [
        { label: t('dashboard.filedSeries'), cls: 'series-filed', values: filed },
        { label: t('dashboard.rejectedSeries'), cls: 'series-rejected', values: rejected },
      ], { id: 'chart-months' })))));
}

function stat(label, value, id) {
  return h('div', { class: 'stat card', id }, h('span', { class: 'stat-value' }, String(value)), h('span', { class: 'stat-label' }, label));
}
