// Coding workspace of the interview page: the editor beside the live voice exchange.
//
// Protocol (docs/protocol.md): the server opens it with `workspace` {question_id, starter,
// code, examples} and closes it with `workspace` {question_id: null}. The page sends `code`
// snapshots (debounced, SNAPSHOT_DELAY_MS after typing stops) and, on "Run tests",
// `code` then `run_code`; the server answers `code_running` then `code_result`.
// The editor bundle (vendor/codemirror.js, ~400 KB) is loaded only when a coding question comes.

import { h } from './common.js';
import { renderResult, resultHeadline } from './code-results.js';

const SNAPSHOT_DELAY_MS = 500;
const MAX_CODE = 60000; // characters the server accepts in `code` / `run_code`
const RESULT_TIMEOUT_MS = 90000; // no `code_result` by then: give the button back

/** A plain textarea with the editor's interface, if the bundle can't be loaded. */
function textareaEditor(parent, { doc = '', readOnly = false, label, onChange, onRun }) {
  const ta = h('textarea', { class: 'editor-fallback', spellcheck: 'false', autocapitalize: 'off', 'aria-label': label });
  ta.value = doc;
  ta.readOnly = readOnly;
  ta.addEventListener('input', () => onChange && onChange(ta.value));
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (onRun) onRun();
    } else if (e.key === 'Tab' && !e.shiftKey && !readOnly) {
      e.preventDefault();
      ta.setRangeText('    ', ta.selectionStart, ta.selectionEnd, 'end');
      if (onChange) onChange(ta.value);
    }
  });
  parent.replaceChildren(ta);
  return {
    view: null,
    getText: () => ta.value,
    setText: (text) => {
      ta.value = text;
    },
    insert: (text) => {
      ta.setRangeText(text, ta.selectionStart, ta.selectionEnd, 'end');
      if (onChange) onChange(ta.value);
    },
    setReadOnly: (ro) => {
      ta.readOnly = ro;
    },
    focus: () => ta.focus(),
    destroy: () => ta.remove(),
  };
}

/** Create the code editor in `parent`: CodeMirror from the local bundle, else a textarea. */
export async function makeEditor(parent, options) {
  try {
    const { createEditor } = await import('./vendor/codemirror.js');
    parent.replaceChildren();
    const editor = createEditor(parent, options);
    editor.kind = 'codemirror';
    return editor;
  } catch (err) {
    console.warn('code editor bundle failed to load; using a plain text area', err);
    const editor = textareaEditor(parent, options);
    editor.kind = 'textarea';
    return editor;
  }
}

export class Workspace {
  /**
   * @param {object} deps
   *   send(msg) -> bool: send a control message (false when not connected)
   *   notify(text): a short, temporary message to the person
   *   debug: object for automated tests (window.coachDebug)
   */
  constructor({ send, notify, debug }) {
    const $ = (id) => document.getElementById(id);
    this.el = {
      root: $('workspace'),
      interview: $('interview'),
      host: $('editor'),
      run: $('run'),
      runLabel: document.querySelector('#run .run-label'),
      status: $('ws-status'),
      examples: $('ws-examples'),
      exampleList: $('ws-example-list'),
      hiddenNote: $('ws-hidden-note'),
      language: $('ws-language'),
      results: $('ws-results'),
      resultsBody: $('ws-results-body'),
    };
    this.send = send;
    this.notify = notify;
    this.debug = debug;
    this.editor = null;
    this.editorPromise = null;
    this.questionId = null;
    this.attempt = 1; // attempt of the last question asked (from `reply_started`), set by app.js
    this.key = null; // question_id#attempt the editor holds
    this.lastSent = null; // text of the last snapshot the server has (or was sent)
    this.timer = null;
    this.running = false;
    this.runTimer = null;
    this.resumed = false; // next `workspace` follows a reconnect
    this.seq = 0; // guards against `workspace` messages overtaking each other while loading
    Object.assign(debug, { workspace: null, codeSent: 0, runsSent: 0, lastResult: null, running: false, editor: null });
    this.el.run.addEventListener('click', () => this.run());
  }

  get visible() {
    return !this.el.root.hidden;
  }

  ensureEditor() {
    if (!this.editorPromise) {
      this.el.host.replaceChildren(h('p', { class: 'hint editor-loading', text: 'Loading the editor…' }));
      this.editorPromise = makeEditor(this.el.host, {
        doc: '',
        label: 'Code editor, Python',
        onChange: (text) => this.changed(text),
        onRun: () => this.run(),
      }).then((editor) => {
        this.editor = editor;
        this.debug.editor = editor;
        this.debug.editorKind = editor.kind;
        return editor;
      });
    }
    return this.editorPromise;
  }

  /** `workspace`: open the editor for a question, or close it (question_id null). */
  async open(msg) {
    const seq = ++this.seq;
    if (!msg.question_id) {
      this.hide();
      return;
    }
    if (msg.attempt) this.attempt = msg.attempt;
    const key = `${msg.question_id}#${this.attempt}`;
    const same = key === this.key;
    if (!same) {
      clearTimeout(this.timer); // edits of the previous question must not land on this one
      this.timer = null;
    }
    const resumed = this.resumed;
    this.resumed = false;
    this.show(true);
    const editor = await this.ensureEditor();
    if (seq !== this.seq) return; // a newer `workspace` arrived while the editor loaded
    const local = editor.getText();
    const incoming = typeof msg.code === 'string' ? msg.code : msg.starter || '';
    this.questionId = msg.question_id;
    this.key = key;
    this.debug.workspace = msg.question_id;
    editor.setReadOnly(false);
    this.el.run.hidden = false;
    this.el.language.textContent = msg.language === 'python' || !msg.language ? 'Python' : msg.language;
    this.renderExamples(msg.examples || []);
    if (same && resumed && local && local !== incoming) {
      // Back after a reconnect with edits the server never got: keep them and save them now.
      this.lastSent = incoming;
      this.snapshot();
    } else {
      clearTimeout(this.timer);
      editor.setText(incoming, { quiet: true });
      this.lastSent = incoming;
      if (!same) this.clearResults();
    }
    if (!same) this.setRunning(false);
  }

  show(on) {
    this.el.root.hidden = !on;
    this.el.interview.classList.toggle('has-workspace', on);
    document.body.classList.toggle('coding', on);
  }

  hide() {
    // A pending snapshot is dropped, not sent: the server has moved on to another question.
    clearTimeout(this.timer);
    this.timer = null;
    this.questionId = null;
    this.key = null;
    this.debug.workspace = null;
    this.setRunning(false);
    this.show(false);
  }

  /** The interview ended: keep the last code and results on screen, read-only. */
  end() {
    clearTimeout(this.timer);
    this.timer = null;
    this.setRunning(false);
    this.questionId = null;
    if (this.editor) this.editor.setReadOnly(true);
    this.el.run.hidden = true;
  }

  /** `reply_started(kind=question)`: the interviewer asks `questionId`, attempt `attempt`. */
  questionAsked(questionId, attempt) {
    this.attempt = attempt || 1;
    if (`${questionId}#${this.attempt}` !== this.key) {
      clearTimeout(this.timer); // the server has moved on: a late snapshot would be misfiled
      this.timer = null;
    }
  }

  /** A new interview on this page: forget everything about the previous one. */
  reset() {
    this.seq += 1;
    clearTimeout(this.timer);
    this.questionId = null;
    this.key = null;
    this.attempt = 1;
    this.lastSent = null;
    this.resumed = false;
    this.debug.workspace = null;
    this.debug.lastResult = null;
    this.setRunning(false);
    this.clearResults();
    if (this.editor) this.editor.setText('', { quiet: true });
    this.show(false);
  }

  /** The socket is being reopened with `resume`. */
  reconnecting() {
    this.resumed = true;
    this.setRunning(false);
  }

  renderExamples(examples) {
    this.el.exampleList.replaceChildren(
      ...examples.map((e) =>
        h('li', { 'data-name': e.name }, h('span', { class: 'ex-desc', text: e.description || e.name }), e.description ? h('code', { text: e.name }) : null),
      ),
    );
    this.el.hiddenNote.textContent = examples.length ? '(hidden tests run too)' : '';
    this.el.examples.hidden = !examples.length;
  }

  changed(text) {
    if (!this.questionId) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.snapshot(), SNAPSHOT_DELAY_MS);
    if (text.length > MAX_CODE) this.el.status.textContent = `Too long to save: ${text.length.toLocaleString('en-US')} of ${MAX_CODE.toLocaleString('en-US')} characters`;
  }

  /** Send the editor's text as a `code` snapshot if it changed since the last one. */
  snapshot() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.editor || !this.questionId) return;
    const text = this.editor.getText();
    if (text === this.lastSent || text.length > MAX_CODE) return;
    if (this.send({ type: 'code', text })) {
      this.lastSent = text;
      this.debug.codeSent += 1;
    }
  }

  /** Send a pending snapshot now (before `stop`, or when the question changes). */
  flush() {
    if (this.timer !== null) this.snapshot();
  }

  run() {
    if (!this.editor || !this.questionId || !this.visible) return;
    if (this.running) {
      this.notify('Your code is still running. The results will show here in a moment.');
      return;
    }
    const text = this.editor.getText();
    if (text.length > MAX_CODE) {
      this.notify(`Your code is ${text.length.toLocaleString('en-US')} characters long; the limit is ${MAX_CODE.toLocaleString('en-US')}.`);
      return;
    }
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.send({ type: 'code', text })) {
      this.notify('Not connected to the interview server, so the code can\u2019t run. Reconnect first.');
      return;
    }
    this.lastSent = text;
    this.debug.codeSent += 1;
    this.send({ type: 'run_code', text });
    this.debug.runsSent += 1;
    this.setRunning(true);
  }

  setRunning(on) {
    this.running = on;
    this.debug.running = on;
    clearTimeout(this.runTimer);
    this.el.run.setAttribute('aria-busy', String(on));
    this.el.run.classList.toggle('is-running', on);
    this.el.runLabel.textContent = on ? 'Running…' : 'Run tests';
    this.el.root.dataset.running = String(on);
    if (on) {
      this.el.status.textContent = 'Running the tests…';
      this.runTimer = setTimeout(() => {
        this.setRunning(false);
        this.el.status.textContent = 'No result came back. Try running again.';
      }, RESULT_TIMEOUT_MS);
    } else if (this.el.status.textContent === 'Running the tests…') {
      this.el.status.textContent = '';
    }
  }

  /** `code_running`: the server started the run. */
  onRunning() {
    if (!this.visible) return;
    if (!this.running) this.setRunning(true);
  }

  /** `code_result`: show what the tests said. */
  onResult(msg) {
    if (!this.visible || (msg.question_id && msg.question_id !== this.questionId)) return;
    this.setRunning(false);
    this.debug.lastResult = msg;
    this.el.status.textContent = resultHeadline(msg);
    this.el.resultsBody.replaceChildren(renderResult(msg));
    if (this.el.results.hidden) this.el.examples.open = false; // the results list them now
    this.el.results.hidden = false;
    const firstFail = this.el.resultsBody.querySelector('.case[data-ok="false"]');
    (firstFail || this.el.results).scrollIntoView({ block: 'nearest' });
  }

  /** `error` about running code (`run_in_progress`). */
  onRunError(code) {
    if (code === 'run_in_progress') {
      this.notify('Your code is still running. The results will show here in a moment.');
      return true;
    }
    return false;
  }

  clearResults() {
    this.el.examples.open = true;
    this.el.resultsBody.replaceChildren();
    this.el.results.hidden = true;
    this.el.status.textContent = '';
  }
}
