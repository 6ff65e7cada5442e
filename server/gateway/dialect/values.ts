/** Trace values as the Algorithm Dashboard's plain JSON: lists as arrays, dicts and objects as JSON objects, references followed. */
import type { HeapObj, Value } from '../../../protocol/index.ts';

// A value is drawn from at most this many nodes, and this deep: the dialect has no references, so a shared or deeply
// linked structure is expanded, and the expansion is bounded.
const MAX_NODES = 10_000;
const MAX_DEPTH = 100;
/** What stands in for a part of a value past the bounds, or an object already being expanded (a cycle). */
const CUT = '…';
const CYCLE = '<cycle>';

/**
 * `value` as JSON, with the objects of `heap` it refers to expanded (containers already cut at the trace's caps stay
 * cut). Python/JavaScript specifics become strings: NaN and infinities ("NaN", "Infinity", "-Infinity"), integers past
 * 2^53 (their digits), functions and classes ("<function f>"); `undefined` is null; map keys become strings.
 *
 * @example
 * toJson({ r: 1 }, new Map([[1, { k: 'list', items: [0, 1], len: 2 }]]))  // → [0, 1]
 */
export function toJson(value: Value | undefined, heap: ReadonlyMap<number, HeapObj>): unknown {
  let nodes = 0;
  const open = new Set<number>();

  function convert(v: Value | undefined, depth: number): unknown {
    if (v === undefined || v === null || typeof v !== 'object') return v ?? null;
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) return CUT;
    if ('sp' in v) {
      switch (v.sp) {
        case 'undefined':
          return null;
        case 'nan':
          return 'NaN';
        case 'inf':
          return 'Infinity';
        case '-inf':
          return '-Infinity';
        case 'bigint':
          return v.v;
        case 'str':
          return v.v + CUT;
      }
    }
    const obj = heap.get(v.r);
    if (obj === undefined) return null;
    if (open.has(v.r)) return CYCLE;
    open.add(v.r);
    try {
      return object(obj, depth + 1);
    } finally {
      open.delete(v.r);
    }
  }

  function object(obj: HeapObj, depth: number): unknown {
    switch (obj.k) {
      case 'list':
      case 'tuple':
      case 'set':
        return obj.items.map((x) => convert(x, depth));
      case 'dict':
      case 'map':
        return Object.fromEntries(obj.entries.map(([k, x]) => [key(convert(k, depth)), convert(x, depth)]));
      case 'object':
        return Object.fromEntries(obj.fields.map(([name, x]) => [name, convert(x, depth)]));
      case 'function':
        return `<function ${obj.name}>`;
      case 'class':
        return `<class ${obj.name}>`;
      case 'other':
        return obj.repr;
    }
  }

  return convert(value, 0);
}

/** A JSON object key for a converted map key: strings as they are, anything else in its JSON form. */
function key(k: unknown): string {
  return typeof k === 'string' ? k : JSON.stringify(k);
}

/** A frame's variables as one JSON object, leaving out functions and classes (definitions, not data). */
export function variablesJson(vars: ReadonlyArray<readonly [string, Value]>, heap: ReadonlyMap<number, HeapObj>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of vars) {
    const obj = typeof v === 'object' && v !== null && 'r' in v ? heap.get(v.r) : undefined;
    if (obj?.k === 'function' || obj?.k === 'class') continue;
    out[name] = toJson(v, heap);
  }
  return out;
}
