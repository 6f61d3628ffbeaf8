// impact.js — what a policy version would break, before it takes effect (issue 16): the authority
// (or the platform) picks an installed version of the pack; the filed records of its jurisdiction
// that would then fail rules are listed with those rules in words (GET /policy/impact), each a link
// to the record; rule ids and the findings' fields stay in a details disclosure. The enterprises
// concerned have been told in their inbox when the version was installed.
import { h, replace } from '../dom.js';
import { t, L, formatDate, formatNumber } from '../i18n.js';
import { get } from '../api.js';
import { hasRole, orgKind, loadSchema } from '../session.js';
import { labelOf } from '../schema.js';
import { errorBox } from '../ui.js';

export const canSeeImpact = () => orgKind() === 'platform' || (orgKind() === 'authority' && hasRole('reviewer', 'authority_admin'));

const specOf = (p) => `${p.id}@${p.version}`;
const today = () => new Date().toISOString().slice(0, 10);

// A version in words: its title, version and the day it takes effect (or took effect).
function versionLabel(p) {
  const from = formatDate(p.effective_from);
  const when = p.in_force ? t('impact.inForce', { date: from })
    : p.effective_from > today() ? t('impact.fromDay', { date: from }) : t('impact.superseded', { date: from });
  return t('impact.versionLabel', { title: L(p.title), version: p.version, when });
}

export async function impactView(main, params, query) {
  await loadSchema();
  const page = h('div', { class: 'page impact-page' },
    h('h1', { id: 'impact-title' }, t('impact.title')),
    h('p', { class: 'muted' }, t('impact.intro')));
  main.append(page);
  if (!canSeeImpact()) { page.append(h('p', { class: 'error-text', role: 'alert' }, t('impact.notYours'))); return null; }
  let packs = [];
  try { packs = (await get('/policy/packs')).items || []; } catch (err) { page.append(errorBox(err)); return null; }
  // newest first; the default: the asked one, else the next version not yet in force, else the newest
  packs.sort((a, b) => String(b.effective_from).localeCompare(String(a.effective_from)) || String(b.version).localeCompare(String(a.version)));
  const upcoming = packs.filter((p) => !p.in_force && p.effective_from > today());
  const chosen = packs.find((p) => specOf(p) === query.get('pack')) || upcoming[upcoming.length - 1] || packs[0];
  const select = h('select', { id: 'impact-pack' }, packs.map((p) => h('option', { value: specOf(p), selected: p === chosen }, versionLabel(p))));
  const out = h('div', { id: 'impact-out', 'aria-live': 'polite' });
  page.append(h('div', { class: 'form-row' }, h('label', { for: select.id }, t('impact.pack')), select));
  if (!upcoming.length) page.append(h('p', { class: 'muted', id: 'impact-no-upcoming' }, t('impact.noUpcoming')));
  page.append(out);

  async function load() {
    const spec = select.value;
    const q = new URLSearchParams(location.search);
    q.set('pack', spec);
    history.replaceState(null, '', `${location.pathname}?${q}`);
    const pack = packs.find((p) => specOf(p) === spec);
    replace(out, h('p', { class: 'loading' }, t('common.loading')));
    try {
      const [impact, rules] = await Promise.all([
        get(`/policy/impact?pack=${encodeURIComponent(spec)}`),
        get(`/policy/packs/${encodeURIComponent(pack.id)}/${encodeURIComponent(pack.version)}/rules`).catch(() => ({ items: [] })),
      ]);
      const titles = new Map((rules.items || []).map((r) => [r.id, L(r.title)]));
      const ruleWords = (id) => titles.get(id) || t('impact.ruleUnnamed');
      const items = impact.items || [];
      replace(out,
        h('p', { class: 'queue-summary', id: 'impact-summary', dataset: { failing: items.length, checked: impact.checked } },
          t('impact.summary', { checked: formatNumber(impact.checked), failing: formatNumber(impact.failing_count) }),
          ' ', pack && !pack.in_force && pack.effective_from > today() ? t('impact.actBy', { date: formatDate(pack.effective_from) }) : ''),
        impact.truncated ? h('p', { class: 'warning-text' }, t('impact.truncated', { n: formatNumber(items.length) })) : null,
        items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table impact-table', id: 'impact-table' },
          h('caption', { class: 'sr-only' }, t('impact.caption', { version: pack ? pack.version : spec })),
          h('thead', {}, h('tr', {}, [t('col.number'), t('col.system'), t('col.subject'), t('impact.rules')].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, items.map((r) => {
            const fresh = new Set(r.new_rules || []);
            return h('tr', { dataset: { record: r.id } },
              h('td', {}, h('a', { href: `/filings/${r.id}`, 'data-link': '' }, r.number || t('impact.record'))),
              h('td', {}, r.system_name || '—'),
              h('td', {}, r.subject_name || '—'),
              h('td', {},
                h('ul', { class: 'impact-rules' }, (r.rules || []).map((id) => h('li', { dataset: { rule: id } },
                  ruleWords(id), fresh.has(id) ? [' ', h('span', { class: 'badge mark-warning' }, t('impact.newRule'))] : null))),
                h('details', { class: 'impact-details' },
                  h('summary', {}, t('impact.details')),
                  h('ul', {}, (r.findings || []).map((f) => h('li', {},
                    h('strong', {}, labelOf(f.path)), '：', L(f.message), ' ', h('code', {}, f.rule || ''), ' ', h('code', {}, f.path || '')))))));
          })))) : h('p', { class: 'ok-text', id: 'impact-none' }, t('impact.none')));
    } catch (err) { replace(out, errorBox(err)); }
  }
  select.addEventListener('change', load);
  if (packs.length) await load(); else replace(out, h('p', { class: 'empty' }, t('impact.noPacks')));
  return null;
}
