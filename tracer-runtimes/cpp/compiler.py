"""Compiling the learner's main.cpp with g++, and turning g++'s diagnostics into a CompileError a learner can read."""
import os
import re

from limits import DIAG_CAP, READ_CHUNK
from program import signal_name, spawn

HERE = os.path.dirname(os.path.abspath(__file__))
INCLUDE_DIR = os.path.join(HERE, "include")
INIT_OBJ = os.path.join(HERE, "lib", "tracecast_init.o")


def gcc_version():
    try:
        with open(os.path.join(HERE, "gcc-version")) as fh:
            v = fh.read().strip()
            if v:
                return v
    except OSError:
        pass
    try:
        import subprocess
        return subprocess.run(["g++", "-dumpfullversion"], capture_output=True, text=True,
                              timeout=5).stdout.strip() or "unknown"
    except Exception:
        return "unknown"


def compile_program(prog, env, finish, extra=()):
    """Compiles main.cpp (in the current directory) to `prog`: (g++'s wait status, its diagnostics, its rusage).
    `extra`: more inputs and link flags (bench mode's driver). Ends the run through `finish` when g++ cannot be
    started."""
    # The flags must stay those of the image's precompiled headers (sandbox-images/cpp/Dockerfile), or GCC
    # silently parses the real headers again.
    cmd = ["g++", "-std=c++20", "-O2", "-I" + INCLUDE_DIR, "-fmax-errors=10", "-o", prog, "main.cpp"]
    if os.path.exists(INIT_OBJ):
        cmd.append(INIT_OBJ)
    cmd.extend(extra)
    r, w = os.pipe()
    devnull = os.open(os.devnull, os.O_RDONLY)
    try:
        cpid = spawn("/usr/bin/g++", cmd, env, {0: devnull, 1: w, 2: w})
    except OSError as e:
        finish("error", {"type": "InternalError", "message": "cannot run g++: %s" % e, "line": None})
    os.close(w)
    os.close(devnull)
    chunks, kept = [], 0
    while True:
        try:
            c = os.read(r, READ_CHUNK)
        except InterruptedError:
            continue
        if not c:
            break
        if kept < 4 * DIAG_CAP:   # keep reading past it: g++ must not block on a full pipe
            chunks.append(c)
            kept += len(c)
    os.close(r)
    _, cstatus, cru = os.wait4(cpid, 0)
    return cstatus, b"".join(chunks).decode("utf-8", "replace"), cru


def compile_error(cstatus, diag):
    """The `end` error of a failed compile, or None when g++ succeeded."""
    if os.WIFEXITED(cstatus) and os.WEXITSTATUS(cstatus) == 0:
        return None
    if os.WIFSIGNALED(cstatus):
        diag += "\ng++ was killed by %s" % signal_name(os.WTERMSIG(cstatus))
    line, col = first_error_location(diag)
    err = {"type": "CompileError", "message": trim_diag(diag) or "compilation failed", "line": line}
    if col is not None:
        err["column"] = col
    return err


def first_error_location(diag):
    """(line, column) of the first error in main.cpp, best effort; (None, None) if unknown."""
    lines = diag.splitlines()
    err = re.compile(r"^([^:\s][^:]*):(\d+):(\d+): (?:fatal )?error:")
    for ln in lines:
        m = err.match(ln)
        if m and m.group(1) == "main.cpp":
            return int(m.group(2)), int(m.group(3))
        if m:  # the first error is inside a header: point at the learner's line that led there
            break
    for pat in (r"main\.cpp:(\d+):(\d+):\s+required from here",
                r"main\.cpp:(\d+):(\d+):",
                r"main\.cpp:(\d+)[:,]"):
        for ln in lines:
            m = re.search(pat, ln)
            if m:
                return int(m.group(1)), (int(m.group(2)) if m.lastindex and m.lastindex >= 2 else None)
    return None, None


def trim_diag(text, cap=DIAG_CAP):
    data = text.encode("utf-8", "replace")
    if len(data) <= cap:
        return text.rstrip("\n")
    cut = data[:cap].decode("utf-8", "ignore")
    nl = cut.rfind("\n")
    if nl > cap // 2:
        cut = cut[:nl]
    return cut.rstrip("\n") + "\n[... diagnostics truncated to %d KB]" % (cap // 1024)
