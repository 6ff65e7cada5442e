/** Values and steps as text, in the run's language's spelling: what cells show and what the screen-reader narration says. */
import type { HeapObj, Language, Value } from '../sdk.ts';
import type { StepView } from './view.ts';

/** The spelling of a value that is not a reference (a reference is drawn as an arrow, or described by describeObject). */
export function literal(v: Exclude<Value, { r: number }>, lang: Language): string {
  const py = lang === 'python';
  if (v === null) return py ? 'None' : 'null';
  if (typeof v === 'boolean') return py ? (v ? 'True' : 'False') : String(v);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return quote(v, py);
  switch (v.sp) {
    case 'undefined':
      return 'undefined';
    case 'nan':
      return py ? 'nan' : 'NaN';
    case 'inf':
      return py ? 'inf' : 'Infinity';
    case '-inf':
      return py ? '-inf' : '-Infinity';
    case 'bigint':
      return lang === 'javascript' ? `${v.v}n` : v.v;
    case 'str':
      return `${quote(v.v, py).slice(0, -1)}…`;
  }
}

function quote(s: string, py: boolean): string {
  const json = JSON.stringify(s);
  return py && !s.includes("'") ? `'${json.slice(1, -1).replace(/\\"/g, '"')}'` : json;
}

export const isRef = (v: Value): v is { r: number } => typeof v === 'object' && v !== null && 'r' in v;

/** "list of 10", "Point object", "function f": an object named for people. */
export function describeObject(obj: HeapObj | undefined): string {
  if (!obj) return 'an object not in the trace';
  switch (obj.k) {
    case 'list':
    case 'tuple':
    case 'set':
      return `${obj.k} of ${obj.len}`;
    case 'dict':
    case 'map':
      return `${obj.k} of ${obj.len} ${obj.len === 1 ? 'entry' : 'entries'}`;
    case 'object':
      return `${obj.cls} object`;
    case 'function':
      return `function ${obj.name}`;
    case 'class':
      return `class ${obj.name}`;
    case 'other':
      return `${obj.cls} ${obj.repr}`;
  }
}

/** A value in a sentence: literals as written, references as what they point to. */
function speak(v: Value, heap: ReadonlyMap<number, HeapObj>, lang: Language): string {
  return isRef(v) ? describeObject(heap.get(v.r)) : literal(v, lang);
}

/**
 * What the live region says at a step: the line about to run and what the last line changed, e.g.
 * "Line 6. j = 3. nums changed." (an object changed in place is named by the variables that refer to it).
 */
export function narrate(view: StepView, lang: Language): string {
  const { step, heap } = view;
  const parts = [`Line ${step.line}`];
  if (step.ev === 'call') parts.push(`call ${step.fn}`);
  if (step.ev === 'return') parts.push(`${step.fn} returns${step.ret !== undefined ? ` ${speak(step.ret, heap, lang)}` : ''}`);
  if (step.ev === 'exception' && step.exc) parts.push(`exception ${step.exc.type}: ${step.exc.message}`);
  if (step.viz?.op === 'step') parts.push(`viz step ${step.viz.label}`);
  if (step.viz?.op === 'note') parts.push(`note: ${step.viz.text}`);
  for (const [, name, value] of step.set ?? []) parts.push(`${name} = ${speak(value, heap, lang)}`);
  const named = new Set((step.set ?? []).map(([, name]) => name));
  for (const frame of view.stack) {
    for (const [name, value] of frame.vars) {
      if (isRef(value) && view.changedObjects.has(value.r) && !named.has(name)) {
        named.add(name);
        parts.push(`${name} changed`);
      }
    }
  }
  for (const [, name] of step.del ?? []) parts.push(`${name} deleted`);
  return `${parts.join('. ')}.`;
}
