/**
 * A subscriber process of the fan-out bench (forked by run.ts, driven over IPC): opens `conns` WebSockets to one
 * system, subscribes each to the session, and checks that each receives every measured frame (seq 0..frames-1)
 * exactly once and in order, recording publish-to-receive latency from the frame's `t` (CLOCK_MONOTONIC, shared by
 * every process on the machine).
 *
 * Connections use lean-ws.ts (default) or the `ws` package (`--client-lib ws`):
 * tracecast: /ws, sends {type: 'subscribe', session} (MessagePack), frames are MessagePack maps with `pos`.
 * bare: /, subscribed on open, frames are the raw MessagePack bytes from the stream.
 * sio (raw, default): speaks engine.io v4 / socket.io v5 itself (`0` open → `40` connect → `42["f",{…}]` events,
 *   answering pings), so every system's clients cost about the same: one WebSocket message and one decode.
 * sio (official): socket.io-client with transports: ['websocket'].
 * Each frame's seq and t are read from its last bytes (the frame is ours, its layout known); one frame in 64 per
 * connection, and every message that does not have that layout, is fully decoded and checked (`--check full`:
 * every frame), so the subscribers spend their CPU on receiving rather than on building objects.
 */
import WebSocket from 'ws';
import { decode, encode } from '../../protocol/codec.ts';
import { LeanSocket, type LeanHandlers } from './lean-ws.ts';
import { Histogram, SIO_EVENT, importBenchDependency, nowUs, type ClientEvent, type ClientReport, type ClientStart } from './common.ts';

interface ConnState {
  seen: Uint8Array;
  distinct: number;
  maxSeq: number;
  duplicates: number;
  reordered: number;
  ready: boolean;
  warm: boolean;
  closed: boolean;
  /** Messages seen (for the sampled full decode). */
  n: number;
  /** tracecast: `pos` of the last frame received, to resume after. */
  lastPos: string | null;
  resumes: number;
  /** For diagnostics: [seq of the last frame before the close, pos resumed after] per resume. */
  resumedAt: Array<[number, string | null]>;
  /** Highest seq received so far (maxSeq is the same, kept separately for clarity). */
  lastSeq: number;
  close: () => void;
}

const send = (e: ClientEvent) => {
  if (process.connected) process.send!(e);
};

let cfg: ClientStart;
const conns: ConnState[] = [];
const latency = new Histogram();
let deliveries = 0;
let firstRecvUs: number | null = null;
let lastRecvUs: number | null = null;
let completeConns = 0;
let warmConns = 0;
let closedDuringRun = 0;
const closeReasons: Record<string, number> = {};
let completeSent = false;
let warmSent = false;
let measuring = false;

process.on('disconnect', () => process.exit(0));

const FULL_CHECK_EVERY = 64;
/** Frames whose fast-path seq/t differed from a full decode (must stay 0), and messages of no expected kind. */
let mismatches = 0;
let unexpected = 0;
/** Expected messages that are not frames (tracecast's `presence`). */
let control = 0;
const resumeReasons: Record<string, number> = {};
let exiting = false;
let fastSeq = 0;
let fastT = 0;

const isSeqKey = (b: Buffer, i: number) => i >= 0 && b[i] === 0xa3 && b[i + 1] === 0x73 && b[i + 2] === 0x65 && b[i + 3] === 0x71;

/**
 * Reads seq and t from a bench frame's MessagePack bytes without decoding it: the map ends with
 * `a3 "seq" <int> a1 "t" cb <float64>` (protocol/codec.ts encodes t, µs, as float64 and seq as the smallest int).
 * Returns false for anything else (then the message is decoded).
 */
function fastMsgpack(b: Buffer): boolean {
  const n = b.length;
  if (n < 20 || b[n - 9] !== 0xcb || b[n - 10] !== 0x74 || b[n - 11] !== 0xa1) return false;
  const e = n - 11;
  const last = b[e - 1];
  if ((last <= 0x7f || last >= 0xe0) && isSeqKey(b, e - 5)) fastSeq = last <= 0x7f ? last : last - 256;
  else if (b[e - 2] === 0xcc && isSeqKey(b, e - 6)) fastSeq = last;
  else if (b[e - 3] === 0xcd && isSeqKey(b, e - 7)) fastSeq = b.readUInt16BE(e - 2);
  else if (b[e - 5] === 0xce && isSeqKey(b, e - 9)) fastSeq = b.readUInt32BE(e - 4);
  else return false;
  fastT = b.readDoubleBE(n - 8);
  return true;
}

/** The same for a Socket.IO event `42["f",{…,"seq":N,"t":N}]`. */
function fastJson(b: Buffer): boolean {
  const n = b.length;
  // 42["f",{   …   }]
  if (n < 12 || b[2] !== 0x5b || b[3] !== 0x22 || b[4] !== 0x66 || b[5] !== 0x22 || b[6] !== 0x2c || b[n - 1] !== 0x5d || b[n - 2] !== 0x7d) return false;
  const at = b.lastIndexOf(',"seq":');
  if (at < 0) return false;
  let i = at + 7;
  let neg = false;
  if (b[i] === 0x2d) {
    neg = true;
    i++;
  }
  let seq = 0;
  for (; b[i] >= 0x30 && b[i] <= 0x39; i++) seq = seq * 10 + b[i] - 0x30;
  // ,"t":
  if (b[i] !== 0x2c || b[i + 1] !== 0x22 || b[i + 2] !== 0x74 || b[i + 3] !== 0x22 || b[i + 4] !== 0x3a) return false;
  i += 5;
  let t = 0;
  for (; b[i] >= 0x30 && b[i] <= 0x39; i++) t = t * 10 + b[i] - 0x30;
  if (i !== n - 2) return false;
  fastSeq = neg ? -seq : seq;
  fastT = t;
  return true;
}

/** When the bytes being processed were read from the socket (µs): once per chunk with lean-ws, per message with ws. */
let recvUs = 0;
let lastProgressUs = 0;

function onFrame(c: ConnState, seq: number, t: number): void {
  if (seq < 0) {
    if (!c.warm) {
      c.warm = true;
      warmConns++;
      if (warmConns === conns.length && !warmSent) {
        warmSent = true;
        send({ ev: 'warm' });
      }
    }
    return;
  }
  const now = recvUs;
  deliveries++;
  if ((deliveries & 0xfff) === 0 && now - lastProgressUs > 250_000) {
    lastProgressUs = now;
    send({ ev: 'progress', deliveries });
  }
  if (firstRecvUs === null) firstRecvUs = now;
  lastRecvUs = now;
  latency.add(now - t);
  if (seq >= cfg.frames || c.seen[seq]) {
    c.duplicates++;
    return;
  }
  c.seen[seq] = 1;
  c.distinct++;
  c.lastSeq = seq;
  if (seq < c.maxSeq) c.reordered++;
  else c.maxSeq = seq;
  if (c.distinct === cfg.frames) {
    completeConns++;
    if (completeConns === conns.length && !completeSent) {
      completeSent = true;
      send({ ev: 'complete' });
    }
  }
}

function newState(): ConnState {
  return { seen: new Uint8Array(cfg.frames), distinct: 0, maxSeq: -1, duplicates: 0, reordered: 0, ready: false, warm: false, closed: false, n: 0, lastPos: null, resumes: 0, resumedAt: [], lastSeq: -1, close: () => {} };
}

function noteClose(c: ConnState, reason: string): void {
  if (c.closed) return;
  c.closed = true;
  if (measuring || c.ready) {
    closedDuringRun++;
    closeReasons[reason] = (closeReasons[reason] ?? 0) + 1;
  }
}

interface Transport {
  open(): Promise<void>;
  send(data: Uint8Array | string): void;
  terminate(): void;
}

/** The same small interface over the `ws` package (`--client-lib ws`). */
function wsTransport(url: string, h: LeanHandlers): Transport {
  let ws: WebSocket;
  return {
    open: () =>
      new Promise((resolve, reject) => {
        ws = new WebSocket(url, { perMessageDeflate: false });
        let opened = false;
        ws.on('open', () => {
          opened = true;
          resolve();
        });
        ws.on('error', (err) => {
          if (!opened) reject(err);
          h.close(`error: ${err.message}`);
        });
        ws.on('close', (code) => h.close(`close ${code}`, code));
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          recvUs = nowUs();
          h.message(data, !isBinary);
        });
      }),
    send: (data) => ws.send(data),
    terminate: () => ws.terminate(),
  };
}

const MAX_RESUMES = 20;

/**
 * Opens one connection; resolves once it is subscribed. A tracecast connection that closes unexpectedly (the
 * server's 4001 shutdown or 4002 too slow, or a dropped TCP connection) reconnects and subscribes again from the
 * last `pos` it received, as protocol/client.ts does with `reconnect`; those are counted as resumes (by reason), and
 * every frame must still arrive once, in order.
 */
function openRaw(c: ConnState, resume = false): Promise<void> {
  const { system, url, session } = cfg;
  const target = system === 'tracecast' ? `${url}/ws` : system === 'bare' ? `${url}/` : `${url}/socket.io/?EIO=4&transport=websocket`;
  let subscribedOnce = false;
  let readyResolve!: () => void;
  let readyReject!: (err: Error) => void;
  const subscribed = new Promise<void>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  // Awaited below once the socket is open; if opening fails, that failure is the one reported.
  subscribed.catch(() => {});
  const ready = () => {
    if (subscribedOnce) return;
    subscribedOnce = true;
    c.ready = true;
    readyResolve();
  };
  let t: Transport;
  // Fast path: seq and t read from the frame's last bytes (fastMsgpack/fastJson); every frame is fully decoded
  // instead with --check full, and otherwise one in FULL_CHECK_EVERY per connection is, and compared.
  const full = (n: number) => cfg.check === 'full' || n % FULL_CHECK_EVERY === 0;
  const onMessage: (data: Buffer, isText: boolean) => void =
    system === 'tracecast' || system === 'bare'
      ? (data) => {
          const fast = fastMsgpack(data);
          if (fast && !full(++c.n)) {
            // tracecast's pos is spliced first: 8X a3 "pos" aL <L bytes>.
            if (system === 'tracecast' && data[1] === 0xa3 && data[2] === 0x70 && data[3] === 0x6f && data[4] === 0x73) {
              c.lastPos = data.toString('latin1', 6, 6 + (data[5] & 0x1f));
            }
            return onFrame(c, fastSeq, fastT);
          }
          const f = decode(data) as { type: string; seq?: number; t?: number; pos?: string };
          if (f.type === 'output') {
            if (fast && (f.seq !== fastSeq || f.t !== fastT)) mismatches++;
            if (f.pos) c.lastPos = f.pos;
            onFrame(c, f.seq!, f.t!);
          } else if (system === 'bare') unexpected++;
          else if (f.type === 'subscribed') ready();
          else if (f.type === 'presence') control++;
          else if (f.type === 'error') {
            unexpected++;
            closeReasons[`error frame ${JSON.stringify(f)}`.slice(0, 200)] = 1;
          } else unexpected++;
        }
      : (data) => {
          const kind = data[0];
          if (kind === 0x34 /* 4: message */) {
            const p = data[1];
            if (p === 0x32 /* 2: EVENT */) {
              const fast = fastJson(data);
              if (fast && !full(++c.n)) return onFrame(c, fastSeq, fastT);
              const [name, f] = JSON.parse(data.toString('utf8', 2)) as [string, { seq: number; t: number }];
              if (name !== SIO_EVENT) return void unexpected++;
              if (fast && (f.seq !== fastSeq || f.t !== fastT)) mismatches++;
              onFrame(c, f.seq, f.t);
            } else if (p === 0x30 /* 0: CONNECT */) ready();
            else if (p === 0x34 /* 4: CONNECT_ERROR */) noteClose(c, `connect_error ${data.toString()}`);
            else unexpected++;
          } else if (kind === 0x32 /* 2: ping */) t.send('3');
          else if (kind === 0x30 /* 0: open */) t.send('40');
          else if (kind === 0x31 /* 1: close */) noteClose(c, 'engine.io close');
          else unexpected++;
        };
  const handlers: LeanHandlers = {
    chunk: () => {
      recvUs = nowUs();
    },
    message: onMessage,
    close: (reason) => {
      if (!subscribedOnce) readyReject(new Error(`connection closed before it was subscribed: ${reason}`));
      else if (system === 'tracecast' && !exiting && c.resumes < MAX_RESUMES) {
        c.resumes++;
        c.resumedAt.push([c.lastSeq, c.lastPos]);
        resumeReasons[reason] = (resumeReasons[reason] ?? 0) + 1;
        openRaw(c, true).catch((err) => noteClose(c, `resume failed: ${(err as Error).message}`));
      } else noteClose(c, reason);
    },
  };
  t = cfg.clientLib === 'ws' ? wsTransport(target, handlers) : new LeanSocket(target, handlers);
  c.close = () => t.terminate();
  return t.open().then(() => {
    if (system === 'tracecast') t.send(encode({ type: 'subscribe', id: 's', session, ...(resume && c.lastPos ? { position: c.lastPos } : {}) }));
    else if (system === 'bare') ready();
    return subscribed;
  });
}

async function openOfficial(c: ConnState): Promise<void> {
  const { io } = await importBenchDependency('socket.io-client');
  return new Promise((resolve, reject) => {
    const socket = io(cfg.url, { transports: ['websocket'], reconnection: false, forceNew: true, perMessageDeflate: false });
    c.close = () => socket.disconnect();
    socket.on('connect', () => {
      c.ready = true;
      resolve();
    });
    socket.on('connect_error', (err: Error) => {
      noteClose(c, `connect_error: ${err.message}`);
      reject(err);
    });
    socket.on('disconnect', (reason: string) => noteClose(c, `disconnect: ${reason}`));
    socket.on(SIO_EVENT, (f: { seq: number; t: number }) => {
      recvUs = nowUs();
      onFrame(c, f.seq, f.t);
    });
  });
}

async function start(c: ClientStart): Promise<void> {
  cfg = c;
  setTimeout(() => process.exit(3), c.hardLimitMs).unref();
  const t0 = Date.now();
  const open = c.system === 'sio' && c.sioClient === 'official' ? openOfficial : openRaw;
  for (let i = 0; i < c.conns; i++) conns.push(newState());
  // A few connections at a time: thousands of simultaneous handshakes would only measure the accept queue.
  let next = 0;
  const worker = async () => {
    while (next < conns.length) await open(conns[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(25, conns.length) }, worker));
  send({ ev: 'connected', ms: Date.now() - t0 });
  setInterval(() => send({ ev: 'progress', deliveries }), 250).unref();
}

/** Up to 5 connections with holes: where they are and what happened to them (to tell a server fault from a bench one). */
function holeDetails(): string[] {
  const out: string[] = [];
  for (let i = 0; i < conns.length && out.length < 5; i++) {
    const c = conns[i];
    if (c.maxSeq + 1 - c.distinct === 0) continue;
    const ranges: string[] = [];
    for (let s = 0; s <= c.maxSeq && ranges.length < 4; s++) {
      if (c.seen[s]) continue;
      let e = s;
      while (e + 1 <= c.maxSeq && !c.seen[e + 1]) e++;
      ranges.push(s === e ? `${s}` : `${s}-${e}`);
      s = e;
    }
    out.push(`conn ${i}: missing ${ranges.join(',')} (max ${c.maxSeq}, ${c.distinct} distinct); resumes [last seq before close, pos]: ${JSON.stringify(c.resumedAt.slice(0, 4))}`);
  }
  return out;
}

function report(): ClientReport {
  let holes = 0;
  let tailMissing = 0;
  let duplicates = 0;
  let reordered = 0;
  for (const c of conns) {
    duplicates += c.duplicates;
    reordered += c.reordered;
    tailMissing += cfg.frames - 1 - c.maxSeq;
    holes += c.maxSeq + 1 - c.distinct;
  }
  return {
    ev: 'report',
    conns: conns.length,
    completeConns,
    deliveries,
    holes,
    tailMissing,
    duplicates,
    reordered,
    closed: closedDuringRun,
    closeReasons,
    mismatches,
    unexpected,
    control,
    resumes: conns.reduce((a, c) => a + c.resumes, 0),
    resumeReasons,
    holeDetails: holeDetails(),
    firstRecvUs,
    lastRecvUs,
    latency: latency.toPairs(),
    latencyMax: latency.max,
  };
}

process.on('message', (m: ClientStart | { cmd: 'measure' } | { cmd: 'report' } | { cmd: 'exit' }) => {
  switch (m.cmd) {
    case 'start':
      start(m).catch((err) => send({ ev: 'failed', error: (err as Error)?.stack ?? String(err) }));
      return;
    case 'measure':
      measuring = true;
      return;
    case 'report':
      send(report());
      return;
    case 'exit':
      exiting = true;
      for (const c of conns) c.close();
      setTimeout(() => process.exit(0), 50);
      return;
  }
});
