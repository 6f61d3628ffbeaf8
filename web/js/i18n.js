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
// With {n: 1}, the key's singular form `key.one` is used where the language has one ("1 error").
export function t(key, vars) {
  const one = vars && Number(vars.n) === 1 ? DICTS[lang][`${key}.one`] : undefined;
  let s = one ?? DICTS[lang][key] ?? DICTS.zh[key];
  if (s === undefined) return key;
  // a day among the values is written in the language's date style
  const shown = (v) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? formatDate(v) : String(v));
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined && vars[k] !== null ? shown(vars[k]) : m));
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

// A {zh, en} label or message of the policy pack or the server in the current language, as a
// person reads it (see plain()).
export function L(obj) {
  if (obj === null || obj === undefined) return '';
  if (typeof obj === 'string') return plain(obj);
  return plain(obj[lang] ?? obj.zh ?? obj.en ?? '');
}

// A text of the server or the pack as a person reads it: the data path and rule id it names in
// parentheses are left out (they stay in the technical details), and its days are in the
// language's one date style.
const PAREN_POINTER = /\s?[（(]\/[^\s()（）]*[)）]/g;
const PAREN_RULE = /\s?[（(][A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+[)）]/g;
const ISO_DAY = /\b(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b(?![-\dT]|:\d)/g;
export function plain(text) {
  if (typeof text !== 'string') return text;
  return text.replace(PAREN_POINTER, '').replace(PAREN_RULE, '').replace(ISO_DAY, (m) => formatDate(m));
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// One date style per language: 2026年12月6日, 6 Dec 2026. A day (YYYY-MM-DD) is that day; an
// instant is its day in the reader's time zone.
export function formatDate(iso) {
  if (!iso) return '—';
  let y, m, d;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (day) [y, m, d] = day.slice(1).map(Number);
  else {
    const x = new Date(iso);
    if (Number.isNaN(x.getTime())) return iso;
    [y, m, d] = [x.getFullYear(), x.getMonth() + 1, x.getDate()];
  }
  return lang === 'zh' ? `${y}年${m}月${d}日` : `${d} ${MONTHS_EN[m - 1]} ${y}`;
}

// The same date style with the time of day: 2026年12月6日 14:05, 6 Dec 2026, 14:05.
export function formatDateTime(iso) {
  if (!iso) return '—';
  const x = new Date(iso);
  if (Number.isNaN(x.getTime())) return iso;
  const hm = `${String(x.getHours()).padStart(2, '0')}:${String(x.getMinutes()).padStart(2, '0')}`;
  return lang === 'zh' ? `${formatDate(iso)} ${hm}` : `${formatDate(iso)}, ${hm}`;
}

// A country or region by its ISO 3166-1 code, in words (中国, China); the code when unknown.
export function countryName(code) {
  try { return new Intl.DisplayNames([lang === 'zh' ? 'zh-CN' : 'en'], { type: 'region' }).of(code) || code; } catch { return code; }
}

// A protection level (等级保护): 第三级, Level 3.
const CN_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
export function levelName(n) {
  const k = Number(n);
  return t('derived.levelN', { n: lang === 'zh' && Number.isInteger(k) && k >= 0 && k <= 9 ? CN_DIGITS[k] : n });
}

export function formatNumber(n) {
  return typeof n === 'number' ? n.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB') : String(n ?? '—');
}

export const DICTIONARIES = DICTS;
