// The instrumenter's write and call barriers, a base of Instrumenter (instrument.mjs): a store to a binding another
// frame shows ($__w), a store into an object ($__m), destructuring targets ($__L), swaps without an iterator ($__A),
// and calls that may mutate their receiver or first argument ($__M, $__O).
import { StatementPass } from './statements.mjs';

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

export class WriteBarriers extends StatementPass {
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
}
