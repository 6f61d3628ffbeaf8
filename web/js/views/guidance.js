// guidance.js — the filing's status panel: what just happened (after an action), where the filing
// stands, who acts next (role and organisation, from the workflow table's rows out of this state)
// and by when (the review deadline, the rectification deadline, the objection window), and for a
// filed record its number, large, with its certificate. It stays on the page until the next
// action, unlike a toast.
import { h } from '../dom.js';
import { t, name, formatDate } from '../i18n.js';
import { session } from '../session.js';
import { dueStatus } from '../schema.js';

// Actions any party may take at most times (withdraw, cancel, …) are not "the next step".
const SIDE_ACTIONS = new Set(['withdraw', 'cancel', 'revoke', 'report_change', 'decline_hosting', 'return', 'reject', 'object']);
const ENDED = new Set(['rejected', 'withdrawn', 'cancelled', 'revoked']);

// The organisation that plays a party of the workflow table for this filing.
function partyOrg(filing, party) {
  const id = party === 'owner' ? filing.org_id : party === 'provider' ? filing.provider_org_id : party === 'authority' ? filing.authority_org_id : null;
  return id ? session.orgs?.get(id) || null : null;
}

// Who acts next: [{roles, party, org, actions, mine}] from the rows out of the filing's state.
export function nextSteps(filing) {
  const rows = (session.workflow?.transitions || []).filter((tr) => tr.from === filing.state && !SIDE_ACTIONS.has(tr.action));
  const byParty = new Map();
  for (const tr of rows) {
    const key = `${tr.party}:${tr.roles.join(',')}`;
    if (!byParty.has(key)) byParty.set(key, { roles: tr.roles, party: tr.party, org: partyOrg(filing, tr.party), actions: [] });
    const step = byParty.get(key);
    if (!step.actions.includes(tr.action)) step.actions.push(tr.action);
  }
  const mine = new Set(filing.allowed_actions || []);
  return [...byParty.values()].map((s) => ({ ...s, mine: s.actions.some((a) => mine.has(a)) }));
}

// By when the next step is due, as text, or null: the review deadline (working days of the pack),
// the rectification deadline, the end of the objection window of a minor change.
function deadlineText(filing, { rectDue } = {}) {
  if (['submitted', 'under_review'].includes(filing.state) && filing.due_at) return dueStatus(filing).text;
  if (filing.state === 'rectification' && rectDue) return t('guide.rectDue', { date: rectDue });
  if (filing.state === 'minor_recorded' && filing.objection_due && !filing.final) return t('guide.objectionDue', { date: filing.objection_due });
  const change = filing.derived?.change;
  if (filing.state === 'draft' && filing.kind === 'change' && change?.report_by) return t('guide.changeDue', { date: change.report_by });
  return null;
}

// Role and organisation of a step, in words: "审核员 · 北京市网信办".
function who(step) {
  const roles = step.roles.map((r) => name('role', r)).join(t('guide.or'));
  return step.org ? `${roles} · ${step.org.name}` : roles;
}

// The panel. opts: {lastAction (the action just done, if any), rectDue (YYYY-MM-DD), certificate
// (the certificate statement, if any)}.
export function guidancePanel(filing, opts = {}) {
  const { lastAction, certificate } = opts;
  const steps = nextSteps(filing);
  const deadline = deadlineText(filing, opts);
  const filed = filing.state === 'filed' && filing.number;
  const box = h('section', {
    class: ['card', 'guidance', filed && 'guidance-filed'], id: 'guidance', role: 'status', 'aria-live': 'polite',
    'aria-labelledby': 'guidance-title', dataset: { state: filing.state, action: lastAction || '' },
  },
  h('h2', { id: 'guidance-title' }, lastAction ? t('guide.done', { action: name('action', lastAction) }) : t('guide.title')),
  h('p', { id: 'guidance-now' }, t(`guide.state.${filing.state}`)));
  if (filed) {
    box.append(h('p', { class: 'filed-number' }, h('span', { class: 'filed-number-label' }, t('guide.number')), ' ',
      h('strong', { id: 'filed-number' }, filing.number)));
    if (filing.filed_at) box.append(h('p', { class: 'muted' }, t('guide.filedOn', { date: formatDate(filing.filed_at) })));
    if (certificate) {
      box.append(h('p', {}, h('a', { href: `/api/v1/filings/${filing.id}/certificate?format=pdf`, download: `certificate-${filing.id}.pdf`, id: 'guidance-certificate', class: 'button small' },
        t('guide.certificate'))));
    }
  }
  if (steps.length) {
    box.append(h('ul', { class: 'next-steps', id: 'next-steps' }, steps.map((s) => h('li', { dataset: { party: s.party, mine: String(s.mine) } },
      s.mine ? h('strong', {}, t('guide.yourTurn')) : h('strong', {}, t('guide.next')), ' ',
      s.mine ? '' : `${who(s)}${t('guide.colon')}`,
      s.actions.map((a) => name('action', a)).join(t('guide.or'))))));
  } else if (ENDED.has(filing.state)) {
    box.append(h('p', { id: 'next-steps-none' }, t(filing.kind === 'initial' ? 'guide.endedInitial' : 'guide.ended')));
  }
  if (deadline) box.append(h('p', { id: 'guidance-deadline' }, h('strong', {}, t('guide.byWhen')), ' ', deadline));
  return box;
}
