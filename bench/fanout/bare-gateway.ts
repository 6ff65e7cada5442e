/**
 * The fan-out bench's baseline: the least a uWebSockets.js gateway can do with a Redis Stream. It tails one stream
 * with XREAD BLOCK COUNT 100 and `app.publish`es each entry's raw bytes to one topic that every connection joins on
 * open: no positions, no replay, no slow-subscriber handling. maxBackpressure is tracecast's (64 MiB) so that uWS
 * does not drop frames for a lagging client either.
 *
 *   node --import tsx bench/fanout/bare-gateway.ts   (env REDIS_URL, STREAM_KEY, PORT (0: any), HARD_LIMIT_MS)
 *
 * Prints {"url":"http://127.0.0.1:PORT"} on stderr once listening. Exits on SIGTERM/SIGINT, when stdin closes, or
 * after HARD_LIMIT_MS.
 */
import { Redis } from 'ioredis';
import uWS from 'uWebSockets.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const key = process.env.STREAM_KEY;
if (!key) throw new Error('STREAM_KEY is not set');
const port = Number(process.env.PORT ?? 0);
setTimeout(() => process.exit(3), Number(process.env.HARD_LIMIT_MS ?? 300_000)).unref();

const TOPIC = 't';
const app = uWS.App();
app.ws('/*', {
  maxPayloadLength: 64 * 1024,
  maxBackpressure: 64 * 1024 * 1024,
  closeOnBackpressureLimit: 0,
  idleTimeout: 120,
  sendPingsAutomatically: true,
  open: (ws) => {
    ws.subscribe(TOPIC);
  },
});

const reader = new Redis(redisUrl, { maxRetriesPerRequest: null });
let stopped = false;

async function tail(): Promise<void> {
  let last = '0-0';
  while (!stopped) {
    const reply = (await reader.xreadBuffer('COUNT', 100, 'BLOCK', 5000, 'STREAMS', key!, last)) as Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
    if (!reply) continue;
    for (const [id, fields] of reply[0][1]) {
      app.publish(TOPIC, fields[1], true);
      last = id.toString();
    }
  }
}

app.listen('127.0.0.1', port, (socket) => {
  if (!socket) {
    process.stderr.write(`cannot listen on 127.0.0.1:${port}\n`);
    process.exit(1);
  }
  process.stderr.write(JSON.stringify({ msg: 'bare gateway listening', url: `http://127.0.0.1:${uWS.us_socket_local_port(socket)}` }) + '\n');
});

tail().catch((err) => {
  if (stopped) return;
  process.stderr.write(`bare gateway: tail failed: ${(err as Error).stack}\n`);
  process.exit(1);
});

const stop = () => {
  stopped = true;
  reader.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop).on('error', stop).resume();
