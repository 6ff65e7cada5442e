"""The sys.settrace backend, for Pythons before 3.12 (or TRACECAST_SETTRACE=1): the same core handlers, fed by a
global call hook and a local line/return/exception hook. A RecursionError raised by the hook turns CPython's tracing
off; it is turned back on at the next profile event (README.md, "Notes for the consumer").
"""
import sys

LEARNER = "<learner>"


def trace(core, CIS, internal, finish, run_learner, trace_off, hold_module=False):
    """Runs run_learner() with the learner's code traced; trace_off gets the function that stops it (fork).
    hold_module: the module's return is not an event (trace mode's entry call runs above its frame, then returns it)."""
    _getframe = sys._getframe
    on_call, on_return, on_raise, on_unwind, line_at = (
        core.on_call, core.on_return, core.on_raise, core.on_unwind, core.line_at)
    if hold_module:
        core_return = on_return

        def on_return(f, ci, line, value):
            if not ci.is_module:
                core_return(f, ci, line, value)
    import dis as _d
    RET_OPS = {_d.opmap[n] for n in ("RETURN_VALUE", "RETURN_CONST", "YIELD_VALUE") if n in _d.opmap}
    RESUME_OP = _d.opmap.get("RESUME", -1)
    reinstall = [False]

    def st_local(f, event, arg):
        try:
            if event == "line":
                line_at(f, f.f_lasti, f.f_lineno)
            elif event == "return":
                ci = CIS.get(id(f.f_code))
                ops = ci.ops
                if ops is None:
                    ops = ci.ops = f.f_code.co_code
                la = f.f_lasti
                op = ops[la] if 0 <= la < len(ops) else -1
                if op in RET_OPS or (op == RESUME_OP and la >= 2 and ops[la - 2] in RET_OPS):
                    on_return(f, ci, f.f_lineno, arg)
                else:
                    on_unwind(f)
            elif event == "exception":
                on_raise(f, CIS.get(id(f.f_code)), f.f_lineno, arg[1])
        except RecursionError:
            raise
        except Exception as e:
            internal(e)
        return st_local

    def st_global(f, event, arg):
        code = f.f_code
        if code.co_filename != LEARNER:
            return None
        ci = CIS.get(id(code))
        if ci is None:
            return None
        try:
            on_call(f, ci, f.f_lineno, f.f_lasti >= 0, f.f_lasti)
        except RecursionError:
            # sys.settrace turns tracing off when the hook raises: turn it back on
            # at the next profile event.
            reinstall[0] = True
            sys.setprofile(st_profile)
            raise
        except Exception as e:
            internal(e)
        return st_local

    def st_profile(f, event, arg):
        if reinstall[0]:
            reinstall[0] = False
            sys.settrace(st_global)
            sys.setprofile(None)

    def st_off():
        sys.settrace(None)
        sys.setprofile(None)
        f = _getframe(1)
        while f is not None:
            f.f_trace = None     # frames already traced keep their local hook otherwise
            f = f.f_back
    trace_off.append(st_off)

    sys.settrace(st_global)
    try:
        run_learner()
    finally:
        sys.settrace(None)
        sys.setprofile(None)

