// The learner's program made runnable: instrumented (instrument.mjs), wrapped in the function that binds the hooks
// and the globals it reads, compiled in the learner's context.
import vm from 'node:vm';
import { instrument } from './instrument.mjs';

// The runtime's hooks (runtime.mjs `hooks`), each bound once as `$__<name>`.
const HOOK_NAMES = ['s', 'c', 'r', 'R', 'E', 'Y', 'P', 'x', 'h', 'k', 'w', 'm', 'M', 'O', 'L', 'A', 'g', 'mf', 'H'];

/**
 * instrument()'s result as a script whose value is `($__T, $__G) => main`: $__T the hooks, $__G the context's global.
 * Read globals are bound once as constants (global lookups in a vm context are slow), taken from `$__G`: a learner
 * name can be anything, `globalThis` included, and `const globalThis=globalThis.globalThis` would read its own
 * binding. A program naming `globalThis` can replace globals through it, so it keeps live lookups. With `returning`
 * (an identifier), main returns what that name holds once the program's top level has run (the job's entry: the
 * program's top-level declarations are main's locals), undefined when nothing does.
 */
export function wrapInstrumented(res, returning = null) {
  const aliases = res.globalsRead.includes('globalThis') ? []
    : res.globalsRead.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && !n.startsWith('$__')).map((n) => `${n}=$__G.${n}`);
  const head = '(function($__T,$__G){const ' + HOOK_NAMES.map((h) => `$__${h}=$__T.${h}`).join(',') + ';' +
    (aliases.length ? 'const ' + aliases.join(',') + ';' : '') + 'return function(){';
  const tail = returning === null ? '' : `\n;return typeof ${returning}==="undefined"?undefined:${returning}`;
  return head + res.code + tail + '\n}})';
}

function compileError(e) {
  let line = 1;
  const m = /main\.js:(\d+)/.exec(String(e && e.stack));
  if (m) line = +m[1];
  return { type: 'SyntaxError', message: String(e && e.message), line };
}

/** `source` instrumented and compiled in `ctx` (whose global is `G`): { res, factory } or { error }. */
export function prepare(source, ctx, G, returning = null) {
  let code = source;
  if (code.startsWith('#!')) code = '//' + code.slice(2);
  const res = instrument(code, { knownGlobals: new Set(Object.getOwnPropertyNames(G)) });
  if (res.error) return { error: res.error };
  try {
    return { res, factory: new vm.Script(wrapInstrumented(res, returning), { filename: 'main.js' }).runInContext(ctx) };
  } catch (e) {
    // does the learner's own program compile? (V8 early errors acorn does not report)
    try {
      new vm.Script('(function(){' + code + '\n})', { filename: 'main.js' });
    } catch (e2) {
      return { error: compileError(e2) };
    }
    return { error: { type: 'TracerError', message: 'instrumentation produced invalid code: ' + e.message, line: 0 } };
  }
}
