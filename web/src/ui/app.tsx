/** The page: connects to the server it came from, then shows the page its address names. */
import { useEffect, useState } from 'preact/hooks';
import { connect, type Connection } from '../model/connection.ts';
import type { Route } from '../model/links.ts';
import { EmbedPage } from './embed.tsx';
import { FollowPage } from './follow.tsx';
import { ReplayPage } from './replay.tsx';
import { SignIn } from './sign-in.tsx';
import { Workbench } from './workbench.tsx';

export function App({ route }: { route: Route }) {
  const [conn, setConn] = useState<Connection | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    document.title = `${pageTitle(route)} · tracecast`;
    if (route.page !== 'not_found') connect().then(setConn, (err: Error) => setFailure(err.message));
  }, []);

  const body =
    route.page === 'not_found' ? (
      <p>
        There is no page at this address. <a href="/">Open the workbench</a>.
      </p>
    ) : failure ? (
      <p role="alert">Cannot reach the tracecast server ({failure}). Is it running? Reload to try again.</p>
    ) : !conn ? (
      <p class="empty">Connecting…</p>
    ) : route.page === 'workbench' ? (
      <Workbench conn={conn} />
    ) : route.page === 'follow' ? (
      <FollowPage conn={conn} code={route.code} />
    ) : route.page === 'replay' ? (
      <ReplayPage conn={conn} runId={route.run} step={route.step} />
    ) : (
      <EmbedPage conn={conn} options={route.options} />
    );

  if (route.page === 'embed') return <main class="page embed-page">{body}</main>;
  return (
    <>
      <header class="top">
        <a href="/" class="brand">
          tracecast
        </a>
        <span class="tagline">write, run and watch programs step by step</span>
        {conn && <SignIn conn={conn} />}
      </header>
      <main class="page">{body}</main>
    </>
  );
}

/** Each page's own title, so tabs and screen readers tell them apart. */
function pageTitle(route: Route): string {
  switch (route.page) {
    case 'workbench':
      return 'Workbench';
    case 'follow':
      return `Session ${route.code}`;
    case 'replay':
      return `Run ${route.run}`;
    case 'embed':
      return 'Viewer';
    case 'not_found':
      return 'Not found';
  }
}
