#!/usr/bin/env python3
"""tracecast Python tracer runtime: the sandbox's command. Says hello, reads the job and runs its mode.

    python3 -u tracer.py < job.json      (frames on fd 1, learner's raw fd output on fd 2)

Trace mode is trace_mode.py (per-step work in core.py); bench and grade mode are bench.py and grade.py, over the
same channel (channel.py). Python >= 3.12 traces with sys.monitoring (LINE + same-line backward JUMP, emulating
sys.settrace's line semantics exactly); older Pythons fall back to sys.settrace. Stdlib only, and only modules shipped
in Debian's python3-minimal. See README.md for the layout and the design.
"""
import os
import sys

import trace_mode
from channel import Channel, J, read_line
from segments import get_dis


def fix_hash_seed():
    """Re-executes this interpreter with PYTHONHASHSEED=0 unless it already has it.

    String hashes are salted per process, so set iteration order (what a set's items
    show, what a loop over a set visits) would differ between two runs of one program:
    the delta and full-mode runs the reconstruction check compares, a replay. The sandbox
    image sets the variable, so there this is a no-op; elsewhere it happens before the
    hello frame.
    """
    if os.environ.get("PYTHONHASHSEED") == "0":
        return
    os.environ["PYTHONHASHSEED"] = "0"
    argv = getattr(sys, "orig_argv", None) or [sys.executable, "-u", os.path.abspath(__file__)]
    try:
        os.execv(sys.executable, [sys.executable] + argv[1:])
    except OSError:
        pass


def main():
    fix_hash_seed()
    # A pooled container says hello long before its job arrives: dis (~2 ms to import), which the first step's
    # segment analysis needs, is loaded now rather than on the job's clock.
    get_dis()
    chan = Channel()
    chan.send(J({"t": "hello", "lang": "python", "version": sys.version.split()[0]}))
    raw = read_line(0)
    try:
        # A reusable container's stdin stays open after the job (the supervisor's requests come on it):
        # the program reading fd 0 gets end-of-file, as in a single-use container whose stdin is closed.
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
    except OSError:
        pass
    try:
        import json
        job = json.loads(raw.decode("utf-8", "replace"))
        if not isinstance(job, dict):
            raise ValueError("job is not an object")
    except Exception as e:
        chan.end("error", 0, {"type": "JobError", "message": str(e), "line": 0})
        os._exit(0)
    mode = job.get("mode")
    if mode in ("bench", "grade"):
        # CHANNEL.md "Other modes": the same channel, handed to bench.py / grade.py
        try:
            mod = __import__(mode)
            mod.main(job, chan)
        except BaseException as e:
            if isinstance(e, SystemExit) and not e.code:
                os._exit(0)
            chan.end("error", 0, {"type": "TracerError", "message": "%s: %s" % (type(e).__name__, e), "line": 0})
        os._exit(0)
    if mode not in (None, "trace"):
        chan.end("error", 0, {"type": "JobError", "message": "unknown mode %r" % (mode,), "line": 0})
        os._exit(0)
    trace_mode.run(job, chan)


if __name__ == "__main__":
    main()
