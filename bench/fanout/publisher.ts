/**
 * The bench's publisher process (forked by run.ts, driven over IPC).
 *
 * tracecast and bare: appends MessagePack frames, encoded exactly like the runner's (protocol/codec.ts `encode`), to
 * the session's Redis Stream with tracecast's own RedisLog.append (MULTI + XADD MAXLEN ~ … field `f`).
 * sio: a second Socket.IO server (no listener) with the Redis Streams adapter, which `io.to(room).emit`s each frame;
 * the adapter XADDs it to its stream, where the gateway's adapter reads it.
 *
 * Full speed: batches of `batch` frames, each batch awaited before the next (the runner's appender also has one
 * append in flight at a time). Paced: one frame at a time on a fixed schedule; each frame's `t` is the moment it is
 * handed to Redis, not its scheduled time.
 */
import { Redis } from 'ioredis';
import { encode } from '../../protocol/codec.ts';
import { RedisLog } from '../../server/log/log-redis.ts';
import { SIO_EVENT, SIO_ROOM, STREAM_MAX_LEN, frameMaker, importBenchDependency, nowUs, type PublisherCommand, type PublisherEvent } from './common.ts';

const send = (e: PublisherEvent) => process.send!(e);

let redis: Redis | null = null;
let publishBatch: ((frames: Array<Record<string, unknown>>) => Promise<void>) | null = null;
let publishOne: ((frame: Record<string, unknown>) => void) | null = null;
let makeFrame: ReturnType<typeof frameMaker>;
let frameBytes = 0;

process.on('disconnect', () => process.exit(0));

async function init(c: Extract<PublisherCommand, { cmd: 'init' }>): Promise<void> {
  setTimeout(() => process.exit(3), c.hardLimitMs).unref();
  redis = new Redis(c.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  await redis.connect();
  makeFrame = frameMaker(c.session, c.run);
  frameBytes = encode(makeFrame(0, nowUs())).length;
  if (c.system === 'sio') {
    const { Server } = await importBenchDependency('socket.io');
    const { createAdapter } = await importBenchDependency('@socket.io/redis-streams-adapter');
    const io = new Server({ adapter: createAdapter(redis, { streamName: c.sioStream, maxLen: STREAM_MAX_LEN }) });
    const room = io.to(SIO_ROOM);
    const r = redis;
    publishOne = (frame) => room.emit(SIO_EVENT, frame);
    // emit() hands its XADD to the same connection synchronously; PING's reply comes after all of theirs.
    publishBatch = async (frames) => {
      for (const f of frames) room.emit(SIO_EVENT, f);
      await r.ping();
    };
  } else {
    const log = new RedisLog(redis, { maxLength: STREAM_MAX_LEN });
    // Subscribing to a session the log does not know is not_found: the bench's session is made as the server makes one.
    await log.create(c.session);
    publishOne = (frame) => void log.append(c.session, [encode(frame)]).catch((err) => fail(err));
    publishBatch = async (frames) => {
      await log.append(c.session, frames.map((f) => encode(f)));
    };
  }
}

function fail(err: unknown): void {
  send({ ev: 'failed', error: (err as Error)?.stack ?? String(err) });
}

async function go(frames: number, rate: number, batch: number): Promise<void> {
  let firstUs = 0;
  let lastUs = 0;
  if (rate <= 0) {
    for (let seq = 0; seq < frames; ) {
      const t = nowUs();
      if (seq === 0) firstUs = t;
      const n = Math.min(batch, frames - seq);
      const out = [];
      for (let i = 0; i < n; i++) out.push(makeFrame(seq + i, t) as unknown as Record<string, unknown>);
      lastUs = t;
      await publishBatch!(out);
      seq += n;
    }
  } else {
    const start = nowUs() + 1000;
    const intervalUs = 1e6 / rate;
    let seq = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        let now = nowUs();
        while (seq < frames && start + seq * intervalUs <= now) {
          if (seq === 0) firstUs = now;
          lastUs = now;
          publishOne!(makeFrame(seq, now) as unknown as Record<string, unknown>);
          seq++;
          now = nowUs();
        }
        if (seq >= frames) return resolve();
        // No busy-waiting (the publisher shares two cores with everything else): a frame may leave up to ~1 ms
        // after its slot, and its `t` says when it did.
        setTimeout(tick, Math.max(1, Math.round((start + seq * intervalUs - now) / 1000)));
      };
      tick();
    });
    await redis!.ping();
  }
  send({ ev: 'done', published: frames, firstUs, lastUs, frameBytes });
}

process.on('message', (c: PublisherCommand) => {
  const run = async () => {
    switch (c.cmd) {
      case 'init':
        await init(c);
        send({ ev: 'ready' });
        return;
      case 'warmup':
        publishOne!(makeFrame(-1, nowUs()) as unknown as Record<string, unknown>);
        return;
      case 'go':
        return go(c.frames, c.rate, c.batch);
    }
  };
  run().catch(fail);
});
