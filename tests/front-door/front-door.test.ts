/**
 * The README's front door, exactly as a new user meets it: a clean clone of this checkout, `npm start` with no
 * environment but PATH, HOME and PORT, then the README's own commands against it, then SIGTERM.
 *
 * The clone is of HEAD with the working tree's changes laid over it (what `git status` shows), so an uncommitted change
 * is tested too. FRONT_DOOR_REF=<commit> clones that commit as it is instead (to check that this test fails on an old
 * one). The server uses the default runner id (`local`): it removes containers another `npm start` on this machine
 * left, as any second start would.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../../server/paths.ts';
import { runCommand } from '../support/cli.ts';
import { containersOf } from '../support/server.ts';

// A fresh clone installs npm packages and may build sandbox images: generous, for a busy 2-core machine.
const START_BUDGET_MS = 20 * 60_000;
const COMMAND_BUDGET_MS = 5 * 60_000;

const work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'tc-front-door-')));
const clone = path.join(work, 'tracecast');
let port = 0;
let server: ChildProcess;
let output = '';
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
const env = () => ({ PATH: process.env.PATH!, HOME: process.env.HOME ?? os.homedir(), PORT: String(port) });
const tail = () => output.split('\n').slice(-30).join('\n');

function git(args: string[], cwd = ROOT): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A clean clone of HEAD plus the working tree's modified, added and deleted files. */
function cloneCheckout(): void {
  const ref = process.env.FRONT_DOOR_REF;
  git(['clone', '-q', ROOT, clone], work);
  if (ref) {
    git(['checkout', '-q', ref], clone);
    return;
  }
  const z = (args: string[]) => git([...args, '-z']).split('\0').filter(Boolean);
  for (const f of z(['ls-files', '--modified', '--others', '--exclude-standard'])) {
    const from = path.join(ROOT, f);
    if (!existsSync(from)) continue;
    mkdirSync(path.dirname(path.join(clone, f)), { recursive: true });
    copyFileSync(from, path.join(clone, f));
  }
  for (const f of z(['ls-files', '--deleted'])) rmSync(path.join(clone, f), { force: true });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

/** `npx tracecast ...` in the clone, with the same bare environment. */
const npx = (args: string[]) => runCommand('npx', ['tracecast', ...args, '--server', `http://127.0.0.1:${port}`], { cwd: clone, env: env(), timeoutMs: COMMAND_BUDGET_MS });

async function waitForHealth(): Promise<void> {
  const until = Date.now() + START_BUDGET_MS;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < until) {
    if (gone) throw new Error(`npm start exited before serving:\n${tail()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no answer on /health within ${START_BUDGET_MS} ms:\n${tail()}`);
}

describe('the front door: `npm start` on a clean clone, then the README commands', { timeout: START_BUDGET_MS + 4 * COMMAND_BUDGET_MS }, () => {
  before(async () => {
    cloneCheckout();
    port = await freePort();
    // Its own process group, so SIGTERM reaches npm, the shell and the server as Ctrl-C would.
    server = spawn('npm', ['start'], { cwd: clone, env: env(), detached: true });
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    // 'close', not 'exit': the server holds the same pipes as npm, so they close once every process of the start is gone.
    exited = new Promise((resolve) => server.on('close', (code, signal) => resolve({ code, signal })));
    await waitForHealth();
  });

  after(async () => {
    if (server.exitCode === null && server.signalCode === null) {
      process.kill(-server.pid!, 'SIGKILL');
      await exited;
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('serves /health with every language', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string; languages: string[]; store: string };
    assert.equal(health.status, 'ok');
    assert.deepEqual([...health.languages].sort(), ['cpp', 'javascript', 'python']);
    assert.equal(health.store, 'pglite', 'the default store');
  });

  it('runs the bubble sort fixture: verdict ok', async () => {
    const r = await npx(['run', 'tests/fixtures/bubble.py']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^verdict: ok /m);
  });

  it('grades the two_sum solution: every case passes', async () => {
    const r = await npx(['test', 'problems/solutions/two_sum.py', '--problem', 'two_sum']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = /^(\d+)\/(\d+) passed/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(m[1], m[2]);
    assert.ok(Number(m[2]) > 0);
  });

  it('lists every shipped problem on /api/problems', async () => {
    const listed = ((await (await fetch(`http://127.0.0.1:${port}/api/problems`)).json()) as { slug: string }[]).map((p) => p.slug).sort();
    const shipped = readdirSync(path.join(clone, 'problems')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
    assert.ok(shipped.length > 0);
    assert.deepEqual(listed, shipped);
  });

  it('stops cleanly on SIGTERM: the server says it stopped and leaves no process or container', async () => {
    process.kill(-server.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-server.pid!, 'SIGKILL'), COMMAND_BUDGET_MS);
    await exited;
    clearTimeout(timer);
    assert.match(output, /"msg":"tracecast stopped"/, tail());
    // The pipes close a moment before the last process is reaped.
    const group = () => spawnSync('ps', ['-o', 'pid=,args=', '-g', String(server.pid)], { encoding: 'utf8' }).stdout.trim();
    for (let i = 0; i < 100 && group() !== ''; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(group(), '', 'processes left in the group');
    assert.deepEqual(await containersOf('local'), []);
  });
});
