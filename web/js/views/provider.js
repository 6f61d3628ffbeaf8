// provider.js — the cloud provider's profile (GET/PUT /providers/{org}/profile): qualifications
// with their certificate material, cloud platforms and data centres, and what expires soon
// (GET /providers/{org}/expiring). The provider's own staff edit it; anyone else reads it.
import { h, replace, clear, append } from '../dom.js';
import { t, name, formatDate, levelName, countryName } from '../i18n.js';
import { regionName } from '../schema.js';

// IaaS, PaaS, SaaS: how the service models are written (not as their codes, nor shouted)
const MODEL_NAMES = { iaas: 'IaaS', paas: 'PaaS', saas: 'SaaS' };
import { api, get } from '../api.js';
import { session, hasRole } from '../session.js';
import { toast, errorBox } from '../ui.js';
import { uploadControl, materialLink } from '../materials.js';

const MODELS = ['iaas', 'paas', 'saas'];

// The columns of each list: [key, label key, kind] (kind: text, date, int, models, role, material).
const LISTS = [
  { key: 'qualifications', title: 'profile.qualifications', one: 'profile.qualification', cols: [
    ['scheme', 'profile.scheme', 'text'], ['certificate_number', 'profile.certNumber', 'text'], ['issuer', 'profile.issuer', 'text'],
    ['valid_from', 'profile.validFrom', 'date'], ['valid_until', 'profile.validUntil', 'date'], ['certificate_material_id', 'profile.certificate', 'material']] },
  { key: 'platforms', title: 'profile.platforms', one: 'profile.platform', cols: [
    ['name', 'profile.name', 'text'], ['mlps_level', 'profile.mlps', 'int'], ['filing_certificate_number', 'profile.filingCert', 'text'],
    ['service_models', 'profile.serviceModels', 'models']] },
  { key: 'data_centers', title: 'profile.dataCenters', one: 'profile.dataCenter', cols: [
    ['name', 'profile.name', 'text'], ['region_code', 'profile.regionCode', 'text'], ['country', 'profile.country', 'text'],
    ['role', 'profile.role', 'role'], ['physical_security', 'profile.physicalSecurity', 'text']] },
];

export async function providerView(main, params, query) {
  const me = session.me;
  const orgId = Number(query.get('org') || me.org.id);
  const own = orgId === me.org.id && me.org.kind === 'provider';
  const editable = own && hasRole('provider', 'org_admin');
  const page = h('div', { class: 'page provider-page' });
  main.append(page);
  const [data, expiring] = await Promise.all([get(`/providers/${orgId}/profile`), get(`/providers/${orgId}/expiring`).catch(() => null)]);
  // the document edited: the profile without the computed states
  const doc = structuredClone(data.profile || {});
  for (const l of LISTS) doc[l.key] = Array.isArray(doc[l.key]) ? doc[l.key] : [];
  const states = new Map(doc.qualifications.map((q, i) => [i, q.state]));
  for (const q of doc.qualifications) delete q.state;
  let revision = data.revision;

  const meta = h('p', { class: 'muted', id: 'profile-revision' });
  const drawMeta = () => replace(meta, revision ? `${t('profile.revision', { n: revision })}${data.updated_at ? ` · ${formatDate(data.updated_at)}` : ''}` : t('profile.never'));
  drawMeta();
  const expBox = h('section', { class: 'card', id: 'expiring', 'aria-labelledby': 'expiring-title' });
  const msg = h('div', { 'aria-live': 'assertive', id: 'profile-msg' });
  const boxes = {};
  append(page, [
    h('h1', {}, t('profile.title')),
    h('p', {}, data.name || '', ' · ', t('profile.intro')), meta,
    editable ? null : h('p', { class: 'muted', id: 'profile-readonly' }, t('profile.readonly')),
    expBox]);
  drawExpiring(expiring);
  const form = h('form', {
    novalidate: true, id: 'profile-form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      replace(msg);
      try {
        const out = await api('PUT', `/providers/${orgId}/profile`, { body: cleaned() });
        revision = out.revision;
        data.updated_at = out.updated_at;
        drawMeta();
        states.clear();
        (out.profile?.qualifications || []).forEach((q, i) => states.set(i, q.state));
        for (const l of LISTS) drawList(l);
        replace(msg, h('p', { class: 'ok-text', role: 'status' }, t('profile.saved')));
        toast(t('profile.saved'), 'ok');
        drawExpiring(await get(`/providers/${orgId}/expiring`).catch(() => null));
      } catch (err) {
        replace(msg, errorBox(err));
        if (err.field) page.querySelector(`[data-pointer="${CSS.escape(err.field)}"]`)?.focus();
      }
    },
  });
  for (const l of LISTS) {
    boxes[l.key] = h('div', { class: 'table-wrap', id: `profile-${l.key}` });
    form.append(h('section', { class: 'card', 'aria-labelledby': `h-${l.key}` },
      h('div', { class: 'card-head' }, h('h2', { id: `h-${l.key}` }, t(l.title)),
        editable ? h('button', {
          type: 'button', class: 'small add-row', id: `add-${l.key}`,
          onclick: () => { doc[l.key].push({}); drawList(l); boxes[l.key].querySelector('tbody tr:last-child input, tbody tr:last-child select')?.focus(); },
        }, t('profile.add', { what: t(l.title) })) : null),
      boxes[l.key]));
    drawList(l);
  }
  if (editable) form.append(msg, h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary', id: 'profile-save' }, t('profile.save'))));
  page.append(form);

  function cleaned() {
    const out = {};
    for (const l of LISTS) {
      out[l.key] = doc[l.key].map((row) => {
        const r = {};
        for (const [k, v] of Object.entries(row)) if (v !== undefined && v !== '' && !(Array.isArray(v) && !v.length)) r[k] = v;
        return r;
      });
    }
    return out;
  }

  function drawExpiring(exp) {
    clear(expBox);
    expBox.append(h('h2', { id: 'expiring-title' }, t('profile.expiring')));
    if (!exp) { expBox.append(h('p', { class: 'muted' }, '—')); return; }
    const items = exp.items || [];
    if (!items.length) { expBox.append(h('p', { class: 'ok-text', id: 'expiring-none' }, t('profile.expiringNone', { date: exp.as_of, days: exp.warning_days }))); return; }
    expBox.append(h('p', {}, t('profile.expiringIntro', { date: exp.as_of, days: exp.warning_days })),
      h('ul', { class: 'finding-links', id: 'expiring-list' }, items.map((q) => h('li', {
        class: q.state === 'expired' ? 'sev-error' : 'sev-warning', dataset: { cert: q.certificate_number, state: q.state },
      }, h('strong', {}, `${q.scheme} ${q.certificate_number}`), ` — ${name('qualState', q.state)}, ${formatDate(q.valid_until)} (`,
      q.days_left < 0 ? t('profile.expiredAgo', { n: -q.days_left }) : t('profile.daysLeft', { n: q.days_left }), ')'))));
  }

  function drawList(l) {
    const rows = doc[l.key];
    const box = boxes[l.key];
    if (!rows.length) { replace(box, h('p', { class: 'empty' }, t('profile.none'))); return; }
    const table = h('table', { class: 'table profile-table', dataset: { list: l.key } },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), l.cols.map(([, label]) => h('th', { scope: 'col' }, t(label))),
        l.key === 'qualifications' ? h('th', { scope: 'col' }, t('profile.state')) : null,
        editable ? h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('profile.remove'))) : null)),
      h('tbody', {}, rows.map((row, i) => {
        const what = t(l.one, { n: i + 1 });
        return h('tr', { dataset: { index: i } }, h('th', { scope: 'row' }, String(i + 1)),
          l.cols.map(([k, label, kind]) => h('td', {}, cell(l, row, i, k, `${what} · ${t(label)}`, kind))),
          l.key === 'qualifications' ? h('td', { class: 'qual-state' }, states.get(i) ? h('span', { class: ['badge', `qual-${states.get(i)}`] }, name('qualState', states.get(i))) : '—') : null,
          editable ? h('td', {}, h('button', {
            type: 'button', class: 'small danger', 'aria-label': t('profile.removeLabel', { what }),
            onclick: () => { rows.splice(i, 1); states.clear(); drawList(l); },
          }, t('profile.remove'))) : null);
      })));
    replace(box, table);
  }

  function cell(l, row, i, k, label, kind) {
    const v = row[k];
    const id = `p:${l.key}:${i}:${k}`;
    const pointer = `/${l.key}/${i}/${k}`;
    if (!editable) {
      if (kind === 'material') return Number.isInteger(v) ? materialLink(v) : '—';
      if (kind === 'models') return Array.isArray(v) ? v.map((m) => MODEL_NAMES[m] || m).join(', ') : '—';
      if (kind === 'date') return v ? formatDate(v) : '—';
      if (kind === 'int' && k === 'mlps_level') return Number.isInteger(v) ? levelName(v) : '—';
      if (k === 'region_code') return v ? regionName(v) : '—';
      if (k === 'country') return v ? countryName(v) : '—';
      if (kind === 'role') return v ? t(v === 'backup' ? 'profile.roleBackup' : 'profile.rolePrimary') : '—';
      return v === undefined || v === '' ? '—' : String(v);
    }
    const set = (val) => { row[k] = val; };
    switch (kind) {
      case 'date': {
        const el = h('input', { type: 'date', id, value: v || '', 'aria-label': label, dataset: { pointer } });
        el.addEventListener('input', () => set(el.value || undefined));
        return el;
      }
      case 'int': {
        const el = h('select', { id, 'aria-label': label, dataset: { pointer } }, h('option', { value: '' }, t('form.choose')),
          [1, 2, 3, 4].map((n) => h('option', { value: n, selected: v === n }, levelName(n))));
        el.addEventListener('change', () => set(el.value ? Number(el.value) : undefined));
        return el;
      }
      case 'role': {
        const el = h('select', { id, 'aria-label': label, dataset: { pointer } }, h('option', { value: '' }, t('form.choose')),
          h('option', { value: 'primary', selected: v === 'primary' }, t('profile.rolePrimary')),
          h('option', { value: 'backup', selected: v === 'backup' }, t('profile.roleBackup')));
        el.addEventListener('change', () => set(el.value || undefined));
        return el;
      }
      case 'models': {
        const chosen = new Set(Array.isArray(v) ? v : []);
        return h('div', { class: 'checks', role: 'group', 'aria-label': label, dataset: { pointer } }, MODELS.map((m) => {
          const cid = `${id}:${m}`;
          const cb = h('input', { type: 'checkbox', id: cid, value: m, checked: chosen.has(m) });
          cb.addEventListener('change', () => { if (cb.checked) chosen.add(m); else chosen.delete(m); set(MODELS.filter((x) => chosen.has(x))); });
          return h('div', { class: 'check' }, cb, h('label', { for: cid }, MODEL_NAMES[m] || m));
        }));
      }
      case 'material': {
        const linkBox = h('span', { class: 'cert-link' }, Number.isInteger(v) ? materialLink(v) : null);
        const up = uploadControl({
          kind: 'provider_qualification', idBase: id, label: `${label}: ${t('upload.choose')}`,
          onUploaded: (m) => { set(m.id); replace(linkBox, materialLink(m.id)); },
        });
        return h('div', { dataset: { pointer } }, linkBox, up);
      }
      default: {
        const el = h('input', { type: 'text', id, value: v ?? '', 'aria-label': label, dataset: { pointer } });
        el.addEventListener('input', () => set(el.value.trim() === '' ? undefined : el.value.trim()));
        return el;
      }
    }
  }
  return null;
}
