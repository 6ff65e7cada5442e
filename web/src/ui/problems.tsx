/** The problems panel: the catalog from /api/problems, a statement with its starter code, and each test case's result as it arrives. */
import { useEffect, useState } from 'preact/hooks';
import type { ProblemListItem, PublicProblem } from '../../../server/api/rest.ts';
import type { Language, Test } from '../sdk.ts';
import type { RunModel } from '../model/run-model.ts';
import { Markdown } from './markdown.tsx';

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export interface ProblemsPanelProps {
  language: Language;
  run: RunModel | null;
  loadCode(code: string): void;
  code(): string;
  submit(message: Omit<Test, 'id' | 'session' | 'ownerKey'>): void;
}

export function ProblemsPanel({ language, run, loadCode, code, submit }: ProblemsPanelProps) {
  const [list, setList] = useState<ProblemListItem[] | null>(null);
  const [slug, setSlug] = useState<string>('');
  const [problem, setProblem] = useState<PublicProblem | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  /** The problem the shown run was graded against (the list may have moved on since). */
  const [graded, setGraded] = useState<string | null>(null);
  useEffect(() => {
    getJson<ProblemListItem[]>('/api/problems').then(
      (l) => {
        setList(l);
        if (l.length > 0) setSlug((s) => s || l[0].slug);
      },
      (err: Error) => setFailure(`The problem catalog could not be loaded: ${err.message}`),
    );
  }, []);
  useEffect(() => {
    if (!slug) return;
    setProblem(null);
    getJson<PublicProblem>(`/api/problems/${slug}`).then(setProblem, (err: Error) => setFailure(`The problem could not be loaded: ${err.message}`));
  }, [slug]);

  const version = problem?.languages[language];
  return (
    <div class="problems">
      {failure && <p class="refused">{failure}</p>}
      {list === null ? (
        !failure && <p class="empty">Loading the catalog…</p>
      ) : (
        <label>
          Problem{' '}
          <select aria-label="Problem" value={slug} onChange={(e) => setSlug(e.currentTarget.value)}>
            {list.map((p) => (
              <option key={p.slug} value={p.slug}>
                {p.title} ({p.difficulty})
              </option>
            ))}
          </select>
        </label>
      )}
      {problem && (
        <article class="problem" aria-label={problem.title}>
          <h3>{problem.title}</h3>
          <p class="tags">
            {problem.difficulty} · {problem.category} · {problem.tags.join(', ')} · {problem.cases.length} example cases, {problem.hiddenCases} hidden
          </p>
          <Markdown text={problem.statement} />
          {problem.hints.length > 0 && (
            <details>
              <summary>Hints</summary>
              <ol>
                {problem.hints.map((h, k) => (
                  <li key={k}>{h}</li>
                ))}
              </ol>
            </details>
          )}
          {version ? (
            <>
              <p>
                Write <code>{version.signature}</code> in the editor.
              </p>
              <div class="row">
                <button type="button" onClick={() => loadCode(version.starter)}>
                  Load starter code
                </button>
                <button
                  type="button"
                  onClick={() => {
                    setGraded(problem.slug);
                    submit({ type: 'test', language, code: code(), problem: problem.slug });
                  }}
                >
                  Run tests
                </button>
              </div>
            </>
          ) : (
            <p class="note">This problem has no {language} version: choose {Object.keys(problem.languages).join(' or ')} in the editor.</p>
          )}
        </article>
      )}
      {run && <TestResults run={run} problem={problem?.slug === graded ? problem : null} />}
    </div>
  );
}

const show = (v: unknown): string => JSON.stringify(v);

/** Each case's result as it arrives, in the problem's order; hidden cases only say passed or failed. */
export function TestResults({ run, problem }: { run: RunModel; problem: PublicProblem | null }) {
  const { cases, summary } = run.tests;
  const byIndex = new Map(cases.map((c) => [c.index, c]));
  const total = summary?.total ?? (problem ? problem.cases.length + problem.hiddenCases : cases.length);
  const rows = Array.from({ length: Math.max(total, cases.length) }, (_, k) => k);
  const passed = cases.filter((c) => c.passed).length;
  return (
    <div class="tests">
      <p class="tests-summary" data-testid="tests-summary">
        {summary ? `${summary.passed} of ${summary.total} cases passed` : `${cases.length} of ${total || '…'} cases graded, ${passed} passed`}
      </p>
      <ol class="cases" aria-label="Test cases">
        {rows.map((k) => {
          const c = byIndex.get(k);
          if (!c) return <li key={k} class="case pending">{run.running ? 'waiting…' : 'no result'}</li>;
          return (
            <li key={k} class={`case ${c.passed ? 'passed' : 'failed'}`} data-case={c.case}>
              <strong>{c.passed ? '✔ passed' : '✘ failed'}</strong> {c.hidden ? `hidden case ${k + 1}` : `case ${c.case}`}
              {c.status !== 'ok' && ` (${c.status})`} · {c.ms < 10 ? c.ms.toPrecision(2) : Math.round(c.ms)} ms
              {!c.hidden && (
                <dl>
                  <dt>input</dt>
                  <dd>
                    <code>{show(c.input)}</code>
                  </dd>
                  <dt>expected</dt>
                  <dd>
                    <code>{show(c.expected)}</code>
                  </dd>
                  <dt>returned</dt>
                  <dd>
                    <code>{c.actual === undefined ? '—' : show(c.actual)}</code>
                  </dd>
                  {c.reason && (
                    <>
                      <dt>why</dt>
                      <dd>{c.reason}</dd>
                    </>
                  )}
                  {c.error && (
                    <>
                      <dt>error</dt>
                      <dd>
                        {c.error.type}: {c.error.message}
                        {c.error.line !== undefined && c.error.line !== null && ` (line ${c.error.line})`}
                      </dd>
                    </>
                  )}
                </dl>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
