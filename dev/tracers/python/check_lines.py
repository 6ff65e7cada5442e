#!/usr/bin/env python3
"""Compare tracer.py's steps with plain sys.settrace line semantics.

For each program, runs settrace_lines.py (the reference) and tracer.py with the
same Python, then compares:

  lines   the sequence of (line, fn, depth) of "line" events - the contract: equal;
  events  the sequence of (ev, line, fn, depth) for line/call/return events, after
          normalising settrace's extras that the tracer deliberately does not emit
          as steps: the <module> frame's "call" (the first step carries the module
          frame in its keyframe instead), and the "return" settrace reports for
          frames unwound by an exception.

Usage:
  check_lines.py [--python CMD] [--dir DIR] [--json] PROGRAM.py...   (default: line-corpus/*.py)

  --python CMD  command that runs the target Python, e.g. "python3" or
                "docker run --rm -i --network none -v $PWD:/opt/tracecast:ro tracecast/base:dev python3"
  --dir DIR     where tracer.py is as seen by that Python
                (default: tracer-runtimes/python; /opt/tracecast for the docker example)

Exit status 0 when every program matches on both comparisons. Stdlib only.
"""
import glob
import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
RUNTIME = os.path.normpath(os.path.join(HERE, "..", "..", "..", "tracer-runtimes", "python"))
from channel_frames import read_frames  # noqa: E402


def run_cmd(cmd, data):
    p = subprocess.run(cmd, input=data, capture_output=True, timeout=600)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def reference(py, rdir, src):
    # the reference runs from its text: this folder need not be where that Python runs (--python "docker run ...")
    with open(os.path.join(HERE, "settrace_lines.py")) as fh:
        ref = fh.read()
    rc, out, err = run_cmd(py + ["-u", "-c", ref], src.encode("utf-8"))
    if rc != 0:
        raise RuntimeError("settrace_lines.py failed (%d): %s" % (rc, err[-2000:]))
    events = json.loads(out.decode("utf-8"))
    res = []
    depth = -1
    for ev, line, fn in events:
        if ev == "call":
            depth += 1
            res.append((ev, line, fn, depth))
        elif ev in ("return", "unwind"):
            res.append((ev, line, fn, depth))
            depth -= 1
        else:
            res.append((ev, line, fn, depth))
    return res


def traced(py, rdir, src, extra=None):
    job = {"code": src, "stdin": [], "maxSteps": 10000000, "maxOutputBytes": 1 << 30,
           "maxItems": 100, "maxString": 1000, "keyframeEvery": 1000, "full": False, "batchSteps": 512}
    job.update(extra or {})
    rc, out, err = run_cmd(py + ["-u", rdir + "/tracer.py"], (json.dumps(job) + "\n").encode("utf-8"))
    if rc != 0:
        raise RuntimeError("tracer.py exited %d: %s" % (rc, err[-2000:]))
    steps = []
    end = None
    for fr in read_frames(out):
        if fr["t"] == "steps":
            steps.extend(fr["steps"])
        elif fr["t"] == "end":
            end = fr
    if end is None:
        raise RuntimeError("no end frame; stderr: %s" % err[-2000:])
    if end["status"] == "error" and end["error"]["type"] == "TracerError":
        raise RuntimeError("tracer internal error: %s\n%s" % (end["error"]["message"], err[-3000:]))
    return [(s["ev"], s["line"], s["fn"], s["depth"]) for s in steps], end


def first_diff(a, b):
    for k in range(min(len(a), len(b))):
        if a[k] != b[k]:
            return k
    return min(len(a), len(b)) if len(a) != len(b) else -1


def compare(py, rdir, path):
    with open(path, encoding="utf-8") as fh:
        src = fh.read()
    ref = reference(py, rdir, src)
    got, end = traced(py, rdir, src)
    ref_lines = [(l, f, d) for e, l, f, d in ref if e == "line"]
    got_lines = [(l, f, d) for e, l, f, d in got if e == "line"]
    ref_ev = [r for r in ref
              if r[0] in ("line", "call", "return") and not (r[2] == "<module>" and r[3] == 0 and r[0] == "call")]
    got_ev = [g for g in got if g[0] in ("line", "call", "return")]
    res = {"program": os.path.basename(path), "settrace_lines": len(ref_lines), "tracer_lines": len(got_lines),
           "lines_equal": ref_lines == got_lines, "events_equal": ref_ev == got_ev,
           "steps": len(got), "end": end["status"]}
    for key, a, b in (("lines", ref_lines, got_lines), ("events", ref_ev, got_ev)):
        k = first_diff(a, b)
        if k >= 0:
            res[key + "_first_diff"] = {"index": k, "settrace": a[max(0, k - 3):k + 3], "tracer": b[max(0, k - 3):k + 3]}
    return res


def main(argv):
    py = [sys.executable]
    rdir = RUNTIME
    as_json = False
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
        elif a == "--json":
            as_json = True
            k += 1
        else:
            progs.append(a)
            k += 1
    if not progs:
        progs = sorted(glob.glob(os.path.join(HERE, "line-corpus", "*.py")))
    results = []
    ok = True
    for p in progs:
        try:
            r = compare(py, rdir, p)
        except Exception as e:
            r = {"program": os.path.basename(p), "lines_equal": False, "events_equal": False, "error": str(e)}
        results.append(r)
        ok = ok and r["lines_equal"] and r["events_equal"]
        if not as_json:
            mark = "ok  " if r["lines_equal"] and r["events_equal"] else "FAIL"
            print("%s %-34s lines %s/%s events %s%s" % (
                mark, r["program"], r.get("tracer_lines", "?"), r.get("settrace_lines", "?"),
                "equal" if r["events_equal"] else "DIFFER",
                "" if "error" not in r else "  error: " + r["error"][:300]))
            for key in ("lines_first_diff", "events_first_diff"):
                if key in r:
                    print("     %s at %d\n       settrace: %s\n       tracer:   %s" % (
                        key, r[key]["index"], r[key]["settrace"], r[key]["tracer"]))
    if as_json:
        print(json.dumps(results, indent=1))
    else:
        n_ok = sum(1 for r in results if r["lines_equal"] and r["events_equal"])
        print("%d passed, %d failed" % (n_ok, len(results) - n_ok))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
