// Source-to-source instrumentation of a learner's JavaScript program.
//
// The program is parsed with acorn, scopes are analysed (bindings, closures,
// temporal dead zones), and a new program text is produced by copying the
// original source and inserting calls to the tracer hooks (the `$__` globals
// installed by runtime.mjs). Inserted text never contains a newline, so line
// numbers in the instrumented program are the learner's line numbers.
//
// Output: { code, fns, views, uidNames, closureUids } or { error }.
//
// Layout: ast.mjs (scopes, bindings, tree helpers), scopes.mjs (passes 1 and 2, views), statements.mjs (pass 3: the
// text with the hooks), writes.mjs (write and call barriers); Instrumenter extends
// WriteBarriers extends StatementPass extends ScopePasses: one object, its methods in the module of their pass.

import * as acorn from './vendor/acorn.mjs';
import { InstrumentError, Meta, PREFIX, children, lineColOf, resetUids } from './ast.mjs';
import { WriteBarriers } from './writes.mjs';

export { InstrumentError, Meta };

export function instrument(src, options = {}) {
  const knownGlobals = options.knownGlobals || new Set();
  let ast;
  try {
    ast = acorn.parse(src, {
      ecmaVersion: 'latest', sourceType: 'script', locations: true, allowHashBang: true,
    });
  } catch (e) {
    const msg = String(e.message).replace(/ \(\d+:\d+\)$/, '');
    return { error: { type: 'SyntaxError', message: msg, line: e.loc ? e.loc.line : 1, column: e.loc ? e.loc.column + 1 : undefined } };
  }
  resetUids();
  try {
    return new Instrumenter(src, ast, knownGlobals).run();
  } catch (e) {
    if (e instanceof InstrumentError) {
      return { error: { type: e.errType, message: e.message, line: e.line, column: e.column } };
    }
    throw e;
  }
}

class Instrumenter extends WriteBarriers {
  constructor(src, ast, knownGlobals) {
    super();
    this.src = src;
    this.ast = ast;
    this.knownGlobals = knownGlobals;
    this.meta = new Meta();
    this.fnInfos = [];
    this.unresolved = [];   // {id, scope, write}
    this.moduleFn = null;
    this.hasStrictModule = false;
    this.renames = 0;
  }

  fail(node, message, type = 'SyntaxError') {
    const lc = lineColOf(this.src, node.start);
    throw new InstrumentError(type, message, lc.line, lc.column);
  }

  run() {
    this.checkRestrictions(this.ast);
    this.declareAll();
    this.resolveAll();
    this.finishFns();
    const code = this.genProgram(this.ast);
    const meta = this.meta;
    // globals read (never written) by the program: bound once as constants in
    // the wrapper, because global lookups in a vm context are slow
    const written = new Set(this.unresolved.filter(u => u.write).map(u => u.id.name));
    const globalsRead = [...new Set(this.unresolved.filter(u => !u.write && !u.id._b && this.knownGlobals.has(u.id.name) && !written.has(u.id.name)).map(u => u.id.name))];
    return { code, fns: meta.fns, views: meta.views, uidNames: meta.uidNames, closureUids: meta.closureUids, globalsRead };
  }

  checkRestrictions(root) {
    const stack = [root];
    while (stack.length) {
      const n = stack.pop();
      if (n.type === 'Identifier' && n.name.startsWith(PREFIX)) this.fail(n, `Identifier '${n.name}' is reserved by the tracer`);
      if (n.type === 'ImportExpression') this.fail(n, 'import() is not available in the sandbox');
      if (n.type === 'WithStatement') this.fail(n, "'with' statements are not supported by the tracer");
      for (const c of children(n)) stack.push(c);
      if (n.type === 'Property' && n.shorthand && n.key.type === 'Identifier' && n.key.name.startsWith(PREFIX)) this.fail(n, `Identifier '${n.key.name}' is reserved by the tracer`);
    }
  }

}

