"""The sys.monitoring backend (Python >= 3.12): the learner's code objects get local events, RAISE / PY_UNWIND /
PY_THROW global ones (README.md, "Events"). The LINE callback is the core's m_line; the others, here, hand their
event to the core's handlers. JUMP emulates sys.settrace's one extra line rule: a backward jump to the same line is a
line event.
"""
import sys


def trace(core, CIS, internal, finish, run_learner, trace_off, hold_module=False):
    """Runs run_learner() with the learner's code traced; trace_off gets the function that stops it (fork).
    hold_module: the module's return is not an event (trace mode's entry call runs above its frame, then returns it)."""
    mon = sys.monitoring
    E = mon.events
    DISABLE = mon.DISABLE
    tool = None
    for t_ in (mon.DEBUGGER_ID, 3, 4, mon.PROFILER_ID, mon.COVERAGE_ID):
        if mon.get_tool(t_) is None:
            tool = t_
            break
    if tool is None:
        finish("error", {"type": "TracerError", "message": "no free sys.monitoring tool id", "line": 0})
    mon.use_tool_id(tool, "tracecast")
    cis_get = CIS.get
    _getframe = sys._getframe
    on_call, on_return, on_raise, on_unwind, line_at = (
        core.on_call, core.on_return, core.on_raise, core.on_unwind, core.line_at)

    def m_start(code, off):
        try:
            ci = cis_get(id(code))
            if ci is None:
                return DISABLE
            on_call(_getframe(1), ci, ci.lines[off >> 1], False, off)
        except RecursionError:
            raise
        except Exception as e:
            internal(e)

    def m_resume(code, off):
        try:
            ci = cis_get(id(code))
            if ci is None:
                return DISABLE
            on_call(_getframe(1), ci, ci.lines[off >> 1], True, off)
        except RecursionError:
            raise
        except Exception as e:
            internal(e)

    def m_return(code, off, value):
        try:
            ci = cis_get(id(code))
            if ci is None:
                return DISABLE
            on_return(_getframe(1), ci, ci.lines[off >> 1], value)
        except Exception as e:
            internal(e)

    def m_jump(code, src_off, dst):
        # sys.settrace reports a line event for every backward jump, even to the
        # same line (LINE does not fire then). Emulate exactly that; disable the
        # event at every other jump location so it costs nothing afterwards.
        try:
            if dst > src_off:
                return DISABLE
            ci = cis_get(id(code))
            if ci is None:
                return DISABLE
            lines = ci.lines
            to_line = lines[dst >> 1]
            if to_line != lines[src_off >> 1]:
                return DISABLE
            if to_line < 0:
                return None
            line_at(_getframe(1), dst, to_line)
        except Exception as e:
            internal(e)

    def m_raise(code, off, exc):
        ci = cis_get(id(code))
        if ci is None:
            return
        try:
            on_raise(_getframe(1), ci, ci.lines[off >> 1], exc)
        except Exception as e:
            internal(e)

    def m_unwind(code, off, exc):
        if cis_get(id(code)) is None:
            return
        try:
            on_unwind(_getframe(1))
        except Exception as e:
            internal(e)

    def m_throw(code, off, exc):
        ci = cis_get(id(code))
        if ci is None:
            return
        try:
            on_call(_getframe(1), ci, ci.lines[off >> 1], True, off)
        except RecursionError:
            raise
        except Exception as e:
            internal(e)

    callbacks = ((E.PY_START, m_start), (E.PY_RESUME, m_resume), (E.PY_RETURN, m_return), (E.PY_YIELD, m_return),
                 (E.LINE, core.m_line), (E.JUMP, m_jump), (E.RAISE, m_raise), (E.PY_UNWIND, m_unwind),
                 (E.PY_THROW, m_throw))
    for ev, cb in callbacks:
        mon.register_callback(tool, ev, cb)
    local = E.PY_START | E.PY_RESUME | E.PY_RETURN | E.PY_YIELD | E.LINE | E.JUMP
    for ci in CIS.values():
        mon.set_local_events(tool, ci.code, local & ~E.PY_RETURN if hold_module and ci.is_module else local)
    mon.set_events(tool, E.RAISE | E.PY_UNWIND | E.PY_THROW)

    def mon_off():
        mon.set_events(tool, 0)
        for ci in CIS.values():
            mon.set_local_events(tool, ci.code, 0)
    trace_off.append(mon_off)
    try:
        run_learner()
    finally:
        mon_off()
        mon.free_tool_id(tool)
