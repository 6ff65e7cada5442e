/**
 * The compact wire form of a `steps` frame's steps (protocol/README.md, "steps"): a step says only what its frame does
 * not imply — its index follows from the frame's `first`, `ev` defaults to "line", `fn` and `depth` follow from the step
 * before it and from its own pop/push/kf. The runner compacts once per batch; `decodeServerFrame` expands.
 *
 * @example
 * compactSteps([{ i: 7, ev: 'line', line: 3, fn: 'f', depth: 1 }, { i: 8, ev: 'line', line: 4, fn: 'f', depth: 1 }])
 * // → { first: 7, steps: [[3, { fn: 'f', depth: 1 }], 4] }; expandSteps of that gives the two steps back
 */
import { z } from 'zod';
import { Step } from './trace.ts';

/** Everything of a step but `i` and `line`; `ev`, `fn` and `depth` only where they differ from what is implied. */
export const WireStepFields = Step.omit({ i: true, line: true }).partial({ ev: true, fn: true, depth: true });
export type WireStepFields = z.infer<typeof WireStepFields>;

/** One step: its line alone (a "line" step with no delta whose fn and depth are the previous step's), or [line, fields]. */
export const WireStep = z.union([z.number().int(), z.tuple([z.number().int(), WireStepFields])]);
export type WireStep = z.infer<typeof WireStep>;

/** A batch of consecutive steps on the wire: the index of the first, and each step compacted. */
export const WireSteps = z.object({ first: z.number().int().nonnegative(), steps: z.array(WireStep) });
export type WireSteps = z.infer<typeof WireSteps>;

// Taken from the schema so a delta field added to Step is carried without touching this file. Copying only these
// also keeps keys a misbehaving tracer adds to its steps (which the channel's fast validator lets through) off the wire.
const HEADER = new Set(['i', 'ev', 'line', 'fn', 'depth']);
const DELTA_KEYS = new Set(Object.keys(Step.shape).filter((k) => !HEADER.has(k)));

type FrameChange = Pick<Step, 'kf' | 'pop' | 'push'>;

/** The depth a step implies: its keyframe's stack, else the previous depth less what it pops plus what it pushes. */
function impliedDepth(s: FrameChange, previous: number): number {
  if (s.kf) return s.kf.stack.length - 1;
  return previous - (s.pop ?? 0) + (s.push ? s.push.length : 0);
}

/** The function a step implies: the top frame of its keyframe or of what it pushes, else the previous step's. */
function impliedFn(s: FrameChange, previous: string | undefined): string | undefined {
  const frames = s.kf ? s.kf.stack : s.push;
  return frames && frames.length > 0 ? frames[frames.length - 1].fn : previous;
}

/** The compact form of consecutive steps; the first carries (or implies through its keyframe or push) its full header. */
export function compactSteps(steps: readonly Step[]): WireSteps {
  const out: WireStep[] = new Array(steps.length);
  let fn: string | undefined;
  let depth = NaN;
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k];
    let fields: WireStepFields | null = null;
    if (s.ev !== 'line') fields = { ev: s.ev };
    if (s.fn !== impliedFn(s, fn)) (fields ??= {}).fn = s.fn;
    if (s.depth !== impliedDepth(s, depth)) (fields ??= {}).depth = s.depth;
    // Over the step's own keys (a handful) rather than every delta field: most are absent, and looking up an absent
    // key on steps of many shapes costs more than the walk.
    for (const key in s) {
      const v = (s as Record<string, unknown>)[key];
      if (v !== undefined && DELTA_KEYS.has(key)) ((fields ??= {}) as Record<string, unknown>)[key] = v;
    }
    out[k] = fields ? [s.line, fields] : s.line;
    fn = s.fn;
    depth = s.depth;
  }
  return { first: steps.length > 0 ? steps[0].i : 0, steps: out };
}

/** The full steps of a batch as received; throws on an entry of neither form, or a header the batch does not give. */
export function expandSteps({ first, steps: wire }: { first: number; steps: readonly unknown[] }): Step[] {
  if (!Number.isInteger(first) || first < 0 || !Array.isArray(wire)) throw new Error('steps frame: `first` and `steps` are not an index and an array');
  const out: Step[] = new Array(wire.length);
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
      // Every field but the header is the step's own, including ones this client does not know yet.
      for (const key in f) if (!HEADER.has(key)) (step as Record<string, unknown>)[key] = f[key];
    } else {
      throw new Error(`steps frame: step ${i} is neither a line number nor [line, fields]`);
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
