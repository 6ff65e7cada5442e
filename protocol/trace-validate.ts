// Hand-written fast validator for tracer frames, accepting exactly what the zod schemas in trace.ts accept.
import { TracerFrame } from './trace.ts';
import { isLanguage } from './languages.ts';
import type { TracerFrame as TracerFrameT } from './trace.ts';
import { expandSteps } from './steps-wire.ts';

// zod v3 validates a realistic 512-step batch at ~90k steps/s (its Value union builds
// an issue object for every rejected branch); this does the same checks without
// allocating. It does not strip unknown keys: a frame it accepts is returned as is.
// Any rejection is handed to zod, so error messages are zod's, and a disagreement
// between the two can only make the answer slower, never different.

type O = Record<string, unknown>;

const isObj = (x: unknown): x is O => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): boolean => typeof x === 'number' && !Number.isNaN(x);
const isInt = (x: unknown): boolean => Number.isInteger(x);
const isCount = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0;
const isStr = (x: unknown): boolean => typeof x === 'string';
const optInt = (x: unknown): boolean => x === undefined || isInt(x);
const optCount = (x: unknown): boolean => x === undefined || isCount(x);

function isValue(v: unknown): boolean {
  switch (typeof v) {
    case 'number':
      return !Number.isNaN(v);
    case 'string':
    case 'boolean':
      return true;
    case 'object':
      if (v === null) return true;
      if (Array.isArray(v)) return false;
      if (isInt((v as O).r)) return true;
      return isSpecial(v as O);
    default:
      return false;
  }
}

function isSpecial(v: O): boolean {
  switch (v.sp) {
    case 'undefined':
    case 'nan':
    case 'inf':
    case '-inf':
      return true;
    case 'bigint':
      return isStr(v.v);
    case 'str':
      return isStr(v.v) && isCount(v.len);
    default:
      return false;
  }
}

function isValues(xs: unknown): boolean {
  if (!Array.isArray(xs)) return false;
  for (let k = 0; k < xs.length; k++) if (!isValue(xs[k])) return false;
  return true;
}

function isPair(x: unknown): x is unknown[] {
  return Array.isArray(x) && x.length === 2;
}

function isEntries(xs: unknown): boolean {
  if (!Array.isArray(xs)) return false;
  for (const e of xs) if (!isPair(e) || !isValue(e[0]) || !isValue(e[1])) return false;
  return true;
}

function isNamedValues(xs: unknown): boolean {
  if (!Array.isArray(xs)) return false;
  for (const e of xs) if (!isPair(e) || !isStr(e[0]) || !isValue(e[1])) return false;
  return true;
}

function isHeapObj(o: unknown): boolean {
  if (!isObj(o)) return false;
  switch (o.k) {
    case 'list':
    case 'tuple':
    case 'set':
      return isValues(o.items) && isCount(o.len);
    case 'dict':
    case 'map':
      return isEntries(o.entries) && isCount(o.len);
    case 'object':
      return isStr(o.cls) && isNamedValues(o.fields) && isCount(o.len);
    case 'function':
      return isStr(o.name) && optInt(o.line);
    case 'class':
      return isStr(o.name);
    case 'other':
      return isStr(o.cls) && isStr(o.repr);
    default:
      return false;
  }
}

function isHeapEntries(xs: unknown): boolean {
  if (!Array.isArray(xs)) return false;
  for (const e of xs) if (!isPair(e) || !isInt(e[0]) || !isHeapObj(e[1])) return false;
  return true;
}

function isPatch(p: unknown): boolean {
  if (!isObj(p)) return false;
  if (p.full !== undefined && !isHeapObj(p.full)) return false;
  if (!optCount(p.len)) return false;
  if (p.set !== undefined && !isEntries(p.set)) return false;
  if (p.del !== undefined && !isValues(p.del)) return false;
  return true;
}

function isFrame(f: unknown): boolean {
  return isObj(f) && isInt(f.id) && isStr(f.fn) && isNamedValues(f.vars);
}

function isFrames(xs: unknown): boolean {
  if (!Array.isArray(xs)) return false;
  for (const f of xs) if (!isFrame(f)) return false;
  return true;
}

function isViz(v: unknown): boolean {
  if (!isObj(v)) return false;
  switch (v.op) {
    case 'step':
      return isStr(v.label) && (v.data === undefined || isValue(v.data)) && (v.highlights === undefined || isValue(v.highlights));
    case 'array':
      return isStr(v.name) && isValues(v.values);
    case 'select':
    case 'deselect':
      return isStr(v.name) && isInt(v.from) && isInt(v.to);
    case 'patch':
      return isStr(v.name) && isInt(v.index) && isValue(v.value);
    case 'depatch':
      return isStr(v.name) && isInt(v.index);
    case 'note':
      return isStr(v.text);
    default:
      return false;
  }
}

const EVENTS = new Set(['line', 'call', 'return', 'exception', 'viz']);

function isStep(s: unknown): boolean {
  return isObj(s) && isCount(s.i) && isEvent(s.ev) && isInt(s.line) && isStr(s.fn) && isCount(s.depth) && isStepDelta(s);
}

export const isEvent = (ev: unknown): boolean => EVENTS.has(ev as string);

/** True when the delta fields of a step (everything but its header: i, ev, line, fn, depth) are what Step accepts. */
function isStepDelta(s: O): boolean {
  // One walk over the step's few keys: looking up each delta field on steps of many shapes costs more.
  for (const key in s) {
    const v = s[key];
    if (v !== undefined && isDeltaField(key, v) === false) return false;
  }
  return true;
}

/** Whether `v` is what Step accepts for its delta field `key`; undefined for a key that is not a delta field known here. */
export function isDeltaField(key: string, v: unknown): boolean | undefined {
  switch (key) {
    case 'set':
      if (!Array.isArray(v)) return false;
      for (const e of v) if (!Array.isArray(e) || e.length !== 3 || !isInt(e[0]) || !isStr(e[1]) || !isValue(e[2])) return false;
      return true;
    case 'upd':
      if (!Array.isArray(v)) return false;
      for (const u of v) if (!isPair(u) || !isInt(u[0]) || !isPatch(u[1])) return false;
      return true;
    case 'new':
      return isHeapEntries(v);
    case 'kf':
      return isObj(v) && isFrames(v.stack) && isHeapEntries(v.heap);
    case 'pop':
      return isCount(v);
    case 'push':
      return isFrames(v);
    case 'free':
      if (!Array.isArray(v)) return false;
      for (const id of v) if (!isInt(id)) return false;
      return true;
    case 'del':
      if (!Array.isArray(v)) return false;
      for (const e of v) if (!isPair(e) || !isInt(e[0]) || !isStr(e[1])) return false;
      return true;
    case 'ret':
      return isValue(v);
    case 'exc':
      return isObj(v) && isStr(v.type) && isStr(v.message);
    case 'viz':
      return isViz(v);
    case 'perf':
      return isObj(v) && isNonNegative(v.ms) && isNonNegative(v.memKb);
    default:
      return undefined;
  }
}

const isNonNegative = (x: unknown): boolean => isNum(x) && (x as number) >= 0;

/** The `end` frame's `call`: the entry call's time, memory and (when it returned) result with its heap. */
function isCall(c: unknown): boolean {
  return isObj(c) && isNonNegative(c.ms) && isNonNegative(c.peakRssKb) && (c.result === undefined || isValue(c.result)) && (c.heap === undefined || isHeapEntries(c.heap));
}

/** True when TracerFrame.safeParse(x) would succeed. */
export function isTracerFrame(x: unknown): x is TracerFrameT {
  if (!isObj(x)) return false;
  switch (x.t) {
    case 'steps': {
      const steps = x.steps;
      if (!Array.isArray(steps)) return false;
      for (let k = 0; k < steps.length; k++) if (!isStep(steps[k])) return false;
      return true;
    }
    case 'output':
      return (x.stream === 'stdout' || x.stream === 'stderr') && isStr(x.text) && isInt(x.step) && (x.step as number) >= -1;
    case 'hello':
      return typeof x.lang === 'string' && isLanguage(x.lang) && isStr(x.version);
    case 'compiled':
      return true;
    case 'end':
      return (
        (x.status === 'ok' || x.status === 'error' || x.status === 'step_limit' || x.status === 'output_limit' || x.status === 'compile_error') &&
        isCount(x.steps) &&
        (x.error === undefined ||
          (isObj(x.error) && isStr(x.error.type) && isStr(x.error.message) && (x.error.line === null || isInt(x.error.line)) && optInt(x.error.column) && (x.error.signal === undefined || isStr(x.error.signal)))) &&
        isNonNegative(x.peakRssKb) &&
        (x.call === undefined || isCall(x.call))
      );
    default:
      return false;
  }
}

/**
 * Drop-in for TracerFrame.parse on the hot path: returns a valid frame as is (unknown
 * keys kept, not stripped) and throws zod's ZodError for an invalid one. A `steps` frame
 * in the compact form comes back with full steps (an entry of neither form throws).
 */
export function parseTracerFrame(x: unknown): TracerFrameT {
  const frame = isObj(x) && x.t === 'steps' && x.first !== undefined ? fromCompact(x) : x;
  if (isTracerFrame(frame)) return frame;
  return TracerFrame.parse(frame);
}

/** A `steps` frame in the compact form (CHANNEL.md) as full steps; its own keys but `first` and `vars` kept. */
function fromCompact(x: O): O {
  const { first, steps, vars, ...rest } = x;
  if (!Array.isArray(steps)) return x;
  return { ...rest, steps: expandSteps({ first: first as number, steps, vars }) };
}
