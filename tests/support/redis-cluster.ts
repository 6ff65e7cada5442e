/**
 * A real Redis Cluster of three masters on free loopback ports, started by the test that needs it (redis-server and
 * redis-cli from Debian: scripts/ensure-redis-cluster.sh installs them) and stopped when the test process exits.
 * One per test process, started on first use.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Cluster } from 'ioredis';
import { freePort } from './redis-server.ts';

export interface TestCluster {
  /** `host:port,host:port,host:port`, as TRACECAST_REDIS_CLUSTER takes them. */
  seeds: string;
  ports: number[];
  /** A client of the cluster (the caller disconnects it). */
  connect(): Cluster;
}

let started: Promise<TestCluster> | null = null;

export function redisCluster(): Promise<TestCluster> {
  started ??= start();
  return started;
}

async function start(): Promise<TestCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tc-redis-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) ports.push(await freePort());
  const nodes: ChildProcess[] = ports.map((port) =>
    spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' }),
  );
  // They must not keep the test process alive: they are killed when it exits.
  for (const n of nodes) n.unref();
  const stop = () => {
    for (const n of nodes) n.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  for (const port of ports) await until(() => cli(port, 'ping') === 'PONG', `node ${port} answers`);
  const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
  for (const port of ports) await until(() => /cluster_state:ok/.test(cli(port, 'cluster', 'info')), `node ${port} sees the cluster`);
  const seeds = ports.map((p) => `127.0.0.1:${p}`).join(',');
  return {
    seeds,
    ports,
    connect: () => new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })), { redisOptions: { maxRetriesPerRequest: null } }),
  };
}

function cli(port: number, ...args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within 15 s`);
}
