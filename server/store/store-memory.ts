/** In-process store (TRACECAST_STORE=memory; the test servers' default): nothing survives a restart. */
import { DuplicateJoinCode, type Attempt, type Progress, type RunRecord, type SessionRecord, type Store, type StoredProblem, type TraceChunk } from './store.ts';
import { foldAttempt } from './progress.ts';

export class MemoryStore implements Store {
  private readonly runs = new Map<string, RunRecord>();
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly chunks = new Map<string, { chunk: TraceChunk; createdAt: Date }>();
  private readonly problems = new Map<string, StoredProblem>();
  private readonly runUsers = new Map<string, { id: string; name: string | null }>();
  private readonly progress = new Map<string, Progress>();

  /** A stored run as the adapters read it: with its user when one is assigned. */
  private read(r: RunRecord): RunRecord {
    const user = this.runUsers.get(r.id);
    return { ...structuredClone(r), ...(user ? { user: { ...user } } : {}) };
  }

  async recordRun(run: RunRecord): Promise<void> {
    if (!this.runs.has(run.id)) this.runs.set(run.id, structuredClone(run));
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const r = this.runs.get(id);
    return r ? this.read(r) : null;
  }

  async sessionRuns(session: string): Promise<RunRecord[]> {
    return [...this.runs.values()].filter((r) => r.session === session).map((r) => this.read(r));
  }

  async problemRuns(problem: string): Promise<RunRecord[]> {
    return [...this.runs.values()].filter((r) => r.test?.problem === problem).map((r) => this.read(r));
  }

  async assignRun(run: string, user: string, name: string | null): Promise<void> {
    if (!this.runUsers.has(run)) this.runUsers.set(run, { id: user, name });
  }

  async recordAttempt(attempt: Attempt): Promise<void> {
    const key = JSON.stringify([attempt.user, attempt.problem]);
    this.progress.set(key, foldAttempt(this.progress.get(key) ?? null, attempt));
  }

  async userProgress(user: string): Promise<Progress[]> {
    return [...this.progress.values()].filter((p) => p.user === user).sort((a, b) => (a.problem < b.problem ? -1 : 1)).map((p) => structuredClone(p));
  }

  async deleteRunsBefore(date: Date): Promise<number> {
    let n = 0;
    for (const [id, r] of this.runs) {
      if (r.createdAt < date && this.runs.delete(id)) {
        this.runUsers.delete(id);
        n++;
      }
    }
    return n;
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

  async addTraceChunk(chunk: TraceChunk): Promise<void> {
    const key = `${chunk.run}/${chunk.seq}`;
    if (!this.chunks.has(key)) this.chunks.set(key, { chunk: structuredClone(chunk), createdAt: new Date() });
  }

  async traceChunks(run: string, page = { fromSeq: 0, limit: Infinity }): Promise<TraceChunk[]> {
    return [...this.chunks.values()]
      .filter((c) => c.chunk.run === run && c.chunk.seq >= page.fromSeq)
      .map((c) => structuredClone(c.chunk))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, page.limit);
  }

  async deleteTracesBefore(date: Date): Promise<number> {
    let n = 0;
    for (const [key, c] of this.chunks) if (c.createdAt < date && this.chunks.delete(key)) n++;
    return n;
  }

  async saveProblem(problem: StoredProblem): Promise<'created' | 'updated' | 'unchanged'> {
    const before = this.problems.get(problem.slug);
    if (before?.version === problem.version) return 'unchanged';
    this.problems.set(problem.slug, structuredClone(problem));
    return before ? 'updated' : 'created';
  }

  async listProblems(): Promise<StoredProblem[]> {
    return [...this.problems.values()].sort((a, b) => (a.slug < b.slug ? -1 : 1)).map((p) => structuredClone(p));
  }

  async close(): Promise<void> {}
}
