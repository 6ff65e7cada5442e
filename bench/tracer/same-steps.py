"""The same jobs through two tracer runtime folders, in a sandbox image: the steps must be identical.

Each program of a corpus runs three ways (deltas, `full: true`, keyframes every 7 with 3 items shown) through both
runtimes; every step is compared as the full map the runner expands it to (a `steps` frame's split depends on the
20 ms flush clock), every other frame as it is but `peakRssKb`. Run it in the language's image, e.g.:

  docker run --rm --network none -v $BEFORE/python:/old:ro -v $PWD/tracer-runtimes/python:/new:ro \
    -v $PWD/tests/corpus/python:/corpus:ro -v $PWD/bench/tracer/same-steps.py:/same-steps.py:ro \
    -v $PWD/dev/tracers/python:/dev-tracers:ro --entrypoint python3 tracecast/python:latest \
    /same-steps.py /old /new /corpus "python3 -u {}/tracer.py"

(JavaScript: the javascript image, tests/corpus/javascript, "node {}/tracer.mjs", and a vendor/acorn.mjs that is a
file, not a link, in each folder.)
"""
import glob, json, os, re, struct, subprocess, sys
sys.path.insert(0, "/dev-tracers")
from channel_frames import expand_steps   # dev/tracers/python/channel_frames.py
old, new, corpus, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]   # cmd: python3 -u {}/tracer.py | node {}/tracer.mjs
progs = sorted(glob.glob(corpus + "/*"))
jobs = [dict(full=False, keyframeEvery=1000), dict(full=True), dict(full=False, keyframeEvery=7, maxItems=3)]
bad = 0
n = 0
total = [0]
def run(d, code, extra):
    job = dict({"code": code, "stdin": ["Ada", "3", "5"], "maxSteps": 200000, "maxOutputBytes": 1048576, "maxItems": 100, "maxString": 1000, "keyframeEvery": 1000, "full": False, "batchSteps": 512}, **extra)
    p = subprocess.run(cmd.replace("{}", d).split(), input=(json.dumps(job) + "\n").encode(), capture_output=True, timeout=120)
    out = p.stdout
    frames, pos = [], 0
    while pos + 4 <= len(out):
        (k,) = struct.unpack(">I", out[pos:pos + 4])
        fr = json.loads(out[pos + 4:pos + 4 + k])
        pos += 4 + k
        # a frame's split depends on the 20 ms flush clock (and its first step then names fn and depth): compare the
        # steps themselves, each as the full map the runner expands it to, and every other frame as it is
        if fr.get("t") == "steps":
            frames.extend(json.dumps(st, sort_keys=True).encode() for st in expand_steps(fr))
        else:
            fr.pop("peakRssKb", None)
            frames.append(json.dumps(fr, sort_keys=True).encode())
    return frames, p.stderr
for path in progs:
    code = open(path, encoding="utf-8").read()
    for extra in jobs:
        n += 1
        a, ea = run(old, code, extra)
        b, eb = run(new, code, extra)
        total[0] += sum(map(len, a))
        if a != b:
            bad += 1
            print("DIFF", os.path.basename(path), extra, len(a), len(b), eb.decode()[-500:])
print("%d runs of %d programs, %d differ, %d bytes of steps (expanded) and other frames compared" % (n, len(progs), bad, total[0]))
