/** Presence for a single gateway: its own counts are the totals. */
import type { PresenceBoard } from './presence.ts';

export class MemoryPresence implements PresenceBoard {
  private readonly counts = new Map<string, number>();

  async report(session: string, watchers: number): Promise<void> {
    if (watchers > 0) this.counts.set(session, watchers);
    else this.counts.delete(session);
  }

  async total(session: string): Promise<number> {
    return this.counts.get(session) ?? 0;
  }

  onChange(): void {}

  async close(): Promise<void> {}
}
