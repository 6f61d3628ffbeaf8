// actions.js — the workflow actions of a filing as buttons (from allowed_actions), each asking in a
// dialog for what the workflow table says it needs: a comment, a reason, rectification items, the
// day a change takes effect.
import { h, replace, uid } from './dom.js';
import { t, name, L } from './i18n.js';
import { post } from './api.js';
import { actionNeeds } from './session.js';
import { pickablePaths, labelOf } from './schema.js';
import { openDialog, problemText } from './ui.js';

const PRIMARY = new Set(['submit_for_check', 'approve_check', 'confirm_hosting', 'accept', 'approve']);
const DANGER = new Set(['withdraw', 'reject', 'decline_hosting', 'cancel', 'revoke', 'return', 'object']);

// Buttons for the filing's actions: every action the workflow gives the caller now (filing.actions),
// those not possible at the moment shown disabled with the reason beside them (errors remain, a
// change filing is open, …), so that no button offers what can only fail. onDone(result, action)
// after a successful action; before() runs first (e.g. to save the document).
// For another record kind (a self-inspection report) `record` gives its {url, needs(state, action),
// paths()}: where its actions are posted, what each needs, which fields items may name.
export function actionButtons(filing, { before, onDone, pendingItems, record }) {
  const entries = filing.actions || (filing.allowed_actions || []).map((action) => ({ action, possible: true }));
  return entries.map(({ action, possible, reason }) => {
    const button = h('button', {
      type: 'button',
      class: ['action', PRIMARY.has(action) && 'primary', DANGER.has(action) && 'danger'],
      dataset: { action },
      disabled: !possible,
      onclick: async () => {
        if (before) await before();
        const result = await runAction(filing, action, { pendingItems, record });
        if (result) onDone(result, action);
      },
    }, name('action', action));
    if (possible) return button;
    const why = h('span', { class: 'action-reason muted', id: uid('why'), dataset: { reason: reason?.code || '' } },
      reason ? L(reason) : t('action.notNow'));
    button.setAttribute('aria-describedby', why.id);
    return h('span', { class: 'action-blocked' }, button, why);
  });
}

function itemRow(item, paths, onRemove) {
  const selId = uid('item-path');
  const msgId = uid('item-msg');
  const sel = h('select', { id: selId, class: 'item-path', required: true });
  sel.append(h('option', { value: '' }, t('form.choose')));
  for (const p of paths) {
    sel.append(h('option', { value: p.path, selected: p.path === item.path }, `${'\u00a0\u00a0'.repeat(p.depth)}${p.label}`));
  }
  if (item.path && !paths.some((p) => p.path === item.path))
    sel.append(h('option', { value: item.path, selected: true }, labelOf(item.path)));
  const msg = h('textarea', { id: msgId, class: 'item-message', rows: 2, required: true, maxlength: 2000, value: item.message || '' });
  const row = h('fieldset', { class: 'item-row' },
    h('legend', { class: 'sr-only' }, t('rect.item')),
    h('div', { class: 'form-row' }, h('label', { for: selId }, t('rect.field')), sel),
    h('div', { class: 'form-row' }, h('label', { for: msgId }, t('rect.message')), msg),
    h('button', { type: 'button', class: 'small danger', onclick: () => onRemove(row) }, t('rect.removeItem')));
  row.read = () => ({ path: sel.value, message: msg.value.trim() });
  return row;
}

// Open the dialog of `action` on `filing`; resolves with the API's answer, or undefined when
// cancelled. opts.pendingItems: rectification items picked on the form ([{path, message}]).
export function runAction(filing, action, { pendingItems, record } = {}) {
  const needs = record ? record.needs(filing.state, action) : actionNeeds(filing.state, action);
  const url = record ? record.url : `/filings/${filing.id}/actions`;
  return openDialog({
    title: t('action.dialogTitle', { action: name('action', action) }),
    wide: needs.has('items'),
    build(body, close) {
      const form = h('form', { class: 'action-form', novalidate: true, dataset: { action } });
      const explain = t(`actionHelp.${action}`);
      if (explain !== `actionHelp.${action}`) form.append(h('p', { class: 'muted' }, explain));
      let comment = null;
      let reason = null;
      let itemsBox = null;
      const rows = [];
      if (needs.has('items')) {
        const paths = record ? record.paths() : pickablePaths();
        itemsBox = h('div', { class: 'items-editor' });
        const addRow = (item) => {
          const row = itemRow(item, paths, (r) => { rows.splice(rows.indexOf(r), 1); r.remove(); });
          rows.push(row);
          itemsBox.append(row);
          return row;
        };
        const start = pendingItems && pendingItems.length ? pendingItems : [{ path: '', message: '' }];
        start.forEach(addRow);
        form.append(h('h3', {}, t('rect.items')), itemsBox,
          h('button', { type: 'button', class: 'small', id: 'add-item-row', onclick: () => addRow({ path: '', message: '' }).querySelector('select').focus() }, t('rect.addRow')));
      }
      let effectiveOn = null;
      if (needs.has('effective_on')) {
        effectiveOn = h('input', { id: 'action-effective-on', type: 'date', required: true });
        form.append(h('div', { class: 'form-row' }, h('label', { for: effectiveOn.id }, t('action.effectiveOn'), h('span', { class: 'req' }, ' *')), effectiveOn));
      }
      if (needs.has('reason')) {
        reason = h('textarea', { id: 'action-reason', rows: 3, required: true, maxlength: 4000 });
        form.append(h('div', { class: 'form-row' }, h('label', { for: reason.id }, t('action.reason'), h('span', { class: 'req' }, ' *')), reason));
      }
      comment = h('textarea', { id: 'action-comment', rows: 3, maxlength: 4000, required: needs.has('comment') });
      form.append(h('div', { class: 'form-row' },
        h('label', { for: comment.id }, t(needs.has('comment') ? 'action.commentRequired' : 'action.comment'), needs.has('comment') ? h('span', { class: 'req' }, ' *') : null), comment));
      const msg = h('div', { class: 'form-message', 'aria-live': 'assertive' });
      const submit = h('button', { type: 'submit', class: ['primary', DANGER.has(action) && 'danger'], id: 'action-submit' }, name('action', action));
      form.append(msg, h('div', { class: 'button-row' }, submit, h('button', { type: 'button', onclick: () => close(undefined) }, t('common.cancel'))));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        replace(msg);
        const payload = {};
        if (comment.value.trim()) payload.comment = comment.value.trim();
        if (needs.has('comment') && !payload.comment) return fail(t('action.needComment'), comment);
        if (effectiveOn) {
          if (!effectiveOn.value) return fail(t('action.needEffectiveOn'), effectiveOn);
          payload.effective_on = effectiveOn.value;
        }
        if (reason) {
          if (!reason.value.trim()) return fail(t('action.needReason'), reason);
          payload.reason = reason.value.trim();
        }
        if (itemsBox) {
          const items = rows.map((r) => r.read());
          const bad = items.findIndex((it) => !it.path || !it.message);
          if (!items.length) return fail(t('rect.needItems'));
          if (bad >= 0) return fail(t('rect.incompleteItem', { n: bad + 1 }), rows[bad].querySelector(items[bad].path ? 'textarea' : 'select'));
          payload.items = items;
        }
        submit.disabled = true;
        try {
          const out = await post(`${url}/${action}`, Object.keys(payload).length ? payload : undefined);
          close(out);
        } catch (err) {
          submit.disabled = false;
          const list = err.problem?.findings;
          replace(msg, h('div', { class: 'error-text', role: 'alert' }, h('p', {}, problemText(err)),
            Array.isArray(list) && list.length ? h('ul', {}, list.slice(0, 8).map((f) => h('li', {}, `${labelOf(f.path)}: ${L(f.message)}`))) : null));
        }
      });
      function fail(text, focusEl) {
        replace(msg, h('p', { class: 'error-text', role: 'alert' }, text));
        focusEl?.focus();
      }
      body.append(form);
    },
  });
}
