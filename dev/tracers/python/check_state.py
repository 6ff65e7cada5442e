#!/usr/bin/env python3
"""Reconstruction check for tracer.py's deltas (a development tool, stdlib only).

Runs a program twice with the same Python: once with `full: true` (a keyframe on
every step, computed from the real frames and objects) and once with deltas
(keyframes every K steps). Applies the deltas exactly as CHANNEL.md says (pop, push,
new, upd, set, del, free) and compares the reconstructed state with the keyframe of
the full run at every step: the stack (frame ids, fn, vars in order) and the heap
reachable from it, with heap ids canonicalised by traversal order. Also checks the
step invariant (stack holds depth+1 frames, top frame runs fn), that both runs have
the same steps (ev, line, fn, depth, ret, exc, viz) and the same output and end.

Usage:
  check_state.py [--python CMD] [--dir DIR] [--job JSON] [--every K] PROGRAM.py...
    --job JSON   job fields merged into both runs, e.g. '{"maxItems": 3, "stdin": ["4"]}'
    --every K    keyframeEvery for the delta run (default 1000)
"""
import copy
import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
RUNTIME = os.path.normpath(os.path.join(HERE, "..", "..", "..", "tracer-runtimes", "python"))
from channel_frames import read_frames  # noqa: E402


def run_tracer(py, rdir, src, job_extra):
    """Runs the tracer; returns an iterator over its frames (parsed lazily) and a closer."""
    job = {"code": src, "stdin": [], "maxSteps": 200000, "maxOutputBytes": 1 << 20,
           "maxItems": 100, "maxString": 1000, "keyframeEvery": 1000, "full": False, "batchSteps": 512}
    job.update(job_extra)
    env = dict(os.environ, PYTHONHASHSEED="0")
    p = subprocess.run(py + ["-u", rdir + "/tracer.py"], input=(json.dumps(job) + "\n").encode(),
                       capture_output=True, env=env, timeout=600)
    if p.returncode != 0:
        raise AssertionError("tracer exit code %d: %s" % (p.returncode, p.stderr.decode()[-2000:]))
    out = p.stdout

    def frames():
        return read_frames(out)
    return frames


class State:
    def __init__(self):
        self.stack = []      # [{"id", "fn", "vars": [[name, value], ...]}]
        self.heap = {}

    def apply(self, s, maxitems):
        if "kf" in s:
            kf = copy.deepcopy(s["kf"])
            self.stack = kf["stack"]
            self.heap = {h[0]: h[1] for h in kf["heap"]}
            return
        if "pop" in s:
            assert s["pop"] <= len(self.stack), "pop more frames than on the stack"
            del self.stack[len(self.stack) - s["pop"]:]
        for fr in s.get("push", []):
            self.stack.append(copy.deepcopy(fr))
        for hid, obj in s.get("new", []):
            self.heap[hid] = copy.deepcopy(obj)
        for hid, patch in s.get("upd", []):
            assert hid in self.heap, "upd of unknown heap object %s" % hid
            self.patch(self.heap[hid], copy.deepcopy(patch), maxitems, hid)
        frames = {f["id"]: f for f in self.stack}
        for fid, name, value in s.get("set", []):
            assert fid in frames, "set in unknown frame %s" % fid
            vs = frames[fid]["vars"]
            for pair in vs:
                if pair[0] == name:
                    pair[1] = copy.deepcopy(value)
                    break
            else:
                vs.append([name, copy.deepcopy(value)])
        for fid, name in s.get("del", []):
            assert fid in frames, "del in unknown frame %s" % fid
            vs = frames[fid]["vars"]
            n0 = len(vs)
            vs[:] = [p for p in vs if p[0] != name]
            assert len(vs) == n0 - 1, "del of unknown variable %s" % name
        for hid in s.get("free", []):
            self.heap.pop(hid, None)

    def patch(self, obj, patch, maxitems, hid):
        if "full" in patch:
            obj.clear()
            obj.update(patch["full"])
            return
        k = obj["k"]
        if k in ("list", "tuple"):
            items = obj["items"]
            for idx, v in patch.get("set", []):
                if idx < len(items):
                    items[idx] = v
                elif idx == len(items):
                    items.append(v)
                else:
                    raise AssertionError("list set beyond the end (obj %s idx %s len %s)" % (hid, idx, len(items)))
            for idx in sorted(patch.get("del", []), reverse=True):
                del items[idx]
            if "len" in patch:
                obj["len"] = patch["len"]
                del items[min(patch["len"], maxitems):]
        elif k in ("dict", "map", "object"):
            key = "fields" if k == "object" else "entries"
            ent = obj[key]
            for kk, v in patch.get("set", []):
                for e in ent:
                    if e[0] == kk:
                        e[1] = v
                        break
                else:
                    ent.append([kk, v])
            for kk in patch.get("del", []):
                n0 = len(ent)
                ent[:] = [e for e in ent if e[0] != kk]
                assert len(ent) == n0 - 1, "del of unknown key %r" % (kk,)
            if "len" in patch:
                obj["len"] = patch["len"]
                del ent[min(patch["len"], maxitems):]
        else:
            raise AssertionError("non-full patch for kind %s" % k)

    def canonical(self):
        ids = {}
        out_heap = {}

        def cv(v):
            if isinstance(v, dict) and "r" in v and len(v) == 1:
                r = v["r"]
                if r not in ids:
                    assert r in self.heap, "dangling reference %s" % r
                    ids[r] = len(ids)
                    obj = self.heap[r]
                    c = {}
                    out_heap[ids[r]] = c
                    for fk, fv in obj.items():
                        if fk in ("items",):
                            c[fk] = [cv(x) for x in fv]
                        elif fk in ("entries", "fields"):
                            c[fk] = [[cv(a) if fk == "entries" else a, cv(b)] for a, b in fv]
                        else:
                            c[fk] = fv
                return ["ref", ids[r]]
            return v

        st = [[f["id"], f["fn"], [[n, cv(v)] for n, v in f["vars"]]] for f in self.stack]
        return st, out_heap


def canon_value(state, v):
    """Canonical form of a ret/viz value against a state (refs resolved shallowly by kind)."""
    if isinstance(v, dict) and "r" in v and len(v) == 1:
        o = state.heap.get(v["r"])
        return ["ref", o["k"] if o else None]
    if isinstance(v, dict):
        return {k: canon_value(state, x) for k, x in v.items()}
    if isinstance(v, list):
        return [canon_value(state, x) for x in v]
    return v


def check(py, rdir, path, job_extra, every):
    with open(path, encoding="utf-8") as fh:
        src = fh.read()
    full_frames = run_tracer(py, rdir, src, dict(job_extra, full=True))
    delta_frames = run_tracer(py, rdir, src, dict(job_extra, full=False, keyframeEvery=every))
    maxitems = dict(job_extra).get("maxItems", 100)

    def summary(frames):
        outs, end, n, first = [], None, 0, None
        for f in frames():
            if first is None:
                first = f
            if f["t"] == "steps":
                n += len(f["steps"])
            elif f["t"] == "output":
                if outs and outs[-1][0] == f["stream"] and outs[-1][1] == f["step"]:
                    outs[-1][2] += f["text"]
                else:
                    outs.append([f["stream"], f["step"], f["text"]])
            elif f["t"] == "end":
                end = f
        assert first is not None and first["t"] == "hello", "no hello frame"
        return outs, end, n

    fo, fe, fn = summary(full_frames)
    do, de, dn = summary(delta_frames)
    assert fe is not None and de is not None, "missing end frame"
    assert fe["status"] == de["status"] and fe["steps"] == de["steps"] == dn, "end frames differ"
    assert fe.get("error") == de.get("error"), "end errors differ: %s vs %s" % (fe.get("error"), de.get("error"))
    assert fn == dn, "step counts differ: full %d delta %d" % (fn, dn)
    assert fo == do, "outputs differ"

    def steps(frames):
        for f in frames():
            if f["t"] == "steps":
                for s in f["steps"]:
                    yield s

    full_state = State()
    st = State()
    for k, (a, b) in enumerate(zip(steps(full_frames), steps(delta_frames))):
        assert a["i"] == b["i"] == k, "step index mismatch at %d" % k
        for key in ("ev", "line", "fn", "depth", "exc"):
            assert a.get(key) == b.get(key), "step %d: %s differs: %r vs %r" % (k, key, a.get(key), b.get(key))
        assert "kf" in a, "full run step %d has no keyframe" % k
        if k == 0 or k % every == 0:
            assert "kf" in b, "delta run step %d should carry a keyframe" % k
        if "kf" in b:
            assert not (set(b) & {"pop", "push", "new", "upd", "set", "del", "free"}), \
                "step %d: keyframe with delta fields" % k
        full_state.apply(a, maxitems)
        st.apply(b, maxitems)
        ca = full_state.canonical()
        cb = st.canonical()
        if ca != cb:
            raise AssertionError("state differs after step %d (%s line %s)\n full:  %s\n delta: %s" % (
                k, b["ev"], b["line"], json.dumps(ca)[:3000], json.dumps(cb)[:3000]))
        assert len(st.stack) == b["depth"] + 1, "step %d: stack has %d frames, depth %d" % (
            k, len(st.stack), b["depth"])
        assert st.stack[-1]["fn"] == b["fn"], "step %d: top frame runs %s, step says %s" % (
            k, st.stack[-1]["fn"], b["fn"])
        for key in ("ret", "viz"):
            assert (key in a) == (key in b), "step %d: %s present in one run only" % (k, key)
            if key in a:
                assert canon_value(full_state, a[key]) == canon_value(st, b[key]), "step %d: %s differs" % (k, key)
    return dn, de["status"]


def main(argv):
    py = [sys.executable]
    rdir = RUNTIME
    job_extra = {}
    every = 1000
    progs = []
    k = 0
    while k < len(argv):
        a = argv[k]
        if a == "--python":
            py = shlex.split(argv[k + 1])
            k += 2
        elif a == "--dir":
            rdir = argv[k + 1]
            k += 2
        elif a == "--job":
            job_extra = json.loads(argv[k + 1])
            k += 2
        elif a == "--every":
            every = int(argv[k + 1])
            k += 2
        else:
            progs.append(a)
            k += 1
    fails = 0
    for p in progs:
        try:
            n, status = check(py, rdir, p, job_extra, every)
            print("ok   %-36s %6d steps, %s" % (os.path.basename(p), n, status))
        except AssertionError as e:
            fails += 1
            print("FAIL %-36s %s" % (os.path.basename(p), e))
    print("%d passed, %d failed" % (len(progs) - fails, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
