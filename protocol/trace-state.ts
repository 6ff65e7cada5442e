// Rebuilds the program state at any step from a trace's keyframes and deltas (browser and Node; no Node imports).
import type { Frame, HeapEntry, HeapObj, Keyframe, Patch, Step, StepsFrame, Value } from './trace.ts';

/** The full state after step `step.i`. Read-only: frames and heap objects are shared with the trace. */
export interface TraceSnapshot {
  step: Step;
  stack: readonly Frame[];
  heap: ReadonlyMap<number, HeapObj>;
}

/** Anything holding a stack and a heap: a snapshot, a keyframe (`step.kf`) or `reachable()`'s result. */
export interface StateLike {
  stack: readonly Frame[];
  heap: ReadonlyMap<number, HeapObj> | readonly HeapEntry[];
}

export interface TraceStateOptions {
  /** The job's maxItems: list patches cut `items` to min(len, maxItems). */
  maxItems?: number;
  /** A checkpoint is kept at every step index that is a multiple of this while replaying. */
  checkpointEvery?: number;
  /** Checkpoints kept (least recently used evicted); bounds memory to this many heap maps. */
  maxCheckpoints?: number;
  /**
   * Check CHANNEL.md's invariants while replaying (stack height = depth + 1, top frame's
   * fn = step fn) and throw TraceError on a violation. For tests of tracers.
   */
  verify?: boolean;
}

/** A trace that cannot be applied: out-of-order steps, or a delta that does not fit the state. */
export class TraceError extends Error {
  constructor(
    message: string,
    readonly stepIndex?: number,
  ) {
    super(stepIndex === undefined ? message : `step ${stepIndex}: ${message}`);
    this.name = 'TraceError';
  }
}

interface Checkpoint {
  i: number;
  stack: readonly Frame[];
  heap: ReadonlyMap<number, HeapObj>;
}

export class TraceState {
  readonly maxItems: number;
  private readonly checkpointEvery: number;
  private readonly maxCheckpoints: number;
  private readonly verify: boolean;

  private readonly steps: Step[] = [];
  /** Index of steps[0]: a trace may be joined at a keyframe instead of at step 0. */
  private base = 0;
  /** Step indices carrying `kf`, ascending. */
  private readonly keyframes: number[] = [];
  /** Map order is recency order (LRU). */
  private readonly checkpoints = new Map<number, Checkpoint>();

  // The replay cursor. Frames and heap objects are copy-on-write: step data and anything
  // handed out in a snapshot or checkpoint is shared and never mutated; objects this
  // cursor created since the last snapshot are in `owned` and may be edited in place,
  // so a step touching one list ten times copies it once.
  private cur = -1;
  private stack: Frame[] = [];
  private heap = new Map<number, HeapObj>();
  private owned = new Set<object>();

  constructor(options: TraceStateOptions = {}) {
    this.maxItems = options.maxItems ?? 100;
    this.checkpointEvery = Math.max(1, options.checkpointEvery ?? 64);
    this.maxCheckpoints = Math.max(1, options.maxCheckpoints ?? 128);
    this.verify = options.verify ?? false;
  }

  /** Index of the first step held (0 unless joined at a later keyframe). */
  get first(): number {
    return this.base;
  }

  /** One past the last step index applied. */
  get length(): number {
    return this.base + this.steps.length;
  }

  /** The step with index i, as applied. */
  step(i: number): Step {
    const s = this.steps[i - this.base];
    if (s === undefined) throw new RangeError(`step ${i} not held (have ${this.base}..${this.length - 1})`);
    return s;
  }

  /**
   * Appends steps, in index order: a Step, an array of steps, or a `steps` frame. The
   * first step must be index 0 or carry a keyframe. Deltas are only interpreted when a
   * state is asked for, so a bad delta surfaces from at()/seek().
   */
  apply(input: Step | readonly Step[] | StepsFrame): this {
    const list: readonly Step[] = Array.isArray(input)
      ? input
      : 't' in (input as StepsFrame)
        ? (input as StepsFrame).steps
        : [input as Step];
    for (const s of list) {
      if (this.steps.length === 0) {
        if (s.i !== 0 && !s.kf) throw new TraceError('a trace must start at step 0 or at a keyframe', s.i);
        this.base = s.i;
      } else if (s.i !== this.length) {
        throw new TraceError(`expected step ${this.length}`, s.i);
      }
      this.steps.push(s);
      if (s.kf) this.keyframes.push(s.i);
    }
    return this;
  }

  /** The full state after step i. */
  at(i: number): TraceSnapshot {
    return this.seek(i);
  }

  /** Moves the replay cursor to step i (forward or backward) and returns the state there. */
  seek(i: number): TraceSnapshot {
    if (!Number.isInteger(i) || i < this.base || i >= this.length) {
      throw new RangeError(`step ${i} not held (have ${this.base}..${this.length - 1})`);
    }
    if (i !== this.cur) this.moveTo(i);
    const snap = this.snapshot();
    if (i % this.checkpointEvery === 0 && !this.checkpoints.has(i)) this.addCheckpoint({ i, ...snap });
    return { step: this.step(i), ...snap };
  }

  private moveTo(i: number): void {
    // Until the replay below completes, the cursor's state is not that of any step: a
    // TraceError thrown midway must not leave it looking valid.
    let at = this.cur >= this.base && this.cur <= i ? this.cur : -1;
    this.cur = -1;
    // Start from the closest point at or before i: the cursor itself, a cached
    // checkpoint, or the keyframe.
    const kf = this.keyframeAtOrBefore(i);
    for (let c = i - (i % this.checkpointEvery); c > Math.max(kf, at); c -= this.checkpointEvery) {
      const cp = this.checkpoints.get(c);
      if (cp) {
        this.touch(cp);
        this.restore(cp);
        at = c;
        break;
      }
    }
    if (at < kf) {
      this.restoreKeyframe(kf);
      at = kf;
    } else if (at < 0) {
      // No keyframe at or before i: only when a trace starts at step 0 without one.
      this.stack = [];
      this.heap = new Map();
      this.owned.clear();
      at = this.base;
      this.applyDelta(this.step(at));
    }
    while (at < i) {
      at++;
      this.applyDelta(this.step(at));
      if (at % this.checkpointEvery === 0 && at < i && !this.checkpoints.has(at)) {
        this.addCheckpoint({ i: at, ...this.snapshot() });
      }
    }
    this.cur = i;
  }

  private keyframeAtOrBefore(i: number): number {
    const k = this.keyframes;
    let lo = 0;
    let hi = k.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (k[mid] <= i) {
        found = k[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Shares the cursor's frames and objects; from now on the cursor copies before editing them. */
  private snapshot(): { stack: readonly Frame[]; heap: ReadonlyMap<number, HeapObj> } {
    this.owned.clear();
    return { stack: this.stack.slice(), heap: new Map(this.heap) };
  }

  private restore(cp: Checkpoint): void {
    this.stack = cp.stack.slice();
    this.heap = new Map(cp.heap);
    this.owned.clear();
  }

  private restoreKeyframe(i: number): void {
    const s = this.step(i);
    const kf = s.kf as Keyframe;
    this.stack = kf.stack.slice();
    this.heap = new Map(kf.heap);
    this.owned.clear();
    this.check(s);
  }

  private touch(cp: Checkpoint): void {
    this.checkpoints.delete(cp.i);
    this.checkpoints.set(cp.i, cp);
  }

  private addCheckpoint(cp: Checkpoint): void {
    this.checkpoints.set(cp.i, cp);
    if (this.checkpoints.size > this.maxCheckpoints) {
      const oldest = this.checkpoints.keys().next().value as number;
      this.checkpoints.delete(oldest);
    }
  }

  private applyDelta(s: Step): void {
    // moveTo never replays across a keyframe (it restarts there), but a keyframe is a
    // complete state, so honour it wherever it appears.
    if (s.kf) return this.restoreKeyframe(s.i);
    const { stack, heap } = this;
    if (s.pop !== undefined) {
      if (s.pop > stack.length) throw new TraceError(`pop ${s.pop} with ${stack.length} frames`, s.i);
      stack.length -= s.pop;
    }
    if (s.push) for (const f of s.push) stack.push(f);
    if (s.new) for (const [id, obj] of s.new) heap.set(id, obj);
    if (s.upd) {
      for (const [id, patch] of s.upd) {
        const obj = heap.get(id);
        if (obj === undefined) throw new TraceError(`upd of unknown object ${id}`, s.i);
        heap.set(id, this.patched(obj, patch, s.i));
      }
    }
    if (s.set) {
      for (const [fid, name, value] of s.set) {
        const f = this.ownFrame(fid, s.i);
        const v = f.vars.findIndex((e) => e[0] === name);
        if (v < 0) f.vars.push([name, value]);
        else f.vars[v] = [name, value];
      }
    }
    if (s.del) {
      for (const [fid, name] of s.del) {
        const f = this.ownFrame(fid, s.i);
        const v = f.vars.findIndex((e) => e[0] === name);
        if (v < 0) throw new TraceError(`del of unknown variable ${name} in frame ${fid}`, s.i);
        f.vars.splice(v, 1);
      }
    }
    if (s.free) for (const id of s.free) heap.delete(id);
    this.check(s);
  }

  private check(s: Step): void {
    if (!this.verify) return;
    if (this.stack.length !== s.depth + 1) {
      throw new TraceError(`depth ${s.depth} but ${this.stack.length} frames on the stack`, s.i);
    }
    const top = this.stack[this.stack.length - 1];
    if (top.fn !== s.fn) throw new TraceError(`fn ${s.fn} but the top frame runs ${top.fn}`, s.i);
  }

  /** The frame with this id, made safe to edit. Searched from the top: sets mostly hit it. */
  private ownFrame(fid: number, stepIndex: number): Frame {
    const { stack } = this;
    for (let k = stack.length - 1; k >= 0; k--) {
      const f = stack[k];
      if (f.id !== fid) continue;
      if (this.owned.has(f)) return f;
      const copy: Frame = { id: f.id, fn: f.fn, vars: f.vars.slice() };
      this.owned.add(copy);
      stack[k] = copy;
      return copy;
    }
    throw new TraceError(`frame ${fid} is not on the stack`, stepIndex);
  }

  private patched(obj: HeapObj, patch: Patch, stepIndex: number): HeapObj {
    if (patch.full) return patch.full;
    const own = this.owned.has(obj) ? obj : ownCopy(obj);
    this.owned.add(own);
    switch (own.k) {
      case 'list':
      case 'tuple':
        patchItems(own, patch, stepIndex);
        break;
      case 'dict':
      case 'map':
        patchEntries(own, patch);
        break;
      case 'object':
        patchFields(own, patch, stepIndex);
        break;
      default:
        throw new TraceError(`a ${own.k} object changes only by {full}`, stepIndex);
    }
    if (patch.len !== undefined) {
      own.len = patch.len;
      const keep = Math.min(patch.len, this.maxItems);
      if (own.k === 'list' || own.k === 'tuple') {
        if (own.items.length > keep) own.items.length = keep;
      } else if (own.k === 'dict' || own.k === 'map') {
        if (own.entries.length > keep) own.entries.length = keep;
      } else if (own.k === 'object') {
        if (own.fields.length > keep) own.fields.length = keep;
      }
    }
    return own;
  }
}

function ownCopy(obj: HeapObj): HeapObj {
  switch (obj.k) {
    case 'list':
    case 'tuple':
    case 'set':
      return { ...obj, items: obj.items.slice() };
    case 'dict':
    case 'map':
      return { ...obj, entries: obj.entries.slice() };
    case 'object':
      return { ...obj, fields: obj.fields.slice() };
    default:
      return { ...obj };
  }
}

function patchItems(obj: { items: Value[] }, patch: Patch, stepIndex: number): void {
  const { items } = obj;
  if (patch.set) {
    for (const [key, value] of patch.set) {
      // Holes would make the state differ from any keyframe; an index may only extend by one.
      if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key > items.length) {
        throw new TraceError(`list index ${JSON.stringify(key)} out of range 0..${items.length}`, stepIndex);
      }
      items[key] = value;
    }
  }
  if (patch.del) {
    // Indices name positions before any of them is removed: delete from the highest down.
    const idx = patch.del.slice().sort((a, b) => (b as number) - (a as number));
    for (const key of idx) {
      if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= items.length) {
        throw new TraceError(`list index ${JSON.stringify(key)} out of range for del`, stepIndex);
      }
      items.splice(key, 1);
    }
  }
}

function patchEntries(obj: { entries: [Value, Value][] }, patch: Patch): void {
  const { entries } = obj;
  if (patch.set) {
    for (const [key, value] of patch.set) {
      const e = entries.findIndex((en) => valueEquals(en[0], key));
      // A key is a Value, so the stored key is kept: a new entry goes last, as in insertion order.
      if (e < 0) entries.push([key, value]);
      else entries[e] = [entries[e][0], value];
    }
  }
  if (patch.del) {
    // An absent key is not an error: it may lie beyond the truncated view.
    for (const key of patch.del) {
      const e = entries.findIndex((en) => valueEquals(en[0], key));
      if (e >= 0) entries.splice(e, 1);
    }
  }
}

function patchFields(obj: { fields: [string, Value][] }, patch: Patch, stepIndex: number): void {
  const { fields } = obj;
  if (patch.set) {
    for (const [key, value] of patch.set) {
      if (typeof key !== 'string') throw new TraceError(`field name ${JSON.stringify(key)} is not a string`, stepIndex);
      const e = fields.findIndex((f) => f[0] === key);
      if (e < 0) fields.push([key, value]);
      else fields[e] = [key, value];
    }
  }
  if (patch.del) {
    for (const key of patch.del) {
      const e = fields.findIndex((f) => f[0] === key);
      if (e >= 0) fields.splice(e, 1);
    }
  }
}

/** Deep equality of two Values (used to match dict/map keys): refs are equal when ids are. */
export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // NaN never arrives as a number (it is {sp:"nan"}), so === is exact for primitives.
    return false;
  }
  if ('r' in a) return 'r' in b && a.r === b.r;
  if ('r' in b) return false;
  if (a.sp !== b.sp) return false;
  const av = a as { v?: string; len?: number };
  const bv = b as { v?: string; len?: number };
  return av.v === bv.v && av.len === bv.len;
}

function heapMap(heap: StateLike['heap']): ReadonlyMap<number, HeapObj> {
  return heap instanceof Map ? heap : new Map(heap as readonly HeapEntry[]);
}

/** Calls fn for every {r} reference inside a Value or a heap object, in display order. */
function forEachRef(obj: HeapObj, fn: (id: number) => void): void {
  switch (obj.k) {
    case 'list':
    case 'tuple':
    case 'set':
      for (const v of obj.items) if (isRef(v)) fn(v.r);
      break;
    case 'dict':
    case 'map':
      for (const [k, v] of obj.entries) {
        if (isRef(k)) fn(k.r);
        if (isRef(v)) fn(v.r);
      }
      break;
    case 'object':
      for (const [, v] of obj.fields) if (isRef(v)) fn(v.r);
      break;
    default:
      break;
  }
}

function isRef(v: Value): v is { r: number } {
  return typeof v === 'object' && v !== null && 'r' in v;
}

export interface Reachable {
  stack: readonly Frame[];
  /** Reachable objects in discovery order (breadth-first from the frames, bottom frame first). */
  heap: Map<number, HeapObj>;
  /** Referenced ids with no object in the heap: a tracer bug. */
  missing: number[];
}

export interface ReachableOptions {
  /** Also start from the step's own values (`ret`, `viz` data): CHANNEL.md roots at the frames only. */
  extraRoots?: readonly Value[];
}

/** The stack and the heap objects reachable from the frames' variables, transitively. */
export function reachable(state: StateLike, options: ReachableOptions = {}): Reachable {
  const all = heapMap(state.heap);
  const heap = new Map<number, HeapObj>();
  const missing: number[] = [];
  const missingSeen = new Set<number>();
  const queue: number[] = [];
  const visit = (id: number): void => {
    if (heap.has(id) || missingSeen.has(id)) return;
    const obj = all.get(id);
    if (obj === undefined) {
      missingSeen.add(id);
      missing.push(id);
      return;
    }
    heap.set(id, obj);
    queue.push(id);
  };
  for (const f of state.stack) for (const [, v] of f.vars) if (isRef(v)) visit(v.r);
  for (const v of options.extraRoots ?? []) if (isRef(v)) visit(v.r);
  for (let q = 0; q < queue.length; q++) forEachRef(heap.get(queue[q]) as HeapObj, visit);
  return { stack: state.stack, heap, missing };
}

export interface CanonicalState {
  stack: { id: number; fn: string; vars: [string, Value][] }[];
  /** Reachable objects sorted by id; a missing object appears as null. */
  heap: [number, HeapObj | null][];
}

export interface CanonicalOptions extends ReachableOptions {
  /**
   * Replace frame ids by stack position and object ids by breadth-first discovery order,
   * so two runs that number objects differently (e.g. a full-mode run and a delta run
   * whose tracers meet objects in another order) compare equal when the shapes, the
   * aliasing and the cycles are the same.
   */
  renumber?: boolean;
}

/**
 * A plain JSON-comparable form of the reachable state: keys in a fixed order and no
 * undefined members, so both deepStrictEqual and JSON.stringify equality work.
 */
export function canonical(state: StateLike, options: CanonicalOptions = {}): CanonicalState {
  const r = reachable(state, options);
  const ids = new Map<number, number>();
  if (options.renumber) {
    let n = 0;
    for (const id of r.heap.keys()) ids.set(id, n++);
    for (const id of r.missing) ids.set(id, n++);
  }
  const mapId = (id: number): number => (options.renumber ? (ids.get(id) as number) : id);
  const val = (v: Value): Value => (isRef(v) ? { r: mapId(v.r) } : canonicalValue(v));
  const stack = r.stack.map((f, pos) => ({
    id: options.renumber ? pos : f.id,
    fn: f.fn,
    vars: f.vars.map(([name, v]): [string, Value] => [name, val(v)]),
  }));
  const heap: [number, HeapObj | null][] = [];
  for (const [id, obj] of r.heap) heap.push([mapId(id), canonicalObj(obj, val)]);
  for (const id of r.missing) heap.push([mapId(id), null]);
  heap.sort((a, b) => a[0] - b[0]);
  return { stack, heap };
}

function canonicalValue(v: Value): Value {
  if (typeof v !== 'object' || v === null) return v;
  if ('r' in v) return { r: v.r };
  switch (v.sp) {
    case 'bigint':
      return { sp: v.sp, v: v.v };
    case 'str':
      return { sp: v.sp, v: v.v, len: v.len };
    default:
      return { sp: v.sp };
  }
}

function canonicalObj(obj: HeapObj, val: (v: Value) => Value): HeapObj {
  switch (obj.k) {
    case 'list':
    case 'tuple':
    case 'set':
      return { k: obj.k, items: obj.items.map(val), len: obj.len };
    case 'dict':
    case 'map':
      return { k: obj.k, entries: obj.entries.map(([k, v]): [Value, Value] => [val(k), val(v)]), len: obj.len };
    case 'object':
      return { k: obj.k, cls: obj.cls, fields: obj.fields.map(([n, v]): [string, Value] => [n, val(v)]), len: obj.len };
    case 'function':
      return obj.line === undefined ? { k: obj.k, name: obj.name } : { k: obj.k, name: obj.name, line: obj.line };
    case 'class':
      return { k: obj.k, name: obj.name };
    case 'other':
      return { k: obj.k, cls: obj.cls, repr: obj.repr };
  }
}
