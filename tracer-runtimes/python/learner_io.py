"""Stand-ins for the learner's stdio and input(), the output cap's cut, viz for the untraced modes (bench, grade), and error reports.

Shared by tracer.py, bench.py and grade.py; stdlib only. The classes are made per job because they
close over that job's output sink and stdin lines.
"""
import codecs
import sys

LEARNER = "<learner>"
OUT_CHUNK = 1 << 17         # characters per output frame: <= 768 KiB of JSON even if every one is a \u00XX escape
BIN_CHUNK = 1 << 16         # bytes of one binary write decoded at a time: a 50 MB write is never one 50 MB str


def cap_text(text, room):
    """(the longest prefix of text that fits in `room` UTF-8 bytes, its size, whether text was cut).

    A character is at least one byte, so text longer than `room` is over it whatever it holds: it is
    cut from its first `room` characters, and a 50 MB print costs no 50 MB encoded copy.
    """
    room = max(0, room)
    if len(text) <= room:
        n = len(text) if text.isascii() else len(text.encode("utf-8", "replace"))
        if n <= room:
            return text, n, False
    head = text[:room].encode("utf-8", "replace")[:room].decode("utf-8", "ignore")
    return head, room, True


def out_chunks(text):
    """text in pieces that each make an `output` frame under the 1 MiB frame cap."""
    if len(text) <= OUT_CHUNK:
        return (text,)
    return [text[k:k + OUT_CHUNK] for k in range(0, len(text), OUT_CHUNK)]


class _Output:
    """What sys.stdout, sys.stderr and their `buffer` share: a write-only stream that is no real file."""
    __module__ = "tracecast"
    __slots__ = ()
    closed = False
    what = "program"

    def writelines(self, lines):
        for x in lines:
            self.write(x)

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True

    def readable(self):
        return False

    def seekable(self):
        return False

    def fileno(self):
        raise OSError("the %s's output is not a real file" % self.what)


def make_stdio(out_text, stdin_lines, what):
    """Returns (Out, In, tc_input, end_output): sys.stdout/stderr and sys.stdin replacements, input(),
    and what to call once before the run's end frame (bytes of a character left incomplete by
    `buffer.write` become U+FFFD).

    out_text(stream, text) receives every write; `what` names the program in error messages.
    """
    binaries = []
    program = what

    class BinaryOut(_Output):
        """sys.stdout.buffer / sys.stderr.buffer: bytes decoded as UTF-8 with errors="replace", as a
        terminal shows them. The decoder is incremental, so a character split across two writes
        arrives whole."""
        __module__ = "tracecast"
        __slots__ = ("name", "dec")
        mode = "wb"
        what = program

        def __init__(self, name):
            self.name = name
            self.dec = codecs.getincrementaldecoder("utf-8")("replace")
            binaries.append(self)

        def write(self, b):
            try:
                mv = memoryview(b)
            except TypeError:
                raise TypeError("a bytes-like object is required, not '%s'" % type(b).__name__) from None
            if mv.format != "B" or mv.ndim != 1:
                mv = mv.cast("B") if mv.c_contiguous and mv.ndim else memoryview(mv.tobytes())
            n = len(mv)
            dec = self.dec.decode
            for k in range(0, n, BIN_CHUNK):
                out_text(self.name, dec(mv[k:k + BIN_CHUNK]))
            return n

        def end_char(self):
            # a text write (or the run's end) after bytes that began a character: they stay incomplete
            if self.dec.buffer:
                out_text(self.name, self.dec.decode(b"", True))

    class Out(_Output):
        __module__ = "tracecast"
        __slots__ = ("name", "_bin")
        encoding = "utf-8"
        errors = "strict"
        what = program

        def __init__(self, name):
            self.name = name
            self._bin = BinaryOut(name)

        @property
        def buffer(self):
            return self._bin

        def write(self, s):
            if not isinstance(s, str):
                raise TypeError("write() argument must be str, not %s" % type(s).__name__)
            self._bin.end_char()
            out_text(self.name, s)
            return len(s)


    stdin_pos = [0]

    class In:
        __module__ = "tracecast"
        encoding = "utf-8"
        closed = False

        def readline(self, size=-1):
            if stdin_pos[0] >= len(stdin_lines):
                return ""
            s = stdin_lines[stdin_pos[0]]
            stdin_pos[0] += 1
            return s + "\n"

        def read(self, size=-1):
            rest = stdin_lines[stdin_pos[0]:]
            stdin_pos[0] = len(stdin_lines)
            return "".join(s + "\n" for s in rest)

        def readlines(self, hint=-1):
            return list(iter(self.readline, ""))

        def __iter__(self):
            return iter(self.readline, "")

        def isatty(self):
            return False

        def readable(self):
            return True

        def fileno(self):
            raise OSError("the %s's input is not a real file" % what)

    def tc_input(prompt=""):
        if prompt != "":
            sys.stdout.write(str(prompt))
        if stdin_pos[0] >= len(stdin_lines):
            raise EOFError("EOF when reading a line")
        s = stdin_lines[stdin_pos[0]]
        stdin_pos[0] += 1
        return s

    def end_output():
        # once: out_text may end the run (the cap), and that end calls this again
        lst = binaries[:]
        binaries.clear()
        for b in lst:
            b.end_char()

    return Out, In, tc_input, end_output


def tb_line(e):
    """The last line of the learner's code in the exception's traceback (0 when none)."""
    line = 0
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == LEARNER:
            line = tb.tb_lineno or line
        tb = tb.tb_next
    return line


def exc_error(e, max_string):
    """The channel's error object for an exception raised in the learner's code."""
    try:
        msg = str(e)
    except BaseException:
        msg = "<unprintable %s>" % type(e).__name__
    return {"type": type(e).__name__, "message": msg[:max_string], "line": tb_line(e)}


def compile_learner(src):
    """(code, None), or (None, the `end` error) for a SyntaxError (IndentationError, TabError) or a NUL byte."""
    try:
        return compile(src, LEARNER, "exec", dont_inherit=True), None
    except (SyntaxError, ValueError) as e:
        err = {"type": type(e).__name__, "message": str(getattr(e, "msg", None) or e),
               "line": int(getattr(e, "lineno", None) or 0)}
        if getattr(e, "offset", None):
            err["column"] = int(e.offset)
        return None, err
