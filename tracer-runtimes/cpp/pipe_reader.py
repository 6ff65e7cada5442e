"""The program's three pipes (stdout, stderr, viz records), read until it exits, in an order that attributes every
piece of output to the viz step written last before it (README, "Exact output attribution")."""
import array
import codecs
import fcntl
import os
import selectors
import termios
import time

from limits import FLUSH_S, READ_CHUNK
from program import VIZ_ACK_FD, VIZ_FD, high_fd


class PipeReader:
    """Makes the program's descriptors (`fds` for spawn, `env` for tracecast.hpp), then reads them: viz records go
    to `viz` (a VizReader), text to `out_text(stream, text)`."""

    def __init__(self, work, stdin_lines, base_env, limits):
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
        self.lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self.env = dict(base_env)
        self.env.update({"TRACECAST_VIZ_FD": str(VIZ_FD), "TRACECAST_VIZ_ACK": str(VIZ_ACK_FD),
                         "TRACECAST_VIZ_LOCK": lock_path,
                         "TRACECAST_MAX_ITEMS": str(limits.max_items),
                         "TRACECAST_MAX_STRING": str(limits.max_string)})
        self.fds = {0: stdin_fd, 1: out_w, 2: err_w, VIZ_FD: viz_w, VIZ_ACK_FD: ack_r}
        self.child_ends = (stdin_fd, out_w, err_w, viz_w, ack_r)
        self.out_r, self.err_r, self.viz_r, self.ack_w = out_r, err_r, viz_r, ack_w
        self.decoders = {out_r: ("stdout", codecs.getincrementaldecoder("utf-8")("replace")),
                         err_r: ("stderr", codecs.getincrementaldecoder("utf-8")("replace"))}
        self.err_tail = ""   # the end of stderr: where an uncaught exception is named
        self.fionread = getattr(termios, "FIONREAD", 0x541B)
        self.nbuf = array.array("i", [0])
        self.lock_busy = 0
        self.outs_now = []      # output a pump read under the lock, shown after the records it follows
        self.viz = self.out_text = None
        self.sel = self.open_fds = self.pidfd = None

    def started(self):
        """The program has its copies: close ours, and read the pipes without blocking."""
        for fd in self.child_ends:
            os.close(fd)
        for fd in (self.out_r, self.err_r, self.viz_r):
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)

    def read_viz(self, limit=None):
        """Reads what the viz pipe holds (at most `limit` bytes); returns False at EOF."""
        left = limit
        while left is None or left > 0:
            try:
                data = os.read(self.viz_r, READ_CHUNK if left is None else min(left, READ_CHUNK))
            except (BlockingIOError, InterruptedError):
                return True
            if not data:
                self.viz.at_end()
                return False
            self.viz.feed(data)
            if left is not None:
                left -= len(data)
            elif len(data) < READ_CHUNK:
                return True
        return True

    @staticmethod
    def read_out(fd):
        """Raw bytes from the program's stdout/stderr pipe: b"" at EOF, None if nothing now."""
        try:
            return os.read(fd, READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return None

    def show_out(self, fd, data):
        stream, dec = self.decoders[fd]
        text = dec.decode(data, final=not data)
        if stream == "stderr" and text:
            self.err_tail = (self.err_tail + text)[-4096:]
        self.out_text(stream, text)

    def take_output(self):
        """Shows all the output read or readable now. Bench mode calls it before each result: the size's process
        has exited when the driver writes its result, so the size's output is in the pipes already."""
        self.show_outs_now()
        for fd in (self.out_r, self.err_r):
            while fd in self.open_fds:
                data = self.read_out(fd)
                if data is None:
                    break
                self.show_out(fd, data)
                if not data:
                    self.close_fd(fd)

    def viz_pending(self):
        try:
            fcntl.ioctl(self.viz_r, self.fionread, self.nbuf, True)
            return self.nbuf[0]
        except OSError:
            return 0

    def pump(self):
        """One round of reading, in an order that keeps output after the right step.

        tracecast.hpp writes a record only when fd 1/2 are drained, under an flock that we
        take here to read output: records in the viz pipe at that moment were written before
        every byte of that output, later ones after it. Viz data is read without the lock
        whenever (a record can be bigger than the pipe: the program may hold the lock while
        blocked writing it)."""
        open_fds, out_r, err_r, viz_r, lock_fd = self.open_fds, self.out_r, self.err_r, self.viz_r, self.lock_fd
        if viz_r in open_fds and not self.read_viz():
            self.close_fd(viz_r)
        self.outs_now = outs_now = []
        n = 0
        locked = False
        if out_r in open_fds or err_r in open_fds:
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
                self.lock_busy = 0
            except OSError:
                self.lock_busy += 1
                if self.lock_busy > 64:
                    time.sleep(0.0005)
        if locked:
            try:
                for fd in (out_r, err_r):
                    if fd in open_fds:
                        data = self.read_out(fd)
                        if data is not None:
                            outs_now.append((fd, data))
                if viz_r in open_fds:
                    n = self.viz_pending()
            finally:
                fcntl.flock(lock_fd, fcntl.LOCK_UN)
        if n and viz_r in open_fds and not self.read_viz(n):
            self.close_fd(viz_r)
        if outs_now:
            try:  # wake a program waiting in tracecast.hpp for its output to be read
                os.write(self.ack_w, b"\x00")
            except OSError:
                pass
        self.show_outs_now()

    def show_outs_now(self):
        """Shows the output this pump read under the lock (and not yet shown)."""
        outs_now, self.outs_now = self.outs_now, []
        for fd, data in outs_now:
            self.show_out(fd, data)
            if not data:
                self.close_fd(fd)

    def close_fd(self, fd):
        if fd in self.open_fds:
            self.open_fds.discard(fd)
            self.sel.unregister(fd)

    def run(self, program, viz, writer, out_text):
        """Reads until the program has exited and its pipes are drained; returns its wait status."""
        self.viz, self.out_text = viz, out_text
        self.sel = sel = selectors.DefaultSelector()
        self.open_fds = open_fds = {self.viz_r, self.out_r, self.err_r}
        for fd in open_fds:
            sel.register(fd, selectors.EVENT_READ)
        try:
            self.pidfd = os.pidfd_open(program.pid)
            sel.register(self.pidfd, selectors.EVENT_READ)
        except (AttributeError, OSError):
            self.pidfd = None
        status = self.wait(program, writer)
        self.drain()
        for fd, (stream, dec) in self.decoders.items():
            out_text(stream, dec.decode(b"", final=True))
        viz.at_end()
        return status

    def wait(self, program, writer):
        # Without a pidfd (old kernels) the program's exit cannot wake select: poll every 50 ms.
        clock = time.monotonic
        sel, open_fds, pidfd = self.sel, self.open_fds, self.pidfd
        status = None
        while status is None:
            timeout = None
            if writer.queue:
                timeout = max(0.0, FLUSH_S - (clock() - writer.last_flush))
            if pidfd is None:
                timeout = 0.05 if timeout is None else min(timeout, 0.05)
            if not open_fds and pidfd is None:
                status = program.reap(block=True)
                break
            sel.select(timeout)
            self.pump()
            if writer.queue and clock() - writer.last_flush >= FLUSH_S:
                writer.flush()
            if pidfd is None or not open_fds:
                status = program.reap(block=not open_fds)
            else:
                status = program.reap(block=False)
        return status

    def drain(self):
        """The program has exited (its process group is killed): take what is left in the pipes."""
        open_fds = self.open_fds
        for _ in range(256):
            if not open_fds:
                break
            before = len(open_fds)
            self.pump()
            if len(open_fds) == before:
                try:
                    ready = [k.fd for k, _ in self.sel.select(0) if k.fd in open_fds]
                except OSError:
                    ready = []
                if not ready:
                    break
