"""The viz pipe's records (README, "The channel between the header and runner.py"), validated field by field: the
program's bytes never reach a frame unchecked, so stdout or junk on descriptor 3 cannot forge a step."""
import json
import math
import re

from limits import MAX_SAFE, VIZ_LINE_CAP
from program import VIZ_FD


class Bad(Exception):
    """A record that tracecast.hpp would not have written."""


def int_field(v):
    if not isinstance(v, int) or isinstance(v, bool):
        raise Bad("expected an integer")
    return v


def simple_fn(raw, _cache={}):
    """`static std::vector<int> ns::Foo::baz(const std::map<int, int>&)` -> `baz`."""
    got = _cache.get(raw)
    if got is not None:
        return got
    s = raw
    k = s.find(" [with ")
    if k >= 0:
        s = s[:k]
    if "<lambda" in s:
        name = "<lambda>"
    else:
        m = re.search(r"(?:^|[\s:*&])(operator\s*(?:\(\)|\[\]|[^\s(]+))\s*\(", s)
        name = m.group(1).replace(" ", "") if m else _bare_name(s)
    name = name or raw or "<unknown>"
    if len(_cache) < 10000:
        _cache[raw] = name
    return name


def _bare_name(s):
    """The last name before the parameter list, without scopes, return type or explicit template arguments."""
    depth = 0
    for idx, ch in enumerate(s):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth = max(0, depth - 1)
        elif ch == "(" and depth == 0 and idx > 0 and (s[idx - 1].isalnum() or s[idx - 1] in "_>~"):
            head = s[:idx]
            if head.endswith(">"):  # explicit template arguments: f<int>(..)
                d, j = 0, len(head) - 1
                while j >= 0:
                    if head[j] == ">":
                        d += 1
                    elif head[j] == "<":
                        d -= 1
                        if d == 0:
                            break
                    j -= 1
                head = head[:max(j, 0)]
            return head.rsplit(" ", 1)[-1].rsplit("::", 1)[-1].lstrip("*&") or head
    return s


class LineRecords:
    """JSON lines from a pipe of the program's (the viz records; bench mode's results): `feed` bytes as they come,
    each complete line goes to `on_line`; a line past VIZ_LINE_CAP or unterminated at the end goes to `malformed`."""

    def __init__(self):
        self.buf = bytearray()

    def on_line(self, raw):
        raise NotImplementedError

    def malformed(self, why):
        raise NotImplementedError

    def feed(self, data):
        buf = self.buf
        buf.extend(data)
        start = 0
        while True:
            nl = buf.find(b"\n", start)
            if nl < 0:
                break
            if nl > start:
                self.on_line(bytes(buf[start:nl]))
            start = nl + 1
        del buf[:start]
        if len(buf) > VIZ_LINE_CAP:
            self.malformed("a record longer than %d bytes" % VIZ_LINE_CAP)

    def at_end(self):
        """The pipe is closed: a partial record left over is malformed."""
        if self.buf:
            self.malformed("unterminated last line")


class VizReader(LineRecords):
    """Turns the bytes of the viz pipe into steps on `writer`. A malformed record, or one past maxSteps, ends the
    run through `finish` (which does not return)."""

    def __init__(self, limits, writer, finish):
        super().__init__()
        self.max_steps = limits.max_steps
        self.max_items = limits.max_items
        self.max_string = limits.max_string
        self.writer = writer
        self.finish = finish
        self.next_id = 1          # heap ids: a step's containers live for that step only

    def text_field(self, v):
        if not isinstance(v, str):
            raise Bad("expected a string")
        return v[:self.max_string]

    def value(self, v, new):
        """A Value from the header's JSON; containers become heap lists appended to `new`."""
        MS = self.max_string
        if v is None or isinstance(v, bool):
            return v
        if isinstance(v, int):
            return v if -MAX_SAFE <= v <= MAX_SAFE else {"sp": "bigint", "v": str(v)}
        if isinstance(v, float):
            if math.isnan(v):
                return {"sp": "nan"}
            if math.isinf(v):
                return {"sp": "inf"} if v > 0 else {"sp": "-inf"}
            return v
        if isinstance(v, str):
            return v if len(v) <= MS else {"sp": "str", "v": v[:MS], "len": len(v)}
        if isinstance(v, list):
            return self.heap_list(v, len(v), new)
        if isinstance(v, dict):
            if "$a" in v and isinstance(v["$a"], list):
                n = int_field(v.get("len"))
                if n < len(v["$a"]):
                    raise Bad("len below the items sent")
                return self.heap_list(v["$a"], n, new)
            if "$s" in v and isinstance(v["$s"], str):
                n = int_field(v.get("len"))
                return {"sp": "str", "v": v["$s"][:MS], "len": max(n, len(v["$s"]))}
        raise Bad("unsupported value")

    def heap_list(self, items, n, new):
        rid = self.next_id
        self.next_id += 1
        entry = [rid, None]
        new.append(entry)  # parents before children
        entry[1] = {"k": "list", "items": [self.value(x, new) for x in items[:self.max_items]], "len": n}
        return {"r": rid}

    def viz_op(self, vz, new):
        if not isinstance(vz, dict):
            raise Bad("viz is not an object")
        text_field, value = self.text_field, self.value
        op = vz.get("op")
        if op == "step":
            out = {"op": "step", "label": text_field(vz.get("label"))}
            if "data" in vz:
                out["data"] = value(vz["data"], new)
            return out
        if op == "array":
            vals = vz.get("values")
            if isinstance(vals, dict) and isinstance(vals.get("$a"), list):
                vals = vals["$a"]
            if not isinstance(vals, list):
                raise Bad("array values are not a list")
            return {"op": "array", "name": text_field(vz.get("name")),
                    "values": [value(x, new) for x in vals]}
        if op in ("select", "deselect"):
            return {"op": op, "name": text_field(vz.get("name")),
                    "from": int_field(vz.get("from")), "to": int_field(vz.get("to"))}
        if op == "patch":
            return {"op": "patch", "name": text_field(vz.get("name")),
                    "index": int_field(vz.get("index")), "value": value(vz.get("value"), new)}
        if op == "depatch":
            return {"op": "depatch", "name": text_field(vz.get("name")),
                    "index": int_field(vz.get("index"))}
        if op == "note":
            return {"op": "note", "text": text_field(vz.get("text"))}
        raise Bad("unknown op %r" % (op,))

    def malformed(self, why, raw_line=None):
        self.finish("error", {"type": "VizChannelError",
                              "message": "malformed visualization record (%s); only tracecast.hpp "
                                         "may write to descriptor %d" % (why, VIZ_FD),
                              "line": raw_line if isinstance(raw_line, int) and not isinstance(raw_line, bool)
                              else None})

    def on_line(self, raw):
        # maxSteps counts records: the one that would be step number maxSteps is not emitted.
        if self.writer.steps >= self.max_steps:
            self.finish("step_limit")
        malformed = self.malformed
        try:
            rec = json.loads(raw.decode("utf-8", "replace"))
        except (ValueError, RecursionError):
            malformed("not JSON")
        if not isinstance(rec, dict):
            malformed("not an object")
        line = rec.get("line")
        try:
            line = int_field(line)
            fn_raw = rec.get("fn")
            if not isinstance(fn_raw, str):
                raise Bad("fn is not a string")
            new = []
            vz = self.viz_op(rec.get("viz"), new)
        except (Bad, RecursionError) as e:
            malformed(str(e), line)
        self.writer.add_step(line, simple_fn(fn_raw)[:self.max_string], vz, new)
