// login.js — sign in with login and password (POST /session sets the HttpOnly cookie).
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { signIn, session } from '../session.js';
import { field, problemText, go } from '../ui.js';

export async function loginView(main, params, query) {
  const next = query.get('next');
  const safeNext = next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
  if (session.me) { go(safeNext, { replace: true }); return; }
  const login = h('input', { type: 'text', name: 'login', id: 'login', autocomplete: 'username', required: true, autocapitalize: 'off', spellcheck: 'false' });
  const password = h('input', { type: 'password', name: 'password', id: 'password', autocomplete: 'current-password', required: true });
  const msg = h('div', { class: 'form-message', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'signin' }, t('login.submit'));
  const form = h('form', {
    class: 'card narrow', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      replace(msg);
      if (!login.value || !password.value) {
        replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('login.missing')));
        return;
      }
      submit.disabled = true;
      submit.textContent = t('login.busy');
      try {
        await signIn(login.value.trim(), password.value);
        go(safeNext, { replace: true });
      } catch (err) {
        replace(msg, h('p', { class: 'error-text', role: 'alert' }, problemText(err)));
        submit.disabled = false;
        submit.textContent = t('login.submit');
        password.select();
      }
    },
  },
  h('h1', {}, t('login.title')),
  h('p', { class: 'muted' }, t('login.intro')),
  field({ label: t('login.login'), control: login }),
  field({ label: t('login.password'), control: password }),
  msg,
  h('div', { class: 'button-row' }, submit),
  h('p', { class: 'muted' }, t('login.verifyHint'), ' ', h('a', { href: '/verify', 'data-link': '' }, t('nav.verify'))));
  main.append(h('div', { class: 'center-page' }, form));
  login.focus();
}
