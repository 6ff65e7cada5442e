/**
 * Reproduces the uWebSockets.js behaviour behind the frames tracecast's fan-out lost when it demoted a slow
 * subscriber (see README, "Finding"): messages `app.publish`ed to a topic are queued per subscriber and written in
 * groups of 32 (or when the loop iteration ends); a socket that `unsubscribe`s from the topic before that loses the
 * ones still queued. Any direct write to the socket first (here `ws.ping()`) flushes its queue.
 *
 *   node --import tsx bench/fanout/uws-unsubscribe-drop.ts
 *
 * Prints, for several message counts, how many the client received when the server published N messages and then
 * unsubscribed the socket in the same tick, without and with a `ping()` before `unsubscribe`.
 */
import uWS from 'uWebSockets.js';
import type { WebSocket as UWebSocket } from 'uWebSockets.js';
import WebSocket from 'ws';

async function trial(n: number, flushFirst: boolean): Promise<number> {
  const app = uWS.App();
  let server: UWebSocket<unknown> | null = null;
  app.ws('/*', {
    open: (ws) => {
      server = ws;
      ws.subscribe('t');
      ws.send('ready');
    },
  });
  const listen = await new Promise<uWS.us_listen_socket>((resolve, reject) =>
    app.listen('127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('listen failed')))),
  );
  const client = new WebSocket(`ws://127.0.0.1:${uWS.us_socket_local_port(listen)}/`);
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out')), 5000);
      let received = 0;
      client.on('message', (data) => {
        const s = data.toString();
        if (s === 'ready') {
          setTimeout(() => {
            for (let i = 0; i < n; i++) app.publish('t', String(i), false);
            if (flushFirst) server!.ping();
            server!.unsubscribe('t');
            server!.send('end');
          }, 20);
        } else if (s === 'end') {
          clearTimeout(timer);
          resolve(received);
        } else received++;
      });
    });
  } finally {
    client.terminate();
    uWS.us_listen_socket_close(listen);
  }
}

for (const n of [31, 32, 33, 100, 1000]) {
  const plain = await trial(n, false);
  const flushed = await trial(n, true);
  console.log(`published ${n}, unsubscribed in the same tick: received ${plain} (lost ${n - plain}); with ping() first: received ${flushed}`);
}
process.exit(0);
