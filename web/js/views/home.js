// home.js — the start screen of each party: the enterprise's workbench (what needs me now, its
// systems and filings by state), the provider's confirmations; authority and admin get their own.
import { h, replace } from '../dom.js';
import { t, name, formatDateTime } from '../i18n.js';
import { get, getAll, post } from '../api.js';
import { session, hasRole, orgKind, loadSchema, loadWorkflow, loadOrgs } from '../session.js';
import { sections, addWorkingDays } from '../schema.js';
import { renderSection, decorate } from '../form.js';
import { actionButtons, runAction } from '../actions.js';
import { filedSystemsSection } from './records.js';
import { openDialog, field, problemText, errorBox, toast, go, stateBadge, dueChip, filingTitle, emptyState } from '../ui.js';
import { filingsTable } from './common.js';
import { queueView } from './queue.js';
import { adminView } from './admin.js';
import { openIncidentsCard } from './incidents.js';

const ENDED = new Set(['rejected', 'withdrawn', 'cancelled', 'revoked']);

export async function homeView(main, params, query, ctx) {
  const kind = orgKind();
  if (kind === 'provider') return providerHome(main);
  if (kind === 'authority') return queueView(main, params, query, ctx);
  if (kind === 'platform') return adminView(main, params, query, ctx);
  return enterpriseHome(main, query);
}

const STATE_ORDER = ['draft', 'internal_check', 'provider_confirmation', 'submitted', 'under_review', 'rectification', 'filed', 'rejected', 'withdrawn', 'cancelled', 'revoked', 'minor_recorded'];

// ---- enterprise ------------------------------------------------------------------------------

async function enterpriseHome(main, query) {
  await Promise.all([loadSchema(), loadWorkflow(), loadOrgs()]);
  const [systems, filings] = await Promise.all([get('/systems'), getAll('/filings')]);
  const sys = systems.items || [];
  const canFile = hasRole('filer', 'org_admin');

  // What needs me now
  const needs = [];
  const rectDays = session.schema.deadlines?.rectification_working_days;
  if (hasRole('filer')) {
    for (const f of filings.filter((x) => x.state === 'draft'))
      needs.push({ f, kind: 'draft', text: t('needs.draft'), cta: t('needs.continue') });
    const inRect = filings.filter((x) => x.state === 'rectification');
    const notices = await Promise.all(inRect.map((f) => get(`/filings/${f.id}/rectifications`).catch(() => ({ items: [] }))));
    inRect.forEach((f, i) => {
      const open = (notices[i].items || []).find((n) => !n.closed_at);
      const openItems = open ? open.items.filter((it) => it.open).length : 0;
      const by = open && rectDays ? addWorkingDays(open.created_at.slice(0, 10), rectDays) : null;
      needs.push({ f, kind: 'rectification', text: t('needs.rect', { n: openItems }), due: by ? t('needs.resubmitBy', { date: by }) : null, cta: t('needs.rectify') });
    });
  }
  if (hasRole('checker'))
    for (const f of filings.filter((x) => x.state === 'internal_check'))
      needs.push({ f, kind: 'check', text: t('needs.check'), cta: t('needs.doCheck') });
  const waiting = filings.filter((x) => ['provider_confirmation', 'submitted', 'under_review'].includes(x.state));

  const needsBox = h('section', { class: 'card', 'aria-labelledby': 'needs-title', id: 'needs' },
    h('h2', { id: 'needs-title' }, t('needs.title')),
    needs.length ? h('ul', { class: 'needs-list' }, needs.map((n) => h('li', { class: ['need', `need-${n.kind}`], dataset: { filing: n.f.id, need: n.kind } },
      h('div', {}, h('a', { href: `/filings/${n.f.id}`, 'data-link': '' }, `${filingTitle(n.f)} #${n.f.id}`), ' ', stateBadge(n.f.state)),
      h('p', {}, n.text, n.due ? h('strong', { class: 'due due-soon' }, ` ${n.due}`) : null),
      h('a', { class: 'button small', href: `/filings/${n.f.id}`, 'data-link': '' }, n.cta))))
      : emptyState(t('needs.nothing')),
    waiting.length ? [h('h3', {}, t('needs.waiting')), h('ul', { class: 'needs-list compact' }, waiting.map((f) => h('li', { dataset: { filing: f.id } },
      h('a', { href: `/filings/${f.id}`, 'data-link': '' }, `${filingTitle(f)} #${f.id}`), ' ', stateBadge(f.state), ' ',
      f.due_at ? [t('needs.reviewDue'), ' ', dueChip(f)] : t(`needs.wait.${f.state}`))))] : null);

  // Systems
  const byState = (list) => {
    const c = {};
    for (const f of list) c[f.state] = (c[f.state] || 0) + 1;
    return c;
  };
  const systemsBox = h('section', { class: 'card', 'aria-labelledby': 'systems-title', id: 'systems' },
    h('div', { class: 'card-head' }, h('h2', { id: 'systems-title' }, t('systems.title')),
      canFile ? h('button', { type: 'button', class: 'primary', id: 'new-system', onclick: () => newSystem() }, t('systems.new')) : null),
    sys.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'systems-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('systems.name')), h('th', { scope: 'col' }, t('systems.description')), h('th', { scope: 'col' }, t('systems.filings')), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('systems.actions'))))),
      h('tbody', {}, sys.map((s) => {
        const mine = filings.filter((f) => f.system_id === s.id);
        const counts = byState(mine);
        return h('tr', { dataset: { system: s.id } },
          h('th', { scope: 'row' }, s.name),
          h('td', {}, s.description || '—'),
          h('td', {}, Object.keys(counts).length ? STATE_ORDER.filter((st) => counts[st]).map((st) => h('span', { class: 'state-count' }, stateBadge(st), ` ${counts[st]}`)) : t('systems.noFilings')),
          h('td', {}, canFile && hasRole('filer') ? h('button', { type: 'button', class: 'small', dataset: { newFiling: s.id }, 'aria-label': t('systems.newFilingFor', { name: s.name }), onclick: () => newFiling(s) }, t('systems.newFiling')) : null));
      })))) : emptyState(t('systems.none')));

  // Filings by state
  const counts = byState(filings);
  const chosen = query.get('state') && counts[query.get('state')] ? query.get('state') : '';
  const tableBox = h('div');
  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': t('filings.byState') });
  const drawChips = (sel) => {
    replace(chips, ['', ...STATE_ORDER.filter((s) => counts[s])].map((s) => h('button', {
      type: 'button', class: 'chip', 'aria-pressed': String(s === sel), dataset: { stateFilter: s || 'all' },
      onclick: () => {
        const q = new URLSearchParams(location.search);
        if (s) q.set('state', s); else q.delete('state');
        history.replaceState(null, '', `${location.pathname}${q.toString() ? `?${q}` : ''}`);
        drawChips(s);
        drawTable(s);
      },
    }, s ? name('state', s) : t('filings.all'), ` (${s ? counts[s] : filings.length})`)));
  };
  const drawTable = (sel) => replace(tableBox, filingsTable(sel ? filings.filter((f) => f.state === sel) : filings,
    ['id', 'system', 'kind', 'state', 'number', 'updated', 'due'], { caption: t('filings.title'), id: 'filings-table' }));
  drawChips(chosen);
  drawTable(chosen);
  const filingsBox = h('section', { class: 'card', 'aria-labelledby': 'filings-title', id: 'filings' },
    h('h2', { id: 'filings-title' }, t('filings.title')), chips, tableBox);

  main.append(h('div', { class: 'page' },
    h('h1', {}, t('home.enterprise')),
    h('p', { class: 'muted' }, session.me.org.name),
    h('div', { class: 'grid-2' }, needsBox, systemsBox), await filedSystemsSection(), await openIncidentsCard(), filingsBox));

  async function newSystem() {
    const created = await openDialog({
      title: t('systems.new'),
      build(body, close) {
        const nameIn = h('input', { type: 'text', id: 'system-name', maxlength: 200, required: true });
        const desc = h('textarea', { id: 'system-description', rows: 3, maxlength: 2000 });
        const msg = h('div', { 'aria-live': 'assertive' });
        body.append(h('form', {
          novalidate: true,
          onsubmit: async (ev) => {
            ev.preventDefault();
            if (!nameIn.value.trim()) { replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('systems.needName'))); nameIn.focus(); return; }
            try {
              const s = await post('/systems', { name: nameIn.value.trim(), ...(desc.value.trim() ? { description: desc.value.trim() } : {}) });
              close(s);
            } catch (err) { replace(msg, errorBox(err)); }
          },
        }, field({ label: t('systems.name'), control: nameIn, required: true }), field({ label: t('systems.description'), control: desc }), msg,
        h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary', id: 'system-create' }, t('common.create')), h('button', { type: 'button', onclick: () => close(undefined) }, t('common.cancel')))));
      },
    });
    if (created) { toast(t('systems.created', { name: created.name }), 'ok'); go(location.pathname + location.search, { replace: true }); }
  }

  // "New filing" on a system that already has an initial filing (a draft, under way or filed)
  // offers to continue that one, or on a filed system to report a change, instead of a second
  // initial filing (which the server refuses, 409, once one is under way or filed).
  async function newFiling(s) {
    const open = filings.filter((f) => f.system_id === s.id && f.kind === 'initial' && !ENDED.has(f.state)).sort((a, b) => b.id - a.id)[0];
    if (open) return offerContinue(s, open);
    try {
      const f = await post('/filings', { system_id: s.id, kind: 'initial' });
      toast(t('filings.created', { id: f.id }), 'ok');
      go(`/filings/${f.id}`);
    } catch (err) {
      const other = err.status === 409 && err.problem?.filing_id;
      if (other) return offerContinue(s, await get(`/filings/${other}`));
      toast(problemText(err), 'error');
    }
    return undefined;
  }

  async function offerContinue(s, f) {
    const filed = f.state === 'filed';
    const choice = await openDialog({
      title: t('newFiling.title', { name: s.name }),
      build(body, close) {
        body.append(h('p', { id: 'new-filing-why' }, filed ? t('newFiling.filed', { number: f.number || '—' }) : t('newFiling.open', { state: name('state', f.state) })),
          h('div', { class: 'button-row' },
            filed ? h('button', { type: 'button', class: 'primary', id: 'new-filing-change', onclick: () => close('change') }, t('newFiling.reportChange')) : null,
            h('button', { type: 'button', class: filed ? null : 'primary', id: 'new-filing-continue', onclick: () => close('open') },
              t(filed ? 'newFiling.openRecord' : 'newFiling.continue')),
            h('button', { type: 'button', onclick: () => close(undefined) }, t('common.cancel'))));
      },
    });
    if (choice === 'open') go(`/filings/${f.id}`);
    if (choice === 'change') {
      const out = await runAction(await get(`/filings/${f.id}`), 'report_change');
      if (out?.change_filing) go(`/filings/${out.change_filing.id}?done=report_change`);
    }
  }
}

// ---- provider ---------------------------------------------------------------------------------

async function providerHome(main) {
  await Promise.all([loadSchema(), loadWorkflow(), loadOrgs()]);
  const all = await getAll('/filings');
  const waiting = all.filter((f) => f.state === 'provider_confirmation');
  const details = await Promise.all(waiting.map((f) => get(`/filings/${f.id}`)));
  const provSection = sections().find((s) => s.key === 'provider');
  const list = h('div', { class: 'confirmations', id: 'confirmations' });
  for (const f of details) {
    const sectionEl = provSection ? renderSection(provSection, { doc: f.document || {}, readonly: true }) : null;
    if (sectionEl) decorate(sectionEl, (f.findings || []).filter((x) => x.path.startsWith('/provider')));
    list.append(h('article', { class: 'card confirmation', dataset: { filing: f.id }, 'aria-labelledby': `conf-${f.id}` },
      h('div', { class: 'card-head' },
        h('h2', { id: `conf-${f.id}` }, h('a', { href: `/filings/${f.id}`, 'data-link': '' }, `${filingTitle(f)} #${f.id}`)),
        stateBadge(f.state)),
      h('dl', { class: 'facts inline-facts' },
        h('dt', {}, t('filing.subject')), h('dd', {}, f.subject_name || '—'),
        h('dt', {}, t('filing.kind')), h('dd', {}, name('kind', f.kind)),
        h('dt', {}, t('col.updated')), h('dd', {}, formatDateTime(f.updated_at))),
      h('div', { class: 'button-row' }, actionButtons(f, {
        onDone: (out, action) => { toast(t('action.done', { action: name('action', action) }), 'ok'); go('/', { replace: true }); },
      })),
      sectionEl));
  }
  main.append(h('div', { class: 'page' },
    h('h1', {}, t('home.provider')),
    h('p', { class: 'muted' }, t('provider.intro')),
    h('section', { 'aria-labelledby': 'waiting-title' }, h('h2', { id: 'waiting-title' }, t('provider.waiting', { n: waiting.length })),
      waiting.length ? list : emptyState(t('provider.none'))),
    h('section', { class: 'card', 'aria-labelledby': 'hosted-title' }, h('h2', { id: 'hosted-title' }, t('provider.all')),
      filingsTable(all, ['id', 'system', 'subject', 'state', 'number', 'updated'], { id: 'provider-filings' }))));
}
