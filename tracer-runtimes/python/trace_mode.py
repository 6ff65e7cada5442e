"""Trace mode (../CHANNEL.md): the job's settings, the learner's module and stdio, the recursion limit, the backend
(sys.monitoring, or settrace before 3.12), the job's entry call, and how the run ends. The per-step work is core.py's.
"""
import os
import sys
import time

import learner_io
from channel import peak_rss_kb, reset_peak_rss
from core import make_core
from segments import CodeInfo, learner_codes
from untraced import arity, arity_message, arity_ok, find_entry, job_int
from values import exc_info
from viz import Viz
from writer import StepWriter

RECURSION_HEADROOM = 200   # frames kept free above the learner's recursion limit for the tracer


def run(job, chan):
    import builtins
    from types import ModuleType

    src = job.get("code", "")
    if not isinstance(src, str):
        src = ""
    stdin_lines = [str(x) for x in (job.get("stdin") or []) if x is not None]
    full = bool(job.get("full", False))
    K = 1 if full else job_int(job, "keyframeEvery", 1000, 1)
    writer = StepWriter(chan, job_int(job, "maxOutputBytes", 1048576))
    finish = writer.finish

    def internal(e):
        # a bug in the tracer itself: report it rather than corrupting the stream
        if isinstance(e, OverflowError) and "frame limit" in str(e):
            writer.pend.clear()
            finish("error", {"type": "StateTooLarge", "message": str(e), "line": 0})
        import traceback
        try:
            sys.__stderr__.write("tracecast tracer internal error:\n" + "".join(
                traceback.format_exception(type(e), e, e.__traceback__)))
        except Exception:
            pass
        finish("error", {"type": "TracerError", "message": "%s: %s" % (type(e).__name__, e), "line": 0})

    M = job_int(job, "maxItems", 100)
    MS = job_int(job, "maxString", 1000)
    core = make_core(M, MS, K, full, job_int(job, "batchSteps", 512, 1), job_int(job, "maxSteps", 1000000),
                     writer, internal)
    writer.steps_done = core.steps_done

    # ---- the learner's environment
    Out, In, tc_input, writer.end_output = learner_io.make_stdio(writer.out_text, stdin_lines, "traced program")
    VIZ = Viz(core.viz_step, core.val, M, MS)
    code, err = learner_io.compile_learner(src)
    if err is not None:
        finish("error", err)
    live = sys.version_info >= (3, 13)
    CIS = {}
    for c in learner_codes(code):
        CIS[id(c)] = CodeInfo(c, c is code, live)
    mod = ModuleType("__main__")
    g = mod.__dict__
    g["__builtins__"] = builtins
    g["viz"] = VIZ
    core.bind_module(g, VIZ)
    sys.modules["__main__"] = mod
    sys.stdout = Out("stdout")
    sys.stderr = Out("stderr")
    sys.stdin = In()
    builtins.input = tc_input
    limit_recursion(core)

    # ---- run it
    status = ["ok", None]
    exc_line = core.exc_line

    def tb_line(e):
        # the line of its exception step when the tracer saw it raised, else the traceback's
        return exc_line[1] if exc_line[0] is e else learner_io.tb_line(e)

    entry = job.get("entry")
    args = job.get("args")
    if not isinstance(args, list):
        args = []

    def module_return():
        # the module's return, held while the entry call ran above its frame (hold_module below)
        rec = core.stack[0] if len(core.stack) == 1 else None
        if rec is not None and rec.ci.is_module:
            core.on_return(rec.frame, rec.ci, rec.frame.f_lineno or 0, None)

    def call_entry():
        """entry(*args) above the module's frame, under the same tracing; its outcome goes in the end frame."""
        fn, error = find_entry(g, entry, "function")
        if error is None:
            ar = arity(fn)
            if not arity_ok(ar, len(args)):
                error = {"type": "EntryArity", "message": arity_message(entry, ar, len(args)), "line": 0}
        if error is not None:
            module_return()
            status[:] = ["error", error]
            return
        # The call's own peak: the high-water mark is reset before it; the run's peak so far is kept for the end.
        writer.peak_floor = peak_rss_kb()
        reset_peak_rss()
        t0 = time.perf_counter()
        try:
            result = fn(*args)
        finally:
            writer.call = {"ms": round((time.perf_counter() - t0) * 1000, 3), "peakRssKb": peak_rss_kb()}
        module_return()
        writer.call["result"], writer.call["heap"] = core.value_with_heap(result)

    def run_learner():
        try:
            exec(code, g)
            if entry is not None:
                call_entry()
        except SystemExit as e:
            c = e.code
            if c is not None and c != 0:
                status[:] = ["error", {"type": "SystemExit", "message": str(c), "line": tb_line(e)}]
        except BaseException as e:
            info = exc_info(e, MS)
            info["line"] = tb_line(e)
            status[:] = ["error", info]

    if sys.version_info >= (3, 12) and hasattr(sys, "monitoring") and not os.environ.get("TRACECAST_SETTRACE"):
        import sysmon as backend
    else:
        import pysettrace as backend
    backend.trace(core, CIS, internal, finish, run_learner, writer.trace_off, hold_module=entry is not None)
    finish(status[0], status[1])


def limit_recursion(core):
    """The interpreter's limit raised by the tracer's headroom; the learner's own (its sys.setrecursionlimit, wrapped)
    enforced by the core at each call."""
    base_depth = core.real_depth(sys._getframe(1)) + 2
    real_setlimit = sys.setrecursionlimit
    core.set_limits(sys.getrecursionlimit(), base_depth)
    real_setlimit(core.get_limit() + RECURSION_HEADROOM)

    def setrecursionlimit(n):
        # the learner's limit, with the tracer's headroom kept on top of it
        real_setlimit(n + RECURSION_HEADROOM)
        core.set_limits(n, base_depth)

    def getrecursionlimit():
        return core.get_limit()

    sys.setrecursionlimit = setrecursionlimit
    sys.getrecursionlimit = getrecursionlimit
