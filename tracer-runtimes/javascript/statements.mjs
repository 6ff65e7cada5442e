// The instrumenter's statement pass, a base of Instrumenter (instrument.mjs): a copy of the program's text with the
// hooks inserted (steps before statements and loop tests, frames entered and left, returns, yields, catches), never a
// newline, so the instrumented program's lines are the learner's.
import { PREFIX, children, isDirective, isLineTerminator } from './ast.mjs';
import { ScopePasses } from './scopes.mjs';

export class StatementPass extends ScopePasses {
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
