"""C++ bench mode (../CHANNEL.md, "bench mode"; README.md, "Bench mode"): the job's entry and generator as lines
appended to main.cpp, which bring in bench_driver.cpp; the driver's environment; and its results, validated, as
bench.point / bench.error / bench.stop frames.

The program is compiled once, with the driver's calls appended, with runner.py's flags (-O2), and linked with the
driver's series (compile_extra). Built-in generators only, and not `graph`; no operation count (`ops` is null and
`builtinShare` 0: the server fits the timings alone).
"""
import json
import math
import os
import re

from channel import strict_dumps
from limits import MAX_SAFE, job_int
from program import VIZ_FD, killed_by, signal_name
from viz_reader import LineRecords

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "bench_driver.cpp")
SERIES_OBJ = os.path.join(HERE, "lib", "bench_driver.o")   # its series part, compiled when the image is built


def compile_extra():
    """What g++ gets beside main.cpp: the driver's series (its object, or outside the image its source) and the link
    flag that makes the driver the program's start."""
    return (SERIES_OBJ if os.path.exists(SERIES_OBJ) else DRIVER, "-Wl,--defsym,main=tracecast_bench_main")


GENERATORS = ("random_ints", "sorted_ints", "reversed_ints", "string", "sorted_target", "two_sum")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
DEFAULT_SIZES = [100, 500, 1000, 2500, 5000]
MAX_REPEATS = 100
MAX_TEXT = 1000      # an exception's type and message are cut to this
J = strict_dumps()


class BenchJob:
    """The job's bench fields, checked: a job that cannot run ends through `finish` (which does not return)."""

    def __init__(self, job, finish):
        entry = job.get("entry")
        if not isinstance(entry, str) or not IDENTIFIER.match(entry) or len(entry) > 100:
            finish("error", {"type": "JobError", "message": "the job has no entry function name", "line": 0})
        gen = job.get("generator")
        gen = gen if isinstance(gen, dict) else {"kind": "builtin", "name": "random_ints", "seed": 0}
        if gen.get("kind") != "builtin" or gen.get("name") not in GENERATORS:
            finish("error", {"type": "GeneratorError", "line": 0, "message": "C++ benchmarks take the built-in "
                             "generators %s (got %s)" % (", ".join(GENERATORS), J(gen.get("name")))})
        seed = gen.get("seed", 0)
        self.entry = entry
        self.generator = gen["name"]
        self.seed = (seed if isinstance(seed, int) and not isinstance(seed, bool) else 0) & 0xFFFFFFFF
        sizes = job.get("sizes", DEFAULT_SIZES)
        self.sizes = [n for n in (sizes if isinstance(sizes, list) else DEFAULT_SIZES)
                      if isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 10_000_000]
        self.repeats = min(job_int(job, "repeats", 5, 1), MAX_REPEATS)
        self.budget_ms = job_int(job, "budgetMs", 8000, 1)

    def driver_lines(self):
        """What follows the learner's code in main.cpp. `#line` names another file, so that no diagnostic about
        the driver points at a line of main.cpp."""
        return ('\n#line 1 "tracecast-bench"\n#define TRACECAST_BENCH_ENTRY %s\n#define TRACECAST_BENCH_GENERATOR %s\n'
                '#include "%s"\n' % (self.entry, self.generator, DRIVER))

    def env(self, env, elapsed_ms):
        """The driver's environment: the program's, less the viz API's (its calls are no-ops in bench mode), plus
        the series; the budget counts from the job's start, compile included."""
        out = {k: v for k, v in env.items() if not k.startswith(("TRACECAST_VIZ", "TRACECAST_MAX"))}
        out.update({"TRACECAST_BENCH_FD": str(VIZ_FD),
                    "TRACECAST_BENCH_SIZES": ",".join(map(str, self.sizes)),
                    "TRACECAST_BENCH_REPEATS": str(self.repeats),
                    "TRACECAST_BENCH_SEED": str(self.seed),
                    "TRACECAST_BENCH_BUDGET_MS": str(max(0, int(self.budget_ms - elapsed_ms)))})
        return out


class BenchReader(LineRecords):
    """The driver's results (one JSON line per size, in the job's order) as frames. Output the size printed goes
    first (`take_output`). Anything the driver would not have written ends the run with BenchChannelError."""

    def __init__(self, bench, writer, take_output, finish):
        super().__init__()
        self.bench = bench
        self.writer = writer
        self.take_output = take_output
        self.finish = finish
        self.next = 0        # index in bench.sizes of the size expected next
        self.stopped = False

    def malformed(self, why):
        self.finish("error", {"type": "BenchChannelError", "line": None,
                              "message": "malformed benchmark record (%s); only the benchmark driver may write "
                                         "to descriptor %d" % (why, VIZ_FD)})

    def on_line(self, raw):
        try:
            rec = json.loads(raw.decode("utf-8", "replace"))
        except (ValueError, RecursionError):
            rec = None
        sizes = self.bench.sizes
        if not isinstance(rec, dict) or self.stopped or self.next >= len(sizes) or rec.get("n") != sizes[self.next]:
            self.malformed("not the result of size %s" % (sizes[self.next] if self.next < len(sizes) else "none"))
        frame = self.frame(rec.get("t"), rec)
        if frame is None:
            self.malformed("a %r record with wrong fields" % (rec.get("t"),))
        self.next += 1
        self.stopped = frame["t"] == "bench.stop"
        self.take_output()
        self.writer.flush()
        self.writer.chan.send(J(frame))

    def frame(self, t, rec):
        """The frame for a driver record, or None when its fields are not what the driver writes."""
        n = rec["n"]
        if t == "point":
            times, peak = rec.get("times"), rec.get("peakKb")
            if (isinstance(times, list) and len(times) == self.bench.repeats and all(seconds(x) for x in times)
                    and count(peak)):
                return {"t": "bench.point", "n": n, "times": times, "ops": None, "builtinShare": 0, "peakKb": peak}
        elif t == "exception":
            kind, message = rec.get("type"), rec.get("message")
            if isinstance(kind, str) and isinstance(message, str):
                kind = kind[:MAX_TEXT] or "exception"
                return bench_error(n, kind, message[:MAX_TEXT] or "the call threw %s" % kind)
        elif t == "crash":
            sig = rec.get("signal")
            if count(sig) and 0 < sig < 128:
                name = signal_name(sig)
                return bench_error(n, "Crash", killed_by("the call", name), signal=name)
        elif t == "exit":
            status = rec.get("status")
            if count(status) and status < 256:
                return bench_error(n, "Exit", "the call ended the program (exit status %d)" % status)
        elif t == "stop":
            return {"t": "bench.stop", "reason": "budget", "n": n}
        return None


def count(v):
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_SAFE


def seconds(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0


def bench_error(n, kind, message, signal=None):
    error = {"type": kind, "message": message, "line": None}
    if signal is not None:
        error["signal"] = signal
    return {"t": "bench.error", "n": n, "error": error}
