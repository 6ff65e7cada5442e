/**
 * The fan-out bench's Socket.IO system: a Socket.IO 4 server (default `ws` engine, no compression) with
 * @socket.io/redis-streams-adapter; every client joins one room on connection. The bench's publisher is another
 * Socket.IO server on the same adapter stream that emits to that room, so each event travels publisher → XADD →
 * this server's XREAD (COUNT 100) → one encode → one write per client in the room.
 *
 *   node --import tsx bench/fanout/sio-gateway.ts   (env REDIS_URL, SIO_STREAM, PORT (0: any), HARD_LIMIT_MS)
 *
 * Needs `npm install --prefix bench`. Prints {"url":"http://127.0.0.1:PORT"} on stderr once listening. Exits on
 * SIGTERM/SIGINT, when stdin closes, or after HARD_LIMIT_MS.
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { SIO_ROOM, STREAM_MAX_LEN, importBenchDependency } from './common.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const streamName = process.env.SIO_STREAM;
if (!streamName) throw new Error('SIO_STREAM is not set');
const port = Number(process.env.PORT ?? 0);
setTimeout(() => process.exit(3), Number(process.env.HARD_LIMIT_MS ?? 300_000)).unref();

const { Server } = await importBenchDependency('socket.io');
const { createAdapter } = await importBenchDependency('@socket.io/redis-streams-adapter');

const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
const http = createServer();
const io = new Server(http, {
  adapter: createAdapter(redis, { streamName, maxLen: STREAM_MAX_LEN }),
  serveClient: false,
});
io.on('connection', (socket: { join(room: string): void }) => {
  socket.join(SIO_ROOM);
});

http.listen(port, '127.0.0.1', () => {
  const address = http.address() as { port: number };
  process.stderr.write(JSON.stringify({ msg: 'socket.io gateway listening', url: `http://127.0.0.1:${address.port}` }) + '\n');
});

const stop = () => {
  redis.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop).on('error', stop).resume();
