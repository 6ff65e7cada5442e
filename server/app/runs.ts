/** Run commands — execute, benchmark, test, cancel — and what happens to a caller's runs when it disconnects. */
import type { Benchmark, ClientMessageOf, Execute, Language, Test, Verdict } from '../../protocol/index.ts';
import { LANGUAGES, LANGUAGE_NAMES } from '../../protocol/languages.ts';
import { START, type SessionLog } from '../log/log.ts';
import { PROBLEM_LANGUAGES, isProblemLanguage, type Problem } from '../problems/problem.ts';
import { runJobOf, type QueuedRun, type RunQueue } from '../queue/queue.ts';
import type { ModeSpec } from '../runner/modes/mode-spec.ts';
import type { RunSummary, Runner } from '../runner/runner.ts';
import type { Sessions } from '../sessions/sessions.ts';
import type { Identity } from '../auth/identity.ts';
import type { Store } from '../store/store.ts';
import type { LimitPolicy } from '../limits/policy.ts';
import { Refusal, counted, enforce, type Caller } from './caller.ts';

export interface RunsDeps {
  log: SessionLog;
  queue: RunQueue;
  /** Ends runs that never started (`abandon`); they need the log and the store, no sandbox. */
  runner: Runner;
  sessions: Sessions;
  languages: ReadonlySet<Language>;
  limits: { maxSteps: number; timeoutMs: number };
  newId: () => string;
  /** False once shutdown has begun: new runs are refused with `shutting_down`. */
  accepting: () => boolean;
  /** The problem catalog by slug, for `test`. */
  problems: ReadonlyMap<string, Problem>;
  /** Why no runner can run `language` now (its engine is down, none is up), or null. */
  unavailable?: (language: Language) => string | null;
  /** How many connections of this process follow `session` (every adapter's). */
  watchers: (session: string) => number;
  limitPolicy: LimitPolicy;
  /** Runs' users and users' progress (the runner records the runs themselves). */
  store: Store;
  /** Progress that could not be recorded is logged, not answered: the run itself went fine. */
  onProgressError: (err: unknown) => void;
}

/** A run started here that has not ended: who started it, and its verdict once known. */
interface Unfinished {
  job: QueuedRun;
  caller: Caller;
  /** The caller's identity when it submitted the run (its progress is that user's). */
  identity: Identity | null;
  verdict: Promise<Verdict>;
  end: (verdict: Verdict) => void;
}

export function createRuns(deps: RunsDeps) {
  const unfinished = new Map<string, Unfinished>();
  /** Callers' own sessions: session id → its owner (a connection's, or a user's, kept across its reconnects). */
  const ownSessions = new Map<string, string>();
  const userSessions = new Map<string, string>();

  /** Refuses unless `caller` may run code in `session`. */
  async function checkTarget(caller: Caller, session: string, ownerKey: string | undefined): Promise<void> {
    if (session === caller.ownSession) return;
    const owner = ownSessions.get(session);
    if (owner === caller.owner) return;
    if (owner !== undefined) throw new Refusal('forbidden', 'this session belongs to another connection or user');
    const { check } = await deps.sessions.checkOwner(session, ownerKey, caller.identity?.user ?? null);
    switch (check) {
      case 'ok':
        return;
      case 'not_found':
        throw new Refusal('not_found', `no session ${session}: open one with session.open, or omit \`session\` to use this connection's own`);
      case 'forbidden':
        throw new Refusal('forbidden', 'only the session owner, with its owner key, may run code in this session');
      case 'closed':
        throw new Refusal('session_closed', `session ${session} is closed`);
    }
  }

  /** Common path of every run request: checks, session, queue, `accepted`, auto-subscription. */
  async function submit(caller: Caller, msg: Execute | Benchmark | Test, mode?: ModeSpec): Promise<void> {
    const { peer } = caller;
    if (!deps.accepting()) throw new Refusal('shutting_down', 'the server is shutting down; retry on another server or after it restarts');
    if (!deps.languages.has(msg.language)) {
      throw new Refusal('unsupported_language', `no sandbox image for ${msg.language} on this server; available: ${[...deps.languages].join(', ')}`);
    }
    const unavailable = deps.unavailable?.(msg.language);
    if (unavailable) throw new Refusal('unavailable', unavailable, { retryAfterMs: 5000 });
    if (!msg.session && !caller.ownSession && caller.identity) caller.ownSession = userSessions.get(caller.owner) ?? null;
    if (!msg.session && !caller.ownSession) {
      caller.ownSession = deps.newId();
      ownSessions.set(caller.ownSession, caller.owner);
      if (caller.identity) userSessions.set(caller.owner, caller.ownSession);
      // Known to every gateway before its first frame: a watcher given its id may subscribe at once.
      await deps.log.create(caller.ownSession);
    }
    const session = msg.session ?? caller.ownSession!;
    await checkTarget(caller, session, msg.ownerKey);
    // Counted once the request is one the server would run: a refused one (wrong key, no image) costs nothing.
    enforce(await deps.limitPolicy.run(counted(caller)));
    const limits = msg.type === 'execute' ? msg.limits : undefined;
    const job: QueuedRun = {
      run: deps.newId(),
      session,
      owner: caller.owner,
      language: msg.language,
      code: msg.code,
      stdin: msg.type === 'execute' ? msg.stdin : [],
      maxSteps: Math.min(deps.limits.maxSteps, limits?.maxSteps ?? Infinity),
      timeoutMs: Math.min(msg.type === 'benchmark' ? Math.max(deps.limits.timeoutMs, msg.budgetMs + 5000) : deps.limits.timeoutMs, limits?.timeoutMs ?? Infinity),
      ...(mode ? { mode } : {}),
      ...(msg.type === 'execute' && msg.entry !== undefined ? { call: { entry: msg.entry, args: msg.args ?? [] } } : {}),
      submittedAt: Date.now(),
    };
    // The caller follows the session from its current end, so it receives this run from its first frame.
    const after = peer.follows(session) ? null : ((await deps.log.last(session)) ?? START);
    if (peer.closed) return;
    let end!: (verdict: Verdict) => void;
    const verdict = new Promise<Verdict>((resolve) => (end = resolve));
    // Known before the queue has it: a runner may end it before `submit` resolves.
    unfinished.set(job.run, { job, caller, identity: caller.identity, verdict, end });
    caller.runs.add(job.run);
    const admission = await deps.queue.submit(job).catch((err: Error) => {
      forget(job.run);
      throw err;
    });
    if (!admission.ok) {
      forget(job.run);
      const whose = admission.full === 'owner' ? 'this owner has as many runs waiting as one owner may' : 'the run queue is full';
      throw new Refusal('busy', whose, { retryAfterMs: admission.retryAfterMs }, admission.full === 'owner' ? 'runs_per_owner' : 'queue');
    }
    if (caller.identity) await deps.store.assignRun(job.run, caller.identity.user, caller.identity.name);
    peer.reply({ type: 'accepted', id: msg.id, run: job.run, session });
    if (after !== null) await peer.subscribe(session, after);
  }

  /** `run` is over (or was never admitted): its caller and pending cancels learn its verdict. */
  function forget(run: string, verdict: Verdict = 'internal_error'): void {
    const u = unfinished.get(run);
    unfinished.delete(run);
    u?.caller.runs.delete(run);
    u?.end(verdict);
  }
  // Whichever runner ran it: the queue tells every process that listens.
  deps.queue.onEnded((run, verdict) => {
    const u = unfinished.get(run);
    if (u?.identity && u.job.mode?.kind === 'grade') void recordProgress(u.job, u.identity, u.job.mode.problem, verdict).catch(deps.onProgressError);
    forget(run, verdict);
  });

  /** Folds a user's graded run into its progress, once the runner has recorded it (on another process, a moment later). */
  async function recordProgress(job: QueuedRun, identity: Identity, problem: string, verdict: Verdict): Promise<void> {
    await deps.runner.settled(job.run);
    let record = await deps.store.getRun(job.run);
    for (let i = 0; i < 50 && !record; i++) {
      await new Promise((r) => setTimeout(r, 200));
      record = await deps.store.getRun(job.run);
    }
    if (!record) throw new Error(`run ${job.run} was never recorded: its progress is not counted`);
    const total = record.test?.total ?? deps.problems.get(problem)?.cases.length ?? 0;
    const passed = record.test?.passed ?? 0;
    await deps.store.recordAttempt({
      user: identity.user,
      name: identity.name,
      problem,
      run: job.run,
      passed,
      total,
      solved: verdict === 'ok' && total > 0 && passed === total,
      wallMs: record.wallMs,
      peakMemKb: record.peakMemKb,
      at: record.createdAt,
    });
  }

  /** Ends a job that never started (cancelled while queued, or dropped at shutdown) with `run.ended` `cancelled`. */
  async function abandon(job: QueuedRun): Promise<void> {
    let verdict: Verdict = 'internal_error';
    try {
      const running: Promise<RunSummary> = deps.runner.abandon(runJobOf(job, deps.problems));
      verdict = (await running).verdict;
    } finally {
      forget(job.run, verdict);
    }
  }

  /** Ends `run` `cancelled`: taken out of the queue if it waits there, else stopped wherever it runs (unless it has ended). */
  function stop(run: string): void {
    const u = unfinished.get(run);
    void deps.queue.cancel(run).then(
      (where) => {
        if (where === 'dequeued' && u) void abandon(u.job);
      },
      () => undefined,
    );
  }

  /** Stops `run` and answers once it has ended: `ok` when it ended `cancelled`, `not_found` when it had ended otherwise. */
  async function cancel(caller: Caller, msg: ClientMessageOf<'cancel'>): Promise<void> {
    const u = unfinished.get(msg.run);
    if (!u || u.caller !== caller) throw new Refusal('not_found', `no run ${msg.run} started by this connection is queued or running`);
    stop(msg.run);
    // The run may have finished just before the cancel reached it (its verdict decided, its record not yet written):
    // only its verdict tells.
    const verdict = await u.verdict;
    if (verdict !== 'cancelled') throw new Refusal('not_found', `run ${msg.run} ended (${verdict}) before the cancel reached it`);
    caller.peer.reply({ type: 'ok', id: msg.id });
  }

  /** A closed connection's runs are cancelled unless another connection of this process watches their session. */
  function disconnect(caller: Caller): void {
    // A user's own session outlives the connection (its next one continues it); a connection's does not.
    if (caller.ownSession && !caller.identity) ownSessions.delete(caller.ownSession);
    for (const run of caller.runs) {
      const u = unfinished.get(run);
      if (u && deps.watchers(u.job.session) === 0) stop(run);
    }
  }

  /** Ends every run of `session` started here, queued or running: the session was closed. */
  function cancelSession(session: string): void {
    for (const u of unfinished.values()) if (u.job.session === session) stop(u.job.run);
  }

  return {
    execute(caller: Caller, msg: Execute): Promise<void> {
      if (msg.entry !== undefined && !isProblemLanguage(msg.language)) {
        throw new Refusal('unsupported_language', `${msg.language} programs run whole: calling a function by name (entry, args) is for ${PROBLEM_LANGUAGES.join(' and ')}`);
      }
      return submit(caller, msg);
    },
    benchmark(caller: Caller, msg: Benchmark): Promise<void> {
      const refused = benchRefusal(msg);
      if (refused) throw new Refusal('unsupported_language', refused);
      return submit(caller, msg, { kind: 'bench', request: msg });
    },
    test(caller: Caller, msg: Test): Promise<void> {
      const problem = deps.problems.get(msg.problem);
      if (!problem) throw new Refusal('not_found', `no problem ${msg.problem}; known: ${[...deps.problems.keys()].join(', ')}`);
      const language = msg.language;
      if (!isProblemLanguage(language) || !(language in problem.languages)) {
        throw new Refusal('unsupported_language', `problem ${msg.problem} has no ${language} version`);
      }
      return submit(caller, msg, { kind: 'grade', problem: msg.problem, language, code: msg.code });
    },
    cancel,
    disconnect,
    cancelSession,
    abandon,
  };
}

/** Why `msg`'s language cannot run its benchmark (bench mode, and its generators: protocol/languages.ts), or null. */
function benchRefusal({ language, generator }: Benchmark): string | null {
  const { label, bench, benchGenerators } = LANGUAGES[language];
  if (!bench) return `${label} programs have no benchmarks`;
  if (benchGenerators === null) return null;
  const asked = 'function' in generator ? `the program's own generator (${generator.function})` : generator.builtin;
  if ('builtin' in generator && (benchGenerators as readonly string[]).includes(generator.builtin)) return null;
  const every = LANGUAGE_NAMES.filter((l) => LANGUAGES[l].bench && LANGUAGES[l].benchGenerators === null).map((l) => LANGUAGES[l].label);
  return `${label} benchmarks take the built-in generators ${benchGenerators.join(', ')}; not ${asked}, which ${every.join(' and ')} benchmarks take`;
}
