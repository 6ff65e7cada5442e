/** `/embed?run=…|session=CODE&step=N&autoplay=1&speed=S&controls=0`: the viewer alone, for an iframe; keys only while it has the focus. */
import { useEffect, useState } from 'preact/hooks';
import type { ServerFrame } from '../sdk.ts';
import type { Connection } from '../model/connection.ts';
import type { EmbedOptions } from '../model/links.ts';
import { describeError } from '../model/messages.ts';
import { useFeed } from './hooks.ts';
import { RunStatus } from './run-status.tsx';
import { RunView } from './run-view.tsx';

export function EmbedPage({ conn, options }: { conn: Connection; options: EmbedOptions }) {
  const { client, feed } = conn;
  useFeed(feed);
  const [session, setSession] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(options.run || options.session ? null : 'Give ?run=RUN_ID or ?session=JOIN_CODE.');
  useEffect(() => {
    const fail = (reply: ServerFrame) => {
      if (reply.type === 'error') setProblem(describeError(reply));
    };
    if (options.run) void client.request({ type: 'replay', run: options.run }).then(fail);
    else if (options.session)
      void client.join(options.session).then((reply) => {
        if (reply.type === 'subscribed') setSession(reply.session);
        else fail(reply);
      });
  }, []);
  const run = options.run ? (feed.runs.get(options.run) ?? null) : session ? feed.latest(session) : null;
  return (
    <div class="embed">
      <RunStatus run={run} problem={problem} idle="Loading…" />
      {run && (
        <RunView
          key={run.id}
          run={run}
          keys="focus"
          controls={options.controls}
          autoplay={options.autoplay}
          speed={options.speed}
          initialStep={options.step !== null ? options.step - 1 : options.run ? 0 : null}
        />
      )}
    </div>
  );
}
