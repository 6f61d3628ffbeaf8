// account.js — the signed-in user: name, organisation, roles, changing the password (revoking the
// API tokens too unless unticked), and the API tokens: one's own, and for an organisation admin its
// members', each revocable (issue 12).
import { h, replace } from '../dom.js';
import { t, name, formatDate } from '../i18n.js';
import { api, get, post } from '../api.js';
import { session } from '../session.js';
import { field, problemText, errorBox, toast } from '../ui.js';

export async function accountView(main) {
  const me = session.me;
  const oldPw = h('input', { type: 'password', id: 'old-password', autocomplete: 'current-password', required: true });
  const newPw = h('input', { type: 'password', id: 'new-password', autocomplete: 'new-password', required: true, minlength: 10 });
  const again = h('input', { type: 'password', id: 'new-password-again', autocomplete: 'new-password', required: true });
  const revoke = h('input', { type: 'checkbox', id: 'revoke-tokens', checked: true });
  const msg = h('div', { 'aria-live': 'assertive' });
  const form = h('form', {
    class: 'card', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      replace(msg);
      if (newPw.value !== again.value) { replace(msg, h('p', { class: 'error-text', role: 'alert' }, t('account.mismatch'))); again.focus(); return; }
      try {
        await post('/me/password', { old_password: oldPw.value, new_password: newPw.value, revoke_tokens: revoke.checked });
        form.reset();
        replace(msg, h('p', { class: 'ok-text', role: 'status' }, t('account.changed')));
        toast(t('account.changed'), 'ok');
      } catch (err) {
        replace(msg, errorBox(err));
      }
    },
  },
  h('h2', {}, t('account.password')),
  field({ label: t('account.old'), control: oldPw }),
  field({ label: t('account.new'), control: newPw, help: t('account.rule') }),
  field({ label: t('account.again'), control: again }),
  h('p', {}, h('label', { for: 'revoke-tokens' }, revoke, ' ', t('account.revokeTokens'))),
  msg,
  h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary' }, t('account.submit'))));
  main.append(h('div', { class: 'page narrow-page' },
    h('h1', {}, t('account.title')),
    h('section', { class: 'card' }, h('dl', { class: 'facts' },
      h('dt', {}, t('account.name')), h('dd', {}, me.name || '—'),
      h('dt', {}, t('account.login')), h('dd', {}, me.login),
      h('dt', {}, t('account.org')), h('dd', {}, `${me.org.name} (${name('orgKind', me.org.kind)})`),
      h('dt', {}, t('account.roles')), h('dd', {}, me.roles.map((r) => name('role', r)).join('、')))),
    form,
    tokensSection(false),
    me.roles.includes('org_admin') ? tokensSection(true) : null));
}

// The live API tokens, one's own or (org) the organisation's members', each with a revoke button;
// one's own section also makes new ones and shows the secret once.
function tokensSection(org) {
  const body = h('tbody');
  const table = h('table', { id: org ? 'org-tokens-table' : 'tokens-table', class: 'data-table' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('tokens.name')),
      org ? h('th', { scope: 'col' }, t('account.login')) : null,
      h('th', { scope: 'col' }, t('tokens.created')),
      h('th', { scope: 'col' }, t('tokens.expires')),
      h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('tokens.revoke'))))),
    body);
  const msg = h('div', { 'aria-live': 'polite' });
  const load = async () => {
    try {
      const { items } = await get(org ? '/tokens?scope=org' : '/tokens');
      replace(body, ...(items.length ? items.map((tk) => h('tr', { 'data-token': tk.id },
        h('td', {}, tk.name),
        org ? h('td', {}, tk.login) : null,
        h('td', {}, formatDate(tk.created_at)),
        h('td', {}, formatDate(tk.expires_at)),
        h('td', {}, h('button', {
          type: 'button', class: 'danger', 'aria-label': `${t('tokens.revoke')} ${tk.name}`,
          onclick: async () => {
            try {
              await api('DELETE', `/tokens/${tk.id}`);
              toast(t('tokens.revoked'), 'ok');
              await load();
            } catch (err) { replace(msg, errorBox(err)); }
          },
        }, t('tokens.revoke'))))) : [h('tr', {}, h('td', { colspan: org ? 5 : 4 }, t('tokens.none')))]));
    } catch (err) { replace(msg, errorBox(err)); }
  };
  load();
  let create = null;
  if (!org) {
    const nameIn = h('input', { type: 'text', id: 'token-name', maxlength: 100, required: true });
    const daysIn = h('input', { type: 'number', id: 'token-days', min: 1, max: 365, value: 90 });
    const shown = h('div', { 'aria-live': 'polite' });
    create = h('form', {
      novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        replace(shown);
        try {
          const made = await post('/tokens', { name: nameIn.value, days: Number(daysIn.value) || undefined });
          replace(shown, h('p', { class: 'ok-text', role: 'status' }, t('tokens.secretOnce'), ' ',
            h('code', { id: 'token-secret' }, made.token)));
          nameIn.value = '';
          await load();
        } catch (err) { replace(shown, errorBox(err)); }
      },
    },
    field({ label: t('tokens.name'), control: nameIn }),
    field({ label: t('tokens.days'), control: daysIn, help: t('tokens.daysHelp') }),
    h('div', { class: 'button-row' }, h('button', { type: 'submit', id: 'token-create' }, t('tokens.create'))),
    shown);
  }
  return h('section', { class: 'card', id: org ? 'org-tokens' : 'my-tokens' },
    h('h2', {}, t(org ? 'tokens.orgTitle' : 'tokens.title')), table, msg, create);
}
