/**
 * The read-only JSON API on the gateway's HTTP port: problems (public cases only), run summaries,
 * a session's runs, per-problem stats and leaderboards, and its own OpenAPI description. Routing is a table of
 * OpenAPI path templates: one place, which the description is checked against.
 */
import { AuthFailure, type TokenVerifier } from '../auth/identity.ts';
import type { Problem } from '../problems/problem.ts';
import { betterRun } from '../store/progress.ts';
import { openApiDocument } from './openapi.ts';
import type { Progress, RunRecord, Store } from '../store/store.ts';

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface ApiDeps {
  store: Store;
  problems: ReadonlyMap<string, Problem>;
  /** Verifies `Authorization: Bearer` tokens (GET /api/me/…); null when TRACECAST_AUTH=off. */
  verifier?: TokenVerifier | null;
}

/** What a request carries beside its path. */
export interface ApiRequest {
  /** The Authorization header ('' when absent). */
  authorization: string;
}

const LEADERBOARD_SIZE = 10;

/** A run as the API shows it: no code (a run id is not a licence to copy someone's solution). */
function summary(r: RunRecord) {
  return {
    run: r.id,
    session: r.session,
    language: r.language,
    verdict: r.verdict,
    wallMs: r.wallMs,
    peakMemKb: r.peakMemKb,
    steps: r.steps,
    error: r.error,
    createdAt: r.createdAt.toISOString(),
    ...(r.test ? { test: r.test } : {}),
  };
}

function publicProblem(p: Problem) {
  return {
    slug: p.slug,
    version: p.version,
    title: p.title,
    statement: p.statement,
    difficulty: p.difficulty,
    category: p.category,
    tags: p.tags,
    hints: p.hints,
    languages: Object.fromEntries(Object.entries(p.languages).map(([lang, l]) => [lang, { entry: l.entry, signature: l.signature, starter: l.starter }])),
    compare: p.compare,
    cases: p.cases.filter((c) => !c.hidden).map((c) => ({ id: c.id, args: c.args, expected: c.expected, ...(c.timeLimitMs ? { timeLimitMs: c.timeLimitMs } : {}) })),
    hiddenCases: p.cases.filter((c) => c.hidden).length,
  };
}

/** An item of GET /api/problems. */
function listItem(p: Problem) {
  return { slug: p.slug, title: p.title, difficulty: p.difficulty, category: p.category, tags: p.tags, languages: Object.keys(p.languages), version: p.version };
}

/** The JSON the API answers, for its clients' types (the viewer's problems panel). */
export type ProblemListItem = ReturnType<typeof listItem>;
export type PublicProblem = ReturnType<typeof publicProblem>;

const solved = (r: RunRecord) => r.verdict === 'ok' && r.test !== null && r.test.passed === r.test.total;

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function stats(problem: string, runs: RunRecord[]) {
  const passing = runs.filter(solved);
  return {
    problem,
    attempts: runs.length,
    solved: passing.length,
    passRate: runs.length ? passing.length / runs.length : null,
    meanCasePassRate: runs.length ? runs.reduce((a, r) => a + (r.test!.total ? r.test!.passed / r.test!.total : 0), 0) / runs.length : null,
    medianWallMs: median(runs.map((r) => r.wallMs)),
    medianSolvedWallMs: median(passing.map((r) => r.wallMs)),
    byLanguage: Object.fromEntries(
      [...new Set(runs.map((r) => r.language))].map((lang) => {
        const mine = runs.filter((r) => r.language === lang);
        return [lang, { attempts: mine.length, solved: mine.filter(solved).length }];
      }),
    ),
  };
}

/**
 * The fastest solving run of each user (with its display name), and of each anonymous session, fastest first; equal
 * times go to the smaller peak memory, then the earlier run.
 */
function leaderboard(problem: string, runs: RunRecord[]) {
  const best = new Map<string, RunRecord>();
  for (const r of runs.filter(solved)) {
    const who = r.user ? `user:${r.user.id}` : `session:${r.session}`;
    const cur = best.get(who);
    if (!cur || betterRun(r, cur)) best.set(who, r);
  }
  const ranked = [...best.values()]
    .sort((a, b) => (betterRun(a, b) ? -1 : betterRun(b, a) ? 1 : a.createdAt.getTime() - b.createdAt.getTime()))
    .slice(0, LEADERBOARD_SIZE);
  return { problem, entries: ranked.map((r, k) => ({ rank: k + 1, user: r.user?.id ?? null, name: r.user?.name ?? null, ...summary(r) })) };
}

function progressItem(p: Progress) {
  return {
    problem: p.problem,
    attempts: p.attempts,
    bestPassed: p.bestPassed,
    total: p.total,
    solved: p.firstSolvedAt !== null,
    firstSolvedAt: p.firstSolvedAt?.toISOString() ?? null,
    bestWallMs: p.best?.wallMs ?? null,
    bestPeakMemKb: p.best?.peakMemKb ?? null,
    bestRun: p.best?.run ?? null,
    lastAttemptAt: p.lastAttemptAt.toISOString(),
  };
}

/** What each `{name}` of a path template matches. */
const PARAMS: Record<string, string> = { slug: '[a-z0-9_]+', run: '[A-Za-z0-9_-]+', session: '[A-Za-z0-9_-]+' };

type Route = [template: string, (m: RegExpExecArray, req: ApiRequest) => Promise<ApiResponse>];

function patternOf(template: string): RegExp {
  return new RegExp(`^${template.replace(/\./g, '\\.').replace(/\{(\w+)\}/g, (_, name: string) => `(${PARAMS[name]})`)}$`);
}

export type Api = ((path: string, req?: ApiRequest) => Promise<ApiResponse>) & { /** The route table's path templates. */ paths: readonly string[] };

export function createApi({ store, problems, verifier }: ApiDeps): Api {
  const ok = (body: unknown): ApiResponse => ({ status: 200, body });
  const unauthorized = (message: string): ApiResponse => ({ status: 401, body: { error: 'unauthenticated', message } });
  /** The caller's user from `Authorization: Bearer <token>`, or the 401 to answer. */
  const whoAsks = async (req: ApiRequest) => {
    if (!verifier) return unauthorized('this server reads no tokens (TRACECAST_AUTH=off)');
    const token = /^Bearer\s+(\S+)$/i.exec(req.authorization)?.[1];
    if (!token) return unauthorized('send the token as Authorization: Bearer <token>');
    try {
      return await verifier.verify(token);
    } catch (err) {
      if (err instanceof AuthFailure) return unauthorized(err.message);
      throw err;
    }
  };
  const notFound = (what: string): ApiResponse => ({ status: 404, body: { error: 'not_found', message: `no ${what}` } });
  const withProblem = async (slug: string, f: (p: Problem) => Promise<ApiResponse>) => {
    const p = problems.get(slug);
    return p ? f(p) : notFound(`problem ${slug}`);
  };
  const openApi = openApiDocument();
  const routes: Route[] = [
    ['/api/problems', async () => ok([...problems.values()].map(listItem))],
    ['/api/problems/{slug}', async (m) => withProblem(m[1], async (p) => ok(publicProblem(p)))],
    ['/api/problems/{slug}/stats', async (m) => withProblem(m[1], async (p) => ok(stats(p.slug, await store.problemRuns(p.slug))))],
    ['/api/problems/{slug}/leaderboard', async (m) => withProblem(m[1], async (p) => ok(leaderboard(p.slug, await store.problemRuns(p.slug))))],
    ['/api/runs/{run}', async (m) => {
      const r = await store.getRun(m[1]);
      return r ? ok(summary(r)) : notFound(`run ${m[1]}`);
    }],
    ['/api/sessions/{session}/runs', async (m) => ok((await store.sessionRuns(m[1])).map(summary))],
    ['/api/me/progress', async (_m, req) => {
      const who = await whoAsks(req);
      if ('status' in who) return who;
      return ok({ user: who.user, name: who.name, problems: (await store.userProgress(who.user)).map(progressItem) });
    }],
    ['/api/openapi.json', async () => ok(openApi)],
  ];
  const table = routes.map(([template, handle]) => [patternOf(template), handle] as const);
  const api = async (path: string, req: ApiRequest = { authorization: '' }) => {
    for (const [pattern, handle] of table) {
      const m = pattern.exec(path);
      if (m) return handle(m, req);
    }
    return notFound(`endpoint ${path}`);
  };
  return Object.assign(api, { paths: routes.map(([template]) => template) });
}
