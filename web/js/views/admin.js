// admin.js — organisations (platform admin), users and roles (admin, or an organisation's own
// administrator for its users), and the installed policy pack.
import { h, replace, uid } from '../dom.js';
import { t, name, L, formatDateTime, formatDate } from '../i18n.js';
import { api, get, post } from '../api.js';
import { session, hasRole, loadSchema, loadOrgs } from '../session.js';
import { regionName, sections } from '../schema.js';
import { field, problemText, errorBox, toast, emptyState, openDialog } from '../ui.js';

const ROLES_BY_KIND = {
  enterprise: ['filer', 'checker', 'org_admin'],
  provider: ['provider', 'org_admin'],
  authority: ['reviewer', 'authority_admin'],
  platform: ['admin'],
};
const KINDS = ['enterprise', 'provider', 'authority', 'platform'];

export async function adminView(main) {
  await loadSchema();
  const isAdmin = hasRole('admin');
  const page = h('div', { class: 'page' }, h('h1', {}, isAdmin ? t('admin.title') : t('admin.usersTitle')));
  main.append(page);
  if (!isAdmin && !hasRole('org_admin', 'authority_admin')) {
    page.append(h('p', {}, t('admin.forbidden')));
    return;
  }
  const orgsBox = h('section', { class: 'card', id: 'orgs', 'aria-labelledby': 'orgs-title' });
  const usersBox = h('section', { class: 'card', id: 'users', 'aria-labelledby': 'users-title' });
  const packBox = h('section', { class: 'card', id: 'pack', 'aria-labelledby': 'pack-title' });
  if (isAdmin) page.append(h('nav', { class: 'subnav', 'aria-label': t('admin.sections') }, h('ul', {},
    h('li', {}, h('a', { href: '#orgs' }, t('admin.orgs'))), h('li', {}, h('a', { href: '#users' }, t('admin.users'))), h('li', {}, h('a', { href: '#pack' }, t('admin.pack'))))));
  if (isAdmin) page.append(orgsBox);
  page.append(usersBox, packBox);

  async function drawOrgs() {
    const orgs = await loadOrgs(true);
    replace(orgsBox, h('h2', { id: 'orgs-title' }, t('admin.orgs')),
      h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'orgs-table' },
        h('thead', {}, h('tr', {}, ['col.id', 'admin.orgName', 'admin.kind', 'admin.uscc', 'admin.region', 'admin.jurisdiction'].map((k) => h('th', { scope: 'col' }, t(k))),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('admin.correct'))))),
        h('tbody', {}, [...orgs.values()].map((o) => h('tr', { dataset: { org: o.id } }, h('td', {}, String(o.id)), h('th', { scope: 'row' }, o.name), h('td', {}, name('orgKind', o.kind)),
          h('td', {}, o.uscc), h('td', {}, regionName(o.region)), h('td', {}, (o.jurisdiction || []).map(regionName).join('、') || '—'),
          h('td', {}, h('button', { type: 'button', class: 'small', dataset: { correctOrg: o.id }, 'aria-label': t('admin.correctFor', { name: o.name }), onclick: () => correctOrg(o) }, t('admin.correct')))))))),
      orgForm());
  }

  // The record of an organisation is what its filings name as their subject: correcting it is the
  // platform administrator's, audited with the values before and after (PATCH /orgs/{id}).
  async function correctOrg(o) {
    const done = await openDialog({
      title: t('admin.correctTitle', { name: o.name }),
      build(body, close) {
        const nm = h('input', { type: 'text', id: 'correct-name', maxlength: 200, value: o.name });
        const uscc = h('input', { type: 'text', id: 'correct-uscc', maxlength: 18, value: o.uscc, spellcheck: 'false' });
        const region = h('input', { type: 'text', id: 'correct-region', maxlength: 6, inputmode: 'numeric', value: o.region });
        const msg = h('div', { 'aria-live': 'assertive' });
        body.append(h('form', {
          novalidate: true,
          onsubmit: async (ev) => {
            ev.preventDefault();
            const change = {};
            if (nm.value.trim() !== o.name) change.name = nm.value.trim();
            if (uscc.value.trim().toUpperCase() !== o.uscc) change.uscc = uscc.value.trim().toUpperCase();
            if (region.value.trim() !== o.region) change.region = region.value.trim();
            if (!Object.keys(change).length) { close(false); return; }
            try { await api('PATCH', `/orgs/${o.id}`, { body: change }); close(true); } catch (err) { replace(msg, errorBox(err)); }
          },
        }, h('p', { class: 'muted' }, t('admin.correctHelp')),
        field({ label: t('admin.orgName'), control: nm, required: true }),
        field({ label: t('admin.uscc'), control: uscc, required: true }),
        field({ label: t('admin.region'), control: region, required: true }),
        msg, h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary', id: 'correct-submit' }, t('admin.correctSave')),
          h('button', { type: 'button', onclick: () => close(false) }, t('common.cancel')))));
      },
    });
    if (done) {
      toast(t('admin.corrected'), 'ok');
      await drawOrgs();
    }
  }

  function orgForm() {
    const kind = h('select', { id: 'org-kind' }, KINDS.map((k) => h('option', { value: k }, name('orgKind', k))));
    const nm = h('input', { type: 'text', id: 'org-name', maxlength: 200 });
    const uscc = h('input', { type: 'text', id: 'org-uscc', maxlength: 18, autocapitalize: 'characters', spellcheck: 'false' });
    const region = h('input', { type: 'text', id: 'org-region', maxlength: 6, inputmode: 'numeric', list: 'region-codes' });
    const jur = h('input', { type: 'text', id: 'org-jurisdiction', inputmode: 'numeric' });
    const jurRow = field({ label: t('admin.jurisdiction'), control: jur, help: t('admin.jurisdictionHelp') });
    const sync = () => { jurRow.hidden = kind.value !== 'authority'; };
    kind.addEventListener('change', sync);
    sync();
    const datalist = h('datalist', { id: 'region-codes' }, Object.entries(session.schema.regions || {}).map(([code, l]) => h('option', { value: code }, L(l))));
    const msg = h('div', { 'aria-live': 'assertive' });
    return h('form', {
      class: 'subform', novalidate: true, 'aria-labelledby': 'org-form-title',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const body = { kind: kind.value, name: nm.value.trim(), uscc: uscc.value.trim().toUpperCase(), region: region.value.trim() };
        if (kind.value === 'authority') body.jurisdiction = jur.value.split(/[,\s，、]+/).filter(Boolean);
        try {
          const o = await post('/orgs', body);
          toast(t('admin.orgCreated', { name: o.name }), 'ok');
          await drawOrgs();
          await drawUsers();
        } catch (err) { replace(msg, errorBox(err)); }
      },
    }, h('h3', { id: 'org-form-title' }, t('admin.newOrg')),
    h('div', { class: 'form-grid' },
      field({ label: t('admin.kind'), control: kind }),
      field({ label: t('admin.orgName'), control: nm, required: true }),
      field({ label: t('admin.uscc'), control: uscc, required: true, help: t('admin.usccHelp') }),
      field({ label: t('admin.region'), control: region, required: true, help: t('admin.regionHelp') }),
      jurRow), datalist, msg,
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary', id: 'org-create' }, t('admin.createOrg'))));
  }

  async function drawUsers() {
    const [users, orgs] = await Promise.all([get('/users'), loadOrgs()]);
    replace(usersBox, h('h2', { id: 'users-title' }, t('admin.users')),
      (users.items || []).length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'users-table' },
        h('thead', {}, h('tr', {}, ['admin.login', 'admin.userName', 'admin.org', 'admin.roles', 'admin.created'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, users.items.map((u) => h('tr', { class: u.disabled ? 'disabled' : '' },
          h('th', { scope: 'row' }, u.login), h('td', {}, u.name || '—'), h('td', {}, orgs.get(u.org_id)?.name || `#${u.org_id}`),
          h('td', {}, u.roles.map((r) => name('role', r)).join('、')), h('td', {}, formatDateTime(u.created_at))))))) : emptyState(t('admin.noUsers')),
      userForm(orgs));
  }

  function userForm(orgs) {
    const mine = session.me.org;
    const choices = isAdmin ? [...orgs.values()] : [mine];
    const org = h('select', { id: 'user-org' }, choices.map((o) => h('option', { value: o.id }, `${o.name} (${name('orgKind', o.kind)})`)));
    const login = h('input', { type: 'text', id: 'user-login', maxlength: 64, autocomplete: 'off', spellcheck: 'false' });
    const nm = h('input', { type: 'text', id: 'user-name', maxlength: 100 });
    const pw = h('input', { type: 'password', id: 'user-password', autocomplete: 'new-password' });
    const rolesBox = h('fieldset', { class: 'checks-fieldset' });
    const drawRoles = () => {
      const o = choices.find((x) => String(x.id) === org.value) || choices[0];
      replace(rolesBox, h('legend', {}, t('admin.roles')), (ROLES_BY_KIND[o.kind] || []).map((r) => {
        const id = uid(`role-${r}`);
        return h('div', { class: 'check' }, h('input', { type: 'checkbox', id, value: r, dataset: { role: r } }), h('label', { for: id }, name('role', r)));
      }));
    };
    org.addEventListener('change', drawRoles);
    drawRoles();
    const msg = h('div', { 'aria-live': 'assertive' });
    return h('form', {
      class: 'subform', novalidate: true, 'aria-labelledby': 'user-form-title',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const roles = [...rolesBox.querySelectorAll('input:checked')].map((x) => x.value);
        try {
          const body = { org_id: Number(org.value), login: login.value.trim(), roles, password: pw.value };
          if (nm.value.trim()) body.name = nm.value.trim();
          const u = await post('/users', body);
          toast(t('admin.userCreated', { login: u.login }), 'ok');
          await drawUsers();
        } catch (err) { replace(msg, errorBox(err)); }
      },
    }, h('h3', { id: 'user-form-title' }, t('admin.newUser')),
    h('div', { class: 'form-grid' },
      field({ label: t('admin.org'), control: org }),
      field({ label: t('admin.login'), control: login, required: true }),
      field({ label: t('admin.userName'), control: nm }),
      field({ label: t('admin.password'), control: pw, required: true, help: t('account.rule') }),
      rolesBox), msg,
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary', id: 'user-create' }, t('admin.createUser'))));
  }

  async function drawPack() {
    const s = session.schema;
    let packs = [];
    try { packs = (await get('/policy/packs')).items || []; } catch { /* an older server: the pack in force only */ }
    const m = s.manifest || {};
    const fieldCount = (fs) => fs.reduce((n, f) => n + 1 + (f.fields ? fieldCount(f.fields) : 0), 0);
    replace(packBox, h('h2', { id: 'pack-title' }, t('admin.pack')),
      h('dl', { class: 'facts', id: 'pack-facts' },
        h('dt', {}, t('admin.packId')), h('dd', {}, s.pack),
        h('dt', {}, t('admin.packTitle')), h('dd', {}, L(m.title)),
        h('dt', {}, t('admin.packEdition')), h('dd', {}, m.edition || '—'),
        h('dt', {}, t('admin.packVersion')), h('dd', {}, s.version),
        h('dt', {}, t('admin.packEffective')), h('dd', {}, m.effective_from ? formatDate(m.effective_from) : '—'),
        h('dt', {}, t('admin.packSupersedes')), h('dd', {}, m.supersedes || '—')),
      packs.length ? [h('h3', {}, t('admin.packsInstalled')),
        h('table', { class: 'table', id: 'packs-table' }, h('thead', {}, h('tr', {}, ['admin.packId', 'admin.packVersion', 'admin.packTitle', 'admin.packEffective', 'admin.packInForce'].map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', {}, packs.map((pk) => h('tr', {}, h('th', { scope: 'row' }, pk.id), h('td', {}, pk.version), h('td', {}, L(pk.title)),
            h('td', {}, pk.effective_from ? formatDate(pk.effective_from) : '—'), h('td', {}, pk.in_force ? t('common.yes') : t('common.no'))))))] : null,
      h('h3', {}, t('admin.packSections')),
      h('table', { class: 'table' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('admin.section')), h('th', { scope: 'col' }, t('admin.fields')))),
        h('tbody', {}, sections().map((sec) => h('tr', {}, h('th', { scope: 'row' }, L(sec.label)), h('td', {}, String(fieldCount(sec.fields || []))))))),
      h('h3', {}, t('admin.materialKinds')),
      h('p', {}, (s.materials?.kinds || []).map((k) => L(k.label)).join('、')));
  }

  const jobs = [drawUsers()];
  if (isAdmin) jobs.push(drawOrgs());
  jobs.push(drawPack());
  await Promise.all(jobs);
}
