"""The trace's way out (../CHANNEL.md): steps as ready JSON text in the compact form, batched into `steps` frames
(split when over 1 MiB) whose last step carries a `perf` sample, the learner's output as `output` frames in order with
them, and the `end` frame (with the entry call's outcome, when the job had one).

The core appends each step's text to `pend` and calls flush() when a batch is full or 20 ms have passed (it reads
`last_flush` every 64 steps); output is written at once with the steps before it.
"""
import json
import os
import time

from channel import MAX_FRAME, J, peak_rss_kb, rss_kb
from learner_io import cap_text, out_chunks


class StepWriter:
    __module__ = "tracecast"

    def __init__(self, chan, max_out):
        self.chan = chan
        self.max_out = max_out
        self.pend = []           # encoded step strings not yet sent (the core appends to this list)
        self.sent = 0            # steps written to the channel
        self.outs = []           # [stream, text, step] not yet sent
        self.out_bytes = 0
        self.last_flush = time.monotonic()
        self.forked = False      # in a forked child: the channel and the trace belong to the parent
        self.end_output = None   # learner_io's, once the learner's stdio exists
        self.trace_off = []      # turns the backend's event delivery off (fork)
        self.steps_done = lambda: 0   # the core's step count, for attributing output
        self.started = time.perf_counter()
        self.call = None         # the entry call's outcome for the end frame (trace_mode)
        self.peak_floor = 0      # the run's peak before the entry call reset the high-water mark to measure its own
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self.in_child)

    def flush(self):
        frames = []
        pend = self.pend
        n = len(pend)
        if n:
            lst = pend[:]
            pend.clear()
            lst[-1] = with_perf(lst[-1], self.perf())
            steps_frames(lst, self.sent, frames)
        if self.outs:
            for stream, text, step in self.outs:
                for piece in out_chunks(text):
                    frames.append(J({"t": "output", "stream": stream, "text": piece, "step": step}).encode("utf-8", "replace"))
            self.outs.clear()
        if frames:
            self.chan.send_frames(frames)
            self.sent += n
        self.last_flush = time.monotonic()

    def finish(self, status, error=None):
        if self.forked:
            child_exit(status, error)
        if self.end_output is not None:
            self.end_output()
        try:
            self.flush()
        except OverflowError as e:
            status, error = "error", {"type": "TracerLimit", "message": str(e), "line": 0}
        self.chan.end(status, self.sent, error, max(peak_rss_kb(), self.peak_floor), self.call)
        os._exit(0)

    def perf(self):
        """A step's `perf` sample as JSON text: ms since the job started, resident memory now."""
        return '{"ms":%.3f,"memKb":%d}' % ((time.perf_counter() - self.started) * 1000, rss_kb())

    def in_child(self):
        # The child shares the parent's frame descriptor: its steps and frames would
        # interleave with the parent's. It runs on untraced, its output to stderr.
        self.forked = True
        for off in self.trace_off:
            off()
        self.pend.clear()
        self.outs.clear()
        try:
            os.close(self.chan.fd)
        except OSError:
            pass

    def out_text(self, stream, text):
        if not text:
            return
        if self.forked:
            # the runner caps what reaches stderr: more than the cap is over it, whatever it holds
            os.write(2, text[:self.max_out + 1].encode("utf-8", "replace"))
            return
        text, n, over = cap_text(text, self.max_out - self.out_bytes)
        self.out_bytes += n
        if text:
            step = self.steps_done() - 1
            outs = self.outs
            if outs and outs[-1][0] == stream and outs[-1][2] == step:
                outs[-1][1] += text
            else:
                outs.append([stream, text, step])
        if over:
            self.finish("output_limit")
        # Written at once, with the steps before it: the next native call may crash the
        # process (ctypes), and what the program printed before must reach the runner.
        self.flush()


def child_exit(status, error):
    if error is not None:
        os.write(2, ("%s: %s\n" % (error.get("type"), error.get("message"))).encode("utf-8", "replace"))
    os._exit(0 if status == "ok" else 1)


def steps_frames(lst, first, frames):
    """The steps `lst` (JSON texts, the first of index `first`) as `steps` frames appended to `frames`."""
    text = '{"t":"steps","first":%d,"steps":[%s]}' % (first, ",".join(lst))
    data = text.encode("utf-8", "replace")
    if len(data) + 4 > MAX_FRAME:
        if len(lst) == 1:
            raise OverflowError("a single step's state exceeds the 1 MiB frame limit")
        h = len(lst) // 2
        rest = lst[h:]
        rest[0] = frame_start(lst, h)
        steps_frames(lst[:h], first, frames)
        steps_frames(rest, first + h, frames)
        return
    frames.append(data)


def with_perf(step, perf):
    """The step text `step` (a bare line, or [line, {...}]) with a `perf` field, unless it has one (a viz step)."""
    if step[0] != "[":
        return '[%s,{"perf":%s}]' % (step, perf)
    if '"perf":' in step:
        return step
    at = step.index("{") + 1
    return '%s"perf":%s%s%s' % (step[:at], perf, "" if step[at] == "}" else ",", step[at:])


def frame_start(lst, h):
    """lst[h] as the first step of a frame, which must name its fn and depth (rare: a split frame)."""
    e = json.loads(lst[h])
    if type(e) is int:
        e = [e, {}]
    if "depth" in e[1]:
        return lst[h]
    for j in range(h - 1, -1, -1):
        p = json.loads(lst[j])
        if type(p) is list and "depth" in p[1]:
            e[1]["fn"] = p[1]["fn"]
            e[1]["depth"] = p[1]["depth"]
            return J(e)
    raise AssertionError("a frame's first step names its fn and depth")
