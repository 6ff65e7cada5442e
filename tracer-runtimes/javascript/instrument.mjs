// Source-to-source instrumentation of a learner's JavaScript program.
//
// The program is parsed with acorn, scopes are analysed (bindings, closures,
// temporal dead zones), and a new program text is produced by copying the
// original source and inserting calls to the tracer hooks (the `$__` globals
// installed by runtime.mjs). Inserted text never contains a newline, so line
// numbers in the instrumented program are the learner's line numbers.
//
// Output: { code, fns, views, uidNames, closureUids } or { error }.

import * as acorn from './vendor/acorn.mjs';

const PREFIX = '$__';

// Method names whose native implementations never mutate their receiver or
// arguments (callbacks are learner code and are traced by their own hooks).
const PURE_METHODS = new Set([
  'slice', 'map', 'filter', 'reduce', 'reduceRight', 'find', 'findIndex', 'findLast', 'findLastIndex',
  'indexOf', 'lastIndexOf', 'includes', 'join', 'concat', 'every', 'some', 'forEach', 'at', 'keys',
  'values', 'entries', 'get', 'has', 'toString', 'toFixed', 'toPrecision', 'toUpperCase', 'toLowerCase',
  'trim', 'trimStart', 'trimEnd', 'split', 'charAt', 'charCodeAt', 'codePointAt', 'substring', 'substr',
  'startsWith', 'endsWith', 'padStart', 'padEnd', 'repeat', 'replace', 'replaceAll', 'match', 'matchAll',
  'search', 'localeCompare', 'flat', 'flatMap', 'toSorted', 'toReversed', 'toSpliced', 'with',
  'normalize', 'log', 'error', 'warn', 'info', 'debug', 'hasOwnProperty', 'isPrototypeOf',
  'propertyIsEnumerable', 'valueOf', 'toLocaleString', 'getTime', 'getFullYear', 'getMonth', 'getDate',
  'getDay', 'getHours', 'getMinutes', 'getSeconds', 'toISOString', 'test', 'then', 'catch', 'finally',
  'next', 'bind', 'floor', 'ceil', 'round', 'max', 'min', 'abs', 'sqrt', 'pow', 'random', 'trunc',
  'stringify', 'parse', 'isArray', 'from', 'of', 'isInteger', 'isFinite', 'isNaN', 'parseInt',
  'parseFloat', 'fromCharCode', 'raw', 'getPrototypeOf', 'getOwnPropertyNames', 'getOwnPropertySymbols',
  'getOwnPropertyDescriptor', 'getOwnPropertyDescriptors', 'is', 'isFrozen', 'isSealed', 'isExtensible',
  'hasOwn', 'fromEntries', 'create', 'ownKeys', 'groupBy',
]);
// Global namespaces whose methods never mutate learner data (when not shadowed).
const SAFE_NAMESPACES = new Set([
  'console', 'Math', 'JSON', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Array', 'Promise',
  'Date', 'Intl', 'viz', 'RegExp', 'Error',
]);
// Global namespaces whose static methods mutate their first argument.
const MUTATING_NAMESPACES = new Set(['Object', 'Reflect']);

export class Meta {
  constructor() {
    this.fns = [];        // [{name, line, endLine}]
    this.views = [];      // [{names: [], uids: []}]
    this.viewKeys = new Map();
    this.uidNames = [];   // uid -> binding name
    this.closureUids = []; // uid -> true when some inner function shows it as a closure variable
  }
}

class Scope {
  constructor(kind, node, parent, fn) {
    this.kind = kind;      // module | function | block | catch | switch | class | fname | static
    this.node = node;
    this.parent = parent;
    this.fn = fn;          // FnInfo owning code in this scope (real function, module or static block)
    this.bindings = new Map();
    this.curCase = null;
  }
}

class FnInfo {
  constructor(kind, node, lexParent) {
    this.kind = kind;      // module | function | static
    this.node = node;
    this.lexParent = lexParent;
    // nearest real (frame-producing) enclosing function
    this.frameParent = lexParent ? (lexParent.kind === 'static' ? lexParent.frameParent : lexParent) : null;
    this.depth = this.frameParent ? this.frameParent.depth + 1 : 0;
    this.scope = null;
    this.free = new Map();  // name -> binding (closure variables shown in this frame)
    this.usesThis = false;
    this.showThis = false;
    this.derivedCtor = false;
    this.createPos = node ? node.start : 0;
    this.hoisted = false;   // function declaration
    this.id = -1;
    this.name = '<anonymous>';
    this.temps = 0;
    this.strict = false;
  }
}

let uidCounter = 0;
class Binding {
  constructor(name, kind, scope, declStart, declEnd) {
    this.name = name;
    this.kind = kind;      // var let const class function param catch implicit fname classInner
    this.scope = scope;
    this.declStart = declStart;
    this.declEnd = declEnd;
    this.caseNode = scope.kind === 'switch' ? scope.curCase : null;
    this.uid = uidCounter++;
  }
}

export class InstrumentError extends Error {
  constructor(type, message, line, column) {
    super(message);
    this.errType = type;
    this.line = line;
    this.column = column;
  }
}

function lineColOf(src, pos) {
  let line = 1, last = 0;
  for (let i = 0; i < pos; i++) if (src.charCodeAt(i) === 10) { line++; last = i + 1; }
  return { line, column: pos - last + 1 };
}

// ---------------------------------------------------------------------------

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
  uidCounter = 0;
  try {
    return new Instrumenter(src, ast, knownGlobals).run();
  } catch (e) {
    if (e instanceof InstrumentError) {
      return { error: { type: e.errType, message: e.message, line: e.line, column: e.column } };
    }
    throw e;
  }
}

// Identifiers sloppy code may bind and strict code may not name.
const STRICT_RESERVED = new Set(['implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield']);

// A directive's text may be empty (`""; "use strict";`): acorn's `directive` is then '', which is falsy.
const isDirective = (st) => st.type === 'ExpressionStatement' && typeof st.directive === 'string';

const isLineTerminator = (c) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

function isFunctionNode(n) {
  return n && (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression');
}

function children(node) {
  const out = [];
  for (const k in node) {
    if (k === 'loc' || k.charCodeAt(0) === 95 /* _ */) continue;
    const v = node[k];
    if (v !== null && typeof v === 'object') {
      if (Array.isArray(v)) {
        for (const c of v) if (c !== null && typeof c === 'object' && typeof c.type === 'string') out.push(c);
      } else if (typeof v.type === 'string') out.push(v);
    }
  }
  out.sort((a, b) => a.start - b.start || b.end - a.end);
  const res = [];
  let lastEnd = -1;
  for (const c of out) {
    if (c.start < lastEnd) continue; // overlapping (shorthand) — keep the outer one
    res.push(c);
    lastEnd = c.end;
  }
  return res;
}

function patternIds(p, out = []) {
  if (!p) return out;
  switch (p.type) {
    case 'Identifier': out.push(p); break;
    case 'ObjectPattern': for (const q of p.properties) patternIds(q.type === 'RestElement' ? q.argument : q.value, out); break;
    case 'ArrayPattern': for (const q of p.elements) if (q) patternIds(q, out); break;
    case 'RestElement': patternIds(p.argument, out); break;
    case 'AssignmentPattern': patternIds(p.left, out); break;
    default: break; // MemberExpression targets (assignment patterns only)
  }
  return out;
}

class Instrumenter {
  constructor(src, ast, knownGlobals) {
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

  // ------------------------------------------------------------------ pass 1
  declareAll() {
    const ast = this.ast;
    const mod = new FnInfo('module', ast, null);
    mod.name = '<module>';
    this.moduleFn = mod;
    const S = new Scope('module', ast, null, mod);
    mod.scope = S;
    ast._scope = S;
    mod.strict = this.hasUseStrict(ast.body);
    this.registerFn(mod, 1, ast.loc.end.line);
    for (const st of ast.body) this.decl(st, S);
  }

  hasUseStrict(body) {
    for (const st of body) {
      if (!isDirective(st)) break;
      if (st.directive === 'use strict') return true;
    }
    return false;
  }

  registerFn(fi, line, endLine) {
    fi.id = this.meta.fns.length;
    this.meta.fns.push({ name: fi.name, line, endLine });
    this.fnInfos.push(fi);
  }

  varScope(scope) {
    let s = scope;
    while (s.kind !== 'function' && s.kind !== 'module' && s.kind !== 'static') s = s.parent;
    return s;
  }

  declare(scope, id, kind, declStart, declEnd) {
    const name = id.name;
    const existing = scope.bindings.get(name);
    if (existing) {
      // var re-declaration or function overriding var: keep the first binding (same variable)
      if (existing.kind === 'param' || existing.kind === 'var' || existing.kind === 'function') {
        if (kind === 'var' || existing.kind === 'var') existing.hasVar = true;   // see renameBlockedFunctions
        if (kind === 'function' && existing.kind === 'var') { existing.kind = 'function'; existing.declStart = declStart; }
        id._b = existing;
        return existing;
      }
      id._b = existing;
      return existing;
    }
    const b = new Binding(name, kind, scope, declStart, declEnd);
    this.meta.uidNames[b.uid] = name;
    scope.bindings.set(name, b);
    id._b = b;
    return b;
  }

  nameHint(node, name) {
    if (node && (isFunctionNode(node) || node.type === 'ClassExpression') && !node._nameHint) node._nameHint = name;
  }

  propName(key, computed) {
    if (!computed) {
      if (key.type === 'Identifier') return key.name;
      if (key.type === 'PrivateIdentifier') return '#' + key.name;
      if (key.type === 'Literal') return String(key.value);
    } else if (key.type === 'Literal') return String(key.value);
    return null;
  }

  decl(node, scope) {
    switch (node.type) {
      case 'FunctionDeclaration': {
        const b = this.declare(scope, node.id, 'function', node.start, node.start);
        b.fnNode = node;
        this.fnScope(node, scope, { hoisted: true });
        return;
      }
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        this.fnScope(node, scope, {});
        return;
      case 'ClassDeclaration':
        this.declare(scope, node.id, 'class', node.start, node.end);
        this.classScope(node, scope);
        return;
      case 'ClassExpression':
        this.classScope(node, scope);
        return;
      case 'VariableDeclaration': {
        const target = node.kind === 'var' ? this.varScope(scope) : scope;
        for (const d of node.declarations) {
          for (const id of patternIds(d.id)) this.declare(target, id, node.kind, node.start, node.end);
          if (d.id.type === 'Identifier') this.nameHint(d.init, d.id.name);
          this.declPatternExprs(d.id, scope);
          if (d.init) this.decl(d.init, scope);
        }
        return;
      }
      case 'BlockStatement': {
        const s = node._scope || new Scope('block', node, scope, scope.fn);
        node._scope = s;
        for (const st of node.body) this.decl(st, s);
        return;
      }
      case 'StaticBlock': {
        const sf = new FnInfo('static', node, scope.fn);
        const s = new Scope('static', node, scope, sf);
        sf.scope = s;
        node._scope = s;
        node._fn = sf;
        for (const st of node.body) this.decl(st, s);
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const s = new Scope('block', node, scope, scope.fn);
        node._scope = s;
        for (const c of children(node)) this.decl(c, s);
        return;
      }
      case 'SwitchStatement': {
        this.decl(node.discriminant, scope);
        const s = new Scope('switch', node, scope, scope.fn);
        node._scope = s;
        for (const cs of node.cases) {
          s.curCase = cs;
          if (cs.test) this.decl(cs.test, s);
          for (const st of cs.consequent) this.decl(st, s);
        }
        s.curCase = null;
        return;
      }
      case 'CatchClause': {
        const s = new Scope('catch', node, scope, scope.fn);
        node._scope = s;
        if (node.param) {
          for (const id of patternIds(node.param)) this.declare(s, id, 'catch', 0, 0);
          this.declPatternExprs(node.param, s);
        }
        node.body._scope = s;
        for (const st of node.body.body) this.decl(st, s);
        return;
      }
      case 'AssignmentExpression':
        if (node.left.type === 'Identifier') this.nameHint(node.right, node.left.name);
        else if (node.left.type === 'MemberExpression' && !node.left.computed) this.nameHint(node.right, this.propName(node.left.property, false));
        break;
      case 'AssignmentPattern':
        if (node.left.type === 'Identifier') this.nameHint(node.right, node.left.name);
        break;
      case 'Property':
        if (!node.computed || node.key.type === 'Literal') this.nameHint(node.value, this.propName(node.key, node.computed));
        break;
      default:
        break;
    }
    for (const c of children(node)) this.decl(c, scope);
  }

  declPatternExprs(p, scope) {
    // default values and computed keys inside binding patterns
    if (!p) return;
    switch (p.type) {
      case 'ObjectPattern':
        for (const q of p.properties) {
          if (q.type === 'RestElement') this.declPatternExprs(q.argument, scope);
          else { if (q.computed) this.decl(q.key, scope); this.declPatternExprs(q.value, scope); }
        }
        break;
      case 'ArrayPattern': for (const q of p.elements) if (q) this.declPatternExprs(q, scope); break;
      case 'RestElement': this.declPatternExprs(p.argument, scope); break;
      case 'AssignmentPattern':
        if (p.left.type === 'Identifier') this.nameHint(p.right, p.left.name);
        this.declPatternExprs(p.left, scope);
        this.decl(p.right, scope);
        break;
      default: break;
    }
  }

  fnScope(node, scope, opts) {
    const fi = new FnInfo('function', node, scope.fn);
    node._fn = fi;
    fi.hoisted = !!opts.hoisted;
    if (opts.method) {
      fi.showThis = true;
      fi.isMethod = true;
      fi.createPos = opts.createPos;
    }
    if (opts.derivedCtor) fi.derivedCtor = true;
    if (opts.createPos !== undefined) fi.createPos = opts.createPos;
    let name = opts.name || (node.id && node.id.name) || node._nameHint || (node.type === 'ArrowFunctionExpression' ? '<anonymous>' : '<anonymous>');
    fi.name = name;
    let s = scope;
    if (node.type === 'FunctionExpression' && node.id) {
      s = new Scope('fname', node, scope, scope.fn);
      this.declare(s, node.id, 'fname', 0, 0);
    }
    const fs = new Scope('function', node, s, fi);
    fi.scope = fs;
    node._scope = fs;
    const bodyIsBlock = node.body.type === 'BlockStatement';
    fi.strict = scope.fn.strict || (bodyIsBlock && this.hasUseStrict(node.body.body));
    const lineNode = opts.lineNode || node;
    this.registerFn(fi, lineNode.loc.start.line, node.body.loc.end.line);
    for (const p of node.params) {
      for (const id of patternIds(p)) this.declare(fs, id, 'param', 0, 0);
      this.declPatternExprs(p, fs);
    }
    if (bodyIsBlock) {
      node.body._scope = fs;
      for (const st of node.body.body) this.decl(st, fs);
    } else {
      this.decl(node.body, fs);
    }
  }

  classScope(node, scope) {
    const cs = new Scope('class', node, scope, scope.fn);
    node._scope = cs;
    if (node.id) this.declare(cs, node.id, 'classInner', 0, 0);
    const className = node.id ? node.id.name : (node._nameHint || null);
    if (node.superClass) this.decl(node.superClass, scope);
    for (const m of node.body.body) {
      if (m.type === 'MethodDefinition') {
        if (m.computed) this.decl(m.key, cs);
        const mname = m.kind === 'constructor' ? (className || 'constructor') : this.propName(m.key, m.computed) || '<computed>';
        const prefix = m.kind === 'get' ? 'get ' : m.kind === 'set' ? 'set ' : '';
        this.fnScopeStrict(m.value, cs, {
          method: true, createPos: node.start, name: prefix + mname, lineNode: m,
          derivedCtor: m.kind === 'constructor' && !!node.superClass,
        });
      } else if (m.type === 'PropertyDefinition') {
        if (m.computed) this.decl(m.key, cs);
        if (m.value) {
          if (!m.computed || m.key.type === 'Literal') this.nameHint(m.value, this.propName(m.key, m.computed));
          this.withStrict(cs, () => this.decl(m.value, cs));
          this.markCreatePos(m.value, node.start);
        }
      } else if (m.type === 'StaticBlock') {
        this.withStrict(cs, () => this.decl(m, cs));
      }
    }
  }

  withStrict(scope, f) {
    const fn = scope.fn;
    const old = fn.strict;
    fn.strict = true;
    try { f(); } finally { fn.strict = old; }
  }

  fnScopeStrict(node, scope, opts) {
    this.withStrict(scope, () => this.fnScope(node, scope, opts));
    node._fn.strict = true;
  }

  markCreatePos(expr, pos) {
    // functions created by field initialisers exist only once the class is evaluated
    const st = [expr];
    while (st.length) {
      const n = st.pop();
      if (n._fn && n._fn.kind === 'function') { n._fn.createPos = pos; continue; }
      for (const c of children(n)) st.push(c);
    }
  }

  // ------------------------------------------------------------------ pass 2
  resolveAll() {
    const ast = this.ast;
    for (const st of ast.body) this.res(st, ast._scope);
    // implicit globals: assigned but never declared
    const S = ast._scope;
    for (const u of this.unresolved) {
      if (!u.write) continue;
      const name = u.id.name;
      if (this.knownGlobals.has(name) || S.bindings.has(name)) continue;
      const b = new Binding(name, 'implicit', S, 0, 0);
      this.meta.uidNames[b.uid] = name;
      S.bindings.set(name, b);
    }
    for (const u of this.unresolved) {
      const b = S.bindings.get(u.id.name);
      if (b && b.kind === 'implicit') {
        u.id._b = b;
        if (u.write && u.fn !== this.moduleFn) u.id._nonlocal = true;
      }
    }
  }

  lookup(scope, name) {
    for (let s = scope; s; s = s.parent) {
      const b = s.bindings.get(name);
      if (b) return b;
    }
    return null;
  }

  ref(id, scope, write) {
    const fn = scope.fn;
    const b = this.lookup(scope, id.name);
    id._fn = fn;
    if (!b) {
      this.unresolved.push({ id, scope, write, fn });
      id._b = null;
      return;
    }
    id._b = b;
    const owner = b.scope.fn;
    if (owner !== fn) {
      if (owner.kind === 'function' && b.kind !== 'fname' && b.kind !== 'classInner') {
        // closure variable: shown in every frame between the reference and the owner
        for (let f = fn; f && f !== owner; f = f.lexParent) {
          if (f.kind === 'function' && !f.free.has(id.name)) f.free.set(id.name, b);
        }
        this.meta.closureUids[b.uid] = true;
      }
      if (write && (owner.kind === 'function' || owner.kind === 'module')) id._nonlocal = true;
    }
  }

  resPattern(p, scope, write) {
    if (!p) return;
    switch (p.type) {
      case 'Identifier': if (write) this.ref(p, scope, true); break;
      case 'MemberExpression': this.res(p, scope); break;
      case 'ObjectPattern':
        for (const q of p.properties) {
          if (q.type === 'RestElement') this.resPattern(q.argument, scope, write);
          else { if (q.computed) this.res(q.key, scope); this.resPattern(q.value, scope, write); }
        }
        break;
      case 'ArrayPattern': for (const q of p.elements) if (q) this.resPattern(q, scope, write); break;
      case 'RestElement': this.resPattern(p.argument, scope, write); break;
      case 'AssignmentPattern': this.resPattern(p.left, scope, write); this.res(p.right, scope); break;
      default: this.res(p, scope); break;
    }
  }

  markThis(fn) {
    for (let f = fn; f; f = f.lexParent) {
      if (f.kind !== 'function') return;
      if (f.node.type !== 'ArrowFunctionExpression') { f.usesThis = true; return; }
    }
  }

  res(node, scope) {
    switch (node.type) {
      case 'Identifier': this.ref(node, scope, false); return;
      case 'ThisExpression': this.markThis(scope.fn); return;
      case 'MemberExpression':
        this.res(node.object, scope);
        if (node.computed) this.res(node.property, scope);
        return;
      case 'Property':
        if (node.computed) this.res(node.key, scope);
        this.res(node.value, scope);
        return;
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (node.computed) this.res(node.key, scope);
        if (node.value) this.res(node.value, scope);
        return;
      case 'LabeledStatement': this.res(node.body, scope); return;
      case 'BreakStatement': case 'ContinueStatement': case 'MetaProperty': case 'Super': case 'Literal':
      case 'PrivateIdentifier': case 'TemplateElement': case 'EmptyStatement': case 'DebuggerStatement':
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const fs = node._scope;
        for (const p of node.params) this.resPattern(p, fs, false);
        if (node.body.type === 'BlockStatement') for (const st of node.body.body) this.res(st, fs);
        else this.res(node.body, fs);
        return;
      }
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const cs = node._scope;
        if (node.superClass) this.res(node.superClass, scope);
        for (const m of node.body.body) this.res(m, cs);
        return;
      }
      case 'StaticBlock': for (const st of node.body) this.res(st, node._scope); return;
      case 'BlockStatement': {
        const s = node._scope || scope;
        for (const st of node.body) this.res(st, s);
        return;
      }
      case 'VariableDeclaration':
        for (const d of node.declarations) {
          this.resPattern(d.id, scope, false);
          if (d.init) this.res(d.init, scope);
        }
        return;
      case 'AssignmentExpression':
        if (node.left.type === 'Identifier') this.ref(node.left, scope, true);
        else this.resPattern(node.left, scope, true);
        this.res(node.right, scope);
        return;
      case 'UpdateExpression':
        if (node.argument.type === 'Identifier') this.ref(node.argument, scope, true);
        else this.res(node.argument, scope);
        return;
      case 'ForStatement': case 'ForInStatement': case 'ForOfStatement': {
        const s = node._scope;
        if (node.type === 'ForStatement') {
          if (node.init) this.res(node.init, s);
          if (node.test) this.res(node.test, s);
          if (node.update) this.res(node.update, s);
        } else {
          if (node.left.type === 'VariableDeclaration') this.res(node.left, s);
          else this.resPattern(node.left, s, true);
          this.res(node.right, s);
        }
        this.res(node.body, s);
        return;
      }
      case 'SwitchStatement': {
        this.res(node.discriminant, scope);
        const s = node._scope;
        for (const cs of node.cases) {
          if (cs.test) this.res(cs.test, s);
          for (const st of cs.consequent) this.res(st, s);
        }
        return;
      }
      case 'CatchClause': {
        const s = node._scope;
        if (node.param) this.resPattern(node.param, s, false);
        for (const st of node.body.body) this.res(st, s);
        return;
      }
      default:
        for (const c of children(node)) this.res(c, scope);
    }
  }

  finishFns() {
    for (const fi of this.fnInfos) {
      if (fi.kind !== 'function') continue;
      if (fi.node.type !== 'ArrowFunctionExpression' && fi.usesThis) fi.showThis = true;
      if (fi.node.type === 'ArrowFunctionExpression') fi.showThis = false;
    }
  }

  // ------------------------------------------------------------------ views
  // Which bindings are readable (no TDZ, no side effects) at `pos` inside `scope`.
  viewAt(pos, scope, fn, strict = fn.strict) {
    const entries = [];
    if (fn.kind === 'function' && fn.showThis) {
      entries.push({ name: 'this', uid: -1, expr: fn.derivedCtor ? '$__g(()=>this)' : 'this' });
    }
    const seen = new Set();
    const own = [];
    for (let s = scope; s; s = s.parent) {
      for (const b of s.bindings.values()) {
        if (seen.has(b.name)) continue;
        seen.add(b.name);
        if (b.kind === 'fname' || b.kind === 'classInner') continue;
        if (this.visible(b, pos) && this.nameable(b.name, fn, strict)) own.push(b);
      }
      if (s === fn.scope) break;
    }
    own.sort((a, b) => (a.kind === 'param' ? -1 : 0) - (b.kind === 'param' ? -1 : 0) || a.declStart - b.declStart || a.uid - b.uid);
    for (const b of own) {
      entries.push({ name: b.name, uid: b.uid, expr: b.kind === 'implicit' ? `(typeof ${b.name}==="undefined"?$__H:${b.name})` : b.name });
    }
    if (fn.kind === 'function') {
      for (const [name, b] of fn.free) {
        if (seen.has(name) || !this.nameable(name, fn, strict)) continue;
        seen.add(name);
        entries.push({ name, uid: b.uid, expr: this.closureSafe(b, fn) ? name : `$__g(()=>${name})` });
      }
    }
    const key = entries.map(e => e.uid + (e.expr.startsWith('$__g') ? 'g' : '')).join(',');
    let vid = this.meta.viewKeys.get(key);
    if (vid === undefined) {
      vid = this.meta.views.length;
      this.meta.viewKeys.set(key, vid);
      this.meta.views.push({ names: entries.map(e => e.name), uids: entries.map(e => e.uid) });
    }
    let args = '';
    for (const e of entries) args += ',' + e.expr;
    return { vid, args };
  }

  // Whether code of `fn` can read a variable by this name: sloppy code may name a variable `let`, `static` or `yield`
  // that strict code (a class body's computed keys too), a generator or an async function inside it cannot (a view
  // lists closure variables too).
  nameable(name, fn, strict) {
    if (strict && STRICT_RESERVED.has(name)) return false;
    if (name !== 'yield' && name !== 'await') return true;
    for (let f = fn; f && f.kind === 'function'; f = f.lexParent) {
      if (name === 'yield' ? f.node.generator : f.node.async) return false;
      if (f.node.type !== 'ArrowFunctionExpression') break;
    }
    return true;
  }

  visible(b, pos) {
    switch (b.kind) {
      case 'param': case 'function': case 'catch': case 'implicit': return true;
      case 'var': return b.declStart < pos;
      case 'let': case 'const': case 'class':
        if (b.declEnd > pos) return false;
        if (b.caseNode && !(pos >= b.caseNode.start && pos < b.caseNode.end)) return false;
        return true;
      default: return false;
    }
  }

  closureSafe(b, fn) {
    if (b.kind !== 'let' && b.kind !== 'const' && b.kind !== 'class') return true;
    if (b.caseNode) return false;
    const owner = b.scope.fn;
    // the function directly inside the owner on the path to fn
    let f = fn;
    while (f.lexParent && f.lexParent !== owner) f = f.lexParent;
    if (f.lexParent !== owner) return false;
    if (f.kind !== 'function' || f.hoisted) return false;
    return f.createPos >= b.declEnd;
  }

  // ------------------------------------------------------------------ pass 3
  s(a, b) { return this.src.slice(a, b); }

  // skip whitespace and comments from pos; return index of the first other char
  skipTrivia(pos) {
    const src = this.src;
    for (;;) {
      const c = src.charCodeAt(pos);
      // JavaScript's white space and line terminators are exactly RegExp's \s (U+3000 and the other Zs spaces too)
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || (c > 127 && /\s/.test(src[pos]))) { pos++; continue; }
      if (c === 47 && src.charCodeAt(pos + 1) === 47) { // a line comment ends at any line terminator, \r included
        while (pos < src.length && !isLineTerminator(src.charCodeAt(pos))) pos++;
        continue;
      }
      if (c === 47 && src.charCodeAt(pos + 1) === 42) { const e = src.indexOf('*/', pos + 2); pos = e < 0 ? src.length : e + 2; continue; }
      return pos;
    }
  }

  // Where `node` ends with the parentheses closed around it before `limit`: acorn keeps no node for parentheses, so
  // a node's span leaves them out and its parent's takes them in. Text that replaces a child must take them along, or
  // `(a).b = 1` loses its `(` and keeps its `)`.
  closeParens(node, limit) {
    let pos = node.end;
    for (;;) {
      const p = this.skipTrivia(pos);
      if (p >= limit || this.src.charCodeAt(p) !== 41 /* ) */) return pos;
      pos = p + 1;
    }
  }

  // `node` generated with the source from `from` (its opening parentheses) and up to `to` (its closing ones)
  genOuter(node, from, to, cx) {
    return this.s(from, node.start) + this.gen(node, cx) + this.s(node.end, to);
  }

  genProgram(ast) {
    const mod = this.moduleFn;
    const cx = this.newCx(mod, ast._scope, '$__f0');
    const body = ast.body;
    let i = 0;
    while (i < body.length && isDirective(body[i])) i++;
    let out = '';
    let pos = 0;
    // directives (and a hashbang) stay first
    const insertAt = i < body.length ? body[i].start : (i > 0 ? body[i - 1].end : ast.end);
    let rest = '';
    let p2 = insertAt;
    for (let j = i; j < body.length; j++) {
      const st = body[j];
      rest += this.s(p2, st.start) + this.stepFor(st, cx) + this.gen(st, cx);
      p2 = st.end;
    }
    rest += this.s(p2, ast.end);
    out += this.s(pos, insertAt);
    out += (i > 0 ? ';' : '') + this.tempDecl(cx) + 'const $__f0=$__mf();' + rest;
    return out;
  }

  newCx(fn, scope, F) {
    return { fn, scope, F, temps: { n: 0 }, tl: 1, steps: true, badF: new Set(), inChain: false, strict: fn.strict, inFinallyTry: false };
  }

  tempDecl(cx) {
    if (!cx.temps || cx.temps.n === 0) return '';
    const names = [];
    for (let k = 1; k <= cx.temps.n; k++) names.push('$__t' + k);
    return 'let ' + names.join(',') + ';';
  }

  temp(cx) {
    if (!cx.temps) return null;
    const k = cx.tl++;
    if (k > cx.temps.n) cx.temps.n = k;
    return '$__t' + k;
  }

  sub(cx, patch) { return Object.assign({}, cx, patch); }

  needsStep(st) {
    switch (st.type) {
      case 'FunctionDeclaration': case 'EmptyStatement': case 'BlockStatement': case 'ForStatement':
      case 'WhileStatement': case 'TryStatement':
        return false;
      case 'LabeledStatement': return this.needsStep(st.body);
      case 'ExpressionStatement': return !isDirective(st);
      default: return true;
    }
  }

  stepCall(pos, line, cx, scope) {
    const v = this.viewAt(pos, scope || cx.scope, cx.fn, cx.strict);
    return `$__s(${cx.F},${line},${v.vid}${v.args})`;
  }

  stepFor(st, cx) {
    if (!cx.steps || !this.needsStep(st)) return '';
    return ';' + this.stepCall(st.start, st.loc.start.line, cx) + ';';
  }

  genStatements(stmts, cx, from, to) {
    let out = '';
    let pos = from;
    for (const st of stmts) {
      out += this.s(pos, st.start) + this.stepFor(st, cx) + this.gen(st, cx);
      pos = st.end;
    }
    return out + this.s(pos, to);
  }

  genBlock(node, cx, prefix = '') {
    const scope = node._scope || cx.scope;
    const c2 = scope === cx.scope ? cx : this.sub(cx, { scope });
    return '{' + prefix + this.genStatements(node.body, c2, node.start + 1, node.end);
  }

  // body of if/loops/labels: always a block, with an optional header prefix
  genBody(st, cx, prefixFn) {
    if (st.type === 'BlockStatement') {
      const scope = st._scope || cx.scope;
      return this.genBlock(st, cx, prefixFn ? prefixFn(st.start + 1, scope) : '');
    }
    return '{' + (prefixFn ? prefixFn(st.start, cx.scope) : '') + this.stepFor(st, cx) + this.gen(st, cx) + '}';
  }

  genDefault(node, cx) {
    let out = '';
    let pos = node.start;
    for (const c of children(node)) {
      out += this.s(pos, c.start) + this.gen(c, cx);
      pos = c.end;
    }
    return out + this.s(pos, node.end);
  }

  gen(node, cx) {
    switch (node.type) {
      case 'Identifier': case 'Literal': case 'ThisExpression': case 'Super': case 'TemplateElement':
      case 'EmptyStatement': case 'DebuggerStatement': case 'BreakStatement': case 'ContinueStatement':
      case 'PrivateIdentifier': case 'MetaProperty':
        return this.s(node.start, node.end);
      case 'BlockStatement': return this.genBlock(node, cx);
      case 'ExpressionStatement':
        if (this.isListAssign(node.expression, cx)) return this.genListAssign(node.expression, cx) + this.s(node.expression.end, node.end);
        return this.genDefault(node, cx);
      case 'FunctionDeclaration': case 'FunctionExpression': case 'ArrowFunctionExpression':
        return this.genFunction(node, cx);
      case 'IfStatement': {
        let out = this.s(node.start, node.test.start) + this.gen(node.test, cx) + this.s(node.test.end, node.consequent.start) + this.genBody(node.consequent, cx);
        if (node.alternate) out += this.s(node.consequent.end, node.alternate.start) + this.genBody(node.alternate, cx);
        return out + this.s((node.alternate || node.consequent).end, node.end);
      }
      case 'LabeledStatement': {
        const b = node.body;
        let inner;
        if (b.type === 'BlockStatement') inner = this.genBlock(b, cx);
        else inner = this.gen(b, cx);
        return this.s(node.start, b.start) + inner + this.s(b.end, node.end);
      }
      case 'WhileStatement': {
        const step = cx.steps ? this.stepCall(node.test.start, node.loc.start.line, cx) + ',' : '';
        return this.s(node.start, node.test.start) + '(' + step + this.gen(node.test, cx) + ')' + this.s(node.test.end, node.body.start) + this.genBody(node.body, cx) + this.s(node.body.end, node.end);
      }
      case 'DoWhileStatement': {
        const step = cx.steps ? this.stepCall(node.test.start, node.test.loc.start.line, cx) + ',' : '';
        return this.s(node.start, node.body.start) + this.genBody(node.body, cx) + this.s(node.body.end, node.test.start) + '(' + step + this.gen(node.test, cx) + ')' + this.s(node.test.end, node.end);
      }
      case 'ForStatement': return this.genFor(node, cx);
      case 'ForInStatement': case 'ForOfStatement': return this.genForInOf(node, cx);
      case 'SwitchStatement': {
        const s = node._scope;
        const c2 = this.sub(cx, { scope: s });
        let out = this.s(node.start, node.discriminant.start) + this.gen(node.discriminant, cx);
        let pos = node.discriminant.end;
        for (const cs of node.cases) {
          out += this.s(pos, cs.start);
          if (cs.test) {
            out += this.s(cs.start, cs.test.start) + this.gen(cs.test, c2);
            const from = cs.test.end;
            const to = cs.consequent.length ? cs.consequent[0].start : cs.end;
            out += this.s(from, to);
          } else {
            out += this.s(cs.start, cs.consequent.length ? cs.consequent[0].start : cs.end);
          }
          if (cs.consequent.length) out += this.genStatements(cs.consequent, c2, cs.consequent[0].start, cs.end);
          pos = cs.end;
        }
        return out + this.s(pos, node.end);
      }
      case 'ReturnStatement': {
        if (!cx.steps || cx.fn.kind !== 'function') return this.genDefault(node, cx);
        const v = this.viewAt(node.start, cx.scope, cx.fn, cx.strict);
        const line = node.loc.start.line;
        // inside try/finally the frame keeps running after the return: the
        // return step is emitted when the function really exits ($__E)
        const hook = cx.inFinallyTry ? '$__R' : '$__r';
        if (cx.inFinallyTry) cx.fn.needsExit = true;
        if (node.argument) {
          return this.s(node.start, node.argument.start) + `${hook}(${cx.F},${line},${v.vid},` + this.gen(node.argument, cx) + v.args + ')' + this.s(node.argument.end, node.end);
        }
        return `return ${hook}(${cx.F},${line},${v.vid},undefined${v.args})` + this.s(node.start + 6, node.end);
      }
      case 'YieldExpression': {
        if (!cx.steps || cx.fn.kind !== 'function' || !cx.F) return this.genDefault(node, cx);
        const line = node.loc.start.line;
        const v = this.viewAt(node.start, cx.scope, cx.fn, cx.strict);
        const arg = node.argument ? this.gen(node.argument, cx) : 'undefined';
        if (node.delegate) {
          return `$__Y(${cx.F},${line},${v.vid},yield* $__P(${cx.F},${arg})${v.args})`;
        }
        return `$__Y(${cx.F},${line},${v.vid},yield $__r(${cx.F},${line},${v.vid},${arg}${v.args})${v.args})`;
      }
      case 'AwaitExpression': {
        if (!cx.steps || cx.fn.kind !== 'function' || !cx.F) return this.genDefault(node, cx);
        const line = node.loc.start.line;
        const v = this.viewAt(node.start, cx.scope, cx.fn, cx.strict);
        return `$__Y(${cx.F},${line},${v.vid},await $__P(${cx.F},${this.gen(node.argument, cx)})${v.args})`;
      }
      case 'TryStatement': {
        const tcx = node.finalizer && cx.steps && cx.F ? this.sub(cx, { inFinallyTry: true }) : cx;
        let out = this.s(node.start, node.block.start) + this.genBlock(node.block, tcx);
        let pos = node.block.end;
        if (node.handler) {
          out += this.s(pos, node.handler.start) + this.genCatch(node.handler, tcx);
          pos = node.handler.end;
        } else if (cx.steps && cx.F) {
          out += `catch($__e){$__k(${cx.F},$__e);throw $__e}`;
        }
        if (node.finalizer) {
          out += this.s(pos, node.finalizer.start) + this.genBlock(node.finalizer, cx);
          pos = node.finalizer.end;
        }
        return out + this.s(pos, node.end);
      }
      case 'CatchClause': return this.genCatch(node, cx);
      case 'AssignmentExpression': return this.genAssign(node, cx);
      case 'UpdateExpression': return this.genUpdate(node, cx);
      case 'UnaryExpression':
        if (node.operator === 'delete' && node.argument.type === 'MemberExpression') {
          const r = this.memberTarget(node.argument, this.sub(cx, {}));
          if (r) return this.memberBarrier(this.s(node.start, node.argument.start) + r.text + this.s(node.argument.end, node.end), r);
        }
        return this.genDefault(node, cx);
      case 'CallExpression': return this.genCall(node, cx);
      case 'ChainExpression': return this.genDefault(node, this.sub(cx, { inChain: true, chainTop: node.expression }));
      case 'Property': {
        if (node.shorthand && node.value.type === 'Identifier') return this.s(node.start, node.end);
        if (node.shorthand) return this.gen(node.value, cx); // {a = 1} in patterns
        return this.genDefault(node, cx);
      }
      case 'ClassDeclaration': case 'ClassExpression': return this.genClass(node, cx);
      case 'StaticBlock': {
        const sf = node._fn;
        const c2 = this.sub(cx, { fn: sf, scope: node._scope, steps: false, temps: { n: 0 }, tl: 1, strict: true });
        const body = this.genStatements(node.body, c2, node.start + this.s(node.start, node.end).indexOf('{') + 1, node.end);
        return this.s(node.start, node.start + this.s(node.start, node.end).indexOf('{') + 1) + this.tempDecl(c2) + body;
      }
      case 'VariableDeclaration': {
        return this.genDefault(node, cx);
      }
      default:
        return this.genDefault(node, cx);
    }
  }

  genFor(node, cx) {
    const s = node._scope;
    const c2 = this.sub(cx, { scope: s });
    const src = this.src;
    let out = '';
    let pos = node.start;
    const open = this.skipTrivia(node.start + 3); // '('
    let semi1;
    if (node.init) {
      out += this.s(pos, node.init.start) + this.gen(node.init, c2);
      pos = node.init.end;
      semi1 = this.skipTrivia(this.closeParens(node.init, node.body.start));
    } else {
      semi1 = this.skipTrivia(open + 1);
    }
    if (src[semi1] !== ';') throw new Error('instrument: cannot find for(;;) separator');
    const line = node.loc.start.line;
    const step = cx.steps ? this.stepCall(node.test ? node.test.start : semi1 + 1, line, c2) : '';
    if (node.test) {
      out += this.s(pos, node.test.start) + '(' + (step ? step + ',' : '') + this.gen(node.test, c2) + ')';
      pos = node.test.end;
    } else if (step) {
      out += this.s(pos, semi1 + 1) + '(' + step + ',true)';
      pos = semi1 + 1;
    }
    if (node.update) {
      out += this.s(pos, node.update.start) + this.gen(node.update, c2);
      pos = node.update.end;
    }
    out += this.s(pos, node.body.start) + this.genBody(node.body, c2);
    return out + this.s(node.body.end, node.end);
  }

  genForInOf(node, cx) {
    const s = node._scope;
    const c2 = this.sub(cx, { scope: s });
    let out = this.s(node.start, node.left.start);
    let extra = '';
    if (node.left.type === 'VariableDeclaration') {
      out += this.gen(node.left, c2);
    } else {
      const r = this.genPatternTarget(node.left, c2);
      out += r.text;
      if (r.nonlocals.length && cx.steps) extra = `$__w(0${r.nonlocals.join('')});`;
    }
    out += this.s(node.left.end, node.right.start) + this.gen(node.right, c2) + this.s(node.right.end, node.body.start);
    const line = node.loc.start.line;
    const prefix = (pos, scope) => {
      if (!cx.steps) return extra;
      return ';' + extra + this.stepCall(pos, line, c2, scope) + ';';
    };
    out += this.genBody(node.body, c2, prefix);
    return out + this.s(node.body.end, node.end);
  }

  genCatch(node, cx) {
    const s = node._scope;
    const c2 = this.sub(cx, { scope: s });
    const body = node.body;
    let head, hook = '', pre = '';
    if (node.param && node.param.type === 'Identifier') {
      head = this.s(node.start, body.start);
      if (cx.steps && cx.F) hook = `$__h(${cx.F},${node.param.name});`;
    } else if (node.param) {
      // destructuring catch parameter: bind it inside the block instead
      head = 'catch($__e)';
      pre = `let ${this.gen(node.param, c2)}=$__e;`;
      if (cx.steps && cx.F) hook = `$__h(${cx.F},$__e);`;
    } else {
      head = 'catch($__e)';
      if (cx.steps && cx.F) hook = `$__h(${cx.F},$__e);`;
    }
    return head + '{' + hook + pre + this.genStatements(body.body, c2, body.start + 1, body.end);
  }

  // ---- barriers
  simpleRef(node) {
    return node.type === 'Identifier' || node.type === 'ThisExpression';
  }

  // An expression that can be evaluated a second time without side effects
  // (identifiers, this, and property reads with literal/identifier keys).
  pureRef(node) {
    if (node.type === 'Identifier' || node.type === 'ThisExpression') return true;
    if (node.type === 'MemberExpression' && node.object.type !== 'Super' && node.property.type !== 'PrivateIdentifier') {
      if (node.computed && node.property.type !== 'Literal' && node.property.type !== 'Identifier') return false;
      return this.pureRef(node.object);
    }
    return false;
  }

  // A member expression used as a write target: returns the text with its
  // object/key captured, or null when no barrier is possible.
  memberTarget(m, cx) {
    if (m.property.type === 'PrivateIdentifier') return null;
    let objText, objRef;
    const objEnd = m.object.type === 'Super' ? m.object.end : this.closeParens(m.object, m.property.start);
    if (m.object.type === 'Super') {
      objText = 'super';
      objRef = 'this';
    } else if (cx.temps && !cx.inChain) {
      const t = this.temp(cx);
      objText = `(${t}=${this.genOuter(m.object, m.start, objEnd, cx)})`;
      objRef = t;
    } else if (this.simpleRef(m.object)) {
      objText = this.genOuter(m.object, m.start, objEnd, cx);
      objRef = this.gen(m.object, cx);
    } else return null;
    let text, keyRef;
    if (!m.computed) {
      keyRef = JSON.stringify(m.property.name);
      text = objText + this.s(objEnd, m.end);
    } else if (m.property.type === 'Literal') {
      keyRef = this.s(m.property.start, m.property.end);
      text = objText + this.s(objEnd, m.end);
    } else if (cx.temps && !cx.inChain) {
      const t = this.temp(cx);
      keyRef = t;
      // parenthesised: a key `a[i, j]` is a sequence, whose value is its last item
      text = objText + this.s(objEnd, m.property.start) + `${t}=(${this.gen(m.property, cx)})` + this.s(m.property.end, m.end);
    } else if (m.property.type === 'Identifier') {
      keyRef = m.property.name;
      text = objText + this.s(objEnd, m.end);
    } else return null;
    return { text, obj: objRef, key: keyRef };
  }

  ownerRef(b, cx) {
    const owner = b.scope.fn;
    if (owner.kind !== 'function' && owner.kind !== 'module') return null;
    if (cx.badF.has(owner.depth)) return null;
    return `$__f${owner.depth}`;
  }

  nonlocalTriple(id, cx) {
    if (!id._nonlocal || !id._b) return null;
    const o = this.ownerRef(id._b, cx);
    if (!o) return null;
    return `,${o},${id._b.uid},${id.name}`;
  }

  // assignment-pattern target: member targets become $__L(obj,key).v
  genPatternTarget(p, cx) {
    const nonlocals = [];
    const text = this.genPat(p, cx, nonlocals);
    return { text, nonlocals };
  }

  genPat(p, cx, nonlocals) {
    switch (p.type) {
      case 'Identifier': {
        const t = this.nonlocalTriple(p, cx);
        if (t) nonlocals.push(t);
        return this.s(p.start, p.end);
      }
      case 'MemberExpression': {
        if (p.property.type === 'PrivateIdentifier' || p.object.type === 'Super') return this.gen(p, cx);
        const key = p.computed ? this.gen(p.property, cx) : JSON.stringify(p.property.name);
        return `$__L(${this.gen(p.object, cx)},${key},${cx.strict ? 1 : 0}).v`;
      }
      case 'ObjectPattern': {
        let out = '';
        let pos = p.start;
        for (const q of p.properties) {
          out += this.s(pos, q.start);
          if (q.type === 'RestElement') {
            out += this.s(q.start, q.argument.start) + this.genPat(q.argument, cx, nonlocals) + this.s(q.argument.end, q.end);
          } else if (q.shorthand) {
            if (q.value.type === 'AssignmentPattern') {
              out += this.genPat(q.value, cx, nonlocals);
            } else out += this.genPat(q.value, cx, nonlocals);
          } else {
            out += (q.computed ? this.s(q.start, q.key.start) + this.gen(q.key, cx) + this.s(q.key.end, q.value.start) : this.s(q.start, q.value.start)) + this.genPat(q.value, cx, nonlocals) + this.s(q.value.end, q.end);
          }
          pos = q.end;
        }
        return out + this.s(pos, p.end);
      }
      case 'ArrayPattern': {
        let out = '';
        let pos = p.start;
        for (const q of p.elements) {
          if (!q) continue;
          out += this.s(pos, q.start) + this.genPat(q, cx, nonlocals);
          pos = q.end;
        }
        return out + this.s(pos, p.end);
      }
      case 'RestElement': return this.s(p.start, p.argument.start) + this.genPat(p.argument, cx, nonlocals) + this.s(p.argument.end, p.end);
      case 'AssignmentPattern':
        return this.s(p.start, p.left.start) + this.genPat(p.left, cx, nonlocals) + this.s(p.left.end, p.right.start) + this.gen(p.right, cx) + this.s(p.right.end, p.end);
      default:
        return this.gen(p, cx);
    }
  }

  // A write with its barrier: $__w for bindings frames other than the writer's show (`triples`: ',frame,uid,name'
  // each, from nonlocalTriple), $__m for a member (memberTarget's result).
  writeBarrier(text, triples) { return triples ? `$__w((${text})${triples})` : text; }
  memberBarrier(text, r) { return `$__m((${text}),${r.obj},${r.key})`; }

  // `[a[i], a[j]] = [a[j], a[i]]` or `[x, y] = [y, x]` as a statement: as many plain targets (variables, members) as
  // items, none of them spread or defaulted
  isListAssign(node, cx) {
    if (node.type !== 'AssignmentExpression' || node.operator !== '=' || node.left.type !== 'ArrayPattern' ||
      node.right.type !== 'ArrayExpression' || !cx.temps || cx.inChain) return false;
    const targets = node.left.elements, items = node.right.elements;
    return targets.length > 0 && targets.length === items.length &&
      items.every(e => e !== null && e.type !== 'SpreadElement') &&
      targets.every(t => t !== null && (t.type === 'Identifier' ||
        (t.type === 'MemberExpression' && !t.optional && t.object.type !== 'Super' && t.property.type !== 'PrivateIdentifier')));
  }

  // The items computed in order, then each target evaluated and stored in order: what the destructuring does when the
  // realm's array iteration is as it began ($__A(), asked where the iteration would start: the iterator it would make
  // has no observable step), with plain stores and their write barriers instead of an iterator, its results and a
  // $__L object per target (bubble sort: ~0.3 µs a swap, an eighth of the run). Otherwise the destructuring itself,
  // of the items computed.
  genListAssign(node, cx) {
    const sub = this.sub(cx, {});
    const temps = node.right.elements.map(() => this.temp(sub));
    const items = node.right.elements.map((e, k) => `${temps[k]}=(${this.gen(e, sub)})`);
    const stores = node.left.elements.map((t, k) => {
      if (t.type === 'Identifier') return this.writeBarrier(`${this.s(t.start, t.end)}=${temps[k]}`, this.nonlocalTriple(t, cx));
      const r = this.memberTarget(t, sub);
      return this.memberBarrier(`${r.text}=${temps[k]}`, r);
    });
    const pattern = this.genPatternTarget(node.left, sub);
    const destructure = this.writeBarrier(`${pattern.text}=[${temps.join(',')}]`, pattern.nonlocals.join(''));
    return `(${items.join(',')},$__A()?(${stores.join(',')}):${destructure})`;
  }

  genAssign(node, cx) {
    const left = node.left;
    const sub = this.sub(cx, {});
    if (left.type === 'Identifier') {
      const text = this.s(node.start, node.right.start) + this.gen(node.right, sub) + this.s(node.right.end, node.end);
      return this.writeBarrier(text, this.nonlocalTriple(left, cx));
    }
    if (left.type === 'MemberExpression') {
      const r = this.memberTarget(left, sub);
      if (!r) return this.genDefault(node, cx);
      const text = this.s(node.start, left.start) + r.text + this.s(left.end, node.right.start) + this.gen(node.right, sub) + this.s(node.right.end, node.end);
      return this.memberBarrier(text, r);
    }
    const r = this.genPatternTarget(left, sub);
    const text = this.s(node.start, left.start) + r.text + this.s(left.end, node.right.start) + this.gen(node.right, sub) + this.s(node.right.end, node.end);
    if (r.nonlocals.length) return this.writeBarrier(text, r.nonlocals.join(''));
    return left.type === 'ObjectPattern' ? `(${text})` : text;
  }

  genUpdate(node, cx) {
    const a = node.argument;
    if (a.type === 'Identifier') {
      return this.writeBarrier(this.s(node.start, node.end), this.nonlocalTriple(a, cx));
    }
    if (a.type === 'MemberExpression') {
      const sub = this.sub(cx, {});
      const r = this.memberTarget(a, sub);
      if (!r) return this.genDefault(node, cx);
      const text = this.s(node.start, a.start) + r.text + this.s(a.end, node.end);
      return this.memberBarrier(text, r);
    }
    return this.genDefault(node, cx);
  }

  genArgs(node, cx) {
    // text from end of callee to end of call, with arguments generated
    let out = '';
    let pos = node.callee.end;
    for (const a of node.arguments) {
      out += this.s(pos, a.start) + this.gen(a, cx);
      pos = a.end;
    }
    return out + this.s(pos, node.end);
  }

  genCall(node, cx) {
    const callee = node.callee;
    if (callee.type !== 'MemberExpression' || callee.property.type === 'PrivateIdentifier') return this.genDefault(node, cx);
    const inChain = cx.inChain;
    if (inChain && cx.chainTop !== node) return this.genDefault(node, cx);
    const name = callee.computed ? (callee.property.type === 'Literal' ? String(callee.property.value) : null) : callee.property.name;
    if (name !== null && PURE_METHODS.has(name) && name !== 'call' && name !== 'apply') return this.genDefault(node, cx);
    const obj = callee.object;
    const globalNs = obj.type === 'Identifier' && !obj._b ? obj.name : null;
    if (globalNs && SAFE_NAMESPACES.has(globalNs)) return this.genDefault(node, cx);
    const sub = this.sub(cx, {});
    if ((globalNs && MUTATING_NAMESPACES.has(globalNs)) || name === 'call' || name === 'apply') {
      // the first argument is the mutated object
      const a0 = node.arguments[0];
      if (!a0 || a0.type === 'SpreadElement') return this.genDefault(node, cx);
      const hook = '$__O';
      let ref, a0text;
      if (sub.temps && !inChain) {
        ref = this.temp(sub);
        a0text = `${ref}=(${this.gen(a0, sub)})`;
      } else if (this.pureRef(a0)) {
        ref = a0text = this.gen(a0, sub);
      } else return this.genDefault(node, cx);
      let out = this.s(node.start, callee.start) + this.gen(callee, sub) + this.s(callee.end, a0.start) + a0text;
      let pos = a0.end;
      for (let k = 1; k < node.arguments.length; k++) {
        const a = node.arguments[k];
        out += this.s(pos, a.start) + this.gen(a, sub);
        pos = a.end;
      }
      out += this.s(pos, node.end);
      return `${hook}(${out},${ref})`;
    }
    const code = name === 'push' ? ',1' : '';
    if (obj.type === 'Super') {
      return `$__M(${this.genDefault(node, sub)},this${code})`;
    }
    if (sub.temps && !inChain) {
      const t = this.temp(sub);
      const objEnd = this.closeParens(obj, callee.property.start);
      const calleeText = `(${t}=${this.genOuter(obj, callee.start, objEnd, sub)})` + this.genMemberRest(callee, objEnd, sub);
      return `$__M(${this.s(node.start, callee.start)}${calleeText}${this.genArgs(node, sub)},${t}${code})`;
    }
    if (this.pureRef(obj)) {
      // re-read the receiver after the call (optional chains cannot hold temps)
      return `$__M(${this.genDefault(node, sub)},${this.s(obj.start, obj.end)}${code})`;
    }
    return this.genDefault(node, cx);
  }

  // the member's text after its object (which ends at objEnd, closing parentheses included)
  genMemberRest(m, objEnd, cx) {
    if (m.computed) return this.s(objEnd, m.property.start) + this.gen(m.property, cx) + this.s(m.property.end, m.end);
    return this.s(objEnd, m.end);
  }

  genClass(node, cx) {
    let out = '';
    let pos = node.start;
    if (node.superClass) {
      out += this.s(pos, node.superClass.start) + this.gen(node.superClass, cx);
      pos = node.superClass.end;
    }
    const cs = node._scope;
    const body = node.body;
    out += this.s(pos, body.start);
    pos = body.start;
    const strictCx = this.sub(cx, { scope: cs, strict: true });
    for (const m of body.body) {
      out += this.s(pos, m.start);
      if (m.type === 'MethodDefinition') {
        let t = '';
        let p = m.start;
        if (m.computed) { t += this.s(p, m.key.start) + this.gen(m.key, strictCx); p = m.key.end; }
        t += this.s(p, m.value.start) + this.genFunction(m.value, strictCx) + this.s(m.value.end, m.end);
        out += t;
      } else if (m.type === 'PropertyDefinition') {
        let t = '';
        let p = m.start;
        if (m.computed) { t += this.s(p, m.key.start) + this.gen(m.key, strictCx); p = m.key.end; }
        if (m.value) {
          const fc = this.sub(strictCx, { temps: null, steps: false });
          t += this.s(p, m.value.start) + this.gen(m.value, fc);
          p = m.value.end;
        }
        t += this.s(p, m.end);
        out += t;
      } else {
        out += this.gen(m, strictCx);
      }
      pos = m.end;
    }
    return out + this.s(pos, node.end);
  }

  arrowBodyStart(node) {
    // position right after '=>'
    const src = this.src;
    let pos = node.params.length ? node.params[node.params.length - 1].end : node.start;
    for (;;) {
      pos = this.skipTrivia(pos);
      if (src.startsWith('=>', pos)) return pos + 2;
      if (src.startsWith('async', pos)) { pos += 5; continue; }
      const ch = src[pos];
      if (ch === '(' || ch === ')' || ch === ',') { pos++; continue; }
      throw new Error('instrument: cannot find =>');
    }
  }

  genFunction(node, cx) {
    const fi = node._fn;
    const Fv = `$__f${fi.depth}`;
    const parentF = cx.F && !cx.badF.has(fi.frameParent.depth) ? `$__f${fi.frameParent.depth}` : 'null';
    // parameters: no temps (body lets are not visible there), no access to this frame
    const badF = new Set(cx.badF);
    badF.add(fi.depth);
    const pcx = { fn: fi, scope: fi.scope, F: null, temps: null, tl: 1, steps: false, badF, inChain: false, strict: fi.strict };
    let head = '';
    let pos = node.start;
    if (node._rename) {
      head = this.s(node.start, node.id.start) + node._rename;
      pos = node.id.end;
    }
    for (const p of node.params) {
      head += this.s(pos, p.start) + this.genParam(p, pcx);
      pos = p.end;
    }
    const bcx = { fn: fi, scope: fi.scope, F: Fv, temps: { n: 0 }, tl: 1, steps: true, badF: cx.badF, inChain: false, strict: fi.strict, inFinallyTry: false };
    const body = node.body;
    const entry = this.viewAt(body.type === 'BlockStatement' ? body.start + 1 : body.start, fi.scope, fi);
    const enter = `const ${Fv}=$__c(${fi.id},${parentF},${entry.vid}${entry.args});`;
    const catcher = `catch($__e){throw $__x(${Fv},$__e)}`;
    if (body.type === 'BlockStatement') {
      head += this.s(pos, body.start);
      const stmts = body.body;
      let i = 0;
      while (i < stmts.length && isDirective(stmts[i])) i++;
      const dirEnd = i > 0 ? stmts[i - 1].end : body.start + 1;
      const renamed = this.renameBlockedFunctions(stmts);
      const inner = renamed + this.genStatements(stmts.slice(i), bcx, dirEnd, body.end - 1);
      const last = stmts[stmts.length - 1];
      let implicit = '';
      if (!last || (last.type !== 'ReturnStatement' && last.type !== 'ThrowStatement')) {
        const v = this.viewAt(body.end - 1, fi.scope, fi);
        implicit = `;$__r(${Fv},${body.loc.end.line},${v.vid},undefined${v.args});`;
      }
      const exit = fi.needsExit ? `finally{$__E(${Fv})}` : '';
      return head + this.s(body.start, dirEnd) + (i > 0 ? ';' : '') + this.tempDecl(bcx) + enter + 'try{' + inner + implicit + '}' + catcher + exit + '}';
    }
    // expression-bodied arrow
    const arrowEnd = this.arrowBodyStart(node);
    head += this.s(pos, arrowEnd);
    const v = this.viewAt(body.start, fi.scope, fi);
    const expr = this.s(arrowEnd, body.start) + this.gen(body, bcx) + this.s(body.end, node.end);
    return head + '{' + this.tempDecl(bcx) + enter + `try{return $__r(${Fv},${body.loc.start.line},${v.vid},${expr}${v.args})}` + catcher + '}';
  }

  // The body runs inside `try{}`, where its function declarations are the block's: a name the function also declares
  // with `var`, or declares twice with a generator or async function among them, is an early error there and not in
  // the function. Those declarations are renamed, and the name (a var) takes the one hoisting would have left in it:
  // the last. Returns the assignment that goes first in the block.
  renameBlockedFunctions(stmts) {
    const groups = new Map();
    for (const st of stmts) {
      if (st.type !== 'FunctionDeclaration' || !st.id._b) continue;
      const g = groups.get(st.id._b);
      if (g) g.push(st); else groups.set(st.id._b, [st]);
    }
    let out = '';
    for (const [b, decls] of groups) {
      if (!b.hasVar && !(decls.length > 1 && decls.some((d) => d.generator || d.async))) continue;
      for (const d of decls) d._rename = `${PREFIX}d${this.renames++}`;
      out += `var ${b.name}=${decls[decls.length - 1]._rename};`;
    }
    return out;
  }

  genParam(p, pcx) {
    // defaults may contain functions and calls; keep everything else verbatim
    return this.gen(p, pcx);
  }
}
