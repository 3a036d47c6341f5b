// Test results of one run of the candidate's code (`code_result`, docs/protocol.md), drawn the
// same way on the interview page and on the review replay.

import { h, num } from './common.js';

// The sandbox's default limits (coding/sandbox.py `Limits`), for the words shown to the person.
const LIMIT_TEXT = {
  cpu: 'Stopped: your code used more than 5 s of CPU time. Look for an infinite loop or a slower-than-needed algorithm.',
  wall: 'Stopped: your code ran for more than 10 s. It may be stuck in a loop or waiting for something.',
  memory: 'Stopped: your code used more than 768 MB of memory.',
  processes: 'Stopped: your code started too many processes or threads (more than 32).',
  output: 'Stopped: your code printed more than 64 KB of output.',
  file_size: 'Stopped: your code wrote a file bigger than 16 MB.',
};

/** The limit that ended a run, in words, or '' when none did. */
export function limitText(limit) {
  if (!limit) return '';
  return LIMIT_TEXT[limit] || `Stopped: your code hit the sandbox's ${String(limit).replace(/_/g, ' ')} limit.`;
}

/** "5 of 7 tests pass" and friends: the one-line outcome of a run. */
export function resultHeadline(r) {
  const total = r.total ?? (r.passed || 0) + (r.failed || 0);
  if (!total) return r.limits_hit ? 'The tests did not finish' : 'The tests could not run';
  if (!r.failed) return total === 1 ? 'The test passes' : `All ${total} tests pass`;
  return `${r.passed} of ${total} tests pass`;
}

/** "pass" | "fail" | "error": for colours and for tests. */
export function outcome(r) {
  const total = r.total ?? (r.passed || 0) + (r.failed || 0);
  if (!total) return 'error';
  if (r.failed) return r.limits_hit ? 'error' : 'fail';
  return 'pass';
}

function caseItem(c) {
  const ok = !!c.ok;
  return h(
    'li',
    { class: 'case', 'data-ok': String(ok), 'data-hidden': String(!!c.hidden), 'data-name': c.name },
    h('span', { class: 'case-icon', 'aria-hidden': 'true', text: ok ? '✓' : '✗' }),
    h(
      'div',
      { class: 'case-body' },
      h(
        'div',
        { class: 'case-head' },
        h('span', { class: 'visually-hidden', text: ok ? 'Passed: ' : 'Failed: ' }),
        h('span', { class: 'case-desc', text: c.description || c.name }),
        c.description ? h('code', { class: 'case-name', text: c.name }) : null,
        c.hidden ? h('span', { class: 'tag case-hidden', title: 'Not shown before the first run', text: 'hidden test' }) : null,
        typeof c.seconds === 'number' ? h('span', { class: 'case-time', text: `${num(c.seconds, 2)} s` }) : null,
      ),
      !ok && c.message ? h('pre', { class: 'case-msg', text: c.message }) : null,
    ),
  );
}

function output(title, text, cls) {
  if (!text) return null;
  return h(
    'details',
    { class: `run-output ${cls}`, open: true },
    h('summary', { text: title }),
    h('pre', { tabindex: '0', 'aria-label': title, text }),
  );
}

/** The whole result: headline, limit, error, cases, then stdout and stderr. */
export function renderResult(r, { at = '' } = {}) {
  const total = r.total ?? (r.passed || 0) + (r.failed || 0);
  const detail = [];
  if (r.failed) detail.push(`${r.failed} failed`);
  if (typeof r.seconds === 'number') detail.push(`${num(r.seconds, 2)} s`);
  if (at) detail.push(at);
  const limit = limitText(r.limits_hit);
  const cases = r.cases || [];
  return h(
    'div',
    { class: 'run-result', 'data-outcome': outcome(r), 'data-passed': r.passed ?? 0, 'data-failed': r.failed ?? 0, 'data-total': total },
    h(
      'p',
      { class: 'run-summary' },
      h('strong', { class: 'run-headline', text: resultHeadline(r) }),
      detail.length ? h('span', { class: 'run-detail', text: detail.join(' · ') }) : null,
    ),
    limit ? h('p', { class: 'run-limit', 'data-limit': r.limits_hit, text: limit }) : null,
    r.error ? h('pre', { class: 'run-error', text: r.error }) : null,
    cases.length ? h('ol', { class: 'cases', 'aria-label': 'Test cases' }, cases.map(caseItem)) : null,
    output('Printed output (stdout)', r.stdout, 'stdout'),
    output('Errors (stderr)', r.stderr, 'stderr'),
  );
}
