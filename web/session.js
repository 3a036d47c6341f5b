// Session replay: both voices on one timeline (the server's mixed track), the transcript
// highlighted as it plays (click a line to play from there), and each answer's feedback card
// beside it, its evidence quotes linked to their moments in the audio.

import {
  LABELS,
  api,
  clock,
  dateLabel,
  duration,
  h,
  level,
  num,
  scoreBadge,
  showProblem,
  timeLabel,
} from './common.js';
import { outcome, renderResult, resultHeadline } from './code-results.js';
import { makeEditor } from './workspace.js';

const content = document.getElementById('content');
const id = new URLSearchParams(location.search).get('id');
const reduceMotion = matchMedia('(prefers-reduced-motion: reduce)').matches;

const ICON_PLAY = 'M8 5.5v13l11-6.5z';
const ICON_PAUSE = 'M7 5h3.5v14H7zM13.5 5H17v14h-3.5z';

// Live values for automated tests.
const debug = { ready: false, feedbackReady: false, activeLine: null, seeks: 0, codeReady: false, codeAtMs: null, codeRun: null };
window.reviewDebug = debug;

const state = {
  audio: null,
  durationMs: 0,
  lines: [], // {el, start, end, words: [{el, start, end}]}
  active: null,
  activeWord: null,
  lastUserScroll: 0,
  els: {},
  code: null, // coding sessions: {editor, snapshots, runs, shown, run, els}
};

/* ---------- player ---------- */

function icon(path) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  p.setAttribute('d', path);
  svg.append(p);
  return svg;
}

function seek(ms, { play = true } = {}) {
  const audio = state.audio;
  const t = Math.max(0, Math.min(ms / 1000, (audio.duration || state.durationMs / 1000) - 0.05));
  audio.currentTime = t;
  debug.seeks += 1;
  render(true);
  if (play) audio.play().catch(() => {});
}

function buildPlayer(turns) {
  const audio = h('audio', {
    id: 'audio',
    preload: 'auto',
    src: `/api/sessions/${encodeURIComponent(id)}/audio/mix.wav`,
  });
  state.audio = audio;
  const play = h('button', { id: 'play', class: 'btn btn-primary play-btn', type: 'button', 'aria-label': 'Play' }, icon(ICON_PLAY));
  const lanes = { interviewer: h('div', { class: 'lane lane-interviewer' }), candidate: h('div', { class: 'lane lane-candidate' }) };
  for (const t of turns) {
    if (t.end_ms <= t.start_ms || !(t.speaker in lanes)) continue;
    const left = (t.start_ms / state.durationMs) * 100;
    const width = ((t.end_ms - t.start_ms) / state.durationMs) * 100;
    lanes[t.speaker].append(h('span', { style: `left:${left}%;width:${width}%` }));
  }
  const head = h('div', { class: 'playhead', style: 'left:0%' });
  const timeline = h(
    'div',
    {
      id: 'timeline',
      class: 'timeline',
      role: 'slider',
      tabindex: '0',
      'aria-label': 'Position in the interview',
      'aria-valuemin': '0',
      'aria-valuemax': String(Math.round(state.durationMs / 1000)),
      'aria-valuenow': '0',
      'aria-valuetext': `0:00 of ${clock(state.durationMs)}`,
    },
    lanes.interviewer,
    lanes.candidate,
    head,
  );
  const time = h('span', { class: 'time', 'aria-live': 'off', text: `0:00 / ${clock(state.durationMs)}` });
  const rate = h(
    'select',
    { class: 'rate', 'aria-label': 'Playback speed' },
    ['1', '1.25', '1.5', '2'].map((r) => h('option', { value: r, text: `${r}×` })),
  );
  const player = h(
    'section',
    { class: 'card player', 'aria-label': 'Replay' },
    audio,
    play,
    timeline,
    h('div', { class: 'player-side' }, time, rate),
    h('div', { class: 'legend', 'aria-hidden': 'true' }, h('span', { class: 'lg-itv', text: 'Interviewer' }), h('span', { class: 'lg-cand', text: 'You' })),
  );
  state.els = { play, timeline, head, time };

  play.addEventListener('click', () => (audio.paused ? audio.play().catch(() => {}) : audio.pause()));
  rate.addEventListener('change', () => {
    audio.playbackRate = Number(rate.value);
  });
  const seekFromPointer = (e) => {
    const box = timeline.getBoundingClientRect();
    const x = Math.max(0, Math.min(1, (e.clientX - box.left) / box.width));
    seek(x * state.durationMs, { play: !audio.paused });
  };
  let dragging = false;
  timeline.addEventListener('pointerdown', (e) => {
    const mark = e.target.closest('.run-mark');
    if (mark) {
      seek(Number(mark.dataset.ms), { play: !audio.paused }); // a code run: exactly there
      return;
    }
    dragging = true;
    timeline.setPointerCapture(e.pointerId);
    seekFromPointer(e);
  });
  timeline.addEventListener('pointermove', (e) => dragging && seekFromPointer(e));
  timeline.addEventListener('pointerup', () => {
    dragging = false;
  });
  timeline.addEventListener('keydown', (e) => {
    const now = audio.currentTime * 1000;
    const steps = { ArrowLeft: -5000, ArrowDown: -5000, ArrowRight: 5000, ArrowUp: 5000, PageDown: -30000, PageUp: 30000 };
    if (e.key in steps) seek(now + steps[e.key], { play: !audio.paused });
    else if (e.key === 'Home') seek(0, { play: !audio.paused });
    else if (e.key === 'End') seek(state.durationMs, { play: false });
    else if (e.key === ' ' || e.key === 'Enter') audio.paused ? audio.play().catch(() => {}) : audio.pause();
    else return;
    e.preventDefault();
  });
  for (const ev of ['play', 'pause', 'ended']) audio.addEventListener(ev, () => {
    const playing = !audio.paused;
    play.replaceChildren(icon(playing ? ICON_PAUSE : ICON_PLAY));
    play.setAttribute('aria-label', playing ? 'Pause' : 'Play');
    if (playing) tick();
  });
  audio.addEventListener('timeupdate', () => render(false));
  audio.addEventListener('loadedmetadata', () => {
    if (Number.isFinite(audio.duration) && audio.duration * 1000 > state.durationMs) {
      state.durationMs = audio.duration * 1000;
    }
    render(true);
  });
  audio.addEventListener('error', () => {
    player.append(h('p', { class: 'hint', role: 'alert', text: 'The recording of this session could not be loaded.' }));
  });
  return player;
}

function tick() {
  if (!state.audio || state.audio.paused) return;
  render(false);
  requestAnimationFrame(tick);
}

/** Move the playhead and highlight the line (and word) being played. */
function render(jumped) {
  const ms = state.audio.currentTime * 1000;
  const pct = Math.min(100, (ms / state.durationMs) * 100);
  const { head, time, timeline } = state.els;
  head.style.left = `${pct}%`;
  time.textContent = `${clock(ms)} / ${clock(state.durationMs)}`;
  timeline.setAttribute('aria-valuenow', String(Math.round(ms / 1000)));
  timeline.setAttribute('aria-valuetext', `${clock(ms)} of ${clock(state.durationMs)}`);

  let current = null;
  for (const line of state.lines) {
    if (line.start <= ms && ms < line.end) current = line; // the latest one that covers ms
  }
  if (current !== state.active) {
    if (state.active) state.active.el.removeAttribute('aria-current');
    if (current) current.el.setAttribute('aria-current', 'true');
    state.active = current;
    debug.activeLine = current ? current.index : null;
    const follow = (jumped || !state.audio.paused) && Date.now() - state.lastUserScroll > 4000;
    if (current && follow) current.el.scrollIntoView({ block: 'nearest', behavior: reduceMotion ? 'auto' : 'smooth' });
  }
  let word = null;
  if (current) word = current.words.find((w) => w.start <= ms && ms < w.end) || null;
  if (word !== state.activeWord) {
    if (state.activeWord) state.activeWord.el.classList.remove('now');
    if (word) word.el.classList.add('now');
    state.activeWord = word;
  }
  if (state.code) showCodeAt(ms);
}

/* ---------- transcript ---------- */

function lineFor(turn) {
  const you = turn.speaker === 'candidate';
  const words = [];
  let body;
  if (you && turn.words && turn.words.length) {
    body = h('p', { class: 'line-text' });
    turn.words.forEach(([text, start, end], i) => {
      const el = h('span', { class: 'w', 'data-ms': start, text });
      words.push({ el, start, end, text });
      body.append(el, i < turn.words.length - 1 ? ' ' : '');
    });
  } else {
    body = h('p', { class: 'line-text', text: turn.text || (you ? '(nothing was heard)' : '') });
  }
  const kind = LABELS.kind[turn.kind];
  const who = you ? 'You' : 'Interviewer';
  const seekBtn = h(
    'button',
    { class: 'line-seek', type: 'button', 'aria-label': `Play from ${clock(turn.start_ms)}, ${who}` },
    h('span', { class: 'line-time', text: clock(turn.start_ms) }),
    h('span', { class: `avatar ${you ? 'avatar-you' : 'avatar-interviewer'}`, 'aria-hidden': 'true', text: you ? 'You' : 'AI' }),
  );
  const meta = [];
  if (turn.interrupted) meta.push('Interrupted');
  if (turn.reason === 'disconnect') meta.push('Cut off when the connection closed');
  if (turn.reason === 'recovered') meta.push('Recovered after a server restart');
  const el = h(
    'li',
    { class: 'line', 'data-speaker': turn.speaker, 'data-start': turn.start_ms, 'data-index': turn.index },
    seekBtn,
    h(
      'div',
      { class: 'line-body' },
      kind && !you ? h('span', { class: 'tag line-kind', 'data-kind': turn.kind, text: kind }) : null,
      body,
      meta.length ? h('span', { class: 'line-meta', text: meta.join(' · ') }) : null,
    ),
  );
  el.addEventListener('click', (e) => {
    const w = e.target.closest('.w');
    seek(w ? Number(w.dataset.ms) : turn.start_ms);
  });
  const end = Math.max(turn.end_ms, turn.start_ms + 1);
  state.lines.push({ el, start: turn.start_ms, end, words, index: turn.index });
  return el;
}

/** Turns grouped by question and attempt, in order; the wrap-up has no question. */
function groupTurns(turns) {
  const groups = [];
  const byKey = new Map();
  for (const t of turns) {
    const key = t.question_id ? `${t.question_id}#${t.attempt}` : 'wrap-up';
    if (!byKey.has(key)) {
      const g = { key, question_id: t.question_id, attempt: t.attempt, turns: [] };
      byKey.set(key, g);
      groups.push(g);
    }
    byKey.get(key).turns.push(t);
  }
  return groups;
}

/* ---------- feedback cards ---------- */

function pips(score, max) {
  return h(
    'span',
    { class: 'pips', 'data-level': level(score, max), role: 'img', 'aria-label': `${score} out of ${max}` },
    Array.from({ length: max }, (_, i) => h('i', { class: i < score ? 'on' : '' })),
  );
}

function quoteButton(e) {
  return h(
    'button',
    { class: 'quote', type: 'button', 'data-ms': e.start_ms, 'aria-label': `Play from ${clock(e.start_ms)}: ${e.quote}`, onclick: () => seek(e.start_ms) },
    h('span', { class: 'at', text: clock(e.start_ms) }),
    h('span', { class: 'q', text: `“${e.quote}”` }),
  );
}

function section(title, ...children) {
  return h('section', { class: 'fb-section' }, h('h3', { text: title }), ...children);
}

function foldable(title, open, ...children) {
  return h('details', { class: 'fb-section', open: open || null }, h('summary', { text: title }), ...children);
}

function deliveryStats(d) {
  const filler = Object.entries(d.filler_counts).map(([w, n]) => `${w} ×${n}`).join(', ');
  const hedge = Object.entries(d.hedge_counts).map(([w, n]) => `${w} ×${n}`).join(', ');
  const stat = (k, v, detail) => h('div', { class: 'stat' }, h('span', { class: 'k', text: k }), h('span', { class: 'v', text: v }), detail ? h('span', { class: 'd', text: detail }) : null);
  const grid = h(
    'div',
    { class: 'stats' },
    stat('Speaking rate', d.wpm === null ? '–' : `${num(d.wpm, 0)} wpm`, `${d.words} words`),
    stat('Talk time', clock(d.talk_ms)),
    stat('Time to first word', d.time_to_first_word_ms === null ? '–' : `${num(d.time_to_first_word_ms / 1000, 1)} s`),
    stat('Filler words', d.fillers_per_min === null ? String(d.fillers) : `${num(d.fillers_per_min, 1)}/min`, filler || 'none'),
    stat('Hedging phrases', d.hedges_per_min === null ? String(d.hedges) : `${num(d.hedges_per_min, 1)}/min`, hedge || 'none'),
    stat('Long pauses', String(d.long_pauses), d.long_pauses ? `longest ${num(d.longest_pause_ms / 1000, 1)} s` : '2 s or more'),
  );
  const out = [grid];
  if (d.long_pause_marks.length) {
    out.push(
      h(
        'div',
        { class: 'pause-links' },
        d.long_pause_marks.map((p) =>
          h('button', { class: 'btn btn-secondary btn-small', type: 'button', onclick: () => seek(Math.max(0, p.start_ms - 1500)) }, `Pause at ${clock(p.start_ms)} (${num(p.ms / 1000, 1)} s)`),
        ),
      ),
    );
  }
  return out;
}

function comparison(c, attempt) {
  const delta = (before, after) => {
    if (before === null || before === undefined) return h('td', { class: 'n', text: '–' });
    const d = after - before;
    return h('td', { class: `n ${d > 0 ? 'delta-up' : d < 0 ? 'delta-down' : ''}`, text: d > 0 ? `+${d}` : String(d) });
  };
  return section(
    `Attempt ${c.previous_attempt} vs attempt ${attempt}`,
    h(
      'div',
      { class: 'compare-head' },
      scoreBadge(c.previous_overall),
      h('span', { class: 'arrow', 'aria-hidden': 'true', text: '→' }),
      scoreBadge(c.overall),
      h('span', { class: 'visually-hidden', text: `Overall score went from ${c.previous_overall} to ${c.overall}.` }),
    ),
    h(
      'table',
      { class: 'compare' },
      h('thead', {}, h('tr', {}, h('th', { text: 'Criterion' }), h('th', { class: 'n', text: `#${c.previous_attempt}` }), h('th', { class: 'n', text: `#${attempt}` }), h('th', { class: 'n', text: 'Change' }))),
      h(
        'tbody',
        {},
        c.criteria.map((r) => h('tr', {}, h('td', { text: r.name }), h('td', { class: 'n', text: r.before ?? '–' }), h('td', { class: 'n', text: String(r.after) }), delta(r.before, r.after))),
      ),
    ),
  );
}

function feedbackCard(a) {
  const card = h('aside', { class: 'card feedback', 'aria-label': `Feedback on attempt ${a.attempt}` });
  const score = a.score;
  let sub = '';
  if (score && a.comparison && a.comparison.previous_overall !== null) {
    const d = score.overall - a.comparison.previous_overall;
    const n = a.comparison.previous_attempt;
    sub = d === 0 ? `Same as attempt ${n}` : `${d > 0 ? 'Up' : 'Down'} ${Math.abs(d)} from attempt ${n}`;
  } else if (score) {
    sub = score.engine === 'claude' ? 'Graded by Claude' : 'Graded on this machine';
  }
  card.append(
    h(
      'div',
      { class: 'fb-head' },
      scoreBadge(score ? score.overall : null, { label: 'Overall score out of 100' }),
      h('div', {}, h('div', { class: 'fb-title', text: score ? 'Score out of 100' : 'Not answered' }), h('div', { class: 'fb-sub', text: sub || 'Nothing was said for this question.' })),
    ),
  );
  if (score) {
    card.append(h('p', { class: 'fb-summary', text: score.summary }));
    if (a.comparison) card.append(comparison(a.comparison, a.attempt));
    card.append(
      section(
        'Rubric',
        h(
          'ul',
          { class: 'criteria' },
          score.criteria.map((c) =>
            h(
              'li',
              { 'data-criterion': c.id },
              h('div', { class: 'crit-top' }, h('span', { class: 'crit-name', text: c.name }), pips(c.score, c.max)),
              c.evidence.length ? h('div', { class: 'quotes' }, c.evidence.map(quoteButton)) : null,
              c.missing && c.score < 3 ? h('p', { class: 'crit-missing', text: c.missing }) : null,
            ),
          ),
        ),
      ),
    );
    if (score.failure_modes.length) {
      card.append(
        section(
          'Failure modes from the guide',
          score.failure_modes.map((f) => h('div', { class: 'failure' }, h('strong', { text: f.name }), f.fix)),
        ),
      );
    }
  }
  if (a.delivery.words) card.append(section('Delivery', ...deliveryStats(a.delivery)));
  if (a.outline.length) {
    card.append(
      foldable(
        'Outline of a stronger answer',
        !score || score.overall < 50,
        h(
          'ol',
          { class: 'outline' },
          a.outline.map((step) =>
            h(
              'li',
              { class: step.covered ? 'done' : '' },
              h('strong', { text: step.title }),
              step.covered ? h('span', { class: 'visually-hidden', text: ' (covered)' }) : null,
              h('span', { class: 'say', text: step.covered || !step.add.length ? step.what : `Say: ${step.add.join(', ')}.` }),
            ),
          ),
        ),
      ),
    );
  }
  if (score && score.improvements.length) {
    card.append(foldable('What to add next time', false, h('ul', { class: 'improve' }, score.improvements.map((i) => h('li', { text: i })))));
  }
  return card;
}

/* ---------- session summary ---------- */

function trendText(trend, better, unit = '') {
  if (!trend || trend.slope === null || trend.slope === undefined) return '';
  const s = trend.slope;
  if (Math.abs(s) < 1e-9) return 'steady across answers';
  const good = better === 'down' ? s < 0 : better === 'up' ? s > 0 : false;
  return `${s > 0 ? '↑' : '↓'} ${num(Math.abs(s), 1)}${unit} per answer${good ? ' (better)' : ''}`;
}

function summaryCard(session, feedback) {
  const d = feedback.delivery;
  const tile = (k, v, small, trend) => h('div', { class: 'tile' }, h('div', { class: 'k', text: k }), h('div', { class: 'v' }, v, small ? h('small', { text: ` ${small}` }) : null), trend ? h('span', { class: 'trend', text: trend }) : null);
  const share = d.talk_share === null ? null : Math.round(d.talk_share * 100);
  return h(
    'section',
    { class: 'card summary', 'aria-label': 'Session summary' },
    h(
      'div',
      { class: 'overall' },
      h('div', { class: 'big' }, session.overall === null ? '–' : String(session.overall), h('small', { text: '/100' })),
      h('div', { class: 'label', text: session.answers ? 'overall, first attempts' : 'no graded answers' }),
    ),
    h(
      'div',
      { class: 'tiles' },
      tile('Speaking rate', num(d.wpm, 0), 'wpm', trendText(d.trends.wpm, 'none')),
      tile('Filler words', num(d.fillers_per_min, 1), '/min', trendText(d.trends.fillers_per_min, 'down')),
      tile('Hedging phrases', num(d.hedges_per_min, 1), '/min', trendText(d.trends.hedges_per_min, 'down')),
      tile('Long pauses', String(d.long_pauses), 'total', trendText(d.trends.long_pauses, 'down')),
      tile('Time to first word', d.time_to_first_word_ms === null ? '–' : num(d.time_to_first_word_ms / 1000, 1), 's avg', trendText(d.trends.time_to_first_word_ms, 'down', ' ms')),
      h(
        'div',
        { class: 'tile' },
        h('div', { class: 'k', text: 'Your share of talk time' }),
        h('div', { class: 'v' }, share === null ? '–' : `${share}%`),
        share === null ? null : h('div', { class: 'sharebar', role: 'img', 'aria-label': `You talked ${share}% of the time` }, h('span', { style: `width:${share}%` })),
      ),
    ),
  );
}

/* ---------- code replay (coding rounds) ---------- */

/** Index of the last item with at_ms <= ms in a list sorted by at_ms, or -1. */
function lastAt(items, ms) {
  let found = -1;
  for (let i = 0; i < items.length && items[i].at_ms <= ms; i++) found = i;
  return found;
}

/**
 * The code card: a read-only editor that shows the last snapshot saved at or before the
 * audio's position, and the runs (also marked on the timeline); a run seeks there.
 */
async function buildCodeReplay(slot, data, numbers) {
  const snapshots = [...(data.snapshots || [])].sort((a, b) => a.at_ms - b.at_ms);
  const runs = [...(data.runs || [])].sort((a, b) => a.at_ms - b.at_ms);
  if (!snapshots.length && !runs.length) return;
  const questionLabel = (q) => (numbers.has(q) ? `Question ${numbers.get(q)}` : q);

  const at = h('span', { class: 'code-at', 'aria-live': 'off' });
  const host = h('div', { class: 'editor-host', id: 'code-replay-editor' });
  const runList = h('ol', { class: 'run-list', 'aria-label': 'Code runs' });
  const runResult = h('div', { class: 'code-run-result' });
  const items = runs.map((r, i) => {
    const label = `${clock(r.at_ms)}: ${resultHeadline(r)}${r.question_id ? `, ${questionLabel(r.question_id)}` : ''}`;
    const button = h(
      'button',
      { class: 'run-jump', type: 'button', 'data-outcome': outcome(r), 'data-ms': r.at_ms, 'data-index': i, 'aria-label': `Play from ${label}` },
      h('span', { class: 'run-dot', 'aria-hidden': 'true' }),
      h('span', { class: 'at', text: clock(r.at_ms) }),
      h('span', { text: resultHeadline(r) }),
    );
    button.addEventListener('click', () => seek(r.at_ms, { play: !state.audio.paused }));
    runList.append(h('li', {}, button));
    return button;
  });
  slot.replaceChildren(
    h(
      'section',
      { class: 'card code-replay', 'aria-labelledby': 'code-replay-title' },
      h('div', { class: 'code-head' }, h('h2', { id: 'code-replay-title', text: 'Your code' }), at),
      host,
      h(
        'div',
        { class: 'code-side' },
        h('h3', { text: runs.length ? 'Test runs' : 'Test runs: the code was not run' }),
        runs.length ? runList : null,
        runResult,
      ),
    ),
  );

  // Runs on the timeline: green or red diamonds at the moment each one was started.
  const { timeline } = state.els;
  for (const r of runs) {
    timeline.append(
      h('span', {
        class: 'run-mark',
        'data-outcome': outcome(r),
        'data-ms': r.at_ms,
        'aria-hidden': 'true',
        title: `${clock(r.at_ms)}: ${resultHeadline(r)}`,
        style: `left:${Math.min(100, (r.at_ms / state.durationMs) * 100)}%`,
      }),
    );
  }

  const editor = await makeEditor(host, { doc: '', readOnly: true, label: 'Your code at this point of the replay (read-only)' });
  state.code = { editor, snapshots, runs, items, shown: null, run: null, els: { at, runResult }, questionLabel };
  debug.codeEditor = editor;
  showCodeAt(state.audio.currentTime * 1000);
  debug.codeReady = true;
}

/** Show the code and the latest run as they were at `ms` on the session clock. */
function showCodeAt(ms) {
  const c = state.code;
  const i = lastAt(c.snapshots, ms);
  if (i !== c.shown) {
    c.shown = i;
    const snap = i >= 0 ? c.snapshots[i] : null;
    c.editor.setText(snap ? snap.text : '', { quiet: true });
    debug.codeAtMs = snap ? snap.at_ms : null;
    c.els.at.textContent = snap
      ? `${c.questionLabel(snap.question_id)}${snap.attempt > 1 ? `, attempt ${snap.attempt}` : ''} · as saved at ${clock(snap.at_ms)}`
      : c.snapshots.length
        ? `No code yet at this point: the first version was saved at ${clock(c.snapshots[0].at_ms)}`
        : 'No code was saved';
  }
  const r = lastAt(c.runs, ms);
  if (r !== c.run) {
    if (c.run !== null && c.run >= 0) c.items[c.run].removeAttribute('aria-current');
    c.run = r;
    debug.codeRun = r >= 0 ? r : null;
    if (r >= 0) {
      c.items[r].setAttribute('aria-current', 'true');
      c.els.runResult.replaceChildren(renderResult(c.runs[r], { at: `run at ${clock(c.runs[r].at_ms)}` }));
    } else {
      c.els.runResult.replaceChildren(c.runs.length ? h('p', { class: 'hint', text: 'No run yet at this point of the replay.' }) : '');
    }
  }
}

/* ---------- page ---------- */

async function main() {
  if (!id) {
    showProblem(content, 'No session chosen', 'Pick a session from your list to replay it.', h('a', { class: 'btn btn-primary', href: 'sessions.html' }, 'Your sessions'));
    return;
  }
  let session;
  let turns;
  try {
    [session, turns] = await Promise.all([api(`/api/sessions/${encodeURIComponent(id)}`), api(`/api/sessions/${encodeURIComponent(id)}/turns`)]);
  } catch (err) {
    const title = err.status === 404 ? 'Session not found' : 'Couldn\u2019t load this session';
    showProblem(content, title, err.message, h('a', { class: 'btn btn-primary', href: 'sessions.html' }, 'Your sessions'));
    return;
  }
  const feedbackPromise = api(`/api/sessions/${encodeURIComponent(id)}/feedback`);
  turns.sort((a, b) => a.start_ms - b.start_ms || a.index - b.index);
  state.durationMs = Math.max(1000, session.duration_ms, ...turns.map((t) => t.end_ms));
  const round = LABELS.round[session.round] || session.round;
  document.title = `${round}, ${dateLabel(session.created_at)} · Interview Coach`;

  const exportBase = `/api/sessions/${encodeURIComponent(id)}/export`;
  const head = h(
    'div',
    { class: 'page-head' },
    h(
      'div',
      {},
      h('h1', { text: `${round} interview` }),
      h(
        'div',
        { class: 'chips' },
        h('span', { class: 'chip', text: `${dateLabel(session.created_at)}, ${timeLabel(session.created_at)}` }),
        h('span', { class: 'chip', text: LABELS.mode[session.mode] || session.mode }),
        h('span', { class: 'chip', text: LABELS.profile[session.profile] || session.profile }),
        h('span', { class: 'chip', text: duration(session.duration_ms) }),
        h('span', { class: 'chip', 'data-status': session.status, text: LABELS.status[session.status] || session.status }),
      ),
    ),
    h(
      'div',
      { class: 'head-actions' },
      h('a', { class: 'btn btn-secondary', href: `${exportBase}?format=markdown`, download: '' }, 'Download report (.md)'),
      h('a', { class: 'btn btn-secondary', href: `${exportBase}?format=json`, download: '' }, 'Export JSON'),
    ),
  );

  const summarySlot = h('div', {}, h('p', { class: 'loading', text: 'Preparing the feedback…' }));
  const answersEl = h('div', { class: 'answers' });
  const slots = new Map();
  const numbers = new Map(); // question id -> its number, in order of first appearance
  for (const g of groupTurns(turns)) {
    const transcript = h('ol', { class: 'transcript', 'aria-label': 'Transcript' }, g.turns.map(lineFor));
    let title;
    if (g.question_id === null) {
      title = h('div', { class: 'answer-head' }, h('h2', { text: 'Wrap-up' }));
    } else {
      if (!numbers.has(g.question_id)) numbers.set(g.question_id, numbers.size + 1);
      g.number = numbers.get(g.question_id);
      title = h(
        'div',
        { class: 'answer-head' },
        h('h2', { text: `Question ${g.number}` }),
        g.attempt > 1 ? h('span', { class: 'chip', text: `Attempt ${g.attempt}` }) : null,
        h('p', { class: 'prompt', 'data-question': g.question_id }),
      );
    }
    const slot = g.question_id === null ? null : h('div', { class: 'card feedback' }, h('p', { class: 'loading', text: 'Preparing feedback…' }));
    if (slot) slots.set(g.key, { slot, title });
    answersEl.append(
      h(
        'section',
        { class: 'answer', 'data-question': g.question_id || '', 'data-attempt': g.attempt, 'aria-label': g.question_id ? `Question ${g.number}, attempt ${g.attempt}` : 'Wrap-up' },
        title,
        h('div', { class: 'card' }, transcript),
        slot,
      ),
    );
  }
  if (!turns.length) answersEl.append(h('p', { class: 'hint', text: 'Nothing was said in this session.' }));
  const codeSlot = h('div', { class: 'code-slot' });
  content.replaceChildren(head, buildPlayer(turns), codeSlot, summarySlot, answersEl);
  window.addEventListener('wheel', () => { state.lastUserScroll = Date.now(); }, { passive: true });
  window.addEventListener('touchmove', () => { state.lastUserScroll = Date.now(); }, { passive: true });
  debug.ready = true;
  api(`/api/sessions/${encodeURIComponent(id)}/code`)
    .then((data) => buildCodeReplay(codeSlot, data, numbers))
    .catch((err) => {
      if (err.status !== 404) codeSlot.replaceChildren(h('p', { class: 'hint', role: 'alert', text: `The code of this session could not be loaded: ${err.message}` }));
    })
    .finally(() => {
      debug.codeReady = true;
    });

  let feedback;
  try {
    feedback = await feedbackPromise;
  } catch (err) {
    summarySlot.replaceChildren(h('p', { class: 'hint', role: 'alert', text: `The feedback could not be prepared: ${err.message}` }));
    for (const { slot } of slots.values()) slot.replaceChildren(h('p', { class: 'hint', text: 'Feedback unavailable.' }));
    return;
  }
  summarySlot.replaceChildren(summaryCard(session, feedback));
  for (const a of feedback.answers) {
    const entry = slots.get(`${a.question_id}#${a.attempt}`);
    if (!entry) continue;
    entry.slot.replaceWith(feedbackCard(a));
    const prompt = entry.title.querySelector('.prompt');
    if (prompt && a.prompt) prompt.textContent = a.prompt;
    markFillers(a.delivery.filler_marks);
  }
  debug.feedbackReady = true;
}

/** Underline the filler words the transcript shows. */
function markFillers(marks) {
  for (const m of marks) {
    for (const line of state.lines) {
      const w = line.words.find((x) => Math.abs(x.start - m.start_ms) < 200 && x.text.toLowerCase().replace(/[^a-z' ]/g, '').startsWith(m.text.split(' ')[0]));
      if (w) {
        w.el.classList.add('filler');
        w.el.title = 'Filler word';
        break;
      }
    }
  }
}

main();
