// ui.js — shared pieces of the screens: toasts, modal dialogs, badges, due-date chips, tabs,
// error messages, and navigation from code.
import { h, replace, uid, focusFirst } from './dom.js';
import { t, name, plain } from './i18n.js';
import { dueStatus } from './schema.js';

let navigator = (path) => { location.href = path; };
export function setNavigator(fn) { navigator = fn; }
export function go(path, opts) { return navigator(path, opts); }

// A short note that goes by itself (at the top, under the bar, where it covers no button of the
// page or of a dialog), and with the page: clearToasts() on every navigation. What an action did
// and what comes next is said on the page itself (views/guidance.js), not only here.
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  const el = h('div', { class: ['toast', `toast-${kind}`] }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

export function clearToasts() {
  const box = document.getElementById('toasts');
  while (box?.firstChild) box.firstChild.remove();
}

// A problem (ApiError) in words: its detail or title, without the data path or code it may name
// (those are in technicalDetails()).
export function problemText(err) {
  if (!err) return '';
  const p = err.problem || {};
  return plain(p.detail || p.title || err.message || String(err));
}

// "技术详情 / Technical details": the codes, paths and ids behind a message, for the technical
// reader, in a disclosure. rows: [[label, value]]; rows without a value are left out.
export function technicalDetails(rows) {
  const shown = rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (!shown.length) return null;
  return h('details', { class: 'tech-details' }, h('summary', {}, t('tech.details')),
    h('dl', {}, shown.map(([k, v]) => [h('dt', {}, k), h('dd', {}, h('code', {}, String(v)))])));
}

// The technical details of a problem: the field it names, its code and the request id.
export function problemDetails(err) {
  const p = err?.problem || {};
  return technicalDetails([[t('tech.field'), p.field], [t('tech.code'), p.code], [t('tech.rule'), p.rule],
    [t('tech.status'), err?.status || p.status], [t('tech.request'), p.request_id]]);
}

export function errorBox(err) {
  return h('div', { class: 'error-box' }, h('p', { class: 'error-text', role: 'alert' }, problemText(err)), problemDetails(err));
}

export function stateBadge(state) {
  return h('span', { class: ['badge', `state-${state}`], dataset: { state } }, name('state', state));
}

// A due date past the working-day calendar of the pack is an estimate (due_estimated): said in
// words beside the date, with the reason in the title.
export function dueChip(filing) {
  const s = dueStatus(filing);
  if (s.cls === 'none') return h('span', { class: 'muted' }, s.text);
  const chip = h('span', { class: ['due', `due-${s.cls}`], dataset: { due: s.cls } }, s.text);
  if (!filing.due_estimated || s.cls === 'paused') return chip;
  chip.dataset.estimated = 'true';
  chip.append(' ', h('span', { class: 'estimated', title: t('due.estimatedWhy') }, t('due.estimated')));
  return chip;
}

export function filingTitle(f) {
  return f.system_name || t('filing.untitled', { id: f.id });
}

// A modal dialog (native <dialog>: focus stays inside, Esc closes). build(body, close) fills the
// body and returns nothing; the promise resolves with what close() is given (undefined on Esc).
export function openDialog({ title, build, wide = false }) {
  return new Promise((resolve) => {
    const titleId = uid('dlg-title');
    const body = h('div', { class: 'dialog-body' });
    const dlg = h('dialog', { class: ['dialog', wide && 'dialog-wide'], 'aria-labelledby': titleId },
      h('div', { class: 'dialog-head' },
        h('h2', { id: titleId }, title),
        h('button', { type: 'button', class: 'icon-button', 'aria-label': t('common.close'), onclick: () => close(undefined) }, '×')),
      body);
    let done = false;
    const opener = document.activeElement;
    const close = (value) => {
      if (done) return;
      done = true;
      dlg.close();
      dlg.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(value);
    };
    dlg.addEventListener('cancel', (ev) => { ev.preventDefault(); close(undefined); });
    document.body.append(dlg);
    build(body, close);
    dlg.showModal();
    focusFirst(body);
  });
}

// Ask a yes/no question.
export function confirmDialog(title, text, okLabel) {
  return openDialog({
    title,
    build(body, close) {
      body.append(h('p', {}, text), h('div', { class: 'button-row' },
        h('button', { type: 'button', class: 'primary', onclick: () => close(true) }, okLabel || t('common.ok')),
        h('button', { type: 'button', onclick: () => close(false) }, t('common.cancel'))));
    },
  });
}

// Tabs: [{key, label, render(panel)}]; the active key is kept in ?tab= so that it can be linked.
export function tabs(items, active, onSwitch) {
  const list = h('div', { class: 'tabs', role: 'tablist' });
  const panel = h('div', { class: 'tab-panel', role: 'tabpanel', tabindex: '0' });
  const buttons = items.map((it) => h('button', {
    type: 'button', role: 'tab', id: `tab-${it.key}`, class: 'tab',
    'aria-selected': String(it.key === active), tabindex: it.key === active ? '0' : '-1',
    'aria-controls': 'tab-panel',
    onclick: () => select(it.key, true),
    onkeydown: (ev) => {
      const i = items.findIndex((x) => x.key === it.key);
      let j = null;
      if (ev.key === 'ArrowRight') j = (i + 1) % items.length;
      if (ev.key === 'ArrowLeft') j = (i - 1 + items.length) % items.length;
      if (ev.key === 'Home') j = 0;
      if (ev.key === 'End') j = items.length - 1;
      if (j !== null) { ev.preventDefault(); select(items[j].key, true); buttons[j].focus(); }
    },
  }, it.label));
  panel.id = 'tab-panel';
  list.append(...buttons);
  function select(key, user) {
    buttons.forEach((b, i) => {
      const on = items[i].key === key;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    });
    panel.setAttribute('aria-labelledby', `tab-${key}`);
    replace(panel);
    const it = items.find((x) => x.key === key) || items[0];
    it.render(panel);
    if (user && onSwitch) onSwitch(key);
  }
  return { list, panel, select };
}

export function loading() { return h('p', { class: 'loading' }, t('common.loading')); }

export function emptyState(text) { return h('p', { class: 'empty' }, text); }

// A labelled form control: field({label, control, help, id}).
export function field({ label, control, help, required }) {
  const id = control.id || uid('ctl');
  control.id = id;
  const helpEl = help ? h('p', { class: 'help', id: `${id}-help` }, help) : null;
  if (helpEl) control.setAttribute('aria-describedby', helpEl.id);
  if (required) control.required = true;
  return h('div', { class: 'form-row' }, h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null), control, helpEl);
}
