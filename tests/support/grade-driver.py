"""Test driver for grade mode (tracer-runtimes/python/grade.py) without tracer.py's dispatch.

    docker run --rm -i --network none --user 10001 \\
      -v <repo>/tracer-runtimes/python:/opt/tracecast:ro -v <repo>/tests/support:/drv:ro \\
      tracecast/base:latest python3 /drv/grade-driver.py < jobs.json

stdin: one JSON document, a job object or an array of jobs. Each job runs in a forked
child (grade.main ends the process with os._exit), one after the other; frames go to
stdout as in the sandbox (4-byte big-endian length + JSON). A child that dies without
an `end` frame is reported by a synthetic `end` with error type "DriverCrash".
"""
import json
import os
import struct
import sys

sys.path.insert(0, "/opt/tracecast")
import grade  # noqa: E402


class Channel:
    """Like tracer.py's Channel: frames on a private dup of fd 1, fd 1 pointed at fd 2."""

    def __init__(self):
        self.fd = os.dup(1)
        os.dup2(2, 1)

    def send(self, text):
        self.send_bytes(text.encode("utf-8", "replace"))

    def send_bytes(self, data):
        buf = memoryview(struct.pack(">I", len(data)) + data)
        while buf:
            n = os.write(self.fd, buf)
            buf = buf[n:]


def emit(obj):
    data = json.dumps(obj).encode()
    os.write(1, struct.pack(">I", len(data)) + data)


def main():
    doc = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    jobs = doc if isinstance(doc, list) else [doc]
    for job in jobs:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            os.dup2(w, 1)       # the child's frames go to the pipe; the parent relays them
            os.close(w)
            try:
                grade.main(job, Channel())
            finally:
                os._exit(70)
        os.close(w)
        data = b""
        while True:
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            data += chunk
        os.close(r)
        _, st = os.waitpid(pid, 0)
        os.write(1, data)
        # was the last frame an `end`?
        ended = False
        off = 0
        last = None
        while off + 4 <= len(data):
            n = struct.unpack(">I", data[off:off + 4])[0]
            last = data[off + 4:off + 4 + n]
            off += 4 + n
        if last is not None:
            try:
                ended = json.loads(last).get("t") == "end"
            except ValueError:
                ended = False
        if not ended:
            emit({"t": "end", "status": "error", "steps": 0, "peakRssKb": 0,
                  "error": {"type": "DriverCrash", "message": "grade.main exited (status %d) without an end frame" % st,
                            "line": 0}})


if __name__ == "__main__":
    main()
