"""The C++ run's frames on their way out: viz records as Steps (one frame on the stack), output text attributed to
the step emitted before it, batches, the output cap and the 1 MiB frame limit."""
import time

from channel import MAX_FRAME, strict_dumps
from limits import READ_CHUNK

J = strict_dumps()


class StepWriter:
    """Frames not yet sent, in order: encoded steps (str) and outputs ([stream, text, step]). Text follows the steps
    emitted before it, so the whole queue goes out, in order, on each flush."""

    def __init__(self, chan, limits):
        self.chan = chan
        self.max_out = limits.max_out
        self.keyframe_every = limits.keyframe_every
        self.batch = limits.batch
        self.steps = 0          # steps emitted (queued or sent): the next step's index
        self.queue = []
        self.queued_steps = 0
        self.last_flush = time.monotonic()
        self.out_bytes = 0
        # The one frame a C++ trace has on its stack, and the heap ids of the last step (freed by the next).
        self.fn = None
        self.fid = 0
        self.live = []

    def send_steps(self, lst):
        data = ('{"t":"steps","steps":[' + ",".join(lst) + "]}").encode("utf-8", "replace")
        if len(data) + 4 > MAX_FRAME:
            if len(lst) == 1:
                raise OverflowError("a single step exceeds the 1 MiB frame limit")
            h = len(lst) // 2
            self.send_steps(lst[:h])
            self.send_steps(lst[h:])
            return
        self.chan.send_bytes(data)

    def flush(self):
        items = self.queue[:]
        self.queue.clear()
        self.queued_steps = 0
        run_ = []
        for it in items:
            if isinstance(it, str):
                run_.append(it)
                continue
            if run_:
                self.send_steps(run_)
                run_ = []
            stream, text, step = it
            self.chan.send(J({"t": "output", "stream": stream, "text": text, "step": step}))
        if run_:
            self.send_steps(run_)
        self.last_flush = time.monotonic()

    def out_text(self, stream, text):
        """Queues program output, cut at the output cap; True when the cap has been reached (the run ends)."""
        if not text:
            return False
        n = len(text) if text.isascii() else len(text.encode("utf-8", "replace"))
        over = self.out_bytes + n > self.max_out
        if over:
            room = max(0, self.max_out - self.out_bytes)
            text = text.encode("utf-8", "replace")[:room].decode("utf-8", "ignore")
            n = room
        self.out_bytes += n
        if text:
            step = self.steps - 1
            queue = self.queue
            last = queue[-1] if queue else None
            if (last is not None and not isinstance(last, str) and last[0] == stream and last[2] == step
                    and len(last[1]) < READ_CHUNK):   # bounded: an escaped frame stays far below 1 MiB
                last[1] += text
            else:
                queue.append([stream, text, step])
        return over

    def add_step(self, line, fn, vz, new):
        """Queues the next step for a validated viz record. A change of calling function pops the old frame and
        pushes a new one (a new id), so that TraceState's invariant holds: depth + 1 frames, the top one `fn`."""
        i = self.steps
        parts = ['{"i":%d,"ev":"viz","line":%d,"fn":%s,"depth":0' % (i, line, J(fn))]
        if i % self.keyframe_every == 0:
            if fn != self.fn:
                self.fid += 1
                self.fn = fn
            parts.append(',"kf":{"stack":[{"id":%d,"fn":%s,"vars":[]}],"heap":%s}'
                         % (self.fid, J(fn), J(new)))
        else:
            if fn != self.fn:
                self.fid += 1
                self.fn = fn
                parts.append(',"pop":1,"push":[{"id":%d,"fn":%s,"vars":[]}]' % (self.fid, J(fn)))
            if new:
                parts.append(',"new":' + J(new))
            if self.live:
                parts.append(',"free":' + J(self.live))
        self.live = [e[0] for e in new]
        parts.append(',"viz":' + J(vz) + "}")
        self.queue.append("".join(parts))
        self.queued_steps += 1
        self.steps = i + 1
        if i == 0 or self.queued_steps >= self.batch:   # the first step at once: a viewer's first paint
            self.flush()
