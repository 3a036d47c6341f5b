// Shared helpers for the review pages (sessions, session replay, progress).

export const LABELS = {
  round: {
    loop: 'Full loop',
    coding: 'Coding',
    system_design: 'ML system design',
    ml_depth: 'Applied-ML depth',
    behavioral: 'Behavioural',
    star: 'STAR practice',
  },
  mode: { study: 'Study mode', interview: 'Real interview' },
  profile: { big_tech: 'Big tech', ai_lab: 'AI lab', recsys_product: 'Recommendation-heavy product' },
  status: { completed: 'Completed', interrupted: 'Interrupted', active: 'Live now' },
  kind: {
    question: 'Question',
    follow_up: 'Follow-up',
    clarification: 'Clarification',
    feedback: 'Feedback',
    closing: 'Wrap-up',
    prompt: 'Prompt',
    code: 'About your code',
    answer: '',
  },
};

/** Create an element: attrs (class, text, on<event>, hidden/true booleans, others as attributes). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) node.append(c);
  }
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Create an SVG element with attributes. */
export function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c) node.append(c);
  return node;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** GET JSON from the API; a 401 (multi-user server) goes to the sign-in page. */
export async function api(path) {
  let res;
  try {
    res = await fetch(path, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'The coach server could not be reached. Check that it is running.');
  }
  if (res.status === 401) {
    location.href = `/login.html?next=${encodeURIComponent(location.pathname + location.search)}`;
    throw new ApiError(401, 'Please sign in.');
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    const detail = typeof body.detail === 'string' ? body.detail : `The server answered ${res.status}.`;
    throw new ApiError(res.status, detail);
  }
  return res.json();
}

/** 83450 -> "1:23"; with hours "1:02:03". */
export function clock(ms) {
  const total = Math.max(0, Math.floor((ms || 0) / 1000));
  const hh = Math.floor(total / 3600);
  const mm = Math.floor((total % 3600) / 60);
  const ss = String(total % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** A length in words: "45 s", "12 min", "1 h 5 min". */
export function duration(ms) {
  const sec = Math.round((ms || 0) / 1000);
  if (sec < 60) return `${sec} s`;
  const min = Math.round(sec / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

const DATE_FMT = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const TIME_FMT = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const SHORT_FMT = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

export function dateLabel(iso) {
  return DATE_FMT.format(new Date(iso));
}

export function timeLabel(iso) {
  return TIME_FMT.format(new Date(iso));
}

export function shortDate(iso) {
  return SHORT_FMT.format(new Date(iso));
}

/** good / ok / low for an overall score (0-100) or a criterion score (0-4). */
export function level(value, max = 100) {
  if (value === null || value === undefined) return '';
  const share = value / max;
  if (share >= 0.7) return 'good';
  if (share >= 0.45) return 'ok';
  return 'low';
}

export function scoreBadge(value, { max = 100, suffix = '', label } = {}) {
  const text = value === null || value === undefined ? '–' : `${value}${suffix}`;
  return h('span', { class: 'score', 'data-level': level(value, max), title: label, text });
}

/** A number with at most `digits` decimals, or an en dash. */
export function num(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits });
}

/** Replace `container`'s content with a friendly problem box. */
export function showProblem(container, title, text, action) {
  container.replaceChildren(
    h('section', { class: 'card state-box', role: 'alert' }, h('h2', { text: title }), h('p', { text }), action || null),
  );
}

/** The id of the page's nav link to mark as current. */
export function markNav(page) {
  for (const a of document.querySelectorAll('.site-nav a')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}
