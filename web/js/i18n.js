// i18n.js — every UI string in two dictionaries, Chinese (default) and English. The form's own
// labels and help texts come from the policy pack ({zh, en} objects: see L()).
import { zh, en } from './strings.js';

const DICTS = { zh, en };
const KEY = 'beian.lang';

function storedLang() {
  try {
    const v = globalThis.localStorage?.getItem(KEY);
    return v === 'en' || v === 'zh' ? v : 'zh';
  } catch { return 'zh'; }
}

let lang = storedLang();
const listeners = new Set();

export function getLang() { return lang; }

export function setLang(next) {
  if (next !== 'zh' && next !== 'en') return;
  lang = next;
  try { globalThis.localStorage?.setItem(KEY, next); } catch { /* private mode */ }
  if (globalThis.document) document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

// t('filing.title', {id: 3}) → the string of the current language, with {placeholders} filled.
export function t(key, vars) {
  let s = DICTS[lang][key] ?? DICTS.zh[key];
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined && vars[k] !== null ? String(vars[k]) : m));
  return s;
}

// Does the dictionary have this key? (for names that come from the server, e.g. a new state)
export function has(key) { return key in DICTS[lang] || key in DICTS.zh; }

// A name from the server (state, action, role…) in the current language, or the code itself.
export function name(group, code) {
  if (code === null || code === undefined || code === '') return '—';
  const key = `${group}.${code}`;
  return has(key) ? t(key) : String(code);
}

// A {zh, en} label of the policy pack in the current language.
export function L(obj) {
  if (obj === null || obj === undefined) return '';
  if (typeof obj === 'string') return obj;
  return obj[lang] ?? obj.zh ?? obj.en ?? '';
}

export function formatDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDate(iso) {
  if (!iso) return '—';
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().slice(0, 10);
}

export function formatNumber(n) {
  return typeof n === 'number' ? n.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB') : String(n ?? '—');
}

export const DICTIONARIES = DICTS;
