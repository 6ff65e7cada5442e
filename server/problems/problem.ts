/**
 * A problem file: statement, per-language entry point and starter code, and test cases.
 *
 * On disk (problems/<slug>.json, see catalog.ts) a problem is {@link ProblemFile}; once parsed it
 * also carries a `version`: a hash of its normalized content (every field, cases included, keys
 * sorted, so reformatting the file does not change it and any edit does). Results graded against
 * one version are comparable; a new version means the cases or the statement changed.
 *
 * Case `args` are plain JSON (the positional arguments of the entry function); `expected` uses the
 * grade-mode result encoding (`$set`, `$map`, `$float`, … — see compare.ts and
 * tracer-runtimes/CHANNEL.md), checked for well-formedness here. Only ids, args and time limits
 * enter the sandbox ({@link gradeCases}); expected values stay on the server.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { checkEncoded, type CompareSpec } from './compare.ts';
import { GRADE_LANGUAGES } from '../../protocol/languages.ts';

export const MAX_TIME_LIMIT_MS = 60_000;

export const Difficulty = z.enum(['easy', 'medium', 'hard']);
export type Difficulty = z.infer<typeof Difficulty>;

export const CompareMode = z.enum(['exact', 'unordered', 'float']);

/** `"exact"`, `"unordered"`, `"float"`, or `{"mode": …, "tolerance": …}`; normalized to the object form. */
export const Compare = z
  .union([
    CompareMode,
    z.object({ mode: CompareMode, tolerance: z.number().nonnegative().finite().optional() }).strict(),
  ])
  .transform((c): CompareSpec => (typeof c === 'string' ? { mode: c } : c))
  .refine((c) => c.tolerance === undefined || c.mode === 'float', { message: 'tolerance only applies to compare mode "float"' });

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Any JSON value (finite numbers only), checked without zod's per-node cost: cases can hold 100k-element arrays. */
function isJson(v: unknown, depth = 0): v is Json {
  if (depth > 200) return false;
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) {
    for (const x of v) if (!isJson(x, depth + 1)) return false;
    return true;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v as object)) if (!isJson(x, depth + 1)) return false;
    return true;
  }
  return false;
}
export const JsonValue = z.custom<Json>((v) => isJson(v), { message: 'not a JSON value (finite numbers, at most 200 levels deep)' });

const PY_KEYWORDS = new Set(('False None True and as assert async await break class continue def del elif else except finally for '
  + 'from global if import in is lambda nonlocal not or pass raise return try while with yield').split(' '));
const JS_RESERVED = new Set(('await break case catch class const continue debugger default delete do else enum export extends false '
  + 'finally for function if implements import in instanceof interface let new null package private protected public return '
  + 'static super switch this throw true try typeof var void while with yield').split(' '));

export const LanguageSpec = z
  .object({
    /** Name of the function the cases call. */
    entry: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'entry must be an identifier (letters, digits, _)'),
    /** The signature as shown to the learner, e.g. `def two_sum(nums: list[int], target: int) -> list[int]`. */
    signature: z.string().min(1),
    /** Code the editor starts with; defines the entry function. */
    starter: z.string(),
  })
  .strict();
export type LanguageSpec = z.infer<typeof LanguageSpec>;

export const Languages = z
  .object({
    python: LanguageSpec.refine((l) => !PY_KEYWORDS.has(l.entry), { message: 'entry is a Python keyword', path: ['entry'] }),
    javascript: LanguageSpec.refine((l) => !JS_RESERVED.has(l.entry), { message: 'entry is a JavaScript reserved word', path: ['entry'] }),
  })
  .strict();
export type ProblemLanguage = keyof z.infer<typeof Languages>;
/** The languages with a grade harness (C++ has none): problems have a version in each. */
export const PROBLEM_LANGUAGES: ProblemLanguage[] = GRADE_LANGUAGES;
export const isProblemLanguage = (l: string): l is ProblemLanguage => (PROBLEM_LANGUAGES as string[]).includes(l);

export const TestCase = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'case id: 1–64 of letters, digits, _ . - (first a letter or digit)'),
    /** For authors and reviewers: what the case checks. Never sent to the sandbox. */
    note: z.string().optional(),
    /** Positional arguments of the entry function (plain JSON). */
    args: z.array(JsonValue),
    /** The expected result, in the grade-mode result encoding. */
    expected: JsonValue,
    /** Hidden cases are graded but their args and expected value are not shown to the learner. */
    hidden: z.boolean(),
    /** Per-case time limit (grade mode's default is 2000 ms). */
    timeLimitMs: z.number().int().min(1).max(MAX_TIME_LIMIT_MS).optional(),
    /** Overrides the problem's compare mode for this case. */
    compare: Compare.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const bad = checkEncoded(c.expected, 'expected');
    if (bad) ctx.addIssue({ code: z.ZodIssueCode.custom, message: bad, path: ['expected'] });
  });
export type TestCase = z.infer<typeof TestCase>;

export const ProblemFile = z
  .object({
    /** Lower-case words joined by `_`; also the file name (`<slug>.json`). */
    slug: z.string().regex(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/, 'slug: lower-case words joined by _').max(64),
    title: z.string().min(1).max(200),
    /** Markdown. */
    statement: z.string().min(1),
    difficulty: Difficulty,
    category: z.string().min(1),
    tags: z.array(z.string().min(1)),
    hints: z.array(z.string().min(1)),
    languages: Languages,
    /** Default comparison of results with expected values. */
    compare: Compare.default('exact'),
    cases: z.array(TestCase).min(1),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.cases.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `duplicate case id ${c.id}`, path: ['cases', i, 'id'] });
      seen.add(c.id);
    });
    if (!p.cases.some((c) => !c.hidden)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'at least one case must be public (hidden: false)', path: ['cases'] });
    }
  });
/** A problem file as parsed (compare modes normalized, defaults filled). */
export type ProblemFile = z.infer<typeof ProblemFile>;
/** What a problem file holds before parsing (compare modes may be shorthand strings). */
export type ProblemFileInput = z.input<typeof ProblemFile>;

export type Problem = ProblemFile & {
  /** First 16 hex digits of the SHA-256 of the normalized content. */
  version: string;
};

/** JSON with object keys sorted at every level: the hashed form. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(stableStringify).join(',') + ']';
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return '{' + Object.keys(o).filter((k) => o[k] !== undefined).sort()
      .map((k) => JSON.stringify(k) + ':' + stableStringify(o[k])).join(',') + '}';
  }
  return JSON.stringify(v) ?? 'null';
}

/** The file form of a problem: no version, compare modes without a tolerance written as plain strings. */
export function toProblemFile(p: ProblemFile | Problem): ProblemFileInput {
  const cmp = (c: CompareSpec) => (c.tolerance === undefined ? c.mode : { mode: c.mode, tolerance: c.tolerance });
  return {
    slug: p.slug,
    title: p.title,
    statement: p.statement,
    difficulty: p.difficulty,
    category: p.category,
    tags: p.tags,
    hints: p.hints,
    languages: p.languages,
    compare: cmp(p.compare),
    cases: p.cases.map((c) => ({
      id: c.id,
      ...(c.note !== undefined ? { note: c.note } : {}),
      args: c.args,
      expected: c.expected,
      hidden: c.hidden,
      ...(c.timeLimitMs !== undefined ? { timeLimitMs: c.timeLimitMs } : {}),
      ...(c.compare !== undefined ? { compare: cmp(c.compare) } : {}),
    })),
  };
}

export function problemVersion(p: ProblemFile | Problem): string {
  return createHash('sha256').update(stableStringify(toProblemFile(p))).digest('hex').slice(0, 16);
}

/** Validates a problem file's content (throws a ZodError) and adds its version. */
export function parseProblem(raw: unknown): Problem {
  const p = ProblemFile.parse(raw);
  return { ...p, version: problemVersion(p) };
}

export function safeParseProblem(raw: unknown): { success: true; data: Problem } | { success: false; error: z.ZodError } {
  const r = ProblemFile.safeParse(raw);
  return r.success ? { success: true, data: { ...r.data, version: problemVersion(r.data) } } : { success: false, error: r.error };
}

/** How a case's result is compared: the case's own mode, else the problem's. */
export function caseCompare(p: ProblemFile, c: TestCase): CompareSpec {
  return c.compare ?? p.compare;
}

/** A grade job's `cases`: what enters the sandbox (no expected values). */
export function gradeCases(p: ProblemFile, opts: { includeHidden?: boolean } = {}): { id: string; args: Json[]; timeLimitMs?: number }[] {
  const include = opts.includeHidden ?? true;
  return p.cases
    .filter((c) => include || !c.hidden)
    .map((c) => (c.timeLimitMs === undefined ? { id: c.id, args: c.args } : { id: c.id, args: c.args, timeLimitMs: c.timeLimitMs }));
}

/** A grade-mode job for a learner's code (tracer-runtimes/CHANNEL.md, "grade mode"). */
export function gradeJob(p: ProblemFile, lang: ProblemLanguage, code: string, opts: { includeHidden?: boolean; maxOutputBytes?: number } = {}) {
  return {
    mode: 'grade' as const,
    code,
    entry: p.languages[lang].entry,
    cases: gradeCases(p, opts),
    maxOutputBytes: opts.maxOutputBytes ?? 65536,
  };
}
