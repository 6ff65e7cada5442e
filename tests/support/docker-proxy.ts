/**
 * A stand-in for a Docker engine a test can stop and start: a Unix socket that forwards to the real engine's. Stopping
 * it closes every connection through it, as an engine going away does, without touching the engine others use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export class DockerProxy {
  readonly socketPath: string;
  private server: net.Server | null = null;
  private readonly open = new Set<net.Socket>();

  constructor(private readonly target = '/var/run/docker.sock') {
    this.socketPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'tc-docker-proxy-')), 'docker.sock');
  }

  /** Accepts connections again (nothing when it already does). */
  async start(): Promise<void> {
    if (this.server) return;
    rmSync(this.socketPath, { force: true });
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.open.add(s);
        s.on('close', () => this.open.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.socketPath, resolve));
    this.server = server;
  }

  /** The engine "stops": no new connection is accepted, every open one is cut. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.open) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(path.dirname(this.socketPath), { recursive: true, force: true });
  }
}
