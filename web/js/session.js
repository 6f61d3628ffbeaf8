// session.js — who is signed in, and the data every screen needs once per session: the form
// schema of the policy pack, the workflow table, the organisations and users one may see.
import { api, get, setCsrfToken, csrfToken, ApiError } from './api.js';

export const session = {
  me: null,          // GET /me: {id, login, name, roles, org: {id, kind, name, …}}
  schema: null,      // GET /policy/schema
  workflow: null,    // GET /workflow
  orgs: null,        // Map id → org
  users: null,       // Map id → user (those the caller may list)
};

export function hasRole(...roles) {
  return !!session.me && roles.some((r) => session.me.roles.includes(r));
}
export function orgKind() { return session.me?.org?.kind; }

// Restore a session from the cookie (GET /me). A cookie without the CSRF token of this tab cannot
// write, so it counts as signed out.
export async function restore() {
  if (!csrfToken()) return false;
  try {
    session.me = await get('/me', { quiet401: true });
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { setCsrfToken(null); return false; }
    throw err;
  }
}

export async function signIn(login, password) {
  const out = await api('POST', '/session', { body: { login, password }, quiet401: true });
  setCsrfToken(out.csrf_token);
  session.me = out.user;
  resetCaches();
  return out.user;
}

export async function signOut() {
  try { await api('DELETE', '/session', { quiet401: true }); } catch { /* already gone */ }
  forget();
}

export function forget() {
  setCsrfToken(null);
  session.me = null;
  resetCaches();
}

function resetCaches() {
  session.orgs = null;
  session.users = null;
}

export async function loadSchema() {
  if (!session.schema) session.schema = await get('/policy/schema');
  return session.schema;
}

export async function loadWorkflow() {
  if (!session.workflow) session.workflow = await get('/workflow');
  return session.workflow;
}

export async function loadOrgs(force = false) {
  if (!session.orgs || force) {
    const out = await get('/orgs');
    session.orgs = new Map(out.items.map((o) => [o.id, o]));
  }
  return session.orgs;
}

export async function loadUsers(force = false) {
  if (!session.users || force) {
    try {
      const out = await get('/users');
      session.users = new Map(out.items.map((u) => [u.id, u]));
    } catch { session.users = new Map(); }
  }
  return session.users;
}

// What an action needs ({comment, reason, items}) in a state, from the workflow table.
export function actionNeeds(state, action) {
  const needs = new Set();
  for (const tr of session.workflow?.transitions || [])
    if (tr.from === state && tr.action === action) for (const n of tr.needs || []) needs.add(n);
  return needs;
}
