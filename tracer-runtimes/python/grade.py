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
import os
import sys

import learner_io  # noqa: E402

LEARNER = "<learner>"
MAX_FRAME = 1 << 20
MAX_SAFE = (1 << 53) - 1
DEFAULT_LIMIT_MS = 2000
MAX_LIMIT_MS = 60000
DEFINE_LIMIT_MS = 10000     # module-level code (defining the entry) gets this long
MAX_STRING = 1000           # error messages and reprs are cut to this many characters
MAX_NEST = 500              # deeper results are cut with a $repr
REARM_S = 0.02              # after the deadline the alarm repeats this often...
MAX_FIRES = 25              # ...and this many swallowed timeouts end the job


class _Timeout(BaseException):
    """Raised by the alarm handler; a BaseException so `except Exception` lets it pass."""
    __module__ = "tracecast"


def _peak_rss_kb():
    try:
        with open("/proc/self/status") as fh:
            for ln in fh:
                if ln.startswith("VmHWM:"):
                    return int(ln.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    except Exception:
        return 0


def main(job, channel):
    import builtins
    import json
    import signal
    import time
    from types import ModuleType

    perf = time.perf_counter_ns
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
    loads = json.loads

    def send(obj):
        channel.send(dumps(obj))

    # ---- job
    if not isinstance(job, dict):
        job = {}

    def jint(name, default, lo=0):
        v = job.get(name, default)
        if type(v) is not int or v < lo:
            return default
        return v

    src = job.get("code", "")
    if not isinstance(src, str):
        src = ""
    entry = job.get("entry")
    cases = job.get("cases")
    max_out = jint("maxOutputBytes", 1048576)
    stdin_lines = [str(x) for x in (job.get("stdin") or []) if x is not None] \
        if isinstance(job.get("stdin"), list) else []

    # ---- output: `output` frames with step -1, capped at maxOutputBytes
    # Buffered while learner code runs (at most the cap) and sent between calls: a case's time limit, an exception
    # from the alarm, could otherwise cut a frame in half (os.write returns a partial count into a full pipe).
    outs = []           # [stream, [text, ...]]: joined when sent (a str grown by += is copied whole on each write)
    out_bytes = [0]
    end_output = [None]  # learner_io's, once the learner's stdio exists

    def flush_out():
        if not outs:
            return
        lst = outs[:]
        outs.clear()
        for stream, parts in lst:
            for piece in learner_io.out_chunks("".join(parts)):
                send({"t": "output", "stream": stream, "text": piece, "step": -1})

    def finish(status, error=None):
        disarm()
        try:
            if end_output[0] is not None:
                end_output[0]()
            flush_out()
        except Exception:
            pass
        end = {"t": "end", "status": status, "steps": 0}
        if error is not None:
            end["error"] = error
        end["peakRssKb"] = _peak_rss_kb()
        send(end)
        os._exit(0)

    def out_text(stream, text):
        if not text:
            return
        text, n, over = learner_io.cap_text(text, max_out - out_bytes[0])
        out_bytes[0] += n
        if text:
            if outs and outs[-1][0] == stream:
                outs[-1][1].append(text)
            else:
                outs.append([stream, [text]])
        if over:
            finish("output_limit")

    Out, In, tc_input, end_output[0] = learner_io.make_stdio(out_text, stdin_lines, "graded program")
    Viz = learner_io.Viz
    tb_line = learner_io.tb_line

    def cut(s):
        return s if len(s) <= MAX_STRING else s[:MAX_STRING]

    def exc_error(e):
        return learner_io.exc_error(e, MAX_STRING)

    # ---- time limit
    # The handler raises only while `armed[0]`; the code around each call clears that
    # flag with a plain store (no call, so no pending signal can run before it) as the
    # first thing in its `finally`, so a late alarm never escapes the case's try.
    armed = [False]
    state = {"fires": 0, "case": None, "t0": 0}
    setitimer = signal.setitimer
    ITIMER_REAL = signal.ITIMER_REAL
    SIGALRM = signal.SIGALRM

    def on_alarm(signum, frame):
        if not armed[0]:
            return
        state["fires"] += 1
        if state["fires"] > MAX_FIRES:
            # the learner's code keeps swallowing the timeout (bare except in a loop)
            disarm()
            cid = state["case"]
            flush_out()
            if cid is not None:
                send({"t": "case", "id": cid, "status": "timeout",
                      "ms": round((perf() - state["t0"]) / 1e6, 3), "result": None,
                      "error": {"type": "Timeout", "message": "kept running after its time limit "
                                "(it catches the interruption)", "line": 0}})
            finish("error", {"type": "Timeout", "message": "the program kept running after its "
                             "time limit and could not be stopped", "line": 0})
        raise _Timeout()

    def arm(ms):
        state["fires"] = 0
        if signal.getsignal(SIGALRM) is not on_alarm:     # the learner may have replaced it
            signal.signal(SIGALRM, on_alarm)
        armed[0] = True
        setitimer(ITIMER_REAL, ms / 1000.0, REARM_S)

    def disarm():
        armed[0] = False
        try:
            setitimer(ITIMER_REAL, 0)
        except Exception:
            pass

    # ---- result encoding
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

    INF = float("inf")
    NINF = -INF

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
        except _Timeout:
            raise
        except BaseException:
            r = "<unrepresentable %s>" % tn
        return {"$repr": cut(r), "$type": tn}

    # ---- define the module
    if not isinstance(entry, str) or not entry:
        finish("error", {"type": "JobError", "message": "the job has no entry function name", "line": 0})
    if not isinstance(cases, list):
        finish("error", {"type": "JobError", "message": "the job has no list of cases", "line": 0})

    try:
        code = compile(src, LEARNER, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        err = {"type": type(e).__name__, "message": str(getattr(e, "msg", None) or e),
               "line": int(getattr(e, "lineno", None) or 0)}
        if getattr(e, "offset", None):
            err["column"] = int(e.offset)
        finish("error", err)

    mod = ModuleType("__main__")
    g = mod.__dict__
    g["__builtins__"] = builtins
    g["viz"] = Viz()
    sys.modules["__main__"] = mod
    sys.stdout = Out("stdout")
    sys.stderr = Out("stderr")
    sys.stdin = In()
    builtins.input = tc_input
    old_handler = signal.signal(signal.SIGALRM, on_alarm)

    try:
        try:
            arm(DEFINE_LIMIT_MS)
            exec(code, g)
        finally:
            armed[0] = False
            disarm()
    except _Timeout as e:
        finish("error", {"type": "Timeout", "message": "the program's top-level code ran longer than %d ms"
                         % DEFINE_LIMIT_MS, "line": tb_line(e)})
    except SystemExit as e:
        c = e.code
        if c is not None and c != 0:
            finish("error", {"type": "SystemExit", "message": cut(str(c)), "line": tb_line(e)})
    except BaseException as e:
        finish("error", exc_error(e))

    # ---- find the entry
    fn = g.get(entry, None) if entry in g else None
    if entry not in g or entry.startswith("__"):
        defined = [k for k, v in g.items() if callable(v) and not k.startswith("__") and k != "viz"]
        msg = "no function named %r is defined" % entry
        if defined:
            msg += " (defined: %s)" % ", ".join(defined[:8])
        finish("error", {"type": "EntryNotFound", "message": msg, "line": 0})
    if not callable(fn):
        finish("error", {"type": "EntryArity", "message": "%r is not a function (it is %s)"
                         % (entry, type(fn).__name__), "line": 0})
    counts = sorted({len(c["args"]) for c in cases if isinstance(c, dict) and isinstance(c.get("args"), list)})
    if counts:
        import inspect
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            sig = None
        if sig is not None:
            P = inspect.Parameter
            pos = [p for p in sig.parameters.values() if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
            for n in counts:
                try:
                    sig.bind(*([None] * n))
                except TypeError:
                    names = ", ".join(p.name for p in pos)
                    need = sum(1 for p in pos if p.default is P.empty)
                    exp = str(len(pos)) if need == len(pos) else "%d to %d" % (need, len(pos))
                    if any(p.kind is P.VAR_POSITIONAL for p in sig.parameters.values()):
                        exp = "at least %d" % need
                    kwonly = [p.name for p in sig.parameters.values()
                              if p.kind is P.KEYWORD_ONLY and p.default is P.empty]
                    msg = "%s takes %s positional parameter%s (%s), given %d argument%s" % (
                        entry, exp, "" if exp == "1" else "s", names, n, "" if n == 1 else "s")
                    if kwonly:
                        msg += "; keyword-only parameters without defaults: %s" % ", ".join(kwonly)
                    finish("error", {"type": "EntryArity", "message": msg, "line": 0})

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
                arm(lim)
                ret = fn(*fresh)
                t1 = perf()
                result = encode_result(ret)         # still under the timer: __repr__ is learner code
            finally:
                armed[0] = False
                disarm()
        except _Timeout as e:
            status = "timeout"
            result = None
            error = {"type": "Timeout", "message": "exceeded the time limit of %g ms" % lim, "line": tb_line(e)}
        except BaseException as e:
            status = "error"
            result = None
            error = exc_error(e)
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
