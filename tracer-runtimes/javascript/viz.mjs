// The viz API of ../CHANNEL.md ("Viz API"): the global `viz`, each call a step with ev "viz" made by the runtime.
import util from 'node:util';
import { inspectOpts } from './learner-stdio.mjs';
import { wf } from './output.mjs';

/** The `viz` object for the learner's realm; runtime() is the runtime serving the current job. */
export function makeViz({ hostObject, CtxTypeError, runtime }) {
  const VIZ_MAX_VALUES = 10000;
  function vizLabel(x) { return wf(typeof x === 'string' ? x : util.inspect(x, inspectOpts)); }
  function vizIndex(x) {
    const v = typeof x === 'number' ? x : Number(x);
    if (!Number.isSafeInteger(v)) throw new CtxTypeError('viz: an index must be an integer, got ' + vizLabel(x));
    return v;
  }
  function makeVizArray(name) {
    return hostObject({
      select: (i, j = i) => { runtime().vizStep({ op: 'select', name, from: vizIndex(i), to: vizIndex(j) }, null); },
      deselect: (i, j = i) => { runtime().vizStep({ op: 'deselect', name, from: vizIndex(i), to: vizIndex(j) }, null); },
      patch: (i, value) => { runtime().vizStep({ op: 'patch', name, index: vizIndex(i), value: runtime().val(value) }, [value]); },
      depatch: (i) => { runtime().vizStep({ op: 'depatch', name, index: vizIndex(i) }, null); },
    });
  }
  const step = (label, data = null, highlights = undefined) => {
    const d = data === undefined ? null : data;
    if (highlights === undefined || highlights === null) {
      runtime().vizStep({ op: 'step', label: vizLabel(label), data: runtime().val(d) }, [d]);
    } else {
      runtime().vizStep({ op: 'step', label: vizLabel(label), data: runtime().val(d), highlights: runtime().val(highlights) }, [d, highlights]);
    }
  };
  const vizObj = hostObject({
    step,
    // The Algorithm Dashboard's name for it: viz.logStep(description, dataStructure, highlights).
    logStep: step,
    array: (name, values) => {
      const nm = vizLabel(name);
      const vals = [];
      const raw = [];
      if (values !== null && values !== undefined) {
        const len = Math.min(Number(values.length) || 0, VIZ_MAX_VALUES);
        for (let i = 0; i < len; i++) { const v = values[i]; raw.push(v); vals.push(runtime().val(v)); }
      }
      runtime().vizStep({ op: 'array', name: nm, values: vals }, raw);
      return makeVizArray(nm);
    },
    note: (text) => { runtime().vizStep({ op: 'note', text: vizLabel(text) }, null); },
  });
  return vizObj;
}
