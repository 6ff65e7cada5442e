/** What the viewer shows at step i of a run, derived from the run's frames on demand (TraceState seeks: keyframe + deltas). */
import { reachable } from '../sdk.ts';
import type { Frame, HeapObj, Step, Value } from '../sdk.ts';
import type { RunModel } from './run-model.ts';

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface VizArray {
  name: string;
  values: Value[];
  selected: ReadonlySet<number>;
  patched: ReadonlySet<number>;
}

export interface VizState {
  arrays: VizArray[];
  /** Notes up to the step (the newest last), each with the step that wrote it. */
  notes: { i: number; text: string }[];
  /** The newest `viz.step` label at or before the step. */
  label: { i: number; text: string; data: Value | undefined } | null;
}

export interface StepView {
  i: number;
  step: Step;
  /** The line executed to reach this step (the previous step's), or null at the first step. */
  prevLine: number | null;
  stack: readonly Frame[];
  /** Objects reachable from the frames (and the step's own values), in breadth-first order: the order they are drawn in. */
  heap: ReadonlyMap<number, HeapObj>;
  /** Referenced ids the trace holds no object for. */
  missing: readonly number[];
  /** Variables this step's delta set, as varKey(frameId, name). */
  changedVars: ReadonlySet<string>;
  /** Objects this step created or changed. */
  changedObjects: ReadonlySet<number>;
  /** Of the objects changed in place, which items, entries or fields, as keyOf(key). */
  changedKeys: ReadonlyMap<number, ReadonlySet<string>>;
  output: OutputChunk[];
  viz: VizState;
}

export const varKey = (frameId: number, name: string): string => `${frameId}\u0000${name}`;
/** A list index, dict key or field name as one string, to compare a patch's keys with an object's cells. */
export const keyOf = (key: Value): string => (typeof key === 'number' ? String(key) : JSON.stringify(key));

const MAX_OUTPUT_CHARS = 200_000;

export function viewAt(run: RunModel, i: number): StepView {
  const snap = run.trace.seek(i);
  const step = snap.step;
  const extraRoots: Value[] = [];
  if (step.ret !== undefined) extraRoots.push(step.ret);
  if (step.viz?.op === 'step' && step.viz.data !== undefined) extraRoots.push(step.viz.data);
  if (step.viz?.op === 'array') extraRoots.push(...step.viz.values);
  const { heap, missing } = reachable(snap, { extraRoots });
  const changedVars = new Set<string>();
  for (const [fid, name] of step.set ?? []) changedVars.add(varKey(fid, name));
  const changedObjects = new Set<number>();
  for (const [id] of step.new ?? []) changedObjects.add(id);
  const changedKeys = new Map<number, Set<string>>();
  for (const [id, patch] of step.upd ?? []) {
    changedObjects.add(id);
    if (!patch.full) changedKeys.set(id, new Set([...(patch.set ?? []).map(([k]) => keyOf(k)), ...(patch.del ?? []).map(keyOf)]));
  }
  return {
    i,
    step,
    prevLine: i > run.trace.first ? run.trace.step(i - 1).line : null,
    stack: snap.stack,
    heap,
    missing,
    changedVars,
    changedObjects,
    changedKeys,
    output: outputAt(run, i),
    viz: vizAt(run, i),
  };
}

/**
 * Output printed before step i. An output frame names the step whose line printed it, so that text exists once the
 * next step is reached; the final step of a finished run shows everything (what its line printed has no next step).
 */
export function outputAt(run: RunModel, i: number): OutputChunk[] {
  const all = run.output;
  const last = run.ended !== null && i === run.length - 1;
  const upTo = last ? all.length : upperBound(all, (o) => o.step < i);
  const chunks: OutputChunk[] = [];
  let chars = 0;
  // Newest first, so that a flood keeps its end on screen.
  for (let k = upTo - 1; k >= 0 && chars < MAX_OUTPUT_CHARS; k--) {
    const o = all[k];
    const head = chunks[0];
    if (head && head.stream === o.stream) head.text = o.text + head.text;
    else chunks.unshift({ stream: o.stream, text: o.text });
    chars += o.text.length;
  }
  if (chars >= MAX_OUTPUT_CHARS && upTo > 0) chunks.unshift({ stream: 'stderr', text: '[earlier output not shown]\n' });
  return chunks;
}

/** Number of leading items for which `before` holds (they are sorted so that it holds for a prefix). */
function upperBound<T>(items: readonly T[], before: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(items[mid])) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface VizFold {
  /** How many of the run's viz steps are folded in. */
  upTo: number;
  arrays: Map<string, { values: Value[]; selected: Set<number>; patched: Set<number> }>;
  notes: { i: number; text: string }[];
  label: VizState['label'];
}

// The viz state is a fold over the run's viz steps. Playing forward extends the last fold; a seek backwards folds again
// from the first viz step, which is cheap for the dozens to thousands of viz calls a program makes.
const folds = new WeakMap<RunModel, VizFold>();
const MAX_NOTES = 50;

function vizAt(run: RunModel, i: number): VizState {
  const upTo = upperBound(run.vizSteps, (s) => s <= i);
  let fold = folds.get(run);
  if (!fold || fold.upTo > upTo) fold = { upTo: 0, arrays: new Map(), notes: [], label: null };
  for (let k = fold.upTo; k < upTo; k++) applyViz(fold, run.trace.step(run.vizSteps[k]));
  fold.upTo = upTo;
  folds.set(run, fold);
  return {
    arrays: [...fold.arrays].map(([name, a]) => ({ name, values: a.values.slice(), selected: new Set(a.selected), patched: new Set(a.patched) })),
    notes: fold.notes.slice(-MAX_NOTES),
    label: fold.label,
  };
}

function applyViz(fold: VizFold, s: Step): void {
  const v = s.viz;
  if (!v) return;
  switch (v.op) {
    case 'step':
      fold.label = { i: s.i, text: v.label, data: v.data };
      break;
    case 'note':
      fold.notes.push({ i: s.i, text: v.text });
      if (fold.notes.length > 2 * MAX_NOTES) fold.notes.splice(0, fold.notes.length - MAX_NOTES);
      break;
    case 'array':
      fold.arrays.set(v.name, { values: v.values.slice(), selected: new Set(), patched: new Set() });
      break;
    default: {
      const a = fold.arrays.get(v.name);
      if (!a) break;
      if (v.op === 'select' || v.op === 'deselect') {
        for (let k = Math.min(v.from, v.to); k <= Math.max(v.from, v.to); k++) {
          if (v.op === 'select') a.selected.add(k);
          else a.selected.delete(k);
        }
      } else if (v.op === 'patch') {
        a.values[v.index] = v.value;
        a.patched.add(v.index);
      } else a.patched.delete(v.index);
    }
  }
}

