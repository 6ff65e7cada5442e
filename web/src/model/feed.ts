/** Every frame one connection receives, sorted into runs and sessions; views subscribe and re-render at most once per animation frame. */
import type { ServerFrame } from '../sdk.ts';
import { RunModel, type RunFrame, type RunKind } from './run-model.ts';

export interface SessionInfo {
  id: string;
  /** Run ids in the order their `run.started` arrived (the log's order). */
  runs: string[];
  title: string | null;
  watchers: number | null;
  closed: boolean;
  /** The start of the session's log was trimmed by retention before we subscribed. */
  truncated: boolean;
}

export class Feed {
  readonly runs = new Map<string, RunModel>();
  readonly sessions = new Map<string, SessionInfo>();
  private readonly listeners = new Set<() => void>();
  private pending = false;

  /** The run with this id, created when a frame (or our own request) first names it. */
  run(id: string, session: string, kind: RunKind | null = null): RunModel {
    let run = this.runs.get(id);
    if (!run) {
      run = new RunModel(id, session, kind);
      this.runs.set(id, run);
      const s = this.session(session);
      if (!s.runs.includes(id)) s.runs.push(id);
    } else if (kind) run.kind = kind;
    return run;
  }

  session(id: string): SessionInfo {
    let s = this.sessions.get(id);
    if (!s) {
      s = { id, runs: [], title: null, watchers: null, closed: false, truncated: false };
      this.sessions.set(id, s);
    }
    return s;
  }

  /** The newest run of a session, or null. */
  latest(session: string): RunModel | null {
    const ids = this.sessions.get(session)?.runs;
    return ids && ids.length > 0 ? (this.runs.get(ids[ids.length - 1]) ?? null) : null;
  }

  handle(frame: ServerFrame): void {
    switch (frame.type) {
      case 'subscribed':
        if (frame.truncated) this.session(frame.session).truncated = true;
        if (frame.title !== undefined) this.session(frame.session).title = frame.title;
        break;
      case 'presence':
        this.session(frame.session).watchers = frame.watchers;
        break;
      case 'session.renamed':
        this.session(frame.session).title = frame.title;
        break;
      case 'session.closed':
        this.session(frame.session).closed = true;
        break;
      case 'run.started':
      case 'steps':
      case 'output':
      case 'run.ended':
      case 'bench.started':
      case 'bench.point':
      case 'bench.stopped':
      case 'bench.fit':
      case 'test.case':
      case 'test.summary':
        this.run(frame.run, frame.session).apply(frame as RunFrame);
        break;
      default:
        return;
    }
    this.changed();
  }

  /** Calls `listener` after frames changed something; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A burst of frames (a late joiner's catch-up, a fast trace) costs one render per animation frame, not one per frame. */
  private changed(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      for (const l of this.listeners) l();
    });
  }
}
