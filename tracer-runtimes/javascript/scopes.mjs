// The instrumenter's scope passes, the base of Instrumenter (instrument.mjs): pass 1 declares every binding in its scope
// (var/let/const/class/function/params/catch, temporal dead zones, closures' creation points), pass 2 resolves every
// reference (closure variables, writes to bindings other frames show, implicit globals), and views say which bindings
// a step shows at a position (no TDZ read, no side effect).
import { Binding, FnInfo, STRICT_RESERVED, Scope, children, isDirective, isFunctionNode, patternIds } from './ast.mjs';

export class ScopePasses {
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
}
