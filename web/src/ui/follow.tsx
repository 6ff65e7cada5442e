/** `/s/CODE`: a student follows a class session live: the newest run at its newest step, or detached to scrub, then back to live. */
import { useEffect, useState } from 'preact/hooks';
import type { Connection } from '../model/connection.ts';
import { describeError } from '../model/messages.ts';
import { useFeed } from './hooks.ts';
import { RunStatus } from './run-status.tsx';
import { RunView } from './run-view.tsx';

export function FollowPage({ conn, code }: { conn: Connection; code: string }) {
  const { client, feed } = conn;
  useFeed(feed);
  const [session, setSession] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  /** The run a detached student is looking at; null: the newest run, followed live. */
  const [pinned, setPinned] = useState<string | null>(null);

  useEffect(() => {
    // The client keeps following the session by id across reconnects, from the last position it received.
    void client.join(code).then((reply) => {
      if (reply.type === 'subscribed') setSession(reply.session);
      else if (reply.type === 'error') setProblem(`Could not join ${code}: ${describeError(reply)}`);
    });
  }, [code]);

  const info = session ? (feed.sessions.get(session) ?? null) : null;
  const newest = session ? feed.latest(session) : null;
  const shown = (pinned ? feed.runs.get(pinned) : null) ?? newest;
  return (
    <div class="follow">
      <header class="page-head">
        <h1>
          Session <span class="join-code">{code}</span>
          {info?.title && ` · ${info.title}`}
        </h1>
        {info && (
          <p class="watchers" data-testid="watchers">
            {info.watchers === null ? '' : `${info.watchers} watching`}
            {info.closed && ' · the session has ended'}
          </p>
        )}
      </header>
      <RunStatus run={shown} problem={problem} idle={session ? 'Waiting for the instructor to run a program…' : 'Joining…'} />
      {shown && newest && shown !== newest && (
        <p class="newer">
          A newer run has started.{' '}
          <button type="button" onClick={() => setPinned(null)}>
            Back to live
          </button>
        </p>
      )}
      {shown && <RunView key={shown.id} run={shown} keys="page" onStep={(_i, following) => setPinned(following ? null : shown.id)} />}
    </div>
  );
}
