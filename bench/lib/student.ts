/** A WebSocket client for benches: one connection that times each of its runs from request to first step and to `run.ended`. */
import WebSocket from 'ws';
import { decode, encode } from '../../protocol/codec.ts';

export interface RunTiming {
  /** Request sent → first `steps` frame (NaN: none). */
  first: number;
  /** Request sent → `run.ended`. */
  end: number;
  verdict: string;
  wallMs: number;
  steps: number;
}

/** One connection: sends requests, times each run from its request to its first `steps` and its `run.ended`. */
export class Student {
  private pending = new Map<string, { t0: number; first: number; resolve: (t: RunTiming) => void; reject: (e: Error) => void }>();
  private byRun = new Map<string, string>();
  private replies = new Map<string, (f: any) => void>();
  private nextId = 0;
  /** Every frame received, decoded, with its arrival time (unless connected with `keepFrames: false`). */
  readonly frames: Array<{ at: number; f: any }> = [];

  private constructor(
    readonly ws: WebSocket,
    private readonly keepFrames: boolean,
  ) {
    ws.on('message', (data: Buffer) => this.onFrame(data));
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('connection closed'));
    });
  }

  /**
   * `keepFrames: false` for long programs' runs: every step kept decoded is garbage the collector walks again and
   * again, CPU taken on the machine whose server is being measured.
   */
  static connect(port: number, { keepFrames = true } = {}): Promise<Student> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Student(ws, keepFrames)));
      ws.once('error', reject);
    });
  }

  private onFrame(data: Buffer): void {
    const now = performance.now();
    const f = decode(data) as any;
    if (this.keepFrames) this.frames.push({ at: now, f });
    if (f.id && this.replies.has(f.id)) {
      this.replies.get(f.id)!(f);
      this.replies.delete(f.id);
    }
    if (f.type === 'accepted' && f.id && this.pending.has(f.id)) {
      this.byRun.set(f.run, f.id);
      return;
    }
    if (f.type === 'error' && f.id && this.pending.has(f.id)) {
      const p = this.pending.get(f.id)!;
      this.pending.delete(f.id);
      p.reject(Object.assign(new Error(`${f.code}: ${f.message}`), { code: f.code }));
      return;
    }
    const id = f.run ? this.byRun.get(f.run) : undefined;
    if (!id) return;
    const p = this.pending.get(id)!;
    if (f.type === 'steps' && p.first === 0) p.first = now - p.t0;
    if (f.type === 'run.ended') {
      this.pending.delete(id);
      this.byRun.delete(f.run);
      p.resolve({ first: p.first || NaN, end: now - p.t0, verdict: f.verdict, wallMs: f.wallMs, steps: f.steps });
    }
  }

  /** A request that is answered directly (session.open, subscribe…). */
  request(msg: Record<string, unknown>): Promise<any> {
    const id = `q${this.nextId++}`;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.ws.send(encode({ ...msg, id }));
    });
  }

  execute(language: string, code: string, extra: Record<string, unknown> = {}): Promise<RunTiming> {
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { t0: performance.now(), first: 0, resolve, reject });
      this.ws.send(encode({ type: 'execute', id, language, code, ...extra }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Resolves with `p`, or rejects after `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p.finally(() => clearTimeout(timer)), new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
}
