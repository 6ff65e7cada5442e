/**
 * Comparing a graded result with a test case's expected value.
 *
 * Both sides use the result encoding of grade mode (tracer-runtimes/CHANNEL.md): plain JSON for
 * numbers, strings, booleans, null, lists and string-keyed objects, and one-key tagged objects
 * for the rest — `{"$set":[...]}`, `{"$map":[[k,v],...]}`, `{"$float":"nan"|"inf"|"-inf"}`,
 * `{"$undefined":true}`, `{"$bigint":"digits"}`, `{"$repr":..,"$type":..}`, `{"$toolarge":bytes}`.
 *
 * Modes:
 * - `exact`: same structure and values; list order matters; a set equals a set with the same items;
 *   a string-keyed object and a `$map` whose keys are all strings are both "mappings" and compare by
 *   entries (so a JS `Map` or a Python dict that had to be sent as `$map` can still match an object).
 * - `unordered`: like exact, but the order of the TOP-LEVEL list does not matter (multiset equality);
 *   nested lists stay ordered.
 * - `float`: like exact, but every number (at any depth) matches within `tolerance`:
 *   |a − b| ≤ tolerance · max(1, |a|, |b|) (absolute near zero, relative for large values).
 *   NaN matches NaN, ±inf only itself.
 *
 * Integers and floats are not told apart (2 and 2.0 are the same JSON number); booleans and numbers
 * are (Python's True is sent as `true`).
 */

export type CompareMode = 'exact' | 'unordered' | 'float';
export interface CompareSpec {
  mode: CompareMode;
  /** For `float`: see the module comment. Default {@link DEFAULT_TOLERANCE}. */
  tolerance?: number;
}
export interface CompareOutcome {
  passed: boolean;
  /** Why it failed, for the learner: e.g. `returned a set, expected a list`, `at [2]: returned 4, expected 5`. */
  reason?: string;
}

export const DEFAULT_TOLERANCE = 1e-6;
const PREVIEW = 80;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** What a value encodes. `mapping` covers string-keyed objects and `$map`. */
type Kind = 'null' | 'boolean' | 'number' | 'string' | 'list' | 'mapping' | 'set' | 'undefined' | 'repr' | 'toolarge' | 'invalid';

interface Num { kind: 'number'; finite: boolean; value: number; big?: bigint; special?: 'nan' | 'inf' | '-inf' }

const TAGS = new Set(['$set', '$map', '$float', '$undefined', '$bigint', '$toolarge']);

/** The tag of a tagged object (`$set`, `$repr`, …), or null for a plain object. */
function tagOf(v: Record<string, unknown>): string | null {
  const keys = Object.keys(v);
  if (keys.length === 1 && TAGS.has(keys[0])) return keys[0];
  if (keys.length === 2 && '$repr' in v && '$type' in v) return '$repr';
  return null;
}

function kindOf(v: unknown): Kind {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return 'boolean';
    case 'number': return 'number';
    case 'string': return 'string';
    case 'object': break;
    default: return 'invalid';
  }
  if (Array.isArray(v)) return 'list';
  const o = v as Record<string, unknown>;
  switch (tagOf(o)) {
    case '$set': return Array.isArray(o.$set) ? 'set' : 'invalid';
    case '$map': return Array.isArray(o.$map) && o.$map.every(e => Array.isArray(e) && e.length === 2) ? 'mapping' : 'invalid';
    case '$float': return o.$float === 'nan' || o.$float === 'inf' || o.$float === '-inf' ? 'number' : 'invalid';
    case '$bigint': return typeof o.$bigint === 'string' && /^-?\d+$/.test(o.$bigint) ? 'number' : 'invalid';
    case '$undefined': return 'undefined';
    case '$repr': return 'repr';
    case '$toolarge': return 'toolarge';
    default: return 'mapping';
  }
}

function num(v: unknown): Num {
  if (typeof v === 'number') return { kind: 'number', finite: true, value: v };
  const o = v as Record<string, unknown>;
  if ('$float' in o) {
    const s = o.$float as 'nan' | 'inf' | '-inf';
    return { kind: 'number', finite: false, special: s, value: s === 'nan' ? NaN : s === 'inf' ? Infinity : -Infinity };
  }
  const big = BigInt(o.$bigint as string);
  return { kind: 'number', finite: true, value: Number(big), big };
}

function bigOf(n: Num): bigint | null {
  if (n.big !== undefined) return n.big;
  return Number.isInteger(n.value) ? BigInt(n.value) : null;
}

/** Mapping entries as [key, value] pairs (object keys are strings). */
function entriesOf(v: unknown): [unknown, unknown][] {
  const o = v as Record<string, unknown>;
  if (tagOf(o) === '$map') return o.$map as [unknown, unknown][];
  return Object.entries(o);
}

/**
 * A canonical string for a value: equal canonical strings ⇔ equal under `exact`.
 * Sets and mappings are order-independent; a safe-integer `$bigint` equals the number.
 */
export function canonical(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) > Number.MAX_SAFE_INTEGER) return 'n' + BigInt(v).toString();
    return 'n' + (v === 0 ? 0 : v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  const k = kindOf(v);
  switch (k) {
    case 'null': case 'boolean': case 'string': return JSON.stringify(v);
    case 'number': {
      const n = num(v);
      if (!n.finite) return '#' + n.special;
      const b = n.big;
      if (b !== undefined && (b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER))) return 'n' + b.toString();
      const x = n.value;
      if (Number.isInteger(x) && Math.abs(x) > Number.MAX_SAFE_INTEGER) return 'n' + BigInt(x).toString();
      return 'n' + (Object.is(x, -0) ? 0 : x);
    }
    case 'list': return '[' + (v as unknown[]).map(canonical).join(',') + ']';
    case 'set': return 'S{' + ((v as { $set: unknown[] }).$set.map(canonical).sort().join(',')) + '}';
    case 'mapping': return 'M{' + entriesOf(v).map(([a, b]) => canonical(a) + ':' + canonical(b)).sort().join(',') + '}';
    case 'undefined': return 'U';
    case 'repr': { const o = v as Record<string, unknown>; return 'R' + JSON.stringify([o.$type, o.$repr]); }
    case 'toolarge': return 'T' + JSON.stringify(v);
    default: return 'X' + safeJson(v);
  }
}

function safeJson(v: unknown): string {
  try { return JSON.stringify(v) ?? String(v); } catch { return String(v); }
}

function preview(v: unknown): string {
  const k = kindOf(v);
  let s: string;
  if (k === 'number') {
    const n = num(v);
    s = n.finite ? (n.big !== undefined ? n.big.toString() : String(n.value)) : n.special === 'nan' ? 'NaN' : n.special === 'inf' ? 'Infinity' : '-Infinity';
  } else if (k === 'repr') {
    s = String((v as Record<string, unknown>).$repr);
  } else {
    s = safeJson(v);
  }
  return s.length > PREVIEW ? s.slice(0, PREVIEW - 1) + '…' : s;
}

function describe(v: unknown): string {
  const k = kindOf(v);
  switch (k) {
    case 'null': return 'None/null';
    case 'boolean': return 'a boolean';
    case 'number': return 'a number';
    case 'string': return 'a string';
    case 'list': return 'a list';
    case 'set': return 'a set';
    case 'mapping': return tagOf(v as Record<string, unknown>) === '$map' ? 'a map' : 'a dict/object';
    case 'undefined': return 'undefined';
    case 'repr': {
      const o = v as Record<string, unknown>;
      return `a value of type ${String(o.$type)} (${preview(v)})`;
    }
    case 'toolarge': return `a result too large to send (${String((v as Record<string, unknown>).$toolarge)} bytes of JSON)`;
    default: return `an unrecognized value (${preview(v)})`;
  }
}

function items(n: number): string {
  return `${n} item${n === 1 ? '' : 's'}`;
}

/** Are two numbers equal under the mode? */
function numbersMatch(a: Num, b: Num, tol: number | null): boolean {
  if (!a.finite || !b.finite) {
    if (a.special === 'nan' || b.special === 'nan') return a.special === 'nan' && b.special === 'nan';
    return a.value === b.value;
  }
  if (tol === null) {
    const ba = bigOf(a), bb = bigOf(b);
    if (ba !== null && bb !== null && (a.big !== undefined || b.big !== undefined)) return ba === bb;
    return a.value === b.value;
  }
  const d = Math.abs(a.value - b.value);
  return d <= tol * Math.max(1, Math.abs(a.value), Math.abs(b.value));
}

/** A difference: the path to it (segments outermost first, built only on failure) and what differs. */
interface Diff { rev: string[]; msg: string }

function keySeg(key: unknown): string {
  return '[' + (typeof key === 'string' ? JSON.stringify(key) : preview(key)) + ']';
}

function render(d: Diff): string {
  return d.rev.length ? `at ${d.rev.reverse().join('')}: ${d.msg}` : d.msg;
}

/** The first difference between `exp` and `act` (null when they match). `tol` null: exact numbers. */
function diff(exp: unknown, act: unknown, tol: number | null, nested: boolean): Diff | null {
  if (typeof exp === 'number' && typeof act === 'number' && tol === null) {
    return exp === act ? null : { rev: [], msg: `returned ${preview(act)}, expected ${preview(exp)}` };
  }
  const ke = kindOf(exp), ka = kindOf(act);
  const mk = (msg: string): Diff => ({ rev: [], msg });
  if (ke === 'invalid') return mk(`the expected value is not a valid encoding (${preview(exp)})`);
  if (ke !== ka) {
    const plain = ka === 'toolarge' || ka === 'repr' || ka === 'invalid' || ke === 'repr' || ke === 'toolarge';
    return mk(`returned ${describe(act)}, expected ${describe(exp)}${nested && !plain ? ` (${preview(exp)})` : ''}`);
  }
  switch (ke) {
    case 'null': case 'undefined': return null;
    case 'boolean': case 'string':
      return exp === act ? null : mk(`returned ${preview(act)}, expected ${preview(exp)}`);
    case 'number':
      return numbersMatch(num(exp), num(act), tol) ? null
        : mk(`returned ${preview(act)}, expected ${preview(exp)}${tol !== null ? ` (tolerance ${tol})` : ''}`);
    case 'list': {
      const e = exp as unknown[], a = act as unknown[];
      if (e.length !== a.length) {
        return mk(`returned a list of ${items(a.length)}, expected ${e.length}${nested ? '' : `: ${preview(exp)}`}`);
      }
      for (let i = 0; i < e.length; i++) {
        const d = diff(e[i], a[i], tol, true);
        if (d !== null) { d.rev.push(`[${i}]`); return d; }
      }
      return null;
    }
    case 'set': {
      const e = (exp as { $set: unknown[] }).$set, a = (act as { $set: unknown[] }).$set;
      const missing = multisetMinus(e, a);
      if (missing.length === 0 && e.length === a.length) return null;
      const extra = multisetMinus(a, e);
      const parts: string[] = [];
      if (e.length !== a.length) parts.push(`returned a set of ${items(a.length)}, expected ${e.length}`);
      if (missing.length) parts.push(`missing ${listSome(missing)}`);
      if (extra.length) parts.push(`unexpected ${listSome(extra)}`);
      return mk(parts.join('; '));
    }
    case 'mapping': {
      const e = entriesOf(exp), a = entriesOf(act);
      const am = new Map<string, [unknown, unknown]>();
      for (const en of a) am.set(canonical(en[0]), en);
      const seen = new Set<string>();
      for (const [k, v] of e) {
        const ck = canonical(k);
        seen.add(ck);
        const got = am.get(ck);
        if (got === undefined) return mk(`missing key ${preview(k)}`);
        const d = diff(v, got[1], tol, true);
        if (d !== null) { d.rev.push(keySeg(k)); return d; }
      }
      for (const [ck, en] of am) if (!seen.has(ck)) return mk(`unexpected key ${preview(en[0])}`);
      return null;
    }
    case 'repr': case 'toolarge':
      return canonical(exp) === canonical(act) ? null : mk(`returned ${describe(act)}, expected ${describe(exp)}`);
    default:
      return mk(`returned ${describe(act)}, expected ${describe(exp)}`);
  }
}

function listSome(xs: unknown[]): string {
  return xs.slice(0, 3).map(preview).join(', ') + (xs.length > 3 ? ', …' : '');
}

/** Items of `a` not matched by an item of `b` (multiset difference by canonical form). */
function multisetMinus(a: unknown[], b: unknown[]): unknown[] {
  const count = new Map<string, number>();
  for (const x of b) { const c = canonical(x); count.set(c, (count.get(c) ?? 0) + 1); }
  const out: unknown[] = [];
  for (const x of a) {
    const c = canonical(x);
    const n = count.get(c) ?? 0;
    if (n > 0) count.set(c, n - 1); else out.push(x);
  }
  return out;
}

function normalizeSpec(mode: CompareMode | CompareSpec | undefined): { mode: CompareMode; tol: number | null } {
  const spec: CompareSpec = mode === undefined ? { mode: 'exact' } : typeof mode === 'string' ? { mode } : mode;
  if (spec.mode !== 'exact' && spec.mode !== 'unordered' && spec.mode !== 'float') throw new Error(`unknown compare mode ${String(spec.mode)}`);
  const tol = spec.mode === 'float' ? (spec.tolerance ?? DEFAULT_TOLERANCE) : null;
  if (tol !== null && !(tol >= 0 && Number.isFinite(tol))) throw new Error(`invalid tolerance ${String(tol)}`);
  return { mode: spec.mode, tol };
}

/**
 * Compares a graded `actual` result with the case's `expected` value (both in the grade-mode result encoding).
 * `mode` is a mode name or a {@link CompareSpec} (for a `float` tolerance); default `exact`.
 */
export function compareResult(expected: unknown, actual: unknown, mode?: CompareMode | CompareSpec): CompareOutcome {
  const { mode: m, tol } = normalizeSpec(mode);
  if (m === 'unordered' && kindOf(expected) === 'list' && kindOf(actual) === 'list') {
    const e = expected as unknown[], a = actual as unknown[];
    if (e.length !== a.length) {
      return { passed: false, reason: `returned a list of ${items(a.length)}, expected ${e.length} (in any order): ${preview(expected)}` };
    }
    const missing = multisetMinus(e, a);
    if (missing.length === 0) return { passed: true };
    const extra = multisetMinus(a, e);
    return {
      passed: false,
      reason: `returned ${preview(actual)}, expected ${preview(expected)} in any order (missing ${listSome(missing)}; unexpected ${listSome(extra)})`,
    };
  }
  const kindE = kindOf(expected), kindA = kindOf(actual);
  const d = diff(expected, actual, tol, false);
  if (d === null) return { passed: true };
  const reason = render(d);
  // a difference inside a list or mapping: add the whole values (previews)
  if (kindE === kindA && (kindE === 'list' || kindE === 'mapping') && reason.startsWith('at ')) {
    return { passed: false, reason: `${reason} (returned ${preview(actual)}, expected ${preview(expected)})` };
  }
  return { passed: false, reason };
}

/**
 * Checks that a value is a well-formed encoded value (as used for `expected` in problem files):
 * plain JSON, or the tagged forms with the right payloads. Returns null when valid, else what is wrong.
 */
export function checkEncoded(v: unknown, path = ''): string | null {
  const k = kindOf(v);
  if (k === 'invalid') {
    if (typeof v === 'object' && v !== null) return `${path || 'value'}: malformed tagged value ${preview(v)}`;
    return `${path || 'value'}: not a JSON value`;
  }
  if (k === 'number' && typeof v === 'number' && !Number.isFinite(v)) return `${path || 'value'}: non-finite number (use {"$float": …})`;
  if (k === 'list') {
    const a = v as unknown[];
    for (let i = 0; i < a.length; i++) {
      const r = checkEncoded(a[i], `${path}[${i}]`);
      if (r) return r;
    }
  } else if (k === 'set') {
    const a = (v as { $set: unknown[] }).$set;
    for (let i = 0; i < a.length; i++) {
      const r = checkEncoded(a[i], `${path}.$set[${i}]`);
      if (r) return r;
    }
  } else if (k === 'mapping') {
    for (const [key, val] of entriesOf(v)) {
      const r = checkEncoded(key, `${path}{key}`) ?? checkEncoded(val, path + keySeg(key));
      if (r) return r;
    }
  }
  return null;
}

export type { Json };
