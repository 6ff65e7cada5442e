/** The region "Output": what the program printed up to the shown step, stderr set apart. */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { OutputChunk } from '../model/view.ts';

export function OutputView({ chunks }: { chunks: OutputChunk[] }) {
  const pre = useRef<HTMLPreElement>(null);
  // New output appears at the bottom: keep it in view.
  useLayoutEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  });
  return (
    <section class="output" aria-label="Output">
      <h3>Output</h3>
      {chunks.length === 0 ? (
        <p class="empty">Nothing printed yet.</p>
      ) : (
        <pre ref={pre} tabIndex={0}>
          {chunks.map((c, k) => (
            <span key={k} class={c.stream}>
              {c.text}
            </span>
          ))}
        </pre>
      )}
    </section>
  );
}
