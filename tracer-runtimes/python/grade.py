"""tracecast grade mode (../CHANNEL.md, "Other modes: bench and grade").

    import grade; grade.main(job, channel)     # channel.send(json_text) writes one frame

The learner's code is executed once, untraced, as the module `__main__` (as in trace
mode); the entry function is looked up by name and called once per case on a fresh
copy of the case's arguments, under a per-case time limit (SIGALRM via
signal.setitimer; the handler raises a private BaseException). Each case ends with a
`case` frame; an exception or a timeout fails that case only. Then `end`, and the
process exits (os._exit, as trace mode's finish does: no learner atexit hooks or
threads can write after `end`).

Result encoding (what the server compares): None/bool/int/float/str as JSON; list and
tuple -> list; dict with str keys -> object; set/frozenset -> {"$set": [...]}; other
dicts (and dicts with a key starting with "$", which would be ambiguous) ->
{"$map": [[k, v], ...]}; nan/inf -> {"$float": "nan"|"inf"|"-inf"}; ints beyond
+-(2^53-1) -> {"$bigint": "digits"} (JSON readers on the server are IEEE doubles);
anything else (and cycles, nesting deeper than MAX_NEST) -> {"$repr": ..., "$type": ...};
a result whose case frame would pass 1 MiB -> {"$toolarge": bytes of its JSON}.
"""
import sys

import learner_io
from channel import MAX_FRAME
from untraced import MAX_STRING, Interrupt, Untraced, arity, arity_message, arity_ok, cut

MAX_SAFE = (1 << 53) - 1
DEFAULT_LIMIT_MS = 2000
MAX_LIMIT_MS = 60000
DEFINE_LIMIT_MS = 10000     # module-level code (defining the entry) gets this long
MAX_NEST = 500              # deeper results are cut with a $repr


def main(job, channel):
    import json
    import signal
    import time

    perf = time.perf_counter_ns
    loads = json.loads
    if not isinstance(job, dict):
        job = {}
    run = Untraced(job, channel, "graded program")
    send = run.send
    dumps = run.dumps
    finish = run.finish
    flush_out = run.flush_out
    tb_line = learner_io.tb_line
    entry = job.get("entry")
    cases = job.get("cases")
    state = {"case": None, "t0": 0}

    def overrun():
        cid = state["case"]
        run.disarm()
        flush_out()
        if cid is not None:
            send({"t": "case", "id": cid, "status": "timeout",
                  "ms": round((perf() - state["t0"]) / 1e6, 3), "result": None,
                  "error": {"type": "Timeout", "message": "kept running after its time limit "
                            "(it catches the interruption)", "line": 0}})
        finish("error", {"type": "Timeout", "message": "the program kept running after its "
                         "time limit and could not be stopped", "line": 0})
    run.on_overrun = overrun

    # ---- define the module, find the entry
    if not isinstance(entry, str) or not entry:
        finish("error", {"type": "JobError", "message": "the job has no entry function name", "line": 0})
    if not isinstance(cases, list):
        finish("error", {"type": "JobError", "message": "the job has no list of cases", "line": 0})
    old_handler = signal.getsignal(signal.SIGALRM)
    run.define(DEFINE_LIMIT_MS)
    fn = run.entry(entry, "function")
    ar = arity(fn)
    for n in sorted({len(c["args"]) for c in cases if isinstance(c, dict) and isinstance(c.get("args"), list)}):
        if not arity_ok(ar, n):
            finish("error", {"type": "EntryArity", "message": arity_message(entry, ar, n), "line": 0})

    # ---- cases
    for c in cases:
        if not isinstance(c, dict):
            c = {}
        cid = c.get("id")
        cid = cid if isinstance(cid, str) else str(cid)
        args = c.get("args")
        lim = c.get("timeLimitMs")
        if type(lim) not in (int, float) or not lim > 0:
            lim = DEFAULT_LIMIT_MS
        lim = min(lim, MAX_LIMIT_MS)
        if not isinstance(args, list):
            flush_out()
            send({"t": "case", "id": cid, "status": "error", "ms": 0, "result": None,
                  "error": {"type": "CaseError", "message": "the case's args are not a list", "line": 0}})
            continue
        fresh = loads(dumps(args))          # a fresh deep copy, made before the clock starts
        status, result, error = "ok", None, None
        t1 = None
        state["case"] = cid
        t0 = state["t0"] = perf()
        try:
            try:
                run.arm(lim / 1000.0)
                ret = fn(*fresh)
                t1 = perf()
                result = encode_result(ret)         # still under the timer: __repr__ is learner code
            finally:
                run.armed = False
                run.disarm()
        except Interrupt as e:
            status = "timeout"
            result = None
            error = {"type": "Timeout", "message": "exceeded the time limit of %g ms" % lim, "line": tb_line(e)}
        except BaseException as e:
            status = "error"
            result = None
            error = learner_io.exc_error(e, MAX_STRING)
        state["case"] = None
        ms = round(((t1 if t1 is not None and status == "ok" else perf()) - t0) / 1e6, 3)
        flush_out()
        frame = {"t": "case", "id": cid, "status": status, "ms": ms, "result": result}
        if error is not None:
            frame["error"] = error
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, _depth() + 2 * MAX_NEST + 100))
        try:
            text = dumps(frame)
        finally:
            sys.setrecursionlimit(old)
        nbytes = len(text) if text.isascii() else len(text.encode("utf-8", "replace"))
        if nbytes + 4 > MAX_FRAME:
            rb = dumps(result)
            rb = len(rb) if rb.isascii() else len(rb.encode("utf-8", "replace"))
            frame["result"] = {"$toolarge": rb}
            text = dumps(frame)
        channel.send(text)
        del fresh, result

    signal.signal(signal.SIGALRM, old_handler)
    finish("ok")


# --------------------------------------------------------------------------- result encoding

INF = float("inf")
NINF = -INF


def encode(v, depth, active):
    t = type(v)
    if v is None or t is bool or t is str:
        return v
    if t is int:
        return v if -MAX_SAFE <= v <= MAX_SAFE else big(v)
    if t is float:
        return v if v == v and v not in (INF, NINF) else \
            {"$float": "nan" if v != v else ("inf" if v > 0 else "-inf")}
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        v = int(v)
        return v if -MAX_SAFE <= v <= MAX_SAFE else big(v)
    if isinstance(v, float):
        return encode(float(v), depth, active)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, (list, tuple, dict, set, frozenset)):
        if depth >= MAX_NEST:
            return {"$repr": "<nested more than %d levels deep>" % MAX_NEST, "$type": t.__name__}
        k = id(v)
        if k in active:
            return {"$repr": "<cycle>", "$type": t.__name__}
        active.add(k)
        try:
            d = depth + 1
            if isinstance(v, (list, tuple)):
                return [encode(x, d, active) for x in v]
            if isinstance(v, dict):
                items = list(v.items())
                if all(type(key) is str and not key.startswith("$") for key, _ in items):
                    return {key: encode(x, d, active) for key, x in items}
                return {"$map": [[encode(key, d, active), encode(x, d, active)] for key, x in items]}
            return {"$set": [encode(x, d, active) for x in v]}
        finally:
            active.discard(k)
    return other(v)


def encode_result(v):
    # room for MAX_NEST levels of encoding (and the JSON encoder's own recursion)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, _depth() + 2 * MAX_NEST + 100))
    try:
        return encode(v, 0, set())
    finally:
        sys.setrecursionlimit(old)


def _depth():
    n = 0
    f = sys._getframe(0)
    while f is not None:
        n += 1
        f = f.f_back
    return n


def big(v):
    try:
        return {"$bigint": str(v)}
    except ValueError:   # more digits than sys.get_int_max_str_digits()
        old = sys.get_int_max_str_digits()
        try:
            sys.set_int_max_str_digits(0)
            return {"$bigint": str(v)}
        finally:
            sys.set_int_max_str_digits(old)


def other(v):
    tn = type(v).__name__
    try:
        r = repr(v)
        if not isinstance(r, str):
            r = "<%s>" % tn
    except Interrupt:
        raise
    except BaseException:
        r = "<unrepresentable %s>" % tn
    return {"$repr": cut(r), "$type": tn}
