// schema.js — the policy pack's form schema as the UI uses it: JSON pointers into the document,
// the field definition and label of a path, values shown as text, the working-day calendar.
import { session } from './session.js';
import { L, t, getLang, formatDate, levelName } from './i18n.js';

export function sections() { return session.schema?.form?.sections || []; }

export function pointer(segments) {
  return '/' + segments.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

export function segmentsOf(path) {
  if (!path || path === '/') return [];
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function getAt(doc, path) {
  let cur = doc;
  for (const seg of segmentsOf(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[seg];
  }
  return cur;
}

// Set (or, with undefined, delete) the value at path, creating objects and arrays on the way.
export function setAt(doc, path, value) {
  const segs = segmentsOf(path);
  let cur = doc;
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i];
    if (cur[seg] === null || typeof cur[seg] !== 'object') {
      if (value === undefined) return;
      cur[seg] = /^\d+$/.test(segs[i + 1]) ? [] : {};
    }
    cur = cur[seg];
  }
  const last = segs[segs.length - 1];
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else {
    cur[last] = value;
  }
}

export const isList = (type) => type === 'list<object>' || type === 'enum[]' || type === 'text[]' || type === 'material[]';

// The chain of definitions along a path: [{def, index?}], like the server's schema_field_at.
// Returns null when the path names nothing of the form.
export function chainAt(path) {
  const segs = segmentsOf(path);
  if (!segs.length) return null;
  let def = sections().find((s) => s.key === segs[0]);
  if (!def) return null;
  const chain = [{ def, section: true }];
  let atEntry = false;
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i];
    const type = def.type;
    if (type && isList(type) && !atEntry) {
      if (!/^\d+$/.test(seg)) return null;
      atEntry = true;
      chain[chain.length - 1].index = Number(seg);
    } else if (!type || type === 'object' || (type === 'list<object>' && atEntry)) {
      def = (def.fields || []).find((f) => f.key === seg);
      if (!def) return null;
      chain.push({ def });
      atEntry = false;
    } else {
      return null;
    }
  }
  return chain;
}

export function fieldAt(path) {
  const chain = chainAt(path);
  return chain ? chain[chain.length - 1].def : null;
}

// "业务系统 › 功能描述", with list entries as "#2".
export function labelOf(path, { withSection = true } = {}) {
  const chain = chainAt(path);
  if (!chain) return path;
  const parts = [];
  chain.forEach((c, i) => {
    if (i === 0 && !withSection) return;
    let s = L(c.def.label) || c.def.key;
    if (c.index !== undefined) s += ` #${c.index + 1}`;
    parts.push(s);
  });
  return parts.join(' › ') || L(chain[0].def.label);
}

// Every path a reviewer may name in a rectification item: sections, fields and object members
// (list entries are named through their list).
export function pickablePaths() {
  const out = [];
  const walk = (fields, prefix, depth) => {
    for (const f of fields) {
      const p = `${prefix}/${f.key}`;
      out.push({ path: p, label: labelOf(p), depth });
      if (f.type === 'object') walk(f.fields || [], p, depth + 1);
    }
  };
  for (const s of sections()) {
    out.push({ path: `/${s.key}`, label: L(s.label), depth: 0, section: true });
    walk(s.fields || [], `/${s.key}`, 1);
  }
  return out;
}

// Which section a path is in.
export function sectionOf(path) { return segmentsOf(path)[0]; }

function optionLabel(def, value) {
  const o = (def.options || []).find((x) => x.value === value);
  return o ? L(o.label) : String(value);
}

// A protection level (an int field named …level: 第三级 / Level 3) and a region code (a text field
// named …region_code: its GB/T 2260 name from the pack's regions) are shown in words.
export const isLevel = (def) => def?.type === 'int' && /(^|_)level$/.test(def.key || '');
export const isRegion = (def) => def?.type === 'text' && /(^|_)region_code$/.test(def.key || '');

// A value of the document as text, in the current language.
export function formatValue(def, value) {
  if (value === undefined || value === null || value === '') return '—';
  const type = def?.type;
  if (isLevel(def) && Number.isInteger(value)) return levelName(value);
  if (isRegion(def) && typeof value === 'string') return regionName(value);
  switch (type) {
    case 'date': return formatDate(value);
    case 'bool': return value === true ? t('common.yes') : value === false ? t('common.no') : String(value);
    case 'enum': return optionLabel(def, value);
    case 'enum[]': return Array.isArray(value) ? value.map((v) => optionLabel(def, v)).join('、') : String(value);
    case 'text[]': return Array.isArray(value) ? value.join('\n') : String(value);
    case 'material': return t('material.ref', { id: value });
    case 'evaluation_ref': return t('eval.ref', { id: value });
    case 'material[]': return Array.isArray(value) ? value.map((v) => t('material.ref', { id: v })).join('、') : String(value);
    case 'org_ref': {
      const org = session.orgs?.get(Number(value));
      return org ? org.name : t('org.unknown');
    }
    case 'int': return typeof value === 'number' ? value.toLocaleString(getLang() === 'zh' ? 'zh-CN' : 'en-GB') : String(value);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

// Leaf rows of two documents for a side-by-side view: [{path, def, a, b}], following the schema
// (lists expanded to their entries).
export function leafRows(docA, docB) {
  const rows = [];
  const walk = (fields, prefix) => {
    for (const f of fields) {
      const p = `${prefix}/${f.key}`;
      if (f.type === 'object') walk(f.fields || [], p);
      else if (f.type === 'list<object>') {
        const n = Math.max((getAt(docA, p) || []).length || 0, (getAt(docB, p) || []).length || 0);
        if (n === 0) rows.push({ path: p, def: f, a: getAt(docA, p), b: getAt(docB, p) });
        for (let i = 0; i < n; i++) walk(f.fields || [], `${p}/${i}`);
      } else rows.push({ path: p, def: f, a: getAt(docA, p), b: getAt(docB, p) });
    }
  };
  for (const s of sections()) walk(s.fields || [], `/${s.key}`);
  return rows;
}

// RFC 7396 merge patch that turns `from` into `to` (objects recurse; arrays and scalars replace).
export function mergePatch(from, to) {
  const isObj = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (!isObj(from) || !isObj(to)) return to === undefined ? null : to;
  const patch = {};
  for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
  for (const [k, v] of Object.entries(to)) {
    if (!(k in from)) patch[k] = v;
    else if (isObj(v) && isObj(from[k])) {
      const sub = mergePatch(from[k], v);
      if (Object.keys(sub).length) patch[k] = sub;
    } else if (JSON.stringify(v) !== JSON.stringify(from[k])) patch[k] = v;
  }
  return patch;
}

// ---- regions and the working-day calendar (from the pack) --------------------------------

export function regionName(code) {
  if (!code) return '—';
  const r = session.schema?.regions?.[code];
  if (!r) return code;
  // a prefecture or county is named with its province: 北京市海淀区, Haidian District, Beijing
  const province = session.schema.regions[`${String(code).slice(0, 2)}0000`];
  if (getLang() === 'zh' && province && !String(code).endsWith('0000') && !L(r).startsWith(L(province))) return `${L(province)}${L(r)}`;
  return L(r);
}

function isoDay(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
export function today() { return isoDay(new Date()); }

function parseDay(s) {
  const [y, m, d] = s.split('-').map(Number);
  return new Date(y, m - 1, d);
}

export function isWorkday(day) {
  const year = session.schema?.calendar?.[day.slice(0, 4)];
  if (year?.workdays?.includes(day)) return true;
  if (year?.holidays?.includes(day)) return false;
  const wd = parseDay(day).getDay();
  return wd !== 0 && wd !== 6;
}

// Working days in (from, to]; negative when to is before from.
export function workingDaysBetween(from, to) {
  if (from === to) return 0;
  const sign = from < to ? 1 : -1;
  let [a, b] = sign > 0 ? [from, to] : [to, from];
  let n = 0;
  const d = parseDay(a);
  for (let i = 0; i < 3660; i++) {
    d.setDate(d.getDate() + 1);
    const s = isoDay(d);
    if (isWorkday(s)) n++;
    if (s >= b) break;
  }
  return sign * n;
}

export function addWorkingDays(start, n) {
  const d = parseDay(start);
  let left = n;
  for (let i = 0; left > 0 && i < 3660; i++) {
    d.setDate(d.getDate() + 1);
    if (isWorkday(isoDay(d))) left--;
  }
  return isoDay(d);
}

// How close a due date is: {cls: 'overdue'|'soon'|'ok'|'paused'|'none', text}.
export function dueStatus(filing) {
  const due = filing.due_at;
  if (filing.state === 'rectification' || (filing.paused && filing.state === 'under_review')) return { cls: 'paused', text: t('due.paused') };
  if (!due || !['submitted', 'under_review'].includes(filing.state)) return { cls: 'none', text: '—' };
  const now = today();
  if (due < now) {
    const late = -workingDaysBetween(now, due);
    return { cls: 'overdue', text: t('due.overdue', { date: due, n: late }) };
  }
  const left = workingDaysBetween(now, due);
  if (left < 3) return { cls: 'soon', text: t('due.soon', { date: due, n: left }) };
  return { cls: 'ok', text: t('due.ok', { date: due, n: left }) };
}
