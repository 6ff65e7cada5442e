/** Queue overhead: a run submitted (the gateway's `submit`) → the worker called with it (the runner starts it), one at a time, in-process and BullMQ on Redis. */
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { createLogger } from '../../server/obs/logger.ts';
import { BullQueue } from '../../server/queue/queue-bullmq.ts';
import { MemoryQueue } from '../../server/queue/queue-memory.ts';
import type { QueuedRun, RunQueue } from '../../server/queue/queue.ts';

const limits = { concurrency: 8, maxQueued: 1000, maxRunsPerOwner: 1000 };
const info = () => ({ id: 'bench', languages: ['python' as const], down: null, active: 0, warm: {} });

async function measure(producer: RunQueue, consumer: RunQueue, n: number): Promise<number[]> {
  const started = new Map<string, (t: number) => void>();
  consumer.process(async (job) => {
    started.get(job.run)?.(performance.now());
    return { verdict: 'ok' };
  }, info);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const job: QueuedRun = { run: nanoid(12).replace(/[^A-Za-z0-9]/g, 'x'), session: 's', owner: `o${i % 50}`, language: 'python', code: 'x = 1', stdin: [], maxSteps: 10, timeoutMs: 1000, submittedAt: Date.now() };
    const t = new Promise<number>((resolve) => started.set(job.run, resolve));
    const t0 = performance.now();
    const admission = await producer.submit(job);
    if (!admission.ok) throw new Error('refused');
    out.push((await t) - t0);
    started.delete(job.run);
  }
  return out;
}

/** Milliseconds from submit to the worker, per run: `n` runs one after the other (after `warm` unmeasured ones). */
export async function queueOverhead(redisUrl: string | undefined, n = 500, warm = 50): Promise<{ memory: number[]; bullmq: number[] | null }> {
  const mem = new MemoryQueue(limits);
  const memory = (await measure(mem, mem, n + warm)).slice(warm);
  await mem.close();
  if (!redisUrl) return { memory, bullmq: null };
  const prefix = `tcbench-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
  const clients = [new Redis(redisUrl, { maxRetriesPerRequest: null }), new Redis(redisUrl, { maxRetriesPerRequest: null })];
  const logger = createLogger({}, () => undefined);
  const make = (redis: Redis, id: string) => new BullQueue({ ...limits, redis, languages: ['python'], processId: id, lostAfterMs: 30_000, logger, prefix });
  const producer = make(clients[0], 'gateway');
  const consumer = make(clients[1], 'runner');
  try {
    const bullmq = (await measure(producer, consumer, n + warm)).slice(warm);
    return { memory, bullmq };
  } finally {
    await consumer.closeNow();
    await producer.closeNow();
    const keys = await clients[0].keys(`${prefix}:*`);
    if (keys.length) await clients[0].del(...keys);
    for (const c of clients) c.disconnect();
  }
}
