/** Watching a traced run: the controls and the regions (code, call stack, objects, viz, output) at the shown step, with keys and narration. */
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { RunModel } from '../model/run-model.ts';
import { narrate } from '../model/text.ts';
import { viewAt } from '../model/view.ts';
import { CodeView } from './code-view.tsx';
import { Controls } from './controls.tsx';
import { Narrator } from './narrator.tsx';
import { OutputView } from './output-view.tsx';
import { usePlayer, type Player, type PlayerOptions } from './player.ts';
import { StateView } from './state-view.tsx';
import { VizView } from './viz-view.tsx';

export interface ViewerProps extends PlayerOptions {
  run: RunModel;
  /** Hide the step controls (an embed that only plays). */
  controls?: boolean;
  /** 'page': the keys work anywhere on the page but in text fields; 'focus': only while the viewer has the focus (embeds). */
  keys: 'page' | 'focus';
  /** Told the shown step (index) and whether it follows the newest, e.g. to keep `#step=` in the address. */
  onStep?(i: number | null, following: boolean): void;
}

export function RunViewer({ run, controls = true, keys, onStep, ...options }: ViewerProps) {
  const player = usePlayer(run, options);
  const root = useRef<HTMLDivElement>(null);
  const latest = useRef<Player>(player);
  latest.current = player;
  const { i } = player;
  const view = useMemo(() => (i === null ? null : viewAt(run, i)), [run, i, run.version]);
  const lang = run.started?.language ?? 'python';

  useEffect(() => {
    const target: HTMLElement | Document | null = keys === 'page' ? document : root.current;
    if (!target) return;
    const onKey = (e: Event) => {
      const ev = e as KeyboardEvent;
      if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || ownsKey(ev.target, ev.key)) return;
      const p = latest.current;
      if (ev.key === 'ArrowLeft') p.move(-1);
      else if (ev.key === 'ArrowRight') p.move(1);
      else if (ev.key === 'Home') p.toFirst();
      else if (ev.key === 'End') p.toLast();
      else if (ev.key === ' ') p.togglePlay();
      else return;
      ev.preventDefault();
    };
    target.addEventListener('keydown', onKey);
    return () => target.removeEventListener('keydown', onKey);
  }, [keys]);

  useEffect(() => onStep?.(i, player.following), [i, player.following]);

  const ended = run.ended;
  const atEnd = i === null || i === run.length - 1;
  const errorLine = ended?.error && atEnd ? ended.error.line : null;
  const nextException = run.exceptionSteps.find((s) => i === null || s > i) ?? run.exceptionSteps[0];
  const ctx = { lang, heap: view?.heap ?? new Map(), focusObject: (id: number) => root.current?.querySelector<HTMLElement>(`[data-obj="${id}"]`)?.focus() };

  return (
    <div class="viewer" ref={root} tabIndex={keys === 'focus' ? 0 : undefined} aria-label={keys === 'focus' ? 'Run viewer: ← → step, Home, End, Space plays' : undefined}>
      {controls && <Controls player={player} run={run} />}
      {run.exceptionSteps.length > 0 && nextException !== i && (
        <p class="jump">
          <button type="button" onClick={() => player.seek(nextException)}>
            Go to exception (step {nextException + 1})
          </button>
        </p>
      )}
      {view?.step.ev === 'exception' && view.step.exc && (
        <p class="exception" role="note">
          Exception raised here: <strong>{view.step.exc.type}</strong>: {view.step.exc.message}
        </p>
      )}
      <div class="viewer-grid">
        <CodeView code={run.started?.code ?? null} marks={{ current: view?.step.line ?? null, previous: view?.prevLine ?? null, error: errorLine }} />
        <div class="viewer-state">
          <StateView view={view} lang={lang} />
          {view && <VizView viz={view.viz} ctx={ctx} onSeek={player.seek} />}
        </div>
      </div>
      <OutputView chunks={view?.output ?? []} />
      <Narrator text={view ? narrate(view, lang) : ''} />
    </div>
  );
}

/** Keys the focused element handles itself: text fields and the editor take every key, buttons Space, the slider its arrows. */
function ownsKey(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  if (target.tagName === 'INPUT') return (target as HTMLInputElement).type !== 'range' || key !== ' ';
  if (key === ' ' || key === 'Enter') return ['BUTTON', 'A', 'SUMMARY'].includes(target.tagName) || target.getAttribute('role') === 'button';
  return ['tab', 'option', 'radio', 'menuitem', 'listbox', 'tablist'].includes(target.getAttribute('role') ?? '');
}
