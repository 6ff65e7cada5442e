/**
 * The problem catalog (problems/*.json): every file validates, slugs are unique, the generated
 * cases are up to date, import/export round-trips; every case of every problem passes with the
 * reference solutions (problems/solutions/) run through the grade harnesses — Python in the
 * sandbox base image, JavaScript with node — and compared by server/problems/compare.ts; the
 * deliberately wrong two_sum fails exactly the duplicate-value cases.
 */
import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { compareResult } from '../../server/problems/compare.ts';
import { CatalogError, exportProblems, formatProblemJson, importProblems } from '../../server/problems/catalog.ts';
import {
  caseCompare, gradeJob, parseProblem, PROBLEM_LANGUAGES, safeParseProblem, toProblemFile, type Problem, type ProblemLanguage,
} from '../../server/problems/problem.ts';
import { applyGenerated } from '../../problems/tools/make-cases.ts';
import { gradeJavaScript, gradePython, ROOT, type GradeJob, type GradeRun } from '../support/grade-run.ts';

const DIR = path.join(ROOT, 'problems');
const EXT: Record<ProblemLanguage, string> = { python: 'py', javascript: 'js' };
const REQUIRED = ['two_sum', 'binary_search', 'reverse_string', 'valid_parentheses', 'max_subarray', 'merge_intervals',
  'fibonacci', 'is_anagram', 'climbing_stairs'];
/** Cases the wrong two_sum (equal values treated as the same element) must fail, in both languages. */
const WRONG_TWO_SUM_FAILS = ['dup_far', 'dup_pair', 'zeros'];

let problems: Problem[] = [];

before(async () => {
  problems = await importProblems(DIR);
});

describe('problem catalog', () => {
  it('every file validates, slugs are unique and name their files', async () => {
    assert.ok(problems.length >= 8, `only ${problems.length} problems`);
    const slugs = problems.map((p) => p.slug);
    assert.equal(new Set(slugs).size, slugs.length);
    for (const s of REQUIRED) assert.ok(slugs.includes(s), `missing problem ${s}`);
    for (const p of problems) {
      assert.match(p.version, /^[0-9a-f]{16}$/);
      const raw = JSON.parse(await readFile(path.join(DIR, `${p.slug}.json`), 'utf8'));
      assert.equal(raw.slug, p.slug);
    }
  });

  it('every problem has public and hidden cases, both languages, a reference solution per language', async () => {
    for (const p of problems) {
      assert.ok(p.cases.some((c) => !c.hidden), `${p.slug}: no public case`);
      assert.ok(p.cases.some((c) => c.hidden), `${p.slug}: no hidden case`);
      for (const lang of PROBLEM_LANGUAGES) {
        const l = p.languages[lang];
        assert.ok(l.starter.includes(l.entry), `${p.slug}/${lang}: the starter code does not define ${l.entry}`);
        assert.ok(l.signature.includes(l.entry), `${p.slug}/${lang}: the signature does not name ${l.entry}`);
        const sol = await readFile(path.join(DIR, 'solutions', `${p.slug}.${EXT[lang]}`), 'utf8');
        assert.ok(sol.includes(l.entry), `${p.slug}/${lang}: the solution does not define ${l.entry}`);
      }
    }
  });

  it('two_sum has the required cases and a file under 2 MB', async () => {
    const p = problems.find((x) => x.slug === 'two_sum')!;
    assert.equal(p.compare.mode, 'unordered');
    assert.match(p.statement, /return an empty list `\[\]`/);
    const byId = new Map(p.cases.map((c) => [c.id, c]));
    const args = (id: string) => byId.get(id)!.args as [number[], number];
    // no solution: expected []
    assert.ok(p.cases.some((c) => Array.isArray(c.expected) && c.expected.length === 0 && (c.args[0] as number[]).length >= 2));
    // duplicates: the answer is a pair of equal values
    assert.deepEqual(args('dup_pair'), [[3, 3], 6]);
    assert.ok(p.cases.filter((c) => {
      const [nums] = c.args as [number[]];
      const e = c.expected as number[];
      return e.length === 2 && nums[e[0]] === nums[e[1]];
    }).length >= 3);
    // negative numbers
    assert.ok(p.cases.some((c) => (c.args[0] as number[]).some((x) => x < 0) && (c.expected as number[]).length === 2));
    // the 100,000-element performance case, with a unique answer near the end
    const perf = byId.get('perf_100k')!;
    assert.equal(args('perf_100k')[0].length, 100_000);
    assert.equal(perf.hidden, true);
    const [i, j] = perf.expected as number[];
    assert.ok(i < j && i >= 90_000);
    assert.equal(args('perf_100k')[0][i] + args('perf_100k')[0][j], args('perf_100k')[1]);
    const size = (await stat(path.join(DIR, 'two_sum.json'))).size;
    assert.ok(size < 2 * 1024 * 1024, `two_sum.json is ${size} bytes`);
  });

  it('the generated cases are up to date (problems/tools/make-cases.ts --check)', () => {
    const regenerated = applyGenerated(problems);
    assert.deepEqual(regenerated.map((p) => p.version), problems.map((p) => p.version));
  });

  it('export then import round-trips: same versions, same bytes', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'tc-problems-'));
    try {
      const files = await exportProblems(problems, tmp);
      assert.equal(files.length, problems.length);
      const again = await importProblems(tmp);
      assert.deepEqual(again.map((p) => p.version), problems.map((p) => p.version));
      for (const p of problems) {
        const a = await readFile(path.join(DIR, `${p.slug}.json`), 'utf8');
        const b = await readFile(path.join(tmp, `${p.slug}.json`), 'utf8');
        assert.ok(a === b, `${p.slug}.json is not in the canonical layout (run make-cases.ts to rewrite it)`);
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('a catalog of symlinked problem files is read like one of plain files', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'tc-problems-'));
    try {
      for (const p of problems) await symlink(path.join(DIR, `${p.slug}.json`), path.join(tmp, `${p.slug}.json`));
      const linked = await importProblems(tmp);
      assert.deepEqual(linked.map((p) => p.slug), problems.map((p) => p.slug));
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('the version changes with the content, not with the layout', () => {
    const p = problems.find((x) => x.slug === 'fibonacci')!;
    const file = toProblemFile(p);
    assert.equal(parseProblem(JSON.parse(JSON.stringify(file))).version, p.version);
    assert.equal(parseProblem(JSON.parse(formatProblemJson(p))).version, p.version);
    assert.notEqual(parseProblem({ ...file, title: p.title + '!' }).version, p.version);
    const cases = file.cases.map((c) => (c.id === 'n10' ? { ...c, expected: 56 } : c));
    assert.notEqual(parseProblem({ ...file, cases }).version, p.version);
  });

  it('the schema rejects malformed problems', async () => {
    const base = toProblemFile(problems.find((x) => x.slug === 'fibonacci')!);
    const bad: [string, unknown][] = [
      ['duplicate case id', { ...base, cases: [...base.cases, base.cases[0]] }],
      ['malformed $set', { ...base, cases: [{ ...base.cases[0], expected: { $set: 1 } }] }],
      ['no public case', { ...base, cases: base.cases.map((c) => ({ ...c, hidden: true })) }],
      ['missing language', { ...base, languages: { python: base.languages.python } }],
      ['keyword entry', { ...base, languages: { ...base.languages, python: { ...base.languages.python, entry: 'def' } } }],
      ['bad compare', { ...base, compare: 'fuzzy' }],
      ['tolerance without float', { ...base, compare: { mode: 'exact', tolerance: 0.1 } }],
      ['bad difficulty', { ...base, difficulty: 'trivial' }],
      ['unknown field', { ...base, author: 'x' }],
      ['bad slug', { ...base, slug: 'Two-Sum' }],
      ['args not a list', { ...base, cases: [{ ...base.cases[0], args: 5 }] }],
      ['time limit too large', { ...base, cases: [{ ...base.cases[0], timeLimitMs: 10 ** 6 }] }],
    ];
    for (const [what, raw] of bad) assert.equal(safeParseProblem(raw).success, false, what);
    const ok = safeParseProblem({ ...base, compare: { mode: 'float', tolerance: 1e-9 } });
    assert.ok(ok.success && ok.data.compare.tolerance === 1e-9);

    // importProblems reports every broken file, and a file named after another slug
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'tc-problems-'));
    try {
      await writeFile(path.join(tmp, 'fibonacci.json'), JSON.stringify(base));
      await writeFile(path.join(tmp, 'other.json'), JSON.stringify(base));
      await writeFile(path.join(tmp, 'broken.json'), '{');
      await assert.rejects(importProblems(tmp), (e: unknown) => {
        assert.ok(e instanceof CatalogError);
        assert.equal(e.problems.length, 2);
        assert.match(e.message, /other\.json: file name must be fibonacci\.json/);
        assert.match(e.message, /broken\.json: not readable JSON/);
        return true;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

describe('reference solutions pass every case through the grade harness', () => {
  const runs = new Map<string, GradeRun>();   // `${lang}/${slug}` and `${lang}/wrong/two_sum`
  let jobs: { key: string; lang: ProblemLanguage; job: GradeJob }[] = [];

  before(async () => {
    jobs = [];
    for (const p of problems) {
      for (const lang of PROBLEM_LANGUAGES) {
        const code = await readFile(path.join(DIR, 'solutions', `${p.slug}.${EXT[lang]}`), 'utf8');
        jobs.push({ key: `${lang}/${p.slug}`, lang, job: gradeJob(p, lang, code) });
      }
    }
    const ts = problems.find((p) => p.slug === 'two_sum')!;
    for (const lang of PROBLEM_LANGUAGES) {
      const code = await readFile(path.join(DIR, 'solutions', 'wrong', `two_sum.${EXT[lang]}`), 'utf8');
      jobs.push({ key: `${lang}/wrong/two_sum`, lang, job: gradeJob(ts, lang, code) });
    }
    const py = jobs.filter((j) => j.lang === 'python');
    const js = jobs.filter((j) => j.lang === 'javascript');
    const [pyRuns, jsRuns] = await Promise.all([
      gradePython(py.map((j) => j.job)),
      Promise.all(js.map((j) => gradeJavaScript(j.job))),
    ]);
    py.forEach((j, i) => runs.set(j.key, pyRuns[i]));
    js.forEach((j, i) => runs.set(j.key, jsRuns[i]));
  });

  /** The failing case ids of a run, after checking its frames. */
  function failures(p: Problem, run: GradeRun, key: string): string[] {
    assert.ok(run.end, `${key}: no end frame`);
    assert.equal(run.end.status, 'ok', `${key}: ${JSON.stringify(run.end.error)}`);
    assert.deepEqual(run.cases.map((c) => c.id), p.cases.map((c) => c.id), `${key}: case frames`);
    const failed: string[] = [];
    for (const [i, frame] of run.cases.entries()) {
      const c = p.cases[i];
      assert.ok(typeof frame.ms === 'number' && frame.ms >= 0, `${key}/${c.id}: ms`);
      if (frame.status !== 'ok') { failed.push(`${c.id} (${frame.status}: ${JSON.stringify(frame.error)})`); continue; }
      const r = compareResult(c.expected, frame.result, caseCompare(p, c));
      if (!r.passed) failed.push(`${c.id} (${r.reason})`);
    }
    return failed;
  }

  for (const lang of PROBLEM_LANGUAGES) {
    it(`${lang}: every case of every problem passes`, () => {
      const bad: string[] = [];
      for (const p of problems) {
        const key = `${lang}/${p.slug}`;
        const f = failures(p, runs.get(key)!, key);
        if (f.length) bad.push(`${p.slug}: ${f.join('; ')}`);
      }
      assert.deepEqual(bad, []);
    });

    it(`${lang}: the wrong two_sum fails exactly the duplicate-value cases`, () => {
      const p = problems.find((x) => x.slug === 'two_sum')!;
      const key = `${lang}/wrong/two_sum`;
      const failed = failures(p, runs.get(key)!, key).map((f) => f.split(' ')[0]).sort();
      assert.deepEqual(failed, WRONG_TWO_SUM_FAILS);
      // and the reasons say what went wrong
      const run = runs.get(key)!;
      const dup = run.cases.find((c) => c.id === 'dup_pair')!;
      assert.equal(dup.status, 'ok');
      assert.deepEqual(dup.result, []);
      assert.match(compareResult([0, 1], dup.result, 'unordered').reason!, /returned a list of 0 items, expected 2/);
    });
  }

  it('the 100k two_sum case passes within its time limit', (t) => {
    const limit = problems.find((x) => x.slug === 'two_sum')!.cases.find((c) => c.id === 'perf_100k')!.timeLimitMs ?? 2000;
    for (const lang of PROBLEM_LANGUAGES) {
      const frame = runs.get(`${lang}/two_sum`)!.cases.find((c) => c.id === 'perf_100k')!;
      assert.equal(frame.status, 'ok');
      assert.ok(frame.ms < limit, `${lang}: ${frame.ms} ms`);
      t.diagnostic(`${lang} two_sum perf_100k: ${frame.ms} ms (limit ${limit} ms)`);
    }
  });
});
