/** The program editor (CodeMirror 6): Python, JavaScript or C++ highlighting, Ctrl/Cmd-Enter runs; the parent reads and loads code through a handle. */
import { cpp } from '@codemirror/lang-cpp';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { tags } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';
import type { Language } from '../sdk.ts';

export interface EditorHandle {
  code(): string;
  /** Replaces the program (one undoable change, so Ctrl-Z brings the old one back). */
  load(code: string): void;
}

const languageSupport = (lang: Language) => (lang === 'python' ? python() : lang === 'javascript' ? javascript() : cpp());

// Colours are CSS variables (styles.css), so the editor follows the light and dark themes without reconfiguring.
const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.moduleKeyword, tags.operatorKeyword], color: 'var(--syn-keyword)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--syn-string)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--syn-number)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--syn-comment)', fontStyle: 'italic' },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName), tags.definition(tags.function(tags.variableName))], color: 'var(--syn-function)' },
  { tag: [tags.typeName, tags.className, tags.processingInstruction], color: 'var(--syn-type)' },
]);

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--code-bg)', color: 'var(--fg)', height: '100%' },
  '.cm-content': { caretColor: 'var(--fg)' },
  '.cm-gutters': { backgroundColor: 'var(--code-bg)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'var(--active-line)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection) !important' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--fg)' },
});

export function Editor({ language, initial, label, handle, onRun, onChange }: { language: Language; initial: string; label: string; handle: { current: EditorHandle | null }; onRun(): void; onChange?(code: string): void }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const lang = useRef(new Compartment()).current;
  const callbacks = useRef({ onRun, onChange });
  callbacks.current = { onRun, onChange };

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial,
        extensions: [
          basicSetup,
          // Tab indents (code needs it); Escape then Tab leaves the editor, as CodeMirror documents for keyboard users.
          keymap.of([{ key: 'Mod-Enter', run: () => (callbacks.current.onRun(), true) }, indentWithTab]),
          lang.of(languageSupport(language)),
          syntaxHighlighting(highlight),
          theme,
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((u) => u.docChanged && callbacks.current.onChange?.(u.state.doc.toString())),
        ],
      }),
    });
    view.current = v;
    handle.current = {
      code: () => v.state.doc.toString(),
      load: (code) => v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: code } }),
    };
    return () => {
      v.destroy();
      handle.current = null;
    };
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: lang.reconfigure(languageSupport(language)) });
  }, [language]);

  return <div class="editor" ref={host} />;
}
