/** The Algorithm Dashboard's client messages (JSON text) turned into native client messages, validated by the native schemas. */
import { z } from 'zod';
import { ClientMessages, type ClientMessage, type Language } from '../../../protocol/index.ts';

/** The seed's message types: a connection whose first message is JSON text with one of these speaks the dialect. */
export const SEED_TYPES = ['EXECUTE_ALGORITHM', 'PERFORMANCE_BENCHMARK', 'RUN_TESTS', 'SUBSCRIBE'] as const;
export type SeedType = (typeof SEED_TYPES)[number];

/** What a native reply answers, so the dialect can word it: each kind has its own error message type. */
export type RequestKind = 'execute' | 'benchmark' | 'test' | 'subscribe';

/** The benchmark sizes the Algorithm Dashboard measures. */
const SEED_SIZES = [100, 500, 1000, 2500, 5000];
/** The dashboard waits for its five sizes: a longer budget than the native default (sizes past it are reported). */
const SEED_BUDGET_MS = 30_000;

/** The functions the dashboard calls by name, per language, with the `testData` fields they take. */
const KNOWN: Record<string, { python: string; javascript: string; params: string[]; generator: 'two_sum' | 'sorted_target' }> = {
  two_sum: { python: 'two_sum', javascript: 'twoSum', params: ['nums', 'target'], generator: 'two_sum' },
  binary_search: { python: 'binary_search', javascript: 'binarySearch', params: ['nums', 'target'], generator: 'sorted_target' },
};

const Code = z.string({ required_error: 'algorithmCode is required' });
const LanguageName = z
  .string()
  .default('python')
  .transform((l) => ({ py: 'python', js: 'javascript', node: 'javascript', 'c++': 'cpp' })[l.toLowerCase()] ?? l.toLowerCase());
/** Pacing, as the client asks (milliseconds between EXECUTION_STEPs; 0: as they are produced). */
const StepDelay = z.number().int().min(0).max(10_000).optional();
const Target = { session: z.string().optional(), ownerKey: z.string().optional() };

const SeedMessages = {
  EXECUTE_ALGORITHM: z.object({ algorithmCode: Code, testData: z.unknown().optional(), algorithmName: z.string().optional(), language: LanguageName, stepDelayMs: StepDelay, ...Target }),
  PERFORMANCE_BENCHMARK: z.object({ algorithmCode: Code, algorithmName: z.string().optional(), language: LanguageName, stepDelayMs: StepDelay, ...Target }),
  RUN_TESTS: z.object({ algorithmCode: Code, algorithmName: z.string().optional(), problem: z.string().optional(), language: LanguageName, stepDelayMs: StepDelay, ...Target }),
  SUBSCRIBE: z.object({ session: z.string().optional(), code: z.string().optional(), stepDelayMs: StepDelay }),
} satisfies Record<SeedType, z.ZodTypeAny>;

/** A seed message read: the native message to handle (none for a bare SUBSCRIBE), or why it cannot be. */
export type SeedRequest =
  | { ok: true; kind: RequestKind; message: ClientMessage | null; stepDelayMs?: number }
  | { ok: false; kind: RequestKind | null; error: string };

/** The parsed JSON of a text message when it is a seed message (an object whose `type` is a seed type), else null. */
export function parseSeed(text: string): { type: SeedType } & Record<string, unknown> | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  return (SEED_TYPES as readonly unknown[]).includes(type) ? (raw as { type: SeedType } & Record<string, unknown>) : null;
}

const KINDS: Record<SeedType, RequestKind> = { EXECUTE_ALGORITHM: 'execute', PERFORMANCE_BENCHMARK: 'benchmark', RUN_TESTS: 'test', SUBSCRIBE: 'subscribe' };

/** The native message a seed message asks for; `id` is the request id the native reply will carry. */
export function seedRequest(raw: { type: SeedType } & Record<string, unknown>, id: string): SeedRequest {
  const kind = KINDS[raw.type];
  const parsed = SeedMessages[raw.type].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, kind, error: `${issue.path.join('.') || raw.type}: ${issue.message}` };
  }
  const pacing = parsed.data.stepDelayMs === undefined ? {} : { stepDelayMs: parsed.data.stepDelayMs };
  if (raw.type === 'SUBSCRIBE') {
    const s = parsed.data as z.infer<typeof SeedMessages.SUBSCRIBE>;
    if (s.session === undefined && s.code === undefined) return { ok: true, kind, message: null, ...pacing };
    return native(kind, { type: 'subscribe', id, ...(s.session !== undefined ? { session: s.session } : {}), ...(s.code !== undefined ? { code: s.code } : {}) }, pacing);
  }
  const r = parsed.data as z.infer<typeof SeedMessages.RUN_TESTS> & { testData?: unknown };
  const common = { id, language: r.language, code: r.algorithmCode, ...(r.session !== undefined ? { session: r.session, ownerKey: r.ownerKey } : {}) };
  const language = r.language as Language;
  switch (raw.type) {
    case 'EXECUTE_ALGORITHM':
      return native(kind, { type: 'execute', ...common, ...callOf(r.algorithmCode, language, r.algorithmName, r.testData) }, pacing);
    case 'PERFORMANCE_BENCHMARK': {
      const entry = entryOf(r.algorithmCode, language, r.algorithmName);
      if (!entry) return { ok: false, kind, error: 'the code defines no function to benchmark' };
      const generator = KNOWN[r.algorithmName ?? '']?.generator ?? 'random_ints';
      return native(kind, { type: 'benchmark', ...common, entry: entry.name, generator: { builtin: generator }, sizes: SEED_SIZES, budgetMs: SEED_BUDGET_MS }, pacing);
    }
    default: {
      const problem = r.problem ?? r.algorithmName;
      if (!problem) return { ok: false, kind, error: 'RUN_TESTS needs `problem` (or `algorithmName`): the problem to grade against' };
      return native(kind, { type: 'test', ...common, problem }, pacing);
    }
  }
}

/** Validates `message` with the native schema of its type: the dialect accepts exactly what the native protocol does. */
function native(kind: RequestKind, message: Record<string, unknown> & { type: keyof typeof ClientMessages }, pacing: { stepDelayMs?: number }): SeedRequest {
  const parsed = ClientMessages[message.type].safeParse(message);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, kind, error: `${issue.path.join('.') || message.type}: ${issue.message}` };
  }
  return { ok: true, kind, message: parsed.data, ...pacing };
}

interface Defined {
  name: string;
  params: string[];
}

// Top-level definitions only (at the start of a line): `def f(a, b):`; `function f(a, b)`, `const f = (a, b) =>`,
// `const f = function (a, b)`, `const f = a =>`.
const PYTHON_DEF = /^(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\(([^)]*)\)/gm;
const JS_DEF =
  /^(?:export[ \t]+)?(?:async[ \t]+)?function[ \t]*\*?[ \t]*([A-Za-z_$][\w$]*)[ \t]*\(([^)]*)\)|^(?:export[ \t]+)?(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*=[ \t]*(?:async[ \t]+)?(?:function\b[^(]*\(([^)]*)\)|\(([^)]*)\)[ \t]*=>|([A-Za-z_$][\w$]*)[ \t]*=>)/gm;

// C++: a return type at the start of a line, the name, the parameters, then the body (`int main` left out). Only the
// names are used: a C++ program is benchmarked by name, never called with arguments (callOf).
const CPP_DEF = /^(?:template[ \t]*<[^>\n]*>\s*)?[A-Za-z_][\w:<>,*& \t]*?[ \t*&]([A-Za-z_]\w*)[ \t]*\([^)]*\)[^;{]*\{/gm;

/** The functions the program defines at its top level, in order, with their parameter names. */
function definitions(code: string, language: Language): Defined[] {
  if (language === 'cpp') return [...code.matchAll(CPP_DEF)].map((m) => ({ name: m[1], params: [] })).filter((d) => d.name !== 'main');
  const out: Defined[] = [];
  const params = (list: string) =>
    list
      .split(',')
      .map((p) => p.trim().replace(/^\*+/, '').split(/[:=\s]/)[0])
      .filter((p) => /^[A-Za-z_$][\w$]*$/.test(p) && p !== 'self');
  for (const m of code.matchAll(language === 'python' ? PYTHON_DEF : JS_DEF)) {
    const name = m[1] ?? m[3];
    out.push({ name, params: params(m[2] ?? m[4] ?? m[5] ?? m[6] ?? '') });
  }
  return out;
}

/** `two_sum` as JavaScript spells it: `twoSum`. */
const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * The function the dashboard means: `two_sum` / `binary_search` (JavaScript `twoSum` / `binarySearch`); else the one
 * named `algorithmName` (or its camelCase in JavaScript) if the code defines it; else the first function it defines.
 */
function entryOf(code: string, language: Language, algorithmName: string | undefined): Defined | null {
  const defined = definitions(code, language);
  const known = KNOWN[algorithmName ?? ''];
  if (known && (language === 'python' || language === 'javascript')) {
    const name = known[language];
    return defined.find((d) => d.name === name) ?? { name, params: known.params };
  }
  const names = algorithmName ? [algorithmName, camel(algorithmName)] : [];
  return defined.find((d) => names.includes(d.name)) ?? defined[0] ?? null;
}

/**
 * `entry` and `args` for EXECUTE_ALGORITHM: `testData`'s fields in the order of the function's parameters when every
 * field names one, else its values in order; an array or a scalar is the one argument. No `testData` (nothing to call
 * with) or no function: the program runs as a whole (C++ always does: it has no entry call).
 */
function callOf(code: string, language: Language, algorithmName: string | undefined, testData: unknown): { entry?: string; args?: unknown[] } {
  if (language === 'cpp' || testData === undefined) return {};
  const entry = entryOf(code, language, algorithmName);
  if (!entry) return {};
  return { entry: entry.name, args: argsFor(entry.params, testData) };
}

function argsFor(params: string[], testData: unknown): unknown[] {
  if (typeof testData !== 'object' || testData === null || Array.isArray(testData)) return [testData];
  const fields = testData as Record<string, unknown>;
  const named = params.filter((p) => p in fields);
  if (named.length > 0 && named.length === Object.keys(fields).length) return named.map((p) => fields[p]);
  return Object.values(fields);
}
