/** The page's one connection to the server that served it; every frame it receives goes into one Feed. */
import { TracecastClient, toWsUrl } from '../sdk.ts';
import { Feed } from './feed.ts';
import { storedToken } from './token.ts';

export interface Connection {
  client: TracecastClient;
  feed: Feed;
}

/**
 * Connects to this page's origin, resuming followed sessions after a dropped connection (the client's `reconnect`),
 * with the tab's token when it has one (read again on every reconnect, so signing in holds across them).
 */
export async function connect(): Promise<Connection> {
  const feed = new Feed();
  const client = await TracecastClient.connect(toWsUrl(location.origin), { reconnect: true, token: storedToken });
  client.onFrame((frame) => feed.handle(frame));
  return { client, feed };
}
