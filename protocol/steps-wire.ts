/**
 * The compact wire form of a `steps` frame's steps (protocol/README.md, "steps"): a step says only what its frame does
 * not imply — its index follows from the frame's `first`, `ev` defaults to "line", `fn` and `depth` follow from the step
 * before it and from its own pop/push/kf. A plain line step that only sets variables — most steps of a loop — names
 * each by its slot in the frame's `vars` table, and an integer by how much it moved since the slot's previous entry.
 * The runner compacts once per batch; `decodeServerFrame` expands.
 *
 * @example
 * compactSteps([{ i: 7, ev: 'line', line: 3, fn: 'f', depth: 1 }, { i: 8, ev: 'line', line: 4, fn: 'f', depth: 1, set: [[2, 'x', 500]] },
 *               { i: 9, ev: 'line', line: 4, fn: 'f', depth: 1, set: [[2, 'x', 501]] }])
 * // → { first: 7, steps: [[3, { fn: 'f', depth: 1 }], [4, 0, 500], [4, -1, 1]], vars: [[2, 'x']] }
 */
import { z } from 'zod';
import { Id, Step, Value } from './trace.ts';

/** Everything of a step but `i` and `line`; `ev`, `fn` and `depth` only where they differ from what is implied. */
export const WireStepFields = Step.omit({ i: true, line: true }).partial({ ev: true, fn: true, depth: true });
export type WireStepFields = z.infer<typeof WireStepFields>;

/**
 * One step: its line alone (a "line" step with no delta whose fn and depth are the previous step's), [line, fields], or
 * [line, slot, value, slot, value, ...] (the same whose only delta is `set`: each variable `vars[slot]`, or for a
 * negative slot ~s `vars[s]` by the integer `value` added to its value at the frame's previous slot entry for it).
 */
export const WireStep = z.union([
  z.number().int(),
  z.tuple([z.number().int(), WireStepFields]),
  z.tuple([z.number().int(), z.number().int(), Value]).rest(z.union([z.number().int(), Value])),
]);
export type WireStep = z.infer<typeof WireStep>;

/** A batch of consecutive steps on the wire: the index of the first, each step compacted, the variables slots name. */
export const WireSteps = z.object({
  first: z.number().int().nonnegative(),
  steps: z.array(WireStep),
  vars: z.array(z.tuple([Id, z.string()])).optional(),
});
export type WireSteps = z.infer<typeof WireSteps>;

// Taken from the schema so a delta field added to Step is carried without touching this file. Copying only these
// also keeps keys a misbehaving tracer adds to its steps (which the channel's fast validator lets through) off the wire.
const HEADER = new Set(['i', 'ev', 'line', 'fn', 'depth']);
export const DELTA_KEYS: ReadonlySet<string> = new Set(Object.keys(Step.shape).filter((k) => !HEADER.has(k)));

export type FrameChange = Pick<Step, 'kf' | 'pop' | 'push'>;

/** The depth a step implies: its keyframe's stack, else the previous depth less what it pops plus what it pushes. */
export function impliedDepth(s: FrameChange, previous: number): number {
  if (s.kf) return s.kf.stack.length - 1;
  return previous - (s.pop ?? 0) + (s.push ? s.push.length : 0);
}

/** The function a step implies: the top frame of its keyframe or of what it pushes, else the previous step's. */
export function impliedFn(s: FrameChange, previous: string | undefined): string | undefined {
  const frames = s.kf ? s.kf.stack : s.push;
  return frames && frames.length > 0 ? frames[frames.length - 1].fn : previous;
}

/** Bytes MessagePack takes for the integer n: the smaller of a value and its change is sent. */
function intBytes(n: number): number {
  if (n >= -32 && n <= 127) return 1;
  if (n >= -128 && n <= 255) return 2;
  if (n >= -32768 && n <= 65535) return 3;
  if (n >= -2147483648 && n <= 4294967295) return 5;
  return 9;
}

/** The variables a frame's slot entries name, and the value each had at its last slot entry. */
export class VarSlots {
  readonly vars: [number, string][] = [];
  private readonly byFrame = new Map<number, Map<string, number>>();
  private readonly last: Value[] = [];
  // Most entries of a batch are in the frame of the one before.
  private lastFrame = NaN;
  private lastByName: Map<string, number> | undefined;

  /** [line, slot, value, slot, value, ...] for a plain line step whose only delta is `set`. */
  entry(line: number, set: readonly [number, string, Value][]): WireStep {
    const entry: (number | Value)[] = [line];
    for (let k = 0; k < set.length; k++) {
      const [id, name, value] = set[k];
      let byName = id === this.lastFrame ? this.lastByName : this.byFrame.get(id);
      if (byName === undefined) this.byFrame.set(id, (byName = new Map()));
      this.lastFrame = id;
      this.lastByName = byName;
      let slot = byName.get(name);
      if (slot === undefined) {
        slot = this.vars.length;
        byName.set(name, slot);
        this.vars.push([id, name]);
        entry.push(slot, value);
      } else {
        const prev = this.last[slot];
        // Integers only (a float's change need not add back to it exactly), and an unsafe one would not survive the sum.
        const change = Number.isSafeInteger(value) && Number.isSafeInteger(prev) ? (value as number) - (prev as number) : NaN;
        if (Number.isSafeInteger(change) && intBytes(change) < intBytes(value as number)) entry.push(~slot, change);
        else entry.push(slot, value);
      }
      this.last[slot] = value;
    }
    return entry as WireStep;
  }
}
/** The compact form of consecutive steps; the first carries (or implies through its keyframe or push) its full header. */
export function compactSteps(steps: readonly Step[]): WireSteps {
  const out: WireStep[] = new Array(steps.length);
  const slots = new VarSlots();
  let fn: string | undefined;
  let depth = NaN;
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k];
    let fields: WireStepFields | null = null;
    if (s.ev !== 'line') fields = { ev: s.ev };
    if (s.fn !== impliedFn(s, fn)) (fields ??= {}).fn = s.fn;
    if (s.depth !== impliedDepth(s, depth)) (fields ??= {}).depth = s.depth;
    const impliedHeader = fields === null;
    let deltas = 0;
    // Over the step's own keys (a handful) rather than every delta field: most are absent, and looking up an absent
    // key on steps of many shapes costs more than the walk.
    for (const key in s) {
      const v = (s as Record<string, unknown>)[key];
      if (v !== undefined && DELTA_KEYS.has(key)) {
        ((fields ??= {}) as Record<string, unknown>)[key] = v;
        deltas++;
      }
    }
    if (fields === null) out[k] = s.line;
    // a plain line step whose one delta is `set`
    else if (impliedHeader && deltas === 1 && fields.set !== undefined && fields.set.length > 0) out[k] = slots.entry(s.line, fields.set);
    else out[k] = [s.line, fields];
    fn = s.fn;
    depth = s.depth;
  }
  const first = steps.length > 0 ? steps[0].i : 0;
  return slots.vars.length > 0 ? { first, steps: out, vars: slots.vars } : { first, steps: out };
}

/** The full steps of a batch as received; throws on an entry of no known form, or a header the batch does not give. */
export function expandSteps({ first, steps: wire, vars }: { first: number; steps: readonly unknown[]; vars?: unknown }): Step[] {
  if (!Number.isInteger(first) || first < 0 || !Array.isArray(wire)) throw new Error('steps frame: `first` and `steps` are not an index and an array');
  const out: Step[] = new Array(wire.length);
  const last: Value[] = [];
  let fn: string | undefined;
  let depth = NaN;
  for (let k = 0; k < wire.length; k++) {
    const w = wire[k];
    const i = first + k;
    let step: Step;
    if (Number.isInteger(w)) {
      step = { i, ev: 'line', line: w as number, fn: fn!, depth };
    } else if (Array.isArray(w) && w.length === 2 && Number.isInteger(w[0]) && typeof w[1] === 'object' && w[1] !== null && !Array.isArray(w[1])) {
      const f = w[1] as WireStepFields & Record<string, unknown>;
      step = { i, ev: f.ev ?? 'line', line: w[0], fn: f.fn ?? impliedFn(f, fn)!, depth: f.depth ?? impliedDepth(f, depth) };
      // Every field but the header is the step's own, including ones this client does not know yet; a `__proto__` key
      // (JSON.parse makes it an own property) would set the step's prototype instead, and lend it fields it never had.
      for (const key in f) if (!HEADER.has(key) && key !== '__proto__') (step as Record<string, unknown>)[key] = f[key];
    } else if (Array.isArray(w) && w.length >= 3 && w.length % 2 === 1 && Number.isInteger(w[0])) {
      const set: [number, string, Value][] = new Array((w.length - 1) / 2);
      for (let p = 1; p < w.length; p += 2) {
        const s = w[p];
        const slot = Number.isInteger(s) ? (s < 0 ? ~s : s) : -1;
        const v: unknown = Array.isArray(vars) && slot >= 0 ? vars[slot] : undefined;
        if (!Array.isArray(v) || !Number.isInteger(v[0]) || typeof v[1] !== 'string') throw new Error(`steps frame: step ${i} names variable slot ${JSON.stringify(s)}, which \`vars\` does not give`);
        let value = w[p + 1] as Value;
        if (s < 0) {
          const prev = last[slot];
          if (!Number.isInteger(prev) || !Number.isInteger(value)) throw new Error(`steps frame: step ${i} changes slot ${slot} by ${JSON.stringify(value)} without an earlier integer there`);
          value = (prev as number) + (value as number);
        }
        last[slot] = value;
        set[(p - 1) / 2] = [v[0], v[1], value];
      }
      step = { i, ev: 'line', line: w[0], fn: fn!, depth, set };
    } else {
      throw new Error(`steps frame: step ${i} is neither a line number, [line, fields] nor [line, slot, value, ...]`);
    }
    if (typeof step.fn !== 'string' || !Number.isInteger(step.depth) || step.depth < 0) {
      throw new Error(`steps frame: step ${i} lacks the fn or depth it must carry (the first step of a frame carries both)`);
    }
    out[k] = step;
    fn = step.fn;
    depth = step.depth;
  }
  return out;
}
