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
    // Not keeping them, a steps frame's header is all this needs: decoding its steps was a third of this
    // client's CPU, taken on the 2 CPUs the measured server and tracer share.
    const run = this.keepFrames ? null : stepsFrameRun(data);
    const f = run !== null ? { type: 'steps', run } : (decode(data) as any);
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

/**
 * The run of a server `steps` frame, read from its header (the keys before `steps`, which the runner encodes first);
 * null for any other frame, or a header this does not read, which the caller then decodes whole.
 */
export function stepsFrameRun(b: Buffer): string | null {
  let at = 0;
  const str = (): string | null => {
    const t = b[at];
    let n: number;
    if (t >= 0xa0 && t <= 0xbf) (n = t & 0x1f), (at += 1);
    else if (t === 0xd9) (n = b[at + 1]), (at += 2);
    else if (t === 0xda) (n = b.readUInt16BE(at + 1)), (at += 3);
    else return null;
    at += n;
    return b.toString('utf8', at - n, at);
  };
  const t = b[at++];
  if (t < 0x80 || t > 0x8f) return null;
  let type: string | null = null;
  let run: string | null = null;
  for (let k = t & 0x0f; k > 0; k--) {
    const key = str();
    if (key === null) return null;
    if (key === 'steps') return type === 'steps' ? run : null;
    const v = b[at];
    if (v <= 0x7f) at += 1;
    else if (v === 0xcc || v === 0xcd || v === 0xce) at += 1 + (1 << (v - 0xcc));
    else {
      const s = str();
      if (s === null) return null;
      if (key === 'type') type = s;
      else if (key === 'run') run = s;
    }
  }
  return null;
}

/** Resolves with `p`, or rejects after `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p.finally(() => clearTimeout(timer)), new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
}
