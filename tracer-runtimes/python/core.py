"""The trace's hot core: the per-step code of trace mode, one closure (make_core) on purpose.

Everything here runs on every step or every mutation: the frame records and their shadows, heap identities and
per-kind change detection, the segment effects, step emission in the channel's compact form, the event handlers both
backends call, and m_line, sys.monitoring's LINE callback. They share their state as closure variables because that is
the cheapest access CPython has (bench/tracer/README.md: a LINE callback reading 39 closure variables cost the loop 4-5%
a step more than with 27; attribute or global access costs more again). So:

- do not turn these functions into methods, move a function that a step calls out of the closure, or add a closure
  variable m_line reads, without bench/tracer before and after (A/B in one run, medians of 9; CPU µs per step);
- the hot paths are hand-inlined copies (m_line inlines pre_event and emit_line; on_call copies emit's fast branch):
  change them together;
- anything that does not run per step (segment analysis, values' reprs, viz, stdio, the channel, compiling, the
  backends' set-up) belongs in the modules around this one (README.md, "Layout").
"""
import sys
import time
from types import SimpleNamespace

from channel import EBS, J
from values import (BUILTINS, IMMUTABLE_OTHER, call_effect, exc_info, func_enc, inst_dict, kind_of, method_effect,
                    safe_repr, slot_fields)

LEARNER = "<learner>"
MAX_SAFE = (1 << 53) - 1
HEAP_CAP = 5000            # tracked heap objects; beyond it new objects are shown as capped leaves
HEAP_BYTES = 600000        # ... or beyond this much JSON, so a keyframe stays under the 1 MiB frame cap


def make_core(M, MS, K, full, batch, max_steps, writer, internal):
    """The core for one job (maxItems, maxString, keyframeEvery, full, batchSteps, maxSteps), writing through
    `writer` (writer.py); internal(e) ends the run on a tracer fault. Returns its entry points (a namespace)."""
    # Imported here, not at module level: the closures below read them as closure variables, as they read all of
    # the core's names (bench/tracer: one kind of access on the hot paths).
    from _thread import get_ident
    from itertools import compress, islice
    from operator import is_not
    from types import FunctionType, ModuleType
    clock = time.monotonic
    main_thread = get_ident()
    getrefcount = sys.getrefcount
    _getframe = sys._getframe
    MISS = object()  # sentinel: never a learner value
    W = writer
    pend = writer.pend
    flush = writer.flush
    finish = writer.finish

    # ---- heap tracking
    # Delta fields are kept as ready JSON fragments: hand-formatted for the hot shapes
    # (the C encoder costs about a microsecond per call, whatever the size).
    table = {}         # id(obj) -> H (keeps obj alive, so ids are not recycled)
    mut = {}           # rid -> H for objects that can change
    todo = []          # H waiting to be encoded
    d_new = []         # JSON fragments, one per delta entry
    d_upd = []
    d_set = []
    d_del = []
    d_free = []
    dirty = False      # any of the delta lists above is non-empty
    next_rid = 1
    heap_bytes = 0     # JSON size of the tracked heap (approximate: sizes when first encoded)
    sweep_at = 256
    reuse = None       # during a keyframe snapshot: the previous table (to keep ids stable)
    exotic = False     # a tracked object can change without a heap-flagged instruction
    NJC = {}

    class H:
        __slots__ = ("rid", "obj", "kind", "ref", "refj", "enc", "sh", "ks", "n", "df", "sz")
        __module__ = "tracecast"

    def nj(nm):
        s = NJC.get(nm)
        if s is None:
            s = NJC[nm] = EBS(nm)
        return s

    def jv(x):
        """JSON text of an encoded Value."""
        t = type(x)
        if t is int:
            return str(x)
        if t is str:
            return EBS(x)
        if x is None:
            return "null"
        if t is bool:
            return "true" if x else "false"
        if t is float:
            return repr(x)
        if t is dict and len(x) == 1 and "r" in x:
            return '{"r":%d}' % x["r"]
        return J(x)

    def vjs(v):
        """JSON text of the Value of a raw object (tracking it if needed)."""
        t = type(v)
        if t is int:
            if -MAX_SAFE <= v <= MAX_SAFE:
                return str(v)
            return jv(bigint(v))
        if t is str:
            if len(v) <= MS:
                return EBS(v)
            return J({"sp": "str", "v": v[:MS], "len": len(v)})
        if v is None:
            return "null"
        if t is bool:
            return "true" if v else "false"
        if t is float:
            if v - v == 0:
                return repr(v)
            return J(val(v))
        h = table.get(id(v))
        if h is None:
            h = track(v)
        return h.refj

    # The learner's container subclasses may override __len__/__iter__/__getitem__ (and
    # any class __getattribute__): the tracer reads them through the built-in slots.
    LLEN = list.__len__
    LGET = list.__getitem__
    LITER = list.__iter__
    CUT = slice(None, M)
    DLEN = dict.__len__
    DITER = dict.__iter__
    DVALS = dict.values

    def track(v):
        nonlocal next_rid
        h = H()
        old = reuse.get(id(v)) if reuse is not None else None
        if old is not None and old.obj is v:
            h.rid = old.rid
        else:
            h.rid = next_rid
            next_rid += 1
        h.obj = v
        h.ref = {"r": h.rid}
        h.refj = '{"r":%d}' % h.rid
        table[id(v)] = h
        todo.append(h)
        return h

    def val(v):
        """The Value of a raw object (a JSON-able structure; heap objects by reference)."""
        t = type(v)
        if t is int:
            if -MAX_SAFE <= v <= MAX_SAFE:
                return v
            return bigint(v)
        if t is str:
            if len(v) <= MS:
                return v
            return {"sp": "str", "v": v[:MS], "len": len(v)}
        if v is None or t is bool:
            return v
        if t is float:
            if v - v == 0:
                return v
            if v != v:
                return {"sp": "nan"}
            return {"sp": "inf"} if v > 0 else {"sp": "-inf"}
        h = table.get(id(v))
        if h is None:
            h = track(v)
        return h.ref

    def bigint(v):
        try:
            return {"sp": "bigint", "v": str(v)}
        except ValueError:  # beyond sys.int_max_str_digits: shown as an opaque heap object
            h = table.get(id(v))
            if h is None:
                h = track(v)
            return h.ref

    def drain():
        nonlocal dirty, heap_bytes
        while todo:
            h = todo.pop()
            encode(h)
            js = J(h.enc)
            h.sz = len(js)
            heap_bytes += h.sz
            if reuse is None:
                d_new.append("[%d,%s]" % (h.rid, js))
                dirty = True

    def encode(h):
        nonlocal exotic
        o = h.obj
        t = type(o)
        k = h.kind = kind_of(t)
        h.df = None
        if (len(table) > HEAP_CAP or heap_bytes > HEAP_BYTES) and k not in ("function", "class"):
            h.kind = "capped"
            h.enc = {"k": "other", "cls": t.__name__, "repr": "<not shown: too many objects>"}
            return
        if k == "list":
            sh = h.sh = LGET(o, CUT)
            h.n = LLEN(o)
            h.enc = {"k": "list", "items": [val(x) for x in sh], "len": h.n}
            h.df = diff_list
            mut[h.rid] = h
        elif k == "tuple":
            h.enc = {"k": "tuple", "items": [val(x) for x in islice(tuple.__iter__(o), M)], "len": tuple.__len__(o)}
        elif k == "dict":
            enc_dict(h, o)
            h.df = diff_dict
            mut[h.rid] = h
            if t is not dict and hasattr(t, "__missing__"):
                exotic = True    # e.g. defaultdict: reading d[k] inserts
        elif k == "set":
            b = set if isinstance(o, set) else frozenset
            h.n = b.__len__(o)
            h.enc = {"k": "set", "items": [val(x) for x in islice(b.__iter__(o), M)], "len": h.n}
            if b is set:
                h.sh = set(o)
                h.df = diff_set
                mut[h.rid] = h
        elif k == "object":
            d = inst_dict(o)
            if d is not None:
                enc_dict(h, d, t.__name__)
                h.df = diff_obj
                for a in getattr(t, "__dict__", {}).values():
                    if type(a).__name__ == "cached_property":
                        exotic = True
            else:
                fields = slot_fields(o)
                h.sh = tuple(v for _, v in fields)
                h.enc = {"k": "object", "cls": t.__name__,
                         "fields": [[n, val(v)] for n, v in fields[:M]], "len": len(fields)}
                h.df = diff_slots
            mut[h.rid] = h
        elif k == "function":
            h.enc = func_enc(o)
            # a function's __name__ and __code__ can be assigned
            h.df = diff_func
            mut[h.rid] = h
        elif k == "class":
            h.enc = {"k": "class", "name": str(getattr(o, "__name__", "?"))}
        elif t is int:
            h.enc = {"k": "other", "cls": "int",
                     "repr": "<int with about %d digits>" % int(o.bit_length() * 0.30103 + 1)}
        else:
            h.sh = safe_repr(o, MS, M)
            h.enc = {"k": "other", "cls": t.__name__, "repr": h.sh}
            if t not in IMMUTABLE_OTHER:
                h.df = diff_other
                mut[h.rid] = h

    def enc_dict(h, d, cls=None):
        n = h.n = DLEN(d)
        if n > M:
            ks = h.ks = list(islice(DITER(d), M))
            vs = h.sh = list(islice(DVALS(d), M))
        else:
            ks = h.ks = list(DITER(d))
            vs = h.sh = list(DVALS(d))
        if cls is None:
            h.enc = {"k": "dict", "entries": [[val(k), val(v)] for k, v in zip(ks, vs)], "len": n}
        else:
            h.enc = {"k": "object", "cls": cls, "fields": [[str(k), val(v)] for k, v in zip(ks, vs)], "len": n}

    def add_upd(rid, parts):
        nonlocal dirty
        if parts:
            d_upd.append('[%d,{%s}]' % (rid, ",".join(parts)))
            dirty = True

    def add_full(h):
        nonlocal dirty
        d_upd.append('[%d,{"full":%s}]' % (h.rid, J(h.enc)))
        dirty = True

    # -- per-kind change detection: compare identities against a shallow shadow
    def diff_list(h):
        o = h.obj
        n = LLEN(o)
        sh = h.sh
        if n == h.n and not any(map(is_not, LITER(o), sh)):
            return
        new = LGET(o, CUT)
        m = len(new)
        om = len(sh)
        k = m if m < om else om
        items = h.enc["items"]
        sets = []
        if k:
            for j in compress(range(k), map(is_not, new, sh)):
                vv = val(new[j])
                items[j] = vv
                sets.append("[%d,%s]" % (j, jv(vv)))
        for j in range(k, m):
            vv = val(new[j])
            items.append(vv)
            sets.append("[%d,%s]" % (j, jv(vv)))
        if m < om:
            del items[m:]
        parts = []
        if n != h.n:
            parts.append('"len":%d' % n)
            h.enc["len"] = n
        if sets:
            parts.append('"set":[%s]' % ",".join(sets))
        h.sh = new
        h.n = n
        add_upd(h.rid, parts)

    def diff_list_at(h, keys):
        """Items were stored at these indices, and nothing else changed the list (see effects())."""
        nonlocal dirty
        o = h.obj
        n = LLEN(o)
        if n != h.n:
            return diff_list(h)
        sh = h.sh
        m = len(sh)
        sets = None
        # a handful of keys (a swap: two): a small list beats set() and a generator
        ks = []
        for j in keys:
            if j < 0:
                j += n
            if 0 <= j < m and j not in ks:
                ks.append(j)
        ks.sort()
        for j in ks:
            x = o[j]
            if x is not sh[j]:
                sh[j] = x
                if type(x) is int and -MAX_SAFE <= x <= MAX_SAFE:
                    h.enc["items"][j] = x
                    t = str(x)
                else:
                    vv = h.enc["items"][j] = val(x)
                    t = jv(vv)
                if sets is None:
                    sets = []
                sets.append(f"[{j},{t}]")
        if sets is not None:
            d_upd.append('[%d,{"set":[%s]}]' % (h.rid, ",".join(sets)))
            dirty = True

    def diff_dict(h):
        dict_like(h, h.obj, None)

    def diff_obj(h):
        d = inst_dict(h.obj)
        if d is None:
            d = {}
        dict_like(h, d, h.enc["cls"])

    def dict_like(h, d, cls):
        n = DLEN(d)
        oks = h.ks
        ovs = h.sh
        if n == h.n and not any(map(is_not, DITER(d), oks)) and not any(map(is_not, DVALS(d), ovs)):
            return
        if n > M:
            nks = list(islice(DITER(d), M))
            nvs = list(islice(DVALS(d), M))
        else:
            nks = list(DITER(d))
            nvs = list(DVALS(d))
        kenc = val if cls is None else str
        ent = h.enc["entries" if cls is None else "fields"]
        oids = list(map(id, oks))
        nids = list(map(id, nks))
        sets = []
        dels = []
        lo = len(oids)
        if nids[:lo] == oids:
            for j in compress(range(lo), map(is_not, nvs, ovs)):
                vv = val(nvs[j])
                ent[j][1] = vv
                sets.append("[%s,%s]" % (jv(ent[j][0]), jv(vv)))
        else:
            nset = set(nids)
            kept = [x for x in oids if x in nset]
            if nids[:len(kept)] != kept:
                enc_dict(h, d, cls)
                add_full(h)
                return
            old_v = dict(zip(oids, ovs))
            old_e = dict(zip(oids, ent))
            new_ent = []
            for j in range(len(kept)):
                e = old_e[kept[j]]
                if nvs[j] is not old_v[kept[j]]:
                    e[1] = val(nvs[j])
                    sets.append("[%s,%s]" % (jv(e[0]), jv(e[1])))
                new_ent.append(e)
            for x in oids:
                if x not in nset:
                    dels.append(jv(old_e[x][0]))
            ent[:] = new_ent
            lo = len(kept)
        for j in range(lo, len(nks)):
            e = [kenc(nks[j]), val(nvs[j])]
            ent.append(e)
            sets.append("[%s,%s]" % (jv(e[0]), jv(e[1])))
        parts = []
        if n != h.n:
            parts.append('"len":%d' % n)
            h.enc["len"] = n
        if sets:
            parts.append('"set":[%s]' % ",".join(sets))
        if dels:
            parts.append('"del":[%s]' % ",".join(dels))
        h.ks = nks
        h.sh = nvs
        h.n = n
        add_upd(h.rid, parts)

    def diff_set(h):
        o = h.obj
        n = set.__len__(o)
        if n == h.n and set.__eq__(o, h.sh) is True:
            return
        h.n = n
        h.sh = set(o)
        h.enc = {"k": "set", "items": [val(x) for x in islice(set.__iter__(o), M)], "len": n}
        add_full(h)

    def diff_slots(h):
        fields = slot_fields(h.obj)
        vals = tuple(v for _, v in fields)
        if len(vals) == len(h.sh) and not any(map(is_not, vals, h.sh)):
            return
        h.sh = vals
        h.enc = {"k": "object", "cls": h.enc["cls"], "fields": [[n, val(v)] for n, v in fields[:M]],
                 "len": len(fields)}
        add_full(h)

    def diff_func(h):
        e = func_enc(h.obj)
        if e != h.enc:
            h.enc = e
            add_full(h)

    def diff_other(h):
        r = safe_repr(h.obj, MS, M)
        if r == h.sh:
            return
        h.sh = r
        h.enc = {"k": "other", "cls": h.enc["cls"], "repr": r}
        add_full(h)

    def diff_heap():
        for h in list(mut.values()):
            if getrefcount(h.obj) <= 2:      # only our table holds it: unreachable
                free(h)
                continue
            h.df(h)
        if todo:
            drain()

    def free(h):
        nonlocal dirty, heap_bytes
        heap_bytes -= h.sz
        del table[id(h.obj)]
        mut.pop(h.rid, None)
        h.obj = None
        d_free.append(str(h.rid))
        dirty = True

    def sweep():
        """Forget tracked objects nobody but the tracer references (bounded memory)."""
        nonlocal sweep_at
        for _ in range(4):
            dead = [h for h in table.values() if getrefcount(h.obj) <= 2]
            if not dead:
                break
            for h in dead:
                free(h)
        sweep_at = max(256, 2 * len(table))

    def flush_batch():
        """A full batch of steps: send it, and forget unreachable objects once the table has doubled."""
        flush()
        if len(table) > sweep_at:
            sweep()

    # ---- frames
    stack = []         # Fr records, bottom first
    synced = 0         # stack[:synced] is known to the consumer
    npop = 0           # frames the consumer must pop at the next step
    next_fid = 0
    module_rec = None
    VIZ = None         # the injected viz object (set below)
    gdict = {}
    class Fr:
        __slots__ = ("fid", "ci", "frame", "fo", "hid", "meta", "loc", "is_module")
        __module__ = "tracecast"

    def hidden(rec, nm, v):
        c = nm[0]
        if (c == "_" and nm[:2] == "__" and nm[-2:] == "__") or c == ".":
            return True
        if type(v) is ModuleType or v is VIZ:
            return True
        if rec.is_module and BUILTINS.get(nm, MISS) is v:
            return True
        return False

    def new_rec(f, ci):
        nonlocal next_fid
        r = Fr()
        r.fid = next_fid
        next_fid += 1
        r.ci = ci
        r.frame = f
        r.is_module = ci.is_module
        r.meta = None
        loc = f.f_locals
        r.loc = loc if ci.live else None
        fo = r.fo = {}
        hid = r.hid = {}
        for nm, v in loc.items():
            c = nm[0]
            # hidden()'s cheap first test inlined: most names pass it
            if (c == "_" or c == "." or r.is_module or type(v) is ModuleType or v is VIZ) and hidden(r, nm, v):
                hid[nm] = v
            else:
                fo[nm] = v
        return r

    def frame_js(r):
        vs = ",".join([f"[{nj(nm)},{vjs(v)}]" for nm, v in r.fo.items()])
        return f'{{"id":{r.fid},"fn":{r.ci.fnj},"vars":[{vs}]}}'

    def pop_rec():
        nonlocal synced, npop
        stack.pop()
        if len(stack) < synced:
            synced = len(stack)
            npop += 1

    def set_text(fid, nm, v):
        """A `set` entry of a small int or short string (the hot path's values)."""
        return "[%d,%s,%s]" % (fid, NJC.get(nm) or nj(nm), str(v) if type(v) is int else EBS(v))

    def var_changed(rec, nm, v, o):
        nonlocal dirty
        if v is MISS or hidden(rec, nm, v):
            if o is not MISS:
                del rec.fo[nm]
                d_del.append("[%d,%s]" % (rec.fid, nj(nm)))
                dirty = True
            if v is not MISS:
                rec.hid[nm] = v
            return
        rec.fo[nm] = v
        d_set.append("[%d,%s,%s]" % (rec.fid, nj(nm), vjs(v)))
        dirty = True

    def diff_names(rec, names):
        loc = rec.loc
        if loc is None:
            loc = rec.frame.f_locals
        fo = rec.fo
        for nm in names:
            v = loc.get(nm, MISS)
            o = fo.get(nm, MISS)
            if v is not o:
                var_changed(rec, nm, v, o)

    def diff_all_names(rec):
        loc = rec.loc
        if loc is None:
            loc = rec.frame.f_locals
        fo = rec.fo
        hid = rec.hid
        for nm, v in loc.items():
            o = fo.get(nm, MISS)
            if o is v or hid.get(nm, MISS) is v:
                continue
            var_changed(rec, nm, v, o)
        for nm in [nm for nm in fo if nm not in loc]:
            var_changed(rec, nm, MISS, fo[nm])
        for nm in [nm for nm in hid if nm not in loc]:
            del hid[nm]

    def diff_everything():
        for r in stack:
            diff_all_names(r)
        diff_heap()

    force_full = False

    def pre_event():
        """Bring the shadow state up to date with what ran since the previous step."""
        nonlocal force_full
        if force_full:
            force_full = False
            diff_everything()
            return
        if not stack:
            return
        top = stack[-1]
        m = top.meta
        if m is None:
            return
        if m.names:
            diff_names(top, m.names)
        if m.slow or exotic:
            pre_slow(top, m)
        if todo:
            drain()

    def pre_slow(top, m):
        if m.names is None:
            diff_all_names(top)
        if m.glob and module_rec is not None:
            diff_names(module_rec, m.glob)
        if m.deref:
            for r in stack:
                if r is not top:
                    diff_all_names(r)
        g = m.gcall
        f = gdict.get(g) if g is not None and not exotic else None
        # the segment's one effect was calling this global: the same learner function as last time (a recursive
        # call, a helper in a loop) changed nothing it did not trace itself
        if f is not None and f is m.gf and f.__code__ is m.gcode:
            return
        if m.unknown or exotic or not effects(top, m):
            # foreign code of unknown effect may have run: compare everything it could reach
            if module_rec is not None and module_rec is not top:
                diff_all_names(module_rec)
            diff_heap()
        elif type(f) is FunctionType:
            m.gf = f
            m.gcode = f.__code__

    # -- targeted change detection: resolve what the segment's stores and calls touched
    def resolve(sym, rec):
        k = sym[0]
        if k == "n":
            loc = rec.loc
            if loc is None:
                loc = rec.frame.f_locals
            v = loc.get(sym[1], MISS)
            if v is MISS:
                v = gdict.get(sym[1], MISS)
                if v is MISS:
                    v = BUILTINS.get(sym[1], MISS)
            return v
        if k == "c":
            return sym[1]
        if k == "l":
            loc = rec.loc
            if loc is None:
                loc = rec.frame.f_locals
            return loc.get(sym[1], MISS)
        if k == "g":
            v = gdict.get(sym[1], MISS)
            return v if v is not MISS else BUILTINS.get(sym[1], MISS)
        if k == "bin":
            x = resolve(sym[2], rec)
            y = resolve(sym[3], rec)
            if type(x) is int and type(y) is int:
                return x + y if sym[1] == 0 else x - y
            return MISS
        if k == "a":
            b = resolve(sym[1], rec)
            if b is MISS:
                return MISS
            t = type(b)
            if t is ModuleType:
                return b.__dict__.get(sym[2], MISS)
            if kind_of(t) != "object":
                return MISS
            d = inst_dict(b)
            if d is None:
                return MISS
            return d.get(sym[2], MISS)
        if k == "s":
            b = resolve(sym[1], rec)
            if b is MISS:
                return MISS
            key = resolve(sym[2], rec)
            tb = type(b)
            tk = type(key)
            if tb is list and tk is int:
                if -len(b) <= key < len(b):
                    return b[key]
                return MISS
            if tb is dict and (tk is int or tk is str):
                return b.get(key, MISS)
            return MISS
        return MISS

    def touch(o):
        h = table.get(id(o))
        if h is not None and h.df is not None and h.obj is o:
            h.df(h)

    def list_stores(rec, plan):
        """effects() of a segment that only stored items of one list (Meta.lst); None when not that simple here."""
        loc = rec.loc
        if loc is None:
            loc = rec.frame.f_locals
        o = loc.get(plan[0], MISS)
        if type(o) is not list:
            return None
        keys = []
        for nm, c in plan[1]:
            if nm is not None:
                j = loc.get(nm, MISS)
                if type(j) is not int:
                    return None
                c += j
            keys.append(c)
        h = table.get(id(o))
        if h is not None and h.obj is o:
            diff_list_at(h, keys)
        return True

    def effects(rec, m):
        """Apply the segment's targeted effects; False when something could not be resolved."""
        if m.lst is not None:
            done = list_stores(rec, m.lst)
            if done is not None:
                return done
        items = None
        for sym in m.targets:
            if sym[0] == "x":
                o = resolve(sym[1], rec)
                if o is MISS:
                    return False
                if type(o) is list:
                    key = resolve(sym[2], rec)
                    if type(key) is int:
                        if items is None:
                            items = {}
                        e = items.get(id(o))
                        if e is None:
                            items[id(o)] = (o, [key])
                        else:
                            e[1].append(key)
                        continue
                touch(o)
                continue
            o = resolve(sym, rec)
            if o is MISS:
                return False
            touch(o)
        if items is not None:
            for o, keys in items.values():
                h = table.get(id(o))
                if h is not None and h.obj is o:
                    diff_list_at(h, keys)
        for c in m.calls:
            if c[0] == "m":
                owner = resolve(c[1], rec)
                if owner is MISS:
                    return False
                e = method_effect(owner, c[2])
                if e == 1:
                    touch(owner)
                elif e:
                    return False
            else:
                f = resolve(c, rec)
                if f is MISS or call_effect(f):
                    return False
        return True

    # ---- keyframes
    def snapshot(extra):
        """Fresh full state from the real frames and objects (ids kept stable)."""
        nonlocal reuse, heap_bytes
        reuse = dict(table)
        heap_bytes = 0
        table.clear()
        mut.clear()
        todo.clear()
        try:
            frames = []
            for r in stack:
                loc = r.loc if r.loc is not None else r.frame.f_locals
                fo = {}
                hid = {}
                names = [nm for nm in r.fo if nm in loc]
                names += [nm for nm in loc if nm not in r.fo]
                for nm in names:
                    v = loc[nm]
                    if hidden(r, nm, v):
                        hid[nm] = v
                    else:
                        fo[nm] = v
                r.fo = fo
                r.hid = hid
                frames.append({"id": r.fid, "fn": r.ci.name, "vars": [[nm, val(v)] for nm, v in fo.items()]})
            ex = extra() if extra is not None else None
            drain()
            heap = [[h.rid, h.enc] for h in table.values()]
        finally:
            reuse = None
        return J({"stack": frames, "heap": heap}), ex

    # ---- steps
    i = 0
    next_kf = 0        # next index that needs the generic path (keyframe or step limit)
    # The compact form (CHANNEL.md): a plain line step whose fn and depth are the previous
    # step's is just its line, or [line, {delta}]; every other step names its ev, fn and depth.
    # The frame record of the previous step, whose fn and depth it named or implied: a record stays at one depth
    # while it is on the stack, so the same record means the same fn and depth. None: the step named another frame.
    last_rec = None
    LINE_TEXT = {}     # line -> str(line)
    cur_exc = None
    exc_line = [None, 0]   # the last exception step's exception and line (for the end frame)
    prop = False       # an exception step was the last step: further RAISEs of it are propagation

    def delta_str():
        """JSON text (without braces) of the pending delta fields; '' if none."""
        nonlocal npop, synced, dirty
        parts = []
        if npop:
            parts.append(f'"pop":{npop}')
            npop = 0
        if synced < len(stack):
            parts.append(f'"push":[{",".join([frame_js(r) for r in stack[synced:]])}]')
            synced = len(stack)
        if todo:
            drain()
        if dirty:
            if d_new:
                parts.append('"new":[%s]' % ",".join(d_new))
                d_new.clear()
            if d_upd:
                parts.append('"upd":[%s]' % ",".join(d_upd))
                d_upd.clear()
            if d_set:
                parts.append('"set":[%s]' % ",".join(d_set))
                d_set.clear()
            if d_del:
                parts.append('"del":[%s]' % ",".join(d_del))
                d_del.clear()
            if d_free:
                parts.append('"free":[%s]' % ",".join(d_free))
                d_free.clear()
            dirty = False
        return ",".join(parts)

    def clear_deltas():
        nonlocal npop, synced, dirty
        npop = 0
        synced = len(stack)
        d_new.clear()
        d_upd.clear()
        d_set.clear()
        d_del.clear()
        d_free.clear()
        dirty = False

    def emit(ev, line, ci, extra, ret=MISS):
        """Step emission for call/return/exception/viz steps, keyframes and the step limit.

        extra: None or a function returning the JSON fragment of the event's own field
        ('"ret":..', '"exc":..', '"viz":..'); it is called where its references get tracked."""
        nonlocal i, next_kf, prop, last_rec
        prop = False
        d = len(stack)
        last_rec = stack[-1] if d and stack[-1].ci is ci else None
        if i < next_kf and not full:
            # neither a keyframe nor the step limit (next_kf): most steps that come here
            if ret is not MISS:
                ex = '"ret":' + vjs(ret)
            else:
                ex = extra() if extra is not None else None
            if dirty or npop or synced != d or todo:
                ds = delta_str()
                if ex:
                    ds = (ds + "," + ex) if ds else ex
            else:
                ds = ex     # most returns: nothing changed but the value returned
            pend.append(f'[{line},{{"ev":"{ev}","fn":{ci.fnj},"depth":{d - 1}{("," + ds) if ds else ""}}}]')
            i += 1
            if len(pend) >= batch or (not (i & 63) and clock() - W.last_flush > 0.02):
                flush()
            return
        if i >= max_steps:
            finish("step_limit")
        # the rest is a keyframe (next_kf is the next multiple of K), or any step in debug `full` mode
        if ret is not MISS:
            extra = lambda: '"ret":' + vjs(ret)   # noqa: E731
        if todo:
            drain()
        kf, ex = snapshot(extra)
        clear_deltas()
        pend.append('[%d,{"ev":"%s","fn":%s,"depth":%d,"kf":%s%s}]'
                    % (line, ev, ci.fnj, d - 1, kf, ("," + ex) if ex else ""))
        i += 1
        nk = -(-i // K) * K
        next_kf = nk if nk < max_steps else max_steps
        if i == 1 or len(pend) >= batch or (not (i & 63) and clock() - W.last_flush > 0.02):
            flush()

    def emit_line(rec, line):
        nonlocal i, prop, last_rec
        if i >= next_kf:
            return emit("line", line, rec.ci, None)
        prop = False
        d = len(stack)
        if not pend or npop or synced != d or todo or rec is not last_rec:
            ds = delta_str()
            s = '[%d,{"fn":%s,"depth":%d%s}]' % (line, rec.ci.fnj, d - 1, ("," + ds) if ds else "")
            last_rec = rec
        elif dirty:
            s = '[%d,{%s}]' % (line, delta_str())
        else:
            s = LINE_TEXT.get(line) or LINE_TEXT.setdefault(line, str(line))
        pend.append(s)
        i += 1
        if len(pend) >= batch:
            flush_batch()
        elif not (i & 63) and clock() - W.last_flush > 0.02:
            flush()

    # ---- event handlers shared by both backends
    learner_limit = sys.getrecursionlimit()
    base_depth = 0

    def real_depth(f):
        n = 0
        while f is not None:
            n += 1
            f = f.f_back
        return n

    def on_call(f, ci, line, resumed, meta_off):
        """A learner frame starts (or a generator/coroutine resumes)."""
        nonlocal module_rec, i, prop, last_rec, synced, npop
        if get_ident() != main_thread:
            return     # sys.monitoring is process-wide: frames of learner threads are not traced
        if not ci.is_module and len(stack) + base_depth + 8 >= learner_limit and real_depth(f) >= learner_limit:
            raise RecursionError("maximum recursion depth exceeded")
        pre_event()
        rec = new_rec(f, ci)
        rec.meta = ci.meta_at(meta_off) if resumed else None
        stack.append(rec)
        if ci.is_module:
            module_rec = rec
            return
        d = len(stack)
        if i >= next_kf or full or dirty or todo or synced != d - 1:
            emit("call", line, ci, None)
            return
        # emit()'s step for the commonest call (nothing pending but this frame and maybe frames popped), in one go: a
        # copy of emit()'s fast branch, kept here because going through emit() and delta_str() costs fib 5-10% a step
        prop = False
        last_rec = rec
        head = f'"pop":{npop},"push":[' if npop else '"push":['
        npop = 0
        synced = d
        fj = frame_js(rec)
        rest = delta_str() if dirty or todo else ""    # objects the frame's values brought
        pend.append(f'[{line},{{"ev":"call","fn":{ci.fnj},"depth":{d - 1},{head}{fj}]{("," + rest) if rest else ""}}}]')
        i += 1
        if len(pend) >= batch or (not (i & 63) and clock() - W.last_flush > 0.02):
            flush()

    def on_return(f, ci, line, value):
        nonlocal synced, npop
        if not stack or stack[-1].frame is not f:
            if not resync(f):
                return
        pre_event()
        emit("return", line, ci, None, value)
        stack.pop()                                     # pop_rec(), inlined
        if len(stack) < synced:
            synced = len(stack)
            npop += 1

    def on_raise(f, ci, line, exc):
        nonlocal cur_exc, prop, force_full
        if not stack or stack[-1].frame is not f:
            if not resync(f):
                return
        if prop and exc is cur_exc:
            return
        pre_event()
        info = exc_info(exc, MS)
        emit("exception", line, ci, lambda: '"exc":' + J(info))
        exc_line[0] = exc
        exc_line[1] = line
        cur_exc = exc
        prop = True
        force_full = True

    def on_unwind(f):
        nonlocal force_full
        if stack and stack[-1].frame is f:
            pop_rec()
            force_full = True

    def resync(f):
        """The frame we were told about is not our top record (should not happen)."""
        for j in range(len(stack) - 1, -1, -1):
            if stack[j].frame is f:
                while len(stack) > j + 1:
                    pop_rec()
                return True
        return False

    def viz_step(payload):
        if not stack:
            return
        rec = stack[-1]
        pre_event()
        try:
            line = rec.frame.f_lineno or 0
        except Exception:
            line = 0
        emit("viz", line, rec.ci, lambda: '"viz":' + J(payload()) + ',"perf":' + W.perf())

    def value_with_heap(v):
        """v's Value and [[id, object], ...], every object it reaches as the trace last encoded it (the end frame's entry
        call result; cold: once a run)."""
        value = val(v)
        if todo:
            drain()
        encs = {h.rid: h.enc for h in table.values()}
        heap = []
        seen = set()
        pending = [value]
        while pending:
            x = pending.pop()
            if type(x) is not dict or type(x.get("r")) is not int or x["r"] in seen or x["r"] not in encs:
                continue
            seen.add(x["r"])
            enc = encs[x["r"]]
            heap.append([x["r"], enc])
            for item in enc.get("items", ()):
                pending.append(item)
            for key, item in enc.get("entries", ()):
                pending += (key, item)
            for _, item in enc.get("fields", ()):
                pending.append(item)
        return value, heap

    def bind_module(g, viz_obj):
        """The learner's module namespace and its `viz`, once they exist."""
        nonlocal gdict, VIZ
        gdict = g
        VIZ = viz_obj

    def set_limits(limit, depth):
        """The learner's recursion limit, and the depth of the frame the learner's module runs from."""
        nonlocal learner_limit, base_depth
        learner_limit = int(limit)
        base_depth = depth

    def get_limit():
        return learner_limit

    def steps_done():
        return i

    def line_at(f, off, line):
        """A line event of frame f at offset `off` (the settrace backend's, and sys.monitoring's same-line backward
        jumps); nothing when f is not a frame of ours."""
        rec = stack[-1]
        if rec.frame is not f:
            if not resync(f):
                return
            rec = stack[-1]
        pre_event()
        rec.meta = rec.ci.meta_at(off)
        emit_line(rec, line)

    # m_line's rarer paths, reached through one name: on every call CPython copies each closure variable a
    # function reads into its frame (~1.7 ns apiece here), and m_line runs once per step (with 39 such
    # variables instead of 27 the loop's step cost 4-5% more).
    rare = SimpleNamespace(resync=resync, pre_event=pre_event, var_changed=var_changed, set_text=set_text,
                           drain=drain, emit=emit, delta_str=delta_str, internal=internal, nj=nj,
                           pre_slow=pre_slow, flush_batch=flush_batch)

    def m_line(code, line):
        # The hot path: pre_event() and emit_line() inlined for the common case (a
        # segment that only rebinds locals to small ints / short strings, a step whose
        # delta is only `set`); everything else goes through the general helpers.
        # A step whose only delta is one such variable (q = its name, qv its value) is
        # formatted in one go: building its `set` entry apart costs as much again.
        nonlocal i, prop, dirty, last_rec
        try:
            f = _getframe(1)
            rec = stack[-1]
            if rec.frame is not f:
                if not rare.resync(f):
                    return
                rec = stack[-1]
            m = seg = rec.meta
            q = None
            ci = rec.ci
            d = len(stack)
            if force_full or m is None:
                rare.pre_event()
            else:
                names = m.names
                if names:
                    loc = rec.loc
                    if loc is None:
                        loc = f.f_locals
                    fo = rec.fo
                    plain = m.plain
                    for nm in names:
                        v = loc.get(nm, MISS)
                        o = fo.get(nm, MISS)
                        if v is not o:
                            t = type(v)
                            if (plain or (nm[0] != "_" and nm[0] != ".")) and (
                                    (t is int and -MAX_SAFE <= v <= MAX_SAFE) or
                                    (t is str and len(v) <= MS)):
                                fo[nm] = v
                                if q is None and not dirty:
                                    q = nm
                                    qv = v
                                    continue
                                d_set.append(rare.set_text(rec.fid, nm, v))
                                dirty = True
                            else:
                                rare.var_changed(rec, nm, v, o)
                    # q keeps to the step's own text only when the step says nothing else: no other
                    # change, no frame named, no keyframe; else it is the first `set` entry
                    if q is not None and (dirty or m.slow or exotic or todo or i >= next_kf or not pend or npop
                                          or synced != d or rec is not last_rec):
                        d_set.insert(0, rare.set_text(rec.fid, q, qv))
                        dirty = True
                        q = None
                if m.slow or exotic:
                    rare.pre_slow(rec, m)
                if todo:
                    rare.drain()
            la = f.f_lasti
            m = ci.metas.get(la)
            if m is None:
                m = ci.meta_at(la)
            rec.meta = m
            if i >= next_kf:
                rare.emit("line", line, ci, None)
                return
            prop = False
            if q is not None:
                fid = rec.fid
                if seg.set_line != line or seg.set_fid != fid or seg.set_name is not q:
                    seg.set_line = line
                    seg.set_fid = fid
                    seg.set_name = q
                    seg.set_text = f'[{line},{{"set":[[{fid},{NJC.get(q) or rare.nj(q)},'
                s = f"{seg.set_text}{qv}]]}}]" if type(qv) is int else seg.set_text + EBS(qv) + "]]}]"
            elif not pend or npop or synced != d or todo or rec is not last_rec:
                ds = rare.delta_str()
                s = '[%d,{"fn":%s,"depth":%d%s}]' % (line, ci.fnj, d - 1, ("," + ds) if ds else "")
                last_rec = rec
            elif dirty:
                if d_new or d_del or d_free or (d_upd and d_set):
                    s = '[%d,{%s}]' % (line, rare.delta_str())
                elif d_upd:
                    # a swap's step: items of a list
                    s = '[%d,{"upd":[%s]}]' % (line, ",".join(d_upd))
                    d_upd.clear()
                    dirty = False
                else:
                    s = '[%d,{"set":[%s]}]' % (line, ",".join(d_set))
                    d_set.clear()
                    dirty = False
            else:
                s = LINE_TEXT.get(line) or LINE_TEXT.setdefault(line, str(line))
            pend.append(s)
            i += 1
            if len(pend) >= batch:
                rare.flush_batch()
            elif not (i & 63) and clock() - W.last_flush > 0.02:
                flush()
        except Exception as e:
            rare.internal(e)


    return SimpleNamespace(
        on_call=on_call, on_return=on_return, on_raise=on_raise, on_unwind=on_unwind, resync=resync,
        pre_event=pre_event, emit_line=emit_line, m_line=m_line, viz_step=viz_step, val=val, value_with_heap=value_with_heap,
        exc_line=exc_line, stack=stack, real_depth=real_depth, bind_module=bind_module, set_limits=set_limits,
        get_limit=get_limit, steps_done=steps_done, line_at=line_at)
