/** The caller context every command gets (the connection's peer and its application state), and the refusal a command answers with. */
import type { ErrorCode } from '../../protocol/index.ts';
import type { RefusedLimit } from '../obs/metrics.ts';
import type { Peer } from './transport.ts';

export interface Caller {
  readonly peer: Peer;
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
