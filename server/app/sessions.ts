/** Session commands — session.open, session.rename, session.close — for instructor sessions. */
import { encode, type ClientMessageOf, type Language, type UnpositionedFrame } from '../../protocol/index.ts';
import type { SessionLog } from '../log/log.ts';
import type { Sessions } from '../sessions/sessions.ts';
import { Refusal, type Caller } from './caller.ts';

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
}

export function createSessionCommands(deps: SessionCommandsDeps) {
  /** Refuses unless `ownerKey` is the open session's. */
  async function checkOwner(session: string, ownerKey: string): Promise<void> {
    const { check } = await deps.sessions.checkOwner(session, ownerKey);
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
      const { record, ownerKey } = await deps.sessions.open(msg.title);
      const warming = msg.students ? await deps.prewarm(record.id, msg.students, language) : undefined;
      caller.peer.reply({ type: 'session.opened', id: msg.id, session: record.id, joinCode: record.joinCode, ownerKey, title: record.title, ...(warming === undefined ? {} : { warming }) });
    },

    async rename(caller: Caller, msg: ClientMessageOf<'session.rename'>): Promise<void> {
      await checkOwner(msg.session, msg.ownerKey);
      await deps.sessions.rename(msg.session, msg.title);
      await appendSessionFrame({ type: 'session.renamed', session: msg.session, title: msg.title });
      caller.peer.reply({ type: 'ok', id: msg.id });
    },

    async close(caller: Caller, msg: ClientMessageOf<'session.close'>): Promise<void> {
      await checkOwner(msg.session, msg.ownerKey);
      await deps.sessions.close(msg.session);
      deps.cancelRuns(msg.session);
      void deps.prewarm(msg.session, 0).catch(() => undefined);
      await appendSessionFrame({ type: 'session.closed', session: msg.session });
      caller.peer.reply({ type: 'ok', id: msg.id });
    },
  };
}
