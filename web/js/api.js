// api.js — the JSON API from the browser: the HttpOnly session cookie authenticates, and every
// non-GET request carries the CSRF token that POST /session returned (kept in sessionStorage).
import { getLang } from './i18n.js';

const BASE = '/api/v1';
const CSRF_KEY = 'beian.csrf';

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
  get code() { return this.problem.code; }
  get field() { return this.problem.field; }
}

let onUnauthenticated = () => {};
export function setUnauthenticatedHandler(fn) { onUnauthenticated = fn; }

export function csrfToken() { return sessionStorage.getItem(CSRF_KEY); }
export function setCsrfToken(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

// api('GET', '/filings/1') → parsed JSON (or null for 204). Throws ApiError.
// opts: body (JSON), contentType, headers, quiet401 (do not sign the user out on 401).
export async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': getLang(), ...(opts.headers || {}) };
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let body;
  if (opts.body !== undefined) {
    headers['Content-Type'] = opts.contentType || 'application/json';
    body = JSON.stringify(opts.body);
  }
  let response;
  try {
    response = await fetch(BASE + path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, { code: 'network', detail: getLang() === 'en' ? 'The server cannot be reached.' : '无法连接服务器。' });
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    if (response.status === 401 && !opts.quiet401) onUnauthenticated();
    throw new ApiError(response.status, data);
  }
  return data;
}

export const get = (path, opts) => api('GET', path, opts);
export const post = (path, body, opts = {}) => api('POST', path, { ...opts, body });

// Every page of a cursor-paginated list.
export async function getAll(path, { limit = 200, max = 5000 } = {}) {
  const items = [];
  let cursor = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const page = await get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...(page.items || []));
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}
