/** One value in a cell: a literal as the language writes it, or a reference (a dot the arrows start from, a button that focuses its object). */
import type { HeapObj, Language, Value } from '../sdk.ts';
import { describeObject, isRef, literal } from '../model/text.ts';

export interface ValueContext {
  lang: Language;
  heap: ReadonlyMap<number, HeapObj>;
  /** Moves the keyboard focus to an object's card (what following an arrow means for a keyboard user). */
  focusObject(id: number): void;
}

export function ValueCell({ value, ctx }: { value: Value; ctx: ValueContext }) {
  if (isRef(value)) {
    const obj = ctx.heap.get(value.r);
    if (!obj) return <span class="missing" title={`object ${value.r} is not in the trace`}>?</span>;
    return (
      <button type="button" class="ref" data-ref={value.r} aria-label={`${describeObject(obj)}, object ${value.r}`} title={`${describeObject(obj)} (object ${value.r})`} onClick={() => ctx.focusObject(value.r)}>
        <span class="dot" aria-hidden="true" />
      </button>
    );
  }
  const text = literal(value, ctx.lang);
  if (typeof value === 'object' && value !== null && value.sp === 'str') {
    return (
      <span class="lit str">
        {text}
        <span class="trunc" title={`string of ${value.len} characters, cut to ${value.v.length}`}>
          {value.len.toLocaleString('en')} chars
        </span>
      </span>
    );
  }
  const kind = typeof value === 'string' ? 'str' : typeof value === 'number' ? 'num' : value === null || typeof value === 'boolean' ? 'kw' : 'sp';
  return <span class={`lit ${kind}`}>{text}</span>;
}
