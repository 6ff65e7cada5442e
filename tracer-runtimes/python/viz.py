"""The viz API of ../CHANNEL.md ("Viz API"): the global `viz` a learner's program calls.

Traced, each call is a step (`step(payload)`, the payload made where its references are tracked); in bench and grade
mode the calls are accepted and ignored, so a program written for trace mode still runs.
"""
from itertools import islice


def _index(x, what):
    if type(x) is bool or not isinstance(x, int):
        raise TypeError("viz: %s must be an int, not %s" % (what, type(x).__name__))
    return int(x)


class VizArray:
    __module__ = "tracecast"      # its methods change nothing the change detection must look at
    __slots__ = ("name", "_viz")

    def __init__(self, name, viz):
        self.name = name
        self._viz = viz

    def __repr__(self):
        return "viz.array(%r)" % (self.name,)

    def select(self, i, j=None):
        self._viz._range("select", self.name, i, j)

    def deselect(self, i, j=None):
        self._viz._range("deselect", self.name, i, j)

    def patch(self, i, value):
        step = self._viz._step
        if step is not None:
            a = _index(i, "i")
            value_of = self._viz._value
            step(lambda: {"op": "patch", "name": self.name, "index": a, "value": value_of(value)})

    def depatch(self, i):
        step = self._viz._step
        if step is not None:
            a = _index(i, "i")
            step(lambda: {"op": "depatch", "name": self.name, "index": a})


class Viz:
    """step(payload_fn) makes a viz step; value(x) is x's Value; None for both: calls do nothing."""
    __module__ = "tracecast"
    __slots__ = ("_step", "_value", "_max_items", "_max_string")

    def __init__(self, step=None, value=None, max_items=100, max_string=1000):
        self._step = step
        self._value = value
        self._max_items = max_items
        self._max_string = max_string

    def __repr__(self):
        return "viz"

    def _text(self, s):
        # labels, names and notes are plain strings (cut to maxString)
        s = s if isinstance(s, str) else str(s)
        return s if len(s) <= self._max_string else s[:self._max_string]

    def _range(self, op, name, i, j):
        if self._step is not None:
            a = _index(i, "i")
            b = a if j is None else _index(j, "j")
            self._step(lambda: {"op": op, "name": name, "from": a, "to": b})

    def step(self, label, data=None, highlights=None):
        if self._step is not None:
            label = self._text(label)
            value_of = self._value
            if highlights is None:
                self._step(lambda: {"op": "step", "label": label, "data": value_of(data)})
            else:
                self._step(lambda: {"op": "step", "label": label, "data": value_of(data), "highlights": value_of(highlights)})

    # The Algorithm Dashboard's name for it: viz.log_step(description, data_structure, highlights).
    log_step = step

    def array(self, name, values=()):
        if self._step is None:
            return VizArray(name if isinstance(name, str) else str(name), self)
        name = self._text(name)
        values = list(values)
        a = VizArray(name, self)
        value_of = self._value
        self._step(lambda: {"op": "array", "name": name, "values": [value_of(v) for v in islice(values, self._max_items)]})
        return a

    def note(self, text):
        if self._step is not None:
            text = self._text(text)
            self._step(lambda: {"op": "note", "text": text})
