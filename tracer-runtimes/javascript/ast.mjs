// The instrumenter's shared vocabulary: scope and binding records, the tree walking helpers, the tracer's reserved
// prefix and the syntax facts the passes rely on.

export const PREFIX = '$__';

export class Meta {
  constructor() {
    this.fns = [];        // [{name, line, endLine}]
    this.views = [];      // [{names: [], uids: []}]
    this.viewKeys = new Map();
    this.uidNames = [];   // uid -> binding name
    this.closureUids = []; // uid -> true when some inner function shows it as a closure variable
  }
}

export class Scope {
  constructor(kind, node, parent, fn) {
    this.kind = kind;      // module | function | block | catch | switch | class | fname | static
    this.node = node;
    this.parent = parent;
    this.fn = fn;          // FnInfo owning code in this scope (real function, module or static block)
    this.bindings = new Map();
    this.curCase = null;
  }
}

export class FnInfo {
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
/** Binding uids count from 0 again (one program at a time). */
export function resetUids() { uidCounter = 0; }
export class Binding {
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

export function lineColOf(src, pos) {
  let line = 1, last = 0;
  for (let i = 0; i < pos; i++) if (src.charCodeAt(i) === 10) { line++; last = i + 1; }
  return { line, column: pos - last + 1 };
}

// ---------------------------------------------------------------------------

// Identifiers sloppy code may bind and strict code may not name.
export const STRICT_RESERVED = new Set(['implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield']);

// A directive's text may be empty (`""; "use strict";`): acorn's `directive` is then '', which is falsy.
export const isDirective = (st) => st.type === 'ExpressionStatement' && typeof st.directive === 'string';

export const isLineTerminator = (c) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

export function isFunctionNode(n) {
  return n && (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression');
}

export function children(node) {
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

export function patternIds(p, out = []) {
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
