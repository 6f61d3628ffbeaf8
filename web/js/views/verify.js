// verify.js — public verification of a filing number (no sign-in needed).
import { h, replace } from '../dom.js';
import { t, name, formatDate } from '../i18n.js';
import { get, ApiError } from '../api.js';
import { field, problemText, stateBadge } from '../ui.js';

// The signed certificate: whether its signature holds (checked by the server against the published
// keys) and whether it states the record as it is now; the envelope and the keys to check offline.
function proofBlock(f) {
  const st = f.certificate.statement;
  const v = f.verification || {};
  const blob = URL.createObjectURL(new Blob([JSON.stringify(f.certificate, null, 1)], { type: 'application/json' }));
  return h('section', { class: 'verify-proof', id: 'verify-proof', 'aria-labelledby': 'verify-proof-title' },
    h('h3', { id: 'verify-proof-title' }, t('verify.proof')),
    v.signature_valid
      ? h('p', { class: 'ok-text', id: 'verify-signature' }, '✔ ', t('verify.sigValid', { signer: st.signer?.name || '—', key: st.key_id, entry: st.audit.index + 1, size: st.audit.tree_size }))
      : h('p', { class: 'error-text', id: 'verify-signature', role: 'alert' }, '✘ ', t('verify.sigInvalid', { reason: v.reason || '' })),
    v.current
      ? h('p', { id: 'verify-current' }, t('verify.current', { version: st.record_version }))
      : h('p', { class: 'warning-text', id: 'verify-current' }, t('verify.notCurrent')),
    h('p', { class: 'muted' }, t('verify.offline')),
    h('p', {},
      h('a', { href: blob, download: `certificate-${st.number}.json`, id: 'verify-download' }, t('verify.download')), ' · ',
      h('a', { href: '/.well-known/beian-keys.json', download: 'beian-keys.json' }, t('verify.keys'))));
}

// The published signing keys (current and retired), so that anyone can take them for offline checks.
function keysSection() {
  const body = h('div', {}, h('p', { class: 'loading' }, t('common.loading')));
  get('/public/keys', { quiet401: true }).then((k) => {
    replace(body, h('table', { class: 'table', id: 'public-keys' },
      h('thead', {}, h('tr', {}, [t('verify.keyOwner'), t('verify.keyId'), t('verify.keyCreated'), t('verify.keyState')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, (k.keys || []).map((key) => h('tr', {},
        h('td', {}, key.owner === 'platform' ? t('verify.keyPlatform') : (key.name || key.owner)),
        h('td', {}, h('code', {}, key.key_id)),
        h('td', {}, formatDate(key.created_at)),
        h('td', {}, key.current ? t('verify.keyCurrent') : key.retired_at ? t('verify.keyRetired', { date: formatDate(key.retired_at) }) : '—'))))),
    h('p', { class: 'muted' }, t('verify.logOrigin', { origin: k.log?.origin || '' }), ' ',
      h('a', { href: '/.well-known/beian-keys.json', download: 'beian-keys.json' }, 'beian-keys.json')));
  }, () => replace(body, h('p', { class: 'muted' }, '—')));
  return h('section', { class: 'card', 'aria-labelledby': 'keys-title' }, h('h2', { id: 'keys-title' }, t('verify.keys')), body);
}

export async function verifyView(main, params, query) {
  const input = h('input', { type: 'text', id: 'verify-number', name: 'number', required: true, autocomplete: 'off', spellcheck: 'false', placeholder: '110000-2026-000001', value: query.get('number') || '' });
  const result = h('div', { class: 'verify-result', id: 'verify-result', 'aria-live': 'polite' });
  async function check() {
    const number = input.value.trim();
    if (!number) { replace(result, h('p', { class: 'error-text', role: 'alert' }, t('verify.empty'))); return; }
    history.replaceState(null, '', `/verify?number=${encodeURIComponent(number)}`);
    replace(result, h('p', { class: 'loading' }, t('common.loading')));
    try {
      const f = await get(`/public/filings/${encodeURIComponent(number)}`, { quiet401: true });
      replace(result, h('section', { class: 'card verify-found', 'aria-labelledby': 'verify-found-title' },
        h('h2', { id: 'verify-found-title' }, t('verify.found')),
        h('dl', { class: 'facts' },
          h('dt', {}, t('verify.number')), h('dd', { id: 'verify-number-out' }, f.number),
          h('dt', {}, t('verify.state')), h('dd', {}, stateBadge(f.state)),
          h('dt', {}, t('verify.subject')), h('dd', {}, f.subject_name),
          h('dt', {}, t('verify.system')), h('dd', {}, f.system_name),
          h('dt', {}, t('verify.authority')), h('dd', {}, f.authority),
          h('dt', {}, t('verify.filingDate')), h('dd', {}, formatDate(f.filing_date)),
          h('dt', {}, t('verify.latest')), h('dd', {}, formatDate(f.latest_version_date))),
        f.state !== 'filed' ? h('p', { class: 'warning-text' }, t('verify.notValid', { state: name('state', f.state) })) : null,
        f.certificate ? proofBlock(f) : null));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404)
        replace(result, h('section', { class: 'card verify-missing' }, h('h2', {}, t('verify.notFound')), h('p', {}, t('verify.notFoundText', { number }))));
      else replace(result, errorBox(err));
    }
  }
  main.append(h('div', { class: 'page narrow-page' },
    h('h1', {}, t('verify.title')),
    h('p', { class: 'muted' }, t('verify.intro')),
    h('form', { class: 'card', role: 'search', onsubmit: (ev) => { ev.preventDefault(); check(); } },
      field({ label: t('verify.number'), control: input, help: t('verify.help') }),
      h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary', id: 'verify-submit' }, t('verify.submit')))),
    result,
    keysSection()));
  if (input.value) check();
}
