/** The region "Code": the run's program with the line about to run and the line just run marked (and an error's line). */
import { useLayoutEffect, useRef } from 'preact/hooks';

export interface CodeMarks {
  current: number | null;
  previous: number | null;
  error: number | null;
}

export function CodeView({ code, marks }: { code: string | null; marks: CodeMarks }) {
  const box = useRef<HTMLDivElement>(null);
  // Keep the current line in sight within the panel, without scrolling the page.
  useLayoutEffect(() => {
    const el = box.current;
    const line = el?.querySelector<HTMLElement>('.current, .error');
    if (!el || !line) return;
    if (line.offsetTop < el.scrollTop || line.offsetTop + line.offsetHeight > el.scrollTop + el.clientHeight) {
      el.scrollTop = Math.max(0, line.offsetTop - el.clientHeight / 3);
    }
  }, [marks.current, marks.error]);
  const lines = (code ?? '').replace(/\n$/, '').split('\n');
  return (
    <section class="code-view" aria-label="Code">
      <h3>Code</h3>
      {code === null ? (
        <p class="empty">The program is not known yet.</p>
      ) : (
        <div class="code-scroll" ref={box}>
          <ol class="lines">
            {lines.map((text, k) => {
              const n = k + 1;
              const mark = n === marks.error ? 'error' : n === marks.current ? 'current' : n === marks.previous ? 'previous' : '';
              return (
                <li key={n} class={mark || undefined} aria-current={n === marks.current ? 'step' : undefined}>
                  <span class="ln" aria-hidden="true">{n}</span>
                  <span class="mark" aria-hidden="true">{mark === 'current' ? '➜' : mark === 'previous' ? '↳' : mark === 'error' ? '✖' : ''}</span>
                  <code>{text || ' '}</code>
                  {mark && <span class="sr-only"> ({mark === 'current' ? 'next line to run' : mark === 'previous' ? 'line just run' : 'error'})</span>}
                </li>
              );
            })}
          </ol>
        </div>
      )}
      <p class="legend" aria-hidden="true">
        <span class="mark current">➜</span> next line to run <span class="mark previous">↳</span> line just run
      </p>
    </section>
  );
}
