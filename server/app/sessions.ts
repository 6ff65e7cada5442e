/** Session commands — session.open, session.rename, session.close — for instructor sessions. */
import { encode, type ClientMessageOf, type Language, type UnpositionedFrame } from '../../protocol/index.ts';
import type { SessionLog } from '../log/log.ts';
import type { AuthMode } from '../auth/identity.ts';
import type { Sessions } from '../sessions/sessions.ts';
import type { LimitPolicy } from '../limits/policy.ts';
import { Refusal, counted, enforce, type Caller } from './caller.ts';

export interface SessionCommandsDeps {
  log: SessionLog;
  sessions: Sessions;
  /** Ends the session's runs started on this server, queued or running. */
  cancelRuns: (session: string) => void;
  /**
   * Keeps `students` sandboxes of `language` warm for a class in `session` (0 releases them); resolves with how
   * many the runners will start.
   */
  prewarm: (session: string, students: number, language?: Language) => Promise<number>;
  languages: ReadonlySet<Language>;
  /** With `required`, only instructors (and admins) open class sessions. */
  mode: AuthMode;
  limitPolicy: LimitPolicy;
}

export function createSessionCommands(deps: SessionCommandsDeps) {
  /** Refuses unless `ownerKey` (or the caller's user) is the open session's; an admin may close any. */
  async function checkOwner(caller: Caller, session: string, ownerKey: string, admin = false): Promise<void> {
    const found = await deps.sessions.checkOwner(session, ownerKey, caller.identity?.user ?? null);
    const check = admin && found.check === 'forbidden' && caller.identity?.role === 'admin' ? 'ok' : found.check;
    if (check === 'forbidden') throw new Refusal('forbidden', 'wrong owner key');
    if (check === 'closed') throw new Refusal('session_closed', `session ${session} is closed`);
    if (check === 'not_found') throw new Refusal('not_found', `no session ${session}`);
  }

  async function appendSessionFrame(frame: UnpositionedFrame): Promise<void> {
    await deps.log.append(frame.session, [encode(frame)]);
  }

  return {
    async open(caller: Caller, msg: ClientMessageOf<'session.open'>): Promise<void> {
      const language = msg.language ?? 'python';
      if (msg.students && !deps.languages.has(language)) throw new Refusal('unsupported_language', `no sandbox image for ${language} to warm up for the class`);
      const role = caller.identity?.role;
      if (deps.mode === 'required' && role !== 'instructor' && role !== 'admin') throw new Refusal('forbidden', 'only instructors open class sessions');
      enforce(await deps.limitPolicy.sessionOpen(counted(caller)));
      const { record, ownerKey } = await deps.sessions.open(msg.title, caller.identity?.user ?? null);
      const warming = msg.students ? await deps.prewarm(record.id, msg.students, language) : undefined;
      caller.peer.reply({ type: 'session.opened', id: msg.id, session: record.id, joinCode: record.joinCode, ownerKey, title: record.title, ...(warming === undefined ? {} : { warming }) });
    },

    async rename(caller: Caller, msg: ClientMessageOf<'session.rename'>): Promise<void> {
      await checkOwner(caller, msg.session, msg.ownerKey);
      await deps.sessions.rename(msg.session, msg.title);
      await appendSessionFrame({ type: 'session.renamed', session: msg.session, title: msg.title });
      caller.peer.reply({ type: 'ok', id: msg.id });
    },

    async close(caller: Caller, msg: ClientMessageOf<'session.close'>): Promise<void> {
      await checkOwner(caller, msg.session, msg.ownerKey, true);
      await deps.sessions.close(msg.session);
      deps.cancelRuns(msg.session);
      void deps.prewarm(msg.session, 0).catch(() => undefined);
      await appendSessionFrame({ type: 'session.closed', session: msg.session });
      caller.peer.reply({ type: 'ok', id: msg.id });
    },
  };
}
