/** Links to share what is on screen: the run, the step shown, the embeddable viewer (offered once the run is stored). */
import { embedLink, runLink } from '../model/links.ts';
import type { RunModel } from '../model/run-model.ts';

export function ShareLinks({ run, step }: { run: RunModel; step: number | null }) {
  if (!run.ended) return null;
  const what = run.kind === 'bench' ? 'benchmark' : run.kind === 'test' ? 'test run' : 'run';
  return (
    <p class="share">
      Share: <a href={runLink(run.id)}>this {what}</a>
      {run.kind === 'trace' && step !== null && (
        <>
          {' · '}
          <a href={runLink(run.id, step + 1)} data-testid="step-link">
            this step
          </a>
          {' · '}
          <a href={embedLink(run.id)}>embeddable viewer</a>
        </>
      )}
    </p>
  );
}
