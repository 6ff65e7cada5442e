/**
 * A minimal WebSocket client for the fan-out bench's subscribers (RFC 6455, client side, no extensions): one
 * net.Socket, frames parsed in place from the received chunks, each message handed over as a view of those bytes.
 * On a 2-core machine the subscribers share the CPUs with the gateway; `ws` spends several µs per small message
 * (stream plumbing, a Buffer and an event per message), this a fraction of that, so more of the machine goes to
 * the gateway under test. Pings are answered, close frames answered and reported; fragmented messages are
 * reassembled. `--client-lib ws` uses the `ws` package instead, as a cross-check.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface LeanHandlers {
  /** Called once per chunk read from the socket, before its messages. */
  chunk?(): void;
  /** A complete message; `data` is only valid during the call. */
  message(data: Buffer, isText: boolean): void;
  /** The connection ended; `code` when the server sent a close frame. */
  close(reason: string, code?: number): void;
}

/**
 * libuv reads up to 32 chunks per readable socket per loop turn: with hundreds of sockets full of backlog, one turn
 * can take seconds of CPU, during which no timer or IPC message of this process runs. Past TURN_BUDGET_MS of work
 * in one turn, sockets stop reading until the next turn (their data waits in the kernel, as for any slow reader).
 */
const TURN_BUDGET_MS = 20;
let turnStart = 0;
let turnScheduled = false;
const paused: Socket[] = [];

function newTurn(): void {
  turnScheduled = false;
  turnStart = 0;
  for (const s of paused.splice(0)) if (!s.destroyed) s.resume();
}

/** True when this turn has used its budget (the caller's socket has been paused). */
function overBudget(socket: Socket): boolean {
  const now = performance.now();
  if (turnStart === 0) turnStart = now;
  if (!turnScheduled) {
    turnScheduled = true;
    setImmediate(newTurn);
  }
  if (now - turnStart < TURN_BUDGET_MS) return false;
  socket.pause();
  paused.push(socket);
  return true;
}

const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;

export class LeanSocket {
  private socket: Socket | null = null;
  private pending: Buffer | null = null;
  private fragments: Buffer[] | null = null;
  private fragmentText = false;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly on: LeanHandlers,
  ) {}

  /** Connects and completes the upgrade; resolves once the server answered 101. */
  open(): Promise<void> {
    const u = new URL(this.url);
    if (u.protocol !== 'ws:') throw new Error(`lean-ws: only ws:// URLs (${this.url})`);
    const key = randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const socket = connect({ host: u.hostname, port: Number(u.port || 80) });
      this.socket = socket;
      socket.setNoDelay(true);
      let head: Buffer | null = Buffer.alloc(0);
      let upgraded = false;
      socket.once('connect', () => {
        socket.write(
          `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      socket.on('data', (chunk: Buffer) => {
        if (upgraded) {
          this.receive(chunk);
          overBudget(socket);
          return;
        }
        head = Buffer.concat([head!, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > 16384) socket.destroy(new Error('lean-ws: oversized upgrade response'));
          return;
        }
        const status = head.toString('latin1', 0, head.indexOf('\r\n'));
        if (!/^HTTP\/1\.1 101/.test(status)) {
          socket.destroy();
          return reject(new Error(`lean-ws: upgrade refused: ${status}`));
        }
        upgraded = true;
        const rest = head.subarray(end + 4);
        head = null;
        resolve();
        if (rest.length > 0) this.receive(rest);
      });
      socket.on('error', (err) => {
        if (!upgraded) reject(err);
        this.finish(`error: ${err.message}`);
      });
      socket.on('close', () => {
        if (!upgraded) reject(new Error('lean-ws: connection closed during upgrade'));
        this.finish('socket closed');
      });
    });
  }

  send(data: Uint8Array | string, isText = typeof data === 'string'): void {
    this.frame(isText ? OP_TEXT : OP_BINARY, typeof data === 'string' ? Buffer.from(data) : data);
  }

  terminate(): void {
    this.closed = true;
    this.socket?.destroy();
  }

  private finish(reason: string, code?: number): void {
    if (this.closed) return;
    this.closed = true;
    this.socket?.destroy();
    this.on.close(reason, code);
  }

  /** Writes one masked frame (clients must mask). */
  private frame(opcode: number, payload: Uint8Array): void {
    if (!this.socket || this.closed) return;
    const n = payload.length;
    const hdr = n < 126 ? 2 : n < 65536 ? 4 : 10;
    const out = Buffer.allocUnsafe(hdr + 4 + n);
    out[0] = 0x80 | opcode;
    if (n < 126) out[1] = 0x80 | n;
    else if (n < 65536) {
      out[1] = 0x80 | 126;
      out.writeUInt16BE(n, 2);
    } else {
      out[1] = 0x80 | 127;
      out.writeUInt32BE(0, 2);
      out.writeUInt32BE(n, 6);
    }
    const mask = randomBytes(4);
    mask.copy(out, hdr);
    for (let i = 0; i < n; i++) out[hdr + 4 + i] = payload[i] ^ mask[i & 3];
    this.socket.write(out);
  }

  private receive(chunk: Buffer): void {
    this.on.chunk?.();
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let o = 0;
    const end = buf.length;
    while (end - o >= 2) {
      const b0 = buf[o];
      const b1 = buf[o + 1];
      let len = b1 & 0x7f;
      let hdr = 2;
      if (len === 126) {
        if (end - o < 4) break;
        len = buf.readUInt16BE(o + 2);
        hdr = 4;
      } else if (len === 127) {
        if (end - o < 10) break;
        len = buf.readUInt32BE(o + 2) * 2 ** 32 + buf.readUInt32BE(o + 6);
        hdr = 10;
      }
      if (b1 & 0x80) return this.finish('protocol error: masked frame from the server');
      const start = o + hdr;
      if (end - start < len) break;
      const payload = buf.subarray(start, start + len);
      o = start + len;
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      if (opcode === OP_TEXT || opcode === OP_BINARY) {
        if (fin) this.on.message(payload, opcode === OP_TEXT);
        else {
          this.fragments = [Buffer.from(payload)];
          this.fragmentText = opcode === OP_TEXT;
        }
      } else if (opcode === OP_CONT) {
        if (!this.fragments) return this.finish('protocol error: continuation without a start');
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(this.fragments);
          this.fragments = null;
          this.on.message(whole, this.fragmentText);
        }
      } else if (opcode === OP_PING) {
        this.frame(0xa, Buffer.from(payload));
      } else if (opcode === OP_CLOSE) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.frame(OP_CLOSE, payload.subarray(0, 2));
        return this.finish(`close ${code}${payload.length > 2 ? ` ${payload.toString('utf8', 2)}` : ''}`, code);
      }
      if (this.closed) return;
    }
    if (o < end) this.pending = Buffer.from(buf.subarray(o));
  }
}
