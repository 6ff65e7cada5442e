#!/usr/bin/env python3
"""tracecast C++ runtime: compiles the learner's program with g++ and runs it.

    python3 -u runner.py < job.json      (frames on fd 1, see ../CHANNEL.md)

No line tracing: the only steps are the explicit visualization calls of
include/tracecast.hpp (ev "viz"), which the program writes as JSON lines to a private
pipe (fd 3 in the program); this runtime validates each line and turns it into a Step.
The program's stdout/stderr become `output` frames. See README.md.

Bench mode (job "mode": "bench"): the program is compiled with bench_driver.cpp appended, which times the entry
function per size and reports on that same pipe; bench_mode.py turns its results into bench frames.

Needs a writable, exec-allowed directory for the binary: /sandbox (a tmpfs the runner
mounts for the cpp image only; /tmp is noexec).
Stdlib only.
"""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if not os.path.exists(os.path.join(HERE, "channel.py")):
    sys.path.append(os.path.join(HERE, "..", "python"))    # the repository's layout: the image has it beside us
from channel import Channel, read_line, strict_dumps  # noqa: E402

from bench_mode import BenchJob, BenchReader, compile_extra  # noqa: E402
from compiler import compile_error, compile_program, gcc_version, trim_diag  # noqa: E402
from limits import Limits  # noqa: E402
from pipe_reader import PipeReader  # noqa: E402
from program import Program, verdict  # noqa: E402
from step_writer import StepWriter  # noqa: E402
from viz_reader import VizReader  # noqa: E402

WORK_ROOT = os.environ.get("TRACECAST_SANDBOX_DIR", "/sandbox")  # override: tests outside a container

# The Python runtime's channel.py, copied beside this file into the image (sandbox-images/images.ts).
J = strict_dumps()


def work_root_problem():
    """None if WORK_ROOT is usable for an executable, else what is wrong with it."""
    if not os.path.isdir(WORK_ROOT):
        return "%s does not exist" % WORK_ROOT
    if not os.access(WORK_ROOT, os.W_OK | os.X_OK):
        return "%s is not writable" % WORK_ROOT
    best = None
    try:
        with open("/proc/self/mounts") as fh:
            for ln in fh:
                parts = ln.split()
                if len(parts) >= 4:
                    mp = parts[1].replace("\\040", " ")
                    if WORK_ROOT == mp or WORK_ROOT.startswith(mp.rstrip("/") + "/"):
                        if best is None or len(mp) >= len(best[0]):
                            best = (mp, parts[3].split(","))
    except OSError:
        pass
    if best and "noexec" in best[1]:
        return "%s is mounted noexec" % WORK_ROOT
    return None


def make_work_dir(job, src, finish):
    """A fresh run-XXXX directory under WORK_ROOT holding main.cpp, made the current directory. Ends the run first
    when the job asks for another mode or the sandbox has no usable exec directory."""
    mode = job.get("mode", "trace")
    if mode not in (None, "trace", "bench"):
        finish("error", {"type": "UnsupportedMode",
                         "message": "C++ runs support trace and bench modes only (got %r)" % (mode,), "line": None})
    problem = work_root_problem()
    if problem:
        finish("error", {"type": "InternalError",
                         "message": "sandbox misconfigured: %s; the cpp image needs a writable tmpfs "
                                    "mounted with exec at %s (see tracer-runtimes/cpp/README.md)"
                                    % (problem, WORK_ROOT), "line": None})
    import tempfile
    work = tempfile.mkdtemp(prefix="run-", dir=WORK_ROOT)
    os.chdir(work)
    with open("main.cpp", "w", encoding="utf-8", errors="surrogateescape") as fh:
        fh.write(src)
    return work


# --------------------------------------------------------------------------- the run

def run(job, chan):
    clock = time.monotonic
    src = job.get("code", "")
    if not isinstance(src, str):
        src = ""
    stdin_lines = [str(x) for x in (job.get("stdin") or []) if x is not None]
    limits = Limits(job)
    program = Program()
    timing = os.environ.get("TRACECAST_CPP_TIMING") == "1"   # phase times on stderr (measurements)
    phases = {}
    t_start = clock()
    writer = StepWriter(chan, limits)

    def finish(status, error=None):
        """Sends the `end` frame and exits: every path that ends the run goes through here, from any module."""
        if program.pid is not None:
            program.kill()
        try:
            writer.flush()
        except OverflowError as e:
            status, error = "error", {"type": "TracerLimit", "message": str(e), "line": None}
        end = {"t": "end", "status": status, "steps": writer.steps}
        if error is not None:
            end["error"] = error
        end["peakRssKb"] = program.rss
        if timing:
            os.write(2, ("timing: compile %.3fs (cpu %.3fs), run %.3fs, total %.3fs\n" % (
                phases.get("compile_s", 0), phases.get("compile_cpu", 0), clock() - phases.get("run_t0", clock()),
                clock() - t_start)).encode())
        chan.send(J(end))
        os._exit(0)

    def out_text(stream, text):
        if writer.out_text(stream, text):
            finish("output_limit")

    bench = BenchJob(job, finish) if job.get("mode") == "bench" else None
    work = make_work_dir(job, src + bench.driver_lines() if bench else src, finish)
    prog = os.path.join(work, "prog")
    base_env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "TMPDIR": "/tmp",
    }

    cstatus, diag, cru = compile_program(prog, base_env, finish, compile_extra() if bench else ())
    program.rss = cru.ru_maxrss
    phases["compile_s"] = clock() - t_start
    phases["compile_cpu"] = cru.ru_utime + cru.ru_stime
    err = compile_error(cstatus, diag)
    if err is not None:
        finish("compile_error", err)
    if diag.strip():
        out_text("stderr", trim_diag(diag) + "\n")   # warnings: shown before the run (step -1)
    if job.get("gate"):
        # The sandbox still has the compiler's memory allowance: the host lowers it to the
        # run's limit, then says go (CHANNEL.md, `compiled`).
        writer.flush()
        chan.send(J({"t": "compiled"}))
        if read_line(0).strip() != b"go":
            finish("error", {"type": "InternalError", "message": "the host did not let the program start", "line": None})

    pipes = PipeReader(work, stdin_lines, base_env, limits)
    if bench:   # the driver's results come where viz records would
        env = bench.env(pipes.env, (clock() - t_start) * 1000)
        records = BenchReader(bench, writer, pipes.take_output, finish)
    else:
        env, records = pipes.env, VizReader(limits, writer, finish)
    program.start(prog, env, pipes.fds, finish)
    phases["run_t0"] = clock()
    pipes.started()
    status = pipes.run(program, records, writer, out_text)
    finish(*verdict(status, pipes.err_tail))


def main():
    chan = Channel()
    chan.send(J({"t": "hello", "lang": "cpp", "version": gcc_version()}))
    raw = read_line(0)
    try:
        job = json.loads(raw.decode("utf-8", "replace"))
        if not isinstance(job, dict):
            raise ValueError("job is not an object")
    except Exception as e:
        chan.end("error", 0, {"type": "JobError", "message": str(e), "line": None}, 0)
        os._exit(0)
    try:
        run(job, chan)
    except SystemExit:
        raise
    except BaseException as e:  # a bug here: say so on the channel rather than die silently
        import traceback
        traceback.print_exc()
        chan.end("error", 0, {"type": "InternalError", "message": "runner.py: %s: %s"
                              % (type(e).__name__, e), "line": None}, 0)
        os._exit(0)


if __name__ == "__main__":
    main()
