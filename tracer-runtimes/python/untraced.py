"""What bench and grade mode share (../CHANNEL.md, "Other modes"): the job's fields, the learner's module run untraced,
buffered `output` frames, the alarm that bounds the learner's calls, the entry's arity, and the `end` frame (trace mode's
entry call uses the entry lookup and arity too).

    run = Untraced(job, channel, "graded program")
    fn = run.entry(job.get("entry"), "function")      # after run.define(limit_ms)
"""
import os
import sys

import learner_io
from channel import end_frame, strict_dumps
from viz import Viz

LEARNER = "<learner>"
MAX_STRING = 1000           # error messages and reprs are cut to this many characters
REARM_S = 0.02              # after the deadline the alarm repeats this often...
MAX_FIRES = 25              # ...and this many swallowed interruptions end the job


class Interrupt(BaseException):
    """Raised by the alarm handler; a BaseException so `except Exception` lets it pass."""
    __module__ = "tracecast"


def job_int(job, name, default, lo=0, integer=True):
    """job[name] when it is a number >= lo (an int unless `integer` is False), else default."""
    v = job.get(name, default)
    if type(v) is bool or type(v) not in ((int,) if integer else (int, float)) or not v >= lo:
        return default
    return v


def cut(s):
    return s if len(s) <= MAX_STRING else s[:MAX_STRING]


class Untraced:
    """One bench or grade job. Output is buffered while learner code runs and sent between calls (flush_out): a
    call's time limit, an exception from the alarm, could otherwise cut a frame in half (os.write returns a partial
    count into a full pipe)."""

    def __init__(self, job, channel, what, max_out=1048576, flush_at=None):
        self.channel = channel
        self.dumps = strict_dumps()
        src = job.get("code", "")
        self.src = src if isinstance(src, str) else ""
        self.max_out = job_int(job, "maxOutputBytes", max_out)
        stdin = job.get("stdin")
        self.stdin_lines = [str(x) for x in stdin if x is not None] if isinstance(stdin, list) else []
        self.outs = []           # [stream, [text, ...]]: joined when sent (a str grown by += is copied whole)
        self.out_chars = 0       # characters waiting in outs
        self.flush_at = flush_at  # this many waiting characters are sent at once when no learner call is running
        self.out_bytes = 0       # UTF-8 bytes of output so far, against maxOutputBytes
        self.before_end = []     # called in order by finish() first (a counting pass to stop...)
        # The alarm's handler raises only while `armed`; the code around each call clears it with a plain store
        # (no call, so no pending signal can run before it) as the first thing in its `finally`, so a late alarm
        # never escapes the call's try.
        self.armed = False
        self.fires = 0
        self.on_overrun = None   # called when the learner's code swallowed MAX_FIRES interruptions
        self.globals = None
        self.Out, self.In, self.input, self.end_output = learner_io.make_stdio(self.out_text, self.stdin_lines, what)

    def send(self, obj):
        self.channel.send(self.dumps(obj))

    def flush_out(self):
        if not self.outs:
            return
        lst = self.outs[:]
        self.outs.clear()
        self.out_chars = 0
        for stream, parts in lst:
            for piece in learner_io.out_chunks("".join(parts)):
                self.send({"t": "output", "stream": stream, "text": piece, "step": -1})

    def out_text(self, stream, text):
        if not text:
            return
        text, n, over = learner_io.cap_text(text, self.max_out - self.out_bytes)
        self.out_bytes += n
        if text:
            outs = self.outs
            if outs and outs[-1][0] == stream:
                outs[-1][1].append(text)
            else:
                outs.append([stream, [text]])
            self.out_chars += len(text)
        if over:
            self.finish("output_limit")
        if self.flush_at is not None and self.out_chars >= self.flush_at and not self.armed:
            self.flush_out()

    def finish(self, status, error=None, last=None):
        """The job's end: pending output, then `last` (a frame, if any), then the `end` frame; the process exits."""
        self.disarm()
        for f in self.before_end:
            try:
                f()
            except Exception:
                pass
        try:
            self.end_output()
            self.flush_out()
        except Exception:
            pass
        if last is not None:
            self.send(last)
        self.channel.send(end_frame(status, 0, error))
        os._exit(0)

    # ---- the alarm
    def on_alarm(self, signum, frame):
        if not self.armed:
            return
        self.fires += 1
        if self.fires > MAX_FIRES:
            # the learner's code keeps swallowing the interruption (bare except in a loop)
            self.armed = False
            self.on_overrun()
        raise Interrupt()

    def arm(self, seconds):
        import signal
        self.fires = 0
        if signal.getsignal(signal.SIGALRM) != self.on_alarm:     # the learner may have replaced it
            signal.signal(signal.SIGALRM, self.on_alarm)
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, seconds, REARM_S)

    def disarm(self):
        import signal
        self.armed = False
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        except Exception:
            pass

    # ---- the learner's module
    def define(self, limit_ms):
        """Compiles and runs the learner's code as `__main__` under a `limit_ms` alarm; ends the job on a failure."""
        import builtins
        import signal
        from types import ModuleType
        code, err = learner_io.compile_learner(self.src)
        if err is not None:
            self.finish("error", err)
        mod = ModuleType("__main__")
        g = self.globals = mod.__dict__
        g["__builtins__"] = builtins
        g["viz"] = Viz()
        sys.modules["__main__"] = mod
        sys.stdout = self.Out("stdout")
        sys.stderr = self.Out("stderr")
        sys.stdin = self.In()
        builtins.input = self.input
        signal.signal(signal.SIGALRM, self.on_alarm)
        try:
            try:
                self.arm(limit_ms / 1000.0)
                exec(code, g)
            finally:
                self.armed = False
                self.disarm()
        except Interrupt as e:
            self.finish("error", {"type": "Timeout", "message": "the program's top-level code ran longer than %d ms"
                                  % limit_ms, "line": learner_io.tb_line(e)})
        except SystemExit as e:
            c = e.code
            if c is not None and c != 0:
                self.finish("error", {"type": "SystemExit", "message": cut(str(c)), "line": learner_io.tb_line(e)})
        except BaseException as e:
            self.finish("error", learner_io.exc_error(e, MAX_STRING))
        return code

    def entry(self, name, what):
        """The learner's function `name` (`what` names it in messages); ends the job when there is none."""
        fn, error = find_entry(self.globals, name, what)
        if error is not None:
            self.finish("error", error)
        return fn


def find_entry(g, name, what):
    """(the function `name` of the learner's module namespace g, None), or (None, the `end` error saying why not:
    EntryNotFound, or EntryArity for a name that is not callable). `what` names it in messages."""
    if not isinstance(name, str) or name not in g or name.startswith("__") or name == "viz":
        defined = [k for k, v in g.items() if callable(v) and not k.startswith("__") and k != "viz"]
        msg = "no %s named %r is defined" % (what, name)
        if defined:
            msg += " (defined: %s)" % ", ".join(defined[:8])
        return None, {"type": "EntryNotFound", "message": msg, "line": 0}
    fn = g[name]
    if not callable(fn):
        return None, {"type": "EntryArity", "message": "%r is not a function (it is %s)" % (name, type(fn).__name__),
                      "line": 0}
    return fn, None


# --------------------------------------------------------------------------- arity

def arity(fn):
    """(min, max, names): how many positional arguments `fn` accepts (max None: unbounded) and its positional
    parameters' names; None when unknown. A required keyword-only parameter makes it (0, -1, names): never callable
    positionally."""
    from types import FunctionType, MethodType
    f = fn
    drop = 0
    if type(f) is MethodType and type(f.__func__) is FunctionType:
        f = f.__func__
        drop = 1
    if type(f) is FunctionType:
        c = f.__code__
        pos = c.co_argcount
        names = c.co_varnames[drop:pos]
        nd = len(f.__defaults__ or ())
        kwd = f.__kwdefaults__ or {}
        if any(nm not in kwd for nm in c.co_varnames[pos:pos + c.co_kwonlyargcount]):
            return (0, -1, names)
        mx = None if c.co_flags & 0x04 else pos - drop
        return (max(0, pos - nd - drop), mx, names)
    import inspect
    try:
        sig = inspect.signature(fn)
    except Exception:
        return None
    P = inspect.Parameter
    mn = 0
    mx = 0
    names = []
    for p in sig.parameters.values():
        if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD):
            names.append(p.name)
            mx = None if mx is None else mx + 1
            if p.default is P.empty:
                mn += 1
        elif p.kind is P.VAR_POSITIONAL:
            mx = None
        elif p.kind is P.KEYWORD_ONLY and p.default is P.empty:
            return (0, -1, tuple(names))
    return (mn, mx, tuple(names))


def arity_message(name, ar, given):
    mn, mx, names = ar
    if mx == -1:
        return "%s has keyword-only parameters without defaults, it cannot be called with %d positional argument%s" % (
            name, given, "" if given == 1 else "s")
    if mx is None:
        exp = "at least %d" % mn
    elif mn == mx:
        exp = "%d" % mn
    else:
        exp = "%d to %d" % (mn, mx)
    return "%s takes %s positional parameter%s (%s), given %d argument%s" % (
        name, exp, "" if exp == "1" else "s", ", ".join(names), given, "" if given == 1 else "s")


def arity_ok(ar, given):
    if ar is None:
        return True
    mn, mx, _ = ar
    if mx == -1:
        return False
    return given >= mn and (mx is None or given <= mx)
