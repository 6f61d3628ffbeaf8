// people.js — who did something, as a person of another organisation reads it. People of one's own
// organisation are named (GET /users lists them; the platform administrator sees everyone);
// people of another organisation are shown by their role in the workflow and their organisation
// ("审核员 · 北京市网信办"), never as "用户 #7": the workflow entitles a party to know which
// organisation and which role acted on a shared filing, not who the person is.
import { t, name } from '../i18n.js';
import { session } from '../session.js';

const EVENT_ROLES = {
  'filing.create': 'filer', 'filing.document': 'filer', 'rectification.answer': 'filer', 'override.request': 'filer',
  'override.decision': 'reviewer', 'evidence.add': 'filer',
};

// The role an audit event was taken in: the workflow table's role of its action, else by event.
function roleOf(e) {
  if (EVENT_ROLES[e.action]) return EVENT_ROLES[e.action];
  const action = String(e.action || '').split('.').pop();
  const tr = (session.workflow?.transitions || []).find((x) => x.action === action);
  return tr?.roles?.[0] || null;
}

// The actor of an audit event ({actor_user_id, actor_org_id, action}) in words; users: the Map
// of the users the caller may see.
export function personOf(e, users) {
  const org = session.orgs?.get(e.actor_org_id) || null;
  const own = e.actor_org_id === session.me?.org?.id;
  const u = users?.get(e.actor_user_id);
  if (u && (own || session.me?.org?.kind === 'platform')) {
    const person = u.name || u.login;
    return org && !own ? `${person} · ${org.name}` : person;
  }
  const role = roleOf(e);
  const as = role ? name('role', role) : t(`people.${org?.kind || 'someone'}`);
  return org ? `${as} · ${org.name}` : as;
}
