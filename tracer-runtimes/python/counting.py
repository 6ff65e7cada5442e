"""Bench mode's counting pass: executed lines of the learner's code, the work of the built-in calls it knows the cost
of, and the share of time inside the other built-in calls (bench.py's docstring, "Counting"). sys.monitoring local
events on the learner's code objects (LINE, same-line backward JUMP, CALL / C_RETURN / C_RAISE, the learner's frames
inside built-ins), or settrace/setprofile before 3.12 (lines and the built-in share only).
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


# What a built-in call costs, by the size of the collection it is handed (a CALL event's arg0: the first argument,
# or `self` of a method): the work the line count cannot see. Only calls whose cost that one argument decides are
# here: `sep.join(parts)` is handed `sep`, so join is not; neither are operators (`x in lst`), which make no call.
ONE, LEN, LOG, NLOGN, POP = range(5)


def _cost_table():
    import bisect
    import collections
    import heapq
    table = {
        sorted: NLOGN, list.sort: NLOGN,
        bisect.bisect_left: LOG, bisect.bisect_right: LOG, heapq.heappush: LOG, heapq.heappop: LOG,
        heapq.heappushpop: LOG, heapq.heapreplace: LOG,
        bisect.insort_left: LEN, bisect.insort_right: LEN, heapq.heapify: LEN,
        sum: LEN, min: LEN, max: LEN, any: LEN, all: LEN, set: LEN, frozenset: LEN, list: LEN, tuple: LEN,
        dict: LEN, len: ONE,
        # Constant work, or lazy (the learner's own code they drive is counted line by line).
        reversed: ONE, range: ONE, enumerate: ONE, zip: ONE, map: ONE, filter: ONE, iter: ONE, next: ONE,
        str: ONE, int: ONE, float: ONE, bool: ONE, abs: ONE, round: ONE, divmod: ONE, ord: ONE, chr: ONE,
        isinstance: ONE, hash: ONE,
        list.index: LEN, list.count: LEN, list.remove: LEN, list.copy: LEN, list.reverse: LEN, list.insert: LEN,
        list.pop: POP, list.append: ONE, list.clear: LEN,
        dict.get: ONE, dict.setdefault: ONE, dict.pop: ONE, dict.keys: ONE, dict.values: ONE, dict.items: ONE,
        dict.copy: LEN, set.add: ONE, set.discard: ONE, set.remove: ONE, set.copy: LEN,
        str.count: LEN, str.find: LEN, str.index: LEN, str.replace: LEN, str.split: LEN, str.upper: LEN,
        str.lower: LEN, str.strip: LEN, str.startswith: ONE, str.endswith: ONE,
        collections.deque.append: ONE, collections.deque.appendleft: ONE, collections.deque.pop: ONE,
        collections.deque.popleft: ONE,
    }
    return table


def _cost(kind, code, off, arg0):
    """The work of one call beyond the line that makes it (which the line count has): None when its size cannot be
    told (the call then counts as unseen)."""
    if kind == ONE:
        return 0
    try:
        n = len(arg0)
    except Exception:
        return None
    if kind == LEN:
        return n
    if kind == LOG:
        return n.bit_length()
    if kind == NLOGN:
        return n * n.bit_length()
    # list.pop: pop() takes the last item, pop(i) moves what follows i (at most the whole list); the CALL's
    # argument count is the byte after its opcode.
    return n if code.co_code[off + 1] else 0


def _name(fn):
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or type(fn).__name__


def make_counter(codes, now):
    """A counter over the learner's code objects: (start(), stop() -> (ops, unseen_ns, seen)); seen: the names of
    the built-ins whose work `ops` includes, and the others' time by name ({"charged": [...], "unseen": {name: ns}})."""
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
    costs = _cost_table()
    PYM = object()      # a learner frame running inside a built-in call
    st = []             # (built-in callable, its work counted) pairs, outermost first, and PYM markers
    ops = 0
    acc = 0             # ns inside built-ins whose work is not counted
    seg = 0             # start of the current built-in interval
    charged = set()     # names of the built-ins whose work is in `ops`
    unseen = {}         # ns by name of the others

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
        nonlocal seg, ops
        t = type(fn)
        if t is FunctionType or (t is MethodType and type(fn.__func__) is FunctionType):
            return
        try:
            kind = costs.get(fn)
        except TypeError:       # an unhashable callable object
            kind = None
        cost = None if kind is None else _cost(kind, code, off, arg0)
        if cost is not None:
            ops += cost
            charged.add(_name(fn))
        if not st or st[-1] is PYM:
            seg = now()
        st.append((fn, cost is not None))

    def close_interval(top):
        """The built-in interval of `top` ends now: its time is unseen work unless its cost was counted."""
        nonlocal acc
        if top[1]:
            return
        dt = now() - seg
        acc += dt
        name = _name(top[0])
        unseen[name] = unseen.get(name, 0) + dt

    def on_c_end(code, off, fn, arg0):
        if st and st[-1] is not PYM and st[-1][0] is fn:
            close_interval(st.pop())
            return
        for k in range(len(st) - 1, -1, -1):    # unbalanced (should not happen): resync
            if st[k] is not PYM and st[k][0] is fn:
                del st[k:]
                return

    def on_enter(code, off):
        if st:
            if st[-1] is not PYM:
                close_interval(st[-1])
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
        charged.clear()
        unseen.clear()
        for c in codes:
            mon.set_local_events(tool, c, local)
        mon.set_events(tool, E.PY_THROW | E.PY_UNWIND)

    def stop():
        mon.set_events(tool, 0)
        for c in codes:
            mon.set_local_events(tool, c, 0)
        st.clear()
        return ops, acc, {"charged": sorted(charged), "unseen": dict(unseen)}

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
        return ops, acc, None

    return start, stop
