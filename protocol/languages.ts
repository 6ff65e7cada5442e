/**
 * The languages tracecast runs: one table, from which the server derives each one's image and tracer (sandbox-
 * images/images.ts), its sandbox (compiled or not: sandbox/sandbox.ts), the protocol's language enum (trace.ts),
 * which modes it has (problems/problem.ts), the CLI's file extensions and value rendering, and the tests' manifests.
 *
 *   LANGUAGES.cpp.compiled      // true: compiled in its sandbox, then run (a `compiled` frame, CHANNEL.md)
 */
export const LANGUAGES = {
  python: {
    /** sandbox-images/<image>/ and tracer-runtimes/<image>/; the image's command runs `main` */
    image: 'python', main: 'tracer.py', rootfs: 'base', compiled: false,
    /** bench and grade modes (the `benchmark` and `test` messages, calls by name) */
    untracedModes: true,
    extensions: ['.py'], literals: { null: 'None', true: 'True', false: 'False' },
  },
  javascript: {
    image: 'javascript', main: 'tracer.mjs', rootfs: 'base', compiled: false, untracedModes: true,
    extensions: ['.js', '.mjs'], literals: { null: 'null', true: 'true', false: 'false' },
  },
  cpp: {
    image: 'cpp', main: 'runner.py', rootfs: 'cpp-base', compiled: true, untracedModes: false,
    extensions: ['.cpp', '.cc'], literals: { null: 'nullptr', true: 'true', false: 'false' },
  },
} as const;

export type Language = keyof typeof LANGUAGES;
/** The table's languages, in its order (a tuple, for z.enum). */
export const LANGUAGE_NAMES = Object.keys(LANGUAGES) as [Language, ...Language[]];
export const isLanguage = (l: string): l is Language => Object.hasOwn(LANGUAGES, l);
/** The languages with bench and grade modes. */
export const UNTRACED_MODE_LANGUAGES = LANGUAGE_NAMES.filter((l) => LANGUAGES[l].untracedModes) as ('python' | 'javascript')[];
/** A file's language by its extension (`.py` → python), or undefined. */
export const languageByExtension = (ext: string): Language | undefined => LANGUAGE_NAMES.find((l) => (LANGUAGES[l].extensions as readonly string[]).includes(ext));
