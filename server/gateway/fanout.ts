/** Fan-out of session logs to WebSockets: one tail per session per gateway, published as bytes to a uWS topic (and, for dialect connections, translated once to a second topic), with gap-free catch-up. */
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import { encode, withPosition } from '../../protocol/codec.ts';
import { CloseCodes } from '../../protocol/codes.ts';
import { START, compareIds, type LogEntry, type SessionLog, type StopTail } from '../log/log.ts';
import type { Logger } from '../obs/logger.ts';
import type { Metrics } from '../obs/metrics.ts';
import type { PresenceBoard } from '../presence/presence.ts';
import type { Conn, Subscription } from './connection.ts';
import { SessionTranslator } from './dialect/translate.ts';

export interface FanoutOptions {
  /** A live subscriber whose send buffer passes this many bytes is moved off the topic and fed from the log. */
  softBufferLimit: number;
  /** A subscriber still catching up after this long is closed with CloseCodes.tooSlow (it resumes by itself). */
  slowSubscriberMs: number;
}

interface Member {
  ws: WebSocket<Conn>;
  sub: Subscription;
  /** When it last started catching up (performance.now()). */
  behindSince: number;
  /** A dialect member's own translator while it catches up from the log (the tail's serves it once live). */
  translator: SessionTranslator | null;
}

/** The session's frames in the dialect: translated once, as they are published, for every dialect member. */
interface DialectTail {
  topic: string;
  translator: SessionTranslator;
  /** Live dialect members that take messages through their own (pacing) queue instead of the topic. */
  paced: Set<Member>;
}

interface SessionTail {
  topic: string;
  /** Position of the last entry published to the topic. */
  cursor: string;
  members: Set<Member>;
  /** Present while a dialect connection follows the session. */
  dialect: DialectTail | null;
  advanceWaiters: Array<() => void>;
  stop: StopTail | null;
  ready: Promise<void>;
  /** Watcher count (all gateways) last announced, this gateway's count last reported, and the pending announcement. */
  announced: number;
  reported: number;
  presenceTimer: NodeJS.Timeout | null;
}

// Presence is announced at most this often per session.
const PRESENCE_EVERY_MS = 500;

const CATCH_UP_BATCH = 256;
const CHECK_EVERY_BYTES = 256 * 1024;

export class Fanout {
  private readonly tails = new Map<string, SessionTail>();

  constructor(
    private readonly app: TemplatedApp,
    private readonly log: SessionLog,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: FanoutOptions,
    private readonly presence: PresenceBoard,
  ) {
    presence.onChange((session) => {
      const tail = this.tails.get(session);
      if (tail) this.presenceChanged(tail, session);
    });
  }

  /**
   * Sends `ws` every frame of `session` after `after` (START: from the beginning), then keeps it live.
   * Replay reads the log up to the tail's cursor, then joins the topic in the same tick as the last
   * check, so no frame is missed or sent twice.
   */
  async subscribe(ws: WebSocket<Conn>, session: string, after: string): Promise<void> {
    const conn = ws.getUserData();
    this.unsubscribe(ws, session);
    const sub: Subscription = { session, pos: after, live: false };
    conn.subs.set(session, sub);
    const tail = this.acquire(session);
    const member: Member = { ws, sub, behindSince: performance.now(), translator: conn.dialect ? new SessionTranslator() : null };
    if (conn.dialect) tail.dialect ??= { topic: `d/${session}`, translator: new SessionTranslator(), paced: new Set() };
    tail.members.add(member);
    this.presenceChanged(tail, session);
    await tail.ready;
    await this.catchUp(member, tail);
  }

  unsubscribe(ws: WebSocket<Conn>, session: string): boolean {
    const conn = ws.getUserData();
    const sub = conn.subs.get(session);
    if (!sub) return false;
    conn.subs.delete(session);
    const tail = this.tails.get(session);
    if (tail) {
      if (sub.live && !conn.closed) ws.unsubscribe(this.topicOf(tail, conn));
      for (const m of tail.members) {
        if (m.sub !== sub) continue;
        tail.members.delete(m);
        tail.dialect?.paced.delete(m);
      }
      if (tail.dialect && ![...tail.members].some((m) => m.ws.getUserData().dialect)) tail.dialect = null;
      this.presenceChanged(tail, session);
      this.release(session, tail);
    }
    return true;
  }

  /**
   * Moves a dialect connection's live subscriptions off the translated topics to its own queue, as it has started
   * pacing. uWS holds topic messages per socket and drops them on unsubscribe: a direct write (a ping) flushes them
   * first, so the queue takes over exactly where the topic left off.
   */
  pace(ws: WebSocket<Conn>): void {
    const conn = ws.getUserData();
    if (conn.closed) return;
    ws.ping();
    for (const sub of conn.subs.values()) {
      const tail = this.tails.get(sub.session);
      if (!sub.live || !tail?.dialect) continue;
      for (const m of tail.members) {
        if (m.sub !== sub || tail.dialect.paced.has(m)) continue;
        ws.unsubscribe(tail.dialect.topic);
        tail.dialect.paced.add(m);
      }
    }
  }

  /** The uWS topic a live connection is on for `tail`: the translated one for a dialect connection. */
  private topicOf(tail: SessionTail, conn: Conn): string {
    return conn.dialect && tail.dialect ? tail.dialect.topic : tail.topic;
  }

  /** Forgets a closed connection (uWS has already dropped its topics). */
  dropConnection(ws: WebSocket<Conn>): void {
    for (const session of [...ws.getUserData().subs.keys()]) this.unsubscribe(ws, session);
  }

  /** How many connections of this gateway follow `session`. */
  watchers(session: string): number {
    return this.tails.get(session)?.members.size ?? 0;
  }

  close(): void {
    for (const tail of this.tails.values()) tail.stop?.();
    this.tails.clear();
  }

  private acquire(session: string): SessionTail {
    let tail = this.tails.get(session);
    if (tail) return tail;
    const t: SessionTail = { topic: `s/${session}`, cursor: START, members: new Set(), dialect: null, advanceWaiters: [], stop: null, ready: Promise.resolve(), announced: 0, reported: 0, presenceTimer: null };
    t.ready = (async () => {
      t.cursor = (await this.log.last(session)) ?? START;
      if (this.tails.get(session) !== t) return;
      t.stop = this.log.tail(
        session,
        t.cursor,
        (entries) => this.publish(t, entries),
        (err) => this.logger.warn('session tail read failed; retrying', { session, err }),
      );
    })();
    this.tails.set(session, t);
    return t;
  }

  /** Schedules one `presence` frame for the session's watchers (debounced), with the count over all gateways. */
  private presenceChanged(tail: SessionTail, session: string): void {
    if (tail.presenceTimer) return;
    tail.presenceTimer = setTimeout(() => {
      tail.presenceTimer = null;
      this.announcePresence(tail, session).catch((err) => this.logger.warn('presence update failed', { session, err }));
    }, PRESENCE_EVERY_MS);
  }

  private async announcePresence(tail: SessionTail, session: string): Promise<void> {
    const local = tail.members.size;
    if (local !== tail.reported) {
      tail.reported = local;
      await this.presence.report(session, local);
    }
    const watchers = await this.presence.total(session);
    if (watchers === tail.announced || this.tails.get(session) !== tail) return;
    tail.announced = watchers;
    const bytes = encode({ type: 'presence', session, watchers });
    this.app.publish(tail.topic, bytes, true);
    // The dialect has no presence message: its connections get none.
    for (const m of tail.members) {
      const conn = m.ws.getUserData();
      if (!m.sub.live && !conn.closed && !conn.dialect) m.ws.cork(() => m.ws.send(bytes, true));
    }
  }

  private release(session: string, tail: SessionTail): void {
    if (tail.members.size > 0) return;
    if (tail.presenceTimer) clearTimeout(tail.presenceTimer);
    if (tail.reported > 0) this.presence.report(session, 0).catch((err) => this.logger.warn('presence update failed', { session, err }));
    tail.stop?.();
    this.tails.delete(session);
    for (const wake of tail.advanceWaiters.splice(0)) wake();
  }

  private publish(tail: SessionTail, entries: LogEntry[]): void {
    let bytesSinceCheck = 0;
    for (const e of entries) {
      const receivers = this.app.numSubscribers(tail.topic);
      if (receivers > 0) {
        this.app.publish(tail.topic, withPosition(e.frame, e.id), true);
        this.metrics.framesDelivered.inc(receivers);
      }
      if (tail.dialect) this.publishTranslated(tail.dialect, e);
      tail.cursor = e.id;
      bytesSinceCheck += e.frame.length;
      if (bytesSinceCheck >= CHECK_EVERY_BYTES) {
        this.demoteSlow(tail);
        bytesSinceCheck = 0;
      }
    }
    this.demoteSlow(tail);
    for (const wake of tail.advanceWaiters.splice(0)) wake();
  }

  /** Translates one entry for the session's dialect members: once, whoever follows it. */
  private publishTranslated(dialect: DialectTail, e: LogEntry): void {
    let texts: string[];
    try {
      texts = dialect.translator.translate(e);
    } catch (err) {
      this.logger.warn('a frame could not be translated for the dialect; its run is no longer translated', { pos: e.id, err });
      return;
    }
    if (texts.length === 0) return;
    const receivers = this.app.numSubscribers(dialect.topic);
    if (receivers > 0) for (const text of texts) this.app.publish(dialect.topic, text, false);
    for (const m of dialect.paced) m.ws.getUserData().dialect?.deliver(texts);
    this.metrics.framesDelivered.inc((receivers + dialect.paced.size) * texts.length);
  }

  /** Takes subscribers that cannot keep up off the topic before uWS would start dropping their frames. */
  private demoteSlow(tail: SessionTail): void {
    for (const m of tail.members) {
      const conn = m.ws.getUserData();
      // A paced connection's own queue holds what it has not sent yet; its socket only gets what the pace lets out.
      if (!m.sub.live || conn.closed || tail.dialect?.paced.has(m)) continue;
      if (m.ws.getBufferedAmount() > this.options.softBufferLimit) {
        // uWS holds topic messages per socket and flushes them in groups; unsubscribing drops the held
        // ones. A direct write (a ping) flushes them first, so catch-up can start at the cursor.
        m.ws.ping();
        m.ws.unsubscribe(this.topicOf(tail, conn));
        // The tail's translator is exactly at the cursor: a copy of it carries on from there.
        if (conn.dialect && tail.dialect) m.translator = tail.dialect.translator.fork();
        m.sub.live = false;
        m.sub.pos = tail.cursor;
        m.behindSince = performance.now();
        this.metrics.slowSubscribers.inc({ outcome: 'behind' });
        void this.catchUp(m, tail);
      }
    }
  }

  private async catchUp(member: Member, tail: SessionTail): Promise<void> {
    const { ws, sub } = member;
    const conn = ws.getUserData();
    const current = () => !conn.closed && conn.subs.get(sub.session) === sub && this.tails.get(sub.session) === tail;
    while (current()) {
      if (performance.now() - member.behindSince > this.options.slowSubscriberMs) {
        this.logger.warn('closing a subscriber that stayed behind too long', { conn: conn.id, session: sub.session, pos: sub.pos });
        this.metrics.slowSubscribers.inc({ outcome: 'closed' });
        ws.end(CloseCodes.tooSlow, 'too far behind: reconnect and resume from your last position');
        return;
      }
      if (ws.getBufferedAmount() > this.options.softBufferLimit) {
        // Wake on drain, or after a second to re-check how long it has been behind.
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 1000);
          conn.drainWaiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
        continue;
      }
      const target = tail.cursor;
      const order = compareIds(sub.pos, target);
      if (order < 0) {
        const entries = await this.log.range(sub.session, sub.pos, target, CATCH_UP_BATCH);
        if (!current()) return;
        if (entries.length === 0) {
          // What it missed was trimmed by retention: say so rather than skip frames silently.
          this.logger.warn('subscriber fell behind the retained history', { conn: conn.id, session: sub.session, pos: sub.pos });
          const earliest = await this.log.first(sub.session);
          if (!current()) return;
          conn.caller?.peer.reply({ type: 'error', id: null, code: 'position_expired', message: `frames after ${sub.pos} are no longer retained`, ...(earliest ? { earliest } : {}) });
          this.unsubscribe(ws, sub.session);
          return;
        }
        if (conn.dialect) {
          conn.dialect.deliver(this.translateCatchUp(member, entries));
        } else {
          ws.cork(() => {
            for (const e of entries) ws.send(withPosition(e.frame, e.id), true);
          });
        }
        this.metrics.framesDelivered.inc(entries.length);
        sub.pos = entries[entries.length - 1].id;
      } else if (order > 0) {
        // The client has seen more than this gateway's tail (it came from another gateway): wait for the tail.
        await new Promise<void>((resolve) => tail.advanceWaiters.push(resolve));
      } else {
        this.goLive(member, tail);
        return;
      }
    }
  }

  /** A member that has caught up with the tail's cursor takes live frames from then on, in the same tick. */
  private goLive(member: Member, tail: SessionTail): void {
    const { ws, sub } = member;
    const dialect = ws.getUserData().dialect;
    sub.live = true;
    if (!dialect || !tail.dialect) {
      ws.subscribe(tail.topic);
      return;
    }
    // Runs the member's translator saw start and the tail's did not (it began after them) carry on in the tail's.
    if (member.translator) tail.dialect.translator.adopt(member.translator);
    member.translator = null;
    if (dialect.paced) tail.dialect.paced.add(member);
    else ws.subscribe(tail.dialect.topic);
  }

  private translateCatchUp(member: Member, entries: LogEntry[]): string[] {
    const translator = (member.translator ??= new SessionTranslator());
    const texts: string[] = [];
    for (const e of entries) {
      try {
        texts.push(...translator.translate(e));
      } catch (err) {
        this.logger.warn('a frame could not be translated for the dialect; its run is no longer translated', { pos: e.id, err });
      }
    }
    return texts;
  }
}
