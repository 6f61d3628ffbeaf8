// main.js — boots the application: restores the session, draws the top bar (who is signed in,
// navigation, language switch), routes paths to screens with the History API.
import { h, replace, clear } from './dom.js';
import { t, getLang, setLang, name } from './i18n.js';
import { setUnauthenticatedHandler } from './api.js';
import { session, restore, signOut, forget, hasRole, orgKind } from './session.js';
import { toast, clearToasts, setNavigator } from './ui.js';
import { loginView } from './views/login.js';
import { verifyView } from './views/verify.js';
import { homeView } from './views/home.js';
import { filingView } from './views/filing.js';
import { queueView } from './views/queue.js';
import { dashboardView } from './views/dashboard.js';
import { adminView } from './views/admin.js';
import { accountView } from './views/account.js';
import { providerView } from './views/provider.js';
import { evaluationView, canEvaluate } from './views/evaluation.js';
import { recordsView } from './views/records.js';
import { inspectionView } from './views/inspection.js';
import { incidentsView, incidentView, incidentReportView } from './views/incidents.js';
import { inboxView, INBOX_CHANGED } from './views/inbox.js';
import { get } from './api.js';

const ROUTES = [
  { pattern: '/login', view: loginView, public: true },
  { pattern: '/verify', view: verifyView, public: true },
  { pattern: '/', view: homeView },
  { pattern: '/filings/:id', view: filingView },
  { pattern: '/queue', view: queueView },
  { pattern: '/dashboard', view: dashboardView },
  { pattern: '/admin', view: adminView },
  { pattern: '/account', view: accountView },
  { pattern: '/provider', view: providerView },
  { pattern: '/evaluate', view: evaluationView },
  { pattern: '/records', view: recordsView },
  { pattern: '/inspections/:id', view: inspectionView },
  { pattern: '/incidents', view: incidentsView },
  { pattern: '/incidents/new', view: incidentReportView },
  { pattern: '/incidents/:id', view: incidentView },
  { pattern: '/inbox', view: inboxView },
];

function match(path) {
  const segs = path.replace(/\/+$/, '').split('/').filter(Boolean);
  for (const r of ROUTES) {
    const ps = r.pattern.split('/').filter(Boolean);
    if (ps.length !== segs.length) continue;
    const params = {};
    let ok = true;
    ps.forEach((p, i) => {
      if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(segs[i]);
      else if (p !== segs[i]) ok = false;
    });
    if (ok) return { route: r, params };
  }
  return null;
}

const main = document.getElementById('main');
let current = null;       // what the current view returned: {beforeLeave, cleanup}
let renderSeq = 0;

export function navigate(to, { replace: rep = false } = {}) {
  if (to === location.pathname + location.search) return render();
  if (rep) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  return render({ focus: true });
}

async function leaveCurrent() {
  if (current?.beforeLeave) {
    try { await current.beforeLeave(); } catch { /* the view reports its own failures */ }
  }
  current?.cleanup?.();
  current = null;
}

async function render({ focus = false } = {}) {
  const seq = ++renderSeq;
  await leaveCurrent();
  clearToasts();   // a toast belongs to the page it was said on
  if (seq !== renderSeq) return;
  const m = match(location.pathname);
  drawTopbar();
  if (!m) {
    replace(main, h('h1', { tabindex: '-1' }, t('notfound.title')), h('p', {}, t('notfound.text')),
      h('p', {}, h('a', { href: '/', 'data-link': '' }, t('notfound.home'))));
    document.title = `${t('notfound.title')} · ${t('app.title')}`;
    return;
  }
  if (!m.route.public && !session.me) {
    const back = location.pathname + location.search;
    history.replaceState(null, '', `/login${back && back !== '/' ? `?next=${encodeURIComponent(back)}` : ''}`);
    return render({ focus });
  }
  clear(main);
  const query = new URLSearchParams(location.search);
  try {
    current = (await m.route.view(main, m.params, query, { navigate, seq: () => seq === renderSeq })) || null;
  } catch (err) {
    if (seq !== renderSeq) return;
    replace(main, h('h1', { tabindex: '-1' }, t('error.title')), h('p', { class: 'error-text', role: 'alert' }, err.message || String(err)));
  }
  if (seq !== renderSeq) return;
  const h1 = main.querySelector('h1');
  document.title = `${h1 ? h1.textContent : ''} · ${t('app.title')}`;
  if (focus && h1) { if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1'); h1.focus(); }
}

function navLinks() {
  if (!session.me) return [['/verify', t('nav.verify')], ['/login', t('nav.signin')]];
  const kind = orgKind();
  const links = [];
  if (kind === 'enterprise') links.push(['/', t('nav.workbench')], ['/records', t('nav.records')]);
  if (canEvaluate()) links.push(['/evaluate', t('nav.evaluate')]);
  if (kind === 'provider') links.push(['/', t('nav.confirmations')], ['/provider', t('nav.profile')]);
  if (kind === 'authority') links.push(['/', t('nav.queue')], ['/records', t('nav.supervision')], ['/dashboard', t('nav.dashboard')]);
  if (kind === 'platform') links.push(['/', t('nav.admin')], ['/queue', t('nav.allFilings')], ['/dashboard', t('nav.dashboard')]);
  if (kind === 'enterprise' || kind === 'platform') links.push(['/incidents', t('nav.incidents')]);
  if (kind === 'authority') links.push(['/incidents', t('nav.incidentQueue')]);
  if (kind !== 'platform' && hasRole('org_admin', 'authority_admin')) links.push(['/admin', t('nav.users')]);
  links.push(['/verify', t('nav.verify')], ['/account', t('nav.account')]);
  return links;
}

function drawTopbar() {
  const bar = document.getElementById('topbar');
  document.getElementById('skip-link').textContent = t('app.skip');
  const here = location.pathname;
  const nav = h('nav', { class: 'mainnav', 'aria-label': t('nav.label') },
    h('ul', {}, navLinks().map(([href, label]) =>
      h('li', {}, h('a', { href, 'data-link': '', 'aria-current': href === here ? 'page' : null }, label)))));
  const langBtn = h('button', {
    type: 'button', class: 'lang-switch', id: 'lang-switch', lang: getLang() === 'zh' ? 'en' : 'zh',
    'aria-label': t('lang.switchLabel'),
    onclick: async () => {
      await leaveCurrent();
      setLang(getLang() === 'zh' ? 'en' : 'zh');
      render();
    },
  }, t('lang.other'));
  let who = null;
  let inbox = null;
  if (session.me) {
    // the inbox with its unread count (filled when the count arrives)
    const badge = h('span', { class: 'inbox-badge', id: 'inbox-badge', hidden: true });
    inbox = h('a', { href: '/inbox', 'data-link': '', id: 'inbox-link', class: 'inbox-link',
      'aria-current': here === '/inbox' ? 'page' : null }, t('nav.inbox'), badge);
    showUnread(inbox, badge, lastUnread);
    get('/inbox').then((r) => showUnread(inbox, badge, r.unread), () => {});
  }
  if (session.me) {
    const me = session.me;
    who = h('div', { class: 'whoami', id: 'whoami' },
      h('span', { class: 'whoami-name' }, me.name || me.login),
      h('span', { class: 'whoami-org' }, me.org?.name || ''),
      h('span', { class: 'whoami-roles' }, me.roles.map((r) => name('role', r)).join('、')),
      h('button', {
        type: 'button', class: 'link-button', id: 'signout',
        onclick: async () => { await leaveCurrent(); await signOut(); navigate('/login'); },
      }, t('nav.signout')));
  }
  replace(bar,
    h('a', { class: 'brand', href: '/', 'data-link': '', id: 'brand' },
      h('img', { src: '/favicon.svg', alt: '', width: 28, height: 28 }), h('span', {}, t('app.title'))),
    nav, h('div', { class: 'topbar-right' }, inbox, who, langBtn));
}

// The unread count on the inbox link (hidden at 0), spoken with it.
let lastUnread = null;
function showUnread(link, badge, n) {
  if (typeof n !== 'number') return;
  lastUnread = n;
  badge.textContent = n > 99 ? '99+' : String(n);
  badge.hidden = n === 0;
  link.setAttribute('aria-label', n ? `${t('nav.inbox')} (${t('inbox.badgeLabel', { n })})` : t('nav.inbox'));
}
document.addEventListener(INBOX_CHANGED, (ev) => {
  const link = document.getElementById('inbox-link'), badge = document.getElementById('inbox-badge');
  if (link && badge) showUnread(link, badge, ev.detail.unread);
});

// Links with data-link are routed here, not by a page load.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest?.('a[data-link]');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  ev.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', () => render({ focus: true }));
window.addEventListener('beforeunload', (ev) => {
  if (current?.dirty?.()) { ev.preventDefault(); ev.returnValue = ''; }
});

setUnauthenticatedHandler(() => {
  if (!session.me) return;
  forget();
  toast(t('session.expired'), 'error');
  const back = location.pathname + location.search;
  history.replaceState(null, '', `/login?next=${encodeURIComponent(back)}`);
  render({ focus: true });
});

async function boot() {
  setNavigator(navigate);
  document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
  try { await restore(); } catch { /* offline: the screens say so */ }
  await render();
  document.body.dataset.ready = 'true';
}

boot();
