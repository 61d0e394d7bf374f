import { h, s } from './dom.js';

// Outcomes in three groups, as an operator reads them.
export const GROUPS = [
  { id: 'admitted', label: 'Admitted', outcomes: ['VALID'] },
  { id: 'limited', label: 'Rate-limited', outcomes: ['RATE_LIMITED', 'USAGE_EXCEEDED'] },
  { id: 'denied', label: 'Denied', outcomes: null },
];

function group(outcome) {
  return GROUPS.find((g) => g.outcomes === null || g.outcomes.includes(outcome)).id;
}

/** Counts of GET /keys/{id}/usage in buckets of the range, per group. */
export function bucket(usage, fromMs, toMs, stepMs) {
  const n = Math.max(1, Math.ceil((toMs - fromMs) / stepMs));
  const buckets = Array.from({ length: n }, (_, i) => ({ start: fromMs + i * stepMs, admitted: 0, limited: 0, denied: 0 }));
  const totals = { admitted: 0, limited: 0, denied: 0 };
  for (const c of usage.counts) {
    const i = Math.min(n - 1, Math.max(0, Math.floor((Date.parse(c.periodStart) - fromMs) / stepMs)));
    const g = group(c.outcome);
    buckets[i][g] += c.count;
    totals[g] += c.count;
  }
  return { buckets, totals };
}

function label(ms, stepMs) {
  const d = new Date(ms);
  return stepMs >= 86400000 ? d.toLocaleDateString() : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** A stacked bar chart in SVG, drawn here (no library), with the totals beside it as text. */
export function chart(usage, fromMs, toMs, stepMs) {
  const { buckets, totals } = bucket(usage, fromMs, toMs, stepMs);
  const W = 640, H = 220, L = 40, B = 24, T = 10;
  const max = Math.max(1, ...buckets.map((b) => b.admitted + b.limited + b.denied));
  const bw = (W - L) / buckets.length;
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const bars = [];
  buckets.forEach((b, i) => {
    let acc = 0;
    for (const g of GROUPS) {
      const v = b[g.id];
      if (!v) continue;
      bars.push(s('rect', { class: 'bar ' + g.id, 'data-outcome': g.id, 'data-count': v,
        x: (L + i * bw + bw * 0.1).toFixed(1), width: Math.max(1, bw * 0.8).toFixed(1),
        y: y(acc + v).toFixed(1), height: (y(acc) - y(acc + v)).toFixed(1) },
      s('title', {}, `${g.label}: ${v} (${label(b.start, stepMs)})`)));
      acc += v;
    }
  });
  const summary = GROUPS.map((g) => `${g.label} ${totals[g.id]}`).join(', ');
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': 'Verifications over time: ' + summary },
    s('line', { class: 'axis', x1: L, y1: H - B, x2: W, y2: H - B }),
    s('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }),
    s('text', { class: 'tick', x: L - 6, y: T + 4, 'text-anchor': 'end' }, String(max)),
    s('text', { class: 'tick', x: L - 6, y: H - B, 'text-anchor': 'end' }, '0'),
    s('text', { class: 'tick', x: L, y: H - 6 }, label(fromMs, stepMs)),
    s('text', { class: 'tick', x: W, y: H - 6, 'text-anchor': 'end' }, label(toMs, stepMs)),
    bars);
  const legend = h('dl', { class: 'totals' }, GROUPS.map((g) => [
    h('dt', {}, h('span', { class: 'swatch ' + g.id, 'aria-hidden': 'true' }), g.label),
    h('dd', { 'data-total': g.id }, String(totals[g.id]))]));
  return h('figure', { class: 'usage' }, svg, h('figcaption', {}, 'Verifications by outcome'), legend);
}
