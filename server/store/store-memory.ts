/** In-process store: the default when no DATABASE_URL is set (nothing survives a restart). */
import { DuplicateJoinCode, type RunRecord, type SessionRecord, type Store } from './store.ts';

export class MemoryStore implements Store {
  private readonly runs = new Map<string, RunRecord>();
  private readonly sessions = new Map<string, SessionRecord>();

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

  async createSession(session: SessionRecord): Promise<void> {
    for (const s of this.sessions.values()) if (s.joinCode === session.joinCode) throw new DuplicateJoinCode(session.joinCode);
    this.sessions.set(session.id, structuredClone(session));
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const s = this.sessions.get(id);
    return s ? structuredClone(s) : null;
  }

  async sessionByCode(joinCode: string): Promise<SessionRecord | null> {
    for (const s of this.sessions.values()) if (s.joinCode === joinCode) return structuredClone(s);
    return null;
  }

  async updateSession(id: string, change: { title?: string; closedAt?: Date }): Promise<void> {
    const s = this.sessions.get(id);
    if (s) Object.assign(s, change);
  }

  async close(): Promise<void> {}
}
