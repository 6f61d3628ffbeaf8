// charts.js — simple SVG bar charts (no library): labelled, with a data table for screen readers;
// and a list of figures that need no chart.
import { h } from './dom.js';
import { t } from './i18n.js';

const W = 520;
const BAR = 26;
const GAP = 10;
const LABEL_W = 170;

// Horizontal bars: data = [{label, value, cls?}].
export function barChart(title, data, { id } = {}) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const height = Math.max(1, data.length) * (BAR + GAP) + GAP;
  const svg = h('svg:svg', { viewBox: `0 0 ${W} ${height}`, class: 'chart', role: 'img', 'aria-label': title, preserveAspectRatio: 'xMinYMin meet' });
  svg.append(h('svg:title', {}, title));
  data.forEach((d, i) => {
    const y = GAP + i * (BAR + GAP);
    const w = Math.round(((W - LABEL_W - 60) * d.value) / max);
    svg.append(
      h('svg:text', { x: LABEL_W - 8, y: y + BAR / 2 + 5, 'text-anchor': 'end', class: 'chart-label' }, d.label),
      h('svg:rect', { x: LABEL_W, y, width: Math.max(w, d.value ? 2 : 0), height: BAR, rx: 3, class: ['bar', d.cls].filter(Boolean).join(' ') }),
      h('svg:text', { x: LABEL_W + w + 6, y: y + BAR / 2 + 5, class: 'chart-value' }, String(d.value)));
  });
  if (!data.length) svg.append(h('svg:text', { x: 10, y: 24, class: 'chart-label' }, t('dashboard.noData')));
  return figure(title, svg, [t('dashboard.category'), t('dashboard.count')], data.map((d) => [d.label, d.value]), id);
}

// Vertical grouped bars per month: months = ['2026-01', …], series = [{label, cls, values: []}].
export function monthChart(title, months, series, { id } = {}) {
  const height = 220;
  const top = 16;
  const bottom = 40;
  const left = 36;
  const plotH = height - top - bottom;
  const step = Math.max(1, Math.ceil(Math.max(1, ...series.flatMap((s) => s.values)) / 4));
  const max = step * 4;
  const groupW = (W - left - 10) / Math.max(1, months.length);
  const barW = Math.max(4, (groupW - 8) / series.length);
  const svg = h('svg:svg', { viewBox: `0 0 ${W} ${height}`, class: 'chart', role: 'img', 'aria-label': title });
  svg.append(h('svg:title', {}, title));
  for (let k = 0; k <= 4; k++) {
    const v = step * k;
    const y = top + plotH - (plotH * k) / 4;
    svg.append(h('svg:line', { x1: left, x2: W - 5, y1: y, y2: y, class: 'grid' }), h('svg:text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'chart-value' }, String(v)));
  }
  months.forEach((m, i) => {
    const x0 = left + i * groupW + 4;
    series.forEach((s, j) => {
      const v = s.values[i] || 0;
      const bh = (plotH * v) / max;
      svg.append(h('svg:rect', { x: x0 + j * barW, y: top + plotH - bh, width: barW - 2, height: bh, class: ['bar', s.cls].join(' ') },
        h('svg:title', {}, `${m} ${s.label}: ${v}`)));
    });
    svg.append(h('svg:text', { x: x0 + (groupW - 8) / 2, y: height - bottom + 16, 'text-anchor': 'middle', class: 'chart-label small' }, m.slice(2)));
  });
  const legend = h('p', { class: 'chart-legend' }, series.map((s) => h('span', { class: 'legend-item' }, h('span', { class: ['swatch', s.cls].join(' '), 'aria-hidden': 'true' }), s.label)));
  const rows = months.map((m, i) => [m, ...series.map((s) => s.values[i] || 0)]);
  const fig = figure(title, svg, [t('dashboard.month'), ...series.map((s) => s.label)], rows, id);
  fig.insertBefore(legend, fig.querySelector('details'));
  return fig;
}

// A titled list of figures: rows = [[id, label, value]]; each value at #<id> (data-value holds it).
export function figureList(title, rows, { id } = {}) {
  return h('figure', { class: 'chart-figure', id },
    h('figcaption', {}, title),
    h('dl', { class: 'figures' }, rows.flatMap(([rid, label, value]) => [
      h('dt', {}, label),
      h('dd', { id: rid, 'data-value': String(value), class: value ? 'figure-nonzero' : '' }, String(value))])));
}

function figure(title, svg, headers, rows, id) {
  return h('figure', { class: 'chart-figure', id },
    h('figcaption', {}, title), svg,
    h('details', {}, h('summary', {}, t('dashboard.table')),
      h('table', { class: 'table' }, h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, String(c)) : h('td', {}, String(c))))))))));
}
