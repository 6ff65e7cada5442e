#!/usr/bin/env python3
"""Runs every example through the C++ runtime and checks how each run ends.

    python3 dev/tracers/cpp/examples/run_examples.py [--image TAG] [--memory 256m] [-v] [NAME...]
    python3 dev/tracers/cpp/examples/run_examples.py --local      # runner.py on this host

By default each example runs in a container with the flags of
server/sandbox/sandbox-docker.ts plus the /sandbox exec tmpfs the cpp image needs
(TAG defaults to tracecast/cpp:latest). --local runs runner.py directly with
TRACECAST_SANDBOX_DIR pointing at a temporary directory (needs g++ >= 11 on the host).
Exit status 0 when every example ends as expected.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME = os.path.join(HERE, "..", "..", "..", "..", "tracer-runtimes", "cpp")


def docker_cmd(image, memory, name):
    return ["docker", "run", "--rm", "-i", "--name", name,
            "--network", "none", "--read-only",
            "--tmpfs", "/tmp:rw,noexec,nosuid,nodev,size=16m,mode=1777",
            "--tmpfs", "/sandbox:rw,exec,nosuid,nodev,size=64m,mode=1777",
            "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "--user", "10001:10001", "--memory", memory, "--memory-swap", memory,
            "--pids-limit", "64", "--cpus", "1", "--ulimit", "core=0", image]


def run_job(job, args, timeout):
    """Returns (frames, seconds until the end frame or None, stderr text)."""
    name = "tc-cpp-example-" + uuid.uuid4().hex[:10]
    if args["local"]:
        tmp = tempfile.mkdtemp(prefix="tc-cpp-")
        env = dict(os.environ, TRACECAST_SANDBOX_DIR=tmp)
        cmd = [sys.executable, "-u", os.path.join(RUNTIME, "runner.py")]
    else:
        env, cmd = None, docker_cmd(args["image"], args["memory"], name)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    err = []
    threading.Thread(target=lambda: err.append(p.stderr.read()), daemon=True).start()
    p.stdin.write((json.dumps(job) + "\n").encode())
    p.stdin.close()
    frames, ended = [], None
    timer = threading.Timer(timeout, lambda: kill(p, name, args))
    timer.start()
    try:
        while True:
            head = p.stdout.read(4)
            if len(head) < 4:
                break
            (n,) = struct.unpack(">I", head)
            assert n <= 1 << 20, "frame over 1 MiB"
            f = json.loads(p.stdout.read(n))
            frames.append(f)
            if f["t"] == "end":
                ended = time.monotonic() - t0
                break
    finally:
        timer.cancel()
        if ended is None:
            kill(p, name, args)
        p.wait()
    return frames, ended, b"".join(err).decode("utf-8", "replace")


def kill(p, name, args):
    if not args["local"]:  # our own container, by its unique name
        subprocess.run(["docker", "kill", name], capture_output=True)
    try:
        p.kill()
    except OSError:
        pass


def read(name):
    with open(os.path.join(HERE, name)) as fh:
        return fh.read()


def steps_of(frames):
    return [s for f in frames if f["t"] == "steps" for s in f["steps"]]


def text_of(frames, stream="stdout"):
    return "".join(f["text"] for f in frames if f["t"] == "output" and f["stream"] == stream)


def check_steps(frames):
    """Consecutive indices, kf on step 0, one frame whose fn matches every step."""
    steps = steps_of(frames)
    stack = []
    for k, s in enumerate(steps):
        assert s["i"] == k, "step %d has i %s" % (k, s["i"])
        assert s["ev"] == "viz" and s["depth"] == 0 and isinstance(s["line"], int)
        if "kf" in s:
            stack = list(s["kf"]["stack"])
        else:
            assert k > 0, "step 0 without kf"
            del stack[len(stack) - s.get("pop", 0):]
            stack += s.get("push", [])
        assert len(stack) == 1 and stack[0]["fn"] == s["fn"], "stack %r at step %d (%s)" % (stack, k, s["fn"])
    return steps


def end_of(frames):
    return frames[-1] if frames and frames[-1]["t"] == "end" else None


# name -> (job overrides, expected end status or None for "no end frame", extra check)
def expectations():
    def hello(fr, end):
        assert text_of(fr) == "Hello, Ada!\n", text_of(fr)

    def bubble(fr, end):
        steps = check_steps(fr)
        ops = [s["viz"]["op"] for s in steps]
        assert ops[0] == "note" and ops[1] == "array", ops[:3]
        assert steps[1]["fn"] == "bubble_sort" and steps[0]["fn"] == "main"
        assert steps[-1]["viz"] == {"op": "step", "label": "sorted", "data": True}, steps[-1]
        assert text_of(fr).endswith("1 2 4 5 8 \n"), text_of(fr)
        # every "pass done" line belongs to the step just before it (the last deselect)
        outs = [f for f in fr if f["t"] == "output"]
        for o in outs:
            if o["text"].startswith("pass done"):
                assert steps[o["step"]]["viz"]["op"] == "deselect", (o, steps[o["step"]])
        assert end["peakRssKb"] > 0

    def compile_error(fr, end):
        e = end["error"]
        assert e["type"] == "CompileError" and e["line"] == 5 and e.get("column") == 16, e
        assert "error:" in e["message"], e

    def segv(fr, end):
        e = end["error"]
        assert e["type"] == "Crash" and e["signal"] == "SIGSEGV" and e["line"] is None, e
        assert "about to crash" in text_of(fr), "output before the crash was lost"

    def viz_loop(fr, end):
        assert end["steps"] == 1000 and len(check_steps(fr)) == 1000, end

    def exit_code(fr, end):
        assert end["error"] == {"type": "Exit", "message": "exit status 3", "line": None}, end
        assert text_of(fr) == "returning 3\n"

    def uncaught(fr, end):
        e = end["error"]
        assert e["signal"] == "SIGABRT" and "std::out_of_range" in e["message"], e

    def flood(fr, end):
        assert len(text_of(fr).encode()) == 4096, len(text_of(fr).encode())

    def forge(fr, end):
        assert end["error"]["type"] == "VizChannelError", end
        assert len(check_steps(fr)) == 1
        assert '"status":"ok"' in text_of(fr)

    def values(fr, end):
        steps = check_steps(fr)
        by = {s["viz"].get("label"): s for s in steps if s["viz"]["op"] == "step"}
        assert by["big"]["viz"]["data"] == {"sp": "bigint", "v": "9007199254740993"}
        assert by["nan"]["viz"]["data"] == {"sp": "nan"} and by["inf"]["viz"]["data"] == {"sp": "-inf"}
        assert by["char"]["viz"]["data"] == "x"
        assert by["string"]["viz"]["data"] == "h\u00e9llo \"quoted\"\n"
        assert by["long string"]["viz"]["data"] == {"sp": "str", "v": "a" * 1000, "len": 5000}
        lv = by["long vector"]
        ref = lv["viz"]["data"]["r"]
        heap = dict(lv.get("new") or lv.get("kf", {}).get("heap"))
        assert heap[ref]["len"] == 1000 and len(heap[ref]["items"]) == 100
        g = by["grid"]
        assert g["fn"] == "show" and len(g["new"]) == 3, g
        assert by["in lambda"]["fn"] == "<lambda>"
        arrays = [s["viz"] for s in steps if s["viz"]["op"] == "array"]
        assert arrays[0]["values"] == [3, 2, 1] and arrays[1]["values"] == [True, False]
        assert arrays[2]["values"] == ["a", "b", "c"]

    stdin = {"stdin": ["Ada"]}
    return {
        "hello": (stdin, "ok", hello),
        "bubble_sort": ({}, "ok", bubble),
        "compile_error": ({}, "compile_error", compile_error),
        "segfault": ({}, "error", segv),
        "infinite_loop": ({}, None, None),
        "viz_loop": ({"maxSteps": 1000}, "step_limit", viz_loop),
        "exit_code": ({}, "error", exit_code),
        "uncaught": ({}, "error", uncaught),
        "output_flood": ({"maxOutputBytes": 4096}, "output_limit", flood),
        "forge": ({}, "error", forge),
        "values": ({}, "ok", values),
    }


def main():
    argv = sys.argv[1:]
    args = {"image": "tracecast/cpp:latest", "memory": "256m", "local": False, "verbose": False}
    only = []
    while argv:
        a = argv.pop(0)
        if a == "--image":
            args["image"] = argv.pop(0)
        elif a == "--memory":
            args["memory"] = argv.pop(0)
        elif a == "--local":
            args["local"] = True
        elif a in ("-v", "--verbose"):
            args["verbose"] = True
        else:
            only.append(a)
    failed = 0
    for name, (over, want, check) in expectations().items():
        if only and name not in only:
            continue
        job = {"code": read(name + ".cpp"), "stdin": [], "maxSteps": 100000, "maxOutputBytes": 65536,
               "maxItems": 100, "maxString": 1000, "keyframeEvery": 1000, "full": False, "batchSteps": 512}
        job.update(over)
        frames, secs, err = run_job(job, args, timeout=4 if want is None else 30)
        end = end_of(frames)
        got = end["status"] if end else None
        ok = got == want and frames and frames[0]["t"] == "hello" and frames[0]["lang"] == "cpp"
        note = ""
        if ok and check and end:
            try:
                check(frames, end)
            except AssertionError as e:
                ok, note = False, "check failed: %s" % e
        if want is None:
            note = note or "no end frame after 4 s: the host's wall clock would stop it"
        timing = "%.2fs" % secs if secs is not None else "-"
        print("%-4s %-14s want %-14s got %-14s %7s %s" % ("ok" if ok else "FAIL", name, want, got, timing, note))
        if args["verbose"] or not ok:
            for f in frames:
                print("     ", json.dumps(f)[:300])
            if err.strip():
                print("      stderr:", err.strip()[:2000])
        failed += not ok
    print("%d failed" % failed if failed else "all examples ended as expected")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
