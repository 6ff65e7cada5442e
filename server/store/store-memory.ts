/** In-process store: the default when no DATABASE_URL is set (nothing survives a restart). */
import type { RunRecord, Store } from './store.ts';

export class MemoryStore implements Store {
  private readonly runs = new Map<string, RunRecord>();

  async recordRun(run: RunRecord): Promise<void> {
    if (!this.runs.has(run.id)) this.runs.set(run.id, structuredClone(run));
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const r = this.runs.get(id);
    return r ? structuredClone(r) : null;
  }

  async sessionRuns(session: string): Promise<RunRecord[]> {
    return [...this.runs.values()].filter((r) => r.session === session).map((r) => structuredClone(r));
  }

  async close(): Promise<void> {}
}
