"""What the learner's code between two events (a segment) may change, found once per (code object, offset) by reading
its bytecode with dis: the names it stores, the objects it mutates, what it calls (README.md, "Change detection").

This is where sys.monitoring's and settrace's line semantics meet the tracer's change detection: a segment is the code
one LINE (or backward JUMP) event leads to. Cold: each segment is analysed once and its Meta cached on its CodeInfo.
"""
import sys

from channel import J


_dis = None


def get_dis():
    global _dis
    if _dis is None:
        try:
            import dis as d
            _dis = d
        except Exception:  # pragma: no cover - dis missing: every segment is treated as "anything may change"
            _dis = False
    return _dis


LOCAL_STORE_OPS = {"STORE_FAST", "DELETE_FAST", "LOAD_FAST_AND_CLEAR", "STORE_FAST_MAYBE_NULL",
                   "STORE_NAME", "DELETE_NAME"}
DEREF_STORE_OPS = {"STORE_DEREF", "DELETE_DEREF"}
GLOBAL_STORE_OPS = {"STORE_GLOBAL", "DELETE_GLOBAL"}
NB_INPLACE_FIRST = 13      # BINARY_OP opargs >= 13 are the in-place forms (+=, -=, ...)
PY312 = sys.version_info >= (3, 12)
PY313 = sys.version_info >= (3, 13)
EXC_PATH_OPS = {"RERAISE", "PUSH_EXC_INFO", "POP_EXCEPT", "CHECK_EXC_MATCH", "CHECK_EG_MATCH",
                "WITH_EXCEPT_START", "CLEANUP_THROW", "RAISE_VARARGS", "END_FOR", "END_SEND", "POP_ITER",
                "RETURN_GENERATOR", "END_ASYNC_FOR", "CALL_INTRINSIC_1_STOPITERATION_ERROR"}

# Symbolic stack entries used by the segment analysis (tuples):
#   ("l", name) local / cell   ("g", name) global   ("n", name) LOAD_NAME   ("c", value) constant
#   ("a", base, attr) attribute   ("s", base, key) subscript   ("m", base, name) bound method
#   ("null",) / ("self",) call-protocol fillers   ("u",) anything else
U = ("u",)
_PUSH1_U = {"LOAD_BUILD_CLASS", "LOAD_ASSERTION_ERROR", "LOAD_LOCALS", "PUSH_EXC_INFO", "GET_LEN",
            "MATCH_MAPPING", "MATCH_SEQUENCE", "LOAD_SPECIAL_METHOD"}
_POP1_PUSH1 = {"UNARY_NEGATIVE", "UNARY_NOT", "UNARY_INVERT", "UNARY_POSITIVE", "TO_BOOL", "GET_ITER",
               "FORMAT_SIMPLE", "CONVERT_VALUE", "LIST_TO_TUPLE", "YIELD_VALUE",
               "GET_YIELD_FROM_ITER", "LOAD_FROM_DICT_OR_DEREF", "LOAD_FROM_DICT_OR_GLOBALS"}
_POP2_PUSH1 = {"COMPARE_OP", "CONTAINS_OP", "IS_OP", "FORMAT_WITH_SPEC", "SET_FUNCTION_ATTRIBUTE"}
_POP1 = {"POP_TOP", "STORE_FAST", "STORE_NAME", "STORE_GLOBAL", "STORE_DEREF", "LIST_EXTEND",
         "SET_UPDATE", "DICT_UPDATE", "DICT_MERGE", "LIST_APPEND", "SET_ADD", "RETURN_VALUE",
         "POP_JUMP_IF_FALSE", "POP_JUMP_IF_TRUE", "POP_JUMP_IF_NONE", "POP_JUMP_IF_NOT_NONE",
         "POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_BACKWARD_IF_FALSE",
         "POP_JUMP_BACKWARD_IF_TRUE", "POP_JUMP_FORWARD_IF_NONE", "POP_JUMP_FORWARD_IF_NOT_NONE",
         "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE", "STORE_FAST_MAYBE_NULL"}
_NOSTACK = {"NOP", "RESUME", "CACHE", "EXTENDED_ARG", "KW_NAMES", "PRECALL", "COPY_FREE_VARS",
            "MAKE_CELL", "DELETE_FAST", "DELETE_NAME", "DELETE_GLOBAL", "DELETE_DEREF", "RETURN_CONST",
            "JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "JUMP", "JUMP_NO_INTERRUPT",
            "NOT_TAKEN", "INTERPRETER_EXIT"}
_BRANCHES = {"POP_JUMP_IF_FALSE", "POP_JUMP_IF_TRUE", "POP_JUMP_IF_NONE", "POP_JUMP_IF_NOT_NONE",
             "POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_BACKWARD_IF_FALSE",
             "POP_JUMP_BACKWARD_IF_TRUE", "POP_JUMP_FORWARD_IF_NONE", "POP_JUMP_FORWARD_IF_NOT_NONE",
             "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE", "JUMP_FORWARD",
             "JUMP_IF_TRUE_OR_POP", "JUMP_IF_FALSE_OR_POP", "FOR_ITER", "SEND"}


_ARITH_OK = ("l", "g", "n", "c", "bin")


def _sym_names(sym, out):
    """Root variable names and attribute names a symbolic path depends on."""
    k = sym[0]
    if k in ("l", "g", "n"):
        out[0].add(sym[1])
        return True
    if k == "c":
        return True
    if k == "bin":
        return _sym_names(sym[2], out) and _sym_names(sym[3], out)
    if k == "x":
        return _sym_names(sym[1], out) and _sym_names(sym[2], out)
    if k == "a" or k == "m":
        out[1].add(sym[2])
        return _sym_names(sym[1], out)
    if k == "s":
        out[2] = True
        return _sym_names(sym[1], out) and _sym_names(sym[2], out)
    return False


class Meta:
    """What the code run from one event to the next (a 'segment') may have changed.

    names   local (or namespace) names that may have been (re)bound or deleted
    glob    global names stored through STORE_GLOBAL / DELETE_GLOBAL
    deref   a cell variable was stored: it may be visible in other frames
    targets symbolic paths of objects mutated in place (a[i] = .., o.x = .., a += ..)
    calls   what each call in the segment calls: a symbolic callee, or ("m", owner, name)
    unknown foreign code of unknown effect may have run: everything is compared
    lst     targets and calls reduced to item stores into one variable's list (list_store_plan), or None
    """
    __slots__ = ("names", "glob", "deref", "targets", "calls", "unknown", "slow", "lst", "plain", "gcall", "gf",
                 "gcode", "set_line", "set_fid", "set_name", "set_text")
    __module__ = "tracecast"

    def __init__(self, names, glob, deref, targets, calls, unknown):
        # The tracer's cache of the text before the value of a one-variable step this segment led to (m_line):
        # a loop's segment leads to the same line, frame and variable every time.
        self.set_line = -1
        self.set_fid = -1
        self.set_name = None
        self.set_text = None
        self.names = names
        self.glob = glob
        self.deref = deref
        self.targets = targets
        self.calls = calls
        self.unknown = unknown
        self.slow = names is None or unknown or bool(glob) or deref or bool(targets) or bool(calls)
        self.lst = None if unknown else list_store_plan(targets, calls)
        # the name of the global called when that call is all the segment may have done besides rebinding names
        # (pre_slow), and the learner function it was last time with its code
        self.gcall = (calls[0][1] if not unknown and names is not None and not glob and not deref and not targets
                      and len(calls) == 1 and calls[0][0] == "g" else None)
        self.gf = None
        self.gcode = None
        # no name the tracer might hide (dunder, comprehension temporaries): m_line skips that test
        self.plain = names is not None and not any(n[0] == "_" or n[0] == "." for n in names)


def list_store_plan(targets, calls):
    """(list's name, ((index name or None, offset), ...)) when the segment's only effects are stores of items of one
    variable's list at a variable plus a constant (a swap, a[i] = x): the tracer resolves just those, without the
    general resolver. None otherwise."""
    if calls or not targets or targets[0][0] != "x" or targets[0][1][0] not in ("n", "l"):
        return None
    base = targets[0][1]
    keys = []
    for t in targets:
        if t[0] != "x" or t[1] != base:
            return None
        key = t[2]
        if key[0] == "n" or key[0] == "l":
            keys.append((key[1], 0))
        elif key[0] == "c" and type(key[1]) is int:
            keys.append((None, key[1]))
        elif (key[0] == "bin" and (key[2][0] == "n" or key[2][0] == "l") and key[3][0] == "c"
              and type(key[3][1]) is int):
            keys.append((key[2][1], key[3][1] if key[1] == 0 else -key[3][1]))
        else:
            return None
    return base[1], tuple(keys)


FULL_META = Meta(None, (), True, (), (), True)
NO_META = Meta((), (), False, (), (), False)


class _Segment:
    """The symbolic simulation of a segment's runs (analyze_segment): what each instruction stores, mutates and
    calls. The opcode dispatch is split in three in its original order (loads, stores, others): the first that
    knows the op handles it."""

    def __init__(self):
        self.names = []
        self.glob = []
        self.deref = False
        self.targets = []       # objects mutated in place by a store/delete through them
        self.itargets = []      # left operands of in-place operators (resolved after the re-store)
        self.calls = []
        self.attr_stored = set()
        self.n_sub = 0
        self.unknown = False
        self.stack = []
        self.born = []
        self.last_branch = -1

    def pop(self):
        if self.stack:
            self.born.pop()
            return self.stack.pop()
        return U

    def pop_born(self):
        if self.stack:
            b = self.born.pop()
            return self.stack.pop(), b
        return U, -1

    def push(self, x, k):
        self.stack.append(x)
        self.born.append(k)

    def run(self, run):
        """One contiguous run of instructions (the stack starts empty)."""
        self.stack = []
        self.born = []
        self.last_branch = -1
        for k, (o, op, av, arg) in enumerate(run):
            arg = arg or 0
            self.store_names(op, av)
            if not self.loads(k, op, av, arg) and not self.stores(k, op, av, arg):
                self.others(k, op, av, arg)

    def store_names(self, op, av):
        """Names, globals, cells (independent of the stack simulation)."""
        if op in LOCAL_STORE_OPS:
            self.names.append(av)
        elif op.startswith("STORE_FAST"):
            if isinstance(av, tuple):
                self.names.append(av[0])
                if op == "STORE_FAST_STORE_FAST":
                    self.names.append(av[1])
            else:
                self.names.append(av)
        elif op in DEREF_STORE_OPS:
            self.names.append(av)
            self.deref = True
        elif op in GLOBAL_STORE_OPS:
            self.glob.append(av)

    def loads(self, k, op, av, arg):
        """Loads, pops and plain stack effects; True when op was one of them."""
        if op in ("LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_AND_CLEAR", "LOAD_DEREF", "LOAD_CLOSURE",
                  "LOAD_FAST_BORROW"):
            self.push(("l", av), k)
        elif op in ("LOAD_FAST_LOAD_FAST", "LOAD_FAST_BORROW_LOAD_FAST_BORROW"):
            self.push(("l", av[0]), k)
            self.push(("l", av[1]), k)
        elif op == "LOAD_CONST" or op == "LOAD_SMALL_INT":
            self.push(("c", av), k)
        elif op == "LOAD_NAME":
            self.push(("n", av), k)
        elif op == "LOAD_GLOBAL":
            self.push(("g", av), k)
            if arg & 1:
                self.push(("null",), k)
        elif op == "PUSH_NULL":
            self.push(("null",), k)
        elif op == "LOAD_ATTR":
            owner = self.pop()
            if PY312 and arg & 1:
                self.push(("m", owner, av), k)
                self.push(("self",), k)
            else:
                self.push(("a", owner, av), k)
        elif op == "LOAD_METHOD":
            owner = self.pop()
            self.push(("m", owner, av), k)
            self.push(("self",), k)
        elif op in ("STORE_FAST_LOAD_FAST", "STORE_FAST_STORE_FAST") or op in _POP1:
            if op == "STORE_FAST_STORE_FAST":
                self.pop()
            self.pop()
            if op == "STORE_FAST_LOAD_FAST":
                self.push(("l", av[1] if isinstance(av, tuple) else av), k)
            if op in _BRANCHES:
                self.last_branch = k
        elif op in _NOSTACK:
            if op in _BRANCHES:
                self.last_branch = k
        elif op in _PUSH1_U:
            self.push(U, k)
        elif op in _POP1_PUSH1 or (op == "MAKE_FUNCTION" and PY313):
            self.pop()
            self.push(U, k)
        elif op in _POP2_PUSH1:
            self.pop()
            self.pop()
            self.push(U, k)
        else:
            return False
        return True

    def stores(self, k, op, av, arg):
        """Subscripts, arithmetic, item and attribute stores; True when op was one of them."""
        if op == "BINARY_SUBSCR":
            key = self.pop()
            base = self.pop()
            self.push(("s", base, key), k)
        elif op == "BINARY_SLICE":
            self.pop(); self.pop(); self.pop()
            self.push(U, k)
        elif op == "BINARY_OP":
            right, rb = self.pop_born()
            left, b = self.pop_born()
            if arg >= NB_INPLACE_FIRST:
                self.itargets.append(left if b > self.last_branch else U)
                self.push(U, k)
            elif arg in (0, 10) and left[0] in _ARITH_OK and right[0] in _ARITH_OK and min(b, rb) > self.last_branch:
                self.push(("bin", arg, left, right), min(b, rb))   # i + 1, n - i - 1: index arithmetic
            else:
                self.push(U, k)
        elif op in ("STORE_SUBSCR", "DELETE_SUBSCR", "STORE_SLICE", "DELETE_SLICE"):
            if op == "STORE_SLICE":
                self.pop(); self.pop()
                cont, b = self.pop_born()
                self.pop()
            elif op == "DELETE_SLICE":
                self.pop(); self.pop()
                cont, b = self.pop_born()
            else:
                key, kb = self.pop_born()
                cont, b = self.pop_born()
                if op == "STORE_SUBSCR":
                    self.pop()
                    if b > self.last_branch and kb > self.last_branch and key[0] in _ARITH_OK:
                        # one item of `cont` at index/key `key`: ("x", container, key)
                        self.targets.append(("x", cont, key))
                        self.n_sub += 1
                        return True
            self.targets.append(cont if b > self.last_branch else U)
            self.n_sub += 1
        elif op in ("STORE_ATTR", "DELETE_ATTR"):
            self.attr_stored.add(av)
            owner, b = self.pop_born()
            if op == "STORE_ATTR":
                self.pop()
            self.targets.append(owner if b > self.last_branch else U)
        else:
            return False
        return True

    def others(self, k, op, av, arg):
        """Builds, unpacking, stack shuffles, calls, branches, and anything opaque (the end of the chain)."""
        if op in ("BUILD_LIST", "BUILD_TUPLE", "BUILD_SET", "BUILD_STRING", "BUILD_SLICE"):
            for _ in range(arg):
                self.pop()
            self.push(U, k)
        elif op == "BUILD_MAP":
            for _ in range(2 * arg):
                self.pop()
            self.push(U, k)
        elif op == "BUILD_CONST_KEY_MAP":
            for _ in range(arg + 1):
                self.pop()
            self.push(U, k)
        elif op == "MAP_ADD":
            self.pop(); self.pop()
        elif op == "FORMAT_VALUE":
            if arg & 4:
                self.pop()
            self.pop()
            self.push(U, k)
        elif op == "UNPACK_SEQUENCE":
            self.pop()
            for _ in range(arg):
                self.push(U, k)
        elif op == "UNPACK_EX":
            self.pop()
            for _ in range((arg & 0xFF) + (arg >> 8) + 1):
                self.push(U, k)
        elif op == "COPY":
            if len(self.stack) >= arg:
                self.push(self.stack[-arg], self.born[-arg])
            else:
                self.push(U, -1)
        elif op == "SWAP":
            if len(self.stack) >= arg:
                self.stack[-1], self.stack[-arg] = self.stack[-arg], self.stack[-1]
                self.born[-1], self.born[-arg] = self.born[-arg], self.born[-1]
            else:
                self.stack[:] = []
                self.born[:] = []
        elif op in ("CALL", "CALL_KW"):
            if op == "CALL_KW":
                self.pop()
            for _ in range(arg):
                self.pop()
            s2, b2 = self.pop_born()
            s1, b1 = self.pop_born()
            callee = U
            for s, b in ((s1, b1), (s2, b2)):
                if s[0] not in ("null", "self"):
                    callee = s if b > self.last_branch else U
                    break
            self.calls.append(callee)
            self.push(U, k)
        elif op in ("FOR_ITER", "SEND"):
            self.push(U, k)
            self.last_branch = k
        elif op in ("JUMP_IF_TRUE_OR_POP", "JUMP_IF_FALSE_OR_POP"):
            self.pop()
            self.last_branch = k
        elif op == "MAKE_FUNCTION" and not PY313:
            for _ in range(1 + bin(arg & 0xF).count("1")):
                self.pop()
            self.push(U, k)
        else:
            # anything else is opaque: forget the self.stack; unless it only runs on the
            # exception path (every exception step triggers a full comparison anyway)
            if op not in EXC_PATH_OPS:
                self.unknown = True
            self.stack[:] = []
            self.born[:] = []
            self.last_branch = k


def analyze_segment(runs):
    """runs: lists of (offset, opname, argval, arg) in code order, each contiguous."""
    seg = _Segment()
    for run in runs:
        seg.run(run)
    names, glob, deref, targets, itargets, calls = seg.names, seg.glob, seg.deref, seg.targets, seg.itargets, seg.calls
    attr_stored, n_sub, unknown = seg.attr_stored, seg.n_sub, seg.unknown
    # paths are resolved after the segment ran: they must not depend on anything the
    # segment itself rebinds (variables, attributes of the same name, other subscripts)
    stored = set(n for n in names if isinstance(n, str)) | set(glob)
    for t in targets + [c[1] if c[0] == "m" else c for c in calls]:
        if t[0] == "u":
            unknown = True
            break
        inf = [set(), set(), False]
        if (not _sym_names(t, inf) or (inf[0] & stored) or (inf[1] & attr_stored)
                or (inf[2] and n_sub > 1)):
            unknown = True
            break
    for t in itargets:
        if t[0] == "u" or not _sym_names(t, [set(), set(), False]):
            unknown = True
    names = tuple(dict.fromkeys(n for n in names if isinstance(n, str)))
    glob = tuple(dict.fromkeys(glob))
    if unknown:
        return Meta(names, glob, deref, (), (), True)
    return Meta(names, glob, deref, tuple(dict.fromkeys(targets + itargets)), tuple(dict.fromkeys(calls)), False)


class CodeInfo:
    __slots__ = ("code", "name", "fnj", "lines", "metas", "instrs", "is_module", "ops", "live")
    __module__ = "tracecast"

    def __init__(self, code, is_module, live_locals):
        self.code = code
        self.name = code.co_name
        self.fnj = J(code.co_name)
        n = len(code.co_code) // 2 + 1
        lines = [-1] * n
        for start, end, line in code.co_lines():
            if line is not None:
                for o in range(start >> 1, end >> 1):
                    lines[o] = line
        self.lines = lines
        self.metas = {}
        self.instrs = None
        self.is_module = is_module
        self.ops = None
        # module / class bodies: f_locals is the real namespace dict (always live)
        self.live = live_locals or not (code.co_flags & 0x1)

    def meta_at(self, off):
        m = self.metas.get(off)
        if m is None:
            m = self.metas[off] = self._compute_meta(off)
        return m

    def _compute_meta(self, off):
        if off < 0:
            return NO_META
        instrs = self.instrs
        if instrs is None:
            d = get_dis()
            if not d:
                return FULL_META
            try:
                instrs = self.instrs = [(i.offset, i.opname, i.argval, i.arg)
                                        for i in d.get_instructions(self.code)]
            except Exception:
                return FULL_META
        lines = self.lines
        L = lines[off >> 1] if (off >> 1) < len(lines) else -1
        # Between two events a frame runs only instructions of the event's line at or
        # after its offset, and instructions that have no line (see README).
        runs = []
        run = None
        for ins in instrs:
            o = ins[0]
            ln = lines[o >> 1]
            if (ln == L and o >= off) or ln < 0:
                if run is None:
                    run = []
                    runs.append(run)
                run.append(ins)
            else:
                run = None
        try:
            return analyze_segment(runs)
        except Exception:
            return FULL_META


def learner_codes(code):
    out = [code]
    i = 0
    while i < len(out):
        for c in out[i].co_consts:
            if type(c) is type(code):
                out.append(c)
        i += 1
    return out
