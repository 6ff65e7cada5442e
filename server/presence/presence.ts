/**
 * The presence port: how many connections watch a session, summed over every gateway.
 * Each gateway reports its own count per session; a change anywhere is announced to all.
 */
export interface PresenceBoard {
  /** Records this gateway's watcher count of `session` (0: none) and tells the other gateways. */
  report(session: string, watchers: number): Promise<void>;
  /** Watchers of `session` across the gateways that are alive. */
  total(session: string): Promise<number>;
  /** Calls `cb` when another gateway's count of a session changes, or a gateway's counts lapse with it. */
  onChange(cb: (session: string) => void): void;
  close(): Promise<void>;
}
