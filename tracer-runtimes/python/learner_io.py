"""Stand-ins for the learner's stdio, input() and viz in the untraced modes (bench, grade), and error reports.

Shared by bench.py and grade.py; stdlib only. The classes are made per job because they
close over that job's output sink and stdin lines.
"""
import sys

LEARNER = "<learner>"


def make_stdio(out_text, stdin_lines, what):
    """Returns (Out, In, tc_input): sys.stdout/stderr and sys.stdin replacements and input().

    out_text(stream, text) receives every write; `what` names the program in error messages.
    """
    class Out:
        __module__ = "tracecast"
        encoding = "utf-8"
        errors = "strict"
        closed = False

        def __init__(self, name):
            self.name = name

        def write(self, s):
            if not isinstance(s, str):
                raise TypeError("write() argument must be str, not %s" % type(s).__name__)
            out_text(self.name, s)
            return len(s)

        def writelines(self, lines):
            for s in lines:
                self.write(s)

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
            raise OSError("the %s's output is not a real file" % what)

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

    return Out, In, tc_input


# viz calls are accepted and ignored, so a program written for trace mode still runs
class VizArray:
    __module__ = "tracecast"
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def select(self, i, j=None):
        pass

    def deselect(self, i, j=None):
        pass

    def patch(self, index, value):
        pass

    def depatch(self, index):
        pass

class Viz:
    __module__ = "tracecast"
    __slots__ = ()

    def __repr__(self):
        return "viz"

    def step(self, label, data=None):
        pass

    def array(self, name, values=()):
        return VizArray(name if isinstance(name, str) else str(name))

    def note(self, text):
        pass


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
