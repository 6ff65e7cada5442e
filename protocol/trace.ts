// Zod schemas (and the types inferred from them) for the tracer→runner channel defined in tracer-runtimes/CHANNEL.md.
import { z } from 'zod';
import { LANGUAGE_NAMES } from './languages.ts';

// Validation runs on every batch of up to 512 steps, so these schemas avoid refinements,
// transforms and anything that walks the data a second time. Cross-field rules that
// cost a second pass (consecutive `i`, `kf` excluding other deltas, string length vs
// the job's maxString, `error` present iff status "error") are the runner's job.
// Objects use zod's default "strip": unknown keys from a misbehaving tracer never
// reach clients, without the extra key scan of `.strict()`.

const Int = z.number().int();
const Count = z.number().int().nonnegative();
/** Heap object ids and frame ids: run-unique integers. */
export const Id = Int;
export type Id = z.infer<typeof Id>;

// ---- Values ------------------------------------------------------------------------

export const Ref = z.object({ r: Id });
export type Ref = z.infer<typeof Ref>;

export const Special = z.discriminatedUnion('sp', [
  z.object({ sp: z.literal('undefined') }),
  z.object({ sp: z.literal('nan') }),
  z.object({ sp: z.literal('inf') }),
  z.object({ sp: z.literal('-inf') }),
  z.object({ sp: z.literal('bigint'), v: z.string() }),
  z.object({ sp: z.literal('str'), v: z.string(), len: Count }),
]);
export type Special = z.infer<typeof Special>;

// Union order is the expected frequency: zod tries the options in turn.
export const Value = z.union([z.number(), z.string(), Ref, z.null(), z.boolean(), Special]);
export type Value = z.infer<typeof Value>;

// ---- Heap objects ------------------------------------------------------------------

const Items = z.array(Value);
const Entries = z.array(z.tuple([Value, Value]));

export const ListObj = z.object({ k: z.literal('list'), items: Items, len: Count });
export const TupleObj = z.object({ k: z.literal('tuple'), items: Items, len: Count });
export const SetObj = z.object({ k: z.literal('set'), items: Items, len: Count });
export const DictObj = z.object({ k: z.literal('dict'), entries: Entries, len: Count });
export const MapObj = z.object({ k: z.literal('map'), entries: Entries, len: Count });
export const ObjectObj = z.object({
  k: z.literal('object'),
  cls: z.string(),
  fields: z.array(z.tuple([z.string(), Value])),
  len: Count,
});
export const FunctionObj = z.object({ k: z.literal('function'), name: z.string(), line: Int.optional() });
export const ClassObj = z.object({ k: z.literal('class'), name: z.string() });
export const OtherObj = z.object({ k: z.literal('other'), cls: z.string(), repr: z.string() });

export const HeapObj = z.discriminatedUnion('k', [
  ListObj,
  TupleObj,
  SetObj,
  DictObj,
  MapObj,
  ObjectObj,
  FunctionObj,
  ClassObj,
  OtherObj,
]);
export type HeapObj = z.infer<typeof HeapObj>;
export type ListObj = z.infer<typeof ListObj>;
export type TupleObj = z.infer<typeof TupleObj>;
export type SetObj = z.infer<typeof SetObj>;
export type DictObj = z.infer<typeof DictObj>;
export type MapObj = z.infer<typeof MapObj>;
export type ObjectObj = z.infer<typeof ObjectObj>;
export type FunctionObj = z.infer<typeof FunctionObj>;
export type ClassObj = z.infer<typeof ClassObj>;
export type OtherObj = z.infer<typeof OtherObj>;
export type HeapKind = HeapObj['k'];

/** [id, object] pair as carried by `new` and keyframe heaps. */
export const HeapEntry = z.tuple([Id, HeapObj]);
export type HeapEntry = z.infer<typeof HeapEntry>;

// ---- Patches -----------------------------------------------------------------------

// One object shape rather than a union of {full} | {len,set,del}: a union would parse
// every diff patch twice. If a tracer sends `full` together with diff fields, `full` wins.
// A patch key is an index (list/tuple), a Value (dict/map) or a field name (object);
// numbers and strings are Values, so `Value` covers all three.
export const PatchKey = Value;
export type PatchKey = z.infer<typeof PatchKey>;
export const Patch = z.object({
  full: HeapObj.optional(),
  len: Count.optional(),
  set: z.array(z.tuple([PatchKey, Value])).optional(),
  del: z.array(PatchKey).optional(),
});
export type Patch = z.infer<typeof Patch>;

// ---- Frames and steps --------------------------------------------------------------

export const Var = z.tuple([z.string(), Value]);
export type Var = z.infer<typeof Var>;

export const Frame = z.object({ id: Id, fn: z.string(), vars: z.array(Var) });
export type Frame = z.infer<typeof Frame>;

export const Keyframe = z.object({ stack: z.array(Frame), heap: z.array(HeapEntry) });
export type Keyframe = z.infer<typeof Keyframe>;

export const Exc = z.object({ type: z.string(), message: z.string() });
export type Exc = z.infer<typeof Exc>;

export const VizOp = z.discriminatedUnion('op', [
  // `highlights`: what to highlight in `data` (the Algorithm Dashboard's `viz.log_step(description, data, highlights)`).
  z.object({ op: z.literal('step'), label: z.string(), data: Value.optional(), highlights: Value.optional() }),
  z.object({ op: z.literal('array'), name: z.string(), values: Items }),
  z.object({ op: z.literal('select'), name: z.string(), from: Int, to: Int }),
  z.object({ op: z.literal('deselect'), name: z.string(), from: Int, to: Int }),
  z.object({ op: z.literal('patch'), name: z.string(), index: Int, value: Value }),
  z.object({ op: z.literal('depatch'), name: z.string(), index: Int }),
  z.object({ op: z.literal('note'), text: z.string() }),
]);
export type VizOp = z.infer<typeof VizOp>;

export const StepEvent = z.enum(['line', 'call', 'return', 'exception', 'viz']);
export type StepEvent = z.infer<typeof StepEvent>;

export const Step = z.object({
  i: Count,
  ev: StepEvent,
  line: Int,
  fn: z.string(),
  depth: Count,
  kf: Keyframe.optional(),
  pop: Count.optional(),
  push: z.array(Frame).optional(),
  new: z.array(HeapEntry).optional(),
  upd: z.array(z.tuple([Id, Patch])).optional(),
  free: z.array(Id).optional(),
  set: z.array(z.tuple([Id, z.string(), Value])).optional(),
  del: z.array(z.tuple([Id, z.string()])).optional(),
  // Absent and `null` differ: `ret: null` is a function returning None/null.
  ret: Value.optional(),
  exc: Exc.optional(),
  viz: VizOp.optional(),
  // A measurement taken at this step: ms since the program started, the process's resident memory (tracers put one on
  // every viz step and on one step of every `steps` frame).
  perf: z.object({ ms: z.number().nonnegative(), memKb: z.number().nonnegative() }).optional(),
});
export type Step = z.infer<typeof Step>;

// ---- Tracer → runner frames --------------------------------------------------------

export const Lang = z.enum(LANGUAGE_NAMES);
export type Lang = z.infer<typeof Lang>;

export const HelloFrame = z.object({ t: z.literal('hello'), lang: Lang, version: z.string() });
/**
 * A compiled language's program built, not yet started: the runner lowers the sandbox's memory
 * limit from the compiler's allowance to the run's, then lets the program start (CHANNEL.md).
 */
export const CompiledFrame = z.object({ t: z.literal('compiled') });
export const StepsFrame = z.object({ t: z.literal('steps'), steps: z.array(Step) });
export const OutputFrame = z.object({
  t: z.literal('output'),
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
  step: z.number().int().min(-1),
});
export const EndStatus = z.enum(['ok', 'error', 'step_limit', 'output_limit', 'compile_error']);
export type EndStatus = z.infer<typeof EndStatus>;
export const EndError = z.object({
  type: z.string(),
  message: z.string(),
  line: Int.nullable(),
  column: Int.optional(),
  signal: z.string().optional(),
});
export type EndError = z.infer<typeof EndError>;
export const EndFrame = z.object({
  t: z.literal('end'),
  status: EndStatus,
  steps: Count,
  error: EndError.optional(),
  peakRssKb: z.number().nonnegative(),
  /** The job's `entry` call: its own time and peak memory, and its return value (absent when it did not return). */
  call: z
    .object({
      ms: z.number().nonnegative(),
      peakRssKb: z.number().nonnegative(),
      result: Value.optional(),
      heap: z.array(HeapEntry).optional(),
    })
    .optional(),
});

/** Bench mode (CHANNEL.md): one point per measured size; `ops` null where there is no operation count (C++). */
export const BenchPointFrame = z.object({
  t: z.literal('bench.point'),
  n: Count,
  times: z.array(z.number().nonnegative()).min(1),
  ops: Count.nullable(),
  builtinShare: z.number().min(0).max(1),
  peakKb: z.number().nonnegative(),
  /** The built-ins whose work `ops` includes, and the ones it timed without seeing into, by time (Python only). */
  charged: z.array(z.string().max(200)).max(8).optional(),
  unseen: z.array(z.string().max(200)).max(8).optional(),
});
export const BenchStopFrame = z.object({ t: z.literal('bench.stop'), reason: z.literal('budget'), n: Count });
/** Bench mode: the entry function (or the learner's generator) raised at size `n`; the next size follows. */
export const BenchErrorFrame = z.object({
  t: z.literal('bench.error'),
  n: Count,
  error: z.object({ type: z.string(), message: z.string(), line: Int.nullable(), signal: z.string().optional() }),
});
/** Grade mode: the outcome of one case (the expected value never enters the sandbox). */
export const CaseFrame = z.object({
  t: z.literal('case'),
  id: z.string(),
  status: z.enum(['ok', 'error', 'timeout']),
  ms: z.number().nonnegative(),
  result: z.unknown(),
  error: z.object({ type: z.string(), message: z.string(), line: Int.nullable().optional() }).optional(),
});

export const TracerFrame = z.discriminatedUnion('t', [HelloFrame, CompiledFrame, StepsFrame, OutputFrame, EndFrame, BenchPointFrame, BenchStopFrame, BenchErrorFrame, CaseFrame]);
export type TracerFrame = z.infer<typeof TracerFrame>;
export type HelloFrame = z.infer<typeof HelloFrame>;
export type StepsFrame = z.infer<typeof StepsFrame>;
export type OutputFrame = z.infer<typeof OutputFrame>;
export type EndFrame = z.infer<typeof EndFrame>;
export type BenchPointFrame = z.infer<typeof BenchPointFrame>;
export type CaseFrame = z.infer<typeof CaseFrame>;
