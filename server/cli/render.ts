/** Renders trace values for people: lists as [1, 2], dicts as {k: v}, objects as Point(x=1), with cycle guards. */
import type { HeapObj, Value } from '../../protocol/trace.ts';
import { LANGUAGES, LANGUAGE_NAMES, type Language } from '../../protocol/languages.ts';

export type Dialect = Language;

const LITERALS: Record<Dialect, { null: string; true: string; false: string }> = Object.fromEntries(
  LANGUAGE_NAMES.map((l) => [l, LANGUAGES[l].literals]),
) as Record<Dialect, { null: string; true: string; false: string }>;

export function renderValue(v: Value, heap: ReadonlyMap<number, HeapObj>, dialect: Dialect = 'python', seen: Set<number> = new Set()): string {
  if (v === null) return LITERALS[dialect].null;
  if (typeof v === 'boolean') return LITERALS[dialect][v ? 'true' : 'false'];
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object') return String(v);
  if ('sp' in v) {
    if (v.sp === 'str') return `${JSON.stringify(v.v)}…(${v.len} chars)`;
    if (v.sp === 'bigint') return v.v;
    return v.sp;
  }
  const obj = heap.get(v.r);
  if (!obj) return `#${v.r}`;
  if (seen.has(v.r)) return '…';
  seen.add(v.r);
  const r = (x: Value) => renderValue(x, heap, dialect, seen);
  const more = (shown: number, len: number) => (len > shown ? `, …${len - shown} more` : '');
  let out: string;
  switch (obj.k) {
    case 'list':
      out = `[${obj.items.map(r).join(', ')}${more(obj.items.length, obj.len)}]`;
      break;
    case 'tuple':
      out = `(${obj.items.map(r).join(', ')}${obj.len === 1 ? ',' : ''}${more(obj.items.length, obj.len)})`;
      break;
    case 'set':
      out = `{${obj.items.map(r).join(', ')}${more(obj.items.length, obj.len)}}`;
      break;
    case 'dict':
    case 'map':
      out = `{${obj.entries.map(([k, x]) => `${r(k)}: ${r(x)}`).join(', ')}${more(obj.entries.length, obj.len)}}`;
      break;
    case 'object':
      out = `${obj.cls}(${obj.fields.map(([k, x]) => `${k}=${r(x)}`).join(', ')}${more(obj.fields.length, obj.len)})`;
      break;
    case 'function':
      out = `<function ${obj.name}>`;
      break;
    case 'class':
      out = `<class ${obj.name}>`;
      break;
    case 'other':
      out = obj.repr;
      break;
  }
  seen.delete(v.r);
  return out;
}
