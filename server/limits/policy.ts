/** Which limits apply to what, keyed on whom (TRACECAST_LIMITS and its numbers): runs per user (or address when anonymous), messages, connections, session.open, wrong join codes. */
import type { RefusedLimit } from '../obs/metrics.ts';
import type { Decision, Limit, LimitFactory } from './limits.ts';

export interface LimitNumbers {
  /** Off: only the wrong-join-code limits apply (as before limits existed), so a local start is unlimited. */
  enabled: boolean;
  runsPerMinute: number;
  runsPerHour: number;
  runsPerDay: number;
  anonRunsPerMinute: number;
  messagesPerMinute: number;
  connectionsPerMinute: number;
  sessionOpensPerHour: number;
  joinAttemptsPerConnection: number;
  joinAttemptsPerAddress: number;
}

/** Who is counted: a user when the caller has a token, else its address (anonymous connections share it). */
export interface Counted {
  user: string | null;
  address: string;
  connection: string;
}

export type Refused = { ok: false; retryAfterMs: number; limit: RefusedLimit; what: string };
export type Checked = { ok: true } | Refused;

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

export function createLimitPolicy(make: LimitFactory, n: LimitNumbers) {
  const l = (name: string, points: number, duration: number): Limit => make(name, points, duration);
  const runs = { minute: l('runs-m', n.runsPerMinute, MINUTE), hour: l('runs-h', n.runsPerHour, HOUR), day: l('runs-d', n.runsPerDay, DAY), anon: l('runs-anon', n.anonRunsPerMinute, MINUTE) };
  const messages = l('messages', n.messagesPerMinute, MINUTE);
  const connections = l('connections', n.connectionsPerMinute, MINUTE);
  const opens = l('session-open', n.sessionOpensPerHour, HOUR);
  const joinConn = l('join-conn', n.joinAttemptsPerConnection, MINUTE);
  const joinAddr = l('join-addr', n.joinAttemptsPerAddress, MINUTE);

  const refusedBy = (d: Decision, limit: RefusedLimit, what: string): Checked => (d.ok ? d : { ok: false, retryAfterMs: d.retryAfterMs, limit, what });
  const ok: Checked = { ok: true };

  return {
    /** A new connection from `address`. */
    async connection(address: string): Promise<Checked> {
      return n.enabled ? refusedBy(await connections.consume(address), 'connections_per_address', `more than ${n.connectionsPerMinute} connections a minute from this address`) : ok;
    },
    /** Any message; a user's count is its own, so a class behind one address is not one count. */
    async message(who: Counted): Promise<Checked> {
      return n.enabled ? refusedBy(await messages.consume(who.user ?? `a:${who.address}`), 'messages', `more than ${n.messagesPerMinute} messages a minute from ${who.user ? 'this user' : 'this address'}`) : ok;
    },
    /** A run (execute, benchmark, test): per user a minute, an hour and a day; anonymous, per address a minute. */
    async run(who: Counted): Promise<Checked> {
      if (!n.enabled) return ok;
      if (!who.user) return refusedBy(await runs.anon.consume(who.address), 'runs_per_address', `more than ${n.anonRunsPerMinute} runs a minute from this address without a token`);
      for (const [limit, per, points] of [[runs.minute, 'minute', n.runsPerMinute], [runs.hour, 'hour', n.runsPerHour], [runs.day, 'day', n.runsPerDay]] as const) {
        const d = await limit.consume(who.user);
        if (!d.ok) return refusedBy(d, 'runs_per_user', `more than ${points} runs a ${per} by this user`);
      }
      return ok;
    },
    async sessionOpen(who: Counted): Promise<Checked> {
      return n.enabled ? refusedBy(await opens.consume(who.user ?? `a:${who.address}`), 'session_opens', `more than ${n.sessionOpensPerHour} sessions opened an hour`) : ok;
    },
    /**
     * Whether `who` may try a join code now: wrong codes are limited per connection (one student's typos lock out only
     * that student) and, far higher, per address (enumeration from one place); always on.
     */
    async joinAllowed(who: Counted): Promise<Checked> {
      const conn = await joinConn.peek(who.user ?? who.connection);
      if (!conn.ok) return refusedBy(conn, 'join_attempts', 'too many wrong join codes from this connection');
      return refusedBy(await joinAddr.peek(who.address), 'join_attempts', 'too many wrong join codes from this address');
    },
    async joinFailed(who: Counted): Promise<void> {
      await joinConn.consume(who.user ?? who.connection);
      await joinAddr.consume(who.address);
    },
  };
}

export type LimitPolicy = ReturnType<typeof createLimitPolicy>;
