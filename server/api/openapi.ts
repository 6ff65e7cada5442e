/**
 * The JSON API's OpenAPI 3.1 description, served at /api/openapi.json. Each answer's shape is one zod schema here:
 * the document's JSON Schemas are generated from them, and tests/integration/openapi.test.ts checks real answers
 * against the same schemas and the document's paths against rest.ts's route table.
 */
import { z } from 'zod/v4';
import { Language, verdictList } from '../../protocol/index.ts';
import { Difficulty } from '../problems/problem.ts';

// Strict objects: a field an answer carries that is not written here fails the test, so the document cannot lag.
const RunError = z.strictObject({
  type: z.string(),
  message: z.string(),
  line: z.number().int().nullable(),
  column: z.number().int().optional(),
  signal: z.string().optional(),
});

const RunSummary = z.strictObject({
  run: z.string().describe('run id'),
  session: z.string(),
  language: z.enum(Language.options),
  verdict: z.enum(verdictList),
  wallMs: z.number(),
  peakMemKb: z.number().nullable(),
  steps: z.number().int(),
  error: RunError.nullable(),
  createdAt: z.iso.datetime(),
  test: z.strictObject({ problem: z.string(), passed: z.number().int(), total: z.number().int() }).optional().describe('graded runs only'),
});

const ProblemListItem = z.strictObject({
  slug: z.string(),
  title: z.string(),
  difficulty: z.enum(Difficulty.options),
  category: z.string(),
  tags: z.array(z.string()),
  languages: z.array(z.enum(Language.options)),
  version: z.string().describe('hash of the problem\'s content: runs of one version are comparable'),
});

const PublicProblem = z.strictObject({
  slug: z.string(),
  version: z.string(),
  title: z.string(),
  statement: z.string().describe('Markdown'),
  difficulty: z.enum(Difficulty.options),
  category: z.string(),
  tags: z.array(z.string()),
  hints: z.array(z.string()),
  languages: z.record(z.string(), z.strictObject({ entry: z.string(), signature: z.string(), starter: z.string() })),
  compare: z.unknown().describe('how results are compared (problems/README.md)'),
  cases: z.array(z.strictObject({ id: z.string(), args: z.array(z.unknown()), expected: z.unknown(), timeLimitMs: z.number().optional() })).describe('public cases only'),
  hiddenCases: z.number().int(),
});

const ProblemStats = z.strictObject({
  problem: z.string(),
  attempts: z.number().int(),
  solved: z.number().int(),
  passRate: z.number().nullable(),
  meanCasePassRate: z.number().nullable(),
  medianWallMs: z.number().nullable(),
  medianSolvedWallMs: z.number().nullable(),
  byLanguage: z.record(z.string(), z.strictObject({ attempts: z.number().int(), solved: z.number().int() })),
});

const Leaderboard = z.strictObject({
  problem: z.string(),
  entries: z
    .array(
      RunSummary.extend({
        rank: z.number().int().min(1),
        user: z.string().nullable().describe('the token\'s sub; null for an anonymous session\'s run'),
        name: z.string().nullable().describe('the display name from the token\'s name claim'),
      }),
    )
    .describe('the fastest solving run of each user (and of each anonymous session), fastest first, equal times by smaller peak memory, at most 10'),
});

const MyProgress = z.strictObject({
  user: z.string(),
  name: z.string().nullable(),
  problems: z.array(
    z.strictObject({
      problem: z.string(),
      attempts: z.number().int().describe('graded runs (`test`) of this user at this problem'),
      bestPassed: z.number().int().describe('the most cases one run passed'),
      total: z.number().int(),
      solved: z.boolean(),
      firstSolvedAt: z.iso.datetime().nullable(),
      bestWallMs: z.number().nullable().describe('the fastest solving run\'s wall time'),
      bestPeakMemKb: z.number().nullable(),
      bestRun: z.string().nullable(),
      lastAttemptAt: z.iso.datetime(),
    }),
  ),
});

const ApiError = z.strictObject({ error: z.string().describe('not_found, unauthenticated, internal_error'), message: z.string().optional() });

/** The schema of each answer, by name (the document's components). */
export const API_SCHEMAS = { RunSummary, RunError, ProblemListItem, PublicProblem, ProblemStats, Leaderboard, MyProgress, ApiError } as const;

type SchemaName = keyof typeof API_SCHEMAS;

interface Operation {
  summary: string;
  /** The 200 answer's schema: a component, or a list of one. */
  ok: SchemaName | [SchemaName] | 'OpenApi';
  params?: Record<string, string>;
  notFound?: string;
  /** Needs `Authorization: Bearer <token>`: 401 without a valid one. */
  bearer?: boolean;
}

/** Every GET the API answers, by OpenAPI path template; rest.ts's route table carries the same templates. */
export const API_OPERATIONS: Record<string, Operation> = {
  '/api/problems': { summary: 'The problem catalog', ok: ['ProblemListItem'] },
  '/api/problems/{slug}': { summary: 'One problem with its public cases (hidden ones only counted)', ok: 'PublicProblem', params: { slug: 'problem slug' }, notFound: 'no such problem' },
  '/api/problems/{slug}/stats': { summary: 'Attempts, pass rates and median times of a problem\'s graded runs', ok: 'ProblemStats', params: { slug: 'problem slug' }, notFound: 'no such problem' },
  '/api/problems/{slug}/leaderboard': { summary: 'The fastest solving run of each session', ok: 'Leaderboard', params: { slug: 'problem slug' }, notFound: 'no such problem' },
  '/api/runs/{run}': { summary: 'A finished run\'s summary (never its code)', ok: 'RunSummary', params: { run: 'run id' }, notFound: 'no such run' },
  '/api/sessions/{session}/runs': { summary: 'A session\'s finished runs, oldest first', ok: ['RunSummary'], params: { session: 'session id' } },
  '/api/me/progress': { summary: 'The caller\'s progress per problem (attempts, best result, first solved, best time), from its token', ok: 'MyProgress', bearer: true },
  '/api/openapi.json': { summary: 'This document', ok: 'OpenApi' },
};

const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

function operation(op: Operation) {
  const okSchema = op.ok === 'OpenApi' ? { type: 'object' } : Array.isArray(op.ok) ? { type: 'array', items: ref(op.ok[0]) } : ref(op.ok);
  return {
    get: {
      summary: op.summary,
      ...(op.bearer ? { security: [{ bearer: [] }] } : {}),
      parameters: Object.entries(op.params ?? {}).map(([name, description]) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } })),
      responses: {
        200: { description: 'OK', content: json(okSchema) },
        ...(op.bearer ? { 401: { description: 'no valid token (TRACECAST_AUTH=off, none sent, or it does not verify)', content: json(ref('ApiError')) } } : {}),
        ...(op.notFound ? { 404: { description: op.notFound, content: json(ref('ApiError')) } } : {}),
        500: { description: 'the server failed; it is logged', content: json(ref('ApiError')) },
      },
    },
  };
}

/** The document (built once: it depends on nothing configured). */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'tracecast JSON API',
      version: '1',
      description:
        'Read-only JSON over HTTP beside the WebSocket protocol (protocol/README.md). Other origins may read it only when listed in TRACECAST_CORS_ORIGINS. Health: /health, /health/live, /health/ready; metrics: /metrics (Prometheus text).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths: Object.fromEntries(Object.entries(API_OPERATIONS).map(([path, op]) => [path, operation(op)])),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: Object.fromEntries(
        Object.entries(API_SCHEMAS).map(([name, schema]) => {
          const { $schema: _, ...body } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
          return [name, body];
        }),
      ),
    },
  };
}
