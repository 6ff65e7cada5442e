"""What a learner's object is and what touching it may do, found without running any of its code: its kind, a safe
repr, its fields, and whether calling a function or a method can change state the tracer must look at again.

Cold: the core (core.py) calls these when it meets a new object, or resolves a segment's calls (README.md, "Change
detection"); per-type answers are cached here.
"""
import builtins
from itertools import islice
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType

import learner_io
import viz

LEARNER = "<learner>"
MISS = object()
BUILTINS = builtins.__dict__


def is_main(m):
    return type(m) is str and m == "__main__"


def inst_dict(o):
    """o's instance __dict__ (a real dict) or None."""
    try:
        d = object.__getattribute__(o, "__dict__")
    except Exception:
        return None
    return d if type(d) is dict else None


_learner_repr = {}  # type -> its __repr__ is the learner's own (never called)


def repr_is_learners(t):
    r = _learner_repr.get(t)
    if r is None:
        r = False
        for c in t.__mro__:
            a = c.__dict__.get("__repr__")
            if a is not None:
                r = type(a) is FunctionType and a.__code__.co_filename == LEARNER
                break
        _learner_repr[t] = r
    return r

_kinds = {}         # type -> kind tag


def kind_of(t):
    k = _kinds.get(t)
    if k is not None:
        return k
    if issubclass(t, list):
        k = "list"
    elif issubclass(t, tuple):
        k = "tuple"
    elif issubclass(t, dict):
        k = "dict"
    elif issubclass(t, (set, frozenset)):
        k = "set"
    elif issubclass(t, type):
        k = "class"
    elif t in (FunctionType, BuiltinFunctionType, MethodType) or t.__name__ in (
            "method-wrapper", "method_descriptor", "wrapper_descriptor", "builtin_function_or_method",
            "functools.partial", "partial"):
        k = "function"
    elif is_main(getattr(t, "__module__", None)):
        k = "object"
    else:
        k = "other"
    _kinds[t] = k
    return k


IMMUTABLE_OTHER = {range, complex, bytes, type(None), slice, type(iter([])), type(iter(())),
                   type(iter(range(1))), type(iter("")), type(iter({})), type(iter(set())),
                   type(reversed([])), type(x for x in ()), type((lambda: None).__code__),
                   type(enumerate([])), type(zip()), type(map(len, [])), type(filter(None, []))}


def strip_addr(r):
    p = r.find(" at 0x")
    while p >= 0:
        q = p + 6
        while q < len(r) and r[q] in "0123456789abcdefABCDEF":
            q += 1
        r = r[:p] + r[q:]
        p = r.find(" at 0x")
    return r


def safe_repr(o, budget, max_items, depth=0):
    """repr() that never runs learner code and never shows addresses: at most `budget` characters, `max_items` items."""
    t = type(o)
    try:
        if t in (int, float, bool, complex, type(None), range):
            r = repr(o)
        elif t in (str, bytes, bytearray):
            r = repr(o[:budget])
        elif t in (list, tuple, set, frozenset) or t.__name__ == "deque":
            if depth > 3:
                return "..."
            parts = []
            size = 0
            for x in islice(o, max_items):
                p = safe_repr(x, budget, max_items, depth + 1)
                parts.append(p)
                size += len(p) + 2
                if size > budget:
                    break
            body = ", ".join(parts)
            if len(o) > len(parts):
                body += ", ..."
            if t is list:
                r = "[" + body + "]"
            elif t is tuple:
                r = "(" + body + ("," if len(o) == 1 else "") + ")"
            elif t in (set, frozenset):
                r = ("{" + body + "}") if o else t.__name__ + "()"
                if t is frozenset and o:
                    r = "frozenset(" + r + ")"
            else:
                r = t.__name__ + "([" + body + "])"
        elif kind_of(t) == "object" or repr_is_learners(t):
            r = "<%s object>" % t.__name__
        else:
            r = strip_addr(repr(o))
    except Exception:
        r = "<%s>" % t.__name__
    if len(r) > budget:
        r = r[:budget]
    return r


def func_enc(o):
    e = {"k": "function", "name": str(getattr(o, "__name__", None) or type(o).__name__)}
    code = getattr(o, "__code__", None)
    if code is not None and getattr(code, "co_filename", None) == LEARNER:
        e["line"] = code.co_firstlineno
    return e


def slot_fields(o):
    out = []
    seen = set()
    for c in type(o).__mro__:
        sl = c.__dict__.get("__slots__", ())
        if isinstance(sl, str):
            sl = (sl,)
        for nm in sl:
            if nm in seen or nm in ("__dict__", "__weakref__"):
                continue
            seen.add(nm)
            try:
                v = object.__getattribute__(o, nm)
            except Exception:
                continue
            out.append((nm, v))
    return out


OWN_FILES = {getattr(m, "__file__", None) for m in (learner_io, viz)}   # viz, input(), the stdio stand-ins

PURE_BUILTINS = {id(BUILTINS[n]) for n in (
    "abs", "all", "any", "ascii", "bin", "callable", "chr", "divmod", "format", "getattr", "hasattr",
    "hash", "hex", "id", "isinstance", "issubclass", "iter", "len", "max", "min", "next", "oct", "ord",
    "pow", "print", "repr", "round", "sorted", "sum", "open") if n in BUILTINS}

MUTATORS = {
    list: {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "__setitem__",
           "__delitem__", "__iadd__", "__imul__"},
    dict: {"update", "pop", "popitem", "clear", "setdefault", "__setitem__", "__delitem__", "__ior__"},
    set: {"add", "remove", "discard", "pop", "clear", "update", "intersection_update", "difference_update",
          "symmetric_difference_update", "__ior__", "__iand__", "__isub__", "__ixor__"},
    bytearray: {"append", "extend", "insert", "pop", "remove", "clear", "reverse", "__setitem__",
                "__delitem__", "__iadd__"},
}

NON_MUTATORS = {
    list: {"index", "count", "copy", "__getitem__", "__len__", "__contains__", "__iter__", "__reversed__"},
    dict: {"get", "keys", "values", "items", "copy", "__getitem__", "__contains__", "__len__", "__iter__"},
    set: {"union", "intersection", "difference", "symmetric_difference", "issubset", "issuperset",
          "isdisjoint", "copy", "__contains__", "__len__", "__iter__"},
    bytearray: {"count", "find", "index", "decode", "hex", "startswith", "endswith", "copy", "__getitem__"},
}
try:
    from collections import deque as _deque
    MUTATORS[_deque] = {"append", "appendleft", "extend", "extendleft", "pop", "popleft", "remove",
                        "clear", "rotate", "reverse", "insert", "__setitem__", "__delitem__", "__iadd__"}
    NON_MUTATORS[_deque] = {"index", "count", "copy", "__getitem__", "__len__", "__contains__"}
except Exception:  # pragma: no cover
    pass

IMMUTABLE_RECEIVERS = {str, int, float, bool, bytes, tuple, range, frozenset, complex, type(None)}

PURE_MODULES = {"math", "cmath"}


def call_effect(f):
    """0 when calling f cannot change visible state except through traced learner code."""
    t = type(f)
    if t is FunctionType:
        fn = f.__code__.co_filename
        return 0 if (fn == LEARNER or fn in OWN_FILES) else 1
    if t is BuiltinFunctionType:
        return 0 if id(f) in PURE_BUILTINS else 1
    if t is MethodType:
        return call_effect(f.__func__)
    if isinstance(f, type):
        return 0       # instantiation: a new object (learner __init__ is traced)
    return 1


def method_effect(owner, name):
    """0: no effect; 1: may change owner only; 2: unknown."""
    t = type(owner)
    ms = MUTATORS.get(t)
    if ms is not None:
        if name in ms:
            return 1
        return 0 if name in NON_MUTATORS[t] else 2
    if t in IMMUTABLE_RECEIVERS:
        return 0
    if t is ModuleType:
        if getattr(owner, "__name__", None) in PURE_MODULES:
            return 0
        f = owner.__dict__.get(name, MISS)
        return 2 if f is MISS or call_effect(f) else 0
    m = getattr(t, "__module__", None)
    if type(m) is str and m == "tracecast":
        return 0       # viz, the captured sys.stdout / sys.stderr / sys.stdin
    k = kind_of(t)
    if k == "object" or k == "class":
        if k == "object":
            d = inst_dict(owner)
            if d is not None and name in d:
                return 2 if call_effect(d[name]) else 0
            mro = t.__mro__
        else:
            mro = owner.__mro__
        for c in mro:
            a = c.__dict__.get(name, MISS)
            if a is not MISS:
                ta = type(a)
                if ta is staticmethod or ta is classmethod:
                    a = a.__func__
                    ta = type(a)
                if ta is FunctionType:
                    return 2 if call_effect(a) else 0
                if c is list or c is dict or c is set:      # inherited builtin container method
                    return 1 if name in MUTATORS[c] else (0 if name in NON_MUTATORS[c] else 2)
                return 2
        return 2
    return 2


def exc_info(e, max_string):
    """{type, message} of an exception, the message cut to max_string."""
    try:
        msg = str(e)
    except Exception:
        msg = "<unprintable %s>" % type(e).__name__
    if len(msg) > max_string:
        msg = msg[:max_string]
    return {"type": type(e).__name__, "message": msg}
