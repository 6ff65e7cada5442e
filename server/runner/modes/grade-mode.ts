/** Grade mode: compares each case's result with its expected value on the server, and reveals nothing of hidden cases. */
import type { CaseFrame, TracerFrame } from '../../../protocol/trace.ts';
import { compareResult } from '../../problems/compare.ts';
import { caseCompare, gradeJob, type Problem, type ProblemLanguage } from '../../problems/problem.ts';
import type { Emit, ModeHandler } from './mode.ts';

export class GradeMode implements ModeHandler {
  readonly sandboxJob: Record<string, unknown>;
  private readonly seen = new Set<string>();
  private passed = 0;

  constructor(
    private readonly problem: Problem,
    language: ProblemLanguage,
    code: string,
  ) {
    // Only ids, arguments and time limits enter the sandbox: expected values stay here.
    const { mode, entry, cases } = gradeJob(problem, language, code, { includeHidden: true });
    this.sandboxJob = { mode, entry, cases };
  }

  begin(): void {}

  onFrame(frame: TracerFrame, emit: Emit): void {
    if (frame.t !== 'case') return;
    const index = this.problem.cases.findIndex((c) => c.id === frame.id);
    if (index < 0 || this.seen.has(frame.id)) return;
    this.seen.add(frame.id);
    emit(this.judge(frame, index));
  }

  private judge(frame: CaseFrame, index: number) {
    const c = this.problem.cases[index];
    const outcome = frame.status === 'ok' ? compareResult(c.expected, frame.result, caseCompare(this.problem, c)) : { passed: false, reason: frame.status === 'timeout' ? 'time limit exceeded' : 'raised an exception' };
    if (outcome.passed) this.passed++;
    const base = { type: 'test.case' as const, case: c.id, index, hidden: c.hidden, passed: outcome.passed, status: frame.status, ms: frame.ms };
    if (c.hidden) return base;
    return {
      ...base,
      input: c.args,
      expected: c.expected,
      actual: frame.result,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(frame.error ? { error: frame.error } : {}),
    };
  }

  end(emit: Emit): void {
    const { problem, passed, total } = this.record();
    emit({ type: 'test.summary', problem, passed, total, passRate: total ? passed / total : 0 });
  }

  record() {
    return { problem: this.problem.slug, passed: this.passed, total: this.problem.cases.length };
  }
}
