// Progress over time: overall score, every rubric criterion and delivery metric as small SVG
// line charts (one point per session), and the weakest criteria suggested for the next practice.

import { LABELS, api, h, num, s, shortDate, showProblem, dateLabel } from './common.js';

const content = document.getElementById('content');
const lead = document.getElementById('progress-lead');
const filter = document.getElementById('round-filter');

const BASE_W = 320;
const H = 150;
const PAD = { l: 34, r: 10, t: 10, b: 22 };

// Values are charted in display units (`scale` times the API's value).
const METRICS = {
  wpm: { digits: 0, unit: ' wpm', band: [120, 160], better: 'none', hint: 'Most listeners like 120–160 words a minute.' },
  fillers_per_min: { digits: 1, unit: ' /min', better: 'down', hint: 'Fewer is better.' },
  hedges_per_min: { digits: 1, unit: ' /min', better: 'down', hint: 'Fewer is better: say what you would do.' },
  long_pauses_per_answer: { digits: 1, unit: ' per answer', better: 'down', hint: 'Silences of 2 s or more mid-answer.' },
  time_to_first_word_ms: { digits: 1, unit: ' s', scale: 0.001, better: 'down', hint: 'From the end of the question to your first word.' },
  talk_share: { digits: 0, unit: '%', scale: 100, band: [60, 80], better: 'none', hint: 'Candidates usually talk 60–80% of the time.' },
};

function niceTicks(lo, hi, count = 4) {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((m) => m >= raw) || raw;
  const ticks = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + 1e-9; v += step) ticks.push(Number(v.toFixed(6)));
  return ticks;
}

/**
 * A line chart of `points` ({value, created_at}) in an SVG; `domain` [lo, hi] fixes the y axis
 * (else it fits the data); `band` [lo, hi] shades a target range; `fmt` labels the y ticks.
 */
function lineChart(points, { domain, band, fmt = (v) => num(v, 1), label, width = BASE_W }) {
  const W = width;
  const values = points.map((p) => p.value);
  let lo = domain ? domain[0] : Math.min(...values, ...(band || []));
  let hi = domain ? domain[1] : Math.max(...values, ...(band || []));
  if (!domain) {
    const pad = (hi - lo) * 0.15 || Math.abs(hi) * 0.2 || 1;
    lo = Math.max(0, lo - pad);
    hi += pad;
  }
  const ticks = domain ? niceTicks(lo, hi, hi - lo <= 4 ? hi - lo : 4) : niceTicks(lo, hi);
  lo = Math.min(lo, ticks[0]);
  hi = Math.max(hi, ticks[ticks.length - 1]);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  const tickDigits = Math.max(0, Math.min(2, -Math.floor(Math.log10(step) + 1e-9)));
  const x = (i) => PAD.l + (points.length === 1 ? (W - PAD.l - PAD.r) / 2 : (i * (W - PAD.l - PAD.r)) / (points.length - 1));
  const y = (v) => PAD.t + (1 - (v - lo) / (hi - lo)) * (H - PAD.t - PAD.b);
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label });
  svg.append(s('title', { text: label }));
  if (band) {
    const top = y(Math.min(band[1], hi));
    svg.append(s('rect', { class: 'band', x: PAD.l, y: top, width: W - PAD.l - PAD.r, height: Math.max(0, y(Math.max(band[0], lo)) - top) }));
  }
  const grid = s('g', { class: 'grid' });
  const axis = s('g', { class: 'axis' });
  for (const t of ticks) {
    grid.append(s('line', { x1: PAD.l, x2: W - PAD.r, y1: y(t), y2: y(t) }));
    axis.append(s('text', { x: PAD.l - 6, y: y(t) + 3, 'text-anchor': 'end', text: num(t, tickDigits) }));
  }
  const first = points[0];
  const last = points[points.length - 1];
  axis.append(s('text', { x: x(0), y: H - 6, 'text-anchor': points.length === 1 ? 'middle' : 'start', text: shortDate(first.created_at) }));
  if (points.length > 1) axis.append(s('text', { x: x(points.length - 1), y: H - 6, 'text-anchor': 'end', text: shortDate(last.created_at) }));
  svg.append(grid, axis);
  if (points.length > 1) {
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join('');
    const base = y(Math.max(lo, 0));
    svg.append(s('path', { class: 'area', d: `${d}L${x(points.length - 1).toFixed(1)},${base}L${x(0).toFixed(1)},${base}Z` }));
    svg.append(s('path', { class: 'line', d }));
  }
  points.forEach((p, i) => {
    svg.append(
      s(
        'circle',
        { cx: x(i), cy: y(p.value), r: points.length > 24 ? 2.5 : 4, class: i === points.length - 1 ? 'last' : '' },
        s('title', { text: `${dateLabel(p.created_at)} (${LABELS.round[p.round] || p.round}): ${fmt(p.value)}` }),
      ),
    );
  });
  return svg;
}

function change(points, better, fmt) {
  if (points.length < 2) return '';
  const d = points[points.length - 1].value - points[0].value;
  if (Math.abs(d) < 1e-9) return 'no change since the first session';
  const good = better === 'down' ? d < 0 : better === 'none' ? null : d > 0;
  return `${d > 0 ? '↑' : '↓'} ${fmt(Math.abs(d))} since the first session${good === true ? ' · better' : good === false ? ' · worse' : ''}`;
}

function chartCard(title, points, opts) {
  const last = points[points.length - 1];
  return h(
    'article',
    { class: 'card chart-card', 'data-series': opts.key || '' },
    h('h3', { text: title }),
    h(
      'p',
      { class: 'now' },
      h('strong', { text: `${opts.fmt(last.value)}${opts.unitText || ''}` }),
      h('span', { text: change(points, opts.better, opts.fmt) || opts.hint || '' }),
    ),
    lineChart(points, {
      domain: opts.domain,
      band: opts.band,
      fmt: opts.fmt,
      label: `${title}: ${points.map((p) => opts.fmt(p.value)).join(', ')} over ${points.length} session${points.length === 1 ? '' : 's'}`,
      width: opts.wide && window.innerWidth > 700 ? 900 : BASE_W,
    }),
  );
}

function suggestionCard(sg) {
  const round = sg.round ? LABELS.round[sg.round] || sg.round : null;
  return h(
    'article',
    { class: 'card suggestion', 'data-criterion': sg.criterion_id },
    h('h3', { text: sg.name }),
    h('p', { class: 'sg-score', text: `Averaging ${num(sg.mean, 1)} out of 4 over your last ${sg.answers} answer${sg.answers === 1 ? '' : 's'}` }),
    h('p', { class: 'tip' }, h('strong', { text: 'What good looks like: ' }), sg.tip),
    sg.questions.length ? h('p', { class: 'practise', text: `Practise with: “${sg.questions[0].prompt}”` }) : null,
    round ? h('a', { class: 'btn btn-primary btn-small', href: `/?round=${encodeURIComponent(sg.round)}` }, `Practise a ${round.toLowerCase()} round`) : null,
  );
}

async function load() {
  const round = filter.value;
  content.replaceChildren(h('p', { class: 'loading', text: 'Loading your progress…' }));
  let p;
  try {
    p = await api(`/api/progress${round ? `?round=${encodeURIComponent(round)}` : ''}`);
  } catch (err) {
    showProblem(content, 'Couldn\u2019t load your progress', err.message);
    return;
  }
  if (!p.sessions) {
    lead.textContent = 'Every rubric criterion and delivery habit, session by session.';
    showProblem(
      content,
      round ? 'No graded sessions in this round yet' : 'No graded sessions yet',
      'Finish an interview with at least one answer and your scores will show up here, session by session.',
      h('a', { class: 'btn btn-primary', href: round ? `/?round=${encodeURIComponent(round)}` : '/' }, 'Start an interview'),
    );
    return;
  }
  lead.textContent = `${p.sessions} session${p.sessions === 1 ? '' : 's'}, ${p.answers} graded answer${p.answers === 1 ? '' : 's'} (first attempts).`;
  const out = [];
  out.push(h('h2', { class: 'section-title', text: 'Practise next' }));
  if (p.suggestions.length) {
    out.push(h('div', { class: 'suggestions' }, p.suggestions.map(suggestionCard)));
  } else {
    out.push(h('p', { class: 'hint', text: 'Every criterion in your recent sessions averages 3 out of 4 or better. Try a harder round.' }));
  }
  out.push(h('h2', { class: 'section-title', text: 'Overall score' }));
  out.push(
    h(
      'div',
      { class: 'charts charts-wide' },
      chartCard('Overall score (0–100), first attempts', p.overall, { key: 'overall', domain: [0, 100], fmt: (v) => num(v, 0), better: 'up', wide: true }),
    ),
  );
  out.push(h('h2', { class: 'section-title', text: 'Delivery' }));
  const delivery = p.delivery.filter((m) => m.points.length);
  out.push(
    h(
      'div',
      { class: 'charts' },
      delivery.map((m) => {
        const meta = METRICS[m.key] || { digits: 1, unit: ` ${m.unit}` };
        const scale = meta.scale || 1;
        const points = m.points.map((pt) => ({ ...pt, value: pt.value * scale }));
        return chartCard(m.label, points, {
          key: m.key,
          fmt: (v) => num(v, meta.digits),
          band: meta.band,
          better: meta.better || 'none',
          hint: meta.hint,
          unitText: meta.unit,
        });
      }),
    ),
  );
  out.push(h('h2', { class: 'section-title', text: 'Rubric criteria (0–4), weakest first' }));
  const criteria = [...p.criteria].sort((a, b) => a.latest - b.latest || a.mean - b.mean);
  out.push(
    h(
      'div',
      { class: 'charts' },
      criteria.map((c) => chartCard(c.name, c.points, { key: c.id, domain: [0, 4], fmt: (v) => num(v, 1), better: 'up', unitText: ' / 4' })),
    ),
  );
  content.replaceChildren(...out);
  window.progressDebug = { ready: true, charts: content.querySelectorAll('svg.chart').length };
}

const initial = new URLSearchParams(location.search).get('round');
if (initial && [...filter.options].some((o) => o.value === initial)) filter.value = initial;
filter.addEventListener('change', () => {
  const url = new URL(location.href);
  if (filter.value) url.searchParams.set('round', filter.value);
  else url.searchParams.delete('round');
  history.replaceState(null, '', url);
  load();
});
load();
