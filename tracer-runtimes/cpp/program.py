"""The learner's process: starting it (through tracecast-exec), waiting for it, killing it, and what its end means."""
import os
import re
import signal

HERE = os.path.dirname(os.path.abspath(__file__))
EXEC_HELPER = os.path.join(HERE, "lib", "tracecast-exec")   # see lib/tracecast_exec.c
VIZ_FD = 3                 # the descriptor the program writes viz lines to
VIZ_ACK_FD = 4             # the program waits on it for "runner.py has read your output"

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
    try:
        return signal.Signals(n).name
    except ValueError:
        return "SIG%d" % n


def spawn(path, argv, env, fds, pgroup=True):
    """posix_spawn with fds = {child_fd: parent_fd}; default signal dispositions restored."""
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


class Program:
    """The running program. `pid` is what runner.py waits for (tracecast-exec, or the program itself when the helper
    is missing), `prog` the program's own pid, `report` the read end of tracecast-exec's report pipe. `rss` is the
    peak RSS the end frame reports: the compiler's until the program has been reaped."""

    def __init__(self):
        self.pid = None
        self.prog = None
        self.report = None
        self.status = None
        self.rss = 0

    def start(self, path, env, fds, finish):
        """Starts `path` with the child descriptors `fds`; ends the run through `finish` when it cannot."""
        try:
            if os.access(EXEC_HELPER, os.X_OK):
                self._start_with_helper(path, env, fds, finish)
            else:
                self.pid = spawn(path, [path], env, fds)
        except OSError as e:
            finish("error", {"type": "InternalError", "message": "cannot start the program: %s" % e,
                             "line": None})

    def _start_with_helper(self, path, env, fds, finish):
        # runner.py's own peak RSS would otherwise be folded into the program's at exec (README, "Peak RSS").
        rep_r, rep_w = os.pipe()
        rep_w = high_fd(rep_w)
        fds[rep_w] = rep_w   # dup2 onto itself: inherited by tracecast-exec only
        self.report = rep_r
        self.pid = spawn(EXEC_HELPER, [EXEC_HELPER, str(rep_w), path], env, fds)
        os.close(rep_w)
        first = b""
        while not first.endswith(b"\n"):   # "pid N" (or an error) right after its fork
            c = os.read(rep_r, 1)
            if not c:
                break
            first += c
        words = first.decode("ascii", "replace").split()
        if len(words) == 2 and words[0] == "pid":
            self.prog = int(words[1])
        else:
            finish("error", {"type": "InternalError", "line": None,
                             "message": "cannot start the program: %s" % (first.decode().strip() or "no report")})

    def kill(self):
        if self.pid is None:
            return
        try:  # the program first, so that tracecast-exec still reports its rusage
            os.kill(self.prog or self.pid, signal.SIGKILL)
        except OSError:
            pass
        self.reap(block=True)

    def _read_report(self):
        """The lines tracecast-exec wrote so far (blocking until EOF when it has exited)."""
        fd = self.report
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

    def reap(self, block):
        """wait4 the program; returns its wait status or None. Records its peak RSS."""
        pid = self.pid
        if pid is None:
            return self.status
        try:
            got, status, ru = os.wait4(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            self.pid = None
            return self.status
        if got == 0:
            return None
        self.pid = None
        rss = ru.ru_maxrss   # includes runner.py's own peak (see lib/tracecast_exec.c)
        if self.report is not None:
            for ln in self._read_report():
                parts = ln.split()
                if len(parts) == 3 and parts[0] == "end":
                    status, rss = int(parts[1]), int(parts[2])
            os.close(self.report)
            self.report = None
        self.status = status
        self.rss = rss
        try:  # whatever it forked dies with it
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        return status


def killed_by(who, sig):
    """`who` was killed by `sig`, and what the signal usually means: "the program was killed by SIGSEGV: ..."."""
    return "%s was killed by %s" % (who, sig) + (": " + SIGNAL_TEXT[sig] if sig in SIGNAL_TEXT else "")


def verdict(status, err_tail):
    """(end status, error) for the program's wait status; `err_tail` is the end of its stderr, where the C++ runtime
    names an uncaught exception before it aborts."""
    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        if code == 0:
            return "ok", None
        return "error", {"type": "Exit", "message": "exit status %d" % code, "line": None}
    sig = signal_name(os.WTERMSIG(status))
    msg = killed_by("the program", sig)
    if sig == "SIGABRT":
        m = re.search(r"terminate called after throwing an instance of '([^']*)'(?:\s*what\(\):\s*([^\n]*))?",
                      err_tail)
        if m:
            msg = "the program was killed by SIGABRT: uncaught exception %s%s" % (
                m.group(1), (": " + m.group(2)) if m.group(2) else "")
    return "error", {"type": "Crash", "message": msg, "line": None, "signal": sig}
