// Session list: date, round, length and scores of every stored interview; each row opens
// the replay page.

import { LABELS, api, dateLabel, duration, h, scoreBadge, showProblem, timeLabel } from './common.js';

const content = document.getElementById('content');

function bars(graded) {
  if (!graded.length) return h('span', { class: 'cell-sub', text: 'No graded answers' });
  return h(
    'div',
    { class: 'mini-bars', 'aria-hidden': 'true' },
    graded.map((g) =>
      h('span', {
        style: `height:${Math.max(14, g.overall)}%`,
        title: `${g.overall}/100${g.attempt > 1 ? ` (attempt ${g.attempt})` : ''}`,
        'data-retry': g.attempt > 1 ? '' : null,
      }),
    ),
  );
}

function row(session) {
  const url = `session.html?id=${encodeURIComponent(session.id)}`;
  const round = LABELS.round[session.round] || session.round;
  const retries = session.graded.filter((g) => g.attempt > 1).length;
  const answers = `${session.answers} answer${session.answers === 1 ? '' : 's'}${retries ? ` · ${retries} retr${retries === 1 ? 'y' : 'ies'}` : ''}`;
  return h(
    'tr',
    { 'data-session': session.id },
    h(
      'td',
      {},
      h('a', { class: 'session-link', href: url }, `${dateLabel(session.created_at)}`),
      h('span', { class: 'cell-sub', text: timeLabel(session.created_at) }),
    ),
    h(
      'td',
      {},
      h('strong', { text: round }),
      h('span', { class: 'cell-sub', text: `${LABELS.mode[session.mode] || session.mode} · ${LABELS.profile[session.profile] || session.profile}` }),
    ),
    h(
      'td',
      { class: 'col-length' },
      duration(session.duration_ms),
      h('span', { class: 'cell-sub', text: answers }),
    ),
    h('td', { class: 'col-status' }, h('span', { class: 'chip', 'data-status': session.status, text: LABELS.status[session.status] || session.status })),
    h('td', { class: 'col-bars' }, bars(session.graded)),
    h('td', { class: 'col-score' }, scoreBadge(session.overall, { label: 'Overall score of first attempts' })),
  );
}

async function main() {
  let sessions;
  try {
    sessions = await api('/api/sessions?limit=500');
  } catch (err) {
    showProblem(content, 'Couldn\u2019t load your sessions', err.message);
    return;
  }
  if (!sessions.length) {
    showProblem(
      content,
      'No interviews yet',
      'Your interviews appear here when you finish them: replay them, read the feedback on each answer, and watch your progress.',
      h('a', { class: 'btn btn-primary', href: '/' }, 'Start your first interview'),
    );
    return;
  }
  const table = h(
    'table',
    { class: 'session-table' },
    h('caption', { class: 'visually-hidden', text: 'Your interview sessions, newest first' }),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', text: 'Date' }),
        h('th', { scope: 'col', text: 'Round' }),
        h('th', { scope: 'col', class: 'col-length', text: 'Length' }),
        h('th', { scope: 'col', text: 'Status' }),
        h('th', { scope: 'col', class: 'col-bars', text: 'Answers' }),
        h('th', { scope: 'col', text: 'Score' }),
      ),
    ),
    h('tbody', {}, sessions.map(row)),
  );
  content.replaceChildren(h('div', { class: 'card' }, table));
}

main();
