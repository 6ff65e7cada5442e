"""Bench mode's counting pass: executed lines of the learner's code and the share of time inside built-in calls
(bench.py's docstring, "Counting"). sys.monitoring local events on the learner's code objects (LINE, same-line
backward JUMP, CALL / C_RETURN / C_RAISE, the learner's frames inside built-ins), or settrace/setprofile before 3.12.
"""
import os
import sys

LEARNER = "<learner>"


def learner_codes(code):
    out = []
    todo = [code]
    CodeType = type(code)
    while todo:
        c = todo.pop()
        if c.co_filename != LEARNER:
            continue
        out.append(c)
        for k in c.co_consts:
            if type(k) is CodeType:
                todo.append(k)
    return out


def _line_table(code):
    """Line of every code unit (offset >> 1) of `code`; -1 where there is none."""
    n = len(code.co_code) >> 1
    tab = [-1] * (n + 1)
    for start, end, line in code.co_lines():
        if line is None:
            continue
        for k in range(start >> 1, min(end >> 1, n)):
            tab[k] = line
    return tab


def make_counter(codes, now):
    """A counter over the learner's code objects: (start(), stop() -> (ops, builtin_ns))."""
    if sys.version_info >= (3, 12) and hasattr(sys, "monitoring") and not os.environ.get("TRACECAST_SETTRACE"):
        try:
            return _monitoring_counter(codes, now)
        except Exception:
            pass
    return _settrace_counter(codes, now)


def _monitoring_counter(codes, now):
    from types import FunctionType, MethodType
    mon = sys.monitoring
    E = mon.events
    DISABLE = mon.DISABLE
    tool = None
    for t in (mon.PROFILER_ID, 3, 4, 5, mon.DEBUGGER_ID, mon.COVERAGE_ID):
        if mon.get_tool(t) is None:
            tool = t
            break
    if tool is None:
        raise RuntimeError("no free sys.monitoring tool id")
    mon.use_tool_id(tool, "tracecast-bench")

    learner_ids = {id(c) for c in codes}
    line_tabs = {}
    PYM = object()      # a learner frame running inside a built-in call
    st = []             # built-in callables (outermost first) and PYM markers
    ops = 0
    acc = 0             # ns inside built-ins
    seg = 0             # start of the current built-in interval

    def on_line(code, line):
        nonlocal ops
        ops += 1

    def on_jump(code, src, dst):
        nonlocal ops
        if dst > src:
            return DISABLE
        key = id(code)
        tab = line_tabs.get(key)
        if tab is None:
            if key not in learner_ids:
                return DISABLE
            tab = line_tabs[key] = _line_table(code)
        i = src >> 1
        j = dst >> 1
        ls = tab[i] if i < len(tab) else -1
        if ls < 0 or j >= len(tab) or tab[j] != ls:
            return DISABLE
        ops += 1

    def on_call(code, off, fn, arg0):
        nonlocal seg
        t = type(fn)
        if t is FunctionType or (t is MethodType and type(fn.__func__) is FunctionType):
            return
        if not st or st[-1] is PYM:
            seg = now()
        st.append(fn)

    def on_c_end(code, off, fn, arg0):
        nonlocal acc
        if st and st[-1] is fn:
            st.pop()
            acc += now() - seg
            return
        for k in range(len(st) - 1, -1, -1):    # unbalanced (should not happen): resync
            if st[k] is fn:
                del st[k:]
                return

    def on_enter(code, off):
        nonlocal acc
        if st:
            if st[-1] is not PYM:
                acc += now() - seg
            st.append(PYM)

    def on_leave(code, off, value):
        nonlocal seg
        if st and st[-1] is PYM:
            st.pop()
            if st and st[-1] is not PYM:
                seg = now()

    def on_throw(code, off, exc):
        if id(code) in learner_ids:
            on_enter(code, off)

    def on_unwind(code, off, exc):
        if id(code) in learner_ids:
            on_leave(code, off, None)

    reg = mon.register_callback
    reg(tool, E.LINE, on_line)
    reg(tool, E.JUMP, on_jump)
    reg(tool, E.CALL, on_call)
    reg(tool, E.C_RETURN, on_c_end)
    reg(tool, E.C_RAISE, on_c_end)
    reg(tool, E.PY_START, on_enter)
    reg(tool, E.PY_RESUME, on_enter)
    reg(tool, E.PY_RETURN, on_leave)
    reg(tool, E.PY_YIELD, on_leave)
    reg(tool, E.PY_THROW, on_throw)
    reg(tool, E.PY_UNWIND, on_unwind)
    local = (E.LINE | E.JUMP | E.CALL | E.C_RETURN | E.C_RAISE | E.PY_START | E.PY_RESUME
             | E.PY_RETURN | E.PY_YIELD)

    def start():
        nonlocal ops, acc
        ops = 0
        acc = 0
        st.clear()
        for c in codes:
            mon.set_local_events(tool, c, local)
        mon.set_events(tool, E.PY_THROW | E.PY_UNWIND)

    def stop():
        mon.set_events(tool, 0)
        for c in codes:
            mon.set_local_events(tool, c, 0)
        st.clear()
        return ops, acc

    return start, stop


def _settrace_counter(codes, now):
    PYM = object()
    st = []
    ops = 0
    acc = 0
    seg = 0

    def local(frame, event, arg):
        nonlocal ops
        if event == "line":
            ops += 1
        return local

    def glob(frame, event, arg):
        if frame.f_code.co_filename != LEARNER:
            return None
        return local

    def prof(frame, event, arg):
        nonlocal acc, seg
        if frame.f_code.co_filename != LEARNER:
            return
        if event == "c_call":
            if not st or st[-1] is PYM:
                seg = now()
            st.append(arg)
        elif event == "c_return" or event == "c_exception":
            if st and st[-1] is arg:
                st.pop()
                acc += now() - seg
            else:
                for k in range(len(st) - 1, -1, -1):
                    if st[k] is arg:
                        del st[k:]
                        break
        elif event == "call":
            if st:
                if st[-1] is not PYM:
                    acc += now() - seg
                st.append(PYM)
        elif event == "return":
            if st and st[-1] is PYM:
                st.pop()
                if st and st[-1] is not PYM:
                    seg = now()

    def start():
        nonlocal ops, acc
        ops = 0
        acc = 0
        st.clear()
        sys.setprofile(prof)
        sys.settrace(glob)

    def stop():
        sys.settrace(None)
        sys.setprofile(None)
        st.clear()
        return ops, acc

    return start, stop
