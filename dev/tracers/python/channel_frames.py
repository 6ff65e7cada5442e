"""Reading a tracer's frame channel (CHANNEL.md) for the development checks, stdlib only."""
import json
import struct

MAX_FRAME = 1 << 20


def expand_steps(frame):
    """A `steps` frame's steps as full maps {i, ev, line, fn, depth, ...delta}, from either form."""
    if "first" not in frame:
        return frame["steps"]
    out = []
    fn = depth = None
    last = {}      # slot -> its value at the frame's last slot entry
    for k, e in enumerate(frame["steps"]):
        if type(e) is int:
            s = {"i": frame["first"] + k, "ev": "line", "line": e, "fn": fn, "depth": depth}
        elif len(e) % 2:
            # a slot entry [line, slot, value, ...]: a negative slot ~s gives vars[s] by its change
            s = {"i": frame["first"] + k, "ev": "line", "line": e[0], "fn": fn, "depth": depth, "set": []}
            for slot, v in zip(e[1::2], e[2::2]):
                if slot < 0:
                    slot = ~slot
                    v += last[slot]
                last[slot] = v
                s["set"].append([*frame["vars"][slot], v])
        else:
            line, m = e
            s = {"i": frame["first"] + k, "ev": m.get("ev", "line"), "line": line}
            frames = m["kf"]["stack"] if "kf" in m else m.get("push")
            s["fn"] = m["fn"] if "fn" in m else (frames[-1]["fn"] if frames else fn)
            if "depth" in m:
                s["depth"] = m["depth"]
            elif "kf" in m:
                s["depth"] = len(m["kf"]["stack"]) - 1
            else:
                s["depth"] = depth - m.get("pop", 0) + len(m.get("push", ()))
            for key, v in m.items():
                if key not in ("i", "ev", "line", "fn", "depth"):
                    s[key] = v
        if s["fn"] is None or s["depth"] is None:
            raise AssertionError("step %d lacks the fn or depth the first step of a frame names" % s["i"])
        fn, depth = s["fn"], s["depth"]
        out.append(s)
    return out


def read_frames(out):
    """The frames in a channel's bytes, `steps` frames with full steps."""
    pos = 0
    while pos < len(out):
        (n,) = struct.unpack(">I", out[pos:pos + 4])
        if n > MAX_FRAME:
            raise AssertionError("frame larger than 1 MiB")
        fr = json.loads(out[pos + 4:pos + 4 + n].decode("utf-8"))
        pos += 4 + n
        if fr.get("t") == "steps":
            fr["steps"] = expand_steps(fr)
        yield fr
