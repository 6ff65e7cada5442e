/**
 * tracecast on a real three-master Redis Cluster (TRACECAST_REDIS_CLUSTER; the cluster is started by this test):
 * a gateway enqueues, a runner on the cluster's queue runs, and a watcher on a second gateway gets every frame of
 * the run, byte for byte as the owner did, with presence counted over both gateways. The log and queue contracts
 * run on the same kind of cluster in log.test.ts and queue.test.ts.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ServerFrame } from '../../protocol/index.ts';
import { Deployment } from '../support/deployment.ts';
import { redisCluster } from '../support/redis-cluster.ts';
import { TestClient } from '../support/ws-client.ts';

type F<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
const cluster = await redisCluster();

describe('Redis Cluster: logs, presence and the queue', () => {
  const dep = new Deployment({ TRACECAST_REDIS_CLUSTER: cluster.seeds });
  after(() => dep.cleanup());

  it('a run enqueued on one gateway runs on a runner and reaches a watcher on another gateway', async () => {
    await dep.start('runner');
    const [g1, g2] = [await dep.start('gateway'), await dep.start('gateway')];
    for (const g of [g1, g2]) {
      for (const until = Date.now() + 60_000; (await g.health()).runners?.length !== 1; await new Promise((r) => setTimeout(r, 200))) {
        assert.ok(Date.now() < until, 'the gateway sees the runner within 60 s');
      }
    }
    const owner = await TestClient.connect(g1.url);
    const watcher = await TestClient.connect(g2.url);
    const opened = (await owner.request({ type: 'session.open', title: 'cluster' })) as F<'session.opened'>;
    assert.equal((await watcher.request({ type: 'subscribe', code: opened.joinCode })).type, 'subscribed');
    const { accepted, ended } = await owner.execute('python', 'a = [3, 1, 2]\nfor i in range(3):\n    a.sort()\nprint(a)\n', { session: opened.session, ownerKey: opened.ownerKey }, 120_000);
    assert.equal(ended.verdict, 'ok');
    await watcher.waitFor((f) => f.type === 'run.ended' && f.run === accepted.run, 60_000);
    const bytes = (c: TestClient) => c.received.filter((r) => 'pos' in r.frame && r.frame.session === opened.session).map((r) => r.bytes.toString('hex'));
    assert.deepEqual(bytes(watcher), bytes(owner));
    await watcher.waitFor((f) => f.type === 'presence' && f.watchers === 2, 30_000);
    owner.close();
    watcher.close();
  });
});
