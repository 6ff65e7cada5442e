/**
 * Per-owner sandbox reuse (TRACECAST_REUSE=on, the default), through real WebSockets and containers:
 * an owner's next runs get the same container but a fresh process (recycled on demand after the
 * first run, started ahead after later ones), an empty /tmp and no process
 * of the run before (which left a detached child and a daemon); another owner never gets that
 * container; the owner's containers go when its connection closes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import type { ServerFrame } from '../../protocol/index.ts';
import { containerGoneWithin, hostProcessesWith, metric, startTestServer, type TestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

// Unusual enough that no other process on the machine has it on its command line.
const MARK = '287.125';

const FIRST = `import os, socket, subprocess
print("host", socket.gethostname(), "pid", os.getpid())
with open("/tmp/left-by-first-run", "w") as f:
    f.write("secret")
os.mkdir("/tmp/locked")
os.chmod("/tmp/locked", 0)
subprocess.Popen(["setsid", "sleep", "${MARK}"], stdin=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        import time
        time.sleep(${MARK})
    os._exit(0)
print("done")
`;

const SECOND = `import os, socket
print("host", socket.gethostname(), "pid", os.getpid())
print("tmp", sorted(os.listdir("/tmp")))
me, parent = os.getpid(), os.getppid()
others = []
for p in os.listdir("/proc"):
    if not p.isdigit() or int(p) in (me, parent):
        continue
    try:
        with open(f"/proc/{p}/status") as f:
            uid = next(l.split()[1] for l in f if l.startswith("Uid:"))
        with open(f"/proc/{p}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\\0", b" ").decode().strip()
    except OSError:
        continue
    if uid == str(os.getuid()) or "${MARK}" in cmd:
        others.append(cmd)
print("others", others)
`;

const HOSTNAME = 'import socket\nprint("host", socket.gethostname())\n';

const output = (frames: ServerFrame[]) => frames.flatMap((f) => (f.type === 'output' ? [f.text] : [])).join('');
const field = (text: string, name: string) => new RegExp(`^${name} (.*?)(?: pid (\\d+))?$`, 'm').exec(text);

const counter = (server: TestServer, name: string, outcome: string) => metric(server, new RegExp(`^${name}\\{language="python",outcome="${outcome}"\\} (\\d+)$`, 'm'));

describe('per-owner sandbox reuse', () => {
  let server: TestServer;
  const docker = new Docker();
  before(async () => {
    // No warm pool: a run that finds no container of its owner ready would take a warm one instead of waiting.
    server = await startTestServer({ env: { TRACECAST_POOL_SIZE: '0' } });
  });
  after(async () => {
    await server.close();
  });

  it("an owner's next run: same container, fresh process, empty /tmp, nothing of the run before alive; another owner never gets it", async () => {
    const owner = await TestClient.connect(server.url);
    const other = await TestClient.connect(server.url);
    try {
      const first = await owner.execute('python', FIRST);
      assert.equal(first.ended.verdict, 'ok', JSON.stringify(first.ended));
      const out1 = output(first.frames);
      assert.match(out1, /^done$/m);
      const [, host1, pid1] = field(out1, 'host')!;
      // The run's detached children were killed when it ended, before run.ended.
      assert.deepEqual(await hostProcessesWith([MARK]), []);

      const hits = await counter(server, 'tracecast_sandbox_reuse_total', 'hit');
      const second = await owner.execute('python', SECOND);
      assert.equal(second.ended.verdict, 'ok', JSON.stringify(second.ended));
      const out2 = output(second.frames);
      const [, host2, pid2] = field(out2, 'host')!;
      assert.equal(host2, host1, 'the owner got a different container');
      assert.notEqual(pid2, pid1, 'the same process served both runs');
      assert.equal(field(out2, 'tmp')?.[1], '[]', `/tmp is not empty: ${out2}`);
      assert.equal(field(out2, 'others')?.[1], '[]', `processes of the first run are alive: ${out2}`);
      assert.equal(await counter(server, 'tracecast_sandbox_reuse_total', 'hit'), hits + 1);

      // From the second run on, the next process is started ahead, as soon as the run ends.
      const until = Date.now() + 20_000;
      while ((await counter(server, 'tracecast_sandbox_recycles_total', 'ok')) < 2) {
        assert.ok(Date.now() < until, 'no process started ahead within 20 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      const third = await owner.execute('python', HOSTNAME + 'import os\nprint("pid", os.getpid())\n');
      const out3 = output(third.frames);
      assert.equal(field(out3, 'host')?.[1], host1);
      assert.notEqual(/^pid (\d+)$/m.exec(out3)?.[1], pid2);
      assert.equal(await counter(server, 'tracecast_sandbox_reuse_total', 'hit'), hits + 2);

      // Another owner, even right after the first one's run ended, gets another container.
      const elsewhere = await other.execute('python', HOSTNAME);
      assert.equal(elsewhere.ended.verdict, 'ok');
      assert.notEqual(field(output(elsewhere.frames), 'host')![1], host1, "another owner got the first owner's container");

      // Once the owner is gone, so is its container (its hostname is its id's first 12 characters).
      const container = (await docker.listContainers({ all: true, filters: { label: [`tracecast.runner=${server.runnerId}`] } })).find((c) => c.Id.startsWith(host1));
      assert.ok(container, `no container ${host1}`);
      owner.close();
      assert.ok(await containerGoneWithin(container.Id, 10_000), `container ${host1} still exists after its owner left`);
    } finally {
      owner.close();
      other.close();
    }
  });

  it("a run's raw stderr reaches it whole, whatever bytes it holds, none of it reaches the owner's next run, and its fd 0 is at end-of-file", async () => {
    // A record separator ends each write: the supervisor's end-of-run mark on stderr starts with one.
    const noisy = `import os, socket
print("host", socket.gethostname())
print("stdin", os.read(0, 100))
for i in range(40):
    os.write(2, (("%d:" % i) + "x" * 4000 + "\\x1e").encode())
os.write(2, b"\\x1e")
`;
    const owner = await TestClient.connect(server.url);
    try {
      const first = await owner.execute('python', noisy);
      assert.equal(first.ended.verdict, 'ok', JSON.stringify(first.ended));
      const stderr = first.frames.flatMap((f) => (f.type === 'output' && f.stream === 'stderr' ? [f.text] : [])).join('');
      const expected = Array.from({ length: 40 }, (_, i) => `${i}:${'x'.repeat(4000)}\x1e`).join('') + '\x1e';
      // Raw fd-2 writes reach the runner apart from the tracer's captured prints, in either order: look at stdout alone.
      const stdout = first.frames.flatMap((f) => (f.type === 'output' && f.stream === 'stdout' ? [f.text] : [])).join('');
      assert.match(stdout, /^stdin b''$/m, 'reading fd 0 did not give end-of-file');
      assert.equal(stderr.length, expected.length);
      assert.ok(stderr === expected, 'the stderr text differs from what the program wrote');
      const second = await owner.execute('python', HOSTNAME);
      assert.equal(second.ended.verdict, 'ok', JSON.stringify(second.ended));
      const host = field(stdout, 'host')?.[1];
      assert.ok(host, `no host line: ${stdout}`);
      assert.equal(field(output(second.frames), 'host')?.[1], host, 'the container was not reused');
      assert.deepEqual(second.frames.filter((f) => f.type === 'output' && f.stream === 'stderr'), []);
    } finally {
      owner.close();
    }
  });

  it("a request a run writes into the supervisor's stdin does not start the owner's next run", async () => {
    // The run's uid is the supervisor's: it can open PID 1's stdin through /proc and write a request and a job
    // of its own there. The supervisor starts that tracer after the run; its start record has a token the
    // server did not send, so the server removes the container and the next run gets a fresh one.
    const inject = `import json, os, socket
print("host", socket.gethostname())
job = {"code": "print('injected')", "stdin": [], "maxSteps": 1000, "maxOutputBytes": 1000, "maxItems": 10, "maxString": 10, "keyframeEvery": 100, "full": False, "batchSteps": 512}
fd = os.open("/proc/1/fd/0", os.O_WRONLY)
print("wrote", os.write(fd, ("run AAAAAAAAAAAAAAAAAAAAAAAA\\n" + json.dumps(job) + "\\n").encode()) > 0)
`;
    const owner = await TestClient.connect(server.url);
    try {
      const first = await owner.execute('python', inject);
      assert.equal(first.ended.verdict, 'ok', JSON.stringify(first.ended));
      assert.match(output(first.frames), /^wrote True$/m);
      const second = await owner.execute('python', HOSTNAME + 'print("second")\n');
      assert.equal(second.ended.verdict, 'ok', JSON.stringify(second.ended));
      const out = output(second.frames);
      assert.match(out, /^second$/m);
      assert.doesNotMatch(out, /injected/);
      const [host1, host2] = [field(output(first.frames), 'host')?.[1], field(out, 'host')?.[1]];
      assert.ok(host1 && host2, 'a run printed no host line');
      assert.notEqual(host2, host1, 'the container was reused');
    } finally {
      owner.close();
    }
  });

  it('a killed run (timeout) never gives its container back', async () => {
    // Slow steps (a few ms each): a loop of cheap ones could reach the step cap within the second.
    const owner = await TestClient.connect(server.url);
    try {
      const first = await owner.execute('python', 'import socket\nprint("host", socket.gethostname(), flush=True)\nwhile True:\n    sum(range(100000))\n', { limits: { timeoutMs: 1000 } });
      assert.equal(first.ended.verdict, 'timeout');
      const second = await owner.execute('python', HOSTNAME);
      assert.equal(second.ended.verdict, 'ok');
      assert.notEqual(field(output(second.frames), 'host')![1], field(output(first.frames), 'host')![1]);
    } finally {
      owner.close();
    }
  });
});
