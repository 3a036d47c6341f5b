// Entry module of web/vendor/codemirror.js: the code editor of the coding workspace.
//
// The pages never touch CodeMirror's API directly: they call createEditor(), which sets up a
// basicSetup-like subset (line numbers, Python highlighting, 4-space indentation with Tab,
// bracket matching and closing, undo history, search) and returns a small handle. Keeping the
// surface this small lets the bundle be rebuilt or swapped without changing the pages.

import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import {
  HighlightStyle,
  bracketMatching,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from '@codemirror/language';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { Compartment, EditorSelection, EditorState, Prec } from '@codemirror/state';
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { tags as t } from '@lezer/highlight';

// Colours come from CSS custom properties (--cm-*), so the page's light and dark themes apply.
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword], color: 'var(--cm-keyword, #7c3aed)' },
  { tag: [t.bool, t.null, t.self], color: 'var(--cm-atom, #b45309)' },
  { tag: [t.number], color: 'var(--cm-number, #0e7490)' },
  { tag: [t.string, t.special(t.string), t.character], color: 'var(--cm-string, #15803d)' },
  { tag: [t.comment, t.lineComment, t.blockComment, t.docComment], color: 'var(--cm-comment, #6b7280)', fontStyle: 'italic' },
  { tag: [t.function(t.definition(t.variableName)), t.definition(t.className)], color: 'var(--cm-def, #1d4ed8)', fontWeight: '600' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: 'var(--cm-call, #1e40af)' },
  { tag: [t.className, t.typeName, t.standard(t.variableName)], color: 'var(--cm-type, #9d174d)' },
  { tag: [t.operator, t.derefOperator], color: 'var(--cm-operator, inherit)' },
  { tag: [t.meta, t.annotation], color: 'var(--cm-meta, #92400e)' },
  { tag: t.invalid, color: 'var(--cm-invalid, #b91c1c)' },
]);

const theme = EditorView.theme({
  '&': {
    height: '100%',
    fontSize: '14px',
    backgroundColor: 'var(--cm-bg, #fff)',
    color: 'var(--cm-text, #111827)',
  },
  '.cm-scroller': {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
    lineHeight: '1.55',
  },
  '.cm-content': { caretColor: 'var(--cm-caret, #111827)', padding: '8px 0' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--cm-caret, #111827)', borderLeftWidth: '2px' },
  '.cm-gutters': {
    backgroundColor: 'var(--cm-gutter-bg, #f1f3f7)',
    color: 'var(--cm-gutter-text, #6b7280)',
    borderRight: '1px solid var(--cm-border, #dfe3ea)',
  },
  '.cm-activeLine': { backgroundColor: 'var(--cm-active-line, rgb(67 56 202 / 5%))' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--cm-active-line, rgb(67 56 202 / 8%))' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
    { backgroundColor: 'var(--cm-selection, rgb(67 56 202 / 22%))' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--cm-bracket, rgb(21 128 61 / 22%))', outline: 'none' },
  '&.cm-focused .cm-nonmatchingBracket': { backgroundColor: 'var(--cm-bracket-bad, rgb(185 28 28 / 25%))' },
  '.cm-selectionMatch': { backgroundColor: 'var(--cm-match, rgb(234 179 8 / 22%))' },
  '&.cm-focused': { outline: 'none' },
});

/**
 * Create an editor inside `parent`.
 *
 * options:
 *   doc       initial text
 *   readOnly  true for the review replay (no typing, still selectable and scrollable)
 *   label     accessible name of the editing area
 *   onChange(text)  called after every change of the text (not for setText when quiet)
 *   onRun()         Ctrl/Cmd+Enter inside the editor
 *
 * Returns {view, getText(), setText(text, {quiet}), setReadOnly(bool), insert(text), focus(),
 * destroy()}.
 */
export function createEditor(parent, options = {}) {
  const { doc = '', readOnly = false, label = 'Code editor (Python)', onChange = null, onRun = null } = options;
  const editable = new Compartment();
  let quiet = false;

  const readOnlyExtensions = (ro) => [EditorState.readOnly.of(ro), EditorView.editable.of(!ro)];

  const extensions = [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    indentOnInput(),
    syntaxHighlighting(highlight),
    bracketMatching(),
    closeBrackets(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    python(),
    indentUnit.of('    '),
    EditorState.tabSize.of(4),
    Prec.highest(
      keymap.of([
        {
          key: 'Mod-Enter',
          preventDefault: true,
          run: () => {
            if (onRun) onRun();
            return true;
          },
        },
      ]),
    ),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab]),
    editable.of(readOnlyExtensions(readOnly)),
    EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true', spellcheck: 'false', autocapitalize: 'off', autocorrect: 'off' }),
    theme,
    EditorView.updateListener.of((update) => {
      if (update.docChanged && onChange && !quiet) onChange(update.state.doc.toString());
    }),
  ];

  const view = new EditorView({ state: EditorState.create({ doc, extensions }), parent });

  return {
    view,
    getText() {
      return view.state.doc.toString();
    },
    /** Replace the whole text; the cursor goes to the start. quiet: no onChange call. */
    setText(text, { quiet: silent = false } = {}) {
      if (text === view.state.doc.toString()) return;
      quiet = silent;
      try {
        const keepScroll = view.scrollDOM.scrollTop;
        view.dispatch({
          changes: { from: 0, to: view.state.doc.length, insert: text },
          selection: EditorSelection.cursor(Math.min(view.state.selection.main.head, text.length)),
        });
        if (silent) view.scrollDOM.scrollTop = keepScroll;
      } finally {
        quiet = false;
      }
    },
    /** Insert text at the cursor as if pasted (indentation kept as is). */
    insert(text) {
      view.dispatch(view.state.replaceSelection(text), { userEvent: 'input.paste', scrollIntoView: true });
    },
    setReadOnly(ro) {
      view.dispatch({ effects: editable.reconfigure(readOnlyExtensions(ro)) });
    },
    focus() {
      view.focus();
    },
    destroy() {
      view.destroy();
    },
  };
}
