/** The workbench (`/`): write a program, run it and watch it; benchmark it; grade it against a problem; teach a class session. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { LANGUAGES, type ClientMessage, type Language } from '../sdk.ts';
import type { Connection } from '../model/connection.ts';
import { examples, starterFor, type Example } from '../model/examples.ts';
import { describeError } from '../model/messages.ts';
import type { RunKind } from '../model/run-model.ts';
import { BenchForm, BenchResults } from './bench.tsx';
import { ClassPanel, type ClassSession } from './class-panel.tsx';
import { Editor, type EditorHandle } from './editor.tsx';
import { useFeed } from './hooks.ts';
import { ProblemsPanel } from './problems.tsx';
import { RunStatus } from './run-status.tsx';
import { RunViewer } from './run-viewer.tsx';
import { ShareLinks } from './share-links.tsx';

/** The language menu, from protocol/languages.ts's one table. */
const LANGUAGE_CHOICES = (Object.keys(LANGUAGES) as Language[]).map((id) => ({ id, name: LANGUAGES[id].label }));
/** A request that starts a run, as the workbench sends it (the session is added when a class session is open). */
type RunRequest = Extract<ClientMessage, { type: 'execute' | 'benchmark' | 'test' }> extends infer M ? (M extends unknown ? Omit<M, 'id'> : never) : never;

const TABS: { id: RunKind; name: string }[] = [
  { id: 'trace', name: 'Trace' },
  { id: 'bench', name: 'Benchmark' },
  { id: 'test', name: 'Problems' },
];

/** What the workbench keeps across reloads: the program being written (localStorage) and an open class session (this tab only). */
const saved = {
  draft(): { language: Language; code: string; stdin: string } | null {
    try {
      return JSON.parse(localStorage.getItem('tracecast.draft') ?? 'null');
    } catch {
      return null;
    }
  },
  saveDraft(d: { language: Language; code: string; stdin: string }): void {
    localStorage.setItem('tracecast.draft', JSON.stringify(d));
  },
  classSession(): ClassSession | null {
    try {
      return JSON.parse(sessionStorage.getItem('tracecast.class') ?? 'null');
    } catch {
      return null;
    }
  },
  saveClassSession(s: ClassSession | null): void {
    if (s) sessionStorage.setItem('tracecast.class', JSON.stringify(s));
    else sessionStorage.removeItem('tracecast.class');
  },
};

/** The first function the program defines: a good guess for what to benchmark. */
function firstFunction(code: string): string | null {
  return /^\s*(?:def|function)\s+([A-Za-z_$][\w$]*)/m.exec(code)?.[1] ?? null;
}

export function Workbench({ conn }: { conn: Connection }) {
  const { client, feed } = conn;
  useFeed(feed);
  const draft = useRef(saved.draft()).current;
  const [language, setLanguage] = useState<Language>(draft?.language ?? 'python');
  const [stdin, setStdin] = useState(draft?.stdin ?? '');
  const [example, setExample] = useState<Example | null>(draft ? null : starterFor('python'));
  const editor = useRef<EditorHandle | null>(null);
  const [tab, setTab] = useState<RunKind>('trace');
  const [runs, setRuns] = useState<Partial<Record<RunKind, string>>>({});
  const [active, setActive] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [shownStep, setShownStep] = useState<number | null>(null);
  const [klass, setKlass] = useState<ClassSession | null>(saved.classSession);
  const classInfo = klass ? (feed.sessions.get(klass.session) ?? null) : null;

  // Follow the class session from the start, for its watcher count (a run would subscribe us too, but only then).
  useEffect(() => {
    if (klass) client.subscribe(klass.session);
  }, [klass?.session]);

  const code = () => editor.current?.code() ?? '';
  const saveDraft = () => saved.saveDraft({ language, code: code(), stdin });
  useEffect(saveDraft, [language, stdin]);

  const submit = async (message: RunRequest, kind: RunKind) => {
    setProblem(null);
    setActive(null);
    setStarting(true);
    setTab(kind);
    const into = klass && !classInfo?.closed ? { session: klass.session, ownerKey: klass.ownerKey } : {};
    const reply = await client.request({ ...message, ...into });
    setStarting(false);
    if (reply.type === 'accepted') {
      feed.run(reply.run, reply.session, kind);
      setRuns((r) => ({ ...r, [kind]: reply.run }));
      setActive(reply.run);
    } else if (reply.type === 'error') {
      setProblem(`Could not start: ${describeError(reply)}`);
    }
  };
  const run = () => {
    const lines = stdin === '' ? [] : stdin.replace(/\n$/, '').split('\n');
    void submit({ type: 'execute', language, code: code(), stdin: lines }, 'trace');
  };
  const activeRun = active ? (feed.runs.get(active) ?? null) : null;
  const cancel = () => {
    if (activeRun?.running) client.send({ type: 'cancel', run: activeRun.id });
  };

  const chooseExample = (id: string) => {
    const e = examples.find((x) => x.id === id);
    if (!e) return;
    setExample(e);
    setLanguage(e.language);
    setStdin((e.stdin ?? []).join('\n'));
    editor.current?.load(e.code);
  };
  const chooseLanguage = (lang: Language) => {
    setLanguage(lang);
    // An untouched example gives way to the new language's starter; the learner's own code stays.
    const current = code();
    if (current.trim() === '' || examples.some((e) => e.code === current)) chooseExample(starterFor(lang).id);
  };
  const openClass = async (title: string) => {
    const reply = await client.request({ type: 'session.open', title });
    if (reply.type === 'session.opened') {
      const s = { session: reply.session, joinCode: reply.joinCode, ownerKey: reply.ownerKey, title: reply.title };
      saved.saveClassSession(s);
      setKlass(s);
    } else if (reply.type === 'error') setProblem(`Could not open a session: ${describeError(reply)}`);
  };
  const endClass = async () => {
    if (klass && !classInfo?.closed) {
      const reply = await client.request({ type: 'session.close', session: klass.session, ownerKey: klass.ownerKey });
      if (reply.type === 'error' && reply.code !== 'session_closed') return setProblem(`Could not end the session: ${describeError(reply)}`);
    }
    saved.saveClassSession(null);
    setKlass(null);
  };

  const shown = (kind: RunKind) => {
    const id = runs[kind];
    return id ? (feed.runs.get(id) ?? null) : null;
  };
  const traceRun = shown('trace');
  const benchRun = shown('bench');
  const suggestion = example?.bench ?? (firstFunction(code()) ? { entry: firstFunction(code())!, generator: 'random_ints' } : null);

  return (
    <div class="workbench">
      <section class="program" aria-label="Program">
        <div class="row">
          <label>
            Language{' '}
            <select aria-label="Language" value={language} onChange={(e) => chooseLanguage(e.currentTarget.value as Language)}>
              {LANGUAGE_CHOICES.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Example{' '}
            <select aria-label="Example" value={example?.id ?? ''} onChange={(e) => chooseExample(e.currentTarget.value)}>
              <option value="" disabled>
                choose…
              </option>
              {LANGUAGE_CHOICES.map((l) => (
                <optgroup key={l.id} label={l.name}>
                  {examples
                    .filter((e) => e.language === l.id)
                    .map((e) => (
                      <option key={e.id} value={e.id}>
                        {e.title}
                      </option>
                    ))}
                </optgroup>
              ))}
            </select>
          </label>
        </div>
        <Editor language={language} initial={draft?.code ?? starterFor('python').code} label="Program" handle={editor} onRun={run} onChange={saveDraft} />
        <p class="hint">Ctrl+Enter runs. In the editor, Tab indents: press Escape, then Tab, to move on.</p>
        <label class="stdin">
          <span>
            Input lines (one per <code>input()</code> call)
          </span>
          <textarea rows={2} value={stdin} onInput={(e) => setStdin(e.currentTarget.value)} spellcheck={false} />
        </label>
        <div class="row actions">
          <button type="button" class="primary" onClick={run}>
            Run
          </button>
          <button type="button" onClick={cancel} disabled={!activeRun?.running}>
            Cancel
          </button>
        </div>
        <RunStatus run={activeRun} problem={problem} idle={starting ? 'Starting…' : 'Write or choose a program, then Run.'} />
        <ClassPanel open={klass} info={classInfo} onOpen={openClass} onEnd={endClass} />
      </section>
      <div class="panels">
        <div role="tablist" aria-label="Panels" class="tabs" onKeyDown={(e) => moveTab(e, tab, setTab)}>
          {TABS.map((t) => (
            <button key={t.id} type="button" role="tab" id={`tab-${t.id}`} aria-controls={`panel-${t.id}`} aria-selected={tab === t.id} tabIndex={tab === t.id ? 0 : -1} onClick={() => setTab(t.id)}>
              {t.name}
            </button>
          ))}
        </div>
        <div role="tabpanel" id="panel-trace" aria-labelledby="tab-trace" hidden={tab !== 'trace'}>
          {traceRun ? (
            <>
              <RunViewer key={traceRun.id} run={traceRun} keys={tab === 'trace' ? 'page' : 'focus'} onStep={(i) => setShownStep(i)} />
              <ShareLinks run={traceRun} step={shownStep} />
            </>
          ) : (
            <p class="empty">Run a program to watch it step by step: the code with the line about to run, the call stack, the objects and what it prints.</p>
          )}
        </div>
        <div role="tabpanel" id="panel-bench" aria-labelledby="tab-bench" hidden={tab !== 'bench'}>
          <section class="bench" aria-label="Benchmark">
            <BenchForm suggestion={suggestion} language={language} code={code} submit={(m) => void submit(m, 'bench')} />
            {benchRun && (
              <>
                <BenchResults run={benchRun} />
                <ShareLinks run={benchRun} step={null} />
              </>
            )}
          </section>
        </div>
        <div role="tabpanel" id="panel-test" aria-labelledby="tab-test" hidden={tab !== 'test'}>
          <section aria-label="Problems">
            <ProblemsPanel language={language} run={shown('test')} loadCode={(c) => editor.current?.load(c)} code={code} submit={(m) => void submit(m, 'test')} />
          </section>
        </div>
      </div>
    </div>
  );
}

/** Arrow keys, Home and End move between tabs (the WAI-ARIA tabs pattern); the new tab takes the focus. */
function moveTab(e: KeyboardEvent, tab: RunKind, setTab: (t: RunKind) => void): void {
  const k = TABS.findIndex((t) => t.id === tab);
  const to = e.key === 'ArrowRight' ? (k + 1) % TABS.length : e.key === 'ArrowLeft' ? (k + TABS.length - 1) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
  if (to < 0) return;
  e.preventDefault();
  e.stopPropagation();
  setTab(TABS[to].id);
  document.getElementById(`tab-${TABS[to].id}`)?.focus();
}
