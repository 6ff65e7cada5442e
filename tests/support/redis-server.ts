/**
 * A redis-server of a test's own on a free loopback port (never the suite's shared one), which the test may stop,
 * kill and start again: with or without persistence (append-only file, fsync on every write).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class OwnRedis {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'tc-redis-'));
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly persistent: boolean,
    private readonly extra: string[],
  ) {}

  static async start(options: { persistent?: boolean; args?: string[] } = {}): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort(), options.persistent ?? false, options.args ?? []);
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const persistence = this.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    this.child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', ...persistence, '--dir', this.dir, '--maxmemory-policy', 'noeviction', ...this.extra], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const c = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => undefined);
      const ok = await c.connect().then(() => c.ping(), () => null);
      c.disconnect();
      if (ok === 'PONG') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis-server on ${this.port} did not answer`);
  }

  /** Gone at once (SIGKILL): with persistence, what was written is kept; without, everything is lost. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
