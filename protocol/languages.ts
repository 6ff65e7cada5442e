/**
 * The languages tracecast runs: one table, from which the server derives each one's image and tracer (sandbox-
 * images/images.ts), its sandbox (compiled or not: sandbox/sandbox.ts), the protocol's language enum (trace.ts),
 * which modes it has (problems/problem.ts, app/runs.ts), the CLI's file extensions and value rendering, and the tests'
 * manifests.
 *
 *   LANGUAGES.cpp.compiled      // true: compiled in its sandbox, then run (a `compiled` frame, CHANNEL.md)
 *   LANGUAGES.cpp.grade         // false: no `test`, no `execute` with entry/args
 */
export const LANGUAGES = {
  python: {
    /** sandbox-images/<image>/ and tracer-runtimes/<image>/; the image's command runs `main` */
    image: 'python', main: 'tracer.py', rootfs: 'base', compiled: false, label: 'Python',
    /** bench mode: the `benchmark` message */
    bench: true,
    /**
     * The built-in generators bench mode takes when not all of them; a list also means no program's own generator
     * (`{function}`). null: every built-in generator and the program's own.
     */
    benchGenerators: null,
    /** grade mode and calls by name with JSON arguments: the `test` message, `execute` with `entry`/`args` */
    grade: true,
    extensions: ['.py'], literals: { null: 'None', true: 'True', false: 'False' },
  },
  javascript: {
    image: 'javascript', main: 'tracer.mjs', rootfs: 'base', compiled: false, label: 'JavaScript',
    bench: true, benchGenerators: null, grade: true,
    extensions: ['.js', '.mjs'], literals: { null: 'null', true: 'true', false: 'false' },
  },
  cpp: {
    image: 'cpp', main: 'runner.py', rootfs: 'cpp-base', compiled: true, label: 'C++',
    // Timings only (no operation count); no graph (neighbour lists) and no own generator: tracer-runtimes/cpp/bench_mode.py.
    bench: true, benchGenerators: ['random_ints', 'sorted_ints', 'reversed_ints', 'string', 'sorted_target', 'two_sum'], grade: false,
    extensions: ['.cpp', '.cc'], literals: { null: 'nullptr', true: 'true', false: 'false' },
  },
} as const;

export type Language = keyof typeof LANGUAGES;
/** The table's languages, in its order (a tuple, for z.enum). */
export const LANGUAGE_NAMES = Object.keys(LANGUAGES) as [Language, ...Language[]];
export const isLanguage = (l: string): l is Language => Object.hasOwn(LANGUAGES, l);
/** The languages with grade mode (`test`, calls by name). */
export type GradeLanguage = { [L in Language]: (typeof LANGUAGES)[L]['grade'] extends true ? L : never }[Language];
export const GRADE_LANGUAGES = LANGUAGE_NAMES.filter((l): l is GradeLanguage => LANGUAGES[l].grade);
/** A file's language by its extension (`.py` → python), or undefined. */
export const languageByExtension = (ext: string): Language | undefined => LANGUAGE_NAMES.find((l) => (LANGUAGES[l].extensions as readonly string[]).includes(ext));
