// inbox.js — the user's in-app inbox (GET /inbox): what happened that concerns them, newest first,
// unread ones marked; opening an item marks it read and goes to the thing it is about.
import { h, replace } from '../dom.js';
import { t, getLang, plain, formatDateTime } from '../i18n.js';
import { get, post } from '../api.js';
import { errorBox, go } from '../ui.js';

// The top bar's badge listens for this to redraw its count.
export const INBOX_CHANGED = 'beian:inbox-changed';
const changed = (unread) => document.dispatchEvent(new CustomEvent(INBOX_CHANGED, { detail: { unread } }));

function itemView(it) {
  const lang = getLang();
  const subject = plain(it.subject?.[lang] || it.subject?.zh || t('inbox.untitled'));
  const body = plain((it.body?.[lang] || it.body?.zh || '').replace(/\n?\/(filings|inspections)\/\d+\s*$/, ''));
  const open = h('a', {
    href: it.link || '/', class: 'inbox-subject', 'data-link': '',
    onclick: async (ev) => {
      ev.preventDefault();
      try { if (!it.read) changed((await post(`/inbox/${it.id}/read`)).unread); } catch { /* go anyway */ }
      go(it.link || '/');
    },
  }, subject);
  return h('li', { class: `inbox-item${it.read ? '' : ' inbox-unread'}`, dataset: { item: it.id, event: it.event } },
    h('div', { class: 'inbox-head' },
      it.read ? null : h('span', { class: 'badge inbox-new' }, t('inbox.new')),
      open, h('span', { class: 'muted inbox-when' }, formatDateTime(it.created_at))),
    body ? h('p', { class: 'inbox-body' }, body) : null);
}

export async function inboxView(main) {
  const out = h('div', { id: 'inbox-out', 'aria-live': 'polite' });
  const all = h('button', { type: 'button', class: 'btn', id: 'inbox-read-all' }, t('inbox.markAll'));
  main.append(h('div', { class: 'page' },
    h('h1', {}, t('inbox.title')),
    h('p', { class: 'muted' }, t('inbox.intro')),
    h('p', {}, all),
    out));
  function draw(r) {
    changed(r.unread);
    all.disabled = r.unread === 0;
    replace(out,
      h('p', { class: 'queue-summary', id: 'inbox-summary' }, t('inbox.unread', { n: r.unread })),
      r.items.length ? h('ul', { class: 'inbox-list', id: 'inbox-list' }, r.items.map(itemView))
        : h('p', { class: 'empty', id: 'inbox-empty' }, t('inbox.none')));
  }
  all.addEventListener('click', async () => {
    try { draw(await post('/inbox/read-all')); } catch (err) { replace(out, errorBox(err)); }
  });
  try { draw(await get('/inbox')); } catch (err) { replace(out, errorBox(err)); }
}
