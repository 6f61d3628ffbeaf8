// filing.js — one filing: the editor (filer, draft or rectification) or the read view (checker,
// provider, reviewer, admin), with findings at their fields and as a list, derived values, the
// workflow actions, rectification items, the history and the versions side by side.
import { h, replace, clear, debounce } from '../dom.js';
import { t, name, L, formatDateTime, levelName, formatDate, countryName } from '../i18n.js';
import { api, get, post, ApiError } from '../api.js';
import { session, hasRole, loadSchema, loadWorkflow, loadOrgs, loadUsers } from '../session.js';
import { sections, sectionOf, labelOf, mergePatch, leafRows, formatValue, regionName, addWorkingDays } from '../schema.js';
import { renderSection, decorate, wrapperFor, controlId } from '../form.js';
import { materialMeta, materialLink, materialChoice, uploadControl, kindLabel, materialFieldFor } from '../materials.js';
import { actionButtons } from '../actions.js';
import { renderRecordTab } from './record.js';
import { canEvaluate } from './evaluation.js';
import { incidentLinks } from './incidents.js';
import { stateBadge, dueChip, tabs, toast, problemText, go, openDialog, filingTitle, errorBox, technicalDetails } from '../ui.js';
import { guidancePanel } from './guidance.js';
import { personOf } from './people.js';

const EDITABLE_STATES = new Set(['draft', 'rectification']);
const SAVE_DELAY_MS = 600;

export async function filingView(main, params, query) {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id <= 0) throw new Error(t('filing.notFound'));
  await Promise.all([loadSchema(), loadWorkflow(), loadOrgs()]);
  let filing;
  try {
    filing = await get(`/filings/${id}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      main.append(h('div', { class: 'page' }, h('h1', { id: 'filing-missing' }, t('filing.notFound')), h('p', {}, t('filing.notFoundText')),
        h('p', {}, h('a', { href: '/', 'data-link': '' }, t('notfound.home')))));
      return null;
    }
    throw err;
  }
  const me = session.me;
  const providers = [...session.orgs.values()].filter((o) => o.kind === 'provider');
  if (me.org.kind === 'enterprise') {
    // the enterprise may choose any registered provider
    try { const all = await get('/orgs?kind=provider'); providers.splice(0, providers.length, ...all.items); } catch { /* keep what we have */ }
  }

  const st = {
    filing,
    doc: structuredClone(filing.document || {}),
    saved: structuredClone(filing.document || {}),
    etag: filing.etag,
    saving: null,
    again: false,
    status: 'saved',
    step: sections().some((s) => s.key === query.get('step')) ? query.get('step') : sections()[0]?.key,
    rects: [],
    pending: [],
    tab: query.get('tab') || 'form',
    lastAction: query.get('done') || null,   // the action that led here (a change report opens its change filing)
    certificate: null,
  };
  if (st.lastAction) {
    const q = new URLSearchParams(location.search);
    q.delete('done');
    history.replaceState(null, '', `${location.pathname}${q.toString() ? `?${q}` : ''}`);
  }
  async function loadCertificate() {
    st.certificate = st.filing.state === 'filed' ? await get(`/filings/${id}/certificate`).catch(() => null) : null;
  }
  await loadCertificate();
  const editable = () => EDITABLE_STATES.has(st.filing.state) && hasRole('filer') && st.filing.org_id === me.org.id;
  const canRequestItems = () => (st.filing.allowed_actions || []).includes('request_rectification');
  async function loadRects() {
    try { st.rects = (await get(`/filings/${id}/rectifications`)).items || []; } catch { st.rects = []; }
  }
  await loadRects();
  // the reviewer's rectification request in preparation: a draft kept on the server
  st.draft = { state: 'saved', at: null, seq: 0, saving: null, restored: 0 };
  if (canRequestItems()) {
    try {
      const d = await get(`/filings/${id}/rectification-draft`);
      st.pending = Array.isArray(d.items) ? d.items : [];
      st.draft.at = d.updated_at;
      st.draft.restored = st.pending.length;
    } catch { /* no draft to restore */ }
  }
  // the overridable rules of the filing's pack, and the override requests of the filing
  const overridable = new Set();
  const ruleTitles = new Map();   // rule id → {zh, en}: a rule is named by its title, not its id
  const ruleName = (rule) => (ruleTitles.has(rule) ? L(ruleTitles.get(rule)) : t('override.thisRule'));
  try {
    const [packId, packVersion] = String(filing.pack || '').split('@');
    if (packId && packVersion) {
      const rules = await get(`/policy/packs/${encodeURIComponent(packId)}/${encodeURIComponent(packVersion)}/rules`);
      for (const r of rules.items || []) {
        if (r.overridable) overridable.add(r.id);
        if (r.title) ruleTitles.set(r.id, r.title);
      }
    }
  } catch { /* no override requests then */ }
  st.overrides = [];
  async function loadOverrides() {
    try { st.overrides = (await get(`/filings/${id}/overrides`)).items || []; } catch { st.overrides = []; }
  }
  await loadOverrides();
  const canAskOverride = (f) => editable() && f.rule && overridable.has(f.rule) && !f.overridden
    && !st.overrides.some((o) => o.rule === f.rule && (o.state === 'requested' || o.state === 'accepted'));
  const canDecide = () => st.filing.state === 'under_review' && hasRole('reviewer');

  // ---- layout -----------------------------------------------------------------------------
  const head = h('div', { class: 'filing-head' });
  const page = h('div', { class: 'page filing-page', dataset: { filingId: id } }, head);
  main.append(page);

  function drawHead() {
    const f = st.filing;
    const provider = session.orgs.get(f.provider_org_id) || providers.find((o) => o.id === f.provider_org_id);
    const authority = session.orgs.get(f.authority_org_id);
    replace(head,
      h('p', { class: 'crumbs' }, h('a', { href: '/', 'data-link': '' }, t('nav.home')), ' › ', t('filing.crumb', { id: f.id })),
      h('h1', { id: 'filing-title' }, filingTitle(f), ' ', stateBadge(f.state)),
      guidancePanel(f, { lastAction: st.lastAction, certificate: st.certificate, rectDue: rectDue() }),
      h('dl', { class: 'facts inline-facts' },
        h('dt', {}, t('filing.id')), h('dd', {}, `#${f.id}`),
        h('dt', {}, t('filing.kind')), h('dd', {}, name('kind', f.kind)),
        f.number ? [h('dt', {}, t('filing.number')), h('dd', { id: 'filing-number' }, f.number)] : null,
        f.record_number ? [h('dt', {}, t('filing.recordNumber')), h('dd', {}, f.record_number)] : null,
        h('dt', {}, t('filing.subject')), h('dd', {}, f.subject_name || '—'),
        h('dt', {}, t('filing.region')), h('dd', {}, regionName(f.region)),
        f.level ? [h('dt', {}, t('col.level')), h('dd', {}, levelName(f.level))] : null,
        f.type ? [h('dt', {}, t('col.type')), h('dd', { id: 'filing-type' }, name('ftype', f.type))] : null,
        provider ? [h('dt', {}, t('filing.provider')), h('dd', {}, provider.name)] : null,
        authority ? [h('dt', {}, t('filing.authority')), h('dd', {}, authority.name)] : null,
        h('dt', {}, t('filing.version')), h('dd', {}, f.current_version ? `v${f.current_version}` : t('filing.noVersion')),
        f.due_at && ['submitted', 'under_review', 'rectification'].includes(f.state) ? [h('dt', {}, t('filing.due')), h('dd', {}, dueChip(f))] : null,
        f.parent_id ? [h('dt', {}, t('filing.parent')), h('dd', {}, h('a', { href: `/filings/${f.parent_id}`, 'data-link': '' }, `#${f.parent_id}`))] : null,
        f.kind === 'change' ? changeFacts(f) : null),
      incidentLinks(f));
  }

  // The day the open rectification notice must be answered by (the pack's working days), or null.
  function rectDue() {
    const days = session.schema.deadlines?.rectification_working_days;
    const open = st.rects.find((n) => !n.closed_at);
    return open && days ? addWorkingDays(open.created_at.slice(0, 10), days) : null;
  }

  // A change report: its class (the pack's), the day it took effect, late or not, the objection window.
  function changeFacts(f) {
    return [
      f.change_class ? [h('dt', {}, t('change.class')), h('dd', { id: 'change-class', dataset: { class: f.change_class } }, t(`change.${f.change_class}`))] : null,
      f.effective_on ? [h('dt', {}, t('change.effectiveOn')), h('dd', {}, formatDate(f.effective_on))] : null,
      [h('dt', {}, t('change.reporting')), h('dd', { id: 'change-late', class: f.late ? 'error-text' : null },
        f.late ? [t('change.late'), f.late_reason ? `：${L(f.late_reason)}` : ''] : t('change.onTime'))],
      f.objection_due ? [h('dt', {}, t('change.objectionDue')), h('dd', {}, formatDate(f.objection_due), ' ',
        f.state === 'minor_recorded' ? h('span', { class: 'badge' }, t(f.final ? 'change.final' : 'change.objectionOpen')) : null)] : null,
    ];
  }

  const tabItems = [
    { key: 'form', label: t('filing.tabForm'), render: renderFormTab },
    { key: 'rectification', label: t('filing.tabRect'), render: renderRectTab },
    { key: 'history', label: t('filing.tabHistory'), render: renderHistoryTab },
    { key: 'versions', label: t('filing.tabVersions'), render: renderVersionsTab },
  ];
  // a filed record: what follows the number (self-inspections, standing findings) — views/record.js
  if (filing.state === 'filed' && filing.kind === 'initial')
    tabItems.push({ key: 'record', label: t('filing.tabRecord'), render: (panel) => renderRecordTab(panel, st.filing) });
  const tb = tabs(tabItems, st.tab, (key) => {
    st.tab = key;
    const q = new URLSearchParams(location.search);
    q.set('tab', key);
    history.replaceState(null, '', `${location.pathname}?${q}`);
  });
  page.append(tb.list, tb.panel);
  drawHead();

  // ---- the form tab -----------------------------------------------------------------------
  let formEls = null;   // {steps, sectionBox, side, status, findingsList, derivedBox, actionsBox, pendingBox}

  function renderFormTab(panel) {
    const status = h('p', { class: 'save-status', id: 'save-status', role: 'status', 'aria-live': 'polite' });
    const steps = h('nav', { class: 'steps', 'aria-label': t('form.steps') });
    const sectionBox = h('div', { class: 'section-box' });
    const findingsList = h('div', { class: 'findings-list', id: 'findings-list' });
    const derivedBox = h('div', { class: 'derived', id: 'derived' });
    const actionsBox = h('div', { class: 'actions', id: 'actions' });
    const pendingBox = h('div', { class: 'pending-items', id: 'pending-items' });
    const rectBox = h('div', { class: 'rect-summary', id: 'rect-summary' });
    const overridesBox = h('div', { class: 'overrides', id: 'overrides' });
    const side = h('aside', { class: 'filing-side', 'aria-label': t('filing.side') },
      editable() ? status : null,
      h('section', { class: 'side-card' }, h('h2', {}, t('filing.actions')), actionsBox),
      canRequestItems() ? h('section', { class: 'side-card' }, h('h2', {}, t('rect.pending')), pendingBox) : null,
      st.rects.some((n) => !n.closed_at) ? h('section', { class: 'side-card' }, h('h2', {}, t('rect.openNotice')), rectBox) : null,
      h('section', { class: 'side-card' }, h('h2', {}, t('filing.derived')), derivedBox),
      overridable.size || st.overrides.length ? h('section', { class: 'side-card' }, h('h2', { id: 'overrides-title' }, t('override.title')), overridesBox) : null,
      h('section', { class: 'side-card' }, h('h2', { id: 'findings-title' }, t('filing.findings')), findingsList));
    panel.append(h('div', { class: 'editor' }, steps, h('div', { class: 'editor-main' }, sectionBox), side));
    formEls = { steps, sectionBox, side, status, findingsList, derivedBox, actionsBox, pendingBox, rectBox, overridesBox };
    drawSteps();
    drawSection();
    drawFindings();
    drawDerived();
    drawActions();
    drawPending();
    drawRectSummary();
    drawOverrides();
    setStatus(st.status);
  }

  // The open rectification items, which are answered, each a link to its field.
  function drawRectSummary() {
    if (!formEls?.rectBox) return;
    const items = openItems();
    const open = items.filter((it) => it.open).length;
    replace(formEls.rectBox,
      h('p', { class: open ? 'warning-text' : 'ok-text' }, open ? t('rect.openN', { n: open }) : t('rect.allAnswered')),
      h('ul', { class: 'finding-links' }, items.map((it) => h('li', { class: it.open ? 'sev-warning' : 'sev-info' },
        h('button', { type: 'button', class: 'link-button', onclick: () => jumpTo(it.path) }, labelOf(it.path)),
        ` — ${it.open ? t('rect.stateOpen') : t('rect.stateAnswered')}${it.field_changed ? ` · ${t('rect.fieldChanged')}` : ''}`))));
  }

  const sectionFindings = (key) => (st.filing.findings || []).filter((f) => sectionOf(f.path) === key);

  function drawSteps() {
    if (!formEls) return;
    const secs = sections();
    const done = secs.filter((s) => !sectionFindings(s.key).some((f) => f.severity === 'error')).length;
    const list = h('ol', { class: 'step-list' });
    secs.forEach((s, i) => {
      const fs = sectionFindings(s.key);
      const errors = fs.filter((f) => f.severity === 'error').length;
      const warnings = fs.length - errors;
      const items = openItems().filter((it) => sectionOf(it.path) === s.key).length;
      list.append(h('li', {}, h('button', {
        type: 'button', class: ['step', s.key === st.step && 'current', errors === 0 && 'complete'],
        'aria-current': s.key === st.step ? 'step' : null, dataset: { step: s.key },
        onclick: () => { goStep(s.key); },
      },
      h('span', { class: 'step-n' }, errors === 0 ? '✓' : String(i + 1)),
      h('span', { class: 'step-label' }, L(s.label)),
      errors ? h('span', { class: 'count count-error', dataset: { count: errors }, title: t('form.errorsN', { n: errors }) }, String(errors), h('span', { class: 'sr-only' }, ` ${t('form.errorsN', { n: errors })}`)) : null,
      warnings ? h('span', { class: 'count count-warning', dataset: { count: warnings }, title: t('form.warningsN', { n: warnings }) }, String(warnings), h('span', { class: 'sr-only' }, ` ${t('form.warningsN', { n: warnings })}`)) : null,
      items ? h('span', { class: 'count count-item', dataset: { count: items }, title: t('rect.openN', { n: items }) }, String(items), h('span', { class: 'sr-only' }, ` ${t('rect.openN', { n: items })}`)) : null)));
    });
    replace(formEls.steps,
      h('div', { class: 'progress-box' },
        h('label', { for: 'form-progress' }, t('form.progress', { done, total: secs.length })),
        h('progress', { id: 'form-progress', max: secs.length, value: done })),
      list);
  }

  function formCtx() {
    return {
      doc: st.doc,
      readonly: !editable(),
      orgs: providers,
      evaluation: st.filing.provider_evaluation || null,
      onChange: () => { changed(); },
      onPick: canRequestItems() ? pickItem : null,
      afterRedraw: () => decorateNow(),
    };
  }

  function drawSection() {
    if (!formEls) return;
    const sec = sections().find((s) => s.key === st.step) || sections()[0];
    const idx = sections().indexOf(sec);
    const prev = sections()[idx - 1];
    const next = sections()[idx + 1];
    const secEl = renderSection(sec, formCtx());
    if (sec.key === 'provider' && editable()) attachProviderPicker(secEl, sec);
    replace(formEls.sectionBox,
      secEl,
      h('div', { class: 'step-nav' },
        prev ? h('button', { type: 'button', id: 'step-prev', onclick: () => goStep(prev.key, true) }, t('form.prev', { label: L(prev.label) })) : h('span'),
        next ? h('button', { type: 'button', class: 'primary', id: 'step-next', onclick: () => goStep(next.key, true) }, t('form.next', { label: L(next.label) })) : h('span')));
    decorateNow();
  }

  // ---- the provider's registry profile: choose a platform and tick data centres ------------
  const profiles = new Map();   // provider org id → its profile, or null (none / not readable)
  async function profileOf(orgId) {
    if (!profiles.has(orgId)) {
      profiles.set(orgId, get(`/providers/${orgId}/profile`).then((r) => r.profile || null).catch(() => null));
    }
    return profiles.get(orgId);
  }

  function attachProviderPicker(secEl, sec) {
    const orgWrap = secEl.querySelector('[data-path="/provider/provider_org"]');
    if (!orgWrap) return;
    const box = h('div', { class: 'provider-pick card', id: 'provider-pick', 'aria-live': 'polite' });
    orgWrap.after(box);
    const control = orgWrap.querySelector('select');
    control?.addEventListener('change', () => drawPicker(box, sec));
    drawPicker(box, sec);
  }

  async function drawPicker(box, sec) {
    const orgId = Number(st.doc.provider?.provider_org) || null;
    if (!orgId) { replace(box); box.hidden = true; return; }
    box.hidden = false;
    replace(box, h('p', { class: 'loading' }, t('pick.loading')));
    const prof = await profileOf(orgId);
    if ((Number(st.doc.provider?.provider_org) || null) !== orgId) return;   // changed meanwhile
    const platforms = Array.isArray(prof?.platforms) ? prof.platforms : [];
    const dcs = Array.isArray(prof?.data_centers) ? prof.data_centers : [];
    if (!platforms.length && !dcs.length) {
      replace(box, h('p', { class: 'muted', id: 'provider-pick-none' }, t('pick.none')));
      return;
    }
    const fieldDef = (key) => (sec.fields || []).find((f) => f.key === key);
    const cur = st.doc.provider || {};
    const platSel = h('select', { id: 'provider-platform' }, h('option', { value: '' }, t('form.choose')),
      platforms.map((p, i) => h('option', { value: i, selected: p.name === cur.platform_name },
        p.mlps_level ? `${p.name} · ${levelName(p.mlps_level)}` : p.name)));
    const chosenNames = new Set((Array.isArray(cur.data_centers) ? cur.data_centers : []).map((d) => d?.name));
    const anyChosen = dcs.some((d) => chosenNames.has(d.name));
    const boxes = dcs.map((d, i) => {
      const id = `provider-dc-${i}`;
      const where = [d.region_code ? regionName(d.region_code) : null, d.country ? countryName(d.country) : null].filter(Boolean).join(' · ');
      const role = d.role ? t(d.role === 'backup' ? 'profile.roleBackup' : 'profile.rolePrimary') : '';
      return h('div', { class: 'check' },
        h('input', { type: 'checkbox', id, value: i, checked: anyChosen ? chosenNames.has(d.name) : true }),
        h('label', { for: id }, d.name, where || role ? `（${[role, where].filter(Boolean).join('，')}）` : ''));
    });
    const msg = h('div', { 'aria-live': 'assertive' });
    const apply = () => {
      const pi = platSel.value === '' ? null : platforms[Number(platSel.value)];
      const ticked = boxes.map((b) => b.querySelector('input')).filter((c) => c.checked).map((c) => dcs[Number(c.value)]);
      if (!pi && !ticked.length) { replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('pick.needChoice'))); return; }
      const pv = { ...(st.doc.provider || {}) };
      if (pi) {
        pv.platform_name = pi.name;
        if (Number.isInteger(pi.mlps_level)) pv.platform_level = pi.mlps_level; else delete pv.platform_level;
        if (pi.filing_certificate_number) pv.platform_filing_number = pi.filing_certificate_number; else delete pv.platform_filing_number;
        const allowed = new Set((fieldDef('service_models')?.options || []).map((o) => o.value));
        const models = (Array.isArray(pi.service_models) ? pi.service_models : []).filter((m) => !allowed.size || allowed.has(m));
        if (models.length) pv.service_models = models;
      }
      if (ticked.length) {
        const keys = (fieldDef('data_centers')?.fields || []).map((f) => f.key);
        pv.data_centers = ticked.map((d) => {
          const out = {};
          for (const k of keys.length ? keys : ['name', 'region_code', 'country', 'role']) if (d[k] !== undefined && d[k] !== '') out[k] = d[k];
          return out;
        });
      }
      st.doc.provider = pv;
      drawSection();
      changed();
      toast(t('pick.applied'), 'ok');
      formEls.sectionBox.querySelector('#provider-apply')?.focus();
    };
    replace(box,
      h('h3', { id: 'provider-pick-title' }, t('pick.title')),
      h('p', { class: 'help' }, t('pick.intro')),
      platforms.length ? h('div', { class: 'form-row' }, h('label', { for: 'provider-platform' }, t('pick.platform')), platSel) : null,
      dcs.length ? h('fieldset', { class: 'checks-fieldset', id: 'provider-dcs' }, h('legend', {}, t('pick.dataCenters')), h('div', { class: 'checks' }, boxes)) : null,
      msg,
      h('div', { class: 'button-row' }, h('button', { type: 'button', class: 'small primary', id: 'provider-apply', onclick: apply }, t('pick.apply'))));
    // a provider with one platform: nothing to choose, so its platform and data centres are taken
    // at once into a section that has none yet (the filer may still change them)
    const untouched = !cur.platform_name && !(Array.isArray(cur.data_centers) && cur.data_centers.length);
    if (platforms.length === 1 && untouched) {
      platSel.value = '0';
      apply();
    }
  }

  function goStep(key, focusHeading = true) {
    st.step = key;
    const q = new URLSearchParams(location.search);
    q.set('step', key);
    q.set('tab', 'form');
    history.replaceState(null, '', `${location.pathname}?${q}`);
    drawSteps();
    drawSection();
    if (focusHeading) formEls.sectionBox.querySelector('h2')?.focus();
  }

  function openItems() {
    const out = [];
    for (const n of st.rects) if (!n.closed_at) for (const it of n.items) out.push({ ...it, notice: n });
    return out;
  }

  function renderItemAtField(it) {
    const box = h('div', { class: ['rect-item', it.open ? 'open' : 'answered'], dataset: { item: it.id } },
      h('p', {}, h('strong', {}, t('rect.itemLabel')), ' ', it.message),
      h('p', { class: 'item-state' }, it.open ? t('rect.stateOpen') : t('rect.stateAnswered'),
        it.field_changed ? ` · ${t('rect.fieldChanged')}` : ''),
      it.answer ? h('p', { class: 'item-answer' }, h('strong', {}, t('rect.answerLabel')), ' ', it.answer) : null);
    if (it.open && st.filing.state === 'rectification' && hasRole('filer') && st.filing.org_id === me.org.id)
      box.append(answerForm(it));
    return box;
  }

  function answerForm(it) {
    const ta = h('textarea', { id: `answer-${it.id}`, rows: 2, maxlength: 2000, class: 'answer-text' });
    const msg = h('div', { 'aria-live': 'assertive' });
    return h('form', {
      class: 'answer-form', novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        if (!ta.value.trim()) { replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('rect.needAnswer'))); ta.focus(); return; }
        try {
          await post(`/filings/${id}/rectifications/${it.notice.id}/items/${it.id}/answer`, { answer: ta.value.trim() });
          await loadRects();
          toast(t('rect.answered'), 'ok');
          decorateNow();
          drawSteps();
          drawRectSummary();
          if (st.tab === 'rectification') tb.select('rectification');
        } catch (err) { replace(msg, errorBox(err)); }
      },
    }, h('label', { for: ta.id }, t('rect.answerFor')), ta, msg, h('button', { type: 'submit', class: 'small primary' }, t('rect.answer')));
  }

  function decorateNow() {
    if (!formEls) return;
    const items = openItems();
    decorate(formEls.sectionBox, st.filing.findings || [], items, renderItemAtField, { findingExtra });
  }

  function drawFindings() {
    if (!formEls) return;
    const fs = [...(st.filing.findings || [])];
    const order = { error: 0, warning: 1, info: 2 };
    fs.sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3));
    if (!fs.length) { replace(formEls.findingsList, h('p', { class: 'ok-text', id: 'no-findings' }, t('filing.noFindings'))); return; }
    const errors = fs.filter((f) => f.severity === 'error').length;
    replace(formEls.findingsList,
      h('p', { class: 'muted' }, t('filing.findingsSummary', { errors: t('form.errorsN', { n: errors }), others: t('filing.othersN', { n: fs.length - errors }) })),
      h('ul', { class: 'finding-links' }, fs.map((f) => h('li', { class: `sev-${f.severity}` },
        h('button', {
          type: 'button', class: 'link-button finding-link', dataset: { path: f.path, rule: f.rule || '' },
          onclick: () => jumpTo(f.path),
        }, h('span', { class: 'sev' }, t(`severity.${f.severity || 'error'}`)), ' ', h('span', { class: 'finding-field' }, labelOf(f.path)), ': ', L(f.message)),
        f.overridden ? [' ', h('span', { class: 'badge overridden-mark' }, t('override.overridden'))] : null,
        findingExtra(f)))));
  }

  function drawDerived() {
    if (!formEls) return;
    const d = st.filing.derived || {};
    const kinds = new Map((session.schema.materials?.kinds || []).map((k) => [k.key, L(k.label)]));
    const level = d.level ?? st.filing.level;
    const type = d.filing_type ?? st.filing.type;
    const rows = [
      [t('derived.level'), level ? levelName(level) : '—'],
      [t('derived.type'), type ? name('ftype', type) : t('derived.pending')],
    ];
    const reasons = Array.isArray(d.filing_type_reasons) ? d.filing_type_reasons : [];
    const change = d.change && Array.isArray(d.change.reasons) ? d.change : null;
    const mats = Array.isArray(d.required_materials) ? d.required_materials : [];
    replace(formEls.derivedBox,
      h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
        d.cross_border_route !== undefined ? [h('dt', {}, t('derived.route')), h('dd', {}, d.cross_border_route ? name('route', d.cross_border_route) : t('derived.noRoute'))] : null,
        d.review_working_days ? [h('dt', {}, t('derived.reviewDays')), h('dd', {}, t('derived.days', { n: d.review_working_days }))] : null),
      reasons.length ? [h('h3', {}, t('derived.reasons')), h('ul', { class: 'reasons' }, reasons.map((r) => h('li', {}, L(r) || r.code)))] : null,
      change ? [h('h3', {}, t('change.reasons'), ' ', h('span', { class: 'badge' }, t(`change.${change.class}`))),
        h('ul', { class: 'reasons', id: 'change-reasons' }, change.reasons.map((r) => h('li', { dataset: { code: r.code } }, L(r) || r.code)))] : null,
      mats.length ? [h('h3', {}, t('derived.materials')), h('ul', { class: 'materials', id: 'required-materials' }, mats.map((m) => {
        // each kind links to the field that takes it (the pack's material_kind)
        const at = materialFieldFor(m);
        const label = kinds.get(m) || m;
        return h('li', { dataset: { kind: m, field: at || '' } }, at
          ? h('button', { type: 'button', class: 'link-button material-goto', 'aria-label': t('mat.goTo', { kind: label }), onclick: () => jumpTo(at) }, label)
          : label);
      }))] : null,
      !Object.keys(d).length ? h('p', { class: 'muted' }, t('derived.notYet')) : null);
    if (mats.length) markRequiredMaterials();
  }

  // Which of the required kinds are attached (a material of that kind named anywhere in the
  // document) and which are missing.
  async function markRequiredMaterials() {
    const ul = formEls?.derivedBox.querySelector('#required-materials');
    if (!ul) return;
    const ids = new Set();
    const collect = (defs, val) => {
      for (const d of defs || []) {
        const v = val?.[d.key];
        if (v === undefined || v === null) continue;
        if (d.type === 'material' && Number.isInteger(v)) ids.add(v);
        else if (d.type === 'material[]' && Array.isArray(v)) v.filter(Number.isInteger).forEach((x) => ids.add(x));
        else if (d.type === 'object') collect(d.fields, v);
        else if (d.type === 'list<object>' && Array.isArray(v)) v.forEach((e) => collect(d.fields, e));
      }
    };
    for (const sec of sections()) collect(sec.fields, st.doc[sec.key]);
    const metas = await Promise.all([...ids].map((x) => materialMeta(x)));
    const have = new Set(metas.filter(Boolean).map((m) => m.kind));
    if (!ul.isConnected) return;
    let missing = 0;
    for (const li of ul.querySelectorAll('li[data-kind]')) {
      const ok = have.has(li.dataset.kind);
      if (!ok) missing += 1;
      li.dataset.attached = ok ? 'yes' : 'no';
      li.classList.toggle('ok-text', ok);
      li.classList.toggle('warning-text', !ok);
      li.querySelector('.mat-state')?.remove();
      li.append(h('span', { class: 'mat-state' }, ` — ${ok ? t('upload.kindAttached') : t('upload.kindMissing')}`));
    }
    ul.dataset.missing = String(missing);
  }

  // ---- override requests ------------------------------------------------------------------
  function findingExtra(f) {
    return [evaluateLink(f), askButton(f)];
  }

  // PROVIDER-EVALUATION-MISSING: a link to the evaluation screen for the filing's provider.
  function evaluateLink(f) {
    if (f.rule !== 'PROVIDER-EVALUATION-MISSING' || !canEvaluate()) return null;
    const org = Number(st.doc.provider?.provider_org) || st.filing.provider_org_id;
    if (!org) return null;
    return [' ', h('a', { href: `/evaluate?org=${org}&from=${id}`, 'data-link': '', class: 'evaluate-link' }, t('eval.evaluate'))];
  }

  function askButton(f) {
    if (!canAskOverride(f)) return null;
    return [' ', h('button', {
      type: 'button', class: 'small ask-override', dataset: { rule: f.rule },
      'aria-label': t('override.askFor', { rule: ruleName(f.rule) }),
      onclick: () => askOverride(f),
    }, t('override.ask'))];
  }

  async function askOverride(f) {
    let materials = [];
    try { materials = (await get('/materials?limit=200')).items || []; } catch { materials = []; }
    const done = await openDialog({
      title: t('override.askTitle', { rule: ruleName(f.rule) }),
      build(body, close) {
        const reason = h('textarea', { id: 'override-reason', rows: 3, maxlength: 2000 });
        const sel = h('select', { id: 'override-material' }, h('option', { value: '' }, t('form.choose')),
          materials.map((m) => h('option', { value: m.id }, `${materialChoice(m)} · ${kindLabel(m.kind)}`)));
        const up = uploadControl({
          kind: 'other', kinds: (session.schema?.materials?.kinds || []).map((k) => k.key), idBase: 'override-upload',
          label: t('override.uploadNew'),
          onUploaded: (m) => {
            sel.append(h('option', { value: m.id }, `${materialChoice(m)} · ${kindLabel(m.kind)}`));
            sel.value = String(m.id);
          },
        });
        const msg = h('div', { 'aria-live': 'assertive' });
        body.append(h('form', {
          novalidate: true, id: 'override-form',
          onsubmit: async (ev) => {
            ev.preventDefault();
            if (!reason.value.trim()) { replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('override.needReason'))); reason.focus(); return; }
            if (!sel.value) { replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('override.needMaterial'))); sel.focus(); return; }
            try {
              await flush();
              await post(`/filings/${id}/overrides`, { rule: f.rule, reason: reason.value.trim(), material_id: Number(sel.value) });
              close(true);
            } catch (err) { replace(msg, errorBox(err)); }
          },
        },
        h('p', {}, h('strong', {}, t('override.finding')), ' ', labelOf(f.path), t('guide.colon'), L(f.message)),
        technicalDetails([[t('tech.rule'), f.rule], [t('tech.field'), f.path]]),
        h('div', { class: 'form-row' }, h('label', { for: reason.id }, t('override.reason')), reason),
        h('div', { class: 'form-row' }, h('label', { for: sel.id }, t('override.material')), sel),
        up, msg,
        h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary', id: 'override-submit' }, t('override.send')),
          h('button', { type: 'button', onclick: () => close(undefined) }, t('common.cancel')))));
      },
    });
    if (done) {
      toast(t('override.sent'), 'ok');
      await loadOverrides();
      drawOverrides();
      drawFindings();
      decorateNow();
    }
  }

  function drawOverrides() {
    if (!formEls?.overridesBox) return;
    if (!st.overrides.length) { replace(formEls.overridesBox, h('p', { class: 'muted', id: 'no-overrides' }, t('override.none'))); return; }
    replace(formEls.overridesBox, h('ul', { class: 'override-list' }, st.overrides.map((o) => {
      const li = h('li', { class: ['override', `override-${o.state}`], dataset: { override: o.id, rule: o.rule, state: o.state } },
        h('p', {}, h('strong', {}, ruleName(o.rule)), ' ', h('span', { class: ['badge', `override-state-${o.state}`] }, name('overrideState', o.state))),
        technicalDetails([[t('tech.rule'), o.rule]]),
        h('p', {}, h('strong', {}, t('override.reason')), ' ', o.reason || '—'),
        o.material_id ? h('p', {}, h('strong', {}, t('override.material')), ' ', materialLink(o.material_id)) : null,
        o.comment ? h('p', {}, h('strong', {}, t('override.comment')), ' ', o.comment) : null);
      if (o.state === 'requested' && canDecide()) li.append(decideForm(o));
      return li;
    })));
  }

  function decideForm(o) {
    const ta = h('textarea', { id: `override-comment-${o.id}`, rows: 2, maxlength: 2000, class: 'override-comment' });
    const msg = h('div', { 'aria-live': 'assertive' });
    const decide = async (accept) => {
      try {
        await post(`/filings/${id}/overrides/${o.id}/decision`, { accept, comment: ta.value.trim() || undefined });
        toast(accept ? t('override.accepted') : t('override.refused'), 'ok');
        await loadOverrides();
        await reload();
      } catch (err) { replace(msg, errorBox(err)); }
    };
    return h('div', { class: 'decide-form' },
      h('label', { for: ta.id }, t('override.comment')), ta, msg,
      h('div', { class: 'button-row' },
        h('button', { type: 'button', class: 'small primary override-accept', onclick: () => decide(true) }, t('override.accept')),
        h('button', { type: 'button', class: 'small danger override-refuse', onclick: () => decide(false) }, t('override.refuse'))));
  }

  function drawActions() {
    if (!formEls) return;
    const buttons = actionButtons(st.filing, {
      before: flush,
      pendingItems: st.pending,
      onDone: async (out, action) => {
        toast(t('action.done', { action: name('action', action) }), 'ok');
        if (action === 'request_rectification') { st.pending = []; st.draft = { state: 'saved', at: null, seq: 0, saving: null, restored: 0 }; }
        if (out.change_filing) { go(`/filings/${out.change_filing.id}?done=${action}`); return; }
        st.lastAction = action;
        await reload();
        document.getElementById('guidance')?.scrollIntoView({ block: 'nearest' });
      },
    });
    replace(formEls.actionsBox, buttons.length ? h('div', { class: 'button-col' }, buttons) : h('p', { class: 'muted', id: 'no-actions' }, t('filing.noActions')));
  }

  function drawPending() {
    if (!formEls || !canRequestItems()) return;
    const status = h('p', { class: 'draft-status muted', id: 'draft-status', role: 'status', dataset: { state: st.draft.state } }, draftStatusText());
    if (!st.pending.length) { replace(formEls.pendingBox, h('p', { class: 'muted' }, t('rect.pendingNone')), st.draft.at ? status : null); return; }
    replace(formEls.pendingBox,
      st.draft.restored ? h('p', { class: 'info-text', id: 'draft-restored' }, t('draft.restored', { n: st.draft.restored })) : null,
      h('ol', { id: 'pending-list' }, st.pending.map((it, i) => h('li', {},
        h('button', { type: 'button', class: 'link-button', onclick: () => jumpTo(it.path) }, labelOf(it.path)), ': ', it.message, ' ',
        h('button', {
          type: 'button', class: 'small danger', 'aria-label': t('rect.removePending', { field: labelOf(it.path) }),
          onclick: () => { st.pending.splice(i, 1); st.draft.restored = 0; drawPending(); saveDraft(); },
        }, t('rect.removeItem'))))),
      h('p', { class: 'muted' }, t('rect.pendingHint')), status);
  }

  function draftStatusText() {
    switch (st.draft.state) {
      case 'saving': return t('draft.saving');
      case 'error': return t('draft.error');
      default: return st.draft.at ? t('draft.saved', { at: formatDateTime(st.draft.at) }) : t('draft.kept');
    }
  }

  // Keep the items picked so far as the reviewer's draft on the server (PUT replaces it); the last
  // call wins, a failure leaves the draft marked unsaved (the page warns before it is left).
  async function saveDraft() {
    const seq = ++st.draft.seq;
    st.draft.state = 'saving';
    drawPending();
    const items = st.pending.map(({ path, message }) => ({ path, message }));
    const run = (async () => {
      try {
        const d = await api('PUT', `/filings/${id}/rectification-draft`, { body: { items } });
        if (seq === st.draft.seq) { st.draft.state = 'saved'; st.draft.at = d.updated_at; }
      } catch {
        if (seq === st.draft.seq) st.draft.state = 'error';
      }
      if (seq === st.draft.seq) drawPending();
    })();
    st.draft.saving = run;
    await run;
  }

  const draftUnsaved = () => canRequestItems() && st.draft.state !== 'saved';

  // The reviewer picks a field on the form for a rectification item.
  async function pickItem(path) {
    const message = await openDialog({
      title: t('rect.newItem'),
      build(body, close) {
        const ta = h('textarea', { id: 'pick-message', rows: 3, maxlength: 2000, required: true });
        const msg = h('div', { 'aria-live': 'assertive' });
        body.append(h('form', {
          novalidate: true,
          onsubmit: (ev) => {
            ev.preventDefault();
            if (!ta.value.trim()) { replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('rect.needMessage'))); ta.focus(); return; }
            close(ta.value.trim());
          },
        },
        h('p', {}, h('strong', {}, t('rect.field')), ' ', h('span', { id: 'pick-field' }, labelOf(path))),
        h('div', { class: 'form-row' }, h('label', { for: ta.id }, t('rect.message')), ta), msg,
        h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary', id: 'pick-add' }, t('rect.addToList')), h('button', { type: 'button', onclick: () => close(undefined) }, t('common.cancel')))));
      },
    });
    if (message) {
      st.pending.push({ path, message });
      drawPending();
      toast(t('rect.added', { field: labelOf(path) }), 'ok');
      saveDraft();
    }
  }

  function jumpTo(path) {
    if (st.tab !== 'form') { st.tab = 'form'; tb.select('form', true); }
    const key = sectionOf(path);
    if (key !== st.step && sections().some((s) => s.key === key)) goStep(key, false);
    const w = wrapperFor(formEls.sectionBox, path);
    if (!w) return;
    w.scrollIntoView({ block: 'center' });
    w.classList.add('flash');
    setTimeout(() => w.classList.remove('flash'), 1600);
    const control = document.getElementById(controlId(w.dataset.path));
    const target = control && control.tagName === 'FIELDSET' ? control.querySelector('input, select, textarea') : control;
    (target || w.querySelector('input, select, textarea, button') || w).focus?.();
  }

  // ---- autosave ---------------------------------------------------------------------------
  const dirty = () => Object.keys(mergePatch(st.saved, st.doc)).length > 0;

  function setStatus(status, detail) {
    st.status = status;
    if (!formEls?.status) return;
    const el = formEls.status;
    el.dataset.status = status;
    replace(el, h('span', { class: 'dot', 'aria-hidden': 'true' }), t(`save.${status}`), detail ? ` — ${detail}` : '');
    if (status === 'conflict') {
      el.append(' ', h('button', { type: 'button', class: 'small', onclick: () => reload(true) }, t('save.reload')));
    }
  }

  const scheduleSave = debounce(() => { save(); }, SAVE_DELAY_MS);

  function changed() {
    if (st.status !== 'conflict') setStatus(dirty() ? 'unsaved' : 'saved');
    scheduleSave();
  }

  async function save() {
    if (st.saving) { st.again = true; return st.saving; }
    if (st.status === 'conflict' || !editable()) return undefined;
    const patch = mergePatch(st.saved, st.doc);
    if (!Object.keys(patch).length) { setStatus('saved'); return undefined; }
    const sent = structuredClone(st.doc);
    setStatus('saving');
    st.saving = (async () => {
      try {
        const f = await api('PATCH', `/filings/${id}/document`, {
          body: patch, contentType: 'application/merge-patch+json', headers: { 'If-Match': st.etag },
        });
        st.saved = sent;
        st.etag = f.etag;
        const { document: _ignored, ...rest } = f;
        st.filing = { ...rest, document: sent };
        setStatus(dirty() ? 'unsaved' : 'saved');
        await refreshAfterSave();
      } catch (err) {
        if (err instanceof ApiError && err.status === 412) setStatus('conflict');
        else if (err instanceof ApiError && err.status === 409) { setStatus('error', problemText(err)); }
        else setStatus('error', problemText(err));
      } finally {
        st.saving = null;
      }
    })();
    await st.saving;
    if (st.again) { st.again = false; return save(); }
    return undefined;
  }

  async function refreshAfterSave() {
    if (st.filing.state === 'rectification') await loadRects();
    drawSteps();
    decorateNow();
    drawFindings();
    drawDerived();
    drawActions();
    drawRectSummary();
    drawHead();
  }

  async function flush() {
    scheduleSave.cancel();
    if (st.saving) await st.saving;
    await save();
  }

  async function reload(discard = false) {
    const f = await get(`/filings/${id}`);
    st.filing = f;
    st.etag = f.etag;
    if (discard || !dirty()) {
      st.doc = structuredClone(f.document || {});
      st.saved = structuredClone(f.document || {});
    }
    await loadRects();
    await loadOverrides();
    await loadCertificate();
    setStatus('saved');
    drawHead();
    tb.select(st.tab);
  }

  // ---- rectification tab ------------------------------------------------------------------
  async function renderRectTab(panel) {
    await loadRects();
    if (!st.rects.length) { panel.append(h('p', { class: 'empty' }, t('rect.none'))); return; }
    for (const n of st.rects) {
      const open = n.items.filter((i) => i.open).length;
      panel.append(h('section', { class: 'card rect-notice', dataset: { notice: n.id } },
        h('h2', {}, t('rect.notice', { n: n.id, version: n.version }), ' ',
          h('span', { class: ['badge', n.closed_at ? 'state-closed' : 'state-rectification'] }, n.closed_at ? t('rect.closed') : t('rect.openCount', { n: open }))),
        h('p', { class: 'muted' }, t('rect.created', { at: formatDateTime(n.created_at) }),
          !n.closed_at && session.schema.deadlines?.rectification_working_days
            ? ` · ${t('rect.resubmitBy', { date: addWorkingDays(n.created_at.slice(0, 10), session.schema.deadlines.rectification_working_days) })}` : ''),
        n.comment ? h('p', {}, h('strong', {}, t('rect.comment')), ' ', n.comment) : null,
        h('table', { class: 'table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('rect.field')), h('th', { scope: 'col' }, t('rect.message')), h('th', { scope: 'col' }, t('rect.answerLabel')), h('th', { scope: 'col' }, t('rect.status')))),
          h('tbody', {}, n.items.map((it) => h('tr', { class: it.open ? 'row-open' : '' },
            h('td', {}, h('button', { type: 'button', class: 'link-button', onclick: () => { if (!n.closed_at) jumpTo(it.path); else { tb.select('form', true); st.tab = 'form'; jumpTo(it.path); } } }, labelOf(it.path))),
            h('td', {}, it.message),
            h('td', {}, it.answer || '—'),
            h('td', {}, it.open ? t('rect.stateOpen') : t('rect.stateAnswered'), it.field_changed ? ` · ${t('rect.fieldChanged')}` : '')))))));
    }
  }

  // ---- history tab ------------------------------------------------------------------------
  async function renderHistoryTab(panel) {
    panel.append(h('p', { class: 'loading' }, t('common.loading')));
    // receipts are the enterprise's and the authority's (others get 403); a certificate only once filed
    const optional = (p) => get(p).catch(() => null);
    const [events, users, receipts, certificate] = await Promise.all([get(`/filings/${id}/events`), loadUsers(),
      optional(`/filings/${id}/receipts`), optional(`/filings/${id}/certificate`)]);
    clear(panel);
    const receiptOf = new Map((receipts?.items || []).map((r) => [r.receipt.statement.audit.entry_hash, r]));
    const receiptLink = (r) => h('a', { href: `/api/v1/filings/${id}/receipts/${r.seq}`, download: `receipt-${id}-${r.seq}.json`, class: 'receipt-link' },
      t('proof.receipt', { n: r.seq }));
    panel.append(h('section', { class: 'card proof', id: 'proof', 'aria-labelledby': 'proof-title' },
      h('h2', { id: 'proof-title' }, t('proof.title')),
      h('p', { class: 'muted' }, t('proof.intro')),
      certificate ? h('p', { id: 'certificate-links' }, h('strong', {}, t('proof.certificate')), ' ', certificate.statement.number, ' · ',
        h('a', { href: `/api/v1/filings/${id}/certificate?format=pdf`, download: `certificate-${id}.pdf`, id: 'certificate-pdf' }, t('proof.pdf')), ' · ',
        h('a', { href: `/api/v1/filings/${id}/certificate`, download: `certificate-${id}.json` }, t('proof.json'))) : null,
      receipts ? (receipts.items.length ? h('table', { class: 'table', id: 'receipts' },
        h('thead', {}, h('tr', {}, ['#', t('proof.receipts'), 'SHA-256', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, receipts.items.map((r) => {
          const st = r.receipt.statement;
          return h('tr', {},
            h('td', {}, String(r.seq)),
            h('td', {}, h('time', { datetime: st.issued_at }, formatDateTime(st.issued_at)), ' ', name('event', st.action === 'rectification_answer' ? 'rectification.answer' : `filing.${st.action}`), ' · ', t('proof.version', { n: st.version })),
            h('td', {}, h('code', { title: st.document_sha256 || '' }, (st.document_sha256 || '—').slice(0, 12))),
            h('td', {}, receiptLink(r)));
        }))) : h('p', { class: 'empty' }, t('proof.none'))) : null));
    const who = (e) => personOf(e, users);
    // consecutive saves of the document by the same person are one entry (autosave makes many)
    const items = [];
    for (const e of [...(events.items || [])].sort((a, b) => a.id - b.id)) {
      const last = items[items.length - 1];
      if (last && e.action === 'filing.document' && last.action === 'filing.document' && last.actor_user_id === e.actor_user_id) {
        last.count = (last.count || 1) + 1;
        last.at = e.at;
      } else items.push({ ...e });
    }
    items.reverse();
    panel.append(h('h2', { class: 'sr-only' }, t('filing.tabHistory')), h('ol', { class: 'timeline', id: 'history' }, items.map((e) => {
      const d = e.detail || {};
      return h('li', { class: 'event', dataset: { action: e.action } },
        h('div', { class: 'event-head' },
          h('time', { datetime: e.at }, formatDateTime(e.at)), ' ',
          h('strong', {}, name('event', e.action)), e.count ? ` ${t('history.times', { n: e.count })}` : '', ' ',
          h('span', { class: 'muted' }, who(e))),
        d.from && d.to ? h('p', {}, stateBadge(d.from), ' → ', stateBadge(d.to)) : null,
        d.comment ? h('p', {}, h('strong', {}, t('history.comment')), ' ', d.comment) : null,
        d.reason ? h('p', {}, h('strong', {}, t('history.reason')), ' ', d.reason) : null,
        Array.isArray(d.items) ? h('ul', {}, d.items.map((it) => h('li', {}, `${labelOf(it.path)}: ${it.message}`))) : null,
        d.answer ? h('p', {}, h('strong', {}, t('rect.answerLabel')), ' ', d.answer) : null,
        receiptOf.has(e.hash) ? h('p', {}, receiptLink(receiptOf.get(e.hash))) : null);
    })));
  }

  // ---- versions tab -----------------------------------------------------------------------
  async function renderVersionsTab(panel) {
    panel.append(h('p', { class: 'loading' }, t('common.loading')));
    const versions = (await get(`/filings/${id}/versions`)).items || [];
    clear(panel);
    const ns = versions.map((v) => v.n).sort((a, b) => a - b);
    const options = [...ns.map((n) => [String(n), t('versions.v', { n })]), ['current', t('versions.current')]];
    if (options.length < 2) { panel.append(h('p', { class: 'empty' }, t('versions.none'))); return; }
    const last = ns[ns.length - 1];
    const from = ns.length >= 2 ? ns[ns.length - 2] : last;
    const to = ns.length >= 2 ? last : 'current';
    const mk = (sid, label, value) => {
      const sel = h('select', { id: sid }, options.map(([v, l]) => h('option', { value: v, selected: String(value) === v }, l)));
      return [h('label', { for: sid }, label), sel];
    };
    const [fromLabel, fromSel] = mk('diff-from', t('versions.from'), from);
    const [toLabel, toSel] = mk('diff-to', t('versions.to'), to);
    const onlyChanged = h('input', { type: 'checkbox', id: 'diff-only', checked: true });
    const out = h('div', { class: 'diff-out', id: 'diff-out', 'aria-live': 'polite' });
    panel.append(h('h2', { class: 'sr-only' }, t('filing.tabVersions')),
      h('div', { class: 'toolbar' }, h('div', { class: 'form-row' }, fromLabel, fromSel), h('div', { class: 'form-row' }, toLabel, toSel),
        h('div', { class: 'check' }, onlyChanged, h('label', { for: 'diff-only' }, t('versions.onlyChanged')))),
      h('ul', { class: 'version-list' }, versions.map((v) => h('li', {}, t('versions.line', { n: v.n, action: name('action', v.action), at: formatDateTime(v.created_at) })))),
      out);
    const docOf = async (v) => (v === 'current' ? st.doc : (await get(`/filings/${id}/versions/${v}`)).document);
    async function draw() {
      replace(out, h('p', { class: 'loading' }, t('common.loading')));
      const a = fromSel.value;
      const b = toSel.value;
      try {
        if (a === 'current') throw new Error(t('versions.fromCurrent'));
        const [docA, docB, diff] = await Promise.all([docOf(a), docOf(b), get(`/filings/${id}/diff?from=${a}${b === 'current' ? '' : `&to=${b}`}`)]);
        const changes = diff.changes || [];
        const changedPaths = changes.map((c) => c.path);
        const isChanged = (p) => changedPaths.some((c) => c === p || p.startsWith(`${c}/`) || c.startsWith(`${p}/`));
        let rows = leafRows(docA, docB).map((r) => ({ ...r, changed: isChanged(r.path) }));
        const total = rows.filter((r) => r.changed).length;
        if (onlyChanged.checked) rows = rows.filter((r) => r.changed);
        const colA = options.find(([v]) => v === a)[1];
        const colB = options.find(([v]) => v === b)[1];
        replace(out,
          h('p', { id: 'diff-summary' }, t('versions.summary', { n: changes.length, rows: total })),
          rows.length ? h('table', { class: 'table diff-table' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('versions.field')), h('th', { scope: 'col' }, colA), h('th', { scope: 'col' }, colB))),
            h('tbody', {}, rows.map((r) => h('tr', { class: r.changed ? 'changed' : '', dataset: { path: r.path } },
              h('th', { scope: 'row' }, labelOf(r.path), r.changed ? h('span', { class: 'sr-only' }, ` (${t('versions.changed')})`) : null),
              h('td', { class: 'old' }, formatValue(r.def, r.a)),
              h('td', { class: 'new' }, formatValue(r.def, r.b)))))) : h('p', { class: 'empty' }, t('versions.same')));
      } catch (err) { replace(out, errorBox(err)); }
    }
    fromSel.addEventListener('change', draw);
    toSel.addEventListener('change', draw);
    onlyChanged.addEventListener('change', draw);
    draw();
  }

  tb.select(tabItems.some((x) => x.key === st.tab) ? st.tab : 'form');

  return {
    beforeLeave: async () => {
      if (st.draft.saving) await st.draft.saving;
      if (draftUnsaved()) await saveDraft();
      if (editable()) await flush();
    },
    dirty: () => (editable() && dirty()) || draftUnsaved(),
  };
}
