/** The caller context every command gets (the connection's peer and its application state), and the refusal a command answers with. */
import type { ErrorCode } from '../../protocol/index.ts';
import type { Identity } from '../auth/identity.ts';
import type { Checked, Counted } from '../limits/policy.ts';
import type { RefusedLimit } from '../obs/metrics.ts';
import type { Peer } from './transport.ts';

export interface Caller {
  readonly peer: Peer;
  /** Who the caller's token says it is (null: anonymous); set by `auth` or the connection's Sec-WebSocket-Protocol token. */
  identity: Identity | null;
  /** Whose runs, sandboxes and sessions these are: `user:<sub>` with a token, else `conn:<connection id>`. */
  owner: string;
  /** The verification of the token the connection came with, awaited before its first message is handled. */
  authenticating: Promise<void> | null;
  /** Why the connection's own token was refused, told on its first refused message. */
  headerTokenRefused?: string;
  /** The session a run without `session` goes to; created on first use. */
  ownSession: string | null;
  /** Runs this connection started that have not ended. */
  readonly runs: Set<string>;
}

/**
 * Thrown by a command to answer its request with an `error` reply (the dispatcher adds the request id); anything
 * else a command throws is the server's fault, answered `internal` and logged.
 */
export class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { retryAfterMs?: number; earliest?: string } = {},
    /** The limit that refused it, when one did (counted in tracecast_refusals_total). */
    readonly limit?: RefusedLimit,
  ) {
    super(message);
  }
}

/** Whom the limits count for this caller. */
export const counted = (caller: Caller): Counted => ({ user: caller.identity?.user ?? null, address: caller.peer.address, connection: caller.peer.id });

/** Throws `rate_limited` (with `retryAfterMs` and the limit's label) when a limit refused. */
export function enforce(checked: Checked): void {
  if (!checked.ok) throw new Refusal('rate_limited', checked.what, { retryAfterMs: checked.retryAfterMs }, checked.limit);
}
