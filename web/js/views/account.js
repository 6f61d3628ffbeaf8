// account.js — the signed-in user: name, organisation, roles, and changing the password.
import { h, replace } from '../dom.js';
import { t, name } from '../i18n.js';
import { post } from '../api.js';
import { session } from '../session.js';
import { field, problemText, toast } from '../ui.js';

export async function accountView(main) {
  const me = session.me;
  const oldPw = h('input', { type: 'password', id: 'old-password', autocomplete: 'current-password', required: true });
  const newPw = h('input', { type: 'password', id: 'new-password', autocomplete: 'new-password', required: true, minlength: 10 });
  const again = h('input', { type: 'password', id: 'new-password-again', autocomplete: 'new-password', required: true });
  const msg = h('div', { 'aria-live': 'assertive' });
  const form = h('form', {
    class: 'card', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      replace(msg);
      if (newPw.value !== again.value) { replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('account.mismatch'))); again.focus(); return; }
      try {
        await post('/me/password', { old_password: oldPw.value, new_password: newPw.value });
        form.reset();
        replace(msg, h('p', { class: 'ok-text', role: 'status' }, t('account.changed')));
        toast(t('account.changed'), 'ok');
      } catch (err) {
        replace(msg, h('p', { class: 'error-text', role: 'alert' }, problemText(err)));
      }
    },
  },
  h('h2', {}, t('account.password')),
  field({ label: t('account.old'), control: oldPw }),
  field({ label: t('account.new'), control: newPw, help: t('account.rule') }),
  field({ label: t('account.again'), control: again }),
  msg,
  h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary' }, t('account.submit'))));
  main.append(h('div', { class: 'page narrow-page' },
    h('h1', {}, t('account.title')),
    h('section', { class: 'card' }, h('dl', { class: 'facts' },
      h('dt', {}, t('account.name')), h('dd', {}, me.name || '—'),
      h('dt', {}, t('account.login')), h('dd', {}, me.login),
      h('dt', {}, t('account.org')), h('dd', {}, `${me.org.name} (${name('orgKind', me.org.kind)})`),
      h('dt', {}, t('account.roles')), h('dd', {}, me.roles.map((r) => name('role', r)).join('、')))),
    form));
}
