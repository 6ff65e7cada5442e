/** The programs of bench/tracer, the same algorithm in each language (a deterministic LCG instead of a random module). */
import type { Language } from './harness.ts';

export interface Program {
  key: 'bubble' | 'fib' | 'loop' | 'steps1m' | 'steps10k' | 'steps100k' | 'bubble4x' | 'fib4x' | 'loop4x';
  label: string;
  code: Record<Language, string>;
}

const bubbleOf = (key: 'bubble' | 'bubble4x', n: number): Program => ({
  key,
  label: `bubble sort, ${n} numbers`,
  code: {
    python: `a = []
s = 12345
for k in range(${n}):
    s = (s * 48271) % 2147483647
    a.append(s % 1000)
n = len(a)
for i in range(n):
    for j in range(n - 1 - i):
        if a[j] > a[j + 1]:
            a[j], a[j + 1] = a[j + 1], a[j]
`,
    javascript: `const a = [];
let s = 12345;
for (let k = 0; k < ${n}; k++) {
  s = (s * 48271) % 2147483647;
  a.push(s % 1000);
}
const n = a.length;
for (let i = 0; i < n; i++) {
  for (let j = 0; j < n - 1 - i; j++) {
    if (a[j] > a[j + 1]) {
      [a[j], a[j + 1]] = [a[j + 1], a[j]];
    }
  }
}
`,
  },
});

const fibOf = (key: 'fib' | 'fib4x', n: number): Program => ({
  key,
  label: `recursive fib(${n})`,
  code: {
    python: `def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

r = fib(${n})
`,
    javascript: `function fib(n) {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}
const r = fib(${n});
`,
  },
});

const loopOf = (key: 'loop' | 'loop4x', n: number): Program => ({
  key,
  label: `arithmetic loop, ${n.toLocaleString('en-US')} iterations`,
  code: {
    python: `total = 0
for i in range(${n}):
    total = (total + i * 7) % 1000003
`,
    javascript: `let total = 0;
for (let i = 0; i < ${n}; i++) {
  total = (total + i * 7) % 1000003;
}
`,
  },
});

const bubble = bubbleOf('bubble', 200);
const fib = fibOf('fib', 18);
const loop = loopOf('loop', 50_000);

/** Two steps per iteration (the loop header and the body line): ~2n steps. */
function stepsProgram(key: 'steps1m' | 'steps10k' | 'steps100k', label: string, n: number): Program {
  return {
    key,
    label,
    code: {
      python: `x = 0
for i in range(${n}):
    x = i * 2
`,
      javascript: `let x = 0;
for (let i = 0; i < ${n}; i++) {
  x = i * 2;
}
`,
    },
  };
}

// 499,998 iterations: 999,998 steps in Python, 999,997 in JavaScript — just under the server's default 1,000,000-step cap.
export const STEPS_1M = stepsProgram('steps1m', '1,000,000-step loop', 499_998);
export const STEPS_10K = stepsProgram('steps10k', 'same loop, 10,000 steps', 4_999);
/** --quick's stand-in for the 1,000,000-step run of the RSS check. */
export const STEPS_100K = stepsProgram('steps100k', 'same loop, 100,000 steps', 49_999);
export const PROGRAMS: Program[] = [bubble, fib, loop, STEPS_1M];
/**
 * --scaling: each speed program beside a version with about four times its steps (fib(21) makes 4.2 times fib(18)'s
 * calls), to separate a tracer's cost per step from its cost per run.
 */
export const SCALED: [Program, Program][] = [
  [bubble, bubbleOf('bubble4x', 400)],
  [fib, fibOf('fib4x', 21)],
  [loop, loopOf('loop4x', 200_000)],
];
