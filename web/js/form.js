// form.js — the filing document rendered from the pack's form schema, to edit or to read.
// Every field is wrapped in <div class="field" data-path="/section/key"> with its label, help text,
// control and a notes area where findings and rectification items are shown (decorate()).
import { h, replace, clear, uid } from './dom.js';
import { t, L, levelName } from './i18n.js';
import { getAt, setAt, formatValue, segmentsOf, labelOf, fieldAt, isLevel, isRegion, regionName } from './schema.js';
import { session } from './session.js';
import { uploadControl, materialLink } from './materials.js';
import { get } from './api.js';
import { technicalDetails } from './ui.js';
import { evaluationLine, criteriaText } from './views/evaluation.js';

export const controlId = (path) => `f:${path}`;

// ---- editing ------------------------------------------------------------------------------

// ctx: {doc, onChange(path), orgs: [{id, name, kind}], onPick?(path) (reviewer), readonly,
//       evaluation?: the scorecard the filing attaches (GET /filings/{id} provider_evaluation)}
export function renderSection(section, ctx) {
  const path = `/${section.key}`;
  const wrap = h('section', { class: 'form-section field', dataset: { path }, 'aria-labelledby': `sec-${section.key}` },
    headRow(h('h2', { id: `sec-${section.key}`, tabindex: '-1' }, L(section.label)), path, ctx),
    section.help ? h('p', { class: 'help section-help' }, L(section.help)) : null,
    notesFor(path));
  for (const f of section.fields || []) wrap.append(renderField(f, `${path}/${f.key}`, ctx));
  return wrap;
}

function notesFor(path) {
  return h('div', { class: 'notes', id: `n:${path}` });
}

// The reviewer's "+ item" button of a field (read mode), or null.
function pickButton(path, ctx) {
  if (!ctx.onPick) return null;
  return h('button', {
    type: 'button', class: 'small pick-item', dataset: { pick: path },
    'aria-label': t('rect.addItemFor', { field: labelOf(path) }),
    onclick: () => ctx.onPick(path),
  }, t('rect.addItem'));
}

// A heading row: the label and, for a reviewer, the "+ item" button beside it.
function headRow(labelEl, path, ctx) {
  const pick = pickButton(path, ctx);
  return pick ? h('div', { class: 'read-head' }, labelEl, pick) : labelEl;
}

function helpFor(def, id, extra) {
  const text = [L(def.help), extra].filter(Boolean).join(' ');
  return text ? h('p', { class: 'help', id: `${id}-help` }, text) : null;
}

function describe(control, ...els) {
  const ids = els.filter(Boolean).map((e) => e.id);
  if (ids.length) control.setAttribute('aria-describedby', ids.join(' '));
}

function requiredMark(def) {
  return def.required ? h('abbr', { class: 'req', title: t('form.required') }, '*') : null;
}

export function renderField(def, path, ctx) {
  if (ctx.readonly) return renderRead(def, path, ctx);
  switch (def.type) {
    case 'object': return renderObject(def, path, ctx);
    case 'list<object>': return renderList(def, path, ctx);
    case 'enum[]': return renderMulti(def, path, ctx);
    default: return renderScalar(def, path, ctx);
  }
}

function renderObject(def, path, ctx) {
  const legendId = uid('lg');
  const fs = h('fieldset', { class: 'field group', dataset: { path }, 'aria-describedby': `${legendId}-help` },
    h('legend', { id: legendId }, L(def.label), requiredMark(def)));
  const help = helpFor(def, legendId);
  if (help) fs.append(help); else fs.removeAttribute('aria-describedby');
  fs.append(notesFor(path));
  for (const f of def.fields || []) fs.append(renderField(f, `${path}/${f.key}`, ctx));
  return fs;
}

function renderList(def, path, ctx) {
  const legendId = uid('lg');
  const fs = h('fieldset', { class: 'field group list', dataset: { path } },
    h('legend', { id: legendId }, L(def.label), requiredMark(def)));
  const help = helpFor(def, legendId, def.min_items ? t('form.minItems', { n: def.min_items }) : '');
  if (help) fs.append(help);
  fs.append(notesFor(path));
  const entries = h('div', { class: 'entries' });
  fs.append(entries);
  const addBtn = h('button', {
    type: 'button', class: 'small add-entry',
    onclick: () => {
      const list = Array.isArray(getAt(ctx.doc, path)) ? getAt(ctx.doc, path) : [];
      list.push({});
      setAt(ctx.doc, path, list);
      draw();
      ctx.onChange(path);
      const last = entries.lastElementChild;
      last?.querySelector('input, select, textarea')?.focus();
    },
  }, t('form.addEntry', { label: L(def.label) }));
  fs.append(addBtn);
  function draw() {
    clear(entries);
    const list = getAt(ctx.doc, path);
    (Array.isArray(list) ? list : []).forEach((_, i) => {
      const p = `${path}/${i}`;
      const entryLegend = t('form.entry', { label: L(def.label), n: i + 1 });
      const entry = h('fieldset', { class: 'entry field', dataset: { path: p } }, h('legend', {}, entryLegend), notesFor(p));
      for (const f of def.fields || []) entry.append(renderField(f, `${p}/${f.key}`, ctx));
      entry.append(h('button', {
        type: 'button', class: 'small danger remove-entry', 'aria-label': t('form.removeEntryLabel', { entry: entryLegend }),
        onclick: () => {
          const cur = getAt(ctx.doc, path);
          cur.splice(i, 1);
          if (!cur.length) setAt(ctx.doc, path, undefined);
          draw();
          ctx.onChange(path);
          addBtn.focus();
        },
      }, t('form.removeEntry')));
      entries.append(entry);
    });
    if (ctx.afterRedraw) ctx.afterRedraw();
  }
  draw();
  return fs;
}

function renderMulti(def, path, ctx) {
  const legendId = uid('lg');
  const current = getAt(ctx.doc, path);
  const chosen = new Set(Array.isArray(current) ? current : []);
  const fs = h('fieldset', { class: 'field group multi', dataset: { path }, id: controlId(path) },
    h('legend', { id: legendId }, L(def.label), requiredMark(def)));
  const help = helpFor(def, legendId);
  if (help) { fs.append(help); fs.setAttribute('aria-describedby', help.id); }
  const boxes = h('div', { class: 'checks' });
  for (const o of def.options || []) {
    const id = `${controlId(path)}:${o.value}`;
    const cb = h('input', {
      type: 'checkbox', id, value: o.value, checked: chosen.has(o.value),
      onchange: () => {
        const values = [...boxes.querySelectorAll('input:checked')].map((x) => x.value);
        setAt(ctx.doc, path, values.length ? values : undefined);
        ctx.onChange(path);
      },
    });
    boxes.append(h('div', { class: 'check' }, cb, h('label', { for: id }, L(o.label))));
  }
  fs.append(boxes, notesFor(path));
  return fs;
}

function makeSelect(id, options, value) {
  const sel = h('select', { id });
  sel.append(h('option', { value: '' }, t('form.choose')));
  for (const [v, label] of options) sel.append(h('option', { value: v, selected: String(value) === String(v) }, label));
  return sel;
}

function renderScalar(def, path, ctx) {
  const id = controlId(path);
  const value = getAt(ctx.doc, path);
  let control;
  let read;
  let extraHelp = '';
  switch (def.type) {
    case 'int':
      if (isLevel(def)) {   // a protection level: 第一级 … 第五级, not a number to type
        const levels = [];
        for (let n = def.min ?? 1; n <= (def.max ?? 5); n++) levels.push([n, levelName(n)]);
        control = makeSelect(id, levels, value ?? '');
        read = () => (control.value === '' ? undefined : Number(control.value));
        break;
      }
    // falls through
    case 'material':
      control = h('input', { type: 'number', id, inputmode: 'numeric', step: 1, value: value ?? '' });
      if (def.min !== undefined) control.min = def.min;
      if (def.max !== undefined) control.max = def.max;
      if (def.type === 'material') { control.min = 1; extraHelp = t('material.note', { kind: materialKindLabel(def.material_kind) }); }
      read = () => (control.value === '' || Number.isNaN(Number.parseInt(control.value, 10)) ? undefined : Number.parseInt(control.value, 10));
      break;
    case 'date':
      control = h('input', { type: 'date', id, value: value ?? '' });
      read = () => control.value || undefined;
      break;
    case 'bool':
      control = makeSelect(id, [['true', t('common.yes')], ['false', t('common.no')]], value === undefined ? '' : String(value));
      read = () => (control.value === '' ? undefined : control.value === 'true');
      break;
    case 'enum':
      control = makeSelect(id, (def.options || []).map((o) => [o.value, L(o.label)]), value ?? '');
      read = () => control.value || undefined;
      break;
    case 'org_ref': {
      const orgs = (ctx.orgs || []).filter((o) => !def.org_kind || o.kind === def.org_kind);
      control = makeSelect(id, orgs.map((o) => [o.id, o.name]), value ?? '');
      read = () => (control.value ? Number(control.value) : undefined);
      break;
    }
    case 'evaluation_ref':
      control = makeSelect(id, value ? [[value, t('eval.ref', { id: value })]] : [], value ?? '');
      fillEvaluations(control, path, ctx);
      control.addEventListener('focus', () => fillEvaluations(control, path, ctx));
      read = () => (control.value ? Number(control.value) : undefined);
      break;
    case 'text[]':
      control = h('textarea', { id, rows: 3, value: Array.isArray(value) ? value.join('\n') : (value ?? '') });
      extraHelp = t('form.onePerLine');
      read = () => {
        const lines = control.value.split('\n').map((s) => s.trim()).filter(Boolean);
        return lines.length ? lines : undefined;
      };
      break;
    case 'material[]':
      control = h('input', { type: 'text', id, inputmode: 'numeric', value: Array.isArray(value) ? value.join(', ') : (value ?? '') });
      extraHelp = t('material.listNote');
      read = () => {
        const ids = control.value.split(/[,\s，、]+/).filter(Boolean).map((s) => Number.parseInt(s, 10)).filter((n) => Number.isInteger(n) && n > 0);
        return ids.length ? ids : undefined;
      };
      break;
    default: { // text
      const long = (def.max_length || 0) > 300;
      control = long
        ? h('textarea', { id, rows: 4, value: value ?? '' })
        : h('input', { type: 'text', id, value: value ?? '' });
      if (def.max_length) control.maxLength = def.max_length;
      if (def.pattern) control.dataset.pattern = def.pattern;
      if (def.pattern_hint) extraHelp = t('form.patternHint', { hint: L(def.pattern_hint) });
      // the subject's name and USCC are the organisation's record: shown, never typed
      if (def.from_record) {
        control.readOnly = true;
        control.classList.add('from-record');
        extraHelp = t('form.fromRecord');
      }
      read = () => (control.value.trim() === '' ? undefined : control.value);
    }
  }
  if (def.required) control.setAttribute('aria-required', 'true');
  const onEdit = () => { setAt(ctx.doc, path, read()); ctx.onChange(path); };
  const isText = control.tagName === 'TEXTAREA' || ['text', 'number', 'date'].includes(control.type);
  control.addEventListener(isText ? 'input' : 'change', onEdit);
  if (isRegion(def)) {   // the region's name beside its code, as it is typed
    const named = h('span', { class: 'region-name muted', id: `${id}-name`, 'aria-live': 'polite' });
    const showName = () => { named.textContent = /^\d{6}$/.test(control.value) ? regionName(control.value) : ''; };
    control.addEventListener('input', showName);
    showName();
    control.regionName = named;
  }
  const help = helpFor(def, id, extraHelp);
  const notes = notesFor(path);
  const wrap = h('div', { class: ['field', 'scalar', `type-${def.type.replace(/[^a-z]/g, '')}`], dataset: { path } },
    h('label', { for: id }, L(def.label), requiredMark(def)), control, control.regionName || null, help);
  if (def.type === 'material' || def.type === 'material[]') {
    // the attached materials as links, and the upload control that attaches a new one
    const attached = h('p', { class: 'attached', id: `${id}-attached` });
    const drawAttached = () => {
      const v = getAt(ctx.doc, path);
      const ids = (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).filter((x) => Number.isInteger(x));
      replace(attached, ids.length ? [h('span', { class: 'muted' }, t('upload.attached')), ' ', ids.map((mid, i) => [i ? '、' : '', materialLink(mid)])]
        : h('span', { class: 'muted' }, t('upload.none')));
    };
    control.addEventListener(isText ? 'input' : 'change', drawAttached);
    const list = def.type === 'material[]';
    const kinds = list ? (def.material_kinds || (session.schema?.materials?.kinds || []).map((k) => k.key)) : null;
    const up = uploadControl({
      kind: def.material_kind || (list ? kinds.find((k) => k === 'other') || kinds[0] : undefined),
      kinds: list ? kinds : null,
      label: t('upload.chooseFor', { field: L(def.label) }),
      idBase: `up:${path}`,
      onUploaded: (m) => {
        if (list) {
          const cur = Array.isArray(getAt(ctx.doc, path)) ? getAt(ctx.doc, path) : [];
          setAt(ctx.doc, path, [...cur, m.id]);
          control.value = getAt(ctx.doc, path).join(', ');
        } else {
          setAt(ctx.doc, path, m.id);
          control.value = String(m.id);
        }
        drawAttached();
        ctx.onChange(path);
      },
    });
    drawAttached();
    wrap.append(attached, up);
  }
  wrap.append(notes);
  describe(control, help);
  return wrap;
}

// The provider an evaluation_ref field belongs to: the org_ref (org_kind provider) beside it.
function providerBeside(path, ctx) {
  const parent = path.slice(0, path.lastIndexOf('/'));
  const obj = getAt(ctx.doc, parent) || {};
  for (const [key, v] of Object.entries(obj)) {
    const def = fieldAt(`${parent}/${key}`);
    if (def?.type === 'org_ref' && def.org_kind === 'provider' && Number.isInteger(v)) return v;
  }
  return null;
}

// Options of an evaluation_ref select: the organisation's evaluations of that provider, newest
// first (GET /providers/{org}/evaluations); fetched again when the provider has changed.
async function fillEvaluations(control, path, ctx) {
  const org = providerBeside(path, ctx);
  if (control.dataset.org === String(org)) return;
  control.dataset.org = String(org);
  let items = [];
  if (org) {
    try { items = (await get(`/providers/${org}/evaluations`)).items || []; } catch { items = []; }
  }
  const current = control.value;
  replace(control, h('option', { value: '' }, items.length || !org ? t('form.choose') : t('eval.noneToAttach')),
    items.map((ev) => h('option', { value: ev.id, selected: String(ev.id) === current }, evaluationLine(ev))));
  if (current && !items.some((ev) => String(ev.id) === current))   // attached, but not (or no longer) listed
    control.append(h('option', { value: current, selected: true }, t('eval.ref', { id: current })));
}

function materialKindLabel(kind) {
  const k = (session.schema?.materials?.kinds || []).find((x) => x.key === kind);
  return k ? L(k.label) : (kind || '');
}

// ---- reading ------------------------------------------------------------------------------

function renderRead(def, path, ctx) {
  const value = getAt(ctx.doc, path);
  if (def.type === 'object') {
    const box = h('div', { class: 'field group read', dataset: { path } }, headRow(h('h3', { class: 'read-label' }, L(def.label)), path, ctx), notesFor(path));
    for (const f of def.fields || []) box.append(renderRead(f, `${path}/${f.key}`, ctx));
    return box;
  }
  if (def.type === 'list<object>') {
    const box = h('div', { class: 'field group read', dataset: { path } }, headRow(h('h3', { class: 'read-label' }, L(def.label)), path, ctx), notesFor(path));
    const list = Array.isArray(value) ? value : [];
    if (!list.length) box.append(h('p', { class: 'read-value empty-value' }, '—'));
    list.forEach((_, i) => {
      const p = `${path}/${i}`;
      const entry = h('div', { class: 'entry field read', dataset: { path: p } }, headRow(h('h4', {}, t('form.entry', { label: L(def.label), n: i + 1 })), p, ctx), notesFor(p));
      for (const f of def.fields || []) entry.append(renderRead(f, `${p}/${f.key}`, ctx));
      box.append(entry);
    });
    return box;
  }
  // a material: a link to its content (GET with the session cookie)
  if ((def.type === 'material' || def.type === 'material[]') && value !== undefined && value !== null) {
    const ids = (Array.isArray(value) ? value : [value]).filter((x) => Number.isInteger(x));
    return h('div', { class: 'field scalar read', dataset: { path } },
      headRow(h('div', { class: 'read-label', id: `l:${path}` }, L(def.label)), path, ctx),
      h('div', { class: 'read-value', 'aria-labelledby': `l:${path}` }, ids.map((id, i) => [i ? '、' : '', materialLink(id)])),
      notesFor(path));
  }
  // the attached scorecard: its date, weighted score and each criterion
  const ev = ctx.evaluation;
  if (def.type === 'evaluation_ref' && ev && ev.id === value) {
    return h('div', { class: 'field scalar read', dataset: { path } },
      headRow(h('div', { class: 'read-label', id: `l:${path}` }, L(def.label)), path, ctx),
      h('div', { class: 'read-value attached-evaluation', id: 'attached-evaluation', 'aria-labelledby': `l:${path}` },
        h('p', {}, evaluationLine(ev)), h('p', { class: 'muted' }, criteriaText(ev.scorecard))),
      notesFor(path));
  }
  const text = formatValue(def, value);
  return h('div', { class: 'field scalar read', dataset: { path } },
    headRow(h('div', { class: 'read-label', id: `l:${path}` }, L(def.label)), path, ctx),
    h('div', { class: ['read-value', text === '—' && 'empty-value'], 'aria-labelledby': `l:${path}` }, text),
    notesFor(path));
}

// ---- findings and rectification items at their fields ----------------------------------

// The nearest wrapper of path inside container (walking up the pointer), or null.
export function wrapperFor(container, path) {
  const segs = segmentsOf(path);
  while (segs.length) {
    const p = '/' + segs.join('/');
    const el = container.querySelector(`[data-path="${CSS.escape(p)}"]`);
    if (el) return el;
    segs.pop();
  }
  return null;
}

function notesOf(wrapper) {
  return wrapper.querySelector(':scope > .notes');
}

// Show findings ([{path, severity, message, rule}]) and items (rendered by renderItem) at their
// fields. Findings of fields not on screen are skipped (the list shows them).
export function decorate(container, findings, items = [], renderItem = null, ctx = null) {
  for (const n of container.querySelectorAll('.notes')) clear(n);
  for (const el of container.querySelectorAll('.has-error, .has-warning, .has-item')) el.classList.remove('has-error', 'has-warning', 'has-item');
  for (const el of container.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of container.querySelectorAll('[data-described]')) {
    el.setAttribute('aria-describedby', el.dataset.described);
    if (!el.dataset.described) el.removeAttribute('aria-describedby');
    delete el.dataset.described;
  }
  const mark = (wrapper, el, path) => {
    const notes = notesOf(wrapper);
    if (!notes) return;
    notes.append(el);
    const control = document.getElementById(controlId(wrapper.dataset.path));
    if (control && wrapper.dataset.path === path) {
      if (!('described' in control.dataset)) control.dataset.described = control.getAttribute('aria-describedby') || '';
      control.setAttribute('aria-describedby', `${control.dataset.described} ${notes.id}`.trim());
    }
  };
  for (const f of findings || []) {
    const w = wrapperFor(container, f.path);
    if (!w) continue;
    const sev = f.severity || 'error';
    w.classList.add(sev === 'error' ? 'has-error' : 'has-warning');
    const control = document.getElementById(controlId(w.dataset.path));
    if (control && sev === 'error') control.setAttribute('aria-invalid', 'true');
    mark(w, h('div', { class: ['finding', `sev-${sev}`], dataset: { rule: f.rule || '', path: f.path } },
      h('span', { class: 'sev' }, t(`severity.${sev}`)), ' ', L(f.message),
      f.overridden ? [' ', h('span', { class: 'badge overridden-mark' }, t('override.overridden'))] : null,
      ctx?.findingExtra ? ctx.findingExtra(f) : null,
      findingDetails(f)), f.path);
  }
  for (const it of items || []) {
    const w = wrapperFor(container, it.path);
    if (!w || !renderItem) continue;
    w.classList.add('has-item');
    mark(w, renderItem(it), it.path);
  }
}

// The rule and the data path of a finding, for the technical reader, in a disclosure.
export function findingDetails(f) {
  return technicalDetails([[t('tech.rule'), f.rule], [t('tech.field'), f.path]]);
}

export function replaceSection(container, section, ctx) {
  replace(container, renderSection(section, ctx));
}
