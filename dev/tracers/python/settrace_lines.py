#!/usr/bin/env python3
"""Reference line semantics: what a plain sys.settrace hook reports for a program.

Reads a Python program on stdin, compiles it with filename "<learner>" exactly as
tracer.py does, runs it under a plain sys.settrace call/line/return/exception
hook restricted to the learner's code objects, and prints a JSON list of
[event, line, function] triples on stdout.

Events are settrace's own, with one annotation so the comparison can be exact:
a "return" that settrace reports for a frame being unwound by an exception (not
a real return or yield) is printed as "unwind". Use --raw to print settrace's
events verbatim.

The program's own output goes to stderr; input() sees an empty stdin (EOFError).
Stdlib only; runs on any Python 3.8+.

    python3 settrace_lines.py < line-corpus/02_binary_search.py
"""
import dis
import io
import json
import sys

LEARNER = "<learner>"
NORMAL_EXIT_OPS = {
    dis.opmap[name]
    for name in ("RETURN_VALUE", "RETURN_CONST", "YIELD_VALUE", "INSTRUMENTED_RETURN_VALUE",
                 "INSTRUMENTED_RETURN_CONST", "INSTRUMENTED_YIELD_VALUE")
    if name in dis.opmap
}
RESUME = dis.opmap.get("RESUME", -1)


def trace_program(src, raw=False):
    code = compile(src, LEARNER, "exec")
    events = []
    add = events.append

    def local(frame, event, arg):
        name = frame.f_code.co_name
        if event == "return" and not raw:
            # settrace reports frames unwound by an exception as "return" with None;
            # a real return/yield sits on a RETURN_*/YIELD_VALUE instruction.
            co = frame.f_code.co_code
            lasti = frame.f_lasti
            if not (0 <= lasti < len(co)) or not (
                    co[lasti] in NORMAL_EXIT_OPS
                    # 3.13: at a yield, f_lasti already points at the RESUME after YIELD_VALUE
                    or (co[lasti] == RESUME and lasti >= 2 and co[lasti - 2] in NORMAL_EXIT_OPS)):
                event = "unwind"
        add([event, frame.f_lineno, name])
        return local

    def glob(frame, event, arg):
        if frame.f_code.co_filename != LEARNER:
            return None
        return local(frame, event, arg)

    g = {"__name__": "__main__", "__builtins__": __builtins__}
    old_out, old_in = sys.stdout, sys.stdin
    sys.stdout, sys.stdin = sys.stderr, io.StringIO("")
    sys.settrace(glob)
    try:
        exec(code, g)
    except BaseException as e:  # the program's own uncaught error is part of the trace
        print("uncaught %s: %s" % (type(e).__name__, e), file=sys.stderr)
    finally:
        sys.settrace(None)
        sys.stdout, sys.stdin = old_out, old_in
    return events


def main():
    raw = "--raw" in sys.argv[1:]
    src = sys.stdin.read()
    print(json.dumps(trace_program(src, raw)))


if __name__ == "__main__":
    main()
