/**
 * The problem catalog in the store: files are imported into it (at start-up from
 * TRACECAST_PROBLEMS_DIR, or with `tracecast problems import`), the server grades from it,
 * and `tracecast problems export` writes it back as files.
 */
import type { Store } from '../store/store.ts';
import { exportProblems, importProblems } from './catalog.ts';
import { safeParseProblem, toProblemFile, type Problem } from './problem.ts';

export interface ImportReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** Validates every problem file in `dir` (all or nothing), then saves each into the store. */
export async function importIntoStore(store: Store, dir: string): Promise<ImportReport> {
  const report: ImportReport = { created: [], updated: [], unchanged: [] };
  for (const p of await importProblems(dir)) {
    const outcome = await store.saveProblem({ slug: p.slug, version: p.version, doc: toProblemFile(p) });
    report[outcome].push(p.slug);
  }
  return report;
}

/**
 * Every valid problem in the store, validated again (the store holds what an older version, or
 * another tool, may have written); the invalid ones are reported, not fatal to the server.
 */
export async function loadCatalog(store: Store): Promise<{ problems: Problem[]; invalid: string[] }> {
  const problems: Problem[] = [];
  const invalid: string[] = [];
  for (const s of await store.listProblems()) {
    const r = safeParseProblem(s.doc);
    if (r.success) problems.push(r.data);
    else invalid.push(s.slug);
  }
  return { problems, invalid };
}

export async function exportFromStore(store: Store, dir: string): Promise<string[]> {
  return exportProblems((await loadCatalog(store)).problems, dir);
}
