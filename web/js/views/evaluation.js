// evaluation.js — the enterprise evaluates a cloud provider (云服务商评估): each criterion of the
// policy pack (GET /policy/schema → providers.criteria) with a weight, a score 0–100 and the
// evidence, POST /providers/{org}/evaluations; and the organisation's earlier evaluations of that
// provider with their date and weighted score (GET the same path). Filers and org_admins of an
// enterprise evaluate; the PROVIDER-EVALUATION-MISSING finding links here (?org=…&from=filing).
import { h, replace, clear } from '../dom.js';
import { t, L, formatDate, formatNumber } from '../i18n.js';
import { get, post } from '../api.js';
import { session, hasRole, loadSchema } from '../session.js';
import { toast, errorBox } from '../ui.js';

export const canEvaluate = () => session.me?.org?.kind === 'enterprise' && hasRole('filer', 'org_admin');

// The weighted score of a scorecard as the server computes it (rounded to 2 decimals), or null.
export function weighted(rows) {
  let sw = 0;
  let s = 0;
  for (const r of rows) {
    if (!(r.weight > 0) || !Number.isFinite(r.score)) return null;
    sw += r.weight;
    s += r.weight * r.score;
  }
  return sw > 0 ? Math.round((s / sw) * 100) / 100 : null;
}

// "#3 · 2026-11-20 · weighted 82.5": an evaluation as one line (the filing's attachment picker).
export function evaluationLine(ev) {
  return t('eval.option', { id: ev.id, date: formatDate(ev.evaluated_on), score: formatNumber(ev.score) });
}

// Each criterion's score and weight as one text, in the pack's criterion labels.
export function criteriaText(card) {
  const criteria = session.schema?.providers?.criteria || [];
  const labelOf = (key) => L(criteria.find((c) => c.key === key)?.label) || key;
  return (card?.criteria || []).map((c) => t('eval.detailItem', { criterion: labelOf(c.key), score: formatNumber(c.score), weight: formatNumber(c.weight) })).join(t('eval.detailSep'));
}

export async function evaluationView(main, params, query) {
  const page = h('div', { class: 'page evaluation-page' });
  main.append(page);
  page.append(h('h1', {}, t('eval.title')));
  if (!canEvaluate()) { page.append(h('p', { class: 'error-text', id: 'eval-forbidden' }, t('eval.forbidden'))); return null; }
  await loadSchema();
  const pol = session.schema?.providers || {};
  const criteria = Array.isArray(pol.criteria) ? pol.criteria : [];
  const from = Number(query.get('from'));
  const providers = (await get('/orgs?kind=provider')).items || [];
  let orgId = Number(query.get('org')) || null;
  if (orgId && !providers.some((o) => o.id === orgId)) orgId = null;

  page.append(h('p', {}, t('eval.intro', { days: pol.evaluation_max_age_days ?? '—' })));
  if (Number.isInteger(from) && from > 0) {
    page.append(h('p', {}, h('a', { href: `/filings/${from}?step=provider`, 'data-link': '', id: 'eval-back' }, t('eval.backToFiling', { id: from }))));
  }
  const sel = h('select', { id: 'eval-provider' }, h('option', { value: '' }, t('form.choose')),
    providers.map((o) => h('option', { value: o.id, selected: o.id === orgId }, o.name)));
  page.append(h('div', { class: 'form-row' }, h('label', { for: 'eval-provider' }, t('eval.provider')), sel));
  const body = h('div', { id: 'eval-body' });
  page.append(body);
  sel.addEventListener('change', () => {
    orgId = sel.value ? Number(sel.value) : null;
    const q = new URLSearchParams(location.search);
    if (orgId) q.set('org', String(orgId)); else q.delete('org');
    history.replaceState(null, '', `${location.pathname}${q.toString() ? `?${q}` : ''}`);
    draw();
  });


  async function draw() {
    clear(body);
    if (!orgId) { body.append(h('p', { class: 'empty', id: 'eval-choose' }, t('eval.chooseProvider'))); return; }
    const shown = orgId;
    const listBox = h('section', { class: 'card', 'aria-labelledby': 'eval-history-title' }, h('h2', { id: 'eval-history-title' }, t('eval.history')));
    body.append(
      h('p', {}, h('a', { href: `/provider?org=${orgId}`, 'data-link': '', id: 'eval-profile-link' }, t('eval.viewProfile'))),
      criteria.length ? form() : h('p', { class: 'error-text' }, t('eval.noCriteria')),
      listBox);
    await drawList(listBox, shown);
  }

  async function drawList(box, shown) {
    const holder = h('div', { id: 'eval-list-box' }, h('p', { class: 'loading' }, t('common.loading')));
    box.querySelector('#eval-list-box')?.remove();
    box.append(holder);
    let items;
    try { items = (await get(`/providers/${shown}/evaluations`)).items || []; } catch (err) { replace(holder, errorBox(err)); return; }
    if (shown !== orgId) return;
    if (!items.length) { replace(holder, h('p', { class: 'empty', id: 'eval-none' }, t('eval.none'))); return; }
    replace(holder, h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'eval-list' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('eval.date')), h('th', { scope: 'col' }, t('eval.weighted')),
        h('th', { scope: 'col' }, t('eval.details')), h('th', { scope: 'col' }, t('eval.notesCol')))),
      h('tbody', {}, items.map((ev) => {
        const card = ev.scorecard || {};
        return h('tr', { dataset: { eval: ev.id, score: ev.score } },
          h('td', {}, formatDate(ev.evaluated_on)),
          h('td', { class: 'eval-score' }, formatNumber(ev.score)),
          h('td', {}, criteriaText(card)),
          h('td', {}, card.notes || '—'));
      })))));
  }

  function form() {
    // weights that add up to 100: the pack's own (criteria[].weight) or 100 shared out evenly, the
    // remainder to the first criteria (6 criteria: 17, 17, 17, 17, 16, 16)
    const even = Math.floor(100 / criteria.length);
    const rest = 100 - even * criteria.length;
    const packWeights = criteria.every((c) => Number.isFinite(c.weight)) ? criteria.map((c) => c.weight) : null;
    const rows = criteria.map((c, i) => ({ key: c.key, label: L(c.label), weight: packWeights ? packWeights[i] : even + (i < rest ? 1 : 0), score: undefined, evidence: '' }));
    const total = h('p', { id: 'eval-total', role: 'status', 'aria-live': 'polite' });
    const msg = h('div', { 'aria-live': 'assertive', id: 'eval-msg' });
    const drawTotal = () => {
      const w = weighted(rows);
      const sum = rows.reduce((a, r) => a + (Number.isFinite(r.weight) ? r.weight : 0), 0);
      replace(total, t('eval.total', { score: w === null ? '—' : formatNumber(w) }), ' · ',
        h('span', { id: 'eval-weight-sum', class: sum === 100 ? null : 'warning-text', dataset: { sum } }, t('eval.weightSum', { sum: formatNumber(sum) })));
    };
    const num = (el) => (el.value.trim() === '' ? undefined : Number(el.value));
    let tried = false;   // after a first submit, the problems are shown as they are fixed
    const problemsOf = () => {
      const out = [];
      rows.forEach((r, i) => {
        if (!(r.weight > 0 && r.weight <= 100)) out.push([`/criteria/${i}/weight`, t('eval.badWeight', { criterion: r.label })]);
        if (!(Number.isFinite(r.score) && r.score >= 0 && r.score <= 100)) out.push([`/criteria/${i}/score`, t('eval.badScore', { criterion: r.label })]);
        if (!r.evidence.trim()) out.push([`/criteria/${i}/evidence`, t('eval.needEvidence', { criterion: r.label })]);
      });
      return out;
    };
    const showProblems = () => {
      const problems = problemsOf();
      for (const el of f.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      for (const [p] of problems) f.querySelector(`[data-pointer="${p}"]`)?.setAttribute('aria-invalid', 'true');
      replace(msg, problems.length ? h('div', { class: 'error-text', role: 'alert' }, h('ul', { id: 'eval-problems' }, problems.map(([, m]) => h('li', {}, m)))) : null);
      return problems;
    };
    const edited = () => { drawTotal(); if (tried) showProblems(); };
    const tbody = h('tbody', {}, rows.map((r, i) => {
      const wEl = h('input', { type: 'number', id: `eval-weight-${r.key}`, min: 0, max: 100, step: 'any', value: r.weight, inputmode: 'decimal', class: 'eval-weight', 'aria-label': t('eval.weightOf', { criterion: r.label }), dataset: { pointer: `/criteria/${i}/weight` } });
      const sEl = h('input', { type: 'number', id: `eval-score-${r.key}`, min: 0, max: 100, step: 'any', inputmode: 'decimal', class: 'eval-score-input', 'aria-label': t('eval.scoreOf', { criterion: r.label }), dataset: { pointer: `/criteria/${i}/score` } });
      const eEl = h('textarea', { id: `eval-evidence-${r.key}`, rows: 2, maxlength: 2000, 'aria-label': t('eval.evidenceOf', { criterion: r.label }), dataset: { pointer: `/criteria/${i}/evidence` } });
      wEl.addEventListener('input', () => { r.weight = num(wEl); edited(); });
      sEl.addEventListener('input', () => { r.score = num(sEl); edited(); });
      eEl.addEventListener('input', () => { r.evidence = eEl.value; edited(); });
      return h('tr', { dataset: { criterion: r.key } }, h('th', { scope: 'row' }, r.label), h('td', {}, wEl), h('td', {}, sEl), h('td', {}, eEl));
    }));
    const notes = h('textarea', { id: 'eval-notes', rows: 3, maxlength: 4000 });
    drawTotal();
    const f = h('form', {
      class: 'card', id: 'eval-form', novalidate: true, 'aria-labelledby': 'eval-new-title',
      onsubmit: async (ev) => {
        ev.preventDefault();
        tried = true;
        const problems = showProblems();
        if (problems.length) {
          f.querySelector(`[data-pointer="${problems[0][0]}"]`)?.focus();
          return;
        }
        const payload = { criteria: rows.map((r) => ({ key: r.key, weight: r.weight, score: r.score, evidence: r.evidence.trim() })) };
        if (notes.value.trim()) payload.notes = notes.value.trim();
        try {
          const out = await post(`/providers/${orgId}/evaluations`, payload);
          toast(t('eval.saved', { score: formatNumber(out.score) }), 'ok');
          await draw();
          replace(body.querySelector('#eval-msg'), h('p', { class: 'ok-text', role: 'status', id: 'eval-saved' }, t('eval.saved', { score: formatNumber(out.score) })));
        } catch (err) {
          replace(msg, errorBox(err));
          if (err.field) f.querySelector(`[data-pointer="${CSS.escape(err.field)}"]`)?.focus();
        }
      },
    },
    h('h2', { id: 'eval-new-title' }, t('eval.newTitle')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table eval-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('eval.criterion')), h('th', { scope: 'col' }, t('eval.weight')),
        h('th', { scope: 'col' }, t('eval.score')), h('th', { scope: 'col' }, t('eval.evidence')))),
      tbody)),
    total,
    h('div', { class: 'form-row' }, h('label', { for: 'eval-notes' }, t('eval.notes')), notes),
    msg,
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary', id: 'eval-submit' }, t('eval.submit'))));
    return f;
  }

  await draw();
  return null;
}
