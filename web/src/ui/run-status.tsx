/** The status region: what a run is doing, then its verdict with wall time, peak memory and steps (or why a request failed). */
import { describeRunError, verdictSummary, verdictText } from '../model/messages.ts';
import type { RunModel } from '../model/run-model.ts';

export function RunStatus({ run, problem, idle }: { run: RunModel | null; problem?: string | null; idle?: string }) {
  const ended = run?.ended ?? null;
  return (
    <div role="status" class={`status${ended ? ` verdict-${ended.verdict}` : ''}${problem ? ' refused' : ''}`} data-verdict={ended?.verdict}>
      {problem ? (
        <p>{problem}</p>
      ) : !run ? (
        idle && <p>{idle}</p>
      ) : ended ? (
        <>
          <p>
            <strong>{verdictSummary(ended, run.kind === 'trace')}</strong>
          </p>
          {ended.verdict !== 'ok' && <p class="detail">{verdictText[ended.verdict].detail}</p>}
          {ended.error && <pre class="error-text">{describeRunError(ended.error)}</pre>}
          {run.skippedSteps > 0 && <p class="detail">The first {run.skippedSteps} steps are no longer kept by the server.</p>}
        </>
      ) : (
        <p>{run.started ? 'Running…' : 'Waiting for a sandbox…'}</p>
      )}
    </div>
  );
}
