#!/usr/bin/env python3
"""Baseline for bench/tracer: a straightforward full-snapshot Python tracer.

The design of the best-known teaching tracer (Online Python Tutor's pg_logger):
sys.settrace, and on every call / line / return / exception event of the learner's
code, walk the whole stack, encode every frame's locals and the globals, and encode the
whole heap reachable from them (['LIST', ...], ['REF', id], ...), then serialize that
snapshot as JSON. Unlike pg_logger it streams the snapshots (no 1,000-step cap, no
trace kept in memory) over the same frame channel as tracecast's tracer
(tracer-runtimes/CHANNEL.md: 4-byte length + JSON; hello / steps / end), batched
by 512 steps or 20 ms, so the bench harness reads both the same way. It applies the
job's maxItems / maxString truncation, so both tracers show the same information.

Stdlib only. Usage (in the sandbox image): python3 -u settrace_full.py < job.json
"""
import builtins
import json
import os
import struct
import sys
import time

LEARNER = "<learner>"
MAX_FRAME = 1 << 20


def peak_rss_kb():
    try:
        with open("/proc/self/status") as fh:
            for ln in fh:
                if ln.startswith("VmHWM:"):
                    return int(ln.split()[1])
    except OSError:
        pass
    return 0


class Channel:
    def __init__(self):
        self.fd = os.dup(1)
        os.dup2(2, 1)

    def send(self, text):
        data = text.encode("utf-8", "replace")
        buf = memoryview(struct.pack(">I", len(data)) + data)
        while buf:
            buf = buf[os.write(self.fd, buf):]


class Out:
    def __init__(self, acc):
        self.acc = acc

    def write(self, s):
        self.acc.append(str(s))
        return len(s)

    def flush(self):
        pass


def main():
    chan = Channel()
    dumps = json.dumps
    chan.send(dumps({"t": "hello", "lang": "python", "version": sys.version.split()[0]}))
    raw = b""
    while not raw.endswith(b"\n"):
        chunk = os.read(0, 1 << 16)
        if not chunk:
            break
        raw += chunk
    job = json.loads(raw)
    max_steps = int(job.get("maxSteps", 1000000))
    M = int(job.get("maxItems", 100))
    MS = int(job.get("maxString", 1000))
    batch = int(job.get("batchSteps", 512))

    pend = []
    pend_bytes = 0
    state = {"i": 0, "last": time.monotonic()}
    stdout_acc = []

    def flush():
        nonlocal pend_bytes
        if pend:
            chan.send('{"t":"steps","steps":[' + ",".join(pend) + "]}")
            pend.clear()
            pend_bytes = 0
        state["last"] = time.monotonic()

    def finish(status, error=None):
        flush()
        end = {"t": "end", "status": status, "steps": state["i"], "peakRssKb": peak_rss_kb()}
        if error:
            end["error"] = error
        chan.send(dumps(end))
        os._exit(0)

    # ---- encoding, as pg_logger's ObjectEncoder: small stable ids, primitives inline
    ids = {}        # id(obj) -> small id
    keep = []       # keeps encoded objects alive so their ids are not recycled
    next_id = [1]

    def small_id(o):
        k = id(o)
        r = ids.get(k)
        if r is None:
            r = ids[k] = next_id[0]
            next_id[0] += 1
            keep.append(o)
        return r

    def enc(o, heap):
        t = type(o)
        if o is None or t is bool:
            return o
        if t is int:
            return o if -(1 << 53) < o < (1 << 53) else ["SPECIAL_INT", str(o)]
        if t is float:
            return o if o == o and o not in (float("inf"), float("-inf")) else ["SPECIAL_FLOAT", repr(o)]
        if t is str:
            return o if len(o) <= MS else o[:MS]
        rid = small_id(o)
        ref = ["REF", rid]
        if rid in heap:
            return ref
        heap[rid] = None  # placeholder: cycles become references
        if t is list or t is tuple or t is set or t is frozenset:
            tag = "LIST" if t is list else "TUPLE" if t is tuple else "SET"
            items = o if t is not set and t is not frozenset else list(o)
            new = [tag]
            for k, x in enumerate(items):
                if k >= M:
                    break
                new.append(enc(x, heap))
        elif t is dict:
            new = ["DICT"]
            for k, (a, b) in enumerate(o.items()):
                if k >= M:
                    break
                new.append([enc(a, heap), enc(b, heap)])
        elif t.__name__ == "function":
            new = ["FUNCTION", o.__name__, None]
        elif isinstance(o, type):
            new = ["CLASS", o.__name__, []]
        elif hasattr(o, "__dict__") and not isinstance(o, type(sys)):
            new = ["INSTANCE", t.__name__]
            for k, (a, b) in enumerate(o.__dict__.items()):
                if k >= M:
                    break
                new.append([a, enc(b, heap)])
        else:
            new = ["HEAP_PRIMITIVE", t.__name__, repr(o)[:MS]]
        heap[rid] = new
        return ref

    frame_ids = {}
    next_frame = [1]
    module_type = type(sys)

    def visible(name, v):
        return not (name.startswith("__") and name.endswith("__")) and type(v) is not module_type

    def record(frame, event, arg):
        nonlocal pend_bytes
        i = state["i"]
        if i >= max_steps:
            finish("step_limit")
        heap = {}
        # the stack, innermost first, down to the module frame
        frames = []
        f = frame
        while f is not None and f.f_code.co_filename == LEARNER:
            frames.append(f)
            f = f.f_back
        frames.reverse()
        g = frames[0].f_globals
        ordered_globals = [k for k, v in g.items() if visible(k, v)]
        enc_globals = {k: enc(g[k], heap) for k in ordered_globals}
        stack = []
        for f in frames[1:]:
            fid = frame_ids.get(f)
            if fid is None:
                fid = frame_ids[f] = next_frame[0]
                next_frame[0] += 1
            loc = dict(f.f_locals)
            names = [k for k in loc if visible(k, loc[k])]
            encoded = {k: enc(loc[k], heap) for k in names}
            if event == "return" and f is frame:
                encoded["__return__"] = enc(arg, heap)
                names.append("__return__")
            stack.append({"func_name": f.f_code.co_name, "frame_id": fid, "is_highlighted": f is frame,
                          "ordered_varnames": names, "encoded_locals": encoded})
        step = {"i": i, "ev": event, "line": frame.f_lineno, "fn": frame.f_code.co_name,
                "depth": len(frames) - 1, "func_name": frame.f_code.co_name,
                "globals": enc_globals, "ordered_globals": ordered_globals,
                "stack_to_render": stack, "heap": heap, "stdout": "".join(stdout_acc)}
        text = dumps(step)
        if len(text) > MAX_FRAME - 64:
            text = dumps({"i": i, "ev": event, "line": frame.f_lineno, "fn": frame.f_code.co_name,
                          "depth": len(frames) - 1, "truncated": True})
        pend.append(text)
        pend_bytes += len(text)
        state["i"] = i + 1
        if event == "return":
            frame_ids.pop(frame, None)
        if i == 0 or len(pend) >= batch or pend_bytes > (MAX_FRAME >> 1) or \
                ((i & 63) == 0 and time.monotonic() - state["last"] > 0.02):
            flush()

    def local_trace(frame, event, arg):
        if event == "exception":
            record(frame, "exception", arg)
        else:
            record(frame, event, arg)
        return local_trace

    def global_trace(frame, event, arg):
        if frame.f_code.co_filename != LEARNER:
            return None
        record(frame, event, arg)
        return local_trace

    try:
        code = compile(job.get("code", ""), LEARNER, "exec")
    except SyntaxError as e:
        finish("error", {"type": "SyntaxError", "message": str(e.msg), "line": e.lineno or 0})
    g = {"__name__": "__main__", "__builtins__": builtins}
    sys.stdout = Out(stdout_acc)
    status, error = "ok", None
    sys.settrace(global_trace)
    try:
        exec(code, g)
    except BaseException as e:  # noqa: BLE001 - the learner's error ends the run
        status, error = "error", {"type": type(e).__name__, "message": str(e)[:MS], "line": 0}
    finally:
        sys.settrace(None)
    finish(status, error)


if __name__ == "__main__":
    main()
