// inspection.js — one self-inspection report (定期自查) of a filed record: its form is the pack's
// inspection.json, drawn by the same renderer as the filing form; the filer edits it (autosaved,
// problems shown at their fields), a checker approves it, the authority accepts it or sends it back
// item by item. The buttons come from the report's actions (the workflow's inspection table).
import { h, replace, debounce } from '../dom.js';
import { t, name, L, formatDateTime, formatDate } from '../i18n.js';
import { get, api, ApiError } from '../api.js';
import { session, loadSchema, loadOrgs, loadWorkflow } from '../session.js';
import { renderSection, decorate, findingDetails } from '../form.js';
import { mergePatch } from '../schema.js';
import { actionButtons } from '../actions.js';
import { stateBadge, errorBox, toast, problemText } from '../ui.js';

const SAVE_DELAY_MS = 800;

// Fields of the report a reviewer may name in an item: its sections' fields.
function reportPaths() {
  const out = [];
  for (const s of session.schema?.inspection_form?.sections || []) {
    out.push({ path: `/${s.key}`, label: L(s.label), depth: 0 });
    for (const f of s.fields || []) out.push({ path: `/${s.key}/${f.key}`, label: L(f.label), depth: 1 });
  }
  return out;
}

function needsOf(state, action) {
  const needs = new Set();
  for (const tr of session.workflow?.records?.inspection?.transitions || [])
    if (tr.from === state && tr.action === action) for (const n of tr.needs || []) needs.add(n);
  return needs;
}

export async function inspectionView(main, params) {
  await Promise.all([loadSchema(), loadOrgs(), loadWorkflow()]);
  const id = params.id;
  let report;
  try { report = await get(`/inspections/${id}`); } catch (err) { main.append(errorBox(err)); return undefined; }
  const st = { doc: structuredClone(report.document || {}), saved: structuredClone(report.document || {}), etag: report.etag };
  const editable = () => ['draft', 'rectification'].includes(report.state) && report.org_id === session.me.org.id
    && session.me.roles.includes('filer');

  const head = h('div', { class: 'filing-head' });
  const status = h('p', { class: 'save-status', id: 'save-status', role: 'status', 'aria-live': 'polite' });
  const sectionBox = h('div', { class: 'section-box', id: 'report-form' });
  const actionsBox = h('div', { class: 'actions', id: 'actions' });
  const noticesBox = h('div', { id: 'report-notices' });
  const findingsBox = h('div', { class: 'findings-list', id: 'findings-list' });
  main.append(h('div', { class: 'page filing-page inspection-page', dataset: { inspection: id } }, head,
    h('div', { class: 'editor inspection-editor' }, h('div', { class: 'editor-main' }, noticesBox, sectionBox),
      h('aside', { class: 'filing-side', 'aria-label': t('filing.side'), tabindex: '0' }, status,   // scrollable: reachable by keyboard
        h('section', { class: 'side-card' }, h('h2', {}, t('filing.actions')), actionsBox),
        h('section', { class: 'side-card' }, h('h2', {}, t('filing.findings')), findingsBox)))));

  function drawHead() {
    replace(head,
      h('p', { class: 'crumbs' }, h('a', { href: '/', 'data-link': '' }, t('nav.home')), ' › ',
        h('a', { href: `/filings/${report.filing_id}?tab=record`, 'data-link': '' }, report.number || `#${report.filing_id}`), ' › ',
        t('inspection.crumb', { id: report.id })),
      h('h1', { id: 'report-title' }, t(report.kind === 'ordered' ? 'inspection.titleOrdered' : 'inspection.title', { system: report.system_name || '' }), ' ', stateBadge(report.state)),
      h('dl', { class: 'facts inline-facts' },
        h('dt', {}, t('inspection.due')), h('dd', { id: 'report-due', class: report.overdue ? 'due due-overdue' : '' }, formatDate(report.due_on), report.overdue ? ` ${t('inspection.overdue')}` : ''),
        report.reason ? [h('dt', {}, t('inspection.reason')), h('dd', { id: 'report-reason' }, report.reason)] : null,
        report.submitted_at ? [h('dt', {}, t('inspection.submitted')), h('dd', {}, formatDateTime(report.submitted_at))] : null,
        report.decided_at ? [h('dt', {}, t('inspection.accepted')), h('dd', {}, formatDateTime(report.decided_at))] : null));
  }

  function drawForm() {
    const ctx = { doc: st.doc, onChange: changed, orgs: [...session.orgs.values()], readonly: !editable() };
    replace(sectionBox, (session.schema.inspection_form?.sections || []).map((s) => renderSection(s, ctx)));
    decorate(sectionBox, report.findings || []);
  }

  function drawFindings() {
    const list = (report.findings || []).filter((f) => f.severity !== 'info');
    replace(findingsBox, list.length
      ? h('ul', {}, list.map((f) => h('li', { class: `sev-${f.severity}`, dataset: { rule: f.rule, path: f.path } }, L(f.message), findingDetails(f))))
      : h('p', { class: 'muted', id: 'no-findings' }, t('filing.noFindings')));
  }

  function drawNotices() {
    replace(noticesBox, (report.notices || []).map((n) => h('section', { class: 'card rect-notice', dataset: { notice: n.id } },
      h('h2', {}, t('inspection.notice', { n: n.id }), ' ', h('span', { class: ['badge', n.closed_at ? 'state-closed' : 'state-rectification'] }, n.closed_at ? t('rect.closed') : t('inspection.noticeOpen'))),
      n.comment ? h('p', {}, n.comment) : null,
      h('ul', {}, n.items.map((it) => h('li', {}, h('strong', {}, reportPaths().find((p) => p.path === it.path)?.label || it.path), ': ', it.message))))));
  }

  function drawActions() {
    const buttons = actionButtons(report, {
      before: flush,
      record: { url: `/inspections/${id}/actions`, needs: needsOf, paths: reportPaths },
      onDone: async (out, action) => {
        toast(t('action.done', { action: name('action', action) }), 'ok');
        report = out;
        st.etag = out.etag;
        redraw();
      },
    });
    replace(actionsBox, buttons.length ? h('div', { class: 'button-col' }, buttons) : h('p', { class: 'muted', id: 'no-actions' }, t('filing.noActions')));
  }

  function setStatus(s, detail) {
    status.dataset.status = s;
    replace(status, h('span', { class: 'dot', 'aria-hidden': 'true' }), t(`save.${s}`), detail ? ` — ${detail}` : '');
  }

  let saving = null;
  async function save() {
    if (saving) { await saving; }
    const patch = mergePatch(st.saved, st.doc);
    if (!Object.keys(patch).length) { setStatus('saved'); return; }
    const sent = structuredClone(st.doc);
    setStatus('saving');
    saving = (async () => {
      try {
        report = await api('PATCH', `/inspections/${id}/document`, { body: patch, contentType: 'application/merge-patch+json', headers: { 'If-Match': st.etag } });
        st.saved = sent;
        st.etag = report.etag;
        setStatus('saved');
        decorate(sectionBox, report.findings || []);
        drawFindings();
        drawActions();
      } catch (err) {
        setStatus(err instanceof ApiError && err.status === 412 ? 'conflict' : 'error', problemText(err));
      } finally { saving = null; }
    })();
    await saving;
  }
  const scheduleSave = debounce(save, SAVE_DELAY_MS);
  function changed() { setStatus('unsaved'); scheduleSave(); }
  async function flush() { scheduleSave.cancel(); await save(); }

  function redraw() {
    st.doc = structuredClone(report.document || {});
    st.saved = structuredClone(report.document || {});
    drawHead();
    drawNotices();
    drawForm();
    drawFindings();
    drawActions();
    status.hidden = !editable();
    if (editable()) setStatus('saved');
  }
  redraw();
  return { leave: flush };
}
