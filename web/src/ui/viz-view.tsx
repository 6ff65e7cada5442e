/** Arrays, labels and notes from the viz API at the shown step: selected and patched cells highlighted. */
import type { VizState } from '../model/view.ts';
import { ValueCell, type ValueContext } from './value.tsx';

export function VizView({ viz, ctx, onSeek }: { viz: VizState; ctx: ValueContext; onSeek(i: number): void }) {
  if (viz.arrays.length === 0 && viz.notes.length === 0 && !viz.label) return null;
  return (
    <section class="viz" aria-label="Visualization">
      <h3>Visualization</h3>
      {viz.label && (
        <p class="viz-label">
          <button type="button" class="linklike" onClick={() => onSeek(viz.label!.i)} title="Go to this step">
            {viz.label.text}
          </button>
          {viz.label.data !== undefined && viz.label.data !== null && (
            <>
              {': '}
              <ValueCell value={viz.label.data} ctx={ctx} />
            </>
          )}
        </p>
      )}
      {viz.arrays.map((a) => (
        <div key={a.name} class="viz-array" role="group" aria-label={`array ${a.name}`}>
          <span class="viz-name">{a.name}</span>
          <ol class="cells">
            {a.values.map((v, k) => {
              const state = [a.selected.has(k) ? 'selected' : '', a.patched.has(k) ? 'patched' : ''].filter(Boolean);
              return (
                <li key={k} class={state.join(' ') || undefined}>
                  <span class="idx">{k}</span>
                  <ValueCell value={v} ctx={ctx} />
                  {state.length > 0 && <span class="sr-only"> ({state.join(', ')})</span>}
                </li>
              );
            })}
          </ol>
        </div>
      ))}
      {viz.notes.length > 0 && (
        <ol class="notes" aria-label="Notes">
          {viz.notes.map((n) => (
            <li key={n.i}>
              <button type="button" class="linklike" onClick={() => onSeek(n.i)}>
                step {n.i + 1}
              </button>{' '}
              {n.text}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
