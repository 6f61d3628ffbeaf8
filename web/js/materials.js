// materials.js — materials in the browser: the upload control (a file picked → XMLHttpRequest POST
// /materials with the file as the raw body, a <progress> driven by upload.onprogress, errors of the
// API shown in the current language), the metadata of a material (cached), the organisation's
// materials to pick from, a material in words (kind, title, version, date) and a link to its content.
import { h, replace, uid } from './dom.js';
import { t, L, getLang, formatDate } from './i18n.js';
import { csrfToken, get, ApiError } from './api.js';
import { session } from './session.js';

const metaCache = new Map();

// GET /materials/{id}, cached per page load; null when it cannot be read.
export function materialMeta(id) {
  if (!metaCache.has(id)) metaCache.set(id, get(`/materials/${id}`).catch(() => null));
  return metaCache.get(id);
}

export function kindLabel(kind) {
  const k = (session.schema?.materials?.kinds || []).find((x) => x.key === kind);
  return k ? L(k.label) : (kind || '');
}

// The organisation's own materials (GET /materials), newest first, cached per page load and
// fetched again after an upload; [] when they cannot be read.
let orgList = null;
export function orgMaterials() {
  if (!orgList) orgList = get('/materials').then((r) => r.items || [], () => { orgList = null; return []; });
  return orgList;
}
function forgetOrgMaterials() { orgList = null; }

// A material as one picks it: title · version · date (the kind is the field's).
export function materialChoice(m) {
  return t('mat.choice', { title: m.title || m.filename || '', n: m.current_version || 1, date: formatDate(m.updated_at || m.created_at) });
}

// A material in words: its kind, then title · version · date.
export function materialWords(m) {
  return t('mat.words', { kind: kindLabel(m.kind), choice: materialChoice(m) });
}

// The pointer of the form's field that takes material kind (its material_kind, else the first
// list that accepts it among its material_kinds), or null.
export function materialFieldFor(kind) {
  let list = null;
  const walk = (defs, base) => {
    for (const d of defs || []) {
      const p = `${base}/${d.key}`;
      if (d.type === 'material' && d.material_kind === kind) return p;
      if (d.type === 'material[]' && !list && (d.material_kinds || []).includes(kind)) list = p;
      if (d.type === 'object') { const found = walk(d.fields, p); if (found) return found; }
    }
    return null;
  };
  for (const sec of session.schema?.form?.sections || []) {
    const found = walk(sec.fields, `/${sec.key}`);
    if (found) return found;
  }
  return list;
}

// The kinds a material field accepts, in words: "营业执照" or "等级测评报告、其他".
export function acceptedKinds(def) {
  const kinds = def.material_kinds || (def.material_kind ? [def.material_kind] : []);
  return kinds.map(kindLabel).join(t('mat.kindSep'));
}

// A link to the content of material id, named in words (kind, title, version, date) once known.
export function materialLink(id) {
  const a = h('a', { href: `/api/v1/materials/${id}/content`, target: '_blank', rel: 'noopener', class: 'material-link', dataset: { material: id } },
    t('mat.loading'));
  materialMeta(id).then((m) => {
    if (!m) { a.textContent = t('mat.unreadable'); return; }
    a.textContent = materialWords(m);
    a.dataset.kind = m.kind || '';
  });
  return a;
}

// POST /materials?kind=&title=&filename= with the file as the body. Resolves with the material
// (201); rejects with an ApiError. onProgress(loaded, total) follows the upload.
export function uploadMaterial(file, kind, onProgress) {
  return new Promise((resolve, reject) => {
    const q = new URLSearchParams({ kind, title: file.name, filename: file.name });
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/materials?${q}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', getLang());
    const token = csrfToken();
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.upload.onprogress = (ev) => { if (ev.lengthComputable) onProgress?.(ev.loaded, ev.total); };
    xhr.onload = () => {
      let data = null;
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { data = null; }
      if (xhr.status === 201 || xhr.status === 200) { metaCache.set(data.id, Promise.resolve(data)); forgetOrgMaterials(); resolve(data); }
      else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new ApiError(0, { code: 'network', detail: t('upload.network') }));
    xhr.send(file);
  });
}

// The text of an upload error: the problem's title and detail (in the current language), and the
// detected type of a 415.
export function uploadErrorText(err) {
  const p = err.problem || {};
  const parts = [p.title, p.detail].filter(Boolean);
  let s = parts.length ? [...new Set(parts)].join(t('upload.sep')) : (err.message || String(err));
  if (err.status === 415) s += ` ${t('upload.detected', { type: p.detected_type || t('upload.unknownType') })}`;
  if (err.status === 413) s += ` ${t('upload.tooLarge')}`;
  return s;
}

// An upload control: a file input (labelled), for a list a choice of kind, a progress bar with its
// label and a message area. onUploaded(material) is called after a 201.
// opts: {kind, kinds: [key...] (offer a choice), label, idBase, onUploaded}
export function uploadControl({ kind, kinds, label, idBase = uid('up'), onUploaded }) {
  const fileId = `${idBase}-file`;
  const kindId = `${idBase}-kind`;
  const progId = `${idBase}-progress`;
  const input = h('input', { type: 'file', id: fileId, class: 'upload-file' });
  let kindSel = null;
  if (kinds && kinds.length) {
    kindSel = h('select', { id: kindId, class: 'upload-kind' }, kinds.map((k) => h('option', { value: k, selected: k === kind }, kindLabel(k))));
  }
  const progress = h('progress', { id: progId, class: 'upload-progress', max: 100, value: 0, hidden: true });
  const progLabel = h('label', { for: progId, class: 'upload-progress-label', hidden: true });
  const msg = h('div', { class: 'upload-msg', 'aria-live': 'polite' });
  const box = h('div', { class: 'upload', dataset: { state: 'idle' } },
    kindSel ? h('div', { class: 'upload-row' }, h('label', { for: kindId }, t('upload.kind')), kindSel) : null,
    h('div', { class: 'upload-row' }, h('label', { for: fileId }, label || t('upload.choose')), input),
    progLabel, progress, msg);
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    const k = kindSel ? kindSel.value : kind;
    box.dataset.state = 'uploading';
    progress.hidden = false;
    progLabel.hidden = false;
    progress.value = 0;
    progLabel.textContent = t('upload.progress', { name: file.name, pct: 0 });
    replace(msg);
    try {
      const m = await uploadMaterial(file, k, (loaded, total) => {
        const pct = total ? Math.round((loaded / total) * 100) : 0;
        progress.value = pct;
        progLabel.textContent = t('upload.progress', { name: file.name, pct });
      });
      progress.value = 100;
      progLabel.textContent = t('mat.uploaded', { name: file.name });
      box.dataset.state = 'done';
      input.value = '';
      await onUploaded?.(m);
    } catch (err) {
      box.dataset.state = 'error';
      progress.hidden = true;
      progLabel.hidden = true;
      input.value = '';
      replace(msg, h('p', { class: 'error-text upload-error', role: 'alert', dataset: { status: err.status ?? '' } }, uploadErrorText(err)));
    }
  });
  return box;
}
