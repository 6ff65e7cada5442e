/** A raw WebSocket test client that keeps every frame's bytes (for byte-level comparisons) and decodes them. */
import WebSocket from 'ws';
import { decodeServerFrame, encode, type ServerFrame } from '../../protocol/index.ts';

export interface Received {
  bytes: Buffer;
  frame: ServerFrame;
}

export class TestClient {
  readonly received: Received[] = [];
  private waiters: Array<() => void> = [];
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) throw new Error('server sent a text frame');
      this.received.push({ bytes: data, frame: decodeServerFrame(data) });
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** `protocols`: offered subprotocols (a `bearer.<token>` among them); `headers`: e.g. X-Forwarded-For. */
  static connect(url: string, protocols?: string[], headers?: Record<string, string>): Promise<TestClient> {
    const ws = new WebSocket(url, protocols ?? [], headers ? { headers } : {});
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestClient(ws)));
      ws.once('error', reject);
    });
  }

  send(message: object): void {
    this.ws.send(encode(message));
  }

  sendRaw(data: Buffer | string, binary = typeof data !== 'string'): void {
    this.ws.send(data, { binary });
  }

  get frames(): ServerFrame[] {
    return this.received.map((r) => r.frame);
  }

  /** Waits until a received frame matches; returns it. */
  async waitFor<T extends ServerFrame = ServerFrame>(match: (f: ServerFrame) => boolean, timeoutMs = 20_000, from = 0): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = from; i < this.received.length; i++) if (match(this.received[i].frame)) return this.received[i].frame as T;
      if (this.closeCode !== null) throw new Error(`connection closed (${this.closeCode}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms; last frames: ${JSON.stringify(this.frames.slice(-3)).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends a message with a fresh request id and waits for the reply carrying it. */
  async request(message: Record<string, unknown>, timeoutMs = 10_000): Promise<ServerFrame> {
    const id = `req-${Math.random().toString(36).slice(2)}`;
    const from = this.received.length;
    this.send({ ...message, id });
    return this.waitFor((f) => 'id' in f && f.id === id, timeoutMs, from);
  }

  /** Sends `execute` and waits for its `run.ended`; returns the run's frames (in order) and the end. */
  async execute(language: string, code: string, extra: Record<string, unknown> = {}, timeoutMs = 30_000) {
    const id = `req-${Math.random().toString(36).slice(2)}`;
    const start = this.received.length;
    this.send({ type: 'execute', id, language, code, ...extra });
    const reply = await this.waitFor((f) => 'id' in f && f.id === id, timeoutMs, start);
    if (reply.type !== 'accepted') throw new Error(`execute refused: ${JSON.stringify(reply)}`);
    const ended = await this.waitFor<Extract<ServerFrame, { type: 'run.ended' }>>((f) => f.type === 'run.ended' && f.run === reply.run, timeoutMs, start);
    const frames = this.frames.slice(start).filter((f) => 'run' in f && f.run === reply.run && f.type !== 'accepted');
    return { accepted: reply, ended, frames };
  }

  close(): void {
    this.ws.close();
  }
}
