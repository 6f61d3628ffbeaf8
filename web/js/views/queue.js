// queue.js — the authority's review queue (the admin's list of all filings): filters by state,
// region and type, a search, and each filing's due date coloured by how close it is.
import { h, replace, debounce } from '../dom.js';
import { t, name, L } from '../i18n.js';
import { getAll } from '../api.js';
import { session, loadSchema, loadOrgs } from '../session.js';
import { dueStatus } from '../schema.js';
import { field, errorBox } from '../ui.js';
import { filingsTable } from './common.js';

const STATES = ['draft', 'internal_check', 'provider_confirmation', 'submitted', 'under_review', 'rectification', 'filed', 'rejected', 'withdrawn', 'cancelled', 'revoked', 'minor_recorded'];
const OPEN = new Set(['submitted', 'under_review', 'rectification']);
const TYPES = ['simplified', 'standard', 'strict'];

// Regions an authority may filter by: those of its jurisdiction (a province covers its cities).
function regionChoices() {
  const regions = session.schema?.regions || {};
  const jur = session.me.org.kind === 'authority' ? session.me.org.jurisdiction || [] : [];
  const covers = (code) => !jur.length || jur.some((j) => j === code || (j.endsWith('0000') && code.startsWith(j.slice(0, 2))) || (j.endsWith('00') && code.startsWith(j.slice(0, 4))));
  return Object.entries(regions).filter(([code]) => covers(code)).sort(([a], [b]) => a.localeCompare(b));
}

export async function queueView(main, params, query) {
  await Promise.all([loadSchema(), loadOrgs()]);
  const isAuthority = session.me.org.kind === 'authority';
  const state = h('select', { id: 'filter-state' },
    h('option', { value: 'open' }, t('queue.open')), h('option', { value: '' }, t('queue.allStates')),
    STATES.map((s) => h('option', { value: s }, name('state', s))));
  const region = h('select', { id: 'filter-region' }, h('option', { value: '' }, t('queue.allRegions')),
    regionChoices().map(([code, label]) => h('option', { value: code }, `${L(label)} (${code})`)));
  const type = h('select', { id: 'filter-type' }, h('option', { value: '' }, t('queue.allTypes')), TYPES.map((x) => h('option', { value: x }, name('ftype', x))));
  const q = h('input', { type: 'search', id: 'filter-q', maxlength: 200, placeholder: t('queue.searchPlaceholder') });
  state.value = query.get('state') ?? (isAuthority ? 'open' : '');
  region.value = query.get('region') || '';
  type.value = query.get('type') || '';
  q.value = query.get('q') || '';
  const out = h('div', { id: 'queue-out', 'aria-live': 'polite' });

  async function load() {
    const p = new URLSearchParams();
    if (state.value && state.value !== 'open') p.set('state', state.value);
    if (region.value) p.set('region', region.value);
    if (type.value) p.set('type', type.value);
    if (q.value.trim()) p.set('q', q.value.trim());
    const shown = new URLSearchParams(p);
    if (state.value === 'open') shown.set('state', 'open');
    if (!state.value) shown.set('state', '');
    history.replaceState(null, '', `${location.pathname}?${shown}`);
    replace(out, h('p', { class: 'loading' }, t('common.loading')));
    try {
      let items = await getAll(`/filings${p.toString() ? `?${p}` : ''}`);
      // open: what awaits the authority, including minor changes it may still object to
      if (state.value === 'open') items = items.filter((f) => OPEN.has(f.state) || f.objection_open);
      const rank = { overdue: 0, soon: 1, ok: 2, paused: 3, none: 4 };
      items.sort((a, b) => (rank[dueStatus(a).cls] - rank[dueStatus(b).cls]) || String(a.due_at || '9').localeCompare(String(b.due_at || '9')) || b.id - a.id);
      const counts = { overdue: 0, soon: 0, ok: 0 };
      for (const f of items) { const c = dueStatus(f).cls; if (c in counts) counts[c]++; }
      replace(out,
        h('p', { class: 'queue-summary', id: 'queue-summary' }, t('queue.count', { n: items.length }), ' ',
          h('span', { class: 'due due-overdue' }, t('queue.legendOverdue', { n: counts.overdue })), ' ',
          h('span', { class: 'due due-soon' }, t('queue.legendSoon', { n: counts.soon })), ' ',
          h('span', { class: 'due due-ok' }, t('queue.legendOk', { n: counts.ok }))),
        filingsTable(items, ['id', 'system', 'subject', 'state', 'type', 'region', 'number', 'submitted', 'due'], { caption: t('queue.title'), id: 'queue-table' }));
    } catch (err) { replace(out, errorBox(err)); }
  }
  const later = debounce(load, 350);
  for (const s of [state, region, type]) s.addEventListener('change', load);
  q.addEventListener('input', later);

  main.append(h('div', { class: 'page' },
    h('h1', {}, isAuthority ? t('queue.title') : t('queue.allTitle')),
    h('form', { class: 'card filters', role: 'search', 'aria-label': t('queue.filters'), onsubmit: (ev) => { ev.preventDefault(); later.cancel(); load(); } },
      field({ label: t('queue.state'), control: state }),
      field({ label: t('queue.region'), control: region }),
      field({ label: t('queue.type'), control: type }),
      field({ label: t('queue.search'), control: q, help: t('queue.searchHelp') }),
      h('div', { class: 'button-row' }, h('button', { type: 'submit' }, t('queue.apply')))),
    out));
  await load();
}
