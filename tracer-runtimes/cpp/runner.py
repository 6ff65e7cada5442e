#!/usr/bin/env python3
"""tracecast C++ runtime: compiles the learner's program with g++ and runs it.

    python3 -u runner.py < job.json      (frames on fd 1, see ../CHANNEL.md)

No line tracing: the only steps are the explicit visualization calls of
include/tracecast.hpp (ev "viz"), which the program writes as JSON lines to a private
pipe (fd 3 in the program); this runtime validates each line and turns it into a Step.
The program's stdout/stderr become `output` frames. See README.md.

Needs a writable, exec-allowed directory for the binary: /sandbox (a tmpfs the runner
mounts for the cpp image only; /tmp is noexec).
Stdlib only.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if not os.path.exists(os.path.join(HERE, "channel.py")):
    sys.path.append(os.path.join(HERE, "..", "python"))    # the repository's layout: the image has it beside us
from channel import MAX_FRAME, Channel, read_line, strict_dumps  # noqa: E402

MAX_SAFE = (1 << 53) - 1
WORK_ROOT = os.environ.get("TRACECAST_SANDBOX_DIR", "/sandbox")  # override: tests outside a container
INCLUDE_DIR = os.path.join(HERE, "include")
INIT_OBJ = os.path.join(HERE, "lib", "tracecast_init.o")
EXEC_HELPER = os.path.join(HERE, "lib", "tracecast-exec")   # see lib/tracecast_exec.c
VIZ_FD = 3                 # the descriptor the program writes viz lines to
VIZ_ACK_FD = 4             # the program waits on it for "runner.py has read your output"
DIAG_CAP = 8192            # compiler diagnostics kept in the CompileError message (bytes)
VIZ_LINE_CAP = 1 << 20     # a longer line on the viz pipe is malformed
READ_CHUNK = 1 << 16
FLUSH_S = 0.02


# --------------------------------------------------------------------------- channel
# The Python runtime's channel.py, copied beside this file into the image (sandbox-images/images.ts).
J = strict_dumps()


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


# --------------------------------------------------------------------------- helpers

SIGNAL_TEXT = {
    "SIGSEGV": "segmentation fault: invalid memory access (null or dangling pointer, index "
               "out of bounds, or a stack overflow from too deep recursion)",
    "SIGABRT": "aborted (a failed assert, an uncaught exception, or a corrupted heap)",
    "SIGFPE": "arithmetic error (integer division by zero or overflow)",
    "SIGBUS": "bus error (misaligned or invalid memory access)",
    "SIGILL": "illegal instruction",
    "SIGKILL": "killed (usually for exceeding the memory limit)",
    "SIGTERM": "terminated",
    "SIGPIPE": "broken pipe",
    "SIGXCPU": "CPU time limit exceeded",
    "SIGXFSZ": "file size limit exceeded",
}


def signal_name(n):
    import signal
    try:
        return signal.Signals(n).name
    except ValueError:
        return "SIG%d" % n


def simple_fn(raw, _cache={}):
    """`static std::vector<int> ns::Foo::baz(const std::map<int, int>&)` -> `baz`."""
    got = _cache.get(raw)
    if got is not None:
        return got
    s = raw
    k = s.find(" [with ")
    if k >= 0:
        s = s[:k]
    if "<lambda" in s:
        name = "<lambda>"
    else:
        import re
        m = re.search(r"(?:^|[\s:*&])(operator\s*(?:\(\)|\[\]|[^\s(]+))\s*\(", s)
        if m:
            name = m.group(1).replace(" ", "")
        else:
            name = s
            depth = 0
            for idx, ch in enumerate(s):
                if ch == "<":
                    depth += 1
                elif ch == ">":
                    depth = max(0, depth - 1)
                elif ch == "(" and depth == 0 and idx > 0 and (s[idx - 1].isalnum() or s[idx - 1] in "_>~"):
                    head = s[:idx]
                    if head.endswith(">"):  # explicit template arguments: f<int>(..)
                        d, j = 0, len(head) - 1
                        while j >= 0:
                            if head[j] == ">":
                                d += 1
                            elif head[j] == "<":
                                d -= 1
                                if d == 0:
                                    break
                            j -= 1
                        head = head[:max(j, 0)]
                    name = head.rsplit(" ", 1)[-1].rsplit("::", 1)[-1].lstrip("*&") or head
                    break
    name = name or raw or "<unknown>"
    if len(_cache) < 10000:
        _cache[raw] = name
    return name


def first_error_location(diag):
    """(line, column) of the first error in main.cpp, best effort; (None, None) if unknown."""
    import re
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


def spawn(path, argv, env, fds, pgroup=True):
    """posix_spawn with fds = {child_fd: parent_fd}; default signal dispositions restored."""
    import signal
    actions = [(os.POSIX_SPAWN_DUP2, src, dst) for dst, src in sorted(fds.items())]
    return os.posix_spawn(path, argv, env, file_actions=actions,
                          setpgroup=0 if pgroup else None,
                          setsigdef=(signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT))


def high_fd(fd, floor=VIZ_ACK_FD):
    """A copy of fd numbered above `floor` (so dup2 in the child never clobbers a source)."""
    if fd > floor:
        return fd
    import fcntl
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, floor + 1)
    os.close(fd)
    return new


# --------------------------------------------------------------------------- the run

def run(job, chan):
    import array
    import codecs
    import fcntl
    import math
    import selectors
    import signal
    import termios
    import time

    clock = time.monotonic

    def jint(name, default, lo=0):
        v = job.get(name, default)
        return v if isinstance(v, int) and not isinstance(v, bool) and v >= lo else default

    src = job.get("code", "")
    if not isinstance(src, str):
        src = ""
    stdin_lines = [str(x) for x in (job.get("stdin") or []) if x is not None]
    max_steps = jint("maxSteps", 1000000)
    max_out = jint("maxOutputBytes", 1048576)
    M = jint("maxItems", 100)
    MS = jint("maxString", 1000)
    K = jint("keyframeEvery", 1000, 1)
    batch = jint("batchSteps", 512, 1)
    if job.get("full", False):
        K = 1

    # pid: what runner.py waits for (tracecast-exec, or the program without the helper);
    # prog: the program's pid; report: read end of tracecast-exec's report pipe.
    state = {"i": 0, "rss": 0, "pid": None, "prog": None, "report": None}
    timing = os.environ.get("TRACECAST_CPP_TIMING") == "1"   # phase times on stderr (measurements)
    t_start = clock()
    # Frames not yet sent, in order: encoded steps (str) and outputs ([stream, text, step]).
    # Text follows the steps emitted before it; the whole queue goes out on each flush.
    queue = []
    queued_steps = [0]
    last_flush = [clock()]
    out_bytes = [0]

    def send_steps(lst):
        data = ('{"t":"steps","steps":[' + ",".join(lst) + "]}").encode("utf-8", "replace")
        if len(data) + 4 > MAX_FRAME:
            if len(lst) == 1:
                raise OverflowError("a single step exceeds the 1 MiB frame limit")
            h = len(lst) // 2
            send_steps(lst[:h])
            send_steps(lst[h:])
            return
        chan.send_bytes(data)

    def flush():
        items = queue[:]
        queue.clear()
        queued_steps[0] = 0
        run_ = []
        for it in items:
            if isinstance(it, str):
                run_.append(it)
                continue
            if run_:
                send_steps(run_)
                run_ = []
            stream, text, step = it
            chan.send(J({"t": "output", "stream": stream, "text": text, "step": step}))
        if run_:
            send_steps(run_)
        last_flush[0] = clock()

    def kill_child():
        pid = state["pid"]
        if pid is None:
            return
        try:  # the program first, so that tracecast-exec still reports its rusage
            os.kill(state["prog"] or pid, signal.SIGKILL)
        except OSError:
            pass
        reap(block=True)

    def read_report():
        """The lines tracecast-exec wrote so far (blocking until EOF when it has exited)."""
        fd = state["report"]
        data = b""
        while fd is not None:
            try:
                c = os.read(fd, 4096)
            except InterruptedError:
                continue
            if not c:
                break
            data += c
        return data.decode("ascii", "replace").splitlines()

    def reap(block):
        """wait4 the program; returns its wait status or None. Records its peak RSS."""
        pid = state["pid"]
        if pid is None:
            return state.get("status")
        try:
            got, status, ru = os.wait4(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            state["pid"] = None
            return state.get("status")
        if got == 0:
            return None
        state["pid"] = None
        rss = ru.ru_maxrss   # includes runner.py's own peak (see lib/tracecast_exec.c)
        if state["report"] is not None:
            for ln in read_report():
                parts = ln.split()
                if len(parts) == 3 and parts[0] == "end":
                    status, rss = int(parts[1]), int(parts[2])
            os.close(state["report"])
            state["report"] = None
        state["status"] = status
        state["rss"] = rss
        try:  # whatever it forked dies with it
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        return status

    def finish(status, error=None):
        if state["pid"] is not None:
            kill_child()
        try:
            flush()
        except OverflowError as e:
            status, error = "error", {"type": "TracerLimit", "message": str(e), "line": None}
        end = {"t": "end", "status": status, "steps": state["i"]}
        if error is not None:
            end["error"] = error
        end["peakRssKb"] = state["rss"]
        if timing:
            os.write(2, ("timing: compile %.3fs (cpu %.3fs), run %.3fs, total %.3fs\n" % (
                state.get("compile_s", 0), state.get("compile_cpu", 0), clock() - state.get("run_t0", clock()),
                clock() - t_start)).encode())
        chan.send(J(end))
        os._exit(0)

    def out_text(stream, text):
        if not text:
            return
        n = len(text) if text.isascii() else len(text.encode("utf-8", "replace"))
        over = out_bytes[0] + n > max_out
        if over:
            room = max(0, max_out - out_bytes[0])
            text = text.encode("utf-8", "replace")[:room].decode("utf-8", "ignore")
            n = room
        out_bytes[0] += n
        if text:
            step = state["i"] - 1
            last = queue[-1] if queue else None
            if (last is not None and not isinstance(last, str) and last[0] == stream and last[2] == step
                    and len(last[1]) < READ_CHUNK):   # bounded: an escaped frame stays far below 1 MiB
                last[1] += text
            else:
                queue.append([stream, text, step])
        if over:
            finish("output_limit")

    # ---- mode / work dir
    mode = job.get("mode", "trace")
    if mode not in (None, "trace"):
        finish("error", {"type": "UnsupportedMode",
                         "message": "C++ runs support trace mode only (got %r)" % (mode,), "line": None})
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
    prog = os.path.join(work, "prog")
    base_env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "TMPDIR": "/tmp",
    }

    # ---- compile
    cmd = ["g++", "-std=c++20", "-O2", "-I" + INCLUDE_DIR, "-fmax-errors=10", "-o", prog, "main.cpp"]
    if os.path.exists(INIT_OBJ):
        cmd.append(INIT_OBJ)
    r, w = os.pipe()
    devnull = os.open(os.devnull, os.O_RDONLY)
    try:
        cpid = spawn("/usr/bin/g++", cmd, base_env, {0: devnull, 1: w, 2: w})
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
        if kept < 4 * DIAG_CAP:
            chunks.append(c)
            kept += len(c)
    os.close(r)
    _, cstatus, cru = os.wait4(cpid, 0)
    state["rss"] = cru.ru_maxrss
    state["compile_s"] = clock() - t_start
    state["compile_cpu"] = cru.ru_utime + cru.ru_stime
    diag = b"".join(chunks).decode("utf-8", "replace")
    if not (os.WIFEXITED(cstatus) and os.WEXITSTATUS(cstatus) == 0):
        if os.WIFSIGNALED(cstatus):
            diag += "\ng++ was killed by %s" % signal_name(os.WTERMSIG(cstatus))
        line, col = first_error_location(diag)
        err = {"type": "CompileError", "message": trim_diag(diag) or "compilation failed", "line": line}
        if col is not None:
            err["column"] = col
        finish("compile_error", err)
    if diag.strip():
        out_text("stderr", trim_diag(diag) + "\n")   # warnings: shown before the run (step -1)
    if job.get("gate"):
        # The sandbox still has the compiler's memory allowance: the host lowers it to the
        # run's limit, then says go (CHANNEL.md, `compiled`).
        flush()
        chan.send(J({"t": "compiled"}))
        if read_line(0).strip() != b"go":
            finish("error", {"type": "InternalError", "message": "the host did not let the program start", "line": None})

    # ---- run
    stdin_path = os.path.join(work, ".stdin")
    with open(stdin_path, "w", encoding="utf-8", errors="replace") as fh:
        if stdin_lines:
            fh.write("\n".join(stdin_lines) + "\n")
    stdin_fd = high_fd(os.open(stdin_path, os.O_RDONLY))
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    viz_r, viz_w = os.pipe()
    ack_r, ack_w = os.pipe()
    out_w, err_w, viz_w, ack_r = high_fd(out_w), high_fd(err_w), high_fd(viz_w), high_fd(ack_r)
    os.set_blocking(ack_r, False)   # the program drains it without blocking
    os.set_blocking(ack_w, False)   # a full ack pipe just means the program has acks pending
    lock_path = os.path.join(work, ".vizlock")   # see pump() and tracecast.hpp
    lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    env = dict(base_env)
    env.update({"TRACECAST_VIZ_FD": str(VIZ_FD), "TRACECAST_VIZ_ACK": str(VIZ_ACK_FD),
                "TRACECAST_VIZ_LOCK": lock_path,
                "TRACECAST_MAX_ITEMS": str(M), "TRACECAST_MAX_STRING": str(MS)})
    fds = {0: stdin_fd, 1: out_w, 2: err_w, VIZ_FD: viz_w, VIZ_ACK_FD: ack_r}
    try:
        if os.access(EXEC_HELPER, os.X_OK):
            rep_r, rep_w = os.pipe()
            rep_w = high_fd(rep_w)
            fds[rep_w] = rep_w   # dup2 onto itself: inherited by tracecast-exec only
            state["report"] = rep_r
            state["pid"] = spawn(EXEC_HELPER, [EXEC_HELPER, str(rep_w), prog], env, fds)
            os.close(rep_w)
            first = b""
            while not first.endswith(b"\n"):   # "pid N" (or an error) right after its fork
                c = os.read(rep_r, 1)
                if not c:
                    break
                first += c
            words = first.decode("ascii", "replace").split()
            if len(words) == 2 and words[0] == "pid":
                state["prog"] = int(words[1])
            else:
                finish("error", {"type": "InternalError", "line": None,
                                 "message": "cannot start the program: %s" % (first.decode().strip() or "no report")})
        else:
            state["pid"] = spawn(prog, [prog], env, fds)
    except OSError as e:
        finish("error", {"type": "InternalError", "message": "cannot start the program: %s" % e,
                         "line": None})
    pid = state["pid"]
    state["run_t0"] = clock()
    for fd in (stdin_fd, out_w, err_w, viz_w, ack_r):
        os.close(fd)
    for fd in (out_r, err_r, viz_r):
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)

    # ---- viz lines -> steps
    cur = {"fn": None, "fid": 0, "live": []}   # the one frame on the stack; heap ids of the last step
    next_id = [1]
    viz_buf = bytearray()

    class Bad(Exception):
        pass

    def text_field(v):
        if not isinstance(v, str):
            raise Bad("expected a string")
        return v[:MS]

    def int_field(v):
        if not isinstance(v, int) or isinstance(v, bool):
            raise Bad("expected an integer")
        return v

    def value(v, new):
        """A Value from the header's JSON; containers become heap lists appended to `new`."""
        if v is None or isinstance(v, bool):
            return v
        if isinstance(v, int):
            return v if -MAX_SAFE <= v <= MAX_SAFE else {"sp": "bigint", "v": str(v)}
        if isinstance(v, float):
            if math.isnan(v):
                return {"sp": "nan"}
            if math.isinf(v):
                return {"sp": "inf"} if v > 0 else {"sp": "-inf"}
            return v
        if isinstance(v, str):
            return v if len(v) <= MS else {"sp": "str", "v": v[:MS], "len": len(v)}
        if isinstance(v, list):
            return heap_list(v, len(v), new)
        if isinstance(v, dict):
            if "$a" in v and isinstance(v["$a"], list):
                n = int_field(v.get("len"))
                if n < len(v["$a"]):
                    raise Bad("len below the items sent")
                return heap_list(v["$a"], n, new)
            if "$s" in v and isinstance(v["$s"], str):
                n = int_field(v.get("len"))
                return {"sp": "str", "v": v["$s"][:MS], "len": max(n, len(v["$s"]))}
        raise Bad("unsupported value")

    def heap_list(items, n, new):
        rid = next_id[0]
        next_id[0] += 1
        entry = [rid, None]
        new.append(entry)  # parents before children
        entry[1] = {"k": "list", "items": [value(x, new) for x in items[:M]], "len": n}
        return {"r": rid}

    def viz_op(vz, new):
        if not isinstance(vz, dict):
            raise Bad("viz is not an object")
        op = vz.get("op")
        if op == "step":
            out = {"op": "step", "label": text_field(vz.get("label"))}
            if "data" in vz:
                out["data"] = value(vz["data"], new)
            return out
        if op == "array":
            vals = vz.get("values")
            if isinstance(vals, dict) and isinstance(vals.get("$a"), list):
                vals = vals["$a"]
            if not isinstance(vals, list):
                raise Bad("array values are not a list")
            return {"op": "array", "name": text_field(vz.get("name")),
                    "values": [value(x, new) for x in vals]}
        if op in ("select", "deselect"):
            return {"op": op, "name": text_field(vz.get("name")),
                    "from": int_field(vz.get("from")), "to": int_field(vz.get("to"))}
        if op == "patch":
            return {"op": "patch", "name": text_field(vz.get("name")),
                    "index": int_field(vz.get("index")), "value": value(vz.get("value"), new)}
        if op == "depatch":
            return {"op": "depatch", "name": text_field(vz.get("name")),
                    "index": int_field(vz.get("index"))}
        if op == "note":
            return {"op": "note", "text": text_field(vz.get("text"))}
        raise Bad("unknown op %r" % (op,))

    def malformed(why, raw_line=None):
        finish("error", {"type": "VizChannelError",
                         "message": "malformed visualization record (%s); only tracecast.hpp "
                                    "may write to descriptor %d" % (why, VIZ_FD),
                         "line": raw_line if isinstance(raw_line, int) and not isinstance(raw_line, bool) else None})

    def on_viz_line(raw):
        i = state["i"]
        if i >= max_steps:
            finish("step_limit")
        try:
            rec = json.loads(raw.decode("utf-8", "replace"))
        except (ValueError, RecursionError):
            malformed("not JSON")
        if not isinstance(rec, dict):
            malformed("not an object")
        line = rec.get("line")
        try:
            line = int_field(line)
            fn_raw = rec.get("fn")
            if not isinstance(fn_raw, str):
                raise Bad("fn is not a string")
            new = []
            vz = viz_op(rec.get("viz"), new)
        except (Bad, RecursionError) as e:
            malformed(str(e), line)
        fn = simple_fn(fn_raw)[:MS]
        parts = ['{"i":%d,"ev":"viz","line":%d,"fn":%s,"depth":0' % (i, line, J(fn))]
        if i % K == 0:
            if fn != cur["fn"]:
                cur["fid"] += 1
                cur["fn"] = fn
            parts.append(',"kf":{"stack":[{"id":%d,"fn":%s,"vars":[]}],"heap":%s}'
                         % (cur["fid"], J(fn), J(new)))
        else:
            if fn != cur["fn"]:
                cur["fid"] += 1
                cur["fn"] = fn
                parts.append(',"pop":1,"push":[{"id":%d,"fn":%s,"vars":[]}]' % (cur["fid"], J(fn)))
            if new:
                parts.append(',"new":' + J(new))
            if cur["live"]:
                parts.append(',"free":' + J(cur["live"]))
        cur["live"] = [e[0] for e in new]
        parts.append(',"viz":' + J(vz) + "}")
        queue.append("".join(parts))
        queued_steps[0] += 1
        state["i"] = i + 1
        if i == 0 or queued_steps[0] >= batch:
            flush()

    def viz_data(data):
        """Feeds bytes from the viz pipe; complete lines become steps."""
        viz_buf.extend(data)
        start = 0
        while True:
            nl = viz_buf.find(b"\n", start)
            if nl < 0:
                break
            if nl > start:
                on_viz_line(bytes(viz_buf[start:nl]))
            start = nl + 1
        del viz_buf[:start]
        if len(viz_buf) > VIZ_LINE_CAP:
            malformed("a record longer than %d bytes" % VIZ_LINE_CAP)

    def read_viz(limit=None):
        """Reads what the viz pipe holds (at most `limit` bytes); returns False at EOF."""
        left = limit
        while left is None or left > 0:
            try:
                data = os.read(viz_r, READ_CHUNK if left is None else min(left, READ_CHUNK))
            except (BlockingIOError, InterruptedError):
                return True
            if not data:
                if viz_buf:
                    malformed("unterminated last line")
                return False
            viz_data(data)
            if left is not None:
                left -= len(data)
            elif len(data) < READ_CHUNK:
                return True
        return True

    decoders = {out_r: ("stdout", codecs.getincrementaldecoder("utf-8")("replace")),
                err_r: ("stderr", codecs.getincrementaldecoder("utf-8")("replace"))}
    err_tail = [""]

    def read_out(fd):
        """Raw bytes from the program's stdout/stderr pipe: b"" at EOF, None if nothing now."""
        try:
            return os.read(fd, READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return None

    def show_out(fd, data):
        stream, dec = decoders[fd]
        text = dec.decode(data, final=not data)
        if stream == "stderr" and text:
            err_tail[0] = (err_tail[0] + text)[-4096:]
        out_text(stream, text)

    fionread = getattr(termios, "FIONREAD", 0x541B)
    nbuf = array.array("i", [0])

    def viz_pending():
        try:
            fcntl.ioctl(viz_r, fionread, nbuf, True)
            return nbuf[0]
        except OSError:
            return 0

    lock_busy = [0]

    def pump():
        """One round of reading, in an order that keeps output after the right step.

        tracecast.hpp writes a record only when fd 1/2 are drained, under an flock that we
        take here to read output: records in the viz pipe at that moment were written before
        every byte of that output, later ones after it. Viz data is read without the lock
        whenever (a record can be bigger than the pipe: the program may hold the lock while
        blocked writing it)."""
        if viz_r in open_fds and not read_viz():
            close_fd(viz_r)
        outs_now = []
        n = 0
        locked = False
        if out_r in open_fds or err_r in open_fds:
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
                lock_busy[0] = 0
            except OSError:
                lock_busy[0] += 1
                if lock_busy[0] > 64:
                    time.sleep(0.0005)
        if locked:
            try:
                for fd in (out_r, err_r):
                    if fd in open_fds:
                        data = read_out(fd)
                        if data is not None:
                            outs_now.append((fd, data))
                if viz_r in open_fds:
                    n = viz_pending()
            finally:
                fcntl.flock(lock_fd, fcntl.LOCK_UN)
        if n and viz_r in open_fds and not read_viz(n):
            close_fd(viz_r)
        if outs_now:
            try:  # wake a program waiting in tracecast.hpp for its output to be read
                os.write(ack_w, b"\x00")
            except OSError:
                pass
        for fd, data in outs_now:
            show_out(fd, data)
            if not data:
                close_fd(fd)

    def close_fd(fd):
        open_fds.discard(fd)
        sel.unregister(fd)

    sel = selectors.DefaultSelector()
    open_fds = {viz_r, out_r, err_r}
    for fd in open_fds:
        sel.register(fd, selectors.EVENT_READ)
    pidfd = None
    try:
        pidfd = os.pidfd_open(pid)
        sel.register(pidfd, selectors.EVENT_READ)
    except (AttributeError, OSError):
        pidfd = None

    status = None
    while status is None:
        timeout = None
        if queue:
            timeout = max(0.0, FLUSH_S - (clock() - last_flush[0]))
        if pidfd is None:
            timeout = 0.05 if timeout is None else min(timeout, 0.05)
        if not open_fds and pidfd is None:
            status = reap(block=True)
            break
        sel.select(timeout)
        pump()
        if queue and clock() - last_flush[0] >= FLUSH_S:
            flush()
        if pidfd is None or not open_fds:
            status = reap(block=not open_fds)
        else:
            status = reap(block=False)
    # The program has exited (its process group is killed): take what is left in the pipes.
    for _ in range(256):
        if not open_fds:
            break
        before = len(open_fds)
        pump()
        if len(open_fds) == before:
            try:
                ready = [k.fd for k, _ in sel.select(0) if k.fd in open_fds]
            except OSError:
                ready = []
            if not ready:
                break
    for fd, (stream, dec) in decoders.items():
        out_text(stream, dec.decode(b"", final=True))
    if viz_buf:
        malformed("unterminated last line")

    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        if code == 0:
            finish("ok")
        finish("error", {"type": "Exit", "message": "exit status %d" % code, "line": None})
    sig = signal_name(os.WTERMSIG(status))
    msg = "the program was killed by %s" % sig
    if sig in SIGNAL_TEXT:
        msg += ": " + SIGNAL_TEXT[sig]
    if sig == "SIGABRT":
        import re
        m = re.search(r"terminate called after throwing an instance of '([^']*)'(?:\s*what\(\):\s*([^\n]*))?",
                      err_tail[0])
        if m:
            msg = "the program was killed by SIGABRT: uncaught exception %s%s" % (
                m.group(1), (": " + m.group(2)) if m.group(2) else "")
    finish("error", {"type": "Crash", "message": msg, "line": None, "signal": sig})


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
