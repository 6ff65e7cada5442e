#!/usr/bin/env python3
"""Ablation of tracecast's Python tracer (bench/tracer/profile.ts runs it in the sandbox image).

cProfile cannot see inside sys.monitoring callbacks, so the cost per step is measured by
running the same program several ways, each in a forked child, timed in-process with
perf_counter from just before the program starts to its end:

Each child reports wall seconds ("s", perf_counter) and CPU seconds ("cpu", process_time:
what the machine's load does not inflate).

  untraced     exec of the program, no tracing
  settrace     sys.settrace with a no-op local trace function (the baseline's dispatch floor)
  monitoring   sys.monitoring with no-op callbacks on exactly the tracer's events
               (PY_START, PY_RESUME, PY_RETURN, PY_YIELD, LINE, JUMP; backward-jump filter as the tracer)
  null         tracer.run() (the real tracer) with a channel that drops the frames
  pipe         tracer.run() writing its frames to the real stdout pipe (what the runner reads)
  sampled      as null, under a CPU-time sampling profiler (SIGPROF every 0.5 ms of CPU; each sample
               charged to the innermost Python function on the stack, C calls to their caller): the
               "samples" field maps "file:function" to a count

Job on stdin: the tracer's job plus {"variants": [...], "reps": n}. Frames on stdout: the
`pipe` children's `steps` frames, then one `end` frame whose `ablation` field holds
{variant: [{"s": seconds, "steps": n}, ...]}.
"""
import json
import os
import struct
import sys
import time

sys.path.insert(0, "/opt/tracecast")
import tracer as T  # noqa: E402  (the image's tracer.py: main() only runs as __main__)

LEARNER = "<learner>"
OUT = 1


def send(text):
    data = text.encode("utf-8")
    buf = memoryview(struct.pack(">I", len(data)) + data)
    while buf:
        buf = buf[os.write(OUT, buf):]


class ProbeChannel:
    """The tracer's channel, dropping or forwarding frames; reports the elapsed time at the `end` frame."""

    def __init__(self, forward, report):
        self.forward = forward
        self.report = report
        self.t0 = time.perf_counter()
        self.c0 = time.process_time()

    def send(self, text):
        if text.startswith('{"t":"end"'):
            end = json.loads(text)
            self.report({"s": time.perf_counter() - self.t0, "cpu": time.process_time() - self.c0,
                         "steps": end.get("steps", 0), "status": end.get("status"), "error": end.get("error")})
            return
        self.send_bytes(text.encode("utf-8", "replace"))

    def send_frames(self, datas):
        for data in datas:
            if data.startswith(b'{"t":"end"'):
                self.send(data.decode("utf-8"))
            else:
                self.send_bytes(data)

    def send_bytes(self, data):
        if self.forward:
            buf = memoryview(struct.pack(">I", len(data)) + data)
            while buf:
                buf = buf[os.write(OUT, buf):]


def sampled(job, report):
    import signal
    counts = {}

    def on_prof(signum, frame):
        if frame is None:
            return
        co = frame.f_code
        key = "%s:%s" % (os.path.basename(co.co_filename), co.co_name)
        counts[key] = counts.get(key, 0) + 1

    def report_with_samples(obj):
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        obj["samples"] = counts
        report(obj)
    signal.signal(signal.SIGPROF, on_prof)
    signal.setitimer(signal.ITIMER_PROF, 0.0005, 0.0005)
    T.run(job, ProbeChannel(False, report_with_samples))


def variant(name, job, report):
    code_text = job["code"]
    if name in ("null", "pipe"):
        T.run(job, ProbeChannel(name == "pipe", report))
        return  # not reached: run() ends the process
    if name == "sampled":
        sampled(job, report)
        return
    code = compile(code_text, LEARNER, "exec", dont_inherit=True)
    g = {"__name__": "__main__", "__builtins__": __builtins__}
    if name == "settrace":
        def local(f, e, a):
            return local

        def glob(f, e, a):
            return local if f.f_code.co_filename == LEARNER else None
        t0, c0 = time.perf_counter(), time.process_time()
        sys.settrace(glob)
        exec(code, g)
        sys.settrace(None)
        report({"s": time.perf_counter() - t0, "cpu": time.process_time() - c0})
        return
    if name == "monitoring":
        mon = sys.monitoring
        E = mon.events
        DISABLE = mon.DISABLE
        tool = mon.DEBUGGER_ID
        mon.use_tool_id(tool, "ablate")

        def noop2(c, o):
            return None

        def noop3(c, o, v):
            return None

        def line(c, ln):
            return None

        def jump(c, src, dst):
            return DISABLE if dst > src else None
        reg = mon.register_callback
        reg(tool, E.PY_START, noop2)
        reg(tool, E.PY_RESUME, noop2)
        reg(tool, E.PY_RETURN, noop3)
        reg(tool, E.PY_YIELD, noop3)
        reg(tool, E.LINE, line)
        reg(tool, E.JUMP, jump)
        ev = E.PY_START | E.PY_RESUME | E.PY_RETURN | E.PY_YIELD | E.LINE | E.JUMP
        for c in T.learner_codes(code):
            mon.set_local_events(tool, c, ev)
        t0, c0 = time.perf_counter(), time.process_time()
        exec(code, g)
        report({"s": time.perf_counter() - t0, "cpu": time.process_time() - c0})
        return
    t0, c0 = time.perf_counter(), time.process_time()
    exec(code, g)
    report({"s": time.perf_counter() - t0, "cpu": time.process_time() - c0})


def run_child(name, job):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)

        def report(obj):
            os.write(w, json.dumps(obj).encode())
            os.close(w)
            os._exit(0)
        try:
            variant(name, job, report)
        except BaseException as e:  # noqa: BLE001
            report({"error": "%s: %s" % (type(e).__name__, e)})
        os._exit(0)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 1 << 16)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks) or b"{}")
    except ValueError:
        return {"error": "no report"}


def main():
    global OUT
    OUT = os.dup(1)
    os.dup2(2, 1)
    send(json.dumps({"t": "hello", "lang": "python", "version": sys.version.split()[0]}))
    raw = b""
    while not raw.endswith(b"\n"):
        chunk = os.read(0, 1 << 16)
        if not chunk:
            break
        raw += chunk
    job = json.loads(raw)
    variants = job.pop("variants")
    reps = int(job.pop("reps", 1))
    res = {v: [] for v in variants}
    for _ in range(reps):
        for v in variants:
            res[v].append(run_child(v, job))
    send(json.dumps({"t": "end", "status": "ok", "steps": 0, "peakRssKb": 0, "ablation": res}))
    os._exit(0)


if __name__ == "__main__":
    main()
