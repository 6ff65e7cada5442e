/**
 * The runner's hot path for a tracer's `steps` frame in the compact form: checked and compacted for the session log in
 * one pass over the wire entries, without building full steps.
 *
 * Why a module of its own: the general path (parseTracerFrame expands every entry into a Step object, checks it, and
 * compactSteps compacts it again) was about half of the runner's CPU per steps frame (bench/runner/frame-path.ts); on
 * the 2-core machines the README targets, that CPU is taken from the tracer itself (bench/scale, "the runner path").
 * What comes out is exactly compactSteps(parseTracerFrame(frame).steps) and its `first`: anything this pass does not
 * accept as plainly valid (an invalid frame, slot entries, which the tracers do not write) gives null, and the caller
 * takes the general path, so errors stay the general path's and a disagreement only costs time.
 * tests/unit/steps-transcode.test.ts holds it to that over real tracers' frames and broken ones; change both together.
 */
import type { Step, Value } from './trace.ts';
import { DELTA_KEYS, VarSlots, impliedDepth, impliedFn, type FrameChange, type WireStep, type WireStepFields, type WireSteps } from './steps-wire.ts';
import { isDeltaField, isEvent } from './trace-validate.ts';

type O = Record<string, unknown>;

/** A compact `steps` frame's batch as the log's compact form, or null when the general path must decide. */
export function transcodeSteps(frame: unknown): WireSteps | null {
  if (typeof frame !== 'object' || frame === null || (frame as O).t !== 'steps') return null;
  const { first, steps: wire, vars } = frame as O;
  if (!Number.isInteger(first) || (first as number) < 0 || !Array.isArray(wire) || wire.length === 0 || vars !== undefined) return null;
  const out: WireStep[] = new Array(wire.length);
  const slots = new VarSlots();
  let fn: string | undefined;
  let depth = NaN;
  for (let k = 0; k < wire.length; k++) {
    const w = wire[k];
    if (typeof w === 'number') {
      // A line step with its frame's fn and depth: what expandSteps requires the previous step to have given.
      if (!Number.isInteger(w) || fn === undefined) return null;
      out[k] = w;
      continue;
    }
    if (!Array.isArray(w) || w.length !== 2 || !Number.isInteger(w[0])) return null;
    const f = w[1] as O;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return null;
    let deltas = 0;
    // Only delta fields: then f is the step's fields as the log has them, unless its header is not the implied one.
    let onlyDeltas = true;
    for (const key in f) {
      if (DELTA_KEYS.has(key)) {
        if (isDeltaField(key, f[key]) !== true) return null;
        deltas++;
      } else onlyDeltas = false;
    }
    const change = f as FrameChange;
    const implied = impliedFn(change, fn);
    const impliedD = impliedDepth(change, depth);
    const stepFn = (f.fn as string | undefined) ?? implied;
    const stepDepth = (f.depth as number | undefined) ?? impliedD;
    const ev = (f.ev as string | undefined) ?? 'line';
    if (typeof stepFn !== 'string' || !Number.isInteger(stepDepth) || stepDepth < 0 || !isEvent(ev)) return null;
    let fields: WireStepFields | null = null;
    if (ev !== 'line') fields = { ev: ev as Step['ev'] };
    if (stepFn !== implied) (fields ??= {}).fn = stepFn;
    if (stepDepth !== impliedD) (fields ??= {}).depth = stepDepth;
    if (fields === null && deltas === 0) out[k] = w[0];
    else if (fields === null && deltas === 1 && Array.isArray(f.set) && f.set.length > 0) out[k] = slots.entry(w[0], f.set as [number, string, Value][]);
    else if (fields === null && onlyDeltas) out[k] = w as WireStep;
    else {
      fields ??= {};
      for (const key in f) if (DELTA_KEYS.has(key)) (fields as O)[key] = f[key];
      out[k] = [w[0], fields];
    }
    fn = stepFn;
    depth = stepDepth;
  }
  return slots.vars.length > 0 ? { first: first as number, steps: out, vars: slots.vars } : { first: first as number, steps: out };
}
