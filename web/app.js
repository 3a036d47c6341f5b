// Interview page: setup form, microphone streaming and the live-interview WebSocket client.
// The protocol is docs/protocol.md (version 1).

import { MicError, micUnavailableReason, openMic } from './mic.js';
import { Player } from './player.js';
import { Workspace } from './workspace.js';

const PROTOCOL = 1;
const JD_MAX = 20000;
const PING_INTERVAL_MS = 20000;
const STOP_GRACE_MS = 5000; // wait this long for `session_ended` after `stop`
const TOAST_MS = 8000;
const SESSION_KEY = 'coach.session'; // sessionStorage: {id, config} of the unfinished interview
const PREFS_KEY = 'coach.prefs'; // localStorage: last round/mode/profile

const LABELS = {
  round: {
    loop: 'Full loop',
    coding: 'Coding',
    system_design: 'ML system design',
    ml_depth: 'Applied-ML depth',
    behavioral: 'Behavioural',
    star: 'STAR practice',
  },
  mode: { study: 'Study mode', interview: 'Real interview mode' },
  profile: { big_tech: 'Big tech', ai_lab: 'AI lab', recsys_product: 'Recommendation-heavy product' },
  kind: {
    question: 'Question',
    follow_up: 'Follow-up',
    clarification: 'Clarification',
    feedback: 'Feedback',
    closing: 'Wrap-up',
    prompt: 'Prompt',
    code: 'About your code',
  },
};

const STATES = {
  connecting: ['Connecting…', 'Setting up your interview.'],
  listening: ['Listening', 'Your turn: answer out loud.'],
  thinking: ['Thinking', 'Considering your answer…'],
  speaking: ['Speaking', 'Speak up any time to interrupt.'],
  ending: ['Ending…', 'Wrapping up the interview.'],
  disconnected: ['Disconnected', 'The connection to the server was lost.'],
  ended: ['Finished', 'The microphone is off.'],
};

const ERROR_TEXT = {
  overloaded: 'Transcription is running behind, so your answers may take a little longer to process. Nothing is lost.',
  busy: 'This interview is already open in another tab or window.',
  internal: 'The interview server ran into a problem. Everything you said so far is saved.',
  protocol_mismatch: 'This page does not match the server version. Reload the page and start again.',
  timeout: 'The server stopped waiting for the interview to start.',
  not_found: 'The server no longer has this interview, so it cannot be resumed.',
  forbidden: 'This interview belongs to another user, so it cannot be resumed here.',
  run_in_progress: 'Your code is still running. The results will show here in a moment.',
};

// Live values for automated tests.
const debug = {
  playedSamples: 0, // interviewer samples scheduled whose start time has passed
  receivedSamples: 0, // interviewer samples received from the server
  // Last server `state` (listening|thinking|speaking); otherwise the page's own phase:
  // idle | connecting | ready (connected, no state yet) | disconnected | ended.
  state: 'idle',
  lastTranscript: '', // text of the last `transcript`
  framesSent: 0, // 640-byte microphone frames sent
  underruns: 0, // times interviewer audio ran dry mid-reply (arrived late)
  sessionId: null,
  micSampleRate: null, // AudioContext rate the microphone was captured at
};
window.coachDebug = debug;

const $ = (id) => document.getElementById(id);
// The coding workspace (editor, Run, results) beside the voice exchange; see workspace.js.
const workspace = new Workspace({ send, notify: (text) => showError(text, false), debug });
const el = {
  setup: $('setup'),
  form: $('setup-form'),
  start: $('start'),
  round: $('round'),
  mode: $('mode'),
  profile: $('profile'),
  jd: $('jd'),
  jdCount: $('jd-count'),
  interview: $('interview'),
  interviewTitle: $('interview-title'),
  state: $('state'),
  stateHint: $('state-hint'),
  recording: $('recording'),
  level: $('level'),
  levelWrap: $('level-wrap'),
  interviewerText: $('interviewer-text'),
  replyKind: $('reply-kind'),
  caption: $('caption'),
  log: $('log'),
  done: $('done'),
  stop: $('stop'),
  error: $('error'),
  errorText: $('error-text'),
  errorDismiss: $('error-dismiss'),
  micHelp: $('mic-help'),
  micHelpTitle: $('mic-help-title'),
  micHelpBody: $('mic-help-body'),
  connection: $('connection'),
  connectionTitle: $('connection-title'),
  connectionText: $('connection-text'),
  reconnect: $('reconnect'),
  finished: $('finished'),
  finishedTitle: $('finished-title'),
  finishedText: $('finished-text'),
  sessionId: $('session-id'),
  sessionMeta: $('session-meta'),
  newInterview: $('new-interview'),
  retry: $('retry'),
  reviewLink: $('review-link'),
};

// One live interview (or an attempt to start/resume one).
const s = {
  phase: 'setup', // setup | connecting | live | ending | disconnected | ended
  config: null, // {round, mode, profile, job_description?}
  id: null, // session id from `ready`
  ws: null,
  ready: false,
  ctx: null,
  mic: null,
  player: null,
  serverState: null,
  reply: null, // {id, text, kind, fromSentences, entry}
  finalTurns: new Set(), // turn indexes whose transcript arrived (later captions are stale)
  answerLines: new Map(), // turn index -> its line in the conversation log (for revisions)
  lastFatal: null, // friendly text of the last fatal error, shown when the socket closes
  lastFatalCode: null,
  pingTimer: null,
  pingId: 0,
  stopTimer: null,
  level: 0,
};

/* ---------- small DOM helpers ---------- */

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function show(node, visible) {
  node.hidden = !visible;
}

function readStore(storage, key) {
  try {
    return JSON.parse(storage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

function writeStore(storage, key, value) {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
  } catch {
    // storage disabled (private mode): the feature just isn't remembered
  }
}

/* ---------- status, level, captions, log ---------- */

function renderState() {
  let key;
  if (s.phase === 'live') key = s.player && s.player.playing ? 'speaking' : s.serverState || 'listening';
  else if (s.phase === 'setup') key = 'connecting';
  else key = s.phase;
  const live = s.phase === 'live';
  el.done.disabled = !live;
  el.stop.disabled = !(live || s.phase === 'disconnected');
  if (el.state.dataset.state === key) return; // unchanged: don't re-announce
  const [label, hint] = STATES[key];
  el.state.dataset.state = key;
  el.state.textContent = label;
  el.stateHint.textContent = hint;
}

function setRecording(on) {
  show(el.recording, on);
  el.levelWrap.classList.toggle('off', !on);
  document.title = (on ? '● ' : '') + document.title.replace(/^● /, '');
}

function updateLevel(rms) {
  // Map -60..0 dBFS to 0..100, rising at once and falling gently.
  const db = 20 * Math.log10(rms + 1e-9);
  const target = Math.max(0, Math.min(100, ((db + 60) / 60) * 100));
  s.level = target > s.level ? target : Math.max(target, s.level - 4);
  const v = Math.round(s.level);
  if (el.level.value !== v) {
    el.level.value = v;
    el.level.textContent = `${v}%`;
  }
}

function setCaption(text, final) {
  el.caption.textContent = text;
  el.caption.dataset.final = String(final);
  el.caption.classList.toggle('partial', !final);
  el.caption.classList.toggle('final', final);
  el.caption.scrollTop = el.caption.scrollHeight;
}

function setInterviewerText(text) {
  el.interviewerText.textContent = text;
  el.interviewerText.scrollTop = 0;
}

function addTurn(speaker, text, tag) {
  const nearBottom = el.log.scrollHeight - el.log.scrollTop - el.log.clientHeight < 48;
  const who = h('div', { class: 'who' }, speaker === 'candidate' ? 'You' : 'Interviewer');
  const tagEl = h('span', { class: 'tag', hidden: '' });
  who.append(tagEl);
  const body = h('p', { class: 'text', text });
  const entry = h('div', { class: 'turn', 'data-speaker': speaker }, who, body);
  if (tag) {
    tagEl.textContent = tag;
    tagEl.hidden = false;
  }
  el.log.append(entry);
  if (nearBottom) el.log.scrollTop = el.log.scrollHeight;
  return { entry, body, tagEl };
}

function addNote(text) {
  el.log.append(h('div', { class: 'note', text }));
  el.log.scrollTop = el.log.scrollHeight;
}

function markInterrupted(reply) {
  if (!reply || !reply.entry || reply.entry.entry.classList.contains('interrupted')) return;
  reply.entry.entry.classList.add('interrupted');
  reply.entry.entry.append(h('span', { class: 'turn-meta', text: 'Interrupted' }));
}

/* ---------- errors and banners ---------- */

let toastTimer = null;

function showError(text, fatal = false) {
  clearTimeout(toastTimer);
  el.errorText.textContent = text;
  el.error.classList.toggle('fatal', fatal);
  el.error.setAttribute('role', fatal ? 'alert' : 'status');
  show(el.error, true);
  if (!fatal) toastTimer = setTimeout(hideError, TOAST_MS);
}

function hideError() {
  clearTimeout(toastTimer);
  show(el.error, false);
}

function showConnection(title, text, { reconnect = false } = {}) {
  el.connectionTitle.textContent = title;
  el.connectionText.textContent = text;
  show(el.reconnect, reconnect);
  el.reconnect.disabled = false;
  show(el.connection, true);
}

function hideConnection() {
  show(el.connection, false);
}

function micHelp(kind, detail) {
  const port = location.port ? `:${location.port}` : '';
  const local = `http://127.0.0.1${port}${location.pathname}`;
  const steps = (...items) => h('ol', { class: 'steps' }, ...items.map((i) => h('li', {}, ...[].concat(i))));
  const p = (...parts) => h('p', {}, ...parts);
  switch (kind) {
    case 'insecure':
      return [
        'The microphone needs a secure page',
        [
          p('Browsers only allow microphone access on https:// pages or on this computer\u2019s own address. This page was opened at ',
            h('code', { text: location.origin }), '.'),
          steps(
            ['If the coach runs on this computer, open ', h('a', { href: local, text: local }), ' (or localhost) instead.'],
            'Otherwise, serve it over https, for example behind a reverse proxy with a certificate.',
          ),
        ],
      ];
    case 'unsupported':
      return [
        'This browser can\u2019t capture audio for the interview',
        [p('Please use a recent version of Chrome, Edge, Firefox or Safari.')],
      ];
    case 'denied':
      return [
        'Microphone access is blocked',
        [
          p('The browser or your operating system refused access to the microphone, so the interviewer can\u2019t hear you.'),
          steps(
            'Click the lock or site-settings icon at the left of the address bar, set Microphone to Allow, then press Start interview again.',
            'On macOS, also allow your browser in System Settings \u2192 Privacy & Security \u2192 Microphone. On Windows: Settings \u2192 Privacy & security \u2192 Microphone.',
          ),
        ],
      ];
    case 'notfound':
      return [
        'No microphone found',
        [
          p('Your computer didn\u2019t report any microphone the browser can use.'),
          steps(
            'Plug in a headset or microphone (or switch on the built-in one), then press Start interview again.',
            'If one is connected, check that it is enabled in your system\u2019s sound settings.',
          ),
        ],
      ];
    case 'busy':
      return [
        'The microphone couldn\u2019t be started',
        [
          p('Another app may be using it (a video call or a recorder), or the device had a hiccup.'),
          steps('Close other apps that use the microphone.', 'Unplug it and plug it back in, then try again.'),
        ],
      ];
    case 'lost':
      return [
        'The microphone was disconnected',
        [p('It stopped during the interview. Reconnect it, then press Reconnect to carry on from the same question.')],
      ];
    default:
      return [
        'The microphone couldn\u2019t be started',
        [p('Something went wrong while opening it', detail ? ': ' : '.', detail ? h('code', { text: detail }) : '')],
      ];
  }
}

function showMicHelp(kind, detail) {
  const [title, body] = micHelp(kind, detail);
  el.micHelpTitle.textContent = title;
  el.micHelpBody.replaceChildren(...body);
  show(el.micHelp, true);
}

/* ---------- views ---------- */

function readConfig() {
  const config = { round: el.round.value, mode: el.mode.value, profile: el.profile.value };
  const jd = el.jd.value.trim().slice(0, JD_MAX);
  if (jd) config.job_description = jd;
  return config;
}

function resetInterviewView() {
  el.log.replaceChildren();
  setCaption('', false);
  setInterviewerText('');
  show(el.replyKind, false);
  show(el.finished, false);
  el.interview.classList.remove('is-finished');
  s.finalTurns.clear();
  s.answerLines.clear();
  s.reply = null;
  showRetry(false);
  workspace.reset();
}

function showInterviewView() {
  const c = s.config || {};
  el.sessionMeta.textContent = [LABELS.round[c.round], LABELS.mode[c.mode], LABELS.profile[c.profile]]
    .filter(Boolean)
    .join(' · ');
  show(el.setup, false);
  show(el.interview, true);
  el.interviewTitle.focus({ preventScroll: true });
}

/** Back to the setup form, with no interview in progress on this page. */
function showSetupView() {
  s.phase = 'setup';
  debug.state = 'idle';
  show(el.interview, false);
  show(el.setup, true);
  el.start.disabled = !!micUnavailableReason();
  el.start.textContent = 'Start interview';
  el.start.removeAttribute('aria-busy');
}

/* ---------- audio ---------- */

async function openAudio() {
  // Created inside the click handler's task so autoplay rules allow it to run.
  const ctx = new AudioContext({ latencyHint: 'interactive' });
  let mic;
  try {
    mic = await openMic(ctx, { onFrame, onEnded: onMicLost });
  } catch (err) {
    ctx.close().catch(() => {});
    throw err;
  }
  try {
    await ctx.resume();
  } catch {
    // resumes on the next gesture at worst
  }
  // Some browsers suspend audio (another app took the device, iOS interruptions):
  // resume at the next click or key press.
  ctx.addEventListener('statechange', () => {
    if (ctx !== s.ctx || ctx.state === 'running' || ctx.state === 'closed') return;
    showError('Audio was paused by the browser. Click anywhere or press a key to resume.', false);
    const resume = () => ctx.resume().catch(() => {});
    window.addEventListener('pointerdown', resume, { once: true });
    window.addEventListener('keydown', resume, { once: true });
  });
  s.ctx = ctx;
  s.mic = mic;
  debug.micSampleRate = ctx.sampleRate;
  s.player = new Player(ctx, debug);
  s.player.addEventListener('playingchange', renderState);
  s.player.addEventListener('replyend', renderState);
  setRecording(true);
}

function closeAudio() {
  if (s.mic) s.mic.stop();
  if (s.player) s.player.close();
  if (s.ctx) s.ctx.close().catch(() => {});
  s.mic = null;
  s.player = null;
  s.ctx = null;
  s.level = 0;
  el.level.value = 0;
  setRecording(false);
}

function onFrame(pcm, rms) {
  updateLevel(rms);
  // Frames are sent only after `ready`; the server would reject them before.
  if (s.ready && s.ws && s.ws.readyState === WebSocket.OPEN) {
    s.ws.send(pcm);
    debug.framesSent += 1;
  }
}

function onMicLost() {
  if (s.phase !== 'live') return;
  showMicHelp('lost');
  dropSocket();
  enterDisconnected('The microphone was disconnected', 'Plug it back in, then reconnect to carry on from the same question.');
}

/* ---------- WebSocket ---------- */

/** Send a control message; false when there is no open connection. */
function send(msg) {
  if (!s.ws || s.ws.readyState !== WebSocket.OPEN) return false;
  s.ws.send(JSON.stringify(msg));
  return true;
}

function connect(first) {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  s.ws = ws;
  s.ready = false;
  s.lastFatal = null;
  s.lastFatalCode = null;
  ws.onopen = () => ws.send(JSON.stringify(first));
  ws.onmessage = (e) => {
    if (ws !== s.ws) return;
    if (typeof e.data === 'string') {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      if (msg && typeof msg.type === 'string') handleMessage(msg);
    } else if (s.player) {
      s.player.receive(e.data);
    }
  };
  ws.onclose = (e) => {
    if (ws === s.ws) onSocketClosed(e);
  };
}

/** Close the socket on purpose: its close event is then ignored. */
function dropSocket() {
  const ws = s.ws;
  s.ws = null;
  s.ready = false;
  clearInterval(s.pingTimer);
  if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
}

function onSocketClosed(e) {
  s.ws = null;
  s.ready = false;
  clearInterval(s.pingTimer);
  if (s.phase === 'ended' || s.phase === 'setup') return;
  if (s.phase === 'ending') {
    // Closed after our `stop` without a `session_ended`: the interview is over anyway.
    finish(s.id, null);
    return;
  }
  if (!s.id) {
    // Never got `ready`: nothing to resume.
    closeAudio();
    showSetupView();
    showConnection(
      'Couldn\u2019t start the interview',
      s.lastFatal
        ? s.lastFatal
        : `The interview server didn\u2019t accept the connection${e.code && e.code !== 1006 ? ` (code ${e.code})` : ''}. Check that it is running, then press Start interview again.`,
    );
    return;
  }
  if (s.lastFatal && s.lastFatalCode === 'protocol_mismatch') {
    closeAudio();
    s.phase = 'ended';
    showConnection('Please reload the page', s.lastFatal);
    renderState();
    return;
  }
  enterDisconnected(
    'Connection lost',
    `${s.lastFatal || 'The connection to the interview server closed unexpectedly. Everything you said so far is saved.'} Reconnect to carry on from the same question.`,
  );
}

function enterDisconnected(title, text) {
  closeAudio();
  s.phase = 'disconnected';
  debug.state = 'disconnected';
  markInterrupted(s.reply);
  s.reply = null;
  renderState();
  showConnection(title, text, { reconnect: true });
  el.reconnect.focus();
}

function handleMessage(msg) {
  switch (msg.type) {
    case 'ready':
      onReady(msg);
      break;
    case 'state':
      s.serverState = msg.state;
      debug.state = msg.state;
      renderState();
      break;
    case 'speech_started':
      // A new answer begins: clear the previous one from the caption area.
      if (el.caption.dataset.final === 'true') setCaption('', false);
      break;
    case 'caption':
      if (!s.finalTurns.has(msg.turn_index)) setCaption(msg.text || '', false);
      break;
    case 'transcript':
      showRetry(false); // a new answer: "Try again" is about the feedback before it
      s.finalTurns.add(msg.turn_index);
      debug.lastTranscript = msg.text || '';
      setCaption(msg.text || '', true);
      s.answerLines.set(
        msg.turn_index,
        addTurn('candidate', msg.text || '(nothing was heard)', msg.reason === 'disconnect' ? 'Cut off' : ''),
      );
      break;
    case 'transcript_revised': {
      // A long answer decoded again as a whole: the better text replaces the live one.
      const line = s.answerLines.get(msg.turn_index);
      if (line && msg.text) {
        line.body.textContent = msg.text;
        line.entry.dataset.revised = 'true';
      }
      if (msg.turn_index === Math.max(...s.finalTurns)) debug.lastTranscript = msg.text || '';
      break;
    }
    case 'reply_started':
      onReplyStarted(msg);
      break;
    case 'reply_sentence':
      if (s.reply && s.reply.id === msg.reply_id && s.reply.fromSentences && msg.text) {
        s.reply.text = s.reply.text ? `${s.reply.text} ${msg.text}` : msg.text;
        setInterviewerText(s.reply.text);
        s.reply.entry.body.textContent = s.reply.text;
      }
      break;
    case 'reply_done':
      if (s.player) s.player.endReply(msg.reply_id, !!msg.interrupted);
      if (s.reply && s.reply.id === msg.reply_id && msg.interrupted) markInterrupted(s.reply);
      renderState();
      break;
    case 'stop_playback':
      // Only for the reply playing now: a late one for an earlier reply must not cut the next.
      if (s.player && (msg.reply_id === undefined || !s.reply || s.reply.id === msg.reply_id)) s.player.stop();
      if (s.reply && (msg.reply_id === undefined || s.reply.id === msg.reply_id)) markInterrupted(s.reply);
      renderState();
      break;
    case 'workspace':
      workspace.open(msg);
      break;
    case 'code_running':
      workspace.onRunning(msg);
      break;
    case 'code_result':
      workspace.onResult(msg);
      break;
    case 'error':
      onServerError(msg);
      break;
    case 'session_ended':
      finish(msg.session_id || s.id, msg.reason);
      break;
    case 'pong':
    default:
      break;
  }
}

function onReady(msg) {
  s.id = msg.session_id;
  s.ready = true;
  s.phase = 'live';
  s.serverState = null;
  debug.sessionId = s.id;
  debug.state = 'ready'; // until the server's first `state`
  writeStore(sessionStorage, SESSION_KEY, { id: s.id, config: s.config });
  hideConnection();
  el.micHelp.hidden = true;
  if (msg.resumed) addNote('Reconnected: carrying on where you left off.');
  clearInterval(s.pingTimer);
  s.pingTimer = setInterval(() => send({ type: 'ping', id: ++s.pingId }), PING_INTERVAL_MS);
  renderState();
}

/** "Try again" is offered after spoken feedback on an answer (study mode). */
function showRetry(visible) {
  show(el.retry, visible && s.phase === 'live');
  el.retry.disabled = false;
}

function retry() {
  if (s.phase !== 'live') return;
  send({ type: 'retry' });
  el.retry.disabled = true;
}

function onReplyStarted(msg) {
  const text = msg.text || '';
  const attempt = msg.attempt > 1 ? ` · attempt ${msg.attempt}` : '';
  const tag = (LABELS.kind[msg.kind] || '') + (msg.kind === 'question' ? attempt : '');
  showRetry(!!msg.feedback_for);
  if (msg.kind === 'question') workspace.questionAsked(msg.question_id, msg.attempt);
  if (s.player) s.player.startReply(msg.reply_id);
  s.reply = {
    id: msg.reply_id,
    text,
    kind: msg.kind,
    fromSentences: !text, // no whole text: build it from `reply_sentence`
    entry: addTurn('interviewer', text, tag),
  };
  setInterviewerText(text);
  el.replyKind.textContent = tag;
  show(el.replyKind, !!tag);
  el.replyKind.dataset.kind = msg.kind || '';
  s.reply.entry.entry.dataset.kind = msg.kind || '';
}

function onServerError(msg) {
  const code = msg.code || 'error';
  if (workspace.onRunError(code)) return;
  const text = ERROR_TEXT[code] || msg.message || 'Something went wrong.';
  if (msg.fatal) {
    s.lastFatal = text;
    s.lastFatalCode = code;
    showError(text, true);
    return;
  }
  if (!s.ready && (code === 'not_found' || code === 'forbidden')) {
    // The stored session can't be resumed: forget it and offer a fresh start.
    writeStore(sessionStorage, SESSION_KEY, null);
    s.id = null;
    dropSocket();
    closeAudio();
    resetInterviewView();
    showSetupView();
    showConnection('This interview can\u2019t be resumed', `${text} You can start a new one below.`);
    return;
  }
  if (!s.ready && code === 'bad_message') {
    dropSocket();
    closeAudio();
    showSetupView();
    showConnection('The server didn\u2019t accept these settings', msg.message || text);
    return;
  }
  showError(text, false);
}

/* ---------- lifecycle ---------- */

async function begin(first, config, { fresh }) {
  if (s.phase === 'connecting' || s.phase === 'live' || s.phase === 'ending') return;
  const previous = s.phase;
  hideError();
  hideConnection();
  show(el.micHelp, false);
  s.phase = 'connecting';
  s.config = config;
  el.start.disabled = true;
  el.start.textContent = 'Starting…';
  el.start.setAttribute('aria-busy', 'true');
  el.reconnect.disabled = true;
  debug.state = 'connecting';
  try {
    await openAudio();
  } catch (err) {
    s.phase = previous;
    showMicHelp(err instanceof MicError ? err.kind : 'failed', err && err.message);
    el.micHelp.scrollIntoView({ block: 'nearest' });
    if (first.type === 'resume') {
      show(el.connection, true); // keep the Reconnect offer for another try
      el.reconnect.disabled = false;
    }
    if (previous === 'disconnected') debug.state = 'disconnected';
    else showSetupView();
    return;
  }
  if (fresh) resetInterviewView();
  if (first.type === 'resume') workspace.reconnecting();
  showInterviewView();
  renderState();
  connect(first);
}

function startInterview(e) {
  e.preventDefault();
  const config = readConfig();
  writeStore(localStorage, PREFS_KEY, { round: config.round, mode: config.mode, profile: config.profile });
  s.id = null;
  begin({ type: 'start', protocol: PROTOCOL, ...config }, config, { fresh: true });
}

function reconnect() {
  if (!s.id) {
    const stored = readStore(sessionStorage, SESSION_KEY);
    if (!stored || !stored.id) return;
    s.id = stored.id;
    s.config = stored.config || null;
  }
  const fresh = s.phase === 'setup'; // resuming after a page reload: nothing on screen yet
  begin({ type: 'resume', protocol: PROTOCOL, session_id: s.id }, s.config, { fresh });
}

function endTurn() {
  if (s.phase !== 'live') return;
  send({ type: 'end_turn' });
  el.done.classList.add('pressed');
  setTimeout(() => el.done.classList.remove('pressed'), 180);
}

function endInterview() {
  if (s.phase === 'live' && s.ws && s.ws.readyState === WebSocket.OPEN) {
    workspace.flush(); // the last edits reach the server before the interview closes
    send({ type: 'stop' });
    s.phase = 'ending';
    renderState();
    clearTimeout(s.stopTimer);
    s.stopTimer = setTimeout(() => {
      if (s.phase === 'ending') finish(s.id, null);
    }, STOP_GRACE_MS);
  } else if (s.phase === 'disconnected') {
    finish(s.id, 'ended while disconnected');
  }
}

function finish(sessionId, reason) {
  clearTimeout(s.stopTimer);
  s.phase = 'ended';
  debug.state = 'ended';
  dropSocket();
  closeAudio();
  hideConnection();
  writeStore(sessionStorage, SESSION_KEY, null);
  renderState();
  el.sessionId.textContent = sessionId || 'unknown';
  showRetry(false);
  workspace.end();
  el.reviewLink.href = sessionId ? `session.html?id=${encodeURIComponent(sessionId)}` : 'sessions.html';
  el.finishedText.textContent = reason && reason !== 'stopped' && reason !== 'stop'
    ? `The interview ended (${String(reason).replace(/_/g, ' ')}). The microphone is now off.`
    : 'Thanks for practising. The microphone is now off.';
  el.interview.classList.add('is-finished');
  show(el.finished, true);
  el.finishedTitle.focus({ preventScroll: false });
}

function newInterview() {
  s.id = null;
  s.serverState = null;
  resetInterviewView();
  showSetupView();
  el.round.focus();
}

/** Space or Enter ends the answer, unless focus is in something that uses those keys (the code
 * editor among them). Ctrl/Cmd+Enter runs the code while the workspace is open. */
function onKeyDown(e) {
  if (e.key !== ' ' && e.key !== 'Enter') return;
  const inEditor = e.target instanceof Element && e.target.closest('.cm-editor, .editor-host');
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.altKey && workspace.visible && s.phase === 'live') {
    if (!inEditor) {
      e.preventDefault();
      workspace.run(); // inside the editor its own key binding does it
    }
    return;
  }
  if (inEditor) return;
  if (e.repeat || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  if (s.phase !== 'live') return;
  const t = e.target;
  if (t instanceof Element && t.closest('input, textarea, select, button, a[href], summary, [contenteditable=""], [contenteditable="true"]')) return;
  e.preventDefault();
  endTurn();
}

/* ---------- init ---------- */

function init() {
  const prefs = readStore(localStorage, PREFS_KEY) || {};
  const asked = new URLSearchParams(location.search).get('round'); // from "Practise next"
  if (asked) prefs.round = asked;
  for (const k of ['round', 'mode', 'profile']) {
    if (prefs[k] && [...el[k].options].some((o) => o.value === prefs[k])) el[k].value = prefs[k];
  }
  const updateCount = () => {
    el.jdCount.textContent = el.jd.value.length.toLocaleString('en-US');
  };
  el.jd.addEventListener('input', updateCount);
  updateCount();

  el.form.addEventListener('submit', startInterview);
  el.reconnect.addEventListener('click', reconnect);
  el.done.addEventListener('click', endTurn);
  el.stop.addEventListener('click', endInterview);
  el.newInterview.addEventListener('click', newInterview);
  el.retry.addEventListener('click', retry);
  el.errorDismiss.addEventListener('click', hideError);
  document.addEventListener('keydown', onKeyDown);

  const unavailable = micUnavailableReason();
  if (unavailable) {
    showMicHelp(unavailable);
    el.start.disabled = true;
  }

  const stored = readStore(sessionStorage, SESSION_KEY);
  if (stored && stored.id) {
    showConnection(
      'You have an interview in progress',
      'It was interrupted before it finished. Reconnect to carry on from the same question, or start a new one below.',
      { reconnect: true },
    );
  }
  renderState();
}

// Multi-user servers need a signed-in account: send the visitor to the sign-in page.
fetch('/api/auth/me', { credentials: 'same-origin' })
  .then((res) => {
    if (res.status === 401) location.href = `/login.html?next=${encodeURIComponent(location.pathname)}`;
  })
  .catch(() => {});

init();
