"""tracecast bench mode (../CHANNEL.md, "Other modes: bench and grade").

    import bench; bench.main(job, channel)     # channel.send(json_text) writes one frame

The learner's code is compiled with the file name "<learner>" and executed once,
untraced, as the module `__main__` (as in trace and grade mode). Then, for each size in
order:

1. the input is generated once (builtin generator from generators.py, or the learner's
   own `gen(n, rng)`), outside any timing, with `rng = random.Random(size_seed(seed, n))`;
2. `repeats` timed calls `entry(*fresh)`, each on a fresh deep copy made before the clock
   starts (time.perf_counter_ns; the cyclic GC is off during a timed call, as in timeit).
   When the first call takes under 50 us, prints nothing and leaves its copy equal to the
   input, that call is discarded and each repeat times k back-to-back calls on its fresh
   copy (k fills ~200 us, at most 10,000) and reports the time per call, as timeit does:
   a single sub-microsecond call is timer and cache noise;
3. one untimed counting pass on another fresh copy: executed lines of the learner's code
   and the share of that pass's time spent inside built-in (C) calls;
4. a `bench.point` frame.

Counting (only code objects compiled from "<learner>"; nothing is monitored during the
timed calls):
- Python >= 3.12: sys.monitoring local events on the learner's code objects. `ops` counts
  LINE events plus backward jumps to the same line (JUMP), which is exactly what
  sys.settrace reports as line events: `while i < n: i += 1` on one line counts every
  iteration, so do one-line comprehensions and generator expressions. Forward jumps and
  backward jumps to another line are DISABLEd per location (a static property of the
  instruction, so the count stays deterministic); the LINE callback only increments.
  Built-ins the count sees into (counting.py's cost table): a CALL of sorted / list.sort
  adds n * bit_length(n), bisect / heappush / heappop bit_length(n), sum / min / max / set /
  list.insert / list.pop(i) / str methods n, dict.get / list.append / set.add nothing (the
  line that calls them is the step), n the length of the call's first argument (a
  method's `self`); their names go out as `charged`. Every
  other built-in call (a CALL whose callable is not a Python function: exactly the calls
  followed by C_RETURN / C_RAISE, or a charged one whose argument has no length) starts
  an unseen-work interval; the learner's own frames running inside a built-in (a sort
  key, a class's __init__, a generator driven by sum()) pause it (PY_START/PY_RESUME/
  PY_THROW vs PY_RETURN/PY_YIELD/PY_UNWIND). builtinShare = that unseen time / wall time
  of the counting pass (which includes the monitoring overhead, so it is biased low for
  code that makes few built-in calls); `unseen` names those built-ins, by time. So a
  built-in the count charges never makes the fit trust the timings over the count.
  Operators make no call and stay unseen by both (`x in lst` on a list is O(n)).
- Python < 3.12 (or TRACECAST_SETTRACE set): sys.settrace line events for the same count
  and sys.setprofile c_call/c_return/c_exception (+ call/return of learner frames) for
  the built-in time (every built-in unseen; no charged / unseen names).

peakKb: VmHWM from /proc/self/status after the size's calls. Before each size the
high-water mark is reset (writing "5" to /proc/self/clear_refs), so it is that size's own
peak; where the reset is refused it is the process's peak so far (monotonic), and the
fallback is resource.getrusage's ru_maxrss.

Budget: `budgetMs` counts from the start of main. Before a size (but the first), its
cost is estimated from the previous size's whole wall time (generation, copies, timed
calls, counting pass) scaled by (n / n_prev) ** k * 1.25, k the growth exponent of the
fastest call time between the last two sizes (at least 1, at most 12; the fastest, because one
preempted median would make k 5-9 and stop a series seconds early); when elapsed + estimate
passes the budget: `bench.stop` {reason "budget", n}. Every learner call (generator,
timed calls, counting pass) runs under an ITIMER_REAL alarm set to the remaining budget;
the handler raises a private BaseException (re-raised every 20 ms if the learner swallows
it; after 25 swallowed alarms the job is ended from the handler); an interrupted size is
not reported and stops the benchmark with `bench.stop` {reason "budget", n}. Module-level
code runs under min(remaining budget, 10 s) and fails with error type "Timeout".

Errors: SyntaxError / exception while defining -> `end` error; missing entry ->
"EntryNotFound"; not callable or wrong number of positional parameters -> "EntryArity";
likewise for a `gen` generator function (messages name it); unknown builtin generator
-> "GeneratorError". At one size, an exception in the entry or in `gen` (RecursionError
included), or a `gen` that does not return a list/tuple ("GeneratorError") -> `bench.error`
{n, error: type, message, line} for that size, and the series goes on with the next size. The
process exits with os._exit after `end` (as in trace and grade mode).
"""
import os
import sys

import learner_io  # noqa: E402
from channel import peak_rss_kb, reset_peak_rss
from counting import learner_codes, make_counter
from untraced import MAX_STRING, Interrupt, Untraced, arity, arity_message, arity_ok, job_int

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)       # generators.py sits next to this file
import generators as _generators    # noqa: E402  (imported before any learner code runs)

DEFAULT_SIZES = [100, 500, 1000, 2500, 5000]
DEFAULT_BUDGET_MS = 8000
MAX_REPEATS = 100
DEFINE_LIMIT_MS = 10000     # module-level code gets at most this long (and at most the budget)
OUT_FLUSH = 1 << 16         # buffered output characters that force a flush
SAFETY = 1.25               # the budget estimate is multiplied by this
MAX_K = 12.0                # growth exponents are capped at this
SHORT_NS = 50_000           # a call shorter than this, on an input it leaves unchanged, is timed in batches...
BATCH_NS = 200_000          # ...of as many back-to-back calls as fill this...
MAX_BATCH = 10_000          # ...at most


class _LearnerError(Exception):
    """An exception raised by learner code, carrying the `end` error object."""
    __module__ = "tracecast"


# --------------------------------------------------------------------------- copies

_ATOMIC = frozenset([int, float, str, bool, type(None), bytes, complex])


def fresh_args(args, deepcopy):
    """A fresh deep copy of the argument list. Lists/tuples/dicts of plain values (and
    lists of such lists, as the builtin generators make) are copied by slicing; anything
    else, or any container appearing twice, goes through copy.deepcopy (which keeps
    aliasing)."""
    out = []
    seen = set()
    for a in args:
        c = _fast(a, seen)
        if c is _SLOW:
            return deepcopy(list(args))
        out.append(c)
    return out


_SLOW = object()


def _fast(x, seen):
    t = type(x)
    if t in _ATOMIC:
        return x
    k = id(x)
    if k in seen:
        return _SLOW
    seen.add(k)
    if t is list:
        ts = set(map(type, x))
        if ts <= _ATOMIC:
            return x[:]
        if ts == {list}:
            out = []
            for y in x:
                if id(y) in seen or not set(map(type, y)) <= _ATOMIC:
                    return _SLOW
                seen.add(id(y))
                out.append(y[:])
            return out
        return _SLOW
    if t is tuple:
        return x if set(map(type, x)) <= _ATOMIC else _SLOW
    if t is dict:
        if set(map(type, x)) <= _ATOMIC and set(map(type, x.values())) <= _ATOMIC:
            return dict(x)
        return _SLOW
    if t is set:
        return set(x) if set(map(type, x)) <= _ATOMIC else _SLOW
    return _SLOW


# --------------------------------------------------------------------------- main

def main(job, channel):
    import time
    from copy import deepcopy

    perf = time.perf_counter_ns
    t_start = perf()
    if not isinstance(job, dict):
        job = {}
    run = Untraced(job, channel, "benchmarked program", max_out=65536, flush_at=OUT_FLUSH)
    send = run.send
    finish = run.finish
    flush_out = run.flush_out

    entry = job.get("entry")
    gen_spec = job.get("generator")
    sizes, repeats, budget_ns = _series(job)

    def remaining_ns():
        return budget_ns - (perf() - t_start)

    counting = [None]   # the stop() of a running counting pass
    state = {"n": None}

    def stop_counting():
        if counting[0] is not None:
            counting[0]()
            counting[0] = None
    run.before_end.append(stop_counting)

    def stop(n):
        """The benchmark stops at size n (not measured): the budget ran out."""
        finish("ok", last={"t": "bench.stop", "reason": "budget", "n": n})

    def overrun():
        if state["n"] is None:
            finish("error", {"type": "Timeout", "message": "the program kept running after its time "
                             "limit and could not be stopped", "line": 0})
        stop(state["n"])
    run.on_overrun = overrun

    def arm(ns):
        run.arm(max(ns, 1e6) / 1e9)

    # ---- define the module
    if not isinstance(entry, str) or not entry:
        finish("error", {"type": "JobError", "message": "the job has no entry function name", "line": 0})
    code = run.define(max(1, min(DEFINE_LIMIT_MS, remaining_ns() // 1000000)))
    flush_out()

    # ---- entry and generator
    fn = run.entry(entry, "function")
    gen_fn, gname, learner_gen, seed = _generator(run, gen_spec)
    ar = arity(fn)

    codes = learner_codes(code)
    c_start, c_stop = make_counter(codes, perf)
    timed_call, batch_size, count_call, generate = _calls(
        run, fn, perf, remaining_ns, arm, counting, c_start, c_stop, gen_fn, gname, learner_gen, seed)

    # ---- sizes
    hist = []           # (n, wall ns of the whole size, fastest call ns)
    for idx, n in enumerate(sizes):
        state["n"] = n
        if hist:
            est = estimate(hist, n)
            if (perf() - t_start) + est > budget_ns:
                stop(n)
        t_size = perf()
        reset_peak_rss()
        try:
            args = generate(n)
            flush_out()
            if not arity_ok(ar, len(args)):
                finish("error", {"type": "EntryArity", "message": arity_message(entry, ar, len(args)), "line": 0})
            a = fresh_args(args, deepcopy)
            printed = run.out_bytes
            dt = timed_call(a)
            k = batch_size(dt, a, args, run.out_bytes != printed)
            del a
            flush_out()
            times = [dt] if k == 1 else []
            while len(times) < repeats:
                a = fresh_args(args, deepcopy)
                times.append(timed_call(a, k) / k)
                del a
                flush_out()
            a = fresh_args(args, deepcopy)
            ops, share, seen = count_call(a)
            del a
            flush_out()
        except Interrupt:
            stop(n)
        except _LearnerError as e:
            # this size only: the series goes on with the next one
            flush_out()
            send({"t": "bench.error", "n": n, "error": e.args[0]})
            continue
        del args
        peak = peak_rss_kb()
        hist.append((n, perf() - t_size, min(times)))
        send({"t": "bench.point", "n": n, "times": [t / 1e9 for t in times], "ops": ops,
              "builtinShare": round(share, 6), "peakKb": peak, **seen})
    finish("ok")


def _seen_report(seen, total_ns):
    """What the count saw into: the built-ins whose work it includes ("charged"), and those it timed without a
    cost, by time, each at least 1% of the counting pass ("unseen"); nothing where the counter cannot tell."""
    if seen is None:
        return {}
    floor = total_ns / 100
    unseen = sorted((ns, name) for name, ns in seen["unseen"].items() if ns >= floor)
    return {"charged": seen["charged"][:8], "unseen": [name for _, name in reversed(unseen)][:8]}


def _series(job):
    """The job's sizes (non-negative ints, in the job's order), repeats per size and budget (ns)."""
    sizes = job.get("sizes", DEFAULT_SIZES)
    if not isinstance(sizes, list):
        sizes = DEFAULT_SIZES
    sizes = [n for n in sizes if type(n) is int and n >= 0]
    repeats = min(job_int(job, "repeats", 5, 1), MAX_REPEATS)
    budget_ns = int(job_int(job, "budgetMs", DEFAULT_BUDGET_MS, 1, integer=False) * 1e6)
    return sizes, repeats, budget_ns


def _generator(run, gen_spec):
    """(generator function, its name, whether it is the learner's, seed) of the job's `generator`; ends the run
    with GeneratorError / EntryArity when it cannot be used."""
    if not isinstance(gen_spec, dict):
        gen_spec = {"kind": "builtin", "name": "random_ints", "seed": 0}
    seed = gen_spec.get("seed", 0)
    if type(seed) not in (int, float) or type(seed) is bool or seed != seed or seed in (float("inf"), float("-inf")):
        seed = 0
    seed = int(seed)
    gname = gen_spec.get("name")
    finish = run.finish
    if gen_spec.get("kind") == "function":
        if not isinstance(gname, str) or not gname:
            finish("error", {"type": "GeneratorError", "message": "the generator has no function name", "line": 0})
        gen_fn = run.entry(gname, "generator function")
        gar = arity(gen_fn)
        if not arity_ok(gar, 2):
            finish("error", {"type": "EntryArity", "message": "generator " + arity_message(gname, gar, 2), "line": 0})
        learner_gen = True
    else:
        GENERATORS = _generators.GENERATORS
        gen_fn = GENERATORS.get(gname) if isinstance(gname, str) else None
        if gen_fn is None:
            finish("error", {"type": "GeneratorError", "message": "unknown builtin generator %r (known: %s)"
                             % (gname, ", ".join(GENERATORS)), "line": 0})
        learner_gen = False
    return gen_fn, gname, learner_gen, seed


def _calls(run, fn, perf, remaining_ns, arm, counting, c_start, c_stop, gen_fn, gname, learner_gen, seed):
    """The learner calls of one benchmark: (timed_call, batch_size, count_call, generate). Closures over the
    arguments, as they were over main's locals: the timed code must not change (bench/tracer compares timings)."""
    import gc
    import random

    size_seed = _generators.size_seed

    def run_call(f, a, k=1):
        """f(*a), k times back to back, under the remaining budget; (elapsed ns, last
        result). Raises Interrupt or _LearnerError."""
        rem = remaining_ns()
        if rem <= 0:
            raise Interrupt()
        t0 = t1 = 0
        try:
            try:
                arm(rem)
                t0 = perf()
                r = f(*a)
                for _ in range(k - 1):
                    r = f(*a)
                t1 = perf()
            finally:
                run.armed = False
                run.disarm()
        except Interrupt:
            raise
        except BaseException as e:
            raise _LearnerError(learner_io.exc_error(e, MAX_STRING))
        if run.fires:
            raise Interrupt()           # interrupted, but the learner's code caught it
        return t1 - t0, r

    def timed_call(a, k=1):
        gc.disable()
        try:
            dt, r = run_call(fn, a, k)
        finally:
            gc.enable()
        del r
        return dt

    def batch_size(dt, a, args, printed):
        """Calls per timing for this size, from a first call that took dt ns on copy a.
        A call of a few hundred ns is mostly timer and cache noise: a bisect's log n is
        ~20 ns a probe. Like timeit, time back-to-back calls on one copy and divide -
        only when that copy is still equal to the input (so every call does the same
        work) and the call printed nothing (its output would repeat)."""
        if dt >= SHORT_NS or printed:
            return 1
        try:
            if not bool(a == args):
                return 1
        except Exception:
            return 1
        return max(1, min(MAX_BATCH, BATCH_NS // max(dt, 1)))

    def count_call(a):
        rem = remaining_ns()
        if rem <= 0:
            raise Interrupt()
        t0 = t1 = 0
        try:
            try:
                arm(rem)
                counting[0] = c_stop
                c_start()
                t0 = perf()
                fn(*a)
                t1 = perf()
            finally:
                run.armed = False
                counting[0] = None
                ops, bns, seen = c_stop()
                run.disarm()
        except Interrupt:
            raise
        except BaseException as e:
            raise _LearnerError(learner_io.exc_error(e, MAX_STRING))
        if run.fires:
            raise Interrupt()
        total = t1 - t0
        share = min(1.0, max(0.0, bns / total)) if total > 0 else 0.0
        return ops, share, _seen_report(seen, total)

    def generate(n):
        rng = random.Random(size_seed(seed, n))
        if not learner_gen:
            return gen_fn(n, rng)
        _, a = run_call(gen_fn, (n, rng))
        if not isinstance(a, (list, tuple)):
            raise _LearnerError({"type": "GeneratorError", "message": "%s(n, rng) must return the list of "
                                 "positional arguments, not %s" % (gname, type(a).__name__), "line": 0})
        return list(a)

    return timed_call, batch_size, count_call, generate


def estimate(hist, n):
    """Conservative estimate (ns) of the whole cost of size n from the sizes measured so far."""
    import math
    n1, wall1, fast1 = hist[-1]
    k = 1.0
    if len(hist) >= 2:
        n0, _, fast0 = hist[-2]
        if n1 > n0 > 0 and fast0 > 0 and fast1 > 0:
            k = max(k, math.log(fast1 / fast0) / math.log(n1 / n0))
    k = min(k, MAX_K)
    ratio = n / n1 if n1 > 0 else (float(n) if n > 0 else 1.0)
    ratio = max(1.0, ratio)
    return wall1 * ratio ** k * SAFETY
