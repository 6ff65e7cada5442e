/** `/r/RUN_ID`: a stored run replayed from the server's archive, at the step in `#step=N` (1-based, as the viewer counts). */
import { useEffect, useState } from 'preact/hooks';
import type { Connection } from '../model/connection.ts';
import { describeError } from '../model/messages.ts';
import { useFeed } from './hooks.ts';
import { RunStatus } from './run-status.tsx';
import { RunView } from './run-view.tsx';
import { ShareLinks } from './share-links.tsx';

export function ReplayPage({ conn, runId, step }: { conn: Connection; runId: string; step: number | null }) {
  const { client, feed } = conn;
  useFeed(feed);
  const [problem, setProblem] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [shownStep, setShownStep] = useState<number | null>(null);
  useEffect(() => {
    void client.request({ type: 'replay', run: runId }).then((reply) => {
      if (reply.type === 'replay.ended') setLoaded(true);
      else if (reply.type === 'error') setProblem(reply.code === 'not_found' ? `No finished run ${runId} is stored: it may still be running, or be older than the server keeps traces.` : describeError(reply));
    });
  }, [runId]);
  // The address follows the step shown once the whole trace is here (before, a step may not exist yet).
  useEffect(() => {
    if (loaded && shownStep !== null) history.replaceState(null, '', `#step=${shownStep + 1}`);
  }, [loaded, shownStep]);

  const run = feed.runs.get(runId) ?? null;
  return (
    <div class="replay">
      <header class="page-head">
        <h1>Run {runId}</h1>
        {run && !loaded && !problem && <p>Loading… {run.length.toLocaleString('en')} steps</p>}
      </header>
      <RunStatus run={run} problem={problem} idle="Loading…" />
      {run && (
        <>
          <RunView run={run} keys="page" initialStep={step === null ? 0 : step - 1} onStep={(i) => setShownStep(i)} />
          <ShareLinks run={run} step={shownStep} />
        </>
      )}
    </div>
  );
}
