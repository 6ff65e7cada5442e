"""The frame channel of ../CHANNEL.md as the Python runtimes write it: trace, bench and grade mode, and the C++ runner.

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON. Stdlib only.
"""
import os
import struct

MAX_FRAME = 1 << 20
_pack = struct.Struct(">I").pack


class Channel:
    """Frames on a private copy of fd 1; fd 1 then points at fd 2, so the learner's raw writes (os.write(1, ..),
    child processes) land on stderr and never in the frame stream."""
    __module__ = "tracecast"

    def __init__(self):
        self.fd = os.dup(1)
        os.dup2(2, 1)

    def send(self, text):
        self.send_bytes(text.encode("utf-8", "replace"))

    def send_bytes(self, data):
        self.write(_pack(len(data)) + data)

    def send_frames(self, datas):
        """Several encoded frames in one write."""
        self.write(b"".join([_pack(len(d)) + d for d in datas]))

    def write(self, raw):
        buf = memoryview(raw)
        fd = self.fd
        while buf:
            n = os.write(fd, buf)
            buf = buf[n:]

    def end(self, status, steps=0, error=None, peak_kb=None, call=None):
        """The `end` frame (the run's last); the process exits after it."""
        self.send(end_frame(status, steps, error, peak_kb, call))


def end_frame(status, steps=0, error=None, peak_kb=None, call=None):
    """The text of an `end` frame: for any writer with a send(text) (CHANNEL.md, "Other modes": bench and grade get the
    tracer's channel, or a test's). `call`: trace mode's entry call (its time, memory and result)."""
    end = {"t": "end", "status": status, "steps": steps}
    if error is not None:
        end["error"] = error
    end["peakRssKb"] = peak_rss_kb() if peak_kb is None else peak_kb
    if call is not None:
        end["call"] = call
    return J(end)


def _json_encoder():
    # The C encoder called directly: json.dumps costs ~1 µs a call in its Python layers, which the trace mode pays on
    # every rare step it encodes this way.
    import json
    try:
        from json.encoder import c_make_encoder, encode_basestring
    except ImportError:  # pragma: no cover
        c_make_encoder = None
    if c_make_encoder is not None:
        try:
            enc = c_make_encoder(None, str, encode_basestring, None, ":", ",", False, False, True)
            join = "".join
            enc({"a": [1, "x"]}, 0)

            def J(obj):
                return join(enc(obj, 0))
            return J
        except Exception:
            pass
    dumps = json.dumps

    def J(obj):  # pragma: no cover
        return dumps(obj, separators=(",", ":"), ensure_ascii=False, default=str)
    return J


J = _json_encoder()
try:
    from json.encoder import encode_basestring as EBS   # a str as JSON text; C implementation when _json is present
except ImportError:  # pragma: no cover
    def EBS(s):
        return J(s)


def strict_dumps():
    """A JSON encoder that refuses NaN and infinities (they are no JSON): what bench, grade and C++ frames use."""
    import json
    return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def peak_rss_kb():
    # VmHWM is this process image's own peak; getrusage's ru_maxrss can include the
    # high-water mark inherited from a forking parent.
    try:
        with open("/proc/self/status") as fh:
            for ln in fh:
                if ln.startswith("VmHWM:"):
                    return int(ln.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    except Exception:
        return 0


def reset_peak_rss():
    """Resets VmHWM to the current resident size (Linux >= 4.0), so that the next peak_rss_kb() is the peak of what
    runs from now on; False when refused."""
    try:
        fd = os.open("/proc/self/clear_refs", os.O_WRONLY)
    except OSError:
        return False
    try:
        os.write(fd, b"5")
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


def rss_kb():
    """The resident memory now (VmRSS), from /proc/self/statm; 0 when it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0


def read_line(fd=0):
    """Bytes up to a newline or end of file: the runner writes the job as one line, and in a reusable container
    stdin stays open for the supervisor, so nothing past the newline may be read."""
    raw = b""
    try:
        while not raw.endswith(b"\n"):
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            raw += chunk
    except OSError:
        pass
    return raw
