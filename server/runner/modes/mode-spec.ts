/** A run's mode as plain data (it crosses from a gateway to a runner through the queue), and the handler a runner builds from it. */
import type { Benchmark, Language } from '../../../protocol/index.ts';
import { isProblemLanguage, type Problem } from '../../problems/problem.ts';
import { BenchMode } from './bench-mode.ts';
import { GradeMode } from './grade-mode.ts';
import type { ModeHandler } from './mode.ts';

export type ModeSpec = { kind: 'bench'; request: Benchmark } | { kind: 'grade'; problem: string; language: Language; code: string };

/**
 * The handler for `spec`; throws when a grade run names a problem or language this runner's catalog lacks (the
 * gateway checked it against its own: the two differ only while a catalog change is being rolled out).
 */
export function modeOf(spec: ModeSpec, problems: ReadonlyMap<string, Problem>): ModeHandler {
  if (spec.kind === 'bench') return new BenchMode(spec.request);
  const problem = problems.get(spec.problem);
  if (!problem || !isProblemLanguage(spec.language) || !(spec.language in problem.languages)) {
    throw new Error(`problem ${spec.problem} (${spec.language}) is not in this runner's catalog`);
  }
  return new GradeMode(problem, spec.language, spec.code);
}
