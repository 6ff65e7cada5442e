/**
 * The problem catalog on disk: a folder of `<slug>.json` files, one problem each (see problem.ts).
 *
 * `importProblems(dir)` reads and validates every `*.json` file directly in `dir` (sub-folders such
 * as `solutions/` and `tools/` are ignored) and fails with every problem found, not just the first;
 * `exportProblems(problems, dir)` writes them back in the canonical layout produced by
 * {@link formatProblemJson}, so an import → export round trip leaves the files unchanged.
 */
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { safeParseProblem, toProblemFile, type Problem, type ProblemFile } from './problem.ts';

export class CatalogError extends Error {
  constructor(readonly problems: { file: string; message: string }[]) {
    super(`invalid problem catalog:\n${problems.map((p) => `  ${p.file}: ${p.message}`).join('\n')}`);
    this.name = 'CatalogError';
  }
}

/** Reads, validates and versions one problem file; the file name must be `<slug>.json`. */
export async function loadProblemFile(file: string): Promise<Problem> {
  const r = await tryLoad(file);
  if ('error' in r) throw new CatalogError([{ file, message: r.error }]);
  return r.problem;
}

async function tryLoad(file: string): Promise<{ problem: Problem } | { error: string }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    return { error: `not readable JSON: ${(e as Error).message}` };
  }
  const r = safeParseProblem(raw);
  if (!r.success) {
    return { error: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  }
  const want = `${r.data.slug}.json`;
  if (path.basename(file) !== want) return { error: `file name must be ${want} (the slug)` };
  return { problem: r.data };
}

/** Every problem in `dir` (`*.json`, not recursive), validated, sorted by slug. Throws {@link CatalogError}. */
export async function importProblems(dir: string): Promise<Problem[]> {
  // stat, not the entry's own type: a problem file may be a symlink (a catalog assembled from several folders).
  const jsonNames = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  const isFile = await Promise.all(jsonNames.map((n) => stat(path.join(dir, n)).then((s) => s.isFile(), () => false)));
  const names = jsonNames.filter((_, i) => isFile[i]).sort();
  const results = await Promise.all(names.map(async (n) => ({ file: path.join(dir, n), r: await tryLoad(path.join(dir, n)) })));
  const errors: { file: string; message: string }[] = [];
  const problems: Problem[] = [];
  const bySlug = new Map<string, string>();
  for (const { file, r } of results) {
    if ('error' in r) { errors.push({ file, message: r.error }); continue; }
    const other = bySlug.get(r.problem.slug);
    if (other !== undefined) { errors.push({ file, message: `slug ${r.problem.slug} also used by ${other}` }); continue; }
    bySlug.set(r.problem.slug, file);
    problems.push(r.problem);
  }
  if (errors.length) throw new CatalogError(errors);
  return problems.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}

/** Writes each problem to `<dir>/<slug>.json` (creating `dir`); returns the paths written. */
export async function exportProblems(problems: (Problem | ProblemFile)[], dir: string): Promise<string[]> {
  const slugs = new Set<string>();
  for (const p of problems) {
    if (slugs.has(p.slug)) throw new Error(`duplicate slug ${p.slug}`);
    slugs.add(p.slug);
  }
  await mkdir(dir, { recursive: true });
  const out: string[] = [];
  for (const p of problems) {
    const file = path.join(dir, `${p.slug}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, formatProblemJson(p));
    await rename(tmp, file);
    out.push(file);
  }
  return out;
}

/**
 * The canonical file text: 2-space indentation, except that arrays of numbers (or of arrays of
 * numbers: intervals, 100k-number inputs), short arrays of scalars, and small values inside a
 * case (≤ 80 characters, e.g. `{"$set":[1,2]}`) stay on one line. Ends with a newline.
 */
export function formatProblemJson(p: Problem | ProblemFile): string {
  return fmt(toProblemFile(p), '') + '\n';
}

const INLINE_WIDTH = 80;

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}
function isAtom(v: unknown): boolean {
  return v === null || typeof v === 'number' || typeof v === 'boolean';
}
/** One line: arrays of numbers/booleans/null (or of arrays of those), and any array shorter than 80 characters. */
function isFlat(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  if (v.every((x) => isAtom(x) || (Array.isArray(x) && x.every(isAtom)))) return true;
  return v.every((x) => isScalar(x) || (Array.isArray(x) && x.every(isScalar))) && JSON.stringify(v).length <= INLINE_WIDTH;
}

/** depth: 0 the problem, 1 its fields, 2 a case or a language, 3+ values inside a case. */
function fmt(v: unknown, indent: string, depth = 0): string {
  if (isScalar(v) || isFlat(v)) return JSON.stringify(v);
  if (depth >= 3) {
    const compact = JSON.stringify(v);
    if (compact.length <= INLINE_WIDTH) return compact;
  }
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[\n' + v.map((x) => inner + fmt(x, inner, depth + 1)).join(',\n') + '\n' + indent + ']';
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return '{\n' + entries.map(([k, x]) => inner + JSON.stringify(k) + ': ' + fmt(x, inner, depth + 1)).join(',\n') + '\n' + indent + '}';
}
